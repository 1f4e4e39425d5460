"""The page at ``/`` and its local assets under ``/static``; nothing is fetched from elsewhere."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from casebook.web import STATIC_DIR, page_html

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""The page runs only its own script and style, and cannot be framed by another site."""


def build_router() -> APIRouter:
    """The page route."""
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(page_html(), headers=SECURITY_HEADERS)

    return router


def static_files() -> StaticFiles:
    """The page's script, style and icons."""
    return StaticFiles(directory=STATIC_DIR)
