"""Matrix products on one OpenBLAS thread, for every model casebook runs.

thinc's ``NumpyOps`` multiplies matrices with ``blis``, whose kernels are slower than numpy's
OpenBLAS for the mention model's shapes (about 500 tokens × 480 features × 288 outputs) on the
x86-64 machines casebook is measured on (BENCHMARKS.md). ``OpenBlasOps`` sends those products
to numpy instead, with the same results up to float rounding. OpenBLAS's idle threads spin
after each product and their CPU time lands on whatever runs next, so products run on one
thread (``one_blas_thread``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache
from typing import Any, cast

import numpy
from numpy.typing import NDArray
from spacy.language import Language
from thinc.api import Model, NumpyOps
from thinc.types import Floats2d
from threadpoolctl import ThreadpoolController


@cache
def _controller() -> ThreadpoolController:
    """The controller of the BLAS libraries numpy loaded (built once: it inspects them)."""
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which BLAS products run on one thread."""
    limit: AbstractContextManager[Any] = _controller().limit(limits=1, user_api="blas")
    return limit


class OpenBlasOps(NumpyOps):  # type: ignore[misc]  # thinc's Cython ops have no stubs
    """``NumpyOps`` whose matrix products go through numpy's BLAS instead of blis."""

    name = "casebook-openblas"

    def gemm(
        self,
        x: Floats2d,
        y: Floats2d,
        out: Floats2d | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> Floats2d:
        """``x @ y``, either side transposed first when asked; written to ``out`` if given."""
        left = cast(NDArray[numpy.float32], x.T if trans1 else x)
        right = cast(NDArray[numpy.float32], y.T if trans2 else y)
        if out is None:
            return cast(Floats2d, numpy.matmul(left, right))
        numpy.matmul(left, right, out=cast(NDArray[numpy.float32], out))
        return out


def use_openblas(nlp: Language) -> Language:
    """Make every thinc layer of ``nlp``'s components multiply with ``OpenBlasOps``."""
    ops = OpenBlasOps()
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            for layer in model.walk():
                layer.ops = ops
    return nlp
