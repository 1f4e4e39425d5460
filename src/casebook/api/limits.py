"""The request size limit, enforced before and while a body is read."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebook.api.errors import error_response
from casebook.errors import CasebookError, ErrorCode


def _too_large(limit: int) -> CasebookError:
    return CasebookError(
        ErrorCode.REQUEST_TOO_LARGE, f"the request body is larger than {limit} bytes"
    )


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with a coded 413.

    A declared ``Content-Length`` over the limit is refused before any of the body is read; a
    body sent without one (chunked) is counted as it arrives, and reading stops at the limit.

    Args:
        app: The application to protect.
        max_bytes: The largest body accepted.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await error_response(_too_large(self.max_bytes))(scope, receive, send)
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route, which answers it as a coded 413.
                    raise _too_large(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)
