"""Terminal rendering of cases with Rich; no analysis happens here."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from casebook.care import CareItemReport, CareReport
from casebook.model import (
    Assertion,
    Case,
    ClinicalSummary,
    EntityType,
    FactWords,
    Mention,
    Outcome,
    SimilarCase,
    SummaryItem,
    TreatmentTally,
    readable_age,
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


_TERMINAL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that act on a terminal or reorder what it shows: C0 and C1 controls (ESC, BEL,
NUL, line breaks …), DEL, and the bidirectional marks, embeddings, overrides and isolates."""


def terminal_safe(text: str) -> str:
    """``text`` with each of ``_TERMINAL_CONTROLS`` shown as its escape (ESC as ``\\x1b``).

    For one-line messages built from input (paths, ids, a line of a file): printed raw, an
    escape sequence in them could retitle, clear or rewrite the user's terminal.
    """
    return _TERMINAL_CONTROLS.sub(lambda found: found[0].encode("unicode_escape").decode(), text)


def markup_safe(text: str) -> str:
    """``text`` ready to sit inside Rich markup: controls escaped (``terminal_safe``) and
    square brackets escaped, so that ``[/i]`` in a path prints as itself."""
    return escape(terminal_safe(text))


def _panel_title(case: Case) -> Text:
    return Text(case.title or case.id, Style(bold=True))


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
    age_text = "age unknown" if age is None else readable_age(age)
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
            section.kind,
            Text(section.title or "—"),
            f"{section.start}–{section.end}",
            str(sentences),
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


def _codes_table(case: Case, all_codes: bool = False) -> Table:
    """The codes the case shows (every code with ``all_codes``), with the words supporting them.

    A code below its calibrated threshold is marked "below threshold"; an ICD-10-CM category
    kept because the text supports nothing finer is marked "category".
    """
    listed = case.codes if all_codes else case.shown_codes()
    title = "Codes (all, ranked)" if all_codes else "Codes"
    table = Table(title=title, expand=False)
    for column in ("system", "code", "display", "score", "evidence"):
        table.add_column(column)
    for code in sorted(listed, key=lambda c: (c.system.value, -c.score)):
        words = "; ".join(case.text[e.start : e.end] for e in code.evidence[:2])
        display = Text(code.display)
        if code.category:
            display.append("  category", Style(dim=True))
        if not code.shown:
            display.append("  below threshold", Style(dim=True))
        table.add_row(code.system.value, code.code, display, f"{code.score:.2f}", Text(words))
    return table


def format_offset(days: float | None) -> str:
    """An offset from the anchor time as a reader says it: "day 0", "+2 d", "−3 y"."""
    if days is None:
        return "—"
    if days == 0:
        return "day 0"
    sign = "+" if days > 0 else "\u2212"
    size = abs(days)
    if size < 1:
        return f"{sign}{max(1, round(size * 24))} h"
    if size < 14:
        return f"{sign}{round(size, 1):g} d"
    if size < 60:
        return f"{sign}{round(size / 7)} w"
    if size < 730:
        return f"{sign}{round(size / 30.4375)} mo"
    return f"{sign}{round(size / 365.25, 1):g} y"


def format_when(offset_days: float | None, min_offset_days: float | None) -> str:
    """When an event happened, as the text fixes it: "+2 d", "+2 d or later", or "—"."""
    if offset_days is None and min_offset_days is not None:
        return f"{format_offset(min_offset_days)} or later"
    return format_offset(offset_days)


def timeline_view(case: Case) -> RenderableType:
    """The case's events in time order, simultaneous ones on one row, with their days.

    Events of one order whose days the text fixes differently ("+2 d" and "+2 d or later")
    get a row each, under the same number, so that no row claims a day for an event it
    does not have.
    """
    by_id = {m.id: m for m in case.mentions}
    rows: dict[tuple[int, str], list[Mention]] = defaultdict(list)
    for event in case.timeline:
        when = format_when(event.offset_days, event.min_offset_days)
        rows[(event.order, when)].append(by_id[event.mention])
    table = Table(title="Timeline", expand=False, show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("when", justify="right")
    table.add_column("events")
    first_start = {key: min(m.start for m in mentions) for key, mentions in rows.items()}
    for order, when in sorted(rows, key=lambda key: (key[0], first_start[key])):
        events = sorted(rows[(order, when)], key=lambda m: m.start)
        labels = Text(", ").join(Text(m.text, _style(m)) for m in events)
        table.add_row(str(order), when, labels)
    parts: list[RenderableType] = [table]
    if case.times:
        when_text = Text("Time expressions: ", Style(bold=True))
        when_text.append(
            "; ".join(
                f"{t.text} ({t.kind}, {format_when(t.offset_days, t.min_offset_days)})"
                for t in case.times
            ),
            Style(dim=True),
        )
        parts.append(when_text)
    present = {by_id[e.mention].type for e in case.timeline}
    key = Text("Key: ")
    for kind, colour in TYPE_COLOURS.items():
        if kind in present:
            key.append(kind.value, Style(color=colour, bold=True)).append("  ")
    parts.append(key)
    return Panel(Group(*parts), title=_panel_title(case), subtitle=Text(case.id))


LITERATURE_LABEL = "from the literature"
"""The summary row of facts the report states about others, not about the patient."""


def _summary_item(item: SummaryItem) -> Text:
    line = Text(item.text, Style(bold=True))
    if item.assertion is not Assertion.PRESENT:
        line.append(f" [{item.assertion.value}]")
    if item.offset_days is not None:
        line.append(f" ({format_offset(item.offset_days)})", Style(dim=True))
    for link in item.related:
        line.append(f"  {link.relation.replace('_', ' ')}: {link.text}", Style(dim=True))
    return line


def _summary_table(summary: ClinicalSummary) -> Table:
    table = Table(title="Clinical summary", expand=False, show_lines=True, show_header=False)
    table.add_column("")
    table.add_column("")
    groups: list[tuple[str, list[SummaryItem]]] = [
        ("patient", [summary.patient] if summary.patient else []),
        ("presenting problem", summary.presenting_problem),
        ("diagnoses", summary.diagnoses),
        ("procedures", summary.procedures),
        ("complications", summary.complications),
        ("investigations", summary.investigations),
        ("treatments", summary.treatments),
        ("outcomes", summary.outcomes),
        ("follow-up", summary.follow_up),
    ]
    for name, items in groups:
        if items:
            table.add_row(name, Text("\n").join(_summary_item(i) for i in items))
    if summary.literature:
        # Facts the report states about other patients or in general, never this patient's.
        table.add_row(
            Text(LITERATURE_LABEL, Style(italic=True)),
            Text("\n").join(_summary_item(i) for i in summary.literature),
            style=Style(dim=True),
        )
    return table


def case_summary(case: Case, all_codes: bool = False) -> RenderableType:
    """A readable account of one case: patient, the highlighted text, sections, mentions.

    Args:
        case: The analysed case.
        all_codes: List every code of the ranking, not only those the case shows.
    """
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
    if case.summary is not None and case.summary.items():
        parts.append(_summary_table(case.summary))
    if case.shown_codes() or (all_codes and case.codes):
        parts.append(_codes_table(case, all_codes))
    return Panel(Group(*parts), title=_panel_title(case), subtitle=Text(case.id))


def _care_evidence(item: CareItemReport) -> Text:
    """An item's evidence, one line per kind: the format, headings, sentences, mentions."""
    lines: list[Text] = []
    for kind, label in (
        ("format", "stated"),
        ("section", "section"),
        ("sentence", "sentence"),
        ("mention", "mentions"),
    ):
        pieces = [e for e in item.evidence if e.kind == kind]
        if not pieces:
            continue
        where = [f"“{e.words}”" + (f" @{e.start}" if kind == "sentence" else "") for e in pieces]
        lines.append(Text.assemble((f"{label}: ", "bold"), ", ".join(where)))
    if item.evidence_found > len(item.evidence):
        lines.append(Text(f"… and {item.evidence_found - len(item.evidence)} more", "dim"))
    return Text("\n").join(lines)


def care_table(report: CareReport) -> RenderableType:
    """A CARE check as a table of the 13 items, ending with the score."""
    table = Table(title=Text(f"CARE checklist: {report.case_id}"), show_lines=True)
    for column in ("#", "item", "covered", "evidence", "missing"):
        table.add_column(column)
    for item in report.items:
        table.add_row(
            str(item.number),
            item.label,
            Text("yes", "green") if item.covered else Text("no", "red"),
            _care_evidence(item),
            item.missing or "",
        )
    return Group(table, Text.assemble(("Score: ", "bold"), report.score))


def _fact_words(words: Sequence[FactWords]) -> str:
    return " / ".join(f"“{w.text}” [{w.start}:{w.end}]" for w in words) or "(no words)"


def _similar_block(hit: SimilarCase) -> Group:
    patient = ", ".join(
        part
        for part in (
            readable_age(hit.age_years) if hit.age_years is not None else "",
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
    if hit.title_words:
        lines.append(
            Text(f"   = title words the query uses: {', '.join(hit.title_words)}", style="green")
        )
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


TALLY_ROWS = 15
"""Treatments the terminal tally shows, most cases first; ``--json`` holds them all."""


def precedent_summary(
    similar: Sequence[SimilarCase],
    tally: Sequence[TreatmentTally],
    empty_reason: str | None = None,
) -> Group:
    """Similar cases with what matched and what differs, then the treatment tally's top rows.

    Args:
        similar: The hits.
        tally: Their treatments and outcomes.
        empty_reason: Which filter left nothing, when one did.
    """
    parts: list[RenderableType] = [Text("Similar cases", style="bold underline")]
    if not similar:
        found = "no similar case found"
        parts.append(Text(f"{found}: {empty_reason}" if empty_reason else found))
    parts += [_similar_block(hit) for hit in similar]
    if tally:
        table = Table("treatment", "cases", *(o.value for o in Outcome), title="Treatments")
        shown = sorted(tally, key=lambda row: -len(row.cases))[:TALLY_ROWS]
        for row in shown:
            table.add_row(
                Text(row.treatment),
                str(len(row.cases)),
                *(Text(_cell(row.outcomes.get(o, []))) for o in Outcome),
            )
        parts.append(table)
        if len(tally) > len(shown):
            parts.append(Text(f"… and {len(tally) - len(shown)} more treatments (--json)", "dim"))
    return Group(*parts)
