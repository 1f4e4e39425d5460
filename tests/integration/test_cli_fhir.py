"""``--format fhir`` on ``casebook analyze`` and ``casebook extract``, as users run them."""

from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.patient import Patient
from typer.testing import CliRunner

from casebook.cli import app
from casebook.export.fhir import stored_pipeline
from casebook.pipeline_fingerprint import pipeline_fingerprint

runner = CliRunner()

ONE = "A 54-year-old man presented with fever and a productive cough for 3 days.\n"
TWO = "A 7-year-old girl had a rash on both legs. She recovered fully.\n"


def _text_of(bundle: Bundle) -> str:
    document = next(
        e.resource for e in bundle.entry or [] if isinstance(e.resource, DocumentReference)
    )
    return bytes(document.content[0].attachment.data).decode("utf-8")


def test_analyze_fhir_prints_a_valid_bundle_of_the_example(example_case_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(example_case_path), "--format", "fhir"])
    assert result.exit_code == 0, result.output
    bundle = Bundle.model_validate_json(result.stdout)
    assert bundle.type == "collection"
    assert bundle.identifier.value == "csf-leak-after-bone-marrow-biopsy"
    (patient,) = [e.resource for e in bundle.entry or [] if isinstance(e.resource, Patient)]
    assert patient.gender == "female"
    assert _text_of(bundle) == example_case_path.read_text(encoding="utf-8")


def test_analyze_refuses_an_unknown_format() -> None:
    result = runner.invoke(app, ["analyze", "-", "--format", "xml"], input=ONE)
    assert result.exit_code == 2
    assert "text, json or fhir" in result.output


def test_extract_fhir_writes_one_bundle_per_document_and_resumes(tmp_path: Path) -> None:
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "one.txt").write_text(ONE, encoding="utf-8")
    (source / "two.txt").write_text(TWO, encoding="utf-8")
    args = ["extract", str(source), "--out", str(out), "--workers", "1", "--format", "fhir"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.iterdir()) == ["one.fhir.json", "two.fhir.json"]
    one = Bundle.model_validate_json((out / "one.fhir.json").read_text(encoding="utf-8"))
    assert _text_of(one) == ONE

    again = runner.invoke(app, args)
    assert "0 written, 2 already done" in again.stderr

    (source / "two.txt").write_text(TWO + "She was discharged.\n", encoding="utf-8")
    changed = runner.invoke(app, args)
    assert "1 written, 1 already done" in changed.stderr
    two = Bundle.model_validate_json((out / "two.fhir.json").read_text(encoding="utf-8"))
    assert _text_of(two).endswith("She was discharged.\n")

    tagged = (out / "one.fhir.json").read_text(encoding="utf-8")
    assert stored_pipeline(json.loads(tagged)) == pipeline_fingerprint()
    (out / "one.fhir.json").write_text(tagged.replace(pipeline_fingerprint(), "0" * 16))
    redone = runner.invoke(app, args)  # another pipeline made it: analysed again
    assert "1 written, 1 already done" in redone.stderr
    assert (
        stored_pipeline(json.loads((out / "one.fhir.json").read_text())) == pipeline_fingerprint()
    )
