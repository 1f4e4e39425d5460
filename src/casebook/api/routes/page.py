"""The page at ``/`` and its local assets under ``/static``, and the API reference at ``/docs``
with Swagger UI's assets under ``/docs-assets``; nothing is fetched from elsewhere."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from casebook.web import STATIC_DIR, page_html

DOCS_ASSETS = "/docs-assets"
"""Where Swagger UI's script and style are served."""

SWAGGER_UI_DIR = Path(str(resources.files("fastapi_offline").joinpath("static")))
"""Swagger UI's script and style as the ``fastapi-offline`` wheel ships them (Swagger UI is
Apache-2.0, the wheel MIT)."""

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""The page runs only its own script and style, and cannot be framed by another site."""


def build_router(openapi_url: str) -> APIRouter:
    """The page route, and the API reference reading the schema at ``openapi_url``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(page_html(), headers=SECURITY_HEADERS)

    @router.get("/docs", response_class=HTMLResponse)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title="casebook API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url="/static/icon.svg",
            # No validator: Swagger UI would send the schema to swagger.io's to check it.
            swagger_ui_parameters={"validatorUrl": None},
        )

    return router


def static_files() -> StaticFiles:
    """The page's script, style and icons."""
    return StaticFiles(directory=STATIC_DIR)


def swagger_ui_files() -> StaticFiles:
    """Swagger UI's script and style."""
    return StaticFiles(directory=SWAGGER_UI_DIR)
