"""Timeline and relation scores on small hand-written MACCROBAT-style and E3C files."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.relations import evaluate_relations, gold_relations
from casebook.eval.timeline import (
    Pair,
    compare,
    e3c_pairs,
    evaluate_timeline,
    maccrobat_pairs,
    match_events,
)
from casebook.ingest.brat import read_brat
from casebook.ingest.e3c import read_e3c
from casebook.model import Case, EntityType, Mention, TimelineEvent

FIXTURES = Path(__file__).parents[2] / "fixtures" / "eval" / "timeline"
BRAT = FIXTURES / "brat"
E3C = FIXTURES / "e3c"


def test_maccrobat_groups_and_links_become_pairs() -> None:
    _, annotations = read_brat(BRAT / "lp.txt")
    pairs, dropped = maccrobat_pairs(annotations)
    assert dropped == 0
    assert set(pairs) == {
        Pair("T2", "T1", "<"),  # puncture before headache
        Pair("T1", "T4", "<"),  # headache before caffeine …
        Pair("T1", "T6", "<"),  # … and before the headache that overlaps it
        Pair("T4", "T6", "="),
        Pair("T4", "T7", "<"),  # AFTER E5 E4: recovery after the overlap group
        Pair("T6", "T7", "<"),
    }


def test_e3c_links_become_pairs_and_interval_ends_are_left_out() -> None:
    _, annotations = read_e3c(E3C / "EN1.xml")
    pairs, left_out = e3c_pairs(annotations)
    assert pairs == [Pair("e100", "e102", "<"), Pair("e101", "e100", "=")]
    assert left_out == 2  # BEGINS-ON, and the link from a time expression


def test_compare_labels_two_orders() -> None:
    assert [compare(0, 1), compare(1, 1), compare(2, 1)] == ["<", "=", ">"]


def test_events_match_the_predicted_mention_they_overlap_most() -> None:
    def mention(mention_id: str, start: int, end: int) -> Mention:
        return Mention(
            id=mention_id, start=start, end=end, text="x" * (end - start), type=EntityType.DATE
        )

    gold = [mention("g1", 0, 4), mention("g2", 5, 9)]
    predicted = [mention("p1", 2, 7), mention("p2", 5, 12)]
    assert match_events(gold, predicted) == {"g2": "p2", "g1": "p1"}


def _by_text_order(case: Case) -> Case:
    """A system under test that puts every event after the one before it."""
    ranked = sorted(case.mentions, key=lambda m: m.start)
    return case.model_copy(
        update={"timeline": [TimelineEvent(mention=m.id, order=i) for i, m in enumerate(ranked)]}
    )


def test_a_system_in_text_order_is_scored_against_the_gold_pairs() -> None:
    report = evaluate_timeline(BRAT, relate=_by_text_order)
    assert (report.dataset, report.docs, report.gold_pairs) == ("maccrobat", 1, 6)
    # Text order gets four ordered pairs, reverses "headache after lumbar puncture" and
    # misses the overlap.
    assert report.casebook.pairs == 6
    assert report.casebook.accuracy == 66.67
    assert (report.casebook.before.p, report.casebook.before.r) == (66.67, 80.0)
    assert report.casebook.equal.r == 0.0


def test_the_pipeline_orders_the_gold_events_of_both_formats() -> None:
    maccrobat = evaluate_timeline(BRAT)
    # "the headache resolved" had been there: a present event, placed with the others.
    assert maccrobat.casebook.pairs == 6 and maccrobat.unplaced_pairs == 0
    assert maccrobat.casebook.accuracy >= maccrobat.text_order.accuracy
    e3c = evaluate_timeline(E3C)
    assert (e3c.dataset, e3c.gold_pairs, e3c.unscored_links) == ("e3c", 2, 2)
    assert e3c.casebook.accuracy == 100.0


def test_a_folder_of_neither_format_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as error:
        evaluate_timeline(tmp_path)
    assert error.value.code is ErrorCode.MALFORMED_DATASET


def test_gold_relations_map_cause_and_modify_onto_casebook_types() -> None:
    _, annotations = read_brat(BRAT / "lp.txt")
    assert gold_relations(annotations) == {
        ("caused_by", "T1", "T2"),
        ("dosage_of", "T5", "T4"),
    }


def test_relations_are_scored_per_type_on_gold_mentions() -> None:
    report = evaluate_relations(BRAT)
    assert report.docs == 1
    assert report.gold == {"caused_by": 1, "result_of": 0, "site_of": 0, "dosage_of": 1}
    assert report.per_type["caused_by"].r == 100.0
    assert report.per_type["dosage_of"].f1 == 100.0
