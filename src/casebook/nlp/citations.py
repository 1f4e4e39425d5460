"""Suppliers' citations: no mention inside "(Carbomedics Inc., Austin, TX)".

Case reports name the maker of a device, a drug or a kit in parentheses after it: "a 27 mm
Carbomedics prosthesis (Carbomedics Inc., Austin, TX)", "(Medtronic, Minneapolis, MN, USA)",
"(Sigma-Aldrich, St. Louis, MO)". A mention model reads the words inside by where they stand,
so a company comes out as a medication and a state's code as a test ("TX"), and both reach the
timeline and the FHIR Bundle. ``CitationFilter`` runs after the mention components and drops
every mention that lies inside such a parenthesis.

A parenthesis is a supplier's citation when it holds, after some other word, a company's legal
form ("Inc.", "Ltd", "GmbH": ``legal_forms``), or when it starts with a capital and its last
comma-separated part names a country (``casebook.kb.nonclinical`` places, "USA"). A state's
postal code alone is not read: too many are clinical abbreviations (MI, PE, CA, LA). Rules:
``resources/citations.json`` (schema ``CitationRules``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import Field

from casebook.kb.base import normalize_tokens
from casebook.kb.nonclinical import default_non_clinical
from casebook.model import Case, RecordModel
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

    def __call__(self, case: Case) -> Case:
        """Return ``case`` without the mentions inside suppliers' citations."""
        citations = self.citations(case.text)
        if not citations:
            return case
        kept = [
            m
            for m in case.mentions
            if not any(start <= m.start and m.end <= end for start, end in citations)
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


@cache
def default_citations() -> CitationFilter:
    """The filter of the packaged rules, built once."""
    return CitationFilter()
