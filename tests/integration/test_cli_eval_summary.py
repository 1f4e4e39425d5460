"""casebook eval summary as users run it: the whole pipeline on a brat folder."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from casebook.cli import app

runner = CliRunner()
BRAT = Path(__file__).parents[1] / "fixtures" / "eval" / "brat"


def test_eval_summary_prints_the_share_of_fitting_items_per_heading() -> None:
    result = runner.invoke(app, ["eval", "summary", str(BRAT), "--json", "--split", "all"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["docs"], report["split"]) == (2, "all")
    per_heading = report["per_heading"]
    assert "diagnoses" in per_heading and "literature" in per_heading
    assert report["overall"]["items"] == sum(h["items"] for h in per_heading.values())
    assert 0.0 <= report["overall"]["share"] <= 100.0


def test_eval_summary_on_a_missing_folder_is_one_coded_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "summary", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "CB-E001" in result.output
