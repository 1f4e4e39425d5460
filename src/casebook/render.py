"""Terminal rendering of cases with Rich; no analysis happens here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from casebook.model import (
    Assertion,
    Case,
    EntityType,
    FactWords,
    Mention,
    Outcome,
    SimilarCase,
    TreatmentTally,
)

TYPE_COLOURS: dict[EntityType, str] = {
    EntityType.SIGN_SYMPTOM: "red",
    EntityType.DISEASE_DISORDER: "magenta",
    EntityType.DIAGNOSTIC_PROCEDURE: "cyan",
    EntityType.THERAPEUTIC_PROCEDURE: "green",
    EntityType.MEDICATION: "bright_green",
    EntityType.LAB_VALUE: "yellow",
    EntityType.BIOLOGICAL_STRUCTURE: "blue",
    EntityType.AGE: "bright_magenta",
    EntityType.SEX: "bright_magenta",
    EntityType.DATE: "bright_cyan",
    EntityType.DURATION: "bright_cyan",
    EntityType.SEVERITY: "bright_red",
    EntityType.OUTCOME: "bright_yellow",
    EntityType.HISTORY: "bright_blue",
    EntityType.FAMILY_HISTORY: "bright_blue",
    EntityType.DOSAGE: "bright_green",
    EntityType.CLINICAL_EVENT: "white",
}
"""Colours of the types a reader looks for first; other types are shown dim."""

ASSERTION_MARKS: dict[Assertion, str] = {
    Assertion.NEGATED: "struck through",
    Assertion.UNCERTAIN: "underlined, ?",
    Assertion.HYPOTHETICAL: "italic, ?if",
    Assertion.HISTORICAL: "dim",
    Assertion.FAMILY: "italic, (family)",
}


def _style(mention: Mention) -> Style:
    colour = TYPE_COLOURS.get(mention.type)
    style = Style(color=colour, bold=True) if colour else Style(dim=True)
    marks = {
        Assertion.NEGATED: Style(strike=True),
        Assertion.UNCERTAIN: Style(underline=True),
        Assertion.HYPOTHETICAL: Style(italic=True),
        Assertion.HISTORICAL: Style(dim=True),
        Assertion.FAMILY: Style(italic=True),
    }
    return style + marks.get(mention.assertion, Style())


def highlighted_text(case: Case) -> Text:
    """The case text with mentions coloured by type and marked by assertion.

    Where mentions nest, the inner one is drawn over the outer one.
    """
    text = Text(case.text)
    for mention in sorted(case.mentions, key=lambda m: (m.start, -(m.end - m.start))):
        text.stylize(_style(mention), mention.start, mention.end)
    return text


def legend(case: Case) -> Text:
    """A key to the colours of the types present and to the assertion marks."""
    present = {m.type for m in case.mentions}
    legend = Text("Key: ")
    for kind, colour in TYPE_COLOURS.items():
        if kind in present:
            legend.append(kind.value, Style(color=colour, bold=True)).append("  ")
    for assertion, mark in ASSERTION_MARKS.items():
        legend.append(f"{assertion.value}: {mark}  ", Style(dim=True))
    return legend


def _patient_line(case: Case) -> Text:
    age = case.patient.age_years
    age_text = "age unknown" if age is None else f"{age:g} years"
    sex_text = case.patient.sex.value if case.patient.sex else "sex unknown"
    return Text.assemble(("Patient: ", "bold"), f"{age_text}, {sex_text}")


def _sections_table(case: Case) -> Table:
    table = Table(title="Sections", expand=False)
    table.add_column("kind")
    table.add_column("title")
    table.add_column("chars", justify="right")
    table.add_column("sentences", justify="right")
    for section in case.sections:
        sentences = sum(
            1 for s in case.sentences if s.start >= section.start and s.end <= section.end
        )
        table.add_row(
            section.kind, section.title or "—", f"{section.start}–{section.end}", str(sentences)
        )
    return table


def _mention_label(mention: Mention) -> Text:
    label = Text(mention.text, _style(mention))
    if mention.expansion:
        label.append(f" = {mention.expansion}", Style(dim=True))
    if mention.assertion is not Assertion.PRESENT:
        label.append(f" [{mention.assertion.value}]")
    for attribute in mention.attributes:
        shown = attribute.value or attribute.text
        unit = f" {attribute.unit}" if attribute.unit else ""
        label.append(f"  {attribute.name}: {shown}{unit}", Style(dim=True))
    return label


def _mentions_table(case: Case) -> Table:
    """Mentions grouped by type, with assertion and attributes."""
    grouped: dict[EntityType, list[Mention]] = defaultdict(list)
    for mention in sorted(case.mentions, key=lambda m: m.start):
        grouped[mention.type].append(mention)
    table = Table(title="Mentions by type", expand=False, show_lines=True)
    table.add_column("type")
    table.add_column("mentions")
    for kind in sorted(grouped, key=lambda k: (k not in TYPE_COLOURS, k.value)):
        table.add_row(kind.value, Text("\n").join(_mention_label(m) for m in grouped[kind]))
    return table


def _codes_table(case: Case, per_system: int = 8) -> Table:
    """The case's best codes in each vocabulary, with the words that support them."""
    table = Table(title="Codes", expand=False)
    for column in ("system", "code", "display", "score", "evidence"):
        table.add_column(column)
    shown: dict[str, int] = {}
    for code in sorted(case.codes, key=lambda c: (c.system.value, -c.score)):
        shown[code.system.value] = shown.get(code.system.value, 0) + 1
        if shown[code.system.value] > per_system:
            continue
        words = "; ".join(case.text[e.start : e.end] for e in code.evidence[:2])
        table.add_row(code.system.value, code.code, code.display, f"{code.score:.2f}", words)
    return table


def case_summary(case: Case) -> RenderableType:
    """A readable account of one case: patient, the highlighted text, sections, mentions."""
    parts: list[RenderableType] = [
        _patient_line(case),
        Text.assemble(
            ("Source: ", "bold"),
            f"{case.source.format.value} {case.source.path or '(stdin)'}  ",
            ("Found: ", "bold"),
            f"{len(case.sentences)} sentences, {len(case.mentions)} mentions",
        ),
    ]
    if case.mentions:
        parts += [Panel(highlighted_text(case), title="Text"), legend(case)]
    if case.sections:
        parts.append(_sections_table(case))
    if case.mentions:
        parts.append(_mentions_table(case))
    if case.codes:
        parts.append(_codes_table(case))
    return Panel(Group(*parts), title=f"[bold]{case.title or case.id}[/bold]", subtitle=case.id)


def _fact_words(words: Sequence[FactWords]) -> str:
    return " / ".join(f"“{w.text}” [{w.start}:{w.end}]" for w in words) or "(no words)"


def _similar_block(hit: SimilarCase) -> Group:
    patient = ", ".join(
        part
        for part in (
            f"{hit.age_years:g} y" if hit.age_years is not None else "",
            hit.sex.value if hit.sex else "",
        )
        if part
    )
    head = Text()
    head.append(f"{hit.rank}. {hit.id}", style="bold")
    head.append(f"  score {hit.score:.4f}")
    if patient:
        head.append(f"  {patient}")
    if hit.title:
        head.append(f"  {hit.title}", style="italic")
    lines: list[RenderableType] = [head]
    for fact in hit.matched:
        negated = "no " if fact.assertion == "negated" else ""
        lines.append(
            Text(
                f"   = {negated}{fact.label} ({fact.concept}): query {_fact_words(fact.query)}"
                f" ↔ hit {_fact_words(fact.hit)}",
                style="green",
            )
        )
    for differing in hit.differs:
        stated = "no " if differing.assertion == "negated" else ""
        lines.append(
            Text(
                f"   ≠ {stated}{differing.label} ({differing.concept}) in the {differing.side} "
                f"{_fact_words(differing.words)}; the other case: {differing.other}",
                style="yellow",
            )
        )
    return Group(*lines)


def _cell(case_ids: Sequence[str]) -> str:
    return f"{len(case_ids)}: {', '.join(case_ids)}" if case_ids else ""


def precedent_summary(similar: Sequence[SimilarCase], tally: Sequence[TreatmentTally]) -> Group:
    """Similar cases with what matched and what differs, then the treatment tally."""
    parts: list[RenderableType] = [Text("Similar cases", style="bold underline")]
    if not similar:
        parts.append(Text("no similar case found"))
    parts += [_similar_block(hit) for hit in similar]
    if tally:
        table = Table("treatment", "cases", *(o.value for o in Outcome), title="Treatments")
        for row in tally:
            table.add_row(
                row.treatment,
                str(len(row.cases)),
                *(_cell(row.outcomes.get(o, [])) for o in Outcome),
            )
        parts.append(table)
    return Group(*parts)
