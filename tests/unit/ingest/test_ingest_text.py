"""Plain-text decoding: encodings, newline normalisation, binary and empty input."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.text import (
    Decoded,
    decode_bytes,
    decode_text,
    looks_binary,
    parse_text,
    read_text,
)
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


def test_a_file_without_utf8_is_read_as_windows_1252_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="casebook.ingest"):
        document = read_text(FIXTURES / "latin1.txt")
    assert document.text == "Patient très fatigué; fièvre à 38,5 °C depuis trois jours.\n"
    assert [r.getMessage() for r in caplog.records] == [
        f"{FIXTURES / 'latin1.txt'}: not UTF-8; read as Windows-1252"
    ]


def test_one_stray_byte_keeps_the_rest_of_a_utf8_file_utf8(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = "Seen in München for a ".encode() + b"\x93high\x94 fever."
    with caplog.at_level(logging.WARNING, logger="casebook.ingest"):
        text = decode_text(data, "note.txt")
    assert text == "Seen in München for a \u201chigh\u201d fever."
    assert "2 byte(s) are not UTF-8 (the first at character 22)" in caplog.text


def test_windows_1252_curly_quotes_are_the_real_quotes() -> None:
    data = "She said \u201cno pain\u201d \u2013 it\u2019s gone\u2026".encode("cp1252")
    decoded = decode_bytes(data, "note.txt")
    assert decoded.encoding == "windows-1252"
    assert decoded.text == "She said \u201cno pain\u201d \u2013 it\u2019s gone\u2026"
    assert not any("\x80" <= char <= "\x9f" for char in decoded.text)


def test_dense_windows_1252_is_text_not_binary() -> None:
    data = ("\u201cyes\u201d \u2018no\u2019 \u2013 \u2026 " * 200).encode("cp1252")
    assert not looks_binary(data)
    assert decode_text(data, "quotes.txt").startswith("\u201cyes\u201d")


def test_a_stray_nul_is_dropped_and_offsets_index_the_kept_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = b"Fever\x00 and a rash on both arms for three days before admission.\x07\n"
    assert not looks_binary(data)
    with caplog.at_level(logging.WARNING, logger="casebook.ingest"):
        document = parse_text(data, "note", "note.txt")
    assert document.text == "Fever and a rash on both arms for three days before admission.\n"
    assert document.text[6:9] == "and"
    assert "dropped 2 control character(s) (the first, U+0000, at character 5)" in caplog.text


def test_raw_mode_keeps_offsets_by_putting_spaces_for_controls() -> None:
    data = b"Fever\x00 and a rash on both arms for three days,\x1b[2J then cough."
    text = decode_text(data, "x.txt", normalize=False)
    assert text == "Fever  and a rash on both arms for three days, [2J then cough."
    assert len(text) == len(data)


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_a_byte_order_mark_names_the_encoding(bom: bytes, codec: str) -> None:
    text = "Fever in München \u201cmild\u201d.\r\n"
    decoded = decode_bytes(bom + text.encode(codec), "note.txt")
    assert (decoded.text, decoded.encoding, decoded.bom) == (text, codec, True)
    assert (
        decode_text(bom + text.encode(codec), "note.txt") == "Fever in München \u201cmild\u201d.\n"
    )
    raw = decode_text(bom + text.encode(codec), "note.txt", normalize=False)
    assert raw == "\ufeff" + text


def test_broken_utf16_after_its_mark_is_undecodable() -> None:
    with pytest.raises(CasebookError) as caught:
        decode_text(codecs.BOM_UTF16_LE + b"F\x00\x00\xd8", "note.txt")
    assert caught.value.code is ErrorCode.UNDECODABLE_TEXT
    assert caught.value.message == "invalid UTF-16 at byte 4"


@given(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(
        # A file's leading U+FEFF is its byte-order mark, which decoding drops (tested below).
        lambda text: not text.startswith("\ufeff")
    )
)
def test_utf8_text_decodes_to_itself(text: str) -> None:
    assert decode_bytes(text.encode("utf-8"), "x.txt") == Decoded(text, "utf-8")


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
