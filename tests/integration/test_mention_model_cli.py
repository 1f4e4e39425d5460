"""A user chooses the mention model by one setting, on every command that analyses.

The permissive model is loaded once for the module (the pipeline is cached per model).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casebook import service
from casebook.cli import app
from casebook.config import MENTION_MODEL_VARIABLE
from casebook.ingest.detect import read_path
from casebook.model import Case, EntityType
from casebook.nlp.mentions import MentionExtractor
from casebook.pipeline_fingerprint import pipeline_fingerprint

runner = CliRunner()

MODEL_TYPES = {
    EntityType.DIAGNOSTIC_PROCEDURE,
    EntityType.SIGN_SYMPTOM,
    EntityType.DISEASE_DISORDER,
}


@pytest.fixture(scope="module")
def analysed(example_case_path: Path) -> Iterator[dict[str, tuple[Case, Case]]]:
    """For each mention model, chosen by the setting: the example analysed by the whole
    pipeline, and by the pipeline's mentions component alone."""
    (document,) = read_path(example_case_path)
    found: dict[str, tuple[Case, Case]] = {}
    with pytest.MonkeyPatch.context() as patch:
        for name, folder in (("default", "models/ner"), ("permissive", "models/ner-permissive")):
            patch.setenv(MENTION_MODEL_VARIABLE, name)
            (extractor,) = (
                c for c in service.default_pipeline().components if isinstance(c, MentionExtractor)
            )
            assert extractor.model == folder
            found[name] = (
                service.analyze_document(document.model_copy(deep=True)),
                extractor(Case.from_document(document)),
            )
        yield found


def test_each_model_finds_the_examples_findings_and_procedures(
    analysed: dict[str, tuple[Case, Case]],
) -> None:
    for _case, by_model in analysed.values():
        assert {m.type for m in by_model.mentions} >= MODEL_TYPES
        assert any(m.text == "bone marrow aspirate" for m in by_model.mentions)
    assert analysed["default"][0].pipeline != analysed["permissive"][0].pipeline


def test_analyze_with_the_permissive_model_records_its_fingerprint(
    example_case_path: Path,
    analysed: dict[str, tuple[Case, Case]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MENTION_MODEL_VARIABLE, "default")  # the option overrides the setting
    result = runner.invoke(
        app, ["analyze", str(example_case_path), "-f", "json", "--mention-model", "permissive"]
    )
    assert result.exit_code == 0, result.output
    case = Case.model_validate_json(result.stdout)
    permissive, _ = analysed["permissive"]
    assert case.pipeline == permissive.pipeline == pipeline_fingerprint()
    assert case.mentions == permissive.mentions


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "EXAMPLE"],
        ["extract", "EXAMPLE", "--out", "TMP/out"],
        ["add", "EXAMPLE", "--store", "TMP/cases.duckdb"],
        ["load", "TMP/none.json", "--store", "TMP/cases.duckdb"],
        ["cases", "--stale", "--store", "TMP/cases.duckdb"],
        ["care", "EXAMPLE"],
        ["search", "headache after lumbar puncture", "--store", "TMP/cases.duckdb"],
        ["serve", "--port", "0"],
        ["spark", "extract", "EXAMPLE", "--out", "TMP/out"],
        ["eval", "ner", "TMP"],
    ],
)
def test_an_unknown_model_is_refused_with_its_code_before_any_work(
    command: list[str], example_case_path: Path, tmp_path: Path
) -> None:
    args = [
        str(example_case_path) if a == "EXAMPLE" else a.replace("TMP", str(tmp_path))
        for a in command
    ]
    result = runner.invoke(app, [*args, "--mention-model", "scispacy"])
    assert result.exit_code == 1, result.output
    assert "CB-E026" in result.stderr and "'scispacy'" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written, no store created


def test_an_unknown_model_in_the_environment_is_refused_too(
    example_case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MENTION_MODEL_VARIABLE, "large")
    result = runner.invoke(app, ["analyze", str(example_case_path)])
    assert result.exit_code == 1
    assert "CB-E026" in result.stderr and MENTION_MODEL_VARIABLE in result.stderr
