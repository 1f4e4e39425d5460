"""Entity scores on a two-document brat fixture, with a prepared system under test."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.metrics import PRF
from casebook.eval.ner import Labeled, evaluate_ner, match_lenient, match_strict
from casebook.model import Assertion, Case, Document, EntityType, Mention, Span

BRAT = Path(__file__).parents[2] / "fixtures" / "eval" / "brat"

# What the fake system "finds": (type, first words, last words or None, assertion).
PREDICTIONS: dict[str, list[tuple[EntityType, str, str | None, Assertion]]] = {
    "case1": [
        (EntityType.AGE, "54-year-old", None, Assertion.PRESENT),
        (EntityType.SEX, "woman", None, Assertion.PRESENT),
        (EntityType.SIGN_SYMPTOM, "chest pain", None, Assertion.NEGATED),
        (EntityType.SIGN_SYMPTOM, "mild dyspnea", None, Assertion.PRESENT),
        (EntityType.SEVERITY, "mild", None, Assertion.PRESENT),
        (EntityType.SIGN_SYMPTOM, "pain", None, Assertion.PRESENT),
    ],
    "case2": [
        (EntityType.DISEASE_DISORDER, "pneumonia", None, Assertion.UNCERTAIN),
        (EntityType.THERAPEUTIC_PROCEDURE, "treated", None, Assertion.PRESENT),
        (EntityType.BIOLOGICAL_STRUCTURE, "left", "lower lobes", Assertion.PRESENT),
        (EntityType.MEDICATION, "amoxicillin", None, Assertion.NEGATED),
    ],
}


def fake_analyze(document: Document) -> Case:
    """A prepared system under test: the mentions above, located in the document's text."""
    mentions = []
    for number, (kind, first, last, assertion) in enumerate(PREDICTIONS[document.id], 1):
        start = document.text.index(first)
        end = document.text.index(last) + len(last) if last else start + len(first)
        fragments = (
            [Span(start=start, end=start + len(first)), Span(start=end - len(last), end=end)]
            if last
            else []
        )
        mentions.append(
            Mention(
                id=f"m{number}",
                start=start,
                end=end,
                text=document.text[start:end],
                type=kind,
                assertion=assertion,
                fragments=fragments,
            )
        )
    case = Case.from_document(document)
    case.mentions = mentions
    return Case.model_validate(case.model_dump())


def test_evaluate_ner_by_hand() -> None:
    report = evaluate_ner(BRAT, fake_analyze).model_dump(by_alias=True)
    assert report.pop("docs_per_s") > 0
    # Gold: case1 Age, Sex, Sign_symptom "chest pain" (NEG via its event), Severity "mild",
    # Sign_symptom "dyspnea" (MAYBE_NEG); case2 Disease_disorder "pneumonia" (UNCERTAIN),
    # Biological_structure "left … lower lobes" (discontinuous: first start to last end),
    # Medication, Outcome (not core). 9 gold, 8 core; 10 predictions, all core.
    # Strict TP: Age, Sex, chest pain, Severity, pneumonia, left…lobes, amoxicillin = 7.
    #   all:  p = 7/10, r = 7/9 = 77.78, f1 = 14/19 = 73.68
    #   core: p = 7/10, r = 7/8 = 87.5,  f1 = 14/18 = 77.78
    # Lenient adds "mild dyspnea"~"dyspnea"; "pain" loses "chest pain" to the exact prediction
    # (overlap 4 < 10), so TP = 8.
    #   all:  p = 8/10, r = 8/9 = 88.89, f1 = 16/19 = 84.21
    #   core: p = 8/10, r = 8/8,          f1 = 16/18 = 88.89
    # Per type (strict): Sign_symptom 1 of 3 predicted, 1 of 2 gold: p 33.33, r 50, f1 2/5.
    # Assertion over the 8 lenient pairs: negated predicted for chest pain (gold NEG) and
    # amoxicillin (gold none): tp 1, fp 1 -> 50 / 100 / 66.67; uncertain predicted for
    # pneumonia (gold UNCERTAIN), missed on dyspnea (gold MAYBE_NEG): tp 1, fn 1 -> 100/50/66.67.
    perfect = {"p": 100.0, "r": 100.0, "f1": 100.0}
    zero = {"p": 0.0, "r": 0.0, "f1": 0.0}
    assert report == {
        "split": "all",
        "in_sample": False,
        "docs": 2,
        "core": {
            "strict": {"p": 70.0, "r": 87.5, "f1": 77.78},
            "lenient": {"p": 80.0, "r": 100.0, "f1": 88.89},
        },
        "all": {
            "strict": {"p": 70.0, "r": 77.78, "f1": 73.68},
            "lenient": {"p": 80.0, "r": 88.89, "f1": 84.21},
        },
        "per_type": {
            "Age": perfect,
            "Biological_structure": perfect,
            "Disease_disorder": perfect,
            "Medication": perfect,
            "Outcome": zero,
            "Severity": perfect,
            "Sex": perfect,
            "Sign_symptom": {"p": 33.33, "r": 50.0, "f1": 40.0},
            "Therapeutic_procedure": zero,
        },
        "assertion": {
            "negated": {"p": 50.0, "r": 100.0, "f1": 66.67},
            "uncertain": {"p": 100.0, "r": 50.0, "f1": 66.67},
        },
        "skipped": [],
    }


def test_lenient_matching_is_one_to_one_and_prefers_larger_overlap() -> None:
    gold = [Labeled("X", 0, 10), Labeled("X", 12, 20)]
    predicted = [Labeled("X", 5, 15), Labeled("X", 0, 8), Labeled("Y", 0, 10)]
    # (5,15) overlaps gold 0 by 5 and gold 1 by 3; (0,8) overlaps gold 0 by 8: the larger
    # overlap wins gold 0, then (5,15) takes gold 1; type Y matches nothing.
    assert sorted(match_lenient(gold, predicted)) == [(0, 1), (1, 0)]


def test_strict_matching_counts_duplicates_once_each() -> None:
    gold = [Labeled("X", 0, 4)]
    predicted = [Labeled("X", 0, 4), Labeled("X", 0, 4)]
    assert match_strict(gold, predicted) == [(0, 0)]
    assert match_lenient(gold, [Labeled("X", 4, 6)]) == []  # touching is not overlapping


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        evaluate_ner(tmp_path / "nope", fake_analyze)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND


def test_folder_without_annotations(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Text only.\n", encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        evaluate_ner(tmp_path, fake_analyze)
    assert caught.value.code is ErrorCode.MALFORMED_DATASET


def _fixture_copy(folder: Path) -> Path:
    for path in BRAT.glob("case*"):
        shutil.copy(path, folder)
    return folder


def test_a_malformed_gold_file_is_skipped_and_the_others_scored(tmp_path: Path) -> None:
    folder = _fixture_copy(tmp_path)
    (folder / "case3.txt").write_text("A woman.\n", encoding="utf-8")
    (folder / "case3.ann").write_text("T1\tSex 2 oops\twoman\n", encoding="utf-8")
    report = evaluate_ner(folder, fake_analyze)
    assert report.docs == 2
    assert report.all_types == evaluate_ner(BRAT, fake_analyze).all_types
    assert [(s.id, s.code) for s in report.skipped] == [("case3", "CB-E011")]
    assert "case3.ann: line 1" in report.skipped[0].message


def test_trailing_whitespace_in_stored_text_is_read_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The shape of a published MACCROBAT quirk: the stored text ends in a tab and a space
    # that the offsets do not cover.
    folder = _fixture_copy(tmp_path)
    ann = folder / "case1.ann"
    quirk = "T4\tSeverity 51 55\tmild\t \n"
    ann.write_text(ann.read_text(encoding="utf-8").replace("T4\tSeverity 51 55\tmild\n", quirk))
    assert quirk in ann.read_text(encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="casebook.ingest"):
        report = evaluate_ner(folder, fake_analyze)
    assert report.docs == 2 and report.skipped == []
    assert report.all_types == evaluate_ner(BRAT, fake_analyze).all_types
    assert any(
        "case1.ann: line 5: T4: the stored text differs" in r.getMessage() for r in caplog.records
    )


def test_a_case_with_other_text_is_skipped() -> None:
    def wrong(document: Document) -> Case:
        return Case(id=document.id, text=document.text + "!", source=document.source)

    report = evaluate_ner(BRAT, wrong)
    assert report.docs == 0
    assert [(s.id, s.code) for s in report.skipped] == [
        ("case1", "CB-E013"),
        ("case2", "CB-E013"),
    ]


def test_report_fields_are_prf() -> None:
    report = evaluate_ner(BRAT, fake_analyze)
    assert isinstance(report.core.strict, PRF)
    assert report.all_types.lenient.p == 80.0


def test_a_widened_mention_is_scored_by_the_words_the_model_marked() -> None:
    def widened(document: Document) -> Case:
        case = fake_analyze(document)
        for mention in case.mentions:
            if mention.text == "mild dyspnea":
                start = mention.start + len("mild ")
                mention.core = Span(start=start, end=mention.end)
        return case

    report = evaluate_ner(BRAT, widened).model_dump(by_alias=True)
    # "mild dyspnea" counts as the gold "dyspnea": strict TP 7 -> 8 of 10 predictions.
    assert report["all"]["strict"] == {"p": 80.0, "r": 88.89, "f1": 84.21}
    assert report["per_type"]["Sign_symptom"] == {"p": 66.67, "r": 100.0, "f1": 80.0}
