"""Wall and CPU time of casebook commands started as new processes, as a user runs them.

Usage (from the repository root, with casebook's venv)::

    .venv/bin/python benchmarks/startup.py [--store cases.duckdb --id CASE_ID] [-n 7]

Each command runs ``-n`` times as ``python -c 'from casebook.cli import app; app()' …``; the
report gives the least and the median wall time, and the median CPU time (user and system, of
the child), which a busy machine inflates less. ``analyze`` reads the one-line report
"A 54-year-old man had no fever." from standard input. It is first run once with an empty
cache folder (``CASEBOOK_CACHE`` pointed at a temporary one): that cold start, which builds the
cache, is reported apart, and the timed runs use the filled cache. ``cases --count`` and
``show`` run only with ``--store`` (and ``--id`` for ``show``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

REPORT = b"A 54-year-old man had no fever.\n"
CLI = "from casebook.cli import app; app()"


def run_once(args: Sequence[str], stdin: bytes, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of the CLI with ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CLI, *args],
        input=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="Runs per command.")
    parser.add_argument("--store", help="A case store for 'cases --count' and 'show'.")
    parser.add_argument("--id", dest="case_id", help="A stored case's id for 'show'.")
    options = parser.parse_args()

    commands: list[tuple[str, list[str], bytes]] = [
        ("--help", ["--help"], b""),
        ("errors", ["errors"], b""),
        ("schema", ["schema"], b""),
    ]
    if options.store:
        commands.append(("cases --count", ["cases", "--count", "--store", options.store], b""))
        if options.case_id:
            commands.append(("show", ["show", options.case_id, "--store", options.store], b""))
    commands.append(("analyze -", ["analyze", "-"], REPORT))

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CASEBOOK_CACHE": cache}
        wall, cpu = run_once(["analyze", "-"], REPORT, env)
        print(f"{'analyze - (empty cache)':26} wall {wall:5.2f} s  cpu {cpu:5.2f} s")
        for label, args, stdin in commands:
            runs = [run_once(args, stdin, env) for _ in range(options.n)]
            walls = [w for w, _ in runs]
            cpus = [c for _, c in runs]
            print(
                f"{label:26} wall min {min(walls):5.2f} s  median {statistics.median(walls):5.2f} s"
                f"  cpu median {statistics.median(cpus):5.2f} s  (n={options.n})"
            )


if __name__ == "__main__":
    main()
