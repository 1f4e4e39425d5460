"""Entity recognition scores against brat standoff gold (MACCROBAT2020).

Gold entities are the text-bound ``T`` annotations; a discontinuous one counts as the span from
its first start to its last end. A predicted mention counts by its ``start``/``end``.

* **strict**: same type and exactly the same span;
* **lenient**: same type and overlapping spans.

Matching is one-to-one in both modes, so each gold entity and each predicted mention is counted
once: strict pairs equal (type, start, end) items; lenient matching is greedy on overlap, taking
same-type overlapping (prediction, gold) pairs in order of decreasing overlap length (ties: earlier
gold, then earlier prediction) and keeping a pair when neither side is matched yet. TP = pairs,
FP = unmatched predictions, FN = unmatched gold (the counting of the i2b2 2010 and n2c2 2018
evaluation scripts, with overlap instead of exact match for lenient).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError, ErrorCode
from casebook.eval._io import default_analyze, load_default_pipeline
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import PRF, Confusion
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, select
from casebook.ingest.brat import brat_documents, read_brat
from casebook.ingest.brat_model import BratAnnotations
from casebook.ingest.datasets import MACCROBAT
from casebook.model import CORE_TYPES, Assertion, Case, Document, Mention

NEGATED_POLARITY: frozenset[str] = frozenset({"NEG"})
"""Gold ``POLARITY`` values that mean negated."""

UNCERTAIN_POLARITY: frozenset[str] = frozenset({"UNCERTAIN", "MAYBE_POS", "MAYBE_NEG"})
"""Gold ``POLARITY`` values that mean uncertain; brat's MAYBE_POS / MAYBE_NEG count too."""

BratReader = Callable[[Path], tuple[Document, BratAnnotations]]


class StrictLenient(BaseModel):
    """Strict and lenient scores of one group of types."""

    model_config = ConfigDict(extra="forbid")

    strict: PRF
    lenient: PRF


class AssertionScores(BaseModel):
    """Assertion agreement on leniently matched mentions."""

    model_config = ConfigDict(extra="forbid")

    negated: PRF
    uncertain: PRF


class NerReport(BaseModel):
    """``evaluate_ner``'s report; ``model_dump(by_alias=True)`` is its JSON.

    Attributes:
        docs: Documents scored.
        in_sample: Whether a scored document was used to train a model the evaluation ran
            (``casebook.eval.in_sample``).
        core: Scores over ``casebook.model.CORE_TYPES``.
        all_types: Scores over every type in gold or predictions (JSON key ``"all"``).
        per_type: **Strict** scores of each type seen in gold or predictions.
        assertion: Negation and uncertainty agreement on leniently matched mentions.
        docs_per_s: Documents per second spent inside ``analyze`` (two decimals).
        skipped: Documents not scored, each with the error that kept it out.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    core: StrictLenient
    all_types: StrictLenient = Field(alias="all")
    per_type: dict[str, PRF]
    assertion: AssertionScores
    docs_per_s: float
    skipped: list[SkippedDocument] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Labeled:
    """A typed span: one gold entity or one predicted mention."""

    type: str
    start: int
    end: int


def match_strict(gold: Sequence[Labeled], predicted: Sequence[Labeled]) -> list[tuple[int, int]]:
    """One-to-one pairs of equal (type, start, end) items.

    Args:
        gold: Gold items.
        predicted: Predicted items.

    Returns:
        ``(predicted index, gold index)`` pairs; repeated equal items pair in order.
    """
    waiting: dict[Labeled, list[int]] = defaultdict(list)
    for index, item in enumerate(gold):
        waiting[item].append(index)
    pairs: list[tuple[int, int]] = []
    for index, item in enumerate(predicted):
        queue = waiting.get(item)
        if queue:
            pairs.append((index, queue.pop(0)))
    return pairs


def _overlap(a: Labeled, b: Labeled) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def match_lenient(gold: Sequence[Labeled], predicted: Sequence[Labeled]) -> list[tuple[int, int]]:
    """One-to-one pairs of same-type overlapping items, greedy by overlap length.

    Spans overlap when they share at least one character; an empty span overlaps nothing.

    Args:
        gold: Gold items.
        predicted: Predicted items.

    Returns:
        ``(predicted index, gold index)`` pairs.
    """
    by_type: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(gold):
        by_type[item.type].append(index)
    candidates: list[tuple[int, int, int, int, int]] = []
    for p_index, p in enumerate(predicted):
        for g_index in by_type.get(p.type, []):
            g = gold[g_index]
            size = _overlap(p, g)
            if size > 0:
                candidates.append((-size, g.start, p.start, g_index, p_index))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, _, g_index, p_index in candidates:
        if g_index not in used_gold and p_index not in used_predicted:
            used_gold.add(g_index)
            used_predicted.add(p_index)
            pairs.append((p_index, g_index))
    return pairs


@dataclass
class NerTally:
    """Counts accumulated over documents; ``report`` turns them into scores."""

    docs: int = 0
    strict: dict[str, Confusion] = field(default_factory=lambda: defaultdict(Confusion))
    lenient: dict[str, Confusion] = field(default_factory=lambda: defaultdict(Confusion))
    negated: Confusion = field(default_factory=Confusion)
    uncertain: Confusion = field(default_factory=Confusion)

    def add_document(self, annotations: BratAnnotations, mentions: Sequence[Mention]) -> None:
        """Score one document's predicted mentions against its gold annotations."""
        self.docs += 1
        gold = [Labeled(e.type, e.start, e.end) for e in annotations.entities]
        # A mention widened to its whole phrase is scored by the words the model marked,
        # which is what MACCROBAT annotates.
        predicted = [Labeled(str(m.type), *_marked(m)) for m in mentions]
        self._count(self.strict, gold, predicted, match_strict(gold, predicted))
        lenient_pairs = match_lenient(gold, predicted)
        self._count(self.lenient, gold, predicted, lenient_pairs)
        polarity = {
            entity_id: (value or "").strip().upper()
            for entity_id, value in annotations.attribute_values("POLARITY").items()
        }
        for p_index, g_index in lenient_pairs:
            assertion = mentions[p_index].assertion
            gold_polarity = polarity.get(annotations.entities[g_index].id, "")
            self.negated.add(assertion == Assertion.NEGATED, gold_polarity in NEGATED_POLARITY)
            self.uncertain.add(
                assertion == Assertion.UNCERTAIN,
                gold_polarity in UNCERTAIN_POLARITY,
            )

    @staticmethod
    def _count(
        table: dict[str, Confusion],
        gold: Sequence[Labeled],
        predicted: Sequence[Labeled],
        pairs: Iterable[tuple[int, int]],
    ) -> None:
        pair_list = list(pairs)
        matched_types = Counter(predicted[p].type for p, _ in pair_list)
        gold_types = Counter(g.type for g in gold)
        predicted_types = Counter(p.type for p in predicted)
        for type_name in gold_types.keys() | predicted_types.keys():
            tp = matched_types[type_name]
            table[type_name].merge(
                Confusion(tp, predicted_types[type_name] - tp, gold_types[type_name] - tp)
            )

    def report(self, analyze_seconds: float) -> NerReport:
        """The scores so far.

        Args:
            analyze_seconds: Wall seconds spent in the system under test.
        """
        core_names = {str(t) for t in CORE_TYPES}
        groups: dict[str, StrictLenient] = {}
        for group, keep in (("core", core_names.__contains__), ("all", lambda _: True)):
            strict, lenient = Confusion(), Confusion()
            for type_name, counts in self.strict.items():
                if keep(type_name):
                    strict.merge(counts)
            for type_name, counts in self.lenient.items():
                if keep(type_name):
                    lenient.merge(counts)
            groups[group] = StrictLenient(strict=strict.scores(), lenient=lenient.scores())
        per_type = {name: self.strict[name].scores() for name in sorted(self.strict)}
        rate = round(self.docs / analyze_seconds, 2) if analyze_seconds > 0 else 0.0
        return NerReport(
            docs=self.docs,
            core=groups["core"],
            all_types=groups["all"],
            per_type=per_type,
            assertion=AssertionScores(
                negated=self.negated.scores(), uncertain=self.uncertain.scores()
            ),
            docs_per_s=rate,
        )


def evaluate_ner(
    folder: Path,
    analyze: Callable[[Document], Case] = default_analyze,
    *,
    read: BratReader = read_brat,
    split: Split = Split.ALL,
    trained: Collection[str] | None = None,
) -> NerReport:
    """Score ``analyze``'s mentions against a brat folder's entities.

    ``per_type`` holds **strict** scores. The assertion scores cover predicted mentions that
    leniently match a gold entity: "negated" is positive when the mention's assertion is
    ``negated`` and, in gold, when the entity (or the event it triggers) has ``POLARITY NEG``;
    "uncertain" is positive for assertion ``uncertain`` and gold ``POLARITY`` ``UNCERTAIN``,
    ``MAYBE_POS`` or ``MAYBE_NEG``. ``docs_per_s`` counts only the time spent in ``analyze``,
    after the default pipeline has loaded.

    Args:
        folder: A folder of ``ID.txt`` + ``ID.ann`` pairs; a ``.txt`` without ``.ann`` is skipped.
        analyze: The system under test; by default ``casebook.service.analyze_document``.
        read: The brat reader; by default ``casebook.ingest.brat.read_brat``.
        split: The half of the documents scored (``casebook.eval.splits``), or all.
        trained: The ids of the documents ``analyze`` was trained on; by default those the shipped
            models' manifests list when ``analyze`` is the default, else none.

    Returns:
        The report. A document whose gold file cannot be read, or that ``analyze`` fails on or
        returns with another text (``CB-E013``), is listed in ``skipped`` and not scored.

    Raises:
        CasebookError: ``CB-E001`` for a missing folder, ``CB-E011`` for a folder without
            annotated documents.
    """
    paths = select(MACCROBAT, brat_documents(folder), lambda p: p.stem, split)
    if analyze is default_analyze:
        # Throughput, not start-up: the models load once per process, before the clock starts.
        load_default_pipeline()
    tally = NerTally()
    seconds = 0.0
    scored: list[str] = []
    skipped: list[SkippedDocument] = []
    for path in paths:
        try:
            document, annotations = read(path)
            started = time.perf_counter()
            case = analyze(document)
            seconds += time.perf_counter() - started
            if case.text != document.text:
                raise CasebookError(
                    ErrorCode.PROCESSING_FAILED,
                    "the analysed case's text differs from the file",
                    path,
                )
        except CasebookError as error:
            skipped.append(SkippedDocument.of(path.stem, error))
            continue
        tally.add_document(annotations, case.mentions)
        scored.append(path.stem)
    seen = trained_on(MACCROBAT, analyze, default_analyze, trained)
    in_sample = overlaps(scored, seen)
    return tally.report(seconds).model_copy(
        update={"split": split, "in_sample": in_sample, "skipped": skipped}
    )


def _marked(mention: Mention) -> tuple[int, int]:
    """The characters the mention model marked (``Mention.core``, else the mention's)."""
    span = mention.core or mention
    return span.start, span.end
