"""Documents from what a user gives: files, folders, uploads, pasted text, a query."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import BinaryIO

from casebook.config import DEFAULT_MAX_CHARS
from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.detect import STDIN, check_length, iter_documents, read_bytes
from casebook.model import Document, Source, SourceFormat
from casebook.service.hashing import hash_text


def read_inputs(
    inputs: Sequence[str], stdin: BinaryIO | None = None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> tuple[list[Document], list[CasebookError]]:
    """Every document the inputs name, and an error for each input or file that failed (a
    document longer than ``max_chars`` among them)."""
    documents: list[Document] = []
    errors: list[CasebookError] = []
    for item in iter_documents(inputs, stdin=stdin, max_chars=max_chars):
        if isinstance(item, CasebookError):
            errors.append(item)
        else:
            documents.append(item)
    return documents, errors


def read_upload(data: bytes, name: str | None = None, *, max_chars: int) -> list[Document]:
    """The documents in uploaded or pasted bytes, in any format ``read_bytes`` reads.

    Pasted plain text (no ``name``) gets the id ``text-`` and the start of a hash of the text,
    so that the same text pasted twice is the same case (also after an upgrade, which replaces
    it) and different texts never share an id.

    Args:
        data: The bytes.
        name: The uploaded file's name, whose extension guides format detection (folders in
            it are dropped); None for pasted content, whose format is sniffed.
        max_chars: The longest document text accepted.

    Raises:
        CasebookError: The reader's error for bad content; ``CB-E017`` for a document longer
            than ``max_chars``.
    """
    if name is not None:
        # Only the file name: an uploaded name is never a path on this machine.
        name = PurePosixPath(name.replace("\\", "/")).name or "upload"
    documents = read_bytes(data, name or STDIN, max_chars=max_chars)
    if name is None:
        documents = [
            d.model_copy(update={"id": f"text-{hash_text(d, '')[:12]}"})
            if d.source.format is SourceFormat.TEXT
            else d
            for d in documents
        ]
    return documents


def query_document(
    text: str, case_id: str = "query", *, max_chars: int = DEFAULT_MAX_CHARS
) -> Document:
    """Free text, such as a search query, as a plain-text document to analyse.

    Raises:
        CasebookError: ``CB-E002`` when the text is blank; ``CB-E017`` when it is longer than
            ``max_chars``.
    """
    if not text.strip():
        raise CasebookError(ErrorCode.EMPTY_DOCUMENT, "the query text is empty")
    document = Document(id=case_id, text=text, source=Source(format=SourceFormat.TEXT))
    return check_length(document, max_chars)
