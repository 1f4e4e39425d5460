"""The ICD-10-CM coding pipeline component: mention codes and the case's code set."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from casebook.coding.codeset import (
    MentionCode,
    Phenotypes,
    candidates,
    coded_findings,
    contradicted,
    linked_findings,
    logistic,
    resolve_leaves,
    restated,
)
from casebook.coding.icd10cm import Icd10Model
from casebook.kb.associations import reviewed
from casebook.kb.icd10cm import Icd10cmVocabulary, load_icd10cm
from casebook.model import Case, CaseCode, Code, CodeSystem, Mention
from casebook.nlp.literature import Statement, default_sorter
from casebook.nlp.phenotypes import direction_words, packaged_matcher
from casebook.resources import resource_path

_NOT_THE_PATIENTS = frozenset({Statement.LITERATURE, Statement.LEGEND})
"""Statements whose findings give the case no code."""

MODEL_DIR = "models/icd10"
"""The shipped model's folder under ``casebook/resources``."""


@cache
def shipped_model() -> Icd10Model:
    """The shipped ICD-10-CM model, loaded once."""
    return Icd10Model.load(resource_path(MODEL_DIR))


class Icd10Coder:
    """Codes finding mentions into ICD-10-CM and sets the case's ICD-10-CM code set.

    Each finding mention, whatever its assertion, carries the codes its words name
    (``Mention.codes``): a negated "no fever" keeps R50.9 on its mention. The case's codes are
    those the patient's own present findings support (not those of statements about the
    literature, nor of legends, ``casebook.nlp.literature``), scored and calibrated as
    ``casebook.coding.codeset`` describes, best first; ``CaseCode.shown`` marks those above the
    calibrated threshold. Codes are upper case with the dot ("N28.89"); codes taking a 7th
    character are given without it.

    Args:
        model: A loaded model, or a model folder; the shipped model when omitted.
        vocabulary: ICD-10-CM 2026; the packaged one when omitted.

    Raises:
        CasebookError: ``CB-E012`` when the model files are missing or malformed.
    """

    name = "icd10"
    requires: frozenset[str] = frozenset(
        {"text", "sentences", "sections", "mentions", "mentions.assertion"}
    )
    assigns: frozenset[str] = frozenset({"mentions.codes.icd10cm", "codes.icd10cm"})

    def __init__(
        self,
        model: Icd10Model | Path | None = None,
        vocabulary: Icd10cmVocabulary | None = None,
    ) -> None:
        if model is None:
            self.model = shipped_model()
        elif isinstance(model, Path):
            self.model = Icd10Model.load(model)
        else:
            self.model = model
        self.vocabulary = vocabulary if vocabulary is not None else load_icd10cm()
        rules, hpo, _ = packaged_matcher()
        self.phenotypes = Phenotypes(hpo, direction_words(rules))
        # A model learnt before a link was rejected keeps it in its file: it is never used.
        self.association = reviewed(self.model.association)

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with its mentions' and its own ICD-10-CM codes."""
        settings = self.model.codeset
        findings = coded_findings(case, settings.mention_types)
        linked = linked_findings(
            case,
            findings,
            self.vocabulary,
            self.association,
            settings.codes_per_mention,
            self.phenotypes,
        )
        mentions = [self._coded(m, linked[m.id]) if m.id in linked else m for m in case.mentions]
        ranked = {r.code: r.signals for r in self.model.rank(case)}
        # What a statement about other patients or the literature names ("response in patients
        # with myelodysplastic syndromes"), or a legend glosses, is no code of this patient's;
        # its mentions keep their own codes.
        statements = default_sorter().sort(case)
        patients = [m for m in mentions if statements.at(m.start) not in _NOT_THE_PATIENTS]
        scored = candidates(
            case.model_copy(update={"mentions": patients}),
            ranked,
            linked,
            self.vocabulary,
            settings,
        )
        for candidate in scored:
            candidate.score = logistic(candidate.features, settings)
        codes = [
            CaseCode(
                system=CodeSystem.ICD10CM,
                code=candidate.code,
                display=self._display(candidate.code),
                score=round(candidate.score, 4),
                evidence=candidate.evidence,
                mentions=candidate.mentions,
                shown=candidate.score >= settings.shown_threshold,
                category=category,
            )
            for candidate, category in resolve_leaves(scored, self.vocabulary)
        ]
        shown = [c for c in codes if c.shown]
        hidden = contradicted(shown) | restated(shown, mentions)
        codes = [c.model_copy(update={"shown": False}) if c.code in hidden else c for c in codes]
        others = [c for c in case.codes if c.system is not CodeSystem.ICD10CM]
        return case.model_copy(update={"mentions": mentions, "codes": [*others, *codes]})

    def _display(self, code: str) -> str:
        return self.vocabulary.title(code) or self.model.displays.get(code, "")

    def _coded(self, mention: Mention, coded: Sequence[MentionCode]) -> Mention:
        kept = [c for c in mention.codes if c.system is not CodeSystem.ICD10CM]
        icd = [
            Code(
                system=CodeSystem.ICD10CM,
                code=c.code,
                display=self._display(c.code),
                score=c.score,
            )
            for c in coded
        ]
        if not icd and len(kept) == len(mention.codes):
            return mention
        return mention.model_copy(update={"codes": kept + icd})
