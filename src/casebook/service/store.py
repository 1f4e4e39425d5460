"""The case store: where it is, opening it, and reading what it holds."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casebook.config import get_settings
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case
from casebook.pipeline_fingerprint import pipeline_fingerprint
from casebook.store.base import CaseSummary
from casebook.store_location import PostgresLocation, StoreLocation, parse_store

if TYPE_CHECKING:
    from casebook.store.base import CaseStore
    from casebook.store.postgres import Migration


def resolve_store(given: str | StoreLocation | None = None) -> StoreLocation:
    """The case store a command works on: ``given`` (``--store``) when there is one, else the
    ``store`` setting (``CASEBOOK_STORE``, then a file in the user data folder).

    A store is a DuckDB file (a path, or ``duckdb:///path``) or a PostgreSQL database
    (``postgresql://user@host/db``).

    Raises:
        CasebookError: ``CB-E015`` for a URL of another kind.
    """
    if given is None:
        return get_settings().store
    return given if isinstance(given, PostgresLocation) else parse_store(given)


def open_store(
    location: StoreLocation, *, read_only: bool = False, wait_s: float | None = None
) -> CaseStore:
    """Open (creating when missing and writable) the case store at ``location``.

    A DuckDB store is one file that a writing process holds alone, so every caller closes it
    as soon as its call or batch is done: then readers and writers of other processes take
    turns instead of locking each other out. A PostgreSQL store is shared by many writers; a
    read-only one reads in one snapshot until it is closed.

    Args:
        location: The store file, or the PostgreSQL database.
        read_only: Open to read only, which other readers may do at the same time.
        wait_s: How long to wait while another process holds the store (or, in PostgreSQL,
            a case this one writes); the ``store_wait_s`` setting (``CASEBOOK_STORE_WAIT_S``)
            when None.

    Raises:
        CasebookError: ``CB-E016`` when another process still holds the store after
            ``wait_s``; ``CB-E015`` when it is not a case store this casebook can read (or
            the database cannot be reached).
    """
    if wait_s is None:
        wait_s = get_settings().store_wait_s
    if isinstance(location, PostgresLocation):
        _need_psycopg()
        from casebook.store.postgres import PostgresCaseStore

        return PostgresCaseStore(location, read_only=read_only, wait_s=wait_s)
    from casebook.store import DuckDBCaseStore

    return DuckDBCaseStore(location, read_only=read_only, wait_s=wait_s)


def migrate_store(location: StoreLocation) -> list[Migration]:
    """Apply the schema migrations a PostgreSQL store lacks; the migrations applied.

    Raises:
        CasebookError: ``CB-E015`` for a DuckDB store (which upgrades itself when opened
            for writing), or when a migration fails.
    """
    if not isinstance(location, PostgresLocation):
        raise CasebookError(
            ErrorCode.STORE_ERROR,
            "only a PostgreSQL store (postgresql://…) is migrated; a DuckDB store upgrades "
            "itself when a command writes to it",
            location,
        )
    _need_psycopg()
    from casebook.store.postgres import migrate

    return migrate(location, get_settings().store_wait_s)


def _need_psycopg() -> None:
    """Refuse a PostgreSQL store, with what to install, where psycopg is missing."""
    if importlib.util.find_spec("psycopg") is None:
        raise CasebookError(
            ErrorCode.STORE_ERROR,
            "a PostgreSQL store needs psycopg 3: pip install 'casebook[postgres]'",
        )


@dataclass(frozen=True)
class StaleCases:
    """The stored cases that another pipeline than this casebook's made."""

    pipeline: str
    """This casebook's pipeline fingerprint."""
    stored: int
    """How many cases the store holds."""
    ids: list[str]
    """The ids of those another pipeline made (or that record none), sorted."""


def stale_cases(store_path: StoreLocation) -> StaleCases:
    """Which stored cases another pipeline made; none when the store does not exist yet."""
    pipeline = pipeline_fingerprint()
    if not store_path.exists():
        return StaleCases(pipeline, 0, [])
    with open_store(store_path, read_only=True) as store:
        return StaleCases(pipeline, store.count(), store.stale_ids(pipeline))


def list_cases(
    store_path: StoreLocation, *, limit: int | None = None, offset: int = 0
) -> list[CaseSummary]:
    """Summaries of the stored cases, sorted by id; none when the store does not exist yet."""
    if not store_path.exists():
        return []
    with open_store(store_path, read_only=True) as store:
        return store.list(limit, offset)


def count_cases(store_path: StoreLocation) -> int:
    """How many cases the store holds; 0 when it does not exist yet."""
    if not store_path.exists():
        return 0
    with open_store(store_path, read_only=True) as store:
        return store.count()


def get_case(store_path: StoreLocation, case_id: str) -> Case:
    """The stored case with this id.

    Raises:
        CasebookError: ``CB-E014`` when the store holds no such case (or does not exist).
    """
    if not store_path.exists():
        raise CasebookError(
            ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", str(store_path)
        )
    with open_store(store_path, read_only=True) as store:
        return store.get(case_id)


def remove_case(store_path: StoreLocation, case_id: str) -> None:
    """Delete the stored case with this id.

    Raises:
        CasebookError: ``CB-E014`` when the store holds no such case (or does not exist).
    """
    from casebook.search.saved import index_folder, mark_removed

    if not store_path.exists():
        raise CasebookError(
            ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", str(store_path)
        )
    with open_store(store_path) as store:
        before, after = store.remove(case_id)
        # The saved search index drops the case too, so the next search need not rebuild it.
        mark_removed(index_folder(store_path), case_id, before, after)
