"""BM25 lexical search over case texts: bm25s's scores, built one document at a time.

Scoring is bm25s's ``"lucene"`` variant (Kamphuis et al. 2020, "Which BM25 do you mean? A
large-scale reproducibility study of scoring variants", ECIR), which is what Lucene 8+ computes.
For a query ``q`` and document ``d``::

    score(q, d) = sum over query tokens t of idf(t) * tfc(t, d)
    tfc(t, d)   = tf(t, d) / (tf(t, d) + k1 * (1 - b + b * dl / avgdl))
    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

There is no ``(k1 + 1)`` factor in the numerator: Lucene dropped it because it does not change the
ranking. ``dl`` and ``avgdl`` count tokens after tokenisation, stop-word removal and stemming.
A query token that occurs twice in the query is counted twice.

Text processing follows bm25s: lower-casing, tokens matching ``\\b\\w\\w+\\b`` (one-character
tokens are dropped), bm25s's English stop-word list, then the English Snowball stemmer from
PyStemmer.

With ``query_idf_power`` p > 0 each query token's contribution is further weighted by
``idf(t)^p``, the query-side idf weighting of the vector-space model (Salton and Buckley 1988,
"Term-weighting approaches in automatic text retrieval", Inf. Process. Manag. 24(5)). A long
query such as a whole case report then leans on its rare, specific words rather than on the
many common ones. p = 0 (the default) is plain BM25.

The index is a documents × tokens matrix of ``idf(t) * tfc(t, d)`` (CSC, one column per token),
the matrix bm25s keeps, scored by gathering the query's columns. It is built here rather than
by bm25s, whose indexing holds every document's token list and several copies of the matrix
at once: a quarter of a million case reports would not fit in a few gigabytes.
``BM25Builder`` takes one document at a time into flat arrays; the scores equal bm25s's
(``tests/unit/search/test_search_bm25.py`` compares them on random corpora).
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from casebook.search.base import (
    Hit,
    column_scores,
    load_columns,
    reorder_rows,
    save_columns,
    top_positions,
)

STOPWORDS: frozenset[str] = frozenset(STOPWORDS_EN)
"""bm25s's English stop-word list."""

STEMMER_LANGUAGE = "english"
"""PyStemmer's English Snowball (Porter2) stemmer."""

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""bm25s's token pattern (scikit-learn's): words of two characters or more."""


def _tokenize(texts: Sequence[str], stemmer: Any) -> list[list[str]]:
    """Lower-case, split, drop stop words and stem, exactly as the index was built.

    The tokens are those of ``bm25s.tokenize(texts, stopwords="en", stemmer=stemmer,
    return_ids=False)``, made without its vocabulary of ids and its progress bars, which cost
    a case's tokenisation more than the splitting and stemming do.
    """
    return [
        stemmer.stemWords([word for word in _TOKEN.findall(text.lower()) if word not in STOPWORDS])
        for text in texts
    ]


class Tokenizer:
    """Turns a document's text into the tokens a BM25 index holds, one document at a time.

    A document's tokens do not depend on the other documents, so they can be computed where
    the document is analysed and indexed later with :meth:`BM25Searcher.index_tokens`.
    """

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)

    def __call__(self, text: str) -> list[str]:
        """The tokens of ``text``, as :meth:`BM25Searcher.index` makes them."""
        return _tokenize([text], self._stemmer)[0]

    def shared_words(self, text: str, tokens: set[str]) -> list[str]:
        """The words of ``text`` that make one of ``tokens``, as written, first use of each
        token only: what of a title a query's words cover (:meth:`BM25Searcher.coverage`)."""
        words: list[str] = []
        seen: set[str] = set()
        for match in _TOKEN.finditer(text):
            word = match.group()
            if word.lower() in STOPWORDS:
                continue
            token = self._stemmer.stemWord(word.lower())
            if token in tokens and token not in seen:
                seen.add(token)
                words.append(word)
        return words


_DOCUMENTS_AT_ONCE = 10_000
"""Documents whose postings are scored at a time while building, bounding temporary arrays."""


class BM25Searcher:
    """A BM25 index over a fixed collection of documents.

    Build one with :meth:`index`, :meth:`index_tokens` or a :class:`BM25Builder`; the
    constructor is for those.

    Args:
        ids: The document ids, in row order.
        matrix: Documents × tokens ``idf * tfc`` (CSC); None when nothing is indexed.
        vocabulary: Token → column.
        stemmer: The stemmer queries are tokenised with.
        query_idf_power: Weight each query token by ``idf^p`` (0: plain BM25).
    """

    def __init__(
        self,
        ids: Sequence[str],
        matrix: sp.csc_array | None,
        vocabulary: dict[str, int],
        stemmer: Any,
        query_idf_power: float = 0.0,
    ) -> None:
        self._ids: tuple[str, ...] = tuple(ids)
        self._matrix = matrix
        self._vocabulary = vocabulary
        self._stemmer = stemmer
        self.query_idf_power = query_idf_power
        self._query_weight: npt.NDArray[np.float64] | None = None
        self._document_weights: npt.NDArray[np.float64] | None = None
        if matrix is not None:
            n = len(self._ids)
            df = np.diff(matrix.indptr).astype(np.float64)
            self._query_weight = np.log1p((n - df + 0.5) / (df + 0.5)) ** query_idf_power
            # Each document's summed token weights, what :meth:`coverage` divides by.
            self._document_weights = np.bincount(
                matrix.indices, weights=matrix.data.astype(np.float64), minlength=n
            ).astype(np.float64)

    @classmethod
    def index(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        query_idf_power: float = 0.0,
    ) -> BM25Searcher:
        """Index documents.

        Args:
            ids: Document ids, unique, in the same order as ``texts``.
            texts: Document texts.
            k1: BM25 term-frequency saturation.
            b: BM25 length normalisation.
            query_idf_power: Weight each query token by ``idf^p`` (0: plain BM25).

        Returns:
            A searcher over these documents.

        Raises:
            ValueError: When ``ids`` and ``texts`` differ in length or ``ids`` repeat.
        """
        stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
        return cls.index_tokens(
            ids, _tokenize(texts, stemmer), k1=k1, b=b, query_idf_power=query_idf_power
        )

    @classmethod
    def index_tokens(
        cls,
        ids: Sequence[str],
        tokenized: Sequence[Sequence[str]],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        query_idf_power: float = 0.0,
    ) -> BM25Searcher:
        """Index documents already tokenised by :class:`Tokenizer`.

        Args:
            ids: Document ids, unique, in the same order as ``tokenized``.
            tokenized: Each document's tokens.
            k1: BM25 term-frequency saturation.
            b: BM25 length normalisation.
            query_idf_power: Weight each query token by ``idf^p`` (0: plain BM25).

        Returns:
            A searcher over these documents.

        Raises:
            ValueError: When ``ids`` and ``tokenized`` differ in length or ``ids`` repeat.
        """
        builder = BM25Builder(k1, b, query_idf_power)
        for tokens in tokenized:
            builder.add(tokens)
        return builder.build(ids)

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (created when missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "ids": list(self._ids),
            "query_idf_power": self.query_idf_power,
            "vocabulary": list(self._vocabulary),
        }
        (folder / "bm25_ids.json").write_text(json.dumps(meta), encoding="utf-8")
        if self._matrix is not None:
            save_columns(folder / "bm25.npz", self._matrix)

    @classmethod
    def load(cls, folder: Path) -> BM25Searcher:
        """Read an index written by :meth:`save`."""
        meta = json.loads((folder / "bm25_ids.json").read_text(encoding="utf-8"))
        stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
        power = float(meta["query_idf_power"])
        vocabulary = {token: i for i, token in enumerate(meta["vocabulary"])}
        if not (folder / "bm25.npz").is_file():
            return cls(meta["ids"], None, {}, stemmer, power)
        matrix = load_columns(folder / "bm25.npz")
        return cls(meta["ids"], matrix, vocabulary, stemmer, power)

    def __len__(self) -> int:
        """How many documents are indexed."""
        return len(self._ids)

    def search(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` documents for ``query``.

        Only documents sharing at least one token with the query are returned; ties are broken
        by index order, so results are deterministic.

        Args:
            query: Free text.
            k: The most hits to return.

        Returns:
            Hits, best first, ranks from 1.
        """
        return self._search_tokens(_tokenize([query], self._stemmer)[0], k)

    def batch_search(self, queries: Sequence[str], k: int, n_threads: int = 2) -> list[list[Hit]]:
        """``search`` for each query, spread over threads.

        Args:
            queries: Query texts.
            k: The most hits to return per query.
            n_threads: Worker threads; 1 or less runs in this thread.

        Returns:
            One hit list per query, in query order.
        """
        tokenized = _tokenize(queries, self._stemmer)
        if n_threads <= 1 or len(tokenized) <= 1:
            return [self._search_tokens(tokens, k) for tokens in tokenized]
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            return list(pool.map(lambda tokens: self._search_tokens(tokens, k), tokenized))

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """The BM25 score of every indexed document for ``query``, in index order."""
        return self._scores(_tokenize([query], self._stemmer)[0])

    def coverage(self, query: str) -> npt.NDArray[np.float64]:
        """The share of each indexed document that ``query`` covers, in index order: the sum of
        the document's BM25 token weights (``idf · tfc``) over the tokens the query holds,
        divided by their sum over all its tokens (0 for a document with no tokens).

        The reverse of :meth:`scores`: it asks how much of the document the query says, not how
        much of the query the document says, so a short document (a title) all of whose rare
        words the query names scores 1 however long the query is.
        """
        vocabulary = self._vocabulary
        present = {vocabulary[t] for t in _tokenize([query], self._stemmer)[0] if t in vocabulary}
        result = np.zeros(len(self._ids), dtype=np.float64)
        whole = self._document_weights
        if self._matrix is None or whole is None or not present:
            return result
        columns = np.fromiter(present, dtype=np.int64, count=len(present))
        covered = column_scores(self._matrix, columns, np.ones(len(columns))).astype(np.float64)
        np.divide(covered, whole, out=result, where=whole > 0)
        return result

    def common_tokens(self, share: float) -> frozenset[str]:
        """The tokens at least ``share`` of the indexed documents hold, and more than one."""
        if self._matrix is None:
            return frozenset()
        counts = np.diff(self._matrix.indptr)
        least = max(share * len(self._ids), 2.0)
        return frozenset(
            token for token, column in self._vocabulary.items() if counts[column] >= least
        )

    def _scores(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        counts = Counter(self._vocabulary[t] for t in tokens if t in self._vocabulary)
        if self._matrix is None or self._query_weight is None or not counts:
            return np.zeros(len(self._ids), dtype=np.float32)
        columns = np.fromiter(counts, dtype=np.int64, count=len(counts))
        weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights *= self._query_weight[columns]
        return column_scores(self._matrix, columns, weights)

    def _search_tokens(self, tokens: Sequence[str], k: int) -> list[Hit]:
        if k <= 0:
            return []
        scores = self._scores(tokens)
        return [
            Hit(id=self._ids[i], score=float(scores[i]), rank=rank)
            for rank, i in enumerate(top_positions(scores, k), start=1)
        ]


class BM25Builder:
    """Builds a :class:`BM25Searcher` one document at a time, in memory that grows with the
    index, not with the documents' Python objects.

    Each document's distinct tokens and their counts go into flat arrays as it is added, rows
    in order as a CSR matrix holds them; :meth:`build` turns the counts into scores in place
    and the matrix into columns (scipy's CSR to CSC conversion), so that building needs little
    more than the index itself.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75, query_idf_power: float = 0.0) -> None:
        self.k1 = k1
        self.b = b
        self.query_idf_power = query_idf_power
        self._vocabulary: dict[str, int] = {}
        self._columns = array("i")
        self._counts = array("f")
        self._sizes = array("q")
        self._lengths = array("q")

    def add(self, tokens: Sequence[str]) -> None:
        """Add the next document's tokens (as :class:`Tokenizer` makes them)."""
        counts = Counter(tokens)
        vocabulary = self._vocabulary
        self._columns.extend([vocabulary.setdefault(t, len(vocabulary)) for t in counts])
        self._counts.extend(counts.values())
        self._sizes.append(len(counts))
        self._lengths.append(len(tokens))

    def build(self, ids: Sequence[str], rows: npt.NDArray[np.int64] | None = None) -> BM25Searcher:
        """The searcher over the documents added; the builder is empty afterwards.

        Args:
            ids: The documents' ids, in index order.
            rows: Which document added is at each position of the index (a permutation of
                the order added); None when they are in the order added.

        Raises:
            ValueError: When ``ids`` and the documents differ in number or ``ids`` repeat.
        """
        n = len(self._lengths)
        if len(ids) != n:
            raise ValueError(f"{len(ids)} ids but {n} texts")
        if len(set(ids)) != len(ids):
            raise ValueError("document ids are not unique")
        stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
        if not self._columns:
            # Nothing indexed; every search finds nothing.
            return BM25Searcher(ids, None, {}, stemmer, self.query_idf_power)
        columns = np.frombuffer(self._columns, dtype=np.int32)
        scores = np.frombuffer(self._counts, dtype=np.float32)  # the counts, scored in place
        sizes = np.frombuffer(self._sizes, dtype=np.int64)
        lengths = np.frombuffer(self._lengths, dtype=np.int64)
        self._columns, self._counts, self._sizes, self._lengths = (
            array("i"),
            array("f"),
            array("q"),
            array("q"),
        )
        df = np.bincount(columns, minlength=len(self._vocabulary)).astype(np.float64)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = (self.k1 * (1 - self.b + self.b * lengths / lengths.mean())).astype(np.float32)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        for first in range(0, n, _DOCUMENTS_AT_ONCE):
            last = min(n, first + _DOCUMENTS_AT_ONCE)
            part = slice(int(indptr[first]), int(indptr[last]))
            tf = scores[part]
            scores[part] = (
                idf[columns[part]] * tf / (tf + np.repeat(norm[first:last], sizes[first:last]))
            )
        by_document = sp.csr_array((scores, columns, indptr), shape=(n, len(self._vocabulary)))
        matrix = by_document.tocsc()
        del by_document, columns, scores  # the rows' arrays, before the columns are sorted
        if rows is None:
            matrix.sort_indices()
        else:
            reorder_rows(matrix, rows)
        vocabulary, self._vocabulary = self._vocabulary, {}
        return BM25Searcher(ids, matrix, vocabulary, stemmer, self.query_idf_power)
