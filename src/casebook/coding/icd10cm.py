"""ICD-10-CM diagnosis ranking: supervised signal from CodiEsp fused with ICD-10-CM terms.

Three signals score each candidate code of a document, each in ``[0, 1]``:

* ``linear``: kernel ridge regression (Hoerl and Kennard 1970; Shawe-Taylor and Cristianini
  2004, ch. 2) of each code's 0/1 label on sublinear TF-IDF word and character n-grams, with the
  linear kernel: ``score(x) = k(x) · A`` where ``k(x)`` is the cosine similarity of ``x`` to
  every training document and ``A = (K + λI)⁻¹ Y`` is solved once for all codes (K: the
  training documents' similarities, Y: their labels). It is exactly one-vs-rest ridge regression
  over the TF-IDF features, but trained for every code at once in the dual (750 documents, not
  tens of thousands of features), and it scores codes seen only once. Clipped to ``[0, 1]``, the
  regression is a linear probability estimate. The same regression of each three-character
  category's label (a document carries the category when it carries any code of it), weighted
  ``category_weight``, is added to each code's own: most codes have one or two training
  documents, and the category pools the evidence of its codes (the hierarchy as a prior over
  sparse labels, as in Perotte et al. 2014, "Diagnosis code assignment: models and evaluation
  metrics", JAMIA). The kernel is the sum of the text's and, weighted ``concept_weight``,
  the cosine similarity of the HPO ids the documents' finding mentions carry (sublinear
  TF-IDF over the ids, the same for any assertion but another person's): two texts worded
  apart that name the same phenotypes are alike to it;
* ``knn``: the share of similarity mass among the ``knn_k`` most similar training documents
  that carries the code (``Σ sim`` of neighbours with the code ``/ Σ sim`` of all ``knn_k``),
  the brief's reference ranker, kept as a signal whose weight cross-validation set to 0;
* ``dictionary``: when an ICD-10-CM title or inclusion term of the code matches a sentence
  (``casebook.coding.dictionary``) in a phrase ConText does not mark negated or familial, the
  code's smoothed precision on the training documents, ``(g + α·p0) / (m + α)`` (m: training
  documents where it matched, g: those where it was gold, p0: the pooled precision of its kind,
  leaf or not; additive smoothing towards a prior, Manning et al. 2008, §13.2). This is what
  reaches codes never seen in training.

``fuse`` combines them by a weighted arithmetic mean, the weighted CombSUM of Fox and Shaw
(1994): ``Σ wᵢ sᵢ / Σ wᵢ``, a missing signal counting 0. λ and the weights are settings chosen
by 5-fold cross-validation on CodiEsp ``train`` only, never on the documents scored.

``document_ranking``, what CodiEsp-D's MAP scores, adds the code set's evidence and that of the
negated, uncertain and past findings, and, with a trained re-ranker
(``casebook.coding.rerank``), orders the candidates by its trees' probability.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from pydantic import Field

from casebook.blas import one_blas_thread
from casebook.cache import digest, load_or_build
from casebook.coding.codeset import CodeSetSettings
from casebook.coding.dictionary import DictionaryMatch, TermIndex
from casebook.coding.features import Csr, SparseRow, TermSpace, TfidfModel, sparse_dot
from casebook.coding.rerank import RERANK_FEATURES, RerankSettings, TreeEnsemble
from casebook.errors import CasebookError, ErrorCode
from casebook.kb.icd10cm import load_icd10cm
from casebook.model import Assertion, Case, CodeSystem, EntityType, RecordModel, Span
from casebook.nlp.assertion import ContextAssertion

_DENSE_MIN_DOCS = 200
"""Features in at least this many training documents are multiplied as a dense block (13 MB
for the shipped model's 2,106 such features, a third of the time of gathering them)."""

MODEL_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
SIGNALS: tuple[str, ...] = ("linear", "knn", "dictionary")


class Icd10Settings(RecordModel):
    """Everything that decides the trained model; stored with it and in its model card."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (3, 5)
    min_df: int = Field(default=2, ge=1, description="Documents a feature must occur in.")
    ridge: float = Field(default=0.1, gt=0, description="λ of the kernel ridge regression.")
    knn_k: int = Field(default=30, ge=1)
    alpha: float = Field(default=2.0, gt=0, description="Smoothing of dictionary precision.")
    weights: dict[str, float] = Field(
        default_factory=lambda: {"linear": 1.0, "knn": 0.0, "dictionary": 1.0},
        description="Fusion weight per signal; a signal weighted 0 is not computed.",
    )
    excluded: list[Assertion] = Field(
        default_factory=lambda: [Assertion.FAMILY],
        description="Assertions whose dictionary matches are dropped: another person's "
        "conditions; a denied one stays, since CodiEsp's coders code it (the code set's "
        "candidates still need a present finding).",
    )
    max_codes: int = Field(default=50, ge=1, description="Codes kept per document.")
    ranking_depth: int = Field(
        default=200, ge=1, description="Codes the document ranking (``document_ranking``) lists."
    )
    category_weight: float = Field(
        default=0.3,
        ge=0,
        description="Weight of the kernel ridge score of a code's three-character category, "
        "added to the code's own linear score.",
    )
    concept_weight: float = Field(
        default=0.15,
        ge=0,
        description="Weight of the HPO-id kernel added to the text kernel (``concept_terms``).",
    )
    codeset_weight: float = Field(
        default=0.5,
        ge=0,
        description="Weight of a code's code-set score added to its fused score in the ranking.",
    )
    named_weight: float = Field(
        default=0.3,
        ge=0,
        description="Weight of the link score of a code a negated, uncertain or past finding "
        "names, added to its fused score in the ranking (never to the shown codes).",
    )
    rerank: RerankSettings = Field(
        default_factory=RerankSettings,
        description="The trees that re-rank the document ranking's candidates "
        "(``casebook.coding.rerank``).",
    )


def fuse(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Weighted CombSUM (Fox and Shaw 1994): ``Σ wᵢ sᵢ / Σ wᵢ`` over the weighted signals.

    A signal missing from ``scores`` counts 0, so a code supported by one signal ranks below
    one supported equally by two. With scores in ``[0, 1]`` and non-negative weights the result
    is in ``[0, 1]``.

    Args:
        scores: Signal name → score in ``[0, 1]``.
        weights: Signal name → non-negative weight.

    Returns:
        The fused score; 0 when all weights are 0.

    Raises:
        ValueError: For a negative weight or a score outside ``[0, 1]``.
    """
    columns = {name: np.array([score], dtype=np.float64) for name, score in scores.items()}
    return float(fuse_columns(columns, weights, 1)[0])


def fuse_columns(
    scores: Mapping[str, NDArray[np.float64]], weights: Mapping[str, float], size: int
) -> NDArray[np.float64]:
    """``fuse`` for ``size`` candidates at once: one score array per signal, same order.

    Args:
        scores: Signal name → the candidates' scores in ``[0, 1]``; a missing signal counts 0.
        weights: Signal name → non-negative weight.
        size: How many candidates.

    Returns:
        The fused score of each candidate; all 0 when all weights are 0.

    Raises:
        ValueError: For a negative weight or a score outside ``[0, 1]``.
    """
    total = np.zeros(size, dtype=np.float64)
    norm = 0.0
    for name, weight in weights.items():
        if weight < 0:
            raise ValueError(f"negative weight for {name!r}")
        column = scores.get(name)
        if column is not None:
            outside = (column < 0.0) | (column > 1.0) | np.isnan(column)
            if outside.any():
                raise ValueError(f"score {column[outside][0]} of {name!r} is outside [0, 1]")
            total = total + weight * column
        norm += weight
    return total / norm if norm else np.zeros(size, dtype=np.float64)


_RANKED_SIGNALS: tuple[str, ...] = ("linear", "dictionary", "codeset", "named")
"""The document ranking's signals the re-ranker reads (``knn`` has its own feature)."""

NAMED_ASSERTIONS = frozenset({Assertion.NEGATED, Assertion.UNCERTAIN, Assertion.HISTORICAL})
"""Assertions of the findings whose codes the document ranking reads beside the code set's."""


@dataclass
class RankedCode:
    """One ranked code: fused score and the signals behind it."""

    code: str
    score: float
    signals: dict[str, float]


def add_evidence(
    ranked: Sequence[RankedCode], scores: Mapping[str, float], weight: float, signal: str
) -> list[RankedCode]:
    """The ranking with one more signal added: ``score + weight · signal score``.

    A weighted CombSUM (Fox and Shaw 1994) of the ranker's score and a later stage's: a code a
    present finding names (the code set) rises above codes the document's words alone suggest,
    and a code the ranker left out enters with its weighted score alone.

    Args:
        ranked: The ranking so far.
        scores: Code → its score in ``[0, 1]`` by the added signal.
        weight: The signal's weight, at least 0.
        signal: The name the score is kept under in each code's ``signals``.

    Returns:
        The fused ranking, best first, ties in code order.
    """
    fused = {r.code: RankedCode(r.code, r.score, dict(r.signals)) for r in ranked}
    for code, score in scores.items():
        entry = fused.setdefault(code, RankedCode(code, 0.0, {}))
        entry.score += weight * score
        entry.signals[signal] = score
    return sorted(fused.values(), key=lambda r: (-r.score, r.code))


def dictionary_evidence(
    case: Case,
    index: TermIndex,
    assertion: ContextAssertion,
    excluded: frozenset[Assertion],
) -> dict[str, list[Span]]:
    """Codes whose terms match the case's sentences, with the matched spans.

    Each match is asserted by ConText as a ``Disease_disorder`` mention would be; matches it
    marks with an excluded assertion ("her mother had diabetes") are dropped.
    A mention that abbreviates a term the text defined ("CSF leak" after "cerebrospinal fluid
    (CSF)") is matched through its ``expansion`` too, its evidence being the mention. The case
    itself is left unchanged.

    Args:
        case: A case with text, sections and sentences.
        index: The ICD-10-CM term index.
        assertion: The ConText component.
        excluded: Assertions whose matches are dropped.

    Returns:
        Code → evidence spans, in text order, for codes with at least one kept match.
    """
    sentences = case.sentences or [Span(start=0, end=len(case.text))]
    matches = index.match_spans(case.text, [(s.start, s.end) for s in sentences])
    expanded = [mention for mention in case.mentions if mention.expansion]
    by_mention = index.match_texts([mention.expansion or "" for mention in expanded])
    matches += [
        DictionaryMatch(m.code, m.term, mention.start, mention.end)
        for mention, found in zip(expanded, by_mention, strict=True)
        for m in found
    ]
    if not matches:
        return {}
    spans = sorted({(m.start, m.end) for m in matches})
    asserted = assertion.assert_spans(case, spans, EntityType.DISEASE_DISORDER)
    kept = {span for span, found in zip(spans, asserted, strict=True) if found not in excluded}
    found: dict[str, dict[tuple[int, int], Span]] = {}
    for match in sorted(matches, key=lambda m: (m.start, m.end)):
        if (match.start, match.end) in kept:
            spans_of = found.setdefault(match.code, {})
            if (match.start, match.end) not in spans_of:
                spans_of[match.start, match.end] = Span(start=match.start, end=match.end)
    return {code: list(spans.values()) for code, spans in found.items()}


class Icd10Model:
    """The trained ranker: TF-IDF, linear weights, neighbours and the term index.

    Args:
        settings: The settings it was trained with.
        tfidf: The feature model.
        labels: Every code the supervised signals know, upper case, CodiEsp form.
        dual: Training document × label dual coefficients ``A`` of the kernel ridge regression.
        category_dual: Training document × category dual coefficients of the same regression
            of the labels' three-character categories.
        label_category: Each label's column of ``category_dual``.
        concepts: The training documents' HPO ids (``concept_terms``) as TF-IDF vectors.
        neighbours: Feature × training document TF-IDF (CSR by feature).
        doc_labels: The label indices of each training document.
        index: The ICD-10-CM term index.
        precision: Smoothed dictionary precision per code of ``index``.
        displays: Code → ICD-10-CM title, for every code the model can emit.
        association: The association lexicon: normalised finding → code → precision
            (``casebook.coding.codeset``).
        codeset: How the case's code set is scored and which codes are shown.
        reranker: The trees that re-rank the document ranking, if trained.
    """

    def __init__(
        self,
        settings: Icd10Settings,
        tfidf: TfidfModel,
        labels: Sequence[str],
        dual: NDArray[np.float32],
        category_dual: NDArray[np.float32],
        label_category: NDArray[np.int64],
        concepts: TermSpace,
        neighbours: Csr,
        doc_labels: Sequence[Sequence[int]],
        index: TermIndex,
        precision: NDArray[np.float32],
        displays: Mapping[str, str],
        association: Mapping[str, Mapping[str, float]] | None = None,
        codeset: CodeSetSettings | None = None,
        reranker: TreeEnsemble | None = None,
    ) -> None:
        self.settings = settings
        self.tfidf = tfidf
        self.labels = list(labels)
        self.dual = dual
        self.category_dual = category_dual
        self.label_category = label_category
        self.concepts = concepts
        self.neighbours = neighbours
        self._neighbours_sparse = sp.csr_array(
            (neighbours.data, neighbours.indices, neighbours.indptr), shape=neighbours.shape
        )
        (self._dense_feature, self._dense_slot, self._dense_rows) = _dense_head(neighbours)
        self.doc_labels = [list(d) for d in doc_labels]
        self.index = index
        self.precision = precision
        self.displays = dict(displays)
        self.association = {k: dict(v) for k, v in (association or {}).items()}
        self.codeset = codeset or CodeSetSettings()
        self.reranker = reranker
        self.excluded = frozenset(settings.excluded)
        self._label_ids = {code: i for i, code in enumerate(self.labels)}
        self._label_documents = np.bincount(
            np.asarray([label for labels in self.doc_labels for label in labels], dtype=np.int64),
            minlength=len(self.labels),
        )
        self._term_code_ids = {code: i for i, code in enumerate(index.codes)}
        self._assertion: ContextAssertion | None = None
        self._feature_names: list[str] | None = None

    @property
    def assertion(self) -> ContextAssertion:
        """The ConText component, built on first use."""
        if self._assertion is None:
            self._assertion = ContextAssertion()
        return self._assertion

    def similarities(self, vector: SparseRow) -> NDArray[np.float64]:
        """Cosine similarity of a TF-IDF vector to every training document.

        Features in many training documents (character n-grams such as ``" th"``) hold most of
        the matrix's entries; their rows are kept dense and multiplied at once, the others are
        gathered (``sparse_dot``). The sum is the same up to the order of additions and the
        dense part's float32 rounding (below 1e-7 on MACCROBAT).
        """
        dense = self._dense_feature[vector.indices]
        query = np.zeros(self._dense_rows.shape[0], dtype=np.float32)
        query[self._dense_slot[vector.indices[dense]]] = vector.values[dense]
        rare = SparseRow(vector.indices[~dense], vector.values[~dense])
        similarity: NDArray[np.float64] = (query @ self._dense_rows).astype(np.float64)
        similarity += sparse_dot(rare, self._neighbours_sparse)
        return similarity

    def kernel_row(self, case: Case, similarity: NDArray[np.float64]) -> NDArray[np.float64]:
        """The case's kernel values against every training document, as the linear signal
        reads them: its text ``similarity`` plus ``concept_weight`` times its HPO ids'."""
        weight = self.settings.concept_weight
        if weight == 0:
            return similarity
        return similarity + weight * self.concepts.similarities(concept_terms(case, self.excluded))

    def linear_scores(self, similarity: NDArray[np.float64]) -> NDArray[np.float64]:
        """Kernel ridge score of every label (``labels`` order), with ``category_weight`` times
        its category's, each clipped to ``[0, 1]``.

        The product runs in float32, the coefficients' own precision: it reads half the bytes
        of a float64 one (the coefficients are the size of a large cache), and its scores differ
        by less than 2e-6.
        """
        query = similarity.astype(np.float32)
        scores: NDArray[np.float64] = np.clip((query @ self.dual).astype(np.float64), 0.0, 1.0)
        weight = self.settings.category_weight
        if weight > 0:
            category = np.clip((query @ self.category_dual).astype(np.float64), 0.0, 1.0)
            scores = np.clip(scores + weight * category[self.label_category], 0.0, 1.0)
        return scores

    def knn_scores(self, similarity: NDArray[np.float64]) -> dict[str, float]:
        """Share of the nearest training documents' similarity that carries each code."""
        k = min(self.settings.knn_k, similarity.size)
        if k == 0:
            return {}
        nearest = np.argpartition(-similarity, k - 1)[:k]
        mass = float(similarity[nearest].sum())
        if mass <= 0:
            return {}
        votes: dict[str, float] = {}
        for doc in nearest.tolist():
            sim = float(similarity[doc])
            for label in self.doc_labels[doc]:
                code = self.labels[label]
                votes[code] = votes.get(code, 0.0) + sim
        return {code: min(1.0, vote / mass) for code, vote in votes.items()}

    def dictionary_scores(self, case: Case) -> dict[str, float]:
        """Calibrated precision of each code whose terms the case asserts."""
        evidence = dictionary_evidence(case, self.index, self.assertion, self.excluded)
        return {code: float(self.precision[self._term_code_ids[code]]) for code in evidence}

    def rank(self, case: Case) -> list[RankedCode]:
        """The case's codes, best first, at most ``max_codes``, every score above 0.

        Ties keep code order so that the ranking is deterministic. The products here are one
        document's: BLAS runs them on one thread, since more would only spin.
        """
        with one_blas_thread():
            similarity = self.similarities(self.tfidf.transform(case.text))
            return self._rank(case, similarity, self.settings.max_codes)

    def document_ranking(self, case: Case, rerank: bool = True) -> list[RankedCode]:
        """The codes a CodiEsp coder would give the analysed document, best first: what
        CodiEsp-D's MAP scores.

        The ranker's codes, ``ranking_depth`` deep, with each code of the case's code set
        (``case.codes``, a present finding of the patient naming it) raised by
        ``codeset_weight`` times its code-set score, and each code a negated, uncertain or past
        finding names raised by ``named_weight`` times its link score (``add_evidence``):
        CodiEsp's coders code the diagnoses a document names, denied ones too ("he did not
        report hematuria" is coded R31.9). The case's shown codes never hold those. With a
        trained ``reranker`` and ``rerank`` the candidates are then ordered by its probability,
        the fused score kept among their signals as ``fused``.
        """
        with one_blas_thread():
            similarity = self.similarities(self.tfidf.transform(case.text))
            ranked = self._rank(case, similarity, self.settings.ranking_depth)
        supported: dict[str, float] = {}
        for code in case.codes:
            if code.system is CodeSystem.ICD10CM:
                supported[code.code] = max(code.score, supported.get(code.code, 0.0))
        named: dict[str, float] = {}
        for mention in case.mentions:
            if mention.assertion in NAMED_ASSERTIONS:
                for linked in mention.codes:
                    if linked.system is CodeSystem.ICD10CM:
                        named[linked.code] = max(linked.score, named.get(linked.code, 0.0))
        ranked = add_evidence(ranked, supported, self.settings.codeset_weight, "codeset")
        ranked = add_evidence(ranked, named, self.settings.named_weight, "named")
        if self.reranker is None or not rerank or not ranked:
            return ranked
        with one_blas_thread():
            rows = self.rerank_features(case, similarity, ranked)
        probability = self.reranker.probability(rows)
        reranked = [
            RankedCode(r.code, float(p), {**r.signals, "fused": r.score})
            for r, p in zip(ranked, probability, strict=True)
        ]
        return sorted(reranked, key=lambda r: (-r.score, r.code))

    def rerank_features(
        self, case: Case, similarity: NDArray[np.float64], ranked: Sequence[RankedCode]
    ) -> NDArray[np.float64]:
        """Each ranked code's evidence, one row per code in ``RERANK_FEATURES`` order.

        Args:
            case: The analysed case, its mentions coded.
            similarity: The case's text similarity to every training document.
            ranked: The document ranking before re-ranking, best first.
        """
        kernel = self.kernel_row(case, similarity).astype(np.float32)
        own = np.clip((kernel @ self.dual).astype(np.float64), 0.0, 1.0)
        category = np.clip((kernel @ self.category_dual).astype(np.float64), 0.0, 1.0)
        knn = self.knn_scores(similarity)
        told: dict[str, dict[Assertion, int]] = {}
        for mention in case.mentions:
            for linked in mention.codes:
                if linked.system is CodeSystem.ICD10CM:
                    counts = told.setdefault(linked.code, {})
                    counts[mention.assertion] = counts.get(mention.assertion, 0) + 1
        vocabulary = load_icd10cm()
        rows = np.zeros((len(ranked), len(RERANK_FEATURES)), dtype=np.float64)
        per_category = Counter(entry.code[:3] for entry in ranked)
        categories: set[str] = set()
        for position, entry in enumerate(ranked):
            code, signals = entry.code, entry.signals
            label = self._label_ids.get(code)
            counts = told.get(code, {})
            values: dict[str, float] = {name: signals.get(name, 0.0) for name in _RANKED_SIGNALS}
            values |= {f"has_{name}": float(name in signals) for name in _RANKED_SIGNALS}
            values |= {
                "fused": entry.score,
                "position": float(np.log1p(position)),
                "category": 0.0 if label is None else float(category[self.label_category[label]]),
                "own": 0.0 if label is None else float(own[label]),
                "training_documents": float(
                    np.log1p(0 if label is None else self._label_documents[label])
                ),
                "trained": float(label is not None),
                "billable": float(code in vocabulary and vocabulary.is_billable(code)),
                "first_of_category": float(code[:3] not in categories),
                "present_mentions": float(np.log1p(counts.get(Assertion.PRESENT, 0))),
                "negated_mentions": float(np.log1p(counts.get(Assertion.NEGATED, 0))),
                "uncertain_mentions": float(np.log1p(counts.get(Assertion.UNCERTAIN, 0))),
                "historical_mentions": float(np.log1p(counts.get(Assertion.HISTORICAL, 0))),
                "symptom_chapter": float(code.startswith("R")),
                "status_chapter": float(code.startswith("Z")),
                "injury_chapter": float(code[:1] in ("S", "T")),
                "knn": knn.get(code, 0.0),
                "refined": float(len(code) > 4),
                "category_candidates": float(np.log1p(per_category[code[:3]] - 1)),
                "dictionary_precision": (
                    float(self.precision[self._term_code_ids[code]])
                    if code in self._term_code_ids
                    else 0.0
                ),
            }
            categories.add(code[:3])
            rows[position] = [values[name] for name in RERANK_FEATURES]
        return rows

    def _rank(self, case: Case, similarity: NDArray[np.float64], limit: int) -> list[RankedCode]:
        weights = self.settings.weights
        # The linear signal scores every label (a thousand above 0 in a typical text): it stays
        # an array over the labels; the others name few codes, some of them no label.
        linear = (
            self.linear_scores(self.kernel_row(case, similarity))
            if weights.get("linear", 0.0) > 0
            else None
        )
        sparse: dict[str, dict[str, float]] = {}
        if weights.get("knn", 0.0) > 0:
            sparse["knn"] = self.knn_scores(similarity)
        if weights.get("dictionary", 0.0) > 0:
            sparse["dictionary"] = self.dictionary_scores(case)
        codes = self.labels + sorted(
            {code for signal in sparse.values() for code in signal} - self._label_ids.keys()
        )
        place = {code: i for i, code in enumerate(codes[len(self.labels) :], len(self.labels))}
        columns: dict[str, NDArray[np.float64]] = {}
        if linear is not None:
            columns["linear"] = np.zeros(len(codes), dtype=np.float64)
            columns["linear"][: linear.size] = linear
        for name, signal in sparse.items():
            column = np.zeros(len(codes), dtype=np.float64)
            for code, score in signal.items():
                column[self._label_ids.get(code, place.get(code, -1))] = score
            columns[name] = column
        fused = fuse_columns(columns, weights, len(codes))
        positive = np.flatnonzero(fused > 0)
        if positive.size > limit:
            # Only codes scoring at least the limit-th best can make the cut (ties too).
            least = np.partition(fused[positive], positive.size - limit)[positive.size - limit]
            positive = positive[fused[positive] >= least]
        # Best first; ties in code order, so that the ranking is deterministic.
        best = sorted(positive.tolist(), key=lambda i: (-fused[i], codes[i]))
        kept: list[RankedCode] = []
        for number in best[:limit]:
            code = codes[number]
            by_signal: dict[str, float] = {}
            if linear is not None and number < linear.size and linear[number] > 0:
                by_signal["linear"] = float(linear[number])
            by_signal |= {name: sig[code] for name, sig in sparse.items() if code in sig}
            kept.append(RankedCode(code, float(fused[number]), by_signal))
        return kept

    @property
    def feature_names(self) -> list[str]:
        """Feature strings by column."""
        if self._feature_names is None:
            names = [""] * len(self.tfidf.vocabulary)
            for name, column in self.tfidf.vocabulary.items():
                names[column] = name
            self._feature_names = names
        return self._feature_names

    def save(self, folder: Path) -> None:
        """Write ``model.json`` (settings, strings) and ``arrays.npz`` (numbers) to ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": 1,
            "settings": self.settings.model_dump(mode="json"),
            "features": self.feature_names,
            "labels": self.labels,
            "concepts": sorted(self.concepts.vocabulary, key=self.concepts.vocabulary.__getitem__),
            "doc_labels": self.doc_labels,
            "terms": {"words": self.index.words, "codes": self.index.codes},
            "displays": self.displays,
            "association": self.association,
            "codeset": self.codeset.model_dump(mode="json"),
        }
        (folder / MODEL_FILE).write_text(json.dumps(meta, separators=(",", ":")), "utf-8")
        arrays: dict[str, NDArray[Any]] = dict(
            idf=self.tfidf.idf,
            dual=self.dual,
            category_dual=self.category_dual,
            label_category=self.label_category,
            concept_idf=self.concepts.idf,
            concept_indptr=self.concepts.documents.indptr,
            concept_indices=self.concepts.documents.indices,
            concept_data=self.concepts.documents.data,
            neighbours_indptr=self.neighbours.indptr,
            neighbours_indices=self.neighbours.indices,
            neighbours_data=self.neighbours.data,
            term_codes=self.index.term_codes,
            term_offsets=self.index.term_offsets,
            term_words=self.index.term_words,
            precision=self.precision,
        )
        if self.reranker is not None:
            arrays |= self.reranker.arrays()
        np.savez_compressed(folder / ARRAYS_FILE, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, folder: Path) -> Icd10Model:
        """Read a model written by ``save``.

        Raises:
            CasebookError: ``CB-E012`` when a file is missing or does not have the format.
        """
        try:
            meta = json.loads((folder / MODEL_FILE).read_text("utf-8"))
            arrays = load_or_build(
                "icd10-arrays", digest(folder / ARRAYS_FILE), dict, partial(_arrays, folder)
            )
            settings = Icd10Settings.model_validate(meta["settings"])
            features: list[str] = meta["features"]
            n_features = len(features)
            n_docs = len(meta["doc_labels"])
            tfidf = TfidfModel(
                {name: i for i, name in enumerate(features)},
                arrays["idf"],
                settings.word_ngrams,
                settings.char_ngrams,
            )
            neighbours = Csr(
                arrays["neighbours_indptr"],
                arrays["neighbours_indices"],
                arrays["neighbours_data"],
                (n_features, n_docs),
            )
            concept_names: list[str] = meta["concepts"]
            concepts = TermSpace(
                {name: i for i, name in enumerate(concept_names)},
                arrays["concept_idf"],
                Csr(
                    arrays["concept_indptr"],
                    arrays["concept_indices"],
                    arrays["concept_data"],
                    (len(concept_names), n_docs),
                ),
            )
            index = TermIndex(
                meta["terms"]["words"],
                arrays["term_codes"],
                arrays["term_offsets"],
                arrays["term_words"],
                meta["terms"]["codes"],
            )
            return cls(
                settings=settings,
                tfidf=tfidf,
                labels=meta["labels"],
                dual=arrays["dual"],
                category_dual=arrays["category_dual"],
                label_category=arrays["label_category"],
                concepts=concepts,
                neighbours=neighbours,
                doc_labels=meta["doc_labels"],
                index=index,
                precision=arrays["precision"],
                displays=meta["displays"],
                association=meta.get("association", {}),
                codeset=CodeSetSettings.model_validate(meta.get("codeset", {})),
                reranker=TreeEnsemble.of_arrays(arrays),
            )
        except FileNotFoundError as exc:
            raise CasebookError(ErrorCode.INVALID_RESOURCE, "model file not found", folder) from exc
        except (KeyError, ValueError, TypeError) as exc:
            raise CasebookError(
                ErrorCode.INVALID_RESOURCE, f"not an ICD-10-CM model: {exc}", folder
            ) from exc


def concept_terms(case: Case, excluded: frozenset[Assertion]) -> list[str]:
    """The HPO ids the case's mentions carry, one per mention coded so, except those of
    mentions whose assertion is ``excluded`` (another person's): the concept kernel's terms."""
    return [
        code.code
        for mention in case.mentions
        if mention.assertion not in excluded
        for code in mention.codes
        if code.system is CodeSystem.HPO
    ]


def _arrays(folder: Path) -> dict[str, NDArray[Any]]:
    """The arrays a model folder holds, decompressed (``load`` caches them so)."""
    with np.load(folder / ARRAYS_FILE, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _dense_head(
    matrix: Csr,
) -> tuple[NDArray[np.bool_], NDArray[np.int64], NDArray[np.float32]]:
    """The rows of ``matrix`` with at least ``_DENSE_MIN_DOCS`` entries, as a dense array.

    Returns:
        Whether each row is dense, each dense row's index in the array (-1 for the others),
        and the array.
    """
    counts = np.diff(matrix.indptr)
    dense = counts >= _DENSE_MIN_DOCS
    rows = np.flatnonzero(dense)
    slot = np.full(counts.size, -1, dtype=np.int64)
    slot[rows] = np.arange(rows.size)
    array = np.zeros((rows.size, matrix.shape[1]), dtype=np.float32)
    entries = np.repeat(dense, counts)
    array[np.repeat(np.arange(rows.size), counts[rows]), matrix.indices[entries]] = matrix.data[
        entries
    ]
    return dense, slot, array
