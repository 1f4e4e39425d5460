"""Documents from uploaded or pasted bytes, and storing analysed cases (``service``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook import service
from casebook.components import pipeline_from_names
from casebook.config import Settings
from casebook.errors import CasebookError, ErrorCode
from casebook.model import SourceFormat

INGEST = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_pasted_text_is_named_by_its_content() -> None:
    (first,) = service.read_upload(b"A 7-year-old girl had a rash.", max_chars=1000)
    (same,) = service.read_upload(b"A 7-year-old girl had a rash.", max_chars=1000)
    (other,) = service.read_upload(b"A 9-year-old boy had a cough.", max_chars=1000)
    assert first.id == same.id and first.id.startswith("text-")
    assert other.id != first.id
    assert first.source.path is None


def test_pasted_jats_keeps_its_own_id() -> None:
    data = (INGEST / "case-report.nxml").read_bytes()
    (document,) = service.read_upload(data, max_chars=100_000)
    assert document.source.format is SourceFormat.JATS
    assert document.id == "PMC9900001"


def test_uploaded_name_guides_the_format_and_loses_its_folders() -> None:
    data = (INGEST / "patients.jsonl").read_bytes()
    documents = service.read_upload(data, "../../etc/patients.jsonl", max_chars=100_000)
    assert [d.id for d in documents] == ["9900004-1", "9900005-1", "9900006-1"]
    assert {d.source.path for d in documents} == {"patients.jsonl"}
    (windows,) = service.read_upload(b"Fever.", "C:\\reports\\fever.txt", max_chars=100)
    assert windows.id == "fever" and windows.source.path == "fever.txt"


def test_overlong_document_is_refused() -> None:
    with pytest.raises(CasebookError) as raised:
        service.read_upload(b"x" * 101, "long.txt", max_chars=100)
    assert raised.value.code is ErrorCode.REQUEST_TOO_LARGE
    assert "101 characters" in raised.value.message


def test_store_cases_reports_added_unchanged_replaced(tmp_path: Path) -> None:
    pipeline = pipeline_from_names(("sections", "sentences", "patient"))
    store = tmp_path / "cases.duckdb"
    (one,) = service.read_upload(b"A 54-year-old man had fever.", "one.txt", max_chars=100)
    (two,) = service.read_upload(b"A 7-year-old girl had a rash.", "two.txt", max_chars=100)
    first = service.store_cases([pipeline(one), pipeline(two)], store)
    assert first.added == ["one", "two"]
    (changed,) = service.read_upload(b"A 55-year-old man had fever.", "one.txt", max_chars=100)
    with pytest.raises(CasebookError) as refused:
        service.store_cases([pipeline(changed), pipeline(two)], store)
    assert refused.value.code is ErrorCode.ID_CONFLICT
    assert service.get_case(store, "one").patient.age_years == 54
    again = service.store_cases([pipeline(changed), pipeline(two)], store, replace=True)
    assert again.replaced == ["one"] and again.unchanged == ["two"] and not again.added
    assert service.get_case(store, "one").patient.age_years == 55


def test_api_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBOOK_API_TOKEN", "s3cret")
    monkeypatch.setenv("CASEBOOK_API_CORS_ORIGINS", '["https://example.org"]')
    monkeypatch.setenv("CASEBOOK_API_PORT", "9001")
    settings = Settings()
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.api_cors_origins == ["https://example.org"]
    assert settings.api_port == 9001
    assert settings.api_host == "127.0.0.1"
    assert settings.api_max_request_bytes == 10_000_000
