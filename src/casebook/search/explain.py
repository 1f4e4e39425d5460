"""Why a case was found: the facts it shares with the query case, and those that differ.

Both cases are read into facts as the concept searcher reads them
(``casebook.search.concepts``), so an explanation names exactly what concept search matched:

* a *matched* fact is a signed concept key both cases hold (present in both, or negated in
  both), weighted as it counts in the score, ``idf(t)^p · w_q(t) · w_d(t)``;
* a *differing* fact is a concept one case states present (not merely inherits from a more
  specific code) and the other does not state at all, or one case states with the opposite
  polarity of the other, weighted ``idf(t)^p · w(t)``; an opposite statement ("fever" against
  "no fever") ranks first. A fact stated only by words that also state a shared fact (a code of
  "mitral regurgitation" the other case lacks, though both say "mitral regurgitation") is no
  difference. A denial against silence ("no valvular damage" against a case that
  never names it) is no difference: neither patient is told to have it. Nor is a finding,
  treatment or test whose words the other case's text holds too, though no fact of it was read
  from them ("transcatheter arterial embolization" against a case whose title names it and
  whose body says "TAE"): the other case is not silent on it (a code's words may say less than
  the code, so codes are not read so). A concept a case states both ways ("eculizumab" given,
  "no relapse on eculizumab cessation") differs from nothing. Words of the other case shown
  against an opposite statement are not shown again as a fact the first case is silent on.

Each comes with the words of each case that state it, with their offsets. Facts stated by the
same words as a higher-ranked one (a code and its ancestors, a finding and its HPO code) are
shown once; HPO's root ("Phenotypic abnormality"), which every two cases with a phenotype
share, is never shown. A fact only words that are no fact about the patient state
(``Fact.shown`` False: "stonemason pencil" typed as a treatment) counts in the score but is
never shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casebook.kb.hpo import PHENOTYPIC_ABNORMALITY
from casebook.model import CodeSystem, DifferingFact, FactWords, MatchedFact
from casebook.search.concepts import Fact

_PHENOTYPE_ROOT = f"{CodeSystem.HPO.value}:{PHENOTYPIC_ABNORMALITY}"
"""The concept key of HPO's root, "Phenotypic abnormality", an ancestor of every phenotype."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a hit shares with the query case and what differs, most important first."""

    matched: list[MatchedFact]
    differs: list[DifferingFact]


_WORD = re.compile(r"\w+")
_CODE_SYSTEMS = frozenset(system.value for system in CodeSystem)


def _folded(words: str) -> str:
    """Words in lower case, one space around each, so a phrase is found only whole."""
    return f" {' '.join(_WORD.findall(words.lower()))} "


def _words(text: str, facts: Sequence[Fact]) -> list[FactWords]:
    unique = sorted({span for fact in facts for span in fact.spans})
    return [FactWords(start=s, end=e, text=text[s:e]) for s, e in unique]


def _group(facts: Sequence[Fact]) -> dict[str, list[Fact]]:
    grouped: dict[str, list[Fact]] = {}
    for fact in facts:
        grouped.setdefault(fact.signed_key, []).append(fact)
    return grouped


def _spans(facts: Sequence[Fact]) -> frozenset[tuple[int, int]]:
    return frozenset(span for fact in facts for span in fact.spans)


def _flip(signed_key: str) -> str:
    return ("+" if signed_key[0] == "-" else "-") + signed_key[1:]


class _Side:
    """One case's facts grouped by signed key, with what explanations ask of each key."""

    def __init__(self, text: str, facts: Sequence[Fact]) -> None:
        self.text = text
        self.groups = _group([fact for fact in facts if fact.shown])
        self.weight = {key: max(f.weight for f in group) for key, group in self.groups.items()}
        self.stated = {
            key for key, group in self.groups.items() if min(f.depth for f in group) == 0
        }
        self.folded = _folded(text)

    def says(self, words: str) -> bool:
        """Whether the case's text holds these words, whole, in any case."""
        phrase = _folded(words)
        return phrase.strip() != "" and phrase in self.folded


class Explainer:
    """Explains hits against one query case; the query's side is prepared once.

    Args:
        query_text: The query case's text.
        query_facts: Its facts, stated and inherited.
        key_weight: A signed key's weight in the collection (its idf^p).
        matched: How many shared facts to return at most per hit.
        differs: How many differing facts to return at most per hit.
    """

    def __init__(
        self,
        query_text: str,
        query_facts: Sequence[Fact],
        key_weight: Callable[[str], float],
        matched: int = 5,
        differs: int = 5,
    ) -> None:
        self.query = _Side(query_text, query_facts)
        self._key_weight = key_weight
        self._weights: dict[str, float] = {}
        self.matched = matched
        self.differs = differs

    def _idf(self, key: str) -> float:
        weight = self._weights.get(key)
        if weight is None:
            weight = self._weights[key] = self._key_weight(key)
        return weight

    def explain(self, hit_text: str, hit_facts: Sequence[Fact]) -> Explanation:
        """The shared and the differing facts of one hit, each most important first."""
        query, hit = self.query, _Side(hit_text, hit_facts)
        return Explanation(matched=self._matched(query, hit), differs=self._differs(query, hit))

    def _matched(self, query: _Side, hit: _Side) -> list[MatchedFact]:
        shared = sorted(
            (-self._idf(key) * query.weight[key] * hit.weight[key], key)
            for key in query.groups.keys() & hit.groups.keys()
        )
        found: list[MatchedFact] = []
        shown: list[tuple[frozenset[tuple[int, int]], frozenset[tuple[int, int]]]] = []
        for negative_weight, key in shared:
            if len(found) >= self.matched:
                break
            if key[1:] == _PHENOTYPE_ROOT:
                # Every phenotype is one: sharing the root of HPO's tree tells nothing.
                continue
            q_spans, h_spans = _spans(query.groups[key]), _spans(hit.groups[key])
            if any(q_spans <= q and h_spans <= h for q, h in shown):
                continue
            shown.append((q_spans, h_spans))
            first = min(query.groups[key], key=lambda f: f.depth)
            found.append(
                MatchedFact(
                    concept=key[1:],
                    label=first.label,
                    weight=round(-negative_weight, 4),
                    assertion="negated" if key[0] == "-" else "present",
                    query=_words(query.text, query.groups[key]),
                    hit=_words(hit.text, hit.groups[key]),
                )
            )
        return found

    def _differs(self, query: _Side, hit: _Side) -> list[DifferingFact]:
        candidates: list[tuple[int, float, str, str]] = []
        shared = query.groups.keys() & hit.groups.keys()
        for side, own, other in (("query", query, hit), ("hit", hit, query)):
            # Words that state a fact both cases share state no difference by another of
            # their facts ("mitral regurgitation" matched, its I34.0 absent from the other).
            matched = frozenset().union(*(_spans(own.groups[key]) for key in shared))
            for key in own.stated - other.groups.keys():
                if _flip(key) in own.groups:
                    # A case stating both ("eculizumab" given, "no relapse ... on eculizumab
                    # cessation") tells no difference by either.
                    continue
                opposite = 0 if _flip(key) in other.groups else 1
                if opposite and _spans(own.groups[key]) <= matched:
                    continue
                if opposite and key[0] == "-":
                    # "No valvular damage" against a case silent on it: neither patient had it.
                    continue
                if (
                    opposite
                    and key[1:].split(":", 1)[0] not in _CODE_SYSTEMS
                    and any(
                        other.says(own.text[start:end])
                        for fact in own.groups[key]
                        if fact.depth == 0
                        for start, end in fact.spans
                    )
                ):
                    # The other case's words name it too ("TAE" in a report titled
                    # "Transcatheter Arterial Embolization"): it is not silent on it. A code's
                    # words may say less than the code ("resection" of a pulmonary valve).
                    continue
                if side == "hit" and not opposite:
                    continue  # the query side already reports this pair
                candidates.append((opposite, -self._idf(key) * own.weight[key], side, key))
        candidates.sort()
        found: list[DifferingFact] = []
        seen: dict[str, list[frozenset[tuple[int, int]]]] = {"query": [], "hit": []}
        for opposite, negative_weight, side, key in candidates:
            if len(found) >= self.differs:
                break
            own, other = (query, hit) if side == "query" else (hit, query)
            spans = _spans(own.groups[key])
            if any(spans <= earlier for earlier in seen[side]):
                continue
            seen[side].append(spans)
            if not opposite:
                # The other case's words of an opposite statement tell no absence either: "mild
                # scapular winging" shown against "no winging of the scapula" is not shown again
                # as if that case never named it.
                other_side = "hit" if side == "query" else "query"
                seen[other_side].append(_spans(other.groups[_flip(key)]))
            direct = [f for f in own.groups[key] if f.depth == 0]
            found.append(
                DifferingFact(
                    concept=key[1:],
                    label=direct[0].label,
                    weight=round(-negative_weight, 4),
                    side="query" if side == "query" else "hit",
                    assertion="negated" if key[0] == "-" else "present",
                    other="absent" if opposite else ("present" if key[0] == "-" else "negated"),
                    words=_words(own.text, direct),
                    other_words=_words(other.text, other.groups.get(_flip(key), [])),
                )
            )
        return found


def explain(
    query: tuple[str, Sequence[Fact]],
    hit: tuple[str, Sequence[Fact]],
    key_weight: Callable[[str], float],
    matched: int = 5,
    differs: int = 5,
) -> Explanation:
    """Explain one hit against its query case.

    Args:
        query: The query case's text and facts (stated and inherited).
        hit: The found case's text and facts.
        key_weight: A signed key's weight in the collection (its idf^p).
        matched: How many shared facts to return at most.
        differs: How many differing facts to return at most.

    Returns:
        The shared and the differing facts, each most important first.
    """
    return Explainer(query[0], query[1], key_weight, matched, differs).explain(*hit)
