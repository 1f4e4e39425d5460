"""Stand-ins for the analysis in the pool's tests: work that never stops by itself (as a
pathological document's could), and work that is slow for long texts.

The workers unpickle the stand-in by module name, so this module is imported from its folder
(put on ``sys.path``, which spawned workers inherit), not as part of a test file.
"""

from __future__ import annotations

import time

from casebook.api.analysis import SHORT_CHARS
from casebook.model import Case, Document

STALL = "stall"
"""A text starting with this never finishes."""

LONG_S = 60.0
"""How long a text longer than ``SHORT_CHARS`` takes."""


def stand_in(document: Document, deadline: float | None) -> Case:
    """An empty case for the document: at once for a short text, after ``LONG_S`` for a long
    one, never for one starting with ``STALL`` (the deadline is not looked at)."""
    if document.text.startswith(STALL):
        while True:
            time.sleep(1.0)
    if len(document.text) > SHORT_CHARS:
        time.sleep(LONG_S)
    return Case.from_document(document)
