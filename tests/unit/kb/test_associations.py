"""The clinical review of the ICD-10-CM association lexicon: rejected links are never used."""

from __future__ import annotations

from casebook.kb.associations import rejected_links, reviewed
from casebook.kb.icd10cm import load_icd10cm


def test_necrosis_is_never_coded_as_gangrene_by_the_lexicon() -> None:
    assert ("necrosis", "I96") in rejected_links()
    assert "necrosis" not in reviewed({"necrosis": {"I96": 0.83}})


def test_reviewing_keeps_every_link_not_rejected() -> None:
    learnt = {"fever": {"R50.9": 0.95}, "asthenia": {"R63.0": 0.51, "R53.1": 0.84}}
    assert reviewed(learnt) == {"fever": {"R50.9": 0.95}, "asthenia": {"R53.1": 0.84}}


def test_every_rejected_code_is_an_icd10cm_2026_code() -> None:
    vocabulary = load_icd10cm()
    assert all(code in vocabulary for _, code in rejected_links())
