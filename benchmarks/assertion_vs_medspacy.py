"""casebook's assertion stage and medspaCy 1.3's default ConText, side by side on the NegEx kit.

Usage (from the repository root, with casebook's venv; ``make bench-assertion`` does both steps)::

    .venv/bin/python benchmarks/assertion_vs_medspacy.py TSV [--json]

casebook is scored in this process by ``casebook.eval.assertion.evaluate_assertion``, exactly as
``casebook eval assertion TSV --json`` scores it. medspaCy needs spaCy < 3.8 and numpy < 2, so it
runs in its own venv (``.venv-medspacy``) as ``benchmarks/medspacy_assertion.py``, which prints
a report of the same shape. Both systems get the same target for every row: the concept is
located here with ``casebook.eval.assertion.locate`` (the code ``evaluate_assertion`` uses) and
the offsets (row id -> ``[start, end]``) go to the medspaCy process in a temporary JSON file.

Timings: *load* is import, pipeline construction and one warm-up row; *run* is scoring every row;
medspaCy's *process* is the whole subprocess, interpreter start included. The two systems run
one after the other, never at the same time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from casebook.errors import CasebookError
from casebook.eval.assertion import Located, evaluate_assertion, locate, row_case
from casebook.eval.splits import Split, in_split
from casebook.ingest.datasets import NEGEX
from casebook.ingest.negex import Row, read_rows

ROOT = Path(__file__).resolve().parents[1]
MEDSPACY_SCRIPT = ROOT / "benchmarks" / "medspacy_assertion.py"
DEFAULT_MEDSPACY_PYTHON = ROOT / ".venv-medspacy" / "bin" / "python"
TASKS: tuple[str, ...] = ("negation", "historical", "family")

Report = dict[str, Any]


def targets(rows: list[Row]) -> tuple[dict[str, list[int]], Counter[Located]]:
    """Each row's located concept (row id -> ``[start, end]``) and how many were found each way."""
    offsets: dict[str, list[int]] = {}
    how_counts: Counter[Located] = Counter()
    for row in rows:
        if row.id in offsets:
            raise SystemExit(f"row id {row.id!r} occurs twice: offsets are keyed by row id")
        start, end, how = locate(row.concept, row.sentence)
        offsets[row.id] = [start, end]
        how_counts[how] += 1
    return offsets, how_counts


def gold_positives(rows: list[Row]) -> dict[str, int]:
    """Rows whose gold label is the positive class of each task."""
    return {
        "negation": sum(r.negation.strip().lower() == "negated" for r in rows),
        "historical": sum(r.temporality.strip().lower() == "historical" for r in rows),
        "family": sum(r.experiencer.strip().lower() != "patient" for r in rows),
    }


def run_casebook(tsv: Path, rows: list[Row], offsets: dict[str, list[int]], split: Split) -> Report:
    """casebook's report, as ``casebook eval assertion --json`` prints it, plus ``timing``."""
    began = time.perf_counter()
    from casebook import service

    if rows:  # warm-up: builds the cached assertion pipeline
        service.assert_mentions(row_case(rows[0], *offsets[rows[0].id]))
    load_s = time.perf_counter() - began
    began = time.perf_counter()
    report: Report = evaluate_assertion(tsv, split=split).model_dump(by_alias=True)
    run_s = time.perf_counter() - began
    report["timing"] = _timing(load_s, run_s, report["n"])
    return report


def run_medspacy(tsv: Path, offsets: dict[str, list[int]], python: Path) -> Report:
    """medspaCy's report from ``medspacy_assertion.py`` in the medspaCy venv, plus ``timing``."""
    if not python.exists():
        raise SystemExit(f"{python} not found: `make bench-assertion` creates the medspaCy venv")
    with tempfile.TemporaryDirectory(prefix="bench-assertion-") as tmp:
        offsets_path = Path(tmp) / "offsets.json"
        timing_path = Path(tmp) / "timing.json"
        offsets_path.write_text(json.dumps(offsets), encoding="utf-8")
        command = [
            str(python),
            str(MEDSPACY_SCRIPT),
            str(tsv),
            "--offsets",
            str(offsets_path),
            "--timing-out",
            str(timing_path),
        ]
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        process_s = time.perf_counter() - began
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"medspaCy run failed with exit status {done.returncode}")
        report: Report = json.loads(done.stdout)
        inner = json.loads(timing_path.read_text(encoding="utf-8"))
    report["timing"] = _timing(inner["load_s"], inner["run_s"], report["n"])
    report["timing"]["process_s"] = round(process_s, 3)
    return report


def _timing(load_s: float, run_s: float, n: int) -> dict[str, float]:
    return {
        "load_s": round(load_s, 3),
        "run_s": round(run_s, 3),
        "rows_per_s": round(n / run_s, 1) if run_s else 0.0,
    }


def table(
    casebook: Report, medspacy: Report, how: Counter[Located], positives: dict[str, int]
) -> str:
    """Both systems' P/R/F1 per task and their timings, as a Markdown table."""
    n = casebook["n"]
    lines = [
        f"NegEx/ConText kit, {n} rows; the same target for both systems "
        f"({how[Located.EXACT]} exact, {how[Located.FUZZY]} fuzzy, "
        f"{how[Located.SENTENCE]} whole-sentence)",
        "",
        "| task (gold positives) | casebook P | R | F1 | medspaCy 1.3 P | R | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for task in TASKS:
        cells = [f"{task} ({positives[task]})"]
        for report in (casebook, medspacy):
            cells += [f"{report[task][key]:.2f}" for key in ("p", "r", "f1")]
        lines.append("| " + " | ".join(cells) + " |")
    for key, label in (("load_s", "load, s"), ("run_s", "run, s"), ("rows_per_s", "rows/s")):
        cb, ms = casebook["timing"][key], medspacy["timing"][key]
        lines.append(f"| {label} | {cb} | | | {ms} | | |")
    lines.append(f"| whole process, s | (in-process) | | | {medspacy['timing']['process_s']} | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="casebook vs medspaCy 1.3 default ConText on the NegEx/ConText kit."
    )
    parser.add_argument("tsv", type=Path, help="the kit's TSV (id concept sentence ...)")
    parser.add_argument("--json", action="store_true", help='print {"casebook", "medspacy"}')
    parser.add_argument(
        "--split", choices=[s.value for s in Split], default="all", help="rows scored"
    )
    parser.add_argument(
        "--medspacy-python",
        type=Path,
        default=DEFAULT_MEDSPACY_PYTHON,
        help=f"python of the medspaCy venv (default {DEFAULT_MEDSPACY_PYTHON})",
    )
    args = parser.parse_args(argv)

    try:
        split = Split(args.split)
        rows = [r for r in read_rows(args.tsv) if in_split(NEGEX, r.id.strip(), split)]
        offsets, how = targets(rows)
        casebook = run_casebook(args.tsv, rows, offsets, split)
    except CasebookError as error:
        raise SystemExit(str(error)) from error
    medspacy = run_medspacy(args.tsv.resolve(), offsets, args.medspacy_python)
    if medspacy["n"] != casebook["n"]:
        raise SystemExit(f"row counts differ: casebook {casebook['n']}, medspaCy {medspacy['n']}")

    if args.json:
        print(json.dumps({"casebook": casebook, "medspacy": medspacy}, indent=2))
    else:
        print(table(casebook, medspacy, how, gold_positives(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
