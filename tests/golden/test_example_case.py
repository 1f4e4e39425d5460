"""The example case report against the facts a clinician reads out of it (expected.json)."""

from __future__ import annotations

from typing import Any

from casebook.model import Assertion, Case, Mention

from .conftest import same_type


def matches(case: Case, fact: dict[str, Any]) -> list[Mention]:
    """Mentions of the fact's type overlapping any occurrence of its words."""
    words = fact["text"].lower()
    lowered = case.text.lower()
    found: list[Mention] = []
    start = lowered.find(words)
    while start >= 0:
        end = start + len(words)
        found += [
            m
            for m in case.mentions
            if m.start < end and start < m.end and same_type(m, fact["type"]) and m not in found
        ]
        start = lowered.find(words, end)
    return found


def _right_assertion(mentions: list[Mention], wanted: str) -> bool:
    accepted = {Assertion(wanted)} if wanted in Assertion.__members__.values() else set()
    if wanted == "uncertain-then-confirmed":
        accepted = {Assertion.UNCERTAIN, Assertion.PRESENT}
    return bool(mentions) and mentions[0].assertion in accepted


def test_the_facts_found_are_at_least_those_found_today(
    case: Case, expected: dict[str, Any]
) -> None:
    found = {f["id"] for f in expected["facts"] if matches(case, f)}
    assert found >= {
        "lymphoma",
        "biopsy",
        "no_early_complication",
        "discharge",
        "headache",
        "ct",
        "mri",
        "blood_patch",
        "recovery",
        "low_csf_pressure",
    }


def test_patient_is_29_and_female(case: Case, expected: dict[str, Any]) -> None:
    assert case.patient.age_years == expected["patient"]["age_years"]
    assert case.patient.sex == expected["patient"]["sex"]


def test_at_least_15_of_18_facts_are_found_with_the_right_type(
    case: Case, expected: dict[str, Any]
) -> None:
    missed = [f["id"] for f in expected["facts"] if not matches(case, f)]
    assert len(expected["facts"]) - len(missed) >= 15, f"missed: {missed}"


def test_at_least_14_facts_have_the_right_assertion(case: Case, expected: dict[str, Any]) -> None:
    wrong = [
        fact["id"]
        for fact in expected["facts"]
        if not _right_assertion(matches(case, fact), fact["assertion"])
    ]
    assert len(expected["facts"]) - len(wrong) >= 14, f"wrong or missed: {wrong}"
