"""Exporters: a ``Case`` in other formats (FHIR R4)."""

from casebook.export.fhir import case_to_bundle

__all__ = ["case_to_bundle"]
