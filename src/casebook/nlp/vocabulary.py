"""Findings named by the vocabularies where the mention model saw none.

The mention model learnt what MACCROBAT annotates, and misses findings it rarely saw, or folds
them into a History phrase ("type 2 diabetes mellitus and hypertension" read as one history
item). Every Human Phenotype Ontology alias the text names (the matcher ``PhenotypeCoder`` uses,
``casebook.nlp.phenotypes.phenotype_matches``) becomes a finding mention where no mention lies,
History and Family_history phrases aside (they overlap findings by design), carrying the HPO
concept it names; coordinated findings sharing a noun ("short and wide neck") give a mention
each, which may overlap. The new mention is a Disease_disorder when its words name an ICD-10-CM
code outside chapter R (symptoms, signs and abnormal findings), else a Sign_symptom. It runs
before ``assertion``, so that these findings are asserted, related and coded like the model's.
"""

from __future__ import annotations

from casebook.kb.icd10cm import Icd10cmVocabulary, alias_words, load_icd10cm
from casebook.model import Case, Code, CodeSystem, EntityType, Mention
from casebook.nlp.phenotypes import packaged_matcher, phenotype_matches
from casebook.nlp.spans import SpanIndex

OVERLAPPING_TYPES = frozenset({EntityType.HISTORY, EntityType.FAMILY_HISTORY})
"""Mention types that may lie over a finding mention."""


class VocabularyMentions:
    """Adds a finding mention for each HPO alias in the text that no mention covers.

    Args:
        vocabulary: ICD-10-CM 2026, which tells a disease from a sign; the packaged one when
            omitted.
    """

    name = "vocabulary"
    requires = frozenset({"text", "mentions"})
    assigns = frozenset({"mentions"})

    def __init__(self, vocabulary: Icd10cmVocabulary | None = None) -> None:
        self.rules, self.kb, self.generator = packaged_matcher()
        self.vocabulary = vocabulary if vocabulary is not None else load_icd10cm()

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with the vocabulary's findings the mentions missed."""
        taken = SpanIndex(
            (m.start, m.end, m.id) for m in case.mentions if m.type not in OVERLAPPING_TYPES
        )
        used = {m.id for m in case.mentions}
        added: list[Mention] = []
        for match in phenotype_matches(case.text, self.rules, self.generator, self.kb):
            if taken.any_overlapping(match.start, match.end):
                continue
            number = len(used) + 1
            while f"m{number}" in used:
                number += 1
            used.add(f"m{number}")
            words = case.text[match.start : match.end]
            added.append(
                Mention(
                    id=f"m{number}",
                    start=match.start,
                    end=match.end,
                    text=words,
                    type=self._type(words),
                    codes=[
                        Code(
                            system=CodeSystem.HPO,
                            code=concept_id,
                            display=self.kb.concept(concept_id).name,
                        )
                        for concept_id in match.concept_ids
                    ],
                )
            )
        if not added:
            return case
        mentions = sorted([*case.mentions, *added], key=lambda m: (m.start, m.end))
        return case.model_copy(update={"mentions": mentions})

    def _type(self, words: str) -> EntityType:
        codes = self.vocabulary.named(alias_words(words))
        if any(not code.startswith("R") for code in codes):
            return EntityType.DISEASE_DISORDER
        return EntityType.SIGN_SYMPTOM
