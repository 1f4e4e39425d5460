"""Why a case was found: the facts it shares with the query case, and those that differ.

Both cases are read into facts as the concept searcher reads them
(``casebook.search.concepts``), so an explanation names exactly what concept search matched:

* a *matched* fact is a signed concept key both cases hold (present in both, or negated in
  both), weighted as it counts in the score, ``idf(t)^p · w_q(t) · w_d(t)``;
* a *differing* fact is a concept one case states (not merely inherits from a more specific
  code) and the other does not state at all, or states with the opposite polarity, weighted
  ``idf(t)^p · w(t)``; an opposite statement ("fever" against "no fever") ranks first.

Each comes with the words of each case that state it, with their offsets. Facts stated by the
same words as a higher-ranked one (a code and its ancestors, a finding and its HPO code) are
shown once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casebook.model import DifferingFact, FactWords, MatchedFact
from casebook.search.concepts import Fact


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a hit shares with the query case and what differs, most important first."""

    matched: list[MatchedFact]
    differs: list[DifferingFact]


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


def explain(
    query: tuple[str, Sequence[Fact]],
    hit: tuple[str, Sequence[Fact]],
    key_weight: Callable[[str], float],
    matched: int = 5,
    differs: int = 5,
) -> Explanation:
    """Explain a hit against its query case.

    Args:
        query: The query case's text and facts (stated and inherited).
        hit: The found case's text and facts.
        key_weight: A signed key's weight in the collection (its idf^p).
        matched: How many shared facts to return at most.
        differs: How many differing facts to return at most.

    Returns:
        The shared and the differing facts, each most important first.
    """
    query_text, hit_text = query[0], hit[0]
    query_facts = _group(query[1])
    hit_facts = _group(hit[1])

    shared: list[tuple[float, str]] = []
    for key, facts in query_facts.items():
        if key in hit_facts:
            weight = (
                key_weight(key)
                * max(f.weight for f in facts)
                * max(f.weight for f in hit_facts[key])
            )
            shared.append((weight, key))
    shared.sort(key=lambda item: (-item[0], item[1]))
    matched_facts: list[MatchedFact] = []
    shown: list[tuple[frozenset[tuple[int, int]], frozenset[tuple[int, int]]]] = []
    for weight, key in shared:
        if len(matched_facts) >= matched:
            break
        q_spans, h_spans = _spans(query_facts[key]), _spans(hit_facts[key])
        if any(q_spans <= q and h_spans <= h for q, h in shown):
            continue
        shown.append((q_spans, h_spans))
        first = min(query_facts[key], key=lambda f: f.depth)
        matched_facts.append(
            MatchedFact(
                concept=key[1:],
                label=first.label,
                weight=round(weight, 4),
                assertion="negated" if key[0] == "-" else "present",
                query=_words(query_text, query_facts[key]),
                hit=_words(hit_text, hit_facts[key]),
            )
        )

    candidates: list[tuple[int, float, str, str]] = []
    for side, own, other in (("query", query_facts, hit_facts), ("hit", hit_facts, query_facts)):
        for key, facts in own.items():
            if key in other or min(f.depth for f in facts) > 0:
                continue
            opposite = 0 if _flip(key) in other else 1
            if side == "hit" and not opposite:
                continue  # the query side already reports this pair
            weight = key_weight(key) * max(f.weight for f in facts)
            candidates.append((opposite, -weight, side, key))
    candidates.sort()
    differing: list[DifferingFact] = []
    seen: dict[str, list[frozenset[tuple[int, int]]]] = {"query": [], "hit": []}
    for opposite, negative_weight, side, key in candidates:
        if len(differing) >= differs:
            break
        own, other_facts, own_text, other_text = (
            (query_facts, hit_facts, query_text, hit_text)
            if side == "query"
            else (hit_facts, query_facts, hit_text, query_text)
        )
        spans = _spans(own[key])
        if any(spans <= earlier for earlier in seen[side]):
            continue
        seen[side].append(spans)
        flipped = other_facts.get(_flip(key), [])
        direct = [f for f in own[key] if f.depth == 0]
        differing.append(
            DifferingFact(
                concept=key[1:],
                label=direct[0].label,
                weight=round(-negative_weight, 4),
                side="query" if side == "query" else "hit",
                assertion="negated" if key[0] == "-" else "present",
                other="absent" if opposite else ("present" if key[0] == "-" else "negated"),
                words=_words(own_text, direct),
                other_words=_words(other_text, flipped),
            )
        )
    return Explanation(matched=matched_facts, differs=differing)
