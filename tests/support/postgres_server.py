"""A throwaway PostgreSQL server for the PostgreSQL store's tests and benchmarks.

Debian's PostgreSQL 15 (``initdb``, ``pg_ctl``) in a temporary folder on a free port, started
and stopped by ``temporary_server``. ``initdb`` refuses to run as root, so under root the
server runs as ``nobody``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SUPERUSER = "casebook"


def pg_bin() -> Path | None:
    """The folder of the server's programs; None when PostgreSQL is not installed."""
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


@contextmanager
def temporary_server(bin_folder: Path, settings: str = "-c shared_buffers=32MB") -> Iterator[str]:
    """A running server, stopped and deleted on exit; yields the URL of its ``postgres``
    database as its superuser.

    Args:
        bin_folder: Where ``initdb`` and ``pg_ctl`` are (``pg_bin()``).
        settings: Server options (``-c name=value``) besides the port, socket and address.
    """
    root = Path(tempfile.mkdtemp(prefix="casebook-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
    port = _free_port()
    initdb = [str(bin_folder / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust"]
    initdb += ["-E", "UTF8", "--no-locale", "--no-sync"]
    subprocess.run(_as_server_user(initdb), check=True, capture_output=True)
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=50 "
        f"-c fsync=off {settings}"
    )
    pg_ctl = str(bin_folder / "pg_ctl")
    start = [pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w"]
    subprocess.run(_as_server_user([*start, "-t", "60", "start"]), check=True, capture_output=True)
    try:
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
