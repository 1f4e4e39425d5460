"""ICD-10-PCS scores on CodiEsp-P, by hand on a tiny folder, whole codes and first four."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.procedures import evaluate_icd10pcs, first_four
from casebook.model import Case, CaseCode, CodeSystem, Document

PREDICTIONS: dict[str, list[tuple[str, float]]] = {
    "d1": [("3E0R3GC", 0.9), ("BW28", 0.8)],
    "d2": [("07D", 1.0)],  # three characters: never a four-character match
    "d3": [("B030", 0.5)],  # no gold: only false positives
}


def fake_analyze(document: Document) -> Case:
    """A prepared system: the predictions above as case codes, plus one of another system."""
    codes = [
        CaseCode(system=CodeSystem.ICD10PCS, code=code, score=score)
        for code, score in PREDICTIONS[document.id]
    ]
    codes.append(CaseCode(system=CodeSystem.ICD10CM, code="G97.0", score=1.0))
    return Case.from_document(document).model_copy(update={"codes": codes})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "text").mkdir()
    for name in PREDICTIONS:
        (tmp_path / "text" / f"{name}.txt").write_text("A procedure.\n", encoding="utf-8")
    (tmp_path / "codesP.tsv").write_text(
        "d1\t3e0r3gc\nd1\tbw28zzz\nd2\t07dr3zx\n", encoding="utf-8"
    )
    return tmp_path


def test_evaluate_icd10pcs_by_hand(folder: Path) -> None:
    report = evaluate_icd10pcs(folder, fake_analyze)
    # exact: d1 ranked 3e0r3gc (hit), bw28 (miss); gold {3e0r3gc, bw28zzz}: AP = (1/1)/2
    #   d2: 07d misses 07dr3zx: AP 0.  MAP = 0.25.  tp 1, fp 3 (bw28, 07d, b030), fn 2
    # four: d1 3e0r, bw28 both hit: AP 1; d2: 07d is dropped, gold 07dr missed: AP 0
    #   MAP = 0.5.  tp 2, fp 1 (b030), fn 1
    # shown (every code here): a shown code is right when a gold code begins with it:
    #   3e0r3gc, bw28 and 07d are, b030 is not: p 3/4; every gold code begun by one: r 3/3
    assert report.model_dump(by_alias=True) == {
        "split": "all",
        "in_sample": False,
        "docs": 3,
        "exact": {"map": 25.0, "micro": {"p": 25.0, "r": 33.33, "f1": 28.57}},
        "four": {"map": 50.0, "micro": {"p": 66.67, "r": 66.67, "f1": 66.67}},
        "shown": {"p": 75.0, "r": 100.0, "f1": 85.71},
        "skipped": [],
    }


def test_first_four() -> None:
    assert first_four(" BW28ZZZ ") == "bw28"
    assert first_four("07D") == ""


def test_missing_gold_file(folder: Path) -> None:
    (folder / "codesP.tsv").unlink()
    with pytest.raises(CasebookError) as caught:
        evaluate_icd10pcs(folder, fake_analyze)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND
