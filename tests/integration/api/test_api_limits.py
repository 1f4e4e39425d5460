"""The API's limits and checks on a real server: every route refuses a document past
CASEBOOK_MAX_CHARS with a coded 413 (a few bytes claiming billions of characters included),
ids and offsets are capped, a 405 says what is allowed, and a Host that is not the server's own
is refused."""

from __future__ import annotations

import json

import httpx
import pytest

from casebook.api import create_app
from casebook.api.schemas import MAX_ID_CHARS, ErrorBody
from casebook.config import Settings
from casebook.errors import ERROR_HELP, ErrorCode
from casebook.model import Case, Document, Source, SourceFormat

from .conftest import TOKEN, RunningServer

TINY_BIOC = (
    "<collection><source>x</source><document><id>d1</id><passage><offset>1500000000</offset>"
    "<text>A 54-year-old man had a fever.</text></passage></document></collection>"
)


def _error(response: httpx.Response, status: int, code: ErrorCode) -> ErrorBody:
    assert response.status_code == status, response.text
    body = ErrorBody.model_validate(response.json())
    assert body.code == code.value and body.hint == ERROR_HELP[code]
    return body


def test_a_tiny_body_claiming_a_huge_text_gets_a_coded_413(client: httpx.Client) -> None:
    assert len(TINY_BIOC) < 200
    upload = client.post("/v1/analyze", files={"file": ("huge.xml", TINY_BIOC.encode())})
    assert "1,000,000" in _error(upload, 413, ErrorCode.REQUEST_TOO_LARGE).message
    pasted = client.post("/v1/cases", json={"text": TINY_BIOC})
    _error(pasted, 413, ErrorCode.REQUEST_TOO_LARGE)
    bioc_json = {"documents": [{"id": "d", "passages": [{"offset": 10**12, "text": "Fever."}]}]}
    as_json = client.post("/v1/analyze", json={"text": json.dumps(bioc_json)})
    _error(as_json, 413, ErrorCode.REQUEST_TOO_LARGE)
    assert client.get("/v1/health").status_code == 200


def test_search_applies_the_same_limit(client: httpx.Client, api: RunningServer) -> None:
    longest = api.settings.max_chars
    text = client.post("/v1/search", json={"text": "fever " * (longest // 6 + 1)})
    assert "characters" in _error(text, 413, ErrorCode.REQUEST_TOO_LARGE).message
    document = Document(
        id="long", text="a" * (longest + 1), source=Source(format=SourceFormat.TEXT)
    )
    case = Case.from_document(document).model_dump(mode="json")
    _error(client.post("/v1/search", json={"case": case}), 413, ErrorCode.REQUEST_TOO_LARGE)
    # A query string is a description: longer text goes in the body of POST /v1/search.
    _error(client.get("/v1/search", params={"q": "fever " * 200}), 422, ErrorCode.INVALID_REQUEST)


def test_search_reads_numbers_as_its_schema_does(client: httpx.Client) -> None:
    _error(
        client.post("/v1/search", json={"text": "fever", "age_min": True}),
        422,
        ErrorCode.INVALID_REQUEST,
    )
    _error(
        client.post("/v1/search", json={"text": "fever", "k": "3"}), 422, ErrorCode.INVALID_REQUEST
    )
    assert client.post("/v1/search", json={"text": "fever", "k": 3.0}).status_code == 200


def test_ids_and_offsets_are_capped(client: httpx.Client) -> None:
    long_id = "x" * (MAX_ID_CHARS + 1)
    _error(client.get(f"/v1/cases/{long_id}"), 422, ErrorCode.INVALID_REQUEST)
    _error(client.delete(f"/v1/cases/{long_id}"), 422, ErrorCode.INVALID_REQUEST)
    _error(client.get(f"/v1/cases/{'x' * MAX_ID_CHARS}"), 404, ErrorCode.CASE_NOT_FOUND)
    _error(client.get("/v1/cases", params={"offset": 10**30}), 422, ErrorCode.INVALID_REQUEST)
    named = client.post("/v1/cases", files={"file": (f"{long_id}.txt", b"Fever.")})
    assert "id" in _error(named, 422, ErrorCode.INVALID_REQUEST).message


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/search", "GET, POST"),
        ("TRACE", "/v1/health", "GET"),
        ("PATCH", "/v1/cases/some-id", "DELETE, GET"),
        ("POST", "/static/app.js", "GET, HEAD"),
    ],
)
def test_a_method_not_served_gets_405_with_allow(
    client: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = client.request(method, path)
    _error(response, 405, ErrorCode.INVALID_REQUEST)
    assert response.headers["Allow"] == allowed


def test_a_host_that_is_not_the_servers_own_is_refused(client: httpx.Client) -> None:
    for path in ("/v1/health", "/", "/v1/cases"):
        response = client.get(path, headers={"Host": "rebound.example.org"})
        assert "Host" in _error(response, 400, ErrorCode.INVALID_REQUEST).message
    assert client.get("/v1/health", headers={"Host": "localhost:8000"}).status_code == 200


def test_the_schema_declares_the_bearer_scheme_with_or_without_a_token() -> None:
    for token in (None, TOKEN):
        schema = create_app(Settings(api_token=token, api_workers=1)).openapi()
        assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
        search = schema["paths"]["/v1/search"]["get"]
        assert ("security" in search) is (token is not None)
        outcome = next(p for p in search["parameters"] if p["name"] == "has_outcome")
        assert "unknown" not in json.dumps(outcome)
