"""Retrieval scores on a seven-patient fixture, with a prepared searcher."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from casebook.components import pipeline_from_names
from casebook.errors import CasebookError, ErrorCode
from casebook.eval.retrieval import compare_retrieval, evaluate_retrieval
from casebook.eval.splits import Split
from casebook.ingest.pmc_patients import read_pmc_patients
from casebook.model import Case, Document
from casebook.search.base import Hit, Searcher
from casebook.search.bm25 import BM25Searcher
from casebook.service import write_case

PMC = Path(__file__).parents[2] / "fixtures" / "eval" / "pmc"

# Query patient -> the ranking the fake searcher returns (it includes the query itself and a
# patient of the query's own article, which the evaluator must drop).
RANKINGS = {
    "q1-1": ["q1-1", "q1-2", "a-1", "b-1", "c-1", "d-1"],
    "q2-1": ["c-1", "q2-1", "d-1"],
}


class FakeSearcher:
    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.by_text = dict(zip(texts, ids, strict=True))
        self.depths: list[int] = []

    def search(self, query: str, k: int) -> list[Hit]:
        self.depths.append(k)
        ranked = RANKINGS[self.by_text[query]][:k]
        return [Hit(id=i, score=10.0 - r, rank=r) for r, i in enumerate(ranked, start=1)]


BUILT: list[FakeSearcher] = []


def build(ids: Sequence[str], texts: Sequence[str]) -> Searcher:
    searcher = FakeSearcher(ids, texts)
    BUILT.append(searcher)
    return searcher


def test_evaluate_retrieval_by_hand() -> None:
    report = evaluate_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", build)
    # q1-1 after dropping itself and q1-2 (same pmid): a-1 b-1 c-1 d-1; grades b-1=1, d-1=2
    # (q1-2's judgment is not counted).
    #   RR = 1/2; P@10 = 2/10; recall = 2/2
    #   DCG = 1/log2(3) + 3/log2(5) = 0.63093 + 1.29203; IDCG = 3/log2(2) + 1/log2(3)
    ndcg_q1 = (1 / math.log2(3) + 3 / math.log2(5)) / (3 + 1 / math.log2(3))  # 0.52960
    # q2-1 after dropping itself: c-1 d-1; relevant a-1 never retrieved: all 0.
    assert report.model_dump(by_alias=True) == {
        "queries": 2,
        "mrr": 25.0,
        "ndcg@10": round(100 * ndcg_q1 / 2, 2),
        "p@10": 10.0,
        "recall@1000": 50.0,
        "skipped": [],
    }
    assert round(100 * ndcg_q1 / 2, 2) == 26.48
    # each query asks for k plus the largest article's size (2), so k survive the exclusions
    assert BUILT[-1].depths == [1002, 1002]


def test_limit_scores_the_first_queries() -> None:
    report = evaluate_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", build, limit=1)
    assert report.model_dump(by_alias=True) == {
        "queries": 1,
        "mrr": 50.0,
        "ndcg@10": 52.96,
        "p@10": 20.0,
        "recall@1000": 100.0,
        "skipped": [],
    }


def test_with_bm25_on_the_fixture() -> None:
    report = evaluate_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", BM25Searcher.index)
    dumped = report.model_dump(by_alias=True)
    assert set(dumped) == {"queries", "mrr", "ndcg@10", "p@10", "recall@1000", "skipped"}
    assert dumped["queries"] == 2


def test_a_query_patient_not_in_the_corpus_is_skipped(tmp_path: Path) -> None:
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text((PMC / "qrels.tsv").read_text(encoding="utf-8") + "zz-1 0 a-1 1\n")
    report = evaluate_retrieval(PMC / "corpus.jsonl", qrels, build)
    assert report.queries == 2
    assert report.mrr == evaluate_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", build).mrr
    assert [(s.id, s.code) for s in report.skipped] == [("zz-1", "CB-E011")]


def test_malformed_qrels(tmp_path: Path) -> None:
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("q1-1 0 a-1\n")
    with pytest.raises(CasebookError) as caught:
        evaluate_retrieval(PMC / "corpus.jsonl", qrels, build)
    assert caught.value.code is ErrorCode.MALFORMED_DATASET
    qrels.write_text("q1-1 0 a-1 high\n")
    with pytest.raises(CasebookError) as caught:
        evaluate_retrieval(PMC / "corpus.jsonl", qrels, build)
    assert caught.value.code is ErrorCode.MALFORMED_DATASET


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        evaluate_retrieval(tmp_path / "corpus.jsonl", PMC / "qrels.tsv", build)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND
    with pytest.raises(CasebookError) as caught:
        evaluate_retrieval(PMC / "corpus.jsonl", tmp_path / "qrels.tsv", build)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND


def test_a_malformed_corpus_line_is_skipped_and_the_rest_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("{oops\n" + (PMC / "corpus.jsonl").read_text(encoding="utf-8"))
    report = evaluate_retrieval(corpus, PMC / "qrels.tsv", build)
    expected = evaluate_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", build)
    assert (report.queries, report.mrr) == (expected.queries, expected.mrr)
    assert [(s.id, s.code) for s in report.skipped] == [("corpus", "CB-E008")]
    assert "line 1" in report.skipped[0].message


def test_split_scores_half_the_queries() -> None:
    tune = evaluate_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", build, split=Split.TUNE)
    check = evaluate_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", build, split=Split.CHECK)
    assert (tune.queries, tune.mrr) == (1, 0.0)  # q2-1
    assert (check.queries, check.mrr) == (1, 50.0)  # q1-1


_LIGHT = pipeline_from_names(("sections", "sentences", "patient"))


def test_compare_reads_analysed_cases_and_analyses_the_rest(tmp_path: Path) -> None:
    documents = [d for d in read_pmc_patients(PMC / "corpus.jsonl") if isinstance(d, Document)]
    folder = tmp_path / "cases"
    folder.mkdir()
    for document in documents[:3]:
        write_case(_LIGHT(document), folder)
    analysed: list[str] = []

    def analyze(document: Document) -> Case:
        analysed.append(document.id)
        return _LIGHT(document)

    report = compare_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", folder, analyze=analyze)
    # Patients without a case in the folder are analysed (the query q1-1 is in the folder).
    assert set(analysed) == {d.id for d in documents[3:]}
    dumped = report.model_dump(by_alias=True)
    assert set(dumped) == {"split", "in_sample", "casebook", "bm25", "ratio", "skipped"}
    assert dumped["bm25"] == evaluate_retrieval(
        PMC / "corpus.jsonl", PMC / "qrels.tsv", BM25Searcher.index
    ).model_dump(by_alias=True)
    assert dumped["casebook"]["queries"] == 2
    assert set(dumped["ratio"]) == {"mrr", "ndcg@10"}
    with pytest.raises(CasebookError) as caught:
        compare_retrieval(PMC / "corpus.jsonl", PMC / "qrels.tsv", tmp_path / "missing")
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND
