"""PMC-Patients JSON Lines: documents, ages in years, errors yielded in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.pmc_patients import age_in_years, parse_pmc_patients, read_pmc_patients
from casebook.model import Document, Sex, SourceFormat

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"


def test_reads_every_patient() -> None:
    items = list(read_pmc_patients(FIXTURES / "patients.jsonl"))
    assert all(isinstance(item, Document) for item in items)
    documents = [item for item in items if isinstance(item, Document)]
    assert [d.id for d in documents] == ["9900004-1", "9900005-1", "9900006-1"]
    first = documents[0]
    assert first.title == "Scrub typhus with eschar"
    assert first.text == "A 45-year-old farmer had fever and an eschar on the left thigh."
    assert first.source.format is SourceFormat.PMC_PATIENTS
    assert first.source.extra == {"pmid": "99000004"}
    assert first.source.path == str(FIXTURES / "patients.jsonl")
    assert first.patient.age_years == 45.0
    assert first.patient.sex is Sex.MALE
    assert documents[1].patient.sex is Sex.FEMALE
    assert documents[1].patient.age_years == pytest.approx(21 / 365.25)
    assert documents[2].patient.age_years == pytest.approx(1.5)


def test_bad_lines_are_yielded_as_errors_and_reading_goes_on() -> None:
    items = list(read_pmc_patients(FIXTURES / "patients-bad.jsonl"))
    summary = [
        (item.code, item.message.split(":")[0]) if isinstance(item, CasebookError) else item.id
        for item in items
    ]
    assert summary == [
        "9900004-1",
        (ErrorCode.MALFORMED_JSON, "line 2"),
        (ErrorCode.MALFORMED_JSON, "line 4"),
        (ErrorCode.EMPTY_DOCUMENT, "line 5"),
        "9900006-1",
    ]
    unit_error = items[2]
    assert isinstance(unit_error, CasebookError)
    assert "fortnight" in unit_error.message
    assert unit_error.path == str(FIXTURES / "patients-bad.jsonl")


@pytest.mark.parametrize(
    ("age", "years"),
    [
        ([], None),
        (None, None),
        ([[30, "year"]], 30.0),
        ([[6.0, "month"]], 0.5),
        ([[14.0, "day"]], 14 / 365.25),
        ([[36.0, "hour"]], 36 / (365.25 * 24)),
    ],
)
def test_age_units(age: object, years: float | None) -> None:
    assert age_in_years(age) == pytest.approx(years)


@pytest.mark.parametrize(
    "age",
    [
        "45",
        [[45]],
        [[-1, "year"]],
        [[True, "year"]],
        [["x", "day"]],
        [[float("nan"), "year"]],
        [[float("inf"), "year"]],
        [[1e308, "year"], [1e308, "year"]],
    ],
)
def test_bad_ages(age: object) -> None:
    with pytest.raises(ValueError):
        age_in_years(age)


def test_a_lone_surrogate_escape_is_a_bad_line_and_reading_goes_on() -> None:
    lines = [
        '{"patient_uid": "\\ud800", "text": "Fever."}',
        '{"patient_uid": "p2", "text": "Fever \\udfff."}',
        '{"patient_uid": "p3", "text": "Fever."}',
    ]
    items = list(parse_pmc_patients(lines, "odd.jsonl"))
    assert [item.code for item in items[:2] if isinstance(item, CasebookError)] == [
        ErrorCode.UNDECODABLE_TEXT
    ] * 2
    assert "lone surrogate" in str(items[0])
    assert isinstance(items[2], Document) and items[2].id == "p3"


def test_lines_as_text_and_missing_fields() -> None:
    lines = [
        '{"patient_uid": "p1", "text": "Cough.", "age": [], "sex": null}',
        '["not", "an", "object"]',
        '{"patient_uid": "p3", "text": "Rash.", "sex": "X"}',
    ]
    items = list(parse_pmc_patients(lines, None))
    assert isinstance(items[0], Document)
    assert items[0].patient.age_years is None and items[0].patient.sex is None
    assert items[0].source.path is None
    assert [type(i).__name__ for i in items[1:]] == ["CasebookError", "CasebookError"]


def test_missing_file_raises_when_iterated(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        list(read_pmc_patients(tmp_path / "absent.jsonl"))
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND


@pytest.mark.dataset
def test_the_whole_pmc_patients_corpus_reads(data_dir: Path) -> None:
    corpus = data_dir / "pmc-patients" / "corpus.jsonl"
    if not corpus.is_file():
        pytest.skip(f"{corpus} is not there")
    count = 0
    for item in read_pmc_patients(corpus):
        assert not isinstance(item, CasebookError), str(item)
        assert item.text.strip()
        count += 1
    assert count == 8579


def test_a_written_out_paragraph_break_becomes_a_line_break() -> None:
    line = (
        r'{"patient_uid": "1-1", "pmid": 1, "title": "t", '
        r'"text": "The legs were swollen.\\nThe patient was ill.", "age": [], "sex": "F"}'
    )
    (document,) = parse_pmc_patients([line], None)
    assert isinstance(document, Document)
    assert document.text == "The legs were swollen.\nThe patient was ill."
