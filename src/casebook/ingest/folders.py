"""Checks and listings of dataset folders that every dataset reader shares."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode


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


def read_text_folder(folder: Path) -> list[Path]:
    """The ``*.txt`` files of a folder, sorted by name.

    Raises:
        CasebookError: ``CB-E001`` when the folder is missing, ``CB-E011`` when it holds none.
    """
    require_dir(folder)
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        raise CasebookError(ErrorCode.MALFORMED_DATASET, "no *.txt file", folder)
    return paths


def check_gold_documents(gold: Iterable[str], documents: Iterable[str], path: Path) -> None:
    """Fail when gold names a document the folder does not hold.

    Raises:
        CasebookError: ``CB-E011`` naming the first such document.
    """
    missing = sorted(set(gold) - set(documents))
    if missing:
        raise CasebookError(
            ErrorCode.MALFORMED_DATASET,
            f"{len(missing)} gold document(s) have no text, e.g. {missing[0]}",
            path,
        )
