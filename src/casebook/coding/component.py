"""The ICD-10-CM coding pipeline component: ranked case-level diagnosis codes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from casebook.coding.icd10cm import Icd10Model
from casebook.model import Case, CaseCode, CodeSystem
from casebook.resources import resource_path

MODEL_DIR = "models/icd10"
"""The shipped model's folder under ``casebook/resources``."""


@cache
def _shipped_model() -> Icd10Model:
    return Icd10Model.load(resource_path(MODEL_DIR))


class Icd10Coder:
    """Appends the case's ranked ICD-10-CM codes to ``Case.codes``.

    Codes are upper case with the dot, as ICD-10-CM writes them ("N28.89"); codes taking a 7th
    character are given without it, as CodiEsp codes them. The score is the fused score of
    ``casebook.coding.icd10cm`` in ``[0, 1]``; evidence spans are the dictionary matches that
    support a code or, failing those, the word n-grams that most raise its classifier score.

    Args:
        model: A loaded model, or a model folder; the shipped model when omitted.

    Raises:
        CasebookError: ``CB-E012`` when the model files are missing or malformed.
    """

    name = "icd10"
    requires: frozenset[str] = frozenset({"text", "sentences", "sections"})
    assigns: frozenset[str] = frozenset({"codes.icd10cm"})

    def __init__(self, model: Icd10Model | Path | None = None) -> None:
        if model is None:
            self.model = _shipped_model()
        elif isinstance(model, Path):
            self.model = Icd10Model.load(model)
        else:
            self.model = model

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with its ranked ICD-10-CM codes after any codes it had."""
        codes = [
            CaseCode(
                system=CodeSystem.ICD10CM,
                code=ranked.code,
                display=self.model.displays.get(ranked.code, ""),
                score=round(min(1.0, max(0.0, ranked.score)), 6),
                evidence=ranked.evidence,
            )
            for ranked in self.model.rank(case)
        ]
        return case.model_copy(update={"codes": [*case.codes, *codes]})
