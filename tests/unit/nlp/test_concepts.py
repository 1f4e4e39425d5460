"""The summary's concept gate: which kinds of clinical concept a mention's words name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Code, CodeSystem, EntityType, Mention
from casebook.nlp.concepts import ClinicalConcepts, ConceptKind, default_concepts
from casebook.resources import resource_path

FINDING, PROCEDURE, TEST, DRUG, OUTCOME = (
    ConceptKind.FINDING,
    ConceptKind.PROCEDURE,
    ConceptKind.TEST,
    ConceptKind.DRUG,
    ConceptKind.OUTCOME,
)


def _kinds(words: str, expansion: str | None = None, codes: list[Code] | None = None) -> set[str]:
    mention = Mention(
        id="m1",
        start=0,
        end=len(words),
        text=words,
        type=EntityType.SIGN_SYMPTOM,
        expansion=expansion,
        codes=codes or [],
    )
    return {kind.value for kind in default_concepts().kinds(mention)}


@pytest.mark.parametrize(
    ("words", "kinds"),
    [
        ("subdural effusions", {FINDING}),
        ("headache", {FINDING}),
        ("diminution of vision", {FINDING}),
        ("polyp", {FINDING}),
        # "Abnormality of sweating" makes no body part of sweating.
        ("sweating", {FINDING}),
        ("acute fatty liver of pregnancy", {FINDING}),
        ("laparoscopic cholecystectomy", {PROCEDURE}),
        ("trephine biopsy", {TEST}),
        # A laboratory technique is a test, whatever the procedure index says.
        ("in situ hybridization", {TEST}),
        ("serum creatinine", {TEST}),
        ("amoxicillin", {DRUG}),
        ("rituximab", {DRUG}),
        # USAN stems: an alpha-blocker, an oxicam; a salt is set aside to find the drug.
        ("silodosin", {DRUG}),
        ("meloxicam", {DRUG}),
        ("hydrocortisone valerate", {DRUG}),
        ("full recovery", {OUTCOME}),
        # Free of the disease or its symptoms is how the case ended.
        ("is disease-free", {OUTCOME}),
        ("was pain free", {OUTCOME}),
        # A letter or number after a name tells its type; the name is the head.
        ("amphotericin B", {DRUG}),
        ("vitamin B12", {DRUG}),
        # Antihistamines by their stems.
        ("cetirizine", {DRUG}),
        ("loratadine", {DRUG}),
        # Antifolates, propionic acids, echinocandins, inhaled anaesthetics by their INN stems.
        ("pemetrexed", {DRUG}),
        ("naproxen", {DRUG}),
        ("caspofungin", {DRUG}),
        ("sevoflurane", {DRUG}),
    ],
)
def test_words_name_the_kind_of_concept_a_clinician_reads(words: str, kinds: set[str]) -> None:
    assert kinds <= _kinds(words)


def test_a_direction_is_no_finding() -> None:
    # Radiotherapy's "anterior to posterior-posterior to anterior (AP-PA) fields".
    assert _kinds("AP-PA", "anterior to posterior-posterior to anterior") == set()
    assert _kinds("distal radius fracture") == {FINDING}


def test_a_property_names_a_finding_only_with_how_it_changed() -> None:
    # HPO writes turgor, consciousness and signal intensity only as changed ("Decreased skin
    # turgor"): the mention model's "turgor" of "poor skin turgor" is no finding alone.
    assert FINDING not in _kinds("turgor")
    assert FINDING not in _kinds("consciousness")
    assert FINDING not in _kinds("signal intensity")
    assert FINDING in _kinds("poor skin turgor")
    assert FINDING in _kinds("impaired consciousness")
    assert FINDING in _kinds("tingling feeling")
    # HPO's only bubble is the stomach's, absent; air bubbles in a vein are a finding.
    assert FINDING in _kinds("air bubbles")


def test_isolation_is_no_procedure() -> None:
    # Case reports isolate organisms, DNA and pulmonary veins, seldom the patient.
    assert "procedure" not in _kinds("isolation")


@pytest.mark.parametrize("words", ["intake", "IM", "solution", "DIE", "BID", "day"])
def test_an_intake_a_route_a_solution_or_a_frequency_alone_names_no_drug_given(
    words: str,
) -> None:
    # "Decreased oral intake", "tramadol 1 mg/kg IM" and "150 mg/day (once a day [DIE])"
    # carry a route or a dose, which alone would make them drugs given.
    mention = Mention(id="m1", start=0, end=len(words), text=words, type=EntityType.MEDICATION)
    assert default_concepts().names_nothing(mention)


def test_guidance_and_perfusion_are_no_procedure() -> None:
    # "Under fluoroscopic guidance" tells how a procedure was aimed; "luxury perfusion" and
    # "worsening organ perfusion" are what imaging or the circulation showed.
    assert _kinds("fluoroscopic guidance") == set()
    assert PROCEDURE not in _kinds("luxury perfusion")
    assert _kinds("tendon transfer") == {PROCEDURE}


def test_a_genetic_variant_is_a_test_result_no_finding() -> None:
    # "A deletion mutation in exon 19 of the EGFR" was shown as a presenting problem.
    assert FINDING not in _kinds("deletion mutation")
    assert FINDING not in _kinds("BCR/ABL p210 translocation")
    assert _kinds("22q11.2 deletion syndrome") == {FINDING}


def test_a_gene_product_or_a_class_of_agent_is_no_finding() -> None:
    assert FINDING not in _kinds("autoimmune regulator")
    assert FINDING not in _kinds("cholinergic agent")


def test_a_joints_movement_is_no_finding_but_a_limited_one_or_a_tumors_extension_is() -> None:
    assert FINDING not in _kinds("knee flexion")
    assert _kinds("full extension") == set() and _kinds("hip rotation") == set()
    assert FINDING in _kinds("limited knee flexion")
    assert FINDING in _kinds("tumor extension")


def test_an_arrest_brought_about_for_surgery_is_a_procedure_no_finding() -> None:
    assert _kinds("deep hypothermic circulatory arrest") == {PROCEDURE}
    assert FINDING in _kinds("cardiac arrest")


def test_a_word_said_is_no_finding() -> None:
    assert FINDING not in _kinds("one word")
    assert FINDING not in _kinds("immune")


@pytest.mark.parametrize(
    "words",
    [
        "Anaesthetic colleagues",
        "general practitioner",
        "Philippines",
        "commercial software",
        "traumatic",
        "painful",
        "comfortably",
        "liver",
        "cerebrospinal fluid",
        # A lesion's "feeding vessels" are its anatomy, no procedure.
        "feeding vessels",
        "the disease",
        "pathology",
        "prognosis",
        # A feeling names what is felt only with it ("feeling faint"), a difficulty what is
        # hard ("difficulty aspirating").
        "feeling",
        "difficulty",
        # An organisation named after a disease.
        "cancer board",
        "oncology department",
        # A discipline's name alone ("his oncology history began in 2007").
        "oncology",
        # Places of no care, where a story happens.
        "Village",
        "nearby bushes",
        # A room, a laboratory kit and a route of giving name no concept.
        "bathroom",
        "enrichment kit",
        # An instrument the operation is done through is no procedure.
        "rigid laparoscopic telescope",
        "intramuscular",
        "intraperitoneal",
        # A range is where a measure lies, no procedure ("INR in therapeutic ranges").
        "therapeutic ranges",
        # An adverb says how something was given, not what.
        "subcutaneously",
        "Supplementary Video 1",
        "GCS",
        # Vertebral levels joined by a preposition: "through" heads no procedure.
        "T1 through T5",
        # A unit of weight is no "-gram" test ("a loss of weight of eight kilograms").
        "kilograms",
        # A transfer alone is the patient's ("Transfer to the Intensive Therapy Unit").
        "Transfer",
        # A section alone is the pathologist's slice ("On cut section", "a section stained
        # with hematoxylin"); a bedtime is when a drug was taken ("5 mg at bedtime").
        "section",
        "bedtime",
        # A pressure alone says not of what: an insufflator's or a device's setting ("The
        # pressure was 12 cmH2O") as much as a measure of the patient.
        "pressure",
    ],
)
def test_people_places_software_modifiers_body_parts_and_generic_words_name_nothing(
    words: str,
) -> None:
    assert _kinds(words) == set()


@pytest.mark.parametrize(
    ("words", "kinds"),
    [
        ("complete remission state", {OUTCOME}),  # the state says the remission holds
        ("remission status", {OUTCOME}),
        ("confusional state", {FINDING}),  # a state that is no outcome stays a finding
    ],
)
def test_an_outcome_said_to_hold_is_the_outcome_and_no_finding(words: str, kinds: set[str]) -> None:
    assert _kinds(words) == kinds


def test_the_eosin_of_a_stain_is_no_alpha_blocker() -> None:
    assert DRUG not in _kinds("hematoxylin and eosin stain")


def test_a_caesarean_section_is_still_a_procedure() -> None:
    assert PROCEDURE.value in _kinds("caesarean section")


def test_a_dural_tear_is_a_finding_and_no_procedure() -> None:
    assert _kinds("dural tear") == {FINDING.value}


def test_an_abbreviation_is_read_in_its_long_form_and_as_written() -> None:
    assert TEST.value in _kinds("CT", expansion="computed tomographic")
    assert FINDING.value in _kinds("CSF leak", expansion="cerebrospinal fluid leak")


def test_codes_on_a_mention_name_its_kind() -> None:
    pcs = [Code(system=CodeSystem.ICD10PCS, code="3E0R3GC")]
    assert PROCEDURE.value in _kinds("patching", codes=pcs)
    imaging = [Code(system=CodeSystem.ICD10PCS, code="BW28")]
    assert TEST.value in _kinds("scanning", codes=imaging)


def test_a_drug_before_resistance_or_allergy_words_was_not_given() -> None:
    gate = default_concepts()
    text = "The isolate was resistant to oxacillin."
    assert gate.not_given(text, 0, text.index("oxacillin"))
    text = "She was given oxacillin."
    assert not gate.not_given(text, 0, text.index("oxacillin"))


def test_a_substance_a_drug_acts_on_or_the_body_makes_was_not_given() -> None:
    gate = default_concepts()
    text = "Sirolimus, an inhibitor of mammalian target of rapamycin, was started."
    assert gate.not_given(text, 0, text.index("rapamycin"))
    text = "Hypoglycemia was due to hypersecretion of insulin by the tumor."
    assert gate.not_given(text, 0, text.index("insulin"))
    text = "Secretion of cortisol was low and she was given hydrocortisone."
    assert not gate.not_given(text, 0, text.index("hydrocortisone"))
    text = "He took a dopamine agonist."
    assert gate.harmed(text, text.index("dopamine") + len("dopamine"), len(text))


def test_a_rule_file_with_an_unknown_key_is_a_coded_error(tmp_path: Path) -> None:
    rules = json.loads(resource_path("summary_concepts.json").read_text(encoding="utf-8"))
    rules["unknown"] = []
    bad = tmp_path / "concepts.json"
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        ClinicalConcepts(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    rules.pop("unknown")
    rules["not_given_cues"] = ["(unclosed"]
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        ClinicalConcepts(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_a_lone_participle_is_no_concept_whatever_its_code() -> None:
    # "The myxoma was removed from the right atrium": the coder codes the excision, but the
    # word "removed" names no procedure to show in a summary.
    removed = [Code(system=CodeSystem.ICD10PCS, code="02B6")]
    assert _kinds("removed", codes=removed) == set()
    assert "procedure" in _kinds("excision", codes=removed)


@pytest.mark.parametrize(
    ("words", "drug_only"),
    [
        ("vancomycin", True),
        ("peg-asparaginase", True),
        ("vincristine", True),
        ("fludarabine", True),
        ("heparin infusion", False),
        ("chemotherapy", False),
        ("PEG tube", False),
        ("serum creatinine", False),
    ],
)
def test_a_name_that_only_names_a_drug_is_a_medication(words: str, drug_only: bool) -> None:
    mention = Mention(
        id="m1", start=0, end=len(words), text=words, type=EntityType.DIAGNOSTIC_PROCEDURE
    )
    assert default_concepts().is_drug_only(mention) is drug_only


def test_a_caesarean_section_is_a_procedure_where_a_section_alone_is_none() -> None:
    assert PROCEDURE in _kinds("lower segment caesarean section")
    assert _kinds("sections") == set()


def test_a_word_that_only_ends_like_a_drug_names_no_drug() -> None:
    assert DRUG not in _kinds("cauda equine")


def test_the_vitreous_pulling_on_the_macula_is_a_finding_and_no_procedure() -> None:
    assert (_kinds("macular traction"), PROCEDURE.value in _kinds("skeletal traction")) == (
        {FINDING.value},
        True,
    )


def test_a_cesarean_delivery_is_a_procedure_where_a_preterm_delivery_is_a_finding() -> None:
    assert (_kinds("cesarean deliveries"), FINDING.value in _kinds("preterm delivery")) == (
        {PROCEDURE.value},
        True,
    )


def test_a_rating_scale_of_coordinated_words_is_no_finding() -> None:
    assert (_kinds("Social Avoidance and Distress Scale"), _kinds("erythema and thick scales")) == (
        set(),
        {FINDING.value},
    )
