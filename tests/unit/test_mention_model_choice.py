"""One setting chooses the mention model; the fingerprint and the in-sample check follow it."""

from __future__ import annotations

import pytest

from casebook.config import (
    MENTION_MODEL_VARIABLE,
    MENTION_MODELS,
    choose_mention_model,
    mention_model,
    mention_model_folder,
)
from casebook.errors import CasebookError, ErrorCode
from casebook.eval.in_sample import running_manifests, running_models, trained_on
from casebook.ingest.datasets import MACCROBAT, PMC_PATIENTS
from casebook.model import Case, Document
from casebook.pipeline_fingerprint import pipeline_fingerprint
from casebook.provenance import read_manifest
from casebook.resources import resource_path


def _system(document: Document) -> Case:
    return Case.from_document(document)


def test_without_the_setting_the_default_model_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MENTION_MODEL_VARIABLE, raising=False)
    assert mention_model() == "default"
    assert mention_model_folder() == "models/ner"


def test_the_setting_chooses_the_permissive_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MENTION_MODEL_VARIABLE, "permissive")
    assert mention_model_folder() == "models/ner-permissive"
    assert running_models()[0] == "models/ner-permissive"


def test_an_unknown_model_name_is_a_coded_error_naming_the_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MENTION_MODEL_VARIABLE, "biobert")
    with pytest.raises(CasebookError) as raised:
        mention_model()
    assert raised.value.code is ErrorCode.UNKNOWN_MENTION_MODEL
    assert "'biobert'" in raised.value.message and "permissive" in raised.value.message
    with pytest.raises(CasebookError):
        pipeline_fingerprint()
    monkeypatch.setenv(MENTION_MODEL_VARIABLE, "default")
    with pytest.raises(CasebookError):
        choose_mention_model("Permissive")  # names are exact
    assert mention_model() == "default"  # a refused choice changes nothing


def test_cases_of_one_model_are_stale_for_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    fingerprints = {}
    for name in MENTION_MODELS:
        monkeypatch.setenv(MENTION_MODEL_VARIABLE, name)
        fingerprints[name] = pipeline_fingerprint()
    assert fingerprints["default"] != fingerprints["permissive"]
    monkeypatch.delenv(MENTION_MODEL_VARIABLE)
    assert pipeline_fingerprint() == fingerprints["default"]


def test_the_in_sample_check_reads_the_chosen_models_manifest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MENTION_MODEL_VARIABLE, "default")
    assert trained_on(PMC_PATIENTS, _system, _system)  # its vectors read PMC-Patients
    monkeypatch.setenv(MENTION_MODEL_VARIABLE, "permissive")
    permissive = read_manifest(resource_path("models/ner-permissive"))
    assert running_manifests()[0] == permissive
    assert trained_on(PMC_PATIENTS, _system, _system) == frozenset()
    assert trained_on(MACCROBAT, _system, _system) == permissive.documents(MACCROBAT)
