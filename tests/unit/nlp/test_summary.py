"""The clinical summary, built from mentions, relations and a timeline set by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.model import (
    Abbreviation,
    Assertion,
    Attribute,
    Case,
    ClinicalSummary,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Patient,
    Relation,
    Section,
    Sex,
    Source,
    SourceFormat,
    Span,
    TimeExpression,
    TimelineEvent,
)
from casebook.nlp.concepts import default_concepts
from casebook.nlp.summary import SummaryBuilder, build_summary

TEXT = (
    "A 29-year-old woman underwent a bone marrow biopsy. "
    "Two days later she had a CSF leak post biopsy and no fever. "
    "MRI showed effusions. "
    "The leak was treated with a blood patch, following which she made a full recovery. "
    "At follow-up the CSF leak had not recurred."
)

WORDS: list[tuple[str, EntityType, int]] = [
    ("29-year-old", EntityType.AGE, 0),
    ("woman", EntityType.SEX, 0),
    ("bone marrow biopsy", EntityType.DIAGNOSTIC_PROCEDURE, 0),
    ("CSF leak", EntityType.DISEASE_DISORDER, 0),
    ("biopsy", EntityType.DIAGNOSTIC_PROCEDURE, 1),
    ("fever", EntityType.SIGN_SYMPTOM, 0),
    ("MRI", EntityType.DIAGNOSTIC_PROCEDURE, 0),
    ("effusions", EntityType.SIGN_SYMPTOM, 0),
    ("leak", EntityType.DISEASE_DISORDER, 1),
    ("blood patch", EntityType.THERAPEUTIC_PROCEDURE, 0),
    ("full recovery", EntityType.OUTCOME, 0),
    ("CSF leak", EntityType.DISEASE_DISORDER, 1),
]


def _case() -> Case:
    mentions: list[Mention] = []
    for number, (words, kind, occurrence) in enumerate(WORDS, 1):
        start = -1
        for _ in range(occurrence + 1):
            start = TEXT.index(words, start + 1)
        mentions.append(
            Mention(
                id=f"m{number}",
                start=start,
                end=start + len(words),
                text=words,
                type=kind,
                assertion=Assertion.NEGATED if words == "fever" else Assertion.PRESENT,
            )
        )
    sentences, start = [], 0
    for part in TEXT.split(". "):
        end = start + len(part) + 1
        sentences.append(Span(start=start, end=min(end, len(TEXT))))
        start = end + 1
    relations = [
        Relation(type="caused_by", source="m4", target="m5"),
        Relation(type="result_of", source="m8", target="m7"),
        Relation(type="treated_by", source="m9", target="m10"),
        Relation(type="outcome_of", source="m11", target="m10"),
    ]
    days = {"m3": 0.0, "m4": 2.0, "m5": 2.0, "m6": 2.0, "m7": 2.0, "m8": 2.0}
    days |= {"m9": 2.0, "m10": 2.0, "m11": 2.0, "m12": None}
    orders = {"m3": 0, "m4": 1, "m5": 1, "m6": 1, "m7": 2, "m8": 2, "m9": 3, "m10": 3}
    orders |= {"m11": 4, "m12": 5}
    follow = TEXT.index("At follow-up")
    return Case(
        id="case",
        text=TEXT,
        source=Source(format=SourceFormat.TEXT),
        patient=Patient(age_years=29, sex=Sex.FEMALE),
        sentences=sentences,
        mentions=mentions,
        relations=relations,
        timeline=[
            TimelineEvent(mention=k, order=v, offset_days=days[k]) for k, v in orders.items()
        ],
        times=[
            TimeExpression(
                start=follow,
                end=follow + len("At follow-up"),
                text="At follow-up",
                kind="follow_up",
            )
        ],
    )


def test_the_summary_reads_the_case_at_a_glance() -> None:
    summary = build_summary(_case())
    assert summary.patient is not None
    assert (summary.patient.text, summary.patient.mentions) == ("29-year-old female", ["m1", "m2"])
    assert [i.text for i in summary.presenting_problem] == ["CSF leak"]
    assert [i.text for i in summary.investigations] == ["bone marrow biopsy", "biopsy", "MRI"]
    (mri,) = [i for i in summary.investigations if i.text == "MRI"]
    assert [(r.relation, r.text, r.mentions) for r in mri.related] == [
        ("result", "effusions", ["m8"])
    ]
    (complication,) = summary.complications
    assert complication.text == "CSF leak" and complication.mentions == ["m4", "m12"]
    assert [(r.relation, r.text) for r in complication.related] == [("caused_by", "biopsy")]
    (treatment,) = summary.treatments
    assert treatment.text == "blood patch"
    assert [(r.relation, r.text) for r in treatment.related] == [
        ("treats", "leak"),
        ("outcome", "full recovery"),
    ]
    assert [(i.text, [r.text for r in i.related]) for i in summary.outcomes] == [
        ("full recovery", ["blood patch"])
    ]
    # The biopsy that caused the leak is a test: listed once, under investigations.
    assert summary.procedures == []
    assert [i.text for i in summary.follow_up] == ["CSF leak"]


def test_follow_up_tells_only_what_its_own_sentences_tell() -> None:
    # "At follow-up the CSF leak had not recurred": the leak told before is not the follow-up's.
    case = _case()
    mentions = [
        m.model_copy(update={"assertion": Assertion.NEGATED}) if m.id == "m12" else m
        for m in case.mentions
    ]
    (item,) = build_summary(case.model_copy(update={"mentions": mentions})).follow_up
    assert (item.text, item.mentions, item.assertion) == ("CSF leak", ["m12"], Assertion.NEGATED)


def test_negated_findings_are_left_out_of_the_summary() -> None:
    summary = build_summary(_case())
    assert all("fever" not in item.text for item in summary.items())


def test_the_component_sets_a_summary_whose_ids_the_case_knows() -> None:
    case = SummaryBuilder()(_case())
    assert case.summary is not None
    assert Case.model_validate_json(case.model_dump_json()) == case


def _told(
    text: str,
    words: list[tuple[str, EntityType]],
    *,
    section: str = "case_presentation",
    relations: list[tuple[str, str, str]] | None = None,
    dosed: set[str] | None = None,
) -> Case:
    """A one-sentence case whose mentions carry the types given (the model's guesses), each
    placed on the timeline in text order."""
    mentions: list[Mention] = []
    for number, (phrase, kind) in enumerate(words, 1):
        start = text.index(phrase)
        attributes = []
        if dosed and phrase in dosed:
            at = text.index("1 g")
            attributes = [Attribute(name="dosage", start=at, end=at + 3, text="1 g")]
        mentions.append(
            Mention(
                id=f"m{number}",
                start=start,
                end=start + len(phrase),
                text=phrase,
                type=kind,
                attributes=attributes,
            )
        )
    return Case(
        id="sentence",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sections=[Section(start=0, end=len(text), title="", kind=section)],
        sentences=[Span(start=0, end=len(text))],
        mentions=mentions,
        relations=[Relation(type=t, source=a, target=b) for t, a, b in relations or []],
        timeline=[
            TimelineEvent(mention=m.id, order=n, offset_days=0.0) for n, m in enumerate(mentions)
        ],
    )


def _shown(summary: ClinicalSummary) -> set[str]:
    return {item.text for item in summary.items()}


def test_colleagues_who_performed_a_blood_patch_are_no_diagnosis() -> None:
    case = _told(
        "Anaesthetic colleagues performed a blood patch.",
        [
            ("Anaesthetic colleagues", EntityType.DISEASE_DISORDER),
            ("blood patch", EntityType.THERAPEUTIC_PROCEDURE),
        ],
    )
    summary = build_summary(case)
    assert "Anaesthetic colleagues" not in _shown(summary)
    assert [i.text for i in summary.procedures] == ["blood patch"]
    assert summary.diagnoses == []


def test_a_discussion_of_other_patients_is_not_this_patients_diagnosis() -> None:
    text = "Smith et al. reported meningitis in 3 patients."
    case = _told(text, [("meningitis", EntityType.DISEASE_DISORDER)], section="discussion")
    summary = build_summary(case)
    assert summary.diagnoses == [] and summary.presenting_problem == []
    assert [i.text for i in summary.literature] == ["meningitis"]


def test_a_sentence_citing_others_is_the_literatures_in_any_section() -> None:
    text = "Smith et al. reported meningitis in 3 patients."
    summary = build_summary(_told(text, [("meningitis", EntityType.DISEASE_DISORDER)]))
    assert summary.diagnoses == []
    assert [i.text for i in summary.literature] == ["meningitis"]


def test_a_discussion_restating_the_case_adds_nothing() -> None:
    text = "Our patient had meningitis."
    case = _told(text, [("meningitis", EntityType.DISEASE_DISORDER)], section="discussion")
    assert _shown(build_summary(case)) == set()


def test_a_citation_mark_leaves_the_patients_diagnosis_the_patients() -> None:
    text = "Acute fatty liver of pregnancy was confirmed by the Swansea criteria [9]."
    case = _told(text, [("Acute fatty liver of pregnancy", EntityType.DISEASE_DISORDER)])
    summary = build_summary(case)
    assert [i.text for i in summary.diagnoses] == ["Acute fatty liver of pregnancy"]
    assert summary.literature == []


def test_a_dural_tear_is_no_procedure() -> None:
    case = _told(
        "The leak came from a dural tear.", [("dural tear", EntityType.THERAPEUTIC_PROCEDURE)]
    )
    assert _shown(build_summary(case)) == set()


def test_a_closure_that_came_about_by_itself_is_no_procedure() -> None:
    case = _told(
        "Follow-up echocardiography showed spontaneous closure of the defect.",
        [("closure", EntityType.THERAPEUTIC_PROCEDURE)],
    )
    assert build_summary(case).procedures == []


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("A case of laboratory-acquired murine typhus", Assertion.PRESENT),
        ("Leptospirosis misdiagnosed as murine typhus", Assertion.UNCERTAIN),
    ],
)
def test_a_diagnosis_the_title_names_outright_is_present_where_the_text_suspects_it(
    title: str, expected: Assertion
) -> None:
    body = "The patient was believed to have murine typhus."
    text = f"{title}\n\n{body}"
    start = text.index("murine typhus", len(title))
    case = _told(body, []).model_copy(
        update={
            "text": text,
            "sections": [
                Section(start=0, end=len(title), title=title, kind="title"),
                Section(start=len(title) + 2, end=len(text), title="", kind="case_presentation"),
            ],
            "sentences": [Span(start=0, end=len(title)), Span(start=len(title) + 2, end=len(text))],
            "mentions": [
                Mention(
                    id="m1",
                    start=start,
                    end=start + len("murine typhus"),
                    text="murine typhus",
                    type=EntityType.DISEASE_DISORDER,
                    assertion=Assertion.UNCERTAIN,
                )
            ],
            "timeline": [TimelineEvent(mention="m1", order=0, offset_days=0.0)],
        }
    )
    assert [i.assertion for i in build_summary(case).diagnoses] == [expected]


def test_people_places_and_software_are_never_shown() -> None:
    case = _told(
        "Her general practitioner in the Philippines measured it with commercial software.",
        [
            ("general practitioner", EntityType.DISEASE_DISORDER),
            ("Philippines", EntityType.DIAGNOSTIC_PROCEDURE),
            ("commercial software", EntityType.THERAPEUTIC_PROCEDURE),
        ],
    )
    assert _shown(build_summary(case)) == set()


def test_a_substance_a_test_found_is_no_treatment() -> None:
    case = _told(
        "The fluid was positive for asialotransferrin.",
        [("asialotransferrin", EntityType.MEDICATION)],
    )
    assert build_summary(case).treatments == []


def test_a_drug_a_germ_is_told_sensitive_to_is_no_treatment() -> None:
    case = _told(
        "Cultures grew R. planticola with sensitivity to most antibiotics except ampicillin.",
        [("ampicillin", EntityType.MEDICATION)],
    )
    assert build_summary(case).treatments == []


def test_a_drug_the_germ_resists_is_no_treatment_but_the_one_given_is() -> None:
    case = _told("The isolate was resistant to oxacillin.", [("oxacillin", EntityType.MEDICATION)])
    assert build_summary(case).treatments == []
    given = _told(
        "She was given vancomycin 1 g twice daily.",
        [("vancomycin", EntityType.MEDICATION)],
        dosed={"vancomycin"},
    )
    assert [i.text for i in build_summary(given).treatments] == ["vancomycin"]


def test_a_drug_a_test_gives_is_no_treatment() -> None:
    for text in [
        "Dexamethasone (1 g) suppression testing showed suppression of cortisol.",
        "He did not suppress cortisol on 1 g dexamethasone suppression testing.",
    ]:
        drug = "dexamethasone" if "1 g dexa" in text else "Dexamethasone"
        case = _told(text, [(drug, EntityType.MEDICATION)], dosed={drug})
        assert build_summary(case).treatments == []


def test_a_drug_whose_name_heads_a_test_in_its_sentence_is_no_treatment() -> None:
    for text in [
        "Cortisol after 1 g dexamethasone was 15 µg/dL on the dexamethasone suppression test.",
        "Cortisol did not fall in overnight dexamethasone suppression tests (1 g).",
    ]:
        case = _told(text, [("dexamethasone", EntityType.MEDICATION)], dosed={"dexamethasone"})
        assert build_summary(case).treatments == []


def test_what_is_given_to_make_an_image_is_no_treatment() -> None:
    case = _told(
        "An MRI performed after injection of 1 g gadolinium showed a small haemorrhage.",
        [("gadolinium", EntityType.MEDICATION)],
        dosed={"gadolinium"},
    )
    assert build_summary(case).treatments == []


def test_a_drug_of_abuse_is_an_exposure_and_no_treatment() -> None:
    case = _told(
        "The workup was remarkable for positive urine drug toxicology for cocaine.",
        [("cocaine", EntityType.MEDICATION)],
    )
    assert build_summary(case).treatments == []


def test_a_drug_taken_as_a_poison_is_no_treatment() -> None:
    for text, drug in [
        ("Ingestion of a 1 g baclofen tablet was reported.", "baclofen tablet"),
        ("He was admitted with lithium toxicity after 1 g daily.", "lithium"),
    ]:
        case = _told(text, [(drug, EntityType.MEDICATION)], dosed={drug})
        assert build_summary(case).treatments == []


@pytest.mark.parametrize(
    ("text", "effect", "cause", "kind", "complicated"),
    [
        (
            "She developed a CSF leak after the bone marrow biopsy.",
            "CSF leak",
            "bone marrow biopsy",
            EntityType.DIAGNOSTIC_PROCEDURE,
            True,
        ),
        # How a finding was found is not what caused it.
        (
            "He was diagnosed with lung cancer after bronchoscopic biopsy.",
            "lung cancer",
            "bronchoscopic biopsy",
            EntityType.DIAGNOSTIC_PROCEDURE,
            False,
        ),
        (
            "She had colon cancer, which was detected by colonoscopy, due to rectal bleeding.",
            "colon cancer",
            "rectal bleeding",
            EntityType.SIGN_SYMPTOM,
            False,
        ),
    ],
)
def test_a_finding_found_by_a_test_is_no_complication_of_it(
    text: str, effect: str, cause: str, kind: EntityType, complicated: bool
) -> None:
    case = _told(
        text,
        [(effect, EntityType.DISEASE_DISORDER), (cause, kind)],
        relations=[("caused_by", "m1", "m2")],
    )
    found = [i.text for i in build_summary(case).complications]
    assert found == ([effect] if complicated else [])


def test_a_good_outcome_or_a_value_is_no_complication() -> None:
    text = "She is in remission from leukemia; 70% blasts from progression were seen."
    case = _told(
        text,
        [
            ("remission", EntityType.SIGN_SYMPTOM),
            ("leukemia", EntityType.DISEASE_DISORDER),
            ("70% blasts", EntityType.LAB_VALUE),
            ("progression", EntityType.DISEASE_DISORDER),
        ],
        relations=[("caused_by", "m1", "m2"), ("caused_by", "m3", "m4")],
    )
    assert build_summary(case).complications == []


def test_words_told_as_a_procedure_are_no_diagnosis_where_typed_as_a_disease() -> None:
    text = "She was on peritoneal dialysis until PD failed."
    case = _told(
        text,
        [
            ("peritoneal dialysis", EntityType.THERAPEUTIC_PROCEDURE),
            ("PD", EntityType.DISEASE_DISORDER),
        ],
    )
    case.mentions[1] = case.mentions[1].model_copy(update={"expansion": "peritoneal dialysis"})
    summary = build_summary(case)
    assert summary.diagnoses == [] and summary.presenting_problem == []


def test_a_service_that_was_consulted_is_no_procedure() -> None:
    case = _told(
        "General surgery was consulted, and she underwent a laparoscopy.",
        [
            ("General surgery", EntityType.THERAPEUTIC_PROCEDURE),
            ("laparoscopy", EntityType.THERAPEUTIC_PROCEDURE),
        ],
    )
    assert _shown(build_summary(case)) == {"laparoscopy"}


def test_a_brand_name_given_with_a_dose_is_a_treatment() -> None:
    case = _told(
        "She was started on Keppra 1 g daily.",
        [("Keppra", EntityType.MEDICATION)],
        dosed={"Keppra"},
    )
    assert [i.text for i in build_summary(case).treatments] == ["Keppra"]


def test_a_department_named_by_its_abbreviation_is_no_treatment() -> None:
    # The mention model read "Dept of Oral Medicine" as a drug given by mouth.
    case = _told(
        "She was referred to the Dept of Oral Medicine and given amoxicillin 1 g daily.",
        [("Dept", EntityType.MEDICATION), ("amoxicillin", EntityType.MEDICATION)],
        dosed={"Dept", "amoxicillin"},
    )
    assert [i.text for i in build_summary(case).treatments] == ["amoxicillin"]


def test_a_bare_adjective_or_body_part_is_no_finding() -> None:
    case = _told(
        "The traumatic defect lay in the sacrum with fluid.",
        [
            ("traumatic", EntityType.SIGN_SYMPTOM),
            ("sacrum", EntityType.DISEASE_DISORDER),
            ("fluid", EntityType.DISEASE_DISORDER),
        ],
    )
    assert _shown(build_summary(case)) == set()


def test_past_history_is_not_the_presenting_problem_or_a_diagnosis() -> None:
    text = "She had a history of hypertension and presented with pneumonia."
    case = _told(
        text,
        [
            ("history of hypertension", EntityType.HISTORY),
            ("hypertension", EntityType.DISEASE_DISORDER),
            ("pneumonia", EntityType.DISEASE_DISORDER),
        ],
    )
    summary = build_summary(case)
    assert [i.text for i in summary.diagnoses] == ["pneumonia"]
    assert [i.text for i in summary.presenting_problem] == ["pneumonia"]


def test_findings_describing_the_patient_before_the_presentation_are_not_what_brought_her() -> None:
    text = "A 77-year-old woman with dysphagia presented with a rash on the face."
    case = _told(
        text,
        [("dysphagia", EntityType.SIGN_SYMPTOM), ("rash", EntityType.SIGN_SYMPTOM)],
    )
    assert [i.text for i in build_summary(case).presenting_problem] == ["rash"]


def test_what_the_patient_came_to_the_clinic_with_is_the_presenting_problem() -> None:
    text = "A woman came to the outpatient clinic with a mass that had been growing."
    case = _told(text, [("mass", EntityType.SIGN_SYMPTOM), ("growing", EntityType.SIGN_SYMPTOM)])
    assert [i.text for i in build_summary(case).presenting_problem] == ["mass", "growing"]


def test_a_procedure_typed_as_a_finding_is_a_procedure_not_a_diagnosis() -> None:
    text = "She underwent hernia repair."
    case = _told(text, [("hernia repair", EntityType.DISEASE_DISORDER)])
    summary = build_summary(case)
    assert summary.diagnoses == []
    assert [i.text for i in summary.procedures] == ["hernia repair"]


def test_a_drug_therapy_is_a_treatment_not_a_procedure() -> None:
    case = _told(
        "She received corticosteroid pulse therapy.",
        [("corticosteroid pulse therapy", EntityType.THERAPEUTIC_PROCEDURE)],
    )
    summary = build_summary(case)
    assert summary.procedures == []
    assert [i.text for i in summary.treatments] == ["corticosteroid pulse therapy"]


def test_a_suspected_finding_confirmed_later_is_present() -> None:
    text = "A CSF leak was possible; MRI showed the CSF leak after the biopsy."
    case = _told(
        text,
        [
            ("CSF leak", EntityType.SIGN_SYMPTOM),
            ("biopsy", EntityType.DIAGNOSTIC_PROCEDURE),
        ],
        relations=[("caused_by", "m1", "m2")],
    )
    later = text.index("CSF leak", text.index("MRI"))
    mentions = [
        case.mentions[0].model_copy(update={"assertion": Assertion.UNCERTAIN}),
        case.mentions[1],
        Mention(id="m3", start=later, end=later + 8, text="CSF leak", type=EntityType.SIGN_SYMPTOM),
    ]
    (leak,) = build_summary(case.model_copy(update={"mentions": mentions})).complications
    assert leak.mentions == ["m1", "m3"] and leak.assertion is Assertion.PRESENT


PHRASES = (
    "Anaesthetic colleagues",
    "pneumonia",
    "blood patch",
    "amoxicillin",
    "computed tomography",
    "Philippines",
    "full recovery",
    "commercial software",
)
PROPERTY_TEXT = (
    "Anaesthetic colleagues saw her pneumonia; a blood patch, amoxicillin and computed "
    "tomography followed in the Philippines, then full recovery, per commercial software."
)
HEADING_TYPES: dict[str, frozenset[EntityType]] = {
    "presenting_problem": frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER}),
    "diagnoses": frozenset({EntityType.DISEASE_DISORDER}),
    "procedures": frozenset({EntityType.THERAPEUTIC_PROCEDURE, EntityType.DIAGNOSTIC_PROCEDURE}),
    "investigations": frozenset({EntityType.DIAGNOSTIC_PROCEDURE}),
    "treatments": frozenset({EntityType.MEDICATION, EntityType.THERAPEUTIC_PROCEDURE}),
    "outcomes": frozenset(
        {EntityType.OUTCOME, EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER}
    ),
}
FINDING_TYPES = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
GUESSED = st.sampled_from(
    [
        EntityType.SIGN_SYMPTOM,
        EntityType.DISEASE_DISORDER,
        EntityType.DIAGNOSTIC_PROCEDURE,
        EntityType.THERAPEUTIC_PROCEDURE,
        EntityType.MEDICATION,
        EntityType.OUTCOME,
    ]
)


@settings(max_examples=60, deadline=None)
@given(types=st.lists(GUESSED, min_size=len(PHRASES), max_size=len(PHRASES)))
def test_whatever_the_model_guesses_each_heading_holds_its_own_kind(
    types: list[EntityType],
) -> None:
    case = _told(PROPERTY_TEXT, list(zip(PHRASES, types, strict=True)))
    summary = build_summary(case)
    by_id = {m.id: m for m in case.mentions}
    for heading, allowed in HEADING_TYPES.items():
        for item in getattr(summary, heading):
            mention = by_id[item.mentions[0]]
            if heading == "procedures" and mention.type in FINDING_TYPES:
                # A procedure typed as a finding is listed as the procedure its words name.
                assert default_concepts().is_procedure_only(mention)
                continue
            assert mention.type in allowed, (heading, item.text)
    shown = _shown(summary)
    assert not shown & {"Anaesthetic colleagues", "Philippines", "commercial software"}
    Case.model_validate(case.model_copy(update={"summary": summary}).model_dump())


def test_an_anaesthetics_drugs_are_no_treatments() -> None:
    case = _told(
        "General anaesthesia was induced with propofol and maintained with sevoflurane.",
        [("propofol", EntityType.MEDICATION), ("sevoflurane", EntityType.MEDICATION)],
    )
    assert build_summary(case).treatments == []


def test_a_course_or_an_image_is_no_cause() -> None:
    case = _told(
        "His clinical course was complicated by acute kidney failure (see renal images).",
        [
            ("clinical course", EntityType.CLINICAL_EVENT),
            ("acute kidney failure", EntityType.DISEASE_DISORDER),
            ("renal images", EntityType.DIAGNOSTIC_PROCEDURE),
        ],
        relations=[("caused_by", "m2", "m1"), ("caused_by", "m2", "m3")],
    )
    summary = build_summary(case)
    assert summary.complications == []
    assert [i.text for i in summary.diagnoses] == ["acute kidney failure"]


@pytest.mark.parametrize(
    ("text", "outcomes"),
    [
        ("He kept asking about people who died recently.", []),
        ("Her father died of a stroke at 60.", []),
        ("A cousin who had the same rash died in infancy.", []),
        ("After a discussion with her family, the patient died.", ["died"]),
        ("Transplantation from his brother was done in remission.", ["remission"]),
    ],
)
def test_a_death_told_of_others_is_not_the_patients_outcome(text: str, outcomes: list[str]) -> None:
    outcome = "remission" if "remission" in text else "died"
    case = _told(text, [(outcome, EntityType.OUTCOME)])
    assert [i.text for i in build_summary(case).outcomes] == outcomes


@pytest.mark.parametrize(
    ("text", "outcomes"),
    [
        ("He was well until 6 months of age when he developed a fever.", []),
        ("He was well and active in the intervening periods.", []),
        ("She remained asymptomatic up to her admission.", []),
        ("She remained asymptomatic until discharge on day 9.", ["remained asymptomatic"]),
        ("He was doing well till 6 months after surgery.", ["was doing well"]),
    ],
)
def test_a_state_that_ended_before_the_illness_is_no_outcome(
    text: str, outcomes: list[str]
) -> None:
    outcome = next(o for o in ("was well", "remained asymptomatic", "was doing well") if o in text)
    case = _told(text, [(outcome, EntityType.OUTCOME)])
    assert [i.text for i in build_summary(case).outcomes] == outcomes


@pytest.mark.parametrize(
    ("text", "outcome", "outcomes"),
    [
        ("Surgery was delayed to allow for improvement of her deficits.", "improvement", []),
        ("Two cycles of BEP failed to achieve complete remission.", "complete remission", []),
        ("A scan was planned to reevaluate for resolution.", "resolution", []),
        ("She was noted for improvement in her rash.", "improvement", ["improvement"]),
        ("BEP achieved complete remission.", "complete remission", ["complete remission"]),
    ],
)
def test_an_outcome_aimed_at_or_not_reached_is_no_outcome(
    text: str, outcome: str, outcomes: list[str]
) -> None:
    case = _told(text, [(outcome, EntityType.OUTCOME)])
    assert [i.text for i in build_summary(case).outcomes] == outcomes


@pytest.mark.parametrize(
    ("text", "finding", "age", "diagnoses"),
    [
        # In the mother's report, what a clause tells of the neonate or the fetus is theirs.
        ("The neonate was admitted for a pneumothorax.", "pneumothorax", 31, []),
        ("Ultrasound showed a fetus with talipes equinovarus.", "talipes equinovarus", 31, []),
        ("Baby died of sepsis on day 3.", "sepsis", 31, []),
        ("The baby was born and she had anemia.", "anemia", 31, ["anemia"]),
        # In the child's report, the neonate is the patient.
        ("The neonate was admitted for a pneumothorax.", "pneumothorax", 0, ["pneumothorax"]),
    ],
)
def test_a_clause_about_the_fetus_or_baby_tells_no_finding_of_its_mother(
    text: str, finding: str, age: float, diagnoses: list[str]
) -> None:
    case = _told(text, [(finding, EntityType.DISEASE_DISORDER)]).model_copy(
        update={"patient": Patient(age_years=age, sex=Sex.FEMALE)}
    )
    assert [item.text for item in build_summary(case).diagnoses] == diagnoses


def test_a_patient_who_succumbed_has_that_outcome() -> None:
    case = _told(
        "She developed sepsis and ultimately succumbed to her illness.",
        [("sepsis", EntityType.DISEASE_DISORDER), ("succumbed", EntityType.OUTCOME)],
    )
    assert [i.text for i in build_summary(case).outcomes] == ["succumbed"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("He is well without evidence of recurrence.", "is well"),
        ("The patient was relieved from hypoglycemic attacks.", "relieved"),
        ("Ileus followed, which was fatal.", "fatal"),
        ("The wound healed uneventfully.", "healed"),
    ],
)
def test_a_patient_who_stays_well_heals_is_relieved_or_dies_has_that_outcome(
    text: str, words: str
) -> None:
    case = _told(text, [(words, EntityType.OUTCOME)])
    assert [i.text for i in build_summary(case).outcomes] == [words]


def test_an_uneventful_course_is_an_outcome() -> None:
    case = _told(
        "The postoperative course was uneventful.",
        [("postoperative course was uneventful", EntityType.OUTCOME)],
    )
    assert [i.text for i in build_summary(case).outcomes] == ["postoperative course was uneventful"]


def test_a_finding_told_as_gone_is_an_outcome() -> None:
    case = _told(
        "One month after surgical reversal, hyperoxaluria resolved.",
        [("hyperoxaluria", EntityType.SIGN_SYMPTOM)],
    )
    summary = build_summary(case)
    assert [i.text for i in summary.outcomes] == ["hyperoxaluria resolved"]


def test_a_good_turn_typed_as_a_finding_is_an_outcome() -> None:
    case = _told(
        "At follow-up after 24 months he is in clinical remission.",
        [("clinical remission", EntityType.SIGN_SYMPTOM)],
    )
    summary = build_summary(case)
    assert [i.text for i in summary.outcomes] == ["clinical remission"]
    assert summary.diagnoses == []


def test_stable_disease_after_a_drug_is_its_outcome_no_diagnosis_or_complication() -> None:
    case = _told(
        "Treatment with sunitinib resulted in radiologically stable disease.",
        [
            ("sunitinib", EntityType.MEDICATION),
            ("radiologically stable disease", EntityType.DISEASE_DISORDER),
        ],
        relations=[("caused_by", "m2", "m1")],
    )
    summary = build_summary(case)
    assert [i.text for i in summary.outcomes] == ["radiologically stable disease"]
    assert summary.diagnoses == summary.complications == []


@pytest.mark.parametrize(
    ("text", "outcomes"),
    [
        ("He died. Three bullets were recovered postmortem.", []),
        ("He died. A bullet was recovered from the pelvic bone.", []),
        ("He was recovered to an alert state.", ["recovered"]),
    ],
)
def test_an_object_recovered_is_no_recovery(text: str, outcomes: list[str]) -> None:
    case = _told(text, [("recovered", EntityType.SIGN_SYMPTOM)])
    assert [i.text for i in build_summary(case).outcomes] == outcomes


def test_a_history_phrase_that_is_the_findings_own_words_leaves_it_current() -> None:
    # The mention model marks "metastatic melanoma" as a History phrase and as a disease; no
    # word says it is past, so it is a diagnosis; "history of hypertension" is the past.
    text = "A woman with metastatic melanoma and a history of hypertension."
    case = _told(
        text,
        [
            ("metastatic melanoma", EntityType.HISTORY),
            ("metastatic melanoma", EntityType.DISEASE_DISORDER),
            ("history of hypertension", EntityType.HISTORY),
            ("hypertension", EntityType.DISEASE_DISORDER),
        ],
    )
    assert [i.text for i in build_summary(case).diagnoses] == ["metastatic melanoma"]


def test_a_drug_class_given_is_a_treatment() -> None:
    case = _told(
        "He was commenced on a combination of immune checkpoint inhibitors.",
        [("immune checkpoint inhibitors", EntityType.MEDICATION)],
    )
    assert [i.text for i in build_summary(case).treatments] == ["immune checkpoint inhibitors"]


@pytest.mark.parametrize(
    ("text", "treatments"),
    [
        ("Labs were sodium 131, potassium 6.1, chloride 94.", []),
        ("Enoxaparin of 0,6 ml/day was started.", ["Enoxaparin"]),
    ],
)
def test_an_analyte_in_a_list_of_values_is_no_treatment(text: str, treatments: list[str]) -> None:
    drug = "potassium" if "potassium" in text else "Enoxaparin"
    case = _told(text, [(drug, EntityType.MEDICATION)])
    assert [i.text for i in build_summary(case).treatments] == treatments


def test_a_test_named_inside_another_tests_result_is_none_of_its_own() -> None:
    text = "MRI showed effusions suggestive of extremely low CSF pressure."
    case = _told(
        text,
        [
            ("MRI", EntityType.DIAGNOSTIC_PROCEDURE),
            ("extremely low CSF pressure", EntityType.SIGN_SYMPTOM),
            ("CSF pressure", EntityType.DIAGNOSTIC_PROCEDURE),
        ],
        relations=[("result_of", "m2", "m1")],
    )
    # The phenotype recognised in its words makes the low pressure a finding.
    low = case.mentions[1].model_copy(
        update={"codes": [Code(system=CodeSystem.HPO, code="HP:0012641")]}
    )
    case = case.model_copy(update={"mentions": [case.mentions[0], low, case.mentions[2]]})
    assert [i.text for i in build_summary(case).investigations] == ["MRI"]


def test_with_no_date_the_first_findings_after_the_referral_are_the_presenting_problem() -> None:
    text = "A man was referred to the clinic. He complained of headache and fever. A rash followed."
    words = [
        ("referred", EntityType.CLINICAL_EVENT),
        ("headache", EntityType.SIGN_SYMPTOM),
        ("fever", EntityType.SIGN_SYMPTOM),
        ("rash", EntityType.SIGN_SYMPTOM),
    ]
    mentions = [
        Mention(
            id=f"m{n}",
            start=text.index(p),
            end=text.index(p) + len(p),
            text=p,
            type=k,
        )
        for n, (p, k) in enumerate(words)
    ]
    ends = [text.index(".") + 1, text.index("fever.") + 6, len(text)]
    case = Case(
        id="referred",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sections=[Section(start=0, end=len(text), title="", kind="case_presentation")],
        sentences=[
            Span(start=s, end=e) for s, e in zip([0, ends[0] + 1, ends[1] + 1], ends, strict=True)
        ],
        mentions=mentions,
        # Only the referral is dated (day 0); the findings are known only not to precede it.
        timeline=[TimelineEvent(mention="m0", order=0, offset_days=0.0)]
        + [
            TimelineEvent(mention=m.id, order=0, offset_days=None, min_offset_days=0.0)
            for m in mentions[1:]
        ],
    )
    summary = build_summary(case)
    assert [i.text for i in summary.presenting_problem] == ["headache", "fever"]


def test_the_drugs_a_legend_glosses_are_no_treatments() -> None:
    text = "Tet: tetracycline; Gen: gentamicin; Amp: ampicillin; R: resistant."
    case = _told(
        text,
        [("tetracycline", EntityType.MEDICATION), ("gentamicin", EntityType.MEDICATION)],
    )
    summary = build_summary(case)
    assert summary.treatments == []
    assert not any(m.patient_fact for m in SummaryBuilder()(case).mentions)


def test_a_procedure_the_model_typed_as_a_disease_is_no_diagnosis() -> None:
    case = _told(
        "She underwent a wide local excision.",
        [("wide local excision", EntityType.DISEASE_DISORDER)],
    )
    assert build_summary(case).diagnoses == []


def test_a_suspicion_denied_later_is_no_diagnosis() -> None:
    text = "Pulmonary embolism was suspected, but CT angiogram was negative for pulmonary embolism."
    first = text.index("Pulmonary embolism")
    later = text.rindex("pulmonary embolism")
    case = _told(
        text,
        [("Pulmonary embolism", EntityType.DISEASE_DISORDER)],
    )
    denied = Mention(
        id="m9",
        start=later,
        end=later + len("pulmonary embolism"),
        text="pulmonary embolism",
        type=EntityType.DISEASE_DISORDER,
        assertion=Assertion.NEGATED,
    )
    suspected = case.mentions[0].model_copy(update={"assertion": Assertion.UNCERTAIN})
    assert suspected.start == first
    case = case.model_copy(update={"mentions": [suspected, denied]})
    assert build_summary(case).diagnoses == []


def test_an_improvement_a_drug_brought_is_no_complication() -> None:
    case = _told(
        "Methylprednisolone resulted in significant improvement.",
        [
            ("Methylprednisolone", EntityType.MEDICATION),
            ("significant improvement", EntityType.OUTCOME),
        ],
        relations=[("caused_by", "m2", "m1")],
    )
    summary = build_summary(case)
    assert summary.complications == []


@pytest.mark.parametrize(
    ("text", "words", "shown"),
    [
        ("There was marked improvement in his backache.", "marked improvement", True),
        ("Steroids were given, with little improvement.", "improvement", False),
        ("A second MRI showed significant improvement.", "significant improvement", False),
    ],
)
def test_a_vague_outcome_with_no_treatment_linked_is_shown_when_told_plainly(
    text: str, words: str, shown: bool
) -> None:
    told = [(words, EntityType.OUTCOME)]
    if "MRI" in text:
        told.insert(0, ("MRI", EntityType.DIAGNOSTIC_PROCEDURE))
    summary = build_summary(_told(text, told))
    assert ([i.text for i in summary.outcomes] == [words]) is shown


def test_an_outcome_whose_own_words_deny_is_shown_as_told() -> None:
    case = _told(
        "There has been no recurrence of the growth.", [("no recurrence", EntityType.OUTCOME)]
    )
    denied = case.mentions[0].model_copy(update={"assertion": Assertion.NEGATED})
    summary = build_summary(case.model_copy(update={"mentions": [denied]}))
    assert [(i.text, i.assertion) for i in summary.outcomes] == [
        ("no recurrence", Assertion.PRESENT)
    ]


def test_a_drug_typed_as_a_test_with_a_dose_for_result_is_a_treatment() -> None:
    case = _told(
        "Epinephrine (100 μg) was administered; the ECG showed ventricular fibrillation.",
        [
            ("Epinephrine", EntityType.DIAGNOSTIC_PROCEDURE),
            ("100 μg", EntityType.LAB_VALUE),
            ("ECG", EntityType.DIAGNOSTIC_PROCEDURE),
            ("ventricular fibrillation", EntityType.DISEASE_DISORDER),
        ],
        relations=[("result_of", "m2", "m1"), ("result_of", "m4", "m3")],
    )
    summary = build_summary(case)
    assert [i.text for i in summary.treatments] == ["Epinephrine"]
    assert [i.text for i in summary.investigations] == ["ECG"]


def test_a_preparations_strength_is_a_dose_not_a_concentration_measured() -> None:
    case = _told(
        "Beheptal (cyanocobalamin 30 mcg/2 mL, thiamine 25 mg/2 mL) was administered.",
        [("thiamine", EntityType.DIAGNOSTIC_PROCEDURE), ("25 mg/2 mL", EntityType.LAB_VALUE)],
        relations=[("result_of", "m2", "m1")],
    )
    summary = build_summary(case)
    assert [i.text for i in summary.treatments] == ["thiamine"]
    assert summary.investigations == []


def test_a_name_of_letters_and_digits_is_a_diagnosis() -> None:
    case = _told(
        "A diagnosis of MEN1 syndrome was made.", [("MEN1 syndrome", EntityType.DISEASE_DISORDER)]
    )
    assert [i.text for i in build_summary(case).diagnoses] == ["MEN1 syndrome"]


def test_a_specialty_listed_as_consulted_is_no_diagnosis() -> None:
    case = _told(
        "Consultations included neurology, infectious disease, and hematology.",
        [("infectious disease", EntityType.DISEASE_DISORDER)],
    )
    assert build_summary(case).diagnoses == []


def test_a_coded_finding_the_title_names_is_a_diagnosis_but_a_complaint_is_not() -> None:
    title = "Reexpansion pulmonary edema in a man with cough"
    text = f"{title}\n\nA 9-year-old boy had cough."
    edema = Mention(
        id="m0",
        start=title.index("edema"),
        end=title.index("edema") + 5,
        text="edema",
        type=EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.ICD10CM, code="J81.0")],
    )
    cough = Mention(
        id="m1",
        start=title.index("cough"),
        end=title.index("cough") + 5,
        text="cough",
        type=EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.ICD10CM, code="R05.9")],
    )
    case = Case(
        id="t",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sections=[
            Section(start=0, end=len(title), title=title, kind="title"),
            Section(start=len(title) + 2, end=len(text), title="", kind="body"),
        ],
        sentences=[Span(start=0, end=len(title)), Span(start=len(title) + 2, end=len(text))],
        mentions=[edema, cough],
    )
    assert [i.text for i in build_summary(case).diagnoses] == ["edema"]


def test_words_opening_a_long_form_name_no_procedure_of_their_own() -> None:
    text = "Blood oxygenation level dependent (BOLD) imaging was done."
    case = _told(text, [("Blood oxygenation", EntityType.THERAPEUTIC_PROCEDURE)])
    long_form = Span(start=0, end=text.index(" ("))
    bold = Span(start=text.index("BOLD"), end=text.index("BOLD") + 4)
    case = case.model_copy(
        update={
            "abbreviations": [
                Abbreviation(
                    short=bold,
                    long=long_form,
                    short_text="BOLD",
                    long_text="Blood oxygenation level dependent",
                )
            ]
        }
    )
    assert build_summary(case).procedures == []


def test_a_disease_a_department_is_named_after_is_no_diagnosis() -> None:
    case = _told(
        "She was admitted to the outpatient clinic of the infectious diseases.",
        [("infectious diseases", EntityType.DISEASE_DISORDER)],
    )
    assert build_summary(case).diagnoses == []


def test_a_fall_is_a_cause_not_a_diagnosis() -> None:
    case = _told(
        "She had a fracture of the humerus following a fall.",
        [("fracture", EntityType.DISEASE_DISORDER), ("fall", EntityType.DISEASE_DISORDER)],
    )
    fall = case.mentions[1].model_copy(
        update={"codes": [Code(system=CodeSystem.ICD10CM, code="W19.XXX")]}
    )
    case = case.model_copy(update={"mentions": [case.mentions[0], fall]})
    assert [item.text for item in build_summary(case).diagnoses] == ["fracture"]


def test_an_organism_a_culture_grew_is_no_diagnosis_but_its_infection_is() -> None:
    case = _told(
        "All cultures grew Staphylococcus aureus, and S. aureus bacteremia was diagnosed.",
        [
            ("Staphylococcus aureus", EntityType.DISEASE_DISORDER),
            ("S. aureus bacteremia", EntityType.DISEASE_DISORDER),
        ],
    )
    assert [item.text for item in build_summary(case).diagnoses] == ["S. aureus bacteremia"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("An HIV and hepatitis panel was sent.", []),
        ("A man with HIV had a fever.", ["human immunodeficiency virus"]),
    ],
)
def test_a_virus_short_form_is_no_diagnosis_where_its_sentence_tells_a_test(
    text: str, shown: list[str]
) -> None:
    case = _told(text, [("HIV", EntityType.DISEASE_DISORDER)])
    read = case.mentions[0].model_copy(update={"expansion": "human immunodeficiency virus"})
    case = case.model_copy(update={"mentions": [read]})
    assert [item.text for item in build_summary(case).diagnoses] == shown


def test_a_device_is_a_procedure_only_when_an_act_upon_it_is_told() -> None:
    case = _told(
        "The wound was closed with absorbable sutures, and a biliary stent was placed.",
        [
            ("absorbable sutures", EntityType.THERAPEUTIC_PROCEDURE),
            ("biliary stent", EntityType.THERAPEUTIC_PROCEDURE),
        ],
    )
    assert [item.text for item in build_summary(case).procedures] == ["biliary stent"]


def test_a_drug_measured_as_an_analyte_is_no_treatment() -> None:
    case = _told(
        "Serum sodium, potassium and calcium levels were normal, and furosemide was given.",
        [("potassium", EntityType.MEDICATION), ("furosemide", EntityType.MEDICATION)],
    )
    assert [item.text for item in build_summary(case).treatments] == ["furosemide"]


@pytest.mark.parametrize(
    ("text", "drug", "treatments"),
    [
        # A list of analytes told normal, the drug among them, opening its clause.
        ("Vitamin B12, folate and ferritin were within normal limits.", "Vitamin B12", []),
        ("Thyroxine (T4), cortisol and prolactin were all normal.", "Thyroxine", []),
        # Words naming tests open the list the drug is in.
        ("Blood work was normal (CBC, calcium, magnesium and albumin).", "magnesium", []),
        ("Hormone tests, including cortisol, insulin and prolactin, were normal.", "insulin", []),
        # A value after a comma is the analyte's.
        ("Serum noradrenaline, 1.5 pg/mL (normal, 110 to 410).", "noradrenaline", []),
        # Given, the drug opens no list of analytes, though one told normal follows it.
        (
            "She received heparin and warfarin, and coagulation tests were normal.",
            "heparin",
            ["heparin"],
        ),
        (
            "Cultures before antibiotic or antifungal therapy were negative.",
            "antibiotic",
            ["antibiotic"],
        ),
    ],
)
def test_a_drug_named_among_analytes_is_no_treatment(
    text: str, drug: str, treatments: list[str]
) -> None:
    case = _told(text, [(drug, EntityType.MEDICATION)])
    assert [item.text for item in build_summary(case).treatments] == treatments


@pytest.mark.parametrize(
    ("text", "finding", "diagnoses"),
    [
        ("An autoimmune epilepsy panel detected anti-GAD antibodies.", "epilepsy", []),
        ("Her pediatric appendicitis score was 7.", "appendicitis", []),
        ("She was treated following schizophrenia guidelines.", "schizophrenia", []),
        ("The enface thickness and deviation maps were reviewed.", "deviation", []),
        ("He had epilepsy since childhood.", "epilepsy", ["epilepsy"]),
    ],
)
def test_a_finding_naming_what_a_score_panel_or_map_is_about_is_no_diagnosis(
    text: str, finding: str, diagnoses: list[str]
) -> None:
    case = _told(text, [(finding, EntityType.DISEASE_DISORDER)])
    assert [item.text for item in build_summary(case).diagnoses] == diagnoses


def test_a_fact_whose_words_open_on_the_donor_is_the_donors() -> None:
    case = _told(
        "The donor creatinine was 80 µmol/L; donor-specific antibodies were absent.",
        [
            ("donor creatinine", EntityType.DIAGNOSTIC_PROCEDURE),
            ("donor-specific antibodies", EntityType.DIAGNOSTIC_PROCEDURE),
        ],
    )
    assert [i.text for i in build_summary(case).investigations] == ["donor-specific antibodies"]


def test_what_a_treatment_was_chosen_instead_of_was_not_done() -> None:
    case = _told(
        "She was treated with propranolol instead of bronchial artery embolization.",
        [
            ("propranolol", EntityType.MEDICATION),
            ("bronchial artery embolization", EntityType.THERAPEUTIC_PROCEDURE),
        ],
    )
    summary = build_summary(case)
    assert (summary.procedures, [i.text for i in summary.treatments]) == ([], ["propranolol"])


def test_a_treatment_only_proposed_is_none_given() -> None:
    refused = _told(
        "She was offered genetic amniocentesis but refused it.",
        [("genetic amniocentesis", EntityType.THERAPEUTIC_PROCEDURE)],
    )
    assert build_summary(refused).procedures == []
    recommended = _told(
        "Surgical resection was recommended, but he received only propranolol.",
        [
            ("Surgical resection", EntityType.THERAPEUTIC_PROCEDURE),
            ("propranolol", EntityType.MEDICATION),
        ],
    )
    summary = build_summary(recommended)
    assert summary.procedures == []
    assert [i.text for i in summary.treatments] == ["propranolol"]
    # A guideline's recommendation tells how a drug given was chosen.
    given = _told(
        "Acyclovir was given, as recommended by Studahl.",
        [("Acyclovir", EntityType.MEDICATION)],
    )
    assert [i.text for i in build_summary(given).treatments] == ["Acyclovir"]


def test_a_bound_of_a_reference_range_is_no_result() -> None:
    case = _told(
        "Serum creatinine was 2.1 mg/dL (normal range, 0.6-1.2 mg/dL).",
        [
            ("Serum creatinine", EntityType.DIAGNOSTIC_PROCEDURE),
            ("2.1 mg/dL", EntityType.LAB_VALUE),
            ("1.2 mg/dL", EntityType.LAB_VALUE),
        ],
        relations=[("result_of", "m2", "m1"), ("result_of", "m3", "m1")],
    )
    [creatinine] = build_summary(case).investigations
    assert [link.text for link in creatinine.related] == ["2.1 mg/dL"]


def test_how_strongly_a_diagnosis_was_believed_is_no_result() -> None:
    case = _told(
        "Serum creatinine was high, with a high index of suspicion for nephritis.",
        [
            ("Serum creatinine", EntityType.DIAGNOSTIC_PROCEDURE),
            ("high", EntityType.LAB_VALUE),
            ("high index", EntityType.LAB_VALUE),
        ],
        relations=[("result_of", "m2", "m1"), ("result_of", "m3", "m1")],
    )
    [creatinine] = build_summary(case).investigations
    assert [link.mentions for link in creatinine.related] == [["m2"]]


def test_a_disease_named_among_what_cells_stained_for_is_no_diagnosis() -> None:
    case = _told(
        "Immunohistochemistry showed tumour cells positive for S100 and pan-melanoma.",
        [
            ("Immunohistochemistry", EntityType.DIAGNOSTIC_PROCEDURE),
            ("pan-melanoma", EntityType.DISEASE_DISORDER),
        ],
    )
    melanoma = case.mentions[1].model_copy(
        update={"codes": [Code(system=CodeSystem.ICD10CM, code="C43.9")]}
    )
    case = case.model_copy(update={"mentions": [case.mentions[0], melanoma]})
    assert build_summary(case).diagnoses == []


def test_a_lymph_node_tested_positive_for_a_cell_carcinoma_has_it() -> None:
    # "cell" of the disease's own name tells no staining.
    case = _told(
        "One lymph node tested positive for metastatic squamous cell carcinoma.",
        [("metastatic squamous cell carcinoma", EntityType.DISEASE_DISORDER)],
    )
    carcinoma = case.mentions[0].model_copy(
        update={"codes": [Code(system=CodeSystem.ICD10CM, code="C79.9")]}
    )
    case = case.model_copy(update={"mentions": [carcinoma]})
    assert [i.text for i in build_summary(case).diagnoses] == ["metastatic squamous cell carcinoma"]


def test_a_ventilators_pressure_or_a_diet_is_no_investigation() -> None:
    case = _told(
        "He was placed on continuous positive airway pressure and a medium-chain "
        "triglyceride (MCT) diet, and serum triglyceride was measured.",
        [
            ("airway pressure", EntityType.DIAGNOSTIC_PROCEDURE),
            ("medium-chain triglyceride", EntityType.DIAGNOSTIC_PROCEDURE),
            ("serum triglyceride", EntityType.DIAGNOSTIC_PROCEDURE),
        ],
    )
    assert [i.text for i in build_summary(case).investigations] == ["serum triglyceride"]


def test_what_a_case_only_mimicked_is_no_diagnosis_wherever_told() -> None:
    case = _told(
        "A hemangioma mimicking acute appendicitis; she was diagnosed with acute appendicitis.",
        [
            ("hemangioma", EntityType.DISEASE_DISORDER),
            ("acute appendicitis", EntityType.DISEASE_DISORDER),
        ],
    )
    again = case.text.rindex("acute appendicitis")
    told_again = case.mentions[1].model_copy(
        update={"id": "m3", "start": again, "end": again + len("acute appendicitis")}
    )
    case = case.model_copy(update={"mentions": [*case.mentions, told_again]})
    assert [i.text for i in build_summary(case).diagnoses] == ["hemangioma"]


def test_what_a_tissue_was_kept_in_is_neither_given_nor_measured() -> None:
    case = _told(
        "The membrane was immersed in antibiotics and cryopreserved in a medium supplemented "
        "with human serum albumin.",
        [
            ("antibiotics", EntityType.MEDICATION),
            ("human serum albumin", EntityType.DIAGNOSTIC_PROCEDURE),
        ],
    )
    summary = build_summary(case)
    assert summary.treatments == []
    assert summary.investigations == []


def test_a_finding_read_across_a_lookalike_verb_is_no_diagnosis() -> None:
    words = "perforated diverticulum mimicking acute appendicitis"
    case = _told(f"A {words}.", [(words, EntityType.DISEASE_DISORDER)])
    assert build_summary(case).diagnoses == []


def test_what_the_title_says_the_case_mimicked_is_no_diagnosis() -> None:
    case = _told(
        "She was diagnosed with acute appendicitis.",
        [("acute appendicitis", EntityType.DISEASE_DISORDER)],
    ).model_copy(update={"title": "Hemangioma mimicking acute appendicitis: a case report"})
    assert build_summary(case).diagnoses == []


def test_a_follow_up_finding_whose_words_deny_it_is_shown_as_told() -> None:
    # "seizure-free [negated]" would read as seizures; the words tell the patient's state.
    text = "At follow-up, she remained seizure-free."
    case = _told(text, [("seizure-free", EntityType.SIGN_SYMPTOM)])
    convulsions = Code(system=CodeSystem.ICD10CM, code="R56.9", display="Unspecified convulsions")
    mentions = [
        m.model_copy(update={"assertion": Assertion.NEGATED, "codes": [convulsions]})
        for m in case.mentions
    ]
    times = [TimeExpression(start=0, end=12, text="At follow-up", kind="follow_up")]
    (item,) = build_summary(
        case.model_copy(update={"mentions": mentions, "times": times})
    ).follow_up
    assert (item.text, item.assertion) == ("seizure-free", Assertion.PRESENT)


def test_a_bag_given_by_mask_is_no_treatment() -> None:
    text = "At birth she required bag and mask ventilation."
    case = _told(text, [("bag", EntityType.MEDICATION)])
    at = text.index("mask")
    route = Attribute(name="route", start=at, end=at + 4, text="mask")
    bagged = case.mentions[0].model_copy(update={"attributes": [route]})
    assert build_summary(case.model_copy(update={"mentions": [bagged]})).treatments == []


def test_a_drugs_form_is_no_procedure() -> None:
    case = _told(
        "She took methylphenidate extended release 54 mg daily.",
        [
            ("methylphenidate", EntityType.MEDICATION),
            ("extended release", EntityType.THERAPEUTIC_PROCEDURE),
        ],
    )
    assert build_summary(case).procedures == []


def test_a_shunt_in_a_findings_name_is_no_procedure() -> None:
    case = _told(
        "She had a ventricular septal defect with a left- to right- shunt.",
        [
            ("left- to right- shunt", EntityType.SIGN_SYMPTOM),
            ("right- shunt", EntityType.THERAPEUTIC_PROCEDURE),
        ],
    )
    assert build_summary(case).procedures == []


def test_a_procedure_the_patient_was_due_to_undergo_is_none_done() -> None:
    case = _told(
        "She was due to undergo bilateral knee replacements.",
        [("knee replacements", EntityType.THERAPEUTIC_PROCEDURE)],
    )
    assert build_summary(case).procedures == []


def test_what_a_title_only_asks_about_is_no_fact_of_the_case() -> None:
    kind = EntityType.THERAPEUTIC_PROCEDURE
    for title, shown in (
        ("Stenosis: do all need valve replacement?", []),
        ("Stenosis: valve replacement in a man", ["valve replacement"]),
    ):
        case = _told(title, [("valve replacement", kind)], section="title")
        assert [i.text for i in build_summary(case).procedures] == shown


def test_possibilities_weighed_against_each_other_are_uncertain_diagnoses() -> None:
    case = _told(
        "To differentiate between chronic sepsis and malignancy, a biopsy was performed, "
        "which showed rheumatoid arthritis.",
        [
            ("chronic sepsis", EntityType.DISEASE_DISORDER),
            ("malignancy", EntityType.DISEASE_DISORDER),
            ("rheumatoid arthritis", EntityType.DISEASE_DISORDER),
        ],
    )
    assert [(i.text, i.assertion) for i in build_summary(case).diagnoses] == [
        ("chronic sepsis", Assertion.UNCERTAIN),
        ("malignancy", Assertion.UNCERTAIN),
        ("rheumatoid arthritis", Assertion.PRESENT),
    ]


def test_what_a_screening_looked_for_is_an_uncertain_diagnosis() -> None:
    case = _told(
        "A screening for lymphoma and tuberculosis was performed, which showed sarcoidosis.",
        [
            ("lymphoma", EntityType.DISEASE_DISORDER),
            ("tuberculosis", EntityType.DISEASE_DISORDER),
            ("sarcoidosis", EntityType.DISEASE_DISORDER),
        ],
    )
    assert [(i.text, i.assertion) for i in build_summary(case).diagnoses] == [
        ("lymphoma", Assertion.UNCERTAIN),
        ("tuberculosis", Assertion.UNCERTAIN),
        ("sarcoidosis", Assertion.PRESENT),
    ]
