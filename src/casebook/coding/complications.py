"""Complications of procedures, coded as such where ICD-10-CM has a code for them.

A cerebrospinal fluid leak is ``G96.00`` on its own but ``G97.0`` (CSF leak from spinal
puncture) when a spinal or needle puncture caused it; a headache after lumbar puncture is
``G97.1``. ``ComplicationCoder`` finds such pairs and adds the complication code to the finding
mention and to ``Case.codes``. The pairs, procedure kinds and codes are data in
``resources/complications.json``.

A finding is a ``finding_types`` mention (``casebook.nlp.vocabulary`` adds the findings the
mention extractor misses), read through its expansion when it is an abbreviation ("CSF leak"
→ "cerebrospinal fluid leak"). Its cause is:

* the procedure mentions a ``relation_types`` relation links it to (source: the finding,
  target: the procedure), when the case has such a relation for it;
* otherwise, a procedure phrase in the finding's own sentence that follows a cue ("after",
  "following", "post", "as a result of", "complication of") by at most ``cue_window`` words,
  the finding standing outside that cue-to-procedure stretch: "CSF leak post bone marrow
  biopsy", "After lumbar puncture she developed a headache"; a cue told right after a word of
  relief (``relief_words``: "the headache improved after lumbar puncture") makes the
  procedure a treatment, no cause.

The procedure's words decide its kind (the first kind in the file with a matching phrase, so
"lumbar puncture" is a spinal puncture before it is a puncture); the first rule naming the
finding and the kind gives the code. The case codes stay assertion-aware: only a present
finding of the patient gives a case code (``excluded_assertions``), and each rests on its
finding mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, model_validator

from casebook.kb.base import CandidateGenerator, Concept, KnowledgeBase, normalize_tokens
from casebook.model import (
    Assertion,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    RecordModel,
    Span,
)
from casebook.nlp.spans import SpanIndex
from casebook.resources import load_rules

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


class ProcedureKind(RecordModel):
    """A kind of procedure and the phrases that name it."""

    kind: str = Field(min_length=1)
    terms: list[str] = Field(min_length=1)


class ComplicationRule(RecordModel):
    """A finding caused by a kind of procedure, and its ICD-10-CM code."""

    findings: list[str] = Field(min_length=1, description="Phrases naming the finding.")
    procedures: list[str] = Field(min_length=1, description="Procedure kinds that cause it.")
    code: str = Field(description="ICD-10-CM code with the dot, e.g. 'G97.0'.")
    display: str = Field(min_length=1)

    @model_validator(mode="after")
    def _code_shape(self) -> ComplicationRule:
        if not _ICD10CM.match(self.code):
            raise ValueError(f"{self.code!r} is not written like an ICD-10-CM code")
        return self


class ComplicationRules(RecordModel):
    """The schema of ``complications.json``."""

    version: str = Field(min_length=1)
    finding_types: list[EntityType]
    procedure_types: list[EntityType]
    excluded_assertions: list[Assertion]
    relation_types: list[str] = Field(description="Relations from a finding to its cause.")
    cues: list[str] = Field(min_length=1, description="Words saying what follows came first.")
    cue_window: int = Field(ge=0, description="Most words between a cue and its procedure.")
    relief_words: list[str] = Field(
        default_factory=list,
        description="Words telling a finding eased, which, just before a cue, make the "
        "procedure its treatment and no cause ('the headache improved after lumbar puncture').",
    )
    relief_window: int = Field(
        default=3, ge=0, description="Most words between a relief word and the cue after it."
    )
    procedures: list[ProcedureKind]
    rules: list[ComplicationRule]
    relation_score: float = Field(ge=0.0, le=1.0)
    cue_score: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _kinds_known(self) -> ComplicationRules:
        kinds = {p.kind for p in self.procedures}
        for rule in self.rules:
            unknown = sorted(set(rule.procedures) - kinds)
            if unknown:
                raise ValueError(f"rule {rule.code} names unknown procedure kinds {unknown}")
        return self


@dataclass(frozen=True, slots=True)
class Complication:
    """A finding coded as the complication of a procedure.

    Attributes:
        finding: Where the finding is named.
        procedure: Where its causing procedure is named.
        code: The ICD-10-CM code.
        display: Its title.
        score: How sure: ``relation_score`` or ``cue_score``.
        finding_id: The finding mention's id.
        procedure_id: The procedure mention's id, or None for a phrase in the sentence.
        assertion: The finding's assertion.
    """

    finding: Span
    procedure: Span
    code: str
    display: str
    score: float
    finding_id: str
    procedure_id: str | None
    assertion: Assertion


class ComplicationCoder:
    """Codes findings caused by procedures as complications (see the module docstring).

    Args:
        rules: A packaged rule file name or a path to one's own.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or invalid.
    """

    name = "complications"
    requires: frozenset[str] = frozenset(
        {"text", "sentences", "sections", "mentions", "mentions.assertion"}
    )
    assigns: frozenset[str] = frozenset({"mentions.codes.icd10cm", "codes.icd10cm"})

    def __init__(self, rules: str | Path = "complications.json") -> None:
        self.rules = load_rules(rules, ComplicationRules)
        self._findings = frozenset(self.rules.finding_types)
        self._procedures = frozenset(self.rules.procedure_types)
        self._excluded = frozenset(self.rules.excluded_assertions)
        self._relations = frozenset(self.rules.relation_types)
        self._kinds = CandidateGenerator(
            KnowledgeBase(
                [Concept(p.kind, p.terms[0], tuple(p.terms[1:])) for p in self.rules.procedures],
                CodeSystem.ICD10CM,
            ),
            min_alias_chars=3,
        )
        self._order = {p.kind: rank for rank, p in enumerate(self.rules.procedures)}
        self._cues = [normalize_tokens(cue) for cue in self.rules.cues]
        self._relief = frozenset(
            w for word in self.rules.relief_words for w in normalize_tokens(word)
        )
        # Normalised finding phrase → numbers of the rules naming it.
        self._rules_by_phrase: dict[str, set[int]] = {}
        for number, rule in enumerate(self.rules.rules):
            for phrase in rule.findings:
                key = " ".join(normalize_tokens(phrase))
                self._rules_by_phrase.setdefault(key, set()).add(number)
        self._longest = max((key.count(" ") + 1 for key in self._rules_by_phrase), default=0)

    def __call__(self, case: Case) -> Case:
        """Add complication codes to finding mentions and to the case's ICD-10-CM codes."""
        found = self.complications(case)
        by_mention: dict[str, list[Code]] = {}
        for item in found:
            by_mention.setdefault(item.finding_id, []).append(
                Code(
                    system=CodeSystem.ICD10CM,
                    code=item.code,
                    display=item.display,
                    score=item.score,
                )
            )
        mentions = [
            m.model_copy(update={"codes": [*m.codes, *_unique(by_mention[m.id])]})
            if m.id in by_mention
            else m
            for m in case.mentions
        ]
        present = [item for item in found if item.assertion not in self._excluded]
        return case.model_copy(update={"mentions": mentions, "codes": _merge(case.codes, present)})

    def complications(self, case: Case) -> list[Complication]:
        """Every finding of the case that a rule codes as a procedure's complication."""
        found: list[Complication] = []
        by_id = {m.id: m for m in case.mentions}
        causes: dict[str, list[Mention]] = {}
        sentences = SpanIndex((s.start, s.end, s) for s in case.sentences)
        procedures = SpanIndex(
            (m.start, m.end, m.id) for m in case.mentions if m.type in self._procedures
        )
        for relation in case.relations:
            if relation.type in self._relations and relation.target in by_id:
                causes.setdefault(relation.source, []).append(by_id[relation.target])
        for finding in (m for m in case.mentions if m.type in self._findings):
            mention_id = finding.id
            rules = self._rules_for(finding)
            if not rules:
                continue
            span = Span(start=finding.start, end=finding.end)
            if mention_id in causes:
                for procedure in causes[mention_id]:
                    if procedure.type not in self._procedures:
                        continue
                    words = " ".join(filter(None, (procedure.text, procedure.expansion)))
                    kind = self._kind(words)
                    rule = _first(rules, kind)
                    if rule is not None:
                        found.append(
                            Complication(
                                span,
                                Span(start=procedure.start, end=procedure.end),
                                rule.code,
                                rule.display,
                                self.rules.relation_score,
                                mention_id,
                                procedure.id,
                                finding.assertion,
                            )
                        )
                continue
            for procedure_span, kind in self._cued_procedures(case, finding, sentences):
                rule = _first(rules, kind)
                if rule is not None:
                    found.append(
                        Complication(
                            span,
                            procedure_span,
                            rule.code,
                            rule.display,
                            self.rules.cue_score,
                            mention_id,
                            procedures.first_overlapping(procedure_span.start, procedure_span.end),
                            finding.assertion,
                        )
                    )
                    break
        return found

    def _rules_for(self, finding: Mention) -> list[ComplicationRule]:
        """The rules one of whose finding phrases the mention's words contain, in file order.

        A phrase is contained when it is a run of the words of the mention's expansion or
        text: each run of up to ``_longest`` words is looked up (a phrase that normalises to
        nothing is contained only in words that do too).
        """
        numbers: set[int] = set()
        for text in (finding.expansion, finding.text):
            if not text:
                continue
            words = normalize_tokens(text)
            runs = [
                " ".join(words[start:stop])
                for start in range(len(words))
                for stop in range(start + 1, min(len(words), start + self._longest) + 1)
            ]
            for run in runs or [""]:
                numbers.update(self._rules_by_phrase.get(run, ()))
        return [self.rules.rules[number] for number in sorted(numbers)]

    def _kind(self, text: str) -> str | None:
        """The first procedure kind (in file order) one of whose phrases ``text`` holds."""
        kinds = {k for match in self._kinds.find(text) for k in match.concept_ids}
        return min(kinds, key=self._order.__getitem__) if kinds else None

    def _cued_procedures(
        self, case: Case, finding: Mention, sentences: SpanIndex[Span]
    ) -> list[tuple[Span, str]]:
        """Procedures named after a cue in the finding's sentence (module docstring)."""
        sentence = next(
            iter(sentences.overlapping(finding.start, finding.start + 1)),
            Span(start=0, end=len(case.text)),
        )
        text = case.text[sentence.start : sentence.end]
        words = [
            (m.start() + sentence.start, m.end() + sentence.start, w)
            for m in re.finditer(r"[^\W_]+", text)
            for w in normalize_tokens(m.group())
        ]
        found: list[tuple[Span, str]] = []
        for match in self._kinds.find(text):
            start, end = match.start + sentence.start, match.end + sentence.start
            if start < finding.end and finding.start < end:
                continue
            before = [i for i, (s, _, _) in enumerate(words) if s < start]
            for cue in self._cues:
                cue_end = _cue_before(words, before, cue, self.rules.cue_window)
                if cue_end is None:
                    continue
                first = cue_end - len(cue) + 1
                cue_start = words[first][0]
                if cue_start <= finding.start < end:
                    continue  # the finding sits inside "after … procedure"
                eased = words[max(0, first - self.rules.relief_window) : first]
                if any(w in self._relief for _, _, w in eased):
                    break  # "improved after lumbar puncture": the procedure treated it
                kind = min(match.concept_ids, key=self._order.__getitem__)
                found.append((Span(start=start, end=end), kind))
                break
        return found


def _cue_before(
    words: list[tuple[int, int, str]], before: list[int], cue: tuple[str, ...], window: int
) -> int | None:
    """Index of the last word of ``cue`` when it ends at most ``window`` words before the
    first word of a procedure (``before`` are the indexes of the words preceding it)."""
    if not before or not cue:
        return None
    last = before[-1]
    for end in range(last, max(-1, last - window - 1), -1):
        start = end - len(cue) + 1
        if start >= 0 and tuple(w for _, _, w in words[start : end + 1]) == cue:
            return end
    return None


def _first(rules: list[ComplicationRule], kind: str | None) -> ComplicationRule | None:
    if kind is None:
        return None
    return next((rule for rule in rules if kind in rule.procedures), None)


def _unique(codes: list[Code]) -> list[Code]:
    kept: dict[str, Code] = {}
    for code in codes:
        if code.code not in kept or kept[code.code].score < code.score:
            kept[code.code] = code
    return list(kept.values())


def _merge(codes: list[CaseCode], found: list[Complication]) -> list[CaseCode]:
    """``codes`` with the complications' ICD-10-CM codes added or strengthened.

    The ICD-10-CM codes are re-ranked by score and stay where they were among the codes of
    the other vocabularies (at the end when there were none).
    """
    originals = {c.code: c for c in codes if c.system is CodeSystem.ICD10CM}
    # Each code's CaseCode is built once from all its complications: a long report finds the
    # same complication many times, and rebuilding it for each would grow with their square.
    gathered: dict[str, list[Complication]] = {}
    for item in found:
        gathered.setdefault(item.code, []).append(item)
    merged = dict(originals)
    for code, items in gathered.items():
        old = originals.get(code)
        spans = set() if old is None else {(s.start, s.end) for s in old.evidence}
        ids = set() if old is None else set(old.mentions)
        display = None if old is None else old.display
        score = 0.0 if old is None else old.score
        for item in items:
            spans.update(
                [(item.finding.start, item.finding.end), (item.procedure.start, item.procedure.end)]
            )
            ids.update([item.finding_id] + ([item.procedure_id] if item.procedure_id else []))
            display = display or item.display
            score = max(score, item.score)
        merged[code] = CaseCode(
            system=CodeSystem.ICD10CM,
            code=code,
            display=display,
            score=score,
            evidence=[Span(start=s, end=e) for s, e in sorted(spans)],
            mentions=sorted(ids),
        )
    ranked = sorted(merged.values(), key=lambda c: -c.score)
    first = next((i for i, c in enumerate(codes) if c.system is CodeSystem.ICD10CM), len(codes))
    others = [c for c in codes if c.system is not CodeSystem.ICD10CM]
    before = sum(1 for c in codes[:first] if c.system is not CodeSystem.ICD10CM)
    return others[:before] + ranked + others[before:]
