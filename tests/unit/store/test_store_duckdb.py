"""The DuckDB case store: exact round trips, idempotent adds, and refusals that keep data safe."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import (
    Assertion,
    Attribute,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Patient,
    Section,
    Sex,
    Source,
    SourceFormat,
    Span,
)
from casebook.store import STORE_SCHEMA_VERSION, AddOutcome, DuckDBCaseStore
from casebook.store.base import CaseRecord
from casebook.store.duckdb import ROW_GROUP_SIZE

TEXT = "A 29-year-old female had a severe headache after a bone marrow biopsy."


def _case(case_id: str = "example", text: str = TEXT) -> Case:
    start = text.index("headache")
    headache = Mention(
        id="m1",
        start=start,
        end=start + len("headache"),
        text="headache",
        type=EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.HPO, code="HP:0002315", display="Headache", score=0.9)],
        attributes=[Attribute(name="severity", text="severe", start=27, end=33)],
    )
    start = text.index("bone marrow biopsy")
    biopsy = Mention(
        id="m2",
        start=start,
        end=start + len("bone marrow biopsy"),
        text="bone marrow biopsy",
        type=EntityType.DIAGNOSTIC_PROCEDURE,
        assertion=Assertion.HISTORICAL,
    )
    return Case(
        id=case_id,
        text=text,
        title="Headache after biopsy",
        source=Source(format=SourceFormat.TEXT, path=f"{case_id}.txt", extra={"k": "v"}),
        patient=Patient(age_years=29, sex=Sex.FEMALE),
        sections=[Section(title="", kind="body", start=0, end=len(text))],
        sentences=[Span(start=0, end=len(text))],
        mentions=[headache, biopsy],
        codes=[
            CaseCode(
                system=CodeSystem.ICD10CM,
                code="G97.1",
                score=0.7,
                evidence=[Span(start=headache.start, end=headache.end)],
                mentions=["m1"],
            )
        ],
    )


def _hash(case: Case) -> str:
    return hashlib.sha256(case.text.encode("utf-8", "surrogatepass")).hexdigest()


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "cases.duckdb"


def test_a_stored_case_comes_back_exactly(store_path: Path) -> None:
    case = _case()
    with DuckDBCaseStore(store_path) as store:
        assert store.add(case, _hash(case)) is AddOutcome.ADDED
        assert store.get("example") == case
    with DuckDBCaseStore(store_path) as store:  # and after reopening the file
        assert store.get("example") == case


def test_mentions_and_codes_are_queryable_rows(store_path: Path) -> None:
    case = _case()
    with DuckDBCaseStore(store_path) as store:
        store.add(case, _hash(case))
    mentions = _rows(
        store_path,
        'SELECT case_id, mention_id, start, "end", type, assertion, text FROM mentions '
        "ORDER BY mention_id",
    )
    assert mentions == [
        ("example", "m1", 34, 42, "Sign_symptom", "present", "headache"),
        ("example", "m2", 51, 69, "Diagnostic_procedure", "historical", "bone marrow biopsy"),
    ]
    codes = _rows(store_path, "SELECT * FROM codes ORDER BY system")
    assert codes == [
        ("example", "hpo", "HP:0002315", 0.9, "m1"),
        ("example", "icd10cm", "G97.1", 0.7, None),
    ]
    (row,) = _rows(
        store_path,
        "SELECT id, title, age_years, sex, source_format, source_path FROM cases",
    )
    assert row == ("example", "Headache after biopsy", 29.0, "female", "text", "example.txt")


def test_rows_of_a_batch_with_only_case_level_codes_come_back_exactly(store_path: Path) -> None:
    """A batch whose codes all lack a mention, with no age, and words beyond ASCII, is stored
    as given (no code row borrows a mention id, no age is made up, no text is mangled)."""
    case = _case("é-1")
    text = case.text.replace("headache", "céphalée")  # as long, so the offsets hold
    mentions = [
        m.model_copy(update={"codes": [], "text": text[m.start : m.end]}) for m in case.mentions
    ]
    case = case.model_copy(update={"text": text, "mentions": mentions, "patient": Patient()})
    with DuckDBCaseStore(store_path) as store:
        store.add_records([CaseRecord.of(case, "h")])
    assert _rows(store_path, "SELECT * FROM codes") == [("é-1", "icd10cm", "G97.1", 0.7, None)]
    assert _rows(store_path, 'SELECT mention_id, start, "end", text FROM mentions ORDER BY 1') == [
        ("m1", 34, 42, "céphalée"),
        ("m2", 51, 69, "bone marrow biopsy"),
    ]
    assert _rows(store_path, "SELECT id, age_years, sex FROM cases") == [("é-1", None, None)]


def test_adding_the_same_id_and_hash_again_writes_nothing(store_path: Path) -> None:
    case = _case()
    with DuckDBCaseStore(store_path) as store:
        store.add(case, "h1")
        (first,) = store.list()
        assert store.content_hashes(["example", "unknown"]) == {"example": "h1"}
        assert store.add(case, "h1") is AddOutcome.UNCHANGED
        assert store.list() == [first]  # not rewritten: added_at is unchanged
        assert store.count() == 1
    assert _rows(store_path, "SELECT count(*) FROM mentions") == [(2,)]


def test_a_changed_hash_replaces_the_case_and_its_rows(store_path: Path) -> None:
    old = _case()
    new = _case(text=TEXT.replace("A 29", "A 31")).model_copy(
        update={"mentions": [], "codes": [], "patient": Patient(age_years=31)}
    )
    with DuckDBCaseStore(store_path) as store:
        store.add(old, "h1")
        assert store.add(new, "h2") is AddOutcome.REPLACED
        assert store.get("example") == new
        assert store.content_hashes(["example"]) == {"example": "h2"}
        assert store.count() == 1
    assert _rows(store_path, "SELECT count(*) FROM mentions") == [(0,)]
    assert _rows(store_path, "SELECT count(*) FROM codes") == [(0,)]


def test_remove_deletes_the_case_and_its_rows(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_case("a"), "h")
        store.add(_case("b"), "h")
        store.remove("a")
        assert store.ids() == ["b"]
        with pytest.raises(CasebookError) as caught:
            store.remove("a")
        assert caught.value.code is ErrorCode.CASE_NOT_FOUND
    assert _rows(store_path, "SELECT DISTINCT case_id FROM mentions") == [("b",)]
    assert _rows(store_path, "SELECT DISTINCT case_id FROM codes") == [("b",)]


def test_count_ids_and_list_pages_sorted_by_id(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        assert store.count() == 0 and store.ids() == [] and store.list() == []
        for case_id in ("c", "a", "b"):
            store.add(_case(case_id), "h")
        assert store.count() == 3
        assert store.ids() == ["a", "b", "c"]
        assert [s.id for s in store.list(limit=2)] == ["a", "b"]
        assert [s.id for s in store.list(limit=2, offset=2)] == ["c"]
        summary = store.list(limit=1)[0]
    assert (summary.title, summary.age_years, summary.sex, summary.mentions) == (
        "Headache after biopsy",
        29.0,
        "female",
        2,
    )
    assert summary.added_at.tzinfo is not None


def test_an_unknown_id_is_a_coded_error(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store, pytest.raises(CasebookError) as caught:
        store.get("nope")
    assert caught.value.code is ErrorCode.CASE_NOT_FOUND
    assert "nope" in str(caught.value)


def test_a_store_from_a_newer_casebook_is_refused_untouched(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_case(), "h")
    newer = STORE_SCHEMA_VERSION + 1
    with duckdb.connect(str(store_path)) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(newer)])
    for read_only in (False, True):
        with pytest.raises(CasebookError) as caught:
            DuckDBCaseStore(store_path, read_only=read_only)
        assert caught.value.code is ErrorCode.STORE_ERROR
        assert "newer casebook" in caught.value.message
    assert _rows(store_path, "SELECT count(*) FROM cases") == [(1,)]


def test_a_file_that_is_not_a_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "cases.duckdb"
    junk = b"not a database at all\n" * 200
    path.write_bytes(junk)
    with pytest.raises(CasebookError) as caught:
        DuckDBCaseStore(path)
    assert caught.value.code is ErrorCode.STORE_ERROR
    assert path.read_bytes() == junk


def test_someone_elses_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE invoices (n INTEGER)")
    with pytest.raises(CasebookError) as caught:
        DuckDBCaseStore(path)
    assert caught.value.code is ErrorCode.STORE_ERROR
    assert "not a casebook case store" in caught.value.message
    assert _rows(path, "SELECT table_name FROM duckdb_tables()") == [("invoices",)]


def _hold(store_path: Path, *, read_only: bool) -> subprocess.Popen[str]:
    """Another process holding the store open until its standard input closes."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
            "print('ready', flush=True); sys.stdin.read()",
            str(store_path),
            "ro" if read_only else "rw",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)
    if holder.stdout is not None:
        holder.stdout.close()


def test_a_store_held_past_the_wait_is_a_locked_error_naming_the_holder(
    store_path: Path,
) -> None:
    DuckDBCaseStore(store_path).close()
    holder = _hold(store_path, read_only=False)
    try:
        for read_only in (False, True):
            started = time.monotonic()
            with pytest.raises(CasebookError) as caught:
                DuckDBCaseStore(store_path, read_only=read_only, wait_s=0.3)
            assert time.monotonic() - started >= 0.3
            assert caught.value.code is ErrorCode.STORE_LOCKED
            assert f"process {holder.pid}" in caught.value.message
            assert "for 0.3 s" in caught.value.message
    finally:
        _release(holder)


def test_readers_share_the_store_and_a_writer_waits_until_they_close(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_case(), "h")
    reader = _hold(store_path, read_only=True)
    try:
        with DuckDBCaseStore(store_path, read_only=True, wait_s=0) as store:
            assert store.count() == 1
        releaser = threading.Timer(0.5, _release, [reader])
        releaser.start()
        started = time.monotonic()
        with DuckDBCaseStore(store_path, wait_s=30) as store:
            waited = time.monotonic() - started
            store.add(_case("second"), "h")
        releaser.join()
    finally:
        _release(reader)
    assert 0.4 <= waited < 10
    with DuckDBCaseStore(store_path, read_only=True) as store:
        assert store.ids() == ["example", "second"]


def test_stores_open_on_one_file_in_one_process_share_it_and_leave_it_checkpointed(
    store_path: Path,
) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_case(), "h")
    counts: list[int] = []

    def count() -> None:
        with DuckDBCaseStore(store_path, read_only=True, wait_s=0) as reader:
            counts.append(reader.count())

    with DuckDBCaseStore(store_path, read_only=True) as first:
        with DuckDBCaseStore(store_path, read_only=True, wait_s=0) as second:
            assert first.count() == second.count() == 1
        threads = [threading.Thread(target=count) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert counts == [1, 1, 1, 1]
        with pytest.raises(CasebookError) as caught:
            DuckDBCaseStore(store_path, wait_s=0)
        assert caught.value.code is ErrorCode.STORE_ERROR
        assert "open to read only elsewhere in this process" in caught.value.message
        assert first.ids() == ["example"]  # the refused writer took nothing from it
    with DuckDBCaseStore(store_path) as writer, DuckDBCaseStore(store_path) as other:
        writer.add(_case("second"), "h")
        assert other.ids() == ["example", "second"]
    # Closed by the last of them: checkpointed, and free for anyone else to open.
    assert not store_path.with_name(store_path.name + ".wal").exists()
    assert _rows(store_path, "SELECT id FROM cases ORDER BY id") == [("example",), ("second",)]


def _blocks(path: Path, table: str, row_group: int) -> list[tuple[object, ...]]:
    """Where a row group's column segments lie in the file."""
    return _rows(
        path,
        "SELECT column_id, segment_id, block_id, block_offset FROM pragma_storage_info("
        f"'{table}') WHERE row_group_id = {row_group} ORDER BY column_id, segment_id",
    )


def test_batches_of_whole_row_groups_stay_as_written_while_more_are_added(
    store_path: Path,
) -> None:
    # A checkpoint rewrites every row of the row groups it merges; whole groups (what a load
    # batch writes) are left as they are.
    batches = 3
    records = [
        _record(_case(f"c{n:05d}"), "h", '{"e": 1}') for n in range(batches * ROW_GROUP_SIZE)
    ]
    written: dict[str, list[tuple[object, ...]]] = {}
    for start in range(0, len(records), ROW_GROUP_SIZE):
        with DuckDBCaseStore(store_path) as store:
            store.add_records(records[start : start + ROW_GROUP_SIZE])
        if not written:
            written = {table: _blocks(store_path, table, 0) for table in ("cases", "codes")}
    for table, blocks in written.items():
        assert _blocks(store_path, table, 0) == blocks
    sizes = _rows(
        store_path,
        "SELECT row_group_id, max(count) FROM pragma_storage_info('cases') GROUP BY 1",
    )
    assert sorted(size for _, size in sizes) == [ROW_GROUP_SIZE] * batches
    with DuckDBCaseStore(store_path, read_only=True) as store:
        assert store.count() == len(records)
        assert store.get("c02047") == _case("c02047")


def test_read_only_stores_refuse_to_write(store_path: Path) -> None:
    DuckDBCaseStore(store_path).close()
    with DuckDBCaseStore(store_path, read_only=True) as store, pytest.raises(CasebookError) as e:
        store.add(_case(), "h")
    assert e.value.code is ErrorCode.STORE_ERROR


class _FailingConnection:
    """A connection that fails the codes insert: a write that dies after its first rows."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        if sql.startswith("INSERT INTO codes"):
            raise duckdb.IOException("disk full")
        return self._con.execute(sql, parameters)

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


def test_a_failed_write_leaves_the_old_version_whole(store_path: Path) -> None:
    old = _case()
    with DuckDBCaseStore(store_path) as store:
        store.add(old, "h1")
        real = store._con
        store._con = _FailingConnection(real)  # type: ignore[assignment]
        with pytest.raises(CasebookError) as caught:
            store.add(_case(text=TEXT.replace("A 29", "A 31")), "h2")
        assert caught.value.code is ErrorCode.STORE_ERROR
        # DuckDB's own words are the detail (--debug), never the message users and clients see.
        assert "disk full" not in caught.value.message
        assert caught.value.detail == "IOException: disk full"
        with pytest.raises(CasebookError):
            store.add(_case("new"), "h")
        store._con = real
        assert store.ids() == ["example"]
        assert store.get("example") == old
        assert store.content_hashes(["example"]) == {"example": "h1"}
    assert _rows(store_path, "SELECT count(*) FROM mentions") == [(2,)]
    assert _rows(store_path, "SELECT count(*) FROM codes") == [(2,)]


def _record(case: Case, content_hash: str, entry: str | None = None) -> CaseRecord:
    return CaseRecord.of(case, content_hash, "k1" if entry else None, entry)


def test_a_batch_is_stored_as_adds_one_by_one_would(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_case("kept"), "h1")
        store.add(_case("changed"), "h1")
        outcomes = store.add_records(
            [
                _record(_case("kept"), "h1"),
                _record(_case("changed"), "h2"),
                _record(_case("new"), "h1"),
                _record(_case("new", TEXT.replace("A 29", "A 30")), "h2"),  # listed twice
                _record(_case("new", TEXT.replace("A 29", "A 30")), "h2"),
            ]
        )
        assert outcomes == [
            AddOutcome.UNCHANGED,
            AddOutcome.REPLACED,
            AddOutcome.ADDED,
            AddOutcome.REPLACED,
            AddOutcome.UNCHANGED,
        ]
        assert store.ids() == ["changed", "kept", "new"]
        assert store.content_hashes(["new"]) == {"new": "h2"}
        assert store.get("new").text.startswith("A 30")
        assert store.add_records([]) == []
    assert _rows(store_path, "SELECT case_id, count(*) FROM mentions GROUP BY 1 ORDER BY 1") == [
        ("changed", 2),
        ("kept", 2),
        ("new", 2),
    ]


def test_a_failed_batch_writes_none_of_its_cases(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_case("old"), "h1")
        real = store._con
        store._con = _FailingConnection(real)  # type: ignore[assignment]
        with pytest.raises(CasebookError) as caught:
            store.add_records([_record(_case("a"), "h"), _record(_case("old"), "h2")])
        assert caught.value.code is ErrorCode.STORE_ERROR
        store._con = real
        assert store.content_hashes(store.ids()) == {"old": "h1"}
    assert _rows(store_path, "SELECT count(*) FROM mentions") == [(2,)]


def _by_id(entries: Iterable[tuple[str, str | Case]]) -> list[tuple[str, str | Case]]:
    """A store's index entries sorted by case id: the store gives them in no set order."""
    return sorted(entries, key=lambda pair: pair[0])


def test_search_entries_are_kept_with_their_case_and_go_with_it(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add_records(
            [_record(_case("a"), "h", '{"e": "a"}'), _record(_case("b"), "h", '{"e": "b"}')]
        )
        store.add(_case("c"), "h")  # no entry
        found = _by_id(store.index_entries("k1"))
        assert found[:2] == [("a", '{"e": "a"}'), ("b", '{"e": "b"}')]
        assert found[2] == ("c", _case("c"))  # the case itself, to index now
        assert [entry for _, entry in _by_id(store.index_entries("k2"))] == [
            _case(i) for i in "abc"
        ]
        assert list(store.index_entries("k1", exclude={"a", "c"})) == [("b", '{"e": "b"}')]
        store.remove("a")
        store.add_records([_record(_case("b", TEXT + " Later."), "h2", '{"e": "b2"}')])
        assert _by_id(store.index_entries("k1")) == [("b", '{"e": "b2"}'), ("c", _case("c"))]
    assert _rows(store_path, "SELECT case_id, entry FROM search_entries") == [("b", '{"e": "b2"}')]


def test_a_version_1_store_is_read_as_it_is_and_upgraded_when_written(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add_records([_record(_case("a"), "h", '{"e": "a"}')])
    with duckdb.connect(str(store_path)) as con:  # the layout casebook wrote before entries
        con.execute("DROP TABLE search_entries")
        con.execute("ALTER TABLE cases DROP COLUMN pipeline")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    with DuckDBCaseStore(store_path, read_only=True) as store:
        assert list(store.index_entries("k1")) == [("a", _case("a"))]
    with DuckDBCaseStore(store_path) as store:
        store.add_records([_record(_case("b"), "h", '{"e": "b"}')])
        assert _by_id(store.index_entries("k1")) == [("a", _case("a")), ("b", '{"e": "b"}')]
    assert _rows(store_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(STORE_SCHEMA_VERSION),)
    ]


def _made_by(case: Case, pipeline: str | None) -> Case:
    return case.model_copy(update={"pipeline": pipeline})


def test_stale_ids_are_the_cases_another_pipeline_or_none_made(store_path: Path) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_made_by(_case("current"), "p1"), "h")
        store.add(_made_by(_case("older"), "p0"), "h")
        store.add(_made_by(_case("unrecorded"), None), "h")
        assert store.stale_ids("p1") == ["older", "unrecorded"]
        assert store.stale_ids("p0") == ["current", "unrecorded"]
        store.add(_made_by(_case("older"), "p1"), "h2")  # analysed again
        assert store.stale_ids("p1") == ["unrecorded"]
        assert store.get("older").pipeline == "p1"


def test_a_version_2_store_counts_every_case_stale_and_records_pipelines_once_written(
    store_path: Path,
) -> None:
    with DuckDBCaseStore(store_path) as store:
        store.add(_case("a"), "h")  # no case recorded its pipeline then
    with duckdb.connect(str(store_path)) as con:  # the layout casebook wrote before pipelines
        con.execute("ALTER TABLE cases DROP COLUMN pipeline")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with DuckDBCaseStore(store_path, read_only=True) as store:
        assert store.stale_ids("p1") == ["a"]
        assert store.get("a") == _case("a")
    with DuckDBCaseStore(store_path) as store:
        assert store.stale_ids("p1") == ["a"]
        store.add(_made_by(_case("b"), "p1"), "h")
        assert store.stale_ids("p1") == ["a"]
    assert _rows(store_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [
        (str(STORE_SCHEMA_VERSION),)
    ]


# -- property: any valid case comes back equal ------------------------------------------------

_KINDS = st.sampled_from(list(EntityType))
_SCORES = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def _cases(draw: st.DrawFn) -> Case:
    text = draw(st.text(min_size=1, max_size=120))
    size = len(text)

    def span() -> tuple[int, int]:
        start = draw(st.integers(0, size))
        return start, draw(st.integers(start, size))

    mentions: list[Mention] = []
    for index in range(draw(st.integers(0, 6))):
        start, end = span()
        codes = [
            Code(
                system=draw(st.sampled_from(list(CodeSystem))),
                code=draw(st.text(min_size=1, max_size=12)),
                display=draw(st.text(max_size=12)),
                score=draw(_SCORES),
            )
            for _ in range(draw(st.integers(0, 2)))
        ]
        attributes = []
        if draw(st.booleans()):
            a_start, a_end = span()
            attributes.append(
                Attribute(
                    name="site",
                    start=a_start,
                    end=a_end,
                    text=text[a_start:a_end],
                    value=draw(st.none() | st.text(max_size=8)),
                )
            )
        mentions.append(
            Mention(
                id=f"m{index}",
                start=start,
                end=end,
                text=text[start:end],
                type=draw(_KINDS),
                assertion=draw(st.sampled_from(list(Assertion))),
                codes=codes,
                attributes=attributes,
                expansion=draw(st.none() | st.text(max_size=10)),
            )
        )
    case_codes = [
        CaseCode(
            system=draw(st.sampled_from(list(CodeSystem))),
            code=draw(st.text(min_size=1, max_size=12)),
            score=draw(_SCORES),
            evidence=[
                Span(start=s, end=e) for s, e in (span() for _ in range(draw(st.integers(0, 2))))
            ],
            mentions=draw(st.lists(st.sampled_from([m.id for m in mentions]), max_size=2))
            if mentions
            else [],
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Case(
        id=draw(st.text(min_size=1, max_size=20)),
        text=text,
        title=draw(st.none() | st.text(max_size=30)),
        source=Source(
            format=draw(st.sampled_from(list(SourceFormat))),
            path=draw(st.none() | st.text(max_size=30)),
            extra=draw(st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)),
        ),
        patient=Patient(
            age_years=draw(
                st.none()
                | st.floats(min_value=0, max_value=200, allow_nan=False, allow_infinity=False)
            ),
            sex=draw(st.none() | st.sampled_from(list(Sex))),
        ),
        sentences=[
            Span(start=s, end=e) for s, e in (span() for _ in range(draw(st.integers(0, 3))))
        ],
        mentions=mentions,
        codes=case_codes,
    )


def test_any_stored_case_comes_back_equal() -> None:
    # One store for every example: function-scoped fixtures do not mix with @given.
    with tempfile.TemporaryDirectory() as folder:
        store = DuckDBCaseStore(Path(folder) / "cases.duckdb")

        @settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(_cases())
        def check(case: Case) -> None:
            digest = hashlib.sha256(case.model_dump_json().encode()).hexdigest()
            store.add(case, digest)
            assert store.get(case.id) == case
            assert store.content_hashes([case.id]) == {case.id: digest}
            summary = next(s for s in store.list() if s.id == case.id)
            assert summary.mentions == len(case.mentions)
            assert summary.age_years == case.patient.age_years

        with store:
            check()
