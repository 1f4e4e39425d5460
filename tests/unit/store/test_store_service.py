"""The service functions over the case store: incremental adds, failures, lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook import service
from casebook.components import pipeline_from_names
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document, Source, SourceFormat
from casebook.pipeline_fingerprint import pipeline_fingerprint
from casebook.search.hybrid import CaseIndex
from casebook.search.saved import index_folder
from casebook.search.settings import load_search_settings

_PIPELINE = pipeline_from_names(("sections", "sentences", "patient"))


def _analyze(document: Document) -> Case:
    return _PIPELINE(document)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "one.txt").write_text("A 54-year-old man had fever.\n", encoding="utf-8")
    (folder / "two.txt").write_text("A 7-year-old girl had a rash.\n", encoding="utf-8")
    return folder


def test_content_hash_follows_the_text_and_the_format() -> None:
    text = Document(id="a", text="fever", source=Source(format=SourceFormat.TEXT))
    same = Document(id="b", text="fever", source=Source(format=SourceFormat.TEXT, path="x"))
    other_text = Document(id="a", text="fever.", source=Source(format=SourceFormat.TEXT))
    other_format = Document(id="a", text="fever", source=Source(format=SourceFormat.JATS))
    assert service.content_hash(text) == service.content_hash(same)
    assert len({service.content_hash(d) for d in (text, other_text, other_format)}) == 3


def test_add_is_incremental_and_replaces_another_text_only_on_purpose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)
    store = tmp_path / "cases.duckdb"
    analysed: list[str] = []

    def analyze(document: Document) -> Case:
        analysed.append(document.id)
        return _analyze(document)

    first = service.add([str(folder)], store, analyze=analyze)
    assert sorted(first.added) == ["one", "two"] and not first.failed

    totals: list[int] = []
    again = service.add([str(folder)], store, analyze=analyze, on_total=totals.append)
    assert sorted(again.unchanged) == ["one", "two"] and not again.added
    assert totals == [0] and sorted(analysed) == ["one", "two"]  # nothing analysed again

    # Another document under a stored id is refused, and says how to replace it.
    (folder / "two.txt").write_text("A 9-year-old girl had a rash.\n", encoding="utf-8")
    refused = service.add([str(folder)], store, analyze=analyze)
    assert refused.unchanged == ["one"] and not refused.replaced and not refused.added
    assert [(e.code, e.path) for e in refused.failed] == [
        (ErrorCode.ID_CONFLICT, str(folder / "two.txt"))
    ]
    assert "--replace" in refused.failed[0].message
    assert service.get_case(store, "two").patient.age_years == 7

    third = service.add([str(folder)], store, analyze=analyze, replace=True)
    assert third.replaced == ["two"] and third.unchanged == ["one"]
    assert service.get_case(store, "two").patient.age_years == 9
    assert service.count_cases(store) == 2

    # The same texts read by another pipeline (another casebook version, retrained models or
    # edited rules) are analysed again and replaced.
    # ``add`` compares content hashes, which take the fingerprint in ``service.hashing``.
    monkeypatch.setattr(service.hashing, "pipeline_fingerprint", lambda: "0" * 16)
    upgraded = service.add([str(folder)], store, analyze=analyze)
    assert sorted(upgraded.replaced) == ["one", "two"] and not upgraded.failed


def test_the_first_of_two_documents_sharing_an_id_is_stored_and_the_other_refused(
    tmp_path: Path,
) -> None:
    lines = [
        '{"patient_uid": "p1", "text": "A 30-year-old man had fever."}',
        '{"patient_uid": "p1", "text": "A 60-year-old woman had a cough."}',
        '{"patient_uid": "p1", "text": "A 30-year-old man had fever."}',
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = tmp_path / "cases.duckdb"
    result = service.add([str(corpus)], store, analyze=_analyze)
    assert result.added == ["p1"] and result.unchanged == ["p1"]
    assert [e.code for e in result.failed] == [ErrorCode.ID_CONFLICT]
    assert service.get_case(store, "p1").patient.age_years == 30


def test_storing_cases_refuses_another_text_under_a_stored_id(tmp_path: Path) -> None:
    store = tmp_path / "cases.duckdb"
    first = _analyze(
        Document(id="r", text="A 30-year-old man.", source=Source(format=SourceFormat.TEXT))
    )
    other = _analyze(
        Document(id="r", text="A 60-year-old woman.", source=Source(format=SourceFormat.TEXT))
    )
    assert service.store_cases([first], store).added == ["r"]
    with pytest.raises(CasebookError) as refused:
        service.store_cases([other], store)
    assert refused.value.code is ErrorCode.ID_CONFLICT and "'r'" in refused.value.message
    with pytest.raises(CasebookError):
        service.store_cases([first.model_copy(update={"id": "s"}), other], store)
    assert service.count_cases(store) == 1  # nothing of a refused batch is stored
    assert service.store_cases([first], store).unchanged == ["r"]
    assert service.store_cases([other], store, replace=True).replaced == ["r"]
    assert service.get_case(store, "r").text == "A 60-year-old woman."


def test_content_hash_follows_the_pipeline_that_made_a_case() -> None:
    document = Document(id="a", text="fever", source=Source(format=SourceFormat.TEXT))
    case = Case.from_document(document)
    current = case.model_copy(update={"pipeline": pipeline_fingerprint()})
    other = case.model_copy(update={"pipeline": "0" * 16})
    assert service.content_hash(current) == service.content_hash(document)
    assert service.content_hash(other) != service.content_hash(document)
    assert service.content_hash(case) != service.content_hash(document)  # made by none known


def test_add_analyses_again_a_case_another_pipeline_made(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    store = tmp_path / "cases.duckdb"
    (document,) = service.read_inputs([str(folder / "one.txt")])[0]
    older = _analyze(document).model_copy(update={"pipeline": "0" * 16})
    assert service.store_cases([older], store).added == ["one"]
    assert service.stale_cases(store).ids == ["one"]

    def analyze(document: Document) -> Case:
        return _analyze(document).model_copy(update={"pipeline": pipeline_fingerprint()})

    result = service.add([str(folder)], store, analyze=analyze)
    assert result.replaced == ["one"] and result.added == ["two"]
    assert service.get_case(store, "one").pipeline == pipeline_fingerprint()
    assert service.stale_cases(store).ids == []
    again = service.add([str(folder)], store, analyze=analyze)
    assert sorted(again.unchanged) == ["one", "two"]


def test_add_reports_failures_and_stores_the_rest(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "bad.txt").write_text("A case that breaks the analysis.\n", encoding="utf-8")

    def analyze(document: Document) -> Case:
        if document.id == "bad":
            raise ValueError("boom")
        return _analyze(document)

    advanced: list[None] = []
    result = service.add(
        [str(folder)],
        tmp_path / "s.duckdb",
        analyze=analyze,
        on_advance=lambda: advanced.append(None),
    )
    assert sorted(result.added) == ["one", "two"]
    codes = sorted(error.code for error in result.failed)
    assert codes == [ErrorCode.EMPTY_DOCUMENT, ErrorCode.PROCESSING_FAILED]
    assert len(advanced) == 3
    assert [s.id for s in service.list_cases(tmp_path / "s.duckdb")] == ["one", "two"]


def test_lookups_on_a_missing_store_create_nothing(tmp_path: Path) -> None:
    store = tmp_path / "none.duckdb"
    assert service.list_cases(store) == [] and service.count_cases(store) == 0
    for action in (service.get_case, service.remove_case):
        with pytest.raises(CasebookError) as caught:
            action(store, "x")
        assert caught.value.code is ErrorCode.CASE_NOT_FOUND
    assert not store.exists()


def test_remove_case_deletes_it(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    service.add([str(_folder(tmp_path))], store, analyze=_analyze)
    service.remove_case(store, "one")
    assert [s.id for s in service.list_cases(store, limit=5)] == ["two"]
    with pytest.raises(CasebookError) as caught:
        service.get_case(store, "one")
    assert caught.value.code is ErrorCode.CASE_NOT_FOUND


def test_the_search_index_is_current_right_after_add(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    store = tmp_path / "s.duckdb"
    service.add([str(folder)], store, analyze=_analyze)
    settings = load_search_settings()
    with service.open_store(store, read_only=True) as opened:
        fingerprint = opened.fingerprint()
        expected = CaseIndex.build(opened.iter_cases())
    saved = CaseIndex.load(index_folder(store), fingerprint, settings)
    assert saved is not None and saved.ids == expected.ids == ("one", "two")
    assert saved.facets == expected.facets

    # Without indexing, the saved index is left as it was: stale, so never used.
    (folder / "three.txt").write_text("A 3-year-old boy had a cough.\n", encoding="utf-8")
    service.add([str(folder)], store, analyze=_analyze, index=False)
    with service.open_store(store, read_only=True) as opened:
        fingerprint = opened.fingerprint()
    assert CaseIndex.load(index_folder(store), fingerprint, settings) is None
    hits = service.search(store, text="A boy had a cough.", k=3).similar
    assert [hit.id for hit in hits][0] == "three"
    assert CaseIndex.load(index_folder(store), fingerprint, settings) is not None


def test_an_interrupted_add_keeps_the_cases_it_finished(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "zero.txt").write_text("A 40-year-old man had a cough.\n", encoding="utf-8")
    store = tmp_path / "s.duckdb"
    analysed: list[str] = []

    def analyze(document: Document) -> Case:
        if document.id == "zero":
            raise KeyboardInterrupt
        analysed.append(document.id)
        return _analyze(document)

    with pytest.raises(KeyboardInterrupt):
        service.add([str(folder)], store, analyze=analyze)
    # Analysed within the last second, so still waiting for their batch: committed anyway.
    assert analysed and sorted(s.id for s in service.list_cases(store)) == sorted(analysed)
    again = service.add([str(folder)], store, analyze=_analyze)
    assert sorted(again.unchanged) == sorted(analysed) and again.added == ["zero"]
