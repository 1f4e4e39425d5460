"""``casebook train hpo``: the span scorer learnt from an ontology file alone, reproducibly."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from casebook.cli import app
from casebook.kb.base import write_vocabulary_file
from casebook.nlp.hpo_spans import read_scorer
from casebook.provenance import Role, read_manifest

# A tiny ontology in the packaged file's layout: [id, name, synonyms, parents].
CONCEPTS = [
    ["HP:0000118", "Phenotypic abnormality", [], []],
    ["HP:0001250", "Seizure", ["Seizures", "Epileptic seizure"], ["HP:0000118"]],
    [
        "HP:0002079",
        "Hypoplasia of the corpus callosum",
        ["Corpus callosum hypoplasia", "Small corpus callosum"],
        ["HP:0000118"],
    ],
    [
        "HP:0001274",
        "Agenesis of corpus callosum",
        ["Absent corpus callosum", "Corpus callosum agenesis"],
        ["HP:0000118"],
    ],
    [
        "HP:0001321",
        "Cerebellar hypoplasia",
        ["Small cerebellum", "Hypoplasia of the cerebellum"],
        ["HP:0000118"],
    ],
    [
        "HP:0001272",
        "Cerebellar atrophy",
        ["Atrophy of the cerebellum", "Cerebellar degeneration"],
        ["HP:0000118"],
    ],
    ["HP:0000107", "Renal cyst", ["Kidney cyst", "Cyst of the kidney"], ["HP:0000118"]],
    [
        "HP:0000113",
        "Polycystic kidney dysplasia",
        ["Polycystic kidneys", "Cystic renal dysplasia"],
        ["HP:0000107"],
    ],
    [
        "HP:0000365",
        "Hearing impairment",
        ["Hearing loss", "Deafness", "Hearing defect"],
        ["HP:0000118"],
    ],
    [
        "HP:0000407",
        "Sensorineural hearing impairment",
        ["Sensorineural hearing loss", "Sensorineural deafness"],
        ["HP:0000365"],
    ],
]


def write_ontology(folder: Path) -> Path:
    payload = {
        "format": 1,
        "system": "hpo",
        "version": "test",
        "source": "test",
        "licence": "test",
        "root": "HP:0000118",
        "concepts": CONCEPTS,
    }
    return write_vocabulary_file(payload, folder / "hpo.json.gz")


def test_train_hpo_writes_a_reproducible_scorer_with_its_card_and_manifest(
    tmp_path: Path,
) -> None:
    ontology = write_ontology(tmp_path)
    runner = CliRunner()
    outputs = [tmp_path / "a", tmp_path / "b"]
    for out in outputs:
        result = runner.invoke(
            app, ["train", "hpo", "--out", str(out), "--ontology", str(ontology)]
        )
        assert result.exit_code == 0, result.output
    first, second = ((out / "model.json").read_bytes() for out in outputs)
    assert first == second  # seeded and deterministic
    scorer = read_scorer(outputs[0])
    assert scorer.max_words >= 1
    manifest = read_manifest(outputs[0])
    (read,) = manifest.roles[Role.SUPERVISED]
    assert read.dataset == "hpo-ontology"
    assert list(read.files) == ["hpo.json.gz"]
    assert set(read.documents) <= {c[0] for c in CONCEPTS}
    card = (outputs[0] / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "No document text" in card
