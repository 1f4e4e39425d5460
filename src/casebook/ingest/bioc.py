"""BioC reader (XML and JSON), as NCBI serves PMC articles and PubTator exports.

A BioC collection holds documents, and each document holds passages that carry their own
``offset`` into the document. Annotations made on BioC data use those offsets, so the reader
keeps them: each passage's text is placed at its offset and the gaps between passages are filled
with spaces and newlines, so that ``text[offset:offset + len(passage)] == passage`` holds.
Offsets are taken as character offsets, as in PMC's BioC files.

A collection's documents are read one by one: a bad document becomes a ``CasebookError`` in its
place (``iter_bioc_xml``, ``iter_bioc_json``), and the others are still read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from casebook.config import DEFAULT_MAX_CHARS
from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.ingest.jats import local_name, parse_xml
from casebook.ingest.text import drop_controls, lone_surrogate, read_bytes_of
from casebook.model import Document, Section, Source, SourceFormat

SECTION_KINDS: dict[str, str] = {
    "title": "title",
    "front": "title",
    "abstract": "abstract",
    "intro": "introduction",
    "case": "case_presentation",
    "methods": "methods",
    "results": "results",
    "discuss": "discussion",
    "concl": "conclusions",
    "fig": "figure_caption",
    "fig_caption": "figure_caption",
    "table": "table",
    "table_caption": "table",
    "ref": "references",
    "suppl": "supplementary_material",
    "ack_fund": "acknowledgements",
    "abbr": "abbreviations",
    "comp_int": "competing_interests",
}
"""BioC ``section_type``/``type`` infon values (lower-cased) to section kinds."""


NESTED_TOO_DEEP = "JSON nested deeper than casebook reads (Python's recursion limit)"
"""Why JSON whose arrays or objects nest thousands deep is refused."""


@dataclass(frozen=True)
class _Passage:
    offset: int
    text: str
    infons: Mapping[str, str]
    label: str  # How error messages name the passage.


def section_kind(infon: str) -> str:
    """The section kind for a BioC ``section_type`` or ``type`` infon value."""
    key = infon.strip().lower()
    return SECTION_KINDS.get(key, key)


def _assemble(
    doc_id: str,
    infons: Mapping[str, str],
    passages: Sequence[_Passage],
    fmt: SourceFormat,
    path: str | None,
    max_chars: int,
) -> Document:
    where = path or "-"
    code = ErrorCode.MALFORMED_XML if fmt is SourceFormat.BIOC_XML else ErrorCode.MALFORMED_JSON
    # The offsets say how long the text will be; a few bytes can claim billions of characters,
    # so the claim is checked before any filler is made.
    for passage in passages:
        if passage.offset + len(passage.text) > max_chars:
            raise CasebookError(
                ErrorCode.REQUEST_TOO_LARGE,
                f"document {doc_id}: {passage.label} at offset {passage.offset} would make the "
                f"text longer than the {max_chars:,} characters casebook reads (--max-chars, "
                "CASEBOOK_MAX_CHARS)",
                where,
            )
    parts: list[str] = []
    size = 0
    sections: list[Section] = []
    title: str | None = None
    for passage in passages:
        if passage.offset < size:
            raise CasebookError(
                code,
                f"document {doc_id}: {passage.label} at offset {passage.offset} overlaps or goes "
                f"back before the previous passage, which ends at {size}",
                where,
            )
        if not passage.text:
            continue
        gap = passage.offset - size
        if gap:
            # Trailing spaces then newlines, so a passage still starts its own paragraph.
            filler = " " * (gap - 2) + "\n\n" if gap >= 2 else "\n"
            parts.append(filler if size else " " * gap)
        parts.append(passage.text)
        size = passage.offset + len(passage.text)
        name = passage.infons.get("section_type") or passage.infons.get("type") or ""
        kind = section_kind(name) if name else "other"
        if (
            title is None
            and kind == "title"
            and passage.infons.get("type", "")
            in {
                "",
                "front",
                "title",
            }
        ):
            title = passage.text.strip() or None
        previous = sections[-1] if sections else None
        if previous is not None and previous.title == name and previous.kind == kind:
            # Consecutive passages of one section (heading, paragraphs) make one Section.
            sections[-1] = previous.model_copy(update={"end": size})
        else:
            sections.append(Section(start=passage.offset, end=size, title=name, kind=kind))
    text = "".join(parts)
    if not text.strip():
        raise CasebookError(ErrorCode.EMPTY_DOCUMENT, f"document {doc_id} holds no text", where)
    for whose, value in (("a document's id", doc_id), (f"document {doc_id}: its text", text)):
        if (at := lone_surrogate(value)) is not None:
            raise CasebookError(
                ErrorCode.UNDECODABLE_TEXT,
                f"{whose} holds a lone surrogate (an unpaired \\ud800-\\udfff escape) at "
                f"character {at}, which is not text",
                where,
            )
    # Spaces, not nothing, in place of control characters: passages keep their offsets.
    text = drop_controls(text, f"{where}: document {doc_id}", keep_offsets=True)
    return Document(
        id=doc_id,
        text=text,
        source=Source(format=fmt, path=path, extra=dict(infons)),
        title=title,
        sections=sections,
    )


# --- XML ---------------------------------------------------------------------------------------


def _xml_infons(element: Element) -> dict[str, str]:
    return {
        key: (child.text or "")
        for child in element
        if local_name(child) == "infon" and (key := child.get("key"))
    }


def _xml_child_text(element: Element, name: str) -> str | None:
    for child in element:
        if local_name(child) == name:
            return child.text or ""
    return None


def _xml_offset(element: Element, doc_id: str, label: str, where: str) -> int:
    raw = _xml_child_text(element, "offset")
    try:
        return int((raw or "").strip())
    except ValueError:
        raise CasebookError(
            ErrorCode.MALFORMED_XML,
            f"document {doc_id}: {label} has no integer <offset> (found {raw!r})",
            where,
        ) from None


def _xml_passages(document: Element, doc_id: str, where: str) -> list[_Passage]:
    passages: list[_Passage] = []
    number = 0
    for passage in document:
        if local_name(passage) != "passage":
            continue
        number += 1
        label = f"passage {number}"
        infons = _xml_infons(passage)
        offset = _xml_offset(passage, doc_id, label, where)
        text = _xml_child_text(passage, "text")
        if text is not None:
            passages.append(_Passage(offset, text, infons, label))
            continue
        # Sentence-level BioC: the passage's text lives in its sentences, each with its offset.
        for index, sentence in enumerate(
            (s for s in passage if local_name(s) == "sentence"), start=1
        ):
            sentence_label = f"{label} sentence {index}"
            passages.append(
                _Passage(
                    _xml_offset(sentence, doc_id, sentence_label, where),
                    _xml_child_text(sentence, "text") or "",
                    infons,
                    sentence_label,
                )
            )
    return passages


def _each_document(
    elements: Sequence[Any], build: Callable[[int, Any], Document], code: ErrorCode, where: str
) -> Iterator[Document | CasebookError]:
    """Build each document, an error in place of each that fails."""
    for number, element in enumerate(elements, start=1):
        try:
            yield build(number, element)
        except CasebookError as error:
            yield error
        except ValueError as exc:
            # A document the checks above let through that the document model still refuses.
            yield CasebookError(
                code,
                f"document {number}: not a document casebook can read",
                where,
                detail=library_detail(exc),
            )


def iter_bioc_xml(
    data: bytes, path: str | None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[Document | CasebookError]:
    """Documents from BioC XML bytes, one per BioC ``<document>``, an error in place of each
    bad one.

    Raises:
        CasebookError: ``MALFORMED_XML`` for broken or unsafe XML, ``UNSUPPORTED_FORMAT`` when
            the root is not ``<collection>``: then no document can be read.

    Yields:
        A ``Document``, or a ``CasebookError``: ``MALFORMED_XML`` for a document without an id
        or with passages that overlap or go backwards, ``EMPTY_DOCUMENT`` for one without text.
    """
    where = path or "-"
    root = parse_xml(data, where)
    if local_name(root) != "collection":
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            f"not a BioC collection: the root element is <{local_name(root)}>",
            where,
        )

    def build(number: int, document: Element) -> Document:
        doc_id = (_xml_child_text(document, "id") or "").strip()
        if not doc_id:
            raise CasebookError(ErrorCode.MALFORMED_XML, f"document {number} has no <id>", where)
        passages = _xml_passages(document, doc_id, where)
        return _assemble(
            doc_id, _xml_infons(document), passages, SourceFormat.BIOC_XML, path, max_chars
        )

    documents = [d for d in root if local_name(d) == "document"]
    yield from _each_document(documents, build, ErrorCode.MALFORMED_XML, where)


def parse_bioc_xml(
    data: bytes, path: str | None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> list[Document]:
    """Documents from BioC XML bytes, one per BioC ``<document>``.

    Raises:
        CasebookError: The first error ``iter_bioc_xml`` raises or yields.
    """
    return all_or_first_error(iter_bioc_xml(data, path, max_chars=max_chars))


def all_or_first_error(items: Iterator[Document | CasebookError]) -> list[Document]:
    """The documents of a reader that yields errors in place of bad ones, or its first error
    raised."""
    documents: list[Document] = []
    for item in items:
        if isinstance(item, CasebookError):
            raise item
        documents.append(item)
    return documents


def read_bioc_xml(path: Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Document]:
    """Read a BioC XML file.

    Raises:
        CasebookError: As ``parse_bioc_xml``, or when the file cannot be read.
    """
    return parse_bioc_xml(read_bytes_of(path), str(path), max_chars=max_chars)


# --- JSON --------------------------------------------------------------------------------------


def _json_infons(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    # Infons are strings in BioC; numbers occasionally appear, and are kept as their text.
    return {str(k): str(v) for k, v in value.items() if v is not None and not isinstance(v, dict)}


def _json_passages(document: dict[str, Any], doc_id: str, where: str) -> list[_Passage]:
    raw = document.get("passages", [])
    if not isinstance(raw, list):
        raise CasebookError(
            ErrorCode.MALFORMED_JSON, f"document {doc_id}: 'passages' is not a list", where
        )
    passages: list[_Passage] = []
    for number, passage in enumerate(raw, start=1):
        label = f"passage {number}"
        if not isinstance(passage, dict):
            raise CasebookError(
                ErrorCode.MALFORMED_JSON, f"document {doc_id}: {label} is not an object", where
            )
        infons = _json_infons(passage.get("infons"))
        pieces: list[tuple[str, dict[str, Any]]] = [(label, passage)]
        if passage.get("text") is None and isinstance(passage.get("sentences"), list):
            pieces = [
                (f"{label} sentence {i}", s)
                for i, s in enumerate(passage["sentences"], start=1)
                if isinstance(s, dict)
            ]
        for piece_label, piece in pieces:
            offset, text = piece.get("offset"), piece.get("text") or ""
            if isinstance(offset, bool) or not isinstance(offset, int) or not isinstance(text, str):
                raise CasebookError(
                    ErrorCode.MALFORMED_JSON,
                    f"document {doc_id}: {piece_label} needs an integer 'offset' and a string "
                    "'text'",
                    where,
                )
            passages.append(_Passage(offset, text, infons, piece_label))
    return passages


def iter_bioc_json(
    data: bytes, path: str | None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[Document | CasebookError]:
    """Documents from BioC JSON bytes (a collection, or a list of collections), an error in
    place of each bad one.

    Raises:
        CasebookError: ``MALFORMED_JSON`` for invalid or too deeply nested JSON,
            ``UNSUPPORTED_FORMAT`` when the JSON is not a BioC collection: then no document
            can be read.

    Yields:
        A ``Document``, or a ``CasebookError``: ``MALFORMED_JSON`` for a document that is not
        an object, has no id, or has passages that overlap or go backwards;
        ``UNDECODABLE_TEXT`` for a lone surrogate in its id or text; ``EMPTY_DOCUMENT`` for one
        without text.
    """
    where = path or "-"
    try:
        payload = json.loads(data)
    except json.JSONDecodeError as exc:
        raise CasebookError(ErrorCode.MALFORMED_JSON, f"invalid JSON: {exc}", where) from exc
    except UnicodeDecodeError as exc:
        raise CasebookError(
            ErrorCode.MALFORMED_JSON, f"invalid JSON: not UTF-8 at byte {exc.start}", where
        ) from exc
    except RecursionError:
        raise CasebookError(ErrorCode.MALFORMED_JSON, NESTED_TOO_DEEP, where) from None
    # The BioC web services answer with a list of collections, files hold one collection.
    collections = payload if isinstance(payload, list) else [payload]
    if not collections or not all(
        isinstance(c, dict) and isinstance(c.get("documents"), list) for c in collections
    ):
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            "not a BioC collection: expected an object with a 'documents' list",
            where,
        )

    def build(number: int, document: Any) -> Document:
        if not isinstance(document, dict):
            raise CasebookError(
                ErrorCode.MALFORMED_JSON, f"document {number} is not an object", where
            )
        doc_id = str(document.get("id") or "").strip()
        if not doc_id:
            raise CasebookError(ErrorCode.MALFORMED_JSON, f"document {number} has no id", where)
        passages = _json_passages(document, doc_id, where)
        infons = _json_infons(document.get("infons"))
        return _assemble(doc_id, infons, passages, SourceFormat.BIOC_JSON, path, max_chars)

    for collection in collections:
        yield from _each_document(collection["documents"], build, ErrorCode.MALFORMED_JSON, where)


def parse_bioc_json(
    data: bytes, path: str | None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> list[Document]:
    """Documents from BioC JSON bytes: a collection, or a list of collections.

    Raises:
        CasebookError: The first error ``iter_bioc_json`` raises or yields.
    """
    return all_or_first_error(iter_bioc_json(data, path, max_chars=max_chars))


def read_bioc_json(path: Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Document]:
    """Read a BioC JSON file.

    Raises:
        CasebookError: As ``parse_bioc_json``, or when the file cannot be read.
    """
    return parse_bioc_json(read_bytes_of(path), str(path), max_chars=max_chars)
