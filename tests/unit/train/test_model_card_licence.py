"""A mention model's card says what the licences of its training text mean for its weights,
and how to train it again."""

from __future__ import annotations

from pathlib import Path

from casebook.ingest.datasets import CODIESP, MACCROBAT, PMC_PATIENTS
from casebook.provenance import DatasetRead, Role, TrainingManifest
from casebook.resources import load_rules
from casebook.train.ner import NerSettings, write_model_card


def _manifest(unlabelled: str) -> TrainingManifest:
    return TrainingManifest(
        model="ner",
        trained="2026-12-05",
        roles={
            Role.SUPERVISED: [
                DatasetRead(dataset=MACCROBAT, files={"a.txt": "0"}, documents=["a"])
            ],
            Role.VECTORS: [DatasetRead(dataset=unlabelled, files={"b.txt": "1"}, documents=["b"])],
        },
    )


def _card(tmp_path: Path, unlabelled: str, reproduce: str) -> str:
    settings = load_rules("ner_settings.json", NerSettings)
    card = write_model_card(tmp_path, settings, 1, 1.0, [], _manifest(unlabelled), reproduce)
    return card.read_text(encoding="utf-8")


def test_weights_learnt_from_non_commercial_text_are_non_commercial_and_name_the_other_model(
    tmp_path: Path,
) -> None:
    card = _card(tmp_path, PMC_PATIENTS, "casebook train ner --out m")
    assert "under CC BY-NC-SA 4.0" in card and "non-commercial purposes only" in card
    assert "CASEBOOK_MENTION_MODEL=permissive" in card
    assert "Reproduce: `casebook train ner --out m`" in card


def test_weights_learnt_from_cc_by_text_only_need_attribution_only(tmp_path: Path) -> None:
    command = "casebook train ner --settings benchmarks/ner-settings/permissive.json --out m"
    card = _card(tmp_path, CODIESP, command)
    assert "distributes these weights under CC BY 4.0" in card
    assert "non-commercial" not in card and "CASEBOOK_MENTION_MODEL" not in card
    assert f"Reproduce: `{command}`" in card
