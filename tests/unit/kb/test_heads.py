"""The head words of the clinical vocabularies, as packaged."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import normalize_tokens
from casebook.kb.heads import head_word, load_head_words, read_head_words


def test_a_terms_head_is_the_word_before_its_first_preposition() -> None:
    assert head_word(("tear", "of", "meniscus")) == "tear"
    assert head_word(("subdural", "effusion")) == "effusion"
    assert head_word(("of",)) == "of"


def test_the_packaged_words_sort_findings_tests_procedures_and_body_parts() -> None:
    words = load_head_words()
    assert {"headache", "pneumonia"} <= words.finding_term
    assert {"effusion", "fracture", "tear"} <= words.finding
    assert {"angiography", "tomography"} <= words.test
    assert {"excision", "bypass"} <= words.procedure
    assert {"liver", "femur"} <= words.body
    assert not words.body & {"liver", "femur"} & words.finding
    assert {"creatinine", "hemoglobin", "c reactive protein"} <= words.analyte
    assert "fatty liver" in words.finding_phrase
    assert "HPO" in words.version and "ICD-10-PCS" in words.version


def test_a_file_of_another_shape_is_a_coded_error(tmp_path: Path) -> None:
    path = tmp_path / "heads.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"format": 1, "finding": []}).encode()))
    with pytest.raises(CasebookError) as caught:
        read_head_words(path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    with pytest.raises(CasebookError) as caught:
        read_head_words(tmp_path / "missing.json.gz")
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_the_packaged_words_are_in_the_form_mentions_are_read_in() -> None:
    # Words built with an older normalisation ("pancreas" where mentions now read "pancrea")
    # are never met: rebuild the file with ``python -m casebook.kb.heads``.
    words = load_head_words()
    for kind in ("finding", "finding_term", "procedure", "test", "body", "analyte"):
        found = getattr(words, kind)
        stale = [w for w in found if " ".join(normalize_tokens(w)) not in found]
        assert stale == [], kind
