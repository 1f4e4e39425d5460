"""Training the ICD-10-CM coder from CodiEsp: ``train_icd10`` reproduces the shipped model.

The ranker, the code set's scorer and the document ranking's re-ranker learn from CodiEsp
``train`` only; the shown threshold is chosen on the ``tune`` half of ``dev``
(``casebook.eval.splits``), and the card reports the ``check`` half, which nothing was fitted
to. scikit-learn is used here only (the TF-IDF vocabulary and IDF, the scorer's logistic
regression, the re-ranker's trees); what is saved is plain arrays and JSON,
so running the model needs numpy alone. ``simple_icd_10_cm`` supplies the ICD-10-CM 2026 terms,
titles and the validity check of training labels.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from casebook.coding.codeset import CodeSetSettings
from casebook.coding.dictionary import (
    TermIndex,
    codiesp_form,
    display,
    icd10cm_entries,
    icd10cm_package,
    is_valid,
)
from casebook.coding.features import Csr, TermSpace, TfidfModel, analyze
from casebook.coding.icd10cm import (
    Icd10Model,
    Icd10Settings,
    concept_terms,
    dictionary_evidence,
)
from casebook.components import pipeline_from_names
from casebook.errors import CasebookError, ErrorCode
from casebook.eval.coding import CodingReport, evaluate_icd10
from casebook.eval.splits import Split, in_split
from casebook.ingest.codiesp import read_codes_tsv
from casebook.ingest.datasets import CODIESP
from casebook.ingest.folders import read_text_folder
from casebook.ingest.text import read_text
from casebook.kb.icd10cm import load_icd10cm
from casebook.model import Assertion, Case
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.pipeline import Pipeline
from casebook.provenance import Role, TrainingManifest, write_manifest
from casebook.train.codeset import (
    association_lexicon,
    candidate_rows,
    fit_scorer,
    precision_threshold,
)
from casebook.train.manifest import ManifestBuilder
from casebook.train.rerank import fit_reranker

DEFAULT_OUT = Path(__file__).parents[1] / "resources" / "models" / "icd10"
"""Where the shipped model lives."""

INTENDED_USE = """## Intended use

Research and decision support, not diagnosis and not billing: the ICD-10-CM codes a case
report's present findings support, each with the words that support it, for a person to check
against the text. It codes only the patient's own present findings (never negated, uncertain,
family or hypothetical ones; of the past history only conditions that last, such as
hypertension or type 2 diabetes, `casebook/resources/chronic_conditions.json`) and shows only
the codes above a threshold calibrated for precision on held-out documents. It is not a
medical device and no code it gives should be acted on unread.
"""

FAILURE_MODES = """## Known failure modes

- It learnt from CodiEsp's clinical case reports (Spanish, translated into English); other
  kinds of text are not measured.
- CodiEsp codes what its annotators read, negated and past conditions included; casebook
  codes only present findings and lasting conditions of the past history, so its recall
  against CodiEsp is bounded.
- Findings the mention model misses, or types as something else, cannot support a code; a
  finding named in words no ICD-10-CM title, inclusion term or Index name spells is not coded.
- The association lexicon carries CodiEsp's coding conventions ("hematoma" → T14.8).
- Codes taking a 7th character are given without it, as CodiEsp codes them.
"""

Labelled = tuple[Case, set[str]]


ANALYSIS: tuple[str, ...] = (
    "sections",
    "sentences",
    "mentions",
    "lexicon",
    "vocabulary",
    "patient",
    "abbreviations",
    "assertion",
    "attributes",
)
"""What the coder reads besides the text: sections and sentences for the ranker's dictionary
signal, asserted finding mentions with their sites for the code set, and the HPO ids the
``vocabulary`` component gives them for the ranker's concept kernel."""


def analysis() -> Pipeline:
    """The components ``ANALYSIS`` names, built once per call."""
    return pipeline_from_names(ANALYSIS)


def read_split(
    folder: Path, analyse: Pipeline, split: Split = Split.ALL
) -> tuple[list[Labelled], int]:
    """A CodiEsp split's documents of ``split``, analysed, with their valid codes, upper case.

    Returns:
        The labelled cases (documents without a gold code get an empty set) and how many gold
        codes were dropped as not ICD-10-CM 2026 (codes deleted since CodiEsp was coded).

    Raises:
        CasebookError: ``CB-E001`` / ``CB-E011`` as ``casebook.ingest.codiesp`` reads the split.
    """
    gold = read_codes_tsv(folder / "codesD.tsv")
    dropped = 0
    labelled: list[Labelled] = []
    for path in read_text_folder(folder / "text"):
        if not in_split(CODIESP, path.stem, split):
            continue
        codes: set[str] = set()
        for code in gold.get(path.stem, set()):
            upper = code.upper()
            if is_valid(upper):
                codes.add(upper)
            else:
                dropped += 1
        labelled.append((analyse(read_text(path)), codes))
    return labelled, dropped


def fit(
    labelled: Sequence[Labelled],
    settings: Icd10Settings,
    index: TermIndex | None = None,
    leaf: Sequence[bool] | None = None,
) -> Icd10Model:
    """Train the ranker on prepared, labelled cases.

    Args:
        labelled: Cases with sections and sentences, and their gold codes (CodiEsp form).
        settings: The settings.
        index: The ICD-10-CM term index; built from ``simple_icd_10_cm`` when omitted.
        leaf: For each code of ``index``, whether it is a leaf (its own prior); computed from
            ``simple_icd_10_cm`` when omitted.

    Raises:
        CasebookError: ``CB-E011`` when no case carries a code.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not any(codes for _, codes in labelled):
        raise CasebookError(ErrorCode.MALFORMED_DATASET, "no training document has a code")
    if index is None:
        index = TermIndex.build(icd10cm_entries())
    if leaf is None:
        leaf = _leaf_flags(index.codes)
    texts = [case.text for case, _ in labelled]
    vectorizer = TfidfVectorizer(
        analyzer=partial(
            analyze, word_ngrams=settings.word_ngrams, char_ngrams=settings.char_ngrams
        ),
        min_df=settings.min_df,
        sublinear_tf=True,
        dtype=np.float32,
    )
    matrix: Any = vectorizer.fit_transform(texts)
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    tfidf = TfidfModel(
        vocabulary,
        np.asarray(vectorizer.idf_, dtype=np.float32),
        settings.word_ngrams,
        settings.char_ngrams,
    )
    labels = sorted({code for _, codes in labelled for code in codes})
    label_ids = {code: i for i, code in enumerate(labels)}
    doc_labels = [sorted(label_ids[c] for c in codes) for _, codes in labelled]
    categories = sorted({code[:3] for code in labels})
    category_ids = {category: i for i, category in enumerate(categories)}
    label_category = np.array([category_ids[code[:3]] for code in labels], dtype=np.int64)
    targets = np.zeros((len(texts), len(labels) + len(categories)), dtype=np.float64)
    for row, ids in enumerate(doc_labels):
        targets[row, ids] = 1.0
        targets[row, len(labels) + label_category[ids]] = 1.0
    concepts = _concept_space(labelled, frozenset(settings.excluded))
    # Kernel ridge in the dual: A = (K + λI)⁻¹ Y, with K the documents' cosine similarities
    # (text, plus the weighted HPO-id kernel); the codes' and their categories' columns solved
    # at once.
    concept_matrix = sp.csc_array(
        (concepts.documents.data, concepts.documents.indices, concepts.documents.indptr),
        shape=(concepts.documents.shape[1], concepts.documents.shape[0]),
    )
    kernel = np.asarray((matrix @ matrix.T).toarray(), dtype=np.float64)
    kernel += settings.concept_weight * (concept_matrix @ concept_matrix.T).toarray()
    solved = np.linalg.solve(kernel + settings.ridge * np.eye(len(texts)), targets)
    dual, category_dual = solved[:, : len(labels)], solved[:, len(labels) :]
    transposed: Any = matrix.T.tocsr()
    transposed.sort_indices()
    neighbours = Csr(
        np.asarray(transposed.indptr, dtype=np.int64),
        np.asarray(transposed.indices, dtype=np.int32),
        np.asarray(transposed.data, dtype=np.float32),
        (len(vocabulary), len(texts)),
    )
    precision = _dictionary_precision(labelled, index, leaf, settings)
    emitted = set(labels) | set(index.codes)
    displays = {code: display(code) for code in sorted(emitted)}
    return Icd10Model(
        settings=settings,
        tfidf=tfidf,
        labels=labels,
        dual=dual.astype(np.float32),
        category_dual=category_dual.astype(np.float32),
        label_category=label_category,
        concepts=concepts,
        neighbours=neighbours,
        doc_labels=doc_labels,
        index=index,
        precision=precision,
        displays=displays,
    )


def _concept_space(labelled: Sequence[Labelled], excluded: frozenset[Assertion]) -> TermSpace:
    """The training documents' HPO ids (``concept_terms``) as sublinear TF-IDF vectors."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    terms = [concept_terms(case, excluded) for case, _ in labelled]
    if not any(terms):
        empty = Csr(
            np.zeros(1, dtype=np.int64),
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.float32),
            (0, len(terms)),
        )
        return TermSpace({}, np.zeros(0, dtype=np.float32), empty)
    vectorizer = TfidfVectorizer(analyzer=lambda terms: terms, sublinear_tf=True, dtype=np.float32)
    matrix: Any = vectorizer.fit_transform(terms)
    transposed: Any = matrix.T.tocsr()
    transposed.sort_indices()
    return TermSpace(
        {str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        np.asarray(vectorizer.idf_, dtype=np.float32),
        Csr(
            np.asarray(transposed.indptr, dtype=np.int64),
            np.asarray(transposed.indices, dtype=np.int32),
            np.asarray(transposed.data, dtype=np.float32),
            transposed.shape,
        ),
    )


def _leaf_flags(codes: Sequence[str]) -> list[bool]:
    """Whether each code is a leaf of ICD-10-CM (7th-character stems count as leaves)."""
    cm = icd10cm_package()

    return [
        not cm.is_valid_item(code) or cm.is_leaf(code) or codiesp_form(code) != code
        for code in codes
    ]


def _dictionary_precision(
    labelled: Sequence[Labelled],
    index: TermIndex,
    leaf: Sequence[bool],
    settings: Icd10Settings,
) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Smoothed precision of each code's dictionary matches on the training cases.

    ``(g + α·p0) / (m + α)``, where p0 is the pooled precision of all codes of the same kind
    (leaf or not), so that a code never matched in training gets its kind's precision.
    """
    assertion = ContextAssertion()
    excluded = frozenset(settings.excluded)
    code_ids = {code: i for i, code in enumerate(index.codes)}
    matched = np.zeros(len(index.codes), dtype=np.float64)
    correct = np.zeros(len(index.codes), dtype=np.float64)
    for case, gold in labelled:
        for code in dictionary_evidence(case, index, assertion, excluded):
            matched[code_ids[code]] += 1
            correct[code_ids[code]] += code in gold
    kind = np.asarray(leaf, dtype=bool)
    prior = np.zeros(len(index.codes), dtype=np.float64)
    for flag in (True, False):
        members = kind == flag
        total = matched[members].sum()
        prior[members] = correct[members].sum() / total if total else 0.0
    alpha = settings.alpha
    return ((correct + alpha * prior) / (matched + alpha)).astype(np.float32)


def train_icd10(
    data: Path,
    out: Path = DEFAULT_OUT,
    settings: Icd10Settings | None = None,
    codeset: CodeSetSettings | None = None,
) -> Icd10Model:
    """Train the coder and write it, with its manifest and model card, to ``out``.

    The ranker, the association lexicon and the scorer learn from CodiEsp ``train``; the
    shown threshold is the lowest whose shown codes on ``dev`` ``tune`` reach the scorer's
    ``target_precision``; the card reports ``dev`` ``check``.

    Args:
        data: The datasets folder (holding ``codiesp-en/``) or a CodiEsp folder itself.
        out: The model folder to write.
        settings: Ranker settings; the defaults are the shipped model's.
        codeset: Code-set settings whose weights and threshold are fitted here.

    Returns:
        The trained model.

    Raises:
        CasebookError: ``CB-E001`` / ``CB-E011`` for a missing or malformed split.
    """
    settings = settings or Icd10Settings()
    root = data / "codiesp-en" if (data / "codiesp-en").is_dir() else data
    began = time.perf_counter()
    index = TermIndex.build(icd10cm_entries())
    leaf = _leaf_flags(index.codes)
    vocabulary = load_icd10cm()
    analyse = analysis()
    train, dropped = read_split(root / "train", analyse)

    def fit_ranker(items: Sequence[Labelled]) -> Icd10Model:
        return fit(items, settings, index, leaf)

    scorer = fit_scorer(train, fit_ranker, vocabulary, codeset or CodeSetSettings())
    model = fit_ranker(train)
    model.association = association_lexicon(train, scorer)
    model.codeset = scorer
    tune, _ = read_split(root / "dev", analyse, Split.TUNE)
    rows, labels = candidate_rows(model, tune, vocabulary)
    threshold = precision_threshold(
        ((_score(model, row), bool(label)) for row, label in zip(rows, labels, strict=True)),
        scorer.target_precision,
    )
    model.codeset = scorer.model_copy(update={"shown_threshold": round(threshold, 6)})
    model.reranker = fit_reranker(train, fit_ranker, model.codeset, settings.rerank)
    report = score_on(model, root / "dev", Split.CHECK)
    seconds = time.perf_counter() - began
    model.save(out)
    write_manifest(out, codiesp_manifest(root))
    write_model_card(out, model, len(train), dropped, seconds, report)
    return model


def _score(model: Icd10Model, row: Sequence[float]) -> float:
    from casebook.coding.codeset import FEATURES, logistic

    return logistic(dict(zip(FEATURES, row, strict=True)), model.codeset)


def codiesp_manifest(root: Path) -> TrainingManifest:
    """The training manifest of a coder trained by ``train_icd10`` on the CodiEsp folder
    ``root``: ``train``'s codes and texts as labelled documents, ``dev``'s ``tune`` half as
    the calibration documents."""
    builder = ManifestBuilder(root.parent)
    builder.read(Role.SUPERVISED, root / "train" / "codesD.tsv", dataset=CODIESP)
    for path in read_text_folder(root / "train" / "text"):
        builder.read(Role.SUPERVISED, path, [path.stem], dataset=CODIESP)
    builder.read(Role.CALIBRATION, root / "dev" / "codesD.tsv", dataset=CODIESP)
    for path in read_text_folder(root / "dev" / "text"):
        if in_split(CODIESP, path.stem, Split.TUNE):
            builder.read(Role.CALIBRATION, path, [path.stem], dataset=CODIESP)
    return builder.build("icd10")


def score_on(model: Icd10Model, folder: Path, split: Split) -> CodingReport:
    """``evaluate_icd10`` of a model over a half of a CodiEsp split, through the analysis."""
    from casebook.coding.component import Icd10Coder

    pipeline = Pipeline([*analysis().components, Icd10Coder(model)])
    return evaluate_icd10(folder, pipeline, split=split, coder=model)


def write_model_card(
    out: Path,
    model: Icd10Model,
    documents: int,
    dropped: int,
    seconds: float,
    report: CodingReport,
) -> None:
    """Write ``MODEL_CARD.md``: use, data, method, settings, held-out scores, reproduction."""
    size = sum(p.stat().st_size for p in out.iterdir() if p.name != "MODEL_CARD.md")
    settings = model.settings.model_dump_json(indent=2)
    codeset = model.codeset.model_dump_json(indent=2)
    card = f"""# ICD-10-CM coder (CodiEsp-D)

Trained {datetime.date.today().isoformat()} in {seconds:.0f} s with scikit-learn
{version("scikit-learn")}, numpy {version("numpy")}, simple_icd_10_cm
{version("simple_icd_10_cm")} (ICD-10-CM 2026 terms).

{INTENDED_USE}
## Data

CodiEsp English (CLEF eHealth 2020, CC BY 4.0), split `train`: {documents} documents,
{len(model.labels)} distinct codes. {dropped} gold codes not valid in ICD-10-CM 2026 were
dropped from training. The shown threshold was chosen on the `tune` half of `dev`
(`casebook.eval.splits`); the scores below are on its `check` half, which nothing was fitted
to. Every document and file read is listed in `manifest.json`, with the SHA-256 of each file.
Dictionary: {len(model.index.term_codes)} ICD-10-CM titles and inclusion terms over
{len(model.index.codes)} codes (NCHS/CMS, public domain in the United States; see NOTICE);
association lexicon: {len(model.association)} findings.

## Method

A document ranker proposes codes: kernel ridge regression (linear kernel) on sublinear TF-IDF
word 1-2-grams and character 3-5-grams, each code's score raised by `category_weight` times the
same regression's score of its three-character category, the kernel being the texts' cosine
similarity plus `concept_weight` times that of the HPO ids on their finding mentions, fused by
weighted CombSUM with ICD-10-CM 2026 title and inclusion-term matches scored by their smoothed
precision on the training documents (`casebook/coding/icd10cm.py`). The ranker may rank but
never adds a code: a code is in the case's set only when a present finding of the patient names
it, a code it refines or one that refines it, by an ICD-10-CM alias, an Alphabetic Index name
(`resources/icd10cm_index.json`) or, for findings the vocabulary does not name, the association
lexicon learnt from `train`. Candidates are scored by a logistic regression fitted on
cross-fitted `train` candidates (`casebook/coding/codeset.py`, `casebook/train/codeset.py`), and
written as billable 2026 codes where the text allows. The document ranking, what CodiEsp-D's MAP
scores, is the ranker's codes (`ranking_depth` deep) with each code-set score, weighted
`codeset_weight`, and the link score of each code a negated, uncertain or past finding names,
weighted `named_weight`, added to the code's fused score (`add_evidence`; the three settings
chosen on `tune`): CodiEsp's coders code the diagnoses a document names, denied ones too. The
shown codes never hold those. The ranking's candidates are then ordered by gradient-boosted
trees over their evidence (`casebook/coding/rerank.py`: each signal's score, the code's
category score, training frequency, chapter, the assertions of the mentions naming it, the
other candidates of its category, its terms' precision …), fitted on candidates of `train`
ranked by models cross-fitted over {model.settings.rerank.folds} folds, monotone in every
signal (`casebook/train/rerank.py`; its settings chosen on `tune`).

## Settings

Ranker:

```json
{settings}
```

Code set:

```json
{codeset}
```

## Scores

`casebook eval icd10 ../shared/datasets/codiesp-en/dev --split check` ({report.docs} documents,
unseen): MAP {report.map:.2f} of the document ranking ({report.fused_map:.2f} before the
re-ranker orders it, the ranker alone {report.ranker_map:.2f}, the code set alone
{report.codeset_map:.2f}, the 30-nearest-neighbour
anchor {report.anchor_map:.2f}); the shown codes have micro precision {report.micro.p:.2f},
recall {report.micro.r:.2f}, F1 {report.micro.f1:.2f}.

{FAILURE_MODES}
## Files

`model.json` (settings, vocabulary, labels, terms, titles, association lexicon, code-set
weights) and `arrays.npz` (IDF, kernel ridge dual coefficients of the codes and their
categories, training-document TF-IDF of the words and of the HPO ids, term index, dictionary
precision, the re-ranker's tree nodes): {size / 1e6:.1f} MB. No
pickle; running the model needs numpy only.

## Reproduce

```sh
casebook train icd10 --data ../shared/datasets
```
"""
    (out / "MODEL_CARD.md").write_text(card, "utf-8")
