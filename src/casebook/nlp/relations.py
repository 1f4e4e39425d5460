"""Relations between mentions: what caused a finding, what a test showed, what treated what.

``RelationFinder`` reads ``relations.json`` and links mentions of one sentence by two kinds of
rule:

* **Trigger rules.** A trigger phrase ("secondary to", "revealed", "treated with" …) sits
  between the two mentions. With ``order`` ``source_first`` the relation's source is the nearest
  mention of a ``source_types`` type before the trigger and its target the nearest mention of a
  ``target_types`` type after it ("headache *due to* meningitis": headache ``caused_by``
  meningitis); ``target_first`` reads the other way ("surgery *complicated by* a leak": leak
  ``caused_by`` surgery). "Nearest" counts the words between mention and trigger, where
  ``skip_words`` and the words of modifier mentions of ``free_types`` ("at the L5/S1 level") do
  not count; a
  ``boundaries`` token (";", "but" …) in between blocks the link, and ``max_before`` /
  ``max_after`` bound the words either side. With ``list_after``, every mention of the right
  type after the trigger up to the next boundary is linked, because a test often reveals a list
  of findings and a patient is often treated with several drugs.
* **Modifier rules.** ``AttributeLinker`` has already tied modifiers to their events with
  ``modifies`` relations; a modifier rule names the typed relation such a link also is (a
  Biological_structure modifying a finding is its ``site_of``, a Dosage modifying a Medication
  its ``dosage_of``, a Lab_value modifying a Diagnostic_procedure its ``result_of``).

Every relation reads "source *type* target": ``caused_by`` (complication → what caused it),
``result_of`` (finding or value → the investigation), ``treated_by`` (finding → treatment),
``outcome_of`` (outcome → treatment), ``site_of`` (site → finding or procedure), ``dosage_of``
(dosage → medication).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casebook.kb.base import normalize_tokens
from casebook.model import Assertion, Case, EntityType, Mention, Relation, Span
from casebook.nlp.patterns import PatternSet, phrase_alternation
from casebook.resources import load_rules

_WORD = re.compile(r"\w+|[^\w\s]")


class RelationType(StrEnum):
    """The typed relations the finder produces."""

    CAUSED_BY = "caused_by"
    RESULT_OF = "result_of"
    TREATED_BY = "treated_by"
    OUTCOME_OF = "outcome_of"
    SITE_OF = "site_of"
    DOSAGE_OF = "dosage_of"


class Order(StrEnum):
    """Which end of the relation comes first in the text."""

    SOURCE_FIRST = "source_first"
    TARGET_FIRST = "target_first"


class TriggerRule(BaseModel):
    """Mentions joined by a trigger phrase, such as "X secondary to Y"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relation: RelationType
    order: Order
    triggers: list[str] = Field(min_length=1, description="Phrases, matched case-insensitively.")
    source_types: list[EntityType] = Field(min_length=1)
    target_types: list[EntityType] = Field(min_length=1)
    max_before: int = Field(
        ge=0, description="Most counted words between the first mention and the trigger."
    )
    max_after: int = Field(
        ge=0, description="Most counted words between the trigger and the (first) mention after it."
    )
    list_after: bool = Field(
        default=False, description="Link every mention after the trigger up to a boundary."
    )
    negated_source: bool = Field(
        default=False, description="Whether a negated mention may be the source ('no mass')."
    )
    relief_words: list[str] = Field(
        default=[],
        description="Lower-case words that, in the first mention's phrase up to the trigger "
        "(from the last boundary or comma before that mention), say the source lessened or "
        "ended ('seizures *reduced* after lamotrigine', 'in *remission* from leukemia'): the "
        "target then helped or ended it and is no cause, so no link is made; or that the two "
        "are told apart ('to *differentiate* mesothelioma from adenocarcinoma').",
    )
    knowing_words: list[str] = Field(
        default=[],
        description="Lower-case words that, between the trigger and the mention after it, say "
        "the first mention made the second known, not that it caused it ('clinical assessment "
        "led to a *suspicion* of cholecystitis', 'resulted in the *diagnosis* of'), or that "
        "it guards against the second ('an ICD for primary *prevention* of sudden cardiac "
        "death'): no link is made.",
    )
    apart_words: list[str] = Field(
        default=[],
        description="Lower-case words that, between the first mention and the trigger, make "
        "the trigger another word's ('lisinopril during a brief *admission* for atypical chest "
        "pain', 'pupil block was believed *responsible* for the glaucoma'): no link is made.",
    )
    reason_words: list[str] = Field(
        default=[],
        description="Lower-case words that, in the first mention's phrase up to the trigger "
        "(as relief words are found), make the trigger give the reason a diagnosis was made "
        "or suspected, not a cause ('he was *diagnosed* with hydrocephalus caused by "
        "meningoencephalitis because of mental confusion', 'pneumonia was *suspected* because "
        "of fever'): no link is made.",
    )
    plan_words: list[str] = Field(
        default=[],
        description="Lower-case words that, right after the trigger, make it tell a plan or "
        "a schedule, not a cause ('osteoarthritis of the knees, and was *due to undergo* knee "
        "replacements'): no link is made.",
    )
    despite_words: list[str] = Field(
        default=[],
        description="Lower-case words that, right before the trigger, make it tell that the "
        "first mention went on in spite of the second, not that the second caused it "
        "('unremitting obstipation *even* following decompressive cecostomy'): no link is made.",
    )
    beside_words: list[str] = Field(
        default=[],
        description="Lower-case words that, between the trigger and the mention after it, end "
        "the words the trigger governs: what follows them was found beside the cause, and is "
        "not it ('sepsis likely secondary to urologic cause *with* leukocytosis'): no link is "
        "made.",
    )
    lessening_words: list[str] = Field(
        default=[],
        description="Lower-case words that, between the trigger and the mention after it, say "
        "the first mention lessened or ended the second, not that it caused it "
        "('chemotherapy resulted in full *regression* of the tumor'): no link is made.",
    )
    reading_heads: list[str] = Field(
        default=[],
        description="Normalised last words of a test that only reads images or material "
        "('histopathology', 'tomography', 'culture'): such a test harms no one, so what it "
        "'resulted in' ('the postoperative histopathology resulted in adenocarcinoma') is no "
        "complication it caused; when the test is the trigger's subject, that is its result, "
        "linked ``result_of`` it.",
    )
    joined_words: list[str] = Field(
        default=[],
        description="Lower-case words that, between the trigger and the mention after it and "
        "after words of no mention, join a second thing to what the trigger governs "
        "('psychosis secondary to polysubstance abuse *and* pneumomediastinum', the abuse "
        "no mention): the mention after is that thing's or the first mention's fellow, not "
        "told to be the cause, so no link is made.",
    )
    ending_words: list[str] = Field(
        default=[],
        description="Lower-case words that, from the trigger to the end of the mention after "
        "it, say a treatment ended ('died soon after *extubation*', 'improved after "
        "*withdrawal* of amiodarone'): what followed its end is no outcome of it, so no link "
        "is made.",
    )


class ModifierRule(BaseModel):
    """A ``modifies`` link of these types that is also a typed relation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relation: RelationType
    modifier: EntityType
    targets: list[EntityType] = Field(min_length=1)


class MeasureRule(BaseModel):
    """What a kind of test measures, and the units its values are told in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    test_words: list[str] = Field(
        min_length=1, description="Lower-case words, one of which names a test of this measure."
    )
    units: str = Field(
        min_length=1, description="A regex, matched case-insensitively, of the measure's units."
    )

    @model_validator(mode="after")
    def _compiles(self) -> Self:
        try:
            re.compile(self.units)
        except re.error as exc:
            raise ValueError(f"units {self.units!r} is not a regex: {exc}") from exc
        return self


class RelationRules(BaseModel):
    """The rule file ``relations.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    skip_words: list[str] = Field(description="Lower-case words not counted in distances.")
    boundaries: list[str] = Field(description="Lower-case tokens no link crosses.")
    free_types: list[EntityType] = Field(
        description="Mention types whose words are not counted in distances (sites, values …)."
    )
    max_list: int = Field(ge=0, description="Counted words a list_after run may span.")
    rules: list[TriggerRule]
    from_modifiers: list[ModifierRule]
    measures: list[MeasureRule] = Field(
        default=[],
        description="A value in one measure's units is no result of a test of another "
        "('blood pressure 130/85 mmHg, 98 beats/min': the rate is not the pressure's).",
    )

    @model_validator(mode="after")
    def _lower_case_triggers(self) -> Self:
        for rule in self.rules:
            for trigger in rule.triggers:
                if trigger != trigger.lower() or not trigger.strip():
                    raise ValueError(f"trigger {trigger!r} must be lower case and not empty")
            for word in (
                rule.relief_words
                + rule.knowing_words
                + rule.lessening_words
                + rule.apart_words
                + rule.reason_words
                + rule.plan_words
                + rule.despite_words
                + rule.beside_words
                + rule.ending_words
                + rule.reading_heads
                + rule.joined_words
            ):
                if word != word.lower() or not word.isalpha():
                    raise ValueError(
                        f"relief, knowing or lessening word {word!r} must be one lower-case word"
                    )
        return self


@dataclass(frozen=True, slots=True)
class _Trigger:
    rule: TriggerRule
    start: int
    end: int


class RelationFinder:
    """Adds typed relations between the mentions of each sentence.

    Args:
        rules: A packaged rule file name or a path to one's own rule file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    name = "relations"
    requires: frozenset[str] = frozenset({"text", "sentences", "mentions", "relations.modifies"})
    assigns: frozenset[str] = frozenset({f"relations.{kind.value}" for kind in RelationType})

    def __init__(self, rules: str | Path = "relations.json") -> None:
        self.rules = load_rules(rules, RelationRules)
        self._skip = frozenset(self.rules.skip_words)
        self._boundaries = frozenset(self.rules.boundaries)
        self._free = frozenset(self.rules.free_types)
        self._patterns = PatternSet([_phrase_pattern(rule.triggers) for rule in self.rules.rules])
        self._units = [
            (measure.name, re.compile(measure.units, re.IGNORECASE))
            for measure in self.rules.measures
        ]
        self._measured_by = {
            word: measure.name for measure in self.rules.measures for word in measure.test_words
        }

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with its typed relations added (existing ones are kept)."""
        found: list[Relation] = list(case.relations)
        known = {(r.type, r.source, r.target) for r in found}

        def add(kind: RelationType, source: str, target: str) -> None:
            key = (kind.value, source, target)
            if source != target and key not in known:
                known.add(key)
                found.append(Relation(type=kind.value, source=source, target=target))

        for relation in self._from_modifiers(case):
            add(RelationType(relation.type), relation.source, relation.target)
        for sentence, members in _by_sentence(case.sentences, case.mentions):
            for kind, source, target in self._triggered(case.text, sentence, members):
                add(kind, source, target)
        return case.model_copy(update={"relations": found})

    def _from_modifiers(self, case: Case) -> list[Relation]:
        by_id = {m.id: m for m in case.mentions}
        types = {m.id: m.type for m in case.mentions}
        typed: list[Relation] = []
        for relation in case.relations:
            if relation.type != "modifies":
                continue
            for rule in self.rules.from_modifiers:
                if (
                    types.get(relation.source) == rule.modifier
                    and types.get(relation.target) in rule.targets
                    and not (
                        rule.relation is RelationType.RESULT_OF
                        and self._misfits(by_id[relation.source], by_id[relation.target])
                    )
                ):
                    typed.append(
                        Relation(
                            type=rule.relation.value,
                            source=relation.source,
                            target=relation.target,
                        )
                    )
        return typed

    def _misfits(self, value: Mention, test: Mention) -> bool:
        """Whether the value is told in the units of a measure the test does not measure,
        while the test's words name another ("blood pressure" and "98 beats/min")."""
        measured = {
            self._measured_by[word]
            for word in _WORD.findall(test.text.lower())
            if word in self._measured_by
        }
        if not measured:
            return False
        told = next((name for name, units in self._units if units.search(value.text)), None)
        return told is not None and told not in measured

    def _triggered(
        self, text: str, sentence: Span, members: Sequence[Mention]
    ) -> list[tuple[RelationType, str, str]]:
        """(type, source id, target id) of the trigger rules that fire in one sentence."""
        links: list[tuple[RelationType, str, str]] = []
        purposes: set[tuple[str, str]] = set()  # (finding, treatment) a "for" names
        for trigger in self._triggers(text, sentence, members):
            rule = trigger.rule
            first_types, second_types = (
                (rule.source_types, rule.target_types)
                if rule.order is Order.SOURCE_FIRST
                else (rule.target_types, rule.source_types)
            )
            before = self._nearest_before(text, trigger, members, frozenset(first_types))
            if before is None or self._relieved(text, sentence.start, before.start, trigger):
                continue
            if (
                self._apart(text, before.end, trigger)
                or self._planned(text, trigger)
                or self._despite(text, before.end, trigger)
            ):
                continue
            after = self._after(
                text, trigger, members, frozenset(second_types), frozenset(first_types)
            )
            for second in after:
                if (
                    self._knowing(text, trigger, second)
                    or self._beside(text, trigger, second)
                    or self._ending(text, trigger, second)
                    or self._joined(text, trigger, second, members)
                ):
                    continue
                source, target = (
                    (before, second) if rule.order is Order.SOURCE_FIRST else (second, before)
                )
                if source.assertion is Assertion.NEGATED and not rule.negated_source:
                    continue
                if _head(source) == _head(target):
                    # "a mixed form of DTC and MTC, the relapse being due to MTC", "curettage
                    # of the focal lesion … due to the possibility of the lesion being …": one
                    # thing named twice neither causes nor treats itself.
                    continue
                if (
                    target.type is EntityType.DIAGNOSTIC_PROCEDURE
                    and _head(target) in rule.reading_heads
                ):
                    # Only the test the trigger tells of finds it: in "a genetics evaluation
                    # for alternate pathologies resulting in paraparesis" the pathologies do,
                    # in "hyperintense on T2-weighted images, causing a compression" the mass.
                    if (
                        source.type in _READ_FINDINGS
                        and target.end <= trigger.start
                        and "," not in text[target.end : trigger.start]
                        and self._distance(text, target.end, trigger.start, members) == 0
                    ):
                        links.append((RelationType.RESULT_OF, source.id, target.id))
                    continue
                links.append((rule.relation, source.id, target.id))
                if rule.relation is RelationType.TREATED_BY and rule.order is Order.TARGET_FIRST:
                    purposes.add((source.id, target.id))
        # "treated with itraconazole for the fungal infection, and was treated with
        # hydroxychloroquine for the arthritis": a treatment whose own words name what it was
        # for treats that, not the finding told before it.
        purposed = {treatment for _, treatment in purposes}
        return [
            (kind, source, target)
            for kind, source, target in links
            if not (
                kind is RelationType.TREATED_BY
                and target in purposed
                and (source, target) not in purposes
            )
        ]

    def _triggers(self, text: str, sentence: Span, members: Sequence[Mention]) -> list[_Trigger]:
        """Trigger matches in the sentence, outside mentions and not inside a longer trigger.

        "caused by" is one trigger, so the "caused" inside it does not also fire.
        """
        found: list[_Trigger] = []
        each = self._patterns.finditer_each(text, sentence.start, sentence.end)
        for rule, matches in zip(self.rules.rules, each, strict=True):
            for match in matches:
                inside = any(m.start <= match.start() and match.end() <= m.end for m in members)
                if not inside:
                    found.append(_Trigger(rule, match.start(), match.end()))
        return [
            t
            for t in found
            if not any(
                o.start <= t.start and t.end <= o.end and o.end - o.start > t.end - t.start
                for o in found
            )
        ]

    def _relieved(self, text: str, start: int, first: int, trigger: _Trigger) -> bool:
        """Whether a relief or reason word of the rule lies in the first mention's phrase: from
        the last boundary or comma of the sentence before that mention (which starts at
        ``first``) up to the trigger ("the patient *stopped* having seizures and confusion
        after …")."""
        relief = frozenset(trigger.rule.relief_words + trigger.rule.reason_words)
        if not relief:
            return False
        lead = [token.group().lower() for token in _WORD.finditer(text, start, first)]
        cut = max(
            (i + 1 for i, word in enumerate(lead) if word in self._boundaries or word == ","),
            default=0,
        )
        words = lead[cut:] + [
            token.group().lower() for token in _WORD.finditer(text, first, trigger.start)
        ]
        return any(word in relief for word in words)

    @staticmethod
    def _apart(text: str, first_end: int, trigger: _Trigger) -> bool:
        """Whether an apart word of the rule lies between the first mention, which ends at
        ``first_end``, and the trigger ("lisinopril during a brief *admission* for …")."""
        apart = frozenset(trigger.rule.apart_words)
        return bool(apart) and any(
            token.group().lower() in apart
            for token in _WORD.finditer(text, first_end, trigger.start)
        )

    @staticmethod
    def _planned(text: str, trigger: _Trigger) -> bool:
        """Whether the word right after the trigger is a plan word of the rule ("*due to*
        *undergo* …")."""
        plan = frozenset(trigger.rule.plan_words)
        following = _WORD.search(text, trigger.end)
        return bool(plan) and following is not None and following.group().lower() in plan

    @staticmethod
    def _despite(text: str, first_end: int, trigger: _Trigger) -> bool:
        """Whether the word right before the trigger, after the first mention (which ends at
        ``first_end``), is a despite word of the rule ("… obstipation *even* following …")."""
        despite = frozenset(trigger.rule.despite_words)
        words = [token.group().lower() for token in _WORD.finditer(text, first_end, trigger.start)]
        return bool(despite) and bool(words) and words[-1] in despite

    @staticmethod
    def _beside(text: str, trigger: _Trigger, second: Mention) -> bool:
        """Whether a beside word of the rule lies between the trigger and the mention after it
        ("secondary to urologic cause *with* leukocytosis")."""
        beside = frozenset(trigger.rule.beside_words)
        return bool(beside) and any(
            token.group().lower() in beside
            for token in _WORD.finditer(text, trigger.end, second.start)
        )

    @staticmethod
    def _ending(text: str, trigger: _Trigger, second: Mention) -> bool:
        """Whether an ending word of the rule lies from the trigger to the end of the mention
        after it ("died after *extubation*")."""
        ending = frozenset(trigger.rule.ending_words)
        return bool(ending) and any(
            token.group().lower() in ending
            for token in _WORD.finditer(text, trigger.end, second.end)
        )

    def _joined(
        self, text: str, trigger: _Trigger, second: Mention, members: Sequence[Mention]
    ) -> bool:
        """Whether a joined word of the rule lies between the trigger and the mention after it,
        after counted words of no mention ("secondary to polysubstance abuse *and* …")."""
        joined = frozenset(trigger.rule.joined_words)
        if not joined:
            return False
        # Two such words at least: one may be an adjective the two things share ("due to
        # severe and persistent hypertension").
        unnamed = 0
        for token in _WORD.finditer(text, trigger.end, second.start):
            word = token.group().lower()
            if word in joined and unnamed >= 2:
                return True
            if not any(m.start <= token.start() and token.end() <= m.end for m in members) and (
                word not in self._skip and word not in joined and word[0].isalnum()
            ):
                unnamed += 1
        return False

    @staticmethod
    def _knowing(text: str, trigger: _Trigger, second: Mention) -> bool:
        """Whether a knowing or lessening word of the rule lies between the trigger and the
        mention after it ("led to a *suspicion* of …", "resulted in *regression* of …"), or in
        that mention when it is an outcome ("led to eventual *resolution*"): a decrease that is
        a finding ("resulted in reduced vision") is still caused."""
        end = second.end if second.type is EntityType.OUTCOME else second.start
        knowing = frozenset(trigger.rule.knowing_words + trigger.rule.lessening_words)
        return bool(knowing) and any(
            token.group().lower() in knowing for token in _WORD.finditer(text, trigger.end, end)
        )

    def _distance(self, text: str, start: int, end: int, members: Sequence[Mention]) -> float:
        """Counted words in ``text[start:end]``; ``inf`` when a boundary lies there."""
        count = 0
        free = [m for m in members if m.type in self._free]
        for token in _WORD.finditer(text, start, end):
            if any(m.start <= token.start() and token.end() <= m.end for m in free):
                continue
            word = token.group().lower()
            if word in self._boundaries:
                return float("inf")
            if word in self._skip or not (word[0].isalnum() or word[0] == "_"):
                continue
            count += 1
        return float(count)

    def _nearest_before(
        self,
        text: str,
        trigger: _Trigger,
        members: Sequence[Mention],
        types: frozenset[EntityType],
    ) -> Mention | None:
        best: tuple[float, int] | None = None
        chosen: Mention | None = None
        for mention in members:
            if mention.type not in types or mention.end > trigger.start:
                continue
            if any(o.start <= mention.start and mention.end < o.end for o in members):
                # What a trigger follows is the longer mention's thing: in "pain control
                # following X" the control followed X, not the pain.
                continue
            distance = self._distance(text, mention.end, trigger.start, members)
            if distance > trigger.rule.max_before or _aside_opens(text, mention.end, trigger.start):
                continue
            key = (distance, -mention.end)
            if best is None or key < best:
                best, chosen = key, mention
        return chosen

    def _after(
        self,
        text: str,
        trigger: _Trigger,
        members: Sequence[Mention],
        types: frozenset[EntityType],
        stop_types: frozenset[EntityType],
    ) -> list[Mention]:
        """The nearest mention of ``types`` after the trigger, or the listed run of them.

        A mention of ``stop_types`` (the other end's types) ends the run: "CT revealed A and
        MRI showed B" does not link B to the CT. The first mention lies before any comma after
        the trigger: past one, the words the trigger governs ("the trauma caused by the loose
        denture, an ulcer …") have ended.
        """
        candidates = sorted(
            (m for m in members if m.start >= trigger.end and m.type in types | stop_types),
            key=lambda m: m.start,
        )
        linked: list[Mention] = []
        for mention in candidates:
            if mention.type not in types:
                break
            distance = self._distance(text, trigger.end, mention.start, members)
            limit = self.rules.max_list if linked else trigger.rule.max_after
            if distance > limit or (not linked and "," in text[trigger.end : mention.start]):
                break
            linked.append(mention)
            if not trigger.rule.list_after:
                break
        return linked


_READ_FINDINGS = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
"""What a test's reading finds: a finding, linked ``result_of`` the test."""


def _aside_opens(text: str, start: int, end: int) -> bool:
    """Whether an aside opens between a mention, which ends at ``start``, and a trigger at
    ``end``, with words of its own before the trigger ("atypical organisms (of special
    interest due to his hypoxemia"): the trigger is the aside's. An aside the trigger opens
    ("headache (due to meningitis)") goes on telling the mention."""
    opening = text.rfind("(", start, end)
    return (
        opening >= 0
        and text.find(")", opening, end) < 0
        and _WORD.search(text, opening + 1, end) is not None
    )


def _head(mention: Mention) -> str:
    """The last word of what a mention names (its long form), for telling one thing named
    twice: "focal lesion" and "lesion", "MTC" and "MTC"."""
    words = normalize_tokens(mention.expansion or mention.text)
    return words[-1] if words else ""


def _phrase_pattern(phrases: Sequence[str]) -> str:
    """One regex matching any phrase as whole words after ``WORD_START``, longest first,
    spaces as any whitespace."""
    return rf"(?:{phrase_alternation(phrases)})(?![\w-])"


def _by_sentence(
    sentences: Sequence[Span], mentions: Sequence[Mention]
) -> list[tuple[Span, list[Mention]]]:
    """Each sentence with the mentions that start in it, sentences in text order."""
    ordered = sorted(sentences, key=lambda s: s.start)
    starts = [s.start for s in ordered]
    groups: dict[int, list[Mention]] = {}
    for mention in mentions:
        index = bisect_left(starts, mention.start + 1) - 1
        if index >= 0 and mention.start < ordered[index].end:
            groups.setdefault(index, []).append(mention)
    return [(ordered[k], sorted(groups[k], key=lambda m: m.start)) for k in sorted(groups)]
