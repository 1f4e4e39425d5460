"""The cache of built resources: built once, read back after, rebuilt when unreadable."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.cache import KEPT_IN_ALL, KEPT_PER_SOURCE, digest, load_or_build
from casebook.kb import CandidateGenerator, KnowledgeBase
from casebook.kb.hpo import load_hpo, read_hpo_resource
from casebook.kb.icd10pcs import load_icd10pcs, read_icd10pcs, wheel_database
from casebook.model import CodeSystem
from casebook.resources import resource_path


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASEBOOK_CACHE", str(tmp_path))
    return tmp_path


class Builds:
    """A build function that counts its calls."""

    def __init__(self, value: dict[str, int]) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        return dict(self.value)


def test_an_object_is_built_once_and_then_read_back(folder: Path) -> None:
    build = Builds({"a": 1})
    first = load_or_build("thing", digest("v1"), dict, build)
    second = load_or_build("thing", digest("v1"), dict, build)
    assert first == second == {"a": 1}
    assert build.calls == 1
    assert [p.name.startswith("thing-") for p in folder.iterdir()] == [True]


def test_another_key_builds_again(folder: Path) -> None:
    build = Builds({"a": 1})
    load_or_build("thing", digest("v1"), dict, build)
    load_or_build("thing", digest("v2"), dict, build)
    assert build.calls == 2


@pytest.mark.parametrize("content", [b"", b"\x80\x05garbage", b"not a pickle at all"])
def test_a_corrupt_file_is_rebuilt_and_replaced(folder: Path, content: bytes) -> None:
    build = Builds({"a": 1})
    load_or_build("thing", digest("v1"), dict, build)
    (entry,) = folder.iterdir()
    entry.write_bytes(content)
    assert load_or_build("thing", digest("v1"), dict, build) == {"a": 1}
    assert build.calls == 2
    assert load_or_build("thing", digest("v1"), dict, build) == {"a": 1}
    assert build.calls == 2


def test_a_file_holding_another_type_is_rebuilt(folder: Path) -> None:
    load_or_build("thing", digest("v1"), list, lambda: [1, 2])
    build = Builds({"a": 1})
    assert load_or_build("thing", digest("v1"), dict, build) == {"a": 1}
    assert build.calls == 1


def test_old_versions_of_an_entry_are_dropped_and_no_temporary_file_stays(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One source read by several versions of casebook's code.
    for version in range(KEPT_PER_SOURCE + 3):
        monkeypatch.setattr("casebook.cache.code_digest", lambda v=version: f"code {v}")
        load_or_build("thing", digest("source"), dict, Builds({"v": version}))
    load_or_build("thing", digest("another source"), dict, Builds({}))
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == KEPT_PER_SOURCE + 1
    assert not [name for name in names if name.startswith(".tmp-")]
    # The newest version is among those kept.
    assert load_or_build("thing", digest("source"), dict, Builds({"v": -1})) == {
        "v": KEPT_PER_SOURCE + 2
    }


def test_the_folder_keeps_the_entries_used_last(folder: Path) -> None:
    load_or_build("kept", digest("used"), dict, Builds({"a": 1}))
    for number in range(KEPT_IN_ALL):
        load_or_build("other", digest(str(number)), dict, Builds({}))
        if number == KEPT_IN_ALL // 2:
            load_or_build("kept", digest("used"), dict, Builds({"a": 2}))  # read: used again
    assert len(list(folder.glob("*.pickle"))) == KEPT_IN_ALL
    assert load_or_build("kept", digest("used"), dict, Builds({"a": 3})) == {"a": 1}


def test_an_unwritable_folder_only_means_building_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CASEBOOK_CACHE", str(blocker / "cache"))
    build = Builds({"a": 1})
    assert load_or_build("thing", digest("v1"), dict, build) == {"a": 1}
    assert load_or_build("thing", digest("v1"), dict, build) == {"a": 1}
    assert build.calls == 2


def test_the_digest_depends_on_file_content_and_on_part_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text("{}", encoding="utf-8")
    before = digest(path)
    path.write_text('{"a": 1}', encoding="utf-8")
    assert digest(path) != before
    assert digest("ab", "c") != digest("a", "bc")


def test_the_cached_hpo_is_the_hpo_read_from_its_file(folder: Path) -> None:
    built = read_hpo_resource(resource_path("hpo.json.gz"))
    load_hpo.cache_clear()
    cached = [load_hpo(), load_hpo.__wrapped__()]
    load_hpo.cache_clear()
    for kb in cached:
        assert kb.concepts == built.concepts
        assert kb.aliases == built.aliases
        assert kb.fingerprint


def test_the_cached_icd10pcs_index_is_the_index_read_from_the_wheel(folder: Path) -> None:
    built = read_icd10pcs(wheel_database())
    load_icd10pcs.cache_clear()
    cached = [load_icd10pcs(), load_icd10pcs.__wrapped__()]
    load_icd10pcs.cache_clear()
    for kb in cached:
        assert kb.entries == built.entries
        assert kb.concepts == built.concepts
        assert kb.approaches == built.approaches


def test_a_generator_over_a_cached_index_finds_what_a_fresh_one_finds(folder: Path) -> None:
    hpo = load_hpo()
    plain = KnowledgeBase(hpo.concepts.values(), CodeSystem.HPO)
    text = "Short and wide neck, generalised seizures and low muscle tone; no ASD or asd."
    options = {"word_forms": {"low": "decreased"}, "whole_compounds": True, "ellipsis": True}
    fresh = CandidateGenerator(plain, **options)  # type: ignore[arg-type]
    cached = [CandidateGenerator(hpo, **options) for _ in range(2)]  # type: ignore[arg-type]
    assert len(list(folder.glob("aliases-hpo-*.pickle"))) == 1
    for generator in cached:
        assert generator.find(text) == fresh.find(text)
        assert generator.candidates("seizures in childhood") == fresh.candidates(
            "seizures in childhood"
        )
