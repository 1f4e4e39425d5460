"""RelationFinder: one hand-written sentence per trigger, mentions placed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.model import (
    Assertion,
    Case,
    EntityType,
    Mention,
    Relation,
    Source,
    SourceFormat,
    Span,
)
from casebook.nlp.attributes import AttributeLinker
from casebook.nlp.pipeline import Component
from casebook.nlp.relations import RelationFinder, RelationRules
from casebook.resources import load_rules, resource_path

SIGN = EntityType.SIGN_SYMPTOM
DISEASE = EntityType.DISEASE_DISORDER
TEST = EntityType.DIAGNOSTIC_PROCEDURE
THERAPY = EntityType.THERAPEUTIC_PROCEDURE
DRUG = EntityType.MEDICATION
OUTCOME = EntityType.OUTCOME
SITE = EntityType.BIOLOGICAL_STRUCTURE
DOSAGE = EntityType.DOSAGE


@pytest.fixture(scope="module")
def finder() -> RelationFinder:
    return RelationFinder()


def make_case(
    text: str,
    targets: list[tuple[str, EntityType]],
    relations: list[Relation] | None = None,
    negated: tuple[str, ...] = (),
) -> Case:
    """One mention per target, located with ``text.index``; one sentence."""
    mentions = []
    for number, (words, kind) in enumerate(targets):
        start = text.index(words)
        mentions.append(
            Mention(
                id=f"m{number}",
                start=start,
                end=start + len(words),
                text=words,
                type=kind,
                assertion=Assertion.NEGATED if words in negated else Assertion.PRESENT,
            )
        )
    return Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sentences=[Span(start=0, end=len(text))],
        mentions=mentions,
        relations=relations or [],
    )


def triples(case: Case, kind: str) -> set[tuple[str, str]]:
    """(source words, target words) of the relations of one type."""
    words = {m.id: m.text for m in case.mentions}
    return {(words[r.source], words[r.target]) for r in case.relations if r.type == kind}


def test_is_a_component_after_the_attribute_links(finder: RelationFinder) -> None:
    assert isinstance(finder, Component)
    assert finder.name == "relations"
    assert "relations.modifies" in finder.requires
    assert "relations.caused_by" in finder.assigns


TRIGGERED = [
    # caused_by, source first
    ("Headache secondary to meningitis.", [("Headache", SIGN), ("meningitis", DISEASE)],
     "caused_by", ("Headache", "meningitis")),
    ("Seizures due to hyponatraemia were seen.", [("Seizures", SIGN), ("hyponatraemia", DISEASE)],
     "caused_by", ("Seizures", "hyponatraemia")),
    ("Rash induced by amoxicillin.", [("Rash", SIGN), ("amoxicillin", DRUG)],
     "caused_by", ("Rash", "amoxicillin")),
    ("She had a CSF leak post bone marrow biopsy.",
     [("CSF leak", DISEASE), ("bone marrow biopsy", TEST)],
     "caused_by", ("CSF leak", "bone marrow biopsy")),
    ("Bleeding following tooth extraction was heavy.",
     [("Bleeding", SIGN), ("tooth extraction", THERAPY)],
     "caused_by", ("Bleeding", "tooth extraction")),
    # caused_by, target first
    ("The surgery was complicated by a wound infection.",
     [("surgery", THERAPY), ("wound infection", DISEASE)],
     "caused_by", ("wound infection", "surgery")),
    ("Valve migration resulted in severe regurgitation.",
     [("Valve migration", SIGN), ("regurgitation", DISEASE)],
     "caused_by", ("regurgitation", "Valve migration")),
    # result_of
    ("An MRI revealed bilateral subdural effusions.",
     [("MRI", TEST), ("subdural effusions", DISEASE)],
     "result_of", ("subdural effusions", "MRI")),
    ("The CT scan showed a mass.", [("CT scan", TEST), ("mass", SIGN)],
     "result_of", ("mass", "CT scan")),
    ("Consolidation was seen on chest radiography.",
     [("Consolidation", SIGN), ("chest radiography", TEST)],
     "result_of", ("Consolidation", "chest radiography")),
    # treated_by
    ("The pneumonia was treated with ceftriaxone.", [("pneumonia", DISEASE), ("ceftriaxone", DRUG)],
     "treated_by", ("pneumonia", "ceftriaxone")),
    ("The headache was not relieved with simple analgesia.",
     [("headache", SIGN), ("simple analgesia", DRUG)],
     "treated_by", ("headache", "simple analgesia")),
    ("The fever resolved after paracetamol.", [("fever", SIGN), ("paracetamol", DRUG)],
     "treated_by", ("fever", "paracetamol")),
    ("She received an epidural blood patch for the CSF leak.",
     [("epidural blood patch", THERAPY), ("CSF leak", DISEASE)],
     "treated_by", ("CSF leak", "epidural blood patch")),
    # outcome_of
    ("A blood patch was performed, following which the patient reported improvement.",
     [("blood patch", THERAPY), ("improvement", OUTCOME)],
     "outcome_of", ("improvement", "blood patch")),
    ("He recovered after the splenectomy.", [("recovered", OUTCOME), ("splenectomy", THERAPY)],
     "outcome_of", ("recovered", "splenectomy")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "targets", "kind", "pair"), TRIGGERED, ids=[t[0][:40] for t in TRIGGERED]
)
def test_a_trigger_links_its_two_mentions(
    finder: RelationFinder,
    text: str,
    targets: list[tuple[str, EntityType]],
    kind: str,
    pair: tuple[str, str],
) -> None:
    assert triples(finder(make_case(text, targets)), kind) == {pair}


def test_a_test_reveals_every_finding_it_lists(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "Chest CT demonstrated consolidation, pleural effusion and lymphadenopathy.",
            [
                ("Chest CT", TEST),
                ("consolidation", SIGN),
                ("pleural effusion", DISEASE),
                ("lymphadenopathy", SIGN),
            ],
        )
    )
    assert triples(case, "result_of") == {
        ("consolidation", "Chest CT"),
        ("pleural effusion", "Chest CT"),
        ("lymphadenopathy", "Chest CT"),
    }


def test_a_list_stops_at_the_next_test(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "The CT showed ascites and the MRI showed a mass.",
            [("CT", TEST), ("ascites", SIGN), ("MRI", TEST), ("mass", SIGN)],
        )
    )
    assert triples(case, "result_of") == {("ascites", "CT"), ("mass", "MRI")}


def test_caused_by_reads_the_passive_the_right_way(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "Spinal cord compression, which had been caused by a metastatic tumor.",
            [("Spinal cord compression", DISEASE), ("metastatic tumor", DISEASE)],
        )
    )
    assert triples(case, "caused_by") == {("Spinal cord compression", "metastatic tumor")}


def test_a_finding_that_lessened_after_a_drug_was_not_caused_by_it(
    finder: RelationFinder,
) -> None:
    helped = finder(
        make_case(
            "The patient stopped having seizures and confusion after lamotrigine was added.",
            [("seizures", SIGN), ("confusion", SIGN), ("lamotrigine", DRUG)],
        )
    )
    assert triples(helped, "caused_by") == set()
    harmed = finder(
        make_case(
            "After an improvement of his fever, he had a headache after the lumbar puncture.",
            [("fever", SIGN), ("headache", SIGN), ("lumbar puncture", TEST)],
        )
    )
    assert triples(harmed, "caused_by") == {("headache", "lumbar puncture")}


def test_a_clause_boundary_blocks_a_link(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "Fever was noted; however, meningitis was excluded due to a normal CSF.",
            [("Fever", SIGN), ("meningitis", DISEASE), ("CSF", TEST)],
        )
    )
    assert ("Fever", "CSF") not in triples(case, "caused_by")


def test_what_a_finding_required_did_not_cause_it(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "It showed an obstruction secondary to a band that required a resection.",
            [("obstruction", SIGN), ("resection", THERAPY)],
        )
    )
    assert triples(case, "caused_by") == set()


def test_a_finding_inside_a_longer_mention_is_not_what_a_trigger_follows(
    finder: RelationFinder,
) -> None:
    case = finder(
        make_case(
            "She was admitted for pain control following treatment with methylprednisolone.",
            [("pain control", THERAPY), ("pain", SIGN), ("methylprednisolone", DRUG)],
        )
    )
    assert triples(case, "caused_by") == set()


def test_one_thing_named_twice_does_not_cause_itself(finder: RelationFinder) -> None:
    text = "A mixed form of DTC and MTC, the relapse being due to MTC form."
    case = make_case(text, [("MTC", DISEASE)])
    second = text.rindex("MTC")
    twice = case.mentions[0].model_copy(update={"id": "m1", "start": second, "end": second + 3})
    case = finder(case.model_copy(update={"mentions": [case.mentions[0], twice]}))
    assert triples(case, "caused_by") == set()


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        (
            "The ECG recovered from VT after amiodarone.",
            [("recovered", OUTCOME), ("VT", DISEASE)],
        ),
        (
            "Aggressive insulin treatment led to eventual resolution of the movements.",
            [("insulin", DRUG), ("resolution", OUTCOME)],
        ),
        (
            "Staphylococcus grew from the preoperative joint aspiration.",
            [("Staphylococcus", DISEASE), ("joint aspiration", TEST)],
        ),
        (
            "Curettage of the focal lesion was done due to the lesion being a cyst.",
            [("focal lesion", SIGN), ("lesion", SIGN)],
        ),
    ],
)
def test_a_recovery_a_specimen_or_the_same_thing_again_is_no_complication(
    finder: RelationFinder, text: str, targets: list[tuple[str, EntityType]]
) -> None:
    case = make_case(text, targets)
    if targets[-1][0] == "lesion":
        later = text.rindex("lesion")
        lesion = case.mentions[1].model_copy(update={"start": later, "end": later + 6})
        case = case.model_copy(update={"mentions": [case.mentions[0], lesion]})
    assert triples(finder(case), "caused_by") == set()


def test_what_is_told_apart_from_a_finding_did_not_cause_it(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "Staining was done to differentiate mesothelioma from adenocarcinoma.",
            [("mesothelioma", DISEASE), ("adenocarcinoma", DISEASE)],
        )
    )
    assert triples(case, "caused_by") == set()


@pytest.mark.parametrize(
    "text",
    [
        "He was given lisinopril during a brief admission for atypical chest pain.",
        "Anticancer drugs were thought to be responsible for the rhabdomyolysis.",
    ],
)
def test_a_for_that_another_word_governs_tells_no_treatment(
    finder: RelationFinder, text: str
) -> None:
    drug = "lisinopril" if "lisinopril" in text else "Anticancer drugs"
    finding = "chest pain" if "pain" in text else "rhabdomyolysis"
    case = finder(make_case(text, [(drug, DRUG), (finding, SIGN)]))
    assert triples(case, "treated_by") == set()


@pytest.mark.parametrize(
    ("text", "treatment", "finding"),
    [
        (
            "A dual-chamber ICD was indicated for primary prevention of sudden cardiac death.",
            ("ICD", THERAPY),
            ("sudden cardiac death", DISEASE),
        ),
        (
            "Seven blocks were examined for the ovarian mass.",
            ("blocks", THERAPY),
            ("ovarian mass", SIGN),
        ),
    ],
)
def test_what_prevents_or_examines_a_finding_does_not_treat_it(
    finder: RelationFinder,
    text: str,
    treatment: tuple[str, EntityType],
    finding: tuple[str, EntityType],
) -> None:
    case = finder(make_case(text, [treatment, finding]))
    assert triples(case, "treated_by") == set()


def test_a_drug_for_a_finding_treats_it(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "He received antibiotics for pneumonia.",
            [("antibiotics", DRUG), ("pneumonia", DISEASE)],
        )
    )
    assert triples(case, "treated_by") == {("pneumonia", "antibiotics")}


def test_where_a_finding_arises_from_is_no_cause(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "It showed a mass arising from within the fascia with Doppler flow.",
            [("mass", SIGN), ("within the fascia", SITE), ("Doppler flow", TEST)],
        )
    )
    assert triples(case, "caused_by") == set()


def test_a_comma_after_the_trigger_ends_what_it_governs(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "As a result of the trauma caused by the loose denture, an ulcer developed.",
            [("trauma", DISEASE), ("ulcer", SIGN)],
        )
    )
    assert ("trauma", "ulcer") not in triples(case, "caused_by")


def test_an_event_between_blocks_a_near_link(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "The headache persisted and the discharge from the biopsy site continued.",
            [("headache", SIGN), ("discharge", EntityType.CLINICAL_EVENT), ("biopsy", TEST)],
        )
    )
    assert triples(case, "caused_by") == set()


def test_a_negated_finding_has_no_cause(finder: RelationFinder) -> None:
    case = finder(
        make_case(
            "There was no bleeding after the extraction.",
            [("bleeding", SIGN), ("extraction", THERAPY)],
            negated=("bleeding",),
        )
    )
    assert triples(case, "caused_by") == set()


def test_a_negated_finding_can_be_a_result(finder: RelationFinder) -> None:
    case = finder(
        make_case("The CT revealed no mass.", [("CT", TEST), ("mass", SIGN)], negated=("mass",))
    )
    assert triples(case, "result_of") == {("mass", "CT")}


def test_modifier_links_become_typed_relations(finder: RelationFinder) -> None:
    case = AttributeLinker()(
        make_case(
            "Biopsy of the right iliac crest; ceftriaxone 1 g; the CT was normal.",
            [
                ("Biopsy", TEST),
                ("right iliac crest", SITE),
                ("ceftriaxone", DRUG),
                ("1 g", DOSAGE),
                ("CT", TEST),
                ("normal", EntityType.LAB_VALUE),
            ],
        )
    )
    related = finder(case)
    assert triples(related, "site_of") == {("right iliac crest", "Biopsy")}
    assert triples(related, "dosage_of") == {("1 g", "ceftriaxone")}
    assert ("normal", "CT") in triples(related, "result_of")
    assert triples(related, "modifies") == triples(case, "modifies")


def test_a_value_in_another_measures_units_is_no_result_of_the_test(
    finder: RelationFinder,
) -> None:
    case = AttributeLinker()(
        make_case(
            "Blood pressure 130/85 mmHg, 98 beats/min.",
            [
                ("Blood pressure", TEST),
                ("130/85 mmHg", EntityType.LAB_VALUE),
                ("98 beats/min", EntityType.LAB_VALUE),
            ],
        )
    )
    assert triples(finder(case), "result_of") == {("130/85 mmHg", "Blood pressure")}


def test_running_twice_adds_nothing(finder: RelationFinder) -> None:
    case = finder(
        make_case("Rash induced by amoxicillin.", [("Rash", SIGN), ("amoxicillin", DRUG)])
    )
    assert finder(case).relations == case.relations


def test_the_packaged_rules_round_trip_and_cover_every_triggered_type() -> None:
    rules = load_rules("relations.json", RelationRules)
    assert RelationRules.model_validate_json(rules.model_dump_json()) == rules
    assert {rule.relation.value for rule in rules.rules} == {
        "caused_by",
        "result_of",
        "treated_by",
        "outcome_of",
    }


def test_a_rule_file_breaking_its_schema_is_a_coded_error(tmp_path: Path) -> None:
    data = json.loads(resource_path("relations.json").read_text(encoding="utf-8"))
    data["rules"][0]["triggers"] = ["Due To"]
    path = tmp_path / "relations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CasebookError) as error:
        RelationFinder(path)
    assert error.value.code is ErrorCode.INVALID_RESOURCE


def test_what_led_to_a_diagnosis_made_it_known_and_did_not_cause_it(
    finder: RelationFinder,
) -> None:
    known = finder(
        make_case(
            "Clinical assessment led to a suspicion of acute cholecystitis.",
            [("Clinical assessment", TEST), ("acute cholecystitis", DISEASE)],
        )
    )
    assert triples(known, "caused_by") == set()
    caused = finder(
        make_case(
            "The biopsy led to a cerebrospinal fluid leak.",
            [("biopsy", TEST), ("cerebrospinal fluid leak", SIGN)],
        )
    )
    assert triples(caused, "caused_by") == {("cerebrospinal fluid leak", "biopsy")}


def test_what_led_to_a_regression_lessened_it_and_did_not_cause_it(
    finder: RelationFinder,
) -> None:
    lessened = finder(
        make_case(
            "Chemotherapy resulted in full regression of the tumor.",
            [("Chemotherapy", DRUG), ("tumor", SIGN)],
        )
    )
    assert triples(lessened, "caused_by") == set()


def test_an_outcome_told_after_a_procedure_followed_it_and_was_not_caused_by_it(
    finder: RelationFinder,
) -> None:
    case = finder(
        make_case("He died soon after surgery.", [("died", OUTCOME), ("surgery", THERAPY)])
    )
    assert (triples(case, "caused_by"), triples(case, "outcome_of")) == (
        set(),
        {("died", "surgery")},
    )


def test_what_followed_the_end_of_a_treatment_is_no_outcome_of_it(
    finder: RelationFinder,
) -> None:
    case = finder(
        make_case("He died soon after extubation.", [("died", OUTCOME), ("extubation", THERAPY)])
    )
    assert triples(case, "outcome_of") == set()


def test_what_a_patient_was_due_to_undergo_is_a_plan_and_no_cause(finder: RelationFinder) -> None:
    text = "She had osteoarthritis of the knees and was due to undergo knee replacements."
    case = finder(make_case(text, [("osteoarthritis", DISEASE), ("knee replacements", THERAPY)]))
    assert triples(case, "caused_by") == set()


def test_what_a_diagnosis_was_suspected_because_of_did_not_cause_it(
    finder: RelationFinder,
) -> None:
    text = "Pneumonia was suspected because of fever."
    case = finder(make_case(text, [("Pneumonia", DISEASE), ("fever", SIGN)]))
    assert triples(case, "caused_by") == set()


def test_a_trigger_inside_an_aside_of_its_own_tells_no_cause_of_what_precedes_it(
    finder: RelationFinder,
) -> None:
    aside = "Atypical organisms (of special interest due to his hypoxemia) were sought."
    opened = "Headache (due to meningitis) was severe."
    found = [
        triples(finder(make_case(aside, [("organisms", SIGN), ("hypoxemia", SIGN)])), "caused_by"),
        triples(
            finder(make_case(opened, [("Headache", SIGN), ("meningitis", DISEASE)])), "caused_by"
        ),
    ]
    assert found == [set(), {("Headache", "meningitis")}]


def test_a_drug_whose_own_words_say_what_it_was_for_treats_only_that(
    finder: RelationFinder,
) -> None:
    text = (
        "Itraconazole was given for the infection, and was treated with sulfasalazine for the "
        "arthritis."
    )
    targets = [
        ("Itraconazole", DRUG),
        ("infection", DISEASE),
        ("sulfasalazine", DRUG),
        ("arthritis", DISEASE),
    ]
    assert triples(finder(make_case(text, targets)), "treated_by") == {
        ("infection", "Itraconazole"),
        ("arthritis", "sulfasalazine"),
    }


def test_what_a_finding_went_on_even_after_did_not_cause_it(finder: RelationFinder) -> None:
    text = "He had unremitting obstipation even following decompressive cecostomy."
    case = finder(make_case(text, [("unremitting obstipation", SIGN), ("cecostomy", THERAPY)]))
    assert triples(case, "caused_by") == set()
    text = "He had wound infection following cecostomy."
    case = finder(make_case(text, [("wound infection", DISEASE), ("cecostomy", THERAPY)]))
    assert triples(case, "caused_by") == {("wound infection", "cecostomy")}


def test_what_a_cause_was_found_with_is_not_the_cause(finder: RelationFinder) -> None:
    text = "Sepsis likely secondary to urologic cause with leukocytosis."
    case = finder(make_case(text, [("Sepsis", DISEASE), ("leukocytosis", SIGN)]))
    assert triples(case, "caused_by") == set()
    text = "Sepsis secondary to pyelonephritis with leukocytosis."
    case = finder(make_case(text, [("Sepsis", DISEASE), ("pyelonephritis", DISEASE)]))
    assert triples(case, "caused_by") == {("Sepsis", "pyelonephritis")}


def test_what_a_diagnosis_was_made_after_did_not_cause_it(finder: RelationFinder) -> None:
    text = "Epididymitis was diagnosed after ultrasound."
    case = finder(make_case(text, [("Epididymitis", DISEASE), ("ultrasound", TEST)]))
    assert triples(case, "caused_by") == set()


@pytest.mark.parametrize(
    ("text", "finding", "treatment"),
    [
        (
            "She had disease progression after four cycles of FOLFOX.",
            "disease progression",
            "FOLFOX",
        ),
        (
            "He was planned for removal of the mass after antifungal therapy.",
            "mass",
            "antifungal therapy",
        ),
    ],
)
def test_what_went_on_or_was_removed_after_a_treatment_was_not_caused_by_it(
    finder: RelationFinder, text: str, finding: str, treatment: str
) -> None:
    case = finder(make_case(text, [(finding, DISEASE), (treatment, THERAPY)]))
    assert triples(case, "caused_by") == set()


def test_what_a_clause_of_its_own_tells_after_from_is_no_cause(finder: RelationFinder) -> None:
    text = "There was pus discharge from the nails which had been treated with antibiotics."
    mentions = [("pus discharge", SIGN), ("nails", SITE), ("antibiotics", DRUG)]
    assert triples(finder(make_case(text, mentions)), "caused_by") == set()


def test_what_accompanied_a_caused_finding_was_not_caused_with_it(finder: RelationFinder) -> None:
    text = "Insulinoma causing liver metastases, accompanied by glomerulonephritis."
    mentions = [("Insulinoma", DISEASE), ("metastases", DISEASE), ("glomerulonephritis", DISEASE)]
    case = finder(make_case(text, mentions))
    assert triples(case, "caused_by") == {("metastases", "Insulinoma")}


def test_what_a_reading_test_resulted_in_is_its_result_not_a_complication(
    finder: RelationFinder,
) -> None:
    text = "The final histopathology resulted in adenocarcinoma."
    case = finder(make_case(text, [("final histopathology", TEST), ("adenocarcinoma", DISEASE)]))
    assert triples(case, "caused_by") == set()
    assert triples(case, "result_of") == {("adenocarcinoma", "final histopathology")}
    text = "Colonoscopy resulted in perforation."
    case = finder(make_case(text, [("Colonoscopy", TEST), ("perforation", DISEASE)]))
    assert triples(case, "caused_by") == {("perforation", "Colonoscopy")}


def test_what_a_cause_no_mention_names_is_joined_with_is_no_cause(
    finder: RelationFinder,
) -> None:
    text = "Delirium secondary to alcohol withdrawal and pneumothorax."
    case = finder(make_case(text, [("Delirium", DISEASE), ("pneumothorax", DISEASE)]))
    assert triples(case, "caused_by") == set()
    text = "Delirium secondary to severe and persistent hyponatremia."
    case = finder(make_case(text, [("Delirium", DISEASE), ("hyponatremia", DISEASE)]))
    assert triples(case, "caused_by") == {("Delirium", "hyponatremia")}


def test_what_follows_a_comma_after_a_reading_test_is_not_its_result(
    finder: RelationFinder,
) -> None:
    text = "It was hyperintense on T2-weighted images, causing compression of the lobe."
    case = finder(make_case(text, [("T2-weighted images", TEST), ("compression", SIGN)]))
    assert triples(case, "caused_by") == set()
    assert triples(case, "result_of") == set()


def test_what_a_for_phrase_after_a_procedure_caused_the_procedure_did_not(
    finder: RelationFinder,
) -> None:
    text = "He underwent surgery for enlarging cysts causing dyspnea."
    case = finder(make_case(text, [("surgery", THERAPY), ("dyspnea", SIGN)]))
    assert triples(case, "caused_by") == set()


def test_what_a_procedure_looked_for_it_did_not_treat(finder: RelationFinder) -> None:
    text = "A drain was left to assess for leakage."
    case = finder(make_case(text, [("drain", THERAPY), ("leakage", SIGN)]))
    assert triples(case, "treated_by") == set()
