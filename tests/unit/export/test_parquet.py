"""The case Parquet: whole files only, one row per case id, the newest run's row kept."""

from __future__ import annotations

from pathlib import Path

import pytest

pq = pytest.importorskip("pyarrow.parquet")

from casebook.errors import CasebookError  # noqa: E402
from casebook.export.parquet import (  # noqa: E402  (needs pyarrow, skipped above without it)
    CASES_SCHEMA,
    CaseParquetWriter,
    CaseRow,
    drop_superseded,
    part_files,
    read_case_parquet,
    read_fingerprints,
    read_rows,
    remove_temporary_files,
)
from casebook.ingest.cases import CaseRead, RawCase, parse_raw  # noqa: E402
from casebook.model import Case, Source, SourceFormat  # noqa: E402


def row(case_id: str, fingerprint: str = "f1") -> CaseRow:
    return CaseRow(case_id, fingerprint, f'{{"id": "{case_id}"}}', "2:k", "{}")


def test_a_file_appears_only_when_its_writer_closes(tmp_path: Path) -> None:
    target = tmp_path / "cases.parquet" / "part-1-00000.parquet"
    writer = CaseParquetWriter(target)
    for number in range(100):  # more than a row group, so some rows are on disk already
        writer.add(row(f"c{number}"))
    assert not target.exists()
    writer.close()
    assert [r.id for r in read_rows(target.parent)] == [f"c{n}" for n in range(100)]
    assert pq.read_schema(target) == CASES_SCHEMA
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_a_writer_left_by_an_error_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "part-1-00000.parquet"
    with pytest.raises(RuntimeError), CaseParquetWriter(target) as writer:
        for number in range(100):
            writer.add(row(f"c{number}"))
        raise RuntimeError("the worker died")
    assert list(tmp_path.iterdir()) == []


def test_a_writer_with_no_row_writes_no_file(tmp_path: Path) -> None:
    with CaseParquetWriter(tmp_path / "part-1-00000.parquet"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_rerun_keeps_each_case_in_its_newest_file_only(tmp_path: Path) -> None:
    for name, rows in {
        "part-20260101T000000000000Z-00000.parquet": [row("a"), row("b")],
        "part-20260101T000000000000Z-00001.parquet": [row("c")],
        "part-20260202T000000000000Z-00000.parquet": [row("b", "f2"), row("c", "f2")],
    }.items():
        with CaseParquetWriter(tmp_path / name) as writer:
            for each in rows:
                writer.add(each)
    assert read_fingerprints(tmp_path) == {"a": "f1", "b": "f2", "c": "f2"}
    assert drop_superseded(tmp_path) == 2
    assert sorted((r.id, r.fingerprint) for r in read_rows(tmp_path)) == [
        ("a", "f1"),
        ("b", "f2"),
        ("c", "f2"),
    ]
    # The file left with no row is gone, not kept empty.
    assert [p.name[:14] for p in part_files(tmp_path)] == ["part-20260101T", "part-20260202T"]
    assert drop_superseded(tmp_path) == 0


def test_half_written_and_hidden_files_are_not_data(tmp_path: Path) -> None:
    with CaseParquetWriter(tmp_path / "part-1-00000.parquet") as writer:
        writer.add(row("a"))
    (tmp_path / ".tmp-abc-part-1-00001.parquet").write_bytes(b"half")
    (tmp_path / "_SUCCESS").write_bytes(b"")
    assert read_fingerprints(tmp_path) == {"a": "f1"}
    remove_temporary_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_SUCCESS", "part-1-00000.parquet"]
    assert read_fingerprints(tmp_path / "missing") == {}


def test_reading_cases_back_locates_each_bad_row_and_a_file_that_is_not_parquet(
    tmp_path: Path,
) -> None:
    case = Case(id="a", text="fever", source=Source(format=SourceFormat.TEXT))
    target = tmp_path / "part-1-00000.parquet"
    with CaseParquetWriter(target) as writer:
        writer.add(CaseRow("a", "f1", case.model_dump_json(), "k", "{}"))
        writer.add(CaseRow("b", "f1", case.model_dump_json(), "k", "{}"))
        writer.add(row("c"))
    # Each row is validated, its id checked against its case's, as load does it.
    read = [parse_raw(r) if isinstance(r, RawCase) else r for r in read_case_parquet(target)]
    assert isinstance(read[0], CaseRead)
    assert (read[0].case, read[0].where, read[0].digest) == (case, f"{target}:row 1", "f1")
    assert [(e.code.value, e.path) for e in read[1:] if isinstance(e, CasebookError)] == [
        ("CB-E010", f"{target}:row 2"),
        ("CB-E010", f"{target}:row 3"),
    ]
    assert "the row's id 'b' is not that of its case, 'a'" in str(read[1])

    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not a Parquet file")
    (error,) = read_case_parquet(broken)
    assert isinstance(error, CasebookError) and error.code.value == "CB-E007"
