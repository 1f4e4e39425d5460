"""casebook's search against plain BM25 on PMC-Patients, one row per search settings file.

Usage (from the repository root)::

    .venv/bin/python benchmarks/retrieval_ablation.py CORPUS QRELS --cases DIR \\
        [--split all|even|odd] [SETTINGS.json ...]

Each settings file (default: every ``benchmarks/search-settings/*.json``, then the packaged
``search.json``) is scored by ``casebook.eval.retrieval.compare_retrieval``, exactly as
``casebook eval retrieval CORPUS QRELS --cases DIR --settings FILE`` scores it, and printed as
one Markdown table row: MRR, nDCG@10, P@10, recall@1000 and the ratios to plain BM25 measured in
the same run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from casebook.eval.retrieval import compare_retrieval
from casebook.eval.splits import Split
from casebook.search.settings import load_search_settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("qrels", type=Path)
    parser.add_argument("--cases", type=Path, required=True)
    parser.add_argument("--split", choices=[s.value for s in Split], default="all")
    parser.add_argument("settings", type=Path, nargs="*")
    args = parser.parse_args()
    files: list[Path | None] = list(args.settings) or [
        *sorted((ROOT / "benchmarks" / "search-settings").glob("*.json")),
        None,
    ]
    print(f"split: {args.split}")
    print("| settings | MRR | nDCG@10 | P@10 | recall@1000 | × BM25 MRR | × BM25 nDCG@10 |")
    print("|---|---|---|---|---|---|---|")
    bm25_shown = False
    for path in files:
        report = compare_retrieval(
            args.corpus,
            args.qrels,
            args.cases,
            split=Split(args.split),
            settings=load_search_settings(path),
        )
        if not bm25_shown:
            b = report.bm25
            print(
                f"| plain BM25 | {b.mrr} | {b.ndcg_at_10} | {b.p_at_10} | {b.recall_at_1000} "
                "| 1.00 | 1.00 |"
            )
            bm25_shown = True
        c = report.casebook
        name = path.stem if path is not None else "search.json (shipped)"
        print(
            f"| {name} | {c.mrr} | {c.ndcg_at_10} | {c.p_at_10} | {c.recall_at_1000} "
            f"| {report.ratio['mrr']:.2f} | {report.ratio['ndcg@10']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
