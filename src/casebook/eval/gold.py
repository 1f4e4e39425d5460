"""Cases built from gold annotations, so that later stages can be scored apart from NER."""

from __future__ import annotations

from casebook.ingest.brat_model import BratAnnotations
from casebook.model import Case, Document, EntityType, Mention

_TYPES = {kind.value: kind for kind in EntityType}


def case_with_gold_mentions(document: Document, annotations: BratAnnotations) -> Case:
    """A case of ``document`` whose mentions are the gold entities, with their brat ids.

    A discontinuous entity becomes one mention from its first start to its last end, with its
    pieces as ``fragments``; entities of a type casebook does not know are left out.
    """
    mentions: list[Mention] = []
    for entity in annotations.entities:
        kind = _TYPES.get(entity.type)
        if kind is None:
            continue
        mentions.append(
            Mention(
                id=entity.id,
                start=entity.start,
                end=entity.end,
                text=document.text[entity.start : entity.end],
                type=kind,
                fragments=list(entity.fragments) if len(entity.fragments) > 1 else [],
            )
        )
    case = Case.from_document(document)
    return case.model_copy(update={"mentions": mentions})
