"""Soak: a server under mixed add, search and analyze for a long time, its memory sampled.

Starts ``casebook serve`` on loopback over a store (a copy of ``--store-from``, or a new one),
then for ``--duration`` seconds ``--clients`` clients each send, one after another with
``--pause`` seconds between, a request drawn with a fixed seed from the mix: ``GET
/v1/search`` (ten words of a corpus text), ``POST /v1/analyze`` (a corpus text) or ``POST
/v1/cases`` (a corpus text not sent before, so the store grows). Every ``--cli-add-every``
seconds a separate ``casebook add`` process stores ``--cli-add-size`` more corpus texts, a
writer beside the server. Every ``--sample-every`` seconds the resident memory of the server
and of each of its child processes is read from ``/proc``. For example::

    python benchmarks/soak.py --corpus ../shared/datasets/pmc-patients/corpus.jsonl \\
        --store-from STORE --duration 1800 --out build/soak.json --png docs/soak-memory.png

The report (JSON, also on stdout) gives per route the requests, errors (any status other than
2xx, or no answer) and latency percentiles, the CLI adds' outcomes, and the memory at the
start, the end and its peak, with every sample; ``--png`` draws the memory and the requests
per minute. ``--plot REPORT --png PNG`` draws a saved report again. Exit status 1 when any
request or CLI add failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from http_search import ten_word_queries

CASEBOOK = Path(sys.executable).with_name("casebook")
SEED = 20261205
ROUTES = {"GET /v1/search": 0.5, "POST /v1/analyze": 0.3, "POST /v1/cases": 0.2}
"""Each request's route is drawn with these weights."""


@dataclass
class RouteStats:
    """What one route's requests did: (seconds since the start, latency) per answer."""

    answers: list[tuple[float, float]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def report(self) -> dict[str, Any]:
        latencies = sorted(latency for _, latency in self.answers)
        cuts = statistics.quantiles(latencies, n=100, method="inclusive") if latencies else []
        return {
            "requests": len(latencies) + sum(self.errors.values()),
            "errors": dict(self.errors),
            "p50_ms": round(1000 * cuts[49]) if cuts else None,
            "p95_ms": round(1000 * cuts[94]) if cuts else None,
            "max_ms": round(1000 * latencies[-1]) if latencies else None,
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """Every descendant process of ``pid``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found += kids
        frontier += kids
    return found


def end_all(pids: list[int]) -> None:
    """Kill these processes if they outlived their parent (a server's analysis workers)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def memory_sample(server: int, started: float) -> dict[str, Any]:
    """The server's and its children's resident memory now, in MB."""
    children = {pid: _rss_mb(pid) for pid in descendants(server)}
    main = _rss_mb(server) or 0.0
    workers = sum(rss for rss in children.values() if rss)
    return {
        "t_s": round(time.monotonic() - started, 1),
        "server_mb": round(main, 1),
        "children_mb": round(workers, 1),
        "children": len(children),
        "total_mb": round(main + workers, 1),
    }


def _corpus_texts(corpus: Path) -> list[str]:
    with corpus.open(encoding="utf-8") as lines:
        return [str(json.loads(line)["text"]) for line in lines if line.strip()]


async def _client(
    http: httpx.AsyncClient,
    chooser: random.Random,
    texts: list[str],
    fresh: itertools.count[int],
    queries: itertools.cycle[str],
    pause: float,
    until: float,
    started: float,
    stats: dict[str, RouteStats],
) -> None:
    names, weights = list(ROUTES), list(ROUTES.values())
    while time.monotonic() < until:
        route = chooser.choices(names, weights)[0]
        if route == "GET /v1/search":
            request = http.build_request("GET", "/v1/search", params={"q": next(queries), "k": 10})
        elif route == "POST /v1/analyze":
            request = http.build_request(
                "POST", "/v1/analyze", json={"text": chooser.choice(texts)}
            )
        else:
            text = texts[next(fresh) % len(texts)]
            request = http.build_request("POST", "/v1/cases", json={"text": text})
        sent = time.monotonic()
        try:
            response = await http.send(request)
        except httpx.HTTPError as exc:
            stats[route].errors[type(exc).__name__] += 1
        else:
            if response.is_success:
                stats[route].answers.append((sent - started, time.monotonic() - sent))
            else:
                code = response.json().get("code", "") if response.content else ""
                stats[route].errors[f"{response.status_code} {code}".strip()] += 1
        await asyncio.sleep(pause)


async def _cli_adds(
    store: Path,
    folder: Path,
    texts: list[str],
    fresh: itertools.count[int],
    every: float,
    size: int,
    until: float,
    started: float,
) -> list[dict[str, Any]]:
    outcomes: list[dict[str, Any]] = []
    number = 0
    while time.monotonic() + every < until:
        await asyncio.sleep(every)
        number += 1
        batch = folder / f"cli-add-{number}.jsonl"
        with batch.open("w", encoding="utf-8") as sink:
            for _ in range(size):
                index = next(fresh) % len(texts)
                sink.write(json.dumps({"patient_uid": f"soak-{index}", "text": texts[index]}))
                sink.write("\n")
        sent = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            str(CASEBOOK),
            "add",
            str(batch),
            "--store",
            str(store),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        lines = [line for line in stderr.decode().splitlines() if "━" not in line and line]
        outcomes.append(
            {
                "at_s": round(sent - started),
                "exit": process.returncode,
                "seconds": round(time.monotonic() - sent, 1),
                "message": " ".join(lines[-2:]),
            }
        )
    return outcomes


async def _sampler(
    server: int, every: float, stop: asyncio.Event, started: float, samples: list[dict[str, Any]]
) -> None:
    """A sample now and every ``every`` seconds until ``stop`` is set, and one then."""
    while True:
        samples.append(memory_sample(server, started))
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            continue
        samples.append(memory_sample(server, started))
        return


async def soak(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Serve, load and sample; the report."""
    store = folder / "cases.duckdb"
    if args.store_from:
        shutil.copy(args.store_from, store)
        index = args.store_from.with_name(args.store_from.name + ".search")
        if index.is_dir():
            shutil.copytree(index, store.with_name(store.name + ".search"))
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        str(CASEBOOK),
        "serve",
        "--port",
        str(port),
        "--store",
        str(store),
        "--workers",
        str(args.workers),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    texts = _corpus_texts(args.corpus)
    queries = itertools.cycle(ten_word_queries(args.corpus, 2000))
    # Texts not stored yet: those after the ones the seed store was built from.
    fresh = itertools.count(args.fresh_from)
    stats = {route: RouteStats() for route in ROUTES}
    samples: list[dict[str, Any]] = []
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=args.timeout
        ) as http:
            await _wait_for(http)
            # Load the index and the analysis processes before the clock starts.
            (await http.get("/v1/search", params={"q": next(queries), "k": 10})).raise_for_status()
            started = time.monotonic()
            until = started + args.duration
            load_start = os.getloadavg()
            chooser = random.Random(SEED)
            clients = [
                _client(
                    http,
                    random.Random(chooser.random()),
                    texts,
                    fresh,
                    queries,
                    args.pause,
                    until,
                    started,
                    stats,
                )
                for _ in range(args.clients)
            ]
            stop = asyncio.Event()
            sampler = asyncio.create_task(
                _sampler(server.pid, args.sample_every, stop, started, samples)
            )
            adds = _cli_adds(
                store, folder, texts, fresh, args.cli_add_every, args.cli_add_size, until, started
            )
            *_, cli = await asyncio.gather(*clients, adds)
            elapsed = time.monotonic() - started
            stop.set()
            await sampler
            stored = (await http.get("/v1/cases", params={"limit": 1})).json()["total"]
    finally:
        workers = descendants(server.pid)
        server.terminate()
        await server.wait()
        end_all(workers)
    totals = [sample["total_mb"] for sample in samples]
    return {
        "duration_s": round(elapsed),
        "clients": args.clients,
        "pause_s": args.pause,
        "analysis_workers": args.workers,
        "routes": {route: route_stats.report() for route, route_stats in stats.items()},
        "cli_adds": cli,
        "stored_at_end": stored,
        "memory_mb": {
            "start": totals[0],
            "end": totals[-1],
            "peak": max(totals),
            "server_start": samples[0]["server_mb"],
            "server_end": samples[-1]["server_mb"],
            "server_peak": max(sample["server_mb"] for sample in samples),
        },
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "samples": samples,
        "answers_per_minute": {
            route: _per_minute(route_stats.answers, elapsed) for route, route_stats in stats.items()
        },
    }


def _per_minute(answers: list[tuple[float, float]], elapsed: float) -> list[int]:
    counts = [0] * (int(elapsed // 60) + 1)
    for at, _ in answers:
        counts[int(at // 60)] += 1
    return counts


async def _wait_for(http: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if (await http.get("/v1/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("the server did not answer within 300 s")


def draw(report: dict[str, Any], png: Path) -> None:
    """The memory samples and the answers per minute, one above the other."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = report["samples"]
    minutes = [sample["t_s"] / 60 for sample in samples]
    figure, (memory, rate) = plt.subplots(
        2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    memory.plot(minutes, [s["total_mb"] for s in samples], label="server and its workers")
    memory.plot(minutes, [s["children_mb"] for s in samples], label="analysis workers")
    memory.plot(minutes, [s["server_mb"] for s in samples], label="server process")
    memory.set_ylabel("resident memory (MB)")
    memory.set_ylim(bottom=0)
    memory.legend(loc="lower right")
    memory.grid(alpha=0.3)
    routes = report["routes"]
    memory.set_title(
        f"casebook serve, {report['duration_s'] / 60:.0f} min of mixed requests "
        f"({sum(r['requests'] for r in routes.values())} requests, "
        f"{sum(sum(r['errors'].values()) for r in routes.values())} errors), "
        f"memory every {samples[1]['t_s'] - samples[0]['t_s']:.0f} s"
    )
    for route, counts in report["answers_per_minute"].items():
        rate.step(range(len(counts)), counts, where="post", label=route)
    rate.set_xlabel("minutes")
    rate.set_ylabel("answers per minute")
    rate.legend(loc="upper right", fontsize="small")
    rate.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(png, dpi=100)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="PMC-Patients JSONL: the texts sent.")
    parser.add_argument("--store-from", type=Path, help="A store to copy and serve.")
    parser.add_argument(
        "--fresh-from", type=int, default=1000, help="The first corpus line not in the store."
    )
    parser.add_argument("--duration", type=float, default=1800.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--pause", type=float, default=1.0, help="Seconds between requests.")
    parser.add_argument("--workers", type=int, default=2, help="The server's analysis workers.")
    parser.add_argument("--timeout", type=float, default=120.0, help="Seconds per request.")
    parser.add_argument("--sample-every", type=float, default=10.0)
    parser.add_argument("--cli-add-every", type=float, default=300.0)
    parser.add_argument("--cli-add-size", type=int, default=10)
    parser.add_argument("--out", type=Path, help="Write the report here too.")
    parser.add_argument("--png", type=Path, help="Draw the memory and the request rate here.")
    parser.add_argument("--plot", type=Path, help="Only draw this saved report (needs --png).")
    args = parser.parse_args()
    if args.plot:
        if not args.png:
            parser.error("--plot needs --png")
        draw(json.loads(args.plot.read_text(encoding="utf-8")), args.png)
        return
    if not args.corpus:
        parser.error("--corpus is needed")
    folder = Path(tempfile.mkdtemp(prefix="casebook-soak-"))
    try:
        report = asyncio.run(soak(args, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    summary = {k: v for k, v in report.items() if k not in {"samples", "answers_per_minute"}}
    json.dump(summary, sys.stdout, indent=1)
    sys.stdout.write("\n")
    if args.png:
        draw(report, args.png)
    failed = any(r["errors"] for r in report["routes"].values()) or any(
        add["exit"] for add in report["cli_adds"]
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
