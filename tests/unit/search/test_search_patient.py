"""Similar cases are similar patients: the age group and the sex count, unless the query is
silent about them (issue 17)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.model import Assertion, Sex
from casebook.search.fusion import age_group, patient_boost
from casebook.search.hybrid import CaseIndex

from .conftest import CaseBuilder

BOUNDS = [0.0833, 1, 12, 18, 65]
EMBOLISM = "Pulmonary embolism with dyspnea and chest pain, treated with anticoagulation."
FACTS = [
    ("Pulmonary embolism", "Disease_disorder", Assertion.PRESENT),
    ("dyspnea", "Sign_symptom", Assertion.PRESENT),
    ("chest pain", "Sign_symptom", Assertion.PRESENT),
]


def test_age_groups() -> None:
    assert [age_group(a, BOUNDS) for a in (0.01, 0.5, 2, 15, 56, 80)] == [0, 1, 2, 3, 4, 5]
    # An age on a bound belongs to the group above it: a 1-year-old is no infant.
    assert [age_group(a, BOUNDS) for a in (1, 12, 18, 65)] == [2, 3, 4, 5]


def test_the_boost_rewards_the_same_kind_of_patient_and_ignores_what_is_unsaid() -> None:
    def boost(query_age: float | None, query_sex: str | None, age: float, sex: str) -> float:
        return patient_boost(query_age, query_sex, age, sex, BOUNDS, 0.1, 0.05)

    assert boost(56, "female", 58, "female") == pytest.approx(1.15)
    assert boost(56, "female", 70, "female") == pytest.approx(1.1)  # the next group: half
    assert boost(56, "female", 2, "female") == pytest.approx(1.05)
    assert boost(56, "female", 2, "male") == 1.0
    assert boost(None, None, 2, "male") == 1.0  # a query silent about the patient


@given(st.floats(0, 120), st.floats(0, 120), st.sampled_from(["female", "male", None]))
def test_the_boost_never_penalises(query_age: float, age: float, sex: str | None) -> None:
    assert 1.0 <= patient_boost(query_age, sex, age, "female", BOUNDS, 0.1, 0.05) <= 1.15 + 1e-9


def test_a_womans_embolism_finds_a_woman_before_a_toddler(make_case: CaseBuilder) -> None:
    toddler = make_case("toddler", EMBOLISM, FACTS, age=2, sex=Sex.MALE)
    woman = make_case("woman", EMBOLISM, FACTS, age=58, sex=Sex.FEMALE)
    index = CaseIndex.build([toddler, woman])
    query = make_case("q", EMBOLISM, FACTS, age=56, sex=Sex.FEMALE)
    assert [hit.id for hit in index.search(index.query(query), 2)] == ["woman", "toddler"]
    # Silent about the patient, the query does not prefer either (ties go by id).
    silent = make_case("q", EMBOLISM, FACTS)
    assert [hit.id for hit in index.search(index.query(silent), 2)] == ["toddler", "woman"]
