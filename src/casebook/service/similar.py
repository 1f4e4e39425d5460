"""Similar-case search over the store: ``search`` and ``precedent``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from casebook.config import DEFAULT_MAX_CHARS
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case
from casebook.search.filters import SearchFilters
from casebook.service.pipeline import analyze_inputs, analyze_text
from casebook.service.store import open_store
from casebook.store_location import StoreLocation

if TYPE_CHECKING:
    from casebook.search.precedent import Precedent


def search(
    store_path: StoreLocation,
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
            str(store_path),
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
        raise CasebookError(
            ErrorCode.CASE_NOT_FOUND, f"no case with id {case_id!r}", str(store_path)
        )
    return find_precedent(index, query, k, filters)


def precedent(
    store_path: StoreLocation, case: Case, k: int = 10, filters: SearchFilters | None = None
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
