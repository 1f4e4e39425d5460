"""ICD-10 and HPO code scores on small fixtures, with prepared systems under test."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.coding import evaluate_icd10
from casebook.eval.hpo import evaluate_hpo
from casebook.model import (
    Assertion,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    Document,
    EntityType,
    Mention,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "eval"

Prediction = tuple[CodeSystem, str, float, Assertion]

ICD = CodeSystem.ICD10CM
HPO = CodeSystem.HPO
PRESENT = Assertion.PRESENT
HPO_EXCLUDED = frozenset({Assertion.NEGATED, Assertion.FAMILY, Assertion.HYPOTHETICAL})
ICD_EXCLUDED = frozenset({Assertion.NEGATED, Assertion.FAMILY})

PREDICTIONS: dict[str, list[Prediction]] = {
    "d1": [
        (ICD, "N28.89", 0.9, PRESENT),
        (ICD, "r69", 0.5, Assertion.NEGATED),  # not a case code: negated
        (ICD, "k21.9", 0.95, PRESENT),
        (ICD, "n28.89", 0.3, PRESENT),  # same code, lower score: deduplicated
        (ICD, "z80.0", 0.99, Assertion.FAMILY),  # not a case code: family
        (CodeSystem.ICD10PCS, "r69", 1.0, PRESENT),  # another system: ignored
    ],
    "d2": [(ICD, " J18.9 ", 0.8, PRESENT)],
    "d3": [(ICD, "e11.9", 1.0, PRESENT)],
    "p1": [
        (HPO, "hp:0001250", 0.9, PRESENT),
        (HPO, "HP:0000365", 0.9, Assertion.NEGATED),  # excluded
        (HPO, "HP:0001263", 0.9, Assertion.HYPOTHETICAL),  # excluded
        (HPO, "HP:0002315", 0.9, Assertion.UNCERTAIN),  # kept: a false positive
    ],
    "p2": [
        (HPO, "HP:0000365", 0.9, PRESENT),
        (HPO, "HP:0000365", 0.7, Assertion.HISTORICAL),  # same code twice: one prediction
        (HPO, "HP:0000478", 0.6, PRESENT),  # a false positive
    ],
}


def fake_analyze(document: Document) -> Case:
    """A prepared system: one mention over the first word per prediction, with its code.

    ICD-10-CM predictions are also case-level codes (what ``evaluate_icd10`` ranks), except
    negated and family ones, which the case model's contract keeps out of ``Case.codes``.
    """
    end = document.text.index(" ")
    mentions = [
        Mention(
            id=f"m{number}",
            start=0,
            end=end,
            text=document.text[:end],
            type=EntityType.DISEASE_DISORDER,
            assertion=assertion,
            codes=[Code(system=system, code=code, score=score)],
        )
        for number, (system, code, score, assertion) in enumerate(PREDICTIONS[document.id], 1)
    ]
    # Case-level HPO and ICD-10-CM codes, as the coders set them: the patient's own ones only.
    codes = [
        CaseCode(system=system, code=code, score=score)
        for system, code, score, assertion in PREDICTIONS[document.id]
        if (system is HPO and assertion not in HPO_EXCLUDED)
        or (system is ICD and assertion not in ICD_EXCLUDED)
    ]
    return Case.from_document(document).model_copy(update={"mentions": mentions, "codes": codes})


def test_evaluate_icd10_by_hand() -> None:
    report = evaluate_icd10(FIXTURES / "codiesp", fake_analyze)
    # d1 ranked: k21.9 (0.95), n28.89 (0.9); gold {r69, n28.89}: hit at rank 2 -> AP = (1/2)/2
    # d2 ranked: j18.9; gold {j18.9} -> AP = 1.   d3 has no gold: not in MAP.
    # MAP = (0.25 + 1) / 2 = 62.5
    # micro: 4 predicted (k21.9, n28.89, j18.9, e11.9), 3 gold, tp 2:
    #   p = 2/4 = 50, r = 2/3 = 66.67, f1 = 4/7 = 57.14
    assert report.model_dump(by_alias=True) == {
        "split": "all",
        "in_sample": False,
        "docs": 3,
        "map": 62.5,
        "micro": {"p": 50.0, "r": 66.67, "f1": 57.14},
        "anchor_map": None,  # another system than the shipped one: no anchor
        "ranker_map": None,
        "fused_map": None,
        "codeset_map": 62.5,  # another system: its ranking is its case codes
        "skipped": [],
    }


def test_evaluate_hpo_by_hand() -> None:
    report = evaluate_hpo(FIXTURES / "hpo", fake_analyze)
    # Present set (the case's codes):
    # p1 predicted {HP:0001250, HP:0002315}, gold {HP:0001250, HP:0001263}: tp 1, fp 1, fn 1
    # p2 predicted {HP:0000365, HP:0000478}, gold {HP:0000365}: tp 1, fp 1
    # tp 2, fp 2, fn 1 -> p 50, r 66.67, f1 4/7 = 57.14
    # Recognised set (every mention's HPO, negated and hypothetical ones too):
    # p1 {HP:0001250, HP:0000365, HP:0001263, HP:0002315}: tp 2, fp 2; p2 as above: tp 1, fp 1
    # tp 3, fp 3, fn 0 -> p 50, r 100, f1 66.67
    # anchor, exact names: p1 spells "seizures" (HP:0001250), p2 no name: tp 1, fn 2
    assert report.model_dump(by_alias=True) == {
        "dataset": "jax",
        "split": "all",
        "in_sample": False,
        "docs": 2,
        "recognised": {"p": 50.0, "r": 100.0, "f1": 66.67},
        "present": {"p": 50.0, "r": 66.67, "f1": 57.14},
        "anchor": {"p": 100.0, "r": 33.33, "f1": 50.0},
        "skipped": [],
    }


def test_evaluate_hpo_on_gscplus_by_hand(tmp_path: Path) -> None:
    text = "Patients had seizures and microcephaly."
    seizures, microcephaly = text.index("seizures"), text.index("microcephaly")
    gsc = tmp_path / "gscplus_test.tsv"
    gsc.write_text(
        f"a1\n{text}\n{seizures}\t{seizures + 8}\tseizures\tHP:0001250\n"
        f"{microcephaly}\t{microcephaly + 12}\tmicrocephaly\tHP:0000252\n",
        encoding="utf-8",
    )

    def analyze(document: Document) -> Case:
        # Seizures are the patient's; microcephaly is named but negated: a mention's code only.
        seizure = CaseCode(system=HPO, code="HP:0001250", score=1.0)
        negated = Mention(
            id="m1",
            start=microcephaly,
            end=microcephaly + 12,
            text="microcephaly",
            type=EntityType.SIGN_SYMPTOM,
            assertion=Assertion.NEGATED,
            codes=[Code(system=HPO, code="HP:0000252")],
        )
        return Case.from_document(document).model_copy(
            update={"codes": [seizure], "mentions": [negated]}
        )

    report = evaluate_hpo(gsc, analyze)
    # present: {seizure} of gold {seizure, microcephaly}; recognised: {microcephaly}.
    assert report.dataset == "gscplus" and report.docs == 1
    assert (report.present.p, report.present.r) == (100.0, 50.0)
    assert (report.recognised.p, report.recognised.r) == (100.0, 50.0)
    assert (report.anchor.p, report.anchor.r) == (100.0, 100.0)


def test_missing_folders(tmp_path: Path) -> None:
    for evaluate in (evaluate_icd10, evaluate_hpo):
        with pytest.raises(CasebookError) as caught:
            evaluate(tmp_path / "nope", fake_analyze)
        assert caught.value.code is ErrorCode.PATH_NOT_FOUND
        with pytest.raises(CasebookError) as caught:
            evaluate(tmp_path, fake_analyze)  # no text/ or jax/ inside
        assert caught.value.code is ErrorCode.PATH_NOT_FOUND


def test_missing_gold_files(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "d1.txt").write_text("Some text.\n", encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        evaluate_icd10(tmp_path, fake_analyze)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND
    assert caught.value.path == str(tmp_path / "codesD.tsv")


def test_malformed_codes(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "d1.txt").write_text("Some text.\n", encoding="utf-8")
    (tmp_path / "codesD.tsv").write_text("d1 r69\n", encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        evaluate_icd10(tmp_path, fake_analyze)
    assert caught.value.code is ErrorCode.MALFORMED_DATASET
    (tmp_path / "codesD.tsv").write_text("d9\tr69\n", encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        evaluate_icd10(tmp_path, fake_analyze)
    assert caught.value.code is ErrorCode.MALFORMED_DATASET  # gold for a document without text


def test_malformed_hpo_gold(tmp_path: Path) -> None:
    (tmp_path / "jax").mkdir()
    (tmp_path / "jax" / "p1.txt").write_text("Some text.\n", encoding="utf-8")
    (tmp_path / "jax_gold.json").write_text('["HP:0000001"]', encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        evaluate_hpo(tmp_path, fake_analyze)
    assert caught.value.code is ErrorCode.MALFORMED_DATASET
    (tmp_path / "jax_gold.json").write_text("{", encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        evaluate_hpo(tmp_path, fake_analyze)
    assert caught.value.code is ErrorCode.MALFORMED_JSON
