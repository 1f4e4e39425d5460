"""The summary's concept gate: which kinds of clinical concept a mention's words name.

A mention's type is the mention model's guess; the clinical summary shows a mention under a
heading only when its *words* also name a concept of the heading's kind, so that "Anaesthetic
colleagues" typed as a disease, "dural tear" typed as a procedure or a country typed as a test
never reach it. The evidence, in order:

1. **Never a concept**: words naming people, roles, occupations, organisations, software or
   documents as the head ("general *practitioner*", "commercial *software*"), a place anywhere
   ("Philippines") — the lists of ``casebook.kb.nonclinical``, which the treatment tally reads
   too — no word of two letters or more, or only body parts ("liver", "cerebrospinal fluid").
2. **Codes** already on the mention: HPO and ICD-10-CM name findings; ICD-10-PCS names a test in
   its imaging, nuclear medicine and measurement sections and a procedure elsewhere. A lone
   participle or adverb ("removed") is no concept, whatever code its sentence gave it.
3. **Head words** of the vocabularies (``casebook.kb.heads``: HPO, ICD-10-CM, ICD-10-PCS) and
   of ``summary_concepts.json`` (``heads``), and medical word endings (``suffixes``:
   "-itis", "-ectomy", "-scopy"), read on the mention's head: the word before its first
   preposition, else its last word, also with trailing qualifiers ("chemotherapy *regimen*")
   set aside. A one-word finding must be a whole vocabulary term or a finding head that does
   not end like an adjective, adverb or participle (``modifier_endings``), or carry a finding
   ending: "polyp" is a finding, "traumatic", "painful" and "persisted" are not. A head that
   names a property (``casebook.kb.heads.property_heads``: every HPO term it heads says how it
   changed, "Decreased skin *turgor*") names a finding only beside a ``change_words`` word or
   a finding term: "turgor" and "signal intensity" alone are none. A finding term
   headed by a body part ("fatty liver") counts when the mention holds it whole.
4. **Drugs**: a drug stem ending ("-cillin", "-mab", "-pril") or a drug or drug-class name;
   ``not_given`` tells a drug that was tested, avoided or taken as a poison ("resistant to
   oxacillin", "allergic to penicillin", "ingestion of a 10 mg baclofen tablet") from one that
   was given, and ``harmed`` one named for its harm ("lithium toxicity").
5. **Tests**: an analyte HPO's laboratory terms measure ("serum creatinine", "hemoglobin").

A mention whose only content is a generic word ("the disease", "symptoms", "treatment") names
no concept of its own. Everything is data: ``summary_concepts.json`` (validated by
``ConceptRules``), ``non_clinical.json`` and ``clinical_heads.json.gz``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple, Self

from pydantic import Field, model_validator

from casebook.kb.base import normalize_alias, normalize_tokens
from casebook.kb.heads import (
    MAX_PHRASE_WORDS,
    HeadWords,
    head_word,
    load_head_words,
    property_heads,
)
from casebook.kb.nonclinical import NonClinicalWords, any_of, default_non_clinical
from casebook.model import CodeSystem, Mention, Patterns, RecordModel
from casebook.nlp.patient import DemographicsRules, relative_phrases, relatives_told_of
from casebook.resources import load_rules


class ConceptKind(StrEnum):
    """The kinds of clinical concept the summary's headings list."""

    FINDING = "finding"
    PROCEDURE = "procedure"
    TEST = "test"
    DRUG = "drug"
    OUTCOME = "outcome"


_TYPE_MARK = re.compile(r"[a-z]|[a-z]?\d{1,3}[a-z]?|i{1,3}|iv|vi{0,3}")
"""A letter, number or numeral after a name that tells its type ("amphotericin *B*", "vitamin
*B12*", "factor *VIII*"): the name before it is the head."""

_ADVERB = re.compile(r"(?:al|ous|ive|ate|ent|ant|ar|ic|ful|ible|able)ly$")
"""An adverb made from an adjective ("subcutaneously", "orally", "immediately")."""

WORD_KINDS = (ConceptKind.FINDING, ConceptKind.PROCEDURE, ConceptKind.TEST)
"""The kinds that medical word endings and the vocabularies' head words name."""

TEST_SECTIONS = frozenset({"B", "C", "4"})
"""ICD-10-PCS sections of tests: Imaging, Nuclear Medicine, Measurement and Monitoring."""


class ConceptRules(RecordModel):
    """The schema of ``summary_concepts.json``; every word is compared normalised."""

    version: str
    about: str = ""
    generic: list[str] = Field(description="Words that name no concept on their own.")
    qualifiers: list[str] = Field(
        description="Trailing words set aside to find the head ('chemotherapy regimen')."
    )
    status_words: list[str] = Field(
        default_factory=list,
        description="Words after an outcome that only say it holds ('complete remission "
        "*state*', 'remission *status*'): such a mention is the outcome, no finding, though "
        "'state' heads findings ('confusional state').",
    )
    suffixes: dict[ConceptKind, list[str]] = Field(description="Medical word endings by kind.")
    heads: dict[ConceptKind, list[str]] = Field(
        description="Head words by kind, beside the vocabularies' own."
    )
    modifier_endings: list[str] = Field(
        description="Endings of adjectives, adverbs and participles ('-ic', '-ly', '-ed'): a "
        "lone word ending so is no finding, even where a vocabulary lists it."
    )
    vague_outcomes: list[str] = Field(
        description="Outcome words that say nothing alone ('improvement': of what, after "
        "what?); the summary shows them with the treatment they followed."
    )
    favourable_outcomes: list[str] = Field(
        default_factory=list,
        description="Outcome words of a good turn ('improvement', 'remission', 'recovery'): "
        "what a treatment brought about so is no complication of it.",
    )
    drug_stems: list[str] = Field(description="Endings of drug names ('cillin', 'mab').")
    not_given_cues: Patterns = Field(
        description="Regular expressions (case-insensitive) that, before a drug in its "
        "sentence, say it was tested or avoided, not given ('resistant to', 'allergic to')."
    )
    harm_cues: Patterns = Field(
        description="Regular expressions (case-insensitive) matched right after a drug that "
        "say it harmed the patient or was measured, not given ('baclofen *toxicity*', "
        "'paracetamol *overdose*', 'lithium *levels*')."
    )
    result_words: list[str] = Field(
        description="Words that make a value a result ('normal', 'positive')."
    )
    change_words: list[str] = Field(
        default_factory=list,
        description="Words that say how a property changed ('decreased', 'poor', 'altered'): "
        "a head every HPO term of which holds one ('Decreased skin *turgor*', 'Reduced "
        "*consciousness*') names a property, a finding only with such a word.",
    )
    dose_units: list[str] = Field(
        default_factory=list,
        description="Units of a drug's dose ('mg', 'μg', 'IU'), not of a concentration: a "
        "test's 'result' that is a number of them ('Epinephrine (100 μg …) was administered') "
        "is a dose, and the test a drug given.",
    )
    presentation_cues: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of the verb telling what the "
        "patient came with ('presented with', 'complained of', 'had'): in the opening "
        "sentence, findings before it describe the patient ('a man with diabetes and "
        "hypertension'), those after it are what brought him.",
    )
    detection_cues: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of a verb telling that something "
        "was found ('diagnosed', 'detected'): a 'caused by' link across one ('cancer, which "
        "was detected by colonoscopy, due to rectal bleeding'), or to a test after one "
        "('diagnosed with lung cancer after bronchoscopic biopsy'), tells how the finding "
        "was found, not what caused it.",
    )
    proposal_cues: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of a verb that only proposes what "
        "follows it in its clause ('was offered genetic amniocentesis', 'we recommended a "
        "thoracoscopic biopsy'): no treatment or test done.",
    )
    differential_cues: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of words that open a list of "
        "possibilities weighed against each other ('to *differentiate between* chronic sepsis, "
        "malignancy and an inflammatory process, a biopsy was performed'), or what a "
        "screening looked for ('The detailed *screening for* malignancies, autoimmune "
        "diseases and infections was performed'): candidates, no diagnosis.",
    )
    proposed_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a treatment or "
        "test that say it was only proposed ('surgical resection *was recommended*').",
    )
    measured_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a drug that "
        "is also an analyte which say it was measured, not given: a list going on to its "
        "levels ('potassium *and calcium levels*'), a concentration ('ACTH*: 5.6 pg/mL*').",
    )
    measured_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) ending right before such a drug "
        "that say it was measured: a body fluid opening its list ('*Serum sodium,* "
        "potassium').",
    )
    normal_list_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a drug that "
        "is also an analyte, of the rest of a list of analytes told normal ('Vitamin B12*, "
        "folate and TSH were normal*'): measured, not given, when the list opens its clause "
        "(``verbs_before``).",
    )
    verbs_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of a verb or a preposition "
        "before a drug in its sentence: the drug is no subject of the clause, so a list after "
        "it told normal ('She received heparin and warfarin, and coagulation tests were "
        "normal') is another clause's.",
    )
    reference_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) ending right before a value that "
        "make it a bound of a reference range, not the patient's result ('(*normal range, "
        "0.38-*4.34 mIU/L)', '(*reference: <*5)').",
    )
    belief_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a value "
        "word that make it how strongly a diagnosis was believed, not a result ('high* index "
        "of suspicion*').",
    )
    belief_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) ending right before a value word "
        "that make it such a belief ('the pre-test *probability was* high').",
    )
    stain_cues: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) that tell a sentence reports "
        "staining ('immunohistochemistry', 'stained', 'IHC').",
    )
    stained_for: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) ending right before a name in a "
        "list of what cells stained for ('positive for S100, *pan-melanoma*'): in a sentence "
        "that reports staining, a disease named there is the stain's antibody, no diagnosis.",
    )
    object_heads: list[str] = Field(
        default_factory=list,
        description="Head words of things, not acts: devices (ICD-10-PCS's device axis: "
        "'stent', 'catheter', 'pacemaker') and what a laboratory handles ('specimen', 'swab', "
        "'slide', 'formalin'). A mention headed by one names no procedure or test, whatever "
        "code its sentence gave it, unless the text tells an act upon it "
        "(``object_actions_after``, ``object_actions_before``); the act's own words ('stent "
        "placement', 'catheter insertion') are headed by the act.",
    )
    object_actions_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after an object that "
        "tell an act upon it ('a biliary stent *was placed*').",
    )
    object_actions_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) ending right before an object that "
        "tell an act upon it ('*underwent placement of a* stent').",
    )
    by_itself_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) ending at a procedure mention's "
        "end, from within or before it, that tell it came about by itself ('showed "
        "*spontaneous closure*', 'maintained *spontaneous ventilation*'): nothing was done.",
    )
    done_by_itself_heads: list[str] = Field(
        default_factory=list,
        description="Head words of procedures still done when spontaneous ('spontaneous "
        "vaginal *delivery*', 'spontaneous breathing *trial*').",
    )
    imaging_agents: list[str] = Field(
        default_factory=list,
        description="Words naming what is given to make an image ('gadolinium', 'contrast', "
        "'indocyanine'): a drug named by one is a test's agent, no treatment ('An MRI "
        "performed after injection of gadolinium').",
    )
    movements: list[str] = Field(
        default_factory=list,
        description="Words naming how a joint moves ('extension', 'flexion'): after a joint's "
        "name alone ('hip extension', 'knee flexion') they name a movement, no finding.",
    )
    joints: list[str] = Field(
        default_factory=list,
        description="Joints and the parts they move, whose name stands before a movement's.",
    )
    movement_extents: list[str] = Field(
        default_factory=list,
        description="Words before a movement's name that say how far it went, not that it "
        "changed ('*full* extension', '*normal* flexion'): a movement, no finding.",
    )
    formulations: list[str] = Field(
        default_factory=list,
        description="How a drug's form releases it ('extended release', 'immediate-release'): "
        "the form of the drug named beside it, no procedure of its own.",
    )
    induced_by: list[str] = Field(
        default_factory=list,
        description="Words before a finding's head that say the state was brought about as "
        "a procedure ('deep *hypothermic* circulatory arrest', '*cardioplegic* arrest'): a "
        "procedure, no finding.",
    )
    finding_senses: dict[str, list[str]] = Field(
        default_factory=dict,
        description="A procedure's head word, and the words before it that make it name a "
        "finding instead ('*vitreomacular* traction', '*macular* traction': the vitreous "
        "pulling on the retina, no traction applied to a limb).",
    )
    instruments: list[str] = Field(
        default_factory=list,
        description="Words that end the name of a rating instrument ('Social Avoidance and "
        "Distress *Scale*'): a capitalised one after coordinated words ends an instrument's "
        "name, whatever those words name, and an instrument is no finding.",
    )
    others_told_of: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of people other than the patient "
        "and the patient's relatives whom a relative clause tells of ('*people who* died "
        "recently'): what the clause tells is theirs, as with the relatives of "
        "``demographics.json``.",
    )
    child_subject: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched at a clause's start, of a "
        "fetus, baby or newborn as its subject ('The neonate was admitted to the NICU for "
        "respiratory distress', 'When the baby was 3 days old, peritoneal dialysis was "
        "started', 'Baby died of DIC'): in a report whose patient may be the mother, what the "
        "clause tells is the child's.",
    )
    child_with: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of a fetus or baby whose findings "
        "follow ('showed a single viable fetus *with* …'): what the clause tells after it is "
        "the child's.",
    )
    ended_state_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a state an "
        "outcome's words name, telling that the state ended ('He was well *until 6 months of "
        "age when* he developed fever', 'He was well and active *in the intervening* "
        "periods'): a state before the illness or before a relapse, no outcome; not one held "
        "until the last follow-up, discharge or now.",
    )
    state_words: list[str] = Field(
        default_factory=list,
        description="Words of an outcome that name a state the patient was in ('was *well*', "
        "'remained *asymptomatic*'), which ``ended_state_after`` may tell ended.",
    )
    aim_before: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right before an outcome "
        "in its sentence, telling that it was aimed at, awaited, looked for or not reached "
        "('to allow *for* improvement of her deficits', '*assessed for* remission', 'to "
        "reevaluate *for* resolution', '*failed to achieve* complete remission'): no outcome "
        "the patient had.",
    )
    instrument_after: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched right after a finding's "
        "name, of a thing named by what it is about ('pediatric appendicitis *score*', "
        "'autoimmune epilepsy *panel*', 'schizophrenia *guidelines*', 'colorectal cancer "
        "*screening*', 'deviation *maps*'): the finding names what the thing rates, tests or "
        "maps, which the patient need not have.",
    )
    procedure_senses: dict[str, list[str]] = Field(
        default_factory=dict,
        description="A head word naming both a finding and a procedure, and the words before "
        "it that make it name the procedure only ('*cesarean* delivery', '*cesarean* section': "
        "the operation that delivered the child, no finding of the pregnancy).",
    )
    response_senses: dict[str, list[str]] = Field(
        default_factory=dict,
        description="A finding's head word, and the words before it that make it name how a "
        "tumour answered treatment ('*stable* disease', the response RECIST grades between a "
        "partial response and progression): a good turn, an outcome and no finding, neither "
        "a diagnosis nor a complication of the drug it followed.",
    )
    excluded_heads: dict[ConceptKind, list[str]] = Field(
        description="Vocabulary head words that name no concept of the kind (adjectives, "
        "devices, words left by the head rule)."
    )

    @model_validator(mode="after")
    def _word_kinds_only(self) -> Self:
        for table in (self.suffixes, self.excluded_heads):
            for kind in table:
                if kind not in WORD_KINDS:
                    raise ValueError(f"{kind} takes no suffixes or excluded heads")
        return self


_PATIENT = re.compile(r"\b(?:she|he|the patient|our patient)\b", re.IGNORECASE)
"""Words naming the patient as a clause's subject."""

_MOTHER_NAMED = re.compile(r"\b(?:she|the patient|our patient|(?:the\s+)?mother)\b", re.IGNORECASE)
"""Words naming, in a pregnancy's report, its patient."""

_GOVERNED_BY = re.compile(r"\b(?:from|to|with|by|of|for|about|than)\s+$", re.IGNORECASE)
"""A preposition right before a person's name: that person is no subject."""

_COORDINATORS = frozenset({"and", "or"})

_MAIN_VERB = re.compile(
    r"\b(?:was|were|is|are|showed?|revealed?|demonstrated?|confirmed?)\b", re.IGNORECASE
)
"""A verb that ends a list of possibilities weighed: the clause after it tells what was done
or found."""


def _words(items: list[str]) -> frozenset[str]:
    return frozenset(normalize_alias(item) for item in items if normalize_alias(item))


AIM_REACH = 60
"""How far before an outcome ``aim_before`` may find the words that make it an aim."""

MEASURED_REACH = 200
"""How far before a drug ``measured_before`` may find the words opening its list of analytes
("Blood work was normal at presentation (CBC, calcium, phosphate, magnesium, …")."""

READINGS_KEPT = 65_536
"""How many mention wordings a ``ClinicalConcepts`` remembers what it read in."""


class _Reading(NamedTuple):
    """Whether a mention's words name nothing, and whether they are one modifier."""

    names_nothing: bool
    lone_modifier: bool


class ClinicalConcepts:
    """Says which kinds of clinical concept a mention's words name.

    Args:
        rules: A packaged rule file name or a ``Path`` to your own file.
        heads: The vocabularies' head words; by default the packaged ones.
        who: The words of people, organisations and places; by default the packaged ones.
        properties: The heads that name a property, not a finding; by default those HPO's
            terms show (``casebook.kb.heads.property_heads`` of the rules' ``change_words``).

    Raises:
        CasebookError: ``CB-E012`` when a file is missing or breaks its schema.
    """

    def __init__(
        self,
        rules: str | Path = "summary_concepts.json",
        heads: HeadWords | None = None,
        who: NonClinicalWords | None = None,
        properties: frozenset[str] | None = None,
    ) -> None:
        self.rules = load_rules(rules, ConceptRules)
        vocabulary = heads or load_head_words()
        self._who = who or default_non_clinical()
        self._generic = _words(self.rules.generic)
        self._qualifiers = _words(self.rules.qualifiers)
        self._status_words = _words(self.rules.status_words)
        self._analytes = vocabulary.analyte
        self._finding_phrases = vocabulary.finding_phrase
        found = {
            ConceptKind.FINDING: vocabulary.finding,
            ConceptKind.PROCEDURE: vocabulary.procedure,
            ConceptKind.TEST: vocabulary.test,
        }
        self._heads: dict[ConceptKind, frozenset[str]] = {}
        self._curated = {kind: _words(self.rules.heads.get(kind, [])) for kind in ConceptKind}
        for kind in ConceptKind:
            own = self._curated[kind]
            excluded = _words(self.rules.excluded_heads.get(kind, []))
            self._heads[kind] = (found.get(kind, frozenset()) - excluded) | own
        # A word the rules name as a concept's head is no body part, whatever the index says.
        self._body = vocabulary.body.difference(*self._curated.values())
        # A test's name is never a finding's head, though ICD-10-CM titles such as "Abnormal
        # findings on angiography" end in one.
        self._heads[ConceptKind.FINDING] -= self._heads[ConceptKind.TEST]
        # A lone word is a finding only when it is a finding term itself, not merely the head
        # of one: "traumatic" heads no term, "fluid" only body parts.
        self._one_word_findings = (
            vocabulary.finding_term - _words(self.rules.excluded_heads.get(ConceptKind.FINDING, []))
        ) | _words(self.rules.heads.get(ConceptKind.FINDING, []))
        self._modifier_endings = tuple(e.lower() for e in self.rules.modifier_endings)
        self._suffixes = {
            kind: tuple(s.lower() for s in self.rules.suffixes.get(kind, [])) for kind in WORD_KINDS
        }
        self._stems = tuple(stem.lower() for stem in self.rules.drug_stems)
        self._not_given = any_of(self.rules.not_given_cues)
        self._harm = any_of(self.rules.harm_cues)
        self._results = _words(self.rules.result_words)
        self._changes = _words(self.rules.change_words)
        # "Turgor" or "signal intensity" alone names what a finding changes, not the finding;
        # a word the rules list as a finding's head, or a finding term, is one by itself.
        self._properties = (
            (properties if properties is not None else property_heads(self._changes))
            - self._one_word_findings
            - self._curated[ConceptKind.FINDING]
        )
        units = "|".join(re.escape(u) for u in sorted(self.rules.dose_units, key=len, reverse=True))
        # An amount per a counted volume is a preparation's strength ("25 mg/2 mL", "250
        # mg/5 ml"), a dose: a laboratory's concentration is per a unit volume ("mg/dL").
        self._dose = re.compile(
            rf"\d[\d.,]*\s*(?:{units or '(?!)'})(?:\s*/\s*kg)?(?:/(?:min|h|hr|day|d))?"
            r"(?:\s*/\s*(?:[1-9]|1\d|20)(?:\.\d+)?\s*ml)?",
            re.IGNORECASE,
        )
        self._presentation = any_of(self.rules.presentation_cues)
        self._detection = any_of(self.rules.detection_cues)
        self._proposal = any_of(self.rules.proposal_cues)
        self._proposed_after = any_of(self.rules.proposed_after)
        self._differential = any_of(self.rules.differential_cues)
        self._measured_after = any_of(self.rules.measured_after)
        self._measured_before = any_of(self.rules.measured_before)
        self._normal_list_after = any_of(self.rules.normal_list_after)
        self._verbs_before = any_of(self.rules.verbs_before)
        self._reference_before = any_of(self.rules.reference_before)
        self._belief_after = any_of(self.rules.belief_after)
        self._belief_before = any_of(self.rules.belief_before)
        self._stain_cues = any_of(self.rules.stain_cues)
        self._stained_for = any_of(self.rules.stained_for)
        self._objects = _words(self.rules.object_heads)
        self._acted_after = any_of(self.rules.object_actions_after)
        self._acted_before = any_of(self.rules.object_actions_before)
        self._by_itself_before = any_of(self.rules.by_itself_before)
        self._done_by_itself = frozenset(w.lower() for w in self.rules.done_by_itself_heads)
        self._imaging_agents = _words(self.rules.imaging_agents)
        self._movements = _words(self.rules.movements)
        self._joints = _words(self.rules.joints)
        self._movement_extents = _words(self.rules.movement_extents)
        self._formulations = frozenset(normalize_tokens(f) for f in self.rules.formulations)
        self._induced_by = _words(self.rules.induced_by)
        self._finding_senses = {
            normalize_alias(head): _words(before)
            for head, before in self.rules.finding_senses.items()
        }
        self._instruments = _words(self.rules.instruments)
        self._instrument_after = any_of(self.rules.instrument_after)
        self._aim_before = any_of(self.rules.aim_before)
        self._ended_state_after = any_of(self.rules.ended_state_after)
        self._state_words = _words(self.rules.state_words)
        self._child_subject = any_of(self.rules.child_subject)
        self._child_with = any_of(self.rules.child_with)
        demographics = load_rules("demographics.json", DemographicsRules)
        self._relatives = relative_phrases(demographics)
        self._others_told_of = (
            relatives_told_of(demographics),
            any_of(self.rules.others_told_of),
        )
        self._procedure_senses = {
            normalize_alias(head): _words(before)
            for head, before in self.rules.procedure_senses.items()
        }
        self._response_senses = {
            normalize_alias(head): _words(before)
            for head, before in self.rules.response_senses.items()
        }
        self._vague_outcomes = _words(self.rules.vague_outcomes)
        self._favourable = _words(self.rules.favourable_outcomes)
        # Mentions repeat their words from case to case: what the words name is remembered.
        self._readings = lru_cache(maxsize=READINGS_KEPT)(self._reading)
        self._word_kinds_of = lru_cache(maxsize=READINGS_KEPT)(self._kinds_of_words)

    def words(self, mention: Mention) -> tuple[str, ...]:
        """The mention's normalised words (its long form when it is an abbreviation)."""
        return normalize_tokens(mention.expansion or mention.text)

    def is_non_clinical(self, words: tuple[str, ...]) -> bool:
        """Whether the words name a person, organisation, place, software or nothing at all."""
        lettered = [w for w in words if sum(c.isalpha() for c in w) >= 2]
        if not lettered or all(w in self._body for w in lettered):
            return True
        return self.is_who_or_where(words)

    def is_who_or_where(self, words: tuple[str, ...]) -> bool:
        """Whether the words name a person, occupation, organisation, place or software."""
        return self._who.is_who_or_where(words)

    def is_substance_of_abuse(self, mention: Mention) -> bool:
        """Whether the mention's words end in a drug of abuse or tobacco ("cocaine",
        "intravenous heroin"): what a patient was exposed to, not treated with."""
        return self._who.is_substance_of_abuse(self.words(mention))

    def is_generic(self, words: tuple[str, ...]) -> bool:
        """Whether every word is generic, a qualifier or a number: no concept of its own. A
        word of letters and digits is a name ("MEN1 syndrome", "IgG4"), no number."""
        return all(
            w in self._generic or w in self._qualifiers or not any(c.isalpha() for c in w)
            for w in words
        )

    def is_service(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the words around the mention call it a service that was consulted
        ("General surgery was consulted"), not a procedure."""
        return self._who.is_service(text, mention.start, mention.end, sentence)

    def is_listed_specialty(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the mention is listed beside a specialty ("consultations including
        neurology, infectious disease, and hematology"): a service, no disease."""
        return self._who.is_listed_specialty(text, mention.start, mention.end, sentence)

    def names_nothing(self, mention: Mention) -> bool:
        """Whether the mention's words can name no clinical concept: a person, place,
        organisation, software, body part alone, a generic word or no word at all."""
        return self._readings(mention.expansion, mention.text).names_nothing

    def kinds(self, mention: Mention) -> frozenset[ConceptKind]:
        """The kinds of concept the mention's words name; empty when they name none.

        An abbreviation is read in its long form and as written ("CT" is a test either way);
        an undefined one of capitals ("GCS", "PA") names only what ``heads`` lists, since the
        vocabularies' words are no guide to what a few letters stand for.
        """
        reading = self._readings(mention.expansion, mention.text)
        if reading.names_nothing:
            return frozenset()
        if self.names_response(mention):
            # Whatever a coder read into "disease", the words grade a response.
            return frozenset({ConceptKind.OUTCOME})
        found = set() if reading.lone_modifier else set(self._coded(mention))
        return frozenset(found | self.word_kinds(mention))

    def word_kinds(self, mention: Mention) -> frozenset[ConceptKind]:
        """The kinds of concept the mention's words name, whatever codes it carries: read in
        its long form when it is an abbreviation, and as written."""
        return self._word_kinds_of(mention.expansion, mention.text)

    def is_procedure_only(self, mention: Mention) -> bool:
        """Whether the mention's words name a procedure and nothing else, their last word
        too ("hernia repair", "EVAR" read as endovascular aneurysm repair; not "premature
        closure of the physes", whose words end on a body part): a procedure, whatever its type
        says."""
        if self.names_nothing(mention) or self.word_kinds(mention) != {ConceptKind.PROCEDURE}:
            return False
        words = self.words(mention)
        return self._names(words[-1], ConceptKind.PROCEDURE, len(words) == 1)

    def is_drug_only(self, mention: Mention) -> bool:
        """Whether the mention's words name a drug and no procedure, test or finding
        ("vancomycin", not "vancomycin infusion"): a medication, whatever its type says."""
        return not self.names_nothing(mention) and self.word_kinds(mention) == {ConceptKind.DRUG}

    def _reading(self, expansion: str | None, text: str) -> _Reading:
        """Whether the words of a mention with this long form and text name nothing, and
        whether they are one modifier."""
        words = normalize_tokens(expansion or text)
        # An adverb alone ("subcutaneously", "orally") says how something was done, not what;
        # a drug's form alone ("extended release") says how a drug named beside it is made.
        names_nothing = (
            not words
            or words in self._formulations
            or self.is_non_clinical(words)
            or self.is_generic(words)
            or (len(words) == 1 and _ADVERB.search(words[0]) is not None)
        )
        # A lone participle or adverb ("removed", "surgically") says that something was done,
        # not what: a code a coder read off its sentence does not make it a concept.
        lone_modifier = len(words) == 1 and words[0].endswith(self._modifier_endings)
        return _Reading(names_nothing, lone_modifier)

    def _kinds_of_words(self, expansion: str | None, text: str) -> frozenset[ConceptKind]:
        """``word_kinds`` of a mention with this long form and text."""
        found: set[ConceptKind] = set()
        if expansion:
            found |= self._word_kinds(normalize_tokens(expansion), curated=False)
        written = normalize_tokens(text)
        if written and not self._names_instrument(text, written):
            found |= self._word_kinds(written, curated=_is_acronym(text))
        return frozenset(found)

    def _names_instrument(self, text: str, words: tuple[str, ...]) -> bool:
        """Whether the text is a rating instrument's name ("Social Avoidance and Distress
        Scale"): its capitalised last word names an instrument and an "and" or "or" before it
        joins what the instrument rates, which the patient need not have; "erythema and thick
        scales" names a finding."""
        last = _WORD.findall(text)[-1]
        return (
            last[:1].isupper()
            and words[-1] in self._instruments
            and not _COORDINATORS.isdisjoint(words)
        )

    def _word_kinds(self, words: tuple[str, ...], *, curated: bool) -> set[ConceptKind]:
        """The kinds the words name: by head word, word ending, drug stem and analyte."""
        found: set[ConceptKind] = set()
        if curated:
            return {kind for kind, listed in self._curated.items() if words[-1] in listed}
        if len(words) > 2 and words[-2:] in self._formulations:
            # "divalproex sodium extended-release": a drug, in the form it was given.
            return {ConceptKind.DRUG}
        if len(words) > 1 and words[-1] in self._status_words:
            held = self._word_kinds(words[:-1], curated=False)
            if ConceptKind.OUTCOME in held:
                return held
        heads = {head_word(words)}
        core = words
        while len(core) > 1 and (core[-1] in self._qualifiers or _TYPE_MARK.fullmatch(core[-1])):
            core = core[:-1]
            heads.add(head_word(core))
        single = len(words) == 1
        # A property's name says a finding only with how it changed ("poor skin turgor") or
        # beside a finding's own name ("tingling feeling").
        unchanged = self._changes.isdisjoint(words) and self._one_word_findings.isdisjoint(words)
        for kind in WORD_KINDS:
            if any(
                self._names(head, kind, single)
                and not (kind is ConceptKind.FINDING and unchanged and head in self._properties)
                and not (
                    kind in (ConceptKind.FINDING, ConceptKind.PROCEDURE)
                    and self._is_movement(words)
                )
                for head in heads
            ):
                found.add(kind)
        drugs = self._heads[ConceptKind.DRUG]
        # "Corticosteroid pulse therapy": a therapy names a drug when any of its words does.
        named = set(words) if words[-1] in self._qualifiers else heads
        if any(
            word in drugs or (word.endswith(self._stems) and not self._who.is_stem_lookalike(word))
            for word in named
        ):
            found.add(ConceptKind.DRUG)
        if any(head in self._heads[ConceptKind.OUTCOME] for head in heads) or (
            words[-1] in self._heads[ConceptKind.OUTCOME]
        ):
            found.add(ConceptKind.OUTCOME)
        if self._is_analyte(core):
            found.add(ConceptKind.TEST)
        if self._holds_finding_phrase(words):
            found.add(ConceptKind.FINDING)
        if ConceptKind.FINDING in found and not self._induced_by.isdisjoint(words[:-1]):
            found = (found - {ConceptKind.FINDING}) | {ConceptKind.PROCEDURE}
        senses = self._finding_senses.get(words[-1])
        if senses is not None and not senses.isdisjoint(words[:-1]):
            found = (found - {ConceptKind.PROCEDURE}) | {ConceptKind.FINDING}
        senses = self._procedure_senses.get(words[-1])
        if senses is not None and not senses.isdisjoint(words[:-1]):
            found = (found - {ConceptKind.FINDING}) | {ConceptKind.PROCEDURE}
        return found

    def _is_movement(self, words: tuple[str, ...]) -> bool:
        """Whether the words name a joint's movement ("hip extension", "full extension of the
        knee"): a joint's name or how far it went, then a movement's; no finding ("tumor
        extension" and "limited extension" are) and no procedure."""
        return (
            len(words) > 1
            and words[-1] in self._movements
            and all(word in self._joints or word in self._movement_extents for word in words[:-1])
        )

    def not_given(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]``, the words before a drug in its sentence, say it was
        tested or avoided rather than given ("resistant to", "allergic to")."""
        return self._not_given.search(text, start, end) is not None

    def is_measured_analyte(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the words around a drug's mention in its ``sentence`` (start, end) of
        ``text`` tell it was measured as an analyte, a test's measure
        ("Serum sodium, potassium and calcium levels were within normal limits", "ACTH: 5.6
        pg/mL"), not given."""
        start, end = sentence
        return (
            self._measured_after.match(text, mention.end, end) is not None
            or self._measured_before.search(
                text, max(start, mention.start - MEASURED_REACH), mention.start
            )
            is not None
            or (
                self._normal_list_after.match(text, mention.end, end) is not None
                and self._verbs_before.search(text, start, mention.start) is None
            )
        )

    def names_idle_object(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the mention's words are headed by a thing (``object_heads``: a device, a
        specimen) that its ``sentence`` (start, end) of ``text`` tells no act upon: "closed
        with absorbable sutures", "the nephrectomy specimen showed"; not "a biliary stent was
        placed"."""
        words = self.words(mention)
        if not words or head_word(words) not in self._objects:
            return False
        start, end = sentence
        return (
            self._acted_after.match(text, mention.end, end) is None
            and self._acted_before.search(
                text, max(start, mention.start - PROPOSAL_REACH), mention.start
            )
            is None
        )

    def happened_by_itself(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the words of its ``sentence`` (start, end) of ``text`` running up to the
        mention's end tell that what it names came about by itself ("showed spontaneous
        closure", "maintained spontaneous ventilation"): no procedure was done, but for one
        still done so ("spontaneous vaginal delivery", ``done_by_itself_heads``)."""
        words = self.words(mention)
        if not words or head_word(words) in self._done_by_itself:
            return False
        start = max(sentence[0], mention.start - BY_ITSELF_REACH)
        return self._by_itself_before.search(text, start, mention.end) is not None

    def told_of_others(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the mention's clause in its ``sentence`` (start, end) of ``text`` tells of
        someone else: a relative ("her father died", "a maternal relative who died in
        infancy") or other people ("asking about people who died recently") are the last
        persons it names before the mention, and the patient is not named after them."""
        start = max(sentence[0], text.rfind(";", sentence[0], mention.start) + 1)
        # A relative a preposition governs is no subject ("transplantation from his brother
        # was performed in the first remission": the patient's remission), unless a relative
        # clause tells of them ("asking about people who died").
        named = [
            found.end()
            for found in self._relatives.finditer(text, start, mention.start)
            if _GOVERNED_BY.search(text, max(start, found.start() - 12), found.start()) is None
        ] + [
            found.end()
            for regex in self._others_told_of
            for found in regex.finditer(text, start, mention.start)
        ]
        return bool(named) and _PATIENT.search(text, max(named), mention.start) is None

    def told_of_the_child(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the mention's clause in its ``sentence`` (start, end) of ``text`` tells of
        a fetus or a baby (``child_subject``, ``child_with``), and the mother is not named
        after it: in a report whose patient may be the mother, the child's fact."""
        start = max(sentence[0], text.rfind(";", sentence[0], mention.start) + 1)
        subject = self._child_subject.match(text, start, mention.start)
        named = [subject.end()] if subject is not None else []
        named += [found.end() for found in self._child_with.finditer(text, start, mention.start)]
        return bool(named) and _MOTHER_NAMED.search(text, max(named), mention.start) is None

    def names_what_a_thing_rates(self, text: str, mention: Mention) -> bool:
        """Whether the words after the mention in ``text`` make it name what a score, a
        panel, a guideline or a map is about (``instrument_after``: "the pain scale",
        "an autoimmune epilepsy panel"), no finding told of the patient."""
        return self._instrument_after.match(text, mention.end) is not None

    def tells_a_state_that_ended(self, text: str, mention: Mention, sentence_end: int) -> bool:
        """Whether the mention names a state (``state_words``: "was well", "remained
        asymptomatic") that the words after it in its sentence tell ended
        (``ended_state_after``: "until 6 months of age when he developed fever", "in the
        intervening periods"): the state before the illness or a relapse, no outcome."""
        return (
            not self._state_words.isdisjoint(self.words(mention))
            and self._ended_state_after.match(text, mention.end, sentence_end) is not None
        )

    def names_an_aim(self, text: str, mention: Mention, sentence_start: int) -> bool:
        """Whether the words of its sentence right before the mention (``aim_before``) make
        the outcome it names one aimed at, awaited, looked for or not reached ("For the
        improvement of dental esthetics", "failed to induce complete remission")."""
        start = max(sentence_start, mention.start - AIM_REACH)
        return self._aim_before.search(text, start, mention.start) is not None

    def names_imaging_agent(self, mention: Mention) -> bool:
        """Whether a word of the mention names what is given to make an image
        (``imaging_agents``): "intravenous gadolinium", "iodinated contrast agent", "ICG"."""
        return not self._imaging_agents.isdisjoint(self.words(mention))

    def names_organism(self, mention: Mention) -> bool:
        """Whether the mention's words as written name an organism ("cultures grew
        Staphylococcus aureus", ``casebook.kb.nonclinical``): what caused an infection, not the
        infection, and no drug. An HPO code says they name a phenotype ("Status epilepticus")."""
        return self._who.names_organism(mention.text) and not any(
            code.system is CodeSystem.HPO for code in mention.codes
        )

    def is_tested_organism(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether a short form the text reads as an organism ("HIV", human immunodeficiency
        virus) stands in a ``sentence`` (start, end) of ``text`` that tells a test ("HIV and
        hepatitis panel", "HIV titer", "serological testing for hepatitis B and C, HIV"): what
        the test looked for, no diagnosis. Told with no test ("a man with HIV"), the short
        form is the disease, as a report uses it."""
        if not mention.expansion or not self._who.names_organism(mention.expansion):
            return False
        start, end = sentence
        words = {w for w in _WORD.findall(text[start:end].lower())}
        return not words.isdisjoint(self._heads[ConceptKind.TEST])

    def is_donors(self, mention: Mention) -> bool:
        """Whether the mention's own words tell a fact of the organ donor
        (``casebook.kb.nonclinical``): "donor-specific antibodies" are the recipient's."""
        return self._who.is_donors(mention.text, mention.expansion or "")

    def tells_anaesthetic(self, text: str, sentence: tuple[int, int]) -> bool:
        """Whether the ``sentence`` (start, end) tells an anaesthetic, whose drugs are no
        treatment (``casebook.kb.nonclinical``)."""
        return self._who.tells_anaesthetic(text, sentence)

    def presentation_at(self, text: str, start: int, end: int) -> int | None:
        """Where the first verb telling what the patient came with (``presentation_cues``)
        ends in ``text[start:end]``; None when there is none."""
        found = self._presentation.search(text, start, end)
        return found.end() if found is not None else None

    def tells_detection(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` holds a verb telling that something was found
        (``detection_cues``)."""
        return self._detection.search(text, start, end) is not None

    def only_proposed(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the words around the mention in its ``sentence`` (start, end) only propose
        it ("was offered genetic amniocentesis but she refused", "surgical resection was
        recommended"): a verb of ``proposal_cues`` opens its clause a few words before it, or
        ``proposed_after`` follows it."""
        start, end = sentence
        if self._proposed_after.match(text, mention.end, end) is not None:
            return True
        opens = max(start, mention.start - PROPOSAL_REACH)
        # Searched to the sentence's end: a cue may look past the mention ("was offered …
        # but refused").
        cues = [
            cue.end()
            for cue in self._proposal.finditer(text, opens, end)
            if cue.end() <= mention.start
        ]
        return (
            bool(cues)
            and len(_WORD.findall(text, cues[-1], mention.start)) <= PROPOSAL_WORDS
            and _CLAUSE_BREAK.search(text, cues[-1], mention.start) is None
        )

    def weighed_as_possible(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the mention is one of the possibilities that a cue of ``differential_cues``
        opens earlier in its ``sentence`` (start, end) ("to differentiate between chronic
        sepsis, malignancy, and a chronic inflammatory process, an open biopsy was performed"):
        the list runs until the verb of the sentence's main clause."""
        cues = list(self._differential.finditer(text, sentence[0], mention.start))
        return bool(cues) and _MAIN_VERB.search(text, cues[-1].end(), mention.start) is None

    def harmed(self, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]``, the words after a drug in its sentence, begin by
        saying it harmed or was measured ("toxicity", "overdose", "levels")."""
        return self._harm.match(text, start, end) is not None

    def is_vague_outcome(self, mention: Mention) -> bool:
        """Whether the mention is an outcome word that needs what it followed to mean
        anything ("improvement", "complete resolution")."""
        words = self.words(mention)
        return bool(words) and words[-1] in self._vague_outcomes

    def is_favourable_outcome(self, mention: Mention) -> bool:
        """Whether the mention's last word names a good turn ("significant improvement",
        "complete remission"): no complication, whatever caused it."""
        words = self.words(mention)
        return (bool(words) and words[-1] in self._favourable) or self.names_response(mention)

    def names_response(self, mention: Mention) -> bool:
        """Whether the mention's words name how a tumour answered treatment
        (``response_senses``: "stable disease", "radiologically stable disease")."""
        words = self.words(mention)
        senses = self._response_senses.get(words[-1]) if words else None
        return senses is not None and not senses.isdisjoint(words[:-1])

    def is_result(self, mention: Mention) -> bool:
        """Whether a value mention says a result: a number, or a word such as "normal"."""
        words = self.words(mention)
        return any(c.isdigit() for c in mention.text) or any(w in self._results for w in words)

    def is_reference_bound(self, text: str, mention: Mention, start: int) -> bool:
        """Whether the value ``mention`` of ``text`` bounds a reference range told beside a
        result ("TSH was 2.1 mIU/L (normal range, 0.38-4.34 mIU/L)"): no result of the
        patient's. ``start`` is where the value's sentence starts."""
        opens = max(start, mention.start - REFERENCE_REACH)
        return self._reference_before.search(text, opens, mention.start) is not None

    def tells_belief(self, text: str, mention: Mention, start: int) -> bool:
        """Whether the value ``mention`` of ``text`` says how strongly a diagnosis was
        believed ("a high index of suspicion", "the pre-test probability was high"), not a
        result. ``start`` is where the value's sentence starts."""
        opens = max(start, mention.start - REFERENCE_REACH)
        return (
            self._belief_after.match(text, mention.end) is not None
            or self._belief_before.search(text, opens, mention.start) is not None
        )

    def is_stain_target(self, text: str, mention: Mention, sentence: tuple[int, int]) -> bool:
        """Whether the mention is listed among what cells stained for, in a ``sentence``
        (start, end) of ``text`` that reports staining ("Tumour cells were positive for S100
        and pan-melanoma"): an antibody's name, no diagnosis."""
        start, end = sentence
        # The few words before the mention are read first: most mentions follow no "positive
        # for", and the whole sentence need not be read for them.
        return (
            self._stained_for.search(text, max(start, mention.start - STAIN_REACH), mention.start)
            is not None
            and self._stain_cues.search(text, start, end) is not None
        )

    def is_dose(self, text: str, after: str = "") -> bool:
        """Whether the words are an amount of a drug ("100 μg", "0.3 μg/kg/min"), not a
        concentration: ``after``, the text right after them, goes on with no volume ("2.7 g
        dl−1", "3.8 mg/L")."""
        return self._dose.fullmatch(text.strip()) is not None and not _PER_VOLUME.match(after)

    def names_test_next(self, after: str) -> bool:
        """Whether one of the next two words of ``after`` (the text after a drug or its dose),
        past an aside in brackets and within the clause, heads a test ("Dexamethasone (1mg)
        suppression testing", "ACTH stimulation test", "contrast CT"): the drug is what the test
        gives, no treatment."""
        rest = _LEADING_ASIDE.sub("", after, count=1)
        clause = _CLAUSE_END.split(rest, maxsplit=1)[0]
        # Normalised as the heads are: "suppression *tests*" heads a test as "test" does.
        words = normalize_tokens(" ".join(_WORD.findall(clause)[:2]))
        return any(word in self._heads[ConceptKind.TEST] for word in words)

    def is_measured(self, after: str) -> bool:
        """Whether a bare number (no unit) follows the drug's name and ends the item, as in a
        list of laboratory values ("sodium 141, potassium 4.3, chloride 101"): the drug is an
        analyte measured, no treatment."""
        return _BARE_VALUE.match(after) is not None

    def _names(self, head: str, kind: ConceptKind, single: bool) -> bool:
        if head.endswith(self._suffixes[kind]) and len(head) > 6:
            return True
        if single and kind is ConceptKind.FINDING:
            # "Polyp" heads finding terms; "traumatic", "thickened" and "painful" only modify
            # them, even where a vocabulary lists the adjective as a synonym.
            if head.endswith(self._modifier_endings):
                return False
            return head in self._one_word_findings or head in self._heads[kind]
        return head in self._heads[kind]

    def _holds_finding_phrase(self, words: tuple[str, ...]) -> bool:
        """Whether some run of the words is a finding term headed by a body part ("acute
        *fatty liver* of pregnancy")."""
        return any(
            " ".join(words[start : start + size]) in self._finding_phrases
            for size in range(2, MAX_PHRASE_WORDS + 1)
            for start in range(len(words) - size + 1)
        )

    def _is_analyte(self, words: tuple[str, ...]) -> bool:
        return any(" ".join(words[start:]) in self._analytes for start in range(len(words)))

    @staticmethod
    def _coded(mention: Mention) -> set[ConceptKind]:
        kinds: set[ConceptKind] = set()
        for code in mention.codes:
            if code.system in (CodeSystem.HPO, CodeSystem.ICD10CM):
                kinds.add(ConceptKind.FINDING)
            elif code.code[:1] in TEST_SECTIONS or code.code[6:7] == "X":
                kinds.add(ConceptKind.TEST)
            else:
                kinds.add(ConceptKind.PROCEDURE)
        return kinds


_LEADING_ASIDE = re.compile(r"[\s)\]]*(?:\([^)]*\)\s*)?")
"""What may stand between a drug or its dose and the word after: a closing bracket, an aside."""

_BARE_VALUE = re.compile(r"\s+(?:of\s+)?\d+(?:[.,]\d+)?(?=\s*(?:,\s|[;)]|and\b|\.(?:\s|$)|$))")
"""A number with no unit right after a name, ending a list item ("potassium 4.3, ")."""

REFERENCE_REACH = 60
"""How far before a value the words naming a reference range or a belief may start."""

STAIN_REACH = 200
"""How far before a name the words opening a list of stains may start (ten or so markers)."""

BY_ITSELF_REACH = 40
"""How far before a procedure the words telling it came about by itself may start
(``happened_by_itself``)."""

PROPOSAL_REACH = 80
"""How far before a treatment or test a verb of proposal opens its clause (``only_proposed``)."""

PROPOSAL_WORDS = 5
"""The most words between a verb of proposal and what it proposes ("we recommended him to
receive remission induction chemotherapy"); further on, the clause has gone on to what was
done ("lymphoma was suggested and R-CHOP was started")."""

_CLAUSE_BREAK = re.compile(
    r"[.;:]|,\s*(?:and|so)\b|\b(?:but|however|although|though|whereas|then|after|before|when"
    r"|while|which)\b",
    re.IGNORECASE,
)
"""Words that end the clause a verb of proposal opens ("Operation was recommended, but the
patient refused and only received medical therapy"; "urinary tract infection was suggested, and
empirical antibiotics treatment was initiated")."""

_CLAUSE_END = re.compile(r"[.;:,]\s")
"""Where a clause ends: a sentence or list punctuation mark before a space."""

_WORD = re.compile(r"[^\W_]+")
"""A word as ``names_test_next`` counts them: letters and digits."""

_PER_VOLUME = re.compile(
    r"\s*(?:(?:/|per\s+)\s*(?:d?l|ml|litre|liter|cc)\b|d?l\b|ml\b|d?l\s*[−-]\s*1)", re.IGNORECASE
)
"""A volume after an amount, which makes it a concentration."""


def _is_acronym(text: str) -> bool:
    """Whether the text is a short run of capitals ("GCS", "CTPA"), digits aside."""
    letters = [c for c in text if c.isalpha()]
    return 0 < len(letters) <= 5 and all(c.isupper() for c in letters)


@cache
def default_concepts() -> ClinicalConcepts:
    """The packaged concept gate, built once."""
    return ClinicalConcepts()
