"""Re-ranking a document's candidate codes with gradient-boosted trees over their evidence.

The document ranking's fused score adds its signals with fixed weights; how much each signal
is worth depends on the others and on the code (a symptom code a negated mention names, a code
no training document carries that only the dictionary reaches, the second code of a category
already ranked). A gradient-boosted tree ensemble (Friedman 2001, "Greedy function
approximation: a gradient boosting machine", Annals of Statistics) of the candidates' evidence,
pointwise with the logistic loss, learns those interactions; it is fitted by
``casebook.train.rerank`` on cross-fitted candidates of CodiEsp ``train``, its scores
increasing in every signal's score (monotone constraints), and run here with numpy alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from casebook.model import RecordModel

RERANK_FEATURES: tuple[str, ...] = (
    "linear",
    "dictionary",
    "codeset",
    "named",
    "has_linear",
    "has_dictionary",
    "has_codeset",
    "has_named",
    "fused",
    "position",
    "category",
    "own",
    "training_documents",
    "trained",
    "billable",
    "first_of_category",
    "present_mentions",
    "negated_mentions",
    "uncertain_mentions",
    "historical_mentions",
    "symptom_chapter",
    "status_chapter",
    "injury_chapter",
    "knn",
    "refined",
    "category_candidates",
    "dictionary_precision",
)
"""What the re-ranker knows of a candidate code in a document, in column order:

* ``linear`` … ``named``: the code's score by each signal of the document ranking, 0 when it
  has none, and ``has_…`` whether it has one;
* ``fused``: the document ranking's score; ``position``: log(1 + its rank there, from 0);
* ``category``, ``own``: the kernel ridge scores of its three-character category and of the code
  alone, clipped to ``[0, 1]``;
* ``training_documents``: log(1 + the training documents carrying it); ``trained``: 1 when any
  does; ``billable``: 1 for a billable ICD-10-CM 2026 code;
* ``first_of_category``: 1 for the best-ranked code of its category;
* ``…_mentions``: log(1 + the patient's mentions of that assertion carrying the code);
* ``symptom_chapter``, ``status_chapter``, ``injury_chapter``: chapter R, Z, S or T;
* ``knn``: the nearest training documents' vote; ``refined``: a code below its category;
* ``category_candidates``: log(1 + the other candidates of its category): its codes compete
  for what is mostly one gold code of the category;
* ``dictionary_precision``: the smoothed precision of its title and inclusion-term matches on
  the training documents, whether they match here or not (0 for a code without terms): how far
  the vocabulary's words for it are CodiEsp's coders' words.
"""


class RerankSettings(RecordModel):
    """How the re-ranker's trees are grown (chosen on CodiEsp ``tune``; 0 iterations: none)."""

    iterations: int = Field(default=300, ge=0, description="Trees, one per boosting step.")
    leaves: int = Field(default=7, ge=2, description="Leaves per tree at most.")
    learning_rate: float = Field(default=0.05, gt=0, description="Shrinkage of each tree.")
    l2: float = Field(default=1.0, ge=0, description="L2 penalty on the leaves' values.")
    folds: int = Field(
        default=10,
        ge=2,
        description="Folds of ``train`` the candidates are cross-fitted over: the more, the "
        "closer each fold's ranker is to the one fitted on all of ``train`` that ranks new text.",
    )


MONOTONE: frozenset[str] = frozenset({"linear", "dictionary", "codeset", "named", "fused"})
"""Features the re-ranker's score may only increase in: more evidence never lowers a code."""


@dataclass(frozen=True)
class TreeEnsemble:
    """Regression trees whose leaf values add up to a log-odds, all nodes in flat arrays.

    Node ``i`` of any tree is a leaf when ``feature[i]`` is -1; otherwise a row goes to
    ``left[i]`` when its value of column ``feature[i]`` is at most ``threshold[i]``, else to
    ``right[i]`` (indices into the same arrays). ``roots`` holds each tree's first node.
    """

    baseline: float
    roots: NDArray[np.int64]
    feature: NDArray[np.int64]
    threshold: NDArray[np.float64]
    left: NDArray[np.int64]
    right: NDArray[np.int64]
    value: NDArray[np.float64]

    def decision(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """The log-odds of each row (one candidate's features, ``RERANK_FEATURES`` order).

        Every row walks every tree at once, one level per step, until all stand on leaves.
        """
        if rows.shape[0] == 0 or self.roots.size == 0:
            return np.full(rows.shape[0], self.baseline, dtype=np.float64)
        node = np.broadcast_to(self.roots, (rows.shape[0], self.roots.size)).copy()
        row_of = np.arange(rows.shape[0])[:, None]
        inner = self.feature[node] >= 0
        while inner.any():
            column = np.where(inner, self.feature[node], 0)
            goes_left = rows[row_of, column] <= self.threshold[node]
            node = np.where(inner, np.where(goes_left, self.left[node], self.right[node]), node)
            inner = self.feature[node] >= 0
        total: NDArray[np.float64] = self.baseline + self.value[node].sum(axis=1)
        return total

    def probability(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """The logistic of ``decision``: each candidate's estimated chance of being right."""
        result: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-self.decision(rows)))
        return result

    def arrays(self) -> dict[str, NDArray[Any]]:
        """The ensemble as named arrays (``of_arrays`` reads them back)."""
        return {
            "rerank_baseline": np.array([self.baseline], dtype=np.float64),
            "rerank_roots": self.roots,
            "rerank_feature": self.feature,
            "rerank_threshold": self.threshold,
            "rerank_left": self.left,
            "rerank_right": self.right,
            "rerank_value": self.value,
        }

    @classmethod
    def of_arrays(cls, arrays: Mapping[str, NDArray[Any]]) -> TreeEnsemble | None:
        """The ensemble ``arrays`` wrote, or None when the arrays hold none."""
        if "rerank_roots" not in arrays:
            return None
        return cls(
            baseline=float(arrays["rerank_baseline"][0]),
            roots=arrays["rerank_roots"].astype(np.int64),
            feature=arrays["rerank_feature"].astype(np.int64),
            threshold=arrays["rerank_threshold"].astype(np.float64),
            left=arrays["rerank_left"].astype(np.int64),
            right=arrays["rerank_right"].astype(np.int64),
            value=arrays["rerank_value"].astype(np.float64),
        )
