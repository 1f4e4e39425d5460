"""Assertion scores on the NegEx/ConText annotation kit (Chapman et al.; Harkema et al. 2009).

Each TSV row gives one clinical sentence and one concept in it, with the gold negation
(Affirmed/Negated), temporality (Recent/Historical/Not particular) and experiencer
(Patient/Other). The concept is located in the sentence, made the one mention of a case, and the
assertion stage assigns that mention one ``Assertion`` flag. Three binary tasks are scored:

* negation: gold ``Negated`` vs assertion ``negated``;
* historical: gold temporality ``Historical`` vs assertion ``historical``;
* family: gold experiencer other than ``Patient`` (``Other``; the kit also has one
  ``Family member``) vs assertion ``family``.

Locating the concept: a case-insensitive regex in which the concept's whitespace runs match any
whitespace run, preferring a match at word boundaries. When that fails (some concepts run past
their sentence), the longest run of consecutive concept words found in the sentence is taken
(a *fuzzy* row). When no concept word occurs at all, the mention spans the whole sentence (an
*unlocated* row). Both kinds are still scored and counted in the report's excluded fields
``fuzzy`` and ``unlocated``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casebook.errors import CasebookError, ErrorCode, library_detail
from casebook.eval._io import default_assert_mentions
from casebook.eval.metrics import PRFA, Confusion
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, in_split
from casebook.ingest.datasets import NEGEX
from casebook.ingest.negex import Row, iter_rows
from casebook.model import Assertion, Case, EntityType, Mention, Source, SourceFormat

MENTION_ID = "m1"


class Located(StrEnum):
    """How a row's concept was found in its sentence."""

    EXACT = "exact"
    FUZZY = "fuzzy"
    SENTENCE = "sentence"


class AssertionReport(BaseModel):
    """``evaluate_assertion``'s report; ``model_dump(by_alias=True)`` is its JSON.

    Attributes:
        n: Rows scored.
        in_sample: Always false: the assertion stage is rules (``context_rules.json``), not a
            trained model.
        negation: Scores of ``negated`` against gold ``Negated``.
        historical: Scores of ``historical`` against gold ``Historical``.
        family: Scores of ``family`` against a gold experiencer other than ``Patient``.
        skipped: Rows not scored, each with the error that kept it out (a row too malformed
            to have an id is named ``row N``, the N-th data row of the file).
        fuzzy: Rows located by the fuzzy word match (not in the JSON).
        unlocated: Rows scored with the whole sentence as the mention (not in the JSON).
    """

    model_config = ConfigDict(extra="forbid")

    split: Split = Split.ALL
    in_sample: bool = False
    n: int
    negation: PRFA
    historical: PRFA
    family: PRFA
    skipped: list[SkippedDocument] = Field(default_factory=list)
    fuzzy: int = Field(default=0, exclude=True)
    unlocated: int = Field(default=0, exclude=True)


_WORD = re.compile(r"\w+")


def locate(concept: str, sentence: str) -> tuple[int, int, Located]:
    """Where ``concept`` is in ``sentence``.

    Args:
        concept: The annotated concept.
        sentence: Its sentence.

    Returns:
        ``(start, end, how)``; see the module docstring for the three ways.
    """
    words = concept.split()
    if words:
        body = r"\s+".join(re.escape(w) for w in words)
        for pattern in (rf"(?<!\w){body}(?!\w)", body):
            match = re.search(pattern, sentence, re.IGNORECASE)
            if match:
                return match.start(), match.end(), Located.EXACT
    concept_words = [w.lower() for w in _WORD.findall(concept)]
    sentence_words = list(_WORD.finditer(sentence))
    best_length, best_end = 0, 0
    # Longest common run of consecutive words (dynamic programming over word pairs).
    previous = [0] * (len(concept_words) + 1)
    for i, word in enumerate(sentence_words, start=1):
        current = [0] * (len(concept_words) + 1)
        for j, concept_word in enumerate(concept_words, start=1):
            if word.group().lower() == concept_word:
                current[j] = previous[j - 1] + 1
                if current[j] > best_length:
                    best_length, best_end = current[j], i
        previous = current
    if best_length:
        first = sentence_words[best_end - best_length]
        last = sentence_words[best_end - 1]
        return first.start(), last.end(), Located.FUZZY
    stripped = sentence.strip()
    start = sentence.find(stripped) if stripped else 0
    return start, start + len(stripped), Located.SENTENCE


def row_case(row: Row, start: int, end: int) -> Case:
    """A case holding the row's sentence and its concept as mention ``m1``."""
    mention = Mention(
        id=MENTION_ID,
        start=start,
        end=end,
        text=row.sentence[start:end],
        type=EntityType.SIGN_SYMPTOM,
    )
    return Case(
        id=row.id.strip(),
        text=row.sentence,
        source=Source(format=SourceFormat.TEXT),
        mentions=[mention],
    )


def evaluate_assertion(
    tsv: Path,
    assert_mentions: Callable[[Case], Case] = default_assert_mentions,
    *,
    split: Split = Split.ALL,
) -> AssertionReport:
    """Score the assertion stage on the NegEx/ConText kit.

    Args:
        tsv: The kit's TSV (header ``id concept sentence negation temporality experiencer``).
        assert_mentions: The system under test: takes a case with one mention ``m1`` and
            returns it with the mention's assertion set; by default
            ``casebook.service.assert_mentions``.
        split: The half of the rows scored (``casebook.eval.splits``, by row id), or all.

    Returns:
        The report. A malformed row (``CB-E011``), or one whose mention the system under test
        fails on or drops (``CB-E013``), is listed in ``skipped``.

    Raises:
        CasebookError: ``CB-E001`` for a missing file, ``CB-E011`` for one without the kit's
            columns.
    """
    negation, historical, family = Confusion(), Confusion(), Confusion()
    n = fuzzy = unlocated = 0
    skipped: list[SkippedDocument] = []
    for number, row in enumerate(iter_rows(tsv), start=1):
        if isinstance(row, CasebookError):
            skipped.append(SkippedDocument.of(f"row {number}", row))
            continue
        if not in_split(NEGEX, row.id.strip(), split):
            continue
        start, end, how = locate(row.concept, row.sentence)
        try:
            assertion = _row_assertion(row, start, end, assert_mentions, tsv)
        except CasebookError as error:
            skipped.append(SkippedDocument.of(row.id.strip(), error))
            continue
        fuzzy += how is Located.FUZZY
        unlocated += how is Located.SENTENCE
        n += 1
        negation.add(assertion == Assertion.NEGATED, _norm(row.negation) == "negated")
        historical.add(assertion == Assertion.HISTORICAL, _norm(row.temporality) == "historical")
        family.add(assertion == Assertion.FAMILY, _norm(row.experiencer) != "patient")
    return AssertionReport(
        split=split,
        n=n,
        negation=negation.scores_with_accuracy(),
        historical=historical.scores_with_accuracy(),
        family=family.scores_with_accuracy(),
        skipped=skipped,
        fuzzy=fuzzy,
        unlocated=unlocated,
    )


def _row_assertion(
    row: Row, start: int, end: int, assert_mentions: Callable[[Case], Case], tsv: Path
) -> Assertion:
    """The assertion the system under test gives the row's concept.

    Raises:
        CasebookError: ``CB-E011`` when the row makes no valid case, ``CB-E013`` when the
            system drops the mention, and the system's own errors.
    """
    try:
        case = row_case(row, start, end)
    except ValidationError as error:
        raise CasebookError(
            ErrorCode.MALFORMED_DATASET,
            f"row {row.id}: its concept and sentence make no valid case",
            tsv,
            detail=library_detail(error),
        ) from error
    try:
        return assert_mentions(case).mention(MENTION_ID).assertion
    except KeyError as error:
        raise CasebookError(
            ErrorCode.PROCESSING_FAILED, f"row {row.id}: mention {MENTION_ID} was dropped", tsv
        ) from error


def _norm(value: str) -> str:
    return value.strip().lower()
