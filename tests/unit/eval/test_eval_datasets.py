"""Each evaluator on a slice of the real dev data: report shape and ranges only.

Skipped when ``CASEBOOK_DATA`` (default ``../shared/datasets`` beside the checkout) is absent.
Slices are copied into a temporary folder so the tests stay fast.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from casebook.eval.assertion import evaluate_assertion
from casebook.eval.coding import evaluate_icd10
from casebook.eval.hpo import evaluate_hpo
from casebook.eval.ner import evaluate_ner
from casebook.eval.retrieval import evaluate_retrieval

pytestmark = pytest.mark.dataset


PRF_KEYS = {"p", "r", "f1"}


def assert_scores(value: Any, keys: set[str] = PRF_KEYS) -> None:
    assert set(value) == keys
    for score in value.values():
        assert isinstance(score, float)
        assert 0.0 <= score <= 100.0


def test_ner_on_maccrobat(tmp_path: Path, data_dir: Path) -> None:
    source = data_dir.joinpath("maccrobat2020")
    for txt in sorted(source.glob("*.txt"))[:3]:
        shutil.copy(txt, tmp_path)
        shutil.copy(txt.with_suffix(".ann"), tmp_path)
    report = evaluate_ner(tmp_path).model_dump(by_alias=True)
    assert set(report) == {
        "split",
        "in_sample",
        "docs",
        "core",
        "all",
        "per_type",
        "assertion",
        "docs_per_s",
        "skipped",
    }
    assert report["docs"] == 3
    assert report["in_sample"] is True  # the shipped model learnt from all of MACCROBAT
    for group in ("core", "all"):
        assert set(report[group]) == {"strict", "lenient"}
        assert_scores(report[group]["strict"])
        assert_scores(report[group]["lenient"])
    assert report["per_type"]
    for scores in report["per_type"].values():
        assert_scores(scores)
    assert set(report["assertion"]) == {"negated", "uncertain"}
    assert_scores(report["assertion"]["negated"])
    assert_scores(report["assertion"]["uncertain"])
    assert report["docs_per_s"] >= 0


def test_assertion_on_negex(tmp_path: Path, data_dir: Path) -> None:
    source = data_dir.joinpath("negex", "context_annotations.tsv")
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    sample = tmp_path / "sample.tsv"
    sample.write_text("".join(lines[:51]), encoding="utf-8")
    report = evaluate_assertion(sample)
    dumped = report.model_dump(by_alias=True)
    assert set(dumped) == {
        "split",
        "in_sample",
        "n",
        "negation",
        "historical",
        "family",
        "skipped",
    }
    assert dumped["n"] == 50
    for task in ("negation", "historical", "family"):
        assert_scores(dumped[task], PRF_KEYS | {"acc"})
    assert report.fuzzy + report.unlocated <= 50


def test_retrieval_on_pmc_patients(data_dir: Path) -> None:
    folder = data_dir.joinpath("pmc-patients")
    report = evaluate_retrieval(folder / "corpus.jsonl", folder / "qrels-dev.tsv", limit=20)
    dumped = report.model_dump(by_alias=True)
    assert dumped.pop("queries") == 20
    assert dumped.pop("skipped") == []
    assert_scores(dumped, {"mrr", "ndcg@10", "p@10", "recall@1000"})
    assert dumped["mrr"] > 0  # BM25 finds something for 20 queries


def test_icd10_on_codiesp(tmp_path: Path, data_dir: Path) -> None:
    source = data_dir.joinpath("codiesp-en", "dev")
    (tmp_path / "text").mkdir()
    keep = {p.stem for p in sorted((source / "text").glob("*.txt"))[:3]}
    for stem in keep:
        shutil.copy(source / "text" / f"{stem}.txt", tmp_path / "text")
    codes = (source / "codesD.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "codesD.tsv").write_text(
        "".join(line for line in codes if line.split("\t")[0] in keep), encoding="utf-8"
    )
    report = evaluate_icd10(tmp_path).model_dump(by_alias=True)
    assert set(report) == {
        "split",
        "in_sample",
        "docs",
        "map",
        "micro",
        "anchor_map",
        "ranker_map",
        "fused_map",
        "codeset_map",
        "skipped",
    }
    assert report["docs"] == 3
    assert 0.0 <= report["map"] <= 100.0
    assert 0.0 <= report["ranker_map"] <= 100.0
    assert 0.0 <= report["fused_map"] <= 100.0
    assert 0.0 <= report["codeset_map"] <= 100.0
    assert_scores(report["micro"])


def test_hpo_on_jax(tmp_path: Path, data_dir: Path) -> None:
    source = data_dir.joinpath("hpo")
    (tmp_path / "jax").mkdir()
    keep = [p.stem for p in sorted((source / "jax").glob("*.txt"))[:2]]
    for stem in keep:
        shutil.copy(source / "jax" / f"{stem}.txt", tmp_path / "jax")
    gold = json.loads((source / "jax_gold.json").read_text(encoding="utf-8"))
    (tmp_path / "jax_gold.json").write_text(
        json.dumps({k: v for k, v in gold.items() if k in keep}), encoding="utf-8"
    )
    report = evaluate_hpo(tmp_path).model_dump(by_alias=True)
    assert set(report) == {
        "dataset",
        "split",
        "in_sample",
        "docs",
        "recognised",
        "present",
        "anchor",
        "skipped",
    }
    assert report["docs"] == 2
    assert_scores(report["recognised"])
    assert_scores(report["present"])
