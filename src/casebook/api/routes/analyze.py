"""``POST /v1/analyze``: one case report in, its Case (or another format) out.

No ``from __future__ import annotations`` here: the route signature holds a limit taken from
the settings, which FastAPI must see evaluated, not as a string naming a closure's variable.
"""

import logging
import time
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, HTTPException, Query, Request, Response

from casebook import service
from casebook.api.errors import ERROR_RESPONSES
from casebook.api.inputs import REQUEST_BODY, read_documents
from casebook.api.schemas import ErrorBody
from casebook.api.state import ApiState
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, CaseWithPrecedent

logger = logging.getLogger(__name__)


class OutputFormat(NamedTuple):
    """How ``POST /v1/analyze`` writes a case in one format."""

    media_type: str
    render: Callable[[Case], str]


def _case_json(case: Case) -> str:
    return service.export_case(case, service.ExportFormat.JSON)


def _fhir_bundle(case: Case) -> str:
    return service.export_case(case, service.ExportFormat.FHIR)


FHIR_MEDIA_TYPE = "application/fhir+json"
FORMATS: dict[str, OutputFormat] = {
    "json": OutputFormat("application/json", _case_json),
    "fhir": OutputFormat(FHIR_MEDIA_TYPE, _fhir_bundle),
}
"""The formats ``?format=`` offers, by name; an exporter joins by adding itself here."""

FHIR_RESPONSE: dict[str, Any] = {
    FHIR_MEDIA_TYPE: {
        "schema": {"type": "object", "description": "A FHIR R4 Bundle (type collection)."}
    }
}
"""The OpenAPI content of a FHIR answer: a Bundle, validated by ``fhir.resources`` in tests."""


def build_router(state: ApiState) -> APIRouter:
    """The analysis route."""
    router = APIRouter(prefix="/v1", tags=["analyze"])

    @router.post(
        "/analyze",
        summary="Analyse one case report",
        openapi_extra={"requestBody": REQUEST_BODY},
        response_class=Response,
        responses={
            200: {
                "model": CaseWithPrecedent,
                "description": "The analysed case (with its similar cases and their tally "
                "when ?similar=K), or its FHIR R4 Bundle with ?format=fhir.",
                "content": FHIR_RESPONSE,
            },
            404: {"model": ErrorBody, "description": "No such output format."},
            415: {"model": ErrorBody, "description": "Neither JSON nor multipart."},
            504: {"model": ErrorBody, "description": "The analysis took too long."},
            **ERROR_RESPONSES,
        },
    )
    async def analyze(
        request: Request,
        output_format: Annotated[
            str,
            Query(alias="format", description="The output format: one of GET /v1/health's."),
        ] = "json",
        similar: Annotated[
            int,
            Query(
                ge=0,
                le=state.settings.api_max_k,
                description="Also find this many similar stored cases (JSON only).",
            ),
        ] = 0,
    ) -> Response:
        """Send JSON ``{"text": …}`` or upload a file (``file``) in any format casebook reads:
        plain text, PMC JATS XML, BioC XML/JSON, a PMC-Patients line. The case is not stored.
        With ``similar=K`` the Case JSON gains ``similar`` and ``tally``, as
        ``GET /v1/search`` gives them.
        """
        if output_format not in FORMATS:
            raise HTTPException(404, f"no output format {output_format!r}")
        documents = await read_documents(request, state.settings)
        if len(documents) != 1:
            raise CasebookError(
                ErrorCode.INVALID_REQUEST,
                f"the upload holds {len(documents)} documents; /v1/analyze takes one "
                "(POST /v1/cases stores them all)",
            )
        started = time.perf_counter()
        (case,) = await state.analyzer.analyze(documents)
        logger.info(
            "analysed %d characters into %d mentions in %.0f ms, queueing included",
            len(case.text),
            len(case.mentions),
            1000 * (time.perf_counter() - started),
        )
        if similar and output_format == "json":
            found = await state.in_store(service.precedent, state.settings.store, case, similar)
            case = CaseWithPrecedent(**case.model_dump(), similar=found.similar, tally=found.tally)
        chosen = FORMATS[output_format]
        return Response(chosen.render(case), media_type=chosen.media_type)

    return router
