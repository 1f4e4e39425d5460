"""Write ``manifest.json`` for the two models shipped before their issue-20 retraining.

Those models were trained before training wrote manifests. What they read is rebuilt here from
their model cards and the training code of commit 2df2216, which this script repeats:

* the mention model (trained 2026-11-27, ``ner_settings.json`` version 1): all 150 MACCROBAT
  documents as gold; fastText vectors on every text of PMC-Patients, CodiEsp (train, dev,
  background), JAX and MACCROBAT; pretraining on PMC-Patients, CodiEsp and JAX texts that share
  no 12-word run with MACCROBAT; self-training on the seeded draw of 2,000 such PMC-Patients
  texts;
* the ICD-10-CM coder (trained 2026-11-26): CodiEsp ``train`` and ``dev``.

Delete this script once ``casebook train ner`` and ``casebook train icd10`` have rewritten both
models, whose manifests they then write themselves.

    python benchmarks/shipped_manifests.py ../shared/datasets
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

from casebook.ingest.brat import brat_documents
from casebook.ingest.datasets import EVALUATION_SETS, MACCROBAT
from casebook.ingest.pmc_patients import ESCAPED_LINE_BREAK
from casebook.provenance import Role, write_manifest
from casebook.resources import resource_path
from casebook.train.corpus import CorpusText, HeldOut
from casebook.train.manifest import ManifestBuilder

NOTE = (
    "Rebuilt from the model card and the training code of commit 2df2216 by "
    "benchmarks/shipped_manifests.py, not written by the training itself; files hashed as "
    "they are in the data folder now."
)
VECTORS = [
    "pmc-patients/corpus.jsonl",
    "codiesp-en/*/text/*.txt",
    "codiesp-en/background/*.txt",
    "hpo/jax/*.txt",
    "maccrobat2020/*.txt",
]
PRETRAINING = [
    "pmc-patients/corpus.jsonl",
    "codiesp-en/*/text/*.txt",
    "codiesp-en/background/*.txt",
    "hpo/jax/*.txt",
]
SELF_TRAINING = ["pmc-patients/corpus.jsonl"]
SELF_TRAINING_TEXTS, SELF_TRAINING_SEED = 2000, 7


def texts(data: Path, patterns: list[str], line_breaks: bool) -> Iterator[CorpusText]:
    """What ``casebook.train.ner.iter_corpus_texts`` read at commit 2df2216, which refused no
    evaluation file."""
    for pattern in patterns:
        for path in sorted(data.glob(pattern)):
            if path.suffix == ".jsonl":
                with path.open(encoding="utf-8") as lines:
                    for line in lines:
                        record = json.loads(line)
                        text = str(record.get("text", ""))
                        if line_breaks:
                            text = text.replace(ESCAPED_LINE_BREAK, "\n")
                        yield CorpusText(path, str(record["patient_uid"]), text)
            else:
                text = path.read_text(encoding="utf-8", errors="replace")
                yield CorpusText(path, path.stem, text)


def mention_model(data: Path) -> None:
    maccrobat = HeldOut(data, tuple(s for s in EVALUATION_SETS if s.dataset == MACCROBAT))
    builder = ManifestBuilder(data)
    for txt in brat_documents(data / "maccrobat2020"):
        builder.read(Role.SUPERVISED, txt, [txt.stem])
        builder.read(Role.SUPERVISED, txt.with_suffix(".ann"))
    for text in texts(data, VECTORS, line_breaks=False):
        builder.read(Role.VECTORS, text.path, [text.id])
    for text in maccrobat.unseen(texts(data, PRETRAINING, line_breaks=True)):
        builder.read(Role.PRETRAINING, text.path, [text.id])
    pool = maccrobat.unseen(texts(data, SELF_TRAINING, line_breaks=True))
    drawn = random.Random(SELF_TRAINING_SEED).sample(pool, min(SELF_TRAINING_TEXTS, len(pool)))
    for text in drawn:
        builder.read(Role.SELF_TRAINING, text.path, [text.id])
    manifest = builder.build("ner", NOTE).model_copy(update={"trained": "2026-11-27"})
    print(write_manifest(resource_path("models/ner"), manifest))


def icd10_coder(data: Path) -> None:
    builder = ManifestBuilder(data)
    for split in ("train", "dev"):
        folder = data / "codiesp-en" / split
        builder.read(Role.SUPERVISED, folder / "codesD.tsv")
        for txt in sorted((folder / "text").glob("*.txt")):
            builder.read(Role.SUPERVISED, txt, [txt.stem])
    manifest = builder.build("icd10", NOTE).model_copy(update={"trained": "2026-11-26"})
    print(write_manifest(resource_path("models/icd10"), manifest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="The datasets folder (CASEBOOK_DATA).")
    data = parser.parse_args().data
    mention_model(data)
    icd10_coder(data)


if __name__ == "__main__":
    main()
