"""What was done, and how it turned out: treatments and their outcomes across similar cases.

Outcome statements are found by the rules of ``resources/outcomes.json``: each rule names an
outcome (resolved, improved, unchanged, worsened, died) and regular expressions, matched
case-insensitively in every sentence of a case and in its Outcome mentions. Rules are tried in
file order and, where two matches overlap, the earlier rule wins, so "no improvement" is
*unchanged* although it contains "improvement", and "no recurrence" is *resolved*.

A treatment is a Therapeutic_procedure or Medication mention the patient had (or words coded in
ICD-10-PCS). Its outcome is the last outcome statement after it, in its own sentence or the
``window_sentences`` that follow, stopping before a sentence that names another treatment (case
reports tell events in order, and the last word is how the patient ended up); *unknown* when
there is none. The tally over a list of cases counts, per treatment (its words
normalised, abbreviations expanded), the cases with each outcome and links every cell to them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from pydantic import Field, field_validator

from casebook.caseless import fold, folded_pattern
from casebook.kb.base import normalize_alias
from casebook.model import (
    Assertion,
    Case,
    CodeSystem,
    EntityType,
    Outcome,
    RecordModel,
    Span,
    TreatmentTally,
)
from casebook.resources import load_rules

RESOURCE = "outcomes.json"

_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


class OutcomeRule(RecordModel):
    """Patterns that state one outcome."""

    outcome: Outcome
    patterns: list[str] = Field(min_length=1, description="Regular expressions, any case.")

    @field_validator("outcome")
    @classmethod
    def _known(cls, value: Outcome) -> Outcome:
        if value is Outcome.UNKNOWN:
            raise ValueError("'unknown' is what no rule says; it cannot have patterns")
        return value

    @field_validator("patterns")
    @classmethod
    def _compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc
        return value


class OutcomeRules(RecordModel):
    """The schema of ``outcomes.json``."""

    version: str = Field(min_length=1)
    treatment_types: list[EntityType] = Field(description="Mention types that are treatments.")
    treatment_assertions: list[Assertion] = Field(
        description="Assertions of a treatment the patient had (negated ones were not given)."
    )
    window_sentences: int = Field(
        ge=0, description="Sentences after a treatment's own in which its outcome is sought."
    )
    rules: list[OutcomeRule] = Field(min_length=1, description="In priority order.")


@dataclass(frozen=True, slots=True)
class OutcomeStatement:
    """Words of a case that say how the patient fared.

    Attributes:
        outcome: What they say.
        start: Offset of the first character.
        end: Offset one past the last.
        sentence: Index of the sentence holding them.
    """

    outcome: Outcome
    start: int
    end: int
    sentence: int


@dataclass(frozen=True, slots=True)
class TreatmentOutcome:
    """One treatment of a case and the outcome that followed it.

    Attributes:
        key: The treatment's normalised words, what the tally groups by.
        text: The treatment's words as written.
        span: Where the treatment is mentioned.
        outcome: The outcome that followed; ``unknown`` when the text does not say.
        evidence: The outcome statement, when there is one.
    """

    key: str
    text: str
    span: Span
    outcome: Outcome
    evidence: OutcomeStatement | None


@cache
def load_outcome_rules(source: str | Path = RESOURCE) -> OutcomeRules:
    """The outcome rules: the packaged ones, or a user's file.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or breaks the schema.
    """
    return load_rules(source, OutcomeRules)


class OutcomeReader:
    """Finds outcome statements and the outcome of each treatment in a case.

    Args:
        rules: The rules; the packaged ones when None.
    """

    def __init__(self, rules: OutcomeRules | None = None) -> None:
        self.rules = rules or load_outcome_rules()
        self._patterns = [
            (priority, rule.outcome, re.compile(pattern, re.IGNORECASE))
            for priority, rule in enumerate(self.rules.rules)
            for pattern in rule.patterns
        ]
        patterns = [pattern for rule in self.rules.rules for pattern in rule.patterns]
        self._any = _any_of(patterns, re.IGNORECASE)
        folded = [folded_pattern(pattern) for pattern in patterns]
        foldable = [f for f in folded if f is not None]
        self._any_folded = _any_of(foldable, 0) if foldable else None
        others = [pattern for pattern, f in zip(patterns, folded, strict=True) if f is None]
        self._any_other = _any_of(others, re.IGNORECASE) if others else None
        self._treatment_types = frozenset(self.rules.treatment_types)
        self._treatment_assertions = frozenset(self.rules.treatment_assertions)

    def classify(self, text: str) -> list[tuple[Outcome, int, int]]:
        """The outcome statements in a piece of text, in text order.

        Args:
            text: A sentence or a mention's words.

        Returns:
            ``(outcome, start, end)`` with offsets into ``text``; overlapping matches are
            settled by rule order.
        """
        if not self._may_state(text):
            return []  # most sentences state no outcome: one scan instead of one per pattern
        found = sorted(
            (priority, match.start(), match.end(), outcome)
            for priority, outcome, pattern in self._patterns
            for match in pattern.finditer(text)
            if match.end() > match.start()
        )
        kept: list[tuple[int, int, Outcome]] = []
        for _, start, end, outcome in found:
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, outcome))
        return [(outcome, start, end) for start, end, outcome in sorted(kept)]

    def _may_state(self, text: str) -> bool:
        """False when no pattern matches the text, found with one or two scans.

        The patterns that allow it scan the folded text case-sensitively
        (``casebook.caseless``), which is faster than a case-insensitive scan.
        """
        if self._any is None:
            return True
        folded = fold(text)
        if folded is None or self._any_folded is None:
            return self._any.search(text) is not None
        if self._any_folded.search(folded):
            return True
        return self._any_other is not None and self._any_other.search(text) is not None

    def statements(self, case: Case) -> list[OutcomeStatement]:
        """Every outcome statement of a case, in text order."""
        sentences = case.sentences or [Span(start=0, end=len(case.text))]
        found: list[OutcomeStatement] = []
        for index, sentence in enumerate(sentences):
            words = case.text[sentence.start : sentence.end]
            found += [
                OutcomeStatement(outcome, sentence.start + s, sentence.start + e, index)
                for outcome, s, e in self.classify(words)
            ]
        for mention in case.mentions:
            if mention.type is not EntityType.OUTCOME or mention.assertion is Assertion.NEGATED:
                continue
            if any(s.start < mention.end and mention.start < s.end for s in found):
                continue
            for outcome, _, _ in self.classify(mention.text):
                found.append(
                    OutcomeStatement(
                        outcome, mention.start, mention.end, _sentence_of(sentences, mention.start)
                    )
                )
                break
        return sorted(found, key=lambda s: (s.start, s.end))

    def treatments(
        self, case: Case, statements: Sequence[OutcomeStatement] | None = None
    ) -> list[TreatmentOutcome]:
        """Each treatment of a case with the outcome that followed it, in text order.

        A treatment is a mention of a treatment type, or any mention or case-level evidence
        coded in ICD-10-PCS, which the patient had. Its outcome is sought from the treatment
        on, through ``window_sentences`` more sentences, but never into a later sentence that
        names another treatment: what follows that is that treatment's outcome.

        Args:
            case: An analysed case.
            statements: The case's outcome statements when already found (``statements``).
        """
        sentences = case.sentences or [Span(start=0, end=len(case.text))]
        found: list[tuple[str, str, Span]] = []
        for mention in case.mentions:
            coded = any(c.system is CodeSystem.ICD10PCS for c in mention.codes)
            if (
                mention.type in self._treatment_types or coded
            ) and mention.assertion in self._treatment_assertions:
                words = mention.expansion or mention.text
                found.append((words, mention.text, Span(start=mention.start, end=mention.end)))
        for code in case.codes:
            if code.system is not CodeSystem.ICD10PCS:
                continue
            for span in code.evidence:
                if not any(s.start < span.end and span.start < s.end for _, _, s in found):
                    words = case.text[span.start : span.end]
                    found.append((words, words, Span(start=span.start, end=span.end)))
        treatments: list[tuple[str, str, Span, int]] = []
        for words, text, span in sorted(found, key=lambda item: item[2].start):
            key = normalize_alias(words)
            if any(c.isalpha() for c in key):
                treatments.append((key, text, span, _sentence_of(sentences, span.start)))
        if statements is None:
            statements = self.statements(case)
        result: list[TreatmentOutcome] = []
        for key, text, span, sentence in treatments:
            last = sentence + self.rules.window_sentences
            later = [s for k, _, _, s in treatments if s > sentence and k != key]
            if later:
                last = min(last, min(later) - 1)
            after = [s for s in statements if s.start >= span.end and s.sentence <= last]
            evidence = after[-1] if after else None
            result.append(
                TreatmentOutcome(
                    key=key,
                    text=text,
                    span=span,
                    outcome=evidence.outcome if evidence else Outcome.UNKNOWN,
                    evidence=evidence,
                )
            )
        return result


def _any_of(patterns: Sequence[str], flags: int) -> re.Pattern[str] | None:
    """One expression that matches wherever any of the patterns does, to rule text out fast;
    None when they cannot be joined (a backreference, whose group number would shift, or a
    pattern with its own global flags)."""
    if any(_BACKREFERENCE.search(pattern) for pattern in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), flags)
    except re.error:
        return None


def _sentence_of(sentences: Sequence[Span], offset: int) -> int:
    """Index of the sentence holding ``offset`` (the last one starting before it)."""
    index = 0
    for i, sentence in enumerate(sentences):
        if sentence.start <= offset:
            index = i
        else:
            break
    return index


def case_treatment_outcomes(treatments: Iterable[TreatmentOutcome]) -> dict[str, Outcome]:
    """One outcome per treatment key of a case: the last known one, else unknown."""
    outcomes: dict[str, Outcome] = {}
    for treatment in treatments:
        if treatment.outcome is not Outcome.UNKNOWN or treatment.key not in outcomes:
            outcomes[treatment.key] = treatment.outcome
    return outcomes


def treatment_groups(keys: Iterable[str]) -> dict[str, str]:
    """Each treatment key's group: the shortest other key of two or more words it ends with.

    "epidural blood patch" and "lumbar blood patch" are the "blood patch" that another case
    names without saying where; one-word keys group nothing ("spinal surgery" stays apart from
    "surgery", which may be any operation).
    """
    distinct = set(keys)
    groups: dict[str, str] = {}
    for key in distinct:
        words = key.split(" ")
        tails = (" ".join(words[i:]) for i in range(len(words) - 2, 0, -1))
        groups[key] = next((tail for tail in tails if tail in distinct), key)
    return groups


def tally(cases: Sequence[tuple[str, Sequence[TreatmentOutcome]]]) -> list[TreatmentTally]:
    """Treatments across cases with the outcomes that followed, each cell linked to its cases.

    Args:
        cases: ``(case id, its treatments)`` in rank order.

    Returns:
        One row per treatment group (``treatment_groups``), the most often used first (ties by
        name); a case counts once per group, with its last known outcome. A group is named by
        its most common wording.
    """
    groups = treatment_groups(t.key for _, treatments in cases for t in treatments)
    rows: dict[str, dict[Outcome, list[str]]] = {}
    users: dict[str, list[str]] = {}
    wordings: dict[str, Counter[str]] = {}
    for case_id, treatments in cases:
        grouped = [replace(t, key=groups[t.key]) for t in treatments]
        for treatment in grouped:
            wordings.setdefault(treatment.key, Counter())[treatment.text.lower()] += 1
        for key, outcome in case_treatment_outcomes(grouped).items():
            rows.setdefault(key, {}).setdefault(outcome, []).append(case_id)
            users.setdefault(key, []).append(case_id)
    result = [
        TreatmentTally(
            treatment=min(wordings[key].items(), key=lambda item: (-item[1], item[0]))[0],
            cases=users[key],
            outcomes={o: cells[o] for o in Outcome if o in cells},
        )
        for key, cells in rows.items()
    ]
    result.sort(key=lambda row: (-len(row.cases), row.treatment))
    return result


def describe(row: TreatmentTally) -> str:
    """A tally row in words: ``"blood patch: 3 cases, 2 resolved, 1 improved"``."""
    cells = ", ".join(f"{len(ids)} {outcome.value}" for outcome, ids in row.outcomes.items())
    count = len(row.cases)
    return f"{row.treatment}: {count} case{'s' if count != 1 else ''}, {cells}"
