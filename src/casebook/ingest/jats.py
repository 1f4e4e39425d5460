"""JATS reader for PMC Open Access articles (``.nxml``).

The document text is built, not copied: JATS is markup, so the reader lays out the article
title, the abstract, the body sections and the figure captions as blocks of text separated by
blank lines, and records a ``Section`` for each titled part with offsets into that text.
Whitespace inside a block is collapsed because XML indentation is not part of the article.
Back matter (references, acknowledgements, footnotes) is left out: it is not case content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.text import read_bytes_of
from casebook.model import Document, Section, Source, SourceFormat

SEC_TYPE_KINDS: dict[str, str] = {
    "cases": "case_presentation",
    "case": "case_presentation",
    "case-report": "case_presentation",
    "case-presentation": "case_presentation",
    "intro": "introduction",
    "introduction": "introduction",
    "background": "introduction",
    "methods": "methods",
    "materials": "methods",
    "materials|methods": "methods",
    "subjects": "methods",
    "results": "results",
    "discussion": "discussion",
    "results|discussion": "discussion",
    "conclusions": "conclusions",
    "conclusion": "conclusions",
    "supplementary-material": "supplementary_material",
}
"""JATS ``sec-type`` values to section kinds; other values are lower-cased with ``_``."""

# Elements whose text is not running prose: figures are gathered at the end, tables become their
# own block after the paragraph that holds them, and the others are metadata or links out.
_OUT_OF_FLOW = frozenset({"fig", "fig-group", "table-wrap", "table-wrap-group"})
_NOT_TEXT = frozenset({"object-id", "alt-text", "long-desc", "graphic", "media", "fn"})
_BLOCK_CONTAINERS = frozenset({"disp-quote", "boxed-text", "statement", "app", "glossary"})


def local_name(element: Element) -> str:
    """An element's tag without its ``{namespace}`` part."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


MAX_XML_DEPTH = 256
"""The deepest element nesting read. PMC articles nest a few dozen deep; the readers walk the
tree recursively, so a file nested thousands deep is refused before they start."""


def _deeper_than(root: Element, limit: int) -> bool:
    """Whether any element lies more than ``limit`` levels below ``root`` (walked without
    recursion, so that the check itself survives any depth)."""
    stack: list[tuple[Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def parse_xml(data: bytes, path: str) -> Element:
    """Parse XML safely: a DOCTYPE is allowed, entity declarations are refused, elements nest
    at most ``MAX_NESTING`` deep.

    Real PMC files start with a DOCTYPE naming the JATS DTD, so DTDs cannot be forbidden
    outright. The DTD itself is never fetched (expat does not load external DTDs), and any
    ``<!ENTITY>`` declaration is refused, which blocks external-entity (XXE) reads and
    entity-expansion bombs. Elements nested deeper than ``MAX_XML_DEPTH`` are refused too.

    Raises:
        CasebookError: ``MALFORMED_XML`` with a one-line message.
    """
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise CasebookError(
            ErrorCode.MALFORMED_XML, f"unsafe XML refused: {type(exc).__name__}", path
        ) from exc
    except ParseError as exc:
        raise CasebookError(ErrorCode.MALFORMED_XML, f"not well-formed XML: {exc}", path) from exc
    except (LookupError, ValueError) as exc:
        # expat reads only single-byte encodings and those Python knows by name.
        raise CasebookError(
            ErrorCode.MALFORMED_XML,
            "the XML declaration names an encoding that cannot be read; save the file as UTF-8",
            path,
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
    if _deeper_than(root, MAX_XML_DEPTH):
        raise CasebookError(
            ErrorCode.MALFORMED_XML,
            f"elements are nested more than {MAX_XML_DEPTH} deep; no article is",
            path,
        )
    return root


def collapse(text: str) -> str:
    """Collapse runs of whitespace (XML indentation, line breaks) to single spaces."""
    return " ".join(text.split())


def _inline(element: Element, skipped: list[Element] | None = None) -> str:
    """The running text of an element, markup dropped, out-of-flow children set aside."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            name = local_name(child)
            if name in _OUT_OF_FLOW:
                if skipped is not None:
                    skipped.append(child)
            elif name not in _NOT_TEXT:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return collapse("".join(parts))


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


def _find(element: Element, *names: str) -> Element | None:
    """The first descendant reached by the path of local names."""
    current: Element | None = element
    for name in names:
        if current is None:
            return None
        current = _child(current, name)
    return current


def sec_kind(sec_type: str | None, default: str) -> str:
    """The section kind for a JATS ``sec-type`` value, or ``default`` when there is none."""
    if not sec_type or not sec_type.strip():
        return default
    key = sec_type.strip().lower()
    return SEC_TYPE_KINDS.get(key) or re.sub(r"[^a-z0-9]+", "_", key).strip("_") or default


@dataclass
class _Builder:
    """Lays out blocks separated by blank lines and remembers where each one landed."""

    parts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    figures: list[Element] = field(default_factory=list)
    size: int = 0

    def block(self, text: str) -> None:
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.size += 2
        self.parts.append(text)
        self.spans.append((self.size, self.size + len(text)))
        self.size += len(text)

    def section(self, first_block: int, title: str, kind: str) -> None:
        """Record a section over the blocks added since ``first_block``, if any were."""
        if len(self.spans) > first_block:
            start, end = self.spans[first_block][0], self.spans[-1][1]
            # Parents are recorded after their children; insert so the list stays in text order.
            index = len(self.sections)
            while index and self.sections[index - 1].start >= start:
                index -= 1
            self.sections.insert(index, Section(start=start, end=end, title=title, kind=kind))

    def text(self) -> str:
        return "".join(self.parts)


def _table_text(wrap: Element) -> str:
    """A table as lines: label and caption, then one line per row with cells joined by " | "."""
    lines: list[str] = []
    label = _child(wrap, "label")
    caption = _child(wrap, "caption")
    heading = " ".join(
        t for t in (_inline(label) if label is not None else "", _caption(caption)) if t
    )
    if heading:
        lines.append(heading)
    for row in wrap.iter():
        if local_name(row) != "tr":
            continue
        cells = [_inline(cell) for cell in row if local_name(cell) in {"td", "th"}]
        if any(cells):
            lines.append(" | ".join(cells))
    foot = _child(wrap, "table-wrap-foot")
    if foot is not None and (foot_text := _inline(foot)):
        lines.append(foot_text)
    return "\n".join(lines)


def _caption(caption: Element | None) -> str:
    if caption is None:
        return ""
    return " ".join(t for t in (_inline(child) for child in caption) if t) or _inline(caption)


def _list_text(element: Element) -> str:
    """A list as one line per item; nested lists stay inside their item's line."""
    items = [_inline(item) for item in element if local_name(item) in {"list-item", "def-item"}]
    return "\n".join(item for item in items if item)


def _content(builder: _Builder, element: Element, default_kind: str) -> None:
    """Lay out the block-level children of a body, abstract or section."""
    for child in element:
        name = local_name(child)
        if name == "sec":
            _section(builder, child, default_kind)
        elif name in {"title", "label", "sec-meta"}:
            continue  # The section's own heading, laid out by _section.
        elif name in {"fig", "fig-group"}:
            builder.figures.extend(f for f in child.iter() if local_name(f) == "fig")
        elif name in {"table-wrap", "table-wrap-group"}:
            _tables(builder, child)
        elif name in {"list", "def-list"}:
            builder.block(_list_text(child))
        elif name in _BLOCK_CONTAINERS:
            _content(builder, child, default_kind)
        elif name not in _NOT_TEXT:
            held: list[Element] = []
            builder.block(_inline(child, held))
            for out in held:
                if local_name(out) in {"fig", "fig-group"}:
                    builder.figures.extend(f for f in out.iter() if local_name(f) == "fig")
                else:
                    _tables(builder, out)


def _tables(builder: _Builder, element: Element) -> None:
    for wrap in element.iter():
        if local_name(wrap) == "table-wrap":
            builder.block(_table_text(wrap))


def _section(builder: _Builder, sec: Element, default_kind: str) -> None:
    first = len(builder.spans)
    title_element = _child(sec, "title")
    title = _inline(title_element) if title_element is not None else ""
    builder.block(title)
    _content(builder, sec, default_kind)
    builder.section(first, title, sec_kind(sec.get("sec-type"), default_kind))


def _article_ids(meta: Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    if meta is None:
        return ids
    for article_id in meta:
        if local_name(article_id) != "article-id" or not (value := collapse(article_id.text or "")):
            continue
        kind = article_id.get("pub-id-type", "")
        if kind in {"pmc", "pmcid"}:
            # Older files give the bare number, newer ones "PMC1234567"; store one spelling.
            ids["pmcid"] = value if value.upper().startswith("PMC") else f"PMC{value}"
        elif kind in {"pmid", "doi"}:
            ids[kind] = value
    return ids


def _keywords(meta: Element | None) -> str:
    """The article's keywords (``<kwd-group><kwd>``), joined with "; "."""
    if meta is None:
        return ""
    words = [
        _inline(kwd)
        for group in meta
        if local_name(group) == "kwd-group"
        for kwd in group
        if local_name(kwd) == "kwd"
    ]
    return "; ".join(w for w in words if w)


def parse_jats(data: bytes, path: str | None, default_id: str) -> Document:
    """A ``Document`` from JATS XML bytes.

    Args:
        data: The XML bytes.
        path: The file path, or None for standard input.
        default_id: The id to use when the article has no PMCID (the file stem, ``stdin``).

    Raises:
        CasebookError: ``MALFORMED_XML`` for broken or unsafe XML, ``UNSUPPORTED_FORMAT`` when
            the root is not ``<article>``, ``EMPTY_DOCUMENT`` when no text is found.
    """
    where = path or "-"
    root = parse_xml(data, where)
    if local_name(root) != "article":
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            f"not a JATS article: the root element is <{local_name(root)}>",
            where,
        )
    builder = _Builder()
    meta = _find(root, "front", "article-meta")
    extra = _article_ids(meta)
    if article_type := root.get("article-type"):
        extra["article_type"] = article_type
    if keywords := _keywords(meta):
        extra["keywords"] = keywords

    title_element = _find(meta, "title-group", "article-title") if meta is not None else None
    title = _inline(title_element) if title_element is not None else ""
    builder.block(title)
    builder.section(0, "", "title")

    abstracts = [a for a in (meta if meta is not None else []) if local_name(a) == "abstract"]
    # Graphical abstracts and teasers repeat the main one; prefer the untyped abstract.
    abstract = next((a for a in abstracts if not a.get("abstract-type")), None) or next(
        iter(abstracts), None
    )
    if abstract is not None:
        first = len(builder.spans)
        heading = _child(abstract, "title")
        abstract_title = _inline(heading) if heading is not None else ""
        builder.block(abstract_title)
        _content(builder, abstract, "abstract")
        builder.section(first, abstract_title, "abstract")

    body = _child(root, "body")
    if body is not None:
        _content(builder, body, "other")
    floats = _child(root, "floats-group")
    if floats is not None:
        builder.figures.extend(f for f in floats.iter() if local_name(f) == "fig")
        _tables(builder, floats)

    for figure in builder.figures:
        first = len(builder.spans)
        label_element = _child(figure, "label")
        label = _inline(label_element) if label_element is not None else ""
        builder.block(" ".join(t for t in (label, _caption(_child(figure, "caption"))) if t))
        builder.section(first, label, "figure_caption")

    text = builder.text()
    if not text.strip():
        raise CasebookError(ErrorCode.EMPTY_DOCUMENT, "the article holds no text", where)
    return Document(
        id=extra.get("pmcid", default_id),
        text=text,
        source=Source(format=SourceFormat.JATS, path=path, extra=extra),
        title=title or None,
        sections=builder.sections,
    )


def read_jats(path: Path) -> Document:
    """Read a JATS ``.nxml``/``.xml`` file; the id is the PMCID, else the file stem.

    Raises:
        CasebookError: As ``parse_jats``, or when the file cannot be read.
    """
    return parse_jats(read_bytes_of(path), str(path), path.stem)
