"""Plain-text reader: bytes to a ``Document`` whose text is stable across platforms.

Every offset casebook produces points into ``Document.text``, so the decoding rules here decide
what those offsets mean. Newlines are normalised to LF because the same report saved on Windows
(CRLF), classic Mac OS (CR) or Unix (LF) must give the same offsets, otherwise stored cases,
golden files and search hits would differ by platform.

The encoding is decided per file by one rule (``decode_bytes``), and every guess is said in a
warning on the ``casebook.ingest`` logger:

1. A byte order mark names the encoding: UTF-8, UTF-16 or UTF-32 (little or big endian).
2. Otherwise the bytes are read as UTF-8, and each byte that is not part of a valid UTF-8
   sequence is read as the Windows-1252 character it stands for (0x93 is “). A file with no
   valid multi-byte UTF-8 sequence is thus read as Windows-1252 throughout; a UTF-8 file with a
   stray byte keeps its UTF-8 ("München") and gets the stray byte's character.

charset-normalizer was tried for step 2 and not used: on short clinical texts it chose
cp1250 for Spanish ("años" became "ańos") and cp775 for text dense with curly quotes, where the
rule above reads both right. Text in other legacy encodings (Cyrillic, CJK) is misread as
Windows-1252, with the warning saying so.

Control characters (C0 but tab, line feed, vertical tab, form feed and carriage return; DEL; C1)
are never text: a file more than ``MAX_CONTROL_SHARE`` of whose leading characters are controls
is refused as binary, and the few in a text file are dropped with a warning, before any offset is
computed.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Document, Source, SourceFormat

logger = logging.getLogger("casebook.ingest")

SNIFF_SIZE = 8192
"""How many leading characters the binary check looks at; enough to judge, cheap for big files."""

MAX_CONTROL_SHARE = 0.05
"""Share of control characters above which decoded bytes are judged binary, not text."""

CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
"""Characters that are never text: C0 controls but tab, LF, VT, FF and CR; DEL; C1 controls."""

_STRAY = re.compile("[\udc80-\udcff]")
"""A byte that was not part of valid UTF-8, as ``surrogateescape`` decoding marks it."""

_DECODED_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
"""A character that a valid multi-byte UTF-8 sequence decoded to (not a stray byte)."""

_SURROGATE = re.compile("[\ud800-\udfff]")
"""A surrogate code point: never a character of text on its own (JSON's ``"\\ud800"``)."""

# Checked in this order: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

WINDOWS_1252 = "windows-1252"


def _windows_1252(byte: int) -> str:
    # The five bytes Windows-1252 leaves undefined stay C1 controls, which are then dropped.
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_STRAY_AS_1252 = {chr(0xDC00 + byte): _windows_1252(byte) for byte in range(0x80, 0x100)}


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded bytes and how they were read.

    Attributes:
        text: The characters, without a byte order mark, newlines and controls untouched.
        encoding: ``utf-8``, ``utf-16-le`` … (a byte order mark named it), or ``windows-1252``.
        bom: Whether the bytes started with a byte order mark.
        stray_bytes: Bytes of a UTF-8 file that were not UTF-8 and were read as Windows-1252.
        first_stray: The character offset of the first of them, when there is one.
    """

    text: str
    encoding: str
    bom: bool = False
    stray_bytes: int = 0
    first_stray: int | None = None


def decode_bytes(data: bytes, path: str) -> Decoded:
    """Decode bytes by the rule of the module docstring.

    Raises:
        CasebookError: ``UNDECODABLE_TEXT`` when bytes after a UTF-16 or UTF-32 byte order mark
            are not valid in that encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                name = encoding.upper().removesuffix("-LE").removesuffix("-BE")
                raise CasebookError(
                    ErrorCode.UNDECODABLE_TEXT,
                    f"invalid {name} at byte {exc.start + len(bom)}",
                    path,
                ) from exc
            return Decoded(text, encoding, bom=True)
    escaped = data.decode("utf-8", errors="surrogateescape")
    first = _STRAY.search(escaped)
    if first is None:
        return Decoded(escaped, "utf-8")
    strays = len(_STRAY.findall(escaped))
    text = _STRAY.sub(lambda match: _STRAY_AS_1252[match[0]], escaped)
    if _DECODED_NON_ASCII.search(escaped):
        return Decoded(text, "utf-8", stray_bytes=strays, first_stray=first.start())
    return Decoded(text, WINDOWS_1252)


def control_share(text: str) -> float:
    """The share of control characters (``CONTROL``) among the first ``SNIFF_SIZE``."""
    sample = text[:SNIFF_SIZE]
    if not sample:
        return 0.0
    return len(CONTROL.findall(sample)) / len(sample)


def looks_binary(data: bytes) -> bool:
    """Whether bytes look like binary data rather than text in a supported encoding.

    The leading bytes are decoded as ``decode_bytes`` would (a byte order mark that does not
    decode counts as binary) and judged by their share of control characters: a NUL or two in a
    text file are dropped, a file of them is binary.

    Args:
        data: The bytes, or a leading part of them.

    Returns:
        True when the bytes should not be read as text.
    """
    head = data[: SNIFF_SIZE * 4]
    try:
        decoded = decode_bytes(head, "-")
    except CasebookError:
        # A head cut from a UTF-16/32 file may end inside a character; judge what decodes.
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                text = head[len(bom) :].decode(encoding, errors="replace")
                return control_share(text) > MAX_CONTROL_SHARE
        return True
    return control_share(decoded.text) > MAX_CONTROL_SHARE


def _say_how_decoded(decoded: Decoded, path: str) -> None:
    if decoded.encoding == WINDOWS_1252:
        logger.warning("%s: not UTF-8; read as Windows-1252", path)
    elif decoded.stray_bytes:
        logger.warning(
            "%s: %d byte(s) are not UTF-8 (the first at character %d); each was read as its "
            "Windows-1252 character",
            path,
            decoded.stray_bytes,
            decoded.first_stray,
        )


def drop_controls(text: str, path: str, *, keep_offsets: bool = False) -> str:
    """Remove control characters (``CONTROL``) from text, with a warning counting them.

    Args:
        text: The text.
        path: Where it came from, for the warning.
        keep_offsets: Put a space in place of each control instead of dropping it, for text
            whose offsets were computed elsewhere (brat standoff, BioC passages).
    """
    found = CONTROL.search(text)
    if found is None:
        return text
    count = len(CONTROL.findall(text))
    logger.warning(
        "%s: %s %d control character(s) (the first, U+%04X, at character %d)",
        path,
        "replaced with spaces" if keep_offsets else "dropped",
        count,
        ord(found[0]),
        found.start(),
    )
    return CONTROL.sub(" " if keep_offsets else "", text)


def lone_surrogate(text: str) -> int | None:
    """The offset of the first lone surrogate (``"\\ud800"`` from JSON), or None.

    Such a character cannot be written as UTF-8, so no case holding one can be stored or sent.
    """
    found = _SURROGATE.search(text)
    return found.start() if found else None


def decode_text(data: bytes, path: str, *, normalize: bool = True) -> str:
    """Decode a text file's bytes (``decode_bytes``), refusing binary data.

    Args:
        data: The file's bytes.
        path: The file name, used in error messages and warnings.
        normalize: When true (the default), drop the byte order mark and control characters and
            turn CRLF and lone CR into LF, so that offsets do not depend on the platform that
            saved the file. Pass False when offsets were computed on the raw text, as brat
            standoff files are: brat counts every CR and a leading byte order mark, so these
            stay and each control character becomes a space.

    Returns:
        The decoded text.

    Raises:
        CasebookError: ``BINARY_DATA`` for binary bytes, ``UNDECODABLE_TEXT`` for a broken
            UTF-16 or UTF-32 file, ``EMPTY_DOCUMENT`` when no non-whitespace text remains.
    """
    decoded = decode_bytes(data, path)
    if control_share(decoded.text) > MAX_CONTROL_SHARE:
        raise CasebookError(ErrorCode.BINARY_DATA, "binary data, not text", path)
    _say_how_decoded(decoded, path)
    text = drop_controls(decoded.text, path, keep_offsets=not normalize)
    if normalize:
        text = normalize_newlines(text)
    elif decoded.bom:
        text = "\ufeff" + text
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
            ErrorCode.PATH_NOT_FOUND, f"cannot read: {exc.strerror or type(exc).__name__}", path
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
