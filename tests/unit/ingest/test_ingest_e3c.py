"""The E3C XMI reader on a small hand-written file."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.e3c import read_e3c
from casebook.model import SourceFormat

E3C = Path(__file__).parents[2] / "fixtures" / "eval" / "timeline" / "e3c" / "EN1.xml"


def test_reads_the_text_events_time_expressions_and_links() -> None:
    document, annotations = read_e3c(E3C)
    assert document.id == "EN1" and document.source.format is SourceFormat.E3C_XMI
    assert document.text.startswith("He was admitted with fever.")
    assert [document.text[e.start : e.end] for e in annotations.events] == [
        "admitted",
        "fever",
        "rash",
    ]
    assert annotations.events[0].attributes["polarity"] == "POS"
    (timex,) = annotations.timexes
    assert (document.text[timex.start : timex.end], timex.attributes["value"]) == (
        "Two days later",
        "P2D",
    )
    assert [(link.type, link.source, link.target) for link in annotations.links] == [
        ("BEFORE", "100", "102"),
        ("SIMULTANEOUS", "101", "100"),
        ("BEGINS-ON", "102", "101"),
        ("CONTAINS", "103", "102"),
    ]


def test_broken_xml_is_a_coded_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<xmi:XMI><unclosed>", encoding="utf-8")
    with pytest.raises(CasebookError) as error:
        read_e3c(path)
    assert error.value.code is ErrorCode.MALFORMED_XML


def test_an_unknown_declared_encoding_is_a_coded_error(tmp_path: Path) -> None:
    path = tmp_path / "odd.xml"
    path.write_text('<?xml version="1.0" encoding="x-no-such"?><xmi:XMI/>', encoding="utf-8")
    with pytest.raises(CasebookError) as error:
        read_e3c(path)
    assert error.value.code is ErrorCode.MALFORMED_XML


def test_an_annotation_outside_the_text_is_a_coded_error(tmp_path: Path) -> None:
    path = tmp_path / "outside.xml"
    path.write_text(
        E3C.read_text(encoding="utf-8").replace('begin="58" end="62"', 'begin="58" end="999"'),
        encoding="utf-8",
    )
    with pytest.raises(CasebookError) as error:
        read_e3c(path)
    assert error.value.code is ErrorCode.ANNOTATION_MISMATCH
