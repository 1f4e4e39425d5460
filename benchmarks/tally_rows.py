"""The treatment tally of analysed cases, row by row, to be read and judged by a person.

Each case is tallied alone, as it would be were it the only hit of a search: one row per
treatment the tally shows, with its outcome, the sentence the treatment is named in and the
sentence of an outcome statement that gave its outcome. The rows are written as TSV for
reading; the summary counts rows, cases and unknown outcomes.

Pick the cases with the seeded rule below (the ``tune`` and ``check`` halves of PMC-Patients:
the last hex digit of sha256("casebook-tally:" + patient_uid), even or odd; the first 200 of
each half in hash order), analyse them with ``casebook extract``, then run this script::

    python benchmarks/tally_rows.py pick CORPUS.jsonl OUT_FOLDER            # tune/check .jsonl
    casebook extract OUT_FOLDER/check.jsonl --out OUT_FOLDER/cases-check
    python benchmarks/tally_rows.py rows OUT_FOLDER/cases-check --tsv rows.tsv
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

from casebook.model import Case, Outcome
from casebook.search.outcomes import OutcomeReader, tally

SALT = "casebook-tally:"
PER_HALF = 200


def _digest(uid: str) -> str:
    return hashlib.sha256(f"{SALT}{uid}".encode()).hexdigest()


def pick(corpus: Path, out: Path) -> None:
    """Write the first ``PER_HALF`` patients of each half, in hash order."""
    halves: dict[str, list[tuple[str, str]]] = {"tune": [], "check": []}
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            uid = json.loads(line)["patient_uid"]
            digest = _digest(uid)
            half = "tune" if int(digest[-1], 16) % 2 == 0 else "check"
            halves[half].append((digest, line.rstrip("\n")))
    out.mkdir(parents=True, exist_ok=True)
    for half, rows in halves.items():
        chosen = sorted(rows)[:PER_HALF]
        (out / f"{half}.jsonl").write_text(
            "".join(line + "\n" for _, line in chosen), encoding="utf-8"
        )


def _sentence(case: Case, offset: int) -> str:
    for sentence in case.sentences:
        if sentence.start <= offset < sentence.end:
            return case.text[sentence.start : sentence.end].replace("\n", " ")
    return ""


def rows(folder: Path, tsv: Path | None) -> None:
    """Tally each case of ``folder`` (Case JSON files) alone; print the counts."""
    reader = OutcomeReader()
    written: list[list[str]] = []
    count = unknown = cases = 0
    for path in sorted(folder.glob("*.json")):
        case = Case.model_validate_json(path.read_text(encoding="utf-8"))
        cases += 1
        treatments = reader.treatments(case)
        for row in tally([(case.id, treatments)]):
            count += 1
            (outcome,) = row.outcomes
            unknown += outcome is Outcome.UNKNOWN
            named = [t for t in treatments if t.text.lower() == row.treatment] or treatments
            said = [t.evidence for t in treatments if t.evidence and t.outcome is outcome]
            written.append(
                [
                    case.id,
                    row.treatment,
                    outcome.value,
                    _sentence(case, named[0].span.start),
                    _sentence(case, said[-1].start) if said else "",
                ]
            )
    if tsv is not None:
        with tsv.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle, delimiter="\t")
            out.writerow(["case", "treatment", "outcome", "sentence", "outcome sentence"])
            out.writerows(written)
    print(
        json.dumps(
            {
                "cases": cases,
                "rows": count,
                "unknown": unknown,
                "distinct_names": len({r[1] for r in written}),
            }
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    picking = commands.add_parser("pick")
    picking.add_argument("corpus", type=Path)
    picking.add_argument("out", type=Path)
    listing = commands.add_parser("rows")
    listing.add_argument("folder", type=Path)
    listing.add_argument("--tsv", type=Path)
    args = parser.parse_args(argv)
    if args.command == "pick":
        pick(args.corpus, args.out)
    else:
        rows(args.folder, args.tsv)


if __name__ == "__main__":
    main(sys.argv[1:])
