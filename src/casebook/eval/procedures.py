"""ICD-10-PCS procedure coding scores on CodiEsp-P (Miranda-Escalada et al. 2020, CLEF eHealth).

Per document, the predicted codes are the case-level ``icd10pcs`` codes (``Case.codes``: the
patient's own present procedures), deduplicated and ranked by their best score. CodiEsp-P
writes a code with seven characters, or with four when its annotators stopped at the body part
(``bw20``, CT of the abdomen). ``ProcedureCoder`` writes as many characters as the text
determines, so two views are reported:

* ``exact``: a predicted code counts when it equals a gold code (lower case);
* ``four``: codes compare on their first four characters (section, body system, root
  operation, body part), a prediction shorter than four never matching; duplicates collapse.

Each view has MAP (CodiEsp's main metric: mean average precision over documents with gold
codes) and micro precision, recall and F1 over (document, code) pairs. ``shown`` scores what a
user sees, the codes the case shows (``CaseCode.shown``): a code written as far as the text
determines it is right when a gold code begins with it, and a gold code is found when a shown
code begins it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError
from casebook.eval._io import default_analyze
from casebook.eval.coding import ranked_case_codes
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import PRF, average_precision, mean, percent, prf
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.codiesp import normalize_code, read_codes_tsv
from casebook.ingest.datasets import CODIESP
from casebook.ingest.folders import check_gold_documents, read_text_folder, require_dir
from casebook.ingest.text import read_text
from casebook.model import Case, CodeSystem, Document


class ProcedureView(BaseModel):
    """Scores of one way of comparing codes."""

    model_config = ConfigDict(extra="forbid")

    map: float
    micro: PRF


class ProcedureReport(BaseModel):
    """``evaluate_icd10pcs``'s report; ``model_dump(by_alias=True)`` is its JSON.

    Attributes:
        docs: Documents analysed.
        in_sample: Whether a scored document was used to train a model the evaluation ran
            (``casebook.eval.in_sample``).
        exact: Codes compared whole.
        four: Codes compared on their first four characters.
        shown: Micro precision, recall and F1 of the shown codes, as prefixes of gold codes.
        skipped: Documents not scored, each with the error that kept it out.
    """

    model_config = ConfigDict(extra="forbid")

    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    exact: ProcedureView
    four: ProcedureView
    shown: PRF
    skipped: list[SkippedDocument] = Field(default_factory=list)


def first_four(code: str) -> str:
    """A code as compared in the ``four`` view: its first four characters, or "" if shorter."""
    code = normalize_code(code)
    return code[:4] if len(code) >= 4 else ""


class _Tally:
    """Running counts of one view."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.precisions: list[float] = []

    def add(self, predicted: list[str], expected: set[str]) -> None:
        if expected:
            self.precisions.append(average_precision(predicted, expected))
        hits = len(expected.intersection(predicted))
        self.tp += hits
        self.fp += len(predicted) - hits
        self.fn += len(expected) - hits

    def view(self) -> ProcedureView:
        return ProcedureView(
            map=percent(mean(self.precisions)), micro=prf(self.tp, self.fp, self.fn)
        )


def evaluate_icd10pcs(
    folder: Path,
    analyze: Callable[[Document], Case] = default_analyze,
    *,
    split: Split = Split.ALL,
    trained: Collection[str] | None = None,
) -> ProcedureReport:
    """Score ICD-10-PCS procedure codes on a CodiEsp split.

    Args:
        folder: A split folder with ``text/ID.txt`` and ``codesP.tsv``.
        analyze: The system under test; by default ``casebook.service.analyze_document``.
        split: The half of the documents scored (``casebook.eval.splits``), or all.
        trained: The ids of the documents ``analyze`` was trained on; by default those the shipped
            models' manifests list when ``analyze`` is the default, else none.

    Returns:
        The report; a text that cannot be read or analysed is listed in ``skipped``.

    Raises:
        CasebookError: ``CB-E001`` for a missing folder or file; ``CB-E011`` for a malformed
            ``codesP.tsv`` or gold codes for a document without text.
    """
    require_dir(folder)
    paths = read_text_folder(folder / "text")
    gold_path = folder / "codesP.tsv"
    gold = read_codes_tsv(gold_path)
    check_gold_documents(gold, (p.stem for p in paths), gold_path)
    paths = select(CODIESP, paths, lambda p: p.stem, split)
    exact, four = _Tally(), _Tally()
    right = wrong = missed = 0
    scored: list[str] = []
    skipped: list[SkippedDocument] = []
    for path in paths:
        try:
            case = analyze(read_text(path))
        except CasebookError as error:
            skipped.append(SkippedDocument.of(path.stem, error))
            continue
        scored.append(path.stem)
        expected = gold.get(path.stem, set())
        exact.add(ranked_case_codes(case.codes, CodeSystem.ICD10PCS), expected)
        ranked = ranked_case_codes(case.codes, CodeSystem.ICD10PCS, first_four)
        four.add(ranked, {first_four(c) for c in expected} - {""})
        shown = ranked_case_codes(case.shown_codes(), CodeSystem.ICD10PCS)
        right_now = sum(any(g.startswith(code) for g in expected) for code in shown)
        right += right_now
        wrong += len(shown) - right_now
        missed += sum(not any(g.startswith(code) for code in shown) for g in expected)
    seen = trained_on(CODIESP, analyze, default_analyze, trained)
    return ProcedureReport(
        split=split,
        in_sample=overlaps(scored, seen),
        docs=len(scored),
        exact=exact.view(),
        four=four.view(),
        shown=prf(right, wrong, missed),
        skipped=skipped,
    )
