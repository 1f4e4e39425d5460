"""The example case report, analysed once for every golden test, and its expected facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casebook import service
from casebook.ingest.detect import read_path
from casebook.model import Case, EntityType, Mention

FINDINGS = {EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER}
"""The expected facts treat Sign_symptom and Disease_disorder alike: both are findings."""


def same_type(mention: Mention, wanted: str) -> bool:
    """Whether a mention has a fact's type, findings counting as one type."""
    kind = EntityType(wanted)
    return mention.type == kind or (kind in FINDINGS and mention.type in FINDINGS)


@pytest.fixture(scope="session")
def expected(example_case_path: Path) -> dict[str, Any]:
    path = example_case_path.with_name(example_case_path.stem + ".expected.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def case(example_case_path: Path) -> Case:
    (document,) = read_path(example_case_path)
    return service.analyze_document(document)
