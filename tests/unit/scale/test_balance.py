"""Partitions balanced by text: every document dealt once, loads within the heaviest one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.scale.balance import DOCUMENT_OVERHEAD_CHARS, balance, weight


@given(
    st.lists(st.integers(min_value=0, max_value=200_000), max_size=300),
    st.integers(min_value=1, max_value=40),
)
def test_every_item_lands_in_one_partition_and_loads_differ_by_at_most_the_heaviest_item(
    weights: list[int], partitions: int
) -> None:
    assignment = balance(weights, partitions)
    assert len(assignment) == len(weights)
    assert all(0 <= partition < partitions for partition in assignment)
    loads = [0] * partitions
    for item, partition in enumerate(assignment):
        loads[partition] += weights[item]
    assert max(loads) - min(loads) <= max(weights, default=0)


def test_one_long_document_gets_a_partition_to_itself() -> None:
    weights = [weight(100_000)] + [weight(3_000)] * 20
    assignment = balance(weights, 4)
    assert assignment.count(assignment[0]) == 1


def test_short_documents_still_weigh_their_analysis() -> None:
    assert weight(0) == DOCUMENT_OVERHEAD_CHARS
    # Forty near-empty documents are work too: the partition with one long text takes its
    # share of them rather than leaving all forty to the other.
    assignment = balance([weight(10_000)] + [weight(10)] * 40, 2)
    assert assignment[1:].count(assignment[0]) >= 5


def test_no_partition_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one partition"):
        balance([1, 2], 0)
