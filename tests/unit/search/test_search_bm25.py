"""BM25 scores pinned to hand computations of bm25s's Lucene variant."""

from __future__ import annotations

import math
from pathlib import Path

import bm25s
import pytest
import Stemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.search.base import Hit, Searcher
from casebook.search.bm25 import STEMMER_LANGUAGE, BM25Searcher, Tokenizer, _tokenize

K1, B = 1.2, 0.75

IDS = ["d1", "d2", "d3"]
TEXTS = [
    "Fever and cough in a child.",  # -> fever, cough, child                 (dl 3)
    "Coughing, coughing and more coughing.",  # -> cough, cough, more, cough  (dl 4)
    "A rash on the arms.",  # -> rash, arm                                    (dl 2)
]
# Stop words (bm25s "en") removed: and, in, a, on, the; one-letter tokens are dropped anyway.
# N = 3, avgdl = (3 + 4 + 2) / 3 = 3.


def idf(df: int, n: int = 3) -> float:
    """Lucene idf: ln(1 + (N - df + 0.5) / (df + 0.5))."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def tfc(tf: int, dl: int, avgdl: float = 3.0) -> float:
    """bm25s's "lucene" term part: tf / (tf + k1 (1 - b + b dl / avgdl)).

    bm25s (like Lucene 8+) leaves out the constant (k1 + 1) numerator factor of the textbook
    formula; it scales every score alike and does not change rankings.
    """
    return tf / (tf + K1 * (1 - B + B * dl / avgdl))


@pytest.fixture(scope="module")
def searcher() -> BM25Searcher:
    return BM25Searcher.index(IDS, TEXTS)


def test_pinned_scores(searcher: BM25Searcher) -> None:
    # Query "Coughs with fevers" -> cough, fever ("with" is a stop word).
    # df(cough) = 2, df(fever) = 1.
    # d1: cough tf 1, fever tf 1, dl 3 -> (ln 1.6 + ln 8/3) / 2.2           = 0.659470
    # d2: cough tf 3, dl 4 -> ln 1.6 * 3 / (3 + 1.2 * 1.25) = ln 1.6 * 2/3  = 0.313336
    # d3: no query term -> not returned.
    d1 = idf(2) * tfc(1, 3) + idf(1) * tfc(1, 3)
    d2 = idf(2) * tfc(3, 4)
    assert d1 == pytest.approx((math.log(1.6) + math.log(8 / 3)) / 2.2)
    assert d2 == pytest.approx(math.log(1.6) * 2 / 3)
    hits = searcher.search("Coughs with fevers", k=10)
    assert [(h.id, h.rank) for h in hits] == [("d1", 1), ("d2", 2)]
    assert hits[0].score == pytest.approx(d1, abs=1e-5)
    assert hits[1].score == pytest.approx(d2, abs=1e-5)
    assert hits[0].score == pytest.approx(0.659470, abs=1e-5)
    assert hits[1].score == pytest.approx(0.313336, abs=1e-5)


def test_k_cuts_the_list(searcher: BM25Searcher) -> None:
    assert [h.id for h in searcher.search("cough fever", k=1)] == ["d1"]
    assert searcher.search("cough fever", k=0) == []


def test_unknown_or_stop_word_query_finds_nothing(searcher: BM25Searcher) -> None:
    assert searcher.search("zebra", k=5) == []
    assert searcher.search("the and of", k=5) == []
    assert searcher.search("", k=5) == []


def test_repeated_query_term_counts_twice(searcher: BM25Searcher) -> None:
    # bm25s sums the score of each query token, repeats included: rash rash = 2 * rash.
    once = searcher.search("rash", k=1)[0].score
    twice = searcher.search("rash rash", k=1)[0].score
    assert twice == pytest.approx(2 * once, abs=1e-5)
    # d3: rash tf 1, dl 2, df 1 -> ln(8/3) / (1 + 1.2 * (0.25 + 0.5))
    assert once == pytest.approx(idf(1) * tfc(1, 2), abs=1e-5)


def test_batch_search_matches_search(searcher: BM25Searcher) -> None:
    queries = ["cough", "arm rash", "child fever", "nothing here"]
    expected = [searcher.search(q, 3) for q in queries]
    assert searcher.batch_search(queries, 3, n_threads=2) == expected
    assert searcher.batch_search(queries, 3, n_threads=1) == expected
    assert searcher.batch_search([], 3) == []


def test_ties_keep_index_order() -> None:
    tied = BM25Searcher.index(["b", "a", "c"], ["renal cyst", "renal cyst", "renal cyst"])
    assert [h.id for h in tied.search("cyst", 2)] == ["b", "a"]
    assert [h.rank for h in tied.search("cyst", 3)] == [1, 2, 3]


def test_edge_corpora() -> None:
    assert BM25Searcher.index([], []).search("cough", 5) == []
    assert BM25Searcher.index(["x"], ["the a of"]).search("the", 5) == []
    with pytest.raises(ValueError):
        BM25Searcher.index(["x"], [])
    with pytest.raises(ValueError):
        BM25Searcher.index(["x", "x"], ["a", "b"])


def test_is_a_searcher(searcher: BM25Searcher) -> None:
    assert isinstance(searcher, Searcher)
    assert len(searcher) == 3
    assert Hit(id="d1", score=1.0, rank=1) == Hit("d1", 1.0, 1)


def test_query_words_weighted_by_idf() -> None:
    # With p = 1 each query token's BM25 part is multiplied by idf(t): cough (df 2) and
    # fever (df 1) for d1 give idf(2)^2 tfc + idf(1)^2 tfc.
    weighted = BM25Searcher.index(IDS, TEXTS, query_idf_power=1.0)
    hits = weighted.search("Coughs with fevers", k=10)
    d1 = idf(2) ** 2 * tfc(1, 3) + idf(1) ** 2 * tfc(1, 3)
    d2 = idf(2) ** 2 * tfc(3, 4)
    assert [h.id for h in hits] == ["d1", "d2"]
    assert hits[0].score == pytest.approx(d1, abs=1e-5)
    assert hits[1].score == pytest.approx(d2, abs=1e-5)
    # A repeated query word still counts twice.
    once = weighted.search("rash", k=1)[0].score
    assert weighted.search("rash rash", k=1)[0].score == pytest.approx(2 * once, abs=1e-5)


@pytest.mark.parametrize("power", [0.0, 1.5])
def test_save_and_load(tmp_path: Path, power: float) -> None:
    built = BM25Searcher.index(IDS, TEXTS, query_idf_power=power)
    built.save(tmp_path / "index")
    loaded = BM25Searcher.load(tmp_path / "index")
    for query in ("Coughs with fevers", "arm rash", "zebra"):
        assert loaded.search(query, 3) == built.search(query, 3)
    empty = BM25Searcher.index([], [])
    empty.save(tmp_path / "empty")
    assert BM25Searcher.load(tmp_path / "empty").search("cough", 3) == []


# Stop words in any case, stems, non-ASCII letters (one that lower-cases to two characters),
# digits, underscores and separators.
PIECES = ["The", "and", "A", "Running", "kidneys", "x-rays", "Ærø", "naïve", "ﬁbrosis", "İ"]
PIECES += ["_", "42", " ", "  ", ".", ",", "-", "\n", "'s"]
TEXTS_OF_PIECES = st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS_OF_PIECES, max_size=4))
def test_tokens_are_those_of_bm25s(texts: list[str]) -> None:
    """The index's own tokeniser gives bm25s's tokens: an index built before it still serves."""
    stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
    expected = bm25s.tokenize(
        texts, lower=True, stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
    )
    assert _tokenize(texts, stemmer) == [list(tokens) for tokens in expected]


WORDS = ["fever", "cough", "rash", "renal", "cyst", "child", "arm", "pain", "the", "lymphoma"]
CORPORA = st.lists(
    st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), min_size=1, max_size=8
)


@settings(max_examples=100, deadline=None)
@given(CORPORA, st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join))
def test_scores_are_those_of_bm25s(texts: list[str], query: str) -> None:
    """The index built one document at a time scores every document as bm25s's does."""
    stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
    tokens = _tokenize(texts, stemmer)
    if not any(tokens):
        return
    ids = [f"d{i}" for i in range(len(texts))]
    reference = bm25s.BM25(k1=K1, b=B, method="lucene")
    reference.index([list(t) for t in tokens], show_progress=False)
    query_ids = [
        reference.vocab_dict[t] for t in _tokenize([query], stemmer)[0] if t in reference.vocab_dict
    ]
    expected = reference.get_scores_from_ids(query_ids) if query_ids else [0.0] * len(texts)
    ours = BM25Searcher.index(ids, texts, k1=K1, b=B).scores(query)
    assert list(ours) == pytest.approx(list(expected), abs=1e-5)


def test_coverage_is_the_share_of_a_document_the_query_names() -> None:
    titles = BM25Searcher.index(
        ["a", "b", "c"],
        ["Kikuchi disease", "Fever of unknown origin", "Kikuchi disease in a child"],
    )
    covered = titles.coverage("A woman had fever and tender nodes: Kikuchi disease.")
    assert covered[0] == pytest.approx(1.0)
    # "fever" alone of the second title; all but "child" of the third.
    assert 0 < covered[1] < 1 and 0 < covered[2] < 1
    assert titles.coverage("").tolist() == [0.0, 0.0, 0.0]
    assert BM25Searcher.index(["x"], ["the"]).coverage("the").tolist() == [0.0]


def test_a_titles_shared_words_are_its_own_words_whose_stems_the_query_holds() -> None:
    tokenizer = Tokenizer()
    query = set(tokenizer("Two embolisms in the lungs of a woman who flew"))
    # "Embolism" and "Lung" stem as the query's plurals do; "of" is a stop word.
    assert tokenizer.shared_words("Embolism of the Lung: a Lung Case", query) == [
        "Embolism",
        "Lung",
    ]


def test_common_tokens_are_those_of_a_share_of_the_documents_and_more_than_one() -> None:
    titles = ["Case report: a rash", "Case report of gout", "A case of gout", "Lupus"]
    searcher = BM25Searcher.index([str(i) for i in range(4)], titles)
    assert searcher.common_tokens(0.5) == {"case", "report", "gout"}
    assert searcher.common_tokens(0.7) == {"case"}
    # However small the share, a token of one document only is never common.
    assert "lupus" not in searcher.common_tokens(0.01)
