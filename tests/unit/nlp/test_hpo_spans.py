"""Phenotypes recognised in all the text: exact aliases and the trained span scorer's variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.ingest.text import read_text
from casebook.model import Assertion, Case, CodeSystem
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.hpo_spans import packaged_scorer, phrase_spans, scored_spans
from casebook.nlp.phenotypes import PhenotypeCoder
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.nlp.vocabulary import VocabularyMentions

CEREBELLAR_HYPOPLASIA = "HP:0001321"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    # No mention model: every mention here is one the recognition over the text made.
    return Pipeline(
        [
            SectionDetector(),
            SentenceSplitter(),
            VocabularyMentions(),
            ContextAssertion(),
            PhenotypeCoder(),
        ],
        provided=frozenset({"id", "text", "source", "title", "mentions"}),
    )


def analyse(pipeline: Pipeline, tmp_path: Path, text: str) -> Case:
    path = tmp_path / "case.txt"
    path.write_text(text, encoding="utf-8")
    return pipeline(read_text(path))


def mention_codes(case: Case) -> dict[str, tuple[str, set[str]]]:
    return {
        m.text: (m.assertion.value, {c.code for c in m.codes if c.system is CodeSystem.HPO})
        for m in case.mentions
    }


def case_codes(case: Case) -> set[str]:
    return {c.code for c in case.codes if c.system is CodeSystem.HPO}


def test_a_phenotype_no_alias_spells_is_recognised_and_coded(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO writes "Cerebellar hypoplasia"; the text writes the noun.
    case = analyse(pipeline, tmp_path, "MRI showed cerebellum hypoplasia.")
    assert mention_codes(case) == {"cerebellum hypoplasia": ("present", {CEREBELLAR_HYPOPLASIA})}
    assert case_codes(case) == {CEREBELLAR_HYPOPLASIA}


def test_a_negated_phenotype_is_coded_on_its_mention_only(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    case = analyse(pipeline, tmp_path, "There was no cerebellum hypoplasia.")
    assert mention_codes(case) == {
        "cerebellum hypoplasia": (Assertion.NEGATED.value, {CEREBELLAR_HYPOPLASIA})
    }
    assert case_codes(case) == set()


def test_an_anatomical_phrase_is_no_phenotype(pipeline: Pipeline, tmp_path: Path) -> None:
    # "corpus callosum" is a piece of many aliases ("Agenesis of the corpus callosum").
    assert analyse(pipeline, tmp_path, "The corpus callosum was examined.").mentions == []


def test_candidate_spans_neither_start_nor_end_with_a_function_word() -> None:
    text = "no fever and cough"
    assert [text[s:e] for s, e in phrase_spans(text, 3)] == ["fever", "fever and cough", "cough"]


def test_scored_spans_never_cross_sentence_punctuation() -> None:
    _, _, generator = PhenotypeCoder().rules, None, PhenotypeCoder().generator
    text = "It was the cerebellum. Hypoplasia was seen elsewhere."
    spans = scored_spans(text, generator, packaged_scorer(), 0.0)
    assert all("." not in text[s.start : s.end] for s in spans)
