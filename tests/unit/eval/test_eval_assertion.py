"""Assertion scores on a six-row NegEx/ConText-style fixture, with a prepared system."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.assertion import Located, evaluate_assertion, locate
from casebook.model import Assertion, Case

NEGEX = Path(__file__).parents[2] / "fixtures" / "eval" / "negex.tsv"

# Row id -> the assertion the fake system gives its mention.
ANSWERS = {
    "1": Assertion.NEGATED,  # gold Negated
    "2": Assertion.NEGATED,  # gold Affirmed: a false negation
    "3": Assertion.NEGATED,  # gold Affirmed, Historical: false negation, missed historical
    "4": Assertion.FAMILY,  # gold experiencer Other
    "5": Assertion.NEGATED,  # gold Negated (concept found by the fuzzy match)
    "6": Assertion.PRESENT,  # gold Negated (concept not in the sentence at all)
}

SEEN: dict[str, str] = {}


def fake_assert_mentions(case: Case) -> Case:
    mention = case.mention("m1")
    SEEN[case.id] = mention.text
    return case.model_copy(
        update={"mentions": [mention.model_copy(update={"assertion": ANSWERS[case.id]})]}
    )


def test_evaluate_assertion_by_hand() -> None:
    report = evaluate_assertion(NEGEX, fake_assert_mentions)
    # negation: gold positives rows 1, 5, 6; predicted 1, 2, 3, 5.
    #   tp 2 (1, 5), fp 2 (2, 3), fn 1 (6), tn 1 (4):
    #   p = 2/4 = 50, r = 2/3 = 66.67, f1 = 4/7 = 57.14, acc = 3/6 = 50
    # historical: gold row 3, never predicted: tp 0, fn 1, tn 5 -> 0 / 0 / 0, acc 5/6 = 83.33
    # family: gold row 4 (Other), predicted row 4: tp 1, tn 5 -> all 100
    assert report.model_dump(by_alias=True) == {
        "split": "all",
        "in_sample": False,
        "n": 6,
        "negation": {"p": 50.0, "r": 66.67, "f1": 57.14, "acc": 50.0},
        "historical": {"p": 0.0, "r": 0.0, "f1": 0.0, "acc": 83.33},
        "family": {"p": 100.0, "r": 100.0, "f1": 100.0, "acc": 100.0},
        "skipped": [],
    }
    assert (report.fuzzy, report.unlocated) == (1, 1)
    assert SEEN["2"] == "SHORTNESS OF  BREATH"
    assert SEEN["5"] == "rash on arms"
    assert SEEN["6"] == "Lungs are clear."


def test_locate_prefers_word_boundaries() -> None:
    # "pain" inside "painful" is skipped for the whole word later on
    sentence = "A painful knee, no pain now."
    start, end, how = locate("PAIN", sentence)
    assert (sentence[start:end], start, how) == ("pain", 19, Located.EXACT)
    start, end, how = locate("ain", "A painful knee.")
    assert ("A painful knee."[start:end], how) == ("ain", Located.EXACT)


def test_locate_falls_back_to_the_sentence() -> None:
    assert locate("", "  Fine.  ") == (2, 7, Located.SENTENCE)
    assert locate("xyz", "") == (0, 0, Located.SENTENCE)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        evaluate_assertion(tmp_path / "none.tsv", fake_assert_mentions)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("id\tconcept\tsentence\tnegation\n1\tcough\tNo cough.\tNegated\n")
    with pytest.raises(CasebookError) as caught:
        evaluate_assertion(path, fake_assert_mentions)
    assert caught.value.code is ErrorCode.MALFORMED_DATASET
    assert "temporality" in caught.value.message
    assert caught.value.path == str(path)


def test_a_short_row_is_skipped_and_the_others_scored(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    lines = NEGEX.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([lines[0], "1\tcough\tNo cough.\tNegated\n", *lines[1:]]))
    report = evaluate_assertion(path, fake_assert_mentions)
    assert report.n == 6
    assert report.negation == evaluate_assertion(NEGEX, fake_assert_mentions).negation
    assert [(s.id, s.code) for s in report.skipped] == [("row 1", "CB-E011")]
    assert "line 2" in report.skipped[0].message


def test_a_dropped_mention_skips_its_row() -> None:
    def drops(case: Case) -> Case:
        if case.id == "2":
            return case.model_copy(update={"mentions": []})
        return fake_assert_mentions(case)

    report = evaluate_assertion(NEGEX, drops)
    assert report.n == 5
    assert [(s.id, s.code) for s in report.skipped] == [("2", "CB-E013")]
