"""What a search may be restricted to, apart from the index that applies it.

Kept out of ``casebook.search.hybrid`` so that the CLI and the API can build filters (through
``casebook.service``) without loading the index's numerical libraries (scipy, bm25s).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from casebook.model import Outcome, Sex


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Which stored cases a search may return.

    Attributes:
        age_min: Youngest patient age in years (cases without an age fail an age filter).
        age_max: Oldest patient age in years.
        sex: The patient's sex.
        codes: Codes the case must hold, each with its descendants: ``G96.0`` (ICD-10-CM),
            ``HP:0002315`` (HPO), or ``system:code`` such as ``icd10pcs:3E0R3GC``.
        procedure: Words of a treatment the patient had, e.g. "blood patch".
        outcome: An outcome the case reports.
    """

    age_min: float | None = None
    age_max: float | None = None
    sex: Sex | None = None
    codes: tuple[str, ...] = ()
    procedure: str | None = None
    outcome: Outcome | None = None

    def __bool__(self) -> bool:
        return any(v not in (None, ()) for v in asdict(self).values())
