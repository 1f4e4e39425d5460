"""The document ranking's re-ranker: trees read as scikit-learn reads them, and what they do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from casebook.coding.dictionary import TermIndex
from casebook.coding.icd10cm import Icd10Model, Icd10Settings, RankedCode
from casebook.coding.rerank import RERANK_FEATURES, RerankSettings, TreeEnsemble
from casebook.model import (
    Case,
    Source,
    SourceFormat,
)
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter

_PREPARE = Pipeline([SectionDetector(), SentenceSplitter()])

CORPUS = [
    ("d1", "Fever and a cough with sputum; pneumonia was diagnosed.", {"J18.9", "R50.9"}),
    ("d2", "Productive cough; the radiograph showed pneumonia.", {"J18.9"}),
    ("d3", "High blood pressure for years, treated with enalapril.", {"I10"}),
    ("d4", "Known hypertension, blood pressure 170/100 on admission.", {"I10"}),
]
"""A tiny corpus, written for these tests."""


def make_case(text: str, case_id: str) -> Case:
    return _PREPARE.run(Case(id=case_id, text=text, source=Source(format=SourceFormat.TEXT)))


@pytest.fixture(scope="module")
def small_model() -> Icd10Model:
    pytest.importorskip("sklearn")
    from casebook.train.icd10 import fit

    index = TermIndex.build([("J18.9", "Pneumonia"), ("R31.9", "Hematuria")])
    labelled = [(make_case(text, doc), codes) for doc, text, codes in CORPUS]
    return fit(labelled, Icd10Settings(min_df=1), index=index, leaf=[True] * 2)


def one_split(feature: str, below: float, above: float) -> TreeEnsemble:
    """One tree: ``below`` where ``feature`` is at most 0, else ``above``."""
    return TreeEnsemble(
        baseline=0.0,
        roots=np.array([0]),
        feature=np.array([RERANK_FEATURES.index(feature), -1, -1]),
        threshold=np.array([0.0, 0.0, 0.0]),
        left=np.array([1, -1, -1]),
        right=np.array([2, -1, -1]),
        value=np.array([0.0, below, above]),
    )


def test_trees_are_read_as_scikit_learn_reads_them() -> None:
    pytest.importorskip("sklearn")
    from sklearn.ensemble import HistGradientBoostingClassifier

    from casebook.train.rerank import tree_ensemble

    generator = np.random.default_rng(7)
    rows = generator.normal(size=(3000, len(RERANK_FEATURES)))
    labels = rows[:, 0] + rows[:, 3] ** 2 - rows[:, 10] > 0.5
    trees = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, early_stopping=False).fit(
        rows, labels
    )
    unseen = generator.normal(size=(500, len(RERANK_FEATURES)))
    assert np.allclose(tree_ensemble(trees).decision(unseen), trees.decision_function(unseen))


HEMATURIA = "Pneumonia with a cough; he did not report hematuria."


def test_the_reranker_orders_the_document_ranking_by_its_probability(
    small_model: Icd10Model, denied_hematuria: Callable[[str, str], Case]
) -> None:
    case = denied_hematuria(HEMATURIA, "new")
    fused = small_model.document_ranking(case)
    assert fused[0].code == "J18.9"
    # Trees that trust a code only a denied finding names: R31.9 goes first, its fused score
    # kept among its signals.
    small_model.reranker = one_split("negated_mentions", -2.0, 2.0)
    try:
        reranked = small_model.document_ranking(case)
    finally:
        small_model.reranker = None
    assert reranked[0].code == "R31.9"
    assert reranked[0].score == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert reranked[0].signals["fused"] == next(r.score for r in fused if r.code == "R31.9")
    assert {r.code for r in reranked} == {r.code for r in fused}


def test_the_reranker_is_saved_with_the_model(
    small_model: Icd10Model, tmp_path: Path, denied_hematuria: Callable[[str, str], Case]
) -> None:
    small_model.reranker = one_split("negated_mentions", -2.0, 2.0)
    try:
        small_model.save(tmp_path)
    finally:
        small_model.reranker = None
    loaded = Icd10Model.load(tmp_path)
    assert loaded.reranker is not None
    assert loaded.document_ranking(denied_hematuria(HEMATURIA, "new"))[0].code == "R31.9"


def test_an_empty_ensemble_gives_every_row_its_baseline() -> None:
    empty = TreeEnsemble(
        baseline=-1.5,
        roots=np.zeros(0, dtype=np.int64),
        feature=np.zeros(0, dtype=np.int64),
        threshold=np.zeros(0),
        left=np.zeros(0, dtype=np.int64),
        right=np.zeros(0, dtype=np.int64),
        value=np.zeros(0),
    )
    assert empty.decision(np.zeros((3, len(RERANK_FEATURES)))).tolist() == [-1.5] * 3


def test_the_reranker_reads_a_category_s_rival_candidates_and_a_code_s_term_precision(
    small_model: Icd10Model,
) -> None:
    case = make_case("Pneumonia with a cough.", "rivals")
    ranked = [
        RankedCode("J18.9", 0.9, {}),
        RankedCode("J18.0", 0.5, {}),
        RankedCode("I10", 0.2, {}),
    ]
    similarity = small_model.similarities(small_model.tfidf.transform(case.text))
    rows = small_model.rerank_features(case, similarity, ranked)
    rivals = rows[:, RERANK_FEATURES.index("category_candidates")]
    precision = rows[:, RERANK_FEATURES.index("dictionary_precision")]
    assert rivals.tolist() == pytest.approx([np.log(2), np.log(2), 0.0])
    # J18.9 has an ICD-10-CM term in the index, the others none.
    assert precision[0] == pytest.approx(float(small_model.precision[0])) and precision[0] > 0
    assert precision[1:].tolist() == [0.0, 0.0]


def test_the_reranker_s_candidates_are_cross_fitted_over_ten_folds_of_train() -> None:
    assert RerankSettings().folds == 10
