"""The FastAPI application: routes on the service layer, coded errors, limits, access."""

from __future__ import annotations

import copy
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Security
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from casebook import __version__
from casebook.api.errors import CatchAllMiddleware, install_error_handlers
from casebook.api.hosts import HostCheckMiddleware
from casebook.api.limits import BodyLimitMiddleware
from casebook.api.routes import analyze, cases, health, page, search
from casebook.api.state import ApiState
from casebook.config import Settings, get_settings
from casebook.errors import CasebookError, ErrorCode

BEARER = HTTPBearer(auto_error=False, description="The server's CASEBOOK_API_TOKEN.")

BEARER_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "description": "The server's CASEBOOK_API_TOKEN. When the server has one, every /v1 route "
    "but /v1/health needs it (each such operation lists it under 'security'); without one, "
    "no route does.",
}
"""How the API authenticates, declared whether or not this server has a token."""

SHUTDOWN_GRACE_S = 5
"""How long a stopping server (SIGTERM, Ctrl-C) lets requests in flight finish before it
stops its analysis workers."""


class TokenCheck:
    """A dependency admitting only requests that carry ``Authorization: Bearer <token>``."""

    def __init__(self, token: SecretStr) -> None:
        self._expected = token.get_secret_value().encode("utf-8")

    async def __call__(
        self, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
    ) -> None:
        given = credentials.credentials.encode("utf-8") if credentials else b""
        # Constant time, so that the response time does not tell how much of a guess matched.
        if not hmac.compare_digest(given, self._expected):
            raise CasebookError(ErrorCode.UNAUTHORIZED, "missing or wrong bearer token")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The casebook API and page, configured by ``settings`` (the environment's by default).

    The analysis processes start, and load the pipeline, when the application starts.
    """
    settings = settings or get_settings()
    state = ApiState.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await state.analyzer.start()
        try:
            yield
        finally:
            state.analyzer.close()

    app = FastAPI(
        title="casebook",
        version=__version__,
        summary="Clinical case reports in, structured, coded, evidence-linked cases out.",
        lifespan=lifespan,
        # The reference is served by the page router from local files, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    token = settings.api_token
    # An empty CASEBOOK_API_TOKEN counts as unset.
    guarded = [Depends(TokenCheck(token))] if token and token.get_secret_value() else []
    app.include_router(health.build_router())
    app.include_router(analyze.build_router(state), dependencies=guarded)
    app.include_router(cases.build_router(state), dependencies=guarded)
    app.include_router(search.build_router(state), dependencies=guarded)
    app.include_router(page.build_router(app.openapi_url or "/openapi.json"))
    app.mount("/static", page.static_files(), name="static")
    app.mount(page.DOCS_ASSETS, page.swagger_ui_files(), name="docs-assets")
    published = app.openapi

    def openapi() -> dict[str, Any]:
        schema = published()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[BEARER.scheme_name] = BEARER_SCHEME
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    # Each middleware added wraps the ones before it: the catch-all sits nearest the routes,
    # the size limit outside it, the Host check outside that, CORS (when configured) outermost.
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_request_bytes)
    app.add_middleware(HostCheckMiddleware, allowed_hosts=settings.api_allowed_hosts)
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return app


class WithoutQuery(logging.Filter):
    """Cuts the query string out of uvicorn's access log lines.

    A query string can be case text (``GET /v1/search?q=…``), and no document or query text is
    logged at INFO; the line keeps the path and shows ``?…`` where a query string was.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn's access records: (client, method, path with query, HTTP version, status).
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, mark, _ = args[2].partition("?")
            record.args = (args[0], args[1], path + ("?…" if mark else ""), args[3], args[4])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with casebook's own records shown at INFO the same way and access
    lines without their query strings."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["casebook"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config.setdefault("filters", {})["without_query"] = {"()": WithoutQuery}
    config["loggers"]["uvicorn.access"]["filters"] = ["without_query"]
    return config


def serve(settings: Settings | None = None) -> None:
    """Run the API under uvicorn on ``api_host``:``api_port`` until interrupted."""
    settings = settings or get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=log_config(),
        timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
    )
