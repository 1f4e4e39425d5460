"""Section detection: find headings in plain text, or refine the kinds a structured reader gave.

Heading phrases, JATS ``sec-type`` values and the heading shape are data in
``resources/sections.json``; this module only applies them.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import NamedTuple, Self

from pydantic import Field, model_validator

from casebook.model import Case, RecordModel, Section
from casebook.resources import load_rules

_NUMBERING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.|[A-H]\.)\s+")
_INLINE_MAX = 60
"""Longest heading, in characters, before an inline colon: longer prefixes are prose."""


class SectionKind(RecordModel):
    """One section kind and the heading phrases that name it."""

    kind: str = Field(min_length=1)
    headings: list[str] = Field(min_length=1)


class SectionRules(RecordModel):
    """The schema of ``sections.json``."""

    version: str
    kinds: list[SectionKind]
    sec_types: dict[str, str] = Field(description="JATS sec-type value to section kind.")
    generic_kinds: list[str] = Field(description="Reader kinds that say nothing specific.")
    unknown_heading_kind: str = "other"
    untitled_kind: str = "body"
    max_title_words: int = Field(default=6, ge=1)
    max_leading_title_words: int = Field(
        default=40,
        ge=1,
        description="Longest first line, in words, read as the article's title when a blank line "
        "follows it and it ends in no sentence or clause punctuation.",
    )
    genre_kinds: list[str] = Field(
        default=[],
        description="Kinds whose heading before a colon on a pasted text's leading title line "
        "names the article's genre ('Case report: COVID-19 associated renal infarction'): the "
        "whole line is the title, not a heading and its first sentence.",
    )
    small_words: list[str] = Field(description="Words a Title-Case heading may leave lower-case.")
    not_headings: list[str] = Field(description="First words of short lines that are captions.")

    @model_validator(mode="after")
    def _headings_unique(self) -> Self:
        seen: dict[str, str] = {}
        for entry in self.kinds:
            for heading in entry.headings:
                key = normalise_heading(heading)
                if seen.setdefault(key, entry.kind) != entry.kind:
                    raise ValueError(f"heading {heading!r} names two kinds")
        return self


class _Heading(NamedTuple):
    start: int
    title: str
    kind: str


def normalise_heading(phrase: str) -> str:
    """The lookup key of a heading: no numbering, no trailing colon, one case, plain quotes."""
    phrase = phrase.strip().replace("\u2019", "'").replace("\u2018", "'")
    phrase = _NUMBERING.sub("", phrase).rstrip(":").strip()
    return " ".join(phrase.lower().split())


def is_title_case(words: list[str], small_words: frozenset[str]) -> bool:
    """Whether every word but listed small words starts upper-case (all caps counts)."""
    if not words or not words[0][:1].isupper():
        return False
    lettered = [w for w in words if any(c.isalpha() for c in w)]
    if not lettered:
        return False
    return all(w[:1].isupper() or w.lower() in small_words for w in lettered)


class SectionDetector:
    """Split a case into titled sections.

    Args:
        rules: A packaged rule file name or a ``Path`` to your own file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file breaks its schema.
    """

    name = "sections"
    requires: frozenset[str] = frozenset({"text"})
    assigns: frozenset[str] = frozenset({"sections", "title"})

    def __init__(self, rules: str | Path = "sections.json") -> None:
        self.rules = load_rules(rules, SectionRules)
        self._kind_of = {
            normalise_heading(h): entry.kind for entry in self.rules.kinds for h in entry.headings
        }
        self._known_kinds = {entry.kind for entry in self.rules.kinds}
        self._generic = frozenset(self.rules.generic_kinds)
        self._genre = frozenset(self.rules.genre_kinds)
        self._small = frozenset(w.lower() for w in self.rules.small_words)
        self._captions = frozenset(w.lower() for w in self.rules.not_headings)

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with sections set: refined when a reader gave them, else detected.

        A plain text's leading title line, when one is found, becomes the case's title.
        """
        if case.sections:
            sections = [self._refine(s) for s in case.sections]
        else:
            sections = self.detect(case.text, case.title)
        title = case.title
        # Pasted text opens with its article's title, which the reader could not tell apart; the
        # title line found here is the case's title, as a structured reader would have given it
        # (a "Title:" heading names the section, not the article).
        first = sections[0] if sections else None
        if title is None and first and first.kind == "title" and self.kind_of(first.title) is None:
            title = first.title
        return case.model_copy(update={"sections": sections, "title": title})

    def kind_of(self, heading: str) -> str | None:
        """The kind a heading phrase names, or None when the rules do not know it."""
        return self._kind_of.get(normalise_heading(heading))

    def _refine(self, section: Section) -> Section:
        # A reader's specific kind is kept; only generic or unknown kinds are worth replacing.
        if section.kind in self._known_kinds and section.kind not in self._generic:
            return section
        kind = self.kind_of(section.title) or self.rules.sec_types.get(section.kind)
        if kind is None or kind == section.kind:
            return section
        return section.model_copy(update={"kind": kind})

    def detect(self, text: str, title: str | None = None) -> list[Section]:
        """Sections of plain text: heading to next heading, untitled text first as ``body``."""
        lines: list[tuple[int, str]] = []
        position = 0
        for line in text.split("\n"):
            lines.append((position, line))
            position += len(line) + 1
        first = next((i for i, (_, line) in enumerate(lines) if line.strip()), -1)
        headings: list[_Heading] = []
        starts: list[int] = []  # untitled sections that follow a title line
        for index in range(len(lines)):
            heading = self._heading(lines, index, title, index == first)
            if heading is None:
                continue
            headings.append(heading)
            if heading.kind == "title" and index + 1 < len(lines):
                starts.append(lines[index + 1][0])
        return self._build(text, headings, starts)

    def _heading(
        self, lines: list[tuple[int, str]], index: int, title: str | None, first: bool
    ) -> _Heading | None:
        start, line = lines[index]
        stripped = line.strip()
        if not stripped:
            return None
        offset = start + len(line) - len(line.lstrip())
        as_written = stripped.rstrip(":").rstrip()
        if first and title and stripped == title.strip():
            return _Heading(offset, as_written, "title")
        kind = self.kind_of(stripped)
        if kind is not None:
            return _Heading(offset, as_written, kind)
        colon = stripped.find(":", 0, _INLINE_MAX)
        if colon > 0:
            kind = self.kind_of(stripped[:colon])
            if (
                first
                and title is None
                and kind in self._genre
                and stripped[colon + 1 :].strip()
                and self._leading_title(lines, index, stripped)
            ):
                return _Heading(offset, stripped, "title")
            if kind is not None:
                return _Heading(offset, stripped[:colon].rstrip(), kind)
        if first and title is None and self._leading_title(lines, index, stripped):
            return _Heading(offset, stripped, "title")
        if self._unknown_heading(lines, index, stripped):
            return _Heading(offset, as_written, self.rules.unknown_heading_kind)
        return None

    def _leading_title(self, lines: list[tuple[int, str]], index: int, stripped: str) -> bool:
        # Plain text pasted from an article opens with its title, then a blank line: a line no
        # sentence punctuation ends, but a question mark may ("Does every patient with aortic
        # stenosis need valve replacement?"). Read as narrative, the title's diagnosis would be
        # the case's first event and its presenting problem.
        if stripped[-1] in ".!;:," or len(stripped.split()) > self.rules.max_leading_title_words:
            return False
        if index + 1 >= len(lines) or lines[index + 1][1].strip():
            return False
        return any(line.strip() for _, line in itertools.islice(lines, index + 2, None))

    def _unknown_heading(self, lines: list[tuple[int, str]], index: int, stripped: str) -> bool:
        body = _NUMBERING.sub("", stripped)
        words = body.rstrip(":").split()
        if not words or len(words) > self.rules.max_title_words:
            return False
        if body[-1] in ".!?;," or "|" in body or "\t" in body or ":" in body[:-1]:
            return False
        if words[0].strip("([").lower().rstrip(".") in self._captions:
            return False
        if not is_title_case(words, self._small):
            return False
        # A heading opens a block: after a blank line, the start, or a finished sentence.
        previous = lines[index - 1][1].strip() if index > 0 else ""
        if previous and previous[-1] not in ".!?:":
            return False
        following = ""
        for _, later in itertools.islice(lines, index + 1, None):
            following = later.strip()
            if following:
                break
        return bool(following) and (
            len(following.split()) > self.rules.max_title_words or following[-1] in ".!?:"
        )

    def _build(self, text: str, headings: list[_Heading], starts: list[int]) -> list[Section]:
        marks = sorted(
            [(h.start, h.title, h.kind) for h in headings]
            + [(s, "", self.rules.untitled_kind) for s in starts]
        )
        if not marks or text[: marks[0][0]].strip():
            marks.insert(0, (0, "", self.rules.untitled_kind))
        sections: list[Section] = []
        for i, (start, title, kind) in enumerate(marks):
            stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
            chunk = text[start:stop]
            if not chunk.strip():
                continue
            # Untitled text is trimmed on both sides; a heading already starts at a non-space.
            begin = start + len(chunk) - len(chunk.lstrip())
            end = start + len(chunk.rstrip())
            sections.append(Section(start=begin, end=end, title=title, kind=kind))
        return sections
