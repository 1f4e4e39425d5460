"""Request and response bodies of the REST API that are not the case model itself."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casebook.errors import CasebookError
from casebook.model import Case, Outcome, Sex, SimilarCase, TreatmentTally
from casebook.service import SearchFilters


class ApiModel(BaseModel):
    """Base of the API's bodies: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


NOT_BLANK = r"\S"
"""The JSON Schema pattern of a text that is not blank. The server checks it itself, so that a
blank text gets the readers' own error (CB-E002)."""

MAX_ID_CHARS = 256
"""The longest case id the API takes, in a path or from an uploaded file's name."""

MAX_OFFSET = 2**31 - 1
"""The largest page offset a listing takes."""


class ReportedOutcome(StrEnum):
    """An outcome a case reports: every ``Outcome`` but 'unknown', which is none."""

    RESOLVED = Outcome.RESOLVED.value
    IMPROVED = Outcome.IMPROVED.value
    UNCHANGED = Outcome.UNCHANGED.value
    WORSENED = Outcome.WORSENED.value
    DIED = Outcome.DIED.value


class TextInput(ApiModel):
    """A case report sent as text; its format (plain text, JATS, BioC …) is detected."""

    text: str = Field(
        description="The case report, in any format casebook reads.",
        min_length=1,
        json_schema_extra={"pattern": NOT_BLANK},
    )


class ErrorBody(ApiModel):
    """A coded error, as the CLI prints it and ``casebook errors`` lists it."""

    code: str = Field(description="The stable error code, e.g. 'CB-E014'.", examples=["CB-E014"])
    message: str = Field(description="What went wrong with this request.")
    hint: str = Field(description="What the code means and what to do about it.")

    @classmethod
    def of(cls, error: CasebookError) -> ErrorBody:
        """The body for a casebook error."""
        return cls(code=error.code.value, message=error.message, hint=error.hint)


class Health(ApiModel):
    """The server is up and its analysis processes are loaded."""

    status: str = Field(description="Always 'ok' when the server answers.")
    version: str = Field(description="casebook's version.")
    formats: list[str] = Field(description="Output formats POST /v1/analyze offers.")


class CaseListItem(ApiModel):
    """One stored case, without its text and facts."""

    id: str
    title: str | None
    age_years: float | None
    sex: Sex | None
    mentions: int = Field(description="How many mentions the case holds.")
    added_at: datetime = Field(description="When this version of the case was stored (UTC).")


class CaseList(ApiModel):
    """One page of the stored cases, sorted by id."""

    total: int = Field(description="How many cases the store holds.")
    offset: int
    limit: int
    items: list[CaseListItem]


class AddReport(ApiModel):
    """What adding documents to the store did, by case id."""

    added: list[str] = Field(description="Cases new to the store.")
    unchanged: list[str] = Field(description="Cases already stored with the same content.")
    replaced: list[str] = Field(description="Cases whose stored version was replaced.")


class FilterFields(ApiModel):
    """Which stored cases a search may return; every filter given must hold."""

    age_min: float | None = Field(default=None, ge=0, description="Youngest patient age, years.")
    age_max: float | None = Field(default=None, ge=0, description="Oldest patient age, years.")
    sex: Sex | None = Field(default=None, description="The patient's sex.")
    code: list[str] = Field(
        default_factory=list,
        description="Codes the case must hold, each with its descendants: G96.0 (ICD-10-CM), "
        "HP:0002315 (HPO) or icd10pcs:CODE.",
    )
    has_procedure: str | None = Field(
        default=None, min_length=1, description="Words of a treatment the patient had."
    )
    has_outcome: ReportedOutcome | None = Field(
        default=None, description="An outcome the case reports."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min is above age_max")
        return self

    def filters(self) -> SearchFilters:
        """These filters as the search index takes them."""
        return SearchFilters(
            age_min=self.age_min,
            age_max=self.age_max,
            sex=self.sex,
            codes=tuple(self.code),
            procedure=self.has_procedure,
            outcome=Outcome(self.has_outcome) if self.has_outcome else None,
        )


def _one_of_case_and_text(schema: dict[str, Any]) -> None:
    """The JSON Schema of a search body: exactly one of ``case`` and ``text``, neither null."""
    properties = schema["properties"]
    for name in ("case", "text"):
        branches = properties[name].pop("anyOf")
        properties[name].update(next(b for b in branches if b.get("type") != "null"))
        properties[name].pop("default", None)
    schema["oneOf"] = [{"required": ["case"]}, {"required": ["text"]}]


class SearchRequest(FilterFields):
    """A query case, given as a Case or as text to analyse, with how many hits and filters."""

    model_config = ConfigDict(json_schema_extra=_one_of_case_and_text)

    case: Case | None = Field(default=None, description="An analysed case (the Case JSON).")
    text: str | None = Field(
        default=None,
        min_length=1,
        description="A case report or a description of the case.",
        json_schema_extra={"pattern": NOT_BLANK},
    )
    k: int = Field(default=10, ge=1, description="How many similar cases (at most api_max_k).")

    @model_validator(mode="after")
    def _one_query(self) -> Self:
        given = [name for name in ("case", "text") if name in self.model_fields_set]
        if len(given) != 1 or getattr(self, given[0]) is None:
            raise ValueError("give exactly one of 'case' and 'text'")
        return self


class SearchResult(ApiModel):
    """The stored cases most like the query case, and what was done for them."""

    similar: list[SimilarCase] = Field(
        description="The hits, best first, each with the facts it shares and those that differ."
    )
    tally: list[TreatmentTally] = Field(
        description="Treatments across the hits, with the outcomes that followed, by case id."
    )
    empty_reason: str | None = Field(
        default=None,
        description="When the filters left no case to return, which filter did, in words.",
    )
