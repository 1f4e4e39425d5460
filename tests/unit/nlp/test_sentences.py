"""Sentence splitting on clinical text: one text, one rule, one assertion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Section, Source, SourceFormat
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter

SPLITTER = SentenceSplitter()
DETECTOR = SectionDetector()


def _sentences(text: str, sections: list[Section] | None = None) -> list[str]:
    return [text[s.start : s.end] for s in SPLITTER.split(text, sections)]


def _pipeline(text: str) -> Case:
    case = Case(id="t", text=text, source=Source(format=SourceFormat.TEXT))
    return SPLITTER(DETECTOR(case))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She received 2.5 mg daily. It helped.", ["She received 2.5 mg daily.", "It helped."]),
        ("A 0.5% solution was used. No rash.", ["A 0.5% solution was used.", "No rash."]),
        (
            "Disc herniation at L5/S1 was seen. Surgery followed.",
            ["Disc herniation at L5/S1 was seen.", "Surgery followed."],
        ),
        ("T2-weighted images were normal.", ["T2-weighted images were normal."]),
        ("It was given i.v. over an hour.", ["It was given i.v. over an hour."]),
        (
            "Ceftriaxone was given i.v. The fever resolved.",
            ["Ceftriaxone was given i.v.", "The fever resolved."],
        ),
        ("Amoxicillin 500 mg b.i.d. was started.", ["Amoxicillin 500 mg b.i.d. was started."]),
        ("Dr. Smith saw her. She improved.", ["Dr. Smith saw her.", "She improved."]),
        ("It was reported by J. Smith last year.", ["It was reported by J. Smith last year."]),
        ("He had hepatitis C. He was treated.", ["He had hepatitis C.", "He was treated."]),
        ("See Fig. 2A for the scan.", ["See Fig. 2A for the scan."]),
        ("Lesions grew (Fig. 1). She died.", ["Lesions grew (Fig. 1).", "She died."]),
        (
            "Causes include infection, e.g. Lyme disease.",
            ["Causes include infection, e.g. Lyme disease."],
        ),
        ("As Brown et al. reported, it is rare.", ["As Brown et al. reported, it is rare."]),
        ('She said "I feel fine." Then she left.', ['She said "I feel fine."', "Then she left."]),
        (
            "The cause was unclear (infection vs. tumour.) Biopsy followed.",
            ["The cause was unclear (infection vs. tumour.)", "Biopsy followed."],
        ),
        ("He was tired... Then he fainted.", ["He was tired...", "Then he fainted."]),
        ("He was tired... and pale.", ["He was tired... and pale."]),
        ("Was it sepsis? Cultures were negative!", ["Was it sepsis?", "Cultures were negative!"]),
        ("Symptoms were 1. fever; 2. cough.", ["Symptoms were 1. fever; 2. cough."]),
        (
            "Lesion size increased.[4] Surgery was done.",
            ["Lesion size increased.[4]", "Surgery was done."],
        ),
        ("Lactate was high (n.v. <2.1) on day one.", ["Lactate was high (n.v. <2.1) on day one."]),
        # Citation marks whose numbers the source dropped ("[]", "[,]") end a sentence alike.
        (
            "It can cause hypothermia.[] Antibiotics were given.",
            ["It can cause hypothermia.[]", "Antibiotics were given."],
        ),
        ("It is rare.[,] We report one.", ["It is rare.[,]", "We report one."]),
    ],
)
def test_inline_rules(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The patient was\nadmitted on Monday.", ["The patient was\nadmitted on Monday."]),
        (
            "First paragraph without stop\n\nSecond paragraph",
            ["First paragraph without stop", "Second paragraph"],
        ),
        ("Symptoms were\n1. fever\n2. cough", ["Symptoms were", "1. fever", "2. cough"]),
        ("Findings:\n- anaemia\n- fever", ["Findings:", "- anaemia", "- fever"]),
        (
            "Test | Value | Unit\nSodium | 128 | mmol/L",
            ["Test | Value | Unit", "Sodium | 128 | mmol/L"],
        ),
        ("Sodium\t128\nPotassium\t3.1", ["Sodium\t128", "Potassium\t3.1"]),
        (
            "She had no rash\nHospital Course\nShe improved",
            ["She had no rash", "Hospital Course", "She improved"],
        ),
    ],
)
def test_line_rules(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def test_sentences_do_not_cross_sections() -> None:
    text = "She was well and\nthen fell"
    sections = [
        Section(start=0, end=16, title="", kind="body"),
        Section(start=17, end=len(text), title="", kind="body"),
    ]
    assert _sentences(text, sections) == ["She was well and", "then fell"]


def test_heading_is_its_own_sentence() -> None:
    case = _pipeline("Case presentation\nA man had fever. He recovered.")
    assert [case.text[s.start : s.end] for s in case.sentences] == [
        "Case presentation",
        "A man had fever.",
        "He recovered.",
    ]


def test_inline_heading_is_its_own_sentence() -> None:
    case = _pipeline("Past medical history: she had asthma.")
    assert [case.text[s.start : s.end] for s in case.sentences] == [
        "Past medical history:",
        "she had asthma.",
    ]


def test_jats_like_sections_bound_sentences() -> None:
    text = "Case report\nA woman had pain\nDiscussion\nPain is common."
    sections = [
        Section(start=0, end=28, title="Case report", kind="case_presentation"),
        Section(start=29, end=len(text), title="Discussion", kind="discussion"),
    ]
    assert _sentences(text, sections) == [
        "Case report",
        "A woman had pain",
        "Discussion",
        "Pain is common.",
    ]


def test_spans_are_trimmed() -> None:
    assert _sentences("   One.   Two.   ") == ["One.", "Two."]


def test_empty_text_has_no_sentences() -> None:
    assert _sentences("") == []


@given(st.text(alphabet=st.sampled_from('aB .?!\n\t|:1-()"e.g.Fig'), max_size=300) | st.text())
def test_sentences_sorted_disjoint_inside_text(text: str) -> None:
    case = _pipeline(text)
    previous_end = 0
    for sentence in case.sentences:
        assert previous_end <= sentence.start < sentence.end <= len(text)
        assert text[sentence.start : sentence.end] == text[sentence.start : sentence.end].strip()
        previous_end = sentence.end


@pytest.mark.parametrize(
    "change",
    [{"surprise": True}, {"abbreviations": "Dr."}, {"list_item": "("}],
    ids=["extra-key", "wrong-type", "bad-regex"],
)
def test_invalid_rule_file_raises_cb_e012(tmp_path: Path, change: dict[str, object]) -> None:
    rules = SPLITTER.rules.model_dump() | change
    path = tmp_path / "sentences.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        SentenceSplitter(path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_example_keeps_l5_s1_and_ct_inside_sentences(example_text: str) -> None:
    case = _pipeline(example_text)
    sentences = [case.text[s.start : s.end] for s in case.sentences]
    inside = [s for s in sentences if "L5/S1" in s or "computed tomography (CT)" in s]
    assert len(inside) == 3 and all(s.endswith(".") and s[0].isupper() for s in inside)
