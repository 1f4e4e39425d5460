"""``casebook add``, ``cases``, ``show`` and ``remove`` as users run them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from casebook import service
from casebook.cli import app
from casebook.components import pipeline_from_names
from casebook.model import Case, Document

runner = CliRunner()
_PIPELINE = pipeline_from_names(("sections", "sentences", "patient"))


@pytest.fixture(autouse=True)
def _light_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    # The default pipeline needs the trained mention model; the commands are what is tested.
    def analyze(document: Document) -> Case:
        return _PIPELINE(document)

    # ``add`` analyses with the ``analyze_document`` of ``service.adding`` unless told another.
    monkeypatch.setattr(service.adding, "analyze_document", analyze)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "one.txt").write_text("A 54-year-old man had fever.\n", encoding="utf-8")
    (folder / "two.txt").write_text("A 7-year-old girl had a rash.\n", encoding="utf-8")
    return folder


def test_add_cases_show_remove(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    store = str(tmp_path / "cases.duckdb")
    added = runner.invoke(app, ["add", str(folder), "--store", store, "--workers", "1"])
    assert added.exit_code == 0, added.output
    assert "2 added, 0 unchanged, 0 replaced, 0 failed" in added.output

    again = runner.invoke(app, ["add", str(folder), "--store", store, "--workers", "1"])
    assert "0 added, 2 unchanged, 0 replaced, 0 failed" in again.output

    count = runner.invoke(app, ["cases", "--store", store, "--count"])
    assert count.exit_code == 0 and count.stdout.strip() == "2"
    listing = runner.invoke(app, ["cases", "--store", store, "--limit", "1"])
    assert listing.exit_code == 0 and "one" in listing.stdout and "two" not in listing.stdout

    shown = runner.invoke(app, ["show", "one", "--store", store, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert Case.model_validate_json(shown.stdout).patient.age_years == 54
    text = runner.invoke(app, ["show", "one", "--store", store])
    assert text.exit_code == 0 and "54 years, male" in text.stdout
    fhir = runner.invoke(app, ["show", "one", "--store", store, "--format", "fhir"])
    assert fhir.exit_code == 0, fhir.output
    bundle = Bundle.model_validate_json(fhir.stdout)
    patients = [e.resource for e in bundle.entry or [] if e.resource.__resource_type__ == "Patient"]
    assert [p.gender for p in patients] == ["male"]

    removed = runner.invoke(app, ["remove", "one", "--store", store])
    assert removed.exit_code == 0, removed.output
    missing = runner.invoke(app, ["show", "one", "--store", store])
    assert missing.exit_code == 1 and "CB-E014" in missing.output


def test_add_says_it_keeps_a_stored_case_whose_id_comes_with_another_text(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path)
    store = str(tmp_path / "cases.duckdb")
    add = ["add", str(folder), "--store", store, "--workers", "1"]
    assert runner.invoke(app, add).exit_code == 0
    (folder / "two.txt").write_text("A 9-year-old girl had a rash.\n", encoding="utf-8")
    refused = runner.invoke(app, add)
    assert refused.exit_code == 1
    assert "0 added, 1 unchanged, 0 replaced, 1 failed" in refused.output
    assert "CB-E021" in refused.output and "--replace" in refused.output
    kept = runner.invoke(app, ["show", "two", "--store", store])
    assert "7 years, female" in kept.stdout
    replaced = runner.invoke(app, [*add, "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "0 added, 1 unchanged, 1 replaced, 0 failed" in replaced.output
    assert "9 years, female" in runner.invoke(app, ["show", "two", "--store", store]).stdout


def test_the_store_defaults_to_casebook_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBOOK_STORE", str(tmp_path / "env.duckdb"))
    (tmp_path / "one.txt").write_text("A 54-year-old man had fever.\n", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
    result = runner.invoke(app, ["add", str(tmp_path / "*.txt"), "--workers", "1"])
    assert result.exit_code == 1
    assert "1 added, 0 unchanged, 0 replaced, 1 failed" in result.output
    assert "CB-E002" in result.output
    assert runner.invoke(app, ["cases", "--count"]).stdout.strip() == "1"


def test_a_foreign_store_is_one_coded_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database\n" * 100, encoding="utf-8")
    result = runner.invoke(app, ["cases", "--store", str(junk)])
    assert result.exit_code == 1 and "CB-E015" in result.output
