"""Pipeline assembly: components with declared contracts, checked when the pipeline is built.

A component is a plain class with ``name``, ``requires`` and ``assigns`` (names of ``Case``
fields or facets such as ``"sentences"`` or ``"mentions.assertion"``) and a ``__call__`` that
takes and returns a ``Case``. The components themselves, by name, are listed above both ``nlp``
and ``coding`` in ``casebook.components``; there is no import-time registration.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Protocol, runtime_checkable

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document

PROVIDED_BY_READER: frozenset[str] = frozenset({"id", "text", "source", "title"})
"""What every ``Document`` already gives the first component."""


_DEADLINE: ContextVar[float | None] = ContextVar("casebook_analysis_deadline", default=None)
"""When the analysis running in this context must stop (``time.monotonic()``), if ever."""


def check_deadline() -> None:
    """Stop the analysis running in this context when it is past its deadline.

    The pipeline calls it between components, and a component that works long on a long text
    (the mention model, piece by piece) between its steps, so that an analysis whose caller
    has stopped waiting ends at the next such point and frees its process.

    Raises:
        CasebookError: ``CB-E020`` past the deadline.
    """
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise CasebookError(ErrorCode.TIMED_OUT, "the analysis was stopped at its time limit")


@runtime_checkable
class Component(Protocol):
    """What a pipeline component declares and does."""

    name: str
    requires: frozenset[str]
    assigns: frozenset[str]

    def __call__(self, case: Case) -> Case:
        """Add this component's annotations to ``case`` and return it."""
        ...


class Pipeline:
    """An ordered list of components whose contracts were checked at build time.

    Raises:
        CasebookError: ``CB-E009`` when a component requires something that no earlier
            component assigns, or when two components share a name.
    """

    def __init__(
        self, components: Sequence[Component], provided: frozenset[str] = PROVIDED_BY_READER
    ) -> None:
        check_contracts(components, provided)
        self.components: tuple[Component, ...] = tuple(components)

    @property
    def names(self) -> tuple[str, ...]:
        """The component names, in run order."""
        return tuple(c.name for c in self.components)

    def __call__(self, document: Document, deadline: float | None = None) -> Case:
        """Analyse one document, stopping at ``deadline`` (``time.monotonic()``) if given."""
        return self.run(Case.from_document(document), deadline)

    def run(self, case: Case, deadline: float | None = None) -> Case:
        """Run every component over a case that holds what the pipeline was built to expect.

        Raises:
            CasebookError: ``CB-E020`` when ``deadline`` passes (``check_deadline``).
        """
        token = _DEADLINE.set(deadline)
        try:
            for component in self.components:
                check_deadline()
                case = component(case)
        finally:
            _DEADLINE.reset(token)
        return case


def check_contracts(
    components: Sequence[Component], provided: frozenset[str] = PROVIDED_BY_READER
) -> None:
    """Fail unless each component's requirements are met by the input or earlier components.

    Raises:
        CasebookError: ``CB-E009`` naming the component and what it lacks.
    """
    available = set(provided)
    seen: set[str] = set()
    for component in components:
        if component.name in seen:
            raise CasebookError(
                ErrorCode.PIPELINE_CONTRACT, f"component {component.name!r} appears twice"
            )
        seen.add(component.name)
        missing = sorted(component.requires - available)
        if missing:
            raise CasebookError(
                ErrorCode.PIPELINE_CONTRACT,
                f"component {component.name!r} requires {', '.join(missing)}, "
                "which no earlier component assigns",
            )
        available |= component.assigns
