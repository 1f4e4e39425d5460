"""Vocabulary matches as the mention model's input features: tagging, saving, the guard."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st

from casebook.nlp.lexicon_features import (
    BEGIN,
    EXTENSION,
    INSIDE,
    LAST,
    OUTSIDE,
    UNIT,
    LexiconFeatures,
    build_trie,
    lexicon_hash_embed,
    tag_words,
)

TERMS = {
    "hpo": [["headache"], ["post", "dural", "puncture", "headache"]],
    "pcs": [["bone", "marrow"], ["bone", "marrow", "biopsy"], ["blood", "patch"]],
}


def _component() -> LexiconFeatures:
    nlp = spacy.blank("en")
    component = LexiconFeatures(nlp.vocab, "lexicon_features", ["hpo", "pcs"])
    component.set_terms(TERMS)
    return component


def test_the_longest_term_covering_a_token_gives_its_biluo_tag() -> None:
    words = ["a", "bone", "marrow", "biopsy", "and", "a", "post", "dural", "puncture", "headache"]
    assert tag_words(words, build_trie(TERMS["pcs"])) == [
        OUTSIDE, BEGIN, INSIDE, LAST, OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE, OUTSIDE,
    ]  # fmt: skip
    assert tag_words(words, build_trie(TERMS["hpo"]))[6:] == [BEGIN, INSIDE, INSIDE, LAST]


def test_a_one_word_term_is_a_unit_and_a_partial_term_matches_nothing() -> None:
    trie = build_trie(TERMS["hpo"] + TERMS["pcs"])
    assert tag_words(["headache", "after", "blood", "transfusion"], trie) == [
        UNIT, OUTSIDE, OUTSIDE, OUTSIDE,
    ]  # fmt: skip


@given(st.lists(st.sampled_from(["bone", "marrow", "biopsy", "blood", "patch", "x"]), max_size=30))
def test_tags_always_form_well_formed_biluo_runs(words: list[str]) -> None:
    tags = tag_words(words, build_trie(TERMS["pcs"]))
    assert len(tags) == len(words)
    open_run = False
    for tag in tags:
        if open_run:
            assert tag in (INSIDE, LAST)
            open_run = tag == INSIDE
        else:
            assert tag in (OUTSIDE, BEGIN, UNIT)
            open_run = tag == BEGIN
    assert not open_run


def test_the_component_writes_one_column_per_vocabulary_and_survives_a_save(
    tmp_path: Path,
) -> None:
    component = _component()
    nlp = spacy.blank("en")
    doc = component(nlp.make_doc("Blood patch for a headache"))
    assert doc._.get(EXTENSION).tolist() == [[0, BEGIN], [0, LAST], [0, 0], [0, 0], [UNIT, 0]]

    component.to_disk(tmp_path / "lexicon")
    loaded = LexiconFeatures(nlp.vocab, "lexicon_features", ["hpo", "pcs"])
    loaded.from_disk(tmp_path / "lexicon")
    again = loaded(nlp.make_doc("Blood patch for a headache"))
    assert again._.get(EXTENSION).tolist() == doc._.get(EXTENSION).tolist()
    assert loaded.terms == component.terms and loaded.to_bytes() == component.to_bytes()


def test_terms_must_name_exactly_the_components_vocabularies() -> None:
    component = _component()
    with pytest.raises(ValueError, match="expected"):
        component.set_terms({"hpo": []})


def test_the_embedding_refuses_a_doc_the_lexicon_component_has_not_tagged() -> None:
    nlp = spacy.blank("en")
    model = lexicon_hash_embed(
        width=8,
        attrs=["NORM"],
        rows=[50],
        include_static_vectors=False,
        lexicon_columns=2,
        lexicon_width=4,
    )
    tagged = _component()(nlp.make_doc("blood patch"))
    model.initialize(X=[tagged])
    assert model.predict([tagged])[0].shape == (2, 8)
    with pytest.raises(ValueError, match="lexicon_features"):
        model.predict([nlp.make_doc("blood patch")])
