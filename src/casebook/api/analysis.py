"""Analysis off the event loop: a pool of processes, each loading the pipeline once.

Analysis is CPU-bound, so it runs in worker processes and the server's event loop only waits
for results; the loop stays free to answer health checks, listings and other requests.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from casebook import service
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document

logger = logging.getLogger(__name__)


def _load_pipeline() -> None:
    """Load the pipeline when a worker process starts, not on its first request."""
    service.default_pipeline()


class Analyzer:
    """Analyses documents in worker processes, with a time limit per request.

    Args:
        workers: How many processes analyse in parallel.
        timeout_s: How long a request waits for its analysis, queueing included.
    """

    def __init__(self, workers: int, timeout_s: float) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the server process runs threads, and forking them can deadlock.
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=get_context("spawn"), initializer=_load_pipeline
        )

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the pipeline."""
        self._pool = self._new_pool()
        loop = asyncio.get_running_loop()
        # One task per worker: each submit with no idle worker starts another process.
        pids = await asyncio.gather(
            *(loop.run_in_executor(self._pool, os.getpid) for _ in range(self.workers))
        )
        logger.info("analysis ready in %d worker process(es)", len(set(pids)))

    def close(self) -> None:
        """Stop the workers, dropping queued analyses."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def analyze(self, documents: Sequence[Document]) -> list[Case]:
        """Analyse documents in parallel, in order.

        Raises:
            CasebookError: The analysis's own error; ``CB-E020`` past the time limit;
                ``CB-E013`` when a worker process died (the pool is restarted).
        """
        if self._pool is None:
            raise CasebookError(ErrorCode.PROCESSING_FAILED, "the analysis workers are stopped")
        loop = asyncio.get_running_loop()
        pending = [loop.run_in_executor(self._pool, service.analyze_document, d) for d in documents]
        try:
            return await asyncio.wait_for(asyncio.gather(*pending), self.timeout_s)
        except TimeoutError:
            raise CasebookError(
                ErrorCode.TIMED_OUT,
                f"the analysis did not finish within {self.timeout_s:g} s",
            ) from None
        except BrokenProcessPool:
            logger.error("an analysis worker died; restarting the pool")
            self.close()
            self._pool = self._new_pool()
            raise CasebookError(
                ErrorCode.PROCESSING_FAILED, "the process analysing the document died"
            ) from None
