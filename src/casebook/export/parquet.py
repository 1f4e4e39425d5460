"""The case Parquet: analysed cases as a folder of Parquet files, one row per case.

``casebook spark extract --format parquet`` writes it (``OUT/cases.parquet/``), one file per
Spark partition, named ``part-RUN-PARTITION.parquet`` where ``RUN`` is the run's UTC start time,
so that names sort by run. Every column is a non-null string:

- ``id``: the case id.
- ``fingerprint``: what the case was made from and by (``service.content_hash``: the text, its
  format and the pipeline fingerprint the case records as ``Case.pipeline``), which a rerun
  compares to skip what is current, and which ``casebook add`` stores too.
- ``case_json``: the whole ``Case`` as compact JSON (``Case.model_dump_json()``), as the case
  store holds it.
- ``index_key``: what built the search-index entry (``search.hybrid.entry_key``).
- ``index_entry``: the case's search-index entry as JSON (``IndexEntry.to_json()``), as
  ``casebook add`` stores it beside the case.

A case id is in one file only: when a rerun writes a case anew, ``drop_superseded`` removes
its older rows. Files whose names start with ``.`` or ``_`` are not part of the data.
``casebook load`` reads it back (``read_case_parquet``), a row group at a time.

Needs ``pyarrow`` (the ``spark`` extra).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import Any
from uuid import uuid4

import pyarrow as pa
import pyarrow.parquet as pq

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.cases import RawCase

CASES_FOLDER = "cases.parquet"
"""The folder of the case Parquet inside an output folder."""

TEMPORARY_PREFIX = ".tmp-"
"""Files being written start with this; a finished file is renamed into place."""


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One row of the case Parquet; see the module's documentation for each column."""

    id: str
    fingerprint: str
    case_json: str
    index_key: str
    index_entry: str


CASES_SCHEMA = pa.schema([pa.field(f.name, pa.string(), nullable=False) for f in fields(CaseRow)])
"""The case Parquet's Arrow schema."""

ROWS_PER_GROUP = 64
"""Rows a writer holds before writing them as one row group: a crash loses only the file being
written, and readers can read a few cases at a time."""


def part_files(folder: Path) -> list[Path]:
    """The data files of a case Parquet folder, sorted by name (so by run); none if absent."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.glob("*.parquet")
        if not path.name.startswith((".", "_")) and path.is_file()
    )


class CaseParquetWriter:
    """Writes rows to a Parquet file that appears, whole, only when the writer is closed.

    Nothing is written when no row is added. Use it as a context manager: leaving the block
    with an exception deletes the partial file.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self._temporary = target.with_name(f"{TEMPORARY_PREFIX}{uuid4().hex}-{target.name}")
        self._writer: Any = None
        self._pending: list[CaseRow] = []

    def add(self, row: CaseRow) -> None:
        """Queue a row; every ``ROWS_PER_GROUP`` rows are written as a row group."""
        self._pending.append(row)
        if len(self._pending) >= ROWS_PER_GROUP:
            self._write_pending()

    def _write_pending(self) -> None:
        if not self._pending:
            return
        if self._writer is None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._temporary, CASES_SCHEMA)
        self._writer.write_table(
            pa.Table.from_pylist([asdict(row) for row in self._pending], schema=CASES_SCHEMA)
        )
        self._pending = []

    def close(self) -> None:
        """Write what is queued and move the finished file into place."""
        self._write_pending()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            os.replace(self._temporary, self.target)

    def discard(self) -> None:
        """Drop the file being written."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._temporary.unlink(missing_ok=True)
        self._pending = []

    def __enter__(self) -> CaseParquetWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


def _ids(path: Path, *columns: str) -> pa.Table:
    return pq.read_table(path, columns=["id", *columns])


def read_fingerprints(folder: Path) -> dict[str, str]:
    """Each stored case's fingerprint by id; for an id in several files, the newest file's."""
    fingerprints: dict[str, str] = {}
    for path in part_files(folder):
        table = _ids(path, "fingerprint")
        fingerprints.update(
            zip(
                table.column("id").to_pylist(), table.column("fingerprint").to_pylist(), strict=True
            )
        )
    return fingerprints


def read_rows(folder: Path) -> Iterator[CaseRow]:
    """Every row of a case Parquet folder, file by file, a row group at a time."""
    for path in part_files(folder):
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            for record in parquet.read_row_group(group, columns=CASES_SCHEMA.names).to_pylist():
                yield CaseRow(**record)


ROWS_PER_READ = 128
"""Rows ``read_case_parquet`` decodes at a time, whatever the file's row groups: a row group of
a thousand whole cases is tens of megabytes, which the allocator takes from the system and
gives back at every read, faulting its pages in each time."""


def read_case_parquet(path: Path) -> Iterator[RawCase | CasebookError]:
    """The case records of one file of the case Parquet, ``ROWS_PER_READ`` at a time (each
    validated by ``casebook.ingest.cases.parse_raw``, which checks the row's id too).

    A row is ``PATH:row N`` (counted from 1) in errors. A file that is not Parquet, or lacks
    a column of ``CASES_SCHEMA``, is one error, after the rows read before it broke.
    """
    number = 0
    try:
        parquet = pq.ParquetFile(path)
        # One thread: the worker processes checking the cases have the other cores.
        for batch in parquet.iter_batches(
            batch_size=ROWS_PER_READ, columns=CASES_SCHEMA.names, use_threads=False
        ):
            columns = [batch.column(name).to_pylist() for name in CASES_SCHEMA.names]
            del batch
            for row in map(CaseRow, *columns):
                number += 1
                yield RawCase(
                    row.case_json,
                    f"{path}:row {number}",
                    row_id=row.id,
                    digest=row.fingerprint,
                    index_key=row.index_key or None,
                    index_entry=row.index_entry or None,
                    dumped=True,
                )
    except (OSError, pa.ArrowException, KeyError, TypeError) as exc:
        yield CasebookError(
            ErrorCode.UNSUPPORTED_FORMAT,
            f"not a readable case Parquet file (after {number} rows): {type(exc).__name__}: {exc}",
            path,
        )


def drop_superseded(folder: Path) -> int:
    """Keep each case id in its newest file only, deleting its rows from the older ones.

    Each file that loses rows is rewritten whole and moved into place, and one left empty is
    deleted, so a reader never sees half a file.

    Returns:
        How many rows were dropped.
    """
    files = part_files(folder)
    ids = [_ids(path).column("id").to_pylist() for path in files]
    newest = {case_id: number for number, file_ids in enumerate(ids) for case_id in file_ids}
    dropped = 0
    for number, (path, file_ids) in enumerate(zip(files, ids, strict=True)):
        keep = [newest[case_id] == number for case_id in file_ids]
        if all(keep):
            continue
        dropped += keep.count(False)
        kept = pq.read_table(path).filter(pa.array(keep))
        if kept.num_rows == 0:
            path.unlink()
            continue
        temporary = path.with_name(f"{TEMPORARY_PREFIX}{uuid4().hex}-{path.name}")
        pq.write_table(kept, temporary, row_group_size=ROWS_PER_GROUP)
        os.replace(temporary, path)
    return dropped


def remove_temporary_files(folder: Path) -> None:
    """Delete files left half-written by writers that were killed."""
    if folder.is_dir():
        for path in folder.glob(f"{TEMPORARY_PREFIX}*"):
            path.unlink(missing_ok=True)
