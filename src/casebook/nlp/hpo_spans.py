"""Phenotypes named anywhere in a text: exact HPO aliases, and variants a trained scorer accepts.

Recognition follows PhenoTagger (Luo et al. 2021, Bioinformatics) in learning from the ontology
alone. Every phrase of up to ``max_words`` words in every sentence is a candidate span; the HPO
alias matcher (``CandidateGenerator.candidates``) proposes the concept whose alias shares the
most words with it, and a logistic scorer decides whether the span names that concept. The
scorer (``casebook train hpo``, ``resources/models/hpo``) reads how the span and the alias
differ: their word overlap weighted by how rare each word is among HPO aliases, word order,
shared character trigrams, and which words one has that the other lacks ("abnormality",
"morphology" may go; an organ may not). It learnt from HPO names and synonyms only: a synonym
matched to the nearest *other* alias is a positive example when that alias names the same
concept and a negative one when it names another, and a piece of an alias that is no alias
itself ("corpus callosum" of "Agenesis of the corpus callosum") is a negative one.

A span's word may also stand for its equivalent in an alias ("lung mass" for Pulmonary mass):
the ontology's own names show which words are equivalent (``WordEquivalents``), and which
nouns and adjectives of one stem they use for one another ("axons" for Axonal degeneration,
``adjective_forms``), and the scorer reads the span with the equivalent in its place.

Exact alias matches (``phenotype_matches``) are kept as they are; scored spans fill the text
they leave, best first, never overlapping.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from pathlib import Path

import numpy as np

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import (
    AliasMatch,
    Candidate,
    CandidateGenerator,
    KnowledgeBase,
    normalize_alias,
    normalize_tokens,
    phrases,
)
from casebook.kb.heads import load_head_words
from casebook.resources import resource_path

MODEL_DIR = "models/hpo"
"""The shipped scorer's folder under ``casebook/resources``."""

MODEL_FILE = "model.json"

FORMAT = 2

DENSE_FEATURES: tuple[str, ...] = (
    "dice",
    "weighted_alias_coverage",
    "weighted_span_coverage",
    "max_missing_alias_idf",
    "max_extra_span_idf",
    "same_order",
    "trigram_jaccard",
    "span_words",
    "alias_words",
)
"""The named features, in the order of the model's first weights; hashed word features follow."""

EDGE_WORDS = frozenset(
    {
        "of",
        "and",
        "or",
        "with",
        "without",
        "in",
        "on",
        "to",
        "for",
        "at",
        "by",
        "from",
        "as",
        "is",
        "was",
        "were",
        "are",
        "be",
        "been",
        "no",
        "not",
        "his",
        "her",
        "their",
        "this",
        "that",
        "which",
        "who",
        "had",
        "has",
        "have",
        "patient",
        "but",
    }
)
"""Words a candidate span neither starts nor ends with: "no fever" is the span "fever"."""


NOT_THE_THING = frozenset({"like", "free", "mimicking", "negative"})
"""Words that, joined by a hyphen after a phrase, tell the thing it names is not there:
"seizure-like", "pain-free", "HIV-negative"."""

_JOINED_WORD = re.compile(r"-([A-Za-z]+)\b")
"""A word joined by a hyphen right at a position."""

PREPOSITIONS = frozenset({"of", "in", "on"})
"""Words by which a span says an alias's words in another order: "fibrosis in the liver" for
Hepatic fibrosis, "perforation of gallbladder" for Gallbladder perforation."""

_NEXT_WORD = re.compile(r" +([A-Za-z][\w-]*)")
"""The word right after a position, in the same phrase and table cell."""

PHRASE_ENDERS = frozenset(
    {"since", "during", "after", "before", "until", "when", "while", "due", "because", "despite"}
)
"""Words after a span that end the phrase it is in, as ``EDGE_WORDS`` do: "dislocation of the
lens since childhood"."""


@dataclass(frozen=True)
class WordEquivalents:
    """Words HPO's names use for one another, learnt from the names themselves.

    Two names of one concept whose words differ by one word each ("Renal cyst", "Kidney cyst";
    "Pulmonary fibrosis", "Lung fibrosis") pair those words. A pair is an equivalence when at
    least ``min_concepts`` concepts pair it and at least ``min_share`` of all the name pairs
    differing by it alone are of one concept: "upper" and "lower", "short" and "small" tell
    different concepts of names otherwise alike ("Short stature", "Small stature" aside) as
    often as they name one. A name saying one word as the object of "of" and a name of the
    same concept saying the other before its last word pair them too ("Abnormality of the
    heart", "Cardiac abnormality"; ``_object_and_modifier_pairs``).

    Attributes:
        concepts: Word pair (in order) → the concepts having two names that differ by it alone.
        contrasts: Word pair → how many sets of other words it completes into names of
            different concepts.
    """

    concepts: Mapping[tuple[str, str], frozenset[str]]
    contrasts: Mapping[tuple[str, str], int]

    @classmethod
    def of(cls, aliases: Mapping[tuple[str, ...], Set[str]]) -> WordEquivalents:
        """The pairs of ``aliases`` (alias words → its concepts; ``EDGE_WORDS`` pair none)."""
        concepts_of: dict[frozenset[str], set[str]] = {}
        for words, ids in aliases.items():
            concepts_of.setdefault(frozenset(words), set()).update(ids)
        # The other words of a name → each word completing them into a name, with its concepts.
        completions: dict[frozenset[str], list[tuple[str, set[str]]]] = {}
        for distinct, ids in sorted(concepts_of.items(), key=lambda item: sorted(item[0])):
            for word in sorted(distinct - EDGE_WORDS):
                completions.setdefault(distinct - {word}, []).append((word, ids))
        same: dict[tuple[str, str], set[str]] = {}
        contrasts: dict[tuple[str, str], int] = {}
        for completing in completions.values():
            for i, (first, first_ids) in enumerate(completing):
                for second, second_ids in completing[i + 1 :]:
                    pair = (first, second) if first < second else (second, first)
                    shared = first_ids & second_ids
                    if shared:
                        same.setdefault(pair, set()).update(shared)
                    else:
                        contrasts[pair] = contrasts.get(pair, 0) + 1
        for pair, ids in _object_and_modifier_pairs(aliases).items():
            same.setdefault(pair, set()).update(ids)
        return cls({p: frozenset(c) for p, c in same.items()}, contrasts)

    def holds(
        self,
        pair: tuple[str, str],
        min_concepts: int,
        min_share: float,
        leave_out: Set[str] = frozenset(),
    ) -> bool:
        """Whether an ordered word pair is an equivalence, the names of the concepts
        ``leave_out`` not counted."""
        concepts = self.concepts.get(pair, frozenset())
        count = len(concepts - leave_out)
        return count >= min_concepts and count >= min_share * (count + self.contrasts.get(pair, 0))

    def table(self, min_concepts: int, min_share: float) -> dict[str, tuple[str, ...]]:
        """Word → its equivalents, in order."""
        table: dict[str, list[str]] = {}
        for pair in sorted(self.concepts):
            if self.holds(pair, min_concepts, min_share):
                table.setdefault(pair[0], []).append(pair[1])
                table.setdefault(pair[1], []).append(pair[0])
        return {word: tuple(sorted(others)) for word, others in sorted(table.items())}


def _object_and_modifier_pairs(
    aliases: Mapping[tuple[str, ...], Set[str]],
) -> dict[tuple[str, str], set[str]]:
    """Word pair (in order) → the concepts having a name that says one word as the object of
    "of" and a name without "of" saying the other before its last word, the names' words
    otherwise the same: "Abnormality of the heart" and "Cardiac abnormality" pair "heart" and
    "cardiac", as "Kidney cyst" and "Renal cyst" pair "kidney" and "renal"."""
    names: dict[str, list[tuple[str, ...]]] = {}
    for words, ids in aliases.items():
        for concept in ids:
            names.setdefault(concept, []).append(words)
    pairs: dict[tuple[str, str], set[str]] = {}
    for concept, said in sorted(names.items()):
        plain = [(words, frozenset(words)) for words in said if "of" not in words]
        for words in said:
            objects = {words[i + 1] for i in range(len(words) - 1) if words[i] == "of"}
            if not objects:
                continue
            distinct = frozenset(words) - {"of"}
            for other, other_distinct in plain:
                one, two = distinct - other_distinct, other_distinct - distinct
                if len(one) == 1 and len(two) == 1:
                    (noun,), (modifier,) = one, two
                    if noun in objects and other.index(modifier) < len(other) - 1:
                        pair = (noun, modifier) if noun < modifier else (modifier, noun)
                        pairs.setdefault(pair, set()).add(concept)
    return pairs


ADJECTIVE_ENDINGS = ("al", "ar", "ary", "eal", "ial", "ic", "ical", "ous")
"""Endings that make an adjective of a noun's stem: "axon-al", "cornea" → "corne-al"."""

NOUN_ENDINGS = ("", "a", "e", "is", "on", "um", "us", "y")
"""Latin and English endings a noun drops before an adjective ending: "vertebr-a",
"cerebell-um", "skelet-on"; a final "le" becomes "ul" ("muscle" → "muscular")."""


def _stems(noun: str) -> set[str]:
    """The stems of a noun an adjective ending may follow (``NOUN_ENDINGS``), of three
    letters at least."""
    stems = {noun[: len(noun) - len(end)] for end in NOUN_ENDINGS if noun.endswith(end)}
    if noun.endswith("le"):
        stems.add(noun[:-2] + "ul")
    return {stem for stem in stems if len(stem) >= 3}


def is_adjective_of(noun: str, adjective: str) -> bool:
    """Whether ``adjective`` is a stem of ``noun`` with an ``ADJECTIVE_ENDINGS`` ending:
    "vertebra", "vertebral"."""
    return any(adjective == stem + ending for stem in _stems(noun) for ending in ADJECTIVE_ENDINGS)


MIN_SHARED_HEADS = 2
"""How many words a noun and its adjective must each qualify in HPO's names to be taken as
one word's forms without a concept naming them both."""


def adjective_forms(
    aliases: Mapping[tuple[str, ...], Set[str]], generic: Set[str] = frozenset()
) -> dict[str, tuple[str, ...]]:
    """Nouns and their adjectives (``is_adjective_of``) that HPO's names use for one another,
    each word → its other forms, in order.

    ``WordEquivalents`` misses them: a name says the noun after "of", so its words differ from
    the other name's by two. A pair is kept where two names of one concept differ by it alone,
    "of" set aside ("Abnormality of the cornea", "Corneal abnormality"), or where the noun and
    the adjective each qualify at least ``MIN_SHARED_HEADS`` same words, not ``generic``, in
    names of any concepts ("Axon degeneration and regeneration", "Axonal degeneration";
    "Peripheral axon spheroid formation", "Axonal spheroids"): words alike in spelling only
    ("colon" and "colic", "base" and "basic") share no such use.
    """
    names: dict[str, set[frozenset[str]]] = {}
    heads: dict[str, set[str]] = {}
    for words, ids in aliases.items():
        for concept in ids:
            names.setdefault(concept, set()).add(frozenset(words) - {"of"})
        for i, word in enumerate(words[:-1]):
            head = words[i + 1]
            if head not in EDGE_WORDS:
                heads.setdefault(word, set()).add(head)
            if head == "of" and i + 2 < len(words):
                heads.setdefault(words[i + 2], set()).add(word)
    table: dict[str, set[str]] = {}

    def add(a: str, b: str) -> None:
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)

    for sets in names.values():
        ordered = sorted(sets, key=sorted)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                one, other = first - second, second - first
                if len(one) == 1 and len(other) == 1:
                    (a,), (b,) = one, other
                    if is_adjective_of(a, b) or is_adjective_of(b, a):
                        add(a, b)
    for noun in sorted(heads):
        for adjective in _adjectives_among(noun, heads):
            shared = (heads[noun] & heads[adjective]) - generic - {noun, adjective}
            if len(shared) >= MIN_SHARED_HEADS:
                add(noun, adjective)
    return {word: tuple(sorted(others)) for word, others in sorted(table.items())}


def _adjectives_among(noun: str, words: Mapping[str, object]) -> list[str]:
    """The words of ``words`` that are ``noun``'s adjectives (``is_adjective_of``)."""
    return sorted(
        stem + ending
        for stem in _stems(noun)
        for ending in ADJECTIVE_ENDINGS
        if stem + ending != noun and stem + ending in words
    )


def readings(
    span: tuple[str, ...], equivalents: Mapping[str, Sequence[str]]
) -> Iterator[tuple[tuple[str, ...], str, str]]:
    """The span's words with one of them replaced by an equivalent it does not hold, with the
    word replaced and its equivalent."""
    for i, word in enumerate(span):
        for other in equivalents.get(word, ()):
            if other not in span:
                yield (*span[:i], other, *span[i + 1 :]), word, other


PROBABILITIES_KEPT = 100_000
"""How many span–alias pairs a ``SpanScorer`` remembers the probability of."""


@dataclass(frozen=True)
class SpanScorer:
    """The trained scorer: logistic weights over a span–alias pair's features.

    Attributes:
        weights: One weight per dense feature, then one per hash bucket.
        bias: The intercept.
        buckets: How many hash buckets the missing and extra words share.
        idf: Normalised word → log inverse frequency among HPO aliases.
        default_idf: The idf of a word in no alias.
        max_words: The longest candidate span, in words.
        min_dice: The least word overlap (Dice) a candidate needs to be scored.
        equivalents: Word → the words it may stand for in an alias (``WordEquivalents``).
        min_equivalent_concepts: The ``min_concepts`` they were chosen with.
        min_equivalent_share: The ``min_share`` they were chosen with.
    """

    weights: np.ndarray
    bias: float
    buckets: int
    idf: Mapping[str, float]
    default_idf: float
    max_words: int
    min_dice: float
    equivalents: Mapping[str, tuple[str, ...]]
    min_equivalent_concepts: int
    min_equivalent_share: float
    _remembered: dict[tuple[tuple[str, ...], tuple[str, ...]], float] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """(span, alias) → probability: the same phrases recur from case to case."""

    def probability(self, span: Sequence[str], alias: Sequence[str]) -> float:
        """The probability that a span of normalised words names the alias's concept."""
        key = (tuple(span), tuple(alias))
        known = self._remembered.get(key)
        if known is not None:
            return known
        dense, hashed = pair_features(span, alias, self.idf, self.default_idf, self.buckets)
        count = len(DENSE_FEATURES)
        score = self.bias + float(np.dot(self.weights[:count], dense))
        for bucket in hashed:
            score += float(self.weights[count + bucket])
        probability = 1.0 / (1.0 + math.exp(-score))
        if len(self._remembered) >= PROBABILITIES_KEPT:
            self._remembered.clear()
        self._remembered[key] = probability
        return probability

    def save(self, folder: Path) -> Path:
        """Write the scorer as ``folder/model.json`` and return the path."""
        folder.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": FORMAT,
            "features": list(DENSE_FEATURES),
            "buckets": self.buckets,
            "max_words": self.max_words,
            "min_dice": self.min_dice,
            "min_equivalent_concepts": self.min_equivalent_concepts,
            "min_equivalent_share": self.min_equivalent_share,
            "equivalents": {word: list(others) for word, others in self.equivalents.items()},
            "bias": round(self.bias, 6),
            "weights": [round(float(w), 6) for w in self.weights],
            "default_idf": round(self.default_idf, 6),
            "idf": {word: round(value, 4) for word, value in sorted(self.idf.items())},
        }
        path = folder / MODEL_FILE
        path.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
        return path


def read_scorer(folder: Path) -> SpanScorer:
    """Read a scorer ``SpanScorer.save`` wrote.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or not of the expected shape.
    """
    path = folder / MODEL_FILE
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload.get("format") != FORMAT or payload.get("features") != list(DENSE_FEATURES):
            raise ValueError("unknown format or features")
        buckets = int(payload["buckets"])
        weights = np.asarray(payload["weights"], dtype=np.float64)
        if weights.shape != (len(DENSE_FEATURES) + buckets,):
            raise ValueError("weights do not fit the features")
        return SpanScorer(
            weights=weights,
            bias=float(payload["bias"]),
            buckets=buckets,
            idf={str(k): float(v) for k, v in payload["idf"].items()},
            default_idf=float(payload["default_idf"]),
            max_words=int(payload["max_words"]),
            min_dice=float(payload["min_dice"]),
            equivalents={
                str(word): tuple(str(o) for o in others)
                for word, others in payload["equivalents"].items()
            },
            min_equivalent_concepts=int(payload["min_equivalent_concepts"]),
            min_equivalent_share=float(payload["min_equivalent_share"]),
        )
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "HPO span scorer not found", path) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CasebookError(
            ErrorCode.INVALID_RESOURCE, f"not an HPO span scorer: {exc}", path
        ) from exc


@cache
def packaged_scorer() -> SpanScorer:
    """The shipped scorer, read on first use."""
    return read_scorer(resource_path(MODEL_DIR))


def alias_idf(kb: KnowledgeBase) -> tuple[dict[str, float], float]:
    """Each normalised alias word's ``log(N / df)`` over the knowledge base's aliases, and the
    idf of a word in none (``log(N)``)."""
    frequency: dict[str, int] = {}
    for key in kb.aliases:
        for word in set(key.split(" ")):
            frequency[word] = frequency.get(word, 0) + 1
    total = len(kb.aliases)
    return {w: math.log(total / n) for w, n in frequency.items()}, math.log(total)


def bucket_of(feature: str, buckets: int) -> int:
    """The hash bucket of a word feature (CRC-32: the same on every platform and run)."""
    return zlib.crc32(feature.encode("utf-8")) % buckets


def _trigrams(words: Sequence[str]) -> set[str]:
    joined = f" {' '.join(sorted(words))} "
    return {joined[i : i + 3] for i in range(len(joined) - 2)}


def pair_features(
    span: Sequence[str],
    alias: Sequence[str],
    idf: Mapping[str, float],
    default_idf: float,
    buckets: int,
) -> tuple[np.ndarray, list[int]]:
    """The dense features of a span–alias pair and the hash buckets of its word features.

    Args:
        span: The span's normalised words.
        alias: The alias's normalised words.
        idf: Word rarity among aliases (``alias_idf``).
        default_idf: The rarity of a word in no alias.
        buckets: How many hash buckets word features fall into.
    """
    span_set, alias_set = set(span), set(alias)
    shared = span_set & alias_set
    missing = alias_set - span_set
    extra = span_set - alias_set

    def weight(words: set[str]) -> float:
        # Summed in a fixed order: a set's order changes with the process's string hashing.
        return sum(idf.get(w, default_idf) for w in sorted(words))

    shared_order = [w for w in span if w in shared]
    alias_order = [w for w in alias if w in shared]
    trigrams_span, trigrams_alias = _trigrams(span), _trigrams(alias)
    union = trigrams_span | trigrams_alias
    dense = np.asarray(
        [
            2 * len(shared) / (len(span_set) + len(alias_set)),
            weight(shared) / max(weight(alias_set), 1e-9),
            weight(shared) / max(weight(span_set), 1e-9),
            max((idf.get(w, default_idf) for w in missing), default=0.0) / default_idf,
            max((idf.get(w, default_idf) for w in extra), default=0.0) / default_idf,
            1.0 if shared_order == alias_order else 0.0,
            len(trigrams_span & trigrams_alias) / len(union) if union else 0.0,
            1.0 / len(span_set) if span_set else 0.0,
            1.0 / len(alias_set) if alias_set else 0.0,
        ],
        dtype=np.float64,
    )
    hashed = sorted(
        {bucket_of(f"missing:{w}", buckets) for w in missing}
        | {bucket_of(f"extra:{w}", buckets) for w in extra}
    )
    return dense, hashed


@dataclass(frozen=True, slots=True)
class ScoredSpan:
    """A candidate span the scorer accepted.

    Attributes:
        start: Offset of its first character.
        end: Offset one past its last.
        concept_id: The HPO concept it names.
        probability: The scorer's probability.
    """

    start: int
    end: int
    concept_id: str
    probability: float


def phrase_spans(
    text: str,
    max_words: int,
    forms: Mapping[str, str] | None = None,
    ends: Callable[[str, str], bool] | None = None,
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Every run of 1 to ``max_words`` words within a phrase (no sentence punctuation or line
    break inside) that neither starts nor ends with an ``EDGE_WORDS`` word: its offsets and its
    normalised words (``casebook.kb.base.phrases``, articles left out), each read as ``forms``
    says (``CandidateGenerator.word_forms``). With ``ends``, only the runs whose first and
    last words (as read) it accepts, a word also being both ends of a run of one."""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    forms = forms or {}
    for phrase in phrases(text):
        words = tuple(forms.get(word, word) for word, _, _ in phrase)
        for i, (word, start, _) in enumerate(phrase):
            first = words[i]
            if word in EDGE_WORDS or (ends is not None and not ends(first, first)):
                continue
            for j in range(i, min(i + max_words, len(phrase))):
                last, _, end = phrase[j]
                if last not in EDGE_WORDS and (ends is None or ends(first, words[j])):
                    spans.append((start, end, words[i : j + 1]))
    return spans


def scored_spans(
    text: str,
    generator: CandidateGenerator,
    scorer: SpanScorer,
    threshold: float,
    max_senses: int = 1,
    taken: Sequence[tuple[int, int]] = (),
    generic: frozenset[str] | None = None,
    other_senses: frozenset[str] = frozenset(),
) -> list[ScoredSpan]:
    """The spans of ``text`` whose best HPO candidate the scorer accepts, overlapping allowed
    but not overlapping ``taken`` (character ranges, such as the exact matches').

    A span whose words as said the scorer does not accept is read again with an equivalent
    (``_nearer_reading``), but only where its phrase ends with it or goes on with a function
    word other than "of" (``EDGE_WORDS``, ``PHRASE_ENDERS``): an equivalence holds of whole
    names, and a word after the span goes on with the thing it names ("small intestinal
    [adenoma]" is no Intestinal hypoplasia, "abnormal chest [X-ray]" no Abnormal thorax
    morphology, "increased levels of alanine [transaminase]" no Hyperalaninemia, "absence [of
    a fracture]" no Agenesis).

    A span whose best score more than ``max_senses`` concepts share is ambiguous and skipped,
    and so is one whose first or last word its candidate alias lacks, and one of body parts'
    words only (``casebook.kb.heads``). With ``generic`` (words naming no part of a concept's
    meaning, as read), so is one lacking a word of its alias that is not generic: its concept
    says more than its words ("craniofacial abnormalities" is no "Abnormality of
    craniofacial shape", Craniofacial asymmetry; "putamen and caudate" no "Fusion of the
    caudate and putamen"), as a mention is never linked to a concept narrower than its
    words (``PhenotypeCoder``). So is one whose candidate alias is read in another sense
    (``other_senses``, normalised alias keys), as an exact match of it is: "deformity of
    spine" tells no Neuropathic spinal arthropathy by its synonym "Spinal deformities".
    """
    found: list[ScoredSpan] = []
    body = load_head_words().body
    alias_words: dict[str, tuple[str, ...]] = {}
    forms = generator.word_forms
    equivalents = scorer.equivalents
    ranges = sorted(taken)
    starts = [s for s, _ in ranges]
    # furthest[i]: the furthest end among the first i + 1 ranges.
    furthest = list(accumulate((e for _, e in ranges), max))

    def ends(first: str, last: str) -> bool:
        # A span some alias holds both the first and last words of, or their equivalents: else
        # its best candidate's alias lacks one of them, which it must not (below).
        return generator.share_an_alias(first, last) or (
            (first in equivalents or last in equivalents)
            and any(
                generator.share_an_alias(a, b)
                for a in (first, *equivalents.get(first, ()))
                for b in (last, *equivalents.get(last, ()))
            )
        )

    def words_of(alias: str) -> tuple[str, ...]:
        known = alias_words.get(alias)
        if known is None:
            known = tuple(forms.get(w, w) for w in normalize_tokens(alias))
            alias_words[alias] = known
        return known

    for start, end, said in phrase_spans(text, scorer.max_words, forms, ends):
        before = bisect_left(starts, end) - 1
        if before >= 0 and furthest[before] > start:
            continue
        words = text[start:end]
        # An ASCII span's words are those ``candidates`` would read in its text; others are
        # read again, since lower-casing a whole text may split a word that lower-casing the
        # word alone does not ("İ").
        if not words.isascii():
            readings_tried = [
                (
                    said,
                    generator.candidates(words, limit=max_senses + 1, min_score=scorer.min_dice),
                )
            ]
        else:
            as_said = generator.word_candidates(said, max_senses + 1, scorer.min_dice)
            readings_tried = [(said, as_said)]
            if not _phrase_goes_on(text, end):
                nearer = _nearer_reading(
                    said, as_said, generator, equivalents, words_of, max_senses, scorer, generic
                )
                if nearer is not None:
                    readings_tried.append(nearer)
        for span, candidates in readings_tried:
            if not candidates:
                continue
            if len(candidates) > max_senses and candidates[0].score == candidates[max_senses].score:
                continue
            best = candidates[0]
            if not generator.spells(words, best.alias):
                continue
            if normalize_alias(best.alias) in other_senses:
                continue
            alias = words_of(best.alias)
            if span[0] not in alias or span[-1] not in alias:
                # "showed cerebellum hypoplasia": the span runs past the words the alias shares.
                continue
            if body.issuperset(said) or body.issuperset(span):
                # "sternoclavicular joint" of "Fractured sternoclavicular joint": a body part
                # alone is no phenotype, however much of the alias it spells.
                continue
            if _cuts_its_object(text, end, span, alias, generator):
                continue
            if generic is not None and not generic.issuperset(set(alias) - set(span)):
                continue
            probability = scorer.probability(span, alias)
            if probability >= threshold:
                found.append(ScoredSpan(start, end, best.concept_id, probability))
                break
    return found


def recognise(
    text: str,
    exact: Sequence[AliasMatch],
    generator: CandidateGenerator,
    scorer: SpanScorer,
    threshold: float,
    max_senses: int = 1,
    generic: frozenset[str] | None = None,
    other_senses: frozenset[str] = frozenset(),
) -> list[AliasMatch]:
    """The exact matches and, in the text they leave, the accepted spans (``scored_spans``,
    ``generic`` and ``other_senses`` passed on), in text order.

    Accepted spans are taken best first (probability, then length), each only where it
    overlaps no exact match and no span taken before it, and, when the generator's exact
    matches keep whole compounds (``CandidateGenerator.whole_compounds``), is not joined by a
    hyphen to a word telling the thing is not there (``NOT_THE_THING``): a "seizure-like
    episode" is no seizure, a "pain-free" patient has none. (Other compounds keep their
    spans: the "furrowed tongue" of a "deep-furrowed tongue" is one, and a
    "cancer-predisposition syndrome" names the cancer it predisposes to.)
    """
    taken = [(m.start, m.end) for m in exact]
    chosen = list(exact)
    spans = scored_spans(
        text, generator, scorer, threshold, max_senses, taken, generic, other_senses
    )
    for span in sorted(spans, key=lambda s: (-s.probability, s.start - s.end, s.start)):
        if any(span.start < e and s < span.end for s, e in taken):
            continue
        if generator.whole_compounds and _not_the_thing(text, span.end):
            continue
        taken.append((span.start, span.end))
        key = " ".join(normalize_tokens(text[span.start : span.end]))
        chosen.append(AliasMatch(span.start, span.end, key, (span.concept_id,)))
    return sorted(chosen, key=lambda m: (m.start, m.end))


def _nearer_reading(
    said: tuple[str, ...],
    as_said: Sequence[Candidate],
    generator: CandidateGenerator,
    equivalents: Mapping[str, Sequence[str]],
    words_of: Callable[[str], tuple[str, ...]],
    max_senses: int,
    scorer: SpanScorer,
    generic: frozenset[str] | None = None,
) -> tuple[tuple[str, ...], list[Candidate]] | None:
    """The span's words with one replaced by an equivalent (``readings``) whose best
    candidate is nearer than the best of the words ``as_said``, the nearest such, with its
    candidates; ``None`` when there is none.

    An equivalent counts only where the best candidate's alias (``words_of``) holds it and a
    word of the span as said, not ``generic``, beside it: a pair of words is equivalent in the
    names it comes from, and a word alone ("absence" for the "atrichia" of "Atrichia of
    eyelashes") tells none of them; nor does a generic word stand for another kind of word
    (``stands_for``). Where the one best candidate as said has an alias holding every word said
    and lacking only generic ones, the words name its concept, and a reading of its direction
    word (one the matcher folds others into, ``CandidateGenerator.word_forms``: "decreased")
    naming another is none: a value's direction names what HPO's names say it does ("low
    thyroid stimulating hormone" is Decreased thyroid-stimulating hormone level, no "Thyroid
    stimulating hormone deficiency", Pituitary hypothyroidism)."""
    score = as_said[0].score if as_said else 0.0
    if len(said) < 2 or score == 1.0:
        return None
    generic = generic or frozenset()
    spelled = None
    if as_said and generic and (len(as_said) == 1 or as_said[1].score < score):
        alias = set(words_of(as_said[0].alias))
        if alias >= set(said) and alias - set(said) <= generic:
            spelled = as_said[0].concept_id
    kept = set(said) - generic
    directions = frozenset(generator.word_forms.values())
    nearest: tuple[tuple[str, ...], list[Candidate]] | None = None
    for reading, replaced, added in readings(said, equivalents):
        if (replaced in generic) != (added in generic) or not any(
            generator.share_an_alias(added, word) for word in kept if word != replaced
        ):
            # No alias holds the equivalent and a word said beside it (``stands_for``).
            continue
        candidates = generator.word_candidates(reading, max_senses + 1, scorer.min_dice)
        if not candidates or candidates[0].score <= score:
            continue
        if spelled is not None and replaced in directions and candidates[0].concept_id != spelled:
            continue
        if stands_for(said, replaced, added, words_of(candidates[0].alias), generic):
            nearest, score = (reading, candidates), candidates[0].score
    return nearest


def stands_for(
    said: Sequence[str],
    replaced: str,
    added: str,
    alias: Sequence[str],
    generic: frozenset[str],
) -> bool:
    """Whether a span's words as ``said``, its word ``replaced`` by the equivalent ``added``,
    may stand for an alias of words ``alias`` (``_nearer_reading``): the alias holds the
    equivalent and a word of the span as said that is not ``generic``, and a generic word is
    replaced by a generic one only, as another by another only: "level" tells no
    "cholesterol", nor a "disorder" a mere "abnormality" (a grouping class, which
    ``PhenotypeCoder`` does not code)."""
    return (
        added in alias
        and not (set(said) - generic).isdisjoint(alias)
        and (replaced in generic) == (added in generic)
    )


def _cuts_its_object(
    text: str,
    end: int,
    span: Sequence[str],
    alias: Sequence[str],
    generator: CandidateGenerator,
) -> bool:
    """Whether a span saying its alias's words in another order across a preposition
    (``PREPOSITIONS``) ends inside the phrase the preposition governs: the word after it goes on
    with that phrase and no HPO alias holds it with the span's last word, so that word
    qualifies a thing HPO does not name ("absence of typical genital lesions" names no Typical
    absence, "fibrosis in the liver bed" no Hepatic fibrosis; "atrophy of the cerebral
    hemisphere" is a Cerebral atrophy)."""
    if PREPOSITIONS.isdisjoint(span):
        return False
    shared = set(span) & set(alias)
    if [w for w in span if w in shared] == [w for w in alias if w in shared]:
        return False
    after = _NEXT_WORD.match(text, end)
    if after is None:
        return False
    following = after.group(1).lower()
    if following in EDGE_WORDS or following in PHRASE_ENDERS:
        return False
    words = normalize_tokens(following)
    return bool(words) and not generator.share_an_alias(
        span[-1], generator.word_forms.get(words[0], words[0])
    )


def _phrase_goes_on(text: str, end: int) -> bool:
    """Whether a word of the phrase follows a span ending at ``end`` that is no function word
    (``EDGE_WORDS``, ``PHRASE_ENDERS``) or is "of", which joins a noun to its object, or a word
    is joined to its last by a hyphen: "pTa high" of "pTa high-grade carcinoma" is no PTa
    elevation, "elevated CK" of "elevated CK-MB" no Elevated circulating creatine kinase."""
    if _JOINED_WORD.match(text, end):
        return True
    after = _NEXT_WORD.match(text, end)
    if after is None:
        return False
    following = after.group(1).lower()
    return following == "of" or (following not in EDGE_WORDS and following not in PHRASE_ENDERS)


def _not_the_thing(text: str, end: int) -> bool:
    """Whether a span ending at ``end`` is joined by a hyphen to a word of ``NOT_THE_THING``
    ("seizure" of "seizure-like")."""
    found = _JOINED_WORD.match(text, end)
    return found is not None and found.group(1).lower() in NOT_THE_THING
