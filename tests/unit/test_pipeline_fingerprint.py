"""The pipeline fingerprint follows every byte the analysis reads, and nothing else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casebook import __version__
from casebook.config import MENTION_MODEL_VARIABLE, MENTION_MODELS
from casebook.pipeline_fingerprint import (
    FINGERPRINT_CHARS,
    NOT_READ_BY_ANALYSIS,
    fingerprint_of,
    fingerprinted_files,
    pipeline_fingerprint,
)
from casebook.resources import resource_path


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    """A copy of the packaged resources, to change without touching the package."""
    copy = tmp_path / "resources"
    shutil.copytree(resource_path(""), copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))


def test_the_fingerprint_is_a_short_hex_string_of_the_packaged_bytes(resources: Path) -> None:
    fingerprint = pipeline_fingerprint()
    assert len(fingerprint) == FINGERPRINT_CHARS
    assert int(fingerprint, 16) >= 0
    assert fingerprint_of(resources, __version__) == fingerprint  # where they lie is no matter


@pytest.mark.parametrize(
    "changed",
    ["sections.json", "icd10cm.json.gz", "models/ner/tok2vec/model", "models/icd10/arrays.npz"],
)
def test_a_changed_rule_or_model_file_changes_the_fingerprint(
    resources: Path, changed: str
) -> None:
    before = fingerprint_of(resources, __version__)
    _flip_last_byte(resources / changed)
    assert fingerprint_of(resources, __version__) != before


def test_a_new_rule_file_and_a_new_version_change_the_fingerprint(resources: Path) -> None:
    before = fingerprint_of(resources, __version__)
    assert fingerprint_of(resources, __version__ + ".post1") != before
    (resources / "new_rules.json").write_text("{}", encoding="utf-8")
    assert fingerprint_of(resources, __version__) != before


def test_a_renamed_file_changes_the_fingerprint(resources: Path) -> None:
    before = fingerprint_of(resources, __version__)
    (resources / "sections.json").rename(resources / "sections_renamed.json")
    assert fingerprint_of(resources, __version__) != before


@pytest.mark.parametrize(
    "unread",
    [
        "search.json",
        "search_fusion.json",
        "care.json",
        "models/ner/MODEL_CARD.md",
        "models/ner/manifest.json",
        "models/ner-permissive/manifest.json",
    ],
)
def test_files_the_analysis_never_reads_leave_the_fingerprint_alone(
    resources: Path, unread: str
) -> None:
    before = fingerprint_of(resources, __version__)
    _flip_last_byte(resources / unread)
    assert fingerprint_of(resources, __version__) == before


def test_each_mention_model_fingerprints_its_own_folder_and_not_the_others(
    resources: Path,
) -> None:
    default = fingerprint_of(resources, __version__, "default")
    permissive = fingerprint_of(resources, __version__, "permissive")
    assert default != permissive
    _flip_last_byte(resources / "models/ner-permissive/tok2vec/model")
    assert fingerprint_of(resources, __version__, "default") == default
    assert fingerprint_of(resources, __version__, "permissive") != permissive
    _flip_last_byte(resources / "models/ner/tok2vec/model")
    assert fingerprint_of(resources, __version__, "default") != default


_OPENED_BY_ANALYSIS = """
import json, sys
from pathlib import Path

root = Path(sys.argv[1]).resolve()
opened = set()

def record(event, args):
    if event == "open" and isinstance(args[0], (str, Path)):
        path = Path(args[0]).resolve()
        if path.is_relative_to(root):
            opened.add(path.relative_to(root).as_posix())

sys.addaudithook(record)
from casebook import service
from casebook.ingest.detect import read_path

for name in sys.argv[2:]:
    for document in read_path(Path(name)):
        service.analyze_document(document)
print(json.dumps(sorted(opened)))
"""


@pytest.mark.parametrize("mention_model", sorted(MENTION_MODELS))
def test_every_resource_file_the_analysis_opens_is_fingerprinted(
    example_case_path: Path, mention_model: str
) -> None:
    # A fresh process: this one may have loaded the pipeline already. An audit hook sees every
    # file opened while the pipeline loads and analyses reports of several formats.
    fixtures = example_case_path.parents[1] / "ingest"
    reports = [example_case_path, fixtures / "case-report.nxml", fixtures / "patients.jsonl"]
    root = resource_path("")
    run = subprocess.run(
        [sys.executable, "-c", _OPENED_BY_ANALYSIS, str(root), *map(str, reports)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, MENTION_MODEL_VARIABLE: mention_model},
    )
    opened = {name for name in json.loads(run.stdout) if not name.endswith((".py", ".pyc"))}
    # The model not chosen is never opened: it is outside this choice's fingerprint.
    fingerprinted = set(fingerprinted_files(root, mention_model))
    assert opened, "the audit hook saw no resource file opened"
    assert opened <= fingerprinted, sorted(opened - fingerprinted)
    assert not opened & NOT_READ_BY_ANALYSIS
