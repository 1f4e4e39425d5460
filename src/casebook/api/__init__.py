"""casebook over HTTP: a FastAPI application on the service layer, and the page it serves."""

from __future__ import annotations

from casebook.api.app import create_app, serve

__all__ = ["create_app", "serve"]
