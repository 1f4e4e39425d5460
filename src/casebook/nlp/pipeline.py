"""Pipeline assembly: components with declared contracts, checked when the pipeline is built.

A component is a plain class with ``name``, ``requires`` and ``assigns`` (names of ``Case``
fields or facets such as ``"sentences"`` or ``"mentions.assertion"``) and a ``__call__`` that
takes and returns a ``Case``. The components themselves, by name, are listed above both ``nlp``
and ``coding`` in ``casebook.components``; there is no import-time registration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document

PROVIDED_BY_READER: frozenset[str] = frozenset({"id", "text", "source", "title"})
"""What every ``Document`` already gives the first component."""


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

    def __call__(self, document: Document) -> Case:
        """Analyse one document."""
        return self.run(Case.from_document(document))

    def run(self, case: Case) -> Case:
        """Run every component over a case that holds what the pipeline was built to expect."""
        for component in self.components:
            case = component(case)
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
