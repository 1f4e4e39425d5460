"""Which mentions of a case are treatments, and the one name each treatment goes by.

A treatment is what the patient had of a therapeutic procedure or a medication, never a test,
an image, a body part or a bare verb. ``TreatmentFinder`` reads ``resources/treatments.json``:

* **Type.** A ``Therapeutic_procedure`` or ``Medication`` mention the patient had (present or
  historical). Other mentions, and words the ICD-10-PCS coder found in running text, count only
  when a treating ICD-10-PCS code rests on them and they are not typed as a test.
* **ICD-10-PCS.** A code treats when its section does (0 Medical and Surgical, 3
  Administration, 5 and 6 Extracorporeal, D Radiation therapy …) and it matches none of the test
  patterns (imaging B, measurement 4 and nuclear medicine C are sections of tests; inspection
  ``0?J`` and the qualifier Diagnostic ``0?????X`` are tests within section 0). A mention coded
  with tests alone is a test, whatever its type.
* **Words.** The treatment's words (a mention's expansion when it is an abbreviation) must
  name one: their last word, the head of the phrase, is a noun ("removed", "closed" and
  "surgically" are not) that names no test ("biopsy", "tomography") and no body part
  ("eustachian tube"), and not every word is generic ("treatment", "medication"). A noun that
  says what was done but not to what ("resection", "implantation"), with only words of manner
  before it ("complete surgical resection"), names none: the tally would join cases that had
  different operations.
* **Who, where, exposure, analyte.** Words naming a person, an occupation, an organisation or
  a place ("janitor", "Adeka Pharma", "Turkey") or ending in a drug of abuse ("heroin"), by the
  lists the summary's concept gate reads too (``casebook.kb.nonclinical``), name no treatment;
  nor do words that are wholly a laboratory analyte (``casebook.kb.heads``: "angiotensin
  converting enzyme") unless one of them names a drug ("insulin", "vitamin C").
* **Service.** Procedure words the text calls a service that was consulted ("General
  surgery was consulted") name a team, not a treatment.
* **Context.** A drug named as what a test looked for, what the patient reacts to or what
  harmed them ("positive for asialotransferrin", "penicillin allergy", "lithium toxicity") was
  not given as a treatment, nor was a later drug of a list those words govern ("sensitive to
  ampicillin, gentamicin and vancomycin"); nor was an organism a culture grew ("Prototheca
  wickerhamii").

``TreatmentNames`` gives each treatment the key the tally groups by, from
``resources/treatment_synonyms.json``: a concept's synonyms share its name ("IVIG",
"immunoglobulin" and "intravenous immunoglobulin" are one key), after normalisation
(``casebook.kb.base``: case, hyphens, spelling, plurals), with leading modifiers of route, dose
and timing dropped ("intravenous methylprednisolone" is "methylprednisolone").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator

from casebook.kb.base import normalize_tokens
from casebook.kb.heads import load_head_words
from casebook.kb.nonclinical import NonClinicalWords, default_non_clinical
from casebook.model import (
    Assertion,
    Case,
    CodeSystem,
    DrugContext,
    DrugWords,
    EntityType,
    Mention,
    Patterns,
    RecordModel,
    Span,
    compile_patterns,
)
from casebook.resources import load_rules

RULES = "treatments.json"
SYNONYMS = "treatment_synonyms.json"

MIN_VOUCHING_CODE = 4
"""Characters of a treating ICD-10-PCS code that vouch for a mention's words: the body part is
determined from the fourth on ("0BT" is any resection in the respiratory system)."""

_ES_PLURAL = re.compile(r"\b(\w+(?:ch|sh|x|ss|zz))es\b", re.IGNORECASE)
"""Plurals in "-es" ("patches", "boxes"), whose "e" plain normalisation keeps ("patche")."""


def treatment_tokens(words: str) -> tuple[str, ...]:
    """The normalised words of a treatment (``casebook.kb.base.normalize_tokens``), with plurals
    in "-es" made singular too."""
    return normalize_tokens(_ES_PLURAL.sub(r"\1", words))


def treatment_words(words: str) -> str:
    """A treatment's normalised words, space-joined (``treatment_tokens``)."""
    return " ".join(treatment_tokens(words))


_PCS_PATTERN = re.compile(r"[0-9A-HJ-NP-Z?]{1,7}")


class PcsRules(RecordModel):
    """Which ICD-10-PCS codes name treatments."""

    note: str = ""
    therapeutic_sections: list[str] = Field(
        min_length=1, description="First characters of the sections whose procedures treat."
    )
    test_patterns: list[str] = Field(
        description="Code beginnings that are tests within those sections; '?' is any character."
    )
    catch_all_patterns: list[str] = Field(
        description="Code beginnings that name a class of treatments, not one: no two "
        "treatments are joined by such a code."
    )
    birth_patterns: list[str] = Field(
        default_factory=list,
        description="Code beginnings of the procedures a baby is born by (a caesarean, forceps "
        "or vacuum extraction, a delivery): they end a pregnancy, they treat no condition.",
    )

    @field_validator(
        "therapeutic_sections", "test_patterns", "catch_all_patterns", "birth_patterns"
    )
    @classmethod
    def _pcs_characters(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not _PCS_PATTERN.fullmatch(pattern):
                raise ValueError(f"{pattern!r} is no ICD-10-PCS code beginning")
        return value


class TreatmentWords(RecordModel):
    """Words that cannot name a treatment, compared in their normalised form."""

    note: str = ""
    generic: list[str] = Field(description="Words that name no treatment in particular.")
    needs_object: list[str] = Field(
        description="Nouns that say what was done but not to what ('resection', "
        "'implantation'): with only manner words before them, they name no treatment."
    )
    manner: list[str] = Field(
        description="Words that say only how such a noun's deed was done ('surgical', "
        "'complete', 'en bloc')."
    )
    not_treatment_heads: list[str] = Field(description="Last words of tests and findings.")
    not_treatment_suffixes: list[str] = Field(
        description="Endings of such last words ('graphy', 'itis')."
    )
    non_nouns: list[str] = Field(description="Verbs and other words that head no noun phrase.")
    non_noun_suffixes: list[str] = Field(description="Endings of verbs and adverbs ('ed').")
    noun_exceptions: list[str] = Field(description="Nouns with such an ending ('bed').")
    anatomy: list[str] = Field(description="Body parts and places a treatment's words end with.")
    not_treatments: list[str] = Field(
        default_factory=list,
        description="Words ending in a treatment's head that name a finding or a service "
        "instead ('macular traction', 'disseminated intravascular coagulation', 'genetic "
        "counseling').",
    )
    test_premodifiers: list[str] = Field(
        description="Words that make a procedure they stand before, or in, a test."
    )
    treatment_heads: list[str] = Field(
        description="Last words that name a procedure, a drug or a class of drugs."
    )
    treatment_suffixes: list[str] = Field(
        description="Endings of such last words: procedures ('ectomy') and drug stems ('mab')."
    )


class SpreadWords(RecordModel):
    """Words of a treatment that also tell where a pain or a murmur spreads ("radiation")."""

    note: str = ""
    words: list[str] = Field(description="Such words, compared in their normalised form.")
    after: Patterns = Field(
        description="Patterns starting where such words end that tell a spread ('to the back')."
    )
    treated: Patterns = Field(
        description="Patterns of a sentence's words telling a treatment given ('Gy', 'dose', "
        "'treated'): there the words are the treatment."
    )


class TreatmentRules(RecordModel):
    """The schema of ``treatments.json``."""

    version: str = Field(min_length=1)
    mention_types: list[EntityType] = Field(description="Mention types that are treatments.")
    test_types: list[EntityType] = Field(
        description="Mention types that a treating code never makes a treatment."
    )
    assertions: list[Assertion] = Field(
        description="Assertions of a treatment the patient had (negated ones were not given)."
    )
    vouching_relations: list[str] = Field(
        description="Relations whose target is a treatment given: a drug with a dosage, a "
        "treatment a finding was treated by or an outcome followed."
    )
    excluded_section_kinds: list[str] = Field(
        description="Kinds of section about the literature, other patients or allergies: "
        "their treatments and outcome statements are not the patient's."
    )
    icd10pcs: PcsRules
    words: TreatmentWords
    analyte_context: DrugWords
    spread: SpreadWords | None = None


class TreatmentConcept(RecordModel):
    """One treatment and the other names it goes by."""

    name: str = Field(min_length=1, description="The name the tally shows.")
    synonyms: list[str] = Field(min_length=1)
    icd10pcs: list[str] = Field(
        default_factory=list, description="Complete ICD-10-PCS codes of this treatment alone."
    )

    @field_validator("icd10pcs")
    @classmethod
    def _complete(cls, value: list[str]) -> list[str]:
        for code in value:
            if len(code) != 7 or not _PCS_PATTERN.fullmatch(code) or "?" in code:
                raise ValueError(f"{code!r} is no complete ICD-10-PCS code")
        return value


class TreatmentSynonyms(RecordModel):
    """The schema of ``treatment_synonyms.json``."""

    version: str = Field(min_length=1)
    note: str = ""
    modifiers: list[str] = Field(
        description="Words of route, dose, timing or intent dropped from a treatment's front."
    )
    trailing: list[str] = Field(
        description="Words ('therapy', 'infusion') dropped from a treatment's end to look it up."
    )
    groupable_suffixes: list[str] = Field(
        description="Endings of one-word procedures that gather their more precise names."
    )
    concepts: list[TreatmentConcept]

    @model_validator(mode="after")
    def _one_concept_per_name(self) -> TreatmentSynonyms:
        """Every name and synonym normalises to a key of its own concept only, and no entry
        repeats another of its concept in normalised form (those variants need no entry)."""
        owner: dict[str, str] = {}
        coded: dict[str, str] = {}
        for concept in self.concepts:
            for code in concept.icd10pcs:
                if coded.setdefault(code, concept.name) != concept.name:
                    raise ValueError(f"{code} is listed under {coded[code]!r} and {concept.name!r}")
            for words in (concept.name, *concept.synonyms):
                key = treatment_words(words)
                if not key:
                    raise ValueError(f"{words!r} has no words")
                if key in owner:
                    where = "twice" if owner[key] == concept.name else f"also {owner[key]!r}"
                    raise ValueError(f"{words!r} of {concept.name!r} is {where} ({key!r})")
                owner[key] = concept.name
        return self


@cache
def load_treatment_rules(source: str | Path = RULES) -> TreatmentRules:
    """The treatment rules: the packaged ones, or a user's file.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or breaks the schema.
    """
    return load_rules(source, TreatmentRules)


@cache
def load_treatment_synonyms(source: str | Path = SYNONYMS) -> TreatmentSynonyms:
    """The treatment synonym table: the packaged one, or a user's file.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or breaks the schema.
    """
    return load_rules(source, TreatmentSynonyms)


@dataclass(frozen=True, slots=True)
class TreatmentName:
    """What a treatment is called.

    Attributes:
        key: The normalised words the tally groups by.
        name: The concept's name in the synonym table; None when it lists none.
    """

    key: str
    name: str | None


class TreatmentNames:
    """Keys of treatments: one per concept of the synonym table, else the normalised words.

    Args:
        synonyms: The synonym table; the packaged one when None.
        rules: The treatment rules, whose generic words a modifier is never dropped before
            ("intrathecal prophylaxis" stays whole); the packaged ones when None.
    """

    def __init__(
        self, synonyms: TreatmentSynonyms | None = None, rules: TreatmentRules | None = None
    ) -> None:
        self.synonyms = synonyms or load_treatment_synonyms()
        self.generic = _normalised((rules or load_treatment_rules()).words.generic)
        self._concept: dict[tuple[str, ...], str] = {}
        for concept in self.synonyms.concepts:
            for words in (concept.name, *concept.synonyms):
                self._concept[treatment_tokens(words)] = concept.name
        self._concept_words = {
            concept.name: frozenset(
                word
                for words in (concept.name, *concept.synonyms)
                for word in treatment_tokens(words)
            )
            for concept in self.synonyms.concepts
        }
        self._by_code = {
            code: concept.name for concept in self.synonyms.concepts for code in concept.icd10pcs
        }
        self._codes = {concept.name: tuple(concept.icd10pcs) for concept in self.synonyms.concepts}
        self._concept_keys = frozenset(treatment_words(c.name) for c in self.synonyms.concepts)
        self._modifiers = [treatment_tokens(m) for m in self.synonyms.modifiers]
        self._trailing = frozenset(w for t in self.synonyms.trailing for w in treatment_tokens(t))
        self.groupable_suffixes = tuple(self.synonyms.groupable_suffixes)

    def is_trailing(self, word: str) -> bool:
        """Whether a normalised word is one dropped from a treatment's end to look it up."""
        return word in self._trailing

    def codes(self, concept: str) -> tuple[str, ...]:
        """The complete ICD-10-PCS codes the synonym table lists for a concept's name."""
        return self._codes.get(concept, ())

    def is_concept(self, key: str) -> bool:
        """Whether a key is a concept's of the synonym table."""
        return key in self._concept_keys

    def strip_modifiers(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        """The words without the modifiers in front of them, as long as a word that is not
        generic remains."""
        stripped = True
        while stripped:
            stripped = False
            for modifier in self._modifiers:
                rest = tokens[len(modifier) :]
                if tokens[: len(modifier)] == modifier and any(
                    word not in self.generic for word in rest
                ):
                    tokens = rest
                    stripped = True
        return tokens

    def concept(self, tokens: tuple[str, ...]) -> str | None:
        """The synonym table's concept for normalised words, or None.

        The words are looked up as they are, without their leading modifiers, and without a
        trailing word such as "therapy"; failing those, their endings of two or more words
        are, longest first ("lumbar epidural blood patch" → "epidural blood patch").
        """
        forms = [tokens]
        bare = self.strip_modifiers(tokens)
        if bare != tokens:
            forms.append(bare)
        forms += [form[:-1] for form in list(forms) if len(form) > 1 and form[-1] in self._trailing]
        for form in forms:
            if form in self._concept:
                return self._concept[form]
        for form in forms:
            for start in range(1, len(form) - 1):
                if form[start:] in self._concept:
                    return self._concept[form[start:]]
        return None

    def preferred(self, expansion: str | None, text: str) -> str:
        """The words to name a mention by: its expansion when it has one, unless only its
        short form is a listed concept ("BiPAP" spelled out in a report's own words)."""
        if expansion is None:
            return text
        if self.concept(treatment_tokens(expansion)) is None and self.concept(
            treatment_tokens(text)
        ):
            return text
        return expansion

    def name(self, words: str, code: str | None = None) -> TreatmentName:
        """The key and concept name of a treatment's words, or of its complete ICD-10-PCS
        code when a concept lists it and the words' last one is among the concept's ("patch"
        coded 3E0S3GC is the blood patch; an epidural infusion the coder gave that code is
        not)."""
        tokens = treatment_tokens(words)
        coded = self._by_code.get(code or "")
        if coded is not None and tokens and tokens[-1] not in self._concept_words[coded]:
            coded = None
        concept = coded or self.concept(tokens)
        if concept is not None:
            return TreatmentName(treatment_words(concept), concept)
        return TreatmentName(" ".join(self.strip_modifiers(tokens)), None)

    def key(self, words: str) -> str:
        """The key the tally groups a treatment's words by (also a filter's words)."""
        return self.name(words).key


@cache
def packaged_treatment_names() -> TreatmentNames:
    """The treatment names of the packaged synonym table and rules, built once per process
    (they never change after they are built): every search's tally reads them."""
    return TreatmentNames()


@dataclass(frozen=True, slots=True)
class FoundTreatment:
    """A treatment named in a case.

    Attributes:
        key: What the tally groups it by (``TreatmentNames``).
        name: Its concept's name in the synonym table, if it has one.
        text: The words as written.
        span: Where they are.
        code: The one complete treating ICD-10-PCS code of the mention, when it has one that
            names one treatment (not a catch-all), which joins it to others with that code.
        mention: The mention's id; None for words found by the ICD-10-PCS coder alone.
    """

    key: str
    name: str | None
    text: str
    span: Span
    code: str | None
    mention: str | None


class TreatmentFinder:
    """Finds the treatments of a case.

    Args:
        rules: The treatment rules; the packaged ones when None.
        names: Names treatments; one with the packaged synonym table when None.
        who: The words of people, organisations, places and drugs of abuse; the packaged
            ones when None.
        analytes: What laboratory tests measure, as normalised phrases; the packaged
            vocabularies' (``casebook.kb.heads``) when None.
    """

    def __init__(
        self,
        rules: TreatmentRules | None = None,
        names: TreatmentNames | None = None,
        who: NonClinicalWords | None = None,
        analytes: frozenset[str] | None = None,
    ) -> None:
        self.rules = rules or load_treatment_rules()
        self.names = names or TreatmentNames(rules=self.rules)
        self.who = who or default_non_clinical()
        self.analytes = analytes if analytes is not None else load_head_words().analyte
        words = self.rules.words
        self._types = frozenset(self.rules.mention_types)
        self._test_types = frozenset(self.rules.test_types)
        self._assertions = frozenset(self.rules.assertions)
        self._excluded_kinds = frozenset(self.rules.excluded_section_kinds)
        self._sections = frozenset(self.rules.icd10pcs.therapeutic_sections)
        self._tests = [_code_pattern(p) for p in self.rules.icd10pcs.test_patterns]
        self._catch_alls = [_code_pattern(p) for p in self.rules.icd10pcs.catch_all_patterns]
        self._births = [_code_pattern(p) for p in self.rules.icd10pcs.birth_patterns]
        self._heads = _normalised(words.not_treatment_heads)
        self._head_suffixes = tuple(words.not_treatment_suffixes)
        self._non_nouns = _normalised(words.non_nouns)
        self._non_noun_suffixes = tuple(words.non_noun_suffixes)
        self._noun_exceptions = _normalised(words.noun_exceptions)
        self._anatomy = [treatment_tokens(a) for a in words.anatomy]
        self._not_treatments = [treatment_tokens(n) for n in words.not_treatments]
        self._treatment_heads = _normalised(words.treatment_heads)
        self._needs_object = _normalised(words.needs_object)
        self._manner = _normalised(words.manner)
        self._treatment_suffixes = tuple(words.treatment_suffixes)
        self._test_premodifiers = _normalised(words.test_premodifiers)
        self._context = DrugContext(self.rules.analyte_context)
        spread = self.rules.spread
        self._spread_words = _normalised(spread.words) if spread else frozenset()
        self._spread_after = compile_patterns(spread.after) if spread else []
        self._spread_treated = compile_patterns(spread.treated) if spread else []

    def treats(self, code: str) -> bool:
        """Whether an ICD-10-PCS code (or code beginning) names a treatment, not a test nor a
        birth."""
        return (
            code[:1] in self._sections
            and not any(t.match(code) for t in self._tests)
            and not self._born(code)
        )

    def _born(self, code: str) -> bool:
        """Whether an ICD-10-PCS code is of a procedure a baby is born by."""
        return any(p.match(code) for p in self._births)

    def _birth_concept(self, concept: str) -> bool:
        """Whether the synonym table lists codes for a concept, each a birth's."""
        codes = self.names.codes(concept)
        return bool(codes) and all(map(self._born, codes))

    def births(self, case: Case) -> list[Span]:
        """Where the patient had a procedure of a treatment's type that a baby is born by ("an
        emergency caesarean section was performed"): no treatment, but what follows it is no
        earlier treatment's outcome."""
        excluded = self.excluded(case)
        found: list[Span] = []
        for mention in case.mentions:
            if (
                mention.type not in self._types
                or mention.assertion not in self._assertions
                or any(_overlap(mention, section) for section in excluded)
            ):
                continue
            codes = [c.code for c in mention.codes if c.system is CodeSystem.ICD10PCS]
            words = self.names.preferred(mention.expansion, mention.text)
            concept = self.names.concept(treatment_tokens(words))
            if (codes and all(map(self._born, codes))) or (
                concept is not None and self._birth_concept(concept)
            ):
                found.append(Span(start=mention.start, end=mention.end))
        return found

    def names_treatment(self, words: str, typed: bool = False) -> bool:
        """Whether words name a treatment.

        A concept of the synonym table does, unless every code it lists is a birth's
        ("caesarean section"). Other words must name no person, organisation,
        place, drug of abuse or laboratory analyte alone, and be a noun phrase whose head
        names no test, finding or body part and whose words are not all generic; and, unless
        ``typed`` (a treating code or relation vouches for them), whose head is a word of a
        procedure, a drug or a drug class, by the lexicon or by its ending (the word before a
        trailing word such as "therapy" counts as the head).
        """
        tokens = treatment_tokens(words)
        if not tokens:
            return False
        concept = self.names.concept(tokens)
        if concept is not None:
            return not self._birth_concept(concept)
        tokens = self.names.strip_modifiers(tokens)
        if all(map(self.names.is_trailing, tokens)):
            return False  # "acetate" of "prednisolone acetate", "infusion": what of, unsaid
        head = tokens[-1]
        if not any(sum(c.isalpha() for c in token) >= 3 for token in tokens):
            return False  # units, numbers, single letters
        if all(token in self.names.generic for token in tokens):
            return False
        # "Resection" or "complete surgical resection": which organ or lesion, the words do
        # not say, so cases that had quite different operations would be tallied as one.
        if head in self._needs_object and all(
            token in self._manner or token in self.names.generic for token in tokens[:-1]
        ):
            return False
        if self.who.is_who_or_where(tokens) or self.who.is_substance_of_abuse(tokens):
            return False
        if " ".join(tokens) in self.analytes and not any(map(self._names_drug, tokens)):
            return False  # "angiotensin converting enzyme": a test's, not a treatment's
        if head in self._non_nouns or (
            head.endswith(self._non_noun_suffixes) and head not in self._noun_exceptions
        ):
            return False
        if head in self._heads or head.endswith(self._head_suffixes):
            return False
        if any(
            len(tokens) >= len(part) and tokens[-len(part) :] == part
            for part in (*self._anatomy, *self._not_treatments)
        ):
            return False
        if typed:
            return True
        if len(tokens) > 1 and self.names.is_trailing(head):
            head = tokens[-2]  # "hormone therapy", "insulin infusion": what is given
        return self._names_drug(head)

    def _names_drug(self, word: str) -> bool:
        """Whether a word names a treatment by the lexicon or its ending ("insulin")."""
        return word in self._treatment_heads or (
            word.endswith(self._treatment_suffixes) and not self.who.is_stem_lookalike(word)
        )

    def analyte(self, case: Case, span: Span, sentence: Span) -> bool:
        """Whether the words around a drug say it was tested for, reacted to, or harmful."""
        return self._context.names_no_dose(case.text, span, sentence)

    def excluded(self, case: Case) -> list[Span]:
        """The sections of a case about the literature, other patients or allergies."""
        return [s for s in case.sections if s.kind in self._excluded_kinds]

    def find(self, case: Case) -> list[FoundTreatment]:
        """The treatments of a case, in text order."""
        sentences = case.sentences or [Span(start=0, end=len(case.text))]
        excluded = self.excluded(case)
        vouched = frozenset(
            r.target for r in case.relations if r.type in self.rules.vouching_relations
        )
        found: list[FoundTreatment] = []
        # Words the coder found in running text are left to the mentions of a treatment or
        # test type over them, whatever those say; a mention of another type ("patch" read as
        # a finding) does not hide them.
        decided: list[Span] = [*excluded]
        for mention in case.mentions:
            if mention.type in self._types or mention.type in self._test_types:
                decided.append(mention)
            if mention.assertion not in self._assertions or any(
                _overlap(mention, section) for section in excluded
            ):
                continue
            treatment = self._mention_treatment(case, mention, sentences, vouched)
            if treatment is not None:
                found.append(treatment)
        for code in case.codes:
            if code.system is not CodeSystem.ICD10PCS or not self.treats(code.code):
                continue
            for span in code.evidence:
                if any(_overlap(span, s) for s in (*decided, *(t.span for t in found))):
                    continue
                words = case.text[span.start : span.end]
                sentence = sentences[sentence_index(sentences, span.start)]
                if self.names_treatment(words) and not self._called_a_test(case, span, sentence):
                    complete = code.code if len(code.code) == 7 else None
                    name = self.names.name(words, complete)
                    where = Span(start=span.start, end=span.end)
                    joining = self._joining(complete)
                    found.append(FoundTreatment(name.key, name.name, words, where, joining, None))
        return sorted(found, key=lambda t: (t.span.start, t.span.end))

    def _called_a_test(self, case: Case, span: Span, sentence: Span) -> bool:
        """Whether the words just before a procedure, or its own, call it a test
        ("a diagnostic lumbar puncture")."""
        before = treatment_tokens(case.text[sentence.start : span.start])[-2:]
        own = treatment_tokens(case.text[span.start : span.end])
        return any(word in self._test_premodifiers for word in (*before, *own))

    def _mention_treatment(
        self, case: Case, mention: Mention, sentences: Sequence[Span], vouched: frozenset[str]
    ) -> FoundTreatment | None:
        """The treatment a mention the patient had names, if it names one.

        ``vouched`` are the ids of mentions a relation names as a treatment.
        """
        codes = [c.code for c in mention.codes if c.system is CodeSystem.ICD10PCS]
        treating = [code for code in codes if self.treats(code)]
        if mention.type in self._types:
            if codes and not treating:
                return None  # coded, and every code is a test: "CT", "biopsy"
        elif not treating or mention.type in self._test_types:
            return None
        words = self.names.preferred(mention.expansion, mention.text)
        determined = any(len(code) >= MIN_VOUCHING_CODE for code in treating)
        if not self.names_treatment(words, typed=determined or mention.id in vouched):
            return None
        sentence = sentences[sentence_index(sentences, mention.start)]
        if mention.type is EntityType.MEDICATION and (
            self.analyte(case, mention, sentence)
            or self.who.names_organism(mention.text)
            or self.who.tells_anaesthetic(case.text, (sentence.start, sentence.end))
        ):
            return None
        if mention.type is not EntityType.MEDICATION and self.who.is_service(
            case.text, mention.start, mention.end, (sentence.start, sentence.end)
        ):
            return None  # "General surgery was consulted": a team, not a treatment
        if self._called_a_test(case, mention, sentence) or self._spread(case, mention, sentence):
            return None
        complete = [code for code in treating if len(code) == 7]
        code = complete[0] if len(complete) == 1 else None
        name = self.names.name(words, code)
        return FoundTreatment(
            key=name.key,
            name=name.name,
            text=mention.text,
            span=Span(start=mention.start, end=mention.end),
            code=self._joining(code),
            mention=mention.id,
        )

    def _spread(self, case: Case, mention: Mention, sentence: Span) -> bool:
        """Whether a treatment's words tell where a pain or a murmur spreads, in a sentence
        that tells no treatment given ("pain … with radiation to the left shoulder")."""
        if treatment_words(mention.text) not in self._spread_words:
            return False
        words = case.text[sentence.start : sentence.end]
        return any(p.match(case.text[mention.end : sentence.end]) for p in self._spread_after) and (
            not any(p.search(words) for p in self._spread_treated)
        )

    def _joining(self, code: str | None) -> str | None:
        """The code, unless it names a class of treatments rather than one."""
        if code is None or any(p.match(code) for p in self._catch_alls):
            return None
        return code


def _code_pattern(pattern: str) -> re.Pattern[str]:
    """A code beginning with '?' for any character, as an expression."""
    return re.compile("".join("." if c == "?" else re.escape(c) for c in pattern))


def _normalised(words: Sequence[str]) -> frozenset[str]:
    return frozenset(token for word in words for token in treatment_tokens(word))


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def sentence_index(sentences: Sequence[Span], offset: int) -> int:
    """Index of the sentence holding ``offset``: the last of the ordered ``sentences`` that
    starts at or before it (0 when none does)."""
    return max(bisect_right(sentences, offset, key=lambda sentence: sentence.start) - 1, 0)
