"""Prediction-only forwards for thinc's ``Maxout``, ``LayerNorm`` and ``HashEmbed`` layers and
spaCy's ``StaticVectors``.

thinc's Maxout multiplies by weights laid out output-major (``nO × nP × nI``), then takes the
maximum over each output's ``nP`` adjacent columns in a loop that also records which piece won,
for the backward pass. A model that only predicts needs no such record: with the weights laid
out piece-major once, the product's ``nP`` blocks of ``nO`` columns are maximised by whole-row
numpy operations. LayerNorm's moments are likewise taken in fewer passes over the rows. The
outputs equal thinc's up to float rounding, and on the 150 MACCROBAT documents the mention
model's mentions are identical (BENCHMARKS.md has the time saved).

HashEmbed adds, for each token, the table rows its hashes pick, one BLAS ``axpy`` call per
token and hash: for a table as narrow as the lexicon columns' the calls cost more than the
additions. Gathering one hash's rows for all tokens at once and adding them in the same order
gives the same floats. StaticVectors finds each token's row by a binary search of the table's
keys, sorted once, where spaCy looks each key up from Python; the rows found are the same.

A layer changed here only predicts. Training it raises: its piece-major weights (and the
sorted keys of the vectors table) are copies taken when it was changed, which updates would
not reach.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy
from numpy.typing import NDArray
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vectors import Mode, Vectors
from thinc.api import Model
from thinc.types import Floats2d, Ints1d, Ragged

MAXOUT = "maxout"
LAYER_NORM = "layernorm"
HASH_EMBED = "hashembed"
STATIC_VECTORS = "static_vectors"
"""The names thinc and spaCy give the four layers."""

LAYER_NORM_EPSILON = 1e-8
"""What thinc's LayerNorm adds to each row's variance."""

Floats = NDArray[numpy.float32]
Backprop = Callable[[Floats], Floats]
Forward = Callable[[Model[Any, Any], Floats, bool], tuple[Floats, Backprop]]


def for_prediction(nlp: Language) -> Language:
    """Give every Maxout, LayerNorm and HashEmbed layer of ``nlp``'s components a
    prediction-only forward.

    Call it on a pipeline whose weights are final (a loaded model); it returns ``nlp``.
    """
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            for layer in model.walk():
                if layer.name == MAXOUT:
                    layer.replace_callbacks(piece_major_maxout(layer), init=layer.init)
                elif layer.name == LAYER_NORM:
                    layer.replace_callbacks(predict_layer_norm, init=layer.init)
                elif layer.name == HASH_EMBED:
                    layer.replace_callbacks(predict_hash_embed, init=layer.init)
                elif layer.name == STATIC_VECTORS and nlp.vocab.vectors.mode == Mode.default:
                    forward = indexed_static_vectors(cast(Vectors, nlp.vocab.vectors))
                    layer.replace_callbacks(forward, init=layer.init)
    return nlp


def piece_major_maxout(layer: Model[Any, Any]) -> Forward:
    """A forward for an initialised Maxout ``layer`` from its current weights, laid out
    piece-major."""
    outputs, pieces, inputs = (layer.get_dim(name) for name in ("nO", "nP", "nI"))
    weights = cast(Floats, layer.get_param("W"))
    bias = cast(Floats, layer.get_param("b"))
    by_piece = numpy.ascontiguousarray(weights.transpose(1, 0, 2)).reshape(pieces * outputs, inputs)
    # Stored input-major: OpenBLAS multiplies by a contiguous right factor faster than by a
    # transposed view of one.
    inputs_by_piece = numpy.ascontiguousarray(by_piece.T)
    bias_by_piece = numpy.ascontiguousarray(bias.T).reshape(pieces * outputs)

    def forward(model: Model[Any, Any], X: Floats, is_train: bool) -> tuple[Floats, Backprop]:
        _refuse_training(model, is_train)
        product = numpy.matmul(X, inputs_by_piece)
        product += bias_by_piece
        blocks = [product[:, piece * outputs : (piece + 1) * outputs] for piece in range(pieces)]
        best = blocks[0] if pieces == 1 else numpy.maximum(blocks[0], blocks[1])
        for block in blocks[2:]:
            numpy.maximum(best, block, out=best)
        return best, _no_backprop

    return forward


def predict_layer_norm(
    model: Model[Any, Any], X: Floats, is_train: bool
) -> tuple[Floats, Backprop]:
    """thinc's LayerNorm at prediction: each row centred, scaled to unit variance, then
    multiplied by ``G`` and shifted by ``b``."""
    _refuse_training(model, is_train)
    centred = X - X.mean(axis=1, keepdims=True)
    variance = numpy.einsum("ij,ij->i", centred, centred)
    variance /= X.shape[1]
    variance += LAYER_NORM_EPSILON
    centred *= (1.0 / numpy.sqrt(variance))[:, None]
    centred *= model.get_param("G")
    centred += model.get_param("b")
    return centred, _no_backprop


def predict_hash_embed(
    model: Model[Any, Any], ids: Ints1d, is_train: bool
) -> tuple[Floats, Backprop]:
    """thinc's HashEmbed at prediction: each id's rows of ``E``, picked by its hashes, added
    in hash order to a row of zeros, as thinc's ``gather_add`` adds them."""
    _refuse_training(model, is_train)
    vectors = cast(Floats, model.get_param("E"))
    summed = numpy.zeros((len(ids), vectors.shape[1]), dtype=vectors.dtype)
    if len(ids):
        contiguous = model.ops.as_contig(ids, dtype="uint64")
        keys = model.ops.hash(contiguous, model.attrs["seed"]) % vectors.shape[0]
        for column in keys.T:
            summed += numpy.take(vectors, column, axis=0)
    return summed, _no_backprop


def indexed_static_vectors(vectors: Vectors) -> Callable[[Model[Any, Any], list[Doc], bool], Any]:
    """spaCy's StaticVectors at prediction, over a table in its default mode: each token's row
    is found by a binary search of the table's keys, sorted once, where spaCy looks each key up
    from Python; the rows gathered, their product with ``W`` and the zeroed rows of unknown
    words are spaCy's."""
    key2row: dict[int, int] = vectors.key2row
    keys = numpy.fromiter(key2row.keys(), dtype=numpy.uint64, count=len(key2row))
    rows = numpy.fromiter(key2row.values(), dtype=numpy.int32, count=len(key2row))
    order = numpy.argsort(keys)
    sorted_keys, sorted_rows = keys[order], rows[order]
    attribute = getattr(vectors, "attr", ORTH)
    data = cast(Floats, vectors.data)

    def forward(model: Model[Any, Any], docs: list[Doc], is_train: bool) -> tuple[Ragged, Any]:
        _refuse_training(model, is_train)
        lengths = [len(doc) for doc in docs]
        if not sum(lengths):
            empty = Ragged(model.ops.alloc2f(0, model.get_dim("nO")), model.ops.alloc1i(0))
            return empty, _no_backprop
        token_keys = numpy.concatenate([doc.to_array(attribute) for doc in docs])
        # An unknown key's row is -1, as spaCy's ``Vectors.find`` gives it.
        token_rows = numpy.full(len(token_keys), -1, dtype="i")
        if len(sorted_keys):
            at = numpy.minimum(numpy.searchsorted(sorted_keys, token_keys), len(sorted_keys) - 1)
            known = sorted_keys[at] == token_keys
            token_rows[known] = sorted_rows[at[known]]
        weights = cast(Floats2d, model.ops.as_contig(model.get_param("W")))
        table = cast(Floats2d, numpy.ascontiguousarray(data[token_rows]))
        product = cast(Floats, model.ops.gemm(table, weights, trans2=True))
        product[token_rows < 0] = 0
        return Ragged(cast(Floats2d, product), model.ops.asarray1i(lengths)), _no_backprop

    return forward


def _refuse_training(model: Model[Any, Any], is_train: bool) -> None:
    if is_train:
        raise RuntimeError(f"this {model.name} layer only predicts (casebook.inference_layers)")


def _no_backprop(gradient: Floats) -> Floats:
    """The backward pass thinc's forward contract asks for; never reached, as training
    raises first."""
    raise RuntimeError("a prediction-only layer has no backward pass")
