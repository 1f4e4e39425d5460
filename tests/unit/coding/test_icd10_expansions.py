"""ICD-10-CM term matching reads an abbreviated mention through its expansion (issue 4)."""

from __future__ import annotations

from casebook.coding.dictionary import TermIndex
from casebook.coding.icd10cm import dictionary_evidence
from casebook.model import Assertion, Case, EntityType, Mention, Source, SourceFormat
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter

EXCLUDED = frozenset({Assertion.NEGATED, Assertion.FAMILY})
INDEX = TermIndex.build([("G96.00", "Cerebrospinal fluid leak"), ("R51.9", "Headache")])


def case_with_leak(text: str, expansion: str | None) -> Case:
    start = text.index("CSF leak")
    leak = Mention(
        id="m1",
        start=start,
        end=start + len("CSF leak"),
        text="CSF leak",
        type=EntityType.DISEASE_DISORDER,
        expansion=expansion,
    )
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=[leak])
    return Pipeline([SectionDetector(), SentenceSplitter()]).run(case)


def test_expanded_mention_matches_the_long_term() -> None:
    text = "A CSF leak persisted."
    found = dictionary_evidence(
        case_with_leak(text, "cerebrospinal fluid leak"), INDEX, ContextAssertion(), EXCLUDED
    )
    assert [text[s.start : s.end] for s in found["G96.00"]] == ["CSF leak"]


def test_without_the_expansion_nothing_matches() -> None:
    found = dictionary_evidence(
        case_with_leak("A CSF leak persisted.", None), INDEX, ContextAssertion(), EXCLUDED
    )
    assert found == {}


def test_a_negated_expanded_mention_gives_no_evidence() -> None:
    found = dictionary_evidence(
        case_with_leak("There was no CSF leak.", "cerebrospinal fluid leak"),
        INDEX,
        ContextAssertion(),
        EXCLUDED,
    )
    assert found == {}
