"""medspaCy 1.3's default ConText scored on the NegEx/ConText kit, like ``casebook eval assertion``.

Runs inside the medspaCy virtual environment (``.venv-medspacy``, spaCy 3.7 and numpy < 2), which
does not have casebook; ``assertion_vs_medspacy.py`` starts it. The concept of each row is not
located here: the caller locates it with ``casebook.eval.assertion.locate`` and passes the
character offsets (row id -> ``[start, end]``) in a JSON file, so both systems get the same target.

Each row's sentence is one document run through ``medspacy.load()``'s default pipeline (medspaCy
tokenizer, PyRuSH sentence splitter, target matcher without rules, ConText with its default
rules). Just before ConText, the document's only entity is set to the target, built with
``Doc.char_span(start, end, alignment_mode="expand")``; its ``is_negated``, ``is_historical`` and
``is_family`` are then scored against gold ``Negated``, ``Historical`` and an experiencer other
than ``Patient``, with the percentages (two decimals) of ``casebook.eval.metrics.prfa``.

Prints ``{"n", "negation": {"p", "r", "f1", "acc"}, "historical": {...}, "family": {...}}``;
``--timing-out PATH`` also writes ``{"load_s", "run_s"}`` there (load: import, pipeline and one
warm-up row; run: every row).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COLUMNS: tuple[str, ...] = ("id", "concept", "sentence", "negation", "temporality", "experiencer")
CONTEXT_PIPE = "medspacy_context"
TARGET_LABEL = "CONCEPT"


@dataclass(frozen=True, slots=True)
class Row:
    """One annotated sentence of the kit."""

    id: str
    concept: str
    sentence: str
    negation: str
    temporality: str
    experiencer: str


def read_rows(tsv: Path) -> Iterator[Row]:
    """The kit's rows, read as ``casebook.ingest.negex.read_rows`` reads them."""
    with tsv.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{tsv}: missing column(s): {', '.join(missing)}")
        for record in reader:
            if None in record or any(record[c] is None for c in COLUMNS):
                raise SystemExit(f"{tsv}: line {reader.line_num}: wrong number of fields")
            yield Row(**{c: record[c] for c in COLUMNS})


class Binary:
    """Confusion counts of one binary task."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.tn = 0

    def add(self, predicted: bool, gold: bool) -> None:
        if predicted and gold:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    def score(self) -> dict[str, float]:
        """P, R, F1 and accuracy in percent, two decimals (as ``casebook.eval.metrics.prfa``)."""

        def percent(numerator: int, denominator: int) -> float:
            return round(100.0 * (numerator / denominator if denominator else 0.0), 2)

        tp, fp, fn, tn = self.tp, self.fp, self.fn, self.tn
        return {
            "p": percent(tp, tp + fp),
            "r": percent(tp, tp + fn),
            "f1": percent(2 * tp, 2 * tp + fp + fn),
            "acc": percent(tp + tn, tp + fp + fn + tn),
        }


class MedspacyConText:
    """``medspacy.load()``'s default pipeline, with a given target as the only entity."""

    def __init__(self) -> None:
        # medspaCy may print while loading; stdout carries only the report.
        with contextlib.redirect_stdout(sys.stderr):
            import medspacy
            from loguru import logger

            # PyRuSH logs every sentence at DEBUG level; that is noise here and costs time.
            logger.disable("PyRuSH")

            self.nlp: Any = medspacy.load()
        names = list(self.nlp.pipe_names)
        if CONTEXT_PIPE not in names:
            raise SystemExit(f"medspacy.load() has no {CONTEXT_PIPE}: {names}")
        self.pipes = list(self.nlp.pipeline)

    def flags(self, sentence: str, start: int, end: int) -> tuple[bool, bool, bool]:
        """``(is_negated, is_historical, is_family)`` of the target ``sentence[start:end]``."""
        doc = self.nlp.make_doc(sentence)
        target = None
        for name, pipe in self.pipes:
            if name == CONTEXT_PIPE:
                target = doc.char_span(start, end, label=TARGET_LABEL, alignment_mode="expand")
                if target is None:
                    raise ValueError(f"no tokens in [{start}, {end}) of {sentence!r}")
                doc.ents = (target,)
            doc = pipe(doc)
        assert target is not None
        entity = doc.ents[0]
        return bool(entity._.is_negated), bool(entity._.is_historical), bool(entity._.is_family)


def _norm(value: str) -> str:
    return value.strip().lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("tsv", type=Path, help="the kit's TSV")
    parser.add_argument(
        "--offsets", type=Path, required=True, help="JSON: row id -> [start, end] of the concept"
    )
    parser.add_argument("--timing-out", type=Path, help="write {load_s, run_s} here")
    args = parser.parse_args(argv)

    offsets: dict[str, list[int]] = json.loads(args.offsets.read_text(encoding="utf-8"))
    # The rows scored are those given offsets (the caller's split of the kit).
    rows = [row for row in read_rows(args.tsv) if row.id in offsets]

    began = time.perf_counter()
    system = MedspacyConText()
    if rows:
        system.flags(rows[0].sentence, *offsets[rows[0].id])  # warm-up
    load_s = time.perf_counter() - began

    negation, historical, family = Binary(), Binary(), Binary()
    began = time.perf_counter()
    for row in rows:
        start, end = offsets[row.id]
        try:
            negated, past, other = system.flags(row.sentence, start, end)
        except ValueError as error:
            raise SystemExit(f"row {row.id}: {error}") from error
        negation.add(negated, _norm(row.negation) == "negated")
        historical.add(past, _norm(row.temporality) == "historical")
        family.add(other, _norm(row.experiencer) != "patient")
    run_s = time.perf_counter() - began

    report = {
        "n": len(rows),
        "negation": negation.score(),
        "historical": historical.score(),
        "family": family.score(),
    }
    print(json.dumps(report))
    if args.timing_out is not None:
        timing = {"load_s": round(load_s, 3), "run_s": round(run_s, 3)}
        args.timing_out.write_text(json.dumps(timing), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
