"""How often a vocabulary's acronym alias means its concept when case reports define it.

A vocabulary's own short alias ("HCM" for Hypertrophic cardiomyopathy) is matched where the
text writes it, defined there or not. Case reports define many such short forms with other
senses ("HCM (hypercalcaemia)", "PE (pleural effusion)"), and an undefined one then names the
wrong concept. The packaged inventory (``acronym_senses.json``) counts, over the case reports of
PMC-Patients, the long forms that Schwartz & Hearst definitions give each acronym alias of HPO,
and how many of them name the alias's own concept (its name, a synonym, or a phrase holding
one: "apical hypertrophic cardiomyopathy"). ``CandidateGenerator`` reads a short form whose
definitions give other senses a real share (``max_other_share``, at least
``min_other_definitions``), or that case reports define too rarely (fewer than
``min_definitions`` times) for its senses there to be known, only where its text also
writes one of the own sense's long forms, which a definition does: an undefined "GDD" is a
glaucoma drainage device, an "AOP" the artery of Percheron, a "HCM" may be a hypercalcaemia
of malignancy.

Regenerate with ``python -m casebook.nlp.acronym_senses CORPUS.jsonl OUT.json``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Self

from pydantic import Field, model_validator

from casebook.model import RecordModel
from casebook.resources import load_rules

RESOURCE = "acronym_senses.json"
"""The packaged inventory."""

_SPACES = re.compile(r"[\s\u2010-\u2015-]+")


class AcronymSense(RecordModel):
    """What definitions in case reports give one acronym alias of a vocabulary."""

    short: str = Field(min_length=2, description="The alias as the vocabulary writes it: 'HCM'.")
    concepts: list[str] = Field(min_length=1, description="The concepts the alias names.")
    definitions: int = Field(ge=0, description="Definitions of the short form in the corpus.")
    own: int = Field(ge=0, description="Of them, those whose long form names its concepts.")
    own_long_forms: list[str] = Field(
        description="The own sense's long forms, lower case, most defined first."
    )
    other_long_forms: dict[str, int] = Field(
        description="The other senses' most defined long forms, lower case, with their counts."
    )

    @model_validator(mode="after")
    def _counts(self) -> Self:
        if self.own > self.definitions:
            raise ValueError(f"{self.short}: more own senses than definitions")
        return self

    @property
    def other_share(self) -> float:
        """The share of definitions that give another sense (none without definitions)."""
        return (self.definitions - self.own) / self.definitions if self.definitions else 0.0


class AcronymSenses(RecordModel):
    """The inventory: every acronym alias of the vocabulary, with its definitions' senses."""

    source: str = Field(description="What the counts were read from.")
    min_definitions: int = Field(ge=1)
    max_other_share: float = Field(gt=0.0, le=1.0)
    min_other_definitions: int = Field(ge=1)
    entries: list[AcronymSense]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        shorts = [entry.short for entry in self.entries]
        if len(shorts) != len(set(shorts)):
            raise ValueError("a short form appears twice")
        return self

    def ambiguous(self) -> dict[str, tuple[str, ...]]:
        """Short form → its own sense's long forms, for those whose other senses reach
        ``max_other_share`` and ``min_other_definitions``, and those defined fewer than
        ``min_definitions`` times, whose senses in case reports are unknown."""
        return {
            entry.short: tuple(entry.own_long_forms)
            for entry in self.entries
            if entry.definitions < self.min_definitions
            or (
                entry.other_share >= self.max_other_share
                and entry.definitions - entry.own >= self.min_other_definitions
            )
        }


@cache
def packaged_ambiguous() -> dict[str, tuple[str, ...]]:
    """The packaged inventory's ambiguous short forms (``AcronymSenses.ambiguous``)."""
    return load_rules(RESOURCE, AcronymSenses).ambiguous()


def long_form_key(text: str) -> str:
    """A long form as counted: lower case, hyphens and runs of spaces as one space."""
    return _SPACES.sub(" ", text.lower()).strip(" .,;")
