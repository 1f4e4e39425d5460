"""The page in headless Chromium (Debian's ``chromium``, driven by Playwright) against a real
server: paste or upload a report, read the marked text, the legend, the codes, the timeline, and
the similar stored cases with their treatment tally.

Screenshots of what the tests see are written to a temporary folder, or to the folder given
with ``--screenshots`` (``make screenshots`` refreshes ``docs/`` that way).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from playwright.sync_api import Browser, Page, expect, sync_playwright

from casebook import service
from casebook.model import Assertion, Case, CaseWithPrecedent

from .conftest import TOKEN, RunningServer, running_server, server_settings

REPO = Path(__file__).resolve().parents[3]
INGEST = REPO / "tests" / "fixtures" / "ingest"
SEARCH = REPO / "tests" / "fixtures" / "search"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium; skips when the system has none (``apt-get install chromium``)."""
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH: install Debian's package (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def screenshots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: ``--screenshots DIR``, else a temporary folder."""
    chosen: str | None = request.config.getoption("--screenshots")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def open_server(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server without a token, as ``casebook serve`` runs by default, whose store holds the
    six cases written for the search tests (added over HTTP)."""
    store = tmp_path_factory.mktemp("page-store") / "cases.duckdb"
    with running_server(server_settings(store, None)) as server:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            for path in sorted((SEARCH / "store").glob("*.txt")):
                upload = {"file": (path.name, path.read_bytes(), "text/plain")}
                assert http.post("/v1/cases", files=upload).status_code == 201
        yield server


@pytest.fixture()
def page(browser: Browser, open_server: RunningServer) -> Iterator[Page]:
    """A fresh tab that fails the test on any script error or request off the server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    tab.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(("http://127.0.0.1", "blob:", "data:"))
            else problems.append(f"request off the server: {request.url}")
        ),
    )
    yield tab
    context.close()
    assert not problems


def _analyse_by_keyboard(page: Page) -> CaseWithPrecedent:
    """Move from the text box to the Analyse button with Tab, press Enter, return the case
    (with the similar cases the page asks for)."""
    page.focus("#text")
    page.keyboard.press("Tab")  # the file input
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "analyze"
    with page.expect_response(re.compile(r"/v1/analyze\?similar=5$")) as answer:
        page.keyboard.press("Enter")
    expect(page.locator("#result")).to_be_visible(timeout=120_000)
    return CaseWithPrecedent.model_validate_json(answer.value.text())


def test_pasted_example_case_is_marked(
    page: Page, open_server: RunningServer, example_text: str, screenshots: Path
) -> None:
    page.goto(open_server.url)
    page.fill("#text", example_text)
    case = _analyse_by_keyboard(page)

    leak = page.locator("mark[data-mention]", has_text="CSF leak").first
    expect(leak).to_have_class(re.compile(r"\bt-Sign_symptom\b"))
    expect(leak).to_have_class(re.compile(r"\ba-uncertain\b"))
    expect(leak).to_have_attribute("title", "Sign symptom, uncertain")
    headache = page.locator("mark.t-Sign_symptom", has_text="headache").first
    expect(headache).to_be_visible()
    negated = [m for m in case.mentions if m.assertion.value == "negated"]
    assert negated, "the example has a negated finding"
    struck = page.locator(f'mark[data-mention="{negated[0].id}"]').first
    expect(struck).to_have_class(re.compile(r"\ba-negated\b"))
    assert "line-through" in struck.evaluate("m => getComputedStyle(m).textDecorationLine")

    legend = page.locator("#legend")
    expect(legend).to_contain_text("Sign symptom")
    expect(legend).to_contain_text("negated: struck through")
    expect(page.locator("#patient")).to_contain_text("29 years, female")
    summary = page.locator("#summary table.summary")
    expect(summary.locator("th", has_text="Investigations")).to_have_count(1)
    expect(summary).to_contain_text("computed tomography")
    expect(page.locator("#codes")).to_contain_text("R51.9")
    # The codes shown are those above their calibrated thresholds; the rest wait behind a button.
    rows = page.locator("#codes tbody tr")
    assert rows.count() == len(case.shown_codes())
    expect(page.locator("#similar > li")).to_have_count(5)
    page.screenshot(path=str(screenshots / "page-example-case.png"), full_page=True)
    if len(case.codes) > len(case.shown_codes()):
        page.click("#all-codes")
        expect(rows).to_have_count(len(case.codes))
    else:
        expect(page.locator("#all-codes")).to_be_hidden()
    with page.expect_download() as download:
        page.click("#fhir")
    bundle = Bundle.model_validate_json(Path(download.value.path()).read_text("utf-8"))
    assert bundle.type == "collection"
    expect(page.locator("#timeline-section svg")).to_have_count(1 if case.timeline else 0)


def test_similar_cases_are_listed_explained_and_open(
    page: Page, open_server: RunningServer, screenshots: Path
) -> None:
    page.goto(open_server.url)
    page.fill("#text", (SEARCH / "query-csf-leak.txt").read_text(encoding="utf-8"))
    case = _analyse_by_keyboard(page)
    assert len(case.similar) == 5
    hits = page.locator("#similar > li")
    expect(hits).to_have_count(5)
    first = hits.first
    expect(first.locator("h4")).to_contain_text("1.")
    expect(first).to_contain_text("score")
    expect(first).to_contain_text("female")
    expect(first.locator("h5", has_text="Shared facts")).to_have_count(1)
    expect(first.locator("ul").first).to_contain_text("headache")
    expect(first).to_have_attribute("aria-labelledby", "hit-1-title")
    tally = page.locator("#tally")
    expect(tally.locator("thead th").first).to_have_text("treatment")
    expect(tally.locator("thead")).to_contain_text("resolved")
    expect(tally.locator("tbody")).to_contain_text("blood patch")
    expect(tally.locator("tbody a[href^='#case/']").first).to_be_visible()
    top = page.locator("#similar-section").bounding_box()
    bottom = page.locator("#tally-section").bounding_box()
    assert top is not None and bottom is not None
    scrolled = float(page.evaluate("window.scrollY"))  # boxes are in the viewport's frame
    page.screenshot(
        path=str(screenshots / "page-similar-cases.png"),
        full_page=True,
        clip={
            "x": 0,
            "y": scrolled + top["y"] - 8,
            "width": 1280,
            "height": bottom["y"] + bottom["height"] - top["y"] + 16,
        },
    )

    # The first hit's title is a link: reach it with the keyboard and open the stored case.
    link = first.locator("h4 a")
    link.focus()
    with page.expect_response(re.compile(r"/v1/cases/")) as opened:
        page.keyboard.press("Enter")
    stored = Case.model_validate_json(opened.value.text())
    assert stored.id == page.evaluate("decodeURIComponent(location.hash.slice(6))")
    expect(page.locator("#case-title")).to_have_text(stored.title or stored.id)
    expect(page.locator("#back")).to_be_visible()
    expect(page.locator("#similar-section")).to_be_hidden()
    page.click("#back")
    expect(page.locator("#case-title")).to_have_text(case.title or case.id)
    expect(page.locator("#similar > li")).to_have_count(5)


def test_uploaded_file_is_read_in_its_format(page: Page, open_server: RunningServer) -> None:
    page.goto(open_server.url)
    page.set_input_files("#file", str(INGEST / "case-report.nxml"))
    case = _analyse_by_keyboard(page)
    title = "Cat-scratch disease presenting as a Bartonella liver abscess"
    assert case.title == title
    expect(page.locator("#case-title")).to_have_text(title)
    expect(page.locator("#case-text mark").first).to_be_visible()


def test_stored_case_opens_with_its_timeline(
    page: Page, open_server: RunningServer, example_text: str, screenshots: Path
) -> None:
    with httpx.Client(base_url=open_server.url, timeout=120) as http:
        analysed = Case.model_validate_json(
            http.post("/v1/analyze", json={"text": example_text}).text
        )
    stored = analysed.model_copy(update={"id": "example-with-timeline"})
    service.store_cases([stored], open_server.settings.store)

    page.goto(f"{open_server.url}/#case/example-with-timeline")
    expect(page.locator("#result")).to_be_visible(timeout=60_000)
    svg = page.locator("#timeline svg")
    expect(svg).to_have_attribute("role", "img")
    placed = {e.mention for e in analysed.timeline}
    first = next(m for m in analysed.mentions if m.id == analysed.timeline[0].mention)
    expect(svg.locator("desc")).to_contain_text(first.text)
    # The headache is at +2 d; what the text does not date after it is "+2 d or later".
    expect(svg).to_contain_text("+2 d")
    expect(svg).to_contain_text("+2 d or later")
    negated = [m for m in analysed.mentions if m.assertion is Assertion.NEGATED]
    assert negated and not any(m.id in placed for m in negated)
    expect(svg.locator("text[text-decoration='line-through']")).to_have_count(0)
    page.locator("#timeline-section").screenshot(path=str(screenshots / "page-timeline.png"))


def test_token_prompt_when_the_server_needs_one(
    browser: Browser, api: RunningServer, example_text: str
) -> None:
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(api.url)
    tab.fill("#text", "A 54-year-old man had a headache.")
    tab.click("#analyze")
    expect(tab.locator("#error")).to_contain_text("CB-E018")
    expect(tab.locator("#token")).to_be_focused()
    tab.keyboard.type(TOKEN)
    tab.keyboard.press("Enter")
    expect(tab.locator("#result")).to_be_visible(timeout=120_000)
    expect(tab.locator("#error")).to_be_hidden()
    context.close()


def test_facts_about_other_patients_are_shown_apart(page: Page, open_server: RunningServer) -> None:
    text = (
        "Case presentation\n"
        "A 40-year-old woman had bacterial meningitis and was treated with ceftriaxone.\n\n"
        "Discussion\n"
        "Smith et al. reported tuberculous meningitis in three patients.\n"
    )
    discussion = text.index("Discussion")
    page.goto(open_server.url)
    page.fill("#text", text)
    case = _analyse_by_keyboard(page)
    assert case.summary is not None
    where = {m.id: m.start for m in case.mentions}
    (apart,) = case.summary.literature
    assert all(where[i] > discussion for i in apart.mentions)
    assert case.summary.diagnoses
    assert all(where[i] < discussion for d in case.summary.diagnoses for i in d.mentions)
    row = page.locator("#summary table.summary tr.literature")
    expect(row.locator("th")).to_have_text("From the literature (not this patient)")
    expect(row.locator("td")).to_have_text(apart.text)
    marked = row.locator("button.mention-link")
    expect(marked).to_have_attribute("data-mention", apart.mentions[0])


def test_the_api_reference_works_offline(page: Page, open_server: RunningServer) -> None:
    # Anything not on the server is refused, as it would be without a network; the page
    # fixture also fails the test for any such request.
    page.route(
        re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"),
        lambda route: route.abort(),
    )
    page.goto(open_server.url)
    with page.expect_navigation():
        page.click("footer a[href='/docs']")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("casebook", timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/v1/analyze").first).to_be_visible()
    expect(page.locator(".swagger-ui .errors-wrapper")).to_have_count(0)


@pytest.mark.parametrize("width", [360, 390])
def test_the_page_fits_a_phone_and_its_tables_stack(
    browser: Browser,
    open_server: RunningServer,
    example_text: str,
    width: int,
    screenshots: Path,
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True)
    page = context.new_page()
    page.goto(open_server.url)
    page.fill("#text", example_text)
    _analyse_by_keyboard(page)
    expect(page.locator("#similar > li")).to_have_count(5)
    expect(page.locator("#tally tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == width
    for table in ("#codes", "#tally"):
        cells = page.locator(f"{table} tbody td")
        assert cells.first.evaluate("c => getComputedStyle(c).display") == "block"
        labels = cells.evaluate_all(
            "cs => cs.map(c => [c.dataset.label, getComputedStyle(c, '::before').content])"
        )
        assert labels and all(label and f'"{label}: "' == shown for label, shown in labels)
        # Every cell, the codes' evidence and the tally's cases included, lies on the screen.
        rights = cells.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().right)")
        assert max(rights) <= width
    evidence = page.locator("#codes tbody td[data-label='evidence']").first
    expect(evidence).to_be_visible()
    if width == 390:
        page.screenshot(path=str(screenshots / "page-phone.png"))
        page.evaluate("document.getElementById('codes-section').scrollIntoView()")
        page.screenshot(path=str(screenshots / "page-phone-codes.png"))
    context.close()


def test_ages_read_in_the_unit_the_report_uses(page: Page, open_server: RunningServer) -> None:
    page.goto(open_server.url)
    page.fill("#text", "An 8-month-old boy had fever and a rash for 3 days.")
    case = _analyse_by_keyboard(page)
    assert case.patient.age_years is not None and case.patient.age_years < 1
    expect(page.locator("#patient")).to_contain_text("8 months, male")
    expect(page.locator("#patient")).not_to_contain_text("0.6")
