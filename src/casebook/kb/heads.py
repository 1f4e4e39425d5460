"""Head words of clinical vocabularies: which words name a finding, a procedure or a test.

A clinical phrase is named by its head: "subdural *effusion*", "*fracture* of the femur",
"trephine *biopsy*". ``build_head_words`` reads the head word of every term of three
vocabularies casebook ships or trains with and writes them, with the words that name body parts,
as one compact file, ``resources/clinical_heads.json.gz``; ``load_head_words`` reads it back.
The summary's concept gate (``casebook.nlp.concepts``) asks it whether a mention's words name a
clinical concept of the kind its heading lists. Sources:

* **finding**: names and synonyms of HPO's phenotypic abnormalities (``resources/hpo.json.gz``)
  and the titles and inclusion terms of ICD-10-CM 2026 chapters A–R and the injuries of S00–T34
  and T66–T88 (``simple-icd-10-cm``, read at build time only; poisonings, external causes and
  factors influencing health status name no finding of their own);
* **procedure** and **test**: the procedure names of the ICD-10-PCS index (the part of each
  entry before its first comma), tests being the imaging, nuclear medicine and measurement
  sections (``B``, ``C``, ``4``) and procedures every other section;
* **finding_term**: the finding terms of one word ("headache", "pneumonia"): a mention of one
  word is a finding only when it is one of these, not merely the head of a longer term;
* **finding_phrase**: the finding terms whose head is a body part ("fatty *liver*", "dry
  *eye*"), whole, of at most four words: there the other words name the finding;
* **body**: the body parts HPO's "Abnormality of the …" and "Abnormal … morphology" terms name
  and the one-word body parts of the ICD-10-PCS index, less the words that head a procedure
  or test name (and, from the index, a finding name). A body part alone names no finding,
  so these words are taken out of the finding heads;
* **analyte**: what HPO's laboratory terms measure ("Increased serum *creatinine*",
  "Decreased *hemoglobin* concentration": a substance of a body fluid, or a level or count),
  the things a blood or urine test reports, as whole normalised phrases.

A term's head is the word before its first preposition ("Tear *of* meniscus" → "tear"), else its
last word; words are normalised as every knowledge base normalises them
(``casebook.kb.base.normalize_tokens``: lower case, American spelling, singular).

Rebuild after a vocabulary release (needs the ``train`` extra)::

    python -m casebook.kb.heads src/casebook/resources/clinical_heads.json.gz
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import normalize_tokens, read_vocabulary_file, write_vocabulary_file
from casebook.kb.hpo import PHENOTYPIC_ABNORMALITY, load_hpo
from casebook.kb.icd10pcs import load_icd10pcs
from casebook.resources import resource_path

RESOURCE = "clinical_heads.json.gz"
"""The packaged file's name under ``casebook/resources``."""

KINDS: tuple[str, ...] = (
    "finding",
    "finding_term",
    "finding_phrase",
    "procedure",
    "test",
    "body",
    "analyte",
)

PREPOSITIONS = frozenset(
    {
        "of", "in", "with", "due", "to", "from", "by", "on", "at", "after", "during", "without",
        "following", "affecting", "involving", "for", "and", "or", "not", "as", "than", "into",
        "through", "via", "under", "between", "within",
    }
)  # fmt: skip
"""Words that end a term's head phrase: its head is the word before the first of them."""

MAX_PHRASE_WORDS = 4
"""Longer terms headed by a body part are rarely written out whole in a case report."""

TEST_SECTIONS = frozenset({"B", "C", "4"})
"""ICD-10-PCS sections of tests: Imaging, Nuclear Medicine, Measurement and Monitoring."""

ICD10CM_FINDINGS: tuple[tuple[str, str], ...] = (("A00", "R99"), ("S00", "T34"), ("T66", "T88"))
"""ICD-10-CM category ranges whose terms name findings (diseases, symptoms, injuries)."""

_BODY_PATTERNS = (
    re.compile(r"^abnormality of (?:the )?(?P<part>.+)$"),
    re.compile(r"^abnormal (?P<part>.+) morphology$"),
)
_ANALYTE = (
    re.compile(
        r"^(?:increased|elevated|decreased|reduced|low|high|raised) "
        r"(?:serum|plasma|blood|circulating|urine|urinary|csf|cerebrospinal fluid) "
        r"(?P<analyte>[a-z0-9 ]+?)(?: (?:level|concentration|count|activity))?$"
    ),
    re.compile(
        r"^(?:increased|elevated|decreased|reduced|low|high|raised) "
        r"(?P<analyte>[a-z0-9 ]+?) (?:level|concentration|count)$"
    ),
)
"""HPO's laboratory terms: a change of a substance in a body fluid, or of a level or count."""
_FLUID = re.compile(r"^(?:(?:serum|plasma|blood|circulating|urine|urinary|csf) )+")
"""Body fluids named before an analyte ("circulating troponin i"): the analyte is the rest."""
_BRACKETS = re.compile(r"\[.*?\]|\(.*?\)")
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class HeadWords:
    """The head words of each kind, normalised (``normalize_tokens``).

    Attributes:
        finding: Heads of finding and disease terms, body parts taken out.
        finding_term: Finding terms of one word, body parts taken out.
        finding_phrase: Finding terms headed by a body part, as normalised phrases.
        procedure: Heads of procedure names.
        test: Heads of test names.
        body: Words that name a body part.
        analyte: What laboratory terms measure, as normalised phrases ("c reactive protein").
        version: The vocabulary releases the words were read from.
    """

    finding: frozenset[str]
    finding_term: frozenset[str]
    finding_phrase: frozenset[str]
    procedure: frozenset[str]
    test: frozenset[str]
    body: frozenset[str]
    analyte: frozenset[str]
    version: str = ""


def head_word(words: tuple[str, ...]) -> str:
    """The head of a normalised term: the word before its first preposition, else its last.

    Args:
        words: The term's normalised words; not empty.
    """
    for index, word in enumerate(words):
        if index > 0 and word in PREPOSITIONS:
            return words[index - 1]
    return words[-1]


def _is_word(word: str) -> bool:
    return len(word) >= 3 and word.isalpha()


def _hpo_terms() -> Iterator[str]:
    hpo = load_hpo()
    for concept_id in sorted(hpo.descendants(PHENOTYPIC_ABNORMALITY)):
        yield from hpo.concept(concept_id).aliases


def _icd10cm_terms() -> Iterator[str]:
    # simple-icd-10-cm is a build-time dependency only; its data loading calls the deprecated
    # importlib.resources.read_text, which is not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # type: ignore[import-untyped]

    for code in cm.get_all_codes(False):
        category = str(code)[:3]
        if not any(low <= category <= high for low, high in ICD10CM_FINDINGS):
            continue
        for term in [cm.get_description(code), *cm.get_inclusion_term(code)]:
            yield str(term).split(",")[0].removesuffix(" NOS")


def _pcs_names() -> Iterator[tuple[str, str]]:
    """(section, procedure name) of every ICD-10-PCS index concept and alias."""
    for concept_id, concept in load_icd10pcs().concepts.items():
        for alias in concept.aliases:
            yield concept_id[:1], alias.split(",")[0]


def _pcs_body_parts() -> Iterator[str]:
    for concept in load_icd10pcs().concepts.values():
        for alias in concept.aliases:
            yield from alias.split(",")[1:]


def _heads(terms: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for term in terms:
        words = normalize_tokens(_BRACKETS.sub(" ", term))
        if words:
            found.add(head_word(words))
    return {word for word in found if _is_word(word)}


def _body_headed_terms(terms: Iterable[str], body: set[str]) -> set[str]:
    found: set[str] = set()
    for term in terms:
        words = normalize_tokens(_BRACKETS.sub(" ", term))
        if 1 < len(words) <= MAX_PHRASE_WORDS and head_word(words) in body:
            found.add(" ".join(words))
    return found


def _one_word_terms(terms: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for term in terms:
        words = normalize_tokens(_BRACKETS.sub(" ", term))
        if len(words) == 1 and _is_word(words[0]):
            found.add(words[0])
    return found


def derive_head_words() -> dict[str, list[str]]:
    """Each kind's words, sorted, read from the vocabularies (see the module docstring)."""
    hpo_terms = list(_hpo_terms())
    body: set[str] = set()
    analytes: set[str] = set()
    for term in hpo_terms:
        key = " ".join(normalize_tokens(_BRACKETS.sub(" ", term)))
        for pattern in _BODY_PATTERNS:
            match = pattern.match(key)
            if match:
                body.add(match.group("part").split(" ")[-1])
        for pattern in _ANALYTE:
            measured = pattern.match(key)
            if measured and " of " not in f" {measured.group('analyte')} ":
                analytes.add(_FLUID.sub("", measured.group("analyte")))
    finding_terms = [*hpo_terms, *_icd10cm_terms()]
    finding_heads = _heads(finding_terms)
    names = list(_pcs_names())
    tests = _heads(name for section, name in names if section in TEST_SECTIONS)
    procedures = _heads(name for section, name in names if section not in TEST_SECTIONS)
    # The index writes mostly body parts after a comma, but also what a procedure removes
    # ("Snaring, polyp, colon") and tests ("Myelogram, MRI"): a word heading finding,
    # procedure or test names is none.
    for part in _pcs_body_parts():
        words = normalize_tokens(part)
        if len(words) == 1 and words[0] not in finding_heads | procedures | tests:
            body.add(words[0])
    # "Abnormality of blood pressure": HPO's pattern names functions too, and what a test
    # measures is no body part.
    body = {word for word in body if _is_word(word)} - procedures - tests
    analytes = {analyte for analyte in analytes if analyte and analyte not in body}
    findings = finding_heads - body
    return {
        "finding": sorted(findings),
        "finding_term": sorted(_one_word_terms(finding_terms) - body),
        "finding_phrase": sorted(_body_headed_terms(finding_terms, body)),
        "procedure": sorted(procedures),
        "test": sorted(tests),
        "body": sorted(body),
        "analyte": sorted(analytes),
    }


@cache
def property_heads(change_words: frozenset[str]) -> frozenset[str]:
    """The heads of HPO terms that name a property, not a finding: every term they head holds
    one of ``change_words`` besides them ("Decreased skin *turgor*", "Reduced *consciousness*",
    "Abnormal MRI signal *intensity*"), so the head alone says nothing abnormal.

    Args:
        change_words: Normalised words that say how a property changed ("decreased", "poor").
    """
    changed: dict[str, bool] = {}
    for term in _hpo_terms():
        words = normalize_tokens(_BRACKETS.sub(" ", term))
        if not words:
            continue
        head = head_word(words)
        says_change = any(word in change_words for word in words if word != head)
        changed[head] = changed.get(head, True) and says_change
    return frozenset(head for head, always in changed.items() if always and _is_word(head))


def build_head_words(out: Path) -> Path:
    """Write the head words of the vocabularies to ``out`` (gzip when it ends in ``.gz``).

    Returns:
        ``out``.
    """
    payload: dict[str, Any] = {
        "format": _FORMAT,
        "version": f"HPO {load_hpo().version}; ICD-10-CM 2026 (simple-icd-10-cm); "
        f"ICD-10-PCS {load_icd10pcs().version}",
        **derive_head_words(),
    }
    return write_vocabulary_file(payload, out)


def read_head_words(path: Path) -> HeadWords:
    """Read a file written by ``build_head_words``.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or not of the expected shape.
    """
    try:
        payload = read_vocabulary_file(path, _FORMAT)
        kinds = {kind: frozenset(map(str, payload[kind])) for kind in KINDS}
        return HeadWords(**kinds, version=str(payload.get("version", "")))
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "head words not found", path) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CasebookError(
            ErrorCode.INVALID_RESOURCE, f"not a head-word file: {exc}", path
        ) from exc


@cache
def load_head_words() -> HeadWords:
    """The packaged head words, read once."""
    return read_head_words(resource_path(RESOURCE))


def main(argv: list[str] | None = None) -> int:
    """``python -m casebook.kb.heads [OUT]``: rebuild the head-word file."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else resource_path(RESOURCE)
    build_head_words(out)
    words = read_head_words(out)
    sizes = ", ".join(f"{kind} {len(getattr(words, kind))}" for kind in KINDS)
    print(f"{out}: {sizes}; {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
