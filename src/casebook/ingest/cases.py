"""Analysed cases read back: Case JSON files, JSON Lines of them (gzipped too), and folders.

``casebook load`` stores cases analysed elsewhere (``casebook extract`` on another machine, a
cluster) without analysing them again. This module only reads and validates: every record is
checked against the case model, one at a time, so that memory does not grow with the number of
cases, and a bad record is yielded as a coded error naming its file and line, never stopping
the rest.

What reads which file is ``CASE_READERS``, by file-name ending; a caller adds readers for
containers this layer cannot open (the case Parquet of ``casebook spark extract``, read by
``casebook.export.parquet``) through ``iter_cases``'s ``readers``.
"""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from io import BufferedIOBase
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.detect import STDIN, expand_inputs
from casebook.model import Case

FHIR_SUFFIX = ".fhir.json"
"""What ``casebook extract --format fhir`` writes: FHIR Bundles, which are not read back."""


@dataclass(frozen=True, slots=True)
class RawCase:
    """A case record as a file holds it, not yet validated: what a reader yields, small to
    send to the worker process that validates it.

    Attributes:
        record: The Case JSON.
        where: The file, and the line for JSON Lines or the row for Parquet.
        row_id: The id the container states beside the case, which must be the case's; None
            when it states none.
        digest: The content hash the container stored beside the case; None when none.
        index_key: What built ``index_entry``; None when the container holds no entry.
        index_entry: The case's search-index entry as the container stored it.
        dumped: Whether ``record`` is the case as ``Case.model_dump_json`` writes it (the case
            Parquet's ``case_json``), which the store may then keep as it is.
    """

    record: bytes | str
    where: str
    row_id: str | None = None
    digest: str | None = None
    index_key: str | None = None
    index_entry: str | None = None
    dumped: bool = False


@dataclass(frozen=True, slots=True)
class CaseRead:
    """A valid case and where it was read.

    Attributes:
        case: The case.
        where: The file, and the line for JSON Lines (``cases.jsonl:12``; ``-:3`` for
            standard input) or the row for Parquet.
        digest: The content hash the container stored beside the case (the case Parquet's
            ``fingerprint``), to check against the case's own; None when it holds none.
        index_key: What built ``index_entry``; None when the container holds no entry.
        index_entry: The case's search-index entry as the container stored it.
        case_json: The record the case was validated from, when it is the case as
            ``Case.model_dump_json`` writes it (``RawCase.dumped``); None otherwise.
    """

    case: Case
    where: str
    digest: str | None = None
    index_key: str | None = None
    index_entry: str | None = None
    case_json: str | None = None


def _first_problem(error: ValidationError) -> tuple[ErrorCode, str]:
    """The code and one line for what is wrong with a record."""
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return ErrorCode.MALFORMED_JSON, f"not JSON: {first['msg']}"
    place = ".".join(str(part) for part in first["loc"])
    at = f" at {place}" if place else ""
    return ErrorCode.INVALID_CASE, f"not a valid case{at}: {first['msg']}"


def _case_id(record: bytes | str) -> str | None:
    """The id a broken record gives, if it is JSON with a string ``id``."""
    try:
        data = json.loads(record)
    except ValueError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def parse_case(record: bytes | str, where: str) -> CaseRead | CasebookError:
    """One Case JSON record validated, or the coded error saying what is wrong and where."""
    try:
        return CaseRead(Case.model_validate_json(record), where)
    except ValidationError as exc:
        code, message = _first_problem(exc)
        if code is ErrorCode.INVALID_CASE and (case_id := _case_id(record)) is not None:
            message = f"case {case_id!r} is {message}"
        return CasebookError(code, message, where)


def parse_raw(raw: RawCase) -> CaseRead | CasebookError:
    """A raw record validated, with what its container stored beside it, or the coded error
    saying what is wrong and where."""
    read = parse_case(raw.record, raw.where)
    if isinstance(read, CasebookError):
        return read
    if raw.row_id is not None and read.case.id != raw.row_id:
        return CasebookError(
            ErrorCode.INVALID_CASE,
            f"the row's id {raw.row_id!r} is not that of its case, {read.case.id!r}",
            raw.where,
        )
    dumped = raw.record if raw.dumped and isinstance(raw.record, str) else None
    return CaseRead(read.case, raw.where, raw.digest, raw.index_key, raw.index_entry, dumped)


def _lines(name: str, lines: Iterable[bytes]) -> Iterator[RawCase | CasebookError]:
    """Each non-blank line a case; a stream that breaks off is one error after the rest."""
    number = 0
    try:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield RawCase(line, f"{name}:{number}")
    except (OSError, EOFError, zlib.error) as exc:
        # A gzip member cut short or corrupt: the lines before it were read; none after can be.
        yield CasebookError(
            ErrorCode.UNDECODABLE_TEXT,
            f"cannot read past line {number}: {exc}",
            name,
        )


def read_case_lines(path: Path) -> Iterator[RawCase | CasebookError]:
    """The cases of a JSON Lines file, one per line, gunzipped when its name ends in ``.gz``."""
    with _opened(path) as handle:
        yield from _lines(str(path), handle)


def read_case_file(path: Path) -> Iterator[RawCase | CasebookError]:
    """The one case of a Case JSON file (``extract`` writes one per document)."""
    with _opened(path) as handle:
        try:
            data = handle.read()
        except (OSError, EOFError, zlib.error) as exc:
            yield CasebookError(ErrorCode.UNDECODABLE_TEXT, f"cannot read: {exc}", path)
            return
    yield RawCase(data, str(path))


def _opened(path: Path) -> BufferedIOBase:
    """The file's bytes, gunzipped on the fly for a ``.gz`` name.

    Raises:
        CasebookError: ``CB-E001`` when the file cannot be opened.
    """
    try:
        if path.name.lower().endswith(".gz"):
            return gzip.GzipFile(path, "rb")
        return path.open("rb")
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.PATH_NOT_FOUND, "no such file", path) from exc
    except OSError as exc:
        raise CasebookError(
            ErrorCode.PATH_NOT_FOUND, f"cannot read: {exc.strerror or exc}", path
        ) from exc


CaseReader = Callable[[Path], Iterator[RawCase | CasebookError]]
"""Reads the case records of one file, yielding an error in place of each it cannot read."""

CASE_READERS: dict[str, CaseReader] = {
    ".jsonl": read_case_lines,
    ".ndjson": read_case_lines,
    ".jsonl.gz": read_case_lines,
    ".ndjson.gz": read_case_lines,
    ".json": read_case_file,
    ".json.gz": read_case_file,
}
"""The reader of each kind of case file, by the end of its name (lower case)."""


def _reader(path: Path, readers: Mapping[str, CaseReader]) -> CaseReader | None:
    name = path.name.lower()
    if name.endswith(FHIR_SUFFIX):
        return None
    for suffix, reader in readers.items():
        if name.endswith(suffix):
            return reader
    return None


def iter_cases(
    inputs: Sequence[str],
    stdin: BinaryIO | None = None,
    readers: Mapping[str, CaseReader] = CASE_READERS,
) -> Iterator[CaseRead | CasebookError]:
    """Every case of every input, in order, each validated, and an error for each failure
    (``iter_raw_cases``'s records, each through ``parse_raw``)."""
    for raw in iter_raw_cases(inputs, stdin, readers):
        yield raw if isinstance(raw, CasebookError) else parse_raw(raw)


def iter_raw_cases(
    inputs: Sequence[str],
    stdin: BinaryIO | None = None,
    readers: Mapping[str, CaseReader] = CASE_READERS,
) -> Iterator[RawCase | CasebookError]:
    """Every case record of every input, in order, not yet validated, and an error for each
    input or record that cannot be read.

    Args:
        inputs: Case files (see ``readers``), folders of them (walked as ``expand_inputs``
            walks them, FHIR Bundles left out), glob patterns, or ``-`` for Case JSON Lines on
            standard input.
        stdin: Where ``-`` reads from; defaults to the process's standard input.
        readers: The reader of each kind of case file, by the end of its name (lower case).
    """
    seen: set[Path] = set()
    for raw in inputs:
        found = expand_inputs([raw], keep=lambda path: _reader(path, readers) is not None)
        if not found:
            yield CasebookError(ErrorCode.PATH_NOT_FOUND, "no case file in this folder", raw)
        for item in found:
            if isinstance(item, Path):
                if item.resolve() in seen:
                    continue
                seen.add(item.resolve())
            yield from _read_item(item, stdin, readers)


def _read_item(
    item: str | Path, stdin: BinaryIO | None, readers: Mapping[str, CaseReader]
) -> Iterator[RawCase | CasebookError]:
    """The cases of one expanded input, or its error."""
    if item == STDIN:
        yield from _lines(STDIN, stdin if stdin is not None else sys.stdin.buffer)
    elif isinstance(item, str):
        yield CasebookError(
            ErrorCode.PATH_NOT_FOUND, "no such file or folder, and no file matches it", item
        )
    elif (reader := _reader(item, readers)) is None:
        yield CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            "not a file of analysed cases: load reads Case JSON (.json, one case, as "
            "`casebook extract` writes) and Case JSON Lines (.jsonl, .ndjson), each "
            "optionally gzipped (.gz), and the case Parquet of `casebook spark extract`",
            item,
        )
    else:
        try:
            yield from reader(item)
        except CasebookError as error:
            yield error
