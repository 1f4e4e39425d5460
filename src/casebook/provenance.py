"""Training manifests: which documents of which dataset files each trained model read, and how.

Every trained model casebook ships has a ``manifest.json`` in its folder. For each role a
dataset played in training (the labelled documents learnt from, the unlabelled text the word
vectors and the pretraining read, the texts pseudo-labelled for self-training) it lists the
files read with their SHA-256 and the ids of the documents used. Evaluation reads the manifests
to tell whether a score is in-sample; a test holds them disjoint from the evaluation sets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError

from casebook.errors import CasebookError, ErrorCode
from casebook.model import RecordModel

MANIFEST_FILE = "manifest.json"


class Role(StrEnum):
    """What a dataset was used for in training."""

    SUPERVISED = "supervised"
    """Labelled documents the model learnt from."""
    VECTORS = "vectors"
    """Unlabelled text the static word vectors were trained on."""
    PRETRAINING = "pretraining"
    """Unlabelled text the encoder was pretrained on."""
    SELF_TRAINING = "self_training"
    """Unlabelled texts the model labelled and learnt from again."""
    CALIBRATION = "calibration"
    """Labelled documents a threshold was chosen on (held out from the supervised ones)."""


class DatasetRead(RecordModel):
    """What one role read of one dataset."""

    dataset: str = Field(description="The dataset's name (casebook.ingest.datasets).")
    files: dict[str, str] = Field(
        description="Each file read, by its path relative to the data folder → its SHA-256."
    )
    documents: list[str] = Field(description="The ids of the documents used, sorted.")


class TrainingManifest(RecordModel):
    """What a trained model read, role by role."""

    model: str = Field(description="The model's name, e.g. 'ner' or 'icd10'.")
    trained: str = Field(description="The date the model was trained (ISO 8601).")
    note: str = Field(default="", description="How the manifest was made, when not by training.")
    roles: dict[Role, list[DatasetRead]]

    def documents(self, dataset: str, roles: Iterable[Role] = tuple(Role)) -> set[str]:
        """The ids of ``dataset``'s documents that any of ``roles`` used."""
        wanted = set(roles)
        return {
            document
            for role, reads in self.roles.items()
            if role in wanted
            for read in reads
            if read.dataset == dataset
            for document in read.documents
        }

    def files(self, roles: Iterable[Role] = tuple(Role)) -> set[str]:
        """The files any of ``roles`` read, relative to the data folder."""
        wanted = set(roles)
        return {
            path
            for role, reads in self.roles.items()
            if role in wanted
            for read in reads
            for path in read.files
        }


def read_manifest(folder: Path) -> TrainingManifest:
    """The manifest of the model in ``folder``.

    Raises:
        CasebookError: ``CB-E012`` when it is missing, not JSON or breaks the schema.
    """
    path = folder / MANIFEST_FILE
    try:
        return TrainingManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as error:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "no training manifest", path) from error
    except (json.JSONDecodeError, ValidationError) as error:
        raise CasebookError(
            ErrorCode.INVALID_RESOURCE, f"not a training manifest: {error}", path
        ) from error


def write_manifest(folder: Path, manifest: TrainingManifest) -> Path:
    """Write ``manifest`` as ``folder/manifest.json`` and return its path."""
    path = folder / MANIFEST_FILE
    path.write_text(manifest.model_dump_json(indent=1) + "\n", encoding="utf-8")
    return path
