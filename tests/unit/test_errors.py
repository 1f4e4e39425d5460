"""Coded errors keep their code, message and path wherever they travel."""

from __future__ import annotations

import pickle

from casebook.errors import ERROR_HELP, CasebookError, ErrorCode, library_detail


def test_every_code_has_a_hint() -> None:
    assert set(ERROR_HELP) == set(ErrorCode)
    error = CasebookError(ErrorCode.TIMED_OUT, "too slow")
    assert error.hint == ERROR_HELP[ErrorCode.TIMED_OUT]


def test_error_survives_pickling_from_a_worker_process() -> None:
    # Regression: a worker process returning or raising a CasebookError pickles it; it used to
    # come back as a TypeError because the constructor needs more than the message.
    error = CasebookError(ErrorCode.MALFORMED_XML, "mismatched tag", "case.xml")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, CasebookError)
    assert (copy.code, copy.message, copy.path) == (error.code, error.message, error.path)
    assert str(copy) == "CB-E005 case.xml: mismatched tag"


def test_library_text_travels_as_detail_never_in_the_message() -> None:
    try:
        "\ud800".encode("utf-8")
    except UnicodeEncodeError as exc:
        error = CasebookError(
            ErrorCode.PROCESSING_FAILED, "analysis failed", "a.txt", detail=library_detail(exc)
        )
    copy = pickle.loads(pickle.dumps(error))
    assert copy.detail is not None and copy.detail.startswith("UnicodeEncodeError: ")
    assert "UnicodeEncodeError" not in str(copy)
    assert copy.to_dict() == {"code": "CB-E013", "message": "analysis failed", "path": "a.txt"}
