"""Patient-to-patient retrieval scores on PMC-Patients (Zhao et al. 2023, Scientific Data).

Closed-corpus setting: every patient of ``corpus.jsonl`` is indexed; each query is a judged
patient whose own text is the query. From each result list the query patient and every patient
from the same article (same ``pmid``) are dropped, then the top ``k`` are kept. Relevant means
grade >= 1 in the TREC qrels; judged patients from the query's own article are not counted.

Reported, in percent over queries: MRR (reciprocal rank of the first relevant patient in the
kept list; Voorhees 1999), nDCG@10 (Järvelin & Kekäläinen 2002, gain ``2^grade - 1``), P@10 and
recall@k (the JSON key stays ``"recall@1000"``, the default ``k``).

``compare_retrieval`` scores casebook's similar-case search (``casebook.search.hybrid``: BM25
over title and text fused with concept search) and plain BM25 in the same run, on all queries
or on one half of them (``casebook.eval.splits``: settings are tuned on ``tune`` queries and
reported on ``check``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError, ErrorCode
from casebook.eval._io import default_analyze
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import (
    mean,
    ndcg_at_k,
    percent,
    precision_at_k,
    recall_at_k,
    reciprocal_rank,
)
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.datasets import PMC_PATIENTS
from casebook.ingest.folders import require_dir
from casebook.ingest.pmc_patients import read_corpus, read_pmc_patients
from casebook.ingest.qrels import read_qrels
from casebook.model import Case, Document, Source, SourceFormat
from casebook.search.base import Searcher, search_all
from casebook.search.bm25 import BM25Searcher
from casebook.search.hybrid import CaseIndex, CaseTextSearcher
from casebook.search.settings import SearchSettings

SearcherFactory = Callable[[Sequence[str], Sequence[str]], Searcher]


class RetrievalReport(BaseModel):
    """``evaluate_retrieval``'s report; ``model_dump(by_alias=True)`` is its JSON.

    Attributes:
        queries: Queries scored.
        mrr: Mean reciprocal rank, percent.
        ndcg_at_10: Mean nDCG@10, percent (JSON key ``"ndcg@10"``).
        p_at_10: Mean precision@10, percent (JSON key ``"p@10"``).
        recall_at_1000: Mean recall at ``k`` (default 1000), percent (JSON key ``"recall@1000"``).
        skipped: Corpus lines left out of the index and queries not scored, each with its
            error (``id`` is the query id, or ``corpus`` for a corpus line).
        seconds: Wall seconds for indexing and searching (not in the JSON).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    queries: int
    mrr: float
    ndcg_at_10: float = Field(alias="ndcg@10")
    p_at_10: float = Field(alias="p@10")
    recall_at_1000: float = Field(alias="recall@1000")
    skipped: list[SkippedDocument] = Field(default_factory=list)
    seconds: float = Field(default=0.0, exclude=True)


def evaluate_retrieval(
    corpus: Path,
    qrels: Path,
    build_searcher: SearcherFactory = BM25Searcher.index,
    k: int = 1000,
    *,
    limit: int | None = None,
    split: Split = Split.ALL,
) -> RetrievalReport:
    """Score closed-corpus patient-to-patient retrieval.

    Args:
        corpus: ``corpus.jsonl``.
        qrels: TREC qrels ``query_uid 0 patient_uid grade``.
        build_searcher: Builds the system under test from patient ids and texts.
        k: How many results are kept per query after the exclusions.
        limit: Score only the first ``limit`` queries (qrels order), for quick runs.
        split: The half of the queries scored (by query id), or all.

    Returns:
        The report. Corpus lines that cannot be read are left out of the index, and queries
        whose patient is not in the corpus are not scored; ``skipped`` lists both.

    Raises:
        CasebookError: ``CB-E001`` for a missing file; ``CB-E011`` for a malformed qrels file.
    """
    patients, bad_lines = read_corpus(corpus)
    skipped = [SkippedDocument.of("corpus", error) for error in bad_lines]
    judgments = read_qrels(qrels)
    by_uid = {p.uid: p for p in patients}
    query_ids = list(judgments)
    query_ids = select(PMC_PATIENTS, query_ids, str, split)
    query_ids = query_ids[:limit] if limit is not None else query_ids
    for query_id in query_ids:
        if query_id not in by_uid:
            error = CasebookError(
                ErrorCode.MALFORMED_DATASET, f"query {query_id} is not in the corpus", qrels
            )
            skipped.append(SkippedDocument.of(query_id, error))
    query_ids = [q for q in query_ids if q in by_uid]
    article_size: dict[str, int] = {}
    for patient in patients:
        article_size[patient.pmid] = article_size.get(patient.pmid, 0) + 1

    started = time.perf_counter()
    searcher = build_searcher([p.uid for p in patients], [p.text for p in patients])
    queries = [by_uid[q] for q in query_ids]
    # Ask for enough results that k remain once the query's own article is dropped.
    depth = k + max((article_size[q.pmid] for q in queries), default=0)
    results = search_all(searcher, [q.text for q in queries], depth)
    seconds = time.perf_counter() - started

    rr: list[float] = []
    ndcg: list[float] = []
    p10: list[float] = []
    recall: list[float] = []
    for query, hits in zip(queries, results, strict=True):
        ranked = [
            h.id
            for h in hits
            if h.id != query.uid and (h.id not in by_uid or by_uid[h.id].pmid != query.pmid)
        ][:k]
        grades = {
            doc: grade
            for doc, grade in judgments[query.uid].items()
            if doc != query.uid and (doc not in by_uid or by_uid[doc].pmid != query.pmid)
        }
        relevant = {doc for doc, grade in grades.items() if grade >= 1}
        rr.append(reciprocal_rank(ranked, relevant))
        ndcg.append(ndcg_at_k(ranked, grades, 10))
        p10.append(precision_at_k(ranked, relevant, 10))
        recall.append(recall_at_k(ranked, relevant, k))
    return RetrievalReport(
        queries=len(queries),
        mrr=percent(mean(rr)),
        ndcg_at_10=percent(mean(ndcg)),
        p_at_10=percent(mean(p10)),
        recall_at_1000=percent(mean(recall)),
        skipped=skipped,
        seconds=round(seconds, 2),
    )


class RetrievalComparison(BaseModel):
    """casebook's search and plain BM25 on the same queries; ``model_dump(by_alias=True)``
    is its JSON.

    Attributes:
        split: Which queries were scored: a half (``casebook.eval.splits``) or all.
        in_sample: Whether a scored query patient was read in training by a model that
            analysed the cases (``casebook.eval.in_sample``).
        casebook: casebook's fused similar-case search.
        bm25: Plain BM25 (Lucene defaults, English Snowball stemmer and stop words).
        ratio: casebook ÷ BM25 for MRR and nDCG@10.
        skipped: Corpus lines and queries both searches left out (see ``RetrievalReport``).
    """

    model_config = ConfigDict(extra="forbid")

    split: Split
    in_sample: bool = False
    casebook: RetrievalReport
    bm25: RetrievalReport
    ratio: dict[str, float]
    skipped: list[SkippedDocument] = Field(default_factory=list)


class _CaseSource:
    """Analysed corpus patients: read from a folder of Case JSON files, else analysed."""

    def __init__(
        self,
        documents: dict[str, Document],
        folder: Path | None,
        analyze: Callable[[Document], Case],
    ) -> None:
        self.documents = documents
        self.folder = folder
        self.analyze = analyze

    def get(self, case_id: str) -> Case:
        document = self.documents[case_id]
        if self.folder is not None:
            from casebook.service import case_filename

            path = self.folder / case_filename(case_id)
            if path.is_file():
                case = Case.model_validate_json(path.read_bytes())
                if case.text == document.text:
                    return case
        return self.analyze(document)


def case_source(
    corpus: Path, cases: Path | None, analyze: Callable[[Document], Case] = default_analyze
) -> _CaseSource:
    """The analysed patients of a PMC-Patients corpus: read from ``cases`` (a folder of Case
    JSON, ``casebook extract --out``) where a case there has the patient's text, else analysed.

    Raises:
        CasebookError: ``CB-E001`` when ``cases`` is given but is not a folder.
    """
    folder = require_dir(cases) if cases is not None else None
    documents = {d.id: d for d in read_pmc_patients(corpus) if not isinstance(d, CasebookError)}
    return _CaseSource(documents, folder, analyze)


def casebook_searcher(
    corpus: Path,
    cases: Path | None = None,
    settings: SearchSettings | None = None,
    analyze: Callable[[Document], Case] = default_analyze,
) -> SearcherFactory:
    """A factory of casebook's similar-case searcher over a PMC-Patients corpus.

    Args:
        corpus: The ``corpus.jsonl`` the searcher indexes (for titles and metadata).
        cases: A folder of analysed cases (``casebook extract --out``); a patient whose case
            is missing there, or was analysed from another text, is analysed now.
        settings: The search settings; the packaged ones when None.
        analyze: Analyses a document that has no case in ``cases``.

    Raises:
        CasebookError: ``CB-E001`` when ``cases`` is given but is not a folder.
    """
    if cases is not None:
        require_dir(cases)

    def build(ids: Sequence[str], texts: Sequence[str]) -> Searcher:
        source = case_source(corpus, cases, analyze)
        index = CaseIndex.build((source.get(i) for i in ids), settings)
        by_text = dict(zip(texts, ids, strict=True))

        def query_case(text: str) -> Case:
            if text in by_text:
                return source.get(by_text[text])
            return analyze(Document(id="query", text=text, source=Source(format=SourceFormat.TEXT)))

        return CaseTextSearcher(index, query_case)

    return build


def compare_retrieval(
    corpus: Path,
    qrels: Path,
    cases: Path | None = None,
    *,
    split: Split = Split.ALL,
    settings: SearchSettings | None = None,
    analyze: Callable[[Document], Case] = default_analyze,
    trained: Collection[str] | None = None,
) -> RetrievalComparison:
    """Score casebook's search and plain BM25 on the same queries, in one run.

    Args:
        corpus: ``corpus.jsonl``.
        qrels: TREC qrels.
        cases: A folder of analysed cases of the corpus (see ``casebook_searcher``).
        split: The half of the queries scored, or all.
        settings: casebook's search settings; the packaged ones when None.
        analyze: Analyses patients that have no case in ``cases``.
        trained: The ids of the patients ``analyze`` was trained on; by default those the
            shipped models' manifests list when ``analyze`` is the default, else none. The
            cases in ``cases`` are taken to come from the same system.

    Raises:
        CasebookError: As ``evaluate_retrieval``.
    """
    ours = evaluate_retrieval(
        corpus, qrels, casebook_searcher(corpus, cases, settings, analyze), split=split
    )
    bm25 = evaluate_retrieval(corpus, qrels, BM25Searcher.index, split=split)
    queries = select(PMC_PATIENTS, read_qrels(qrels), str, split)
    seen = trained_on(PMC_PATIENTS, analyze, default_analyze, trained)
    return RetrievalComparison(
        split=split,
        in_sample=overlaps(queries, seen),
        # Both searches skip the same lines and queries; the comparison lists them once.
        casebook=ours.model_copy(update={"skipped": []}),
        bm25=bm25.model_copy(update={"skipped": []}),
        ratio={
            "mrr": round(ours.mrr / bm25.mrr, 4) if bm25.mrr else 0.0,
            "ndcg@10": round(ours.ndcg_at_10 / bm25.ndcg_at_10, 4) if bm25.ndcg_at_10 else 0.0,
        },
        skipped=ours.skipped,
    )
