"""GSC+ (Lobo et al. 2017; the PhenoTagger corpora, Luo et al. 2021): abstracts with HPO spans.

The file holds one block per document, blocks separated by a blank line: the document id on its
first line, the text on the second, then one ``start<TAB>end<TAB>words<TAB>HP id`` line per
annotated phenotype, offsets into the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.folders import require_file


@dataclass(frozen=True, slots=True)
class GscPlusTerm:
    """One annotated phenotype: its characters in the text and its HPO id."""

    start: int
    end: int
    text: str
    hpo: str


@dataclass(frozen=True, slots=True)
class GscPlusDocument:
    """One abstract and its annotated phenotypes."""

    id: str
    text: str
    terms: tuple[GscPlusTerm, ...]


def read_gscplus(path: Path) -> list[GscPlusDocument]:
    """The documents of a GSC+ file, in file order.

    Raises:
        CasebookError: ``CB-E001`` when missing; ``CB-E011`` for a block without a text, an
            annotation line that is not four fields with integer offsets, offsets outside the
            text or words that differ from the text's, or a repeated document id.
    """
    require_file(path)
    documents: list[GscPlusDocument] = []
    seen: set[str] = set()
    lines = path.read_text(encoding="utf-8").split("\n")
    number = 0
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        first = number + 1
        doc_id = lines[number].strip()
        if number + 1 >= len(lines) or not lines[number + 1].strip():
            raise CasebookError(ErrorCode.MALFORMED_DATASET, f"line {first}: no text", path)
        text = lines[number + 1]
        number += 2
        terms: list[GscPlusTerm] = []
        while number < len(lines) and lines[number].strip():
            terms.append(_term(lines[number], text, number + 1, path))
            number += 1
        if doc_id in seen:
            raise CasebookError(
                ErrorCode.MALFORMED_DATASET, f"line {first}: document {doc_id} repeats", path
            )
        seen.add(doc_id)
        documents.append(GscPlusDocument(doc_id, text, tuple(terms)))
    return documents


def _term(line: str, text: str, number: int, path: Path) -> GscPlusTerm:
    fields = line.rstrip("\r").split("\t")
    if len(fields) != 4 or not fields[0].isdigit() or not fields[1].isdigit():
        raise CasebookError(
            ErrorCode.MALFORMED_DATASET, f"line {number}: expected 'start end words HP-id'", path
        )
    start, end = int(fields[0]), int(fields[1])
    if not start < end <= len(text) or text[start:end] != fields[2]:
        raise CasebookError(
            ErrorCode.MALFORMED_DATASET,
            f"line {number}: {fields[2]!r} is not the text at {start}-{end}",
            path,
        )
    return GscPlusTerm(start, end, fields[2], fields[3].strip())
