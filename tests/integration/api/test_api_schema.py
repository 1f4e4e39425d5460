"""The API against its own OpenAPI schema: generated requests never get a 5xx, and every
response matches what the schema declares (status, content type, body).

The operations are generated from the schema of an application built with the test server's
settings (schemathesis needs them when tests are collected, before the server runs); the first
test checks that it is the schema the server publishes.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import hypothesis
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from casebook.api import create_app

from .conftest import TOKEN, RunningServer, server_settings

OPENAPI = create_app(server_settings(Path("unused.duckdb"), TOKEN)).openapi()
schema = schemathesis.openapi.from_dict(OPENAPI)


def test_the_server_publishes_this_schema(client: httpx.Client) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == OPENAPI


@schema.parametrize()
@hypothesis.settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, api: RunningServer) -> None:
    case.call_and_validate(
        base_url=api.url,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=120,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
