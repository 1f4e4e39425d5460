"""Lasting conditions: which codes a past-history mention still supports."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from casebook.kb.chronic import ChronicConditions, is_chronic


@pytest.mark.parametrize(
    ("code", "lasts"),
    [
        ("I10", True),  # hypertension
        ("E11.9", True),  # type 2 diabetes
        ("F10.20", True),  # alcohol dependence
        ("Q21.3", True),  # tetralogy of Fallot: congenital
        ("I33.0", False),  # acute endocarditis
        ("F10.10", False),  # alcohol abuse, not dependence
        ("C50.911", False),  # a past cancer is Z85, not C50
        ("S72.001", False),  # an injury
    ],
)
def test_a_code_is_chronic_when_a_listed_prefix_starts_it(code: str, lasts: bool) -> None:
    assert is_chronic(code) is lasts


def test_the_list_holds_only_icd10cm_prefixes() -> None:
    with pytest.raises(ValidationError, match="not an ICD-10-CM code prefix"):
        ChronicConditions(version="1", codes=["I10", "hypertension"])
