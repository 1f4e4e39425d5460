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

from casebook.config import MENTION_MODELS, mention_model_folder
from casebook.provenance import TrainingManifest, read_manifest
from casebook.resources import resource_path

ICD10_MODEL = "models/icd10"

HPO_MODEL = "models/hpo"

SHIPPED_MODELS: tuple[str, ...] = (*MENTION_MODELS.values(), ICD10_MODEL, HPO_MODEL)
"""Every trained model casebook ships, by its folder under ``casebook/resources``."""


def running_models() -> tuple[str, ...]:
    """The trained models the default pipeline runs: the chosen mention model
    (``CASEBOOK_MENTION_MODEL``), the ICD-10-CM coder and the HPO span scorer.

    Raises:
        CasebookError: ``CB-E026`` when ``CASEBOOK_MENTION_MODEL`` names no shipped model.
    """
    return (mention_model_folder(), ICD10_MODEL, HPO_MODEL)


@cache
def _manifests(folders: tuple[str, ...]) -> tuple[TrainingManifest, ...]:
    return tuple(read_manifest(resource_path(folder)) for folder in folders)


def shipped_manifests() -> tuple[TrainingManifest, ...]:
    """The training manifests of every shipped model, in ``SHIPPED_MODELS`` order.

    Raises:
        CasebookError: ``CB-E012`` when a shipped model has no valid manifest.
    """
    return _manifests(SHIPPED_MODELS)


def running_manifests() -> tuple[TrainingManifest, ...]:
    """The training manifests of the models the default pipeline runs (``running_models``).

    Raises:
        CasebookError: ``CB-E012`` when one has no valid manifest; ``CB-E026`` when
            ``CASEBOOK_MENTION_MODEL`` names no shipped model.
    """
    return _manifests(running_models())


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
        given: The ids the caller says its system learnt from; when ``None``, those the
            manifests of the models the default pipeline runs list (``running_manifests``: the
            chosen mention model's) if ``system`` is ``default``, else none.
    """
    if given is not None:
        return frozenset(given)
    if system is not default:
        return frozenset()
    return frozenset(
        document for manifest in running_manifests() for document in manifest.documents(dataset)
    )


def overlaps(scored: Iterable[str], seen: Collection[str]) -> bool:
    """Whether any scored document id is among ``seen``."""
    return any(key in seen for key in scored)
