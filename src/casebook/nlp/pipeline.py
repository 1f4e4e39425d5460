"""Pipeline assembly: components with declared contracts, checked when the pipeline is built.

A component is a plain class with ``name``, ``requires`` and ``assigns`` (names of ``Case``
fields or facets such as ``"sentences"`` or ``"mentions.assertion"``) and a ``__call__`` that
takes and returns a ``Case``. ``COMPONENTS`` lists every component in one place; there is no
import-time registration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

from casebook.coding.complications import ComplicationCoder
from casebook.coding.component import Icd10Coder
from casebook.coding.icd10pcs import ProcedureCoder
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document
from casebook.nlp.abbreviations import AbbreviationDetector
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.attributes import AttributeLinker
from casebook.nlp.lexicon import LexiconMentions
from casebook.nlp.mentions import MentionExtractor
from casebook.nlp.patient import PatientDemographics
from casebook.nlp.phenotypes import PhenotypeCoder
from casebook.nlp.relations import RelationFinder
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.nlp.summary import SummaryBuilder
from casebook.nlp.temporal import TemporalOrderer

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


COMPONENTS: dict[str, Callable[[], Component]] = {
    "sections": SectionDetector,
    "sentences": SentenceSplitter,
    "mentions": MentionExtractor,
    "lexicon": LexiconMentions,
    "patient": PatientDemographics,
    "abbreviations": AbbreviationDetector,
    "assertion": ContextAssertion,
    "attributes": AttributeLinker,
    "relations": RelationFinder,
    "temporal": TemporalOrderer,
    "summary": SummaryBuilder,
    "phenotypes": PhenotypeCoder,
    "icd10": Icd10Coder,
    "icd10pcs": ProcedureCoder,
    "complications": ComplicationCoder,
}
"""Every component casebook has, by name."""

DEFAULT_COMPONENTS: tuple[str, ...] = (
    "sections",
    "sentences",
    "mentions",
    "lexicon",
    "patient",
    "abbreviations",
    "assertion",
    "attributes",
    "relations",
    "temporal",
    "phenotypes",
    "icd10",
    "icd10pcs",
    "complications",
    "summary",
)


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

    @classmethod
    def from_names(
        cls,
        names: Iterable[str] = DEFAULT_COMPONENTS,
        provided: frozenset[str] = PROVIDED_BY_READER,
    ) -> Pipeline:
        """Build the named components from ``COMPONENTS``, in the order given.

        Args:
            names: Component names, in run order.
            provided: What the cases given to ``run`` already hold (for example mentions
                supplied by an evaluation harness).
        """
        components: list[Component] = []
        for name in names:
            factory = COMPONENTS.get(name)
            if factory is None:
                known = ", ".join(sorted(COMPONENTS))
                raise CasebookError(
                    ErrorCode.PIPELINE_CONTRACT, f"unknown component {name!r} (known: {known})"
                )
            components.append(factory())
        return cls(components, provided)

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
