"""Golden outputs of the rule-based layers on case texts written for the tests.

Sections, sentences, patient and abbreviations are compared with JSON files beside the texts.
After an intended change, regenerate them with ``CASEBOOK_UPDATE_GOLDEN=1 pytest tests/golden``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from casebook.components import pipeline_from_names
from casebook.ingest.detect import read_path
from casebook.nlp.pipeline import PROVIDED_BY_READER

CASES = Path(__file__).with_name("cases")
TEXTS = sorted(CASES.glob("*.txt"))


def _structure(path: Path) -> dict[str, Any]:
    (document,) = read_path(path)
    pipeline = pipeline_from_names(
        ("sections", "sentences", "patient", "abbreviations"),
        provided=PROVIDED_BY_READER | {"mentions"},
    )
    case = pipeline(document)
    return {
        "patient": case.patient.model_dump(mode="json"),
        "sections": [[s.kind, s.title, case.text[s.start : s.end][:40]] for s in case.sections],
        "sentences": [case.text[s.start : s.end] for s in case.sentences],
        "abbreviations": [[a.short_text, a.long_text] for a in case.abbreviations],
        "demographic_mentions": [[m.type.value, m.text] for m in case.mentions],
    }


@pytest.mark.parametrize("path", TEXTS, ids=[p.stem for p in TEXTS])
def test_structure_matches_the_golden_file(path: Path) -> None:
    golden = path.with_suffix(".golden.json")
    actual = _structure(path)
    if os.environ.get("CASEBOOK_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert actual == json.loads(golden.read_text(encoding="utf-8"))
