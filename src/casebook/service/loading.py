"""``load``: store cases analysed elsewhere without analysing them again."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import BinaryIO, TypeVar

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.cases import CASE_READERS, CaseRead, CaseReader, iter_cases
from casebook.model import Case, Document, Patient, SourceFormat
from casebook.pipeline_fingerprint import pipeline_fingerprint
from casebook.service.hashing import content_hash, hash_text
from casebook.service.pipeline import analyze_document
from casebook.service.records import (
    COMMIT_AT_MOST,
    AddResult,
    BatchWriter,
    case_indexer,
    case_record,
    id_clashes,
)
from casebook.service.store import open_store
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
        if not again and read.index_entry is not None and read.index_key == case_indexer().key:
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
    store_path: StoreLocation,
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
    writer = BatchWriter(store_path, result, on_advance)
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
                    if stored.get(read.case.id, "") not in ("", hash_text(read.case, pipeline))
                ]
                texts = store.texts(changed) if changed and not replace else {}
            # Whether each case's id goes with another text, stored or earlier in the batch.
            clashes = iter(id_clashes([read.case for read in reads], texts))
            for read in chunk:
                if isinstance(read, CasebookError):
                    writer.put(read)
                    continue
                clash = next(clashes) and not replace
                if stored.get(read.case.id) == hash_text(read.case, pipeline):
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
