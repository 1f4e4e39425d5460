"""How the mention extractor cuts the model's spans to the words a reader sees."""

from __future__ import annotations

import spacy

from casebook.blas import use_openblas
from casebook.nlp.mentions import (
    DEFAULT_MODEL,
    PHRASE_HEAD,
    READ_LEXEME_ATTRIBUTES,
    _trimmed,
    load_model,
)
from casebook.resources import resource_path


def test_a_mention_never_runs_past_a_line_break() -> None:
    text = "She had a blood patch.\nOn day two she was well."
    end = text.index("On") + 2
    assert _trimmed(text, 10, end) == (10, 21)
    assert text[10:21] == "blood patch"


def test_surrounding_spaces_and_trailing_commas_are_dropped() -> None:
    text = "Fever,  headache, and rash."
    assert _trimmed(text, 6, 17) == (8, 16)


def test_computing_fewer_word_attributes_changes_no_mention() -> None:
    text = (
        "A 29-year-old woman had a bone marrow biopsy of the right posterior iliac crest "
        "(L5/S1) on 3 March 2019. Two days later, she reported an orthostatic headache; "
        "beta-2 transferrin was positive and an MRI showed no abscess. An epidural blood "
        "patch at 20 mL gave full recovery. $100, https://example.org and 1,000 mg/dL."
    )
    trimmed = load_model()
    assert set(trimmed.vocab.lex_attr_getters) == READ_LEXEME_ATTRIBUTES  # type: ignore[attr-defined]
    full = use_openblas(spacy.load(resource_path(DEFAULT_MODEL)))
    spans = [
        [(s.start_char, s.end_char, s.label_) for s in [*doc.ents, *doc.spans.get(PHRASE_HEAD, [])]]
        for doc in (trimmed(text), full(text))
    ]
    assert spans[0] and spans[0] == spans[1]
