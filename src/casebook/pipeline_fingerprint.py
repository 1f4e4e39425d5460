"""The pipeline fingerprint: which models, rules and casebook made a case.

A case analysed by casebook records the fingerprint of what made it (``Case.pipeline``), so
that a store, an ``extract`` folder or a set of cases analysed elsewhere can be told from what
this casebook would make of the same text. The fingerprint hashes casebook's version and the
bytes of every packaged file the analysis reads: the trained models (``models/ner``,
``models/icd10``, ``models/hpo``) and the rule and vocabulary files (``*.json``,
``*.json.gz``). A retrained model or an edited rule file changes it even when the version does
not.

Files the analysis never reads are left out, so that editing them does not make every stored
case stale: the model cards and training manifests, and the rules of the layers above the
analysis (search, FHIR export, the CARE check, training settings). The search index keeps a key
of its own for the search rules. A test checks that the analysis opens none of them; any other
file, one added later included, is part of the fingerprint.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from casebook import __version__
from casebook.resources import resource_path

FINGERPRINT_CHARS = 16
"""Hex digits of SHA-256 kept: 64 bits, ample to tell apart the pipelines one corpus meets."""

NOT_READ_BY_ANALYSIS: frozenset[str] = frozenset(
    {
        "care.json",
        "fhir.json",
        "ner_settings.json",
        "outcomes.json",
        "search.json",
        "treatment_synonyms.json",
        "treatments.json",
        "models/hpo/manifest.json",
        "models/icd10/manifest.json",
        "models/ner/manifest.json",
    }
)
"""Packaged files (relative to the resources folder) that the analysis never opens."""

_NOT_READ_SUFFIXES = (".py", ".pyc", ".md")
"""Code (its changes come with the version) and documentation (model cards)."""


def fingerprinted_files(root: Path) -> list[str]:
    """The files under a resources folder that the fingerprint hashes, as sorted POSIX paths
    relative to it."""
    found: list[str] = []
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if (
            relative in NOT_READ_BY_ANALYSIS
            or path.name.endswith(_NOT_READ_SUFFIXES)
            or "__pycache__" in path.parts
            or not path.is_file()
        ):
            continue
        found.append(relative)
    return sorted(found)


def fingerprint_of(root: Path, version: str) -> str:
    """The fingerprint of the resources under ``root`` and a casebook version.

    Each file goes in as its path and the SHA-256 of its bytes, so that renaming a file or
    moving bytes from one file to another changes the fingerprint too.
    """
    digest = hashlib.sha256()
    digest.update(f"casebook {version}\0".encode())
    for relative in fingerprinted_files(root):
        with (root / relative).open("rb") as handle:
            content = hashlib.file_digest(handle, "sha256").digest()
        digest.update(f"{relative}\0".encode() + content)
    return digest.hexdigest()[:FINGERPRINT_CHARS]


@cache
def pipeline_fingerprint() -> str:
    """The fingerprint of this casebook's analysis pipeline, computed once per process."""
    return fingerprint_of(resource_path(""), __version__)
