"""What a case only looked like: the findings a look-alike verb names ("may mimic pancreatic
carcinoma", "a metastasis mimicking a residual cyst"), in the text or in the title kept apart
from it. The summary lists none of them as diagnoses, and the timeline places none as events."""

from __future__ import annotations

import re
from collections.abc import Collection

from casebook.model import Case, EntityType, Mention

LOOKALIKE = re.compile(
    r"\b(?:mimick?(?:s|ed|ing)?|simulat(?:e|es|ed|ing)|masquerad(?:e|es|ed|ing)\s+as"
    r"|resembl(?:e|es|ed|ing)|mistaken\s+for|imitat(?:e|es|ed|ing))\s+(?:(?:an?|the)\s+)?",
    re.IGNORECASE,
)
"""A verb saying what a finding looked like ("may mimic pancreatic carcinoma", "mimicking a
residual cyst"): what follows is what the case was not."""

_TITLE_PHRASE_END = re.compile(r"[:;,.()\[\]]")


def mention_words(mention: Mention) -> str:
    """The mention's words, lower-case, single-spaced."""
    return " ".join(mention.text.lower().split())


def lookalike_words(case: Case, types: Collection[EntityType]) -> set[str]:
    """The words of the findings (mentions of ``types``) the case only looked like: a
    look-alike verb ends right before them or opens their words in the text ("may mimic
    pancreatic carcinoma"), or the title names them after one ("Hemangioma mimicking acute
    appendicitis: a case report", the title kept apart from the text); and those whose own
    words hold one, naming the case and its look-alike at once."""
    edges = {e for found in LOOKALIKE.finditer(case.text) for e in (found.start(), found.end())}
    found = {mention_words(m) for m in case.mentions if m.type in types and m.start in edges}
    # A mention running across the verb ("perforated diverticulum mimicking acute
    # appendicitis", a title read whole) names the case and its look-alike as one: neither.
    found |= {
        mention_words(m)
        for m in case.mentions
        if m.type in types and LOOKALIKE.search(case.text, m.start, m.end) is not None
    }
    title = case.title or ""
    titled = [
        " ".join(_TITLE_PHRASE_END.split(title[match.end() :], maxsplit=1)[0].lower().split())
        for match in LOOKALIKE.finditer(title)
    ]
    for mention in case.mentions:
        words = mention_words(mention)
        if mention.type in types and any(
            phrase == words or phrase.startswith(words + " ") for phrase in titled
        ):
            found.add(words)
    return found
