"""FHIR R4 export: every Bundle parses back with fhir.resources and cites its words."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.familymemberhistory import FamilyMemberHistory
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.resource import Resource
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook import model
from casebook.export.fhir import (
    CODE_SYSTEMS,
    EVIDENCE_URL,
    bundle_json,
    case_to_bundle,
    text_hash,
)
from casebook.ingest.text import read_text
from casebook.model import (
    Assertion,
    Attribute,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Relation,
    Sex,
    Source,
    SourceFormat,
    Span,
)
from casebook.service import analyze_document

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def _parsed(case: Case) -> Bundle:
    """The case's Bundle as a FHIR client reads it: JSON text parsed and validated."""
    return Bundle.model_validate_json(bundle_json(case))


def _resources(bundle: Bundle, kind: type[Resource]) -> list[Any]:
    return [e.resource for e in bundle.entry or [] if isinstance(e.resource, kind)]


def _evidence(element: Any) -> list[dict[str, Any]]:
    """The evidence extensions of an element, each as {sub-extension url: value}."""
    found = []
    for extension in element.extension or []:
        if extension.url == EVIDENCE_URL:
            parts: dict[str, Any] = {}
            for part in extension.extension:
                parts[part.url] = part.valueString or part.valueCode or part.valueInteger
            found.append(parts)
    return found


def _all_evidence(data: Any) -> list[dict[str, Any]]:
    """Every evidence extension anywhere in a Bundle's JSON."""
    found: list[dict[str, Any]] = []
    if isinstance(data, dict):
        if data.get("url") == EVIDENCE_URL:
            found.append(
                {p["url"]: next(v for k, v in p.items() if k != "url") for p in data["extension"]}
            )
        for value in data.values():
            found += _all_evidence(value)
    elif isinstance(data, list):
        for value in data:
            found += _all_evidence(value)
    return found


def _case(text: str, *mentions: Mention, **extra: Any) -> Case:
    extra.setdefault("sentences", [Span(start=0, end=len(text))])
    return Case(
        id="case-1",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        mentions=list(mentions),
        **extra,
    )


def _mention(text: str, mention_id: str, words: str, kind: EntityType, **extra: Any) -> Mention:
    start = text.index(words)
    return Mention(
        id=mention_id, start=start, end=start + len(words), text=words, type=kind, **extra
    )


def _attribute(text: str, name: str, words: str, **extra: Any) -> Attribute:
    start = text.index(words)
    return Attribute(name=name, start=start, end=start + len(words), text=words, **extra)


def _verification(condition: Condition) -> str:
    return str(condition.verificationStatus.coding[0].code)


def _full_url(bundle: Bundle, resource: Resource) -> str:
    return next(str(e.fullUrl) for e in bundle.entry or [] if e.resource is resource)


def test_negated_finding_is_refuted_and_affirmed_one_confirmed() -> None:
    text = "She had no fever but a rash."
    case = _case(
        text,
        _mention(text, "m1", "fever", EntityType.SIGN_SYMPTOM, assertion=Assertion.NEGATED),
        _mention(text, "m2", "rash", EntityType.SIGN_SYMPTOM),
    )
    conditions = {c.code.text: c for c in _resources(_parsed(case), Condition)}
    assert _verification(conditions["fever"]) == "refuted"
    assert _verification(conditions["rash"]) == "confirmed"


def test_uncertain_and_hypothetical_findings_are_unconfirmed() -> None:
    text = "Pneumonia was suspected; sepsis could follow."
    case = _case(
        text,
        _mention(
            text, "m1", "Pneumonia", EntityType.DISEASE_DISORDER, assertion=Assertion.UNCERTAIN
        ),
        _mention(
            text, "m2", "sepsis", EntityType.DISEASE_DISORDER, assertion=Assertion.HYPOTHETICAL
        ),
    )
    conditions = _resources(_parsed(case), Condition)
    assert [_verification(c) for c in conditions] == ["unconfirmed", "unconfirmed"]
    assert [_evidence(c)[0]["assertion"] for c in conditions] == ["uncertain", "hypothetical"]


def test_family_finding_is_a_family_history_not_a_condition_of_the_patient() -> None:
    text = "Her mother had breast cancer. She had a cough."
    case = _case(
        text,
        _mention(
            text, "m1", "breast cancer", EntityType.DISEASE_DISORDER, assertion=Assertion.FAMILY
        ),
        _mention(text, "m2", "cough", EntityType.SIGN_SYMPTOM),
        sentences=[Span(start=0, end=29), Span(start=30, end=len(text))],
    )
    bundle = _parsed(case)
    assert [c.code.text for c in _resources(bundle, Condition)] == ["cough"]
    (history,) = _resources(bundle, FamilyMemberHistory)
    assert history.relationship.coding[0].code == "MTH"
    assert history.condition[0].code.text == "breast cancer"
    (patient,) = _resources(bundle, Patient)
    assert history.patient.reference == _full_url(bundle, patient)


def test_family_finding_without_a_named_relative_is_about_a_family_member() -> None:
    text = "Diabetes runs in the family."
    case = _case(
        text,
        _mention(text, "m1", "Diabetes", EntityType.DISEASE_DISORDER, assertion=Assertion.FAMILY),
    )
    (history,) = _resources(_parsed(case), FamilyMemberHistory)
    assert history.relationship.coding[0].code == "FAMMEMB"


def test_procedure_lists_the_complications_it_caused() -> None:
    text = "A lumbar puncture was followed by a headache; there was no bleeding."
    case = _case(
        text,
        _mention(text, "m1", "lumbar puncture", EntityType.THERAPEUTIC_PROCEDURE),
        _mention(text, "m2", "headache", EntityType.SIGN_SYMPTOM),
        _mention(text, "m3", "bleeding", EntityType.SIGN_SYMPTOM, assertion=Assertion.NEGATED),
        relations=[
            Relation(type="caused_by", source="m2", target="m1"),
            Relation(type="caused_by", source="m3", target="m1"),
        ],
    )
    bundle = _parsed(case)
    (procedure,) = _resources(bundle, Procedure)
    headache = next(c for c in _resources(bundle, Condition) if c.code.text == "headache")
    # A complication that did not happen (refuted) is not listed.
    assert [r.reference for r in procedure.complicationDetail] == [_full_url(bundle, headache)]
    assert [c.text for c in procedure.complication] == ["headache"]
    assert procedure.status == "completed"


def test_test_results_become_observations_grouped_in_a_report() -> None:
    text = "The CT scan was normal and haemoglobin was 8.2 g/dL."
    case = _case(
        text,
        _mention(
            text,
            "m1",
            "CT scan",
            EntityType.DIAGNOSTIC_PROCEDURE,
            attributes=[_attribute(text, "result", "normal", value="normal")],
        ),
        _mention(text, "m2", "normal", EntityType.LAB_VALUE),
        _mention(
            text,
            "m3",
            "haemoglobin",
            EntityType.DIAGNOSTIC_PROCEDURE,
            attributes=[_attribute(text, "result", "8.2 g/dL", value="8.2", unit="g/dL")],
        ),
    )
    bundle = _parsed(case)
    observations = {o.code.text: o for o in _resources(bundle, Observation)}
    assert observations["CT scan"].valueString == "normal"
    assert observations["CT scan"].interpretation[0].coding[0].code == "N"
    assert [e["mention"] for e in _evidence(observations["CT scan"])] == ["m1", "m2"]
    quantity = observations["haemoglobin"].valueQuantity
    assert (float(quantity.value), quantity.unit) == (8.2, "g/dL")
    reports = {r.code.text: r for r in _resources(bundle, DiagnosticReport)}
    assert [r.reference for r in reports["CT scan"].result] == [
        _full_url(bundle, observations["CT scan"])
    ]
    procedures = {p.code.text: p for p in _resources(bundle, Procedure)}
    assert procedures["CT scan"].report[0].reference == _full_url(bundle, reports["CT scan"])


def test_a_share_that_names_its_cells_is_their_observation_not_the_tests() -> None:
    text = "White blood cell count was 1,700/mm3 with 23% polymorphonuclear neutrophils."
    case = _case(
        text,
        _mention(
            text,
            "m1",
            "White blood cell count",
            EntityType.DIAGNOSTIC_PROCEDURE,
            attributes=[
                _attribute(text, "result", "1,700/mm3", value="1,700"),
                _attribute(
                    text, "result", "23% polymorphonuclear neutrophils", value="23", unit="%"
                ),
            ],
        ),
    )
    observations = {o.code.text: o for o in _resources(_parsed(case), Observation)}
    assert sorted(observations) == ["White blood cell count", "polymorphonuclear neutrophils"]
    assert float(observations["polymorphonuclear neutrophils"].valueQuantity.value) == 23


def test_medication_statement_carries_dose_route_and_frequency() -> None:
    text = "He received ceftriaxone 1 g i.v. daily."
    case = _case(
        text,
        _mention(
            text,
            "m1",
            "ceftriaxone",
            EntityType.MEDICATION,
            attributes=[
                _attribute(text, "dosage", "1 g", value="1", unit="g"),
                _attribute(text, "route", "i.v.", value="intravenous"),
                _attribute(text, "frequency", "daily"),
            ],
        ),
    )
    (statement,) = _resources(_parsed(case), MedicationStatement)
    assert statement.status == "completed"
    assert statement.medicationCodeableConcept.text == "ceftriaxone"
    (dosage,) = statement.dosage
    dose = dosage.doseAndRate[0].doseQuantity
    assert (float(dose.value), dose.unit) == (1.0, "g")
    assert dosage.route.text == "intravenous"
    assert dosage.timing.code.text == "daily"
    assert [e["text"] for e in _evidence(dosage)] == ["1 g", "i.v.", "daily"]


def test_a_condition_denied_after_it_was_told_resolved_and_one_only_denied_is_refuted() -> None:
    text = "CT showed a pleural effusion. After steroids, no pleural effusion and no ascites."
    second = text.rindex("pleural effusion")
    case = _case(
        text,
        _mention(text, "m1", "pleural effusion", EntityType.DISEASE_DISORDER),
        Mention(
            id="m2",
            start=second,
            end=second + 16,
            text="pleural effusion",
            type=EntityType.DISEASE_DISORDER,
            assertion=Assertion.NEGATED,
        ),
        _mention(text, "m3", "ascites", EntityType.SIGN_SYMPTOM, assertion=Assertion.NEGATED),
        sentences=[Span(start=0, end=29), Span(start=30, end=len(text))],
    )
    conditions = _resources(_parsed(case), Condition)
    assert [_verification(c) for c in conditions] == ["confirmed", "confirmed", "refuted"]
    assert [c.clinicalStatus.coding[0].code if c.clinicalStatus else None for c in conditions] == [
        None,
        "resolved",
        None,
    ]


@pytest.mark.parametrize(
    ("denial", "status"),
    [
        ("Continuous electroencephalogram did not reveal seizures.", None),
        ("Her sister had no seizures at follow-up.", None),
        ("At follow-up there were no new seizures.", None),
        ("At follow-up she had no further seizures.", "resolved"),
    ],
)
def test_a_condition_denied_later_resolved_but_not_one_denied_by_a_test_or_of_another(
    denial: str, status: str | None
) -> None:
    text = "She had seizures. " + denial
    second = text.rindex("seizures")
    case = _case(
        text,
        _mention(text, "m1", "seizures", EntityType.SIGN_SYMPTOM),
        Mention(
            id="m2",
            start=second,
            end=second + 8,
            text="seizures",
            type=EntityType.SIGN_SYMPTOM,
            assertion=Assertion.NEGATED,
        ),
        sentences=[Span(start=0, end=17), Span(start=18, end=len(text))],
    )
    denied = _resources(_parsed(case), Condition)[1]
    assert (denied.clinicalStatus.coding[0].code if denied.clinicalStatus else None) == status


@pytest.mark.parametrize(
    ("denial", "status"),
    [
        ("Enoxaparin and aspirin were discontinued.", "stopped"),  # aspirin was not-taken
        ("When antibiotics were discontinued 7 days later, he was well.", "stopped"),
        ("Given the lack of response to aspirin, he had an MRI.", "stopped"),
        ("He refused the recommended aspirin.", "not-taken"),  # was stopped
        ("He will be discontinued from aspirin next year.", "not-taken"),
    ],
)
def test_a_drug_told_taken_then_no_longer_was_stopped_and_one_only_denied_not_taken(
    denial: str, status: str
) -> None:
    text = "He was started on aspirin. " + denial
    words = next(w for w in ("aspirin", "antibiotics") if w in denial)
    second = text.index(words, 27)
    case = _case(
        text,
        _mention(text, "m1", "aspirin", EntityType.MEDICATION),
        Mention(
            id="m2",
            start=second,
            end=second + len(words),
            text=words,
            type=EntityType.MEDICATION,
            assertion=Assertion.NEGATED,
        ),
        sentences=[Span(start=0, end=26), Span(start=27, end=len(text))],
    )
    statuses = [s.status for s in _resources(_parsed(case), MedicationStatement)]
    assert statuses == ["completed", status]


def test_a_drug_a_culture_was_sensitive_to_or_the_patient_is_allergic_to_was_not_taken() -> None:
    text = "The isolate was sensitive to ampicillin and vancomycin. She was allergic to penicillin."
    case = _case(
        text,
        *(
            _mention(text, f"m{n}", drug, EntityType.MEDICATION)
            for n, drug in enumerate(("ampicillin", "vancomycin", "penicillin"))
        ),
        sentences=[Span(start=0, end=55), Span(start=56, end=len(text))],
    )
    assert _resources(_parsed(case), MedicationStatement) == []


def test_a_drug_named_as_what_another_acts_on_or_the_body_makes_was_not_taken() -> None:
    text = (
        "Octreotide, an analogue of somatostatin, and a dopamine agonist were given for "
        "excess secretion of insulin."
    )
    case = _case(
        text,
        *(
            _mention(text, f"m{n}", drug, EntityType.MEDICATION)
            for n, drug in enumerate(("Octreotide", "somatostatin", "dopamine", "insulin"))
        ),
    )
    statements = _resources(_parsed(case), MedicationStatement)
    assert [s.medicationCodeableConcept.text for s in statements] == ["Octreotide"]


def test_shown_case_codes_become_codings_with_fhir_system_uris() -> None:
    text = "She had a headache."
    headache = _mention(
        text,
        "m1",
        "headache",
        EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.ICD10CM, code="R51.9", display="Headache")],
    )
    case = _case(
        text,
        headache,
        codes=[
            CaseCode(system=CodeSystem.HPO, code="HP:0002315", display="Headache", mentions=["m1"]),
            CaseCode(system=CodeSystem.ICD10CM, code="R51.9", display="Headache", mentions=["m1"]),
            CaseCode(system=CodeSystem.ICD10CM, code="I10", display="Hypertension"),
        ],
    )
    (condition,) = _resources(_parsed(case), Condition)
    assert [(c.system, c.code) for c in condition.code.coding] == [
        ("http://human-phenotype-ontology.org", "HP:0002315"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "R51.9"),
    ]
    assert CODE_SYSTEMS[CodeSystem.ICD10PCS] == "http://www.cms.gov/Medicare/Coding/ICD10"


def test_an_infants_age_is_a_quantity_in_months_not_a_fraction_of_a_year() -> None:
    text = "An 8-month-old boy."
    case = _case(
        text,
        _mention(text, "m1", "8-month-old", EntityType.AGE),
        patient=model.Patient(age_years=0.667, sex=Sex.MALE),
    )
    (age,) = _resources(_parsed(case), Observation)
    quantity = age.valueQuantity
    assert (float(quantity.value), quantity.unit, quantity.code) == (8.0, "months", "mo")


def test_patient_has_gender_and_an_age_observation_citing_their_words() -> None:
    text = "A 29-year-old female."
    case = _case(
        text,
        _mention(text, "m1", "29-year-old", EntityType.AGE),
        _mention(text, "m2", "female", EntityType.SEX),
        patient=model.Patient(age_years=29, sex=Sex.FEMALE),
    )
    bundle = _parsed(case)
    (patient,) = _resources(bundle, Patient)
    assert patient.gender == "female"
    assert _evidence(patient)[0]["text"] == "female"
    (age,) = _resources(bundle, Observation)
    assert age.code.coding[0].code == "30525-0"
    assert (float(age.valueQuantity.value), age.valueQuantity.code) == (29.0, "a")
    assert _evidence(age)[0] == {
        "mention": "m1",
        "start": 2,
        "end": 13,
        "text": "29-year-old",
        "assertion": "present",
    }


def test_document_reference_holds_the_text_the_offsets_point_into() -> None:
    text = "A rash – on both legs."
    case = _case(text, _mention(text, "m1", "rash", EntityType.SIGN_SYMPTOM))
    (document,) = _resources(_parsed(case), DocumentReference)
    attachment = document.content[0].attachment
    assert attachment.data.decode("utf-8") == text
    assert base64.b64encode(attachment.hash).decode("ascii") == text_hash(text)


def test_the_same_case_gives_the_same_bundle_with_valid_ids() -> None:
    text = "She had a cough."
    case = _case(text, _mention(text, "m1", "cough", EntityType.SIGN_SYMPTOM))
    assert bundle_json(case) == bundle_json(case)
    bundle = case_to_bundle(case)
    ids = [e.resource.id for e in bundle.entry or []]
    assert all(FHIR_ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)
    other = case_to_bundle(case.model_copy(update={"id": "case-2"}))
    assert not set(ids) & {e.resource.id for e in other.entry or []}


def test_a_mention_that_is_no_fact_about_the_patient_gives_no_resource() -> None:
    text = "A valve (Carbomedics Inc.) was sewn in and she had a cough."
    company = _mention(text, "m1", "Carbomedics", EntityType.MEDICATION)
    cough = _mention(text, "m2", "cough", EntityType.SIGN_SYMPTOM)
    case = _case(
        text,
        company.model_copy(update={"patient_fact": False}),
        cough.model_copy(update={"patient_fact": True}),
    )
    bundle = _parsed(case)
    assert not _resources(bundle, MedicationStatement)
    assert [_evidence(c)[0]["text"] for c in _resources(bundle, Condition)] == ["cough"]


def test_the_example_case_gives_a_valid_bundle_citing_the_text(example_case_path: Path) -> None:
    case = analyze_document(read_text(example_case_path))
    bundle = _parsed(case)
    (patient,) = _resources(bundle, Patient)
    assert patient.gender == "female"
    findings = [
        m
        for m in case.mentions
        if m.type in {EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER}
        and m.patient_fact is not False
    ]
    conditions = _resources(bundle, Condition)
    assert len(conditions) == len(findings)
    # The colleagues the mention model typed as a procedure are no Procedure of the patient.
    procedures = {_evidence(p)[0]["text"] for p in _resources(bundle, Procedure)}
    assert "blood patch" in procedures and "Anaesthetic colleagues" not in procedures
    # The discharge from the biopsy site ceased and the leak resolved: both were had before.
    negated = {m.text for m in findings if m.assertion is Assertion.NEGATED}
    resolved = {_evidence(c)[0]["text"] for c in conditions if c.clinicalStatus is not None}
    assert negated == resolved == {"discharge", "leak"}
    assert not [c for c in conditions if _verification(c) == "refuted"]
    assert _resources(bundle, Procedure) and _resources(bundle, DiagnosticReport)
    for cited in _all_evidence(bundle.model_dump()):
        assert 0 <= cited["start"] <= cited["end"] <= len(case.text)
        assert case.text[cited["start"] : cited["end"]] == cited["text"]


ATTRIBUTE_NAMES = ["site", "severity", "result", "value", "dosage", "route", "frequency", "x"]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Any valid case: random text, spans, types, assertions, attributes, codes, relations."""
    text = draw(st.text(min_size=1, max_size=120))

    def span() -> tuple[int, int]:
        start = draw(st.integers(0, len(text)))
        return start, draw(st.integers(start, len(text)))

    mentions = []
    for number in range(draw(st.integers(0, 8))):
        start, end = span()
        attributes = []
        for _ in range(draw(st.integers(0, 3))):
            a_start, a_end = span()
            attributes.append(
                Attribute(
                    name=draw(st.sampled_from(ATTRIBUTE_NAMES)),
                    start=a_start,
                    end=a_end,
                    text=text[a_start:a_end],
                    value=draw(
                        st.none() | st.text(max_size=6) | st.sampled_from(["2.5", "normal"])
                    ),
                    unit=draw(st.none() | st.text(max_size=4)),
                )
            )
        mentions.append(
            Mention(
                id=draw(st.text(min_size=1, max_size=4)) + f"#{number}",
                start=start,
                end=end,
                text=text[start:end],
                type=draw(st.sampled_from(list(EntityType))),
                assertion=draw(st.sampled_from(list(Assertion))),
                attributes=attributes,
                codes=[
                    Code(system=draw(st.sampled_from(list(CodeSystem))), code=code)
                    for code in draw(st.lists(st.text(min_size=1, max_size=6), max_size=2))
                ],
            )
        )
    ids = [m.id for m in mentions]
    relations = []
    if ids:
        for _ in range(draw(st.integers(0, 4))):
            relations.append(
                Relation(
                    type=draw(st.sampled_from(["caused_by", "modifies"])),
                    source=draw(st.sampled_from(ids)),
                    target=draw(st.sampled_from(ids)),
                )
            )
    return Case(
        id=draw(st.text(min_size=1, max_size=10)),
        text=text,
        title=draw(st.none() | st.text(max_size=10)),
        source=Source(format=draw(st.sampled_from(list(SourceFormat)))),
        patient=model.Patient(
            age_years=draw(st.none() | st.floats(0, 120)),
            sex=draw(st.none() | st.sampled_from(list(Sex))),
        ),
        sentences=[Span(start=0, end=len(text))],
        mentions=mentions,
        relations=relations,
        codes=[
            CaseCode(
                system=CodeSystem.ICD10CM, code="R51", mentions=draw(st.lists(st.sampled_from(ids)))
            )
        ]
        if ids
        else [],
    )


@settings(max_examples=60, deadline=None)
@given(cases())
def test_any_valid_case_gives_a_valid_bundle_citing_words_inside_the_text(case: Case) -> None:
    bundle = _parsed(case)
    for cited in _all_evidence(bundle.model_dump()):
        assert 0 <= cited["start"] <= cited["end"] <= len(case.text)
        if "text" in cited:
            assert case.text[cited["start"] : cited["end"]] == cited["text"]
    findings = [
        m for m in case.mentions if m.type in {EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER}
    ]
    conditions = _resources(bundle, Condition)
    assert len(conditions) == len([m for m in findings if m.assertion is not Assertion.FAMILY])
    assert len(_resources(bundle, FamilyMemberHistory)) == len(
        [m for m in findings if m.assertion is Assertion.FAMILY]
    )
    ids = [e.resource.id for e in bundle.entry or []]
    assert all(FHIR_ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids)


def test_a_drug_the_patient_is_allergic_to_is_an_allergy_unless_the_allergy_is_denied() -> None:
    text = "She was allergic to penicillin. She had no known allergy to aspirin."
    case = _case(
        text,
        _mention(text, "m1", "penicillin", EntityType.MEDICATION),
        _mention(text, "m2", "aspirin", EntityType.MEDICATION),
        sentences=[Span(start=0, end=31), Span(start=32, end=len(text))],
    )
    (allergy,) = _resources(_parsed(case), AllergyIntolerance)
    assert (allergy.code.text, allergy.verificationStatus.coding[0].code) == (
        "penicillin",
        "confirmed",
    )


def test_a_finding_told_normal_is_no_condition_unless_a_code_names_a_disorder() -> None:
    text = "Echo showed normal LV mass. The aneurysm was intact."
    mass = _mention(
        text,
        "m1",
        "mass",
        EntityType.SIGN_SYMPTOM,
        attributes=[
            _attribute(text, "value", "normal", value="normal"),
            _attribute(text, "site", "LV"),
        ],
    )
    aneurysm = _mention(
        text,
        "m2",
        "aneurysm",
        EntityType.DISEASE_DISORDER,
        attributes=[_attribute(text, "value", "intact")],
        codes=[Code(system=CodeSystem.ICD10CM, code="I72.9", display="Aneurysm")],
    )
    case = _case(text, mass, aneurysm)
    assert [c.code.text for c in _resources(_parsed(case), Condition)] == ["aneurysm"]


def test_a_finding_told_as_gone_is_resolved_but_not_the_cause_of_what_went_away() -> None:
    text = "Pain relief was obtained. The pain due to gastric cancer was relieved."
    case = _case(
        text,
        _mention(text, "m1", "Pain", EntityType.SIGN_SYMPTOM),
        _mention(text, "m2", "gastric cancer", EntityType.DISEASE_DISORDER),
        sentences=[Span(start=0, end=25), Span(start=26, end=len(text))],
    )
    conditions = _resources(_parsed(case), Condition)
    assert [c.clinicalStatus.coding[0].code if c.clinicalStatus else None for c in conditions] == [
        "resolved",
        None,
    ]


def test_a_finding_has_the_onset_its_time_words_tell_unless_counted_from_another_event() -> None:
    text = "Hematuria began 12 days prior. Fever started two days prior to the rash."
    times = [
        model.TimeExpression(start=16, end=29, text="12 days prior", kind="before"),
        model.TimeExpression(start=45, end=59, text="two days prior", kind="before"),
    ]
    case = _case(
        text,
        _mention(
            text,
            "m1",
            "Hematuria",
            EntityType.SIGN_SYMPTOM,
            attributes=[_attribute(text, "date", "12 days prior")],
        ),
        _mention(
            text,
            "m2",
            "Fever",
            EntityType.SIGN_SYMPTOM,
            attributes=[_attribute(text, "date", "two days prior")],
        ),
        sentences=[Span(start=0, end=30), Span(start=31, end=len(text))],
        times=times,
    )
    conditions = _resources(_parsed(case), Condition)
    assert [c.onsetString for c in conditions] == ["12 days prior", None]
    assert _evidence(conditions[0].onsetString__ext)[0]["text"] == "12 days prior"


def test_a_finding_named_with_words_of_a_treatment_has_no_onset_from_its_time() -> None:
    # "PD" (peritoneal dialysis), typed a disease, is no treatment mention: its words tell one.
    text = "He was started on PD due to IgA nephropathy 8 months before admission."
    date = text.index("8 months before")
    case = _case(
        text,
        _mention(
            text,
            "m1",
            "IgA nephropathy",
            EntityType.DISEASE_DISORDER,
            attributes=[_attribute(text, "date", "8 months before")],
        ),
        times=[
            model.TimeExpression(start=date, end=date + 15, text="8 months before", kind="before")
        ],
    )
    (condition,) = _resources(_parsed(case), Condition)
    assert condition.onsetString is None  # was "8 months before", when PD was started


def test_time_words_telling_when_a_finding_ended_are_no_onset() -> None:
    text = "She had fevers and rashes until the age of 14."
    date = text.index("until the age of 14")
    case = _case(
        text,
        _mention(
            text,
            "m1",
            "rashes",
            EntityType.SIGN_SYMPTOM,
            attributes=[_attribute(text, "date", "until the age of 14")],
        ),
        times=[
            model.TimeExpression(start=date, end=date + 19, text="until the age of 14", kind="age")
        ],
    )
    (condition,) = _resources(_parsed(case), Condition)
    assert condition.onsetString is None  # was "until the age of 14"


def test_a_finding_the_summary_reads_as_a_procedure_is_a_procedure_not_a_condition() -> None:
    text = "She underwent haematopoietic stem cell transplantation."
    transplant = _mention(
        text,
        "m1",
        "haematopoietic stem cell transplantation",
        EntityType.DISEASE_DISORDER,
        codes=[Code(system=CodeSystem.ICD10CM, code="Z94.84", display="Stem cells status")],
    )
    summary = model.ClinicalSummary(
        procedures=[model.SummaryItem(text=transplant.text, mentions=["m1"])]
    )
    bundle = _parsed(_case(text, transplant, summary=summary))
    assert _resources(bundle, Condition) == []  # was a confirmed Condition
    (procedure,) = _resources(bundle, Procedure)
    assert (procedure.code.text, procedure.code.coding) == (transplant.text, None)


def test_a_finding_told_in_remission_has_that_status_and_a_remission_is_no_condition() -> None:
    text = "She had nephrotic syndrome since 2 years and was in remission."
    case = _case(
        text,
        _mention(text, "m1", "nephrotic syndrome", EntityType.DISEASE_DISORDER),
        _mention(text, "m2", "remission", EntityType.SIGN_SYMPTOM),
    )
    (condition,) = _resources(_parsed(case), Condition)  # was also a Condition "remission"
    assert condition.code.text == "nephrotic syndrome"
    assert condition.clinicalStatus.coding[0].code == "remission"  # was none


@pytest.mark.parametrize(
    ("text", "words", "kind", "status"),
    [
        ("We observed total remission of the swelling.", "swelling", "Sign_symptom", "resolved"),
        ("There was partial remission of her cough.", "cough", "Sign_symptom", None),
        ("There was no remission of the lesion.", "lesion", "Sign_symptom", None),
        ("The tumor remained in remission.", "tumor", "Sign_symptom", "remission"),
        ("Her lymphoma was in complete remission.", "lymphoma", "Disease_disorder", "remission"),
    ],
)
def test_a_sign_in_remission_went_away_and_a_disease_is_in_remission(
    text: str, words: str, kind: str, status: str | None
) -> None:
    (condition,) = _resources(
        _parsed(_case(text, _mention(text, "m1", words, EntityType(kind)))), Condition
    )
    assert (condition.clinicalStatus.coding[0].code if condition.clinicalStatus else None) == status


def test_a_finding_naming_a_drug_allergy_is_an_allergy_not_a_condition() -> None:
    text = "She had a severe penicillin allergy and a food allergy."
    case = _case(
        text,
        _mention(text, "m1", "severe penicillin allergy", EntityType.DISEASE_DISORDER),
        _mention(text, "m2", "food allergy", EntityType.SIGN_SYMPTOM),
    )
    bundle = _parsed(case)
    assert [a.code.text for a in _resources(bundle, AllergyIntolerance)] == [
        "severe penicillin allergy"  # was a Condition
    ]
    assert [c.code.text for c in _resources(bundle, Condition)] == ["food allergy"]


def test_only_shown_codes_and_a_procedures_first_code_become_codings() -> None:
    text = "A computed tomography study of the head, chest, abdomen and pelvis. She had chills."
    scan = _mention(
        text,
        "m1",
        "computed tomography study",
        EntityType.DIAGNOSTIC_PROCEDURE,
        codes=[Code(system=CodeSystem.ICD10PCS, code=c) for c in ("BW25", "BW21", "BW24")],
    )
    chills = _mention(
        text,
        "m2",
        "chills",
        EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.ICD10CM, code="R68.83")],
    )
    scans = [
        CaseCode(system=CodeSystem.ICD10PCS, code=c, mentions=["m1"]) for c in ("BW21", "BW25")
    ]
    below = CaseCode(system=CodeSystem.ICD10CM, code="R68.83", mentions=["m2"], shown=False)
    bundle = _parsed(_case(text, scan, chills, codes=[*scans, below]))
    (procedure,) = _resources(bundle, Procedure)
    assert [c.code for c in procedure.code.coding] == ["BW25"]  # was BW25, BW21 and BW24
    (condition,) = _resources(bundle, Condition)
    assert condition.code.coding is None  # was R68.83, below its calibrated threshold


def test_codes_the_case_does_not_show_become_no_codings() -> None:
    text = "She had repeated vomiting. There was no facial palsy."
    vomiting = _mention(
        text,
        "m1",
        "repeated vomiting",
        EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.ICD10CM, code=c) for c in ("R11.1", "R11.10")],
    )
    palsy = _mention(
        text,
        "m2",
        "facial palsy",
        EntityType.SIGN_SYMPTOM,
        assertion=Assertion.NEGATED,
        codes=[Code(system=CodeSystem.ICD10CM, code="G51.0", display="Bell's palsy")],
    )
    shown = CaseCode(system=CodeSystem.ICD10CM, code="R11.10", mentions=["m1"])
    bundle = _parsed(_case(text, vomiting, palsy, codes=[shown]))
    assert [[c.code for c in r.code.coding or []] for r in _resources(bundle, Condition)] == [
        ["R11.10"],  # was R11.1, a category beside it, and R11.10
        [],  # was G51.0, Bell's palsy, which no code of the case shows
    ]


def test_a_new_event_denied_after_its_finding_was_told_is_refuted_not_resolved() -> None:
    text = "A tumor recurrence was resected. There was no tumor recurrence after a year."
    case = _case(
        text,
        _mention(text, "m1", "tumor recurrence", EntityType.DISEASE_DISORDER),
        Mention(
            id="m2",
            start=text.rindex("tumor recurrence"),
            end=text.rindex("tumor recurrence") + len("tumor recurrence"),
            text="tumor recurrence",
            type=EntityType.DISEASE_DISORDER,
            assertion=Assertion.NEGATED,
        ),
        sentences=[Span(start=0, end=32), Span(start=33, end=len(text))],
    )
    denied = _resources(_parsed(case), Condition)[1]
    assert (_verification(denied), denied.clinicalStatus) == ("refuted", None)  # was resolved
