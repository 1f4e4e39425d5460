"""ICD-10-CM terms matched in text: the signal that reaches codes never seen in training.

Terms are the code titles and inclusion terms of ICD-10-CM 2026 as ``simple_icd_10_cm``
ships them, read once at training time and stored with the model (so that running the model
needs neither that package nor its version). A term is reduced to the *set* of its content
words: lower case, light plural stripping, without the parenthesised non-essential modifiers
of the classification ("Pneumonia, unspecified organism" → {pneumonia, organism}), without
qualifiers that case texts never write ("unspecified", "other", "NOS") and without what follows
"without" (E11.9 "Type 2 diabetes mellitus without complications" → {type, 2, diabetes,
mellitus}), because a text names what a patient has, not what the patient's disease lacks.

A term matches a sentence when every one of its words occurs in the sentence within a window
of ``2 * size + 2`` content words (a bag-of-words match, as in MetaMap's "over-match"-tolerant mode,
Aronson 2001, but with a distance cap so that words from unrelated clauses do not combine).
Matching uses an inverted index that lists each term under its rarest word (its anchor): the
terms anchored at a sentence's words are the candidates, and a candidate matches when all its
words are in the sentence (all sentences of a text checked at once, in numpy).

Codes are written as CodiEsp writes them: ICD-10-CM with the dot, and for codes that take a
7th character (injuries, external causes, obstetrics) the code without that character,
placeholder ``X``s kept (``S39.94XA`` → ``S39.94X``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from casebook.coding.features import WORD

STOPWORDS: frozenset[str] = frozenset(
    {
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "due",
        "than",
        "other",
        "others",
        "unspecified",
        "specified",
        "nos",
        "elsewhere",
        "classified",
        "site",
        "sites",
    }
)
"""Words dropped from terms and texts: function words and ICD-10-CM's residual qualifiers."""

_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WITHOUT = re.compile(r"\bwithout\b.*$")
_NEC = re.compile(r",?\s*not elsewhere classified")


def normalize_word(word: str) -> str:
    """A word as matched: plural ``-s`` stripped from longer words ("varices" → "varice")."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def term_words(term: str) -> tuple[str, ...]:
    """The sorted distinct content words of an ICD-10-CM title or inclusion term."""
    text = term.lower()
    text = _PARENS.sub(" ", text)
    text = _NEC.sub(" ", text)
    text = _WITHOUT.sub(" ", text)
    found = {normalize_word(w) for w in WORD.findall(text) if w not in STOPWORDS}
    return tuple(sorted(found))


def codiesp_form(code: str) -> str:
    """A code as CodiEsp writes it: upper-case here, 7th character dropped (``S39.94XA``).

    Codes of seven characters (eight with the dot) are exactly those carrying a 7th character.
    """
    code = code.strip().upper()
    return code[:-1] if len(code.replace(".", "")) == 7 else code


_UNKNOWN = -1
_STOPWORD = -2
_MAX_KNOWN_WORDS = 100_000
"""Text words remembered by a ``TermIndex`` before it forgets them all (bounds its memory)."""

_MOST_PRESENT_ENTRIES = 1 << 22
"""The most entries (span, word) of the table of the words present in spans matched at once:
a few megabytes, however long the text."""


@dataclass(frozen=True)
class DictionaryMatch:
    """A term found in a sentence: the code and the text range its words cover."""

    code: str
    term: int
    start: int
    end: int


class TermIndex:
    """An inverted index from words to ICD-10-CM terms, and the matcher over sentences.

    Args:
        words: The word vocabulary of all terms.
        term_codes: For each term, the index of its code in ``codes``.
        term_offsets: ``term_offsets[t]:term_offsets[t + 1]`` slices ``term_words`` for term t.
        term_words: Word ids of all terms, concatenated.
        codes: The codes, in CodiEsp form.
    """

    def __init__(
        self,
        words: Sequence[str],
        term_codes: NDArray[np.int32],
        term_offsets: NDArray[np.int64],
        term_words: NDArray[np.int32],
        codes: Sequence[str],
    ) -> None:
        self.words = list(words)
        self.word_ids = {w: i for i, w in enumerate(self.words)}
        self.term_codes = term_codes
        self.term_offsets = term_offsets
        self.term_words = term_words
        self.codes = list(codes)
        self._known_words: dict[str, int] = {}
        """Text words already looked up → ``_word_id``."""
        self.term_sizes = np.diff(term_offsets).astype(np.int32)
        # Each term is listed under one of its words, the one in fewest terms (its anchor): a
        # term can only match where its anchor occurs (CSR by word).
        owners = np.repeat(np.arange(len(term_codes), dtype=np.int64), self.term_sizes)
        counts = np.bincount(term_words, minlength=len(self.words))
        rarest = np.lexsort((term_words, counts[term_words], owners))
        anchors = term_words[rarest[term_offsets[:-1]]] if len(term_codes) else term_words[:0]
        self._anchored = np.argsort(anchors, kind="stable").astype(np.int64)
        per_word = np.bincount(anchors, minlength=len(self.words))
        self._anchor_ptr = np.concatenate([[0], np.cumsum(per_word)]).astype(np.int64)

    @classmethod
    def build(cls, entries: Iterable[tuple[str, str]]) -> TermIndex:
        """An index over ``(code, term text)`` pairs; empty and duplicate terms are skipped."""
        vocabulary: dict[str, int] = {}
        codes: dict[str, int] = {}
        seen: set[tuple[int, tuple[str, ...]]] = set()
        term_codes: list[int] = []
        offsets: list[int] = [0]
        flat: list[int] = []
        for code, text in entries:
            content = term_words(text)
            if not content:
                continue
            code_id = codes.setdefault(code, len(codes))
            if (code_id, content) in seen:
                continue
            seen.add((code_id, content))
            term_codes.append(code_id)
            flat.extend(vocabulary.setdefault(w, len(vocabulary)) for w in content)
            offsets.append(len(flat))
        return cls(
            words=list(vocabulary),
            term_codes=np.array(term_codes, dtype=np.int32),
            term_offsets=np.array(offsets, dtype=np.int64),
            term_words=np.array(flat, dtype=np.int32),
            codes=list(codes),
        )

    def _word_id(self, word: str) -> int:
        """The id of a lower-cased text word's term word; ``_UNKNOWN`` or ``_STOPWORD``."""
        if word in STOPWORDS:
            return _STOPWORD
        return self.word_ids.get(normalize_word(word), _UNKNOWN)

    def match(self, text: str, start: int, end: int) -> list[DictionaryMatch]:
        """The terms matched in ``text[start:end]`` (one sentence), one match per term."""
        return self.match_spans(text, [(start, end)])

    def match_spans(self, text: str, spans: Sequence[tuple[int, int]]) -> list[DictionaryMatch]:
        """The terms matched in each span of ``text`` (its sentences), span after span.

        The same as calling ``match`` on each span and joining the results, but all spans are
        matched at once.
        """
        lowered = text.lower()
        by_span = self._match_pieces([(lowered, start, end) for start, end in spans])
        return [match for found in by_span for match in found]

    def match_texts(self, texts: Sequence[str]) -> list[list[DictionaryMatch]]:
        """``match(text, 0, len(text))`` for each text, all matched at once."""
        return self._match_pieces([(text.lower(), 0, len(text)) for text in texts])

    def _match_pieces(self, pieces: Sequence[tuple[str, int, int]]) -> list[list[DictionaryMatch]]:
        """The terms matched in each ``lowered[start:end]`` of ``pieces``, piece by piece.

        Pieces are matched so many at once that their table of the words present in each
        (``_match_together``) holds at most ``_MOST_PRESENT_ENTRIES`` entries.
        """
        at_once = max(1, _MOST_PRESENT_ENTRIES // max(len(self.words), 1))
        return [
            found
            for first in range(0, len(pieces), at_once)
            for found in self._match_together(pieces[first : first + at_once])
        ]

    def _match_together(
        self, pieces: Sequence[tuple[str, int, int]]
    ) -> list[list[DictionaryMatch]]:
        """``_match_pieces`` for pieces matched at once."""
        found: list[list[DictionaryMatch]] = [[] for _ in pieces]
        positions_of: list[dict[int, list[tuple[int, int, int]]]] = []
        span_numbers: list[int] = []
        word_numbers: list[int] = []
        known = self._known_words
        if len(known) > _MAX_KNOWN_WORDS:
            known.clear()
        for number, (lowered, start, end) in enumerate(pieces):
            positions: dict[int, list[tuple[int, int, int]]] = {}
            ordinal = 0
            for token in WORD.finditer(lowered, start, end):
                word = token.group()
                word_id = known.get(word)
                if word_id is None:
                    word_id = self._word_id(word)
                    known[word] = word_id
                if word_id == _STOPWORD:
                    continue
                if word_id >= 0:
                    positions.setdefault(word_id, []).append((ordinal, token.start(), token.end()))
                ordinal += 1
            positions_of.append(positions)
            span_numbers.extend([number] * len(positions))
            word_numbers.extend(positions)
        if not word_numbers:
            return found
        spans_of = np.array(span_numbers, dtype=np.int64)
        present = np.array(word_numbers, dtype=np.int64)
        # Candidates: the terms anchored at a word present in a span.
        starts = self._anchor_ptr[present]
        lengths = self._anchor_ptr[present + 1] - starts
        row = np.repeat(np.arange(present.size, dtype=np.int64), lengths)
        if row.size == 0:
            return found
        terms = self._anchored[
            np.arange(row.size, dtype=np.int64)
            + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        ]
        spans_of_terms = spans_of[row]
        # A candidate matches when every one of its words is present in its span.
        # Whether each (span, word) is present, looked up in a table: gathering from it is
        # quicker than searching the sorted present pairs.
        n_words = max(len(self.words), 1)
        is_present = np.zeros(len(pieces) * n_words, dtype=bool)
        is_present[spans_of * n_words + present] = True
        sizes = self.term_sizes[terms].astype(np.int64)
        before = np.cumsum(sizes) - sizes
        owner = np.repeat(np.arange(terms.size, dtype=np.int64), sizes)
        term_word_ids = self.term_words[
            self.term_offsets[terms][owner]
            + np.arange(int(sizes.sum()), dtype=np.int64)
            - before[owner]
        ]
        wanted = spans_of_terms[owner] * n_words + term_word_ids
        missing = np.bincount(owner, weights=~is_present[wanted], minlength=terms.size)
        hit = missing == 0
        n_terms = len(self.term_codes)
        matched = np.sort(spans_of_terms[hit] * n_terms + terms[hit])
        span_of, term_of = np.divmod(matched, n_terms)
        for number, term in zip(span_of.tolist(), term_of.tolist(), strict=True):
            positions = positions_of[number]
            ids = self.term_words[self.term_offsets[term] : self.term_offsets[term + 1]]
            # The first occurrence of each word; the span covers them all.
            firsts = [positions[int(w)][0] for w in ids]
            low = min(f[0] for f in firsts)
            high = max(f[0] for f in firsts)
            if high - low + 1 > 2 * len(firsts) + 2:
                continue
            found[number].append(
                DictionaryMatch(
                    code=self.codes[int(self.term_codes[term])],
                    term=term,
                    start=min(f[1] for f in firsts),
                    end=max(f[2] for f in firsts),
                )
            )
        return found


def icd10cm_package() -> Any:
    """``simple_icd_10_cm`` (ICD-10-CM 2026), imported on first use: training needs it, running
    the model does not."""
    # Its data loading calls the deprecated importlib.resources.read_text; not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # type: ignore[import-untyped]

    return simple_icd_10_cm


def icd10cm_entries() -> list[tuple[str, str]]:
    """``(code, term)`` for every ICD-10-CM 2026 title and inclusion term, in CodiEsp form.

    Needs ``simple_icd_10_cm`` (imported here, at training time only). Codes with a 7th
    character contribute under their CodiEsp form the title of their nearest valid ancestor
    (``S19.9XXA`` → ``S19.9XX`` titled "Unspecified injury of neck"), since the 7th
    character's "initial encounter" wording never occurs in case texts.
    """
    cm = icd10cm_package()

    entries: list[tuple[str, str]] = []
    for code in cm.get_all_codes(True):
        if not cm.is_category_or_subcategory(code) and not cm.is_extended_subcategory(code):
            continue
        short = codiesp_form(code)
        if short != code:
            if cm.is_valid_item(short):
                continue  # listed under its own name already
            entries.append((short, display(short)))
            continue
        title = str(cm.get_description(code))
        entries.append((code, title))
        # "Pneumonia, unspecified organism": texts say just "pneumonia".
        head, comma, _ = title.partition(", unspecified")
        if comma:
            entries.append((code, head))
        entries.extend((code, term) for term in cm.get_inclusion_term(code))
    return entries


def is_valid(code: str) -> bool:
    """Whether a CodiEsp-form code is an ICD-10-CM 2026 code or one less its 7th character."""
    cm = icd10cm_package()

    code = code.strip().upper()
    if cm.is_valid_item(code):
        # Not is_chapter_or_block: single-category blocks such as B20 are both.
        return bool(cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code))
    base = code + "X" * max(0, 6 - len(code.replace(".", "")))
    return any(cm.is_valid_item(base + seventh) for seventh in "ADS")


def display(code: str) -> str:
    """The title of a CodiEsp-form code, or of its nearest valid ancestor; empty if none."""
    cm = icd10cm_package()

    code = code.strip().upper()
    while code:
        if cm.is_valid_item(code) and (
            cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code)
        ):
            return str(cm.get_description(code))
        code = code[:-1].rstrip(".")
    return ""
