"""Assertion status of clinical mentions, in the ConText tradition.

``ContextAssertion`` follows NegEx (Chapman et al. 2001) and ConText (Harkema et al. 2009) as
medspaCy implements them: trigger terms from a rule file (``context_rules.json``) open a
*scope* of tokens within the sentence, running forward, backward or both from the trigger, up to
``max_scope`` words or a termination term, whichever comes first. A mention that overlaps the
scope of a trigger takes the trigger's category (negated, uncertain, hypothetical, historical,
family). Pseudo-triggers such as "not only" or "gram negative" match first and so keep the
shorter trigger inside them ("not", "negative") from firing.

How conflicts are settled:

* Triggers are matched on lower-cased tokens, longest match first; overlapping shorter matches
  are dropped, which is how a pseudo-trigger cancels the trigger it contains. Rules of the same
  words that modify different mention types are all kept ("was suggested" plans a treatment and
  suspects a finding).
* A trigger whose words overlap the mention itself never modifies it ("intrathecal
  prophylaxis", "the aortic valve is normal").
* When several triggers reach a mention, the one nearest to it wins; a tie goes to the
  category earlier in ``PRECEDENCE`` (negated > family > hypothetical > uncertain > historical).
  A history or family trigger that a negation trigger reaching the mention stands right before
  (``NEGATED_HISTORY_GAP`` tokens at most: "denied any history of fever", "no family history
  of epilepsy") negates it, as a denial does a history trigger that is an item of its list ("no
  photophobia, preceding trauma, or history of migraine").
* Whose finding it is outranks when it was: a mention a family trigger reaches is ``family``
  even where a history trigger is nearer ("her sister had a history of epilepsy"). A relative
  who is a clause's subject ("her father, I-1, had …") reaches the clause's end through the
  verbs that end other scopes (``ContextRule.ended_only_by``), up to a clause of the patient's
  own ("and she developed", ``ContextRule.ends_scopes_of``); a relative who reports ("her
  mother noticed that …") is a pseudo-trigger. A clause of the patient's own told with its
  verb ("…, and she had fever"), or of the authors' acts ("…, and we closed the ileostomy"),
  ends every scope: a denial or a suspicion before it is of another clause; so does a death
  told after a clause ("did not fully recover and died"), but for a relative's scope ("a
  great-grandmother had … and died at 32").
* A denial told after the causes of a finding ("Other causes of thrombocytopenia were ruled
  out", "to exclude other causes for heart failure") denies the causes, not the finding their
  phrase governs (``ContextRule.governs_complement``); examples of the causes ("including iron
  deficiency", "such as pericardial effusion") are denied.
* A suspicion that its sentence goes on to confirm ("suspected Lyme carditis was confirmed by
  immunohistochemistry", "DKA was suspected and confirmed") is lifted
  (``ContextRule.lifts_suspicion``).
* The section gives a default: a mention in a ``family_history`` section is ``family`` unless a
  trigger negates it; one in a ``past_medical_history`` or ``social_history`` section (or a
  ``history`` section titled like "Past history") is ``historical`` unless a trigger says
  otherwise: a patient's habits are background, as ConText's annotators read them.

Only mentions of a clinical-event type (``EVENT_TYPES``) are touched; each rule may narrow that
further with ``allowed_types`` (so "was normal" negates a finding, never the test that found
it). A result trigger marked ``stops_at_tests`` speaks of the test, or the body part opening a
clause, told right before it: a finding an earlier verb already predicates, told before that
test, is out of its scope ("He had fever and cough, and blood cultures were negative", "there
was an inguinal hernia and the genitalia were normal"), while a list of findings and tests shares
the result ("hepatitis B and HIV antibody tests were negative").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from casebook.model import Assertion, Case, EntityType, Mention, Section, Sex, Span
from casebook.nlp.patterns import FirstCharacters, finditer_from, start_finder
from casebook.nlp.tables import denied_rows, within
from casebook.nlp.tokens import TOKEN, tokenize
from casebook.resources import load_rules

EVENT_TYPES: frozenset[EntityType] = frozenset(
    {
        EntityType.SIGN_SYMPTOM,
        EntityType.DISEASE_DISORDER,
        EntityType.DIAGNOSTIC_PROCEDURE,
        EntityType.THERAPEUTIC_PROCEDURE,
        EntityType.MEDICATION,
        EntityType.LAB_VALUE,
        EntityType.CLINICAL_EVENT,
        EntityType.OUTCOME,
        EntityType.HISTORY,
        EntityType.FAMILY_HISTORY,
        EntityType.OTHER_EVENT,
    }
)
"""Mention types whose assertion this component sets."""


class Category(StrEnum):
    """What a trigger says about the mentions in its scope (medspaCy's category names)."""

    NEGATED_EXISTENCE = "NEGATED_EXISTENCE"
    POSSIBLE_EXISTENCE = "POSSIBLE_EXISTENCE"
    HISTORICAL = "HISTORICAL"
    HYPOTHETICAL = "HYPOTHETICAL"
    FAMILY = "FAMILY"
    PSEUDO = "PSEUDO"
    TERMINATE = "TERMINATE"


class Direction(StrEnum):
    """Which way a trigger's scope runs from the trigger.

    ``TERMINATE`` and ``PSEUDO`` are the directions of termination and pseudo-triggers. A
    ``TERMINATE``-category rule may instead say ``FORWARD`` or ``BACKWARD``: it then ends only
    the scopes running that way (a copula such as "was" ends the forward scope of "no" in
    "no complications were reported at the time the biopsy was taken", but must not end the
    backward scope of "ruled out" in "infection was ruled out").
    """

    FORWARD = "FORWARD"
    BACKWARD = "BACKWARD"
    BIDIRECTIONAL = "BIDIRECTIONAL"
    TERMINATE = "TERMINATE"
    PSEUDO = "PSEUDO"


CATEGORY_ASSERTION: dict[Category, Assertion] = {
    Category.NEGATED_EXISTENCE: Assertion.NEGATED,
    Category.POSSIBLE_EXISTENCE: Assertion.UNCERTAIN,
    Category.HISTORICAL: Assertion.HISTORICAL,
    Category.HYPOTHETICAL: Assertion.HYPOTHETICAL,
    Category.FAMILY: Assertion.FAMILY,
}
"""The assertion each modifying category sets."""

PRECEDENCE: tuple[Category, ...] = (
    Category.NEGATED_EXISTENCE,
    Category.FAMILY,
    Category.HYPOTHETICAL,
    Category.POSSIBLE_EXISTENCE,
    Category.HISTORICAL,
)
"""Tie-break between triggers equally near a mention: earlier wins."""

_RANK = {category: rank for rank, category in enumerate(PRECEDENCE)}

_ABOUT_A_TOLD_FINDING = frozenset({Category.NEGATED_EXISTENCE, Category.POSSIBLE_EXISTENCE})
"""Categories of the triggers reaching forward that speak of something about a finding told
before and named again after them ("did not detect perfusion into the tumor", "we presumed that
the tumor invaded", "EBER was not detected in the granulomas"), not of the finding
(``_MentionContext.named_again``)."""

_GOVERNING = frozenset({"of", "for"})

_LIST_ITEM_BEFORE = re.compile(r"(?:,|\b(?:or|and|nor))\s*(?:(?:any|a|an)\s+)?$", re.IGNORECASE)
"""The words before a history trigger that make it an item of the list before it ("no
photophobia, preceding trauma, or history of migraine"): a denial opening the list denies it."""

_LIST_ITEM_CHARS = 12
"""How far back from a history trigger ``_LIST_ITEM_BEFORE`` is looked for."""
"""The last word of a trigger that governs the noun phrase after it ("possibility of")."""

NEGATED_HISTORY_GAP = 2
"""Most tokens between a negation trigger and a history trigger that it negates ("denied *any*
history of", "no *prior* history of")."""


def _compiled(value: str | None) -> str | None:
    """``value`` unchanged when it is None or a regular expression that compiles.

    Raises:
        ValueError: When it does not compile (pydantic reports it as a validation error).
    """
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from exc
    return value


class ContextRule(BaseModel):
    """One trigger term and what it does.

    ``literal`` is matched token by token, case-insensitively and whatever the spacing;
    ``pattern``, when given, is a regular expression matched instead, written in lower case and
    matched against the lower-cased text from a word boundary (``\\b``); a match counts only
    when it starts and ends on token boundaries. ``max_scope`` counts word tokens; ``None`` means up
    to the sentence's end. ``terminated_by`` lists categories whose triggers also end this
    trigger's scope (``TERMINATE`` triggers always do).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    literal: str = Field(min_length=1)
    pattern: str | None = None
    category: Category
    direction: Direction
    max_scope: int | None = Field(default=None, ge=1)
    allowed_types: list[EntityType] | None = None
    terminated_by: list[Category] = Field(default_factory=list)
    also_types: list[EntityType] = Field(
        default_factory=list,
        description="Further mention types the trigger modifies when the words right after "
        "the mention match ``also_when_followed_by``: 'no' denies a finding, and a test only "
        "where it 'was performed' ('No chest X-ray was performed').",
    )
    also_when_followed_by: str | None = Field(
        default=None,
        description="A regular expression (lower case) matched at the mention's end.",
    )
    object_types: list[EntityType] = Field(
        default_factory=list,
        description="Further mention types the trigger modifies only as its object: a mention "
        "starting within ``object_words`` words after it, with no punctuation between but a "
        "hyphen or slash. What one avoids or prevents was not done ('required to avoid "
        "accidental extubation', 'avoiding non-invasive ventilation'), while a procedure of "
        "the main clause after it was ('To avoid recurrence, a fundoplication was performed').",
    )
    object_words: int = Field(
        default=0, ge=0, description="Most words between the trigger and its object."
    )
    ends_scopes_of: list[Category] | None = Field(
        default=None,
        description="For a ``TERMINATE`` trigger: when set, the only categories whose scopes "
        "it ends. A clause whose subject is the patient ('and she developed') ends a relative's "
        "scope, not a negation's or a time's.",
    )
    resumes_after: list[str] = Field(
        default_factory=list,
        description="For a ``TERMINATE`` trigger that opens a finding's complement ('no "
        "worsening of', 'no improvement in'): the literals of the coordinations after it "
        "(', or', 'or any', 'or new') where the scope it stopped goes on, a further item of "
        "what is denied ('no worsening of inflammation, or new collections').",
    )
    stops_at_tests: bool = Field(
        default=False,
        description="For a ``BACKWARD`` trigger that gives a result ('were negative'): a test "
        "mention between it and a finding is what it speaks of, so the finding is out of its "
        "scope ('He had fever and cough, and blood cultures were negative').",
    )
    reaches_listed_subject: bool = Field(
        default=False,
        description="For a ``BACKWARD`` trigger with a plural verb ('were excluded'): a list "
        "told from its sentence's start, with no verb of ``predicate_words`` and no other "
        "trigger before it, is its subject, and every item is in its scope however long the "
        "list ('Subacute thyroiditis, iatrogenic thyrotoxicosis, …, and multinodular toxic "
        "goiter were excluded').",
    )
    tells_not_done: bool = Field(
        default=False,
        description="For a ``NEGATED_EXISTENCE`` trigger telling that a test or search was not "
        "done ('was not performed'): a finding named as what it looks for "
        "(``ContextRules.sought_words`` before it: 'A deliberate search for malignancy was not "
        "performed') was not looked for; it is ``uncertain``, neither denied nor present.",
    )
    outweighs_plans: bool = Field(
        default=False,
        description="For a ``NEGATED_EXISTENCE`` trigger telling a refusal ('refused', "
        "'declined to', 'but the patient declined'): an act it reaches that an offer or a plan "
        "also reaches is denied, however much nearer the offer's words: what was offered and "
        "refused was not done ('A parathyroidectomy was offered to the patient, but refused').",
    )
    lifts_suspicion: bool = Field(
        default=False,
        description="For a ``TERMINATE`` trigger that confirms ('was confirmed', 'and later "
        "proven'): a finding it reaches back to within ``max_scope`` words, suspected by a "
        "trigger told before it, is the confirmed one ('Suspected Lyme carditis was confirmed "
        "by immunohistochemistry', 'DKA was suspected and confirmed').",
    )
    governs_complement: bool = Field(
        default=False,
        description="For a ``TERMINATE`` trigger naming what a finding's causes or explanation "
        "are ('causes of', 'reason for'): a ``BACKWARD`` trigger it stops speaks of those "
        "causes, not of the finding the phrase governs, which is out of its scope ('Other "
        "causes of thrombocytopenia were ruled out'), but for examples an ``opens_examples`` "
        "phrase names after it ('causes of anemia including iron deficiency were excluded').",
    )
    opens_examples: bool = Field(
        default=False,
        description="For a ``PSEUDO`` trigger that introduces examples ('including', 'such "
        "as'): see ``governs_complement``.",
    )
    names_fetus: bool = Field(
        default=False,
        description="For a ``FAMILY`` trigger that makes the fetus or the newborn a finding's "
        "subject ('the fetus showed', 'fetal echocardiography revealed', 'fetal bradycardia', "
        "'the infant developed'): it fires only where the patient may be the mother, a woman "
        "of ``MOTHER_AGE`` years or more; in a report about the child, the fetus is the "
        "patient before birth and the newborn the patient after it.",
    )
    names_mother: bool = Field(
        default=False,
        description="For a ``FAMILY`` trigger that tells what is the mother's ('maternal'): "
        "where the report is about the patient's own pregnancy, she is the mother ('maternal "
        "tachycardia' is hers), save where a kin word follows ('maternal aunt').",
    )
    ended_only_by: list[str] | None = Field(
        default=None,
        description="When set, the literals of the only ``TERMINATE`` triggers that end this "
        "trigger's scope: a relative who is a clause's subject ('her father had X, was Y and "
        "died of Z') has every finding of the clause, through the copulas and verbs that end "
        "other scopes, up to a clause of another subject ('but', 'and she').",
    )
    ends_at_comma: bool = Field(
        default=False,
        description="For a ``FORWARD`` trigger that is a modifier of one noun phrase "
        "('previous', 'known', 'long-standing'): its scope ends at the next comma, but for a "
        "list it opens (``ContextAssertion``): 'in long-standing type 1 diabetes, celiac "
        "disease … was suspected' makes no suspected celiac disease a past one. For a "
        "``BACKWARD`` trigger that is the predicate of its subject ('could not be performed'): "
        "its scope ends at the comma before, but for a list the sentence opens with "
        "(``reaches_listed_subject``): 'requiring deeper anesthesia, the wake-up test could not "
        "be performed' denies no anesthesia.",
    )
    spares_told_findings: bool = Field(
        default=False,
        description="For a ``POSSIBLE_EXISTENCE`` trigger telling a probable cause ('likely "
        "due to the', 'probably secondary to his'): a finding the text told before (by its head "
        "word, ``ContextRules.same_thing_heads``) is the patient's already, only its link is "
        "suspected ('… vasculitis. The rash was likely secondary to his vasculitis'); a cause "
        "first told there is suspected ('probably secondary to the infection').",
    )
    ends_at_words: list[str] = Field(
        default_factory=list,
        description="For a ``FORWARD`` trigger that denies one noun phrase ('absence of', "
        "'lack of'): the words (lower case, one token each) at which its scope ends, joining "
        "what the phrase was found with: 'absence of the calvarium *with* deformed brain "
        "tissue' and 'lack of ingrowth *with* varus migration' tell the brain tissue and the "
        "migration seen.",
    )

    @field_validator("pattern", "also_when_followed_by")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return _compiled(value)

    @field_validator("literal")
    @classmethod
    def _has_tokens(cls, value: str) -> str:
        if not TOKEN.search(value):
            raise ValueError("literal holds no token")
        return value

    @model_validator(mode="after")
    def _direction_fits_category(self) -> Self:
        if self.category is Category.PSEUDO and self.direction is not Direction.PSEUDO:
            raise ValueError("a PSEUDO trigger must have direction PSEUDO")
        if self.direction is Direction.PSEUDO and self.category is not Category.PSEUDO:
            raise ValueError("direction PSEUDO is for PSEUDO triggers only")
        if self.category is Category.TERMINATE:
            if self.direction not in (Direction.TERMINATE, Direction.FORWARD, Direction.BACKWARD):
                raise ValueError(
                    "a TERMINATE trigger must have direction TERMINATE, FORWARD or BACKWARD"
                )
        elif self.direction is Direction.TERMINATE:
            raise ValueError("direction TERMINATE is for TERMINATE triggers only")
        if self.resumes_after and self.category is not Category.TERMINATE:
            raise ValueError("resumes_after is for TERMINATE triggers only")
        if self.ends_scopes_of is not None and self.category is not Category.TERMINATE:
            raise ValueError("ends_scopes_of is for TERMINATE triggers only")
        if self.tells_not_done and self.category is not Category.NEGATED_EXISTENCE:
            raise ValueError("tells_not_done is for NEGATED_EXISTENCE triggers only")
        if self.outweighs_plans and self.category is not Category.NEGATED_EXISTENCE:
            raise ValueError("outweighs_plans is for NEGATED_EXISTENCE triggers only")
        if self.lifts_suspicion and self.category is not Category.TERMINATE:
            raise ValueError("lifts_suspicion is for TERMINATE triggers only")
        if self.governs_complement and self.category is not Category.TERMINATE:
            raise ValueError("governs_complement is for TERMINATE triggers only")
        if self.opens_examples and self.category is not Category.PSEUDO:
            raise ValueError("opens_examples is for PSEUDO triggers only")
        if self.spares_told_findings and self.category is not Category.POSSIBLE_EXISTENCE:
            raise ValueError("spares_told_findings is for POSSIBLE_EXISTENCE triggers only")
        if self.names_fetus and self.category is not Category.FAMILY:
            raise ValueError("names_fetus is for FAMILY triggers only")
        if self.names_mother and self.category is not Category.FAMILY:
            raise ValueError("names_mother is for FAMILY triggers only")
        if bool(self.also_types) != (self.also_when_followed_by is not None):
            raise ValueError("also_types and also_when_followed_by go together")
        if self.object_types and self.direction is not Direction.FORWARD:
            raise ValueError("object_types is for FORWARD triggers only")
        if self.ends_at_comma and self.direction is Direction.BIDIRECTIONAL:
            raise ValueError("ends_at_comma is for FORWARD or BACKWARD triggers only")
        if self.ends_at_words and self.direction is not Direction.FORWARD:
            raise ValueError("ends_at_words is for FORWARD triggers only")
        return self


class ContextRules(BaseModel):
    """The rule file: a version and one rule per trigger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    rules: list[ContextRule]
    clause_openers: list[str] = Field(
        default_factory=list,
        description="Words that open a sentence with a subordinate clause ('Although there "
        "was no fever, the patient had chills'): the comma closing the clause (its first "
        "comma that no list goes on after) ends every scope that runs through it, forward "
        "or back ('After the infection was treated by antibiotics, we removed the mass').",
    )
    test_words: str | None = Field(
        default=None,
        description="A regular expression (lower case) matched at a mention's end: the words "
        "of a test that looks for what the mention names ('tuberculosis *polymerase chain "
        "reaction*', 'HIV *serology*'). A disease named as what a test looks for is no finding "
        "until the test's result says so: such a mention is ``uncertain`` unless a trigger "
        "reaches it ('… came back negative').",
    )
    sought_words: str | None = Field(
        default=None,
        description="A regular expression (lower case) matched at the end of the words before "
        "a finding: a test or search that looks for it ('genetic *testing for*', 'a deliberate "
        "*search for* a'), whose not being done (``ContextRule.tells_not_done``) leaves the "
        "finding unknown.",
    )
    test_positive_words: str | None = Field(
        default=None,
        description="A regular expression (lower case) matched at a mention's end: a test "
        "that finds the agent itself and its positive result ('SARS-CoV-2 *RT-PCR was "
        "positive*', 'HBV *DNA was detected*'), which tells the disease ``test_words`` left "
        "unknown; an antibody's is left so, a past exposure or an immunity as well.",
    )
    test_target_types: list[EntityType] = Field(
        default_factory=list, description="The mention types ``test_words`` applies to."
    )
    test_list_words: str | None = Field(
        default=None,
        description="A regular expression (lower case) matched at the end of the words before "
        "an open bracket: a test whose bracket lists what it looks for ('Viral *markers* (HAV, "
        "HBV, HCV, ...)'). A disease listed there is, like one ``test_words`` follow, no "
        "finding until a result says so.",
    )
    same_thing_heads: list[list[str]] = Field(
        default_factory=list,
        description="Head words that name one thing told again ('a giant liver cancer' … "
        "'a 15-cm mass' … 'not infiltrated by the tumor'): a finding named again as 'the …' "
        "with any of them is one told before (``ContextAssertion``).",
    )
    predicate_words: list[str] = Field(
        default_factory=list,
        description="Verbs that, told before a finding in its sentence, make it what they "
        "say ('he *had* fever and cough'): a result told after a test later in the sentence "
        "('and blood cultures were negative') is not the finding's (``stops_at_tests``).",
    )

    @field_validator("test_words", "test_list_words", "sought_words", "test_positive_words")
    @classmethod
    def _test_words_compile(cls, value: str | None) -> str | None:
        return _compiled(value)

    @model_validator(mode="after")
    def _one_rule_per_trigger(self) -> Self:
        seen: set[tuple[str, str | None]] = set()
        for rule in self.rules:
            key = (" ".join(TOKEN.findall(rule.literal.lower())), rule.pattern)
            if key in seen:
                raise ValueError(f"trigger {rule.literal!r} has more than one rule")
            seen.add(key)
        return self


_SENTENCE_ENDS = frozenset({".", "!", "?", ";", ":"})
"""Tokens after which a word opens a sentence or a clause of its own."""

_LIST_WORDS = frozenset({"and", "or"})
"""Words that close a list: the comma before them is the list's, not a clause's."""

_LIST_ITEM_WORDS = 5
"""The most words between two commas of a list that read as one of its items."""


def _opens_examples(words: Sequence[str]) -> bool:
    """Whether ``words`` (lower-cased) open a list of examples ("such as", "including") that no
    "and" or "or" has closed yet ("diseases such as tuberculosis", not "therapy including
    erlotinib and bevacizumab")."""
    for number, word in enumerate(words):
        if word == "including" or (word == "such" and words[number + 1 : number + 2] == ["as"]):
            return not _LIST_WORDS.intersection(words[number:])
    return False


_PHRASE_JOINERS = frozenset({"-", "/"})
"""Tokens that join the words of one noun phrase (``_Reading.in_phrase``)."""

_PHRASE_ENDS = frozenset(
    {"during", "after", "before", "while", "until", "when", "with", "by", "in", "on", "at", "from"}
    | {"because", "due", "but", "we", "he", "she", "they", "was", "were", "is", "are"}
)
"""Words that end a noun phrase: what follows a preposition of time, place or means ("to avoid
any flare-ups during chemotherapy"), a new clause or its subject is no part of it."""

_AFTER_HEAD = frozenset({"of", "for", "to", "and", "or", "as"})
"""Words that join a phrase to the head word before them (``_Reading.after_head``)."""

_SENTENCE_ADVERB = re.compile(
    r"[a-z]+ly|however|then|thus|therefore|later|moreover|furthermore|also|again|meanwhile",
    re.IGNORECASE,
)
"""A word that may open a sentence before its subordinate clause ("Unfortunately, due to …,")."""

_QUALIFIED_WITH = frozenset(
    {
        "associated",
        "association",
        "consistent",
        "compatible",
        "involved",
        "involvement",
        "contact",
        "therapy",
        "treatment",
        "treated",
        "infection",
        "infected",
        "communication",
        "connection",
    }
)
"""Words before a "with" that takes what the denied thing is of or by ("lack of symptoms
*associated* with viral disease", "without preemptive *therapy* with antiviral drugs", "without
*contact* with animals"): the thing after it is denied with it, not something found beside it
(``ContextRule.ends_at_words``)."""

_MID_OPENERS = frozenset({"as", "since", "because", "although", "though", "whereas", "while"})
"""Clause openers that open a subordinate clause after a comma too, where its subject follows
(``_CLAUSE_SUBJECTS``): "as" in ", as there was no …," but not in ", as well as"."""

_CLAUSE_SUBJECTS = frozenset(
    {"there", "he", "she", "it", "they", "we", "the", "his", "her", "this", "these", "our", "no"}
)
"""Words that open a clause's subject right after its conjunction."""

_CLAUSE_END = ContextRule(literal=",", category=Category.TERMINATE, direction=Direction.TERMINATE)
"""The comma closing a sentence-opening subordinate clause (``ContextRules.clause_openers``)."""


@dataclass(frozen=True, slots=True)
class _Match:
    """A trigger found in the text: token range ``[start, end)`` and its rule."""

    start: int
    end: int
    rule: ContextRule


@dataclass(frozen=True, slots=True)
class _Scoped:
    """A modifying trigger with the token range ``[start, end)`` it reaches."""

    match: _Match
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Reading:
    """One text's tokens and the triggers found in it."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]
    is_word: list[bool]
    matches: list[_Match]
    match_starts: list[int]
    in_phrase: list[bool]
    """Whether each token may lie inside a noun phrase: a word but those of ``_PHRASE_ENDS``,
    a hyphen or a slash ("non-invasive ventilation"; ``ContextRule.object_types``)."""
    after_head: list[bool]
    """Whether a noun phrase's head word may stand right before each token: one outside a
    phrase, or a word that joins another phrase to it ("avoid transsection of the ligament";
    not "to prevent any TPN complications", whose head is the complications)."""
    counted: list[bool]
    """Whether each token counts towards a scope's ``max_scope``: a word, unless it spells out
    the short form right before its bracket ("HIV (human immunodeficiency virus) and HCV
    (hepatitis C virus) RT-PCR were negative"): the long form restates that one word."""
    asides: list[tuple[int, int]]
    """For each token, the tokens of the round bracket's opening and closing that enclose it
    (``(-1, -1)`` outside any closed pair): a trigger told in an aside speaks of the aside
    (``_scopes``)."""
    commas: list[bool]
    """Whether each token is a comma (``ContextRule.ends_at_comma``)."""
    lowered: list[str]
    """Each token, lower-cased (``ContextRule.ends_at_words``)."""


class _Triggers:
    """The trigger matcher of one rule set, remembering the last text it read.

    The pipeline asks ConText about the same text several times (the assertion component,
    then the coders' temporary mentions); the tokens and triggers of a text do not change.
    """

    def __init__(self, rules: ContextRules) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], ContextRule]]] = {}
        self._patterns: list[tuple[re.Pattern[str], re.Pattern[str], ContextRule]] = []
        for rule in rules.rules:
            if rule.pattern is not None:
                anchored = rf"\b(?:{rule.pattern})"
                self._patterns.append(
                    (re.compile(anchored), re.compile(anchored, re.IGNORECASE), rule)
                )
            else:
                words = tuple(TOKEN.findall(rule.literal.lower()))
                self._by_first.setdefault(words[0], []).append((words, rule))
        # One scan of the lower-cased text marks where any pattern may match; each pattern is
        # then tried only there (``casebook.nlp.patterns``): the same matches, one pass.
        bodies = [rule.pattern for rule in rules.rules if rule.pattern is not None]
        self._pattern_starts = start_finder(r"\b", bodies) if bodies else None
        self._pattern_firsts = FirstCharacters(bodies)
        self._openers = frozenset(word.lower() for word in rules.clause_openers)
        self.allowed: dict[int, frozenset[EntityType]] = {
            id(rule): frozenset(rule.allowed_types) if rule.allowed_types else EVENT_TYPES
            for rule in rules.rules
        }
        """The mention types each rule (by ``id``) may modify."""
        self.also: dict[int, tuple[frozenset[EntityType], re.Pattern[str]]] = {
            id(rule): (frozenset(rule.also_types), re.compile(rule.also_when_followed_by))
            for rule in rules.rules
            if rule.also_when_followed_by is not None
        }
        """The further types each rule (by ``id``) modifies, and the words that must follow."""
        self._last: _Reading | None = None

    def read(self, text: str) -> _Reading:
        """The tokens and triggers of ``text``."""
        last = self._last
        if last is not None and last.text == text:
            return last
        tokens = tokenize(text)
        starts, ends, words = tokens.starts, tokens.ends, tokens.words
        is_word = [word[0].isalnum() or word[0] == "_" for word in words]
        matches = self._matches(text, words, starts, ends)
        in_phrase = [
            (word and token not in _PHRASE_ENDS) or token in _PHRASE_JOINERS
            for word, token in zip(is_word, words, strict=True)
        ]
        if self._openers:
            matches = sorted(
                [*matches, *self._clause_ends(text, words, starts, ends)], key=lambda m: m.start
            )
        reading = _Reading(
            text,
            starts,
            ends,
            is_word,
            matches,
            [m.start for m in matches],
            in_phrase,
            [
                not inside or token in _AFTER_HEAD
                for inside, token in zip(in_phrase, words, strict=True)
            ],
            _counted(text, starts, words, is_word),
            _asides(words),
            [word == "," for word in words],
            [word.lower() for word in words],
        )
        self._last = reading
        return reading

    def _clause_ends(
        self, text: str, words: Sequence[str], starts: Sequence[int], ends: Sequence[int]
    ) -> list[_Match]:
        """A terminating match at the comma closing each sentence-opening subordinate clause
        (``ContextRules.clause_openers``): "no" in "Although there was no fever," reaches no
        further; so at the comma closing one a comma and its subject open mid-sentence
        (``_MID_OPENERS``: "…, and as there was no history of therapy, rifampicin was
        advised")."""
        found: list[_Match] = []

        def opens_at(index: int) -> bool:
            return (
                index == 0
                or words[index - 1] in _SENTENCE_ENDS
                or "\n" in text[ends[index - 1] : starts[index]]
            )

        def opens_after_comma(index: int) -> bool:
            """Whether a conjunction after a comma (", and") opens a clause with its subject:
            "…, and as there was no past history of therapy, a combination … was advised"."""
            before = index - 1 if index and words[index - 1].lower() == "and" else index
            return (
                before > 0
                and words[before - 1] == ","
                and words[index].lower() in _MID_OPENERS
                and index + 1 < len(words)
                and words[index + 1].lower() in _CLAUSE_SUBJECTS
            )

        for index, word in enumerate(words):
            if word.lower() not in self._openers:
                continue
            # "Unfortunately, due to complete omentectomy, …": a sentence adverb and its comma
            # may come first.
            if (
                not opens_at(index)
                and not (
                    index >= 2
                    and words[index - 1] == ","
                    and _SENTENCE_ADVERB.fullmatch(words[index - 2])
                    and opens_at(index - 2)
                )
                and not opens_after_comma(index)
            ):
                continue
            commas = []
            for after in range(index + 1, len(words)):
                if words[after] in _SENTENCE_ENDS:
                    break
                if words[after] == ",":
                    commas.append(after)
            # A comma inside a list ("included X, Y and Z, the rash …") is followed, before the
            # next comma, by the list's "and" or "or", or by items of a list that "and" or "or"
            # closes ("no symptoms, such as cough, fever, or lethargy, …") or that examples open
            # before its first comma ("After ruling out diseases such as tuberculosis, lymphoma,
            # sarcoidosis, the …"): the clause ends at a later one.
            in_list = bool(commas) and _opens_examples(
                [w.lower() for w in words[index + 1 : commas[0]]]
            )
            ends_at = None
            for number in range(len(commas) - 2, -1, -1):
                between = [w.lower() for w in words[commas[number] + 1 : commas[number + 1]]]
                closes = bool(_LIST_WORDS.intersection(between))
                item = len(between) <= _LIST_ITEM_WORDS and not _PHRASE_ENDS.intersection(between)
                # The list's last item may run on past it ("no injury, fever, or facial swelling
                # and the fact that …,"): a run opened by "and" or "or" still closes the list.
                opens_last = bool(between) and between[0] in _LIST_WORDS
                in_list = (item or opens_last) and (closes or in_list)
                if not (closes or in_list):
                    ends_at = number
            if commas:
                comma = commas[len(commas) - 1 if ends_at is None else ends_at]
                found.append(_Match(comma, comma + 1, _CLAUSE_END))
        return found

    def _matches(
        self, text: str, words: Sequence[str], starts: Sequence[int], ends: Sequence[int]
    ) -> list[_Match]:
        """Every trigger in the text, longest first where they overlap, in text order."""
        found: list[_Match] = []
        by_first = self._by_first
        size = len(words)
        for index in [i for i, word in enumerate(words) if word in by_first]:
            for phrase, rule in by_first[words[index]]:
                stop = index + len(phrase)
                if stop <= size and tuple(words[index:stop]) == phrase:
                    found.append(_Match(index, stop, rule))
        if self._patterns:
            lowered = text.lower()
            plain = len(lowered) == len(text)
            places = (
                [m.start() for m in self._pattern_starts.finditer(lowered)]
                if plain and self._pattern_starts is not None
                else None
            )
            each = None if places is None else self._pattern_firsts.split(lowered, places)
            for number, (fast, folding, rule) in enumerate(self._patterns):
                if each is not None:
                    hits = finditer_from(fast, lowered, 0, len(lowered), each[number])
                else:
                    hits = list((fast if plain else folding).finditer(lowered if plain else text))
                for hit in hits:
                    # Only a hit from a token's start to a token's end counts.
                    first = bisect_left(starts, hit.start())
                    last = bisect_left(ends, hit.end())
                    if (
                        first <= last < size
                        and starts[first] == hit.start()
                        and ends[last] == hit.end()
                    ):
                        found.append(_Match(first, last + 1, rule))
        found.sort(key=lambda m: (m.start - m.end, m.start))
        taken = bytearray(size)
        kept: list[_Match] = []
        by_span: dict[tuple[int, int], list[_Match]] = {}
        for match in found:
            span = (match.start, match.end)
            if not any(taken[match.start : match.end]) or self._shares_span(
                match, by_span.get(span, ())
            ):
                taken[match.start : match.end] = b"\x01" * (match.end - match.start)
                kept.append(match)
                by_span.setdefault(span, []).append(match)
        kept.sort(key=lambda m: m.start)
        return kept

    def _shares_span(self, match: _Match, others: Sequence[_Match]) -> bool:
        """Whether ``match`` is kept beside the triggers of the same words (``others``): one
        trigger may say one thing of some mention types and another of the rest ("surgery *was
        suggested*" is planned, "venulitis *was suggested*" suspected), each rule modifying
        types the others do not."""
        modifying = (Category.PSEUDO, Category.TERMINATE)
        return (
            bool(others)
            and match.rule.category not in modifying
            and all(
                other.rule.category not in modifying
                and not self.allowed[id(other.rule)] & self.allowed[id(match.rule)]
                for other in others
            )
        )


@cache
def _triggers_for(rules_json: str) -> _Triggers:
    """One matcher per distinct rule set, shared by every ``ContextAssertion`` using it."""
    return _Triggers(ContextRules.model_validate_json(rules_json))


DENIED_SUSPICION_GAP = 8
"""Most tokens between a denial and a suspicion word it holds ("no fever or any further
symptom suggestive of")."""

FINDING_TYPES = frozenset({EntityType.SIGN_SYMPTOM, EntityType.DISEASE_DISORDER})
"""Mention types of findings: those a definite article can name again as already told
(``_assert``) and those told as alternatives (``_alternatives``)."""

NAMED_IN_FINDINGS = frozenset({EntityType.DIAGNOSTIC_PROCEDURE, EntityType.LAB_VALUE})
"""Types of the test and result words a finding's name may hold ("raised intracranial
pressure")."""

INHERITED = frozenset({Assertion.NEGATED, Assertion.UNCERTAIN, Assertion.HYPOTHETICAL})
"""Assertions of a finding its nested test and result words share."""


def _inherited(
    targets: Sequence[Mention], found: Sequence[Assertion | None]
) -> list[Assertion | None]:
    """``found`` with the test and result mentions overlapping a longer denied, suspected or
    hypothetical finding mention given its assertion: in "no signs of raised intracranial
    pressure" neither a measured pressure nor a raised result is the patient's."""
    findings = [
        (m.start, m.end, assertion)
        for m, assertion in zip(targets, found, strict=True)
        if m.type in FINDING_TYPES and assertion in INHERITED
    ]
    if not findings:
        return list(found)
    return [
        next(
            (
                outer
                for start, end, outer in findings
                if start < m.end and m.start < end and end - start > m.end - m.start
            ),
            assertion,
        )
        if m.type in NAMED_IN_FINDINGS
        else assertion
        for m, assertion in zip(targets, found, strict=True)
    ]


class ContextAssertion:
    """Sets ``Mention.assertion`` from ConText triggers, their scopes and the section.

    Args:
        rules: A packaged rule file name or a path to one's own rule file.

    Raises:
        CasebookError: ``CB-E012`` when the rule file is missing or breaks its schema.
    """

    name = "assertion"
    requires: frozenset[str] = frozenset({"text", "sentences", "sections", "mentions"})
    assigns: frozenset[str] = frozenset({"mentions.assertion"})

    def __init__(self, rules: str | Path = "context_rules.json") -> None:
        self.rules = load_rules(rules, ContextRules)
        self._triggers = _triggers_for(self.rules.model_dump_json())
        self._test_words = (
            re.compile(self.rules.test_words) if self.rules.test_words is not None else None
        )
        self._test_targets = frozenset(self.rules.test_target_types)
        self._test_positive = (
            re.compile(self.rules.test_positive_words)
            if self.rules.test_positive_words is not None
            else None
        )
        self._sought = (
            re.compile(rf"(?:{self.rules.sought_words})$")
            if self.rules.sought_words is not None
            else None
        )
        self._test_list = (
            re.compile(rf"(?:{self.rules.test_list_words})\s*$")
            if self.rules.test_list_words is not None
            else None
        )
        self._same_thing = {
            word: group[0] for group in self.rules.same_thing_heads for word in group
        }
        self._predicate = (
            re.compile(
                rf"\b(?:{'|'.join(map(re.escape, self.rules.predicate_words))})\b", re.IGNORECASE
            )
            if self.rules.predicate_words
            else None
        )

    def __call__(self, case: Case) -> Case:
        """Set the assertion of every clinical-event mention of ``case``."""
        targets = [m for m in case.mentions if m.type in EVENT_TYPES]
        if not targets:
            return case
        found = _alternatives(
            case.text,
            targets,
            _inherited(
                targets, self._assertions(case, [(m.start, m.end, m.type) for m in targets])
            ),
        )
        updated = {
            m.id: assertion
            for m, assertion in zip(targets, found, strict=True)
            if assertion is not None and assertion is not m.assertion
        }
        if not updated:
            return case
        mentions = [
            m.model_copy(update={"assertion": updated[m.id]}) if m.id in updated else m
            for m in case.mentions
        ]
        return case.model_copy(update={"mentions": mentions})

    def assert_spans(
        self, case: Case, spans: Sequence[tuple[int, int]], kind: EntityType
    ) -> list[Assertion]:
        """The assertion each span would get as a new mention of type ``kind``.

        The same as adding a ``kind`` mention per span to a copy of ``case`` holding no other
        mentions and calling this component, without building the mentions: the coders use it
        for the temporary mentions of their text matches.
        """
        if kind not in EVENT_TYPES:
            return [Assertion.PRESENT] * len(spans)
        found = self._assertions(case, [(start, end, kind) for start, end in spans])
        return [Assertion.PRESENT if a is None else a for a in found]

    def _assertions(
        self, case: Case, targets: Sequence[tuple[int, int, EntityType]]
    ) -> list[Assertion | None]:
        """The assertion of each ``(start, end, type)``; ``None`` for one that holds no token."""
        text = case.text
        reading = self._triggers.read(text)
        starts, ends, matches = reading.starts, reading.ends, reading.matches
        context = _MentionContext(case, starts, ends, self._same_thing)
        mother = _may_be_mother(case)
        mother_is_patient = mother and _CHILD.search(_opening(case)) is None
        pregnant = mother_is_patient and _PREGNANCY.search(text) is not None
        kin = _patients_kin(case)
        segments = _segments(case.sentences, len(text))
        finding_ends = {m.end for m in case.mentions if m.type in FINDING_TYPES}
        acts = _acts_after_findings(text, case.mentions)
        scoped_cache: dict[int, list[_Scoped]] = {}
        result: list[Assertion | None] = []
        for start, end, kind in targets:
            first = bisect_right(ends, start)
            last = bisect_left(starts, end)
            if first >= last:
                result.append(None)
                continue
            segment = _segment_of(segments, start)
            seg_start = bisect_left(starts, segment.start)
            key = seg_start
            if key not in scoped_cache:
                seg_end = bisect_left(starts, segment.end)
                low = bisect_left(reading.match_starts, seg_start)
                high = bisect_left(reading.match_starts, seg_end)
                told = [
                    m
                    for m in matches[low:high]
                    if (mother or not m.rule.names_fetus)
                    and not (mother_is_patient and _names_the_mother(text, starts, ends, m))
                    and not (pregnant and _names_the_pregnant_patient(text, ends, m))
                    and not (kin and _names_the_patients_kin(text, starts, ends, m, kin))
                    and not (not mother and _names_the_twins(text, starts, ends, m))
                ]
                scoped_cache[key] = self._listed_objects(
                    text,
                    (starts, ends),
                    (segment.end, seg_end),
                    told,
                    self._listed_subjects(
                        text,
                        segment.start,
                        starts,
                        seg_start,
                        told,
                        _scopes(
                            told,
                            seg_start,
                            seg_end,
                            reading.counted,
                            reading.in_phrase,
                            reading.asides,
                            reading.commas,
                            reading.lowered,
                        ),
                    ),
                )
            default = _section_default(case.sections, start)
            hyphened = {
                token
                for token in range(first + 1, last)
                if text[starts[token] - 1] == "-" and text[starts[token] - 2].isalnum()
            }
            after = text[end : end + _FOLLOWING_CHARS].lower()
            lowered = reading.lowered
            joined_verb = (
                last + 1
                if last - first == 1
                and _PAST_PARTICIPLE.fullmatch(lowered[first])
                and last + 1 < len(lowered)
                and lowered[last] == "and"
                else None
            )
            scoped = scoped_cache[key]
            reaching = [s.match.rule for s in scoped if s.start < last and first < s.end]
            tests: Sequence[tuple[int, int]] = ()
            if any(rule.stops_at_tests for rule in reaching) and self._predicated(
                text, context.since(segment.start, start), start
            ):
                tests = context.tests
            named_again = None
            if kind in FINDING_TYPES and any(
                rule.category in _ABOUT_A_TOLD_FINDING and rule.direction is not Direction.BACKWARD
                for rule in reaching
            ):
                named_again = context.named_again(start, end)
            told_before = (
                kind in FINDING_TYPES
                and any(rule.spares_told_findings for rule in reaching)
                and context.told_before(start, end)
            )
            listed_histories = {
                s.match.start
                for s in scoped
                if s.match.rule.category is Category.HISTORICAL
                and _LIST_ITEM_BEFORE.search(
                    text, max(0, starts[s.match.start] - _LIST_ITEM_CHARS), starts[s.match.start]
                )
            }
            subject_histories = {
                s.match.start
                for s in scoped
                if s.match.rule.category is Category.HISTORICAL
                and not self._predicated(text, segment.start, starts[s.match.start])
            }
            found = self._assert(
                kind,
                first,
                last,
                scoped,
                default,
                hyphened,
                after,
                tests,
                named_again=named_again,
                is_word=reading.is_word,
                in_phrase=reading.in_phrase,
                after_head=reading.after_head,
                listed_histories=listed_histories,
                subject_histories=subject_histories,
                complement=_complement_of_finding(text, start, finding_ends, acts),
                sought=self._sought_finding(text, segment.start, start, kind),
                told_before=told_before,
                joined_verb=joined_verb,
            )
            if found is Assertion.PRESENT and self._listed_by_test(
                text, segment.start, start, kind
            ):
                found = Assertion.UNCERTAIN
            result.append(found)
        denied = denied_rows(text)
        if denied:
            # A table row whose cells deny its feature is read after the prose rules, which
            # know no cells.
            result = [
                Assertion.NEGATED if found is not None and within(denied, start, end) else found
                for found, (start, end, _) in zip(result, targets, strict=True)
            ]
        return result

    def _listed_subjects(
        self,
        text: str,
        since: int,
        starts: Sequence[int],
        seg_start: int,
        told: Sequence[_Match],
        scoped: list[_Scoped],
    ) -> list[_Scoped]:
        """``scoped`` with each ``reaches_listed_subject`` trigger reaching back to its
        sentence's start (token ``seg_start``, character ``since``) where the words before it
        are a list of short items and nothing else (``_is_a_list``): no verb of
        ``predicate_words``, no other trigger of the sentence's (``told``)."""
        widened: list[_Scoped] = []
        for scope in scoped:
            rule, match = scope.match.rule, scope.match
            subject = text[since : starts[match.start]]
            if (
                rule.reaches_listed_subject
                and scope.start > seg_start
                and _is_a_list(subject)
                and not (self._predicate and self._predicate.search(subject))
                and not any(
                    other.start < match.start and not other.rule.opens_examples for other in told
                )
            ):
                scope = _Scoped(match, seg_start, scope.end)
            widened.append(scope)
        return widened

    def _listed_objects(
        self,
        text: str,
        tokens: tuple[Sequence[int], Sequence[int]],
        segment_end: tuple[int, int],
        told: Sequence[_Match],
        scoped: list[_Scoped],
    ) -> list[_Scoped]:
        """``scoped`` with each forward trigger of limited reach reaching to the end of the
        list it opens ("the absence of cough, shortness of breath, lower urinary tract
        symptoms, fever, diarrhoea, or abdominal pain"): short items up to the clause's end,
        the last one after "and" or "or", no verb of ``predicate_words`` and no other trigger
        among them. ``tokens`` are the tokens' start and end characters, ``segment_end`` the
        sentence's end character and token."""
        starts, ends = tokens
        end_char, end_token = segment_end
        widened: list[_Scoped] = []
        for scope in scoped:
            rule, match = scope.match.rule, scope.match
            if (
                rule.direction is Direction.FORWARD
                and rule.max_scope is not None
                and match.end < scope.end < end_token
                # A scope ended where what was found with the denied thing is told ends there.
                and text[starts[scope.end] : ends[scope.end]].lower() not in rule.ends_at_words
            ):
                begin = ends[match.end - 1]
                stop = _clause_end(text, begin, end_char)
                listed = text[begin:stop]
                last = bisect_left(starts, stop)
                if (
                    _ends_a_list(listed)
                    and not (self._predicate and self._predicate.search(listed))
                    and not any(match.end <= other.start < last for other in told)
                ):
                    scope = _Scoped(match, scope.start, max(scope.end, last))
            widened.append(scope)
        return widened

    def _listed_by_test(self, text: str, since: int, start: int, kind: EntityType) -> bool:
        """Whether a disease lies in a bracket, still open, that a test's words open ("Viral
        markers (HAV, HBV, HCV, ...)", ``test_list_words``): what the test looks for."""
        if self._test_list is None or kind not in self._test_targets:
            return False
        bracket = text.rfind("(", since, start)
        if bracket < 0 or ")" in text[bracket:start]:
            return False
        return self._test_list.search(text[max(since, bracket - 40) : bracket].lower()) is not None

    def _sought_finding(self, text: str, since: int, start: int, kind: EntityType) -> bool:
        """Whether a finding starting at ``start`` is what a test or search told before it in
        its sentence (from ``since``) looks for (``sought_words``)."""
        return (
            self._sought is not None
            and kind in FINDING_TYPES
            and self._sought.search(text[max(since, start - _SOUGHT_CHARS) : start].lower())
            is not None
        )

    def _predicated(self, text: str, since: int, start: int) -> bool:
        """Whether a verb of ``predicate_words`` lies in ``text[since:start]``: only a finding a
        verb before it already predicates (since its sentence's start or the test before it) is
        left out of a later result by a test between them; a list of findings and tests shares
        its result ("HIV and hepatitis B serologies were negative", "ESR was 90 mm/hr and
        rheumatoid factor, ANA … were normal")."""
        return (
            self._predicate is not None and self._predicate.search(text, since, start) is not None
        )

    def _assert(
        self,
        kind: EntityType,
        first: int,
        last: int,
        scoped: Iterable[_Scoped],
        default: Assertion,
        hyphened: Collection[int] = (),
        after: str = "",
        tests: Sequence[tuple[int, int]] = (),
        *,
        named_again: int | None = None,
        is_word: Sequence[bool] = (),
        in_phrase: Sequence[bool] = (),
        after_head: Sequence[bool] = (),
        listed_histories: Collection[int] = (),
        subject_histories: Collection[int] = (),
        complement: tuple[bool, bool] = (False, False),
        sought: bool = False,
        told_before: bool = False,
        joined_verb: int | None = None,
    ) -> Assertion:
        """The assertion of a mention of type ``kind`` covering tokens ``[first, last)``, of
        whose tokens those in ``hyphened`` are joined to the word before them by a hyphen, and
        followed by the lower-cased text ``after``; ``tests`` are the token ranges of the
        case's test mentions (``ContextRule.stops_at_tests``), ``listed_histories`` the first
        tokens of history triggers told as an item of a list (``_LIST_ITEM_BEFORE``),
        ``subject_histories`` those of history triggers no verb comes before in their sentence
        (``predicate_words``): the subject a later verb speaks of. A finding
        the text names again as "the …" after telling it (``named_again``: the article's token)
        is denied by no trigger reaching forward with words between them: those words are what is
        denied, something about the finding ("did not detect blood perfusion into the tumor",
        "no communication between the cyst and the bile duct"); "resolution of the diplopia"
        still denies it. A ``complement`` of a finding (``_complement_of_finding``: whether it
        is one, and whether it is a procedure or drug the finding followed) is denied by no
        backward trigger after it, and such a procedure or drug by no forward one before it:
        those deny the finding it completes ("invasion by the tumor", "no problems with
        surgery"). A finding ``sought`` by a test or search is ``uncertain`` where the nearest
        trigger tells that the test was not done (``ContextRule.tells_not_done``). A finding
        ``told_before`` in the text is suspected by no ``spares_told_findings`` trigger. A
        mention that is one verb joined by "and" to a trigger starting at token ``joined_verb``
        ("dissected and removed", "tapered and discontinued") is another act of the trigger's
        subject, which no trigger after it speaks of."""
        of_finding, act = complement
        best: tuple[int, int, Category] | None = None
        nearest: _Match | None = None
        histories: list[_Match] = []
        relatives: list[_Match] = []
        negations: list[_Match] = []
        confirmations: list[_Match] = []
        family = False
        for scope in scoped:
            match = scope.match
            if match.rule.lifts_suspicion:
                if scope.start < last and first < scope.end:
                    confirmations.append(match)
                continue
            if (
                first <= match.start
                and match.end <= last
                and not (
                    # A backward trigger hyphened to the end of the mention still reaches the words
                    # before it: "symptom-free", "disease-free" are no symptom and no disease; so
                    # does one that reaches one word only, a suffix however written ("disease
                    # free").
                    (match.start in hyphened or match.rule.max_scope == 1)
                    and match.end == last
                    and match.rule.direction is Direction.BACKWARD
                )
                and not (
                    # A suspicion inside the mention governing the head after it ("possibility
                    # of", "suspicion of", "concern for") speaks of that head: the mention model
                    # took the cue in ("high possibility of lymphoma"); "graft versus host
                    # disease" is one name.
                    match.end < last
                    and match.rule.category is Category.POSSIBLE_EXISTENCE
                    and match.rule.direction is not Direction.BACKWARD
                    and match.rule.literal.rsplit(maxsplit=1)[-1].lower() in _GOVERNING
                )
                and not (
                    # A fetus's finding the mention model took "fetal" into ("fetal anemia") is
                    # the fetus's as one it left out ("fetal" "hydrops").
                    match.rule.names_fetus and match.start == first
                )
            ):
                continue
            if not (scope.start < last and first < scope.end):
                continue
            if (
                kind not in self._triggers.allowed[id(match.rule)]
                and not self._also(match.rule, kind, after)
                and not _object_of(match, kind, first, last, is_word, in_phrase, after_head)
            ):
                continue
            if (
                of_finding
                and match.rule.category is Category.NEGATED_EXISTENCE
                and (
                    (match.rule.direction is not Direction.FORWARD and match.start >= last)
                    or (
                        act
                        and match.rule.direction is not Direction.BACKWARD
                        and match.end <= first
                    )
                )
            ):
                continue
            if told_before and match.rule.spares_told_findings:
                continue
            if joined_verb == match.start and match.rule.direction is not Direction.FORWARD:
                continue
            if match.rule.stops_at_tests and any(
                last <= test_first and test_last <= match.start for test_first, test_last in tests
            ):
                continue
            if (
                named_again is not None
                and match.end < named_again
                and match.rule.category in _ABOUT_A_TOLD_FINDING
                and match.rule.direction is not Direction.BACKWARD
            ):
                continue
            category = match.rule.category
            distance = max(first - match.end, match.start - last, 0)
            candidate = (distance, _RANK[category], category)
            if best is None or candidate < best:
                best = candidate
                nearest = match
            if category is Category.HISTORICAL:
                histories.append(match)
            if category is Category.FAMILY:
                relatives.append(match)
            if category is Category.NEGATED_EXISTENCE:
                negations.append(match)
            family = family or category is Category.FAMILY
        if best is None:
            if (
                default is Assertion.PRESENT
                and kind in self._test_targets
                and self._test_words is not None
                and self._test_words.match(after)
                and not (self._test_positive is not None and self._test_positive.match(after))
            ):
                return Assertion.UNCERTAIN
            return default
        category = best[2]
        if sought and nearest is not None and nearest.rule.tells_not_done:
            return Assertion.UNCERTAIN
        if category is Category.HYPOTHETICAL and any(n.rule.outweighs_plans for n in negations):
            # "A parathyroidectomy was offered to the patient, but refused": the offer is
            # nearer, the refusal tells what came of it.
            category = Category.NEGATED_EXISTENCE
        if (
            category is Category.POSSIBLE_EXISTENCE
            and nearest is not None
            and any(confirmed.start > nearest.start for confirmed in confirmations)
        ):
            # "Suspected Lyme carditis was confirmed": the suspicion told first is lifted.
            return default
        if (
            category is Category.POSSIBLE_EXISTENCE
            and nearest is not None
            and nearest.rule.direction is Direction.FORWARD
            and any(
                n.rule.direction is Direction.FORWARD
                and 0 <= nearest.start - n.end <= DENIED_SUSPICION_GAP
                and all(is_word[n.end : nearest.start])
                for n in negations
            )
        ):
            # "No features suggestive of malignancy such as weight loss or fever": what a
            # denial holds is denied, suspicion words inside it too, where the denial runs on to
            # them in one phrase (no comma: "without contrast showed …, suggestive of hypoxic
            # injury" suspects the injury).
            category = Category.NEGATED_EXISTENCE
        if category is Category.HISTORICAL and any(
            0 <= history.start - n.end <= NEGATED_HISTORY_GAP
            or (
                n.rule.direction is Direction.FORWARD
                and n.end <= history.start
                and history.start in listed_histories
            )
            or (
                n.rule.direction is not Direction.FORWARD
                and history.start in subject_histories
                and history.end <= first
                and last <= n.start
            )
            for history in histories
            for n in negations
        ):
            # "Denied any history of fever": a history that is denied is no history, whoever's
            # it would have been ("his sister had no history of asthma"), however near another
            # cue of time ("did not have a history of infections as a child"); so is one a
            # denial after the mention reaches back over ("History of asthma, diabetes or
            # stroke was not reported").
            category = Category.NEGATED_EXISTENCE
        if category is Category.FAMILY and any(
            0 <= relative.start - n.end <= NEGATED_HISTORY_GAP
            for relative in relatives
            for n in negations
        ):
            # "Did not have any family history of dementia": a family history that is denied
            # is no relative's finding, as a denied history is no past one.
            category = Category.NEGATED_EXISTENCE
        if family and category is Category.HISTORICAL:
            # Whose finding it is does not depend on a nearer cue of time: "her sister had a
            # history of epilepsy" is the sister's.
            category = Category.FAMILY
        if default is Assertion.FAMILY and category is not Category.NEGATED_EXISTENCE:
            return default
        return CATEGORY_ASSERTION[category]

    def _also(self, rule: ContextRule, kind: EntityType, after: str) -> bool:
        """Whether ``rule`` modifies a ``kind`` mention followed by ``after`` all the same
        (``ContextRule.also_types``)."""
        also = self._triggers.also.get(id(rule))
        return also is not None and kind in also[0] and also[1].match(after) is not None


def _object_of(
    match: _Match,
    kind: EntityType,
    first: int,
    last: int,
    is_word: Sequence[bool],
    in_phrase: Sequence[bool],
    after_head: Sequence[bool],
) -> bool:
    """Whether a ``kind`` mention covering tokens ``[first, last)`` is the head of the object
    of ``match``'s trigger (``ContextRule.object_types``)."""
    rule = match.rule
    return (
        kind in rule.object_types
        and match.end <= first
        and all(in_phrase[match.end : first])
        and sum(is_word[match.end : first]) <= rule.object_words
        and (last >= len(after_head) or after_head[last])
    )


_DEFINITE = re.compile(
    r"\b(?:the|this|that|these|those)\s+"
    r"(?:(?!(?:of|in|on|at|for|with|to|from|by|and|or|the|this|that|these|those)\s)"
    r"[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
"""A definite article before a mention, at most two modifiers between ("the endobronchial
tumor"; not "the absence of ascites")."""

_DEFINITE_REACH = 60
"""How far back from a mention ``_DEFINITE`` is looked for."""


def _definite(text: str, start: int) -> int | None:
    """Where the definite article naming the mention starting at ``start`` starts, if any."""
    reach = max(0, start - _DEFINITE_REACH)
    found = _DEFINITE.search(text, reach, start)
    return found.start() if found is not None else None


def _head(text: str) -> str:
    """A mention's last word, lower-cased and without a plural s: what "the …" names again."""
    words = text.lower().split()
    word = words[-1] if words else ""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


_COMPLEMENT_BEFORE = re.compile(r"\s+(?:by|of)\s+(?:the|its|this|these|those)\s+$", re.IGNORECASE)
"""The words joining a finding to its complement, a thing told before ("invasion *by the*
tumor", "recurrence *of the* disease"): what is denied after the phrase is the finding before
them. Without an article the complement may be new and denied with it ("infiltration of
atypical cells was not observed")."""


_ACT_BEFORE = re.compile(
    r"\s+(?:with|from|after|following|during|to|towards?|of)\s+"
    r"(?:(?:the|an?|any|his|her|their|this|its)\s+)?$",
    re.IGNORECASE,
)
"""The words joining a finding to the procedure or drug it followed or came with ("problems
*with* surgery", "complications *of the* biopsy", "no response *to* steroids", "no adverse reaction
*toward* chemotherapy")."""

ACT_TYPES = frozenset(
    {
        EntityType.THERAPEUTIC_PROCEDURE,
        EntityType.DIAGNOSTIC_PROCEDURE,
        EntityType.MEDICATION,
    }
)
"""Types of what was done to the patient: a finding denied as its sequel leaves it done."""

ANCHOR_TYPES = ACT_TYPES | FINDING_TYPES | {EntityType.CLINICAL_EVENT}
"""Types of what something may be dated from ("did not return after discharge", "no signs of
healing after three weeks of negative pressure therapy", "no seizures after the stroke"): it
happened."""


_TIME_ANCHOR_BEFORE = re.compile(
    r"\b(?:after|following|since|post|during|throughout|until|at|before|by\s+the\s+time\s+of)\s+"
    r"(?:(?:the|an?|his|her|their|this|its|our)\s+)?"
    r"(?:(?!(?:withdrawal|withdrawing|discontinu\w*|cessation|stopping|ceasing|tapering|"
    r"holding|suspension|removal|refus\w*|declin\w*|without|no|not|nor|never|any)\b)"
    r"[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)
"""Words making a procedure or drug the time something is counted from ("never developed six
years *after the right Vo* thalamotomy") or the time it is told in ("no recurrence *at*
follow-up", "did not recur *during the* follow-up") or before ("did not take any medications
*before* admission"): what is denied happened, or not, then; not its stopping ("after
withdrawal of steroids"), which the denial may be of, nor a finding a denial comes between it
and ("examination after surgery revealed no deficits")."""

_POST_BEFORE = re.compile(r"\bpost-$", re.IGNORECASE)
"""A procedure or drug written as the time after it, joined by a hyphen ("did not receive
*post-*splenectomy vaccinations", "no *post-*contrast enhancement"): it was done. Only for
those: a finding after "post-" may be part of a denied one's name ("post-herpetic
neuralgia")."""

_LIST_GOES_ON = re.compile(
    r"\s*(?:,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+)(?:(?:the|an?)\s+)?$", re.IGNORECASE
)
"""The words joining an item to the list before it ("surgery *or* anesthesia")."""


def _acts_after_findings(text: str, mentions: Sequence[Mention]) -> set[int]:
    """Where the procedures and drugs start that a finding mention followed or came with, and
    those listed after them ("There were no problems with surgery or anesthesia"), and the
    procedures, drugs and clinical events that something is dated from ("after the
    thalamotomy", "did not return after discharge", "post-splenectomy")."""
    finding_ends = {m.end for m in mentions if m.type in FINDING_TYPES}
    acts = sorted((m.start, m.end, m.type) for m in mentions if m.type in ANCHOR_TYPES)
    found: set[int] = set()
    listed_ends: set[int] = set()
    for start, end, kind in acts:
        reach = max(0, start - 20)
        joined = _ACT_BEFORE.search(text, reach, start)
        listed = _LIST_GOES_ON.search(text, reach, start)
        if (
            kind in ACT_TYPES
            and (
                (joined is not None and joined.start() in finding_ends)
                or (listed is not None and listed.start() in listed_ends)
            )
        ) or (
            _TIME_ANCHOR_BEFORE.search(text, max(0, start - 40), start) is not None
            or (kind in ACT_TYPES and _POST_BEFORE.search(text, max(0, start - 5), start))
        ):
            found.add(start)
            listed_ends.add(end)
    return found


def _complement_of_finding(
    text: str, start: int, finding_ends: Collection[int], acts: Collection[int]
) -> tuple[bool, bool]:
    """Whether the span starting at ``start`` is the complement of a finding ending at one of
    ``finding_ends``, and whether it is a procedure or drug that finding followed or came with
    (``acts``, ``_acts_after_findings``). A denial of the finding is not the complement's:
    "Invasion by the tumor was not observed" denies the invasion, not the tumor; "There were
    no problems with surgery or anesthesia" denies the problems, and the surgery and
    anesthesia were done."""
    if start in acts:
        return True, True
    joined = _COMPLEMENT_BEFORE.search(text, max(0, start - 20), start)
    return joined is not None and joined.start() in finding_ends, False


class _MentionContext:
    """What the other mentions of a case tell about one span's assertion, read when asked:
    the test mentions (``ContextRule.stops_at_tests``) and where each finding head was first
    told (``named_again``)."""

    def __init__(
        self,
        case: Case,
        starts: Sequence[int],
        ends: Sequence[int],
        same_thing: Mapping[str, str],
    ) -> None:
        self._case = case
        self._starts = starts
        self._same_thing = same_thing
        spans = sorted(
            (m.start, m.end) for m in case.mentions if m.type is EntityType.DIAGNOSTIC_PROCEDURE
        )
        self._test_ends = [end for _, end in spans]
        # A body part opening a clause of its own ("… inguinal hernia and the genitalia were
        # normal"), and any subject a ", and the …" join opens ("…, and the margins were
        # negative"), is, like a test, what a result after it speaks of.
        subjects = sorted(
            spans
            + [
                (m.start, m.end)
                for m in case.mentions
                if m.type is EntityType.BIOLOGICAL_STRUCTURE
                and _CLAUSE_SUBJECT_BEFORE.search(case.text, max(0, m.start - 20), m.start)
            ]
            + [(join.start(), join.end()) for join in _NEW_SUBJECT.finditer(case.text)]
        )
        self.tests = [(bisect_right(ends, a), bisect_left(starts, b)) for a, b in subjects]
        """The token range of each test mention, each body part opening a clause and each
        ", and the …" join: what a result told after them speaks of
        (``ContextRule.stops_at_tests``)."""
        self._first_told: dict[str, int] | None = None

    def since(self, sentence_start: int, start: int) -> int:
        """Where the words before ``start`` that can predicate it begin: its sentence's start or
        the end of the last test mention before it."""
        index = bisect_right(self._test_ends, start)
        return max(sentence_start, self._test_ends[index - 1] if index else 0)

    def named_again(self, start: int, end: int) -> int | None:
        """The token of the definite article naming again a finding told earlier in the text
        ("A cyst was seen … between the cyst and the duct"), if ``[start, end)`` is one."""
        article = _definite(self._case.text, start)
        if article is None or not self.told_before(start, end):
            return None
        return bisect_left(self._starts, article)

    def told_before(self, start: int, end: int) -> bool:
        """Whether a finding mention with the head word of ``[start, end)`` starts before it."""
        text = self._case.text
        if self._first_told is None:
            first: dict[str, int] = {}
            for mention in self._case.mentions:
                if mention.type in FINDING_TYPES:
                    head = self._thing(mention.text)
                    if mention.start < first.get(head, len(text) + 1):
                        first[head] = mention.start
            self._first_told = first
        return self._first_told.get(self._thing(text[start:end]), end) < start

    def _thing(self, text: str) -> str:
        """What a mention's head word names, one word for the heads of one thing."""
        head = _head(text)
        return self._same_thing.get(head, head)


_NEW_SUBJECT = re.compile(r",\s*and\s+(?:the|his|her|its|their|this|these|those)\b", re.IGNORECASE)
"""A clause joined to the one before by ", and" whose subject is told with an article or a
possessive ("The tumor measured 10 cm with necrosis, and the margins were negative")."""

_CLAUSE_SUBJECT_BEFORE = re.compile(
    r"(?:,|;|\b(?:and|but|while|whereas))\s+(?:(?:the|his|her|their|its)\s+)?$", re.IGNORECASE
)
"""What comes right before a body part that is the subject of a clause of its own: a join and
at most a determiner ("…, and the bladder was normal")."""

_LIST_JOINS = re.compile(r",|\b(?:and|or)\b", re.IGNORECASE)
"""What joins the items of a list."""

_CONJUNCTION = re.compile(r"\b(?:and|or)\b", re.IGNORECASE)

_LIST_ITEM_WORDS = 6
"""The most words of one item of a list: a longer run is a clause ("The new ureteral orifices
appeared large in size and …")."""


_OR = re.compile(r"\s*,?\s+(?:and/)?or\s+(?:an?\s+)?", re.IGNORECASE)
"""The words joining two alternatives: "an abscess or a pseudocyst", ", or", "and/or"; not
"or the", which names again what was told ("either the recent infarction or the thrombosis",
both of which the patient had)."""

_EXAMPLES_BEFORE = re.compile(
    r"(?:such as|including|e\.g\.,?|for example,?|like)\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE
)
"""Words opening examples, up to three words before a finding: "problems such as chronic
constipation or nausea" are both."""

_SHORT_FORM = re.compile(r"[A-Z][A-Z0-9-]{1,7}s?")
"""A short form ("ARDS"), which after "or" restates the finding before it."""


_EXAMPLE_CHARS = 60

_COMMA_BEFORE = re.compile(r"\s*,\s*$")
"""The comma between a list's finding and the next."""

_COMMA_CHARS = 4
"""How far before a finding the words opening examples are looked for."""


_WEIGHING_CAUSES = re.compile(
    r"\b(?:diagnos\w*|differential|impression|either|whether|consider\w*|suspect\w*"
    r"|etiolog\w*|causes?|caused|due\s+to|consistent\s+with|compatible\s+with|suggest\w*"
    r"|concerns?)\b",
    re.IGNORECASE,
)
"""Words that weigh what a finding is or what caused it: the findings after them joined by
"or" are alternatives, where elsewhere they are one thing's names ("each mass or nodule",
"an abdominal pain or discomfort") or movements ("flexion, extension, or rotation")."""

_CLAUSE_CHARS = 150
"""How far back a sentence is read for ``_WEIGHING_CAUSES``."""


def _weighs_causes(text: str, start: int) -> bool:
    """Whether the sentence before ``start`` weighs what a finding is or what caused it."""
    opening = max(
        text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, start - _CLAUSE_CHARS
    )
    return _WEIGHING_CAUSES.search(text, max(0, opening), start) is not None


def _alternatives(
    text: str, targets: Sequence[Mention], found: Sequence[Assertion | None]
) -> list[Assertion | None]:
    """``found`` with two findings told as alternatives where the sentence weighs what a finding
    is or what caused it ("The diagnosis was of a subphrenic abscess or pancreatic pseudocyst",
    "diagnosed with appendicitis or diverticulitis", ``_weighs_causes``) uncertain where they
    were present: the text holds one of them at most, and does not say which. A finding that is
    the other's short form ("acute respiratory distress syndrome or ARDS") is no alternative,
    nor are examples ("problems such as chronic constipation or nausea were noted"). Two that
    end a list whose finding before them is denied are denied with it ("he denied any
    delusions, hallucinations, or changes in mood"): a denial reaches on through its list."""
    result = list(found)
    at = {m.start: i for i, m in reversed(list(enumerate(targets))) if m.type in FINDING_TYPES}
    ending_at = {m.end: i for i, m in enumerate(targets) if m.type in FINDING_TYPES}
    for i, mention in enumerate(targets):
        if mention.type not in FINDING_TYPES:
            continue
        joined = _OR.match(text, mention.end)
        other = at.get(joined.end()) if joined else None
        if (
            other is None
            or any(_SHORT_FORM.fullmatch(m.text) for m in (mention, targets[other]))
            or _EXAMPLES_BEFORE.search(text, max(0, mention.start - _EXAMPLE_CHARS), mention.start)
        ):
            continue
        comma = _COMMA_BEFORE.search(text, max(0, mention.start - _COMMA_CHARS), mention.start)
        before = ending_at.get(comma.start()) if comma else None
        if before is not None and result[before] is Assertion.NEGATED:
            read = Assertion.NEGATED
        elif _weighs_causes(text, mention.start):
            read = Assertion.UNCERTAIN
        else:
            continue
        for index in (i, other):
            if result[index] in (None, Assertion.PRESENT):
                result[index] = read
    return result


def _is_a_list(words: str) -> bool:
    """Whether the words are a list of short items joined by commas and a last "and" / "or"."""
    return _CONJUNCTION.search(words) is not None and all(
        len(item.split()) <= _LIST_ITEM_WORDS for item in _LIST_JOINS.split(words)
    )


_LISTED_FINDING_WORDS = 4
"""The most words of one finding of a list a trigger reaches to its end."""

_DETERMINER = re.compile(r"(?:the|a|an|his|her|their|its|this|that|all|any|no)\b", re.IGNORECASE)


def _ends_a_list(words: str) -> bool:
    """Whether the words are a list of three or more findings of a few words each, the last
    after "and" or "or", none opening with a determiner: "cough, shortness of breath, fever, or
    abdominal pain" is one, "oral contraceptive and the administration of rivaroxaban" two
    things done."""
    joins = list(_LIST_JOINS.finditer(words))
    items = [item.strip() for item in _LIST_JOINS.split(words) if item.strip()]
    return (
        len(items) >= 3
        and _CONJUNCTION.fullmatch(joins[-1][0]) is not None
        and all(
            len(item.split()) <= _LISTED_FINDING_WORDS and not _DETERMINER.match(item)
            for item in items
        )
    )


_CLAUSE_BREAK = re.compile(r"[.;:()\[\]]|\bbut\b", re.IGNORECASE)


def _clause_end(text: str, start: int, limit: int) -> int:
    """Where the clause going on at ``start`` ends, at ``limit`` at the latest."""
    found = _CLAUSE_BREAK.search(text, start, limit)
    return found.start() if found else limit


_PAST_PARTICIPLE = re.compile(r"[a-z]{3,}ed")
"""A verb's past participle ("dissected", "tapered"): a mention of one such word joined by "and"
to a trigger after it is a verb of the trigger's subject (``ContextAssertion._assert``)."""

_FOLLOWING_CHARS = 80
"""Characters after a mention that ``ContextRule.also_when_followed_by`` is matched against."""

_SOUGHT_CHARS = 80
"""How far back from a finding ``ContextRules.sought_words`` is looked for."""


def _scopes(
    matches: Sequence[_Match],
    seg_start: int,
    seg_end: int,
    is_word: Sequence[bool],
    in_phrase: Sequence[bool],
    asides: Sequence[tuple[int, int]] = (),
    commas: Sequence[bool] = (),
    words: Sequence[str] = (),
) -> list[_Scoped]:
    """The token ranges each modifying trigger of one sentence reaches (a forward trigger
    stopped by a ``governs_complement`` phrase may reach its examples too). A trigger told in
    a bracketed aside (``_Reading.asides``) reaches forward no further than the aside's end,
    and back no further than its start unless it opens the aside: "venlafaxine (benazepril
    and metformin were discontinued)" denies the two drugs, not the venlafaxine; "arthritis
    (no immunosuppressive treatment) and hypertension" denies no hypertension."""
    scoped: list[_Scoped] = []
    for match in matches:
        rule = match.rule
        low, high = seg_start, seg_end
        opens, closes = asides[match.start] if asides else (-1, -1)
        if opens >= 0:
            high = min(high, closes)
            if any(is_word[opens + 1 : match.start]):
                low = max(low, opens + 1)
        if rule.lifts_suspicion:
            start = _walk(match.start - 1, seg_start - 1, -1, rule.max_scope, is_word) + 1
            scoped.append(_Scoped(match, start, match.start))
            continue
        if rule.category in (Category.PSEUDO, Category.TERMINATE):
            continue
        ended_only_by = rule.ended_only_by
        stops = [
            other
            for other in matches
            if (
                other.rule.category is Category.TERMINATE
                and (ended_only_by is None or other.rule.literal in ended_only_by)
                and (
                    other.rule.ends_scopes_of is None or rule.category in other.rule.ends_scopes_of
                )
            )
            or other.rule.category in rule.terminated_by
        ]
        stopped_by: _Match | None = None
        if rule.direction in (Direction.FORWARD, Direction.BIDIRECTIONAL):
            reach = _walk(match.end, high, 1, rule.max_scope, is_word)
            if rule.ends_at_comma and commas:
                reach = next((t for t in range(match.end, reach) if commas[t]), reach)
            if rule.ends_at_words and words:
                reach = next(
                    (
                        t
                        for t in range(match.end, reach)
                        if words[t] in rule.ends_at_words and words[t - 1] not in _QUALIFIED_WITH
                    ),
                    reach,
                )
            end = reach
            for other in stops:
                if (
                    other.start >= match.end
                    and other.start < end
                    and other.rule.direction is not Direction.BACKWARD
                ):
                    end, stopped_by = other.start, other
            scoped.append(_Scoped(match, match.end, end))
            if stopped_by is not None and stopped_by.rule.resumes_after:
                goes_on = _coordination(words, stopped_by, reach)
                if goes_on is not None:
                    scoped.append(_Scoped(match, goes_on, reach))
            if stopped_by is not None and stopped_by.rule.governs_complement:
                # "to exclude other causes of heart failure, such as valve disease": the
                # examples after the governed finding are what is excluded.
                governed = _phrase_end(stopped_by.end, reach, in_phrase)
                examples = _examples_start(matches, stopped_by.end, governed + 2, reach)
                if examples < reach:
                    scoped.append(_Scoped(match, examples, reach))
        if rule.direction in (Direction.BACKWARD, Direction.BIDIRECTIONAL):
            start = _walk(match.start - 1, low - 1, -1, rule.max_scope, is_word) + 1
            if rule.ends_at_comma and commas:
                start = next(
                    (t + 1 for t in range(match.start - 1, start - 1, -1) if commas[t]), start
                )
            stopped_by = None
            for other in stops:
                if (
                    other.end <= match.start
                    and other.end > start
                    and other.rule.direction is not Direction.FORWARD
                ):
                    start, stopped_by = other.end, other
            if stopped_by is not None and stopped_by.rule.governs_complement:
                # "Other causes of thrombocytopenia were ruled out": the causes are denied,
                # the thrombocytopenia is the patient's; examples of the causes are denied.
                governed = _phrase_end(stopped_by.end, match.start, in_phrase)
                start = (
                    governed
                    if governed < match.start
                    else _examples_start(matches, start, match.start, match.start)
                )
            scoped.append(_Scoped(match, start, match.start))
    return scoped


MOTHER_AGE = 12.0
"""The youngest age, in years, at which a report's patient may be the mother of a fetus."""


_MOTHER = re.compile(r"\bmother\b", re.IGNORECASE)


def _may_be_mother(case: Case) -> bool:
    """Whether the patient is a woman old enough to carry a fetus: then a fetus is someone
    else (``ContextRule.names_fetus``); a patient of unknown age or sex is not taken for one.
    A report whose first sentence names a mother ("A female infant was delivered … to a
    32-year-old mother", "The mother was a 24-year-old primigravida") is the child's, whatever
    age it tells first."""
    patient = case.patient
    if patient.sex is not Sex.FEMALE or patient.age_years is None:
        return False
    return patient.age_years >= MOTHER_AGE and _MOTHER.search(_opening(case)) is None


def _opening(case: Case) -> str:
    """The report's first sentence (its whole text when it has none)."""
    first = min(case.sentences, key=lambda s: s.start, default=None)
    return case.text[first.start : first.end] if first is not None else case.text


_CHILD = re.compile(
    r"\b(?:infant|baby|newborn|neonate|fetus|foetus|stillborn|child|boy|girl)s?\b", re.IGNORECASE
)
"""Words of a report's first sentence that make it a child's, whose mother is someone else."""


_THE_MOTHER = re.compile(r"the\s+mother", re.IGNORECASE)


def _names_the_mother(text: str, starts: Sequence[int], ends: Sequence[int], match: _Match) -> bool:
    """Whether a family trigger is "the mother" alone: where the patient may be a mother
    (``_may_be_mother``) and the first sentence names no child ("A male stillborn fetus was
    delivered … of a 32-year-old woman"), the report's mother is the patient ("After the
    operation, the mother was sent to intensive care unit … continuous renal replacement
    therapy"), as "her mother" would not be."""
    return match.rule.category is Category.FAMILY and (
        _THE_MOTHER.fullmatch(text[starts[match.start] : ends[match.end - 1]]) is not None
    )


_PREGNANCY = re.compile(
    r"\b(?:pregnan(?:t|cy|cies)|gestation(?:al)?|(?:primi|multi)?gravida|trimester|"
    r"post-?partum|c(?:a)?esarean|deliver(?:y|ed))\b",
    re.IGNORECASE,
)
"""Words that make a report about a pregnancy: where its patient may be the mother and the
first sentence names no child, she is the one pregnant."""


_KIN_AFTER = re.compile(
    r"[\s-]+(?:grand\w*|great-?\w*|aunts?|uncles?|cousins?|half|side|family|relatives?|"
    r"lineage|line|kindred|pedigree|inheritance|inherited|transmission|origin|allele)\b",
    re.IGNORECASE,
)
"""Words after "maternal" that name the patient's mother's kin or line, not the patient."""


def _names_the_pregnant_patient(text: str, ends: Sequence[int], match: _Match) -> bool:
    """Whether a trigger that tells what is the mother's (``ContextRule.names_mother``) names
    a pregnant patient herself ("maternal tachycardia", "maternal cardiac failure"), not her
    mother's kin ("maternal aunt", "on the maternal side")."""
    return match.rule.names_mother and _KIN_AFTER.match(text, ends[match.end - 1]) is None


_PATIENTS_KIN = re.compile(
    r"\b(?:patient|proband|boy|girl|man|woman|male|female|child|infant|he|she)\b[^.;]{0,40}?"
    r"(?<!\bher )(?<!\bhis )(?<!\btheir )\b(son|daughter)\s+of\b",
    re.IGNORECASE,
)
"""A report's opening that tells its patient as a son or daughter ("This 32-year-old male, son
of the index case, …", "The patient was the fourth son of healthy parents")."""


_INTRODUCTION_SENTENCES = 2
"""How many of a report's first sentences may tell whose son or daughter its patient is."""


def _patients_kin(case: Case) -> str | None:
    """The kinship word ("son", "daughter") that a report's first sentences tell its patient
    as; ``None`` when they tell none."""
    first = sorted(case.sentences, key=lambda s: s.start)[:_INTRODUCTION_SENTENCES]
    opening = case.text[: first[-1].end] if first else case.text
    found = _PATIENTS_KIN.search(opening)
    return found.group(1).lower() if found is not None else None


_THE_KIN = re.compile(r"(?:the\s+)?(son|daughter)(?:\s*['\u2019]\s*s)?", re.IGNORECASE)


def _names_the_patients_kin(
    text: str, starts: Sequence[int], ends: Sequence[int], match: _Match, kin: str
) -> bool:
    """Whether a family trigger is "the son" (or "the daughter") alone in a report whose patient
    is told as one (``_patients_kin``): "the son had seizures" is the patient's, as "her son"
    would not be."""
    if match.rule.category is not Category.FAMILY:
        return False
    told = _THE_KIN.fullmatch(text[starts[match.start] : ends[match.end - 1]])
    return told is not None and told.group(1).lower() == kin


_THE_TWINS = re.compile(
    r"(?:the|both|(?:the\s+)?two)\s+(?:(?:identical|monozygotic|dizygotic|male|female)\s+)?twins",
    re.IGNORECASE,
)


def _names_the_twins(text: str, starts: Sequence[int], ends: Sequence[int], match: _Match) -> bool:
    """Whether a family trigger is "the twins" (or "both twins") alone: in a report whose
    patient cannot be their mother (``_may_be_mother``), the patient is one of them ("the twins
    were diagnosed with congenital thrombocytopenia"), as "her twin" would be someone else."""
    return match.rule.category is Category.FAMILY and (
        _THE_TWINS.fullmatch(text[starts[match.start] : ends[match.end - 1]]) is not None
    )


def _coordination(words: Sequence[str], stopped_by: _Match, limit: int) -> int | None:
    """The first token before ``limit`` after ``stopped_by`` where one of its
    ``ContextRule.resumes_after`` coordinations starts; ``None`` where none does."""
    phrases = [tuple(TOKEN.findall(item.lower())) for item in stopped_by.rule.resumes_after]
    for token in range(stopped_by.end, limit):
        if any(tuple(words[token : token + len(phrase)]) == phrase for phrase in phrases):
            return token
    return None


def _phrase_end(start: int, limit: int, in_phrase: Sequence[bool]) -> int:
    """Where the noun phrase starting at token ``start`` ends, ``limit`` at most."""
    while start < limit and in_phrase[start]:
        start += 1
    return start


def _examples_start(matches: Sequence[_Match], low: int, high: int, default: int) -> int:
    """The end of the first ``opens_examples`` phrase starting in tokens ``[low, high)``, else
    ``default``."""
    return next(
        (m.end for m in matches if m.rule.opens_examples and low <= m.start < high), default
    )


def _counted(
    text: str, starts: Sequence[int], words: Sequence[str], is_word: Sequence[bool]
) -> list[bool]:
    """``_Reading.counted`` of a text's tokens (``words``, lower-cased, starting at ``starts``;
    ``is_word``: which are words)."""
    counted = list(is_word)
    for index, word in enumerate(words):
        if word != "(" or index == 0:
            continue
        short = words[index - 1]
        written = text[starts[index - 1] : starts[index - 1] + len(short)]
        if not (2 <= len(short) <= 8 and short.isalnum() and written.isupper()):
            continue
        close = index + 1
        while close < len(words) and close - index <= 2 * len(short) + 1 and words[close] != ")":
            close += 1
        if close >= len(words) or words[close] != ")":
            continue
        glossed = [w for w in words[index + 1 : close] if w[0].isalnum()]
        if "".join(w[0] for w in glossed).lower() == short.lower():
            for inner in range(index + 1, close):
                counted[inner] = False
    return counted


def _asides(words: Sequence[str]) -> list[tuple[int, int]]:
    """``_Reading.asides`` of a text's tokens (``words``)."""
    found = [(-1, -1)] * len(words)
    opened: list[int] = []
    for index, word in enumerate(words):
        if word == "(":
            opened.append(index)
        elif word == ")" and opened:
            start = opened.pop()
            for inner in range(start + 1, index):
                if found[inner] == (-1, -1):
                    found[inner] = (start, index)
    return found


def _walk(index: int, limit: int, step: int, max_scope: int | None, is_word: Sequence[bool]) -> int:
    """Where a scope starting at token ``index`` and going ``step`` stops, exclusive."""
    if max_scope is None:
        return limit
    count = 0
    # A trigger may run past its sentence's end when the sentence ends inside a word: the
    # walk stops at the limit from either side.
    while (index < limit) if step > 0 else (index > limit):
        if is_word[index]:
            count += 1
            if count > max_scope:
                return index
        index += step
    return limit


def _segments(sentences: Sequence[Span], size: int) -> list[Span]:
    """The sentences, in order, with the gaps between them as segments of their own."""
    ordered = sorted(sentences, key=lambda s: (s.start, s.end))
    segments: list[Span] = []
    cursor = 0
    for sentence in ordered:
        if sentence.start < cursor:
            continue
        if sentence.start > cursor:
            segments.append(Span(start=cursor, end=sentence.start))
        segments.append(sentence)
        cursor = sentence.end
    if cursor < size or not segments:
        segments.append(Span(start=cursor, end=size))
    return segments


def _segment_of(segments: Sequence[Span], offset: int) -> Span:
    """The segment holding character ``offset``."""
    low, high = 0, len(segments) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if segments[middle].start <= offset:
            low = middle
        else:
            high = middle - 1
    return segments[low]


_PAST_TITLE = re.compile(r"\b(past|previous|prior|medical|surgical)\b", re.IGNORECASE)


def _section_default(sections: Sequence[Section], start: int) -> Assertion:
    """The assertion the section holding offset ``start`` implies before any trigger speaks."""
    for section in sections:
        if section.start <= start < section.end:
            kind = section.kind
            if kind == "family_history":
                return Assertion.FAMILY
            if kind in ("past_medical_history", "social_history") or (
                kind == "history" and _PAST_TITLE.search(section.title)
            ):
                return Assertion.HISTORICAL
    return Assertion.PRESENT
