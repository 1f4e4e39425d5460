"""The PostgreSQL case store on a real server: the CaseStore behaviour DuckDB has, the same
rows, versioned migrations, and many writers at once that lose and duplicate nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook import service
from casebook.errors import CasebookError, ErrorCode
from casebook.model import (
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
from casebook.search.precedent import build_index
from casebook.store.base import AddOutcome, CaseRecord, CaseStore
from casebook.store_location import PostgresLocation, StoreLocation

psycopg = pytest.importorskip("psycopg")

TEXT = "A 29-year-old female had a severe headache after a bone marrow biopsy."


def _case(case_id: str, text: str = TEXT, pipeline: str | None = None) -> Case:
    start = text.index("headache")
    headache = Mention(
        id="m1",
        start=start,
        end=start + len("headache"),
        text="headache",
        type=EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.HPO, code="HP:0002315", display="Headache", score=0.9)],
    )
    return Case(
        id=case_id,
        text=text,
        title="Headache after biopsy",
        source=Source(format=SourceFormat.TEXT, path=f"{case_id}.txt"),
        patient=Patient(age_years=29, sex=Sex.FEMALE),
        sections=[Section(title="", kind="body", start=0, end=len(text))],
        sentences=[Span(start=0, end=len(text))],
        mentions=[headache],
        codes=[
            CaseCode(
                system=CodeSystem.ICD10CM,
                code="G97.1",
                score=0.7,
                evidence=[Span(start=headache.start, end=headache.end)],
                mentions=["m1"],
            )
        ],
        pipeline=pipeline,
    )


def _hash(case: Case) -> str:
    return hashlib.sha256(case.text.encode()).hexdigest()


def _record(case: Case, entry: str | None = None) -> CaseRecord:
    return CaseRecord.of(case, _hash(case), "k1" if entry else None, entry)


def _rows(location: PostgresLocation, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(location.url) as connection:
        return list(connection.execute(sql).fetchall())


@pytest.fixture(params=["duckdb", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreLocation]:
    """The same behaviour is asked of both stores."""
    if request.param == "duckdb":
        yield tmp_path / "cases.duckdb"
    else:
        yield request.getfixturevalue("postgres_store")


def test_store_urls_open_the_store_they_name(
    tmp_path: Path, postgres_store: PostgresLocation
) -> None:
    assert service.resolve_store(f"duckdb://{tmp_path}/a.duckdb") == tmp_path / "a.duckdb"
    assert service.resolve_store(str(tmp_path / "b.duckdb")) == tmp_path / "b.duckdb"
    assert service.resolve_store(postgres_store.url) == postgres_store
    with service.open_store(service.resolve_store(postgres_store.url)) as store:
        assert type(store).__name__ == "PostgresCaseStore"


def test_adds_replaces_and_removes_as_the_protocol_says(location: StoreLocation) -> None:
    a, b = _case("a"), _case("b", TEXT + " Later.", pipeline="p1")
    with service.open_store(location) as store:
        empty = store.fingerprint()
        assert store.add(a, _hash(a)) is AddOutcome.ADDED
        assert store.add(a, _hash(a)) is AddOutcome.UNCHANGED
        assert store.add_records([_record(b), _record(a)]) == [
            AddOutcome.ADDED,
            AddOutcome.UNCHANGED,
        ]
        two = store.fingerprint()
        assert two != empty
        assert store.get("a") == a and store.get_many(["b", "x", "a"]) == [b, a]
        assert store.ids() == ["a", "b"] and store.count() == 2
        assert [s.id for s in store.list(limit=1, offset=1)] == ["b"]
        assert store.list()[0].mentions == 1
        assert store.content_hashes(["b", "zz"]) == {"b": _hash(b)}
        assert store.texts(["a"]) == {"a": TEXT}
        assert store.stale_ids("p1") == ["a"]
        assert list(store.iter_cases(batch=1)) == [a, b]
        a2 = _case("a", TEXT + " Again.")
        assert store.add(a2, _hash(a2)) is AddOutcome.REPLACED
        assert store.get("a") == a2 and store.fingerprint() != two
        replaced = store.fingerprint()
        assert store.remove("a") == (replaced, store.fingerprint())
        with pytest.raises(CasebookError) as missing:
            store.get("a")
        assert missing.value.code is ErrorCode.CASE_NOT_FOUND
        with pytest.raises(CasebookError):
            store.remove("a")
        assert store.ids() == ["b"]


def test_search_entries_stream_and_go_with_their_case(location: StoreLocation) -> None:
    with service.open_store(location) as store:
        store.add_records([_record(_case("b"), '{"e": "b"}'), _record(_case("a"), '{"e": "a"}')])
        store.add(_case("c"), "h")
    with service.open_store(location, read_only=True) as store:
        # In no set order: the index sorts them.
        assert sorted(store.index_entries("k1"), key=lambda pair: pair[0]) == [
            ("a", '{"e": "a"}'),
            ("b", '{"e": "b"}'),
            ("c", _case("c")),
        ]
        assert list(store.index_entries("k1", exclude={"a", "c"})) == [("b", '{"e": "b"}')]
    with service.open_store(location) as store:
        store.remove("a")
        assert sorted(i for i, _ in store.index_entries("k1")) == ["b", "c"]


def test_ids_sort_byte_by_byte_in_both_stores(location: StoreLocation) -> None:
    ids = ["b", "B", "a-2", "a_1", "a10", "a9", "é", "Z"]
    with service.open_store(location) as store:
        store.add_records([_record(_case(i)) for i in ids])
        assert store.ids() == sorted(ids)
        # The search index, which breaks ties by position, holds them in the same order.
        assert build_index(store).ids == tuple(sorted(ids))


def test_a_nul_character_round_trips_in_the_case(location: StoreLocation) -> None:
    case = _case("nul", TEXT + " \x00 end")
    case = case.model_copy(update={"title": "a\x00b"})
    with service.open_store(location) as store:
        assert store.add(case, "h") is AddOutcome.ADDED
        assert store.get("nul") == case
        assert store.texts(["nul"]) == {"nul": case.text}


def test_the_postgres_rows_are_those_of_the_case(postgres_store: PostgresLocation) -> None:
    with service.open_store(postgres_store) as store:
        store.add_records([_record(_case("a"), '{"e": "a"}')])
        store.add_records([_record(_case("a", TEXT + " Again."), '{"e": "a2"}')])
    assert _rows(postgres_store, "SELECT case_id, mention_id, text FROM mentions") == [
        ("a", "m1", "headache")
    ]
    assert sorted(_rows(postgres_store, "SELECT case_id, code FROM codes")) == [
        ("a", "G97.1"),
        ("a", "HP:0002315"),
    ]
    assert _rows(postgres_store, "SELECT entry FROM search_entries") == [('{"e": "a2"}',)]


def test_a_read_only_store_reads_one_snapshot(postgres_store: PostgresLocation) -> None:
    with service.open_store(postgres_store) as writer:
        writer.add(_case("a"), "h")
        with service.open_store(postgres_store, read_only=True) as reader:
            before = reader.fingerprint()
            writer.add(_case("b"), "h")
            # What it reads after the write still describes the cases it fingerprinted.
            assert reader.fingerprint() == before
            assert [i for i, _ in reader.index_entries("k1")] == ["a"]
            with pytest.raises(CasebookError):
                reader.add(_case("c"), "h")
        with service.open_store(postgres_store, read_only=True) as later:
            assert later.ids() == ["a", "b"] and later.fingerprint() != before


def test_migrations_are_versioned_and_applied_once(postgres_store: PostgresLocation) -> None:
    from casebook.store.postgres import SCHEMA_VERSION

    with pytest.raises(CasebookError) as empty:
        service.open_store(postgres_store, read_only=True)
    assert "casebook store migrate" in empty.value.message
    applied = service.migrate_store(postgres_store)
    assert [m.version for m in applied] == list(range(1, SCHEMA_VERSION + 1))
    assert service.migrate_store(postgres_store) == []
    assert _rows(postgres_store, "SELECT version FROM casebook_schema_migrations") == [
        (v,) for v in range(1, SCHEMA_VERSION + 1)
    ]
    with service.open_store(postgres_store, read_only=True) as store:
        assert store.count() == 0


def test_a_store_from_a_newer_casebook_is_refused(postgres_store: PostgresLocation) -> None:
    service.migrate_store(postgres_store)
    with psycopg.connect(postgres_store.url) as connection:
        connection.execute(
            "INSERT INTO casebook_schema_migrations (version, description) VALUES (999, 'x')"
        )
    for read_only in (True, False):
        with pytest.raises(CasebookError) as refused:
            service.open_store(postgres_store, read_only=read_only)
        assert "newer casebook" in refused.value.message
    with pytest.raises(CasebookError):
        service.migrate_store(postgres_store)


def test_a_failed_batch_writes_none_of_its_cases(postgres_store: PostgresLocation) -> None:
    with service.open_store(postgres_store) as store:
        store.add(_case("old"), "h1")
        bad = _record(_case("bad"))
        # A mention offset past PostgreSQL's INTEGER: the COPY of the mentions fails.
        broken = dataclasses.replace(bad, mentions=(("m1", 0, 2**40, "x", "present", "x"),))
        with pytest.raises(CasebookError) as caught:
            store.add_records([_record(_case("new")), broken])
        assert caught.value.code is ErrorCode.STORE_ERROR
        assert store.ids() == ["old"]
    assert _rows(postgres_store, "SELECT count(*) FROM mentions") == [(1,)]


def test_an_unreachable_server_is_a_coded_error_without_the_password() -> None:
    location = PostgresLocation("postgresql://someone:secret@127.0.0.1:1/nothing")
    with pytest.raises(CasebookError) as caught:
        service.open_store(location, wait_s=1)
    assert caught.value.code is ErrorCode.STORE_ERROR
    assert "secret" not in str(caught.value) and "***" in str(caught.value)


def test_a_writer_waits_for_another_writer_of_the_same_case(
    postgres_store: PostgresLocation,
) -> None:
    service.migrate_store(postgres_store)
    store: CaseStore
    with psycopg.connect(postgres_store.url) as holder:
        from casebook.store.postgres import _lock_key

        holder.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key("a")])
        with service.open_store(postgres_store, wait_s=0.5) as store:
            with pytest.raises(CasebookError) as locked:
                store.add(_case("a"), "h")
            assert locked.value.code is ErrorCode.STORE_LOCKED
            assert store.add(_case("b"), "h") is AddOutcome.ADDED
        holder.rollback()
    with service.open_store(postgres_store) as store:
        assert store.add(_case("a"), "h") is AddOutcome.ADDED


def _generation(location: PostgresLocation) -> int:
    return int(str(_rows(location, "SELECT generation FROM casebook_store_state")[0][0]))


def test_the_fingerprint_changes_with_each_committed_change_and_only_then(
    postgres_store: PostgresLocation,
) -> None:
    a, a2 = _case("a"), _case("a", TEXT + " Again.")
    with service.open_store(postgres_store) as store:
        empty = store.fingerprint()
        assert store.fingerprint() == empty
        store.add(a, _hash(a))
        added = store.fingerprint()
        assert store.add(a, _hash(a)) is AddOutcome.UNCHANGED
        assert store.fingerprint() == added != empty
        store.add(a2, _hash(a2))
        replaced = store.fingerprint()
        assert replaced != added
        with pytest.raises(CasebookError):
            store.remove("missing")
        broken = dataclasses.replace(
            _record(_case("bad")), mentions=(("m1", 0, 2**40, "x", "present", "x"),)
        )
        with pytest.raises(CasebookError):
            store.add_records([_record(_case("new")), broken])
        assert store.fingerprint() == replaced
        store.add(_case("b"), "h")
        store.remove("a")
        removed = store.fingerprint()
        assert len({empty, added, replaced, removed}) == 4
        # Any client's write counts, and only once it commits: until then a reader sees
        # neither the new rows nor a new fingerprint.
        with psycopg.connect(postgres_store.url) as other:
            other.execute("UPDATE cases SET title = 'edited' WHERE id = 'b'")
            assert store.fingerprint() == removed and store.get("b").title != "edited"
            other.commit()
        assert store.fingerprint() != removed


def _waiting_for_locks(location: PostgresLocation, count: int) -> None:
    """Wait until ``count`` sessions wait for a lock."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = _rows(
            location, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        )
        if rows[0][0] == count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{count} sessions never waited for a lock")


def test_a_removal_reports_the_fingerprints_around_it_whoever_else_commits(
    postgres_store: PostgresLocation,
) -> None:
    """A writer whose commit queues behind a removal lands after the fingerprint the removal
    reports: an index stamped with it is seen to lack that writer's change."""
    with service.open_store(postgres_store) as store:
        store.add(_case("a"), "h")
        store.add(_case("b"), "h")
        start = _generation(postgres_store)
        removal: list[tuple[str, str]] = []
        with (
            psycopg.connect(postgres_store.url) as gate,
            psycopg.connect(postgres_store.url) as other,
        ):
            # The gate holds the change counter, so the removal and then the other writer's
            # commit queue for it, in that order.
            gate.execute("SELECT generation FROM casebook_store_state FOR UPDATE")
            other.execute("UPDATE cases SET title = 'edited' WHERE id = 'a'")
            removing = threading.Thread(target=lambda: removal.append(store.remove("b")))
            removing.start()
            _waiting_for_locks(postgres_store, 1)
            committing = threading.Thread(target=other.commit)
            committing.start()
            _waiting_for_locks(postgres_store, 2)
            gate.rollback()
            removing.join()
            committing.join()
        before, after = removal[0]
        assert before.endswith(f"-{start}") and after.endswith(f"-{start + 1}")
        assert _generation(postgres_store) == start + 2
        assert store.fingerprint() != after


_WRITER = """
import sys
from casebook import service
from casebook.model import Case

with service.open_store(service.resolve_store(sys.argv[1])) as store:
    for line in sys.stdin:
        case = Case.model_validate_json(line)
        store.add(case, "h-" + case.id)
"""


def test_writers_in_other_processes_each_change_the_fingerprint(
    postgres_store: PostgresLocation,
) -> None:
    with service.open_store(postgres_store) as store:
        store.add(_case("first"), "h")
        before = store.fingerprint()
        counted = _generation(postgres_store)
        # Three processes at once, each storing five cases one transaction at a time.
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", _WRITER, postgres_store.url],
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[3] / "src")},
            )
            for _ in range(3)
        ]
        for number, writer in enumerate(writers):
            lines = "".join(_case(f"w{number}-{i}").model_dump_json() + "\n" for i in range(5))
            _, stderr = writer.communicate(lines, timeout=300)
            assert writer.returncode == 0, stderr
        assert store.fingerprint() != before
        assert store.count() == 16
    # No change was lost to another: one count per transaction.
    assert _generation(postgres_store) == counted + 15


def test_a_database_made_again_at_the_same_url_is_not_searched_with_the_old_index(
    postgres_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casebook.search.precedent import store_index

    monkeypatch.setenv("CASEBOOK_CACHE", str(tmp_path))
    name = f"casebook_again_{os.getpid()}"
    location = PostgresLocation(postgres_server.rsplit("/", 1)[0] + f"/{name}")
    indexed = []
    for case_id in ("first", "second"):
        with psycopg.connect(postgres_server, autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            server.execute(f"CREATE DATABASE {name}")
        with service.open_store(location) as store:
            store.add(_case(case_id), "h")
        # The same count of changes in both: only the store's id tells them apart.
        assert _generation(location) == 1
        index = store_index(location, lambda: service.open_store(location, read_only=True))
        indexed.append(index.ids)
    assert indexed == [("first",), ("second",)]


def test_a_version_1_store_keeps_its_cases_when_migrated(postgres_store: PostgresLocation) -> None:
    from casebook.store.postgres import _MIGRATIONS_TABLE, MIGRATIONS

    stored = _case("a")
    record = _record(stored, '{"e": "a"}')
    # What casebook left in a database before the schema had version 2.
    with psycopg.connect(postgres_store.url) as connection:
        connection.execute(_MIGRATIONS_TABLE)
        for statement in MIGRATIONS[0].statements:
            connection.execute(statement)
        connection.execute(
            "INSERT INTO casebook_schema_migrations (version, description) VALUES (1, 'v1')"
        )
        connection.execute(
            "INSERT INTO cases (id, content_hash, source_format, added_at, case_json, pipeline) "
            "VALUES (%s, %s, %s, now(), %s, %s)",
            [record.id, record.content_hash, record.source_format, record.case_json, None],
        )
        connection.execute(
            "INSERT INTO search_entries (case_id, key, entry) VALUES ('a', 'k1', %s)",
            [record.index_entry],
        )
    for read_only in (True, False):
        with pytest.raises(CasebookError) as older:
            service.open_store(postgres_store, read_only=read_only)
        assert "schema version 1" in older.value.message
        assert "casebook store migrate" in older.value.message
    assert [m.version for m in service.migrate_store(postgres_store)] == [2]
    with service.open_store(postgres_store) as store:
        assert store.get("a") == stored
        assert list(store.index_entries("k1")) == [("a", '{"e": "a"}')]
        before = store.fingerprint()
        store.add(_case("b"), "h")
        assert store.fingerprint() != before and store.ids() == ["a", "b"]
