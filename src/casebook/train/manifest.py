"""Writing a trained model's manifest as its training reads the data (``casebook.provenance``).

Every trainer records each file it reads and the documents it uses from it, under the role the
dataset plays, then writes the manifest into the model folder and summarises it in the model
card::

    builder = ManifestBuilder(data)
    for path in texts:
        builder.read(Role.SUPERVISED, path, [path.stem])
    write_manifest(out, builder.build("icd10"))
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from pathlib import Path

from casebook.ingest.datasets import LICENCES, NON_COMMERCIAL, dataset_of
from casebook.provenance import DatasetRead, Role, TrainingManifest


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ManifestBuilder:
    """Collects what a training run reads, role by role.

    Args:
        data: The data folder; files are recorded by their path relative to it, and named
            by the dataset that path belongs to (``casebook.ingest.datasets.dataset_of``).
    """

    def __init__(self, data: Path) -> None:
        self.data = data.resolve()
        self._hashes: dict[Path, str] = {}
        self._files: dict[tuple[Role, str], dict[str, str]] = {}
        self._documents: dict[tuple[Role, str], set[str]] = {}

    def read(
        self, role: Role, path: Path, documents: Iterable[str] = (), dataset: str | None = None
    ) -> None:
        """Record that ``role`` read the file ``path`` and used ``documents`` of it.

        ``dataset`` names the dataset when the file's path does not (a copy of a dataset
        outside the data folder's layout).
        """
        resolved = path.resolve()
        if resolved not in self._hashes:
            self._hashes[resolved] = sha256_of(resolved)
        relative = resolved.relative_to(self.data).as_posix()
        key = (role, dataset or dataset_of(relative))
        self._files.setdefault(key, {})[relative] = self._hashes[resolved]
        self._documents.setdefault(key, set()).update(documents)

    def build(self, model: str, note: str = "") -> TrainingManifest:
        """The manifest of everything recorded so far."""
        roles: dict[Role, list[DatasetRead]] = {}
        for role, dataset in sorted(self._files):
            roles.setdefault(role, []).append(
                DatasetRead(
                    dataset=dataset,
                    files=dict(sorted(self._files[role, dataset].items())),
                    documents=sorted(self._documents[role, dataset]),
                )
            )
        return TrainingManifest(
            model=model, trained=datetime.date.today().isoformat(), note=note, roles=roles
        )


PERMISSIVE = "CC BY 4.0"
"""The licence under which weights learnt only from text under it are distributed."""


def manifest_summary(manifest: TrainingManifest) -> list[str]:
    """Markdown lines for the model card: per role, each dataset's documents, files and
    licence, and what the licences among them mean for the weights: non-commercial use when
    one forbids commercial use, attribution only when every one is CC BY 4.0."""
    lines = [
        "| role | dataset | documents | files | licence |",
        "|---|---|---|---|---|",
    ]
    datasets: set[str] = set()
    for role in Role:
        for read in manifest.roles.get(role, []):
            datasets.add(read.dataset)
            licence = LICENCES.get(read.dataset, "see its distribution")
            lines.append(
                f"| {role.value} | {read.dataset} | {len(read.documents)} | {len(read.files)} "
                f"| {licence} |"
            )
    restricted = sorted(datasets & NON_COMMERCIAL)
    if restricted:
        lines += [
            "",
            f"**Licence of these weights.** The model learnt from {', '.join(restricted)} "
            "text, whose licence forbids commercial use and asks that adaptations be shared "
            "alike. Whether trained weights are an adaptation of their training text is "
            "unsettled; casebook takes the cautious reading and distributes these weights under "
            "CC BY-NC-SA 4.0: use and share them for non-commercial purposes only, with "
            "attribution, and license what you derive from them the same way. The Apache-2.0 "
            "licence of casebook's code does not extend to them (see NOTICE).",
        ]
    elif datasets and all(LICENCES.get(name, "").startswith(PERMISSIVE) for name in datasets):
        lines += [
            "",
            f"**Licence of these weights.** The model learnt only from text under {PERMISSIVE}, "
            "which allows commercial use with attribution. casebook distributes these weights "
            f"under {PERMISSIVE}: credit the datasets above when you use or share them (see "
            "NOTICE). The Apache-2.0 licence of casebook's code does not extend to them.",
        ]
    return lines
