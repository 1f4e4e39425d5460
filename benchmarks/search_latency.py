"""Similar-case search latency on a real case store.

Usage (from the repository root)::

    .venv/bin/python benchmarks/search_latency.py --store STORE [--cases DIR] [--queries 200]

With ``--cases`` (a folder of Case JSON files, as ``casebook extract --out`` writes them) a
missing store is first filled with those cases as they are, without analysing anything again,
so that a store of the whole PMC-Patients corpus takes minutes, not an hour.

Measured, in this order, one process:

* *build*: the search index built from the store's cases and saved beside it;
* *load*: a fresh process's first search loading that saved index (the in-process copy is
  dropped first);
* *search by id*: ``service.search(store, case_id=…, k=10)`` for ``--queries`` stored cases
  drawn at random (seed 0), as a server calls it: checking that the store's files did not
  change, reading the query case from the index, fused ranking, explaining the ten hits and
  tallying their treatments;
* *ranking only*: ``CaseIndex.search`` for the same query cases, the index in memory;
* *command line*: ``casebook search --id … --json`` as a new process, ``--cli-runs`` times:
  interpreter start, imports, opening the store, loading the saved index, searching.

Prints a JSON report with the median and 95th percentile of each per-query time in ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from casebook import service
from casebook.model import Case, Document
from casebook.search.precedent import forget_loaded, index_folder, store_index
from casebook.store import CaseStore


def fill_store(store_path: Path, cases_dir: Path) -> int:
    """Store every Case JSON of ``cases_dir`` as it is; returns how many were added."""
    added = 0
    with service.open_store(store_path) as store:
        for path in sorted(cases_dir.glob("*.json")):
            case = Case.model_validate_json(path.read_bytes())
            document = Document(id=case.id, text=case.text, source=case.source)
            store.add(case, service.content_hash(document))
            added += 1
    return added


def percentiles(samples: list[float]) -> dict[str, float]:
    """Median and 95th percentile, in ms with one decimal."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * p95, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--cases", type=Path, help="Fill a missing store from these Case JSONs.")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--cli-runs", type=int, default=5)
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.store.exists() and args.cases is not None:
        started = time.perf_counter()
        report["filled"] = fill_store(args.store, args.cases)
        report["fill_s"] = round(time.perf_counter() - started, 1)

    with service.open_store(args.store, read_only=True) as store:
        report["cases"] = store.count()
        ids = store.ids()

    def reopen() -> CaseStore:
        return service.open_store(args.store, read_only=True)

    started = time.perf_counter()
    if not (index_folder(args.store) / "meta.json").is_file():
        store_index(args.store, reopen)
        report["build_s"] = round(time.perf_counter() - started, 1)
    forget_loaded()
    started = time.perf_counter()
    index = store_index(args.store, reopen)
    report["load_s"] = round(time.perf_counter() - started, 2)
    queries = random.Random(0).sample(ids, min(args.queries, len(ids)))

    by_id: list[float] = []
    for case_id in queries:
        started = time.perf_counter()
        service.search(args.store, case_id=case_id, k=args.k)
        by_id.append(time.perf_counter() - started)
    ranking: list[float] = []
    for case_id in queries:
        started = time.perf_counter()
        index.search(index.stored_query(case_id), args.k, exclude=[case_id])
        ranking.append(time.perf_counter() - started)
    cli: list[float] = []
    command = [
        str(Path(sys.executable).with_name("casebook")),
        "search",
        "--store",
        str(args.store),
    ]
    for case_id in queries[: args.cli_runs]:
        started = time.perf_counter()
        subprocess.run([*command, "--id", case_id, "--json"], check=True, capture_output=True)
        cli.append(time.perf_counter() - started)
    report["queries"] = len(queries)
    report["search_by_id"] = percentiles(by_id)
    report["ranking_only"] = percentiles(ranking)
    if cli:
        report["command_line"] = percentiles(cli)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
