"""Worker processes end with the process that started them: ``serve``'s analysis workers and
``add``'s and ``extract``'s, whether their parent is stopped (SIGTERM, SIGINT) or killed
(SIGKILL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

CASEBOOK = str(Path(sys.executable).with_name("casebook"))
REPORT = "A 54-year-old man had a severe headache after a lumbar puncture. {n}\n"
WAIT_S = 240.0


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # "pid (command) state ppid …": the command may hold spaces and parentheses.
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _descendants(root: int) -> set[int]:
    found: set[int] = set()
    frontier = {root}
    while frontier:
        children = {
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent_of(int(entry.name)) in frontier
        }
        frontier = children - found
        found |= children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"  # a zombie has ended; its parent is gone


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _serve(tmp_path: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CASEBOOK_API_SHORT_WORKERS": "1"}
    env.pop("CASEBOOK_API_TOKEN", None)
    server = subprocess.Popen(
        [CASEBOOK, "serve", "--port", str(port), "--workers", "1"]
        + ["--store", str(tmp_path / "cases.duckdb")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )

    def healthy() -> bool:
        assert server.poll() is None, "the server stopped"
        try:
            return httpx.get(f"http://127.0.0.1:{port}/v1/health").status_code == 200
        except httpx.TransportError:
            return False

    _wait_for(healthy, "the server did not start")
    workers = _descendants(server.pid)
    assert len(workers) >= 2  # the analysis workers (and multiprocessing's resource tracker)
    return server, workers


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_serves_workers_end_with_it(tmp_path: Path, stop: signal.Signals) -> None:
    server, workers = _serve(tmp_path)
    server.send_signal(stop)
    server.wait(timeout=60)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "a worker outlived the server")


@pytest.mark.parametrize("command", ["add", "extract"])
def test_batch_workers_end_when_the_batch_is_killed(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(400):
        (folder / f"report-{n:03}.txt").write_text(REPORT.format(n=n), encoding="utf-8")
    target = ["--store", str(tmp_path / "cases.duckdb")] if command == "add" else []
    target += ["--out", str(tmp_path / "out")] if command == "extract" else []
    batch = subprocess.Popen(
        [CASEBOOK, command, str(folder), "--workers", "2", *target],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(lambda: len(_descendants(batch.pid)) >= 2, "the workers did not start")
    workers = _descendants(batch.pid)
    batch.kill()
    batch.wait(timeout=60)
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "a worker outlived the batch")
