"""spaCy's English tokenizer with a few rules for clinical text.

The additions split ``=``, ``/`` and ``×`` between word characters ("EF=0.20", "CT/MRI"),
and a final period after an upper-case letter ("16 mg/dL."), so that more annotated entity
boundaries fall on token boundaries. spaCy saves these rules with the model, so a trained
pipeline loads them back without any registration.

``saved_tokenizer`` loads a saved tokenizer that is faster on texts with line
breaks, tokens unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import srsly
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_suffix_regex, registry
from spacy.vocab import Vocab

BARE_TOKENIZER = "casebook.BareTokenizer.v1"

EXTRA_INFIXES = (r"(?<=[0-9A-Za-z])[=/×](?=[0-9A-Za-z(])",)
EXTRA_SUFFIXES = (r"(?<=[A-Z])\.",)


def clinical_tokenizer(nlp: Language) -> Tokenizer:
    """The default tokenizer of ``nlp`` with the clinical infix and suffix rules added."""
    tokenizer: Tokenizer = nlp.tokenizer
    infixes = list(nlp.Defaults.infixes or []) + list(EXTRA_INFIXES)
    suffixes = list(nlp.Defaults.suffixes or []) + list(EXTRA_SUFFIXES)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return tokenizer


def saved_tokenizer(vocab: Vocab, path: Path) -> Tokenizer:
    """The tokenizer a pipeline saved at ``path``, without its special cases for whitespace
    (``"\\n"``, ``"\\t"``, ``" "``).

    spaCy's tokenizer remembers how it split each space-separated chunk, but stops remembering
    for the rest of a text once any special case has applied in it (the flag that guards its
    cache is set per text, not per chunk). English's special cases include the line break, so
    in a text of several paragraphs almost every chunk after the first line was split afresh.
    Those special cases give a whitespace run the one
    token the ordinary rules give it too (they set nothing but its text), so dropping them
    changes no token. ``"\\xa0"`` stays: its special case also sets the token's norm.

    The special cases are dropped from the saved data before the tokenizer reads it, so that
    it builds the rest once.
    """
    data = srsly.msgpack_loads(path.read_bytes())
    data["exceptions"] = {
        text: pieces
        for text, pieces in (data.get("exceptions") or {}).items()
        if not (text.isspace() and all(set(piece) == {ORTH} for piece in pieces))
    }
    tokenizer = Tokenizer(vocab)
    tokenizer.from_bytes(srsly.msgpack_dumps(data))
    return tokenizer


def make_bare_tokenizer() -> Callable[[Language], Tokenizer]:
    """A tokenizer without rules, for a pipeline whose saved tokenizer replaces it when loaded
    (``saved_tokenizer``): the language's default rules are then never built for nothing."""

    def create(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return create


registry.tokenizers.register(BARE_TOKENIZER, func=make_bare_tokenizer)
