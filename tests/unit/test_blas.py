"""The mention model's matrix products through numpy's BLAS give thinc's results."""

from __future__ import annotations

import numpy
import pytest
from thinc.api import NumpyOps

from casebook.blas import OpenBlasOps, one_blas_thread
from casebook.nlp.mentions import MentionExtractor


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
def test_gemm_matches_thincs_for_every_transposition(trans1: bool, trans2: bool) -> None:
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((7, 5) if not trans1 else (5, 7)).astype("float32")
    y = rng.standard_normal((5, 3) if not trans2 else (3, 5)).astype("float32")
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    with one_blas_thread():
        got = OpenBlasOps().gemm(x, y, trans1=trans1, trans2=trans2)
        written = numpy.zeros((7, 3), dtype="float32")
        OpenBlasOps().gemm(x, y, out=written, trans1=trans1, trans2=trans2)
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    numpy.testing.assert_allclose(written, expected, rtol=1e-5, atol=1e-5)


def test_the_shipped_mention_model_multiplies_with_openblas() -> None:
    nlp = MentionExtractor().nlp
    models = [pipe.model for _, pipe in nlp.pipeline if hasattr(pipe, "model")]
    layers = [layer for model in models for layer in model.walk()]
    assert layers
    assert all(isinstance(layer.ops, OpenBlasOps) for layer in layers)
