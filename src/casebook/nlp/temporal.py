"""Time expressions and the order of events: the case's timeline.

``TemporalOrderer`` reads ``temporal.json`` and does three things.

1. **Finds time expressions** with the rule file's patterns ("two days later", "three days
   after surgery", "the next morning", "on day 5 of admission", "postoperative day 2", "on
   admission", "at the 6-month follow-up", "10 years ago", "a 6-week history of", "in March
   2015", "7-11-2001", "at the age of 20", "at this time"), reads their amount in days from
   the ``numbers`` and ``units`` tables, and ties each to the Date/Duration/Time mention it
   overlaps. A numeric date is read day first or month first as the document's dates with a
   field above 12 say ("13-11-2001": day first); where none says, an ambiguous one is not
   guessed. Date, Duration and Time mentions no rule reads, and such dates, are kept as
   ``unnormalised`` expressions.
2. **Cuts each sentence into segments** at time expressions and at connectives: ``after``
   ("then", "following which", "subsequently": what follows is later), ``earlier`` ("after",
   "following" inside a sentence: what follows happened just before; at the start of a
   sentence it reads as ``after``) and ``history`` ("previously", "history of", "for a new
   diagnosis of": what follows predates the presentation). "History of" and "a 6-week history
   of" date only the phrase they govern: it ends where a new clause starts ("A man with a
   history of angina *was admitted* with …") or at the next time cue, and what follows is
   told in the narrative's time.
3. **Places each segment** on a clock counted in days from the *anchor*, the presentation:
   the first segment with an anchor cue ("presented", "was admitted", "on admission"), else
   the first segment with an event. Segments are read in text order, the narrative default: a
   sentence that tells an event of ``advance_types`` (a treatment, a drug, an outcome, an
   admission) is a little later than the one before, while one that tells only findings and
   test results continues the time point before it, as MACCROBAT annotates a presentation's
   work-up. An amount counts from what the rule says (``relative_to``): the event told just
   before ("two days later"), the event or time the following words name ("three days after
   the biopsy", "5 days after admission"), or one of the case's clocks, whose first day is
   placed on the anchor's axis when the text places it: the admission (hospital days, "on
   admission"), the latest operation (postoperative days), the onset of the present illness
   (days of illness, when one "history of" duration dates it).
   A sentence with no time of its own right after a dated past told after the anchor ("Five
   years ago, she was diagnosed with breast cancer. She underwent mastectomy.") goes on telling
   that past, on or after its day, when it tells a treatment (``story_types``), no admission
   or visit, and does not open with a test ("Examination revealed …").
   A day of a clock the text does not name ("on day 3"), or of one it does not place, orders
   its segment but fixes no day. Dated expressions set the clock; ``before``/``age``
   expressions place a segment before what they count from without moving the clock;
   ``history`` places it just before the anchor. Text before the anchor and sections of the
   past history count as history; introduction, discussion and family history sections, and
   sentences after the anchor that speak of the report itself ("Here, we report"), are not
   placed.

Each segment's day is **exact** only while the text fixes it: the anchor, an expression counted
from an exact day, a ``same`` expression ("at this time"). A new sentence without a time
expression, a connective ("then", "eventually", "Following the procedure"), a vague amount ("a
few days later", "within 2 days") and follow-up make it a **lower bound**: the segment is on or
after that day. An amount counted from a lower bound is a lower bound; one counted from a time
the text does not place fixes nothing, and the narrative's lower bound carries on. What a
*sequel* connective introduces ("Following the procedure, …", "following which") is on or after
the day before it, and the next amount ("Two days later") still counts from that day.

Events (mentions of ``event_types``, except negated, family and hypothetical ones, those
whose words name no clinical concept, such as a person or a place, and words that only tell
that something was seen, said or named, ``reporting_phrases``: "noted", "acknowledged",
"referred to as") are ordered
by their segment's place; events of one segment share an ``order`` (they are told as
simultaneous) unless a relation orders them (a cause before its effect, a finding before its
treatment, a treatment before its outcome). ``offset_days`` is the segment's day when exact,
``min_offset_days`` when it is a lower bound; undated history has neither.

A present finding (``past_types``) whose day the text fixes ``distant_past_days`` or more
before the anchor belongs to the past history and is asserted historical: the bacterial
endocarditis found "during the surgical procedure" of "46 years earlier" is no diagnosis of
today's presentation. A finding told without a day of its own keeps its assertion, and so does
a complaint (``ongoing_types``) that a duration of the present illness dates ("a 4-year history
of dyspnea", "cough for the past 5 years"), or a finding of any type the presentation presents
with its duration ("presented with a 16-year history of psoriasis"): it began then and is still
present.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casebook.kb.base import normalize_tokens
from casebook.kb.nonclinical import default_non_clinical
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
from casebook.nlp.concepts import default_concepts
from casebook.nlp.lookalikes import lookalike_words, mention_words
from casebook.nlp.patient import DemographicsRules, relative_phrases, relatives_told_of
from casebook.nlp.patterns import WORD_START, PatternSet, phrase_alternation
from casebook.nlp.spans import SpanIndex
from casebook.resources import load_rules

_FINDINGS = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
"""The types a look-alike verb names (``casebook.nlp.lookalikes``)."""

STEP = 1e-6
"""Clock advance, in days, of a new segment that states no time: order without duration."""

YEAR = 365.25

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


SPLITTING = frozenset({TimeKind.AFTER, TimeKind.BEFORE, TimeKind.HISTORY, TimeKind.AGE})
"""Expression kinds that start a new part of their sentence ("…, and two days later …", "asthma
since the age of 33 and …"); the others ("on admission", "in March 2015") tell the time of the
part they are in."""

STORY_KINDS = frozenset({TimeKind.DATE, TimeKind.BEFORE, TimeKind.AGE})
"""Expression kinds that take the narrative back to a dated past ("in 2010", "five years ago",
"at the age of 40"), which the sentences after it may go on telling (``story_types``)."""


class RelativeTo(StrEnum):
    """What an expression's amount or day number counts from."""

    CLOCK = "clock"
    """The time of the event told just before ("two days later")."""
    REFERENT = "referent"
    """The event or time the words after the expression name ("three days after the biopsy",
    "5 days after admission"); the clock when they name nothing."""
    ANCHOR = "anchor"
    ADMISSION = "admission"
    OPERATION = "operation"
    """The latest operation told before the expression."""
    ONSET = "onset"
    """The onset of the present illness."""
    UNSTATED = "unstated"
    """A day of a clock the text does not name ("on day 3"): it orders, it fixes no day."""


ORIGINS = frozenset(
    {
        RelativeTo.ANCHOR,
        RelativeTo.ADMISSION,
        RelativeTo.OPERATION,
        RelativeTo.ONSET,
    }
)
"""The case's clocks: times a day number or a named referent ("after surgery") counts from."""


PHRASE_DESCRIPTION = (
    "The words date only the phrase they govern ('a history of *angina*', 'for a new diagnosis "
    "of *lymphoma*'), not the rest of the sentence: the phrase ends at a word of "
    "``phrase_ends`` or an anchor cue ('…, *was admitted*') or at the next time cue; what "
    "follows is told in the narrative's time."
)

_PLACEHOLDERS = ("{n}", "{unit}", "{month}", "{year}", "{day}", "{ordinal}", "{first}", "{second}")


class ExpressionRule(BaseModel):
    """One time expression pattern, a regex with placeholders.

    ``{n}`` is a number (digits or a word of ``numbers``), ``{unit}`` a unit of ``units``,
    ``{month}``, ``{day}``, ``{year}`` and ``{ordinal}`` parts of dates and days, ``{first}``
    and ``{second}`` the day and month of a numeric date ("7-11-2001") in the order the
    document uses (``day_first``). The amount is ``n`` times the unit (a unit alone counts
    once), or ``days`` when given.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TimeKind
    pattern: str = Field(min_length=1)
    days: float | None = Field(
        default=None,
        description="A fixed amount in days; for an age, the age in days ('at birth': 0).",
    )
    relative_to: RelativeTo = Field(
        default=RelativeTo.CLOCK,
        description="What the amount (after, before, follow_up) or the day number (day, anchor) "
        "counts from.",
    )
    first_day: int = Field(
        default=0,
        ge=0,
        le=1,
        description="The number of the clock's own first day: 1 for hospital and illness days "
        "(the admission is hospital day 1), 0 for postoperative days.",
    )
    precise: bool = Field(
        default=True,
        description="False when the words bound the time without fixing it ('within 2 days', "
        "'after admission'): what they introduce is on or after the time they count from.",
    )
    onset: bool = Field(
        default=False,
        description="A duration of the present illness before the anchor ('a 6-week history "
        "of'): it dates the onset that days of illness count from.",
    )
    phrase: bool = Field(default=False, description=PHRASE_DESCRIPTION)
    presented_only: bool = Field(
        default=False,
        description="A bare duration ('for three months') that dates the onset only where it "
        "closes the findings a presentation presents ('presented with vaginal spotting and "
        "discharge for three months'); told elsewhere it says how long something lasted ('was "
        "treated with ceftriaxone for 7 days', 'developed fever for 3 days') and dates nothing.",
    )

    @model_validator(mode="after")
    def _compiles(self) -> Self:
        if self.kind in (TimeKind.EARLIER, TimeKind.UNNORMALISED):
            raise ValueError(f"{self.kind.value} is not an expression kind")
        counted = {TimeKind.AFTER, TimeKind.BEFORE, TimeKind.FOLLOW_UP, TimeKind.SAME}
        if self.relative_to is RelativeTo.UNSTATED and self.kind is not TimeKind.DAY:
            raise ValueError("only a day can count on an unstated clock")
        if self.relative_to is RelativeTo.REFERENT and self.kind not in counted:
            raise ValueError(f"a {self.kind.value} expression names no referent")
        if self.kind in (TimeKind.DAY, TimeKind.ANCHOR) and self.relative_to not in (
            ORIGINS | {RelativeTo.UNSTATED}
        ):
            raise ValueError(f"a {self.kind.value} counts on a clock, not {self.relative_to}")
        if self.onset and (self.kind, self.relative_to) != (TimeKind.BEFORE, RelativeTo.ANCHOR):
            raise ValueError("only a duration before the anchor dates the onset")
        if self.presented_only and not self.onset:
            raise ValueError("only a duration dating the onset may need a presentation")
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
    sequel: bool = Field(
        default=False,
        description="Where it reads as 'after', what follows is told as the sequel of what "
        "precedes ('following which', 'Following the procedure, …'): it is on or after that "
        "day, and amounts told next ('two days later') still count from that day. Otherwise "
        "('then', 'eventually') the gap is unstated and what comes next counts from a lower "
        "bound.",
    )
    phrase: bool = Field(default=False, description=PHRASE_DESCRIPTION)
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
    referents: dict[str, RelativeTo] = Field(
        description="Words after 'N days after' that name a clock when no event told before "
        "is named ('admission': admission, 'surgery': operation)."
    )
    connectives: list[ConnectiveRule]
    not_connectives: list[str] = Field(
        default_factory=list, description="Phrases in which a connective word is not one."
    )
    anchor_cues: list[str] = Field(description="Words that tell the presentation.")
    phrase_ends: list[str] = Field(
        description="Words that start a new clause and so end the phrase a ``phrase`` cue "
        "governs: verbs of a main clause ('was', 'underwent'), 'who' and ';', besides the "
        "anchor cues."
    )
    comma_phrase_ends: list[str] = Field(
        description="Conjunctions that start a new clause, and so end a governed phrase, "
        "after a comma ('a history of migraine*, but* has not …', 'a history of asthma*, and "
        "she* started …'); without one they join words of the phrase ('gradual but "
        "progressive swelling')."
    )
    phrase_continues: list[str] = Field(
        description="Relative pronouns: a verb right after one belongs to the governed "
        "phrase's own clause ('a history of angina *which was* treated with …')."
    )
    admission_cues: list[str] = Field(
        description="Words that tell the admission hospital days count from ('was admitted')."
    )
    birth_cues: list[str] = Field(
        description="Words that tell a birth. Right before a date they make it a birth date "
        "('born in 1973'), which dates no event of the case; as the event of a patient a year "
        "old or more ('a 66-year-old man, born in Beijing, was admitted') they are not placed "
        "unless an age expression dates them ('he was born'): the birth is no time of the "
        "presentation's."
    )
    telling_words: list[str] = Field(
        default_factory=list,
        description="Words by which a relative tells what they said or saw of the patient "
        "('her mother noticed that she …', 'his father recalled he …'): a 'she' or 'he' "
        "after them is the patient, not the relative.",
    )
    report_cues: list[str] = Field(
        description="Words of a sentence about the report itself ('we report', 'in "
        "conclusion'); after the anchor its events retell the case and are not placed."
    )
    reporting_phrases: list[str] = Field(
        description="Words that tell that something was seen, said or named, not that it "
        "happened ('noted', 'acknowledged', 'referred to as'): an event mention inside one is "
        "no event of the patient's, and an anchor cue that begins one tells no presentation."
    )
    not_reporting_phrases: list[str] = Field(
        description="Longer words in which a reporting phrase tells an event ('*reported to* "
        "the emergency department': she came there)."
    )
    department_words: list[str] = Field(
        default=[],
        description="Words that, followed by 'of (the)', name what a department is named after "
        "('the clinic of the *infectious diseases*'): the mention after them is a service, no "
        "event.",
    )
    event_types: list[EntityType] = Field(min_length=1)
    time_types: list[EntityType]
    operation_types: list[EntityType] = Field(
        description="Events postoperative days count from: the latest one told."
    )
    unplaced_assertions: list[Assertion]
    history_sections: list[str]
    follow_up_sections: list[str]
    unplaced_sections: list[str]
    advance_types: list[EntityType] = Field(
        description="A sentence telling an event of these types is later than the one before "
        "even without a time cue; one telling only others (findings, results) continues it."
    )
    story_types: list[EntityType] = Field(
        default_factory=list,
        description="A sentence with no time of its own right after a dated past told after "
        "the presentation ('Five years ago, she was diagnosed with breast cancer') goes on "
        "telling that past when it tells an event of these types ('She underwent "
        "mastectomy'), and none of ``story_ending_types``.",
    )
    story_ending_types: list[EntityType] = Field(
        default_factory=list,
        description="Events that bring such a sentence back to the narrative's time, or leave "
        "it unsaid ('she was admitted', 'on examination').",
    )
    work_up_types: list[EntityType] = Field(
        default_factory=list,
        description="Events that, opening such a sentence, tell the presentation's work-up "
        "('Examination revealed that the patient was able to ambulate with a cane').",
    )
    distant_past_days: float = Field(
        gt=0,
        description="A finding the text dates this many days or more before the presentation "
        "belongs to the past history ('46 years earlier', and 'during the procedure' of that "
        "day: a bacterial endocarditis): it is asserted historical.",
    )
    past_types: list[EntityType] = Field(
        description="Finding types a distant past makes historical.",
    )
    ongoing_types: list[EntityType] = Field(
        description="Finding types that a duration of the present illness dates ('a 4-year "
        "history of dyspnea', 'cough for the past 5 years') as still going on at the "
        "presentation: the complaint began then and is present, however long ago; a disorder "
        "so dated ('a 10-year history of hypertension') is a past-history item.",
    )
    observation_words: list[str] = Field(
        default_factory=list,
        description="Words of a sentence that tells what was seen or found ('showed', "
        "'consistent with', 'developed'): a long-standing finding it tells is told on its day.",
    )
    long_standing: list[str] = Field(
        default_factory=list,
        description="Words right before a complaint (of ``ongoing_types``) that say it began "
        "long before ('longstanding back pain', 'chronic cough'): told after the presentation "
        "with no day of its own, it is past history, not on or after the narrative's day.",
    )

    @model_validator(mode="after")
    def _months_in_range(self) -> Self:
        for name, number in self.months.items():
            if not 1 <= number <= 12:
                raise ValueError(f"month {name!r} is {number}, not 1–12")
        for word, origin in self.referents.items():
            if origin not in ORIGINS:
                raise ValueError(f"referent {word!r} names {origin.value}, not one of the clocks")
        return self


@dataclass(frozen=True, slots=True)
class _Cue:
    """A time expression or connective, with what it says."""

    start: int
    end: int
    kind: TimeKind
    amount: float | None = None
    relative_to: RelativeTo = RelativeTo.CLOCK
    first_day: int = 0
    precise: bool = True
    onset: bool = False
    phrase: bool = False
    presented_only: bool = False
    sequel: bool = False
    when: date | None = None
    year_only: bool = False
    """The date names a year only ("in 1998"): ``when`` is its first day."""
    expression: int | None = None  # index into the found time expressions
    splits: bool = True


@dataclass(frozen=True, slots=True)
class _Day:
    """A day on the anchor's axis: exactly ``value``, or, not ``exact``, on or after it."""

    value: float
    exact: bool = True

    def plus(self, days: float) -> _Day:
        return _Day(self.value + days, self.exact)

    def loose(self) -> _Day:
        return _Day(self.value, exact=False)


_Place = tuple[float, _Day | None]
"""Where something sits: its clock place (the sort key) and its day, if the text gives one."""


@dataclass(frozen=True, slots=True)
class _Mark:
    """A time an amount counts from: its clock place, its day and, for a told event, its tick."""

    sort: float
    day: _Day
    tick: int | None = None


@dataclass(slots=True)
class _Segment:
    start: int
    end: int
    sentence: int
    section: str
    cue: _Cue | None = None
    events: list[Mention] = field(default_factory=list)
    report: bool = False
    sort: float = 0.0
    tick: int = 0
    days: _Day | None = None
    presented: bool = False
    """Its words are what a presentation told before them in the sentence presents
    ("presented with *a 4-year history of dyspnea*", "presenting with *a nose swelling for
    the past 5 years*")."""


@dataclass(slots=True)
class _Walk:
    """Placing one case's segments in text order: where the narrative is, what it has told."""

    text: str
    anchor_date: date | None
    anchor_year_only: bool = False
    age_shift: float = 0.0
    """How far the anchor lies from the patient's age now, in days, when its sentence tells an
    age ("diagnosed at age 3"): ages count from the anchor's age."""
    clock: float = 0.0
    day: _Day = field(default_factory=lambda: _Day(0.0))
    last_date: date | None = None
    flashback: _Mark | None = None
    """The dated past the narrative has just gone back to ("a history of seawater contact in
    August 2015"), which "after a couple of days" in the sentences right after counts from."""
    story: _Mark | None = None
    """The dated past the narrative went back to after the presentation ("Five years ago, she
    was diagnosed with breast cancer"), as far as the sentences after it have told it."""
    origins: dict[RelativeTo, _Mark] = field(default_factory=dict)
    days_start_after: bool = False
    """The report numbers days ("On day 3") only after the presentation and never those of
    the illness: a day of no stated clock is of one started on or after the presentation."""
    told: list[_Segment] = field(default_factory=list)
    repeats: list[_Segment] = field(default_factory=list)
    by_words: dict[tuple[EntityType, str], list[tuple[int, int]]] = field(default_factory=dict)
    """``(type, stemmed words)`` of each event told in a placed segment → ``(the segment's
    place in told, the event's start)``, in the order told."""
    by_head: dict[tuple[EntityType, str], list[tuple[int, int]]] = field(default_factory=dict)
    """The same by stemmed head (last) word."""

    def __post_init__(self) -> None:
        self.last_date = self.anchor_date

    def tell(self, segment: _Segment) -> None:
        """Add a placed segment to what the walk has told."""
        number = len(self.told)
        self.told.append(segment)
        if segment.days is None:
            return
        for mention in segment.events:
            words, head = _stems(mention.text)
            self.by_words.setdefault((mention.type, words), []).append((number, mention.start))
            self.by_head.setdefault((mention.type, head), []).append((number, mention.start))


class TemporalOrderer:
    """Finds time expressions and places every event mention on the case's timeline.

    Args:
        rules: A packaged rule file name or a path to one's own rule file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    name = "temporal"
    requires: frozenset[str] = frozenset({"text", "sections", "sentences", "mentions"})
    assigns: frozenset[str] = frozenset({"timeline", "times", "mentions.assertion"})

    def __init__(self, rules: str | Path = "temporal.json") -> None:
        self.rules = load_rules(rules, TemporalRules)
        self._expressions = PatternSet([self._expand(r.pattern) for r in self.rules.expressions])
        self._connectives = PatternSet([_phrases(r.phrases) for r in self.rules.connectives])
        self._not_connectives = re.compile(
            WORD_START + _phrases(self.rules.not_connectives), re.IGNORECASE
        )
        self._anchor = re.compile(WORD_START + _phrases(self.rules.anchor_cues), re.IGNORECASE)
        self._admission = re.compile(
            WORD_START + _phrases(self.rules.admission_cues), re.IGNORECASE
        )
        self._report = re.compile(WORD_START + _phrases(self.rules.report_cues), re.IGNORECASE)
        self._reporting = re.compile(
            WORD_START + _phrases(self.rules.reporting_phrases), re.IGNORECASE
        )
        self._not_reporting = re.compile(
            WORD_START + _phrases(self.rules.not_reporting_phrases), re.IGNORECASE
        )
        self._department = re.compile(
            rf"{WORD_START}(?:{_phrases(self.rules.department_words)})\.?\s+of\s+(?:the\s+)?$",
            re.IGNORECASE,
        )
        self._phrase_end = re.compile(
            rf"{WORD_START}(?:{_phrases(self.rules.phrase_ends + self.rules.anchor_cues)})"
            rf"|,\s*(?:{_phrases(self.rules.comma_phrase_ends)})",
            re.IGNORECASE,
        )
        self._phrase_continues = re.compile(
            WORD_START + rf"(?:{_phrases(self.rules.phrase_continues)})\s+$", re.IGNORECASE
        )
        self._birth = re.compile(
            WORD_START + rf"(?:{_phrases(self.rules.birth_cues)})\s+$", re.IGNORECASE
        )
        self._telling = re.compile(WORD_START + _phrases(self.rules.telling_words), re.IGNORECASE)
        self._birth_words = frozenset(cue.lower() for cue in self.rules.birth_cues)
        self._operations = frozenset(self.rules.operation_types)
        self._events = frozenset(self.rules.event_types)
        self._concepts = default_concepts()
        self._places = default_non_clinical()
        demographics = load_rules("demographics.json", DemographicsRules)
        self._relatives = relative_phrases(demographics)
        self._relatives_told_of = relatives_told_of(demographics)
        self._sexed = {
            "she": re.compile(WORD_START + _phrases(demographics.female_relatives), re.IGNORECASE),
            "he": re.compile(WORD_START + _phrases(demographics.male_relatives), re.IGNORECASE),
        }
        self._time_types = frozenset(self.rules.time_types)
        self._past_types = frozenset(self.rules.past_types)
        self._ongoing_types = frozenset(self.rules.ongoing_types)
        # "chronic cough", "longstanding severe low back pain": the word opens the complaint's
        # words, or comes at most two words before them.
        long_standing = _phrases(self.rules.long_standing)
        self._long_standing = re.compile(rf"(?:{long_standing})\b", re.IGNORECASE)
        self._long_standing_before = re.compile(
            WORD_START + rf"(?:{long_standing})(?:[\s-]+[\w-]+){{0,2}}\s+$", re.IGNORECASE
        )
        self._observed = re.compile(
            WORD_START + rf"(?:{_phrases(self.rules.observation_words)})\b", re.IGNORECASE
        )
        self._unplaced_assertions = frozenset(self.rules.unplaced_assertions)
        self._advance = frozenset(self.rules.advance_types)
        self._story_types = frozenset(self.rules.story_types)
        self._story_ending = frozenset(self.rules.story_ending_types)
        self._work_up = frozenset(self.rules.work_up_types)

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
            "{first}": r"(?P<first>[0-3]?\d)",
            "{second}": r"(?P<second>[0-3]?\d)",
        }
        for placeholder, regex in parts.items():
            pattern = pattern.replace(placeholder, regex)
        return rf"(?:{pattern})(?![\w-])"

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with ``times`` and ``timeline`` set (both replaced)."""
        cues, times = self._time_expressions(case)
        segments = self._segments(case, cues)
        if (case.patient.age_years or 0.0) >= 1:
            for segment in segments:
                if segment.cue is None or segment.cue.kind is not TimeKind.AGE:
                    segment.events = [
                        m for m in segment.events if m.text.lower() not in self._birth_words
                    ]
        # A bare duration that closes no presentation's findings says how long, not when
        # (``ExpressionRule.presented_only``): it is told as no rule reads it.
        used = {s.cue.expression for s in segments if s.cue is not None}
        for unused in cues:
            at = unused.expression
            if unused.presented_only and at is not None and at not in used:
                times[at] = times[at].model_copy(update={"kind": TimeKind.UNNORMALISED.value})
        anchor = self._anchor_index(case.text, segments)
        # After the anchor, a sentence about the report itself retells the case: not placed.
        kept = [
            s
            for i, s in enumerate(segments)
            if not (s.report and i > anchor and s.sentence != segments[anchor].sentence)
        ]
        anchor = next((i for i, s in enumerate(kept) if s is segments[anchor]), 0)
        repeats = self._place(case.text, kept, anchor)
        repeats += self._long_told(case.text, kept)
        timeline = self._order(kept + repeats, case.relations)
        for cue_segment in kept:
            cue = cue_segment.cue
            if cue is not None and cue.expression is not None:
                exact, bound = _offsets(cue_segment.days)
                times[cue.expression] = times[cue.expression].model_copy(
                    update={"offset_days": exact, "min_offset_days": bound}
                )
        # A complaint dated by how long the present illness has lasted began that long ago
        # and goes on: it sits at its onset but is no past-history item.
        ongoing = {
            m.id
            for s in kept
            if s.cue is not None and s.cue.onset
            for m in s.events
            if s.presented or m.type in self._ongoing_types
        }
        past = self._distant_past(timeline) - ongoing
        mentions = [
            m.model_copy(update={"assertion": Assertion.HISTORICAL})
            if m.id in past and m.type in self._past_types and m.assertion is Assertion.PRESENT
            else m
            for m in case.mentions
        ]
        return case.model_copy(update={"timeline": timeline, "times": times, "mentions": mentions})

    def _long_told(self, text: str, segments: Sequence[_Segment]) -> list[_Segment]:
        """Move each complaint told as long-standing ("She also had chronic back pain") out of
        a segment the narrative placed only on or after a day since the presentation, to the
        undated past history: it began before the presentation. A sentence that tells a test
        tells what the test found, on its day."""
        # A finding a test shows ("Biopsy showed chronic inflammation") is seen the day of the
        # test, however long it has been there.
        tested = {s.sentence for s in segments if any(m.type in self._work_up for m in s.events)}
        spans: dict[int, tuple[int, int]] = {}
        for s in segments:
            first, last = spans.get(s.sentence, (s.start, s.end))
            spans[s.sentence] = (min(first, s.start), max(last, s.end))
        tested |= {n for n, (a, b) in spans.items() if self._observed.search(text, a, b)}
        moved: list[_Segment] = []
        for segment in segments:
            if (
                segment.days is None
                or segment.days.exact
                or segment.days.value < 0
                or segment.sentence in tested
            ):
                continue
            for mention in list(segment.events):
                if mention.type not in self._ongoing_types:
                    continue
                before = text[max(segment.start, mention.start - 60) : mention.start]
                if not (
                    self._long_standing.match(text, mention.start, mention.end)
                    or self._long_standing_before.search(before)
                ):
                    continue
                segment.events.remove(mention)
                moved.append(replace(segment, events=[mention], sort=HISTORY, days=None))
        return moved

    def _distant_past(self, timeline: Sequence[TimelineEvent]) -> set[str]:
        """The mentions of the events the text dates ``distant_past_days`` or more before the
        anchor. An undated event is left as it is: a finding told after an old operation
        without a time of its own ("She developed back pain. She presented …") is more often
        the present illness than the operation's."""
        return {
            event.mention
            for event in timeline
            if event.offset_days is not None and event.offset_days <= -self.rules.distant_past_days
        }

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
        first_is_day = day_first(m for _, _, _, m in found)
        cues: list[_Cue] = []
        times: list[TimeExpression] = []
        taken_end = -1
        sentences = sorted(case.sentences, key=lambda s: s.start) or [Span(start=0, end=len(text))]
        sentence_starts = [s.start for s in sentences]
        time_mentions = [m for m in case.mentions if m.type in self._time_types]
        time_index = SpanIndex((m.start, m.end, m) for m in time_mentions)
        linked: set[str] = set()
        for start, negative_end, rule, match in found:
            end = -negative_end
            if start < taken_end:
                continue
            if rule.kind is TimeKind.DATE and self._birth.search(text, max(0, start - 20), start):
                continue  # "born in 1973" dates no event of the case
            taken_end = end
            amount, when = self._amount(rule, match, case.patient.age_years, first_is_day)
            sentence = sentences[max(0, bisect_right(sentence_starts, start) - 1)]
            if rule.kind is TimeKind.AGE and self._relatives_age(text, sentence, start, end):
                amount = None
            mention = time_index.first_overlapping(start, end)
            if mention is not None:
                linked.add(mention.id)
            # A date the text leaves open ("7-11-2001" where nothing says which is the day)
            # is kept, unnormalised, rather than guessed.
            unread = rule.kind is TimeKind.DATE and when is None
            times.append(
                TimeExpression(
                    start=start,
                    end=end,
                    text=text[start:end],
                    kind=TimeKind.UNNORMALISED.value if unread else rule.kind.value,
                    mention=mention.id if mention else None,
                )
            )
            if unread:
                continue
            cues.append(
                _Cue(
                    start=start,
                    end=end,
                    kind=rule.kind,
                    amount=amount,
                    relative_to=rule.relative_to,
                    first_day=rule.first_day,
                    precise=rule.precise,
                    onset=rule.onset,
                    phrase=rule.phrase,
                    presented_only=rule.presented_only,
                    when=when,
                    year_only=rule.kind is TimeKind.DATE
                    and not {k for k, v in match.groupdict().items() if v} & _DATE_BELOW_YEAR,
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

    def _relatives_age(self, text: str, sentence: Span, start: int, end: int) -> bool:
        """Whether the age at ``start:end`` is a relative's, not the patient's: a relative is
        the last person its clause names before it ("her infant was admitted at the age of 10
        days", "a brother who had a stroke at the age of 21") or the subject right after it
        when it opens the sentence ("At the age of 3 months, her infant …"). An age told after
        the patient is named again ("her mother noticed that she …") or that names its own
        subject ("when she was 3") is the patient's, unless that "she" or "he" can stand for
        the relative and no ``telling_words`` tell what the relative said of the patient ("his
        grandfather died of gastric cancer when he was 60")."""
        clause = max(sentence.start, text.rfind(";", sentence.start, start) + 1)
        named = [
            (match.end(), match.group())
            for regex in (self._relatives, self._relatives_told_of)
            for match in regex.finditer(text, clause, start)
        ]
        if named:
            after, relative = max(named)
            pronoun = _PATIENT.search(text, after, end)
            if pronoun is None:
                return True
            sexed = self._sexed.get(pronoun.group().lower())
            return (
                sexed is not None
                and sexed.search(relative) is not None
                and self._telling.search(text, after, pronoun.start()) is None
            )
        if _PATIENT.search(text, start, end):
            return False
        if text[sentence.start : start].strip():
            return False
        subject = _FRONTED_AGE_ENDS.match(text, end)
        return subject is not None and self._relatives.match(text, subject.end()) is not None

    def _amount(
        self,
        rule: ExpressionRule,
        match: re.Match[str],
        age_now: float | None,
        first_is_day: bool | None,
    ) -> tuple[float | None, date | None]:
        """The expression's amount in days and, for a date, the day it names."""
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        if rule.kind is TimeKind.DATE:
            return None, self._date(groups, first_is_day)
        if rule.days is not None:
            if rule.kind is TimeKind.AGE:
                return _days_back_to_age(rule.days / YEAR, age_now), None
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
            years = value * unit / 365.25 if "unit" in groups else value
            return _days_back_to_age(years, age_now), None
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

    def _date(self, groups: dict[str, str], first_is_day: bool | None) -> date | None:
        """The day a date names; ``None`` when it names none or its fields could be read
        either way and the document does not say which ("7-11-2001")."""
        try:
            year = int(groups["year"])
            if "first" in groups:
                first, second = int(groups["first"]), int(groups["second"])
                order = numeric_order(first, second)
                if order is None and first != second:  # the same number reads one way
                    order = first_is_day
                    if order is None:
                        return None
                return date(year, second, first) if order else date(year, first, second)
            if "mm" in groups:
                month = int(groups["mm"])
            else:
                month = self.rules.months.get(groups.get("month", "").lower().rstrip("."), 1)
            return date(year, month, int(groups.get("day", "1")))
        except (KeyError, ValueError):
            return None

    # 2. segments ---------------------------------------------------------------------------

    def _connective_cues(
        self,
        text: str,
        sentence: Span,
        taken: Sequence[tuple[int, int]],
        held: Sequence[tuple[int, int]] = (),
    ) -> list[_Cue]:
        """The connectives of a sentence that no ``not_connectives`` phrase and no ``taken``
        span overlaps, and that overlap no ``held`` span but by running past its end."""
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
                if any(
                    s < match.end()
                    and match.start() < e
                    and not s <= match.start() < e < match.end()
                    for s, e in held
                ):
                    continue
                initial = match.start() == sentence.start + lead
                kind = rule.initial_kind if initial and rule.initial_kind else rule.kind
                sequel = rule.sequel and kind is TimeKind.AFTER
                cues.append(
                    _Cue(
                        start=match.start(),
                        end=match.end(),
                        kind=kind,
                        sequel=sequel,
                        # "CT after biopsy and drainage revealed a tumor": what "after" dates
                        # inside a sentence is its phrase; the tumor is the CT's.
                        phrase=rule.phrase or kind is TimeKind.EARLIER,
                    )
                )
                if initial and rule.initial_kind:
                    # "Following discharge, she was followed up": what the comma ends came
                    # first, what follows it is later still.
                    comma = text.find(",", match.end(), sentence.end)
                    # A comma that ends the sentence (a cut-off query) leaves nothing after it.
                    if 0 <= comma < sentence.end - 1:
                        cues.append(
                            _Cue(
                                start=comma + 1,
                                end=comma + 1,
                                kind=TimeKind.AFTER,
                                sequel=sequel,
                            )
                        )
        return cues

    def _segments(self, case: Case, cues: Sequence[_Cue]) -> list[_Segment]:
        """The sentences of placed sections, cut at cues, with their event mentions."""
        sections = sorted(case.sections, key=lambda s: s.start)
        section_starts = [s.start for s in sections]
        events = sorted(
            (
                m
                for m in case.mentions
                if m.type in self._events
                and m.assertion not in self._unplaced_assertions
                # A person, place or organisation the mention model typed as a finding or a
                # procedure ("anaesthetic colleagues") is no event of the patient's; a clinical
                # event may name its place ("left hospital").
                and (
                    m.type is EntityType.CLINICAL_EVENT
                    or not self._concepts.is_who_or_where(self._concepts.words(m))
                )
                # "The patient acknowledged …", "referred to as enlarged lymph nodes": words
                # that something was told or named are no event.
                and not self._is_reporting(case.text, m.start, m.end)
                # "the clinic of the infectious diseases": a department, no event.
                and self._department.search(case.text, max(0, m.start - 40), m.start) is None
                and not self._in_makers_aside(case.text, m)
            ),
            key=lambda m: m.start,
        )
        # What the case only looked like ("mimicking a residual cyst") happened nowhere in it.
        lookalikes = lookalike_words(case, _FINDINGS)
        if lookalikes:
            events = [m for m in events if mention_words(m) not in lookalikes]
        event_starts = [m.start for m in events]
        ordered_cues = sorted(cues, key=lambda c: c.start)
        cue_starts = [c.start for c in ordered_cues]
        # Mentions block connectives; only those reaching into a sentence can block there. A
        # History mention that a connective starts inside and runs past names the past history
        # itself ("*past medical history* of"): it blocks no connective that way ("the *history
        # of* drug intake" it holds whole, "had *previously* been well" it starts inside).
        bounds = sorted((m.start, m.end) for m in case.mentions if m.type is not EntityType.HISTORY)
        histories = sorted((m.start, m.end) for m in case.mentions if m.type is EntityType.HISTORY)
        bound_starts = [start for start, _ in bounds]
        longest = max((end - start for start, end in bounds), default=0)
        segments: list[_Segment] = []
        for number, sentence in enumerate(sorted(case.sentences, key=lambda s: s.start)):
            index = bisect_right(section_starts, sentence.start) - 1
            kind = sections[index].kind if index >= 0 else "untitled"
            if kind in self.rules.unplaced_sections:
                continue
            told = events[
                bisect_left(event_starts, sentence.start) : bisect_left(event_starts, sentence.end)
            ]
            inside = [
                cue
                for cue in ordered_cues[
                    bisect_left(cue_starts, sentence.start) : bisect_left(cue_starts, sentence.end)
                ]
                if not cue.presented_only or self._dates_presented(case.text, sentence, cue, told)
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
            held = [(a, b) for a, b in histories if a < sentence.end and b > sentence.start]
            inside += self._connective_cues(case.text, sentence, taken, held)
            inside.sort(key=lambda c: c.start)
            cuts = [sentence.start] + [c.start for c in inside if c.splits]
            cuts += self._phrase_ends(case.text, sentence, inside)
            cuts = sorted(set(cuts)) + [sentence.end]
            report = self._report.search(case.text, sentence.start, sentence.end) is not None
            pieces = [
                _Segment(start=a, end=b, sentence=number, section=kind, report=report)
                for a, b in zip(cuts, cuts[1:], strict=False)
                if b > a
            ]
            # A time expression says more than a connective ("Following discharge on day 5").
            for cue in sorted(inside, key=lambda c: c.expression is None):
                piece = next(p for p in pieces if p.start <= cue.start < p.end)
                if piece.cue is None:
                    piece.cue = cue
            # The event a distance is counted from ("6 d prior to *admission*") lies inside
            # the expression and is not at that distance.
            reference = [
                (c.start, c.end)
                for c in inside
                if c.expression is not None and c.kind in (TimeKind.BEFORE, TimeKind.AFTER)
            ]
            for mention in told:
                if any(a <= mention.start and mention.end <= b for a, b in reference):
                    continue
                piece = next(p for p in reversed(pieces) if p.start <= mention.start)
                piece.events.append(mention)
            _lend_trailing_cues(case.text, pieces, self._past_types)
            segments += self._split_presentations(case.text, pieces)
        return segments

    def _dates_presented(
        self, text: str, sentence: Span, cue: _Cue, events: Sequence[Mention]
    ) -> bool:
        """Whether a ``presented_only`` cue closes the findings a presentation told before it
        in its ``sentence`` presents, with no other event between ("presented with vaginal
        spotting and discharge *for three months*"); ``events`` are the sentence's."""
        told = [
            m
            for m in self._anchor.finditer(text, sentence.start, cue.start)
            if _WITH.match(text, m.end())
        ]
        if not told:
            return False
        presented = [m for m in events if told[-1].end() <= m.start and m.end <= cue.start]
        return bool(presented) and all(m.type in self._past_types for m in presented)

    def _split_presentations(self, text: str, pieces: list[_Segment]) -> list[_Segment]:
        """``pieces`` with a presentation that a time told after it does not date split off:
        in "presenting with a neck swelling a year ago" the swelling is a year old, the
        presenting is not."""
        split: list[_Segment] = []
        for number, piece in enumerate(pieces):
            cue = piece.cue
            if cue is not None and cue.onset and number:
                before = pieces[number - 1]
                told = list(self._anchor.finditer(text, before.start, before.end))
                piece.presented = bool(told) and (
                    _PRESENTS.match(text, told[-1].end(), piece.start) is not None
                )
            # Only an amount counted back ("ago", "for the last 6 months", "3 days prior")
            # counts from the presentation: "presented with a rash two days later" or "when
            # she was 16" dates the presenting too.
            lent = (
                cue is not None
                and cue.start >= piece.end
                and (
                    cue.kind is TimeKind.BEFORE
                    or _COUNTED_BACK.search(text, cue.start, cue.end) is not None
                )
            )
            # How long the present illness has lasted ("over the past 4 months"), or a time
            # within the span before it ("in the past year"), never dates the presentation,
            # whatever it presents for.
            found = [
                m
                for m in self._anchor.finditer(text, piece.start, piece.end)
                if _WITH.match(text, m.end())
                or (cue is not None and (cue.onset or not cue.precise))
            ]
            if not lent and cue is not None and cue.onset and piece.start <= cue.start and number:
                # "A smoker for the past 20 years presented with hemoptysis": the duration
                # dates the words it follows, not the presentation told after them; one that
                # opens the sentence ("For the past 3 months, she presented with fevers")
                # dates it all.
                later = next(self._anchor.finditer(text, cue.end, piece.end), None)
                if later is not None:
                    cut = later.start()
                    split.append(
                        replace(piece, end=cut, events=[m for m in piece.events if m.start < cut])
                    )
                    split.append(
                        replace(
                            piece,
                            start=cut,
                            cue=None,
                            events=[m for m in piece.events if m.start >= cut],
                        )
                    )
                    continue
            if not lent or not found:
                split.append(piece)
                continue
            end = found[-1].end()
            split.append(
                replace(piece, end=end, cue=None, events=[m for m in piece.events if m.start < end])
            )
            split.append(
                replace(
                    piece,
                    start=end,
                    events=[m for m in piece.events if m.start >= end],
                    presented=True,
                )
            )
        return split

    def _phrase_ends(self, text: str, sentence: Span, cues: Sequence[_Cue]) -> list[int]:
        """Where the phrases that ``phrase`` cues govern end inside the sentence: at the next
        word of ``phrase_ends`` (a verb or conjunction starting a new clause) or at the next
        time cue, whichever comes first."""
        ends: list[int] = []
        for number, cue in enumerate(cues):
            if not cue.phrase:
                continue
            bound = next((c.start for c in cues[number + 1 :] if c.start >= cue.end), sentence.end)
            end = bound
            for match in self._phrase_end.finditer(text, cue.end, bound):
                if not self._phrase_continues.search(text, cue.end, match.start()):
                    end = match.start()
                    break
            if end < sentence.end:
                ends.append(end)
        return ends

    def _anchor_index(self, text: str, segments: Sequence[_Segment]) -> int:
        """The segment of the presentation: an anchor cue, else the first event outside history
        and outside a flashback (``_in_flashback``), else the first event outside history."""
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
            # "She presented with dysmenorrhea when she was 16" of a woman of 31 tells a
            # presentation of her past, not the one the report is about.
            told_young = cue is not None and cue.kind is TimeKind.AGE and (cue.amount or 0) <= -YEAR
            if not told_young and any(
                not self._is_reporting(text, match.start(), match.end())
                for match in self._anchor.finditer(text, segment.start, segment.end)
            ):
                return index
        flashback = _in_flashback(segments)
        for index in narrative:
            if segments[index].events and not flashback[index]:
                return index
        for index in narrative:
            if segments[index].events:
                return index
        return 0

    def _in_makers_aside(self, text: str, mention: Mention) -> bool:
        """Whether the mention lies in an aside naming who made a product and where, its last
        item a country ("blood agar (bioMérieux, Marcy l'Etoile, France)"): the mention model
        reads such names as events, but none is the patient's."""
        opening = text.rfind("(", max(0, mention.start - _ASIDE_REACH), mention.start)
        closing = text.find(")", mention.end, mention.end + _ASIDE_REACH)
        if opening < 0 or closing < 0 or ")" in text[opening : mention.start]:
            return False
        items = text[opening + 1 : closing].split(",")
        return len(items) >= 2 and self._places.is_place(normalize_tokens(items[-1]))

    def _is_reporting(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` lies within a reporting phrase that begins there and
        no longer phrase of ``not_reporting_phrases`` begins there too."""
        match = self._reporting.match(text, start)
        if match is None or match.end() < end:
            return False
        longer = self._not_reporting.match(text, start)
        return longer is None or longer.end() <= match.end()

    # 3. placing ------------------------------------------------------------------------------

    def _place(self, text: str, segments: Sequence[_Segment], anchor: int) -> list[_Segment]:
        """Set each segment's clock place (``sort``, ``tick``) and day (``days``).

        Returns the repeats: the mentions that name what an amount counts from ("a week after
        *the rash*"), each moved out of its segment into one of its own at the time it names.
        """
        anchor_dated = _anchor_dated(segments, anchor)
        walk = _Walk(
            text=text,
            anchor_date=anchor_dated.when if anchor_dated else None,
            anchor_year_only=anchor_dated is not None and anchor_dated.year_only,
            age_shift=_anchor_age(segments, anchor),
        )
        walk.origins[RelativeTo.ANCHOR] = _Mark(0.0, _Day(0.0))
        days = [(i, c) for i, s in enumerate(segments) if (c := s.cue) and c.kind is TimeKind.DAY]
        walk.days_start_after = all(
            i > anchor and c.relative_to is not RelativeTo.ONSET for i, c in days
        )
        onsets = {-c.amount for s in segments if (c := s.cue) and c.onset and c.amount}
        if len(onsets) == 1:  # two durations of illness: which one dates the onset is unsaid
            (onset,) = onsets
            walk.origins[RelativeTo.ONSET] = _Mark(onset, _Day(onset))
        tick = 0
        follow_up_started = False
        advancing = {s.sentence for s in segments if any(m.type in self._advance for m in s.events)}
        telling_past = self._telling_past(segments)
        in_story = False
        for index, segment in enumerate(segments):
            kind = segment.cue.kind if segment.cue is not None else None
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
                cue = segment.cue
                if (
                    cue is not None
                    and cue.kind is TimeKind.BEFORE
                    and cue.relative_to is RelativeTo.REFERENT
                ):
                    # "an infarction seven months prior to the start of CAPD": counted from
                    # the event named, when told, not from the presentation.
                    segment.sort, segment.days = self._before_place(walk, cue, segment)
                else:
                    segment.sort, segment.days = _history_place(segment.cue, walk)
            elif index == anchor:
                walk.clock, walk.day = 0.0, _Day(0.0)
                segment.sort, segment.days = walk.clock, walk.day
                walk.origins[RelativeTo.ANCHOR] = _Mark(0.0, _Day(0.0), tick)
                self._note_origins(walk, segment)
            else:
                goes_on = kind is None or _only_later(segment.cue)
                if new_sentence:
                    in_story = (
                        goes_on and walk.story is not None and segment.sentence in telling_past
                    )
                    if not in_story:
                        walk.story = None
                if new_sentence and not _counts_on(segment.cue):
                    walk.flashback = None
                if in_story and goes_on and walk.story is not None:
                    # "Five years ago, she was diagnosed with breast cancer. She underwent
                    # mastectomy.": a treatment told with no time of its own right after a
                    # dated past goes on telling that past, on or after its day; so does one
                    # told only as later ("Subsequently, she underwent mastectomy"), which
                    # says no more than that it followed what was told before.
                    story = walk.story
                    walk.story = _Mark(story.sort + (STEP if advance else 0.0), story.day.loose())
                    if new_sentence:
                        walk.day = walk.day.loose()  # the narrative's day, as the next cue finds it
                    segment.sort, segment.days = walk.story.sort, walk.story.day
                else:
                    if advance:
                        walk.clock += STEP
                    if kind is None and new_sentence:
                        walk.day = walk.day.loose()  # no time stated: on or after the last day
                    self._place_told(walk, segment, kind)
                    if (
                        kind in STORY_KINDS
                        and segment.days is not None
                        and segment.sort < walk.clock - STEP
                    ):
                        walk.story = _Mark(segment.sort, segment.days)
                self._note_origins(walk, segment)
            walk.tell(segment)
        return walk.repeats

    def _telling_past(self, segments: Sequence[_Segment]) -> set[int]:
        """The sentences that can go on telling a dated past told before them: they tell an
        event of ``story_types`` (a treatment, a drug), none of ``story_ending_types`` (an
        admission, a presentation, a visit), and do not open with one of ``work_up_types``
        ("Examination revealed …", "CT showed …": the presentation's work-up)."""
        told: dict[int, list[Mention]] = {}
        for segment in segments:
            told.setdefault(segment.sentence, []).extend(segment.events)
        found: set[int] = set()
        for sentence, events in told.items():
            types = {m.type for m in events}
            if not events or types.isdisjoint(self._story_types):
                continue
            first = min(events, key=lambda m: m.start)
            if types.isdisjoint(self._story_ending) and first.type not in self._work_up:
                found.add(sentence)
        return found

    def _place_told(self, walk: _Walk, segment: _Segment, kind: TimeKind | None) -> None:
        """Place a segment of the narrative after the anchor, moving the walk's clock and day
        unless the segment goes back in time."""
        cue = segment.cue
        amount = cue.amount if cue is not None else None
        if kind in (TimeKind.AFTER, TimeKind.FOLLOW_UP):
            back = _dated_before_in_sentence(walk, segment) if kind is TimeKind.AFTER else None
            if cue is not None and cue.relative_to is RelativeTo.CLOCK and back is not None:
                # "the exodontia 1 year ago, which after 4 months became …": the amount counts
                # from the time its sentence went back to, not from where the narrative is.
                place = back.sort + (amount or 0.0) + STEP
                if back.days is not None and place < walk.clock:
                    segment.sort, segment.days = place, _after(back.days, amount, cue, kind)
                    return
            if walk.flashback is not None and _counts_on(cue):
                # "… in August 2015. After a couple of days, the patient noticed …": counted
                # from the past just told, not from where the narrative had got to.
                past = walk.flashback
                place, later = (
                    past.sort + (amount or 0.0) + STEP,
                    _after(past.day, amount, cue, kind),
                )
                if place < walk.clock:
                    walk.flashback = _Mark(place, later)
                    segment.sort, segment.days = place, later
                    return
                walk.flashback = None
            if cue is None or cue.relative_to is RelativeTo.CLOCK:
                walk.clock += (amount or 0.0) + STEP
                if cue is not None and cue.sequel:
                    # "Following the procedure she complained of discharge. Two days later …":
                    # the discharge is on or after the procedure's day, and "two days later"
                    # counts from the procedure.
                    segment.sort, segment.days = walk.clock, walk.day.loose()
                    return
                walk.day = _after(walk.day, amount, cue, kind)
            else:
                mark = self._counted_from(walk, cue, segment)
                if mark is None:  # from a time the text does not place: no day
                    walk.clock += (amount or 0.0) + STEP
                    walk.day = walk.day.loose()
                    segment.sort, segment.days = walk.clock, None
                    return
                else:
                    place, later = (
                        mark.sort + (amount or 0.0) + STEP,
                        _after(mark.day, amount, cue, kind),
                    )
                    if place < walk.clock:  # "three days after the biopsy", told later
                        segment.sort, segment.days = place, later
                        return
                    walk.clock, walk.day = place, later
        elif kind in (TimeKind.DAY, TimeKind.ANCHOR) and cue is not None:
            if _names_day_zero(cue) and RelativeTo.UNSTATED not in walk.origins:
                # "day 0" is the day the narrative is on: the report counts its days from it.
                segment.sort, segment.days = walk.clock, walk.day
                return
            dated = _date_just_told(walk, segment)
            if (
                cue.relative_to is RelativeTo.UNSTATED
                and RelativeTo.UNSTATED not in walk.origins
                and dated is not None
                and dated.days is not None
            ):
                # "… cease sorafenib from Apr. 3rd, 2015. On the third day, the temperature
                # returned to normal": no clock named, the days count from the date just told,
                # its first day, not from the admission.
                since = (cue.amount or 1.0) - 1.0
                segment.sort, segment.days = dated.sort + since + STEP, dated.days.plus(since)
                if segment.sort >= walk.clock:
                    walk.clock, walk.day = segment.sort, segment.days
                return
            named, named_day = self._clock_day(walk, cue)
            if named < walk.clock and walk.day.value != named:  # back to an earlier day
                segment.sort, segment.days = named, named_day
                return
            on_that_day = walk.day.exact and walk.day.value == named
            if named < walk.clock and named_day is not None and not on_that_day:
                # The narrative's order is already past that day ("On admission" told after a
                # treatment): the order stays, the day becomes a lower bound, so that no exact
                # day is ordered after a later one.
                named_day = named_day.loose()
            if named_day is None and cue.relative_to is RelativeTo.UNSTATED and cue.amount:
                named_day = self._unstated_day(walk, cue.amount)
            walk.clock, walk.day = max(named, walk.clock), named_day or walk.day.loose()
        elif kind is TimeKind.DATE and cue is not None and cue.when is not None:
            offset = _days_from_anchor(cue, walk)
            if walk.anchor_date is not None and offset is None:
                segment.sort, segment.days = walk.clock, None  # in the anchor's year: unsaid when
                return
            if offset is not None:
                if offset < walk.clock:
                    segment.sort, segment.days = offset, _Day(offset)
                    walk.flashback = _Mark(offset, _Day(offset))
                    return
                walk.clock, walk.day = offset, _Day(offset)
            elif walk.last_date is not None and cue.when < walk.last_date:
                segment.sort, segment.days = walk.clock - STEP / 2, None
                return
            else:
                # Without the presentation's date, a date may lie before or after it: the
                # narrative goes on after it, but it fixes no day of its own.
                walk.clock += STEP
                walk.day = walk.day.loose()
                walk.last_date = cue.when
                segment.sort, segment.days = walk.clock, None
                return
        elif kind is TimeKind.BEFORE and cue is not None:
            segment.sort, segment.days = self._before_place(walk, cue, segment)
            return
        elif kind is TimeKind.AGE and cue is not None:
            aged = None if cue.amount is None else cue.amount - walk.age_shift
            if aged is None or abs(aged) < YEAR:  # within the year ages resolve: no day
                segment.sort, segment.days = walk.clock, None
                return
            if aged < walk.clock:
                segment.sort, segment.days = aged, _Day(aged)
                return
            walk.clock, walk.day = aged, _Day(aged)
        elif kind is TimeKind.SAME and cue is not None:
            # "At that time" is the time told just before, a dated flashback's too ("3 years
            # earlier … At that time"), not undated history told in passing; "at the time of
            # X" is X's.
            if cue.relative_to is RelativeTo.REFERENT:
                mark = self._counted_from(walk, cue, segment)
                segment.sort, segment.days = (
                    (mark.sort, mark.day) if mark is not None else (walk.clock, None)
                )
            else:
                before = _told_time(walk)
                segment.sort, segment.days = (
                    (before.sort, before.days)
                    if before is not None and before.days is not None
                    else (walk.clock, walk.day)
                )
            return
        elif kind is TimeKind.HISTORY:
            segment.sort, segment.days = HISTORY, None
            return
        elif kind is TimeKind.EARLIER:
            # What "after" introduces inside a sentence happened before it: when, unsaid.
            segment.sort, segment.days = walk.clock - STEP / 2, None
            return
        segment.sort, segment.days = walk.clock, walk.day

    @staticmethod
    def _unstated_day(walk: _Walk, number: float) -> _Day | None:
        """The least day a day of no stated clock can be ("On day 3, she developed fever"),
        when the report numbers days only after the presentation: its clock (the admission,
        a treatment, an operation) started on or after it, its first day numbered 1 (or 0),
        so day 3 is at least two days on, and not before where the narrative is."""
        if not walk.days_start_after:
            return None
        return _Day(max(walk.day.value, number - 1), exact=False)

    def _note_origins(self, walk: _Walk, segment: _Segment) -> None:
        """Remember the admission (its first telling) and the latest operation a segment tells."""
        if segment.days is None:
            return
        mark = _Mark(segment.sort, segment.days, segment.tick)
        # An admission told before the presentation ("3 weeks before, she was admitted to
        # another hospital") is not the one hospital days count from.
        if (
            RelativeTo.ADMISSION not in walk.origins
            and segment.days.value >= 0
            and self._admission.search(walk.text, segment.start, segment.end)
        ):
            walk.origins[RelativeTo.ADMISSION] = mark
        if any(m.type in self._operations for m in segment.events):
            walk.origins[RelativeTo.OPERATION] = mark
        if segment.cue is not None and _names_day_zero(segment.cue):
            walk.origins.setdefault(RelativeTo.UNSTATED, mark)

    @staticmethod
    def _origin(walk: _Walk, origin: RelativeTo) -> _Mark | None:
        """Where a clock starts, when the text places it."""
        if origin in walk.origins:
            return walk.origins[origin]
        if origin is RelativeTo.ADMISSION and walk.day.value == 0.0:
            # No admission told and nothing dated since the presentation: the presentation is
            # the admission the report narrates, and stays so once the narrative moves on
            # ("Two days after admission … Four days after admission").
            walk.origins[RelativeTo.ADMISSION] = walk.origins[RelativeTo.ANCHOR]
            return walk.origins[RelativeTo.ADMISSION]
        return None

    def _clock_day(self, walk: _Walk, cue: _Cue) -> tuple[float, _Day | None]:
        """A day of a clock ("hospital day 3", "on admission"): its place and, if placed, day."""
        number = cue.amount or 0.0
        # A day of no stated clock ("on day 16") counts from a "day 0" the text told, if any.
        start = self._origin(walk, cue.relative_to)
        if start is None:
            return number, None  # ordered by its number, its day unknown
        named = start.day.plus(number - cue.first_day)
        return named.value, named if cue.precise else named.loose()

    def _counted_from(self, walk: _Walk, cue: _Cue, segment: _Segment) -> _Mark | None:
        """What an amount counts from when not the clock, if the text places it.

        For a referent ("three days after *the biopsy*"), the event named is the latest one
        told before of the same type and words (or head word); else a word of ``referents``
        names a clock ("after *admission*"); words naming nothing ("two days after.") leave the
        clock. The mention naming it is moved to the time it names, in ``walk.repeats``.
        """
        if cue.relative_to is not RelativeTo.REFERENT:
            return self._origin(walk, cue.relative_to)
        # A cue lent to the words before it ("a nodule 6 months before he visited") still
        # counts from the words after it.
        words = _NAMED.match(walk.text, cue.end, max(segment.end, len(walk.text)))
        if words is None:
            return _Mark(walk.clock, walk.day)
        named = next((m for m in segment.events if cue.end <= m.start < words.end()), None)
        mark = None
        if named is not None:
            first = _FIRST.search(walk.text, words.start(), named.start) is not None
            mark = _told_before(walk, named, first=first)
        if mark is None:
            for word in words.group().lower().split():
                origin = self.rules.referents.get(word)
                if origin is not None:
                    mark = self._origin(walk, origin)
                    break
        if mark is not None and named is not None and mark.tick is not None:
            segment.events.remove(named)
            walk.repeats.append(
                _Segment(
                    start=named.start,
                    end=named.end,
                    sentence=segment.sentence,
                    section=segment.section,
                    events=[named],
                    sort=mark.sort,
                    tick=mark.tick,
                    days=mark.day,
                )
            )
        return mark

    def _before_place(self, walk: _Walk, cue: _Cue, segment: _Segment) -> _Place:
        amount = cue.amount
        if amount is None:
            return HISTORY, None
        if cue.relative_to is RelativeTo.CLOCK:
            return walk.clock - amount, walk.day.plus(-amount)
        mark = self._counted_from(walk, cue, segment)
        if mark is None:
            return walk.clock - amount, None
        day = mark.day.plus(-amount)
        # "in the past year": some time within the year before, so on or after its start.
        return mark.sort - amount, day if cue.precise else day.loose()

    # 4. order --------------------------------------------------------------------------------

    def _order(
        self, segments: Sequence[_Segment], relations: Sequence[Relation]
    ) -> list[TimelineEvent]:
        keyed: list[tuple[tuple[float, int, int], Mention, _Day | None]] = []
        # Each relation is offered only to the segments holding its source: one that crosses
        # segments orders nothing within either, and offering all to every segment would make
        # the time grow with segments × relations.
        segments_of: dict[str, list[int]] = {}
        for number, segment in enumerate(segments):
            for mention in segment.events:
                holding = segments_of.setdefault(mention.id, [])
                if not holding or holding[-1] != number:
                    holding.append(number)
        timed: dict[int, list[Relation]] = {}
        for relation in relations:
            if relation.type in EARLIER_END:
                for number in segments_of.get(relation.source, []):
                    timed.setdefault(number, []).append(relation)
        for number, segment in enumerate(segments):
            levels = _levels(segment.events, timed.get(number, []))
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
            exact, bound = _offsets(days)
            timeline.append(
                TimelineEvent(
                    mention=mention.id, order=order, offset_days=exact, min_offset_days=bound
                )
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


def _counts_on(cue: _Cue | None) -> bool:
    """Whether a cue counts on from the time told just before ("After a couple of days", "two
    weeks later"), not from a day or an event it names."""
    return (
        cue is not None
        and cue.kind is TimeKind.AFTER
        and cue.relative_to is RelativeTo.CLOCK
        and not cue.sequel
    )


def _only_later(cue: _Cue | None) -> bool:
    """Whether a cue says only that what follows came later ("subsequently", "then"), by no
    amount and from no day or event it names."""
    return _counts_on(cue) and cue is not None and cue.amount is None


def _in_flashback(segments: Sequence[_Segment]) -> list[bool]:
    """Whether each segment goes on telling a dated past of a year or more: what follows "46
    years earlier" without a time of its own ("During the surgical procedure, …", "Therefore,
    a valve was implanted") is still that past, until a time expression brings the narrative
    to the presentation (the patient's present age, a hospital or follow-up day). A story told
    by ages ("at age 3 … at age 6") has no flashback: its first age is its anchor."""
    found: list[bool] = []
    back = False
    for segment in segments:
        cue = segment.cue
        if cue is not None and cue.amount is not None:
            # "A 4-year history of Crohn's disease", "for the past 3 years": how long the
            # present illness has lasted; "otalgia appearing 3 months earlier": when it began.
            # Neither is a past told apart from the presentation, as years before are.
            dated_past = cue.amount >= YEAR and not (cue.phrase or cue.onset)
            if cue.kind is TimeKind.BEFORE and dated_past:
                back = True
            elif cue.kind is TimeKind.AGE and abs(cue.amount) < YEAR:
                back = False
        if cue is not None and cue.kind in (TimeKind.ANCHOR, TimeKind.DAY, TimeKind.FOLLOW_UP):
            back = False
        found.append(back)
    return found


def _lend_trailing_cues(text: str, pieces: list[_Segment], findings: frozenset[str]) -> None:
    """Give a cue that closes a sentence ("… a rash two days later.") to the events before it,
    and so a cue counting back or an age that follows the words it dates ("underwent a
    mastectomy 5 years ago for cancer", "asthma since the age of 33"), as "ago" and an age do
    unless a comma or a conjunction fronts them ("…, and 3 years ago she developed"). What
    follows an "ago" goes on in its time ("for cancer", "and was managed elsewhere"), unless a
    new clause of the subject starts ("a bypass 6 years ago was admitted …": the narrative's
    time) or a next item is dated on its own ("a stroke 3 years ago and a myocardial
    infarction 2 years ago"); what follows an age is told in the narrative's time unless it
    goes on telling that time ("at age 21 *after* she was found …", "at the age of 15*;* his
    ceruloplasmin …", "at the age of 7 *and was* diagnosed"). A time expression closing a clause
    says more than a connective opening it ("post")."""
    for number in range(1, len(pieces)):
        previous, current = pieces[number - 1], pieces[number]
        following = pieces[number + 1] if number + 1 < len(pieces) else None
        cue = current.cue
        if cue is None:
            continue
        next_dated = (
            following is not None
            and following.cue is not None
            and _dates_words_before(text, current, following.cue)
        )
        if not previous.events:
            # "She was married at 29 years old and began treatment at 30 years of age": the
            # age dates words without events, and the next item dated on its own takes its time.
            if next_dated and _postposed(text, previous, cue):
                current.cue = None
            continue
        closes_sentence = previous.cue is None and not (
            current.events or re.search(r"\w", text[cue.end : current.end])
        )
        dates_before = (
            previous.cue is None or previous.cue.expression is None
        ) and _dates_words_before(text, previous, cue)
        if dates_before and _lists_next_item(text, cue, current, findings):
            # "breast cancer 15 years ago, hypertension, and COPD": the next items of the list
            # are told in the time of the list, not 15 years ago.
            previous.cue, current.cue = cue, previous.cue
        elif (
            dates_before
            and (cue.kind is not TimeKind.AGE or _AGE_GOES_ON.match(text, cue.end))
            and not (next_dated or _CLAUSE_GOES_ON.match(text, cue.end))
        ):
            previous.cue = cue  # what follows keeps it too
        elif closes_sentence or dates_before:
            previous.cue, current.cue = cue, None


def _lists_next_item(text: str, cue: _Cue, after: _Segment, findings: frozenset[str]) -> bool:
    """Whether the words right after ``cue`` join a next finding to the one it dates, as a
    list does: a comma, then the finding ("…, hypertension", "…, and COPD"). A verb joined by
    "and" ("discovered 10 months ago and resected") goes on telling that time."""
    joint = _LIST_JOINT.match(text, cue.end)
    return joint is not None and any(
        m.start == joint.end() and m.type in findings for m in after.events
    )


def _dates_words_before(text: str, before: _Segment, cue: _Cue) -> bool:
    """Whether ``cue`` counts back or tells an age after the words of ``before`` it dates,
    not fronted in a clause of its own."""
    return bool(before.events) and _postposed(text, before, cue)


def _postposed(text: str, before: _Segment, cue: _Cue) -> bool:
    """Whether ``cue`` counts back or tells an age after the words of ``before``, not fronted
    in a clause of its own. An amount before a time ("a mastectomy 19 years prior", "noticed
    a nodule 6 months before he visited us") counts back as "ago" does; "a 6-week history of"
    governs the words after it."""
    counts_back = (
        cue.kind is TimeKind.BEFORE and cue.amount is not None and not cue.phrase
    ) or _COUNTED_BACK.search(text, cue.start, cue.end) is not None
    # "The patient was born at term": an expression that names its subject opens a clause.
    return (
        (cue.kind is TimeKind.AGE or counts_back)
        and _FRONTED.search(text, before.start, cue.start) is None
        and _PATIENT.match(text, cue.start) is None
    )


_WITH = re.compile(r"(?:\s+(?:to|at|in|into)\b[^.;,]{0,40}?)?\s+with\b", re.IGNORECASE)
"""What follows a presentation told with what it presents ("presenting with a swelling"), the
place it was at told between ("admitted to our hospital with a mass")."""

_PRESENTS = re.compile(
    r"[^.;,]{0,60}?\b(?:with|of|for|due\s+to|because\s+of)(?:\s+an?)?\s*$", re.IGNORECASE
)
"""The words between a presentation and the phrase it presents ("presented to our clinic
complaining of", "was referred to us with")."""

_COUNTED_BACK = re.compile(r"\b(?:ago|back)$")
"""A time expression counting back from the present ("6 years ago", "12 years back")."""

_FRONTED = re.compile(
    r"(?:[,;:(]|\b(?:and|or|but|when|then|until|till|since|from|than|before|after|which|that"
    r"|while|whereas))\s*(?:(?:about|approximately|around|nearly|almost|roughly|over|some"
    r"|more than|less than|at least)\s+)?$",
    re.IGNORECASE,
)
"""What fronts a time expression in its clause ("…, and 3 years ago she", "until 2 years ago,
when"): the words before the expression end there (with an approximation of its amount)."""

_PATIENT = re.compile(r"\b(?:she|he|the patient|our patient)\b", re.IGNORECASE)
"""Words naming the patient as a clause's subject."""

_FRONTED_AGE_ENDS = re.compile(r"\s*,?\s*")
"""What ends an age that opens its sentence, before the subject ("At the age of 3, her …")."""

_DATE_BELOW_YEAR = frozenset({"month", "mm", "day", "first"})
"""Date fields that name a part of a year."""

_AGE_GOES_ON = re.compile(r"\s*(?:;|\b(?:when|after|where|and|with|for)\b)", re.IGNORECASE)
"""Words right after an age that go on telling the time it dates."""

_LIST_JOINT = re.compile(r",\s*(?:(?:and|or)\s+)?")
"""What joins the next item of a list: a comma, with or without a conjunction ("…, and")."""

_CLAUSE_GOES_ON = re.compile(r",?\s+(?:was|were|is|are|has|had|presented|came)\b")
"""A verb right after a time expression, or after the comma closing it: the expression closed
the clause before it (a clause opening with a time expression goes on with its subject)."""


def _anchor_dated(segments: Sequence[_Segment], anchor: int) -> _Cue | None:
    """The date the anchor's sentence gives, if any."""
    if not segments:
        return None
    sentence = segments[anchor].sentence
    for segment in segments:
        cue = segment.cue
        if segment.sentence == sentence and cue is not None and cue.when is not None:
            return cue
    return None


def _days_from_anchor(cue: _Cue, walk: _Walk) -> float | None:
    """Days from the anchor's date to the date ``cue`` names; ``None`` without an anchor date,
    or when one of the two names only a year and the other falls in it ("in 2015" and "In
    March 2015, she presented": which came first is unsaid)."""
    if cue.when is None or walk.anchor_date is None:
        return None
    if (cue.year_only or walk.anchor_year_only) and cue.when.year == walk.anchor_date.year:
        return None
    return float((cue.when - walk.anchor_date).days)


def _names_day_zero(cue: _Cue) -> bool:
    """Whether the cue is a "day 0" of no stated clock: the day a report counts its days from
    ("referred to our hospital (day 0) … cART at day 2")."""
    return cue.kind is TimeKind.DAY and cue.relative_to is RelativeTo.UNSTATED and cue.amount == 0


def _history_place(cue: _Cue | None, walk: _Walk) -> _Place:
    """Where a segment told before the presentation sits: dated when it says, at the time of a
    dated flashback told just before it when it says so ("46 years earlier … During the
    procedure"), else history."""
    if cue is not None and cue.kind is TimeKind.SAME and cue.relative_to is not RelativeTo.REFERENT:
        before = _told_time(walk)
        if before is not None and before.days is not None:
            return before.sort, before.days
        return HISTORY, None
    if cue is None or cue.amount is None and cue.when is None:
        return HISTORY, None
    back: float | None = None
    exact = True
    if cue.kind is TimeKind.BEFORE and cue.amount is not None:
        back, exact = -cue.amount, cue.precise
    elif cue.kind is TimeKind.AGE and cue.amount is not None:
        back = cue.amount - walk.age_shift
        back = back if back <= -YEAR else None  # within the year ages resolve: undated
    elif cue.kind is TimeKind.DATE:
        back = _days_from_anchor(cue, walk)
    return (back, _Day(back, exact)) if back is not None and back < 0 else (HISTORY, None)


def _dated_before_in_sentence(walk: _Walk, segment: _Segment) -> _Segment | None:
    """The latest segment told before ``segment`` in its sentence that a time expression
    dates before where the narrative is ("1 year ago"), if any."""
    for told in reversed(walk.told):
        if told.sentence != segment.sentence:
            return None
        cue = told.cue
        if cue is not None and cue.expression is not None and told.days is not None:
            return told if told.sort < walk.clock else None
    return None


def _date_just_told(walk: _Walk, segment: _Segment) -> _Segment | None:
    """The segment a date dates, when the latest time expression told before ``segment`` is
    that date, in its sentence or the one before it."""
    for told in reversed(walk.told):
        if told.sentence < segment.sentence - 1:
            return None
        cue = told.cue
        if cue is not None and cue.expression is not None:
            return told if cue.kind is TimeKind.DATE and told.days is not None else None
    return None


def _told_time(walk: _Walk) -> _Segment | None:
    """The time told just before, which "at that time" names: the latest segment telling an
    event or a time expression ("One year previously, she argued with her parents. At that
    time, …" is a year ago even where the argument is no event mention). Where that segment
    has no day, a dated time expression of its sentence told right before it names it ("Seven
    years prior to the visit, she had been treated for heel pain. At that time, …")."""
    told = walk.told
    place = next(
        (
            i
            for i, segment in reversed(list(enumerate(told)))
            if segment.events or (segment.cue and segment.cue.expression is not None)
        ),
        None,
    )
    if place is None:
        return None
    latest = told[place]
    if latest.days is not None or place == 0:
        return latest
    before = told[place - 1]
    dated = (
        before.sentence == latest.sentence
        and before.days is not None
        and before.cue is not None
        and before.cue.expression is not None
    )
    return before if dated else latest


def _days_back_to_age(years: float, age_now: float | None) -> float | None:
    """Days from the patient's age now back to the time they were ``years`` old; ``None``
    without their age, or for an age above it (another's age, or a misread one)."""
    if age_now is None or years > age_now:
        return None
    return (years - age_now) * YEAR


def _anchor_age(segments: Sequence[_Segment], anchor: int) -> float:
    """The age the anchor's sentence tells, in days from the patient's age now, else 0."""
    if not segments:
        return 0.0
    sentence = segments[anchor].sentence
    for segment in segments:
        cue = segment.cue
        if segment.sentence == sentence and cue is not None and cue.kind is TimeKind.AGE:
            return cue.amount or 0.0
    return 0.0


def _told_before(walk: _Walk, named: Mention, *, first: bool) -> _Mark | None:
    """The latest event told before ``named`` with its type and its words or head word, or
    the earliest when ``first`` ("after the *initial* colonoscopy")."""
    words, head = _stems(named.text)
    found: list[int] = []
    for told in (walk.by_words.get((named.type, words)), walk.by_head.get((named.type, head))):
        in_turn = (told if first else reversed(told)) if told else ()
        place = next((number for number, start in in_turn if start < named.start), None)
        if place is not None:
            found.append(place)
    if not found:
        return None
    earlier = walk.told[min(found) if first else max(found)]
    if earlier.days is None:  # never: only segments with a day are indexed
        return None
    return _Mark(earlier.sort, earlier.days, earlier.tick)


def _stems(text: str) -> tuple[str, str]:
    """The stemmed words of a mention and its stemmed head (last) word."""
    words = text.split()
    return _stem(text), _stem(words[-1] if words else "")


def numeric_order(first: int, second: int) -> bool | None:
    """Whether a numeric date's first field is its day (True) or its month (False), when a
    field above 12 says so; ``None`` when either reading is possible."""
    if first > 12 >= second:
        return True
    if second > 12 >= first:
        return False
    return None


def day_first(matches: Iterable[re.Match[str]]) -> bool | None:
    """The order of day and month in a document's numeric dates: the one its dates with a
    field above 12 agree on ("13-11-2001": day first), else ``None``."""
    orders = {
        numeric_order(int(match["first"]), int(match["second"]))
        for match in matches
        if match.groupdict().get("first") is not None
    }
    orders.discard(None)
    return orders.pop() if len(orders) == 1 else None


def _after(base: _Day, amount: float | None, cue: _Cue | None, kind: TimeKind) -> _Day:
    """The day an ``after`` or ``follow_up`` cue leads to from ``base``."""
    if cue is None or cue.expression is None:  # a connective: "then", "eventually"
        return base.loose()
    if amount is None or not cue.precise:  # "a few days later", "within 2 days"
        return base.loose()
    if kind is TimeKind.FOLLOW_UP:
        # Follow-up counts from a treatment or a discharge the text seldom dates, at or after
        # the presentation; a second "at 6-month follow-up" is the same time, not 6 more months.
        return _Day(max(base.value, amount), exact=False)
    return base.plus(amount)


def _offsets(days: _Day | None) -> tuple[float | None, float | None]:
    """``offset_days`` and ``min_offset_days`` of a day: the exact one or the lower bound."""
    if days is None:
        return None, None
    value = round(days.value, 3)
    return (value, None) if days.exact else (None, value)


_NAMED = re.compile(r"[ \t]*[^\W\d][\w'/-]*(?:[ \t]+[^\W\d][\w'/-]*){0,3}")
"""Up to four words right after an expression: what "three days after …" counts from."""


_FIRST = re.compile(r"\b(?:initial|first|index|original)\b", re.IGNORECASE)


def _stem(words: str) -> str:
    """Words compared as the same event: lower case, one space, no plural or verb ending."""
    flat = " ".join(words.lower().split())
    return re.sub(r"(?:ing|ed|es|e|s)$", "", flat)


_ASIDE_REACH = 80
"""How far from a mention the brackets of a maker's aside may lie (``_in_makers_aside``)."""


def _phrases(phrases: Sequence[str]) -> str:
    """A regex matching any phrase as whole words after ``WORD_START``; never matches when
    there is none."""
    if not phrases:
        return r"(?!x)x"
    body = phrase_alternation(phrases)
    return rf"(?:{body})(?![\w-])"
