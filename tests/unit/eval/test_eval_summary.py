"""Summary-item fit on the two-document brat fixture, with summaries prepared by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.splits import Split
from casebook.eval.summary import FITTING, evaluate_summary
from casebook.model import Case, ClinicalSummary, Document, EntityType, Mention, SummaryItem

BRAT = Path(__file__).parents[2] / "fixtures" / "eval" / "brat"

# Each document's summary: heading -> items, each item its mentions' (words, occurrence).
# case1 gold: Age "54-year-old", Sex "woman", Sign_symptom "chest pain" and "dyspnea",
# Severity "mild". case2 gold: Disease_disorder "pneumonia", Biological_structure "left …
# lower lobes", Medication "amoxicillin", Outcome "recovered".
SUMMARIES: dict[str, dict[str, list[list[str]]]] = {
    "case1": {
        "patient": [["54-year-old", "woman"]],
        "presenting_problem": [["mild dyspnea"]],  # on the Sign_symptom: fits
        "diagnoses": [["woman"]],  # on the Sex entity: does not fit
        "investigations": [["chest pain"]],  # a Sign_symptom is no test: does not fit
    },
    "case2": {
        # Fits by its first mention; its second lies on the body part only.
        "diagnoses": [["pneumonia", "lobes"]],
        "procedures": [["treated"]],  # on no gold entity
        "treatments": [["amoxicillin"]],
        "outcomes": [["recovered"]],
    },
}


def fake_analyze(document: Document) -> Case:
    """A case whose summary is ``SUMMARIES[document.id]``, each phrase one mention."""
    mentions: dict[str, Mention] = {}
    summary: dict[str, list[SummaryItem]] = {}
    for heading, items in SUMMARIES[document.id].items():
        for phrases in items:
            for phrase in phrases:
                if phrase not in mentions:
                    start = document.text.index(phrase)
                    mentions[phrase] = Mention(
                        id=f"m{len(mentions) + 1}",
                        start=start,
                        end=start + len(phrase),
                        text=phrase,
                        type=EntityType.SIGN_SYMPTOM,
                    )
            item = SummaryItem(text=phrases[0], mentions=[mentions[p].id for p in phrases])
            summary.setdefault(heading, []).append(item)
    (patient,) = summary.pop("patient", [None])
    case = Case.from_document(document)
    return case.model_copy(
        update={
            "mentions": list(mentions.values()),
            "summary": ClinicalSummary(patient=patient, **summary),
        }
    )


def _score(items: int, fit: int, mentions: int, mentions_fit: int) -> dict[str, float | int]:
    def share(part: int, whole: int) -> float:
        return round(100 * part / whole, 2) if whole else 0.0

    return {
        "items": items,
        "fit": fit,
        "share": share(fit, items),
        "mentions": mentions,
        "mentions_fit": mentions_fit,
        "mentions_share": share(mentions_fit, mentions),
    }


def test_each_item_is_scored_by_its_first_mention_and_each_mention_apart() -> None:
    report = evaluate_summary(BRAT, fake_analyze).model_dump()
    # Items: presenting 1/1, diagnoses 1/2 (woman, pneumonia), procedures 0/1,
    # investigations 0/1, treatments 1/1, outcomes 1/1: 4 of 7. Mentions: diagnoses 1 of 3
    # (pneumonia's "lobes" lies on a body part), so 4 of 8.
    assert report["docs"] == 2 and report["split"] == "all"
    assert report["overall"] == _score(7, 4, 8, 4)
    assert report["items_per_doc"] == 3.5
    assert report["per_heading"]["diagnoses"] == _score(2, 1, 3, 1)
    assert report["per_heading"]["investigations"] == _score(1, 0, 1, 0)
    assert report["per_heading"]["presenting_problem"] == _score(1, 1, 1, 1)
    assert report["per_heading"]["literature"] == _score(0, 0, 0, 0)
    assert list(report["per_heading"]) == list(FITTING)
    # The patient line lies on the Age and Sex entities, and is not in the overall share.
    assert report["patient"] == _score(1, 1, 2, 2)


def test_a_split_scores_its_half_only() -> None:
    # The fixed split puts case1 in the check half and case2 in the tune half.
    tune = evaluate_summary(BRAT, fake_analyze, split=Split.TUNE)
    check = evaluate_summary(BRAT, fake_analyze, split=Split.CHECK)
    assert (tune.docs, tune.split, check.docs) == (1, Split.TUNE, 1)
    assert tune.overall.model_dump() == _score(4, 3, 5, 3)
    assert check.overall.model_dump() == _score(3, 1, 3, 1)


def test_a_case_without_a_summary_is_skipped() -> None:
    def bare(document: Document) -> Case:
        return Case.from_document(document)

    report = evaluate_summary(BRAT, bare)
    assert report.docs == 0
    assert [(s.id, s.code) for s in report.skipped] == [
        ("case1", "CB-E013"),
        ("case2", "CB-E013"),
    ]


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        evaluate_summary(tmp_path / "nope", fake_analyze)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND
