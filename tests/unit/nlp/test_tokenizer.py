"""The clinical tokenizer: its extra split rules, and loading it without whitespace special
cases."""

from __future__ import annotations

import tempfile
from pathlib import Path

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from casebook.nlp.tokenizer import clinical_tokenizer, saved_tokenizer


def _nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.tokenizer = clinical_tokenizer(nlp)
    return nlp


def _reloaded() -> Language:
    """A pipeline whose clinical tokenizer was saved and read back by ``saved_tokenizer``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tokenizer"
        clinical_tokenizer(spacy.blank("en")).to_disk(path)
        reloaded = spacy.blank("en")
        reloaded.tokenizer = saved_tokenizer(reloaded.vocab, path)
    return reloaded


WITH_RULES = _nlp()
WITHOUT_WHITESPACE_RULES = _reloaded()

PIECES = st.sampled_from(
    [
        "\n",
        "\n\n",
        "\t",
        " ",
        "  ",
        " \n",
        "\xa0",
        "e.g.",
        "Dr.",
        "(CSF)",
        "EF=0.20",
        "CT/MRI",
        "16 mg/dL.",
        "don't",
        "leak,",
        "L5/S1",
        "x",
        "-",
        "3.5",
        ":)",
        "'s",
        "C++",
    ]
)


def _tokens(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    return [(token.text, token.whitespace_, token.norm_) for token in nlp(text)]


def test_the_clinical_rules_split_equals_slashes_and_a_final_period_after_a_capital() -> None:
    words = [token.text for token in WITH_RULES("EF=0.20 on CT/MRI, 16 mg/dL.")]
    assert words == ["EF", "=", "0.20", "on", "CT", "/", "MRI", ",", "16", "mg", "/", "dL", "."]


def test_the_saved_line_break_special_cases_are_not_loaded_and_the_others_are() -> None:
    rules = WITHOUT_WHITESPACE_RULES.tokenizer.rules or {}
    assert "\n" not in rules and "\t" not in rules and " " not in rules
    assert "e.g." in rules and "\xa0" in rules


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_dropping_whitespace_special_cases_changes_no_token(text: str) -> None:
    assert _tokens(WITHOUT_WHITESPACE_RULES, text) == _tokens(WITH_RULES, text)
