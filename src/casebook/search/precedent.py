"""Precedent for a case from the case store: similar cases, why, and what was done for them.

The store's search index is built from the index entries the store keeps beside its cases
(computed from a case where it was analysed; from the stored case where there is none) and
saved beside the store file (``cases.duckdb`` → ``cases.duckdb.search/``; a PostgreSQL
store's in the cache folder), stamped with the
store's fingerprint and the search settings. ``casebook add`` brings it up to date before it
returns; removing a case marks it removed in the saved index (``casebook.search.saved``);
after any other add the fingerprint differs, and the next search rebuilds it.
Within one process the loaded index is kept, so a server or a benchmark pays for loading once;
while the store's files (the database and its write-ahead log) keep their size and
modification time, the store is not even opened again.
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from casebook.model import Sex, SimilarCase, TreatmentTally
from casebook.search.bm25 import Tokenizer
from casebook.search.explain import Explainer
from casebook.search.filters import SearchFilters
from casebook.search.hybrid import CaseIndex, CaseIndexer, IndexEntry, QueryCase
from casebook.search.outcomes import TreatmentOutcome, tally
from casebook.search.saved import index_folder
from casebook.search.settings import SearchSettings, load_search_settings
from casebook.store.base import CaseStore
from casebook.store_location import PostgresLocation, StoreLocation


@dataclass(frozen=True, slots=True)
class _Loaded:
    stamp: tuple[int, ...]
    fingerprint: str
    index: CaseIndex


_LOADED: dict[StoreLocation, _Loaded] = {}
"""Store → the index loaded in this process, with what it was loaded for."""


def _file_stamp(store_path: StoreLocation) -> tuple[int, ...]:
    """Modification time and size of the store file and its write-ahead log; nothing for a
    PostgreSQL store, whose fingerprint is asked every time."""
    stamp: list[int] = []
    if isinstance(store_path, PostgresLocation):
        return ()
    for path in (store_path, store_path.with_name(store_path.name + ".wal")):
        try:
            status = path.stat()
        except FileNotFoundError:
            stamp += [0, 0]
        else:
            stamp += [status.st_mtime_ns, status.st_size]
    return tuple(stamp)


def _save(index: CaseIndex, folder: Path, fingerprint: str) -> None:
    """Save into a fresh folder, then swap it in, so a reader never sees half an index.

    A store in a folder this process cannot write to is searched with an index kept in
    memory only.
    """
    staging = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        index.save(staging, fingerprint)
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


def store_index(
    store_path: StoreLocation,
    open_store: Callable[[], CaseStore],
    settings: SearchSettings | None = None,
) -> CaseIndex:
    """The search index of a store's current cases: kept, saved, or built now.

    Args:
        store_path: The store file, which decides where the index is saved.
        open_store: Opens the store (read-only is enough); called only when the store's
            files changed since this process last loaded its index.
        settings: The search settings; the packaged ones when None.
    """
    settings = settings or load_search_settings()
    key = store_path.resolve() if isinstance(store_path, Path) else store_path
    stamp = _file_stamp(store_path)
    loaded = _LOADED.get(key)
    if loaded is not None and loaded.index.settings != settings:
        loaded = None
    if loaded is not None and stamp and loaded.stamp == stamp:
        return loaded.index
    with open_store() as store:
        fingerprint = store.fingerprint()
        if loaded is not None and loaded.fingerprint == fingerprint:
            index = loaded.index
        else:
            index = _load_or_build(store_path, store, fingerprint, settings)
    if loaded is None or loaded.index is not index:
        # The index's long-lived objects (ids, facets) are never garbage; left to the cyclic
        # collector, every full collection walks them all, and a search pays for it.
        gc.collect()
        gc.freeze()
    _LOADED[key] = _Loaded(stamp, fingerprint, index)
    return index


def refresh_index(
    store_path: StoreLocation,
    store: CaseStore,
    settings: SearchSettings | None = None,
    fresh: Mapping[str, IndexEntry] | None = None,
) -> CaseIndex:
    """Bring the saved search index of an open store up to date with its cases.

    ``casebook add`` calls it before closing the store, so that the first search after it
    only loads the index.

    Args:
        store_path: The store file, which decides where the index is saved.
        store: The store, open.
        settings: The search settings; the packaged ones when None.
        fresh: Entries of stored cases that the caller already holds, built with these
            settings (``casebook add`` keeps those of the cases it stored): not read again.
    """
    settings = settings or load_search_settings()
    return _load_or_build(store_path, store, store.fingerprint(), settings, fresh)


def _load_or_build(
    store_path: StoreLocation,
    store: CaseStore,
    fingerprint: str,
    settings: SearchSettings,
    fresh: Mapping[str, IndexEntry] | None = None,
) -> CaseIndex:
    """The saved index when it was built from this fingerprint, else one built now and saved."""
    folder = index_folder(store_path)
    index = CaseIndex.load(folder, fingerprint, settings)
    if index is None:
        index = build_index(store, settings, fresh)
        _save(index, folder, fingerprint)
    return index


def build_index(
    store: CaseStore,
    settings: SearchSettings | None = None,
    fresh: Mapping[str, IndexEntry] | None = None,
) -> CaseIndex:
    """Index every case of a store from its index entries; a case without one is read and
    its entry computed now.

    The index is the one ``CaseIndex.build`` makes from the stored cases.

    Args:
        store: The store.
        settings: The search settings; the packaged ones when None.
        fresh: Entries of stored cases the caller holds, built with ``settings``; the store
            is not asked for those.
    """
    indexer = CaseIndexer(settings)
    held = fresh or {}

    def stored() -> Iterator[IndexEntry]:
        for case_id, entry in store.index_entries(indexer.key, exclude=held.keys()):
            if isinstance(entry, str):
                yield IndexEntry.from_json(case_id, entry)  # indexed and dropped at once
            else:
                yield indexer.entry(entry)

    return CaseIndex.from_entries(chain(stored(), held.values()), indexer.settings)


def forget_loaded() -> None:
    """Drop every index loaded in this process (the next search loads from disk)."""
    _LOADED.clear()


@dataclass
class Precedent:
    """What a search found for a query case.

    Attributes:
        similar: The hits, best first, each with what matched and what differs.
        tally: Treatments across the hits with the outcomes that followed.
        empty_reason: When the filters left no case to return, which one did, in words.
    """

    similar: list[SimilarCase]
    tally: list[TreatmentTally]
    empty_reason: str | None = None


def find_precedent(
    index: CaseIndex,
    query: QueryCase,
    k: int,
    filters: SearchFilters | None = None,
) -> Precedent:
    """Search the index, then explain each hit and tally its treatments.

    Args:
        index: The store's index.
        query: The query case; a stored case with its id is never a hit.
        k: How many hits.
        filters: Which cases may be returned.
    """
    hits = index.search(query, k, filters, exclude=[query.id])
    shown = index.settings.explain
    explainer = Explainer(
        query.text,
        query.facts,
        index.concepts.key_weight,
        matched=shown.matched,
        differs=shown.differs,
    )
    tokenizer = Tokenizer()
    query_tokens = set(tokenizer(query.text)) - index.titles.common_tokens(shown.title_word_share)
    similar: list[SimilarCase] = []
    treated: list[tuple[str, list[TreatmentOutcome]]] = []
    for hit in hits:
        case = index.stored(hit.id)
        why = explainer.explain(case.text, case.facts)
        title = case.facets.title
        sex = case.facets.sex
        similar.append(
            SimilarCase(
                id=case.id,
                score=round(hit.score, 6),
                rank=hit.rank,
                title=title,
                age_years=case.facets.age_years,
                sex=Sex(sex) if sex else None,
                matched=why.matched,
                differs=why.differs,
                title_words=tokenizer.shared_words(title, query_tokens) if title else [],
            )
        )
        treated.append((case.id, case.treatments))
    reason = index.emptied_by(filters) if filters and not similar else None
    return Precedent(similar=similar, tally=tally(treated), empty_reason=reason)
