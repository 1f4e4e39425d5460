"""The pipeline fingerprint: which models, rules and casebook made a case.

A case analysed by casebook records the fingerprint of what made it (``Case.pipeline``), so
that a store, an ``extract`` folder or a set of cases analysed elsewhere can be told from what
this casebook would make of the same text. The fingerprint hashes casebook's version and the
bytes of every packaged file the analysis reads: the trained models (the chosen mention
model's folder, ``models/ner`` or ``models/ner-permissive``, ``models/icd10`` and
``models/hpo``) and the rule and vocabulary files (``*.json``, ``*.json.gz``). A retrained
model or an edited rule file changes it even when the version does not, and so does choosing
the other mention model (``CASEBOOK_MENTION_MODEL``): the cases the other model made are stale.

Files the analysis never reads are left out, so that editing them does not make every stored
case stale: the model cards and training manifests, the mention model not chosen, and the
rules of the layers above the analysis (search, FHIR export, the CARE check, training
settings). The search index keeps a key of its own for the search rules. A test checks that
the analysis opens none of them; any other file, one added later included, is part of the
fingerprint.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from casebook import __version__
from casebook.config import DEFAULT_MENTION_MODEL, MENTION_MODELS, mention_model
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
        "search_fusion.json",
        "treatment_synonyms.json",
        "treatments.json",
        "models/hpo/manifest.json",
        "models/icd10/manifest.json",
        *(f"{folder}/manifest.json" for folder in MENTION_MODELS.values()),
    }
)
"""Packaged files (relative to the resources folder) that the analysis never opens."""

_NOT_READ_SUFFIXES = (".py", ".pyc", ".md")
"""Code (its changes come with the version) and documentation (model cards)."""


def fingerprinted_files(root: Path, mention_model: str = DEFAULT_MENTION_MODEL) -> list[str]:
    """The files under a resources folder that the fingerprint hashes when ``mention_model``
    (a name of ``MENTION_MODELS``) is chosen, as sorted POSIX paths relative to it."""
    not_chosen = tuple(
        f"{folder}/" for name, folder in MENTION_MODELS.items() if name != mention_model
    )
    found: list[str] = []
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if (
            relative in NOT_READ_BY_ANALYSIS
            or relative.startswith(not_chosen)
            or path.name.endswith(_NOT_READ_SUFFIXES)
            or "__pycache__" in path.parts
            or not path.is_file()
        ):
            continue
        found.append(relative)
    return sorted(found)


def fingerprint_of(root: Path, version: str, mention_model: str = DEFAULT_MENTION_MODEL) -> str:
    """The fingerprint of the resources under ``root``, a casebook version and the chosen
    mention model (a name of ``MENTION_MODELS``).

    Each file goes in as its path and the SHA-256 of its bytes, so that renaming a file or
    moving bytes from one file to another changes the fingerprint too.
    """
    digest = hashlib.sha256()
    digest.update(f"casebook {version}\0".encode())
    for relative in fingerprinted_files(root, mention_model):
        with (root / relative).open("rb") as handle:
            content = hashlib.file_digest(handle, "sha256").digest()
        digest.update(f"{relative}\0".encode() + content)
    return digest.hexdigest()[:FINGERPRINT_CHARS]


def pipeline_fingerprint() -> str:
    """The fingerprint of this casebook's analysis pipeline with the chosen mention model
    (``CASEBOOK_MENTION_MODEL``), computed once per process and model.

    Raises:
        CasebookError: ``CB-E026`` when ``CASEBOOK_MENTION_MODEL`` names no shipped model.
    """
    return _fingerprint_with(mention_model())


@cache
def _fingerprint_with(mention_model: str) -> str:
    return fingerprint_of(resource_path(""), __version__, mention_model)
