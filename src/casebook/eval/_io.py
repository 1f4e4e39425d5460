"""The default systems under test the evaluators share, imported on first use."""

from __future__ import annotations

from casebook.model import Case, Document


def default_analyze(document: Document) -> Case:
    """``casebook.service.analyze_document``, imported on first use.

    The import is deferred so that loading the evaluators does not load the NLP pipeline.
    """
    from casebook import service

    return service.analyze_document(document)


def load_default_pipeline() -> None:
    """Load the default pipeline's models now rather than on the first ``default_analyze``."""
    from casebook import service

    service.default_pipeline()


def default_assert_mentions(case: Case) -> Case:
    """``casebook.service.assert_mentions``, imported on first use."""
    from casebook import service

    return service.assert_mentions(case)


def default_relate_mentions(case: Case) -> Case:
    """``casebook.service.relate_mentions``, imported on first use."""
    from casebook import service

    return service.relate_mentions(case)
