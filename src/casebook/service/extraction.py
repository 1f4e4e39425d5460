"""``extract``: one Case JSON or FHIR Bundle file per document, resumable."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import BinaryIO

from casebook.config import DEFAULT_MAX_CHARS
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Document
from casebook.service.export import ExportFormat, already_extracted, write_case
from casebook.service.inputs import read_inputs
from casebook.service.pipeline import analyze_document
from casebook.service.workers import exit_with_parent


@dataclass
class ExtractResult:
    """What a batch extraction did, document by document."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[CasebookError] = field(default_factory=list)


def _extract_one(
    document: Document, out_dir: Path, output_format: ExportFormat
) -> str | CasebookError:
    """Analyse and write one document; runs in a worker process."""
    try:
        write_case(analyze_document(document), out_dir, output_format)
    except CasebookError as error:
        return error
    except OSError as exc:  # this document's file only (a name too long, say): the batch goes on
        return CasebookError(
            ErrorCode.PROCESSING_FAILED,
            f"cannot write its file: {exc.strerror or type(exc).__name__}",
            f"{document.source.path}: {document.id}" if document.source.path else document.id,
        )
    return document.id


def extract(
    inputs: Sequence[str],
    out_dir: Path,
    *,
    workers: int = 1,
    output_format: ExportFormat = ExportFormat.JSON,
    stdin: BinaryIO | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_total: Callable[[int], None] | None = None,
    on_advance: Callable[[], None] | None = None,
) -> ExtractResult:
    """Write one Case JSON (``ID.json``) or FHIR Bundle (``ID.fhir.json``) per document into
    ``out_dir``, skipping those already done.

    Args:
        inputs: Files, folders, glob patterns, or ``-`` for standard input.
        out_dir: Where the files go; created when missing.
        workers: Processes analysing documents in parallel.
        output_format: Case JSON or FHIR R4 Bundle.
        stdin: The stream ``-`` reads from.
        max_chars: The longest document text analysed; a longer one is a failure.
        on_total: Called once with the number of documents to analyse.
        on_advance: Called after each analysed document.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    documents, read_errors = read_inputs(inputs, stdin, max_chars=max_chars)
    result = ExtractResult(failed=list(read_errors))
    todo: list[Document] = []
    for document in documents:
        if already_extracted(document, out_dir, output_format):
            result.skipped.append(document.id)
        else:
            todo.append(document)
    if on_total:
        on_total(len(todo))

    def record(outcome: str | CasebookError) -> None:
        if isinstance(outcome, CasebookError):
            result.failed.append(outcome)
        else:
            result.written.append(outcome)
        if on_advance:
            on_advance()

    if workers <= 1 or len(todo) <= 1:
        for document in todo:
            record(_extract_one(document, out_dir, output_format))
        return result
    # spawn, not fork: the progress display runs a thread, and forking a threaded process
    # can deadlock the children.
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=exit_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures: list[Future[str | CasebookError]] = [
            pool.submit(_extract_one, document, out_dir, output_format) for document in todo
        ]
        for future in as_completed(futures):
            record(future.result())
    return result
