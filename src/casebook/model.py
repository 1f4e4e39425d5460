"""The case model: the one typed record casebook reads into, stores, searches and exports.

Every span carries ``start``/``end`` character offsets into ``Case.text``, which is the original
document text, unchanged. A ``Case`` validates that each mention's ``text`` is exactly
``Case.text[start:end]`` and that relations and timeline entries point at existing mentions, so a
record that passes validation can be trusted by every exporter and searcher.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1"


class Assertion(StrEnum):
    """Whether, and for whom, a mentioned fact holds (ConText's categories as one flag)."""

    PRESENT = "present"
    NEGATED = "negated"
    UNCERTAIN = "uncertain"
    HYPOTHETICAL = "hypothetical"
    HISTORICAL = "historical"
    FAMILY = "family"


class Sex(StrEnum):
    """Patient sex as case reports state it."""

    FEMALE = "female"
    MALE = "male"


class EntityType(StrEnum):
    """Mention types, named as in MACCROBAT2020 (Caufield et al. 2019)."""

    AGE = "Age"
    SEX = "Sex"
    SIGN_SYMPTOM = "Sign_symptom"
    DISEASE_DISORDER = "Disease_disorder"
    DIAGNOSTIC_PROCEDURE = "Diagnostic_procedure"
    THERAPEUTIC_PROCEDURE = "Therapeutic_procedure"
    MEDICATION = "Medication"
    LAB_VALUE = "Lab_value"
    BIOLOGICAL_STRUCTURE = "Biological_structure"
    DATE = "Date"
    DURATION = "Duration"
    SEVERITY = "Severity"
    OUTCOME = "Outcome"
    HISTORY = "History"
    FAMILY_HISTORY = "Family_history"
    DOSAGE = "Dosage"
    CLINICAL_EVENT = "Clinical_event"
    DETAILED_DESCRIPTION = "Detailed_description"
    NONBIOLOGICAL_LOCATION = "Nonbiological_location"
    COREFERENCE = "Coreference"
    ADMINISTRATION = "Administration"
    DISTANCE = "Distance"
    ACTIVITY = "Activity"
    FREQUENCY = "Frequency"
    SHAPE = "Shape"
    PERSONAL_BACKGROUND = "Personal_background"
    TIME = "Time"
    SUBJECT = "Subject"
    COLOR = "Color"
    AREA = "Area"
    TEXTURE = "Texture"
    QUALITATIVE_CONCEPT = "Qualitative_concept"
    VOLUME = "Volume"
    OTHER_EVENT = "Other_event"
    QUANTITATIVE_CONCEPT = "Quantitative_concept"
    OTHER_ENTITY = "Other_entity"
    OCCUPATION = "Occupation"
    BIOLOGICAL_ATTRIBUTE = "Biological_attribute"
    WEIGHT = "Weight"
    HEIGHT = "Height"
    MASS = "Mass"


CORE_TYPES: frozenset[EntityType] = frozenset(
    {
        EntityType.AGE,
        EntityType.SEX,
        EntityType.SIGN_SYMPTOM,
        EntityType.DISEASE_DISORDER,
        EntityType.DIAGNOSTIC_PROCEDURE,
        EntityType.THERAPEUTIC_PROCEDURE,
        EntityType.MEDICATION,
        EntityType.LAB_VALUE,
        EntityType.BIOLOGICAL_STRUCTURE,
        EntityType.DATE,
        EntityType.DURATION,
        EntityType.SEVERITY,
    }
)
"""The core entity types that ``../shared/README.md`` scores."""


class Outcome(StrEnum):
    """How a patient fared after a treatment, as the case report tells it."""

    RESOLVED = "resolved"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSENED = "worsened"
    DIED = "died"
    UNKNOWN = "unknown"


class CodeSystem(StrEnum):
    """Vocabularies casebook codes into."""

    ICD10CM = "icd10cm"
    ICD10PCS = "icd10pcs"
    HPO = "hpo"


class SourceFormat(StrEnum):
    """The formats casebook reads."""

    TEXT = "text"
    JATS = "jats"
    BIOC_XML = "bioc-xml"
    BIOC_JSON = "bioc-json"
    BRAT = "brat"
    PMC_PATIENTS = "pmc-patients"
    E3C_XMI = "e3c-xmi"


class RecordModel(BaseModel):
    """Base of every record: unknown fields are errors, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _compiling_one(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} does not compile: {exc}") from exc
    return pattern


def _compiling(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        _compiling_one(pattern)
    return patterns


Pattern = Annotated[str, AfterValidator(_compiling_one)]
"""A regular expression of a rule file, checked to compile when the file is read."""

Patterns = Annotated[list[str], AfterValidator(_compiling)]
"""Regular expressions of a rule file, each checked to compile when the file is read."""


def compile_patterns(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    """A rule file's ``Patterns`` compiled to match in any case, as the rule files write them."""
    return [re.compile(p, re.IGNORECASE) for p in patterns]


class Span(RecordModel):
    """A half-open character range ``[start, end)`` of ``Case.text``."""

    start: int = Field(ge=0, description="Offset of the first character.")
    end: int = Field(ge=0, description="Offset one past the last character.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")
        return self


class DrugWords(RecordModel):
    """Regular expressions around a drug's words in its sentence that say it was no dose the
    patient was given (the treatment rules' ``analyte_context``, the FHIR export's
    ``medication_not_taken``)."""

    note: str = ""
    before: Patterns = Field(description="Patterns ending where the mention starts.")
    after: Patterns = Field(description="Patterns starting where the mention ends.")


class DrugContext:
    """Reads the words around a drug by ``DrugWords``, compiled once, in any case.

    Args:
        words: The patterns before and after a drug.
    """

    def __init__(self, words: DrugWords) -> None:
        self._before = compile_patterns(words.before)
        self._after = compile_patterns(words.after)

    def names_no_dose(self, text: str, span: Span, sentence: Span) -> bool:
        """Whether the words of its sentence before or after a drug match the patterns."""
        before = text[sentence.start : span.start]
        after = text[span.end : sentence.end]
        return any(p.search(before) for p in self._before) or any(
            p.match(after) for p in self._after
        )


class Source(RecordModel):
    """Where a case's text came from."""

    format: SourceFormat
    path: str | None = Field(default=None, description="File path, or None for standard input.")
    extra: dict[str, str] = Field(
        default_factory=dict,
        description="Format metadata such as a JATS article type or a PMC-Patients pmid.",
    )


class Patient(RecordModel):
    """Who the case is about."""

    age_years: float | None = Field(default=None, ge=0, description="Age in years, if stated.")
    sex: Sex | None = None


AGE_UNITS: tuple[str, ...] = ("year", "month", "week", "day", "hour")
"""The units ``age_in_units`` states an age in."""

_DAYS_PER_YEAR = 365.25
_NEAR_WHOLE = 0.05
"""How far from a whole number of months or weeks an age may be and still be said in them:
ages are read from the text in years rounded to three decimals, which moves "2 weeks" to 1.98
weeks."""


def age_in_units(years: float) -> tuple[float, str]:
    """An age as a reader says it: a number and one of ``AGE_UNITS``.

    From 2 years on, years (to one decimal when not whole); from 1 to 2, whole months ("18
    months", "1 year" for twelve); under a year, whole months when the age is that near a
    whole number of them ("8 months"), else whole weeks when near those ("6 weeks"), else
    whole days ("3 days"), else hours ("0 days" under half an hour). Halves round up, as the
    page's copy of this rule (JavaScript's ``Math.round``) rounds them.

    Args:
        years: The age in years, zero or more.
    """
    months = years * 12
    if _whole(months) >= 24:
        if abs(years - _whole(years)) < _NEAR_WHOLE:
            return float(_whole(years)), "year"
        return _whole(years * 10) / 10, "year"
    if _whole(months) >= 12:
        return (1.0, "year") if _whole(months) == 12 else (float(_whole(months)), "month")
    weeks = years * _DAYS_PER_YEAR / 7
    for count, unit in ((months, "month"), (weeks, "week")):
        if _whole(count) >= 1 and abs(count - _whole(count)) < _NEAR_WHOLE:
            return float(_whole(count)), unit
    days = years * _DAYS_PER_YEAR
    hours = _whole(days * 24)
    if _whole(days) >= 1 or hours < 1:
        return float(_whole(days)), "day"
    return float(hours), "hour"


def _whole(value: float) -> int:
    """The nearest whole number, halves up."""
    return math.floor(value + 0.5)


def readable_age(years: float) -> str:
    """An age in words: "29 years", "2.5 years", "8 months", "2 weeks", "3 days", "1 hour"."""
    value, unit = age_in_units(years)
    return f"{value:g} {unit}" + ("" if value == 1 else "s")


class Section(Span):
    """A titled part of the document, such as "Case presentation"."""

    title: str = Field(description="The heading as written; empty for untitled text.")
    kind: str = Field(description="Normalised kind, e.g. 'case_presentation', 'discussion'.")


class Code(RecordModel):
    """A vocabulary code assigned to a mention, with the linker's confidence."""

    system: CodeSystem
    code: str
    display: str = ""
    score: float = Field(default=1.0, ge=0.0, le=1.0)
    determined_chars: int | None = Field(
        default=None,
        ge=1,
        le=7,
        description="ICD-10-PCS: how many of the code's seven characters the text determines; "
        "the code is written only that far ('07DR' when the approach is not said). Left out "
        "of the JSON of other codes.",
        exclude_if=lambda value: value is None,
    )


class CaseCode(Code):
    """A code for the case as a whole, with the words in the text that support it."""

    evidence: list[Span] = Field(
        default_factory=list, description="Where the text supports the code."
    )
    mentions: list[str] = Field(
        default_factory=list, description="Ids of the mentions the code was derived from."
    )
    shown: bool = Field(
        default=True,
        description="Whether the code is shown (the CLI, the page, FHIR, the search index): "
        "its score reached the threshold calibrated on held-out text for the precision its "
        "system promises. The others are the rest of the ranking (`--all-codes`).",
    )
    category: bool = Field(
        default=False,
        description="An ICD-10-CM category, not a billable code: the text supports nothing "
        "finer. Left out of the JSON when false.",
        exclude_if=lambda value: not value,
    )


class Attribute(Span):
    """A property of a mention, tied to the words that carry it (site, severity, value …)."""

    name: str = Field(description="What the attribute is: 'site', 'laterality', 'value', …")
    text: str
    value: str | None = Field(default=None, description="Normalised value, e.g. 'right' or '2.5'.")
    unit: str | None = None


class Mention(Span):
    """A fact named in the text: a finding, procedure, drug, value, time …"""

    id: str
    text: str
    type: EntityType
    assertion: Assertion = Assertion.PRESENT
    fragments: list[Span] = Field(
        default_factory=list,
        description="The pieces of a discontinuous mention; empty when it is one piece.",
    )
    attributes: list[Attribute] = Field(default_factory=list)
    codes: list[Code] = Field(default_factory=list)
    expansion: str | None = Field(
        default=None,
        description="Long form when the mention is an abbreviation; the finding a lone "
        "adjective names ('tachycardic': 'tachycardia').",
    )
    core: Span | None = Field(
        default=None,
        description="The words the mention model marked, when the mention was widened over "
        "the modifiers before them to its whole phrase ('large cell lymphoma' of "
        "'ALK-positive anaplastic large cell lymphoma'); MACCROBAT annotates these.",
    )
    patient_fact: bool | None = Field(
        default=None,
        description="Whether the clinical summary reads the mention as a fact about this "
        "patient whose words name a clinical concept of its type (a finding, a procedure or "
        "test, a drug, an outcome), not a service, a company or another case of the "
        "literature; set for those types when the summary is built, None otherwise. The FHIR "
        "Bundle leaves out a mention read False.",
    )

    @property
    def marked_text(self) -> str:
        """The words the mention model marked: ``text`` less the modifiers joined before."""
        if self.core is None:
            return self.text
        return self.text[self.core.start - self.start : self.core.end - self.start]


class Abbreviation(RecordModel):
    """A short form defined in the text, such as "cerebrospinal fluid (CSF)"."""

    short: Span = Field(description="Where the short form is defined, e.g. 'CSF'.")
    long: Span = Field(description="The long form it stands for, e.g. 'cerebrospinal fluid'.")
    short_text: str
    long_text: str


class Relation(RecordModel):
    """A directed link between two mentions, by mention id."""

    type: str = Field(description="e.g. 'caused_by', 'result_of', 'treated_by', 'modifies'.")
    source: str
    target: str


class TimelineEvent(RecordModel):
    """An event mention placed in time; equal ``order`` means simultaneous.

    ``offset_days`` is set only when the text fixes the event's day. When the text orders the
    event after a known day but does not say how long after ("then", "the headache persisted",
    "at follow-up"), ``min_offset_days`` holds that day, a lower bound, and ``offset_days`` is
    empty; when it says neither (undated history), both are empty. Case JSON written before
    ``min_offset_days`` existed loads unchanged, without lower bounds.
    """

    mention: str
    order: int = Field(ge=0)
    offset_days: float | None = Field(
        default=None, description="Days from the case's anchor time, when the text fixes them."
    )
    min_offset_days: float | None = Field(
        default=None,
        description="A lower bound: the event happened this many days from the anchor time or "
        "later; set only when offset_days is not.",
    )

    @model_validator(mode="after")
    def _exact_or_bound(self) -> Self:
        if self.offset_days is not None and self.min_offset_days is not None:
            raise ValueError("offset_days and min_offset_days are not both set")
        return self


class TimeExpression(Span):
    """Words that say when something happened, normalised to days from the case's anchor time.

    The anchor is the presentation (or admission) the case report narrates; ``offset_days`` is
    negative before it. ``kind`` says how the words place events: ``after`` ("two days later"),
    ``before`` ("3 years ago"), ``history`` ("previously"), ``day`` ("on day 3"), ``anchor``
    ("on admission"), ``follow_up``, ``date``, ``age``, ``same`` ("at this time"), or
    ``unnormalised`` for a Date/Duration/Time/Age mention no rule reads.
    """

    text: str
    kind: str
    offset_days: float | None = Field(
        default=None, description="Days from the anchor time, when the words fix them."
    )
    min_offset_days: float | None = Field(
        default=None,
        description="A lower bound in days from the anchor time, when the words count from a "
        'time the text does not fix ("two days later" after "then"); set only when '
        "offset_days is not.",
    )
    mention: str | None = Field(
        default=None, description="The Date/Duration/Time/Age mention these words are, if any."
    )

    @model_validator(mode="after")
    def _exact_or_bound(self) -> Self:
        if self.offset_days is not None and self.min_offset_days is not None:
            raise ValueError("offset_days and min_offset_days are not both set")
        return self


class SummaryLink(RecordModel):
    """A fact tied to a summary item, such as the cause of a complication or a test's result."""

    relation: str = Field(description="e.g. 'caused_by', 'result', 'treated_by', 'outcome'.")
    text: str
    mentions: list[str] = Field(min_length=1)


class SummaryItem(RecordModel):
    """One fact of the clinical summary and the mentions that state it (repeats included)."""

    text: str
    mentions: list[str] = Field(min_length=1, description="Mention ids, first mention first.")
    assertion: Assertion = Assertion.PRESENT
    offset_days: float | None = None
    related: list[SummaryLink] = Field(default_factory=list)


class ClinicalSummary(RecordModel):
    """The case at a glance: who, what brought them, what was found, done and what came of it."""

    patient: SummaryItem | None = None
    presenting_problem: list[SummaryItem] = Field(default_factory=list)
    diagnoses: list[SummaryItem] = Field(default_factory=list)
    procedures: list[SummaryItem] = Field(default_factory=list)
    complications: list[SummaryItem] = Field(
        default_factory=list, description="Findings caused by something, with their causes."
    )
    investigations: list[SummaryItem] = Field(
        default_factory=list, description="Tests with their results."
    )
    treatments: list[SummaryItem] = Field(default_factory=list)
    outcomes: list[SummaryItem] = Field(default_factory=list)
    follow_up: list[SummaryItem] = Field(default_factory=list)
    literature: list[SummaryItem] = Field(
        default_factory=list,
        description="Findings, procedures and drugs the report states about other patients or "
        "the literature (Introduction, Discussion, cited sentences): not this patient's.",
    )

    def items(self) -> list[SummaryItem]:
        """Every item, the patient first, those from the literature last."""
        found = [self.patient] if self.patient else []
        for group in (
            self.presenting_problem,
            self.diagnoses,
            self.procedures,
            self.complications,
            self.investigations,
            self.treatments,
            self.outcomes,
            self.follow_up,
            self.literature,
        ):
            found += group
        return found


class Document(RecordModel):
    """What a reader returns: a document's text and what its format says about structure.

    ``sections`` are those the format marks up (JATS ``<sec>``, BioC passages); plain text
    leaves them empty for the section detector. ``patient`` holds what metadata states
    (PMC-Patients age and sex), never what is guessed from the text.
    """

    id: str = Field(min_length=1)
    text: str
    source: Source
    title: str | None = None
    sections: list[Section] = Field(default_factory=list)
    patient: Patient = Field(default_factory=Patient)

    @model_validator(mode="after")
    def _sections_inside_text(self) -> Self:
        for section in self.sections:
            if section.end > len(self.text):
                raise ValueError(f"section {section.title!r} ends past the text's end")
        return self


class Case(RecordModel):
    """One analysed case report: the system of record."""

    schema_version: str = SCHEMA_VERSION
    pipeline: str | None = Field(
        default=None,
        description="The fingerprint of the pipeline that made this case "
        "(``casebook.pipeline_fingerprint``): a hash of casebook's version and of the models "
        "and rule files the analysis read. None for a case made before casebook recorded it "
        "(Case JSON without this field still loads) or by a pipeline other than the default "
        "one; such a case counts as made by another pipeline.",
    )
    id: str = Field(min_length=1, description="The document's own id (file stem, patient_uid).")
    text: str = Field(description="The original text, unchanged; every offset points into it.")
    source: Source
    title: str | None = None
    patient: Patient = Field(default_factory=Patient)
    sections: list[Section] = Field(default_factory=list)
    sentences: list[Span] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    abbreviations: list[Abbreviation] = Field(default_factory=list)
    codes: list[CaseCode] = Field(
        default_factory=list,
        description="Ranked codes of the patient's own present conditions and procedures. "
        "Each rests on at least one mention (``mentions``) that is present, the patient's own "
        "and not hypothetical: negated, uncertain, historical and family findings keep their "
        "codes on their mentions only. ``shown`` marks the codes above the calibrated "
        "threshold.",
    )
    relations: list[Relation] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    times: list[TimeExpression] = Field(default_factory=list)
    summary: ClinicalSummary | None = None

    @model_validator(mode="after")
    def _offsets_point_into_text(self) -> Self:
        size = len(self.text)
        spans: list[tuple[str, Span]] = [("section", s) for s in self.sections]
        spans += [("sentence", s) for s in self.sentences]
        for mention in self.mentions:
            spans.append((f"mention {mention.id}", mention))
            spans += [(f"mention {mention.id} fragment", f) for f in mention.fragments]
            spans += [(f"mention {mention.id} attribute", a) for a in mention.attributes]
        for code in self.codes:
            spans += [(f"code {code.code} evidence", e) for e in code.evidence]
        spans += [("time expression", t) for t in self.times]
        for label, span in spans:
            if span.end > size:
                raise ValueError(f"{label} ends at {span.end}, past the text's end ({size})")
        for mention in self.mentions:
            if self.text[mention.start : mention.end] != mention.text:
                raise ValueError(f"mention {mention.id} text does not match text[start:end]")
            for attribute in mention.attributes:
                if self.text[attribute.start : attribute.end] != attribute.text:
                    raise ValueError(
                        f"attribute {attribute.name} of {mention.id} does not match its offsets"
                    )
        for time in self.times:
            if self.text[time.start : time.end] != time.text:
                raise ValueError(f"time expression {time.text!r} does not match its offsets")
        for abbreviation in self.abbreviations:
            for span, words in (
                (abbreviation.short, abbreviation.short_text),
                (abbreviation.long, abbreviation.long_text),
            ):
                if span.end > size or self.text[span.start : span.end] != words:
                    raise ValueError(f"abbreviation {words!r} does not match its offsets")
        ids = [m.id for m in self.mentions]
        if len(set(ids)) != len(ids):
            raise ValueError("mention ids are not unique")
        known = set(ids)
        for relation in self.relations:
            for end in (relation.source, relation.target):
                if end not in known:
                    raise ValueError(f"relation {relation.type} points at unknown mention {end}")
        for code in self.codes:
            for mention_id in code.mentions:
                if mention_id not in known:
                    raise ValueError(f"code {code.code} points at unknown mention {mention_id}")
        for event in self.timeline:
            if event.mention not in known:
                raise ValueError(f"timeline points at unknown mention {event.mention}")
        for time in self.times:
            if time.mention is not None and time.mention not in known:
                raise ValueError(f"time expression points at unknown mention {time.mention}")
        if self.summary is not None:
            for item in self.summary.items():
                for mention_id in item.mentions + [m for r in item.related for m in r.mentions]:
                    if mention_id not in known:
                        raise ValueError(f"summary points at unknown mention {mention_id}")
        return self

    @classmethod
    def from_document(cls, document: Document) -> Case:
        """A case holding only what the reader found, ready for the pipeline."""
        return cls(
            id=document.id,
            text=document.text,
            source=document.source,
            title=document.title,
            patient=document.patient.model_copy(),
            sections=[s.model_copy() for s in document.sections],
        )

    def shown_codes(self) -> list[CaseCode]:
        """The codes a user is shown: those above their calibrated threshold, in rank order."""
        return [code for code in self.codes if code.shown]

    def mention(self, mention_id: str) -> Mention:
        """The mention with this id.

        Raises:
            KeyError: When no mention has that id.
        """
        for mention in self.mentions:
            if mention.id == mention_id:
                return mention
        raise KeyError(mention_id)


class FactWords(Span):
    """The words of one case that state a fact."""

    text: str


class MatchedFact(RecordModel):
    """A fact a similar case shares with the query case."""

    concept: str = Field(description="The shared concept, e.g. 'icd10cm:G96.0', 'finding:fever'.")
    label: str = Field(description="Its name: a code's title or the words that state it.")
    weight: float = Field(description="How much it adds to the match: rarer facts weigh more.")
    assertion: Literal["present", "negated"] = Field(
        description="Whether both cases state it as present or both as absent."
    )
    query: list[FactWords] = Field(description="Where the query case states it.")
    hit: list[FactWords] = Field(description="Where the similar case states it.")


class DifferingFact(RecordModel):
    """An important fact one case states and the other does not, or states negated."""

    concept: str
    label: str
    weight: float
    side: Literal["query", "hit"] = Field(description="Which case states the fact.")
    assertion: Literal["present", "negated"] = Field(description="How that case states it.")
    other: Literal["absent", "present", "negated"] = Field(
        description="What the other case says: nothing, or the opposite."
    )
    words: list[FactWords] = Field(description="Where the stating case states it.")
    other_words: list[FactWords] = Field(
        default_factory=list, description="Where the other case states the opposite."
    )


class SimilarCase(RecordModel):
    """A stored case found similar to a query case, and why."""

    id: str
    score: float
    rank: int = Field(ge=1)
    title: str | None = None
    age_years: float | None = None
    sex: Sex | None = None
    matched: list[MatchedFact] = Field(default_factory=list)
    differs: list[DifferingFact] = Field(default_factory=list)
    title_words: list[str] = Field(
        default_factory=list,
        description="The words of its title that the query case also uses, as its title writes "
        "them, but for words many titles hold ('case', 'report'): the search weighs the share "
        "of the title they make up.",
    )


class TreatmentTally(RecordModel):
    """One treatment across similar cases, with the outcomes that followed it."""

    treatment: str = Field(
        description="The treatment's name in the synonym table, else as the cases most often "
        "word it."
    )
    cases: list[str] = Field(description="Ids of the cases that report it, in rank order.")
    outcomes: dict[Outcome, list[str]] = Field(
        description="Outcome → ids of the cases where it followed the treatment."
    )


class CaseWithPrecedent(Case):
    """A case with the stored cases most like it and what was done for them."""

    similar: list[SimilarCase] = Field(default_factory=list)
    tally: list[TreatmentTally] = Field(default_factory=list)


def case_json_schema() -> dict[str, Any]:
    """The published JSON Schema of ``Case``."""
    return Case.model_json_schema()
