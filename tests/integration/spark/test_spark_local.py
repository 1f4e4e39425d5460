"""``casebook spark extract`` on a local Spark: the same cases as ``extract``, document for
document, a binary file reported and skipped, and reruns that skip what is current."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from casebook import service
from casebook.ingest.detect import iter_documents
from casebook.model import Case, Document

from .conftest import QUIET_CONF, case_files, conf_options, run_casebook

pytestmark = pytest.mark.spark


def test_local_spark_writes_the_files_extract_writes_and_reports_the_binary_file(
    spark_env: dict[str, str], case_reports: list[str], extracted: Path, tmp_path: Path
) -> None:
    # A folder name Hadoop would read as a glob ("spark-local1" only) is used as it is.
    out = tmp_path / "spark-local[2]"
    arguments = ["spark", "extract", *case_reports, "--out", str(out), "--master", "local[2]"]
    first = run_casebook([*arguments, *conf_options(QUIET_CONF)], spark_env)
    # The exit status is the number of documents that failed: the binary file.
    assert first.returncode == 1, first.stderr
    assert "11 written, 0 already done, 1 failed" in first.stderr
    assert case_files(out) == case_files(extracted)
    with (out / "failures.csv").open(encoding="utf-8") as handle:
        (failure,) = csv.DictReader(handle)
    assert failure["code"] == "CB-E003" and failure["path"].endswith("scan.pdf")
    assert sorted(p.name for p in out.iterdir()) == sorted([*case_files(extracted), "failures.csv"])

    again = run_casebook([*arguments, *conf_options(QUIET_CONF)], spark_env)
    assert again.returncode == 1, again.stderr
    assert "0 written, 11 already done, 1 failed" in again.stderr
    assert "analysing" not in again.stderr  # nothing to analyse: Spark never started
    assert case_files(out) == case_files(extracted)


def _documents(inputs: list[str]) -> dict[str, Document]:
    return {d.id: d for d in iter_documents(inputs) if isinstance(d, Document)}


def test_parquet_holds_each_case_with_its_fingerprint_and_search_entry_and_reruns_replace_it(
    spark_env: dict[str, str], case_reports: list[str], extracted: Path, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    inputs = tmp_path / "inputs"
    shutil.copytree(case_reports[0], inputs)
    out = tmp_path / "parquet"
    arguments = [
        *("spark", "extract", str(inputs), "--out", str(out), "--format", "parquet"),
        *("--master", "local[2]", *conf_options(QUIET_CONF)),
    ]
    first = run_casebook(arguments, spark_env)
    assert first.returncode == 0, first.stderr
    rows = pq.read_table(out / "cases.parquet").to_pylist()
    documents = _documents([str(inputs)])
    assert sorted(row["id"] for row in rows) == sorted(documents)
    for row in rows:
        case = Case.model_validate_json(row["case_json"])
        reference = Case.model_validate_json(
            (extracted / service.case_filename(row["id"])).read_text(encoding="utf-8")
        )
        # The inputs are a copy of those extract read: only the path they were read from differs.
        assert case.source.path and case.source.path.startswith(str(inputs))
        read_from = case.source.model_copy(update={"path": reference.source.path})
        assert case.model_copy(update={"source": read_from}) == reference
        assert row["fingerprint"] == service.content_hash(documents[row["id"]])
        record = service.case_record(case, row["fingerprint"])
        assert (row["index_key"], row["index_entry"]) == (record.index_key, record.index_entry)

    changed = "A 58-year-old man had haematuria; cystoscopy showed a bladder tumour.\n"
    (inputs / "stemi.txt").write_text(changed, encoding="utf-8")
    second = run_casebook(arguments, spark_env)
    assert second.returncode == 0, second.stderr
    assert "1 written, 10 already done, 0 failed" in second.stderr
    rows = pq.read_table(out / "cases.parquet").to_pylist()
    assert sorted(row["id"] for row in rows) == sorted(documents)  # one row per case
    (stemi,) = (Case.model_validate_json(r["case_json"]) for r in rows if r["id"] == "stemi")
    assert stemi.text == changed


def test_without_java_the_job_fails_with_a_coded_error_before_reading_anything(
    tmp_path: Path,
) -> None:
    pytest.importorskip("pyspark")
    env = {key: value for key, value in os.environ.items() if key not in {"JAVA_HOME", "PATH"}}
    env["PATH"] = str(tmp_path / "no-java-here")
    out = tmp_path / "out"
    done = run_casebook(["spark", "extract", str(tmp_path / "missing.txt"), "--out", str(out)], env)
    assert done.returncode == 101, done.stderr
    assert "CB-E024" in done.stderr and "Java 17" in done.stderr
    assert not out.exists()
