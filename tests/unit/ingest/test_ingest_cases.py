"""Analysed cases read back from files: every good record, and a located error for each bad one."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.cases import CaseRead, iter_cases
from casebook.model import Case, Source, SourceFormat


def _case(case_id: str) -> Case:
    return Case(
        id=case_id,
        text=f"Case {case_id}: a 54-year-old man had fever.",
        source=Source(format=SourceFormat.TEXT),
        pipeline="75b35dbcb27c01b6",
    )


def _line(case_id: str) -> str:
    return _case(case_id).model_dump_json() + "\n"


def _outcomes(items: list[CaseRead | CasebookError]) -> list[tuple[str, str]]:
    """``(case id or error code, where)`` of each item."""
    return [
        (item.case.id, item.where)
        if isinstance(item, CaseRead)
        else (item.code.value, item.path or "")
        for item in items
    ]


def test_bad_lines_are_located_errors_among_the_good_cases(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    broken = _case("c").model_dump_json()[:-40]
    wrong = _case("d").model_dump_json().replace('"text":', '"txt":')
    path.write_text(_line("a") + "\n" + _line("b") + broken + "\n" + wrong + "\n" + _line("e"))
    items = list(iter_cases([str(path)]))
    assert _outcomes(items) == [
        ("a", f"{path}:1"),
        ("b", f"{path}:3"),
        ("CB-E008", f"{path}:4"),
        ("CB-E010", f"{path}:5"),
        ("e", f"{path}:6"),
    ]
    invalid = items[3]
    assert isinstance(invalid, CasebookError) and "case 'd'" in invalid.message
    assert items[0] == CaseRead(_case("a"), f"{path}:1")


def test_gzipped_json_lines_are_read_and_a_cut_off_file_keeps_what_came_before(
    tmp_path: Path,
) -> None:
    data = gzip.compress((_line("a") + _line("b")).encode() * 200)
    whole, cut = tmp_path / "cases.jsonl.gz", tmp_path / "cut.jsonl.gz"
    whole.write_bytes(data)
    cut.write_bytes(data[: len(data) // 2])
    assert [i.case.id for i in iter_cases([str(whole)]) if isinstance(i, CaseRead)] == [
        "a",
        "b",
    ] * 200
    items = list(iter_cases([str(cut)]))
    *read, last = items
    assert read and all(isinstance(i, CaseRead) for i in read)
    assert isinstance(last, CasebookError) and last.code is ErrorCode.UNDECODABLE_TEXT
    assert last.path == str(cut) and f"line {len(read)}" in last.message


def test_a_folder_of_extract_output_is_read_without_its_fhir_bundles_and_temporaries(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    for case_id in ("b", "a"):
        (folder / f"{case_id}.json").write_text(_case(case_id).model_dump_json(indent=1))
    (folder / "a.fhir.json").write_text('{"resourceType": "Bundle"}')
    (folder / ".tmp-x.json").write_text("{")
    (folder / "notes.txt").write_text("not a case")
    assert _outcomes(list(iter_cases([str(folder)]))) == [
        ("a", str(folder / "a.json")),
        ("b", str(folder / "b.json")),
    ]


def test_inputs_that_hold_no_cases_are_coded_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    bundle = tmp_path / "a.fhir.json"
    bundle.write_text('{"resourceType": "Bundle"}')
    parquet = tmp_path / "cases.parquet"
    parquet.write_bytes(b"PAR1")
    missing = tmp_path / "missing.jsonl"
    items = list(iter_cases([str(empty), str(bundle), str(parquet), str(missing)]))
    assert _outcomes(items) == [
        ("CB-E001", str(empty)),
        ("CB-E007", str(bundle)),
        ("CB-E007", str(parquet)),
        ("CB-E001", str(missing)),
    ]


def test_standard_input_is_read_as_json_lines() -> None:
    stdin = io.BytesIO((_line("a") + "{}\n").encode())
    assert _outcomes(list(iter_cases(["-"], stdin=stdin))) == [("a", "-:1"), ("CB-E010", "-:2")]


def test_the_same_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(_line("a"))
    assert len(list(iter_cases([str(path), str(tmp_path)]))) == 1


class _CountingLines(io.RawIOBase):
    """An endless stream of Case JSON lines that counts how many were taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    def __iter__(self) -> _CountingLines:
        return self

    def __next__(self) -> bytes:
        self.taken += 1
        return _line(f"c{self.taken}").encode()


def test_cases_are_read_one_at_a_time_not_all_first() -> None:
    # Streaming: a case is yielded as soon as its line is read, so memory holds one record
    # whatever the number behind it (this stream never ends).
    stream = _CountingLines()
    cases = iter_cases(["-"], stdin=stream)  # type: ignore[arg-type]
    first = [next(cases) for _ in range(3)]
    assert _outcomes(first) == [("c1", "-:1"), ("c2", "-:2"), ("c3", "-:3")]
    assert stream.taken == 3
