"""Write, or compare against, the Case JSON the pipeline makes of a set of documents.

Usage (from the repository root, with casebook's venv and ``PYTHONPATH=src``)::

    .venv/bin/python benchmarks/same_output.py write OUT SOURCE...
    .venv/bin/python benchmarks/same_output.py check OUT SOURCE...

Each SOURCE is a file or a folder (its ``.txt`` files in name order). ``write`` analyses every
document as ``casebook analyze --format json`` does and writes its JSON to ``OUT/<id>.json``;
``check`` analyses them again, all in one process, and reports every document whose JSON is not
byte-identical to the one in ``OUT`` (exit status 1 if any). Run ``write`` with the code before a
change meant to leave the output alone, and ``check`` after it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casebook.errors import CasebookError
from casebook.model import Case
from casebook.service import analyze_inputs


def input_paths(sources: list[Path]) -> list[str]:
    """The files named, a folder standing for its ``.txt`` files in name order."""
    paths: list[str] = []
    for source in sources:
        files = sorted(source.glob("*.txt")) if source.is_dir() else [source]
        paths.extend(str(path) for path in files)
    return paths


def case_jsons(sources: list[Path]) -> dict[str, str]:
    """Each document's Case JSON, by case id, as ``casebook analyze --format json`` prints it."""
    jsons: dict[str, str] = {}
    for path in input_paths(sources):
        for result in analyze_inputs([path]):
            if isinstance(result, CasebookError):
                raise result
            assert isinstance(result, Case)
            jsons[result.id] = result.model_dump_json(indent=2) + "\n"
    return jsons


def main() -> None:
    """Parse the arguments, then write or check the outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["write", "check"])
    parser.add_argument("out", type=Path, help="folder of <id>.json")
    parser.add_argument("sources", nargs="+", type=Path)
    args = parser.parse_args()
    jsons = case_jsons(args.sources)
    if args.action == "write":
        args.out.mkdir(parents=True, exist_ok=True)
        for case_id, text in jsons.items():
            (args.out / f"{case_id}.json").write_text(text, encoding="utf-8")
        print(f"wrote {len(jsons)} cases to {args.out}")
        return
    differ = [
        case_id
        for case_id, text in jsons.items()
        if not (args.out / f"{case_id}.json").is_file()
        or (args.out / f"{case_id}.json").read_text(encoding="utf-8") != text
    ]
    expected = {path.stem for path in args.out.glob("*.json")}
    missing = sorted(expected - jsons.keys())
    for case_id in differ:
        print(f"differs: {case_id}")
    for case_id in missing:
        print(f"not made: {case_id}")
    print(f"{len(jsons) - len(differ)} of {len(jsons)} cases identical")
    if differ or missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
