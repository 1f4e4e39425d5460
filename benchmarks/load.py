"""Load test of a running casebook server: N concurrent clients for a fixed time.

Start a server first (``casebook serve``), then for example::

    python benchmarks/load.py --url http://127.0.0.1:8000 --clients 50 --duration 60 \\
        --text ../shared/examples/csf-leak-after-bone-marrow-biopsy.txt \\
        --route "POST /v1/analyze"

Each ``--route`` is ``METHOD PATH``; a POST sends the text as JSON ``{"text": …}`` (what
/v1/analyze and a text search take). ``GET /v1/search`` sends ten-word queries drawn from
``--search-corpus`` (as ``benchmarks/http_search.py`` draws them) with ``k=10``, one after
another across all clients. Clients take the routes in turn. The report gives, per route
and overall, the requests completed, the errors (any status other than 2xx, or no answer), the
throughput and the latency percentiles; requests still in flight at the end are awaited and
counted. A separate client times GET /v1/health once a second meanwhile, to show that the
server stays responsive under load. Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path

import httpx
from http_search import ten_word_queries

SEARCH_PATH = "/v1/search"


@dataclass
class RouteStats:
    """What one route's requests did."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def report(self, seconds: float) -> dict[str, float | int | dict[str, int]]:
        """Counts, throughput (requests/s) and latency percentiles (ms)."""
        done = len(self.latencies)
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive") if done > 1 else []
        return {
            "requests": done + sum(self.errors.values()),
            "ok": done,
            "errors": dict(self.errors),
            "throughput_per_s": round(done / seconds, 2),
            "p50_ms": round(1000 * cuts[49], 1) if cuts else 0.0,
            "p95_ms": round(1000 * cuts[94], 1) if cuts else 0.0,
            "max_ms": round(1000 * max(self.latencies), 1) if done else 0.0,
        }


async def _client(
    http: httpx.AsyncClient,
    routes: list[tuple[str, str]],
    first: int,
    text: str,
    until: float,
    stats: dict[str, RouteStats],
    queries: Iterator[str],
) -> None:
    turn = first
    while time.monotonic() < until:
        method, path = routes[turn % len(routes)]
        turn += 1
        name = f"{method} {path}"
        body = {"text": text} if method == "POST" else None
        params = {"q": next(queries), "k": 10} if (method, path) == ("GET", SEARCH_PATH) else None
        started = time.monotonic()
        try:
            response = await http.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            stats[name].errors[type(exc).__name__] += 1
            continue
        if response.is_success:
            stats[name].latencies.append(time.monotonic() - started)
        else:
            stats[name].errors[str(response.status_code)] += 1


async def _probe(http: httpx.AsyncClient, until: float, stats: RouteStats) -> None:
    """Once a second, how long GET /v1/health takes while the load runs."""
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            response = await http.get("/v1/health")
        except httpx.HTTPError as exc:
            stats.errors[type(exc).__name__] += 1
        else:
            if response.is_success:
                stats.latencies.append(time.monotonic() - started)
            else:
                stats.errors[str(response.status_code)] += 1
        await asyncio.sleep(1.0)


async def run_load(
    url: str,
    routes: list[tuple[str, str]],
    text: str,
    *,
    clients: int,
    duration_s: float,
    token: str | None,
    queries: list[str],
) -> dict[str, object]:
    """Run the load and return the report."""
    if ("GET", SEARCH_PATH) in routes and not queries:
        raise ValueError("GET /v1/search needs queries (--search-corpus)")
    query_turns = cycle(queries)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    stats: dict[str, RouteStats] = defaultdict(RouteStats)
    health = RouteStats()
    timeout = httpx.Timeout(600.0)
    async with (
        httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=timeout) as http,
        httpx.AsyncClient(base_url=url, timeout=timeout) as prober,
    ):
        (await http.get("/v1/health")).raise_for_status()
        started = time.monotonic()
        until = started + duration_s
        await asyncio.gather(
            _probe(prober, until, health),
            *(_client(http, routes, i, text, until, stats, query_turns) for i in range(clients)),
        )
        elapsed = time.monotonic() - started
    overall = RouteStats()
    for route in stats.values():
        overall.latencies += route.latencies
        for kind, count in route.errors.items():
            overall.errors[kind] += count
    return {
        "url": url,
        "clients": clients,
        "duration_s": round(elapsed, 1),
        "text_chars": len(text),
        "routes": {name: route.report(elapsed) for name, route in stats.items()},
        "overall": overall.report(elapsed),
        "health_during_load": health.report(elapsed),
    }


def _route(spec: str) -> tuple[str, str]:
    method, _, path = spec.strip().partition(" ")
    if method.upper() not in {"GET", "POST"} or not path.startswith("/"):
        raise argparse.ArgumentTypeError(f"expected 'METHOD /path', got {spec!r}")
    return method.upper(), path.strip()


def main() -> int:
    """Parse the arguments, run the load, print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--text", type=Path, required=True, help="the case report to send")
    parser.add_argument("--route", type=_route, action="append", help="'METHOD /path' (repeatable)")
    parser.add_argument("--token", help="bearer token, when the server needs one")
    parser.add_argument(
        "--search-corpus", type=Path, help="PMC-Patients corpus.jsonl, for GET /v1/search queries"
    )
    args = parser.parse_args()
    queries = ten_word_queries(args.search_corpus, 1000) if args.search_corpus else []
    report = asyncio.run(
        run_load(
            args.url,
            args.route or [("POST", "/v1/analyze")],
            args.text.read_text(encoding="utf-8"),
            clients=args.clients,
            duration_s=args.duration,
            token=args.token,
            queries=queries,
        )
    )
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    overall = report["overall"]
    assert isinstance(overall, dict)
    return 1 if overall["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
