"""The case store: where analysed cases are kept so that they can be listed, shown and searched.

``CaseStore`` is the interface the service layer uses; ``DuckDBCaseStore`` keeps cases in one
embedded DuckDB file.
"""

from __future__ import annotations

from casebook.store.base import AddOutcome, CaseStore, CaseSummary
from casebook.store.duckdb import STORE_SCHEMA_VERSION, DuckDBCaseStore

__all__ = ["STORE_SCHEMA_VERSION", "AddOutcome", "CaseStore", "CaseSummary", "DuckDBCaseStore"]
