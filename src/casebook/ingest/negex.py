"""The NegEx/ConText annotation kit (Chapman et al.; Harkema et al. 2009): a TSV of sentences.

Each row gives one clinical sentence and one concept in it, with the gold negation
(Affirmed/Negated), temporality (Recent/Historical/Not particular) and experiencer
(Patient/Other).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.folders import require_file

COLUMNS: tuple[str, ...] = ("id", "concept", "sentence", "negation", "temporality", "experiencer")
"""The TSV's header columns."""


@dataclass(frozen=True, slots=True)
class Row:
    """One annotated sentence of the kit."""

    id: str
    concept: str
    sentence: str
    negation: str
    temporality: str
    experiencer: str


def iter_rows(tsv: Path) -> Iterator[Row | CasebookError]:
    """The kit's rows, checked for shape, an error in place of each bad row.

    Raises:
        CasebookError: ``CB-E001`` when missing, ``CB-E011`` for a missing column or bytes
            that are not UTF-8: then no row can be read.

    Yields:
        A ``Row``, or a ``CB-E011`` error naming the line of a row with too few or too many
        fields or an empty id.
    """
    require_file(tsv)
    with tsv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        try:
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise CasebookError(
                    ErrorCode.MALFORMED_DATASET, f"missing column(s): {', '.join(missing)}", tsv
                )
            for record in reader:
                line = reader.line_num
                if None in record or any(record[c] is None for c in COLUMNS):
                    yield CasebookError(
                        ErrorCode.MALFORMED_DATASET,
                        f"line {line}: expected {len(reader.fieldnames or [])} tab-separated "
                        "fields",
                        tsv,
                    )
                elif not record["id"].strip():
                    yield CasebookError(ErrorCode.MALFORMED_DATASET, f"line {line}: empty id", tsv)
                else:
                    yield Row(**{c: record[c] for c in COLUMNS})
        except UnicodeDecodeError as exc:
            raise CasebookError(
                ErrorCode.MALFORMED_DATASET, f"not UTF-8 after line {reader.line_num}", tsv
            ) from exc


def read_rows(tsv: Path) -> Iterator[Row]:
    """The kit's rows, checked for shape.

    Raises:
        CasebookError: As ``iter_rows``, and the first error it yields.
    """
    for row in iter_rows(tsv):
        if isinstance(row, CasebookError):
            raise row
        yield row
