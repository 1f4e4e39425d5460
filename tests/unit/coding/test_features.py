"""The ICD-10-CM ranker's text features: TF-IDF vectors and the sparse product."""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.coding.features import SparseRow, TfidfModel, analyze, sparse_dot

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


_TEXT_WORDS = ["Fever", "fevers", "of", "pneumonia", "CT", "2", "x-ray", "itis", "é", "a"]


def _reference_vector(model: TfidfModel, text: str) -> tuple[list[int], list[float]]:
    """The vector ``transform`` must give: ``analyze``'s features looked up in the vocabulary,
    counted, weighted by ``(1 + ln tf) · idf`` and scaled to unit length."""
    features = analyze(text, model.word_ngrams, model.char_ngrams)
    counts = Counter(model.vocabulary[f] for f in features if f in model.vocabulary)
    columns = sorted(counts)
    values = np.array(
        [(1.0 + np.log(float(counts[c]))) * float(model.idf[c]) for c in columns], dtype=np.float64
    )
    norm = float(np.sqrt(np.dot(values, values)))
    if norm > 0:
        values /= norm
    return columns, values.astype(np.float32).tolist()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(_TEXT_WORDS), max_size=12),
    st.lists(st.sampled_from(_TEXT_WORDS), max_size=12),
    st.sampled_from([(1, 1), (1, 2), (1, 3), (2, 3), (0, 0)]),
    st.sampled_from([(0, 0), (3, 5), (2, 4)]),
)
def test_transform_weights_the_features_analyze_gives(
    seen: list[str], text: list[str], word_ngrams: tuple[int, int], char_ngrams: tuple[int, int]
) -> None:
    """Every word and character n-gram of the vocabulary counts, however the text repeats it."""
    names = sorted(set(analyze(" ".join(seen), word_ngrams, char_ngrams)))
    idf = np.linspace(1.0, 3.0, num=max(len(names), 1), dtype=np.float32)
    model = TfidfModel({name: i for i, name in enumerate(names)}, idf, word_ngrams, char_ngrams)
    for _ in range(2):  # the second time from the remembered character n-grams
        vector = model.transform(" ".join(text))
        assert (vector.indices.tolist(), vector.values.tolist()) == _reference_vector(
            model, " ".join(text)
        )
