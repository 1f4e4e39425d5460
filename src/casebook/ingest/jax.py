"""The JAX case reports' gold HPO terms (PhenoTagger corpora, Luo et al. 2021, Bioinformatics).

The folder holds ``jax/ID.txt`` and ``jax_gold.json``, ``{doc id: {HP id: name}}``.
"""

from __future__ import annotations

import json
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.folders import require_file


def normalize_hpo(code: str) -> str:
    """An HPO id as compared: upper case, surrounding whitespace removed."""
    return code.strip().upper()


def read_jax_gold(path: Path) -> dict[str, set[str]]:
    """``jax_gold.json`` (``{doc id: {HP id: name}}``) as document id → HPO ids.

    Raises:
        CasebookError: ``CB-E001`` when missing, ``CB-E008`` for invalid JSON, ``CB-E011`` for
            JSON of another shape.
    """
    require_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise CasebookError(ErrorCode.MALFORMED_JSON, error.msg, path) from error
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise CasebookError(ErrorCode.MALFORMED_DATASET, "expected {doc id: {HP id: name}}", path)
    return {str(doc): {normalize_hpo(str(code)) for code in terms} for doc, terms in data.items()}
