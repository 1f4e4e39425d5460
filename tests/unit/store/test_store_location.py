"""Store URLs: which store ``--store`` and ``CASEBOOK_STORE`` name."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.config import Settings
from casebook.errors import CasebookError, ErrorCode
from casebook.store_location import PostgresLocation, parse_store


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("cases.duckdb", Path("cases.duckdb")),
        ("/data/cases.duckdb", Path("/data/cases.duckdb")),
        ("duckdb:///data/cases.duckdb", Path("/data/cases.duckdb")),
        ("duckdb://cases.duckdb", Path("cases.duckdb")),
        (
            "postgresql://me@db.example.org/cases",
            PostgresLocation("postgresql://me@db.example.org/cases"),
        ),
        ("postgres://me@db/cases", PostgresLocation("postgres://me@db/cases")),
    ],
)
def test_a_store_value_names_a_duckdb_file_or_a_postgresql_database(
    given: str, expected: object
) -> None:
    assert parse_store(given) == expected


@pytest.mark.parametrize("given", ["mysql://me@db/cases", "duckdb://", "duckdb:///"])
def test_a_url_of_another_kind_is_a_coded_error(given: str) -> None:
    with pytest.raises(CasebookError) as refused:
        parse_store(given)
    assert refused.value.code is ErrorCode.STORE_ERROR


def test_a_password_is_never_shown() -> None:
    location = PostgresLocation("postgresql://me:s3cret@db:5433/cases?sslmode=require")
    assert str(location) == "postgresql://me:***@db:5433/cases?sslmode=require"
    assert "s3cret" not in location.key


def test_the_store_setting_reads_urls_and_keeps_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEBOOK_STORE", "postgresql://me:pw@db/cases")
    settings = Settings()
    assert settings.store == PostgresLocation("postgresql://me:pw@db/cases")
    # What a worker process rebuilds its settings from keeps the real URL.
    assert Settings.model_validate(settings.model_dump()).store == settings.store
    monkeypatch.setenv("CASEBOOK_STORE", "duckdb:///tmp/x.duckdb")
    assert Settings().store == Path("/tmp/x.duckdb")
