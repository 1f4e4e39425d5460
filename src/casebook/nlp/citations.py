"""Names that hold no mention: suppliers' citations and the scales named after what they grade.

Case reports name the maker of a device, a drug or a kit in parentheses after it: "a 27 mm
Carbomedics prosthesis (Carbomedics Inc., Austin, TX)", "(Medtronic, Minneapolis, MN, USA)",
"(Sigma-Aldrich, St. Louis, MO)". A mention model reads the words inside by where they stand,
so a company comes out as a medication and a state's code as a test ("TX"), and both reach the
timeline and the FHIR Bundle. ``CitationFilter`` runs after the mention components and drops
every mention that lies inside such a parenthesis.

A parenthesis is a supplier's citation when it holds, after some other word, a company's legal
form ("Inc.", "Ltd", "GmbH": ``legal_forms``), or when it starts with a capital and its last
comma-separated part names a country (``casebook.kb.nonclinical`` places, "USA"). A state's
postal code alone is not read: too many are clinical abbreviations (MI, PE, CA, LA).

Scores and scales are named after what they grade: "Thrombolysis in Myocardial Infarction 3
flow" is a coronary flow grade, not a thrombolysis nor an infarction; a "Glasgow Coma Scale"
of 15 tells no coma, a "National Institutes of Health Stroke Scale" score no stroke. The
mentions inside such a name (``scale_names``, and ``instrument_names``: a title-case name ending
in Score, Scale, Index or Questionnaire, "Knee Injury and Osteoarthritis Outcome Score") are
dropped too, but a test mention holding the whole name: the scale is an assessment. So are
those inside an organisation's name (``organisation_names``), but the place the whole name
is: the "Children's Cancer Group" protocol tells no cancer, nor a "National Cancer Center" or a
"Department of Infectious Diseases" any finding; and those of words that read as a finding but
say something else (``other_senses``: "a fall in
haematocrit" is its decrease, "in fall of 2007" a season). Rules:
``resources/citations.json`` (schema ``CitationRules``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import Field

from casebook.kb.base import normalize_tokens
from casebook.kb.nonclinical import default_non_clinical
from casebook.model import Case, EntityType, Mention, Patterns, RecordModel
from casebook.resources import load_rules

RESOURCE = "citations.json"
"""The packaged rule file's name under ``casebook/resources``."""

_PARENTHESIS = re.compile(r"\(([^()]{3,200})\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z.&-]*")


class CitationRules(RecordModel):
    """The schema of ``citations.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    legal_forms: list[str] = Field(
        min_length=1,
        description="Companies' legal forms, lower case without dots ('inc', 'gmbh', 'spa').",
    )
    scale_names: Patterns = Field(
        default_factory=list,
        description="Case-insensitive regular expressions naming scores and scales after what "
        "they grade ('thrombolysis in myocardial infarction', 'glasgow coma scale').",
    )
    instrument_names: Patterns = Field(
        default_factory=list,
        description="Case-sensitive regular expressions naming questionnaires, scores and "
        "indices in title case after what they measure ('Knee Injury and Osteoarthritis "
        "Outcome Score', 'Hospital Anxiety and Depression Scale'): their words name no finding "
        "of the patient's.",
    )
    other_senses: Patterns = Field(
        default_factory=list,
        description="Case-insensitive regular expressions for words that read as a finding but "
        "say something else: a fall in a measure is its decrease ('a fall in haematocrit'), "
        "the fall of a year its season ('in fall of 2007'), a device's model number no result "
        "('model number 5594').",
    )
    organisation_names: Patterns = Field(
        default_factory=list,
        description="Case-sensitive regular expressions naming organisations after what they "
        "work on ('Children's Cancer Group', 'American Heart Association'): their words name "
        "no finding of the patient's.",
    )


class CitationFilter:
    """Drops the mentions inside suppliers' citations (see the module docstring).

    Args:
        rules: A packaged rule file name or a path to one's own rule file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    name = "citations"
    requires: frozenset[str] = frozenset({"text", "mentions"})
    assigns: frozenset[str] = frozenset({"mentions"})

    def __init__(self, rules: str | Path = RESOURCE) -> None:
        self.rules = load_rules(rules, CitationRules)
        self._legal_forms = frozenset(form.lower() for form in self.rules.legal_forms)
        self._scales = _alternation(self.rules.scale_names, re.IGNORECASE)
        self._instruments = _alternation(self.rules.instrument_names)
        self._other_senses = _alternation(self.rules.other_senses, re.IGNORECASE)
        self._organisations = _alternation(self.rules.organisation_names)

    def __call__(self, case: Case) -> Case:
        """Return ``case`` without the mentions inside suppliers' citations and scales' names,
        nor those abbreviating a scale's name ("ADL (Activities of Daily Living)")."""
        scales = self.scales(case.text)
        citations = self.citations(case.text) + self.other_senses(case.text)
        organisations = self.organisations(case.text, scales)
        if not citations and not scales and not organisations:
            return case
        kept = [
            m
            for m in case.mentions
            if not any(start <= m.start and m.end <= end for start, end in citations)
            and not _inside_organisation(m, organisations)
            and not any(
                start <= m.start
                and m.end <= end
                and not (
                    m.type is EntityType.DIAGNOSTIC_PROCEDURE and m.end - m.start == end - start
                )
                for start, end in scales
            )
            and not (
                m.type is not EntityType.DIAGNOSTIC_PROCEDURE and _abbreviates(case.text, m, scales)
            )
        ]
        if len(kept) == len(case.mentions):
            return case
        return case.model_copy(update={"mentions": kept})

    def citations(self, text: str) -> list[tuple[int, int]]:
        """The character ranges inside the parentheses of ``text`` that cite a supplier."""
        return [
            (found.start(1), found.end(1))
            for found in _PARENTHESIS.finditer(text)
            if self.is_citation(found.group(1))
        ]

    def scales(self, text: str) -> list[tuple[int, int]]:
        """The character ranges of ``text`` that name a score, a scale or an instrument."""
        return sorted(_ranges(self._scales, text) + _ranges(self._instruments, text))

    def other_senses(self, text: str) -> list[tuple[int, int]]:
        """The character ranges of ``text`` whose finding words say something else."""
        return _ranges(self._other_senses, text)

    def organisations(
        self, text: str, scales: list[tuple[int, int]] | None = None
    ) -> list[tuple[int, int]]:
        """The character ranges of ``text`` that name an organisation, none within ``scales``
        (the "Eastern Cooperative Oncology Group" of a performance status is its scale's)."""
        return [
            (start, end)
            for start, end in _ranges(self._organisations, text)
            if not any(a < end and start < b for a, b in scales or [])
        ]

    def is_citation(self, inside: str) -> bool:
        """Whether the words inside one parenthesis cite a supplier."""
        parts = [part.strip() for part in inside.split(",")]
        if any(self._names_company(part) for part in parts):
            return True
        return (
            len(parts) > 1
            and parts[0][:1].isupper()
            and default_non_clinical().is_place(normalize_tokens(parts[-1].rstrip(".")))
        )

    def _names_company(self, part: str) -> bool:
        """Whether a comma-separated part holds a legal form after another word, written as
        one: ending the part or its abbreviation ("Inc.", "Ltd"), and a two-letter form in
        capitals or with its dot ("AG", "Co."), so that "HBs Ag" or "SA node" is none."""
        words = _WORD.findall(part)
        for number, word in enumerate(words[1:], start=1):
            form = word.replace(".", "").lower()
            if form not in self._legal_forms:
                continue
            written = word.endswith(".") or number == len(words) - 1
            if written and (len(form) > 2 or word.endswith(".") or word.isupper()):
                return True
        return False


def _alternation(patterns: list[str], flags: int = 0) -> re.Pattern[str] | None:
    """One expression matching any of ``patterns`` as whole words; None for no pattern."""
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", flags) if patterns else None


def _ranges(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    """The character ranges of ``text`` that ``pattern`` matches."""
    return [] if pattern is None else [(m.start(), m.end()) for m in pattern.finditer(text)]


def _abbreviates(text: str, mention: Mention, names: list[tuple[int, int]]) -> bool:
    """Whether the mention is the short form of a name in parentheses right after it ("ADL
    (Activities of Daily Living)")."""
    opening = text.find("(", mention.end, mention.end + 3)
    return (
        opening >= 0
        and not text[mention.end : opening].strip()
        and any(start == opening + 1 and text[end : end + 1] == ")" for start, end in names)
    )


@cache
def default_citations() -> CitationFilter:
    """The filter of the packaged rules, built once."""
    return CitationFilter()


def _inside_organisation(mention: Mention, organisations: list[tuple[int, int]]) -> bool:
    """Whether ``mention`` lies inside an organisation's name without being the name: the
    "Cancer" of the "National Cancer Center", not the place the whole name is."""
    return mention.type is not EntityType.NONBIOLOGICAL_LOCATION and any(
        start <= mention.start
        and mention.end <= end
        and (start, end) != (mention.start, mention.end)
        for start, end in organisations
    )
