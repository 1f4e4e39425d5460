"""Whether the clinical summary's items are what their headings say, against MACCROBAT2020 gold.

Each document is analysed whole and its ``Case.summary`` read. An item **fits** when its first
mention overlaps (shares a character with) a gold entity of a type its heading allows; each of
its mentions is scored the same way. Gold discontinuous entities count from their first start
to their last end, as in ``casebook.eval.ner``. The types each heading allows (``FITTING``):

========================  ===========================================================
heading                   gold types that fit
========================  ===========================================================
presenting problem        Sign_symptom, Disease_disorder
diagnoses                 Disease_disorder, Sign_symptom
procedures                Therapeutic_procedure, Diagnostic_procedure
complications             Sign_symptom, Disease_disorder
investigations            Diagnostic_procedure, Lab_value
treatments                Medication, Therapeutic_procedure
outcomes                  Outcome, Sign_symptom, Disease_disorder
follow-up                 the event types above and Clinical_event
from the literature       Sign_symptom, Disease_disorder, Diagnostic_procedure,
                          Therapeutic_procedure, Medication, Outcome
========================  ===========================================================

MACCROBAT annotates a finding ("headache") and the state it ends in ("resolved") apart, and
often types a finding that follows a treatment as a Sign_symptom, so outcomes fit either.
Follow-up lists whatever events a follow-up sentence tells; an admission or visit there is a
Clinical_event. The patient line (Age and Sex mentions) is scored apart and not in
``overall``, which covers every other item a reader is shown.

This measures the summary on the mentions of the shipped mention model; a document that model
was trained on scores its summary logic on in-sample mentions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError, ErrorCode
from casebook.eval._io import default_analyze, load_default_pipeline
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import percent
from casebook.eval.ner import BratReader
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.brat import brat_documents, read_brat
from casebook.ingest.brat_model import BratAnnotations
from casebook.ingest.datasets import MACCROBAT
from casebook.model import Case, ClinicalSummary, Document, Mention, SummaryItem

FINDINGS = frozenset({"Sign_symptom", "Disease_disorder"})
PROCEDURES = frozenset({"Diagnostic_procedure", "Therapeutic_procedure"})
EVENTS = FINDINGS | PROCEDURES | {"Medication", "Outcome"}

FITTING: dict[str, frozenset[str]] = {
    "presenting_problem": FINDINGS,
    "diagnoses": FINDINGS,
    "procedures": PROCEDURES,
    "complications": FINDINGS,
    "investigations": frozenset({"Diagnostic_procedure", "Lab_value"}),
    "treatments": frozenset({"Medication", "Therapeutic_procedure"}),
    "outcomes": FINDINGS | {"Outcome"},
    "follow_up": EVENTS | {"Clinical_event"},
    "literature": EVENTS,
}
"""Summary heading (``ClinicalSummary`` field) → the gold entity types an item of it may lie on."""

PATIENT_TYPES = frozenset({"Age", "Sex"})


class HeadingScore(BaseModel):
    """How many items of one heading fit it.

    Attributes:
        items: Items shown under the heading.
        fit: Items whose first mention lies on a gold entity of a fitting type.
        share: ``fit`` in percent of ``items``.
        mentions: Mentions of those items, repeats included.
        mentions_fit: Those lying on a gold entity of a fitting type.
        mentions_share: ``mentions_fit`` in percent of ``mentions``.
    """

    model_config = ConfigDict(extra="forbid")

    items: int
    fit: int
    share: float
    mentions: int
    mentions_fit: int
    mentions_share: float


class SummaryReport(BaseModel):
    """``evaluate_summary``'s report.

    Attributes:
        docs: Documents scored.
        in_sample: Whether the mention model that read the documents learnt from one of them
            (``casebook.eval.in_sample``).
        overall: Every item but the patient line.
        items_per_doc: ``overall.items`` per document (two decimals).
        per_heading: Each heading's score, ``FITTING``'s headings in order.
        patient: The patient line, on Age and Sex entities.
        skipped: Documents not scored, each with the error that kept it out.
    """

    model_config = ConfigDict(extra="forbid")

    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    overall: HeadingScore
    items_per_doc: float
    per_heading: dict[str, HeadingScore]
    patient: HeadingScore
    skipped: list[SkippedDocument] = Field(default_factory=list)


@dataclass
class _Tally:
    items: int = 0
    fit: int = 0
    mentions: int = 0
    mentions_fit: int = 0

    def add(self, other: _Tally) -> None:
        self.items += other.items
        self.fit += other.fit
        self.mentions += other.mentions
        self.mentions_fit += other.mentions_fit

    def score(self) -> HeadingScore:
        return HeadingScore(
            items=self.items,
            fit=self.fit,
            share=percent(self.fit / self.items) if self.items else 0.0,
            mentions=self.mentions,
            mentions_fit=self.mentions_fit,
            mentions_share=percent(self.mentions_fit / self.mentions) if self.mentions else 0.0,
        )


@dataclass(frozen=True, slots=True)
class _Gold:
    type: str
    start: int
    end: int


def _lies_on(mention: Mention, gold: Sequence[_Gold], types: frozenset[str]) -> bool:
    """Whether the mention shares a character with a gold entity of one of ``types``."""
    return any(
        g.type in types and min(g.end, mention.end) > max(g.start, mention.start) for g in gold
    )


def score_items(
    items: Sequence[SummaryItem],
    mentions: dict[str, Mention],
    gold: Sequence[_Gold],
    types: frozenset[str],
) -> _Tally:
    """Count the items, and their mentions, that lie on gold entities of ``types``."""
    tally = _Tally()
    for item in items:
        tally.items += 1
        tally.fit += _lies_on(mentions[item.mentions[0]], gold, types)
        for mention_id in item.mentions:
            tally.mentions += 1
            tally.mentions_fit += _lies_on(mentions[mention_id], gold, types)
    return tally


def gold_entities(annotations: BratAnnotations) -> list[_Gold]:
    """The gold text-bound entities, first start to last end."""
    return [_Gold(e.type, e.start, e.end) for e in annotations.entities]


def summary_groups(summary: ClinicalSummary) -> dict[str, list[SummaryItem]]:
    """The summary's item lists under ``FITTING``'s heading names."""
    return {heading: list(getattr(summary, heading)) for heading in FITTING}


def cases_from(folder: Path) -> Callable[[Document], Case]:
    """A system under test that reads each document's analysed case from ``folder/ID.json``
    and builds its summary again (so that the summary's rules are the ones scored, over
    mentions made elsewhere, e.g. by a model that never saw the document).

    Raises:
        CasebookError: ``CB-E001`` when a document has no case there, ``CB-E010`` when the
            file is not a valid case.
    """
    from pydantic import ValidationError

    from casebook.nlp.summary import SummaryBuilder

    builder = SummaryBuilder()

    def analyze(document: Document) -> Case:
        path = folder / f"{document.id}.json"
        if not path.is_file():
            raise CasebookError(ErrorCode.PATH_NOT_FOUND, "no analysed case", path)
        try:
            case = Case.model_validate_json(path.read_bytes())
        except ValidationError as error:
            raise CasebookError(ErrorCode.INVALID_CASE, "not a valid case", path) from error
        return builder(case)

    return analyze


def evaluate_summary(
    folder: Path,
    analyze: Callable[[Document], Case] = default_analyze,
    *,
    read: BratReader = read_brat,
    split: Split = Split.ALL,
    trained: Collection[str] | None = None,
) -> SummaryReport:
    """Score whether each summary item lies on a gold entity of a type its heading allows.

    Args:
        folder: A folder of ``ID.txt`` + ``ID.ann`` pairs (MACCROBAT2020).
        analyze: The system under test; by default ``casebook.service.analyze_document``.
        read: The brat reader.
        split: The half of the documents scored (``casebook.eval.splits``), or all.
        trained: The ids of the documents ``analyze`` was trained on; by default those the
            shipped models' manifests list when ``analyze`` is the default, else none.

    Returns:
        The report; a document whose gold file cannot be read, that ``analyze`` fails on, or
        whose case has another text or no summary (``CB-E013``) is listed in ``skipped``.

    Raises:
        CasebookError: ``CB-E001`` for a missing folder, ``CB-E011`` for one without annotated
            documents.
    """
    paths = select(MACCROBAT, brat_documents(folder), lambda p: p.stem, split)
    if analyze is default_analyze:
        load_default_pipeline()
    headings = {heading: _Tally() for heading in FITTING}
    patient = _Tally()
    scored: list[str] = []
    skipped: list[SkippedDocument] = []
    for path in paths:
        try:
            document, annotations = read(path)
            case = analyze(document)
            if case.text != document.text or case.summary is None:
                raise CasebookError(
                    ErrorCode.PROCESSING_FAILED,
                    "the analysed case has another text or no summary",
                    path,
                )
        except CasebookError as error:
            skipped.append(SkippedDocument.of(path.stem, error))
            continue
        scored.append(path.stem)
        gold = gold_entities(annotations)
        mentions = {m.id: m for m in case.mentions}
        for heading, items in summary_groups(case.summary).items():
            headings[heading].add(score_items(items, mentions, gold, FITTING[heading]))
        shown = [case.summary.patient] if case.summary.patient else []
        patient.add(score_items(shown, mentions, gold, PATIENT_TYPES))
    overall = _Tally()
    for tally in headings.values():
        overall.add(tally)
    seen = trained_on(MACCROBAT, analyze, default_analyze, trained)
    return SummaryReport(
        split=split,
        in_sample=overlaps(scored, seen),
        docs=len(scored),
        overall=overall.score(),
        items_per_doc=round(overall.items / len(scored), 2) if scored else 0.0,
        per_heading={heading: tally.score() for heading, tally in headings.items()},
        patient=patient.score(),
        skipped=skipped,
    )
