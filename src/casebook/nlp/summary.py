"""The clinical summary: the case at a glance, built from mentions, relations and the timeline.

``build_summary`` is a pure function of the case. Mentions of the same thing ("headache" told
three times) become one item that lists every mention id, first mention first, once one of
them qualifies; items are listed in timeline order. Negated, family and hypothetical mentions
are left out, except at follow-up, where "no recurrence" is what a reader wants to know.

* **patient**: the Age and Sex mentions, read as "29-year-old female".
* **presenting problem**: the findings of the anchor's sentence (the first event on day 0),
  else the earliest findings on or after day 0.
* **diagnoses**: Disease_disorder mentions.
* **procedures**: therapeutic procedures that are not treatments of a finding, and any
  procedure that caused something.
* **complications**: findings that are ``caused_by`` something, with their causes.
* **investigations**: diagnostic procedures with their results (``result_of``).
* **treatments**: medications and the therapeutic procedures that treat a finding or had an
  outcome, with what they treated and their outcomes.
* **outcomes**: Outcome mentions and ``outcome_of`` sources, with the treatment they followed.
* **follow-up**: the events told in a sentence with a follow-up time expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from casebook.model import (
    Assertion,
    Case,
    ClinicalSummary,
    EntityType,
    Mention,
    Span,
    SummaryItem,
    SummaryLink,
    age_in_units,
)

FINDINGS = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
PROCEDURES = frozenset({EntityType.DIAGNOSTIC_PROCEDURE, EntityType.THERAPEUTIC_PROCEDURE})
EVENTS = (
    FINDINGS
    | PROCEDURES
    | {
        EntityType.MEDICATION,
        EntityType.OUTCOME,
        EntityType.CLINICAL_EVENT,
        EntityType.ACTIVITY,
        EntityType.OTHER_EVENT,
    }
)
LEFT_OUT = frozenset({Assertion.NEGATED, Assertion.FAMILY, Assertion.HYPOTHETICAL})

_ARTICLES = re.compile(r"^(?:the|a|an|her|his|their)\s+")


@dataclass
class _Group:
    """Mentions of one thing, in text order, and what they are linked to."""

    mentions: list[Mention]
    links: dict[str, list[Mention]] = field(default_factory=dict)


class SummaryBuilder:
    """Sets ``Case.summary`` with ``build_summary``."""

    name = "summary"
    requires: frozenset[str] = frozenset({"mentions", "sentences", "timeline", "times"})
    assigns: frozenset[str] = frozenset({"summary"})

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with its clinical summary."""
        return case.model_copy(update={"summary": build_summary(case)})


def build_summary(case: Case) -> ClinicalSummary:
    """The clinical summary of a case whose mentions, relations and timeline are set."""
    by_id = {m.id: m for m in case.mentions}
    order = {e.mention: e.order for e in case.timeline}
    days = {e.mention: e.offset_days for e in case.timeline}
    kept = [m for m in case.mentions if m.assertion not in LEFT_OUT]
    # What makes mentions the same thing, worked out once per mention (ids are unique).
    keys = {m.id: _key(m) for m in case.mentions}
    kept_keys = [(m, keys[m.id]) for m in kept]

    def linked(kind: str, *, from_source: bool) -> dict[str, list[Mention]]:
        """Mention id → the mentions at the other end of its relations of ``kind``."""
        table: dict[str, list[Mention]] = {}
        for relation in case.relations:
            if relation.type != kind:
                continue
            here, there = (
                (relation.source, relation.target)
                if from_source
                else (relation.target, relation.source)
            )
            other = by_id.get(there)
            if other is not None and other.assertion not in LEFT_OUT:
                table.setdefault(here, []).append(other)
        return table

    causes = linked("caused_by", from_source=True)
    effects = linked("caused_by", from_source=False)
    results = linked("result_of", from_source=False)
    treats = linked("treated_by", from_source=False)
    outcomes_of = linked("outcome_of", from_source=False)
    after = linked("outcome_of", from_source=True)
    treatments = [
        m
        for m in kept
        if m.type is EntityType.MEDICATION
        or (m.type is EntityType.THERAPEUTIC_PROCEDURE and (m.id in treats or m.id in outcomes_of))
    ]
    treatment_ids = {m.id for m in treatments}

    def items(
        mentions: Iterable[Mention], links: dict[str, dict[str, list[Mention]]] | None = None
    ) -> list[SummaryItem]:
        chosen = list(mentions)
        wanted = {keys[m.id] for m in chosen}
        # Other mentions of the same thing join the item ("the CSF leak" told again later).
        # Mention ids are unique in a case: the same id is the same mention.
        ids = {m.id for m in chosen}
        chosen += [m for m, key in kept_keys if key in wanted and m.id not in ids]
        return _items(chosen, links or {}, order, days, keys)

    return ClinicalSummary(
        patient=_patient(case),
        presenting_problem=items(_presenting(case, kept, order, days)),
        diagnoses=items(m for m in kept if m.type is EntityType.DISEASE_DISORDER),
        procedures=items(
            m
            for m in kept
            if (m.type is EntityType.THERAPEUTIC_PROCEDURE and m.id not in treatment_ids)
            or (m.type in PROCEDURES and m.id in effects)
        ),
        complications=items(
            (m for m in kept if m.id in causes and m.type in FINDINGS | {EntityType.OUTCOME}),
            {"caused_by": causes},
        ),
        investigations=items(
            (m for m in kept if m.type is EntityType.DIAGNOSTIC_PROCEDURE), {"result": results}
        ),
        treatments=items(treatments, {"treats": treats, "outcome": outcomes_of}),
        outcomes=items(
            (m for m in kept if m.type is EntityType.OUTCOME or m.id in after), {"after": after}
        ),
        follow_up=items(_follow_up(case)),
    )


def _key(mention: Mention) -> tuple[str, str]:
    """What makes two mentions the same thing: their type family and normalised words."""
    words = " ".join((mention.expansion or mention.text).lower().split())
    family = "finding" if mention.type in FINDINGS else mention.type.value
    return family, _ARTICLES.sub("", words)


def _items(
    mentions: Iterable[Mention],
    links: dict[str, dict[str, list[Mention]]],
    order: dict[str, int],
    days: dict[str, float | None],
    keys: dict[str, tuple[str, str]],
) -> list[SummaryItem]:
    groups: dict[tuple[str, str], _Group] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        group = groups.setdefault(keys[mention.id], _Group(mentions=[]))
        group.mentions.append(mention)
        for relation, table in links.items():
            group.links.setdefault(relation, []).extend(table.get(mention.id, []))
    ranked = sorted(
        groups.values(),
        key=lambda g: (order.get(g.mentions[0].id, len(order)), g.mentions[0].start),
    )
    return [_item(group, days, keys) for group in ranked]


def _item(
    group: _Group, days: dict[str, float | None], keys: dict[str, tuple[str, str]]
) -> SummaryItem:
    first = group.mentions[0]
    related: list[SummaryLink] = []
    for relation, others in group.links.items():
        by_thing: dict[tuple[str, str], list[Mention]] = {}
        for other in sorted(others, key=lambda m: m.start):
            by_thing.setdefault(keys[other.id], []).append(other)
        for same in by_thing.values():
            related.append(
                SummaryLink(
                    relation=relation,
                    text=same[0].expansion or same[0].text,
                    mentions=_unique_ids(same),
                )
            )
    return SummaryItem(
        text=first.expansion or first.text,
        mentions=_unique_ids(group.mentions),
        assertion=first.assertion,
        offset_days=days.get(first.id),
        related=related,
    )


def _unique_ids(mentions: Sequence[Mention]) -> list[str]:
    return list(dict.fromkeys(m.id for m in mentions))


def _patient(case: Case) -> SummaryItem | None:
    ages = [m for m in case.mentions if m.type is EntityType.AGE]
    sexes = [m for m in case.mentions if m.type is EntityType.SEX]
    chosen = ages[:1] + sexes[:1]
    if not chosen:
        return None
    age = case.patient.age_years
    sex = case.patient.sex.value if case.patient.sex else None
    words = [_age_words(age) if age is not None else "", sex or ""]
    text = " ".join(w for w in words if w) or " ".join(m.text for m in chosen)
    return SummaryItem(text=text, mentions=[m.id for m in chosen])


def _age_words(years: float) -> str:
    """The age as a case report writes it: "29-year-old", "8-month-old"."""
    value, unit = age_in_units(years)
    return f"{value:g}-{unit}-old"


def _sentence_of(sentences: Sequence[Span], mention: Mention) -> Span | None:
    return next((s for s in sentences if s.start <= mention.start < s.end), None)


def _presenting(
    case: Case, kept: Sequence[Mention], order: dict[str, int], days: dict[str, float | None]
) -> list[Mention]:
    findings = [m for m in kept if m.type in FINDINGS and m.id in order]
    placed = sorted((m for m in case.mentions if m.id in order), key=lambda m: order[m.id])
    anchor = next((m for m in placed if days.get(m.id) == 0), None)
    if anchor is None:
        return []
    sentence = _sentence_of(case.sentences, anchor)
    if sentence is not None:
        told = [m for m in findings if sentence.start <= m.start < sentence.end]
        if told:
            return told
    later = [m for m in findings if (days.get(m.id) or 0.0) >= 0 and days.get(m.id) is not None]
    if not later:
        return []
    first = min(order[m.id] for m in later)
    return [m for m in later if order[m.id] == first]


def _follow_up(case: Case) -> list[Mention]:
    found: list[Mention] = []
    placed = {e.mention for e in case.timeline}
    for time in case.times:
        if time.kind != "follow_up":
            continue
        sentence = next(
            (s for s in case.sentences if s.start <= time.start < s.end),
            Span(start=time.start, end=time.end),
        )
        found += [
            m
            for m in case.mentions
            if m.type in EVENTS
            and (m.id in placed or m.assertion is Assertion.NEGATED)
            and sentence.start <= m.start < sentence.end
            and m.assertion not in {Assertion.FAMILY, Assertion.HYPOTHETICAL}
        ]
    return found
