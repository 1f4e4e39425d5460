"""What casebook shows a clinician is true: one rule per test, each on a sentence written for it.

Each test reads a short report through the whole pipeline and checks one thing the summary, the
codes, the relations or the timeline must not claim (issue: false shown items in PMC-Patients
5752819-1, 7692310-1, 4255544-1 and 6990510-1).
"""

from __future__ import annotations

from casebook.model import Case, CodeSystem, Document, Source, SourceFormat
from casebook.service import analyze_document


def analyse(text: str) -> Case:
    return analyze_document(Document(id="t", text=text, source=Source(format=SourceFormat.TEXT)))


def shown(case: Case, heading: str) -> list[str]:
    return [item.text.lower() for item in getattr(case.summary, heading)]


def test_an_abdominal_inspection_is_an_investigation_never_a_procedure() -> None:
    case = analyse(
        "A 59-year-old man presented with jaundice. Abdominal inspection revealed no "
        "distension. He underwent a cholecystectomy."
    )
    assert "inspection" not in shown(case, "procedures")
    assert "inspection" in shown(case, "investigations")


def test_organs_out_of_their_place_are_no_procedure() -> None:
    case = analyse(
        "A 59-year-old man presented with jaundice. CT scan revealed biliary tree dilatation "
        "and abnormal intra-abdominal organ positioning."
    )
    assert not any("positioning" in item for item in shown(case, "procedures"))
    assert not any("positioning" in item for item in shown(case, "treatments"))
