"""Small helpers the evaluators share: path checks and the default systems under test."""

from __future__ import annotations

from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document


def require_dir(path: Path) -> Path:
    """``path`` if it is a folder.

    Raises:
        CasebookError: ``CB-E001`` when it does not exist or is not a folder.
    """
    if not path.is_dir():
        raise CasebookError(ErrorCode.PATH_NOT_FOUND, "no such folder", path)
    return path


def require_file(path: Path) -> Path:
    """``path`` if it is a file.

    Raises:
        CasebookError: ``CB-E001`` when it does not exist or is not a file.
    """
    if not path.is_file():
        raise CasebookError(ErrorCode.PATH_NOT_FOUND, "no such file", path)
    return path


def default_analyze(document: Document) -> Case:
    """``casebook.service.analyze_document``, imported on first use.

    The import is deferred so that loading the evaluators does not load the NLP pipeline.
    """
    from casebook import service

    return service.analyze_document(document)


def load_default_pipeline() -> None:
    """Load the default pipeline's models now rather than on the first ``default_analyze``."""
    from casebook import service

    service.default_pipeline()


def default_assert_mentions(case: Case) -> Case:
    """``casebook.service.assert_mentions``, imported on first use."""
    from casebook import service

    return service.assert_mentions(case)


def default_relate_mentions(case: Case) -> Case:
    """``casebook.service.relate_mentions``, imported on first use."""
    from casebook import service

    return service.relate_mentions(case)
