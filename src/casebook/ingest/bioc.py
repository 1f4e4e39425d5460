"""BioC reader (XML and JSON), as NCBI serves PMC articles and PubTator exports.

A BioC collection holds documents, and each document holds passages that carry their own
``offset`` into the document. Annotations made on BioC data use those offsets, so the reader
keeps them: each passage's text is placed at its offset and the gaps between passages are filled
with spaces and newlines, so that ``text[offset:offset + len(passage)] == passage`` holds.
Offsets are taken as character offsets, as in PMC's BioC files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.jats import local_name, parse_xml
from casebook.ingest.text import read_bytes_of
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


MAX_OFFSET = 50_000_000
"""The largest passage offset read. The gaps between passages become spaces, so an offset is
text to allocate: the longest PMC articles run to about a million characters, and a file
claiming 3,000,000,000 would build a string of gigabytes from a few bytes."""


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
) -> Document:
    where = path or "-"
    code = ErrorCode.MALFORMED_XML if fmt is SourceFormat.BIOC_XML else ErrorCode.MALFORMED_JSON
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
        if passage.offset > MAX_OFFSET:
            raise CasebookError(
                code,
                f"document {doc_id}: {passage.label} at offset {passage.offset} lies past "
                f"{MAX_OFFSET:,} characters, more than any case report holds",
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
        raise CasebookError(ErrorCode.EMPTY_DOCUMENT, f"document {doc_id!r} holds no text", where)
    for name, value in (("id", doc_id), ("text", text)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # JSON can escape a lone surrogate ("\ud800"), which no text can be written with.
            raise CasebookError(
                code, f"document {doc_id!r}: its {name} holds a lone surrogate", where
            ) from None
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


def parse_bioc_xml(data: bytes, path: str | None) -> list[Document]:
    """Documents from BioC XML bytes, one per BioC ``<document>``.

    Raises:
        CasebookError: ``MALFORMED_XML`` for broken or unsafe XML and for passages that overlap
            or go backwards, ``UNSUPPORTED_FORMAT`` when the root is not ``<collection>``,
            ``EMPTY_DOCUMENT`` for a document without text.
    """
    where = path or "-"
    root = parse_xml(data, where)
    if local_name(root) != "collection":
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            f"not a BioC collection: the root element is <{local_name(root)}>",
            where,
        )
    documents: list[Document] = []
    for number, document in enumerate((d for d in root if local_name(d) == "document"), 1):
        doc_id = (_xml_child_text(document, "id") or "").strip()
        if not doc_id:
            raise CasebookError(ErrorCode.MALFORMED_XML, f"document {number} has no <id>", where)
        passages = _xml_passages(document, doc_id, where)
        documents.append(
            _assemble(doc_id, _xml_infons(document), passages, SourceFormat.BIOC_XML, path)
        )
    return documents


def read_bioc_xml(path: Path) -> list[Document]:
    """Read a BioC XML file.

    Raises:
        CasebookError: As ``parse_bioc_xml``, or when the file cannot be read.
    """
    return parse_bioc_xml(read_bytes_of(path), str(path))


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


def parse_bioc_json(data: bytes, path: str | None) -> list[Document]:
    """Documents from BioC JSON bytes: a collection, or a list of collections.

    Raises:
        CasebookError: ``MALFORMED_JSON`` for invalid JSON and for passages that overlap or go
            backwards, ``UNSUPPORTED_FORMAT`` when the JSON is not a BioC collection,
            ``EMPTY_DOCUMENT`` for a document without text.
    """
    where = path or "-"
    try:
        payload = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CasebookError(ErrorCode.MALFORMED_JSON, f"invalid JSON: {exc}", where) from exc
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
    documents: list[Document] = []
    for collection in collections:
        for number, document in enumerate(collection["documents"], start=1):
            if not isinstance(document, dict):
                raise CasebookError(
                    ErrorCode.MALFORMED_JSON, f"document {number} is not an object", where
                )
            doc_id = str(document.get("id") or "").strip()
            if not doc_id:
                raise CasebookError(ErrorCode.MALFORMED_JSON, f"document {number} has no id", where)
            passages = _json_passages(document, doc_id, where)
            infons = _json_infons(document.get("infons"))
            documents.append(_assemble(doc_id, infons, passages, SourceFormat.BIOC_JSON, path))
    return documents


def read_bioc_json(path: Path) -> list[Document]:
    """Read a BioC JSON file.

    Raises:
        CasebookError: As ``parse_bioc_json``, or when the file cannot be read.
    """
    return parse_bioc_json(read_bytes_of(path), str(path))
