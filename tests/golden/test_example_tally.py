"""The example case's treatments as the tally counts them: what a clinician reads out of it.

The report names a CT, an MRI, a biopsy and an asialotransferrin assay (tests), a dural tear (a
finding), simple analgesia that did not relieve the headache, and a blood patch after which the
patient "reported improvement in symptoms" and "made a full recovery", before she completed
her chemotherapy with intrathecal prophylaxis, whose outcome the report does not give.
"""

from __future__ import annotations

from casebook.model import Case, Outcome
from casebook.search.outcomes import OutcomeReader, tally


def test_the_example_tallies_its_treatments_and_nothing_else(case: Case) -> None:
    rows = tally([(case.id, OutcomeReader().treatments(case))])
    outcomes = {row.treatment: next(iter(row.outcomes)) for row in rows}
    assert set(outcomes) == {"analgesic", "blood patch", "chemotherapy", "intrathecal prophylaxis"}
    assert outcomes["analgesic"] is Outcome.UNCHANGED  # "was not relieved with simple analgesia"
    assert outcomes["blood patch"] in {Outcome.RESOLVED, Outcome.IMPROVED}
    # Nothing after them says how the lymphoma fared.
    assert outcomes["chemotherapy"] is Outcome.UNKNOWN
    assert outcomes["intrathecal prophylaxis"] is Outcome.UNKNOWN
