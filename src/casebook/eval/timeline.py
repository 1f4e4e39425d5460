"""Event order against gold temporal relations: MACCROBAT2020 (brat) and E3C (UIMA XMI).

Each gold relation between two events becomes one *pair* labelled ``<`` (the first event
happened before the second) or ``=`` (they overlap). The system's timeline labels the same pair
by comparing the two events' ``order``: ``<``, ``=`` or ``>``. Scores:

* ``accuracy``: pairs whose label agrees (a reversed order is wrong);
* ``before``: P/R/F1 of ordered pairs, a true positive needing the gold direction;
* ``equal``: P/R/F1 of overlapping pairs.

Gold pairs. **MACCROBAT**: ``OVERLAP`` groups are closed under union (members of one group
overlap pairwise); a ``BEFORE A B`` (or ``AFTER B A``) orders every member of A's group
before every member of B's group. A pair given both labels is dropped. **E3C**: the
event-to-event TLINKs, ``BEFORE`` as ``<``, ``AFTER`` as ``>``, ``SIMULTANEOUS``,
``OVERLAP``, ``CONTAINS``, ``INCLUDES``, ``IS_INCLUDED``, ``DURING`` and ``IDENTITY`` as
``=``; ``BEGINS-ON`` and ``ENDS-ON`` fix one end of an interval, not the order, and are left
out (counted in ``unscored_links``), as are links to time expressions.

By default the system orders the **gold** event spans (``relate_mentions`` on a case holding
the gold mentions), so the score measures ordering, not recognition; pairs whose events the
timeline leaves out (time expressions, family or hypothetical events) are counted in
``unplaced_pairs``. Two narrative baselines order the same gold spans: ``sentence_order``
(events of one sentence overlap, sentences follow in text order) and ``text_order`` (every
event after the one before it). With ``predicted`` the whole pipeline also runs and each gold
event is matched to the predicted event mention that overlaps it most (one to one); pairs of
matched events are scored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.errors import CasebookError, ErrorCode
from casebook.eval._io import default_analyze, default_relate_mentions
from casebook.eval.gold import case_with_gold_mentions
from casebook.eval.in_sample import overlaps, trained_on
from casebook.eval.metrics import PRF, Confusion, percent
from casebook.eval.skipped import SkippedDocument
from casebook.eval.splits import Split, in_split
from casebook.ingest.brat import read_brat
from casebook.ingest.brat_model import BratAnnotations
from casebook.ingest.datasets import E3C, MACCROBAT
from casebook.ingest.e3c import E3CAnnotations, read_e3c
from casebook.ingest.folders import require_dir
from casebook.model import Case, Document, EntityType, Mention

E3C_EQUAL: frozenset[str] = frozenset(
    {"SIMULTANEOUS", "OVERLAP", "CONTAINS", "INCLUDES", "IS_INCLUDED", "DURING", "IDENTITY"}
)
E3C_TIMEX_TYPES: dict[str, EntityType] = {
    "DATE": EntityType.DATE,
    "DURATION": EntityType.DURATION,
    "TIME": EntityType.TIME,
    "SET": EntityType.FREQUENCY,
}
E3C_EVENT_TYPE = EntityType.OTHER_EVENT
"""E3C events carry no MACCROBAT type; they are ordered as generic events."""


@dataclass(frozen=True, slots=True)
class Pair:
    """A gold pair: ``first`` happened before ``second`` (``label`` ``<``) or with it (``=``)."""

    first: str
    second: str
    label: str


@dataclass(frozen=True, slots=True)
class GoldTimeline:
    """One document's case with gold event mentions, its gold pairs and dropped links."""

    document: Document
    case: Case
    pairs: list[Pair]
    unscored_links: int


class OrderScores(BaseModel):
    """Agreement of one system's order with the gold pairs it could place."""

    model_config = ConfigDict(extra="forbid")

    pairs: int
    accuracy: float
    before: PRF
    equal: PRF


class TimelineReport(BaseModel):
    """``evaluate_timeline``'s report.

    Attributes:
        dataset: ``maccrobat`` or ``e3c``.
        docs: Documents scored.
        in_sample: Whether a scored document was used to train a model the evaluation ran;
            only ``--predicted`` runs one (``casebook.eval.in_sample``).
        gold_pairs: Gold pairs of events.
        unscored_links: Gold links left out (BEGINS-ON, ENDS-ON, links to time expressions,
            contradicting labels).
        unplaced_pairs: Gold pairs with an event the timeline does not place.
        casebook: The pipeline's order of the gold event spans.
        sentence_order: Baseline: same sentence overlaps, sentences in text order.
        text_order: Baseline: every event after the one before it.
        predicted: The pipeline's order of its own mentions, on matched pairs (with
            ``--predicted``).
        predicted_matched_pairs: Gold pairs whose two events matched predicted mentions.
        skipped: Documents not scored, each with the error that kept it out.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str
    split: Split = Split.ALL
    in_sample: bool = False
    docs: int
    gold_pairs: int
    unscored_links: int
    unplaced_pairs: int
    casebook: OrderScores
    sentence_order: OrderScores
    text_order: OrderScores
    predicted: OrderScores | None = None
    predicted_matched_pairs: int | None = None
    skipped: list[SkippedDocument] = Field(default_factory=list)


class OrderTally:
    """Pair labels counted one at a time; ``scores`` turns them into an ``OrderScores``."""

    def __init__(self) -> None:
        self.pairs = 0
        self.agree = 0
        self.before = Confusion()
        self.equal = Confusion()

    def add(self, gold: str, predicted: str) -> None:
        """Count one pair: its gold label (``<``, ``=``) and the system's (``<``, ``=``, ``>``)."""
        self.pairs += 1
        self.agree += gold == predicted
        if gold == "<" and predicted == "<":
            self.before.tp += 1
        else:
            # A reversed order is both a wrong "before" and a missed one.
            self.before.fp += predicted != "="
            self.before.fn += gold == "<"
        self.equal.add(predicted == "=", gold == "=")

    def scores(self) -> OrderScores:
        """Accuracy and the before and equal P/R/F1 so far."""
        return OrderScores(
            pairs=self.pairs,
            accuracy=percent(self.agree / self.pairs) if self.pairs else 0.0,
            before=self.before.scores(),
            equal=self.equal.scores(),
        )


def compare(first: int, second: int) -> str:
    """The label two ``order`` values give a pair: ``<``, ``=`` or ``>``."""
    return "<" if first < second else "=" if first == second else ">"


def score_pairs(pairs: Iterable[Pair], order: dict[str, int], tally: OrderTally) -> int:
    """Add the pairs both of whose events are in ``order`` to ``tally``; return the others."""
    unplaced = 0
    for pair in pairs:
        if pair.first in order and pair.second in order:
            tally.add(pair.label, compare(order[pair.first], order[pair.second]))
        else:
            unplaced += 1
    return unplaced


def sentence_order(case: Case, events: Iterable[str]) -> dict[str, int]:
    """Baseline order: the index of the sentence each event starts in."""
    starts = sorted(s.start for s in case.sentences)
    order: dict[str, int] = {}
    for mention in case.mentions:
        if mention.id in events:
            order[mention.id] = sum(1 for s in starts if s <= mention.start)
    return order


def text_order(case: Case, events: Iterable[str]) -> dict[str, int]:
    """Baseline order: events ranked by where they start."""
    wanted = set(events)
    ranked = sorted((m for m in case.mentions if m.id in wanted), key=lambda m: m.start)
    return {m.id: rank for rank, m in enumerate(ranked)}


def maccrobat_pairs(annotations: BratAnnotations) -> tuple[list[Pair], int]:
    """Gold pairs of one MACCROBAT document (entity ids) and how many were contradictory."""
    parent: dict[str, str] = {}

    def find(item: str) -> str:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def entity(annotation_id: str) -> str | None:
        try:
            return annotations.entity(annotation_id).id
        except KeyError:
            return None

    for group in annotations.equivalences:
        if group.type != "OVERLAP":
            continue
        members = [m for m in (entity(x) for x in group.members) if m is not None]
        for member in members[1:]:
            parent[find(member)] = find(members[0])
        for member in members:
            find(member)
    edges: list[tuple[str, str]] = []
    for relation in annotations.relations:
        if relation.type not in ("BEFORE", "AFTER"):
            continue
        first, second = entity(relation.arg1), entity(relation.arg2)
        if first is None or second is None:
            continue
        find(first)
        find(second)
        edges.append((first, second) if relation.type == "BEFORE" else (second, first))
    groups: dict[str, list[str]] = {}
    for item in parent:
        groups.setdefault(find(item), []).append(item)
    labels: dict[tuple[str, str], set[str]] = {}
    for members in groups.values():
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                labels.setdefault((a, b), set()).add("=")
    for first, second in edges:
        for a in groups[find(first)]:
            for b in groups[find(second)]:
                if a == b:
                    continue
                key, label = ((a, b), "<") if a < b else ((b, a), ">")
                labels.setdefault(key, set()).add(label)
    pairs: list[Pair] = []
    dropped = 0
    for (a, b), found in sorted(labels.items()):
        if len(found) != 1:
            dropped += 1
            continue
        label = next(iter(found))
        pairs.append(Pair(b, a, "<") if label == ">" else Pair(a, b, label))
    return pairs, dropped


def e3c_case(document: Document, annotations: E3CAnnotations) -> Case:
    """A case whose mentions are the E3C events (``e<id>``) and time expressions (``t<id>``)."""
    mentions: list[Mention] = []
    for event in annotations.events:
        mentions.append(_mention(document, f"e{event.id}", event.start, event.end, E3C_EVENT_TYPE))
    for timex in annotations.timexes:
        kind = E3C_TIMEX_TYPES.get(timex.attributes.get("timex3Class", ""), EntityType.DATE)
        mentions.append(_mention(document, f"t{timex.id}", timex.start, timex.end, kind))
    case = Case.from_document(document)
    return case.model_copy(update={"mentions": mentions})


def _mention(
    document: Document, mention_id: str, start: int, end: int, kind: EntityType
) -> Mention:
    return Mention(id=mention_id, start=start, end=end, text=document.text[start:end], type=kind)


def e3c_pairs(annotations: E3CAnnotations) -> tuple[list[Pair], int]:
    """Gold event pairs of one E3C document (``e<id>`` ids) and the links left out."""
    events = {e.id for e in annotations.events}
    pairs: list[Pair] = []
    left_out = 0
    for link in annotations.links:
        if link.source not in events or link.target not in events or link.source == link.target:
            left_out += 1
            continue
        first, second = f"e{link.source}", f"e{link.target}"
        if link.type == "BEFORE":
            pairs.append(Pair(first, second, "<"))
        elif link.type == "AFTER":
            pairs.append(Pair(second, first, "<"))
        elif link.type in E3C_EQUAL:
            pairs.append(Pair(first, second, "="))
        else:
            left_out += 1
    return pairs, left_out


def _maccrobat_timeline(path: Path) -> GoldTimeline:
    document, annotations = read_brat(path)
    pairs, dropped = maccrobat_pairs(annotations)
    return GoldTimeline(document, case_with_gold_mentions(document, annotations), pairs, dropped)


def _e3c_timeline(path: Path) -> GoldTimeline:
    document, e3c = read_e3c(path)
    pairs, left_out = e3c_pairs(e3c)
    return GoldTimeline(document, e3c_case(document, e3c), pairs, left_out)


def _gold_timelines(folder: Path) -> tuple[str, list[GoldTimeline | SkippedDocument]]:
    """The dataset's name and each document's gold timeline, or why it cannot be read."""
    require_dir(folder)
    brat = sorted(p for p in folder.glob("*.txt") if p.with_suffix(".ann").is_file())
    xmi = sorted(folder.glob("*.xml")) + sorted(folder.glob("*.xmi"))
    if brat or xmi:
        dataset, read = ("maccrobat", _maccrobat_timeline) if brat else ("e3c", _e3c_timeline)
        found: list[GoldTimeline | SkippedDocument] = []
        for path in brat or xmi:
            try:
                found.append(read(path))
            except CasebookError as error:
                found.append(SkippedDocument.of(path.stem, error))
        return dataset, found
    raise CasebookError(
        ErrorCode.MALFORMED_DATASET, "neither brat (*.txt + *.ann) nor E3C XMI (*.xml)", folder
    )


def match_events(gold: Sequence[Mention], predicted: Sequence[Mention]) -> dict[str, str]:
    """Gold mention id → the predicted mention overlapping it most, one to one (greedy)."""
    candidates: list[tuple[int, int, str, str]] = []
    for g in gold:
        for p in predicted:
            size = min(g.end, p.end) - max(g.start, p.start)
            if size > 0:
                candidates.append((-size, g.start, g.id, p.id))
    candidates.sort()
    matched: dict[str, str] = {}
    used: set[str] = set()
    for _, _, gold_id, predicted_id in candidates:
        if gold_id not in matched and predicted_id not in used:
            matched[gold_id] = predicted_id
            used.add(predicted_id)
    return matched


def evaluate_timeline(
    folder: Path,
    *,
    predicted: bool = False,
    relate: Callable[[Case], Case] = default_relate_mentions,
    analyze: Callable[[Document], Case] = default_analyze,
    split: Split = Split.ALL,
    trained: Collection[str] | None = None,
) -> TimelineReport:
    """Score the timeline's pairwise event order on MACCROBAT2020 or E3C.

    Args:
        folder: A brat folder (MACCROBAT2020) or a folder of E3C XMI files.
        predicted: Also run ``analyze`` and score the order of predicted mentions.
        relate: Orders a case's given mentions; by default ``service.relate_mentions``.
        analyze: The whole pipeline; by default ``service.analyze_document``.
        split: The half of the documents scored (``casebook.eval.splits``), or all.
        trained: The ids of the documents ``analyze`` was trained on; by default those the
            shipped models' manifests list when ``analyze`` is the default, else none.

    Returns:
        The report; a document whose gold file cannot be read, or that ``relate`` or
        ``analyze`` fails on, is listed in ``skipped``.

    Raises:
        CasebookError: ``CB-E001`` for a missing folder, ``CB-E011`` for a folder of neither
            format.
    """
    dataset, found = _gold_timelines(folder)
    name = MACCROBAT if dataset == "maccrobat" else E3C
    # A file that cannot be read is named by its stem, which is the document id of both formats.
    documents = [
        d
        for d in found
        if in_split(name, d.document.id if isinstance(d, GoldTimeline) else d.id, split)
    ]
    skipped = [d for d in documents if isinstance(d, SkippedDocument)]
    scored: list[str] = []
    system, by_sentence, by_text, on_predicted = (
        OrderTally(),
        OrderTally(),
        OrderTally(),
        OrderTally(),
    )
    gold_pairs = unscored = unplaced = matched_pairs = 0
    for gold in documents:
        if isinstance(gold, SkippedDocument):
            continue
        try:
            ordered = relate(gold.case)
            case = analyze(gold.document) if predicted else None
        except CasebookError as error:
            skipped.append(SkippedDocument.of(gold.document.id, error))
            continue
        scored.append(gold.document.id)
        gold_pairs += len(gold.pairs)
        unscored += gold.unscored_links
        order = {e.mention: e.order for e in ordered.timeline}
        unplaced += score_pairs(gold.pairs, order, system)
        placed = [p for p in gold.pairs if p.first in order and p.second in order]
        score_pairs(placed, sentence_order(ordered, order), by_sentence)
        score_pairs(placed, text_order(ordered, order), by_text)
        if case is not None:
            own = {e.mention: e.order for e in case.timeline}
            events = [m for m in case.mentions if m.id in own]
            gold_events = [
                m
                for m in gold.case.mentions
                if any(m.id in (p.first, p.second) for p in gold.pairs)
            ]
            matched = match_events(gold_events, events)
            mapped = {g: own[p] for g, p in matched.items()}
            hits = [p for p in gold.pairs if p.first in mapped and p.second in mapped]
            matched_pairs += len(hits)
            score_pairs(hits, mapped, on_predicted)
    seen = trained_on(name, analyze, default_analyze, trained) if predicted else frozenset()
    return TimelineReport(
        dataset=dataset,
        split=split,
        in_sample=overlaps(scored, seen),
        docs=len(scored),
        gold_pairs=gold_pairs,
        unscored_links=unscored,
        unplaced_pairs=unplaced,
        casebook=system.scores(),
        sentence_order=by_sentence.scores(),
        text_order=by_text.scores(),
        predicted=on_predicted.scores() if predicted else None,
        predicted_matched_pairs=matched_pairs if predicted else None,
        skipped=skipped,
    )
