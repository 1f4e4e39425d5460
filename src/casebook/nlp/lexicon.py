"""Mentions from a lexicon of phrase patterns, for facts the trained model tends to miss.

The trained extractor learns what MACCROBAT annotates often. Some facts a clinician reads out of
every case report are rare there (outcomes such as "full recovery": 28 Outcome spans in 150
documents) or named by a closed set of words (named procedures such as "blood patch"). Each
entry of ``mention_lexicon.json`` gives a mention type and regular expressions over the text.
A match becomes a mention unless a mention already there crosses one of its edges; mentions
that lie wholly inside it are fragments of the same phrase ("blood" and "patch" in "blood
patch") and give way to it. A mention with exactly the match's span stays, unless the entry
names its type among those it ``replaces``. Entries earlier in the file win over later ones.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator

from casebook.caseless import fold, folded_pattern
from casebook.model import Case, EntityType, Mention, RecordModel
from casebook.nlp.patterns import finditer_from, start_finder
from casebook.resources import load_rules


class LexiconEntry(RecordModel):
    """One mention type and the patterns that name it."""

    type: EntityType
    patterns: list[str] = Field(
        min_length=1, description="Case-insensitive regular expressions, matched on word edges."
    )
    replaces: list[EntityType] = Field(
        default_factory=list,
        description="Types of a model mention with exactly the match's span that give way to it "
        "(a word the model reads in the wrong sense, such as a wound 'discharge' taken for a "
        "hospital discharge).",
    )
    note: str = Field(default="", description="Why these patterns are here.")

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns


class MentionLexicon(RecordModel):
    """The schema of ``mention_lexicon.json``."""

    version: str = Field(min_length=1)
    entries: list[LexiconEntry]


class LexiconMentions:
    """Adds lexicon matches as mentions where the text has no mention yet.

    Args:
        rules: A packaged resource name or the path of a user's own lexicon file.
    """

    name = "lexicon"
    requires = frozenset({"text", "mentions"})
    assigns = frozenset({"mentions"})

    def __init__(self, rules: str | Path = "mention_lexicon.json") -> None:
        self.lexicon = load_rules(rules, MentionLexicon)

    @cached_property
    def _patterns(self) -> list[tuple[LexiconEntry, re.Pattern[str], re.Pattern[str] | None]]:
        """Each entry with its pattern, and the same to run over the folded text when there
        is one (``casebook.caseless``: the same matches, found faster)."""
        found: list[tuple[LexiconEntry, re.Pattern[str], re.Pattern[str] | None]] = []
        for entry in self.lexicon.entries:
            pattern = rf"(?<!\w)(?:{'|'.join(entry.patterns)})(?!\w)"
            folded = folded_pattern(pattern)
            found.append(
                (entry, re.compile(pattern, re.I), None if folded is None else re.compile(folded))
            )
        return found

    @cached_property
    def _folded_starts(self) -> re.Pattern[str] | None:
        """One scan of the folded text marking where some entry's folded pattern may match
        (``casebook.nlp.patterns.start_finder``); None unless every entry has one."""
        bodies: list[str] = []
        for entry, _, folded in self._patterns:
            body = folded_pattern(f"(?:{'|'.join(entry.patterns)})")
            if folded is None or body is None:
                return None
            bodies.append(body)
        return start_finder(r"(?<!\w)", bodies)

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with a mention for each lexicon match, replacing fragments inside it."""
        kept = _MentionSpans(case.mentions)
        used = {m.id for m in case.mentions}
        added = False
        text = case.text
        folded_text = fold(text)
        finder = self._folded_starts
        # Each folded pattern is tried only where the one scan says some may match: the same
        # matches as each pattern scanning the whole text.
        starts = (
            None
            if finder is None or folded_text is None
            else [m.start() for m in finder.finditer(folded_text)]
        )
        for entry, pattern, folded in self._patterns:
            kind = entry.type
            matches: Iterable[re.Match[str]]
            if folded is not None and folded_text is not None:
                matches = (
                    folded.finditer(folded_text)
                    if starts is None
                    else finditer_from(folded, folded_text, 0, len(folded_text), starts)
                )
            else:
                matches = pattern.finditer(text)
            for match in matches:
                start, end = match.span()
                near = kept.near(start, end)
                inside = [m for m in near if start <= m.start and m.end <= end]
                crossing = [m for m in near if m.start < end and start < m.end and m not in inside]
                same = [m for m in inside if m.start == start and m.end == end]
                if crossing or any(m.type == kind or m.type not in entry.replaces for m in same):
                    continue
                for mention in inside:
                    kept.remove(mention)
                number = len(used) + 1
                while f"m{number}" in used:
                    number += 1
                used.add(f"m{number}")
                kept.add(
                    Mention(id=f"m{number}", start=start, end=end, text=text[start:end], type=kind)
                )
                added = True
        if not added:
            return case
        mentions = sorted(kept.mentions(), key=lambda m: (m.start, m.end))
        return case.model_copy(update={"mentions": mentions})


class _MentionSpans:
    """Mentions by id, in the order they were added, with their starts sorted so that those
    near a span are found without reading them all: a long text has thousands of mentions and
    as many matches."""

    def __init__(self, mentions: Iterable[Mention]) -> None:
        self._by_id: dict[str, Mention] = {}
        self._starts: list[tuple[int, str]] = []
        self._longest = 0
        for mention in mentions:
            self.add(mention)

    def add(self, mention: Mention) -> None:
        self._by_id[mention.id] = mention
        bisect.insort(self._starts, (mention.start, mention.id))
        self._longest = max(self._longest, mention.end - mention.start)

    def remove(self, mention: Mention) -> None:
        del self._by_id[mention.id]
        del self._starts[bisect.bisect_left(self._starts, (mention.start, mention.id))]

    def near(self, start: int, end: int) -> list[Mention]:
        """Every mention that overlaps ``start:end`` or lies inside it, and perhaps others
        near it."""
        first = bisect.bisect_left(self._starts, (start - self._longest, ""))
        last = bisect.bisect_right(self._starts, (end, "\U0010ffff"))
        return [self._by_id[mention_id] for _, mention_id in self._starts[first:last]]

    def mentions(self) -> list[Mention]:
        """The mentions, in the order they were added."""
        return list(self._by_id.values())
