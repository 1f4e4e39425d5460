"""spaCy's English tokenizer with a few rules for clinical text.

The additions split ``=``, ``/`` and ``×`` between word characters ("EF=0.20", "CT/MRI"),
and a final period after an upper-case letter ("16 mg/dL."), so that more annotated entity
boundaries fall on token boundaries. spaCy saves these rules with the model, so a trained
pipeline loads them back without any registration.

``without_whitespace_special_cases`` lets a loaded tokenizer remember its splits through texts
with line breaks, tokens unchanged.
"""

from __future__ import annotations

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_suffix_regex

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


def without_whitespace_special_cases(tokenizer: Tokenizer) -> Tokenizer:
    """``tokenizer`` without its special cases for whitespace (``"\\n"``, ``"\\t"``, ``" "``).

    spaCy's tokenizer remembers how it split each space-separated chunk, but stops remembering
    for the rest of a text once any special case has applied in it (the flag that guards its
    cache is set per text, not per chunk). English's special cases include the line break, so
    in a text of several paragraphs almost every chunk after the first line was split afresh.
    Those special cases give a whitespace run the one
    token the ordinary rules give it too (they set nothing but its text), so dropping them
    changes no token. ``"\\xa0"`` stays: its special case also sets the token's norm.
    """
    rules = tokenizer.rules or {}
    kept = {
        text: pieces
        for text, pieces in rules.items()
        if not (text.isspace() and all(set(piece) == {ORTH} for piece in pieces))
    }
    if len(kept) < len(rules):
        tokenizer.rules = kept
    return tokenizer
