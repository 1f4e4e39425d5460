"""PatternSet: the matches of every rule pattern, as each pattern's own finditer finds them."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from casebook.nlp.patterns import (
    DIGIT,
    SPACE,
    WORD_START,
    FirstCharacters,
    PatternSet,
    first_characters,
    phrase_alternation,
    second_characters,
    start_finder,
)
from casebook.nlp.relations import RelationFinder
from casebook.nlp.temporal import TemporalOrderer

FRAGMENTS = [
    "3 days later",
    "\u0663 days later",
    "3 dayſ later",
    "2 wee\u212as later",
    "Two weeks after",
    "DAY 5",
    "on hospital day 2",
    "POD 3",
    "pod3",
    "on admission",
    "at the time of presentation",
    "follow-up at 6 months",
    "2010-03-04",
    "January 5, 2010",
    "5th of March 2011",
    "at the age of 40",
    "the same day",
    "one and a half years ago",
    "caused by",
    "CAUSED",
    "secondary to",
    "treated with",
    "revealed",
    "she",
    "fever",
    "-",
    " ",
    ", ",
    ". ",
    "\n",
    "\xa0",
    "é",
    "ſ",
    "\u212a",
    "\u0130",
    "ı",
    "°C",
]
"""Time expressions, relation triggers, and the characters whose case folding is special."""


def _rule_sets() -> list[PatternSet]:
    return [
        TemporalOrderer()._expressions,
        TemporalOrderer()._connectives,
        RelationFinder()._patterns,
    ]


SETS = _rule_sets()


@example(["2010-03-04", "3 days later"], 0, 9)  # a date cut by the range
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=25),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=400),
)
def test_each_pattern_finds_what_its_own_scan_finds(
    pieces: list[str], pos: int, endpos: int
) -> None:
    text = "".join(pieces)
    # One text asked about in several ranges, as components ask sentence after sentence.
    for start, end in ((pos, endpos), (0, len(text)), (endpos // 2, endpos)):
        for patterns in SETS:
            expected = [
                [(m.span(), m.groupdict()) for m in p.finditer(text, start, end)]
                for p in patterns.patterns
            ]
            found = [
                [(m.span(), m.groupdict()) for m in matches]
                for matches in patterns.finditer_each(text, start, end)
            ]
            assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "Fever 3 dayſ later, caused by the puncture.",  # long s folds to "s"
        "Rash 2 wee\u212as later.",  # the Kelvin sign folds to "k"
        "On \u0130stanbul day 3, treated with ıbuprofen.",  # lower-casing lengthens "İ"
        "On DAY 3, 5 Days Later, CAUSED BY it.",
        "Fever \u0663 days later.",  # \\d holds more digits than the ASCII ten
    ],
)
def test_special_case_folding_loses_no_match(text: str) -> None:
    for patterns in SETS:
        expected = [[m.span() for m in p.finditer(text)] for p in patterns.patterns]
        found = [[m.span() for m in matches] for matches in patterns.finditer_each(text)]
        assert found == expected
    assert any(TemporalOrderer()._expressions.finditer_each(text))


@pytest.mark.parametrize(
    "bodies",
    [
        [r"(?P<n>\d+) (?P=n)"],  # a back-reference: no shared scan
        [r"(?i:day) \d+"],  # an inline flag
        [],
    ],
)
def test_patterns_the_scan_cannot_hold_scan_themselves(bodies: list[str]) -> None:
    patterns = PatternSet(bodies)
    text = "On DAY 3 and 3 3, day 4."
    assert [[m.group() for m in found] for found in patterns.finditer_each(text)] == [
        [m.group() for m in p.finditer(text)] for p in patterns.patterns
    ]


def test_case_and_groups_are_the_texts() -> None:
    patterns = PatternSet([r"(?P<n>\d+) (?P<unit>days?) later", r"next (?:week|month)"])
    found = patterns.finditer_each("Three DAYS later; 3 DAYS LATER, the Next Week. x3 days later")
    assert [[m.group() for m in matches] for matches in found] == [
        ["3 DAYS LATER"],
        ["Next Week"],
    ]
    assert found[0][0].group("unit") == "DAYS"


PHRASE_WORDS = ["a", "ab", "b", "s", "\u017f", "k", "\u212a", "i", "\u0130", "-", "(a)"]
"""Words sharing first letters, and letters that case folding equates ("s" and long s)."""


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(PHRASE_WORDS), min_size=1, max_size=3), max_size=8),
    st.lists(st.sampled_from([*PHRASE_WORDS, "A", "S", "K", "I", "AB"]), max_size=12),
)
def test_grouped_phrases_match_as_the_flat_alternation(
    phrases: list[list[str]], words: list[str]
) -> None:
    # Grouping the phrases by first letter must keep which phrase matches where.
    joined = [" ".join(phrase) for phrase in phrases]
    ordered = sorted(joined, key=len, reverse=True)
    flat = "|".join(r"\s+".join(re.escape(word) for word in p.split()) for p in ordered)
    # The phrases themselves in the text, so that phrases sharing a start meet there.
    text = " ".join([*words, *joined])
    grouped = re.compile(f"{WORD_START}(?:{phrase_alternation(joined)})(?![\\w-])", re.I)
    expected = re.compile(f"{WORD_START}(?:{flat})(?![\\w-])", re.I)
    assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in expected.finditer(text)]


FIRST_BODIES = [
    r"(?:on |in )?(?:[0-3]?\d)(?:st|nd)? day",
    r"(?:the )?next (?:week|month)",
    r"[a-c]x|\dy",
    r"(?=d)d+|e*f",
    r"(?:a|)b",
]
"""Bodies with optional starts, classes, digits, look-aheads and empty branches."""


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(FIRST_BODIES),
    st.text(alphabet="abcdefxy0123\u0663 onthexwkmsd", max_size=30),
)
def test_every_match_starts_with_a_listed_first_character(body: str, text: str) -> None:
    firsts = first_characters(body)
    assert firsts is not None
    for match in re.finditer(body, text):
        first = text[match.start()]
        assert first in firsts or (DIGIT in firsts and re.fullmatch(r"\d", first))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*FIRST_BODIES, r",\s*and", r":\s*no", r"\s+x"]), min_size=1),
    st.sampled_from([WORD_START, r"\b"]),
    st.text(alphabet="abcdefxy0123\u0663 ,:onthexwkmsd-", max_size=40),
)
@example([r":\s*no", r"no"], r"\b", "a:no")  # places one character apart
def test_the_start_finder_marks_where_some_body_matches(
    bodies: list[str], start: str, text: str
) -> None:
    plain = re.compile(f"{start}(?={'|'.join(f'(?:{body})' for body in bodies)})")
    found = [m.start() for m in start_finder(start, bodies).finditer(text)]
    assert found == [m.start() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*FIRST_BODIES, r",\s*and", r"\s+x", r".x", r"a?"]), min_size=1),
    st.text(alphabet="abcdefxy0123\u0663 ,:onthexwkmsd-", max_size=40),
)
def test_each_body_matches_at_the_starts_its_first_characters_keep(
    bodies: list[str], text: str
) -> None:
    starts = list(range(len(text) + 1))
    kept = FirstCharacters(bodies).split(text, starts)
    for body, at in zip(bodies, kept, strict=True):
        pattern = re.compile(body)
        assert [s for s in starts if pattern.match(text, s)] == [
            s for s in at if pattern.match(text, s)
        ]


SECOND_BODIES = [
    *FIRST_BODIES,
    r"o(?:f|n)?\s+x",
    r"a{2,3}b|a\d",
    r"(?:x|y)(?<=x)(?:\s|,)z*",
    r"e?f?d",
]
"""Bodies whose second characters can be listed, or that may be one character long."""


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SECOND_BODIES),
    st.text(alphabet="abcdefxyz0123\u0663 \n,onthexwkmsd", max_size=30),
)
def test_every_match_continues_with_a_listed_second_character(body: str, text: str) -> None:
    for match in re.finditer(body, text):
        first, second = text[match.start()], text[match.start() + 1 : match.start() + 2]
        seconds = second_characters(body, first)
        if seconds is None:
            continue
        assert match.end() - match.start() >= 2
        assert any(
            listed == second or (listed in (DIGIT, SPACE) and re.fullmatch(listed, second))
            for listed in seconds
        )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(SECOND_BODIES), min_size=1),
    st.sampled_from([WORD_START, r"\b", ""]),
    st.text(alphabet="abcdefxyz0123\u0663 \n,:onthexwkmsd-", max_size=40),
)
def test_the_start_finder_branching_on_two_characters_marks_where_some_body_matches(
    bodies: list[str], start: str, text: str
) -> None:
    plain = re.compile(f"{start}(?={'|'.join(f'(?:{body})' for body in bodies)})")
    found = [m.start() for m in start_finder(start, bodies).finditer(text)]
    assert found == [m.start() for m in plain.finditer(text)]


def test_a_body_one_character_long_lists_no_second_characters() -> None:
    assert second_characters(r"e?f?d", "d") is None
    assert second_characters(r"ab|ac", "a") == frozenset({"b", "c"})
    assert second_characters(r"a\s", "a") == frozenset({SPACE})


@pytest.mark.parametrize("body", [r".x", r"\wx", r"[^a]x", r"a?", r"x*y?"])
def test_a_body_starting_anywhere_or_matching_nothing_lists_no_first_characters(
    body: str,
) -> None:
    assert first_characters(body) is None
