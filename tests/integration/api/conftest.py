"""Real casebook servers for the API, schema and browser tests.

Each server is uvicorn serving ``create_app`` on a loopback socket bound to a free port, in a
thread of the test process (so that ``caplog`` sees its log records), with its own case store
and one analysis process running the real pipeline.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from casebook.api import create_app
from casebook.config import Settings

TOKEN = "test-token-4f1c9a"
STARTUP_TIMEOUT_S = 240.0


@dataclass(frozen=True)
class RunningServer:
    """A server the tests talk to."""

    url: str
    settings: Settings

    def client(self, *, token: str | None = None) -> httpx.Client:
        """An HTTP client for this server, sending ``token`` as a bearer token if given."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=180.0)


@contextmanager
def running_server(settings: Settings) -> Iterator[RunningServer]:
    """Serve ``create_app(settings)`` until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.1)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()


def server_settings(store: Path, token: str | None) -> Settings:
    """The settings of a test server: its own store, one analysis process."""
    return Settings(
        store=store,
        api_token=SecretStr(token) if token else None,
        api_workers=1,
        api_cors_origins=[],
    )


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server that requires the bearer token ``TOKEN``."""
    store = tmp_path_factory.mktemp("api-store") / "cases.duckdb"
    with running_server(server_settings(store, TOKEN)) as server:
        yield server


@pytest.fixture()
def client(api: RunningServer) -> Iterator[httpx.Client]:
    """A client of ``api`` sending the right token."""
    with api.client(token=TOKEN) as http:
        yield http
