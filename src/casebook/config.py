"""Settings, read from ``CASEBOOK_*`` environment variables; each one says what it is for."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    store: Path = Field(
        default_factory=lambda: Path(user_data_dir("casebook")) / "cases.duckdb",
        description="The case store (a DuckDB file) that `casebook add`, `cases`, `show` and "
        "`remove` use when no --store is given.",
    )


def get_settings() -> Settings:
    """Settings as the environment gives them now."""
    return Settings()
