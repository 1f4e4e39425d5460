"""Readers and small writers while ``casebook add`` stores a corpus: do they get through?

Starts a server on a new store, then ``casebook add`` of the first ``--cases`` lines of a
PMC-Patients JSONL corpus into the same store, and while it runs, every ``--every`` seconds:

- ``casebook cases --count`` (a separate CLI process, its start-up included), and the same
  count in this process (``service.count_cases``: the store's wait and query alone),
- ``GET /v1/search`` with ten words of a corpus text, and ``GET /v1/cases?limit=5``;

and once, a third of the way in, a small CLI ``casebook add`` of ``--small`` (a writer from a
third process) and a ``POST /v1/cases`` of the same text (the server writing). Afterwards it
checks that the store holds every case the adds reported. For example::

    python benchmarks/readers_during_add.py \\
        --corpus ../shared/datasets/pmc-patients/corpus.jsonl --cases 1000 \\
        --small ../shared/examples/csf-leak-after-bone-marrow-biopsy.txt

The report (JSON on stdout) gives, per probe, how many answered, how many failed (with their
error codes) and the latencies in ms; the add's wall time; the small writers' outcomes and
waits. Exit status 1 when any probe failed or a case is missing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from http_search import ten_word_queries
from soak import descendants, end_all

from casebook import service
from casebook.errors import CasebookError

CASEBOOK = Path(sys.executable).with_name("casebook")


@dataclass
class Probe:
    """What one kind of request did while the add ran."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def report(self) -> dict[str, object]:
        done = sorted(self.latencies)
        cuts = statistics.quantiles(done, n=100, method="inclusive") if len(done) > 1 else []
        return {
            "answered": len(done),
            "failed": len(self.failures),
            "failures": self.failures[:10],
            "p50_ms": round(1000 * cuts[49]) if cuts else None,
            "p95_ms": round(1000 * cuts[94]) if cuts else None,
            "max_ms": round(1000 * done[-1]) if done else None,
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _casebook(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.monotonic()
    done = subprocess.run(
        [str(CASEBOOK), *args], capture_output=True, text=True, timeout=600, check=False
    )
    return time.monotonic() - started, done


def _error_code(text: str) -> str:
    for word in text.replace('"', " ").split():
        if word.startswith("CB-E"):
            return word.strip(":,.")
    return text.strip()[:80]


def _last_message(stderr: str) -> str:
    """The last line a command wrote that is not its progress bar."""
    lines = [line for line in stderr.splitlines() if line.strip() and "━" not in line]
    return " ".join(lines[-2:])


def _wait_for_server(http: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before it answered")
        try:
            if http.get("/v1/health").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not answer within 300 s")


def run(corpus: Path, cases: int, small: Path, every: float, folder: Path) -> dict[str, object]:
    """Serve a new store, add ``cases`` documents to it, and probe it meanwhile."""
    lines = folder / "corpus.jsonl"
    with corpus.open(encoding="utf-8") as source, lines.open("w", encoding="utf-8") as sink:
        sink.writelines(itertools.islice(source, cases))
    store = folder / "cases.duckdb"
    port = _free_port()
    env = {**os.environ, "CASEBOOK_STORE": str(store)}
    server = subprocess.Popen(
        [str(CASEBOOK), "serve", "--port", str(port), "--store", str(store)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    queries = itertools.cycle(ten_word_queries(corpus, 200))
    count, counted, search, listing = Probe(), Probe(), Probe(), Probe()
    writers: dict[str, dict[str, object]] = {}
    extra = 0  # cases the small writers stored
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as http:
            _wait_for_server(http, server)
            # The first search waits for the analysis workers to load the pipeline.
            http.get("/v1/search", params={"q": next(queries), "k": 5}).raise_for_status()
            add_started = time.monotonic()
            adder = subprocess.Popen(
                [str(CASEBOOK), "add", str(lines), "--store", str(store)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            small_due = True
            while adder.poll() is None:
                tick = time.monotonic()
                seconds, done = _casebook("cases", "--count", "--store", str(store))
                if done.returncode == 0:
                    count.latencies.append(seconds)
                else:
                    count.failures.append(_error_code(done.stderr))
                started = time.monotonic()
                try:
                    service.count_cases(store)
                except CasebookError as error:
                    counted.failures.append(error.code.value)
                else:
                    counted.latencies.append(time.monotonic() - started)
                probes: list[tuple[Probe, str, dict[str, str | int]]] = [
                    (search, "/v1/search", {"q": next(queries), "k": 5}),
                    (listing, "/v1/cases", {"limit": 5}),
                ]
                for probe, path, params in probes:
                    started = time.monotonic()
                    response = http.get(path, params=params)
                    if response.status_code == 200:
                        probe.latencies.append(time.monotonic() - started)
                    else:
                        probe.failures.append(
                            f"{response.status_code} {_error_code(response.text)}"
                        )
                if small_due and tick - add_started > 12:
                    small_due = False
                    seconds, done = _casebook("add", str(small), "--store", str(store))
                    extra += done.returncode == 0
                    writers["cli_add"] = {
                        "exit": done.returncode,
                        "seconds": round(seconds, 2),
                        "message": _last_message(done.stderr),
                    }
                    started = time.monotonic()
                    response = http.post(
                        "/v1/cases", json={"text": small.read_text(encoding="utf-8")}
                    )
                    if response.status_code == 201:
                        extra += len(response.json()["added"])
                    writers["api_post_cases"] = {
                        "status": response.status_code,
                        "seconds": round(time.monotonic() - started, 2),
                        "body": response.json(),
                    }
                time.sleep(max(0.0, tick + every - time.monotonic()))
            add_seconds = time.monotonic() - add_started
            add_out, add_err = adder.communicate()
            # The same searches with no writer, for comparison.
            quiet = Probe()
            for _ in range(5):
                started = time.monotonic()
                http.get("/v1/search", params={"q": next(queries), "k": 5}).raise_for_status()
                quiet.latencies.append(time.monotonic() - started)
            final = http.get("/v1/cases", params={"limit": 1}).json()["total"]
    finally:
        workers = descendants(server.pid)
        server.terminate()
        server.wait(timeout=60)
        end_all(workers)
    idle_seconds, _ = _casebook("cases", "--count", "--store", str(store))
    return {
        "cases": cases,
        "add_exit": adder.returncode,
        "add_seconds": round(add_seconds, 1),
        "add_message": _last_message(add_err),
        "cases_count_cli": count.report(),
        "cases_count_cli_idle_ms": round(1000 * idle_seconds),
        "count_in_process": counted.report(),
        "get_search": search.report(),
        "get_search_after_add": quiet.report(),
        "get_cases": listing.report(),
        "small_writers": writers,
        "stored_at_end": final,
        "stored_expected": cases + extra,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--small", type=Path, required=True, help="A small report to add.")
    parser.add_argument("--every", type=float, default=2.0, help="Seconds between probes.")
    parser.add_argument(
        "--keep", type=Path, help="Work in this new folder and keep the store there."
    )
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="casebook-readers-"))
    try:
        report = run(args.corpus, args.cases, args.small, args.every, folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    failed = any(
        probe["failed"]
        for probe in (
            report["cases_count_cli"],
            report["count_in_process"],
            report["get_search"],
            report["get_cases"],
        )
        if isinstance(probe, dict)
    )
    if failed or report["stored_at_end"] != report["stored_expected"] or report["add_exit"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
