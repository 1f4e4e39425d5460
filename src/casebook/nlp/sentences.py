"""Sentence splitting for clinical case reports, with abbreviations and line rules as data.

The splitter works on lines first (blank lines, list items, headings and table rows end a
sentence) and then on punctuation inside each block of lines. A hand-written splitter is used
because clinical text breaks general-purpose ones on decimals, dosing abbreviations ("i.v.",
"b.i.d.") and figure references, and because it runs thousands of documents a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import Field, field_validator

from casebook.model import Case, RecordModel, Section, Span
from casebook.nlp.sections import is_title_case
from casebook.resources import load_rules

_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_NEXT_WORD = re.compile(r"\s*(\S+)")
_LOOK_BACK = 80
"""Characters looked back from a period for the abbreviation or initial that it ends."""


class SentenceRules(RecordModel):
    """The schema of ``sentences.json``."""

    version: str
    abbreviations: list[str] = Field(description="Tokens whose period never ends a sentence.")
    final_abbreviations: list[str] = Field(
        description="Tokens whose period ends a sentence only before a capitalised word."
    )
    sentence_starters: list[str] = Field(
        description="Words that start a new sentence even after a single capital and a period."
    )
    list_item: str = Field(description="Regex matching the start of a list item line.")
    table_row: str = Field(description="Regex found in a line that is a flattened table row.")
    enumeration: str = Field(description="Regex matching a whole enumeration token, e.g. '2.'.")
    closers: str = Field(description="Quotes and brackets that may follow final punctuation.")
    name_context_words: list[str] = Field(
        description="Lower-case words after which a capital and a period is a name's initial."
    )
    heading_max_words: int = Field(default=6, ge=1)
    small_words: list[str]

    @field_validator("list_item", "table_row", "enumeration")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
        return pattern


class _Lexicon:
    """Abbreviation lookup: exact, or case-insensitive for entries written in lower case."""

    def __init__(self, entries: list[str]) -> None:
        self.exact = frozenset(entries)
        self.lower = frozenset(e for e in entries if e == e.lower())

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and (token in self.exact or token.lower() in self.lower)


class SentenceSplitter:
    """Split each section of a case into sentences; sentences never cross a section boundary.

    Args:
        rules: A packaged rule file name or a ``Path`` to your own file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file breaks its schema.
    """

    name = "sentences"
    requires: frozenset[str] = frozenset({"text", "sections"})
    assigns: frozenset[str] = frozenset({"sentences"})

    def __init__(self, rules: str | Path = "sentences.json") -> None:
        self.rules = load_rules(rules, SentenceRules)
        self._never = _Lexicon(self.rules.abbreviations)
        self._maybe = _Lexicon(self.rules.final_abbreviations)
        self._starters = frozenset(self.rules.sentence_starters)
        self._list_item = re.compile(self.rules.list_item)
        self._table_row = re.compile(self.rules.table_row)
        self._enumeration = re.compile(self.rules.enumeration)
        closers = re.escape(self.rules.closers)
        # Quotes, brackets and citation marks ("lesion.[9]", or "lesion.[]" where the source
        # dropped the numbers) may follow the final punctuation.
        self._final = re.compile(
            rf"(?P<punct>(?:\.\.\.|[.!?\u2026])+)"
            rf"(?:[{closers}]|\[(?:\d{{1,3}}(?:[,\u2013-]\s?\d{{1,3}})*|[,\u2013-]*)\])*"
            r"(?=\s|\Z)"
        )
        self._openers = "([{\"'\u201c\u2018"
        self._small = frozenset(self.rules.small_words)
        self._name_context = frozenset(w.lower() for w in self.rules.name_context_words)

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with ``sentences`` set."""
        return case.model_copy(update={"sentences": self.split(case.text, case.sections)})

    def split(self, text: str, sections: list[Section] | None = None) -> list[Span]:
        """Sentence spans of ``text``, trimmed, sorted and inside the given sections' bounds."""
        bounds = {0, len(text)}
        for section in sections or []:
            bounds |= {min(section.start, len(text)), min(section.end, len(text))}
            heading_end = _heading_end(text, section)
            if heading_end is not None:
                bounds.add(heading_end)
        cuts = sorted(bounds)
        spans: list[Span] = []
        for start, stop in zip(cuts, cuts[1:], strict=False):
            spans.extend(Span(start=a, end=b) for a, b in self._region(text, start, stop))
        return spans

    def _region(self, text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
        for block_start, block_stop, is_row in self._blocks(text, start, stop):
            if is_row:
                yield from _trimmed(text, block_start, block_stop)
                continue
            cut = block_start
            for end in self._ends(text[block_start:block_stop]):
                yield from _trimmed(text, cut, block_start + end)
                cut = block_start + end
            yield from _trimmed(text, cut, block_stop)

    def _blocks(self, text: str, start: int, stop: int) -> Iterator[tuple[int, int, bool]]:
        """Runs of lines that may hold one sentence across a newline; table rows stand alone."""
        block = start
        previous: str | None = None
        position = start
        for line in text[start:stop].split("\n"):
            if previous is not None and self._breaks(previous, line):
                yield block, position - 1, self._is_row(previous)
                block = position
            previous = line
            position += len(line) + 1
        yield block, stop, previous is not None and self._is_row(previous)

    def _breaks(self, previous: str, line: str) -> bool:
        before = previous.strip()
        return (
            not before
            or not line.strip()
            or before.endswith(":")
            or self._is_row(previous)
            or self._is_row(line)
            or self._list_item.match(line) is not None
            or self._is_heading(before)
            or self._is_heading(line.strip())
        )

    def _is_row(self, line: str) -> bool:
        return self._table_row.search(line) is not None

    def _is_heading(self, line: str) -> bool:
        words = line.split()
        return (
            0 < len(words) <= self.rules.heading_max_words
            and line[-1] not in ".!?;,"
            and is_title_case(words, self._small)
        )

    def _ends(self, block: str) -> Iterator[int]:
        """Offsets in ``block`` just after each sentence-final punctuation run."""
        sentence_start = 0
        for match in self._final.finditer(block):
            following = _NEXT_WORD.match(block, match.end())
            if following is None:
                return
            if self._is_end(block, match, following.group(1), sentence_start):
                sentence_start = match.end()
                yield match.end()

    def _is_end(
        self, block: str, match: re.Match[str], following: str, sentence_start: int
    ) -> bool:
        first = following[0]
        if first.islower():
            # Lower-case continuation: after "e.g.", "i.v.", an ellipsis or a typo alike.
            return False
        if not (first.isalnum() or first in self._openers):
            # Sentences do not start with "<", "=", "%" …: "(n.v. <2.1)" goes on.
            return False
        punct = match.group("punct")
        if punct[-1] in "?!":
            return True
        if punct.endswith(("...", "\u2026")):
            return first.isupper()
        # A bounded look-back keeps long sentences full of abbreviations linear.
        window = max(sentence_start, match.start() - _LOOK_BACK)
        head = block[window : match.start()]
        words = head.split()
        if not words:
            return False
        token = (words[-1] + ".").lstrip(self._openers) if punct == "." else ""
        pair = f"{words[-2]} {token}" if len(words) > 1 and token else ""
        if token in self._never or pair in self._never:
            return False
        if token in self._maybe or pair in self._maybe:
            return first.isupper()
        if token and _INITIALS.fullmatch(token):
            # "by J. Smith" keeps going; "hepatitis C. He was" and "hemophilia B. By" end.
            before = words[-2] if len(words) > 1 else ""
            named = not before or before[:1].isupper() or before.lower() in self._name_context
            next_word = following.strip(",;:")
            return next_word in self._starters or not named
        if token and self._enumeration.fullmatch(token):
            # "1. fever; 2. cough": a marker at the start or after ";", ":" or "," is not an end.
            before = head[: len(head) - len(words[-1])].rstrip()
            if not before:
                return window > sentence_start
            return before[-1] not in ";:,"
        return True


def _heading_end(text: str, section: Section) -> int | None:
    """Where a section's written heading ends (after its colon), when the text holds it."""
    title = section.title
    if not title or not text.startswith(title, section.start):
        return None
    end = section.start + len(title)
    rest = text[end : section.end]
    stripped = rest.lstrip(" \t")
    if stripped.startswith(":"):
        end += len(rest) - len(stripped) + 1
    return end if end < section.end else None


def _trimmed(text: str, start: int, stop: int) -> Iterator[tuple[int, int]]:
    chunk = text[start:stop]
    stripped = chunk.strip()
    if stripped:
        begin = start + len(chunk) - len(chunk.lstrip())
        yield begin, begin + len(stripped)
