"""Overload a running casebook server with long reports; do health and search keep answering,
and does the work stop when the requests give up?

Start a server on a store that holds some cases first, noting its pid, then for example::

    casebook add ../shared/datasets/pmc-patients/corpus.jsonl --store /tmp/load.duckdb  # a few
    casebook serve --store /tmp/load.duckdb &
    python benchmarks/overload.py --url http://127.0.0.1:8000 --server-pid $! \\
        --corpus ../shared/datasets/pmc-patients/corpus.jsonl --clients 20 --chars 500000 \\
        --duration 60

``--clients`` clients each post one report of ``--chars`` characters (distinct PMC-Patients
patients joined by blank lines, as ``benchmarks/scaling.py --source pmc-patients`` builds it) to
``POST /v1/analyze`` over and over for ``--duration`` seconds; their answers (200, or 504 past
the server's CASEBOOK_API_TIMEOUT_S) are counted. Meanwhile two probes, each on its own
connection, send ``GET /v1/health`` and ``GET /v1/search`` (ten-word queries drawn from the
corpus with ``benchmarks/http_search.py``'s seed, k=10) one after another, every
``--probe-every`` seconds; their latency percentiles are the point. When the load ends no
report is sent any more, and those in flight are waited for. The CPU of the server and every
process under it (its analysis workers) is sampled once a second from the start until
``--watch-after`` seconds after the end, and the report says how long after the end it fell
below ``--idle-cpu`` (cores busy) to stay.
Linux only (``/proc``). Prints a JSON report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path

import httpx
from http_search import ten_word_queries
from scaling import build_text

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Probe:
    """What one probed route did: latencies of its answers, and its statuses."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    def report(self) -> dict[str, object]:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return {
            "requests": len(self.latencies),
            "statuses": dict(self.statuses),
            "p50_ms": round(1000 * cuts[49], 1),
            "p95_ms": round(1000 * cuts[94], 1),
            "max_ms": round(1000 * max(self.latencies), 1),
        }


def _cpu_seconds(root: int) -> dict[int, float]:
    """CPU seconds used so far by ``root`` and by every process under it, by pid."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    found, frontier = {root}, {root}
    while frontier:
        frontier = {pid for pid, (parent, _) in stats.items() if parent in frontier} - found
        found |= frontier
    return {pid: stats[pid][1] for pid in found if pid in stats}


async def _watch_cpu(pid: int, until: float, samples: list[tuple[float, float]]) -> None:
    """Once a second until ``until``: (time, cores busy since the last sample), counting the
    processes alive at both samples (a worker that ended takes its CPU time with it)."""
    last_time, last = time.monotonic(), _cpu_seconds(pid)
    while time.monotonic() < until:
        await asyncio.sleep(1.0)
        now, current = time.monotonic(), _cpu_seconds(pid)
        used = sum(current[p] - last[p] for p in current.keys() & last.keys())
        samples.append((now, used / (now - last_time)))
        last_time, last = now, current


async def _post_reports(
    http: httpx.AsyncClient, text: str, until: float, statuses: Counter[str]
) -> None:
    """Post the report again and again until ``until``; the last one is waited for."""
    while time.monotonic() < until:
        try:
            response = await http.post("/v1/analyze", json={"text": text})
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
        else:
            statuses[str(response.status_code)] += 1


async def _probe(
    http: httpx.AsyncClient,
    path: str,
    queries: cycle[str] | None,
    every_s: float,
    until: float,
    probe: Probe,
) -> None:
    while time.monotonic() < until:
        params = {"q": next(queries), "k": 10} if queries is not None else None
        started = time.monotonic()
        try:
            response = await http.get(path, params=params)
            probe.statuses[str(response.status_code)] += 1
        except httpx.HTTPError as exc:
            probe.statuses[type(exc).__name__] += 1
        probe.latencies.append(time.monotonic() - started)
        await asyncio.sleep(max(0.0, every_s - (time.monotonic() - started)))


async def overload(args: argparse.Namespace) -> dict[str, object]:
    """Run the load, the probes and the CPU watch; the report."""
    text = build_text("pmc-patients", args.chars, args.corpus)
    queries = cycle(ten_word_queries(args.corpus, 1000))
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    timeout = httpx.Timeout(args.client_timeout)
    limits = httpx.Limits(max_connections=args.clients)
    posted: Counter[str] = Counter()
    health, search = Probe(), Probe()
    cpu: list[tuple[float, float]] = []
    async with (
        httpx.AsyncClient(base_url=args.url, headers=headers, timeout=timeout) as warm,
        httpx.AsyncClient(base_url=args.url, headers=headers, timeout=timeout) as health_http,
        httpx.AsyncClient(base_url=args.url, headers=headers, timeout=timeout) as search_http,
    ):
        # One search first, not counted: the server loads the store's index.
        (await warm.get("/v1/search", params={"q": next(queries)})).raise_for_status()
        started = time.monotonic()
        until = started + args.duration
        watch = asyncio.ensure_future(_watch_cpu(args.server_pid, until + args.watch_after, cpu))
        async with httpx.AsyncClient(
            base_url=args.url, headers=headers, timeout=timeout, limits=limits
        ) as load:
            posting = [
                asyncio.ensure_future(_post_reports(load, text, until, posted))
                for _ in range(args.clients)
            ]
            await asyncio.gather(
                _probe(health_http, "/v1/health", None, args.probe_every, until, health),
                _probe(search_http, "/v1/search", queries, args.probe_every, until, search),
            )
            ended = time.monotonic()
            # No report is sent after the end; those sent are answered (or time out).
            await asyncio.gather(*posting)
        answered = time.monotonic()
        await watch
    idle_after = None
    for at, _ in cpu:
        if at >= ended and all(s < args.idle_cpu for t, s in cpu if t >= at):
            idle_after = round(at - ended, 1)
            break
    return {
        "url": args.url,
        "clients": args.clients,
        "report_chars": len(text),
        "duration_s": args.duration,
        "posted_reports": dict(posted),
        "last_report_answered_s_after_load_end": round(answered - ended, 1),
        "health": health.report(),
        "search": search.report(),
        "cpu_cores_busy_by_second": [
            [round(at - started, 1), round(share, 2)] for at, share in cpu
        ],
        "idle_cpu_share": args.idle_cpu,
        "idle_s_after_load_end": idle_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", help="bearer token, when the server needs one")
    parser.add_argument("--server-pid", type=int, required=True, help="the casebook serve pid")
    parser.add_argument("--corpus", type=Path, required=True, help="PMC-Patients corpus.jsonl")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--chars", type=int, default=500_000, help="characters per report")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--probe-every", type=float, default=0.5, help="seconds between probes")
    parser.add_argument("--client-timeout", type=float, default=600.0, help="seconds")
    parser.add_argument("--watch-after", type=float, default=90.0, help="seconds of CPU watch")
    parser.add_argument("--idle-cpu", type=float, default=0.1, help="idle: below this share")
    args = parser.parse_args()
    json.dump(asyncio.run(overload(args)), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
