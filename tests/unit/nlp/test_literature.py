"""Whom each sentence of a case report is about: the patient, the literature, or nobody."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Section, Source, SourceFormat, Span
from casebook.nlp.literature import Statement, StatementSorter, default_sorter
from casebook.resources import resource_path


def _about(sentence: str, section: str = "case_presentation") -> Statement:
    case = Case(
        id="s",
        text=sentence,
        source=Source(format=SourceFormat.TEXT),
        sections=[Section(start=0, end=len(sentence), title="", kind=section)],
        sentences=[Span(start=0, end=len(sentence))],
    )
    return default_sorter().sort(case).at(0)


@pytest.mark.parametrize(
    ("sentence", "section", "about"),
    [
        ("Smith et al. reported meningitis in 3 patients.", "discussion", "literature"),
        ("Smith et al. reported meningitis in 3 patients.", "case_presentation", "literature"),
        ("Patients with cystic fibrosis develop chronic infections.", "body", "literature"),
        ("Similar cases have been reported after lumbar puncture.", "body", "literature"),
        ("CSF leak is a rare complication of biopsy.", "discussion", "literature"),
        # General knowledge stated in a case section is no fact of the patient's.
        ("The mainstay of prevention is surgical repair [].", "case_presentation", "literature"),
        ("Surgery is the treatment of choice for abscesses.", "body", "literature"),
        ("Anticoagulation is generally recommended for 3 months.", "body", "literature"),
        ("Meningiomas arise from arachnoid cap cells.", "case_presentation", "literature"),
        ("Schwannomas are composed of Schwann cells.", "case_presentation", "literature"),
        ("In 75% of meningiomas, calcifications were registered.", "body", "literature"),
        ("All patients had intractable seizures or headaches.", "body", "literature"),
        ("Only few patients present with chest pain or a cough.", "body", "literature"),
        # What a marker tells is so in general.
        ("AFP is a tumor marker for HCC.", "case_presentation", "literature"),
        # A disorder told by what characterizes it is described in general.
        (
            "It is a hereditary disease characterized by corneal dystrophy and neuropathy.",
            "case_presentation",
            "literature",
        ),
        ("The syndrome is further characterized by aneurysms.", "body", "literature"),
        # What a condition or a drug can cause or present with is so in general.
        (
            "When present, symptoms can include cough, hemoptysis and wheezing.",
            "case_presentation",
            "literature",
        ),
        ("Carbamazepine may cause visual field defects.", "body", "literature"),
        # "et al." closing a list says "and others", no authors ("…, thyroid function, et al.").
        (
            "No abnormalities were found in laboratory tests, including blood cell analysis, "
            "blood sugar, renal and thyroid function, et al.",
            "case_presentation",
            "patient",
        ),
        # What a cohort or a dataset shows is of its patients.
        (
            "Using datasets as external validation cohorts, we found prolonged survival in "
            "lung adenocarcinoma and melanoma.",
            "case_presentation",
            "literature",
        ),
        # The patient's own growths, told in the past, are hers.
        ("Her schwannomas were removed.", "case_presentation", "patient"),
        ("Our patient had meningitis.", "discussion", "left_out"),
        ("Unlike previously reported cases, she had no fever.", "body", "left_out"),
        ("Tuberculosis was ruled out.", "differential_diagnosis", "left_out"),
        ("Smith J. Meningitis in adults. Lancet 2001.", "references", "left_out"),
        ("No complications were reported at the time.", "case_presentation", "patient"),
        ("AFLP was confirmed by the Swansea criteria [9].", "case_presentation", "patient"),
        # A study cited in brackets names a method applied to the patient.
        (
            "HEV infection was diagnosed by PCR (primers based on Zhao et al. []).",
            "case_presentation",
            "patient",
        ),
        ("(Smith et al. reported meningitis in 3 patients.)", "discussion", "literature"),
        (
            "Surgery is needed when the ducts are dilated (Smith et al.).",
            "case_presentation",
            "literature",
        ),
        # A cited sentence in the present tense alone tells what is so in general.
        (
            "NGCO can originate from any epithelial cancer, including cancer of the lung [].",
            "case_presentation",
            "literature",
        ),
        ("Osteoid osteomas usually cause clubbing of a finger.", "body", "literature"),
        # What a disease is usually accompanied by or treated with is so in general; what
        # the patient's own complaint usually comes with is the patient's.
        (
            "Allergic urticaria is usually accompanied by itching and is resolved with steroids.",
            "body",
            "literature",
        ),
        ("Her headaches, which are often accompanied by nausea, recur.", "body", "patient"),
        # A sentence opening by telling what a thing is tells it in general, uncited; one
        # telling the patient's age, or what the patient's mass is, does not.
        (
            "Cisplatin is an alkylating agent associated with toxicities such as ototoxicity.",
            "body",
            "literature",
        ),
        ("SA is a 4-year-old boy with fever.", "body", "patient"),
        ("The mass is a well-circumscribed cyst.", "body", "patient"),
        # What a disease's manifestations include, or what rats showed, is no patient's.
        (
            "The clinical manifestations of methanol ingestion include headache and nausea.",
            "body",
            "literature",
        ),
        ("In the study, paralysis was seen in all rats.", "body", "literature"),
        # What a study's controls had is theirs.
        ("Healthy controls had a normal neurological examination.", "body", "literature"),
        # A value told against a control's is the patient's.
        ("The prothrombin time was 24 s (28% of normal control).", "body", "patient"),
        # How common a finding is among those with a disease is a statement about them.
        ("Ascites is uncommon in cholangitis with a normal liver.", "body", "literature"),
        ("Right-sided pericardial involvement is even less common.", "body", "literature"),
        ("He had a sarcoma of the thigh, which is quite rare.", "body", "patient"),
        (
            "Brown tumors and giant-cell granulomas have similar findings [].",
            "case_presentation",
            "literature",
        ),
        ("Her symptoms are typical of the disease [3].", "case_presentation", "patient"),
        ("She had meningitis.", "body", "patient"),
        # The patient's prior imaging is no published study.
        ("The mass was similar to previous studies.", "case_presentation", "patient"),
        # A reference back within the report, or to a method, is no statement about others.
        (
            "The previously described dermal infiltrate was dense.",
            "case_presentation",
            "patient",
        ),
        ("Biopsies were taken as previously described.", "case_presentation", "patient"),
        ("This variant was previously reported in two families.", "body", "literature"),
        # What studies have shown, or what has been reported, is of their patients.
        (
            "We stopped atorvastatin because several studies have shown a relationship between "
            "statins and vasculitis.",
            "case_presentation",
            "literature",
        ),
        ("A recent report showed an association with thromboembolism.", "body", "literature"),
        ("It has been suggested that imatinib triggers hypopigmentation.", "body", "literature"),
        # Imaging studies and a recommendation are the patient's.
        ("Radiological studies have shown a new lung infiltrate.", "body", "patient"),
        (
            "It is suggested that the patient should take fludrocortisone for the deficiency.",
            "body",
            "patient",
        ),
        # A legend glosses abbreviations; it states nothing anyone had or received.
        (
            "Tet: tetracycline; Cot: cotrimoxazole; Gen: gentamycin; R: resistant.",
            "case_presentation",
            "legend",
        ),
        (
            "EF: Ejection fraction LDS: Loeys-Dietz syndrome MFS: Marfan syndrome",
            "body",
            "legend",
        ),
        (
            "APVR, anomalous pulmonary venous return; PDA, patent ductus arteriosus; VSD, "
            "ventricular septal defect.",
            "body",
            "legend",
        ),
        # A case report's title names its patient's condition; its genre words are no cue.
        (
            "Salivary duct carcinoma of the submandibular gland: a case report and review of "
            "the literature",
            "title",
            "patient",
        ),
        # Values after their tests are facts, not glosses.
        ("Tests: WBC: 12,000/mm3; CRP: 5 mg/dL; ALT: 45 U/L.", "case_presentation", "patient"),
        (
            "Past history: asthma; Medications: salbutamol; Allergies: penicillin.",
            "case_presentation",
            "patient",
        ),
    ],
)
def test_each_sentence_is_about_the_patient_the_literature_or_neither(
    sentence: str, section: str, about: str
) -> None:
    assert _about(sentence, section).value == about


def test_text_outside_every_sentence_is_the_patients() -> None:
    case = Case(id="s", text="Heading", source=Source(format=SourceFormat.TEXT))
    assert default_sorter().sort(case).at(3) is Statement.PATIENT


def test_a_rule_file_with_a_broken_pattern_is_a_coded_error(tmp_path: Path) -> None:
    rules = json.loads(resource_path("literature.json").read_text(encoding="utf-8"))
    rules["patient_cues"] = ["(unclosed"]
    bad = tmp_path / "literature.json"
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        StatementSorter(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


CUE_FRAGMENTS = [
    "Smith et al. reported",
    "ET AL",
    "previously reported",
    "as previously reported",
    "Lymphomas occur",
    "our patient",
    "Our Patient",
    "the patient",
    "cases",
    " ",
    ". ",
    "\u017f",
    "\u0130",
    "\u00e9",
    "\u0663",
]
"""Literature and patient cues, and characters whose case folding is special."""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(CUE_FRAGMENTS), max_size=12), st.integers(0, 30))
def test_cues_are_found_as_case_insensitive_search_finds_them(
    pieces: list[str], start: int
) -> None:
    text = "".join(pieces)
    sorter = default_sorter()
    assert sorter.about_literature(text, start) == any(
        cue.search(text, start) for cue in sorter.cues
    )
    assert sorter.about_patient(text, start) == any(
        cue.search(text, start) for cue in sorter.patient_cues
    )
