"""Fitting the ICD-10-CM code set: the association lexicon, the scorer and the shown threshold.

``casebook.coding.codeset`` describes what these are. Fitting them needs documents whose codes
are known and that the ranker did not learn from, or its scores would look better than they
are on new text: the training documents are cut into folds, and each fold's candidates are
described by a ranker and a lexicon fitted on the other folds (cross-fitting; Chernozhukov et
al. 2018 use the same device for the same reason). The logistic regression is fitted on those
candidates; the shipped ranker and lexicon are then fitted on all training documents.

The shown threshold is chosen on documents that neither the ranker nor the scorer saw (the
``tune`` half of CodiEsp ``dev``): the lowest score whose shown codes, there, are right at least
``target_precision`` of the time (``precision_threshold``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from casebook.coding.codeset import (
    FEATURES,
    CodeSetSettings,
    candidates,
    coded_findings,
    linked_findings,
    mention_key,
)
from casebook.coding.icd10cm import Icd10Model
from casebook.eval.coding import gold_form
from casebook.kb.associations import reviewed
from casebook.kb.icd10cm import Icd10cmVocabulary
from casebook.model import Case

Labelled = tuple[Case, set[str]]


def association_lexicon(
    labelled: Iterable[Labelled], settings: CodeSetSettings
) -> dict[str, dict[str, float]]:
    """Normalised finding → code → how strongly the two go together in training documents.

    The strength is the Dice coefficient of the two sets of documents, ``2·|both| / (|with
    the finding| + |with the code|)``: high only when each mostly comes with the other, as a
    finding and its code do ("adenopathy" and "Enlarged lymph nodes"), and low for a finding
    that merely accompanies a common code ("dyspnea" in documents coded "Weakness"). A finding
    counts once per document, whatever its assertion (a text that denies "fever" still says
    what "fever" is); a link needs ``association_min_documents`` shared documents and a
    strength of ``association_min_strength``, and must not be one a clinical review rejected
    (``casebook.kb.associations``).
    """
    finding_docs: Counter[str] = Counter()
    code_docs: Counter[str] = Counter()
    joint: dict[str, Counter[str]] = {}
    for case, gold in labelled:
        keys = {mention_key(m) for m in case.mentions if m.type in settings.mention_types} - {""}
        code_docs.update(gold)
        for key in keys:
            finding_docs[key] += 1
            joint.setdefault(key, Counter()).update(gold)
    lexicon: dict[str, dict[str, float]] = {}
    for key, codes in joint.items():
        links = {}
        for code, shared in codes.items():
            strength = 2 * shared / (finding_docs[key] + code_docs[code])
            if (
                shared >= settings.association_min_documents
                and strength >= settings.association_min_strength
            ):
                links[code] = round(strength, 4)
        if links:
            lexicon[key] = links
    return reviewed(lexicon)


def candidate_rows(
    model: Icd10Model,
    labelled: Sequence[Labelled],
    vocabulary: Icd10cmVocabulary,
) -> tuple[list[list[float]], list[int]]:
    """Each supported candidate's features (``FEATURES`` order) and whether it is gold."""
    settings = model.codeset
    rows: list[list[float]] = []
    labels: list[int] = []
    for case, gold in labelled:
        findings = coded_findings(case, settings.mention_types)
        linked = linked_findings(
            case, findings, vocabulary, model.association, settings.codes_per_mention
        )
        ranked = {r.code: r.signals for r in model.rank(case)}
        for candidate in candidates(case, ranked, linked, vocabulary, settings):
            rows.append([candidate.features[name] for name in FEATURES])
            written = gold_form([candidate.code], gold, vocabulary)[0]
            labels.append(int(written in gold))
    return rows, labels


def fold_of(case: Case, folds: int) -> int:
    """A document's fold: a hash of its id, so folds never depend on file order."""
    return hashlib.sha256(case.id.encode()).digest()[0] % folds


def fit_scorer(
    labelled: Sequence[Labelled],
    fit_ranker: Callable[[Sequence[Labelled]], Icd10Model],
    vocabulary: Icd10cmVocabulary,
    settings: CodeSetSettings,
    folds: int = 5,
) -> CodeSetSettings:
    """``settings`` with the logistic regression fitted on cross-fitted candidates.

    Args:
        labelled: Training cases (mentions asserted) with their gold codes, upper case.
        fit_ranker: Fits the document ranker on some of them.
        vocabulary: ICD-10-CM 2026.
        settings: The code-set settings to fit the weights of.
        folds: How many folds.
    """
    from sklearn.linear_model import LogisticRegression

    rows: list[list[float]] = []
    labels: list[int] = []
    for fold in range(folds):
        inside = [item for item in labelled if fold_of(item[0], folds) != fold]
        outside = [item for item in labelled if fold_of(item[0], folds) == fold]
        ranker = fit_ranker(inside)
        ranker.association = association_lexicon(inside, settings)
        ranker.codeset = settings
        fold_rows, fold_labels = candidate_rows(ranker, outside, vocabulary)
        rows += fold_rows
        labels += fold_labels
    regression = LogisticRegression(C=1.0, max_iter=1000)
    regression.fit(np.asarray(rows, dtype=np.float64), np.asarray(labels))
    weights = {
        name: round(float(w), 6) for name, w in zip(FEATURES, regression.coef_[0], strict=True)
    }
    return settings.model_copy(
        update={"weights": weights, "bias": round(float(regression.intercept_[0]), 6)}
    )


def precision_threshold(scored: Iterable[tuple[float, bool]], target: float) -> float:
    """The lowest score whose codes at or above it are right at least ``target`` of the time.

    Among the thresholds meeting the target, the lowest keeps the most codes. Scores are the
    candidates' (score, is gold) pairs of held-out documents. With no threshold meeting the
    target, 1.0 (nothing is shown but certain codes).
    """
    ordered = sorted(scored, key=lambda item: -item[0])
    right = 0
    best = 1.0
    for count, (score, gold) in enumerate(ordered, start=1):
        right += gold
        last_of_tie = count == len(ordered) or ordered[count][0] < score
        if last_of_tie and right / count >= target:
            best = score
    return best
