"""The case index: fused text and concept search, filters, and a saved index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from casebook.model import Assertion, Case, CodeSystem, Outcome, Sex
from casebook.search.base import Hit
from casebook.search.filters import SearchFilters
from casebook.search.hybrid import CaseIndex, code_key
from casebook.search.settings import load_search_settings

CaseBuilder = Callable[..., Case]


@pytest.fixture
def cases(make_case: CaseBuilder) -> list[Case]:
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
            "A boy had fever and cough. Amoxicillin was given. He died.",
            [("fever", "Sign_symptom"), ("cough", "Sign_symptom"), ("Amoxicillin", "Medication")],
            age=6,
            sex=Sex.MALE,
        ),
        make_case("bare", "A man with nothing of note.", age=None, sex=Sex.MALE),
    ]


@pytest.fixture
def index(cases: list[Case]) -> CaseIndex:
    return CaseIndex.build(cases)


def test_the_case_sharing_rare_facts_comes_first(index: CaseIndex, make_case: CaseBuilder) -> None:
    query = make_case(
        "q",
        "After a spinal tap she had a severe headache; an epidural blood patch helped.",
        [("headache", "Sign_symptom"), ("epidural blood patch", "Therapeutic_procedure")],
    )
    hits = index.search(index.query(query), 3)
    assert [h.id for h in hits][:2] == ["leak", "migraine"]
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert hits[0].score > hits[1].score
    assert "leak" not in [h.id for h in index.search(index.query(query), 3, exclude=["leak"])]


def test_filters(index: CaseIndex, make_case: CaseBuilder) -> None:
    query = make_case("q", "A headache with fever and cough.", [("headache", "Sign_symptom")])

    def found(**filters: object) -> set[str]:
        mask = index.allowed(SearchFilters(**filters))  # type: ignore[arg-type]
        assert mask is not None
        return {case_id for case_id, ok in zip(index.ids, mask, strict=True) if ok}

    assert index.allowed(SearchFilters()) is None
    assert found(age_min=30) == {"leak", "migraine"}  # no age: fails an age filter
    assert found(age_max=10) == {"pneumonia"}
    assert found(sex=Sex.MALE) == {"pneumonia", "bare"}
    # A code brings its descendants: G43 holds G43.909; the HPO parent of Headache holds it.
    assert found(codes=("G43",)) == {"migraine"}
    assert found(codes=("G97.1",)) == {"leak"}
    assert found(codes=("HP:0012638",)) == {"leak"}
    assert found(codes=("hpo:HP:0002315", "G97")) == {"leak"}
    assert found(procedure="Blood patch") == {"leak"}
    assert found(procedure="patch blood") == set()
    assert found(outcome=Outcome.DIED) == {"pneumonia"}
    assert found(outcome=Outcome.RESOLVED, sex=Sex.FEMALE) == {"leak"}
    # Filters apply before ranking, so a filtered search still returns what passes.
    hits = index.search(index.query(query), 5, SearchFilters(sex=Sex.MALE))
    assert {h.id for h in hits} <= {"pneumonia", "bare"} and hits


def test_code_key() -> None:
    assert code_key("g96.0") == ("icd10cm", "G96.0")
    assert code_key("HP:0002315") == ("hpo", "HP:0002315")
    assert code_key("icd10pcs:3E0R3GC") == ("icd10pcs", "3E0R3GC")


def test_fusion_weights_decide_the_searchers(cases: list[Case], make_case: CaseBuilder) -> None:
    settings = load_search_settings()
    query = make_case("q", "A boy with a cough.", [("cough", "Sign_symptom")])
    text_only = settings.model_copy(
        update={"fusion": settings.fusion.model_copy(update={"weights": {"text": 1.0}})}
    )
    concepts_only = settings.model_copy(
        update={"fusion": settings.fusion.model_copy(update={"weights": {"concepts": 1.0}})}
    )
    by_text = _search(CaseIndex.build(cases, text_only), query)
    by_concepts = _search(CaseIndex.build(cases, concepts_only), query)
    assert [h.id for h in by_text] == ["pneumonia"]  # only its text has "cough" and "boy"
    assert [h.id for h in by_concepts] == ["pneumonia"]


def test_save_and_load(index: CaseIndex, tmp_path: Path, make_case: CaseBuilder) -> None:
    query = make_case("q", "A headache after a lumbar puncture.", [("headache", "Sign_symptom")])
    index.save(tmp_path / "idx", "fp-1")
    settings = index.settings
    loaded = CaseIndex.load(tmp_path / "idx", "fp-1", settings)
    assert loaded is not None
    assert loaded.search(loaded.query(query), 4) == index.search(index.query(query), 4)
    assert loaded.facets == index.facets
    # Another store state, other settings, or no index at all: nothing to reuse.
    assert CaseIndex.load(tmp_path / "idx", "fp-2", settings) is None
    other = settings.model_copy(update={"version": "other"})
    assert CaseIndex.load(tmp_path / "idx", "fp-1", other) is None
    assert CaseIndex.load(tmp_path / "none", "fp-1", settings) is None


def _search(index: CaseIndex, query: Case) -> list[Hit]:
    return index.search(index.query(query), 5)


def test_stored_cases_come_back_from_a_saved_index(index: CaseIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "idx", "fp")
    loaded = CaseIndex.load(tmp_path / "idx", "fp", index.settings)
    assert loaded is not None
    for case_id in index.ids:
        kept, read = index.stored(case_id), loaded.stored(case_id)
        assert read == kept
    leak = loaded.stored("leak")
    assert [(t.key, t.text, t.outcome) for t in leak.treatments] == [
        ("blood patch", "epidural blood patch", Outcome.RESOLVED)
    ]
    assert leak.text.startswith("A woman had a headache")
    query = loaded.stored_query("leak")
    assert [h.id for h in loaded.search(query, 3, exclude=["leak"])][0] == "migraine"
    with pytest.raises(KeyError):
        loaded.stored("nope")


def test_an_empty_index_finds_nothing(make_case: CaseBuilder) -> None:
    index = CaseIndex.build([])
    query = make_case("q", "Fever and cough.", [("Fever", "Sign_symptom")])
    assert len(index) == 0
    assert index.search(index.query(query), 5) == []
