"""Conditions that last: a past-history mention of one still describes the patient today.

"History of hypertension" is asserted historical (ConText's temporality), yet the patient has
hypertension now, and a coder codes it (ICD-10-CM Official Guidelines FY2026, Section III:
coexisting conditions; Section IV.J: chronic diseases). "History of bacterial endocarditis" is
not coded: the illness is over. ``resources/chronic_conditions.json`` (schema
``ChronicConditions``) lists the ICD-10-CM categories, or finer codes, of lasting conditions;
a code is chronic when one of them is a prefix of it.
"""

from __future__ import annotations

import re
from functools import cache

from pydantic import Field, field_validator

from casebook.model import RecordModel
from casebook.resources import load_rules

RESOURCE = "chronic_conditions.json"
"""The packaged file's name under ``casebook/resources``."""

_PREFIX = re.compile(r"[A-Z](?:[0-9][0-9A-Z]?(?:[0-9A-Z](?:\.[0-9A-Z]{1,4})?)?)?")


class ChronicConditions(RecordModel):
    """The schema of ``chronic_conditions.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    codes: list[str] = Field(
        min_length=1,
        description="ICD-10-CM code prefixes (a chapter letter, a category such as 'I10', or a "
        "finer code such as 'F10.2') of conditions that last.",
    )

    @field_validator("codes")
    @classmethod
    def _codes_are_icd10cm_prefixes(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not _PREFIX.fullmatch(code):
                raise ValueError(f"not an ICD-10-CM code prefix: {code!r}")
        return codes


@cache
def chronic_prefixes() -> tuple[str, ...]:
    """The packaged prefixes of lasting conditions."""
    return tuple(load_rules(RESOURCE, ChronicConditions).codes)


def is_chronic(code: str, prefixes: tuple[str, ...] | None = None) -> bool:
    """Whether an ICD-10-CM code names a condition that lasts (see the module docstring)."""
    return code.startswith(prefixes if prefixes is not None else chronic_prefixes())
