"""casebook: structured, coded, evidence-linked clinical cases from case reports."""

__version__ = "0.2.0"
