"""Prediction-only Maxout, LayerNorm, HashEmbed and StaticVectors forwards give thinc's and
spaCy's outputs and refuse training."""

from __future__ import annotations

from typing import Any

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from spacy.ml.staticvectors import StaticVectors
from spacy.tokens import Doc
from spacy.vocab import Vocab
from thinc.api import HashEmbed, LayerNorm, Maxout, Model, chain

from casebook.inference_layers import (
    indexed_static_vectors,
    piece_major_maxout,
    predict_hash_embed,
    predict_layer_norm,
)
from casebook.nlp.mentions import MentionExtractor


def _initialised(model: Model[Any, Any], rows: int, inputs: int, seed: int) -> NDArray[Any]:
    """``rows`` inputs for ``model``, whose parameters are drawn at random (biases too)."""
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((max(rows, 1), inputs)).astype("float32") * 3 + 1
    model.initialize(X=X)
    for layer in model.walk():
        for name in layer.param_names:
            shape = layer.get_param(name).shape
            layer.set_param(name, rng.standard_normal(shape).astype("float32"))
    return X[:rows]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(0, 40),
    inputs=st.integers(1, 24),
    outputs=st.integers(1, 12),
    pieces=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_maxout_and_layer_norm_predict_what_thinc_predicts(
    rows: int, inputs: int, outputs: int, pieces: int, seed: int
) -> None:
    model = chain(Maxout(outputs, inputs, nP=pieces), LayerNorm(nI=outputs))
    X = _initialised(model, rows, inputs, seed)
    expected = model.predict(X)
    maxout, layer_norm = model.layers
    maxout.replace_callbacks(piece_major_maxout(maxout), init=maxout.init)
    layer_norm.replace_callbacks(predict_layer_norm, init=layer_norm.init)
    got = model.predict(X)
    assert got.shape == expected.shape == (rows, outputs)
    numpy.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(0, 40),
    table_rows=st.integers(1, 64),
    width=st.integers(1, 24),
    seed=st.integers(0, 2**16),
)
def test_hash_embed_predicts_the_very_floats_thinc_predicts(
    rows: int, table_rows: int, width: int, seed: int
) -> None:
    embed = HashEmbed(width, table_rows, seed=seed % 100)
    rng = numpy.random.default_rng(seed)
    ids = rng.integers(0, 2**63, size=rows, dtype=numpy.uint64)
    embed.initialize()
    embed.set_param("E", rng.standard_normal((table_rows, width)).astype("float32"))
    expected = embed.predict(ids)
    embed.replace_callbacks(predict_hash_embed, init=embed.init)
    got = embed.predict(ids)
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape == (rows, width)
    assert got.tobytes() == expected.tobytes()


def test_static_vectors_predict_the_very_floats_spacy_predicts() -> None:
    rng = numpy.random.default_rng(0)
    vocab = Vocab()
    for word in ["fever", "rash", "cough", "pain"]:
        vocab.set_vector(word, rng.standard_normal(6).astype("float32"))
    docs = [Doc(vocab, words=["fever", "and", "rash"]), Doc(vocab, words=["pain", "cough", "x"])]
    layer = StaticVectors(4, 6)
    layer.initialize(X=docs)
    expected = layer.predict(docs)
    layer.replace_callbacks(indexed_static_vectors(vocab.vectors), init=layer.init)
    got = layer.predict(docs)
    assert got.data.tobytes() == expected.data.tobytes()
    assert got.lengths.tolist() == expected.lengths.tolist() == [3, 3]
    assert not got.data[1].any()  # "and" has no vector


def test_a_prediction_only_layer_refuses_to_train() -> None:
    maxout = Maxout(4, 6, nP=3)
    X = _initialised(maxout, 5, 6, 0)
    maxout.replace_callbacks(piece_major_maxout(maxout), init=maxout.init)
    with pytest.raises(RuntimeError, match="only predicts"):
        maxout.begin_update(X)


def test_the_loaded_mention_model_only_predicts() -> None:
    nlp = MentionExtractor().nlp
    doc = nlp("An epidural blood patch gave full recovery.")
    assert [ent.text for ent in doc.ents]
    with pytest.raises(RuntimeError, match="only predicts"):
        nlp.get_pipe("tok2vec").model.begin_update([doc])  # type: ignore[attr-defined]
