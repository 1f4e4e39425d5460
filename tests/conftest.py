"""Shared fixtures: where the datasets and the example case are.

The datasets live outside the repository (``CASEBOOK_DATA``, default ``../shared/datasets``
beside the checkout); tests that need them skip when they are absent. The example case report
and its expected facts are test data of the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        default=None,
        help="Folder for the page tests' screenshots (default: a temporary folder); "
        "make screenshots passes docs/.",
    )


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


EXAMPLE_CASE = FIXTURES / "example" / "csf-leak-after-bone-marrow-biopsy.txt"
"""The canonical example case report (the README's), with its expected facts beside it."""


@pytest.fixture(scope="session")
def example_case_path() -> Path:
    """The canonical example case report, kept with the tests so that they never skip."""
    return EXAMPLE_CASE


@pytest.fixture(scope="session")
def example_text(example_case_path: Path) -> str:
    """The canonical example case report's text."""
    return example_case_path.read_text(encoding="utf-8")
