"""The pure scoring functions, against values computed by hand."""

from __future__ import annotations

import math

import pytest

from casebook.eval.metrics import (
    PRF,
    Confusion,
    average_precision,
    mean,
    ndcg_at_k,
    percent,
    precision_at_k,
    prf,
    prfa,
    recall_at_k,
    reciprocal_rank,
)


def test_prf_by_hand() -> None:
    # tp=3, fp=1, fn=2: p = 3/4 = 75 %, r = 3/5 = 60 %, f1 = 2*3 / (6 + 1 + 2) = 6/9 = 66.67 %
    assert prf(3, 1, 2) == PRF(p=75.0, r=60.0, f1=66.67)


def test_prf_rounds_to_two_decimals() -> None:
    # tp=1, fp=2, fn=0: p = 1/3 = 33.33 %, r = 100 %, f1 = 2 / (2 + 2) = 50 %
    assert prf(1, 2, 0) == PRF(p=33.33, r=100.0, f1=50.0)


def test_prf_is_zero_when_undefined() -> None:
    assert prf(0, 0, 0) == PRF(p=0.0, r=0.0, f1=0.0)
    # no predictions: p undefined -> 0; r = 0/2 = 0
    assert prf(0, 0, 2) == PRF(p=0.0, r=0.0, f1=0.0)


def test_prf_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        prf(-1, 0, 0)


def test_prfa_adds_accuracy() -> None:
    # tp=2, fp=2, fn=1, tn=1: p = 2/4 = 50, r = 2/3 = 66.67, f1 = 4/7 = 57.14,
    # acc = (2 + 1) / 6 = 50
    scores = prfa(2, 2, 1, 1)
    assert (scores.p, scores.r, scores.f1, scores.acc) == (50.0, 66.67, 57.14, 50.0)
    assert prfa(0, 0, 0, 0).acc == 0.0


def test_mean() -> None:
    assert mean([1.0, 2.0, 4.0]) == pytest.approx(7 / 3)
    assert mean([]) == 0.0


def test_percent() -> None:
    assert percent(0.123456) == 12.35
    assert percent(1.0) == 100.0


def test_average_precision_by_hand() -> None:
    # relevant {a, c, x}; ranked a b c d: hits at rank 1 (P=1/1) and rank 3 (P=2/3);
    # x is never retrieved: AP = (1 + 2/3) / 3 = 5/9
    assert average_precision(["a", "b", "c", "d"], {"a", "c", "x"}) == pytest.approx(5 / 9)


def test_average_precision_edges() -> None:
    assert average_precision([], {"a"}) == 0.0
    assert average_precision(["a"], set()) == 0.0
    # a repeated id counts once: ranked a a b with relevant {b} -> b is at rank 2, AP = 1/2
    assert average_precision(["a", "a", "b"], {"b"}) == pytest.approx(0.5)


def test_reciprocal_rank() -> None:
    # first relevant id at rank 3 -> 1/3
    assert reciprocal_rank(["x", "y", "a", "b"], {"a", "b"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], {"a"}) == 0.0


def test_ndcg_by_hand() -> None:
    # grades a=2, b=1, c=0; ranked c a b, k=3:
    # DCG  = (2^0-1)/log2(2) + (2^2-1)/log2(3) + (2^1-1)/log2(4) = 0 + 3/1.58496 + 1/2
    # IDCG = 3/log2(2) + 1/log2(3) = 3 + 0.63093
    dcg = 3 / math.log2(3) + 1 / 2
    idcg = 3 + 1 / math.log2(3)
    expected = dcg / idcg  # = 2.39279 / 3.63093 = 0.65900
    assert ndcg_at_k(["c", "a", "b"], {"a": 2, "b": 1, "c": 0}, 3) == pytest.approx(expected)
    assert expected == pytest.approx(0.65900, abs=1e-5)


def test_ndcg_cut_off_and_edges() -> None:
    # k=1: ranked a first; DCG = 1 (2^1-1)/1 ; IDCG@1 = (2^2-1)/1 = 3 -> 1/3
    assert ndcg_at_k(["a", "b"], {"a": 1, "b": 2}, 1) == pytest.approx(1 / 3)
    assert ndcg_at_k(["a"], {"a": 0}, 10) == 0.0
    assert ndcg_at_k(["a"], {"a": 1}, 0) == 0.0
    assert ndcg_at_k(["a", "b"], {"a": 1, "b": 1}, 10) == pytest.approx(1.0)


def test_precision_and_recall_at_k() -> None:
    ranked = ["a", "x", "b", "y", "c"]
    relevant = {"a", "b", "z"}
    # top 2 holds a: P@2 = 1/2, R@2 = 1/3
    assert precision_at_k(ranked, relevant, 2) == pytest.approx(0.5)
    assert recall_at_k(ranked, relevant, 2) == pytest.approx(1 / 3)
    # P@10 divides by 10 even though only 5 were retrieved: 2/10
    assert precision_at_k(ranked, relevant, 10) == pytest.approx(0.2)
    assert recall_at_k(ranked, relevant, 10) == pytest.approx(2 / 3)
    assert precision_at_k(ranked, relevant, 0) == 0.0
    assert recall_at_k(ranked, set(), 10) == 0.0


def test_confusion_counts_decisions_and_merges() -> None:
    tally = Confusion()
    for predicted, gold in [(True, True), (True, False), (False, True), (False, False)]:
        tally.add(predicted, gold)
    tally.merge(Confusion(tp=1))
    # tp 2, fp 1, fn 1, tn 1: P = R = F1 = 2/3, accuracy 3/5.
    assert (tally.tp, tally.fp, tally.fn, tally.tn) == (2, 1, 1, 1)
    scores = tally.scores_with_accuracy()
    assert (scores.p, scores.r, scores.f1, scores.acc) == (66.67, 66.67, 66.67, 60.0)
