"""Format detection and input expansion: from what a user typed to a stream of documents.

Batches must survive bad inputs, so ``iter_documents`` yields a ``CasebookError`` for each input
or file that fails instead of raising, and goes on. Document ids are the readers' ids: the file
stem for plain text, brat and PMCID-less JATS files, so two files with the same stem in
different folders (``a/case.txt`` and ``b/case.txt``) get the same id. The ids are kept as the
model defines them; callers that need unique keys should pair the id with ``Source.path``. The
same file named twice (``dir`` and ``dir/case.txt``) is read only once.
"""

from __future__ import annotations

import codecs
import glob
import json
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.bioc import parse_bioc_json, parse_bioc_xml
from casebook.ingest.brat import read_brat
from casebook.ingest.jats import parse_jats
from casebook.ingest.pmc_oa import is_package, read_pmc_package
from casebook.ingest.pmc_patients import parse_pmc_patients, read_pmc_patients
from casebook.ingest.text import looks_binary, parse_text, read_bytes_of
from casebook.model import Document, SourceFormat

HEAD_SIZE = 65536
"""How many leading bytes format sniffing looks at."""

STDIN = "-"
"""The input name that means standard input."""

XML_SUFFIXES = frozenset({".xml", ".nxml"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})
SUPPORTED_SUFFIXES = XML_SUFFIXES | TEXT_SUFFIXES | {".json", ".jsonl"}
"""Extensions a folder walk or a glob keeps, beside PMC packages (``.tar.gz``, ``.tgz``);
``.ann`` is read with its ``.txt``."""

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ELEMENT = re.compile(r"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")
_GLOB_CHARS = re.compile(r"[*?\[]")


def _head_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").removeprefix("\ufeff")


def xml_root_name(head: bytes) -> str | None:
    """The local name of the root element, read from the start of an XML file.

    Declarations, comments, processing instructions and the DOCTYPE are skipped; None when no
    element starts within ``head``.
    """
    match = _ELEMENT.search(_COMMENT.sub("", _head_text(head)))
    return match[1].rsplit(":", 1)[-1] if match else None


def _sniff(path: Path, head: bytes) -> SourceFormat:
    """Detect a format from content alone (unknown extension, no extension, stdin)."""
    start = _head_text(head).lstrip()
    if start.startswith("<"):
        root = xml_root_name(head)
        if root == "article":
            return SourceFormat.JATS
        if root == "collection":
            return SourceFormat.BIOC_XML
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT, f"markup with root <{root}> is not supported", path
        )
    if start.startswith(("{", "[")):
        if '"documents"' in start:
            return SourceFormat.BIOC_JSON
        if start.startswith("{") and '"patient_uid"' in start.split("\n", 1)[0]:
            return SourceFormat.PMC_PATIENTS
        try:
            json.loads(start.split("\n", 1)[0])
        except json.JSONDecodeError:
            pass  # Text that merely starts with a bracket, such as "[Case 1] A 40-year-old …".
        else:
            raise CasebookError(ErrorCode.UNSUPPORTED_FORMAT, "JSON of an unknown shape", path)
    if looks_binary(head):
        raise CasebookError(ErrorCode.BINARY_DATA, "binary data, not text", path)
    return SourceFormat.TEXT


def detect_format(path: Path, head: bytes) -> SourceFormat:
    """Detect a file's format from its extension and, where that is not enough, its content.

    ``.xml``/``.nxml`` are JATS when the root element is ``<article>`` and BioC when it is
    ``<collection>``; ``.json`` is BioC JSON; ``.jsonl`` is PMC-Patients; ``.txt`` is brat when
    a sibling ``.ann`` exists, else plain text, as is ``.text``. Other or missing extensions
    (standard input included) are sniffed from the content.

    Args:
        path: The file path (for standard input, ``Path("-")``).
        head: The file's first bytes (``HEAD_SIZE`` is plenty).

    Raises:
        CasebookError: ``UNSUPPORTED_FORMAT`` when no reader handles the file (an ``.ann``
            alone is not a document), ``BINARY_DATA`` for binary content.
    """
    suffix = path.suffix.lower()
    if suffix == ".ann":
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            "a brat .ann file is not a document; read its .txt instead",
            path,
        )
    if suffix in XML_SUFFIXES:
        root = xml_root_name(head)
        if root == "article":
            return SourceFormat.JATS
        if root == "collection":
            return SourceFormat.BIOC_XML
        found = f"root element <{root}>" if root else "no root element"
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            f"{found}: expected a JATS <article> or a BioC <collection>",
            path,
        )
    if suffix == ".json":
        if _head_text(head).lstrip().startswith(("{", "[")) and '"documents"' in _head_text(head):
            return SourceFormat.BIOC_JSON
        raise CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT, "JSON that is not a BioC collection", path
        )
    if suffix == ".jsonl":
        return SourceFormat.PMC_PATIENTS
    if suffix in TEXT_SUFFIXES:
        if suffix == ".txt" and path.with_suffix(".ann").is_file():
            return SourceFormat.BRAT
        if looks_binary(head):
            raise CasebookError(ErrorCode.BINARY_DATA, "binary data, not text", path)
        return SourceFormat.TEXT
    return _sniff(path, head)


def _parse(data: bytes, fmt: SourceFormat, path: str | None, stem: str) -> list[Document]:
    """Run the reader for a format on bytes already in memory (brat excepted: it needs files)."""
    if fmt is SourceFormat.TEXT:
        return [parse_text(data, stem, path)]
    if fmt is SourceFormat.JATS:
        return [parse_jats(data, path, stem)]
    if fmt is SourceFormat.BIOC_XML:
        return parse_bioc_xml(data, path)
    if fmt is SourceFormat.BIOC_JSON:
        return parse_bioc_json(data, path)
    if fmt is SourceFormat.PMC_PATIENTS:
        documents: list[Document] = []
        for item in parse_pmc_patients(data.splitlines(), path):
            if isinstance(item, CasebookError):
                raise item
            documents.append(item)
        return documents
    raise CasebookError(ErrorCode.UNSUPPORTED_FORMAT, f"no reader for {fmt}", path)


def read_path(path: Path) -> list[Document]:
    """Read every document in one file, whatever its format.

    Raises:
        CasebookError: The first problem met, from detection or from the reader.
    """
    data = read_bytes_of(path)
    fmt = detect_format(path, data[:HEAD_SIZE])
    if fmt is SourceFormat.BRAT:
        document, _ = read_brat(path)
        return [document]
    return _parse(data, fmt, str(path), path.stem)


def read_bytes(data: bytes, name: str = STDIN) -> list[Document]:
    """Read documents from bytes, such as standard input; the format is sniffed from content.

    Args:
        data: The bytes.
        name: ``-`` for standard input (``Source.path`` is then None and a plain-text document
            gets the id ``stdin``), or a file name whose extension guides detection.

    Raises:
        CasebookError: The first problem met.
    """
    is_stdin = name == STDIN
    path = Path(name)
    head = data[:HEAD_SIZE]
    fmt = _sniff(path, head) if is_stdin else detect_format(path, head)
    if fmt is SourceFormat.BRAT:
        # Bytes have no sibling .ann to read; they are still a plain-text document.
        fmt = SourceFormat.TEXT
    stem = "stdin" if is_stdin else path.stem
    return _parse(data, fmt, None if is_stdin else name, stem)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES or is_package(path)


def _walk(folder: Path) -> list[Path]:
    """Supported files under a folder, recursively, sorted, hidden files and folders skipped."""
    found = [
        p for p in folder.rglob("*") if _supported(p) and not _hidden(p, folder) and p.is_file()
    ]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def expand_inputs(inputs: Sequence[str]) -> list[str | Path]:
    """Expand files, folders and glob patterns into the files to read, in order.

    A file is kept whatever its extension (it was named on purpose). A folder is walked
    recursively and sorted, keeping supported extensions and skipping ``.ann`` files and hidden
    files and folders; glob matches (``*.txt``, ``**/*.xml``) are filtered the same way. The
    same file reached twice is kept once, at its first place.

    Returns:
        ``Path`` items for files, the string ``"-"`` for standard input, and the input string
        itself for an input that exists nowhere and matches nothing, so that callers can report
        it where it stood (``iter_documents`` yields ``PATH_NOT_FOUND`` for it).
    """
    expanded: list[str | Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            expanded.append(path)

    for raw in inputs:
        if raw == STDIN:
            expanded.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path):
                add(found)
        elif path.exists():
            add(path)
        elif _GLOB_CHARS.search(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            files: list[Path] = []
            for match in map(Path, matches):
                if match.is_dir():
                    files += _walk(match)
                elif _supported(match) and not match.name.startswith("."):
                    files.append(match)
            for found in files:
                add(found)
            if not files:
                expanded.append(raw)
        else:
            expanded.append(raw)
    return expanded


def _read_head(path: Path) -> bytes:
    """The first ``HEAD_SIZE`` bytes, without reading a large corpus whole."""
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_SIZE)
    except OSError:
        return read_bytes_of(path)  # Raises the coded error for whatever went wrong.


def _iter_file(path: Path) -> Iterator[Document | CasebookError]:
    if is_package(path):
        # Streamed member by member: a package is never unpacked or held whole.
        yield from read_pmc_package(path)
        return
    try:
        head = _read_head(path)
        fmt = detect_format(path, head)
        if fmt is SourceFormat.PMC_PATIENTS:
            # Streamed: a large corpus is not held in memory, and bad lines come as errors.
            yield from read_pmc_patients(path)
            return
        yield from read_path(path)
    except CasebookError as error:
        yield error


def iter_documents(
    inputs: Sequence[str], stdin: BinaryIO | None = None
) -> Iterator[Document | CasebookError]:
    """Yield every document of every input, in order, and an error for each failure.

    Nothing is raised for bad input: a missing path, an unsupported or broken file, or a bad
    PMC-Patients line is yielded as a ``CasebookError`` and the iteration goes on, so a batch
    reports every problem and still processes every good document.

    Args:
        inputs: Files, folders, glob patterns, or ``-`` for standard input (see
            ``expand_inputs``).
        stdin: Where ``-`` reads from; defaults to the process's standard input.
    """
    for item in expand_inputs(inputs):
        if item == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            try:
                yield from read_bytes(stream.read())
            except CasebookError as error:
                yield error
        elif isinstance(item, str):
            yield CasebookError(
                ErrorCode.PATH_NOT_FOUND, "no such file or folder, and no file matches it", item
            )
        else:
            yield from _iter_file(item)
