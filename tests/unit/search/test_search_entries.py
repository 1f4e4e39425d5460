"""Index entries: computed once per case, kept in the store, and indexed without the cases."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from casebook.model import Assertion, Case, CodeSystem, Outcome, Sex
from casebook.search.hybrid import (
    CaseIndex,
    CaseIndexer,
    IndexEntry,
    SearchFilters,
    settings_digest,
)
from casebook.search.precedent import build_index
from casebook.store import DuckDBCaseStore
from casebook.store.base import CaseRecord

CaseBuilder = Callable[..., Case]


def _cases(make_case: CaseBuilder) -> list[Case]:
    return [
        make_case(
            "leak",
            "A woman had a headache after a lumbar puncture. An epidural blood patch was done. "
            "The headache resolved.",
            [
                ("headache", "Sign_symptom", Assertion.PRESENT, [(CodeSystem.HPO, "HP:0002315")]),
                ("lumbar puncture", "Diagnostic_procedure"),
                ("epidural blood patch", "Therapeutic_procedure"),
            ],
            codes=[(CodeSystem.ICD10CM, "G97.1", 0.8, "headache")],
            age=34,
            sex=Sex.FEMALE,
            title="Post-dural puncture headache",
        ),
        make_case(
            "migraine",
            "A woman had a throbbing headache with nausea. Sumatriptan was given. She improved.",
            [
                ("headache", "Sign_symptom"),
                ("nausea", "Sign_symptom"),
                ("Sumatriptan", "Medication"),
            ],
            codes=[(CodeSystem.ICD10CM, "G43.909", 0.8, "headache")],
            age=41,
            sex=Sex.FEMALE,
        ),
        make_case(
            "pneumonia",
            "A boy had fever and cough but no headache. Amoxicillin was given. He died.",
            [
                ("fever", "Sign_symptom"),
                ("cough", "Sign_symptom"),
                ("headache", "Sign_symptom", Assertion.NEGATED),
                ("Amoxicillin", "Medication"),
            ],
            age=6,
            sex=Sex.MALE,
        ),
        make_case("bare", "A man with nothing of note.", sex=Sex.MALE),
    ]


def test_an_entry_survives_its_json(make_case: CaseBuilder) -> None:
    indexer = CaseIndexer()
    for case in _cases(make_case):
        entry = indexer.entry(case)
        assert IndexEntry.from_json(case.id, entry.to_json(), {}) == entry
    leak = indexer.entry(_cases(make_case)[0])
    assert leak.vector["+icd10cm:G97.1"] > 0 and "+icd10cm:G97" in leak.vector
    assert leak.tokens[:3] == ["post", "dural", "punctur"]


def test_the_index_of_stored_entries_is_the_index_of_the_cases(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    cases = _cases(make_case)
    indexer = CaseIndexer()
    with DuckDBCaseStore(tmp_path / "cases.duckdb") as store:
        # Two cases with their entries, one without (added by a plain add), and one whose
        # entry was built by other settings: those two are read and indexed now.
        store.add_records(
            [CaseRecord.of(c, "h", indexer.key, indexer.entry(c).to_json()) for c in cases[:2]]
        )
        store.add(cases[2], "h")
        store.add_records([CaseRecord.of(cases[3], "h", "0:other", '{"stale": true}')])
        from_entries = build_index(store)
        # casebook add holds the entries of the cases it stored: those are not read back.
        held = {c.id: indexer.entry(c) for c in (cases[0], cases[2])}
        from_held = build_index(store, fresh=held)
    from_cases = CaseIndex.build(sorted(cases, key=lambda c: c.id))

    query = make_case(
        "q", "Headache after a lumbar puncture, no fever.", [("Headache", "Sign_symptom")]
    )
    for index in (from_entries, from_held):
        assert index.ids == from_cases.ids == ("bare", "leak", "migraine", "pneumonia")
        assert index.facets == from_cases.facets
        for case_id in from_cases.ids:
            assert index.stored(case_id) == from_cases.stored(case_id)
        for filters in (None, SearchFilters(sex=Sex.FEMALE), SearchFilters(codes=("G97",))):
            expected = from_cases.search(from_cases.query(query), 4, filters)
            assert index.search(index.query(query), 4, filters) == expected
            assert expected  # the query finds something, so the comparison means something
        stored = from_cases.stored_query("pneumonia")
        assert index.search(stored, 4, exclude=["pneumonia"]) == from_cases.search(
            stored, 4, exclude=["pneumonia"]
        )


def test_an_entry_of_the_earlier_layout_is_rebuilt_from_its_case(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    """Entries that counted imaging as treatments, under several names, are not reused."""
    leak = _cases(make_case)[0]
    indexer = CaseIndexer()
    old = indexer.entry(leak)
    record = json.loads(old.record)
    record["treatments"] = [
        ["ct", "CT", 0, 2, "unknown"],
        ["epidural blood patch", "epidural blood patch", 3, 23, "resolved"],
    ]
    stale = IndexEntry(old.id, old.tokens, old.vector, json.dumps(record), old.facets)
    earlier_key = f"1:{settings_digest(indexer.settings)}"
    assert earlier_key != indexer.key
    with DuckDBCaseStore(tmp_path / "cases.duckdb") as store:
        store.add_records([CaseRecord.of(leak, "h", earlier_key, stale.to_json())])
        index = build_index(store)
    assert [(t.key, t.outcome) for t in index.stored("leak").treatments] == [
        ("blood patch", Outcome.RESOLVED)
    ]


def test_a_store_of_many_entries_in_no_id_order_builds_the_index_of_its_cases(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    """The store gives its entries as they lie, a batch at a time; the index sorts them."""
    indexer = CaseIndexer()
    seeds = _cases(make_case)
    # More entries than one batch of the store's read, stored in no id order.
    numbers = list(range(700))
    random.Random(7).shuffle(numbers)
    cases = [
        seeds[number % len(seeds)].model_copy(update={"id": f"c{number:04d}"}) for number in numbers
    ]
    entries = {c.id: indexer.entry(c) for c in cases}
    with DuckDBCaseStore(tmp_path / "cases.duckdb") as store:
        store.add_records(
            [CaseRecord.of(c, "h", indexer.key, entries[c.id].to_json()) for c in cases[:600]]
        )
        for case in cases[600:]:
            store.add(case, "h")  # no entry: indexed from the case
        assert len(list(store.index_entries(indexer.key, batch=64))) == len(cases)
        built = build_index(store)
        held = build_index(store, fresh={c.id: entries[c.id] for c in cases[::3]})
    expected = CaseIndex.build(sorted(cases, key=lambda c: c.id))
    built.save(tmp_path / "index", "fingerprint")
    saved = CaseIndex.load(tmp_path / "index", "fingerprint", built.settings)
    assert saved is not None
    query = make_case(
        "q", "Headache after a lumbar puncture, no fever.", [("Headache", "Sign_symptom")]
    )
    for index in (built, held, saved):
        assert index.ids == expected.ids == tuple(sorted(c.id for c in cases))
        assert index.facets == expected.facets
        for case_id in ("c0000", "c0001", "c0350", "c0699"):
            assert index.stored(case_id) == expected.stored(case_id)
        for filters in (None, SearchFilters(sex=Sex.MALE)):
            hits = index.search(index.query(query), 20, filters)
            assert hits == expected.search(expected.query(query), 20, filters)
            assert len(hits) == 20


def test_add_keeps_at_most_its_bound_of_entries_and_the_index_reads_the_rest(
    make_case: CaseBuilder, tmp_path: Path
) -> None:
    from casebook.service.records import AddResult, BatchWriter

    cases = _cases(make_case)
    indexer = CaseIndexer()
    path = tmp_path / "cases.duckdb"
    with DuckDBCaseStore(path):
        pass
    writer = BatchWriter(path, AddResult(), None, indexer.key, kept_at_most=2)
    for case in cases:
        writer.put(CaseRecord.of(case, "h", indexer.key, indexer.entry(case).to_json()))
    writer.flush()
    assert list(writer.entries) == [c.id for c in cases[:2]]  # memory bounded, whatever added
    with DuckDBCaseStore(path) as store:
        index = build_index(store, fresh=writer.current_entries(store))
    from_cases = CaseIndex.build(sorted(cases, key=lambda c: c.id))
    query = make_case("q", "A boy had a cough and fever.", [("cough", "Sign_symptom")])
    assert index.ids == from_cases.ids
    assert index.search(index.query(query), 4) == from_cases.search(from_cases.query(query), 4)
