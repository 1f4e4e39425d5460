"""Bad inputs of every class real corpora and hostile users bring, through ``analyze`` and ``add``.

Writes each input into a folder, then

* **analyze**: runs ``casebook analyze FILE --format json`` on each input, as a user would
  (one process per input, so a crash or a hang of one cannot hide another's);
* **add**: runs one ``casebook add`` over the whole folder plus good records, and counts what
  was stored and what was reported.

An outcome is ``read`` (exit 0, a case printed), ``coded`` (exit 1, one ``CB-E…`` line per
failure, no traceback) or ``crash`` (a traceback, an exit status other than 0 or 1, raw
terminal escapes on stderr, or no answer within the time limit). Prints a Markdown table of
input classes with counts and outcomes::

    python benchmarks/bad_inputs.py --out build/bad-inputs [--casebook .venv/bin/casebook]
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

TIME_LIMIT_S = 300
GOOD_TEXT = "A 40-year-old man had fever and a productive cough for three days."


def _patient(uid: str, **changes: object) -> str:
    record: dict[str, object] = {
        "patient_uid": uid,
        "pmid": 100,
        "title": "Fever",
        "text": GOOD_TEXT,
        "age": [[40.0, "year"]],
        "sex": "M",
    }
    record.update(changes)
    return json.dumps(record)


def _jats(body: str, declaration: str = "", doctype: str = "") -> str:
    return (
        f"{declaration}{doctype}<article><front><article-meta><title-group><article-title>"
        f"Fever</article-title></title-group></article-meta></front><body>{body}</body>"
        "</article>"
    )


def _bioc(documents: list[object]) -> str:
    return json.dumps({"source": "test", "documents": documents})


def inputs() -> dict[str, list[tuple[str, bytes]]]:
    """Input class → (file name, bytes) of each input of that class, all written here."""
    rng = random.Random(19)
    nested = "[" * 100_000 + "]" * 100_000
    cp1252 = "She said \u201cno pain\u201d \u2013 it\u2019s gone\u2026 caf\u00e9 M\u00fcnchen.\n"
    classes: dict[str, list[tuple[str, bytes]]] = defaultdict(list)

    def add(kind: str, name: str, data: bytes | str) -> None:
        classes[kind].append((name, data.encode("utf-8") if isinstance(data, str) else data))

    text = GOOD_TEXT + " \u201cMild\u201d rash in M\u00fcnchen.\n"
    for bom, codec in (
        (b"", "utf-8"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ):
        add("encoding with or without BOM", f"bom-{codec}-{len(bom)}.txt", bom + text.encode(codec))
    add("Windows-1252 text", "cp1252.txt", cp1252.encode("cp1252"))
    add("Windows-1252 text", "cp1252-dense.txt", (cp1252 * 50).encode("cp1252"))
    add(
        "Windows-1252 text",
        "latin1-french.txt",
        "Fi\u00e8vre \u00e0 38,5 \u00b0C.\n".encode("cp1252"),
    )
    add("UTF-8 with stray bytes", "stray-93.txt", "M\u00fcnchen ".encode() + b"\x93high\x94 fever.")
    add("UTF-8 with stray bytes", "truncated.txt", (GOOD_TEXT + " \u00e9").encode()[:-1])
    for name, control in (("nul", "\x00"), ("esc", "\x1b[2J"), ("bel", "\x07"), ("c1", "\u0085")):
        add("controls in text", f"control-{name}.txt", GOOD_TEXT[:20] + control + GOOD_TEXT[20:])
    add("binary", "png.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    add("binary", "random.txt", bytes(rng.randrange(256) for _ in range(4096)))
    add("binary", "nuls.txt", b"\x00" * 1000)
    add("broken UTF-16", "utf16-odd.txt", codecs.BOM_UTF16_LE + b"F\x00\x00\xd8")
    add("empty", "empty.txt", b"")
    add("empty", "blank.txt", b"  \n\t\n")
    # A folder "markup[" holding "i]x[red].txt": the path reads "markup[/i]x[red].txt".
    add("markup in a path", "markup[/i]x[red].txt", GOOD_TEXT)
    add("markup in a path", "markup[/i]empty[red].txt", "")

    bad_lines = {
        "surrogate-id": _patient("1-1").replace('"1-1"', '"\\ud800-1"'),
        "surrogate-text": _patient("1-1", text="Fever X").replace("Fever X", "Fever \\udfff"),
        "surrogate-title": _patient("1-1", title="T X").replace("T X", "\\udbff"),
        "nan-age": _patient("1-1").replace("40.0", "NaN"),
        "inf-age": _patient("1-1").replace("40.0", "Infinity"),
        "negative-age": _patient("1-1").replace("40.0", "-3"),
        "huge-age": _patient("1-1").replace("40.0", "9" * 400),
        "unknown-unit": _patient("1-1").replace('"year"', '"fortnight"'),
        "nested": f'{{"patient_uid": "1-1", "text": {nested}}}',
        "not-object": "[1, 2, 3]",
        "no-uid": _patient("").replace('"patient_uid": "", ', ""),
        "no-text": _patient("1-1").replace(f'"text": "{GOOD_TEXT}", ', ""),
        "empty-text": _patient("1-1", text="   "),
        "invalid-json": '{"patient_uid": "1-1", "text": ',
        "bad-sex": _patient("1-1", sex="Q"),
    }
    for name, line in bad_lines.items():
        good_before, good_after = _patient(f"{name}-a"), _patient(f"{name}-b")
        add("PMC-Patients bad line", f"pmc-{name}.jsonl", f"{good_before}\n{line}\n{good_after}\n")
    add(
        "PMC-Patients bad line",
        "pmc-not-utf8.jsonl",
        _patient("nu-a").encode()
        + b"\n"
        + _patient("nu-x").encode().replace(b"Fever", b"F\xe9ver")
        + b"\n",
    )
    add("duplicate ids", "pmc-duplicate.jsonl", f"{_patient('d-1')}\n{_patient('d-1')}\n")

    add("JATS deep or odd", "deep.nxml", _jats("<sec><p>x</p>" * 10_000 + "</sec>" * 10_000))
    add(
        "JATS deep or odd",
        "deep-inline.nxml",
        _jats("<p>" + "<b>" * 5_000 + "x" + "</b>" * 5_000 + "</p>"),
    )
    for encoding in ("x-unknown", "shift_jis", "utf-32", "rot13"):
        declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
        add("JATS declared encoding", f"enc-{encoding}.nxml", _jats("<p>Fever.</p>", declaration))
    entity = '<!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    add("JATS unsafe or broken", "xxe.nxml", _jats("<p>&x;</p>", doctype=entity))
    laughs = '<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    add("JATS unsafe or broken", "laughs.nxml", _jats("<p>&b;</p>", doctype=laughs))
    add("JATS unsafe or broken", "unclosed.nxml", "<article><body><p>Fever</body>")
    add("JATS unsafe or broken", "no-text.nxml", "<article><body></body></article>")
    add("JATS unsafe or broken", "c1.nxml", _jats("<p>Fever\u0085 and cough.</p>"))

    add(
        "BioC bad document",
        "bioc-nested.json",
        f'{{"documents": [{{"id": "n", "passages": {nested}}}]}}',
    )
    good = {"id": "ok", "passages": [{"offset": 0, "text": GOOD_TEXT}]}
    for name, document in {
        "overlap": {
            "id": "o",
            "passages": [{"offset": 5, "text": "ab"}, {"offset": 0, "text": "c"}],
        },
        "surrogate": {"id": "s", "passages": [{"offset": 0, "text": "Rash \ud800"}]},
        "no-id": {"passages": [{"offset": 0, "text": "Rash."}]},
        "not-object": 7,
        "offset-text": {"id": "t", "passages": [{"offset": "zero", "text": "Rash."}]},
    }.items():
        add("BioC bad document", f"bioc-{name}.json", _bioc([good, document]))

    ann_text = "Given 8 mg daily to a 54-year-old woman.\n"
    for name, ann in {
        "quirk": "T1\tDosage 6 10\t8 mg\t \n",
        "mismatch": "T1\tDosage 6 10\t9 mg\n",
        "past-end": "T1\tDosage 6 100\t8 mg\n",
        "escapes": "\x1b]0;pwned\x07\x1b[2JT1\tDosage 6 10\t8 mg\n",
        "markup": "[/i]T1\tDosage 6 10\t8 mg\n",
    }.items():
        classes["brat annotation"].append((f"brat-{name}.txt", ann_text.encode()))
        classes["brat annotation"].append((f"brat-{name}.ann", ann.encode()))
    return dict(classes)


def _outcome(process: subprocess.CompletedProcess[str] | None) -> str:
    if process is None:
        return "crash"
    stderr = process.stderr
    if "Traceback" in stderr or process.returncode not in (0, 1) or "\x1b]" in stderr:
        return "crash"
    return "read" if process.returncode == 0 else "coded"


def _run(command: list[str]) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT_S)
    except subprocess.TimeoutExpired:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder for the inputs and store.")
    parser.add_argument("--casebook", default=str(Path(sys.executable).with_name("casebook")))
    args = parser.parse_args()
    folder = args.out / "inputs"
    folder.mkdir(parents=True, exist_ok=True)
    table: dict[str, Counter[str]] = {}
    analyze_s = 0.0
    for kind, files in inputs().items():
        table[kind] = Counter()
        for name, data in files:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        for name, _ in files:
            if name.endswith(".ann"):
                continue
            started = time.perf_counter()
            outcome = _outcome(_run([args.casebook, "analyze", str(folder / name), "-f", "json"]))
            analyze_s += time.perf_counter() - started
            table[kind][outcome] += 1
    (folder / "good.txt").write_text(GOOD_TEXT + "\n", encoding="utf-8")
    store = args.out / "cases.duckdb"
    store.unlink(missing_ok=True)
    started = time.perf_counter()
    added = _run([args.casebook, "add", str(folder), "--store", str(store), "--workers", "1"])
    add_s = time.perf_counter() - started
    count = _run([args.casebook, "cases", "--count", "--store", str(store)])

    print("| input class | inputs | analyze: read | analyze: coded error | analyze: crash |")
    print("|---|---:|---:|---:|---:|")
    for kind, counts in table.items():
        print(
            f"| {kind} | {sum(counts.values())} | {counts['read']} | {counts['coded']} | "
            f"{counts['crash']} |"
        )
    total = Counter[str]()
    for counts in table.values():
        total.update(counts)
    print(
        f"| **all** | {sum(total.values())} | {total['read']} | {total['coded']} | "
        f"{total['crash']} |"
    )
    print()
    summary = added.stderr.strip().splitlines() if added else ["(no answer)"]
    failed_lines = sum(line.startswith("failed CB-E") for line in summary)
    print(f"analyze: {sum(total.values())} runs in {analyze_s:.0f} s")
    print(
        f"add over the folder: exit {added.returncode if added else 'timeout'}, "
        f"{_outcome(added)}, {count.stdout.strip() if count else '?'} cases stored, "
        f"{failed_lines} coded failure lines, {add_s:.0f} s"
    )
    print(next((line for line in summary if " added, " in line), ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
