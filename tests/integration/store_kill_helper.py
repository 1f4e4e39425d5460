"""A slow but real analysis, and a runner for ``service.add``, for the store's crash test.

The crash test calls ``main`` in a separate process so that it can SIGKILL it mid-batch.
``slow_analyze`` must live in an importable module (not the test file, which pytest imports by
path) so that the worker processes can unpickle it.
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path

from casebook.components import pipeline_from_names
from casebook.model import (
    Case,
    CaseCode,
    Code,
    CodeSystem,
    Document,
    EntityType,
    Mention,
    Span,
)
from casebook.nlp.pipeline import Pipeline

DELAY_S = 0.15
"""Per document, so that a kill reliably lands while the batch is still running."""

FINDINGS = {"fever": "HP:0001945", "cough": "HP:0012735", "rash": "HP:0000988"}
_FINDING = re.compile(r"\b(" + "|".join(FINDINGS) + r")\b")


@cache
def _pipeline() -> Pipeline:
    return pipeline_from_names(("sections", "sentences", "patient"))


def slow_analyze(document: Document) -> Case:
    """Sections, sentences and patient from the real pipeline, plus coded finding mentions."""
    time.sleep(DELAY_S)
    case = _pipeline()(document)
    findings = [
        Mention(
            id=f"f{index}",
            start=match.start(),
            end=match.end(),
            text=match.group(),
            type=EntityType.SIGN_SYMPTOM,
            codes=[Code(system=CodeSystem.HPO, code=FINDINGS[match.group()], score=0.8)],
        )
        for index, match in enumerate(_FINDING.finditer(case.text))
    ]
    codes = [
        CaseCode(
            system=CodeSystem.HPO,
            code=FINDINGS[m.text],
            score=0.8,
            evidence=[Span(start=m.start, end=m.end)],
            mentions=[m.id],
        )
        for m in findings
    ]
    return case.model_copy(update={"mentions": [*case.mentions, *findings], "codes": codes})


def main(store: str, progress: str, folder: str, workers: str) -> None:
    """Add every file of ``folder`` to ``store``, appending a line to ``progress`` per commit."""
    from casebook import service

    with open(progress, "a", encoding="utf-8") as log:

        def committed() -> None:
            log.write("stored\n")
            log.flush()

        result = service.add(
            [folder],
            Path(store),
            workers=int(workers),
            analyze=slow_analyze,
            on_advance=committed,
        )
    print(
        f"added={len(result.added)} unchanged={len(result.unchanged)} "
        f"replaced={len(result.replaced)} failed={len(result.failed)}"
    )
