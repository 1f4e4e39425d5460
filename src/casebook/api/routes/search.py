"""``/v1/search``: the stored cases most like a query case, why, and what was done for them.

No ``from __future__ import annotations`` here: the route signatures hold limits taken from the
settings, which FastAPI must see evaluated, not as strings naming a closure's variables.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import ValidationError

from casebook import service
from casebook.api.errors import ERROR_RESPONSES
from casebook.api.schemas import ErrorBody, FilterFields, SearchRequest, SearchResult
from casebook.api.state import ApiState
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Outcome, Sex
from casebook.search.hybrid import SearchFilters


def _invalid(exc: ValidationError) -> CasebookError:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'query'}: {problem['msg']}"
        for problem in exc.errors()
    )
    return CasebookError(ErrorCode.INVALID_REQUEST, problems)


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
        Outcome | None, Query(description="An outcome the case reports ('unknown' is none).")
    ] = None,
) -> SearchFilters:
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
_POST_SEARCH_RESPONSES: dict[int | str, dict[str, object]] = {
    **_SEARCH_RESPONSES,
    400: {"model": ErrorBody, "description": "A body that is not JSON."},
}


def build_router(state: ApiState) -> APIRouter:
    """The search routes; ``k`` is capped by the ``api_max_k`` setting."""
    router = APIRouter(prefix="/v1/search", tags=["search"], responses=ERROR_RESPONSES)
    store = state.settings.store
    max_k = state.settings.api_max_k

    async def answer(case: Case, k: int, filters: SearchFilters) -> SearchResult:
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
            ),
        ],
        filters: Annotated[SearchFilters, Depends(query_filters)],
        k: Annotated[int, Query(ge=1, le=max_k, description="How many similar cases.")] = min(
            10, max_k
        ),
    ) -> SearchResult:
        """The text is analysed as a case, then the store is searched with its words and its
        facts. Each hit lists the facts it shares with the query (with the words of both cases)
        and those that differ; the tally lists the hits' treatments and their outcomes.
        An empty store, or none yet, finds nothing.
        """
        (case,) = await state.analyzer.analyze([service.query_document(q)])
        return await answer(case, k, filters)

    @router.post("", summary="Find stored cases like a case", responses=_POST_SEARCH_RESPONSES)
    async def search_case(body: SearchRequest) -> SearchResult:
        """Send ``{"case": <Case JSON>}`` (as ``POST /v1/analyze`` returns it) or
        ``{"text": …}`` (analysed first), with ``k`` and the same filters as ``GET``.
        """
        if body.k > max_k:
            raise CasebookError(ErrorCode.INVALID_REQUEST, f"k: at most {max_k}")
        if body.case is not None:
            case = body.case
        else:
            (case,) = await state.analyzer.analyze([service.query_document(body.text or "")])
        return await answer(case, body.k, body.filters())

    return router
