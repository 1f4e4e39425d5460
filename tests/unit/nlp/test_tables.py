"""Tables pasted as text: a row whose cells deny its feature denies its finding."""

from __future__ import annotations

from casebook.model import Assertion
from casebook.nlp.tables import denied_rows
from casebook.service.pipeline import analyze_text

TABLE = (
    "Clinical features of the patients.\n"
    "Feature\tP1\tP2\tP3\n"
    "Short stature\t√\t√\t√\n"
    "Large foramen magnum\t\t\t\n"
    "Cleft palate\t–\t–\t–\n"
    "Seizures\tN\tN\tY\n"
)


def _assertion(text: str, words: str) -> Assertion:
    case = analyze_text(text)
    return next(m.assertion for m in case.mentions if m.text == words)


def test_a_row_no_patient_is_marked_in_is_a_denied_finding() -> None:
    assert _assertion(TABLE, "Large foramen magnum") is Assertion.NEGATED
    assert _assertion(TABLE, "Cleft palate") is Assertion.NEGATED


def test_a_row_any_patient_is_marked_in_stays_present() -> None:
    assert _assertion(TABLE, "Short stature") is Assertion.PRESENT
    assert _assertion(TABLE, "Seizures") is Assertion.PRESENT


def test_empty_cells_deny_only_where_the_table_marks_presence() -> None:
    values = "Laboratory findings\nHemoglobin\t12.1\nAnemia\t\nFerritin\t8\n"
    assert denied_rows(values) == []
    marked = "Fever\t+\nRash\t\n"
    assert denied_rows(marked) == [(8, 12)]
    assert denied_rows("No tabs here.") == []


def test_counts_of_a_published_series_mark_no_patient() -> None:
    # The report's patients lack the feature; 11 of 15 and 8 of 15 patients of two series had it.
    row = "Scoliosis\t-\t-\t11/15 (4)\t8/15\t73%\n"
    assert denied_rows(row) == [(0, 9)]
    assert denied_rows("Hypertension\t150/90\t-\n") == []
