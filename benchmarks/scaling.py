"""How analysis time grows with the length of one document.

Usage (from the repository root, with casebook's venv)::

    .venv/bin/python benchmarks/scaling.py 100000 500000 950000 [--source example|pmc-patients]
        [--json]

Each size is one document of that many characters, analysed by the default pipeline (the one
the CLI, the API and ``casebook add`` use), each size in a fresh process so that its peak memory
is its own. ``--source example`` repeats the shipped example report, paragraph breaks between
copies; ``--source pmc-patients`` joins distinct PMC-Patients patients
(``$CASEBOOK_DATA/pmc-patients/corpus.jsonl``), a blank line between them, so that no word
sequence repeats. The report gives, per size, the wall time, the CPU time, the time per 100,000
characters (flat when the cost is linear in the length), the peak memory of the process, and the
CPU time of each component. A short sentence is analysed first so that lazily built indexes are
not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "tests/fixtures/example"
WARM_UP = "A 54-year-old man had fever, no rash, and underwent a lumbar puncture on day 2."


def build_text(source: str, size: int, corpus: Path | None = None) -> str:
    """A document of ``size`` characters made from ``source``'s reports (PMC-Patients from
    ``corpus``, by default ``$CASEBOOK_DATA/pmc-patients/corpus.jsonl``)."""
    if source == "example":
        report = (EXAMPLE / "csf-leak-after-bone-marrow-biopsy.txt").read_text(encoding="utf-8")
        pieces = [report.strip()] * (size // len(report) + 1)
    else:
        data = Path(os.environ.get("CASEBOOK_DATA", "../shared/datasets"))
        corpus = corpus or data / "pmc-patients/corpus.jsonl"
        pieces = []
        total = 0
        with corpus.open(encoding="utf-8") as lines:
            for line in lines:
                text = str(json.loads(line).get("text", "")).strip()
                if text:
                    pieces.append(text)
                    total += len(text) + 2
                if total > size:
                    break
    return "\n\n".join(pieces)[:size]


def measure(source: str, size: int) -> dict[str, object]:
    """Analyse one document of ``size`` characters in this process; its timings and memory."""
    from casebook.model import Case, Document, Source, SourceFormat
    from casebook.service import analyze_text, default_pipeline

    pipeline = default_pipeline()
    analyze_text(WARM_UP)
    text = build_text(source, size)
    document = Document(id="scaling", text=text, source=Source(format=SourceFormat.TEXT))
    case = Case.from_document(document)
    components: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    for component in pipeline.components:
        started = time.process_time()
        case = component(case)
        components[component.name] = round(time.process_time() - started, 2)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "chars": len(text),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_per_100k_chars": round(cpu * 100_000 / len(text), 2),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "mentions": len(case.mentions),
        "components_cpu_s": components,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="+", type=int, help="document lengths in characters")
    parser.add_argument("--source", choices=("example", "pmc-patients"), default="example")
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.source, args.sizes[0])))
        return
    for size in args.sizes:
        # A fresh process per size: its peak memory is this size's alone.
        found = subprocess.run(
            [sys.executable, __file__, str(size), "--source", args.source, "--one"],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(found.stdout.strip().splitlines()[-1])
        if args.json:
            print(json.dumps(row), flush=True)
            continue
        slowest = sorted(row["components_cpu_s"].items(), key=lambda item: -item[1])[:4]
        print(
            f"{row['chars']:>9,} chars  {row['wall_s']:>7.1f} s wall  {row['cpu_s']:>7.1f} s CPU  "
            f"{row['cpu_s_per_100k_chars']:>5.2f} s CPU/100k chars  {row['peak_rss_mb']:>6} MB  "
            + "  ".join(f"{name} {seconds:.1f}" for name, seconds in slowest),
            flush=True,
        )


if __name__ == "__main__":
    main()
