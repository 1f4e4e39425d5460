"""The fuzz tests' sandbox: each target runs in a child process with a memory cap and a clock.

A reader that hangs on an input, or allocates gigabytes for it, must fail its test, not stop
the suite or the machine: ``Sandbox.run`` sends one input to the child (``sandbox_child.py``)
and waits at most ``timeout_s`` for its answer; a child that does not answer in time is killed
and started again, and so is one that dies.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("sandbox_child.py")

MEMORY_MB = int(os.environ.get("CASEBOOK_FUZZ_MEMORY_MB", "1024"))
"""Address space an input may add to what the target uses when warm."""

START_TIMEOUT_S = 300.0
"""The pipeline loads its models before it is ready; on a busy machine that is slow."""


@dataclass(frozen=True)
class Outcome:
    """What one input did: ``valid``, ``coded`` (a CasebookError) or ``failed``; a failure's
    detail starts with a line naming what went wrong (an exception's name, ``Timeout``,
    ``Died``)."""

    kind: str
    detail: str


class Sandbox:
    """One target in a child process, fed one input at a time."""

    def __init__(self, target: str, timeout_s: float) -> None:
        self.target = target
        self.timeout_s = timeout_s
        self.inputs = 0
        self._child = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(
            [sys.executable, str(CHILD), self.target, str(MEMORY_MB)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert child.stdout is not None
        if not self._wait_readable(child, START_TIMEOUT_S) or child.stdout.readline() != b"ready\n":
            child.kill()
            self._stop(child)
            raise RuntimeError(f"the fuzz target {self.target!r} did not start")
        return child

    @staticmethod
    def _wait_readable(child: subprocess.Popen[bytes], timeout_s: float) -> bool:
        assert child.stdout is not None
        readable, _, _ = select.select([child.stdout], [], [], timeout_s)
        return bool(readable)

    def _restart(self) -> None:
        self._child.kill()
        self._stop(self._child)
        self._child = self._start()

    def run(self, payload: object) -> Outcome:
        """Run the target on one input in the child."""
        self.inputs += 1
        child = self._child
        assert child.stdin is not None and child.stdout is not None
        request = pickle.dumps(payload)
        started = time.monotonic()
        try:
            child.stdin.write(struct.pack(">I", len(request)) + request)
            child.stdin.flush()
            if not self._wait_readable(child, self.timeout_s):
                self._restart()
                return Outcome("failed", f"Timeout\nno answer within {self.timeout_s:g} s")
            header = child.stdout.read(4)
            answer = child.stdout.read(struct.unpack(">I", header)[0]) if len(header) == 4 else b""
        except (BrokenPipeError, struct.error):
            answer = b""
        if not answer:
            code = child.wait()
            self._restart()
            seconds = time.monotonic() - started
            return Outcome(
                "failed", f"Died\nthe process died (status {code}) after {seconds:.1f} s"
            )
        kind, detail = pickle.loads(answer)
        return Outcome(kind, detail)

    def close(self) -> None:
        """End the child: its standard input closes, so it returns."""
        self._stop(self._child)

    @staticmethod
    def _stop(child: subprocess.Popen[bytes]) -> None:
        assert child.stdin is not None and child.stdout is not None
        with suppress(BrokenPipeError):  # a killed child leaves a request unread
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stdout.close()


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Callable[[str, float], Sandbox]]:
    """``sandbox(target, timeout_s)``: the session's sandbox for that target."""
    started: dict[str, Sandbox] = {}

    def get(target: str, timeout_s: float) -> Sandbox:
        if target not in started:
            started[target] = Sandbox(target, timeout_s)
        return started[target]

    yield get
    for box in started.values():
        box.close()
