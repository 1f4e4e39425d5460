"""Outcome statements, the outcome that followed each treatment, and the tally."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Assertion, Case, CodeSystem, Outcome
from casebook.resources import load_rules
from casebook.search.outcomes import (
    OutcomeReader,
    OutcomeRule,
    OutcomeRules,
    describe,
    tally,
    treatment_groups,
)

CaseBuilder = Callable[..., Case]


@pytest.fixture(scope="module")
def reader() -> OutcomeReader:
    return OutcomeReader()


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The headache resolved completely within 24 hours.", [Outcome.RESOLVED]),
        ("She made a full recovery.", [Outcome.RESOLVED]),
        ("There was no improvement after two weeks.", [Outcome.UNCHANGED]),
        ("The pain did not resolve.", [Outcome.UNCHANGED]),
        ("There was no recurrence at one year.", [Outcome.RESOLVED]),
        ("The tumour recurred after six months.", [Outcome.WORSENED]),
        ("Her symptoms improved gradually.", [Outcome.IMPROVED]),
        ("He had a partial recovery of strength.", [Outcome.IMPROVED]),
        ("Despite this, he died two days later.", [Outcome.DIED]),
        ("His condition deteriorated and he died.", [Outcome.WORSENED, Outcome.DIED]),
        ("A chest radiograph was taken.", []),
        ("The neck pain worsened with neck rotation.", []),
        ("The pain was aggravated by sitting and relieved by rest.", []),
        ("Her symptoms worsened with the development of sepsis.", [Outcome.WORSENED]),
        ("The pain was relieved with morphine.", [Outcome.IMPROVED]),
    ],
)
def test_classify(reader: OutcomeReader, sentence: str, expected: list[Outcome]) -> None:
    assert [outcome for outcome, _, _ in reader.classify(sentence)] == expected


def test_statements_have_offsets(reader: OutcomeReader, make_case: CaseBuilder) -> None:
    case = make_case("c", "A blood patch was done. The headache resolved.")
    (statement,) = reader.statements(case)
    assert case.text[statement.start : statement.end] == "resolved"
    assert statement.sentence == 1


def test_an_outcome_mention_followed_by_a_trigger_states_no_outcome(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "Ibuprofen was given. The pain worsened with neck rotation. Later it worsened.",
        [("worsened", "Outcome"), ("worsened", "Outcome")],
    )
    assert [case.text[s.start : s.end] for s in reader.statements(case)] == ["worsened"]
    assert [s.sentence for s in reader.statements(case)] == [2]


def test_the_outcome_is_the_last_statement_after_the_treatment(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "Caffeine gave no relief. An epidural blood patch was then done and the headache "
        "improved. She made a full recovery. She was well. She was well. Later she died of "
        "lymphoma. Aspirin was stopped.",
        [
            ("Caffeine", "Medication"),
            ("epidural blood patch", "Therapeutic_procedure"),
            ("Aspirin", "Medication", Assertion.NEGATED),
        ],
    )
    treatments = reader.treatments(case)
    # Caffeine's outcome stops where the next treatment starts; a negated treatment was not
    # given; the patch's window (3 sentences after its own) ends before the death, so its
    # outcome is the recovery.
    assert [(t.key, t.outcome) for t in treatments] == [
        ("caffeine", Outcome.UNCHANGED),
        ("blood patch", Outcome.RESOLVED),
    ]
    patch = treatments[1]
    assert patch.evidence is not None
    assert case.text[patch.evidence.start : patch.evidence.end] == "recovery"


def test_a_treatment_with_nothing_after_it_is_unknown(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c", "She improved. Then amoxicillin was given.", [("amoxicillin", "Medication")]
    )
    assert [t.outcome for t in reader.treatments(case)] == [Outcome.UNKNOWN]


def test_coded_procedures_are_treatments(reader: OutcomeReader, make_case: CaseBuilder) -> None:
    # The mention model may call a blood patch a finding; its ICD-10-PCS code says otherwise.
    case = make_case(
        "c",
        "A blood patch was done. The headache resolved.",
        [("blood patch", "Sign_symptom", Assertion.PRESENT, [(CodeSystem.ICD10PCS, "3E0S3GC")])],
    )
    assert [(t.key, t.outcome) for t in reader.treatments(case)] == [
        ("blood patch", Outcome.RESOLVED)
    ]
    coded = make_case(
        "d",
        "A blood patch was done. The headache resolved.",
        codes=[(CodeSystem.ICD10PCS, "3E0S3GC", 0.9, "blood patch")],
    )
    assert [(t.key, t.outcome) for t in reader.treatments(coded)] == [
        ("blood patch", Outcome.RESOLVED)
    ]


def test_tally_links_every_cell_to_its_cases(reader: OutcomeReader, make_case: CaseBuilder) -> None:
    texts = {
        "a": "An epidural blood patch was done. The headache resolved.",
        "b": "An Epidural Blood Patch was performed. She recovered.",
        "c": "An epidural blood patch was done. No improvement followed. Caffeine was tried.",
    }
    cases = [
        make_case(i, t, [(w, "Therapeutic_procedure")])
        for i, t, w in (
            ("a", texts["a"], "epidural blood patch"),
            ("b", texts["b"], "Epidural Blood Patch"),
            ("c", texts["c"], "epidural blood patch"),
        )
    ]
    cases[2] = make_case(
        "c",
        texts["c"],
        [("epidural blood patch", "Therapeutic_procedure"), ("Caffeine", "Medication")],
    )
    rows = tally([(case.id, reader.treatments(case)) for case in cases])
    assert [row.treatment for row in rows] == ["blood patch", "caffeine"]
    patch = rows[0]
    assert patch.cases == ["a", "b", "c"]
    assert patch.outcomes == {Outcome.RESOLVED: ["a", "b"], Outcome.UNCHANGED: ["c"]}
    assert describe(patch) == "blood patch: 3 cases, 2 resolved, 1 unchanged"
    assert describe(rows[1]) == "caffeine: 1 case, 1 unknown"


# Patterns a user might write, plain ones and ones whose case-insensitive meaning lower-casing
# would change (scoped case, ranges over upper-case letters, ASCII-only classes, non-ASCII).
USER_PATTERNS = [
    r"\bimprov\w*",
    r"normali[sz]ed",
    r"\bis\s+k\b",
    r"\bis\b",
    r"(?-i:ABC)",
    r"[@-`]x",
    r"\bİyi\b",
    r"(?a:\bik\b)",
    r"\bſ",
]
WORDS = ["Improved", "NORMALISED", "no", "Further", "Did not", "resolve", "ABC", "abc", "."]
# Letters that match others case-insensitively (dotless i, long s, the Kelvin sign, ...).
LETTERS = "iIıİsSſkK\u212ayx`é "
TEXTS = st.lists(st.sampled_from(WORDS) | st.text(LETTERS, max_size=4), max_size=8).map("".join)


def _reader(patterns: list[str]) -> OutcomeReader:
    rule = OutcomeRule(outcome=Outcome.IMPROVED, patterns=patterns)
    packaged = OutcomeReader().rules
    return OutcomeReader(packaged.model_copy(update={"rules": [*packaged.rules, rule]}))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
@example("ıs k")  # dotless i: "is k" case-insensitively, not once lower-cased
@example("Ax")  # "A" is in [@-`] case-insensitively ("a" is not)
@example("abc")  # not "ABC" case-sensitively
def test_text_is_ruled_out_only_when_no_pattern_matches(text: str) -> None:
    """The quick scan that rules sentences out never hides a statement a pattern finds."""
    reader = _reader(USER_PATTERNS)
    patterns = [pattern for rule in reader.rules.rules for pattern in rule.patterns]
    found = any(
        match.end() > match.start()
        for pattern in patterns
        for match in re.finditer(pattern, text, re.IGNORECASE)
    )
    assert bool(reader.classify(text)) == found


def test_rules_are_validated(tmp_path: Path) -> None:
    bad = tmp_path / "outcomes.json"
    bad.write_text(
        '{"version": "2", "window_sentences": 1, "tied_words": 4, '
        '"rules": [{"outcome": "died", "patterns": ["("]}]}',
        encoding="utf-8",
    )
    with pytest.raises(CasebookError) as caught:
        load_rules(bad, OutcomeRules)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    bad.write_text(bad.read_text().replace('"died"', '"unknown"').replace('"("', '"x"'))
    with pytest.raises(CasebookError):
        load_rules(bad, OutcomeRules)


def test_a_treatment_named_more_precisely_is_tallied_with_the_plainer_name() -> None:
    groups = treatment_groups(
        ["epidural blood patch", "lumbar epidural blood patch", "blood patch", "spinal surgery"]
        + ["surgery", "patch"]
    )
    assert groups == {
        "epidural blood patch": "blood patch",
        "lumbar epidural blood patch": "blood patch",
        "blood patch": "blood patch",
        "spinal surgery": "spinal surgery",
        "surgery": "surgery",
        "patch": "patch",
    }


def test_the_tally_counts_a_case_once_for_a_treatment_it_names_two_ways(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    text = "A blood patch was planned. An epidural blood patch was done. She recovered."
    both = make_case(
        "a",
        text,
        [
            ("blood patch", "Therapeutic_procedure"),
            ("epidural blood patch", "Therapeutic_procedure"),
        ],
    )
    plain = make_case(
        "b", "A blood patch was done. No improvement.", [("blood patch", "Therapeutic_procedure")]
    )
    rows = tally([(case.id, reader.treatments(case)) for case in (both, plain)])
    assert len(rows) == 1
    assert rows[0].treatment == "blood patch"
    assert rows[0].cases == ["a", "b"]
    assert rows[0].outcomes == {Outcome.RESOLVED: ["a"], Outcome.UNCHANGED: ["b"]}
