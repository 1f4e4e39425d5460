"""Concept search: facts with polarity, code hierarchies, rare concepts weighing more."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.kb.base import Concept, KnowledgeBase
from casebook.model import Assertion, Case, CodeSystem
from casebook.search.concepts import (
    ConceptIndex,
    Fact,
    FactExtractor,
    fact_vector,
    hpo_ancestors,
    prefix_ancestors,
)
from casebook.search.settings import load_search_settings

CaseBuilder = Callable[..., Case]

HPO_SLICE = KnowledgeBase(
    [
        Concept("HP:0000118", "Phenotypic abnormality"),
        Concept("HP:0000707", "Abnormality of the nervous system", (), ("HP:0000118",)),
        Concept("HP:0012638", "Abnormal nervous system physiology", (), ("HP:0000707",)),
        Concept("HP:0002315", "Headache", (), ("HP:0012638",)),
        Concept("HP:0001945", "Fever", (), ("HP:0000118",)),
    ],
    CodeSystem.HPO,
)


@pytest.fixture
def extractor() -> FactExtractor:
    return FactExtractor(load_search_settings().concepts, hpo=HPO_SLICE)


def test_prefix_ancestors() -> None:
    assert prefix_ancestors("G96.00") == ["G96.0", "G96"]
    assert prefix_ancestors("R51") == []
    assert prefix_ancestors("R51.9") == ["R51"]
    assert prefix_ancestors("3E0R3GC") == ["3E0R3G", "3E0R3", "3E0R", "3E0"]


def test_hpo_ancestors_with_distances() -> None:
    assert hpo_ancestors(HPO_SLICE, "HP:0002315", 2) == [("HP:0012638", 1), ("HP:0000707", 2)]
    assert hpo_ancestors(HPO_SLICE, "HP:0002315", 9)[-1] == ("HP:0000118", 3)
    assert hpo_ancestors(HPO_SLICE, "HP:9999999", 3) == []


def test_facts_carry_polarity_and_ancestors(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    case = make_case(
        "c",
        "Severe headaches but no fever. Mother had migraine. Lumbar puncture was done.",
        [
            ("headaches", "Sign_symptom", Assertion.PRESENT, [(CodeSystem.HPO, "HP:0002315")]),
            ("fever", "Sign_symptom", Assertion.NEGATED),
            ("migraine", "Disease_disorder", Assertion.FAMILY),
            ("Lumbar puncture", "Diagnostic_procedure"),
        ],
        codes=[
            (CodeSystem.ICD10CM, "G96.00", 0.9, "headaches"),
            (CodeSystem.ICD10CM, "R52", 0.1, "Severe", False),
        ],
    )
    vector = fact_vector(extractor.facts(case))
    # Words normalised (plural stripped); a negated finding keyed apart; family history left
    # out; a case code the case does not show (below its calibrated threshold) left out.
    assert vector["+finding:headache"] == 1.0
    assert vector["-finding:fever"] == 1.0
    assert "+finding:fever" not in vector
    assert not any("migraine" in key for key in vector)
    assert vector["+test:lumbar puncture"] == 0.5
    assert "+icd10cm:R52" not in vector
    # Codes with their ancestors, discounted 0.5 per level.
    assert vector["+icd10cm:G96.00"] == 1.0
    assert vector["+icd10cm:G96.0"] == 0.5
    assert vector["+icd10cm:G96"] == 0.25
    assert vector["+hpo:HP:0002315"] == 1.0
    assert vector["+hpo:HP:0012638"] == 0.5
    assert vector["+hpo:HP:0000118"] == 0.125
    # The facts point at the words that state them.
    headache = next(f for f in extractor.facts(case) if f.key == "finding:headache")
    ((start, end),) = headache.spans
    assert case.text[start:end] == "headaches"
    # Stated facts round-trip through JSON; their ancestors are derived again.
    stated = extractor.stated(case)
    again = [Fact.from_json(f.to_json()) for f in stated]
    assert fact_vector(extractor.expand(again)) == vector


KEYS = ["finding:headache", "icd10cm:G96.00", "icd10cm:G96.0", "icd10pcs:3E0R3GC"]
KEYS += ["hpo:HP:0002315", "hpo:HP:0012638", "hpo:HP:0001945"]
FACTS = st.builds(
    Fact,
    key=st.sampled_from(KEYS),
    negated=st.booleans(),
    depth=st.just(0),
    weight=st.sampled_from([0.1, 0.25, 0.5, 0.7, 1.0]),
    label=st.just(""),
    spans=st.just(((0, 1),)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(FACTS, max_size=8), st.sampled_from([0.0, 0.5, 0.7]))
def test_a_vector_is_that_of_the_facts_with_their_ancestors(
    stated: list[Fact], discount: float
) -> None:
    """Keys, weights and key order as the expanded facts give them (the order is stored)."""
    concepts = load_search_settings().concepts.model_copy(update={"ancestor_discount": discount})
    extractor = FactExtractor(concepts, hpo=HPO_SLICE)
    expected = fact_vector(extractor.expand(stated))
    assert list(extractor.vector(stated).items()) == list(expected.items())


def _idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def test_pinned_scores_and_polarity() -> None:
    vectors = [
        {"+finding:fever": 1.0, "+finding:rash": 1.0},
        {"-finding:fever": 1.0, "+finding:rash": 1.0},
        {"+finding:cough": 1.0},
    ]
    index = ConceptIndex.build(vectors, idf_power=1.0)
    scores = index.scores({"+finding:fever": 1.0, "+finding:rash": 0.5})
    # Case 0: fever (df 1) + rash (df 2) at query weight 0.5. Case 1 says no fever: only rash.
    assert scores[0] == pytest.approx(_idf(1, 3) + 0.5 * _idf(2, 3), rel=1e-6)
    assert scores[1] == pytest.approx(0.5 * _idf(2, 3), rel=1e-6)
    assert scores[2] == 0
    # A negated query fact finds the case that negates it, not the one that has it.
    negated = index.scores({"-finding:fever": 1.0})
    assert negated[1] > 0 and negated[0] == 0


def test_rare_concepts_weigh_more() -> None:
    common = {"+finding:pain": 1.0}
    vectors = [dict(common) for _ in range(8)] + [{"+finding:pain": 1.0, "+finding:csf leak": 1.0}]
    vectors[0]["+finding:csf leak"] = 1.0
    vectors.append({"+finding:csf leak": 1.0})
    index = ConceptIndex.build(vectors, idf_power=1.0)
    assert index.key_weight("+finding:csf leak") > index.key_weight("+finding:pain")
    scores = index.scores({"+finding:pain": 1.0, "+finding:csf leak": 1.0})
    # The case sharing only the rare fact beats those sharing only the common one.
    assert scores[9] > scores[1]


def test_a_code_query_reaches_its_descendants(
    make_case: CaseBuilder, extractor: FactExtractor
) -> None:
    stored = [
        make_case(
            "leak",
            "Headache after puncture.",
            codes=[(CodeSystem.ICD10CM, "G96.00", 0.9, "Headache")],
        ),
        make_case("other", "Cough and fever.", codes=[(CodeSystem.ICD10CM, "R05.9", 0.9, "Cough")]),
    ]
    index = ConceptIndex.build([fact_vector(extractor.facts(c)) for c in stored], 1.0)
    query = make_case("q", "CSF leak.", codes=[(CodeSystem.ICD10CM, "G96.0", 0.9, "CSF leak")])
    scores = index.scores(fact_vector(extractor.facts(query)))
    assert scores[0] > 0 and scores[1] == 0
    assert set(index.cases_with("+icd10cm:G96.0").tolist()) == {0}


def test_save_and_load(tmp_path: Path) -> None:
    index = ConceptIndex.build([{"+a:x": 1.0}, {"+a:x": 0.5, "-a:y": 1.0}], idf_power=2.0)
    index.save(tmp_path)
    loaded = ConceptIndex.load(tmp_path)
    query = {"+a:x": 1.0, "-a:y": 1.0}
    assert loaded.scores(query).tolist() == index.scores(query).tolist()
    assert loaded.idf_power == 2.0


def test_length_normalisation() -> None:
    # Case 1 shares the query's fact but lists many others; with the cosine's normalisation
    # (length_norm 1) the short case sharing the same fact scores higher.
    vectors = [
        {"+finding:leak": 1.0},
        {"+finding:leak": 1.0, "+finding:a": 1.0, "+finding:b": 1.0, "+finding:c": 1.0},
        {"+finding:d": 1.0},
    ]
    plain = ConceptIndex.build(vectors, idf_power=1.0).scores({"+finding:leak": 1.0})
    assert plain[0] == plain[1]
    normed = ConceptIndex.build(vectors, idf_power=1.0, length_norm=1.0)
    scores = normed.scores({"+finding:leak": 1.0})
    leak, other = _idf(2, 3), _idf(1, 3)
    assert scores[0] == pytest.approx(1.0, rel=1e-6)  # leak·1 / |leak|
    assert scores[1] == pytest.approx(leak / math.sqrt(leak**2 + 3 * other**2), rel=1e-6)
