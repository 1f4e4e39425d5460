"""Whole phrases: a finding mention widened over the modifiers written right before it."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import CasebookError
from casebook.model import Attribute, Case, EntityType, Mention, Source, SourceFormat, Span
from casebook.nlp.phrases import PhraseWidener


def finding(text: str, words: str, modifiers: dict[str, str], **extra: object) -> Mention:
    start = text.index(words)
    attributes = [
        Attribute(
            name=name, start=text.index(value), end=text.index(value) + len(value), text=value
        )
        for value, name in modifiers.items()
    ]
    return Mention(
        id="m1",
        start=start,
        end=start + len(words),
        text=words,
        type=EntityType.DISEASE_DISORDER,
        attributes=attributes,
        **extra,  # type: ignore[arg-type]
    )


def widen(text: str, mention: Mention) -> Mention:
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=[mention])
    (widened,) = PhraseWidener()(case).mentions
    return widened


def test_a_finding_takes_the_details_and_severity_written_before_it() -> None:
    text = "She had an ALK-positive anaplastic large cell lymphoma."
    found = widen(
        text,
        finding(text, "large cell lymphoma", {"ALK-positive": "detail", "anaplastic": "detail"}),
    )
    assert found.text == "ALK-positive anaplastic large cell lymphoma"
    assert text[found.start : found.end] == found.text
    assert found.core == Span(start=text.index("large"), end=text.index("."))
    assert found.marked_text == "large cell lymphoma"
    assert [a.text for a in found.attributes] == ["ALK-positive", "anaplastic"]


def test_a_modifier_apart_from_the_finding_stays_apart() -> None:
    text = "A headache, severe, began."
    assert widen(text, finding(text, "headache", {"severe": "severity"})).text == "headache"
    text = "A severe and sudden headache began."
    assert widen(text, finding(text, "headache", {"severe": "severity"})).text == "headache"


def test_a_site_or_an_abbreviation_is_not_joined() -> None:
    text = "She had knee pain and ALCL."
    assert widen(text, finding(text, "pain", {"knee": "site"})).text == "pain"
    abbreviation = finding(text, "ALCL", {"had": "detail"}, expansion="lymphoma")
    assert widen(text, abbreviation).text == "ALCL"


@pytest.mark.parametrize(
    ("text", "words", "widened"),
    [
        ("Chest X-ray showed an enlarged heart.", "enlarged", "enlarged heart"),
        ("He was noted to have dry skin at 9 months.", "dry", "dry skin"),
        ("CT showed dilated ventricles.", "dilated", "dilated ventricles"),
        # Words that spell no phenotype with it, or begin another phrase, stay apart.
        ("He had nausea and vomiting.", "nausea", "nausea"),
        ("The enlarged node was biopsied.", "enlarged", "enlarged"),
        # An article the matcher reads as no word completes no name.
        ("Because of hypercapnia the baby was intubated.", "hypercapnia", "hypercapnia"),
        # A word heading an organisation's name makes the finding that name.
        ("Her case was evaluated in a cancer board.", "cancer", "cancer board"),
        ("He was followed in the heart-failure clinic.", "heart-failure", "heart-failure clinic"),
        (
            "It was changed based on infectious disease recommendations.",
            "infectious disease",
            "infectious disease recommendations",
        ),
        (
            "It was changed per infectious disease consultant advice.",
            "infectious disease",
            "infectious disease consultant",
        ),
        # A figure reference or an organ after a finding is no organisation.
        ("There was edema Figure 2.", "edema", "edema"),
        ("An inflamed appendix was removed.", "inflamed", "inflamed"),
        # The words before it that spell a phenotype's name with it, not across "and".
        ("He suffered from Type 1 Diabetes.", "Diabetes", "Type 1 Diabetes"),
        ("He had nausea and vomiting.", "vomiting", "vomiting"),
        # "of" may open the words that complete the name, after one or two words.
        (
            "Teeth: delayed eruption of deciduous teeth.",
            "delayed eruption",
            "delayed eruption of deciduous teeth",
        ),
        ("Pain of the knee.", "Pain", "Pain"),
    ],
)
def test_a_finding_takes_the_words_after_it_that_name_a_phenotype_or_organisation_with_it(
    text: str, words: str, widened: str
) -> None:
    found = widen(text, finding(text, words, {}))
    assert found.text == widened and found.marked_text == words


def test_the_rule_file_must_fit_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "phrases.json"
    path.write_text('{"version": "1", "widened_types": ["Sign_symptom"]}', encoding="utf-8")
    with pytest.raises(CasebookError):
        PhraseWidener(path)
