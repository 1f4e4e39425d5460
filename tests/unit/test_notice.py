"""LICENSE, NOTICE and the model cards say what a hospital needs to check the shipped models."""

from __future__ import annotations

from pathlib import Path

import pytest

import casebook
from casebook.eval.in_sample import SHIPPED_MODELS, shipped_manifests
from casebook.ingest.datasets import LICENCES, NON_COMMERCIAL
from casebook.resources import resource_path

ROOT = Path(casebook.__file__).parents[2]


def test_the_package_licence_is_the_apache_licence_pyproject_declares() -> None:
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert 'license = { text = "Apache-2.0" }' in (ROOT / "pyproject.toml").read_text("utf-8")


def test_notice_names_the_licence_of_every_dataset_a_shipped_model_learnt_from() -> None:
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    for manifest in shipped_manifests():
        for reads in manifest.roles.values():
            for read in reads:
                licence = LICENCES[read.dataset].split(" (")[0]
                assert licence in notice, f"{manifest.model}: {read.dataset} ({licence})"
    for dataset in NON_COMMERCIAL:
        assert LICENCES[dataset].split(" (")[0] in notice
    assert "Human Phenotype Ontology" in notice and "hp/releases/2025-01-16" in notice


@pytest.mark.parametrize("folder", SHIPPED_MODELS)
def test_every_model_card_states_its_use_its_data_and_how_it_fails(folder: str) -> None:
    card = (resource_path(folder) / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## Intended use" in card and "not diagnosis" in card
    assert "## Known failure modes" in card
    assert "manifest.json" in card and "CC BY 4.0" in card


@pytest.mark.parametrize("folder", SHIPPED_MODELS)
def test_notice_names_every_shipped_models_folder(folder: str) -> None:
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    assert f"src/casebook/resources/{folder}/" in notice
