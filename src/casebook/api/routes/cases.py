"""``/v1/cases``: the case store over HTTP (add, list, get, delete).

No ``from __future__ import annotations`` here: the route signatures hold limits taken from the
settings, which FastAPI must see evaluated, not as strings naming a closure's variables.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from casebook import service
from casebook.api.errors import ERROR_RESPONSES
from casebook.api.inputs import REQUEST_BODY, read_documents
from casebook.api.routes.analyze import FHIR_MEDIA_TYPE, FHIR_RESPONSE
from casebook.api.schemas import (
    MAX_ID_CHARS,
    MAX_OFFSET,
    AddReport,
    CaseList,
    CaseListItem,
    ErrorBody,
)
from casebook.api.state import ApiState
from casebook.model import Case, Sex

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "The store holds no such case."}
}

CaseId = Annotated[str, Path(max_length=MAX_ID_CHARS, description="The case's id.")]
"""A case id in a path, capped in length like the ids the API stores."""


def build_router(state: ApiState) -> APIRouter:
    """The case store routes; ``limit`` is capped by the ``api_max_k`` setting."""
    router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)
    store = state.settings.store

    @router.post(
        "",
        status_code=201,
        summary="Analyse documents into the case store",
        openapi_extra={"requestBody": REQUEST_BODY},
        responses={
            409: {
                "model": ErrorBody,
                "description": "A document's id is stored with another text (CB-E021); "
                "nothing was stored.",
            },
            415: {"model": ErrorBody, "description": "Neither JSON nor multipart."},
            504: {"model": ErrorBody, "description": "The analysis took too long."},
        },
    )
    async def add_cases(
        request: Request,
        replace: Annotated[
            bool,
            Query(
                description="Replace a stored case whose id a document shares but whose text "
                "differs (else the request answers 409)."
            ),
        ] = False,
    ) -> AddReport:
        """Send JSON ``{"text": …}`` or upload a file (``file``); every document it holds is
        analysed and stored. A case already stored with the same content is left as it is; a
        document whose id (an upload's file name) is stored with another text is refused with
        409 unless ``replace`` is true.
        """
        documents = await read_documents(request, state.settings)
        cases = await state.analyzer.analyze(documents)
        result = await state.in_store(service.store_cases, cases, store, replace=replace)
        return AddReport(added=result.added, unchanged=result.unchanged, replaced=result.replaced)

    @router.get("", summary="List the stored cases")
    async def list_cases(
        limit: Annotated[int, Query(ge=1, le=state.settings.api_max_k)] = min(
            20, state.settings.api_max_k
        ),
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> CaseList:
        """One page of the stored cases, sorted by id."""

        def page() -> CaseList:
            summaries = service.list_cases(store, limit=limit, offset=offset)
            items = [
                CaseListItem(
                    id=s.id,
                    title=s.title,
                    age_years=s.age_years,
                    sex=Sex(s.sex) if s.sex else None,
                    mentions=s.mentions,
                    added_at=s.added_at,
                )
                for s in summaries
            ]
            total = service.count_cases(store)
            return CaseList(total=total, offset=offset, limit=limit, items=items)

        return await state.in_store(page)

    @router.get(
        "/{case_id}",
        summary="Get one stored case",
        response_class=Response,
        responses={200: {"model": Case, "description": "The stored case."}, **_NOT_FOUND},
    )
    async def get_case(case_id: CaseId) -> Response:
        """The stored case with this id."""
        case = await state.in_store(service.get_case, store, case_id)
        return Response(case.model_dump_json(), media_type="application/json")

    @router.get(
        "/{case_id}/fhir",
        summary="Get one stored case as a FHIR R4 Bundle",
        response_class=Response,
        responses={
            200: {"description": "The stored case as a FHIR R4 Bundle.", "content": FHIR_RESPONSE},
            **_NOT_FOUND,
        },
    )
    async def get_case_fhir(case_id: CaseId) -> Response:
        """The stored case with this id, as a FHIR R4 Bundle."""
        case = await state.in_store(service.get_case, store, case_id)
        bundle = service.export_case(case, service.ExportFormat.FHIR)
        return Response(bundle, media_type=FHIR_MEDIA_TYPE)

    @router.delete(
        "/{case_id}", status_code=204, summary="Delete one stored case", responses=_NOT_FOUND
    )
    async def delete_case(case_id: CaseId) -> Response:
        """Delete the stored case with this id."""
        await state.in_store(service.remove_case, store, case_id)
        return Response(status_code=204)

    return router
