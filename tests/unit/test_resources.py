"""Rule files: read whole and as written, or refused with a coded error."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.icd10cm import IndexTerms
from casebook.resources import load_rules


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    # JSON keeps the last of two equal keys: terms added under a code the file already lists
    # would silently replace that code's own.
    path = tmp_path / "index.json"
    path.write_text(
        '{"version": "1", "source": "test", "terms": {"I10": ["hypertension"], '
        '"I10": ["high blood pressure"]}}',
        encoding="utf-8",
    )
    with pytest.raises(CasebookError) as raised:
        load_rules(path, IndexTerms)
    assert raised.value.code is ErrorCode.INVALID_RESOURCE
    assert "'I10' is given twice" in str(raised.value)


def test_the_packaged_index_terms_are_read() -> None:
    terms = load_rules("icd10cm_index.json", IndexTerms).terms
    assert "large B-cell lymphoma" in terms["C83.30"]
