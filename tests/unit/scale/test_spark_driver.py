"""What ``spark extract`` decides before Spark starts: what is current, what repeats an id,
where failures go. Nothing here needs analysing, so no Spark job runs."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

from casebook import service  # noqa: E402  (the skips above come first)
from casebook.errors import CasebookError, ErrorCode  # noqa: E402
from casebook.export.parquet import CASES_FOLDER, CaseParquetWriter, CaseRow  # noqa: E402
from casebook.ingest.detect import read_path  # noqa: E402
from casebook.pipeline_fingerprint import pipeline_fingerprint  # noqa: E402
from casebook.scale.spark import (  # noqa: E402
    FAILURES_FILE,
    Failure,
    SparkFormat,
    default_partitions,
    fingerprint,
    spark_extract,
    write_failures,
)


def _started(documents: int, partitions: int) -> None:
    raise AssertionError("Spark started although every output was current")


def test_a_rerun_with_every_output_current_skips_all_without_starting_spark(
    tmp_path: Path,
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("A 40-year-old man had a cough.", encoding="utf-8")
    (inputs / "b.txt").write_text("A 7-year-old girl had a rash.", encoding="utf-8")
    (inputs / "blob.txt").write_bytes(bytes(range(256)))
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a", "b"):
        # ``extract`` counts an output current when it holds the document's text, made by
        # this pipeline.
        text = (inputs / f"{name}.txt").read_text(encoding="utf-8")
        current = {"text": text, "pipeline": pipeline_fingerprint()}
        (out / f"{name}.json").write_text(json.dumps(current), encoding="utf-8")
    result = spark_extract([str(inputs)], out, on_start=_started)
    assert (result.written, sorted(result.skipped), result.partitions) == ([], ["a", "b"], 0)
    (failure,) = result.failed
    assert failure.id is None and failure.error.code is ErrorCode.BINARY_DATA
    with (out / FAILURES_FILE).open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [
            {
                "id": "",
                "path": str(inputs / "blob.txt"),
                "code": "CB-E003",
                "message": "binary data, not text",
            }
        ]
    assert not [p for p in out.iterdir() if p.name.startswith(".casebook-spark")]


def test_of_two_documents_with_one_id_the_later_decides(tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "case.txt", tmp_path / "two" / "case.txt"
    for path, text in ((first, "A man had a fever."), (second, "A woman had a cough.")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    # The output holds the later document: nothing is analysed, the earlier one is left out.
    later = {"text": "A woman had a cough.", "pipeline": pipeline_fingerprint()}
    (out / "case.json").write_text(json.dumps(later), encoding="utf-8")
    result = spark_extract([str(first), str(second)], out, on_start=_started)
    assert (result.skipped, result.replaced, result.failed) == (["case"], ["case"], [])
    assert not (out / FAILURES_FILE).exists()


def test_parquet_output_is_current_when_its_row_has_the_document_fingerprint(
    tmp_path: Path,
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("A 40-year-old man had a cough.", encoding="utf-8")
    (document,) = read_path(report)
    out = tmp_path / "out"
    with CaseParquetWriter(out / CASES_FOLDER / "part-1-00000.parquet") as writer:
        writer.add(CaseRow("report", fingerprint(document), "{}", "k", "{}"))
    result = spark_extract([str(report)], out, output_format=SparkFormat.PARQUET, on_start=_started)
    assert result.skipped == ["report"]
    assert fingerprint(document) == service.content_hash(document)


def test_failures_file_is_csv_and_goes_when_nothing_failed(tmp_path: Path) -> None:
    error = CasebookError(ErrorCode.PROCESSING_FAILED, 'analysis failed: "x",\nline 2', "a.txt")
    write_failures(tmp_path, [Failure("a", error)])
    with (tmp_path / FAILURES_FILE).open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row == {
        "id": "a",
        "path": "a.txt",
        "code": "CB-E013",
        "message": 'analysis failed: "x",\nline 2',
    }
    write_failures(tmp_path, [])
    assert list(tmp_path.iterdir()) == []


def test_partitions_follow_the_cores_and_grow_with_the_corpus() -> None:
    assert default_partitions(cores=2, total_weight=10_000, documents=300) == 8
    assert default_partitions(cores=2, total_weight=10_000, documents=3) == 3
    assert default_partitions(cores=2, total_weight=900_000_000, documents=250_000) == 450
