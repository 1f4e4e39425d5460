"""The Host header check: the server answers only for the names it is reached by.

A page on another site can make a browser send requests to a server on the user's machine or
hospital network under a name that the attacker's DNS points there (DNS rebinding); checking
the Host header against the server's own names stops those requests before any route runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from casebook.api.errors import error_response
from casebook.errors import CasebookError, ErrorCode


def host_of(header: str) -> str:
    """The host name of a Host header, without its port, lower case (``[::1]`` keeps its
    brackets)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else header
    return header.split(":", 1)[0]


def allowed(host: str, patterns: Sequence[str]) -> bool:
    """Whether ``host`` is one of ``patterns``: a name, ``*.domain`` for its subdomains, or
    ``*`` for any."""
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if pattern == "*" or pattern == host:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


class HostCheckMiddleware:
    """Refuse requests whose Host header names none of ``allowed_hosts`` with a coded 400.

    Args:
        app: The application to protect.
        allowed_hosts: Host names, ``*.domain`` patterns, or ``*`` for any.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allowed_hosts = list(allowed_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        host = host_of(headers.get(b"host", b"").decode("latin-1"))
        if not allowed(host, self.allowed_hosts):
            error = CasebookError(
                ErrorCode.INVALID_REQUEST,
                "the Host header names no host this server answers for "
                "(CASEBOOK_API_ALLOWED_HOSTS)",
            )
            await error_response(error, 400)(scope, receive, send)
            return
        await self.app(scope, receive, send)
