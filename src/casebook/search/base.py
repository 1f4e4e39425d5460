"""What every searcher returns and promises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved document.

    Attributes:
        id: The document id given when the index was built.
        score: The searcher's score; higher is better.
        rank: 1-based position in the result list.
    """

    id: str
    score: float
    rank: int


@runtime_checkable
class Searcher(Protocol):
    """Anything that ranks indexed documents for a text query."""

    def search(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` documents for ``query``, best first."""
        ...


@runtime_checkable
class BatchSearcher(Searcher, Protocol):
    """A searcher that can also run many queries in one call."""

    def batch_search(self, queries: Sequence[str], k: int) -> list[list[Hit]]:
        """``search`` for each query, in order."""
        ...


def search_all(searcher: Searcher, queries: Sequence[str], k: int) -> list[list[Hit]]:
    """Run every query, in one batch when the searcher supports it.

    Args:
        searcher: The searcher.
        queries: Query texts.
        k: How many hits to return per query.

    Returns:
        One hit list per query, in query order.
    """
    if isinstance(searcher, BatchSearcher):
        return searcher.batch_search(queries, k)
    return [searcher.search(query, k) for query in queries]


def top_positions(
    scores: npt.NDArray[np.floating[npt.NBitBase]] | npt.NDArray[np.float32],
    k: int,
    allowed: npt.NDArray[np.bool_] | None = None,
) -> list[int]:
    """Positions of the ``k`` best positive scores, best first; ties by position.

    Args:
        scores: One score per indexed document.
        k: How many positions to return at most.
        allowed: Documents that may be returned; all when None.

    Returns:
        Positions into ``scores``.
    """
    if k <= 0:
        return []
    keep = scores > 0
    if allowed is not None:
        keep &= allowed
    matching = np.flatnonzero(keep)
    if matching.size > k:
        # Keep every document scoring at least the k-th best, so ties are cut by position.
        kth = np.partition(scores[matching], matching.size - k)[matching.size - k]
        matching = matching[scores[matching] >= kth]
    order = matching[np.lexsort((matching, -scores[matching]))][:k]
    return [int(i) for i in order]


def column_scores(
    matrix: sp.csc_array, columns: npt.NDArray[np.int64], weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float32]:
    """``matrix[:, columns] @ weights``: each row's weighted sum over the given columns.

    Each column's entries are added straight from the CSC arrays into one array of scores (a
    column holds a row at most once, so the scattered addition is exact), in time proportional
    to those entries only: scipy's indexing would first copy the columns, and gathering them
    all at once would allocate arrays as large as the postings on every query.
    """
    scores = np.zeros(int(matrix.shape[0]), dtype=np.float64)
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
        start, end = int(indptr[column]), int(indptr[column + 1])
        if start < end:
            scores[indices[start:end]] += data[start:end] * weight
    return scores.astype(np.float32)


def save_columns(path: Path, matrix: sp.csc_array) -> None:
    """Write a CSC matrix's arrays and shape to one ``.npz`` file."""
    np.savez(
        path,
        data=matrix.data,
        indices=matrix.indices,
        indptr=matrix.indptr,
        shape=np.asarray(matrix.shape),
    )


def load_columns(path: Path) -> sp.csc_array:
    """A CSC matrix written by :func:`save_columns`."""
    with np.load(path) as arrays:
        shape = tuple(int(x) for x in arrays["shape"])
        return sp.csc_array((arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape)


def reorder_rows(matrix: sp.csc_array, rows: npt.NDArray[np.int64]) -> sp.csc_array:
    """The matrix with its rows rearranged: row ``i`` of the result is row ``rows[i]``.

    Only the row numbers of the entries change (each column's then sorted again), so no copy
    of the data is made; ``matrix`` is modified and returned.
    """
    position = np.empty(len(rows), dtype=matrix.indices.dtype)
    position[rows] = np.arange(len(rows), dtype=matrix.indices.dtype)
    matrix.indices = position[matrix.indices]
    matrix.has_sorted_indices = False
    matrix.sort_indices()
    return matrix
