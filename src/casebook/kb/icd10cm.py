"""ICD-10-CM 2026: the codes casebook may show, their titles, and which of them are billable.

The classification comes from the ``simple-icd-10-cm`` wheel (ICD-10-CM 2026, CMS/NCHS, public
domain) at build time; ``build_icd10cm_resource`` writes the part casebook reads at run time as
gzip-compressed JSON, ``resources/icd10cm.json.gz``, so that running casebook needs neither that
package nor its load time. Rebuild it after upgrading the package::

    python -m casebook.kb.icd10cm src/casebook/resources/icd10cm.json.gz

Codes are kept in the form CodiEsp and ``casebook.coding`` write them: with the dot, and a code
that takes a 7th character (injuries, external causes, obstetrics) without it (``S72.001``),
since case reports do not say which encounter they tell. Such a stem counts as billable: the
text determines everything it can. Its title is the one of its nearest titled ancestor.

File layout::

    {"format": 2, "system": "icd10cm", "version": "ICD-10-CM 2026", "source": "…",
     "licence": "…", "codes": [[code, title, billable, [inclusion terms…], [aliases…]], …]}

The hierarchy is the codes' own: a code's parent is the longest listed code it extends
(``R51.9`` → ``R51``).

**Aliases.** A code is named by its title, its title before ", unspecified" ("Pneumonia,
unspecified organism" → "Pneumonia"), its inclusion terms, and each of these without the
classification's non-essential modifiers in parentheses and its "NOS" / "not elsewhere
classified" qualifiers. An alias is kept as the set of its content words (``alias_words``: the
normalisation of ``casebook.kb.base``, function words and "unspecified" dropped; "without"
kept, so "vomiting" never names "Vomiting without nausea"). The file stores them, so loading
needs no normalisation. ``resources/icd10cm_index.json`` adds the names the ICD-10-CM
Alphabetic Index gives common findings that no title or inclusion term spells
("hypertension" → I10), since no wheel ships the Index. Words that name a billable code and
a category of another branch name the code alone (``billable_first``).
"""

from __future__ import annotations

import itertools
import re
import sys
import warnings
from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, field_validator

from casebook.cache import digest, load_or_build
from casebook.caseless import fold, folded_pattern
from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import normalize_tokens, read_vocabulary_file, write_vocabulary_file
from casebook.model import RecordModel, Sex
from casebook.resources import load_rules, resource_path

RESOURCE = "icd10cm.json.gz"
"""The packaged file's name under ``casebook/resources``."""

LICENCE = (
    "ICD-10-CM 2026 (National Center for Health Statistics / CMS), a US government work in "
    "the public domain, as distributed by the simple-icd-10-cm package (MIT licence)."
)

_FORMAT = 2

INDEX_RESOURCE = "icd10cm_index.json"
"""Alphabetic Index names of common findings, added to the codes' aliases."""

_FUNCTION_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "due", "for", "from", "in", "into", "of", "on", "or"}
    | {"the", "to", "with", "site", "unspecified", "specified"}
)
_ANY_SITE = ", any site"
"""How a tabular term says its code holds at every site."""

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_QUALIFIERS = re.compile(
    r",?\s*\b(?:not elsewhere classified|not otherwise specified|NOS)\b", re.IGNORECASE
)


def content_words(text: str) -> list[str]:
    """The normalised content words of a text, in text order (see the module docstring).

    The word "non" is one word with the word it denies, however written: "non-bilious
    vomiting", "non bilious vomiting" and "nonbilious vomiting" are ``nonbilious vomiting``,
    which names no Bilious vomiting, and "non-ST elevation myocardial infarction" is the
    Index's NSTEMI, not its STEMI. A type named by the letter A is a word of its own
    (``_LETTER_A``): "hepatitis A" is hepatitis A, not hepatitis. An eponym's possessive is
    dropped (``_POSSESSIVE``): "Hashimoto thyroiditis" names Hashimoto's thyroiditis."""
    words: list[str] = []
    denying = False
    typed = _LETTER_A.sub(_TYPE_A, text) if " A" in text else text
    if "'" in typed or "’" in typed:
        typed = _POSSESSIVE.sub("", typed)
    for word in normalize_tokens(typed):
        if word == "non":
            denying = True
            continue
        if word in _FUNCTION_WORDS:
            continue
        words.append(f"non{word}" if denying else word)
        denying = False
    return words


def alias_words(text: str) -> frozenset[str]:
    """The content words an alias or a mention is compared by."""
    return frozenset(content_words(text))


_UNSPECIFIED_TAIL = re.compile(
    r", unspecified(?: (?:site|organism|type|cause|part|body region|region))?$"
)
"""A title's last qualifier that leaves its head naming the code ("Pneumonia, unspecified
organism"); other tails ("Blister, unspecified hip": the site is named, its side is not) do
not."""


_PAIR = re.compile(r"^(\w+) and (\w+)$")
"""A billable code titled by two findings, one word each ("Anuria and oliguria"): each names
it. A category so titled ("Nausea and vomiting") only groups codes for each."""


_LETTER_A = re.compile(r"(?<=[A-Za-z] )A\b(?!\.)")
"""A type named by the letter A ("Hepatitis A", "Vitamin A deficiency", "Type A blood"): as a
content word it would be lost with the article "a", leaving "hepatitis" naming hepatitis A; it
is read as the word ``_TYPE_A``."""

_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['’]s\b")
"""An eponym's possessive ("Crohn's disease"): reports write it both with and without
("Crohn disease", "Hashimoto thyroiditis"), and its "s" would be a content word the other
spelling lacks."""

_TYPE_A = "typea"
"""The word a type letter A is read as (``_LETTER_A``)."""


_ACRONYM = re.compile(r"[A-Z]{2,}(?:-[A-Z]+)*")
"""A term that is an acronym of letters ("PRES", "ALL", "TACO"): read as words it becomes an
everyday word ("pre", "all", "taco") naming the code wherever a mention holds it; an
abbreviation names its code through its long form (``casebook.nlp.abbreviations``). Names with
digits ("COVID-19", "HER2") stay aliases."""


_MANIFESTATION = re.compile(
    r"\bin (?:diseases|conditions) classified elsewhere\b|\bin Lyme disease\b", re.IGNORECASE
)
"""A manifestation code's title ("Glomerular disorders in diseases classified elsewhere",
"Other neurologic disorders in Lyme disease"): its inclusion terms ("Nephritis",
"Polyneuropathy") are that manifestation of another disease, coded first, and name no code
alone; "nephritis" alone is N05.9, not N08, and "polyneuropathy" G62.9, not A69.22."""


_NAMED_GLAND = re.compile(
    r"\b(thyroid|parathyroid|adrenal|pituitary|parotid|submandibular|sublingual|lacrimal|pineal)"
    r" glands?\b",
    re.IGNORECASE,
)
"""A gland its adjective names alone: "thyroid cancer" is of the thyroid gland (C73)."""


def code_aliases(title: str, inclusion: Iterable[str], billable: bool = True) -> list[str]:
    """The distinct aliases of a code, each as its sorted content words joined by spaces; a
    term made of an acronym (``_ACRONYM``) gives none, nor does an inclusion term of a
    manifestation code (``_MANIFESTATION``). A gland its adjective names is also named without
    "gland" (``_NAMED_GLAND``)."""
    head = _UNSPECIFIED_TAIL.sub("", title)
    pair = _PAIR.match(head) if billable else None
    included = [] if _MANIFESTATION.search(title) else list(inclusion)
    terms = [title, head, *(pair.groups() if pair else ()), *included]
    keys: dict[str, None] = {}
    for term in terms:
        if _ACRONYM.fullmatch(term.strip()):
            continue
        plain = _PARENTHESES.sub(" ", _QUALIFIERS.sub(" ", term))
        for form in (term, plain, _NAMED_GLAND.sub(r"\1", term), _NAMED_GLAND.sub(r"\1", plain)):
            words = alias_words(form)
            if words:
                keys[" ".join(sorted(words))] = None
    return list(keys)


_ACUTE_VEIN_THROMBOSIS = re.compile(r"^Acute embolism and thrombosis of (.+)$")
"""The title of a vein's acute thrombosis (I82.4-, "Acute embolism and thrombosis of left
popliteal vein"), the Index's "Thrombosis, vein (acute)" and "Embolism, vein (acute)" at that
vein: "acute" is its nonessential modifier, and either finding names it alone."""


_DEEP_VEINS = "of deep veins"
"""What the title of a category of deep veins' thromboses says (I82.4, I82.62)."""


def _vein_thrombosis_aliases(title: str, deep: bool) -> list[str]:
    """The aliases a vein's acute thrombosis is named by as the Index names it: a thrombosis or
    an embolism of the vein, acute or not said ("popliteal vein thrombosis" is I82.43-), and,
    of a ``deep`` vein, its deep vein thrombosis ("popliteal deep vein thrombosis")."""
    vein = _ACUTE_VEIN_THROMBOSIS.match(title)
    # "Acute embolism and thrombosis of unspecified vein" names no vein: a thrombosis of a vein
    # named elsewhere ("of the superior mesenteric vein", K55.0) is none of it.
    if vein is None or not alias_words(vein.group(1)) - {"vein"}:
        return []
    findings = (
        ("thrombosis", "embolism", "deep vein thrombosis") if deep else ("thrombosis", "embolism")
    )
    return [" ".join(sorted(alias_words(f"{finding} of {vein.group(1)}"))) for finding in findings]


_EMBOLISM_AND_THROMBOSIS = re.compile(
    r"^(?:Other arterial )?[Ee]mbolism and thrombosis of (?:unspecified parts of )?(.+)$"
)
"""The title of a vessel's embolism and thrombosis, acute or not said (I74.- of the arteries
and the aorta, "Embolism and thrombosis of iliac artery"; I82.- of some veins)."""


def _vessel_thrombosis_aliases(title: str) -> list[str]:
    """The aliases of a billable vessel's embolism and thrombosis as the Index names them: a
    thrombosis or an embolism of the vessel ("Thrombosis, aorta" I74.10, "iliac artery
    thrombosis" I74.5); a title of an "other" or "unspecified" vessel names none."""
    vessel = _EMBOLISM_AND_THROMBOSIS.match(title)
    if vessel is None or vessel.group(1).startswith(("other", "unspecified")):
        return []
    return [
        " ".join(sorted(alias_words(f"{finding} of {vessel.group(1)}")))
        for finding in ("thrombosis", "embolism")
    ]


_UNRUPTURED = re.compile(r"^(.+?),? (?:without rupture|nonruptured)(?:, unspecified)?$")
"""The title of an aneurysm or a dissection told unruptured ("Abdominal aortic aneurysm, without
rupture", "Cerebral aneurysm, nonruptured")."""


def _unruptured_aliases(title: str) -> list[str]:
    """The alias of an unruptured aneurysm or dissection without the words that say so, as the
    Index names its default there: "Aneurysm, abdominal (aorta)" is I71.40 and "Aneurysm,
    brain" I67.1, the ruptured ones their own subterms; an "abdominal aortic aneurysm" is no
    aneurysm of unspecified site (I71.9)."""
    unruptured = _UNRUPTURED.match(title)
    if unruptured is None:
        return []
    return [" ".join(sorted(alias_words(unruptured.group(1))))]


_SHARED_MODIFIERS = re.compile(r"^((?:[\w'-]+ )+?)([\w-]+) and ([\w-]+)$")
"""A title naming two findings of one word each after the words that qualify both ("Acute
disseminated encephalitis and encephalomyelitis", "Gonococcal cystitis and urethritis")."""


def _shared_modifier_aliases(title: str, named: Mapping[str, Collection[str]]) -> list[str]:
    """The aliases of a code titled by two findings the same words qualify, each finding with
    those words, as the Index names them apart ("Encephalomyelitis, acute disseminated" G04.00;
    "Urethritis, gonococcal" A54.01): only where each finding alone names some code, so that the
    two words are findings and not two body parts of one ("of kidney and ureter"), and only
    aliases no code has yet, so that a code of one of them alone keeps its name ("Acute
    laryngitis" J04.0 beside "Acute laryngitis and tracheitis")."""
    head = _PARENTHESES.sub(" ", _UNSPECIFIED_TAIL.sub("", title)).strip()
    pair = _SHARED_MODIFIERS.match(head)
    if pair is None:
        return []
    modifiers, first, second = pair.groups()
    if not all(" ".join(sorted(alias_words(word))) in named for word in (first, second)):
        return []
    keys = (" ".join(sorted(alias_words(modifiers + word))) for word in (first, second))
    return [key for key in keys if key not in named]


def billable_first(codes: Iterable[str], billable: Collection[str]) -> tuple[str, ...]:
    """The codes one alias names, less the categories it names beside a billable code of
    another branch: words naming both a heading and a code name the code. "Pain" is R52 "Pain,
    unspecified", not the category G89 "Pain, not elsewhere classified" (acute, chronic and
    neoplasm-related pain), as the Alphabetic Index codes "Pain" NOS; a category above one of
    the billable codes stays (it is their lineage)."""
    named = list(codes)
    leaves = [_bare(code) for code in named if code in billable]
    return tuple(
        code
        for code in named
        if code in billable or not leaves or any(leaf.startswith(_bare(code)) for leaf in leaves)
    )


class IndexTerms(RecordModel):
    """The schema of ``icd10cm_index.json``."""

    version: str = Field(min_length=1)
    source: str = Field(description="Where the names and their codes come from.")
    terms: dict[str, list[str]] = Field(
        description="Billable ICD-10-CM code → the names the Alphabetic Index gives it."
    )
    modifiers: list[str] = Field(
        description="Words a finding mention is linked without: they grade a finding but no "
        "code spells them ('severe headache' is coded as 'headache')."
    )
    synonyms: dict[str, str] = Field(
        description="A word of case reports → the words ICD-10-CM titles use for it, tried "
        "when the mention's own words name no code ('renal' → 'kidney', 'carcinoma' → "
        "'malignant neoplasm', as the Index sends 'Carcinoma' to 'Neoplasm, malignant')."
    )
    site_free: list[str] = Field(
        default_factory=list,
        description="Names of a finding with no site, the Index's and the tabular's 'NOS' "
        "('Neuropathy NOS', G62.9 Polyneuropathy, unspecified): they name their code only where "
        "the mention's words name no body part besides them; an 'optic neuropathy' is a "
        "disorder of the optic nerve (H46-H47), a 'femoral neuropathy' a mononeuropathy "
        "(G57.2-), while a longer name still names its own code ('peripheral neuropathy').",
    )
    alone_only: list[str] = Field(
        default_factory=list,
        description="Names that name their code only as a mention's whole words (grading "
        "words aside): 'depression' is F32.A alone, but no depression of the mind in 'ST "
        "segment depression' or 'respiratory depression'; the human immunodeficiency virus is "
        "no D84.9 Immunodeficiency, a 'mitotic activity' no Y93.9 Activity, a lung's or a "
        "heart chamber's 'collapse' no R55 Syncope and collapse, a 'caesarean-section scar' or "
        "a 'myocardial scar' no L90.5 Scar conditions of skin, an 'inflammatory pseudotumor' "
        "of the liver no G93.2 Benign intracranial hypertension (the Index's Pseudotumor), a "
        "fracture's 'bridging hard callus' or 'callus formation' no L84 Corns and callosities.",
    )
    not_names: list[str] = Field(
        default_factory=list,
        description="Inclusion terms that name their code in no case report and are dropped: "
        "'Arrest', of Z65.3 Problems related to other legal circumstances, is there the arrest "
        "of a heart, of breathing or of a child's development ('an arrest in speech and "
        "psychomotor competencies'); 'Storm', of X37.9 Unspecified cataclysmic storm, is "
        "there an electrical or VT storm; 'Epidermoid cyst', of K09.8 Other cysts of oral "
        "region, is there as often one of the skin, the spine, the skull, the testis or the "
        "bowel, and the report names it bare, its site told elsewhere; 'HER2', what is left of "
        "Z17.31's 'HER2+' and of Z17.32's 'HER2-' without their signs, names both; "
        "'Osteosclerosis NOS', of Q78.2 Osteopetrosis, is there a scan's sclerosis of bone "
        "round a lesion or of a vertebra, acquired (the Index's M85.8), no osteopetrosis; "
        "'Illness', the head of R69 Illness, unspecified, is there the course of a named "
        "disease ('day 6 of illness', 'history of present illness', 'a diarrheal illness'); "
        "'Murder' and 'Homicide', of Y09 Assault by unspecified means, are there what a "
        "patient did, feared or a forensic report weighs ('charges of double murder', 'a plot "
        "to murder him'), no assault the patient suffered.",
    )
    singular_only: list[str] = Field(
        default_factory=list,
        description="Names of a finding whose plural, as the last word of a mention, names no "
        "code: 'shocks' in case reports are a defibrillator's, a cardioversion's, a "
        "lithotripter's or electric shocks ('multiple shocks from his AICD', 'three DC "
        "shocks'), never a circulatory shock (R57.9), which is told in the singular; "
        "'acnes' is the species of Cutibacterium (Propionibacterium) acnes, no acne (L70.9).",
    )
    senses: list[str] = Field(
        default_factory=list,
        description="Names of a sense an examination tests ('pain sensation', 'perception of "
        "pain'): a finding whose words hold one tells how the sense was found ('intact', "
        "'decreased', 'symmetrical'), no pain the patient has, and names no code (R52 Pain).",
    )
    adjectives_alone: list[str] = Field(
        default_factory=list,
        description="Adjectives read as a finding ('irritable', irritability) only where they "
        "qualify no finding or body part told right after them: the Index's 'Irritable, "
        "irritability R45.4' lists a 'bowel' (K58.9), a 'bladder' (N32.89), a 'heart' (F45.8) "
        "as other conditions, and an 'irritable cough' is a cough.",
    )
    organ_areas: list[str] = Field(
        default_factory=list,
        description="Organs whose name before 'region' or 'area' tells where on the body a "
        "pain is felt ('percussion pain in the right kidney region', 'discomfort in the "
        "hepatic area'): the pain is of that region, no disease of the organ; 'back pain in "
        "the kidney region' is no N23 Unspecified renal colic (the Index's 'Pain, kidney').",
    )
    felt: list[str] = Field(
        default_factory=list,
        description="Words of a finding felt at a region of the body ('pain', 'tenderness', "
        "'discomfort'), whose 'kidney region' ``organ_areas`` read as no organ's.",
    )
    nontraumatic_fractures: dict[str, str] = Field(
        default_factory=dict,
        description="A word that tells a fracture came of no injury → the words the Index "
        "reads it as: an 'insufficiency fracture' is the Index's 'Fracture, pathological' "
        "(M84.4-), an 'osteoporotic' or a 'fragility' fracture its 'Osteoporosis, age-related, "
        "with current pathological fracture' (M80.0-), a 'stress fracture' M84.3-; a fracture so "
        "told is coded as none of the injuries (``injuries``), which a fall or an accident "
        "elsewhere in the text would otherwise let it be ('a fragility fracture of the hip' is no "
        "S72.00-).",
    )
    nontraumatic_ruptures: dict[str, str] = Field(
        default_factory=dict,
        description="A word that tells a rupture came of no injury → the words the Index reads "
        "it as: a 'spontaneous' or 'atraumatic' rupture of the spleen is the Index's 'Rupture, "
        "spleen, nontraumatic' (D73.5), of a tendon its 'Rupture, tendon, spontaneous' (M66.-); "
        "a rupture so told is coded as none of the injuries (``injuries``), which the "
        "Index's bare 'Rupture, spleen' (S36.03-) is.",
    )
    paired_words: dict[str, str] = Field(
        default_factory=dict,
        description="A word telling both of a paired limb ('bilateral', a limb's plural) → the "
        "words it is read as, both of them, as the Index names a paralysis of both lower limbs "
        "(G82.2-) or both upper limbs (G83.0) apart from that of one (G83.1-, G83.2-), which "
        "the words' singular reading would name ('paresis of the lower extremities' is no "
        "Monoplegia of lower limb). Read only where it names other codes than the words as "
        "told: no title says 'both' of a groin's pain.",
    )
    adult_onset: dict[str, str] = Field(
        default_factory=dict,
        description="A code of a disorder of childhood onset → the billable code of that "
        "disorder of adult onset, which a finding of an adult patient is coded as: an adult's "
        "'stuttering' is F98.5 Adult onset fluency disorder, not F80.81 Childhood onset fluency "
        "disorder, the Index's default; an adult's 'Still's disease' is M06.1 Adult-onset "
        "Still's disease, not M08.2 Juvenile rheumatoid arthritis with systemic onset.",
    )
    cell_types: list[str] = Field(
        default_factory=list,
        description="Words of a neoplasm's cell type that also name body parts ('squamous "
        "*cell*', '*papillary*', 'signet *ring*'): a neoplasm so named names no site by them.",
    )
    injuries: list[str] = Field(
        default_factory=list,
        description="Prefixes of the codes of injuries by body region (S00-T14) and of the "
        "early complications of trauma the Index sets apart from their nontraumatic kind "
        "(T79.A-, 'Syndrome, compartment (traumatic)', beside M79.A- nontraumatic): a finding "
        "is coded as an injury only in a text that tells of an injury's cause "
        "(``trauma_words``). 'Hematoma' is T14.8 in the Index, an injury; a subdural hematoma "
        "of intracranial hypotension or a 'drug-induced liver injury' is none.",
    )
    trauma_words: list[str] = Field(
        default_factory=list,
        description="Words telling of trauma ('fall', 'accident', 'fracture'); 'injury' "
        "itself is none, as a liver, a kidney or a brain may be injured by a drug or by "
        "hypoxia.",
    )
    unspecified_site: dict[str, list[str]] = Field(
        default_factory=dict,
        description="A code of unspecified site (C80.1 'Malignant (primary) neoplasm, "
        "unspecified', R52 'Pain, unspecified') → the code prefixes of the findings of its kind "
        "whose site is given (C34 'Malignant neoplasm of bronchus and lung', R10 'Abdominal and "
        "pelvic pain'): a finding whose site the text names is never coded as of unspecified "
        "site.",
    )
    site_told: list[str] = Field(
        default_factory=list,
        description="Codes of a finding of unspecified site (R60.9 'Edema, unspecified', R58 "
        "'Hemorrhage, not elsewhere classified') that the finding told with its site is not "
        "coded as: it takes the code naming it there ('rectal bleeding', K62.5), else its "
        "category's localized code (an edema of the ankle, R60.0 'Localized edema'), else none. "
        "R52 'Pain, unspecified' is none of them: the Index codes a pain of a site it lists no "
        "code for as R52.",
    )
    localized_sites: list[str] = Field(
        default_factory=list,
        description="Words of the limbs and the body's surface, where a finding of "
        "``site_told`` is localized (R60.0 'Localized edema': the Index's 'Edema, legs', "
        "'lower limbs', 'localized'); an organ's edema is the organ's (lung J81.1, brain G93.6, "
        "larynx J38.4) or, where no code names it (pancreas, bone marrow), has none.",
    )

    regional: dict[str, str] = Field(
        default_factory=dict,
        description="A code of a finding spread over the body → the code of that finding "
        "localized, which it is where it is told at one of the ``regions`` (and with none of "
        "the ``spread_words``): 'Lymphadenopathy NOS' is R59.1 Generalized enlarged lymph "
        "nodes, but a 'mediastinal lymphadenopathy' is the Index's 'Enlargement, lymph gland or "
        "node, localized', R59.0. The code of unspecified extent (R59.9, the Index's "
        "'Adenopathy') says nothing the text contradicts and stays.",
    )
    regions: list[str] = Field(
        default_factory=list,
        description="Words of the regions lymph nodes are named by ('cervical', 'axillary', "
        "'inguinal', 'mediastinal', 'hilar').",
    )
    spread_words: list[str] = Field(
        default_factory=list,
        description="Words telling a finding is spread over the body ('generalized', "
        "'diffuse'): it keeps its code whatever region is named beside them.",
    )
    regional_sites: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict,
        description="A code of a finding in the lymph nodes of unspecified region → the code "
        "of that finding in each region → the words naming the region, as the Index's "
        "Neoplasm Table lists a lymph gland's secondary growth by region ('cervical' C77.0, "
        "'mediastinal' C77.1, 'axillary' C77.3): a 'cervical lymph node metastasis' is C77.0, "
        "no C77.9 of unspecified node. Read where the words name the region of one code only.",
    )

    @field_validator("unspecified_site")
    @classmethod
    def _prefixes_are_other_codes(cls, table: dict[str, list[str]]) -> dict[str, list[str]]:
        for code, prefixes in table.items():
            if not prefixes or any(code.startswith(prefix) for prefix in prefixes):
                raise ValueError(f"{code}: prefixes must be given and must not cover the code")
        return table


_DENIAL = re.compile(
    r"\b(?:no|not|nor|without|denie[sd]|denying|negative|absence|absent|excluded)\b",
    re.IGNORECASE,
)
"""Words denying the trauma word after them in their clause."""

_CLAUSE_END = re.compile(
    r"[.;:!?]|\b(?:but|however|although|though|while|whereas)\b", re.IGNORECASE
)

_DENIAL_REACH = 150
"""Characters read before a trauma word for a denial: a denial opens a list ("no associated
radiation of pain, fever, hematuria, or history of trauma")."""


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled case-sensitively, once."""
    return re.compile(pattern)


def _bare(code: str) -> str:
    return code.replace(".", "")


def _lineage(first: str, second: str) -> bool:
    """Whether one code lies within the other or is it."""
    return _bare(first).startswith(_bare(second)) or _bare(second).startswith(_bare(first))


@dataclass(frozen=True)
class Icd10cmVocabulary:
    """ICD-10-CM codes in CodiEsp form, their titles and inclusion terms, and the billable ones.

    Args:
        titles: Code → title.
        billable: The codes that are leaves (billable), 7th-character stems included.
        inclusion: Code → its inclusion terms.
        version: The release, e.g. ``"ICD-10-CM 2026"``.
    """

    titles: dict[str, str]
    billable: frozenset[str]
    inclusion: dict[str, tuple[str, ...]]
    version: str
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """An alias's content words, sorted and space-joined → the codes it names."""
    modifiers: frozenset[str] = frozenset()
    """Normalised words a mention is linked without (``IndexTerms.modifiers``)."""
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Normalised word → the normalised title words it stands for (``IndexTerms.synonyms``)."""
    unspecified_site: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """A code of unspecified site → the prefixes of the codes that give its site
    (``IndexTerms.unspecified_site``)."""
    alone_only: frozenset[str] = frozenset()
    """Alias keys that name their codes only as a mention's whole words
    (``IndexTerms.alone_only``)."""
    cell_types: frozenset[str] = frozenset()
    """Normalised words of a neoplasm's cell type that also name body parts
    (``IndexTerms.cell_types``)."""
    injuries: tuple[str, ...] = ()
    """Prefixes of the codes of injuries by body region (``IndexTerms.injuries``)."""
    trauma: re.Pattern[str] | None = None
    """Any word telling of trauma (``IndexTerms.trauma_words``); None: every text does."""
    adult_onset: dict[str, str] = field(default_factory=dict)
    """A code of a disorder of childhood onset → its code of adult onset
    (``IndexTerms.adult_onset``)."""
    site_told: frozenset[str] = frozenset()
    """Codes of a finding of unspecified site that it told with its site is not coded as
    (``IndexTerms.site_told``)."""
    localized_sites: frozenset[str] = frozenset()
    """Normalised words of the limbs and the body's surface (``IndexTerms.localized_sites``)."""
    site_free: frozenset[str] = frozenset()
    """Alias keys that name their codes only beside no other body part
    (``IndexTerms.site_free``)."""
    singular_only: frozenset[str] = frozenset()
    """Normalised words whose plural names no code (``IndexTerms.singular_only``)."""
    indexed: frozenset[str] = frozenset()
    """Alias keys of the Alphabetic Index's names (``IndexTerms.terms``)."""
    nontraumatic_fractures: dict[str, str] = field(default_factory=dict)
    """A lower-case word telling a fracture came of no injury → the words it is read as
    (``IndexTerms.nontraumatic_fractures``)."""
    nontraumatic_ruptures: dict[str, str] = field(default_factory=dict)
    """A lower-case word telling a rupture came of no injury → the words it is read as
    (``IndexTerms.nontraumatic_ruptures``)."""
    paired_words: dict[str, str] = field(default_factory=dict)
    """A lower-case word telling both of a paired limb → the words it is read as
    (``IndexTerms.paired_words``)."""
    regional: dict[str, str] = field(default_factory=dict)
    """A code of a spread finding → its localized code, where a region is told
    (``IndexTerms.regional``)."""
    regions: frozenset[str] = frozenset()
    """Normalised words of the regions lymph nodes are named by (``IndexTerms.regions``)."""
    spread_words: frozenset[str] = frozenset()
    """Normalised words telling a finding is spread (``IndexTerms.spread_words``)."""
    regional_sites: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)
    """A code of unspecified region → (the code of a region, the normalised words of one of
    its names) of every region (``IndexTerms.regional_sites``)."""
    adjectives_alone: frozenset[str] = frozenset()
    """Lower-case adjectives read as a finding only alone (``IndexTerms.adjectives_alone``)."""
    organ_areas: frozenset[str] = frozenset()
    """Lower-case organ words naming a region before 'region' or 'area'
    (``IndexTerms.organ_areas``)."""
    felt: frozenset[str] = frozenset()
    """Normalised words of a finding felt at a region (``IndexTerms.felt``)."""
    senses: tuple[tuple[str, ...], ...] = ()
    """The normalised words of the names of a sense an examination tests
    (``IndexTerms.senses``)."""
    _subsets_of: dict[tuple[str, ...], tuple[str, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """``named_subsets`` of alias words already searched: mentions' words repeat."""
    _leaves: dict[tuple[str, bool, Sex | None], str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """``_leaf_below`` of codes already followed down."""
    _trauma_told: dict[str, bool] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """``tells_trauma`` of the last text asked about: a case's injury codes are asked about in
    turn."""

    def untold_injury(self, code: str, text: str) -> bool:
        """Whether ``code`` is an injury's and ``text`` tells of no trauma: no trauma word, or
        only denied ones ("There was no history of trauma")."""
        if self.trauma is None or not code.startswith(self.injuries):
            return False
        told = self._trauma_told.get(text)
        if told is None:
            told = self.tells_trauma(text)
            self._trauma_told.clear()
            self._trauma_told[text] = told
        return not told

    def tells_trauma(self, text: str) -> bool:
        """Whether ``text`` holds a trauma word that no denial before it in its clause denies.

        The case-insensitive trauma words are run case-sensitively over the folded text
        (``casebook.caseless``) where they can be: the same words at the same offsets, found
        without ``re``'s letter-by-letter case mapping."""
        if self.trauma is None:
            return True
        pattern, scanned = self.trauma, text
        folded_words = folded_pattern(self.trauma.pattern)
        folded_text = fold(text) if folded_words is not None else None
        if folded_words is not None and folded_text is not None:
            pattern, scanned = _compiled(folded_words), folded_text
        for word in pattern.finditer(scanned):
            before = text[max(0, word.start() - _DENIAL_REACH) : word.start()]
            clause = _CLAUSE_END.split(before)[-1]
            if _DENIAL.search(clause) is None:
                return True
        return False

    def site_given(self, code: str, unspecified: str) -> bool:
        """Whether ``code`` is a neoplasm of the kind ``unspecified`` stands for, with its site
        given (C34.90 for C80.1)."""
        return code != unspecified and code.startswith(self.unspecified_site.get(unspecified, ()))

    def title_words(self, words: Iterable[str]) -> list[str]:
        """``words`` with each synonym replaced by the title words it stands for."""
        return [t for w in words for t in self.synonyms.get(w, (w,))]

    def titled_words(self, words: Sequence[str]) -> list[str]:
        """``title_words``, but a synonym that a title spells before the word after it keeps
        its own spelling (``titled_pairs``): "splenic flexure" is the colon's part a title
        names (C18.5 "Malignant neoplasm of splenic flexure"), no flexure of the spleen."""
        return [
            t
            for at, w in enumerate(words)
            for t in (
                (w,)
                if at + 1 < len(words) and (w, words[at + 1]) in self.titled_pairs
                else self.synonyms.get(w, (w,))
            )
        ]

    @cached_property
    def titled_pairs(self) -> frozenset[tuple[str, str]]:
        """Two content words a title spells side by side, the first a synonym (``synonyms``):
        "renal pelvis", "splenic flexure"."""
        return frozenset(
            (first, second)
            for title in self.titles.values()
            for first, second in itertools.pairwise(normalize_tokens(title))
            if first in self.synonyms and second not in _FUNCTION_WORDS
        )

    @cached_property
    def closing_pairs(self) -> frozenset[tuple[str, str]]:
        """The last two words of a title or an inclusion term, as the mention model marks
        neither ("thalassemia minor", "myasthenia gravis"): a word after a finding that closes
        its name so."""
        found: set[tuple[str, str]] = set()
        for code, title in self.titles.items():
            for term in (title, *self.inclusion.get(code, ())):
                words = normalize_tokens(_PARENTHESES.sub(" ", term))
                if len(words) >= 2:
                    found.add((words[-2], words[-1]))
        return frozenset(found)

    @cached_property
    def alias_words(self) -> frozenset[str]:
        """Every word some alias holds."""
        return frozenset(word for key in self.aliases for word in key.split(" "))

    @cached_property
    def any_site(self) -> frozenset[str]:
        """The billable codes a term of which holds wherever the finding is ("High grade
        neuroendocrine carcinoma, any site", C7A.1; "Lymphangioma, any site", D18.1)."""
        return frozenset(
            code
            for code in self.billable
            if any(
                _ANY_SITE in term.lower()
                for term in (self.titles[code], *self.inclusion.get(code, ()))
            )
        )

    @cached_property
    def organism_words(self) -> frozenset[str]:
        """The content words of the titles of B95–B97 (``_AS_CAUSE``), which name infectious
        agents only ("Staphylococcus aureus as the cause of diseases classified elsewhere")."""
        return frozenset(
            word
            for title in self.titles.values()
            if title.endswith(_AS_CAUSE)
            for word in alias_words(title.removesuffix(_AS_CAUSE))
        )

    @cached_property
    def keys_with_word(self) -> dict[str, tuple[str, ...]]:
        """Word → the alias keys (``aliases``) that hold it, in ``aliases`` order."""
        found: dict[str, list[str]] = {}
        for key in self.aliases:
            for word in set(key.split(" ")):
                found.setdefault(word, []).append(key)
        return {word: tuple(keys) for word, keys in found.items()}

    @cached_property
    def index_names(self) -> dict[str, tuple[frozenset[str], ...]]:
        """Code → the content words of each Alphabetic Index name (``indexed``) naming it."""
        found: dict[str, list[frozenset[str]]] = {}
        for key in self.indexed:
            for code in self.aliases.get(key, ()):
                found.setdefault(code, []).append(frozenset(key.split(" ")))
        return {code: tuple(names) for code, names in found.items()}

    @cached_property
    def codes_by_category(self) -> dict[str, tuple[str, ...]]:
        """A three-character category (``category``) → its codes, itself included."""
        found: dict[str, list[str]] = {}
        for code in self.titles:
            found.setdefault(self.category(code), []).append(code)
        return {category: tuple(codes) for category, codes in found.items()}

    def named(self, words: Iterable[str]) -> tuple[str, ...]:
        """The codes one of whose aliases has exactly these content words."""
        return self.aliases.get(" ".join(sorted(words)), ())

    @cached_property
    def sorted_aliases(self) -> list[str]:
        """Every alias's key (``aliases``), in order: the keys that go on from a key's words
        lie right after it."""
        return sorted(self.aliases)

    def named_subsets(self, words: Iterable[str]) -> list[str]:
        """The keys (``aliases``) of every alias whose content words are all among ``words``.

        An alias's words, sorted, are a path of sorted words each of whose steps begins
        some alias's key: only the paths that do are followed.
        """
        ordered = tuple(sorted({w for w in words if w in self.alias_words}))
        known = self._subsets_of.get(ordered)
        if known is None:
            known = _remembered(self._subsets_of, ordered, self._subsets(ordered))
        return list(known)

    def _subsets(self, ordered: tuple[str, ...]) -> tuple[str, ...]:
        keys = self.sorted_aliases
        found: list[str] = []
        paths: list[tuple[str, int]] = [("", 0)]
        while paths:
            path, start = paths.pop()
            for index in range(start, len(ordered)):
                key = f"{path} {ordered[index]}" if path else ordered[index]
                at = bisect_left(keys, key)
                if at < len(keys) and keys[at] == key:
                    found.append(key)
                    at += 1
                if at < len(keys) and keys[at].startswith(key + " "):
                    paths.append((key, index + 1))
        return tuple(found)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.titles

    def title(self, code: str) -> str:
        """The code's title, or "" when it is not an ICD-10-CM 2026 code."""
        return self.titles.get(code, "")

    def is_billable(self, code: str) -> bool:
        """Whether ``code`` is a leaf that can be assigned as it is."""
        return code in self.billable

    def parent(self, code: str) -> str | None:
        """The longest listed code that ``code`` extends, or None for a category."""
        bare = _bare(code)
        for size in range(len(bare) - 1, 2, -1):
            candidate = _dotted(bare[:size])
            if candidate in self.titles:
                return candidate
        return None

    def category(self, code: str) -> str:
        """The three-character category a code belongs to (``R51.9`` → ``R51``)."""
        return _bare(code)[:3]

    def is_descendant(self, code: str, ancestor: str) -> bool:
        """Whether ``code`` lies strictly below ``ancestor``."""
        bare, above = _bare(code), _bare(ancestor)
        return len(bare) > len(above) and bare.startswith(above)

    def unspecified_leaf(self, code: str) -> str | None:
        """The billable child a coder assigns when the text says nothing finer than ``code``.

        That is the one child whose title says "unspecified" (``R51`` → ``R51.9`` "Headache,
        unspecified", ``C84.6`` → ``C84.60`` "…, unspecified site"), or, of two children told
        "with" and "without" something, the one without it (``E05.0`` → ``E05.00`` "…
        without thyrotoxic crisis or storm": what the text does not tell, the patient is coded
        without), followed down while it is itself a category; None when there is no such
        single child.
        """
        return self._leaf_below(code, told=False, sex=None)

    def told_leaf(self, code: str, sex: Sex | None) -> str | None:
        """``unspecified_leaf``, where the classification splits what the text leaves
        unspecified by the patient's sex or by side: of several "unspecified" children, the one
        of the patient's sex ("Malignant neoplasm of breast of unspecified site" of a woman,
        C50.91), else the one that leaves the side unspecified where its siblings name it
        (C50.919 "… of unspecified female breast" beside C50.911 "… of right female breast").
        None for a breast's malignant neoplasm of a patient whose sex is not known."""
        return self._leaf_below(code, told=True, sex=sex)

    def _leaf_below(self, code: str, *, told: bool, sex: Sex | None) -> str | None:
        key = (code, told, sex)
        if key in self._leaves:
            return self._leaves[key]
        return _remembered(self._leaves, key, self._follow_down(code, told=told, sex=sex))

    def _follow_down(self, code: str, *, told: bool, sex: Sex | None) -> str | None:
        current = code
        while current not in self.billable:
            every = self._children(_bare(current))
            unspecified = [
                c
                for c in every
                if "unspecified" in self.titles[c].lower() and "other" not in c.lower()
            ]
            # Of a category's several children told "unspecified" ("Chronic or unspecified
            # gastric ulcer with hemorrhage"), the one titled by its own title left unspecified
            # ("Gastric ulcer, unspecified as acute or chronic, …") is the category untold,
            # unless its title goes on to name a site or a finding ("Echinococcosis,
            # unspecified, of liver", "Cocaine abuse, unspecified with withdrawal"); below the
            # category such a child leaves a side untold (``told_leaf`` reads those), unless
            # it is titled by its parent's title and "unspecified" alone ("Atrial septal
            # defect, unspecified", Q21.10, beside "Sinus venosus atrial septal defect,
            # unspecified", Q21.16).
            opening = f"{self.titles[current].lower()}, unspecified"
            own = [
                c
                for c in unspecified
                if (len(_bare(current)) == 3 or self.titles[c].lower() == opening)
                and self.titles[c].lower().startswith(opening)
                and not _NAMING_MORE.search(self.titles[c].lower()[len(opening) :])
            ]
            # A complication the text does not tell is coded without ("Type 2 diabetes mellitus
            # without complications", E11.9), not "with unspecified complications" (E11.8).
            plain = f"{self.titles[current].lower()} without complications"
            uncomplicated = [c for c in every if self.titles[c].lower() == plain]
            if len(uncomplicated) == 1:
                children = uncomplicated
            elif len(unspecified) == 1:
                children = unspecified
            elif len(own) == 1:
                children = own
            else:
                children = _without(every, self.titles, self.titles[current])
            if len(children) != 1 and told:
                of_sex = _of_sex(unspecified or every, sex, self.titles) if sex else []
                children = of_sex or _unsided(unspecified, self.titles)
            if len(children) != 1:
                return None
            current = children[0]
        return current if current != code else None

    def _children(self, bare: str) -> list[str]:
        return [
            _dotted(bare + ch)
            for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            if _dotted(bare + ch) in self.titles
        ]


K = TypeVar("K")
V = TypeVar("V")

_REMEMBERED = 65_536
"""The most results one of the vocabulary's memos holds; a full one starts again, so that a
run over a whole corpus keeps its memory bounded."""


def _remembered(memo: dict[K, V], key: K, value: V) -> V:
    """``value``, stored in ``memo`` under ``key``."""
    if len(memo) >= _REMEMBERED:
        memo.clear()
    memo[key] = value
    return value


_NAMING_MORE = re.compile(r"\b(?:with|of|in|due to)\b")
"""Words after which a title names a site or another finding."""


def _without(children: list[str], titles: Mapping[str, str], category: str) -> list[str]:
    """Of exactly two children, one titled "… without …" and the other "… with …", the
    one without; of more, the one titled by the ``category``'s title "without" something
    beside one titled by it "with" it ("Benign prostatic hyperplasia without lower urinary
    tract symptoms" beside "… with …" and the nodular prostate's two); else none."""
    if len(children) != 2:
        head = category.lower()
        without = [c for c in children if titles[c].lower().startswith(f"{head} without ")]
        withs = [c for c in children if titles[c].lower().startswith(f"{head} with ")]
        return without if len(without) == 1 and withs else []
    told = [titles[c].lower() for c in children]
    without = [c for c, title in zip(children, told, strict=True) if " without " in title]
    other = [c for c, title in zip(children, told, strict=True) if " without " not in title]
    if len(without) != 1 or " with " not in titles[other[0]].lower():
        return []
    return without


def _of_sex(children: list[str], sex: Sex, titles: Mapping[str, str]) -> list[str]:
    """The one of ``children`` titled for the patient's sex where another is titled for the
    other sex ("…, female" and "…, male"); else none."""
    worded = {c: set(normalize_tokens(titles[c])) for c in children}
    other = Sex.MALE if sex is Sex.FEMALE else Sex.FEMALE
    if not any(other.value in words for words in worded.values()):
        return []
    own = [c for c, words in worded.items() if sex.value in words and other.value not in words]
    return own if len(own) == 1 else []


_SIDE_WORDS = ("right", "left")


def _unsided(children: list[str], titles: Mapping[str, str]) -> list[str]:
    """The one of ``children`` whose title is a sibling's with the side it names left
    "unspecified" ("… of unspecified female breast" beside "… of right female breast"); else
    none."""
    told = {titles[c].lower() for c in children}

    def sided(title: str) -> set[str]:
        return {
            f"{title[: m.start()]}{side}{title[m.end() :]}"
            for m in re.finditer(r"\bunspecified\b", title)
            for side in _SIDE_WORDS
        }

    unsided = [c for c in children if sided(titles[c].lower()) & told]
    return unsided if len(unsided) == 1 else []


def _dotted(bare: str) -> str:
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def build_icd10cm_resource(out: Path) -> Path:
    """Write ICD-10-CM 2026 as ``simple_icd_10_cm`` ships it to ``out`` (see the module doc).

    Args:
        out: Where to write; a name ending in ``.gz`` is gzip-compressed.

    Returns:
        ``out``.
    """
    # The package's data loading calls the deprecated importlib.resources.read_text.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # type: ignore[import-untyped]
    from importlib.metadata import version

    rows: dict[str, list[Any]] = {}
    for code in cm.get_all_codes(True):
        if not (cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code)):
            continue
        bare = _bare(code)
        if len(bare) == 7:
            # The 7th character says the encounter; the stem stands for the code.
            stem = _dotted(bare[:6])
            if stem in rows:
                rows[stem][2] = True
            else:
                ancestor = stem
                while ancestor and not cm.is_valid_item(ancestor):
                    ancestor = ancestor[:-1].rstrip(".")
                title = str(cm.get_description(ancestor)) if ancestor else ""
                rows[stem] = [stem, title, True, [], code_aliases(title, [])]
            continue
        terms = sorted({str(t) for t in cm.get_inclusion_term(code)})
        # A 6-character code whose children only add the 7th character is billable as a stem.
        billable = bool(cm.is_leaf(code)) or (code in rows and rows[code][2])
        title = str(cm.get_description(code))
        rows[code] = [code, title, billable, terms, code_aliases(title, terms, billable)]
    payload = {
        "format": _FORMAT,
        "system": "icd10cm",
        "version": "ICD-10-CM 2026",
        "source": f"simple-icd-10-cm {version('simple-icd-10-cm')}",
        "licence": LICENCE,
        "codes": [rows[c] for c in sorted(rows)],
    }
    return write_vocabulary_file(payload, out)


def _titles_first(
    named: dict[str, list[str]], titles: Mapping[str, str], billable: Collection[str]
) -> dict[str, list[str]]:
    """``named`` less the codes an alias names by an inclusion term only where another code
    outside their lineage is titled by it: "syphilis" is A53.9 "Syphilis, unspecified", not
    A52.3 "Neurosyphilis, unspecified", whose inclusion term "Syphilis (late)" of the central
    nervous system the vocabulary holds without its site."""
    titled_by: dict[str, frozenset[str]] = {}

    def title_keys(code: str) -> frozenset[str]:
        if code not in titled_by:
            titled_by[code] = frozenset(code_aliases(titles[code], [], code in billable))
        return titled_by[code]

    kept: dict[str, list[str]] = {}
    for key, codes in named.items():
        if len(codes) > 1 and not all(_lineage(codes[0], c) for c in codes[1:]):
            # A heading's title is no code's ("Acute pain, not elsewhere classified", G89.1,
            # beside R52's "Acute pain NOS"): only a billable code's title counts.
            titled = [c for c in codes if c in billable and key in title_keys(c)]
            if titled and len(titled) < len(codes):
                codes = [c for c in codes if c in titled or any(_lineage(t, c) for t in titled)]
        kept[key] = codes
    return kept


_NOS = re.compile(r"\bNOS\b")
"""An inclusion term marked "not otherwise specified": the code a finding named so takes."""


def _defaults_first(
    named: dict[str, list[str]], inclusion: Mapping[str, tuple[str, ...]]
) -> dict[str, list[str]]:
    """``named`` less the codes an alias names beside one whose inclusion term is the alias
    marked NOS, outside that code's lineage: "lymphadenitis" is I88.9 ("Lymphadenitis NOS"),
    not I88.1, Chronic lymphadenitis, whose inclusion term "Lymphadenitis" is of its title's
    chronic kind."""
    defaults: dict[str, set[str]] = {}
    for code, terms in inclusion.items():
        for term in terms:
            if _NOS.search(term):
                key = " ".join(sorted(alias_words(_QUALIFIERS.sub(" ", term))))
                defaults.setdefault(key, set()).add(code)
    kept: dict[str, list[str]] = {}
    for key, codes in named.items():
        marked = [c for c in codes if c in defaults.get(key, ())]
        if marked and len(marked) < len(codes):
            codes = [
                c
                for c in codes
                if any(
                    _bare(c).startswith(_bare(m)) or _bare(m).startswith(_bare(c)) for m in marked
                )
            ]
        kept[key] = codes
    return kept


_OTHER_KIND = re.compile(r"^Other (?!specified\b|and\b)(.+)$")
"""The title of a code of a kind the tabular lists no code of its own for ("Other hypertrophic
cardiomyopathy"): the Index's "NEC" ("Cardiomyopathy, hypertrophic (nonobstructive) I42.2")."""

_NO_FINDINGS = ("V", "W", "X", "Y", "Z")
"""The chapters of external causes and of factors influencing health status, whose codes tell
how an injury came about or why the patient met the health services, no finding."""


def _other_kind_aliases(
    titles: Mapping[str, str], billable: Collection[str], named: Mapping[str, list[str]]
) -> dict[str, str]:
    """The aliases of the billable codes titled "Other X" by X, where X is a kind of a finding
    some code is named by alone (its last word) and no code is named X: the Index sends a kind
    that has no code of its own to its category's "other" code, so a "hypertrophic
    cardiomyopathy" is I42.2 Other hypertrophic cardiomyopathy, not I42.9 Cardiomyopathy,
    unspecified, and a "microscopic hematuria" R31.29. "Other cardiac sounds" (R01.2) names no
    "cardiac sounds", a sound being no finding by itself. A kind whose words another code is
    named by keeps that code ("Other fatigue": "fatigue" is R53.83 already); one that two
    "other" codes share names neither."""
    found: dict[str, list[str]] = {}
    for code, title in titles.items():
        kind = _OTHER_KIND.match(title)
        if kind is None or code not in billable or code.startswith(_NO_FINDINGS):
            continue
        head = _UNSPECIFIED_TAIL.sub("", _QUALIFIERS.sub("", kind.group(1)))
        words = content_words(_PARENTHESES.sub(" ", head))
        key = " ".join(sorted(set(words)))
        if words and "," not in head and key not in named and words[-1] in named:
            found.setdefault(key, []).append(code)
    return {key: codes[0] for key, codes in found.items() if len(codes) == 1}


_AS_CAUSE = " as the cause of diseases classified elsewhere"
"""The tail of the titles of B95–B97, which name an organism only ("Pseudomonas (aeruginosa)
(mallei) (pseudomallei) as the cause of diseases classified elsewhere")."""


def _without_organism_names(
    named: dict[str, list[str]],
    titles: Mapping[str, str],
    inclusion: Mapping[str, tuple[str, ...]],
    billable: Collection[str],
) -> dict[str, list[str]]:
    """``named`` less the names a code takes from an inclusion term that names an organism
    only, its words all among those of one B95–B97 title (``_AS_CAUSE``): "Pseudomonas
    aeruginosa" is an inclusion term of A41.52 Sepsis due to Pseudomonas, but a Pseudomonas
    infection without sepsis is none; the organism is no disease."""
    organisms = [
        alias_words(title.removesuffix(_AS_CAUSE))
        for title in titles.values()
        if title.endswith(_AS_CAUSE)
    ]

    def organism_only(term: str) -> bool:
        words = alias_words(term)
        return bool(words) and any(words <= organism for organism in organisms)

    kept = {key: list(codes) for key, codes in named.items()}
    for code, terms in inclusion.items():
        if titles[code].endswith(_AS_CAUSE) or not any(organism_only(t) for t in terms):
            continue
        leaf = code in billable
        others = [t for t in terms if not organism_only(t)]
        dropped = set(code_aliases(titles[code], terms, leaf)) - set(
            code_aliases(titles[code], others, leaf)
        )
        for key in dropped:
            kept[key] = [c for c in kept[key] if c != code]
    return {key: codes for key, codes in kept.items() if codes}


def read_icd10cm_resource(path: Path, index: IndexTerms | None = None) -> Icd10cmVocabulary:
    """Read a file written by ``build_icd10cm_resource``, with ``index``'s names added.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or not of the expected shape, or
            when ``index`` names a code that is not billable in it.
    """
    try:
        payload = read_vocabulary_file(path, _FORMAT)
        titles: dict[str, str] = {}
        billable: set[str] = set()
        inclusion: dict[str, tuple[str, ...]] = {}
        named: dict[str, list[str]] = {}
        for code, title, leaf, terms, aliases in payload["codes"]:
            titles[str(code)] = str(title)
            if leaf:
                billable.add(str(code))
            if terms:
                inclusion[str(code)] = tuple(map(str, terms))
            if any("'" in term for term in (title, *terms)):
                # The file's aliases kept a possessive's "s" ("crohn disease s"): read again,
                # an eponym is named with or without it (``_POSSESSIVE``).
                aliases = [*aliases, *code_aliases(title, terms, bool(leaf))]
            for alias in dict.fromkeys(aliases):
                named.setdefault(alias, []).append(code)
        for code, title in titles.items():
            # A vein of a category of deep veins ("Acute embolism and thrombosis of deep veins of
            # lower extremity") is a deep one: "popliteal deep vein thrombosis" names it.
            deep = any(_DEEP_VEINS in titles.get(code[:end], "") for end in range(3, len(code)))
            vessel = _vessel_thrombosis_aliases(title) if code in billable else []
            unruptured = _unruptured_aliases(title)
            for alias in [*_vein_thrombosis_aliases(title, deep), *vessel, *unruptured]:
                if code not in named.setdefault(alias, []):
                    named[alias].append(code)
        shared = {code: _shared_modifier_aliases(title, named) for code, title in titles.items()}
        for code, keys in shared.items():
            for key in keys:
                named.setdefault(key, []).append(code)
        named = _titles_first(named, titles, billable)
        named = _defaults_first(named, inclusion)
        named = _without_organism_names(named, titles, inclusion, billable)
        modifiers: frozenset[str] = frozenset()
        synonyms: dict[str, tuple[str, ...]] = {}
        unspecified_site: dict[str, tuple[str, ...]] = {}
        alone_only: frozenset[str] = frozenset()
        site_free: frozenset[str] = frozenset()
        singular_only: frozenset[str] = frozenset()
        nontraumatic_fractures: dict[str, str] = {}
        nontraumatic_ruptures: dict[str, str] = {}
        paired_words: dict[str, str] = {}
        indexed: dict[str, list[str]] = {}
        cell_types: frozenset[str] = frozenset()
        injuries: tuple[str, ...] = ()
        trauma: re.Pattern[str] | None = None
        adult_onset: dict[str, str] = {}
        site_told: frozenset[str] = frozenset()
        localized_sites: frozenset[str] = frozenset()
        regional: dict[str, str] = {}
        regions: frozenset[str] = frozenset()
        spread_words: frozenset[str] = frozenset()
        regional_sites: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
        senses: tuple[tuple[str, ...], ...] = ()
        adjectives_alone: frozenset[str] = frozenset()
        organ_areas: frozenset[str] = frozenset()
        felt: frozenset[str] = frozenset()
        if index is not None:
            adjectives_alone = frozenset(word.lower() for word in index.adjectives_alone)
            senses = tuple(normalize_tokens(name) for name in index.senses)
            organ_areas = frozenset(word.lower() for word in index.organ_areas)
            felt = frozenset(w for word in index.felt for w in normalize_tokens(word))
            for code, sited in index.regional_sites.items():
                for site in (code, *sited):
                    if site not in billable:
                        raise ValueError(f"regional site code {site} is not a billable code")
                regional_sites[code] = tuple(
                    (site, normalize_tokens(name))
                    for site, names in sited.items()
                    for name in names
                )
            regional = dict(index.regional)
            for code in (*regional, *regional.values()):
                if code not in billable:
                    raise ValueError(f"regional code {code} is not a billable code")
            regions = frozenset(w for r in index.regions for w in normalize_tokens(r))
            spread_words = frozenset(w for r in index.spread_words for w in normalize_tokens(r))
            site_told = frozenset(index.site_told)
            localized_sites = frozenset(
                w for site in index.localized_sites for w in normalize_tokens(site)
            )
            for code in site_told:
                if code not in titles:
                    raise ValueError(f"site told code {code} is not a code")
            adult_onset = dict(index.adult_onset)
            for code in adult_onset.values():
                if code not in billable:
                    raise ValueError(f"adult onset code {code} is not a billable code")
            injuries = tuple(index.injuries)
            if index.trauma_words:
                words = "|".join(re.escape(w) for w in index.trauma_words)
                trauma = re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
            cell_types = frozenset(w for t in index.cell_types for w in normalize_tokens(t))
            unspecified_site = {c: tuple(p) for c, p in index.unspecified_site.items()}
            alone_only = frozenset(" ".join(sorted(alias_words(n))) for n in index.alone_only)
            site_free = frozenset(" ".join(sorted(alias_words(n))) for n in index.site_free)
            singular_only = frozenset(w for n in index.singular_only for w in normalize_tokens(n))
            nontraumatic_fractures = {
                word.lower(): reading for word, reading in index.nontraumatic_fractures.items()
            }
            nontraumatic_ruptures = {
                word.lower(): reading for word, reading in index.nontraumatic_ruptures.items()
            }
            paired_words = {word.lower(): reading for word, reading in index.paired_words.items()}
            for code, names in index.terms.items():
                if code not in billable:
                    raise ValueError(f"index term code {code} is not a billable code")
                for name in names:
                    indexed.setdefault(" ".join(sorted(alias_words(name))), []).append(code)
            for key, codes in indexed.items():
                # The Index's default for the name outweighs an inclusion term of another
                # branch: "hepatitis B" is B19.10, viral hepatitis B, though B16.9 (acute)
                # lists "Hepatitis B (acute) (viral) NOS".
                kept = [c for c in named.get(key, []) if any(_lineage(c, i) for i in codes)]
                named[key] = kept + [c for c in codes if c not in kept]
            for name in index.not_names:
                named.pop(" ".join(sorted(alias_words(name))), None)
            modifiers = frozenset(w for m in index.modifiers for w in normalize_tokens(m))
            for word, replacement in index.synonyms.items():
                for key in normalize_tokens(word):
                    synonyms[key] = tuple(content_words(replacement))
        for key, code in _other_kind_aliases(titles, billable, named).items():
            named[key] = [code]
        return Icd10cmVocabulary(
            titles,
            frozenset(billable),
            inclusion,
            str(payload["version"]),
            {words: billable_first(codes, billable) for words, codes in named.items()},
            modifiers,
            synonyms,
            unspecified_site,
            alone_only,
            cell_types,
            injuries,
            trauma,
            adult_onset,
            site_told,
            localized_sites,
            site_free,
            singular_only,
            frozenset(indexed),
            nontraumatic_fractures,
            nontraumatic_ruptures,
            paired_words,
            regional,
            regions,
            spread_words,
            regional_sites,
            adjectives_alone,
            organ_areas,
            felt,
            senses,
        )
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "ICD-10-CM file not found", path) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CasebookError(
            ErrorCode.INVALID_RESOURCE, f"not an ICD-10-CM file: {exc}", path
        ) from exc


@cache
def load_icd10cm() -> Icd10cmVocabulary:
    """The packaged ICD-10-CM 2026 vocabulary, read once (and kept in casebook's cache)."""
    resource, index = resource_path(RESOURCE), resource_path(INDEX_RESOURCE)

    def build() -> Icd10cmVocabulary:
        return read_icd10cm_resource(resource, load_rules(INDEX_RESOURCE, IndexTerms))

    return load_or_build("icd10cm", digest(resource, index), Icd10cmVocabulary, build)


def main(argv: list[str] | None = None) -> int:
    """``python -m casebook.kb.icd10cm [OUT]``: rebuild the ICD-10-CM resource file."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else resource_path(RESOURCE)
    build_icd10cm_resource(out)
    vocabulary = read_icd10cm_resource(out)
    print(
        f"{out}: {len(vocabulary.titles)} codes, {len(vocabulary.billable)} billable, "
        f"{vocabulary.version}, {out.stat().st_size} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
