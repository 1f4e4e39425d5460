"""Plain-text reader: bytes to a ``Document`` whose text is stable across platforms.

Every offset casebook produces points into ``Document.text``, so the decoding rules here decide
what those offsets mean. Newlines are normalised to LF because the same report saved on Windows
(CRLF), classic Mac OS (CR) or Unix (LF) must give the same offsets, otherwise stored cases,
golden files and search hits would differ by platform.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Document, Source, SourceFormat

SNIFF_SIZE = 8192
"""How many leading characters the binary check looks at; enough to judge, cheap for big files."""

MAX_CONTROL_SHARE = 0.05
"""Share of control characters above which decoded bytes are judged binary, not text."""

# Controls that real text files do contain; every other C0/C1 control counts against the file.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1b")


def _control_share(text: str) -> float:
    sample = text[:SNIFF_SIZE]
    if not sample:
        return 0.0
    controls = sum(
        1
        for char in sample
        if (char < "\x20" or "\x7f" <= char <= "\x9f") and char not in _TEXT_CONTROLS
    )
    return controls / len(sample)


def looks_binary(data: bytes) -> bool:
    """Whether bytes look like binary data rather than text in a supported encoding.

    A NUL byte is decisive unless the bytes start with a UTF-16 byte order mark (UTF-16 text is
    full of NULs). Otherwise the bytes are decoded as UTF-8, or Latin-1 when that fails, and
    judged by their share of control characters.

    Args:
        data: The bytes, or a leading part of them.

    Returns:
        True when the bytes should not be read as text.
    """
    head = data[: SNIFF_SIZE * 4]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _control_share(head.decode("utf-16", errors="replace")) > MAX_CONTROL_SHARE
    if b"\x00" in head:
        return True
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A head cut from a file may end inside a multi-byte character; that is still UTF-8.
        truncated = exc.start >= len(head) - 3
        sample = head[: exc.start].decode("utf-8") if truncated else head.decode("latin-1")
    return _control_share(sample) > MAX_CONTROL_SHARE


def decode_text(data: bytes, path: str, *, normalize: bool = True) -> str:
    """Decode a text file's bytes.

    Bytes that start with a UTF-16 byte order mark are UTF-16; otherwise UTF-8 is tried (a
    UTF-8 byte order mark is dropped), and Latin-1 is the fallback for legacy files, which decodes
    any byte, so the binary check runs before it to keep images or archives from being read as
    gibberish text.

    Args:
        data: The file's bytes.
        path: The file name, used in error messages.
        normalize: When true (the default), drop the byte order mark and turn CRLF and lone CR
            into LF so that offsets do not depend on the platform that saved the file. Pass
            False when offsets were computed on the raw text, as brat standoff files are: brat
            counts every CR and a leading byte order mark.

    Returns:
        The decoded text.

    Raises:
        CasebookError: ``BINARY_DATA`` for binary bytes, ``UNDECODABLE_TEXT`` for a broken
            UTF-16 file, ``EMPTY_DOCUMENT`` when no non-whitespace text remains.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CasebookError(
                ErrorCode.UNDECODABLE_TEXT, f"invalid UTF-16 at byte {exc.start}", path
            ) from exc
        if not normalize:
            # Python's utf-16 codec consumes the BOM; put it back so raw offsets still count it.
            text = "\ufeff" + text
    else:
        if looks_binary(data):
            raise CasebookError(ErrorCode.BINARY_DATA, "binary data, not text", path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    if _control_share(text) > MAX_CONTROL_SHARE or "\x00" in text:
        raise CasebookError(ErrorCode.BINARY_DATA, "binary data, not text", path)
    if normalize:
        text = normalize_newlines(text.removeprefix("\ufeff"))
    if not text.replace("\ufeff", "").strip():
        raise CasebookError(ErrorCode.EMPTY_DOCUMENT, "the document holds no text", path)
    return text


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF (CRLF first, so it becomes one LF, not two)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes_of(path: Path) -> bytes:
    """Read a file's bytes, turning OS errors into coded errors that name the file.

    Raises:
        CasebookError: ``PATH_NOT_FOUND`` when the file is missing or unreadable,
            ``UNSUPPORTED_FORMAT`` when the path is a folder.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.PATH_NOT_FOUND, "no such file", path) from exc
    except IsADirectoryError as exc:
        raise CasebookError(ErrorCode.UNSUPPORTED_FORMAT, "is a folder, not a file", path) from exc
    except OSError as exc:
        raise CasebookError(
            ErrorCode.PATH_NOT_FOUND, f"cannot read: {exc.strerror or exc}", path
        ) from exc


def parse_text(data: bytes, doc_id: str, path: str | None) -> Document:
    """A plain-text ``Document`` from bytes.

    Args:
        data: The bytes.
        doc_id: The document id (the file stem, or ``stdin``).
        path: The file path, or None for standard input.

    Raises:
        CasebookError: As ``decode_text``.
    """
    text = decode_text(data, path or "-")
    return Document(id=doc_id, text=text, source=Source(format=SourceFormat.TEXT, path=path))


def read_text(path: Path) -> Document:
    """Read a plain-text file; the id is the file's stem.

    Raises:
        CasebookError: When the file is missing, binary, empty or undecodable.
    """
    return parse_text(read_bytes_of(path), path.stem, str(path))
