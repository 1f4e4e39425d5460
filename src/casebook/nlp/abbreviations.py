"""Abbreviation definitions found in the text, and the mentions they expand.

``AbbreviationDetector`` implements Schwartz & Hearst (2003), "A simple algorithm for
identifying abbreviation definitions in biomedical text", Pacific Symposium on Biocomputing 8:
451-462. Within one sentence it looks at each parenthesis preceded by a space:

* ``long form (SF)``: the bracket holds a short-form candidate (at most ten characters, at
  least one letter, an alphanumeric first character, at most two words); the long-form
  candidate is the ``min(|SF| + 5, |SF| * 2)`` words before the bracket, where ``|SF|`` counts
  the short form's letters and digits.
* ``SF (long form)``: tried when the bracket is not a short form, or when the first form finds
  no long form; the short form is then the word before the bracket.

``find_best_long_form`` is the paper's ``findBestLongForm``: it walks the short form from its
last character to its first and the candidate from right to left, requiring every alphanumeric
character of the short form to appear, in order, in the long form, and the first one at the
start of a word. Letters may come from inside words ("electrocardiogram (ECG)"). The paper's
filters then reject long forms shorter than the short form, containing it as a word, ending
with it, or with more than ``min(|SF| + 5, |SF| * 2)`` words.

Departures from the paper, each for clinical case reports:

* a short form must hold an upper-case letter; lower-case glosses such as "(right)" or
  "(approximately)" are far more common in case reports than lower-case abbreviations;
* a short form must have at least ``MIN_SHORT_LENGTH`` (2) characters, because figure panel
  labels "(A)", "(B)" match some word start almost always;
* brackets holding figure or table references, statistics ("p < 0.05", "n = 12") or a number
  with a unit ("10 mg") are skipped;
* the long-form window stops at a bracket, ";", ":" or ", " so that it never reaches into the
  previous clause;
* a plural short form ("CTs") whose "s" has no match is retried without it;
* the "contains or ends with the short form" filters ignore case, so that a product name
  glossed in a bracket ("Floseal (FloSeal Hemostatic Matrix)") is not taken.

Each short form is recorded once, at its first definition. Mentions are then resolved from those
definitions and, for abbreviations never defined, from a packaged lexicon of unambiguous clinical
abbreviations (``abbreviations.json``); a definition in the text wins over the lexicon.

A finding told by its adjective alone ("she was jaundiced, febrile and tachycardic") names no
vocabulary term as written; such a mention, of a finding's type and no more than the adjective,
is read as the finding it names (``finding_adjectives.json``: "tachycardic" → "tachycardia"),
as an abbreviation is read as its long form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator

from casebook.model import Abbreviation, Case, EntityType, Mention, RecordModel, Span
from casebook.nlp.spans import SpanIndex
from casebook.resources import load_rules

MIN_SHORT_LENGTH = 2
"""Fewest characters in a short form (panel labels "(A)" would otherwise be taken)."""
MAX_SHORT_LENGTH = 10
"""Most characters in a short form (Schwartz & Hearst)."""
MAX_SHORT_WORDS = 2
"""Most words in a short form (Schwartz & Hearst)."""

_BRACKET = re.compile(r"(?<=\s)\(([^()]*)\)")
_NOT_ABBREVIATION = re.compile(
    r"""
    ^(?:figs?|figures?|tables?|tabs?|supplementa(?:l|ry)|suppl|appendix|videos?|movies?|panels?)
        (?:\W|\d|$)                       # figure and table references: "Fig. 2", "Table 1"
    | [=<>%\u00b1\u2264\u2265\u00d7]      # statistics and measurements: "n = 12", "p < 0.05"
    | ^[-+]?\d+(?:[.,]\d+)?\s             # a number then a unit: "10 mg", "2 L"
    """,
    re.IGNORECASE | re.VERBOSE,
)
# The window must not reach into the previous clause or into another bracket.
_WINDOW_STOP = re.compile(r"[()\[\];:]|,\s")
# Where a bracket's content stops being a short form: "(CT; Siemens)", "(CT, 2019)".
_CONTENT_CUT = re.compile(r"[,;]\s")
_WORD_SEPARATORS = re.compile(r"[\s-]+")
# A word, as a long form's initials are read: what stands between spaces.
_WORD = re.compile(r"\S+")
# Words that start no long form, though their initial may spell the short form's first letter
# ("The transthoracic echocardiography (TTE)").
_NO_LONG_FORM_START = frozenset(
    {
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "its",
        "our",
        "their",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "after",
    }
)
_ALNUM = "A-Za-z0-9"


class LexiconEntry(RecordModel):
    """One abbreviation of the packaged lexicon."""

    short: str = Field(min_length=1, description="The abbreviation as written, e.g. 'CT'.")
    long: str = Field(min_length=1, description="What it stands for, e.g. 'computed tomography'.")
    finding: bool = Field(
        default=False,
        description=(
            "The long form names a disease or finding: it expands only a mention of a finding, "
            "a disease or a history item ('4 units of RCC were transfused' is red cell "
            "concentrate, no renal cell carcinoma)."
        ),
    )


class AbbreviationLexicon(RecordModel):
    """The schema of ``abbreviations.json``: clinical abbreviations unambiguous in case reports.

    Abbreviations with several common readings ("PE": pulmonary embolism or physical
    examination, "IV": intravenous or the numeral in "stage IV") are left out on purpose.
    """

    version: str
    entries: list[LexiconEntry]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.short in seen:
                raise ValueError(f"abbreviation {entry.short!r} is listed twice")
            seen.add(entry.short)
        return self


class FindingAdjective(RecordModel):
    """One adjective of ``finding_adjectives.json`` and the finding it names."""

    adjective: str = Field(pattern=r"^[a-z]+$", description="As written, e.g. 'tachycardic'.")
    finding: str = Field(min_length=1, description="The finding, e.g. 'tachycardia'.")
    history_only: bool = Field(
        default=False,
        description=(
            "Read as the finding only in a mention of the patient's history ('a known "
            "hypertensive' has hypertension; 'hypertensive on arrival' told a reading)."
        ),
    )


class FindingAdjectives(RecordModel):
    """The schema of ``finding_adjectives.json``: adjectives that name one finding when said of
    the patient alone ("he was tachycardic"). Those with another common reading ("depressed":
    a mood or a fracture) are left out on purpose; one whose other reading is a passing state
    ("hypertensive": a raised pressure or essential hypertension) is read only in the patient's
    history (``history_only``)."""

    version: str
    entries: list[FindingAdjective]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        adjectives = [entry.adjective for entry in self.entries]
        if len(set(adjectives)) != len(adjectives):
            raise ValueError("an adjective is listed twice")
        return self


FINDING_TYPES = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
"""The mention types an adjective is read as a finding for."""

CONDITION_TYPES = FINDING_TYPES | {EntityType.HISTORY}
"""The mention types a lexicon's disease or finding expands (``LexiconEntry.finding``)."""

_HISTORY = frozenset({EntityType.HISTORY})


@dataclass(frozen=True, slots=True)
class _Definition:
    short: tuple[int, int]
    long: tuple[int, int]


class AbbreviationDetector:
    """Find abbreviation definitions (Schwartz & Hearst 2003) and expand abbreviated mentions.

    Args:
        lexicon: A packaged lexicon file name or a ``Path`` to your own file.
        adjectives: The adjectives read as findings: a packaged file name or a ``Path``.

    Raises:
        CasebookError: ``CB-E012`` when the lexicon file breaks its schema.
    """

    name = "abbreviations"
    requires: frozenset[str] = frozenset({"text", "sentences", "mentions"})
    assigns: frozenset[str] = frozenset({"abbreviations", "mentions", "mentions.expansion"})

    def __init__(
        self,
        lexicon: str | Path = "abbreviations.json",
        adjectives: str | Path = "finding_adjectives.json",
    ) -> None:
        self.lexicon = load_rules(lexicon, AbbreviationLexicon)
        self._known = {entry.short: entry.long for entry in self.lexicon.entries}
        self._conditions = frozenset(e.short for e in self.lexicon.entries if e.finding)
        self._findings = {
            entry.adjective: (entry.finding, entry.history_only)
            for entry in load_rules(adjectives, FindingAdjectives).entries
        }
        # The lexicon's few hundred short forms are compiled once; compiling them again with
        # each text's own definitions took longer than all the rest of this component.
        self._known_pattern = _short_form_pattern(self._known) if self._known else None

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with ``abbreviations`` set and abbreviated mentions expanded."""
        abbreviations = self.detect(case.text, case.sentences)
        mentions = self.read_adjectives(self.resolve(case.mentions, abbreviations))
        return case.model_copy(update={"abbreviations": abbreviations, "mentions": mentions})

    def detect(self, text: str, sentences: Sequence[Span]) -> list[Abbreviation]:
        """Abbreviations defined in ``text``, each short form once, at its first definition."""
        found: list[Abbreviation] = []
        seen: set[str] = set()
        for sentence in sentences:
            for definition in _definitions(text, sentence.start, sentence.end):
                short_text = text[definition.short[0] : definition.short[1]]
                if short_text in seen:
                    continue
                seen.add(short_text)
                found.append(
                    Abbreviation(
                        short=Span(start=definition.short[0], end=definition.short[1]),
                        long=Span(start=definition.long[0], end=definition.long[1]),
                        short_text=short_text,
                        long_text=text[definition.long[0] : definition.long[1]],
                    )
                )
        return found

    def resolve(
        self, mentions: Sequence[Mention], abbreviations: Sequence[Abbreviation]
    ) -> list[Mention]:
        """Mentions with ``expansion`` set where their words hold a known short form.

        A mention that is a short form gets its long form; one that holds a short form as a whole
        word ("CT scan") gets its text with the long form put in ("computed tomography scan").
        Mentions overlapping a definition's long form are left alone: they already say it.
        """
        # The text's own definitions replace the lexicon's readings.
        meanings = dict(self._known)
        meanings.update((a.short_text, a.long_text) for a in abbreviations)
        for abbreviation in abbreviations:
            # "computed tomography (CTs)" also defines "CT", unless something else already does:
            # the long form of a plural may itself be plural ("CT scans (CTs)").
            singular = _singular(abbreviation.short_text)
            if singular is not None and singular not in meanings:
                meanings[singular] = abbreviation.long_text
        if not meanings:
            return list(mentions)
        own = [key for key in meanings if key not in self._known]
        patterns = [p for p in (self._known_pattern,) if p is not None]
        if own:
            patterns.append(_short_form_pattern(own))
        long_spans = SpanIndex((a.long.start, a.long.end, a) for a in abbreviations)
        # A disease's abbreviation in a drug's or a test's mention has another reading there
        # (RCC: red cell concentrate); the text's own definitions hold for every mention.
        defined = {a.short_text for a in abbreviations}
        not_conditions = {
            key: value
            for key, value in meanings.items()
            if key not in self._conditions or key in defined
        }
        resolved: list[Mention] = []
        for mention in mentions:
            readings = meanings if mention.type in CONDITION_TYPES else not_conditions
            expansion = _expand(mention, readings, patterns, long_spans)
            if expansion is None:
                resolved.append(mention)
            else:
                resolved.append(mention.model_copy(update={"expansion": expansion}))
        return resolved

    def read_adjectives(self, mentions: Sequence[Mention]) -> list[Mention]:
        """Mentions with ``expansion`` set to the finding a lone adjective names: a finding's,
        disease's or history mention whose words are only the adjective ("tachycardic":
        "tachycardia"; "a diabetic, obese man": diabetes mellitus, obesity).

        A history mention read so that no finding mention lies on gets one, a disease of the
        same words: the coders code findings, and "a diabetic, hypertensive man" tells two.
        """
        history = {(m.start, m.end) for m in mentions if m.type is EntityType.HISTORY}
        findings = {(m.start, m.end) for m in mentions if m.type in FINDING_TYPES}
        used = {m.id for m in mentions}
        read: list[Mention] = []
        for mention in mentions:
            finding, history_only = self._findings.get(mention.text.lower(), (None, False))
            span = (mention.start, mention.end)
            if (
                finding is None
                or mention.expansion is not None
                or mention.type not in CONDITION_TYPES
                or (history_only and mention.type is not EntityType.HISTORY and span not in history)
            ):
                read.append(mention)
                continue
            read.append(mention.model_copy(update={"expansion": finding}))
            if mention.type is EntityType.HISTORY and span not in findings:
                number = len(used) + 1
                while f"m{number}" in used:
                    number += 1
                used.add(f"m{number}")
                read.append(
                    Mention(
                        id=f"m{number}",
                        start=mention.start,
                        end=mention.end,
                        text=mention.text,
                        type=EntityType.DISEASE_DISORDER,
                        expansion=finding,
                    )
                )
        return read


def _expand(
    mention: Mention,
    meanings: dict[str, str],
    patterns: Sequence[re.Pattern[str]],
    long_spans: SpanIndex[Abbreviation],
) -> str | None:
    if long_spans.any_overlapping(mention.start, mention.end):
        return None
    words = mention.text.strip()
    if words in meanings:
        return meanings[words]
    found = [(s, e) for s, e in _short_forms_in(words, patterns) if words[s:e] in meanings]
    if not found:
        return None
    parts: list[str] = []
    position = 0
    for start, end in found:
        meaning = meanings[words[start:end]]
        before = words[position:start]
        if " ".join(before.lower().split()).endswith(" ".join(meaning.lower().split())):
            # "carcinoembryonic antigen CEA": the words before the short form are its long form.
            parts.append(before.rstrip())
        else:
            parts += [before, meaning]
        position = end
        # "PMMC flap": the long form "pectoralis major myocutaneous flap" already says the
        # word written after the short form.
        last = meaning.rsplit(maxsplit=1)[-1].lower()
        following = re.match(r"\s+(\w+)\b", words[position:])
        if following is not None and following.group(1).lower() == last:
            position += following.end()
    return "".join(parts) + words[position:]


def _short_form_pattern(keys: Iterable[str]) -> re.Pattern[str]:
    """Any of ``keys`` standing as a whole word; longest first, so that "NT-proBNP" is taken
    before "BNP" could be."""
    ordered = sorted(keys, key=len, reverse=True)
    alternatives = "|".join(re.escape(key) for key in ordered)
    return re.compile(rf"(?<![{_ALNUM}-])(?:{alternatives})(?![{_ALNUM}]|-\d)")


def _short_forms_in(text: str, patterns: Sequence[re.Pattern[str]]) -> list[tuple[int, int]]:
    """The spans ``re.sub`` would replace with all the patterns' keys in one alternation: the
    leftmost match, the longest there, then on from its end."""
    found: list[tuple[int, int]] = []
    position = 0
    while True:
        hits = [(m.start(), -m.end()) for p in patterns if (m := p.search(text, position))]
        if not hits:
            return found
        start, end = min(hits)
        found.append((start, -end))
        position = -end


def _definitions(text: str, start: int, end: int) -> Iterator[_Definition]:
    """Every definition in ``text[start:end]``, in text order (offsets into ``text``)."""
    sentence = text[start:end]
    for bracket in _BRACKET.finditer(sentence):
        content_start, content_end = _content(sentence, bracket)
        if content_start == content_end:
            continue
        content = sentence[content_start:content_end]
        if _NOT_ABBREVIATION.search(content):
            continue
        found = None
        if is_short_form(content):
            found = _long_first(sentence, bracket.start(), content_start, content_end)
        if found is None:
            found = _short_first(sentence, bracket.start(), content_start, content_end)
        if found is not None:
            yield _Definition(
                short=(start + found.short[0], start + found.short[1]),
                long=(start + found.long[0], start + found.long[1]),
            )


def _content(sentence: str, bracket: re.Match[str]) -> tuple[int, int]:
    """The trimmed span of a bracket's content, cut at the first "; " or ", "."""
    begin, stop = bracket.start(1), bracket.end(1)
    cut = _CONTENT_CUT.search(sentence, begin, stop)
    if cut is not None:
        stop = cut.start()
    while begin < stop and sentence[begin].isspace():
        begin += 1
    while stop > begin and sentence[stop - 1].isspace():
        stop -= 1
    return begin, stop


def _long_first(sentence: str, paren: int, short_start: int, short_end: int) -> _Definition | None:
    """``long form (SF)``: look for the long form in the words before the bracket."""
    short = sentence[short_start:short_end]
    for candidate in _plural_variants(short):
        size = _alnum_count(candidate)
        window_start = _window_start(sentence, paren, min(size + 5, size * 2))
        window = sentence[window_start:paren].rstrip()
        offset = long_form_start(candidate, window)
        if offset is not None and _acceptable(candidate, window[offset:]):
            return _Definition(
                short=(short_start, short_end),
                long=(window_start + offset, window_start + len(window)),
            )
    return None


def _short_first(sentence: str, paren: int, long_start: int, long_end: int) -> _Definition | None:
    """``SF (long form)``: the short form is the word just before the bracket."""
    short_end = paren
    while short_end > 0 and sentence[short_end - 1].isspace():
        short_end -= 1
    short_start = short_end
    while short_start > 0 and not sentence[short_start - 1].isspace():
        short_start -= 1
    short = sentence[short_start:short_end]
    if not is_short_form(short):
        return None
    window = sentence[long_start:long_end]
    for candidate in _plural_variants(short):
        offset = long_form_start(candidate, window)
        if offset is not None and _acceptable(candidate, window[offset:]):
            return _Definition(short=(short_start, short_end), long=(long_start + offset, long_end))
    return None


def is_short_form(words: str) -> bool:
    """Whether ``words`` may be a short form.

    Schwartz & Hearst: at most ten characters and two words, a letter, an alphanumeric first
    character. Added for case reports: an upper-case letter and at least two characters.
    """
    return (
        MIN_SHORT_LENGTH <= len(words) <= MAX_SHORT_LENGTH
        and len(words.split()) <= MAX_SHORT_WORDS
        and words[0].isalnum()
        and any(c.isalpha() for c in words)
        and any(c.isupper() for c in words)
    )


def long_form_start(short: str, candidate: str) -> int | None:
    """Where the long form for ``short`` starts in ``candidate``: at the last words whose
    initials spell ``short``, one word a character, the first no article or other function
    word, when there are such words, else where ``find_best_long_form`` puts it. Schwartz &
    Hearst's character match alone takes the shortest form that holds the characters, "sinus
    syndrome" for "Sick sinus syndrome (SSS)", "pump inhibitor" for "proton pump inhibitor
    (PPI)"."""
    characters = [c.casefold() for c in short if c.isalnum()]
    words = list(_WORD.finditer(candidate))
    if 2 <= len(characters) <= len(words):
        last = words[-len(characters) :]
        spelt = all(w.group()[0].casefold() == c for w, c in zip(last, characters, strict=True))
        if spelt and last[0].group().casefold() not in _NO_LONG_FORM_START:
            return last[0].start()
    return find_best_long_form(short, candidate)


def find_best_long_form(short: str, candidate: str) -> int | None:
    """Where the long form for ``short`` starts in ``candidate``, or None (``findBestLongForm``).

    Each alphanumeric character of ``short``, last to first, is matched case-insensitively to the
    nearest earlier character of ``candidate``; the first one must also start a word. The long
    form runs from the start of the word holding that first match to the end of ``candidate``.
    """
    short_index = len(short) - 1
    long_index = len(candidate) - 1
    while short_index >= 0:
        char = short[short_index].lower()
        if not char.isalnum():
            short_index -= 1
            continue
        while (long_index >= 0 and candidate[long_index].lower() != char) or (
            short_index == 0 and long_index > 0 and candidate[long_index - 1].isalnum()
        ):
            long_index -= 1
        if long_index < 0:
            return None
        long_index -= 1
        short_index -= 1
    # The paper steps back to the space before the matched word, so "T-cell" starts at "T".
    start = long_index + 1
    while start > 0 and not candidate[start - 1].isspace():
        start -= 1
    return start


def _acceptable(short: str, long: str) -> bool:
    """Schwartz & Hearst's filters on a long form found by ``find_best_long_form``."""
    size = _alnum_count(short)
    words = len([w for w in _WORD_SEPARATORS.split(long) if w])
    # Case-insensitive, unlike the paper: "Floseal (FloSeal Hemostatic Matrix)" is a name
    # glossed, not an abbreviation defined.
    folded_short, folded_long = short.casefold(), long.casefold()
    return not (
        len(long) < len(short)
        or f"{folded_short} " in folded_long
        or folded_long.endswith(folded_short)
        or words > size * 2
        or words > size + 5
        or size > MAX_SHORT_LENGTH
    )


def _window_start(sentence: str, paren: int, words: int) -> int:
    """Start of the last ``words`` words before ``paren``, not crossing a clause or bracket."""
    floor = 0
    for stop in _WINDOW_STOP.finditer(sentence, 0, paren):
        floor = stop.end()
    position = paren
    for _ in range(words):
        while position > floor and sentence[position - 1].isspace():
            position -= 1
        if position == floor:
            break
        while position > floor and not sentence[position - 1].isspace():
            position -= 1
    return position


def _plural_variants(short: str) -> list[str]:
    """``short``, then its singular when it is a plural such as "CTs"."""
    singular = _singular(short)
    return [short] if singular is None else [short, singular]


def _singular(short: str) -> str | None:
    if len(short) > MIN_SHORT_LENGTH and short.endswith("s") and short[-2].isupper():
        return short[:-1]
    return None


def _alnum_count(words: str) -> int:
    return sum(c.isalnum() for c in words)
