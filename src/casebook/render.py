"""Terminal rendering of cases and reports with Rich; no analysis happens here."""

from __future__ import annotations

from collections import Counter

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from casebook.model import Case


def _patient_line(case: Case) -> Text:
    age = case.patient.age_years
    age_text = "age unknown" if age is None else f"{age:g} years"
    sex_text = case.patient.sex.value if case.patient.sex else "sex unknown"
    return Text.assemble(("Patient: ", "bold"), f"{age_text}, {sex_text}")


def _sections_table(case: Case) -> Table:
    table = Table(title="Sections", show_lines=False, expand=False)
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


def _mentions_table(case: Case) -> Table:
    table = Table(title="Mentions", expand=False)
    table.add_column("type")
    table.add_column("text")
    table.add_column("assertion")
    table.add_column("chars", justify="right")
    for mention in sorted(case.mentions, key=lambda m: (m.type.value, m.start)):
        table.add_row(
            mention.type.value,
            mention.text,
            mention.assertion.value,
            f"{mention.start}–{mention.end}",
        )
    return table


def case_summary(case: Case) -> RenderableType:
    """A readable summary of one case: patient, sections and what was found."""
    title = case.title or case.id
    parts: list[RenderableType] = [_patient_line(case)]
    counts = Counter(m.type.value for m in case.mentions)
    found = ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "no mentions"
    parts.append(
        Text.assemble(
            ("Source: ", "bold"),
            f"{case.source.format.value} {case.source.path or '(stdin)'}  ",
            ("Found: ", "bold"),
            f"{len(case.sentences)} sentences, {found}",
        )
    )
    if case.sections:
        parts.append(_sections_table(case))
    if case.mentions:
        parts.append(_mentions_table(case))
    return Panel(Group(*parts), title=f"[bold]{title}[/bold]", subtitle=case.id)
