"""Format detection, input expansion and the batch reader that never raises."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.detect import (
    detect_format,
    expand_inputs,
    iter_documents,
    read_bytes,
    read_path,
    xml_root_name,
)
from casebook.model import Document, SourceFormat

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"


def _head(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()[:4096]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("case-report.nxml", SourceFormat.JATS),
        ("case.bioc.xml", SourceFormat.BIOC_XML),
        ("case.bioc.json", SourceFormat.BIOC_JSON),
        ("patients.jsonl", SourceFormat.PMC_PATIENTS),
        ("case.txt", SourceFormat.BRAT),
        ("report.txt", SourceFormat.TEXT),
        ("latin1.txt", SourceFormat.TEXT),
    ],
)
def test_detect_by_extension_and_root(name: str, fmt: SourceFormat) -> None:
    assert detect_format(FIXTURES / name, _head(name)) is fmt


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("case-report.nxml", SourceFormat.JATS),
        ("case.bioc.xml", SourceFormat.BIOC_XML),
        ("case.bioc.json", SourceFormat.BIOC_JSON),
        ("patients.jsonl", SourceFormat.PMC_PATIENTS),
        ("report.txt", SourceFormat.TEXT),
    ],
)
def test_detect_by_content_without_extension(name: str, fmt: SourceFormat) -> None:
    assert detect_format(Path("-"), _head(name)) is fmt
    assert detect_format(Path("notes.unknown"), _head(name)) is fmt


@pytest.mark.parametrize(
    ("path", "head", "code"),
    [
        ("case.ann", b"T1\tAge 0 2\t45", ErrorCode.UNSUPPORTED_FORMAT),
        ("feed.xml", b"<?xml version='1.0'?><rss/>", ErrorCode.UNSUPPORTED_FORMAT),
        ("data.json", b'{"rows": []}', ErrorCode.UNSUPPORTED_FORMAT),
        ("-", b'{"rows": []}', ErrorCode.UNSUPPORTED_FORMAT),
        ("-", b"<html><body>x</body></html>", ErrorCode.UNSUPPORTED_FORMAT),
        ("scan.txt", b"\x00\x01\x02binary", ErrorCode.BINARY_DATA),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00", ErrorCode.BINARY_DATA),
    ],
)
def test_unsupported_content(path: str, head: bytes, code: ErrorCode) -> None:
    with pytest.raises(CasebookError) as caught:
        detect_format(Path(path), head)
    assert caught.value.code is code


def test_text_starting_with_a_bracket_is_text() -> None:
    assert detect_format(Path("-"), b"[Case 1] A 40-year-old man.") is SourceFormat.TEXT


def test_xml_root_skips_prolog_comments_and_doctype() -> None:
    head = (
        b'<?xml version="1.0"?>\n<!-- <fake> -->\n'
        b'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS//EN" "JATS.dtd">\n<article>'
    )
    assert xml_root_name(head) == "article"
    assert xml_root_name(b"<?xml version='1.0'?>") is None


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    shutil.copy(FIXTURES / "report.txt", root / "b-report.txt")
    shutil.copy(FIXTURES / "case.txt", root / "sub" / "case.txt")
    shutil.copy(FIXTURES / "case.ann", root / "sub" / "case.ann")
    shutil.copy(FIXTURES / "case-report.nxml", root / "a-article.nxml")
    shutil.copy(FIXTURES / "report.txt", root / ".secret.txt")
    shutil.copy(FIXTURES / "report.txt", root / ".hidden" / "inside.txt")
    (root / "notes.md").write_text("not walked", encoding="utf-8")
    return root


def test_folder_is_walked_sorted_skipping_ann_hidden_and_unknown(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert expand_inputs([str(root)]) == [
        root / "a-article.nxml",
        root / "b-report.txt",
        root / "sub" / "case.txt",
    ]


def test_globs_stdin_missing_and_duplicates(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    inputs = [f"{root}/**/*.txt", "-", str(root / "b-report.txt"), f"{root}/*.none", "nope.txt"]
    assert expand_inputs(inputs) == [
        root / "b-report.txt",
        root / "sub" / "case.txt",
        "-",
        f"{root}/*.none",
        "nope.txt",
    ]


def test_an_explicit_file_is_kept_whatever_its_extension(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert expand_inputs([str(root / "notes.md")]) == [root / "notes.md"]


def test_iter_documents_yields_documents_and_errors_in_order(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    shutil.copy(FIXTURES / "malformed.xml", root / "c-broken.xml")
    shutil.copy(FIXTURES / "patients-bad.jsonl", root / "d-patients.jsonl")
    stdin = io.BytesIO(b"Pleuritic chest pain after a long flight.\r\n")
    items = list(iter_documents([str(root), "-", str(tmp_path / "missing")], stdin=stdin))
    summary = [
        item.code if isinstance(item, CasebookError) else (item.id, item.source.format)
        for item in items
    ]
    assert summary == [
        ("PMC9900001", SourceFormat.JATS),
        ("b-report", SourceFormat.TEXT),
        ErrorCode.MALFORMED_XML,
        ("9900004-1", SourceFormat.PMC_PATIENTS),
        ErrorCode.MALFORMED_JSON,
        ErrorCode.MALFORMED_JSON,
        ErrorCode.EMPTY_DOCUMENT,
        ("9900006-1", SourceFormat.PMC_PATIENTS),
        ("case", SourceFormat.BRAT),
        ("stdin", SourceFormat.TEXT),
        ErrorCode.PATH_NOT_FOUND,
    ]
    stdin_document = items[-2]
    assert isinstance(stdin_document, Document)
    assert stdin_document.text == "Pleuritic chest pain after a long flight.\n"
    assert stdin_document.source.path is None


def test_iter_documents_reads_every_bioc_document() -> None:
    items = list(iter_documents([str(FIXTURES / "case.bioc.xml"), str(FIXTURES / "xxe.xml")]))
    assert [i.id if isinstance(i, Document) else i.code for i in items] == [
        "PMC9900002",
        "99000003",
        ErrorCode.MALFORMED_XML,
    ]


def test_read_path_raises_and_read_bytes_sniffs() -> None:
    with pytest.raises(CasebookError) as caught:
        read_path(FIXTURES / "wrong-offsets.txt")
    assert caught.value.code is ErrorCode.ANNOTATION_MISMATCH
    (article,) = read_bytes((FIXTURES / "case-report.nxml").read_bytes())
    assert article.id == "PMC9900001"
    assert article.source.path is None
    documents = read_bytes((FIXTURES / "case.bioc.json").read_bytes())
    assert [d.id for d in documents] == ["PMC9900002", "99000003"]
    with pytest.raises(CasebookError) as caught:
        read_bytes((FIXTURES / "patients-bad.jsonl").read_bytes())
    assert caught.value.code is ErrorCode.MALFORMED_JSON
    with pytest.raises(CasebookError) as caught:
        read_bytes(b"")
    assert caught.value.code is ErrorCode.EMPTY_DOCUMENT


def test_read_path_of_a_folder_is_unsupported(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        read_path(tmp_path)
    assert caught.value.code is ErrorCode.UNSUPPORTED_FORMAT
