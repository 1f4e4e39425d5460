"""What was done, and how it turned out: treatments and their outcomes across similar cases.

Outcome statements are found by the rules of ``resources/outcomes.json``: each rule names an
outcome (resolved, improved, unchanged, worsened, died) and regular expressions, matched
case-insensitively in every sentence of a case and in its Outcome mentions. Rules are tried in
file order and, where two matches overlap, the earlier rule wins, so "no improvement" is
*unchanged* although it contains "improvement", and "no recurrence" is *resolved*. Sentences
of sections about the literature or other patients (``casebook.search.treatments``) state no
outcome of the patient's.

The treatments are those ``casebook.search.treatments`` finds: therapeutic procedures and
medications the patient had, each under one name. A treatment's outcome is the last outcome
statement that follows it, in its own sentence or the ``window_sentences`` after it, stopping
before a sentence that names another treatment or a birth (case reports tell events in order,
and the last word is how the patient ended up), or that the case's relations tie to it: the
Outcome an ``outcome_of`` relation links to it ("a blood patch, following which she reported
improvement") and the words between it and a finding a ``treated_by`` relation links to it
("the headache resolved after caffeine"). It is *unknown* when there is none. The tally over a
list of cases counts, per treatment, the cases with each outcome and links every cell to them.
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
from casebook.model import (
    Assertion,
    Case,
    EntityType,
    Outcome,
    Patterns,
    RecordModel,
    Span,
    TreatmentTally,
)
from casebook.resources import load_rules
from casebook.search.treatments import (
    FoundTreatment,
    TreatmentFinder,
    TreatmentNames,
    packaged_treatment_names,
    sentence_index,
    treatment_words,
)

RESOURCE = "outcomes.json"

_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")
_WORDS = re.compile(r"\w+")


class OutcomeRule(RecordModel):
    """Patterns that state one outcome."""

    outcome: Outcome
    patterns: Patterns = Field(min_length=1, description="Regular expressions, any case.")

    @field_validator("outcome")
    @classmethod
    def _known(cls, value: Outcome) -> Outcome:
        if value is Outcome.UNKNOWN:
            raise ValueError("'unknown' is what no rule says; it cannot have patterns")
        return value


class OutcomeRules(RecordModel):
    """The schema of ``outcomes.json``."""

    version: str = Field(min_length=1)
    window_sentences: int = Field(
        ge=0, description="Sentences after a treatment's own in which its outcome is sought."
    )
    tied_words: int = Field(
        ge=0,
        description="Most words between a treatment and an outcome statement before it that a "
        "treated_by relation ties to it (the trigger rules of relations.json allow as many "
        "after their trigger).",
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
        key: What the tally groups by: the treatment's concept or normalised words
            (``casebook.search.treatments.TreatmentNames``).
        text: The treatment's words as written.
        span: Where the treatment is mentioned.
        outcome: The outcome that followed; ``unknown`` when the text does not say.
        evidence: The outcome statement, when there is one.
        name: The name of its concept in the synonym table, when it has one.
        code: Its one complete treating ICD-10-PCS code, when it has one.
    """

    key: str
    text: str
    span: Span
    outcome: Outcome
    evidence: OutcomeStatement | None
    name: str | None = None
    code: str | None = None


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
        finder: Finds the treatments; one with the packaged rules when None.
    """

    def __init__(
        self, rules: OutcomeRules | None = None, finder: TreatmentFinder | None = None
    ) -> None:
        self.rules = rules or load_outcome_rules()
        self.finder = finder or TreatmentFinder()
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
        excluded = self.finder.excluded(case)
        found: list[OutcomeStatement] = []
        for index, sentence in enumerate(sentences):
            if any(s.start <= sentence.start < s.end for s in excluded):
                continue
            words = case.text[sentence.start : sentence.end]
            found += [
                OutcomeStatement(outcome, sentence.start + s, sentence.start + e, index)
                for outcome, s, e in self.classify(words)
            ]
        for mention in case.mentions:
            if mention.type is not EntityType.OUTCOME or mention.assertion is Assertion.NEGATED:
                continue
            if any(s.start <= mention.start < s.end for s in excluded):
                continue
            if any(s.start < mention.end and mention.start < s.end for s in found):
                continue
            index = sentence_index(sentences, mention.start)
            # the words after the mention decide what it says: "worsened" alone is an outcome,
            # "worsened with neck rotation" a symptom's trigger
            end = max(sentences[index].end, mention.end)
            for outcome, start, _ in self.classify(case.text[mention.start : end]):
                if start < mention.end - mention.start:
                    found.append(OutcomeStatement(outcome, mention.start, mention.end, index))
                break
        return sorted(found, key=lambda s: (s.start, s.end))

    def treatments(
        self, case: Case, statements: Sequence[OutcomeStatement] | None = None
    ) -> list[TreatmentOutcome]:
        """Each treatment of a case with the outcome that followed it, in text order.

        Its outcome is the last of the statements that follow it (from the treatment on,
        through ``window_sentences`` more sentences, never into a later sentence that names
        another treatment or a birth: what follows that is that one's outcome) and those its
        relations tie to it (``related_statements``).

        Args:
            case: An analysed case.
            statements: The case's outcome statements when already found (``statements``).
        """
        found = self.finder.find(case)
        if not found:
            return []
        if statements is None:
            statements = self.statements(case)
        sentences = case.sentences or [Span(start=0, end=len(case.text))]
        at = [sentence_index(sentences, t.span.start) for t in found]
        # What follows a birth is the birth's outcome, or the pregnancy's.
        births = [sentence_index(sentences, b.start) for b in self.finder.births(case)]
        related = related_statements(case, found, statements, self.rules.tied_words)
        result: list[TreatmentOutcome] = []
        for number, (treatment, sentence) in enumerate(zip(found, at, strict=True)):
            last = sentence + self.rules.window_sentences
            later = [
                s for t, s in zip(found, at, strict=True) if s > sentence and t.key != treatment.key
            ] + [s for s in births if s > sentence]
            if later:
                last = min(last, min(later) - 1)
            after = [s for s in statements if s.start >= treatment.span.end and s.sentence <= last]
            chosen = sorted({*after, *related[number]}, key=lambda s: (s.start, s.end))
            evidence = chosen[-1] if chosen else None
            result.append(
                TreatmentOutcome(
                    key=treatment.key,
                    text=treatment.text,
                    span=treatment.span,
                    outcome=evidence.outcome if evidence else Outcome.UNKNOWN,
                    evidence=evidence,
                    name=treatment.name,
                    code=treatment.code,
                )
            )
        return result


def related_statements(
    case: Case,
    found: Sequence[FoundTreatment],
    statements: Sequence[OutcomeStatement],
    tied_words: int,
) -> list[list[OutcomeStatement]]:
    """The outcome statements the case's relations tie to each treatment.

    An ``outcome_of`` relation ties the statement of its Outcome mention ("following which
    she reported *improvement*"). A ``treated_by`` relation from a finding earlier in the
    treatment's sentence ties a statement between the two that ends at most ``tied_words``
    words before the treatment, where the relation's trigger holds the outcome
    ("the headache *resolved* after caffeine", "did *not respond* to steroids"); further back,
    words describe the finding before it was treated ("the headache, which *persisted* for
    days, was treated with caffeine").
    """
    mentions = {m.id: m for m in case.mentions}
    numbers: dict[str, int] = {t.mention: n for n, t in enumerate(found) if t.mention}
    tied: list[list[OutcomeStatement]] = [[] for _ in found]
    for relation in case.relations:
        number = numbers.get(relation.target)
        source = mentions.get(relation.source)
        if number is None or source is None or source.assertion is Assertion.NEGATED:
            continue
        treatment = found[number].span
        if relation.type == "outcome_of":
            tied[number] += [s for s in statements if s.start < source.end and source.start < s.end]
        elif relation.type == "treated_by":
            tied[number] += [
                s
                for s in statements
                if source.end <= s.start
                and s.end <= treatment.start
                and len(_WORDS.findall(case.text, s.end, treatment.start)) <= tied_words
            ]
    return tied


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


def case_treatment_outcomes(treatments: Iterable[TreatmentOutcome]) -> dict[str, Outcome]:
    """One outcome per treatment key of a case: the last known one, else unknown."""
    outcomes: dict[str, Outcome] = {}
    for treatment in treatments:
        if treatment.outcome is not Outcome.UNKNOWN or treatment.key not in outcomes:
            outcomes[treatment.key] = treatment.outcome
    return outcomes


def treatment_groups(
    keys: Iterable[str],
    codes: Iterable[tuple[str, str]] = (),
    names: TreatmentNames | None = None,
) -> dict[str, str]:
    """Each treatment key's group, the keys that name one treatment.

    Keys join when one names the other more precisely: it ends with the other, of two or more
    words ("epidural blood patch" and "lumbar blood patch" are the "blood patch" another case
    names without saying where), or of one word with a procedure's ending such as "ectomy"
    ("laparoscopic cholecystectomy"); or it is the other and a trailing word such as "therapy"
    ("insulin infusion"). Other one-word keys gather nothing ("spinal surgery" stays apart from
    "surgery", which may be any operation). Keys with the same complete ICD-10-PCS code join
    too. A group goes by its key of a listed concept, else its shortest key.

    Args:
        keys: Treatment keys.
        codes: ``(key, ICD-10-PCS code)`` of the treatments that have one.
        names: Says which words are trailing words and procedure endings; the packaged
            synonym table's when None.
    """
    names = names or packaged_treatment_names()
    distinct = set(keys)
    parent = {key: key for key in distinct}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    for key in distinct:
        words = key.split(" ")
        tails = [" ".join(words[i:]) for i in range(len(words) - 1, 0, -1)]
        for tail in tails:
            if tail in distinct and (" " in tail or tail.endswith(names.groupable_suffixes)):
                join(key, tail)
                break
        if len(words) > 1 and names.is_trailing(words[-1]):
            shorter = " ".join(words[:-1])
            if shorter in distinct:
                join(key, shorter)
    first: dict[str, str] = {}
    for key, code in codes:
        if key in distinct:
            join(key, first.setdefault(code, key))
    members: dict[str, list[str]] = {}
    for key in distinct:
        members.setdefault(root(key), []).append(key)
    groups: dict[str, str] = {}
    for keys_of_group in members.values():
        label = min(keys_of_group, key=lambda k: (not names.is_concept(k), len(k.split(" ")), k))
        groups.update(dict.fromkeys(keys_of_group, label))
    return groups


def tally(
    cases: Sequence[tuple[str, Sequence[TreatmentOutcome]]], names: TreatmentNames | None = None
) -> list[TreatmentTally]:
    """Treatments across cases with the outcomes that followed, each cell linked to its cases.

    Args:
        cases: ``(case id, its treatments)`` in rank order.
        names: The treatment names; those of the packaged synonym table when None.

    Returns:
        One row per treatment group (``treatment_groups``), the most often used first (ties by
        name); a case counts once per group, with its last known outcome. A group is named by
        its concept's name in the synonym table, else by the most common wording of its key
        as written, else by its key.
    """
    names = names or packaged_treatment_names()
    everything = [t for _, treatments in cases for t in treatments]
    groups = treatment_groups(
        (t.key for t in everything), ((t.key, t.code) for t in everything if t.code), names
    )
    rows: dict[str, dict[Outcome, list[str]]] = {}
    users: dict[str, list[str]] = {}
    wordings: dict[str, Counter[str]] = {}
    concepts: dict[str, str] = {}
    for treatment in everything:
        if treatment.name is not None:
            concepts[treatment.key] = treatment.name
        if treatment_words(treatment.text) == treatment.key:
            wordings.setdefault(treatment.key, Counter())[treatment.text.lower()] += 1
    for case_id, treatments in cases:
        grouped = [replace(t, key=groups[t.key]) for t in treatments]
        for key, outcome in case_treatment_outcomes(grouped).items():
            rows.setdefault(key, {}).setdefault(outcome, []).append(case_id)
            users.setdefault(key, []).append(case_id)

    def shown(key: str) -> str:
        if key in concepts:
            return concepts[key]
        if key in wordings:
            return min(wordings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        return key

    result = [
        TreatmentTally(
            treatment=shown(key),
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
