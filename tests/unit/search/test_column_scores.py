"""The gathered column sums that score BM25 and concept queries equal scipy's product."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.search.base import column_scores


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 9),
    st.integers(0, 2**31 - 1),
    st.lists(st.integers(0, 8), max_size=6),
)
def test_column_scores_equal_the_sparse_product(
    rows: int, columns: int, seed: int, chosen: list[int]
) -> None:
    generator = np.random.default_rng(seed)
    dense = generator.random((rows, columns)) * (generator.random((rows, columns)) < 0.4)
    matrix = sp.csc_array(dense.astype(np.float32))
    picked = np.array([c % columns for c in chosen], dtype=np.int64)
    weights = generator.random(len(picked))
    expected = matrix[:, picked] @ weights if len(picked) else np.zeros(rows)
    assert list(column_scores(matrix, picked, weights)) == pytest.approx(list(expected), abs=1e-5)
