"""The case's ICD-10-CM code set: only codes that the patient's own present findings support.

The document-level ranker (``casebook.coding.icd10cm``) reads the whole text, negated findings,
family history and the discussion of other patients included; it may rank, but it never adds a
code by itself. A code enters the case's set only when a **supporting mention** states it: a
finding mention (``mention_types``) asserted present, of the patient, which carries this code,
or one that refines it (a finding of the past history supports only a condition that lasts,
``casebook.kb.chronic``: "history of hypertension" is hypertension today; a mention of the
history that no finding mention lies within is the finding its words name, all of them:
"ischemic heart disease" of "a history of ischemic heart disease", "ex-smoker"). The ranker may
prefer a code the words say, never a finer one they do not ("vomiting" never supports
"Vomiting without nausea") nor a sibling ("anorexia" never supports "Abnormal weight loss",
though both are R63). A finding mention carries the codes

* whose ICD-10-CM 2026 title or inclusion term it names, every content word of the term being
  among its words ("ALK-positive anaplastic large cell lymphoma" → C84.6); of terms nested in
  one another, the longest wins (not "lymphoma" as well);
* that its words were coded with in training: the **association lexicon** holds, for each
  normalised finding, the codes whose documents and the finding's mostly coincide (Dice
  coefficient of the two document sets at least ``association_min_strength``, over at least
  ``association_min_documents`` shared documents), a lexicon learnt from coded documents, as
  an index would list "adenopathy" under "Enlarged lymph nodes". It is read only for findings
  that name no code by their words: it fills in names, it never adds a code that merely comes
  with a finding.

A finding named again after a definite determiner ("the hematoma") carries the codes of the
present finding it names again ("a retroperitoneal hematoma", K68.3), not those of its bare word
(``told_before``).

An injury's code (S00-T14) is no candidate in a text that tells of no trauma
(``IndexTerms.injuries``): the Index's "Hematoma" (T14.8) or "Injury, liver" (S36.119) is false
of a hematoma of intracranial hypotension or a drug's liver injury.

A neoplasm of unspecified site (C80.1) is no candidate where another candidate gives the site
of a neoplasm of its kind (``IndexTerms.unspecified_site``): once the case says where the
tumour is, "site unspecified" is false.

Every candidate code (the ranker's and the supporting mentions') is described by ``FEATURES``
and scored by logistic regression (Cox 1958), fitted on training documents the ranker did not
see (cross-fitting, ``casebook.train.codeset``), so the score is the estimated probability that
a coder would assign the code. The code set is every supported candidate, best first; the codes
**shown** (``CaseCode.shown``) are those reaching ``shown_threshold``, which is chosen on
held-out documents so that what is shown is right at least ``target_precision`` of the time.
Codes are written as billable ICD-10-CM 2026 leaves where the text allows: a category is
replaced by the leaf below it the candidates name, else by its "unspecified" leaf
(``R51`` → ``R51.9``); a category with neither stays, marked ``category``.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from pydantic import Field

from casebook.kb.base import KnowledgeBase, normalize_alias, normalize_tokens
from casebook.kb.chronic import is_chronic
from casebook.kb.heads import load_head_words
from casebook.kb.icd10cm import Icd10cmVocabulary, content_words, load_icd10cm
from casebook.kb.nonclinical import default_non_clinical
from casebook.model import (
    Assertion,
    Attribute,
    Case,
    CaseCode,
    CodeSystem,
    EntityType,
    Mention,
    Patient,
    RecordModel,
    Sex,
    Span,
)
from casebook.nlp.phenotypes import (
    gainsaid_by_value,
    packaged_matcher,
    told_as_recovery,
    told_in_general,
)

FEATURES: tuple[str, ...] = (
    "linear",
    "dictionary",
    "mention_exact",
    "mention_lineage",
    "link",
    "mentions",
    "billable",
    "historical",
)
"""What the scorer knows of a candidate code in a document:

* ``linear``, ``dictionary``: the ranker's kernel ridge and term-match signals;
* ``mention_exact``: 1 when a supporting mention carries this very code;
* ``mention_lineage``: 1 when supporting mentions carry only codes that refine it;
* ``link``: how well the best supporting mention names it (``link_mentions``' score);
* ``mentions``: log(1 + the number of supporting mentions);
* ``billable``: 1 for a billable ICD-10-CM 2026 leaf;
* ``historical``: 1 when only past-history mentions of a lasting condition support it.
"""


class CodeSetSettings(RecordModel):
    """What decides the code set; stored with the ICD-10-CM model and its card."""

    mention_types: list[EntityType] = Field(
        default_factory=lambda: [EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER],
        description="Mention types that carry ICD-10-CM codes and can support a case code.",
    )
    codes_per_mention: int = Field(default=3, ge=1, description="Codes kept on one mention.")
    association_min_documents: int = Field(
        default=3, ge=1, description="Training documents a finding and a code must share."
    )
    association_min_strength: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Least Dice coefficient of the documents with a finding and with a code.",
    )
    weights: dict[str, float] = Field(
        default_factory=dict, description="Logistic regression coefficient per feature."
    )
    bias: float = 0.0
    target_precision: float = Field(
        default=0.7, ge=0.0, le=1.0, description="Precision the shown codes are calibrated for."
    )
    shown_threshold: float = Field(
        default=0.5, ge=0.0, le=1.0, description="Least score of a shown code (calibrated)."
    )
    chronic_history: bool = Field(
        default=True,
        description="Whether a past-history mention of a lasting condition "
        "(``casebook.kb.chronic``) supports its code.",
    )


@dataclass(frozen=True)
class MentionCode:
    """A code a mention carries, with how well its words fit the code."""

    code: str
    score: float


@dataclass
class Candidate:
    """A case code under consideration: its features and the mentions that support it."""

    code: str
    features: dict[str, float]
    mentions: list[str] = field(default_factory=list)
    evidence: list[Span] = field(default_factory=list)
    score: float = 0.0


def mention_key(mention: Mention) -> str:
    """The words a mention is looked up under in the association lexicon."""
    return normalize_alias(mention.expansion or mention.marked_text)


_PAST_HISTORY = EntityType.HISTORY
"""The type of a mention of the patient's history ("ischemic heart disease" of "a history of
ischemic heart disease", "smoker"), which names a finding where no finding mention lies within
it (``coded_findings``)."""


def _finding_type(mention: Mention, settings: CodeSetSettings) -> bool:
    return mention.type in settings.mention_types or mention.type is _PAST_HISTORY


def supports(mention: Mention, settings: CodeSetSettings) -> bool:
    """Whether a mention can support a case code: a present finding of the patient's own."""
    return mention.assertion is Assertion.PRESENT and _finding_type(mention, settings)


def supported_codes(
    mention: Mention, coded: Sequence[MentionCode], settings: CodeSetSettings
) -> list[MentionCode]:
    """The codes of ``coded`` that ``mention`` supports as the patient's: all of them for a
    present finding; for a finding of the past history, those of conditions that last
    ("history of hypertension" is hypertension today, "history of endocarditis" no illness
    of today's); none for a negated, uncertain, hypothetical or family finding."""
    if supports(mention, settings):
        return list(coded)
    if (
        settings.chronic_history
        and mention.assertion is Assertion.HISTORICAL
        and _finding_type(mention, settings)
    ):
        return [c for c in coded if is_chronic(c.code)]
    return []


_NAMING_ATTRIBUTES = frozenset({"site", "laterality", "detail"})
"""Attributes whose words name a code with the finding's ("pain" at "abdominal" is R10.9, a
"large cell lymphoma" described as "anaplastic" and "ALK-positive" C84.60)."""

_DETAIL = "detail"
"""The attribute of a finding's describing words."""

_ADJOINING = 2
"""Characters that may lie between a detail and what it qualifies: a space, a hyphen, ", "."""


def _naming_attributes(mention: Mention) -> list[Attribute]:
    """The attributes whose words name a code with the mention's (``_NAMING_ATTRIBUTES``), but
    a detail before it that other words part from it, which qualifies those words: the
    "multiple" of "multiple areas of sclerosis" makes no Multiple sclerosis. A detail joins the
    mention through the attributes right before it ("ALK-positive anaplastic large cell
    lymphoma", "arrhythmogenic right ventricular cardiomyopathy")."""
    before = sorted((a for a in mention.attributes if a.end <= mention.start), key=lambda a: -a.end)
    reach = mention.start
    for attribute in before:
        if reach - attribute.end > _ADJOINING:
            break
        reach = min(reach, attribute.start)
    return [
        a
        for a in mention.attributes
        if a.name in _NAMING_ATTRIBUTES and (a.name != _DETAIL or a.start >= reach)
    ]


_MALIGNANT = re.compile(
    r"\b(?:metasta(?:tic|sis|ses|sized|sised)|malignan(?:t|cy))\b", re.IGNORECASE
)
"""Words of a growth that say it is no benign one ("Carcinoid tumor NOS" is an inclusion term
of D3A.00, Benign carcinoid tumor of unspecified site)."""


_BENIGN = re.compile(r"^(?:other )?benign\b", re.IGNORECASE)
"""The title of a benign growth's code ("Benign neoplasm of colon", "Other benign
neuroendocrine tumors")."""


def _not_benign(
    mention: Mention, best: dict[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` less the codes titled benign when the mention says its growth is metastatic or
    malignant ("metastatic carcinoid tumor" is no D3A.00), and less the codes of no neoplasm
    where a neoplasm's code remains ("lung metastatic disease", read with the lung, is C79.9
    and no J98.4, Other disorders of lung). A malignant finding that names no neoplasm
    ("malignant hypertension") keeps its codes."""
    if not best or _MALIGNANT.search(mention.text) is None:
        return best
    kept = {
        code: score
        for code, score in best.items()
        # "Other benign neuroendocrine tumors" (D3A.8) is titled benign after its "Other".
        if _BENIGN.search(vocabulary.title(code)) is None
    }
    growths = {code: score for code, score in kept.items() if _is_neoplasm(code)}
    return growths or kept


def _is_neoplasm(code: str) -> bool:
    """Whether the code is in Chapter 2, Neoplasms (C00–D49)."""
    return code.startswith("C") or (code.startswith("D") and code[1:3] < "50")


_SIDE = re.compile(r"\b(right|left)\b", re.IGNORECASE)
"""A side the text gives a finding."""

_LOBE = re.compile(r"\b(?:LUL|LLL|RUL|RML|RLL)\b")
"""A lung's lobe by its short form, which tells its side ("LUL", the left upper lobe)."""

_LOBE_SIDES = {"L": "left", "R": "right"}

_BOTH_SIDES = re.compile(r"\b(?:bilateral(?:ly)?|both)\b", re.IGNORECASE)
"""Words telling a finding is on both sides."""

_SIDE_TITLES = {"right": ("right", "right dominant"), "left": ("left", "left nondominant")}
"""What a side makes of a title's "unspecified" side, ear, knee …: the same words with the
side, or, of a limb's paralysis, the side the Official Guidelines default to (I.C.6.a: the
right side dominant, the left nondominant)."""


def _told_leaves(
    best: dict[str, float], sex: Sex | None, vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` with each category that has no one "unspecified" leaf, but whose unspecified
    codes the patient's sex or an untold side picks (``Icd10cmVocabulary.told_leaf``), read as
    that leaf before it is scored: "breast cancer" of a woman is C50.919, whose side
    ``_sided`` then reads, not the category C50.9, which no coder assigns. A category another
    of ``best`` refines other than on the way to that leaf is left as it is."""
    leaves: dict[str, float] = {}
    for code, score in best.items():
        leaf = None
        if (
            code in vocabulary
            and not vocabulary.is_billable(code)
            and vocabulary.unspecified_leaf(code) is None
        ):
            leaf = vocabulary.told_leaf(code, sex)
        if leaf is not None and any(
            vocabulary.is_descendant(other, code)
            and not (other == leaf or vocabulary.is_descendant(leaf, other))
            for other in best
        ):
            leaf = None
        leaves[leaf or code] = max(score, leaves.get(leaf or code, 0.0))
    return leaves


ADULT_AGE = 18
"""The age in years from which a patient is an adult."""


def _of_age(
    best: dict[str, float], age: float | None, vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` with each code of a disorder of childhood onset read, for an adult patient, as
    the code of that disorder of adult onset (``Icd10cmVocabulary.adult_onset``): an adult's
    "stuttering" is F98.5 Adult onset fluency disorder, not F80.81, the Index's default."""
    if age is None or age < ADULT_AGE:
        return best
    return _renamed(best, vocabulary.adult_onset)


def _renamed(best: dict[str, float], names: Mapping[str, str]) -> dict[str, float]:
    """``best`` with each code that ``names`` maps written as its mapping, a code reached
    twice keeping its best score."""
    found: dict[str, float] = {}
    for code, score in best.items():
        renamed = names.get(code, code)
        found[renamed] = max(score, found.get(renamed, 0.0))
    return found


def _sided(
    mention: Mention,
    text: str,
    best: dict[str, float],
    vocabulary: Icd10cmVocabulary,
    categories: bool = False,
) -> dict[str, float]:
    """``best`` with each code whose title leaves the side unspecified ("Pain in unspecified
    knee", "Hemiplegia, unspecified affecting unspecified side") replaced by its sibling of the
    one side the mention's words or attributes give ("right hemiplegia" is G81.91, not G81.90),
    where a sibling is so titled. With ``categories``, once the checks of the finding's site
    have kept a category, it is read as its "unspecified" leaf first: "paralysis of the right
    upper limb" names G83.2, whose G83.20 "… affecting unspecified side" has G83.21 "…
    affecting right dominant side"."""
    sides = {side.lower() for side in _SIDE.findall(text)}
    sides |= {_LOBE_SIDES[lobe[0]] for lobe in _LOBE.findall(text)}
    if len(sides) != 1 or not best or _BOTH_SIDES.search(text) is not None:
        # "metastasis on the bilateral lungs and the right supraclavicular nodes" tells no one
        # side of the lungs.
        return best
    (side,) = sides
    sided: dict[str, float] = {}
    for named, score in best.items():
        leaf = (
            vocabulary.unspecified_leaf(named)
            if categories and not vocabulary.is_billable(named)
            else None
        )
        code = leaf or named
        title = vocabulary.title(code).lower()
        parent = code[:-1]
        siblings = {
            vocabulary.title(parent + last).lower(): parent + last
            for last in "0123456789X"
            if parent + last != code and vocabulary.title(parent + last)
        }
        found = None
        for at in (m.start() for m in re.finditer(r"\bunspecified\b", title)):
            for said in _SIDE_TITLES[side]:
                name = f"{title[:at]}{said}{title[at + len('unspecified') :]}"
                found = found or siblings.get(name)
        # A title that leaves the side of two parts unspecified ("Pain in unspecified ankle and
        # joints of unspecified foot") names its sided sibling with both told.
        found = found or siblings.get(re.sub(r"\bunspecified\b", side, title))
        found = found or _side_moved(title, side, siblings) or named
        sided[found] = max(score, sided.get(found, 0.0))
    return sided


def _regional(text: str, best: dict[str, float], vocabulary: Icd10cmVocabulary) -> dict[str, float]:
    """``best`` with each code of a finding spread over the body replaced by its localized code
    where ``text``, the mention's words and attributes, names a region and no spread
    (``Icd10cmVocabulary.regional``): a "mediastinal lymphadenopathy" is R59.0 Localized
    enlarged lymph nodes, no R59.1 Generalized enlarged lymph nodes, while a "generalized
    lymphadenopathy" stays R59.1."""
    best = _at_region(text, best, vocabulary)
    if best.keys().isdisjoint(vocabulary.regional):
        return best
    words = set(normalize_tokens(text))
    if words.isdisjoint(vocabulary.regions) or not words.isdisjoint(vocabulary.spread_words):
        return best
    return _renamed(best, vocabulary.regional)


def _at_region(
    text: str, best: dict[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` with each code of unspecified region replaced by the code of the one region
    ``text``, the mention's words and attributes, names (``Icd10cmVocabulary.regional_sites``):
    the "metastases" of a "right cervical lymph node" are C77.0, no C77.9; a text naming
    regions of two codes keeps the code of unspecified region."""
    if best.keys().isdisjoint(vocabulary.regional_sites):
        return best
    words = normalize_tokens(text)
    renamed: dict[str, str] = {}
    for code in best.keys() & vocabulary.regional_sites.keys():
        named = {site for site, name in vocabulary.regional_sites[code] if _holds(words, name)}
        if len(named) == 1:
            renamed[code] = named.pop()
    return _renamed(best, renamed)


_UNSPECIFIED_SIDE = re.compile(r",\s*unspecified side\b")
"""A title's closing words leaving the side untold ("…, unspecified side")."""


def _side_moved(title: str, side: str, siblings: Mapping[str, str]) -> str | None:
    """The sibling whose title tells ``side`` elsewhere than where ``title`` (lower case) leaves
    it untold: "Fracture of condylar process of mandible, unspecified side" has its right side
    in "Fracture of condylar process of right mandible", "Unspecified epiphora, unspecified
    side" in "Unspecified epiphora, right side"."""
    if _UNSPECIFIED_SIDE.search(title) is None:
        return None
    untold = _UNSPECIFIED_SIDE.sub("", title)
    told = re.compile(rf",\s*{side} side\b|\b{side}\s+")
    for name, code in siblings.items():
        if told.search(name) and told.sub("", name, count=1) == untold:
            return code
    return None


_MAX_LINKED_WORDS = 10
"""Content words of a mention tried in combination (its last ones: the head comes last)."""

_NEARBY_STRUCTURES = 2
"""Body structures of its sentence a finding that names no code by itself is tried with."""

SYMPTOM_CHAPTER = "R"
"""The chapter of symptoms and signs: a symptom of unspecified site (R52 "Pain, unspecified")
takes no site from its sentence, since a symptom's site is told with it ("pain in the chest")
and the body parts beside it are most often other findings' ("pain; the chest was clear")."""


_INFECTIOUS_CHAPTER = ("A", "B")
"""The chapter of certain infectious and parasitic diseases (A00–B99)."""

_UNSPECIFIED_INFECTION = frozenset({"B99", "B99.9"})
"""Other and unspecified infectious diseases: the Index's "Infection" when nothing names which."""

UNSPECIFIED_REGION_INJURY = "T14"
"""The category of injuries of unspecified body region (T14.8 Other injury of unspecified body
region), which a finding told with its site never is."""


@dataclass(frozen=True)
class Phenotypes:
    """HPO, and the words that give a measure's direction ("low", "elevated"), normalised."""

    kb: KnowledgeBase
    directions: frozenset[str]
    recovered: frozenset[tuple[str, str]] = frozenset()
    """(mention id, HPO id) of the gains told as the patient's recovery, which HPO leaves out
    (``casebook.nlp.phenotypes.told_as_recovery``): "the platelet count increased to 87,000" is
    no Thrombocytosis, and names no code through it."""


def link_mentions(
    mentions: Sequence[Mention],
    vocabulary: Icd10cmVocabulary,
    association: Mapping[str, Mapping[str, float]],
    limit: int,
    nearby: Mapping[str, Sequence[str]] | None = None,
    phenotypes: Phenotypes | None = None,
    patient: Patient | None = None,
    growth_nearby: Mapping[str, Sequence[str]] | None = None,
) -> list[list[MentionCode]]:
    """The ICD-10-CM codes each mention carries, best first (see the module docstring).

    A mention names a code when one of the code's aliases is made of some of its content
    words and those of its site, laterality and details (``casebook.kb.icd10cm.alias_words``;
    grading words such as "severe" left out); of aliases nested in one another only the
    longest counts, and its score is the share of the mention's words it covers. When the
    words in the titles' wording cover more ("bladder carcinoma" as "malignant neoplasm of
    bladder"), those count instead. A mention whose words name nothing is tried with the body
    structures of its sentence, nearest first (``nearby``); so is a neoplasm named without its
    site ("primary adenocarcinoma", C80.1), which takes the code of its site where one is named
    ("the pulmonary mass was a primary adenocarcinoma" → C34.90), and no code where the text
    names the site (a site attribute, a body structure of the sentence) but no code names it:
    an unspecified site is never claimed where the text gives one. A measure named with its
    direction that names no code that way ("low CSF pressure") carries the codes whose whole
    term names the HPO concept its words spell exactly (Decreased intracranial pressure, whose
    synonym "Intracranial hypotension" is G96.81): ICD-10-CM names such findings by their own
    words ("hypotension", "hyponatremia"), HPO by the measure and its direction too. Other
    findings never take codes through HPO, whose synonyms are often broader or narrower than
    the concept ("Autoimmunity" lists a connective-tissue disorder). A mention that names no
    code carries its association links instead, scored by their strength in training.

    Args:
        mentions: The mentions to code.
        vocabulary: ICD-10-CM 2026 with its aliases.
        association: Normalised finding → code → strength.
        limit: Codes kept per mention.
        nearby: Mention id → body structures of its sentence, nearest first
            (``sentence_structures``), tried in turn with a mention that names no code.
        phenotypes: HPO and the direction words of measures, read for a measure named with
            its direction that names no code by its words; not read when omitted.
        patient: The patient, whose sex some categories split their unspecified codes by
            (``_told_leaves``) and whose age some disorders' codes by (``_of_age``).
        growth_nearby: Mention id → the body structures a primary growth named without its
            site is read with in place of ``nearby``'s: those listed as another finding's sites
            left out (``sentence_structures``' ``listed_apart``). A spread growth
            (``_SECONDARY_GROWTH``) is often that finding ("lesions consistent with
            metastases") and keeps ``nearby``'s.
    """
    coded: list[list[MentionCode]] = []
    for mention in mentions:
        if (
            _plural_unnamed(mention.text, vocabulary)
            or _COURSE_OF_DISEASE.fullmatch((mention.expansion or mention.text).strip())
            or _names_sense(mention.expansion or mention.text, vocabulary)
        ):
            coded.append([])
            continue
        if _LIKENESS.search(mention.expansion or mention.text):
            # "seizure-like activity", "stroke-like episodes", "electric shock-like pain": what
            # a finding is like is no finding of the patient's; the words left name what is.
            unlike = _LIKENESS.sub(" ", mention.expansion or mention.text).strip()
            left = " ".join(sorted(set(_linked_words(unlike, vocabulary))))
            if not left or left in vocabulary.alone_only:
                # A name told only alone ("activity", Y93.9) is none beside a likeness.
                coded.append([])
                continue
            mention = mention.model_copy(update={"expansion": unlike})
        sites = _without_organ_areas(
            mention.expansion or mention.text,
            " ".join(a.text for a in _naming_attributes(mention)),
            vocabulary,
        )
        # The marked words and any the phrase was widened over after them ("hepatitis A"): the
        # modifiers before them are among the details already.
        own = mention.expansion or _from_core(mention)
        readings = _nontraumatic_readings(f"{own} {sites}", vocabulary)
        nontraumatic = bool(readings)
        if nontraumatic:
            own, sites = (_as_nontraumatic(words, readings) for words in (own, sites))
        text = f"{own} {sites}"
        best = _best_named(_linked_words(text, vocabulary), vocabulary)
        paired_own, paired_sites = (_as_paired(words, vocabulary) for words in (own, sites))
        paired = f"{paired_own} {paired_sites}"
        if paired != text:
            # "Paresis of the lower extremities" is a paralysis of both (G82.2-), which the
            # singular words read as one limb's (G83.1-); where both name the same codes
            # ("edema of the lower extremities"), the words as told keep their reading.
            both = _best_named(_linked_words(paired, vocabulary), vocabulary)
            if both and both.keys() != best.keys():
                own, sites, text, best = paired_own, paired_sites, paired, both
        best = _without_site_free(own, text, best, vocabulary)
        best = _of_cells(own, text, best, vocabulary)
        best = _of_cell_kind(mention.expansion or mention.text, text, best, vocabulary)
        best = _without_cell_word_sites(mention.expansion or mention.text, text, best, vocabulary)
        best = _not_benign(mention, best, vocabulary)
        best = _told_leaves(best, patient.sex if patient else None, vocabulary)
        best = _of_age(best, patient.age_years if patient else None, vocabulary)
        best = _sided(mention, f"{mention.expansion or mention.text} {sites}", best, vocabulary)
        anywhere = {
            code: score
            for code, score in _best_named(_linked_words(own, vocabulary), vocabulary).items()
            if code in vocabulary.any_site
        }
        if anywhere and _SECONDARY_GROWTH.search(mention.text) is None:
            # A term the tabular says holds at any site names the finding wherever the text
            # puts it: a "neuroendocrine carcinoma" of the pancreas is C7A.1, not C25.9 (a
            # spread growth keeps its secondary site's code).
            coded.append(_ranked(anywhere, limit))
            continue
        if sites and best:
            # A code the site names alone is no code of the finding's: "respiratory distress
            # using accessory muscles" is no Accessory muscle (Q79.8). One the finding's own
            # words name too stays: "COVID-19 infection" told with "SARS-CoV-2 RNA" is U07.1.
            named_by_site = _best_named(_linked_words(sites, vocabulary), vocabulary)
            if named_by_site.keys() & best.keys():
                # A detail within the mention is its own words: "SARS-CoV-2 infection", whose
                # core is "infection", is U07.1, which "SARS-CoV-2" names alone too.
                own_words = _linked_words(f"{mention.text} {own}", vocabulary)
                named_by_own = _best_named(own_words, vocabulary)
                best = {
                    code: score
                    for code, score in best.items()
                    if code not in named_by_site or code in named_by_own
                }
            best = _keeping_own_name(best, mention.expansion or mention.text, text, vocabulary)
            best = _of_own_part(own, best, vocabulary)
            for site in (a for a in mention.attributes if a.name == "site"):
                best = _part_named_alone(site.text, text, best, vocabulary)
        told_site = " ".join(
            [
                *(a.text for a in mention.attributes if a.name == "site"),
                *_AROUND_LESION.findall(mention.expansion or mention.text),
            ]
        )
        if told_site and best and set(best) <= vocabulary.site_told:
            best = _at_told_site(own, told_site, best, vocabulary)
            if not best:
                # No code names the finding where the text puts it: the lexicon's would be the
                # code of unspecified site again.
                coded.append([])
                continue
        structures = (nearby or {}).get(mention.id, ())
        # A neoplasm named without its site ("primary adenocarcinoma", C80.1) is read with the
        # body structures of its sentence too, as a finding that names nothing is.
        unsited = bool(best) and all(
            code in vocabulary.unspecified_site and not code.startswith(SYMPTOM_CHAPTER)
            for code in best
        )
        growth = unsited and all(_is_neoplasm(code) for code in best)
        if growth and growth_nearby is not None and not _SECONDARY_GROWTH.search(mention.text):
            structures = growth_nearby.get(mention.id, ())
        # A finding told with its own site that names nothing there is no finding of another
        # structure of its sentence: a "distended" bladder seen on a CT of the abdomen is no
        # Abdominal distension.
        own_site = any(a.name == "site" for a in mention.attributes)
        malignant = growth and all(code.startswith(_MALIGNANT_CODE) for code in best)
        told = f"{mention.expansion or mention.text} {sites}"
        for structure in structures if (not best and not own_site) or unsited else ():
            # A finding whose words name nothing is read with a body structure of its sentence
            # ("an abscess was found in the liver" → Abscess of liver); a code the structure
            # names alone, or with the mention's site and side, is no code of the finding's
            # ("enlarged" beside a "right" subclavian artery and the "aortic arch" is no Right
            # aortic arch).
            alone = _best_named(_linked_words(f"{sites} {structure}", vocabulary), vocabulary)
            # A malignant growth told spread is a spread growth at the structure, as the Index
            # sends "Carcinoma, metastatic" to "Neoplasm, secondary, by site": "lung lesions
            # consistent with metastatic cancer" are C78.00, no lung cancer (C34.90). A lymph
            # node beside a growth not told spread may be where it spread, no site it began
            # at: the squamous cell carcinoma of a "cervical lymph node" is no cancer of the
            # cervix uteri (C53.9), and an "urothelial carcinoma with involvement of the lymph
            # nodes" no growth of the nodes alone.
            spread = malignant and _METASTATIC.search(told) is not None
            if malignant and not spread and _LYMPH_NODE.search(structure) is not None:
                continue
            read = f"{_SPREAD_WORD} {sites}" if spread else text
            joint = _best_named(_linked_words(f"{read} {structure}", vocabulary), vocabulary)
            found = {
                code: score
                for code, score in joint.items()
                if code not in alone
                and code not in vocabulary.unspecified_site
                # A growth read with its site is a growth there: "lung metastatic disease" is
                # no Other disorders of lung (J98.4).
                and (not growth or _is_neoplasm(code))
            }
            found = _part_named_alone(structure, f"{text} {structure}", found, vocabulary)
            found = _of_cell_kind(
                mention.expansion or mention.text, f"{text} {structure}", found, vocabulary
            )
            found = _without_cell_word_sites(
                mention.expansion or mention.text, f"{text} {structure}", found, vocabulary
            )
            found = _of_own_part(own, found, vocabulary)
            found = _not_benign(mention, found, vocabulary)
            if spread:
                found = _at_region(structure, found, vocabulary)
            if found or not unsited:
                best = found
            if found:
                break
        # "Papillary thyroid carcinoma": the mention's own words may name the site too.
        body = load_head_words().body
        site_named = (
            bool(structures)
            or any(a.name == "site" for a in mention.attributes)
            or any(
                word in body and word not in vocabulary.cell_types
                for word in _linked_words(text, vocabulary)
            )
        )
        if unsited and site_named and set(best) <= set(vocabulary.unspecified_site):
            # The text names the site and no code names it with the neoplasm: a code of
            # unspecified site would say what the text contradicts, so the mention has none.
            coded.append([])
            continue
        if best and any(a.name == "site" for a in mention.attributes):
            # "Exostosis" is an inclusion term of M27.8, Other specified diseases of jaws: a
            # code whose title puts the finding in a body part the text does not name, where the
            # finding's own site is another, is not this finding's.
            said = set(
                vocabulary.title_words(_linked_words(f"{text} {' '.join(structures)}", vocabulary))
            )
            # A name the Index gives the finding names its code wherever the title puts it:
            # "subcutaneous emphysema" is the Index's J98.2, Interstitial emphysema.
            indexed = {
                code
                for key in _largest_keys(_linked_words(text, vocabulary), vocabulary)
                if " ".join(sorted(key)) in vocabulary.indexed
                for code in vocabulary.aliases[" ".join(sorted(key))]
            }
            best = {
                code: score
                for code, score in best.items()
                if code in indexed
                or not _elsewhere(vocabulary.title(code), said, body, vocabulary)
                # "Age-related osteoporosis with current pathological fracture, femur" lists
                # the fracture "of hip": an inclusion term names the code's parts too.
                or any(
                    _parts(term, body, vocabulary) and not _elsewhere(term, said, body, vocabulary)
                    for term in vocabulary.inclusion.get(code, ())
                )
            }
        if not best and phenotypes is not None:
            best = _named_by_phenotypes(mention, vocabulary, phenotypes)
        named = bool(best)
        if not named:
            # The lexicon fills in names the vocabulary lacks; where the vocabulary names the
            # finding, a code that merely comes with it in training is not its code.
            key = mention_key(mention)
            # Words told beside the finding's own ("subdural", "perinephric" hematoma) most often
            # give its site: an injury of unspecified body region learnt for the bare finding
            # (T14.8) would say what the text contradicts.
            told_more = bool(set(_linked_words(text, vocabulary)) - set(content_words(key)))
            for code, strength in association.get(key, {}).items():
                if told_more and code.startswith(UNSPECIFIED_REGION_INJURY):
                    continue
                best[code] = strength
            best = _not_benign(mention, best, vocabulary)
            # A code learnt for the bare finding leaves the side untold that the mention may
            # tell: a "left ptosis" is H02.402, not the lexicon's H02.409.
            best = _sided(mention, f"{mention.expansion or mention.text} {sites}", best, vocabulary)
        if any(
            code.startswith(_INFECTIOUS_CHAPTER) for code in best.keys() - _UNSPECIFIED_INFECTION
        ):
            # "herpes zoster infection": the infection is the named one (B02.9), no Unspecified
            # infectious disease (B99.9) besides.
            best = {
                code: score for code, score in best.items() if code not in _UNSPECIFIED_INFECTION
            }
        if nontraumatic:
            best = {
                code: score
                for code, score in best.items()
                if not code.startswith(vocabulary.injuries)
            }
        best = _sided(
            mention, f"{mention.expansion or mention.text} {sites}", best, vocabulary, True
        )
        best = _regional(f"{mention.text} {sites}", best, vocabulary)
        best = _lymphoma_at_site(told_site, best, vocabulary)
        coded.append(_ranked(best, limit))
    return coded


_AROUND_LESION = re.compile(r"\bperi-?(?:tumou?ral|lesional|focal|neoplastic)\b", re.IGNORECASE)
"""Words that put a finding around a growth or lesion, a site of the finding no code names:
"peritumoral edema" is no R60.9 Edema, unspecified (generalized), but the swelling of the
tissue the growth lies in."""


_LYMPHOMA = re.compile(r"^C8[1-5]")
"""The categories of lymphomas whose 5th character tells the site (C81–C85)."""

_NODE_REGIONS = {"C77.0": "1", "C77.1": "2", "C77.2": "3", "C77.3": "4", "C77.4": "5", "C77.5": "6"}
"""A region of lymph nodes (``Icd10cmVocabulary.regional_sites``) → the 5th character of a
lymphoma there: 1 head, face and neck, 2 intrathoracic, 3 intra-abdominal, 4 axilla and upper
limb, 5 inguinal region and lower limb, 6 intrapelvic."""

_SPLEEN, _EXTRANODAL = "7", "9"
"""The 5th characters of a lymphoma of the spleen and of extranodal and solid organ sites."""

_NODAL = frozenset({"lymph", "node", "nodal", "lymphadenopathy", "adenopathy"})
"""Words of lymph nodes."""

_SPLEEN_WORDS = frozenset({"spleen", "splenic"})

_NERVOUS_WORDS = frozenset(
    {"brain", "cerebral", "cerebrum", "cerebellum", "cerebellar", "spinal", "cns", "intracranial"}
)
"""Words of the central nervous system, whose lymphoma C83.390 sets apart."""

_NERVOUS_SYSTEM = "central nervous system"


def _lymphoma_at_site(
    site: str, best: dict[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` with each lymphoma code of unspecified site replaced by its sibling of the site
    the finding is told at (``site``, its site attributes), as the Tabular's 5th character
    tells it: a lymphoma of a region's lymph nodes, of the spleen, or else of an organ, which
    is extranodal ("diffuse large B-cell lymphoma of the stomach" is C83.39-, no C83.30); a
    sibling that is a category is read as its leaf for the other organs (C83.398)."""
    words = set(normalize_tokens(site))
    if not words or not any(
        _LYMPHOMA.match(c) and vocabulary.title(c).endswith("unspecified site") for c in best
    ):
        return best
    regions = {
        _NODE_REGIONS[code]
        for sited in vocabulary.regional_sites.values()
        for code, name in sited
        if code in _NODE_REGIONS and _holds(normalize_tokens(site), name)
    }
    body = load_head_words().body
    if words & _SPLEEN_WORDS and not words & _NODAL:
        digit = _SPLEEN
    elif len(regions) == 1:
        (digit,) = regions
    elif not regions and not words & _NODAL and words & body:
        digit = _EXTRANODAL
    else:
        return best
    renamed: dict[str, str] = {}
    for code in best:
        if not (_LYMPHOMA.match(code) and vocabulary.title(code).endswith("unspecified site")):
            continue
        sibling = code[:-1] + digit
        if sibling not in vocabulary.billable:
            # C83.39 splits a primary lymphoma of the central nervous system from the others.
            kind = _NERVOUS_SYSTEM if words & _NERVOUS_WORDS else "other"
            sibling = next(
                (
                    c
                    for c in vocabulary.codes_by_category.get(vocabulary.category(code), ())
                    if c.startswith(sibling) and c != sibling and kind in vocabulary.title(c)
                ),
                "",
            )
        if sibling in vocabulary.billable:
            renamed[code] = sibling
    return _renamed(best, renamed)


_FRACTURE = re.compile(r"\bfractur(?:e|es|ed)\b", re.IGNORECASE)
"""A fracture's word."""

_RUPTURE = re.compile(r"\bruptur(?:e|es|ed)\b", re.IGNORECASE)
"""A rupture's word."""

_WORD = re.compile(r"[A-Za-z]+")

_READ_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
"""A word read for a cause told, hyphened words as one ("non-traumatic")."""


_ORGAN_AREA = re.compile(r"\b([A-Za-z]+)[\s-]+(?:region|area)s?\b", re.IGNORECASE)
"""An organ's word before "region" or "area" ("the left kidney region")."""


def _without_organ_areas(told: str, sites: str, vocabulary: Icd10cmVocabulary) -> str:
    """``sites`` less the region an organ's word names before "region" or "area", where the
    finding ``told`` is felt there (``Icd10cmVocabulary.organ_areas``): "back pain in the kidney
    region" is a pain of the back, no N23 Unspecified renal colic."""
    if vocabulary.felt.isdisjoint(normalize_tokens(told)):
        return sites
    return _ORGAN_AREA.sub(
        lambda m: "" if m.group(1).lower() in vocabulary.organ_areas else m.group(0), sites
    ).strip()


def _nontraumatic_readings(text: str, vocabulary: Icd10cmVocabulary) -> Mapping[str, str]:
    """The readings of the words telling that the fracture or the rupture ``text`` tells of came
    of no injury (``Icd10cmVocabulary.nontraumatic_fractures``: "osteoporotic vertebral
    compression fracture", "pathological fracture"; ``nontraumatic_ruptures``: "spontaneous
    splenic rupture"); none where it tells of neither."""
    words = {word.lower() for word in _READ_WORD.findall(text)}
    for told, readings in (
        (_FRACTURE, vocabulary.nontraumatic_fractures),
        (_RUPTURE, vocabulary.nontraumatic_ruptures),
    ):
        if told.search(text) is not None and not words.isdisjoint(readings):
            return readings
    return {}


def _as_nontraumatic(text: str, readings: Mapping[str, str]) -> str:
    """``text`` with each word telling a fracture or a rupture came of no injury in the words
    the Index reads it as (``readings``: "insufficiency fracture" → "pathological fracture")."""
    return _READ_WORD.sub(lambda word: readings.get(word.group().lower(), word.group()), text)


def _as_paired(text: str, vocabulary: Icd10cmVocabulary) -> str:
    """``text`` with each word telling both of a paired limb in the words the Index reads it
    as (``Icd10cmVocabulary.paired_words``: "lower extremities" → "lower both extremities",
    "bilateral" → "bilateral both")."""
    readings = vocabulary.paired_words
    return _WORD.sub(lambda word: readings.get(word.group().lower(), word.group()), text)


_LIKENESS = re.compile(r"[\w'’]+-like\b", re.IGNORECASE)
"""A word a finding is likened to ("seizure-like", "flu-like")."""

_COURSE_OF_DISEASE = re.compile(
    r"(?:disease\s+(?:progression|recurrence|relapse)"
    r"|(?:progression|recurrence|relapse)\s+of\s+(?:the\s+|his\s+|her\s+)?disease)",
    re.IGNORECASE,
)
"""Words that tell how the patient's known disease goes, no disease of its own: "disease
progression in the liver" is a cancer's spread there, no K76.9 Liver disease."""

_LAST_WORD = re.compile(r"([A-Za-z]+)[^A-Za-z]*$")
"""A mention's last word, its head."""


def _plural_unnamed(text: str, vocabulary: Icd10cmVocabulary) -> bool:
    """Whether the last word of ``text`` is the plural of a name whose plural names no code
    (``Icd10cmVocabulary.singular_only``): "multiple shocks from his AICD" and "three DC
    shocks" are no R57.9 Shock, unspecified."""
    last = _LAST_WORD.search(text)
    if last is None:
        return False
    word = last.group(1).lower()
    read = normalize_tokens(word)
    return bool(read) and read[-1] != word and read[-1] in vocabulary.singular_only


def _names_sense(text: str, vocabulary: Icd10cmVocabulary) -> bool:
    """Whether ``text`` names a sense an examination tests (``Icd10cmVocabulary.senses``):
    "pain sensation was decreased in both legs" tells of no pain."""
    words = normalize_tokens(text)
    return any(_holds(words, sense) for sense in vocabulary.senses)


def _holds(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether ``phrase`` occurs in ``words``, word after word."""
    return any(tuple(words[at : at + len(phrase)]) == tuple(phrase) for at in range(len(words)))


def _ranked(best: Mapping[str, float], limit: int) -> list[MentionCode]:
    """The ``limit`` best of ``best``, ties in code order."""
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [MentionCode(code, round(score, 4)) for code, score in ranked]


def _without_site_free(
    own: str, text: str, best: Mapping[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` less the codes only a name of a finding with no site names
    (``Icd10cmVocabulary.site_free``) where the mention's own words name a body part besides
    it, other than a limb or the body's surface (``Icd10cmVocabulary.localized_sites``): an
    "optic" or "femoral neuropathy" is no G62.9 Polyneuropathy, while a "lower-limb sensory
    neuropathy" or a neuropathy told of both feet is, and a "peripheral neuropathy" names G62.9
    by its own name."""
    words = set(_linked_words(own, vocabulary))
    body = load_head_words().body - vocabulary.localized_sites
    dropped: set[str] = set()
    for key in vocabulary.site_free:
        parts = set(key.split(" "))
        if parts <= words and (words - parts) & body:
            dropped.update(vocabulary.aliases.get(key, ()))
    if not dropped:
        return dict(best)
    named = {
        code
        for key in _largest_keys(_linked_words(text, vocabulary), vocabulary)
        if " ".join(sorted(key)) not in vocabulary.site_free
        for code in vocabulary.aliases[" ".join(sorted(key))]
    }
    return {code: score for code, score in best.items() if code not in dropped or code in named}


_CELL = "cell"
"""The word that makes the words before it a kind of cell ("ganglion cells")."""


def _of_cells(
    own: str, text: str, best: Mapping[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` less the codes named without the word "cell" where the mention's own words end
    in it: "ganglion cells" of a histology are nerve cells, no M67.40 Ganglion (a cyst of a
    joint or tendon sheath); a name holding "cell" ("squamous cell carcinoma") names its
    code."""
    words = content_words(own)
    if not words or words[-1] != _CELL:
        return dict(best)
    named = {
        code
        for key in _largest_keys(_linked_words(text, vocabulary), vocabulary)
        if _CELL in key
        for code in vocabulary.aliases[" ".join(sorted(key))]
    }
    return {code: score for code, score in best.items() if code in named}


def _of_cell_kind(
    told: str, text: str, best: Mapping[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` less the codes whose name holds the word "cell" of another kind than the
    mention's own: the "cell" of a "small-cell carcinoma" is a small cell, and read with the
    "liver" it names no C22.0 Liver cell carcinoma. The kinds are the words right before each
    "cell" of the mention's words ``told`` ("clear cell renal cell carcinoma": clear, renal); a
    name all of whose words the mention tells stays ("renal clear cell carcinoma", C64.9)."""
    words = content_words(told)
    kinds = {words[i - 1] for i in range(1, len(words)) if words[i] == _CELL}
    if not kinds:
        return dict(best)
    other = {
        code
        for key in _largest_keys(_linked_words(text, vocabulary), vocabulary)
        if _CELL in key and not kinds & key and not key <= set(words)
        for code in vocabulary.aliases[" ".join(sorted(key))]
    }
    return {code: score for code, score in best.items() if code not in other}


def _without_cell_word_sites(
    told: str, text: str, best: Mapping[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` less the codes named only by aliases that read a word of a neoplasm's cell type
    (``Icd10cmVocabulary.cell_types``) as a body part apart from the word it qualifies: the
    "adenoid" of an "adenoid cystic carcinoma" is its cells' look, no C11.1 Malignant neoplasm
    of adenoid, while a "basal cell carcinoma" names its code with both words. ``told`` is the
    mention's words, its details before its core included ("adenoid")."""
    words = content_words(told)
    pairs = [
        (first, second)
        for first, second in zip(words, words[1:], strict=False)
        if first in vocabulary.cell_types
    ]
    if not pairs or not best:
        return dict(best)
    linked = _linked_words(text, vocabulary)
    wording = list(dict.fromkeys(vocabulary.title_words(linked)))
    keeping: set[str] = set()
    dropping: set[str] = set()
    for key in [*_largest_keys(linked, vocabulary), *_largest_keys(wording, vocabulary)]:
        codes = vocabulary.aliases[" ".join(sorted(key))]
        apart = any(first in key and second not in key for first, second in pairs)
        (dropping if apart else keeping).update(codes)
    return {code: score for code, score in best.items() if code in keeping or code not in dropping}


_FORMING = frozenset({"formation"})
"""A body word ("reticular formation") that a finding's name uses for its forming ("abscess
formation", "osteophyte formation"), no body part of its own."""


def _of_own_part(
    own: str, best: Mapping[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` less the codes of another body part than the one the finding's own words name:
    an "accessory spleen" told beside the "left kidneys" is no Q63.0 Accessory kidney, a
    "pulmonary atresia" beside the "aorta" no Q25.29 Other atresia of aorta. A code the own
    words name alone stays ("back pain", M54.9 Dorsalgia), as does one whose title names every
    part they name ("renal cyst" at the "left kidney", N28.1 Cyst of kidney), or one of whose
    inclusion terms or Alphabetic Index names does ("complete heart block", I44.2
    Atrioventricular block, complete, whose term "Complete heart block NOS" names the heart its
    title leaves out; "type II heart block", the Index's I44.1)."""
    body = load_head_words().body
    words = _linked_words(own, vocabulary)
    parts = {
        word
        for word in vocabulary.title_words(words)
        if word in body and word not in vocabulary.cell_types and word not in _FORMING
    }
    if not parts or not best:
        return dict(best)
    named = _best_named(words, vocabulary)
    return {
        code: score
        for code, score in best.items()
        if code in named
        or any(
            parts <= set(vocabulary.title_words(content_words(term)))
            for term in (vocabulary.title(code), *vocabulary.inclusion.get(code, ()))
        )
        or any(
            parts <= set(vocabulary.title_words(name))
            for name in vocabulary.index_names.get(code, ())
        )
    }


_LOCALIZED = "Localized"
"""How the title of a category's code for a finding confined to one site begins (R60.0
Localized edema, beside R60.9 Edema, unspecified)."""


def _at_told_site(
    own: str, site: str, best: Mapping[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """The codes of a symptom of unspecified site (R60.9 Edema, unspecified; R58 Hemorrhage, not
    elsewhere classified) told with its site: those whose smallest alias names the finding
    there, beside other body parts its term joins to that site ("rectal bleeding" is K62.5
    Hemorrhage of anus and rectum, but a hemorrhage of the eye no Retinal hemorrhage), else its
    category's localized code where the site is a limb's or the body surface's
    (``Icd10cmVocabulary.localized_sites``: an edema of the ankle is R60.0 Localized edema, as
    the Index's "Edema, legs"), else none: the code of unspecified site would say the text does
    not tell where, and show as precise what is not."""
    score = max(best.values())
    said = frozenset(vocabulary.title_words(_linked_words(f"{own} {site}", vocabulary)))
    body = load_head_words().body
    sited: dict[str, int] = {}
    # An alias naming the finding there holds every word said: those holding the rarest.
    with_word = vocabulary.keys_with_word
    keys = min((with_word.get(word, ()) for word in said), key=len) if said else vocabulary.aliases
    for key in keys:
        codes = vocabulary.aliases[key]
        words = frozenset(key.split(" "))
        if not (said < words and words - said <= body):
            continue
        for code in codes:
            terms = (vocabulary.title(code), *vocabulary.inclusion.get(code, ()))
            if any(_joined(term, said) >= words - said for term in terms):
                sited[code] = min(len(words), sited.get(code, len(words)))
    if sited:
        least = min(sited.values())
        return {code: score for code, size in sited.items() if size == least}
    if said.isdisjoint(vocabulary.localized_sites):
        return {}
    localized = {
        leaf
        for code in best
        for leaf in vocabulary.codes_by_category.get(vocabulary.category(code), ())
        if vocabulary.is_billable(leaf) and vocabulary.title(leaf).startswith(_LOCALIZED)
    }
    return dict.fromkeys(sorted(localized), score)


def _joined(term: str, said: frozenset[str]) -> set[str]:
    """The words a term joins by "and" or "or" to one of ``said`` ("anus" in "Hemorrhage of
    anus and rectum", for a rectum said)."""
    tokens = normalize_tokens(term)
    joined: set[str] = set()
    for at in range(1, len(tokens) - 1):
        if tokens[at] in _COORDINATORS:
            pair = {tokens[at - 1], tokens[at + 1]}
            if pair & said:
                joined |= pair
    return joined


_COORDINATORS = frozenset({"and", "or"})


_NAMED_BY_REGION = frozenset({"lymph", "node", "artery", "vein"})
"""Words of a structure that an organ's adjective names by the region it lies in, drains or
supplies, which is that structure wherever it lies: a "gastric lymph node" is a lymph node
(R59), a thrombosis of the "hepatic artery" one of an artery (I74.-)."""


def _part_named_alone(
    phrase: str, text: str, best: Mapping[str, float], vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` less the codes that ``text`` names, with ``phrase`` (a site or a body structure
    read with a finding), only by aliases taking a word of it but not the organ's adjective
    right before that word, which says whose part it is (``Icd10cmVocabulary.synonyms``):
    "injury" read with "femoral neck" names S19.9 Unspecified injury of neck by "neck" alone,
    but the femur's neck is no neck; an "aneurysm" of the "pulmonary artery" is no I72.9
    (``_NAMED_BY_REGION`` aside)."""
    tokens = normalize_tokens(phrase)
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(tokens)
        if a in vocabulary.synonyms and b not in _NAMED_BY_REGION
    ]
    if not pairs or not best:
        return dict(best)
    words = _linked_words(text, vocabulary)
    partial: set[str] = set()
    whole: set[str] = set()
    for wording in (words, list(dict.fromkeys(vocabulary.title_words(words)))):
        for key in _largest_keys(wording, vocabulary):

            def covered(word: str, key: frozenset[str] = key) -> bool:
                return word in key or any(t in key for t in vocabulary.synonyms.get(word, ()))

            codes = vocabulary.aliases[" ".join(sorted(key))]
            if any(not covered(a) and covered(b) for a, b in pairs):
                partial.update(codes)
            else:
                whole.update(codes)
    return {code: score for code, score in best.items() if code not in partial or code in whole}


_COURSE_WORDS = frozenset({"acute", "subacute", "chronic"})
"""Words of a finding's course, which a code named by its site may leave out."""


def _largest_keys(words: Sequence[str], vocabulary: Icd10cmVocabulary) -> list[frozenset[str]]:
    """The aliases ``words`` name, as word sets, none within another of them."""
    keys = [frozenset(key.split(" ")) for key in vocabulary.named_subsets(words)]
    return [key for key in keys if not any(key < other for other in keys)]


def _keeping_own_name(
    best: Mapping[str, float], own: str, text: str, vocabulary: Icd10cmVocabulary
) -> dict[str, float]:
    """``best`` without the codes named only by aliases that take an attribute's words in place
    of some of the name the mention's own words (``own``) give: "sinus tachycardia" told with a
    "left ventricular" strain is no Ventricular tachycardia (I47.20), whose name leaves "sinus"
    out, as "viral infection" is no Bacterial infection (A49.9) for a bacterium named beside it,
    while a "tachycardia" of the ventricle is one, and a "fracture" of the femur S72.90."""
    # A name's words of course are no part of what it names: "acute pain" of the left lower
    # quadrant is R10.32, whose name leaves "acute" out.
    own_keys = [
        key - _COURSE_WORDS
        for key in _largest_keys(_linked_words(own, vocabulary), vocabulary)
        if key - _COURSE_WORDS
    ]
    if not own_keys:
        return dict(best)
    keeping: set[str] = set()
    dropping: set[str] = set()
    for key in _largest_keys(_linked_words(text, vocabulary), vocabulary):
        codes = vocabulary.aliases[" ".join(sorted(key))]
        (keeping if any(name <= key for name in own_keys) else dropping).update(codes)
    return {code: score for code, score in best.items() if code in keeping or code not in dropping}


_STEM = 5
"""Letters of a body part's name looked for within a word said ("esoph" of "esophagus")."""

_BROAD_PARTS = frozenset(
    {"body", "region", "site", "part", "cell", "cycle", "tissue", "organ", "system", "systems",
     "limb", "extremity", "trunk", "multiple", "skin", "vascular", "vessel", "peritoneum",
     "peritoneal", "spinal", "cord", "nervous", "circulatory", "respiratory", "digestive",
     "intestinal", "conduction", "structure", "structures"}
)  # fmt: skip
"""Words of a title's body part that take in many others ("upper limb" holds the wrist) or lie
under them (a scar of the abdomen is one of the skin): a title naming one is not read as putting
the finding elsewhere."""


def _elsewhere(
    title: str, said: set[str], body: frozenset[str], vocabulary: Icd10cmVocabulary
) -> bool:
    """Whether a code's title names body parts, none broad, and none among the words said
    (read in the titles' wording, "pulmonary" is "lung", or within a word of them,
    "gastroesophageal" holds the esophagus)."""
    parts = _parts(title, body, vocabulary)
    if not parts or parts & _BROAD_PARTS:
        return False
    return not any(part[:_STEM] in word for part in parts for word in said)


def _parts(title: str, body: frozenset[str], vocabulary: Icd10cmVocabulary) -> set[str]:
    """The body parts a title or term names, in the titles' wording."""
    return set(vocabulary.title_words(w for w in content_words(title) if w in body))


def _recovered(case: Case, findings: Sequence[Mention]) -> frozenset[tuple[str, str]]:
    """(mention id, HPO id) of the findings' gains told as the patient's recovery
    (``Phenotypes.recovered``)."""
    rules = packaged_matcher()[0]
    gains = frozenset(rules.recovery_concepts)
    sentences = sorted(case.sentences, key=lambda s: s.start)
    starts = [s.start for s in sentences]
    return frozenset(
        (mention.id, code.code)
        for mention in findings
        for code in mention.codes
        if code.system is CodeSystem.HPO
        and code.code in gains
        and told_as_recovery(case.text, mention, sentences, starts, rules)
    )


def _named_by_phenotypes(
    mention: Mention, vocabulary: Icd10cmVocabulary, phenotypes: Phenotypes
) -> dict[str, float]:
    """The codes whose whole term names an HPO concept the mention's words spell exactly, for
    a measure named with its direction ("low CSF pressure"), each scored 1."""
    if not phenotypes.directions.intersection(normalize_tokens(mention.text)):
        return {}
    found: dict[str, float] = {}
    for code in mention.codes:
        if code.system is not CodeSystem.HPO or code.score < 1.0 or code.code not in phenotypes.kb:
            continue
        if (mention.id, code.code) in phenotypes.recovered:
            continue
        for alias in phenotypes.kb.concept(code.code).aliases:
            words = _linked_words(alias, vocabulary)
            for icd, share in _named_codes(words, vocabulary).items():
                if share >= 1.0 and icd not in vocabulary.unspecified_site:
                    found[icd] = 1.0
    return found


_WITHOUT = re.compile(r"\(without ([^)]+)\)", re.IGNORECASE)
"""A title's parenthesis saying what its code is without: "Chills (without fever)"."""


def contradicted(codes: Sequence[CaseCode]) -> set[str]:
    """The codes whose title says they come without something another of ``codes`` names:
    "Chills (without fever)", R68.83, beside a fever (chills with fever are the fever's,
    R50.9)."""
    hidden: set[str] = set()
    for code in codes:
        found = _WITHOUT.search(code.display)
        if found is None:
            continue
        absent = found.group(1).lower()
        if any(other.code != code.code and absent in other.display.lower() for other in codes):
            hidden.add(code.code)
    return hidden


_LEFT_UNSAID = re.compile(r"\bunspecified\b|\bnot elsewhere classified\b", re.IGNORECASE)
"""What the title of a code says where it leaves part of the finding untold."""


def restated(codes: Sequence[CaseCode], mentions: Sequence[Mention]) -> set[str]:
    """The codes whose title leaves part of the finding untold ("Dorsalgia, unspecified",
    "Fibrous dysplasia (monostotic), unspecified site") whose every supporting mention's words
    are fewer of those of a mention, with the same last word, supporting another of ``codes``:
    "back pain" beside "lower back pain" (M54.50), "fibrous dysplasia" beside "polyostotic
    fibrous dysplasia" (Q78.1) name that finding again, which the case has told more fully
    (``_told_within``). A code whose title leaves nothing untold ("Essential (primary)
    hypertension") stays beside a fuller name ("pulmonary hypertension", I27.20): it is another
    disease."""
    by_id = {m.id: m for m in mentions}
    supporting = {
        code.code: [by_id[i] for i in code.mentions if i in by_id]
        for code in codes
        if code.mentions
    }
    hidden: set[str] = set()
    for code in codes:
        own = supporting.get(code.code, [])
        if not own or _LEFT_UNSAID.search(code.display) is None:
            continue
        fuller = [m for other, found in supporting.items() if other != code.code for m in found]
        if all(any(_told_within(m, other) for other in fuller) for m in own):
            hidden.add(code.code)
    return hidden


def _told_within(mention: Mention, other: Mention) -> bool:
    """Whether ``other`` names ``mention``'s finding with more words: the same last word,
    every word of ``mention`` and its naming attributes among ``other``'s, and none of the
    words it adds a body part: an "edema" beside a "pulmonary edema" may be another organ's."""
    words, others = normalize_tokens(mention.text), normalize_tokens(other.text)
    if not words or not others or words[-1] != others[-1]:
        return False
    told, fuller = _naming_words(mention), _naming_words(other)
    return told < fuller and not (fuller - told) & load_head_words().body


def _naming_words(mention: Mention) -> frozenset[str]:
    """A mention's words with those of its attributes that name codes with it."""
    return frozenset(
        {
            *normalize_tokens(mention.text),
            *(
                w
                for a in mention.attributes
                if a.name in _NAMING_ATTRIBUTES
                for w in normalize_tokens(a.text)
            ),
        }
    )


def _from_core(mention: Mention) -> str:
    """The mention's words from the first its model marked (``Mention.core``) to its end,
    with the words of a name the phrase was widened over before them ("Type 1" of "Type 1
    Diabetes"): those after the last attribute before the core (the modifiers are read as
    attributes)."""
    if mention.core is None:
        return mention.text
    start = max(
        (a.end for a in mention.attributes if mention.start <= a.end <= mention.core.start),
        default=mention.start,
    )
    return mention.text[start - mention.start :].strip()


def _linked_words(text: str, vocabulary: Icd10cmVocabulary) -> list[str]:
    """The distinct content words of ``text`` a code is looked up by, the last ones kept; a
    word "non" denies is one word with it (``content_words``: "non-bilious vomiting" is no
    R11.14 Bilious vomiting)."""
    ordered = [w for w in content_words(text) if w not in vocabulary.modifiers]
    return list(dict.fromkeys(ordered))[-_MAX_LINKED_WORDS:]


def _best_named(words: Sequence[str], vocabulary: Icd10cmVocabulary) -> dict[str, float]:
    """The codes ``words`` name, or those their title wording names when it covers more, each
    word in the titles' wording or, where a title spells it with the word after it, as spelt
    (``Icd10cmVocabulary.titled_words``: "splenic flexure" of the colon, no spleen)."""
    best = _named_codes(words, vocabulary)
    if max(best.values(), default=0.0) < 1.0:
        for reword in (vocabulary.title_words, vocabulary.titled_words):
            wording = list(dict.fromkeys(reword(words)))[-_MAX_LINKED_WORDS:]
            if wording != words:
                reworded = _named_codes(wording, vocabulary)
                if max(reworded.values(), default=0.0) > max(best.values(), default=0.0):
                    best = reworded
    return best


def sentence_structures(
    case: Case, findings: Sequence[Mention], *, listed_apart: bool = False
) -> dict[str, list[str]]:
    """Each finding's body structures: the texts of ``Biological_structure`` mentions of its
    sentence, nearest first, at most ``_NEARBY_STRUCTURES``, but those told as invaded or
    denied (``_invaded``, ``_denied``) and, with ``listed_apart``, those listed as one of the
    sites of another finding (``_listed_sites``)."""
    nearby, apart = _structures_both_ways(case, findings)
    return apart if listed_apart else nearby


def _structures_both_ways(
    case: Case, findings: Sequence[Mention]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``sentence_structures`` without and with ``listed_apart``, read in one pass: the two
    differ only by the listed sites left out, and a sentence's structures and whether each is
    invaded are the same for every finding of it."""
    structures = [m for m in case.mentions if m.type is EntityType.BIOLOGICAL_STRUCTURE]
    bounds = [(s.start, s.end) for s in case.sentences] or [(0, len(case.text))]
    listed = _listed_sites(findings)
    of_sentence: dict[tuple[int, int], list[Mention]] = {}
    nearby: dict[str, list[str]] = {}
    apart: dict[str, list[str]] = {}
    for finding in findings:
        sentence = next(((a, b) for a, b in bounds if a <= finding.start < b), None)
        if sentence is None:
            continue
        inside = of_sentence.get(sentence)
        if inside is None:
            inside = of_sentence[sentence] = [
                m
                for m in structures
                if sentence[0] <= m.start < sentence[1] and not _invaded(case.text, m)
            ]
        kept = [m for m in inside if not _denied(case.text, finding, m)]
        if _STAGED.match(case.text, finding.end) or _STAGED.search(finding.text):
            kept = []
        # A stable sort: leaving the listed sites out after it keeps the others' order.
        kept.sort(key=lambda m: max(m.start - finding.end, finding.start - m.end))
        nearby[finding.id] = [m.text for m in kept[:_NEARBY_STRUCTURES]]
        apart[finding.id] = [
            m.text
            for m in kept
            if not any(owner != finding.id for owner in listed.get((m.start, m.end), ()))
        ][:_NEARBY_STRUCTURES]
        if not inside:
            apart[finding.id] = _mass_sites_before(case, bounds.index(sentence))
    return nearby, apart


_ONE_MASS = re.compile(r"\b(?:mass|tumou?r|lesion|neoplasm|growth|nodule)$", re.IGNORECASE)
"""The last word of a finding told as one mass ("a mass", "a circumferential tumor"): several
("multiple lesions") may be where a growth spread, no site it began at."""


def _mass_sites_before(case: Case, sentence: int) -> list[str]:
    """The sites of the one mass the sentence before ``sentence`` tells of, which a growth
    named without its site in a sentence naming no body structure is ("A mass was found in the
    gastric body. Biopsy showed adenocarcinoma": the adenocarcinoma is the stomach's, no C80.1
    of unspecified site); none where that sentence tells of no mass or of several."""
    if sentence < 1:
        return []
    start, end = case.sentences[sentence - 1].start, case.sentences[sentence - 1].end
    masses = [
        m
        for m in case.mentions
        if start <= m.start < end
        and m.type in (EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER)
        and _ONE_MASS.search(m.text) is not None
        and _METASTATIC.search(m.text) is None
    ]
    if len(masses) != 1:
        return []
    (mass,) = masses
    sites = [a.text for a in mass.attributes if a.name == "site"]
    if not sites:
        # The mention model ties no site to the mass: the sentence's structures, nearest first.
        structures = [
            m
            for m in case.mentions
            if m.type is EntityType.BIOLOGICAL_STRUCTURE
            and start <= m.start < end
            and not _invaded(case.text, m)
        ]
        structures.sort(key=lambda m: max(m.start - mass.end, mass.start - m.end))
        sites = [m.text for m in structures]
    return sites[:_NEARBY_STRUCTURES]


def _listed_sites(findings: Sequence[Mention]) -> dict[tuple[int, int], list[str]]:
    """The spans of the sites of each finding told at several sites, with the ids of the
    findings they are sites of: a list of sites ("lesions in the liver, spleen, kidneys and
    pancreas") tells where that finding lies, which is no site of a primary growth named
    without one in the sentence ("a neuroendocrine malignancy", no C25.9 nor C26.1), while one
    finding's single site may be the growth's own ("the pulmonary mass was a primary
    adenocarcinoma")."""
    listed: dict[tuple[int, int], list[str]] = {}
    for finding in findings:
        sites = [a for a in finding.attributes if a.name == "site"]
        if len(sites) > 1:
            for site in sites:
                listed.setdefault((site.start, site.end), []).append(finding.id)
    return listed


_INVADED_AFTER = re.compile(
    r"\s*(?:invasion|infiltration|involvement|extension|metastas[ie]s)\b", re.IGNORECASE
)
_INVADED_BEFORE = re.compile(
    r"\b(?:invading|infiltrating|involving|invasion of|infiltration of|involvement of"
    r"|(?:extending|extension|metastas[ie]s|metastatic|spread(?:ing)?"
    r"|radiat(?:e|es|ed|ing|ion)) (?:in)?to)"
    r"(?: the| a| an| her| his)?\s*$",
    re.IGNORECASE,
)


_DENIED_BEFORE = re.compile(
    r"\b(?:without|no|absence of|lack of|free of|negative for|unremarkable|uninvolved)"
    r"(?:\s+[\w-]+){0,2}\s*$",
    re.IGNORECASE,
)
"""A denial opening the phrase of a body structure, at most two words before it, or the
structure told free of the finding ("with unremarkable margins and lymph nodes")."""

_DENIED_REACH = 40
"""Characters read before a body structure for its denial."""


def _denied(text: str, finding: Span, structure: Span) -> bool:
    """Whether the text denies a body structure it names after a finding ("epithelioid
    granulomas, without Langhans giant cells"): what is absent is no site nor kind of the
    finding (no Giant cell granuloma, M27.1). A denial before the finding denies the finding
    with its site ("no neck lymphadenopathy"), which stays its site."""
    if structure.start < finding.end:
        return False
    start = max(finding.end, structure.start - _DENIED_REACH)
    return bool(_DENIED_BEFORE.search(text, start, structure.start))


def _invaded(text: str, structure: Span) -> bool:
    """Whether a body structure is named as what a growth reached ("with cardiac invasion",
    "invading the left atrium") or where a pain radiates ("radiating to the back"), which is no
    site of the finding it is told with."""
    return bool(
        _INVADED_AFTER.match(text, structure.end)
        or _INVADED_BEFORE.search(text, max(0, structure.start - 40), structure.start)
    )


_METASTATIC = re.compile(r"\bmetasta(?:tic|sis|ses|sized|sised)\b", re.IGNORECASE)
_METASTATIC_REACH = 40
"""Characters before a growth read for the word saying it spread ("metastatic rectal ...")."""


_MALIGNANT_CODE = "C"
"""The first letter of the codes of malignant neoplasms (C00-C96)."""

_LYMPH_NODE = re.compile(r"\b(?:lymph\s*nodes?|lymph\s+glands?|nodes?|nodal)\b", re.IGNORECASE)
"""A structure that is a lymph node."""

_SPREAD_WORD = "metastasis"
"""The word a spread growth is read with at its site (the Index's "lung metastasis", C78.00)."""

_SECONDARY_GROWTH = re.compile(
    r"\bmetastas[ie]s$|\bmetastatic\s+(?:disease|lesions?|deposits?|foci|nodules?)$",
    re.IGNORECASE,
)
"""A mention that is itself the spread growth: the sites it reached are its own ("metastasis
to the skin" is C79.2, Secondary malignant neoplasm of skin)."""


_MEASURE_NAMED = re.compile(r"[ -]?(?:scores?|scales?)\b", re.IGNORECASE)
"""A score or scale right after a finding: the finding names what is measured ("pain score:
0/10", "Glasgow Coma Scale"), not what the patient has."""


_SOUGHT_NAMED = re.compile(r"[ -](?:screening|work-?up)\b", re.IGNORECASE)
"""A search right after a finding: the finding names what is looked for ("colorectal cancer
screening", "an infectious disease workup"), which the case tells of elsewhere if the patient
has it. A surveillance is left out: it follows a treated growth as often as a risk."""

_REGIMEN_NAMED = re.compile(
    r"(?:\s*\([A-Za-z0-9-]{1,10}\))?[ -](?:(?:type|like|based|directed|specific)[ -])?regimens?\b",
    re.IGNORECASE,
)
"""A regimen right after a finding: the finding names the disease the regimen was made for
("an AML regimen", "a lymphoma-type regimen"), which may not be the patient's (a myeloid sarcoma
treated with an AML regimen); the case tells of it elsewhere if the patient has it."""

_DIET_NAMED_BEFORE = re.compile(r"\bapproach(?:es)?\s+to\s+(?:stop|prevent)\s+$", re.IGNORECASE)
"""A diet or a programme named for what it stops ("Dietary Approaches to Stop Hypertension"):
its name, no finding of the patient's."""

_DIET_REACH = 30
"""Characters read before a finding for the name of a diet."""

_SOUGHT_ENDED = re.compile(r"[ -](?:screening|work-?up)$", re.IGNORECASE)
"""The same words ending a finding's mention ("tumor screening")."""

_STAGED = re.compile(r"[ -]staging\b", re.IGNORECASE)
"""A staging right after a finding, or ending its mention: the growth staged is the patient's,
but the body part imaged for it is none of its sites ("Brain magnetic resonance imaging
performed for cancer staging showed normal findings" is no C71.9)."""


_DEVICE_SHOCK = re.compile(
    r"\b(?:A?ICDs?|defibrillators?|DC|electric(?:al)?|(?:in)?appropriate|device|biphasic"
    r"|monophasic|synchronized|high-energy|\d+\s*J|joules?)\s+shocks?$",
    re.IGNORECASE,
)
_DEVICE_SHOCK_AFTER = re.compile(
    r"\s+(?:therap(?:y|ies)|delivery|(?:was\s+|were\s+)?(?:delivered|administered|given))\b",
    re.IGNORECASE,
)
"""A shock a device or a current gives ("ICD shock", "appropriate shocks", "200 J DC shock",
"shock therapy", "shock was delivered"), no circulatory shock (R57.9)."""

_SHOCK_WORD = re.compile(r"\bshocks?$", re.IGNORECASE)

_DEVICE_SHOCK_REACH = 30
"""Characters read before a shock for the device that gave it."""


_MEASURE_ENDED = re.compile(r"[ -](?:scores?|scales?)$", re.IGNORECASE)
"""A score or scale that ends a finding's mention ("full-mouth bleeding score"): the mention
names the measure, no finding."""


_ALERT_WORDS = r"(?:alert|activation|code|call)s?"
"""What a hospital calls the team for a kind of emergency by."""

_ALERT_NAMED = re.compile(rf"^code\s|\s{_ALERT_WORDS}$", re.IGNORECASE)
"""A finding mention that is an alert's name ("code stroke", "trauma activation")."""

_ALERT_BEFORE = re.compile(r"\bcode\s+$", re.IGNORECASE)
_ALERT_AFTER = re.compile(rf"[ -]?{_ALERT_WORDS}\b", re.IGNORECASE)
"""The words around a finding that make it an alert's name ("a code stroke was called", "the
stroke alert", "a trauma team activation"): the team called for a kind of emergency, no
finding of the patient's, whom it may find without one."""

_ALERT_REACH = 6


def _alert_named(text: str, mention: Mention) -> bool:
    """Whether the mention names a hospital's alert, not a finding (``_ALERT_NAMED``)."""
    return (
        _ALERT_NAMED.search(mention.text) is not None
        or _ALERT_BEFORE.search(text, max(0, mention.start - _ALERT_REACH), mention.start)
        is not None
        or _ALERT_AFTER.match(text, mention.end) is not None
    )


_LIKENED_WORDS = (
    r"(?:mimick?(?:ing|ed|s)?|simulat(?:ing|ed|es)|imitat(?:ing|ed|es)|resembl(?:ing|ed|es)"
    r"|masquerad(?:ing|ed|es)\s+as|pos(?:ing|ed|es)\s+as|disguised\s+as|similar\s+to"
    r"|(?:masquerader|mimicker|mimic|imitator)s?\s+of"
    r"|misdiagnosed\s+(?:as|with)(?:\s+having)?|mistaken(?:ly\s+diagnosed)?\s+(?:as|for)"
    r"|diagnosis\s+(?:was|had\s+been|has\s+been)\s+(?:corrected|changed|revised|amended)\s+from)"
)
_LIKENED_BEFORE = re.compile(rf"\b{_LIKENED_WORDS}\s+(?:(?:an?|the)\s+)?$", re.IGNORECASE)
_LIKENED_IN = re.compile(rf"^{_LIKENED_WORDS}\s", re.IGNORECASE)
"""The words that liken a finding to another it is not: "a hemangioma mimicking acute
appendicitis", "Phaeochromocytoma Mimicking Scleroderma", "ulcers mimicking Behçet's disease",
"a lesion resembling a lipoma", "lesions similar to neurofibromatosis type 1", "xanthogranuloma
masquerading as a tumor", "a masquerader of malignancy", "a mimic of tuberculosis"; and the
diagnosis it was wrongly taken for ("he was
misdiagnosed with trigeminal neuralgia", "mistaken for a simple broncholith", "the diagnosis
was corrected from parathyroid adenoma to parathyroid carcinoma")."""

_FALL_ASLEEP = re.compile(r"\b(?:falls?|fell|falling|fallen)\s+asleep\b", re.IGNORECASE)
"""Falling asleep, which is no fall: "a painkiller was needed to help him fall asleep",
"difficulty falling asleep"."""

_ASLEEP_REACH = 10
"""Characters read after a mention for the "asleep" its fall word goes on with."""


def _falls_asleep(text: str, mention: Mention) -> bool:
    """Whether a fall word of the mention goes on with "asleep" (``_FALL_ASLEEP``)."""
    found = _FALL_ASLEEP.search(text, mention.start, min(len(text), mention.end + _ASLEEP_REACH))
    return found is not None and found.start() < mention.end


_PNEUMONIAE_MISSPELT = re.compile(
    r"(?:Klebsiella|K\.|Streptococcus|S\.|Mycoplasma|M\.)\s+pneumonia", re.IGNORECASE
)
"""An organism whose species ICD-10-CM names "pneumoniae" (J15.0 Klebsiella pneumoniae, J13
Streptococcus pneumoniae, J15.7 Mycoplasma pneumoniae), its species word written "pneumonia"
as the disease's."""

_GROWN_BEFORE = re.compile(
    r"\b(?:grew|grown|growth|yield(?:s|ed)?|isolated|positive|cultures?|cultured|colonized"
    r"|colonised)\b[^.;]*$",
    re.IGNORECASE,
)
_GROWN_AFTER = re.compile(
    r"[^.;]{0,30}?\b(?:isolated|grown|grew|sensitive|resistant|antigen|PCR|strains?"
    r"|isolates?|stains?)\b",
    re.IGNORECASE,
)
"""The words around an organism that tell it as what a test found: "blood cultures grew
Klebsiella pneumonia", "positive for Streptococcus pneumonia", "K. pneumonia sensitive to
gentamicin", "Klebsiella pneumonia were isolated"."""

_GROWN_REACH = 60
"""Characters read before an organism for the test that found it."""

_GENUS_REACH = 16
"""Characters read before a mention for the genus of the organism it names."""


_POSITIVE_AFTER = re.compile(
    r"(?:\s+[A-Z0-9]{1,3})?[\s-]+(?:sero)?positive\b(?=\s*(?:[.,;:)]|and\b|or\b|but\b|with\b|$))",
    re.IGNORECASE,
)
"""A test found positive for what a finding names ("she was hepatitis B positive, HIV
negative"): a marker or a serology, no disease of the patient's (the Index's 'Positive' sends a
serology to R76.-, a carrier to Z22.-); "HIV-positive patients" or "ANCA positive vasculitis"
go on with what is positive."""


def _qualifies_another(case: Case, mention: Mention) -> bool:
    """Whether ``mention`` is an adjective read as a finding (``Mention.expansion``,
    ``casebook.nlp.abbreviations``' "irritable" → "irritability") that names it only alone
    (``Icd10cmVocabulary.adjectives_alone``) and qualifies the finding or the body part told
    right after it, or that a longer finding holds: an "irritable cough" is a cough and an
    "irritable bowel" the Index's K58.9, no R45.4 Irritability and anger of the patient's,
    while "he was irritable and coughed" tells both."""
    vocabulary = load_icd10cm()
    if mention.expansion is None or mention.text.lower() not in vocabulary.adjectives_alone:
        return False
    for other in case.mentions:
        if other.id == mention.id or other.type not in _QUALIFIED_TYPES:
            continue
        holding = other.start <= mention.start and mention.end <= other.end
        if (holding and other.end - other.start > mention.end - mention.start) or (
            other.start > mention.end and not case.text[mention.end : other.start].strip(" -")
        ):
            return True
    return False


_QUALIFIED_TYPES = frozenset(
    {EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER, EntityType.BIOLOGICAL_STRUCTURE}
)
"""The types of mention an adjective before them qualifies."""


def _organism_found(text: str, mention: Mention) -> bool:
    """Whether the mention names an organism with its species written as the disease
    (``_PNEUMONIAE_MISSPELT``), told as what a test found (``_GROWN_BEFORE``,
    ``_GROWN_AFTER``): the organism grown is no pneumonia of the patient's."""
    # The genus may be left out of the mention: "grew K. pneumonia" marks "pneumonia".
    offset = max(0, mention.start - _GENUS_REACH)
    named = _PNEUMONIAE_MISSPELT.search(text, offset, mention.end)
    if named is None or named.end() != mention.end or named.start() > mention.start:
        return False
    return (
        _GROWN_BEFORE.search(text, max(0, mention.start - _GROWN_REACH), mention.start) is not None
        or _GROWN_AFTER.match(text, mention.end) is not None
    )


_LIKENED_REACH = 40


def _likened(text: str, mention: Mention) -> bool:
    """Whether the mention is what another finding is likened to (``_LIKENED_BEFORE``), no
    finding of the patient's."""
    return (
        _LIKENED_IN.search(mention.text) is not None
        or _LIKENED_BEFORE.search(text, max(0, mention.start - _LIKENED_REACH), mention.start)
        is not None
    )


_CHANGE = re.compile(r"(?:fall|drop|decline|decrease|reduction|rise|increase)s?", re.IGNORECASE)
"""A finding's words that may tell how a measure changed ("a fall in the hemoglobin level")."""

_CHANGE_OF = re.compile(
    r"\s+(in|of)\s+(?:(?:the|his|her|their|its|serum|plasma|blood|mean)\s+)*", re.IGNORECASE
)
"""What joins a change to the measure that changed: "in" or "of", with the words that may
come before the measure's name."""

_MEASURES = frozenset({EntityType.DIAGNOSTIC_PROCEDURE, EntityType.LAB_VALUE})
"""The mention types of what is measured."""


def _measure_changed(case: Case, mention: Mention, measures: Mapping[int, EntityType]) -> bool:
    """Whether ``mention`` is a change told of a measure right after it ("a fall in the
    hemoglobin level to 1.8 g/dL", "a fall of INR"), or the season of a year ("in the fall of
    2007"): no fall of the patient's (W19). ``measures`` maps the start of each test, result and
    date to its type."""
    if _CHANGE.fullmatch(mention.text) is None:
        return False
    joined = _CHANGE_OF.match(case.text, mention.end)
    if joined is None:
        return False
    after = measures.get(joined.end())
    return after in _MEASURES or (after is EntityType.DATE and joined.group(1).lower() == "of")


_INSTITUTION_AFTER = re.compile(
    r"\s+(?:centers?|centres?|institutes?|hospitals?|foundation|society|association"
    r"|network|registry|consortium|alliance)\b",
    re.IGNORECASE,
)
_INSTITUTION_NAMED_BEFORE = re.compile(
    r"\b(?:Institutes?|Society|Association|Foundation|Registry|Consortium|Cent(?:er|re)s?|College"
    r"|Organi[sz]ation|Network|Federation|Alliance)\s+"
    r"(?:(?:of|for|and|on|the|to|a|in)\s+|[A-Z][\w'’-]*\s+){0,8}$"
)
"""An institution a finding names, right after it ("the National Cancer Institute", "MD
Anderson Cancer Center", "the Stroke Association") or as a capitalised word of the name an
institution's noun opens ("National Institute of Neurologic Disease and Stroke", "Consortium to
Establish a Registry for Alzheimer's Disease"): the finding names what the institution treats,
no disease of the patient's. A hospital or a clinic told before it in lower case is most often
where the patient went for the finding ("referred from a regional hospital for acute renal
failure") and is kept."""


_GENE_NAMED = re.compile(
    r"\)?(?:[ -]?(?:related|associated|mutated|susceptibility|suppressor))?\s*"
    r"(?:\([^()]{1,20}\)\s*)?"
    r"genes?\b",
    re.IGNORECASE,
)
"""A gene right after a finding, perhaps with its symbol between, or after the finding as
that symbol: the finding names the gene ("ataxia-telangiectasia mutated (ATM) gene", "a tumor
suppressor gene", "the dystrophin gene"), not what the patient has."""


_INDUCED_BEFORE = re.compile(
    r"(?<![\w-])(?:therapeutic|induced|inducing|under|deliberate|targeted"
    r"|pharmacological|pharmacologic|pharmaceutical)\s+"
    r"(?:(?:mild|moderate|deep|profound|systemic)\s+)*$",
    re.IGNORECASE,
)
"""Words right before a state a treatment brings about ("therapeutic hypothermia", "under
moderate hypothermia", "medically induced coma", the eye drops' "pharmacological mydriasis")."""

_INDUCED_AFTER = re.compile(
    r"\s*(?:\([^()]{1,30}\)\s*)?(?:and\s+)?(?:circulatory\s+arrest|cardiopulmonary\s+bypass"
    r"|bypass|protocol|was\s+induced|(?<=arrest)\s+(?:was|were)\s+(?:established|achieved))\b",
    re.IGNORECASE,
)
"""Words right after such a state ("hypothermic circulatory arrest", "moderate hypothermia
(32°C to 34°C) was induced", a surgery's "cardiac arrest was achieved using antegrade
cardioplegia")."""

_INDUCED_REACH = 40
"""Characters read before a finding for the words saying a treatment brought it about."""

_HYPOTHERMIA = re.compile(r"hypotherm", re.IGNORECASE)

_COOLED_BY = re.compile(
    r"\b(?:cardiopulmonary\s+bypass|CPB|circulatory\s+arrest|cardioplegi\w*)\b"
    r"|\bhypothermi\w*\s+(?:therapy|treatment)\b",
    re.IGNORECASE,
)
"""What a sentence names that cools the patient on purpose: a heart operation's bypass,
circulatory arrest or cardioplegia ("cardiopulmonary bypass was established with mild
hypothermia (34 °C)"), or the cooling named as a therapy ("mild hypothermia therapy was
started")."""

_ACCIDENTAL = re.compile(r"\b(?:accidental|exposure|rewarm\w*)\b", re.IGNORECASE)
"""Words of a hypothermia the patient came with, which a bypass may rewarm ("accidental
hypothermia rewarmed on cardiopulmonary bypass")."""


def _induced(text: str, mention: Mention, sentence: Span) -> bool:
    """Whether ``mention`` is a state a treatment brings about, no finding of the patient's
    own ("deep hypothermic circulatory arrest", "therapeutic hypothermia was induced for 24
    h", "performed under moderate hypothermia", a hypothermia of the sentence's bypass: no
    T68 Hypothermia)."""
    own = f"{text[max(0, mention.start - _INDUCED_REACH) : mention.start]}"
    words = mention.text.split()
    before = own + " ".join(words[:-1]) + (" " if len(words) > 1 else "")
    if _INDUCED_BEFORE.search(before) or _INDUCED_AFTER.match(text, mention.end):
        return True
    told = text[sentence.start : sentence.end]
    return (
        _HYPOTHERMIA.search(mention.text) is not None
        and _COOLED_BY.search(told) is not None
        and _ACCIDENTAL.search(told) is None
    )


_PATIENTS_IN_GENERAL = re.compile(
    r"\W*(?:in\s+)?(?:(?:most|many|some|all|such|other)\s+|(?:about|approximately|up\s+to)?\s*"
    r"\d+(?:\.\d+)?\s*%\s+of\s+(?:all\s+)?)?patients\s+(?:who|with|presenting|having|that)\b",
    re.IGNORECASE,
)
"""A sentence opening on patients in general ("Patients who presented brain metastasis as the
disease progressed will have a poor prognosis", "In 30% of patients with sarcoidosis …")."""

_SHARE_OF = re.compile(
    r"\b\d+(?:\.\d+)?\s*%(?:\s*(?:to|-|–)\s*\d+(?:\.\d+)?\s*%)?\s+of\s+(?:all\s+)?"
    r"(?:(?:patients|cases)\s+(?:with|of)\s+)?$",
    re.IGNORECASE,
)
"""A share of a population right before a finding ("40% to 45% of oropharyngeal carcinomas are
HPV-positive", "in 10% of patients with sarcoidosis")."""


def _in_general(text: str, mention: Mention, sentence: Span) -> bool:
    """Whether ``mention`` is named in a statement of patients in general or of a share of a
    population (``_PATIENTS_IN_GENERAL``, ``_SHARE_OF``), which the literature tells, no
    finding of the patient's: "Patients who presented brain metastasis … will have a poor
    prognosis" is no C79.31, "40% to 45% of oropharyngeal carcinomas are HPV-positive" no
    C10.9. A share of singular words ("50% of the tumor") is of the patient's own finding."""
    if _PATIENTS_IN_GENERAL.match(text, sentence.start, mention.start) is not None:
        return True
    share = _SHARE_OF.search(text, sentence.start, mention.start)
    return share is not None and (
        "patients" in share.group().lower()
        or "cases" in share.group().lower()
        or mention.text.endswith("s")
    )


_SUCH_AS = re.compile(r"\bsuch\s+as\b[^.;:]*$", re.IGNORECASE)
"""An open list of examples running up to a finding ("tubular defects, such as …")."""

_SET_ASIDE = re.compile(
    r"(?:\betc\.|[^.;])*?\b(?:(?:was|were)\s+(?:also\s+|all\s+|then\s+|initially\s+|first\s+)?"
    r"(?:considered|suspected|excluded|ruled\s+out|entertained)"
    r"|(?:has|have)\s+(?:also\s+)?been\s+(?:reported|described))\b",
    re.IGNORECASE,
)
"""What a sentence says after a list of examples that makes them possibilities or the
literature's: "… were considered", "… was excluded", "… have also been reported"; a list's
closing "etc." ends no sentence."""


_EXCLUDED_LIST = re.compile(
    r"\b(?:ruled\s+out|excluded)\s*(?:,\s*|\s)(?:including|such\s+as|namely)\s[^.;]*$"
    r"|\b(?:ruled\s+out|excluded)\s*:\s[^.;]*$",
    re.IGNORECASE,
)
"""A list a sentence opens by saying its items were ruled out ("Common causes of recurrent
fevers were ruled out, including malaria, various autoimmune diseases such as …")."""


def _example_set_aside(text: str, mention: Mention, sentence: Span) -> bool:
    """Whether ``mention`` is an example of a class the sentence then says was considered,
    suspected or excluded, or the literature reported ("marrow infiltrative diseases such as
    multiple myeloma … were considered", "caused by tubular defects, such as Fanconi syndrome,
    Wilson disease, cystinosis …, was excluded", "complications such as liver abscess have also
    been reported"), or an item of a list the sentence opens by saying its items were ruled out
    (``_EXCLUDED_LIST``): no finding of the patient's, though the words that say so come too far
    from it for the assertion to read."""
    if _EXCLUDED_LIST.search(text, sentence.start, mention.start) is not None:
        return True
    if _SUCH_AS.search(text, sentence.start, mention.start) is None:
        return False
    return _SET_ASIDE.match(text, mention.end, sentence.end) is not None


_TESTED_FOR = re.compile(
    r"\b(?:(?:markers?|serolog(?:y|ies)|serologic(?:al)?\s+(?:tests?|markers?)|tests?|testing"
    r"|screening|assays?|seronegative|negative)\s+(?:for|of)"
    r"|(?:analys[ie]s|PCR|NAAT|panels?|tested|screened|sent)\s+for)"
    r"\s+(?P<listed>(?:[^.;:()]|\([^()]*\)){0,160})$"
    r"|\b(?:antibod(?:y|ies)|titers?|titres?)\s+(?:against|to)\s+"
    r"(?P<against>(?:[^.;:()]|\([^()]*\)){0,80})$",
    re.IGNORECASE,
)
"""A test named by what it looks for, running up to a finding of its list ("the serologic
markers for human immunodeficiency virus, hepatitis C and hepatitis B", "NAAT analysis for HSV
and varicella zoster virus", "coagulation tests were sent for lupus anticoagulant", "she was
tested for HIV", a serology's list of
viruses each with its abbreviation), or the patient told found without it by one
("seronegative for hepatitis viruses B and C", "the following results: negative for hepatitis
B, hepatitis C, HIV"), or antibodies against
an infection, which vaccination or a past infection leaves ("antibodies against varicella
zoster virus (VZV), mumps, rubella, and measles" tells no mumps)."""

_TOLD_RESULT = re.compile(
    r"\b(?:was|were|is|are|showed|revealed|found|confirmed|positive|negative|ruled)\b",
    re.IGNORECASE,
)
"""Words that end a test's list and tell what it found."""


_FOUND_AFTER = re.compile(r"[^.;]{0,60}?\b(?:positive|detected|reactive)\b", re.IGNORECASE)
"""A test's positive result told after its list ("… for SARS-CoV-2 was positive")."""


def _tested_for(text: str, mention: Mention, sentence: Span) -> bool:
    """Whether ``mention`` names what a test looks for ("the serologic markers for hepatitis C
    and hepatitis B") and the sentence tells it found nothing or no result, which supports no
    code of the case: a disease a test looks for is no finding of the patient's. A positive
    result keeps it ("PCR for SARS-CoV-2 was positive" is COVID-19, U07.1, as the Official
    Guidelines code a positive test)."""
    listed = _TESTED_FOR.search(text, sentence.start, mention.start)
    return (
        listed is not None
        and _TOLD_RESULT.search(listed["against"] or listed["listed"] or "") is None
        and _FOUND_AFTER.match(text, mention.end, sentence.end) is None
    )


_AMENORRHEA = re.compile(r"amenorrh(?:o)?ea", re.IGNORECASE)
"""A missed menstruation's word."""

_WEEKS_BEFORE = re.compile(r"\bweeks?'?\s+(?:of\s+)?$", re.IGNORECASE)
_WEEKS_AFTER = re.compile(r"\s+(?:of|for)\s+\S+\s+weeks?\b", re.IGNORECASE)
"""Weeks told right before or after an amenorrhea ("at 9 weeks of amenorrhea", "after 8 weeks
amenorrhoea", "amenorrhea of 6 weeks")."""

_WEEKS_REACH = 12
"""Characters read before an amenorrhea for the weeks it lasted."""


def _gestation_told(text: str, mention: Mention) -> bool:
    """Whether ``mention`` is an amenorrhea counted in weeks: a pregnancy's age, as obstetrics
    in many countries dates it ("premature labor occurring at 34 weeks of amenorrhea", "a
    history of six weeks amenorrhoea, intermittent vaginal bleeding"), no N91 Absent
    menstruation, which is told in months."""
    if _AMENORRHEA.fullmatch(mention.text) is None:
        return False
    before = text[max(0, mention.start - _WEEKS_REACH) : mention.start]
    return bool(_WEEKS_BEFORE.search(before) or _WEEKS_AFTER.match(text, mention.end))


def coded_findings(case: Case, types: Collection[EntityType]) -> list[Mention]:
    """The case's mentions of ``types``, but those naming a person or an organisation ("cancer
    board", ``casebook.kb.nonclinical``), what a search looks for ("colorectal cancer
    screening", ``_SOUGHT_NAMED``), what a regimen or a diet is named for ("an AML regimen",
    ``_REGIMEN_NAMED``; "Dietary Approaches to Stop Hypertension", ``_DIET_NAMED_BEFORE``), a
    device's shock ("ICD shock", ``_DEVICE_SHOCK``), a service
    consulted ("Infectious disease was involved",
    "neurology, infectious disease, and hematology" were consulted), what a score measures ("pain
    score", ``_MEASURE_NAMED``), a hospital's alert ("code stroke", "trauma activation",
    ``_alert_named``), what is named as so in general or as what a treatment is for ("the most
    common benign lesion of the spleen is a hemangioma", "approved for the treatment of cellulitis",
    ``casebook.nlp.phenotypes.told_in_general``; "Patients who presented brain metastasis …", "40%
    to 45% of oropharyngeal carcinomas …", ``_in_general``), a rise beyond normal that the value
    told after it gainsays ("heart rate increased to 82 beats/min", "fever 36.2 °C",
    ``casebook.nlp.phenotypes.gainsaid_by_value``, read through the finding's HPO concepts as the
    phenotype coder reads it), falling asleep ("help him fall asleep", ``_falls_asleep``), an
    organism a test found, its species written as the disease ("blood cultures grew Klebsiella
    pneumonia", ``_organism_found``), what another finding is likened to ("a hemangioma mimicking
    acute appendicitis", ``_likened``), a gene ("the ataxia-telangiectasia mutated (ATM) gene",
    ``_GENE_NAMED``), an institution ("the National Cancer Institute", ``_INSTITUTION_AFTER``), a
    state a treatment brought about ("therapeutic hypothermia", ``_induced``), a pregnancy's age
    ("34 weeks of amenorrhea", ``_gestation_told``) or how a measure changed ("a fall in the
    hemoglobin level", ``_measure_changed``), each without the site attributes that name what it
    reached ("adenocarcinoma, metastatic to skin" is no neoplasm of the skin, C44.90) or what it
    lacks: a site told as invaded or denied (``_denied``), and, of a metastatic growth whose primary
    site comes before it, every site after it ("metastatic rectal adenocarcinoma in the cortex of
    the left and right ovaries" is no ovarian primary, C56.1 and C56.2). A mention that is itself
    the spread growth keeps them (``_SECONDARY_GROWTH``)."""
    findings: list[Mention] = []
    structures = [m for m in case.mentions if m.type is EntityType.BIOLOGICAL_STRUCTURE]
    services = default_non_clinical()
    rules = packaged_matcher()[0]
    starts = [s.start for s in case.sentences]
    measures = {
        m.start: m.type for m in case.mentions if m.type in _MEASURES or m.type is EntityType.DATE
    }
    spans = [(m.start, m.end) for m in case.mentions if m.type in types]
    for mention in case.mentions:
        # A mention of the history that no finding mention lies within is the finding it
        # names: the mention model marks "ischemic heart disease" of "a history of ischemic
        # heart disease" as history alone, where it marks "hypertension" beside it as both.
        history = mention.type is _PAST_HISTORY and not any(
            start < mention.end and mention.start < end for start, end in spans
        )
        if (mention.type not in types and not history) or _measure_changed(case, mention, measures):
            continue
        index = bisect_right(starts, mention.start) - 1
        sentence = case.sentences[index] if index >= 0 else Span(start=0, end=len(case.text))
        if (
            services.is_who(normalize_tokens(mention.text))
            or services.is_service(
                case.text, mention.start, mention.end, (sentence.start, sentence.end)
            )
            # The organ donor's facts ("DBD", donation after brain death) are not the patient's.
            or services.is_donors(mention.text, mention.expansion or "")
            or _MEASURE_NAMED.match(case.text, mention.end) is not None
            or _MEASURE_ENDED.search(mention.text) is not None
            or _SOUGHT_NAMED.match(case.text, mention.end) is not None
            or _DEVICE_SHOCK.search(
                case.text, max(0, mention.start - _DEVICE_SHOCK_REACH), mention.end
            )
            is not None
            or (
                _SHOCK_WORD.search(mention.text) is not None
                and _DEVICE_SHOCK_AFTER.match(case.text, mention.end) is not None
            )
            or _SOUGHT_ENDED.search(mention.text) is not None
            or _REGIMEN_NAMED.match(case.text, mention.end) is not None
            or _DIET_NAMED_BEFORE.search(
                case.text, max(0, mention.start - _DIET_REACH), mention.start
            )
            is not None
            or _alert_named(case.text, mention)
            or _likened(case.text, mention)
            or _GENE_NAMED.match(case.text, mention.end) is not None
            or _INSTITUTION_AFTER.match(case.text, mention.end) is not None
            or (
                mention.text[:1].isupper()
                and _INSTITUTION_NAMED_BEFORE.search(case.text, sentence.start, mention.start)
                is not None
            )
            or _induced(case.text, mention, sentence)
            or _gestation_told(case.text, mention)
            or _example_set_aside(case.text, mention, sentence)
            or _in_general(case.text, mention, sentence)
            or told_in_general(case.text, mention, rules)
            or _falls_asleep(case.text, mention)
            or _qualifies_another(case, mention)
            or _POSITIVE_AFTER.match(case.text, mention.end) is not None
            or _organism_found(case.text, mention)
            or any(
                code.system is CodeSystem.HPO
                and gainsaid_by_value(code.code, case.text, mention, case.sentences, starts, rules)
                for code in mention.codes
            )
        ):
            continue
        spread = _METASTATIC.search(
            case.text, max(0, mention.start - _METASTATIC_REACH), mention.end
        ) is not None and any(
            a.name == "site" and a.end <= mention.start for a in mention.attributes
        )
        # A spread growth keeps the sites it reached, but not those denied: "lymph node
        # metastasis without peritoneal dissemination" is no C78.6.
        reached = _SECONDARY_GROWTH.search(mention.text) is not None
        kept = [
            a
            for a in mention.attributes
            if a.name != "site"
            or not (
                _denied(case.text, mention, a)
                or (not reached and (_invaded(case.text, a) or (spread and a.start >= mention.end)))
            )
        ]
        after = _site_of_after(case, mention, structures)
        if after is not None and not any(a.name == "site" for a in kept):
            kept.append(after)
        if kept != mention.attributes:
            mention = mention.model_copy(update={"attributes": kept})
        findings.append(mention)
    return findings


_OF_THE = re.compile(r"\s+of\s+(?:the\s+|his\s+|her\s+)?")
"""What joins a finding to the body structure it is of ("thrombosis of the hepatic artery")."""


def _site_of_after(case: Case, mention: Mention, structures: Sequence[Mention]) -> Attribute | None:
    """The body structure told right after a finding by "of (the)", as its site, which the
    mention model may have tied to another finding: "thrombosis of the hepatic artery with
    extension" is a thrombosis of the artery (I74.8), no thrombosis of unspecified vein
    (I82.90, the Index's default)."""
    joined = _OF_THE.match(case.text, mention.end)
    if joined is None:
        return None
    for structure in structures:
        if structure.start == joined.end():
            return Attribute(
                name="site", start=structure.start, end=structure.end, text=structure.text
            )
    return None


_JOINED = re.compile(r"\s*(?:,\s*)?(?:and|or|,)\s*", re.IGNORECASE)
"""What joins two findings of one list: "and", "or" or a comma."""

_SITE_ATTRIBUTES = frozenset({"site", "laterality"})
"""The attributes that tell where a finding is."""


def _sharing_sites(text: str, findings: Sequence[Mention]) -> list[Mention]:
    """``findings`` with each finding told without a site that is joined to the next finding,
    whose site follows it ("pain and deformity of his right knee", "collapse and consolidation
    of his entire right lung"), given that site too: a phrase after a list of findings tells
    where they all are, while the mention model ties it to the nearest one. A site before the
    next finding ("pain and right knee swelling") is that finding's own, and a finding whose
    own words name a body part is told where it is ("a right simple renal cyst, left
    hydronephroureterosis, a stone in the left ureter": no calculus of the ureter, N20.2)."""
    ordered = sorted(findings, key=lambda m: (m.start, m.end))
    shared: dict[str, list[Attribute]] = {}
    body = load_head_words().body
    for first, second in zip(ordered, ordered[1:], strict=False):
        if any(a.name in _SITE_ATTRIBUTES for a in first.attributes) or body.intersection(
            normalize_tokens(first.text)
        ):
            continue
        if _JOINED.fullmatch(text, first.end, second.start) is None:
            continue
        after = [a for a in second.attributes if a.name in _SITE_ATTRIBUTES]
        if after and all(a.start >= second.end for a in after):
            shared[first.id] = after
    return [
        m.model_copy(update={"attributes": [*m.attributes, *shared[m.id]]}) if m.id in shared else m
        for m in findings
    ]


_DEFINITE_BEFORE = re.compile(r"\b(?:the|this|that|these|those|same)\s+$", re.IGNORECASE)
"""A definite determiner right before a mention: the thing is one told before."""

_DEFINITE_REACH = 8
"""Characters read before a mention for its determiner."""


def linked_findings(
    case: Case,
    findings: Sequence[Mention],
    vocabulary: Icd10cmVocabulary,
    association: Mapping[str, Mapping[str, float]],
    limit: int,
    phenotypes: Phenotypes | None = None,
) -> dict[str, list[MentionCode]]:
    """The ICD-10-CM codes of each of ``findings`` by id (``link_mentions``, read with the
    structures of its sentence), a finding named again carrying those of the one told before
    (``told_before``): what the coding component and the code set's training both read."""
    nearby, apart = _structures_both_ways(case, findings)
    if phenotypes is not None:
        phenotypes = replace(phenotypes, recovered=_recovered(case, findings))
    link = partial(
        link_mentions,
        vocabulary=vocabulary,
        association=association,
        limit=limit,
        nearby=nearby,
        phenotypes=phenotypes,
        patient=case.patient,
        growth_nearby=apart,
    )
    sharing = _sharing_sites(case.text, findings)
    coded = link(sharing)
    # A finding that names no code where the list's site puts it keeps its own reading: an
    # "edema" told with the phalanx of "edema and osteomyelitis of the phalanx" is none of a
    # site no code names, but still an edema.
    unnamed = [at for at, m in enumerate(sharing) if m is not findings[at] and not coded[at]]
    for at, codes in zip(unnamed, link([findings[at] for at in unnamed]), strict=True):
        coded[at] = codes
    relink = partial(
        _linked_as,
        vocabulary=vocabulary,
        association=association,
        limit=limit,
        patient=case.patient,
    )
    named = _joined_findings(case, findings, coded, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _named_by_words_before(case, findings, coded, vocabulary, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _named_organisms(case, findings, coded, vocabulary, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _drug_induced_findings(case, findings, coded, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _procedures_marks(case, findings, coded, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _typed_findings(case, findings, coded, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _closed_findings(case, findings, coded, vocabulary, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _old_findings(case, findings, coded, vocabulary, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _ruptured_findings(case, findings, coded, vocabulary, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _carried_findings(case, findings, coded, vocabulary, relink)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    named = _brains_ventricles(case, findings, coded)
    coded = [named.get(m.id, codes) for m, codes in zip(findings, coded, strict=True)]
    linked = told_before(case, findings, dict(zip((m.id for m in findings), coded, strict=True)))
    linked = told_more_fully(findings, linked, vocabulary)
    # A mention of the history names a finding only by all of its words: its other words
    # tell what the assertion does not read within it ("denied cocaine abuse", "no known
    # history of urinary lithiasis", "pregnancy and childbirth were uneventful").
    history = {m.id for m in findings if m.type is _PAST_HISTORY}
    # "Depression" or "collapse" told only alone goes on with what it is of: "depression of global
    # left ventricular systolic function" is no F32.A, "collapse of the lobe" no R55.
    continued = {
        m.id
        for m in findings
        if " ".join(_linked_words(m.expansion or m.text, vocabulary)) in _LOWERED_OF
        and _OF_AFTER.match(case.text, m.end) is not None
        and not any(a.name == "site" for a in m.attributes)
    }
    return {
        key: []
        if key in continued
        else [c for c in codes if c.score >= 1.0]
        if key in history
        else codes
        for key, codes in linked.items()
    }


_LOWERED_OF = frozenset({"depression", "collapse"})
"""Names of a finding told only alone (``IndexTerms.alone_only``) that, followed by "of", tell
another thing lowered or fallen in: a function, the sensorium, a bone, a lung's lobe."""

_OF_AFTER = re.compile(r"\s+of\s")
"""What joins a finding's name to what it is of, right after it."""


_BARE_FINDING_WORDS = frozenset(
    {"infection", "infections", "syndrome", "disease", "anemia", "anaemia"}
)
"""A finding's words that say only that something infects, or that a syndrome, disease or
anemia is named by the words before it ("Guillain-Barré syndrome", whose accent the mention
model reads as a break, marking "syndrome" alone; "pernicious anaemia", its adjective left
out)."""

_BARE_GROWTH_WORDS = frozenset({"cancer", "carcinoma", "tumor", "tumour"})
"""A growth's words whose site the words before them may name (a title's "Cervical Cancer",
of which the mention model marks "Cancer"): read so only where the finding has no site of its
own and those words name the growth's site."""

_NOT_QUALIFIERS = frozenset(
    {"of", "for", "to", "in", "with", "and", "or", "by", "from", "on", "the", "a", "an", "any"}
    | {"other", "no", "this", "that", "his", "her", "their", "its", "was", "were", "is", "had"}
)
"""Words that end the qualifiers running up to a bare finding word."""

_WORDS_BEFORE = re.compile(
    r"((?:[A-Za-z][\w'-]*\.?\s+){0,3}[A-Za-z][\w'-]*)\s*(?:\([^()]{1,20}\)\s*)?[-\s]$"
)
"""The words right before a bare finding word ("infection"), no more than four, across an
abbreviation in parentheses ("cytomegalovirus (CMV) infection") but no other punctuation."""


_CAUSED_BY = re.compile(
    r"\s*,?\s*(?:due\s+to|caused\s+by|secondary\s+to)\s+"
    r"((?:[A-Za-z][\w'-]*\.?\s+){0,3}[A-Za-z][\w'-]*)"
)
"""What a finding is told to be caused by, right after it: no more than four words."""


def _linked_as(
    mention: Mention,
    words: str,
    *,
    vocabulary: Icd10cmVocabulary,
    association: Mapping[str, Mapping[str, float]],
    limit: int,
    patient: Patient,
) -> list[MentionCode]:
    """The codes of the mention read as ``words``, the words around it that say what it is,
    without its attributes (``link_mentions``)."""
    widened = mention.model_copy(update={"expansion": words, "attributes": []})
    (named,) = link_mentions([widened], vocabulary, association, limit, patient=patient)
    return named


Relink = Callable[[Mention, str], list[MentionCode]]
"""``_linked_as`` with the vocabulary, association lexicon and limit of its coding."""


def _joined_findings(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of two findings told side by side, only spaces between them, whose words
    together are all of a name of another code than either names: the mention model may mark
    one disorder's name as two ("mycosis" and "fungoides" of "mycosis fungoides", C84.0-, no
    B49 Unspecified mycosis); the first carries the code, the second none."""
    found: dict[str, list[MentionCode]] = {}
    ordered = sorted(zip(findings, coded, strict=True), key=lambda pair: pair[0].start)
    for (first, codes), (second, next_codes) in itertools.pairwise(ordered):
        between = case.text[first.end : second.start]
        if not between or between.strip():
            continue
        named = relink(first, f"{first.text} {second.text}")
        told = {c.code for c in named}
        if (
            named
            and named[0].score >= 1.0
            and not told <= {c.code for c in codes}
            and not told <= {c.code for c in next_codes}
        ):
            found[first.id] = named
            found[second.id] = []
    return found


def _named_organisms(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    vocabulary: Icd10cmVocabulary,
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of each finding coded as of an unspecified organism whose cause the words
    right after it name, where the finding with them names another code: "pneumonia due to
    Pneumocystis jirovecii" is B59, no J18.9 Pneumonia, unspecified organism."""
    found: dict[str, list[MentionCode]] = {}
    for mention, codes in zip(findings, coded, strict=True):
        if not any("unspecified organism" in vocabulary.title(c.code).lower() for c in codes):
            continue
        after = _CAUSED_BY.match(case.text, mention.end, mention.end + 80)
        if after is None:
            continue
        named = relink(mention, f"{mention.expansion or mention.text} due to {after.group(1)}")
        # The cause names the organism only where no code is left of an unspecified one
        # ("sepsis secondary to pneumonia" is still A41.9, and no pneumonia of the sepsis's).
        if named and not any(
            "unspecified organism" in vocabulary.title(c.code).lower() for c in named
        ):
            found[mention.id] = named
    return found


_KIND_BEFORE = re.compile(
    r"\b(primary|secondary|essential|idiopathic|hereditary|acute[\s-]+on"
    r"|(?:first|second|third)[\s-]+degree"
    r"|proximal|distal|major|(?:extranodal\s+)?marginal[\s-]+zone"
    r"|type[\s-]*(?:1|2|i{1,2}|one|two))[\s-]+$",
    re.IGNORECASE,
)
"""A word telling a disorder's kind right before a finding the mention model marked without it
("secondary hypertension", "essential thrombocythemia", "hereditary angioedema", D84.1, no T78.3
Angioneurotic edema, "major depressive disorder", F32.9 by
the Index's "Disorder, depressive, major", no F32.A Depression, unspecified, "extranodal marginal
zone B-cell lymphoma", C88.4-, no C85.1- Unspecified B-cell lymphoma, "type 1 diabetes
mellitus", no E11.9 Type 2 diabetes mellitus, the Index's default, "first-degree heart block", the
Index's "proximal humerus fracture", S42.20-, no fracture of its shaft), or the
acute course told on a chronic one ("acute on chronic respiratory failure", J96.2-, whose
mention starts at "chronic")."""


def _named_by_words_before(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    vocabulary: Icd10cmVocabulary,
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of each bare finding word (``_BARE_FINDING_WORDS``) whose qualifiers right
    before it name a code it does not alone: "HIV infection" is B20, "cytomegalovirus (CMV)
    infection" B25.9, not B99.9, Unspecified infectious disease, though the mention model marks
    "infection" alone (and "HIV" as a test, or nothing); "pernicious anaemia" is D51.0. So is a
    bare growth word told without a site (``_BARE_GROWTH_WORDS``) whose qualifiers name its
    site: "Cervical Cancer" is C53.9, no C80.1 Malignant (primary) neoplasm, unspecified. So,
    too, is any finding whose kind the word right before it tells (``_KIND_BEFORE``), where the
    two name a code in full: "secondary hypertension" is I15.9, no I10 Essential (primary)
    hypertension, "essential thrombocythemia" D47.3, no D75.839 Thrombocytosis."""
    found: dict[str, list[MentionCode]] = {}
    for mention, codes in zip(findings, coded, strict=True):
        word = mention.text.lower()
        growth = word in _BARE_GROWTH_WORDS
        # A growth read at a site already (with a structure of its sentence) keeps it.
        if growth and (
            any(a.name == "site" for a in mention.attributes)
            or any(c.code not in vocabulary.unspecified_site for c in codes)
        ):
            continue
        if word not in _BARE_FINDING_WORDS and not growth:
            kind = _KIND_BEFORE.search(case.text, max(0, mention.start - 20), mention.start)
            if kind is None:
                continue
            named = relink(mention, f"{kind.group(1)} {mention.text}")
            # A "primary adenocarcinoma" read at the site of its sentence keeps that site.
            told = {c.code for c in named}
            if (
                named
                and named[0].score >= 1.0
                and not told <= {c.code for c in codes}
                and told.isdisjoint(vocabulary.unspecified_site)
            ):
                found[mention.id] = named
            continue
        before = _WORDS_BEFORE.search(case.text, max(0, mention.start - 60), mention.start)
        if before is None:
            continue
        # Only the words that run up to it qualify it: "any other cause of anemia" names no
        # other anemia.
        words = before.group(1).split()
        qualifiers = list(
            itertools.takewhile(lambda w: w.lower() not in _NOT_QUALIFIERS, reversed(words))
        )
        if not qualifiers:
            continue
        named = relink(mention, f"{' '.join(reversed(qualifiers))} {mention.text}")
        if growth and any(c.code in vocabulary.unspecified_site for c in named):
            continue
        bare = {c.code for c in codes}
        if named and not {c.code for c in named} <= bare:
            found[mention.id] = named
    return found


_INDUCED_BY = re.compile(r"\b([A-Za-z]\w*)[\s-]+induced\b", re.IGNORECASE)
"""A word telling what brought a finding about, hyphened or not before "induced"
("vincristine-induced", "chemotherapy induced")."""

_CAUSE_REACH = 40
"""Characters read before a finding for what induced it."""

_DRUG_CLASSES = frozenset({"chemotherapy", "drug", "medication", "medicine"})
"""Words that name drugs given, whatever their names: "chemotherapy-induced neuropathy" is a
drug-induced one."""


def _drug_induced_findings(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of each finding told induced by a drug the case names as a medication, or by
    chemotherapy, read as "drug-induced", where that names in full a code its words do not:
    the Index sends a finding induced by any drug to its "drug-induced" subterm, so
    "vincristine-induced peripheral neuropathy" is G62.0 Drug-induced polyneuropathy, no G62.9
    Polyneuropathy, unspecified. A finding whose words already name a code in full keeps it
    ("heparin-induced thrombocytopenia", D75.82)."""
    drugs = _DRUG_CLASSES | {
        m.text.lower() for m in case.mentions if m.type is EntityType.MEDICATION
    }
    found: dict[str, list[MentionCode]] = {}
    text = case.text
    for mention, codes in zip(findings, coded, strict=True):
        if mention.expansion:
            continue
        cause = next(
            (
                told
                for told in _INDUCED_BY.finditer(
                    text, max(0, mention.start - _CAUSE_REACH), mention.end
                )
                if told.end() > mention.start or not text[told.end() : mention.start].strip(" -")
            ),
            None,
        )
        if cause is None or cause.group(1).lower() not in drugs:
            continue
        # The words told with the cause name a code in full already ("heparin-induced
        # thrombocytopenia" within the mention or right before it).
        told = relink(mention, text[min(cause.start(), mention.start) : mention.end])
        if told and told[0].score >= 1.0:
            continue
        own = text[mention.start : max(mention.start, cause.start())]
        rest = text[max(mention.start, cause.end()) : mention.end]
        named = relink(mention, f"{own} drug-induced {rest}")
        if (
            named
            and named[0].score >= 1.0
            and not {c.code for c in named} <= {c.code for c in codes}
        ):
            found[mention.id] = named
    return found


_RIGHT_BEFORE = re.compile(r"[\s-]*")
"""What may come between a procedure and a finding it is told with: spaces or a hyphen."""


def _procedures_marks(
    case: Case, findings: Sequence[Mention], coded: Sequence[list[MentionCode]], relink: Relink
) -> dict[str, list[MentionCode]]:
    """The codes of each coded finding told right after a procedure ("cesarean section scar",
    the mention model marking the procedure and "scar" apart), read with the procedure's
    words, where they take codes away: the scar of an operation is its mark, no L90.5 Scar
    conditions of skin ("scar" names it only alone, ``IndexTerms.alone_only``)."""
    procedures = [m for m in case.mentions if m.type is EntityType.THERAPEUTIC_PROCEDURE]
    found: dict[str, list[MentionCode]] = {}
    for mention, codes in zip(findings, coded, strict=True):
        if not codes:
            continue
        procedure = next(
            (
                p
                for p in procedures
                if p.end <= mention.start
                and _RIGHT_BEFORE.fullmatch(case.text, p.end, mention.start) is not None
            ),
            None,
        )
        if procedure is None:
            continue
        named = relink(mention, f"{procedure.text} {mention.expansion or mention.text}")
        if {c.code for c in named} < {c.code for c in codes}:
            found[mention.id] = named
    return found


_TYPE_LETTER = re.compile(r" ([A-E])(?![\w'’-]|\.\w)")
"""A type letter right after a finding ("hepatitis B", "influenza A", "hemophilia A"): one
capital letter standing alone, no initial of a name ("B. cereus")."""

_TYPE_NUMBER = re.compile(r",?\s+(type[\s-]*(?:1|2|i{1,2}|one|two))\b", re.IGNORECASE)
"""A type number right after a finding ("diabetes mellitus type 1", "diabetes type II"): the
diabetes is of that type (E10.9), no E11.9 Type 2 diabetes mellitus, the Index's default."""

_TYPE_LIST = re.compile(r" [A-E](?:\s*,\s*[A-E])*\s*,?\s*(?:and|or|/)\s*[A-E]\b")
"""Type letters listed after a finding ("hepatitis A, B and C", "hepatitis B/C"): the
finding names the tests of each type (a serology, a panel), no disease of the patient."""


def _typed_findings(
    case: Case, findings: Sequence[Mention], coded: Sequence[list[MentionCode]], relink: Relink
) -> dict[str, list[MentionCode]]:
    """The codes of each finding followed by a type letter the mention model left out, read
    with it, where the finding with it names a code its words alone do not: "chronic hepatitis
    B" is B18.1, "hepatitis C" B19.20, no K73.9 or K75.9, a hepatitis of no virus; so is one
    followed by a type number ("diabetes mellitus type 1", E10.9). A finding
    followed by a list of type letters ("normal hepatitis A, B, and C serology") names tests,
    and carries no code."""
    found: dict[str, list[MentionCode]] = {}
    for mention, codes in zip(findings, coded, strict=True):
        if mention.expansion:
            continue
        if _TYPE_LIST.match(case.text, mention.end):
            found[mention.id] = []
            continue
        letter = _TYPE_LETTER.match(case.text, mention.end) or _TYPE_NUMBER.match(
            case.text, mention.end
        )
        if letter is None:
            continue
        named = relink(mention, f"{mention.text} {letter.group(1)}")
        if named and not {c.code for c in named} <= {c.code for c in codes}:
            found[mention.id] = named
    return found


_WORD_AFTER = re.compile(r" ([a-z]{3,})\b")
"""A lower-case word right after a finding, no punctuation between."""


def _closed_findings(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    vocabulary: Icd10cmVocabulary,
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of each finding followed by the word that closes a title or an inclusion term
    after its last word (``Icd10cmVocabulary.closing_pairs``), which the mention model left out,
    read with it where it names a code its words alone do not: "thalassemia minor" is D56.3, no
    D56.9 Thalassemia, unspecified; "myasthenia gravis" G70.00."""
    found: dict[str, list[MentionCode]] = {}
    for mention, codes in zip(findings, coded, strict=True):
        words = normalize_tokens(mention.text)
        after = _WORD_AFTER.match(case.text, mention.end)
        if mention.expansion or not words or after is None:
            continue
        if (words[-1], after.group(1)) not in vocabulary.closing_pairs:
            continue
        named = relink(mention, f"{mention.text} {after.group(1)}")
        if named and not {c.code for c in named} <= {c.code for c in codes}:
            found[mention.id] = named
    return found


_UNRUPTURED_TITLE = re.compile(r"\bwithout rupture\b|\bnonruptured\b")
"""What the title of an aneurysm's or a dissection's code says of one that has not ruptured
("Aneurysm of the aortic arch, without rupture", "Cerebral aneurysm, nonruptured")."""

_RUPTURE_TOLD = re.compile(r"\bruptur(?:e|es|ed|ing)\b", re.IGNORECASE)
_NO_RUPTURE_TOLD = re.compile(
    r"\b(?:un|non-?)ruptured\b|\b(?:without|no)\s+(?:\w+\s+){0,3}?rupture\b", re.IGNORECASE
)
"""A rupture told in a sentence, and one denied there ("unruptured", "without signs of
rupture")."""


def _ruptured_findings(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    vocabulary: Icd10cmVocabulary,
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of each finding coded as an unruptured aneurysm or dissection (the Index's
    default where no rupture is said) in a sentence that tells a rupture, read with
    "ruptured": "a massive hemothorax due to rupture of a saccular aneurysm of the aortic arch"
    is I71.12, no aneurysm of the arch "without rupture" (I71.22). Where no code names it
    ruptured, it carries none: the default would say what the text contradicts."""
    found: dict[str, list[MentionCode]] = {}
    starts = [s.start for s in case.sentences]
    for mention, codes in zip(findings, coded, strict=True):
        if not any(_UNRUPTURED_TITLE.search(vocabulary.title(c.code)) for c in codes):
            continue
        index = bisect_right(starts, mention.start) - 1
        sentence = case.sentences[index] if index >= 0 else Span(start=0, end=len(case.text))
        told = case.text[sentence.start : sentence.end]
        if _RUPTURE_TOLD.search(told) is None or _NO_RUPTURE_TOLD.search(told) is not None:
            continue
        sites = " ".join(a.text for a in _naming_attributes(mention))
        named = relink(mention, f"ruptured {mention.expansion or mention.text} {sites}")
        found[mention.id] = [
            c for c in named if _UNRUPTURED_TITLE.search(vocabulary.title(c.code)) is None
        ]
    return found


_OLD = re.compile(r"(?<![\w-])(?:old|healed)\s+$", re.IGNORECASE)
""""Old" or "healed" right before a finding or the attributes that run up to it: the finding
is past, and the Index codes it so ("Infarction, myocardial, old", I25.2), where a finding's
own words would name the acute one; "45-year-old" says an age."""

_OLD_WORD = "old"
"""The word a past finding is read with (``_old_findings``)."""

_OLD_REACH = 12
"""Characters read before a finding for "old" or "healed"."""


def _old_findings(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    vocabulary: Icd10cmVocabulary,
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of each coded finding told "old" or "healed", or of the past history, read
    as old, where that names a code the finding's words do not: "an old inferior wall MI" is
    I25.2 Old myocardial infarction, no I21.19, an acute infarction of the inferior wall, and so
    is "a history of myocardial infarction" (the Index's "History, personal, myocardial
    infarction"). The mention model leaves the word out, and the finding's site may lie between
    ("inferior wall")."""
    found: dict[str, list[MentionCode]] = {}
    for mention, codes in zip(findings, coded, strict=True):
        if not codes:
            continue
        start = mention.start
        for attribute in sorted(mention.attributes, key=lambda a: a.end, reverse=True):
            if attribute.end <= start and not case.text[attribute.end : start].strip():
                start = attribute.start
        told_old = _OLD.search(case.text, max(0, start - _OLD_REACH), start) is not None
        if not told_old and mention.assertion is not Assertion.HISTORICAL:
            continue
        # Only a code named as old is the finding's: read without its attributes, the finding
        # may name less than it did ("hepatitis" of a past "hepatitis C").
        words = f"{_OLD_WORD} {mention.expansion or mention.text}"
        named = _named_as(mention, words, _OLD_WORD, vocabulary, relink)
        if named:
            found[mention.id] = named
    return found


def _named_as(
    mention: Mention, words: str, marker: str, vocabulary: Icd10cmVocabulary, relink: Relink
) -> list[MentionCode]:
    """The codes ``relink`` gives the mention read as ``words`` that an alias holding the word
    ``marker`` names ("old", "carrier"): the codes of the finding so told, and no others."""
    marked = {
        code
        for key in vocabulary.named_subsets(_linked_words(words, vocabulary))
        if marker in key.split(" ")
        for code in vocabulary.aliases[key]
    }
    return [code for code in relink(mention, words) if code.code in marked]


_CARRIER_BEFORE = re.compile(r"\bcarriers?\s+of\s+$", re.IGNORECASE)
""""Carrier of" right before a finding: the patient carries its agent."""

_CARRIER_AFTER = re.compile(r"(\s+[A-E]\b)?(?:\s+virus)?\s+carriers?\b")
"""A finding's type letter, "virus" and "carrier" right after it ("hepatitis B virus
carrier")."""

_CARRIER_WORD = "carrier"
"""The word a carried finding is read with (``_carried_findings``)."""

_CARRIER_REACH = 12
"""Characters read before a finding for "carrier of"."""


def _carried_findings(
    case: Case,
    findings: Sequence[Mention],
    coded: Sequence[list[MentionCode]],
    vocabulary: Icd10cmVocabulary,
    relink: Relink,
) -> dict[str, list[MentionCode]]:
    """The codes of each coded finding told as carried ("an inactive carrier of hepatitis B",
    "a hepatitis B virus carrier"), read with "carrier", where that names a code whose name
    says so: ICD-10-CM 2026 codes a carrier of hepatitis B as B18.1 (its inclusion term
    "Carrier of viral hepatitis B"), no B19.10 Unspecified viral hepatitis B. The mention
    model leaves the word out, and the type letter may lie between."""
    found: dict[str, list[MentionCode]] = {}
    for mention, codes in zip(findings, coded, strict=True):
        if not codes:
            continue
        own = mention.expansion or mention.text
        before = _CARRIER_BEFORE.search(
            case.text, max(0, mention.start - _CARRIER_REACH), mention.start
        )
        after = _CARRIER_AFTER.match(case.text, mention.end)
        if before is None and after is None:
            continue
        letter = _TYPE_LETTER.match(case.text, mention.end) if after is None else after
        typed = letter.group(1).strip() if letter is not None and letter.group(1) else ""
        words = f"{_CARRIER_WORD} of {own} {typed}".strip()
        named = _named_as(mention, words, _CARRIER_WORD, vocabulary, relink)
        if named:
            found[mention.id] = named
    return found


_VENTRICLE = re.compile(r"\bventric(?:le|les|ular)\b", re.IGNORECASE)
"""A ventricle's word, which names the heart's or the brain's."""

_BRAIN_TOLD = re.compile(
    r"\b(?:brain|cerebr\w*|cerebell\w*|head|(?:intra)?cranial|hydroceph\w*|periventricular"
    r"|(?:lateral|third|fourth)\s+ventricles?|ventriculo\w*|CSF|sulci|cisterns?|white\s+matter"
    r"|encephal\w*)\b",
    re.IGNORECASE,
)
"""Words telling of the brain and its ventricles ("brain CT", "periventricular lucency", "the
lateral ventricles")."""

_HEART_TOLD = re.compile(
    r"\b(?:heart|cardi\w*|echocardi\w*|myocardi\w*|atri(?:a|al|um)|(?:left|right|bi)"
    r"[\s-]*ventric\w*|LV|RV|LVEF|ejection|systol\w*|diastol\w*|valv\w*|mitral|tricuspid"
    r"|pericardi\w*)\b",
    re.IGNORECASE,
)
"""Words telling of the heart ("echocardiography", "left ventricular", "ejection fraction")."""

_HEART_CHAPTER = ("I0", "I1", "I2", "I3", "I4", "I50", "I51", "I52")
"""Code prefixes of the diseases of the heart (I00-I52); those of the brain's vessels (I60-I69,
"intraventricular hemorrhage" I61.5) are not among them."""


def _brains_ventricles(
    case: Case, findings: Sequence[Mention], coded: Sequence[list[MentionCode]]
) -> dict[str, list[MentionCode]]:
    """The codes of each finding, less those of the heart, whose words name the heart only by
    a ventricle in a sentence that tells of the brain and not of the heart: the Index's
    "Dilatation, ventricular" is the heart's (I51.7 Cardiomegaly), but "brain CT showed
    dilatation of the ventricles" tells of the brain's."""
    found: dict[str, list[MentionCode]] = {}
    starts = [s.start for s in case.sentences]
    for mention, codes in zip(findings, coded, strict=True):
        if not any(c.code.startswith(_HEART_CHAPTER) for c in codes):
            continue
        words = " ".join([mention.text, *(a.text for a in _naming_attributes(mention))])
        if _VENTRICLE.search(words) is None or _HEART_TOLD.search(words) is not None:
            continue
        index = bisect_right(starts, mention.start) - 1
        sentence = case.sentences[index] if index >= 0 else Span(start=0, end=len(case.text))
        told = case.text[sentence.start : sentence.end]
        if _BRAIN_TOLD.search(told) is not None and _HEART_TOLD.search(told) is None:
            found[mention.id] = [c for c in codes if not c.code.startswith(_HEART_CHAPTER)]
    return found


def told_before(
    case: Case, findings: Sequence[Mention], linked: Mapping[str, list[MentionCode]]
) -> dict[str, list[MentionCode]]:
    """``linked`` with each finding named again by the words of one told before carrying that
    finding's codes: after "an incidental left retroperitoneal hematoma" (K68.3), "the size of
    the hematoma" names the same hematoma, not what its bare word names (T14.8, an injury of
    unspecified body region). A mention is named again when a definite determiner comes right
    before it, it has no site of its own, and its words are among those of the nearest earlier
    finding told as present with codes and the same last word, with that finding's details (a
    suspected "Tarlov cyst" does not name "the cyst" found at surgery)."""
    result = dict(linked)
    earlier: dict[str, Mention] = {}
    for mention in sorted(findings, key=lambda m: (m.start, m.end)):
        coded = bool(result.get(mention.id)) and mention.assertion is Assertion.PRESENT
        definite = _DEFINITE_BEFORE.search(
            case.text, max(0, mention.start - _DEFINITE_REACH), mention.start
        )
        if not (coded or definite):
            continue
        words = normalize_tokens(mention.text)
        if not words:
            continue
        before = earlier.get(words[-1])
        if (
            definite
            and before is not None
            and not any(a.name == "site" for a in mention.attributes)
            and _told_words(before).issuperset(words)
        ):
            result[mention.id] = result[before.id]
            continue
        if coded:
            earlier[words[-1]] = mention
    return result


def told_more_fully(
    findings: Sequence[Mention],
    linked: Mapping[str, list[MentionCode]],
    vocabulary: Icd10cmVocabulary,
) -> dict[str, list[MentionCode]]:
    """``linked`` with each present finding that the case tells more fully elsewhere
    (``_told_within``) carrying the codes of the fuller name, where those are of its own codes'
    category and every fuller name present carries the same: a report that says
    "rhegmatogenous retinal detachment" (H33.00-) means that one by "the retinal detachment was
    repaired", not the Index's default for the bare words (H33.2-, Serous retinal
    detachment). A fuller name of another category is another disease ("portal hypertension"
    beside "hypertension"), and fuller names that differ leave the bare words theirs."""
    result = dict(linked)
    present = [m for m in findings if m.assertion is Assertion.PRESENT and linked.get(m.id)]
    # Only names ending in the same word can tell one another more fully, and mentions of the
    # same words are compared once: a long report repeats its findings many times over.
    named: dict[str, dict[frozenset[str], list[Mention]]] = {}
    for mention in present:
        words = normalize_tokens(mention.text)
        if words:
            named.setdefault(words[-1], {}).setdefault(_naming_words(mention), []).append(mention)
    body = load_head_words().body
    place = {m.id: index for index, m in enumerate(present)}
    for by_words in named.values():
        for told_words, mentions in by_words.items():
            fuller = [
                o
                for other_words, others in by_words.items()
                if told_words < other_words and not (other_words - told_words) & body
                for o in others
            ]
            told = {frozenset(c.code for c in linked[o.id]) for o in fuller}
            if len(told) != 1:
                continue
            (codes,) = told
            first = min(fuller, key=lambda o: place[o.id])
            for mention in mentions:
                own = {c.code for c in linked[mention.id]}
                categories = {vocabulary.category(code) for code in own}
                if codes != own and all(vocabulary.category(code) in categories for code in codes):
                    result[mention.id] = linked[first.id]
    return result


def _told_words(mention: Mention) -> frozenset[str]:
    """A finding's words with those of its attributes ("hematoma" told with its site
    "left retroperitoneal")."""
    return frozenset(
        {
            *normalize_tokens(mention.text),
            *(w for a in mention.attributes for w in normalize_tokens(a.text)),
        }
    )


_SIDE_WORDS = frozenset(_SIDE_TITLES)
"""The words of a side ("right", "left")."""


_WITHOUT_WORD = "without"
"""The word that denies the words after it in a finding's name."""


def _named_codes(words: Sequence[str], vocabulary: Icd10cmVocabulary) -> dict[str, float]:
    """The codes the largest alias subsets of ``words`` (distinct words) name, each with the
    share it covers."""
    # Words after "without" are denied: "walking without difficulty" is no R26.2 Difficulty in
    # walking, though an alias holding "without" names them so ("vomiting without nausea").
    denied = set(words[words.index(_WITHOUT_WORD) + 1 :]) if _WITHOUT_WORD in words else set()
    subsets = {
        key: frozenset(key.split(" "))
        for key in vocabulary.named_subsets(words)
        if (key not in vocabulary.alone_only or len(key.split(" ")) == len(set(words)))
        and (_WITHOUT_WORD in key.split(" ") or denied.isdisjoint(key.split(" ")))
    }
    leaves = {
        key: all(
            vocabulary.is_billable(code)
            or vocabulary.unspecified_leaf(code)
            or vocabulary.told_leaf(code, None)
            for code in vocabulary.aliases[key]
        )
        for key in subsets
    }
    best: dict[str, float] = {}
    for key, alias in subsets.items():
        # An alias that names only a side besides fewer words of another, whose codes reach a
        # leaf, is that one's finding told less fully: the side is read apart (``_sided``), so
        # "right femoral neck fracture" is S72.00-, the neck of the femur, no Unspecified
        # fracture of right femur.
        if any(
            alias < longer
            or (alias - _SIDE_WORDS < longer - _SIDE_WORDS and leaves[" ".join(sorted(longer))])
            for longer in subsets.values()
        ):
            continue
        for code in vocabulary.aliases[key]:
            best[code] = max(best.get(code, 0.0), len(alias) / len(words))
    return best


def logistic(features: Mapping[str, float], settings: CodeSetSettings) -> float:
    """The fitted probability ``σ(b + Σ wᵢ xᵢ)`` that a candidate is a code of the document."""
    z = settings.bias + sum(settings.weights.get(n, 0.0) * v for n, v in features.items())
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def candidates(
    case: Case,
    ranked: Mapping[str, Mapping[str, float]],
    linked: Mapping[str, Sequence[MentionCode]],
    vocabulary: Icd10cmVocabulary,
    settings: CodeSetSettings,
) -> list[Candidate]:
    """The supported candidate codes of a case, with their features, unscored.

    Args:
        case: The case, mentions asserted.
        ranked: The ranker's codes → their signals (``linear``, ``dictionary``).
        linked: Mention id → the codes it carries (``link_mentions``).
        vocabulary: ICD-10-CM 2026.
        settings: The code-set settings.
    """
    by_category: dict[str, list[tuple[Mention, MentionCode]]] = {}
    starts = [s.start for s in case.sentences]
    for mention in case.mentions:
        index = bisect_right(starts, mention.start) - 1
        sentence = case.sentences[index] if index >= 0 else Span(start=0, end=len(case.text))
        if _tested_for(case.text, mention, sentence):
            # The mention keeps its codes, which the ranker reads; it supports none of the case.
            continue
        for coded in supported_codes(mention, linked.get(mention.id, ()), settings):
            by_category.setdefault(vocabulary.category(coded.code), []).append((mention, coded))
    codes = dict.fromkeys(ranked)
    codes.update(dict.fromkeys(c.code for pairs in by_category.values() for _, c in pairs))
    found: list[Candidate] = []
    for code in codes:
        if vocabulary.untold_injury(code, case.text):
            continue
        lineage = [
            (m, c)
            for m, c in by_category.get(vocabulary.category(code), [])
            if (c.code == code or vocabulary.is_descendant(c.code, code))
            and (m.assertion is Assertion.PRESENT or is_chronic(code))
        ]
        if not lineage:
            continue
        exact = [(m, c) for m, c in lineage if c.code == code]
        named = exact or lineage
        signals = ranked.get(code, {})
        mention_ids = list(dict.fromkeys(m.id for m, _ in named))
        features = {
            "linear": signals.get("linear", 0.0),
            "dictionary": signals.get("dictionary", 0.0),
            "mention_exact": 1.0 if exact else 0.0,
            "mention_lineage": 0.0 if exact else 1.0,
            "link": max(c.score for _, c in named),
            "mentions": math.log1p(len(mention_ids)),
            "billable": 1.0 if vocabulary.is_billable(code) else 0.0,
            "historical": float(all(m.assertion is Assertion.HISTORICAL for m, _ in named)),
        }
        spans = sorted({(_named_start(case.text, m), m.end) for m, _ in named})
        found.append(
            Candidate(
                code=code,
                features=features,
                mentions=mention_ids,
                evidence=[Span(start=s, end=e) for s, e in spans],
            )
        )
    return _without_unspecified_sites(found, vocabulary)


_RIGHT_BESIDE = re.compile(r"[ -]{1,2}")
"""What may part a finding's name from the words told right before it: a space, a hyphen."""


def _named_start(text: str, mention: Mention) -> int:
    """Where the words naming the mention's code begin: at the mention, or at the first of the
    site, side and detail attributes written right before it, which name the code with it
    ("tinea capitis", the site "tinea" marked apart from "capitis"; "right hemiparesis"), so
    that the evidence shown is the finding's whole name."""
    start = mention.start
    before = sorted(
        (a for a in mention.attributes if a.name in _NAMING_ATTRIBUTES and a.end <= start),
        key=lambda a: -a.end,
    )
    for attribute in before:
        if attribute.end < start and _RIGHT_BESIDE.fullmatch(text, attribute.end, start) is None:
            break
        start = min(start, attribute.start)
    return start


def _without_unspecified_sites(
    found: list[Candidate], vocabulary: Icd10cmVocabulary
) -> list[Candidate]:
    """The candidates less those of a neoplasm of unspecified site (C80.1) when another gives
    the site of a neoplasm of its kind (C34.90): the case has said where the tumour is."""
    codes = [c.code for c in found]
    return [c for c in found if not any(vocabulary.site_given(other, c.code) for other in codes)]


def _same_finding(unspecified: str, other: str) -> bool:
    """Whether two titles name one finding: their last content words are one ("Upper abdominal
    pain, unspecified" and "Right upper quadrant pain"), or the other holds every word of the
    first that names no body part (``_told_in_full``)."""
    first, second = content_words(unspecified), content_words(other)
    if first and second and first[-1] == second[-1]:
        return True
    return _told_in_full(unspecified, other)


def _told_in_full(unspecified: str, other: str) -> bool:
    """Whether the title ``other`` holds every word of ``unspecified`` that names no body part
    ("Pain in unspecified joint" and "Pain in right knee")."""
    body = load_head_words().body
    return {w for w in content_words(unspecified) if w not in body} <= set(content_words(other))


def _side_told(unsided: str, other: str, vocabulary: Icd10cmVocabulary) -> bool:
    """Whether ``other`` is ``unsided``'s sibling whose title tells the side the other's
    leaves unspecified ("Unspecified fracture of left acetabulum" beside "Unspecified fracture
    of unspecified acetabulum"), in its subcategory or another of its category ("Unspecified
    fracture of right femur", S72.91-, beside "… of unspecified femur", S72.90-): the case has
    told the side."""
    if other == unsided or vocabulary.category(other) != vocabulary.category(unsided):
        return False
    title, told = vocabulary.title(unsided).lower(), vocabulary.title(other).lower()
    if title == told:
        # A subcategory titled as its leaf ("Other polyuria", R35.8 and R35.89) tells nothing.
        return False
    for side in (said for sides in _SIDE_TITLES.values() for said in sides):
        if re.sub(r"\bunspecified\b", side, title) == told:
            return True
        for at in re.finditer(r"\bunspecified\b", title):
            if f"{title[: at.start()]}{side}{title[at.end() :]}" == told:
                return True
    return False


_OTHER_AND_UNSPECIFIED = re.compile(r"^Other and unspecified\b", re.IGNORECASE)
"""The title of a subcategory gathering its category's unspecified leaf with the other kinds
("Other and unspecified atrioventricular block", I44.3)."""


def _refines(other: str, unspecified: str, vocabulary: Icd10cmVocabulary) -> bool:
    """Whether ``other`` tells the finding the leaf ``unspecified`` leaves untold: it lies
    below the leaf's parent and names the same finding (``_same_finding``), or, where the
    parent gathers its category's other and unspecified kinds, it is a leaf of the category
    that leaves nothing unspecified itself and holds every word of the leaf's title
    (``_told_in_full``): "Unspecified atrioventricular block", I44.30, beside
    "Atrioventricular block, first degree", I44.0, but not "Unspecified right bundle-branch
    block", I45.10, beside "Bifascicular block", I45.2, another block."""
    parent = vocabulary.parent(unspecified)
    if parent is None or other in (unspecified, parent):
        return False
    title, told = vocabulary.title(unspecified), vocabulary.title(other)
    if vocabulary.is_descendant(other, parent):
        return _same_finding(title, told)
    return (
        _OTHER_AND_UNSPECIFIED.match(vocabulary.title(parent)) is not None
        and vocabulary.is_descendant(other, vocabulary.category(parent))
        and _LEFT_UNSAID.search(told) is None
        and _told_in_full(title, told)
    )


def resolve_leaves(
    scored: Sequence[Candidate], vocabulary: Icd10cmVocabulary
) -> list[tuple[Candidate, bool]]:
    """Each candidate as the billable code it stands for, and whether it stays a category.

    A category that another candidate refines is left out (the finer code says it); else it
    becomes its "unspecified" leaf; else it stays, marked a category. An "unspecified" leaf
    whose category another candidate of the same finding (the titles' last word) refines is
    left out too: "Upper abdominal pain, unspecified" beside "Right upper quadrant pain" says
    the site is not known, which the other denies; "Unspecified abdominal pain" beside "Left
    lower quadrant abdominal tenderness" stays, a tenderness being no pain. Two candidates that
    end as the same code keep the better.
    """
    present = {c.code for c in scored}
    chosen: dict[str, tuple[Candidate, bool]] = {}
    for candidate in sorted(scored, key=lambda c: (-c.score, c.code)):
        code = candidate.code
        category = False
        parent = vocabulary.parent(code) if code in vocabulary else None
        if (
            parent is not None
            and vocabulary.unspecified_leaf(parent) == code
            and any(_refines(other, code, vocabulary) for other in present)
        ) or any(_side_told(code, other, vocabulary) for other in present):
            continue
        if code in vocabulary and not vocabulary.is_billable(code):
            if any(vocabulary.is_descendant(other, code) for other in present):
                continue
            leaf = vocabulary.unspecified_leaf(code)
            if leaf is None:
                category = True
            else:
                code = leaf
        if code not in chosen:
            kept = Candidate(
                code=code,
                features=candidate.features,
                mentions=candidate.mentions,
                evidence=candidate.evidence,
                score=candidate.score,
            )
            chosen[code] = (kept, category)
    return list(chosen.values())
