"""Which statements of a case report are about this patient, and which about others.

A case report tells its patient's story among statements about the condition in general and
about other patients: an introduction, a discussion of the literature, sentences such as "Smith
et al. reported meningitis in 3 patients". ``literature.json`` holds the rules:

* **cues**: phrases of a sentence about other patients or published work ("et al.",
  "has been reported", "patients with", "previous cases");
* **citation cues**: citation marks ("[12]"). In a case section they mostly cite a method or
  a criterion applied to the patient ("confirmed by the Swansea criteria [9]"), so they do not
  by themselves make a sentence the literature's;
* **general statements**: a sentence holding a citation mark (numbered, or stripped to "[]")
  and a verb of the present tense or a modal, with neither the past tense nor a word of this
  case ("… can originate from any epithelial cancer, including cancer of the lung []"), tells
  what is so in general, unless a patient cue brings it back to this patient;
* **definition cues**: a sentence that opens by telling what a thing is ("Bleomycin is a
  chemotherapeutic antibiotic associated with …"), in the present tense with neither the past
  tense nor a word of this case, is a general statement though it cites nothing;
* **patient cues**: phrases that bring a sentence back to this patient ("our patient", "we
  report", "she");
* **literature sections**: section kinds that speak of the condition in general (introduction,
  discussion, conclusion);
* **patient sections**: section kinds whose sentences are the patient's whatever cue they hold
  (the title: "… fibrovascular polyp: case report and literature review" names the patient's
  polyp; its cue names the article's genre);
* **left-out sections**: section kinds that state nothing the patient had (a differential
  diagnosis lists what was ruled out; references list titles).

``StatementSorter.sort`` reads each sentence of a case as one ``Statement``: in a left-out
section, ``left_out``; with a literature cue, ``literature`` (``left_out`` when a patient cue
mixes the patient in); in a literature section, ``literature``, or ``left_out`` when it speaks of
the patient (a discussion restating the case adds no new fact and may blur it with others);
elsewhere, ``patient``. A sentence that is a legend, a list of abbreviations and what they
stand for ("WBC: white blood cell; PLT: platelet; HGB: hemoglobin", ``is_legend``), states no
fact at all: ``legend``, wherever it stands. The phenotype coder shares the cues and citation
cues (``holds_literature_cue``) and reads legends too (``is_legend``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import Field

from casebook.caseless import fold, folded_pattern
from casebook.model import Case, Patterns, RecordModel, Span
from casebook.nlp.abbreviations import find_best_long_form
from casebook.nlp.patterns import start_finder
from casebook.resources import load_rules


class LiteratureRules(RecordModel):
    """The schema of ``literature.json``."""

    version: str = Field(min_length=1)
    about: str = ""
    cues: Patterns = Field(
        description="Regular expressions (case-insensitive) marking a sentence about other "
        "patients or the literature."
    )
    citation_cues: Patterns = Field(
        description="Regular expressions (case-insensitive) of citation marks ('[12]')."
    )
    general_citation_cues: Patterns = Field(
        description="Regular expressions (case-insensitive) of citation marks, numbered or "
        "with their numbers stripped ('[]', '[, ]', '[–]', as PMC-Patients prints them)."
    )
    general_tense_cues: Patterns = Field(
        description="Regular expressions (case-insensitive) of verbs in the present tense and "
        "modals ('is', 'can', 'may occur', 'arises', 'have similar findings', 'has been "
        "described'): what a cited sentence tells in them alone is so in general."
    )
    definition_cues: Patterns = Field(
        default_factory=list,
        description="Regular expressions (case-insensitive) matched at a sentence's start, of "
        "a sentence that opens by telling what a thing is ('Bleomycin is a chemotherapeutic "
        "antibiotic', 'Cellulitis is an acute inflammation'; not 'The mass is a', 'SA is a "
        "4-year-old boy'): with no citation mark it tells what is so in general as a cited "
        "sentence does.",
    )
    narrative_cues: Patterns = Field(
        description="Regular expressions (case-insensitive) of the past tense and words of "
        "this case ('was', 'showed', 'underwent', 'we'): a cited sentence holding one tells "
        "the case, as one citing a criterion applied to the patient does."
    )
    patient_cues: Patterns = Field(
        description="Regular expressions (case-insensitive) marking a sentence about this patient."
    )
    literature_sections: list[str] = Field(
        description="Section kinds whose statements are about the condition in general."
    )
    left_out_sections: list[str] = Field(
        description="Section kinds whose statements are no facts the patient had."
    )
    patient_sections: list[str] = Field(
        default_factory=list,
        description="Section kinds whose statements are the patient's whatever cue they hold: "
        "a case report's title names its patient's condition, and its 'case report and review "
        "of the literature' says what the article is.",
    )


class Statement(StrEnum):
    """Whom a sentence of a case report is about."""

    PATIENT = "patient"
    LITERATURE = "literature"
    LEFT_OUT = "left_out"
    LEGEND = "legend"


LEGEND_PAIRS = 3
"""Fewest glossed abbreviations that make a sentence a legend."""

LEGEND_SHARE = 0.6
"""Least share of a legend's characters its glossed abbreviations take."""

_GLOSSED = re.compile(
    # "WBC: white blood cell", "+: intermediate", "Tet = tetracycline": a short form, a colon
    # or an equals sign, and words up to the next semicolon or short form glossed.
    r"(?<![^\s;.(])(?P<short>[^\s:;=,()]{1,10})\s*[:=]\s*"
    r"(?P<long>[A-Za-z](?:(?!\s[^\s:;=,()]{1,10}\s*[:=])[^:;=])*)"
)
_GLOSSED_BY_COMMA = re.compile(
    # "PDA, patent ductus arteriosus": the comma form, only as a part between semicolons.
    r"^\s*(?P<short>[^\s:;=,()]{1,10}),\s+(?P<long>[a-z][^:;=,]*?)\s*\.?\s*$"
)


def is_legend(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether ``text[start:end]`` is a legend: at least ``LEGEND_PAIRS`` abbreviations, each
    followed by words it can stand for (Schwartz & Hearst's ``find_best_long_form``), that
    take ``LEGEND_SHARE`` of its characters or more ("WBC: white blood cell; PLT: platelet",
    "EF: Ejection fraction LDS: Loeys-Dietz syndrome", "PDA, patent ductus arteriosus; PFO,
    patent foramen ovale; VSD, ventricular septal defect")."""
    sentence = text[start:end]
    # Most sentences hold too few colons, equals signs and semicolons to be one.
    marks = sentence.count(":") + sentence.count("=")
    if marks < LEGEND_PAIRS and sentence.count(";") < LEGEND_PAIRS - 1:
        return False
    glossed = 0
    count = 0
    matches = list(_GLOSSED.finditer(sentence))
    if len(matches) < LEGEND_PAIRS:
        matches = [
            match
            for part in sentence.split(";")
            if (match := _GLOSSED_BY_COMMA.match(part)) is not None
        ]
    for match in matches:
        short, long = match.group("short"), match.group("long")
        if not any(c.isalnum() for c in short) or find_best_long_form(short, long) is not None:
            count += 1
            glossed += len(match.group(0))
    return count >= LEGEND_PAIRS and glossed >= LEGEND_SHARE * len(sentence.strip())


_BACK_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _any_of(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    """Case-insensitive patterns such that one of them matches where one of ``patterns`` does:
    those starting at a word boundary in a single alternation when they can share one (no
    back-references, no clashing group names), the others each on its own (in the alternation
    they would be tried at every character, and slow every search)."""
    bounded = [p for p in patterns if p.startswith(r"\b")]
    alone = [re.compile(p, re.IGNORECASE) for p in patterns if not p.startswith(r"\b")]
    if bounded and not any(_BACK_REFERENCE.search(p) for p in bounded):
        try:
            return [re.compile("|".join(f"(?:{p})" for p in bounded), re.IGNORECASE), *alone]
        except re.error:
            pass
    return [re.compile(p, re.IGNORECASE) for p in bounded] + alone


def _folded(cues: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One case-sensitive pattern over folded text matching where one of the case-insensitive
    cues matches (``casebook.caseless.folded_pattern``, then
    ``casebook.nlp.patterns.start_finder``: one scan branching on the characters a cue starts
    with, where each cue would be tried at every character); None unless every cue has a
    folded form."""
    folded = [folded_pattern(cue.pattern) for cue in cues]
    if any(pattern is None for pattern in folded):
        return None
    return start_finder("", [pattern for pattern in folded if pattern is not None])


_SortKey = tuple[str, tuple[tuple[int, int], ...], tuple[tuple[int, int, str], ...]]
"""What a case's statements depend on: its text, sentences and sections."""


class StatementSorter:
    """Sorts the sentences of a case into the patient's, the literature's and the rest.

    Args:
        rules: A packaged rule file name or a ``Path`` to your own file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    def __init__(self, rules: str | Path = "literature.json") -> None:
        self.rules = load_rules(rules, LiteratureRules)
        self.cues = _any_of(self.rules.cues)
        self.citations = _any_of(self.rules.citation_cues)
        self.patient_cues = _any_of(self.rules.patient_cues)
        self._general_citations = _any_of(self.rules.general_citation_cues)
        self._general_tense = _any_of(self.rules.general_tense_cues)
        self._narrative = _any_of(self.rules.narrative_cues)
        self._definitions = [re.compile(p, re.IGNORECASE) for p in self.rules.definition_cues]
        self._literature_sections = frozenset(self.rules.literature_sections)
        self._left_out_sections = frozenset(self.rules.left_out_sections)
        self._patient_sections = frozenset(self.rules.patient_sections)
        self._last: tuple[_SortKey, Statements] | None = None
        # The same cues run case-sensitively over the folded text (``casebook.caseless``):
        # the same answers, found faster; None where a cue cannot be run so.
        self._folded_cues = _folded(self.cues)
        self._folded_patient_cues = _folded(self.patient_cues)
        self._last_folded: tuple[str, str | None] | None = None

    def about_literature(self, text: str, start: int = 0, end: int | None = None) -> bool:
        """Whether ``text[start:end]`` holds a literature cue."""
        return self._holds(self.cues, self._folded_cues, text, start, end)

    def about_patient(self, text: str, start: int = 0, end: int | None = None) -> bool:
        """Whether ``text[start:end]`` holds a patient cue."""
        return self._holds(self.patient_cues, self._folded_patient_cues, text, start, end)

    def _holds(
        self,
        cues: list[re.Pattern[str]],
        folded_cues: re.Pattern[str] | None,
        text: str,
        start: int,
        end: int | None,
    ) -> bool:
        stop = len(text) if end is None else end
        folded = self._fold(text) if folded_cues is not None else None
        if folded_cues is not None and folded is not None:
            return folded_cues.search(folded, start, stop) is not None
        return any(cue.search(text, start, stop) for cue in cues)

    def _fold(self, text: str) -> str | None:
        """``casebook.caseless.fold`` of the text (the last one remembered: a case's
        sentences are asked about in turn)."""
        last = self._last_folded
        if last is None or last[0] != text:
            last = self._last_folded = (text, fold(text))
        return last[1]

    def sort(self, case: Case) -> Statements:
        """Each sentence of ``case`` as a ``Statement`` (see the module docstring).

        The last case's are remembered: the ICD-10-CM coder and the summary ask about the same
        text, sentences and sections in turn.
        """
        key = (
            case.text,
            tuple((s.start, s.end) for s in case.sentences),
            tuple((s.start, s.end, s.kind) for s in case.sections),
        )
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        statements = self._sorted(case)
        self._last = (key, statements)
        return statements

    def _sorted(self, case: Case) -> Statements:
        sections = sorted(case.sections, key=lambda s: s.start)
        starts = [s.start for s in sections]
        sentences = sorted(case.sentences, key=lambda s: s.start)
        kinds: list[Statement] = []
        for sentence in sentences:
            index = bisect_right(starts, sentence.start) - 1
            section = (
                sections[index].kind if index >= 0 and sentence.start < sections[index].end else ""
            )
            kinds.append(self._statement(case.text, sentence, section))
        return Statements(sentences, kinds)

    def _statement(self, text: str, sentence: Span, section: str) -> Statement:
        if is_legend(text, sentence.start, sentence.end):
            return Statement.LEGEND
        if section in self._left_out_sections:
            return Statement.LEFT_OUT
        if section in self._patient_sections:
            return Statement.PATIENT
        others = self.about_literature(text, sentence.start, sentence.end)
        cited = False
        if others and section not in self._literature_sections:
            # "primers based on Zhao et al. []" in brackets cites a method applied to the
            # patient, as a citation mark does: only a cue outside every aside counts, and
            # the aside is then a citation mark ("… is high when … (Smith et al.)").
            others = any(cue.search(_outside_asides(text, sentence)) for cue in self.cues)
            cited = not others
        patient = self.about_patient(text, sentence.start, sentence.end)
        if others:
            return Statement.LEFT_OUT if patient else Statement.LITERATURE
        if not patient and self.is_general(text, sentence, cited=cited):
            return Statement.LITERATURE
        if section in self._literature_sections:
            return Statement.LEFT_OUT if patient else Statement.LITERATURE
        return Statement.PATIENT

    def is_general(self, text: str, sentence: Span, *, cited: bool = False) -> bool:
        """Whether the sentence is a cited statement of what is so in general: a citation
        mark (or, ``cited``, another citation the caller found), a verb of the present tense
        or a modal, and neither the past tense nor a word of this case ("NGCO most commonly
        arises from germ cell tumors but can originate from any epithelial cancer, including
        cancer of the lung []"; not "The diagnosis was made by the Swansea criteria [9]").
        A sentence opening by telling what a thing is (a definition cue: "Bleomycin is a
        chemotherapeutic antibiotic associated with skin toxicities such as Raynaud's
        phenomenon") needs no citation mark."""
        start, end = sentence.start, sentence.end
        return (
            (
                cited
                or self._holds(self._general_citations, None, text, start, end)
                or any(cue.match(text, start, end) for cue in self._definitions)
            )
            and self._holds(self._general_tense, None, text, start, end)
            and not self._holds(self._narrative, None, text, start, end)
        )


class Statements:
    """Whom each sentence of one case is about; text outside every sentence is the patient's."""

    def __init__(self, sentences: Sequence[Span], kinds: Sequence[Statement]) -> None:
        self._sentences = list(sentences)
        self._starts = [s.start for s in self._sentences]
        self._kinds = list(kinds)

    def at(self, offset: int) -> Statement:
        """Whom the sentence holding character ``offset`` is about."""
        index = bisect_right(self._starts, offset) - 1
        if index >= 0 and offset < self._sentences[index].end:
            return self._kinds[index]
        return Statement.PATIENT


def _outside_asides(text: str, sentence: Span) -> str:
    """The sentence's text with what its round brackets enclose blanked out."""
    kept: list[str] = []
    depth = 0
    for char in text[sentence.start : sentence.end]:
        if char == "(":
            depth += 1
        kept.append(" " if depth else char)
        if char == ")" and depth:
            depth -= 1
    return "".join(kept)


@cache
def default_sorter() -> StatementSorter:
    """The packaged rules, loaded once."""
    return StatementSorter()


def holds_literature_cue(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` holds one of the packaged literature or citation cues (the
    phenotype coder weighs evidence in a sentence holding one down)."""
    sorter = default_sorter()
    return (
        sorter.about_literature(text, start, end)
        or any(cue.search(text, start, end) for cue in sorter.citations)
        or (
            not sorter.about_patient(text, start, end)
            and sorter.is_general(text, Span(start=start, end=end))
        )
    )
