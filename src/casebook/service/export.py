"""A case as the files ``extract`` writes: Case JSON or a FHIR R4 Bundle, one per case."""

from __future__ import annotations

import json
import os
import re
import tempfile
from enum import StrEnum
from pathlib import Path

from casebook.model import Case, Document
from casebook.pipeline_fingerprint import pipeline_fingerprint


class ExportFormat(StrEnum):
    """What a case is written as: casebook's Case JSON or a FHIR R4 Bundle."""

    JSON = "json"
    FHIR = "fhir"


def export_case(case: Case, output_format: ExportFormat, indent: int | None = None) -> str:
    """The case as JSON text in ``output_format``."""
    if output_format is ExportFormat.FHIR:
        from casebook.export.fhir import bundle_json

        return bundle_json(case, indent=indent)
    return case.model_dump_json(indent=indent)


_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def case_filename(case_id: str, output_format: ExportFormat = ExportFormat.JSON) -> str:
    """The file a case is written to: its id made file-safe, then ``.json`` or ``.fhir.json``."""
    suffix = ".fhir.json" if output_format is ExportFormat.FHIR else ".json"
    return _UNSAFE_FILENAME_CHARS.sub("_", case_id) + suffix


def already_extracted(document: Document, out_dir: Path, output_format: ExportFormat) -> bool:
    """Whether ``out_dir`` holds a readable export of this document with the same text, made
    by this pipeline (``Case.pipeline``).

    ``extract`` and ``spark extract`` both skip such a document, so a rerun resumes; an
    export another pipeline made is written again.
    """
    path = out_dir / case_filename(document.id, output_format)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if output_format is ExportFormat.FHIR:
        from casebook.export.fhir import stored_pipeline, stored_text_hash, text_hash

        return (
            stored_text_hash(stored) == text_hash(document.text)
            and stored_pipeline(stored) == pipeline_fingerprint()
        )
    return (
        isinstance(stored, dict)
        and stored.get("text") == document.text
        and stored.get("pipeline") == pipeline_fingerprint()
    )


def write_case(case: Case, out_dir: Path, output_format: ExportFormat = ExportFormat.JSON) -> Path:
    """Write a case atomically, so an interrupted run never leaves half a file."""
    target = out_dir / case_filename(case.id, output_format)
    handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(export_case(case, output_format, indent=1))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
