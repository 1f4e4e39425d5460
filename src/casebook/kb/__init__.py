"""Vocabulary knowledge bases and candidate generation for coding mentions (HPO, ICD-10)."""

from casebook.kb.base import (
    AliasMatch,
    Candidate,
    CandidateGenerator,
    Concept,
    KnowledgeBase,
    LinkingPolicy,
    normalize_alias,
    normalize_tokens,
    prune_ancestors,
)

__all__ = [
    "AliasMatch",
    "Candidate",
    "CandidateGenerator",
    "Concept",
    "KnowledgeBase",
    "LinkingPolicy",
    "normalize_alias",
    "normalize_tokens",
    "prune_ancestors",
]
