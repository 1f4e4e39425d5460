"""Patient age and sex read from the case text with rules kept in ``demographics.json``.

What a reader's metadata states (PMC-Patients age and sex) is never overwritten; the text only
fills what is missing. The component also records the phrase it read as ``Age`` and ``Sex``
mentions, with MACCROBAT's span conventions ("28-year-old", "man").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from casebook.model import Case, EntityType, Mention, RecordModel, Sex, Span
from casebook.resources import load_rules

_FLAGS = re.IGNORECASE

_GOVERNED = re.compile(
    r"\b(?:to|of|from|by|with|and)\s+(?:(?:an?|the)\s+)?(?:[\w-]+,?\s+){0,2}$", _FLAGS
)
"""A preposition governing the phrase an age opens ("born to a healthy 30-year-old …")."""

_GOVERNED_CHARS = 40
"""How far back from an age ``_GOVERNED`` is looked for."""
_WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011]+")
"""What separates the words of a compound number ("twenty-two")."""


class AgePattern(RecordModel):
    """A regex for an exact age, with a ``value`` group and optional ``unit``, ``twelfths``
    and ``months`` groups (months added to years: "4 years and 6 months old")."""

    pattern: str

    @model_validator(mode="after")
    def _compiles(self) -> Self:
        try:
            compiled = re.compile(self.pattern, _FLAGS)
        except re.error as exc:
            raise ValueError(f"invalid regex {self.pattern!r}: {exc}") from exc
        if "value" not in compiled.groupindex:
            raise ValueError(f"pattern {self.pattern!r} has no 'value' group")
        return self


class AgeUnit(RecordModel):
    """Words for one unit of age and its length in days."""

    aliases: list[str] = Field(min_length=1)
    days: float = Field(gt=0)


class SexWord(RecordModel):
    """A word that tells the sex; nouns carry more weight than pronouns."""

    word: str = Field(min_length=1)
    sex: Sex
    weight: float = Field(gt=0)
    mention: bool = Field(description="Whether the word is recorded as a Sex mention.")


class DemographicsRules(RecordModel):
    """The schema of ``demographics.json``."""

    version: str
    age_patterns: list[AgePattern] = Field(min_length=1)
    units: list[AgeUnit]
    default_unit: str
    max_age_years: float = Field(gt=0)
    number_words: dict[str, int] = Field(
        default_factory=dict,
        description='Number words an age may be written in ("a three-year-old girl", "twenty-two '
        'years old"); a compound adds its words up.',
    )
    sex_words: list[SexWord]
    near_chars: int = Field(ge=0, description="How far from an age a sex noun is its patient's.")
    relatives: list[str]
    possessives: list[str]
    relative_gap_chars: int = Field(ge=0)
    elder_relatives: list[str] = Field(
        default_factory=list,
        description="Relatives whose noun right after an age, at most two words between, makes "
        "the age theirs ('born to a 30-year-old mother', 'a 32-year-old G2P1 mother'); not the "
        "nouns of a child, which a child's report calls its patient ('a 3-day-old newborn').",
    )
    female_relatives: list[str] = Field(
        default_factory=list,
        description="Relatives 'she' can stand for ('her daughter … when she visited'), and "
        "'he' cannot.",
    )
    male_relatives: list[str] = Field(
        default_factory=list,
        description="Relatives 'he' can stand for ('his grandfather died when he was 60'), and "
        "'she' cannot.",
    )
    patient_sections: list[str] = Field(description="Section kinds searched first, in order.")
    past_age_clauses: list[str] = Field(
        default_factory=list,
        description="Words opening a clause whose subject's age, told by 'was' or 'turned', is "
        "that at a past time ('until the child was 9 years old', 'when she was 16 years old'), "
        "not the patient's age now.",
    )

    @model_validator(mode="after")
    def _default_unit_known(self) -> Self:
        if not any(self.default_unit in unit.aliases for unit in self.units):
            raise ValueError(f"default unit {self.default_unit!r} is not among the units")
        return self

    @model_validator(mode="after")
    def _sexed_relatives_known(self) -> Self:
        unknown = set(self.female_relatives + self.male_relatives) - set(self.relatives)
        if unknown:
            raise ValueError(f"sexed relatives not among the relatives: {sorted(unknown)}")
        if set(self.female_relatives) & set(self.male_relatives):
            raise ValueError("a relative is both female and male")
        return self


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    sex: Sex
    weight: float
    mention: bool


@dataclass(frozen=True)
class _Age:
    start: int
    end: int
    years: float


class PatientDemographics:
    """Fill ``case.patient`` from the text and add ``Age``/``Sex`` mentions.

    Args:
        rules: A packaged rule file name or a ``Path`` to your own file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file breaks its schema.
    """

    name = "patient"
    requires: frozenset[str] = frozenset({"text", "sentences"})
    assigns: frozenset[str] = frozenset({"patient", "mentions.age_sex"})

    def __init__(self, rules: str | Path = "demographics.json") -> None:
        self.rules = load_rules(rules, DemographicsRules)
        self._ages = [re.compile(p.pattern, _FLAGS) for p in self.rules.age_patterns]
        self._days = {a.lower(): u.days for u in self.rules.units for a in u.aliases}
        self._sex = {w.word.lower(): w for w in self.rules.sex_words}
        self._sex_re = re.compile(_alternation(self._sex), _FLAGS)
        self._relative_re = relative_phrases(self.rules)
        self._past_clause = (
            re.compile(
                rf"{_alternation(self.rules.past_age_clauses)}\s+(?:[\w'\u2019-]+\s+){{1,3}}"
                rf"(?:was|were|turned)\s+(?:(?:about|approximately|aged?)\s+)?$",
                _FLAGS,
            )
            if self.rules.past_age_clauses
            else None
        )
        self._elder_after = (
            re.compile(
                rf"[\s\-\u2010]*(?:[\w\-\u2010]+[\s,]+){{0,2}}?"
                rf"{_alternation(self.rules.elder_relatives)}(?!\s+of\b)",
                _FLAGS,
            )
            if self.rules.elder_relatives
            else None
        )

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with patient age and sex filled where missing, and their mentions."""
        age, age_sentence = self._find_age(case)
        sex_hit = self._sex_near(case.text, age, age_sentence) if age else None
        sex = sex_hit.sex if sex_hit else self._sex_overall(case)
        if (sex_hit is None or not sex_hit.mention) and sex is not None:
            # A pronoun settles the sex, but the mention wants the patient's noun ("boy").
            sex_hit = self._first_noun(case, sex)
        patient = case.patient
        update: dict[str, object] = {}
        if patient.age_years is None and age is not None:
            update["age_years"] = age.years
        if patient.sex is None and sex is not None:
            update["sex"] = sex
        mentions = list(case.mentions)
        if age is not None:
            _add_mention(mentions, case.text, age.start, age.end, EntityType.AGE, "age")
        if sex_hit is not None and sex_hit.mention:
            _add_mention(mentions, case.text, sex_hit.start, sex_hit.end, EntityType.SEX, "sex")
        new_patient = patient.model_copy(update=update) if update else patient
        return case.model_copy(update={"patient": new_patient, "mentions": mentions})

    def _ordered_sentences(self, case: Case) -> list[Span]:
        """Sentences of the patient's own sections first, then the rest in text order."""
        sentences = case.sentences or [Span(start=0, end=len(case.text))]
        ranks = {kind: i for i, kind in enumerate(self.rules.patient_sections)}
        last = len(ranks)
        sections = sorted(case.sections, key=lambda s: s.start)
        starts = [s.start for s in sections]

        def rank(sentence: Span) -> int:
            # The innermost section that starts at or before the sentence, found by bisection.
            at = bisect.bisect_right(starts, sentence.start) - 1
            if at >= 0 and sentence.start < sections[at].end:
                return ranks.get(sections[at].kind, last)
            return ranks.get("body", last)

        return sorted(sentences, key=lambda s: (rank(s), s.start))

    def _find_age(self, case: Case) -> tuple[_Age | None, Span | None]:
        for sentence in self._ordered_sentences(case):
            for age in self._ages_in(case.text, sentence):
                if not self._about_relative(case.text, sentence, age) and not self._told_past(
                    case.text, sentence, age
                ):
                    return age, sentence
        return None, None

    def _ages_in(self, text: str, sentence: Span) -> list[_Age]:
        found: dict[int, _Age] = {}
        chunk = text[sentence.start : sentence.end]
        for pattern in self._ages:
            for match in pattern.finditer(chunk):
                unit = (match.groupdict().get("unit") or self.rules.default_unit).lower()
                days = self._days.get(unit, self._days.get(unit.rstrip("s")))
                if days is None:
                    continue
                value = self._number(match.group("value"))
                # "2 11/12-year-old": years and twelfths of a year, as paediatricians write.
                twelfths = match.groupdict().get("twelfths")
                if twelfths is not None:
                    value += int(twelfths) / 12
                # "4 years and 6 months old": the months add to the years.
                months = match.groupdict().get("months")
                if months is not None:
                    value += self._number(months) / 12
                years = round(value * days / 365.25, 3)
                start = sentence.start + match.start()
                if 0 < years <= self.rules.max_age_years and start not in found:
                    found[start] = _Age(start, sentence.start + match.end(), years)
        return [found[k] for k in sorted(found)]

    def _number(self, written: str) -> float:
        """An age's number, in digits or number words ("twenty-two" is 22)."""
        if written[0].isdigit():
            return float(written)
        return float(sum(self.rules.number_words[w] for w in _WORD_SPLIT.split(written.lower())))

    def _about_relative(self, text: str, sentence: Span, age: _Age) -> bool:
        phrases = self._relatives_in(text, sentence)
        # "his 54-year-old mother": the age sits inside the relative's phrase.
        if any(start <= age.start and age.end <= end for start, end in phrases):
            return True
        # "a 9-year-old boy ... his mother": an age right before a patient noun is the patient's.
        after = self._hits(text, Span(start=age.end, end=min(sentence.end, age.end + 15)))
        if any(hit.mention for hit in after):
            return False
        # "born to a 30-year-old mother": an age right before a parent's noun, the phrase
        # governed by a preposition, is the parent's ("A 33-year-old mother was admitted" and
        # "a 20-year-old mother of one presented" tell of the patient).
        if (
            self._elder_after is not None
            and self._elder_after.match(text, age.end, sentence.end)
            and _GOVERNED.search(text, max(sentence.start, age.start - _GOVERNED_CHARS), age.start)
        ):
            return True
        # "his mother, 54 years old": a relative's phrase just before the age.
        gap = self.rules.relative_gap_chars
        return any(end <= age.start <= end + gap for _, end in phrases)

    def _told_past(self, text: str, sentence: Span, age: _Age) -> bool:
        """Whether the age is told in a clause of a past time ("until he was 9 years old")."""
        if self._past_clause is None:
            return False
        return self._past_clause.search(text, sentence.start, age.start) is not None

    def _relatives_in(self, text: str, sentence: Span) -> list[tuple[int, int]]:
        chunk = text[sentence.start : sentence.end]
        return [
            (sentence.start + m.start(), sentence.start + m.end())
            for m in self._relative_re.finditer(chunk)
        ]

    def _hits(self, text: str, span: Span, skip: Iterable[tuple[int, int]] = ()) -> list[_Hit]:
        blocked = list(skip)
        hits: list[_Hit] = []
        for match in self._sex_re.finditer(text, span.start, span.end):
            start, end = match.span()
            if any(a <= start < b for a, b in blocked):
                continue  # "her mother": a word in a relative's phrase says nothing of the patient
            word = self._sex[match.group().lower()]
            hits.append(_Hit(start, end, word.sex, word.weight, word.mention))
        return hits

    def _sex_near(self, text: str, age: _Age, sentence: Span | None) -> _Hit | None:
        """The heaviest, then nearest, sex word close to the age in its sentence."""
        if sentence is None:
            return None
        near = self.rules.near_chars
        window = Span(
            start=max(sentence.start, age.start - near), end=min(sentence.end, age.end + near)
        )
        hits = self._hits(text, window, self._relatives_in(text, sentence))
        if not hits:
            return None

        def distance(hit: _Hit) -> int:
            return hit.start - age.end if hit.start >= age.end else age.start - hit.end

        return min(hits, key=lambda h: (-h.weight, distance(h)))

    def _sex_overall(self, case: Case) -> Sex | None:
        """The sex the text's words weigh towards, when nothing stands next to the age."""
        totals: dict[Sex, float] = {Sex.FEMALE: 0.0, Sex.MALE: 0.0}
        for sentence in case.sentences or [Span(start=0, end=len(case.text))]:
            skip = self._relatives_in(case.text, sentence)
            for hit in self._hits(case.text, sentence, skip):
                totals[hit.sex] += hit.weight
        if totals[Sex.FEMALE] == totals[Sex.MALE]:
            return None
        return Sex.FEMALE if totals[Sex.FEMALE] > totals[Sex.MALE] else Sex.MALE

    def _first_noun(self, case: Case, sex: Sex) -> _Hit | None:
        for sentence in self._ordered_sentences(case):
            skip = self._relatives_in(case.text, sentence)
            for hit in self._hits(case.text, sentence, skip):
                if hit.mention and hit.sex == sex:
                    return hit
        return None


def relative_phrases(rules: DemographicsRules) -> re.Pattern[str]:
    """A regex for a phrase naming one of the patient's relatives ("her younger brother", "the
    patient's mother"): a possessive, up to three words, a relative."""
    return re.compile(
        rf"{_alternation(rules.possessives)}\s+(?:[\w\-\u2010]+[\s,]+){{0,3}}?"
        rf"{_alternation(rules.relatives)}",
        _FLAGS,
    )


def relatives_told_of(rules: DemographicsRules) -> re.Pattern[str]:
    """A regex for a relative whom a relative clause tells of, whatever names them ("a
    brother who", "one aunt, who"): what the clause tells is the relative's."""
    return re.compile(rf"{_alternation(rules.relatives)},?\s+who\b", _FLAGS)


def _alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` as whole words, longest first."""
    escaped = sorted((re.escape(w) for w in words), key=len, reverse=True)
    return rf"(?<![\w'\u2019-])(?:{'|'.join(escaped)})(?![\w-])"


def _add_mention(
    mentions: list[Mention],
    text: str,
    start: int,
    end: int,
    kind: Literal[EntityType.AGE, EntityType.SEX],
    prefix: str,
) -> None:
    """Append a mention unless the same one is there already (running twice adds nothing)."""
    if any(m.type == kind and m.start == start and m.end == end for m in mentions):
        return
    mention_id = free_id(prefix, {m.id for m in mentions})
    mentions.append(Mention(id=mention_id, start=start, end=end, text=text[start:end], type=kind))


def free_id(prefix: str, used: set[str]) -> str:
    """The first of ``prefix1``, ``prefix2`` … not in ``used``."""
    number = 1
    while f"{prefix}{number}" in used:
        number += 1
    return f"{prefix}{number}"
