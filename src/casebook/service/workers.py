"""Worker processes: analysis in parallel, and workers that exit with their parent."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from casebook.errors import CasebookError
from casebook.model import Case, Document
from casebook.service.pipeline import analyze_document, default_pipeline, processing_error
from casebook.service.records import BatchWriter, case_indexer, record_for_store
from casebook.store.base import CaseRecord

PARENT_CHECK_S = 0.5
"""How often a worker process looks whether the process that started it is still there."""


def exit_with_parent(parent: int) -> None:
    """Make this worker process exit as soon as ``parent``, the process that started it, is
    gone.

    A worker whose parent was killed (SIGKILL, out of memory) is handed to another parent and
    would go on analysing for nobody, holding its memory; a thread watches the parent's pid
    and ends the process when it changes. Linux and macOS give an orphan a new parent pid. The
    parent passes its own pid, so that a worker orphaned before it got here exits too.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="casebook-parent-watch", daemon=True).start()


def start_worker(parent: int, load_pipeline: bool) -> None:
    """Load what every document needs once, when the worker starts; exit with the parent."""
    exit_with_parent(parent)
    if load_pipeline:
        default_pipeline()
    case_indexer()


IN_FLIGHT_PER_WORKER = 4
"""Documents queued per worker: enough to keep it busy, few enough that finished cases do
not pile up in memory."""


def add_in_workers(
    todo: Sequence[tuple[Document, str]],
    analyze: Callable[[Document], Case],
    workers: int,
    writer: BatchWriter,
) -> None:
    """Analyse documents in worker processes, handing each prepared case to the writer."""
    # spawn, not fork: the progress display runs a thread, and forking a threaded process
    # can deadlock the children.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=start_worker,
        initargs=(os.getpid(), analyze is analyze_document),
    )
    waiting = iter(todo)
    in_flight: dict[Future[CaseRecord | CasebookError], Document] = {}

    def fill() -> None:
        while len(in_flight) < workers * IN_FLIGHT_PER_WORKER:
            item = next(waiting, None)
            if item is None:
                return
            document, digest = item
            try:
                in_flight[pool.submit(record_for_store, analyze, document, digest)] = document
            except BrokenProcessPool as exc:
                writer.put(_worker_failed(document, exc))

    try:
        fill()
        while in_flight:
            done, _ = wait(in_flight, timeout=writer.wait_s(), return_when=FIRST_COMPLETED)
            for future in done:
                document = in_flight.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker died (killed, out of memory)
                    outcome = _worker_failed(document, exc)
                writer.put(outcome)
            if writer.wait_s() == 0:
                writer.flush()
            fill()
    except BaseException:
        # Interrupted (Ctrl-C) or the store failed: drop the queued documents instead of
        # analysing them all before returning; what is stored stays stored.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _worker_failed(document: Document, exc: BaseException) -> CasebookError:
    return processing_error("the worker analysing it", exc, document)
