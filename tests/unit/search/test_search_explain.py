"""Explanations: shared facts with their words in both cases, and the facts that differ."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casebook.kb.base import Concept, KnowledgeBase
from casebook.model import Assertion, Case, CodeSystem
from casebook.search.concepts import Fact, FactExtractor
from casebook.search.explain import explain
from casebook.search.settings import load_search_settings

CaseBuilder = Callable[..., Case]

WEIGHTS = {"+finding:cerebrospinal fluid leak": 4.0, "+finding:headache": 1.0}


def weight(key: str) -> float:
    """A stand-in idf: the leak is rare, everything else common."""
    return WEIGHTS.get(key, 2.0 if "fever" in key else 1.0)


def _facts(case: Case, extractor: FactExtractor) -> tuple[str, list[Fact]]:
    return case.text, extractor.facts(case)


@pytest.fixture
def extractor() -> FactExtractor:
    return FactExtractor(
        load_search_settings().concepts, hpo=KnowledgeBase([Concept("HP:1", "x")], CodeSystem.HPO)
    )


def test_matched_and_differing_facts(make_case: CaseBuilder, extractor: FactExtractor) -> None:
    query = make_case(
        "q",
        "Headache and a CSF leak after biopsy. She had a fever.",
        [("Headache", "Sign_symptom"), ("CSF leak", "Disease_disorder"), ("fever", "Sign_symptom")],
    )
    query.mentions[1].expansion = "cerebrospinal fluid leak"
    hit = make_case(
        "h",
        "A cerebrospinal fluid leak with severe headache. There was no fever. Nausea too.",
        [
            ("cerebrospinal fluid leak", "Disease_disorder"),
            ("headache", "Sign_symptom"),
            ("fever", "Sign_symptom", Assertion.NEGATED),
            ("Nausea", "Sign_symptom"),
        ],
    )
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    # Shared facts, rarest first, each with the words of both cases and their offsets.
    assert [m.concept for m in why.matched] == [
        "finding:cerebrospinal fluid leak",
        "finding:headache",
    ]
    leak = why.matched[0]
    assert leak.weight == 4.0 and leak.assertion == "present"
    assert [(w.text, w.start, w.end) for w in leak.query] == [("CSF leak", 15, 23)]
    assert [(w.text, w.start, w.end) for w in leak.hit] == [("cerebrospinal fluid leak", 2, 26)]
    # A fact one case has and the other negates comes first among the differences.
    first = why.differs[0]
    assert (first.concept, first.side, first.assertion, first.other) == (
        "finding:fever",
        "query",
        "present",
        "negated",
    )
    assert [w.text for w in first.other_words] == ["fever"]
    # Absent facts follow, from either side.
    absent = {(d.concept, d.side, d.other) for d in why.differs[1:]}
    assert ("finding:nausea", "hit", "absent") in absent


def test_words_that_state_a_shared_fact_state_no_difference(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    query = make_case(
        "q",
        "There was mitral regurgitation.",
        [("mitral regurgitation", "Disease_disorder")],
        codes=[(CodeSystem.ICD10CM, "I34.0", 0.9, "mitral regurgitation")],
    )
    hit = make_case("h", "Mitral regurgitation.", [("Mitral regurgitation", "Disease_disorder")])
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    assert [m.concept for m in why.matched] == ["finding:mitral regurgitation"]
    assert why.differs == []


def test_a_denial_against_silence_is_no_difference(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    query = make_case(
        "q",
        "Endocarditis. An earlier study showed no valvular damage.",
        [
            ("Endocarditis", "Disease_disorder"),
            ("valvular damage", "Sign_symptom", Assertion.NEGATED),
        ],
    )
    hit = make_case(
        "h",
        "Endocarditis with fever.",
        [("Endocarditis", "Disease_disorder"), ("fever", "Sign_symptom")],
    )
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    assert [(d.concept, d.side) for d in why.differs] == [("finding:fever", "hit")]


def test_a_fact_a_case_states_both_ways_is_no_difference(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    query = make_case(
        "q",
        "Eculizumab was given. No relapse on eculizumab cessation.",
        [("Eculizumab", "Medication"), ("eculizumab", "Medication", Assertion.NEGATED)],
    )
    hit = make_case("h", "Eculizumab was given.", [("Eculizumab", "Medication")])
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    assert [m.assertion for m in why.matched] == ["present"]
    assert why.differs == []


def test_limits_and_no_repeats(make_case: CaseBuilder, extractor: FactExtractor) -> None:
    query = make_case(
        "q",
        "Headache.",
        [("Headache", "Sign_symptom")],
        codes=[(CodeSystem.ICD10CM, "G44.1", 0.9, "Headache")],
    )
    hit = make_case(
        "h",
        "Headache.",
        [("Headache", "Sign_symptom")],
        codes=[(CodeSystem.ICD10CM, "G44.1", 0.9, "Headache")],
    )
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight, 5, 5)
    # The code and its ancestor G44 are stated by the same words as the finding: shown once.
    assert len(why.matched) == 1 and not why.differs
    assert explain(_facts(query, extractor), _facts(hit, extractor), weight, 0).matched == []


def test_words_that_are_no_fact_about_the_patient_are_never_shown(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    query = make_case("q", "Headache after a fall.", [("Headache", "Sign_symptom")])
    hit = make_case(
        "h",
        "Headache. He used a stonemason pencil.",
        [("Headache", "Sign_symptom"), ("stonemason pencil", "Therapeutic_procedure")],
    )
    # The concept gate read "stonemason pencil" as naming no treatment: no fact about him.
    hit.mentions[1].patient_fact = False
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    assert [m.concept for m in why.matched] == ["finding:headache"]
    assert all("stonemason" not in d.concept for d in why.differs)
    # It still counts where cases are scored: the extractor keeps it, unshown.
    assert any(not f.shown for f in extractor.facts(hit))


def test_a_fact_not_shown_survives_the_index_round_trip() -> None:
    fact = Fact("treatment:stonemason pencil", False, 0, 1.0, "stonemason pencil", ((0, 9),), False)
    assert Fact.from_json(fact.to_json()) == fact
    shown = Fact("finding:headache", False, 0, 1.0, "Headache", ((0, 8),))
    assert len(shown.to_json()) == 5 and Fact.from_json(shown.to_json()) == shown


def test_a_shared_category_is_shown_by_its_title(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    query = make_case(
        "q",
        "Popliteal vein thrombosis.",
        [("Popliteal vein thrombosis", "Disease_disorder")],
        codes=[(CodeSystem.ICD10CM, "I82.431", 0.9, "Popliteal vein thrombosis")],
    )
    hit = make_case(
        "h",
        "Femoral vein thrombosis.",
        [("Femoral vein thrombosis", "Disease_disorder")],
        codes=[(CodeSystem.ICD10CM, "I82.411", 0.9, "Femoral vein thrombosis")],
    )
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    # The two cases meet on the category both codes fall under, named as ICD-10-CM names it.
    shared = next(m for m in why.matched if m.concept == "icd10cm:I82.4")
    assert shared.label == "Acute embolism and thrombosis of deep veins of lower extremity"


def test_the_root_every_phenotype_shares_explains_nothing(make_case: CaseBuilder) -> None:
    hpo = KnowledgeBase(
        [
            Concept("HP:0000118", "Phenotypic abnormality"),
            Concept("HP:0012531", "Pain", parents=("HP:0000118",)),
            Concept("HP:0002664", "Neoplasm", parents=("HP:0000118",)),
        ],
        CodeSystem.HPO,
    )
    extractor = FactExtractor(load_search_settings().concepts, hpo=hpo)
    query = make_case(
        "q",
        "Pain.",
        [("Pain", "Sign_symptom")],
        codes=[(CodeSystem.HPO, "HP:0012531", 0.9, "Pain")],
    )
    hit = make_case(
        "h",
        "A tumor.",
        [("tumor", "Disease_disorder")],
        codes=[(CodeSystem.HPO, "HP:0002664", 0.9, "tumor")],
    )
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    assert "hpo:HP:0000118" not in [m.concept for m in why.matched]


def test_a_treatment_whose_words_the_other_case_holds_is_no_difference(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    query = make_case(
        "q",
        "Transcatheter arterial embolization for shock. We performed TAE for the bleeding.",
        [("TAE", "Therapeutic_procedure"), ("bleeding", "Sign_symptom")],
    )
    hit = make_case(
        "h",
        "The bleeding stopped after transcatheter arterial embolization.",
        [
            ("bleeding", "Sign_symptom"),
            ("transcatheter arterial embolization", "Therapeutic_procedure"),
        ],
    )
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    assert "treatment:transcatheter arterial embolization" not in {d.concept for d in why.differs}


def test_words_shown_against_an_opposite_statement_tell_no_absence(
    make_case: CaseBuilder,
) -> None:
    hpo = KnowledgeBase([Concept("HP:0031244", "Swollen lip")], CodeSystem.HPO)
    extractor = FactExtractor(load_search_settings().concepts, hpo=hpo)
    query = make_case(
        "q", "There was no swelling.", [("swelling", "Sign_symptom", Assertion.NEGATED)]
    )
    hit = make_case(
        "h",
        "She had swelling of the lips.",
        [("swelling", "Sign_symptom")],
        codes=[(CodeSystem.HPO, "HP:0031244", 0.9, "swelling")],
    )
    why = explain(_facts(query, extractor), _facts(hit, extractor), weight)
    assert [(d.concept, d.other) for d in why.differs] == [("finding:swelling", "present")]
