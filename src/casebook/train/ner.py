"""Training the mention extractor: brat gold → spaCy examples → a CNN model in the package.

A plain Python training loop over spaCy's API (no spaCy config files): a CNN tok2vec shared by
two BILUO tagging heads (``casebook.nlp.biluo``), one for the flat entity types and one for the
phrase-level types (History, Family_history) that overlap the flat ones. With self-training, the
model trained on the gold documents labels unlabelled case reports, and a second model trains
from the start on the gold documents plus those pseudo-labelled texts (``self_train``).
Settings are a JSON data file validated by ``NerSettings``; the command that reproduces the
shipped model is ``casebook train ner``.
"""

from __future__ import annotations

import datetime
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import numpy
import spacy
from pydantic import Field
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import filter_spans
from spacy.vectors import Vectors
from thinc.api import Adam, compounding, fix_random_seed

from casebook.blas import one_blas_thread, use_openblas
from casebook.components import COMPONENTS, DEFAULT_COMPONENTS
from casebook.eval.ner import NerReport, evaluate_ner
from casebook.ingest.brat import brat_documents, read_brat
from casebook.ingest.brat_model import BratAnnotations
from casebook.ingest.datasets import NON_COMMERCIAL
from casebook.model import Case, Document, EntityType, RecordModel
from casebook.nlp.biluo import FACTORY as BILUO_FACTORY
from casebook.nlp.lexicon_features import EMBED_ARCHITECTURE as LEXICON_EMBED
from casebook.nlp.lexicon_features import FACTORY as LEXICON_FACTORY
from casebook.nlp.mentions import FLAT_HEAD, PHRASE_HEAD, MentionExtractor
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.tokenizer import clinical_tokenizer
from casebook.provenance import MANIFEST_FILE, Role, TrainingManifest, write_manifest
from casebook.train.corpus import SHARED_RUN, CorpusText, HeldOut, iter_corpus_texts
from casebook.train.lexicon_terms import vocabulary_terms
from casebook.train.manifest import ManifestBuilder, manifest_summary
from casebook.train.pretrain import TOK2VEC, PretrainSettings, pretrain_tok2vec

LEXICON_COMPONENT = "lexicon_features"
MODEL_NAME = "ner"
"""The mention model's name in its training manifest."""

INTENDED_USE: tuple[str, ...] = (
    "## Intended use",
    "",
    "Research on published case reports and decision support, not diagnosis. The model marks "
    "what a case report states (findings, diseases, procedures, drugs, values, dates, outcomes "
    "…) so that a person can read, search and compare cases; every mention it yields points to "
    "its words in the text, where a reader checks it. It is not a medical device, was not "
    "validated on clinical notes or on patients' records, and no decision about a patient "
    "should rest on its output alone.",
)
"""The card's intended-use section, the same for every trained mention model."""

FAILURE_MODES: tuple[str, ...] = (
    "## Known failure modes",
    "",
    "- It learnt from 150 English case reports of PubMed Central (MACCROBAT2020). Clinical "
    "notes, discharge summaries, other languages and scanned text differ from them; its scores "
    "there are not measured.",
    "- Strict F1 lies about 11 points below lenient F1 in cross-validation: the model often "
    "finds the right phrase with other edges than the annotators (a modifier or a site "
    "included or left out).",
    "- Types with few gold examples in MACCROBAT2020 (Outcome 28, Frequency 57, Family_history "
    "66 in all 150 documents) are learnt from little; see their held-out scores.",
    "- Words repeated in a report get one type for all their occurrences (label consistency), "
    "so one wrong type repeats through the report.",
    "- Negated, uncertain and historical findings are marked by rules after the model "
    "(`casebook.nlp.assertion`); a negated finding can still be shown as present (negated F1 "
    "in the held-out table).",
)
"""The card's failure-mode section, from the cross-validation and the training data."""


class VectorSettings(RecordModel):
    """Static word vectors trained on unlabelled case-report text (fastText, gensim)."""

    corpora: list[str] = Field(
        description="Glob patterns under the data folder: text files or PMC-Patients JSONL."
    )
    dims: int = Field(default=96, ge=8)
    min_count: int = Field(default=3, ge=1)
    window: int = Field(default=5, ge=1)
    epochs: int = Field(default=5, ge=1)
    max_words: int = Field(default=60000, ge=1000, description="Rows kept in the shipped table.")


class SelfTrainingSettings(RecordModel):
    """Self-training on unlabelled case reports (Yarowsky 1995; for NER, e.g. Huang et al. 2021,
    "Few-shot named entity recognition: an empirical baseline study", EMNLP).

    The model trained on the gold documents (the teacher) labels ``texts`` unlabelled texts once;
    the shipped model (the student) trains from the same start on the gold documents plus a
    fresh draw of ``per_gold`` pseudo-labelled texts per gold document in each epoch.
    """

    corpora: list[str] = Field(
        min_length=1,
        description="Glob patterns under the data folder: text files or PMC-Patients JSONL.",
    )
    texts: int = Field(default=2000, ge=1, description="Unlabelled texts drawn and labelled.")
    per_gold: float = Field(
        default=1.0, gt=0.0, description="Pseudo-labelled texts per gold document per epoch."
    )
    seed: int = Field(default=7, description="Seed of the draw of the unlabelled texts.")


class NerSettings(RecordModel):
    """Everything that decides the trained model; stored beside it in the model card."""

    version: str
    ner_labels: list[EntityType] = Field(description="Flat, non-overlapping types (first head).")
    phrase_labels: list[EntityType] = Field(
        default_factory=list,
        description="Phrase types that overlap the flat ones (History …): a second head.",
    )
    width: int = Field(default=128, ge=32)
    depth: int = Field(default=4, ge=1)
    embed_rows: int = Field(default=5000, ge=500)
    window: int = Field(default=1, ge=1)
    maxout_pieces: int = Field(default=3, ge=1, description="Pieces of each encoder layer.")
    epochs: int = Field(default=30, ge=1)
    dropout: float = Field(default=0.1, ge=0.0, lt=1.0)
    learn_rate: float = Field(default=0.001, gt=0.0)
    batch_start: int = Field(default=4, ge=1)
    batch_stop: int = Field(default=16, ge=1)
    seed: int = 0
    vectors: VectorSettings | None = None
    lexicon: list[str] = Field(
        default_factory=list,
        description="Vocabularies whose matches the model reads as features "
        "(casebook.train.lexicon_terms.SOURCES); empty for none.",
    )
    lexicon_width: int = Field(default=16, ge=1)
    pretrain: PretrainSettings | None = Field(
        default=None,
        description="Pretrain the tok2vec on unlabelled text first (casebook.train.pretrain); "
        "absent for none.",
    )
    self_training: SelfTrainingSettings | None = Field(
        default=None, description="Train again on pseudo-labelled texts; absent for none."
    )


def brat_to_doc(
    nlp: Language, text: str, annotations: BratAnnotations, settings: NerSettings
) -> Doc:
    """The gold Doc of ``text``: flat entities in ``doc.ents``, phrases in ``doc.spans``.

    Overlapping gold spans of one head are resolved by keeping the longer one (spaCy's
    ``filter_spans``); gold spans that do not fall on token boundaries are expanded to the
    tokens they touch, and whitespace at their edges is dropped.
    """
    flat_labels = {label.value for label in settings.ner_labels}
    phrase_labels = {label.value for label in settings.phrase_labels}
    doc = nlp.make_doc(text)
    flat_spans: list[Span] = []
    phrase_spans: list[Span] = []
    for entity in annotations.entities:
        if entity.type in flat_labels:
            spans = flat_spans
        elif entity.type in phrase_labels:
            spans = phrase_spans
        else:
            continue
        span = doc.char_span(entity.start, entity.end, label=entity.type, alignment_mode="expand")
        if span is None:
            continue
        start, end = span.start, span.end
        while start < end and doc[start].is_space:
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        if start < end:
            spans.append(Span(doc, start, end, label=entity.type))
    doc.ents = filter_spans(flat_spans)
    doc.spans[PHRASE_HEAD] = filter_spans(phrase_spans)
    return doc


def load_examples(nlp: Language, folder: Path, settings: NerSettings) -> list[Example]:
    """Training examples from every ``*.txt`` + ``.ann`` pair in a brat folder."""
    examples: list[Example] = []
    for txt in sorted(folder.glob("*.txt")):
        if not txt.with_suffix(".ann").exists():
            continue
        document, annotations = read_brat(txt)
        gold = brat_to_doc(nlp, document.text, annotations, settings)
        examples.append(Example(nlp.make_doc(document.text), gold))
    return examples


def build_pipeline(settings: NerSettings, vectors: Path | None = None) -> Language:
    """A blank English pipeline: the clinical tokenizer, a tok2vec and the two tagging heads."""
    nlp = spacy.blank("en")
    nlp.tokenizer = clinical_tokenizer(nlp)
    if vectors is not None:
        nlp.vocab.from_disk(vectors, exclude=["strings"])
    embed: dict[str, Any] = {
        "@architectures": "spacy.MultiHashEmbed.v2",
        "width": settings.width,
        "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
        "rows": [
            settings.embed_rows,
            settings.embed_rows // 2,
            settings.embed_rows,
            settings.embed_rows // 2,
        ],
        "include_static_vectors": vectors is not None,
    }
    if settings.lexicon:
        lexicon = nlp.add_pipe(
            LEXICON_FACTORY, name=LEXICON_COMPONENT, config={"sources": settings.lexicon}
        )
        lexicon.set_terms(vocabulary_terms(tuple(settings.lexicon)))  # type: ignore[attr-defined]
        embed |= {
            "@architectures": LEXICON_EMBED,
            "lexicon_columns": len(settings.lexicon),
            "lexicon_width": settings.lexicon_width,
        }
    nlp.add_pipe(
        "tok2vec",
        config={
            "model": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": embed,
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": settings.width,
                    "depth": settings.depth,
                    "window_size": settings.window,
                    "maxout_pieces": settings.maxout_pieces,
                },
            }
        },
    )
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": settings.width}
    head = {"@architectures": "spacy.Tagger.v2", "normalize": False, "tok2vec": listener}
    flat = nlp.add_pipe(BILUO_FACTORY, name=FLAT_HEAD, config={"model": head, "spans_key": None})
    for label in settings.ner_labels:
        flat.add_label(label.value)  # type: ignore[attr-defined]
    if settings.phrase_labels:
        phrases = nlp.add_pipe(
            BILUO_FACTORY, name=PHRASE_HEAD, config={"model": head, "spans_key": PHRASE_HEAD}
        )
        for label in settings.phrase_labels:
            phrases.add_label(label.value)  # type: ignore[attr-defined]
    return nlp


def train(
    settings: NerSettings,
    examples: Sequence[Example],
    vectors: Path | None = None,
    tok2vec_weights: bytes | None = None,
    pseudo: Sequence[Example] = (),
) -> Language:
    """Train both heads on ``examples`` for ``settings.epochs`` epochs and return the model.

    ``tok2vec_weights`` (from ``pretrain_tok2vec``) replace the tok2vec's random initial
    weights. Each epoch also draws ``settings.self_training.per_gold`` of the ``pseudo``
    examples (from ``pseudo_label``) per gold example.
    """
    random.seed(settings.seed)
    fix_random_seed(settings.seed)
    nlp = use_openblas(build_pipeline(settings, vectors))
    # spaCy's defaults (L2 weight decay 0.01, gradient clipping 1.0), plus weight averaging.
    optimizer = Adam(settings.learn_rate, L2=0.01, grad_clip=1.0, use_averages=True)
    gold = list(examples)
    per_epoch = 0
    if settings.self_training and pseudo:
        per_epoch = min(len(pseudo), round(settings.self_training.per_gold * len(gold)))
    if LEXICON_COMPONENT in nlp.pipe_names:
        # The trainer updates the tok2vec on the examples' own docs, which no component
        # before it has seen: tag them once here.
        lexicon = nlp.get_pipe(LEXICON_COMPONENT)
        for example in [*gold, *pseudo]:
            lexicon(example.predicted)
    nlp.initialize(lambda: gold, sgd=optimizer)
    if tok2vec_weights is not None:
        nlp.get_pipe(TOK2VEC).model.from_bytes(tok2vec_weights)  # type: ignore[attr-defined]
    for _ in range(settings.epochs):
        data = [*gold, *random.sample(list(pseudo), per_epoch)]
        random.shuffle(data)
        sizes = compounding(settings.batch_start, settings.batch_stop, 1.001)
        for batch in batches(data, (int(size) for size in sizes)):
            nlp.update(batch, drop=settings.dropout, sgd=optimizer)
    # The optimizer keeps running averages of the weights (as spaCy's own trainer uses for
    # evaluation and saving); they generalise better than the last step's weights.
    with nlp.use_params(optimizer.averages):
        averaged = nlp.to_bytes()
    return nlp.from_bytes(averaged)


def pseudo_label(teacher: Language, texts: Iterable[str]) -> list[Example]:
    """The teacher's mentions on ``texts`` as training examples, in the gold's layout.

    Flat types go to ``ents``, phrase types to ``spans`` (as ``brat_to_doc`` lays them out).
    """
    examples: list[Example] = []
    with one_blas_thread():
        for doc in teacher.pipe(texts):
            reference = teacher.make_doc(doc.text)
            reference.ents = [Span(reference, e.start, e.end, label=e.label_) for e in doc.ents]
            reference.spans[PHRASE_HEAD] = [
                Span(reference, s.start, s.end, label=s.label_)
                for s in doc.spans.get(PHRASE_HEAD, [])
            ]
            examples.append(Example(teacher.make_doc(doc.text), reference))
    return examples


def self_train(
    settings: NerSettings,
    examples: Sequence[Example],
    vectors: Path | None = None,
    unlabelled: Sequence[str] = (),
    tok2vec_weights: bytes | None = None,
) -> Language:
    """``train`` on the gold examples; with ``settings.self_training``, train the model again
    on them plus the first model's labels of the ``unlabelled`` texts (``pseudo_label``)."""
    teacher = train(settings, examples, vectors, tok2vec_weights=tok2vec_weights)
    if settings.self_training is None or not unlabelled:
        return teacher
    pseudo = pseudo_label(teacher, unlabelled)
    return train(settings, examples, vectors, tok2vec_weights=tok2vec_weights, pseudo=pseudo)


T = TypeVar("T")


def batches(items: Sequence[T], sizes: Iterator[int]) -> Iterator[list[T]]:
    """Consecutive slices of ``items`` whose lengths follow ``sizes`` (a growing schedule)."""
    start = 0
    while start < len(items):
        size = max(1, next(sizes))
        yield list(items[start : start + size])
        start += size


def self_training_texts(
    data: Path, settings: SelfTrainingSettings, held_out: HeldOut
) -> list[CorpusText]:
    """A seeded draw of ``settings.texts`` unlabelled texts that share no text with any
    evaluation document (``held_out``)."""
    corpus = iter_corpus_texts(data, settings.corpora, line_breaks=True)
    texts = held_out.unseen(corpus)
    return random.Random(settings.seed).sample(texts, min(settings.texts, len(texts)))


def train_vectors(settings: VectorSettings, texts: Iterable[str], nlp: Language, out: Path) -> Path:
    """Train fastText vectors on unlabelled ``texts`` and save them as a spaCy vocab folder.

    Uses gensim's FastText (Bojanowski et al. 2017) on tokens of the clinical tokenizer,
    lower-cased to match the NORM feature; keeps the ``max_words`` most frequent words.
    """
    from gensim.models import FastText  # type: ignore[import-untyped]

    sentences = [
        [token.lower_ for token in nlp.make_doc(text) if not token.is_space] for text in texts
    ]
    model = FastText(
        vector_size=settings.dims,
        window=settings.window,
        min_count=settings.min_count,
        workers=2,
        seed=0,
    )
    model.build_vocab(corpus_iterable=sentences)
    model.train(corpus_iterable=sentences, total_examples=len(sentences), epochs=settings.epochs)
    words = model.wv.index_to_key[: settings.max_words]
    vocab = spacy.blank("en").vocab
    # Keyed by LOWER so that "Headache" and "headache" share a row, as the vectors were
    # trained on lower-cased tokens.
    vocab.vectors = Vectors(
        strings=vocab.strings,
        data=numpy.asarray([model.wv[word] for word in words], dtype="float32"),
        keys=[vocab.strings.add(word) for word in words],
        attr="LOWER",
    )
    out.mkdir(parents=True, exist_ok=True)
    vocab.to_disk(out)
    return out


def evaluate_model(model: Path, folder: Path, cases_out: Path | None = None) -> NerReport:
    """Score a saved model on a brat folder through the default component chain, writing each
    document's case as ``ID.json`` into ``cases_out`` when given."""
    components = [
        MentionExtractor(model) if name == "mentions" else COMPONENTS[name]()
        for name in DEFAULT_COMPONENTS
    ]
    pipeline = Pipeline(components)
    if cases_out is None:
        return evaluate_ner(folder, pipeline)
    cases_out.mkdir(parents=True, exist_ok=True)

    def analyse_and_keep(document: Document) -> Case:
        case = pipeline(document)
        (cases_out / f"{case.id}.json").write_text(case.model_dump_json(), encoding="utf-8")
        return case

    return evaluate_ner(folder, analyse_and_keep, trained=())


class FoldScores(RecordModel):
    """Held-out scores of one cross-validation fold."""

    fold: int
    docs: int
    core_strict_f1: float
    core_lenient_f1: float
    negated_f1: float
    docs_per_s: float
    per_type_strict_f1: dict[str, float] = Field(
        default_factory=dict, description="Strict F1 of each type seen in gold or predictions."
    )


def score_fold(
    settings: NerSettings,
    folder: Path,
    folds: int,
    fold: int,
    vectors: Path | None = None,
    tok2vec_weights: bytes | None = None,
    unlabelled: Sequence[str] = (),
    predictions: Path | None = None,
) -> FoldScores:
    """Train on every part of the brat folder but ``fold`` (``self_train``), score that part.

    Documents are shuffled with ``settings.seed`` and dealt into ``folds`` parts, so over all
    folds every document is scored exactly once by a model that never saw it; with
    ``predictions``, its case (the whole pipeline's, with that model's mentions) is written
    there as ``ID.json``.
    """
    paths = sorted(p for p in folder.glob("*.txt") if p.with_suffix(".ann").exists())
    random.Random(settings.seed).shuffle(paths)
    held = set(paths[fold::folds])
    # Folds train side by side in processes of their own: one BLAS thread each.
    with one_blas_thread(), tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for part, members in (("train", set(paths) - held), ("held", held)):
            (root / part).mkdir()
            for txt in members:
                for source in (txt, txt.with_suffix(".ann")):
                    (root / part / source.name).symlink_to(source.resolve())
        examples = load_examples(build_pipeline(settings, vectors), root / "train", settings)
        model = self_train(settings, examples, vectors, unlabelled, tok2vec_weights)
        model.to_disk(root / "model")
        report = evaluate_model(root / "model", root / "held", predictions)
    return FoldScores(
        fold=fold,
        docs=report.docs,
        core_strict_f1=report.core.strict.f1,
        core_lenient_f1=report.core.lenient.f1,
        negated_f1=report.assertion.negated.f1,
        docs_per_s=report.docs_per_s,
        per_type_strict_f1={kind: scores.f1 for kind, scores in report.per_type.items()},
    )


def train_to_disk(
    settings: NerSettings,
    folder: Path,
    out: Path,
    vectors: Path | None = None,
    tok2vec_weights: bytes | None = None,
    unlabelled: Sequence[str] = (),
) -> int:
    """Train on every document of the brat folder (``self_train``), save the model to ``out``,
    and return how many documents it learnt from."""
    examples = load_examples(build_pipeline(settings, vectors), folder, settings)
    with one_blas_thread():
        self_train(settings, examples, vectors, unlabelled, tok2vec_weights).to_disk(out)
    return len(examples)


def prepare_encoder(
    settings: NerSettings, vector_texts: list[str], pretraining_texts: list[str], root: Path
) -> tuple[Path | None, bytes | None]:
    """The word vectors (a folder under ``root``) and the pretrained tok2vec weights the
    settings ask for, each None when they ask for none; pretraining progress goes to stderr."""
    vectors = None
    if settings.vectors:
        tokenizer_nlp = spacy.blank("en")
        tokenizer_nlp.tokenizer = clinical_tokenizer(tokenizer_nlp)
        vectors = train_vectors(settings.vectors, vector_texts, tokenizer_nlp, root / "vectors")
    weights = None
    if settings.pretrain:
        weights = pretrain_tok2vec(
            use_openblas(build_pipeline(settings, vectors)),
            pretraining_texts,
            settings.pretrain,
            on_progress=_progress_to_stderr,
        )
    return vectors, weights


def _progress_to_stderr(progress: dict[str, float]) -> None:
    print(f"  {progress}", file=sys.stderr, flush=True)


def training_processes(workers: int) -> ProcessPoolExecutor:
    """Processes for folds and the final model. They start afresh ("spawn") rather than fork a
    parent whose BLAS threads may hold locks."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


PERMISSIVE_ALTERNATIVE = (
    "casebook also ships a mention model that learnt from CC BY 4.0 text only, usable "
    "commercially with attribution, at a cost in accuracy (its card, "
    "`models/ner-permissive/MODEL_CARD.md`, has its held-out scores): choose it with "
    "`CASEBOOK_MENTION_MODEL=permissive` or `--mention-model permissive`."
)
"""What the card of a mention model that read non-commercial text says about the other one."""

REPRODUCE_DEFAULT = (
    "casebook train ner --data ../shared/datasets --out src/casebook/resources/models/ner "
    "--folds 5 --workers 2"
)
"""The command that reproduces the default mention model, for its card."""


def write_model_card(
    out: Path,
    settings: NerSettings,
    docs: int,
    seconds: float,
    folds: list[FoldScores],
    manifest: TrainingManifest,
    reproduce: str = REPRODUCE_DEFAULT,
) -> Path:
    """Write ``MODEL_CARD.md`` beside the model: data, settings, scores, date, and the
    ``reproduce`` command."""
    size_mb = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
    lines = [
        "# casebook mention extractor",
        "",
        f"Trained {datetime.date.today().isoformat()} with spaCy {version('spacy')} in "
        f"{seconds / 60:.1f} minutes on {docs} MACCROBAT2020 documents "
        "(Caufield et al. 2019, CC BY 4.0). Size on disk: "
        f"{size_mb:.1f} MB.",
        "",
        f"Reproduce: `{reproduce}`",
        "",
        *INTENDED_USE,
        "",
        "## Model",
        "",
        "A CNN tok2vec (hash embeddings of NORM, PREFIX, SUFFIX, SHAPE"
        + (", static fastText vectors" if settings.vectors else "")
        + (", vocabulary-match tags" if settings.lexicon else "")
        + ") shared by two BILUO tagging heads (a softmax per token, decoded by Viterbi under "
        "the BILUO constraints; spans that repeat the same words then take the one type their "
        "summed scores favour): one for the flat types, one for the phrase types that "
        "overlap them.",
        "",
        f"- NER types: {', '.join(t.value for t in settings.ner_labels)}",
        f"- Phrase types: {', '.join(t.value for t in settings.phrase_labels) or 'none'}",
    ]
    if settings.vectors:
        lines.append(
            f"- Vectors: fastText (gensim), {settings.vectors.dims} dimensions, trained on the "
            f"unlabelled texts of {', '.join(settings.vectors.corpora)}"
        )
    if settings.lexicon:
        lines.append(
            "- Vocabulary-match tags: each token's BILUO position in the longest matching term "
            f"of {', '.join(settings.lexicon)} (`casebook.train.lexicon_terms`), embedded "
            f"in {settings.lexicon_width} dimensions per vocabulary"
        )
    if settings.pretrain:
        lines.append(
            "- Pretraining: the tok2vec first learnt to predict characters of masked tokens "
            "(spaCy's characters objective) on the unlabelled texts of "
            f"{', '.join(settings.pretrain.corpora)}, up to {settings.pretrain.max_words} tokens"
        )
    if settings.self_training:
        lines.append(
            "- Self-training: the model trained on the gold documents labelled "
            f"{settings.self_training.texts} unlabelled texts of "
            f"{', '.join(settings.self_training.corpora)}; the shipped model trained again "
            f"from the same start on the gold documents plus {settings.self_training.per_gold:g} "
            "of those texts per gold document, drawn afresh each epoch"
        )
    lines += [
        "",
        "## Training data",
        "",
        f"Every document read, by role, is listed in `{MANIFEST_FILE}` with the SHA-256 of each "
        "file; no unlabelled text shares a run of "
        f"{SHARED_RUN} words with an evaluation document (`casebook.train.corpus`).",
        "",
        *manifest_summary(manifest),
        "",
    ]
    if any(read.dataset in NON_COMMERCIAL for reads in manifest.roles.values() for read in reads):
        lines += [PERMISSIVE_ALTERNATIVE, ""]
    lines += [
        "## Settings",
        "",
        "```json",
        settings.model_dump_json(indent=2),
        "```",
        "",
    ]
    if folds:
        lines += [
            f"## Held-out scores ({len(folds)}-fold cross-validation)",
            "",
            "Each document scored once by a model trained without it; percentages.",
            "",
            "| fold | docs | core strict F1 | core lenient F1 | negated F1 | docs/s |",
            "|---|---|---|---|---|---|",
        ]
        for fold in folds:
            lines.append(
                f"| {fold.fold} | {fold.docs} | {fold.core_strict_f1:.2f} | "
                f"{fold.core_lenient_f1:.2f} | {fold.negated_f1:.2f} | {fold.docs_per_s:.1f} |"
            )
        mean = {
            key: statistics.fmean(getattr(f, key) for f in folds)
            for key in ("core_strict_f1", "core_lenient_f1", "negated_f1", "docs_per_s")
        }
        lines.append(
            f"| mean | {sum(f.docs for f in folds)} | {mean['core_strict_f1']:.2f} | "
            f"{mean['core_lenient_f1']:.2f} | {mean['negated_f1']:.2f} | "
            f"{mean['docs_per_s']:.1f} |"
        )
        lines += ["", *per_type_lines(folds), ""]
    lines += [*FAILURE_MODES, ""]
    card = out / "MODEL_CARD.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    return card


def per_type_lines(folds: Sequence[FoldScores]) -> list[str]:
    """Markdown lines: each type's strict F1, averaged over the folds that saw it."""
    types = sorted({kind for fold in folds for kind in fold.per_type_strict_f1})
    lines = [
        "Strict F1 per type, the mean over the folds whose gold or predictions hold the type:",
        "",
        "| type | strict F1 | folds |",
        "|---|---|---|",
    ]
    for kind in types:
        scores = [f.per_type_strict_f1[kind] for f in folds if kind in f.per_type_strict_f1]
        lines.append(f"| {kind} | {statistics.fmean(scores):.2f} | {len(scores)} |")
    return lines


@dataclass(frozen=True, slots=True)
class TrainingInputs:
    """Every document the shipped model's training reads, by role."""

    supervised: list[Path]
    """The brat ``.txt`` files learnt from (each with its ``.ann``)."""
    vectors: list[CorpusText]
    pretraining: list[CorpusText]
    self_training: list[CorpusText]


def training_inputs(data: Path, settings: NerSettings, held_out: HeldOut) -> TrainingInputs:
    """What training on ``data`` with ``settings`` reads: all of MACCROBAT as gold, and the
    unlabelled texts of the settings' corpora that share no text with ``held_out``.

    Raises:
        CasebookError: ``CB-E001``/``CB-E011`` without annotated MACCROBAT documents;
            ``CB-E012`` when a corpus pattern reads a file of an evaluation set.
    """
    vectors: list[CorpusText] = []
    if settings.vectors:
        vectors = held_out.unseen(iter_corpus_texts(data, settings.vectors.corpora))
    pretraining: list[CorpusText] = []
    if settings.pretrain:
        corpus = iter_corpus_texts(data, settings.pretrain.corpora, line_breaks=True)
        pretraining = held_out.unseen(corpus)
    self_training: list[CorpusText] = []
    if settings.self_training:
        self_training = self_training_texts(data, settings.self_training, held_out)
    return TrainingInputs(
        brat_documents(data / "maccrobat2020"), vectors, pretraining, self_training
    )


def inputs_manifest(data: Path, inputs: TrainingInputs, note: str = "") -> TrainingManifest:
    """The training manifest of the mention model trained on ``inputs``."""
    builder = ManifestBuilder(data)
    for txt in inputs.supervised:
        builder.read(Role.SUPERVISED, txt, [txt.stem])
        builder.read(Role.SUPERVISED, txt.with_suffix(".ann"))
    for role, texts in (
        (Role.VECTORS, inputs.vectors),
        (Role.PRETRAINING, inputs.pretraining),
        (Role.SELF_TRAINING, inputs.self_training),
    ):
        for text in texts:
            builder.read(role, text.path, [text.id])
    return builder.build(MODEL_NAME, note)


def train_and_save(
    data: Path,
    out: Path,
    settings: NerSettings,
    folds: int = 0,
    log: Callable[[str], None] = lambda message: None,
    workers: int = 1,
    predictions: Path | None = None,
    reproduce: str = REPRODUCE_DEFAULT,
) -> Path:
    """Reproduce the shipped model: vectors, pretraining, cross-validation, final model, card.

    Args:
        data: The datasets folder (``CASEBOOK_DATA``) holding ``maccrobat2020/``.
        out: The model folder to (re)write; replaced only once the new model is complete.
        settings: The training settings.
        folds: Cross-validation folds to score beside the final training (0: none).
        log: Receives one line per step.
        workers: Processes that train the folds and the final model side by side.
        predictions: A folder for every document's case analysed by the fold model that never
            saw it (held-out mentions for the benchmarks that read whole cases).
        reproduce: The command the model card gives to train this model again.

    Returns:
        The model card's path.
    """
    brat = data / "maccrobat2020"
    started = time.perf_counter()
    log("reading the evaluation sets, which no unlabelled training text may share text with")
    inputs = training_inputs(data, settings, HeldOut(data))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        if settings.vectors:
            log(f"training word vectors on {len(inputs.vectors)} texts")
        if settings.pretrain:
            log(f"pretraining the tok2vec on {len(inputs.pretraining)} texts")
        # In a process of its own, which gives its memory back when it ends: the folds and the
        # final model train beside each other afterwards, and all three at once do not fit.
        with training_processes(1) as process:
            vectors, weights = process.submit(
                prepare_encoder,
                settings,
                [t.text for t in inputs.vectors],
                [t.text for t in inputs.pretraining],
                root,
            ).result()
        unlabelled = [t.text for t in inputs.self_training]
        if settings.self_training:
            log(f"self-training on {len(unlabelled)} unlabelled texts")
        staged = root / "model"
        with training_processes(workers) as processes:
            log(f"training the final model on every document, {folds} folds beside it")
            final: Future[int] = processes.submit(
                train_to_disk, settings, brat, staged, vectors, weights, unlabelled
            )
            fold_jobs = [
                processes.submit(
                    score_fold,
                    settings,
                    brat,
                    folds,
                    fold,
                    vectors,
                    weights,
                    unlabelled,
                    predictions,
                )
                for fold in range(folds)
            ]
            scores: list[FoldScores] = []
            for job in fold_jobs:
                scores.append(job.result())
                log(f"  {scores[-1].model_dump()}")
            docs = final.result()
        manifest = inputs_manifest(data, inputs)
        write_manifest(staged, manifest)
        card = write_model_card(
            staged, settings, docs, time.perf_counter() - started, scores, manifest, reproduce
        )
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staged, out)
    log(f"model written to {out}")
    return out / card.name
