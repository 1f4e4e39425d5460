"""Case-level coding: ICD-10-CM diagnosis ranking (``Icd10Coder``, ``Icd10Model``)."""

from __future__ import annotations

from casebook.coding.component import Icd10Coder
from casebook.coding.icd10cm import Icd10Model, Icd10Settings, RankedCode, fuse

__all__ = ["Icd10Coder", "Icd10Model", "Icd10Settings", "RankedCode", "fuse"]
