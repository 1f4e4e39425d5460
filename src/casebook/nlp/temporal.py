"""Time expressions and the order of events: the case's timeline.

``TemporalOrderer`` reads ``temporal.json`` and does three things.

1. **Finds time expressions** with the rule file's patterns ("two days later", "3 weeks
   after", "the next morning", "on day 3", "on admission", "at the 6-month follow-up",
   "10 years ago", "a 6-week history of", "in March 2015", "at the age of 20", "at this time"),
   reads their amount in days from the ``numbers`` and ``units`` tables, and ties each to the
   Date/Duration/Time mention it overlaps. Date, Duration and Time mentions no rule reads are
   kept as ``unnormalised`` expressions.
2. **Cuts each sentence into segments** at time expressions and at connectives: ``after``
   ("then", "following which", "subsequently": what follows is later), ``earlier`` ("after",
   "following" inside a sentence: what follows happened just before; at the start of a
   sentence it reads as ``after``) and ``history`` ("previously", "history of", "for a new
   diagnosis of": what follows predates the presentation).
3. **Places each segment** on a clock counted in days from the *anchor*, the presentation:
   the first segment with an anchor cue ("presented", "was admitted", "on admission"), else
   the first segment with an event. Segments are read in text order, the narrative default: a
   sentence that tells an event of ``advance_types`` (a treatment, a drug, an outcome, an
   admission) is a little later than the one before, while one that tells only findings and
   test results continues the time point before it, as MACCROBAT annotates a presentation's
   work-up. ``after`` moves the clock forward by the expression's amount,
   ``day``/``anchor``/dated expressions set it, ``before``/``age`` expressions place a segment
   that far before the anchor (or the clock) without moving it, and ``history`` places it
   just before the anchor. Text before the anchor and sections of the past history count as
   history; introduction and discussion sections are not placed.

Events (mentions of ``event_types``, except family and hypothetical ones) are ordered by their
segment's place; events of one segment share an ``order`` (they are told as simultaneous)
unless a relation orders them (a cause before its effect, a finding before its treatment, a
treatment before its outcome). ``offset_days`` is the segment's day when the text's
expressions determine it; connectives without a stated time ("then") keep the day, and vague
ones ("a few days later", "at follow-up") make it unknown until a later expression fixes it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casebook.model import (
    Assertion,
    Case,
    EntityType,
    Mention,
    Relation,
    Span,
    TimeExpression,
    TimelineEvent,
)
from casebook.nlp.patterns import WORD_START, PatternSet, phrase_alternation
from casebook.resources import load_rules

STEP = 1e-6
"""Clock advance, in days, of a new segment that states no time: order without duration."""

HISTORY = -0.5
"""Where undated history sits on the clock: before the anchor day, after dated history."""


class TimeKind(StrEnum):
    """How a time expression or connective places what it introduces."""

    AFTER = "after"
    BEFORE = "before"
    HISTORY = "history"
    EARLIER = "earlier"
    DAY = "day"
    ANCHOR = "anchor"
    FOLLOW_UP = "follow_up"
    DATE = "date"
    AGE = "age"
    SAME = "same"
    UNNORMALISED = "unnormalised"


SPLITTING = frozenset({TimeKind.AFTER, TimeKind.BEFORE, TimeKind.HISTORY})
"""Expression kinds that start a new part of their sentence ("…, and two days later …"); the
others ("on admission", "in March 2015") tell the time of the part they are in."""


class RelativeTo(StrEnum):
    """What a ``before`` amount counts back from."""

    ANCHOR = "anchor"
    CLOCK = "clock"


_PLACEHOLDERS = ("{n}", "{unit}", "{month}", "{year}", "{day}", "{ordinal}")


class ExpressionRule(BaseModel):
    """One time expression pattern, a regex with placeholders.

    ``{n}`` is a number (digits or a word of ``numbers``), ``{unit}`` a unit of ``units``,
    ``{month}``, ``{day}``, ``{year}`` and ``{ordinal}`` parts of dates and days. The amount is
    ``n`` times the unit (a unit alone counts once), or ``days`` when given.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TimeKind
    pattern: str = Field(min_length=1)
    days: float | None = Field(default=None, description="A fixed amount in days.")
    relative_to: RelativeTo = RelativeTo.CLOCK

    @model_validator(mode="after")
    def _compiles(self) -> Self:
        if self.kind in (TimeKind.EARLIER, TimeKind.UNNORMALISED):
            raise ValueError(f"{self.kind.value} is not an expression kind")
        body = self.pattern
        for placeholder in _PLACEHOLDERS:
            body = body.replace(placeholder, "x")
        try:
            re.compile(body)
        except re.error as exc:
            raise ValueError(f"pattern {self.pattern!r} is not a regex: {exc}") from exc
        return self


class ConnectiveRule(BaseModel):
    """Words that join two parts of a sentence in time ("then", "after", "previously")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TimeKind
    initial_kind: TimeKind | None = Field(
        default=None, description="The kind when the phrase starts its sentence."
    )
    phrases: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _connective_kinds(self) -> Self:
        allowed = {TimeKind.AFTER, TimeKind.EARLIER, TimeKind.HISTORY}
        for kind in (self.kind, self.initial_kind):
            if kind is not None and kind not in allowed:
                raise ValueError(f"a connective is after, earlier or history, not {kind.value}")
        return self


class TemporalRules(BaseModel):
    """The rule file ``temporal.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    numbers: dict[str, float] = Field(description="Number words → value ('two': 2).")
    units: dict[str, float] = Field(description="Unit word → days ('week': 7).")
    months: dict[str, int] = Field(description="Month name or abbreviation → 1–12.")
    ordinals: dict[str, int] = Field(description="Ordinal word → value ('third': 3).")
    expressions: list[ExpressionRule]
    connectives: list[ConnectiveRule]
    not_connectives: list[str] = Field(
        default_factory=list, description="Phrases in which a connective word is not one."
    )
    anchor_cues: list[str] = Field(description="Words that tell the presentation.")
    event_types: list[EntityType] = Field(min_length=1)
    time_types: list[EntityType]
    unplaced_assertions: list[Assertion]
    history_sections: list[str]
    follow_up_sections: list[str]
    unplaced_sections: list[str]
    advance_types: list[EntityType] = Field(
        description="A sentence telling an event of these types is later than the one before "
        "even without a time cue; one telling only others (findings, results) continues it."
    )

    @model_validator(mode="after")
    def _months_in_range(self) -> Self:
        for name, number in self.months.items():
            if not 1 <= number <= 12:
                raise ValueError(f"month {name!r} is {number}, not 1–12")
        return self


@dataclass(frozen=True, slots=True)
class _Cue:
    """A time expression or connective, with what it says."""

    start: int
    end: int
    kind: TimeKind
    amount: float | None = None
    relative_to: RelativeTo = RelativeTo.CLOCK
    when: date | None = None
    expression: int | None = None  # index into the found time expressions
    splits: bool = True


@dataclass(slots=True)
class _Segment:
    start: int
    end: int
    sentence: int
    section: str
    cue: _Cue | None = None
    events: list[Mention] = field(default_factory=list)
    sort: float = 0.0
    tick: int = 0
    days: float | None = None


class TemporalOrderer:
    """Finds time expressions and places every event mention on the case's timeline.

    Args:
        rules: A packaged rule file name or a path to one's own rule file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    name = "temporal"
    requires: frozenset[str] = frozenset({"text", "sections", "sentences", "mentions"})
    assigns: frozenset[str] = frozenset({"timeline", "times"})

    def __init__(self, rules: str | Path = "temporal.json") -> None:
        self.rules = load_rules(rules, TemporalRules)
        self._expressions = PatternSet([self._expand(r.pattern) for r in self.rules.expressions])
        self._connectives = PatternSet([_phrases(r.phrases) for r in self.rules.connectives])
        self._not_connectives = re.compile(
            WORD_START + _phrases(self.rules.not_connectives), re.IGNORECASE
        )
        self._anchor = re.compile(WORD_START + _phrases(self.rules.anchor_cues), re.IGNORECASE)
        self._events = frozenset(self.rules.event_types)
        self._time_types = frozenset(self.rules.time_types)
        self._unplaced_assertions = frozenset(self.rules.unplaced_assertions)
        self._advance = frozenset(self.rules.advance_types)

    def _expand(self, pattern: str) -> str:
        rules = self.rules
        numbers = phrase_alternation(rules.numbers)
        units = phrase_alternation(rules.units)
        months = phrase_alternation(rules.months)
        ordinals = phrase_alternation(rules.ordinals)
        parts = {
            "{n}": rf"(?P<n>\d+(?:[.,]\d+)?|{numbers})",
            "{unit}": rf"(?P<unit>{units})",
            "{month}": rf"(?P<month>{months})\.?",
            "{year}": r"(?P<year>(?:19|20)\d\d)",
            "{day}": r"(?P<day>[0-3]?\d)",
            "{ordinal}": rf"(?P<ordinal>{ordinals}|\d+(?:st|nd|rd|th))",
        }
        for placeholder, regex in parts.items():
            pattern = pattern.replace(placeholder, regex)
        return rf"(?:{pattern})(?![\w-])"

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with ``times`` and ``timeline`` set (both replaced)."""
        cues, times = self._time_expressions(case)
        segments = self._segments(case, cues)
        anchor = self._anchor_index(case.text, segments)
        self._place(segments, anchor)
        timeline = self._order(segments, case.relations)
        for cue_segment in segments:
            cue = cue_segment.cue
            if cue is not None and cue.expression is not None:
                times[cue.expression] = times[cue.expression].model_copy(
                    update={"offset_days": _rounded(cue_segment.days)}
                )
        return case.model_copy(update={"timeline": timeline, "times": times})

    # 1. time expressions -----------------------------------------------------------------

    def _time_expressions(self, case: Case) -> tuple[list[_Cue], list[TimeExpression]]:
        text = case.text
        found: list[tuple[int, int, ExpressionRule, re.Match[str]]] = []
        each = self._expressions.finditer_each(text)
        for rule, matches in zip(self.rules.expressions, each, strict=True):
            for match in matches:
                if match.end() > match.start():
                    found.append((match.start(), -match.end(), rule, match))
        found.sort(key=lambda item: (item[0], item[1]))
        cues: list[_Cue] = []
        times: list[TimeExpression] = []
        taken_end = -1
        time_mentions = [m for m in case.mentions if m.type in self._time_types]
        linked: set[str] = set()
        for start, negative_end, rule, match in found:
            end = -negative_end
            if start < taken_end:
                continue
            taken_end = end
            amount, when = self._amount(rule, match, case.patient.age_years)
            mention = next((m for m in time_mentions if m.start < end and start < m.end), None)
            if mention is not None:
                linked.add(mention.id)
            times.append(
                TimeExpression(
                    start=start,
                    end=end,
                    text=text[start:end],
                    kind=rule.kind.value,
                    mention=mention.id if mention else None,
                )
            )
            cues.append(
                _Cue(
                    start=start,
                    end=end,
                    kind=rule.kind,
                    amount=amount,
                    relative_to=rule.relative_to,
                    when=when,
                    expression=len(times) - 1,
                    splits=rule.kind in SPLITTING,
                )
            )
        for mention in time_mentions:
            if mention.id not in linked:
                times.append(
                    TimeExpression(
                        start=mention.start,
                        end=mention.end,
                        text=mention.text,
                        kind=TimeKind.UNNORMALISED.value,
                        mention=mention.id,
                    )
                )
        order = sorted(range(len(times)), key=lambda i: (times[i].start, times[i].end))
        renumber = {old: new for new, old in enumerate(order)}
        cues = [
            replace(c, expression=renumber[c.expression]) if c.expression is not None else c
            for c in cues
        ]
        return cues, [times[i] for i in order]

    def _amount(
        self, rule: ExpressionRule, match: re.Match[str], age_now: float | None
    ) -> tuple[float | None, date | None]:
        """The expression's amount in days and, for a date, the day it names."""
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        if rule.kind is TimeKind.DATE:
            return None, self._date(groups)
        if rule.days is not None:
            return rule.days, None
        unit = self.rules.units.get(groups.get("unit", "").lower(), 1.0)
        if "ordinal" in groups:
            value: float | None = self._ordinal(groups["ordinal"])
        elif "n" in groups:
            value = self._number(groups["n"])
        elif "unit" in groups:
            return None, None  # "a few days later": a unit, no number
        else:
            value = None
        if value is None:
            return None, None
        if rule.kind is TimeKind.AGE:
            if age_now is None:
                return None, None
            years = value * unit / 365.25 if "unit" in groups else value
            return (years - age_now) * 365.25, None
        return value * unit, None

    def _number(self, words: str) -> float | None:
        key = " ".join(words.lower().split())
        if key in self.rules.numbers:
            return self.rules.numbers[key]
        try:
            return float(key.replace(",", "."))
        except ValueError:
            return None

    def _ordinal(self, words: str) -> float | None:
        key = words.lower()
        if key in self.rules.ordinals:
            return float(self.rules.ordinals[key])
        digits = re.match(r"\d+", key)
        return float(digits.group()) if digits else None

    def _date(self, groups: dict[str, str]) -> date | None:
        try:
            year = int(groups["year"])
            if "mm" in groups:
                month = int(groups["mm"])
            else:
                month = self.rules.months.get(groups.get("month", "").lower().rstrip("."), 1)
            return date(year, month, int(groups.get("day", "1")))
        except (KeyError, ValueError):
            return None

    # 2. segments ---------------------------------------------------------------------------

    def _connective_cues(
        self, text: str, sentence: Span, taken: Sequence[tuple[int, int]]
    ) -> list[_Cue]:
        blocked = [
            (m.start(), m.end())
            for m in self._not_connectives.finditer(text, sentence.start, sentence.end)
        ]
        blocked += taken
        lead = len(text[sentence.start : sentence.end]) - len(
            text[sentence.start : sentence.end].lstrip(" \t\n\"'(")
        )
        cues: list[_Cue] = []
        each = self._connectives.finditer_each(text, sentence.start, sentence.end)
        for rule, matches in zip(self.rules.connectives, each, strict=True):
            for match in matches:
                if any(s < match.end() and match.start() < e for s, e in blocked):
                    continue
                initial = match.start() == sentence.start + lead
                kind = rule.initial_kind if initial and rule.initial_kind else rule.kind
                cues.append(_Cue(start=match.start(), end=match.end(), kind=kind))
                if initial and rule.initial_kind:
                    # "Following discharge, she was followed up": what the comma ends came
                    # first, what follows it is later still.
                    comma = text.find(",", match.end(), sentence.end)
                    # A comma that ends the sentence (a cut-off query) leaves nothing after it.
                    if 0 <= comma < sentence.end - 1:
                        cues.append(_Cue(start=comma + 1, end=comma + 1, kind=TimeKind.AFTER))
        return cues

    def _segments(self, case: Case, cues: Sequence[_Cue]) -> list[_Segment]:
        """The sentences of placed sections, cut at cues, with their event mentions."""
        sections = sorted(case.sections, key=lambda s: s.start)
        section_starts = [s.start for s in sections]
        events = sorted(
            (
                m
                for m in case.mentions
                if m.type in self._events and m.assertion not in self._unplaced_assertions
            ),
            key=lambda m: m.start,
        )
        event_starts = [m.start for m in events]
        ordered_cues = sorted(cues, key=lambda c: c.start)
        cue_starts = [c.start for c in ordered_cues]
        # Mentions block connectives; only those reaching into a sentence can block there.
        bounds = sorted((m.start, m.end) for m in case.mentions)
        bound_starts = [start for start, _ in bounds]
        longest = max((end - start for start, end in bounds), default=0)
        segments: list[_Segment] = []
        for number, sentence in enumerate(sorted(case.sentences, key=lambda s: s.start)):
            index = bisect_right(section_starts, sentence.start) - 1
            kind = sections[index].kind if index >= 0 else "untitled"
            if kind in self.rules.unplaced_sections:
                continue
            inside = ordered_cues[
                bisect_left(cue_starts, sentence.start) : bisect_left(cue_starts, sentence.end)
            ]
            taken = [(c.start, c.end) for c in inside] + [
                (start, end)
                for start, end in bounds[
                    bisect_left(bound_starts, sentence.start - longest) : bisect_left(
                        bound_starts, sentence.end
                    )
                ]
                if end > sentence.start
            ]
            inside += self._connective_cues(case.text, sentence, taken)
            inside.sort(key=lambda c: c.start)
            cuts = [sentence.start] + [c.start for c in inside if c.splits]
            cuts = sorted(set(cuts)) + [sentence.end]
            pieces = [
                _Segment(start=a, end=b, sentence=number, section=kind)
                for a, b in zip(cuts, cuts[1:], strict=False)
                if b > a
            ]
            # A time expression says more than a connective ("Following discharge on day 5").
            for cue in sorted(inside, key=lambda c: c.expression is None):
                piece = next(p for p in pieces if p.start <= cue.start < p.end)
                if piece.cue is None:
                    piece.cue = cue
            told = events[
                bisect_left(event_starts, sentence.start) : bisect_left(event_starts, sentence.end)
            ]
            for mention in told:
                piece = next(p for p in reversed(pieces) if p.start <= mention.start)
                piece.events.append(mention)
            _lend_trailing_cues(case.text, pieces)
            segments += pieces
        return segments

    def _anchor_index(self, text: str, segments: Sequence[_Segment]) -> int:
        """The segment of the presentation: an anchor cue, else the first event outside history."""
        narrative = [
            i
            for i, s in enumerate(segments)
            if s.section not in self.rules.history_sections
            and (s.cue is None or s.cue.kind not in (TimeKind.HISTORY, TimeKind.BEFORE))
        ]
        for index in narrative:
            segment = segments[index]
            cue = segment.cue
            if cue is not None and cue.kind is TimeKind.ANCHOR:
                return index
            if self._anchor.search(text, segment.start, segment.end):
                return index
        for index in narrative:
            if segments[index].events:
                return index
        return 0

    # 3. placing ------------------------------------------------------------------------------

    def _place(
        self,
        segments: Sequence[_Segment],
        anchor: int,
    ) -> None:
        """Set each segment's clock place (``sort``, ``tick``) and day (``days``)."""
        anchor_date = _anchor_date(segments, anchor)
        clock = 0.0
        days: float | None = 0.0
        last_date = anchor_date
        tick = 0
        follow_up_started = False
        advancing = {s.sentence for s in segments if any(m.type in self._advance for m in s.events)}
        for index, segment in enumerate(segments):
            cue = segment.cue
            kind = cue.kind if cue is not None else None
            new_sentence = index == 0 or segments[index - 1].sentence != segment.sentence
            advance = new_sentence and segment.sentence in advancing
            moves = kind is not None and kind is not TimeKind.SAME
            tick += 1 if advance or moves or index == anchor else 0
            segment.tick = tick
            if segment.section in self.rules.follow_up_sections and not follow_up_started:
                follow_up_started = True
                if kind is None:
                    kind = TimeKind.FOLLOW_UP
            if index < anchor or segment.section in self.rules.history_sections:
                segment.sort, segment.days = self._history_place(cue, anchor_date)
                continue
            if index == anchor:
                clock, days = 0.0, 0.0
                segment.sort, segment.days = clock, days
                continue
            if advance:
                clock += STEP
            amount = cue.amount if cue is not None else None
            if kind in (TimeKind.AFTER, TimeKind.FOLLOW_UP):
                clock += (amount or 0.0) + STEP
                if amount is not None and days is not None:
                    days += amount
                elif amount is None and (
                    kind is TimeKind.FOLLOW_UP or (cue is not None and cue.expression is not None)
                ):
                    days = None
            elif kind in (TimeKind.DAY, TimeKind.ANCHOR) and cue is not None:
                named = amount or 0.0
                if named < clock and days != named:  # back to an earlier day
                    segment.sort, segment.days = named, named
                    continue
                clock, days = max(named, clock), named
            elif kind is TimeKind.DATE and cue is not None and cue.when is not None:
                if anchor_date is not None:
                    offset = float((cue.when - anchor_date).days)
                    if offset < clock:
                        segment.sort, segment.days = offset, offset
                        continue
                    clock, days = offset, offset
                elif last_date is not None and cue.when < last_date:
                    segment.sort, segment.days = clock - STEP / 2, None
                    continue
                else:
                    clock += STEP
                    days = None if last_date is not None else days
                    last_date = cue.when
            elif kind in (TimeKind.BEFORE, TimeKind.AGE) and cue is not None:
                segment.sort, segment.days = self._before_place(cue, clock, days)
                continue
            elif kind is TimeKind.HISTORY:
                segment.sort, segment.days = HISTORY, None
                continue
            elif kind is TimeKind.EARLIER:
                segment.sort, segment.days = clock - STEP / 2, days
                continue
            segment.sort, segment.days = clock, days

    def _history_place(
        self, cue: _Cue | None, anchor_date: date | None
    ) -> tuple[float, float | None]:
        """Where a segment told before the presentation sits: dated when it says, else history."""
        if cue is None:
            return HISTORY, None
        if cue.kind in (TimeKind.BEFORE, TimeKind.AGE) and cue.amount is not None:
            back = cue.amount if cue.kind is TimeKind.AGE else -cue.amount
            return (back, back) if back < 0 else (HISTORY, None)
        if cue.kind is TimeKind.DATE and cue.when is not None and anchor_date is not None:
            offset = float((cue.when - anchor_date).days)
            return (offset, offset) if offset < 0 else (HISTORY, None)
        if cue.kind in (TimeKind.DAY, TimeKind.ANCHOR) and cue.amount is not None:
            return (cue.amount, cue.amount) if cue.amount < 0 else (HISTORY, None)
        return HISTORY, None

    def _before_place(
        self, cue: _Cue, clock: float, days: float | None
    ) -> tuple[float, float | None]:
        if cue.amount is None:
            return HISTORY, None
        if cue.kind is TimeKind.AGE:
            return (cue.amount, cue.amount) if cue.amount < 0 else (clock, days)
        if cue.relative_to is RelativeTo.ANCHOR:
            return -cue.amount, -cue.amount
        return clock - cue.amount, (days - cue.amount) if days is not None else None

    # 4. order --------------------------------------------------------------------------------

    def _order(
        self, segments: Sequence[_Segment], relations: Sequence[Relation]
    ) -> list[TimelineEvent]:
        keyed: list[tuple[tuple[float, int, int], Mention, float | None]] = []
        timed = [r for r in relations if r.type in EARLIER_END]
        for segment in segments:
            levels = _levels(segment.events, timed)
            for mention in segment.events:
                key = (segment.sort, segment.tick, levels[mention.id])
                keyed.append((key, mention, segment.days))
        keyed.sort(key=lambda item: (item[0], item[1].start))
        timeline: list[TimelineEvent] = []
        order = -1
        previous: tuple[float, int, int] | None = None
        for key, mention, days in keyed:
            if key != previous:
                order += 1
                previous = key
            timeline.append(
                TimelineEvent(mention=mention.id, order=order, offset_days=_rounded(days))
            )
        return timeline


EARLIER_END: dict[str, str] = {
    "caused_by": "target",
    "treated_by": "source",
    "outcome_of": "target",
}
"""For relations that order their ends in time, which end happened first."""


def _levels(events: Sequence[Mention], relations: Sequence[Relation]) -> dict[str, int]:
    """Within one segment, how many related events come before each (a longest-path depth)."""
    ids = {m.id for m in events}
    edges: list[tuple[str, str]] = []
    for relation in relations:
        first = EARLIER_END.get(relation.type)
        if first is None or relation.source not in ids or relation.target not in ids:
            continue
        if first == "target":
            edges.append((relation.target, relation.source))
        else:
            edges.append((relation.source, relation.target))
    level = dict.fromkeys(ids, 0)
    # At most len(ids) rounds: a cycle of contradicting relations cannot loop forever.
    for _ in range(len(ids)):
        changed = False
        for earlier, later in edges:
            if level[later] < level[earlier] + 1 and level[earlier] + 1 < len(ids):
                level[later] = level[earlier] + 1
                changed = True
        if not changed:
            break
    return level


def _lend_trailing_cues(text: str, pieces: list[_Segment]) -> None:
    """Give a cue that closes a sentence ("… a rash two days later.") to the events before it."""
    for previous, current in zip(pieces, pieces[1:], strict=False):
        cue = current.cue
        if (
            cue is not None
            and not current.events
            and previous.events
            and previous.cue is None
            and not re.search(r"\w", text[cue.end : current.end])
        ):
            previous.cue, current.cue = cue, None


def _anchor_date(segments: Sequence[_Segment], anchor: int) -> date | None:
    """The date the anchor's sentence gives, if any."""
    if not segments:
        return None
    sentence = segments[anchor].sentence
    for segment in segments:
        cue = segment.cue
        if segment.sentence == sentence and cue is not None and cue.when is not None:
            return cue.when
    return None


def _rounded(days: float | None) -> float | None:
    return None if days is None else round(days, 3)


def _phrases(phrases: Sequence[str]) -> str:
    """A regex matching any phrase as whole words after ``WORD_START``; never matches when
    there is none."""
    if not phrases:
        return r"(?!x)x"
    body = phrase_alternation(phrases)
    return rf"(?:{body})(?![\w-])"
