"""DiagnosisMentions: what a report says was diagnosed is a disease mention."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, EntityType, Mention, Source, SourceFormat, Span
from casebook.nlp.diagnoses import DiagnosisMentions


@pytest.fixture(scope="module")
def diagnoses() -> DiagnosisMentions:
    return DiagnosisMentions()


def mentions_of(
    diagnoses: DiagnosisMentions, text: str, given: tuple[tuple[str, EntityType], ...] = ()
) -> list[tuple[str, EntityType]]:
    mentions = [
        Mention(
            id=f"m{n}",
            start=text.index(words),
            end=text.index(words) + len(words),
            text=words,
            type=kind,
        )
        for n, (words, kind) in enumerate(given, start=1)
    ]
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions)
    return [(m.text, m.type) for m in diagnoses(case).mentions]


DISEASE = EntityType.DISEASE_DISORDER


@pytest.mark.parametrize(
    ("text", "diagnosis"),
    [
        (
            "Following review the diagnosis of cerebral cysticercosis was made.",
            "cerebral cysticercosis",
        ),
        ("She was diagnosed with hereditary angioedema in 2010.", "hereditary angioedema"),
        ("He was diagnosed with PNH at the age of 22.", None),
        (
            "The lesion was compatible with a possible diagnosis of right occipital lobe hydatid "
            "cyst.",
            "right occipital lobe hydatid cyst",
        ),
        (
            "He was diagnosed as extranodal NK/T-cell lymphoma, nasal type.",
            "extranodal NK/T-cell lymphoma",
        ),
        ("A working diagnosis of leptospirosis complicated by hepatitis.", "leptospirosis"),
        ("He was diagnosed with Fahr's syndrome due to hypoparathyroidism.", "Fahr's syndrome"),
        ("He was diagnosed as having Austrian syndrome.", "Austrian syndrome"),
    ],
)
def test_a_stated_diagnosis_is_a_disease(
    diagnoses: DiagnosisMentions, text: str, diagnosis: str | None
) -> None:
    # An undefined short form is read only when its words are known: "PNH" is not.
    expected = [] if diagnosis is None else [(diagnosis, DISEASE)]
    assert mentions_of(diagnoses, text) == expected


def test_words_naming_no_finding_are_no_diagnosis(diagnoses: DiagnosisMentions) -> None:
    text = "The differential diagnosis of such lesions is wide."
    assert mentions_of(diagnoses, text) == []


def test_a_diagnosis_the_model_read_is_left_alone(diagnoses: DiagnosisMentions) -> None:
    text = "She was diagnosed with gastric adenocarcinoma."
    given = (("adenocarcinoma", DISEASE),)
    assert mentions_of(diagnoses, text, given) == list(given)


def test_a_mistyped_piece_gives_way_to_the_diagnosis(diagnoses: DiagnosisMentions) -> None:
    text = "A definite diagnosis of pemphigus vulgaris was made."
    given = (("pemphigus vulgaris", EntityType.MEDICATION),)
    assert mentions_of(diagnoses, text, given) == [("pemphigus vulgaris", DISEASE)]


def test_a_structure_within_the_diagnosis_stays(diagnoses: DiagnosisMentions) -> None:
    text = "The diagnosis of pulmonary cryptococcoma was made."
    given = (("pulmonary", EntityType.BIOLOGICAL_STRUCTURE),)
    assert mentions_of(diagnoses, text, given) == [
        ("pulmonary", EntityType.BIOLOGICAL_STRUCTURE),
        ("pulmonary cryptococcoma", DISEASE),
    ]


def test_invalid_rules_raise(tmp_path: Path) -> None:
    path = tmp_path / "diagnoses.json"
    path.write_text('{"version": "1", "cues": ["(unclosed"], "stop_words": [], "max_words": 3}')
    with pytest.raises(CasebookError) as raised:
        DiagnosisMentions(path)
    assert raised.value.code is ErrorCode.INVALID_RESOURCE


def test_a_defined_short_form_is_read_in_its_long_form(diagnoses: DiagnosisMentions) -> None:
    # The mention model typed the diagnosis as a structure; its head word is the diagnosis's.
    text = (
        "She had symptoms of carpal tunnel syndrome (CTS). "
        "Electrodiagnostic study confirmed the diagnosis of right CTS."
    )
    given = (("carpal tunnel syndrome", DISEASE),)
    structure = "right CTS"
    start = text.index(structure)
    mentions = [
        Mention(
            id="m1",
            start=text.index(given[0][0]),
            end=text.index(given[0][0]) + 22,
            text=given[0][0],
            type=DISEASE,
        ),
        Mention(
            id="m2",
            start=start,
            end=start + len(structure),
            text=structure,
            type=EntityType.BIOLOGICAL_STRUCTURE,
        ),
    ]
    case = Case(
        id="c",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sentences=[Span(start=0, end=50), Span(start=51, end=len(text))],
        mentions=mentions,
    )
    found = [(m.text, m.type) for m in diagnoses(case).mentions]
    assert found == [("carpal tunnel syndrome", DISEASE), ("right CTS", DISEASE)]
