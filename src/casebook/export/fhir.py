"""A case as a FHIR R4 Bundle (``fhir.resources.R4B``) whose every resource cites its words.

``case_to_bundle`` turns a ``Case`` into a Bundle of type ``collection``. What goes where:

* **Patient**: ``gender`` from ``Case.patient.sex``. FHIR has no age element and a case report
  gives no birth date, so the age is an **Observation** coded LOINC ``30525-0`` "Age" with a UCUM
  quantity in the unit a reader says it in (years ``a``, months ``mo``, weeks ``wk``, days
  ``d``: "8 months", not 0.667 years), the usual FHIR way to record an age that was stated, not
  computed.
* **DocumentReference**: the case text itself, UTF-8, base64, with its SHA-1 in
  ``attachment.hash``; every evidence offset points into it.
* **Condition** per ``Sign_symptom`` / ``Disease_disorder`` mention. ``verificationStatus`` is
  ``refuted`` for a negated mention, ``unconfirmed`` for an uncertain or hypothetical one and
  ``confirmed`` otherwise; a negated mention of a condition the text (not its title) told the
  patient had before (a shared code, else the same words) is ``confirmed`` with ``clinicalStatus``
  ``resolved`` ("right pleural effusion" … "disappearance of pleural effusion") when its
  sentence tells a later time, of the patient ("at follow-up", "no further episodes"; not "She
  denied headaches", "did not reveal seizures", "her sister had no seizures") and its words
  name no new event ("no tumor recurrence", "no new lesions": none happened), as is one told
  as present that the words next to it tell went away ("her headaches had resolved", "pain
  relief was obtained"; ``fhir.json``'s ``condition_resolved``), and ``clinicalStatus``
  ``remission`` when its sentence tells it in remission ("nephrotic syndrome … was in
  remission"; ``fhir.json``'s ``remission``), whose words alone ("complete remission") are no
  Condition, ``resolved`` for a sign or symptom, which goes away ("total remission of the
  swelling"), unless the remission is partial; a finding naming a drug allergy ("severe
  penicillin allergy") is an AllergyIntolerance instead (``fhir.json``'s
  ``allergy_condition``); ``site`` attributes become ``bodySite``, ``severity`` ``severity``.
  A finding without a code told normal by a value right before it or told of it after it
  ("normal LV mass", "full range of shoulder motion", "visual fields were normal";
  ``fhir.json``'s ``normal_finding``) is none.
  A finding the patient has or had, not resolved, whose date attribute the timeline reads as a
  time before the presentation, a date or an age ("12 days prior", "in June 2015", "at the age
  of 25") has those words as ``onsetString``, citing them, unless they are counted from another
  event ("prior to the acute loss of vision") or a treatment is told near them, by a mention or
  by its words ("started on PD due to IgA nephropathy 8 months before"; ``fhir.json``'s
  ``onset``).
* **FamilyMemberHistory** per finding about a relative (assertion ``family``): those are never
  the patient's Conditions. The relative is the nearest relationship word in the sentence
  ("her mother", coded in HL7 v3 RoleCode), else "family member". Other family facts (a
  relative's drugs or operations) are left out.
* **Procedure** per ``Therapeutic_procedure`` / ``Diagnostic_procedure`` mention: ``completed``,
  ``not-done`` when negated, ``unknown`` when uncertain or hypothetical. A Condition linked to
  the procedure by a ``caused_by`` relation (source: the complication, target: the procedure) is
  in ``complication`` (its concept) and ``complicationDetail`` (a reference), unless refuted or
  hypothetical.
* **Observation** per ``result`` attribute of a test and per ``value`` attribute of a finding,
  with a quantity when the value is a number, else the words, and an HL7 interpretation (``N``,
  ``H``, ``POS`` …) for normalised result words; a percentage that names what it is a share of
  ("23% polymorphonuclear neutrophils") is an Observation of those words; a finding cites its
  values in ``Condition.evidence.detail``. A **DiagnosticReport** groups a test's results and
  the test's Procedure points to it in ``report``. A lab value linked to nothing is left out:
  without the test it belongs to it says nothing. Only what happened (present, historical or
  uncertain, the last ``preliminary``) gets a result.
* **MedicationStatement** per ``Medication`` mention that its sentence does not tell as what a
  culture was sensitive or resistant to, a screen was negative for or the patient is allergic
  to (``fhir.json``'s ``medication_not_taken``: "sensitive to ampicillin, gentamicin and
  vancomycin", "allergic to penicillin" tell no dose taken; "tacrolimus levels" and "lithium
  toxicity", which the treatment tally leaves out, do): ``completed``
  (a case report tells what was given), ``not-taken`` when negated (``stopped`` when its
  sentence tells it taken, then no longer: "enoxaparin and aspirin were discontinued", "did not
  tolerate combination chemotherapy"; ``fhir.json``'s ``medication_stopped``; not "refused the
  recommended chemotherapy"), ``intended`` when hypothetical, ``unknown`` when uncertain;
  ``dosage``, ``route`` and ``frequency`` attributes fill ``dosage``.
* **AllergyIntolerance** (``type`` allergy, ``category`` medication, ``active``) per
  ``Medication`` mention its sentence tells as one the patient is allergic to (``fhir.json``'s
  ``drug_allergy``: "allergic to penicillin", "penicillin allergy", "an allergic reaction to
  metronidazole", which was also taken): ``confirmed``, or
  ``unconfirmed`` when uncertain; a denied or hypothetical allergy gives none.

A finding's mention that the clinical summary lists as a procedure or a test (the mention model
typed "HSCT", "decortication", "cordocentesis" as findings; the summary reads their words) gives a
**Procedure** named by its words alone, not a Condition: the codes read into it as a finding
("complete tumor removal" coded as a neoplasm) name no procedure.

A mention the clinical summary reads as no fact about the patient (``Mention.patient_fact``
False: words that name no concept of its type, a service that was consulted, another case of
the literature) gives no resource: a company typed as a drug is no MedicationStatement.

The codes the case shows (``CaseCode.shown``) naming a mention become its concept's ``coding``
(ICD-10-CM ``http://hl7.org/fhir/sid/icd-10-cm``, HPO ``http://human-phenotype-ontology.org``,
ICD-10-PCS ``http://www.cms.gov/Medicare/Coding/ICD10``), of a procedure's ICD-10-PCS codes the
first only. The codes a mention's words name (``Mention.codes``) and the case does not show
are none: those below their calibrated threshold, categories beside the code chosen, and those
of findings the case coder never scores (denied, uncertain, a relative's), whose concepts are
their words alone. A case code naming no mention is a ranking for search and review, not a fact
about the patient, and stays in the Case JSON only.

**Evidence.** Every resource, and every element read from an attribute, carries the extension
``EVIDENCE_URL`` with sub-extensions ``mention`` (the mention id, when there is one), ``start``
and ``end`` (character offsets, in Unicode code points, into the DocumentReference's text),
``text`` (the words) and ``assertion`` (casebook's assertion, which FHIR statuses only
approximate). Resource ids are UUID 5 of the case id and the mention id (and the resource's
role), so the same case always gives the same Bundle; entries use ``urn:uuid:`` full URLs and
references, as FHIR collections without a server do.

**Provenance.** The Bundle's ``meta.tag`` holds the fingerprint of the pipeline that made the
case (``Case.pipeline``) under the system ``PIPELINE_SYSTEM``, when the case records one.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import uuid
from bisect import bisect_right
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.condition import Condition, ConditionEvidence
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.documentreference import DocumentReference, DocumentReferenceContent
from fhir.resources.R4B.dosage import Dosage, DosageDoseAndRate
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.familymemberhistory import (
    FamilyMemberHistory,
    FamilyMemberHistoryCondition,
)
from fhir.resources.R4B.fhirprimitiveextension import FHIRPrimitiveExtension
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.meta import Meta
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.timing import Timing
from pydantic import Field

from casebook.model import (
    Assertion,
    Attribute,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    DrugContext,
    DrugWords,
    EntityType,
    Mention,
    Patterns,
    RecordModel,
    Span,
    age_in_units,
    compile_patterns,
)
from casebook.resources import load_rules

EVIDENCE_URL = "https://casebook.dev/fhir/StructureDefinition/evidence"
"""The extension that ties a resource or element to the words of the case it was read from."""

CASE_ID_SYSTEM = "https://casebook.dev/fhir/case-id"
"""The identifier system of casebook case ids (``Bundle.identifier``, the DocumentReference)."""

PIPELINE_SYSTEM = "https://casebook.dev/fhir/pipeline"
"""The tag system of the pipeline fingerprint in ``Bundle.meta.tag``."""

CODE_SYSTEMS: dict[CodeSystem, str] = {
    CodeSystem.ICD10CM: "http://hl7.org/fhir/sid/icd-10-cm",
    CodeSystem.HPO: "http://human-phenotype-ontology.org",
    CodeSystem.ICD10PCS: "http://www.cms.gov/Medicare/Coding/ICD10",
}
"""FHIR system URIs of casebook's vocabularies."""

_NAMESPACE = uuid.UUID("6f1f5a3e-2c39-5a4e-9d0b-2a1c7e0c8b11")
_LOINC = "http://loinc.org"
_UCUM = "http://unitsofmeasure.org"
_SNOMED = "http://snomed.info/sct"
_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
_ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
_ALLERGY_VERIFICATION_SYSTEM = (
    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
)
_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
_TEXT_TYPE = "text/plain; charset=utf-8"

CONDITION_TYPES = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
PROCEDURE_TYPES = frozenset({EntityType.THERAPEUTIC_PROCEDURE, EntityType.DIAGNOSTIC_PROCEDURE})

_VERIFICATION_STATUS: dict[Assertion, str] = {
    Assertion.NEGATED: "refuted",
    Assertion.UNCERTAIN: "unconfirmed",
    Assertion.HYPOTHETICAL: "unconfirmed",
}
_PROCEDURE_STATUS: dict[Assertion, str] = {
    Assertion.NEGATED: "not-done",
    Assertion.UNCERTAIN: "unknown",
    Assertion.HYPOTHETICAL: "unknown",
}
_MEDICATION_STATUS: dict[Assertion, str] = {
    Assertion.NEGATED: "not-taken",
    Assertion.UNCERTAIN: "unknown",
    Assertion.HYPOTHETICAL: "intended",
}
_ALLERGY_VERIFICATION: dict[Assertion, str] = {
    Assertion.PRESENT: "confirmed",
    Assertion.HISTORICAL: "confirmed",
    Assertion.UNCERTAIN: "unconfirmed",
}
"""Verification of a drug allergy by its drug's assertion; others give no allergy."""
_TREATMENT_TYPES = frozenset({EntityType.THERAPEUTIC_PROCEDURE, EntityType.MEDICATION})
_TREATED_REACH = 60
"""How far from a finding or its time words a treatment tells the time as the treatment's
("surgery for gastric cancer 20 years before", "the tumor was surgically resected"), in
characters."""
_DEGREE_REACH = 40
"""How far before the words of a remission its degree may be told ("a significant and
sustained remission of"), in characters."""
_STOPPED_BEFORE = 40
_STOPPED_AFTER = 60
"""How far before and after a denied drug, within its sentence, the words telling it stopped
are sought ("the patient stopped (progressively) cyclosporine", "Furosemide, dopamine, and
digoxin were discontinued"), in characters: further on they tell of another thing."""
_GIVEN = frozenset({Assertion.PRESENT, Assertion.HISTORICAL})
"""Assertions of a drug the patient was given."""


def _words_key(mention: Mention) -> str:
    """A mention's words (its long form) as compared across the mentions of one drug or one
    condition."""
    return " ".join((mention.expansion or mention.text).lower().split())


_RESULT_STATUS: dict[Assertion, str] = {
    Assertion.PRESENT: "final",
    Assertion.HISTORICAL: "final",
    Assertion.UNCERTAIN: "preliminary",
}
"""Status of results and reports by their test's (or finding's) assertion; others get none."""

_VALUE_ATTRIBUTES: dict[EntityType, str] = {
    EntityType.DIAGNOSTIC_PROCEDURE: "result",
    EntityType.SIGN_SYMPTOM: "value",
    EntityType.DISEASE_DISORDER: "value",
}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

_SHARE_OF = re.compile(r"[^%]*%\s*(?:of\s+)?(?P<named>[^\W\d_][\w\s-]*?)\s*$")
"""A percentage followed by what it is a share of ("23% polymorphonuclear neutrophils")."""
# FHIR strings need one character that is a space, tab, line break or not whitespace.
_FHIR_STRING = re.compile(r"[ \r\n\t\S]")


class Concept(RecordModel):
    """A code and its display in a fixed FHIR code system."""

    code: str
    display: str


class NormalWords(RecordModel):
    """The words that tell a finding normal (``fhir.json``'s ``normal_finding``)."""

    note: str = ""
    words: Patterns = Field(description="Patterns of a value attribute's words telling normal.")
    before: Patterns = Field(description="Patterns of the words from such a value to a finding.")
    after: Patterns = Field(description="Patterns of the words from a finding to such a value.")


class FindingWords(RecordModel):
    """Patterns around a finding's words in its sentence (``fhir.json``'s
    ``condition_resolved``)."""

    note: str = ""
    before: Patterns = Field(description="Patterns ending where the finding starts.")
    after: Patterns = Field(description="Patterns starting where the finding ends.")
    not_before: Patterns = Field(
        default_factory=list,
        description="Patterns ending where the finding starts that make it what the words "
        "before or after tell of another thing (its cause, its companion).",
    )
    new_event: Patterns = Field(
        default_factory=list,
        description="Patterns of a finding's words naming a new event ('recurrence'), whose "
        "denial tells no earlier finding resolved.",
    )
    new_before: Patterns = Field(
        default_factory=list,
        description="Patterns ending where a denied finding starts that make it a new one "
        "('no new lesions').",
    )
    later: Patterns = Field(
        default_factory=list,
        description="Patterns of the words of a sentence telling a time after the finding "
        "('at follow-up', 'no further', 'disappearance of'): only there does its denial tell "
        "it went away.",
    )
    not_later: Patterns = Field(
        default_factory=list,
        description="Patterns of the words of a sentence telling such a time still to come "
        "('waiting for the resolution', 'to ensure resolution').",
    )


class RemissionWords(RecordModel):
    """What tells a finding in remission (``fhir.json``'s ``remission``)."""

    note: str = ""
    status: Patterns = Field(description="Patterns of a finding's words naming only a remission.")
    before: Patterns = Field(description="Patterns ending where the finding starts.")
    after: Patterns = Field(description="Patterns starting where the finding ends.")
    partial: Patterns = Field(
        default_factory=list,
        description="Patterns of the words of a remission telling it partial ('partial "
        "remission'): a sign or symptom in such a remission did not go away.",
    )
    lasting: Patterns = Field(
        default_factory=list,
        description="Patterns of a finding's words whose last word names a disease, a tumour "
        "or a lesion, which goes into remission, not away, whatever its mention's type.",
    )


class AllergyWords(RecordModel):
    """What tells a finding a drug allergy (``fhir.json``'s ``allergy_condition``)."""

    note: str = ""
    words: Patterns = Field(
        description="Patterns of a finding's words naming an allergy, the drug in group 'drug'."
    )
    drugs: Patterns = Field(description="Patterns of a drug class's or stem's words.")


class OnsetWords(RecordModel):
    """What tells a finding's time words as when it began (``fhir.json``'s ``onset``)."""

    note: str = ""
    kinds: frozenset[str] = Field(description="The timeline's kinds of such time words.")
    not_before: Patterns = Field(description="Patterns ending where time words start.")
    not_after: Patterns = Field(description="Patterns starting where time words end.")
    not_words: Patterns = Field(
        default_factory=list,
        description="Patterns of time words telling when a finding ended or lasted, not when "
        "it began ('until the age of 14').",
    )
    treated: Patterns = Field(
        default_factory=list,
        description="Patterns of words telling a treatment near a finding or its time words.",
    )


class StoppedWords(RecordModel):
    """What tells a denied drug stopped (``fhir.json``'s ``medication_stopped``)."""

    note: str = ""
    words: Patterns = Field(
        description="Patterns of the words of a denied drug's sentence telling it was taken, "
        "then no longer."
    )


class FhirRules(RecordModel):
    """Word → code tables of the export (``resources/fhir.json``)."""

    version: str
    interpretations: dict[str, Concept]
    severities: dict[str, Concept]
    relationships: dict[str, Concept]
    family_member: Concept
    medication_not_taken: DrugWords
    medication_stopped: StoppedWords
    drug_allergy: DrugWords
    normal_finding: NormalWords
    condition_resolved: FindingWords
    remission: RemissionWords
    allergy_condition: AllergyWords
    onset: OnsetWords


@cache
def fhir_rules() -> FhirRules:
    """The packaged export tables, validated once."""
    return load_rules("fhir.json", FhirRules)


def resource_id(case_id: str, role: str) -> str:
    """The resource id for a role ("condition:m3", "patient") in a case: a UUID 5."""
    return str(uuid.uuid5(_NAMESPACE, f"{case_id}\x00{role}"))


def reference(resource: Resource) -> Reference:
    """A reference to a resource of the same Bundle, by its ``urn:uuid:`` full URL."""
    return Reference(reference=f"urn:uuid:{resource.id}")


def text_bytes(text: str) -> bytes:
    """The case text as the DocumentReference stores it: UTF-8, lone surrogates as ``?``.

    Replacing one character by one keeps every code-point offset valid.
    """
    return text.encode("utf-8", "replace")


def text_hash(text: str) -> str:
    """The base64 SHA-1 of the stored text, as ``Attachment.hash`` holds it."""
    return base64.b64encode(hashlib.sha1(text_bytes(text)).digest()).decode("ascii")


def stored_text_hash(bundle: Any) -> str | None:
    """The text hash in a Bundle's DocumentReference, read from its parsed JSON; None if none.

    ``extract`` compares it with ``text_hash`` of a document to skip documents already done
    without validating the whole Bundle.
    """
    if not isinstance(bundle, dict):
        return None
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "DocumentReference":
            continue
        for content in resource.get("content") or []:
            attachment = content.get("attachment") if isinstance(content, dict) else None
            if isinstance(attachment, dict) and isinstance(attachment.get("hash"), str):
                return str(attachment["hash"])
    return None


def stored_pipeline(bundle: Any) -> str | None:
    """The pipeline fingerprint tagged on a Bundle, read from its parsed JSON; None if none."""
    meta = bundle.get("meta") if isinstance(bundle, dict) else None
    for tag in (meta.get("tag") or []) if isinstance(meta, dict) else []:
        if isinstance(tag, dict) and tag.get("system") == PIPELINE_SYSTEM:
            code = tag.get("code")
            return code if isinstance(code, str) else None
    return None


def _string(value: str) -> str | None:
    """``value`` when FHIR accepts it as a string, else None."""
    return value if _FHIR_STRING.search(value) else None


def _code(value: str) -> str | None:
    """``value`` as a FHIR code (no leading, trailing or double whitespace), or None."""
    return " ".join(value.split()) or None


def evidence(
    start: int,
    end: int,
    words: str,
    mention: str | None = None,
    assertion: Assertion | None = None,
) -> Extension:
    """The evidence extension for the words at ``[start, end)``."""
    parts: list[Extension] = []
    if mention is not None and (mention_id := _string(mention)) is not None:
        parts.append(Extension(url="mention", valueString=mention_id))
    parts.append(Extension(url="start", valueInteger=start))
    parts.append(Extension(url="end", valueInteger=end))
    if (covered := _string(words)) is not None:
        parts.append(Extension(url="text", valueString=covered))
    if assertion is not None:
        parts.append(Extension(url="assertion", valueCode=assertion.value))
    return Extension(url=EVIDENCE_URL, extension=parts)


def mention_evidence(mention: Mention) -> Extension:
    """The evidence extension of a whole mention."""
    return evidence(mention.start, mention.end, mention.text, mention.id, mention.assertion)


def _attribute_evidence(attribute: Attribute) -> Extension:
    return evidence(attribute.start, attribute.end, attribute.text)


def _coding(code: Code) -> Coding | None:
    value = _code(code.code)
    if value is None:
        return None
    return Coding(system=CODE_SYSTEMS[code.system], code=value, display=_string(code.display))


def _coded(system: str, concept: Concept) -> Coding:
    return Coding(system=system, code=concept.code, display=concept.display)


def _attribute_concept(attribute: Attribute, words: str) -> CodeableConcept:
    """A concept named by an attribute's words, citing them."""
    return CodeableConcept(
        text=_string(words) or attribute.name, extension=[_attribute_evidence(attribute)]
    )


_UCUM_AGE_UNITS = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h"}
"""UCUM codes of the units ``age_in_units`` says an age in."""


def _age_quantity(years: float) -> Quantity:
    """The age in the unit a reader says it in ("8 months", not 0.666667 years); an age in
    years keeps every decimal it has."""
    value, unit = age_in_units(years)
    number = Decimal(repr(years)) if unit == "year" else Decimal(int(value))
    words = unit if value == 1 else f"{unit}s"
    return Quantity(value=number, unit=words, system=_UCUM, code=_UCUM_AGE_UNITS[unit])


class _BundleBuilder:
    """Collects the entries of one case's Bundle; ``case_to_bundle`` is its only user."""

    def __init__(self, case: Case, rules: FhirRules) -> None:
        self.case = case
        self.rules = rules
        self.entries: list[Resource] = []
        # The shown codes naming each mention: the codes the case shows, with their words.
        self.case_codes: dict[str, list[CaseCode]] = {}
        for case_code in case.codes:
            if case_code.shown:
                for mention_id in case_code.mentions:
                    self.case_codes.setdefault(mention_id, []).append(case_code)
        self.sentence_starts = [s.start for s in case.sentences]
        # Findings' mentions the summary reads as procedures or tests.
        summary = case.summary
        listed = [*summary.procedures, *summary.investigations] if summary is not None else []
        self.mistyped = frozenset(
            mention_id
            for item in listed
            for mention_id in item.mentions
            if case.mention(mention_id).type in CONDITION_TYPES
        )
        self.relatives = re.compile(
            r"\b("
            + "|".join(re.escape(w) for w in sorted(rules.relationships, key=len, reverse=True))
            + r")s?\b",
            re.IGNORECASE,
        )
        self.patient = Patient(id=resource_id(case.id, "patient"))
        self.not_taken_words = DrugContext(rules.medication_not_taken)
        self.allergy_words = DrugContext(rules.drug_allergy)
        self.resolved_before = compile_patterns(rules.condition_resolved.before)
        self.resolved_after = compile_patterns(rules.condition_resolved.after)
        self.onset_not_before = compile_patterns(rules.onset.not_before)
        self.onset_not_after = compile_patterns(rules.onset.not_after)
        self.onset_not_words = compile_patterns(rules.onset.not_words)
        self.onset_treated = compile_patterns(rules.onset.treated)
        self.resolved_not_before = compile_patterns(rules.condition_resolved.not_before)
        self.new_event = compile_patterns(rules.condition_resolved.new_event)
        self.new_before = compile_patterns(rules.condition_resolved.new_before)
        self.later = compile_patterns(rules.condition_resolved.later)
        self.not_later = compile_patterns(rules.condition_resolved.not_later)
        self.normal_words = compile_patterns(rules.normal_finding.words)
        self.remission_status = compile_patterns(rules.remission.status)
        self.remission_before = compile_patterns(rules.remission.before)
        self.remission_after = compile_patterns(rules.remission.after)
        self.remission_partial = compile_patterns(rules.remission.partial)
        self.remission_lasting = compile_patterns(rules.remission.lasting)
        self.allergy_named = compile_patterns(rules.allergy_condition.words)
        self.allergy_drugs = compile_patterns(rules.allergy_condition.drugs)
        self.drug_words = frozenset(
            _words_key(m) for m in case.mentions if m.type is EntityType.MEDICATION
        )
        self.normal_before = compile_patterns(rules.normal_finding.before)
        self.normal_after = compile_patterns(rules.normal_finding.after)
        self.stopped = compile_patterns(rules.medication_stopped.words)
        # Where each condition was first told as had: denied after that, it resolved. A
        # title tells the whole story at once, so it tells no time.
        titles = [(t.start, t.end) for t in case.sections if t.kind == "title"]
        self.first_had: dict[str, int] = {}
        for mention in case.mentions:
            if (
                mention.type in CONDITION_TYPES
                and mention.assertion in _GIVEN
                and not any(start <= mention.start < end for start, end in titles)
            ):
                for key in self.condition_keys(mention):
                    self.first_had.setdefault(key, mention.start)

    def add(self, resource: Resource) -> None:
        self.entries.append(resource)

    def concept(self, mention: Mention) -> CodeableConcept:
        """The mention's concept: its words (the long form of an abbreviation) and the codes the
        case shows naming it.

        A code the mention's words name but the case does not show (``CaseCode.shown``) is no
        coding: one below its calibrated threshold, a category beside the code the coder chose
        ("R11.1" beside "R11.10"), or one of a finding the case coder never scores (a denied,
        uncertain or relative's finding: "facial palsy" named "Bell's palsy"). Of a
        procedure's ICD-10-PCS codes only the first is: the rest are other procedures it may
        have been ("computed tomography study" of the head, chest, abdomen, pelvis and spine:
        BW25, then BW21 and BW24).
        """
        codings: list[Coding] = []
        seen: set[tuple[str, str]] = set()
        ranked = [c.code for c in mention.codes if c.system is CodeSystem.ICD10PCS]
        shown = self.case_codes.get(mention.id, [])
        procedures = sorted(
            (c for c in shown if c.system is CodeSystem.ICD10PCS),
            key=lambda c: ranked.index(c.code) if c.code in ranked else len(ranked),
        )
        for code in [c for c in shown if c.system is not CodeSystem.ICD10PCS] + procedures[:1]:
            coding = _coding(code)
            if coding is not None and (coding.system, coding.code) not in seen:
                seen.add((str(coding.system), str(coding.code)))
                codings.append(coding)
        words = _string(mention.expansion or "") or _string(mention.text) or mention.type.value
        return CodeableConcept(text=words, coding=codings or None)

    def role_id(self, role: str) -> str:
        return resource_id(self.case.id, role)

    def build_patient(self) -> None:
        case = self.case
        own = [m for m in case.mentions if m.assertion is not Assertion.FAMILY]
        if case.patient.sex is not None:
            self.patient.gender = case.patient.sex.value
            sex = next((m for m in own if m.type is EntityType.SEX), None)
            if sex is not None:
                self.patient.extension = [mention_evidence(sex)]
        self.add(self.patient)
        content = Attachment(
            contentType=_TEXT_TYPE,
            data=base64.b64encode(text_bytes(case.text)),
            hash=text_hash(case.text).encode("ascii"),
            title=_string(case.title or ""),
        )
        identifier = _string(case.id)
        self.add(
            DocumentReference(
                id=self.role_id("document"),
                status="current",
                subject=reference(self.patient),
                description=_string(case.title or ""),
                identifier=[Identifier(system=CASE_ID_SYSTEM, value=identifier)]
                if identifier
                else None,
                content=[DocumentReferenceContent(attachment=content)],
            )
        )
        age = case.patient.age_years
        if age is None or not math.isfinite(age):
            return
        age_mention = next((m for m in own if m.type is EntityType.AGE), None)
        self.add(
            Observation(
                id=self.role_id("age"),
                status="final",
                code=CodeableConcept(
                    coding=[Coding(system=_LOINC, code="30525-0", display="Age")], text="Age"
                ),
                subject=reference(self.patient),
                valueQuantity=_age_quantity(age),
                extension=[mention_evidence(age_mention)] if age_mention else None,
            )
        )

    def sites(self, mention: Mention) -> list[CodeableConcept] | None:
        sites = [_attribute_concept(a, a.text) for a in mention.attributes if a.name == "site"]
        return sites or None

    def results(self, mention: Mention, test: CodeableConcept) -> list[Observation]:
        """Observations of a test's results or a finding's values, when it happened."""
        status = _RESULT_STATUS.get(mention.assertion)
        wanted = _VALUE_ATTRIBUTES.get(mention.type)
        if status is None or wanted is None:
            return []
        observations: list[Observation] = []
        values = [a for a in mention.attributes if a.name == wanted]
        for number, attribute in enumerate(values):
            value = attribute.value or ""
            quantity: Quantity | None = None
            if _NUMBER.fullmatch(value):
                quantity = Quantity(value=Decimal(value), unit=_string(attribute.unit or ""))
            interpretation = self.rules.interpretations.get(value)
            lab_value = next(
                (
                    m
                    for m in self.case.mentions
                    if m.type is EntityType.LAB_VALUE
                    and (m.start, m.end) == (attribute.start, attribute.end)
                ),
                None,
            )
            value_evidence = (
                mention_evidence(lab_value) if lab_value else _attribute_evidence(attribute)
            )
            # "White blood cell count … with 23% polymorphonuclear neutrophils": a share that
            # names what it is a share of measures that, not the test it was told with.
            share = _SHARE_OF.fullmatch(attribute.text) if attribute.unit == "%" else None
            observations.append(
                Observation(
                    id=self.role_id(f"observation:{mention.id}:{number}"),
                    status=status,
                    code=CodeableConcept(text=_string(share["named"])) if share else test,
                    subject=reference(self.patient),
                    valueQuantity=quantity,
                    valueString=None if quantity else _string(attribute.text) or value or None,
                    interpretation=[
                        CodeableConcept(coding=[_coded(_INTERPRETATION, interpretation)])
                    ]
                    if interpretation
                    else None,
                    extension=[mention_evidence(mention), value_evidence],
                )
            )
        return observations

    def condition_keys(self, mention: Mention) -> set[str]:
        """What a condition is compared by across its mentions: its codes, else its words."""
        codes = {
            f"{code.system}:{code.code}"
            for code in [*mention.codes, *self.case_codes.get(mention.id, [])]
        }
        return codes or {_words_key(mention)}

    def told_normal(self, mention: Mention) -> bool:
        """Whether a finding without a code is told normal by a value right before it or told
        of it after it ("normal LV mass", "full range of shoulder motion", "visual fields were
        normal"; ``fhir.json``'s ``normal_finding``): no disorder the patient had."""
        if mention.codes or self.case_codes.get(mention.id):
            return False
        text = self.case.text
        sites = [a for a in mention.attributes if a.name == "site"]
        for value in mention.attributes:
            if value.name != "value" or not (
                value.value == "normal" or any(p.match(value.text) for p in self.normal_words)
            ):
                continue
            if value.end <= mention.start:
                between = "".join(
                    "" if any(s.start <= i < s.end for s in sites) else text[i]
                    for i in range(value.end, mention.start)
                )
                if any(p.match(between) for p in self.normal_before):
                    return True
            elif value.start >= mention.end:
                between = text[mention.end : value.start]
                if any(p.match(between) for p in self.normal_after):
                    return True
        return False

    def told_resolved(self, mention: Mention) -> bool:
        """Whether the words of its sentence right after or before a finding tell it went away
        ("her headaches had resolved", "after resolution of ileus"; ``fhir.json``'s
        ``condition_resolved``): what went away was there, and is resolved."""
        sentence = self.sentence(mention)
        before = self.case.text[sentence.start : mention.start]
        after = self.case.text[mention.end : sentence.end]
        if any(p.search(before) for p in self.resolved_not_before):
            return False
        return any(p.search(before) for p in self.resolved_before) or any(
            p.match(after) for p in self.resolved_after
        )

    def denied_later(self, mention: Mention) -> bool:
        """Whether a denied finding's sentence tells a time after it was had, of the patient,
        and the finding is no new event ("at follow-up there was no sign of infection", "no
        further episodes of urethral bleeding"; ``fhir.json``'s ``condition_resolved``): a
        denial at the presentation ("She denied headaches"), by a test ("did not reveal
        seizures"), of a relative's ("her sister had no seizures") or of a new event ("no
        tumor recurrence", "no new lesions") tells nothing went away."""
        sentence = self.sentence(mention)
        text = self.case.text
        words = text[sentence.start : sentence.end]
        return (
            not any(p.search(_words_key(mention)) for p in self.new_event)
            and not any(p.search(text[sentence.start : mention.start]) for p in self.new_before)
            and self.relatives.search(words) is None
            and any(p.search(words) for p in self.later)
            and not any(p.search(words) for p in self.not_later)
        )

    def names_remission(self, mention: Mention) -> bool:
        """Whether a finding's words name only a remission ("complete remission"): the status
        of another finding, no Condition of its own (``fhir.json``'s ``remission``)."""
        return any(p.fullmatch(_words_key(mention)) for p in self.remission_status)

    def remission(self, mention: Mention) -> str | None:
        """The words of its sentence right after or before a finding that tell it in remission
        ("nephrotic syndrome … was in remission", "remission of the lymphoma"), with those
        before them that may tell its degree ("total remission of the"); None when none do."""
        sentence = self.sentence(mention)
        text = self.case.text
        before = text[sentence.start : mention.start]
        for pattern in self.remission_before:
            if found := pattern.search(before):
                return before[max(found.start() - _DEGREE_REACH, 0) :]
        after = text[mention.end : sentence.end]
        for pattern in self.remission_after:
            # "amenorrhea at which time her psychotic symptoms were in complete remission":
            # the remission of the finding between.
            if (found := pattern.match(after)) and not any(
                m.type in CONDITION_TYPES
                and mention.end < m.start < mention.end + found.end()
                and not self.names_remission(m)
                for m in self.case.mentions
            ):
                return found.group()
        return None

    def remission_clinical(self, mention: Mention) -> str | None:
        """The clinical status a remission tells: ``remission`` for a disease, a tumour or a
        lesion; for a sign or a symptom, which goes away rather than into remission,
        ``resolved`` unless the remission is partial ("total remission of the swelling";
        "partial remission of symptoms" tells none; ``fhir.json``'s ``remission``)."""
        words = self.remission(mention)
        if words is None:
            return None
        if mention.type is not EntityType.SIGN_SYMPTOM or any(
            p.search(_words_key(mention)) for p in self.remission_lasting
        ):
            return "remission"
        if any(p.search(words) for p in self.remission_partial):
            return None
        return "resolved"

    def names_drug_allergy(self, mention: Mention) -> bool:
        """Whether a finding's words name an allergy to a drug ("severe penicillin allergy"),
        a drug class or stem (``fhir.json``'s ``allergy_condition``) or a drug the case names."""
        for pattern in self.allergy_named:
            named = pattern.fullmatch(_words_key(mention))
            if named is None:
                continue
            drug = named.group("drug")
            if drug in self.drug_words or any(p.fullmatch(drug) for p in self.allergy_drugs):
                return True
        return False

    def onset(self, mention: Mention) -> Attribute | None:
        """The date attribute telling when a finding the patient has or had began, where the
        timeline reads its words as a time before the presentation, a date or an age ("12 days
        prior", "in June 2015", "at the age of 25") counted from the presentation, and no
        treatment or drug is told near them (``fhir.json``'s ``onset``)."""
        if mention.assertion not in _GIVEN:
            return None
        rules = self.rules.onset
        text = self.case.text
        sentence = self.sentence(mention)
        for date in mention.attributes:
            if (
                date.name != "date"
                or not any(
                    t.kind in rules.kinds and t.start < date.end and date.start < t.end
                    for t in self.case.times
                )
                or any(p.search(text, sentence.start, date.start) for p in self.onset_not_before)
                or any(p.match(date.text) for p in self.onset_not_words)
                or any(p.match(text, date.end, sentence.end) for p in self.onset_not_after)
            ):
                continue
            start = max(sentence.start, min(date.start, mention.start) - _TREATED_REACH)
            end = min(sentence.end, max(date.end, mention.end) + _TREATED_REACH)
            if not any(
                m.type in _TREATMENT_TYPES and m.start < end and start < m.end
                for m in self.case.mentions
            ) and not any(p.search(text, start, end) for p in self.onset_treated):
                return date
        return None

    def condition(self, mention: Mention) -> Condition:
        verification = _VERIFICATION_STATUS.get(mention.assertion, "confirmed")
        clinical: CodeableConcept | None = None
        if (
            mention.assertion is Assertion.NEGATED
            and any(
                self.first_had.get(key, mention.start) < mention.start
                for key in self.condition_keys(mention)
            )
            and self.denied_later(mention)
        ):
            verification = "confirmed"
            clinical = CodeableConcept(coding=[Coding(system=_CLINICAL, code="resolved")])
        elif mention.assertion in _GIVEN and self.told_resolved(mention):
            clinical = CodeableConcept(coding=[Coding(system=_CLINICAL, code="resolved")])
        elif mention.assertion in _GIVEN and (status := self.remission_clinical(mention)):
            clinical = CodeableConcept(coding=[Coding(system=_CLINICAL, code=status)])
        concept = self.concept(mention)
        observations = self.results(mention, concept)
        severity = next((a for a in mention.attributes if a.name == "severity"), None)
        severity_concept: CodeableConcept | None = None
        if severity is not None:
            severity_concept = _attribute_concept(severity, severity.text)
            graded = self.rules.severities.get(severity.value or "")
            if graded is not None:
                severity_concept.coding = [_coded(_SNOMED, graded)]
        # The time told of a finding that went away is when it went away ("the fever subsided
        # in June 2015").
        onset = None if clinical is not None else self.onset(mention)
        condition = Condition(
            id=self.role_id(f"condition:{mention.id}"),
            onsetString=_string(onset.text) if onset else None,
            onsetString__ext=FHIRPrimitiveExtension(extension=[_attribute_evidence(onset)])
            if onset
            else None,
            subject=reference(self.patient),
            code=concept,
            verificationStatus=CodeableConcept(
                coding=[Coding(system=_VERIFICATION, code=verification)]
            ),
            clinicalStatus=clinical,
            bodySite=self.sites(mention),
            severity=severity_concept,
            evidence=[ConditionEvidence(detail=[reference(o) for o in observations])]
            if observations
            else None,
            extension=[mention_evidence(mention)],
        )
        self.add(condition)
        for observation in observations:
            self.add(observation)
        return condition

    def family_history(self, mention: Mention) -> None:
        relative = self.relative(mention)
        self.add(
            FamilyMemberHistory(
                id=self.role_id(f"family:{mention.id}"),
                status="partial",
                patient=reference(self.patient),
                relationship=CodeableConcept(
                    coding=[_coded(_ROLE_CODE, relative)], text=relative.display
                ),
                condition=[
                    FamilyMemberHistoryCondition(
                        code=self.concept(mention), extension=[mention_evidence(mention)]
                    )
                ],
                extension=[mention_evidence(mention)],
            )
        )

    def relative(self, mention: Mention) -> Concept:
        """The relative a family finding is about: the nearest relationship word in its sentence."""
        start, end = mention.start, mention.end
        index = bisect_right(self.sentence_starts, mention.start) - 1
        if index >= 0 and self.case.sentences[index].end >= mention.end:
            start, end = self.case.sentences[index].start, self.case.sentences[index].end
        nearest: tuple[int, str] | None = None
        for match in self.relatives.finditer(self.case.text, start, end):
            distance = max(match.start() - mention.end, mention.start - match.end(), 0)
            if nearest is None or distance < nearest[0]:
                nearest = (distance, match.group(1).lower())
        if nearest is None:
            return self.rules.family_member
        return self.rules.relationships[nearest[1]]

    def procedure(self, mention: Mention, complications: list[Condition]) -> None:
        concept = self.concept(mention)
        if mention.id in self.mistyped:
            concept = CodeableConcept(text=concept.text)
        observations = self.results(mention, concept)
        report: DiagnosticReport | None = None
        if observations:
            report = DiagnosticReport(
                id=self.role_id(f"report:{mention.id}"),
                status=_RESULT_STATUS[mention.assertion],
                code=concept,
                subject=reference(self.patient),
                result=[reference(o) for o in observations],
                extension=[mention_evidence(mention)],
            )
        self.add(
            Procedure(
                id=self.role_id(f"procedure:{mention.id}"),
                status=_PROCEDURE_STATUS.get(mention.assertion, "completed"),
                subject=reference(self.patient),
                code=concept,
                bodySite=self.sites(mention),
                complication=[c.code for c in complications if c.code is not None] or None,
                complicationDetail=[reference(c) for c in complications] or None,
                report=[reference(report)] if report else None,
                extension=[mention_evidence(mention)],
            )
        )
        for observation in observations:
            self.add(observation)
        if report is not None:
            self.add(report)

    def sentence(self, mention: Mention) -> Span:
        """The sentence holding the mention, else the whole text."""
        index = bisect_right(self.sentence_starts, mention.start) - 1
        if index >= 0 and self.case.sentences[index].end >= mention.end:
            return self.case.sentences[index]
        return Span(start=0, end=len(self.case.text))

    def not_taken(self, mention: Mention) -> bool:
        """Whether the words of its sentence tell a drug as what a culture was sensitive or
        resistant to, a screen was negative for or the patient is allergic to ("sensitive to
        ampicillin, gentamicin and vancomycin", "allergic to penicillin"; ``fhir.json``'s
        ``medication_not_taken``): no dose the patient took."""
        return self.not_taken_words.names_no_dose(self.case.text, mention, self.sentence(mention))

    def allergic(self, mention: Mention) -> bool:
        """Whether the words of its sentence tell a drug as one the patient is allergic to
        ("allergic to penicillin", "penicillin allergy"; ``fhir.json``'s ``drug_allergy``)."""
        return self.allergy_words.names_no_dose(self.case.text, mention, self.sentence(mention))

    def allergy(self, mention: Mention) -> None:
        """The drug allergy a drug's mention tells, when the patient has or may have it; a
        denied or hypothetical one ("no allergy to penicillin") is none."""
        verification = _ALLERGY_VERIFICATION.get(mention.assertion)
        if verification is None:
            return
        self.add(
            AllergyIntolerance(
                id=self.role_id(f"allergy:{mention.id}"),
                clinicalStatus=CodeableConcept(
                    coding=[Coding(system=_ALLERGY_CLINICAL, code="active")]
                ),
                verificationStatus=CodeableConcept(
                    coding=[Coding(system=_ALLERGY_VERIFICATION_SYSTEM, code=verification)]
                ),
                type="allergy",
                category=["medication"],
                code=self.concept(mention),
                patient=reference(self.patient),
                extension=[mention_evidence(mention)],
            )
        )

    def medication(self, mention: Mention) -> None:
        status = _MEDICATION_STATUS.get(mention.assertion, "completed")
        sentence = self.sentence(mention)
        near = self.case.text[
            max(sentence.start, mention.start - _STOPPED_BEFORE) : min(
                sentence.end, mention.end + _STOPPED_AFTER
            )
        ]
        if mention.assertion is Assertion.NEGATED and any(p.search(near) for p in self.stopped):
            # "enoxaparin and aspirin were discontinued": taken, then no longer.
            status = "stopped"
        self.add(
            MedicationStatement(
                id=self.role_id(f"medication:{mention.id}"),
                status=status,
                subject=reference(self.patient),
                medicationCodeableConcept=self.concept(mention),
                dosage=self.dosage(mention.attributes),
                extension=[mention_evidence(mention)],
            )
        )

    def dosage(self, attributes: Iterable[Attribute]) -> list[Dosage] | None:
        """The dose, route and frequency attributes of a drug as one Dosage."""
        doses = [a for a in attributes if a.name in {"dosage", "route", "frequency"}]
        if not doses:
            return None
        dose = next((a for a in doses if a.name == "dosage"), None)
        route = next((a for a in doses if a.name == "route"), None)
        frequency = next((a for a in doses if a.name == "frequency"), None)
        dose_and_rate: list[DosageDoseAndRate] | None = None
        if dose is not None and _NUMBER.fullmatch(dose.value or ""):
            dose_and_rate = [
                DosageDoseAndRate(
                    doseQuantity=Quantity(
                        value=Decimal(dose.value or "0"), unit=_string(dose.unit or "")
                    )
                )
            ]
        return [
            Dosage(
                text=_string(" ".join(a.text for a in doses)),
                route=_attribute_concept(route, route.value or route.text) if route else None,
                timing=Timing(code=_attribute_concept(frequency, frequency.text))
                if frequency
                else None,
                doseAndRate=dose_and_rate,
                extension=[_attribute_evidence(a) for a in doses],
            )
        ]

    def build(self) -> Bundle:
        self.build_patient()
        conditions: dict[str, Condition] = {}
        for mention in self.case.mentions:
            if (
                mention.type not in CONDITION_TYPES
                or mention.patient_fact is False
                or mention.id in self.mistyped
            ):
                continue
            if mention.assertion is Assertion.FAMILY:
                self.family_history(mention)
            elif self.names_remission(mention):
                continue
            elif mention.assertion in _ALLERGY_VERIFICATION and self.names_drug_allergy(mention):
                self.allergy(mention)
            elif not self.told_normal(mention):
                conditions[mention.id] = self.condition(mention)
        happened = {Assertion.PRESENT, Assertion.HISTORICAL, Assertion.UNCERTAIN}
        caused: dict[str, list[Condition]] = {}
        for relation in self.case.relations:
            condition = conditions.get(relation.source)
            if (
                relation.type == "caused_by"
                and condition is not None
                and self.case.mention(relation.source).assertion in happened
            ):
                caused.setdefault(relation.target, []).append(condition)
        for mention in self.case.mentions:
            if mention.assertion is Assertion.FAMILY or mention.patient_fact is False:
                continue
            if mention.type in PROCEDURE_TYPES or mention.id in self.mistyped:
                self.procedure(mention, caused.get(mention.id, []))
            elif mention.type is EntityType.MEDICATION:
                # An allergic reaction to a drug tells both the dose and the allergy.
                if self.allergic(mention):
                    self.allergy(mention)
                if not self.not_taken(mention):
                    self.medication(mention)
        case_id = _string(self.case.id)
        pipeline = self.case.pipeline
        return Bundle(
            id=self.role_id("bundle"),
            meta=Meta(tag=[Coding(system=PIPELINE_SYSTEM, code=pipeline)]) if pipeline else None,
            type="collection",
            identifier=Identifier(system=CASE_ID_SYSTEM, value=case_id) if case_id else None,
            entry=[
                BundleEntry(fullUrl=f"urn:uuid:{resource.id}", resource=resource)
                for resource in self.entries
            ],
        )


def case_to_bundle(case: Case) -> Bundle:
    """The case as a FHIR R4 Bundle of type ``collection`` (see the module docstring).

    A pure function: the same case always gives the same Bundle, ids included.
    """
    return _BundleBuilder(case, fhir_rules()).build()


def bundle_json(case: Case, indent: int | None = None) -> str:
    """The case's Bundle as FHIR JSON."""
    return case_to_bundle(case).model_dump_json(indent=indent)
