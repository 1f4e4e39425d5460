"""A case store in a PostgreSQL database, shared by many writing and reading processes.

The tables are those of the DuckDB store (``casebook.store.duckdb``): ``cases`` with each
case's full JSON, ``mentions`` and ``codes`` copied out of it, and ``search_entries`` with its
search-index entry. The child tables reference their case and go with it when it is deleted.

Many processes may write at once (several ``casebook add`` or ``load`` runs, several API
servers). A batch is one transaction that first takes a transaction-level advisory lock per
case id it writes, in one global order (so two batches never wait on each other in a cycle),
then decides per case whether it is new, unchanged or replaced, and writes with COPY. Two
writers of the same id therefore take turns: the second sees the first's committed row, and
no case is lost or stored twice (the primary key on ``cases.id`` would refuse a second row
anyway).

A store opened read-only reads in one REPEATABLE READ snapshot, so that the store's
fingerprint and the search entries an index is built from describe the same cases even while
others write; the saved index is then stamped with exactly the cases it holds. The
fingerprint costs one row read whatever the store's size: the store's id, drawn with its
schema, and a change counter that a trigger on ``cases`` raises once in every transaction
that changes a case, as that transaction commits (``casebook_store_state``).

Case ids sort with the "C" collation, byte by byte as DuckDB sorts them, so that both stores
list cases, and build their search index, in the same order.

The schema is versioned: ``MIGRATIONS`` lists every change, ``casebook store migrate``
applies those a database lacks (in one transaction), and each applied version is recorded in
``casebook_schema_migrations``. A writer creates the schema in a database that has none; an
older schema is upgraded only by ``casebook store migrate``, so that a newer casebook never
changes a shared database under older servers unasked.
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, NoReturn, Self

import psycopg
from psycopg import errors as pg_errors
from pydantic import ValidationError

from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.model import Case
from casebook.store.base import AddOutcome, CaseRecord, CaseSummary
from casebook.store_location import PostgresLocation


@dataclass(frozen=True, slots=True)
class Migration:
    """One version of the schema: the statements that bring the previous one to it."""

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "cases, mentions, codes and search entries",
        (
            """CREATE TABLE cases (
                id TEXT COLLATE "C" PRIMARY KEY,
                content_hash TEXT NOT NULL,
                title TEXT,
                age_years DOUBLE PRECISION,
                sex TEXT,
                source_format TEXT NOT NULL,
                source_path TEXT,
                added_at TIMESTAMPTZ NOT NULL,
                case_json TEXT NOT NULL,
                pipeline TEXT
            )""",
            """CREATE TABLE mentions (
                case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
                mention_id TEXT NOT NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                type TEXT NOT NULL,
                assertion TEXT NOT NULL,
                text TEXT NOT NULL
            )""",
            "CREATE INDEX mentions_case_id ON mentions (case_id)",
            # mention_id is NULL for the case-level codes of Case.codes.
            """CREATE TABLE codes (
                case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
                system TEXT NOT NULL,
                code TEXT NOT NULL,
                score DOUBLE PRECISION NOT NULL,
                mention_id TEXT
            )""",
            "CREATE INDEX codes_case_id ON codes (case_id)",
            """CREATE TABLE search_entries (
                case_id TEXT COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                entry TEXT NOT NULL,
                PRIMARY KEY (case_id, key)
            )""",
        ),
    ),
    Migration(
        2,
        "a change counter and a store id for the store's fingerprint",
        (
            # One row: the store's id, drawn once, and how many transactions changed its cases.
            """CREATE TABLE casebook_store_state (
                only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
                store_id TEXT NOT NULL,
                generation BIGINT NOT NULL
            )""",
            "INSERT INTO casebook_store_state (store_id, generation) "
            "VALUES (gen_random_uuid()::text, 0)",
            # Counted once per transaction (the flag is local to it), as its last act before
            # commit: the deferred trigger fires for each row it changed, and the row lock on
            # the counter, which other writers wait for, is held only while it commits.
            """CREATE FUNCTION casebook_count_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('casebook.change_counted', true) IS DISTINCT FROM 'on' THEN
                    UPDATE casebook_store_state SET generation = generation + 1;
                    PERFORM set_config('casebook.change_counted', 'on', true);
                END IF;
                RETURN NULL;
            END
            $$""",
            """CREATE CONSTRAINT TRIGGER cases_changed
            AFTER INSERT OR UPDATE OR DELETE ON cases
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION casebook_count_change()""",
            """CREATE TRIGGER cases_truncated AFTER TRUNCATE ON cases
            FOR EACH STATEMENT EXECUTE FUNCTION casebook_count_change()""",
        ),
    ),
)
"""Every schema version, in order; append one (never edit an applied one) to change it."""

SCHEMA_VERSION = MIGRATIONS[-1].version
"""The schema version this casebook reads and writes."""

_MIGRATIONS_TABLE = """CREATE TABLE IF NOT EXISTS casebook_schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)"""

_MIGRATION_LOCK = (0x63617365, 1)
"""The advisory lock (two-key form, a space apart from the case locks) that migrations take,
so that two processes never apply the same version."""

_CHILD_COLUMNS = {
    "mentions": 'case_id, mention_id, start, "end", type, assertion, text',
    "codes": "case_id, system, code, score, mention_id",
    "search_entries": "case_id, key, entry",
}
_CASE_COLUMNS = (
    "id, content_hash, title, age_years, sex, source_format, source_path, added_at, pipeline, "
    "case_json"
)


def _copyable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row of a derived table as PostgreSQL text can hold it: a NUL character, which it
    cannot, becomes U+FFFD. The case's JSON, the system of record, escapes NUL and keeps it."""
    return tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row)


def _lock_key(case_id: str) -> int:
    """The advisory lock a writer of this case id holds: a signed 64-bit digest of the id."""
    return int.from_bytes(hashlib.blake2b(case_id.encode(), digest_size=8).digest(), signed=True)


def _connect(location: PostgresLocation, wait_s: float) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(location.url, connect_timeout=max(2, round(wait_s)))
    except psycopg.Error as exc:
        raise CasebookError(
            ErrorCode.STORE_ERROR,
            "cannot connect to the PostgreSQL case store",
            location.shown,
            detail=library_detail(exc),
        ) from exc


def applied_versions(connection: psycopg.Connection[Any]) -> builtins.list[int]:
    """The schema versions applied to the database, in order; none in a new database."""
    found = connection.execute(
        "SELECT to_regclass('casebook_schema_migrations') IS NOT NULL"
    ).fetchone()
    if not found or not found[0]:
        return []
    rows = connection.execute("SELECT version FROM casebook_schema_migrations ORDER BY version")
    return [int(row[0]) for row in rows.fetchall()]


def migrate(location: PostgresLocation, wait_s: float = 30.0) -> builtins.list[Migration]:
    """Apply the migrations the database lacks, all in one transaction.

    One transaction, so that no other process ever sees some of them applied and not the
    rest: a writer that finds an empty database creates the whole schema this way while others
    may be starting on it too.

    Returns:
        The migrations applied now, in order; none when the schema was current.

    Raises:
        CasebookError: ``CB-E015`` when the database cannot be reached, holds a newer schema,
            or a migration fails (then none of them is applied).
    """
    applied: builtins.list[Migration] = []
    with _connect(location, wait_s) as connection:
        connection.autocommit = True
        try:
            with connection.transaction():
                connection.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", _MIGRATION_LOCK, prepare=False
                )
                connection.execute(_MIGRATIONS_TABLE)
                versions = applied_versions(connection)
                if versions and versions[-1] > SCHEMA_VERSION:
                    raise _newer_schema(location, versions[-1])
                for migration in MIGRATIONS:
                    if migration.version in versions:
                        continue
                    applied.append(migration)
                    for statement in migration.statements:
                        connection.execute(statement)
                    connection.execute(
                        "INSERT INTO casebook_schema_migrations (version, description) "
                        "VALUES (%s, %s)",
                        (migration.version, migration.description),
                    )
        except psycopg.Error as exc:
            doing = (
                f"applying schema migration {applied[-1].version} ({applied[-1].description})"
                if applied
                else "reading the schema version"
            )
            raise CasebookError(
                ErrorCode.STORE_ERROR,
                f"{doing} failed; no migration was applied",
                location.shown,
                detail=library_detail(exc),
            ) from exc
    return applied


def _newer_schema(location: PostgresLocation, version: int) -> CasebookError:
    return CasebookError(
        ErrorCode.STORE_ERROR,
        f"the case store was written by a newer casebook (schema version {version}; this "
        f"casebook reads version {SCHEMA_VERSION}); upgrade casebook to use it",
        location.shown,
    )


class PostgresCaseStore:
    """A ``CaseStore`` in a PostgreSQL database.

    Args:
        location: The database.
        read_only: Read only, in one snapshot taken at the first read.
        wait_s: How long to wait for the server to answer, and for another writer's lock on
            a case this one writes.

    Raises:
        CasebookError: ``CB-E015`` when the database cannot be reached, holds no case store
            (read-only) or an older one (run ``casebook store migrate``) or a newer one.
    """

    def __init__(
        self, location: PostgresLocation, *, read_only: bool = False, wait_s: float = 30.0
    ) -> None:
        self.location = location
        self.read_only = read_only
        self._wait_s = wait_s
        self._con = _connect(location, wait_s)
        try:
            self._con.autocommit = True
            versions = self._versions()
            if not versions and not read_only:
                migrate(location, wait_s)
                versions = self._versions()
            self._check(versions)
            # lock_timeout bounds the wait for another writer's case locks (CB-E016).
            self._con.execute(f"SET lock_timeout = {max(1, round(wait_s * 1000))}")
            if read_only:
                self._con.autocommit = False
                self._con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                self._con.read_only = True
        except BaseException:
            self._con.close()
            raise

    def _versions(self) -> builtins.list[int]:
        try:
            return applied_versions(self._con)
        except psycopg.Error as exc:
            self._fail(exc, "reading the store's schema version")

    def _check(self, versions: builtins.list[int]) -> None:
        if not versions:
            raise CasebookError(
                ErrorCode.STORE_ERROR,
                "the database holds no case store yet; store a case, or run "
                "`casebook store migrate --store URL`",
                self.location.shown,
            )
        if versions[-1] > SCHEMA_VERSION:
            raise _newer_schema(self.location, versions[-1])
        if versions[-1] < SCHEMA_VERSION:
            raise CasebookError(
                ErrorCode.STORE_ERROR,
                f"the case store has schema version {versions[-1]}; this casebook needs "
                f"{SCHEMA_VERSION}: run `casebook store migrate --store URL`",
                self.location.shown,
            )

    def _fail(self, exc: BaseException, doing: str) -> NoReturn:
        if isinstance(exc, pg_errors.LockNotAvailable):
            raise CasebookError(
                ErrorCode.STORE_LOCKED,
                f"{doing}: another writer kept a case locked for {self._wait_s:g} s; "
                "try again when it is done",
                self.location.shown,
            ) from exc
        raise CasebookError(
            ErrorCode.STORE_ERROR,
            f"{doing} failed",
            self.location.shown,
            detail=library_detail(exc),
        ) from exc

    def _query(self, sql: str, parameters: Sequence[Any] = (), *, doing: str) -> list[Any]:
        try:
            return self._con.execute(sql, list(parameters)).fetchall()
        except psycopg.Error as exc:
            self._fail(exc, doing)

    def add(self, case: Case, content_hash: str) -> AddOutcome:
        """Store a case unless the same id with the same content hash is already stored."""
        return self.add_records([CaseRecord.of(case, content_hash)])[0]

    def add_records(self, records: Sequence[CaseRecord]) -> builtins.list[AddOutcome]:
        """Store prepared cases in one transaction: all of them, or none on failure.

        Each record is handled as ``add`` handles a case, in order (an id given twice is
        stored once, the later version replacing the earlier). Another writer of one of these
        ids waits until this transaction ends, and then sees what it wrote.

        Returns:
            What happened to each record, in order.

        Raises:
            CasebookError: ``CB-E016`` when another writer holds one of these cases longer
                than ``wait_s``; ``CB-E015`` when the write fails. Nothing of the batch is
                written then.
        """
        if not records:
            return []
        if self.read_only:
            raise CasebookError(
                ErrorCode.STORE_ERROR, "the store was opened read-only", self.location.shown
            )
        added_at = datetime.now(UTC)
        doing = f"storing case {records[0].id!r}" if len(records) == 1 else "storing cases"
        ids = sorted({r.id for r in records})
        try:
            with self._con.transaction(), self._con.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                    [sorted({_lock_key(i) for i in ids})],
                )
                cursor.execute("SELECT id, content_hash FROM cases WHERE id = ANY(%s)", [ids])
                stored: dict[str, str] = dict(cursor.fetchall())
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
                    # The child rows go with their case (ON DELETE CASCADE).
                    cursor.execute("DELETE FROM cases WHERE id = ANY(%s)", [replaced])
                if pending:
                    self._copy(cursor, builtins.list(pending.values()), added_at)
        except psycopg.Error as exc:
            self._fail(exc, doing)
        return outcomes

    def _copy(
        self, cursor: psycopg.Cursor[Any], records: Sequence[CaseRecord], added_at: datetime
    ) -> None:
        """Write new cases and their rows with COPY, one per table."""
        with cursor.copy(f"COPY cases ({_CASE_COLUMNS}) FROM STDIN") as copy:
            for r in records:
                copy.write_row(
                    _copyable(
                        (
                            r.id,
                            r.content_hash,
                            r.title,
                            r.age_years,
                            r.sex,
                            r.source_format,
                            r.source_path,
                            added_at,
                            r.pipeline,
                        )
                    )
                    + (r.case_json,)
                )
        with cursor.copy(f"COPY mentions ({_CHILD_COLUMNS['mentions']}) FROM STDIN") as copy:
            for r in records:
                for mention in r.mentions:
                    copy.write_row(_copyable((r.id, *mention)))
        with cursor.copy(f"COPY codes ({_CHILD_COLUMNS['codes']}) FROM STDIN") as copy:
            for r in records:
                for code in r.codes:
                    copy.write_row(_copyable((r.id, *code)))
        entries = "search_entries"
        with cursor.copy(f"COPY {entries} ({_CHILD_COLUMNS[entries]}) FROM STDIN") as copy:
            for r in records:
                if r.index_key is not None and r.index_entry is not None:
                    copy.write_row((r.id, r.index_key, r.index_entry))

    def get(self, case_id: str) -> Case:
        """The stored case with this id.

        Raises:
            CasebookError: ``CB-E014`` when no case has that id.
        """
        rows = self._query(
            "SELECT case_json FROM cases WHERE id = %s", [case_id], doing="reading a case"
        )
        if not rows:
            raise CasebookError(
                ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", self.location.shown
            )
        return self._validate(case_id, rows[0][0])

    def remove(self, case_id: str) -> tuple[str, str]:
        """Delete the case with this id and its rows, in one transaction.

        Returns:
            The store's fingerprint just before and just after: the transaction holds the
            change counter's row from before its delete to its commit, so every other
            writer's commit lands before the first or after the second, and this commit
            raises the counter by exactly one.

        Raises:
            CasebookError: ``CB-E014`` when no case has that id.
        """
        try:
            with self._con.transaction():
                # The case's lock first: a writer holding it takes the counter's row only as it
                # commits, so taking them in this order never deadlocks with it.
                self._con.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(case_id)])
                state = self._con.execute(
                    "SELECT store_id, generation FROM casebook_store_state FOR UPDATE"
                ).fetchone()
                deleted = self._con.execute("DELETE FROM cases WHERE id = %s", [case_id])
                if deleted.rowcount == 0:
                    raise CasebookError(
                        ErrorCode.CASE_NOT_FOUND,
                        f"no case with id {case_id!r}",
                        self.location.shown,
                    )
        except psycopg.Error as exc:
            self._fail(exc, f"removing case {case_id!r}")
        assert state is not None  # the schema's one row, made with the store
        store_id, generation = state
        return f"{store_id}-{generation}", f"{store_id}-{generation + 1}"

    def ids(self) -> builtins.list[str]:
        """Every stored case id, sorted."""
        return [row[0] for row in self._query("SELECT id FROM cases ORDER BY id", doing="listing")]

    def count(self) -> int:
        """How many cases are stored."""
        return int(self._query("SELECT count(*) FROM cases", doing="counting cases")[0][0])

    def list(self, limit: int | None = None, offset: int = 0) -> builtins.list[CaseSummary]:
        """Summaries of stored cases sorted by id, ``limit`` of them (all when None) from
        ``offset`` on."""
        rows = self._query(
            "SELECT c.id, c.title, c.age_years, c.sex, "
            "(SELECT count(*) FROM mentions m WHERE m.case_id = c.id), c.added_at "
            "FROM cases c ORDER BY c.id LIMIT %s OFFSET %s",
            [limit, offset],
            doing="listing cases",
        )
        return [
            CaseSummary(
                id=row[0],
                title=row[1],
                age_years=row[2],
                sex=row[3],
                mentions=int(row[4]),
                added_at=row[5].astimezone(UTC),
            )
            for row in rows
        ]

    def content_hashes(self, case_ids: Sequence[str]) -> dict[str, str]:
        """The content hash of each of these ids that is stored."""
        rows = self._query(
            "SELECT id, content_hash FROM cases WHERE id = ANY(%s)",
            [builtins.list(dict.fromkeys(case_ids))],
            doing="looking up cases",
        )
        return dict(rows)

    def texts(self, case_ids: Sequence[str]) -> dict[str, str]:
        """The text of each of these ids that is stored."""
        rows = self._query(
            "SELECT id, case_json FROM cases WHERE id = ANY(%s)",
            [builtins.list(dict.fromkeys(case_ids))],
            doing="looking up case texts",
        )
        # Read here, not by PostgreSQL's JSON functions, which refuse a text holding NUL.
        return {case_id: str(json.loads(case_json)["text"]) for case_id, case_json in rows}

    def stale_ids(self, pipeline: str) -> builtins.list[str]:
        """The ids of the stored cases that another pipeline than ``pipeline`` made, or one
        that the case does not record, sorted."""
        rows = self._query(
            "SELECT id FROM cases WHERE pipeline IS DISTINCT FROM %s ORDER BY id",
            [pipeline],
            doing="looking up stale cases",
        )
        return [row[0] for row in rows]

    def fingerprint(self) -> str:
        """A digest of which cases are stored in which version; any add or remove changes it.

        The store's id, drawn when its schema was made, and its change counter, which every
        transaction that changes ``cases`` raises by one as it commits (a trigger, whatever
        client writes). A reader sees a counter together with the rows it counts, never one
        without the other; two databases never share the id, so the indexes saved for two
        stores at the same URL one after the other are never taken for each other.
        """
        row = self._query(
            "SELECT store_id, generation FROM casebook_store_state",
            doing="fingerprinting the store",
        )[0]
        return f"{row[0]}-{row[1]}"

    def iter_cases(self, batch: int = 256) -> Iterator[Case]:
        """Every stored case, sorted by id, read ``batch`` at a time."""
        last: str | None = None
        while True:
            rows = self._query(
                "SELECT id, case_json FROM cases WHERE %s::text IS NULL OR id > %s "
                "ORDER BY id LIMIT %s",
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
        """Every stored case's search-index entry built by ``key``, sorted by case id, but
        those of the cases in ``exclude``; read through a server-side cursor, ``batch`` rows
        at a time.

        Yields:
            ``(case id, entry)``, or ``(case id, case)`` for a case without such an entry.
        """
        excluded = builtins.list(exclude)
        sql = (
            "SELECT c.id, e.entry, CASE WHEN e.entry IS NULL THEN c.case_json END "
            "FROM cases c LEFT JOIN search_entries e ON e.case_id = c.id AND e.key = %s "
            # An anti-join, which PostgreSQL hashes, not NOT ANY, which scans the list per case.
            "WHERE NOT EXISTS (SELECT 1 FROM unnest(%s::text[]) AS x(id) WHERE x.id = c.id) "
            "ORDER BY c.id"
        )
        try:
            # A server-side cursor lives in a transaction: the read-only snapshot's, or one
            # of its own on a writer's connection.
            with self._con.transaction(), self._con.cursor(name="casebook_entries") as cursor:
                cursor.itersize = batch
                cursor.execute(sql, [key, excluded])
                for case_id, entry, case_json in cursor:
                    if entry is None:
                        yield case_id, self._validate(case_id, case_json)
                    else:
                        yield case_id, entry
        except psycopg.Error as exc:
            self._fail(exc, "reading the search entries")

    def get_many(self, case_ids: Sequence[str]) -> builtins.list[Case]:
        """The stored cases with these ids, in the order given; unknown ids are skipped."""
        if not case_ids:
            return []
        rows = self._query(
            "SELECT id, case_json FROM cases WHERE id = ANY(%s)",
            [builtins.list(case_ids)],
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
                self.location.shown,
                detail=library_detail(exc),
            ) from exc

    def close(self) -> None:
        """Close the connection, ending a read-only snapshot."""
        with suppress(psycopg.Error):
            if not self._con.autocommit:
                self._con.rollback()
        self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
