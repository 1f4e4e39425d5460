"""The web page: one HTML file, a small ES module and a stylesheet, served by the API."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

STATIC_DIR = Path(str(resources.files(__package__).joinpath("static")))
"""Where the page's script and style are."""


@cache
def page_html() -> str:
    """The page's HTML."""
    return resources.files(__package__).joinpath("templates/index.html").read_text("utf-8")
