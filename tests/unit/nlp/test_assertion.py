"""ContextAssertion: one sentence, one rule, one assertion (medspaCy-style tests)."""

from __future__ import annotations

import json
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
    Section,
    Sex,
    Source,
    SourceFormat,
    Span,
)
from casebook.nlp.assertion import EVENT_TYPES, ContextAssertion, ContextRules
from casebook.resources import load_rules, resource_path


@pytest.fixture(scope="module")
def context() -> ContextAssertion:
    return ContextAssertion()


def make_case(
    text: str,
    targets: list[tuple[str, EntityType]],
    kind: str = "case_presentation",
    title: str = "",
) -> Case:
    """One sentence, one section, one mention per target (located with ``text.index``)."""
    mentions = []
    for number, (words, type_) in enumerate(targets):
        start = text.index(words)
        mentions.append(
            Mention(id=f"m{number}", start=start, end=start + len(words), text=words, type=type_)
        )
    return Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sections=[Section(start=0, end=len(text), title=title, kind=kind)],
        sentences=[Span(start=0, end=len(text))],
        mentions=mentions,
    )


def assertions(context: ContextAssertion, case: Case) -> dict[str, Assertion]:
    return {m.text: m.assertion for m in context(case).mentions}


SIGN = EntityType.SIGN_SYMPTOM
DISEASE = EntityType.DISEASE_DISORDER
TEST = EntityType.DIAGNOSTIC_PROCEDURE
DRUG = EntityType.MEDICATION
TREATMENT = EntityType.THERAPEUTIC_PROCEDURE
OUTCOME = EntityType.OUTCOME


@pytest.mark.parametrize(
    ("text", "target", "type_", "expected"),
    [
        # What never occurred is denied after it is named; what occurred is not.
        (
            "Arterial aneurysm and dissection never occurred.",
            "dissection",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("Seizures did not occur after the surgery.", "Seizures", SIGN, Assertion.NEGATED),
        ("Hypotension occurred twice.", "Hypotension", SIGN, Assertion.PRESENT),
        # Negative testing denies each disease it lists, however long the list.
        (
            "The work-up included a lumbar puncture and negative testing for herpes simplex "
            "virus (HSV), varicella zoster virus (VZV), toxoplasmosis and cysticercosis.",
            "toxoplasmosis",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "Samples were sent for flow cytometry for lymphoma.",
            "lymphoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What a work-up for the past found is of now.
        (
            "Workup for autoimmune conditions or history of drug use revealed glomerulonephritis.",
            "glomerulonephritis",
            DISEASE,
            Assertion.PRESENT,
        ),
        # What a test sought and found is the patient's.
        ("Testing for HIV was positive.", "HIV", DISEASE, Assertion.PRESENT),
        ("A PCR for malaria showed a positive result.", "malaria", DISEASE, Assertion.PRESENT),
        ("A PCR for malaria showed a negative result.", "malaria", DISEASE, Assertion.NEGATED),
        ("Testing for HIV was sent.", "HIV", DISEASE, Assertion.UNCERTAIN),
        # A negative result of serologic tests or cultures for a list denies its first item too.
        (
            "Serologic tests for HIV, hepatitis B and hepatitis C were negative.",
            "HIV",
            DISEASE,
            Assertion.NEGATED,
        ),
        # What the patient is not sure about is uncertain, not denied.
        (
            "The patient was not sure about the presence of a fever.",
            "fever",
            SIGN,
            Assertion.UNCERTAIN,
        ),
        # The patient's family told beside the patient is no subject of the patient's findings.
        (
            "Genetic testing was performed in the patient and her family members under the "
            "diagnosis of Alport syndrome.",
            "Alport syndrome",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A relative who is a preposition's object is no subject of the patient's findings.
        ("She lived with her parents and had asthma.", "asthma", DISEASE, Assertion.PRESENT),
        (
            "She reported persecutory delusions towards her brother-in-law.",
            "persecutory delusions",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "She lived with her mother, who had schizophrenia.",
            "schizophrenia",
            DISEASE,
            Assertion.FAMILY,
        ),
        # What a finding was previously or wrongly diagnosed as is no diagnosis told as true.
        (
            "She had skin lesions previously diagnosed as erysipelas.",
            "erysipelas",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A relation denied between two things denies neither.
        (
            "There was no relation between the pain and eating.",
            "pain",
            SIGN,
            Assertion.PRESENT,
        ),
        # What a treatment brought no relief of is still there.
        ("Analgesics were given without relief of the pain.", "pain", SIGN, Assertion.PRESENT),
        # An initial diagnosis is a provisional one; the time since it is not.
        (
            "His initial diagnosis was viral meningitis.",
            "viral meningitis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Paraplegia occurred seven months after the initial diagnosis of glioblastoma.",
            "glioblastoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A procedure written as the time after it was done, whatever is denied after it.
        (
            "He did not receive post-splenectomy vaccinations.",
            "splenectomy",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # A positive test that finds the agent itself tells the disease; an antibody's does not.
        ("A COVID-19 PCR test was positive.", "COVID-19", DISEASE, Assertion.PRESENT),
        ("CMV IgG was positive.", "CMV", DISEASE, Assertion.UNCERTAIN),
        # What a test or search that was not done looks for was not looked for: unknown.
        (
            "Genetic testing for Lynch syndrome was not performed.",
            "Lynch syndrome",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What a treatment did not prevent, control or suppress is still there.
        ("These therapies did not ameliorate the symptoms.", "symptoms", SIGN, Assertion.PRESENT),
        (
            "Steroids did not appear to suppress the inflammation.",
            "inflammation",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A relative who brings the patient in is no subject of the patient's complaints.
        (
            "He was brought to the clinic by his mother with complaints of irritability.",
            "irritability",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "He was raised by his mother, who had schizophrenia.",
            "schizophrenia",
            DISEASE,
            Assertion.FAMILY,
        ),
        # A cause told as likely, of a finding told before ("the", "his"), leaves the effect
        # present: the link is what is suspected.
        (
            "The rash was likely secondary to his vasculitis.",
            "rash",
            SIGN,
            Assertion.PRESENT,
        ),
        # A probable cause first told there is only suspected.
        (
            "The fever was probably secondary to the infection.",
            "infection",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A result told ends what was only sought.
        (
            "Staining for acid fast bacilli showed bacilli, confirming a tuberculous aetiology.",
            "tuberculous aetiology",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A presentation with a history of findings lasting until now is the present illness;
        # a past disease told with no such duration stays the past history.
        (
            "He presented to the emergency department because of a history of occipital "
            "headache and fever for one month.",
            "headache",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "She presented with a history of measles 3 months ago and now has seizures.",
            "measles",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        # What a test excluded is denied, a few words on ("line-associated" is three tokens).
        (
            "The scan excluded a PICC line-associated thrombus.",
            "thrombus",
            DISEASE,
            Assertion.NEGATED,
        ),
        # A risk is of what has not happened; a tumour's risk grade is not.
        (
            "The dilated artery posed a significant thrombosis and dissection risk.",
            "thrombosis",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        ("It was a jejunal GIST of intermediate risk.", "GIST", DISEASE, Assertion.PRESENT),
        # What a thing is known to cause, or can cause, is general knowledge, not the patient's.
        (
            "Phosphorus was low, which is known to precipitate seizures.",
            "seizures",
            SIGN,
            Assertion.HYPOTHETICAL,
        ),
        ("Hypokalemia can cause arrhythmia.", "arrhythmia", SIGN, Assertion.HYPOTHETICAL),
        ("Sepsis can occasionally cause delirium.", "delirium", SIGN, Assertion.HYPOTHETICAL),
        ("Hypokalemia caused arrhythmia.", "arrhythmia", SIGN, Assertion.PRESENT),
        # What may be considered in a differential diagnosis is suspected.
        (
            "PRES may be considered as a differential diagnosis in this setting.",
            "PRES",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # The most likely diagnosis is one suspected.
        (
            "The most likely diagnosis was bronchogenic carcinoma.",
            "bronchogenic carcinoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        ("Pneumonia was the most likely diagnosis.", "Pneumonia", DISEASE, Assertion.UNCERTAIN),
        # What the patient fears has not happened.
        (
            "She was reluctant to start steroids due to fear of weight gain.",
            "weight gain",
            SIGN,
            Assertion.HYPOTHETICAL,
        ),
        # A procedure whose possibility is told is one not done; a finding's is suspected.
        (
            "The possibility of liver transplantation has been explained to the patient.",
            "liver transplantation",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        (
            "She denied any parenteral risk factors for viral hepatitis.",
            "viral hepatitis",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        (
            "Risk factors for stroke included hypertension.",
            "hypertension",
            SIGN,
            Assertion.PRESENT,
        ),
        # A short form's long form in brackets restates one word: a denial reaches past it.
        (
            "Besides, HIV (human immunodeficiency virus) and HCV (hepatitis C virus) RT-PCR "
            "were negative.",
            "HIV",
            DISEASE,
            Assertion.NEGATED,
        ),
        # What was only plausible is suspected.
        (
            "An associated thrombus in the SVC with resultant obstruction was also plausible.",
            "thrombus",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A differential, however its verb is put, suspects what it lists.
        (
            "Infective endocarditis was top of the differential diagnosis.",
            "Infective endocarditis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The differential diagnosis offered were adenoma or lymphoma.",
            "lymphoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The differentials considered at the time were tuberculous or fungal meningitis.",
            "fungal meningitis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # ... however long the words between the differential and its verb, which name no
        # suspicion ("in our lupus patient").
        (
            "The differential causes leading to a sudden decline in our lupus patient included "
            "vasculitis.",
            "vasculitis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A cause told as likely is only suspected; what it caused is not, nor a cause told
        # before ("likely related to the severe oligohydramnios",
        # ``test_a_probable_cause_told_before_stays_as_told``).
        ("The fever was possibly due to pneumonia.", "pneumonia", DISEASE, Assertion.UNCERTAIN),
        ("The fever was possibly due to pneumonia.", "fever", SIGN, Assertion.PRESENT),
        ("The fever was due to pneumonia.", "pneumonia", DISEASE, Assertion.PRESENT),
        (
            "She developed pneumonia probably due to aspiration with consequent respiratory "
            "failure.",
            "respiratory failure",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "CT showed small adrenal glands (likely secondary to exogenous corticosteroids), and "
            "an enlarged prostate.",
            "enlarged prostate",
            SIGN,
            Assertion.PRESENT,
        ),
        # "nor" denies what follows it, the verb after it ending no scope.
        (
            "No mass was seen, nor was there lymphadenopathy.",
            "lymphadenopathy",
            SIGN,
            Assertion.NEGATED,
        ),
        # A disease named as what antibodies are sought to is the test's object, not a finding.
        (
            "Antibodies to hepatitis A, C, D, E, and G viruses were all negative.",
            "hepatitis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The biopsy was taken from the iliac crest and no complications were reported at "
            "the time the biopsy was taken.",
            "complications",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "A computed tomography (CT) scan of the head performed at this time was normal.",
            "computed tomography (CT) scan of the head",
            TEST,
            Assertion.PRESENT,
        ),
        (
            "The fluid contained CSF raising the possibility of a CSF leak from the biopsy site.",
            "CSF leak",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The MRI demonstrated bilateral subdural effusions suggestive of extremely low CSF "
            "pressure.",
            "extremely low CSF pressure",
            SIGN,
            Assertion.UNCERTAIN,
        ),
        (
            "The MRI demonstrated bilateral subdural effusions suggestive of extremely low CSF "
            "pressure.",
            "bilateral subdural effusions",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "Fluid related to a CSF leak, which is likely to be the result of a dural tear.",
            "dural tear",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Fluid related to a CSF leak, which is likely to be the result of a dural tear.",
            "CSF leak",
            DISEASE,
            Assertion.PRESENT,
        ),
        ("She denies any cough or sputum production.", "cough", SIGN, Assertion.NEGATED),
        (
            "She denies any cough or sputum production.",
            "sputum production",
            SIGN,
            Assertion.NEGATED,
        ),
        ("She had not only fever but also rash.", "fever", SIGN, Assertion.PRESENT),
        ("She had not only fever but also rash.", "rash", SIGN, Assertion.PRESENT),
        ("Her mother had breast cancer.", "breast cancer", DISEASE, Assertion.FAMILY),
        # A family history "notable for" a finding is the family's, not the patient's past; so
        # is a relative's told in a clause of its own.
        (
            "Family history was notable for Crohn's disease.",
            "Crohn's disease",
            DISEASE,
            Assertion.FAMILY,
        ),
        (
            "One of her three sisters who had developed Crohn's disease was well.",
            "Crohn's disease",
            DISEASE,
            Assertion.FAMILY,
        ),
        # A relative brought in by "a" or "an", or told apart by a comma before "who", too.
        (
            "She has an older brother who was diagnosed with dyslexia.",
            "dyslexia",
            DISEASE,
            Assertion.FAMILY,
        ),
        (
            "His father, who suffered from migraine, was healthy.",
            "migraine",
            DISEASE,
            Assertion.FAMILY,
        ),
        ("Past history was notable for asthma.", "asthma", DISEASE, Assertion.HISTORICAL),
        ("She has a history of hypertension.", "hypertension", DISEASE, Assertion.HISTORICAL),
        # A resemblance is no finding: the nodule was a thymoma.
        (
            "The nodule mimicked an enlarged paratracheal lymph node.",
            "enlarged",
            SIGN,
            Assertion.UNCERTAIN,
        ),
        # A list told from the sentence's start is the subject of its plural verb, however long.
        (
            "Subacute thyroiditis, iatrogenic thyrotoxicosis, iodide-induced thyrotoxicosis,"
            " thyrotropin-secreting pituitary adenoma, and multinodular toxic goiter"
            " were excluded.",
            "Subacute thyroiditis",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "Percutaneous needle biopsy of the liver and explorative laparotomy were refused.",
            "Percutaneous needle biopsy",
            TEST,
            Assertion.NEGATED,
        ),
        (
            "She had fever, cough and weight loss, and tuberculosis and malaria were excluded.",
            "fever",
            SIGN,
            Assertion.PRESENT,
        ),
        # Excluded causes of a finding leave the finding the patient's; their examples are not.
        (
            "Other causes of thrombocytopenia were ruled out.",
            "thrombocytopenia",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Causes of anemia including iron deficiency and hemolysis were excluded.",
            "hemolysis",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "We aimed to exclude other causes for heart failure, such as pericardial effusion.",
            "heart failure",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "We aimed to exclude other causes for heart failure, such as pericardial effusion.",
            "pericardial effusion",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "Tuberculosis and lung metastasis were also considered.",
            "lung metastasis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The radiology staff considered a bone metastasis as a first option.",
            "bone metastasis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A diagnosis that had been considered, one the patient was considered or believed to
        # have, and one that raised concerns are suspicions, in any tense or number.
        (
            "Diagnoses of otitis media and sinusitis had been considered elsewhere.",
            "otitis media",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "He was considered to have a bacterial or fungal brain abscess.",
            "brain abscess",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The low platelet count raised concerns about leukemia.",
            "leukemia",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "MRI showed areas which were suspicious of bone metastases.",
            "bone metastases",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What studies of a list were for is denied by their normal result ...
        (
            "Viral studies for Epstein-Barr virus (EBV), cytomegalovirus (CMV), hepatitis B"
            " virus (HBV) and herpes simplex virus (HSV) returned normal.",
            "hepatitis B virus",
            DISEASE,
            Assertion.NEGATED,
        ),
        # ... but not the finding they were a work-up of.
        (
            "Several studies for work up of chest pain including exercise stress test and"
            " myocardial perfusion test were negative.",
            "chest pain",
            SIGN,
            Assertion.PRESENT,
        ),
        # A death told after a clause is no part of what the clause denied ...
        ("The patient did not fully recover and died.", "died", OUTCOME, Assertion.PRESENT),
        (
            "Her wish was not to be reanimated and she passed away.",
            "passed away",
            OUTCOME,
            Assertion.PRESENT,
        ),
        # ... a death denied right before it is denied.
        ("By then she had not died.", "died", OUTCOME, Assertion.NEGATED),
        # A clause of the patient's own ends what was denied before it.
        (
            "The pain was not associated with nausea, and she had fever.",
            "fever",
            SIGN,
            Assertion.PRESENT,
        ),
        # A cause denied is no finding of the patient's.
        (
            "This indicated that hypercalcaemia was not due to hyperparathyroidism.",
            "hyperparathyroidism",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "Testing of viral DNA gave negative results for herpes simplex virus and"
            " varicella zoster virus.",
            "varicella zoster virus",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "He had been treated for a pulmonary tuberculosis in his childhood.",
            "pulmonary tuberculosis",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        (
            "He had a positive familial history for ischemic heart disease.",
            "ischemic heart disease",
            DISEASE,
            Assertion.FAMILY,
        ),
        (
            "Past medical history was remarkable for polymyositis.",
            "polymyositis",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        ("She has no history of diabetes.", "diabetes", DISEASE, Assertion.NEGATED),
        (
            "The headache was not relieved with simple analgesia.",
            "headache",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "The headache was not relieved with simple analgesia.",
            "simple analgesia",
            DRUG,
            Assertion.PRESENT,
        ),
        ("If symptoms recur, she should return.", "symptoms", SIGN, Assertion.HYPOTHETICAL),
        ("There was no fever.", "fever", SIGN, Assertion.NEGATED),
        ("The patient was afebrile, without chills.", "chills", SIGN, Assertion.NEGATED),
        ("Pulmonary embolism was ruled out.", "Pulmonary embolism", DISEASE, Assertion.NEGATED),
        ("Cultures were negative for tuberculosis.", "tuberculosis", DISEASE, Assertion.NEGATED),
        ("Cultures were negative for tuberculosis.", "Cultures", TEST, Assertion.PRESENT),
        # A test named after "negative for" was done: its own finding was the negative one.
        (
            "CT was negative for PE and bronchoscopy was essentially normal.",
            "bronchoscopy",
            TEST,
            Assertion.PRESENT,
        ),
        ("The chest radiograph was normal.", "chest radiograph", TEST, Assertion.PRESENT),
        # A result told with "all", "also", "found to be", "reported as".
        (
            "Lupus anticoagulant and ANCA were found to be negative.",
            "Lupus anticoagulant",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("The patient was also negative for HIV.", "HIV", DISEASE, Assertion.NEGATED),
        # "Not on" denies the drug it names, not the history listed after it.
        (
            "A man with atrial fibrillation not on anticoagulation, hypertension and diabetes.",
            "hypertension",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "She was not on any long term medication.",
            "medication",
            EntityType.MEDICATION,
            Assertion.NEGATED,
        ),
        # "Absent" before what it denies, and not what comes before it.
        (
            "Exam showed negative Murphy's sign and absent organomegaly.",
            "organomegaly",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "She has profound developmental delay, with absent head control.",
            "developmental delay",
            SIGN,
            Assertion.PRESENT,
        ),
        # ... but a cause named for the first time is the suspicion itself.
        (
            "It suggested a pseudotumor, probably related to IgG4-related disease.",
            "IgG4-related disease",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Her abdomen was diffusely distended, absent bowel sounds, generalised tenderness.",
            "diffusely distended",
            SIGN,
            Assertion.PRESENT,
        ),
        # A result joined by "and a" after a denied finding is found.
        (
            "Tests showed no electrolyte abnormalities and a high BNP level of 336 pg/mL.",
            "high BNP",
            SIGN,
            Assertion.PRESENT,
        ),
        # A suspicion word a denial holds is denied with it, within one phrase.
        (
            "She had no features suggestive of raised intracranial pressure.",
            "raised intracranial pressure",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "CT without contrast showed low attenuation of the caudate heads, suggestive of "
            "hypoxic injury.",
            "hypoxic injury",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # An opening phrase ends at its comma: what the sentence then tells is no suspicion.
        (
            "Under the presumptive diagnosis of glioma, craniotomy and tumor removal followed.",
            "tumor",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Given her previous history of melanoma, we proceeded to a lymph node biopsy.",
            "lymph node biopsy",
            TEST,
            Assertion.PRESENT,
        ),
        # A suspected cause: what it is suspected to cause is found.
        (
            "Hypoxemia was suspected to be responsible for his exercise intolerance.",
            "exercise intolerance",
            SIGN,
            Assertion.PRESENT,
        ),
        # What a finding led to is a clause of its own: the denial does not reach it.
        (
            "There were no abnormal cells, thus leading to a diagnosis of sarcoidosis.",
            "sarcoidosis",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A result written after a colon: "name: negative" in a list of results.
        (
            "Protein S: 51% (normal 65-140), lupus anticoagulant: negative, ALT: 113 IU/L.",
            "lupus anticoagulant",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("Possible pneumonia was noted.", "pneumonia", DISEASE, Assertion.UNCERTAIN),
        ("Malignancy cannot be excluded.", "Malignancy", DISEASE, Assertion.UNCERTAIN),
        ("She had a 6-week history of palpitations.", "palpitations", SIGN, Assertion.PRESENT),
        ("He is status post appendectomy.", "appendectomy", TREATMENT, Assertion.HISTORICAL),
        # What the patient had undergone came before the case's own story.
        (
            "He had undergone CBCT of the head for maxillofacial trauma.",
            "trauma",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        (
            "His father died of a myocardial infarction.",
            "myocardial infarction",
            DISEASE,
            Assertion.FAMILY,
        ),
        # A relative opening a sentence is its subject, without an article, to the list's end.
        (
            "Mother had a history of ADHD, anxiety, PTSD, and bipolar disorder.",
            "bipolar disorder",
            DISEASE,
            Assertion.FAMILY,
        ),
        # What resolved, was corrected or was relieved had been there: the finding is the
        # patient's, and its going away an outcome (the summary's).
        ("The rash resolved.", "rash", SIGN, Assertion.PRESENT),
        (
            "The patient had coagulopathy corrected with vitamin K.",
            "coagulopathy",
            DISEASE,
            Assertion.PRESENT,
        ),
        ("The pain was relieved by morphine.", "pain", SIGN, Assertion.PRESENT),
        ("Steroids were discontinued.", "Steroids", DRUG, Assertion.NEGATED),
        # What was previously unknown is found now: no past finding, nor a denied one.
        (
            "She had a hemorrhage due to previously unknown primary hyperparathyroidism.",
            "primary hyperparathyroidism",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A treatment that was not effective leaves what it treated there.
        (
            "Levetiracetam was not effective in controlling the seizures.",
            "seizures",
            SIGN,
            Assertion.PRESENT,
        ),
        # A cue of time that modifies one noun phrase ends at its comma, but for a list it opens.
        (
            "A woman with long-standing asthma, now febrile, was admitted.",
            "febrile",
            SIGN,
            Assertion.PRESENT,
        ),
        ("He had prior MI, stroke, and PCI.", "stroke", DISEASE, Assertion.HISTORICAL),
        # What is new is no part of the past that a cue of time before it speaks of.
        (
            "MRI showed growth of the previously detected lesion and three new lesions.",
            "new lesions",
            SIGN,
            Assertion.PRESENT,
        ),
        # ", and" then a lapse of time tells the patient's next event, out of a relative's scope.
        (
            "He met a family member, and two days later experienced cough and fever.",
            "fever",
            SIGN,
            Assertion.PRESENT,
        ),
        # A suspected diagnosis a test confirmed is the diagnosis.
        (
            "A biopsy ultimately supported the suspected diagnosis of pyoderma gangrenosum.",
            "pyoderma gangrenosum",
            DISEASE,
            Assertion.PRESENT,
        ),
        # So is a suspected finding, a suspicion or a preoperative diagnosis a test confirmed; a
        # test done to confirm one leaves it suspected.
        (
            "Both investigations confirmed the suspected gastrinoma.",
            "gastrinoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "Multiple biopsies confirmed the suspicion of a duodenal GIST.",
            "duodenal GIST",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "Biopsy showed granulomas, confirming the hypothesis of sarcoidosis.",
            "sarcoidosis",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "These findings confirmed the preoperative diagnosis of LBS.",
            "LBS",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "In order to confirm the suspected diagnosis of pulmonary cryptococcoma, a biopsy was "
            "done.",
            "pulmonary cryptococcoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A negative myoclonus is a kind of myoclonus, no denial of one.
        ("He had negative myoclonus of the left hand.", "myoclonus", SIGN, Assertion.PRESENT),
        # What was denied, told before its verb, is denied as what one denied after it.
        ("Stroke was denied.", "Stroke", DISEASE, Assertion.NEGATED),
        # A treatment contemplated or considered, and no more, was not given.
        ("Intubation was contemplated.", "Intubation", TREATMENT, Assertion.HYPOTHETICAL),
        (
            "Liver transplantation was considered as an option.",
            "Liver transplantation",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        (
            "He was given heparin to prevent thrombosis.",
            "thrombosis",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        # What was prevented or avoided did not happen; a phrase opening the sentence before
        # its comma ('During surgery,') is no part of it.
        (
            "During surgery, hypothermia was prevented with a warming blanket.",
            "hypothermia",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("During surgery, hypothermia was prevented.", "surgery", TREATMENT, Assertion.PRESENT),
        ("A second laparotomy was avoided.", "laparotomy", TREATMENT, Assertion.NEGATED),
        # A treatment the patient is evaluated or assessed for is not yet done; a test one
        # evaluates for is.
        (
            "She was evaluated for liver transplantation.",
            "liver transplantation",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        ("Evaluation for S-100 showed positivity.", "S-100", TEST, Assertion.PRESENT),
        ("No fever, but a cough was present.", "cough", SIGN, Assertion.PRESENT),
        (
            "She received intrathecal prophylaxis.",
            "intrathecal prophylaxis",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # "X free": the finding before "free" is absent, whether the hyphen joins them or not.
        ("He was pain free after the operation.", "pain", SIGN, Assertion.NEGATED),
        ("She was symptom-free at follow-up.", "symptom-free", SIGN, Assertion.NEGATED),
        ("She remained disease-free at 5 years.", "disease-free", DISEASE, Assertion.NEGATED),
        ("She remained disease free for two years.", "disease free", DISEASE, Assertion.NEGATED),
        ("Free fluid was seen in the pelvis.", "fluid", SIGN, Assertion.PRESENT),
        ("A free rupture of the ventricle followed.", "rupture", DISEASE, Assertion.PRESENT),
        # A backward trigger inside a mention, not hyphened to it, is part of its words.
        ("The tricuspid valve is normal.", "tricuspid valve is normal", SIGN, Assertion.PRESENT),
        # A history that is denied is no history; a history after a denial is one.
        ("The patient denied any history of fever.", "fever", SIGN, Assertion.NEGATED),
        # A negative history of something denies it.
        (
            "He had a negative history of ACE inhibitor use.",
            "ACE inhibitor",
            DRUG,
            Assertion.NEGATED,
        ),
        # A denied history stays denied however near another cue of time.
        (
            "He did not have a history of any serious infections as a child.",
            "serious infections",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("He had no prior history of seizures.", "seizures", DISEASE, Assertion.NEGATED),
        ("He denied fever and had a history of asthma.", "asthma", DISEASE, Assertion.HISTORICAL),
        # A provisional diagnosis is a suspicion until the pathology settles it.
        (
            "A provisional diagnosis was made for gastrointestinal stromal tumor.",
            "gastrointestinal stromal tumor",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # So is a preoperative one, and each of several provisional diagnoses.
        (
            "The preoperative diagnosis was meningioma, but histology showed a schwannoma.",
            "meningioma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        ("Working diagnoses were pneumonia and sepsis.", "sepsis", DISEASE, Assertion.UNCERTAIN),
        ("The diagnosis was pneumonia.", "pneumonia", DISEASE, Assertion.PRESENT),
        # A sentence-opening subordinate clause keeps its negation to itself.
        ("Although there was no fever, the patient had chills.", "chills", SIGN, Assertion.PRESENT),
        ("Although there was no fever, the patient had chills.", "fever", SIGN, Assertion.NEGATED),
        # ... and the clause holds a whole list, its items apart by commas.
        (
            "Although he had no symptoms, such as cough, fever, or lethargy, he was treated.",
            "lethargy",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "After ruling out diseases such as tuberculosis, lymphoma, sarcoidosis, we treated.",
            "sarcoidosis",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "As the patient denied adjuvant therapy, hepatic metastases were found.",
            "hepatic metastases",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "Following no respite from the symptoms, haloperidol was substituted with quetiapine.",
            "haloperidol",
            DRUG,
            Assertion.PRESENT,
        ),
        # What a sentence-opening exception names stands apart from the normal rest.
        (
            "Apart from mild pallor and wrist swelling, the examination was unremarkable.",
            "wrist swelling",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Except for the erythema, overlying skin was normal.",
            "erythema",
            SIGN,
            Assertion.PRESENT,
        ),
        # ... nor does the main clause reach back into it.
        (
            "After the infection was treated by antibiotics, we removed the mass.",
            "antibiotics",
            DRUG,
            Assertion.PRESENT,
        ),
        # "No." before a number is a number.
        ("A tube (No.3) was placed.", "tube", TREATMENT, Assertion.PRESENT),
        # A test's negative result is no test not done.
        (
            "Anti-ds DNA <10 (<20 negative), white blood cell count was 14.98.",
            "white blood cell count",
            TEST,
            Assertion.PRESENT,
        ),
        # A list's commas are no clause's end.
        (
            "Although the differential included drug allergy, lupus and scurvy, a rash was seen.",
            "lupus",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        ("There was no fever, chills or cough.", "cough", SIGN, Assertion.NEGATED),
        # A clause joined by ", and" with a subject of its own is out of the denial before it.
        (
            "A chest X-ray had no abnormalities, and a CT scan demonstrated bibasilar infiltrates.",
            "bibasilar infiltrates",
            DISEASE,
            Assertion.PRESENT,
        ),
        # ... but a history's list goes on through ", and a".
        (
            "He had a history of hypertension, diabetes, and a stroke.",
            "stroke",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        # A reason told as a clause of the patient's own is no part of the denial before it.
        (
            "She did not tolerate imatinib, as she developed a pancytopenia.",
            "pancytopenia",
            DISEASE,
            Assertion.PRESENT,
        ),
        # What an operation removes was there.
        (
            "She underwent surgical removal of a parathyroid adenoma.",
            "parathyroid adenoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        # Coming to the clinic opens the present illness: what the patient came with is now.
        (
            "A woman who had undergone appendectomy visited a clinic with fever.",
            "fever",
            SIGN,
            Assertion.PRESENT,
        ),
        # ... but a denied visit denies what follows it.
        (
            "He had not visited a hospital or received any antibiotic therapy.",
            "antibiotic therapy",
            TREATMENT,
            Assertion.NEGATED,
        ),
        # "As needed" speaks of the drug before it and what it treats, not of the list's next drug.
        (
            "Medications were lorazepam 0.5 mg prn, atorvastatin 40 mg daily and aspirin.",
            "atorvastatin",
            DRUG,
            Assertion.PRESENT,
        ),
        (
            "She took naproxen as needed for migraine.",
            "migraine",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        # What a denial makes an exception of with "other than" is there.
        (
            "Physical examination revealed no abnormalities other than pitting edema.",
            "pitting edema",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "The patient denied any deficits with the exception of right eye blindness.",
            "right eye blindness",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Physical examination did not show any alterations besides voluntary guarding.",
            "voluntary guarding",
            SIGN,
            Assertion.PRESENT,
        ),
        # ... while a history goes on through the exception.
        (
            "She had no previous medical history other than breast cancer.",
            "breast cancer",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        (
            "Masses other than the cyst were not seen in the pancreas.",
            "Masses",
            DISEASE,
            Assertion.NEGATED,
        ),
        # A scan done without contrast still shows what it shows.
        (
            "MRI of the brain without contrast revealed an acute left parietal stroke.",
            "acute left parietal stroke",
            DISEASE,
            Assertion.PRESENT,
        ),
        # "Previously noted" points back in the text, not to the patient's past.
        (
            "Imaging showed slight regression of the previously noted mediastinal mass.",
            "mediastinal mass",
            DISEASE,
            Assertion.PRESENT,
        ),
        ("He had previously noted cough after wine.", "cough", SIGN, Assertion.HISTORICAL),
        # A denial of findings "consistent with" a disease denies the disease.
        (
            "The material did not have characteristics consistent with malignancy.",
            "malignancy",
            DISEASE,
            Assertion.NEGATED,
        ),
        # "w/o" is the short form of "without".
        ("Stones were seen w/o cholangitis.", "cholangitis", DISEASE, Assertion.NEGATED),
        # "No" denies a test only where the test "was performed": not the CT that found nothing.
        ("No chest X-ray was performed.", "chest X-ray", TEST, Assertion.NEGATED),
        ("There was no evidence of metastasis on CT.", "CT", TEST, Assertion.PRESENT),
        # What earlier physicians considered it to be is a suspicion.
        ("They were considered to be xanthomas.", "xanthomas", DISEASE, Assertion.UNCERTAIN),
        ("It was suspected to be a thrombus.", "thrombus", DISEASE, Assertion.UNCERTAIN),
        # What the patient was offered, or chose to avoid, was not done.
        (
            "She was offered the option of hysterectomy or embolisation.",
            "hysterectomy",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        ("She preferred to avoid a hysterectomy.", "hysterectomy", TREATMENT, Assertion.NEGATED),
        ("They elected to forgo EKG monitoring.", "EKG", TEST, Assertion.NEGATED),
        (
            "She needed a mastectomy, which she adamantly refused.",
            "mastectomy",
            TREATMENT,
            Assertion.NEGATED,
        ),
        ("She refused further treatment and follow-up.", "treatment", TREATMENT, Assertion.NEGATED),
        # Tests neither done nor done are denied, and so is what at no time happened.
        ("Neither abdominal x-ray nor CT was performed.", "x-ray", TEST, Assertion.NEGATED),
        ("Neither abdominal x-ray nor CT was performed.", "CT", TEST, Assertion.NEGATED),
        ("Neither x-ray nor CT showed a mass.", "CT", TEST, Assertion.PRESENT),
        ("At no time was the patient hypotensive.", "hypotensive", SIGN, Assertion.NEGATED),
        (
            "At no time prior to the bleeding was the patient intubated.",
            "intubated",
            TREATMENT,
            Assertion.NEGATED,
        ),
        # What is impending has not happened.
        (
            "A lytic lesion with impending pathologic fracture.",
            "pathologic fracture",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        # Signs of a finding that are absent, however qualified, deny it; what a test favoured
        # another finding over is not found.
        (
            "He had anemia in the absence of overt clinical signs of bleeding.",
            "bleeding",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "The dermoscopic finding favored pigmentation over hemorrhage.",
            "hemorrhage",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "The finding favored pigmentation over hemorrhage.",
            "pigmentation",
            SIGN,
            Assertion.PRESENT,
        ),
        # What one avoids or prevents is not done; a procedure after that object is.
        (
            "Sedation was required to avoid accidental extubation.",
            "accidental extubation",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        (
            "She was treated, avoiding non-invasive ventilation.",
            "ventilation",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        (
            "Labs were checked to avoid any flare-ups during chemotherapy.",
            "chemotherapy",
            DRUG,
            Assertion.PRESENT,
        ),
        ("Labs were done to prevent any TPN complications.", "TPN", TREATMENT, Assertion.PRESENT),
        # Immunity to an infection is no infection.
        ("He was found to be immune to hepatitis B.", "hepatitis B", DISEASE, Assertion.NEGATED),
        # What "could be excluded" was excluded; what "could not be" is still suspected.
        (
            "Brain edema and bleeding could be excluded by CT.",
            "bleeding",
            SIGN,
            Assertion.NEGATED,
        ),
        ("A fracture could not be excluded.", "fracture", DISEASE, Assertion.UNCERTAIN),
        # A trigger of short reach reaches to the end of the list of findings it opens; two
        # things done, the second with its article, are no list.
        (
            "There was an absence of cough, shortness of breath, fever, diarrhoea, or "
            "abdominal pain.",
            "pain",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "The discontinuation of the contraceptive and the administration of rivaroxaban "
            "followed.",
            "rivaroxaban",
            DRUG,
            Assertion.PRESENT,
        ),
        # A clause joined by ", and" whose test told a result is no longer what was denied.
        (
            "The mass was without parametrial involvement, and biopsy returned positive for "
            "squamous cell carcinoma.",
            "squamous cell carcinoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        # The clause's end swallows no trigger after it ("… and vasculitis were not detected").
        (
            "Lymphoma cells, granuloma formation, and vasculitis were not detected.",
            "vasculitis",
            DISEASE,
            Assertion.NEGATED,
        ),
        # What a finding helped exclude, it excluded; what "we cannot exclude" stays a suspicion.
        (
            "Normal cell counts helped exclude infectious encephalitis.",
            "infectious encephalitis",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("We cannot formally exclude a coingestion.", "coingestion", DISEASE, Assertion.UNCERTAIN),
        # An adverb between the copula and the participle changes nothing.
        ("Pneumonia was highly suspected.", "Pneumonia", DISEASE, Assertion.UNCERTAIN),
        ("Sepsis was subsequently ruled out.", "Sepsis", DISEASE, Assertion.NEGATED),
        # What shows no improvement or progression is still there.
        (
            "There was no further improvement in his hemianopia.",
            "hemianopia",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A further item after the complement is denied again.
        (
            "CT showed no worsening of inflammation, or new liquid collections.",
            "liquid collections",
            SIGN,
            Assertion.NEGATED,
        ),
        # What "and a" adds after a denied finding is told as present.
        (
            "Barrett esophagus without dysplasia and a large hiatal hernia was found.",
            "large hiatal hernia",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A verb right after "and" tells a new predicate, out of the denial.
        ("He had no fever and remained afebrile.", "afebrile", SIGN, Assertion.PRESENT),
        # What nobody could tell is there is suspected, not denied.
        (
            "We could not determine whether she had glaucoma.",
            "glaucoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        ("It was not certain whether he had pneumonia.", "pneumonia", DISEASE, Assertion.UNCERTAIN),
        # What a relative clause after it says was ruled out, was ruled out.
        (
            "Pulmonary embolism, which was ruled out by a CT scan, was suspected.",
            "Pulmonary embolism",
            DISEASE,
            Assertion.NEGATED,
        ),
        # A diagnosis made provisionally is a suspicion, however the adverb is put.
        (
            "The swelling was provisionally diagnosed as pleomorphic adenoma.",
            "pleomorphic adenoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A gain "less than expected" is no gain.
        (
            "Her weight gain was still less than expected.",
            "weight gain",
            SIGN,
            Assertion.NEGATED,
        ),
        # What nobody in the family had, nobody had.
        (
            "Nobody in the family suffered of Gardner's syndrome or fibromatosis.",
            "fibromatosis",
            DISEASE,
            Assertion.NEGATED,
        ),
        # What the case is contrasted with is not the case.
        (
            "Unlike an acute traumatic fracture, necrotic bone tissues were noted.",
            "acute traumatic fracture",
            DISEASE,
            Assertion.NEGATED,
        ),
        # A differential diagnosis lists suspicions, however "differential" is misspelt.
        (
            "The differantial diagnosis included odontogenic tumors and bone cyst.",
            "odontogenic tumors",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What a differential diagnosis is for is the patient's; its list after the verb is not.
        (
            "Differential diagnosis for the pathology leading to cholestasis was biliary "
            "atresia, cystic fibrosis or hepatitis.",
            "cholestasis",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Differential diagnosis for the pathology leading to cholestasis was biliary "
            "atresia, cystic fibrosis or hepatitis.",
            "cystic fibrosis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Differentials were broadened to include autoimmune encephalitis and prion disease.",
            "autoimmune encephalitis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Serologies for Lyme borreliosis, syphilis, or HIV proved to be negative.",
            "syphilis",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("No evidence was found for the malignancy.", "malignancy", DISEASE, Assertion.NEGATED),
        (
            "The stain showed collagen fibers, which led to amyloidosis being ruled out.",
            "amyloidosis",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "Other causes of the hyponatremia were still being ruled out.",
            "hyponatremia",
            SIGN,
            Assertion.PRESENT,
        ),
        # What an image or a picture suggests is suspected.
        (
            "The clinical image strongly suggested the meningioma due to its location.",
            "meningioma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What a test's bracket lists is what it looks for.
        ("Viral markers (HAV, HBV, HCV, rubella) were sent.", "HCV", DISEASE, Assertion.UNCERTAIN),
        ("She had hepatitis (HCV) and cirrhosis.", "HCV", DISEASE, Assertion.PRESENT),
        # A result hedged or written otherwise is still normal.
        (
            "Laboratory findings related to hypercoagulability were almost within normal range.",
            "hypercoagulability",
            SIGN,
            Assertion.NEGATED,
        ),
        # What a test is done to look for is not yet found; what it examines ("the mass") is.
        (
            "CT angiography was performed to evaluate postprocedural complications.",
            "postprocedural complications",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        ("An MRI was done to look for metastases.", "metastases", DISEASE, Assertion.UNCERTAIN),
        ("A CT was performed to evaluate the mass.", "mass", SIGN, Assertion.PRESENT),
        # A disease named as what a test looks for is no finding until the result says so.
        ("A tuberculosis PCR was sent.", "tuberculosis", DISEASE, Assertion.UNCERTAIN),
        ("HIV serology was requested.", "HIV", DISEASE, Assertion.UNCERTAIN),
        # ... and so is one naming an analysis, a device's detection zone or a scale, a short
        # form in brackets between them.
        (
            "A leukemia-lymphoma immunophenotyping analysis was done.",
            "leukemia-lymphoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The device's ventricular tachycardia (VT) detection zone was set to 170 bpm.",
            "ventricular tachycardia",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What a diagnosis is told apart from, kept in the differential or presumed is suspected.
        (
            "The diagnostic possibilities considered were those of an ovarian neoplasm.",
            "ovarian neoplasm",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "A study was ordered to differentiate reactive marrow from early myelodysplasia.",
            "myelodysplasia",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "A lymphoproliferative disorder was kept in the differential.",
            "lymphoproliferative disorder",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A long list considered in the differential is suspected as far back as it runs.
        (
            "Hemangioblastoma, pilocytic astrocytoma of the posterior fossa, spinal cord "
            "ependymoma and glioma were considered as the differential diagnosis.",
            "Hemangioblastoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # One diagnosis considered reaches back over its own words only, not the findings
        # that led to it.
        (
            "Additionally, given severe leukopenia and thrombocytopenia, acquired "
            "hemophagocytic lymphohistiocytosis was considered in the differential diagnosis.",
            "thrombocytopenia",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Ameloblastoma and keratocyst were established as presumptive diagnoses.",
            "Ameloblastoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "It was hard to distinguish the tumor margin from the cord.",
            "tumor",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Sputum smear and tuberculosis polymerase chain reaction came negative.",
            "tuberculosis",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("She had tuberculosis of the spine.", "tuberculosis", DISEASE, Assertion.PRESENT),
        ("Testing for HIV was performed.", "HIV", DISEASE, Assertion.UNCERTAIN),
        (
            "Serology for hepatitis B and for human immunodeficiency virus (HIV) was nonreactive.",
            "HIV",
            DISEASE,
            Assertion.NEGATED,
        ),
        # What cells resemble is no diagnosis of the patient's.
        (
            "The fragments were resembling metastatic nasopharyngeal carcinoma.",
            "metastatic nasopharyngeal carcinoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What was not done, given or needed, a test included.
        ("We did not perform a biopsy because of bleeding.", "biopsy", TEST, Assertion.NEGATED),
        # Told in the passive, what was not done stands before the verb, not after it.
        (
            "No meningeal syndrome was found, therefore lumbar puncture was not performed.",
            "lumbar puncture",
            TREATMENT,
            Assertion.NEGATED,
        ),
        (
            "Radiotherapy was not performed, and the patient recovered full activities.",
            "recovered full activities",
            EntityType.OUTCOME,
            Assertion.PRESENT,
        ),
        (
            "He had not received trace elements for a year.",
            "trace elements",
            DRUG,
            Assertion.NEGATED,
        ),
        ("Further transfusion was not necessary.", "transfusion", TREATMENT, Assertion.NEGATED),
        # What was withheld, deferred, postponed, cancelled or abandoned was not done, back to
        # the comma before it.
        (
            "Liver biopsy was deferred in view of the coagulopathy.",
            "biopsy",
            TEST,
            Assertion.NEGATED,
        ),
        (
            "Spironolactone, captopril and furosemide were temporarily withheld.",
            "Spironolactone",
            DRUG,
            Assertion.NEGATED,
        ),
        (
            "The patient was given midazolam, and biopsy was deferred.",
            "midazolam",
            DRUG,
            Assertion.PRESENT,
        ),
        # A plan told in the present or the future is not yet done.
        ("We plan to perform a colonoscopy.", "colonoscopy", TEST, Assertion.HYPOTHETICAL),
        (
            "He will be followed with esophagogastroduodenoscopy every 3 months.",
            "esophagogastroduodenoscopy",
            TEST,
            Assertion.HYPOTHETICAL,
        ),
        ("She is scheduled for a mastectomy.", "mastectomy", TREATMENT, Assertion.HYPOTHETICAL),
        # A plan for an act or a listing for it is no act yet.
        (
            "She was discharged with a plan for an elective cholecystectomy.",
            "cholecystectomy",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        ("We are planning a gastrostomy.", "gastrostomy", TREATMENT, Assertion.HYPOTHETICAL),
        (
            "She was listed for liver transplantation.",
            "liver transplantation",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        (
            "It was planned to start trametinib after 2 weeks.",
            "trametinib",
            DRUG,
            Assertion.HYPOTHETICAL,
        ),
        (
            "Pancreatectomy was planned to add as needed.",
            "Pancreatectomy",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        # A planned test whose result the sentence goes on to tell was done.
        (
            "A bone scan was ordered, which showed increased uptake.",
            "bone scan",
            TEST,
            Assertion.PRESENT,
        ),
        (
            "An MRI scan was recommended, which confirmed a pituitary adenoma.",
            "MRI scan",
            TEST,
            Assertion.PRESENT,
        ),
        # What a test found in a clause of its own after "and it" is not what it did not find.
        (
            "The biopsy was negative for lymphoma and it showed some hemophagocytosis.",
            "hemophagocytosis",
            SIGN,
            Assertion.PRESENT,
        ),
        # Nor what another test found in a clause spliced on by a comma alone.
        (
            "X-ray showed no fracture, the hip ultrasound showed an effusion.",
            "effusion",
            SIGN,
            Assertion.PRESENT,
        ),
        # A marker "-negative" before a disease names its kind, no absence.
        (
            "Histology revealed a HER2-negative adenocarcinoma.",
            "adenocarcinoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A non-reactive test for a disease denies it, as a negative one does.
        (
            "Serology for HIV, hepatitis and syphilis were nonreactive.",
            "HIV",
            DISEASE,
            Assertion.NEGATED,
        ),
        # What began in childhood reaches no further than the comma after it.
        (
            "He complained of excessive sweating since childhood, with recent fever and dyspnea.",
            "dyspnea",
            SIGN,
            Assertion.PRESENT,
        ),
        # "versus" inside a disease's name opens no alternative.
        (
            "She developed cutaneous graft versus host disease (GVHD).",
            "GVHD",
            DISEASE,
            Assertion.PRESENT,
        ),
        # What could not be done, told after it, was not done, up to the comma before it.
        (
            "Bronchoscopy and a lumbar puncture could not be performed because she worsened.",
            "Bronchoscopy",
            TEST,
            Assertion.NEGATED,
        ),
        (
            "A second biopsy from the sinuses in the gluteal region could not be undertaken.",
            "biopsy",
            TEST,
            Assertion.NEGATED,
        ),
        (
            "The patient needed anesthesia, and the wake-up test could not be performed.",
            "anesthesia",
            DRUG,
            Assertion.PRESENT,
        ),
        # Family histories, in the plural, are the relatives' as one history is.
        (
            "Renal hypouricemia was suspected from familial histories of AKI and urolithiasis.",
            "AKI",
            DISEASE,
            Assertion.FAMILY,
        ),
        # What a drug is given as prophylaxis of or a prophylactic for is prevented, however
        # far down its list.
        (
            "Isoniazid was considered for prophylaxis of pneumocystis and tuberculosis.",
            "tuberculosis",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        (
            "Fosphenytoin was administered as a prophylactic for seizures.",
            "seizures",
            SIGN,
            Assertion.HYPOTHETICAL,
        ),
        # A procedure named as what a risk is of was not done.
        (
            "An MRI was deferred, given the risk of intubation.",
            "intubation",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        # What a test was done to see if there was is only sought: "there was" is the verb of
        # the question's own clause, not a new clause ending its scope.
        (
            "A CT angiography was performed to see if there was a traumatic aneurysm.",
            "traumatic aneurysm",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "She was told to return if there was fever.",
            "fever",
            SIGN,
            Assertion.HYPOTHETICAL,
        ),
        # Findings a report tells were not reported (or, in Romance usage, "referred") are
        # denied, every one of the list that is the verb's subject.
        (
            "She had abdominal discomfort; nausea, vomiting or weight loss were not referred.",
            "nausea",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "Her heart rate was 51, and atrial fibrillation was never documented.",
            "atrial fibrillation",
            DISEASE,
            Assertion.NEGATED,
        ),
        # A misdiagnosis, told "as" or "with", is no finding.
        (
            "He had been misdiagnosed with psoriasis and given steroids.",
            "psoriasis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A provisional diagnosis is suspected, the adverb put first too.
        (
            "Provisionally, it was diagnosed as an adenomatoid odontogenic tumor.",
            "adenomatoid odontogenic tumor",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A diagnosis told as a hypothesis, raised or listed, is suspected.
        (
            "Based on the clinical picture, the hypothesis of secondary syphilis was raised.",
            "secondary syphilis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The diagnostic hypotheses were Sweet's syndrome and pyoderma gangrenosum.",
            "pyoderma gangrenosum",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A diagnosis hypothesized or assumed, told before or after the verb, is suspected; a
        # finding whose cause is what is hypothesized is not.
        (
            "Based on leukocytosis, the clinicians hypothesized a bacterial infection.",
            "bacterial infection",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Assuming metastatic disease, chemotherapy was initiated.",
            "metastatic disease",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The diagnosis of metastatic ovarian cancer was assumed.",
            "metastatic ovarian cancer",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "We hypothesized that mechanical irritation preceded the pigmentation.",
            "mechanical irritation",
            SIGN,
            Assertion.PRESENT,
        ),
        # A procedure or drug not planned, pursued or recommended was not done; a finding the
        # tumour was "not considered as" keeps the plain denial after it.
        (
            "Transurethral bladder resection was not planned for the patient.",
            "Transurethral bladder resection",
            TREATMENT,
            Assertion.NEGATED,
        ),
        ("Immunohistochemistry was not pursued.", "Immunohistochemistry", TEST, Assertion.NEGATED),
        (
            "Cyclosporine was not recommended to the elderly patient.",
            "Cyclosporine",
            DRUG,
            Assertion.NEGATED,
        ),
        # A treatment the patient was advised to have, told before or after the advice, was
        # not yet done; one the patient was advised to continue was.
        (
            "He was advised to have radical cystectomy.",
            "radical cystectomy",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        # What was removed or stopped is told before the comma of its phrase; the main clause
        # after it tells what was done.
        (
            "Six weeks after removal of the plate, a tendon transfer procedure was performed.",
            "tendon transfer procedure",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # A treatment advised, offered or suggested and then refused was not done.
        ("Surgery was advised but he refused.", "Surgery", TREATMENT, Assertion.NEGATED),
        (
            "A parathyroidectomy was offered to the patient, but refused.",
            "parathyroidectomy",
            TREATMENT,
            Assertion.NEGATED,
        ),
        (
            "He declined to undergo the surgical exploration suggested at a local hospital.",
            "surgical exploration",
            TEST,
            Assertion.NEGATED,
        ),
        # What was chosen in place of another leaves the other undone, and only it.
        (
            "We decided on close observation instead of adjuvant chemotherapy.",
            "adjuvant chemotherapy",
            DRUG,
            Assertion.NEGATED,
        ),
        (
            "Axillofemoral bypass was performed, rather than direct reconstruction, based on a "
            "large accumulation of pus.",
            "pus",
            SIGN,
            Assertion.PRESENT,
        ),
        # An act joined by "and" to the removing verb is done, not removed.
        (
            "The tumor was carefully dissected and removed.",
            "dissected",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # A treatment not stopped goes on.
        (
            "Oral warfarin was not discontinued based on the initial INR.",
            "Oral warfarin",
            DRUG,
            Assertion.PRESENT,
        ),
        # A treatment the patient did not tolerate was given.
        (
            "She did not tolerate combination chemotherapy.",
            "combination chemotherapy",
            DRUG,
            Assertion.PRESENT,
        ),
        # A subordinate clause opened after a comma ends at its own comma.
        (
            "The diagnosis was tuberculosis, and as there was no history of antitubercular "
            "therapy, rifampicin was advised.",
            "rifampicin",
            DRUG,
            Assertion.PRESENT,
        ),
        # A list denied inside such a clause stays denied when its last item runs on.
        (
            "Given the history, since the patient did not mention recent injury, fever, or facial "
            "swelling and the fact that it resolved, a drug reaction was likely.",
            "fever",
            SIGN,
            Assertion.NEGATED,
        ),
        # What the authors did in a clause of their own is no part of a denial before it.
        (
            "There was no evidence of recurrence, and we closed the covering ileostomy.",
            "ileostomy",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # A treatment the patient could not be weaned from went on.
        (
            "She was unable to be weaned from mechanical ventilation due to hypercapnia.",
            "mechanical ventilation",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # A plan told after a list of acts, its subject, is a plan of each.
        (
            "Exploration and biopsy of the lesion was scheduled under local anaesthesia.",
            "Exploration",
            TEST,
            Assertion.HYPOTHETICAL,
        ),
        # A treatment decided against was not given.
        (
            "The patient decided against chemotherapy due to previous toxicities.",
            "chemotherapy",
            DRUG,
            Assertion.NEGATED,
        ),
        # A treatment the patient chose to undergo was done, no plan.
        (
            "She chose to undergo oral chemotherapy with S-1.",
            "oral chemotherapy",
            DRUG,
            Assertion.PRESENT,
        ),
        (
            "He was advised to continue physiotherapy.",
            "physiotherapy",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # A treatment the patient was unfit or ineligible for was not given.
        (
            "Surgeons considered him unfit for extensive surgery.",
            "extensive surgery",
            TREATMENT,
            Assertion.NEGATED,
        ),
        (
            "The patient was defined ineligible for radiotherapy because of age.",
            "radiotherapy",
            TREATMENT,
            Assertion.NEGATED,
        ),
        (
            "The tumor was not considered as fibrous dysplasia.",
            "fibrous dysplasia",
            DISEASE,
            Assertion.NEGATED,
        ),
        # A relative who is the clause's subject has all of its findings, through its verbs.
        (
            "Her mother was diagnosed with breast cancer.",
            "breast cancer",
            DISEASE,
            Assertion.FAMILY,
        ),
        (
            "She recalled her father, I-1, having nail dystrophy and dying of respiratory failure.",
            "respiratory failure",
            DISEASE,
            Assertion.FAMILY,
        ),
        (
            "The patient's sister had a history of epilepsy and hearing loss.",
            "epilepsy",
            DISEASE,
            Assertion.FAMILY,
        ),
        # ... whatever way the relative's age is written before the kinship word.
        (
            "A 14-year old sister was affected by nephrotic syndrome.",
            "nephrotic syndrome",
            DISEASE,
            Assertion.FAMILY,
        ),
        # ... and the tests, results and procedures of the clause too, not the patient's.
        (
            "Her father underwent coronary bypass surgery.",
            "coronary bypass surgery",
            TREATMENT,
            Assertion.FAMILY,
        ),
        # A drug a relative gives or stops is the patient's.
        ("His mother had to stop the medication.", "medication", DRUG, Assertion.PRESENT),
        (
            "His mother had cataract and a high ferritin level.",
            "ferritin level",
            TEST,
            Assertion.FAMILY,
        ),
        # A relative joined to the patient, or a clause the authors open, is no relative's.
        (
            "The boy and his parents underwent exome sequencing.",
            "exome sequencing",
            TEST,
            Assertion.PRESENT,
        ),
        (
            "His parents were healthy, and we performed exome sequencing.",
            "exome sequencing",
            TEST,
            Assertion.PRESENT,
        ),
        # An organ donor who is the clause's subject is another person, as a relative is.
        (
            "The donor was a 38-year-old female, brain dead due to head injury.",
            "head injury",
            DISEASE,
            Assertion.FAMILY,
        ),
        # ... and so are donors who undergo or die of something, and what is done to them.
        (
            "Placenta is sourced from donors undergoing cesarean sections.",
            "cesarean sections",
            TREATMENT,
            Assertion.FAMILY,
        ),
        (
            "The kidney came from a donor who had died of intracranial hemorrhage.",
            "hemorrhage",
            SIGN,
            Assertion.FAMILY,
        ),
        ("His mother had no seizures.", "seizures", SIGN, Assertion.NEGATED),
        # "Familiarity for" is a family history in Italian usage.
        (
            "Her memory deficits and the familiarity for dementia suggested an evaluation.",
            "dementia",
            DISEASE,
            Assertion.FAMILY,
        ),
        ("His sister had no history of asthma.", "asthma", DISEASE, Assertion.NEGATED),
        # A personal history is the patient's own, whatever family history came before.
        (
            "Family history of colon cancer and a personal history of adenomatous polyps.",
            "adenomatous polyps",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        # ... up to a clause of the patient's own; a relative who tells is no subject.
        ("Her father had asthma and she developed seizures.", "seizures", SIGN, Assertion.PRESENT),
        ("Her mother noticed that she had a rash.", "rash", SIGN, Assertion.PRESENT),
        (
            "According to the patient's mother, since she noticed the swelling, he had pain.",
            "swelling",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "The mother was counseled on giving epinephrine for anaphylaxis.",
            "anaphylaxis",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A new subject ends only whose finding it is, not a time or doubt before it.
        ("Previously, she had been hospitalized.", "hospitalized", SIGN, Assertion.HISTORICAL),
        (
            "A femur fracture was operated 30 years previously.",
            "femur fracture",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        (
            "She had weight loss of 37 pounds since her last visit three years earlier.",
            "weight loss",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "She had a chronic headache for 5 years before visiting our hospital.",
            "chronic headache",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "We considered fulminant sinus bleeding, but the bleeding was stopped.",
            "fulminant sinus bleeding",
            SIGN,
            Assertion.UNCERTAIN,
        ),
        (
            "She was given an antibiotic as prevention for secondary bacterial infection.",
            "secondary bacterial infection",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        # A differential diagnosis told with "are" lists what is considered, not the findings
        # it is for.
        (
            "The differential diagnoses for weight loss in a smoker are pneumonia and lung cancer.",
            "lung cancer",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The differential diagnoses for weight loss in a smoker are pneumonia and lung cancer.",
            "weight loss",
            SIGN,
            Assertion.PRESENT,
        ),
        # What a measure aims to minimize, or what there is a chance of, is not yet there.
        (
            "With the aim of minimizing hypotension, the kidney was embolized.",
            "hypotension",
            SIGN,
            Assertion.HYPOTHETICAL,
        ),
        (
            "He was discharged despite the high chance of myocardial infarction.",
            "myocardial infarction",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        # A vaccine's disease is what it protects from.
        (
            "He had been vaccinated against hepatitis B in childhood.",
            "hepatitis B",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        (
            "Previously, he was diagnosed with reflux esophagitis.",
            "reflux esophagitis",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        # A short history is the present illness's.
        (
            "She presented with a short history of a painful tumor in the left breast.",
            "painful tumor",
            SIGN,
            Assertion.PRESENT,
        ),
        # A clause before a singular "was suspected" is not what was suspected.
        (
            "The patient developed ventricular fibrillation and pulmonary embolism was suspected.",
            "ventricular fibrillation",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "A flare-up of SLE and lupus nephritis was suspected.",
            "SLE",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # Nor what a singular "was planned" plans.
        (
            "He underwent a lumpectomy and radiotherapy was planned.",
            "lumpectomy",
            TREATMENT,
            Assertion.PRESENT,
        ),
        (
            "He underwent a lumpectomy and radiotherapy was planned.",
            "radiotherapy",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        # "And" opening a clause of what was found intact ends a denial before it.
        (
            "There was no sensory loss and anal and cremasteric reflexes were preserved.",
            "cremasteric reflexes",
            SIGN,
            Assertion.PRESENT,
        ),
        # A result listed after a denied finding is found, unless the list is one of "or".
        (
            "There was no sign of hemolysis, elevated C-reactive protein and low albumin.",
            "low albumin",
            SIGN,
            Assertion.PRESENT,
        ),
        ("She had no fever, raised CRP or leukocytosis.", "raised CRP", SIGN, Assertion.NEGATED),
        # What was not diagnosed is denied, unless it was only diagnosed late.
        (
            "Clinical depression was not diagnosed.",
            "Clinical depression",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "Her celiac disease was not diagnosed until she was 30.",
            "celiac disease",
            DISEASE,
            Assertion.PRESENT,
        ),
        # What a treatment is against ("anti-edema measures") is no finding told.
        (
            "He was started on phenytoin and anti-edema measures with steroids.",
            "edema",
            SIGN,
            Assertion.HYPOTHETICAL,
        ),
        # How an infection was once caught is no treatment of this illness.
        (
            "His HIV infection was assumed to be transmitted through blood transfusion.",
            "blood transfusion",
            TREATMENT,
            Assertion.HISTORICAL,
        ),
        # What a relative denies of the patient was not there, though a relative who
        # reports is no subject of a finding.
        (
            "Mother denied fevers, cough, rhinorrhea or trauma.",
            "cough",
            SIGN,
            Assertion.NEGATED,
        ),
        # A treatment the patient refused or opted out of was not given.
        (
            "He has opted out of further radiotherapy and is kept under close follow-up.",
            "radiotherapy",
            TREATMENT,
            Assertion.NEGATED,
        ),
        (
            "She was admitted due to refusal of gastrostomy tube feeding.",
            "gastrostomy tube feeding",
            TREATMENT,
            Assertion.NEGATED,
        ),
        # A treatment told as declined after it is named was not given.
        (
            "The patient confronted the dismal prognosis and initiation of chemotherapy was "
            "declined.",
            "chemotherapy",
            DRUG,
            Assertion.NEGATED,
        ),
        # What tests for a list of diseases found negative denies each of them, however far.
        (
            "The results of investigations for cytomegalovirus infection (IgG, IgM), malaria "
            "(peripheral smear) and typhoid (Widal test) were negative.",
            "malaria",
            SIGN,
            Assertion.NEGATED,
        ),
        # Staging a new diagnosis investigates no suspicion.
        (
            "She underwent a biopsy as part of staging investigations for a new diagnosis of"
            " lymphoma.",
            "lymphoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        # ... and what is investigated for, no result told, is only suspected.
        (
            "Investigations for secondary hypertension were sent.",
            "secondary hypertension",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What a sentence opens with "Despite …," is no part of its main clause's denial.
        (
            "Despite the acute respiratory failure and the profound hypoxemia, mechanical "
            "ventilation was not performed.",
            "hypoxemia",
            SIGN,
            Assertion.PRESENT,
        ),
        # A relative by whom a finding is told is no one who had it.
        (
            "Mild speech delay and motor developmental delay were described by his parents.",
            "motor developmental delay",
            SIGN,
            Assertion.PRESENT,
        ),
        # "Was suggested" suspects a finding and plans a treatment.
        ("Some kind of venulitis was suggested.", "venulitis", DISEASE, Assertion.UNCERTAIN),
        (
            "Radical resection was suggested.",
            "Radical resection",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        # "Consistent with" ends scopes, but not that of its own denial.
        (
            "The studies were never consistent with diabetic ketoacidosis.",
            "diabetic ketoacidosis",
            DISEASE,
            Assertion.NEGATED,
        ),
        # The verb, noun and comparative forms of suspicion suspect what they speak of.
        (
            "A laparoscopy, suspecting a perforated diverticulitis, was performed.",
            "perforated diverticulitis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The lung scan indicated a high probability of pulmonary embolism.",
            "pulmonary embolism",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "With no improvement on antibiotics, sepsis as the underlying etiology was deemed "
            "less likely.",
            "sepsis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "It was unlikely that it was a subungual melanoma because of the pigmentation.",
            "subungual melanoma",
            DISEASE,
            Assertion.NEGATED,
        ),
        # What a sentence opening "Suspecting …," goes on to tell was found.
        (
            "Suspecting a relapse, a lumbar hernia on CT was then repaired.",
            "lumbar hernia",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A clause told after ", so" is of its own, the consequence of a denial.
        (
            "We could not find another primary focus, so we concluded that the patient had "
            "hepatic neuroendocrine carcinoma.",
            "hepatic neuroendocrine carcinoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        # A result told of a new subject after ", and the" is not of a finding before it.
        (
            "The postoperative pathological diagnosis was squamous cell carcinoma, and the "
            "surgical margin was negative.",
            "squamous cell carcinoma",
            DISEASE,
            Assertion.PRESENT,
        ),
        # What is "being considered" or "strongly considered" is suspected; "in case" a
        # disease is there, it is not said to be.
        (
            "Infarction was considered primarily, with an abscess being considered secondarily.",
            "abscess",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "We used colchicine in case an autoinflammatory disease such as familial "
            "Mediterranean fever was associated.",
            "familial Mediterranean fever",
            DISEASE,
            Assertion.HYPOTHETICAL,
        ),
        # A thing "considered as" a diagnosis, or a treatment "being considered for", is no
        # suspicion of its own.
        (
            "The tumor was pathologically considered as a mature cystic teratoma.",
            "tumor",
            SIGN,
            Assertion.PRESENT,
        ),
        # A suspicion the sentence goes on to confirm is lifted.
        (
            "The features suggested the hypothesis of triple A syndrome, that was confirmed by "
            "DNA analysis.",
            "triple A syndrome",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "Diaphragmatic weakness was suspected and confirmed by fluoroscopy.",
            "Diaphragmatic weakness",
            SIGN,
            Assertion.PRESENT,
        ),
        # A normal result told after a list that opens its sentence is each item's.
        (
            "HIV, liver enzymes, carcino-embryonic antigen and lipase were within normal limits.",
            "HIV",
            DISEASE,
            Assertion.NEGATED,
        ),
        # Evidence found for nothing denies what it would have been evidence for.
        (
            "No serological evidence was found for syphilis.",
            "syphilis",
            DISEASE,
            Assertion.NEGATED,
        ),
        # "Neither" before its verb, or its noun and verb, denies as "nor" does.
        ("Neither was there significant soft tissue edema.", "edema", SIGN, Assertion.NEGATED),
        ("Neither sclera was icteric.", "icteric", SIGN, Assertion.NEGATED),
        # "No one in her family" denies a history, whoever's it would have been.
        (
            "No one in her family had history of infertility.",
            "infertility",
            SIGN,
            Assertion.NEGATED,
        ),
        # A negative test's long name and its short form still deny what it was for.
        (
            "There was negative polymerase chain reaction (PCR) for herpes zoster virus.",
            "herpes zoster virus",
            DISEASE,
            Assertion.NEGATED,
        ),
        # A relative whose organ is the clause's subject has its findings, through the copula.
        ("Her mother's liver was enlarged.", "enlarged", SIGN, Assertion.FAMILY),
        # A spouse, partner or friend who is the clause's subject is another person too.
        (
            "Her husband had recently died from pneumonia.",
            "pneumonia",
            DISEASE,
            Assertion.FAMILY,
        ),
        # ... and one who comes to the hospital with them, whatever kind of twin.
        (
            "Her identical twin sister came to our hospital complaining of arthralgia.",
            "arthralgia",
            SIGN,
            Assertion.FAMILY,
        ),
        # A relative named through another's possessive is a relative still.
        (
            "Our patient's mother's sister was diagnosed with Wilson's disease.",
            "Wilson's disease",
            DISEASE,
            Assertion.FAMILY,
        ),
        # A suspicion the mention model took into the mention still suspects its head.
        (
            "The lymph nodes were enlarged, indicating a high possibility of lymphoma.",
            "high possibility of lymphoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "He developed graft versus host disease.",
            "graft versus host disease",
            DISEASE,
            Assertion.PRESENT,
        ),
        # What "could not be completely ruled out" is suspected, as what "could not be ruled out".
        (
            "A CSF ACE level was not requested, and hence sarcoidosis could not be completely "
            "ruled out.",
            "sarcoidosis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A diagnosis "contemplated" or "not completely ruled out" is suspected, and what a
        # lesion "looked like" is what it resembled, not what it was.
        (
            "Sick sinus syndrome was contemplated.",
            "Sick sinus syndrome",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Autoimmune hepatitis was not completely ruled out.",
            "Autoimmune hepatitis",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        ("The nodule looked like a lipoma.", "lipoma", DISEASE, Assertion.UNCERTAIN),
        # The past few weeks are the present illness, not the history.
        (
            "A boy presented with a scaly patch of hair loss in the past few weeks.",
            "hair loss",
            SIGN,
            Assertion.PRESENT,
        ),
        ("He had a stroke in the past.", "stroke", DISEASE, Assertion.HISTORICAL),
        # What a disease masqueraded as, it was not.
        (
            "Kikuchi-Fujimoto disease masquerading as lymphoma was treated with anakinra.",
            "lymphoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What a patient was treated "under the impression of" was only believed.
        (
            "She was treated under the impression of upper respiratory infection, but her "
            "symptoms did not improve.",
            "upper respiratory infection",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What is "not possible" is an act, not the finding it would act on.
        (
            "Complete excision of the tumor was not possible because of its size.",
            "tumor",
            SIGN,
            Assertion.PRESENT,
        ),
        # What a patient was offered, or what treatment options included, was not yet done.
        (
            "The patient was offered chemotherapy and radiotherapy.",
            "radiotherapy",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        (
            "He was offered surgery, to which he consented.",
            "surgery",
            TREATMENT,
            Assertion.PRESENT,
        ),
        (
            "Treatment options including surgery and radiotherapy were discussed.",
            "radiotherapy",
            TREATMENT,
            Assertion.HYPOTHETICAL,
        ),
        # What something was removed by was done; what was removed is no longer there.
        (
            "The tumor was removed through a craniotomy.",
            "craniotomy",
            TREATMENT,
            Assertion.PRESENT,
        ),
        (
            "We removed the central venous catheter.",
            "central venous catheter",
            TREATMENT,
            Assertion.NEGATED,
        ),
        (
            "The chest tube was removed the following day.",
            "chest tube",
            TREATMENT,
            Assertion.NEGATED,
        ),
        # A clause of what was done next, after ", and", is out of a denial before it.
        (
            "There was no fever, and intravenous antibiotics were started.",
            "antibiotics",
            DRUG,
            Assertion.PRESENT,
        ),
        # What "was stopped" speaks of is what was told before it, not the next drug started.
        (
            "Warfarin was stopped and heparin infusion was started.",
            "heparin",
            DRUG,
            Assertion.PRESENT,
        ),
        (
            "Warfarin was stopped and heparin infusion was started.",
            "Warfarin",
            DRUG,
            Assertion.NEGATED,
        ),
        # A trigger told in a bracketed aside speaks of the aside.
        (
            "Her medical history was noteworthy for rheumatoid arthritis (no immunosuppressive "
            "treatment) and hypertension.",
            "hypertension",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Her medications included venlafaxine (benazepril and metformin were discontinued).",
            "venlafaxine",
            DRUG,
            Assertion.PRESENT,
        ),
        (
            "Her medications included venlafaxine (benazepril and metformin were discontinued).",
            "benazepril",
            DRUG,
            Assertion.NEGATED,
        ),
        # The month May is no modal verb: what follows it is not suspected.
        (
            "In May 2005, the patient developed acute respiratory failure.",
            "acute respiratory failure",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "A May-Grunwald-Giemsa smear of the marrow with atypical lymphocytes.",
            "atypical lymphocytes",
            SIGN,
            Assertion.PRESENT,
        ),
        # What a thing was done "prior to" is when it was done, not a past event.
        (
            "A loading dose of aspirin was given prior to angiography.",
            "angiography",
            TEST,
            Assertion.PRESENT,
        ),
        ("She underwent a prior appendectomy.", "appendectomy", TREATMENT, Assertion.HISTORICAL),
        ("He received no antibiotics prior to surgery.", "surgery", TREATMENT, Assertion.PRESENT),
        # A denied family history is no relative's finding.
        (
            "She did not have any family history of epilepsy.",
            "epilepsy",
            DISEASE,
            Assertion.NEGATED,
        ),
        ("Her family history was notable for epilepsy.", "epilepsy", DISEASE, Assertion.FAMILY),
        # A predicate the patient goes on to ("and showed", "and received") is told, not denied.
        (
            "He did not undergo surgery and received chemotherapy.",
            "chemotherapy",
            DRUG,
            Assertion.PRESENT,
        ),
        ("She had no fever and chills.", "chills", SIGN, Assertion.NEGATED),
        # "Previously healthy" tells the health before the illness, not the illness as past.
        (
            "A previously healthy 42-year-old man developed ataxia over two months.",
            "ataxia",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "He had previously undergone a tonsillectomy.",
            "tonsillectomy",
            TREATMENT,
            Assertion.HISTORICAL,
        ),
        # A history listed among what a denial denies is denied with them.
        (
            "There was no photophobia, preceding trauma, or history of migraine.",
            "migraine",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "She had no psychiatric illness, with a history of diabetes for two years.",
            "diabetes",
            DISEASE,
            Assertion.HISTORICAL,
        ),
        # A comma opening a clause of the patient's ("…, her symptoms improved") ends a denial.
        (
            "She had no cerebrospinal fluid leak, her headache improved.",
            "headache",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "Additionally, her mother had two sisters who had anemia.",
            "anemia",
            SIGN,
            Assertion.FAMILY,
        ),
        # What a relative received is the relative's.
        (
            "Her mother received magnesium sulfate during labor.",
            "magnesium sulfate",
            DRUG,
            Assertion.FAMILY,
        ),
        # What the patient or a parent is concerned about is what troubles them, not a suspicion.
        (
            "She was more concerned about her pelvic pain.",
            "pelvic pain",
            SIGN,
            Assertion.PRESENT,
        ),
        ("The team was concerned about meningitis.", "meningitis", DISEASE, Assertion.UNCERTAIN),
        # A time told of a procedure's participle dates that procedure, not the complaints
        # the sentence presents with.
        (
            "He presented with hip pain and drainage from the incision of a prosthesis "
            "implanted 4 years before.",
            "hip pain",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "He presented with hip pain and drainage from the incision of a prosthesis "
            "implanted 4 years before.",
            "prosthesis",
            TREATMENT,
            Assertion.HISTORICAL,
        ),
        # What a patient could do is no suspicion; what a lesion could be is.
        (
            "He could ambulate with crutches for short distances with mild pain.",
            "mild pain",
            SIGN,
            Assertion.PRESENT,
        ),
        ("The lesion could represent a metastasis.", "metastasis", DISEASE, Assertion.UNCERTAIN),
        # What could be seen was seen: an observation, no possibility.
        (
            "Multiple calcifications could be observed within the tumor.",
            "tumor",
            SIGN,
            Assertion.PRESENT,
        ),
        # What a lacking thing is found with is found ("lack of X with Y").
        (
            "Radiographs showed lack of ingrowth with varus migration.",
            "varus migration",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "There was a lack of symptoms associated with viral disease.",
            "viral disease",
            DISEASE,
            Assertion.NEGATED,
        ),
        (
            "The ECG showed a rhythm without P waves and with broad QRS complexes.",
            "broad QRS complexes",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "She was treated without preemptive therapy with antiviral drugs.",
            "antiviral drugs",
            DRUG,
            Assertion.NEGATED,
        ),
        # A finding whose cause is doubted is there: the doubt is of the cause.
        ("Her anemia was considered likely multifactorial.", "anemia", SIGN, Assertion.PRESENT),
        # A plural denial after a list told from the sentence's start denies every item.
        (
            "Chronic cough, fever, night sweats, anorexia, or weight loss were absent.",
            "Chronic cough",
            SIGN,
            Assertion.NEGATED,
        ),
        # A diagnosis told as one of the differential is suspected, after it or in apposition.
        (
            "CJD was reported as another differential diagnosis.",
            "CJD",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "Lymphoma, another differential diagnosis, was also unlikely given the normal counts.",
            "Lymphoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # What one suspected a thing to be is suspected, not the thing it is told of.
        ("We suspected the nodule was a ganglion.", "nodule", SIGN, Assertion.PRESENT),
        (
            "We suspected the nodule was a ganglion, a lipoma, a bursitis, or a fibroma.",
            "lipoma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        (
            "The surgeon suspected that it was colon cancer.",
            "colon cancer",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A sentence opening "Even though …," or "(Unfortunately,) due to …," ends its clause's
        # denial at the comma.
        (
            "Even though our transfusion guideline was not satisfied, packed RBCs were transfused.",
            "packed RBCs",
            DRUG,
            Assertion.PRESENT,
        ),
        (
            "Due to no therapeutic success of this therapy, the IVIG infusion was implemented.",
            "IVIG",
            DRUG,
            Assertion.PRESENT,
        ),
        (
            "Unfortunately, due to complete omentectomy, an omental pedicle was not available.",
            "omentectomy",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # "and her … resolved" opens a clause of its own subject after a denial.
        (
            "She recovered without complications and her dysphagia lusoria resolved.",
            "dysphagia lusoria",
            SIGN,
            Assertion.PRESENT,
        ),
        # So does "and the … became": a clause of its own subject, not the denial's object.
        (
            "The fever settled without antibiotics and the raised CRP became normal.",
            "raised CRP",
            SIGN,
            Assertion.PRESENT,
        ),
        # Denying that one finding causes or explains another denies the link, not the other.
        (
            "The lupus was not directly contributing to her anemia.",
            "anemia",
            SIGN,
            Assertion.PRESENT,
        ),
        ("Hypokalemia did not explain the weakness.", "weakness", SIGN, Assertion.PRESENT),
        # Being extubated or discharged after a denial is the patient's own next step.
        (
            "He was weaned off the ventilator and extubated on hospital day 4.",
            "extubated",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # What something is dated from happened.
        (
            "He did not return after discharge.",
            "discharge",
            EntityType.CLINICAL_EVENT,
            Assertion.PRESENT,
        ),
        ("She had no seizures after the stroke.", "stroke", DISEASE, Assertion.PRESENT),
        # Dissecting a structure free from another is surgery, no denial.
        (
            "The sac was dissected free from the cord, ligated, and excised.",
            "ligated",
            TREATMENT,
            Assertion.PRESENT,
        ),
        # So did what something is told during, at or before: the denial's time, not its object.
        (
            "Examination after surgery revealed no neurological deficits.",
            "neurological deficits",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "The patient did not take any medications before admission.",
            "admission",
            EntityType.CLINICAL_EVENT,
            Assertion.PRESENT,
        ),
        (
            "There was no recurrence at the 2-year follow-up.",
            "follow-up",
            EntityType.CLINICAL_EVENT,
            Assertion.PRESENT,
        ),
        # An unsuccessful attempt was made, and what it was made for was there.
        (
            "Patient had cardiac arrest and resuscitation attempts were unsuccessful.",
            "cardiac arrest",
            DISEASE,
            Assertion.PRESENT,
        ),
        (
            "A trial of indomethacin was unsuccessful.",
            "indomethacin",
            DRUG,
            Assertion.PRESENT,
        ),
        # A participle clause after a comma is no item of the denial before it.
        (
            "Investigations ruled out sleep apnea, considering major depression as a factor.",
            "major depression",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "The patient, who had no renal disease and no trauma, developed flank pain.",
            "flank pain",
            SIGN,
            Assertion.PRESENT,
        ),
        # What a test failed to detect is not found; a finding whose site it failed to find is.
        (
            "Computed tomography of the chest failed to detect any visceral lesions.",
            "visceral lesions",
            SIGN,
            Assertion.NEGATED,
        ),
        (
            "Repeat MRI failed to identify the exact location of the fistula.",
            "fistula",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "There was concern for metastatic seeding from a distant primary site of malignancy.",
            "malignancy",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
        # A symptom a patient is evaluated for is the complaint; a disease is a suspicion.
        (
            "A 28-year old female was evaluated for sudden-onset upper abdominal pain.",
            "upper abdominal pain",
            SIGN,
            Assertion.PRESENT,
        ),
        ("The patient was evaluated for sepsis.", "sepsis", DISEASE, Assertion.UNCERTAIN),
        # What an aside before the main verb avoids, vaccinates against or denies ends at that
        # verb.
        (
            "A woman, vaccinated against influenza, complained of intense headache.",
            "intense headache",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "A test, performed to avoid false-positive results, revealed short sleep latencies.",
            "short sleep latencies",
            SIGN,
            Assertion.PRESENT,
        ),
        # A concern of a finding, or a likeness to it, suspects it; a concern one presents with is
        # the complaint; findings in favour of a diagnosis suspect it and what it is favoured
        # over, and neither is the patient's yet.
        (
            "There was concern of complete blindness.",
            "complete blindness",
            SIGN,
            Assertion.UNCERTAIN,
        ),
        (
            "She presented with a chief concern of abdominal pain.",
            "abdominal pain",
            SIGN,
            Assertion.PRESENT,
        ),
        ("The mass was reminiscent of a schwannoma.", "schwannoma", DISEASE, Assertion.UNCERTAIN),
        # What the suspected finding comes "with" is what was seen, no part of the suspicion.
        (
            "There was concern for sepsis with persistent fevers.",
            "persistent fevers",
            SIGN,
            Assertion.PRESENT,
        ),
        (
            "The findings were in favor of meningioma over glioma.",
            "meningioma",
            DISEASE,
            Assertion.UNCERTAIN,
        ),
    ],
)
def test_one_sentence(
    context: ContextAssertion, text: str, target: str, type_: EntityType, expected: Assertion
) -> None:
    assert assertions(context, make_case(text, [(target, type_)]))[target] is expected


def test_a_denied_findings_test_and_result_words_are_denied(context: ContextAssertion) -> None:
    # In "no signs of raised intracranial pressure" no pressure was measured nor found raised.
    text = "There were no signs of raised intracranial pressure."
    case = make_case(
        text,
        [
            ("raised intracranial pressure", SIGN),
            ("raised", EntityType.LAB_VALUE),
            ("intracranial pressure", TEST),
        ],
    )
    assert set(context(case).mentions[i].assertion for i in range(3)) == {Assertion.NEGATED}
    found = make_case(
        "He had raised intracranial pressure.",
        [("raised intracranial pressure", SIGN), ("intracranial pressure", TEST)],
    )
    assert [m.assertion for m in context(found).mentions] == [Assertion.PRESENT] * 2


@pytest.mark.parametrize(
    ("text", "mentions", "expected"),
    [
        # A finding a verb already predicates is not what a test's later result speaks of.
        (
            "He had fever and cough, and blood cultures were negative.",
            [("fever", SIGN), ("cough", SIGN), ("blood cultures", TEST)],
            {"fever": Assertion.PRESENT, "cough": Assertion.PRESENT},
        ),
        # A list of findings and tests shares its result.
        (
            "Hepatitis B and HIV antibody tests were negative.",
            [("Hepatitis B", DISEASE), ("HIV antibody tests", TEST)],
            {"Hepatitis B": Assertion.NEGATED},
        ),
        # "Indicated" predicates the finding as "showed" does.
        (
            "Ultrasound indicated hepatomegaly, and MRCP was normal.",
            [("Ultrasound", TEST), ("hepatomegaly", SIGN), ("MRCP", TEST)],
            {"hepatomegaly": Assertion.PRESENT},
        ),
        (
            "ESR was 90 mm/hr and rheumatoid factor, lupus and ANCA were normal.",
            [("ESR", TEST), ("rheumatoid factor", TEST), ("lupus", DISEASE), ("ANCA", TEST)],
            {"lupus": Assertion.NEGATED},
        ),
        # So is a body part opening a clause of its own.
        (
            "There was a reducible inguinal hernia and the genitalia were normal.",
            [("inguinal hernia", DISEASE), ("genitalia", EntityType.BIOLOGICAL_STRUCTURE)],
            {"inguinal hernia": Assertion.PRESENT},
        ),
        (
            "Hernia of the abdominal wall was absent.",
            [("Hernia", DISEASE), ("abdominal wall", EntityType.BIOLOGICAL_STRUCTURE)],
            {"Hernia": Assertion.NEGATED},
        ),
    ],
)
def test_a_result_after_a_test_speaks_of_the_test_not_of_a_finding_told_before(
    context: ContextAssertion,
    text: str,
    mentions: list[tuple[str, EntityType]],
    expected: dict[str, Assertion],
) -> None:
    found = assertions(context, make_case(text, mentions))
    assert {name: found[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # A finding named again as "the …": the denial is of something about it.
        (
            "A cyst was seen. There was no communication between the cyst and the duct.",
            "cyst",
            Assertion.PRESENT,
        ),
        (
            "A tumor was seen. Doppler did not detect blood flow into the tumor.",
            "tumor",
            Assertion.PRESENT,
        ),
        (
            "Biopsy showed granulomas. EBER was not detected in the granulomas.",
            "granulomas",
            Assertion.PRESENT,
        ),
        # A thing told as a mass and named again as the tumor is one thing.
        (
            "A mass was seen. Doppler did not detect blood flow into the tumor.",
            "tumor",
            Assertion.PRESENT,
        ),
        # Denied right after its article, or told for the first time, it is denied.
        ("A cyst was seen. Later there was resolution of the cyst.", "cyst", Assertion.NEGATED),
        ("There was no communication between the cyst and the duct.", "cyst", Assertion.NEGATED),
        # So is a suspicion of something about it, also told in a clause ("that the …").
        (
            "A tumor was seen. We presumed that the tumor invaded the joint.",
            "tumor",
            Assertion.PRESENT,
        ),
        ("We presumed that the tumor invaded the joint.", "tumor", Assertion.UNCERTAIN),
    ],
)
def test_a_finding_named_again_is_not_denied_by_what_is_denied_about_it(
    context: ContextAssertion, text: str, word: str, expected: Assertion
) -> None:
    case = make_case(text, [])
    starts = [i for i in range(len(text)) if text.startswith(word, i)]
    mentions = [
        Mention(id=f"m{n}", start=at, end=at + len(word), text=word, type=SIGN)
        for n, at in enumerate(starts)
    ]
    if "A mass" in text:
        at = text.index("mass")
        mentions.insert(0, Mention(id="mass", start=at, end=at + 4, text="mass", type=SIGN))
    found = context(case.model_copy(update={"mentions": mentions}))
    assert found.mentions[-1].assertion is expected


@pytest.mark.parametrize(
    ("text", "finding", "act", "type_"),
    [
        ("There were no problems with the anesthesia.", "problems", "anesthesia", DRUG),
        (
            "He had no history of adverse reaction toward chemotherapy.",
            "adverse reaction",
            "chemotherapy",
            DRUG,
        ),
        ("There was no evidence of recurrence after surgery.", "recurrence", "surgery", TREATMENT),
        ("Complications of the biopsy were not observed.", "Complications", "biopsy", TEST),
        (
            "She did not develop attacks six years after the thalamotomy.",
            "attacks",
            "thalamotomy",
            TREATMENT,
        ),
    ],
)
def test_a_denied_finding_leaves_the_procedure_or_drug_it_followed_done(
    context: ContextAssertion, text: str, finding: str, act: str, type_: EntityType
) -> None:
    found = assertions(context, make_case(text, [(finding, SIGN), (act, type_)]))
    assert (found[finding], found[act]) == (Assertion.NEGATED, Assertion.PRESENT)


@pytest.mark.parametrize(
    ("text", "complement", "expected"),
    [
        ("Invasion by the tumor was not observed.", "tumor", Assertion.PRESENT),
        ("Recurrence of the disease was not seen.", "disease", Assertion.PRESENT),
        ("Infiltration of atypical cells was not observed.", "atypical cells", Assertion.NEGATED),
    ],
)
def test_a_denial_after_a_finding_does_not_deny_the_thing_it_is_told_of(
    context: ContextAssertion, text: str, complement: str, expected: Assertion
) -> None:
    head = text.split()[0]
    found = assertions(context, make_case(text, [(head, SIGN), (complement, SIGN)]))
    assert (found[head], found[complement]) == (Assertion.NEGATED, expected)


@pytest.mark.parametrize(
    ("text", "first", "second", "expected"),
    [
        (
            "The clinical diagnosis was of a subphrenic abscess or pancreatic pseudocyst.",
            "subphrenic abscess",
            "pancreatic pseudocyst",
            Assertion.UNCERTAIN,
        ),
        (
            "We considered appendicitis and/or diverticulitis.",
            "appendicitis",
            "diverticulitis",
            Assertion.UNCERTAIN,
        ),
        # A short form after "or" restates the finding; "or the" names again what was told.
        (
            "She developed acute respiratory distress syndrome or ARDS.",
            "acute respiratory distress syndrome",
            "ARDS",
            Assertion.PRESENT,
        ),
        (
            "Whatever the main event was, the recent infarction or the thrombosis, it was fatal.",
            "infarction",
            "thrombosis",
            Assertion.PRESENT,
        ),
        ("He had fever and cough.", "fever", "cough", Assertion.PRESENT),
        (
            "Problems such as chronic constipation or nausea were noted.",
            "constipation",
            "nausea",
            Assertion.PRESENT,
        ),
    ],
)
def test_two_findings_told_as_alternatives_are_each_uncertain(
    context: ContextAssertion, text: str, first: str, second: str, expected: Assertion
) -> None:
    found = assertions(context, make_case(text, [(first, DISEASE), (second, DISEASE)]))
    assert found == {first: expected, second: expected}


def test_a_denial_reaches_the_alternatives_ending_its_list(context: ContextAssertion) -> None:
    text = "He denied any delusions, hallucinations, or changes in mood between the episodes."
    targets = [(words, SIGN) for words in ("delusions", "hallucinations", "changes in mood")]
    found = assertions(context, make_case(text, targets))
    assert found == dict.fromkeys(
        ("delusions", "hallucinations", "changes in mood"), Assertion.NEGATED
    )


def test_a_history_denied_after_its_list_is_no_history(context: ContextAssertion) -> None:
    text = "A history of gout, psoriasis or uveitis was not reported."
    targets = [(words, DISEASE) for words in ("gout", "psoriasis", "uveitis")]
    found = assertions(context, make_case(text, targets))
    assert found == dict.fromkeys(("gout", "psoriasis", "uveitis"), Assertion.NEGATED)


def test_a_history_the_patient_had_is_not_denied_by_a_later_clause(
    context: ContextAssertion,
) -> None:
    text = "He had a history of gout and psoriasis, and uveitis was not reported."
    targets = [(words, DISEASE) for words in ("gout", "psoriasis", "uveitis")]
    found = assertions(context, make_case(text, targets))
    assert found["gout"] is Assertion.HISTORICAL


def test_section_defaults(context: ContextAssertion) -> None:
    family = make_case("Diabetes in two aunts.", [("Diabetes", DISEASE)], kind="family_history")
    assert assertions(context, family)["Diabetes"] is Assertion.FAMILY
    past = make_case("Asthma.", [("Asthma", DISEASE)], kind="past_medical_history")
    assert assertions(context, past)["Asthma"] is Assertion.HISTORICAL
    titled = make_case("Asthma.", [("Asthma", DISEASE)], kind="history", title="Past history")
    assert assertions(context, titled)["Asthma"] is Assertion.HISTORICAL
    denied = make_case("No asthma.", [("asthma", DISEASE)], kind="past_medical_history")
    assert assertions(context, denied)["asthma"] is Assertion.NEGATED
    social = make_case("Smoker.", [("Smoker", SIGN)], kind="social_history")
    assert assertions(context, social)["Smoker"] is Assertion.HISTORICAL


def test_non_event_types_untouched(context: ContextAssertion) -> None:
    case = make_case("No 45-year-old.", [("45-year-old", EntityType.AGE)])
    assert assertions(context, case)["45-year-old"] is Assertion.PRESENT


def test_scope_stays_within_sentence(context: ContextAssertion) -> None:
    text = "There was no fever. Cough was present."
    start = text.index("Cough")
    case = Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sentences=[Span(start=0, end=19), Span(start=20, end=len(text))],
        mentions=[Mention(id="m", start=start, end=start + 5, text="Cough", type=SIGN)],
    )
    assert context(case).mentions[0].assertion is Assertion.PRESENT


def test_a_sentence_ending_inside_a_trigger_is_read(context: ContextAssertion) -> None:
    # A sentence splitter may end a sentence inside a word; the trigger over it reads on.
    text = "no no no no was possible no"
    case = Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sentences=[Span(start=0, end=13), Span(start=13, end=len(text))],
        mentions=[Mention(id="m", start=0, end=2, text="no", type=SIGN)],
    )
    assert context(case).mentions[0].text == "no"


def test_contract() -> None:
    assert ContextAssertion.name == "assertion"
    assert ContextAssertion.requires == {"text", "sentences", "sections", "mentions"}
    assert ContextAssertion.assigns == {"mentions.assertion"}


def test_rule_file_round_trips() -> None:
    raw = json.loads(resource_path("context_rules.json").read_text(encoding="utf-8"))
    rules = load_rules("context_rules.json", ContextRules)
    assert rules.model_dump(mode="json", exclude_defaults=True) == raw
    assert len(rules.rules) > 100


@pytest.mark.parametrize(
    "rule",
    [
        {"literal": "nope", "category": "NOT_A_CATEGORY", "direction": "FORWARD"},
        {"literal": "nope", "category": "NEGATED_EXISTENCE", "direction": "FORWARD", "x": 1},
        {"literal": "nope", "category": "PSEUDO", "direction": "FORWARD"},
        {
            "literal": "nope",
            "category": "NEGATED_EXISTENCE",
            "direction": "BACKWARD",
            "ends_at_words": ["with"],
        },
        {
            "literal": "nope",
            "pattern": "(",
            "category": "NEGATED_EXISTENCE",
            "direction": "FORWARD",
        },
        {
            "literal": "nope",
            "category": "NEGATED_EXISTENCE",
            "direction": "FORWARD",
            "also_types": ["Diagnostic_procedure"],
        },
        {
            "literal": "nope",
            "category": "NEGATED_EXISTENCE",
            "direction": "FORWARD",
            "ends_scopes_of": ["FAMILY"],
        },
        {
            "literal": "nope",
            "category": "POSSIBLE_EXISTENCE",
            "direction": "BACKWARD",
            "lifts_suspicion": True,
        },
        {
            "literal": "nope",
            "category": "POSSIBLE_EXISTENCE",
            "direction": "BACKWARD",
            "tells_not_done": True,
        },
        {
            "literal": "nope",
            "category": "NEGATED_EXISTENCE",
            "direction": "BIDIRECTIONAL",
            "ends_at_comma": True,
        },
    ],
)
def test_invalid_rule_raises(tmp_path: Path, rule: dict[str, object]) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"version": "1", "rules": [rule]}), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        ContextAssertion(path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_missing_rule_file(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        ContextAssertion(tmp_path / "absent.json")
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


WORDS = st.sampled_from(
    [
        "no",
        "not",
        "denies",
        "fever",
        "cough",
        "history",
        "of",
        "mother",
        "possible",
        "if",
        "was",
        "normal",
        "ruled",
        "out",
        "but",
        "which",
        "pain",
        "rash",
        "CT",
        "scan",
        ",",
        ".",
        ";",
        "without",
        "resolved",
        "family",
        "stopped",
        "Although",
        "performed",
    ]
)
TYPES = st.sampled_from(sorted(EntityType, key=str))


@settings(max_examples=75, deadline=None)
@given(words=st.lists(WORDS, min_size=1, max_size=30), picks=st.data())
def test_offsets_and_text_unchanged(words: list[str], picks: st.DataObject) -> None:
    text = " ".join(words)
    mentions = []
    cursor = 0
    for number, word in enumerate(words):
        start = text.index(word, cursor)
        cursor = start + len(word)
        if picks.draw(st.booleans()):
            type_ = picks.draw(TYPES)
            mentions.append(
                Mention(id=f"m{number}", start=start, end=cursor, text=word, type=type_)
            )
    split = picks.draw(st.integers(min_value=0, max_value=len(text)))
    case = Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sections=[
            Section(
                start=0,
                end=len(text),
                title="",
                kind=picks.draw(
                    st.sampled_from(
                        ["body", "family_history", "past_medical_history", "discussion"]
                    )
                ),
            )
        ],
        sentences=[Span(start=0, end=split), Span(start=split, end=len(text))],
        mentions=mentions,
    )
    result = _CONTEXT(case)
    assert result.text == case.text
    assert len(result.mentions) == len(case.mentions)
    for before, after in zip(case.mentions, result.mentions, strict=True):
        assert (after.id, after.start, after.end, after.text, after.type) == (
            before.id,
            before.start,
            before.end,
            before.text,
            before.type,
        )
        assert isinstance(after.assertion, Assertion)
        if after.type not in EVENT_TYPES:
            assert after.assertion is before.assertion
    Case.model_validate(result.model_dump())


_CONTEXT = ContextAssertion()


def test_assert_spans_agrees_with_mentions(context: ContextAssertion) -> None:
    """What the coders ask for their text matches is what a mention there would get."""
    text = (
        "Her mother had diabetes. There was no fever or rash. "
        "Meningitis was suspected, and a lumbar puncture was planned."
    )
    words = ["diabetes", "fever", "rash", "Meningitis", "lumbar puncture", "planned"]
    case = make_case(text, [])
    spans = [(text.index(w), text.index(w) + len(w)) for w in words]
    for kind in (SIGN, DISEASE, TREATMENT, EntityType.AGE):
        with_mentions = context(make_case(text, [(w, kind) for w in words]))
        expected = [m.assertion for m in with_mentions.mentions]
        assert context.assert_spans(case, spans, kind) == expected
    assert context.assert_spans(case, spans, SIGN)[:3] == [
        Assertion.FAMILY,
        Assertion.NEGATED,
        Assertion.NEGATED,
    ]


def test_components_with_other_rules_keep_their_own(tmp_path: Path) -> None:
    """Triggers are shared between components with the same rules, never across rule sets."""
    rules = load_rules("context_rules.json", ContextRules).model_dump(mode="json")
    rules["rules"] = [r for r in rules["rules"] if r["literal"] != "no"]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules), "utf-8")
    own = ContextAssertion(path)
    case = make_case("There was no fever.", [("fever", SIGN)])
    assert assertions(ContextAssertion(), case) == {"fever": Assertion.NEGATED}
    assert assertions(own, case) == {"fever": Assertion.PRESENT}
    assert assertions(ContextAssertion(), case) == {"fever": Assertion.NEGATED}


@pytest.mark.parametrize(
    ("patient", "opening", "expected"),
    [
        (Patient(age_years=28, sex=Sex.FEMALE), "A woman was referred. ", Assertion.FAMILY),
        (Patient(age_years=0, sex=Sex.MALE), "A boy was born. ", Assertion.PRESENT),
        (
            Patient(age_years=32, sex=Sex.FEMALE),
            "An infant was delivered to a 32-year-old mother. ",
            Assertion.PRESENT,
        ),
    ],
)
def test_a_fetal_finding_is_another_subjects_in_the_mothers_report(
    context: ContextAssertion, patient: Patient, opening: str, expected: Assertion
) -> None:
    # The mother's report gives the fetus's heart defect to the fetus; the child's keeps it.
    second = "Fetal echocardiography revealed a ventricular septal defect."
    case = _two_sentences(patient, opening, second, "ventricular", DISEASE)
    assert context(case).mentions[0].assertion is expected


@pytest.mark.parametrize(
    ("patient", "second", "expected"),
    [
        (
            Patient(age_years=29, sex=Sex.FEMALE),
            "After birth, the infant developed progressive hypoxia.",
            Assertion.FAMILY,
        ),
        (
            Patient(age_years=29, sex=Sex.FEMALE),
            "Physical examination of the newborn showed micrognathia.",
            Assertion.FAMILY,
        ),
        (
            Patient(age_years=0, sex=Sex.MALE),
            "After birth, the infant developed progressive hypoxia.",
            Assertion.PRESENT,
        ),
    ],
)
def test_a_newborns_finding_is_another_subjects_in_the_mothers_report(
    context: ContextAssertion, patient: Patient, second: str, expected: Assertion
) -> None:
    # The baby a woman delivered is someone else; in the child's own report it is the patient.
    word = "progressive" if "progressive" in second else "micrognathia"
    case = _two_sentences(patient, "A woman was referred. ", second, word, SIGN)
    assert context(case).mentions[0].assertion is expected


def test_a_finding_named_fetal_is_the_fetuss_in_the_mothers_report(
    context: ContextAssertion,
) -> None:
    # The mention holds the word "fetal" that says whose finding it is.
    second = "Ultrasound confirmed fetal anemia."
    case = _two_sentences(
        Patient(age_years=23, sex=Sex.FEMALE), "A woman was referred. ", second, "fetal", DISEASE
    )
    assert context(case).mentions[0].assertion is Assertion.FAMILY


def test_a_finding_told_in_the_fetus_is_the_fetuss_in_the_mothers_report(
    context: ContextAssertion,
) -> None:
    # The finding comes before the fetus it is found in.
    second = "Ultrasound revealed cardiac masses in the male fetus."
    case = _two_sentences(
        Patient(age_years=36, sex=Sex.FEMALE), "A woman was referred. ", second, "cardiac", SIGN
    )
    case = case.model_copy(
        update={
            "mentions": [
                m.model_copy(update={"end": m.start + 14, "text": "cardiac masses"})
                for m in case.mentions
            ]
        }
    )
    assert context(case).mentions[0].assertion is Assertion.FAMILY


def _two_sentences(
    patient: Patient, opening: str, second: str, first_word: str, type_: EntityType
) -> Case:
    """A case of ``opening`` and ``second``, one mention from ``first_word`` to the end of
    ``second`` (its full stop left out)."""
    text = opening + second
    start = text.index(first_word)
    return Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        patient=patient,
        sections=[Section(start=0, end=len(text), title="", kind="case_presentation")],
        sentences=[Span(start=0, end=len(opening) - 1), Span(start=len(opening), end=len(text))],
        mentions=[
            Mention(id="m0", start=start, end=len(text) - 1, text=text[start:-1], type=type_)
        ],
    )


@pytest.mark.parametrize(
    ("patient", "opening", "expected"),
    [
        (
            Patient(age_years=34, sex=Sex.FEMALE),
            "A woman had a caesarean section. ",
            Assertion.PRESENT,
        ),
        (Patient(age_years=0, sex=Sex.FEMALE), "A girl was delivered. ", Assertion.FAMILY),
        (
            Patient(age_years=32, sex=Sex.FEMALE),
            "A stillborn fetus was delivered of a 32-year-old woman. ",
            Assertion.FAMILY,
        ),
    ],
)
def test_the_mother_is_the_patient_in_the_mothers_report(
    context: ContextAssertion, patient: Patient, opening: str, expected: Assertion
) -> None:
    # A woman's obstetric report calls her "the mother"; a child's report calls another so.
    second = "The mother underwent continuous renal replacement therapy."
    case = _two_sentences(patient, opening, second, "continuous", TREATMENT)
    assert context(case).mentions[0].assertion is expected


@pytest.mark.parametrize(
    ("opening", "second", "expected"),
    [
        ("A pregnant woman was admitted. ", "She had maternal tachycardia.", Assertion.PRESENT),
        ("A pregnant woman was admitted. ", "Her maternal aunt had tachycardia.", Assertion.FAMILY),
        ("A woman was admitted. ", "She had maternal tachycardia.", Assertion.FAMILY),
    ],
)
def test_maternal_is_the_pregnant_patients_own(
    context: ContextAssertion, opening: str, second: str, expected: Assertion
) -> None:
    # In a pregnancy's report the patient is the mother; her mother's kin stay family.
    case = _two_sentences(Patient(age_years=30, sex=Sex.FEMALE), opening, second, "tachy", SIGN)
    assert context(case).mentions[0].assertion is expected


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("A boy, the son of the index case, was admitted. ", Assertion.PRESENT),
        ("A woman was admitted with her son. ", Assertion.FAMILY),
    ],
)
def test_the_son_is_the_patient_in_a_report_telling_him_as_one(
    context: ContextAssertion, opening: str, expected: Assertion
) -> None:
    # A report that tells its patient as someone's son speaks of him as "the son".
    second = "The son had seizures."
    case = _two_sentences(Patient(), opening, second, "seizures", SIGN)
    assert context(case).mentions[0].assertion is expected


@pytest.mark.parametrize(
    ("patient", "opening", "expected"),
    [
        (Patient(age_years=4, sex=Sex.FEMALE), "A girl had bruising. ", Assertion.PRESENT),
        (Patient(age_years=30, sex=Sex.FEMALE), "A woman gave birth. ", Assertion.FAMILY),
    ],
)
def test_the_twins_are_the_patients_unless_the_patient_may_be_their_mother(
    context: ContextAssertion, patient: Patient, opening: str, expected: Assertion
) -> None:
    # A child's report tells the patient and the twin sibling together as "the twins".
    second = "The twins were diagnosed with congenital thrombocytopenia."
    case = _two_sentences(patient, opening, second, "congenital", DISEASE)
    assert context(case).mentions[0].assertion is expected


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("She had vasculitis. The rash was likely secondary to her vasculitis.", "vasculitis"),
        (
            "Ultrasound showed severe oligohydramnios. The features were likely related to the "
            "severe oligohydramnios.",
            "oligohydramnios",
        ),
    ],
)
def test_a_probable_cause_told_before_stays_as_told(
    context: ContextAssertion, text: str, cause: str
) -> None:
    later = text.rindex(cause)
    case = make_case(text, [(cause, DISEASE)])
    again = Mention(id="again", start=later, end=later + len(cause), text=cause, type=DISEASE)
    case = case.model_copy(update={"mentions": [*case.mentions, again]})
    found = {m.id: m.assertion for m in context(case).mentions}
    assert found["again"] is Assertion.PRESENT
