"""BioC reader: passages at their offsets, sections, both serialisations, bad offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.config import DEFAULT_MAX_CHARS
from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.bioc import (
    parse_bioc_json,
    parse_bioc_xml,
    read_bioc_json,
    read_bioc_xml,
    section_kind,
)
from casebook.model import Document, SourceFormat

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"


def _passages() -> list[list[dict[str, object]]]:
    payload = json.loads((FIXTURES / "case.bioc.json").read_text(encoding="utf-8"))
    return [document["passages"] for document in payload["documents"]]


@pytest.fixture(
    scope="module", params=[("case.bioc.xml", read_bioc_xml), ("case.bioc.json", read_bioc_json)]
)
def documents(request: pytest.FixtureRequest) -> list[Document]:
    name, reader = request.param
    result: list[Document] = reader(FIXTURES / name)
    return result


def test_one_document_per_bioc_document(documents: list[Document]) -> None:
    assert [d.id for d in documents] == ["PMC9900002", "99000003"]
    first = documents[0]
    assert first.title == "Drug-induced hypersensitivity syndrome after lamotrigine"
    assert first.source.extra == {"license": "CC BY", "article-id_pmid": "99000002"}
    assert documents[1].title == "Acute pancreatitis due to hypertriglyceridaemia"


def test_formats_are_recorded(documents: list[Document]) -> None:
    formats = {d.source.format for d in documents}
    assert formats in ({SourceFormat.BIOC_XML}, {SourceFormat.BIOC_JSON})


def test_every_passage_sits_at_its_bioc_offset(documents: list[Document]) -> None:
    for document, passages in zip(documents, _passages(), strict=True):
        for passage in passages:
            offset, text = passage["offset"], passage["text"]
            assert isinstance(offset, int) and isinstance(text, str)
            assert document.text[offset : offset + len(text)] == text


def test_gaps_are_filled_with_whitespace(documents: list[Document]) -> None:
    first = documents[0]
    # A one-character gap is a newline; wider gaps end in a blank line.
    assert "lamotrigine\nWe describe" in first.text
    assert "lamotrigine.   \n\nIntroduction" not in first.text
    assert "lamotrigine. \n\nIntroduction" in first.text
    assert documents[1].text.startswith("     Acute pancreatitis")


def test_consecutive_passages_of_a_section_make_one_section(documents: list[Document]) -> None:
    first = documents[0]
    assert [(s.title, s.kind) for s in first.sections] == [
        ("TITLE", "title"),
        ("ABSTRACT", "abstract"),
        ("INTRO", "introduction"),
        ("CASE", "case_presentation"),
        ("DISCUSS", "discussion"),
    ]
    case = first.sections[3]
    assert first.text[case.start : case.end] == (
        "Case report\nA 52-year-old man developed a morbilliform rash and a temperature of 38.9 °C."
    )
    assert [(s.title, s.kind) for s in documents[1].sections] == [
        ("title", "title"),
        ("abstract", "abstract"),
    ]


@pytest.mark.parametrize(
    ("infon", "kind"),
    [
        ("TITLE", "title"),
        ("ABSTRACT", "abstract"),
        ("INTRO", "introduction"),
        ("CASE", "case_presentation"),
        ("DISCUSS", "discussion"),
        ("REVIEW_INFO", "review_info"),
    ],
)
def test_section_kinds(infon: str, kind: str) -> None:
    assert section_kind(infon) == kind


def test_overlapping_passages_in_json_name_the_passage() -> None:
    with pytest.raises(CasebookError) as caught:
        read_bioc_json(FIXTURES / "overlap.bioc.json")
    assert caught.value.code is ErrorCode.MALFORMED_JSON
    assert "document PMC9900002: passage 4" in caught.value.message


def test_backwards_passages_in_xml_are_malformed() -> None:
    data = (
        b"<collection><document><id>d1</id>"
        b"<passage><offset>10</offset><text>second</text></passage>"
        b"<passage><offset>0</offset><text>first</text></passage>"
        b"</document></collection>"
    )
    with pytest.raises(CasebookError) as caught:
        parse_bioc_xml(data, "back.xml")
    assert caught.value.code is ErrorCode.MALFORMED_XML
    assert "passage 2" in caught.value.message


@pytest.mark.parametrize("offset", [DEFAULT_MAX_CHARS + 1, 3_000_000_000, 10**12])
def test_an_offset_past_any_case_report_is_refused_before_its_gap_is_built(offset: int) -> None:
    xml = (
        f"<collection><document><id>d1</id><passage><offset>{offset}</offset>"
        "<text>fever</text></passage></document></collection>"
    ).encode()
    passage = {"offset": offset, "text": "fever"}
    json_data = json.dumps({"documents": [{"id": "d1", "passages": [passage]}]}).encode()
    for parse, data in ((parse_bioc_xml, xml), (parse_bioc_json, json_data)):
        with pytest.raises(CasebookError) as caught:
            parse(data, "far.bioc")
        assert caught.value.code is ErrorCode.REQUEST_TOO_LARGE
        assert f"offset {offset}" in caught.value.message


@pytest.mark.parametrize(
    "document",
    [
        {"id": "\ud800", "passages": [{"offset": 0, "text": "Fever."}]},
        {"id": "d1", "passages": [{"offset": 0, "text": "Fever \udfff."}]},
    ],
)
def test_a_lone_surrogate_escape_is_not_text(document: dict[str, object]) -> None:
    data = json.dumps({"documents": [document]}).encode()
    with pytest.raises(CasebookError) as caught:
        parse_bioc_json(data, "odd.json")
    assert caught.value.code is ErrorCode.UNDECODABLE_TEXT
    assert "lone surrogate" in caught.value.message


def test_sentence_level_passages_are_placed_by_sentence() -> None:
    data = (
        b"<collection><document><id>s1</id><passage><offset>0</offset>"
        b"<sentence><offset>0</offset><text>Fever.</text></sentence>"
        b"<sentence><offset>7</offset><text>Rash.</text></sentence>"
        b"</passage></document></collection>"
    )
    (document,) = parse_bioc_xml(data, None)
    assert document.text == "Fever.\nRash."
    assert document.source.path is None


def test_non_collection_xml_is_unsupported() -> None:
    with pytest.raises(CasebookError) as caught:
        parse_bioc_xml(b"<article/>", "a.xml")
    assert caught.value.code is ErrorCode.UNSUPPORTED_FORMAT


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b'{"documents": [', ErrorCode.MALFORMED_JSON),
        (b'{"records": []}', ErrorCode.UNSUPPORTED_FORMAT),
        (b'{"documents": [{"passages": []}]}', ErrorCode.MALFORMED_JSON),
        (b'{"documents": [{"id": "x", "passages": [{"offset": "0"}]}]}', ErrorCode.MALFORMED_JSON),
        (b'{"documents": [{"id": "x", "passages": []}]}', ErrorCode.EMPTY_DOCUMENT),
    ],
)
def test_bad_json(data: bytes, code: ErrorCode) -> None:
    with pytest.raises(CasebookError) as caught:
        parse_bioc_json(data, "bad.json")
    assert caught.value.code is code


def test_a_list_of_collections_is_accepted() -> None:
    data = json.dumps(
        [{"documents": [{"id": "7", "passages": [{"offset": 0, "text": "Chest pain."}]}]}]
    ).encode()
    (document,) = parse_bioc_json(data, None)
    assert (document.id, document.text) == ("7", "Chest pain.")
    assert [(s.title, s.kind) for s in document.sections] == [("", "other")]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4),
            st.text(alphabet=st.sampled_from("ab .\n"), min_size=1, max_size=10),
            st.sampled_from(["INTRO", "CASE", "DISCUSS"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_offsets_are_kept_and_sections_lie_inside(
    pieces: list[tuple[int, str, str]],
) -> None:
    passages, offset = [], 0
    for gap, text, section_type in pieces:
        offset += gap
        passages.append({"offset": offset, "text": text, "infons": {"section_type": section_type}})
        offset += len(text)
    payload = {"documents": [{"id": "g", "passages": passages}]}
    try:
        (document,) = parse_bioc_json(json.dumps(payload).encode(), None)
    except CasebookError as error:
        assert error.code is ErrorCode.EMPTY_DOCUMENT
        return
    for passage in passages:
        start, piece = passage["offset"], passage["text"]
        assert isinstance(start, int) and isinstance(piece, str)
        assert document.text[start : start + len(piece)] == piece
    for section in document.sections:
        assert 0 <= section.start <= section.end <= len(document.text)
