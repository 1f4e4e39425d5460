"""Pretraining the mention model's tok2vec on unlabelled case-report text.

spaCy's "characters" objective (as ``spacy pretrain`` runs it): 15 % of the tokens are masked
BERT-style (Devlin et al. 2019: 80 % replaced by ``[MASK]``, 10 % by a random word, 10 % kept),
and an output layer on the tok2vec learns to predict ``characters`` characters of each masked
token, taken from both ends (first, last, second …), from its context. Only the tok2vec's
weights are kept; the trainer loads them in place of its random initialisation.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

import numpy
from numpy.typing import NDArray
from pydantic import Field
from spacy.language import Language
from spacy.ml.models.multi_task import build_cloze_characters_multi_task_model
from spacy.tokens import Doc
from thinc.api import Adam, Model, fix_random_seed
from thinc.types import Floats2d

from casebook.model import RecordModel

TOK2VEC = "tok2vec"
MASK = "[MASK]"


class PretrainSettings(RecordModel):
    """How the tok2vec is pretrained before the tagging heads are trained on it."""

    corpora: list[str] = Field(
        min_length=1,
        description="Glob patterns under the data folder: text files or PMC-Patients JSONL.",
    )
    passes: int = Field(default=1, ge=1, description="Passes over the texts at most.")
    max_words: int = Field(default=8_000_000, ge=1, description="Tokens read at most, in all.")
    batch_words: int = Field(default=2000, ge=1, description="Tokens per update.")
    max_doc_tokens: int = Field(default=1500, ge=1, description="A longer text is cut here.")
    mask_prob: float = Field(default=0.15, gt=0.0, lt=1.0)
    characters: int = Field(
        default=3, ge=1, description="Characters predicted, from both ends of the token."
    )
    hidden_size: int = Field(default=300, ge=1)
    maxout_pieces: int = Field(default=3, ge=1)
    learn_rate: float = Field(default=0.001, gt=0.0)
    seed: int = 0


def mask_docs(
    docs: Sequence[Doc], rng: numpy.random.Generator, mask_prob: float
) -> tuple[NDArray[numpy.bool_], list[Doc]]:
    """Copies of ``docs`` with about ``mask_prob`` of their non-space tokens masked.

    A masked token becomes ``[MASK]`` (80 %), a word drawn from the batch (10 %) or stays
    (10 %). Returns the mask over all tokens of the batch, in order, and the new docs.
    """
    pool = [token.text for doc in docs for token in doc if not token.is_space] or [MASK]
    masked = rng.random(sum(len(doc) for doc in docs)) < mask_prob
    out: list[Doc] = []
    index = 0
    for doc in docs:
        words: list[str] = []
        for token in doc:
            word = token.text
            if token.is_space:
                masked[index] = False
            elif masked[index]:
                roll = rng.random()
                if roll < 0.8:
                    word = MASK
                elif roll < 0.9:
                    word = pool[int(rng.integers(len(pool)))]
            words.append(word)
            index += 1
        out.append(Doc(doc.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc]))
    return masked, out


def characters_loss(
    docs: Sequence[Doc], predicted: Floats2d, masked: NDArray[numpy.bool_], characters: int
) -> tuple[float, Floats2d]:
    """Squared error of the predicted characters of the masked tokens, and its gradient.

    The target of each token is one-hot over the 256 byte values for each of ``characters``
    characters taken from both ends (``Doc.to_utf8_array``), as spaCy's characters objective.
    """
    rows: list[NDArray[numpy.uint8]] = [
        numpy.asarray(doc.to_utf8_array(nr_char=characters)) for doc in docs
    ]
    ids = numpy.vstack(rows).reshape(-1)
    target = numpy.zeros((ids.shape[0], 256), dtype=numpy.float32)
    target[numpy.arange(ids.shape[0]), ids] = 1.0
    diff = numpy.asarray(predicted, dtype=numpy.float32) - target.reshape((-1, 256 * characters))
    diff *= masked.reshape(-1, 1)
    gradient = cast(Floats2d, diff / numpy.float32(diff.shape[0]))
    return float((diff**2).sum()), gradient


def _batches(
    nlp: Language, texts: Sequence[str], settings: PretrainSettings, rng: random.Random
) -> Iterator[list[Doc]]:
    """Batches of about ``batch_words`` tokens over ``passes`` shuffled passes of ``texts``."""
    order = list(range(len(texts)))
    for _ in range(settings.passes):
        rng.shuffle(order)
        batch: list[Doc] = []
        size = 0
        for index in order:
            doc = nlp.make_doc(texts[index])
            if len(doc) > settings.max_doc_tokens:
                doc = doc[: settings.max_doc_tokens].as_doc()
            if not len(doc):
                continue
            batch.append(doc)
            size += len(doc)
            if size >= settings.batch_words:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch


def pretrain_tok2vec(
    nlp: Language,
    texts: Sequence[str],
    settings: PretrainSettings,
    on_progress: Callable[[dict[str, float]], None] | None = None,
) -> bytes:
    """Pretrain the ``tok2vec`` component of ``nlp`` on ``texts``; return its weights.

    ``nlp`` is a freshly built pipeline; the components before the tok2vec (such as the
    lexicon features) are run on every doc, as in training. The returned bytes are the
    tok2vec's weights averaged over the updates (``Model.from_bytes`` loads them).

    Args:
        nlp: The pipeline whose tok2vec to pretrain; it is initialised here, after
            ``fix_random_seed(settings.seed)``.
        texts: Unlabelled texts.
        settings: The pretraining settings.
        on_progress: Receives, every 50 updates and at the end, the tokens read so far and
            the mean loss per masked token since the last report.
    """
    fix_random_seed(settings.seed)
    before = nlp.pipe_names[: nlp.pipe_names.index(TOK2VEC)]

    def prepare(doc: Doc) -> Doc:
        for name in before:
            doc = nlp.get_pipe(name)(doc)
        return doc

    tok2vec: Model[Any, Any] = nlp.get_pipe(TOK2VEC).model  # type: ignore[attr-defined]
    sample = [prepare(nlp.make_doc("Give it a doc to infer shapes"))]
    tok2vec.initialize(X=sample)
    objective = build_cloze_characters_multi_task_model(
        nlp.vocab,
        tok2vec,
        maxout_pieces=settings.maxout_pieces,
        hidden_size=settings.hidden_size,
        nr_char=settings.characters,
    )
    # Only the output layer: initialising the whole objective would draw the tok2vec anew.
    objective.get_ref("output_layer").initialize(X=tok2vec.predict(sample))
    for layer in objective.walk():
        layer.ops = tok2vec.ops
    # The objective's own masking makes docs without the features the components before the
    # tok2vec set, so the inner model (tok2vec + output layer) is fed docs masked here.
    model: Model[list[Doc], Floats2d] = objective.get_ref("wrapped")
    optimizer = Adam(settings.learn_rate, L2=0.01, grad_clip=1.0, use_averages=True)
    rng = numpy.random.default_rng(settings.seed)
    words = masked_total = updates = 0
    loss_total = 0.0
    for docs in _batches(nlp, texts, settings, random.Random(settings.seed)):
        masked, inputs = mask_docs(docs, rng, settings.mask_prob)
        predicted, backprop = model.begin_update([prepare(doc) for doc in inputs])
        loss, gradient = characters_loss(docs, predicted, masked, settings.characters)
        backprop(gradient)
        model.finish_update(optimizer)
        words += sum(len(doc) for doc in docs)
        masked_total += int(masked.sum())
        loss_total += loss
        updates += 1
        if on_progress and updates % 50 == 0:
            on_progress({"words": words, "loss": loss_total / max(masked_total, 1)})
            loss_total, masked_total = 0.0, 0
        if words >= settings.max_words:
            break
    if on_progress and updates % 50:
        on_progress({"words": words, "loss": loss_total / max(masked_total, 1)})
    with tok2vec.use_params(optimizer.averages):
        weights: bytes = tok2vec.to_bytes()
    return weights
