"""What casebook shows a clinician is true: one rule per test, each on a sentence written for it.

Each test reads a short report through the whole pipeline and checks one thing the summary, the
codes, the relations or the timeline must not claim (issue: false shown items in PMC-Patients
5752819-1, 7692310-1, 4255544-1 and 6990510-1).
"""

from __future__ import annotations

from casebook.export.fhir import case_to_bundle
from casebook.model import Case, CodeSystem, Document, Source, SourceFormat
from casebook.service import analyze_document


def analyse(text: str) -> Case:
    return analyze_document(Document(id="t", text=text, source=Source(format=SourceFormat.TEXT)))


def shown(case: Case, heading: str) -> list[str]:
    return [item.text.lower() for item in getattr(case.summary, heading)]


def test_an_abdominal_inspection_is_an_investigation_never_a_procedure() -> None:
    case = analyse(
        "A 59-year-old man presented with jaundice. Abdominal inspection revealed no "
        "distension. He underwent a cholecystectomy."
    )
    assert "inspection" not in shown(case, "procedures")
    assert "inspection" in shown(case, "investigations")


def test_organs_out_of_their_place_are_no_procedure() -> None:
    case = analyse(
        "A 59-year-old man presented with jaundice. CT scan revealed biliary tree dilatation "
        "and abnormal intra-abdominal organ positioning."
    )
    assert not any("positioning" in item for item in shown(case, "procedures"))
    assert not any("positioning" in item for item in shown(case, "treatments"))


def test_a_finding_treated_as_a_disease_is_not_that_disease() -> None:
    case = analyse(
        "A 20-year-old woman developed acute shortness of breath that was treated as an "
        "asthma exacerbation in the emergency room. Bronchoscopy confirmed diffuse alveolar "
        "hemorrhage."
    )
    codes = [c.code for c in case.shown_codes() if c.system is CodeSystem.ICD10CM]
    assert not any(code.startswith("J45") for code in codes), codes


def test_tumour_necrosis_is_no_gangrene() -> None:
    case = analyse(
        "A 68-year-old man presented with cough. Smear from the biopsy of the pulmonary mass "
        "showed severe atypia, necrosis and mitoses. The mass showed central necrosis."
    )
    assert "I96" not in [c.code for c in case.codes if c.system is CodeSystem.ICD10CM]


def test_a_carcinoma_whose_site_is_named_is_never_of_unspecified_site() -> None:
    case = analyse(
        "A 68-year-old man presented with cough. The pulmonary mass resulted as a primary "
        "adenocarcinoma."
    )
    codes = [c.code for c in case.codes if c.system is CodeSystem.ICD10CM]
    assert "C80.1" not in codes
    assert "C34.90" in codes


def test_the_words_of_a_test_or_a_committee_are_no_finding() -> None:
    case = analyse(
        "A 59-year-old man presented with jaundice. The levels of serum tumor marker CA 19-9 "
        "were elevated. The tumor was classified as stage IIA according to the TNM staging "
        "system of the American Joint Committee on Cancer."
    )
    findings = [m for m in case.mentions if m.type.value in {"Sign_symptom", "Disease_disorder"}]
    inside = [m.text for m in findings if m.start < case.text.index("CA 19-9")]
    assert "tumor" not in inside
    assert "Cancer" not in [m.text for m in findings]


def test_the_fhir_bundle_holds_no_company_and_no_colleague() -> None:
    case = analyse(
        "A 41-year-old man had a myxoma removed. The mitral valve was replaced with a 27 mm "
        "prosthesis (Carbomedics Inc., Austin, TX). Anaesthetic colleagues then performed a "
        "blood patch. He was pain free when last seen."
    )
    words = {
        str(extension.valueString)
        for entry in case_to_bundle(case).entry or []
        for top in entry.resource.extension or []
        for extension in top.extension or []
        if extension.url == "text"
    }
    assert "blood patch" in words
    assert not words & {"Carbomedics", "TX", "Anaesthetic colleagues"}
    assert next(m for m in case.mentions if m.text == "pain").assertion.value == "negated"


def test_everyday_actions_are_no_behavioural_phenotypes() -> None:
    case = analyse(
        "A cutting balloon was used to dilate the stenosis. The dural tearing was repaired. "
        "The collecting system of the left kidney was dilated. She had vomiting at night."
    )
    hpo = {code.display for code in case.codes if code.system is CodeSystem.HPO}
    assert not hpo & {"Self-cutting", "Epiphora", "Collectionism"}
    assert "Vomiting" in hpo


def test_a_pasted_title_is_not_the_presenting_problem() -> None:
    case = analyse(
        "Spontaneous splenic rupture in infectious mononucleosis: a case report\n\n"
        "A 19-year-old man presented with a sore throat and fatigue. Ten days later he "
        "developed left upper quadrant pain."
    )
    assert "splenic rupture" not in " ".join(shown(case, "presenting_problem"))
    assert [s.kind for s in case.sections] == ["title", "body"]
