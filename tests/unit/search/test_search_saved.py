"""Removing a case marks it in the saved index, which then never returns it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from casebook.model import Case
from casebook.search.hybrid import CaseIndex
from casebook.search.saved import MAX_REMOVED_SHARE, mark_removed, removed_ids
from casebook.search.settings import load_search_settings

CaseBuilder = Callable[..., Case]


FINDINGS = [
    "headache", "fever", "cough", "rash", "jaundice", "vertigo",
    "dysphagia", "haematuria", "syncope", "tremor", "ascites", "ptosis",
]  # fmt: skip


def _saved(make_case: CaseBuilder, folder: Path, count: int = 12) -> CaseIndex:
    cases = [
        make_case(f"c{i:02}", f"A woman had {FINDINGS[i]} and then a mild headache.")
        for i in range(count)
    ]
    index = CaseIndex.build(cases)
    index.save(folder, "v1")
    return index


def test_a_marked_case_is_gone_from_the_loaded_index_and_its_hits(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    built = _saved(make_case, tmp_path)
    query = built.query(make_case("q", "A man had rash and a headache."))
    assert built.search(query, 1)[0].id == "c03"
    assert mark_removed(tmp_path, "c03", "v1", "v2")
    assert CaseIndex.load(tmp_path, "v1", load_search_settings()) is None
    loaded = CaseIndex.load(tmp_path, "v2", load_search_settings())
    assert loaded is not None and loaded.removed == {"c03"}
    assert "c03" not in loaded.positions
    hits = loaded.search(query, 12)
    assert "c03" not in [h.id for h in hits] and len(hits) == 11
    assert [h.id for h in hits] == [h.id for h in built.search(query, 12) if h.id != "c03"]


def test_an_index_built_for_another_store_state_is_left_alone(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    _saved(make_case, tmp_path)
    meta = (tmp_path / "meta.json").read_text(encoding="utf-8")
    assert not mark_removed(tmp_path, "c03", "v0", "v2")
    assert (tmp_path / "meta.json").read_text(encoding="utf-8") == meta
    assert removed_ids(tmp_path) == frozenset()


def test_past_the_removed_share_the_index_is_left_stale(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    _saved(make_case, tmp_path, count=12)
    allowed = int(MAX_REMOVED_SHARE * 12)
    stamps = [f"v{i}" for i in range(1, allowed + 3)]
    for number in range(allowed):
        assert mark_removed(tmp_path, f"c{number:02}", stamps[number], stamps[number + 1])
    assert not mark_removed(tmp_path, "c11", stamps[allowed], stamps[allowed + 1])
    assert CaseIndex.load(tmp_path, stamps[allowed + 1], load_search_settings()) is None


def test_an_unreadable_removed_list_makes_the_index_unloadable(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    _saved(make_case, tmp_path)
    assert mark_removed(tmp_path, "c03", "v1", "v2")
    (tmp_path / "removed.json").write_text(json.dumps({"not": "a list"}), encoding="utf-8")
    assert CaseIndex.load(tmp_path, "v2", load_search_settings()) is None
