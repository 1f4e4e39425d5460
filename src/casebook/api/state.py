"""What the routes of one application share: settings, the analysis pool, the store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from casebook.api.analysis import Analyzer
from casebook.config import Settings

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class ApiState:
    """The shared parts of one application."""

    settings: Settings
    analyzer: Analyzer
    _store_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiState:
        """The state for these settings; the analysis pool starts with the application."""
        return cls(
            settings,
            Analyzer(
                settings.api_workers,
                settings.api_timeout_s,
                short_workers=settings.api_short_workers,
            ),
        )

    async def in_store(self, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a service call on the case store in a thread, one store call at a time.

        The store is one DuckDB file that the service opens per call; taking turns keeps a
        reader from meeting the server's own writer as "another process".
        """
        async with self._store_lock:
            return await run_in_threadpool(action, *args, **kwargs)
