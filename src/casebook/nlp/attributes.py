"""Attributes linked to their mention: each modifier is tied to the event it modifies.

MACCROBAT2020 links modifiers (a site, a severity, a lab value, a dose …) to the event they
modify with ``MODIFY`` relations. ``AttributeLinker`` predicts those links with a few rules per
modifier type, read from ``attributes.json`` and fitted on the first 100 MACCROBAT documents:

* A modifier is linked only inside its own sentence, to a mention of one of its rule's
  ``targets`` types.
* Candidates are scored by their *distance*: the word tokens between the two spans, where
  ``skip_words`` ("of", "the", "was" …) and the words of other modifier mentions do not count,
  because "biopsy of the right iliac crest" and "severe left-sided headache" read as adjacent.
  A target after the modifier adds ``after_cost``, one before it ``before_cost``: that is how the
  direction the data prefers per type is expressed ("severe headache", "ceftriaxone 1 g").
* A ``boundary`` token between them (";", "which", "but" …) adds ``boundary_cost`` so a clause
  boundary is crossed only when nothing nearer is allowed; ``max_before``/``max_after`` bound
  the distance either way.
* The lowest score wins; a tie goes to the nearer target in characters, then to the earlier one.
* A rule marked ``coordinated`` also links the targets listed with the winner ("sodium,
  potassium and calcium were normal"), since one result word often reports a whole list; a
  value holding a number is one test's measurement and is never shared out.
* A value of slashed numbers ("AST/ALT were 251/415 IU/L") holds one number per test; it is
  linked only to a single test that takes it whole ("BP 120/80", "total/direct bilirubin
  9.7/7.9"), never to each test of a list, which would give one test its neighbour's value.

The winning target gets an ``Attribute`` named by the rule (``site``, ``severity``, ``result``
…) whose span is the modifier's words, with ``value``/``unit`` parsed from numbers ("2.5 mg/dL")
or normalised from words (routes, result words such as "normal"). Words giving a side ("right",
"left", "bilateral", "both") add a ``laterality`` attribute, found in a site's words or in the
mention's own words. Each link is also recorded as ``Relation(type="modifies")`` from the
modifier to the target.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casebook.model import Attribute, Case, EntityType, Mention, Relation, Span
from casebook.nlp.tokens import NEXT_WORD, TOKEN, Tokens, tokenize
from casebook.resources import load_rules

RELATION_TYPE = "modifies"
"""The ``Relation.type`` of a modifier → event link."""

_QUANTITY = re.compile(
    r"(?P<value>\d+(?:[.,]\d+)?(?:\s*[-\u2013/]\s*\d+(?:[.,]\d+)?)?)"
    r"(?:\s*(?P<unit>%|[°µμ]?[^\W\d_][^\s,;()]*))?"
)


class AttributeRule(BaseModel):
    """How one modifier type is linked and what attribute it becomes.

    Distances count word tokens between the two mentions, skip words and other modifiers'
    words excluded; ``before`` means the target precedes the modifier in the text.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    modifier: EntityType
    attribute: str = Field(min_length=1, description="Attribute name, e.g. 'site'.")
    attribute_by_target: dict[EntityType, str] = Field(
        default_factory=dict,
        description="Attribute name for particular target types ('result' on a test).",
    )
    targets: list[EntityType] = Field(min_length=1, description="Types it may modify.")
    max_before: int = Field(ge=-1, description="Largest distance to a preceding target; -1: none.")
    max_after: int = Field(ge=-1, description="Largest distance to a following target; -1: none.")
    before_cost: float = Field(default=0.0, ge=0.0)
    after_cost: float = Field(default=0.0, ge=0.0)
    coordinated: bool = Field(
        default=False,
        description="Also link targets listed with the chosen one ('A, B and C were normal').",
    )
    parse: str | None = Field(
        default=None,
        description="'quantity' parses a number and its unit (else a result word such as "
        "'normal'), 'route' normalises a route, 'text' keeps the lower-cased words.",
    )

    @model_validator(mode="after")
    def _known_parser(self) -> Self:
        if self.parse not in (None, "quantity", "route", "text"):
            raise ValueError(f"unknown parse {self.parse!r}")
        return self


class AttributeRules(BaseModel):
    """The rule file ``attributes.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    skip_words: list[str] = Field(description="Lower-case tokens not counted in distances.")
    token_costs: dict[str, float] = Field(
        default_factory=dict,
        description="Punctuation that counts in distances, and how much (punctuation is free); "
        "in quarter steps, so that sums of costs are exact.",
    )
    coordinators: list[str] = Field(
        default_factory=list, description="Lower-case tokens that may join listed targets."
    )
    boundaries: list[str] = Field(description="Lower-case tokens that end a clause.")
    boundary_cost: float = Field(ge=0.0)
    site_attribute: str = Field(default="site", description="Attributes searched for a side.")
    laterality: dict[str, str] = Field(description="Lower-case word → 'right'/'left'/…")
    laterality_blockers: list[str] = Field(
        default_factory=list,
        description="Next words that make a side word anatomy, not laterality ('ventricle').",
    )
    routes: dict[str, list[str]] = Field(description="Route → its written forms, dots dropped.")
    results: dict[str, list[str]] = Field(description="Result → its written forms.")
    numbered_nouns: list[str] = Field(
        default_factory=list,
        description="Nouns a Roman numeral follows as their number ('Bosniak category *IV*', "
        "'grade IV', 'cranial nerve IV'): an Administration word right after one is that "
        "number, no route.",
    )
    goal_cues: list[str] = Field(
        default_factory=list,
        description="Words that, shortly before a value in its sentence, make it a goal "
        "rather than a measurement ('target', 'to keep … below'): a goal is no result.",
    )
    setting_words: list[str] = Field(
        default_factory=list,
        description="Words right after a value word that make it a setting of a method, no "
        "result ('high resolution computed tomography', 'high-dose methylprednisolone').",
    )
    reference_words: list[str] = Field(
        default_factory=list,
        description="First words of a value opened by a bracket that make it the test's "
        "reference interval, no result ('(normal range, 80-200 ng/dL)').",
    )
    rules: list[AttributeRule]

    @model_validator(mode="after")
    def _one_rule_per_modifier(self) -> Self:
        seen: set[EntityType] = set()
        for rule in self.rules:
            if rule.modifier in seen:
                raise ValueError(f"modifier {rule.modifier.value} has more than one rule")
            if rule.modifier in rule.targets:
                raise ValueError(f"modifier {rule.modifier.value} cannot modify its own type")
            seen.add(rule.modifier)
        return self

    @model_validator(mode="after")
    def _costs_in_quarters(self) -> Self:
        for token, cost in self.token_costs.items():
            if (cost * 4) % 1:
                raise ValueError(f"token cost of {token!r} is {cost}, not a multiple of 0.25")
        return self


@dataclass(frozen=True, slots=True)
class _Link:
    modifier: Mention
    target: Mention


@dataclass(frozen=True, slots=True)
class _Gaps:
    """Running totals over a stretch of tokens from token ``first`` on: ``distance[i]`` is the
    distance the tokens ``first … first + i - 1`` count, ``boundaries[i]`` how many of them
    are boundaries.

    The distance between two mentions is then one subtraction, not a walk over the tokens
    between them; it is exactly their sum token by token, since costs come in quarter steps.
    """

    first: int
    distance: list[float]
    boundaries: list[int]

    def between(self, low: int, high: int) -> tuple[float, bool]:
        """The distance over tokens ``[low, high)`` and whether a boundary lies there."""
        if high <= low:
            return 0.0, False
        a, b = low - self.first, high - self.first
        return self.distance[b] - self.distance[a], self.boundaries[b] > self.boundaries[a]


class AttributeLinker:
    """Links modifier mentions to the events they modify and records them as attributes.

    Args:
        rules: A packaged rule file name or a path to one's own rule file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    name = "attributes"
    requires: frozenset[str] = frozenset({"text", "sentences", "mentions"})
    assigns: frozenset[str] = frozenset({"mentions.attributes", "relations.modifies"})

    def __init__(self, rules: str | Path = "attributes.json") -> None:
        self.rules = load_rules(rules, AttributeRules)
        self._by_modifier = {rule.modifier: rule for rule in self.rules.rules}
        self._skip = frozenset(self.rules.skip_words)
        self._coordinators = frozenset(self.rules.coordinators)
        self._boundaries = frozenset(self.rules.boundaries)
        self._blockers = frozenset(self.rules.laterality_blockers)
        self._routes = _forms(self.rules.routes, strip_dots=True)
        self._results = _forms(self.rules.results, strip_dots=False)
        self._event_types = frozenset(t for rule in self.rules.rules for t in rule.targets)
        nouns = "|".join(re.escape(noun) for noun in self.rules.numbered_nouns)
        self._numbered = re.compile(rf"\b(?:{nouns})\s*$", re.IGNORECASE) if nouns else None
        cues = "|".join(re.escape(cue) for cue in self.rules.goal_cues)
        self._goal = re.compile(rf"\b(?:{cues})\b", re.IGNORECASE) if cues else None
        self._settings = frozenset(w.lower() for w in self.rules.setting_words)
        self._references = frozenset(w.lower() for w in self.rules.reference_words)

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with attributes on its events and ``modifies`` relations added."""
        if not case.mentions:
            return case
        tokens = tokenize(case.text)
        links: list[_Link] = []
        for sentence, members in _by_sentence(case.sentences, case.mentions):
            links.extend(self._link_sentence(case.text, sentence, members, tokens))
        added: dict[str, list[Attribute]] = {}
        for link in links:
            added.setdefault(link.target.id, []).append(self._attribute(link))
        mentions: list[Mention] = []
        for mention in case.mentions:
            attributes = list(mention.attributes) + added.get(mention.id, [])
            if mention.type in self._event_types or mention.id in added:
                attributes += self._lateralities(case.text, mention, attributes)
            attributes = _unique(attributes)
            if len(attributes) != len(mention.attributes):
                mention = mention.model_copy(update={"attributes": attributes})
            mentions.append(mention)
        relations = list(case.relations)
        known = {(r.type, r.source, r.target) for r in relations}
        for link in links:
            key = (RELATION_TYPE, link.modifier.id, link.target.id)
            if key not in known:
                known.add(key)
                relations.append(
                    Relation(type=RELATION_TYPE, source=link.modifier.id, target=link.target.id)
                )
        return case.model_copy(update={"mentions": mentions, "relations": relations})

    def _link_sentence(
        self, text: str, sentence: Span, members: Sequence[Mention], tokens: Tokens
    ) -> list[_Link]:
        """The best target of each modifier among the mentions of one sentence."""
        ranges = [_token_range(tokens, mention) for mention in members]
        gaps = self._gaps(members, ranges, tokens)
        paired, asides = self._respectively(text, sentence, members, tokens)
        links: list[_Link] = [_Link(value, test) for value, test in paired]
        taken = {value.id for value, _ in paired} | {aside.id for aside in asides}
        for modifier, (modifier_first, modifier_last) in zip(members, ranges, strict=True):
            rule = self._by_modifier.get(modifier.type)
            if (
                rule is None
                or modifier.id in taken
                or self._is_goal(text, sentence, modifier)
                or self._is_number(text, sentence, modifier)
                or self._is_setting(text, modifier)
                or self._is_reference(text, modifier)
            ):
                continue
            allowed = frozenset(rule.targets)
            named_before = _measures_what_precedes(text, sentence, modifier)
            best: tuple[float, int, int] | None = None
            chosen: Mention | None = None
            for target, (target_first, target_last) in zip(members, ranges, strict=True):
                if target is modifier or target.type not in allowed:
                    continue
                if target.start < modifier.end and modifier.start < target.end:
                    continue
                before = target.end <= modifier.start
                if named_before and not before and _BREAK.search(text, modifier.end, target.start):
                    continue
                low, high = (
                    (target_last, modifier_first) if before else (modifier_last, target_first)
                )
                cost = self._cost(rule, before, *gaps.between(low, high))
                if cost is None:
                    continue
                gap = max(target.start - modifier.end, modifier.start - target.end)
                key = (cost, gap, target.start)
                if best is None or key < best:
                    best, chosen = key, target
            if chosen is None:
                continue
            targets = [chosen]
            if rule.coordinated:
                targets += self._listed(chosen, members, allowed, tokens)
            if not _reads_apart(modifier, targets, text):
                continue
            # A number is one test's measurement ("ALP (340 U/L), GGT (368 U/L), and ALT
            # (97 IU/L)"); only a result word reports a whole list ("… were normal").
            if any(character.isdigit() for character in modifier.text):
                targets = [chosen]
            links += [_Link(modifier, t) for t in targets]
        return links

    def _respectively(
        self, text: str, sentence: Span, members: Sequence[Mention], tokens: Tokens
    ) -> tuple[list[tuple[Mention, Mention]], list[Mention]]:
        """(value, test) pairs of a sentence that gives its values "respectively": a listed
        run of tests followed by a listed run of as many numbers pairs them in order ("TSH and
        TPO-Ab were 1.58 mIU/L and 852.0 IU/mL, respectively"; "A and B were 1 and 2; C and D
        were 3 and 4, respectively"); and the values in brackets right after a paired one, its
        reference interval ("1.58 mIU/L (0.380–4.340 mIU/L)"), which are no result. Words in
        brackets take no part in the runs: a test's abbreviation ("(TSH)") or such an
        interval."""
        said = [m.start() for m in _RESPECTIVELY.finditer(text, sentence.start, sentence.end)]
        if not said:
            return [], []
        runs: list[tuple[bool, list[Mention]]] = []
        bracketed: dict[str, Mention] = {}  # a bracketed value → the value right before it
        last_value: Mention | None = None
        for mention in sorted(members, key=lambda m: m.start):
            if mention.start >= said[-1]:
                continue
            if _in_brackets(text, sentence.start, mention.start):
                if last_value is not None and mention.type is EntityType.LAB_VALUE:
                    bracketed[mention.id] = last_value
                continue
            last_value = None
            if mention.type is EntityType.DIAGNOSTIC_PROCEDURE:
                is_value = False
            elif mention.type is EntityType.LAB_VALUE and any(c.isdigit() for c in mention.text):
                is_value = True
                last_value = mention
            else:
                continue
            if runs and runs[-1][0] is is_value and self._joins(tokens, runs[-1][1][-1], mention):
                runs[-1][1].append(mention)
            else:
                runs.append((is_value, [mention]))
        pairs: list[tuple[Mention, Mention]] = []
        for (tests_here, tests), (values_here, values) in zip(runs, runs[1:], strict=False):
            if not tests_here and values_here and len(tests) == len(values) >= 2:
                pairs += list(zip(values, tests, strict=True))
        paired = {value.id for value, _ in pairs}
        asides = [
            aside
            for aside in members
            if (before := bracketed.get(aside.id)) is not None and before.id in paired
        ]
        return pairs, asides

    def _is_number(self, text: str, sentence: Span, modifier: Mention) -> bool:
        """Whether an Administration word is the number of the noun right before it
        ("category IV"), not a route."""
        if self._numbered is None or modifier.type is not EntityType.ADMINISTRATION:
            return False
        start = max(sentence.start, modifier.start - NUMBERED_REACH)
        return self._numbered.search(text, start, modifier.start) is not None

    def _is_goal(self, text: str, sentence: Span, modifier: Mention) -> bool:
        """Whether a value is a goal: a goal cue lies before it in its sentence, within
        ``GOAL_REACH`` characters ("to keep the blood pressure below 140 mmHg")."""
        if self._goal is None or modifier.type is not EntityType.LAB_VALUE:
            return False
        start = max(sentence.start, modifier.start - GOAL_REACH)
        return self._goal.search(text, start, modifier.start) is not None

    def _is_setting(self, text: str, modifier: Mention) -> bool:
        """Whether a value word is a setting of the method named after it: the next word is
        a ``setting_words`` one ("high resolution", "low-dose")."""
        if modifier.type is not EntityType.LAB_VALUE:
            return False
        after = NEXT_WORD.match(text, modifier.end)
        return after is not None and after.group(1).lower() in self._settings

    def _is_reference(self, text: str, modifier: Mention) -> bool:
        """Whether a value is a test's reference interval told in brackets after its result
        ("176.2 ng/dL of T3 (normal range, 80-200 ng/dL)", "6.9 (reference: 3.5–11 103/μL)"):
        the bracket's first word, in the value or just before it, is a ``reference_words``
        one."""
        if modifier.type is not EntityType.LAB_VALUE:
            return False
        lead = _BRACKET_LEAD.search(text, max(0, modifier.start - _REFERENCE_LEAD), modifier.start)
        start = lead.end() if lead is not None else modifier.start
        if lead is None and not text[max(0, start - 3) : start].rstrip().endswith(("(", "[")):
            return False
        first = _FIRST_WORD.match(text, start)
        return first is not None and first.group().lower() in self._references

    def _gaps(
        self, members: Sequence[Mention], ranges: Sequence[tuple[int, int]], tokens: Tokens
    ) -> _Gaps:
        """What each token between the first and the last of a sentence's mentions counts."""
        # Words inside any modifier do not count in distances ("severe left-sided headache"):
        # neither far nor a boundary ("i.v.", "right and left").
        covered: set[int] = set()
        for mention, (first, last) in zip(members, ranges, strict=True):
            if mention.type in self._by_modifier:
                covered.update(range(first, last))
        low = min(first for first, _ in ranges)
        high = max(last for _, last in ranges)
        distance = [0.0]
        boundaries = [0]
        for index in range(low, high):
            step = 0.0
            crossed = False
            if index not in covered:
                word = tokens.words[index]
                crossed = word in self._boundaries
                if word not in self._skip:
                    alphanumeric = word[0].isalnum() or word[0] == "_"
                    step = 1.0 if alphanumeric else self.rules.token_costs.get(word, 0.0)
            distance.append(distance[-1] + step)
            boundaries.append(boundaries[-1] + crossed)
        return _Gaps(low, distance, boundaries)

    def _listed(
        self,
        chosen: Mention,
        members: Sequence[Mention],
        allowed: frozenset[EntityType],
        tokens: Tokens,
    ) -> list[Mention]:
        """Targets listed with ``chosen``: joined to it only by commas, "and", "or" and the like.

        A parenthesis between two listed targets is passed over, because lists often define
        abbreviations on the way ("EMA (epithelial membrane antigen), CK7 and vimentin").
        """
        ordered = sorted(
            (m for m in members if m.type in allowed or m is chosen), key=lambda m: m.start
        )
        place = ordered.index(chosen)
        found: list[Mention] = []
        for step in (-1, 1):
            current = chosen
            index = place + step
            while 0 <= index < len(ordered):
                candidate = ordered[index]
                first, last = (candidate, current) if step < 0 else (current, candidate)
                if first.end > last.start or not self._joins(tokens, first, last):
                    break
                found.append(candidate)
                current = candidate
                index += step
        return found

    def _joins(self, tokens: Tokens, first: Span, last: Span) -> bool:
        """Whether only coordinating tokens (and bracketed words) lie between two spans."""
        low = _token_range(tokens, first)[1]
        high = _token_range(tokens, last)[0]
        depth = 0
        joined = False
        for word in tokens.words[low:high]:
            if word in "([":
                depth += 1
            elif word in ")]":
                depth = max(0, depth - 1)
            elif depth == 0:
                if word not in self._coordinators:
                    return False
                joined = True
        return joined

    def _cost(
        self, rule: AttributeRule, before: bool, distance: float, crossed: bool
    ) -> float | None:
        """The rule's score for a target ``before`` the modifier or after it, at ``distance``
        and across a boundary or not; ``None`` when out of reach."""
        limit = rule.max_before if before else rule.max_after
        if distance > limit:
            return None
        cost = distance + (rule.before_cost if before else rule.after_cost)
        return cost + self.rules.boundary_cost if crossed else cost

    def _attribute(self, link: _Link) -> Attribute:
        modifier, target = link.modifier, link.target
        rule = self._by_modifier[modifier.type]
        name = rule.attribute_by_target.get(target.type, rule.attribute)
        value: str | None = None
        unit: str | None = None
        if rule.parse == "quantity":
            value, unit = _quantity(modifier.text)
            if value is None:
                value = _lookup(self._results, modifier.text, strip_dots=False)
        elif rule.parse == "route":
            value = _lookup(self._routes, modifier.text, strip_dots=True)
        elif rule.parse == "text":
            value = " ".join(modifier.text.lower().split())
        return Attribute(
            name=name,
            text=modifier.text,
            start=modifier.start,
            end=modifier.end,
            value=value,
            unit=unit,
        )

    def _lateralities(
        self, text: str, mention: Mention, attributes: Sequence[Attribute]
    ) -> list[Attribute]:
        """Side words in the mention's own words and in its site attributes."""
        spans: list[Span] = [mention]
        spans += [a for a in attributes if a.name == self.rules.site_attribute]
        found: list[Attribute] = []
        for span in spans:
            words = list(TOKEN.finditer(text, span.start, span.end))
            for index, word in enumerate(words):
                side = self.rules.laterality.get(word.group().lower())
                if side is None:
                    continue
                following = words[index + 1].group().lower() if index + 1 < len(words) else ""
                if following in self._blockers:
                    continue
                found.append(
                    Attribute(
                        name="laterality",
                        text=word.group(),
                        start=word.start(),
                        end=word.end(),
                        value=side,
                    )
                )
        return found


_FIRST_WORD = re.compile(r"[A-Za-z]+")

_BRACKET_LEAD = re.compile(r"[(\[]\s*(?=[A-Za-z][A-Za-z ]{0,20}[:=,]?\s*\Z)")
"""A bracket opened by words just before a value ("(reference: " of "(reference: 3.5–11")."""

_REFERENCE_LEAD = 24
"""Characters before a value searched for the bracket that opens its reference words."""
_MEASURE_OF = re.compile(r"(?:\bof|:|=)\s*$")
"""What ends the words right before a number that those words name: "Temperature of",
"Hb:", "pH =" """


_BREAK = re.compile(r"[,;(]")
"""A break between a number and a later mention: the number's phrase has ended."""


def _measures_what_precedes(text: str, sentence: Span, modifier: Mention) -> bool:
    """Whether a number is told as the measure of the words just before it ("Temperature of
    102.4 F, blood pressure of 170/68 mm Hg"): it is theirs, never a mention after a break,
    even when those words are no mention themselves; one right after it may still be what it
    measures ("1.5 mL of 1% lidocaine")."""
    if not any(character.isdigit() for character in modifier.text):
        return False
    before = text[max(sentence.start, modifier.start - 8) : modifier.start]
    return _MEASURE_OF.search(before) is not None


_RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)


def _in_brackets(text: str, start: int, position: int) -> bool:
    """Whether ``position`` lies inside brackets opened after ``start``."""
    before = text[start:position]
    return before.count("(") + before.count("[") > before.count(")") + before.count("]")


GOAL_REACH = 40
"""How far before a value, in characters, a goal cue counts: a few words, the test's name."""

NUMBERED_REACH = 20
"""How far before an Administration word, in characters, the noun it numbers may start."""

_SLASHED_NUMBERS = re.compile(r"\d+(?:[.,]\d+)?(?:\s*/\s*\d+(?:[.,]\d+)?)+")
"""Numbers joined by slashes ("251/415", "9.7/7.9"): one value of each test of a slashed list."""


def _reads_apart(modifier: Mention, targets: Sequence[Mention], text: str) -> bool:
    """Whether a modifier can be linked to ``targets`` without giving one its neighbour's value.

    A value of slashed numbers ("251/415 IU/L") holds one number per test of a slashed list
    ("AST/ALT … were 251/415"); one mention cannot give each test its own, so it is linked only
    to a single test that takes it whole: one whose own name is slashed as often ("total
    bilirubin/direct bilirubin … 9.7/7.9") or one that stands alone ("BP 120/80 mmHg").
    """
    slashed = _SLASHED_NUMBERS.search(modifier.text)
    if slashed is None:
        return True
    if len(targets) != 1:
        return False
    (target,) = targets
    numbers = slashed.group().count("/") + 1
    parts = target.text.count("/") + 1
    joined = (
        text[target.end : target.end + 1] == "/" or text[target.start - 1 : target.start] == "/"
    )
    return parts == numbers or (parts == 1 and not joined)


def _token_range(tokens: Tokens, span: Span) -> tuple[int, int]:
    """Indexes ``[first, last)`` of the tokens that overlap ``span``."""
    first = bisect_left(tokens.ends, span.start + 1)
    last = bisect_left(tokens.starts, span.end)
    return first, max(first, last)


def _by_sentence(
    sentences: Sequence[Span], mentions: Sequence[Mention]
) -> list[tuple[Span, list[Mention]]]:
    """Each sentence that mentions start in, with those mentions; mentions outside every
    sentence dropped."""
    ordered = sorted(sentences, key=lambda s: s.start)
    starts = [s.start for s in ordered]
    groups: dict[int, list[Mention]] = {}
    for mention in mentions:
        index = bisect_left(starts, mention.start + 1) - 1
        if index >= 0 and mention.start < ordered[index].end:
            groups.setdefault(index, []).append(mention)
    return [(ordered[k], groups[k]) for k in sorted(groups)]


def _forms(table: dict[str, list[str]], *, strip_dots: bool) -> dict[tuple[str, ...], str]:
    """Written form, as a token tuple, → normalised value."""
    forms: dict[tuple[str, ...], str] = {}
    for value, written in table.items():
        for form in [value, *written]:
            lowered = form.lower().replace(".", "") if strip_dots else form.lower()
            forms[tuple(TOKEN.findall(lowered))] = value
    return forms


def _lookup(forms: dict[tuple[str, ...], str], text: str, *, strip_dots: bool) -> str | None:
    """The value of the longest written form found in ``text``, first from the left."""
    lowered = text.lower().replace(".", "") if strip_dots else text.lower()
    words = TOKEN.findall(lowered)
    longest = max((len(form) for form in forms), default=0)
    for start in range(len(words)):
        for size in range(min(longest, len(words) - start), 0, -1):
            value = forms.get(tuple(words[start : start + size]))
            if value is not None:
                return value
    return None


def _quantity(text: str) -> tuple[str | None, str | None]:
    """The first number in ``text`` and the unit written right after it ("2.5 mg/dL")."""
    match = _QUANTITY.search(text)
    if match is None:
        return None, None
    value = re.sub(r"\s+", "", match.group("value"))
    unit = match.group("unit")
    # A sentence's final period is not part of a unit ("2.5 mg/dL.").
    return value, unit.rstrip(".") if unit else None


def _unique(attributes: Sequence[Attribute]) -> list[Attribute]:
    """Attributes with repeats (same name and words) dropped, so running twice adds nothing."""
    seen: set[tuple[str, int, int]] = set()
    kept: list[Attribute] = []
    for attribute in attributes:
        key = (attribute.name, attribute.start, attribute.end)
        if key not in seen:
            seen.add(key)
            kept.append(attribute)
    return kept
