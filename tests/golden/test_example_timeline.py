"""The example case's timeline and causes against the facts a clinician reads out of it.

The expected facts file lists, for each fact, the facts that happened ``before`` it (11 pairs)
and that the CSF leak was ``caused_by`` the biopsy. The mention model does not find every fact
yet (issue 3), so the pairs are checked three ways: over the facts it finds today, in full as a
known gap, and with the facts' own words given as the mentions (which measures the ordering
and relation rules alone).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from casebook import service
from casebook.ingest.detect import read_path
from casebook.model import Assertion, Case, EntityType, Mention
from casebook.render import timeline_view

from .conftest import same_type


@pytest.fixture(scope="module")
def fact_case(example_case_path: Path, expected: dict[str, Any]) -> Case:
    """The example with a mention at every occurrence of each fact's words, then related."""
    (document,) = read_path(example_case_path)
    lowered = document.text.lower()
    facts = expected["facts"] + [
        {"id": "bone_marrow_biopsy", "text": "bone marrow biopsy", "type": "Diagnostic_procedure"}
    ]
    mentions: list[Mention] = []
    for fact in facts:
        words = fact["text"].lower()
        start, number = lowered.find(words), 0
        while start >= 0:
            end = start + len(words)
            if not any(m.start < end and start < m.end for m in mentions):
                mentions.append(
                    Mention(
                        id=f"{fact['id']}-{number}",
                        start=start,
                        end=end,
                        text=document.text[start:end],
                        type=EntityType(fact["type"]),
                    )
                )
            start, number = lowered.find(words, start + 1), number + 1
    given = Case.from_document(document).model_copy(update={"mentions": mentions})
    return service.relate_mentions(given)


def _order(case: Case, fact: dict[str, Any]) -> int | None:
    """The timeline order of the first placed mention on an occurrence of the fact's words.

    An occurrence with no placed mention is not the fact as it happened: "a blood patch
    should be performed" is a suggestion, and the timeline leaves it out.
    """
    words = fact["text"].lower()
    lowered = case.text.lower()
    order = {e.mention: e.order for e in case.timeline}
    start = lowered.find(words)
    while start >= 0:
        end = start + len(words)
        found = [
            m
            for m in sorted(case.mentions, key=lambda m: m.start)
            if m.start < end and start < m.end and same_type(m, fact["type"]) and m.id in order
        ]
        if found:
            return order[found[0].id]
        start = lowered.find(words, start + 1)
    return None


def _pairs(case: Case, expected: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The ``before`` pairs that hold and those that do not, of facts both placed."""
    facts = {f["id"]: f for f in expected["facts"]}
    held: list[str] = []
    broken: list[str] = []
    for fact in expected["facts"]:
        for earlier in fact.get("before", []):
            first, then = _order(case, facts[earlier]), _order(case, fact)
            if first is None or then is None:
                continue
            (held if first < then else broken).append(f"{earlier} < {fact['id']}")
    return held, broken


def _leak_caused_by_biopsy(case: Case) -> bool:
    words = {m.id: m.text.lower() for m in case.mentions}
    return any(
        r.type == "caused_by" and "csf leak" in words[r.source] and "biopsy" in words[r.target]
        for r in case.relations
    )


def test_the_pairs_of_the_facts_found_today_hold(case: Case, expected: dict[str, Any]) -> None:
    held, broken = _pairs(case, expected)
    assert set(held) >= {"biopsy < discharge", "biopsy < headache", "discharge < headache"}
    # Tests continue the time point they are told in (as MACCROBAT annotates them): the CT
    # "performed at this time" and the assay share the headache's, the 3 misses allowed.
    assert set(broken) <= {"headache < ct", "headache < assay", "assay < mri"}


def test_analyze_shows_the_headache_two_days_later(case: Case) -> None:
    (time,) = [t for t in case.times if t.text == "Two days later"]
    assert time.offset_days == 2.0
    assert case.summary is not None and case.summary.patient is not None


def test_at_least_8_of_11_pairs_hold_and_the_leak_is_caused_by_the_biopsy(
    case: Case, expected: dict[str, Any]
) -> None:
    held, _ = _pairs(case, expected)
    assert len(held) >= 8, held
    assert _leak_caused_by_biopsy(case)


def test_on_the_facts_own_words_8_of_11_pairs_hold(
    fact_case: Case, expected: dict[str, Any]
) -> None:
    held, broken = _pairs(fact_case, expected)
    assert len(held) + len(broken) == 11
    assert len(held) >= 8, broken


def test_on_the_facts_own_words_the_leak_is_a_complication_of_the_biopsy(
    fact_case: Case,
) -> None:
    assert _leak_caused_by_biopsy(fact_case)
    assert fact_case.summary is not None
    leaks = [i for i in fact_case.summary.complications if i.text.lower() == "csf leak"]
    assert leaks and any(
        link.relation == "caused_by" and "biopsy" in link.text.lower() for link in leaks[0].related
    )


def _when(case: Case, words: str) -> tuple[int, float | None, float | None]:
    """(order, offset_days, min_offset_days) of the placed mention on the words' first use."""
    start = case.text.find(words)
    assert start >= 0, words
    end = start + len(words)
    placed = {e.mention: e for e in case.timeline}
    (event,) = [
        placed[m.id]
        for m in sorted(case.mentions, key=lambda m: m.start)
        if m.start < end and start < m.end and m.id in placed
    ][:1]
    return event.order, event.offset_days, event.min_offset_days


def test_the_timeline_gives_only_the_days_the_text_fixes(case: Case) -> None:
    biopsy = _when(case, "trephine biopsy")
    discharge = _when(case, "clear discharge")
    headache = _when(case, "severe headache")
    ct = _when(case, "computed tomography")
    assert biopsy[1:] == (0.0, None)
    # "The biopsy was taken … at the time the biopsy was taken": the biopsy's day.
    assert _when(case, "biopsy was taken")[1:] == (0.0, None)
    # "Following the procedure": after the biopsy, on its day or later.
    assert discharge[0] > biopsy[0] and discharge[1:] == (None, 0.0)
    assert headache[0] > discharge[0] and headache[1:] == (2.0, None)
    assert ct[0] == headache[0] and ct[1:] == (2.0, None)  # "performed at this time"
    later = ["magnetic resonance imaging", "performed a blood patch", "improvement"]
    later += ["full recovery", "chemotherapy"]
    orders = []
    for words in later:
        order, exact, bound = _when(case, words)
        assert exact is None and bound == 2.0, words  # after +2 d, never a false "+2 d"
        orders.append(order)
    assert headache[0] < orders[0] and orders == sorted(orders)


def test_a_negated_finding_is_not_on_the_timeline(case: Case) -> None:
    placed = {e.mention for e in case.timeline}
    complications = [m for m in case.mentions if m.text == "complications"]
    assert complications and not any(m.id in placed for m in complications)
    assert all(m.assertion is not Assertion.NEGATED for m in case.mentions if m.id in placed)


def test_the_drawing_says_or_later_where_the_day_is_a_lower_bound(case: Case) -> None:
    console = Console(width=200, record=True, color_system=None)
    console.print(timeline_view(case))
    lines = console.export_text().splitlines()
    recovery = next(line for line in lines if "full recovery" in line)
    headache = next(line for line in lines if "headache, computed tomography" in line)
    assert "+2 d or later" in recovery
    assert "+2 d" in headache and "or later" not in headache
