"""Analysis throughput: ``casebook extract`` and ``casebook add`` with 1 and 2 workers beside
``casebook spark extract`` on ``local[1]``, ``local[2]`` and a two-worker standalone cluster,
on the same patients.

    .venv/bin/python benchmarks/spark_throughput.py ../shared/datasets/pmc-patients/corpus.jsonl \\
        --patients 300 --work /tmp/spark-bench

Each run starts from an empty output folder and is timed whole, from the command's start to
its exit: reading, starting Spark, loading the pipeline in every worker, analysing, writing.
The cluster (a master and two one-core workers on this machine, as the tests start) is up
before its run, as a real cluster is. Every run's Case JSON files are checked to equal
``extract --workers 1``'s. Prints a Markdown table (``--json``: one JSON line).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import casebook

QUIET_CONF = ["--conf", "spark.ui.enabled=false"]


@dataclass(frozen=True)
class Run:
    name: str
    command: list[str]
    documents: int
    wall_s: float
    load: float


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _spark_bin(name: str) -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / name


def _env() -> dict[str, str]:
    source = str(Path(casebook.__file__).parents[1])
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    return {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYTHONPATH": path,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


@contextmanager
def standalone_cluster(root: Path, workers: int = 2) -> Iterator[str]:
    """A master and ``workers`` one-core workers on the loopback; yields the master's URL."""
    env = {**_env(), "SPARK_LOG_DIR": str(root / "logs"), "SPARK_WORKER_DIR": str(root)}
    port, ui_port = _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    daemons: list[subprocess.Popen[bytes]] = []

    def start(name: str, *arguments: str) -> None:
        log = (root / f"{name}.log").open("wb")
        command = [str(_spark_bin("spark-class")), *arguments]
        daemons.append(
            subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    root.mkdir(parents=True, exist_ok=True)
    try:
        start(
            "master",
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port)),
        )
        for number in range(workers):
            start(
                f"worker-{number}",
                "org.apache.spark.deploy.worker.Worker",
                *("--host", "127.0.0.1", "--cores", "1", "--memory", "2g"),
                *("--webui-port", str(_free_port()), "--work-dir", str(root / f"work-{number}")),
                url,
            )
        deadline = time.monotonic() + 120
        while _alive_workers(ui_port) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster did not start; logs in {root}")
            time.sleep(0.5)
        yield url
    finally:
        for daemon in reversed(daemons):
            if daemon.poll() is None:
                os.killpg(daemon.pid, signal.SIGTERM)
                daemon.wait(timeout=60)


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as answer:
            return int(json.load(answer).get("aliveworkers", 0))
    except OSError:
        return 0


def _timed(name: str, command: list[str], out: Path, documents: int, mkdir: bool = False) -> Run:
    """Run ``command`` into an empty ``out`` (a folder made first when ``mkdir``), timed."""
    shutil.rmtree(out, ignore_errors=True)
    if mkdir:
        out.mkdir(parents=True)
    started = time.monotonic()
    done = subprocess.run(command, env=_env(), capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return Run(name, command, documents, wall, os.getloadavg()[0])


def _case_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.json"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="PMC-Patients corpus.jsonl")
    parser.add_argument("--patients", type=int, default=300, help="its first N lines")
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder")
    parser.add_argument("--json", action="store_true", help="print the runs as one JSON line")
    arguments = parser.parse_args()
    work: Path = arguments.work
    work.mkdir(parents=True, exist_ok=True)
    patients = work / "patients.jsonl"
    with arguments.corpus.open(encoding="utf-8") as corpus:
        patients.write_text("".join(islice(corpus, arguments.patients)), encoding="utf-8")
    n = arguments.patients
    casebook_command = [sys.executable, "-m", "casebook"]
    runs: list[Run] = []
    for workers in (1, 2):
        out = work / f"extract-{workers}"
        command = [*casebook_command, "extract", str(patients), "--out", str(out)]
        runs.append(
            _timed(f"extract --workers {workers}", [*command, "--workers", str(workers)], out, n)
        )
    reference = _case_files(work / "extract-1")
    assert len(reference) == n, len(reference)
    for workers in (1, 2):
        store = work / f"add-{workers}" / "cases.duckdb"
        command = [*casebook_command, "add", str(patients), "--store", str(store), "--no-index"]
        runs.append(
            _timed(
                f"add --workers {workers}",
                [*command, "--workers", str(workers)],
                store.parent,
                n,
                mkdir=True,
            )
        )
    spark = [*casebook_command, "spark", "extract", str(patients)]
    for master in ("local[1]", "local[2]"):
        out = work / f"spark-{master}"
        command = [*spark, "--out", str(out), "--master", master, *QUIET_CONF]
        runs.append(_timed(f"spark extract --master {master}", command, out, n))
        assert _case_files(out) == reference, master
    with standalone_cluster(work / "cluster") as url:
        out = work / "spark-cluster"
        command = [*spark, "--out", str(out), "--master", url, *QUIET_CONF]
        runs.append(
            _timed("spark extract, standalone cluster of 2 one-core workers", command, out, n)
        )
        assert _case_files(out) == reference, url
    if arguments.json:
        print(
            json.dumps(
                [
                    {
                        "name": run.name,
                        "documents": run.documents,
                        "wall_s": round(run.wall_s, 1),
                        "documents_per_s": round(run.documents / run.wall_s, 2),
                        "load_after": round(run.load, 1),
                    }
                    for run in runs
                ]
            )
        )
        return
    print("| run | documents | wall | documents/s | load average after |")
    print("|---|---|---|---|---|")
    for run in runs:
        print(
            f"| {run.name} | {run.documents} | {run.wall_s:.1f} s | "
            f"{run.documents / run.wall_s:.2f} | {run.load:.1f} |"
        )


if __name__ == "__main__":
    main()
