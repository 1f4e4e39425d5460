"""Fitting the document ranking's re-ranker (``casebook.coding.rerank``) on CodiEsp ``train``.

Each training document's candidates are those of a ranker that never saw it: ``train`` is cut
into folds by document id (``fold_of``), and each fold is ranked by a ranker, association lexicon
and code-set scorer fitted on the other folds, so that the trees learn how far to trust scores
as they fall on unseen text. scikit-learn's histogram gradient boosting grows the trees
(``HistGradientBoostingClassifier``); what is kept is their nodes as plain arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from casebook.coding.codeset import CodeSetSettings
from casebook.coding.component import Icd10Coder
from casebook.coding.icd10cm import Icd10Model
from casebook.coding.rerank import MONOTONE, RERANK_FEATURES, RerankSettings, TreeEnsemble
from casebook.model import Case
from casebook.train.codeset import association_lexicon, fold_of

Labelled = tuple[Case, set[str]]


def rerank_rows(
    model: Icd10Model, labelled: Sequence[Labelled]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """The re-ranker's rows of every candidate the model's document ranking gives the cases,
    and whether each candidate is one of its document's gold codes."""
    coder = Icd10Coder(model)
    blocks: list[NDArray[np.float64]] = [np.zeros((0, len(RERANK_FEATURES)))]
    labels: list[bool] = []
    for case, gold in labelled:
        coded = coder(case)
        ranked = model.document_ranking(coded)
        similarity = model.similarities(model.tfidf.transform(coded.text))
        blocks.append(model.rerank_features(coded, similarity, ranked))
        labels += [ranked_code.code in gold for ranked_code in ranked]
    return np.vstack(blocks), np.asarray(labels, dtype=np.bool_)


def fit_reranker(
    labelled: Sequence[Labelled],
    fit_ranker: Callable[[Sequence[Labelled]], Icd10Model],
    codeset: CodeSetSettings,
    settings: RerankSettings,
) -> TreeEnsemble | None:
    """The trees fitted on cross-fitted candidates of ``labelled``; None for 0 iterations.

    Args:
        labelled: Training cases (mentions asserted) with their gold codes, upper case.
        fit_ranker: Fits the document ranker (without a re-ranker) on some of them.
        codeset: The fitted code-set settings each fold's coder scores candidates with.
        settings: How the trees are grown.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    if settings.iterations == 0:
        return None
    blocks: list[NDArray[np.float64]] = []
    labels: list[NDArray[np.bool_]] = []
    for fold in range(settings.folds):
        inside = [item for item in labelled if fold_of(item[0], settings.folds) != fold]
        outside = [item for item in labelled if fold_of(item[0], settings.folds) == fold]
        ranker = fit_ranker(inside)
        ranker.association = association_lexicon(inside, codeset)
        ranker.codeset = codeset
        fold_rows, fold_labels = rerank_rows(ranker, outside)
        blocks.append(fold_rows)
        labels.append(fold_labels)
    trees = HistGradientBoostingClassifier(
        learning_rate=settings.learning_rate,
        max_iter=settings.iterations,
        max_leaf_nodes=settings.leaves,
        l2_regularization=settings.l2,
        early_stopping=False,
        monotonic_cst=[int(name in MONOTONE) for name in RERANK_FEATURES],
    )
    trees.fit(np.vstack(blocks), np.concatenate(labels))
    return tree_ensemble(trees)


def tree_ensemble(trees: Any) -> TreeEnsemble:
    """A fitted binary ``HistGradientBoostingClassifier``'s trees as flat arrays.

    Its nodes (``_predictors``, one tree per iteration) are concatenated, child indices shifted
    to each tree's place; a leaf's feature is -1. Its own ``decision_function`` and
    ``TreeEnsemble.decision`` agree on rows without missing values.
    """
    roots: list[int] = []
    parts: list[tuple[NDArray[Any], ...]] = []
    offset = 0
    for (predictor,) in trees._predictors:
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        roots.append(offset)
        parts.append(
            (
                np.where(leaf, -1, nodes["feature_idx"]).astype(np.int64),
                nodes["num_threshold"].astype(np.float64),
                np.where(leaf, -1, nodes["left"].astype(np.int64) + offset),
                np.where(leaf, -1, nodes["right"].astype(np.int64) + offset),
                nodes["value"].astype(np.float64),
            )
        )
        offset += len(nodes)
    columns = [np.concatenate(column) for column in zip(*parts, strict=True)]
    return TreeEnsemble(
        baseline=float(np.ravel(trees._baseline_prediction)[0]),
        roots=np.asarray(roots, dtype=np.int64),
        feature=columns[0],
        threshold=columns[1],
        left=columns[2],
        right=columns[3],
        value=columns[4],
    )
