"""CPU time per document of each component of the default pipeline.

Usage (from the repository root, with casebook's venv)::

    .venv/bin/python benchmarks/components.py [SOURCE] [-n 40] [--json]

SOURCE is a folder of ``.txt`` files (its first ``-n`` in name order are read) or a file of
many documents such as PMC-Patients' ``corpus.jsonl`` (its first ``-n``); it defaults to
``$CASEBOOK_DATA/maccrobat2020`` (``../shared/datasets/maccrobat2020``). The pipeline is the one
the CLI, the API and ``casebook add`` use (``service.default_pipeline``: packaged models, the
garbage collector kept off them). A short sentence that is not among the documents is analysed
before timing, so that lazily built indexes are not counted and no cache holds a timed text.
Each component call is then timed with ``time.process_time`` (CPU time of this process, so a
busy machine slows it less than wall time). The report gives CPU ms/doc per component, the
total, and documents per second per core (the inverse of the total).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from casebook.ingest.detect import read_path
from casebook.model import Case, Document, Source, SourceFormat
from casebook.nlp.pipeline import Pipeline
from casebook.service import default_pipeline

DEFAULT_FOLDER = Path(os.environ.get("CASEBOOK_DATA", "../shared/datasets")) / "maccrobat2020"
WARM_UP = (
    "A 54-year-old man had fever, ankle edema, rectal bleeding and no rash, and underwent a "
    "lumbar puncture on day 2."
)


def read_documents(source: Path, count: int) -> list[Document]:
    """The first ``count`` documents: of a folder's ``.txt`` files in name order, or of a file
    holding many (PMC-Patients ``.jsonl``)."""
    if source.is_file():
        return read_path(source)[:count]
    files = sorted(source.glob("*.txt"))[:count]
    return [document for path in files for document in read_path(path)]


def component_costs(pipeline: Pipeline, documents: list[Document]) -> dict[str, float]:
    """CPU seconds spent in each component over ``documents``, plus ``"total"``."""
    costs = dict.fromkeys(pipeline.names, 0.0)
    start = time.process_time()
    for document in documents:
        case = Case.from_document(document)
        for component in pipeline.components:
            before = time.process_time()
            case = component(case)
            costs[component.name] += time.process_time() - before
    costs["total"] = time.process_time() - start
    return costs


def main() -> None:
    """Parse the arguments, time the pipeline and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("-n", "--count", type=int, default=40, help="documents to time")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    documents = read_documents(args.source, args.count)
    if not documents:
        parser.error(f"no documents in {args.source}")
    pipeline = default_pipeline()
    pipeline(Document(id="warm-up", text=WARM_UP, source=Source(format=SourceFormat.TEXT)))
    costs = component_costs(pipeline, documents)
    per_doc = {name: round(1000 * seconds / len(documents), 1) for name, seconds in costs.items()}
    docs_per_s = round(len(documents) / costs["total"], 2)
    if args.json:
        report = {"documents": len(documents), "cpu_ms_per_doc": per_doc, "docs_per_s": docs_per_s}
        print(json.dumps(report, indent=2))
        return
    print(f"{len(documents)} documents from {args.source}")
    print(f"{'component':<16}{'CPU ms/doc':>12}")
    for name, ms in per_doc.items():
        print(f"{name:<16}{ms:>12.1f}")
    print(f"{docs_per_s} documents/s per core (CPU time)")


if __name__ == "__main__":
    main()
