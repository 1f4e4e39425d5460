"""The CARE check: which of the 13 CARE case-report guideline items a report covers.

CARE (Gagnier JJ, Kienle G, Altman DG, Moher D, Sox H, Riley D; the CARE Group. "The CARE
guidelines: consensus-based clinical case reporting guideline development." Glob Adv Health Med
2013;2(5):38-43; explained in Riley DS et al., J Clin Epidemiol 2017;89:218-235) lists what a case
report should hold: title, keywords, abstract, introduction, patient information, clinical
findings, timeline, diagnostic assessment, therapeutic intervention, follow-up and outcomes,
discussion, patient perspective and informed consent.

``check_care`` reads an analysed ``Case`` with the rules in ``care.json``. An item is covered when
any of its rule's signals is found, each kept as evidence:

* ``format``: what the document's format states (a JATS title, JATS keywords), or for plain text
  a first line that reads as a title (short, no closing punctuation, not a section heading);
* ``sections``: a section of one of the listed kinds ("Discussion", a JATS ``<abstract>``);
* ``patterns``: a sentence matching one of the regular expressions ("informed consent");
* ``mention_types``: a mention of one of those types with one of the listed assertions
  (clinical findings ← ``Sign_symptom``; pertinent negatives count, a relative's findings do
  not).

Timeline asks for a timeline, a heading, table or figure so named: dates told along the narrative
are not what CARE means and do not cover it. The check says what the text shows, not whether it
is good: a heading with nothing under it still counts, and a list of findings counts as clinical
findings however thin.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal, Self

from pydantic import Field, model_validator

from casebook.model import Assertion, Case, EntityType, RecordModel, Span, compile_patterns
from casebook.resources import load_rules

_NOT_FAMILY: list[Assertion] = [a for a in Assertion if a is not Assertion.FAMILY]
_TITLE_END = (".", ":", ";", ",", "!")


class CareItemRule(RecordModel):
    """How one CARE item is recognised, and what to tell the author when it is missing."""

    number: int = Field(ge=1, description="The item's number in the CARE checklist.")
    name: str = Field(pattern=r"^[a-z_]+$", description="Key in reports, e.g. 'timeline'.")
    label: str = Field(min_length=1, description="Name shown to people.")
    guidance: str = Field(min_length=1, description="What CARE asks for, in short.")
    advice: str = Field(min_length=1, description="What to add when the item is missing.")
    format: Literal["title", "keywords"] | None = Field(
        default=None, description="A field the document's format states that covers the item."
    )
    first_line: bool = Field(
        default=False, description="A plain-text first line that reads as a title covers it."
    )
    sections: list[str] = Field(default_factory=list, description="Section kinds that cover it.")
    patterns: list[str] = Field(
        default_factory=list, description="Regexes (case-insensitive) a sentence may match."
    )
    mention_types: list[EntityType] = Field(default_factory=list)
    assertions: list[Assertion] = Field(
        default_factory=lambda: list(_NOT_FAMILY),
        description="Assertions of the mentions that count.",
    )

    @model_validator(mode="after")
    def _patterns_compile(self) -> Self:
        for pattern in self.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
        return self


class CareRules(RecordModel):
    """The CARE items in checklist order (``resources/care.json``)."""

    version: str
    max_evidence: int = Field(ge=1, description="Evidence pieces kept per item.")
    title_max_chars: int = Field(ge=1, description="Longest first line read as a title.")
    items: list[CareItemRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _numbered_in_order(self) -> Self:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"items must be numbered 1, 2, … in order, not {numbers}")
        names = [item.name for item in self.items]
        if len(set(names)) != len(names):
            raise ValueError("item names are not unique")
        return self


class CareEvidence(RecordModel):
    """Something in the report that covers an item, with where it is."""

    kind: Literal["format", "section", "sentence", "mention"]
    words: str = Field(description="The heading, the matched words, the title or the mention.")
    start: int | None = Field(default=None, description="Offset of the evidence in the text.")
    end: int | None = None
    mention: str | None = Field(default=None, description="The supporting mention's id.")
    mention_type: EntityType | None = None


class CareItemReport(RecordModel):
    """Whether one CARE item is covered, the evidence, and what is missing."""

    number: int
    name: str
    label: str
    covered: bool
    evidence: list[CareEvidence] = Field(description="The first pieces of evidence found.")
    evidence_found: int = Field(ge=0, description="All pieces found, shown or not.")
    missing: str | None = Field(description="What to add; None when the item is covered.")


class CareReport(RecordModel):
    """A case report checked against the CARE checklist."""

    case_id: str
    items: list[CareItemReport]
    covered: int = Field(ge=0, description="How many items the report covers.")
    total: int = Field(ge=0, description="How many items were checked (13).")
    score: str = Field(description='The score as people read it: "k of 13 items".')


@cache
def care_rules() -> CareRules:
    """The packaged CARE rules, validated once."""
    return load_rules("care.json", CareRules)


def _format_evidence(case: Case, rule: CareItemRule, max_chars: int) -> list[CareEvidence]:
    title_section = next((s for s in case.sections if s.kind == "title"), None)
    if rule.format == "title" and case.title:
        where = (title_section.start, title_section.end) if title_section else (None, None)
        return [CareEvidence(kind="format", words=case.title, start=where[0], end=where[1])]
    if rule.format == "keywords" and (keywords := case.source.extra.get("keywords")):
        return [CareEvidence(kind="format", words=keywords)]
    if rule.first_line and not case.title:
        line = _title_line(case, max_chars)
        if line is not None:
            words = case.text[line.start : line.end]
            return [CareEvidence(kind="format", words=words, start=line.start, end=line.end)]
    return []


def _title_line(case: Case, max_chars: int) -> Span | None:
    """The first line of a plain text when it reads as a title over more text, else None."""
    text = case.text
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    if end < 0 or not text[end:].strip():
        return None
    line = text[start:end].rstrip()
    # A heading opening the text is no title; the title line the section detector found is.
    headed = any(s.start == start and s.title and s.kind != "title" for s in case.sections)
    if not line or len(line) > max_chars or line.endswith(_TITLE_END) or headed:
        return None
    return Span(start=start, end=start + len(line))


def _section_evidence(case: Case, rule: CareItemRule) -> list[CareEvidence]:
    return [
        CareEvidence(
            kind="section",
            words=section.title or case.text[section.start : section.end][:80],
            start=section.start,
            end=section.end,
        )
        for section in case.sections
        if section.kind in rule.sections
    ]


def _sentence_evidence(case: Case, rule: CareItemRule) -> list[CareEvidence]:
    if not rule.patterns:
        return []
    patterns = compile_patterns(rule.patterns)
    sentences = case.sentences or [Span(start=0, end=len(case.text))]
    found: list[CareEvidence] = []
    for sentence in sentences:
        for pattern in patterns:
            match = pattern.search(case.text, sentence.start, sentence.end)
            if match:
                found.append(
                    CareEvidence(
                        kind="sentence",
                        words=match.group(0),
                        start=sentence.start,
                        end=sentence.end,
                    )
                )
                break
    return found


def _mention_evidence(case: Case, rule: CareItemRule) -> list[CareEvidence]:
    """Supporting mentions, the first of each distinct wording ("headache" once, not thrice)."""
    found: dict[str, CareEvidence] = {}
    for m in case.mentions:
        key = m.text.lower()
        if m.type in rule.mention_types and m.assertion in rule.assertions and key not in found:
            found[key] = CareEvidence(
                kind="mention",
                words=m.text,
                start=m.start,
                end=m.end,
                mention=m.id,
                mention_type=m.type,
            )
    return list(found.values())


def check_item(case: Case, rule: CareItemRule, rules: CareRules) -> CareItemReport:
    """Whether the case covers one CARE item, with the evidence."""
    evidence = (
        _format_evidence(case, rule, rules.title_max_chars)
        + _section_evidence(case, rule)
        + _sentence_evidence(case, rule)
        + _mention_evidence(case, rule)
    )
    return CareItemReport(
        number=rule.number,
        name=rule.name,
        label=rule.label,
        covered=bool(evidence),
        evidence=evidence[: rules.max_evidence],
        evidence_found=len(evidence),
        missing=None if evidence else rule.advice,
    )


def check_care(case: Case, rules: CareRules | None = None) -> CareReport:
    """Check an analysed case report against the CARE checklist (``care.json`` by default)."""
    rules = rules or care_rules()
    items = [check_item(case, rule, rules) for rule in rules.items]
    covered = sum(item.covered for item in items)
    return CareReport(
        case_id=case.id,
        items=items,
        covered=covered,
        total=len(items),
        score=f"{covered} of {len(items)} items",
    )
