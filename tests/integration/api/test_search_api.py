"""Similar-case search over HTTP: ``GET``/``POST /v1/search`` and ``POST /v1/analyze?similar=K``.

The server's store is filled through ``POST /v1/cases`` with the six reports written for the
search tests (``tests/fixtures/search``), analysed by the server's real pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from casebook.api.schemas import ErrorBody, SearchResult
from casebook.errors import ERROR_HELP, ErrorCode
from casebook.model import Case, CaseWithPrecedent, Outcome, Sex

from .conftest import TOKEN, RunningServer, running_server, server_settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "search"
QUERY = (FIXTURES / "query-csf-leak.txt").read_text(encoding="utf-8")
STORED = sorted(p.stem for p in (FIXTURES / "store").glob("*.txt"))
PDPH = {"pdph-lumbar-puncture", "pdph-spinal-anaesthesia"}
MAX_K = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with a token, ``api_max_k`` of 4, and the six fixture cases stored over HTTP."""
    store = tmp_path_factory.mktemp("search-api") / "cases.duckdb"
    settings = server_settings(store, TOKEN).model_copy(update={"api_max_k": MAX_K})
    with running_server(settings) as running, running.client(token=TOKEN) as http:
        for path in sorted((FIXTURES / "store").glob("*.txt")):
            upload = {"file": (path.name, path.read_bytes(), "text/plain")}
            response = http.post("/v1/cases", files=upload)
            assert response.status_code == 201, response.text
            assert response.json()["added"] == [path.stem]
        yield running


@pytest.fixture()
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with server.client(token=TOKEN) as client:
        yield client


def _result(response: httpx.Response) -> SearchResult:
    assert response.status_code == 200, response.text
    return SearchResult.model_validate_json(response.text)


def _error(response: httpx.Response, status: int, code: ErrorCode) -> ErrorBody:
    assert response.status_code == status, response.text
    body = ErrorBody.model_validate(response.json())
    assert body.code == code.value and body.hint == ERROR_HELP[code]
    return body


def _check_explained(result: SearchResult, query_text: str, http: httpx.Client) -> None:
    """Every matched fact quotes both cases' words at their offsets."""
    first = result.similar[0]
    assert first.matched
    hit_text = Case.model_validate_json(http.get(f"/v1/cases/{first.id}").text).text
    for fact in first.matched:
        assert fact.query and fact.hit
        for words in fact.query:
            assert query_text[words.start : words.end] == words.text
        for words in fact.hit:
            assert hit_text[words.start : words.end] == words.text


def _tally_follows_hits(result: SearchResult) -> None:
    ids = {hit.id for hit in result.similar}
    assert result.tally
    for row in result.tally:
        assert set(row.cases) <= ids
        assert sorted(i for cell in row.outcomes.values() for i in cell) == sorted(row.cases)


def test_get_search_by_text(http: httpx.Client) -> None:
    result = _result(http.get("/v1/search", params={"q": QUERY, "k": 3}))
    assert [hit.rank for hit in result.similar] == [1, 2, 3]
    assert {hit.id for hit in result.similar[:2]} == PDPH
    assert result.similar[0].sex is Sex.FEMALE
    _check_explained(result, QUERY, http)
    _tally_follows_hits(result)


def test_get_search_free_words(http: httpx.Client) -> None:
    words = "A small boy with fever, cough and a lobar pneumonia on the X-ray."
    result = _result(http.get("/v1/search", params={"q": words}))
    assert result.similar[0].id == "pneumonia"
    assert len(result.similar) == MAX_K  # the default k (10) is capped by api_max_k


def test_post_search_with_a_case(http: httpx.Client) -> None:
    case = Case.model_validate_json(http.post("/v1/analyze", json={"text": QUERY}).text)
    result = _result(http.post("/v1/search", json={"case": case.model_dump(mode="json"), "k": 2}))
    assert {hit.id for hit in result.similar} == PDPH
    _check_explained(result, QUERY, http)
    by_text = _result(http.post("/v1/search", json={"text": QUERY, "k": 2}))
    assert [h.id for h in by_text.similar] == [h.id for h in result.similar]


def test_filters(http: httpx.Client) -> None:
    def ids(**params: object) -> list[str]:
        result = _result(http.get("/v1/search", params={"q": QUERY, "k": MAX_K, **params}))
        return [hit.id for hit in result.similar]

    male = ids(sex="male")
    assert male and set(male) <= {"meningitis", "myocardial-infarction", "pneumonia"}
    assert set(ids(age_min=30, age_max=50)) <= {"pdph-lumbar-puncture", "migraine"}
    assert ids(has_outcome="died") == ["myocardial-infarction"]
    assert ids(code="J18") == ["pneumonia"]
    assert ids(code=["J18", "G96.0"]) == []  # every code must hold
    assert ids(sex="male", age_min=90) == []
    posted = http.post("/v1/search", json={"text": QUERY, "sex": "male", "k": MAX_K})
    assert [hit.id for hit in _result(posted).similar] == male


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {"q": QUERY, "k": MAX_K + 1},
        {"q": QUERY, "k": 0},
        {"q": QUERY, "sex": "unknown-sex"},
        {"q": QUERY, "age_min": 50, "age_max": 30},
        {"q": QUERY, "age_min": -1},
        {"q": QUERY, "has_outcome": Outcome.UNKNOWN.value},
    ],
)
def test_bad_queries_get_coded_422(http: httpx.Client, params: dict[str, object]) -> None:
    response = http.get("/v1/search", params=params)
    assert response.status_code == 422, response.text
    assert ErrorBody.model_validate(response.json()).code in {
        ErrorCode.INVALID_REQUEST.value,
        ErrorCode.EMPTY_DOCUMENT.value,
    }


def test_bad_bodies_get_coded_422(http: httpx.Client) -> None:
    _error(http.get("/v1/search"), 422, ErrorCode.INVALID_REQUEST)
    for body in [
        {},
        {"text": QUERY, "case": {"id": "x"}},
        {"text": QUERY, "k": MAX_K + 1},
        {"text": QUERY, "age_min": 9, "age_max": 1},
        {"text": QUERY, "colour": "red"},
    ]:
        _error(http.post("/v1/search", json=body), 422, ErrorCode.INVALID_REQUEST)


def test_a_body_that_is_not_json_gets_a_coded_400(http: httpx.Client) -> None:
    garbled = http.post(
        "/v1/search", content=b"\xff\x06{", headers={"Content-Type": "application/json"}
    )
    _error(garbled, 400, ErrorCode.INVALID_REQUEST)


def test_search_needs_the_token(server: RunningServer) -> None:
    with server.client() as anonymous:
        _error(anonymous.get("/v1/search", params={"q": QUERY}), 401, ErrorCode.UNAUTHORIZED)
        _error(anonymous.post("/v1/search", json={"text": QUERY}), 401, ErrorCode.UNAUTHORIZED)


def test_analyze_with_similar_cases(http: httpx.Client) -> None:
    response = http.post("/v1/analyze", params={"similar": 3}, json={"text": QUERY})
    assert response.status_code == 200, response.text
    case = CaseWithPrecedent.model_validate_json(response.text)
    assert case.text == QUERY and case.mentions
    assert [hit.rank for hit in case.similar] == [1, 2, 3]
    assert {hit.id for hit in case.similar[:2]} == PDPH
    assert case.tally
    plain = http.post("/v1/analyze", json={"text": QUERY}).json()
    assert "similar" not in plain and "tally" not in plain
    fhir = http.post("/v1/analyze", params={"similar": 3, "format": "fhir"}, json={"text": QUERY})
    assert fhir.status_code == 200 and fhir.json()["resourceType"] == "Bundle"
    _error(
        http.post("/v1/analyze", params={"similar": MAX_K + 1}, json={"text": QUERY}),
        422,
        ErrorCode.INVALID_REQUEST,
    )


def test_a_server_without_a_store_finds_nothing(tmp_path: Path) -> None:
    settings = server_settings(tmp_path / "none-yet.duckdb", None)
    with running_server(settings) as bare, bare.client() as client:
        assert _result(client.get("/v1/search", params={"q": QUERY})).similar == []
        analysed = client.post("/v1/analyze", params={"similar": 5}, json={"text": QUERY})
        assert CaseWithPrecedent.model_validate_json(analysed.text).similar == []
    assert not settings.store.exists()
