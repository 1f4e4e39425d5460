"""CodiEsp gold codes (Miranda-Escalada et al. 2020, CLEF eHealth): ``ID<TAB>code`` files.

A CodiEsp split folder holds ``text/ID.txt`` and ``codesD.tsv`` (ICD-10-CM diagnoses) and
``codesP.tsv`` (ICD-10-PCS procedures), one document id and one code per line.
"""

from __future__ import annotations

from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.folders import require_file


def normalize_code(code: str) -> str:
    """A code as compared: lower case, surrounding whitespace removed."""
    return code.strip().lower()


def read_codes_tsv(path: Path) -> dict[str, set[str]]:
    """A CodiEsp ``ID<TAB>code`` file as document id → normalised codes.

    Raises:
        CasebookError: ``CB-E001`` when missing, ``CB-E011`` for a line without two fields.
    """
    require_file(path)
    gold: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
                raise CasebookError(
                    ErrorCode.MALFORMED_DATASET, f"line {number}: expected 'ID<TAB>code'", path
                )
            gold.setdefault(fields[0].strip(), set()).add(normalize_code(fields[1]))
    return gold
