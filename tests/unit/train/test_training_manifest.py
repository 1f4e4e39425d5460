"""Training reads no evaluation text beyond MACCROBAT's gold, and its manifest says what it read.

A tiny data folder holds one document of every evaluation set and unlabelled corpora in which
some texts repeat an evaluation document; training the mention model on it must leave those out
of the vectors, the pretraining and the self-training, and list exactly the rest.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.datasets import CODIESP, JAX, MACCROBAT, PMC_PATIENTS
from casebook.model import EntityType
from casebook.provenance import Role, read_manifest
from casebook.train.corpus import HeldOut, iter_corpus_texts, manifest_overlap
from casebook.train.icd10 import codiesp_manifest
from casebook.train.manifest import ManifestBuilder
from casebook.train.ner import NerSettings, SelfTrainingSettings, VectorSettings, train_and_save
from casebook.train.pretrain import PretrainSettings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

MACCROBAT_TEXT = (
    "A 61-year-old man reported severe headache and neck stiffness three days after a lumbar "
    "puncture performed for suspected meningitis at the regional hospital."
)
JAX_TEXT = (
    "The proband was a girl of six with short stature, global developmental delay, seizures "
    "from the age of two and sensorineural hearing loss in both ears."
)
GSC_TEXT = (
    "We describe a family in which three brothers had progressive ataxia, nystagmus, "
    "dysarthria and cerebellar atrophy on magnetic resonance imaging of the brain."
)
CODIESP_DEV_TEXT = (
    "A 45-year-old woman came to the emergency department with fever, dysuria and right flank "
    "pain; urine culture grew Escherichia coli sensitive to ceftriaxone."
)
NEGEX_SENTENCE = (
    "The patient denies any chest pain, palpitations, shortness of breath, nausea, vomiting or "
    "diaphoresis at rest or on exertion."
)
JUDGED_TEXT = (
    "A judged patient: a boy of nine with recurrent abdominal pain, bloody diarrhoea and weight "
    "loss over four months before the colonoscopy."
)

SETTINGS = NerSettings(
    version="test",
    ner_labels=[EntityType.AGE, EntityType.SEX, EntityType.SIGN_SYMPTOM, EntityType.SEVERITY],
    phrase_labels=[EntityType.HISTORY],
    width=32,
    depth=1,
    embed_rows=500,
    epochs=2,
    dropout=0.0,
    learn_rate=0.01,
    vectors=VectorSettings(
        corpora=[
            "pmc-patients/corpus.jsonl",
            "codiesp-en/train/text/*.txt",
            "codiesp-en/background/*.txt",
        ],
        dims=8,
        min_count=1,
        epochs=1,
    ),
    pretrain=PretrainSettings(
        corpora=[
            "pmc-patients/corpus.jsonl",
            "codiesp-en/train/text/*.txt",
            "codiesp-en/background/*.txt",
        ],
        max_words=300,
        batch_words=100,
        hidden_size=16,
    ),
    self_training=SelfTrainingSettings(corpora=["pmc-patients/corpus.jsonl"], texts=3),
)

FREE = [f"free-{i}" for i in range(5)]
"""PMC-Patients patients that repeat no evaluation text."""


def _free_text(i: int) -> str:
    return (
        f"Patient number {i} was a {30 + i}-year-old woman with mild cough and low fever for "
        f"{i + 2} days, treated at home with rest and fluids; she recovered fully."
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _data(root: Path) -> Path:
    """A data folder with one document of each evaluation set and mixed unlabelled corpora."""
    shutil.copytree(FIXTURES / "eval" / "brat", root / "maccrobat2020")
    _write(root / "maccrobat2020" / "case3.txt", MACCROBAT_TEXT)
    _write(root / "maccrobat2020" / "case3.ann", "T1\tSeverity 27 33\tsevere\n")
    _write(root / "hpo" / "jax" / "j1.txt", JAX_TEXT)
    _write(root / "hpo" / "gscplus_dev.tsv", f"g1\n{GSC_TEXT}\n")
    _write(root / "codiesp-en" / "dev" / "text" / "d1.txt", CODIESP_DEV_TEXT)
    _write(
        root / "negex" / "context_annotations.tsv",
        "id\tconcept\tsentence\tnegation\ttemporality\texperiencer\n"
        f"1\tchest pain\t{NEGEX_SENTENCE}\tNegated\tRecent\tPatient\n",
    )
    patients = {
        **{uid: _free_text(i) for i, uid in enumerate(FREE)},
        "repeats-maccrobat": f"Reported again. {MACCROBAT_TEXT}",
        "repeats-jax": f"From a review: {JAX_TEXT}",
        "judged": JUDGED_TEXT,
        "judged-short": "Too short to share twelve words.",
    }
    lines = [json.dumps({"patient_uid": uid, "pmid": 1, "text": t}) for uid, t in patients.items()]
    _write(root / "pmc-patients" / "corpus.jsonl", "\n".join(lines) + "\n")
    _write(root / "pmc-patients" / "qrels-dev.tsv", "judged 0 judged-short 1\n")
    _write(root / "codiesp-en" / "train" / "text" / "t1.txt", _free_text(10))
    _write(root / "codiesp-en" / "train" / "text" / "t2.txt", f"Copied: {CODIESP_DEV_TEXT}")
    _write(root / "codiesp-en" / "background" / "b1.txt", f"Abstract. {GSC_TEXT}")
    _write(root / "codiesp-en" / "background" / "b2.txt", f"Note: {NEGEX_SENTENCE}")
    _write(root / "codiesp-en" / "background" / "b3.txt", _free_text(11))
    return root


def test_unlabelled_texts_that_repeat_an_evaluation_document_are_left_out(
    tmp_path: Path,
) -> None:
    data = _data(tmp_path)
    patterns = ["pmc-patients/corpus.jsonl", "codiesp-en/train/text/*.txt", "codiesp-en/*/*.txt"]
    kept = HeldOut(data).unseen(iter_corpus_texts(data, patterns))
    assert sorted(t.id for t in kept) == sorted([*FREE, "t1", "b3"])


@pytest.mark.parametrize(
    "pattern", ["hpo/jax/*.txt", "codiesp-en/*/text/*.txt", "maccrobat2020/*.txt", "negex/*"]
)
def test_a_training_corpus_that_reads_an_evaluation_file_is_refused(
    tmp_path: Path, pattern: str
) -> None:
    data = _data(tmp_path)
    with pytest.raises(CasebookError) as raised:
        list(iter_corpus_texts(data, [pattern]))
    assert raised.value.code is ErrorCode.INVALID_RESOURCE


def test_training_writes_a_manifest_of_what_it_read_and_nothing_of_the_evaluation_sets(
    tmp_path: Path,
) -> None:
    data = _data(tmp_path / "data")

    card = train_and_save(data, tmp_path / "model", SETTINGS)

    manifest = read_manifest(tmp_path / "model")
    assert manifest.model == "ner"
    assert manifest.documents(MACCROBAT, [Role.SUPERVISED]) == {"case1", "case2", "case3"}
    assert manifest.documents(MACCROBAT, [Role.VECTORS, Role.PRETRAINING, Role.SELF_TRAINING]) == (
        set()
    )
    for role in (Role.VECTORS, Role.PRETRAINING):
        assert manifest.documents(PMC_PATIENTS, [role]) == set(FREE)
        assert manifest.documents(CODIESP, [role]) == {"t1", "b3"}
    drawn = manifest.documents(PMC_PATIENTS, [Role.SELF_TRAINING])
    assert len(drawn) == 3 and drawn <= set(FREE)
    assert manifest.documents(JAX) == set()
    assert manifest_overlap(manifest, HeldOut(data)) == []
    for path in manifest.files():
        digest = hashlib.sha256((data / path).read_bytes()).hexdigest()
        assert {read.files.get(path) for reads in manifest.roles.values() for read in reads} >= {
            digest
        }
    text = card.read_text(encoding="utf-8")
    assert "## Training data" in text
    assert "| supervised | maccrobat2020 | 3 | 6 | CC BY 4.0 (Caufield et al. 2019) |" in text
    assert "distributes these weights under CC BY-NC-SA 4.0" in text  # it read PMC-Patients


def test_a_manifest_that_read_evaluation_text_is_caught(tmp_path: Path) -> None:
    data = _data(tmp_path)
    gold = ManifestBuilder(data)
    gold.read(Role.SUPERVISED, data / "maccrobat2020" / "case3.txt", ["case3"])
    assert manifest_overlap(gold.build("ner"), HeldOut(data)) == []

    unlabelled = ManifestBuilder(data)
    unlabelled.read(Role.VECTORS, data / "maccrobat2020" / "case3.txt", ["case3"])
    unlabelled.read(Role.PRETRAINING, data / "hpo" / "jax" / "j1.txt", ["j1"])
    unlabelled.read(Role.SUPERVISED, data / "codiesp-en" / "dev" / "text" / "d1.txt", ["d1"])
    unlabelled.read(Role.SELF_TRAINING, data / "pmc-patients" / "corpus.jsonl", ["judged"])
    found = manifest_overlap(unlabelled.build("ner"), HeldOut(data))
    assert len(found) == 7  # three files, four evaluation documents


def test_the_icd10_coders_manifest_lists_train_and_the_tune_half_of_dev(
    tmp_path: Path,
) -> None:
    shutil.copytree(FIXTURES / "eval" / "codiesp", tmp_path / "codiesp-en" / "train")
    shutil.copytree(FIXTURES / "eval" / "codiesp", tmp_path / "codiesp-en" / "dev")

    manifest = codiesp_manifest(tmp_path / "codiesp-en")

    assert manifest.model == "icd10"
    assert manifest.documents(CODIESP, [Role.SUPERVISED]) == {"d1", "d2", "d3"}
    # The shown threshold is chosen on dev's tune half (d2, d3); d1 is its check half.
    assert manifest.documents(CODIESP, [Role.CALIBRATION]) == {"d2", "d3"}
    assert manifest.files() == {
        "codiesp-en/train/codesD.tsv",
        "codiesp-en/dev/codesD.tsv",
        *(f"codiesp-en/train/text/{name}.txt" for name in ("d1", "d2", "d3")),
        *(f"codiesp-en/dev/text/{name}.txt" for name in ("d2", "d3")),
    }
