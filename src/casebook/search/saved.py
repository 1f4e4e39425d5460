"""Where a store's search index is saved, and the cases removed since it was built.

The index is saved beside the store file (``cases.duckdb`` → ``cases.duckdb.search/``), or
for a PostgreSQL store in the cache folder.
Rebuilding the search index costs time in proportion to the store, so removing a case does
not invalidate it: the case's id is added to the index's ``removed.json``, and the index is
stamped with the store's new fingerprint. The index then never returns, shows or counts that
case; its term and concept statistics still include it until the index is next rebuilt (the
next ``casebook add``), as a search engine keeps deleted documents' statistics until it merges
its segments. Past ``MAX_REMOVED_SHARE`` of the indexed cases, removal leaves the index stale
instead, and the next search rebuilds it.

This module reads and writes only small JSON files, so that ``casebook remove`` loads none of
the search machinery.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from casebook.store_location import PostgresLocation, StoreLocation

REMOVED_FILE = "removed.json"
META_FILE = "meta.json"

MAX_REMOVED_SHARE = 0.1
"""The largest share of an index's cases that may be marked removed before it is rebuilt, so
that the statistics of removed cases never weigh much in a score."""


def index_folder(store: StoreLocation) -> Path:
    """Where a store's search index is saved: beside a DuckDB store file; for a PostgreSQL
    store, in the cache folder (``CASEBOOK_CACHE``) under a digest of its URL."""
    if isinstance(store, PostgresLocation):
        from casebook.config import get_settings

        return get_settings().cache / "postgres-search" / f"{store.key}.search"
    return store.with_name(store.name + ".search")


def removed_ids(folder: Path) -> frozenset[str]:
    """The ids marked removed in the index saved in ``folder``; none when there is no list.

    Raises:
        ValueError: When the list is not a JSON list of strings.
    """
    try:
        data = json.loads((folder / REMOVED_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return frozenset()
    if not isinstance(data, list) or not all(isinstance(i, str) for i in data):
        raise ValueError(f"{folder / REMOVED_FILE} is not a list of case ids")
    return frozenset(data)


def mark_removed(folder: Path, case_id: str, before: str, after: str) -> bool:
    """Mark a case removed in the index saved in ``folder``, if that index is current.

    Args:
        folder: The saved index.
        case_id: The case just removed from the store.
        before: The store's fingerprint before the removal: the index is changed only when it
            was built (or last marked) for it.
        after: The store's fingerprint after the removal, which the index then carries.

    Returns:
        Whether the index was marked; when not, it is stale and the next search rebuilds it.
    """
    try:
        meta: dict[str, Any] = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        removed = removed_ids(folder) | {case_id}
    except (OSError, ValueError):
        return False
    cases = meta.get("cases")
    if meta.get("fingerprint") != before or not isinstance(cases, int):
        return False
    if len(removed) > MAX_REMOVED_SHARE * cases:
        return False
    try:
        # The list first, then the stamp: an index interrupted between the two still carries
        # the old fingerprint, which no longer matches the store, so it is rebuilt.
        _write(folder / REMOVED_FILE, json.dumps(sorted(removed)))
        _write(folder / META_FILE, json.dumps({**meta, "fingerprint": after}))
    except OSError:
        return False
    return True


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
