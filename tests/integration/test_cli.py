"""The casebook command as users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from casebook.cli import app
from casebook.model import Case
from casebook.pipeline_fingerprint import pipeline_fingerprint

runner = CliRunner()

CASE_ONE = (
    "Case presentation\n"
    "A 54-year-old man presented with fever and a productive cough for 3 days.\n"
    "He received ceftriaxone 1 g i.v. daily.\n\n"
    "Discussion\n"
    "Pneumonia in adults is common.\n"
)
CASE_TWO = "A 7-year-old girl had a rash on both legs. She recovered fully.\n"


def _write_batch(folder: Path) -> None:
    folder.mkdir()
    (folder / "one.txt").write_text(CASE_ONE, encoding="utf-8")
    (folder / "two.txt").write_text(CASE_TWO, encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "broken.xml").write_text("<article><body><p>unclosed</body>", encoding="utf-8")


def test_analyze_prints_the_patient_and_sections_of_the_example(example_case_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(example_case_path)])
    assert result.exit_code == 0, result.output
    assert "29 years, female" in result.output


def test_analyze_json_is_a_valid_case_with_the_original_text(example_case_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(example_case_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    case = Case.model_validate_json(result.stdout)
    assert case.id == "csf-leak-after-bone-marrow-biopsy"
    assert case.text == example_case_path.read_text(encoding="utf-8")
    assert case.patient.age_years == 29 and case.patient.sex == "female"
    assert case.sentences and case.sections


def test_analyze_reads_standard_input() -> None:
    result = runner.invoke(app, ["analyze", "-", "--format", "json"], input=CASE_TWO)
    assert result.exit_code == 0, result.output
    case = Case.model_validate_json(result.stdout)
    assert case.text == CASE_TWO and case.source.path is None


def test_a_missing_path_is_one_coded_line_and_exit_1(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = runner.invoke(app, ["analyze", str(missing)])
    assert result.exit_code == 1
    assert "CB-E001" in result.stderr and str(missing) in result.stderr
    assert "Traceback" not in result.output


def test_a_document_past_max_chars_is_refused_naming_the_limit(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(CASE_TWO, encoding="utf-8")
    refused = runner.invoke(app, ["analyze", str(report), "--max-chars", "20"])
    assert refused.exit_code == 1
    assert "CB-E017" in refused.stderr and "at most 20 (--max-chars" in refused.stderr
    assert "Traceback" not in refused.output
    assert runner.invoke(app, ["analyze", str(report), "--max-chars", "200"]).exit_code == 0
    source, out = tmp_path / "in", tmp_path / "out"
    _write_batch(source)
    extracted = runner.invoke(
        app, ["extract", str(source), "--out", str(out), "--workers", "1", "--max-chars", "100"]
    )
    assert extracted.exit_code == 1
    assert "CB-E017" in extracted.stderr and "one.txt" in extracted.stderr
    assert sorted(p.name for p in out.glob("*.json")) == ["two.json"]
    store = tmp_path / "cases.duckdb"
    added = runner.invoke(
        app, ["add", str(source / "one.txt"), "--store", str(store), "--max-chars", "100"]
    )
    assert added.exit_code == 1 and "CB-E017" in added.stderr
    assert "0 added" in added.stderr


def test_extract_writes_good_documents_reports_bad_ones_and_resumes(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    _write_batch(source)
    first = runner.invoke(app, ["extract", str(source), "--out", str(out), "--workers", "2"])
    assert first.exit_code == 1
    assert "CB-E002" in first.stderr and "empty.txt" in first.stderr
    assert "CB-E005" in first.stderr and "broken.xml" in first.stderr
    assert sorted(p.name for p in out.glob("*.json")) == ["one.json", "two.json"]
    one = Case.model_validate_json((out / "one.json").read_text(encoding="utf-8"))
    assert one.text == CASE_ONE and one.patient.age_years == 54

    (source / "empty.txt").unlink()
    (source / "broken.xml").unlink()
    second = runner.invoke(app, ["extract", str(source), "--out", str(out)])
    assert second.exit_code == 0, second.output
    assert "0 written, 2 already done, 0 failed" in second.stderr


def test_extract_reports_a_document_it_cannot_write_and_writes_the_rest(tmp_path: Path) -> None:
    source, out = tmp_path / "patients.jsonl", tmp_path / "out"
    long_id = "9" * 300  # longer than a file name may be
    lines = [json.dumps({"patient_uid": uid, "text": CASE_TWO}) for uid in (long_id, "100-1")]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(source), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 1
    assert f"CB-E013 {source}: {long_id}: cannot write its file" in result.stderr
    assert [p.name for p in out.glob("*.json")] == ["100-1.json"]


def test_extract_redoes_a_document_whose_text_changed(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    _write_batch(source)
    runner.invoke(app, ["extract", str(source), "--out", str(out), "--workers", "1"])
    (source / "two.txt").write_text(CASE_TWO + "She was discharged.\n", encoding="utf-8")
    again = runner.invoke(app, ["extract", str(source), "--out", str(out), "--workers", "1"])
    assert "1 written, 1 already done" in again.stderr
    two = json.loads((out / "two.json").read_text(encoding="utf-8"))
    assert two["text"].endswith("She was discharged.\n")


def test_extract_records_its_pipeline_and_redoes_what_another_pipeline_made(
    tmp_path: Path,
) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    _write_batch(source)
    runner.invoke(app, ["extract", str(source), "--out", str(out), "--workers", "1"])
    one = json.loads((out / "one.json").read_text(encoding="utf-8"))
    assert one["pipeline"] == pipeline_fingerprint()
    one["pipeline"] = "0" * 16  # as an older casebook, or other models, would have left it
    (out / "one.json").write_text(json.dumps(one), encoding="utf-8")
    again = runner.invoke(app, ["extract", str(source), "--out", str(out), "--workers", "1"])
    assert "1 written, 1 already done" in again.stderr
    redone = json.loads((out / "one.json").read_text(encoding="utf-8"))
    assert redone["pipeline"] == pipeline_fingerprint()


def test_schema_prints_the_case_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Case"


def test_the_console_script_runs_as_installed(example_case_path: Path) -> None:
    casebook = Path(sys.executable).with_name("casebook")
    completed = subprocess.run(
        [str(casebook), "analyze", str(example_case_path), "-f", "json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["patient"]["sex"] == "female"
