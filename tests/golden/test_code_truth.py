"""Only the patient's present facts are coded as the patient's (issue 16).

Each report, written for this test, states one present finding and one absent one: denied,
ruled out, a negative test, a relative's, or "no X". The absent finding's ICD-10-CM code never
enters the case's codes (it stays on its mention), and the present one's is shown.
"""

from __future__ import annotations

import pytest

from casebook.model import Assertion, CodeSystem, Document, Source, SourceFormat
from casebook.service import analyze_document

REPORTS = [
    ("A 54-year-old man had fever but no cough.", "R50", "R05"),
    ("She denied alcohol use. She had hypertension.", "I10", "F10"),
    ("HIV serology was negative. The patient had pneumonia.", "J18", "B20"),
    ("There was no lymphadenopathy. Examination showed jaundice.", "R17", "R59"),
    ("Her mother had diabetes mellitus. She presented with headache.", "R51", "E11"),
    ("Pulmonary embolism was ruled out. He had atrial fibrillation.", "I48", "I26"),
    ("The patient denied chest pain but reported dyspnea.", "R06", "R07"),
    ("No seizures were observed; she had vomiting.", "R11", "R56"),
    ("Blood cultures were negative for sepsis. He had cellulitis of the leg.", "L03", "A41"),
    ("There was no evidence of pneumothorax. The patient had asthma.", "J45", "J93"),
    ("His father had colon cancer. He complained of diarrhea.", "R19", "C18"),
    ("She had no history of hypothyroidism and presented with anemia.", "D64", "E03"),
    ("Tuberculosis was excluded. The patient had hemoptysis.", "R04", "A15"),
    ("A 30-year-old woman had a rash without pruritus.", "R21", "L29"),
    ("He denied dizziness. He had tachycardia.", "R00", "R42"),
    ("Meningitis was ruled out; the patient had a migraine.", "G43", "G03"),
    ("There were no signs of heart failure. She had hypotension.", "I95", "I50"),
    ("No hepatomegaly was found. He had ascites.", "R18", "R16"),
    ("Her sister had breast cancer. She had osteoporosis.", "M81", "C50"),
    ("Urine culture showed no urinary tract infection; he had hematuria.", "R31", "N39"),
    ("The patient did not have diabetes. He had obesity.", "E66", "E11"),
    ("An MRI excluded a stroke. She had aphasia.", "R47", "I63"),
    ("He had no fever. He had a cough.", "R05", "R50"),
    ("She had no nausea. She had constipation.", "K59", "R11.0"),
    ("Hepatitis C serology was negative. He had cirrhosis.", "K74", "B19.2"),
]
"""(report, code prefix of the present finding, code prefix of the absent one)."""


@pytest.mark.parametrize(("text", "present", "absent"), REPORTS)
def test_the_absent_finding_is_never_coded_and_the_present_one_is_shown(
    text: str, present: str, absent: str
) -> None:
    case = analyze_document(Document(id="r", text=text, source=Source(format=SourceFormat.TEXT)))
    codes = [c.code for c in case.codes if c.system is CodeSystem.ICD10CM]
    shown = [c.code for c in case.shown_codes() if c.system is CodeSystem.ICD10CM]
    assert not any(code.startswith(absent) for code in codes), codes
    assert any(code.startswith(present) for code in shown), shown


def test_every_case_code_rests_on_a_present_mention_of_the_patient() -> None:
    for index, (text, _, _) in enumerate(REPORTS):
        case = analyze_document(
            Document(id=f"r{index}", text=text, source=Source(format=SourceFormat.TEXT))
        )
        for code in case.codes:
            assert code.mentions, code
            assertions = {case.mention(m).assertion for m in code.mentions}
            assert assertions == {Assertion.PRESENT}, (code.code, assertions)


def test_a_denied_finding_keeps_its_code_on_its_mention() -> None:
    text = "A 54-year-old man had no fever."
    case = analyze_document(Document(id="f", text=text, source=Source(format=SourceFormat.TEXT)))
    fever = next(m for m in case.mentions if m.text == "fever")
    assert fever.assertion is Assertion.NEGATED
    assert any(c.code == "R50.9" for c in fever.codes)
    assert not case.codes


PAST_HISTORY = [
    ("A 60-year-old man with a history of hypertension presented with a cough.", "I10"),
    ("She had a history of type 2 diabetes mellitus and presented with jaundice.", "E11"),
    ("He had a history of bacterial endocarditis and presented with a cough.", None),
    ("She had a history of pneumonia and presented with jaundice.", None),
]
"""(report, the code prefix its past history still supports, if any): a lasting condition of
the past history is the patient's today; an illness that is over is not."""


@pytest.mark.parametrize(("text", "lasting"), PAST_HISTORY)
def test_only_a_lasting_condition_of_the_past_history_is_coded(
    text: str, lasting: str | None
) -> None:
    case = analyze_document(Document(id="h", text=text, source=Source(format=SourceFormat.TEXT)))
    for code in case.codes:
        if code.system is not CodeSystem.ICD10CM:
            continue
        assertions = {case.mention(m).assertion for m in code.mentions}
        if assertions == {Assertion.HISTORICAL}:
            assert lasting is not None and code.code.startswith(lasting), code.code
    shown = [c.code for c in case.shown_codes() if c.system is CodeSystem.ICD10CM]
    assert lasting is None or any(code.startswith(lasting) for code in shown), shown
