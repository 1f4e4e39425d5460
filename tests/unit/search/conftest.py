"""A builder of small hand-written analysed cases for the search tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from casebook.model import (
    Assertion,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Patient,
    Sex,
    Source,
    SourceFormat,
    Span,
)

MentionSpec = tuple[Any, ...]
"""``(words, type)``, optionally followed by an assertion and a list of ``(system, code)``."""

CaseBuilder = Callable[..., Case]


def build_case(
    case_id: str,
    text: str,
    mentions: Sequence[MentionSpec] = (),
    codes: Sequence[tuple[CodeSystem, str, float, str]] = (),
    age: float | None = None,
    sex: Sex | None = None,
    title: str | None = None,
) -> Case:
    """A case whose mentions are the first occurrences (after the previous one) of their words.

    ``codes`` are case-level ``(system, code, score, evidence words[, shown])``, shown unless
    said otherwise. Sentences are split at ". ".
    """
    found: list[Mention] = []
    cursor = 0
    for number, spec in enumerate(mentions, start=1):
        words, kind = spec[0], spec[1]
        assertion = spec[2] if len(spec) > 2 else Assertion.PRESENT
        mention_codes = [Code(system=s, code=c) for s, c in (spec[3] if len(spec) > 3 else [])]
        start = text.index(words, cursor)
        cursor = start + 1
        found.append(
            Mention(
                id=f"m{number}",
                start=start,
                end=start + len(words),
                text=words,
                type=EntityType(kind),
                assertion=assertion,
                codes=mention_codes,
            )
        )
    sentences: list[Span] = []
    start = 0
    for piece in text.split(". "):
        end = min(start + len(piece) + 1, len(text))
        sentences.append(Span(start=start, end=end))
        start = end + 1
    case_codes = []
    for system, code, score, words, *shown in codes:
        at = text.index(words)
        case_codes.append(
            CaseCode(
                system=system,
                code=code,
                score=score,
                evidence=[Span(start=at, end=at + len(words))],
                shown=shown[0] if shown else True,
            )
        )
    return Case(
        id=case_id,
        text=text,
        title=title,
        source=Source(format=SourceFormat.TEXT),
        patient=Patient(age_years=age, sex=sex),
        sentences=sentences,
        mentions=found,
        codes=case_codes,
    )


@pytest.fixture
def make_case() -> CaseBuilder:
    """``build_case``: a small analysed case from its text and mention words."""
    return build_case
