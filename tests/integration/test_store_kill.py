"""A real crash: SIGKILL ``casebook add`` mid-batch, then check the store lost nothing committed.

The writer is a separate process analysing with worker processes, as ``casebook add`` does;
it is killed with its workers (the whole process group, like a terminal's kill) once a few
cases are committed. Reopening the store must replay DuckDB's write-ahead log and show only
whole cases: each row of ``cases`` validates, its ``mentions`` and ``codes`` rows match its
JSON exactly, its search-index entry is there, and no rows belong to a case that is not
there; no saved search index claims to be current, and the index the entries give is the index
of the stored cases. A second run must then add exactly the missing cases, skipping the stored
ones without analysing them, and leave the saved index current.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from casebook.model import Case
from casebook.search.hybrid import CaseIndex
from casebook.search.precedent import build_index
from casebook.search.saved import index_folder
from casebook.search.settings import load_search_settings
from casebook.store import DuckDBCaseStore

HERE = Path(__file__).resolve().parent
DOCUMENTS = 40
KILL_AFTER = 6


def _write_documents(folder: Path) -> None:
    folder.mkdir()
    for index in range(DOCUMENTS):
        finding = ("fever", "cough", "rash")[index % 3]
        (folder / f"case{index:02d}.txt").write_text(
            f"Case presentation\nA {20 + index}-year-old woman had {finding} for {index} days. "
            f"She also had a cough.\n\nDiscussion\nCase number {index} resolved.\n",
            encoding="utf-8",
        )


def _run_helper(store: Path, progress: Path, folder: Path) -> subprocess.Popen[str]:
    # Import the helper as a module by path (pytest imports tests by path, so they are not a
    # package): then the analysis is pickled as store_kill_helper.slow_analyze, which the
    # spawned workers import through the sys.path they inherit.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import store_kill_helper; "
        "store_kill_helper.main(*sys.argv[2:])"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(HERE), str(store), str(progress), str(folder), "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _check_every_stored_case_is_whole(store: Path) -> list[str]:
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT id, case_json FROM cases ORDER BY id").fetchall()
        ids = [row[0] for row in rows]
        for case_id, case_json in rows:
            case = Case.model_validate_json(case_json)
            assert case.id == case_id
            stored_mentions = con.execute(
                'SELECT mention_id, start, "end", type, assertion, text FROM mentions '
                "WHERE case_id = ? ORDER BY mention_id",
                [case_id],
            ).fetchall()
            expected_mentions = sorted(
                (m.id, m.start, m.end, m.type.value, m.assertion.value, m.text)
                for m in case.mentions
            )
            assert stored_mentions == expected_mentions
            assert any(m.id.startswith("f") for m in case.mentions)
            stored_codes = con.execute(
                "SELECT system, code, score, mention_id FROM codes WHERE case_id = ? "
                "ORDER BY mention_id NULLS FIRST, code",
                [case_id],
            ).fetchall()
            expected_codes = sorted(
                ((c.system.value, c.code, c.score, None) for c in case.codes),
                key=lambda r: r[1],
            ) + sorted(
                ((c.system.value, c.code, c.score, m.id) for m in case.mentions for c in m.codes),
                key=lambda r: (r[3], r[1]),
            )
            assert stored_codes == expected_codes
        without = con.execute(
            "SELECT count(*) FROM cases WHERE id NOT IN (SELECT case_id FROM search_entries)"
        ).fetchone()
        assert without == (0,), "a case was committed without its search-index entry"
        for table in ("mentions", "codes", "search_entries"):
            orphans = con.execute(
                f"SELECT count(*) FROM {table} WHERE case_id NOT IN (SELECT id FROM cases)"
            ).fetchone()
            assert orphans == (0,), f"{table} rows of a case that was never committed"
    return ids


def test_a_killed_add_keeps_every_committed_case_whole_and_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    _write_documents(folder)
    store = tmp_path / "cases.duckdb"
    progress = tmp_path / "progress.log"

    writer = _run_helper(store, progress, folder)
    deadline = time.monotonic() + 60
    try:
        while _committed(progress) < KILL_AFTER:
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the helper committed too few cases in time"
            time.sleep(0.02)
    finally:
        # The whole group: the writer and its analysis workers die together, mid-batch.
        os.killpg(writer.pid, signal.SIGKILL)
        writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    stored = _check_every_stored_case_is_whole(store)
    _check_the_index(store, saved=False)
    # At least what the progress file saw (a commit may beat its progress line), not all.
    assert _committed(progress) <= len(stored) < DOCUMENTS

    progress.unlink()
    rerun = _run_helper(store, progress, folder)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    # Only the missing cases were analysed: the stored ones were skipped before analysis.
    added = DOCUMENTS - len(stored)
    assert out.strip() == f"added={added} unchanged={len(stored)} replaced=0 failed=0"
    assert _committed(progress) == added

    final = _check_every_stored_case_is_whole(store)
    assert final == sorted(f"case{index:02d}" for index in range(DOCUMENTS))
    _check_the_index(store, saved=True)


def _check_the_index(store: Path, *, saved: bool) -> None:
    """The saved index is current exactly when ``saved``; the index of the stored entries,
    and the saved one, search as an index built from the stored cases does."""
    with DuckDBCaseStore(store, read_only=True) as opened:
        fingerprint = opened.fingerprint()
        cases = list(opened.iter_cases())
        from_entries = build_index(opened)
    expected = CaseIndex.build(cases)
    loaded = CaseIndex.load(index_folder(store), fingerprint, load_search_settings())
    assert (loaded is not None) == saved
    for index in (from_entries, loaded) if loaded else (from_entries,):
        assert index.ids == expected.ids and index.facets == expected.facets
        for case in cases[:5]:
            hits = index.search(index.query(case), 5, exclude=[case.id])
            assert hits and hits == expected.search(expected.query(case), 5, exclude=[case.id])


def _committed(progress: Path) -> int:
    try:
        return progress.read_text(encoding="utf-8").count("\n")
    except FileNotFoundError:
        return 0
