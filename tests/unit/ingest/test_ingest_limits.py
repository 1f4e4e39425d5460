"""Documents longer than --max-chars are refused with CB-E017 naming the limit, a tiny input
claiming a huge size is refused before the text it claims is made, and nesting past what the
readers walk is a coded error, never a RecursionError."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.bioc import parse_bioc_json, parse_bioc_xml
from casebook.ingest.detect import iter_documents, read_bytes, read_path
from casebook.ingest.jats import MAX_XML_DEPTH
from casebook.model import Document

PASSAGE = "A 54-year-old man had a fever."
BIOC_XML = (
    "<collection><source>x</source><document><id>d1</id><passage><offset>{offset}</offset>"
    f"<text>{PASSAGE}</text></passage></document></collection>"
)
BIOC_JSON = json.dumps(
    {"documents": [{"id": "d1", "passages": [{"offset": 0, "text": PASSAGE}]}]}
).replace('"offset": 0', '"offset": {offset}')

MB = 1 << 20


def _peak_bytes(read: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        with pytest.raises(CasebookError) as raised:
            read()
        assert raised.value.code is ErrorCode.REQUEST_TOO_LARGE
        assert "1,000,000" in raised.value.message
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("offset", [3_000_000_000, 10**12, 10**30])
def test_a_bioc_offset_past_the_limit_is_refused_before_any_filler_is_made(offset: int) -> None:
    xml = BIOC_XML.format(offset=offset).encode()
    assert len(xml) < 200
    assert _peak_bytes(lambda: parse_bioc_xml(xml, "huge.xml", max_chars=1_000_000)) < MB
    payload = BIOC_JSON.replace("{offset}", str(offset)).encode()
    assert _peak_bytes(lambda: parse_bioc_json(payload, "huge.json", max_chars=1_000_000)) < MB


def test_a_bioc_text_that_fits_the_limit_is_read() -> None:
    xml = BIOC_XML.format(offset=100).encode()
    (document,) = parse_bioc_xml(xml, None, max_chars=100 + len(PASSAGE))
    assert document.text[100:] == PASSAGE
    with pytest.raises(CasebookError) as raised:
        parse_bioc_xml(xml, None, max_chars=100 + len(PASSAGE) - 1)
    assert raised.value.code is ErrorCode.REQUEST_TOO_LARGE


def test_every_format_refuses_a_document_past_the_limit(tmp_path: Path) -> None:
    text = tmp_path / "long.txt"
    text.write_text("Fever. " * 20, encoding="utf-8")
    with pytest.raises(CasebookError) as raised:
        read_path(text, max_chars=100)
    assert raised.value.code is ErrorCode.REQUEST_TOO_LARGE
    assert "140 characters" in raised.value.message and "at most 100" in raised.value.message
    assert read_path(text, max_chars=140)[0].text == "Fever. " * 20
    with pytest.raises(CasebookError):
        read_bytes(b"Fever. " * 20, max_chars=100)


def test_a_corpus_line_past_the_limit_is_an_error_in_its_place(tmp_path: Path) -> None:
    corpus = tmp_path / "patients.jsonl"
    lines = [
        {"patient_uid": "short-1", "text": "A 7-year-old girl had a rash."},
        {"patient_uid": "long", "text": "Fever. " * 50},
        {"patient_uid": "short-2", "text": "A 9-year-old boy had a cough."},
    ]
    corpus.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    items = list(iter_documents([str(corpus)], max_chars=100))
    assert [i.id if isinstance(i, Document) else i.code for i in items] == [
        "short-1",
        ErrorCode.REQUEST_TOO_LARGE,
        "short-2",
    ]


def test_standard_input_past_the_limit_is_an_error() -> None:
    (error,) = list(iter_documents(["-"], stdin=io.BytesIO(b"Fever. " * 20), max_chars=100))
    assert isinstance(error, CasebookError) and error.code is ErrorCode.REQUEST_TOO_LARGE


def _nested_jats(levels: int) -> bytes:
    body = "<sec><title>T</title>" * levels + "<p>A man had a fever.</p>" + "</sec>" * levels
    return f"<article><body>{body}</body></article>".encode()


def test_xml_nested_past_the_limit_is_refused_and_up_to_it_is_read() -> None:
    # <article><body> and the sections: the deepest <p> sits at MAX_XML_DEPTH.
    deepest = MAX_XML_DEPTH - 3
    (document,) = read_bytes(_nested_jats(deepest), "deep.nxml")
    assert "A man had a fever." in document.text
    for data, name in [(_nested_jats(10_000), "deep.nxml"), (_nested_jats(deepest + 1), "x.nxml")]:
        with pytest.raises(CasebookError) as raised:
            read_bytes(data, name)
        assert raised.value.code is ErrorCode.MALFORMED_XML
        assert f"more than {MAX_XML_DEPTH} deep" in raised.value.message


def test_json_nested_past_what_python_parses_is_a_coded_error(tmp_path: Path) -> None:
    brackets = "[" * 100_000 + "]" * 100_000
    with pytest.raises(CasebookError) as raised:
        parse_bioc_json(('{"documents": ' + brackets + "}").encode(), "deep.json")
    assert raised.value.code is ErrorCode.MALFORMED_JSON
    corpus = tmp_path / "patients.jsonl"
    corpus.write_text(
        '{"patient_uid": "1", "text": "Fever.", "age": ' + brackets + "}\n"
        '{"patient_uid": "2", "text": "A 9-year-old boy had a cough."}\n',
        encoding="utf-8",
    )
    (error, document) = list(iter_documents([str(corpus)]))
    assert isinstance(error, CasebookError) and error.code is ErrorCode.MALFORMED_JSON
    assert isinstance(document, Document) and document.id == "2"
    with pytest.raises(CasebookError) as sniffed:
        read_bytes(brackets.encode())
    assert sniffed.value.code is ErrorCode.MALFORMED_JSON
