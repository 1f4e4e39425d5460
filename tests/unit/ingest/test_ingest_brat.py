"""brat standoff: every annotation kind, brat's text check, raw offsets, MACCROBAT2020."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.brat import parse_ann, read_brat
from casebook.ingest.brat_model import (
    BratAttribute,
    BratEquivalence,
    BratEvent,
    BratNote,
    BratRelation,
)
from casebook.model import SourceFormat, Span

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"


def test_read_brat_reads_text_and_annotations() -> None:
    document, annotations = read_brat(FIXTURES / "case.txt")
    assert document.id == "case"
    assert document.source.format is SourceFormat.BRAT
    assert document.source.path == str(FIXTURES / "case.txt")
    assert document.text == (FIXTURES / "case.txt").read_text(encoding="utf-8")
    assert len(annotations.entities) == 13
    for entity in annotations.entities:
        pieces = [document.text[f.start : f.end] for f in entity.fragments]
        assert " ".join(pieces) == entity.text


def test_discontinuous_entity_keeps_its_fragments() -> None:
    document, annotations = read_brat(FIXTURES / "case.txt")
    artery = annotations.entity("T11")
    assert artery.text == "left coronary arteries"
    assert artery.fragments == [Span(start=157, end=161), Span(start=172, end=189)]
    assert (artery.start, artery.end) == (157, 189)
    assert document.text[artery.start : artery.end] == "left and right coronary arteries"


def test_events_attributes_relations_groups_and_notes() -> None:
    _, annotations = read_brat(FIXTURES / "case.txt")
    assert annotations.events[0] == BratEvent(id="E1", type="Clinical_event", trigger="T3")
    assert annotations.entity("E4").text == "fever"
    assert annotations.attributes == [
        BratAttribute(id="A1", name="POLARITY", target="E4", value="NEG"),
        BratAttribute(id="A2", name="Uncertain", target="E9", value=None),
    ]
    assert annotations.attribute_values("POLARITY") == {"T6": "NEG"}
    assert annotations.relations == [
        BratRelation(id="R1", type="MODIFY", arg1="T8", arg2="E5"),
        BratRelation(id="R2", type="MODIFY", arg1="T11", arg2="E7"),
        BratRelation(id="R3", type="BEFORE", arg1="E6", arg2="E8"),
    ]
    assert annotations.equivalences == [BratEquivalence(type="OVERLAP", members=["E1", "E2", "E3"])]
    assert annotations.notes == [
        BratNote(id="#1", target="T11", text="Two arteries named with one noun phrase.")
    ]


def test_event_arguments_are_parsed() -> None:
    text = "Fever after vaccination."
    ann = (
        "T1\tSign_symptom 0 5\tFever\nT2\tMedication 12 23\tvaccination\n"
        "E1\tSign_symptom:T1 Cause:T2 Theme2:T2  \n"
    )
    annotations = parse_ann(ann, text, "x.ann")
    assert annotations.events[0].arguments == [("Cause", "T2"), ("Theme2", "T2")]


def test_wrong_offsets_name_file_line_and_id() -> None:
    with pytest.raises(CasebookError) as caught:
        read_brat(FIXTURES / "wrong-offsets.txt")
    error = caught.value
    assert error.code is ErrorCode.ANNOTATION_MISMATCH
    assert error.path == str(FIXTURES / "wrong-offsets.ann")
    assert error.message.startswith("line 4: T4: ")
    assert "'chest pain'" in error.message


def test_offset_past_the_end_is_a_mismatch() -> None:
    with pytest.raises(CasebookError) as caught:
        parse_ann("T1\tSign_symptom 3 40\tpain", "Abdominal pain", "p.ann")
    assert caught.value.code is ErrorCode.ANNOTATION_MISMATCH
    assert caught.value.message == "line 1: T1: offset 40 is past the text's end (14)"


@pytest.mark.parametrize(
    ("ann", "line"),
    [
        ("T1\tSign_symptom zero five\tFever", 1),
        ("T1\tSign_symptom 0 5", 1),
        ("T1\tSign_symptom 0 5\tFever\nE1\tSign_symptom", 2),
        ("T1\tSign_symptom 0 5\tFever\n\nR1\tBEFORE Arg1:T1", 3),
        ("T1\tSign_symptom 0 5\tFever\nX1\tsomething", 2),
        ("T1\tSign_symptom 0 5\tFever\nT1\tSign_symptom 0 5\tFever", 2),
        ("T1\tSign_symptom 5 0\tFever", 1),
    ],
)
def test_unparseable_lines_are_malformed(ann: str, line: int) -> None:
    with pytest.raises(CasebookError) as caught:
        parse_ann(ann, "Fever and chills.", "bad.ann")
    assert caught.value.code is ErrorCode.MALFORMED_DATASET
    assert caught.value.message.startswith(f"line {line}: ")
    assert caught.value.path == "bad.ann"


def test_reference_to_an_undefined_id_is_a_mismatch() -> None:
    with pytest.raises(CasebookError) as caught:
        parse_ann("T1\tSign_symptom 0 5\tFever\nA1\tPOLARITY E9 NEG", "Fever.", "r.ann")
    assert caught.value.code is ErrorCode.ANNOTATION_MISMATCH
    assert "line 2: A1: refers to E9" in caught.value.message


def test_crlf_text_keeps_raw_offsets(tmp_path: Path) -> None:
    txt = tmp_path / "windows.txt"
    txt.write_bytes(b"Chest pain.\r\nNo fever.\r\n")
    # brat counts the CR: "fever" starts at 16 in the raw text, 15 after normalising.
    (tmp_path / "windows.ann").write_bytes(b"T1\tSign_symptom 16 21\tfever\r\n")
    document, annotations = read_brat(txt)
    assert document.text == "Chest pain.\r\nNo fever.\r\n"
    entity = annotations.entities[0]
    assert document.text[entity.start : entity.end] == "fever"


def test_missing_ann_is_path_not_found(tmp_path: Path) -> None:
    txt = tmp_path / "lonely.txt"
    txt.write_text("Some text.", encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        read_brat(txt)
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND
    assert caught.value.path == str(tmp_path / "lonely.ann")


def test_empty_ann_has_no_annotations(tmp_path: Path) -> None:
    txt = tmp_path / "plain.txt"
    txt.write_text("Some text.", encoding="utf-8")
    (tmp_path / "plain.ann").write_text("", encoding="utf-8")
    _, annotations = read_brat(txt)
    assert annotations.entities == []


@pytest.mark.dataset
def test_all_maccrobat2020_documents_parse(data_dir: Path) -> None:
    folder = data_dir / "maccrobat2020"
    if not folder.is_dir():
        pytest.skip(f"{folder} is not there")
    texts = sorted(folder.glob("*.txt"))
    assert len(texts) == 150
    entity_count = 0
    for txt in texts:
        document, annotations = read_brat(txt)
        assert document.id == txt.stem
        entity_count += len(annotations.entities)
        for entity in annotations.entities:
            joined = " ".join(document.text[f.start : f.end] for f in entity.fragments)
            assert joined == entity.text
    assert entity_count > 0
