"""Partitions of about equal work: documents cut, in order, by the length of their text."""

from __future__ import annotations

from collections.abc import Sequence

DOCUMENT_OVERHEAD_CHARS = 500
"""What a document weighs beyond its text: analysing even a short one has a fixed cost (it
is parsed, tagged and coded as a whole), so many short documents are not all dealt to one
partition."""


def weight(text_chars: int) -> int:
    """The work a document of ``text_chars`` characters stands for."""
    return text_chars + DOCUMENT_OVERHEAD_CHARS


def split_in_order(weights: Sequence[int], partitions: int) -> list[int]:
    """The partition of each item, consecutive items together, every partition holding about
    the same weight.

    Consecutive, so that a partition reads one stretch of the staged documents rather than
    rows scattered through all of them. The items laid end to end are cut into ``partitions``
    equal lengths, and each item goes to the length its middle falls in; so no partition
    holds more than an equal share plus the heaviest item. A length in which no item's middle
    falls (inside one long item) makes no partition.

    Args:
        weights: Each item's weight (``weight`` of its text length).
        partitions: How many partitions at most; at least 1.

    Returns:
        For each item, in order, its partition: 0 for the first items, rising by one at
        each cut.
    """
    if partitions < 1:
        raise ValueError("at least one partition is needed")
    total = sum(weights)
    lengths: list[int] = []
    start = 0
    for item in weights:
        # The length holding the middle, start + item / 2, in integers.
        lengths.append((2 * start + item) * partitions // (2 * total) if total else 0)
        start += item
    numbers = {length: number for number, length in enumerate(sorted(set(lengths)))}
    return [numbers[length] for length in lengths]
