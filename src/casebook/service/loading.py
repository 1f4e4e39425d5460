"""``load``: store cases analysed elsewhere without analysing them again."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from typing import BinaryIO, TypeVar

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.cases import (
    CASE_READERS,
    CaseRead,
    CaseReader,
    RawCase,
    iter_raw_cases,
    parse_raw,
)
from casebook.model import Case, Document, Patient, SourceFormat
from casebook.pipeline_fingerprint import pipeline_fingerprint
from casebook.service.hashing import content_hash, hash_text
from casebook.service.pipeline import analyze_document
from casebook.service.records import (
    AddResult,
    BatchWriter,
    case_indexer,
    case_record,
    id_clashes,
)
from casebook.service.store import open_store
from casebook.service.workers import start_worker
from casebook.store.base import CaseRecord
from casebook.store_location import StoreLocation

T = TypeVar("T")


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


LOAD_BATCH = 2048
"""Cases ``load`` reads, checks and commits together, in one store transaction.

A multiple of a DuckDB store's row group (``casebook.store.duckdb.ROW_GROUP_SIZE``): a batch
of new cases fills whole row groups, which later checkpoints leave as they are."""

BATCHES_AHEAD = 1
"""Batches the worker processes check while the store writes the one before: enough to keep
them busy, few enough that checked cases do not pile up in memory."""


@dataclass(frozen=True, slots=True)
class _Checked:
    """A case read and validated, and what the store needs to decide whether to write it.

    Attributes:
        id: The case id.
        text: Its text, to find an id given with another text.
        where: Where it was read.
        made_by: The pipeline that made it (``Case.pipeline``).
        stored_as: The content hash the store holds when this pipeline made it.
        record: The store's record of it, or why it cannot have one; None for a case another
            pipeline made, when it is not to be analysed again.
    """

    id: str
    text: str
    where: str
    made_by: str | None
    stored_as: str
    record: CaseRecord | CasebookError | None


def _check(
    raws: Sequence[RawCase | CasebookError], reanalyse: bool
) -> list[_Checked | CasebookError]:
    """Validate records and prepare their store records; runs in a worker process.

    A record is prepared even for a case the store may turn out to hold already: the store is
    asked once per batch, by the process writing it.
    """
    pipeline = pipeline_fingerprint()
    checked: list[_Checked | CasebookError] = []
    for raw in raws:
        read = raw if isinstance(raw, CasebookError) else parse_raw(raw)
        if isinstance(read, CasebookError):
            checked.append(read)
            continue
        case = read.case
        again = case.pipeline != pipeline
        record = None if again and not reanalyse else _loaded_record(read, again)
        checked.append(
            _Checked(
                case.id, case.text, read.where, case.pipeline, hash_text(case, pipeline), record
            )
        )
    return checked


def _other_pipeline(checked: _Checked) -> CasebookError:
    made = checked.made_by
    made_by = f"pipeline {made}" if made else "a pipeline it does not record"
    return CasebookError(
        ErrorCode.OTHER_PIPELINE,
        f"case {checked.id!r} was made by {made_by}, not by this casebook's "
        f"{pipeline_fingerprint()}; --reanalyse analyses its text again",
        checked.where,
    )


def _loaded_record(read: CaseRead, again: bool) -> CaseRecord | CasebookError:
    """The store's record of a case read from a file, analysed again first when ``again``.

    A search-index entry stored beside the case (the case Parquet's) is kept when this
    casebook's indexer built it; otherwise the entry is computed from the case. The case
    Parquet's JSON is stored as it was read (``CaseRead.case_json``): it is the case as the
    store writes it, validated.
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
        case_json = None if again else read.case_json
        if not again and read.index_entry is not None and read.index_key == case_indexer().key:
            return CaseRecord.of(case, digest, read.index_key, read.index_entry, case_json)
        return case_record(case, digest, case_json)
    except CasebookError as error:
        return CasebookError(error.code, error.message, read.where)
    except Exception as exc:  # a case the index cannot read must not stop the batch
        return CasebookError(
            ErrorCode.PROCESSING_FAILED,
            f"indexing case {case.id!r} failed: {type(exc).__name__}: {exc}",
            read.where,
        )


def _clash_of(checked: _Checked) -> CasebookError:
    return CasebookError(
        ErrorCode.ID_CONFLICT,
        f"a case {checked.id!r} with another text is stored or given before it; not "
        "stored (--replace replaces it)",
        checked.where,
    )


def _read_case_parquet(path: Path) -> Iterator[RawCase | CasebookError]:
    """The case records of a case Parquet file (``casebook.export.parquet``); needs pyarrow."""
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
    store_path: StoreLocation,
    *,
    reanalyse: bool = False,
    replace: bool = False,
    index: bool = True,
    workers: int = 1,
    stdin: BinaryIO | None = None,
    on_advance: Callable[[], None] | None = None,
) -> LoadResult:
    """Store cases analysed elsewhere, without analysing them again.

    The case records are read one at a time (``casebook.ingest.cases``, and
    ``casebook.export.parquet`` for the case Parquet) in batches of ``LOAD_BATCH``; worker
    processes validate each against the case model and prepare its store record with its
    search-index entry, while this process commits the batch before, in one transaction,
    each case with its entry. The store is held only while a batch is looked up or committed,
    as ``add`` holds it. A case whose text the store already holds as this pipeline made it
    is left as it is, so an interrupted load resumes. Memory holds a few batches of cases,
    whatever their number (the result lists their ids). A case another pipeline made
    (``Case.pipeline``) is refused with ``CB-E025``, or analysed again from its text when
    ``reanalyse``; one whose id is stored (or given earlier in the batch) with another text
    is refused with ``CB-E021`` unless ``replace``. A record that cannot be read or stored is
    reported with its file and line in ``LoadResult.failed``, and the rest go on.

    Args:
        inputs: Case files, folders of them, glob patterns, or ``-`` for Case JSON Lines on
            standard input (see ``casebook.ingest.cases.iter_cases`` and ``LOAD_READERS``).
        store_path: The case store; created when missing.
        reanalyse: Analyse again the cases another pipeline made, instead of refusing them.
        replace: Replace a stored case whose id a loaded case shares but whose text differs.
        index: Bring the search index up to date before returning.
        workers: Processes validating the cases; 1 validates them in this process.
        stdin: The stream ``-`` reads from.
        on_advance: Called after each case is stored (or has failed).

    Raises:
        CasebookError: ``CB-E016``/``CB-E015`` when the store cannot be opened or written.
    """
    result = LoadResult()
    # Create or check the store before reading anything, so that a foreign file fails at once.
    with open_store(store_path):
        pass
    # No entries kept for the index: they would grow with the cases; it reads them back.
    writer = BatchWriter(store_path, result, on_advance, commit_at_most=LOAD_BATCH)
    batches = _chunks(iter_raw_cases(inputs, stdin, LOAD_READERS), LOAD_BATCH)
    try:
        for checked in _checked_batches(batches, reanalyse, workers):
            _store_batch(checked, store_path, replace, writer, result, on_advance)
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


def _store_batch(
    batch: list[_Checked | CasebookError],
    store_path: StoreLocation,
    replace: bool,
    writer: BatchWriter,
    result: LoadResult,
    on_advance: Callable[[], None] | None,
) -> None:
    """Hand each checked case of a batch to the writer, or say why it is not stored."""
    cases = [item for item in batch if isinstance(item, _Checked)]
    with open_store(store_path, read_only=True) as store:
        stored = store.content_hashes([case.id for case in cases])
        # Texts only of ids stored otherwise: reading them scans the cases' JSON.
        changed = [case.id for case in cases if stored.get(case.id, "") not in ("", case.stored_as)]
        texts = store.texts(changed) if changed and not replace else {}
    # Whether each case's id goes with another text, stored or earlier in the batch.
    clashes = iter(id_clashes(cases, texts))
    for item in batch:
        if isinstance(item, CasebookError):
            writer.put(item)
            continue
        clash = next(clashes) and not replace
        if stored.get(item.id) == item.stored_as:
            # Stored as this pipeline makes it: neither analysed nor indexed again.
            result.unchanged.append(item.id)
            if on_advance:
                on_advance()
        elif clash:
            writer.put(_clash_of(item))
        elif item.record is None:
            writer.put(_other_pipeline(item))
        else:
            if isinstance(item.record, CaseRecord) and item.made_by != pipeline_fingerprint():
                result.reanalysed.append(item.id)
            writer.put(item.record)


def _checked_batches(
    batches: Iterator[list[RawCase | CasebookError]], reanalyse: bool, workers: int
) -> Iterator[list[_Checked | CasebookError]]:
    """Each batch checked (``_check``), in order: here, or spread over ``workers``
    processes, ``BATCHES_AHEAD`` batches ahead of the one yielded."""
    if workers <= 1:
        for batch in batches:
            yield _check(batch, reanalyse)
        return
    # spawn, not fork: the progress display runs a thread, and forking a threaded process
    # can deadlock the children.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(), False),
    )
    ahead: deque[list[tuple[list[str | CasebookError], Future[list[_Checked | CasebookError]]]]]
    ahead = deque()
    try:
        for batch in batches:
            size = -(-len(batch) // workers)
            parts = [batch[i : i + size] for i in range(0, len(batch), size)]
            # Of the records sent, only where each was read is kept, to report a dead worker.
            ahead.append([(_places(part), pool.submit(_check, part, reanalyse)) for part in parts])
            del batch, parts
            if len(ahead) > BATCHES_AHEAD:
                yield _collected(ahead.popleft())
        while ahead:
            yield _collected(ahead.popleft())
    except BaseException:
        # Interrupted (Ctrl-C) or the store failed: drop the queued batches; what is stored
        # stays stored.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _places(part: list[RawCase | CasebookError]) -> list[str | CasebookError]:
    """Where each record of a part was read; a record that could not be read, its error."""
    return [raw if isinstance(raw, CasebookError) else raw.where for raw in part]


def _collected(
    parts: list[tuple[list[str | CasebookError], Future[list[_Checked | CasebookError]]]],
) -> list[_Checked | CasebookError]:
    """A batch's checked parts joined; each record of a part whose worker died, an error."""
    checked: list[_Checked | CasebookError] = []
    for places, future in parts:
        try:
            checked += future.result()
        except Exception as exc:  # a worker died (killed, out of memory)
            checked += [
                place
                if isinstance(place, CasebookError)
                else CasebookError(
                    ErrorCode.PROCESSING_FAILED,
                    f"the worker checking it failed: {type(exc).__name__}: {exc}",
                    place,
                )
                for place in places
            ]
    return checked


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), read as they are needed."""
    while chunk := list(islice(items, size)):
        yield chunk
