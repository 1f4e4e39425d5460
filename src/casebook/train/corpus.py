"""Unlabelled training text, kept apart from every evaluation set.

The mention model's word vectors, its pretraining and its self-training read unlabelled case
reports. None of them may read a document a reported number is computed on
(``casebook.ingest.datasets.EVALUATION_SETS``): a file of an evaluation set is refused outright,
and a text that shares a run of ``SHARED_RUN`` words with any evaluation document is left out,
since the same published case report can sit in two corpora (PMC-Patients and MACCROBAT both
take theirs from PubMed Central).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.splits import Split, half_of
from casebook.ingest.datasets import (
    EVALUATION_SETS,
    MACCROBAT,
    EvaluationSet,
    dataset_of,
    evaluation_set_of,
    evaluation_texts,
)
from casebook.ingest.pmc_patients import ESCAPED_LINE_BREAK
from casebook.provenance import Role, TrainingManifest

SHARED_RUN = 12
"""Words in a row that a training text may not share with an evaluation text."""


@dataclass(frozen=True, slots=True)
class CorpusText:
    """One unlabelled text and where it came from."""

    path: Path
    """The file it was read from."""
    id: str
    """Its document id: the file's stem, or a PMC-Patients ``patient_uid``."""
    text: str


def corpus_files(data: Path, patterns: Iterable[str]) -> list[Path]:
    """The files the glob ``patterns`` match under ``data``, in order, each once.

    Raises:
        CasebookError: ``CB-E012`` when a pattern matches a file of an evaluation set.
    """
    files: list[Path] = []
    for pattern in patterns:
        for path in sorted(data.glob(pattern)):
            relative = path.relative_to(data).as_posix()
            evaluation = evaluation_set_of(relative)
            if evaluation is not None:
                raise CasebookError(
                    ErrorCode.INVALID_RESOURCE,
                    f"training corpus {pattern!r} reads {relative}, a file of the "
                    f"evaluation set {evaluation.dataset}",
                )
            if path not in files:
                files.append(path)
    return files


def iter_corpus_texts(
    data: Path, patterns: Iterable[str], line_breaks: bool = False
) -> Iterator[CorpusText]:
    """Unlabelled texts: ``.txt`` files and PMC-Patients ``.jsonl`` lines.

    ``line_breaks`` turns PMC-Patients' escaped paragraph breaks into line breaks (as
    ``casebook.ingest.pmc_patients`` does); the word vectors were trained without.

    Raises:
        CasebookError: ``CB-E012`` when a pattern matches a file of an evaluation set.
    """
    for path in corpus_files(data, patterns):
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    record: dict[str, Any] = json.loads(line)
                    text = str(record.get("text", ""))
                    if line_breaks:
                        text = text.replace(ESCAPED_LINE_BREAK, "\n")
                    yield CorpusText(path, str(record.get("patient_uid", "")), text)
        else:
            yield CorpusText(path, path.stem, path.read_text(encoding="utf-8", errors="replace"))


def _word_runs(text: str) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + SHARED_RUN]) for i in range(len(words) - SHARED_RUN + 1)}


class HeldOut:
    """The documents of every evaluation set under a data folder: their ids and word runs.

    Args:
        data: The data folder (``CASEBOOK_DATA``).
        sets: The evaluation sets to keep apart; all of them by default.
    """

    def __init__(self, data: Path, sets: tuple[EvaluationSet, ...] = EVALUATION_SETS) -> None:
        self.data = data
        self.documents: dict[str, set[str]] = {}
        self.runs: set[tuple[str, ...]] = set()
        for dataset, document, text in evaluation_texts(data, sets):
            self.documents.setdefault(dataset, set()).add(document)
            self.runs |= _word_runs(text)

    def unseen(self, texts: Iterable[CorpusText]) -> list[CorpusText]:
        """``texts`` without the evaluation documents themselves and those that share a run of
        ``SHARED_RUN`` words with one."""
        return [
            text
            for text in texts
            if text.id not in self.documents.get(self._dataset(text.path), ())
            and self.runs.isdisjoint(_word_runs(text.text))
        ]

    def _dataset(self, path: Path) -> str:
        return dataset_of(path.relative_to(self.data).as_posix())


def manifest_overlap(manifest: TrainingManifest, held_out: HeldOut | None = None) -> list[str]:
    """What a training manifest read of the evaluation sets, beyond MACCROBAT as gold.

    MACCROBAT may only be learnt from as labelled documents (cross-validation scores it). A
    threshold may be calibrated on the ``tune`` half of an evaluation set, whose ``check`` half
    is what is reported: a calibration read whose documents all lie in the tune half is
    allowed. No evaluation set may be read otherwise, in any role.

    Args:
        manifest: The manifest.
        held_out: The evaluation sets under the data folder, to check document ids as well as
            file paths.

    Returns:
        One line per offending file or dataset; empty when the manifest keeps apart.
    """
    found: list[str] = []
    for role, reads in manifest.roles.items():
        for read in reads:
            allowed = {MACCROBAT} if role is Role.SUPERVISED else set()
            if role is Role.CALIBRATION and _tune_half_only(read.dataset, read.documents):
                allowed.add(read.dataset)
            for path in read.files:
                evaluation = evaluation_set_of(path)
                if evaluation is not None and evaluation.dataset not in allowed:
                    found.append(f"{role.value} read {path} ({evaluation.dataset})")
            if held_out is None or read.dataset in allowed:
                continue
            shared = held_out.documents.get(read.dataset, set()) & set(read.documents)
            if shared:
                found.append(
                    f"{role.value} used {len(shared)} {read.dataset} evaluation document(s), "
                    f"e.g. {min(shared)}"
                )
    return found


def _tune_half_only(dataset: str, documents: Iterable[str]) -> bool:
    """Whether ``documents`` of ``dataset`` are some documents, all of its ``tune`` half."""
    keys = list(documents)
    return bool(keys) and all(half_of(dataset, key) is Split.TUNE for key in keys)
