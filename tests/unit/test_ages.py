"""Ages are said in the unit a reader uses: "8 months", never "0.666667 y"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.model import AGE_UNITS, age_in_units, readable_age

DAYS_PER_UNIT = {"year": 365.25, "month": 30.4375, "week": 7.0, "day": 1.0}
"""The lengths ``resources/demographics.json`` converts stated ages with."""


def _as_read(value: int, unit: str) -> float:
    """An age as the patient component stores it: years, rounded to three decimals."""
    return round(value * DAYS_PER_UNIT[unit] / 365.25, 3)


@pytest.mark.parametrize(
    ("value", "unit", "said"),
    [
        (29, "year", "29 years"),
        (2, "year", "2 years"),
        (18, "month", "18 months"),
        (12, "month", "1 year"),
        (8, "month", "8 months"),
        (1, "month", "1 month"),
        (6, "week", "6 weeks"),
        (2, "week", "2 weeks"),
        (1, "week", "1 week"),
        (3, "day", "3 days"),
        (1, "day", "1 day"),
    ],
)
def test_a_stated_age_reads_back_as_stated(value: int, unit: str, said: str) -> None:
    assert readable_age(_as_read(value, unit)) == said


@pytest.mark.parametrize("months", range(1, 24))
def test_every_month_count_under_two_years_reads_back(months: int) -> None:
    expected = "1 year" if months == 12 else f"{months} month" + ("s" if months > 1 else "")
    assert readable_age(_as_read(months, "month")) == expected


def test_fractions_of_years_and_hours_are_said_plainly() -> None:
    assert readable_age(45.667) == "45.7 years"
    assert readable_age(2.5) == "2.5 years"
    assert readable_age(5 / (365.25 * 24)) == "5 hours"
    assert readable_age(0.0) == "0 days"


@given(st.floats(min_value=0, max_value=130, allow_nan=False))
def test_any_age_is_a_short_number_and_a_unit(years: float) -> None:
    value, unit = age_in_units(years)
    assert unit in AGE_UNITS
    assert value >= 0 and round(value, 1) == value
    if unit != "year":
        assert value == int(value)
    text = readable_age(years)
    assert len(text.split()) == 2 and "e" not in text.split()[0]
