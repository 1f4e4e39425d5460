"""The CARE check: one sentence per item, the example case, a JATS article, the rule file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casebook.care import CareReport, CareRules, check_care
from casebook.cli import app
from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.detect import read_bytes
from casebook.ingest.jats import parse_jats, read_jats
from casebook.ingest.text import read_text
from casebook.model import Case
from casebook.resources import load_rules, resource_path
from casebook.service import analyze_document

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ingest"
runner = CliRunner()


def _analysed(text: str) -> Case:
    (document,) = read_bytes(text.encode("utf-8"), "report.txt")
    return analyze_document(document)


def _covered(report: CareReport) -> set[str]:
    return {item.name for item in report.items if item.covered}


@pytest.mark.parametrize(
    ("item", "text"),
    [
        ("title", "Liver abscess from cat-scratch disease: a case report\n\nShe was well.\n"),
        ("keywords", "Keywords: liver abscess; Bartonella; case report.\n"),
        ("abstract", "Abstract\n\nWe describe a rare abscess.\n"),
        ("introduction", "Introduction\n\nCat-scratch disease is common in children.\n"),
        ("patient_information", "The patient was a 45-year-old man.\n"),
        ("clinical_findings", "She had a fever and a cough.\n"),
        ("timeline", "Table 1 shows the timeline of events.\n"),
        ("diagnostic_assessment", "A chest CT scan was performed.\n"),
        ("therapeutic_intervention", "She was treated with intravenous amoxicillin.\n"),
        ("follow_up_and_outcomes", "At follow-up six months later she was well.\n"),
        ("follow_up_and_outcomes", "The patient remains healthy four years after the surgery.\n"),
        ("follow_up_and_outcomes", "A CT scan two years later showed no evidence of recurrence.\n"),
        ("discussion", "To our knowledge, this is the first such case.\n"),
        ("patient_perspective", "In her own words, the operation was a relief.\n"),
        ("informed_consent", "Written informed consent was obtained from the patient.\n"),
    ],
)
def test_one_sentence_covers_its_item_with_evidence_in_the_text(item: str, text: str) -> None:
    case = _analysed(text)
    report = check_care(case)
    (checked,) = [i for i in report.items if i.name == item]
    assert checked.covered and checked.missing is None
    for evidence in checked.evidence:
        if evidence.start is not None and evidence.end is not None:
            assert evidence.words in case.text[evidence.start : evidence.end]


def test_text_without_any_item_covers_none_and_says_what_is_missing() -> None:
    report = check_care(_analysed("Nothing to see here.\n"))
    assert report.covered == 0 and report.total == 13
    assert report.score == "0 of 13 items"
    assert all(item.missing for item in report.items)
    assert [item.number for item in report.items] == list(range(1, 14))


def test_dates_along_the_narrative_are_not_a_timeline() -> None:
    text = "In May 2019 she had a rash. Two days later she had a fever. In June she was well.\n"
    assert "timeline" not in _covered(check_care(_analysed(text)))


@pytest.mark.parametrize(
    "text",
    [
        "Case presentation\nA 54-year-old man had a fever.\n",
        "A 54-year-old man had a fever.\nHe recovered.\n",
        "fever and cough\n",
    ],
)
def test_a_heading_a_sentence_or_a_lone_line_is_not_a_title(text: str) -> None:
    assert "title" not in _covered(check_care(_analysed(text)))


def test_a_relatives_findings_are_not_the_patients_clinical_findings() -> None:
    report = check_care(_analysed("Her mother had a fever.\n"))
    (findings,) = [i for i in report.items if i.name == "clinical_findings"]
    assert all(e.words != "fever" for e in findings.evidence)


def test_example_case_lacks_keywords_consent_and_discussion(example_case_path: Path) -> None:
    report = check_care(analyze_document(read_text(example_case_path)))
    covered = _covered(report)
    assert {"patient_information", "clinical_findings", "diagnostic_assessment"} <= covered
    assert not covered & {"title", "keywords", "abstract", "introduction", "timeline"}
    assert not covered & {"discussion", "patient_perspective", "informed_consent"}
    assert report.score == f"{len(covered)} of 13 items"
    (patient,) = [i for i in report.items if i.name == "patient_information"]
    assert {e.words for e in patient.evidence} >= {"29-year-old", "female"}
    assert all(e.kind == "mention" and e.mention for e in patient.evidence)


def test_jats_title_abstract_and_sections_come_from_the_format() -> None:
    article = read_jats(FIXTURES / "case-report.nxml")
    report = check_care(analyze_document(article))
    items = {i.name: i for i in report.items}
    assert items["title"].evidence[0].kind == "format"
    assert items["title"].evidence[0].words == article.title
    assert [e.words for e in items["abstract"].evidence][:1] == ["Abstract"]
    assert items["introduction"].covered and items["discussion"].covered
    assert not items["keywords"].covered and not items["informed_consent"].covered


def test_jats_keywords_are_read_and_cover_the_keywords_item() -> None:
    xml = (
        b"<article><front><article-meta><title-group><article-title>A case</article-title>"
        b"</title-group><kwd-group><kwd>Bartonella</kwd><kwd>case <italic>report</italic></kwd>"
        b"</kwd-group></article-meta></front><body><p>She had a fever.</p></body></article>"
    )
    document = parse_jats(xml, None, "kw")
    assert document.source.extra["keywords"] == "Bartonella; case report"
    (keywords,) = [i for i in check_care(analyze_document(document)).items if i.number == 2]
    assert keywords.covered and keywords.evidence[0].words == "Bartonella; case report"


def test_rule_file_with_items_out_of_order_is_refused(tmp_path: Path) -> None:
    rules = json.loads(resource_path("care.json").read_text(encoding="utf-8"))
    rules["items"][0]["number"] = 2
    bad = tmp_path / "care.json"
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        load_rules(bad, CareRules)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_rule_file_with_a_broken_regex_is_refused(tmp_path: Path) -> None:
    rules = json.loads(resource_path("care.json").read_text(encoding="utf-8"))
    rules["items"][12]["patterns"] = ["consent("]
    bad = tmp_path / "care.json"
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError, match="invalid regex"):
        load_rules(bad, CareRules)


def test_cli_care_prints_the_table_and_the_score(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("Written informed consent was obtained.\n", encoding="utf-8")
    result = runner.invoke(app, ["care", str(report)])
    assert result.exit_code == 0, result.output
    assert "Informed consent" in result.stdout and "1 of 13 items" in result.stdout


def test_cli_care_json_is_a_care_report(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("She had a fever and a cough.\n", encoding="utf-8")
    result = runner.invoke(app, ["care", str(report), "--json"])
    assert result.exit_code == 0, result.output
    parsed = CareReport.model_validate_json(result.stdout)
    assert parsed.case_id == "report" and len(parsed.items) == 13
    assert json.loads(result.stdout)["score"] == parsed.score


def test_cli_care_unreadable_input_is_a_coded_error(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["care", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 1 and "CB-E001" in missing.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    result = runner.invoke(app, ["care", str(empty)])
    assert result.exit_code == 1 and "CB-E002" in result.stderr
