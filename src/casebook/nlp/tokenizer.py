"""spaCy's English tokenizer with a few rules for clinical text.

The additions split ``=``, ``/`` and ``×`` between word characters ("EF=0.20", "CT/MRI"),
and a final period after an upper-case letter ("16 mg/dL."), so that more annotated entity
boundaries fall on token boundaries. spaCy saves these rules with the model, so a trained
pipeline loads them back without any registration.
"""

from __future__ import annotations

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
