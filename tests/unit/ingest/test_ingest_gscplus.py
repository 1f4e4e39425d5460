"""GSC+ reader: blocks of id, text and HPO spans, checked against the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.gscplus import GscPlusTerm, read_gscplus

FIXTURE = Path(__file__).parents[2] / "fixtures" / "ingest" / "gscplus.tsv"


def test_each_block_is_a_document_with_its_terms_at_their_offsets() -> None:
    first, second = read_gscplus(FIXTURE)
    assert (first.id, second.id) == ("doc-1", "doc-2")
    assert first.terms == (
        GscPlusTerm(10, 23, "short stature", "HP:0004322"),
        GscPlusTerm(28, 36, "seizures", "HP:0001250"),
    )
    assert all(first.text[t.start : t.end] == t.text for t in first.terms)
    assert second.text == "No phenotype is named here." and second.terms == ()


@pytest.mark.parametrize(
    "content",
    [
        "doc-1\nA boy had seizures.\n10\t18\tfever\tHP:0001945\n",  # words differ from the text
        "doc-1\nA boy had seizures.\n10\tx\tseizures\tHP:0001250\n",  # offset not a number
        "doc-1\n\n",  # no text
        "doc-1\nA text.\n\ndoc-1\nAgain.\n",  # repeated id
    ],
)
def test_a_malformed_file_is_a_coded_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "gsc.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CasebookError) as raised:
        read_gscplus(path)
    assert raised.value.code is ErrorCode.MALFORMED_DATASET
