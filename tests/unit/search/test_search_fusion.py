"""Reciprocal rank fusion and CombSUM, pinned by hand and by their properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.search.fusion import RRF_K, reciprocal_rank_fusion, weighted_sum_fusion


def test_rrf_pinned_by_hand() -> None:
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]]))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)
    assert [doc for doc, _ in reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]])] == [
        "b",
        "a",
        "d",
        "c",
    ]


def test_rrf_weights_and_k() -> None:
    # With the second ranking weighted 3, its first document overtakes the first ranking's.
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], k=0, weights=[1.0, 3.0])
    assert fused == [("b", pytest.approx(1 / 2 + 3 / 1)), ("a", pytest.approx(1 + 3 / 2))]
    # A ranking weighted 0 changes nothing.
    assert reciprocal_rank_fusion([["a", "b"], ["b", "a"]], weights=[1.0, 0.0])[0][0] == "a"


def test_rrf_counts_a_repeated_id_once() -> None:
    assert dict(reciprocal_rank_fusion([["a", "a", "b"]]))["b"] == pytest.approx(1 / (RRF_K + 2))


def test_rrf_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="weights"):
        reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])
    with pytest.raises(ValueError, match="negative"):
        reciprocal_rank_fusion([["a"]], weights=[-1.0])
    with pytest.raises(ValueError, match="negative"):
        reciprocal_rank_fusion([["a"]], k=-1)


rankings = st.lists(
    st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=8), min_size=1, max_size=4
)


@given(rankings, st.randoms())
def test_rrf_does_not_depend_on_the_order_of_the_rankings(
    lists: list[list[str]], random: object
) -> None:
    shuffled = list(lists)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert reciprocal_rank_fusion(shuffled) == reciprocal_rank_fusion(lists)


@given(rankings)
def test_a_document_first_everywhere_stays_first(lists: list[list[str]]) -> None:
    lists = [["z", *ranking] for ranking in lists]
    assert reciprocal_rank_fusion(lists)[0][0] == "z"


@given(rankings)
def test_rrf_scores_every_document_once_best_first(lists: list[list[str]]) -> None:
    fused = reciprocal_rank_fusion(lists)
    assert {doc for doc, _ in fused} == {doc for ranking in lists for doc in ranking}
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)


def test_weighted_sum_normalises_each_run() -> None:
    fused = weighted_sum_fusion([{"a": 10.0, "b": 5.0, "c": 0.0}, {"c": 2.0, "b": 1.0}])
    # run 1 → a 1, b 0.5, c 0; run 2 → c 1, b 0.
    assert fused == [("a", 1.0), ("c", 1.0), ("b", 0.5)]
    weighted = weighted_sum_fusion([{"a": 10.0, "c": 0.0}, {"c": 2.0, "a": 1.0}], [1.0, 2.0])
    assert weighted == [("c", 2.0), ("a", 1.0)]
    # A run whose scores are all equal gives each its full weight.
    assert weighted_sum_fusion([{"a": 3.0}, {}]) == [("a", 1.0)]


scored_runs = st.lists(
    st.dictionaries(st.sampled_from("abcdefgh"), st.floats(0, 100), max_size=8),
    min_size=1,
    max_size=4,
)


@given(scored_runs, st.randoms())
def test_weighted_sum_does_not_depend_on_the_order_of_the_runs(
    runs: list[dict[str, float]], random: object
) -> None:
    shuffled = list(runs)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert weighted_sum_fusion(shuffled) == weighted_sum_fusion(runs)


@given(scored_runs)
def test_a_document_best_in_every_run_stays_first(runs: list[dict[str, float]]) -> None:
    runs = [{**run, "z": 101.0} for run in runs]
    assert weighted_sum_fusion(runs)[0][0] == "z"
