"""Which mentions are treatments, the one name each goes by, and the outcome that followed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import normalize_alias
from casebook.model import Assertion, Case, CodeSystem, Outcome, Relation, Section, Span
from casebook.resources import load_rules
from casebook.search.filters import SearchFilters
from casebook.search.hybrid import CaseIndex
from casebook.search.outcomes import OutcomeReader, TreatmentOutcome, tally
from casebook.search.treatments import (
    TreatmentFinder,
    TreatmentNames,
    TreatmentSynonyms,
    load_treatment_synonyms,
)

CaseBuilder = Callable[..., Case]
PCS = CodeSystem.ICD10PCS


@pytest.fixture(scope="module")
def finder() -> TreatmentFinder:
    return TreatmentFinder()


@pytest.fixture(scope="module")
def reader() -> OutcomeReader:
    return OutcomeReader()


@pytest.fixture(scope="module")
def names() -> TreatmentNames:
    return TreatmentNames()


def keys(finder: TreatmentFinder, case: Case) -> list[str]:
    return [t.key for t in finder.find(case)]


def test_a_ct_scan_is_not_a_treatment(finder: TreatmentFinder, make_case: CaseBuilder) -> None:
    case = make_case(
        "c",
        "A CT scan of the head was normal.",
        [("CT scan", "Diagnostic_procedure", Assertion.PRESENT, [(PCS, "BW28ZZZ")])],
    )
    assert keys(finder, case) == []


def test_imaging_typed_as_a_therapeutic_procedure_is_still_a_test(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "An MRI of the spine was done.",
        [("MRI", "Therapeutic_procedure", Assertion.PRESENT, [(PCS, "BR3")])],
    )
    assert keys(finder, case) == []


@pytest.mark.parametrize(
    ("code", "treats"),
    [
        ("3E0R3GC", True),  # Administration: the spinal blood patch
        ("0DTJ4ZZ", True),  # Medical and Surgical: appendectomy
        ("5A1955Z", True),  # Extracorporeal assistance: mechanical ventilation
        ("6A550Z3", True),  # Extracorporeal therapies: plasmapheresis
        ("D70", True),  # Radiation therapy
        ("BW28", False),  # Imaging: CT of the head
        ("4A02X4Z", False),  # Measurement and monitoring: ECG
        ("C23", False),  # Nuclear medicine
        ("07DR3ZX", False),  # Medical and Surgical with the qualifier Diagnostic: a biopsy
        ("0BJ08ZZ", False),  # Inspection through an endoscope: bronchoscopy
        ("0WJG0ZZ", True),  # Open inspection: an exploratory laparotomy is an operation
        ("GZ10ZZZ", False),  # Psychological tests
    ],
)
def test_icd10pcs_sections_decide_treatment_from_test(
    finder: TreatmentFinder, code: str, treats: bool
) -> None:
    assert finder.treats(code) is treats


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("The mass was removed.", "removed"),
        ("The wound was closed.", "closed"),
        ("The lesion was surgically excised.", "surgically excised"),
        ("The eustachian tube was patent.", "eustachian tube"),
        ("The dural tear was seen.", "dural tear"),
        ("Treatment was started.", "Treatment"),
        ("Medications were reviewed.", "Medications"),
        # What was removed or coagulated is not said; a pump is a device; a finding or a
        # service can end in a treatment's word.
        ("Removal was uneventful.", "Removal"),
        ("She underwent complete surgical resection.", "complete surgical resection"),
        ("Primary closure of the wound was performed.", "Primary closure"),
        ("The fistula showed spontaneous closure.", "spontaneous closure"),
        ("Implantation was performed in the left eye.", "Implantation"),
        ("OCT showed vitreous traction.", "vitreous traction"),
        ("Coagulation was deranged.", "Coagulation"),
        ("Macular traction was seen on OCT.", "Macular traction"),
        (
            "He had disseminated intravascular coagulation.",
            "disseminated intravascular coagulation",
        ),
        ("The family was offered genetic counseling.", "genetic counseling"),
    ],
)
def test_words_that_name_no_treatment_are_not_treatments(
    finder: TreatmentFinder, make_case: CaseBuilder, sentence: str, words: str
) -> None:
    case = make_case("c", sentence, [(words, "Therapeutic_procedure")])
    assert keys(finder, case) == []


@pytest.mark.parametrize(
    ("sentence", "drug"),
    [
        ("The fluid was positive for asialotransferrin.", "asialotransferrin"),
        ("She is allergic to penicillin.", "penicillin"),
        ("Vancomycin levels were low.", "Vancomycin"),
        ("He was admitted with lithium toxicity.", "lithium"),
        ("Accidental ingestion of a 10 mg baclofen tablet was reported.", "baclofen tablet"),
        ("Dialysis maximised the clearance of baclofen.", "baclofen"),
        ("Serum sodium, potassium and calcium levels were normal.", "potassium"),
        ("The strain's MIC for amoxicillin was 0.38 mg/L.", "amoxicillin"),
        ("The isolate was sensitive to ampicillin, gentamicin and vancomycin.", "vancomycin"),
        ("She was allergic to cephalexin, penicillin, and levofloxacin.", "penicillin"),
        ("Intradermal tests for lidocaine were negative.", "lidocaine"),
        ("An oral challenge test (OCT) with 50 mg of aspirin was positive.", "aspirin"),
        ("She was diagnosed with aspirin idiosyncrasy.", "aspirin"),
        ("Platelets (406,000/mm3) were normal.", "Platelets"),
    ],
)
def test_a_drug_tested_for_reacted_to_or_harmful_is_not_a_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder, sentence: str, drug: str
) -> None:
    assert keys(finder, make_case("c", sentence, [(drug, "Medication")])) == []


@pytest.mark.parametrize(
    ("sentence", "drug"),
    [
        ("A rash to isoniazid developed, and ethambutol was given instead.", "ethambutol"),
        ("Given his low level of consciousness, ceftriaxone was started.", "ceftriaxone"),
        ("Levels (blood pressure 80/50 mmHg) were kept with oral propranolol.", "propranolol"),
    ],
)
def test_a_drug_told_after_what_was_tested_or_reacted_to_is_given(
    finder: TreatmentFinder, make_case: CaseBuilder, sentence: str, drug: str
) -> None:
    assert keys(finder, make_case("c", sentence, [(drug, "Medication")])) == [drug]


def test_an_organism_a_culture_grew_is_no_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    sentence = "The skin lesions grew Prototheca wickerhamii."
    case = make_case(
        "c", sentence, [("skin lesions", "Sign_symptom"), ("Prototheca wickerhamii", "Medication")]
    )
    # The mention model's relation says it treated the lesions; the words say otherwise.
    linked = [Relation(type="treated_by", source="m1", target="m2")]
    assert keys(finder, case.model_copy(update={"relations": linked})) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "General anaesthesia was induced with propofol, fentanyl and rocuronium.",
        "Induction of anesthesia with propofol, fentanyl and rocuronium followed.",
    ],
)
def test_an_anaesthetics_drugs_are_not_treatments(
    finder: TreatmentFinder, make_case: CaseBuilder, sentence: str
) -> None:
    drugs = [(drug, "Medication") for drug in ("propofol", "fentanyl", "rocuronium")]
    assert keys(finder, make_case("c", sentence, drugs)) == []


def test_a_sedative_given_to_treat_is_a_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    sentence = "Her seizures stopped after an infusion of propofol."
    assert keys(finder, make_case("c", sentence, [("propofol", "Medication")])) == ["propofol"]


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("Ondansetron (Zofer 4 mg tablet, Adeka Pharma, Turkey) was taken.", "Adeka Pharma"),
        ("Ondansetron (Zofer 4 mg tablet, Adeka Pharma, Turkey) was taken.", "Turkey"),
        ("A man who worked as a janitor was admitted.", "janitor"),
        ("He used intravenous heroin daily.", "intravenous heroin"),
        ("He had used cocaine for years.", "cocaine"),
        ("Serum angiotensin-converting enzyme was elevated.", "angiotensin-converting enzyme"),
    ],
)
def test_people_places_organisations_drugs_of_abuse_and_analytes_are_no_treatments(
    finder: TreatmentFinder, make_case: CaseBuilder, sentence: str, words: str
) -> None:
    # Even a dose or a relation vouching for them does not make them a treatment.
    assert keys(finder, make_case("c", sentence, [(words, "Medication")])) == []
    assert not finder.names_treatment(words, typed=True)


@pytest.mark.parametrize(
    "words", ["tumor resection", "IOL implantation", "hip replacement", "PFO closure"]
)
def test_a_deed_with_its_object_stays_a_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder, words: str
) -> None:
    case = make_case("c", f"She underwent {words}.", [(words, "Therapeutic_procedure")])
    assert keys(finder, case) == [words.lower()]


def test_a_pump_is_a_device_even_where_a_code_calls_it_a_treatment(
    finder: TreatmentFinder,
) -> None:
    assert not finder.names_treatment("infusion pump", typed=True)


@pytest.mark.parametrize("drug", ["insulin", "calcitonin", "vitamin C", "erythropoietin"])
def test_a_drug_that_is_also_a_laboratory_analyte_stays_a_treatment(
    finder: TreatmentFinder, drug: str
) -> None:
    assert finder.names_treatment(drug, typed=True)


def test_a_drug_named_in_the_discussion_is_not_the_patients_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    text = "She was given prednisolone. Others report that rituximab helps."
    case = make_case("c", text, [("prednisolone", "Medication"), ("rituximab", "Medication")])
    discussion = Section(start=28, end=len(text), title="Discussion", kind="discussion")
    case = case.model_copy(update={"sections": [discussion]})
    assert keys(finder, case) == ["prednisolone"]


def test_a_blood_patch_the_model_calls_a_finding_is_a_treatment_by_its_code(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "A blood patch was done.",
        [("blood patch", "Sign_symptom", Assertion.PRESENT, [(PCS, "3E0S3GC")])],
    )
    assert keys(finder, case) == ["blood patch"]


def test_a_procedure_the_text_calls_diagnostic_is_a_test(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "She underwent a diagnostic lumbar drainage.",
        [("lumbar drainage", "Therapeutic_procedure", Assertion.PRESENT, [(PCS, "009U3Z")])],
    )
    assert keys(finder, case) == []


def test_a_blood_patch_named_by_its_code_is_a_blood_patch(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    """The mention model may keep only "patch"; its code names the treatment."""
    case = make_case(
        "c",
        "An epidural blood patch was done.",
        [("patch", "Therapeutic_procedure", Assertion.PRESENT, [(PCS, "3E0S3GC")])],
    )
    assert keys(finder, case) == ["blood patch"]


def test_a_finding_read_into_a_treatments_words_does_not_hide_it(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "She was treated with an epidural blood patch.",
        [("patch", "Sign_symptom", Assertion.NEGATED)],
        codes=[(PCS, "3E0S3GC", 0.9, "epidural blood patch")],
    )
    assert keys(finder, case) == ["blood patch"]


def test_ivig_and_intravenous_immunoglobulin_are_one_row(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    cases = [
        make_case("a", "IVIG was given.", [("IVIG", "Medication")]),
        make_case("b", "Intravenous immunoglobulin was given.", [("immunoglobulin", "Medication")]),
        make_case("c", "She received IV immunoglobulins.", [("IV immunoglobulins", "Medication")]),
    ]
    rows = tally([(case.id, reader.treatments(case)) for case in cases])
    assert [(row.treatment, row.cases) for row in rows] == [
        ("intravenous immunoglobulin", ["a", "b", "c"])
    ]


def test_a_drug_and_its_salt_are_one_row_and_a_salt_alone_is_no_treatment(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    cases = [
        make_case("a", "Atropine drops were given.", [("Atropine", "Medication")]),
        make_case(
            "b",
            "She was given atropine sulfate drop 1% and prednisolone acetate 1%.",
            [
                ("atropine sulfate", "Medication"),
                ("prednisolone", "Medication"),
                ("acetate", "Medication"),
            ],
        ),
    ]
    rows = tally([(case.id, reader.treatments(case)) for case in cases])
    assert [(row.treatment, row.cases) for row in rows] == [
        ("atropine", ["a", "b"]),  # was atropine and atropine sulfate, one case each
        ("prednisolone", ["b"]),  # was also a row "acetate"
    ]


def test_blood_patch_and_blood_hyphen_patch_are_one_row(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    cases = [
        make_case("a", "A blood-patch was done.", [("blood-patch", "Therapeutic_procedure")]),
        make_case(
            "b", "Two Blood Patches were done.", [("Blood Patches", "Therapeutic_procedure")]
        ),
        make_case("c", "An EBP was done.", [("EBP", "Therapeutic_procedure")]),
    ]
    rows = tally([(case.id, reader.treatments(case)) for case in cases])
    assert [(row.treatment, row.cases) for row in rows] == [("blood patch", ["a", "b", "c"])]


def test_an_abbreviations_expansion_names_the_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    case = make_case("c", "She had plasma exchange (PE).", [("PE", "Therapeutic_procedure")])
    expanded = case.mentions[0].model_copy(update={"expansion": "plasma exchange"})
    case = case.model_copy(update={"mentions": [expanded]})
    assert keys(finder, case) == ["plasma exchange"]


def test_a_short_form_that_is_a_listed_concept_wins_over_an_unlisted_expansion(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    case = make_case("c", "He was put on support (BiPAP).", [("BiPAP", "Therapeutic_procedure")])
    spelled = case.mentions[0].model_copy(update={"expansion": "support"})
    case = case.model_copy(update={"mentions": [spelled]})
    assert keys(finder, case) == ["noninvasive ventilation"]


def test_route_and_dose_do_not_split_a_drug(names: TreatmentNames) -> None:
    assert names.key("intravenous methylprednisolone") == "methylprednisolone"
    assert names.key("high-dose methylprednisolone") == "methylprednisolone"
    assert names.key("Solu-Medrol") == "methylprednisolone"


def test_same_complete_icd10pcs_code_is_one_row(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    appendix = [(PCS, "0DTJ4ZZ")]
    cases = [
        make_case(
            "a",
            "A laparoscopic appendectomy was done.",
            [("laparoscopic appendectomy", "Therapeutic_procedure", Assertion.PRESENT, appendix)],
        ),
        make_case(
            "b",
            "The appendix resection went well.",
            [("appendix resection", "Therapeutic_procedure", Assertion.PRESENT, appendix)],
        ),
    ]
    rows = tally([(case.id, reader.treatments(case)) for case in cases])
    assert [row.cases for row in rows] == [["a", "b"]]


def test_blood_patch_followed_by_improvement_is_improved(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "A blood patch was performed, following which the patient reported improvement in "
        "symptoms.",
        [("blood patch", "Therapeutic_procedure"), ("improvement", "Outcome")],
    )
    case = case.model_copy(
        update={"relations": [Relation(type="outcome_of", source="m2", target="m1")]}
    )
    (patch,) = reader.treatments(case)
    assert patch.outcome is Outcome.IMPROVED


def test_an_outcome_the_relation_ties_before_the_treatment_counts(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    text = "Her headache resolved after caffeine."
    mentions = [("headache", "Sign_symptom"), ("caffeine", "Medication")]
    plain = make_case("c", text, mentions)
    assert [t.outcome for t in reader.treatments(plain)] == [Outcome.UNKNOWN]
    related = plain.model_copy(
        update={"relations": [Relation(type="treated_by", source="m1", target="m2")]}
    )
    assert [t.outcome for t in reader.treatments(related)] == [Outcome.RESOLVED]


def test_words_describing_the_finding_before_treatment_are_not_its_outcome(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "Her headache, which had persisted for several long days, was treated with caffeine.",
        [("headache", "Sign_symptom"), ("caffeine", "Medication")],
    )
    case = case.model_copy(
        update={"relations": [Relation(type="treated_by", source="m1", target="m2")]}
    )
    assert [t.outcome for t in reader.treatments(case)] == [Outcome.UNKNOWN]


def test_the_synonym_table_names_each_key_once(tmp_path: Path) -> None:
    table = tmp_path / "treatment_synonyms.json"
    base = '{"version": "1", "modifiers": [], "trailing": [], "groupable_suffixes": [], '
    table.write_text(
        base + '"concepts": [{"name": "IVIG", "synonyms": ["immunoglobulin"]}, '
        '{"name": "immune globulin", "synonyms": ["Immunoglobulins"]}]}',
        encoding="utf-8",
    )
    with pytest.raises(CasebookError) as caught:
        load_rules(table, TreatmentSynonyms)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    # A plural or hyphen variant of a listed name is found by normalisation: no entry for it.
    table.write_text(
        base + '"concepts": [{"name": "blood patch", "synonyms": ["blood-patches"]}]}',
        encoding="utf-8",
    )
    with pytest.raises(CasebookError):
        load_rules(table, TreatmentSynonyms)


SYNONYMS = [
    words
    for concept in load_treatment_synonyms().concepts
    for words in (concept.name, *concept.synonyms)
]


def _variant(words: str, upper: list[bool], hyphenate: bool, plural: bool, modifier: str) -> str:
    padded = upper + [False] * len(words)
    varied = "".join(
        c.upper() if up else c for c, up in zip(words, padded[: len(words)], strict=True)
    )
    if hyphenate:
        varied = varied.replace(" ", "-")
    last = varied.replace("-", " ").split(" ")[-1]
    if (
        plural
        and len(last) >= 3
        and last.isalpha()
        and not last.lower().endswith(("s", "y", "a", "i", "o", "u"))
    ):
        varied += "s"
    return f"{modifier} {varied}".strip()


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SYNONYMS),
    st.lists(st.booleans(), max_size=40),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", "intravenous", "high-dose", "oral", "emergency"]),
)
def test_case_hyphens_plurals_and_modifiers_never_change_a_concept(
    names: TreatmentNames,
    words: str,
    upper: list[bool],
    hyphenate: bool,
    plural: bool,
    modifier: str,
) -> None:
    """Every listed name, written any of the ways case reports vary it, is its concept."""
    name = names.name(_variant(words, upper, hyphenate, plural, modifier))
    assert name.name is not None
    assert name.key == normalize_alias(name.name)
    assert name.name == names.name(words).name


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(SYNONYMS[:60] + ["removed", "CT scan", "warfarin", "cholecystectomy"]),
            st.sampled_from(list(Outcome)),
        ),
        max_size=12,
    )
)
def test_a_case_counts_once_per_row_and_every_cell_is_a_counted_case(
    reader: OutcomeReader, given_treatments: list[tuple[str, str, Outcome]]
) -> None:
    by_case: dict[str, list[TreatmentOutcome]] = {}
    for case_id, words, outcome in given_treatments:
        name = reader.finder.names.name(words)
        by_case.setdefault(case_id, []).append(
            TreatmentOutcome(name.key, words, Span(start=0, end=1), outcome, None, name.name)
        )
    rows = tally(list(by_case.items()))
    assert len({row.treatment for row in rows}) == len(rows)
    for row in rows:
        assert len(set(row.cases)) == len(row.cases)
        cells = [case_id for ids in row.outcomes.values() for case_id in ids]
        assert sorted(cells) == sorted(row.cases)


def test_a_treatment_filter_finds_the_concept_under_any_of_its_names(
    make_case: CaseBuilder,
) -> None:
    cases = [
        make_case("a", "Intravenous immunoglobulin was given.", [("immunoglobulin", "Medication")]),
        make_case(
            "b", "A lumbar blood patch was done.", [("lumbar blood patch", "Therapeutic_procedure")]
        ),
        make_case("c", "A CT scan was done.", [("CT scan", "Therapeutic_procedure")]),
    ]
    index = CaseIndex.build(cases)
    found = {
        words: [index.ids[i] for i, ok in enumerate(mask) if ok]
        for words in ("IVIG", "blood-patch", "CT scan")
        if (mask := index.allowed(SearchFilters(procedure=words))) is not None
    }
    assert found == {"IVIG": ["a"], "blood-patch": ["b"], "CT scan": []}


def test_a_surgical_service_that_was_consulted_is_no_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder
) -> None:
    consulted = make_case(
        "c", "General surgery was consulted.", [("General surgery", "Therapeutic_procedure")]
    )
    assert keys(finder, consulted) == []
    done = make_case(
        "c", "He underwent general surgery.", [("general surgery", "Therapeutic_procedure")]
    )
    assert keys(finder, done) != []


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("She was born by spontaneous vaginal delivery at term.", "vaginal delivery"),
        ("Oral feeding was started two days later.", "Oral feeding"),
        ("The karyotype by amniocentesis was 46,XX.", "amniocentesis"),
    ],
)
def test_a_birth_a_meal_or_a_sample_is_no_treatment(
    finder: TreatmentFinder, make_case: CaseBuilder, sentence: str, words: str
) -> None:
    # The tally of similar cases listed "vaginal delivery" and "feeding" among treatments.
    assert keys(finder, make_case("c", sentence, [(words, "Therapeutic_procedure")])) == []
    assert not finder.names_treatment(words, typed=True)


@pytest.mark.parametrize(
    ("sentence", "words", "codes"),
    [
        ("He was born by cesarean section at term.", "cesarean section", [(PCS, "10D0")]),
        ("She had a caesarean delivery 6 years ago.", "caesarean delivery", []),
        ("A low transverse caesarean section was performed.", "caesarean section", []),
    ],
)
def test_a_caesarean_section_is_a_birth_no_treatment(
    finder: TreatmentFinder,
    make_case: CaseBuilder,
    sentence: str,
    words: str,
    codes: list[tuple[CodeSystem, str]],
) -> None:
    # The tally of similar cases listed "cesarean section" among treatments: how a patient or
    # a patient's child was born.
    case = make_case("c", sentence, [(words, "Therapeutic_procedure", Assertion.PRESENT, codes)])
    assert keys(finder, case) == []  # was ["cesarean section"]
    assert not finder.treats("10D00Z1")


def test_what_follows_a_birth_is_no_earlier_treatments_outcome(
    reader: OutcomeReader, make_case: CaseBuilder
) -> None:
    case = make_case(
        "c",
        "She was placed on parenteral nutrition. A caesarean section was performed. Her pain "
        "resolved.",
        [
            ("parenteral nutrition", "Therapeutic_procedure"),
            ("caesarean section", "Therapeutic_procedure"),
        ],
    )
    assert [(t.text, t.outcome) for t in reader.treatments(case)] == [
        ("parenteral nutrition", Outcome.UNKNOWN)  # the birth's outcome, not the nutrition's
    ]


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("The pain was dull, with radiation to the left shoulder.", []),  # was radiotherapy
        ("He was treated with radiation to the L3 lesion using 50 Gy.", ["radiotherapy"]),
    ],
)
def test_radiation_to_a_place_without_a_dose_is_a_pains_spread(
    finder: TreatmentFinder, make_case: CaseBuilder, sentence: str, found: list[str]
) -> None:
    case = make_case("c", sentence, [("radiation", "Therapeutic_procedure")])
    assert keys(finder, case) == found


def test_retained_products_of_conception_are_still_treated(finder: TreatmentFinder) -> None:
    assert finder.treats("10D17ZZ")


def test_a_word_that_only_ends_like_a_drug_names_no_treatment(finder: TreatmentFinder) -> None:
    assert (finder.names_treatment("cauda equine"), finder.names_treatment("chloroquine")) == (
        False,
        True,
    )
