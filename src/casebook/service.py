"""The service layer: the one place the CLI, the REST API and the web page call into."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import BinaryIO

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.detect import iter_documents
from casebook.model import Case, Document
from casebook.nlp.pipeline import PROVIDED_BY_READER, Pipeline


@cache
def default_pipeline() -> Pipeline:
    """The default pipeline, built (and contract-checked) once per process."""
    return Pipeline.from_names()


def analyze_document(document: Document) -> Case:
    """Analyse one document with the default pipeline.

    Raises:
        CasebookError: ``CB-E013`` when a component fails on this document.
    """
    try:
        return default_pipeline()(document)
    except CasebookError:
        raise
    except Exception as exc:  # a bug in one component must not hide which document hit it
        raise CasebookError(
            ErrorCode.PROCESSING_FAILED,
            f"analysis failed: {type(exc).__name__}: {exc}",
            document.source.path or document.id,
        ) from exc


@cache
def _assertion_pipeline() -> Pipeline:
    return Pipeline.from_names(
        ("sections", "sentences", "assertion"), provided=PROVIDED_BY_READER | {"mentions"}
    )


def assert_mentions(case: Case) -> Case:
    """Set the assertion of mentions a case already holds (sections, sentences, assertion).

    Used by the evaluation harness, which supplies gold mentions and scores only assertion.
    """
    return _assertion_pipeline().run(case)


def read_inputs(
    inputs: Sequence[str], stdin: BinaryIO | None = None
) -> tuple[list[Document], list[CasebookError]]:
    """Every document the inputs name, and an error for each input or file that failed."""
    documents: list[Document] = []
    errors: list[CasebookError] = []
    for item in iter_documents(inputs, stdin=stdin):
        if isinstance(item, CasebookError):
            errors.append(item)
        else:
            documents.append(item)
    return documents, errors


def analyze_inputs(
    inputs: Sequence[str], stdin: BinaryIO | None = None
) -> Iterator[Case | CasebookError]:
    """Analyse every document the inputs name, in order, yielding errors in their place."""
    documents, errors = read_inputs(inputs, stdin)
    yield from errors
    for document in documents:
        try:
            yield analyze_document(document)
        except CasebookError as error:
            yield error


_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def case_filename(case_id: str) -> str:
    """The file name a case is written to: its id with unsafe characters replaced."""
    return _UNSAFE_FILENAME_CHARS.sub("_", case_id) + ".json"


@dataclass
class ExtractResult:
    """What a batch extraction did, document by document."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[CasebookError] = field(default_factory=list)


def _already_done(document: Document, out_dir: Path) -> bool:
    """Whether ``out_dir`` holds a readable case of this document with the same text."""
    path = out_dir / case_filename(document.id)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stored, dict) and stored.get("text") == document.text


def write_case(case: Case, out_dir: Path) -> Path:
    """Write a case's JSON atomically, so an interrupted run never leaves half a file."""
    target = out_dir / case_filename(case.id)
    handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(case.model_dump_json(indent=1))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _extract_one(document: Document, out_dir: Path) -> str | CasebookError:
    """Analyse and write one document; runs in a worker process."""
    try:
        write_case(analyze_document(document), out_dir)
    except CasebookError as error:
        return error
    return document.id


def extract(
    inputs: Sequence[str],
    out_dir: Path,
    *,
    workers: int = 1,
    stdin: BinaryIO | None = None,
    on_total: Callable[[int], None] | None = None,
    on_advance: Callable[[], None] | None = None,
) -> ExtractResult:
    """Write one Case JSON per document into ``out_dir``, skipping those already done.

    Args:
        inputs: Files, folders, glob patterns, or ``-`` for standard input.
        out_dir: Where the Case JSON files go; created when missing.
        workers: Processes analysing documents in parallel.
        stdin: The stream ``-`` reads from.
        on_total: Called once with the number of documents to analyse.
        on_advance: Called after each analysed document.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    documents, read_errors = read_inputs(inputs, stdin)
    result = ExtractResult(failed=list(read_errors))
    todo: list[Document] = []
    for document in documents:
        if _already_done(document, out_dir):
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
            record(_extract_one(document, out_dir))
        return result
    # spawn, not fork: the progress display runs a thread, and forking a threaded process
    # can deadlock the children.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures: list[Future[str | CasebookError]] = [
            pool.submit(_extract_one, document, out_dir) for document in todo
        ]
        for future in as_completed(futures):
            record(future.result())
    return result
