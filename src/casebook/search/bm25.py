"""BM25 lexical search over case texts, built on bm25s.

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
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from casebook.search.base import Hit, top_positions

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


class BM25Searcher:
    """A BM25 index over a fixed collection of documents.

    Build one with :meth:`index`; the constructor is for that method.
    """

    def __init__(
        self,
        ids: Sequence[str],
        retriever: Any,
        vocabulary: dict[str, int],
        stemmer: Any,
        query_idf_power: float = 0.0,
    ) -> None:
        self._ids: tuple[str, ...] = tuple(ids)
        self._retriever = retriever
        self._vocabulary = vocabulary
        self._stemmer = stemmer
        self.query_idf_power = query_idf_power
        self._matrix: sp.csc_array | None = None
        self._idf: npt.NDArray[np.float64] | None = None
        if retriever is not None and query_idf_power > 0:
            scores = retriever.scores
            indptr = np.asarray(scores["indptr"])
            self._matrix = sp.csc_array(
                (scores["data"], scores["indices"], indptr),
                shape=(len(self._ids), len(indptr) - 1),
            )
            df = np.diff(indptr).astype(np.float64)
            n = len(self._ids)
            self._idf = np.log1p((n - df + 0.5) / (df + 0.5)) ** query_idf_power

    @classmethod
    def index(
        cls,
        ids: Sequence[str],
        texts: Sequence[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        method: str = "lucene",
        query_idf_power: float = 0.0,
    ) -> BM25Searcher:
        """Index documents.

        Args:
            ids: Document ids, unique, in the same order as ``texts``.
            texts: Document texts.
            k1: BM25 term-frequency saturation.
            b: BM25 length normalisation.
            method: The bm25s scoring variant.
            query_idf_power: Weight each query token by ``idf^p`` (0: plain BM25).

        Returns:
            A searcher over these documents.

        Raises:
            ValueError: When ``ids`` and ``texts`` differ in length or ``ids`` repeat.
        """
        stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
        return cls.index_tokens(
            ids,
            _tokenize(texts, stemmer),
            k1=k1,
            b=b,
            method=method,
            query_idf_power=query_idf_power,
        )

    @classmethod
    def index_tokens(
        cls,
        ids: Sequence[str],
        tokenized: Sequence[list[str]],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        method: str = "lucene",
        query_idf_power: float = 0.0,
    ) -> BM25Searcher:
        """Index documents already tokenised by :func:`tokenize`.

        Args:
            ids: Document ids, unique, in the same order as ``tokenized``.
            tokenized: Each document's tokens.
            k1: BM25 term-frequency saturation.
            b: BM25 length normalisation.
            method: The bm25s scoring variant.
            query_idf_power: Weight each query token by ``idf^p`` (0: plain BM25).

        Returns:
            A searcher over these documents.

        Raises:
            ValueError: When ``ids`` and ``tokenized`` differ in length or ``ids`` repeat.
        """
        if len(ids) != len(tokenized):
            raise ValueError(f"{len(ids)} ids but {len(tokenized)} texts")
        if len(set(ids)) != len(ids):
            raise ValueError("document ids are not unique")
        stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
        if not any(tokenized):
            # Nothing to index (bm25s cannot average zero lengths); every search finds nothing.
            return cls(ids, None, {}, stemmer, query_idf_power)
        retriever = bm25s.BM25(k1=k1, b=b, method=method)
        retriever.index(list(tokenized), show_progress=False)
        vocabulary = {token: int(i) for token, i in retriever.vocab_dict.items() if token}
        return cls(ids, retriever, vocabulary, stemmer, query_idf_power)

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (created when missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"ids": list(self._ids), "query_idf_power": self.query_idf_power}
        (folder / "bm25_ids.json").write_text(json.dumps(meta), encoding="utf-8")
        if self._retriever is not None:
            self._retriever.save(str(folder / "bm25"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> BM25Searcher:
        """Read an index written by :meth:`save`."""
        meta = json.loads((folder / "bm25_ids.json").read_text(encoding="utf-8"))
        stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
        power = float(meta["query_idf_power"])
        if not (folder / "bm25").is_dir():
            return cls(meta["ids"], None, {}, stemmer, power)
        retriever = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0)
        vocabulary = {token: int(i) for token, i in retriever.vocab_dict.items() if token}
        return cls(meta["ids"], retriever, vocabulary, stemmer, power)

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

    def _scores(self, tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        token_ids = [self._vocabulary[t] for t in tokens if t in self._vocabulary]
        if self._retriever is None or not token_ids:
            return np.zeros(len(self._ids), dtype=np.float32)
        if self._matrix is None or self._idf is None:
            scores: npt.NDArray[np.float32] = self._retriever.get_scores_from_ids(token_ids)
            return scores
        counts = Counter(token_ids)
        columns = list(counts)
        weights = np.array([counts[c] for c in columns], dtype=np.float64) * self._idf[columns]
        return np.asarray(self._matrix[:, columns] @ weights, dtype=np.float32)

    def _search_tokens(self, tokens: Sequence[str], k: int) -> list[Hit]:
        if k <= 0:
            return []
        scores = self._scores(tokens)
        return [
            Hit(id=self._ids[i], score=float(scores[i]), rank=rank)
            for rank, i in enumerate(top_positions(scores, k), start=1)
        ]
