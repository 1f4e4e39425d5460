"""The example case report's codes: its headache, its complication and its procedures."""

from __future__ import annotations

from typing import Any

from casebook.kb.hpo import load_hpo
from casebook.model import Case, CodeSystem

from .test_example_case import matches as mentions_of

HEADACHE = "HP:0002315"


def codes(case: Case, system: CodeSystem) -> list[str]:
    return [c.code for c in case.codes if c.system is system]


def test_headache_is_an_hpo_code(case: Case) -> None:
    kb = load_hpo()
    found = codes(case, CodeSystem.HPO)
    assert any(c == HEADACHE or HEADACHE in kb.ancestors(c) for c in found), found


def test_csf_leak_is_coded_as_a_complication_of_the_puncture(case: Case) -> None:
    found = codes(case, CodeSystem.ICD10CM)
    assert "G97.0" in found
    leak = next(c for c in case.codes if c.code == "G97.0")
    words = [case.text[e.start : e.end] for e in leak.evidence]
    assert "CSF leak" in words and "biopsy" in words


def test_procedures_get_icd10pcs_codes(case: Case) -> None:
    found = codes(case, CodeSystem.ICD10PCS)
    assert {"3E0R3GC", "3E0S3GC"} & set(found), found  # the blood patch
    assert "07DR3ZX" in found  # percutaneous diagnostic extraction of iliac bone marrow
    assert any(c.startswith("BW28") for c in found)  # CT of the head: imaging
    for code in case.codes:
        if code.system is CodeSystem.ICD10PCS:
            assert code.determined_chars == len(code.code)


def test_each_fact_a_coder_would_code_carries_its_codes(
    case: Case, expected: dict[str, Any]
) -> None:
    # A listed code or a more specific one counts (expected.json's "about").
    systems = {"hpo": CodeSystem.HPO, "icd10cm": CodeSystem.ICD10CM}
    missed = []
    for fact in expected["facts"]:
        for system, wanted in fact.get("codes", {}).items():
            if system not in systems:
                continue
            carried = {
                c.code
                for m in mentions_of(case, fact)
                for c in m.codes
                if c.system is systems[system]
            }
            if not any(code.startswith(w) for code in carried for w in wanted):
                missed.append((fact["id"], system))
    assert missed == []


def test_the_lymphoma_is_shown_as_her_diagnosis_with_its_code(case: Case) -> None:
    # "staging investigations for a new diagnosis of" an established lymphoma: no suspicion.
    shown = [c.code for c in case.shown_codes() if c.system is CodeSystem.ICD10CM]
    assert any(code.startswith("C84.6") for code in shown), shown
