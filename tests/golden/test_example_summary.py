"""The example case's clinical summary, read as a clinician reads it: nothing false in it.

The report: a 29-year-old woman with a new ALK-positive anaplastic large cell lymphoma had a
bone marrow aspirate and trephine biopsy for staging; a CSF leak from the biopsy site followed
(a dural tear at S1), with headache that simple analgesia did not relieve and subdural
effusions; CT was normal, the fluid tested
positive for asialotransferrin, MRI showed the effusions; anaesthetic colleagues performed a
blood patch, after which she improved, recovered fully and completed her chemotherapy with
intrathecal prophylaxis. Issue 16 found colleagues as a diagnosis, a dural tear as a procedure
and asialotransferrin as a treatment in this summary.
"""

from __future__ import annotations

from casebook.model import Assertion, Case, ClinicalSummary

EXPECTED: dict[str, set[str]] = {
    "presenting_problem": {"ALK-positive anaplastic large cell lymphoma"},
    "diagnoses": {"ALK-positive anaplastic large cell lymphoma", "bilateral subdural effusions"},
    "procedures": {"intrathecal prophylaxis"},
    "complications": {"cerebrospinal fluid leak"},
    "investigations": {
        "bone marrow aspirate",
        "trephine biopsy",
        "biopsy",
        "computed tomography",
        "asialotransferrin assay",
        # No CSF pressure was measured: the MRI's effusions suggest it (its result below).
        "magnetic resonance imaging",
    },
    # "The headache was not relieved with simple analgesia": given, and it failed.
    "treatments": {"analgesia", "blood patch", "chemotherapy regimen"},
    "outcomes": {"improvement", "full recovery"},
    "follow_up": set(),
    "literature": set(),
}
"""What the summary shows under each heading, every item true of the patient."""


def _summary(case: Case) -> ClinicalSummary:
    assert case.summary is not None
    return case.summary


def _texts(case: Case, heading: str) -> set[str]:
    return {item.text for item in getattr(_summary(case), heading)}


def test_every_heading_shows_the_facts_a_clinician_reads_and_nothing_else(case: Case) -> None:
    assert {heading: _texts(case, heading) for heading in EXPECTED} == EXPECTED


def test_no_person_place_or_misplaced_kind_is_shown(case: Case) -> None:
    shown = {item.text.lower() for item in _summary(case).items()}
    assert not {text for text in shown if "colleague" in text or "team" in text}
    assert "dural tear" not in _texts(case, "procedures")
    assert "asialotransferrin" not in _texts(case, "treatments")
    assert "fluid" not in shown  # a body fluid alone is no finding


def test_the_leak_is_present_and_caused_by_the_dural_tear_after_the_biopsy(case: Case) -> None:
    (leak,) = _summary(case).complications
    # First told as a possibility, then as the cause of the fluid: present.
    assert leak.assertion is Assertion.PRESENT
    causes = {link.text for link in leak.related if link.relation == "caused_by"}
    assert causes == {"dural tear", "biopsy"}


def test_tests_carry_their_results_and_the_patch_its_outcome(case: Case) -> None:
    results = {
        item.text: {link.text for link in item.related if link.relation == "result"}
        for item in _summary(case).investigations
    }
    assert results["computed tomography"] == {"normal"}
    # The effusions it showed, and the low pressure they suggest (a finding since 2026-12-05).
    assert results["magnetic resonance imaging"] == {
        "bilateral subdural effusions",
        "extremely low cerebrospinal fluid pressure",
    }
    (patch,) = [item for item in _summary(case).treatments if item.text == "blood patch"]
    assert [(link.relation, link.text) for link in patch.related] == [("outcome", "improvement")]
