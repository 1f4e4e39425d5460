"""The case store: where analysed cases are kept so that they can be listed, shown and searched.

``CaseStore`` is the interface the service layer uses; ``DuckDBCaseStore`` keeps cases in one
embedded DuckDB file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casebook.store.base import AddOutcome, CaseStore, CaseSummary

if TYPE_CHECKING:
    from casebook.store.duckdb import STORE_SCHEMA_VERSION, DuckDBCaseStore

__all__ = ["STORE_SCHEMA_VERSION", "AddOutcome", "CaseStore", "CaseSummary", "DuckDBCaseStore"]


def __getattr__(name: str) -> object:
    # DuckDB is imported on first use of the store, not by every command that imports the
    # store's records (``casebook --help`` needs none of it).
    if name in {"STORE_SCHEMA_VERSION", "DuckDBCaseStore"}:
        from casebook.store import duckdb

        return getattr(duckdb, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
