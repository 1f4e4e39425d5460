"""A BILUO sequence tagger for mentions: a softmax per token and a constrained Viterbi decode.

spaCy's transition-based NER spends most of its time in its per-token parsing loop. Tagging
every token at once with a softmax over BILUO tags (Ratinov and Roth 2009) costs one matrix
product, and decoding with the BILUO transition constraints (Viterbi 1967) keeps every span
well formed. Two such heads share one tok2vec: one writes the flat types to ``doc.ents``, the
other writes the overlapping phrase types (History …) to ``doc.spans[spans_key]``.

The factory is registered with spaCy under ``casebook_biluo_tagger`` when this module is
imported, which ``casebook.nlp.mentions`` does before loading a model.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import islice
from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, offsets_to_biluo_tags
from spacy.vocab import Vocab
from thinc.api import Model, SequenceCategoricalCrossentropy
from thinc.types import Floats2d

FACTORY = "casebook_biluo_tagger"
OUTSIDE = "O"
PREFIXES = ("B", "I", "L", "U")

DEFAULT_MODEL: dict[str, Any] = {
    "@architectures": "spacy.Tagger.v2",
    "normalize": False,
    "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
}


def tag_names(labels: Sequence[str]) -> list[str]:
    """The tag set for ``labels``: ``O``, then ``B-``, ``I-``, ``L-``, ``U-`` of each label."""
    return [OUTSIDE] + [f"{prefix}-{label}" for label in labels for prefix in PREFIXES]


def decode(scores: NDArray[np.float32], n_labels: int) -> list[tuple[int, int, int]]:
    """The best well-formed BILUO tag path, as ``(first token, end token, label index)`` spans.

    The tag layout is ``tag_names``'. Tokens whose best tag is ``O`` stay outside; each run of
    other tokens between them keeps its per-token argmax when that is well formed, and otherwise
    gets the best well-formed tags by a Viterbi pass over the BILUO grammar: ``B``/``I`` of a
    label must be followed by ``I``/``L`` of the same label, and a run starts and ends outside
    one. Decoding runs rather than the whole text costs a fraction of the time and changes
    nothing where the argmax is confident about what is outside.

    Args:
        scores: Token × tag log-probabilities, or logits (a constant per token apart, which
            ranks paths the same).
        n_labels: How many labels the tags encode.
    """
    tags = scores.argmax(axis=1)
    for first, end in _malformed_runs(tags):
        tags[first:end] = _viterbi(scores[first:end], n_labels)
    positions = np.flatnonzero(tags)
    if not positions.size:
        return []
    labels, prefixes = np.divmod(tags[positions] - 1, 4)
    # The path is well formed now: each B is closed by the next L, and U stands alone.
    begins = positions[prefixes == 0]
    lasts = positions[prefixes == 2]
    units = positions[prefixes == 3]
    starts = np.concatenate((begins, units))
    ends = np.concatenate((lasts + 1, units + 1))
    span_labels = np.concatenate((labels[prefixes == 0], labels[prefixes == 3]))
    order = np.argsort(starts, kind="stable")
    return list(
        zip(
            starts[order].tolist(),
            ends[order].tolist(),
            span_labels[order].tolist(),
            strict=True,
        )
    )


def _malformed_runs(tags: NDArray[np.int64]) -> list[tuple[int, int]]:
    """The runs of consecutive non-``O`` tags that break the BILUO grammar, as
    ``(first, end)`` token ranges.

    Checked for the whole text at once: a run is malformed where it opens with ``I``/``L``,
    closes on ``B``/``I``, or steps from ``B-x``/``I-x`` to anything but ``I-x``/``L-x``, or
    from any other tag to ``I``/``L``.
    """
    prefixes = np.where(tags > 0, (tags - 1) % 4, -1)
    labels = (tags - 1) // 4
    # Padding with O on both sides makes the text's edges ordinary O-to-tag steps.
    before = np.concatenate(([-1], prefixes))
    after = np.concatenate((prefixes, [-1]))
    same_label = np.concatenate(([False], labels[1:] == labels[:-1], [False]))
    opened = (before == 0) | (before == 1)
    continues = (after == 1) | (after == 2)
    bad = np.flatnonzero(np.where(opened, ~(continues & same_label), continues))
    if not bad.size:
        return []
    inside = tags != 0
    # A bad step into token i belongs to the run holding i, or to the run ending at i − 1.
    tokens = np.where(np.concatenate((inside, [False]))[bad], bad, bad - 1)
    boundaries = np.flatnonzero(np.diff(np.concatenate(([0], inside.astype(np.int8), [0]))))
    run_starts, run_ends = boundaries[::2], boundaries[1::2]
    runs = np.unique(np.searchsorted(run_ends, tokens, side="right"))
    return list(zip(run_starts[runs].tolist(), run_ends[runs].tolist(), strict=True))


def span_score(scores: NDArray[np.float32], start: int, end: int, label: int) -> float:
    """The score of tagging tokens ``start:end`` as one span of ``label``: the sum of its
    ``B``, ``I``… ``L`` tags' scores, or its ``U`` tag's for a single token."""
    begin = 1 + 4 * label
    if end - start == 1:
        return float(scores[start, begin + 3])
    inside = float(scores[start + 1 : end - 1, begin + 1].sum())
    return float(scores[start, begin]) + inside + float(scores[end - 1, begin + 2])


def consistent_labels(
    spans: Sequence[tuple[int, int, int]],
    words: Sequence[Hashable],
    scores: NDArray[np.float32],
) -> list[tuple[int, int, int]]:
    """Give the spans that repeat the same words one label: the one whose summed span score
    over all of them is highest.

    A report names one thing the same way throughout ("CSF leak" three times); tagging each
    occurrence alone can give each another type. Relabelling the repeats with the label best
    supported across them is the document-level consistency of Krishnan and Manning (2006),
    decided here by the tagger's own scores. Boundaries never change. Comparing sums of
    logits is sound: the logits of a token differ from its log-probabilities by one constant,
    the same for every label.

    Args:
        spans: ``(first token, end token, label index)``, as ``decode`` returns them.
        words: The lower-cased words of the text (or any key equal for equal words), by token.
        scores: The token × tag scores the spans were decoded from.
    """
    groups: dict[tuple[Hashable, ...], list[int]] = {}
    for number, (start, end, _) in enumerate(spans):
        groups.setdefault(tuple(words[start:end]), []).append(number)
    result = list(spans)
    for members in groups.values():
        labels = sorted({spans[n][2] for n in members})
        if len(labels) < 2:
            continue
        best = max(
            labels,
            key=lambda label: sum(span_score(scores, *spans[n][:2], label) for n in members),
        )
        for n in members:
            result[n] = (spans[n][0], spans[n][1], best)
    return result


def _viterbi(scores: NDArray[np.float32], n_labels: int) -> NDArray[np.int64]:
    """Viterbi over the BILUO grammar in O(tokens × tags), using its block structure.

    After ``O``, ``L`` or ``U`` (outside) any ``O``, ``B`` or ``U`` may follow; after ``B-x`` or
    ``I-x`` (inside) only ``I-x`` or ``L-x``. So each step needs the best outside predecessor
    (one number) and, per label, the better of its ``B`` and ``I``.
    """
    n_tokens = scores.shape[0]
    table = scores.astype(np.float64)
    begins = 1 + 4 * np.arange(n_labels)
    insides, lasts, units = begins + 1, begins + 2, begins + 3
    outside_tags = np.concatenate(([0], lasts, units))
    opening_tags = np.concatenate(([0], begins, units))
    back = np.zeros(table.shape, dtype=np.int64)
    best = np.full(table.shape[1], -np.inf)
    best[opening_tags] = table[0, opening_tags]
    for t in range(1, n_tokens):
        step = np.full(table.shape[1], -np.inf)
        out_from = outside_tags[int(np.argmax(best[outside_tags]))]
        step[opening_tags] = best[out_from] + table[t, opening_tags]
        back[t, opening_tags] = out_from
        in_from = np.where(best[begins] >= best[insides], begins, insides)
        step[insides] = best[in_from] + table[t, insides]
        step[lasts] = best[in_from] + table[t, lasts]
        back[t, insides] = in_from
        back[t, lasts] = in_from
        best = step
    path = np.zeros(n_tokens, dtype=np.int64)
    path[-1] = outside_tags[int(np.argmax(best[outside_tags]))]
    for t in range(n_tokens - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


class BiluoTagger(TrainablePipe):  # type: ignore[misc]  # spaCy ships no stubs for it
    """Tags tokens with BILUO tags over its labels and writes the decoded spans.

    Args:
        vocab: The pipeline's vocabulary.
        model: A thinc model from docs to token × tag scores (``spacy.Tagger.v2``).
        name: The component's name in the pipeline.
        spans_key: ``None`` to write ``doc.ents``; otherwise the ``doc.spans`` key to write,
            for span types that may overlap the entities.
    """

    def __init__(
        self,
        vocab: Vocab,
        model: Model[list[Doc], list[Floats2d]],
        name: str,
        spans_key: str | None,
    ) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg: dict[str, Any] = {"labels": [], "spans_key": spans_key}

    @property
    def labels(self) -> tuple[str, ...]:
        """The span labels, in tag order."""
        return tuple(self.cfg["labels"])

    @property
    def spans_key(self) -> str | None:
        """Where spans are read and written: ``None`` for ``doc.ents``."""
        key: str | None = self.cfg["spans_key"]
        return key

    def add_label(self, label: str) -> int:
        """Add a span label; returns 1 when it was new."""
        if label in self.cfg["labels"]:
            return 0
        self.cfg["labels"].append(label)
        return 1

    def predict(self, docs: Iterable[Doc]) -> list[Floats2d]:
        """Tag scores per token (unnormalised logits), one array per doc."""
        scores: list[Floats2d] = self.model.predict(list(docs))
        return scores

    def set_annotations(self, docs: Iterable[Doc], scores: list[Floats2d]) -> None:
        """Decode each doc's tags and write its spans."""
        labels = self.labels
        n_labels = len(labels)
        for doc, probs in zip(docs, scores, strict=True):
            if len(doc) == 0:
                found: list[Span] = []
            else:
                # At prediction the softmax layer returns its logits unnormalised (spaCy's
                # Tagger.v2, normalize=False); each token's log-softmax differs from them by a
                # constant per token, which changes no path's rank.
                log_probs = np.asarray(probs, dtype=np.float32)
                # Lower-cased words as vocabulary hashes: one array, no Token objects made.
                words = doc.to_array(LOWER).tolist()
                spans = consistent_labels(decode(log_probs, n_labels), words, log_probs)
                found = [Span(doc, start, end, label=labels[label]) for start, end, label in spans]
            if self.spans_key is None:
                # What ``doc.ents = found`` does, without building every Span a second time.
                doc.set_ents(found)
            else:
                doc.spans[self.spans_key] = found

    def gold_tags(self, example: Example) -> list[str | None]:
        """The reference spans as BILUO tags on the predicted tokens (``None``: no supervision)."""
        spans = self._reference_spans(example.reference)
        aligned = example.get_aligned_spans_y2x(spans, allow_overlap=True)
        offsets = [(span.start_char, span.end_char, span.label_) for span in aligned]
        # Tokens outside every span are "O"; spaCy marks tokens it cannot align with "-".
        tags = offsets_to_biluo_tags(example.predicted, offsets)
        return [None if tag == "-" else tag for tag in tags]

    def _reference_spans(self, doc: Doc) -> list[Span]:
        key = self.spans_key
        if key is None:
            return list(doc.ents)
        return list(doc.spans[key]) if key in doc.spans else []

    def get_loss(
        self, examples: Iterable[Example], scores: list[Floats2d]
    ) -> tuple[float, list[Floats2d]]:
        """Categorical cross-entropy of the scores against the gold BILUO tags."""
        loss_func = SequenceCategoricalCrossentropy(names=tag_names(self.labels), normalize=False)
        truths = [self.gold_tags(example) for example in examples]
        # thinc's loss takes None as its default missing value, which its stubs do not say.
        gradients, loss = loss_func(scores, truths)  # type: ignore[arg-type]
        return float(loss), gradients

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Language | None = None,
        labels: list[str] | None = None,
    ) -> None:
        """Size the output layer from the labels (given, or read off the examples).

        ``labels`` is typed with builtins only: spaCy validates this signature in a namespace
        that knows no other names.
        """
        for label in labels or []:
            self.add_label(label)
        if not self.labels:
            found: set[str] = set()
            for example in get_examples():
                found.update(span.label_ for span in self._reference_spans(example.reference))
            for label in sorted(found):
                self.add_label(label)
        names = tag_names(self.labels)
        doc_sample: list[Doc] = []
        label_sample: list[Floats2d] = []
        for example in islice(get_examples(), 10):
            doc_sample.append(example.predicted)
            gold = self.gold_tags(example)
            rows = [[1.0 if tag == name else 0.0 for name in names] for tag in gold]
            label_sample.append(self.model.ops.asarray2f(rows))
        self.model.initialize(X=doc_sample, Y=label_sample)


@Language.factory(
    FACTORY,
    default_config={"model": DEFAULT_MODEL, "spans_key": None},
)
def make_biluo_tagger(
    nlp: Language, name: str, model: Model[list[Doc], list[Floats2d]], spans_key: str | None
) -> BiluoTagger:
    """spaCy's factory for ``BiluoTagger``."""
    return BiluoTagger(nlp.vocab, model, name, spans_key)
