"""``add``: analyse documents into the case store; ``store_cases``: store analysed ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import BinaryIO

from casebook.config import DEFAULT_MAX_CHARS
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document
from casebook.service.hashing import content_hash
from casebook.service.inputs import read_inputs
from casebook.service.pipeline import analyze_document
from casebook.service.records import (
    AddResult,
    BatchWriter,
    case_indexer,
    case_record,
    id_clashes,
    record_for_store,
)
from casebook.service.store import open_store
from casebook.service.workers import add_in_workers
from casebook.store.base import AddOutcome
from casebook.store_location import StoreLocation


def add(
    inputs: Sequence[str],
    store_path: StoreLocation,
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
        clashes = (
            [False] * len(documents) if replace else id_clashes(documents, store.texts(changed))
        )
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
    writer = BatchWriter(store_path, result, on_advance, case_indexer().key if index else None)
    try:
        if workers <= 1 or len(todo) <= 1:
            for document, digest in todo:
                writer.put(record_for_store(analyze, document, digest))
        else:
            add_in_workers(todo, analyze, workers, writer)
    except KeyboardInterrupt:
        writer.flush()  # the finished cases are whole: keep them
        raise
    writer.flush()
    if index:
        from casebook.search.precedent import refresh_index

        # Read-only: other readers go on meanwhile; a writer waits until the index is saved,
        # which keeps the index and the fingerprint it is stamped with the same cases.
        with open_store(store_path, read_only=True) as store:
            refresh_index(store_path, store, fresh=writer.current_entries(store))
    return result


def _clash(document: Document) -> CasebookError:
    return CasebookError(
        ErrorCode.ID_CONFLICT,
        f"a case {document.id!r} with another text is stored or given before it; not "
        "stored (--replace replaces it)",
        document.source.path or document.id,
    )


def store_cases(
    cases: Sequence[Case], store_path: StoreLocation, *, replace: bool = False
) -> AddResult:
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
            clashes = id_clashes(cases, store.texts([case.id for case in cases]))
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


def _listed(case_ids: Sequence[str], shown: int = 5) -> str:
    """Ids for a message: the first few, quoted, and how many more."""
    named = ", ".join(repr(case_id) for case_id in case_ids[:shown])
    more = len(case_ids) - shown
    return f"{named} and {more} more" if more > 0 else named
