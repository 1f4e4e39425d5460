"""``GET /v1/health``: open to all, so that a load balancer needs no token."""

from __future__ import annotations

from fastapi import APIRouter

from casebook import __version__
from casebook.api.errors import HOST_REFUSED
from casebook.api.routes.analyze import FORMATS
from casebook.api.schemas import Health


def build_router() -> APIRouter:
    """The health route."""
    router = APIRouter(prefix="/v1", tags=["health"], responses=HOST_REFUSED)

    @router.get("/health", summary="Whether the server is up")
    async def health() -> Health:
        """Answers once the analysis processes have loaded the pipeline."""
        return Health(status="ok", version=__version__, formats=sorted(FORMATS))

    return router
