"""The clinical summary, built from mentions, relations and a timeline set by hand."""

from __future__ import annotations

from casebook.model import (
    Assertion,
    Case,
    EntityType,
    Mention,
    Patient,
    Relation,
    Sex,
    Source,
    SourceFormat,
    Span,
    TimeExpression,
    TimelineEvent,
)
from casebook.nlp.summary import SummaryBuilder, build_summary

TEXT = (
    "A 29-year-old woman underwent a bone marrow biopsy. "
    "Two days later she had a CSF leak post biopsy and no fever. "
    "MRI showed effusions. "
    "The leak was treated with a blood patch, following which she made a full recovery. "
    "At follow-up the CSF leak had not recurred."
)

WORDS: list[tuple[str, EntityType, int]] = [
    ("29-year-old", EntityType.AGE, 0),
    ("woman", EntityType.SEX, 0),
    ("bone marrow biopsy", EntityType.DIAGNOSTIC_PROCEDURE, 0),
    ("CSF leak", EntityType.DISEASE_DISORDER, 0),
    ("biopsy", EntityType.DIAGNOSTIC_PROCEDURE, 1),
    ("fever", EntityType.SIGN_SYMPTOM, 0),
    ("MRI", EntityType.DIAGNOSTIC_PROCEDURE, 0),
    ("effusions", EntityType.SIGN_SYMPTOM, 0),
    ("leak", EntityType.DISEASE_DISORDER, 1),
    ("blood patch", EntityType.THERAPEUTIC_PROCEDURE, 0),
    ("full recovery", EntityType.OUTCOME, 0),
    ("CSF leak", EntityType.DISEASE_DISORDER, 1),
]


def _case() -> Case:
    mentions: list[Mention] = []
    for number, (words, kind, occurrence) in enumerate(WORDS, 1):
        start = -1
        for _ in range(occurrence + 1):
            start = TEXT.index(words, start + 1)
        mentions.append(
            Mention(
                id=f"m{number}",
                start=start,
                end=start + len(words),
                text=words,
                type=kind,
                assertion=Assertion.NEGATED if words == "fever" else Assertion.PRESENT,
            )
        )
    sentences, start = [], 0
    for part in TEXT.split(". "):
        end = start + len(part) + 1
        sentences.append(Span(start=start, end=min(end, len(TEXT))))
        start = end + 1
    relations = [
        Relation(type="caused_by", source="m4", target="m5"),
        Relation(type="result_of", source="m8", target="m7"),
        Relation(type="treated_by", source="m9", target="m10"),
        Relation(type="outcome_of", source="m11", target="m10"),
    ]
    days = {"m3": 0.0, "m4": 2.0, "m5": 2.0, "m6": 2.0, "m7": 2.0, "m8": 2.0}
    days |= {"m9": 2.0, "m10": 2.0, "m11": 2.0, "m12": None}
    orders = {"m3": 0, "m4": 1, "m5": 1, "m6": 1, "m7": 2, "m8": 2, "m9": 3, "m10": 3}
    orders |= {"m11": 4, "m12": 5}
    follow = TEXT.index("At follow-up")
    return Case(
        id="case",
        text=TEXT,
        source=Source(format=SourceFormat.TEXT),
        patient=Patient(age_years=29, sex=Sex.FEMALE),
        sentences=sentences,
        mentions=mentions,
        relations=relations,
        timeline=[
            TimelineEvent(mention=k, order=v, offset_days=days[k]) for k, v in orders.items()
        ],
        times=[
            TimeExpression(
                start=follow,
                end=follow + len("At follow-up"),
                text="At follow-up",
                kind="follow_up",
            )
        ],
    )


def test_the_summary_reads_the_case_at_a_glance() -> None:
    summary = build_summary(_case())
    assert summary.patient is not None
    assert (summary.patient.text, summary.patient.mentions) == ("29-year-old female", ["m1", "m2"])
    assert [i.text for i in summary.presenting_problem] == ["CSF leak"]
    assert [i.text for i in summary.investigations] == ["bone marrow biopsy", "biopsy", "MRI"]
    (mri,) = [i for i in summary.investigations if i.text == "MRI"]
    assert [(r.relation, r.text, r.mentions) for r in mri.related] == [
        ("result", "effusions", ["m8"])
    ]
    (complication,) = summary.complications
    assert complication.text == "CSF leak" and complication.mentions == ["m4", "m12"]
    assert [(r.relation, r.text) for r in complication.related] == [("caused_by", "biopsy")]
    (treatment,) = summary.treatments
    assert treatment.text == "blood patch"
    assert [(r.relation, r.text) for r in treatment.related] == [
        ("treats", "leak"),
        ("outcome", "full recovery"),
    ]
    assert [(i.text, [r.text for r in i.related]) for i in summary.outcomes] == [
        ("full recovery", ["blood patch"])
    ]
    assert [i.text for i in summary.procedures] == ["biopsy"]
    assert [i.text for i in summary.follow_up] == ["CSF leak"]


def test_negated_findings_are_left_out_of_the_summary() -> None:
    summary = build_summary(_case())
    assert all("fever" not in item.text for item in summary.items())


def test_the_component_sets_a_summary_whose_ids_the_case_knows() -> None:
    case = SummaryBuilder()(_case())
    assert case.summary is not None
    assert Case.model_validate_json(case.model_dump_json()) == case
