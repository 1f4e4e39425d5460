"""Case-insensitive patterns run case-sensitively over folded text find the same matches."""

from __future__ import annotations

import re
import string
import sys

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from casebook.caseless import ASCII_LETTER_OF, fold, folded_pattern

ALL_NON_ASCII = "".join(
    chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF
)


def test_the_letter_table_is_every_non_ascii_character_ignorecase_equates_with_a_letter() -> None:
    found = set(re.findall("[a-zA-Z]", ALL_NON_ASCII, re.IGNORECASE))
    assert found == set(ASCII_LETTER_OF)
    for char, letter in ASCII_LETTER_OF.items():
        for other in string.ascii_lowercase:
            for pattern in (other, other.upper(), f"[{other}]", f"[{other.upper()}]"):
                assert bool(re.fullmatch(pattern, char, re.IGNORECASE)) == (other == letter)
        for first in string.ascii_lowercase:
            for last in string.ascii_lowercase[string.ascii_lowercase.index(first) :]:
                inside = first <= letter <= last
                for low, high in ((first, last), (first.upper(), last.upper())):
                    assert bool(re.fullmatch(f"[{low}-{high}]", char, re.I)) == inside


@pytest.mark.parametrize(
    "pattern",
    [r"(?-i:ABC)", r"[@-`]", r"[A-z]", r"\bİ", r"(?a:x)", r"\S", r"\W", "a_b", "#", r"\x41"],
)
def test_patterns_that_folding_could_change_are_refused(pattern: str) -> None:
    assert folded_pattern(pattern) is None


def test_a_non_ascii_digit_cannot_be_folded() -> None:
    assert fold("CRP \u0663 mg") is None
    assert fold("CRP 3 mg, 38\u00b0C") == "crp 3 mg, 38#c"


# Pattern parts, accepted ones and some refused, put together at random.
PARTS = ["a", "B", "k", "I", "s", "9", " ", "-", "'", r"\w", r"\s", r"\d", r"\b", ".", "*"]
PARTS += ["+", "?", "|", "(", ")", "(?:", "(?=", "(?!", "(?<=x)", "(?<!\\w)", "{1,2}"]
PARTS += [
    "[a-z]",
    "[^A-Z0-9]",
    "[ks-]",
    r"[\s\d]",
    "[A-Z]",
    "[i-k]",
    "[A-z]",
    r"\W",
    r"\S",
    "(?-i:K)",
]
# Text with letters that match others case-insensitively, non-ASCII word characters, white
# space and marks.
LETTERS = "aAbBkKiIsS9 -'\nıİſ\u212aéÉµ\u00a0\u2009–°_#\v"


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(PARTS), min_size=1, max_size=8).map("".join),
    st.text(LETTERS, max_size=12),
)
@example("is", "ıs İS ſ")
@example(r"\bk\w+", "\u212aelvin")
@example(r"[a-z]+\s", "Éa\u00a0b")
def test_folded_matches_are_the_case_insensitive_matches(pattern: str, text: str) -> None:
    try:
        original = re.compile(pattern, re.IGNORECASE)
    except re.error:
        assume(False)
        return
    folded = folded_pattern(pattern)
    folded_text = fold(text)
    assume(folded is not None and folded_text is not None)
    assert folded is not None and folded_text is not None
    assert len(folded_text) == len(text)
    expected = [m.span() for m in original.finditer(text)]
    assert [m.span() for m in re.finditer(folded, folded_text)] == expected
