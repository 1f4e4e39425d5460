"""PMC-Patients reader: JSON Lines with one patient summary per line.

Each line looks like ``{"patient_uid": "…", "pmid": 123, "title": "…", "text": "…",
"age": [[45.0, "year"]], "sex": "F"}``. A corpus has thousands of lines, and one bad line must
not cost the others, so the reader yields a ``CasebookError`` for a bad line in place of the
document and goes on with the next one.

PMC-Patients texts mark their paragraph breaks with the two characters backslash and ``n``
(``"legs.\\nThe patient"``), which would glue the last word of one paragraph to the first of
the next for every tokenizer; the reader turns each into a line break.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.ingest.bioc import NESTED_TOO_DEEP
from casebook.ingest.folders import require_file
from casebook.ingest.text import drop_controls, lone_surrogate
from casebook.model import Document, Patient, Sex, Source, SourceFormat

ESCAPED_LINE_BREAK = "\\n"
"""How PMC-Patients writes a paragraph break inside a text: a backslash, then ``n``."""
_DAYS_PER_YEAR = 365.25
UNIT_YEARS: dict[str, float] = {
    "year": 1.0,
    "month": 1.0 / 12.0,
    "week": 7.0 / _DAYS_PER_YEAR,
    "day": 1.0 / _DAYS_PER_YEAR,
    "hour": 1.0 / (_DAYS_PER_YEAR * 24.0),
}
"""Years per age unit as PMC-Patients writes them."""

_SEXES = {"F": Sex.FEMALE, "M": Sex.MALE}


class _BadLine(Exception):
    """A line that breaks the format; becomes a coded error naming the line."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.MALFORMED_JSON) -> None:
        super().__init__(message)
        self.code = code


def age_in_years(age: Any) -> float | None:
    """Convert a PMC-Patients ``age`` value (``[[value, unit], …]``) to years.

    Several pairs add up (``[[1, "year"], [3, "month"]]`` is 1.25 years); an empty list is an
    unknown age.

    Raises:
        ValueError: When the value does not have that shape or uses an unknown unit.
    """
    if age is None or age == []:
        return None
    if not isinstance(age, list):
        raise ValueError("'age' must be a list of [value, unit] pairs")
    total = 0.0
    for pair in age:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ValueError(f"age entry {pair!r} is not a [value, unit] pair")
        value, unit = pair
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"age value {value!r} is not a number")
        try:
            years = float(value)
        except OverflowError:
            years = math.inf
        if not math.isfinite(years) or years < 0:
            raise ValueError(f"age value {value!r:.40} is not a finite non-negative number")
        if unit not in UNIT_YEARS:
            raise ValueError(f"unknown age unit {unit!r}")
        total += years * UNIT_YEARS[unit]
    if not math.isfinite(total):
        raise ValueError("the age is too large")
    return total


def _check_unicode(field_name: str, value: str, uid: object) -> None:
    if (at := lone_surrogate(value)) is not None:
        who = "" if field_name == "patient_uid" else f"patient {uid}: "
        raise _BadLine(
            f"{who}{field_name!r} holds a lone surrogate (an unpaired \\ud800-\\udfff "
            f"escape) at character {at}, which is not text",
            ErrorCode.UNDECODABLE_TEXT,
        )


def _document(record: Any, path: str | None, number: int) -> Document:
    if not isinstance(record, dict):
        raise _BadLine("the line is not a JSON object")
    uid = record.get("patient_uid")
    if not isinstance(uid, str | int) or isinstance(uid, bool) or not str(uid).strip():
        raise _BadLine("'patient_uid' is missing")
    if isinstance(uid, str):
        _check_unicode("patient_uid", uid, uid)
    text = record.get("text")
    if not isinstance(text, str):
        raise _BadLine(f"patient {uid}: 'text' is missing or not a string")
    _check_unicode("text", text, uid)
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        raise _BadLine(f"patient {uid}: 'title' is not a string")
    if title is not None:
        _check_unicode("title", title, uid)
    sex = record.get("sex")
    if sex not in (None, "", *_SEXES):
        raise _BadLine(f"patient {uid}: unknown sex {sex!r}")
    try:
        age = age_in_years(record.get("age"))
    except ValueError as exc:
        raise _BadLine(f"patient {uid}: {exc}") from None
    for name, value in (("patient_uid", str(uid)), ("title", title or ""), ("text", text)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # JSON can escape a lone surrogate ("\ud800"), which no text can be written with.
            raise _BadLine(f"patient {uid!r}: {name!r} holds a lone surrogate") from None
    extra: dict[str, str] = {}
    if (pmid := record.get("pmid")) is not None:
        extra["pmid"] = str(pmid)
    where = f"{path or '-'}: line {number}"
    return Document(
        id=str(uid),
        text=drop_controls(text.replace(ESCAPED_LINE_BREAK, "\n"), where),
        source=Source(format=SourceFormat.PMC_PATIENTS, path=path, extra=extra),
        title=title or None,
        patient=Patient(age_years=age, sex=_SEXES.get(sex) if isinstance(sex, str) else None),
    )


def parse_pmc_patients(
    lines: Iterable[bytes | str], path: str | None
) -> Iterator[Document | CasebookError]:
    """Documents from PMC-Patients JSON Lines, one per non-blank line.

    A bad line does not stop the stream: in its place the iterator yields (does not raise) a
    ``CasebookError`` whose message starts with ``line N:``, and goes on with the next line.
    Callers that want to stop at the first error raise it themselves.

    Args:
        lines: The lines, as bytes (UTF-8) or text.
        path: The file path for ``Source.path`` and errors, or None for standard input.

    Yields:
        A ``Document`` per good line (id = ``patient_uid``, pmid in ``Source.extra``; control
        characters dropped from the text with a warning), a ``CasebookError`` per bad one:
        ``MALFORMED_JSON`` for invalid or too deeply nested JSON, missing fields or a bad age
        (NaN, infinite, negative), ``UNDECODABLE_TEXT`` for a lone surrogate in the id, title
        or text, ``EMPTY_DOCUMENT`` for a patient without text.
    """
    where = path or "-"
    for number, raw in enumerate(lines, start=1):
        try:
            line = (
                raw.decode("utf-8-sig" if number == 1 else "utf-8")
                if isinstance(raw, bytes)
                else raw
            )
        except UnicodeDecodeError as exc:
            yield CasebookError(
                ErrorCode.MALFORMED_JSON, f"line {number}: not UTF-8 at byte {exc.start}", where
            )
            continue
        if not line.strip():
            continue
        try:
            document = _document(json.loads(line), path, number)
        except json.JSONDecodeError as exc:
            yield CasebookError(
                ErrorCode.MALFORMED_JSON, f"line {number}: invalid JSON: {exc.msg}", where
            )
            continue
        except RecursionError:  # nesting deep enough to exhaust the parser's stack
            yield CasebookError(
                ErrorCode.MALFORMED_JSON, f"line {number}: {NESTED_TOO_DEEP}", where
            )
            continue
        except _BadLine as exc:
            yield CasebookError(exc.code, f"line {number}: {exc}", where)
            continue
        except ValueError as exc:
            # A record the checks above let through that the document model still refuses.
            yield CasebookError(
                ErrorCode.MALFORMED_JSON,
                f"line {number}: not a patient record casebook can read",
                where,
                detail=library_detail(exc),
            )
            continue
        if not document.text.strip():
            yield CasebookError(
                ErrorCode.EMPTY_DOCUMENT,
                f"line {number}: patient {document.id} has no text",
                where,
            )
            continue
        yield document


def read_pmc_patients(path: Path) -> Iterator[Document | CasebookError]:
    """Stream a PMC-Patients ``.jsonl`` file, yielding errors for bad lines in place.

    See ``parse_pmc_patients`` for what is yielded. The file is opened when iteration starts;
    if it cannot be opened, iteration raises ``CasebookError`` (``PATH_NOT_FOUND``) because
    then there is no stream to continue.

    Raises:
        CasebookError: ``PATH_NOT_FOUND`` when the file cannot be opened.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.PATH_NOT_FOUND, "no such file", path) from exc
    except OSError as exc:
        raise CasebookError(
            ErrorCode.PATH_NOT_FOUND, f"cannot read: {exc.strerror or exc}", path
        ) from exc
    with handle:
        yield from parse_pmc_patients(handle, str(path))


@dataclass(frozen=True, slots=True)
class CorpusPatient:
    """One corpus patient: what retrieval needs."""

    uid: str
    pmid: str
    text: str


def read_corpus(path: Path) -> tuple[list[CorpusPatient], list[CasebookError]]:
    """The patients of a PMC-Patients ``corpus.jsonl``, read with ``read_pmc_patients``.

    Returns:
        The patients, and an error for each line left out: the reader's error for a bad line,
        ``CB-E011`` for a patient without a pmid or a ``patient_uid`` seen before (the first
        one is kept).

    Raises:
        CasebookError: ``CB-E001`` when missing.
    """
    require_file(path)
    patients: list[CorpusPatient] = []
    errors: list[CasebookError] = []
    seen: set[str] = set()
    for item in read_pmc_patients(path):
        if isinstance(item, CasebookError):
            errors.append(item)
            continue
        pmid = item.source.extra.get("pmid")
        if pmid is None:
            errors.append(CasebookError(ErrorCode.MALFORMED_DATASET, f"{item.id}: no pmid", path))
        elif item.id in seen:
            errors.append(
                CasebookError(
                    ErrorCode.MALFORMED_DATASET,
                    f"patient_uid {item.id} appears again; the first is kept",
                    path,
                )
            )
        else:
            seen.add(item.id)
            patients.append(CorpusPatient(uid=item.id, pmid=pmid, text=item.text))
    return patients, errors
