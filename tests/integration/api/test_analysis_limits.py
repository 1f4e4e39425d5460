"""The analysis pool's time limit, with the real pipeline in a real worker process."""

from __future__ import annotations

import asyncio

import pytest

from casebook import service
from casebook.api.analysis import Analyzer
from casebook.errors import CasebookError, ErrorCode

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
            analyzer.timeout_s = 120
            (case,) = await analyzer.analyze(documents)
            assert case.patient.age_years == 54
        finally:
            analyzer.close()

    asyncio.run(run())
