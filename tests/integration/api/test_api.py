"""The REST API as a client meets it: a real uvicorn server on loopback, the real pipeline."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle

from casebook.api import create_app
from casebook.api.schemas import AddReport, CaseList, ErrorBody, Health
from casebook.errors import ERROR_HELP, ErrorCode
from casebook.model import Assertion, Case, EntityType, Sex, SourceFormat

from .conftest import TOKEN, RunningServer, server_settings

INGEST = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"
REPORT = (
    "A 54-year-old man presented with a severe headache and no fever. A lumbar puncture was "
    "performed and the headache resolved after an epidural blood patch.\n"
)


def _error(response: httpx.Response, status: int, code: ErrorCode) -> ErrorBody:
    """The coded error body of a response, checked against the expected status and code."""
    assert response.status_code == status, response.text
    body = ErrorBody.model_validate(response.json())
    assert body.code == code.value
    assert body.hint == ERROR_HELP[code]
    assert body.message
    return body


def _mention(case: Case, text: str) -> tuple[EntityType, Assertion]:
    (found,) = [m for m in case.mentions if m.text == text][:1]
    return found.type, found.assertion


def test_analyze_json_text(client: httpx.Client) -> None:
    response = client.post("/v1/analyze", json={"text": REPORT})
    assert response.status_code == 200, response.text
    case = Case.model_validate_json(response.text)
    assert case.text == REPORT
    assert case.patient.age_years == 54 and case.patient.sex is Sex.MALE
    assert _mention(case, "fever") == (EntityType.SIGN_SYMPTOM, Assertion.NEGATED)
    assert _mention(case, "lumbar puncture")[0] is EntityType.THERAPEUTIC_PROCEDURE
    # Pasted text is named by its content: the same text, the same case id.
    assert case.id.startswith("text-")
    again = client.post("/v1/analyze", json={"text": REPORT})
    assert Case.model_validate_json(again.text).id == case.id


def test_analyze_example_case(client: httpx.Client, example_text: str) -> None:
    response = client.post("/v1/analyze", json={"text": example_text})
    assert response.status_code == 200, response.text
    case = Case.model_validate_json(response.text)
    # "raising the possibility of a CSF leak": first suspected.
    assert _mention(case, "CSF leak") == (EntityType.SIGN_SYMPTOM, Assertion.UNCERTAIN)
    assert _mention(case, "headache")[0] is EntityType.SIGN_SYMPTOM
    assert "R51.9" in {code.code for code in case.shown_codes()}


def test_analyze_multipart_upload_reads_its_format(client: httpx.Client) -> None:
    data = (INGEST / "case-report.nxml").read_bytes()
    response = client.post(
        "/v1/analyze", files={"file": ("uploads/case-report.nxml", data, "application/xml")}
    )
    assert response.status_code == 200, response.text
    case = Case.model_validate_json(response.text)
    assert case.source.format is SourceFormat.JATS
    assert case.id == "PMC9900001"
    assert case.title == "Cat-scratch disease presenting as a Bartonella liver abscess"
    # Only the file name is kept: an uploaded name is never a path on the server.
    assert case.source.path == "case-report.nxml"
    assert case.mentions


def test_analyze_takes_one_document(client: httpx.Client) -> None:
    data = (INGEST / "case.bioc.json").read_bytes()
    response = client.post("/v1/analyze", files={"file": ("case.bioc.json", data)})
    body = _error(response, 422, ErrorCode.INVALID_REQUEST)
    assert "2 documents" in body.message and "/v1/cases" in body.message


def test_analyze_returns_a_valid_fhir_bundle(client: httpx.Client, example_text: str) -> None:
    response = client.post("/v1/analyze", params={"format": "fhir"}, json={"text": example_text})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(response.text)
    kinds = {type(entry.resource).__name__ for entry in bundle.entry or []}
    assert {"Patient", "Condition", "Procedure"} <= kinds


def test_unknown_output_format_is_404(client: httpx.Client) -> None:
    response = client.post("/v1/analyze", params={"format": "nope"}, json={"text": REPORT})
    _error(response, 404, ErrorCode.INVALID_REQUEST)
    health = Health.model_validate(client.get("/v1/health").json())
    assert "nope" not in health.formats and "json" in health.formats


def test_cases_crud(client: httpx.Client) -> None:
    data = (INGEST / "case.bioc.json").read_bytes()
    added = client.post("/v1/cases", files={"file": ("case.bioc.json", data)})
    assert added.status_code == 201, added.text
    assert AddReport.model_validate(added.json()).added == ["PMC9900002", "99000003"]
    again = AddReport.model_validate(
        client.post("/v1/cases", files={"file": ("case.bioc.json", data)}).json()
    )
    assert again.unchanged == ["PMC9900002", "99000003"] and not again.added

    listing = client.get("/v1/cases", params={"limit": 1, "offset": 0})
    assert listing.status_code == 200, listing.text
    page = CaseList.model_validate(listing.json())
    assert page.total >= 2 and len(page.items) == 1 and page.limit == 1
    everything = CaseList.model_validate(client.get("/v1/cases", params={"limit": 100}).json())
    ids = [item.id for item in everything.items]
    assert {"PMC9900002", "99000003"} <= set(ids) and ids == sorted(ids)

    stored = client.get("/v1/cases/PMC9900002")
    assert stored.status_code == 200, stored.text
    case = Case.model_validate_json(stored.text)
    assert case.title == "Drug-induced hypersensitivity syndrome after lamotrigine"
    fhir = client.get("/v1/cases/PMC9900002/fhir")
    assert fhir.status_code == 200, fhir.text
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    assert Bundle.model_validate_json(fhir.text).type == "collection"

    assert client.delete("/v1/cases/PMC9900002").status_code == 204
    _error(client.get("/v1/cases/PMC9900002/fhir"), 404, ErrorCode.CASE_NOT_FOUND)
    _error(client.get("/v1/cases/PMC9900002"), 404, ErrorCode.CASE_NOT_FOUND)
    _error(client.delete("/v1/cases/PMC9900002"), 404, ErrorCode.CASE_NOT_FOUND)
    assert client.delete("/v1/cases/99000003").status_code == 204


def test_a_document_whose_id_is_stored_with_another_text_is_refused_unless_replaced(
    client: httpx.Client,
) -> None:
    first = "A 40-year-old woman had a migraine that resolved with rest.\n"
    other = "A 71-year-old man had pneumonia treated with amoxicillin.\n"

    def upload(text: str, **params: str) -> httpx.Response:
        files = {"file": ("clash-report.txt", text.encode("utf-8"))}
        return client.post("/v1/cases", files=files, params=params)

    assert AddReport.model_validate(upload(first).json()).added == ["clash-report"]
    body = _error(upload(other), 409, ErrorCode.ID_CONFLICT)
    assert "clash-report" in body.message and "replace" in body.hint
    assert Case.model_validate_json(client.get("/v1/cases/clash-report").text).text == first
    # Storing the same text again stays resumable: unchanged, not a conflict.
    assert AddReport.model_validate(upload(first).json()).unchanged == ["clash-report"]
    replaced = upload(other, replace="true")
    assert replaced.status_code == 201, replaced.text
    assert AddReport.model_validate(replaced.json()).replaced == ["clash-report"]
    assert Case.model_validate_json(client.get("/v1/cases/clash-report").text).text == other
    assert client.delete("/v1/cases/clash-report").status_code == 204


def test_listing_limit_is_capped(client: httpx.Client, api: RunningServer) -> None:
    too_many = api.settings.api_max_k + 1
    response = client.get("/v1/cases", params={"limit": too_many})
    body = _error(response, 422, ErrorCode.INVALID_REQUEST)
    assert "limit" in body.message


def test_oversized_request_is_413_and_the_server_keeps_serving(client: httpx.Client) -> None:
    oversized = b"a" * 10_000_001
    declared = client.post(
        "/v1/analyze", content=oversized, headers={"Content-Type": "application/json"}
    )
    _error(declared, 413, ErrorCode.REQUEST_TOO_LARGE)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(11):
            yield b"a" * 1_000_000

    streamed = client.post(
        "/v1/analyze", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _error(streamed, 413, ErrorCode.REQUEST_TOO_LARGE)

    assert client.get("/v1/health").status_code == 200
    assert client.post("/v1/analyze", json={"text": REPORT}).status_code == 200


def test_overlong_document_is_413(client: httpx.Client, api: RunningServer) -> None:
    text = "The patient was well. " * (api.settings.max_chars // 22 + 1)
    body = _error(client.post("/v1/analyze", json={"text": text}), 413, ErrorCode.REQUEST_TOO_LARGE)
    assert "characters" in body.message


def test_token_is_required_except_for_health_and_the_page(api: RunningServer) -> None:
    with api.client() as anonymous, api.client(token="wrong-" + TOKEN) as wrong:
        for http in (anonymous, wrong):
            response = http.post("/v1/analyze", json={"text": REPORT})
            _error(response, 401, ErrorCode.UNAUTHORIZED)
            assert response.headers["WWW-Authenticate"] == "Bearer"
            _error(http.get("/v1/cases"), 401, ErrorCode.UNAUTHORIZED)
            _error(http.get("/v1/cases/any"), 401, ErrorCode.UNAUTHORIZED)
            _error(http.delete("/v1/cases/any"), 401, ErrorCode.UNAUTHORIZED)
            assert http.get("/v1/health").status_code == 200
            assert http.get("/").status_code == 200
            docs = http.get("/docs")
            assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text
            assert "cdn" not in docs.text.lower()
            assert http.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    with api.client(token=TOKEN) as right:
        assert right.get("/v1/cases").status_code == 200


def test_bad_content_gets_the_readers_coded_errors(client: httpx.Client) -> None:
    malformed = (INGEST / "malformed.xml").read_bytes()
    response = client.post("/v1/analyze", files={"file": ("malformed.xml", malformed)})
    _error(response, 422, ErrorCode.MALFORMED_XML)
    _error(client.post("/v1/analyze", json={"text": "  \n"}), 422, ErrorCode.EMPTY_DOCUMENT)
    binary = client.post("/v1/analyze", files={"file": ("scan.bin", bytes(range(256)) * 4)})
    _error(binary, 422, ErrorCode.BINARY_DATA)


_NESTED = "[" * 100_000 + "]" * 100_000
_PATIENT = '{"patient_uid": "%s", "text": "A 40-year-old man had fever.", "age": [[%s, "year"]]}'
BAD_UPLOADS: list[tuple[str, bytes, ErrorCode]] = [
    ("surrogate.jsonl", (_PATIENT % ("\\ud800-1", "40")).encode(), ErrorCode.UNDECODABLE_TEXT),
    ("nan.jsonl", (_PATIENT % ("100-1", "NaN")).encode(), ErrorCode.MALFORMED_JSON),
    (
        "nested.jsonl",
        f'{{"patient_uid": "1", "text": {_NESTED}}}'.encode(),
        ErrorCode.MALFORMED_JSON,
    ),
    (
        "nested.nxml",
        (
            "<article><body>" + "<sec><p>x</p>" * 10_000 + "</sec>" * 10_000 + "</body></article>"
        ).encode(),
        ErrorCode.MALFORMED_XML,
    ),
    (
        "encoding.nxml",
        b'<?xml version="1.0" encoding="x-nope"?><article><body><p>x</p></body></article>',
        ErrorCode.MALFORMED_XML,
    ),
]
"""Inputs that once gave 500 "internal error" (issue 19), each with the code it now gets."""


def test_bad_records_get_4xx_coded_errors_never_500(client: httpx.Client) -> None:
    for name, data, code in BAD_UPLOADS:
        for route in ("/v1/analyze", "/v1/cases"):
            body = _error(client.post(route, files={"file": (name, data)}), 422, code)
            assert "Error" not in body.message  # casebook's words, not a library's
    nested = {"Content-Type": "application/json"}
    # /v1/search's body is parsed by FastAPI, which answers 400 for JSON it cannot read.
    for route, status in (("/v1/analyze", 422), ("/v1/search", 400)):
        response = client.post(route, content=f'{{"text": {_NESTED}}}', headers=nested)
        _error(response, status, ErrorCode.INVALID_REQUEST)
    # An offset past any store is a page with no items; one past 2**31 - 1 a coded refusal.
    far = client.get("/v1/cases", params={"offset": str(2**31 - 1)})
    assert far.status_code == 200 and far.json()["items"] == []
    _error(client.get("/v1/cases", params={"offset": str(10**30)}), 422, ErrorCode.INVALID_REQUEST)


def test_malformed_requests_get_coded_errors(client: httpx.Client) -> None:
    body = _error(client.post("/v1/analyze", json={"txt": REPORT}), 422, ErrorCode.INVALID_REQUEST)
    assert "text: Field required" in body.message
    not_json = client.post(
        "/v1/analyze", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    _error(not_json, 422, ErrorCode.INVALID_REQUEST)
    plain = client.post("/v1/analyze", content=REPORT, headers={"Content-Type": "text/plain"})
    _error(plain, 415, ErrorCode.INVALID_REQUEST)
    no_file = client.post("/v1/analyze", files={"other": ("a.txt", b"text")})
    assert "'file' part" in _error(no_file, 422, ErrorCode.INVALID_REQUEST).message
    two_files = client.post(
        "/v1/analyze", files=[("file", ("a.txt", b"one")), ("file", ("b.txt", b"two"))]
    )
    _error(two_files, 400, ErrorCode.INVALID_REQUEST)
    _error(client.get("/v1/nowhere"), 404, ErrorCode.INVALID_REQUEST)
    _error(client.put("/v1/cases/x"), 405, ErrorCode.INVALID_REQUEST)


def test_document_text_is_never_logged_at_info(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Zyxwvutsrq"
    caplog.set_level(logging.DEBUG)
    # The casebook logger's own level too: a CLI command run earlier in this process set it.
    caplog.set_level(logging.DEBUG, logger="casebook")
    text = f"A 40-year-old woman named {secret} had a fever."
    assert client.post("/v1/analyze", json={"text": text}).status_code == 200
    assert client.post("/v1/cases", json={"text": text}).status_code == 201
    bad_xml = f"<article><title>{secret}</titel></article>".encode()
    assert client.post("/v1/analyze", files={"file": ("a.xml", bad_xml)}).status_code == 422
    assert client.post("/v1/analyze", json={"text": 5, secret: secret}).status_code == 422
    oversized = f'{{"text": "{secret * 1_000_001}"}}'
    assert client.post("/v1/analyze", content=oversized).status_code == 413

    visible = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any(r.name.startswith("casebook.api") for r in visible), "no API log was captured"
    assert any(r.name == "uvicorn.access" for r in visible), "no access log was captured"
    assert not [r.getMessage() for r in visible if secret in r.getMessage()]


def test_analysis_does_not_block_other_requests(client: httpx.Client) -> None:
    long_text = REPORT * 3000
    finished: list[float] = []

    def analyze() -> None:
        with httpx.Client(base_url=str(client.base_url), headers=client.headers) as own:
            assert own.post("/v1/analyze", json={"text": long_text}, timeout=300).status_code == 200
        finished.append(time.monotonic())

    worker = threading.Thread(target=analyze)
    worker.start()
    time.sleep(1.0)  # the analysis is under way in the worker process
    started = time.monotonic()
    assert client.get("/v1/health").status_code == 200
    assert client.get("/v1/cases").status_code == 200
    answered = time.monotonic()
    worker.join()
    assert answered - started < 2.0
    assert finished and finished[0] > answered, "the analysis ended before the health check"


def test_cors_is_off_unless_configured(client: httpx.Client) -> None:
    preflight = client.options(
        "/v1/analyze",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get("/v1/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_configured_origins_may_call_the_api(tmp_path: Path) -> None:
    settings = server_settings(tmp_path / "cases.duckdb", None).model_copy(
        update={"api_cors_origins": ["https://clinic.example"]}
    )
    transport = httpx.ASGITransport(app=create_app(settings))

    async def preflight(origin: str) -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await http.options(
                "/v1/analyze",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            )

    allowed = asyncio.run(preflight("https://clinic.example"))
    assert allowed.headers["access-control-allow-origin"] == "https://clinic.example"
    refused = asyncio.run(preflight("https://elsewhere.example"))
    assert "access-control-allow-origin" not in refused.headers
