"""Which of many character spans overlap a given one, without reading them all.

A long report holds thousands of mentions and as many candidate matches; testing every match
against every mention makes the analysis time grow with the square of the text's length.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class SpanIndex(Generic[T]):
    """Items with a character span ``start:end``, found by the spans they overlap.

    Args:
        items: ``(start, end, item)`` triples; the order they come in is the order
            ``overlapping`` returns them in.
    """

    def __init__(self, items: Iterable[tuple[int, int, T]]) -> None:
        numbered = sorted(
            (start, number, end, item) for number, (start, end, item) in enumerate(items)
        )
        self._starts = [start for start, _, _, _ in numbered]
        self._entries = [(number, start, end, item) for start, number, end, item in numbered]
        self._longest = max((end - start for start, _, end, _ in numbered), default=0)

    def overlapping(self, start: int, end: int) -> list[T]:
        """The items whose span shares a character with ``start:end``, in the given order."""
        # Only a span starting less than the longest span's length before ``start`` can reach it.
        first = bisect_left(self._starts, start - self._longest + 1)
        last = bisect_left(self._starts, end)
        found = [
            (number, item)
            for number, item_start, item_end, item in self._entries[first:last]
            if item_start < end and start < item_end
        ]
        found.sort()  # by number: numbers are unique, so items are never compared
        return [item for _, item in found]

    def containing(self, start: int, end: int) -> list[T]:
        """The items whose span holds all of ``start:end``, in the given order."""
        # Only a span starting at most the longest span's length before ``end`` can hold it.
        first = bisect_left(self._starts, end - self._longest)
        last = bisect_right(self._starts, start)
        found = [
            (number, item)
            for number, item_start, item_end, item in self._entries[first:last]
            if item_start <= start and end <= item_end
        ]
        found.sort()  # by number: numbers are unique, so items are never compared
        return [item for _, item in found]

    def starting_in(self, start: int, end: int) -> list[T]:
        """The items whose span starts at an offset of ``start:end``, in the given order."""
        found = self._entries[bisect_left(self._starts, start) : bisect_left(self._starts, end)]
        return [item for _, _, _, item in sorted(found)]

    def any_overlapping(self, start: int, end: int) -> bool:
        """Whether any item's span shares a character with ``start:end``."""
        return bool(self.overlapping(start, end))

    def first_overlapping(self, start: int, end: int) -> T | None:
        """The first item, in the given order, whose span shares a character with
        ``start:end``."""
        found = self.overlapping(start, end)
        return found[0] if found else None
