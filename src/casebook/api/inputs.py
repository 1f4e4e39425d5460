"""Documents out of a request: JSON ``{"text": …}`` or a multipart file upload."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from casebook import service
from casebook.api.schemas import MAX_ID_CHARS, TextInput
from casebook.config import Settings
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Document

REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": TextInput.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A case report file in any format casebook reads.",
                    }
                },
                "required": ["file"],
                "additionalProperties": False,
            }
        },
    },
}
"""The OpenAPI request body of the routes that take a document."""


def _invalid(exc: ValidationError) -> CasebookError:
    # Where and what, never the offending input: it may be the document.
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
        for problem in exc.errors()
    )
    return CasebookError(ErrorCode.INVALID_REQUEST, problems)


async def read_documents(request: Request, settings: Settings) -> list[Document]:
    """The documents a request carries, read by the same readers as the CLI's.

    Raises:
        CasebookError: The reader's error for bad content, ``CB-E019`` for a malformed
            request or a document id longer than ``MAX_ID_CHARS``, ``CB-E017`` for a document
            over the size limit.
        HTTPException: 415 for a body that is neither JSON nor multipart.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    name: str | None = None
    if media_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=0) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise CasebookError(
                    ErrorCode.INVALID_REQUEST, "the multipart body needs a 'file' part"
                )
            data = await upload.read()
            name = upload.filename or "upload"
    elif media_type == "application/json":
        try:
            data = TextInput.model_validate_json(await request.body()).text.encode("utf-8")
        except ValidationError as exc:
            raise _invalid(exc) from None
    else:
        raise HTTPException(
            415, "send JSON {\"text\": …} or a multipart/form-data upload with a 'file' part"
        )
    documents = await run_in_threadpool(
        service.read_upload, data, name, max_chars=settings.max_chars
    )
    for document in documents:
        if len(document.id) > MAX_ID_CHARS:
            raise CasebookError(
                ErrorCode.INVALID_REQUEST,
                f"a document id holds {len(document.id):,} characters; at most {MAX_ID_CHARS} "
                "are taken (rename the file, or shorten the id in it)",
            )
    return documents
