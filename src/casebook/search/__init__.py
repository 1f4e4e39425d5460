"""Precedent search: find earlier cases like this one."""

from casebook.search.base import Hit, Searcher
from casebook.search.bm25 import BM25Searcher

__all__ = ["BM25Searcher", "Hit", "Searcher"]
