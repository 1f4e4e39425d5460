"""The terminal view marks each mention by type and assertion."""

from __future__ import annotations

from rich.console import Console

from casebook.model import (
    Assertion,
    Case,
    CaseCode,
    ClinicalSummary,
    CodeSystem,
    EntityType,
    Mention,
    Outcome,
    Patient,
    Sex,
    SimilarCase,
    Source,
    SourceFormat,
    Span,
    SummaryItem,
    TimelineEvent,
    TreatmentTally,
)
from casebook.render import (
    case_summary,
    format_offset,
    highlighted_text,
    legend,
    markup_safe,
    precedent_summary,
    terminal_safe,
    timeline_view,
)

TEXT = "No fever, but a possible CSF leak after the biopsy."


def _case() -> Case:
    def mention(mid: str, words: str, kind: EntityType, assertion: Assertion) -> Mention:
        start = TEXT.index(words)
        return Mention(
            id=mid, start=start, end=start + len(words), text=words, type=kind, assertion=assertion
        )

    return Case(
        id="r",
        text=TEXT,
        source=Source(format=SourceFormat.TEXT),
        mentions=[
            mention("m1", "fever", EntityType.SIGN_SYMPTOM, Assertion.NEGATED),
            mention("m2", "CSF leak", EntityType.DISEASE_DISORDER, Assertion.UNCERTAIN),
            mention("m3", "biopsy", EntityType.DIAGNOSTIC_PROCEDURE, Assertion.PRESENT),
        ],
    )


def _style_at(words: str) -> str:
    text = highlighted_text(_case())
    start = TEXT.index(words)
    styles = [str(s.style) for s in text.spans if s.start <= start < s.end]
    return " ".join(styles)


def test_negated_mentions_are_struck_through() -> None:
    assert "strike" in _style_at("fever")


def test_uncertain_mentions_are_underlined() -> None:
    assert "underline" in _style_at("CSF leak") and "strike" not in _style_at("CSF leak")


def test_present_mentions_are_coloured_by_type_only() -> None:
    style = _style_at("biopsy")
    assert "cyan" in style and "strike" not in style and "underline" not in style


def test_legend_names_the_types_present_and_the_assertion_marks() -> None:
    key = legend(_case()).plain
    assert "Sign_symptom" in key and "Medication" not in key
    assert "negated: struck through" in key


def test_summary_groups_mentions_by_type_with_their_assertion() -> None:
    console = Console(record=True, width=120)
    console.print(case_summary(_case()))
    shown = console.export_text()
    assert "Mentions by type" in shown and "fever [negated]" in shown


def test_summary_lists_case_codes_with_their_evidence_words() -> None:
    case = _case()
    start = TEXT.index("CSF leak")
    case.codes = [
        CaseCode(
            system=CodeSystem.ICD10CM,
            code="G96.00",
            display="Cerebrospinal fluid leak, unspecified",
            score=0.7,
            evidence=[Span(start=start, end=start + len("CSF leak"))],
        )
    ]
    console = Console(record=True, width=160)
    console.print(case_summary(case))
    shown = console.export_text()
    assert "G96.00" in shown and "0.70" in shown and "CSF leak" in shown


def test_offsets_read_as_a_reader_says_them() -> None:
    assert [format_offset(d) for d in (None, 0.0, 2.0, -0.25, 21.0, 182.6, -1096.0)] == [
        "—",
        "day 0",
        "+2 d",
        "\u22126 h",
        "+3 w",
        "+6 mo",
        "\u22123 y",
    ]


def test_the_timeline_view_groups_simultaneous_events_on_one_row() -> None:
    case = _case().model_copy(
        update={
            "timeline": [
                TimelineEvent(mention="m3", order=0, offset_days=0.0),
                TimelineEvent(mention="m1", order=1, offset_days=2.0),
                TimelineEvent(mention="m2", order=1, offset_days=2.0),
            ]
        }
    )
    console = Console(width=100, record=True, color_system=None)
    console.print(timeline_view(case))
    lines = console.export_text().splitlines()
    biopsy = next(line for line in lines if "biopsy" in line)
    both = next(line for line in lines if "fever" in line)
    assert "day 0" in biopsy
    assert "CSF leak" in both and "+2 d" in both
    assert lines.index(biopsy) < lines.index(both)


def test_the_tally_shows_the_most_reported_treatments_first_and_says_how_many_it_left_out() -> None:
    tally = [
        TreatmentTally(
            treatment=f"treatment {n}",
            cases=[f"c{i}" for i in range(n)],
            outcomes={Outcome.RESOLVED: [f"c{i}" for i in range(n)]},
        )
        for n in range(1, 21)
    ]
    console = Console(record=True, width=200)
    console.print(precedent_summary([], tally))
    shown = console.export_text()
    assert "treatment 20 " in shown and "treatment 6 " in shown
    assert "treatment 5 " not in shown
    assert "… and 5 more treatments" in shown


def test_facts_about_other_patients_are_shown_apart_and_labelled() -> None:
    summary = ClinicalSummary(
        diagnoses=[SummaryItem(text="CSF leak", mentions=["m2"])],
        literature=[SummaryItem(text="biopsy", mentions=["m3"])],
    )
    console = Console(record=True, width=120)
    console.print(case_summary(_case().model_copy(update={"summary": summary})))
    shown = console.export_text()
    labelled = [line for line in shown.splitlines() if "from the literature" in line]
    assert len(labelled) == 1 and "biopsy" in labelled[0]
    assert "CSF leak" not in labelled[0]


def _printed(renderable: object) -> str:
    console = Console(width=120, record=True)
    console.print(renderable)
    return console.export_text()


def test_ages_print_in_the_unit_a_reader_says_them() -> None:
    baby = _case().model_copy(update={"patient": Patient(age_years=0.666667, sex=Sex.MALE)})
    printed = _printed(case_summary(baby))
    assert "Patient: 8 months, male" in printed
    assert "0.666667" not in printed
    hit = SimilarCase(id="h", score=0.5, rank=1, title="A neonate", age_years=0.008)
    assert "3 days" in _printed(precedent_summary([hit], []))


def test_a_hit_lists_the_words_of_its_title_the_query_uses() -> None:
    hit = SimilarCase(
        id="h", score=0.5, rank=1, title="CSF leak after biopsy", title_words=["CSF", "biopsy"]
    )
    assert "title words the query uses: CSF, biopsy" in _printed(precedent_summary([hit], []))


def test_titles_and_ids_holding_markup_are_shown_as_themselves() -> None:
    case = _case().model_copy(update={"id": "r[/bold]", "title": "Leak [/i] after [red]biopsy"})
    console = Console(record=True, width=120)
    console.print(case_summary(case))
    shown = console.export_text()
    assert "Leak [/i] after [red]biopsy" in shown and "r[/bold]" in shown


def test_terminal_controls_are_shown_as_escapes() -> None:
    assert terminal_safe("a\x1b]0;x\x07b\u202ec\n") == "a\\x1b]0;x\\x07b\\u202ec\\n"
    assert markup_safe("[/i]\x1b[2J") == "\\[/i]\\x1b[2J"


def test_an_empty_summary_prints_no_empty_table() -> None:
    empty = _case().model_copy(update={"summary": ClinicalSummary()})
    assert "Clinical summary" not in _printed(case_summary(empty))
    one = ClinicalSummary(diagnoses=[SummaryItem(text="CSF leak", mentions=["m2"])])
    assert "Clinical summary" in _printed(case_summary(_case().model_copy(update={"summary": one})))
