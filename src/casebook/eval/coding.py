"""ICD-10-CM diagnosis coding scores on CodiEsp-D (Miranda-Escalada et al. 2020, CLEF eHealth).

Per document, the predicted codes are the case-level ``icd10cm`` codes (``Case.codes``, which by
the case model's contract hold only the patient's own present conditions), deduplicated and
ranked by their best score (ties keep list order). Codes compare after lower-casing and
stripping; dots are kept, as in the gold file (``n28.89``), so "N28.89" matches it. casebook
writes billable ICD-10-CM 2026 codes; CodiEsp was coded in an earlier edition, some of whose
billable codes have since become categories (``R51`` Headache became ``R51.0``/``R51.9`` in
2021): a predicted code that refines such a gold code counts as it (``gold_form``).

* MAP: CodiEsp-D's main metric, the mean over documents with gold codes of the average
  precision of the whole ranked list (``casebook.eval.metrics.average_precision``). For the
  shipped coder the list is its document ranking (``Icd10Model.document_ranking``): the
  ranker's codes with those a present finding names raised; for another system, the case's
  codes. ``codeset_map`` is the MAP of the case's codes alone, ``ranker_map`` that of the
  ranker before the code set, ``fused_map`` that of the document ranking before its re-ranker
  (``casebook.coding.rerank``) orders it;
* micro P/R/F1: over the (document, code) pairs of the codes **shown** (``CaseCode.shown``),
  what a user sees;
* ``anchor_map``: the MAP, in the same run, of the reference ranker CodiEsp's baselines use, a
  TF-IDF 30-nearest-neighbour vote over the coder's own training documents (summed cosine
  similarity; ``Icd10Model.knn_scores``), when the system under test is the shipped one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.coding.icd10cm import Icd10Model
from casebook.errors import CasebookError
from casebook.eval._io import default_analyze
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import PRF, average_precision, mean, percent, prf
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.codiesp import normalize_code, read_codes_tsv
from casebook.ingest.datasets import CODIESP
from casebook.ingest.folders import check_gold_documents, read_text_folder, require_dir
from casebook.ingest.text import read_text
from casebook.kb.icd10cm import Icd10cmVocabulary, load_icd10cm
from casebook.model import Case, CaseCode, CodeSystem, Document


class CodingReport(BaseModel):
    """``evaluate_icd10``'s report; ``model_dump(by_alias=True)`` is its JSON.

    Attributes:
        docs: Documents analysed.
        in_sample: Whether a scored document was used to train a model the evaluation ran
            (``casebook.eval.in_sample``).
        map: Mean average precision over documents with gold codes, percent: of the shipped
            coder's document ranking, or of another system's case codes.
        micro: Micro-averaged precision, recall and F1 of the shown codes.
        anchor_map: The nearest-neighbour anchor's MAP in the same run; None for another
            system than the shipped one.
        ranker_map: The MAP of the shipped coder's document ranker alone (every code it
            ranks, supported by a mention or not, before the code set raises any); None for
            another system than the shipped one.
        fused_map: The MAP of the shipped coder's document ranking before its re-ranker orders
            it (the fused signals' order); None for another system than the shipped one.
        codeset_map: The MAP of the case's codes alone (the code set: codes a present finding
            names, shown or not).
        skipped: Documents not scored, each with the error that kept it out.
    """

    model_config = ConfigDict(extra="forbid")

    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    map: float
    micro: PRF
    skipped: list[SkippedDocument] = Field(default_factory=list)
    anchor_map: float | None = None
    ranker_map: float | None = None
    fused_map: float | None = None
    codeset_map: float


def knn_anchor(model: Icd10Model, document: Document) -> list[str]:
    """A coder's training documents' codes, ranked by a 30-nearest-neighbour vote."""
    votes = model.knn_scores(model.similarities(model.tfidf.transform(document.text)))
    return [code.lower() for code in sorted(votes, key=lambda c: (-votes[c], c))]


def ranker_codes(model: Icd10Model, case: Case) -> list[str]:
    """A coder's first-stage ranking of an analysed case, best first (the ranking its code set
    is chosen from, before a mention must support each code)."""
    return [ranked.code.lower() for ranked in model.rank(case)]


def document_codes(model: Icd10Model, case: Case, rerank: bool = True) -> list[str]:
    """A coder's document ranking of an analysed case, best first; with ``rerank`` False, its
    fused ranking before the re-ranker orders it."""
    return [ranked.code.lower() for ranked in model.document_ranking(case, rerank)]


def ranked_case_codes(
    codes: Iterable[CaseCode],
    system: CodeSystem,
    normalize: Callable[[str], str] = normalize_code,
) -> list[str]:
    """The distinct case-level codes of one system, best score first.

    Args:
        codes: A case's ``codes``.
        system: The code system kept.
        normalize: How codes are normalised before deduplication.

    Returns:
        Normalised codes, by decreasing best score, ties in list order.
    """
    best: dict[str, float] = {}
    for code in codes:
        if code.system != system:
            continue
        key = normalize(code.code)
        if key and (key not in best or code.score > best[key]):
            best[key] = code.score
    order = {code: index for index, code in enumerate(best)}
    return sorted(best, key=lambda code: (-best[code], order[code]))


def gold_form(
    predicted: Iterable[str], gold: Collection[str], vocabulary: Icd10cmVocabulary
) -> list[str]:
    """Predicted codes (normalised) as gold writes them: a code refining a gold code that is no
    longer billable in ICD-10-CM 2026 is written as that gold code; order and repeats kept, so
    two refinements of one gold code count once right and once wrong."""
    outdated = [
        g for g in gold if g.upper() in vocabulary and not vocabulary.is_billable(g.upper())
    ]
    written: list[str] = []
    for code in predicted:
        refined = next(
            (
                g
                for g in outdated
                if code not in gold and vocabulary.is_descendant(code.upper(), g.upper())
            ),
            code,
        )
        written.append(refined)
    return written


def evaluate_icd10(
    folder: Path,
    analyze: Callable[[Document], Case] = default_analyze,
    *,
    split: Split = Split.ALL,
    trained: Collection[str] | None = None,
    coder: Icd10Model | None = None,
) -> CodingReport:
    """Score ICD-10-CM diagnosis codes on a CodiEsp split.

    Args:
        folder: A split folder with ``text/ID.txt`` and ``codesD.tsv``.
        analyze: The system under test; by default ``casebook.service.analyze_document``.
        split: The half of the documents scored (``casebook.eval.splits``), or all.
        trained: The ids of the documents ``analyze`` was trained on; by default those the shipped
            models' manifests list when ``analyze`` is the default, else none.
        coder: The ICD-10-CM model ``analyze`` codes with, whose document ranking MAP scores
            and whose training documents the anchor votes with; by default the shipped one
            when ``analyze`` is the default, else none (MAP then scores the case's codes).

    Returns:
        The report; a text that cannot be read or analysed is listed in ``skipped``.

    Raises:
        CasebookError: ``CB-E001`` for a missing folder or file; ``CB-E011`` for a malformed
            ``codesD.tsv`` or gold codes for a document without text.
    """
    require_dir(folder)
    paths = read_text_folder(folder / "text")
    gold_path = folder / "codesD.tsv"
    gold = read_codes_tsv(gold_path)
    check_gold_documents(gold, (p.stem for p in paths), gold_path)
    paths = select(CODIESP, paths, lambda p: p.stem, split)
    vocabulary = load_icd10cm()
    if coder is None and analyze is default_analyze:
        from casebook.coding.component import shipped_model

        coder = shipped_model()
    tp = fp = fn = 0
    precisions: list[float] = []
    codeset: list[float] = []
    anchored: list[float] = []
    ranker: list[float] = []
    fused: list[float] = []
    scored: list[str] = []
    skipped: list[SkippedDocument] = []
    for path in paths:
        try:
            document = read_text(path)
            case = analyze(document)
        except CasebookError as error:
            skipped.append(SkippedDocument.of(path.stem, error))
            continue
        scored.append(path.stem)
        expected = gold.get(path.stem, set())
        ranked = gold_form(ranked_case_codes(case.codes, CodeSystem.ICD10CM), expected, vocabulary)
        if expected:
            codeset.append(average_precision(ranked, expected))
            if coder is not None:
                anchored.append(average_precision(knn_anchor(coder, document), expected))
                first = gold_form(ranker_codes(coder, case), expected, vocabulary)
                ranker.append(average_precision(first, expected))
                before = gold_form(document_codes(coder, case, False), expected, vocabulary)
                fused.append(average_precision(before, expected))
                ranked = gold_form(document_codes(coder, case), expected, vocabulary)
            precisions.append(average_precision(ranked, expected))
        shown = gold_form(
            ranked_case_codes(case.shown_codes(), CodeSystem.ICD10CM), expected, vocabulary
        )
        hits = len(expected.intersection(shown))
        tp += hits
        fp += len(shown) - hits
        fn += len(expected) - hits
    seen = trained_on(CODIESP, analyze, default_analyze, trained)
    return CodingReport(
        split=split,
        in_sample=overlaps(scored, seen),
        docs=len(scored),
        map=percent(mean(precisions)),
        micro=prf(tp, fp, fn),
        anchor_map=percent(mean(anchored)) if coder is not None else None,
        ranker_map=percent(mean(ranker)) if coder is not None else None,
        fused_map=percent(mean(fused)) if coder is not None else None,
        codeset_map=percent(mean(codeset)),
        skipped=skipped,
    )
