"""Plain-text decoding: encodings, newline normalisation, binary and empty input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.text import decode_text, looks_binary, read_text
from casebook.model import SourceFormat

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"


def test_read_text_builds_a_document_named_after_the_file() -> None:
    document = read_text(FIXTURES / "report.txt")
    assert document.id == "report"
    assert document.source.format is SourceFormat.TEXT
    assert document.source.path == str(FIXTURES / "report.txt")
    assert document.text.startswith("Case presentation\n\nA 71-year-old woman")
    assert document.sections == []
    assert document.title is None


def test_bom_is_dropped_and_crlf_and_lone_cr_become_lf() -> None:
    document = read_text(FIXTURES / "bom-crlf.txt")
    assert document.text == (
        "Line one of the note.\nLine two, with a café.\nOld Mac line three.\nEnd.\n"
    )


def test_latin1_is_the_fallback_when_utf8_fails() -> None:
    document = read_text(FIXTURES / "latin1.txt")
    assert document.text == "Patient très fatigué; fièvre à 38,5 °C depuis trois jours.\n"


def test_utf16_with_bom_is_decoded() -> None:
    data = codecs.BOM_UTF16_LE + "Fever and rash.\r\n".encode("utf-16-le")
    assert decode_text(data, "note.txt") == "Fever and rash.\n"


def test_raw_mode_keeps_bom_and_carriage_returns() -> None:
    data = codecs.BOM_UTF8 + b"one\r\ntwo\r"
    assert decode_text(data, "x.txt", normalize=False) == "\ufeffone\r\ntwo\r"


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n", codecs.BOM_UTF8 + b"\n"])
def test_empty_or_whitespace_only_is_an_empty_document(content: bytes) -> None:
    with pytest.raises(CasebookError) as caught:
        decode_text(content, "blank.txt")
    assert caught.value.code is ErrorCode.EMPTY_DOCUMENT
    assert caught.value.path == "blank.txt"


def test_empty_fixture_file_names_the_file() -> None:
    with pytest.raises(CasebookError) as caught:
        read_text(FIXTURES / "empty.txt")
    assert caught.value.code is ErrorCode.EMPTY_DOCUMENT
    assert caught.value.path == str(FIXTURES / "empty.txt")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(CasebookError) as caught:
        read_text(path)
    assert caught.value.code is ErrorCode.BINARY_DATA
    assert caught.value.path == str(path)


def test_control_characters_without_nul_are_binary() -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"text"
    assert looks_binary(data)
    with pytest.raises(CasebookError) as caught:
        decode_text(data, "blob")
    assert caught.value.code is ErrorCode.BINARY_DATA


def test_truncated_utf8_head_is_still_text() -> None:
    data = ("é" * 10).encode("utf-8")[:-1]
    assert not looks_binary(data)


def test_missing_file_is_path_not_found(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        read_text(tmp_path / "absent.txt")
    assert caught.value.code is ErrorCode.PATH_NOT_FOUND


@given(st.text(alphabet=st.sampled_from("ab é\r\n\t"), min_size=1))
def test_normalised_text_never_holds_a_carriage_return(text: str) -> None:
    try:
        decoded = decode_text(text.encode("utf-8"), "x.txt")
    except CasebookError as error:
        assert error.code is ErrorCode.EMPTY_DOCUMENT
        assert not text.strip()
    else:
        assert "\r" not in decoded
        assert decoded.count("\n") == text.replace("\r\n", "\n").count("\n") + text.replace(
            "\r\n", ""
        ).count("\r")
