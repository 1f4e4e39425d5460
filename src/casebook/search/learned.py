"""Learned fusion: a linear model over what the index knows of each candidate, as pure functions.

The candidates of a query are the ``depth`` best cases of each searcher (BM25 over the text,
concept search over the facts). Each gets a few features, every one a number the index already
holds in memory:

* ``text`` and ``concepts``: the searcher's score, min-max normalised over that searcher's
  ``depth`` best (0 for a case outside them), as CombSUM normalises it (Lee 1997);
* one per concept group (``finding``, ``treatment``, ``test``, ``anatomy``, ``hpo``,
  ``icd10cm``, ``icd10pcs``): the part of the concept score the facts of that group make (the
  concept score is their sum), divided by the largest among the candidates;
* ``title``: BM25 of the query's diagnoses (the words of its ``text.title_query_types``
  mentions) over the candidates' titles alone, divided by the largest among the candidates: a
  case report's title names what it is about, so a case whose title names the query's diagnosis
  rises above one that only shares words somewhere in its text;
* ``title_covered``: the share of the candidate's title that the query's words cover, each title
  word weighted by its BM25 weight among the titles (so "case" and "report" count little): the
  reverse of ``title``, read from the query's whole text rather than its diagnoses, so a case
  titled by a rare disease and its complication, both named anywhere in the query patient's
  text, rises though the mention model typed neither as the query's diagnosis;
* ``age``: 1 when the case's patient is in the query patient's age group, ½ in a neighbouring
  one, else 0; ``sex``: 1 for the same sex; ``stage``: 1 when both patients are adults or both
  are children (``patient.adult_from``): a child's disease and its care differ from an adult's
  more than any two adult age groups do. Each is 0 when the query or the case does not say.

A candidate's score is the weighted sum of its features, ``Σ_f w_f · x_f``, with non-negative
weights: every feature can only raise a case, so a hit's score is explained by what it shares
with the query (the facts that explanations list, its words, its patient). The weights are fitted
on judged queries by coordinate ascent on the ranking metric itself, the procedure of Metzler and
Croft (2007, "Linear feature-based models for information retrieval", Information Retrieval
10(3)): one weight at a time is moved along a grid of steps and kept where the metric is best,
until a whole round over the weights improves nothing; the weights are kept summing to 1, which
changes no ranking. The weights shipped are the mean of five such fits, each on four fifths of
the queries (:func:`fit_averaged`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

PATIENT_FEATURES = ("age", "sex", "stage")
"""The features of the patient, after the searchers', the concept groups' and the title's."""


def feature_names(groups: Sequence[str]) -> tuple[str, ...]:
    """The features, in column order, for concept search with these groups."""
    return ("text", "concepts", *groups, "title", "title_covered", *PATIENT_FEATURES)


def min_max(scores: FloatArray, best: FloatArray) -> FloatArray:
    """``scores`` min-max normalised over ``best`` (a searcher's best scores), clipped at 0.

    A score below the lowest of ``best`` is 0, as a case outside a searcher's best counts
    nothing in CombSUM; when the best scores are all equal, each score that reaches them is 1.
    """
    if best.size == 0:
        return np.zeros_like(scores)
    low, high = float(best.min()), float(best.max())
    if high <= low:
        return (scores >= low).astype(np.float64)
    result: FloatArray = np.clip((scores - low) / (high - low), 0.0, None)
    return result


def share_of_best(scores: FloatArray) -> FloatArray:
    """``scores`` divided by their largest (all 0 when none is positive)."""
    high = float(scores.max()) if scores.size else 0.0
    return scores / high if high > 0 else np.zeros_like(scores)


def age_groups(ages: FloatArray, bounds: Sequence[float]) -> npt.NDArray[np.int64]:
    """The age group of each age (``casebook.search.fusion.age_group``); -1 where unknown."""
    groups = np.searchsorted(np.asarray(bounds, dtype=np.float64), ages, side="right")
    return np.where(np.isnan(ages), -1, groups).astype(np.int64)


def patient_features(
    query_age: float | None,
    query_sex: str | None,
    ages: FloatArray,
    sexes: npt.NDArray[np.object_],
    bounds: Sequence[float],
    adult_from: float,
) -> FloatArray:
    """The ``age``, ``sex`` and ``stage`` features of candidates (rows) for a query patient.

    Args:
        query_age: The query patient's age; None when the query does not say.
        query_sex: The query patient's sex; None when the query does not say.
        ages: Each candidate's age, NaN where unknown.
        sexes: Each candidate's sex, ``""`` where unknown.
        bounds: The upper bounds of the age groups.
        adult_from: The age from which a patient is an adult.
    """
    result = np.zeros((len(ages), len(PATIENT_FEATURES)), dtype=np.float64)
    if query_age is not None:
        groups = age_groups(ages, bounds)
        wanted = int(age_groups(np.array([query_age], dtype=np.float64), bounds)[0])
        apart = np.abs(groups - wanted)
        known = groups >= 0
        result[:, 0] = np.where(known & (apart == 0), 1.0, np.where(known & (apart == 1), 0.5, 0))
        with np.errstate(invalid="ignore"):
            adult = ages >= adult_from
        result[:, 2] = known & (adult == (query_age >= adult_from))
    if query_sex:
        result[:, 1] = sexes == query_sex
    return result


@dataclass(frozen=True, slots=True)
class CandidateScores:
    """What the index computed for a query's candidates, the rows.

    Attributes:
        text: BM25 scores.
        text_best: BM25 scores of the text searcher's ``depth`` best.
        concepts: Concept scores.
        concepts_best: Concept scores of the concept searcher's ``depth`` best.
        groups: Candidates × concept groups: each group's part of the concept score.
        title: BM25 scores of the query's diagnoses over the candidates' titles.
        title_covered: The share of each candidate's title the query's words cover
            (``BM25Searcher.coverage``).
        patient: Candidates × (age, sex, stage), from :func:`patient_features`.
    """

    text: FloatArray
    text_best: FloatArray
    concepts: FloatArray
    concepts_best: FloatArray
    groups: FloatArray
    title: FloatArray
    title_covered: FloatArray
    patient: FloatArray


def candidate_features(scores: CandidateScores) -> FloatArray:
    """Candidates × features, in the order of :func:`feature_names`."""
    groups = scores.groups
    columns = [
        min_max(scores.text, scores.text_best),
        min_max(scores.concepts, scores.concepts_best),
        *(share_of_best(groups[:, g]) for g in range(groups.shape[1])),
        share_of_best(scores.title),
        scores.title_covered,
    ]
    return np.column_stack([*columns, scores.patient])


def linear_scores(features: FloatArray, weights: FloatArray) -> FloatArray:
    """Each candidate's score: ``features @ weights``."""
    result: FloatArray = features @ weights
    return result


def ranking(scores: FloatArray, order: npt.NDArray[np.int64] | None = None) -> list[int]:
    """Rows best first; ties in ``order`` (a key per row, e.g. the case's position), else by
    row."""
    tie = np.arange(len(scores)) if order is None else order
    return [int(i) for i in np.lexsort((tie, -scores))]


# --- fitting -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    """One query's candidates for fitting.

    Attributes:
        features: Candidates × features.
        grades: Each candidate's relevance grade (0: not relevant).
        tie: Each candidate's position in the index, which breaks ties as search does.
        ideal: The grades of all its relevant cases, best first (for nDCG's ideal ranking).
    """

    features: FloatArray
    grades: FloatArray
    tie: npt.NDArray[np.int64]
    ideal: tuple[float, ...]


def first_relevant_rank(scores: FloatArray, tie: npt.NDArray[np.int64], grades: FloatArray) -> int:
    """The rank (from 1) of the best-ranked relevant candidate under :func:`ranking`; 0 when
    no candidate is relevant. Counted, not sorted: the fit asks it thousands of times."""
    relevant = np.flatnonzero(grades > 0)
    if relevant.size == 0:
        return 0
    best = float(scores[relevant].max())
    at_best = relevant[scores[relevant] == best]
    first = int(tie[at_best].min())
    return int((scores > best).sum() + ((scores == best) & (tie < first)).sum()) + 1


def top_rows(scores: FloatArray, tie: npt.NDArray[np.int64], k: int) -> list[int]:
    """The first ``k`` rows of :func:`ranking`, sorting only the rows that can be among them."""
    rows = np.arange(len(scores))
    if len(scores) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        rows = rows[scores >= kth]
    return [int(i) for i in rows[np.lexsort((tie[rows], -scores[rows]))][:k]]


def ndcg_at(grades_in_order: FloatArray, ideal: Sequence[float], k: int = 10) -> float:
    """nDCG@k with gain ``2^grade - 1`` (Järvelin and Kekäläinen 2002), of the grades of the
    first ``k`` candidates in ranked order against the best order of all relevant grades."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    top = grades_in_order[:k]
    gained = float(((2.0**top - 1.0) * discounts[: len(top)]).sum())
    best = np.asarray(sorted(ideal, reverse=True)[:k], dtype=np.float64)
    ideal_gain = float(((2.0**best - 1.0) * discounts[: len(best)]).sum())
    return gained / ideal_gain if ideal_gain > 0 else 0.0


def mrr_and_ndcg(query: JudgedQuery, weights: FloatArray) -> float:
    """The mean of the query's reciprocal rank and nDCG@10 under ``weights``: the objective
    fitted, since both are reported."""
    scores = linear_scores(query.features, weights)
    rank = first_relevant_rank(scores, query.tie, query.grades)
    top = query.grades[top_rows(scores, query.tie, 10)]
    return ((1.0 / rank if rank else 0.0) + ndcg_at(top, query.ideal)) / 2


Objective = Callable[[JudgedQuery, FloatArray], float]

STEPS = (-0.5, -0.2, -0.1, -0.05, -0.02, -0.01, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
"""The moves of one weight tried in a line search, as a share of the weights' sum."""


def mean_objective(
    queries: Sequence[JudgedQuery], weights: FloatArray, objective: Objective = mrr_and_ndcg
) -> float:
    """The objective's mean over the queries."""
    return float(np.mean([objective(q, weights) for q in queries])) if queries else 0.0


def fit_coordinate_ascent(
    queries: Sequence[JudgedQuery],
    start: FloatArray,
    floors: FloatArray | None = None,
    objective: Objective = mrr_and_ndcg,
    rounds: int = 20,
) -> FloatArray:
    """Weights that rank the judged candidates well, by coordinate ascent (Metzler and Croft
    2007).

    Each round tries, for each weight in turn, every move of ``STEPS`` (as a share of the sum
    of the weights), keeps the weight at its floor or above, scales the weights to sum to 1, and
    keeps the best move when it raises the mean objective. It stops after a round with no gain,
    or after ``rounds``. Deterministic: no random restarts, ties keep the earlier weights.

    Args:
        queries: The judged queries.
        start: The starting weights (non-negative, not all 0).
        floors: The least value of each weight once scaled (0 when None).
        objective: A query's score under some weights.
        rounds: The most rounds.

    Returns:
        The fitted weights, summing to 1.

    Raises:
        ValueError: When the start is negative or all 0, or the floors sum to 1 or more.
    """
    weights = np.asarray(start, dtype=np.float64).copy()
    lowest = np.zeros_like(weights) if floors is None else np.asarray(floors, dtype=np.float64)
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("the starting weights must be non-negative and not all 0")
    if lowest.sum() >= 1:
        raise ValueError("the floors must sum to less than 1")
    weights = _scaled(weights, lowest)
    best = mean_objective(queries, weights, objective)
    for _ in range(rounds):
        improved = False
        for feature in range(len(weights)):
            for step in STEPS:
                trial = weights.copy()
                trial[feature] = max(trial[feature] + step, 0.0)
                if trial.sum() <= 0:
                    continue
                trial = _scaled(trial, lowest)
                value = mean_objective(queries, trial, objective)
                if value > best + 1e-12:
                    best, weights, improved = value, trial, True
        if not improved:
            break
    return weights


def better_on(
    queries: Sequence[JudgedQuery], fitted: FloatArray, previous: FloatArray | None
) -> tuple[FloatArray, bool]:
    """The fitted weights, or the ``previous`` ones where those score at least as well on the
    same queries (and whether they were kept).

    A refit averages greedy ascents over subsamples (``fit_averaged``): over a hundred-odd
    queries it can land below weights fitted before, and shipping it would lose what the
    queries show the earlier weights do better. Both are compared summing to 1, as ranked.
    """
    if previous is None or previous.sum() <= 0:
        return fitted, False
    before = previous / previous.sum()
    if mean_objective(queries, before) >= mean_objective(queries, fitted):
        return before, True
    return fitted, False


def fit_averaged(
    queries: Sequence[JudgedQuery],
    start: FloatArray,
    floors: FloatArray | None = None,
    parts: int = 5,
    seed: int = 0,
) -> FloatArray:
    """The mean of the weights :func:`fit_coordinate_ascent` fits on each ``parts - 1`` of
    ``parts`` seeded random parts of the queries.

    Averaging models fitted on subsamples, as bagging does (Breiman 1996, "Bagging
    predictors", Machine Learning 24(2)), steadies weights that a greedy ascent over a
    hundred-odd queries would otherwise fit to a few of them. The mean of weights that sum to
    1 and respect the floors sums to 1 and respects them too.
    """
    if len(queries) < parts:
        return fit_coordinate_ascent(queries, start, floors)
    part = np.random.default_rng(seed).permutation(len(queries)) % parts
    fitted = [
        fit_coordinate_ascent(
            [q for q, p in zip(queries, part, strict=True) if p != k], start, floors
        )
        for k in range(parts)
    ]
    result: FloatArray = np.mean(fitted, axis=0)
    return result


def _scaled(weights: FloatArray, floors: FloatArray) -> FloatArray:
    """The weights scaled to sum to 1, each below its floor raised to it and the others scaled
    down so that the sum stays 1 (again, until none is below its floor)."""
    result: FloatArray = weights / weights.sum()
    fixed = np.zeros(len(result), dtype=bool)
    while True:
        below = ~fixed & (result < floors)
        if not below.any():
            return result
        fixed |= below
        result[fixed] = floors[fixed]
        free = float(result[~fixed].sum())
        if free > 0:
            result[~fixed] *= (1.0 - float(floors[fixed].sum())) / free


def as_vector(weights: Mapping[str, float], names: Sequence[str]) -> FloatArray:
    """Named weights as a vector in feature order.

    Raises:
        ValueError: When a feature has no weight or a weight names no feature.
    """
    if set(weights) != set(names):
        missing, unknown = set(names) - set(weights), set(weights) - set(names)
        raise ValueError(f"weights missing {sorted(missing)}, unknown {sorted(unknown)}")
    return np.array([weights[name] for name in names], dtype=np.float64)
