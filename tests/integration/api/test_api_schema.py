"""The API against its own OpenAPI schema, with every check schemathesis has (as
``st run --checks all``): generated requests never get a 5xx, every response matches what the
schema declares (status, content type, headers, body), schema-valid requests are accepted and
schema-violating ones refused, and a method a path does not serve gets 405 with ``Allow``. The
rules no JSON Schema can state are in ``schemathesis.toml``.

The operations are generated from the schema of an application built with the test server's
settings (schemathesis needs them when tests are collected, before the server runs); the first
test checks that it is the schema the server publishes.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import hypothesis
import schemathesis
from schemathesis.config import SchemathesisConfig

from casebook.api import create_app

from .conftest import TOKEN, RunningServer, server_settings

ROOT = Path(__file__).resolve().parents[3]
OPENAPI = create_app(server_settings(Path("unused.duckdb"), TOKEN)).openapi()
schema = schemathesis.openapi.from_dict(
    OPENAPI, config=SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
)


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
    )
