"""Many case-insensitive rule patterns over one text: one scan finds where any may match.

Rule files (time expressions, relation triggers) hold dozens of case-insensitive patterns, each
anchored at a word start (``WORD_START``). Scanning the text once per pattern costs most of
those components' time: the regex engine tries every position of the text for every pattern.
``PatternSet`` scans the lower-cased text once, without case folding, with one pattern whose
look-aheads hold every rule pattern lower-cased, branching on the first character where the
rule patterns allow: it marks the places where some rule pattern matches. Each rule pattern
is then tried only at those places, as ``finditer`` would find them. The matches are those of
``pattern.finditer`` exactly, group values included, since the rule patterns themselves run on
the original text; the one scan only says where to try them.

Lower-casing stands for case folding when the patterns are ASCII and the text has no character
that lower-casing lengthens ("İ") or that folds to an ASCII letter only case-insensitively
("ſ", the Kelvin sign); for other texts, and for patterns the scan cannot hold (back-references,
inline flags), every pattern scans the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from re import _constants, _parser  # type: ignore[attr-defined]  # the regex parser, no stubs
from typing import Any

WORD_START = r"(?<![\w-])"
"""Where every pattern of a set starts: not inside a word or just after a hyphen."""

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_UNSAFE = re.compile(r"\(\?P=|\\[0-9N\\]|\(\?[aiLmsux]")
"""Back-references, named characters, escaped backslashes and inline flags."""
_UPPER = re.compile(r"(?<!\\)[A-Z]")
_FOLDS_TO_ASCII = re.compile(r"[a-z]", re.IGNORECASE)
"""Non-ASCII characters this matches ("ſ", "K") equal ASCII letters only when case folds."""


def phrase_alternation(phrases: Iterable[str]) -> str:
    """A case-insensitive regex alternation of ``phrases``, longest first, spaces as any
    whitespace, grouped by first letter: "t(?:hirteen|hree|wo)|o(?:ne)".

    The regex engine skips a group whose first letter is not the text's in one step instead
    of trying each of its phrases, which matters when the alternation is tried at every word
    of a text. Only phrases with the same first letter can match at one place, so the
    grouping keeps the longest-first preference. Phrases that do not all start with an ASCII
    character (case folding might then equate two first letters) stay one flat alternation.
    """
    ordered = sorted(phrases, key=len, reverse=True)
    written = [r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered]
    firsts = [phrase.lstrip()[:1].lower() for phrase in ordered]
    if not all(first.isascii() and first for first in firsts):
        return "|".join(written)
    groups: dict[str, list[str]] = {}
    for first, regex in zip(firsts, written, strict=True):
        # re.escape writes an ASCII character as itself or as a backslash and itself.
        rest = regex[2:] if regex.startswith("\\") else regex[1:]
        groups.setdefault(first, []).append(rest)
    alternatives: list[str] = []
    for first, rests in groups.items():
        tail = rests[0] if len(rests) == 1 else f"(?:{'|'.join(rests)})"
        alternatives.append(re.escape(first) + tail)
    return "|".join(alternatives)


class PatternSet:
    """Case-insensitive patterns, each ``WORD_START`` followed by its body, matched together.

    Args:
        bodies: The patterns without their leading ``WORD_START``.
    """

    def __init__(self, bodies: Sequence[str]) -> None:
        self.patterns = [re.compile(WORD_START + body, re.IGNORECASE) for body in bodies]
        plain = _lowered_bodies(bodies)
        self._finder = None if plain is None else start_finder(WORD_START, plain)
        self._firsts = FirstCharacters(plain or ())
        self._last: tuple[str, str | None] | None = None

    def finditer_each(
        self, text: str, pos: int = 0, endpos: int | None = None
    ) -> list[list[re.Match[str]]]:
        """For each pattern, ``list(pattern.finditer(text, pos, endpos))``."""
        end = len(text) if endpos is None else endpos
        lowered = self._lowered(text)
        if lowered is None or self._finder is None:
            return [list(p.finditer(text, pos, end)) for p in self.patterns]
        # The range is scanned as the patterns scan it: a look-ahead at its end sees the end of
        # the text ("2010-03-0" of "2010-03-04" cut at the 9th character is a date).
        starts = [m.start() for m in self._finder.finditer(lowered, pos, end)]
        each = self._firsts.split(lowered, starts)
        return [
            finditer_from(p, text, pos, end, at) for p, at in zip(self.patterns, each, strict=True)
        ]

    def _lowered(self, text: str) -> str | None:
        """``text`` lower-cased, where that stands for case folding; None where it does not
        (remembered for the last text: components ask for one sentence after another)."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        lowered = text.lower()
        folds = len(lowered) == len(text) and (
            text.isascii()
            or not any(_FOLDS_TO_ASCII.match(ch) for ch in set(text) if not ch.isascii())
        )
        self._last = (text, lowered if folds else None)
        return self._last[1]


class FirstCharacters:
    """Which of several patterns can start at a character of a text (``first_characters``).

    A ``start_finder`` marks the places where some pattern matches; most patterns cannot start
    with the character there, and trying them only where they can finds the same matches with
    fewer calls of the regex engine.

    Args:
        bodies: The patterns, as ``start_finder`` was given them (case-sensitive).
    """

    def __init__(self, bodies: Sequence[str]) -> None:
        self._firsts = [first_characters(body) for body in bodies]
        # Character → the patterns that can start with it (a character of the text's alphabet
        # is classified once).
        self._starting: dict[str, tuple[int, ...]] = {}

    def starting(self, character: str) -> tuple[int, ...]:
        """The patterns (by index) that can start with ``character`` (``""``: the text's end,
        where only a pattern whose first characters are unknown can match)."""
        found = self._starting.get(character)
        if found is None:
            found = self._starting[character] = tuple(
                index
                for index, firsts in enumerate(self._firsts)
                if firsts is None
                or (character != "" and any(_may_be(first, character) for first in firsts))
            )
        return found

    def split(self, text: str, starts: Sequence[int]) -> list[list[int]]:
        """For each pattern, the ``starts`` at which it can start in ``text``, in order."""
        found: list[list[int]] = [[] for _ in self._firsts]
        starting = self.starting
        for start in starts:
            for index in starting(text[start : start + 1]):
                found[index].append(start)
        return found


def start_finder(start: str, bodies: Sequence[str]) -> re.Pattern[str]:
    """A zero-width pattern matching where ``start`` and then one of ``bodies`` match.

    Where every body must start with a character of a known set (``first_characters``), the
    look-ahead branches on that first character and holds, in each branch, the bodies that can
    start with it only: the regex engine skips a branch whose first character is not the
    text's in one step (as in ``phrase_alternation``), where one look-ahead for all would try
    every body at every place. Each branch branches again on the second character where a
    body's can be listed (``second_characters``): at a common word ("of", "and", "the") few
    bodies are then tried.
    """
    by_first: dict[str, list[str]] = {}
    for body in bodies:
        firsts = first_characters(body)
        if firsts is None:
            return re.compile(f"{start}(?={_alternatives(bodies)})")
        for first in sorted(firsts):
            by_first.setdefault(first, []).append(body)
    branches = [_first_branch(first, starting) for first, starting in sorted(by_first.items())]
    return re.compile(f"{start}(?=(?:{'|'.join(branches)}))")


_MOST_SECOND_CHARACTERS = 4
"""A body that can go on with more second characters than this is tried after its first
alone: listed under each, it would be copied that many times into the pattern, and a long
alternation (the mention lexicon's) would make the pattern many times longer to compile."""


def _first_branch(first: str, bodies: Sequence[str]) -> str:
    """The part of ``start_finder``'s look-ahead for the bodies that can start with ``first``:
    it takes that character, then the second one where it tells which bodies to try."""
    by_second: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for body in bodies:
        seconds = second_characters(body, first)
        if seconds is None or len(seconds) > _MOST_SECOND_CHARACTERS:
            anywhere.append(body)
            continue
        for second in sorted(seconds):
            by_second.setdefault(second, []).append(body)
    # Each part steps back over the characters it took (any, line breaks too) and tries its
    # bodies from there.
    parts = [
        f"{_written(second)}(?<=(?={_alternatives(starting)})(?s:..))"
        for second, starting in sorted(by_second.items())
    ]
    if anywhere:
        parts.append(f"(?<=(?={_alternatives(anywhere)})(?s:.))")
    return f"{_written(first)}(?:{'|'.join(parts)})"


def _written(character: str) -> str:
    """A character of ``first_characters`` or ``second_characters`` as a regex."""
    return character if character in (DIGIT, SPACE) else re.escape(character)


def _alternatives(bodies: Iterable[str]) -> str:
    """The bodies as one regex alternation, each in its own group."""
    return "|".join(f"(?:{body})" for body in bodies)


def _lowered_bodies(bodies: Sequence[str]) -> list[str] | None:
    """The bodies with their letters lower-cased and their groups unnamed, for lower-cased
    text; ``None`` when that cannot stand for them (see the module docstring)."""
    joined = "|".join(f"(?:{body})" for body in bodies)
    if not bodies or not joined.isascii() or _UNSAFE.search(joined):
        return None
    plain = [
        _UPPER.sub(lambda m: m.group().lower(), _NAMED_GROUP.sub("(?:", body)) for body in bodies
    ]
    try:
        re.compile(_alternatives(plain))
    except re.error:
        return None
    return plain


def first_characters(pattern: str) -> frozenset[str] | None:
    """The characters every match of ``pattern`` (case-sensitive) can start with, ``DIGIT``
    standing for any digit ``\\d`` matches and ``SPACE`` for any white space ``\\s`` matches;
    ``None`` when it may match the empty string or start with characters not listed (``.``,
    ``\\w``, a negated class, a wide range)."""
    found, empty = _first_of(list(_parser.parse(pattern)))
    return None if found is None or empty else frozenset(found)


def second_characters(pattern: str, first: str) -> frozenset[str] | None:
    """The characters (as ``first_characters`` lists them) that can follow the character
    ``first`` at the start of a match of ``pattern``; ``None`` when they cannot be listed or
    a match may be that one character alone."""
    starts = _prefixes(list(_parser.parse(pattern)), 2)
    if starts is None:
        return None
    seconds: set[str] = set()
    for start in starts:
        if not start or not _may_be(start[0], first):
            continue
        if len(start) == 1:
            return None
        seconds.add(start[1])
    return frozenset(seconds) if seconds else None


DIGIT = r"\d"
"""``first_characters``' name for the digits: ``\\d`` holds more than the ten ASCII ones."""

SPACE = r"\s"
"""``first_characters``' name for white space: ``\\s`` holds more than the ASCII spaces."""


def _may_be(listed: str, character: str) -> bool:
    """Whether one text character can be both ``listed`` and ``character`` (each a character,
    ``DIGIT`` or ``SPACE``)."""
    if listed == character:
        return True
    if listed in (DIGIT, SPACE):
        return character not in (DIGIT, SPACE) and re.fullmatch(listed, character) is not None
    return character in (DIGIT, SPACE) and re.fullmatch(character, listed) is not None


def _prefixes(items: list[tuple[Any, Any]], length: int) -> set[tuple[str, ...]] | None:
    """The first ``length`` characters of every match of a parsed sequence, as listed
    characters (see ``first_characters``), or the whole match where it is shorter; a superset
    of them where the sequence holds look-arounds. None when they cannot be listed."""
    done: set[tuple[str, ...]] = set()
    growing: set[tuple[str, ...]] = {()}
    for op, value in items:
        grown: set[tuple[str, ...]] = set()
        for prefix in growing:
            ends = _item_prefixes(op, value, length - len(prefix))
            if ends is None:
                return None
            for end in ends:
                whole = prefix + end
                (done if len(whole) == length else grown).add(whole)
        growing = grown
        if not growing:
            break
    return done | growing


def _item_prefixes(op: Any, value: Any, length: int) -> set[tuple[str, ...]] | None:
    """``_prefixes`` for one parsed item (``re._parser``'s opcode and value), ``length`` > 0."""
    if op is _constants.LITERAL:
        return {(chr(value),)}
    if op is _constants.IN:
        members = _class_members(value)
        return None if members is None else {(member,) for member in members}
    if op is _constants.SUBPATTERN:
        return _prefixes(list(value[-1]), length)
    if op is _constants.BRANCH:
        found: set[tuple[str, ...]] = set()
        for branch in value[1]:
            starts = _prefixes(list(branch), length)
            if starts is None:
                return None
            found |= starts
        return found
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT):
        return _repeat_prefixes(value, length)
    if op in (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT):
        # Zero-width: it only narrows the matches, which a superset allows.
        return {()}
    return None


def _repeat_prefixes(value: Any, length: int) -> set[tuple[str, ...]] | None:
    """``_item_prefixes`` of a repeat: its item taken ``least`` to ``most`` times."""
    least, most, repeated = value
    found: set[tuple[str, ...]] = set()
    growing: set[tuple[str, ...]] = {()}
    count = 0
    while True:
        if count >= least:
            found |= growing
        if count == most or not growing:
            return found
        grown: set[tuple[str, ...]] = set()
        for prefix in growing:
            ends = _prefixes(list(repeated), length - len(prefix))
            if ends is None:
                return None
            for end in ends:
                whole = prefix + end
                (found if len(whole) == length else grown).add(whole)
        if grown == growing and count >= least:
            # The item matched the empty string only: more of it adds nothing.
            return found
        growing = grown
        count += 1


_WIDEST_RANGE = 128
"""A character range in a pattern wider than this lists too many first characters to help."""


def _first_of(items: list[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """First characters of a parsed sequence and whether it may match the empty string."""
    found: set[str] = set()
    for op, value in items:
        firsts, empty = _first_of_item(op, value)
        if firsts is None:
            return None, False
        found |= firsts
        if not empty:
            return found, False
    return found, True


def _first_of_item(op: Any, value: Any) -> tuple[set[str] | None, bool]:
    """``_first_of`` for one parsed item (``re._parser``'s opcode and value)."""
    if op is _constants.LITERAL:
        return {chr(value)}, False
    if op is _constants.IN:
        return _class_members(value), False
    if op is _constants.SUBPATTERN:
        return _first_of(list(value[-1]))
    if op is _constants.BRANCH:
        found: set[str] = set()
        may_be_empty = False
        for branch in value[1]:
            firsts, empty = _first_of(list(branch))
            if firsts is None:
                return None, False
            found |= firsts
            may_be_empty = may_be_empty or empty
        return found, may_be_empty
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT):
        least, _, repeated = value
        firsts, empty = _first_of(list(repeated))
        return firsts, empty or least == 0
    if op in (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT):
        # Zero-width: what follows gives the first character.
        return set(), True
    return None, False


def _class_members(items: Any) -> set[str] | None:
    """The characters a parsed character class ``[...]`` holds; None if too many to list."""
    members: set[str] = set()
    for op, value in items:
        if op is _constants.LITERAL:
            members.add(chr(value))
        elif op is _constants.RANGE and value[1] - value[0] <= _WIDEST_RANGE:
            members.update(chr(code) for code in range(value[0], value[1] + 1))
        elif op is _constants.CATEGORY and value is _constants.CATEGORY_DIGIT:
            members.add(DIGIT)
        elif op is _constants.CATEGORY and value is _constants.CATEGORY_SPACE:
            members.add(SPACE)
        else:
            return None
    return members


def finditer_from(
    pattern: re.Pattern[str], text: str, pos: int, endpos: int, starts: Sequence[int]
) -> list[re.Match[str]]:
    """``pattern.finditer(text, pos, endpos)``, trying only ``starts``.

    ``finditer`` takes the leftmost match, then looks again from its end; so does this, over
    the places where a match can start.
    """
    found: list[re.Match[str]] = []
    end = pos
    for start in starts:
        if start < end:
            continue
        match = pattern.match(text, start, endpos)
        if match is None:
            continue
        if match.end() == start:
            # An empty match: finditer has its own rules for what may follow one.
            return list(pattern.finditer(text, pos, endpos))
        found.append(match)
        end = match.end()
    return found
