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


def read_rows(tsv: Path) -> Iterator[Row]:
    """The kit's rows, checked for shape.

    Raises:
        CasebookError: ``CB-E001`` when missing, ``CB-E011`` for a missing column, a row with
            too few or too many fields, or an empty id.
    """
    require_file(tsv)
    with tsv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CasebookError(
                ErrorCode.MALFORMED_DATASET, f"missing column(s): {', '.join(missing)}", tsv
            )
        for record in reader:
            line = reader.line_num
            if None in record or any(record[c] is None for c in COLUMNS):
                raise CasebookError(
                    ErrorCode.MALFORMED_DATASET,
                    f"line {line}: expected {len(reader.fieldnames or [])} tab-separated fields",
                    tsv,
                )
            if not record["id"].strip():
                raise CasebookError(ErrorCode.MALFORMED_DATASET, f"line {line}: empty id", tsv)
            yield Row(**{c: record[c] for c in COLUMNS})
