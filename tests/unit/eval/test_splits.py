"""The tune/check split: fixed, seeded, independent of what else is in the set."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casebook.eval.splits import Split, half_of, in_split, select
from casebook.ingest.datasets import MACCROBAT, NEGEX

keys = st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=40, unique=True)


@given(keys, keys)
def test_a_key_keeps_its_half_whatever_else_is_in_the_set(
    first: list[str], more: list[str]
) -> None:
    others = [k for k in more if k not in set(first)]
    alone = select(MACCROBAT, first, str, Split.TUNE)
    together = select(MACCROBAT, first + others, str, Split.TUNE)
    assert [k for k in together if k in set(first)] == alone


@given(keys)
def test_the_halves_partition_the_set(items: list[str]) -> None:
    tune = select(NEGEX, items, str, Split.TUNE)
    check = select(NEGEX, items, str, Split.CHECK)
    assert sorted(tune + check) == sorted(items)
    assert not set(tune) & set(check)
    assert select(NEGEX, items, str, Split.ALL) == items


def test_the_split_is_pinned() -> None:
    # Reported numbers name the half they were made on: the assignment must never drift.
    assert [half_of(MACCROBAT, str(n)) for n in range(6)] == [
        half_of(MACCROBAT, str(n)) for n in range(6)
    ]
    assert half_of("pmc-patients", "q1-1") is Split.CHECK
    assert half_of("pmc-patients", "q2-1") is Split.TUNE


def test_about_half_of_a_real_sized_set_is_tuned_on() -> None:
    tune = [k for k in map(str, range(1000)) if in_split(MACCROBAT, k, Split.TUNE)]
    assert 450 < len(tune) < 550


def test_datasets_draw_their_own_halves() -> None:
    ids = [str(n) for n in range(200)]
    assert select(MACCROBAT, ids, str, Split.TUNE) != select(NEGEX, ids, str, Split.TUNE)
