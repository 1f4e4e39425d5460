"""A case store in one embedded DuckDB file.

Each case is one row of ``cases`` holding its full JSON (the system of record) plus the
columns a listing needs; its mentions and codes are copied into ``mentions`` and ``codes`` so
that search can query them with SQL. Beside them, ``search_entries`` keeps each case's
entry in the search index, so that the index is built without reading cases again. A case and
its rows are written in one transaction (``casebook add`` writes a batch of whole cases in
one), so a crash leaves either the whole case or none of it.

DuckDB lets one process at a time open a file for writing, and none may read it meanwhile (nor
write it while others read). So every user of the store holds it briefly, opening it per
call or per committed batch and closing it at once, and an open that finds the file taken
tries again for up to ``wait_s`` seconds before giving up with ``CB-E016``.

The file is attached to an in-memory DuckDB database with row groups of ``ROW_GROUP_SIZE``
rows; the stores open on one file in one process share that attachment.
"""

from __future__ import annotations

import builtins
import contextlib
import random
import re
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Self

import duckdb
import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.model import Case
from casebook.store.base import AddOutcome, CaseRecord, CaseSummary

STORE_SCHEMA_VERSION = 3
"""The version of the table layout below; bump it (and add a migration) when it changes.

Version 2 added ``search_entries``; version 3 ``cases.pipeline``.
"""

_SEARCH_ENTRIES = """CREATE TABLE search_entries (
        case_id VARCHAR NOT NULL,
        key VARCHAR NOT NULL,
        entry VARCHAR NOT NULL
    )"""
"""A case's entry in the search index, and what built it (deleted with the case)."""

_PIPELINE_COLUMN = "ALTER TABLE cases ADD COLUMN pipeline VARCHAR"
"""The fingerprint of the pipeline that made a case (``Case.pipeline``); NULL when the case
records none. Last, so that a store upgraded by adding it has the columns in the same order."""

_CHILD_TABLES = ("mentions", "codes", "search_entries")

_SCHEMA = (
    "CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    """CREATE TABLE cases (
        id VARCHAR PRIMARY KEY,
        content_hash VARCHAR NOT NULL,
        title VARCHAR,
        age_years DOUBLE,
        sex VARCHAR,
        source_format VARCHAR NOT NULL,
        source_path VARCHAR,
        added_at TIMESTAMP NOT NULL,
        case_json VARCHAR NOT NULL,
        pipeline VARCHAR
    )""",
    # No keys or indexes on the child tables: DuckDB's indexes slow bulk inserts and the rows
    # are only ever deleted per case, which a scan handles.
    """CREATE TABLE mentions (
        case_id VARCHAR NOT NULL,
        mention_id VARCHAR NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        type VARCHAR NOT NULL,
        assertion VARCHAR NOT NULL,
        text VARCHAR NOT NULL
    )""",
    # mention_id is NULL for the case-level codes of Case.codes.
    """CREATE TABLE codes (
        case_id VARCHAR NOT NULL,
        system VARCHAR NOT NULL,
        code VARCHAR NOT NULL,
        score DOUBLE NOT NULL,
        mention_id VARCHAR
    )""",
    _SEARCH_ENTRIES,
)

CHECKPOINT_AT = "64MB"
"""Write-ahead log size at which DuckDB folds the log into the file (its default is 16 MB).

``casebook add`` appends about 70 kB per case. Checkpointing less often than DuckDB's default
costs the one writing process less per case; a larger threshold than this saves little more
and leaves more of the log to fold when the store closes, after the workers are done
(BENCHMARKS.md). A store closed normally is always checkpointed;
after a crash DuckDB replays the log when the file is next opened.
"""

ROW_GROUP_SIZE = 2048
"""Rows per row group in every table of the store (DuckDB's default is 122,880; DuckDB takes
multiples of 2,048).

A checkpoint merges a table's last row groups whenever they fit in fewer, rewriting every row
they hold, and a group written at the end is merged again each time the rows after it double
it. With DuckDB's size, each case's JSON was decompressed and compressed again about eight
times while its group filled, and the last merges held the store (a ``load`` closing a batch)
longer than a reader waits. With this size a merge rewrites at most one small group, and a
``load`` batch of a multiple of it fills whole groups that no checkpoint rewrites. DuckDB
takes it when the file is attached, not from the file: row groups an earlier casebook wrote
larger stay as they are, and are never merged. A writer that attaches the file with DuckDB's
size (an earlier casebook, the DuckDB shell) merges the small groups into large ones at its
first checkpoint, rewriting most of the file while it holds it.
"""

MEMORY_LIMIT = "256MB"
"""The most memory DuckDB takes for one store file, its buffer pool included."""

CONNECTION_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "checkpoint_threshold": CHECKPOINT_AT,
    # A store path is never a reason to reach the network or load code: DuckDB would otherwise
    # download and load the SQLite extension to open a SQLite file given as the store.
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    # DuckDB's buffer pool would otherwise grow to 80% of the machine's memory, caching every
    # page a load writes or an index build reads. Nothing the store does needs more: it
    # writes in batches and reads the search entries as they lie, with no sort or large join.
    "memory_limit": MEMORY_LIMIT,
}
"""Settings of every connection the store opens."""

DUCKDB_MAGIC = b"DUCK"
"""Bytes 8 to 12 of every DuckDB database file."""

_SQLITE_MAGIC = b"SQLite format 3\x00"

MAX_ROWS = 2**62
"""The largest ``limit`` or ``offset`` passed to DuckDB; larger ones mean the same."""

_LOCK_PID = re.compile(r"PID (\d+)")

STORE_WAIT_S = 30.0
"""How long opening the store waits, by default, for another process to release it.

A writer holds the file for one batch's commit and the checkpoint that folds it into the file
at close; a reader for one query, or for reading the search entries when it builds an index.
"""

_RETRY_FIRST_S = 0.005
_RETRY_MOST_S = 0.1
"""The pause between two tries to open a taken store: doubling from the first to the most, so
that a short hold costs a reader little and a long one is not polled in a busy loop."""

_ROWS = "casebook_rows"
"""The name under which ``_insert_columns`` shows DuckDB the rows it inserts."""

_ALIAS = "casebook_store"
"""The name the store file is attached under."""


@dataclass
class _Attachment:
    """A store file attached in this process, and how many open stores use it."""

    connection: duckdb.DuckDBPyConnection
    read_only: bool
    users: int = 0


_attachments: dict[Path, _Attachment] = {}
"""The store files attached in this process, by resolved path.

DuckDB attaches a file once per process, so the stores open on one file at a time (the
server's request threads) share its attachment, each with a cursor of its own, as they would
share the database that ``duckdb.connect`` caches per file. It is detached, and so
checkpointed, when the last of them closes.
"""

_attachments_lock = threading.Lock()


def _strings(values: Sequence[str | None]) -> npt.NDArray[np.object_]:
    """Strings (None for NULL) as a numpy array DuckDB reads as VARCHAR."""
    return np.array(values, dtype=object)


def _is_lock_conflict(error: duckdb.Error) -> bool:
    """Whether opening failed because another process holds the file."""
    return "lock" in str(error).lower()


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


class DuckDBCaseStore:
    """A ``CaseStore`` kept in one DuckDB file, created (with its folder) when missing.

    Args:
        path: The database file.
        read_only: Open without the right to write, so that several readers can share the
            file; the file must already be a case store.
        wait_s: How long to keep trying while another process holds the file.

    Raises:
        CasebookError: ``CB-E016`` when another process still holds the file (for writing,
            or for reading when this one would write) after ``wait_s``; ``CB-E015`` when the
            file is not a DuckDB database, not a case store, or a case store written by a newer
            casebook. The file is never modified or deleted then.
    """

    def __init__(
        self, path: Path, *, read_only: bool = False, wait_s: float = STORE_WAIT_S
    ) -> None:
        self.path = path
        self.read_only = read_only
        self._has_entries = True
        self._has_pipeline = True
        self._key = path.resolve()
        self._open = False
        self._refuse_foreign_file()
        if not read_only:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CasebookError(
                    ErrorCode.STORE_ERROR,
                    f"cannot create the store's folder: {exc.strerror or type(exc).__name__}",
                    path,
                ) from exc
        self._con = self._connect(wait_s)
        self._open = True
        try:
            self._prepare_schema()
        except BaseException:
            self.close()
            raise

    def _refuse_foreign_file(self) -> None:
        """Refuse a file that is not a DuckDB database before DuckDB opens it.

        DuckDB opens some other formats through extensions (a SQLite file, for one); a case
        store is only ever a DuckDB file.
        """
        try:
            with self.path.open("rb") as handle:
                head = handle.read(16)
        except (FileNotFoundError, IsADirectoryError):
            return  # A new store, or a folder: DuckDB's own error names it.
        except OSError as exc:
            raise CasebookError(
                ErrorCode.STORE_ERROR,
                f"cannot read the store file: {exc.strerror or type(exc).__name__}",
                self.path,
            ) from exc
        if not head or head[8:12] == DUCKDB_MAGIC:
            return
        kind = "a SQLite database" if head.startswith(_SQLITE_MAGIC) else "not a DuckDB database"
        raise CasebookError(
            ErrorCode.STORE_ERROR,
            f"the file is {kind}, not a case store; it was left untouched — "
            "move it away or pass another --store",
            self.path,
        )

    def _connect(self, wait_s: float) -> duckdb.DuckDBPyConnection:
        """Open the file, trying again while another process holds it, up to ``wait_s``."""
        deadline = time.monotonic() + wait_s
        pause = _RETRY_FIRST_S
        while True:
            try:
                return self._attach()
            except duckdb.Error as exc:
                left = deadline - time.monotonic()
                if not _is_lock_conflict(exc) or left <= 0:
                    raise self._open_error(exc, wait_s) from exc
            # Jitter, so that processes waiting on each other do not retry in step.
            time.sleep(min(left, pause * random.uniform(0.5, 1.0)))
            pause = min(2 * pause, _RETRY_MOST_S)

    def _attach(self) -> duckdb.DuckDBPyConnection:
        """A connection of this store's own to the file, attached in this process if it is
        not yet (see ``_attachments``).

        Raises:
            duckdb.Error: When DuckDB cannot attach the file (another process holds it).
            CasebookError: ``CB-E015`` when this process has the file open otherwise (to
                write, when this store would read only, or the other way round).
        """
        with _attachments_lock:
            attached = _attachments.get(self._key)
            if attached is None:
                connection = duckdb.connect(config=CONNECTION_CONFIG)
                path = str(self.path).replace("'", "''")
                options = f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}" + (
                    ", READ_ONLY" if self.read_only else ""
                )
                try:
                    connection.execute(f"ATTACH '{path}' AS {_ALIAS} ({options})")
                except BaseException:
                    connection.close()
                    raise
                attached = _Attachment(connection, self.read_only)
                _attachments[self._key] = attached
            elif attached.read_only != self.read_only:
                held = "to read only" if attached.read_only else "to write"
                raise CasebookError(
                    ErrorCode.STORE_ERROR,
                    f"the case store is open {held} elsewhere in this process; "
                    "close it there first",
                    self.path,
                )
            cursor = attached.connection.cursor()
            attached.users += 1
        try:
            cursor.execute(f"USE {_ALIAS}")
        except BaseException:
            self._release(cursor)
            raise
        return cursor

    def _release(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Close this store's connection; detach the file when no other store uses it."""
        connection.close()
        with _attachments_lock:
            attached = _attachments[self._key]
            attached.users -= 1
            if attached.users == 0:
                del _attachments[self._key]
                attached.connection.close()

    def _open_error(self, exc: duckdb.Error, wait_s: float) -> CasebookError:
        message = str(exc)
        if _is_lock_conflict(exc):
            held = _LOCK_PID.search(message)
            by = f" (process {held.group(1)})" if held else ""
            return CasebookError(
                ErrorCode.STORE_LOCKED,
                f"the case store stayed in use by another process{by} for {wait_s:g} s; "
                "try again when it is done, or stop it",
                self.path,
            )
        if "not a valid duckdb database" in message.lower():
            return CasebookError(
                ErrorCode.STORE_ERROR,
                "the file is not a DuckDB database (corrupt, or something else); "
                "it was left untouched — move it away or pass another --store",
                self.path,
            )
        return CasebookError(
            ErrorCode.STORE_ERROR,
            "cannot open the case store",
            self.path,
            detail=library_detail(exc),
        )

    def _fail(self, exc: BaseException, doing: str) -> NoReturn:
        raise CasebookError(
            ErrorCode.STORE_ERROR, f"{doing} failed", self.path, detail=library_detail(exc)
        ) from exc

    def _prepare_schema(self) -> None:
        """Create the tables in a new file; check the version of an existing store."""
        try:
            tables = {
                str(row[0])
                for row in self._con.execute(
                    "SELECT table_name FROM duckdb_tables() "
                    "WHERE database_name = current_database() AND schema_name = 'main'"
                ).fetchall()
            }
        except duckdb.Error as exc:
            self._fail(exc, "reading the store's tables")
        if "meta" not in tables:
            # Only an empty database becomes a store: tables we did not write mean the file is
            # someone else's, and writing into it could damage their data.
            if tables:
                raise CasebookError(
                    ErrorCode.STORE_ERROR,
                    "the file is a DuckDB database but not a casebook case store "
                    f"(it holds {', '.join(sorted(tables))}); it was left untouched",
                    self.path,
                )
            if self.read_only:
                raise CasebookError(
                    ErrorCode.STORE_ERROR,
                    "the file is an empty database, not a case store",
                    self.path,
                )
            with self._transaction("creating the store"):
                for statement in _SCHEMA:
                    self._con.execute(statement)
                self._con.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", [str(STORE_SCHEMA_VERSION)]
                )
            return
        try:
            row = self._con.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except duckdb.Error as exc:
            self._fail(exc, "reading the store's schema version")
        version = str(row[0]) if row else ""
        if not version.isdigit():
            raise CasebookError(
                ErrorCode.STORE_ERROR,
                f"the store's schema version {version or '(missing)'!r} is not a number; "
                "the file is not a casebook case store",
                self.path,
            )
        if int(version) > STORE_SCHEMA_VERSION:
            raise CasebookError(
                ErrorCode.STORE_ERROR,
                f"the case store was written by a newer casebook (store schema version "
                f"{version}; this casebook reads version {STORE_SCHEMA_VERSION}); "
                "upgrade casebook to use it",
                self.path,
            )
        if int(version) < STORE_SCHEMA_VERSION:
            # A store opened read-only keeps its layout: without search entries (version 1)
            # its cases are indexed from their JSON; without pipelines (before version 3)
            # every case counts as made by another pipeline, as none recorded one then.
            if self.read_only:
                self._has_entries = int(version) >= 2
                self._has_pipeline = False
                return
            with self._transaction(f"upgrading the store to schema version {STORE_SCHEMA_VERSION}"):
                if int(version) < 2:
                    self._con.execute(_SEARCH_ENTRIES)
                self._con.execute(_PIPELINE_COLUMN)
                self._con.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'",
                    [str(STORE_SCHEMA_VERSION)],
                )

    @contextmanager
    def _transaction(self, doing: str) -> Iterator[None]:
        """Run the block in one transaction: committed whole, or rolled back on any error."""
        try:
            self._con.begin()
        except duckdb.Error as exc:
            self._fail(exc, doing)
        try:
            yield
            self._con.commit()
        except BaseException as exc:
            # The rollback may itself fail (a closed connection); the original error matters.
            with suppress(duckdb.Error):
                self._con.rollback()
            if isinstance(exc, duckdb.Error):
                self._fail(exc, doing)
            raise

    def _query(self, sql: str, parameters: Sequence[Any] = (), *, doing: str) -> list[Any]:
        try:
            return self._con.execute(sql, list(parameters)).fetchall()
        except duckdb.Error as exc:
            self._fail(exc, doing)

    def add(self, case: Case, content_hash: str) -> AddOutcome:
        """Store a case unless the same id with the same content hash is already stored.

        The case row, its mentions and its codes replace any earlier version in one
        transaction.

        Args:
            case: The analysed case.
            content_hash: A hash of what the case was analysed from.

        Raises:
            CasebookError: ``CB-E015`` when the write fails; nothing of the case is written.
        """
        return self.add_records([CaseRecord.of(case, content_hash)])[0]

    def add_records(self, records: Sequence[CaseRecord]) -> builtins.list[AddOutcome]:
        """Store prepared cases in one transaction: all of them, or none on failure.

        Each record is handled as ``add`` handles a case, in order (an id given twice is
        stored once, the later version replacing the earlier). Writing many cases in one
        transaction, with one INSERT per table, is what lets ``casebook add`` keep up with
        its workers: a transaction per case would make the writer wait on every commit.

        Returns:
            What happened to each record, in order.

        Raises:
            CasebookError: ``CB-E015`` when the write fails; nothing of the batch is written.
        """
        if not records:
            return []
        # Naive UTC: DuckDB's TIMESTAMP has no zone, and TIMESTAMPTZ would need pytz to read.
        added_at = datetime.now(UTC).replace(tzinfo=None)
        doing = f"storing case {records[0].id!r}" if len(records) == 1 else "storing cases"
        with self._transaction(doing):
            stored: dict[str, str] = dict(
                self._con.execute(
                    "SELECT id, content_hash FROM cases WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                    [sorted({r.id for r in records})],
                ).fetchall()
            )
            outcomes: builtins.list[AddOutcome] = []
            pending: dict[str, CaseRecord] = {}
            for record in records:
                current = pending.get(record.id)
                known = current.content_hash if current else stored.get(record.id)
                if known == record.content_hash:
                    outcomes.append(AddOutcome.UNCHANGED)
                    continue
                outcomes.append(AddOutcome.ADDED if known is None else AddOutcome.REPLACED)
                pending[record.id] = record
            replaced = [case_id for case_id in pending if case_id in stored]
            if replaced:
                for table, key in (*((t, "case_id") for t in _CHILD_TABLES), ("cases", "id")):
                    self._con.execute(
                        f"DELETE FROM {table} WHERE {key} IN (SELECT unnest(?::VARCHAR[]))",
                        [replaced],
                    )
            if pending:
                self._insert(builtins.list(pending.values()), added_at)
        return outcomes

    def _insert(self, records: Sequence[CaseRecord], added_at: datetime) -> None:
        """Insert new cases with their rows, one INSERT per table (not ``executemany``, which
        runs one statement per row)."""
        self._insert_columns(
            "cases",
            _strings([r.id for r in records]),
            _strings([r.content_hash for r in records]),
            _strings([r.title for r in records]),
            np.array([r.age_years for r in records], dtype=np.float64),  # None: NaN: NULL
            _strings([r.sex for r in records]),
            _strings([r.source_format for r in records]),
            _strings([r.source_path for r in records]),
            np.full(len(records), added_at, dtype="datetime64[us]"),
            _strings([r.case_json for r in records]),
            _strings([r.pipeline for r in records]),
        )
        mentions = [(r.id, *m) for r in records for m in r.mentions]
        if mentions:
            case_ids, mention_ids, starts, ends, types, assertions, texts = zip(
                *mentions, strict=True
            )
            self._insert_columns(
                "mentions",
                _strings(case_ids),
                _strings(mention_ids),
                np.array(starts, dtype=np.int32),
                np.array(ends, dtype=np.int32),
                _strings(types),
                _strings(assertions),
                _strings(texts),
            )
        codes = [(r.id, *c) for r in records for c in r.codes]
        if codes:
            case_ids, systems, values, scores, mention_ids = zip(*codes, strict=True)
            self._insert_columns(
                "codes",
                _strings(case_ids),
                _strings(systems),
                _strings(values),
                np.array(scores, dtype=np.float64),
                _strings(mention_ids),
            )
        entries = [
            (r.id, r.index_key, r.index_entry)
            for r in records
            if r.index_key is not None and r.index_entry is not None
        ]
        if entries:
            self._insert_columns(
                "search_entries", *(_strings(column) for column in zip(*entries, strict=True))
            )

    def _insert_columns(self, table: str, *columns: npt.NDArray[Any]) -> None:
        """Insert rows given as one array per column, in the table's column order.

        DuckDB reads numpy arrays faster than lists bound as parameters, and a case brings
        about 180 rows (its own, its mentions' and its codes'). A float array's NaN reads as
        NULL (the case model allows no NaN where the store keeps a float).
        """
        self._con.register(_ROWS, {f"c{i}": column for i, column in enumerate(columns)})
        try:
            self._con.execute(f"INSERT INTO {table} SELECT * FROM {_ROWS}")
        finally:
            self._con.unregister(_ROWS)

    def get(self, case_id: str) -> Case:
        """The stored case with this id.

        Raises:
            CasebookError: ``CB-E014`` when no case has that id; ``CB-E015`` when the stored
                JSON no longer validates as a case.
        """
        rows = self._query(
            "SELECT case_json FROM cases WHERE id = ?", [case_id], doing="reading a case"
        )
        if not rows:
            raise CasebookError(ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", self.path)
        return self._validate(case_id, rows[0][0])

    def remove(self, case_id: str) -> tuple[str, str]:
        """Delete the case with this id, its mentions and its codes, in one transaction.

        Returns:
            The store's fingerprint before and after; a DuckDB file has one writer, this
            connection, so nothing else changes it between the two.

        Raises:
            CasebookError: ``CB-E014`` when no case has that id.
        """
        before = self.fingerprint()
        with self._transaction(f"removing case {case_id!r}"):
            found = self._con.execute("SELECT 1 FROM cases WHERE id = ?", [case_id]).fetchone()
            if found is None:
                raise CasebookError(
                    ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", self.path
                )
            for table, key in (*((t, "case_id") for t in _CHILD_TABLES), ("cases", "id")):
                self._con.execute(f"DELETE FROM {table} WHERE {key} = ?", [case_id])
        return before, self.fingerprint()

    def ids(self) -> builtins.list[str]:
        """Every stored case id, sorted."""
        return [row[0] for row in self._query("SELECT id FROM cases ORDER BY id", doing="listing")]

    def count(self) -> int:
        """How many cases are stored."""
        return int(self._query("SELECT count(*) FROM cases", doing="counting cases")[0][0])

    def list(self, limit: int | None = None, offset: int = 0) -> builtins.list[CaseSummary]:
        """Summaries of stored cases sorted by id, ``limit`` of them (all when None) from
        ``offset`` on."""
        # Past the largest BIGINT DuckDB cannot take the number; any count that large means
        # "all" (limit) or "none" (offset), so the values are capped there.
        offset = min(offset, MAX_ROWS)
        page = "LIMIT ? OFFSET ?" if limit is not None else "OFFSET ?"
        parameters = [min(limit, MAX_ROWS), offset] if limit is not None else [offset]
        rows = self._query(
            "SELECT c.id, c.title, c.age_years, c.sex, "
            "(SELECT count(*) FROM mentions m WHERE m.case_id = c.id), c.added_at "
            f"FROM cases c ORDER BY c.id {page}",
            parameters,
            doing="listing cases",
        )
        return [
            CaseSummary(
                id=row[0],
                title=row[1],
                age_years=row[2],
                sex=row[3],
                mentions=int(row[4]),
                added_at=row[5].replace(tzinfo=UTC),
            )
            for row in rows
        ]

    def content_hashes(self, case_ids: Sequence[str]) -> dict[str, str]:
        """The content hash of each of these ids that is stored (one query for them all)."""
        rows = self._query(
            "SELECT id, content_hash FROM cases WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [builtins.list(dict.fromkeys(case_ids))],
            doing="looking up cases",
        )
        return dict(rows)

    def texts(self, case_ids: Sequence[str]) -> dict[str, str]:
        """The text of each of these ids that is stored (one query for them all)."""
        rows = self._query(
            "SELECT id, json_extract_string(case_json, '$.text') FROM cases "
            "WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [builtins.list(dict.fromkeys(case_ids))],
            doing="looking up case texts",
        )
        return dict(rows)

    def stale_ids(self, pipeline: str) -> builtins.list[str]:
        """The ids of the stored cases that another pipeline than ``pipeline`` made, or one
        that the case does not record, sorted."""
        if not self._has_pipeline:
            return self.ids()
        rows = self._query(
            "SELECT id FROM cases WHERE pipeline IS DISTINCT FROM ? ORDER BY id",
            [pipeline],
            doing="looking up stale cases",
        )
        return [row[0] for row in rows]

    def fingerprint(self) -> str:
        """A digest of which cases are stored in which version; any add or remove changes it."""
        row = self._query(
            "SELECT count(*), coalesce(sum(hash(id || ':' || content_hash)), 0), "
            "coalesce(max(added_at)::VARCHAR, '') FROM cases",
            doing="fingerprinting the store",
        )[0]
        return f"{row[0]}-{row[1]}-{row[2]}"

    def iter_cases(self, batch: int = 256) -> Iterator[Case]:
        """Every stored case, sorted by id, read ``batch`` at a time.

        Raises:
            CasebookError: ``CB-E015`` when a stored case no longer validates.
        """
        last: str | None = None
        while True:
            rows = self._query(
                "SELECT id, case_json FROM cases WHERE ? IS NULL OR id > ? ORDER BY id LIMIT ?",
                [last, last, batch],
                doing="reading cases",
            )
            for case_id, case_json in rows:
                yield self._validate(case_id, case_json)
            if len(rows) < batch:
                return
            last = rows[-1][0]

    def index_entries(
        self, key: str, exclude: Collection[str] = (), batch: int = 256
    ) -> Iterator[tuple[str, str | Case]]:
        """Every stored case's search-index entry built by ``key``, in the order the file
        holds them, then the cases without such an entry.

        The entries are read as they lie in the file, with no join and no sort: a sorted read
        would make DuckDB hold them all (gigabytes at a few hundred thousand cases), and
        reading them in id order batch by batch rescans the table per batch, as the file
        keeps no order of its own. The cases themselves (larger still) are read only when
        some lack an entry. Both reads are made in one snapshot.

        Args:
            key: What built the entries wanted (entries built otherwise are ignored).
            exclude: Cases whose entries the caller already holds: not yielded.
            batch: How many rows are turned into Python objects at a time.

        Yields:
            ``(case id, entry)``, or ``(case id, case)`` for a case without such an entry.

        Raises:
            CasebookError: ``CB-E015`` when a stored case no longer validates.
        """
        excluded = set(exclude)
        # A cursor of its own, so that the rows stream while the caller uses the store.
        cursor = self._con.cursor()
        try:
            cursor.execute(f"USE {_ALIAS}")
            cursor.begin()
            if self._has_entries:
                cursor.execute("SELECT case_id, entry FROM search_entries WHERE key = ?", [key])
                while rows := cursor.fetchmany(batch):
                    for case_id, entry in rows:
                        if case_id not in excluded:
                            yield case_id, entry
                lacking = (
                    "WHERE NOT EXISTS (SELECT 1 FROM search_entries e "
                    "WHERE e.case_id = c.id AND e.key = ?)"
                )
                parameters = [key]
                counted = cursor.execute(
                    f"SELECT count(*) FROM cases c {lacking}", parameters
                ).fetchone()
                if not counted or not counted[0]:
                    return
            else:
                lacking, parameters = "", []
            # Each scanning thread buffers a row group of cases (over 100 MB of JSON at 2,048
            # cases): more than one would pass the memory limit, so the cases are read by one.
            cursor.execute("SET threads = 1")
            cursor.execute(f"SELECT c.id, c.case_json FROM cases c {lacking}", parameters)
            while rows := cursor.fetchmany(batch):
                for case_id, case_json in rows:
                    if case_id not in excluded:
                        yield case_id, self._validate(case_id, case_json)
        except duckdb.Error as exc:
            self._fail(exc, "reading the search entries")
        finally:
            with contextlib.suppress(duckdb.Error):
                cursor.execute("RESET threads")
            cursor.close()

    def get_many(self, case_ids: Sequence[str]) -> builtins.list[Case]:
        """The stored cases with these ids, in the order given; unknown ids are skipped."""
        if not case_ids:
            return []
        rows = self._query(
            "SELECT id, case_json FROM cases WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [list(case_ids)],
            doing="reading cases",
        )
        found = {case_id: case_json for case_id, case_json in rows}
        return [self._validate(i, found[i]) for i in case_ids if i in found]

    def _validate(self, case_id: str, case_json: str) -> Case:
        try:
            return Case.model_validate_json(case_json)
        except ValidationError as exc:
            raise CasebookError(
                ErrorCode.STORE_ERROR,
                f"stored case {case_id!r} is not a valid case",
                self.path,
                detail=library_detail(exc),
            ) from exc

    def close(self) -> None:
        """Close the store; the last store open on the file in this process detaches it, and
        DuckDB checkpoints its write-ahead log into it on the way."""
        if self._open:
            self._open = False
            self._release(self._con)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
