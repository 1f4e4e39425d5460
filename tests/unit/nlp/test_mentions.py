"""How the mention extractor cuts the model's spans to the words a reader sees."""

from __future__ import annotations

from casebook.nlp.mentions import _trimmed


def test_a_mention_never_runs_past_a_line_break() -> None:
    text = "She had a blood patch.\nOn day two she was well."
    end = text.index("On") + 2
    assert _trimmed(text, 10, end) == (10, 21)
    assert text[10:21] == "blood patch"


def test_surrounding_spaces_and_trailing_commas_are_dropped() -> None:
    text = "Fever,  headache, and rash."
    assert _trimmed(text, 6, 17) == (8, 16)
