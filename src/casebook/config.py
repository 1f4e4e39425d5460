"""Settings, read from ``CASEBOOK_*`` environment variables; each one says what it is for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, PlainSerializer, PlainValidator, SecretStr, WithJsonSchema
from pydantic_settings import BaseSettings, SettingsConfigDict

from casebook.errors import CasebookError, ErrorCode
from casebook.store_location import PostgresLocation, StoreLocation, parse_store

DEFAULT_MAX_CHARS = 1_000_000
"""The longest document text casebook reads unless told otherwise: a case report is some
thousands of characters, a whole article some tens of thousands."""

MENTION_MODELS: dict[str, str] = {
    "default": "models/ner",
    "permissive": "models/ner-permissive",
}
"""The mention models casebook ships, by the name that chooses one, with their folder under
``casebook/resources``. ``default`` learnt from PMC-Patients text too and is distributed under
CC BY-NC-SA 4.0; ``permissive`` learnt from CC BY 4.0 text only, 2.19 points of lenient F1
below it (NOTICE, BENCHMARKS.md)."""

DEFAULT_MENTION_MODEL = "default"

MENTION_MODEL_VARIABLE = "CASEBOOK_MENTION_MODEL"
"""The environment variable that chooses the mention model. Worker processes (``extract``,
``add``, ``serve``, Spark's) inherit it, so one choice holds for every process of a command."""


def mention_model() -> str:
    """The name of the chosen mention model: ``CASEBOOK_MENTION_MODEL``, else ``default``.

    Read from the environment itself rather than through ``Settings``: the pipeline
    fingerprint asks for it once per case, and building ``Settings`` reads every variable.

    Raises:
        CasebookError: ``CB-E026`` when the variable names no shipped mention model.
    """
    given = os.environ.get(MENTION_MODEL_VARIABLE) or DEFAULT_MENTION_MODEL
    return checked_mention_model(given, MENTION_MODEL_VARIABLE)


def checked_mention_model(name: str, where: str | None = None) -> str:
    """``name`` when it is a shipped mention model's (``MENTION_MODELS``).

    Raises:
        CasebookError: ``CB-E026`` otherwise, naming ``where`` (the option or variable that
            gave ``name``) as its path.
    """
    if name not in MENTION_MODELS:
        known = ", ".join(MENTION_MODELS)
        raise CasebookError(
            ErrorCode.UNKNOWN_MENTION_MODEL,
            f"no mention model is called {name!r} (choose one of: {known})",
            where,
        )
    return name


def choose_mention_model(name: str, where: str | None = None) -> None:
    """Make ``name`` the mention model of this process and of the processes it starts.

    Raises:
        CasebookError: ``CB-E026`` when ``name`` is no shipped mention model's.
    """
    os.environ[MENTION_MODEL_VARIABLE] = checked_mention_model(name, where)


def mention_model_folder() -> str:
    """The chosen mention model's folder under ``casebook/resources``.

    Raises:
        CasebookError: ``CB-E026`` when ``CASEBOOK_MENTION_MODEL`` names no shipped model.
    """
    return MENTION_MODELS[mention_model()]


def _store_text(location: StoreLocation) -> str:
    return location.url if isinstance(location, PostgresLocation) else str(location)


StoreSetting = Annotated[
    StoreLocation,
    PlainValidator(parse_store),
    PlainSerializer(_store_text),
    WithJsonSchema({"type": "string"}),
]
"""A store setting: a DuckDB file's path, ``duckdb:///path`` or ``postgresql://…``."""


class Settings(BaseSettings):
    """casebook's settings. Environment variables are the names upper-cased with ``CASEBOOK_``."""

    model_config = SettingsConfigDict(env_prefix="CASEBOOK_", extra="ignore")

    data: Path = Field(
        default=Path("../shared/datasets"),
        description="Folder holding the datasets that `casebook eval` and `casebook train` read.",
    )
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Worker processes for batch commands such as `casebook extract`.",
    )
    max_chars: int = Field(
        default=DEFAULT_MAX_CHARS,
        ge=1,
        description="Longest document text, in characters, that casebook reads and analyses "
        "(`--max-chars` of analyze, extract, add and care; every API route, 413 past it).",
    )
    store: StoreSetting = Field(
        default_factory=lambda: Path(user_data_dir("casebook")) / "cases.duckdb",
        description="The case store that `casebook add`, `load`, `cases`, `show`, `remove`, "
        "`search` and `serve` use when no --store is given: a DuckDB file (a path, or "
        "duckdb:///path) or a PostgreSQL database (postgresql://user@host/db).",
    )
    cache: Path = Field(
        default_factory=lambda: Path(user_cache_dir("casebook")),
        description="Folder for the indexes casebook builds from its packaged vocabularies and "
        "models, so that later commands start faster; safe to delete.",
    )
    store_wait_s: float = Field(
        default=30.0,
        ge=0,
        description="Seconds a command or request waits for another process to release the "
        "case store before giving up with CB-E016.",
    )
    api_host: str = Field(
        default="127.0.0.1",
        description="Address `casebook serve` listens on; loopback unless set otherwise.",
    )
    api_port: int = Field(
        default=8000, ge=0, le=65535, description="Port `casebook serve` listens on."
    )
    api_token: SecretStr | None = Field(
        default=None,
        description="When set, every /v1 route but /v1/health needs "
        "'Authorization: Bearer <token>'.",
    )
    api_allowed_hosts: list[str] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "[::1]"],
        description="Host names the server answers for (the Host header); '*.example.org' "
        "allows its subdomains and '*' any. Requests naming another host get 400. Add the "
        "server's own names when it listens beyond loopback.",
    )
    api_cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS); none when empty.",
    )
    api_max_request_bytes: int = Field(
        default=10_000_000, ge=1, description="Largest request body the API accepts (413 past it)."
    )
    api_max_k: int = Field(
        default=100, ge=1, description="Most results one API request may ask for (limit, k)."
    )
    api_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Seconds a request waits for its analysis, queueing included (504 past it).",
    )
    api_workers: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 4),
        ge=1,
        description="Processes analysing documents for the API; each loads the pipeline once.",
    )
    api_short_workers: int = Field(
        default=1,
        ge=0,
        description="More processes that analyse only short texts (search queries, texts of at "
        "most 20,000 characters), so that long reports queueing never delay a search.",
    )


def get_settings() -> Settings:
    """Settings as the environment gives them now."""
    return Settings()
