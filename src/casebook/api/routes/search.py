"""``/v1/search``: the stored cases most like a query case, why, and what was done for them.

No ``from __future__ import annotations`` here: the route signatures hold limits taken from the
settings, which FastAPI must see evaluated, not as strings naming a closure's variables.
"""

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field, ValidationError, create_model

from casebook import service
from casebook.api.errors import ERROR_RESPONSES
from casebook.api.schemas import (
    NOT_BLANK,
    ErrorBody,
    FilterFields,
    ReportedOutcome,
    SearchRequest,
    SearchResult,
)
from casebook.api.state import ApiState
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Sex


def _invalid(exc: ValidationError) -> CasebookError:
    return _described(exc.errors())


def _described(problems: Sequence[Mapping[str, Any]]) -> CasebookError:
    # Where and what, never the offending input: it may be case text.
    return CasebookError(
        ErrorCode.INVALID_REQUEST,
        "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'query'}: {problem['msg']}"
            for problem in problems
        ),
    )


def query_filters(
    age_min: Annotated[float | None, Query(ge=0, description="Youngest patient age.")] = None,
    age_max: Annotated[float | None, Query(ge=0, description="Oldest patient age.")] = None,
    sex: Annotated[Sex | None, Query(description="The patient's sex.")] = None,
    code: Annotated[
        list[str] | None,
        Query(
            description="A code the case must hold, with its descendants: G96.0 (ICD-10-CM), "
            "HP:0002315 (HPO) or icd10pcs:CODE. Repeat for several."
        ),
    ] = None,
    has_procedure: Annotated[
        str | None, Query(min_length=1, description="Words of a treatment the patient had.")
    ] = None,
    has_outcome: Annotated[
        ReportedOutcome | None, Query(description="An outcome the case reports.")
    ] = None,
) -> service.SearchFilters:
    """The search filters of a query string, checked like those of a JSON body."""
    try:
        fields = FilterFields(
            age_min=age_min,
            age_max=age_max,
            sex=sex,
            code=code or [],
            has_procedure=has_procedure,
            has_outcome=has_outcome,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    return fields.filters()


_SEARCH_RESPONSES: dict[int | str, dict[str, object]] = {
    504: {"model": ErrorBody, "description": "Analysing the query took too long."},
}


MAX_QUERY_CHARS = 1_000
"""The longest ``q`` of ``GET /v1/search``: a description in a URL, whose request head the
server reads up to 16 KiB even when every character is percent-encoded. Longer text goes in
the body of ``POST /v1/search``."""


def _as_json_schema_reads(model: type[BaseModel], raw: bytes) -> None:
    """Check a JSON body as its JSON Schema reads it, where pydantic's lax reading is wider.

    A number is a number: ``true`` or ``"3"`` is not one (lax pydantic takes them), and ``36.0``
    is an integer (strict pydantic refuses it).

    Raises:
        CasebookError: ``CB-E019`` naming where the body breaks its schema.
    """
    try:
        model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        problems = [
            problem
            for problem in exc.errors()
            if not (
                problem["type"] == "int_type"
                and isinstance(problem["input"], float)
                and problem["input"].is_integer()
            )
        ]
        if problems:
            raise _described(problems) from None


def _within(case: Case, max_chars: int) -> Case:
    """The query case, when its text is no longer than the documents casebook reads."""
    if len(case.text) > max_chars:
        raise CasebookError(
            ErrorCode.REQUEST_TOO_LARGE,
            f"the query case holds {len(case.text):,} characters; casebook reads at most "
            f"{max_chars:,} (CASEBOOK_MAX_CHARS)",
        )
    return case


def build_router(state: ApiState) -> APIRouter:
    """The search routes; ``k`` is capped by the ``api_max_k`` setting."""
    router = APIRouter(prefix="/v1/search", tags=["search"], responses=ERROR_RESPONSES)
    store = state.settings.store
    max_k = state.settings.api_max_k
    max_chars = state.settings.max_chars
    # The body's schema says how many hits this server gives, as the query string's does.
    body_model = create_model(
        "SearchRequest",
        __base__=SearchRequest,
        __doc__=SearchRequest.__doc__,
        k=(int, Field(default=min(10, max_k), ge=1, le=max_k, description="How many hits.")),
    )

    async def answer(case: Case, k: int, filters: service.SearchFilters) -> SearchResult:
        found = await state.in_store(service.precedent, store, case, k, filters)
        return SearchResult(
            similar=found.similar, tally=found.tally, empty_reason=found.empty_reason
        )

    @router.get("", summary="Find stored cases like a description", responses=_SEARCH_RESPONSES)
    async def search_text(
        q: Annotated[
            str,
            Query(
                min_length=1,
                description="The case in words, e.g. 'headache after lumbar puncture'.",
                max_length=MAX_QUERY_CHARS,
                json_schema_extra={"pattern": NOT_BLANK},
            ),
        ],
        filters: Annotated[service.SearchFilters, Depends(query_filters)],
        k: Annotated[int, Query(ge=1, le=max_k, description="How many similar cases.")] = min(
            10, max_k
        ),
    ) -> SearchResult:
        """The text is analysed as a case, then the store is searched with its words and its
        facts. Each hit lists the facts it shares with the query (with the words of both cases)
        and those that differ; the tally lists the hits' treatments and their outcomes.
        An empty store, or none yet, finds nothing.
        """
        query = service.query_document(q, max_chars=max_chars)
        (case,) = await state.analyzer.analyze([query])
        return await answer(case, k, filters)

    @router.post("", summary="Find stored cases like a case", responses=_SEARCH_RESPONSES)
    async def search_case(request: Request, body: body_model) -> SearchResult:
        """Send ``{"case": <Case JSON>}`` (as ``POST /v1/analyze`` returns it) or
        ``{"text": …}`` (analysed first), with ``k`` and the same filters as ``GET``.
        """
        _as_json_schema_reads(body_model, await request.body())
        if body.case is not None:
            case = _within(body.case, max_chars)
        else:
            query = service.query_document(body.text or "", max_chars=max_chars)
            (case,) = await state.analyzer.analyze([query])
        return await answer(case, body.k, body.filters())

    return router
