"""Tables pasted as text: the rows whose cells say their finding is absent.

Case reports of genetic and rare diseases tabulate features, one row per feature and one cell
per patient, marked "+", "√", "Y" where a patient has it and "−", "N" or nothing where not.
Pasted as text, a table is a run of lines of tab-separated cells; read as prose, every row
label would be a present finding ("Large foramen magnum" of a row no patient has). A row denies
its first cell when its other cells are all absence marks, or all empty in a table (a run of
tabbed lines) where some row marks presence: there an empty cell is a patient without the
feature. A cell counting the patients of a published series who have the feature ("11/15",
"73%", "22/40 (5) 55%") marks none of the report's patients and is passed over. Rows with any
other cell (a value, a presence mark, a word) are left to the prose rules. Marks:
``resources/table_marks.json`` (schema ``TableMarks``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from pydantic import Field

from casebook.model import RecordModel
from casebook.resources import load_rules


class TableMarks(RecordModel):
    """The schema of ``table_marks.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    absent: list[str] = Field(min_length=1, description="Cell marks of absence, lower-cased.")
    present: list[str] = Field(min_length=1, description="Cell marks of presence, lower-cased.")


@cache
def packaged_marks() -> TableMarks:
    """The packaged ``table_marks.json``."""
    return load_rules("table_marks.json", TableMarks)


def denied_rows(text: str, marks: TableMarks | None = None) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each tabbed row's first cell that the row's other cells deny,
    in text order; none in a text without tabs."""
    if "\t" not in text:
        return []
    marks = marks or packaged_marks()
    absent, present = frozenset(marks.absent), frozenset(marks.present)
    denied: list[tuple[int, int]] = []
    for block in _tabbed_blocks(text):
        marked = any(
            cell.strip().lower() in present for _, line in block for cell in line.split("\t")[1:]
        )
        for start, line in block:
            label, *cells = line.split("\t")
            values = [cell.strip().lower() for cell in cells if not is_series_count(cell)]
            filled = [value for value in values if value]
            if not label.strip() or not values:
                continue
            if (filled and all(value in absent for value in filled)) or (not filled and marked):
                denied.append((start, start + len(label)))
    return denied


_COUNT = re.compile(r"(?P<some>\d+)/(?P<all>\d+)|\d+(?:[.,]\d+)?%")
"""A count of patients ("11/15") or a share of them ("73%")."""

_ASIDE = re.compile(r"\([^()]*\)")
"""What round brackets enclose: a reference number or a share ("(4)", "(73%)")."""


def is_series_count(cell: str) -> bool:
    """Whether a cell only counts the patients of a series who have a feature ("11/15",
    "11/15 (4)", "22/40 (5) 55%", "73%"), no mark of one patient's; a pressure ("120/80")
    is none."""
    words = _ASIDE.sub(" ", cell).split()
    counts = [_COUNT.fullmatch(word) for word in words]
    return bool(counts) and all(
        count is not None
        # Some of all: a pressure ("120/80") is no count.
        and (count.group("some") is None or int(count.group("some")) <= int(count.group("all")))
        for count in counts
    )


def _tabbed_blocks(text: str) -> list[list[tuple[int, str]]]:
    """Each run of consecutive lines holding a tab, as ``(start, line)`` pairs."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    start = 0
    for line in text.split("\n"):
        if "\t" in line:
            current.append((start, line))
        elif current:
            blocks.append(current)
            current = []
        start += len(line) + 1
    if current:
        blocks.append(current)
    return blocks


def within(rows: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start``–``end`` lies inside one of ``rows`` (sorted, as ``denied_rows``
    returns them)."""
    return any(row_start <= start and end <= row_end for row_start, row_end in rows)
