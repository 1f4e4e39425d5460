"""What every case store offers, whatever keeps the cases."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Iterator, Sequence
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


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case as a store writes it, prepared where the case was analysed.

    ``casebook add`` builds these in its worker processes, so that the one process writing
    the store only writes: it never serialises a case or walks its mentions.

    Attributes:
        id: The case id.
        content_hash: A hash of what the case was analysed from.
        title: The case's title.
        age_years: The patient's age.
        sex: The patient's sex.
        source_format: The format the case was read from.
        source_path: The file it was read from.
        case_json: The whole case as JSON, the system of record.
        mentions: ``(mention id, start, end, type, assertion, text)`` per mention.
        codes: ``(system, code, score, mention id)`` per code, the mention id None for the
            case-level codes.
        index_key: What built ``index_entry`` (see ``casebook.search.hybrid.entry_key``).
        index_entry: The case's entry in the search index, so that building the index never
            reads the case again; None when not computed.
        pipeline: The fingerprint of the pipeline that made the case (``Case.pipeline``).
    """

    id: str
    content_hash: str
    title: str | None
    age_years: float | None
    sex: str | None
    source_format: str
    source_path: str | None
    case_json: str
    mentions: tuple[tuple[str, int, int, str, str, str], ...]
    codes: tuple[tuple[str, str, float, str | None], ...]
    index_key: str | None = None
    index_entry: str | None = None
    pipeline: str | None = None

    @classmethod
    def of(
        cls,
        case: Case,
        content_hash: str,
        index_key: str | None = None,
        index_entry: str | None = None,
        case_json: str | None = None,
    ) -> CaseRecord:
        """The record of an analysed case.

        ``case_json`` is the case as ``case.model_dump_json()`` writes it, when the caller
        holds that text already (a case validated from it): it is kept instead of written
        again.
        """
        codes: list[tuple[str, str, float, str | None]] = [
            (c.system.value, c.code, c.score, m.id) for m in case.mentions for c in m.codes
        ]
        codes += [(c.system.value, c.code, c.score, None) for c in case.codes]
        return cls(
            id=case.id,
            content_hash=content_hash,
            title=case.title,
            age_years=case.patient.age_years,
            sex=case.patient.sex.value if case.patient.sex else None,
            source_format=case.source.format.value,
            source_path=case.source.path,
            case_json=case.model_dump_json() if case_json is None else case_json,
            mentions=tuple(
                (m.id, m.start, m.end, m.type.value, m.assertion.value, m.text)
                for m in case.mentions
            ),
            codes=tuple(codes),
            index_key=index_key,
            index_entry=index_entry,
            pipeline=case.pipeline,
        )


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

    def add_records(self, records: Sequence[CaseRecord]) -> builtins.list[AddOutcome]:
        """Store prepared cases in one transaction: all of them, or none on failure.

        Each record is handled as ``add`` handles a case, in order (an id given twice is
        stored once, the later version replacing the earlier).

        Returns:
            What happened to each record, in order.
        """
        ...

    def index_entries(
        self, key: str, exclude: Collection[str] = ()
    ) -> Iterator[tuple[str, str | Case]]:
        """Every stored case's search-index entry built by ``key``, but those of the cases in
        ``exclude``, in no particular order (``CaseIndex.from_entries`` sorts them); read a
        batch at a time, so that memory does not grow with the number of cases.

        Yields:
            ``(case id, entry)``, or ``(case id, case)`` for a case without such an entry.
        """
        ...

    def get(self, case_id: str) -> Case:
        """The stored case with this id.

        Raises:
            CasebookError: ``CB-E014`` when no case has that id.
        """
        ...

    def remove(self, case_id: str) -> tuple[str, str]:
        """Delete the case with this id and everything stored with it.

        Returns:
            The store's fingerprint just before and just after the removal, with no other
            writer's change between them: an index current for the first is current for the
            second once it drops this case.

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

    def content_hashes(self, case_ids: Sequence[str]) -> dict[str, str]:
        """The content hash of each of these ids that is stored."""
        ...

    def texts(self, case_ids: Sequence[str]) -> dict[str, str]:
        """The text of each of these ids that is stored."""
        ...

    def stale_ids(self, pipeline: str) -> builtins.list[str]:
        """The ids of the stored cases that another pipeline than ``pipeline`` made, or one
        that the case does not record, sorted."""
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
