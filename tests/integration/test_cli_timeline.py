"""casebook analyze --timeline, and the relation and timeline benchmarks, as users run them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from casebook.cli import app
from casebook.model import Case

runner = CliRunner()
FIXTURES = Path(__file__).parents[1] / "fixtures" / "eval" / "timeline"
CASE = (
    "A 54-year-old man presented with fever and a productive cough.\n"
    "Two days later he developed a rash. He was treated with ceftriaxone and recovered.\n"
)


def test_analyze_timeline_draws_the_events_in_order_with_their_days(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_text(CASE, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--timeline"])
    assert result.exit_code == 0, result.output
    assert "Timeline" in result.output
    assert "day 0" in result.output and "+2 d" in result.output
    assert result.output.index("fever") < result.output.index("rash")


def test_analyze_json_holds_the_timeline_times_and_summary(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_text(CASE, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    case = Case.model_validate_json(result.stdout)
    assert case.timeline and case.summary is not None
    assert [t.text for t in case.times] == ["Two days later"]


def test_eval_timeline_prints_a_json_report_with_baselines() -> None:
    result = runner.invoke(app, ["eval", "timeline", str(FIXTURES / "e3c"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dataset"] == "e3c"
    assert {"casebook", "sentence_order", "text_order"} <= report.keys()


def test_eval_relations_prints_per_type_scores() -> None:
    result = runner.invoke(app, ["eval", "relations", str(FIXTURES / "brat"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["per_type"]) == {"caused_by", "result_of", "site_of", "dosage_of"}


def test_eval_timeline_on_a_missing_folder_is_one_coded_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "timeline", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "CB-E001" in result.output


def test_eval_split_scores_the_halves_that_make_up_the_whole() -> None:
    docs = {}
    for split in ("tune", "check", "all"):
        result = runner.invoke(
            app, ["eval", "relations", str(FIXTURES / "brat"), "--json", "--split", split]
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert report["split"] == split
        docs[split] = report["docs"]
    assert docs["tune"] + docs["check"] == docs["all"]


def test_eval_refuses_an_unknown_split() -> None:
    result = runner.invoke(app, ["eval", "relations", str(FIXTURES / "brat"), "--split", "odd"])
    assert result.exit_code == 2
    assert "tune, check or all" in result.output
