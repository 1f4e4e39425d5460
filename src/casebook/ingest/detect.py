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
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from casebook.config import DEFAULT_MAX_CHARS
from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.ingest.bioc import (
    NESTED_TOO_DEEP,
    all_or_first_error,
    iter_bioc_json,
    iter_bioc_xml,
)
from casebook.ingest.brat import read_brat
from casebook.ingest.jats import parse_jats
from casebook.ingest.pmc_oa import is_package, read_pmc_package
from casebook.ingest.pmc_patients import parse_pmc_patients, read_pmc_patients
from casebook.ingest.text import looks_binary, parse_text, read_bytes_of
from casebook.model import Document, SourceFormat

logger = logging.getLogger("casebook.ingest")

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
        except RecursionError:
            raise CasebookError(ErrorCode.MALFORMED_JSON, NESTED_TOO_DEEP, path) from None
        else:
            raise CasebookError(ErrorCode.UNSUPPORTED_FORMAT, "JSON of an unknown shape", path)
    if looks_binary(head):
        raise CasebookError(ErrorCode.BINARY_DATA, "binary data, not text", path)
    return SourceFormat.TEXT


def detect_format(path: Path, head: bytes, *, on_disk: bool = True) -> SourceFormat:
    """Detect a file's format from its extension and, where that is not enough, its content.

    ``.xml``/``.nxml`` are JATS when the root element is ``<article>`` and BioC when it is
    ``<collection>``; ``.json`` is BioC JSON; ``.jsonl`` is PMC-Patients; ``.txt`` is brat when
    a sibling ``.ann`` exists, else plain text, as is ``.text``. Other or missing extensions
    (standard input included) are sniffed from the content.

    Args:
        path: The file path (for standard input, ``Path("-")``).
        head: The file's first bytes (``HEAD_SIZE`` is plenty).
        on_disk: Whether ``path`` names a file here, whose folder may hold a brat ``.ann``;
            False for a name that came with bytes (an upload), which is never looked up.

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
        if on_disk and suffix == ".txt" and path.with_suffix(".ann").is_file():
            return SourceFormat.BRAT
        if looks_binary(head):
            raise CasebookError(ErrorCode.BINARY_DATA, "binary data, not text", path)
        return SourceFormat.TEXT
    return _sniff(path, head)


def check_length(document: Document, max_chars: int, path: str | Path | None = None) -> Document:
    """The document, when its text is at most ``max_chars`` characters long.

    Raises:
        CasebookError: ``REQUEST_TOO_LARGE`` naming the limit, for a longer text.
    """
    if len(document.text) > max_chars:
        raise CasebookError(
            ErrorCode.REQUEST_TOO_LARGE,
            f"document {document.id!r} holds {len(document.text):,} characters; casebook reads "
            f"at most {max_chars:,} (--max-chars, CASEBOOK_MAX_CHARS)",
            path if path is not None else document.source.path,
        )
    return document


def _within(
    items: Iterator[Document | CasebookError], max_chars: int, path: str | Path | None
) -> Iterator[Document | CasebookError]:
    """The items, a ``REQUEST_TOO_LARGE`` error in place of each document past ``max_chars``."""
    for item in items:
        if isinstance(item, Document):
            try:
                item = check_length(item, max_chars, path)
            except CasebookError as error:
                item = error
        yield item


def _parse(
    data: bytes, fmt: SourceFormat, path: str | None, stem: str, max_chars: int
) -> Iterator[Document | CasebookError]:
    """Run the reader for a format on bytes already in memory (brat excepted: it needs files).

    Readers of several documents yield an error in place of each bad one, and one in place of
    each document longer than ``max_chars``.

    Raises:
        CasebookError: When no document of the bytes can be read.
    """
    if fmt is SourceFormat.TEXT:
        found: Iterator[Document | CasebookError] = iter([parse_text(data, stem, path)])
    elif fmt is SourceFormat.JATS:
        found = iter([parse_jats(data, path, stem)])
    elif fmt is SourceFormat.BIOC_XML:
        found = iter_bioc_xml(data, path, max_chars=max_chars)
    elif fmt is SourceFormat.BIOC_JSON:
        found = iter_bioc_json(data, path, max_chars=max_chars)
    elif fmt is SourceFormat.PMC_PATIENTS:
        found = parse_pmc_patients(data.splitlines(), path)
    else:
        raise CasebookError(ErrorCode.UNSUPPORTED_FORMAT, f"no reader for {fmt}", path)
    yield from _within(found, max_chars, path)


def read_path(path: Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Document]:
    """Read every document in one file, whatever its format.

    Raises:
        CasebookError: The first problem met, from detection or from the reader;
            ``REQUEST_TOO_LARGE`` for a document longer than ``max_chars``.
    """
    return all_or_first_error(_iter_file(path, max_chars, raising=True))


def _bytes_format(data: bytes, name: str) -> tuple[SourceFormat, str | None, str]:
    """The format, ``Source.path`` and stem of bytes named ``name`` (``-``: standard input)."""
    is_stdin = name == STDIN
    path = Path(name)
    head = data[:HEAD_SIZE]
    # Bytes have no sibling .ann to read, and an upload's name is never looked up on disk:
    # a .txt name is plain text.
    fmt = _sniff(path, head) if is_stdin else detect_format(path, head, on_disk=False)
    return fmt, None if is_stdin else name, "stdin" if is_stdin else path.stem


def read_bytes(
    data: bytes, name: str = STDIN, *, max_chars: int = DEFAULT_MAX_CHARS
) -> list[Document]:
    """Read documents from bytes, such as standard input; the format is sniffed from content.

    Args:
        data: The bytes.
        name: ``-`` for standard input (``Source.path`` is then None and a plain-text document
            gets the id ``stdin``), or a file name whose extension guides detection.
        max_chars: The longest document text accepted.

    Raises:
        CasebookError: The first problem met; ``REQUEST_TOO_LARGE`` for a document longer than
            ``max_chars``.
    """
    fmt, path, stem = _bytes_format(data, name)
    return all_or_first_error(_parse(data, fmt, path, stem, max_chars))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def is_supported(path: Path) -> bool:
    """Whether a folder walk or a glob keeps this file for the document readers."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES or is_package(path)


def _walk(folder: Path, keep: Callable[[Path], bool]) -> list[Path]:
    """Kept files under a folder, recursively, sorted, hidden files and folders skipped."""
    found = [p for p in folder.rglob("*") if keep(p) and not _hidden(p, folder) and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def expand_inputs(
    inputs: Sequence[str], keep: Callable[[Path], bool] = is_supported
) -> list[str | Path]:
    """Expand files, folders and glob patterns into the files to read, in order.

    A file is kept whatever its extension (it was named on purpose). A folder is walked
    recursively and sorted, keeping the files ``keep`` accepts (by default those of supported
    extensions, which leaves out ``.ann`` files) and skipping hidden files and folders; glob
    matches (``*.txt``, ``**/*.xml``) are filtered the same way. The same file reached twice is
    kept once, at its first place.

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
            for found in _walk(path, keep):
                add(found)
        elif path.exists():
            add(path)
        elif _GLOB_CHARS.search(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            files: list[Path] = []
            for match in map(Path, matches):
                if match.is_dir():
                    files += _walk(match, keep)
                elif keep(match) and not match.name.startswith("."):
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


def _iter_file(
    path: Path, max_chars: int = DEFAULT_MAX_CHARS, *, raising: bool = False
) -> Iterator[Document | CasebookError]:
    """Every document of one file, an error in place of each that fails or is longer than
    ``max_chars``.

    Args:
        path: The file.
        max_chars: The longest document text read.
        raising: Let an unexpected failure of a reader propagate (a single read, whose caller
            wants it) instead of yielding it as a coded error (a batch, which must go on).
    """
    if is_package(path):
        # Streamed member by member: a package is never unpacked or held whole.
        yield from _within(read_pmc_package(path), max_chars, path)
        return
    try:
        head = _read_head(path)
        fmt = detect_format(path, head)
        if fmt is SourceFormat.PMC_PATIENTS:
            # Streamed: a large corpus is not held in memory, and bad lines come as errors.
            yield from _within(read_pmc_patients(path), max_chars, path)
        elif fmt is SourceFormat.BRAT:
            yield from _within(iter([read_brat(path)[0]]), max_chars, path)
        else:
            yield from _parse(read_bytes_of(path), fmt, str(path), path.stem, max_chars)
    except CasebookError as error:
        yield error
    except Exception as exc:
        if raising:
            raise
        yield _reader_failed(exc, str(path))


def _iter_bytes(data: bytes, name: str, max_chars: int) -> Iterator[Document | CasebookError]:
    try:
        fmt, path, stem = _bytes_format(data, name)
        yield from _parse(data, fmt, path, stem, max_chars)
    except CasebookError as error:
        yield error
    except Exception as exc:
        yield _reader_failed(exc, name)


def _reader_failed(exc: Exception, where: str) -> CasebookError:
    """An unexpected failure of a reader (a bug) as a coded error, so that the batch goes on."""
    logger.debug("reading %s failed", where, exc_info=exc)
    return CasebookError(
        ErrorCode.PROCESSING_FAILED,
        f"reading failed unexpectedly ({type(exc).__name__}); the rest of this file is skipped",
        where,
        detail=library_detail(exc),
    )


def iter_documents(
    inputs: Sequence[str], stdin: BinaryIO | None = None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[Document | CasebookError]:
    """Yield every document of every input, in order, and an error for each failure.

    Nothing is raised for bad input: a missing path, an unsupported or broken file, or a bad
    PMC-Patients line is yielded as a ``CasebookError`` and the iteration goes on, so a batch
    reports every problem and still processes every good document.

    Args:
        inputs: Files, folders, glob patterns, or ``-`` for standard input (see
            ``expand_inputs``).
        stdin: Where ``-`` reads from; defaults to the process's standard input.
        max_chars: The longest document text read; a longer one is an error in its place.
    """
    first_seen: dict[str, str] = {}
    for item in expand_inputs(inputs):
        if item == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            found: Iterator[Document | CasebookError] = _iter_bytes(stream.read(), STDIN, max_chars)
        elif isinstance(item, str):
            found = iter(
                [
                    CasebookError(
                        ErrorCode.PATH_NOT_FOUND,
                        "no such file or folder, and no file matches it",
                        item,
                    )
                ]
            )
        else:
            found = _iter_file(item, max_chars)
        for document in found:
            if isinstance(document, Document):
                _warn_if_repeated(document, first_seen)
            yield document


def _warn_if_repeated(document: Document, first_seen: dict[str, str]) -> None:
    """Warn when an id was already read: where cases are kept by id, the later one replaces it."""
    where = document.source.path or STDIN
    earlier = first_seen.get(document.id)
    if earlier is None:
        first_seen[document.id] = where
        return
    place = "earlier in this input" if earlier == where else f"from {earlier}"
    logger.warning(
        "%s: id %s was already read %s; where cases are kept by id (the store, extract's "
        "files) this one replaces it",
        where,
        document.id,
        place,
    )
