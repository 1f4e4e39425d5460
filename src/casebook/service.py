"""The service layer: the one place the CLI, the REST API and the web page call into."""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from itertools import islice
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from casebook.config import DEFAULT_MAX_CHARS, get_settings
from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.ingest.cases import CASE_READERS, CaseRead, CaseReader, iter_cases
from casebook.ingest.detect import STDIN, check_length, iter_documents, read_bytes
from casebook.model import Case, Document, Patient, Source, SourceFormat
from casebook.pipeline_fingerprint import pipeline_fingerprint
from casebook.store.base import AddOutcome, CaseRecord, CaseSummary

# Imported where they are used: the pipeline pulls in spaCy and the models' numerical
# libraries, FHIR export fhir.resources, the store DuckDB and the search scipy and bm25s,
# which commands that need none of them (help, errors, schema, count, show) never load.
if TYPE_CHECKING:
    from casebook.care import CareReport
    from casebook.nlp.pipeline import Pipeline
    from casebook.search.hybrid import CaseIndexer, IndexEntry, SearchFilters
    from casebook.search.precedent import Precedent
    from casebook.store import DuckDBCaseStore


logger = logging.getLogger(__name__)

T = TypeVar("T")

GC_YOUNG_THRESHOLD = 10_000
"""Allocations between two collections of the garbage collector's youngest generation."""


@cache
def default_pipeline() -> Pipeline:
    """The default pipeline, built (and contract-checked) once per process.

    Its models and vocabularies live as long as the process, so they are moved out of the
    garbage collector's sight (``gc.freeze``): otherwise every full collection walks their
    millions of objects. Analysing a document allocates some hundred thousand short-lived
    objects, so the youngest generation is collected every ``GC_YOUNG_THRESHOLD`` of them
    rather than every 700 (Python's default). BENCHMARKS.md has the measurements.
    """
    # The collector is off while the pipeline's modules and models load: each of its full
    # collections would walk every object loaded so far, and loading leaves no garbage for it
    # to find. For the same reason no collection runs before the freeze.
    enabled = gc.isenabled()
    gc.disable()
    try:
        from casebook.components import pipeline_from_names

        pipeline = pipeline_from_names()
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    return pipeline


def analyze_document(document: Document, deadline: float | None = None) -> Case:
    """Analyse one document with the default pipeline, stopping at ``deadline``
    (``time.monotonic()``) if given; the case records the pipeline's fingerprint.

    Raises:
        CasebookError: ``CB-E013`` when a component fails on this document; ``CB-E020`` when
            the deadline passes.
    """
    try:
        case = default_pipeline()(document, deadline)
        case.pipeline = pipeline_fingerprint()
        return case
    except CasebookError:
        raise
    except Exception as exc:  # a bug in one component must not hide which document hit it
        raise _failed("analysis", exc, document) from exc


def _failed(what: str, exc: BaseException, document: Document) -> CasebookError:
    """An unexpected failure on one document as a coded error in casebook's words.

    The exception's own text goes to ``detail`` (``--debug``) and the DEBUG log: it can be long,
    quote the document, or mean nothing to a user. The document is named by its file and id.
    """
    logger.debug("%s failed on %s", what, document.id, exc_info=exc)
    where = f"{document.source.path}: {document.id}" if document.source.path else document.id
    return CasebookError(
        ErrorCode.PROCESSING_FAILED,
        f"{what} failed unexpectedly ({type(exc).__name__})",
        where,
        detail=library_detail(exc),
    )


@cache
def _assertion_pipeline() -> Pipeline:
    from casebook.components import pipeline_from_names
    from casebook.nlp.pipeline import PROVIDED_BY_READER

    return pipeline_from_names(
        ("sections", "sentences", "assertion"), provided=PROVIDED_BY_READER | {"mentions"}
    )


def assert_mentions(case: Case) -> Case:
    """Set the assertion of mentions a case already holds (sections, sentences, assertion).

    Used by the evaluation harness, which supplies gold mentions and scores only assertion.
    """
    return _assertion_pipeline().run(case)


@cache
def _relation_pipeline() -> Pipeline:
    from casebook.components import pipeline_from_names
    from casebook.nlp.pipeline import PROVIDED_BY_READER

    return pipeline_from_names(
        ("sections", "sentences", "assertion", "attributes", "relations", "temporal", "summary"),
        provided=PROVIDED_BY_READER | {"mentions"},
    )


def relate_mentions(case: Case) -> Case:
    """Relations, time, order and summary of the mentions a case already holds.

    Used by the evaluation harness, which supplies gold mentions and scores relations and
    the timeline apart from entity recognition.
    """
    return _relation_pipeline().run(case)


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


def analyze_inputs(
    inputs: Sequence[str], stdin: BinaryIO | None = None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[Case | CasebookError]:
    """Analyse every document the inputs name, in order, yielding errors in their place."""
    documents, errors = read_inputs(inputs, stdin, max_chars=max_chars)
    yield from errors
    for document in documents:
        try:
            yield analyze_document(document)
        except CasebookError as error:
            yield error


def care_check(
    inputs: Sequence[str], stdin: BinaryIO | None = None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[CareReport | CasebookError]:
    """Analyse each document and check it against the CARE checklist, errors in their place."""
    from casebook.care import check_care

    for result in analyze_inputs(inputs, stdin, max_chars=max_chars):
        yield result if isinstance(result, CasebookError) else check_care(result)


class ExportFormat(StrEnum):
    """What a case is written as: casebook's Case JSON or a FHIR R4 Bundle."""

    JSON = "json"
    FHIR = "fhir"


def export_case(case: Case, output_format: ExportFormat, indent: int | None = None) -> str:
    """The case as JSON text in ``output_format``."""
    if output_format is ExportFormat.FHIR:
        from casebook.export.fhir import bundle_json

        return bundle_json(case, indent=indent)
    return case.model_dump_json(indent=indent)


_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def case_filename(case_id: str, output_format: ExportFormat = ExportFormat.JSON) -> str:
    """The file a case is written to: its id made file-safe, then ``.json`` or ``.fhir.json``."""
    suffix = ".fhir.json" if output_format is ExportFormat.FHIR else ".json"
    return _UNSAFE_FILENAME_CHARS.sub("_", case_id) + suffix


@dataclass
class ExtractResult:
    """What a batch extraction did, document by document."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[CasebookError] = field(default_factory=list)


def already_extracted(document: Document, out_dir: Path, output_format: ExportFormat) -> bool:
    """Whether ``out_dir`` holds a readable export of this document with the same text, made
    by this pipeline (``Case.pipeline``).

    ``extract`` and ``spark extract`` both skip such a document, so a rerun resumes; an
    export another pipeline made is written again.
    """
    path = out_dir / case_filename(document.id, output_format)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if output_format is ExportFormat.FHIR:
        from casebook.export.fhir import stored_pipeline, stored_text_hash, text_hash

        return (
            stored_text_hash(stored) == text_hash(document.text)
            and stored_pipeline(stored) == pipeline_fingerprint()
        )
    return (
        isinstance(stored, dict)
        and stored.get("text") == document.text
        and stored.get("pipeline") == pipeline_fingerprint()
    )


def write_case(case: Case, out_dir: Path, output_format: ExportFormat = ExportFormat.JSON) -> Path:
    """Write a case atomically, so an interrupted run never leaves half a file."""
    target = out_dir / case_filename(case.id, output_format)
    handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(export_case(case, output_format, indent=1))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


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


def content_hash(document: Document | Case) -> str:
    """A hash of what a case is analysed from and with: the text, its format, and the pipeline
    fingerprint.

    The case store compares it to decide whether a document was already added unchanged. A
    document hashes with this casebook's pipeline fingerprint, a case with the one it records
    (none when it records none), so that ``add`` analyses again a stored case that another
    casebook, a retrained model or edited rules made: they may read the same text differently.
    """
    if isinstance(document, Case):
        return _hash_text(document, document.pipeline or "")
    return _hash_text(document, pipeline_fingerprint())


def _hash_text(document: Document | Case, prefix: str) -> str:
    digest = hashlib.sha256()
    digest.update(prefix.encode("utf-8"))
    # A separator no fingerprint or format name contains, so that they cannot run together.
    digest.update(b"\0")
    digest.update(document.source.format.value.encode("utf-8"))
    digest.update(b"\0")
    digest.update(document.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


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
            d.model_copy(update={"id": f"text-{_hash_text(d, '')[:12]}"})
            if d.source.format is SourceFormat.TEXT
            else d
            for d in documents
        ]
    return documents


def open_store(
    path: Path, *, read_only: bool = False, wait_s: float | None = None
) -> DuckDBCaseStore:
    """Open (creating when missing and writable) the case store at ``path``.

    The store is one file that a writing process holds alone, so every caller closes it as
    soon as its call or batch is done: then readers and writers of other processes take turns
    instead of locking each other out.

    Args:
        path: The store file.
        read_only: Open to read only, which other readers may do at the same time.
        wait_s: How long to wait while another process holds the store; the
            ``store_wait_s`` setting (``CASEBOOK_STORE_WAIT_S``) when None.

    Raises:
        CasebookError: ``CB-E016`` when another process still holds the store after
            ``wait_s``; ``CB-E015`` when the file is not a case store this casebook can read.
    """
    from casebook.store import DuckDBCaseStore

    if wait_s is None:
        wait_s = get_settings().store_wait_s
    return DuckDBCaseStore(path, read_only=read_only, wait_s=wait_s)


@dataclass
class AddResult:
    """What adding documents to the case store did, by case id."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    failed: list[CasebookError] = field(default_factory=list)


def _analyze_for_store(
    analyze: Callable[[Document], Case], document: Document
) -> Case | CasebookError:
    """Analyse one document, returning its error instead of raising."""
    try:
        return analyze(document)
    except CasebookError as error:
        return error
    except Exception as exc:  # an injected analysis may raise anything; keep the batch going
        return _failed("analysis", exc, document)


@cache
def _indexer() -> CaseIndexer:
    # Imported here: the search index pulls in scipy and bm25s, which other commands never need.
    from casebook.search.hybrid import CaseIndexer

    return CaseIndexer()


def case_record(case: Case, digest: str) -> CaseRecord:
    """A case as the store writes it, with its search-index entry."""
    indexer = _indexer()
    return CaseRecord.of(case, digest, indexer.key, indexer.entry(case).to_json())


def _record_for_store(
    analyze: Callable[[Document], Case], document: Document, digest: str
) -> CaseRecord | CasebookError:
    """Analyse one document and prepare it for the store; runs in a worker process.

    The worker, not the process writing the store, serialises the case and computes its
    search-index entry: the writer is one process, the workers are many.
    """
    outcome = _analyze_for_store(analyze, document)
    if isinstance(outcome, CasebookError):
        return outcome
    try:
        return case_record(outcome, digest)
    except Exception as exc:  # a case the index cannot read must not stop the batch
        return _failed("indexing", exc, document)


PARENT_CHECK_S = 0.5
"""How often a worker process looks whether the process that started it is still there."""


def exit_with_parent(parent: int) -> None:
    """Make this worker process exit as soon as ``parent``, the process that started it, is
    gone.

    A worker whose parent was killed (SIGKILL, out of memory) is handed to another parent and
    would go on analysing for nobody, holding its memory; a thread watches the parent's pid
    and ends the process when it changes. Linux and macOS give an orphan a new parent pid. The
    parent passes its own pid, so that a worker orphaned before it got here exits too.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="casebook-parent-watch", daemon=True).start()


def _start_worker(parent: int, load_pipeline: bool) -> None:
    """Load what every document needs once, when the worker starts; exit with the parent."""
    exit_with_parent(parent)
    if load_pipeline:
        default_pipeline()
    _indexer()


COMMIT_EVERY_S = 1.0
"""The longest an analysed case waits before ``add`` commits it."""

COMMIT_AT_MOST = 64
"""The most cases ``add`` commits in one transaction."""


class _BatchWriter:
    """Stores analysed cases in batches of whole cases, one transaction per batch.

    A transaction per case would make the one process that writes wait on every commit; a batch
    is committed when it holds ``COMMIT_AT_MOST`` cases or its first case has waited
    ``COMMIT_EVERY_S``, so an interrupted ``add`` loses at most that much finished work. The
    store is opened for each batch and closed after its commit, so that other processes read
    (and write) it between two batches; a batch waits, bounded, while another process holds it.

    With ``entry_key`` set, the search-index entries built by that key of the cases it stores
    are kept in ``entries``, read while the workers analyse: building the index at the end
    then reads none of them back from the store.
    """

    def __init__(
        self,
        store_path: Path,
        result: AddResult,
        on_advance: Callable[[], None] | None,
        entry_key: str | None = None,
    ) -> None:
        self._store_path = store_path
        self._result = result
        self._on_advance = on_advance
        self._pending: list[CaseRecord] = []
        self._since = 0.0
        self._entry_key = entry_key
        self._vocabulary: dict[str, str] = {}
        self.entries: dict[str, IndexEntry] = {}

    def put(self, outcome: CaseRecord | CasebookError) -> None:
        """Queue an analysed case (committed when the batch is due), or record a failure."""
        if isinstance(outcome, CasebookError):
            self._result.failed.append(outcome)
            if self._on_advance:
                self._on_advance()
            return
        if not self._pending:
            self._since = time.monotonic()
        self._pending.append(outcome)
        if len(self._pending) >= COMMIT_AT_MOST or self.wait_s() == 0:
            self.flush()

    def wait_s(self) -> float | None:
        """Seconds until the pending batch is due; None when nothing is pending."""
        if not self._pending:
            return None
        return max(0.0, self._since + COMMIT_EVERY_S - time.monotonic())

    def flush(self) -> None:
        """Commit the pending cases now."""
        if not self._pending:
            return
        with open_store(self._store_path) as store:
            outcomes = store.add_records(self._pending)
        lists = {
            AddOutcome.ADDED: self._result.added,
            AddOutcome.UNCHANGED: self._result.unchanged,
            AddOutcome.REPLACED: self._result.replaced,
        }
        for record, stored in zip(self._pending, outcomes, strict=True):
            lists[stored].append(record.id)
            if stored is not AddOutcome.UNCHANGED:
                self._keep_entry(record)
            if self._on_advance:
                self._on_advance()
        self._pending = []

    def _keep_entry(self, record: CaseRecord) -> None:
        if self._entry_key is None or record.index_entry is None:
            return
        if record.index_key != self._entry_key:
            return
        from casebook.search.hybrid import IndexEntry

        self.entries[record.id] = IndexEntry.from_json(
            record.id, record.index_entry, self._vocabulary
        )


def add(
    inputs: Sequence[str],
    store_path: Path,
    *,
    workers: int = 1,
    analyze: Callable[[Document], Case] | None = None,
    index: bool = True,
    replace: bool = False,
    stdin: BinaryIO | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_total: Callable[[int], None] | None = None,
    on_advance: Callable[[], None] | None = None,
) -> AddResult:
    """Analyse documents into the case store, skipping those already stored unchanged.

    A document whose id and content hash are already stored is not analysed again; one whose
    id is stored with the same text in another version of casebook is analysed again and
    replaces it. A document whose id is stored (or given earlier) with another text is another
    document sharing the id: it fails with ``CB-E021`` unless ``replace``. Analysed
    cases are committed in small batches of whole cases (at most ``COMMIT_EVERY_S`` after
    each is done), so an interrupted run (Ctrl-C, kill -9) loses only the cases still being
    analysed or waiting for their batch; running it again finishes the rest. The store is
    held only while a batch is committed, so other processes read it meanwhile. Each case's
    search-index entry is computed and stored with it, and the store's search index is
    brought up to date at the end, so the next search only loads it.

    Args:
        inputs: Files, folders, glob patterns, or ``-`` for standard input.
        store_path: The case store; created when missing.
        workers: Processes analysing documents in parallel.
        analyze: Turns a document into a case; ``analyze_document`` when None. With more than
            one worker it must be a picklable top-level function.
        index: Bring the search index up to date before returning.
        replace: Replace a stored case whose id a document shares but whose text differs.
        stdin: The stream ``-`` reads from.
        max_chars: The longest document text analysed; a longer one is a failure.
        on_total: Called once with the number of documents to analyse.
        on_advance: Called after each analysed document is stored (or has failed).

    Raises:
        CasebookError: ``CB-E016`` when another process holds the store longer than the
            ``store_wait_s`` setting; ``CB-E015`` when it cannot be opened or written.
            Documents that cannot be read or analysed are reported in ``AddResult.failed``.
    """
    analyze = analyze or analyze_document
    # Create or check the store before reading anything, so that a foreign file fails at once.
    with open_store(store_path):
        pass
    documents, read_errors = read_inputs(inputs, stdin, max_chars=max_chars)
    result = AddResult(failed=list(read_errors))
    todo: list[tuple[Document, str]] = []
    queued: set[tuple[str, str]] = set()
    digests = [content_hash(document) for document in documents]
    with open_store(store_path, read_only=True) as store:
        stored = store.content_hashes([document.id for document in documents])
        changed = [
            document.id
            for document, digest in zip(documents, digests, strict=True)
            if stored.get(document.id, digest) != digest
        ]
        clashes = [False] * len(documents) if replace else _clashes(documents, store.texts(changed))
    for document, digest, clash in zip(documents, digests, clashes, strict=True):
        # A document listed twice, unchanged, is analysed once.
        if (document.id, digest) in queued or stored.get(document.id) == digest:
            result.unchanged.append(document.id)
        elif clash:
            result.failed.append(_clash(document))
        else:
            queued.add((document.id, digest))
            todo.append((document, digest))
    del documents
    if on_total:
        on_total(len(todo))
    writer = _BatchWriter(store_path, result, on_advance, _indexer().key if index else None)
    try:
        if workers <= 1 or len(todo) <= 1:
            for document, digest in todo:
                writer.put(_record_for_store(analyze, document, digest))
        else:
            _add_in_workers(todo, analyze, workers, writer)
    except KeyboardInterrupt:
        writer.flush()  # the finished cases are whole: keep them
        raise
    writer.flush()
    if index:
        from casebook.search.precedent import refresh_index

        # Read-only: other readers go on meanwhile; a writer waits until the index is saved,
        # which keeps the index and the fingerprint it is stamped with the same cases.
        with open_store(store_path, read_only=True) as store:
            refresh_index(store_path, store, fresh=writer.entries)
    return result


def _clash(document: Document) -> CasebookError:
    return CasebookError(
        ErrorCode.ID_CONFLICT,
        f"a case {document.id!r} with another text is stored or given before it; not "
        "stored (--replace replaces it)",
        document.source.path or document.id,
    )


IN_FLIGHT_PER_WORKER = 4
"""Documents queued per worker: enough to keep it busy, few enough that finished cases do
not pile up in memory."""


def _add_in_workers(
    todo: Sequence[tuple[Document, str]],
    analyze: Callable[[Document], Case],
    workers: int,
    writer: _BatchWriter,
) -> None:
    """Analyse documents in worker processes, handing each prepared case to the writer."""
    # spawn, not fork: the progress display runs a thread, and forking a threaded process
    # can deadlock the children.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), analyze is analyze_document),
    )
    waiting = iter(todo)
    in_flight: dict[Future[CaseRecord | CasebookError], Document] = {}

    def fill() -> None:
        while len(in_flight) < workers * IN_FLIGHT_PER_WORKER:
            item = next(waiting, None)
            if item is None:
                return
            document, digest = item
            try:
                in_flight[pool.submit(_record_for_store, analyze, document, digest)] = document
            except BrokenProcessPool as exc:
                writer.put(_worker_failed(document, exc))

    try:
        fill()
        while in_flight:
            done, _ = wait(in_flight, timeout=writer.wait_s(), return_when=FIRST_COMPLETED)
            for future in done:
                document = in_flight.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker died (killed, out of memory)
                    outcome = _worker_failed(document, exc)
                writer.put(outcome)
            if writer.wait_s() == 0:
                writer.flush()
            fill()
    except BaseException:
        # Interrupted (Ctrl-C) or the store failed: drop the queued documents instead of
        # analysing them all before returning; what is stored stays stored.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _worker_failed(document: Document, exc: BaseException) -> CasebookError:
    return _failed("the worker analysing it", exc, document)


def store_cases(cases: Sequence[Case], store_path: Path, *, replace: bool = False) -> AddResult:
    """Store analysed cases, each in its own transaction; an unchanged case is not rewritten.

    A case whose id the store (or an earlier case of ``cases``) holds with another text is
    another document that happens to share the id: unless ``replace`` says to replace it,
    nothing is stored.

    Raises:
        CasebookError: ``CB-E021`` naming every such id, unless ``replace``;
            ``CB-E016``/``CB-E015`` when the store cannot be opened or written.
    """
    result = AddResult()
    with open_store(store_path) as store:
        if not replace:
            clashes = _clashes(cases, store.texts([case.id for case in cases]))
            clashing = [c.id for c, clash in zip(cases, clashes, strict=True) if clash]
            if clashing:
                raise CasebookError(
                    ErrorCode.ID_CONFLICT,
                    f"{_listed(list(dict.fromkeys(clashing)))} already goes with another text "
                    "(a stored case, or an earlier document of these); nothing was stored",
                )
        for case in cases:
            stored = store.add_records([case_record(case, content_hash(case))])[0]
            {
                AddOutcome.ADDED: result.added,
                AddOutcome.UNCHANGED: result.unchanged,
                AddOutcome.REPLACED: result.replaced,
            }[stored].append(case.id)
    return result


def document_of(case: Case) -> Document:
    """The document a case was analysed from, as near as the case tells it.

    The text, its source and title are the case's own. Sections and the patient's age and sex
    are what the reader gave only for the formats whose readers give them (JATS and BioC mark
    up sections, PMC-Patients states age and sex); for the others the pipeline finds them.
    """
    return Document(
        id=case.id,
        text=case.text,
        source=case.source,
        title=case.title,
        sections=case.sections if case.source.format in READER_SECTIONS else [],
        patient=case.patient if case.source.format in READER_PATIENT else Patient(),
    )


READER_SECTIONS = frozenset({SourceFormat.JATS, SourceFormat.BIOC_XML, SourceFormat.BIOC_JSON})
"""Formats whose readers give a document's sections."""

READER_PATIENT = frozenset({SourceFormat.PMC_PATIENTS})
"""Formats whose readers give the patient's age and sex."""


@dataclass
class LoadResult(AddResult):
    """What loading analysed cases did, by case id; ``reanalysed`` are also in the others."""

    reanalysed: list[str] = field(default_factory=list)


def _other_pipeline(read: CaseRead) -> CasebookError:
    made = read.case.pipeline
    made_by = f"pipeline {made}" if made else "a pipeline it does not record"
    return CasebookError(
        ErrorCode.OTHER_PIPELINE,
        f"case {read.case.id!r} was made by {made_by}, not by this casebook's "
        f"{pipeline_fingerprint()}; --reanalyse analyses its text again",
        read.where,
    )


def _loaded_record(read: CaseRead, again: bool) -> CaseRecord | CasebookError:
    """The store's record of a case read from a file, analysed again first when ``again``.

    A search-index entry stored beside the case (the case Parquet's) is kept when this
    casebook's indexer built it; otherwise the entry is computed from the case.
    """
    case = read.case
    try:
        if again:
            case = analyze_document(document_of(case))
        digest = content_hash(case)
        if not again and read.digest is not None and read.digest != digest:
            return CasebookError(
                ErrorCode.INVALID_CASE,
                f"case {case.id!r} is stored with the fingerprint {read.digest}, which is not "
                "that of its text, format and pipeline",
                read.where,
            )
        if not again and read.index_entry is not None and read.index_key == _indexer().key:
            return CaseRecord.of(case, digest, read.index_key, read.index_entry)
        return case_record(case, digest)
    except CasebookError as error:
        return CasebookError(error.code, error.message, read.where)
    except Exception as exc:  # a case the index cannot read must not stop the batch
        return CasebookError(
            ErrorCode.PROCESSING_FAILED,
            f"indexing case {case.id!r} failed: {type(exc).__name__}: {exc}",
            read.where,
        )


def _clash_of(read: CaseRead) -> CasebookError:
    return CasebookError(
        ErrorCode.ID_CONFLICT,
        f"a case {read.case.id!r} with another text is stored or given before it; not "
        "stored (--replace replaces it)",
        read.where,
    )


def _read_case_parquet(path: Path) -> Iterator[CaseRead | CasebookError]:
    """The cases of a case Parquet file (``casebook.export.parquet``), which needs pyarrow."""
    try:
        from casebook.export.parquet import read_case_parquet
    except ImportError:
        yield CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            "reading the case Parquet needs pyarrow: install casebook[spark]",
            path,
        )
        return
    yield from read_case_parquet(path)


LOAD_READERS: dict[str, CaseReader] = {**CASE_READERS, ".parquet": _read_case_parquet}
"""What ``load`` reads: Case JSON and JSON Lines, and the case Parquet of ``spark extract``."""


def load(
    inputs: Sequence[str],
    store_path: Path,
    *,
    reanalyse: bool = False,
    replace: bool = False,
    index: bool = True,
    stdin: BinaryIO | None = None,
    on_advance: Callable[[], None] | None = None,
) -> LoadResult:
    """Store cases analysed elsewhere, without analysing them again.

    The cases are read one at a time (``casebook.ingest.cases``, and
    ``casebook.export.parquet`` for the case Parquet), validated against the case model, and
    committed in batches of at most ``COMMIT_AT_MOST``, each case with its search-index entry;
    the store is held only while a batch is looked up or committed, as ``add`` holds it. A case
    whose text the store already holds as this pipeline made it is left as it is, so an
    interrupted load resumes. Memory holds one batch of cases, whatever their number (the
    result lists their ids). A case another pipeline made (``Case.pipeline``) is refused with
    ``CB-E025``, or analysed again from its text when ``reanalyse``; one whose id is stored
    (or given earlier in the batch) with another text is refused with ``CB-E021`` unless
    ``replace``. A record that cannot be read or stored is reported with its file and line in
    ``LoadResult.failed``, and the rest go on.

    Args:
        inputs: Case files, folders of them, glob patterns, or ``-`` for Case JSON Lines on
            standard input (see ``casebook.ingest.cases.iter_cases`` and ``LOAD_READERS``).
        store_path: The case store; created when missing.
        reanalyse: Analyse again the cases another pipeline made, instead of refusing them.
        replace: Replace a stored case whose id a loaded case shares but whose text differs.
        index: Bring the search index up to date before returning.
        stdin: The stream ``-`` reads from.
        on_advance: Called after each case is stored (or has failed).

    Raises:
        CasebookError: ``CB-E016``/``CB-E015`` when the store cannot be opened or written.
    """
    result = LoadResult()
    pipeline = pipeline_fingerprint()
    # Create or check the store before reading anything, so that a foreign file fails at once.
    with open_store(store_path):
        pass
    # No entries kept for the index: they would grow with the cases; it reads them back.
    writer = _BatchWriter(store_path, result, on_advance)
    try:
        for chunk in _chunks(iter_cases(inputs, stdin, LOAD_READERS), COMMIT_AT_MOST):
            reads = [read for read in chunk if isinstance(read, CaseRead)]
            ids = [read.case.id for read in reads]
            with open_store(store_path, read_only=True) as store:
                stored = store.content_hashes(ids)
                # Texts only of ids stored otherwise: reading them scans the cases' JSON.
                changed = [
                    read.case.id
                    for read in reads
                    if stored.get(read.case.id, "") not in ("", _hash_text(read.case, pipeline))
                ]
                texts = store.texts(changed) if changed and not replace else {}
            # Whether each case's id goes with another text, stored or earlier in the batch.
            clashes = iter(_clashes([read.case for read in reads], texts))
            for read in chunk:
                if isinstance(read, CasebookError):
                    writer.put(read)
                    continue
                clash = next(clashes) and not replace
                if stored.get(read.case.id) == _hash_text(read.case, pipeline):
                    # Stored as this pipeline makes it: neither analysed nor indexed again.
                    result.unchanged.append(read.case.id)
                    if on_advance:
                        on_advance()
                elif clash:
                    writer.put(_clash_of(read))
                elif read.case.pipeline != pipeline and not reanalyse:
                    writer.put(_other_pipeline(read))
                else:
                    again = read.case.pipeline != pipeline
                    record = _loaded_record(read, again)
                    if again and isinstance(record, CaseRecord):
                        result.reanalysed.append(record.id)
                    writer.put(record)
            # Committed before the next batch is looked up, so that it sees this one.
            writer.flush()
    except KeyboardInterrupt:
        writer.flush()  # the finished cases are whole: keep them
        raise
    writer.flush()
    if index:
        from casebook.search.precedent import refresh_index

        with open_store(store_path, read_only=True) as store:
            refresh_index(store_path, store)
    return result


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), read as they are needed."""
    while chunk := list(islice(items, size)):
        yield chunk


@dataclass(frozen=True)
class StaleCases:
    """The stored cases that another pipeline than this casebook's made."""

    pipeline: str
    """This casebook's pipeline fingerprint."""
    stored: int
    """How many cases the store holds."""
    ids: list[str]
    """The ids of those another pipeline made (or that record none), sorted."""


def stale_cases(store_path: Path) -> StaleCases:
    """Which stored cases another pipeline made; none when the store does not exist yet."""
    pipeline = pipeline_fingerprint()
    if not store_path.exists():
        return StaleCases(pipeline, 0, [])
    with open_store(store_path, read_only=True) as store:
        return StaleCases(pipeline, store.count(), store.stale_ids(pipeline))


def _clashes(documents: Sequence[Document | Case], stored: dict[str, str]) -> list[bool]:
    """For each document, whether its id goes with another text: a stored one (``stored``,
    id → text) or that of the first document given with the id."""
    texts = dict(stored)
    return [texts.setdefault(d.id, d.text) != d.text for d in documents]


def _listed(case_ids: Sequence[str], shown: int = 5) -> str:
    """Ids for a message: the first few, quoted, and how many more."""
    named = ", ".join(repr(case_id) for case_id in case_ids[:shown])
    more = len(case_ids) - shown
    return f"{named} and {more} more" if more > 0 else named


def list_cases(store_path: Path, *, limit: int | None = None, offset: int = 0) -> list[CaseSummary]:
    """Summaries of the stored cases, sorted by id; none when the store does not exist yet."""
    if not store_path.exists():
        return []
    with open_store(store_path, read_only=True) as store:
        return store.list(limit, offset)


def count_cases(store_path: Path) -> int:
    """How many cases the store holds; 0 when it does not exist yet."""
    if not store_path.exists():
        return 0
    with open_store(store_path, read_only=True) as store:
        return store.count()


def get_case(store_path: Path, case_id: str) -> Case:
    """The stored case with this id.

    Raises:
        CasebookError: ``CB-E014`` when the store holds no such case (or does not exist).
    """
    if not store_path.exists():
        raise CasebookError(ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", store_path)
    with open_store(store_path, read_only=True) as store:
        return store.get(case_id)


def remove_case(store_path: Path, case_id: str) -> None:
    """Delete the stored case with this id.

    Raises:
        CasebookError: ``CB-E014`` when the store holds no such case (or does not exist).
    """
    from casebook.search.saved import index_folder, mark_removed

    if not store_path.exists():
        raise CasebookError(ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", store_path)
    with open_store(store_path) as store:
        before = store.fingerprint()
        store.remove(case_id)
        # The saved search index drops the case too, so the next search need not rebuild it.
        mark_removed(index_folder(store_path), case_id, before, store.fingerprint())


def analyze_text(text: str, case_id: str = "query", *, max_chars: int = DEFAULT_MAX_CHARS) -> Case:
    """Analyse a piece of free text, such as a search query, as a plain-text case.

    Raises:
        CasebookError: ``CB-E002`` when the text is blank; ``CB-E017`` when it is longer than
            ``max_chars``; ``CB-E013`` when analysis fails.
    """
    return analyze_document(query_document(text, case_id, max_chars=max_chars))


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


def search(
    store_path: Path,
    *,
    text: str | None = None,
    path: str | None = None,
    case: Case | None = None,
    case_id: str | None = None,
    k: int = 10,
    filters: SearchFilters | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Precedent:
    """The stored cases most like a query case, why, and what was done for them.

    Give exactly one query: free ``text``, a report file ``path`` (its first document), an
    analysed ``case``, or the ``case_id`` of a stored case. A query case that is itself stored
    (same id) is never among its hits. A query text or file document longer than ``max_chars``
    is refused (``CB-E017``).

    Raises:
        ValueError: When not exactly one query is given.
        CasebookError: ``CB-E015`` when there is no store at ``store_path``; ``CB-E014`` for an
            unknown ``case_id``; ``CB-E022`` for a filter code no vocabulary holds; a reader's
            or the pipeline's error for a bad query file.
    """
    # Imported here: the search index pulls in scipy and bm25s, which other commands never need.
    from casebook.search.hybrid import check_codes
    from casebook.search.precedent import find_precedent, store_index

    given = [q for q in (text, path, case, case_id) if q is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of text, path, case and case_id")
    if filters:
        check_codes(filters)
    if not store_path.exists():
        raise CasebookError(
            ErrorCode.STORE_ERROR,
            "no case store here; add cases first with `casebook add`",
            store_path,
        )
    if text is not None:
        case = analyze_text(text, max_chars=max_chars)
    elif path is not None:
        case = _first_case(path, max_chars)
    index = store_index(store_path, lambda: open_store(store_path, read_only=True))
    if case is not None:
        query = index.query(case)
    elif case_id is not None and case_id in index.positions:
        query = index.stored_query(case_id)
    else:
        raise CasebookError(ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", store_path)
    return find_precedent(index, query, k, filters)


def precedent(
    store_path: Path, case: Case, k: int = 10, filters: SearchFilters | None = None
) -> Precedent:
    """The stored cases most like an analysed case; none while there is no store yet.

    A server answers searches before its first case is added; an empty answer says so
    better than an error.

    Raises:
        CasebookError: ``CB-E015`` when the store cannot be read.
    """
    from casebook.search.hybrid import check_codes
    from casebook.search.precedent import Precedent

    if not store_path.exists():
        if filters:
            check_codes(filters)
        return Precedent(similar=[], tally=[])
    return search(store_path, case=case, k=k, filters=filters)


def _first_case(path: str, max_chars: int) -> Case:
    """The analysed first document of a file (``-``: standard input).

    Raises:
        CasebookError: The reader's or the pipeline's error; ``CB-E002`` when there is none.
    """
    stdin = sys.stdin.buffer if path == "-" else None
    for item in analyze_inputs([path], stdin=stdin, max_chars=max_chars):
        if isinstance(item, CasebookError):
            raise item
        return item
    raise CasebookError(ErrorCode.EMPTY_DOCUMENT, "no document to search with", path)
