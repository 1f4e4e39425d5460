"""Mention extraction with a trained spaCy model shipped in ``resources/models/``: ``ner`` by
default, ``ner-permissive`` when ``CASEBOOK_MENTION_MODEL`` chooses it (``casebook.config``)."""

from __future__ import annotations

import re
from pathlib import Path

import spacy
from spacy.attrs import IS_SPACE, LOWER, NORM, PREFIX, SHAPE, SUFFIX
from spacy.language import Language
from spacy.tokens import Span

from casebook.blas import one_blas_thread, use_openblas
from casebook.config import DEFAULT_MENTION_MODEL, MENTION_MODELS, mention_model_folder
from casebook.errors import CasebookError, ErrorCode
from casebook.inference_layers import for_prediction
from casebook.model import Case, EntityType, Mention
from casebook.nlp import (
    biluo,  # noqa: F401  (registers the heads' spaCy factory)
    lexicon_features,  # noqa: F401  (registers the lexicon's factory)
)
from casebook.nlp.hpo_spans import EDGE_WORDS
from casebook.nlp.pipeline import check_deadline
from casebook.nlp.sections import SectionRules, is_title_case
from casebook.nlp.tokenizer import BARE_TOKENIZER, saved_tokenizer
from casebook.resources import load_rules, resource_path

DEFAULT_MODEL = MENTION_MODELS[DEFAULT_MENTION_MODEL]
FLAT_HEAD = "ner"
"""The head for flat, non-overlapping types; it writes ``doc.ents``."""
PHRASE_HEAD = "phrases"
"""The head for phrase types (History …) that overlap the flat ones; it writes
``doc.spans["phrases"]``."""


READ_LEXEME_ATTRIBUTES = frozenset({LOWER, NORM, PREFIX, SUFFIX, SHAPE, IS_SPACE})
"""The word attributes the pipeline reads: the tok2vec's hash features (NORM, PREFIX, SUFFIX,
SHAPE), the lexicon tagger's LOWER, and IS_SPACE."""


TOKENIZER_CACHE_CHUNKS = 100_000
"""How many space-separated chunks spaCy's tokenizer remembers the split of. Its default,
10,000, fills within the first few hundred case reports, after which every chunk not yet
remembered is split afresh; the larger cache costs some memory per process once full
(BENCHMARKS.md)."""


def load_model(model: str | Path = DEFAULT_MODEL) -> Language:
    """Load a trained pipeline: a packaged model name or a folder path.

    spaCy computes some twenty attributes for each word it has not seen before (``like_num``,
    ``is_stop``, ``is_currency`` …) with Python functions, a sixth of the tokenizer's time on
    new text; the loaded pipeline computes only ``READ_LEXEME_ATTRIBUTES``. Its tokenizer
    drops the special cases that would switch off spaCy's cache of split words after a line
    break (``saved_tokenizer``) and remembers more splits
    (``TOKENIZER_CACHE_CHUNKS``); tokens are unchanged. Its Maxout and LayerNorm layers take
    prediction-only forwards (``casebook.inference_layers``): the pipeline predicts, never trains.

    Raises:
        CasebookError: ``CB-E012`` when the model folder is missing or unreadable.
    """
    path = model if isinstance(model, Path) else resource_path(model)
    try:
        # The saved tokenizer is read apart, its whitespace special cases left out, in place
        # of a bare one: spaCy would otherwise build the language's default special cases,
        # replace them with the saved ones, and those again without whitespace.
        nlp = spacy.load(
            path,
            exclude=["tokenizer"],
            config={"nlp": {"tokenizer": {"@tokenizers": BARE_TOKENIZER}}},
        )
        tokenizer = saved_tokenizer(nlp.vocab, path / "tokenizer")
        nlp = for_prediction(use_openblas(nlp))
    except OSError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, f"cannot load model: {exc}", path) from exc
    tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    nlp.tokenizer = tokenizer
    # spaCy's stub of Vocab leaves out this public attribute of the compiled class.
    getters = nlp.vocab.lex_attr_getters  # type: ignore[attr-defined]
    nlp.vocab.lex_attr_getters = {  # type: ignore[attr-defined]
        attribute: getter
        for attribute, getter in getters.items()
        if attribute in READ_LEXEME_ATTRIBUTES
    }
    return nlp


class MentionExtractor:
    """Finds mentions of every MACCROBAT type the model was trained on."""

    name = "mentions"
    requires = frozenset({"text"})
    assigns = frozenset({"mentions"})

    def __init__(self, model: str | Path | None = None) -> None:
        """Load ``model`` (a packaged model name or a folder path), by default the chosen one
        (``casebook.config.mention_model_folder``).

        Raises:
            CasebookError: ``CB-E026`` when ``CASEBOOK_MENTION_MODEL`` names no shipped model;
                ``CB-E012`` when the model cannot be loaded.
        """
        self.model = model if model is not None else mention_model_folder()
        self.nlp = load_model(self.model)
        self.piece_chars = PIECE_CHARS
        self._small_words = frozenset(
            word.lower() for word in load_rules("sections.json", SectionRules).small_words
        )

    def __call__(self, case: Case) -> Case:
        """Add the model's mentions to ``case``, numbered in text order after existing ones.

        A text longer than ``piece_chars`` (and than spaCy's ``max_length``) is tagged in
        pieces cut at paragraph breaks (``pieces``), each piece's spans moved to their place in
        the whole text. A title opening the text in Title Case is tagged in sentence case
        (``sentence_cased_title``); the mentions keep the words as written.
        """
        found: list[tuple[int, int, EntityType]] = []
        tagged = sentence_cased_title(case.text, self._small_words)
        cuts = pieces(case.text, min(self.piece_chars, self.nlp.max_length))
        with one_blas_thread():
            for offset, piece_end in cuts:
                check_deadline()
                # One piece at a time: a batch of pieces would be read as one long text.
                doc = self.nlp(tagged[offset:piece_end])
                spans: list[Span] = [*doc.ents, *doc.spans.get(PHRASE_HEAD, [])]
                for span in spans:
                    start, end = _trimmed(
                        case.text, offset + span.start_char, offset + span.end_char
                    )
                    if start < end:
                        found.append((start, end, EntityType(span.label_)))
        found = _as_told_elsewhere(
            case.text, _with_joined_prefix(case.text, _balanced_spans(case.text, found))
        )
        existing = {(m.start, m.end, m.type) for m in case.mentions}
        used = {m.id for m in case.mentions}
        number = 0
        for start, end, kind in sorted(set(found) - existing):
            number += 1
            while f"m{number}" in used:
                number += 1
            case.mentions.append(
                Mention(id=f"m{number}", start=start, end=end, text=case.text[start:end], type=kind)
            )
        return case


MAX_TITLE_WORDS = 40
"""The longest first line, in words, read as a title."""

_TITLE = re.compile(r"[^\S\n]*(?P<title>[^\n]+)\n[^\S\n]*\n")
"""A text's first line and the blank line after it."""

_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][a-z]+(?!\w)")
"""A word capitalised and otherwise lower case ("Syndrome", "Induced" of "Drug-Induced"; not
"MRI" or "IgA")."""


def sentence_cased_title(text: str, small_words: frozenset[str]) -> str:
    """``text`` with the capitalised words of a Title-Case first line lower-cased, but its
    first word: "Eagle's Syndrome Presenting as Unilateral Neck Pain" is read "Eagle's
    syndrome presenting as unilateral neck pain". The tagger learnt from sentences, where a
    capital opens a name, and tags a title's words as one long description ("Ameboma of Colon
    Simulating Colonic Adenocarcinoma") or a heading's ("Literature", "Case") as findings.
    Every character keeps its place; a first line that is not a Title-Case title (a sentence,
    a line without a blank line after it, more than ``MAX_TITLE_WORDS`` words) is left as it
    is.
    """
    found = _TITLE.match(text)
    if found is None:
        return text
    title = found.group("title")
    words = title.split()
    if (
        len(words) > MAX_TITLE_WORDS
        or title.rstrip()[-1] in ".!?"
        or not is_title_case(words, small_words)
    ):
        return text
    start = found.start("title")
    lowered = _CAPITALISED.sub(lambda word: word.group().lower(), title[1:])
    return text[: start + 1] + lowered + text[found.end("title") :]


PIECE_CHARS = 100_000
"""The most characters the model tags at once. The tagger's memory grows with the text it
reads at once, and spaCy refuses a text over its ``max_length`` (E088); a case report is
shorter than this and is tagged whole, so that the spans repeating its words get one type
across the whole report."""

PIECE_BREAKS = ("\n\n", "\n", ". ", " ")
"""Where a long text is cut, best first: after a blank line (a paragraph or a section), a line
break, a sentence's full stop, any space."""


def pieces(text: str, most: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces of ``text``, each at most ``most`` characters,
    cut after the last break of ``PIECE_BREAKS`` that fits (the first kind found wins); a run
    of ``most`` characters without any break is cut where the limit falls."""
    found: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > most:
        end = start + most
        for separator in PIECE_BREAKS:
            cut = text.rfind(separator, start + 1, end)
            if cut > start:
                end = cut + len(separator)
                break
        found.append((start, end))
        start = end
    found.append((start, len(text)))
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding whitespace, trailing sentence punctuation or a trailing
    function word ("hypercapnia the").

    A span never runs past a line break: the tagger decodes a whole text at once, and a mention
    across paragraphs ("blood patch.\nOn …") is its first line's words. Nor past a sentence's
    full stop after a lower-case word ("vasopressor dependent. Treatment"): its first sentence's
    words ("Dr. Smith", "St. Jude" have no such word).
    """
    while start < end and text[start].isspace():
        start += 1
    line_end = text.find("\n", start, end)
    if line_end >= 0:
        end = line_end
        while end > start and text[end - 1] in ".!?":
            end -= 1
    sentence_end = _SENTENCE_END.search(text, start, end)
    if sentence_end is not None:
        end = sentence_end.start() + 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    last = _LAST_WORD.search(text, start, end)
    while last is not None and last.group(2) in _TRAILING_WORDS:
        # "hypercapnia the baby": the tagger ran one word past the finding.
        end = last.start(1)
        last = _LAST_WORD.search(text, start, end)
    return start, end


_SENTENCE_END = re.compile(r"(?<=[a-z]{3})[a-z][.!?]\s+(?=[A-Z])")
"""A full stop after a lower-case word of four letters or more, a capital after it."""

_LAST_WORD = re.compile(r"\S(\s+)(\w+)$")
"""The last word of a span of several, with the space before it."""

_TRAILING_WORDS = frozenset({"the", "a", "an", "and", "or", "of", "with"})
"""Words no mention ends with, as written (a capital "A" names a type: "vitamin A"): a span the
tagger ran on into one is cut before it."""


_DENYING_PREFIX = re.compile(r"(?<![a-z])non[- ]$", re.IGNORECASE)
"""The word "non" written apart from the word it denies ("non bilious vomiting")."""

_DASHES = "–—"


def _with_joined_prefix(
    text: str, spans: list[tuple[int, int, EntityType]]
) -> list[tuple[int, int, EntityType]]:
    """``spans`` each begun where the words it says begin.

    A "non" written before a span and left out of it is taken in: "bilious vomiting" of "non
    bilious vomiting" is the non-bilious vomiting it says, not bilious vomiting. A span begun
    at a dash or hyphen joining two words ("ischemia–reperfusion disorder", "angle-closure
    glaucoma" tagged from it) takes the word before it in; where another span holds that word,
    a dash is left out (a hyphen stays: it may be a minus sign).
    """
    result: list[tuple[int, int, EntityType]] = []
    floor = 0
    for start, end, kind in sorted(spans):
        prefix = _DENYING_PREFIX.search(text, max(floor, start - 4), start)
        if prefix is not None:
            start = prefix.start()
        elif start < end and text[start] in _DASHES + "-":
            word = start
            while word > floor and text[word - 1].isalnum():
                word -= 1
            if word < start and (word == 0 or not text[word - 1].isalnum()):
                start = word
            elif text[start] in _DASHES:
                while start < end and (text[start] in _DASHES or text[start].isspace()):
                    start += 1
        if start < end:
            result.append((start, end, kind))
        floor = max(floor, end)
    return result


_NAMED_TYPES = frozenset(
    {
        EntityType.DISEASE_DISORDER,
        EntityType.SIGN_SYMPTOM,
        EntityType.THERAPEUTIC_PROCEDURE,
        EntityType.DIAGNOSTIC_PROCEDURE,
    }
)
"""The types whose names ``_as_told_elsewhere`` completes."""

_NAME_WORDS = re.compile(r"(?:[a-z][a-z-]* )+")
"""Words of letters, each followed by one space."""

_NOT_NAME_WORDS = EDGE_WORDS | {"the", "a", "an", "each", "every", "any", "all", "some", "until"}
"""Words that begin or join phrases, not names: a span they begin is no longer name."""


def _as_told_elsewhere(
    text: str, spans: list[tuple[int, int, EntityType]]
) -> list[tuple[int, int, EntityType]]:
    """``spans`` of findings and procedures each begun where a longer span of its type,
    elsewhere in the text, begins the same words: "mal seizures" of "two grand mal seizures" is
    the "grand mal seizures" the text told before. The model reads each place alone and may cut
    a name short at one. The words before the cut must be the longer span's, words of letters
    (no article, preposition or other ``_NOT_NAME_WORDS``), and lie in no other span."""
    longer: dict[tuple[str, EntityType], set[str]] = {}
    for start, end, kind in spans:
        if kind not in _NAMED_TYPES:
            continue
        words = text[start:end].lower()
        cut = words.find(" ", 1)
        while cut != -1:
            before = words[: cut + 1]
            if _NAME_WORDS.fullmatch(before) and not _NOT_NAME_WORDS.intersection(before.split()):
                longer.setdefault((words[cut + 1 :], kind), set()).add(before)
            cut = words.find(" ", cut + 1)
    if not longer:
        return spans
    taken = sorted((start, end) for start, end, _ in spans)
    result: list[tuple[int, int, EntityType]] = []
    for start, end, kind in spans:
        for before in sorted(longer.get((text[start:end].lower(), kind), ()), key=len):
            widened = start - len(before)
            if (
                widened >= 0
                and text[widened:start].lower() == before
                and (widened == 0 or not text[widened - 1].isalnum())
                and not any(s < start and widened < e for s, e in taken if (s, e) != (start, end))
            ):
                start = widened
                break
        result.append((start, end, kind))
    return result


BRACKET_REACH = 60
"""How far (characters, on the same line) a span's unmatched bracket is looked for its mate."""


def _balanced_spans(
    text: str, spans: list[tuple[int, int, EntityType]]
) -> list[tuple[int, int, EntityType]]:
    """``spans`` with each one's brackets balanced (``_balanced``), none grown into another."""
    ordered = sorted(spans)
    result: list[tuple[int, int, EntityType]] = []
    floor = 0
    for index, (start, end, kind) in enumerate(ordered):
        ceiling = ordered[index + 1][0] if index + 1 < len(ordered) else len(text)
        balanced_start, balanced_end = _balanced(text, start, end, floor, max(ceiling, end))
        if balanced_start < balanced_end:
            result.append((balanced_start, balanced_end, kind))
        floor = max(floor, end)
    return result


def _balanced(text: str, start: int, end: int, floor: int, ceiling: int) -> tuple[int, int]:
    """The span with no unmatched parenthesis.

    The tagger may start a mention inside a parenthesis ("drug (levofloxacin)-induced acute
    anxiety" as "levofloxacin)-induced acute anxiety") or end one there. A closing bracket
    without its opening one takes the span back to the opening one and the word before it
    ("drug (levofloxacin)-…", "CD3+ (CD16+56+)-cell level"); an opening one without its closing
    one takes it on to the closing one. Where the mate is not on the same line within
    ``BRACKET_REACH`` characters, or reaching it would grow the span into another
    (``floor``, ``ceiling``), the span is cut at the bracket instead.
    """
    if text.find("(", start, end) < 0 and text.find(")", start, end) < 0:
        return start, end  # most spans hold no bracket: no need to step through them
    opened: list[int] = []
    for position in range(start, end):
        if text[position] == "(":
            opened.append(position)
        elif text[position] == ")":
            if opened:
                opened.pop()
                continue
            opening = _mate_before(text, start, max(floor, start - BRACKET_REACH))
            if opening is not None:
                gap = opening
                while gap > floor and text[gap - 1] == " ":
                    gap -= 1
                word = gap
                while (
                    word > floor and not text[word - 1].isspace() and text[word - 1] not in "(),;"
                ):
                    word -= 1
                start = word if word < gap else opening
                return _balanced(text, start, end, floor, ceiling)
            start = position + 1
            while start < end and text[start] in "-– )":
                start += 1
            return _balanced(text, start, end, floor, ceiling) if start < end else (start, start)
    if opened:
        closing = _mate_after(text, end, min(ceiling, end + BRACKET_REACH))
        if closing is not None and len(opened) == 1:
            return start, closing + 1
        end = opened[0]
        while end > start and text[end - 1] in " -–":
            end -= 1
    return start, end


def _mate_before(text: str, start: int, limit: int) -> int | None:
    """The offset of the "(" that a ")" inside a span starting at ``start`` closes, looked for
    back to ``limit`` on the same line; None when another ")" or a line break comes first."""
    for position in range(start - 1, limit - 1, -1):
        char = text[position]
        if char == "(":
            return position
        if char in ")\n":
            return None
    return None


def _mate_after(text: str, end: int, limit: int) -> int | None:
    """The offset of the ")" closing a "(" left open in a span ending at ``end``, looked for
    up to ``limit`` on the same line; None when another "(" or a line break comes first."""
    for position in range(end, limit):
        char = text[position]
        if char == ")":
            return position
        if char in "(\n":
            return None
    return None
