"""Word and punctuation tokens of a text, shared by the rule components that read them.

ConText (``assertion``) and the attribute linker both split a text into ``TOKEN`` matches and
compare them lower-cased; the pipeline gives them the same text one after the other, so the
tokens of the last few texts are remembered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

TOKEN = re.compile(r"\w+|[^\w\s]")
"""A token: a run of word characters, or one other non-space character."""

NEXT_WORD = re.compile(r"[ -]([A-Za-z]+)")
"""The word right after a position, past one space or hyphen (group 1): what a phrase's next
word makes of it ("short leg *cast*", "high *resolution*")."""


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of a text: their offsets and their lower-cased words, in text order."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]


@lru_cache(maxsize=4)
def tokenize(text: str) -> Tokens:
    """The ``TOKEN`` matches of ``text``."""
    found = list(TOKEN.finditer(text))
    return Tokens(
        tuple(token.start() for token in found),
        tuple(token.end() for token in found),
        tuple(token.group().lower() for token in found),
    )
