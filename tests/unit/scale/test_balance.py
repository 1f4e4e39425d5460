"""Partitions cut in order by text: every document in one partition, consecutive documents
together, none holding more than an equal share and one document."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.scale.balance import DOCUMENT_OVERHEAD_CHARS, split_in_order, weight


def _loads(weights: list[int], assignment: list[int]) -> list[int]:
    loads = [0] * (max(assignment) + 1)
    for item, partition in zip(weights, assignment, strict=True):
        loads[partition] += item
    return loads


@given(
    st.lists(st.integers(min_value=1, max_value=200_000), min_size=1, max_size=300),
    st.integers(min_value=1, max_value=40),
)
def test_consecutive_items_go_together_and_no_load_passes_an_equal_share_and_the_heaviest_item(
    weights: list[int], partitions: int
) -> None:
    assignment = split_in_order(weights, partitions)
    assert len(assignment) == len(weights)
    # Partitions 0, 1, 2, ... in order, each holding a run of consecutive items.
    assert assignment[0] == 0
    assert all(b - a in (0, 1) for a, b in zip(assignment, assignment[1:], strict=False))
    assert max(assignment) < partitions
    loads = _loads(weights, assignment)
    assert max(loads) <= sum(weights) / partitions + max(weights)


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=20))
def test_equal_items_fill_every_partition_evenly(items: int, partitions: int) -> None:
    assignment = split_in_order([weight(3_000)] * items, partitions)
    sizes = [assignment.count(p) for p in range(max(assignment) + 1)]
    assert len(sizes) == min(items, partitions)
    assert max(sizes) - min(sizes) <= 1


def test_one_long_document_gets_a_partition_to_itself() -> None:
    weights = [weight(3_000)] * 10 + [weight(100_000)] + [weight(3_000)] * 10
    assignment = split_in_order(weights, 4)
    assert assignment.count(assignment[10]) == 1


def test_short_documents_still_weigh_their_analysis() -> None:
    assert weight(0) == DOCUMENT_OVERHEAD_CHARS
    # Forty near-empty documents are work too: the partition with one long text takes its
    # share of them rather than leaving all forty to the other.
    assignment = split_in_order([weight(10_000)] + [weight(10)] * 40, 2)
    assert assignment[1:].count(assignment[0]) >= 5


def test_no_partition_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one partition"):
        split_in_order([1, 2], 0)
