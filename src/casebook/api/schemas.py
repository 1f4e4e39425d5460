"""Request and response bodies of the REST API that are not the case model itself."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError
from casebook.model import Sex


class ApiModel(BaseModel):
    """Base of the API's bodies: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


class TextInput(ApiModel):
    """A case report sent as text; its format (plain text, JATS, BioC …) is detected."""

    text: str = Field(description="The case report, in any format casebook reads.")


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
