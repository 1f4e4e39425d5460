"""People, organisations, places and drugs of abuse: words that name no clinical concept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import normalize_tokens
from casebook.kb.nonclinical import NonClinicalWords, default_non_clinical
from casebook.resources import resource_path


@pytest.mark.parametrize(
    ("words", "who_or_where"),
    [
        ("general practitioner", True),
        ("janitor", True),
        ("Adeka Pharma", True),
        ("Turkey", True),
        ("hospital in the Philippines", True),
        ("commercial software", True),
        ("nurse-led clinic", True),
        ("lumbar puncture", False),
        ("heroin", False),
        ("pneumonia", False),
    ],
)
def test_who_or_where_is_told_by_the_head_or_a_place_anywhere(
    words: str, who_or_where: bool
) -> None:
    assert default_non_clinical().is_who_or_where(normalize_tokens(words)) is who_or_where


@pytest.mark.parametrize(
    ("words", "abused"),
    [
        ("heroin", True),
        ("intravenous heroin", True),
        ("cocaine", True),
        ("crystal meth", True),
        ("methadone", False),
        ("heroin withdrawal", False),
        ("nicotine replacement therapy", False),
    ],
)
def test_a_phrase_ending_in_a_drug_of_abuse_names_an_exposure(words: str, abused: bool) -> None:
    assert default_non_clinical().is_substance_of_abuse(normalize_tokens(words)) is abused


def test_a_rule_file_with_an_unknown_key_is_a_coded_error(tmp_path: Path) -> None:
    rules = json.loads(resource_path("non_clinical.json").read_text(encoding="utf-8"))
    rules["unknown"] = []
    bad = tmp_path / "non_clinical.json"
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        NonClinicalWords(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


@pytest.mark.parametrize(
    ("sentence", "words", "service"),
    [
        ("General surgery was consulted for the catheter.", "General surgery", True),
        ("We consulted neurosurgery.", "neurosurgery", True),
        ("The plastic surgery team saw her.", "plastic surgery", True),
        ("She underwent general surgery.", "general surgery", False),
        ("She was referred to physical therapy.", "physical therapy", False),
        # Listed beside a specialty: a service too.
        (
            "Consultations included neurology, infectious disease, and hematology.",
            "infectious disease",
            True,
        ),
        ("She had fever, an infectious disease and anemia.", "infectious disease", False),
        # Its abbreviation between the name and the words that make it a service.
        ("Infectious disease (ID) was consulted.", "Infectious disease", True),
        ("The infectious disease (ID) team saw him.", "infectious disease", True),
    ],
)
def test_a_service_is_told_by_being_consulted(sentence: str, words: str, service: bool) -> None:
    start = sentence.index(words)
    found = default_non_clinical().is_service(
        sentence, start, start + len(words), (0, len(sentence))
    )
    assert found is service


@pytest.mark.parametrize(
    ("words", "organism"),
    [
        ("Staphylococcus aureus", True),
        ("recurrent S. aureus", True),
        ("Mycobacterium tuberculosis", True),
        ("hepatitis B virus", True),
        ("S. aureus bacteremia", False),
        ("Diabetes mellitus", False),
        ("Mitotic figures", False),
        ("Lymphoepithelial lesions", False),
        ("HIV", False),
    ],
)
def test_an_organism_is_told_by_its_binomial_name_or_a_virus(words: str, organism: bool) -> None:
    assert default_non_clinical().names_organism(words) is organism
