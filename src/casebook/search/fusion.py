"""Rank fusion: one ranking out of several searchers' rankings, as pure functions.

``reciprocal_rank_fusion`` is RRF (Cormack, Clarke and Büttcher 2009, "Reciprocal rank fusion
outperforms Condorcet and individual rank learning methods", SIGIR): a document's fused score is
``Σ_r w_r / (k + rank_r(d))`` over the rankings ``r`` that hold it, with ``k = 60`` as in the
paper. Only ranks count, so searchers whose scores live on different scales fuse without
calibration; a document missing from a ranking gets nothing from it.

``weighted_sum_fusion`` is the weighted CombSUM of Fox and Shaw (1994, "Combination of multiple
searches", TREC-2) over scores min-max normalised per ranking (Lee 1997, "Analyses of multiple
evidence combination", SIGIR): ``Σ_r w_r · (s_r(d) - min_r) / (max_r - min_r)``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence

RRF_K = 60.0
"""The rank constant of Cormack et al. (2009)."""


def _check_weights(count: int, weights: Sequence[float] | None) -> Sequence[float]:
    if weights is None:
        return [1.0] * count
    if len(weights) != count:
        raise ValueError(f"{count} rankings but {len(weights)} weights")
    if any(w < 0 for w in weights):
        raise ValueError("fusion weights must not be negative")
    return weights


def _ordered(parts: Mapping[str, list[float]]) -> list[tuple[str, float]]:
    """Sum each document's parts and sort, best first, ties by id.

    ``math.fsum`` is exact up to one final rounding, so the sum (and the order) never depends
    on the order in which the rankings were given.
    """
    fused = {doc: math.fsum(values) for doc, values in parts.items()}
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    k: float = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse rankings by reciprocal rank (Cormack, Clarke and Büttcher 2009).

    Args:
        rankings: Document ids, best first, one list per searcher. Only the first occurrence
            of an id in a list counts.
        k: The rank constant; larger values flatten the advantage of top ranks.
        weights: One non-negative weight per ranking; all 1 when None.

    Returns:
        ``(id, fused score)`` for every id in any ranking, best first, ties by id.

    Raises:
        ValueError: When ``k`` is negative or the weights do not fit the rankings.
    """
    if k < 0:
        raise ValueError("the RRF constant k must not be negative")
    parts: dict[str, list[float]] = {}
    for ranking, weight in zip(rankings, _check_weights(len(rankings), weights), strict=True):
        seen: set[str] = set()
        rank = 0
        for doc in ranking:
            if doc in seen:
                continue
            seen.add(doc)
            rank += 1
            parts.setdefault(doc, []).append(weight / (k + rank))
    return _ordered(parts)


def weighted_sum_fusion(
    runs: Sequence[Mapping[str, float]],
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse scored runs by weighted CombSUM over min-max normalised scores (Fox and Shaw 1994).

    Args:
        runs: Document id → score, one mapping per searcher (higher is better).
        weights: One non-negative weight per run; all 1 when None.

    Returns:
        ``(id, fused score)`` for every id in any run, best first, ties by id. A run whose
        scores are all equal gives each of its documents its full weight.

    Raises:
        ValueError: When the weights do not fit the runs.
    """
    parts: dict[str, list[float]] = {}
    for run, weight in zip(runs, _check_weights(len(runs), weights), strict=True):
        if not run:
            continue
        low, high = min(run.values()), max(run.values())
        spread = high - low
        for doc, score in run.items():
            normalised = (score - low) / spread if spread > 0 else 1.0
            parts.setdefault(doc, []).append(weight * normalised)
    return _ordered(parts)


def age_group(age_years: float, bounds: Sequence[float]) -> int:
    """The number of the age group an age falls in: the first bound it is below."""
    # Bounds rise (the settings check it), so the first bound above the age is a bisection.
    return bisect_right(bounds, age_years)


def patient_boost(
    query_age: float | None,
    query_sex: str | None,
    age: float | None,
    sex: str | None,
    bounds: Sequence[float],
    age_weight: float,
    sex_weight: float,
) -> float:
    """The factor a similar case's fused score is multiplied by for being the same kind of
    patient: ``1 + age_weight · a + sex_weight · s``, where ``a`` is 1 for the same age group,
    ½ for a neighbouring one and 0 otherwise, and ``s`` is 1 for the same sex. What the query
    leaves out (no age, no sex) counts for nothing, and neither does what the case leaves out;
    a different group or sex is never penalised beyond losing the boost, so a strong match
    across ages still surfaces.
    """
    boost = 1.0
    if query_age is not None and age is not None:
        apart = abs(age_group(query_age, bounds) - age_group(age, bounds))
        boost += age_weight * (1.0 if apart == 0 else 0.5 if apart == 1 else 0.0)
    if query_sex and sex and query_sex == sex:
        boost += sex_weight
    return boost
