"""Regenerates the packaged inventory of acronym senses (``casebook.kb.acronym_senses``).

``python -m casebook.nlp.acronym_senses CORPUS.jsonl OUT.json`` counts, over a JSONL corpus of
case reports (PMC-Patients), the Schwartz & Hearst definitions (``casebook.nlp.abbreviations``)
of HPO's acronym aliases, and groups their long forms by whether they name the alias's concept.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from casebook.kb.acronym_senses import AcronymSense, AcronymSenses, long_form_key
from casebook.kb.base import KnowledgeBase, _is_acronym, normalize_alias
from casebook.kb.hpo import load_hpo
from casebook.nlp.abbreviations import _definitions

MIN_DEFINITIONS = 2
"""Fewest definitions in the corpus for a short form's share to be read at all; with fewer, its
senses in case reports are unknown and it is read as ambiguous."""
MAX_OTHER_SHARE = 0.1
"""The share of other senses from which an undefined short form names nothing: one undefined
use in ten or more would be coded wrong, which a reader will not accept of a shown code."""
MIN_OTHER_DEFINITIONS = 2
"""Fewest definitions giving other senses: one is an anecdote ("CHF (congenital hepatic
fibrosis)"), two reports apart a sense that recurs."""
MAX_OWN_LONG_FORMS = 8
"""Most of the own sense's defined long forms kept, most defined first."""
MAX_OTHER_LONG_FORMS = 5
"""Most of the other senses' long forms kept (for the reader), most defined first."""

SAME_NAME_RATIO = 0.75
"""Least similarity (``difflib``) of a long form to a name of the concept to count as it."""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def build(corpus: Path) -> AcronymSenses:
    """Count the definitions of HPO's acronym aliases over a JSONL corpus of case reports
    (``title`` and ``text`` fields), in file order."""
    kb = load_hpo()
    # Short alias as written → its concepts; only the short ones the matcher reads by case.
    shorts: dict[str, set[str]] = {}
    for key, surfaces in kb.surfaces.items():
        if len(key) > 5:
            continue
        for surface in surfaces:
            if _is_acronym(surface):
                shorts.setdefault(surface, set()).update(kb.aliases[key])
    long_forms: dict[str, Counter[str]] = {short: Counter() for short in shorts}
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            # The corpus writes some line breaks as the two characters "\\n".
            text = f"{row.get('title', '')}\n{row['text']}".replace("\\n", "\n")
            start = 0
            for cut in [*(m.start() for m in _SENTENCE_END.finditer(text)), len(text)]:
                for definition in _definitions(text, start, cut):
                    short = text[definition.short[0] : definition.short[1]]
                    if short.endswith("s") and short[:-1] in long_forms:
                        short = short[:-1]
                    if short in long_forms:
                        long = text[definition.long[0] : definition.long[1]]
                        long_forms[short][long_form_key(long)] += 1
                start = cut
    entries: list[AcronymSense] = []
    for short in sorted(shorts):
        counts = long_forms[short]
        total = sum(counts.values())
        concepts = shorts[short]
        related = set(concepts)
        for concept in concepts:
            related |= kb.ancestors(concept) | kb.descendants(concept)
        names = {
            normalize_alias(alias)
            for concept in concepts
            for alias in kb.concept(concept).aliases
            if not _is_acronym(alias) and len(normalize_alias(alias)) > 5
        }
        own: Counter[str] = Counter()
        other: Counter[str] = Counter()
        for long, count in counts.items():
            key = normalize_alias(long)
            named = kb.aliases.get(key, frozenset())
            if named & related or any(_same_name(key, name) for name in names):
                own[long] += count
            else:
                other[long] += count
        entries.append(
            AcronymSense(
                short=short,
                concepts=sorted(concepts),
                definitions=total,
                own=sum(own.values()),
                own_long_forms=_own_long_forms(own, kb, concepts),
                other_long_forms=dict(
                    sorted(other.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_OTHER_LONG_FORMS]
                ),
            )
        )
    return AcronymSenses(
        source=f"PMC-Patients case reports ({corpus.name}), Schwartz & Hearst definitions",
        min_definitions=MIN_DEFINITIONS,
        max_other_share=MAX_OTHER_SHARE,
        min_other_definitions=MIN_OTHER_DEFINITIONS,
        entries=entries,
    )


def _own_long_forms(own: Counter[str], kb: KnowledgeBase, concepts: set[str]) -> list[str]:
    """The own sense's long forms: the defined ones, most defined first, then the concepts'
    names (a text may name "cerebral palsy" though the corpus never defined "CP" so)."""
    longs = [long for long, _ in sorted(own.items(), key=lambda kv: (-kv[1], kv[0]))]
    longs = longs[:MAX_OWN_LONG_FORMS]
    # A name of three words or more that holds an acronym ("REM sleep behavior disorder") is a
    # long form too.
    names = sorted(
        {
            long_form_key(alias)
            for concept in concepts
            for alias in kb.concept(concept).aliases
            if not _is_acronym(alias) or len(alias.split()) >= 3
        }
    )
    return longs + [name for name in names if name not in longs]


def _same_name(long: str, name: str) -> bool:
    """Whether a normalised long form names what a normalised name does: it holds the name
    ("apical hypertrophic cardiomyopathy"), or differs from it by a misspelling or a split word
    ("myocardial infraction", "gastro intestinal stromal tumor")."""
    if f" {name} " in f" {long} ":
        return True
    squeezed, target = long.replace(" ", ""), name.replace(" ", "")
    return SequenceMatcher(None, squeezed, target).ratio() >= SAME_NAME_RATIO


def main(argv: list[str] | None = None) -> int:
    """``python -m casebook.nlp.acronym_senses CORPUS.jsonl OUT.json``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(main.__doc__, file=sys.stderr)
        return 2
    senses = build(Path(args[0]))
    payload = senses.model_dump(mode="json")
    Path(args[1]).write_text(
        json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
