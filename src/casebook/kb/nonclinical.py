"""Words that name no clinical concept: who, where, and what a patient is exposed to.

A mention model types words by where they stand, so a person ("general practitioner"), an
occupation ("janitor"), an organisation ("Adeka Pharma"), a place ("Turkey") or a drug of abuse
("heroin") can come out as a finding, a procedure or a medication. ``NonClinicalWords`` reads
``resources/non_clinical.json`` (schema ``NonClinicalRules``) and tells such words apart; both
the summary's concept gate (``casebook.nlp.concepts``) and the treatment tally
(``casebook.search.treatments``) ask it, so the two layers share one list:

* **Who**: a phrase whose head (the word before its first preposition, else its last word) or
  last word names a person, a role, an occupation, an organisation, software or a document.
* **Where**: a phrase holding a place's name anywhere ("hospital in Turkey").
* **Exposure**: a phrase ending in a substance of abuse ("intravenous heroin"): what a patient
  took, never what they were treated with.
* **Service**: words the text calls a service that was consulted ("General surgery *was
  consulted*", "we consulted *neurosurgery*", "the surgery *team*"), by the words around them,
  or listed beside a specialty ("neurology, *infectious disease*, and hematology"): a team, not
  a procedure or a disease the patient had. A referral ("referred to physical therapy") is
  left alone: it often names the treatment the patient then had.
* **Anaesthetic**: a sentence telling an anaesthetic ("Anaesthesia was induced with propofol,
  fentanyl and rocuronium"): its drugs serve the operation, no treatment of the patient's.
* **Organism**: what a culture grew or what caused an infection ("cultures grew
  *Staphylococcus aureus*", "positive for *E. coli*"), not the infection ("S. aureus
  *bacteremia*") and no drug: words ending in a binomial name, a capitalised genus (or its
  initial) and a species word of Latin ending that no ICD-10-CM term outside the infectious
  agents (B95–B97) names ("Diabetes mellitus" is one), or in a virus ("hepatitis B virus").

Words are compared in ``casebook.kb.base.normalize_tokens`` form.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import Field

from casebook.kb.base import normalize_tokens
from casebook.kb.heads import head_word, load_head_words
from casebook.kb.icd10cm import alias_words, load_icd10cm
from casebook.model import Patterns, RecordModel
from casebook.resources import load_rules

RESOURCE = "non_clinical.json"
"""The packaged file's name under ``casebook/resources``."""


class NonClinicalRules(RecordModel):
    """The schema of ``non_clinical.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    person_and_organisation_heads: list[str] = Field(
        description="Head words of people, roles, organisations, software and documents."
    )
    occupations: list[str] = Field(description="Head words of jobs ('janitor', 'farmer').")
    places: list[str] = Field(
        description="Countries, regions and places of no care (a village, a jungle), one or more "
        "words each."
    )
    substances_of_abuse: list[str] = Field(
        description="Drugs of abuse and tobacco, one or more words each: exposures, never "
        "treatments ('heroin', 'crystal meth')."
    )
    service_before: Patterns = Field(
        description="Regular expressions (case-insensitive) ending where words start that make "
        "them a service consulted ('consulted the')."
    )
    service_after: Patterns = Field(
        description="Regular expressions (case-insensitive) matched where words end that make "
        "them a service ('was consulted', 'team')."
    )
    anaesthetic_sentences: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) of a sentence telling an "
        "anaesthetic ('Anaesthesia was induced with propofol, fentanyl and rocuronium'): its "
        "drugs are the anaesthetic's, no treatment of the patient's.",
    )
    donor_words: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched at the start of a mention's "
        "words, or its long form, that make it a fact of an organ donor, not of the patient "
        "('donor creatinine', 'donation after brain death'); ConText cannot reach a cue inside "
        "the mention.",
    )
    stem_lookalikes: list[str] = Field(
        default_factory=list,
        description="Words ending like a drug's stem that name no drug: ordinary or anatomical "
        "English words ('equine' of a misspelt 'cauda equina' ends like chloroquine, 'eosin' "
        "like prazosin, 'pectin' like ivermectin).",
    )
    organism_epithet_endings: list[str] = Field(
        default_factory=list,
        description="Latin endings of the species word of an organism's binomial name "
        "('aureus', 'coli', 'pneumoniae', 'tuberculosis').",
    )
    specialties: list[str] = Field(
        default_factory=list,
        description="Names of medical specialties ('neurology', 'hematology'): words listed "
        "beside one ('consultations including neurology, infectious disease, and hematology') "
        "are a service too.",
    )


def _phrases(items: list[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(words for item in items if (words := normalize_tokens(item)))


class NonClinicalWords:
    """Tells words of people, organisations, places and drugs of abuse.

    Args:
        rules: A packaged rule file name or a ``Path`` to your own file.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or breaks its schema.
    """

    def __init__(self, rules: str | Path = RESOURCE) -> None:
        self.rules = load_rules(rules, NonClinicalRules)
        self._who = frozenset(
            " ".join(words)
            for words in _phrases(self.rules.person_and_organisation_heads + self.rules.occupations)
        )
        self._places = _phrases(self.rules.places)
        self._place_words = max((len(p) for p in self._places), default=0)
        self._substances = _phrases(self.rules.substances_of_abuse)
        # A specialty named as a discipline ("oncology", "pediatrics"); those that are also
        # treatments or operations ("physiotherapy", "neurosurgery") name what was done.
        self._disciplines = frozenset(
            " ".join(normalize_tokens(name))
            for name in self.rules.specialties
            if _DISCIPLINE.search(name)
        )
        self._service_before = any_of(self.rules.service_before)
        self._service_after = any_of(self.rules.service_after)
        self._anaesthetic = any_of(self.rules.anaesthetic_sentences)
        self._donors = any_of(self.rules.donor_words)
        self._epithet_endings = tuple(self.rules.organism_epithet_endings)
        self._stem_lookalikes = frozenset(
            word for item in self.rules.stem_lookalikes for word in normalize_tokens(item)
        )
        names = "|".join(
            re.escape(n) for n in sorted(self.rules.specialties, key=len, reverse=True)
        )
        self._listed_before = re.compile(
            rf"\b(?:{names})\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)$" if names else "(?!)",
            re.IGNORECASE,
        )
        self._listed_after = re.compile(
            rf"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)(?:{names})\b" if names else "(?!)",
            re.IGNORECASE,
        )

    def is_who(self, words: tuple[str, ...]) -> bool:
        """Whether normalised words name a person, occupation, organisation, software or a
        document, by their head or last word ("cancer board", "infectious disease doctor"), or
        are a discipline's name alone ("oncology" of "his oncology history")."""
        return bool(words) and (
            head_word(words) in self._who
            or words[-1] in self._who
            or " ".join(words) in self._disciplines
        )

    def is_who_or_where(self, words: tuple[str, ...]) -> bool:
        """Whether normalised words name a person, occupation, organisation, software or a
        document (by their head or last word) or hold a place's name."""
        if self.is_who(words):
            return True
        return any(
            words[start : start + size] in self._places
            for size in range(1, self._place_words + 1)
            for start in range(len(words) - size + 1)
        )

    def is_stem_lookalike(self, word: str) -> bool:
        """Whether a normalised word only looks like a drug by its ending ("equine")."""
        return word in self._stem_lookalikes

    def is_place(self, words: tuple[str, ...]) -> bool:
        """Whether normalised words are a place's name, whole ("usa", "united kingdom")."""
        return words in self._places

    def is_substance_of_abuse(self, words: tuple[str, ...]) -> bool:
        """Whether normalised words end in the name of a substance of abuse."""
        return any(words[-len(s) :] == s for s in self._substances if len(words) >= len(s))

    def is_service(self, text: str, start: int, end: int, sentence: tuple[int, int]) -> bool:
        """Whether the words around ``text[start:end]``, within its ``sentence`` (start, end),
        call it a service that was consulted ("General surgery was consulted")."""
        return (
            self._service_before.search(text, sentence[0], start) is not None
            or self._service_after.match(text, end, sentence[1]) is not None
            or self.is_listed_specialty(text, start, end, sentence)
        )

    def is_donors(self, *words: str) -> bool:
        """Whether any of ``words`` (a mention's text, its long form) opens on words that make
        it an organ donor's fact ("donor creatinine", "DBD" read as donation after brain
        death), not the patient's."""
        return any(self._donors.match(w) is not None for w in words)

    def tells_anaesthetic(self, text: str, sentence: tuple[int, int]) -> bool:
        """Whether the ``sentence`` (start, end) of ``text`` tells an anaesthetic, whose drugs
        ("propofol", "rocuronium") are no treatment."""
        return self._anaesthetic.search(text, sentence[0], sentence[1]) is not None

    def is_listed_specialty(
        self, text: str, start: int, end: int, sentence: tuple[int, int]
    ) -> bool:
        """Whether ``text[start:end]`` is listed beside a specialty within its ``sentence``
        ("neurology, *infectious disease*, and hematology"): a service, not a disease."""
        if not in_a_list(text, start, end, sentence):
            return False
        return (
            self._listed_before.search(text, max(sentence[0], start - _LISTED_REACH), start)
            is not None
            or self._listed_after.match(text, end, sentence[1]) is not None
        )

    def names_organism(self, text: str) -> bool:
        """Whether words as written end in an organism's name (see the module's **Organism**):
        "Staphylococcus aureus", "recurrent S. aureus", "Mycobacterium tuberculosis", "HTLV-1
        virus"; not "S. aureus bacteremia", "Diabetes mellitus" or "Mitotic figures"."""
        words = text.strip()
        if _VIRUS.search(words) is not None:
            return True
        found = _BINOMIAL.search(words)
        if found is None or not self._epithet_endings:
            return False
        genus, epithet = found["genus"].strip(), found["epithet"]
        if not epithet.endswith(self._epithet_endings):
            return False
        icd10cm = load_icd10cm()
        if any(
            not code.startswith(AGENT_CATEGORIES)
            for code in icd10cm.named(alias_words(f"{genus} {epithet}"))
        ):
            return False
        heads = load_head_words()
        named = heads.finding | heads.procedure | heads.test | heads.body
        # "Lesions", "evaluations": an English plural, its singular a word of the vocabularies.
        singular = normalize_tokens(epithet)
        english = named | (icd10cm.alias_words - icd10cm.organism_words)
        if singular and singular[0] != epithet and singular[0] in english:
            return False
        # "Ibandronate sodium": a salt, its second word what a laboratory measures.
        if " ".join(singular) in heads.analyte:
            return False
        if genus.endswith("."):
            return True
        genus_words = normalize_tokens(genus)
        return _ADJECTIVE.search(genus.lower()) is None and all(
            w in icd10cm.organism_words or w not in named | heads.finding_term for w in genus_words
        )


AGENT_CATEGORIES = ("B95", "B96", "B97")
"""ICD-10-CM's categories of infectious agents as the cause of diseases classified elsewhere."""

_BINOMIAL = re.compile(r"(?:^|[\s(])(?P<genus>[A-Z][a-z]{2,}\s+|[A-Z]\.\s*)(?P<epithet>[a-z]{3,})$")
"""A binomial name at the end of words: a capitalised genus or its initial, a species word."""

_VIRUS = re.compile(r"virus(?:\s*-?\s*\d+)?$", re.IGNORECASE)
"""Words ending in a virus, a type number aside ("coronavirus 2", "HTLV-1 virus")."""

_ADJECTIVE = re.compile(r"(?:ic|al|ous|ive|ar|ary|ed|ing|ent|ant|ful|able|ible|ly)$")
"""Endings of a capitalised adjective opening a sentence ("Mitotic figures"), no genus."""


def in_a_list(text: str, start: int, end: int, bounds: tuple[int, int] | None = None) -> bool:
    """Whether a comma, "and" or "or" stands right beside ``text[start:end]`` (within
    ``bounds``, a sentence): only then may the words be one item of a list."""
    low, high = bounds if bounds is not None else (0, len(text))
    before = text[max(low, start - 5) : start].rstrip().lower()
    after = text[end : min(high, end + 5)].lstrip().lower()
    return before.endswith((",", " and", " or")) or after.startswith((",", "and ", "or "))


_DISCIPLINE = re.compile(r"(?:ology|iatry|iatrics|ics)$")
"""The endings of a discipline's name, not a treatment's ("oncology", "psychiatry",
"pediatrics")."""

_LISTED_REACH = 60
"""Characters before a phrase read for a specialty listed before it: the longest name and its
comma or "and"."""


def any_of(patterns: Patterns) -> re.Pattern[str]:
    """The patterns as one case-insensitive alternation; one that never matches for none."""
    return re.compile("|".join(f"(?:{p})" for p in patterns) or "(?!)", re.IGNORECASE)


@cache
def default_non_clinical() -> NonClinicalWords:
    """The packaged words, read once."""
    return NonClinicalWords()
