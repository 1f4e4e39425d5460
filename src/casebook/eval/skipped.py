"""Documents an evaluation could not score: each one named in the report, with its error.

One unreadable gold file or one document the system under test fails on must not cost the
scores of the others, nor be left out silently: every report has a ``skipped`` list, and the
command warns about each entry and exits 1 after printing the scores.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from casebook.errors import CasebookError


class SkippedDocument(BaseModel):
    """A document (or row, or query) left out of the scores, and why.

    Attributes:
        id: The document's id, or the row or query id, as the dataset names it.
        code: The error code (``CB-E…``).
        message: The error's message, naming the file and, where there is one, the line.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    code: str
    message: str

    @classmethod
    def of(cls, item_id: str, error: CasebookError) -> SkippedDocument:
        """The entry for an item that failed with ``error``."""
        return cls(id=item_id, code=error.code.value, message=str(error))
