"""The ICD-10-CM ranker's text features: TF-IDF vectors and the sparse product."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.coding.features import SparseRow, sparse_dot

_WEIGHTS = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False, width=32)


@st.composite
def rows_and_matrices(draw: st.DrawFn) -> tuple[SparseRow, sp.csr_array]:
    """A float32 CSR matrix with sorted columns per row, and a sparse row over its rows."""
    n_rows = draw(st.integers(min_value=1, max_value=8))
    n_columns = draw(st.integers(min_value=1, max_value=6))
    matrix = np.array(
        draw(
            st.lists(
                st.lists(st.one_of(st.just(0.0), _WEIGHTS), min_size=n_columns, max_size=n_columns),
                min_size=n_rows,
                max_size=n_rows,
            )
        ),
        dtype=np.float32,
    )
    picked = draw(st.sets(st.integers(min_value=0, max_value=n_rows - 1)))
    indices = np.array(sorted(picked), dtype=np.int32)
    values = np.array(
        draw(st.lists(_WEIGHTS, min_size=indices.size, max_size=indices.size)), dtype=np.float32
    )
    return SparseRow(indices, values), sp.csr_array(matrix)


@settings(max_examples=200, deadline=None)
@given(rows_and_matrices())
def test_sparse_dot_adds_the_weighted_rows_in_row_order(
    case: tuple[SparseRow, sp.csr_array],
) -> None:
    """The product is bit for bit the float64 sum that a plain loop over the entries makes."""
    row, matrix = case
    expected = np.zeros(matrix.shape[1], dtype=np.float64)
    for index, value in zip(row.indices.tolist(), row.values.tolist(), strict=True):
        start, end = matrix.indptr[index], matrix.indptr[index + 1]
        for column, entry in zip(
            matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(), strict=True
        ):
            expected[column] += entry * value
    found = sparse_dot(row, matrix)
    assert found.dtype == np.float64
    assert np.array_equal(found, expected)
