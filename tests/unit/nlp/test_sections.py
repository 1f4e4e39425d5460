"""Section detection: one text, one rule, one assertion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Section, Source, SourceFormat
from casebook.nlp.sections import SectionDetector

DETECTOR = SectionDetector()


def _case(text: str, sections: list[Section] | None = None, title: str | None = None) -> Case:
    return Case(
        id="t",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        title=title,
        sections=sections or [],
    )


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(s.title, s.kind) for s in DETECTOR(_case(text)).sections]


def test_no_headings_is_one_body_section() -> None:
    text = "A 40-year-old man presented with chest pain. He was treated."
    assert DETECTOR(_case(text)).sections == [
        Section(start=0, end=len(text), title="", kind="body")
    ]


def test_heading_line_names_its_kind() -> None:
    assert _kinds("Case presentation\nA man presented with fever.") == [
        ("Case presentation", "case_presentation")
    ]


def test_heading_is_case_insensitive_and_all_caps() -> None:
    assert _kinds("CASE REPORT\nA man presented with fever.") == [
        ("CASE REPORT", "case_presentation")
    ]


def test_heading_with_numbering_and_colon() -> None:
    assert _kinds("2.1 Laboratory findings:\nThe sodium was low.") == [
        ("2.1 Laboratory findings", "investigations")
    ]


def test_numbered_heading_with_period() -> None:
    assert _kinds("3. Discussion\nSuch leaks are rare.") == [("3. Discussion", "discussion")]


def test_clinical_report_is_the_case_presentation() -> None:
    assert _kinds("2. Clinical report\nThe boy was born at term.") == [
        ("2. Clinical report", "case_presentation")
    ]


def test_conclusions_plural() -> None:
    assert _kinds("Conclusions\nBlood patches work.") == [("Conclusions", "conclusion")]


def test_curly_apostrophe_in_heading() -> None:
    assert _kinds("Patient\u2019s perspective\nI felt better.") == [
        ("Patient\u2019s perspective", "patient_perspective")
    ]


def test_abbreviated_heading() -> None:
    assert _kinds("PMH\nHypertension and diabetes.") == [("PMH", "past_medical_history")]


def test_inline_heading_with_colon() -> None:
    assert _kinds("Past medical history: she had asthma.") == [
        ("Past medical history", "past_medical_history")
    ]


def test_inline_colon_after_prose_is_not_a_heading() -> None:
    assert _kinds("Blood pressure: 120/80 mmHg.") == [("", "body")]


def test_unknown_title_case_heading_is_other() -> None:
    text = "Genetic Testing\nWhole exome sequencing found a pathogenic variant in the gene."
    assert _kinds(text) == [("Genetic Testing", "other")]


def test_short_sentence_case_line_is_not_a_heading() -> None:
    text = "Fever persisted\nfor three more days despite antibiotics and fluids."
    assert _kinds(text) == [("", "body")]


def test_caption_line_is_not_a_heading() -> None:
    text = "Figure 2\nAxial CT of the chest showing a cavitating lesion in the right lung."
    assert _kinds(text) == [("", "body")]


def test_text_before_first_heading_is_body() -> None:
    text = "Some preamble.\n\nDiscussion\nRare."
    assert _kinds(text) == [("", "body"), ("Discussion", "discussion")]


def test_section_ends_at_last_non_space_before_next_heading() -> None:
    text = "Case report\nA woman.\n\n\nDiscussion\nRare.\n\n"
    first, second = DETECTOR(_case(text)).sections
    assert (text[first.start : first.end], text[second.start : second.end]) == (
        "Case report\nA woman.",
        "Discussion\nRare.",
    )


def test_title_line_is_its_own_section() -> None:
    text = "Leak After Biopsy\nA woman had a biopsy."
    sections = DETECTOR(_case(text, title="Leak After Biopsy")).sections
    assert [(s.title, s.kind) for s in sections] == [("Leak After Biopsy", "title"), ("", "body")]


def test_reader_sections_keep_offsets_and_refine_generic_kind() -> None:
    text = "Case presentation\nA woman had a biopsy.\nDiscussion\nRare."
    given_sections = [
        Section(start=0, end=39, title="Case presentation", kind="other"),
        Section(start=40, end=len(text), title="Discussion", kind="discussion"),
    ]
    sections = DETECTOR(_case(text, given_sections)).sections
    assert [(s.start, s.end, s.kind) for s in sections] == [
        (0, 39, "case_presentation"),
        (40, len(text), "discussion"),
    ]


def test_reader_sec_type_is_mapped() -> None:
    text = "Untitled part of an article."
    given_sections = [Section(start=0, end=len(text), title="", kind="cases")]
    assert DETECTOR(_case(text, given_sections)).sections[0].kind == "case_presentation"


def test_reader_specific_kind_is_kept() -> None:
    text = "Discussion\nRare."
    given_sections = [Section(start=0, end=len(text), title="Discussion", kind="learning_points")]
    assert DETECTOR(_case(text, given_sections)).sections[0].kind == "learning_points"


def test_whitespace_only_text_has_no_sections() -> None:
    assert DETECTOR(_case(" \n\t ")).sections == []


@given(st.text(alphabet=st.sampled_from("ab C:.\n\t12|Discussion"), max_size=200) | st.text())
def test_sections_sorted_disjoint_inside_text(text: str) -> None:
    sections = DETECTOR(_case(text)).sections
    previous_end = 0
    for section in sections:
        assert previous_end <= section.start < section.end <= len(text)
        previous_end = section.end


@pytest.mark.parametrize(
    "content",
    [
        {
            "version": "1",
            "kinds": [],
            "sec_types": {},
            "generic_kinds": [],
            "small_words": [],
            "not_headings": [],
            "surprise": 1,
        },
        {
            "version": "1",
            "kinds": "title",
            "sec_types": {},
            "generic_kinds": [],
            "small_words": [],
            "not_headings": [],
        },
    ],
    ids=["extra-key", "wrong-type"],
)
def test_invalid_rule_file_raises_cb_e012(tmp_path: Path, content: dict[str, object]) -> None:
    path = tmp_path / "sections.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        SectionDetector(path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_heading_naming_two_kinds_is_invalid(tmp_path: Path) -> None:
    content = {
        "version": "1",
        "kinds": [
            {"kind": "history", "headings": ["History"]},
            {"kind": "other", "headings": ["HISTORY"]},
        ],
        "sec_types": {},
        "generic_kinds": [],
        "small_words": [],
        "not_headings": [],
    }
    path = tmp_path / "sections.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(CasebookError, match="CB-E012"):
        SectionDetector(path)


def test_first_line_a_blank_line_follows_is_the_title_of_pasted_text() -> None:
    text = "Spontaneous rupture of the spleen: a case report\n\nA 19-year-old man had pain."
    assert _kinds(text) == [
        ("Spontaneous rupture of the spleen: a case report", "title"),
        ("", "body"),
    ]


def test_first_line_asking_a_question_a_blank_line_follows_is_the_title_of_pasted_text() -> None:
    text = "Does every stenosis need valve replacement?\n\nA 82-year-old man had dyspnea."
    assert _kinds(text) == [("Does every stenosis need valve replacement?", "title"), ("", "body")]


def test_first_sentence_a_blank_line_follows_is_no_title() -> None:
    text = "A 19-year-old man presented with abdominal pain.\n\nHe recovered."
    assert _kinds(text) == [("", "body")]


def test_title_line_of_pasted_text_becomes_the_case_title() -> None:
    text = "Spontaneous rupture of the spleen: a case report\n\nA 19-year-old man had pain."
    assert DETECTOR(_case(text)).title == "Spontaneous rupture of the spleen: a case report"


def test_title_heading_is_no_case_title() -> None:
    assert DETECTOR(_case("Title: Spleen rupture\n\nA man had pain.")).title is None


def test_title_line_opening_with_its_genre_is_the_case_title() -> None:
    text = "Case report: Renal infarction after influenza\n\nA 71-year-old man had flank pain."
    assert DETECTOR(_case(text)).title == "Case report: Renal infarction after influenza"
