"""Analysis off the event loop: worker processes, each loading the pipeline once.

Analysis is CPU-bound, so it runs in worker processes and the server's event loop only waits
for results; the loop stays free to answer health checks, listings and other requests.

Every request has a deadline, ``timeout_s`` after it asked. A document still waiting for a
worker then is never analysed; one being analysed is stopped by its worker at the next
component (``casebook.nlp.pipeline.check_deadline``), and a worker that has not answered
``STOP_GRACE_S`` later is killed and replaced. Either way the request is answered ``CB-E020``
at its deadline and no worker goes on with work nobody waits for.

Short texts (search queries, up to ``SHORT_CHARS``) may also run on the ``short_workers``,
which take nothing else: a queue of long reports never delays a search.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from casebook import service
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document

logger = logging.getLogger(__name__)

SHORT_CHARS = 20_000
"""The longest text a short-text worker takes: a search query or a brief report."""

STOP_GRACE_S = 3.0
"""How long after its deadline a worker may take to stop by itself before it is killed."""

Target = Callable[[Document, float | None], Case]
"""What a worker runs on each document: ``service.analyze_document`` (a picklable top-level
function taking the document and its deadline)."""


def _serve(connection: Connection, target: Target, parent: int) -> None:
    """A worker process: load the pipeline, then analyse each document sent until told to stop.

    Each request is ``(document, deadline)``; each answer is the Case or the CasebookError.
    """
    service.exit_with_parent(parent)
    # The server stops its workers itself; a Ctrl-C meant for it must not kill them mid-answer.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if target is service.analyze_document:
        service.default_pipeline()
    connection.send(os.getpid())
    while True:
        try:
            document, deadline = connection.recv()
        except EOFError:  # the server closed its end: nothing more will come
            return
        try:
            outcome: Case | CasebookError = target(document, deadline)
        except CasebookError as error:
            outcome = error
        except Exception as exc:  # a bug must not take the worker down with it
            outcome = CasebookError(
                ErrorCode.PROCESSING_FAILED,
                f"analysis failed ({type(exc).__name__})",
                document.source.path or document.id,
            )
        connection.send(outcome)


@dataclass(eq=False)
class _Worker:
    """One worker process and the server's end of its pipe."""

    process: BaseProcess
    connection: Connection
    short_only: bool
    pid: int = 0
    killed: bool = False

    def kill(self) -> None:
        """End the process now, whatever it is doing; its pipe then reads as closed."""
        self.killed = True
        if self.process.is_alive():
            self.process.kill()


@dataclass
class _Slots:
    """Idle workers, and the documents waiting for one, first come first served.

    A short text takes an idle short-text worker first, else any idle worker; a long one only
    a worker that is not short-only.
    """

    idle: list[_Worker] = field(default_factory=list)
    waiting: deque[tuple[bool, asyncio.Future[_Worker]]] = field(default_factory=deque)

    def _fits(self, short: bool, worker: _Worker) -> bool:
        return short or not worker.short_only

    async def take(self, short: bool) -> _Worker:
        """An idle worker for a text; waits for one when none fits."""
        for wanted in (True, False) if short else (False,):
            for worker in self.idle:
                if worker.short_only == wanted:
                    self.idle.remove(worker)
                    return worker
        found: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        entry = (short, found)
        self.waiting.append(entry)
        try:
            return await found
        except asyncio.CancelledError:
            if entry in self.waiting:
                self.waiting.remove(entry)
            elif found.done() and not found.cancelled():
                self.give(found.result())  # handed over as the wait was given up
            raise

    def give(self, worker: _Worker) -> None:
        """Hand an idle worker to the first document waiting that it fits, else keep it."""
        for entry in self.waiting:
            short, found = entry
            if self._fits(short, worker) and not found.done():
                self.waiting.remove(entry)
                found.set_result(worker)
                return
        self.idle.append(worker)


class Analyzer:
    """Analyses documents in worker processes, each request within its time limit.

    Args:
        workers: How many processes analyse documents of any length.
        timeout_s: How long a request may take, waiting for a worker included.
        short_workers: How many more processes analyse only short texts (``SHORT_CHARS``).
        target: What the workers run on each document (tests give a stand-in that will not
            stop by itself).
    """

    def __init__(
        self,
        workers: int,
        timeout_s: float,
        short_workers: int = 0,
        target: Target = service.analyze_document,
    ) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self.short_workers = short_workers
        self._target = target
        self._slots = _Slots()
        self._all: set[_Worker] = set()
        self._threads: ThreadPoolExecutor | None = None
        self._closed = False
        self._background: set[asyncio.Task[None]] = set()

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers that are ready or at work."""
        return sorted(w.pid for w in self._all if w.pid and not w.killed)

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the pipeline."""
        # A thread per worker waits on its pipe, so that no answer blocks the event loop.
        self._threads = ThreadPoolExecutor(
            max_workers=2 * (self.workers + self.short_workers) + 1,
            thread_name_prefix="casebook-pipe",
        )
        self._closed = False
        started = await asyncio.gather(
            *(self._spawn(short_only=False) for _ in range(self.workers)),
            *(self._spawn(short_only=True) for _ in range(self.short_workers)),
        )
        for worker in started:
            self._slots.give(worker)
        logger.info(
            "analysis ready in %d worker process(es), and %d for short texts only",
            self.workers,
            self.short_workers,
        )

    def close(self) -> None:
        """Stop every worker now, dropping what they were doing."""
        self._closed = True
        for worker in list(self._all):
            worker.kill()
        for worker in list(self._all):
            worker.process.join(timeout=5)
            worker.connection.close()
        self._all.clear()
        self._slots = _Slots()
        for task in self._background:
            task.cancel()
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._threads = None

    async def analyze(self, documents: Sequence[Document]) -> list[Case]:
        """Analyse documents in parallel, in order.

        Raises:
            CasebookError: The analysis's own error; ``CB-E020`` past the time limit;
                ``CB-E013`` when a worker process died (it is replaced).
        """
        if self._closed or self._threads is None:
            raise CasebookError(ErrorCode.PROCESSING_FAILED, "the analysis workers are stopped")
        deadline = time.monotonic() + self.timeout_s
        jobs = [asyncio.ensure_future(self._run(d, deadline)) for d in documents]
        _, pending = await asyncio.wait(jobs, timeout=self.timeout_s)
        for job in pending:
            job.cancel()  # a document still waiting for a worker is never analysed
        if pending:
            raise CasebookError(
                ErrorCode.TIMED_OUT, f"the analysis did not finish within {self.timeout_s:g} s"
            )
        outcomes = [job.result() for job in jobs]
        for outcome in outcomes:
            if isinstance(outcome, CasebookError):
                raise outcome
        return [outcome for outcome in outcomes if isinstance(outcome, Case)]

    async def _run(self, document: Document, deadline: float) -> Case | CasebookError:
        """Analyse one document on the next worker that fits it."""
        worker = await self._slots.take(len(document.text) <= SHORT_CHARS)
        loop = asyncio.get_running_loop()
        answer = loop.run_in_executor(self._threads, _exchange, worker, (document, deadline))
        # The answer is awaited apart from this request: when the request gives up at its
        # deadline, the worker still has to come back, or be killed.
        task = asyncio.ensure_future(self._reclaim(worker, answer, deadline))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return await asyncio.shield(answer)

    async def _reclaim(
        self, worker: _Worker, answer: asyncio.Future[Case | CasebookError], deadline: float
    ) -> None:
        """Return the worker to the idle ones once it answers; kill and replace it when it
        has not answered ``STOP_GRACE_S`` after the deadline or has died."""
        wait_s = max(0.0, deadline - time.monotonic()) + STOP_GRACE_S
        try:
            await asyncio.wait_for(asyncio.shield(answer), wait_s)
        except TimeoutError:
            logger.warning("an analysis worker went on past its deadline; replacing it")
            worker.kill()
        if worker.killed:
            await self._replace(worker)
        elif not self._closed:
            self._slots.give(worker)

    async def _replace(self, worker: _Worker) -> None:
        """Start a worker in place of one that was killed or died."""
        self._all.discard(worker)
        worker.kill()
        await asyncio.to_thread(worker.process.join, 5)
        worker.connection.close()
        if self._closed:
            return
        try:
            replacement = await self._spawn(worker.short_only)
        except CasebookError as error:
            logger.error("an analysis worker could not be replaced: %s", error.code.value)
            return
        self._slots.give(replacement)

    async def _spawn(self, short_only: bool) -> _Worker:
        """Start one worker process and wait until it has loaded the pipeline."""
        # spawn, not fork: the server process runs threads, and forking them can deadlock.
        context = get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, self._target, os.getpid()),
            name="casebook-analysis",
            daemon=True,
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours, short_only)
        self._all.add(worker)
        try:
            worker.pid = await asyncio.get_running_loop().run_in_executor(self._threads, ours.recv)
        except (EOFError, OSError):
            self._all.discard(worker)
            worker.kill()
            worker.connection.close()
            raise CasebookError(
                ErrorCode.PROCESSING_FAILED, "an analysis worker died while starting"
            ) from None
        return worker


def _exchange(worker: _Worker, request: tuple[Document, float]) -> Case | CasebookError:
    """Send one document to a worker and wait for its answer (in a thread of the server)."""
    try:
        worker.connection.send(request)
        answer: Case | CasebookError = worker.connection.recv()
    except (EOFError, OSError):  # killed, or died (out of memory …)
        worker.killed = True
        return CasebookError(ErrorCode.PROCESSING_FAILED, "the process analysing the document died")
    except Exception as exc:  # a message that cannot be pickled; the pipe holds none of it
        return CasebookError(
            ErrorCode.PROCESSING_FAILED,
            f"the analysis could not be passed on ({type(exc).__name__})",
        )
    return answer
