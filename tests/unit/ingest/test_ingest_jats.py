"""JATS reader: layout, sections and offsets, metadata, and safe parsing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.jats import MAX_XML_DEPTH, parse_jats, read_jats, sec_kind
from casebook.model import Document, SourceFormat

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def article() -> Document:
    return read_jats(FIXTURES / "case-report.nxml")


def test_metadata_goes_to_id_title_and_source(article: Document) -> None:
    assert article.id == "PMC9900001"
    assert article.title == "Cat-scratch disease presenting as a Bartonella liver abscess"
    assert article.source.format is SourceFormat.JATS
    assert article.source.extra == {
        "pmid": "99000001",
        "pmcid": "PMC9900001",
        "doi": "10.0000/jic.2024.001",
        "article_type": "case-report",
    }


def test_sections_have_titles_kinds_and_order(article: Document) -> None:
    assert [(s.title, s.kind) for s in article.sections] == [
        ("", "title"),
        ("Abstract", "abstract"),
        ("Background", "abstract"),
        ("Case presentation", "case_presentation"),
        ("Introduction", "introduction"),
        ("Case presentation", "case_presentation"),
        ("Investigations", "other"),
        ("Treatment and outcome", "other"),
        ("Discussion", "discussion"),
        ("Supplementary material", "supplementary_material"),
        ("Figure 1", "figure_caption"),
        ("Figure 2", "figure_caption"),
    ]
    starts = [s.start for s in article.sections]
    assert starts == sorted(starts)


def test_section_offsets_cover_heading_and_content(article: Document) -> None:
    text = article.text
    by_title = {s.title: s for s in article.sections if s.kind != "case_presentation"}
    assert text[by_title[""].start : by_title[""].end] == article.title
    discussion = by_title["Discussion"]
    assert text[discussion.start : discussion.end] == (
        "Discussion\n\nSerology for B. henselae confirmed the diagnosis."
    )
    treatment = by_title["Treatment and outcome"]
    assert text[treatment.start : treatment.end] == (
        "Treatment and outcome\n\n"
        "Azithromycin for five days\nFollow-up ultrasound at six weeks\n\n"
        "The lesion had resolved at follow-up."
    )
    figure = by_title["Figure 1"]
    assert text[figure.start : figure.end] == (
        "Figure 1 Abdominal ultrasound. A hypoechoic lesion in the right lobe."
    )
    for section in article.sections:
        assert text[section.start : section.end].startswith(section.title)


def test_nested_sections_lie_inside_their_parent(article: Document) -> None:
    body_case = [s for s in article.sections if s.title == "Case presentation"][1]
    investigations = next(s for s in article.sections if s.title == "Investigations")
    assert body_case.start < investigations.start < investigations.end <= body_case.end
    assert article.text[body_case.start : body_case.end].endswith("resolved at follow-up.")


def test_inline_markup_keeps_its_text_and_tables_are_flattened(article: Document) -> None:
    text = article.text
    assert "Hepatic involvement by Bartonella henselae is rare in adults." in text
    assert "fever of 39.2°C and tenderness in the right upper quadrant. She owned" in text
    assert "The leukocyte count was 14 × 109/L (see Table 1)." in text
    assert (
        "Table 1 Laboratory values on admission\n"
        "Test | Result | Reference\n"
        "Leukocytes | 14.0 | 4.0–10.0\n"
        "C-reactive protein | 96 mg/L | <5 mg/L"
    ) in text
    # The figure inside a paragraph is moved to the end, out of the running text.
    assert "segment VI.\n\nTreatment and outcome" in text


def test_back_matter_and_journal_metadata_are_left_out(article: Document) -> None:
    assert "invented reference" not in article.text
    assert "Journal of Invented Cases" not in article.text


def test_blocks_are_separated_by_one_blank_line(article: Document) -> None:
    assert "\n\n\n" not in article.text
    assert article.text == article.text.strip()


def test_external_entity_is_refused() -> None:
    with pytest.raises(CasebookError) as caught:
        read_jats(FIXTURES / "xxe.xml")
    assert caught.value.code is ErrorCode.MALFORMED_XML
    assert "root:" not in caught.value.message  # /etc/passwd was never read
    assert "\n" not in caught.value.message


def test_entity_expansion_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE article [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><article><body><p>&b;</p></body></article>'
    )
    with pytest.raises(CasebookError) as caught:
        parse_jats(bomb, "bomb.xml", "bomb")
    assert caught.value.code is ErrorCode.MALFORMED_XML


def test_malformed_xml_has_a_one_line_message() -> None:
    with pytest.raises(CasebookError) as caught:
        read_jats(FIXTURES / "malformed.xml")
    assert caught.value.code is ErrorCode.MALFORMED_XML
    assert caught.value.path == str(FIXTURES / "malformed.xml")
    assert "\n" not in caught.value.message


def test_an_unknown_declared_encoding_is_a_coded_error() -> None:
    article = b'<?xml version="1.0" encoding="x-no-such"?><article><body><p>A</p></body></article>'
    with pytest.raises(CasebookError) as caught:
        parse_jats(article, "odd.xml", "odd")
    assert caught.value.code is ErrorCode.MALFORMED_XML
    assert "encoding" in caught.value.message


def test_sections_nested_past_the_depth_limit_are_a_coded_error() -> None:
    def article(depth: int) -> bytes:
        sections = f"{'<sec>' * depth}<p>A fever.</p>{'</sec>' * depth}"
        return f"<article><body>{sections}</body></article>".encode()

    # With <article>, <body> and <p>, MAX_XML_DEPTH - 3 sections reach the limit exactly.
    assert parse_jats(article(MAX_XML_DEPTH - 3), "deep.xml", "deep").text == "A fever."
    for depth in (MAX_XML_DEPTH - 2, 10_000):
        with pytest.raises(CasebookError) as caught:
            parse_jats(article(depth), "deep.xml", "deep")
        assert caught.value.code is ErrorCode.MALFORMED_XML
        assert "nested" in caught.value.message


def test_xml_without_article_root_is_unsupported() -> None:
    with pytest.raises(CasebookError) as caught:
        read_jats(FIXTURES / "not-jats.xml")
    assert caught.value.code is ErrorCode.UNSUPPORTED_FORMAT
    assert "<rss>" in caught.value.message


def test_id_falls_back_to_the_stem_and_bare_body_text_is_kept() -> None:
    data = b"<article><body><p>A bare paragraph.</p></body></article>"
    document = parse_jats(data, None, "stdin")
    assert document.id == "stdin"
    assert document.text == "A bare paragraph."
    assert document.sections == []
    assert document.title is None
    assert document.source.path is None


def test_article_without_text_is_empty() -> None:
    with pytest.raises(CasebookError) as caught:
        parse_jats(b"<article><front/></article>", "x.xml", "x")
    assert caught.value.code is ErrorCode.EMPTY_DOCUMENT


@pytest.mark.parametrize(
    ("sec_type", "kind"),
    [
        ("cases", "case_presentation"),
        ("intro", "introduction"),
        ("materials|methods", "methods"),
        ("results", "results"),
        ("conclusions", "conclusions"),
        ("Data Availability", "data_availability"),
        (None, "other"),
    ],
)
def test_sec_type_to_kind(sec_type: str | None, kind: str) -> None:
    assert sec_kind(sec_type, "other") == kind


_words = st.text(alphabet=st.sampled_from("abcdefgh xyz<&é"), min_size=0, max_size=12)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@st.composite
def _sections(draw: st.DrawFn, depth: int = 0) -> str:
    title = draw(_words)
    paragraphs = draw(st.lists(_words, max_size=3))
    children = draw(st.lists(_sections(depth + 1), max_size=2)) if depth < 2 else []
    sec_type = draw(st.sampled_from(["", ' sec-type="cases"', ' sec-type="discussion"']))
    inner = "".join(f"<p>{_escape(p)}</p>" for p in paragraphs) + "".join(children)
    return f"<sec{sec_type}><title>{_escape(title)}</title>{inner}</sec>"


@settings(max_examples=60, deadline=None)
@given(st.lists(_sections(), min_size=1, max_size=3), _words)
def test_section_offsets_always_lie_inside_the_text(secs: list[str], title: str) -> None:
    xml = (
        "<article><front><article-meta><title-group><article-title>"
        f"{_escape(title)}</article-title></title-group></article-meta></front>"
        f"<body>{''.join(secs)}<p>closing words</p></body></article>"
    )
    document = parse_jats(xml.encode("utf-8"), None, "gen")
    for section in document.sections:
        assert 0 <= section.start <= section.end <= len(document.text)
        content = document.text[section.start : section.end]
        assert content == content.strip()
        assert content.startswith(section.title)
