"""Every analysis component casebook has, by name, and the default chain of them.

The registry sits above both ``casebook.nlp`` (the text components and the ``Pipeline`` that
checks their contracts) and ``casebook.coding`` (the coders, which read what ``nlp`` found), so
that neither package imports the other's upper layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from casebook.coding.complications import ComplicationCoder
from casebook.coding.component import Icd10Coder
from casebook.coding.icd10pcs import ProcedureCoder
from casebook.config import MENTION_MODELS, checked_mention_model
from casebook.errors import CasebookError, ErrorCode
from casebook.nlp.abbreviations import AbbreviationDetector
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.attributes import AttributeLinker
from casebook.nlp.citations import CitationFilter
from casebook.nlp.diagnoses import DiagnosisMentions
from casebook.nlp.lexicon import LexiconMentions
from casebook.nlp.mentions import MentionExtractor
from casebook.nlp.patient import PatientDemographics
from casebook.nlp.phenotypes import PhenotypeCoder
from casebook.nlp.phrases import PhraseWidener
from casebook.nlp.pipeline import PROVIDED_BY_READER, Component, Pipeline
from casebook.nlp.relations import RelationFinder
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.nlp.summary import SummaryBuilder
from casebook.nlp.temporal import TemporalOrderer
from casebook.nlp.vocabulary import VocabularyMentions

COMPONENTS: dict[str, Callable[[], Component]] = {
    "sections": SectionDetector,
    "sentences": SentenceSplitter,
    "mentions": MentionExtractor,
    "lexicon": LexiconMentions,
    "vocabulary": VocabularyMentions,
    "diagnoses": DiagnosisMentions,
    "citations": CitationFilter,
    "patient": PatientDemographics,
    "abbreviations": AbbreviationDetector,
    "assertion": ContextAssertion,
    "attributes": AttributeLinker,
    "phrases": PhraseWidener,
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
    "vocabulary",
    "diagnoses",
    "citations",
    "patient",
    "abbreviations",
    "assertion",
    "attributes",
    "phrases",
    "relations",
    "temporal",
    "phenotypes",
    "icd10",
    "icd10pcs",
    "complications",
    "summary",
)


def pipeline_from_names(
    names: Iterable[str] = DEFAULT_COMPONENTS,
    provided: frozenset[str] = PROVIDED_BY_READER,
    mention_model: str | None = None,
) -> Pipeline:
    """Build the named components from ``COMPONENTS``, in the order given.

    Args:
        names: Component names, in run order.
        provided: What the cases given to ``run`` already hold (for example mentions
            supplied by an evaluation harness).
        mention_model: The name (``casebook.config.MENTION_MODELS``) of the model the
            ``mentions`` component runs; when None, the one ``CASEBOOK_MENTION_MODEL`` chooses.

    Raises:
        CasebookError: ``CB-E009`` for an unknown name, or when the contracts do not hold;
            ``CB-E026`` for an unknown mention model.
    """
    components: list[Component] = []
    for name in names:
        factory = COMPONENTS.get(name)
        if factory is None:
            known = ", ".join(sorted(COMPONENTS))
            raise CasebookError(
                ErrorCode.PIPELINE_CONTRACT, f"unknown component {name!r} (known: {known})"
            )
        if name == "mentions" and mention_model is not None:
            components.append(
                MentionExtractor(MENTION_MODELS[checked_mention_model(mention_model)])
            )
        else:
            components.append(factory())
    return Pipeline(components, provided)
