"""Coded errors shared by the library, the CLI and the REST API.

Every failure a user can meet has a stable code (``CB-E001`` …) so that a message seen in a
terminal, a log or a JSON payload can be searched for and documented in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path


class ErrorCode(StrEnum):
    """Stable error codes; the value is what users see and search for."""

    PATH_NOT_FOUND = "CB-E001"
    EMPTY_DOCUMENT = "CB-E002"
    BINARY_DATA = "CB-E003"
    UNDECODABLE_TEXT = "CB-E004"
    MALFORMED_XML = "CB-E005"
    ANNOTATION_MISMATCH = "CB-E006"
    UNSUPPORTED_FORMAT = "CB-E007"
    MALFORMED_JSON = "CB-E008"
    PIPELINE_CONTRACT = "CB-E009"
    INVALID_CASE = "CB-E010"
    MALFORMED_DATASET = "CB-E011"
    INVALID_RESOURCE = "CB-E012"
    PROCESSING_FAILED = "CB-E013"
    CASE_NOT_FOUND = "CB-E014"
    STORE_ERROR = "CB-E015"
    STORE_LOCKED = "CB-E016"
    REQUEST_TOO_LARGE = "CB-E017"
    UNAUTHORIZED = "CB-E018"
    INVALID_REQUEST = "CB-E019"
    TIMED_OUT = "CB-E020"
    ID_CONFLICT = "CB-E021"
    UNKNOWN_CODE = "CB-E022"
    MALFORMED_ARCHIVE = "CB-E023"
    SPARK_ERROR = "CB-E024"
    OTHER_PIPELINE = "CB-E025"
    UNKNOWN_MENTION_MODEL = "CB-E026"


ERROR_HELP: dict[ErrorCode, str] = {
    ErrorCode.PATH_NOT_FOUND: "The path does not exist or matches no file.",
    ErrorCode.EMPTY_DOCUMENT: "The document holds no text.",
    ErrorCode.BINARY_DATA: "The file holds binary data, not text.",
    ErrorCode.UNDECODABLE_TEXT: "The bytes cannot be decoded as text.",
    ErrorCode.MALFORMED_XML: "The XML is not well formed or is unsafe to parse.",
    ErrorCode.ANNOTATION_MISMATCH: "Standoff annotations do not match the text they point into.",
    ErrorCode.UNSUPPORTED_FORMAT: "No reader handles this file.",
    ErrorCode.MALFORMED_JSON: "The JSON or JSON Lines content is invalid.",
    ErrorCode.PIPELINE_CONTRACT: "A pipeline component needs something no earlier one assigns.",
    ErrorCode.INVALID_CASE: "A case record breaks the case model's rules.",
    ErrorCode.MALFORMED_DATASET: "A dataset file does not have the documented format.",
    ErrorCode.INVALID_RESOURCE: "A packaged rule or lexicon file does not match its schema.",
    ErrorCode.PROCESSING_FAILED: "Analysing a document failed unexpectedly.",
    ErrorCode.CASE_NOT_FOUND: "The case store holds no case with that id.",
    ErrorCode.STORE_ERROR: "The case store cannot be opened, read or written, or is not one.",
    ErrorCode.STORE_LOCKED: "Another process kept the case store longer than CASEBOOK_STORE_WAIT_S "
    "seconds; try again when it is done, or stop it.",
    ErrorCode.REQUEST_TOO_LARGE: "The request or its document is larger than casebook accepts: "
    "a document's characters are capped by --max-chars (CASEBOOK_MAX_CHARS), a request's bytes "
    "by CASEBOOK_API_MAX_REQUEST_BYTES.",
    ErrorCode.UNAUTHORIZED: "Send the server's token as 'Authorization: Bearer <token>'.",
    ErrorCode.INVALID_REQUEST: "The request does not match the API; see its schema at /docs.",
    ErrorCode.TIMED_OUT: "The analysis took longer than the server allows; try a shorter text.",
    ErrorCode.ID_CONFLICT: "The store holds a case with this id and another text: give the "
    "document another id (its file name), or replace the stored case on purpose "
    "(casebook add --replace, POST /v1/cases?replace=true).",
    ErrorCode.UNKNOWN_CODE: "The code is in none of the vocabularies casebook codes into "
    "(ICD-10-CM 2026, HPO, ICD-10-PCS); check its spelling and system prefix.",
    ErrorCode.MALFORMED_ARCHIVE: "The package is not a readable gzipped tar archive.",
    ErrorCode.SPARK_ERROR: "Spark could not run the job: install casebook[spark] and Java 17, "
    "check the --master URL, and read Spark's own message above.",
    ErrorCode.OTHER_PIPELINE: "The case was made by another pipeline (other models, rules or "
    "casebook version) than this casebook's: load it with the casebook that made it, or "
    "analyse its text again (casebook load --reanalyse).",
    ErrorCode.UNKNOWN_MENTION_MODEL: "casebook ships no mention model by that name: choose "
    "'default' or 'permissive' (trained on CC BY 4.0 text only) with --mention-model or "
    "CASEBOOK_MENTION_MODEL.",
}


class CasebookError(Exception):
    """The one error type casebook raises on bad input.

    The message is casebook's own words; what a library said about the failure goes in
    ``detail``, which ``--debug`` and DEBUG logs show and users and API clients never see
    otherwise: it can be long, cryptic, or quote the document.

    Args:
        code: The stable error code.
        message: One line saying what is wrong.
        path: The file or resource the problem is in, when there is one.
        detail: The underlying library's own account of the failure, when there is one.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        path: str | Path | None = None,
        *,
        detail: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.path = str(path) if path is not None else None
        self.detail = detail
        super().__init__(str(self))

    def __reduce__(
        self,
    ) -> tuple[
        Callable[..., CasebookError],
        tuple[type[CasebookError], ErrorCode, str, str | None, str | None],
    ]:
        # Rebuilt from its parts, so that it survives the trip back from a worker process.
        return (_rebuild, (type(self), self.code, self.message, self.path, self.detail))

    @property
    def hint(self) -> str:
        """What the code means and what to do about it, as ``casebook errors`` lists it."""
        return ERROR_HELP[self.code]

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.code.value} {where}{self.message}"

    def to_dict(self) -> dict[str, str | None]:
        """The error as the JSON payload the API and ``--json`` outputs carry."""
        return {"code": self.code.value, "message": self.message, "path": self.path}


def _rebuild(
    kind: type[CasebookError],
    code: ErrorCode,
    message: str,
    path: str | None,
    detail: str | None,
) -> CasebookError:
    return kind(code, message, path, detail=detail)


def library_detail(exc: BaseException) -> str:
    """An exception as ``detail`` shows it: its type and its own first line."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
