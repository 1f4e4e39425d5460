"""Relation scores against MACCROBAT2020 gold relations, on gold mentions.

The system under test gets the gold entities as its mentions (``case_with_gold_mentions``), so
the scores measure relation finding, not entity recognition. Gold relations of MACCROBAT are
mapped onto casebook's relation types:

* ``caused_by``: ``CAUSE Arg1:cause Arg2:effect`` read as effect ``caused_by`` cause;
* ``result_of``: ``MODIFY`` from a Lab_value, Sign_symptom or Disease_disorder to a
  Diagnostic_procedure;
* ``site_of``: ``MODIFY`` from a Biological_structure to a finding or procedure;
* ``dosage_of``: ``MODIFY`` from a Dosage to a Medication.

Event ids are resolved to their trigger entities. A predicted relation counts when its type,
source and target equal a gold one's (P/R/F1 per type and over all four). MACCROBAT has no
gold for ``treated_by`` and ``outcome_of``, so they are not scored here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError
from casebook.eval._io import default_relate_mentions
from casebook.eval.gold import case_with_gold_mentions
from casebook.eval.metrics import PRF, Confusion
from casebook.eval.ner import BratReader
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.brat import brat_documents, read_brat
from casebook.ingest.brat_model import BratAnnotations
from casebook.ingest.datasets import MACCROBAT
from casebook.model import Case, EntityType

FINDINGS = frozenset({"Sign_symptom", "Disease_disorder"})
PROCEDURES = frozenset({"Diagnostic_procedure", "Therapeutic_procedure"})

MODIFY_AS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "result_of": (FINDINGS | {"Lab_value"}, frozenset({"Diagnostic_procedure"})),
    "site_of": (frozenset({"Biological_structure"}), FINDINGS | PROCEDURES),
    "dosage_of": (frozenset({"Dosage"}), frozenset({"Medication"})),
}
"""casebook type → (Arg1 types, Arg2 types) of the MODIFY relations it corresponds to."""

SCORED: tuple[str, ...] = ("caused_by", "result_of", "site_of", "dosage_of")

Triple = tuple[str, str, str]


class RelationReport(BaseModel):
    """``evaluate_relations``'s report.

    Attributes:
        docs: Documents scored.
        in_sample: Always false: relations are found by rules on the gold mentions; no trained
            model runs.
        gold: Gold relations of each scored type.
        overall: Micro-averaged scores over the scored types (JSON key ``"all"``).
        per_type: Scores of each scored type.
        skipped: Documents not scored, each with the error that kept it out.
        result_of_values: ``result_of`` with Lab_value sources only: MACCROBAT links every
            value to its test, but few findings ("CT showed a mass"), so this is the part of
            ``result_of`` whose precision the gold can measure.
    """

    model_config = ConfigDict(extra="forbid")

    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    gold: dict[str, int]
    overall: PRF
    per_type: dict[str, PRF]
    result_of_values: PRF
    skipped: list[SkippedDocument] = Field(default_factory=list)


def gold_relations(annotations: BratAnnotations) -> set[Triple]:
    """The (type, source entity id, target entity id) gold relations casebook's types cover."""
    found: set[Triple] = set()
    for relation in annotations.relations:
        try:
            first = annotations.entity(relation.arg1)
            second = annotations.entity(relation.arg2)
        except KeyError:
            continue
        if relation.type == "CAUSE":
            found.add(("caused_by", second.id, first.id))
        elif relation.type == "MODIFY":
            for kind, (sources, targets) in MODIFY_AS.items():
                if first.type in sources and second.type in targets:
                    found.add((kind, first.id, second.id))
    return found


def predicted_relations(case: Case) -> set[Triple]:
    """The case's relations of the scored types."""
    return {(r.type, r.source, r.target) for r in case.relations if r.type in SCORED}


def evaluate_relations(
    folder: Path,
    relate: Callable[[Case], Case] = default_relate_mentions,
    *,
    read: BratReader = read_brat,
    split: Split = Split.ALL,
) -> RelationReport:
    """Score the relations ``relate`` adds to cases holding the gold mentions of a brat folder.

    Args:
        folder: A folder of ``ID.txt`` + ``ID.ann`` pairs.
        relate: Adds relations to a case with mentions; by default
            ``casebook.service.relate_mentions``.
        read: The brat reader.
        split: The half of the documents scored (``casebook.eval.splits``), or all.

    Returns:
        The report; a document whose gold file cannot be read, or that ``relate`` fails on,
        is listed in ``skipped``.

    Raises:
        CasebookError: ``CB-E001`` for a missing folder, ``CB-E011`` for one without annotated
            documents.
    """
    tallies = {kind: Confusion() for kind in SCORED}
    values = Confusion()
    gold_counts = dict.fromkeys(SCORED, 0)
    paths = select(MACCROBAT, brat_documents(folder), lambda p: p.stem, split)
    scored = 0
    skipped: list[SkippedDocument] = []
    for path in paths:
        try:
            document, annotations = read(path)
            case = relate(case_with_gold_mentions(document, annotations))
        except CasebookError as error:
            skipped.append(SkippedDocument.of(path.stem, error))
            continue
        scored += 1
        gold = gold_relations(annotations)
        predicted = predicted_relations(case)
        value_ids = {m.id for m in case.mentions if m.type is EntityType.LAB_VALUE}
        gold_values = {t for t in gold if t[0] == "result_of" and t[1] in value_ids}
        predicted_values = {t for t in predicted if t[0] == "result_of" and t[1] in value_ids}
        hits = len(gold_values & predicted_values)
        values.merge(
            Confusion(tp=hits, fp=len(predicted_values) - hits, fn=len(gold_values) - hits)
        )
        for kind in SCORED:
            gold_kind = {t for t in gold if t[0] == kind}
            predicted_kind = {t for t in predicted if t[0] == kind}
            hits = len(gold_kind & predicted_kind)
            gold_counts[kind] += len(gold_kind)
            tallies[kind].merge(
                Confusion(tp=hits, fp=len(predicted_kind) - hits, fn=len(gold_kind) - hits)
            )
    overall = Confusion()
    for tally in tallies.values():
        overall.merge(tally)
    return RelationReport(
        split=split,
        docs=scored,
        gold=gold_counts,
        overall=overall.scores(),
        per_type={kind: tallies[kind].scores() for kind in SCORED},
        result_of_values=values.scores(),
        skipped=skipped,
    )
