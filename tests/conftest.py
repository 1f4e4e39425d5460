"""Shared fixtures: where the datasets and the example case are.

The datasets live outside the repository (``CASEBOOK_DATA``, default ``../shared/datasets``
beside the checkout); tests that need them skip when they are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def _data_root() -> Path:
    configured = Path(os.environ.get("CASEBOOK_DATA", "../shared/datasets"))
    return configured if configured.is_absolute() else (REPO_ROOT / configured).resolve()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The datasets folder; skips the test when it is absent."""
    root = _data_root()
    if not root.is_dir():
        pytest.skip(f"datasets not found at {root}")
    return root


@pytest.fixture(scope="session")
def example_case_path() -> Path:
    """The canonical example case report; skips the test when it is absent."""
    path = _data_root().parent / "examples" / "csf-leak-after-bone-marrow-biopsy.txt"
    if not path.is_file():
        pytest.skip(f"example case not found at {path}")
    return path


@pytest.fixture(scope="session")
def example_text(example_case_path: Path) -> str:
    """The canonical example case report's text."""
    return example_case_path.read_text(encoding="utf-8")
