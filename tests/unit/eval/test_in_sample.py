"""A score on documents the models were trained on says so: ``in_sample`` in every report."""

from __future__ import annotations

import shutil
from pathlib import Path

from casebook.eval.coding import evaluate_icd10
from casebook.eval.hpo import evaluate_hpo
from casebook.eval.in_sample import running_manifests, trained_on
from casebook.eval.ner import evaluate_ner
from casebook.eval.procedures import evaluate_icd10pcs
from casebook.eval.relations import evaluate_relations
from casebook.eval.timeline import evaluate_timeline
from casebook.ingest.datasets import CODIESP, GSCPLUS, JAX, MACCROBAT
from casebook.model import Case, Document

FIXTURES = Path(__file__).parents[2] / "fixtures" / "eval"


def _no_mentions(document: Document) -> Case:
    return Case.from_document(document)


def _unchanged(case: Case) -> Case:
    return case


def test_a_scored_document_the_system_learnt_from_makes_the_report_in_sample(
    tmp_path: Path,
) -> None:
    shutil.copytree(FIXTURES / "codiesp", tmp_path / "codiesp")
    (tmp_path / "codiesp" / "codesP.tsv").write_text("d1\t3e0r3gc\n", encoding="utf-8")
    runs = [
        (lambda seen: evaluate_ner(FIXTURES / "brat", _no_mentions, trained=seen), "case1"),
        (lambda seen: evaluate_icd10(FIXTURES / "codiesp", _no_mentions, trained=seen), "d2"),
        (lambda seen: evaluate_icd10pcs(tmp_path / "codiesp", _no_mentions, trained=seen), "d3"),
        (lambda seen: evaluate_hpo(FIXTURES / "hpo", _no_mentions, trained=seen), "p1"),
    ]
    for evaluate, scored in runs:
        assert evaluate({scored, "elsewhere"}).in_sample is True
        assert evaluate({"elsewhere"}).in_sample is False
        assert evaluate(None).in_sample is False  # another system than the shipped one


def test_only_a_timeline_on_predicted_mentions_runs_a_trained_model() -> None:
    brat = FIXTURES / "timeline" / "brat"
    on_gold = evaluate_timeline(brat, relate=_unchanged, trained={"lp"})
    on_predicted = evaluate_timeline(
        brat, predicted=True, relate=_unchanged, analyze=_no_mentions, trained={"lp"}
    )
    assert (on_gold.in_sample, on_predicted.in_sample) == (False, True)
    assert evaluate_relations(brat, _unchanged).in_sample is False


def test_the_default_system_answers_for_every_shipped_model() -> None:
    def default(document: Document) -> Case:
        return Case.from_document(document)

    ner, icd10, hpo = running_manifests()
    assert (ner.model, icd10.model, hpo.model) == ("ner", "icd10", "hpo")
    # The HPO scorer learnt from the ontology alone: no evaluation document is in its sample.
    assert trained_on(JAX, default, default) == frozenset()
    assert trained_on(GSCPLUS, default, default) == frozenset()
    assert trained_on(MACCROBAT, default, default) == ner.documents(MACCROBAT)
    assert trained_on(CODIESP, default, default) >= icd10.documents(CODIESP)
    assert trained_on(MACCROBAT, _no_mentions, default) == frozenset()
