"""Pure scoring functions shared by the evaluators.

``prf`` returns percentages (0–100, two decimals), as every report does. The ranking metrics
(``average_precision``, ``reciprocal_rank``, ``ndcg_at_k``, ``precision_at_k``,
``recall_at_k``) return unrounded fractions in ``[0, 1]`` so that they can be averaged over
queries without rounding error; reports convert the mean with ``percent``.

In every ranking metric only the first occurrence of an id in ``ranked`` counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


class PRF(BaseModel):
    """Precision, recall and F1, in percent with two decimals."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    p: float
    r: float
    f1: float


class PRFA(PRF):
    """Precision, recall, F1 and accuracy, in percent with two decimals."""

    acc: float


def percent(fraction: float) -> float:
    """A fraction as a percentage rounded to two decimals."""
    return round(100.0 * fraction, 2)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def prf(tp: int, fp: int, fn: int) -> PRF:
    """Precision, recall and F1 from counts (van Rijsbergen 1979, F with beta = 1).

    ``p = tp / (tp + fp)``, ``r = tp / (tp + fn)``, ``f1 = 2pr / (p + r) = 2tp / (2tp + fp + fn)``;
    each is 0 when its denominator is 0. F1 is computed from the counts, not from the rounded
    precision and recall.

    Args:
        tp: True positives.
        fp: False positives.
        fn: False negatives.

    Returns:
        The three scores in percent, rounded to two decimals.

    Raises:
        ValueError: When a count is negative.
    """
    if min(tp, fp, fn) < 0:
        raise ValueError(f"negative count in tp={tp}, fp={fp}, fn={fn}")
    return PRF(
        p=percent(_ratio(tp, tp + fp)),
        r=percent(_ratio(tp, tp + fn)),
        f1=percent(_ratio(2 * tp, 2 * tp + fp + fn)),
    )


def prfa(tp: int, fp: int, fn: int, tn: int) -> PRFA:
    """``prf`` plus accuracy ``(tp + tn) / (tp + fp + fn + tn)`` (0 when there are no items).

    Args:
        tp: True positives.
        fp: False positives.
        fn: False negatives.
        tn: True negatives.

    Returns:
        The four scores in percent, rounded to two decimals.

    Raises:
        ValueError: When a count is negative.
    """
    if tn < 0:
        raise ValueError(f"negative count tn={tn}")
    scores = prf(tp, fp, fn)
    accuracy = percent(_ratio(tp + tn, tp + fp + fn + tn))
    return PRFA(p=scores.p, r=scores.r, f1=scores.f1, acc=accuracy)


@dataclass
class Confusion:
    """A binary confusion tally: add one (predicted, gold) decision at a time."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, gold: bool) -> None:
        """Count one decision."""
        if predicted and gold:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    def merge(self, other: Confusion) -> None:
        """Add another tally's counts to this one."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn

    def scores(self) -> PRF:
        """Precision, recall and F1 of the positive class."""
        return prf(self.tp, self.fp, self.fn)

    def scores_with_accuracy(self) -> PRFA:
        """Precision, recall, F1 and accuracy."""
        return prfa(self.tp, self.fp, self.fn, self.tn)


def mean(values: Iterable[float]) -> float:
    """The arithmetic mean; 0 for no values."""
    items = list(values)
    return math.fsum(items) / len(items) if items else 0.0


def _unique(ranked: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in ranked:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def average_precision(ranked: Sequence[str], relevant: set[str]) -> float:
    """Average precision of one ranked list (the per-query term of MAP, as in trec_eval).

    ``AP = (1 / |relevant|) * sum over ranks i holding a relevant id of precision@i``; relevant
    ids never retrieved contribute 0. This is the per-document score that CodiEsp-D's MAP
    (Miranda-Escalada et al. 2020, CLEF eHealth) averages.

    Args:
        ranked: Retrieved ids, best first.
        relevant: The relevant ids.

    Returns:
        A fraction in ``[0, 1]``; 0 when ``relevant`` is empty.
    """
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for rank, item in enumerate(_unique(ranked), start=1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    """``1 / rank`` of the first relevant id, 0 when none is retrieved (Voorhees 1999, TREC-8 QA).

    Args:
        ranked: Retrieved ids, best first.
        relevant: The relevant ids.

    Returns:
        A fraction in ``[0, 1]``.
    """
    for rank, item in enumerate(_unique(ranked), start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], grades: dict[str, int], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` (Järvelin & Kekäläinen 2002, ACM TOIS).

    ``DCG@k = sum over ranks i <= k of (2^grade_i - 1) / log2(i + 1)``, with grade 0 for ids
    not in ``grades``; ``nDCG@k = DCG@k / IDCG@k`` where ``IDCG@k`` is the DCG of the ideal
    ordering of the graded ids.

    Args:
        ranked: Retrieved ids, best first.
        grades: Relevance grade of each judged id.
        k: The cut-off.

    Returns:
        A fraction in ``[0, 1]``; 0 when no id has a positive grade or ``k <= 0``.
    """
    if k <= 0:
        return 0.0
    dcg = math.fsum(
        (2 ** max(grades.get(item, 0), 0) - 1) / math.log2(rank + 1)
        for rank, item in enumerate(_unique(ranked)[:k], start=1)
    )
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:k]
    idcg = math.fsum((2**g - 1) / math.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def precision_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Relevant ids among the first ``k``, divided by ``k`` (trec_eval ``P_k``).

    A list shorter than ``k`` is not given credit for the missing positions.

    Args:
        ranked: Retrieved ids, best first.
        relevant: The relevant ids.
        k: The cut-off.

    Returns:
        A fraction in ``[0, 1]``; 0 when ``k <= 0``.
    """
    if k <= 0:
        return 0.0
    return sum(1 for item in _unique(ranked)[:k] if item in relevant) / k


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Relevant ids among the first ``k``, divided by ``|relevant|`` (trec_eval ``recall_k``).

    Args:
        ranked: Retrieved ids, best first.
        relevant: The relevant ids.
        k: The cut-off.

    Returns:
        A fraction in ``[0, 1]``; 0 when ``relevant`` is empty or ``k <= 0``.
    """
    if not relevant or k <= 0:
        return 0.0
    return sum(1 for item in _unique(ranked)[:k] if item in relevant) / len(relevant)
