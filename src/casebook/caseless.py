"""Case-insensitive regular expressions run as case-sensitive ones over folded text.

Python's ``re`` compares each letter of an ``re.IGNORECASE`` pattern through a case mapping
and cannot skip an alternative by its first letter, which makes scanning a text for a long
alternation of words slower than scanning the lower-cased text with the lower-cased pattern.
The two agree exactly, at the same offsets, when the pattern is made only of parts that treat
a character and its folded form (:func:`fold`) alike: :func:`folded_pattern` accepts such
patterns and lower-cases them.

The parts accepted are ASCII letters and digits, a few punctuation marks (``' , - / : ; & %``
and space), ``.``, the classes ``\\w \\s \\d`` and ``\\b``, escaped punctuation, groups,
lookarounds, alternation, quantifiers, and bracket classes of those letters, digits, marks and
classes, with ranges within the lower-case letters, the upper-case letters or the digits. Not
accepted: flags, backreferences, anchors, ``\\W \\S \\D \\B``, non-ASCII characters and
escapes that name characters (``\\x41``), since lower-casing or folding could change what they
match.
"""

from __future__ import annotations

import re

_LITERAL = r"[A-Za-z0-9 ',/:;&%]"
_RANGE = r"[a-z]-[a-z]|[A-Z]-[A-Z]|[0-9]-[0-9]"
_ESCAPE = r"\\[swd.\-'/()]"
_CLASS = rf"\[\^?-?(?:{_RANGE}|{_LITERAL}|{_ESCAPE})+-?\]"
_GROUP = r"\(\?(?:<=|<!|:|=|!)|\((?!\?)|\)"
_QUANTIFIER = r"[*+?|]|\{[0-9]*(?:,[0-9]*)?\}"
_ACCEPTED = re.compile(
    rf"(?:{_CLASS}|{_GROUP}|{_QUANTIFIER}|{_LITERAL}|-|{_ESCAPE}|\\b|\.)*", re.ASCII
)
"""The patterns :func:`folded_pattern` accepts, token by token."""

ASCII_LETTER_OF: dict[str, str] = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
"""The non-ASCII characters that ``re.IGNORECASE`` matches to an ASCII letter (capital I with
dot above, dotless i, long s, the Kelvin sign), and that letter."""

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NON_ASCII_DIGIT = re.compile(r"[^\D\x00-\x7f]")
_WORD = re.compile(r"\w")
_SPACE = re.compile(r"\s")


def folded_pattern(pattern: str) -> str | None:
    """The pattern to run case-sensitively over :func:`fold`'s text in place of ``pattern``
    run with ``re.IGNORECASE`` over the text; None when there is none (see the module)."""
    return pattern.lower() if _ACCEPTED.fullmatch(pattern) else None


def _stand_in(match: re.Match[str]) -> str:
    char = match.group()
    letter = ASCII_LETTER_OF.get(char)
    if letter is not None:
        return letter
    if _WORD.match(char):
        return "_"
    return "\v" if _SPACE.match(char) else "#"


def fold(text: str) -> str | None:
    """The text with each character replaced by one ASCII character that every part of an
    accepted pattern treats alike, offsets unchanged.

    ASCII letters are lower-cased; a non-ASCII character becomes the letter
    ``re.IGNORECASE`` matches it to (``ASCII_LETTER_OF``), or else ``_`` when it is a word
    character, a vertical tab when it is white space, ``#`` otherwise: characters no accepted
    pattern names but ``\\w``, ``\\s`` and ``.`` match as they match the original.

    Returns:
        The folded text; None when it holds a non-ASCII digit, which no ASCII character
        stands for (``\\d`` matches it, ``[0-9]`` does not).
    """
    if text.isascii():
        return text.lower()
    if _NON_ASCII_DIGIT.search(text):
        return None
    return _NON_ASCII.sub(_stand_in, text).lower()
