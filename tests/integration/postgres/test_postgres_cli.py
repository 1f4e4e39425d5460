"""casebook on a PostgreSQL store as users run it: ``store migrate``, four ``load`` processes
at once, the same search answers as DuckDB, and ``serve`` from it.

The cases are the six search fixtures as ``casebook extract`` writes them, each re-stored
under 40 ids (synthetic copies, for volume and for tied scores only).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from casebook import service
from casebook.cli import app
from casebook.model import Case
from casebook.store_location import PostgresLocation

psycopg = pytest.importorskip("psycopg")

FIXTURES = Path(__file__).parents[2] / "fixtures" / "search"
QUERY = FIXTURES / "query-csf-leak.txt"
COPIES = 40
WRITERS = 4
REPO_ROOT = Path(__file__).parents[3]

runner = CliRunner()


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    """The six fixture reports as extracted, each under ``COPIES`` ids, sorted by id."""
    out = tmp_path_factory.mktemp("extracted")
    result = runner.invoke(
        app, ["extract", str(FIXTURES / "store"), "--out", str(out), "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    originals = [Case.model_validate_json(p.read_text()) for p in sorted(out.glob("*.json"))]
    assert len(originals) == 6
    copies = [
        c.model_copy(update={"id": f"{c.id}-{i:02d}"}) for c in originals for i in range(COPIES)
    ]
    return sorted(copies, key=lambda c: c.id)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}


def _write(path: Path, cases: list[Case]) -> Path:
    path.write_text("".join(c.model_dump_json() + "\n" for c in cases), encoding="utf-8")
    return path


def test_store_migrate_creates_and_then_keeps_the_schema(postgres_store: PostgresLocation) -> None:
    first = runner.invoke(app, ["store", "migrate", "--store", postgres_store.url])
    assert first.exit_code == 0, first.output
    assert "schema migration 1" in first.stderr
    again = runner.invoke(app, ["store", "migrate", "--store", postgres_store.url])
    assert again.exit_code == 0 and "needs no migration" in again.stderr
    duckdb = runner.invoke(app, ["store", "migrate", "--store", "cases.duckdb"])
    assert duckdb.exit_code == 1 and "CB-E015" in duckdb.stderr
    unknown = runner.invoke(app, ["cases", "--store", "mysql://u@h/db"])
    assert unknown.exit_code == 1 and "CB-E015" in unknown.stderr


def test_four_loads_at_once_store_every_case_exactly_once(
    cases: list[Case], postgres_store: PostgresLocation, tmp_path: Path
) -> None:
    # Each case is in three of the four files, in another order in each; the database is
    # empty, so the four also race to create the schema.
    files = []
    for writer in range(WRITERS):
        mine = [c for i, c in enumerate(cases) if (i + writer) % WRITERS != 0]
        files.append(_write(tmp_path / f"w{writer}.jsonl", mine[::-1] if writer % 2 else mine))
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "casebook", "load", str(f), "--store", postgres_store.url],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    added = unchanged = 0
    for process in processes:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
        counts = re.search(r"(\d+) added, (\d+) unchanged, (\d+) replaced", stderr)
        assert counts, stderr
        added += int(counts[1])
        unchanged += int(counts[2])
        assert counts[3] == "0"
    assert added == len(cases)
    assert unchanged == (WRITERS - 1) * len(cases) - len(cases)
    with service.open_store(postgres_store, read_only=True) as store:
        assert store.ids() == [c.id for c in cases]
        assert store.get_many([c.id for c in cases]) == cases
    with psycopg.connect(postgres_store.url) as connection:
        mentions = connection.execute("SELECT count(*) FROM mentions").fetchone()
        entries = connection.execute("SELECT count(DISTINCT case_id) FROM search_entries")
        assert mentions == (sum(len(c.mentions) for c in cases),)
        assert entries.fetchone() == (len(cases),)


def test_two_adds_at_once_of_overlapping_documents_store_each_once(
    postgres_store: PostgresLocation, tmp_path: Path
) -> None:
    reports = sorted((FIXTURES / "store").glob("*.txt"))
    folders = []
    for name, chosen in (("first", reports[:4]), ("second", reports[2:])):
        folder = tmp_path / name
        folder.mkdir()
        for report in chosen:
            (folder / report.name).write_bytes(report.read_bytes())
        folders.append(folder)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "casebook",
                "add",
                str(folder),
                "--store",
                postgres_store.url,
                "--workers",
                "1",
            ],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    added = 0
    for process in processes:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
        counts = re.search(r"(\d+) added, (\d+) unchanged, (\d+) replaced", stderr)
        assert counts, stderr
        added += int(counts[1])
    assert added == len(reports)
    with service.open_store(postgres_store, read_only=True) as store:
        assert store.ids() == [r.stem for r in reports]
        stored = store.get_many(store.ids())
    with psycopg.connect(postgres_store.url) as connection:
        mentions = connection.execute("SELECT count(*) FROM mentions").fetchone()
        assert mentions == (sum(len(c.mentions) for c in stored),)


def _search_ids(store: str) -> list[tuple[str, float]]:
    result = runner.invoke(
        app, ["search", "--case", str(QUERY), "--store", store, "--json", "-k", "10"]
    )
    assert result.exit_code == 0, result.output
    return [(h["id"], h["score"]) for h in json.loads(result.stdout)["similar"]]


def test_duckdb_and_postgresql_answer_a_search_alike(
    cases: list[Case], postgres_store: PostgresLocation, tmp_path: Path
) -> None:
    cases_file = _write(tmp_path / "cases.jsonl", cases)
    duckdb = f"duckdb://{tmp_path / 'cases.duckdb'}"
    for store in (duckdb, postgres_store.url):
        loaded = runner.invoke(app, ["load", str(cases_file), "--store", store])
        assert loaded.exit_code == 0, loaded.output
    in_duckdb = _search_ids(duckdb)
    assert len(in_duckdb) == 10
    # The copies tie; the order among them comes from the stores' id order.
    assert len({score for _, score in in_duckdb}) < 10
    assert _search_ids(postgres_store.url) == in_duckdb
    # A case added through PostgreSQL after the index was saved is found by the next search
    # (first: it ties with the copies of the best hit, and its id sorts first).
    original = next(c for c in cases if c.id.startswith("pdph-lumbar-puncture"))
    newest = original.model_copy(update={"id": "aaa-newest"})
    service.store_cases([newest], postgres_store)
    assert in_duckdb[0][0].startswith("pdph-lumbar-puncture")
    assert _search_ids(postgres_store.url)[0][0] == "aaa-newest"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_from_a_postgresql_store(
    cases: list[Case], postgres_store: PostgresLocation, tmp_path: Path
) -> None:
    service.store_cases(cases[:12], postgres_store)
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "casebook",
            "serve",
            "--store",
            postgres_store.url,
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"{base}/v1/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.5)
        listed = httpx.get(f"{base}/v1/cases", params={"limit": 100}, timeout=60).json()
        assert listed["total"] == 12
        assert [c["id"] for c in listed["items"]] == [c.id for c in cases[:12]]
        found = httpx.post(
            f"{base}/v1/search", json={"case": json.loads(cases[0].model_dump_json())}, timeout=120
        )
        assert found.status_code == 200, found.text
        assert found.json()["similar"][0]["id"] in {c.id for c in cases[:12]}
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
