"""brat standoff reader: a ``.txt`` document and its sibling ``.ann`` annotations.

brat counts offsets in the ``.txt`` exactly as stored (it reads the file as UTF-8 without
translating newlines), so this reader does not normalise newlines or drop a byte order mark:
doing so would shift every annotation after the first CR. The text of a brat document is
therefore the one format-specific exception to the LF rule of ``casebook.ingest.text``; for the
same reason a control character in it becomes a space rather than being dropped.

Published corpora carry a known quirk: an entity whose stored text ends in whitespace its
offsets do not cover (MACCROBAT2020 has ``8 mg`` stored as ``8 mg<TAB> ``). Such an entity is
read with a warning, its text taken from its offsets; any other difference is an error.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.brat_model import (
    BratAnnotations,
    BratAttribute,
    BratEntity,
    BratEquivalence,
    BratEvent,
    BratNote,
    BratRelation,
)
from casebook.ingest.folders import require_dir
from casebook.ingest.text import decode_text, read_bytes_of
from casebook.model import Document, Source, SourceFormat, Span

logger = logging.getLogger("casebook.ingest")

_ID = re.compile(r"[TEARMN#]\w*")
_SPAN = re.compile(r"(\d+) (\d+)")


class _LineError(Exception):
    """An unparseable line; turned into a coded error that names the file and line."""


TRAILING_WHITESPACE_WARNING = (
    "the stored text differs from the text at its offsets only by trailing whitespace; "
    "the offsets are used"
)


def _entity(ann_id: str, fields: list[str], text: str) -> tuple[BratEntity, str | None, bool]:
    """Parse a ``T`` line.

    Returns:
        The entity, a mismatch message if its stored text is not the text at its offsets, and
        whether it differs from it only by trailing whitespace (then the entity carries the
        text at its offsets and there is no mismatch).
    """
    if len(fields) != 3:
        raise _LineError("expected 'T<id>\\t<type> <start> <end>[;<start> <end>…]\\t<text>'")
    type_and_spans, stored = fields[1], fields[2]
    entity_type, _, span_text = type_and_spans.partition(" ")
    fragments: list[Span] = []
    for piece in span_text.split(";"):
        match = _SPAN.fullmatch(piece.strip())
        if not entity_type or match is None:
            raise _LineError(f"cannot read the type and offsets {type_and_spans!r}")
        start, end = int(match[1]), int(match[2])
        if end < start:
            raise _LineError(f"fragment {start} {end} ends before it starts")
        fragments.append(Span(start=start, end=end))
    entity = BratEntity(id=ann_id, type=entity_type, fragments=fragments, text=stored)
    if entity.end > len(text):
        return entity, f"offset {entity.end} is past the text's end ({len(text)})", False
    # brat's own check: the fragments' texts joined by one space must equal the stored text.
    found = " ".join(text[f.start : f.end] for f in fragments)
    if found == stored:
        return entity, None, False
    if found.rstrip() == stored.rstrip():
        return entity.model_copy(update={"text": found}), None, True
    return (
        entity,
        f"stored text {stored!r} does not match the text at its offsets {found!r}",
        False,
    )


def _event(ann_id: str, fields: list[str]) -> BratEvent:
    tokens = fields[1].split() if len(fields) >= 2 else []
    if not tokens or ":" not in tokens[0]:
        raise _LineError("expected 'E<id>\\t<type>:<trigger> [<role>:<argument> …]'")
    event_type, _, trigger = tokens[0].partition(":")
    arguments: list[tuple[str, str]] = []
    for token in tokens[1:]:
        role, sep, argument = token.partition(":")
        if not sep or not role or not argument:
            raise _LineError(f"cannot read the event argument {token!r}")
        arguments.append((role, argument))
    if not event_type or not trigger:
        raise _LineError(f"cannot read the event type and trigger {tokens[0]!r}")
    return BratEvent(id=ann_id, type=event_type, trigger=trigger, arguments=arguments)


def _attribute(ann_id: str, fields: list[str]) -> BratAttribute:
    tokens = fields[1].split() if len(fields) >= 2 else []
    if len(tokens) not in {2, 3}:
        raise _LineError("expected 'A<id>\\t<name> <target> [<value>]'")
    # Binary attributes (brat's on/off flags) have no value.
    value = tokens[2] if len(tokens) == 3 else None
    return BratAttribute(id=ann_id, name=tokens[0], target=tokens[1], value=value)


def _relation(ann_id: str, fields: list[str]) -> BratRelation:
    tokens = fields[1].split() if len(fields) >= 2 else []
    arguments = [token.partition(":") for token in tokens[1:]]
    if len(tokens) != 3 or not all(sep and arg for _, sep, arg in arguments):
        raise _LineError("expected 'R<id>\\t<type> Arg1:<id> Arg2:<id>'")
    return BratRelation(id=ann_id, type=tokens[0], arg1=arguments[0][2], arg2=arguments[1][2])


def _equivalence(fields: list[str]) -> BratEquivalence:
    tokens = fields[1].split() if len(fields) >= 2 else []
    if len(tokens) < 3:
        raise _LineError("expected '*\\t<type> <id> <id> [<id> …]'")
    return BratEquivalence(type=tokens[0], members=tokens[1:])


def _note(ann_id: str, fields: list[str]) -> BratNote:
    tokens = fields[1].split() if len(fields) >= 2 else []
    if len(tokens) != 2:
        raise _LineError("expected '#<id>\\t<type> <target>\\t<note>'")
    return BratNote(id=ann_id, target=tokens[1], text=fields[2] if len(fields) == 3 else "")


def parse_ann(ann_text: str, text: str, path: str) -> BratAnnotations:
    """Parse a brat ``.ann`` file and check it against its document text.

    Normalisation lines (``N…``) are accepted and skipped: the annotation records have no
    place for them and MACCROBAT2020 has none.

    Args:
        ann_text: The ``.ann`` file's content.
        text: The document text the offsets point into, exactly as in the ``.txt``.
        path: The ``.ann`` file's name, used in error messages.

    Returns:
        The annotations, in file order within each kind.

    Raises:
        CasebookError: ``MALFORMED_DATASET`` for a line that cannot be parsed or a repeated id,
            ``ANNOTATION_MISMATCH`` for an entity whose stored text differs from the text at its
            offsets (by more than trailing whitespace, which gets a warning) or whose offsets
            run past the text's end, and for a reference to an id the
            file does not define. Messages give the line number and annotation id.
    """
    annotations = BratAnnotations()
    seen: dict[str, int] = {}
    references: list[tuple[int, str, str]] = []  # (line, referring id, referenced id)
    for number, line in enumerate(ann_text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t", 2)
        ann_id = fields[0].strip()
        try:
            if ann_id != "*" and not _ID.fullmatch(ann_id):
                raise _LineError(f"unknown annotation id {ann_id!r}")
            if ann_id in seen:
                raise _LineError(f"id {ann_id} is already used on line {seen[ann_id]}")
            if ann_id != "*":
                seen[ann_id] = number
            kind = ann_id[0]
            if kind == "T":
                entity, mismatch, trailing = _entity(ann_id, fields, text)
                if mismatch:
                    raise CasebookError(
                        ErrorCode.ANNOTATION_MISMATCH, f"line {number}: {ann_id}: {mismatch}", path
                    )
                if trailing:
                    logger.warning(
                        "%s: line %d: %s: %s", path, number, ann_id, TRAILING_WHITESPACE_WARNING
                    )
                annotations.entities.append(entity)
            elif kind == "E":
                event = _event(ann_id, fields)
                annotations.events.append(event)
                references += [(number, ann_id, event.trigger)]
                references += [(number, ann_id, arg) for _, arg in event.arguments]
            elif kind in {"A", "M"}:
                attribute = _attribute(ann_id, fields)
                annotations.attributes.append(attribute)
                references.append((number, ann_id, attribute.target))
            elif kind == "R":
                relation = _relation(ann_id, fields)
                annotations.relations.append(relation)
                references += [(number, ann_id, relation.arg1), (number, ann_id, relation.arg2)]
            elif kind == "*":
                group = _equivalence(fields)
                annotations.equivalences.append(group)
                references += [(number, "*", member) for member in group.members]
            elif kind == "#":
                note = _note(ann_id, fields)
                annotations.notes.append(note)
                references.append((number, ann_id, note.target))
        except _LineError as exc:
            raise CasebookError(
                ErrorCode.MALFORMED_DATASET, f"line {number}: {ann_id or '?'}: {exc}", path
            ) from None
    # References may point forward (MACCROBAT lists E8 before T12), so check them at the end.
    for number, ann_id, target in references:
        if target not in seen:
            raise CasebookError(
                ErrorCode.ANNOTATION_MISMATCH,
                f"line {number}: {ann_id}: refers to {target}, which the file does not define",
                path,
            )
    return annotations


def read_brat(txt_path: Path) -> tuple[Document, BratAnnotations]:
    """Read a brat document: the ``.txt`` and its sibling ``.ann``.

    The text is kept exactly as stored (see the module docstring), so the document's offsets
    and the annotations' offsets agree. The id is the file's stem.

    Raises:
        CasebookError: ``PATH_NOT_FOUND`` when either file is missing, the text errors of
            ``decode_text``, ``UNDECODABLE_TEXT`` for an ``.ann`` that is not UTF-8, and the
            errors of ``parse_ann``.
    """
    text = decode_text(read_bytes_of(txt_path), str(txt_path), normalize=False)
    ann_path = txt_path.with_suffix(".ann")
    ann_bytes = read_bytes_of(ann_path)
    try:
        ann_text = ann_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CasebookError(
            ErrorCode.UNDECODABLE_TEXT, f"not UTF-8 at byte {exc.start}", ann_path
        ) from exc
    annotations = parse_ann(ann_text, text, str(ann_path))
    document = Document(
        id=txt_path.stem,
        text=text,
        source=Source(format=SourceFormat.BRAT, path=str(txt_path)),
    )
    return document, annotations


def brat_documents(folder: Path) -> list[Path]:
    """The ``*.txt`` files of a folder that have a sibling ``.ann``, sorted by name.

    Raises:
        CasebookError: ``CB-E001`` when the folder is missing; ``CB-E011`` when it holds no
            annotated document.
    """
    require_dir(folder)
    paths = sorted(p for p in folder.glob("*.txt") if p.with_suffix(".ann").is_file())
    if not paths:
        raise CasebookError(
            ErrorCode.MALFORMED_DATASET, "no *.txt file with a sibling .ann file", folder
        )
    return paths
