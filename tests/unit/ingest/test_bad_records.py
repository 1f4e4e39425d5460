"""One bad record costs only itself: each is a coded error naming where it is, the rest are read.

Regression tests for issue 19 ("one bad record aborts a whole batch and stores nothing"): each
input class the tester found, written by the test, next to good records.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from casebook import service
from casebook.components import pipeline_from_names
from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.brat import parse_ann
from casebook.ingest.detect import iter_documents
from casebook.ingest.jats import MAX_XML_DEPTH
from casebook.model import Case, Document

_PIPELINE = pipeline_from_names(("sections", "sentences", "patient"))


def _analyze(document: Document) -> Case:
    return _PIPELINE(document)


def _patient(uid: str, **changes: object) -> str:
    record: dict[str, object] = {
        "patient_uid": uid,
        "pmid": 100,
        "title": "Fever",
        "text": "A 40-year-old man had fever and a cough for three days.",
        "age": [[40.0, "year"]],
        "sex": "M",
    }
    record.update(changes)
    return json.dumps(record)


NESTED = "[" * 100_000 + "]" * 100_000

BAD_LINES: dict[str, tuple[str, ErrorCode]] = {
    # JSON escapes of unpaired surrogates: valid JSON, but no character of any text.
    "lone surrogate in the id": (
        _patient("100-2").replace("100-2", "\\ud800-2"),
        ErrorCode.UNDECODABLE_TEXT,
    ),
    "lone surrogate in the text": (
        _patient("100-2", text="Fever SURROGATE").replace("SURROGATE", "\\udfff"),
        ErrorCode.UNDECODABLE_TEXT,
    ),
    "NaN age": (_patient("100-2").replace("40.0", "NaN"), ErrorCode.MALFORMED_JSON),
    "infinite age": (_patient("100-2").replace("40.0", "Infinity"), ErrorCode.MALFORMED_JSON),
    "age past any float": (_patient("100-2").replace("40.0", "9" * 400), ErrorCode.MALFORMED_JSON),
    "100k nested brackets": (
        f'{{"patient_uid": "100-2", "text": {NESTED}}}',
        ErrorCode.MALFORMED_JSON,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_LINES))
def test_a_bad_pmc_patients_line_is_an_error_for_that_line_only(tmp_path: Path, name: str) -> None:
    line, code = BAD_LINES[name]
    path = tmp_path / "patients.jsonl"
    path.write_text("\n".join([_patient("100-1"), line, _patient("100-3")]) + "\n")
    items = list(iter_documents([str(path)]))
    assert [i.id for i in items if isinstance(i, Document)] == ["100-1", "100-3"]
    (error,) = [i for i in items if isinstance(i, CasebookError)]
    assert error.code is code
    assert error.path == str(path) and error.message.startswith("line 2: ")


def test_control_characters_in_a_patient_text_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "patients.jsonl"
    text = "A 40-year-old man\u0000 had fever and a cough for three days.\u001b[2J"
    path.write_text(_patient("100-1", text=text) + "\n")
    (document,) = iter_documents([str(path)])
    assert isinstance(document, Document)
    assert document.text == "A 40-year-old man had fever and a cough for three days.[2J"


def _jats(body: str, declaration: str = "") -> str:
    return (
        f"{declaration}<article><front><article-meta><title-group><article-title>Fever"
        f"</article-title></title-group></article-meta></front><body>{body}</body></article>"
    )


BAD_FILES: dict[str, tuple[str, str, ErrorCode]] = {
    "10,000 nested <sec>s": (
        "deep.nxml",
        _jats("<sec><p>Fever.</p>" * 10_000 + "</sec>" * 10_000),
        ErrorCode.MALFORMED_XML,
    ),
    "an unknown declared encoding": (
        "encoding.nxml",
        _jats("<p>Fever.</p>", '<?xml version="1.0" encoding="x-no-such-encoding"?>'),
        ErrorCode.MALFORMED_XML,
    ),
    "a multi-byte declared encoding": (
        "shift-jis.nxml",
        _jats("<p>Fever.</p>", '<?xml version="1.0" encoding="shift_jis"?>'),
        ErrorCode.MALFORMED_XML,
    ),
    "100k nested brackets in BioC JSON": (
        "deep.json",
        f'{{"documents": [{{"id": "d1", "passages": {NESTED}}}]}}',
        ErrorCode.MALFORMED_JSON,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_an_error_and_the_batch_goes_on(tmp_path: Path, name: str) -> None:
    filename, content, code = BAD_FILES[name]
    (tmp_path / filename).write_text(content, encoding="utf-8")
    (tmp_path / "good.txt").write_text("A 40-year-old man had fever.\n", encoding="utf-8")
    items = list(iter_documents([str(tmp_path / filename), str(tmp_path / "good.txt")]))
    assert [i.id for i in items if isinstance(i, Document)] == ["good"]
    (error,) = [i for i in items if isinstance(i, CasebookError)]
    assert (error.code, error.path) == (code, str(tmp_path / filename))


def test_the_unknown_encoding_is_named_only_in_the_detail(tmp_path: Path) -> None:
    filename, content, _ = BAD_FILES["an unknown declared encoding"]
    (tmp_path / filename).write_text(content, encoding="utf-8")
    (error,) = iter_documents([str(tmp_path / filename)])
    assert isinstance(error, CasebookError)
    assert "LookupError" not in error.message
    assert error.detail == "LookupError: unknown encoding: x-no-such-encoding"


def test_nesting_as_deep_as_articles_go_is_read(tmp_path: Path) -> None:
    depth = MAX_XML_DEPTH - 10
    path = tmp_path / "nested.nxml"
    path.write_text(_jats("<sec><p>Fever.</p>" * depth + "</sec>" * depth), encoding="utf-8")
    (document,) = iter_documents([str(path)])
    assert isinstance(document, Document) and document.text.count("Fever.") == depth


def test_one_bad_bioc_document_costs_only_itself(tmp_path: Path) -> None:
    collection = {
        "documents": [
            {"id": "d1", "passages": [{"offset": 0, "text": "Fever and cough."}]},
            {"id": "d2", "passages": [{"offset": 10, "text": "a"}, {"offset": 0, "text": "b"}]},
            {"id": "d3", "passages": [{"offset": 0, "text": "Rash \ud800"}]},
            {"id": "d4", "passages": [{"offset": 0, "text": "Chest pain."}]},
        ]
    }
    path = tmp_path / "collection.json"
    path.write_text(json.dumps(collection), encoding="utf-8")
    items = list(iter_documents([str(path)]))
    assert [i.id for i in items if isinstance(i, Document)] == ["d1", "d4"]
    assert [i.code for i in items if isinstance(i, CasebookError)] == [
        ErrorCode.MALFORMED_JSON,
        ErrorCode.UNDECODABLE_TEXT,
    ]


def test_a_repeated_id_in_one_input_gets_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "patients.jsonl"
    path.write_text("\n".join([_patient("100-1"), _patient("100-2"), _patient("100-1")]) + "\n")
    with caplog.at_level(logging.WARNING, logger="casebook.ingest"):
        ids = [i.id for i in iter_documents([str(path)]) if isinstance(i, Document)]
    assert ids == ["100-1", "100-2", "100-1"]
    assert [r.getMessage() for r in caplog.records] == [
        f"{path}: id 100-1 was already read earlier in this input; where cases are kept by id "
        "(the store, extract's files) this one replaces it"
    ]


def test_trailing_whitespace_in_stored_entity_text_is_read_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = "Given 8 mg daily."
    with caplog.at_level(logging.WARNING, logger="casebook.ingest"):
        annotations = parse_ann("T145\tDosage 6 10\t8 mg\t \n", text, "x.ann")
    (entity,) = annotations.entities
    assert entity.text == "8 mg"
    assert caplog.records[0].getMessage() == (
        "x.ann: line 1: T145: the stored text differs from the text at its offsets only by "
        "trailing whitespace; the offsets are used"
    )
    with pytest.raises(CasebookError) as caught:
        parse_ann("T1\tDosage 6 10\t8 mgX\n", text, "x.ann")
    assert caught.value.code is ErrorCode.ANNOTATION_MISMATCH


def test_add_stores_every_good_record_past_each_bad_one(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    lines = [_patient("100-1"), *(line for line, _ in BAD_LINES.values()), _patient("100-9")]
    (folder / "patients.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for filename, content, _ in BAD_FILES.values():
        (folder / filename).write_text(content, encoding="utf-8")
    (folder / "good.txt").write_text("A 7-year-old girl had a rash.\n", encoding="utf-8")
    store = tmp_path / "cases.duckdb"
    result = service.add([str(folder)], store, analyze=_analyze, index=False)
    assert sorted(result.added) == ["100-1", "100-9", "good"]
    assert len(result.failed) == len(BAD_LINES) + len(BAD_FILES)
    assert service.count_cases(store) == 3
