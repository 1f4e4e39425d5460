"""The reviewed links of the ICD-10-CM association lexicon: those a clinical review rejected.

The association lexicon (``casebook.coding.codeset``) is learnt from coded documents: a finding
is linked to the codes whose documents it mostly shares. Some links so learnt carry a code
that merely comes with the finding, or a coding convention of the training corpus, and not
what the finding's words mean: "necrosis" (of a tumour, as often as not) is no gangrene, and
"cirrhosis" is not oesophageal varices. ``resources/icd10cm_association_review.json`` (schema
``AssociationReview``) lists the rejected links with the reason; ``reviewed`` drops them from a
lexicon, both when the lexicon is learnt and when a shipped one is used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from functools import cache

from pydantic import Field, field_validator

from casebook.kb.base import normalize_alias
from casebook.model import RecordModel
from casebook.resources import load_rules

RESOURCE = "icd10cm_association_review.json"
"""The packaged file's name under ``casebook/resources``."""

_CODE = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?")


class RejectionReason(StrEnum):
    """Why a learnt link is no name of the finding."""

    NEEDS_SITE = "needs_site"
    """The words name no condition until a site is given ("necrosis")."""
    SITE_NOT_STATED = "site_not_stated"
    """The code names a site, side or part the finding does not ("hernia" → inguinal)."""
    FINER_THAN_STATED = "finer_than_stated"
    """The code adds a qualifier the finding lacks ("weakness" → muscle weakness)."""
    OTHER_CONDITION = "other_condition"
    """The code names another condition ("cirrhosis" → oesophageal varices)."""


class RejectedLink(RecordModel):
    """One finding → code link the review rejected."""

    finding: str = Field(min_length=1, description="The finding, normalised as the lexicon's.")
    code: str = Field(description="The ICD-10-CM code, with its dot.")
    reason: RejectionReason

    @field_validator("finding")
    @classmethod
    def _normalised(cls, finding: str) -> str:
        if normalize_alias(finding) != finding:
            raise ValueError(f"not in normalised form: {finding!r}")
        return finding

    @field_validator("code")
    @classmethod
    def _icd10cm(cls, code: str) -> str:
        if not _CODE.fullmatch(code):
            raise ValueError(f"not an ICD-10-CM code: {code!r}")
        return code


class AssociationReview(RecordModel):
    """The schema of ``icd10cm_association_review.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    rejected: list[RejectedLink] = Field(min_length=1)


@cache
def rejected_links() -> frozenset[tuple[str, str]]:
    """The packaged rejected links, as (finding, code) pairs."""
    review = load_rules(RESOURCE, AssociationReview)
    return frozenset((link.finding, link.code) for link in review.rejected)


def reviewed(
    association: Mapping[str, Mapping[str, float]],
    rejected: frozenset[tuple[str, str]] | None = None,
) -> dict[str, dict[str, float]]:
    """``association`` (finding → code → strength) without the rejected links; a finding left
    with no link is left out."""
    dropped = rejected_links() if rejected is None else rejected
    kept: dict[str, dict[str, float]] = {}
    for finding, codes in association.items():
        links = {code: s for code, s in codes.items() if (finding, code) not in dropped}
        if links:
            kept[finding] = links
    return kept
