"""Cases the coding tests share."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from casebook.model import (
    Assertion,
    Case,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Source,
    SourceFormat,
)
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter

_PREPARE = Pipeline([SectionDetector(), SentenceSplitter()])


@pytest.fixture
def denied_hematuria() -> Callable[[str, str], Case]:
    """A case of ``text`` with sections and sentences whose one mention is its "hematuria",
    negated and carrying R31.9."""

    def build(text: str, case_id: str) -> Case:
        start = text.index("hematuria")
        denied = Mention(
            id="m1",
            start=start,
            end=start + len("hematuria"),
            text="hematuria",
            type=EntityType.SIGN_SYMPTOM,
            assertion=Assertion.NEGATED,
            codes=[Code(system=CodeSystem.ICD10CM, code="R31.9", score=1.0)],
        )
        case = Case(id=case_id, text=text, source=Source(format=SourceFormat.TEXT))
        return _PREPARE.run(case).model_copy(update={"mentions": [denied]})

    return build
