"""The analysis pipelines, built once per process, and analysis of documents and texts."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, BinaryIO

from casebook.config import DEFAULT_MAX_CHARS, mention_model
from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.model import Case, Document
from casebook.pipeline_fingerprint import pipeline_fingerprint
from casebook.service.inputs import query_document, read_inputs

if TYPE_CHECKING:
    from casebook.care import CareReport
    from casebook.nlp.pipeline import Pipeline


logger = logging.getLogger(__name__)


GC_YOUNG_THRESHOLD = 10_000
"""Allocations between two collections of the garbage collector's youngest generation."""


def default_pipeline() -> Pipeline:
    """The default pipeline with the chosen mention model (``CASEBOOK_MENTION_MODEL``), built
    (and contract-checked) once per process and model.

    Raises:
        CasebookError: ``CB-E026`` when ``CASEBOOK_MENTION_MODEL`` names no shipped model.
    """
    return _pipeline_with(mention_model())


@cache
def _pipeline_with(mention_model: str) -> Pipeline:
    """The default pipeline whose ``mentions`` component runs ``mention_model``.

    Its models and vocabularies live as long as the process, so they are moved out of the
    garbage collector's sight (``gc.freeze``): otherwise every full collection walks their
    millions of objects. Analysing a document allocates some hundred thousand short-lived
    objects, so the youngest generation is collected every ``GC_YOUNG_THRESHOLD`` of them
    rather than every 700 (Python's default). BENCHMARKS.md has the measurements.
    """
    # The collector is off while the pipeline's modules and models load: each of its full
    # collections would walk every object loaded so far, and loading leaves no garbage for it
    # to find. For the same reason no collection runs before the freeze.
    enabled = gc.isenabled()
    gc.disable()
    try:
        from casebook.components import pipeline_from_names

        pipeline = pipeline_from_names(mention_model=mention_model)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    return pipeline


def analyze_document(document: Document, deadline: float | None = None) -> Case:
    """Analyse one document with the default pipeline, stopping at ``deadline``
    (``time.monotonic()``) if given; the case records the pipeline's fingerprint.

    Raises:
        CasebookError: ``CB-E013`` when a component fails on this document; ``CB-E020`` when
            the deadline passes.
    """
    try:
        case = default_pipeline()(document, deadline)
        case.pipeline = pipeline_fingerprint()
        return case
    except CasebookError:
        raise
    except Exception as exc:  # a bug in one component must not hide which document hit it
        raise processing_error("analysis", exc, document) from exc


def processing_error(what: str, exc: BaseException, document: Document) -> CasebookError:
    """An unexpected failure on one document as a coded error in casebook's words.

    The exception's own text goes to ``detail`` (``--debug``) and the DEBUG log: it can be long,
    quote the document, or mean nothing to a user. The document is named by its file and id.
    """
    logger.debug("%s failed on %s", what, document.id, exc_info=exc)
    where = f"{document.source.path}: {document.id}" if document.source.path else document.id
    return CasebookError(
        ErrorCode.PROCESSING_FAILED,
        f"{what} failed unexpectedly ({type(exc).__name__})",
        where,
        detail=library_detail(exc),
    )


@cache
def _assertion_pipeline() -> Pipeline:
    from casebook.components import pipeline_from_names
    from casebook.nlp.pipeline import PROVIDED_BY_READER

    return pipeline_from_names(
        ("sections", "sentences", "assertion"), provided=PROVIDED_BY_READER | {"mentions"}
    )


def assert_mentions(case: Case) -> Case:
    """Set the assertion of mentions a case already holds (sections, sentences, assertion).

    Used by the evaluation harness, which supplies gold mentions and scores only assertion.
    """
    return _assertion_pipeline().run(case)


@cache
def _relation_pipeline() -> Pipeline:
    from casebook.components import pipeline_from_names
    from casebook.nlp.pipeline import PROVIDED_BY_READER

    return pipeline_from_names(
        ("sections", "sentences", "assertion", "attributes", "relations", "temporal", "summary"),
        provided=PROVIDED_BY_READER | {"mentions"},
    )


def relate_mentions(case: Case) -> Case:
    """Relations, time, order and summary of the mentions a case already holds.

    Used by the evaluation harness, which supplies gold mentions and scores relations and
    the timeline apart from entity recognition.
    """
    return _relation_pipeline().run(case)


def analyze_inputs(
    inputs: Sequence[str], stdin: BinaryIO | None = None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[Case | CasebookError]:
    """Analyse every document the inputs name, in order, yielding errors in their place."""
    documents, errors = read_inputs(inputs, stdin, max_chars=max_chars)
    yield from errors
    for document in documents:
        try:
            yield analyze_document(document)
        except CasebookError as error:
            yield error


def care_check(
    inputs: Sequence[str], stdin: BinaryIO | None = None, *, max_chars: int = DEFAULT_MAX_CHARS
) -> Iterator[CareReport | CasebookError]:
    """Analyse each document and check it against the CARE checklist, errors in their place."""
    from casebook.care import check_care

    for result in analyze_inputs(inputs, stdin, max_chars=max_chars):
        yield result if isinstance(result, CasebookError) else check_care(result)


def analyze_text(text: str, case_id: str = "query", *, max_chars: int = DEFAULT_MAX_CHARS) -> Case:
    """Analyse a piece of free text, such as a search query, as a plain-text case.

    Raises:
        CasebookError: ``CB-E002`` when the text is blank; ``CB-E017`` when it is longer than
            ``max_chars``; ``CB-E013`` when analysis fails.
    """
    return analyze_document(query_document(text, case_id, max_chars=max_chars))
