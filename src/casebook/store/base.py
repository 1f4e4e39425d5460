"""What every case store offers, whatever keeps the cases."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from casebook.model import Case


class AddOutcome(StrEnum):
    """What adding a case did to the store."""

    ADDED = "added"
    """No case had that id; it is stored now."""
    UNCHANGED = "unchanged"
    """A case with that id and content hash was already stored; nothing was written."""
    REPLACED = "replaced"
    """A case with that id but another content hash was stored; it was replaced."""


@dataclass(frozen=True)
class CaseSummary:
    """One row of a case listing: what identifies a case without loading all of it."""

    id: str
    title: str | None
    age_years: float | None
    sex: str | None
    mentions: int
    added_at: datetime
    """When this version of the case was written, in UTC."""


class CaseStore(Protocol):
    """A store of analysed cases, keyed by case id.

    Every ``add`` is all or nothing: a reader never sees part of a case, even when the writing
    process dies mid-write. Stores are context managers that close themselves.
    """

    def add(self, case: Case, content_hash: str) -> AddOutcome:
        """Store a case unless the same id with the same content hash is already stored.

        Args:
            case: The analysed case.
            content_hash: A hash of what the case was analysed from (see
                ``casebook.service.content_hash``); a changed hash replaces the stored case.
        """
        ...

    def get(self, case_id: str) -> Case:
        """The stored case with this id.

        Raises:
            CasebookError: ``CB-E014`` when no case has that id.
        """
        ...

    def remove(self, case_id: str) -> None:
        """Delete the case with this id and everything stored with it.

        Raises:
            CasebookError: ``CB-E014`` when no case has that id.
        """
        ...

    def ids(self) -> builtins.list[str]:
        """Every stored case id, sorted."""
        ...

    def count(self) -> int:
        """How many cases are stored."""
        ...

    def list(self, limit: int | None = None, offset: int = 0) -> builtins.list[CaseSummary]:
        """Summaries of stored cases sorted by id, ``limit`` of them from ``offset`` on."""
        ...

    def has(self, case_id: str, content_hash: str) -> bool:
        """Whether a case with this id and this content hash is stored."""
        ...

    def fingerprint(self) -> str:
        """A digest of which cases are stored in which version; any add or remove changes it."""
        ...

    def iter_cases(self, batch: int = 256) -> Iterator[Case]:
        """Every stored case, sorted by id."""
        ...

    def get_many(self, case_ids: Sequence[str]) -> builtins.list[Case]:
        """The stored cases with these ids, in the order given; unknown ids are skipped."""
        ...

    def close(self) -> None:
        """Release the store; later calls fail."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...
