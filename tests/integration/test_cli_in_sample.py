"""casebook eval says when it scores documents a shipped model was trained on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from casebook.cli import app
from casebook.eval.in_sample import running_manifests
from casebook.ingest.datasets import MACCROBAT

runner = CliRunner()
BRAT = Path(__file__).parents[1] / "fixtures" / "eval" / "brat"


def _folder(root: Path, name: str) -> Path:
    root.mkdir()
    for suffix in (".txt", ".ann"):
        shutil.copy(BRAT / f"case1{suffix}", root / f"{name}{suffix}")
    return root


def test_eval_ner_on_a_document_the_mention_model_learnt_from_warns_that_it_is_in_sample(
    tmp_path: Path,
) -> None:
    ner = next(m for m in running_manifests() if m.model == "ner")
    learnt = min(ner.documents(MACCROBAT))

    seen = runner.invoke(app, ["eval", "ner", str(_folder(tmp_path / "seen", learnt)), "--json"])
    unseen = runner.invoke(app, ["eval", "ner", str(_folder(tmp_path / "new", "case1")), "--json"])

    assert seen.exit_code == 0 and unseen.exit_code == 0, seen.output + unseen.output
    assert json.loads(seen.stdout)["in_sample"] is True
    assert "in-sample" in seen.stderr and "not a held-out score" in seen.stderr
    assert json.loads(unseen.stdout)["in_sample"] is False
    assert "in-sample" not in unseen.stderr
