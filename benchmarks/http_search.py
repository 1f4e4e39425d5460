"""Latency of similar-case search over HTTP: ten-word queries, one at a time, to GET /v1/search.

Start a server on a store first (``casebook serve --store STORE``), then for example::

    python benchmarks/http_search.py --url http://127.0.0.1:8000 \\
        --corpus ../shared/datasets/pmc-patients/corpus.jsonl --queries 200 -k 10

Each query is ten consecutive words of a corpus text, chosen with a fixed seed, so every run
sends the same queries. One warm-up query (not counted) lets the server load the store's index
first. The report gives the median, p95 and max latency in ms, the errors (any status other
than 200, or no answer) and the mean number of hits. Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import httpx

SEED = 20261126


def ten_word_queries(corpus: Path, count: int, seed: int = SEED, words: int = 10) -> list[str]:
    """``count`` queries, each ``words`` consecutive words of a text of a PMC-Patients JSONL
    corpus (its ``text`` field), drawn with ``seed``."""
    texts: list[str] = []
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = str(record["text"])
            if len(text.split()) >= words:
                texts.append(text)
    chooser = random.Random(seed)
    queries: list[str] = []
    for _ in range(count):
        tokens = chooser.choice(texts).split()
        start = chooser.randrange(len(tokens) - words + 1)
        queries.append(" ".join(tokens[start : start + words]))
    return queries


def measure(url: str, queries: list[str], k: int, token: str | None) -> dict[str, object]:
    """Send the queries one after another; the latency of each, and what came back."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    hits: list[int] = []
    with httpx.Client(base_url=url, headers=headers, timeout=600.0) as http:
        http.get("/v1/search", params={"q": queries[0], "k": k}).raise_for_status()
        for query in queries:
            started = time.perf_counter()
            try:
                response = http.get("/v1/search", params={"q": query, "k": k})
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                continue
            latencies.append(elapsed)
            hits.append(len(response.json()["similar"]))
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []
    return {
        "url": url,
        "queries": len(queries),
        "k": k,
        "ok": len(latencies),
        "errors": errors,
        "mean_hits": round(statistics.fmean(hits), 2) if hits else 0.0,
        "median_ms": round(1000 * statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(1000 * cuts[94], 1) if cuts else 0.0,
        "max_ms": round(1000 * max(latencies), 1) if latencies else 0.0,
    }


def main() -> int:
    """Parse the arguments, send the queries, print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--corpus", type=Path, required=True, help="PMC-Patients corpus.jsonl")
    parser.add_argument("--queries", type=int, default=200, help="how many queries")
    parser.add_argument("-k", type=int, default=10, help="hits per query")
    parser.add_argument("--token", help="bearer token, when the server needs one")
    args = parser.parse_args()
    queries = ten_word_queries(args.corpus, args.queries)
    report = measure(args.url, queries, args.k, args.token)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
