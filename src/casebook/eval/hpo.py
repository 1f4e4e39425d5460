"""Document-level HPO concept recognition scores.

The data are the JAX case reports of the PhenoTagger corpora (Luo et al. 2021, Bioinformatics).
The predicted set of a document is the HPO ids among the case-level ``Case.codes``, which hold
the patient's own present findings only (``casebook.nlp.phenotypes.PhenotypeCoder`` leaves out
negated, family and hypothetical ones). Micro precision, recall and F1 are computed over the
(document, HPO id) pairs of every document. Ids compare after stripping and upper-casing
(``HP:0000407``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError
from casebook.eval._io import default_analyze
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import PRF, prf
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.datasets import JAX
from casebook.ingest.folders import check_gold_documents, read_text_folder, require_dir
from casebook.ingest.jax import normalize_hpo, read_jax_gold
from casebook.ingest.text import read_text
from casebook.model import Case, CodeSystem, Document


class HpoReport(BaseModel):
    """``evaluate_hpo``'s report; ``model_dump(by_alias=True)`` is its JSON.

    Attributes:
        docs: Documents analysed.
        in_sample: Whether a scored document was used to train a model the evaluation ran
            (``casebook.eval.in_sample``).
        micro: Micro-averaged precision, recall and F1 over document-level sets.
        skipped: Documents not scored, each with the error that kept it out.
    """

    model_config = ConfigDict(extra="forbid")

    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    micro: PRF
    skipped: list[SkippedDocument] = Field(default_factory=list)


def evaluate_hpo(
    folder: Path,
    analyze: Callable[[Document], Case] = default_analyze,
    *,
    split: Split = Split.ALL,
    trained: Collection[str] | None = None,
) -> HpoReport:
    """Score document-level HPO terms.

    Args:
        folder: A folder with ``jax/ID.txt`` and ``jax_gold.json``.
        analyze: The system under test; by default ``casebook.service.analyze_document``.
            Pass one's own (e.g. a ``Pipeline`` ending in ``PhenotypeCoder``) to evaluate
            another configuration.
        split: The half of the documents scored (``casebook.eval.splits``), or all.
        trained: The ids of the documents ``analyze`` was trained on; by default those the shipped
            models' manifests list when ``analyze`` is the default, else none.

    Returns:
        The report; documents without gold terms count with an empty gold set, and a text
        that cannot be read or analysed is listed in ``skipped``.

    Raises:
        CasebookError: ``CB-E001`` for a missing folder or file; ``CB-E008``/``CB-E011`` for a
            malformed gold file or gold terms for a document without text.
    """
    require_dir(folder)
    paths = read_text_folder(folder / "jax")
    gold_path = folder / "jax_gold.json"
    gold = read_jax_gold(gold_path)
    check_gold_documents(gold, (p.stem for p in paths), gold_path)
    paths = select(JAX, paths, lambda p: p.stem, split)
    tp = fp = fn = 0
    scored: list[str] = []
    skipped: list[SkippedDocument] = []
    for path in paths:
        try:
            case = analyze(read_text(path))
        except CasebookError as error:
            skipped.append(SkippedDocument.of(path.stem, error))
            continue
        scored.append(path.stem)
        predicted = {
            normalize_hpo(code.code) for code in case.shown_codes() if code.system == CodeSystem.HPO
        }
        expected = gold.get(path.stem, set())
        hits = len(predicted & expected)
        tp += hits
        fp += len(predicted) - hits
        fn += len(expected) - hits
    seen = trained_on(JAX, analyze, default_analyze, trained)
    return HpoReport(
        split=split,
        in_sample=overlaps(scored, seen),
        docs=len(scored),
        micro=prf(tp, fp, fn),
        skipped=skipped,
    )
