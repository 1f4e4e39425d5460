"""Every error the API returns is a coded ``ErrorBody``, with the codes the CLI prints.

Errors are logged by code and status only: their messages can quote the document, and
document text is never logged at INFO or above.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebook.api.schemas import ErrorBody
from casebook.errors import CasebookError, ErrorCode

logger = logging.getLogger(__name__)

STATUS: dict[ErrorCode, int] = {
    ErrorCode.CASE_NOT_FOUND: 404,
    ErrorCode.ID_CONFLICT: 409,
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.TIMED_OUT: 504,
    ErrorCode.UNKNOWN_CODE: 422,
    ErrorCode.STORE_LOCKED: 503,
    ErrorCode.STORE_ERROR: 503,
    ErrorCode.PROCESSING_FAILED: 500,
    ErrorCode.INVALID_CASE: 500,
    ErrorCode.PIPELINE_CONTRACT: 500,
    ErrorCode.INVALID_RESOURCE: 500,
}
"""HTTP status of each code; the others are problems with the sent content (422)."""

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in [
        (
            400,
            "A request the server cannot read: a Host header naming no host it answers for "
            "(CASEBOOK_API_ALLOWED_HOSTS), a malformed body.",
        ),
        (401, "No or a wrong bearer token (only when the server has a token)."),
        (413, "The request or its document is too large."),
        (422, "The request or its document cannot be read."),
        (500, "The analysis failed unexpectedly."),
        (503, "The case store is unavailable."),
    ]
}
"""The coded error responses every /v1 route may give, for the OpenAPI schema."""

HOST_REFUSED: dict[int | str, dict[str, Any]] = {400: ERROR_RESPONSES[400]}
"""The error every route may give, /v1/health too."""


def error_response(
    error: CasebookError, status: int | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The JSON response for a casebook error, with ``headers`` (such as a 405's ``Allow``)."""
    status = status or STATUS.get(error.code, 422)
    logger.info("%s answered %d", error.code.value, status)
    sent = dict(headers or {})
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return JSONResponse(ErrorBody.of(error).model_dump(), status_code=status, headers=sent)


async def _casebook_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CasebookError)
    return error_response(exc)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    error = CasebookError(ErrorCode.INVALID_REQUEST, str(exc.detail))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_methods_at(request))
    return error_response(error, exc.status_code, headers)


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""The methods a 405's ``Allow`` may list."""


def _methods_at(request: Request) -> list[str]:
    """Every method some route serves at the request's path, found by asking each route
    (Starlette names only the first route's when several share a path)."""
    # A fresh scope: routing has rewritten the request's own for the route it reached.
    probe = {"type": "http", "path": request.url.path, "root_path": "", "headers": []}
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Mount):
            # The page's static files answer GET and HEAD, whatever they are asked.
            if isinstance(route.app, StaticFiles) and route.matches(probe)[0] is Match.FULL:
                methods |= {"GET", "HEAD"}
            continue
        for method in HTTP_METHODS:
            if route.matches({**probe, "method": method})[0] is Match.FULL:
                methods.add(method)
    return sorted(methods)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Where and what, never the offending input: it may be the document.
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in exc.errors()
    )
    return error_response(CasebookError(ErrorCode.INVALID_REQUEST, problems), 422)


def install_error_handlers(app: FastAPI) -> None:
    """Answer casebook errors, framework HTTP errors and validation errors as ``ErrorBody``."""
    app.add_exception_handler(CasebookError, _casebook_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


class CatchAllMiddleware:
    """An unexpected exception becomes a coded 500, logged by type without its message.

    Starlette's own last-resort handler re-raises so that the server logs the traceback, whose
    message could quote the document; this one stops the exception here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            logger.error(
                "unexpected %s on %s %s", type(exc).__name__, scope["method"], scope["path"]
            )
            logger.debug("unexpected error", exc_info=exc)
            if not started:
                error = CasebookError(
                    ErrorCode.PROCESSING_FAILED, f"internal error ({type(exc).__name__})"
                )
                await error_response(error)(scope, receive, send)
