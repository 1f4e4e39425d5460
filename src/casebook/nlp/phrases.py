"""Whole phrases: a finding mention widened over the modifiers written right before it.

MACCROBAT annotates "ALK-positive", "anaplastic" and "large cell lymphoma" as three mentions
(two Detailed_description modifiers and a disease), and the mention model marks them so; a
clinician reads one finding, "ALK-positive anaplastic large cell lymphoma". ``PhraseWidener``
runs after ``attributes`` and widens each finding mention of ``widened_types`` over the
modifiers among its attributes (``joined_attributes``: details, severity) that run up to it,
each separated from the next only by ``joiners`` ("severe headache", "bilateral subdural
effusions"). A finding of one word is also widened over the one or two words after or before
it that with it spell a phenotype's name or synonym, and one of two words over "of" and the
words after it that do ("delayed eruption of deciduous teeth") (``forward_to_names``):
MACCROBAT marks "enlarged" and "dry" apart from the "heart" and the "skin" they describe, and
"enlarged" alone shows nothing; the model may mark "Diabetes" of "Type 1 Diabetes". The
widened mention keeps its attributes and its id; the words the model marked stay in
``Mention.core``, which the MACCROBAT evaluation scores. An abbreviation, whose long form names
the finding, is left as it is. The modifier mentions stay: they carry their own type and
relations. Rules: ``resources/phrases.json`` (schema ``PhraseRules``).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field

from casebook.kb.base import normalize_tokens
from casebook.model import Case, EntityType, Mention, RecordModel, Span
from casebook.nlp.phenotypes import packaged_matcher
from casebook.resources import load_rules

FORWARD_WORDS = 2
"""Most words a one-word finding is widened over after it (``forward_to_names``)."""

_NEXT_WORD = re.compile(r" (?!(?:and|or|but|nor)\b)[A-Za-z][A-Za-z'’-]*")
"""The next word after one space, unless it joins another phrase."""

_PREVIOUS_WORD = re.compile(
    r"(?<![A-Za-z0-9'’-])(?!(?:and|or|but|nor) $)([A-Za-z0-9][A-Za-z0-9'’-]*) $", re.IGNORECASE
)
"""The word right before a position, followed by one space, unless it joins another phrase."""

_OF = re.compile(r" of(?= )")
"""The "of" that may open the words after a finding that complete a phenotype's name."""

_LONGEST_WORD = 30
"""Characters read before a position for the word there."""


class PhraseRules(RecordModel):
    """The schema of ``phrases.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    widened_types: list[EntityType] = Field(min_length=1)
    joined_attributes: list[str] = Field(
        min_length=1, description="Attribute names whose words join the phrase ('detail')."
    )
    joiners: list[str] = Field(
        min_length=1, description="Characters that may lie between two words of a phrase."
    )
    forward_to_names: bool = Field(
        default=False,
        description="Whether a one-word finding is widened over the words after it that "
        "with it spell an HPO name or synonym exactly ('enlarged heart', 'dry skin').",
    )
    organisation_heads: list[str] = Field(
        default_factory=list,
        description="Words that head the name of an organisation or a service: a finding "
        "followed by one is widened over it ('cancer board', 'heart-failure clinic', 'oncology "
        "department'), and then names no finding (``casebook.kb.nonclinical``).",
    )


class PhraseWidener:
    """Widens finding mentions to their whole phrase (see the module docstring).

    Args:
        rules: A packaged rule file name or a path to one's own rule file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    name = "phrases"
    requires: frozenset[str] = frozenset({"text", "mentions.attributes"})
    assigns: frozenset[str] = frozenset({"mentions.span"})

    def __init__(self, rules: str | Path = "phrases.json") -> None:
        self.rules = load_rules(rules, PhraseRules)
        self._types = frozenset(self.rules.widened_types)
        self._names = frozenset(self.rules.joined_attributes)
        self._joiners = frozenset("".join(self.rules.joiners))
        self._phenotype_names = packaged_matcher()[2] if self.rules.forward_to_names else None
        self._organisations = frozenset(
            word for head in self.rules.organisation_heads for word in normalize_tokens(head)
        )

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with its finding mentions widened to their whole phrases."""
        mentions = [self.widened(case.text, m) for m in case.mentions]
        if all(a is b for a, b in zip(mentions, case.mentions, strict=True)):
            return case
        return case.model_copy(update={"mentions": mentions})

    def widened(self, text: str, mention: Mention) -> Mention:
        """The mention over the modifiers that run up to it, or itself."""
        if (
            mention.type not in self._types
            or mention.expansion is not None
            or mention.fragments
            or mention.core is not None
        ):
            return mention
        modifiers = sorted(
            (a for a in mention.attributes if a.name in self._names and a.end <= mention.start),
            key=lambda a: a.start,
            reverse=True,
        )
        start = self._named_start(text, mention)
        for modifier in modifiers:
            between = text[modifier.end : start]
            if modifier.end > start or not set(between) <= self._joiners or len(between) > 2:
                break
            start = modifier.start
        end = self._organisation_end(text, self._named_end(text, mention, start))
        if start == mention.start and end == mention.end:
            return mention
        return mention.model_copy(
            update={
                "start": start,
                "end": end,
                "text": text[start:end],
                "core": Span(start=mention.start, end=mention.end),
            }
        )

    def _organisation_end(self, text: str, end: int) -> int:
        """The end of the word after ``end`` when it heads an organisation's name ("cancer
        board"), else ``end``."""
        word = _NEXT_WORD.match(text, end) if self._organisations else None
        if word is None:
            return end
        words = normalize_tokens(word.group())
        return word.end() if len(words) == 1 and words[0] in self._organisations else end

    def _in_names(self, word: str) -> bool:
        """Whether some phenotype name holds the word as the matcher reads it."""
        names = self._phenotype_names
        words = normalize_tokens(word)
        return (
            names is not None
            and bool(words)
            and all(names.knows(names.word_forms.get(w, w)) for w in words)
        )

    def _spells_name(self, words: str) -> bool:
        """Whether the words spell a phenotype's name or synonym exactly."""
        names = self._phenotype_names
        found = names.candidates(words, 1, 1.0) if names is not None else []
        return bool(found) and found[0].score >= 1.0

    def _named_start(self, text: str, mention: Mention) -> int:
        """The start of the longest run of at most ``FORWARD_WORDS`` words before a one-word
        mention that with it spells a phenotype's name exactly ("Type 1 Diabetes", where the
        model marked "Diabetes"), else the mention's start."""
        start = mention.start
        if self._phenotype_names is None or len(mention.text.split()) != 1:
            return start
        position = mention.start
        for _ in range(FORWARD_WORDS):
            word = _PREVIOUS_WORD.search(text, max(0, position - _LONGEST_WORD), position)
            if word is None:
                break
            if not self._in_names(word.group(1)) or any(
                # A site or detail is read as the mention's attribute ("knee" of "knee pain").
                a.start < word.end(1) and word.start(1) < a.end
                for a in mention.attributes
            ):
                break
            position = word.start(1)
            if self._spells_name(text[position : mention.end]):
                start = position
        return start

    def _named_end(self, text: str, mention: Mention, start: int) -> int:
        """The end of the longest run of at most ``FORWARD_WORDS`` words after a mention of
        one or two words that with it, or with it and the modifiers from ``start`` (the
        phrase's), spells a phenotype's name exactly, else the mention's end; the run may open
        with "of" ("Delayed eruption of deciduous teeth")."""
        end = mention.end
        if self._phenotype_names is None or len(mention.text.split()) > 2:
            return end
        position = mention.end
        if len(mention.text.split()) == 2:
            of = _OF.match(text, position)
            if of is None:
                return end
            position = of.end()
        elif of := _OF.match(text, position):
            position = of.end()
        for _ in range(FORWARD_WORDS):
            word = _NEXT_WORD.match(text, position)
            # A word no name holds cannot complete one, nor can an article the matcher reads
            # as no word at all ("hypercapnia the baby").
            if word is None or not self._in_names(word.group()):
                break
            position = word.end()
            if self._spells_name(text[mention.start : position]) or (
                start < mention.start and self._spells_name(text[start:position])
            ):
                end = position
        return end
