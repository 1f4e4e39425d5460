"""TemporalOrderer: one sentence per time expression, a few narratives, and timeline properties."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import (
    Assertion,
    Case,
    EntityType,
    Mention,
    Patient,
    Relation,
    Section,
    Source,
    SourceFormat,
    Span,
)
from casebook.nlp.pipeline import Component
from casebook.nlp.temporal import TemporalOrderer, TemporalRules
from casebook.resources import load_rules, resource_path

SIGN = EntityType.SIGN_SYMPTOM
TEST = EntityType.DIAGNOSTIC_PROCEDURE
THERAPY = EntityType.THERAPEUTIC_PROCEDURE
EVENT = EntityType.CLINICAL_EVENT
DISEASE = EntityType.DISEASE_DISORDER


@pytest.fixture(scope="module")
def orderer() -> TemporalOrderer:
    return TemporalOrderer()


def make_case(
    sentences: list[str],
    events: list[tuple[str, EntityType]],
    *,
    age: float | None = None,
    relations: list[Relation] | None = None,
    assertions: dict[str, Assertion] | None = None,
) -> Case:
    """Sentences joined by a space, one mention per event (the first unused occurrence)."""
    text = " ".join(sentences)
    spans = []
    start = 0
    for sentence in sentences:
        spans.append(Span(start=start, end=start + len(sentence)))
        start += len(sentence) + 1
    mentions: list[Mention] = []
    for number, (words, kind) in enumerate(events):
        at = text.index(words)
        while any(m.start == at for m in mentions):
            at = text.index(words, at + 1)
        mentions.append(
            Mention(
                id=f"m{number}",
                start=at,
                end=at + len(words),
                text=words,
                type=kind,
                assertion=(assertions or {}).get(words, Assertion.PRESENT),
            )
        )
    return Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        patient=Patient(age_years=age),
        sentences=spans,
        mentions=mentions,
        relations=relations or [],
    )


def placed(case: Case) -> dict[str, tuple[int, float | None]]:
    """Mention words → (order, offset_days); words are unique in these tests."""
    words = {m.id: m.text for m in case.mentions}
    return {words[e.mention]: (e.order, e.offset_days) for e in case.timeline}


def days(case: Case) -> dict[str, tuple[float | None, float | None]]:
    """Mention words → (offset_days, min_offset_days): the exact day or the lower bound."""
    words = {m.id: m.text for m in case.mentions}
    return {words[e.mention]: (e.offset_days, e.min_offset_days) for e in case.timeline}


def test_is_a_component(orderer: TemporalOrderer) -> None:
    assert isinstance(orderer, Component)
    assert orderer.name == "temporal"
    assert orderer.assigns == frozenset({"timeline", "times", "mentions.assertion"})


EXPRESSIONS = [
    (["She presented with fever.", "Two days later she developed a rash."],
     "Two days later", "after", (2.0, None)),
    (["She presented with fever.", "The next morning she had a rash."],
     "The next morning", "after", (1.0, None)),
    (["She presented with fever.", "A few days later she had a rash."],
     "A few days later", "after", (None, 0.0)),
    (["She presented with fever.", "Within 2 days she had a rash."],
     "Within 2 days", "after", (None, 0.0)),
    (["She presented with fever.", "Three days after surgery she had a rash."],
     "Three days after", "after", (None, None)),
    (["She presented with fever.", "She had surgery the next day.",
      "Three days after surgery she had a rash."],
     "Three days after", "after", (4.0, None)),
    # A day of no stated clock, numbered only after the presentation: of a clock started on
    # or after it, day 1 its first day.
    (["She presented with fever.", "On day 3 she had a rash."], "On day 3", "day", (None, 2.0)),
    (["She was admitted with fever.", "On day 5 of admission she had a rash."],
     "On day 5 of admission", "day", (4.0, None)),
    (["She was admitted with fever.", "On hospital day 3 she had a rash."],
     "On hospital day 3", "day", (2.0, None)),
    (["She presented with fever.", "She had surgery two days later.",
      "On postoperative day 2 she had a rash."],
     "On postoperative day 2", "day", (4.0, None)),
    (["She presented with fever.", "On postoperative day 2 she had a rash."],
     "On postoperative day 2", "day", (None, 0.0)),
    (["She presented with a 3-day history of fever.", "On day 5 of illness she had a rash."],
     "On day 5 of illness", "day", (1.0, None)),
    (["She presented with fever.", "On day 5 of illness she had a rash."],
     "On day 5 of illness", "day", (None, 0.0)),
    (["She presented with fever.", "At the 6-month follow-up she had a rash."],
     "At the 6-month follow-up", "follow_up", (None, 182.625)),
    (["She presented with fever.", "After 3 months of follow-up she had a rash."],
     "After 3 months of follow-up", "follow_up", (None, 91.312)),
    (["She presented with fever.", "On admission she had a rash."], "On admission", "anchor",
     (0.0, None)),
    (["She presented with fever.", "She had a rash 10 years ago."], "10 years ago", "before",
     (-3652.5, None)),
    # Last year is the calendar year before: at most two years back.
    (["She presented with fever.", "She had a rash last year."], "last year", "before",
     (None, -730.5)),
    (["A man presented with a 6-week history of rash."], "a 6-week history of", "before",
     (-42.0, None)),
    (["She presented with fever and no rash at the time the biopsy was taken."],
     "at the time the biopsy was taken", "same", (0.0, None)),
    (["She presented in March 2015 with fever.", "In May 2015 she had a rash."],
     "In May 2015", "date", (61.0, None)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sentences", "words", "kind", "when"), EXPRESSIONS, ids=[e[1] for e in EXPRESSIONS]
)
def test_a_time_expression_is_read_in_days_and_places_its_event(
    orderer: TemporalOrderer,
    sentences: list[str],
    words: str,
    kind: str,
    when: tuple[float | None, float | None],
) -> None:
    """Each kind, one sentence: (offset_days, min_offset_days) of the words and of the rash."""
    events = [("fever" if "fever" in " ".join(sentences) else "man", SIGN), ("rash", SIGN)]
    events += [("surgery", THERAPY)] if any("She had surgery" in x for x in sentences) else []
    case = orderer(make_case(sentences, events))
    (time,) = [t for t in case.times if t.text == words]
    assert (time.kind, (time.offset_days, time.min_offset_days)) == (kind, when)
    assert days(case)["rash"] == when


@pytest.mark.parametrize(
    "sentences",
    [
        [
            "On day 1 she had fever.",
            "On day 3 she presented with cough.",
            "On day 5 she had a rash.",
        ],
        [
            "She presented with cough.",
            "On day 5 she had a rash.",
            "A biopsy was done on day 9 from the onset of her fever.",
        ],
    ],
)
def test_days_of_the_illness_fix_no_later_day(
    orderer: TemporalOrderer, sentences: list[str]
) -> None:
    """Days numbered before the presentation, or from the illness's onset, count from a day
    that may precede it."""
    events = [("fever", SIGN), ("cough", SIGN), ("rash", SIGN)]
    events = [e for e in events if e[0] in " ".join(sentences)]
    assert days(orderer(make_case(sentences, events)))["rash"] == (None, 0.0)


@pytest.mark.parametrize(
    ("second", "events", "when"),
    [
        ("She also had longstanding back pain.", [("back pain", SIGN)], (None, None)),
        ("She reported chronic stress from her work.", [("stress", SIGN)], (None, None)),
        # What a sentence tells as seen or found is seen that day.
        ("Histology showed chronic inflammation.", [("inflammation", SIGN)], (None, 0.0)),
        # What a test shows is seen on the test's day.
        (
            "Biopsy showed longstanding inflammation.",
            [("Biopsy", EntityType.DIAGNOSTIC_PROCEDURE), ("inflammation", SIGN)],
            (None, 0.0),
        ),
    ],
)
def test_a_longstanding_complaint_told_later_began_before_the_presentation(
    orderer: TemporalOrderer,
    second: str,
    events: list[tuple[str, EntityType]],
    when: tuple[float | None, float | None],
) -> None:
    case = orderer(make_case(["She presented with fever.", second], [("fever", SIGN), *events]))
    assert days(case)[events[-1][0]] == when


def test_the_event_a_distance_is_counted_from_is_not_at_that_distance(
    orderer: TemporalOrderer,
) -> None:
    sentences = ["He had anal pain 6 d prior to admission.", "On admission he had fever."]
    events = [("anal pain", SIGN), ("admission", EntityType.CLINICAL_EVENT), ("fever", SIGN)]
    found = days(orderer(make_case(sentences, events)))
    assert found["anal pain"] == (-6.0, None)
    assert "admission" not in found  # the first "admission", no event 6 days before itself


def test_an_age_at_the_time_counts_back_from_the_patients_age(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She presented with fever.", "She had a stroke at the age of 20."],
            [("fever", SIGN), ("stroke", DISEASE)],
            age=29,
        )
    )
    assert placed(case)["stroke"] == (0, -3287.25)
    assert placed(case)["fever"][1] == 0.0


def test_an_approximate_age_is_an_age(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She presented with fever.", "She had a stroke at the age of approximately 20 years."],
            [("fever", SIGN), ("stroke", DISEASE)],
            age=29,
        )
    )
    assert placed(case)["stroke"] == (0, -3287.25)


def test_a_date_mention_no_rule_reads_is_kept_unnormalised(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She presented with fever during the holidays."],
            [("fever", SIGN), ("during the holidays", EntityType.DATE)],
        )
    )
    (time,) = case.times
    assert (time.kind, time.offset_days, time.mention) == ("unnormalised", None, "m1")


def test_following_the_procedure_comes_after_it_and_two_days_later_counts_from_it(
    orderer: TemporalOrderer,
) -> None:
    # The text says the discharge came after the biopsy, not on which day: a lower bound.
    case = orderer(
        make_case(
            [
                "She underwent a biopsy.",
                "Following the procedure she complained of discharge.",
                "Two days later she complained of headache.",
            ],
            [("biopsy", TEST), ("discharge", SIGN), ("headache", SIGN)],
        )
    )
    found = placed(case)
    assert found["biopsy"][0] < found["discharge"][0] < found["headache"][0]
    assert days(case) == {
        "biopsy": (0.0, None),
        "discharge": (None, 0.0),
        "headache": (2.0, None),
    }


def test_n_days_later_counts_from_the_event_told_just_before(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She had a fever.",
                "Two days later a rash appeared.",
                "A week after the rash, she had a seizure.",
                "Three days later she was intubated.",
            ],
            [
                ("fever", SIGN),
                ("rash", SIGN),
                ("rash", SIGN),
                ("seizure", SIGN),
                ("intubated", THERAPY),
            ],
        )
    )
    timeline = {e.mention: (e.order, e.offset_days) for e in case.timeline}
    assert timeline == {
        "m0": (0, 0.0),
        "m1": (1, 2.0),
        "m2": (1, 2.0),
        "m3": (2, 9.0),
        "m4": (3, 12.0),
    }


def test_n_days_later_after_a_dated_past_counts_from_that_date(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "He presented in September 2018 with ear discharge.",
                "He had a history of seawater contact in August 2015.",
                "After a couple of days, he noticed drainage from both ears.",
            ],
            [("discharge", SIGN), ("seawater contact", EVENT), ("drainage", SIGN)],
        )
    )
    (august,) = (t.offset_days for t in case.times if t.text == "in August 2015")
    assert august is not None and august < -3 * 365
    assert days(case)["drainage"] == (august + 2.0, None)
    assert days(case)["discharge"] == (0.0, None)


def test_a_treatment_told_after_a_dated_past_goes_on_telling_it(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "A 50-year-old woman presented with dyspnea.",
                "Five years ago, she was diagnosed with breast cancer.",
                "She underwent mastectomy.",
                "Examination revealed crackles.",
            ],
            [
                ("presented", EVENT),
                ("dyspnea", SIGN),
                ("breast cancer", DISEASE),
                ("mastectomy", THERAPY),
                ("Examination", TEST),
                ("crackles", SIGN),
            ],
        )
    )
    found = placed(case)
    assert found["breast cancer"][0] < found["mastectomy"][0] < found["presented"][0]
    assert days(case)["mastectomy"] == (None, -5 * 365.25)
    assert days(case)["crackles"] == (None, 0.0)


def test_a_treatment_told_only_as_later_after_a_dated_past_goes_on_telling_it(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "A 62-year-old man was referred for a neck mass.",
                "Five years ago, he was diagnosed with renal cell carcinoma.",
                "Subsequently, he received interferon therapy.",
                "On examination, a firm mass was palpable.",
            ],
            [("referred", EVENT), ("neck mass", SIGN), ("renal cell carcinoma", DISEASE),
             ("interferon therapy", THERAPY), ("firm mass", SIGN)],
        )
    )  # fmt: skip
    assert days(case)["interferon therapy"] == (None, -5 * 365.25)
    assert days(case)["firm mass"] == (None, 0.0)


def test_n_days_after_an_event_counts_from_that_event_even_when_told_later(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with fever.",
                "She underwent a biopsy two days later.",
                "Five days later she had a rash.",
                "Three days after the biopsy she had a cough.",
            ],
            [("fever", SIGN), ("biopsy", TEST), ("rash", SIGN), ("biopsy", TEST), ("cough", SIGN)],
        )
    )
    found = placed(case)
    assert days(case)["rash"] == (7.0, None)
    assert days(case)["cough"] == (5.0, None)
    assert found["biopsy"][0] < found["cough"][0] < found["rash"][0]


def test_hospital_and_postoperative_days_meet_on_one_axis(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She was admitted with abdominal pain.",
                "On hospital day 2 she underwent a laparotomy.",
                "On postoperative day 3 she had a fever.",
                "On day 6 of admission she was discharged.",
            ],
            [
                ("abdominal pain", SIGN),
                ("laparotomy", THERAPY),
                ("fever", SIGN),
                ("discharged", EVENT),
            ],
        )
    )
    assert days(case) == {
        "abdominal pain": (0.0, None),
        "laparotomy": (1.0, None),
        "fever": (4.0, None),
        "discharged": (5.0, None),
    }
    found = placed(case)
    assert found["laparotomy"][0] < found["fever"][0] < found["discharged"][0]


def test_days_of_no_stated_clock_count_from_the_day_0_the_report_told(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "He was referred to our clinic for dyspnea (day 0).",
                "Cyclosporin was started at day 2.",
                "On day 37 he developed emphysema.",
            ],
            [("dyspnea", SIGN), ("Cyclosporin", EntityType.MEDICATION), ("emphysema", SIGN)],
        )
    )
    assert days(case) == {
        "dyspnea": (0.0, None),
        "Cyclosporin": (2.0, None),
        "emphysema": (37.0, None),
    }


def test_a_clock_whose_start_is_a_lower_bound_gives_lower_bounds(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented to the clinic with fever.",
                "She was later admitted to hospital.",
                "On hospital day 3 she had a rash.",
            ],
            [("fever", SIGN), ("admitted", EVENT), ("rash", SIGN)],
        )
    )
    # Admitted on day 0 or later, so hospital day 3 is day 2 or later.
    assert days(case)["admitted"] == (None, 0.0)
    assert days(case)["rash"] == (None, 2.0)
    assert placed(case)["admitted"][0] < placed(case)["rash"][0]


def test_then_leaves_the_gap_unstated_and_later_amounts_count_from_a_lower_bound(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with fever, then underwent surgery.",
                "Two days later she had a rash.",
                "The rash resolved.",
            ],
            [
                ("fever", SIGN),
                ("surgery", THERAPY),
                ("rash", SIGN),
                ("resolved", EntityType.OUTCOME),
            ],
        )
    )
    assert days(case) == {
        "fever": (0.0, None),
        "surgery": (None, 0.0),
        "rash": (None, 2.0),
        "resolved": (None, 2.0),
    }


def test_a_follow_up_told_twice_is_one_time_not_two(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She presented with anaemia and was treated with a laser.",
                "At 6 months follow-up her haemoglobin had improved.",
                "Her epistaxis at 6 month follow up was mild.",
            ],
            [("anaemia", SIGN), ("laser", THERAPY), ("haemoglobin", TEST), ("epistaxis", SIGN)],
        )
    )
    assert days(case)["haemoglobin"] == days(case)["epistaxis"] == (None, 182.625)


def test_at_that_time_after_an_undated_clause_is_the_date_its_sentence_opened_with(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She visited the clinic with wrist pain.",
                "Seven years prior to the visit, she had been treated for heel pain.",
                "At that time, a radiograph showed osteoporosis.",
            ],
            [
                ("visited", EVENT),
                ("wrist pain", SIGN),
                ("visit", EVENT),
                ("heel pain", SIGN),
                ("radiograph", TEST),
            ],
        )
    )
    assert days(case)["radiograph"] == (-7 * 365.25, None)


def test_at_that_time_is_the_time_told_just_before_and_at_the_time_of_x_is_xs(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with haemoptysis.",
                "Two days later she had a bronchoscopy.",
                "She had had a pneumonia 3 years earlier.",
                "At that time a chest radiograph was normal.",
                "The bleeding had started at the time of presentation.",
            ],
            [
                ("haemoptysis", SIGN),
                ("bronchoscopy", TEST),
                ("pneumonia", DISEASE),
                ("chest radiograph", TEST),
                ("bleeding", SIGN),
            ],
        )
    )
    found = days(case)
    assert found["pneumonia"] == found["chest radiograph"] == (2.0 - 1095.75, None)
    assert found["bleeding"] == (0.0, None)
    case = orderer(
        make_case(
            [
                "She underwent a biopsy for a new diagnosis of lymphoma.",
                "No bleeding was seen at that time.",
            ],
            [("biopsy", TEST), ("lymphoma", DISEASE), ("bleeding", SIGN)],
        )
    )
    assert days(case)["bleeding"] == (0.0, None)  # the biopsy's time, not the lymphoma's


def test_ages_count_from_the_anchors_own_age_and_one_within_a_year_gives_no_day(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She was diagnosed with medulloblastoma at age 3 years.",
                "At age 6 years, she had a stroke.",
                "At age 9 years she had a seizure.",
            ],
            [("medulloblastoma", DISEASE), ("stroke", DISEASE), ("seizure", SIGN)],
            age=9,
        )
    )
    found = placed(case)
    assert found["medulloblastoma"] == (0, 0.0)
    assert found["stroke"] == (1, 3 * 365.25)
    assert found["seizure"] == (2, 6 * 365.25)
    case = orderer(
        make_case(
            ["She presented with fever.", "At age 29 she had a stroke."],
            [("fever", SIGN), ("stroke", DISEASE)],
            age=29,
        )
    )
    assert days(case)["stroke"] == (None, None)


def test_after_the_initial_test_counts_from_the_first_one_told(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "He presented with bleeding and had a colonoscopy.",
                "A colonoscopy three months later was normal.",
                "A colonoscopy one year after the initial colonoscopy showed a polyp.",
            ],
            [
                ("bleeding", SIGN),
                ("colonoscopy", TEST),
                ("colonoscopy", TEST),
                ("colonoscopy", TEST),
                ("colonoscopy", TEST),
                ("polyp", SIGN),
            ],
        )
    )
    assert days(case)["polyp"] == (365.25, None)


def test_a_birth_date_dates_no_event(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "A man, born in 1973, fell off a balcony in 1993 and developed tetraplegia.",
                "In 1996, a deafferentation was performed.",
            ],
            [("fell", EVENT), ("tetraplegia", SIGN), ("deafferentation", THERAPY)],
        )
    )
    assert days(case)["deafferentation"] == (1095.0, None)  # from 1993, not from 1973


def test_at_this_time_keeps_the_day_a_sentence_without_time_does_not(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "Two days later she had a headache.",
                "A CT performed at this time was normal.",
                "An MRI was performed.",
            ],
            [("headache", SIGN), ("CT", TEST), ("MRI", TEST)],
        )
    )
    found = days(case)
    assert found["headache"] == found["CT"] == (0.0, None)
    assert found["MRI"] == (None, 0.0)


def test_a_sentence_ending_in_the_comma_of_a_leading_connective_is_ordered(
    orderer: TemporalOrderer,
) -> None:
    # Regression: ten words cut from a report ("… Following this,") failed the analysis.
    case = orderer(make_case(["She had a stroke.", "Following this,"], [("stroke", SIGN)]))
    assert placed(case) == {"stroke": (0, 0.0)}


def test_the_narrative_of_the_example_is_in_order(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She underwent a trephine biopsy for a new diagnosis of lymphoma.",
                "Following the procedure she complained of discharge.",
                "Two days later she complained of headache.",
                "Anaesthetists then performed a blood patch, following which she reported "
                "improvement.",
                "She made a full recovery and proceeded to complete her chemotherapy.",
            ],
            [
                ("trephine biopsy", TEST),
                ("lymphoma", DISEASE),
                ("discharge", SIGN),
                ("headache", SIGN),
                ("blood patch", THERAPY),
                ("improvement", EntityType.OUTCOME),
                ("full recovery", EntityType.OUTCOME),
                ("chemotherapy", THERAPY),
            ],
        )
    )
    found = placed(case)
    story = ["lymphoma", "trephine biopsy", "discharge", "headache", "blood patch"]
    story += ["improvement", "full recovery", "chemotherapy"]
    assert [found[w][0] for w in story] == sorted(found[w][0] for w in story)
    assert len({found[w][0] for w in story}) == len(story)
    assert found["lymphoma"][1] is None
    # Nothing in the text fixes the day of the blood patch or of what follows it.
    assert days(case)["headache"] == (2.0, None)
    assert {days(case)[w] for w in story[4:]} == {(None, 2.0)}


def test_history_comes_before_the_presentation(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She presented with headache.", "She had previously undergone a splenectomy."],
            [("presented", EVENT), ("headache", SIGN), ("splenectomy", THERAPY)],
        )
    )
    found = placed(case)
    assert found["splenectomy"][0] < found["presented"][0] == found["headache"][0]
    assert found["splenectomy"][1] is None


def test_what_the_patient_had_been_complaining_of_came_before_the_presentation(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["She presented with fever.", "She had been complaining of chronic knee pain."],
            [("presented", EVENT), ("fever", SIGN), ("knee pain", SIGN)],
        )
    )
    found = placed(case)
    assert found["knee pain"][0] < found["presented"][0]


def test_a_bare_duration_dates_the_onset_of_what_a_presentation_presents_only(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "A woman presented with vaginal spotting and discharge for three months.",
                "She was treated with ceftriaxone for 7 days.",
            ],
            [
                ("presented", EVENT),
                ("vaginal spotting", SIGN),
                ("discharge", SIGN),
                ("ceftriaxone", EntityType.MEDICATION),
            ],
        )
    )
    found = days(case)
    assert found["presented"] == (0.0, None)
    assert found["vaginal spotting"] == found["discharge"] == (-91.312, None)
    # How long a drug was given is no time before the presentation.
    assert found["ceftriaxone"][0] is None
    assert {t.text: t.kind for t in case.times}["for 7 days"] == "unnormalised"


def test_an_ago_closing_a_clause_dates_the_clause_not_the_presentation_after_it(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["A man who underwent a bypass 6 years ago was admitted with back pain."],
            [("bypass", THERAPY), ("admitted", EVENT), ("back pain", SIGN)],
        )
    )
    found = days(case)
    assert found["admitted"] == found["back pain"] == (0.0, None)
    assert found["bypass"][0] is not None and found["bypass"][0] < -2000


def test_an_ago_closing_a_status_post_phrase_dates_the_procedure_not_the_referral(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "A man, status post kidney transplantation 3 months ago, was sent to our "
                "institution for elevated creatinine."
            ],
            [("kidney transplantation", THERAPY), ("sent", EVENT), ("elevated creatinine", SIGN)],
        )
    )
    found = days(case)
    assert found["kidney transplantation"][0] is not None
    assert -100 < found["kidney transplantation"][0] < -80
    assert found["sent"][0] is None or found["sent"][0] > -80
    assert found["elevated creatinine"][0] is None or found["elevated creatinine"][0] > -80


def test_events_told_together_share_an_order_and_then_moves_on(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She had fever and cough, then a rash appeared."],
            [("fever", SIGN), ("cough", SIGN), ("rash", SIGN)],
        )
    )
    found = placed(case)
    assert found["fever"][0] == found["cough"][0] < found["rash"][0]


def test_findings_and_results_continue_the_time_before_them(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "He was admitted with fever.",
                "Examination showed a murmur.",
                "He was given aspirin.",
            ],
            [("admitted", EVENT), ("fever", SIGN), ("murmur", SIGN), ("aspirin", THERAPY)],
        )
    )
    found = placed(case)
    assert found["admitted"][0] == found["fever"][0] == found["murmur"][0] < found["aspirin"][0]


def test_a_cause_comes_before_its_effect_in_one_clause(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She had a headache due to a lumbar puncture."],
            [("headache", SIGN), ("lumbar puncture", TEST)],
            relations=[Relation(type="caused_by", source="m0", target="m1")],
        )
    )
    assert placed(case)["lumbar puncture"][0] < placed(case)["headache"][0]


def test_negated_family_and_hypothetical_events_are_not_placed(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She had fever and no complications were reported.",
                "Her mother had lupus and surgery would be considered.",
            ],
            [("fever", SIGN), ("complications", SIGN), ("lupus", DISEASE), ("surgery", THERAPY)],
            assertions={
                "complications": Assertion.NEGATED,
                "lupus": Assertion.FAMILY,
                "surgery": Assertion.HYPOTHETICAL,
            },
        )
    )
    assert set(placed(case)) == {"fever"}


def test_a_family_history_section_is_not_the_patients_timeline(orderer: TemporalOrderer) -> None:
    case = make_case(
        ["She presented with fever.", "Her father had a stroke at 50."],
        [("fever", SIGN), ("stroke", DISEASE)],
    )
    case = case.model_copy(
        update={
            "sections": [
                Section(title="", kind="case_presentation", start=0, end=25),
                Section(
                    title="Family history", kind="family_history", start=26, end=len(case.text)
                ),
            ]
        }
    )
    assert set(placed(orderer(case))) == {"fever"}


def test_a_sentence_about_the_report_itself_is_not_placed(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She presented with a headache after a biopsy.",
                "A blood patch was performed.",
                "Here, we report a case of CSF leak after biopsy.",
            ],
            [("headache", SIGN), ("biopsy", TEST), ("blood patch", THERAPY), ("CSF leak", SIGN)],
        )
    )
    assert "CSF leak" not in placed(case)


def test_discussion_sections_are_not_placed(orderer: TemporalOrderer) -> None:
    case = make_case(
        ["She had fever.", "Fever is common in lupus."], [("fever", SIGN), ("Fever", SIGN)]
    )
    case = case.model_copy(
        update={
            "sections": [
                Section(title="", kind="case_presentation", start=0, end=14),
                Section(title="Discussion", kind="discussion", start=15, end=len(case.text)),
            ]
        }
    )
    assert [e.mention for e in orderer(case).timeline] == ["m0"]


PHRASE_SCOPES = [
    # (sentence, events, what the history cue dates, what the presentation holds)
    ("A man with a two-year history of migraine was admitted with fever and vomiting.",
     ["migraine", "admitted", "fever", "vomiting"], {"migraine": (-730.5, None)},
     ["admitted", "fever", "vomiting"]),
    ("A woman with a history of asthma and eczema, presented with wheeze.",
     ["asthma", "eczema", "presented", "wheeze"], {"asthma": (None, None), "eczema": (None, None)},
     ["presented", "wheeze"]),
    ("A man with a history of gout who developed a rash was seen.",
     ["gout", "rash"], {"gout": (None, None)}, ["rash"]),
    ("She had a 3-day history of cough and on admission had a fever.",
     ["cough", "fever"], {"cough": (-3.0, None)}, ["fever"]),
    ("She had a 4-month history of gradual but progressive swelling.",
     ["swelling"], {"swelling": (-121.75, None)}, []),
    ("A man with a history of angina which was treated with aspirin presented with nausea.",
     ["angina", "aspirin", "nausea"], {"angina": (None, None), "aspirin": (None, None)},
     ["nausea"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("sentence", "words", "history", "presentation"),
    PHRASE_SCOPES,
    ids=[s[0][:40] for s in PHRASE_SCOPES],
)
def test_a_history_of_x_dates_x_and_not_the_clause_after_it(
    orderer: TemporalOrderer,
    sentence: str,
    words: list[str],
    history: dict[str, tuple[float | None, float | None]],
    presentation: list[str],
) -> None:
    """The phrase "history of" governs ends at a new clause's verb or conjunction (not at an
    "and" or "but" inside it, nor at a relative clause of its own) or at the next time cue."""
    kinds = {"admitted": EVENT, "presented": EVENT, "aspirin": EntityType.MEDICATION}
    case = orderer(make_case([sentence], [(w, kinds.get(w, SIGN)) for w in words]))
    found, when = placed(case), days(case)
    assert {w: when[w] for w in history} == history
    assert {when[w] for w in presentation} <= {(0.0, None)}
    assert all(found[h][0] < found[p][0] for h in history for p in presentation)


NUMERIC_DATES = [
    # day first: 13-11 says so; month first: 11/13 says so; ISO says itself.
    (["7-11-2001", "8-11-2001", "13-11-2001"], [1.0, 6.0]),
    (["11/7/2001", "11/8/2001", "11/13/2001"], [1.0, 6.0]),
    (["07.11.2001", "08.11.2001", "13.11.2001"], [1.0, 6.0]),
    (["2001-11-07", "2001-11-08", "2001-11-13"], [1.0, 6.0]),
]


@pytest.mark.parametrize(("dates", "offsets"), NUMERIC_DATES, ids=[d[0][0] for d in NUMERIC_DATES])
def test_numeric_dates_are_read_in_the_order_the_document_uses(
    orderer: TemporalOrderer, dates: list[str], offsets: list[float]
) -> None:
    admitted, operated, imaged = dates
    case = orderer(
        make_case(
            [
                f"A man was admitted ({admitted}) with chest pain.",
                f"Surgery was performed on {operated}.",
                f"An angiography on {imaged} was normal.",
            ],
            [("chest pain", SIGN), ("Surgery", THERAPY), ("angiography", TEST)],
        )
    )
    assert [days(case)[w] for w in ("chest pain", "Surgery", "angiography")] == [
        (0.0, None),
        (offsets[0], None),
        (offsets[1], None),
    ]
    assert {t.kind for t in case.times} == {"date"}


def test_a_numeric_date_the_document_leaves_open_is_not_guessed(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["A man was admitted on 7-11-2001 with chest pain.", "Surgery followed on 8-11-2001."],
            [("chest pain", SIGN), ("Surgery", THERAPY)],
        )
    )
    assert [(t.kind, t.offset_days) for t in case.times] == [("unnormalised", None)] * 2
    assert days(case)["Surgery"] == (None, 0.0)  # told after the admission, day unsaid


@settings(max_examples=100, deadline=None)
@given(
    admitted=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    later=st.lists(st.integers(0, 400), min_size=1, max_size=4),
    first_is_day=st.booleans(),
    separator=st.sampled_from("-/."),
)
def test_a_numeric_date_reads_back_the_day_it_was_written_from(
    admitted: date, later: list[int], first_is_day: bool, separator: str
) -> None:
    """Dates written day first or month first read back their day when some date of the
    document has a day above 12; otherwise those that could be read both ways are left open."""
    written = [admitted] + [admitted + timedelta(days=n) for n in later]

    def numeric(day: date) -> str:
        fields = (day.day, day.month) if first_is_day else (day.month, day.day)
        return separator.join(str(f) for f in (*fields, day.year))

    sentences = [f"She was admitted on {numeric(admitted)} with fever."]
    sentences += [f"Event{i} happened on {numeric(day)}." for i, day in enumerate(written[1:])]
    events = [("fever", SIGN)] + [(f"Event{i}", EVENT) for i in range(len(later))]
    case = TemporalOrderer()(make_case(sentences, events))
    decided = any(day.day > 12 for day in written)
    read = [decided or day.day == day.month for day in written]
    for day, was_read, time in zip(written, read, case.times, strict=True):
        if not was_read:
            assert (time.kind, time.offset_days) == ("unnormalised", None)
        elif read[0]:  # counted from the admission's date
            assert (time.kind, time.offset_days) == ("date", float((day - admitted).days))
        else:
            assert time.kind == "date"


EVENT_WORDS = ["fever", "rash", "cough", "biopsy", "aspirin", "surgery", "discharge", "MRI"]
TEMPLATES = [
    "She presented with {0}.",
    "She was admitted with {0}.",
    "Two days later she had {0}.",
    "Three days after {1} she had {0}.",
    "On hospital day 4 she had {0}.",
    "On postoperative day 2 she had {0}.",
    "Following the procedure she had {0}.",
    "A week before {1} she had {0}.",
    "At that time she had {0}.",
    "At 6 months follow-up she had {0}.",
    "At age 5 she had {0}.",
    "After 3 days of {1} she had {0}.",
    "She had {0} and {1}.",
    "There was {0}, then {1}.",
    "She had previously had {0}.",
    "On day 3 she had {0}.",
    "At follow-up she had {0}.",
    "Ten years ago she had {0}.",
    "The next morning {0} appeared.",
    "On admission {0} was noted.",
    "{0} occurred after {1}.",
    "In March 2015 she had {0}.",
    "A CT revealed {0}.",
]
TYPES = [SIGN, TEST, THERAPY, EVENT, DISEASE, EntityType.MEDICATION, EntityType.OUTCOME]


@st.composite
def narratives(draw: st.DrawFn) -> Case:
    """A few template sentences, each event word used once, with random event types."""
    chosen = draw(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=6))
    words = iter(draw(st.permutations(EVENT_WORDS)) + [f"event{i}" for i in range(20)])
    sentences: list[str] = []
    events: list[tuple[str, EntityType]] = []
    for template in chosen:
        slots = [next(words) for _ in range(template.count("{"))]
        sentences.append(template.format(*slots))
        events += [(word, draw(st.sampled_from(TYPES))) for word in slots]
    return make_case(sentences, events, age=draw(st.none() | st.integers(1, 90)))


@settings(max_examples=150, deadline=None)
@given(narratives())
def test_every_event_is_placed_once_in_a_consistent_order(case: Case) -> None:
    """Each event once, orders 0…n, equal orders only for events told as simultaneous."""
    ordered = TemporalOrderer()(case)
    ids = [e.mention for e in ordered.timeline]
    assert sorted(ids) == sorted(m.id for m in case.mentions)
    orders = sorted({e.order for e in ordered.timeline})
    assert orders == list(range(len(orders)))
    starts = {m.id: m.start for m in case.mentions}
    cues = [t for t in ordered.times if t.kind not in ("same", "unnormalised")]
    # "Three days after {1}": the event {1} names is placed where it was told before.
    named = {m.id for m in case.mentions if any(m.start == t.end + 1 for t in cues)}
    events = ordered.timeline
    for a in events:
        assert a.offset_days is None or a.min_offset_days is None
        for b in events:
            if a.order == b.order:
                # Told as simultaneous: no time expression between them, and days that agree
                # (one exact, the other a lower bound at most that day).
                low, high = sorted((starts[a.mention], starts[b.mention]))
                if not {a.mention, b.mention} & named:
                    assert not any(low < t.start < high for t in cues)
                if a.offset_days is not None and b.offset_days is not None:
                    assert a.offset_days == b.offset_days
                if a.offset_days is not None and b.min_offset_days is not None:
                    assert b.min_offset_days <= a.offset_days
            if a.order < b.order and a.offset_days is not None and b.offset_days is not None:
                assert a.offset_days <= b.offset_days


def test_the_packaged_rules_round_trip() -> None:
    rules = load_rules("temporal.json", TemporalRules)
    assert TemporalRules.model_validate_json(rules.model_dump_json()) == rules


def test_a_pattern_that_is_not_a_regex_is_a_coded_error(tmp_path: Path) -> None:
    data = json.loads(resource_path("temporal.json").read_text(encoding="utf-8"))
    data["expressions"][0]["pattern"] = "{n} (days later"
    path = tmp_path / "temporal.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CasebookError) as error:
        TemporalOrderer(path)
    assert error.value.code is ErrorCode.INVALID_RESOURCE


def test_people_and_places_the_mention_model_typed_as_events_are_not_placed(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "Anaesthetic colleagues then performed a blood patch.",
                "She left hospital two days later.",
            ],
            [
                ("Anaesthetic colleagues", THERAPY),
                ("blood patch", THERAPY),
                ("left hospital", EVENT),
            ],
        )
    )
    assert set(placed(case)) == {"blood patch", "left hospital"}


def test_a_disease_a_department_is_named_after_is_no_event(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She had fever and was admitted to the clinic of the infectious diseases."],
            [("fever", SIGN), ("admitted", EVENT), ("infectious diseases", DISEASE)],
        )
    )
    assert set(placed(case)) == {"fever", "admitted"}


def test_names_in_an_aside_telling_a_maker_and_its_country_are_no_event(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["She had fever; blood cultures were run on a VITEK system (Acme, Lyon, France)."],
            [("fever", SIGN), ("blood cultures", TEST), ("Lyon", TEST)],
        )
    )
    assert set(placed(case)) == {"fever", "blood cultures"}


def test_words_that_something_was_told_or_named_are_no_event(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "The patient presented with fever.",
                "She acknowledged a cough.",
                "Two nodes were referred to as enlarged lymph nodes.",
            ],
            [
                ("presented", EVENT),
                ("fever", SIGN),
                ("acknowledged", EVENT),
                ("cough", SIGN),
                ("referred", EVENT),
            ],
        )
    )
    assert set(placed(case)) == {"presented", "fever", "cough"}


def test_a_patient_reported_to_a_department_presented_there(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She had a rash for 2 weeks.", "She reported to the Department with an ulcer."],
            [("rash", SIGN), ("reported", EVENT), ("ulcer", SIGN)],
        )
    )
    assert "reported" in placed(case)


def test_referred_to_as_tells_no_presentation(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["A 68-year-old man had a cough.", "Two lesions were referred to as lymph nodes."],
            [("cough", SIGN), ("lesions", SIGN)],
        )
    )
    assert days(case)["cough"] == (0.0, None)


def test_what_a_dated_flashback_goes_on_telling_is_no_presentation(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "The patient is a man who underwent a surgery 46 years earlier.",
                "During the surgical procedure, a bacterial endocarditis was found.",
                "Follow-up was unremarkable until the age of 55, when echocardiography showed "
                "a dilation of the aorta.",
            ],
            [
                ("surgery", THERAPY),
                ("bacterial endocarditis", DISEASE),
                ("echocardiography", TEST),
                ("dilation", SIGN),
            ],
            age=55.0,
        )
    )
    assert days(case)["dilation"] == (0.0, None)
    assert placed(case)["bacterial endocarditis"][0] < placed(case)["dilation"][0]
    # "During the surgical procedure" is the time of the surgery told just before it.
    assert days(case)["bacterial endocarditis"] == days(case)["surgery"] == (-16801.5, None)


def test_years_before_admittance_count_back_from_the_admission(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "A woman was admitted for a pheochromocytoma.",
                "She underwent a hysterectomy 12 years before admittance.",
            ],
            [("admitted", EVENT), ("pheochromocytoma", DISEASE), ("hysterectomy", THERAPY)],
        )
    )
    assert days(case)["hysterectomy"] == (-12 * 365.25, None)


def test_a_complaint_dated_months_earlier_is_no_flashback(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "A man underwent an examination for otalgia appearing 3 months earlier.",
                "At endoscopy, a nasopharyngeal lesion was found.",
                "At 4 months of follow-up, the thrombosis had resolved.",
            ],
            [("examination", TEST), ("otalgia", SIGN), ("lesion", SIGN), ("thrombosis", SIGN)],
        )
    )
    assert days(case)["lesion"] == (0.0, None)


def test_a_finding_told_in_the_distant_past_is_past_history(orderer: TemporalOrderer) -> None:
    # The endocarditis was found during the operation of 46 years earlier; the back pain, told
    # after it without a time, and the rash of three days ago are the present illness.
    case = make_case(
        [
            "He underwent surgery for a septal defect 46 years earlier.",
            "During the procedure, a bacterial endocarditis was found.",
            "He developed back pain.",
            "He had a rash 3 days ago.",
            "At 55 he presented with a dilation of the aorta.",
        ],
        [
            ("surgery", THERAPY),
            ("septal defect", DISEASE),
            ("bacterial endocarditis", DISEASE),
            ("back pain", SIGN),
            ("rash", SIGN),
            ("presented", EVENT),
            ("dilation", SIGN),
        ],
    )
    asserted = {m.text: m.assertion for m in orderer(case).mentions}
    assert asserted == {
        "surgery": Assertion.PRESENT,  # a procedure keeps its assertion: only findings are past
        "septal defect": Assertion.HISTORICAL,
        "bacterial endocarditis": Assertion.HISTORICAL,
        "back pain": Assertion.PRESENT,
        "rash": Assertion.PRESENT,
        "presented": Assertion.PRESENT,
        "dilation": Assertion.PRESENT,
    }


def test_a_complaint_a_duration_of_illness_dates_is_present_a_disorder_past(
    orderer: TemporalOrderer,
) -> None:
    # Dyspnea of four years and cough of five are still there at the presentation; a
    # hypertension of ten years is past history, as a tuberculosis of three years ago is.
    case = make_case(
        [
            "He presented with a 4-year history of dyspnea and cough for the past 5 years.",
            "He had a 10-year history of hypertension.",
            "He had tuberculosis 3 years ago.",
        ],
        [
            ("presented", EVENT),
            ("dyspnea", SIGN),
            ("cough", SIGN),
            ("hypertension", DISEASE),
            ("tuberculosis", DISEASE),
        ],
    )
    placed = orderer(case)
    asserted = {m.text: m.assertion for m in placed.mentions}
    assert asserted == {
        "presented": Assertion.PRESENT,
        "dyspnea": Assertion.PRESENT,
        "cough": Assertion.PRESENT,
        "hypertension": Assertion.HISTORICAL,
        "tuberculosis": Assertion.HISTORICAL,
    }
    assert days(placed)["dyspnea"] == (-4 * 365.25, None)


def test_a_disorder_the_presentation_presents_with_its_duration_is_present(
    orderer: TemporalOrderer,
) -> None:
    # What the patient presents with is the present illness, whatever its type; a disorder of
    # the same duration told apart from the presentation is past history.
    case = make_case(
        [
            "He presented to the clinic with a 16-year history of psoriasis.",
            "He had a 16-year history of gout.",
        ],
        [("presented", EVENT), ("psoriasis", DISEASE), ("gout", DISEASE)],
    )
    asserted = {m.text: m.assertion for m in orderer(case).mentions}
    assert asserted["psoriasis"] is Assertion.PRESENT
    assert asserted["gout"] is Assertion.HISTORICAL


def test_a_history_the_presentation_presents_with_a_duration_after_it_is_present(
    orderer: TemporalOrderer,
) -> None:
    # "for the past four years" dates the pyelonephritis the patient presents with.
    case = make_case(
        ["She presented to the clinic with a history of pyelonephritis for the past four years."],
        [("presented", EVENT), ("pyelonephritis", DISEASE)],
    )
    placed = orderer(case)
    assert placed.mentions[1].assertion is Assertion.PRESENT
    assert days(placed)["pyelonephritis"] == (-4 * 365.25, None)


def test_a_duration_before_the_presentation_does_not_date_it(orderer: TemporalOrderer) -> None:
    # The smoking lasted 20 years; the presentation and its hemoptysis are today.
    case = make_case(
        ["A smoker for the past 20 years presented with hemoptysis."],
        [("presented", EVENT), ("hemoptysis", SIGN)],
    )
    placed = days(orderer(case))
    assert placed["presented"] == (0.0, None)
    assert placed["hemoptysis"] == (0.0, None)


def test_an_ago_or_back_dates_the_event_told_before_it_and_the_next_item_its_own(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with pain.",
                "She had a delivery 14 years ago and a cesarean section 12 years back.",
                "She underwent a mastectomy 5 years ago for breast cancer.",
            ],
            [
                ("pain", SIGN),
                ("delivery", THERAPY),
                ("cesarean section", THERAPY),
                ("mastectomy", THERAPY),
                ("breast cancer", DISEASE),
            ],
        )
    )
    found = days(case)
    assert found["delivery"] == (-14 * 365.25, None)
    assert found["cesarean section"] == (-12 * 365.25, None)
    assert found["mastectomy"] == found["breast cancer"] == (-5 * 365.25, None)


def test_ages_since_and_years_old_date_the_event_before_them_from_the_patients_age(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with pain.",
                "She had asthma since the age of 33 and underwent an oophorectomy at 48 years old.",
            ],
            [("pain", SIGN), ("asthma", DISEASE), ("oophorectomy", THERAPY)],
            age=51,
        )
    )
    found = days(case)
    assert found["asthma"] == (-18 * 365.25, None)
    assert found["oophorectomy"] == (-3 * 365.25, None)


def test_an_age_above_the_patients_age_dates_nothing(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            ["She presented with pain.", "She had a stroke at the age of 40."],
            [("pain", SIGN), ("stroke", DISEASE)],
            age=30,
        )
    )
    assert days(case)["stroke"] == (None, None)


def test_a_presentation_told_at_an_age_years_ago_is_not_the_reports(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with dysmenorrhea when she was 16 years old.",
                "She visited a clinic with pelvic pain.",
            ],
            [("dysmenorrhea", SIGN), ("visited", EVENT), ("pelvic pain", SIGN)],
            age=31,
        )
    )
    found = days(case)
    assert found["visited"] == found["pelvic pain"] == (0.0, None)
    assert found["dysmenorrhea"] == (-15 * 365.25, None)


def test_what_follows_an_age_is_the_narratives_time_unless_it_goes_on_telling_it(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with fever.",
                "She had a stroke at the age of 20 but has a headache now.",
                "She was diagnosed with CVID at the age of 21; her immunoglobulin levels were low.",
            ],
            [
                ("fever", SIGN),
                ("stroke", DISEASE),
                ("headache", SIGN),
                ("CVID", DISEASE),
                ("immunoglobulin levels", TEST),
            ],
            age=30,
        )
    )
    found = days(case)
    assert found["stroke"] == (-10 * 365.25, None)
    assert 0.0 in found["headache"]  # the present, not the stroke's time
    assert found["CVID"] == found["immunoglobulin levels"] == (-9 * 365.25, None)


def test_a_year_places_an_event_only_against_a_presentation_year_it_does_not_hold(
    orderer: TemporalOrderer,
) -> None:
    dated = orderer(
        make_case(
            [
                "In March 2015, he presented with chest pain.",
                "He had a stroke in 2003.",
                "He was given aspirin in 2015.",
            ],
            [("chest pain", SIGN), ("stroke", DISEASE), ("aspirin", EntityType.MEDICATION)],
        )
    )
    found = days(dated)
    assert found["stroke"][0] is not None and found["stroke"][0] < -4000
    assert found["aspirin"] == (None, None)  # in the presentation's year: before or after it
    undated = orderer(
        make_case(
            ["He presented with chest pain.", "He had had a stroke in 2003."],
            [("chest pain", SIGN), ("stroke", DISEASE)],
        )
    )
    assert days(undated)["stroke"] == (None, None)


def test_a_medical_history_significant_for_or_included_is_past_history(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with fever.",
                "Her medical history was significant for hypertension and asthma.",
                "His past history included diabetes.",
            ],
            [
                ("fever", SIGN),
                ("hypertension", DISEASE),
                ("asthma", DISEASE),
                ("diabetes", DISEASE),
            ],
        )
    )
    found = days(case)
    assert found["hypertension"] == found["asthma"] == found["diabetes"] == (None, None)


def test_ages_listed_in_months_date_from_the_first_in_months(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She presented with fever.",
                "At the age of 12 and 26 months, she was hospitalized for pneumonia.",
            ],
            [("fever", SIGN), ("pneumonia", DISEASE)],
            age=9,
        )
    )
    assert days(case)["pneumonia"] == (-8 * 365.25, None)  # at 12 months, not 12 years


def test_a_second_age_dates_the_words_before_it_when_the_first_dated_no_event(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with dysmenorrhea.",
                "She was married at 29 years old and began infertility treatment at 30 years old.",
            ],
            [("dysmenorrhea", SIGN), ("infertility treatment", THERAPY)],
            age=31,
        )
    )
    assert days(case)["infertility treatment"] == (-365.25, None)  # at 30, not 29


def test_an_ago_after_what_a_presentation_presents_dates_that_not_the_presenting(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["A 52-year-old woman presenting with a neck swelling a year ago was evaluated."],
            [("presenting", EVENT), ("neck swelling", SIGN)],
            age=52,
        )
    )
    found = days(case)
    assert found["presenting"] == (0.0, None)
    assert found["neck swelling"] == (-365.25, None)


def test_a_time_before_dates_what_an_admission_to_a_place_presents_not_the_admission(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["A 75-year-old man was admitted to our hospital with a polypoid mass that had "
             "appeared on the scrotum approximately one year before."],
            [("admitted", EVENT), ("polypoid mass", SIGN)],
            age=75,
        )
    )  # fmt: skip
    found = days(case)
    assert found["admitted"] == (0.0, None)
    assert found["polypoid mass"] == (-365.25, None)


def test_a_history_phrase_ends_where_and_opens_a_clause_of_the_patients(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["She was admitted with impaired vision.",
             "She had a history of hypertension, and she started oral steroids 2 weeks prior."],
            [("admitted", EVENT), ("hypertension", DISEASE), ("steroids", THERAPY)],
            age=88,
        )
    )  # fmt: skip
    found = days(case)
    assert found["hypertension"] == (None, None)
    assert found["steroids"] == (None, -14.0)


def test_the_items_listed_after_a_dated_item_do_not_take_its_date(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She was admitted with dyspnea.",
                "She had been diagnosed with breast cancer 15 years ago, hypertension, and COPD.",
            ],
            [("dyspnea", SIGN), ("breast cancer", DISEASE), ("hypertension", DISEASE),
             ("COPD", DISEASE)],
        )
    )  # fmt: skip
    found = days(case)
    assert found["breast cancer"] == (-15 * 365.25, None)
    assert found["hypertension"] == found["COPD"] == (None, None)


def test_a_relatives_age_dates_nothing_of_the_patients(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "She presented with fever.",
                "Her infant was admitted at the age of 10 days with jaundice.",
                "At the age of 20, her brother had a seizure.",
                "Her mother noticed that she had a limp at the age of 3.",
            ],
            [("fever", SIGN), ("admitted", EVENT), ("jaundice", SIGN), ("seizure", SIGN),
             ("limp", SIGN)],
            age=30,
        )
    )  # fmt: skip
    found = days(case)
    assert found["jaundice"] == found["seizure"] == (None, None)
    assert found["limp"] == (-27 * 365.25, None)


def test_an_adults_birth_is_placed_only_where_an_age_dates_it(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "A 66-year-old woman, born in Beijing, was admitted with cough.",
                "He was born in Ohio and moved to Texas.",
            ],
            [("born", EVENT), ("admitted", EVENT), ("cough", SIGN), ("born", EVENT)],
            age=66,
        )
    )
    assert [e.mention for e in case.timeline if e.mention in ("m0", "m3")] == ["m3"]
    assert days(case)["born"] == (-66 * 365.25, None)


def test_a_relative_told_of_by_who_or_a_pronoun_of_their_sex_has_their_own_age(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with fever.",
                "She had a brother who had a stroke at the age of 21.",
                "Her daughter had a goiter, found when she had a cold at the age of 14.",
                "Her mother recalled she had a limp at the age of 3.",
                "Her father had gout when she had asthma at the age of 5.",
            ],
            [("fever", SIGN), ("stroke", DISEASE), ("goiter", DISEASE), ("cold", DISEASE),
             ("limp", SIGN), ("gout", DISEASE), ("asthma", DISEASE)],
            age=30,
        )
    )  # fmt: skip
    found = days(case)
    assert found["stroke"] == found["goiter"] == found["cold"] == (None, None)
    assert found["limp"] == (-27 * 365.25, None)
    assert found["asthma"] == (-25 * 365.25, None)


def test_after_a_period_of_n_months_counts_from_the_event_told_before(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "He presented with a loose molar.",
                "The tooth was extracted on admission.",
                "Following a healing period of four months, the implant was placed.",
            ],
            [("loose molar", SIGN), ("extracted", THERAPY), ("implant", THERAPY)],
        )
    )
    assert days(case)["implant"] == (4 * 30.4375, None)


def test_an_amount_before_a_time_dates_the_words_before_it_as_an_ago_does(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She presented with shoulder pain.",
                "She had undergone a mastectomy 19 years prior, and a recurrence appeared 10 "
                "years prior.",
            ],
            [("shoulder pain", SIGN), ("mastectomy", THERAPY), ("recurrence", DISEASE)],
        )
    )
    found = days(case)
    assert found["mastectomy"] == (None, -19 * 365.25)
    assert found["recurrence"] == (None, -10 * 365.25)


def test_a_presentation_with_a_complaint_of_the_last_months_is_not_months_old(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            ["She presented with dyspnea for the last 6 months.", "She was given oxygen."],
            [("presented", EVENT), ("dyspnea", SIGN), ("oxygen", EntityType.MEDICATION)],
        )
    )
    found = days(case)
    assert found["presented"] == (0.0, None)
    assert found["dyspnea"] == (-6 * 30.4375, None)
    case = orderer(
        make_case(
            ["He presents for evaluation of a rash that has spread over the past 4 months."],
            [("presents", EVENT), ("rash", SIGN)],
        )
    )
    assert days(case)["presents"] == (0.0, None)


def test_a_time_within_the_span_before_the_presentation_is_before_it(
    orderer: TemporalOrderer,
) -> None:
    # "in the past year" bounds the diagnosis: on or after a year before the presentation.
    case = orderer(
        make_case(
            [
                "He presented to the clinic with chest pain; he had been diagnosed with diabetes "
                "in the past year.",
                "He was given aspirin.",
            ],
            [("presented", EVENT), ("diabetes", DISEASE), ("aspirin", EntityType.MEDICATION)],
        )
    )
    found = days(case)
    assert found["presented"] == (0.0, None)
    assert found["diabetes"] == (None, -365.25)


def test_an_amount_later_counts_from_the_time_its_sentence_went_back_to(
    orderer: TemporalOrderer,
) -> None:
    # The swelling came 4 months after an extraction a year ago: 8 months before, not after.
    case = orderer(
        make_case(
            [
                "He presented with pain.",
                "He had a tooth extraction 1 year ago, and after 4 months a swelling appeared.",
            ],
            [("presented", EVENT), ("pain", SIGN), ("extraction", THERAPY), ("swelling", SIGN)],
        )
    )
    found = days(case)
    assert found["extraction"] == (-365.25, None)
    assert found["swelling"] == (-365.25 + 4 * 30.4375, None)


def test_what_the_case_only_mimicked_is_no_event(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "A hemangioma mimicking acute appendicitis.",
                "She presented with pain and was diagnosed with acute appendicitis.",
            ],
            [
                ("hemangioma", DISEASE),
                ("acute appendicitis", DISEASE),
                ("presented", EVENT),
                ("pain", SIGN),
                ("acute appendicitis", DISEASE),
            ],
        )
    )
    assert set(days(case)) == {"hemangioma", "presented", "pain"}


def test_after_inside_a_sentence_dates_only_its_phrase(orderer: TemporalOrderer) -> None:
    # The biopsy came before the CT; the tumor is what the CT showed, in the narrative's time.
    case = orderer(
        make_case(
            ["She presented with dyspnea.", "A CT after the biopsy revealed a tumor."],
            [("presented", EVENT), ("CT", TEST), ("biopsy", TEST), ("tumor", SIGN)],
        )
    )
    found = days(case)
    assert found["biopsy"] == (None, None)
    assert found["tumor"] == found["CT"] == (None, 0.0)


def test_at_that_time_is_the_time_a_sentence_without_events_told(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "A girl presented with irritability.",
                "One year previously, she had argued with her parents.",
                "At that time, she developed suicidal impulsivity.",
            ],
            [("irritability", SIGN), ("suicidal impulsivity", SIGN)],
        )
    )
    assert days(case)["suicidal impulsivity"] == (-365.25, None)


def test_a_transfer_to_our_hospital_is_the_presentation(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "He fell from a balcony.",
                "He was transferred to our department with hypotension.",
                "A thoracostomy was performed.",
                "The patient presented with hemorrhagic shock.",
            ],
            [("fell", EVENT), ("transferred", EVENT), ("hypotension", SIGN),
             ("thoracostomy", THERAPY), ("presented", EVENT), ("hemorrhagic shock", SIGN)],
        )
    )  # fmt: skip
    assert days(case)["hypotension"] == (0.0, None)


def test_days_after_an_admission_never_told_count_from_the_presentation_each_time(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "He presented with chest trauma.",
                "Two days after admission, he had hemoptysis.",
                "Four days after admission, he had dyspnea.",
            ],
            [("chest trauma", SIGN), ("hemoptysis", SIGN), ("dyspnea", SIGN)],
        )
    )
    found = days(case)
    assert found["hemoptysis"] == (2.0, None)
    assert found["dyspnea"] == (4.0, None)


def test_a_birth_is_placed_at_the_patients_age_ago(orderer: TemporalOrderer) -> None:
    case = orderer(
        make_case(
            [
                "A 2-year-old boy was admitted with vomiting.",
                "The patient was born at term with a cleft palate.",
                "He had had stridor since birth.",
            ],
            [("admitted", EVENT), ("born", EVENT), ("cleft palate", DISEASE), ("stridor", SIGN)],
            age=2,
        )
    )
    found = days(case)
    assert found["born"] == found["cleft palate"] == found["stridor"] == (-2 * 365.25, None)


def test_a_history_of_being_born_is_no_day_after_the_presentation(
    orderer: TemporalOrderer,
) -> None:
    # A nine-month-old's IUGR at birth had been read as on or after the admission.
    case = orderer(
        make_case(
            [
                "A nine-month-old boy was admitted with pneumonia.",
                "He had a background history of being born prematurely and had IUGR.",
            ],
            [("pneumonia", DISEASE), ("IUGR", DISEASE)],
            age=0.75,
        )
    )
    assert days(case)["IUGR"] == (None, None)


def test_a_past_medical_history_mention_leaves_history_of_its_connective(
    orderer: TemporalOrderer,
) -> None:
    """A History mention naming the past history ("past medical history") does not block the
    "history of" that runs past it: what it governs predates the presentation."""
    sentence = "A man with a past medical history of gout presented with fever."
    case = make_case(
        [sentence],
        [("past medical history", EntityType.HISTORY), ("gout", SIGN), ("presented", EVENT),
         ("fever", SIGN)],
    )  # fmt: skip
    when = days(orderer(case))
    assert (when["gout"], when["presented"]) == ((None, None), (0.0, None))


def test_an_ordinal_day_of_no_clock_counts_from_the_date_just_told(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "A 50-year-old man was admitted on March 3, 2015 with pain.",
                "On April 10, 2015 he developed fever.",
                "On the second day, he developed a rash.",
            ],
            [("admitted", EVENT), ("pain", SIGN), ("fever", SIGN), ("rash", SIGN)],
        )
    )
    assert days(case)["rash"] == (39.0, None)


def test_an_amount_before_an_event_of_the_history_is_not_counted_from_the_presentation(
    orderer: TemporalOrderer,
) -> None:
    case = orderer(
        make_case(
            [
                "She had an infarction seven months prior to the start of dialysis.",
                "She was admitted with seizures.",
            ],
            [("infarction", DISEASE), ("admitted", EVENT), ("seizures", SIGN)],
        )
    )
    assert days(case)["infarction"] == (None, None)
