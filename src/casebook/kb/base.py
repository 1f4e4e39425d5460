"""A vocabulary knowledge base, candidate generation and a linking policy, kept apart.

The split follows scispaCy's entity linker (Neumann et al. 2019): a ``KnowledgeBase`` holds two
maps, concept id → ``Concept`` and normalised alias → concept ids; a ``CandidateGenerator``
proposes scored candidates for a span or finds alias matches over a whole text; a
``LinkingPolicy`` decides which candidates to accept. Nothing here knows about HPO: the same
classes serve ICD-10-CM and ICD-10-PCS, whose titles and index terms are aliases too.

Normalisation (``normalize_tokens``) is applied identically to aliases and to text, so that two
strings match when they agree after:

* lower-casing, and dropping accents ("café" → "cafe");
* splitting on anything that is not a letter or digit, so "hearing-loss", "hearing loss" and
  "hearing/loss" fold together;
* British → American spelling of common medical patterns ("haem" → "hem", "oedema" → "edema",
  "tumour" → "tumor", "-ise" → "-ize");
* stripping simple plurals ("seizures" → "seizure", "abnormalities" → "abnormality");
* dropping the articles "a", "an" and "the", which vary freely between an alias and prose.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from casebook.cache import digest, load_or_build
from casebook.kb.acronym_senses import long_form_key, packaged_ambiguous
from casebook.model import CodeSystem

_WORD = re.compile(r"[^\W_]+")
_BARRIER = re.compile(r"[.,;:!?()\[\]{}]|\n")
"""Punctuation that ends a phrase: an alias match never runs across it."""

_ARTICLES = frozenset({"a", "an", "the"})

_REMEMBERED_TEXTS = 65536
"""How many texts' normalised words ``normalize_tokens`` keeps."""

_SPELLING: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(an|hyper|hypo|leuk|isch|ur|septic|tox|pre|)?haem"), r"\1hem"),
    (re.compile(r"aemia"), "emia"),
    (re.compile(r"^oe(dema|sophag|strog)"), r"e\1"),
    (re.compile(r"oedema"), "edema"),
    (re.compile(r"^foet"), "fet"),
    (re.compile(r"^(p|orthop|gyn|encyclop)ae"), r"\1e"),
    (re.compile(r"aecol"), "ecol"),
    (re.compile(r"^(colo|tumo|behavio|humo|odo|labo)ur"), r"\1r"),
    (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{3})tre$"), "ter"),
)
"""British spelling patterns and their American forms; cheap and applied token by token."""

_MAYBE_BRITISH = re.compile(r"ae|oe|our|is(e|ed|es|ing|ations?)$|ys(e|ed|es|ing)$|tre$")
"""A quick test that lets most words skip the ``_SPELLING`` substitutions."""


def write_vocabulary_file(payload: dict[str, Any], out: Path) -> Path:
    """Write a vocabulary built from a wheel as compact JSON (gzip when ``out`` ends in
    ``.gz``), and return ``out``."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the gzip bytes reproducible, so a rebuild of the same release is no diff.
    out.write_bytes(gzip.compress(data, mtime=0) if out.suffix == ".gz" else data)
    return out


def read_vocabulary_file(path: Path, file_format: int) -> dict[str, Any]:
    """The payload of a file ``write_vocabulary_file`` wrote, gzipped or not.

    Raises:
        FileNotFoundError: When the file is missing.
        ValueError: When it is not JSON of ``file_format`` (also OSError for an unreadable or
            broken gzip file).
    """
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    payload = json.loads(raw)
    if not isinstance(payload, dict) or payload.get("format") != file_format:
        found = payload.get("format") if isinstance(payload, dict) else None
        raise ValueError(f"unknown format {found!r}")
    return payload


@cache
def normalize_token(token: str) -> str:
    """One lower-cased word in its matching form: American spelling, singular.

    Args:
        token: A word of letters and digits, already lower-cased.

    Returns:
        The form both aliases and text are compared in.
    """
    if not token.isascii():
        # "café-au-lait" matches "Cafe-au-lait spot": accents are dropped, letters kept.
        token = "".join(
            ch for ch in unicodedata.normalize("NFKD", token) if not unicodedata.combining(ch)
        )
    if _MAYBE_BRITISH.search(token):
        for pattern, replacement in _SPELLING:
            token = pattern.sub(replacement, token)
    # Plural stripping is deliberately simple: the same rule runs on both sides, so a wrong
    # stem ("boxe") only matters when one side is singular, which is rare in aliases.
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 5 and (
        token.endswith(("sses", "xes", "shes"))
        or (token.endswith("ches") and not token.endswith("aches"))
        or (token.endswith("uses") and token[-5] in "nrtx")
    ):
        # Plurals in "-es" of singulars no "-e" ends: "masses", "reflexes", "rashes",
        # "patches", "sinuses", "viruses" (not "headaches", "causes", "abuses").
        return token[:-2]
    if (
        len(token) > 3
        and token.endswith("s")
        and not token.endswith(("ss", "us", "is", "os"))
        # "kidneys", "x-rays" lose their s; "dialys(is)"-like stems ending "ys" keep it.
        # Words in "-as" are mostly plurals ("neuromas", "hernias"); the few singulars
        # ("pancreas") lose their s on both sides alike.
        and (not token.endswith("ys") or token[-3] in "aeou")
    ):
        return token[:-1]
    return token


@lru_cache(maxsize=_REMEMBERED_TEXTS)
def normalize_tokens(text: str) -> tuple[str, ...]:
    """The normalised words of a text, articles dropped (see the module docstring).

    Remembered for recent texts: the components read the same mention texts and phrases in
    turn, and most texts of a case were read before.

    Args:
        text: Any text: an alias, a mention, a phrase.

    Returns:
        The words in their matching form.
    """
    return tuple(
        normalize_token(word) for word in _WORD.findall(text.lower()) if word not in _ARTICLES
    )


def normalize_alias(text: str) -> str:
    """The key an alias or a span is looked up under: its normalised words, space-joined."""
    return " ".join(normalize_tokens(text))


@dataclass(frozen=True, slots=True)
class Concept:
    """One entry of a knowledge base.

    Attributes:
        id: The code, e.g. ``HP:0001250``.
        name: The preferred name.
        synonyms: Other names the concept goes by.
        parents: Ids of the direct parents (``is_a``), for ancestor logic.
    """

    id: str
    name: str
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()

    @property
    def aliases(self) -> tuple[str, ...]:
        """The name, then the synonyms."""
        return (self.name, *self.synonyms)

    def __reduce__(self) -> tuple[type[Concept], tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
        # Rebuilt by the constructor: a slotted dataclass's own state restoring looks its fields
        # up again for every object, and cached knowledge bases are read back by the ten
        # thousand (``casebook.cache``).
        return (Concept, (self.id, self.name, self.synonyms, self.parents))


class KnowledgeBase:
    """Concepts by id and concept ids by normalised alias.

    Args:
        concepts: The entries; ids must be unique.
        system: The code system the ids belong to.
        version: The release the entries come from, e.g. ``hp/releases/2025-01-16``.
        fingerprint: A digest of what the entries were read from; when set, the indexes a
            ``CandidateGenerator`` builds over this knowledge base are cached under it
            (``casebook.cache``).

    Raises:
        ValueError: When two concepts share an id.
    """

    def __init__(
        self,
        concepts: Iterable[Concept],
        system: CodeSystem,
        version: str = "",
        fingerprint: str = "",
    ) -> None:
        self.system = system
        self.version = version
        self.fingerprint = fingerprint
        self.concepts: dict[str, Concept] = {}
        aliases: dict[str, set[str]] = {}
        surfaces: dict[str, set[str]] = {}
        for concept in concepts:
            if concept.id in self.concepts:
                raise ValueError(f"concept {concept.id} appears twice")
            self.concepts[concept.id] = concept
            for alias in concept.aliases:
                key = normalize_alias(alias)
                if key:
                    aliases.setdefault(key, set()).add(concept.id)
                    surfaces.setdefault(key, set()).add(alias)
        self.aliases: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in aliases.items()}
        self.surfaces: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in surfaces.items()}
        """Normalised alias → the aliases as the vocabulary writes them."""
        self._children: dict[str, list[str]] = {}
        for concept in self.concepts.values():
            for parent in concept.parents:
                self._children.setdefault(parent, []).append(concept.id)
        self._ancestors: dict[str, frozenset[str]] = {}

    def with_synonyms(self, added: Mapping[str, Sequence[str]]) -> KnowledgeBase:
        """This knowledge base with more synonyms for some of its concepts.

        The result's ``fingerprint`` covers the added synonyms, so that the indexes built over
        it are cached apart from this one's.

        Raises:
            KeyError: When a concept id of ``added`` is not in this knowledge base.
        """
        unknown = sorted(set(added) - set(self.concepts))
        if unknown:
            raise KeyError(f"synonyms added to unknown concepts: {', '.join(unknown)}")
        concepts = [
            Concept(
                c.id,
                c.name,
                (*c.synonyms, *(s for s in added[c.id] if s not in c.aliases)),
                c.parents,
            )
            if c.id in added
            else c
            for c in self.concepts.values()
        ]
        extra = json.dumps({k: list(v) for k, v in sorted(added.items())})
        fingerprint = digest(self.fingerprint, extra) if self.fingerprint else ""
        return KnowledgeBase(concepts, self.system, self.version, fingerprint)

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def concept(self, concept_id: str) -> Concept:
        """The entry with this id.

        Raises:
            KeyError: When the knowledge base has no such concept.
        """
        return self.concepts[concept_id]

    def lookup(self, text: str) -> frozenset[str]:
        """Ids of the concepts one of whose aliases normalises like ``text``."""
        return self.aliases.get(normalize_alias(text), frozenset())

    def ancestors(self, concept_id: str) -> frozenset[str]:
        """Every concept above ``concept_id`` along ``parents``, itself excluded."""
        known = self._ancestors.get(concept_id)
        if known is not None:
            return known
        found: set[str] = set()
        stack = list(self.concepts[concept_id].parents) if concept_id in self.concepts else []
        while stack:
            parent = stack.pop()
            if parent in found:
                continue
            found.add(parent)
            if parent in self.concepts:
                stack.extend(self.concepts[parent].parents)
        result = frozenset(found)
        self._ancestors[concept_id] = result
        return result

    def children(self, concept_id: str) -> tuple[str, ...]:
        """The concepts right below ``concept_id``."""
        return tuple(self._children.get(concept_id, ()))

    def descendants(self, concept_id: str) -> frozenset[str]:
        """Every concept below ``concept_id``, itself excluded."""
        found: set[str] = set()
        stack = list(self._children.get(concept_id, ()))
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack.extend(self._children.get(child, ()))
        return frozenset(found)


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    """A concept proposed for a span.

    Attributes:
        score: How well the best alias fits, 0–1; 1.0 means the span normalises exactly like it.
        concept_id: The proposed concept.
        alias: The alias, as the vocabulary writes it, that gave the score.
    """

    score: float
    concept_id: str
    alias: str


@dataclass(frozen=True, slots=True)
class AliasMatch:
    """An alias found in a text.

    Attributes:
        start: Offset of the first character of the match.
        end: Offset one past its last character.
        key: The normalised alias that matched.
        concept_ids: Every concept with that alias, sorted (more than one means ambiguous).
    """

    start: int
    end: int
    key: str
    concept_ids: tuple[str, ...]


class _Token(NamedTuple):
    norm: str
    start: int
    end: int


_END = ""
"""Trie key marking that the path so far spells a whole alias."""


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    key: str | None = None

    def __reduce__(self) -> tuple[type[_Node], tuple[dict[str, _Node], str | None]]:
        # Rebuilt by the constructor, as ``Concept`` is: a cached trie has some 100,000 nodes.
        return (_Node, (self.children, self.key))


@dataclass(slots=True)
class _AliasIndex:
    """What a ``CandidateGenerator`` builds from its knowledge base's aliases.

    Attributes:
        root: The trie of normalised aliases, word by word.
        postings: Word → the aliases holding it.
        postings_by_size: Word → how many distinct words an alias has → the aliases, as a set
            (``CandidateGenerator._rank_words`` intersects them).
        acronyms: Short alias → its spellings that are acronyms.
        aliases: Normalised alias → concept ids, after ``word_forms``.
        surfaces: Normalised alias → the aliases as the vocabulary writes them.
        pairs: Every two words (in order, a word with itself too) that one alias holds.
        words: Normalised alias → its distinct words.
    """

    root: _Node
    postings: dict[str, list[str]]
    postings_by_size: dict[str, dict[int, frozenset[str]]]
    acronyms: dict[str, frozenset[str]]
    aliases: dict[str, frozenset[str]]
    surfaces: dict[str, frozenset[str]]
    pairs: set[tuple[str, str]] = field(default_factory=set)
    words: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        kb: KnowledgeBase,
        word_forms: Mapping[str, str],
        min_alias_chars: int,
        case_sensitive_chars: int,
    ) -> _AliasIndex:
        """The index of ``kb``'s aliases (see ``CandidateGenerator`` for the arguments)."""
        aliases, surfaces = _matching_aliases(kb, word_forms)
        index = cls(_Node(), {}, {}, {}, aliases, surfaces)
        by_size: dict[str, dict[int, list[str]]] = {}
        for key in aliases:
            # One string object per word, so that the index's tables share it (and pickle it once).
            words = [sys.intern(word) for word in key.split(" ")]
            distinct = frozenset(words)
            index.words[key] = distinct
            if len(key) < min_alias_chars:
                continue
            if len(key) <= case_sensitive_chars:
                acronyms = frozenset(a for a in surfaces[key] if _is_acronym(a))
                if acronyms:
                    index.acronyms[key] = acronyms
            node = index.root
            for word in words:
                node = node.children.setdefault(word, _Node())
            node.key = key
            for word in distinct:
                index.postings.setdefault(word, []).append(key)
                by_size.setdefault(word, {}).setdefault(len(distinct), []).append(key)
            ordered = sorted(distinct)
            index.pairs.update((a, b) for i, a in enumerate(ordered) for b in ordered[i:])
        index.postings_by_size = {
            word: {n: frozenset(keys) for n, keys in sized.items()}
            for word, sized in by_size.items()
        }
        return index


class CandidateGenerator:
    """Proposes concepts for spans and finds aliases in running text.

    Args:
        kb: The knowledge base to search.
        min_alias_chars: Aliases shorter than this (in characters, after normalisation) are
            never matched: short aliases are mostly ambiguous abbreviations.
        case_sensitive_chars: Acronym-like aliases (two or more capitals) of at most this many
            characters match only when the text spells them exactly as the vocabulary does, so
            "ASD" matches but "asd" and "Asd" do not; other short aliases match in any case.
        max_posting: In ``candidates``, a word shared by more aliases than this ("abnormality")
            does not by itself make an alias a candidate; it keeps fuzzy search fast.
        word_forms: Normalised word → the word it matches as, applied to aliases and text
            alike, so that "low muscle tone" finds "Decreased muscle tone";
            a vocabulary's own alias keeps its concepts when a folded one collides with it.
        whole_compounds: In ``find``, a match neither starts nor ends inside a hyphenated
            compound: "tonic-clonic seizure" holds no "clonic seizure".
        ellipsis: In ``find``, an alias may skip one coordinated phrase of one or two words,
            so "short and wide neck" holds "Short neck".
        ambiguous_acronyms: Acronym alias as written → the long forms of its vocabulary sense;
            in ``find`` and ``nested`` such an acronym matches only in a text that also writes
            one of them (as its definition does): case reports define "RA" as the right
            atrium more often than as rheumatoid arthritis. ``None``: the packaged inventory's
            for HPO (``casebook.kb.acronym_senses``), none for other vocabularies.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        min_alias_chars: int = 3,
        case_sensitive_chars: int = 5,
        max_posting: int = 500,
        word_forms: Mapping[str, str] | None = None,
        whole_compounds: bool = False,
        ellipsis: bool = False,
        ambiguous_acronyms: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.kb = kb
        self.min_alias_chars = min_alias_chars
        self.case_sensitive_chars = case_sensitive_chars
        self.max_posting = max_posting
        self.word_forms: dict[str, str] = dict(word_forms or {})
        self.whole_compounds = whole_compounds
        self.ellipsis = ellipsis
        if ambiguous_acronyms is None:
            ambiguous_acronyms = packaged_ambiguous() if kb.system is CodeSystem.HPO else {}
        self.ambiguous_acronyms: dict[str, tuple[str, ...]] = {
            short: tuple(longs) for short, longs in ambiguous_acronyms.items()
        }
        # Normalised alias → what ``_score`` reads of it (``_scoring``), remembered: the
        # aliases of common words are scored for many spans.
        self._scored: dict[str, tuple[frozenset[str], frozenset[str], str]] = {}
        self._ranked = lru_cache(maxsize=16384)(self._rank_words)

        def build() -> _AliasIndex:
            return _AliasIndex.of(kb, self.word_forms, min_alias_chars, case_sensitive_chars)

        if kb.fingerprint:
            options = repr((sorted(self.word_forms.items()), min_alias_chars, case_sensitive_chars))
            index = load_or_build(
                f"aliases-{kb.system.value}",
                digest(kb.fingerprint, options),
                _AliasIndex,
                build,
            )
        else:
            index = build()
        self._root = index.root
        self._postings = index.postings
        self._postings_by_size = index.postings_by_size
        """A word's posting split by how many distinct words its aliases have."""
        self._acronyms = index.acronyms
        # Surface form → its normalised key, for ``spells``: candidates' aliases repeat.
        self._keys: dict[str, str] = {}
        self._aliases = index.aliases
        self._surfaces = index.surfaces
        self._pairs = index.pairs
        self._words = index.words

    def spells(self, text: str, alias: str) -> bool:
        """Whether ``text`` may stand for ``alias``: a short acronym-like alias
        (``case_sensitive_chars``) only as the vocabulary spells it ("OME" is no "OMe" of a
        chemical formula, "RAD" no "Rad" of a company), any other alias in any case; an
        ``ambiguous_acronyms`` one never alone, as a span's words hold no long form (a defined
        one is read by its definition's long form, ``Mention.expansion``)."""
        key = self._keys.get(alias)
        if key is None:
            key = self._keys[alias] = normalize_alias(alias)
        if len(key) > self.case_sensitive_chars:
            return True
        acronyms = self._acronyms.get(key)
        return not acronyms or self._acronym_reads(text, text.strip(), acronyms)

    def knows(self, word: str) -> bool:
        """Whether some alias holds this normalised word (after ``word_forms``)."""
        return word in self._postings

    def share_an_alias(self, first: str, second: str) -> bool:
        """Whether some alias holds both normalised words (after ``word_forms``)."""
        return ((first, second) if first <= second else (second, first)) in self._pairs

    def candidates(self, text: str, limit: int = 5, min_score: float = 0.0) -> list[Candidate]:
        """The concepts best fitting a span, best first.

        A concept's score is the best Dice coefficient between the span's normalised word set
        and one of its aliases' (1.0 when they agree exactly); ties order by concept id.

        Args:
            text: The span, e.g. a mention's text.
            limit: How many candidates to return at most.
            min_score: The least score a candidate needs; a caller that will discard weaker
                ones says so here, which lets the search skip most aliases.

        Returns:
            Up to ``limit`` candidates scoring above zero and at least ``min_score``.
        """
        words = normalize_tokens(text)
        if self.word_forms:
            words = tuple(self.word_forms.get(word, word) for word in words)
        return self.word_candidates(words, limit, min_score)

    def word_candidates(
        self, words: tuple[str, ...], limit: int = 5, min_score: float = 0.0
    ) -> list[Candidate]:
        """``candidates`` for a span's words as it reads them: normalised
        (``normalize_tokens``), then read as ``word_forms`` says."""
        if not words:
            return []
        return list(self._ranked(words, limit, min_score))

    def _rank_words(
        self, words: tuple[str, ...], limit: int, min_score: float
    ) -> tuple[Candidate, ...]:
        """``candidates`` for a span's normalised words (remembered: spans repeat).

        Candidate aliases share an uncommon word with the span. An alias reaching Dice ``t``
        with ``q`` span words shares at least ``k = ⌈t(q + 1)/2⌉`` of them, so it holds one of
        the span's ``q - k + 1`` rarest words: only those words' postings are read (prefix
        filtering; Chaudhuri, Ganti and Kaushik 2006, "A primitive operator for similarity
        joins in data cleaning", ICDE). Of those, only aliases whose length lets them reach
        ``min_score`` are scored: sharing at most ``min(q, n)`` words, an alias of ``n`` words
        scores at most the Dice of that (length filtering; Bayardo, Ma and Srikant 2007, "Scaling up
        all pairs similarity search", WWW). The longer an alias, the more words it must share
        (``_fewest_shared``), so the fewer of the rarest words its posting is read for.
        """
        query = set(words)
        size = len(query)
        known = sorted(
            (len(posting), word)
            for word in query
            if (posting := self._postings.get(word)) is not None
        )
        # The aliases to score, by how many distinct words they have (n): for each n, the
        # fewest words such an alias must share to score enough, and the rarest words of the
        # span whose postings are read for it.
        fewest: dict[int, int | None] = {}
        prefixes: dict[int, int] = {}
        read: dict[int, list[str]] = {}
        # Concept → (best score, first surface form among the aliases giving it).
        best: dict[str, tuple[float, str]] = {}
        if known and known[0][0] <= self.max_posting:
            # Scores are rounded to 4 decimals: a Dice just under ``min_score`` may reach it.
            least = min_score - _DICE_ROUNDING
            needed = max(1, math.ceil(least * (size + 1) / 2 - 1e-9))
            # Words in no alias sort first among the rarest, and can be shared by none.
            unknown = size - len(known)
            prefix = known[: max(0, size - needed + 1 - unknown)]
            for rank, (length, word) in enumerate(prefix):
                if length > self.max_posting:
                    continue
                for n in self._postings_by_size[word]:
                    if n not in prefixes:
                        fewest[n] = least_shared = _fewest_shared(size, n, min_score)
                        prefixes[n] = (
                            0 if least_shared is None else size - least_shared + 1 - unknown
                        )
                    if rank < prefixes[n]:
                        read.setdefault(n, []).append(word)
        elif (joined := " ".join(words)) in self._aliases:
            # Only common words: fall back to aliases made of the span's words alone.
            n = len(self._words[joined])
            least_shared = _fewest_shared(size, n, min_score)
            if least_shared is not None:
                self._score([joined], query, size + n, best)
        for n, read_words in read.items():
            least_shared = fewest[n]
            if least_shared is None:
                continue
            if least_shared == 1 and len(read_words) == 1:
                # One posting read, and every alias in it shares enough: it is scored as it is.
                self._score(self._postings_by_size[read_words[0]][n], query, size + n, best)
                continue
            # shared[j]: the aliases of n words holding at least j + 1 of the span's words, of
            # those counted so far. Set operations count them, where intersecting each
            # candidate's words with the span's would take a step of Python per candidate,
            # and most candidates share too few.
            shared: list[set[str]] = [set() for _ in range(least_shared)]
            for word in read_words:
                sized = self._postings_by_size[word][n]
                for j in range(least_shared - 1, 0, -1):
                    shared[j] |= shared[j - 1] & sized
                shared[0] |= sized
            if least_shared > 1:
                # The span's other words only add to the counts of the candidates found: an
                # alias holding none of the words read cannot share enough (prefix filtering).
                for _, word in known:
                    other = self._postings_by_size[word].get(n)
                    if other is not None and word not in read_words:
                        for j in range(least_shared - 1, 0, -1):
                            shared[j] |= shared[j - 1] & other
            self._score(shared[-1], query, size + n, best)
        # Best score first, then concept id (unique, so the surface form is never compared).
        ranked = sorted(
            [(-score, concept_id, surface) for concept_id, (score, surface) in best.items()]
        )[:limit]
        return tuple(Candidate(-score, concept_id, alias) for score, concept_id, alias in ranked)

    def _score(
        self,
        keys: Iterable[str],
        query: set[str],
        total: int,
        best: dict[str, tuple[float, str]],
    ) -> None:
        """Score the aliases ``keys`` against the span's words ``query`` (``total`` words in
        both together), keeping in ``best`` each concept's best score and first surface form."""
        scored = self._scored
        dice = _dice_by_shared(len(query), total)
        for key in keys:
            known = scored.get(key)
            if known is None:
                known = scored[key] = self._scoring(key)
            words, concept_ids, surface = known
            score = dice[len(query & words)]
            for concept_id in concept_ids:
                old = best.get(concept_id)
                if old is None or score > old[0] or (score == old[0] and surface < old[1]):
                    best[concept_id] = (score, surface)

    def _scoring(self, key: str) -> tuple[frozenset[str], frozenset[str], str]:
        """What ``_score`` reads of a normalised alias: its distinct words, its concepts and the
        first of its surface forms."""
        return self._words[key], self._aliases[key], min(self._surfaces[key])

    def find(self, text: str) -> list[AliasMatch]:
        """Every longest alias match in ``text``, in text order.

        At each word the trie of normalised aliases is walked as far as the text allows and
        the longest whole alias wins; matches do not overlap (except the words a coordinated
        phrase skipped with ``ellipsis``, and a coordination's other readings, which share its
        span: see ``_walk``), and none crosses sentence punctuation or a line break.

        Args:
            text: The document text.

        Returns:
            The matches, with character offsets into ``text``.
        """
        tokens = _tokens(text)
        if self.word_forms:
            forms = self.word_forms
            tokens = tuple(
                t if t is None or t.norm not in forms else t._replace(norm=forms[t.norm])
                for t in tokens
            )
        found: list[AliasMatch] = []
        starts = self._root.children
        index = 0
        while index < len(tokens):
            head = tokens[index]
            if head is None or head.norm not in starts:
                # Most words begin no alias: no need to walk the trie from them.
                index += 1
                continue
            if self.whole_compounds and _joined(text, head.start - 1, -1):
                # "clonic" in "tonic-clonic seizure" is no seizure of its own.
                index += 1
                continue
            best = self._walk(text, tokens, index, index, self._root, self.ellipsis)
            if best is None:
                index += 1
                continue
            stop, key, skipped, shared = best
            first, last = tokens[index], tokens[stop - 1]
            if first is not None and last is not None:  # always so: barriers never match
                found.append(
                    AliasMatch(first.start, last.end, key, tuple(sorted(self._aliases[key])))
                )
                found.extend(
                    AliasMatch(first.start, last.end, other, tuple(sorted(self._aliases[other])))
                    for other in shared
                    if other != key
                )
            # The words an ellipsis skipped may hold a match of their own ("wide neck").
            index = index + 1 if skipped else stop
        return found

    def nested(self, text: str, start: int, end: int) -> list[AliasMatch]:
        """The alias matches lying within ``text[start:end]`` but short of all of it, in text
        order: "hearing loss" in "sensorineural hearing loss", and "renal hypoplasia" in
        "renal hypoplasia or malformations" (which ``find`` reads as "renal malformations").

        They follow ``find``'s rules (no sentence punctuation inside, no piece of a hyphenated
        compound, short acronyms spelled as the vocabulary spells them) and may overlap.
        """
        words, starts = _words(text)
        tokens = list(words[bisect_left(starts, start) : bisect_left(starts, end)])
        if self.word_forms:
            forms = self.word_forms
            tokens = [t._replace(norm=forms.get(t.norm, t.norm)) for t in tokens]
        found: list[AliasMatch] = []
        for i, first in enumerate(tokens):
            if self.whole_compounds and _joined(text, first.start - 1, -1):
                continue
            for j in range(i, len(tokens)):
                last = tokens[j]
                if i == 0 and j == len(tokens) - 1:
                    continue
                if _BARRIER.search(text, first.start, last.end):
                    break
                key = " ".join(t.norm for t in tokens[i : j + 1])
                concept_ids = self._aliases.get(key)
                if (
                    concept_ids is None
                    or len(key) < self.min_alias_chars
                    or (self.whole_compounds and _joined(text, last.end, 1))
                ):
                    continue
                acronyms = self._acronyms.get(key)
                if acronyms and not self._acronym_reads(
                    text, text[first.start : last.end], acronyms
                ):
                    continue
                found.append(AliasMatch(first.start, last.end, key, tuple(sorted(concept_ids))))
        return found

    def _walk(
        self,
        text: str,
        tokens: Sequence[_Token | None],
        first: int,
        cursor: int,
        node: _Node,
        may_skip: bool,
    ) -> tuple[int, str, bool, tuple[str, ...]] | None:
        """The longest alias match from ``tokens[first]``, the trie walked from ``node`` on at
        ``cursor``: its stop, its key, whether it skipped a coordinated phrase, and the keys
        of the other readings ending there that skip the word before a conjunction, when
        that word's conjunct names nothing alone: "short [4th and] 5th metacarpals" is a
        Short 5th metacarpal as "short 4th [and 5th] metacarpals" is a Short 4th metacarpal,
        but "posterior [subcapsular or] cortical cataracts" is no posterior cortical one, since
        "cortical cataracts" names its cataract alone."""
        best: tuple[int, str, bool, tuple[str, ...]] | None = None
        shared: list[tuple[int, str]] = []
        while cursor < len(tokens):
            token = tokens[cursor]
            if token is None:
                break
            if may_skip and cursor > first:
                for resume in self._after_ellipsis(text, tokens, cursor):
                    found = self._walk(text, tokens, first, resume, node, False)
                    if (
                        found is not None
                        and resume == cursor + 2
                        and tokens[cursor + 1] is not None
                        and " ".join(t.norm for t in tokens[resume : found[0]] if t is not None)
                        not in self._aliases
                    ):
                        shared.append((found[0], found[1]))
                    # Of two coordinated readings ending alike, the one keeping more of the
                    # text's words wins ("enlarged [and dysmorphic] lateral ventricles"), then
                    # the later, keeping the words written together: "posterior subcapsular
                    # [or cortical] cataracts" shares the noun, no "posterior" of "cortical".
                    if found is not None and (
                        best is None
                        or found[0] > best[0]
                        or (
                            found[0] == best[0]
                            and best[2]
                            and found[1].count(" ") >= best[1].count(" ")
                        )
                    ):
                        best = (found[0], found[1], True, ())
            nxt = node.children.get(token.norm)
            if nxt is None:
                break
            node = nxt
            cursor += 1
            if (
                node.key is not None
                and self._spelled_right(text, tokens, first, cursor, node)
                and not (self.whole_compounds and _joined(text, token.end, 1))
                and (best is None or cursor > best[0])
            ):
                best = (cursor, node.key, False, ())
        if best is not None and best[2]:
            stop = best[0]
            best = (*best[:3], tuple(sorted({key for end, key in shared if end == stop})))
        return best

    def _after_ellipsis(self, text: str, tokens: Sequence[_Token | None], cursor: int) -> list[int]:
        """Where an alias may go on after the words from ``cursor``: past "and X" or "or X Y"
        ("short [and wide] neck"), or past "X and" ("dilatation of [third and] lateral
        ventricles"); never past a conjunction an article follows, which joins noun phrases,
        not the words of one ("went back home and the pain worsened")."""
        resumes: list[int] = []
        token = tokens[cursor]
        if token is not None and token.norm in _CONJUNCTIONS and _joins_words(text, tokens, cursor):
            for skip in range(2, 2 + _MAX_CONJUNCT):
                if cursor + skip >= len(tokens) or tokens[cursor + skip - 1] is None:
                    break
                resumes.append(cursor + skip)
        after = tokens[cursor + 1] if cursor + 1 < len(tokens) else None
        if (
            after is not None
            and after.norm in _CONJUNCTIONS
            and _joins_words(text, tokens, cursor + 1)
        ):
            resumes.append(cursor + 2)
        return resumes

    def _spelled_right(
        self, text: str, tokens: Sequence[_Token | None], first: int, stop: int, node: _Node
    ) -> bool:
        """Whether a short alias is spelled in the text exactly as the vocabulary spells it."""
        key = node.key
        if key is None:
            return False
        if len(key) > self.case_sensitive_chars:
            return True
        acronyms = self._acronyms.get(key)
        if not acronyms:
            return True
        start_token, end_token = tokens[first], tokens[stop - 1]
        if start_token is None or end_token is None:
            return False
        return self._acronym_reads(text, text[start_token.start : end_token.end], acronyms)

    def _acronym_reads(self, text: str, written: str, acronyms: frozenset[str]) -> bool:
        """Whether ``written`` is one of an alias's ``acronyms`` and, when case reports
        often give it another sense (``ambiguous_acronyms``), ``text`` writes its long form."""
        if written not in acronyms:
            return False
        long_forms = self.ambiguous_acronyms.get(written)
        if long_forms is None:
            return True
        flat = _long_form_text(text)
        return any(long in flat for long in long_forms)


def _matching_aliases(
    kb: KnowledgeBase, word_forms: Mapping[str, str]
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The keys a generator matches (``kb.aliases`` with ``word_forms`` applied), each with
    its concept ids and its surface forms.

    A key the vocabulary spells itself keeps its own concepts; a folded key that collides
    with it adds none, and one that collides only with other folded keys joins their
    concepts ("increased blood pressure" stays "Increased blood pressure", not also
    "Hypertension" by way of "High blood pressure").
    """
    if not word_forms:
        return dict(kb.aliases), dict(kb.surfaces)
    own: dict[str, frozenset[str]] = {}
    surfaces: dict[str, set[str]] = {}
    derived: dict[str, set[str]] = {}
    derived_surfaces: dict[str, set[str]] = {}
    for key, ids in kb.aliases.items():
        folded = " ".join(word_forms.get(word, word) for word in key.split(" "))
        if folded == key:
            own[key] = ids
            surfaces[key] = set(kb.surfaces[key])
        else:
            derived.setdefault(folded, set()).update(ids)
            derived_surfaces.setdefault(folded, set()).update(kb.surfaces[key])
    aliases = dict(own)
    for key, concept_ids in derived.items():
        if key not in own:
            aliases[key] = frozenset(concept_ids)
            surfaces[key] = derived_surfaces[key]
    return aliases, {key: frozenset(forms) for key, forms in surfaces.items()}


def _joined(text: str, hyphen: int, step: int) -> bool:
    """Whether ``text[hyphen]`` is a hyphen joining a word on the ``step`` side (-1 or 1)."""
    other = hyphen + step
    return 0 <= other < len(text) and text[hyphen] == "-" and text[other].isalnum()


def _joins_words(text: str, tokens: Sequence[_Token | None], conjunction: int) -> bool:
    """Whether no article stands between the conjunction ``tokens[conjunction]`` and the word
    after it (the tokens leave articles out)."""
    token = tokens[conjunction]
    after = tokens[conjunction + 1] if conjunction + 1 < len(tokens) else None
    if token is None or after is None:
        return True
    return not any(
        word.group().lower() in _ARTICLES for word in _WORD.finditer(text, token.end, after.start)
    )


_CONJUNCTIONS = frozenset({"and", "or"})
_MAX_CONJUNCT = 2
"""Most words a skipped coordinated phrase holds besides its conjunction."""

_DICE_ROUNDING = 0.5e-4
"""Half the last decimal ``_dice`` keeps."""


@cache
def _dice(shared: int, total: int) -> float:
    """Dice coefficient ``2·shared / total`` of two word sets of ``total`` words, 4 decimals."""
    return round(2 * shared / total, 4)


@cache
def _dice_by_shared(size: int, total: int) -> tuple[float, ...]:
    """``_dice(shared, total)`` for each ``shared`` from 0 to ``size``, the words of a span."""
    return tuple(_dice(shared, total) for shared in range(size + 1))


@cache
def _fewest_shared(size: int, alias_size: int, min_score: float) -> int | None:
    """The fewest words a span of ``size`` distinct words must share with an alias of
    ``alias_size`` for its Dice to be above 0 and at least ``min_score``; None when sharing
    every word it can does not reach it."""
    return next(
        (
            shared
            for shared in range(1, min(size, alias_size) + 1)
            if _dice(shared, size + alias_size) >= min_score
        ),
        None,
    )


@lru_cache(maxsize=8)
def _long_form_text(text: str) -> str:
    """``text`` as the acronym inventory writes long forms (``long_form_key``), remembered:
    each ambiguous acronym of a text asks it again."""
    return long_form_key(text)


def _is_acronym(alias: str) -> bool:
    """Whether an alias is written like an abbreviation: two or more capital letters."""
    return sum(ch.isupper() for ch in alias) >= 2


_REMEMBERED_CHARS = 200
"""Texts longer than this have their tokens remembered (``_tokens``)."""


def _tokens(text: str) -> tuple[_Token | None, ...]:
    """``_tokenize``'s tokens, remembered for the last few long texts: the phenotype and
    procedure coders each search the same case text, and the short phrases searched between
    (a told phenotype's "enlarged liver") must not push it out."""
    return _remembered_tokens(text) if len(text) > _REMEMBERED_CHARS else _tokenize(text)


@lru_cache(maxsize=8)
def _remembered_tokens(text: str) -> tuple[_Token | None, ...]:
    return _tokenize(text)


def _tokenize(text: str) -> tuple[_Token | None, ...]:
    """Normalised words with offsets; ``None`` stands for a phrase barrier."""
    tokens: list[_Token | None] = []
    barriers = [m.start() for m in _BARRIER.finditer(text)]
    count = len(barriers)
    position = 0
    for match in _WORD.finditer(text):
        start = match.start()
        if position < count and barriers[position] < start:
            # One barrier or several: the phrase ends here.
            while position < count and barriers[position] < start:
                position += 1
            if tokens and tokens[-1] is not None:
                tokens.append(None)
        word = match.group().lower()
        if word in _ARTICLES:
            continue
        tokens.append(_Token(normalize_token(word), start, match.end()))
    return tuple(tokens)


@lru_cache(maxsize=8)
def _words(text: str) -> tuple[tuple[_Token, ...], list[int]]:
    """``_tokenize``'s words without its barriers, and their start offsets."""
    words = tuple(t for t in _tokens(text) if t is not None)
    return words, [t.start for t in words]


def phrases(text: str) -> list[list[tuple[str, int, int]]]:
    """The text's phrases (runs of words between sentence punctuation or line breaks), each a
    list of its normalised words with their offsets, articles left out."""
    found: list[list[tuple[str, int, int]]] = [[]]
    for token in _tokens(text):
        if token is None:
            found.append([])
        else:
            found[-1].append((token.norm, token.start, token.end))
    return [phrase for phrase in found if phrase]


class LinkingPolicy:
    """Accept or reject candidates: a score threshold, a cap and ancestor pruning.

    Args:
        threshold: The least score a candidate needs.
        max_accepted: How many candidates to keep at most, best first.
        prune_ancestors: Drop a concept when a more specific accepted concept that scores at
            least as high sits below it.
    """

    def __init__(
        self, threshold: float = 1.0, max_accepted: int = 1, prune_ancestors: bool = True
    ) -> None:
        self.threshold = threshold
        self.max_accepted = max_accepted
        self.prune_ancestors = prune_ancestors

    def accept(self, kb: KnowledgeBase, candidates: Sequence[Candidate]) -> list[Candidate]:
        """The candidates this policy keeps, best first."""
        kept = [c for c in candidates if c.score >= self.threshold]
        kept.sort(key=lambda c: (-c.score, c.concept_id))
        if self.prune_ancestors:
            # A descendant replaces its ancestor only when it fits at least as well: a weaker
            # but more specific candidate must not displace an exact match.
            kept = [
                c
                for c in kept
                if not any(
                    o.score >= c.score and c.concept_id in kb.ancestors(o.concept_id) for o in kept
                )
            ]
        return kept[: self.max_accepted]


def prune_ancestors(kb: KnowledgeBase, concept_ids: Iterable[str]) -> set[str]:
    """The concepts of ``concept_ids`` that are not an ancestor of another one of them.

    Args:
        kb: The knowledge base whose ``parents`` define the hierarchy.
        concept_ids: The concepts found.

    Returns:
        The most specific of them.
    """
    ids = set(concept_ids)
    covered: set[str] = set()
    for concept_id in ids:
        covered |= kb.ancestors(concept_id)
    return ids - covered
