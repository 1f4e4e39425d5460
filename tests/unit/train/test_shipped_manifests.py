"""The shipped models' training manifests exist, and their training read no evaluation text
(beyond MACCROBAT as labelled documents and the ``tune`` half of CodiEsp dev for calibration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.eval.in_sample import SHIPPED_MODELS
from casebook.provenance import Role, read_manifest
from casebook.resources import resource_path
from casebook.train.corpus import HeldOut, manifest_overlap


@pytest.mark.parametrize("folder", SHIPPED_MODELS)
def test_every_shipped_model_has_a_manifest_of_labelled_documents(folder: str) -> None:
    manifest = read_manifest(resource_path(folder))
    assert manifest.roles[Role.SUPERVISED]
    assert all(read.documents and read.files for read in manifest.roles[Role.SUPERVISED])


@pytest.mark.parametrize("folder", SHIPPED_MODELS)
def test_a_shipped_model_read_no_file_of_an_evaluation_set_beyond_maccrobat_gold(
    folder: str,
) -> None:
    assert manifest_overlap(read_manifest(resource_path(folder))) == []


@pytest.mark.dataset
@pytest.mark.parametrize("folder", SHIPPED_MODELS)
def test_a_shipped_model_used_no_evaluation_document_beyond_maccrobat_gold(
    folder: str, data_dir: Path
) -> None:
    assert manifest_overlap(read_manifest(resource_path(folder)), HeldOut(data_dir)) == []
