"""The analysis pool's time limit and lanes, with real worker processes: the real pipeline,
or a stand-in for work that will not stop by itself."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from casebook import service
from casebook.api.analysis import SHORT_CHARS, Analyzer
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Document, Source, SourceFormat

sys.path.insert(0, str(Path(__file__).parent))
import analysis_stand_ins  # noqa: E402  (by name, so that the workers can unpickle it)

REPORT = b"A 54-year-old man presented with a severe headache and no fever.\n" * 200


def test_analysis_past_the_time_limit_is_timed_out() -> None:
    documents = service.read_upload(REPORT, max_chars=100_000)

    async def run() -> None:
        analyzer = Analyzer(workers=1, timeout_s=0.05)
        await analyzer.start()
        try:
            with pytest.raises(CasebookError) as raised:
                await analyzer.analyze(documents)
            assert raised.value.code is ErrorCode.TIMED_OUT
            pids = analyzer.pids
            analyzer.timeout_s = 120
            (case,) = await analyzer.analyze(documents)
            assert case.patient.age_years == 54
            # The worker stopped at its deadline by itself: it was freed, not replaced.
            assert analyzer.pids == pids
        finally:
            analyzer.close()

    asyncio.run(run())


def _text(text: str) -> Document:
    return Document(id="t", text=text, source=Source(format=SourceFormat.TEXT))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_worker_that_does_not_stop_is_killed_and_replaced() -> None:
    async def run() -> None:
        analyzer = Analyzer(workers=1, timeout_s=0.5, target=analysis_stand_ins.stand_in)
        await analyzer.start()
        try:
            (stuck,) = analyzer.pids
            with pytest.raises(CasebookError) as raised:
                await analyzer.analyze([_text(analysis_stand_ins.STALL)])
            assert raised.value.code is ErrorCode.TIMED_OUT
            deadline = time.monotonic() + 120
            while analyzer.pids in ([stuck], []):
                assert time.monotonic() < deadline, "the stuck worker was not replaced"
                await asyncio.sleep(0.2)
            assert _gone(stuck)
            analyzer.timeout_s = 120
            (case,) = await analyzer.analyze([_text("A rash.")])
            assert case.text == "A rash."
        finally:
            analyzer.close()

    asyncio.run(run())


def test_a_short_text_is_not_queued_behind_a_long_one() -> None:
    async def run() -> None:
        analyzer = Analyzer(
            workers=1, timeout_s=300, short_workers=1, target=analysis_stand_ins.stand_in
        )
        await analyzer.start()
        try:
            long = asyncio.ensure_future(analyzer.analyze([_text("x" * (SHORT_CHARS + 1))]))
            await asyncio.sleep(0.5)  # the long text has taken the one general worker
            (case,) = await analyzer.analyze([_text("headache after lumbar puncture")])
            assert case.text == "headache after lumbar puncture"
            assert not long.done()
            long.cancel()
        finally:
            analyzer.close()

    asyncio.run(run())
