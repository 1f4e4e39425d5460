"""Cases as the store writes them (each with its search-index entry), committed in batches."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Protocol

from casebook.errors import CasebookError
from casebook.model import Case, Document
from casebook.service.pipeline import processing_error
from casebook.service.store import open_store
from casebook.store.base import AddOutcome, CaseRecord, CaseStore
from casebook.store_location import StoreLocation

if TYPE_CHECKING:
    from casebook.search.hybrid import CaseIndexer, IndexEntry


@dataclass
class AddResult:
    """What adding documents to the case store did, by case id."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    failed: list[CasebookError] = field(default_factory=list)


def analyze_for_store(
    analyze: Callable[[Document], Case], document: Document
) -> Case | CasebookError:
    """Analyse one document, returning its error instead of raising."""
    try:
        return analyze(document)
    except CasebookError as error:
        return error
    except Exception as exc:  # an injected analysis may raise anything; keep the batch going
        return processing_error("analysis", exc, document)


@cache
def case_indexer() -> CaseIndexer:
    # Imported here: the search index pulls in scipy and bm25s, which other commands never need.
    from casebook.search.hybrid import CaseIndexer

    return CaseIndexer()


def case_record(case: Case, digest: str, case_json: str | None = None) -> CaseRecord:
    """A case as the store writes it, with its search-index entry (``case_json`` as
    ``CaseRecord.of`` takes it)."""
    indexer = case_indexer()
    return CaseRecord.of(case, digest, indexer.key, indexer.entry(case).to_json(), case_json)


def record_for_store(
    analyze: Callable[[Document], Case], document: Document, digest: str
) -> CaseRecord | CasebookError:
    """Analyse one document and prepare it for the store; runs in a worker process.

    The worker, not the process writing the store, serialises the case and computes its
    search-index entry: the writer is one process, the workers are many.
    """
    outcome = analyze_for_store(analyze, document)
    if isinstance(outcome, CasebookError):
        return outcome
    try:
        return case_record(outcome, digest)
    except Exception as exc:  # a case the index cannot read must not stop the batch
        return processing_error("indexing", exc, document)


COMMIT_EVERY_S = 1.0
"""The longest an analysed case waits before ``add`` commits it."""


COMMIT_AT_MOST = 64
"""The most cases ``add`` commits in one transaction."""

KEPT_ENTRIES_AT_MOST = 20_000
"""The most search-index entries ``add`` keeps for the index it builds at the end; the index
reads the entries of the cases beyond them from the store, so that memory stays bounded
whatever the number of cases added."""


class BatchWriter:
    """Stores analysed cases in batches of whole cases, one transaction per batch.

    A transaction per case would make the one process that writes wait on every commit; a batch
    is committed when it holds ``commit_at_most`` cases or its first case has waited
    ``COMMIT_EVERY_S``, so an interrupted ``add`` loses at most that much finished work. The
    store is opened for each batch and closed after its commit, so that other processes read
    (and write) it between two batches; a batch waits, bounded, while another process holds it.

    With ``entry_key`` set, the search-index entries built by that key of the cases it stores
    are kept in ``entries`` (the first ``kept_at_most``), read while the workers analyse:
    building the index at the end then reads none of them back from the store.
    """

    def __init__(
        self,
        store_path: StoreLocation,
        result: AddResult,
        on_advance: Callable[[], None] | None,
        entry_key: str | None = None,
        commit_at_most: int = COMMIT_AT_MOST,
        kept_at_most: int = KEPT_ENTRIES_AT_MOST,
    ) -> None:
        self._store_path = store_path
        self._commit_at_most = commit_at_most
        self._kept_at_most = kept_at_most
        self._result = result
        self._on_advance = on_advance
        self._pending: list[CaseRecord] = []
        self._since = 0.0
        self._entry_key = entry_key
        self._vocabulary: dict[str, str] = {}
        self.entries: dict[str, IndexEntry] = {}
        self._entry_hashes: dict[str, str] = {}

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
        if len(self._pending) >= self._commit_at_most or self.wait_s() == 0:
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
        if record.index_key != self._entry_key or len(self.entries) >= self._kept_at_most:
            return
        from casebook.search.hybrid import IndexEntry

        self.entries[record.id] = IndexEntry.from_json(
            record.id, record.index_entry, self._vocabulary
        )
        self._entry_hashes[record.id] = record.content_hash

    def current_entries(self, store: CaseStore) -> dict[str, IndexEntry]:
        """The kept entries of the cases still stored as this writer stored them.

        Another process sharing the store (a PostgreSQL one) may since have replaced or
        removed some of them; the index must then read those from the store.
        """
        stored = store.content_hashes(list(self.entries))
        return {
            case_id: entry
            for case_id, entry in self.entries.items()
            if stored.get(case_id) == self._entry_hashes[case_id]
        }


class TextWithId(Protocol):
    """A document, a case, or anything else with an id and a text."""

    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...


def id_clashes(documents: Sequence[TextWithId], stored: dict[str, str]) -> list[bool]:
    """For each document, whether its id goes with another text: a stored one (``stored``,
    id → text) or that of the first document given with the id."""
    texts = dict(stored)
    return [texts.setdefault(d.id, d.text) != d.text for d in documents]
