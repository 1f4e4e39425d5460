"""SpanIndex finds the same spans as reading them all, in the order they were given."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casebook.nlp.spans import SpanIndex

spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 12)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=30,
)
queries = st.tuples(st.integers(0, 70), st.integers(0, 15)).map(lambda p: (p[0], p[0] + p[1]))


@given(spans, queries)
def test_overlapping_spans_are_those_sharing_a_character(
    items: list[tuple[int, int]], query: tuple[int, int]
) -> None:
    index = SpanIndex((start, end, number) for number, (start, end) in enumerate(items))
    start, end = query
    expected = [n for n, (s, e) in enumerate(items) if s < end and start < e]
    assert index.overlapping(start, end) == expected
    assert index.any_overlapping(start, end) == bool(expected)
    assert index.first_overlapping(start, end) == (expected[0] if expected else None)


@given(spans, queries)
def test_containing_spans_hold_the_whole_query(
    items: list[tuple[int, int]], query: tuple[int, int]
) -> None:
    index = SpanIndex((start, end, number) for number, (start, end) in enumerate(items))
    start, end = query
    assert index.containing(start, end) == [
        n for n, (s, e) in enumerate(items) if s <= start and end <= e
    ]


@given(spans, queries)
def test_spans_starting_in_a_range(items: list[tuple[int, int]], query: tuple[int, int]) -> None:
    index = SpanIndex((start, end, number) for number, (start, end) in enumerate(items))
    start, end = query
    assert index.starting_in(start, end) == [
        n for n, (s, _) in enumerate(items) if start <= s < end
    ]
