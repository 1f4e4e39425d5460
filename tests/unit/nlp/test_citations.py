"""Names holding no mention: suppliers' citations ("(Carbomedics Inc., TX)") and scales."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, EntityType, Mention, Source, SourceFormat
from casebook.nlp.citations import CitationFilter


def mentions_kept(text: str, words: list[tuple[str, EntityType]]) -> list[str]:
    mentions = []
    for number, (word, kind) in enumerate(words):
        start = text.index(word)
        mentions.append(
            Mention(id=f"m{number}", start=start, end=start + len(word), text=word, type=kind)
        )
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions)
    return [m.text for m in CitationFilter()(case).mentions]


DRUG = EntityType.MEDICATION
TEST = EntityType.DIAGNOSTIC_PROCEDURE
DEVICE = EntityType.THERAPEUTIC_PROCEDURE


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        # A company's legal form after its name, however the rest is written.
        (
            "A 27 mm Carbomedics prosthesis (carbomedics inc. Austin TX) was sewn in.",
            [("prosthesis", DEVICE), ("carbomedics", DRUG), ("TX", TEST)],
            ["prosthesis"],
        ),
        ("Heparin (Bayer AG, Leverkusen) was given.", [("Heparin", DRUG)], ["Heparin"]),
        ("Heparin (Bayer AG, Leverkusen) was given.", [("Bayer", DRUG)], []),
        # A last part naming a country.
        (
            "A stent (Medtronic, Minneapolis, MN, USA) was placed.",
            [("stent", DEVICE), ("Medtronic", DRUG), ("MN", TEST)],
            ["stent"],
        ),
        # Parentheses that cite nobody keep their mentions.
        ("Computed tomography (CT) showed a mass.", [("CT", TEST)], ["CT"]),
        (
            "Hepatitis B surface antigen (HBs Ag) was positive.",
            [("HBs Ag", TEST)],
            ["HBs Ag"],
        ),
        ("The rhythm came from the node (left SA node).", [("SA node", TEST)], ["SA node"]),
        ("She had two infarcts (MI, PE) in a year.", [("MI", TEST)], ["MI"]),
        (
            "He took co-trimoxazole (co-trimoxazole forte).",
            [("co-trimoxazole", DRUG)],
            ["co-trimoxazole"],
        ),
    ],
)
def test_one_sentence(text: str, words: list[tuple[str, EntityType]], kept: list[str]) -> None:
    assert mentions_kept(text, words) == kept


def test_a_rule_file_that_breaks_its_schema_is_a_coded_error(tmp_path: Path) -> None:
    rules = tmp_path / "citations.json"
    rules.write_text(json.dumps({"version": "1", "legal_forms": [], "extra": 1}), "utf-8")
    with pytest.raises(CasebookError) as error:
        CitationFilter(rules)
    assert error.value.code is ErrorCode.INVALID_RESOURCE


FINDING = EntityType.DISEASE_DISORDER
PLACE = EntityType.NONBIOLOGICAL_LOCATION


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        # TIMI 3 flow is a coronary flow grade: no thrombolysis was given, no infarction named.
        (
            "Thrombolysis in myocardial infarction 3 distal flow was obtained after angioplasty.",
            [
                ("Thrombolysis", DEVICE),
                ("myocardial infarction", FINDING),
                ("angioplasty", DEVICE),
            ],
            ["angioplasty"],
        ),
        # The scale is an assessment; the coma it is named after is no finding.
        (
            "Her Glasgow Coma Scale was 15.",
            [("Glasgow Coma Scale", TEST), ("Coma", FINDING)],
            ["Glasgow Coma Scale"],
        ),
        ("He was in a coma.", [("coma", FINDING)], ["coma"]),
        # A title-case questionnaire named after what it measures measures, it finds nothing.
        (
            "The Knee Injury and Osteoarthritis Outcome Score (KOOS) was 92.",
            [("Knee Injury", FINDING), ("Osteoarthritis", FINDING)],
            [],
        ),
        ("Osteoarthritis of the knee was seen.", [("Osteoarthritis", FINDING)], ["Osteoarthritis"]),
        # A scale's short form, defined in parentheses, is the scale too.
        (
            "He recovered autonomy in all his ADL (Activities of Daily Living).",
            [("ADL", FINDING), ("Daily Living", FINDING)],
            [],
        ),
    ],
)
def test_mentions_inside_a_scales_name_are_dropped(
    text: str, words: list[tuple[str, EntityType]], kept: list[str]
) -> None:
    assert mentions_kept(text, words) == kept


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        # The protocol of a cooperative group tells no cancer of the patient's.
        (
            "She was treated with the Children's Cancer Group protocol and cranial irradiation.",
            [("Cancer", FINDING), ("Cancer Group", DEVICE), ("cranial irradiation", DEVICE)],
            ["cranial irradiation"],
        ),
        # A performance status keeps its scale: the organisation is the scale's name.
        (
            "Eastern Cooperative Oncology Group performance status was 1.",
            [("Eastern Cooperative Oncology Group performance status", TEST)],
            ["Eastern Cooperative Oncology Group performance status"],
        ),
        ("Cancer was found in the control group.", [("Cancer", FINDING)], ["Cancer"]),
        # A centre, an institute, a department is named after what it treats or studies; the
        # place the whole name is stays.
        (
            "He was sent to the National Cancer Center for follow up.",
            [("Cancer", FINDING), ("National Cancer Center", PLACE)],
            ["National Cancer Center"],
        ),
        (
            "Funded by the National Institute of Neurological Disorders and Stroke.",
            [("Stroke", FINDING)],
            [],
        ),
        (
            "She was seen at the Department of Infectious Diseases.",
            [("Infectious Diseases", FINDING)],
            [],
        ),
        ("A stroke unit at the hospital saw her.", [("stroke", FINDING)], ["stroke"]),
    ],
)
def test_mentions_inside_an_organisations_name_are_dropped(
    text: str, words: list[tuple[str, EntityType]], kept: list[str]
) -> None:
    assert mentions_kept(text, words) == kept


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        # A fall in a measure is its decrease; the fall of a year its season.
        ("There was an associated fall in haematocrit.", [("fall", FINDING)], []),
        ("In fall of 2007, the drug was stopped.", [("fall", FINDING), ("2007", TEST)], ["2007"]),
        ("She had a fall in the bathroom.", [("fall", FINDING)], ["fall"]),
        ("He presented after a fall from a ladder.", [("fall", FINDING)], ["fall"]),
        # A pile of something is a heap; piles are haemorrhoids.
        ("There was a large pile of mulch.", [("large pile of mulch", FINDING)], []),
        ("He had bleeding piles.", [("piles", FINDING)], ["piles"]),
        # A device's model number is no result of the test it was placed under.
        ("A lead (model number 5594) was placed.", [("5594", TEST)], []),
        # Flushing the eyes irrigates them; flushing of the face is a sign.
        ("Flushing of the eyes yielded a worm.", [("Flushing", FINDING)], []),
        ("She had flushing of the face.", [("flushing", FINDING)], ["flushing"]),
    ],
)
def test_words_that_read_as_a_finding_but_say_something_else_hold_none(
    text: str, words: list[tuple[str, EntityType]], kept: list[str]
) -> None:
    assert mentions_kept(text, words) == kept
