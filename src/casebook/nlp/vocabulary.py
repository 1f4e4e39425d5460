"""Phenotypes named anywhere in the text, as finding mentions carrying their HPO concept.

The mention model learnt what MACCROBAT annotates, and misses findings it rarely saw, folds
them into a History phrase ("type 2 diabetes mellitus and hypertension" read as one history
item) or splits them ("pulmonary" a structure, "fibrosis" a sign). Every phenotype recognised
in the text (``casebook.nlp.hpo_spans.recognise``: the HPO aliases it spells, which the matcher
``PhenotypeCoder`` uses finds, and the phrases the trained span scorer accepts in the text
they leave) is given to a mention:

* where no mention lies (History and Family_history phrases aside: they overlap findings by
  design), a new finding mention carrying the HPO concept; coordinated findings sharing a noun
  ("short and wide neck") give a mention each, which may overlap;
* where it overlaps finding mentions, the first of them that lies within the phenotype's words
  ("large cell lymphoma" of "anaplastic large cell lymphoma"; "fibrosis" of "pulmonary
  fibrosis" read as a structure and a sign) or that the phenotype coder would not code from its
  own words ("skin tag-like basal cell carcinomas"), or only as an ancestor of the phenotype
  ("diabetes mellitus" of "type 2 diabetes mellitus"), carries the concept, and none when there
  is no such mention;
* where it is one word that also names a procedure or a test (the heads of ICD-10-PCS
  procedure names: "aspiration", "hypothermia") and lies within a procedure mention ("fine-needle
  aspiration cytology", "therapeutic hypothermia"), nothing: there the word names the procedure;
* where it lies within the longer words of a test, a description or a structure (``NAMING_TYPES``:
  "serum tumor marker CA 19-9", "American Joint Committee on Cancer", "hernia sac"), nothing:
  the words are part of that name, no finding of the patient's; but a phenotype ending such a
  mention or holding its head word, whose other words name no test or procedure ("double AB
  type thymoma", "right pelvic kidney", "proximal weakness of extremities"), is a finding the
  mention model mistyped (a structure's phenotype must hold its head: "along the length of the
  septal defect" names a place);
* a new mention of a phenotype named by its direction starts at the word grading that
  direction ("extremely low CSF pressure", ``degree_words`` in ``phenotypes.json``);
* where it overlaps only mentions of other kinds ("low-set" a description, "ears" a structure,
  "raised" a result of the test "intracranial pressure"), a new finding mention over the
  phenotype's words, lying over them; a result holds the phenotype only when its words hold
  all of the phenotype's.

A new mention is a Disease_disorder when its words name an ICD-10-CM code outside chapter R
(symptoms, signs and abnormal findings), else a Sign_symptom. It runs before ``assertion``, so
that these findings are asserted, related and coded like the model's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from casebook.kb.base import AliasMatch, Candidate, normalize_tokens
from casebook.kb.heads import head_word, load_head_words
from casebook.kb.icd10cm import Icd10cmVocabulary, alias_words, load_icd10cm
from casebook.model import Case, Code, CodeSystem, EntityType, Mention
from casebook.nlp.hpo_spans import SpanScorer, packaged_scorer, recognise
from casebook.nlp.phenotypes import (
    PhenotypeCoder,
    acts_on_a_thing,
    denied_by_joined_word,
    direction_words,
    names_other_thing,
    other_sense_keys,
    overclaims,
    phenotype_matches,
    sense,
)
from casebook.nlp.spans import SpanIndex
from casebook.nlp.tokens import NEXT_WORD

OVERLAPPING_TYPES = frozenset({EntityType.HISTORY, EntityType.FAMILY_HISTORY})
"""Mention types that may lie over a finding mention."""

NAMING_TYPES = frozenset(
    {
        EntityType.DIAGNOSTIC_PROCEDURE,
        EntityType.DETAILED_DESCRIPTION,
        EntityType.BIOLOGICAL_STRUCTURE,
    }
)
"""Mention types whose longer words a phenotype's words may be part of without being a finding:
a test is named by what it looks for ("serum *tumor* marker CA 19-9"), a name or description
by its words ("American Joint Committee on *Cancer*"), a structure by its place ("*tumor* bed").
A treatment is left out: "cataract surgery" tells a cataract."""

_COORDINATOR = re.compile(r"\s(?:and|or)\s|,")
"""A coordination within a phenotype's words."""

_RESULT_REACH = 2
"""Words that may stand between a result word and the test's name it tells ("positive result
for antinuclear antibody")."""

_WORD = re.compile(r"\w+")

_LONGEST_WORD = 30
"""Characters read for the word before or at a phenotype's start."""

_LAST_WORD = re.compile(r"([A-Za-z]+)[ ]+$")
"""The word right before a position, with the spaces after it."""

_SUBTYPE = re.compile(r"\s+types?\s+(?:\d{1,2}|[IVX]{1,4})[A-Da-d]?", re.IGNORECASE)
"""A subtype told after a disorder's name ("type 2", "type IIa"): still the disorder's words."""

PROCEDURE_TYPES = frozenset({EntityType.DIAGNOSTIC_PROCEDURE, EntityType.THERAPEUTIC_PROCEDURE})

_OBJECT_OF = re.compile(
    r"\b(?:of|in|on|at|from|for|with|within|by)\s+"
    r"(?:(?:the|a|an|his|her|their|its|this|that|these|those)\s+)?$",
    re.IGNORECASE,
)
"""A preposition, and perhaps a determiner, right before a phrase: the phrase is its object."""

_OBJECT_REACH = 40
"""Characters read before a phrase for the preposition whose object it is."""


class VocabularyMentions:
    """Gives each phenotype recognised in the text a finding mention (see the module docstring).

    Args:
        vocabulary: ICD-10-CM 2026, which tells a disease from a sign; the packaged one when
            omitted.
        scorer: The HPO span scorer; the packaged one (read on first use) when omitted.
    """

    name = "vocabulary"
    requires = frozenset({"text", "mentions"})
    assigns = frozenset({"mentions"})

    def __init__(
        self, vocabulary: Icd10cmVocabulary | None = None, scorer: SpanScorer | None = None
    ) -> None:
        self.coder = PhenotypeCoder()
        self.rules, self.kb, self.generator = self.coder.rules, self.coder.kb, self.coder.generator
        self.vocabulary = vocabulary if vocabulary is not None else load_icd10cm()
        self._scorer = scorer
        self._other_senses = other_sense_keys(self.rules)
        self._directions = direction_words(self.rules)
        self._degrees = frozenset(w.lower() for w in self.rules.degree_words)
        self._test_words = frozenset(
            word for name in self.rules.test_name_words for word in normalize_tokens(name)
        )
        self._devices = frozenset(w.lower() for w in self.rules.device_words)
        copulas = "|".join(map(re.escape, self.rules.copulas))
        self._copula = re.compile(rf"\s(?:{copulas})\s", re.IGNORECASE) if copulas else None
        self._positive = frozenset(w.lower() for w in self.rules.positive_result_words)
        results = sorted(
            {*self.rules.positive_result_words, *self.rules.negative_result_words},
            key=len,
            reverse=True,
        )
        self._result_word = re.compile(
            r"(?<![\w-])(" + "|".join(map(re.escape, results)) + r")(?![\w-])", re.IGNORECASE
        )

    def recognised(self, text: str) -> list[AliasMatch]:
        """The phenotypes named in ``text``: exact aliases, then the scorer's phrases."""
        scorer = self._scorer if self._scorer is not None else packaged_scorer()
        exact = phenotype_matches(text, self.rules, self.generator, self.kb)
        return [
            match
            for match in recognise(
                text,
                exact,
                self.generator,
                scorer,
                self.rules.span_threshold,
                self.rules.max_senses,
                self.coder.generic_words,
                self._other_senses,
            )
            if match.key not in self._other_senses
            and not self.coder.qualifies_a_thing(text, match.start, match.end)
            and not denied_by_joined_word(text, match.start)
            # A match ends before a last "A" it reads as an article ("low immunoglobulin A").
            and not any(
                self.coder.drops_a_name_letter(text[match.start : match.end + 2], c)
                for c in match.concept_ids
            )
            # A phrase the scorer accepted may be part of another thing's name as an exact
            # alias may ("human immunodeficiency [virus]").
            and not names_other_thing(text, match.end, self.rules)
            and not self._names_device(text, match.end)
            and not self._told_of_an_object(text, match.start, match.end)
            and not acts_on_a_thing(
                text, match.start, match.end, self.rules, self.generator, self.kb, match.concept_ids
            )
            and not any(
                overclaims(self.kb.concept(c).name, text[match.start : match.end], self.rules)
                for c in match.concept_ids
            )
        ]

    def _told_of_an_object(self, text: str, start: int, end: int) -> bool:
        """Whether the phrase tells a thing what it is by a copula (``copulas``) where the thing
        is a preposition's object: what the verb tells is of the word before the preposition
        ("control of his [blood pressure became poor]": the control became poor), as
        ``predicate_matches`` reads a subject."""
        return (
            self._copula is not None
            and self._copula.search(text, start, end) is not None
            and _OBJECT_OF.search(text, max(0, start - _OBJECT_REACH), start) is not None
        )

    def __call__(self, case: Case) -> Case:
        """Return ``case`` with a mention for every phenotype recognised in its text."""
        taken = SpanIndex(
            (m.start, m.end, m.id) for m in case.mentions if m.type not in OVERLAPPING_TYPES
        )
        by_id = {m.id: m for m in case.mentions}
        used = set(by_id)
        carried: dict[str, list[Code]] = {}
        added: list[Mention] = []
        sentence_starts = [s.start for s in case.sentences]
        for match in self.recognised(case.text):
            if self._untold_test(case, sentence_starts, match):
                continue
            codes = self._codes(case.text, match)
            overlapping = [by_id[i] for i in taken.overlapping(match.start, match.end)]
            # A result's words within the phenotype's ("raised" of "raised intracranial
            # pressure") hold no finding of their own: the phenotype is a new finding.
            findings = [
                m
                for m in overlapping
                if m.type in self.coder.rules.mention_types
                and (
                    m.type is not EntityType.LAB_VALUE
                    or (m.start <= match.start and match.end <= m.end)
                )
            ]
            if not findings and (
                self._names_procedure(case.text, match, overlapping)
                or _within_a_name(case.text, match, overlapping, self._spells_alias(match))
            ):
                continue
            if findings:
                holder = next(
                    (
                        m
                        for m in findings
                        if (match.start <= m.start and m.end <= match.end)
                        or self._narrows(match, self.coder.link(m.expansion or m.text))
                    ),
                    None,
                )
                if holder is not None:
                    carried.setdefault(holder.id, []).extend(codes)
                continue
            number = len(used) + 1
            while f"m{number}" in used:
                number += 1
            used.add(f"m{number}")
            start = self._degree_start(case.text, match.start)
            words = case.text[start : match.end]
            added.append(
                Mention(
                    id=f"m{number}",
                    start=start,
                    end=match.end,
                    text=words,
                    type=self._type(words),
                    codes=codes,
                )
            )
        if not added and not carried:
            return case
        mentions = [
            m.model_copy(update={"codes": [*m.codes, *carried[m.id]]}) if m.id in carried else m
            for m in case.mentions
        ]
        mentions = sorted([*mentions, *added], key=lambda m: (m.start, m.end))
        return case.model_copy(update={"mentions": mentions})

    def _spells_alias(self, match: AliasMatch) -> bool:
        """Whether the match's words are, as aliases are read, a name or synonym of one of its
        concepts: an exact match, not a phrase the span scorer accepted near one."""
        forms = self.generator.word_forms
        return any(
            " ".join(forms.get(w, w) for w in normalize_tokens(alias)) == match.key
            for concept_id in match.concept_ids
            for alias in (self.kb.concept(concept_id).name, *self.kb.concept(concept_id).synonyms)
        )

    def _names_device(self, text: str, end: int) -> bool:
        """Whether the word right after a phenotype is a device it names ("short leg cast",
        ``device_words``): the words are the device's name, no finding."""
        after = NEXT_WORD.match(text, end)
        return after is not None and after.group(1).lower() in self._devices

    def _untold_test(self, case: Case, sentence_starts: list[int], match: AliasMatch) -> bool:
        """Whether the phenotype's words are a test's name (``test_name_words``: "antinuclear
        antibodies") that its sentence does not tell positive: a result word just before them
        decides ("positive for", "despite negative"), else the first one after them
        ("Autoimmune markers including antinuclear antibodies, ... and ANCA were negative"
        names no finding); with none, the test is only named."""
        last = match.key.rsplit(" ", 1)[-1]
        if last not in self._test_words:
            return False
        index = bisect_right(sentence_starts, match.start) - 1
        start = case.sentences[index].start if index >= 0 else 0
        end = case.sentences[index].end if index >= 0 else len(case.text)
        before = list(self._result_word.finditer(case.text, start, match.start))
        if before and len(_WORD.findall(case.text, before[-1].end(), match.start)) <= _RESULT_REACH:
            told: re.Match[str] | None = before[-1]
        else:
            told = self._result_word.search(case.text, match.end, max(match.end, end))
        return told is None or told.group(1).lower() not in self._positive

    def _narrows(self, match: AliasMatch, linked: list[Candidate]) -> bool:
        """Whether the phenotype says more than a mention's own words: they name no phenotype,
        or one of its ancestors ("diabetes mellitus" of "type 2 diabetes mellitus")."""
        return not linked or any(
            c.concept_id in self.kb.ancestors(concept)
            for c in linked
            for concept in match.concept_ids
        )

    def _degree_start(self, text: str, start: int) -> int:
        """Where a phenotype named by a direction ("low CSF pressure") starts with the word
        grading that direction ("extremely low"), else ``start``."""
        first = normalize_tokens(text[start : start + _LONGEST_WORD])[:1]
        if not first or first[0] not in self._directions:
            return start
        before = _LAST_WORD.search(text, max(0, start - _LONGEST_WORD), start)
        if before is None or before.group(1).lower() not in self._degrees:
            return start
        return before.start(1)

    def _names_procedure(self, text: str, match: AliasMatch, overlapping: list[Mention]) -> bool:
        """Whether the phenotype's one word is a procedure's or a test's name within a
        procedure mention ("aspiration" of "fine-needle aspiration cytology")."""
        words = normalize_tokens(text[match.start : match.end])
        if len(words) != 1:
            return False
        heads = load_head_words()
        if words[0] not in heads.procedure and words[0] not in heads.test:
            return False
        return any(
            m.type in PROCEDURE_TYPES and m.start <= match.start and match.end <= m.end
            for m in overlapping
        )

    def _codes(self, text: str, match: AliasMatch) -> list[Code]:
        """The match's concepts, then those of the aliases nested in its words ("hearing loss"
        in "sensorineural hearing loss"), each once: a nested concept HPO relates to the
        match's (``_related``), or any in coordinated words ("small hands and feet")."""
        concept_ids = list(match.concept_ids)
        # Coordinated findings ("small hands and feet") each name their own concept.
        coordinated = _COORDINATOR.search(text, match.start, match.end) is not None
        for found in self.generator.nested(text, match.start, match.end):
            inner = sense(found, self.generator, self.kb)
            if len(inner.concept_ids) > self.rules.max_senses or " " not in inner.key:
                continue
            words = text[inner.start : inner.end]
            for concept_id in inner.concept_ids:
                if (
                    concept_id not in concept_ids
                    and (coordinated or self._related(concept_id, match.concept_ids))
                    and not overclaims(self.kb.concept(concept_id).name, words, self.rules)
                ):
                    concept_ids.append(concept_id)
        return [
            Code(
                system=CodeSystem.HPO,
                code=concept_id,
                display=self.kb.concept(concept_id).name,
            )
            for concept_id in concept_ids
        ]

    def _related(self, concept_id: str, outer: Sequence[str]) -> bool:
        """Whether a nested alias's concept is one the whole match's concepts are kinds of
        (Hearing impairment of "sensorineural hearing loss") or a kind of them (Renal
        hypoplasia of "renal hypoplasia or malformations", Abnormal renal morphology), not
        another finding its words spell ("arterial hypertension" in "pulmonary arterial
        hypertension" is no Hypertension)."""
        return any(
            concept_id in self.kb.ancestors(concept) or concept in self.kb.ancestors(concept_id)
            for concept in outer
        )

    def _type(self, words: str) -> EntityType:
        codes = self.vocabulary.named(alias_words(words))
        if any(not code.startswith("R") for code in codes):
            return EntityType.DISEASE_DISORDER
        return EntityType.SIGN_SYMPTOM


def _within_a_name(text: str, match: AliasMatch, overlapping: list[Mention], spelled: bool) -> bool:
    """Whether the phenotype's words lie within the longer words of one mention of
    ``NAMING_TYPES`` ("tumor" of "serum tumor marker CA 19-9"), unless they end a test or a
    description whose other words name no test or procedure: a finding the mention model typed
    so ("double AB type *thymoma*"). Within a structure, only words that spell an alias of the
    phenotype (``spelled``: "pelvic kidney") are such a finding; words the span scorer merely
    found near one ("sternal end" of "right sternal end of clavicle", near "Fractured sternal
    end of clavicle"; "subtalar joint", all a structure's words, near "Fusion of the subtalar
    joint") are the structure's."""
    return any(
        m.type in NAMING_TYPES
        and m.start <= match.start
        and match.end <= m.end
        and (
            m.end - m.start > match.end - match.start
            # Words the span scorer found near an alias and a structure's words alone are the
            # structure's: "the subtalar joint" near "Fusion of the subtalar joint".
            or (m.type is EntityType.BIOLOGICAL_STRUCTURE and not spelled)
        )
        and not (
            (spelled or m.type is not EntityType.BIOLOGICAL_STRUCTURE)
            and _mistyped_finding(text, match, m)
        )
        for m in overlapping
    )


def _mistyped_finding(text: str, match: AliasMatch, mention: Mention) -> bool:
    """Whether the phenotype holds the mention's head word, or ends a test or a description
    (but for its subtype: "neurofibromatosis type 2"), and the mention's other words name no
    test or procedure: the mention is a finding the mention model typed otherwise ("right
    pelvic kidney" as a structure, "signs of meningitis" as a description; but "the length of
    the septal defect" is a place)."""
    words = normalize_tokens(text[mention.start : mention.end])
    held = normalize_tokens(text[match.start : match.end])
    ends = (
        match.end == mention.end or _SUBTYPE.fullmatch(text, match.end, mention.end) is not None
    ) and mention.type is not EntityType.BIOLOGICAL_STRUCTURE
    if not words or not (ends or head_word(words) in held):
        return False
    heads = load_head_words()
    rest = normalize_tokens(text[mention.start : match.start] + " " + text[match.end : mention.end])
    return not any(word in heads.test or word in heads.procedure for word in rest)
