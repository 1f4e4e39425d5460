"""Diagnoses a report states, as disease mentions, where the mention model found none.

The words after a diagnosis cue ("the diagnosis of cerebral cysticercosis was made", "diagnosed
with extranodal NK/T-cell lymphoma") name what the patient was found to have: the most important
fact of a case report, and one the mention model misses when its words are rare in MACCROBAT (it
read nothing in the first, a drug in "a definite diagnosis of pemphigus vulgaris"). For each cue
of ``resources/diagnoses.json``, the words after it, up to punctuation, a stop word or
``max_words`` and without a leading article or hedge ("a possible diagnosis of"), become a
Disease_disorder mention when

* no finding mention (Sign_symptom, Disease_disorder) overlaps them, and
* they name a finding and nothing else (``ClinicalConcepts.word_kinds``: the vocabularies' head
  words and medical word endings, "-oma", "-itis", "-osis"); "the differential diagnosis of such
  lesions" names none.

A short form the text defines is read in its long form ("confirmed the diagnosis of right CTS").
Mentions of the kinds a diagnosis's words are mistyped as (a test, a result, a description, a
drug, a structure holding its head word) lying within the new mention give way to it; a place
within it ("pulmonary" of "pulmonary cryptococcoma") and a severity stay.
It runs before ``assertion``, which then reads "differential" and "possible" as it reads them
for every mention.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from casebook.kb.base import normalize_tokens
from casebook.kb.heads import head_word
from casebook.model import Abbreviation, Case, EntityType, Mention, Patterns, RecordModel
from casebook.nlp.abbreviations import AbbreviationDetector
from casebook.nlp.concepts import ClinicalConcepts, ConceptKind, default_concepts
from casebook.resources import load_rules

FINDING_TYPES = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
"""Mention types of findings: one overlapping the words means the model read them."""

GIVING_WAY = frozenset(
    {
        EntityType.DIAGNOSTIC_PROCEDURE,
        EntityType.LAB_VALUE,
        EntityType.DETAILED_DESCRIPTION,
        EntityType.MEDICATION,
    }
)
"""Types of the mentions within a diagnosis's words that were pieces of it, mistyped."""

_WORD = re.compile(r"[^\s.,;:()\[\]{}]+")
"""A word of a diagnosis: what lies between spaces and punctuation."""

_BREAK = re.compile(r"\s*[.,;:()\[\]{}]|\s*\n")
"""Punctuation or a line break: the end of a diagnosis."""


class DiagnosisRules(RecordModel):
    """The schema of ``diagnoses.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    cues: Patterns = Field(min_length=1, description="Case-insensitive regular expressions.")
    leading_words: list[str] = Field(
        default_factory=list, description="Words before a diagnosis that are not part of it."
    )
    stop_words: list[str] = Field(description="Words that end a diagnosis.")
    max_words: int = Field(ge=1, le=12)


class DiagnosisMentions:
    """Adds a disease mention for each stated diagnosis no finding mention covers.

    Args:
        rules: A packaged resource name or the path of a user's own rule file.
        concepts: What words name; the packaged reading when omitted.
    """

    name = "diagnoses"
    requires = frozenset({"text", "sentences", "mentions"})
    assigns = frozenset({"mentions"})

    def __init__(
        self, rules: str | Path = "diagnoses.json", concepts: ClinicalConcepts | None = None
    ) -> None:
        self.rules = load_rules(rules, DiagnosisRules)
        self._cues = re.compile("|".join(f"(?:{c})" for c in self.rules.cues), re.IGNORECASE)
        self._leading = frozenset(w.lower() for w in self.rules.leading_words)
        self._stops = frozenset(w.lower() for w in self.rules.stop_words)
        self._concepts = concepts
        self._abbreviations = AbbreviationDetector()

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with a Disease_disorder mention for each uncovered diagnosis."""
        concepts = self._concepts if self._concepts is not None else default_concepts()
        mentions = list(case.mentions)
        used = {m.id for m in mentions}
        abbreviations: list[Abbreviation] | None = None
        changed = False
        for cue in self._cues.finditer(case.text):
            span = self.diagnosis_after(case.text, cue.end())
            if span is None:
                continue
            start, end = span
            if any(m.type in FINDING_TYPES and m.start < end and start < m.end for m in mentions):
                continue
            number = len(used) + 1
            while f"m{number}" in used:
                number += 1
            candidate = Mention(
                id=f"m{number}",
                start=start,
                end=end,
                text=case.text[start:end],
                type=EntityType.DISEASE_DISORDER,
            )
            if not _names_a_finding(concepts, candidate):
                # "the diagnosis of right CTS": a short form the text defined is read in its
                # long form, as the abbreviations component will read it.
                if abbreviations is None:
                    abbreviations = self._abbreviations.detect(case.text, case.sentences)
                candidate = self._abbreviations.resolve([candidate], abbreviations)[0]
                if candidate.expansion is None or not _names_a_finding(concepts, candidate):
                    continue
            used.add(candidate.id)
            head = head_word(normalize_tokens(candidate.text))
            mentions = [
                m
                for m in mentions
                if not (
                    start <= m.start
                    and m.end <= end
                    and (
                        m.type in GIVING_WAY
                        or (m.type is EntityType.BIOLOGICAL_STRUCTURE and _holds(m, head))
                    )
                )
            ]
            mentions.append(candidate)
            changed = True
        if not changed:
            return case
        mentions.sort(key=lambda m: (m.start, m.end))
        return case.model_copy(update={"mentions": mentions})

    def diagnosis_after(self, text: str, position: int) -> tuple[int, int] | None:
        """The span of the diagnosis a cue ending at ``position`` names, or ``None``."""
        start: int | None = None
        end = position
        words = 0
        at = position
        while words < self.rules.max_words:
            broken = _BREAK.match(text, at)
            if broken is not None and (start is not None or broken.group().strip()):
                break
            word = _WORD.search(text, at)
            if word is None or text[at : word.start()].strip():
                break
            lowered = word.group().lower()
            if start is None and lowered in self._leading:
                at = word.end()
                continue
            # A stop word in capitals is a short form ("hereditary AT deficiency").
            if lowered in self._stops and not word.group().isupper():
                break
            if start is None:
                start = word.start()
            end = word.end()
            words += 1
            at = word.end()
        return None if start is None else (start, end)


def _names_a_finding(concepts: ClinicalConcepts, mention: Mention) -> bool:
    """Whether the mention's words name a finding and nothing else."""
    return not concepts.names_nothing(mention) and concepts.word_kinds(mention) == {
        ConceptKind.FINDING
    }


def _holds(mention: Mention, head: str) -> bool:
    """Whether the mention's words hold the diagnosis's head word: a structure so is the
    diagnosis mistyped ("right CTS"), not a place within it ("pulmonary")."""
    return head in normalize_tokens(mention.text)
