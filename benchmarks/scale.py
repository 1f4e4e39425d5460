"""Cost curves of casebook's store and search as the corpus grows, on DuckDB and PostgreSQL.

Usage (from the repository root, with casebook's venv)::

    .venv/bin/casebook extract ../shared/datasets/pmc-patients/corpus.jsonl --out build/pmc-cases
    .venv/bin/python benchmarks/scale.py --seed-cases build/pmc-cases \\
        --sizes 10000 50000 100000 250000 --stores duckdb postgresql \\
        --work /tmp/casebook-scale --plots docs --json build/scale.json

**Synthetic stores, for cost only.** Quality is never measured on them: each synthetic case is
an analysed seed case (``--seed-cases``, Case JSON files that this casebook's pipeline made)
stored again under a new id (``syn0000123-<seed id>``), whole, with the search-index entry its
seed has. The cases are written as the case Parquet that ``casebook spark extract --format
parquet`` writes (one folder per step of ``--sizes``), which is what a corpus analysed on a
cluster looks like when it reaches ``casebook load``.

For each store (a DuckDB file; a database on a PostgreSQL server that the script starts in a
temporary folder, as the tests do, unless ``--postgres URL`` names one) and each size, in
increasing order, each step in its own processes:

* **load**: ``casebook load STEP --store URL --no-index`` of the cases that bring the store to
  that size (its wall and CPU time, and the peak resident memory of the command and its worker
  processes together);
* **index**: the search index of the whole store built and saved, as the first search after a
  load builds it (a fresh process; wall time and peak memory);
* **search in process**: a fresh process loads the saved index, then answers ``--queries``
  searches by stored case id (``service.search(store, case_id=…, k=10)``: the whole case as the
  query, hits explained, treatments tallied) and as many ten-word text queries (the query text
  analysed by the pipeline, then searched), one at a time; median and p95 of each;
* **search over HTTP**: ``casebook serve --store URL`` answers the same ten-word queries at
  ``GET /v1/search?q=…&k=10`` one at a time; median and p95, and the server's peak memory.

"Load + index from empty to N" is the sum of the load steps up to N plus the index built at N:
what loading N cases at once and indexing them costs, measured in steps.

``--throughput N`` also times analysis of N PMC-Patients patients with ``extract --workers 1``
and ``--workers 2``, ``spark extract`` on ``local[2]`` and a two-worker standalone cluster
(``benchmarks/spark_throughput.py``).

Writes a JSON report, prints Markdown tables, and draws ``scale-*.png`` into ``--plots``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))
DATA = Path(os.environ.get("CASEBOOK_DATA", ROOT.parent / "shared" / "datasets"))
CORPUS = DATA / "pmc-patients" / "corpus.jsonl"
ROWS_PER_FILE = 10_000
PLACEHOLDER = "@@casebook-synthetic-id@@"


@dataclass
class Measured:
    """A command's wall and CPU seconds and its peak memory with its children."""

    wall_s: float
    cpu_s: float
    peak_mb: float


@dataclass
class Step:
    """What one size cost on one store."""

    store: str
    cases: int
    load: Measured
    index: Measured
    load_and_index_from_empty_s: float
    search_in_process: dict[str, Any] = field(default_factory=dict)
    search_http: dict[str, Any] = field(default_factory=dict)


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total = 0
    todo = [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", encoding="utf-8") as statm:
                total += int(statm.read().split()[1]) * page
        except (OSError, ValueError):
            continue
    return total / 1e6


class PeakMemory:
    """Samples a process tree's resident memory on a thread until stopped; keeps the peak."""

    def __init__(self, pid: int, every_s: float = 0.2) -> None:
        self.peak_mb = 0.0
        self._pid = pid
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(self._pid))
            self._stop.wait(self._every_s)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def run_measured(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run a command to its end; its wall and CPU time (children included) and peak memory."""
    before = os.times()
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = PeakMemory(process.pid)
    out, err = process.communicate()
    wall = time.monotonic() - started
    peak = sampler.stop()
    after = os.times()
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed ({process.returncode}):\n{err.decode()[-3000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return Measured(round(wall, 1), round(cpu, 1), round(peak))


def _casebook() -> list[str]:
    return [sys.executable, "-m", "casebook"]


def write_synthetic(seed_dir: Path, out: Path, start: int, stop: int) -> None:
    """The case Parquet of synthetic cases ``start`` to ``stop`` (see the module's notes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from casebook.export.parquet import CASES_SCHEMA
    from casebook.model import Case
    from casebook.pipeline_fingerprint import pipeline_fingerprint
    from casebook.search.hybrid import CaseIndexer
    from casebook.service.hashing import content_hash

    indexer = CaseIndexer()
    pipeline = pipeline_fingerprint()
    seeds: list[tuple[str, str, str, str]] = []
    for path in sorted(seed_dir.glob("*.json")):
        case = Case.model_validate_json(path.read_bytes())
        if case.pipeline != pipeline:
            raise SystemExit(
                f"{path} was made by pipeline {case.pipeline}, not this casebook's {pipeline}: "
                "run `casebook extract` again for the seed cases"
            )
        template = case.model_copy(update={"id": PLACEHOLDER}).model_dump_json()
        seeds.append((case.id, template, content_hash(case), indexer.entry(case).to_json()))
    out.mkdir(parents=True, exist_ok=True)
    for first in range(start, stop, ROWS_PER_FILE):
        rows: dict[str, list[str]] = {name: [] for name in CASES_SCHEMA.names}
        for number in range(first, min(stop, first + ROWS_PER_FILE)):
            seed_id, template, digest, entry = seeds[number % len(seeds)]
            case_id = f"syn{number:07d}-{seed_id}"
            rows["id"].append(case_id)
            rows["fingerprint"].append(digest)
            rows["case_json"].append(template.replace(PLACEHOLDER, case_id, 1))
            rows["index_key"].append(indexer.key)
            rows["index_entry"].append(entry)
        table = pa.table(rows, schema=CASES_SCHEMA)
        pq.write_table(table, out / f"part-{first:09d}.parquet", row_group_size=1000)


def build_index(store: str) -> None:
    """Build and save the store's search index (a step run in its own process)."""
    from casebook import service
    from casebook.search.precedent import store_index

    location = service.resolve_store(store)
    store_index(location, lambda: service.open_store(location, read_only=True))


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * p95, 1),
        "queries": len(ordered),
    }


def search_in_process(store: str, queries: int, texts: list[str]) -> dict[str, Any]:
    """Index load time, then searches by stored id and by ten-word text (run in its own
    process); prints the report as JSON."""
    from casebook import service
    from casebook.search.precedent import store_index

    location = service.resolve_store(store)
    started = time.perf_counter()
    index = store_index(location, lambda: service.open_store(location, read_only=True))
    load_s = time.perf_counter() - started
    ids = random.Random(0).sample(sorted(index.positions), min(queries, len(index.positions)))
    service.search(location, case_id=ids[0], k=10)  # warm: the first search loads vocabularies
    by_id = []
    for case_id in ids:
        started = time.perf_counter()
        service.search(location, case_id=case_id, k=10)
        by_id.append(time.perf_counter() - started)
    service.search(location, text=texts[0], k=10)  # warm: loads the pipeline
    by_text = []
    for text in texts:
        started = time.perf_counter()
        service.search(location, text=text, k=10)
        by_text.append(time.perf_counter() - started)
    return {
        "index_load_s": round(load_s, 1),
        "by_id": _percentiles(by_id),
        "by_text": _percentiles(by_text),
        "peak_mb": round(_tree_rss_mb(os.getpid())),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def search_http(store: str, texts: list[str]) -> dict[str, Any]:
    """Ten-word queries to a fresh ``casebook serve``, one at a time; its peak memory."""
    import httpx

    port = _free_port()
    server = subprocess.Popen(
        [*_casebook(), "serve", "--store", store, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    sampler = PeakMemory(server.pid)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=900.0) as http:
            for _ in range(600):
                try:
                    if http.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
            started = time.perf_counter()
            http.get("/v1/search", params={"q": texts[0], "k": 10}).raise_for_status()
            first_s = time.perf_counter() - started
            latencies = []
            errors = 0
            for text in texts:
                started = time.perf_counter()
                answer = http.get("/v1/search", params={"q": text, "k": 10})
                latencies.append(time.perf_counter() - started)
                errors += answer.status_code != 200
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(60)
    return {
        "first_search_s": round(first_s, 1),
        **_percentiles(latencies),
        "errors": errors,
        "server_peak_mb": round(sampler.stop()),
    }


@contextmanager
def postgres(url: str | None) -> Iterator[str | None]:
    """The URL of a PostgreSQL server's ``postgres`` database: ``url``, or a temporary one;
    None when neither is possible."""
    if url:
        yield url
        return
    from postgres_server import pg_bin, temporary_server

    bin_folder = pg_bin()
    if bin_folder is None:
        yield None
        return
    with temporary_server(bin_folder, "-c shared_buffers=256MB -c max_wal_size=4GB") as started:
        yield started


def _new_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + f"/{name}"


def measure_store(
    kind: str, store: str, sizes: list[int], steps: dict[int, Path], queries: int, texts: list[str]
) -> list[Step]:
    """Every size on one store, loading each step's cases on top of the last."""
    results: list[Step] = []
    loaded_s = 0.0
    for size in sizes:
        load = run_measured(
            [*_casebook(), "load", str(steps[size]), "--store", store, "--no-index"]
        )
        loaded_s += load.wall_s
        index = run_measured([sys.executable, __file__, "_index", store])
        step = Step(kind, size, load, index, round(loaded_s + index.wall_s, 1))
        inner = subprocess.run(
            [sys.executable, __file__, "_search", store, str(queries), json.dumps(texts)],
            capture_output=True,
            text=True,
            check=True,
        )
        step.search_in_process = json.loads(inner.stdout.strip().splitlines()[-1])
        step.search_http = search_http(store, texts)
        results.append(step)
        print(json.dumps(asdict(step)), flush=True)
    return results


def ten_word_queries(count: int, seed: int = 20261126) -> list[str]:
    """``count`` queries of ten consecutive words of PMC-Patients texts (as
    ``benchmarks/http_search.py`` draws them)."""
    from http_search import ten_word_queries as draw

    return draw(CORPUS, count, seed)


def plot(results: list[Step], throughput: list[dict[str, Any]], folder: Path) -> list[Path]:
    """Draw each cost against corpus size; the PNG files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    stores = sorted({step.store for step in results})
    drawn: list[Path] = []

    def figure(name: str, title: str, ylabel: str, series: dict[str, Any]) -> None:
        fig, axes = plt.subplots(figsize=(7, 4.2))
        for label, (xs, ys, style) in series.items():
            axes.plot(xs, ys, style, label=label)
        axes.set_title(title)
        axes.set_xlabel("cases in the store")
        axes.set_ylabel(ylabel)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
        fig.tight_layout()
        path = folder / f"scale-{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        drawn.append(path)

    def of(store: str) -> list[Step]:
        return [step for step in results if step.store == store]

    styles = {"duckdb": "o-", "postgresql": "s--"}
    figure(
        "load",
        "Load + index from empty (2 cores)",
        "minutes",
        {
            f"{s}: load + index": (
                [x.cases for x in of(s)],
                [x.load_and_index_from_empty_s / 60 for x in of(s)],
                styles.get(s, "o-"),
            )
            for s in stores
        },
    )
    latency: dict[str, Any] = {}
    for s in stores:
        xs = [x.cases for x in of(s)]
        latency[f"{s}: by id, in process, p95"] = (
            xs,
            [x.search_in_process["by_id"]["p95_ms"] for x in of(s)],
            styles.get(s, "o-"),
        )
        latency[f"{s}: ten words, in process, p95"] = (
            xs,
            [x.search_in_process["by_text"]["p95_ms"] for x in of(s)],
            styles.get(s, "o-"),
        )
        latency[f"{s}: ten words, HTTP, p95"] = (
            xs,
            [x.search_http["p95_ms"] for x in of(s)],
            styles.get(s, "o-"),
        )
    figure("search", "Search latency, k = 10", "ms (p95)", latency)
    memory: dict[str, Any] = {}
    for s in stores:
        xs = [x.cases for x in of(s)]
        memory[f"{s}: load"] = (xs, [x.load.peak_mb for x in of(s)], styles.get(s, "o-"))
        memory[f"{s}: index build"] = (xs, [x.index.peak_mb for x in of(s)], styles.get(s, "o-"))
        memory[f"{s}: serve"] = (
            xs,
            [x.search_http["server_peak_mb"] for x in of(s)],
            styles.get(s, "o-"),
        )
    figure("memory", "Peak resident memory, all processes of the command", "MB", memory)
    if throughput:
        fig, axes = plt.subplots(figsize=(7, 3.6))
        names = [run["name"] for run in throughput]
        rates = [run["documents_per_s"] for run in throughput]
        axes.barh(names, rates)
        axes.set_xlabel("documents per second")
        axes.set_title("Analysis throughput (PMC-Patients, 2 cores)")
        fig.tight_layout()
        path = folder / "scale-analysis.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        drawn.append(path)
    return drawn


def analysis_throughput(patients: int, work: Path) -> list[dict[str, Any]]:
    """``benchmarks/spark_throughput.py``'s runs, as JSON."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "spark_throughput.py"),
            str(CORPUS),
            "--patients",
            str(patients),
            "--work",
            str(work),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    runs: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return runs


def markdown(results: list[Step]) -> str:
    """The results as Markdown tables."""
    lines = [
        "| store | cases | load (step) | index | load + index from empty | peak MB load / index / "
        "serve | by id p50 / p95 | ten words p50 / p95 | HTTP p50 / p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in results:
        inside = s.search_in_process
        lines.append(
            f"| {s.store} | {s.cases:,} | {s.load.wall_s:.0f} s | {s.index.wall_s:.0f} s | "
            f"{s.load_and_index_from_empty_s / 60:.1f} min | {s.load.peak_mb:.0f} / "
            f"{s.index.peak_mb:.0f} / {s.search_http['server_peak_mb']:.0f} | "
            f"{inside['by_id']['p50_ms']:.0f} / {inside['by_id']['p95_ms']:.0f} ms | "
            f"{inside['by_text']['p50_ms']:.0f} / {inside['by_text']['p95_ms']:.0f} ms | "
            f"{s.search_http['p50_ms']:.0f} / {s.search_http['p95_ms']:.0f} ms |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed-cases", type=Path, required=True, help="Case JSON files")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000, 250_000])
    parser.add_argument("--stores", nargs="+", default=["duckdb", "postgresql"])
    parser.add_argument("--postgres", help="a server's URL (default: start a temporary one)")
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder")
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind")
    parser.add_argument("--throughput", type=int, default=0, help="patients for analysis runs")
    parser.add_argument("--plots", type=Path, help="where to draw scale-*.png")
    parser.add_argument("--json", type=Path, help="where to write the report")
    arguments = parser.parse_args()
    sizes = sorted(arguments.sizes)
    work: Path = arguments.work
    work.mkdir(parents=True, exist_ok=True)
    steps: dict[int, Path] = {}
    previous = 0
    for size in sizes:
        steps[size] = work / f"cases-{previous}-{size}"
        if not steps[size].is_dir():
            write_synthetic(arguments.seed_cases, steps[size], previous, size)
        previous = size
    texts = ten_word_queries(arguments.queries)
    results: list[Step] = []
    if "duckdb" in arguments.stores:
        store = work / "scale.duckdb"
        for stale in (store, store.with_name(store.name + ".wal")):
            stale.unlink(missing_ok=True)
        results += measure_store("duckdb", str(store), sizes, steps, arguments.queries, texts)
    if "postgresql" in arguments.stores:
        with postgres(arguments.postgres) as server:
            if server is None:
                print("PostgreSQL is not installed: its runs are left out", file=sys.stderr)
            else:
                store = _new_database(server, "casebook_scale")
                results += measure_store(
                    "postgresql", store, sizes, steps, arguments.queries, texts
                )
    throughput = (
        analysis_throughput(arguments.throughput, work / "throughput")
        if arguments.throughput
        else []
    )
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "cores": os.cpu_count(),
        "seed_cases": len(list(arguments.seed_cases.glob("*.json"))),
        "steps": [asdict(step) for step in results],
        "analysis": throughput,
    }
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    if arguments.plots:
        for path in plot(results, throughput, arguments.plots):
            print(f"drew {path}", file=sys.stderr)
    print(markdown(results))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_index":
        build_index(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "_search":
        report = search_in_process(sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]))
        print(json.dumps(report))
    else:
        main()
