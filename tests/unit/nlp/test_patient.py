"""Patient age and sex from the text: one text, one rule, one assertion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, EntityType, Mention, Patient, Section, Sex, Source, SourceFormat
from casebook.nlp.patient import PatientDemographics, free_id
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter

PATIENT = PatientDemographics()
SECTIONS = SectionDetector()
SENTENCES = SentenceSplitter()


def _run(text: str, patient: Patient | None = None, mentions: list[Mention] | None = None) -> Case:
    case = Case(
        id="t",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        patient=patient or Patient(),
        mentions=mentions or [],
    )
    return PATIENT(SENTENCES(SECTIONS(case)))


def _age_sex(text: str) -> tuple[float | None, Sex | None]:
    case = _run(text)
    return case.patient.age_years, case.patient.sex


def _spans(case: Case) -> list[tuple[str, str, EntityType]]:
    return [(m.id, m.text, m.type) for m in case.mentions]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("A 29-year-old woman had headache.", 29.0),
        ("She was a 29 year old teacher.", 29.0),
        ("A woman aged 29 presented.", 29.0),
        ("The patient, 29 years of age, presented.", 29.0),
        ("A 34-yr-old man presented.", 34.0),
        ("Patient age 29, female.", 29.0),
        ("A 45\u2010year\u2010old man presented.", 45.0),
        ("An 8-month-old girl was admitted.", 0.667),
        ("A 6-week-old boy was admitted.", 0.115),
        ("A 3-day-old boy was admitted.", 0.008),
        ("A 70 y/o man fell.", 70.0),
        # Ages in number words.
        ("A three-year-old girl was attacked by a jaguar.", 3.0),
        ("A Twenty-two year old man presented.", 22.0),
        ("A seven-month-old boy was admitted.", 0.583),
        # Years and twelfths of a year, as paediatricians write: not a 12-year-old.
        ("J. D. is a 2 11/12-year-old male.", 2.917),
        # Years and months: the months add to the years.
        ("The patient was a boy, 4 years and 6 months old.", 4.5),
        ("A 5-year and 7-month-old boy was brought.", 5.583),
        ("A three-year-seven-month-old girl was referred.", 3.583),
        # An age in months told at a sentence's end is in months.
        ("At the corrected age of 12 months. She walked.", 1.0),
    ],
)
def test_age_expressions(text: str, years: float) -> None:
    assert _age_sex(text)[0] == years


def test_decade_is_not_an_exact_age() -> None:
    assert _age_sex("A man in his fifties had a cough.")[0] is None


def test_age_at_earlier_event_is_skipped() -> None:
    assert _age_sex("At the age of 12 she had measles. She is well.")[0] is None


@pytest.mark.parametrize(
    "text",
    [
        "He has smoked cannabis since 13 years old. He was admitted with chest pain.",
        "At 11 months old, the patient developed stridor.",
        "At 4 years and 6 months of age, she had measles.",
    ],
)
def test_age_at_an_event_told_as_years_old_is_skipped(text: str) -> None:
    assert _age_sex(text)[0] is None


@pytest.mark.parametrize(
    "text",
    [
        "Therapy went on until the child was 9 years old. He has had no seizures.",
        "She had no more seizures until she was 26 years old.",
        "He first had a rash when he was 9 years old.",
    ],
)
def test_an_age_a_clause_of_a_past_time_tells_is_skipped(text: str) -> None:
    assert _age_sex(text)[0] is None


def test_relative_age_after_relative_is_skipped() -> None:
    assert _age_sex("His mother, 54 years old, had diabetes. He is a 12-year-old boy.")[0] == 12.0


def test_relative_age_before_relative_is_skipped() -> None:
    assert _age_sex("Her 70-year-old father had a stroke. She was 40 years old.")[0] == 40.0


@pytest.mark.parametrize(
    ("text", "years"),
    [
        # A parent's age told as the one the patient was born to is the parent's.
        ("A boy was born to a 30-year-old G2P1 mother. He had a cleft lip.", None),
        ("A girl was born to a healthy, 36-year-old father and a 29-year-old mother.", None),
        # A mother who is the sentence's subject, or a mother of children, is the patient.
        ("A 33-year-old mother was admitted with fever.", 33.0),
        ("A 20-year-old mother of two presented with a mass.", 20.0),
    ],
)
def test_a_parents_age_is_not_the_childs(text: str, years: float | None) -> None:
    assert _age_sex(text)[0] == years


def test_age_before_patient_noun_is_the_patients() -> None:
    assert _age_sex("His mother brought the 8-year-old boy to clinic.")[0] == 8.0


def test_case_presentation_age_wins_over_introduction() -> None:
    text = (
        "Introduction\nA 60-year-old man was reported before.\n\n"
        "Case presentation\nA 30-year-old woman presented with fever."
    )
    assert _age_sex(text) == (30.0, Sex.FEMALE)


def test_explicit_noun_beats_pronouns() -> None:
    assert (
        _age_sex("A 50-year-old man came with his wife. She said her husband fell.")[1] is Sex.MALE
    )


def test_pronouns_decide_without_a_noun() -> None:
    assert _age_sex("The patient presented with fever. She had a cough. Her CRP was high.")[1] is (
        Sex.FEMALE
    )


def test_relative_words_do_not_decide_sex() -> None:
    assert _age_sex("The patient's mother had diabetes.")[1] is None


def test_pregnant_is_female() -> None:
    assert _age_sex("The patient was pregnant at 20 weeks.")[1] is Sex.FEMALE


def test_mentions_match_maccrobat_conventions() -> None:
    case = _run("A 28-year-old man presented with palpitations.")
    assert _spans(case) == [
        ("age1", "28-year-old", EntityType.AGE),
        ("sex1", "man", EntityType.SEX),
    ]


def test_no_sex_mention_for_a_pronoun_alone() -> None:
    case = _run("The 40-year-old had fever. He recovered.")
    assert _spans(case) == [("age1", "40-year-old", EntityType.AGE)]


def test_reader_metadata_wins() -> None:
    case = _run("A 28-year-old man presented.", Patient(age_years=30.0, sex=Sex.FEMALE))
    assert case.patient == Patient(age_years=30.0, sex=Sex.FEMALE)


def test_mention_ids_avoid_used_ones() -> None:
    taken = Mention(id="age1", start=2, end=4, text="28", type=EntityType.LAB_VALUE)
    case = _run("A 28-year-old man presented.", mentions=[taken])
    assert [m.id for m in case.mentions] == ["age1", "age2", "sex1"]


def test_running_twice_adds_no_mentions() -> None:
    case = _run("A 28-year-old man presented.")
    assert len(PATIENT(case).mentions) == 2


def test_free_id_skips_taken_numbers() -> None:
    assert free_id("sex", {"sex1", "sex2"}) == "sex3"


def test_works_with_reader_sections_and_no_sentences() -> None:
    text = "Case\nA 61-year-old male smoker."
    case = Case(
        id="t",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sections=[Section(start=0, end=len(text), title="Case", kind="case_presentation")],
    )
    assert PATIENT(case).patient == Patient(age_years=61.0, sex=Sex.MALE)


@pytest.mark.parametrize(
    "change",
    [
        {"surprise": 1},
        {"near_chars": "near"},
        {"age_patterns": [{"pattern": "(\\d+) years"}]},
        {"sex_words": [{"word": "woman", "sex": "other", "weight": 1, "mention": True}]},
    ],
    ids=["extra-key", "wrong-type", "no-value-group", "unknown-sex"],
)
def test_invalid_rule_file_raises_cb_e012(tmp_path: Path, change: dict[str, object]) -> None:
    rules = PATIENT.rules.model_dump(mode="json") | change
    path = tmp_path / "demographics.json"
    path.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        PatientDemographics(path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


@given(st.text(alphabet=st.sampled_from(" 12-year-old woman his mother aged\n."), max_size=120))
def test_any_text_gives_a_valid_case(text: str) -> None:
    case = _run(text)
    assert Case.model_validate(case.model_dump()) == case


def test_example_case_report_is_29_year_old_female(example_text: str) -> None:
    case = _run(example_text)
    assert (case.patient, _spans(case)) == (
        Patient(age_years=29.0, sex=Sex.FEMALE),
        [("age1", "29-year-old", EntityType.AGE), ("sex1", "female", EntityType.SEX)],
    )
