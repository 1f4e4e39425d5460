"""``spark-submit`` of ``casebook spark extract`` to a standalone Spark cluster on this
machine: a master and two one-core workers that the test starts and stops."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

import casebook

from .conftest import QUIET_CONF, case_files, conf_options

pytestmark = pytest.mark.spark

WORKERS = 2
START_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _spark_bin(name: str) -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / name


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=2) as answer:
            state = json.load(answer)
    except (OSError, ValueError):  # not listening yet, or an empty page while it starts
        return 0
    return int(state.get("aliveworkers", 0))


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a daemon and what it started (executors, Python workers): its process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with contextlib.suppress(ProcessLookupError):  # children still running after the daemon
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def standalone_cluster(
    spark_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A running master with two registered workers; its folder (``url`` holds its URL)."""
    root = tmp_path_factory.mktemp("cluster")
    env = {**spark_env, "SPARK_LOG_DIR": str(root / "logs"), "SPARK_WORKER_DIR": str(root)}
    daemons: list[subprocess.Popen[bytes]] = []
    log_files: list[BinaryIO] = []

    def start(name: str, *arguments: str) -> None:
        log = (root / f"{name}.log").open("wb")
        log_files.append(log)
        daemons.append(
            subprocess.Popen(
                [str(_spark_bin("spark-class")), *arguments],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped whole at the end
            )
        )

    def started() -> bool:
        """Start a master and the workers on free ports; whether all workers registered."""
        port, ui_port = _free_port(), _free_port()
        url = f"spark://127.0.0.1:{port}"
        (root / "url").write_text(url, encoding="utf-8")
        start(
            "master",
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port)),
        )
        for number in range(WORKERS):
            start(
                f"worker-{number}",
                "org.apache.spark.deploy.worker.Worker",
                *("--host", "127.0.0.1", "--cores", "1", "--memory", "1g"),
                *("--webui-port", str(_free_port()), "--work-dir", str(root / f"work-{number}")),
                url,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while _alive_workers(ui_port) < WORKERS:
            if time.monotonic() > deadline or any(d.poll() is not None for d in daemons):
                return False
            time.sleep(0.5)
        return True

    try:
        # A free port can be taken by a test running beside this one before the master binds
        # it: then the cluster is started once more, on other ports.
        if not started():
            for daemon in reversed(daemons):
                _stop(daemon)
            daemons.clear()
            if not started():
                logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in root.glob("*.log"))
                pytest.fail(f"the cluster did not start:\n{logs}")
        yield root
    finally:
        for daemon in reversed(daemons):
            _stop(daemon)
        for log_file in log_files:
            log_file.close()


def test_spark_submit_to_a_two_worker_cluster_writes_the_fhir_bundles_extract_writes(
    spark_env: dict[str, str],
    standalone_cluster: Path,
    case_reports: list[str],
    extracted_fhir: Path,
    tmp_path: Path,
) -> None:
    out = tmp_path / "cluster"
    # spark-submit runs the casebook command's own file, as the README shows.
    entry = Path(casebook.__file__).parent / "__main__.py"
    command = [
        str(_spark_bin("spark-submit")),
        *("--master", (standalone_cluster / "url").read_text(), *conf_options(QUIET_CONF)),
        # Start the job once both workers' executors have registered, so that both run tasks.
        *("--conf", "spark.scheduler.minRegisteredResourcesRatio=1"),
        *(str(entry), "spark", "extract", *case_reports, "--out", str(out), "--format", "fhir"),
    ]
    env = {**spark_env, "PYSPARK_DRIVER_PYTHON": sys.executable}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    # spark-submit's PythonRunner sends the driver's stderr to its own stdout.
    output = done.stdout + done.stderr
    assert done.returncode == 1, output  # one failed document: the binary file
    assert "11 written, 0 already done, 1 failed" in output
    bundles = case_files(out)
    assert len(bundles) == 11 and all(name.endswith(".fhir.json") for name in bundles)
    assert bundles == case_files(extracted_fhir)
    assert (out / "failures.csv").read_text(encoding="utf-8").count("CB-E003") == 1
    # Both workers ran an executor of the job, and each executor ran tasks.
    # A worker may have started more than one executor (one replaced under load): any of them.
    for number in range(WORKERS):
        logs = list((standalone_cluster / f"work-{number}").glob("app-*/*/stderr"))
        assert any("Running task" in log.read_text(errors="replace") for log in logs), number
