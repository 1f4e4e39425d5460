"""The process a fuzz test runs its target in: one input at a time, under a memory limit.

Started by ``conftest.Sandbox`` as ``python sandbox_child.py TARGET MEMORY_MB``. It loads what
the target needs, runs it once on a harmless input, then caps its address space at what it
uses then plus ``MEMORY_MB`` (so an input that makes a reader allocate gigabytes fails here,
not in the test process), and answers requests read from standard input: each a pickled
input, each answer a pickled ``(kind, detail)``:

- ``("valid", what)``: the target returned, and everything it returned is valid: every
  ``Document`` and ``Case`` round-trips through JSON unchanged and its offsets lie in its text;
- ``("coded", code)``: the target raised a ``CasebookError`` (a reader yielding one in place
  of a bad record counts as valid);
- ``("failed", "ExceptionName\\ntraceback")``: anything else, ``MemoryError`` and a failed
  check included.

Messages are a 4-byte big-endian length and the pickle. Standard output is kept for them: what
the target prints goes to standard error.
"""

from __future__ import annotations

import os
import pickle
import resource
import struct
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel

from casebook.errors import CasebookError
from casebook.model import Case, Document, Source, SourceFormat, Span

Target = Callable[[Any], Iterable[object]]


def _roundtrips(record: BaseModel) -> None:
    kind = type(record)
    again = kind.model_validate_json(record.model_dump_json())
    assert again == record, f"{kind.__name__} does not round-trip through JSON"
    assert kind.model_validate(record.model_dump()) == record, f"{kind.__name__} model_validate"


def _inside(span: Span, text: str, what: str) -> None:
    assert 0 <= span.start <= span.end <= len(text), f"{what} {span.start}-{span.end} outside"


def check(item: object, text: str | None = None) -> None:
    """Assert that a reader's or the pipeline's output is valid; ``text`` is the text that
    stand-off annotations point into."""
    if isinstance(item, CasebookError):
        assert item.code.value.startswith("CB-E"), item
        return
    if isinstance(item, Document | Case):
        _roundtrips(item)
        for section in item.sections:
            _inside(section, item.text, "section")
        return
    if isinstance(item, BaseModel):
        _roundtrips(item)
        assert text is not None
        for name in ("entities", "events", "timexes"):
            for span in getattr(item, name, []):
                if isinstance(span, Span):
                    _inside(span, text, name)
                for fragment in getattr(span, "fragments", []):
                    _inside(fragment, text, f"{name} fragment")
        return
    raise AssertionError(f"unexpected output {type(item).__name__}")


def _files(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder / next(iter(files))


def _targets(scratch: Path) -> dict[str, tuple[Target, object]]:
    """Each target by name: what it runs on an input, and a harmless input to warm it up."""
    from casebook.ingest.bioc import parse_bioc_json, parse_bioc_xml
    from casebook.ingest.brat import read_brat
    from casebook.ingest.detect import read_bytes
    from casebook.ingest.e3c import read_e3c
    from casebook.ingest.jats import parse_jats
    from casebook.ingest.pmc_patients import parse_pmc_patients
    from casebook.ingest.text import parse_text

    def text(data: bytes) -> list[object]:
        return [parse_text(data, "fuzz", "fuzz.txt")]

    def detect(named: tuple[str, bytes]) -> list[object]:
        return list(read_bytes(named[1], named[0]))

    def jats(data: bytes) -> list[object]:
        return [parse_jats(data, "fuzz.nxml", "fuzz")]

    def bioc_xml(data: bytes) -> list[object]:
        return list(parse_bioc_xml(data, "fuzz.xml"))

    def bioc_json(data: bytes) -> list[object]:
        return list(parse_bioc_json(data, "fuzz.json"))

    def pmc_patients(data: bytes) -> list[object]:
        return list(parse_pmc_patients(data.splitlines(), "fuzz.jsonl"))

    def brat(pair: tuple[bytes, bytes]) -> list[object]:
        path = _files(scratch, {"fuzz.txt": pair[0], "fuzz.ann": pair[1]})
        document, annotations = read_brat(path)
        check(annotations, document.text)
        return [document]

    def e3c(data: bytes) -> list[object]:
        document, annotations = read_e3c(_files(scratch, {"fuzz.xml": data}))
        check(annotations, document.text)
        return [document]

    def pipeline(text: str) -> list[object]:
        from casebook.service import analyze_document

        document = Document(id="fuzz", text=text, source=Source(format=SourceFormat.TEXT))
        return [analyze_document(document)]

    article = b"<article><body><p>A 40-year-old man had a fever.</p></body></article>"
    return {
        "text": (text, b"A 40-year-old man had a fever."),
        "detect": (detect, ("fuzz.txt", b"A fever.")),
        "jats": (jats, article),
        "bioc_xml": (bioc_xml, b"<collection><document><id>1</id></document></collection>"),
        "bioc_json": (bioc_json, b'{"documents": []}'),
        "pmc_patients": (pmc_patients, b'{"patient_uid": "1", "text": "A fever."}'),
        "brat": (brat, (b"A fever.", b"T1\tSign_symptom 2 7\tfever\n")),
        "e3c": (e3c, b"<r/>"),
        "pipeline": (pipeline, "A 40-year-old man had a fever after a lumbar puncture."),
    }


def _answer(target: Target, payload: object) -> tuple[str, str]:
    try:
        outputs = list(target(payload))
        for output in outputs:
            check(output)
    except CasebookError as error:
        return "coded", error.code.value
    except BaseException as exc:  # the point: anything but a coded error is a finding
        return "failed", f"{type(exc).__name__}\n{traceback.format_exc()}"
    return "valid", f"{len(outputs)} outputs"


def _read(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _virtual_memory() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def main(name: str, memory_mb: str) -> None:
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the target's prints must not corrupt the answers
    with tempfile.TemporaryDirectory(prefix="casebook-fuzz-") as scratch:
        target, harmless = _targets(Path(scratch))[name]
        _answer(target, harmless)
        limit = _virtual_memory() + int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        answers.write(b"ready\n")
        answers.flush()
        while True:
            try:
                (size,) = struct.unpack(">I", _read(requests, 4))
                payload = pickle.loads(_read(requests, size))
            except EOFError:
                return
            answer = pickle.dumps(_answer(target, payload))
            answers.write(struct.pack(">I", len(answer)) + answer)
            answers.flush()


if __name__ == "__main__":
    main(*sys.argv[1:])
