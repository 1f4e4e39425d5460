"""The case model: offsets always point into the text, and JSON round-trips without loss."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from casebook.model import (
    Assertion,
    Attribute,
    Case,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Patient,
    Relation,
    Section,
    Sex,
    Source,
    SourceFormat,
    Span,
    TimelineEvent,
    case_json_schema,
)

TEXT = "A 29-year-old female had a severe headache after a bone marrow biopsy."


def _mention(mention_id: str, words: str, kind: EntityType, **extra: object) -> Mention:
    start = TEXT.index(words)
    return Mention(
        id=mention_id, start=start, end=start + len(words), text=words, type=kind, **extra
    )


def _example() -> Case:
    headache = _mention(
        "m1",
        "headache",
        EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.HPO, code="HP:0002315", display="Headache", score=0.9)],
        attributes=[Attribute(name="severity", text="severe", start=TEXT.index("severe"), end=33)],
    )
    biopsy = _mention("m2", "bone marrow biopsy", EntityType.DIAGNOSTIC_PROCEDURE)
    return Case(
        id="example",
        text=TEXT,
        source=Source(format=SourceFormat.TEXT, path="example.txt"),
        patient=Patient(age_years=29, sex=Sex.FEMALE),
        sections=[Section(title="", kind="body", start=0, end=len(TEXT))],
        sentences=[Span(start=0, end=len(TEXT))],
        mentions=[headache, biopsy],
        relations=[Relation(type="caused_by", source="m1", target="m2")],
        timeline=[TimelineEvent(mention="m2", order=0), TimelineEvent(mention="m1", order=1)],
    )


def test_case_json_round_trips_without_loss() -> None:
    case = _example()
    assert Case.model_validate_json(case.model_dump_json()) == case


def test_case_json_has_the_fields_outside_checks_rely_on() -> None:
    data = json.loads(_example().model_dump_json())
    assert {"id", "text", "source", "patient", "sections", "mentions", "relations", "timeline"} <= (
        data.keys()
    )
    assert data["patient"] == {"age_years": 29.0, "sex": "female"}
    mention = data["mentions"][0]
    assert {"id", "start", "end", "text", "type", "assertion", "attributes", "codes"} <= (
        mention.keys()
    )
    assert mention["codes"][0] == {
        "system": "hpo",
        "code": "HP:0002315",
        "display": "Headache",
        "score": 0.9,
    }
    assert data["timeline"][0] == {
        "mention": "m2",
        "order": 0,
        "offset_days": None,
        "min_offset_days": None,
    }


def test_case_json_written_before_lower_bounds_still_loads() -> None:
    data = json.loads(_example().model_dump_json())
    for event in data["timeline"]:
        del event["min_offset_days"]
    event = Case.model_validate(data).timeline[0]
    assert (event.offset_days, event.min_offset_days) == (None, None)


def test_a_day_is_exact_or_a_lower_bound_never_both() -> None:
    with pytest.raises(ValidationError, match="not both set"):
        TimelineEvent(mention="m1", order=0, offset_days=2.0, min_offset_days=2.0)


def test_mention_text_must_match_its_offsets() -> None:
    with pytest.raises(ValidationError, match="does not match"):
        Case(
            id="x",
            text=TEXT,
            source=Source(format=SourceFormat.TEXT),
            mentions=[Mention(id="m1", start=0, end=5, text="fever", type=EntityType.SIGN_SYMPTOM)],
        )


def test_span_past_the_end_of_the_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="past the text's end"):
        Case(
            id="x",
            text="short",
            source=Source(format=SourceFormat.TEXT),
            sentences=[Span(start=0, end=50)],
        )


def test_relation_to_an_unknown_mention_is_refused() -> None:
    case = _example()
    data = case.model_dump()
    data["relations"].append({"type": "caused_by", "source": "m1", "target": "m9"})
    with pytest.raises(ValidationError, match="unknown mention m9"):
        Case.model_validate(data)


def test_unknown_fields_are_errors_not_silently_dropped() -> None:
    data = _example().model_dump()
    data["mentions"][0]["negated"] = True
    with pytest.raises(ValidationError, match="negated"):
        Case.model_validate(data)


def test_json_schema_names_the_assertion_values() -> None:
    schema = case_json_schema()
    assert set(schema["$defs"]["Assertion"]["enum"]) == {a.value for a in Assertion}
    assert "mentions" in schema["properties"]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    text = draw(st.text(min_size=1, max_size=200))
    mentions = []
    for number in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        mentions.append(
            Mention(
                id=f"m{number}",
                start=start,
                end=end,
                text=text[start:end],
                type=draw(st.sampled_from(list(EntityType))),
                assertion=draw(st.sampled_from(list(Assertion))),
            )
        )
    return Case(
        id=draw(st.text(min_size=1, max_size=10)),
        text=text,
        source=Source(format=draw(st.sampled_from(list(SourceFormat)))),
        patient=Patient(
            age_years=draw(st.none() | st.floats(0, 120)),
            sex=draw(st.none() | st.sampled_from(list(Sex))),
        ),
        mentions=mentions,
    )


@given(cases())
def test_any_valid_case_round_trips_through_json(case: Case) -> None:
    restored = Case.model_validate_json(case.model_dump_json())
    assert restored == case
    for mention in restored.mentions:
        assert restored.text[mention.start : mention.end] == mention.text


def test_a_time_expression_must_match_its_offsets_and_mention() -> None:
    data = _example().model_dump()
    start = TEXT.index("after")
    data["times"] = [{"start": start, "end": start + 5, "text": "later", "kind": "after"}]
    with pytest.raises(ValidationError, match="time expression 'later' does not match"):
        Case.model_validate(data)
    data["times"] = [
        {"start": start, "end": start + 5, "text": "after", "kind": "after", "mention": "m7"}
    ]
    with pytest.raises(ValidationError, match="unknown mention m7"):
        Case.model_validate(data)


def test_a_summary_must_point_at_known_mentions_and_round_trips() -> None:
    data = _example().model_dump()
    data["summary"] = {
        "complications": [
            {
                "text": "headache",
                "mentions": ["m1"],
                "related": [{"relation": "caused_by", "text": "biopsy", "mentions": ["m2"]}],
            }
        ]
    }
    case = Case.model_validate(data)
    assert Case.model_validate_json(case.model_dump_json()) == case
    data["summary"]["complications"][0]["related"][0]["mentions"] = ["m5"]
    with pytest.raises(ValidationError, match="summary points at unknown mention m5"):
        Case.model_validate(data)


def test_case_json_written_before_pipelines_were_recorded_still_loads() -> None:
    data = json.loads(
        _example().model_copy(update={"pipeline": "75b35dbcb27c01b6"}).model_dump_json()
    )
    del data["pipeline"]
    old = Case.model_validate_json(json.dumps(data))
    assert old.pipeline is None
    assert old == _example()


def test_a_rule_file_pattern_that_does_not_compile_is_refused_when_read() -> None:
    from pydantic import TypeAdapter, ValidationError

    from casebook.model import Pattern, Patterns

    patterns = TypeAdapter(Patterns)
    assert patterns.validate_python([r"\bet al\.", "denie[sd]"]) == [r"\bet al\.", "denie[sd]"]
    with pytest.raises(ValidationError, match="does not compile"):
        patterns.validate_python(["(unclosed"])
    with pytest.raises(ValidationError, match="does not compile"):
        TypeAdapter(Pattern).validate_python("(unclosed")
