"""The clinical summary: the case at a glance, built from mentions, relations and the timeline.

``build_summary`` is a pure function of the case. Mentions of the same thing ("headache" told
three times) become one item that lists every mention id, first mention first, once one of
them qualifies; items are listed in timeline order. Negated, family and hypothetical mentions
are left out, except at follow-up, where "no recurrence" is what a reader wants to know, and
an outcome whose own words deny ("there has been no recurrence"), shown as told.

What is shown must be a clinical fact about this patient:

* only sentences about the patient count (``casebook.nlp.literature``): statements of an
  introduction or discussion and sentences about other patients ("Smith et al. reported …")
  go to **from the literature**, a list of their own; a differential diagnosis or a discussion
  restating the case goes nowhere;
* a mention is shown under a heading only when its words name a clinical concept of the
  heading's kind (``casebook.nlp.concepts``): the mention model's type alone is not enough, so
  "Anaesthetic colleagues" is no diagnosis and "dural tear" no procedure;
* a question of the title asserts nothing ("Does every patient with aortic stenosis need
  aortic valve replacement?"): what only it names is left out.

The headings:

* **patient**: the Age and Sex mentions, read as "29-year-old female".
* **presenting problem**: the current findings (not of the past history) of the anchor's
  sentence (the first event on day 0), else the earliest ones on or after day 0, else those
  of the first sentence telling findings not known to precede day 0.
* **diagnoses**: Disease_disorder mentions naming a finding of this illness: findings told as
  historical or inside a History phrase ("history of hypertension") are the past history, and
  one coded only as an external cause ("fall", W19) is what caused a finding, and so is an
  organism a culture grew ("cultures grew Staphylococcus aureus",
  ``ClinicalConcepts.names_organism``); a disease named among what cells stained for
  ("tumour cells positive for S100 and pan-melanoma", ``ClinicalConcepts.is_stain_target``)
  is an antibody's name.
* **procedures**: procedures naming no test and no drug (nor a service consulted: "General
  surgery was consulted"), that are not treatments of a finding,
  and any procedure that caused something; a test or treatment is listed under its own
  heading only.
* **complications**: current findings (and Outcome mentions) that are ``caused_by``
  something, with their causes; not values, nor outcome words ("remission") typed otherwise.
* **investigations**: diagnostic procedures naming a test, with their results (``result_of``:
  a value, or a finding; not a bound of a reference range told beside it, nor a word telling how
  strongly a diagnosis was believed, "a high index of suspicion"); a test named inside another
  test's result ("extremely low CSF pressure", the MRI's) is none of its own.
* **treatments**: drugs (named as drugs, given with a dose, route or frequency, or what
  something was ``treated_by``; not those tested or avoided, "resistant to oxacillin"), drug
  therapies ("corticosteroid therapy") and the therapeutic procedures that treat a finding or
  had an outcome, with what they treated and their outcomes. A treatment or procedure only
  proposed ("was offered amniocentesis but refused", "resection was recommended") is under
  neither heading unless told again as done.
* **outcomes**: Outcome mentions and ``outcome_of`` sources, with the treatment they followed;
  a word such as "improvement" or "resolution" only with that treatment, or told plainly: no
  test told it ("MRI showed improvement") and no word denies it ("with little improvement").
* **follow-up**: the findings, tests, procedures, drugs and outcomes told in a sentence with a
  follow-up time expression.
* **from the literature**: findings, procedures and drugs of the statements about others.

Findings inside a Family_history phrase are the family's and left out. An item told as suspected
first and as present later ("possibility of a CSF leak" … "related to a CSF leak") is present;
one suspected first and denied later ("PE was suspected" … "negative for PE") is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from casebook.kb.nonclinical import in_a_list
from casebook.model import (
    Assertion,
    Case,
    ClinicalSummary,
    CodeSystem,
    EntityType,
    Mention,
    Relation,
    Sex,
    Span,
    SummaryItem,
    SummaryLink,
    age_in_units,
)
from casebook.nlp.assertion import MOTHER_AGE
from casebook.nlp.concepts import ClinicalConcepts, ConceptKind, default_concepts
from casebook.nlp.literature import Statement, Statements, StatementSorter, default_sorter
from casebook.nlp.lookalikes import lookalike_words, mention_words
from casebook.nlp.spans import SpanIndex

FINDINGS = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
PROCEDURES = frozenset({EntityType.DIAGNOSTIC_PROCEDURE, EntityType.THERAPEUTIC_PROCEDURE})
SERVICE_TYPES = FINDINGS | PROCEDURES
"""Mention types that may name a service consulted (``_is_service``)."""
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
CHILDS_TYPES = FINDINGS | {EntityType.OUTCOME, EntityType.MEDICATION}
"""Mention types whose facts a clause about a fetus or a baby gives the child, in its mother's
report; not procedures, which the delivery makes hers ("the baby was delivered by cesarean
section")."""
LEFT_OUT = frozenset({Assertion.NEGATED, Assertion.FAMILY, Assertion.HYPOTHETICAL})
DOSE_ATTRIBUTES = frozenset({"dosage", "route", "frequency"})
"""Attributes that say a drug was given, not merely named."""
TYPE_KINDS: dict[EntityType, frozenset[ConceptKind]] = {
    EntityType.SIGN_SYMPTOM: frozenset({ConceptKind.FINDING}),
    EntityType.DISEASE_DISORDER: frozenset({ConceptKind.FINDING}),
    EntityType.DIAGNOSTIC_PROCEDURE: frozenset({ConceptKind.TEST, ConceptKind.PROCEDURE}),
    EntityType.THERAPEUTIC_PROCEDURE: frozenset({ConceptKind.PROCEDURE}),
    EntityType.MEDICATION: frozenset({ConceptKind.DRUG}),
    EntityType.OUTCOME: frozenset({ConceptKind.OUTCOME, ConceptKind.FINDING}),
}
"""The concept kinds a mention of each type must name to be shown as that type."""

DETECTION_REACH = 40
"""How far before a finding a verb of detection opens its clause (``tells_finding``)."""

VENTILATOR_REACH = 30
"""How far before a pressure the words making it a ventilator's setting may start
("*continuous positive* airway pressure")."""

_ARTICLES = re.compile(r"^(?:the|a|an|her|his|their)\s+")
_GENERIC_TAIL = re.compile(r"\s+(?:technique|procedure)$")

_OWN_DENIAL = re.compile(r"(?:no|without)\s", re.IGNORECASE)
"""An outcome whose words open with a denial ("no recurrence"): the denial is the outcome."""
_FREE_OF_IT = re.compile(r"\S.*[\s-]free", re.IGNORECASE)
"""A finding's words that end denying it ("seizure-free", "symptom free"): ConText denies the
finding, while the words tell the patient's state."""
_DENIED_BEFORE = re.compile(
    r"\b(?:no|not|without|little|minimal|poor|any|waiting\s+for(?:\s+the)?|high|low)[\s-]+"
    r"(?:[a-z]+\s+)?$",
    re.IGNORECASE,
)
"""Words right before an outcome word that deny, belittle or await it ("no improvement",
"with little improvement", "waiting for the resolution"), or make it an image's sharpness
("high resolution ultrasonography")."""
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were)\s+(?:[a-z]+ly\s+)?$", re.IGNORECASE)
_PLURAL_PASSIVE_BEFORE = re.compile(r"\bwere\s+(?:[a-z]+ly\s+)?$", re.IGNORECASE)
_FOUND_WHERE_AFTER = re.compile(r"\s+(?:from\s+(?:the|a|an)\b|postmortem\b|by\b|using\b)")
"""Things, not the patient, are recovered: "Three bullets were recovered postmortem", "a bullet
was recovered from the pelvic bone"; the patient "recovered" or "was recovered to an alert
state"."""


_GIVEN_AS_FOOD_AFTER = re.compile(
    r"[\s)\]]*(?:\([^)]*\)\s*)?(?:[-\s]*(?:enriched|rich|based|restricted|free)\s+)?"
    r"(?:diets?|formulas?|supplements?|supplementation|oil|feeds?|feedings?)\b",
    re.IGNORECASE,
)
"""Words right after an analyte's name that make it food or a supplement given, not a
measurement ("medium-chain triglyceride (MCT) diet", "iron supplementation")."""

_VENTILATOR_SETTING = re.compile(r"\bpositive[\s-]+(?:[\w-]+[\s-]+){0,2}pressures?$", re.IGNORECASE)
"""A positive pressure a ventilator gives ("bilevel positive airway pressure", "positive
end-expiratory pressure"): a setting of the treatment, not a measurement."""

_PROCESSED_IN = re.compile(
    r"\b(?:(?:immersed|stored|preserved|cryopreserved|cultured|bathed)\s+in(?:to)?"
    r"|incubated\s+(?:in|with))\b[^.;]{0,60}$",
    re.IGNORECASE,
)
"""Words before a drug or an analyte that make it what a tissue or a specimen was kept in
("HAM is then immersed in a cocktail of *antibiotics*", "cryopreserved in a medium
supplemented with 10% *human serum albumin*"): neither given to the patient nor measured."""
PROCESSED_REACH = 80
"""How far before a drug or an analyte the words of ``_PROCESSED_IN`` may start."""


@dataclass
class _Group:
    """Mentions of one thing, in text order, and what they are linked to."""

    mentions: list[Mention]
    links: dict[str, list[Mention]] = field(default_factory=dict)


class SummaryBuilder:
    """Sets ``Case.summary`` with ``build_summary``."""

    name = "summary"
    requires: frozenset[str] = frozenset({"mentions", "sentences", "timeline", "times"})
    assigns: frozenset[str] = frozenset({"summary", "mentions.patient_fact"})

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with its clinical summary, and each mention of a type the summary
        shows marked with whether it is a fact about the patient (``patient_facts``)."""
        statements = default_sorter().sort(case)
        readings = MentionReadings(case, default_concepts())
        facts = patient_facts(case, statements=statements, readings=readings)
        mentions = [
            m.model_copy(update={"patient_fact": facts[m.id]}) if m.id in facts else m
            for m in case.mentions
        ]
        summary = build_summary(case, statements=statements, readings=readings)
        return case.model_copy(update={"summary": summary, "mentions": mentions})


class MentionReadings:
    """What the concept gate reads in each mention of one case, read once: the kinds of
    concept its words name, and whether it is a service consulted (``_is_service``).

    Args:
        case: The case whose mentions are read.
        gate: The concept gate reading them.
    """

    def __init__(self, case: Case, gate: ClinicalConcepts) -> None:
        self.gate = gate
        self.text = case.text
        self.sentences = _index(sorted(case.sentences, key=lambda s: s.start))
        self._kinds: dict[str, frozenset[ConceptKind]] = {}
        self._services: dict[str, bool] = {}

    def kinds(self, mention: Mention) -> frozenset[ConceptKind]:
        """``ClinicalConcepts.kinds`` of the mention."""
        found = self._kinds.get(mention.id)
        if found is None:
            found = self._kinds[mention.id] = self.gate.kinds(mention)
        return found

    def is_service(self, mention: Mention) -> bool:
        """Whether the mention is a service consulted or listed beside a specialty."""
        if mention.type not in SERVICE_TYPES:
            return False
        found = self._services.get(mention.id)
        if found is None:
            found = self._services[mention.id] = _is_service(
                self.gate, self.text, mention, self.sentences
            )
        return found


def patient_facts(
    case: Case,
    concepts: ClinicalConcepts | None = None,
    sorter: StatementSorter | None = None,
    statements: Statements | None = None,
    readings: MentionReadings | None = None,
) -> dict[str, bool]:
    """Whether each mention of a type the summary shows (``TYPE_KINDS``) is a fact about the
    patient: told of the patient (not of other cases of the literature), not a service that
    was consulted, and naming a concept of its type, as the summary's gate reads its words.
    Its assertion does not count: a denied finding is still a fact about the patient.
    ``statements``, when given, is the case's sorting by ``sorter`` done already; ``readings``
    the case's mentions read by ``concepts``, shared with ``build_summary``."""
    if readings is None:
        readings = MentionReadings(case, concepts or default_concepts())
    if statements is None:
        statements = (sorter or default_sorter()).sort(case)
    return {
        m.id: statements.at(m.start) is Statement.PATIENT
        and not readings.is_service(m)
        and not readings.gate.is_donors(m)
        and bool(readings.kinds(m) & kinds)
        for m in case.mentions
        if (kinds := TYPE_KINDS.get(m.type)) is not None
    }


def build_summary(
    case: Case,
    concepts: ClinicalConcepts | None = None,
    sorter: StatementSorter | None = None,
    statements: Statements | None = None,
    readings: MentionReadings | None = None,
) -> ClinicalSummary:
    """The clinical summary of a case whose mentions, relations and timeline are set.

    Args:
        case: The analysed case.
        concepts: The concept gate; by default the packaged one.
        sorter: What tells the patient's statements from the literature's; by default the
            packaged rules.
        statements: The case's statements sorted by ``sorter`` already, when they are.
        readings: The case's mentions read by ``concepts`` already, when they are.
    """
    if readings is None:
        readings = MentionReadings(case, concepts or default_concepts())
    gate = readings.gate
    if statements is None:
        statements = (sorter or default_sorter()).sort(case)
    sentences = readings.sentences
    by_id = {m.id: m for m in case.mentions}
    order = {e.mention: e.order for e in case.timeline}
    days = {e.mention: e.offset_days for e in case.timeline}
    not_before = {
        e.mention: e.offset_days if e.offset_days is not None else e.min_offset_days
        for e in case.timeline
    }
    about = {m.id: statements.at(m.start) for m in case.mentions}
    # A finding the title names outright is the case's diagnosis: suspected where the text
    # tells the work-up ("was believed to have murine typhus"), it is present.
    titled = _stated_in_title(case)
    # A title names its case's diagnosis, whatever type the mention model gave it ("Flagellate
    # rash: an unusual complication of bleomycin", "Reexpansion pulmonary edema in children");
    # not the complaints of "A 34-year-old man with purple discoloration and paresthesia".
    title_findings = _named_by_title(case)

    def weighed(mention: Mention) -> bool:
        """A possibility weighed against others ("to differentiate between chronic sepsis,
        malignancy, and a chronic inflammatory process"): uncertain, whatever ConText read."""
        sentence = _sentence_of(sentences, mention)
        return sentence is not None and gate.weighed_as_possible(
            case.text, mention, (sentence.start, sentence.end)
        )

    patients = [
        m.model_copy(update={"assertion": Assertion.PRESENT})
        if m.assertion is Assertion.UNCERTAIN
        and m.type in FINDINGS
        and mention_words(m) in titled
        and not _in_title(case, m)
        else m.model_copy(update={"assertion": Assertion.UNCERTAIN})
        if m.assertion is Assertion.PRESENT and m.type in FINDINGS and weighed(m)
        else m
        for m in case.mentions
        if about[m.id] is Statement.PATIENT
    ]
    family = _inside(case.mentions, EntityType.FAMILY_HISTORY)
    past = _inside(case.mentions, EntityType.HISTORY, wider=True)
    # What makes mentions the same thing, worked out once per mention (ids are unique).
    keys = {m.id: _key(m) for m in case.mentions}
    # Where the text last denies each thing: a suspicion denied later ("PE was suspected …
    # CT angiogram was negative for PE") is no diagnosis.
    denied_at: dict[tuple[str, str], int] = {}
    for m in patients:
        if m.assertion is Assertion.NEGATED:
            denied_at[keys[m.id]] = max(m.start, denied_at.get(keys[m.id], -1))
    # Words that open an abbreviation's long form name what modifies its head, not a thing of
    # their own ("Blood oxygenation level dependent (BOLD) imaging": no blood oxygenation);
    # a long form of coordinated things ("DA (daunorubicin and cytarabine)") names each.
    in_long_forms = {
        m.id
        for m in case.mentions
        for pair in case.abbreviations
        if pair.long.start <= m.start
        and m.end < pair.long.end
        and _COORDINATION.search(case.text, m.end, pair.long.end) is None
    }
    # A title's question asserts nothing ("Does every patient with aortic stenosis need
    # aortic valve replacement?"): what it names is a fact only where the report tells it.
    asked = _asked_in_title(case)
    mother = _may_be_mother(case)
    kept = [
        m
        for m in patients
        if m.id not in in_long_forms
        and m.id not in asked
        and m.assertion not in LEFT_OUT
        and m.id not in family
        and not readings.is_service(m)
        and not readings.gate.is_donors(m)
        and not (m.assertion is Assertion.UNCERTAIN and denied_at.get(keys[m.id], -1) > m.start)
        # "The neonate was admitted for respiratory distress": the child's, where the
        # patient is its mother.
        and not (
            mother
            and m.type in CHILDS_TYPES
            and gate.told_of_the_child(case.text, m, _sentence_bounds(sentences, m))
        )
        # "Autoimmune epilepsy panel detected anti-GAD": what a panel tests for, not a finding
        # this mention tells; told elsewhere as the patient's, that mention shows it.
        and not (m.type in FINDINGS and gate.names_what_a_thing_rates(case.text, m))
    ]
    kept_keys = [(m, keys[m.id]) for m in kept]
    dosed = {
        m.id
        for m in case.mentions
        if any(a.name in DOSE_ATTRIBUTES for a in m.attributes) and not gate.names_nothing(m)
    }
    dosed |= {
        r.target
        for r in case.relations
        if r.type == "dosage_of" and r.target in by_id and not gate.names_nothing(by_id[r.target])
    }

    def names(mention: Mention, *wanted: ConceptKind) -> bool:
        return not readings.kinds(mention).isdisjoint(wanted)

    # Words told elsewhere as a procedure or drug that they also name ("peritoneal dialysis",
    # and "PD" typed as a disease): one thing is one kind, and its words settle which.
    done = {
        keys[m.id][1]
        for m in kept
        if m.type in PROCEDURES | {EntityType.MEDICATION}
        and names(m, ConceptKind.PROCEDURE, ConceptKind.DRUG)
    }

    def is_mistyped_procedure(mention: Mention) -> bool:
        """A procedure the mention model typed as a finding ("EVAR", read as endovascular
        aneurysm repair): its words name a procedure and nothing else, whatever a coder read
        into them (the aneurysm it repaired)."""
        return gate.is_procedure_only(mention)

    def is_finding(mention: Mention) -> bool:
        return (
            mention.type in FINDINGS
            and names(mention, ConceptKind.FINDING)
            and not is_mistyped_procedure(mention)
            and not (
                keys[mention.id][1] in done
                and names(mention, ConceptKind.PROCEDURE, ConceptKind.DRUG)
            )
        )

    def is_current_finding(mention: Mention) -> bool:
        """A finding of this illness, not of the past history ("history of hypertension"), nor
        an organism a culture grew ("cultures grew Staphylococcus aureus"): the infection it
        caused is the finding."""
        return (
            is_finding(mention)
            and mention.assertion is not Assertion.HISTORICAL
            and mention.id not in past
            and not gate.names_organism(mention)
            and not gate.is_tested_organism(
                case.text, mention, (sentence_start(mention), sentence_end(mention))
            )
            and not gate.is_stain_target(
                case.text, mention, (sentence_start(mention), sentence_end(mention))
            )
            and mention_words(mention) not in lookalikes
        )

    def is_result(mention: Mention) -> bool:
        if mention.type is EntityType.LAB_VALUE:
            sentence = _sentence_of(sentences, mention)
            start = sentence.start if sentence else mention.start
            return (
                gate.is_result(mention)
                and not gate.is_reference_bound(case.text, mention, start)
                and not gate.tells_belief(case.text, mention, start)
            )
        # "CT documented stable disease": the scan's result, though no finding.
        return is_finding(mention) or gate.names_response(mention)

    def tells_finding(relation: Relation) -> bool:
        """Whether a "caused by" link says how its finding was found, not what caused it:
        a verb of detection lies between the two ("cancer, which was detected by colonoscopy,
        due to rectal bleeding"), or the cause is a test and such a verb opens the finding's
        clause ("diagnosed with lung cancer after bronchoscopic biopsy")."""
        effect, cause = by_id.get(relation.source), by_id.get(relation.target)
        if relation.type != "caused_by" or effect is None or cause is None:
            return False
        if effect.end <= cause.start and gate.tells_detection(case.text, effect.end, cause.start):
            return True
        sentence = _sentence_of(sentences, effect)
        opens = max(sentence.start if sentence else 0, effect.start - DETECTION_REACH)
        return cause.type is EntityType.DIAGNOSTIC_PROCEDURE and gate.tells_detection(
            case.text, opens, effect.start
        )

    def linked(
        kind: str, *, from_source: bool, shown: Callable[[Mention], bool]
    ) -> dict[str, list[Mention]]:
        """Mention id → the shown mentions at the other end of its relations of ``kind``."""
        table: dict[str, list[Mention]] = {}
        for relation in case.relations:
            if relation.type != kind or tells_finding(relation):
                continue
            here, there = (
                (relation.source, relation.target)
                if from_source
                else (relation.target, relation.source)
            )
            other = by_id.get(there)
            if (
                other is not None
                and other.assertion not in LEFT_OUT
                and about[other.id] is Statement.PATIENT
                and shown(other)
            ):
                table.setdefault(here, []).append(other)
        return table

    def is_cause(mention: Mention) -> bool:
        return names(mention, *ConceptKind) or mention.id in dosed

    def is_treatment_step(mention: Mention) -> bool:
        return names(mention, ConceptKind.PROCEDURE, ConceptKind.DRUG) or mention.id in dosed

    def is_outcome(mention: Mention) -> bool:
        return names(mention, ConceptKind.OUTCOME, ConceptKind.FINDING)

    def is_good_turn(mention: Mention) -> bool:
        """A good turn the mention model typed as a finding ("he is in clinical remission"):
        its words name an outcome and nothing else."""
        return (
            mention.type in FINDINGS
            and readings.kinds(mention) == {ConceptKind.OUTCOME}
            and gate.is_favourable_outcome(mention)
            and not _names_an_object_recovered(case.text, mention)
        )

    result_sources = {r.source for r in case.relations if r.type == "result_of"}

    def told_plainly(mention: Mention) -> bool:
        """Whether a vague outcome ("significant improvement", "resolution of diplopia") tells
        the patient's turn though no treatment is linked to it: no test tells it, as its
        result or earlier in its sentence ("A second MRI showed significant improvement in the
        hyperintensity": an image's change), and no word right before it denies or belittles
        it ("with little improvement", "without improvement in his anaemia")."""
        start = sentence_start(mention)
        return (
            mention.id not in result_sources
            and _DENIED_BEFORE.search(case.text, max(start, mention.start - 30), mention.start)
            is None
            and not any(
                other.type is EntityType.DIAGNOSTIC_PROCEDURE
                and start <= other.start < mention.start
                for other in case.mentions
            )
        )

    causes = linked("caused_by", from_source=True, shown=is_cause)
    effects = linked("caused_by", from_source=False, shown=is_cause)
    results = linked("result_of", from_source=False, shown=is_result)
    treats = linked("treated_by", from_source=False, shown=is_finding)
    treated = {r.target for r in case.relations if r.type == "treated_by"}
    outcomes_of = linked("outcome_of", from_source=False, shown=is_outcome)
    after = linked("outcome_of", from_source=True, shown=is_treatment_step)

    def is_drug(mention: Mention) -> bool:
        return (
            mention.type is EntityType.MEDICATION
            and (
                names(mention, ConceptKind.DRUG)
                or mention.id in dosed
                or (mention.id in treated and not gate.names_nothing(mention))
            )
            and not gate.not_given(case.text, sentence_start(mention), mention.start)
            and not gate.harmed(case.text, mention.end, sentence_end(mention))
            and not gate.tells_anaesthetic(
                case.text, (sentence_start(mention), sentence_end(mention))
            )
            and not gate.names_test_next(case.text[mention.end : mention.end + 60])
            and not gives_sentences_test(mention)
            and not is_processed_in(mention)
            and not gate.names_imaging_agent(mention)
            and not gate.is_measured(case.text[mention.end : mention.end + 20])
            and not gate.is_measured_analyte(
                case.text, mention, (sentence_start(mention), sentence_end(mention))
            )
            # A drug of abuse is an exposure ("urine toxicology positive for cocaine"), unless
            # a dose says it was given.
            and (mention.id in dosed or not gate.is_substance_of_abuse(mention))
            # An organism is what a culture grew ("Prototheca wickerhamii"), unless dosed.
            and (mention.id in dosed or not gate.names_organism(mention))
        )

    def is_dosed_test(mention: Mention) -> bool:
        """A drug the mention model typed as a test, its dose as the test's result
        ("Epinephrine (100 μg …) was administered"): a drug given, no investigation, unless a
        test word follows the dose ("Dexamethasone (1mg) suppression testing")."""
        found = results.get(mention.id)
        return (
            mention.type is EntityType.DIAGNOSTIC_PROCEDURE
            and names(mention, ConceptKind.DRUG)
            and bool(found)
            and all(
                gate.is_dose(r.text, case.text[r.end : r.end + 8])
                and not gate.names_test_next(case.text[r.end : r.end + 60])
                for r in found or []
            )
        )

    def is_drug_therapy(mention: Mention) -> bool:
        """A therapeutic procedure that names a drug ("corticosteroid therapy")."""
        return mention.type is EntityType.THERAPEUTIC_PROCEDURE and names(mention, ConceptKind.DRUG)

    def is_idle_object(mention: Mention) -> bool:
        """A device or specimen nothing is told done to ("closed with absorbable sutures",
        "the nephrectomy specimen showed"): no procedure, test or treatment of its own."""
        return gate.names_idle_object(
            case.text, mention, (sentence_start(mention), sentence_end(mention))
        )

    def is_test(mention: Mention) -> bool:
        return (
            mention.type is EntityType.DIAGNOSTIC_PROCEDURE
            and names(mention, ConceptKind.TEST)
            and not is_idle_object(mention)
            and _GIVEN_AS_FOOD_AFTER.match(case.text, mention.end, sentence_end(mention)) is None
            and not is_ventilator_setting(mention)
            and not is_processed_in(mention)
        )

    def gives_sentences_test(mention: Mention) -> bool:
        """Whether the drug's name heads a test elsewhere in its sentence ("overnight
        dexamethasone suppression tests; cortisol levels following 1 or 8 mg *dexamethasone*
        administration were 11.3 and 15.3 µg/dL"): the drug is what that test gives."""
        start, end = sentence_start(mention), sentence_end(mention)
        named = re.compile(rf"\b{re.escape(mention.text)}\b", re.IGNORECASE)
        return any(
            gate.names_test_next(case.text[found.end() : found.end() + 60])
            for found in named.finditer(case.text, start, end)
            if found.start() != mention.start
        )

    def is_processed_in(mention: Mention) -> bool:
        start = max(sentence_start(mention), mention.start - PROCESSED_REACH)
        return _PROCESSED_IN.search(case.text, start, mention.start) is not None

    def is_ventilator_setting(mention: Mention) -> bool:
        if mention.expansion and _VENTILATOR_SETTING.search(mention.expansion):
            return True  # "BiPAP (bilevel positive airway pressure)"
        start = max(sentence_start(mention), mention.start - VENTILATOR_REACH)
        return _VENTILATOR_SETTING.search(case.text, start, mention.end) is not None

    # The sentence each mention start lies in: the checks below ask it of a mention many times.
    sentence_at: dict[int, Span | None] = {}

    def sentence_of(mention: Mention) -> Span | None:
        if mention.start not in sentence_at:
            sentence_at[mention.start] = _sentence_of(sentences, mention)
        return sentence_at[mention.start]

    def sentence_start(mention: Mention) -> int:
        sentence = sentence_of(mention)
        return sentence.start if sentence is not None else mention.start

    def sentence_end(mention: Mention) -> int:
        sentence = sentence_of(mention)
        return sentence.end if sentence is not None else mention.end

    # What the case only looked like is no finding of it wherever it is told: the title's
    # "hemangioma mimicking acute appendicitis" makes "diagnosed as having acute appendicitis"
    # the look-alike too.
    lookalikes = lookalike_words(case, FINDINGS)

    # Findings whose words hold a procedure's ("left- to right- shunt" holds "right- shunt").
    finding_spans = SpanIndex((m.start, m.end, m) for m in case.mentions if m.type in FINDINGS)

    def in_finding(mention: Mention) -> bool:
        return any(
            f.end - f.start > mention.end - mention.start
            for f in finding_spans.containing(mention.start, mention.end)
        )

    def is_procedure(mention: Mention) -> bool:
        """A therapeutic procedure naming a procedure and no drug, or a diagnostic procedure or
        a finding naming only a procedure ("mass excision", "hernia repair"); not one that
        came about by itself ("spontaneous closure"), nor words of a longer finding's name
        ("a VSD with a left- to right- shunt")."""
        if (
            is_idle_object(mention)
            or gate.happened_by_itself(
                case.text, mention, (sentence_start(mention), sentence_end(mention))
            )
            or (mention.type not in FINDINGS and in_finding(mention))
        ):
            return False
        if mention.type is EntityType.THERAPEUTIC_PROCEDURE:
            return names(mention, ConceptKind.PROCEDURE) and not is_drug_therapy(mention)
        if mention.type in FINDINGS:
            return is_mistyped_procedure(mention)
        return (
            mention.type is EntityType.DIAGNOSTIC_PROCEDURE
            and names(mention, ConceptKind.PROCEDURE)
            and not names(mention, ConceptKind.TEST, ConceptKind.DRUG, ConceptKind.FINDING)
        )

    # A drug typed as a test is one wherever it is told again ("with epinephrine (0.3 μg/kg/min)").
    dosed_tests = {keys[m.id] for m in kept if is_dosed_test(m)}
    # What was only proposed ("was offered genetic amniocentesis but she refused") is no
    # treatment or procedure done; told again as done, that mention lists it.
    proposed = {
        m.id
        for m in kept
        if m.type in PROCEDURES | {EntityType.MEDICATION}
        and gate.only_proposed(case.text, m, (sentence_start(m), sentence_end(m)))
    }
    treatments = [
        m
        for m in kept
        if m.id not in proposed
        and (
            is_drug(m)
            or keys[m.id] in dosed_tests
            or is_drug_therapy(m)
            or (
                m.type is EntityType.THERAPEUTIC_PROCEDURE
                and is_procedure(m)
                and (m.id in treats or m.id in outcomes_of)
            )
        )
    ]
    # A procedure told again as a treatment ("a blood patch technique") is that treatment.
    treatment_keys = {keys[m.id] for m in treatments}
    treatment_ids = {m.id for m in kept if keys[m.id] in treatment_keys}

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

    def is_event(mention: Mention) -> bool:
        if mention.type is EntityType.MEDICATION:
            return is_drug(mention)
        return mention.type in TYPE_KINDS and names(mention, *TYPE_KINDS[mention.type])

    literature = [
        m
        for m in case.mentions
        if about[m.id] is Statement.LITERATURE
        and m.assertion not in LEFT_OUT
        and m.type in FINDINGS | PROCEDURES | {EntityType.MEDICATION}
        and is_event(m)
    ]
    # A test named inside another test's result ("CSF pressure" in the MRI's "extremely low CSF
    # pressure") is that result's measure, inferred, not a test of its own.
    told = SpanIndex((r.start, r.end, r.id) for found in results.values() for r in found)
    measures = {m.id for m in kept if any(rid != m.id for rid in told.containing(m.start, m.end))}
    investigations = items(
        (m for m in kept if is_test(m) and m.id not in measures and keys[m.id] not in dosed_tests),
        {"result": results},
    )
    treated_items = items(treatments, {"treats": treats, "outcome": outcomes_of})
    # A test or treatment is listed under its own heading only, even when it caused something.
    listed = {keys[i] for item in investigations + treated_items for i in item.mentions}
    return ClinicalSummary(
        patient=_patient(case),
        presenting_problem=items(
            _presenting(
                [m for m in kept if is_current_finding(m)],
                patients,
                _index(case.sentences),
                order,
                days,
                not_before,
                partial(gate.presentation_at, case.text),
            )
        ),
        diagnoses=items(
            m
            for m in kept
            if (m.type is EntityType.DISEASE_DISORDER or m.id in title_findings)
            and is_current_finding(m)
            and not names_a_cause(m)
        ),
        procedures=items(
            m
            for m in kept
            if keys[m.id] not in listed
            and m.id not in proposed
            and (
                (is_procedure(m) and m.id not in treatment_ids) or (m.id in effects and is_test(m))
            )
        ),
        # A complication is a finding or a bad outcome ("death due to sepsis"): neither a
        # value ("70% blasts") nor a good outcome ("in remission from her leukemia", "significant
        # improvement" after a drug).
        complications=items(
            (
                m
                for m in kept
                if m.id in causes
                and (is_current_finding(m) or (m.type is EntityType.OUTCOME and is_outcome(m)))
                and not gate.is_favourable_outcome(m)
            ),
            {"caused_by": causes},
        ),
        investigations=investigations,
        treatments=treated_items,
        outcomes=items(
            [
                m
                for m in kept
                if (
                    (
                        (m.type is EntityType.OUTCOME or m.id in after)
                        and is_outcome(m)
                        and (m.id in after or not gate.is_vague_outcome(m) or told_plainly(m))
                    )
                    or is_good_turn(m)
                )
                # "asking about people who died recently": their outcome, not the patient's.
                and not gate.told_of_others(case.text, m, (sentence_start(m), sentence_end(m)))
                # "He was well until 6 months of age when he developed fever": how he was
                # before his illness, no outcome.
                and not gate.tells_a_state_that_ended(case.text, m, sentence_end(m))
                # "to allow for improvement of her deficits", "failed to achieve complete
                # remission": an aim, no outcome.
                and not gate.names_an_aim(case.text, m, sentence_start(m))
            ]
            # "There has been no recurrence of the growth": the denial is the outcome's own
            # words, which ConText reads as denying it; what the outcome tells holds.
            + [
                m.model_copy(update={"assertion": Assertion.PRESENT})
                for m in patients
                if m.type is EntityType.OUTCOME
                and m.assertion is Assertion.NEGATED
                and m.id not in family
                and _OWN_DENIAL.match(m.text) is not None
                and is_outcome(m)
            ],
            {"after": after},
        )
        + _resolutions(case.text, [m for m in patients if is_finding(m)], days),
        # What follow-up tells is only what its own sentences tell: the seizures before it do
        # not make "she did not report any epileptic seizures" a present one.
        follow_up=_items(
            [_as_told(m) for m in _follow_up(case, patients) if is_event(m)],
            {},
            order,
            days,
            keys,
        ),
        literature=_items(literature, {}, {}, {}, keys),
    )


def _as_told(mention: Mention) -> Mention:
    """A denied mention whose own words carry its denial ("no recurrence", "seizure-free")
    shown as told: "seizure-free [negated]" would read as seizures."""
    if mention.assertion is Assertion.NEGATED and (
        _OWN_DENIAL.match(mention.text) or _FREE_OF_IT.fullmatch(mention.text)
    ):
        return mention.model_copy(update={"assertion": Assertion.PRESENT})
    return mention


_RESOLVED_AFTER = re.compile(
    r"\s*(?:(?:had|has|have|was|were)\s+(?:been\s+)?)?"
    r"(?:(?:completely|fully|gradually|totally|spontaneously|eventually|finally|subsequently)\s+)?"
    r"(?:resolved|disappeared|subsided|regressed|normali[sz]ed)\b",
    re.IGNORECASE,
)
"""A finding's words right after it that say it went away ("… had completely resolved")."""


def _resolutions(
    text: str, findings: Sequence[Mention], days: dict[str, float | None]
) -> list[SummaryItem]:
    """How findings of the patient's turned out where the text says they went away right after
    naming them ("One month after surgical reversal, hyperoxaluria resolved"): the words from
    the finding to the verb, once per wording. The finding itself was the patient's (what
    resolved had been there), and the mention model seldom marks the verb as an Outcome."""
    resolved: dict[str, SummaryItem] = {}
    for mention in sorted(findings, key=lambda m: m.start):
        after = _RESOLVED_AFTER.match(text, mention.end)
        if mention.assertion is not Assertion.PRESENT or after is None:
            continue
        words = " ".join(text[mention.start : after.end()].split())
        resolved.setdefault(
            words.lower(),
            SummaryItem(text=words, mentions=[mention.id], offset_days=days.get(mention.id)),
        )
    return list(resolved.values())


def _is_service(
    gate: ClinicalConcepts, text: str, mention: Mention, sentences: SpanIndex[Span]
) -> bool:
    """Whether a procedure mention is a service that was consulted ("General surgery was
    consulted"), a procedure or finding one listed beside a specialty ("neurology, infectious
    disease, and hematology"), or a finding one a department is named after ("the clinic of
    the infectious diseases"), by the words around it in its sentence."""
    if mention.type not in SERVICE_TYPES:
        return False
    sentence = _sentence_of(sentences, mention)
    bounds = (sentence.start, sentence.end) if sentence else (mention.start, mention.end)
    if mention.type in FINDINGS:
        return _DEPARTMENT_BEFORE.search(text, bounds[0], mention.start) is not None or (
            in_a_list(text, mention.start, mention.end)
            and gate.is_listed_specialty(text, mention, bounds)
        )
    return gate.is_service(text, mention, bounds)


def _inside(mentions: Sequence[Mention], kind: EntityType, *, wider: bool = False) -> set[str]:
    """Ids of the mentions that lie within a mention of ``kind`` (a History phrase); with
    ``wider``, within one that holds more than their words ("history of hypertension"): a
    phrase that is the finding's own words ("a woman with metastatic melanoma") says nothing
    of its time, and the finding's assertion tells whether it is past."""
    held = [(m.start, m.end, m) for m in mentions if m.type is kind]
    if not held:
        # Most cases have no such phrase: no mention need be looked up.
        return set()
    phrases = SpanIndex(held)
    return {
        m.id
        for m in mentions
        if m.type is not kind
        and any(
            not wider or (p.start, p.end) != (m.start, m.end)
            for p in phrases.containing(m.start, m.end)
        )
    }


def _key(mention: Mention) -> tuple[str, str]:
    """What makes two mentions the same thing: their type family and normalised words, a
    trailing "technique" or "procedure" aside ("blood patch technique" is the blood patch)."""
    words = " ".join((mention.expansion or mention.text).lower().split())
    family = "finding" if mention.type in FINDINGS else mention.type.value
    return family, _GENERIC_TAIL.sub("", _ARTICLES.sub("", words))


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
        # Told as suspected first and confirmed later ("possibility of a CSF leak" … "related
        # to a CSF leak"), the fact is present.
        assertion=(
            Assertion.PRESENT
            if any(m.assertion is Assertion.PRESENT for m in group.mentions)
            else first.assertion
        ),
        offset_days=days.get(first.id),
        related=related,
    )


_TITLE_DOUBT = re.compile(
    r"\b(?:mimick?\w*|masquerad\w*|simulat\w*|resembl\w*|imitat\w*|misdiagnos\w*|mistaken"
    r"|suspect\w*|suspicion|concern\w*|possibl[ey]|probabl[ey]|presum\w*|pseudo\w*|versus|vs"
    r"|or|without|no|not|ruled?|exclu\w*|differential|risk|prevent\w*|like"
    r"|present\w*\s+(?:with|as))\b"
    r"|\?",
    re.IGNORECASE,
)
"""Words of a title that leave what it names in doubt or deny it ("… misdiagnosed as
tuberculous meningitis", "… raises concern for psoriasis", "suspected propofol infusion
syndrome"), or tell only how the case looked ("… presented with chronic asthma"), within the
title's clause."""

_TITLE_CLAUSE = re.compile(r"[:;.]")

_TITLE_QUESTION_CLAUSE = re.compile(r"[:;.?]")
"""What ends a clause of a title that may be a question."""

_COORDINATION = re.compile(r"\b(?:and|or)\b|[,/+&]", re.IGNORECASE)
"""Words joining the things a long form names ("daunorubicin and cytarabine")."""

_COMPLAINT_BEFORE = re.compile(r"\b(?:with|complain\w*|after|following)\b", re.IGNORECASE)
"""Words of a title before a finding that make it a complaint or an antecedent, not the case's
diagnosis ("A 52-year-old man with vertigo", "Globe subluxation following steroid treatment
for myasthenia")."""

_DEPARTMENT_BEFORE = re.compile(
    r"\b(?:clinic|department|dept\.?|division|institute)\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
"""Words right before a disease's name that make it a department's ("admitted to the clinic of
the infectious diseases", "Department of Rheumatic Diseases"): a service, no finding."""


def _title(case: Case) -> tuple[str, int | None]:
    """The report's title and where it starts in the text (None when it is kept apart)."""
    for section in case.sections:
        if section.kind == "title":
            return case.text[section.start : section.end], section.start
    return case.title or "", None


def _in_title(case: Case, mention: Mention) -> bool:
    """Whether the mention lies in the title told in the text."""
    title, start = _title(case)
    return start is not None and start <= mention.start < start + len(title)


def _named_by_title(case: Case) -> set[str]:
    """Ids of the findings the title told in the text names outright: present, coded (a code
    of the vocabularies names them; "Benign", "Warning signs" name none), with no word of doubt
    in their clause (``_TITLE_DOUBT``) and none before them that makes them complaints ("… with
    paresthesia")."""
    title, start = _title(case)
    if start is None:
        return set()
    named: set[str] = set()
    for mention in case.mentions:
        offset = mention.start - start
        if (
            mention.type not in FINDINGS
            or mention.assertion is not Assertion.PRESENT
            or not mention.codes
            or not 0 <= offset < len(title)
        ):
            continue
        opens = max((m.end() for m in _TITLE_CLAUSE.finditer(title, 0, offset)), default=0)
        ends = _TITLE_CLAUSE.search(title, offset)
        clause_end = ends.start() if ends else len(title)
        if not _TITLE_DOUBT.search(title, opens, clause_end) and not _COMPLAINT_BEFORE.search(
            title, opens, offset
        ):
            named.add(mention.id)
    return named


def _asked_in_title(case: Case) -> set[str]:
    """Ids of the mentions in a question of the title told in the text: a clause of it
    (``_TITLE_QUESTION_CLAUSE``) that ends with a question mark ("Hopeless tooth? Prognosis
    and treatment": the tooth's hopelessness is asked, its treatment told)."""
    title, start = _title(case)
    if start is None or "?" not in title:
        return set()
    asked: set[str] = set()
    for mention in case.mentions:
        offset = mention.start - start
        if not 0 <= offset < len(title):
            continue
        ends = _TITLE_QUESTION_CLAUSE.search(title, offset)
        if ends is not None and ends.group() == "?":
            asked.add(mention.id)
    return asked


def _stated_in_title(case: Case) -> set[str]:
    """The words (``mention_words``) of the findings the title names with no word of doubt,
    denial or look-alike before them in its clause, nor after them ("Large oral lipoma: case
    report"; not "Guillain-Barré syndrome misdiagnosed as lumbar spinal stenosis")."""
    title, _ = _title(case)
    lowered = " ".join(title.lower().split())
    stated: set[str] = set()
    for mention in case.mentions:
        if mention.type not in FINDINGS or mention.assertion is not Assertion.UNCERTAIN:
            continue
        words = mention_words(mention)
        for found in re.finditer(rf"\b{re.escape(words)}\b", lowered):
            opens = max(
                (m.end() for m in _TITLE_CLAUSE.finditer(lowered, 0, found.start())), default=0
            )
            ends = _TITLE_CLAUSE.search(lowered, found.end())
            clause_end = ends.start() if ends else len(lowered)
            if not _TITLE_DOUBT.search(lowered, opens, clause_end):
                stated.add(words)
    return stated


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


EXTERNAL_CAUSES = ("V", "W", "X", "Y")
"""First letters of ICD-10-CM's chapter of external causes of morbidity (V00–Y99)."""


def names_a_cause(mention: Mention) -> bool:
    """Whether all the mention's ICD-10-CM codes are external causes ("fall", W19): what
    caused a condition, not a diagnosis of its own."""
    codes = [c.code for c in mention.codes if c.system is CodeSystem.ICD10CM]
    return bool(codes) and all(code.startswith(EXTERNAL_CAUSES) for code in codes)


def _index(spans: Sequence[Span]) -> SpanIndex[Span]:
    return SpanIndex((s.start, s.end, s) for s in spans)


def _names_an_object_recovered(text: str, mention: Mention) -> bool:
    """Whether a "recovered" mention tells an object found, not the patient's recovery."""
    if not mention.text.lower().startswith("recovered"):
        return False
    before = text[max(0, mention.start - 30) : mention.start]
    return bool(
        _PLURAL_PASSIVE_BEFORE.search(before)
        or (_PASSIVE_BEFORE.search(before) and _FOUND_WHERE_AFTER.match(text, mention.end))
    )


def _may_be_mother(case: Case) -> bool:
    """Whether the patient is a woman old enough to carry a fetus and the report's first
    sentence names no mother: a fetus or a baby it tells of is then someone else."""
    patient = case.patient
    if patient.sex is not Sex.FEMALE or patient.age_years is None:
        return False
    first = min(case.sentences, key=lambda s: s.start, default=None)
    opening = case.text[first.start : first.end] if first is not None else case.text
    return patient.age_years >= MOTHER_AGE and _MOTHER.search(opening) is None


_MOTHER = re.compile(r"\bmother\b", re.IGNORECASE)
"""A word of a report's first sentence that makes it the child's ("… delivered to a
32-year-old mother")."""


def _sentence_bounds(sentences: SpanIndex[Span], mention: Mention) -> tuple[int, int]:
    sentence = _sentence_of(sentences, mention)
    return (sentence.start, sentence.end) if sentence else (mention.start, mention.end)


def _sentence_of(sentences: SpanIndex[Span], mention: Mention) -> Span | None:
    return sentences.first_overlapping(mention.start, mention.start + 1)


def _presenting(
    findings: Sequence[Mention],
    patients: Sequence[Mention],
    sentences: SpanIndex[Span],
    order: dict[str, int],
    days: dict[str, float | None],
    not_before: dict[str, float | None],
    presentation_at: Callable[[int, int], int | None] = lambda start, end: None,
) -> list[Mention]:
    """The findings of the anchor's sentence, else the earliest ones on or after day 0, else
    the first sentence's of those known to be no earlier than day 0; of a sentence's findings,
    those after the verb telling what the patient came with when some come before it ("a man
    with diabetes and hypertension *had* sudden chest pain": the chest pain).

    Args:
        findings: The shown findings of the patient.
        patients: Every mention of the patient's statements; the anchor is among them.
        sentences: The case's sentences.
        order: Timeline order by mention id.
        days: Days from the anchor by mention id.
        not_before: Days from the anchor, or the fewest it can be, by mention id.
        presentation_at: Where the presentation verb of ``text[start:end]`` ends, if any
            (``ClinicalConcepts.presentation_at``).
    """

    def presented(told: list[Mention], sentence: Span) -> list[Mention]:
        verb = presentation_at(sentence.start, sentence.end)
        after = [m for m in told if verb is not None and m.start >= verb]
        return after or told

    placed_findings = [m for m in findings if m.id in order]
    placed = sorted((m for m in patients if m.id in order), key=lambda m: order[m.id])
    anchor = next((m for m in placed if days.get(m.id) == 0), None)
    if anchor is None:
        return []
    sentence = _sentence_of(sentences, anchor)
    if sentence is not None:
        told = [m for m in placed_findings if sentence.start <= m.start < sentence.end]
        if told:
            return presented(told, sentence)
    later = [
        m for m in placed_findings if (days.get(m.id) or 0.0) >= 0 and days.get(m.id) is not None
    ]
    if later:
        first = min(order[m.id] for m in later)
        return [m for m in later if order[m.id] == first]
    # "Referred to the department … The patient complained of pain and swelling": with no
    # date, the findings after the anchor are known only not to precede it; those of the
    # first sentence telling any are the presenting problem.
    undated = [m for m in placed_findings if (not_before.get(m.id) or 0.0) >= 0]
    if not undated:
        return []
    first = min(order[m.id] for m in undated)
    earliest = min((m for m in undated if order[m.id] == first), key=lambda m: m.start)
    sentence = _sentence_of(sentences, earliest)
    if sentence is None:
        return [earliest]
    return presented(
        [m for m in undated if order[m.id] == first and sentence.start <= m.start < sentence.end],
        sentence,
    )


def _follow_up(case: Case, patients: Sequence[Mention]) -> list[Mention]:
    """The events told in a sentence with a follow-up time expression, negated ones too."""
    found: list[Mention] = []
    placed = {e.mention for e in case.timeline}
    sentences = _index(case.sentences)
    by_start = SpanIndex((m.start, m.end, m) for m in patients)
    for time in case.times:
        if time.kind != "follow_up":
            continue
        sentence = sentences.first_overlapping(time.start, time.start + 1) or Span(
            start=time.start, end=time.end
        )
        found += [
            m
            for m in by_start.starting_in(sentence.start, sentence.end)
            if m.type in EVENTS
            and (m.id in placed or m.assertion is Assertion.NEGATED)
            and sentence.start <= m.start < sentence.end
            and m.assertion not in {Assertion.FAMILY, Assertion.HYPOTHETICAL}
        ]
    return found
