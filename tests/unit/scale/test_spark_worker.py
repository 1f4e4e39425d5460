"""The function each Spark task runs, called here without Spark: it writes each case and
sends back a status per document, and a document it cannot write is a status, not a crash."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("pyspark")

from casebook import service  # noqa: E402  (the skips above come first)
from casebook.export.parquet import CASES_FOLDER, read_rows  # noqa: E402
from casebook.model import Case, Document, Source, SourceFormat  # noqa: E402
from casebook.scale.spark import (  # noqa: E402
    Partition,
    SparkFormat,
    WorkerJob,
    analyse_partition,
    fingerprint,
)

TEXTS = {
    "cough": "A 40-year-old man had a cough and fever for three days.",
    "rash": "A 7-year-old girl had a rash on both legs. She recovered fully.",
}


def _staged(folder: Path) -> Path:
    """A staging file as the driver writes it, with a document of another partition first, in
    row groups of two rows: the task's documents are in both."""
    other = Document(
        id="other", text="A woman had a headache.", source=Source(format=SourceFormat.TEXT)
    )
    rows = [{"ordinal": 0, "fingerprint": fingerprint(other), "document": other.model_dump_json()}]
    for ordinal, (case_id, text) in enumerate(TEXTS.items(), start=1):
        document = Document(id=case_id, text=text, source=Source(format=SourceFormat.TEXT))
        rows.append(
            {
                "ordinal": ordinal,
                "fingerprint": fingerprint(document),
                "document": document.model_dump_json(),
            }
        )
    target = folder / "documents.parquet"
    pq.write_table(pa.Table.from_pylist(rows), target, row_group_size=2)
    return target


def _statuses(out: Path, output_format: SparkFormat, run: str, staged: Path) -> list[dict]:
    job = WorkerJob(str(out), output_format, run, str(staged))
    return [s._asdict() for s in analyse_partition(job, [Partition(0, array("q", [1, 2]))])]


def test_a_parquet_task_writes_one_row_per_case_with_what_add_stores(tmp_path: Path) -> None:
    statuses = _statuses(tmp_path, SparkFormat.PARQUET, "20260101T000000000000Z", _staged(tmp_path))
    assert [(s["ordinal"], s["id"], s["code"]) for s in statuses] == [
        (1, "cough", None),
        (2, "rash", None),
    ]
    (part,) = (tmp_path / CASES_FOLDER).iterdir()
    assert part.name == "part-20260101T000000000000Z-00000.parquet"
    rows = {row.id: row for row in read_rows(tmp_path / CASES_FOLDER)}
    for case_id, text in TEXTS.items():
        case = Case.model_validate_json(rows[case_id].case_json)
        assert case.text == text
        record = service.case_record(case, rows[case_id].fingerprint)
        assert (rows[case_id].index_key, rows[case_id].index_entry) == (
            record.index_key,
            record.index_entry,
        )


def test_a_case_that_cannot_be_written_is_a_failed_status_and_the_task_goes_on(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "not-created"
    statuses = _statuses(missing, SparkFormat.JSON, "run", _staged(tmp_path))
    assert [s["id"] for s in statuses] == ["cough", "rash"]
    for status in statuses:
        assert status["code"] == "CB-E013"
        assert str(status["message"]).startswith("writing the case failed: FileNotFoundError")
