"""A real PostgreSQL server for the tests of the PostgreSQL case store.

The session starts Debian's PostgreSQL 15 in a temporary folder on a free port, small
(``shared_buffers`` 32 MB), and stops it at the end (``tests/support/postgres_server.py``,
which the scale benchmark shares). Without the PostgreSQL binaries or psycopg the tests skip.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook.store_location import PostgresLocation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
from postgres_server import pg_bin, temporary_server  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a running PostgreSQL server's ``postgres`` database, as its superuser."""
    pytest.importorskip("psycopg")
    bin_folder = pg_bin()
    if bin_folder is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    with temporary_server(bin_folder) as url:
        yield url


_DATABASES = itertools.count()


@pytest.fixture
def postgres_store(postgres_server: str) -> PostgresLocation:
    """A new, empty database of its own on the test server."""
    import psycopg

    name = f"casebook_test_{os.getpid()}_{next(_DATABASES)}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return PostgresLocation(postgres_server.rsplit("/", 1)[0] + f"/{name}")
