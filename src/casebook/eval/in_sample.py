"""Whether an evaluation scores documents that the models it runs were trained on.

Every report has ``in_sample``: true when a scored document is among those a trained model of
the system under test read in any role (labelled, vectors, pretraining, self-training), as the
models' training manifests list them (``casebook.provenance``). Such a score is not a held-out
result; the CLI says so on stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from functools import cache
from typing import Any

from casebook.provenance import TrainingManifest, read_manifest
from casebook.resources import resource_path

SHIPPED_MODELS: tuple[str, ...] = ("models/ner", "models/icd10", "models/hpo")
"""The trained models the default pipeline runs, by their folder under ``casebook/resources``."""


@cache
def shipped_manifests() -> tuple[TrainingManifest, ...]:
    """The training manifests of the shipped models.

    Raises:
        CasebookError: ``CB-E012`` when a shipped model has no valid manifest.
    """
    return tuple(read_manifest(resource_path(folder)) for folder in SHIPPED_MODELS)


def trained_on(
    dataset: str,
    system: Callable[..., Any],
    default: Callable[..., Any],
    given: Collection[str] | None = None,
) -> frozenset[str]:
    """The ids of ``dataset``'s documents that the system under test learnt from.

    Args:
        dataset: The evaluation set's name (``casebook.ingest.datasets``).
        system: The system under test.
        default: The evaluator's default system, which runs the shipped models.
        given: The ids the caller says its system learnt from; when ``None``, those the shipped
            models' manifests list if ``system`` is ``default``, else none.
    """
    if given is not None:
        return frozenset(given)
    if system is not default:
        return frozenset()
    return frozenset(
        document for manifest in shipped_manifests() for document in manifest.documents(dataset)
    )


def overlaps(scored: Iterable[str], seen: Collection[str]) -> bool:
    """Whether any scored document id is among ``seen``."""
    return any(key in seen for key in scored)
