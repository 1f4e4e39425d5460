"""Partitions of about equal work: documents dealt out by the length of their text."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

DOCUMENT_OVERHEAD_CHARS = 500
"""What a document weighs beyond its text: analysing even a short one has a fixed cost (it
is parsed, tagged and coded as a whole), so many short documents are not all dealt to one
partition."""


def weight(text_chars: int) -> int:
    """The work a document of ``text_chars`` characters stands for."""
    return text_chars + DOCUMENT_OVERHEAD_CHARS


def balance(weights: Sequence[int], partitions: int) -> list[int]:
    """The partition of each item, so that every partition holds about the same weight.

    Longest first, each item goes to the partition holding the least so far (LPT): the
    heaviest and the lightest partition then differ by at most the heaviest item.

    Args:
        weights: Each item's weight (``weight`` of its text length).
        partitions: How many partitions; at least 1.

    Returns:
        For each item, in order, its partition in ``range(partitions)``.
    """
    if partitions < 1:
        raise ValueError("at least one partition is needed")
    loads = [(0, partition) for partition in range(partitions)]
    assignment = [0] * len(weights)
    for item in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        load, partition = heapq.heappop(loads)
        assignment[item] = partition
        heapq.heappush(loads, (load + weights[item], partition))
    return assignment
