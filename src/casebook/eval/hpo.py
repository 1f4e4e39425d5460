"""Document-level HPO concept recognition scores, on JAX case reports or GSC+ abstracts.

The data are the PhenoTagger corpora (Luo et al. 2021, Bioinformatics): the JAX case reports
(``jax/ID.txt`` with ``jax_gold.json``, the document-level set of HPO terms) and GSC+ (Lobo et
al. 2017; ``gscplus_*.tsv``: abstracts with annotated spans, whose HPO ids form each document's
set). Both gold sets code every phenotype the text names, in any assertion and about anyone
(GSC+ abstracts describe diseases, not one patient), so two predicted sets are scored:

* ``recognised``, the primary figure, measures what the gold measures: the HPO ids of every
  phenotype mention of the case, whatever its assertion (negated, family and hypothetical
  findings keep their codes on their mentions);
* ``present``: the HPO ids the case shows as its codes (``Case.shown_codes``), the patient's own
  findings, present or past (never negated, suspected or another person's), which is what a
  user sees as the patient's.

Micro precision, recall and F1 are computed over the (document, HPO id) pairs of every
document. Ids compare after stripping and upper-casing (``HP:0000407``).

The anchor, scored in the same run, is exact matching: every HPO id one of whose names or
synonyms the text spells (normalised as the knowledge base normalises aliases; an alias of
several concepts counts for none), whatever its assertion or section.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError
from casebook.eval._io import default_analyze
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import PRF, prf
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.datasets import GSCPLUS, JAX
from casebook.ingest.folders import check_gold_documents, read_text_folder, require_dir
from casebook.ingest.gscplus import read_gscplus
from casebook.ingest.jax import normalize_hpo, read_jax_gold
from casebook.ingest.text import read_text
from casebook.kb.base import CandidateGenerator
from casebook.kb.hpo import load_hpo
from casebook.model import Case, CodeSystem, Document, Source, SourceFormat


class HpoReport(BaseModel):
    """``evaluate_hpo``'s report; ``model_dump(by_alias=True)`` is its JSON.

    Attributes:
        dataset: ``jax`` or ``gscplus``.
        docs: Documents analysed.
        in_sample: Whether a scored document was used to train a model the evaluation ran
            (``casebook.eval.in_sample``).
        recognised: Micro-averaged precision, recall and F1 of the HPO ids on the case's
            mentions, any assertion: phenotype recognition, as the gold sets code it.
        present: The same for the case's shown HPO codes: the patient's own findings.
        anchor: Exact name and synonym matching, scored the same way in the same run.
        skipped: Documents not scored, each with the error that kept it out.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = "jax"
    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    recognised: PRF
    present: PRF
    anchor: PRF
    skipped: list[SkippedDocument] = Field(default_factory=list)


@dataclass(frozen=True)
class _Labelled:
    """A document to score, read when it is scored (``read``), and its gold set."""

    id: str
    gold: frozenset[str]
    read: Callable[[], Document]


def _jax(folder: Path) -> list[_Labelled]:
    paths = read_text_folder(folder / "jax")
    gold_path = folder / "jax_gold.json"
    gold = read_jax_gold(gold_path)
    check_gold_documents(gold, (p.stem for p in paths), gold_path)
    return [
        _Labelled(p.stem, frozenset(gold.get(p.stem, set())), partial(read_text, p)) for p in paths
    ]


def _gscplus(files: Iterable[Path]) -> list[_Labelled]:
    return [
        _Labelled(
            doc.id,
            frozenset(normalize_hpo(term.hpo) for term in doc.terms),
            partial(Document, id=doc.id, text=doc.text, source=Source(format=SourceFormat.TEXT)),
        )
        for path in files
        for doc in read_gscplus(path)
    ]


@cache
def _anchor_matcher() -> CandidateGenerator:
    """HPO's own names and synonyms, matched as casebook matches aliases, without the
    synonyms casebook adds (``PhenotypeRules.added_synonyms``)."""
    from casebook.nlp.phenotypes import build_generator, packaged_matcher

    rules, _, _ = packaged_matcher()
    return build_generator(rules, load_hpo())


def exact_matches(text: str) -> set[str]:
    """The HPO ids whose names or synonyms the text spells (the anchor)."""
    generator = _anchor_matcher()
    return {
        normalize_hpo(concept)
        for match in generator.find(text)
        if len(match.concept_ids) == 1
        for concept in match.concept_ids
    }


def evaluate_hpo(
    source: Path,
    analyze: Callable[[Document], Case] = default_analyze,
    *,
    split: Split = Split.ALL,
    trained: Collection[str] | None = None,
) -> HpoReport:
    """Score document-level HPO terms, and exact matching beside them.

    Args:
        source: A folder with ``jax/ID.txt`` and ``jax_gold.json``; a GSC+ file
            (``gscplus_*.tsv``); or a folder holding GSC+ files and no ``jax/``.
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
    if source.is_file():
        dataset, name, labelled = "gscplus", GSCPLUS, _gscplus([source])
    else:
        require_dir(source)
        gsc = sorted(source.glob("gscplus_*.tsv"))
        if (source / "jax").is_dir() or not gsc:
            dataset, name, labelled = "jax", JAX, _jax(source)
        else:
            dataset, name, labelled = "gscplus", GSCPLUS, _gscplus(gsc)
    labelled = select(name, labelled, lambda item: item.id, split)
    recognised = [0, 0, 0]
    present = [0, 0, 0]
    anchor = [0, 0, 0]
    scored: list[str] = []
    skipped: list[SkippedDocument] = []
    for item in labelled:
        try:
            document = item.read()
            case = analyze(document)
        except CasebookError as error:
            skipped.append(SkippedDocument.of(item.id, error))
            continue
        scored.append(item.id)
        shown = {
            normalize_hpo(code.code) for code in case.shown_codes() if code.system == CodeSystem.HPO
        }
        named = {
            normalize_hpo(code.code)
            for mention in case.mentions
            for code in mention.codes
            if code.system == CodeSystem.HPO
        }
        for counts, found in (
            (recognised, named),
            (present, shown),
            (anchor, exact_matches(document.text)),
        ):
            hits = len(found & item.gold)
            counts[0] += hits
            counts[1] += len(found) - hits
            counts[2] += len(item.gold) - hits
    seen = trained_on(name, analyze, default_analyze, trained)
    return HpoReport(
        dataset=dataset,
        split=split,
        in_sample=overlaps(scored, seen),
        docs=len(scored),
        recognised=prf(*recognised),
        present=prf(*present),
        anchor=prf(*anchor),
        skipped=skipped,
    )
