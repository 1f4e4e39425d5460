"""A real PostgreSQL server for the tests of the PostgreSQL case store.

The session starts Debian's PostgreSQL 15 (``initdb``, ``pg_ctl``) in a temporary folder on a
free port, small (``shared_buffers`` 32 MB), and stops it at the end. ``initdb`` refuses to
run as root, so under root the server runs as ``nobody``. Without the PostgreSQL binaries or
psycopg the tests skip.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebook.store_location import PostgresLocation

SUPERUSER = "casebook"


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    # Debian keeps the server's programs out of PATH, one folder per major version.
    found_here = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    return found_here[-1].parent if found_here else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """``command`` run as ``nobody`` when this process is root (initdb refuses root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "nobody", "--", *command]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a running PostgreSQL server's ``postgres`` database, as its superuser."""
    pytest.importorskip("psycopg")
    bin_folder = _pg_bin()
    if bin_folder is None:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql)")
    root = Path(tempfile.mkdtemp(prefix="casebook-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [
                str(bin_folder / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c shared_buffers=32MB "
        "-c max_connections=50 -c fsync=off"
    )
    subprocess.run(
        _as_server_user(
            [
                str(bin_folder / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bin_folder / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


_DATABASES = itertools.count()


@pytest.fixture
def postgres_store(postgres_server: str) -> PostgresLocation:
    """A new, empty database of its own on the test server."""
    import psycopg

    name = f"casebook_test_{os.getpid()}_{next(_DATABASES)}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return PostgresLocation(postgres_server.rsplit("/", 1)[0] + f"/{name}")
