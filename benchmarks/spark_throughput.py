"""Analysis throughput: ``casebook extract`` and ``casebook add`` with 1 and 2 workers beside
``casebook spark extract`` on ``local[1]``, ``local[2]`` and standalone clusters of one and two
one-core workers, on the same patients.

    .venv/bin/python benchmarks/spark_throughput.py ../shared/datasets/pmc-patients/corpus.jsonl \\
        --patients 1000 --work /tmp/spark-bench [--runs local,cluster] [--repeat 3] \\
        [--marginal] [--timeline]

Each run starts from an empty output folder and is timed whole, from the command's start to
its exit: reading, starting Spark, loading the pipeline in every worker, analysing, writing.
Each cluster (a master and one-core workers on this machine, as the tests start) is up before
its runs, as a real cluster is. Every run's Case JSON files are checked to equal
``extract --workers 1``'s (an untimed ``extract`` run's when ``extract`` is not among the
runs). Prints a Markdown table (``--json``: every run as JSON) with each two-worker run's
throughput over its one-worker run's. ``--repeat K`` runs each pair K times, one worker then
two, and counts the fastest of each: on a machine shared with other work, the run least
disturbed.

``--marginal`` runs everything again on the first 2N patients and adds the marginal throughput,
N over the time the second N documents added (wall at 2N less wall at N): the rate a long job
settles to, start-up cancelled out. It is reported beside the whole-run throughput, never in
its place.
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

import casebook

QUIET_CONF = ["--conf", "spark.ui.enabled=false"]


@dataclass(frozen=True)
class Timeline:
    """Where a Spark run's time went, from its event log."""

    tasks: int
    before_s: float
    """From the command's start to its first task's start: reading and staging the
    documents, starting the JVMs."""
    tasks_s: float
    """From the first task's start to the last task's end."""
    idle_tail_s: float
    """How long the first core to run out of tasks waited for the last one to finish."""
    after_s: float
    """From the last task's end to the command's exit."""


@dataclass(frozen=True)
class Run:
    name: str
    workers: int
    documents: int
    wall_s: float
    load_before: float
    load_after: float
    timeline: Timeline | None = None


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


def _timed(
    name: str,
    workers: int,
    command: list[str],
    out: Path,
    documents: int,
    mkdir: bool = False,
    event_log: Path | None = None,
) -> Run:
    """Run ``command`` into an empty ``out`` (a folder made first when ``mkdir``), timed;
    a Spark command given ``event_log`` writes its event log there, read for its timeline."""
    shutil.rmtree(out, ignore_errors=True)
    if mkdir:
        out.mkdir(parents=True)
    if event_log is not None:
        shutil.rmtree(event_log, ignore_errors=True)
        event_log.mkdir(parents=True)
        command = [*command, *_event_log_conf(event_log)]
    load_before = os.getloadavg()[0]
    started_at = time.time()
    started = time.monotonic()
    done = subprocess.run(command, env=_env(), capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    timeline = None
    if event_log is not None:
        timeline = _timeline(event_log, workers, started_at, started_at + wall)
    return Run(name, workers, documents, wall, load_before, os.getloadavg()[0], timeline)


def _event_log_conf(folder: Path) -> list[str]:
    settings = {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": folder.as_uri(),
        "spark.eventLog.compress": "false",
        "spark.eventLog.rolling.enabled": "false",
    }
    return [option for key, value in settings.items() for option in ("--conf", f"{key}={value}")]


def _timeline(folder: Path, cores: int, started_at: float, ended_at: float) -> Timeline:
    """The run's timeline from its event log: each task's launch and finish."""
    spans: list[tuple[float, float]] = []
    for log in folder.iterdir():
        with log.open(encoding="utf-8") as events:
            for line in events:
                event = json.loads(line)
                if event["Event"] == "SparkListenerTaskEnd":
                    info = event["Task Info"]
                    spans.append((info["Launch Time"] / 1000, info["Finish Time"] / 1000))
    spans.sort()
    # Lay the tasks on the cores as Spark gave them out: each to the core free first.
    ends = [spans[0][0]] * cores
    for _, finish in spans:
        ends[ends.index(min(ends))] = finish
    first, last = spans[0][0], max(ends)
    return Timeline(len(spans), first - started_at, last - first, last - min(ends), ended_at - last)


def _case_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.json"))}


KINDS = ("extract", "add", "local", "cluster")
"""The runs, each with 1 and 2 workers: ``extract``, ``add``, ``spark extract`` on ``local[N]``
and on a standalone cluster of N one-core workers."""


def measure(
    corpus: Path, patients: int, work: Path, kinds: Sequence[str], repeat: int, timeline: bool
) -> list[Run]:
    """The runs of ``kinds`` on the first ``patients`` patients of ``corpus``, in ``work``, each
    pair (1 worker, then 2) ``repeat`` times over; with ``timeline``, the Spark runs write event
    logs, read for their timelines."""
    work.mkdir(parents=True, exist_ok=True)
    inputs = work / f"patients-{patients}.jsonl"
    with corpus.open(encoding="utf-8") as lines:
        inputs.write_text("".join(islice(lines, patients)), encoding="utf-8")
    n = patients
    casebook_command = [sys.executable, "-m", "casebook"]
    extract = [*casebook_command, "extract", str(inputs)]
    spark = [*casebook_command, "spark", "extract", str(inputs)]
    runs: list[Run] = []
    reference: dict[str, bytes] = {}

    def pairs(kind: str, run: Callable[[int], Run]) -> None:
        if kind not in kinds:
            return
        for _ in range(repeat):
            for workers in (1, 2):
                runs.append(run(workers))

    def extract_run(workers: int) -> Run:
        out = work / f"extract-{workers}"
        command = [*extract, "--out", str(out), "--workers", str(workers)]
        done = _timed(f"extract --workers {workers}", workers, command, out, n)
        files = _case_files(out)
        if not reference:
            reference.update(files)
        assert files == reference, workers
        return done

    def add_run(workers: int) -> Run:
        store = work / f"add-{workers}" / "cases.duckdb"
        command = [*casebook_command, "add", str(inputs), "--store", str(store), "--no-index"]
        command += ["--workers", str(workers)]
        return _timed(f"add --workers {workers}", workers, command, store.parent, n, True)

    def spark_run(name: str, workers: int, master: str, label: str) -> Run:
        out = work / f"spark-{label}-{workers}"
        command = [*spark, "--out", str(out), "--master", master, *QUIET_CONF]
        log = work / f"events-{label}-{workers}" if timeline else None
        done = _timed(name, workers, command, out, n, False, log)
        assert _case_files(out) == reference, name
        return done

    pairs("extract", extract_run)
    if not reference and {"local", "cluster"} & set(kinds):
        # What every Spark run must write: extract's files, from an untimed run.
        out = work / "reference"
        shutil.rmtree(out, ignore_errors=True)
        command = [*extract, "--out", str(out), "--workers", "2"]
        subprocess.run(command, env=_env(), capture_output=True, check=True)
        reference.update(_case_files(out))
    assert len(reference) in (0, n), len(reference)
    pairs("add", add_run)
    pairs(
        "local",
        lambda w: spark_run(f"spark extract --master local[{w}]", w, f"local[{w}]", "local"),
    )
    if "cluster" in kinds:
        with (
            standalone_cluster(work / "cluster-1", 1) as one,
            standalone_cluster(work / "cluster-2", 2) as two,
        ):
            urls = {1: one, 2: two}
            pairs(
                "cluster",
                lambda w: spark_run(
                    f"spark extract, standalone cluster of {w} one-core worker{'s' * (w > 1)}",
                    w,
                    urls[w],
                    "cluster",
                ),
            )
    return runs


def fastest(runs: Sequence[Run]) -> list[Run]:
    """The fastest run of each name, in the order the names first ran."""
    best: dict[str, Run] = {}
    for run in runs:
        if run.name not in best or run.wall_s < best[run.name].wall_s:
            best[run.name] = run
    return list(best.values())


def _ratio(runs: list[Run], run: Run, rate: dict[str, float]) -> str:
    """``run``'s rate over that of the run before it with one worker, for a two-worker run."""
    if run.workers == 1:
        return "1.00"
    single = runs[runs.index(run) - 1]
    return f"{rate[run.name] / rate[single.name]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="PMC-Patients corpus.jsonl")
    parser.add_argument("--patients", type=int, default=300, help="its first N lines")
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder")
    parser.add_argument(
        "--runs",
        default=",".join(KINDS),
        help=f"which runs, comma-separated, of {','.join(KINDS)} (default: all)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each pair (1 worker, then 2) this many times; the fastest of each counts",
    )
    parser.add_argument(
        "--marginal",
        action="store_true",
        help="run everything on 2N patients too, and report the marginal throughput",
    )
    parser.add_argument(
        "--timeline",
        action="store_true",
        help="Spark runs write event logs; print where their time went",
    )
    parser.add_argument("--json", action="store_true", help="print the runs as one JSON line")
    arguments = parser.parse_args()
    kinds = arguments.runs.split(",")
    if not set(kinds) <= set(KINDS):
        parser.error(f"--runs takes {','.join(KINDS)}")
    n: int = arguments.patients

    def measured(patients: int) -> list[Run]:
        return measure(
            arguments.corpus, patients, arguments.work, kinds, arguments.repeat, arguments.timeline
        )

    every = measured(n)
    runs = fastest(every)
    rate = {run.name: run.documents / run.wall_s for run in runs}
    doubled: dict[str, Run] = {}
    marginal: dict[str, float] = {}
    if arguments.marginal:
        every_doubled = measured(2 * n)
        doubled = {run.name: run for run in fastest(every_doubled)}
        every += every_doubled
        # The documents between N and 2N over the time they added: start-up cancels out.
        marginal = {run.name: n / (doubled[run.name].wall_s - run.wall_s) for run in runs}
    walls: dict[tuple[str, int], list[float]] = {}
    for run in every:
        walls.setdefault((run.name, run.documents), []).append(run.wall_s)
    if arguments.json:
        print(json.dumps([asdict(run) for run in every]))
        return
    header = "| run | documents | wall | documents/s | × 1 worker | load average before, after |"
    rule = "|---|---|---|---|---|---|"
    if marginal:
        header += f" wall, {2 * n} | marginal documents/s | marginal × 1 worker |"
        rule += "---|---|---|"
    print(header)
    print(rule)
    for run in runs:
        line = (
            f"| {run.name} | {run.documents} | {run.wall_s:.1f} s | {rate[run.name]:.2f} | "
            f"{_ratio(runs, run, rate)} | {run.load_before:.1f}, {run.load_after:.1f} |"
        )
        if marginal:
            line += (
                f" {doubled[run.name].wall_s:.1f} s | {marginal[run.name]:.2f} | "
                f"{_ratio(runs, run, marginal)} |"
            )
        print(line)
    if arguments.repeat > 1:
        print("\nevery wall, in the order run (the fastest counts):")
        for (name, documents), seconds in walls.items():
            print(f"- {name}, {documents}: {', '.join(f'{s:.1f}' for s in seconds)} s")
    names = {run.name for run in runs}
    local_1 = "spark extract --master local[1]"
    cluster_2 = "spark extract, standalone cluster of 2 one-core workers"
    if {local_1, cluster_2} <= names:
        print(
            f"\nstandalone cluster of 2 against local[1]: × {rate[cluster_2] / rate[local_1]:.2f}"
        )
    timed = [(run, run.timeline) for run in [*runs, *doubled.values()] if run.timeline]
    if timed:
        print("\n| Spark run | documents | tasks | before 1st task | tasks | idle tail | after |")
        print("|---|---|---|---|---|---|---|")
        for run, spent in timed:
            print(
                f"| {run.name} | {run.documents} | {spent.tasks} | {spent.before_s:.1f} s | "
                f"{spent.tasks_s:.1f} s | {spent.idle_tail_s:.1f} s | {spent.after_s:.1f} s |"
            )


if __name__ == "__main__":
    main()
