"""TREC relevance judgments (qrels): ``query 0 document grade`` per line."""

from __future__ import annotations

from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.folders import require_file


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels ``query 0 doc grade`` as query → doc → grade, queries in file order.

    Raises:
        CasebookError: ``CB-E001`` when missing, ``CB-E011`` for a line that is not four
            whitespace-separated fields with an integer grade.
    """
    require_file(path)
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 4:
                raise CasebookError(
                    ErrorCode.MALFORMED_DATASET, f"line {number}: expected 4 fields", path
                )
            query, _, doc, grade = fields
            try:
                qrels.setdefault(query, {})[doc] = int(grade)
            except ValueError as error:
                raise CasebookError(
                    ErrorCode.MALFORMED_DATASET, f"line {number}: grade {grade!r}", path
                ) from error
    return qrels
