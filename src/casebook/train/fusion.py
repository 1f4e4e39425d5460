"""Fit the learned fusion's weights (``search_fusion.json``) on PMC-Patients ``tune`` queries.

The queries are judged patients of the ``tune`` half (``casebook.eval.splits``), searched as
``casebook eval retrieval`` searches them: every patient of the corpus is indexed, the query's
own case is never a hit, and patients of the query's own article are neither candidates nor
judged. Each query's candidates (``CaseIndex.candidates``) become a ``JudgedQuery`` and
``casebook.search.learned.fit_averaged`` fits the weights, starting from the weights
that imitate the CombSUM fusion with the patient boost. The ``check`` half is never read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np

from casebook.eval._io import default_analyze
from casebook.eval.retrieval import case_source
from casebook.eval.splits import Split, select
from casebook.ingest.datasets import PMC_PATIENTS
from casebook.ingest.pmc_patients import CorpusPatient, read_corpus
from casebook.ingest.qrels import read_qrels
from casebook.model import Case, Document
from casebook.search.hybrid import CaseIndex
from casebook.search.learned import (
    JudgedQuery,
    as_vector,
    better_on,
    candidate_features,
    fit_averaged,
    mean_objective,
)
from casebook.search.settings import FittedOn, FusionModel, SearchSettings, load_search_settings

REFERENCE = (
    "Metzler and Croft (2007), Linear feature-based models for information retrieval, "
    "Information Retrieval 10(3): 257-274"
)

OBJECTIVE = (
    "mean of reciprocal rank and nDCG@10 over the queries; coordinate ascent, the weights "
    "averaged over 5 fits on 4/5 of the queries (seed 0)"
)


def starting_weights(settings: SearchSettings) -> dict[str, float]:
    """Weights that rank as the CombSUM fusion with the patient boost nearly does: the
    searchers' fusion weights, no concept group of its own, the patient boost's shares
    added rather than multiplied, and the stage feature's starting weight."""
    start = {"text": settings.fusion.weights.get("text", 0.0)}
    start["concepts"] = settings.fusion.weights.get("concepts", 0.0)
    patient = settings.patient
    return start | {
        "age": patient.age_weight,
        "sex": patient.sex_weight,
        "stage": patient.stage_weight,
    }


def judged_queries(
    index: CaseIndex,
    patients: Iterable[CorpusPatient],
    judgments: Mapping[str, Mapping[str, int]],
) -> list[JudgedQuery]:
    """The candidates of each judged query patient, with their features and grades.

    Args:
        index: The index of every patient of the corpus.
        patients: The corpus's patients (for their articles).
        judgments: Query patient → judged patient → grade, of the queries to fit on.
    """
    article = {p.uid: p.pmid for p in patients}
    queries: list[JudgedQuery] = []
    for query_id, judged in judgments.items():
        query = index.stored_query(query_id)
        rows, scores = index.candidates(query, exclude=[query_id])
        features = candidate_features(scores)
        ids = [index.ids[int(row)] for row in rows]
        # As the evaluation reads a ranking: patients of the query's own article are dropped.
        keep = [i for i, case_id in enumerate(ids) if article.get(case_id) != article[query_id]]
        grades = {d: g for d, g in judged.items() if article.get(d) != article[query_id]}
        queries.append(
            JudgedQuery(
                features=features[keep],
                grades=np.array([grades.get(ids[i], 0) for i in keep], dtype=np.float64),
                tie=rows[keep],
                ideal=tuple(float(g) for g in grades.values() if g > 0),
            )
        )
    return queries


def fit_fusion(
    corpus: Path,
    qrels: Path,
    cases: Path | None,
    out: Path,
    command: str,
    floors: Mapping[str, float],
    settings: SearchSettings | None = None,
    analyze: Callable[[Document], Case] = default_analyze,
    previous: Mapping[str, float] | None = None,
) -> FusionModel:
    """Fit the weights on the ``tune`` queries and write them to ``out``; where the weights
    ``previous`` score at least as well on those queries, write them instead.

    Args:
        corpus: PMC-Patients ``corpus.jsonl``.
        qrels: Its TREC qrels.
        cases: A folder of the corpus's analysed cases (``casebook extract --out``).
        out: The weights file to write.
        command: The command line, recorded in the file.
        floors: The least weight of some features.
        settings: The search settings; the packaged ones when None.
        analyze: Analyses a patient with no case in ``cases``.
        previous: The weights the file held before, if any.
    """
    settings = settings or load_search_settings()
    patients, _ = read_corpus(corpus)
    source = case_source(corpus, cases, analyze)
    index = CaseIndex.build((source.get(p.uid) for p in patients), settings)
    uids = {p.uid for p in patients}
    judgments = read_qrels(qrels)
    tune = [q for q in select(PMC_PATIENTS, list(judgments), str, Split.TUNE) if q in uids]
    queries = judged_queries(index, patients, {q: judgments[q] for q in tune})
    names = index.features
    start = as_vector({name: 0.0 for name in names} | starting_weights(settings), names)
    lowest = as_vector({name: 0.0 for name in names} | dict(floors), names)
    before = (
        None
        if previous is None
        else as_vector({name: 0.0 for name in names} | dict(previous), names)
    )
    weights, _ = better_on(queries, fit_averaged(queries, start, lowest), before)
    model = FusionModel(
        version="1",
        reference=REFERENCE,
        weights={name: round(float(w), 6) for name, w in zip(names, weights, strict=True)},
        floors=dict(floors),
        fitted_on=FittedOn(
            dataset=PMC_PATIENTS,
            split="tune",
            queries=len(queries),
            candidates=sum(len(q.grades) for q in queries),
            command=command,
            objective=OBJECTIVE,
            fitted=round(100 * mean_objective(queries, weights), 2),
            start=round(100 * mean_objective(queries, start / start.sum()), 2),
            previous=None
            if before is None or before.sum() <= 0
            else round(100 * mean_objective(queries, before / before.sum()), 2),
        ),
    )
    out.write_text(json.dumps(model.model_dump(), indent=2) + "\n", encoding="utf-8")
    return model
