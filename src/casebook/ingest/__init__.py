"""Readers: one per format, each returning ``Document`` records with stable offsets."""
