"""The fixed development split of every evaluation set: a ``tune`` half and a ``check`` half.

Rules, thresholds and model choices are developed on ``tune``; the number reported is the one on
``check``, which nothing was fitted to. Each item (a document, a TSV row, a query) belongs to a
half by a seeded hash of its dataset's name and its own key, so the assignment never depends on
which other items are present, on file order or on the platform: adding documents to a folder
leaves every earlier document in its half, and the same key always lands in the same half.
Datasets are named as ``casebook.ingest.datasets`` names them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TypeVar

SEED = "casebook-split-1"
"""Changing the seed re-draws every split; reported numbers name the split they were made on."""

T = TypeVar("T")


class Split(StrEnum):
    """Which half of an evaluation set is scored."""

    TUNE = "tune"
    CHECK = "check"
    ALL = "all"


def half_of(dataset: str, key: str) -> Split:
    """The half ``key`` of ``dataset`` belongs to: ``tune`` or ``check``.

    Args:
        dataset: The evaluation set's name, e.g. ``"maccrobat2020"``.
        key: The item's own stable key: a document id, a row id, a query id.
    """
    digest = hashlib.sha256(f"{SEED}\0{dataset}\0{key}".encode()).digest()
    return Split.TUNE if digest[0] % 2 == 0 else Split.CHECK


def in_split(dataset: str, key: str, split: Split) -> bool:
    """Whether ``key`` of ``dataset`` is scored under ``split``."""
    return split is Split.ALL or half_of(dataset, key) is split


def select(dataset: str, items: Iterable[T], key: Callable[[T], str], split: Split) -> list[T]:
    """The items of ``split``, in their given order.

    Args:
        dataset: The evaluation set's name.
        items: Its items.
        key: Each item's stable key.
        split: The half to keep, or ``all``.
    """
    return [item for item in items if in_split(dataset, key(item), split)]
