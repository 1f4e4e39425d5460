"""The learned fusion: features of what the index holds, a linear score, weights fitted by
coordinate ascent (Metzler and Croft 2007) that rank the judged cases first."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from casebook.model import Assertion, Case, Sex
from casebook.resources import resource_path
from casebook.search.concepts import ConceptIndex
from casebook.search.hybrid import CaseIndex
from casebook.search.learned import (
    CandidateScores,
    JudgedQuery,
    better_on,
    candidate_features,
    feature_names,
    fit_coordinate_ascent,
    linear_scores,
    mean_objective,
    min_max,
    patient_features,
    ranking,
)
from casebook.search.precedent import find_precedent
from casebook.search.settings import (
    FusionModel,
    SearchSettings,
    load_fusion_model,
    load_search_settings,
)
from casebook.train.fusion import judged_queries, starting_weights

from .conftest import CaseBuilder

BOUNDS = [0.0833, 1, 12, 18, 65]


def test_min_max_counts_nothing_outside_the_searchers_best() -> None:
    best = np.array([4.0, 2.0])
    assert min_max(np.array([4.0, 3.0, 2.0, 1.0]), best).tolist() == [1.0, 0.5, 0.0, 0.0]
    # All of the best alike: each case reaching them counts fully.
    assert min_max(np.array([2.0, 1.0]), np.array([2.0])).tolist() == [1.0, 0.0]


def test_patient_features_reward_the_same_kind_of_patient_and_ignore_the_unsaid() -> None:
    ages = np.array([58.0, 70.0, 2.0, np.nan])
    sexes = np.array(["female", "male", "female", ""], dtype=object)
    features = patient_features(56, "female", ages, sexes, BOUNDS, 18)
    assert features[:, 0].tolist() == [1.0, 0.5, 0.0, 0.0]
    assert features[:, 1].tolist() == [1.0, 0.0, 1.0, 0.0]
    # An adult beside an adult, a child apart, whatever their age groups.
    assert features[:, 2].tolist() == [1.0, 1.0, 0.0, 0.0]
    child = patient_features(5, None, ages, sexes, BOUNDS, 18)
    assert child[:, 2].tolist() == [0.0, 0.0, 1.0, 0.0]
    assert not patient_features(None, None, ages, sexes, BOUNDS, 18).any()


def test_features_are_normalised_per_query_in_their_named_order() -> None:
    scores = CandidateScores(
        text=np.array([10.0, 5.0]),
        text_best=np.array([10.0, 5.0]),
        concepts=np.array([1.0, 3.0]),
        concepts_best=np.array([3.0, 1.0]),
        groups=np.array([[1.0, 0.0], [2.0, 1.0]]),
        title=np.array([2.0, 4.0]),
        title_covered=np.array([0.25, 1.0]),
        patient=np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]),
    )
    features = candidate_features(scores)
    names = ("text", "concepts", "finding", "hpo", "title", "title_covered", "age", "sex", "stage")
    assert feature_names(["finding", "hpo"]) == names
    # The title's coverage is a share already: it is not normalised again.
    assert features.tolist() == [
        [1.0, 0.0, 0.5, 0.0, 0.5, 0.25, 1.0, 0.0, 1.0],
        [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0],
    ]
    assert linear_scores(features, np.array([1, 0, 0, 0, 0, 0, 0, 0, 0.0])).tolist() == [1.0, 0.0]


def test_ties_go_to_the_earlier_case() -> None:
    assert ranking(np.array([1.0, 2.0, 2.0]), np.array([9, 5, 3])) == [2, 1, 0]


def _query(features: list[list[float]], grades: list[float]) -> JudgedQuery:
    return JudgedQuery(
        features=np.array(features),
        grades=np.array(grades),
        tie=np.arange(len(grades)),
        ideal=tuple(g for g in grades if g > 0),
    )


def test_a_refit_that_ranks_worse_than_the_weights_before_keeps_those() -> None:
    # The first feature finds the relevant case; the second does not.
    queries = [_query([[1.0, 0.0], [0.0, 1.0]], [1.0, 0.0])]
    finding, missing = np.array([2.0, 0.0]), np.array([0.0, 1.0])
    kept, was_kept = better_on(queries, missing, finding)
    assert was_kept and kept.tolist() == [1.0, 0.0]
    weights, was_kept = better_on(queries, finding, missing)
    assert weights is finding and not was_kept
    weights, was_kept = better_on(queries, missing, None)
    assert weights is missing and not was_kept


def test_coordinate_ascent_moves_the_weight_to_the_feature_that_finds_the_relevant_case() -> None:
    # The first feature prefers a wrong case in every query; the second the relevant one.
    queries = [
        _query([[1.0, 0.0], [0.6, 1.0], [0.5, 0.2]], [0, 1, 0]),
        _query([[0.9, 0.1], [0.8, 0.9], [1.0, 0.0]], [0, 2, 0]),
    ]
    start = np.array([1.0, 0.0])
    weights = fit_coordinate_ascent(queries, start)
    assert mean_objective(queries, weights) == 1.0 > mean_objective(queries, start)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[1] > 0


def test_floors_hold_whatever_the_data_says() -> None:
    queries = [_query([[1.0, 0.0], [0.0, 1.0]], [1, 0])]
    weights = fit_coordinate_ascent(queries, np.array([1.0, 1.0]), np.array([0.0, 0.1]))
    assert weights[1] >= 0.1 - 1e-12
    assert ranking(linear_scores(queries[0].features, weights))[0] == 0


@settings(max_examples=30, deadline=None)
@given(
    arrays(np.float64, (3, 4, 2), elements=st.floats(0, 1)),
    st.lists(st.integers(0, 3), min_size=3, max_size=3),
)
def test_the_fit_never_ends_worse_than_it_starts(features: np.ndarray, relevant: list[int]) -> None:
    queries = [
        _query(f.tolist(), [1.0 if i == r else 0.0 for i in range(4)])
        for f, r in zip(features, relevant, strict=True)
    ]
    start = np.array([1.0, 0.2])
    weights = fit_coordinate_ascent(queries, start)
    assert (weights >= 0).all()
    assert weights.sum() == pytest.approx(1.0)
    assert mean_objective(queries, weights) >= mean_objective(queries, start / start.sum())


EMBOLISM = "Pulmonary embolism with dyspnea and chest pain, treated with anticoagulation."
EMBOLISM_FACTS = [
    ("Pulmonary embolism", "Disease_disorder", Assertion.PRESENT),
    ("dyspnea", "Sign_symptom", Assertion.PRESENT),
]


def _words_against_facts(make_case: CaseBuilder) -> list[Case]:
    # Each query's words are shared most by a case that states none of its facts; the relevant
    # case states them, among other words.
    fever = "Fever and rash after a tick bite, treated with doxycycline."
    return [
        make_case("q1", EMBOLISM, EMBOLISM_FACTS),
        make_case("words1", "Pulmonary embolism suspected, chest pain, anticoagulation, dyspnea."),
        make_case(
            "right1",
            "A long stay on the ward with a cough, then pulmonary embolism and dyspnea.",
            [("pulmonary embolism", "Disease_disorder"), ("dyspnea", "Sign_symptom")],
        ),
        make_case("q2", fever, [("Fever", "Sign_symptom"), ("rash", "Sign_symptom")]),
        make_case("words2", "Fever suspected after a tick bite, rash, doxycycline."),
        make_case(
            "right2",
            "A long stay on the ward with a cough, then fever and a rash.",
            [("fever", "Sign_symptom"), ("rash", "Sign_symptom")],
        ),
    ]


def test_refitting_on_a_tiny_judged_set_ranks_the_relevant_case_first(
    make_case: CaseBuilder,
) -> None:
    cases = _words_against_facts(make_case)
    index = CaseIndex.build(cases)
    articles = [_Patient(c.id, c.id) for c in cases]
    judged = {"q1": {"right1": 1}, "q2": {"right2": 1}}
    queries = judged_queries(index, articles, judged)
    names = index.features
    start = np.array([starting_weights(load_search_settings()).get(n, 0.0) for n in names])
    index.use_model(_model(dict(zip(names, start.tolist(), strict=True))))
    first = [index.search(index.stored_query(q), 1, exclude=[q])[0].id for q in ("q1", "q2")]
    assert first == ["words1", "words2"]  # the starting weights follow the words
    weights = fit_coordinate_ascent(queries, start)
    index.use_model(_model(dict(zip(names, weights.tolist(), strict=True))))
    for query_id, relevant in (("q1", "right1"), ("q2", "right2")):
        hits = index.search(index.stored_query(query_id), 3, exclude=[query_id])
        assert hits[0].id == relevant


class _Patient:
    def __init__(self, uid: str, pmid: str) -> None:
        self.uid = uid
        self.pmid = pmid


def _model(weights: dict[str, float]) -> FusionModel:
    packaged = load_fusion_model()
    return packaged.model_copy(update={"weights": weights})


def _titles_apart() -> SearchSettings:
    """The packaged settings with the titles left out of the text index, so that only the
    title features read them."""
    packaged = load_search_settings()
    return packaged.model_copy(
        update={"text": packaged.text.model_copy(update={"title_repeats": 0})}
    )


def _titled(make_case: CaseBuilder) -> tuple[CaseIndex, Case]:
    """Two stored cases with the same text, one titled with the query's diagnosis; the text
    index leaves the titles out, so that only the ``title`` feature tells the two apart."""
    settings = _titles_apart()
    text = "A man had dyspnea after a long flight and a pulmonary embolism."
    stored = [
        make_case("a", text, title="Dyspnea after a long flight"),
        make_case("b", text, title="Pulmonary embolism after a long flight"),
        make_case("c", "A man had a cough."),
    ]
    query = make_case(
        "q",
        "A man had a pulmonary embolism with dyspnea.",
        [("pulmonary embolism", "Disease_disorder"), ("dyspnea", "Sign_symptom")],
    )
    return CaseIndex.build([*stored, query], settings), query


def test_a_case_whose_title_names_the_query_diagnosis_ranks_above_one_sharing_only_words(
    make_case: CaseBuilder,
) -> None:
    index, query = _titled(make_case)
    found = index.search(index.query(query), 3, exclude=["q"])
    assert [hit.id for hit in found] == ["b", "a", "c"]
    # Without the title features the two texts tie, and the earlier id comes first.
    index.use_model(_model(load_fusion_model().weights | {"title": 0.0, "title_covered": 0.0}))
    found = index.search(index.query(query), 3, exclude=["q"])
    assert [hit.id for hit in found] == ["a", "b", "c"]


def test_a_case_whose_whole_title_the_query_text_names_ranks_above_one_sharing_only_words(
    make_case: CaseBuilder,
) -> None:
    settings = _titles_apart()
    text = "A pilot had dyspnea after a long flight and a pulmonary embolism."
    stored = [
        make_case("a", text, title="Dyspnea in a pilot with asthma"),
        make_case("b", text, title="Pulmonary embolism after a long flight"),
    ]
    # No mention typed as the query's diagnosis: the ``title`` feature cannot tell them apart.
    query = make_case("q", "A woman had a pulmonary embolism after a long flight.")
    index = CaseIndex.build([*stored, query], settings)
    found = index.search(index.query(query), 2, exclude=["q"])
    assert [hit.id for hit in found] == ["b", "a"]
    index.use_model(_model(load_fusion_model().weights | {"title_covered": 0.0}))
    found = index.search(index.query(query), 2, exclude=["q"])
    assert [hit.id for hit in found] == ["a", "b"]
    # The hit's explanation names the words of its title the query uses, as the title writes them.
    index.use_model(load_fusion_model())
    similar = find_precedent(index, index.stored_query("q"), 2).similar
    assert [hit.title_words for hit in similar] == [
        ["Pulmonary", "embolism", "after", "long", "flight"],
        [],
    ]


def test_only_diagnoses_the_query_patient_has_search_the_titles(make_case: CaseBuilder) -> None:
    index, _ = _titled(make_case)
    text = "A man had no pulmonary embolism but dyspnea."
    denied = make_case(
        "q2",
        text,
        [
            ("pulmonary embolism", "Disease_disorder", Assertion.NEGATED),
            ("dyspnea", "Sign_symptom"),
        ],
    )
    query = index.query(denied)
    assert query.title_query == ""
    # The title's coverage reads every word of the query, as BM25 does: set aside here.
    index.use_model(_model(load_fusion_model().weights | {"title_covered": 0.0}))
    assert [hit.id for hit in index.search(query, 2, exclude=["q"])] == ["a", "b"]


def test_a_stored_query_searches_the_titles_as_the_analysed_case_does(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    index, query = _titled(make_case)
    assert index.stored_query("q").title_query == index.query(query).title_query
    assert index.query(query).title_query == "pulmonary embolism"
    index.save(tmp_path / "idx", "fp")
    loaded = CaseIndex.load(tmp_path / "idx", "fp", index.settings)
    assert loaded is not None
    found = loaded.search(loaded.stored_query("q"), 3, exclude=["q"])
    assert [hit.id for hit in found] == ["b", "a", "c"]


def test_the_packaged_weights_fit_the_packaged_settings_and_never_penalise() -> None:
    model = load_fusion_model()
    index = CaseIndex.build([])
    assert set(model.weights) == set(index.features)
    assert all(w >= 0 for w in model.weights.values())
    assert all(model.weights[name] >= floor for name, floor in model.floors.items())
    assert model.fitted_on.split == "tune"


def test_a_womans_embolism_finds_a_woman_before_a_toddler_under_the_learned_fusion(
    make_case: CaseBuilder,
) -> None:
    facts = EMBOLISM_FACTS
    toddler = make_case("toddler", EMBOLISM, facts, age=2, sex=Sex.MALE)
    woman = make_case("woman", EMBOLISM, facts, age=58, sex=Sex.FEMALE)
    index = CaseIndex.build([toddler, woman])
    index.use_model(load_fusion_model())
    query = make_case("q", EMBOLISM, facts, age=56, sex=Sex.FEMALE)
    assert [hit.id for hit in index.search(index.query(query), 2)] == ["woman", "toddler"]
    silent = make_case("q", EMBOLISM, facts)
    assert [hit.id for hit in index.search(index.query(silent), 2)] == ["toddler", "woman"]


GROUPS = ("finding", "hpo", "treatment")
KEYS = [f"{sign}{group}:k{i}" for sign in "+-" for group in GROUPS for i in range(4)]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(KEYS), st.floats(0.1, 1), max_size=8),
        min_size=1,
        max_size=12,
    ),
    st.dictionaries(st.sampled_from(KEYS), st.floats(0.1, 1), max_size=10),
    st.data(),
)
def test_the_concept_groups_parts_add_up_to_the_concept_score(
    vectors: list[dict[str, float]], query: dict[str, float], data: st.DataObject
) -> None:
    index = ConceptIndex.build(vectors, idf_power=1.0, length_norm=1.0)
    chosen = data.draw(st.sets(st.integers(0, len(vectors) - 1), min_size=1))
    cases = np.array(sorted(chosen), dtype=np.int64)
    parts = index.group_scores(query, GROUPS, cases)
    assert parts.shape == (len(GROUPS), len(cases))
    assert parts.sum(axis=0) == pytest.approx(index.scores(query)[cases], rel=1e-5, abs=1e-6)


def test_each_concept_group_that_raises_a_hit_is_among_its_explained_matches(
    make_case: CaseBuilder,
) -> None:
    index = CaseIndex.build(_words_against_facts(make_case))
    index.use_model(load_fusion_model())
    query = index.stored_query("q1")
    rows, scores = index.candidates(query, exclude=["q1"])
    features = dict(zip([index.ids[int(r)] for r in rows], candidate_features(scores), strict=True))
    found = find_precedent(index, query, 5).similar
    assert found
    groups = index.features[2 : 2 + len(index.groups)]
    for hit in found:
        raised = {g for g, x in zip(groups, features[hit.id][2:], strict=False) if x > 0}
        shown = {fact.concept.partition(":")[0] for fact in hit.matched}
        assert raised <= shown, hit.id
        assert bool(raised) == bool(hit.matched)


def test_a_settings_file_written_before_the_title_feature_still_loads(tmp_path: Path) -> None:
    packaged = json.loads(resource_path("search.json").read_text(encoding="utf-8"))
    del packaged["text"]["title_query_types"], packaged["text"]["title_b"]
    older = tmp_path / "search.json"
    older.write_text(json.dumps(packaged), encoding="utf-8")
    settings = load_search_settings(older)
    assert settings.text.title_query_types == [] and settings.text.title_b == 0.75
