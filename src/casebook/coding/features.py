"""Text features for the ICD-10-CM ranker: TF-IDF over word and character n-grams, in numpy.

The same ``analyze`` function feeds scikit-learn's ``TfidfVectorizer`` at training time and
``TfidfModel.transform`` at run time, so that the shipped model needs no scikit-learn: a
vocabulary, an IDF vector and the weighting rules of ``TfidfVectorizer(sublinear_tf=True,
norm="l2")`` (tf → ``1 + ln tf``, times IDF, then unit length), reproduced here.

Sparse matrices are stored as plain CSR arrays (``indptr``, ``indices``, ``data``); ``sparse_dot``
multiplies one sparse row vector by such a matrix, held as a scipy ``csr_array``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

WORD = re.compile(r"[a-z0-9]+")
"""Word tokens: lower-case letters and digits (punctuation and dots split words)."""

WORD_KIND = "w:"
CHAR_KIND = "c:"
"""The prefixes that tell a feature's kind: word n-gram, character n-gram."""

FloatArray = NDArray[np.float32]
IntArray = NDArray[np.int32]


def words(text: str) -> list[str]:
    """The lower-cased word tokens of ``text``."""
    return WORD.findall(text.lower())


def analyze(
    text: str, word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (0, 0)
) -> list[str]:
    """The n-gram features of a text, each prefixed by its kind (``w:`` word, ``c:`` char).

    Character n-grams are taken inside each word padded with one space on each side, as
    scikit-learn's ``char_wb`` analyzer does, so that they capture affixes (``"itis "``) and
    survive the translation noise of CodiEsp's English texts ("hepatomegaly" / "hepatomegalia").

    Args:
        text: The document.
        word_ngrams: Smallest and largest word n-gram length; ``(0, 0)`` for none.
        char_ngrams: Smallest and largest character n-gram length; ``(0, 0)`` for none.
    """
    tokens = words(text)
    features = [WORD_KIND + gram for gram in _word_ngrams(tokens, *word_ngrams)]
    low, high = char_ngrams
    if high:
        for token in set(tokens):
            features += [CHAR_KIND + gram for gram in _char_ngrams(token, low, high)]
    return features


def _word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """The word n-grams of a token sequence, without their kind (see ``analyze``)."""
    grams: list[str] = []
    if high:
        for size in range(low, high + 1):
            if size == 1:
                grams += tokens
            elif size == 2:
                grams += [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]
            else:
                grams += [
                    " ".join(tokens[index : index + size])
                    for index in range(len(tokens) - size + 1)
                ]
    return grams


def _char_ngrams(token: str, low: int, high: int) -> list[str]:
    """The character n-grams of one word padded with a space on each side, without their kind
    (see ``analyze``)."""
    padded = f" {token} "
    return [
        padded[index : index + size]
        for size in range(low, high + 1)
        for index in range(len(padded) - size + 1)
    ]


@dataclass(frozen=True)
class SparseRow:
    """One sparse row vector: column ``indices`` (ascending) and their ``values``."""

    indices: IntArray
    values: FloatArray


@dataclass(frozen=True)
class Csr:
    """A sparse matrix in compressed sparse row form (scipy's layout, numpy arrays only)."""

    indptr: NDArray[np.int64]
    indices: IntArray
    data: FloatArray
    shape: tuple[int, int]


def sparse_dot(row: SparseRow, matrix: sp.csr_array) -> NDArray[np.float64]:
    """``row @ matrix`` as a dense vector of length ``matrix.shape[1]``.

    Gathers the matrix rows named by the vector's non-zero columns and adds them up, weighted
    by the vector's values, in float64 and in row order: scipy's compiled loop does in one pass
    what a ``bincount`` over the gathered entries does in several, with the same sums.
    """
    summed: NDArray[np.float64] = row.values.astype(np.float64) @ matrix[row.indices]
    return summed


class TfidfModel:
    """Sublinear TF-IDF with unit-length rows over a fixed vocabulary.

    Args:
        vocabulary: Feature string → column.
        idf: Inverse document frequency per column.
        word_ngrams: Word n-gram range given to ``analyze``.
        char_ngrams: Character n-gram range given to ``analyze``.
    """

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: FloatArray,
        word_ngrams: tuple[int, int],
        char_ngrams: tuple[int, int],
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        # One vocabulary per kind, keyed by the n-gram alone: looking a text's n-grams up then
        # needs no prefixed copy of each, and the smaller tables are quicker to probe.
        self._word_vocabulary = _of_kind(vocabulary, WORD_KIND)
        self._char_vocabulary = _of_kind(vocabulary, CHAR_KIND)
        self._char_columns = lru_cache(maxsize=32768)(self._token_char_columns)

    def transform(self, text: str) -> SparseRow:
        """The TF-IDF vector of one text (empty when no feature is in the vocabulary).

        It counts the features ``analyze`` gives, by column; a word's character n-grams are
        looked up once and remembered, since words recur from text to text.
        """
        vocabulary = self._word_vocabulary
        tokens = words(text)
        columns = [
            column
            for gram in _word_ngrams(tokens, *self.word_ngrams)
            if (column := vocabulary.get(gram)) is not None
        ]
        if self.char_ngrams[1]:
            for token in set(tokens):
                columns += self._char_columns(token)
        return weigh(columns, self.idf)

    def _token_char_columns(self, token: str) -> tuple[int, ...]:
        """The columns of one word's character n-grams that are in the vocabulary."""
        vocabulary = self._char_vocabulary
        return tuple(
            column
            for gram in _char_ngrams(token, *self.char_ngrams)
            if (column := vocabulary.get(gram)) is not None
        )


def weigh(columns: list[int], idf: FloatArray) -> SparseRow:
    """The sublinear TF-IDF vector, of unit length, of the features at ``columns`` (a column
    once per occurrence; empty when there are none)."""
    if not columns:
        return SparseRow(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
    unique, counts = np.unique(np.array(columns, dtype=np.int32), return_counts=True)
    indices = unique.astype(np.int32)
    tf = counts.astype(np.float64)
    values = (1.0 + np.log(tf)) * idf[indices].astype(np.float64)
    norm = float(np.sqrt(np.dot(values, values)))
    if norm > 0:
        values /= norm
    return SparseRow(indices, values.astype(np.float32))


class TermSpace:
    """Sublinear TF-IDF over a document's terms (concept ids rather than words) and the training
    documents' vectors in it, for their cosine similarities to a new document's.

    Args:
        vocabulary: Term → column.
        idf: Inverse document frequency per column.
        documents: Term × training document TF-IDF (CSR by term).
    """

    def __init__(self, vocabulary: dict[str, int], idf: FloatArray, documents: Csr) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.documents = documents
        self._documents = sp.csr_array(
            (documents.data, documents.indices, documents.indptr), shape=documents.shape
        )

    def similarities(self, terms: list[str]) -> NDArray[np.float64]:
        """Cosine similarity of the document holding ``terms`` (repeats count) to every
        training document: all 0 when none of its terms is known."""
        columns = [column for term in terms if (column := self.vocabulary.get(term)) is not None]
        if not columns:
            return np.zeros(self.documents.shape[1], dtype=np.float64)
        return sparse_dot(weigh(columns, self.idf), self._documents)


def _of_kind(vocabulary: dict[str, int], kind: str) -> dict[str, int]:
    """The features of one kind (``WORD_KIND``, ``CHAR_KIND``), without the prefix → column."""
    return {
        name[len(kind) :]: column for name, column in vocabulary.items() if name.startswith(kind)
    }
