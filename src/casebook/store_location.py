"""Where a case store is: a DuckDB file (a path, or ``duckdb:///path``) or a PostgreSQL
database (``postgresql://user@host/db``).

A DuckDB store is named by its ``Path``, as it always was; a PostgreSQL store by a
``PostgresLocation``. Both answer ``exists()``, so that a caller can tell a store not yet
created without opening it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from casebook.errors import CasebookError, ErrorCode

POSTGRES_SCHEMES = ("postgresql", "postgres")
"""The URL schemes of a PostgreSQL store, those libpq reads."""

DUCKDB_SCHEME = "duckdb"


@dataclass(frozen=True, slots=True)
class PostgresLocation:
    """A case store in a PostgreSQL database.

    Attributes:
        url: The libpq connection URL, password included when it has one.
    """

    url: str

    def exists(self) -> bool:
        """Always: a database server holds the store; opening it says whether it is one."""
        return True

    @property
    def shown(self) -> str:
        """The URL without its password, for messages and logs."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        netloc = f"{parts.username or ''}:***@{host}{port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    @property
    def key(self) -> str:
        """A short digest naming this database in local folders (its saved search index)."""
        return hashlib.sha256(self.shown.encode()).hexdigest()[:16]

    def __str__(self) -> str:
        return self.shown


StoreLocation = Path | PostgresLocation
"""A DuckDB store file, or a PostgreSQL database."""


def parse_store(given: str | Path) -> StoreLocation:
    """The store a ``--store`` value or the ``store`` setting names.

    ``postgresql://…`` (or ``postgres://…``) is a PostgreSQL database, ``duckdb:///path`` a
    DuckDB file, and anything else a DuckDB file's path.

    Raises:
        CasebookError: ``CB-E015`` for a ``duckdb:`` URL naming no file, or another URL
            scheme this casebook cannot open.
    """
    if isinstance(given, Path):
        return given
    scheme, sep, rest = given.partition("://")
    if not sep:
        return Path(given)
    if scheme.lower() in POSTGRES_SCHEMES:
        return PostgresLocation(given)
    if scheme.lower() == DUCKDB_SCHEME:
        # duckdb:///abs/path and duckdb://relative/path, as SQLAlchemy writes them.
        if not rest or rest == "/":
            raise CasebookError(ErrorCode.STORE_ERROR, "the duckdb: store URL names no file", given)
        return Path(rest)
    raise CasebookError(
        ErrorCode.STORE_ERROR,
        f"a case store is a file path, duckdb:///path or postgresql://…, not {scheme}://",
        given,
    )
