"""Concept search: stored cases that state the same clinical facts, with the same polarity.

A case's *facts* are concept keys drawn from its analysed mentions and codes:

* a mention of a counted type (``search.json``: findings, treatments, tests, anatomy) gives the
  key ``group:words``, its words normalised as the knowledge bases normalise aliases
  (lower-cased, American spelling, singular; an abbreviation replaced by its long form), so
  "Headaches" and "headache" meet;
* a code on a mention, or a case-level code the case shows (``CaseCode.shown``), gives
  ``system:code``, and each of its ancestors up to ``max_ancestor_depth`` gives another key at
  ``ancestor_discount^n`` of its weight: ICD-10-CM and ICD-10-PCS by code prefix (``G96.00`` →
  ``G96.0`` → ``G96``), HPO along the ontology's ``is_a`` parents. So a case coded ``G96.0``
  meets one coded ``G96.00`` through their shared key ``G96.0``.

Every key carries its polarity: a negated fact is indexed as ``-key`` and a present one as
``+key``, so "no fever" never matches "fever". Family and hypothetical facts are not the
patient's and are left out.

A stored case ``d`` scores for a query case ``q``::

    score(q, d) = Σ over keys t shared by q and d of  idf(t)^p · w_q(t) · w_d(t)  /  |d|^α

with ``w(t)`` the largest weight the case gives key ``t`` and ``idf(t) = ln(1 + (N - df(t) +
0.5) / (df(t) + 0.5))``, BM25's inverse document frequency over the stored cases (Robertson
and Spärck Jones 1976). This is the inner product of the vector-space model with idf-weighted
binary features (Salton and Buckley 1988, "Term-weighting approaches in automatic text
retrieval"): a key most cases share ("pain") adds little, a rare complication or procedure much.
``|d|`` is the length of the case's idf-weighted vector; with α = 1 (``length_norm``) the score is
the cosine's numerator over the case's norm, so a long report with many facts does not win by
listing everything.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from casebook.kb.base import KnowledgeBase, normalize_alias
from casebook.kb.hpo import load_hpo
from casebook.kb.icd10cm import Icd10cmVocabulary, load_icd10cm
from casebook.model import Case, CodeSystem
from casebook.search.base import column_scores, load_columns, reorder_rows, save_columns
from casebook.search.settings import ConceptSettings

FactVector = dict[str, float]
"""Signed concept key (``+finding:headache``, ``-hpo:HP:0001945``) → weight."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One concept a case states, and where.

    Attributes:
        key: The concept, e.g. ``finding:headache`` or ``icd10cm:G96.0``.
        negated: Whether the case states that the patient does not have it.
        depth: 0 for a stated concept; n for the n-th ancestor of a stated code.
        weight: Its weight in the case (type or system weight, discounted by depth).
        label: What to show for it: the mention's words, or a code's name.
        spans: ``(start, end)`` of the words of the case text that state it.
        shown: Whether an explanation may show it: False for the words of a mention that is no
            fact about the patient (``Mention.patient_fact``: "stonemason pencil" typed as a
            treatment, the literature's other cases), which still count in the score.
    """

    key: str
    negated: bool
    depth: int
    weight: float
    label: str
    spans: tuple[tuple[int, int], ...]
    shown: bool = True

    @property
    def signed_key(self) -> str:
        """The key with its polarity, as the index holds it."""
        return signed_key(self.key, self.negated)

    def to_json(self) -> list[Any]:
        """A stated fact as a compact JSON array (ancestors are derived again on reading); a
        fact not to be shown carries a sixth item, 0."""
        data = [self.key, int(self.negated), self.weight, self.label, [list(s) for s in self.spans]]
        return data if self.shown else [*data, 0]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> Fact:
        """A stated fact written by :meth:`to_json`."""
        key, negated, weight, label, spans, *rest = data
        shown = bool(rest[0]) if rest else True
        return cls(
            key, bool(negated), 0, float(weight), label, tuple((s, e) for s, e in spans), shown
        )


def prefix_ancestors(code: str) -> list[str]:
    """The ancestors of an ICD-10-CM or ICD-10-PCS code by prefix, nearest first.

    ICD-10-CM codes nest by their characters (``G96.00`` under ``G96.0`` under the category
    ``G96``), and so do ICD-10-PCS codes, one axis per character. The 3-character category is
    the farthest ancestor.

    Args:
        code: A code such as ``G96.00`` or ``3E0R3GC``.

    Returns:
        The prefixes, nearest first, e.g. ``["G96.0", "G96"]``.
    """
    ancestors: list[str] = []
    current = code
    while len(current.replace(".", "")) > 3:
        current = current[:-1].rstrip(".")
        ancestors.append(current)
    return ancestors


def hpo_ancestors(kb: KnowledgeBase, code: str, max_depth: int) -> list[tuple[str, int]]:
    """HPO ancestors of ``code`` with their distance (shortest ``is_a`` path), nearest first.

    Args:
        kb: The HPO knowledge base.
        code: An HPO id.
        max_depth: The farthest distance returned.

    Returns:
        ``(ancestor id, distance)`` pairs, ordered by distance then id.
    """
    found: dict[str, int] = {}
    frontier = [code]
    for depth in range(1, max_depth + 1):
        parents = sorted(
            {
                parent
                for child in frontier
                if child in kb
                for parent in kb.concept(child).parents
                if parent not in found and parent != code
            }
        )
        for parent in parents:
            found[parent] = depth
        frontier = parents
    return sorted(found.items(), key=lambda item: (item[1], item[0]))


CODE_SYSTEMS: frozenset[str] = frozenset(system.value for system in CodeSystem)


class FactExtractor:
    """Turns an analysed case into its facts, as ``search.json`` says.

    Args:
        settings: The concept settings.
        hpo: The HPO knowledge base for ancestors; the packaged one when None.
    """

    def __init__(self, settings: ConceptSettings, hpo: KnowledgeBase | None = None) -> None:
        self.settings = settings
        self._hpo = hpo
        self._icd10cm: Icd10cmVocabulary | None = None
        self._present = frozenset(settings.present)
        self._negated = frozenset(settings.negated)
        self._ancestors: dict[str, list[tuple[str, int, str]]] = {}

    @property
    def icd10cm(self) -> Icd10cmVocabulary:
        """The ICD-10-CM vocabulary, for its categories' titles; loaded on first use."""
        if self._icd10cm is None:
            self._icd10cm = load_icd10cm()
        return self._icd10cm

    @property
    def hpo(self) -> KnowledgeBase:
        """The HPO knowledge base, loaded on first use."""
        if self._hpo is None:
            self._hpo = load_hpo()
        return self._hpo

    def _code_fact(
        self,
        system: CodeSystem,
        code: str,
        label: str,
        negated: bool,
        spans: tuple[tuple[int, int], ...],
        shown: bool = True,
    ) -> list[Fact]:
        weight = self.settings.code_systems.get(system)
        if weight is None:
            return []
        return [Fact(f"{system.value}:{code}", negated, 0, weight, label, spans, shown)]

    def ancestors(self, key: str) -> list[tuple[str, int, str]]:
        """The ancestor keys of a code key with their distance and name, nearest first."""
        known = self._ancestors.get(key)
        if known is not None:
            return known
        system, _, code = key.partition(":")
        if system == CodeSystem.HPO.value:
            hpo = self.hpo
            found = [
                (f"{system}:{a}", d, hpo.concept(a).name if a in hpo else a)
                for a, d in hpo_ancestors(hpo, code, self.settings.max_ancestor_depth)
            ]
        elif system == CodeSystem.ICD10CM.value:
            # An explanation shows what a shared category is, not only its code ("I82.4 Acute
            # embolism and thrombosis of deep veins of lower extremity").
            prefixes = prefix_ancestors(code)[: self.settings.max_ancestor_depth]
            titles = self.icd10cm
            found = [
                (f"{system}:{a}", d, titles.title(a) or a) for d, a in enumerate(prefixes, start=1)
            ]
        elif system in CODE_SYSTEMS:
            prefixes = prefix_ancestors(code)[: self.settings.max_ancestor_depth]
            found = [(f"{system}:{a}", d, a) for d, a in enumerate(prefixes, start=1)]
        else:
            found = []
        self._ancestors[key] = found
        return found

    def stated(self, case: Case) -> list[Fact]:
        """The facts a case states itself (no ancestors), in text order of their source.

        Args:
            case: An analysed case.

        Returns:
            The facts; a concept stated twice gives two facts with the same key.
        """
        settings = self.settings
        found: list[Fact] = []
        for mention in case.mentions:
            if mention.assertion in self._present:
                negated = False
            elif mention.assertion in self._negated:
                negated = True
            else:
                continue
            spans = ((mention.start, mention.end),)
            shown = mention.patient_fact is not False
            rule = settings.mention_types.get(mention.type)
            if rule is not None:
                # The marked words: "severe headache" and "headache" are one concept.
                words = normalize_alias(mention.expansion or mention.marked_text)
                if len(words) >= settings.min_key_chars and any(c.isalpha() for c in words):
                    key = f"{rule.group}:{words}"
                    found.append(Fact(key, negated, 0, rule.weight, mention.text, spans, shown))
            for code in mention.codes:
                label = code.display or code.code
                found += self._code_fact(code.system, code.code, label, negated, spans, shown)
        for case_code in case.codes:
            if not case_code.shown:
                continue
            label = case_code.display or case_code.code
            evidence = tuple((e.start, e.end) for e in case_code.evidence)
            found += self._code_fact(case_code.system, case_code.code, label, False, evidence)
        return found

    def expand(self, stated: Sequence[Fact]) -> list[Fact]:
        """Stated facts followed by the ancestors of their codes, discounted by distance."""
        return [
            *stated,
            *(
                Fact(key, fact.negated, depth, weight, name, fact.spans, fact.shown)
                for fact, key, depth, name, weight in self._inherited(stated)
            ),
        ]

    def vector(self, stated: Sequence[Fact]) -> FactVector:
        """``fact_vector(self.expand(stated))``, keys in the same order, without making a fact
        of each ancestor (a case has about a hundred)."""
        vector = fact_vector(stated)
        for fact, key, _, _, weight in self._inherited(stated):
            signed = signed_key(key, fact.negated)
            if weight > vector.get(signed, 0.0):
                vector[signed] = weight
        return vector

    def _inherited(self, stated: Sequence[Fact]) -> Iterator[tuple[Fact, str, int, str, float]]:
        """``(stated fact, ancestor key, depth, name, weight)`` of every ancestor of the
        stated facts' codes, its weight discounted by distance; none when the discount is 0."""
        discount = self.settings.ancestor_discount
        if discount <= 0:
            return
        for fact in stated:
            for key, depth, name in self.ancestors(fact.key):
                yield fact, key, depth, name, fact.weight * discount**depth

    def facts(self, case: Case) -> list[Fact]:
        """Every fact of the case, stated and inherited."""
        return self.expand(self.stated(case))


def signed_key(key: str, negated: bool) -> str:
    """A fact's key with its polarity, as the index holds it: ``+key`` or ``-key``."""
    return ("-" if negated else "+") + key


def fact_vector(facts: Iterable[Fact]) -> FactVector:
    """Each signed key once, with the largest weight any of its facts gives it."""
    vector: FactVector = {}
    for fact in facts:
        key = fact.signed_key
        if fact.weight > vector.get(key, 0.0):
            vector[key] = fact.weight
    return vector


def bm25_idf(df: npt.NDArray[np.float64], n: int) -> npt.NDArray[np.float64]:
    """BM25's inverse document frequency ``ln(1 + (N - df + 0.5) / (df + 0.5))``."""
    result: npt.NDArray[np.float64] = np.log1p((n - df + 0.5) / (df + 0.5))
    return result


def _row_sums_of_squares(
    matrix: sp.csc_array, column_weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Each row's sum of its squared entries, each entry weighted by its column's weight.

    A few thousand columns at a time, so that the temporary arrays stay small whatever the
    number of cases (scipy's ``multiply`` would copy the whole matrix twice).
    """
    sums = np.zeros(int(matrix.shape[0]), dtype=np.float64)
    indptr = matrix.indptr
    for first in range(0, len(indptr) - 1, _COLUMNS_AT_ONCE):
        last = min(len(indptr) - 1, first + _COLUMNS_AT_ONCE)
        part = slice(int(indptr[first]), int(indptr[last]))
        weights = np.repeat(column_weights[first:last], np.diff(indptr[first : last + 1]))
        sums += np.bincount(
            matrix.indices[part], weights=(matrix.data[part] * weights) ** 2, minlength=len(sums)
        )
    return sums


_COLUMNS_AT_ONCE = 2048
"""Columns weighed at a time by ``_row_sums_of_squares``."""


class ConceptIndex:
    """Fact vectors of a fixed collection of cases, ready to score a query's facts.

    Build one with :meth:`build` or :meth:`load`.

    Args:
        keys: The signed keys, in column order.
        matrix: Cases × keys weights (CSC).
        idf_power: The exponent of each key's idf.
        length_norm: Each case's score is divided by the norm of its idf-weighted vector to
            this power: 1 is the cosine's normalisation, 0 none.
    """

    def __init__(
        self, keys: Sequence[str], matrix: sp.csc_array, idf_power: float, length_norm: float
    ) -> None:
        self.keys: dict[str, int] = {key: i for i, key in enumerate(keys)}
        self._matrix = matrix
        n = int(matrix.shape[0])
        df = np.diff(matrix.indptr).astype(np.float64)
        self.idf: npt.NDArray[np.float64] = bm25_idf(df, n) ** idf_power
        self.idf_power = idf_power
        self.length_norm = length_norm
        norms = np.sqrt(_row_sums_of_squares(matrix, self.idf))
        norms[norms == 0] = 1.0
        self._divisor: npt.NDArray[np.float64] = norms**length_norm

    @classmethod
    def build(
        cls, vectors: Iterable[Mapping[str, float]], idf_power: float, length_norm: float = 0.0
    ) -> ConceptIndex:
        """Index one fact vector per case, in case order."""
        builder = ConceptIndexBuilder()
        for vector in vectors:
            builder.add(vector)
        return builder.build(idf_power, length_norm)

    def __len__(self) -> int:
        """How many cases are indexed."""
        return int(self._matrix.shape[0])

    def key_weight(self, key: str) -> float:
        """A signed key's idf weight in this collection (as if seen once when unseen)."""
        column = self.keys.get(key)
        if column is not None:
            return float(self.idf[column])
        n = len(self)
        return float(bm25_idf(np.array([1.0]), max(n, 1))[0] ** self.idf_power)

    def scores(self, query: Mapping[str, float]) -> npt.NDArray[np.float32]:
        """Every indexed case's score for a query fact vector, in index order."""
        columns = [self.keys[key] for key in query if key in self.keys]
        if not columns:
            return np.zeros(len(self), dtype=np.float32)
        weights = np.array([query[key] for key in query if key in self.keys], dtype=np.float64)
        weights *= self.idf[columns]
        result = column_scores(self._matrix, np.asarray(columns, dtype=np.int64), weights)
        return np.asarray(result / self._divisor, dtype=np.float32)

    def group_scores(
        self, query: Mapping[str, float], groups: Sequence[str], cases: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64]:
        """Groups × cases: the part of each given case's :meth:`scores` that the query's keys
        of each group make. A key's group is the word before its first colon:
        ``+finding:fever`` is a ``finding``, ``-hpo:HP:0001945`` an ``hpo``; summed over the
        groups it is the case's score (up to rounding) when every key of the query is of one.

        Args:
            query: The query's fact vector.
            groups: The groups, in row order.
            cases: Positions of the cases, ascending.
        """
        result = np.zeros((len(groups), len(cases)), dtype=np.float64)
        rows = {group: result[i] for i, group in enumerate(groups)}
        indptr, indices, data = self._matrix.indptr, self._matrix.indices, self._matrix.data
        for key, weight in query.items():
            column = self.keys.get(key)
            part = rows.get(key[1:].partition(":")[0])
            if column is None or part is None or not len(cases):
                continue
            start, end = int(indptr[column]), int(indptr[column + 1])
            holding = indices[start:end]
            factor = weight * self.idf[column]
            # Both lists are ascending: look the shorter up in the longer.
            if len(holding) <= len(cases):
                at = np.minimum(np.searchsorted(cases, holding), len(cases) - 1)
                found = cases[at] == holding
                part[at[found]] += data[start:end][found] * factor
            else:
                at = np.minimum(np.searchsorted(holding, cases), len(holding) - 1)
                found = holding[at] == cases
                part[found] += data[start:end][at[found]] * factor
        result /= self._divisor[cases]
        return result

    def cases_with(self, key: str) -> npt.NDArray[np.int64]:
        """Positions of the cases holding a signed key."""
        column = self.keys.get(key)
        if column is None:
            return np.zeros(0, dtype=np.int64)
        start, end = self._matrix.indptr[column], self._matrix.indptr[column + 1]
        return np.asarray(self._matrix.indices[start:end], dtype=np.int64)

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (created when missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "concept_keys.json").write_text(
            json.dumps(
                {
                    "idf_power": self.idf_power,
                    "length_norm": self.length_norm,
                    "keys": list(self.keys),
                }
            ),
            encoding="utf-8",
        )
        save_columns(folder / "concepts.npz", self._matrix)

    @classmethod
    def load(cls, folder: Path) -> ConceptIndex:
        """Read an index written by :meth:`save`."""
        meta = json.loads((folder / "concept_keys.json").read_text(encoding="utf-8"))
        matrix = load_columns(folder / "concepts.npz")
        return cls(meta["keys"], matrix, float(meta["idf_power"]), float(meta["length_norm"]))


class ConceptIndexBuilder:
    """Builds a :class:`ConceptIndex` one case at a time, into flat arrays (rows in order, as
    a CSR matrix holds them): memory grows with the index, not with the cases' Python
    objects."""

    def __init__(self) -> None:
        self._columns: dict[str, int] = {}
        self._keys = array("i")
        self._weights = array("f")
        self._sizes = array("q")

    def add(self, vector: Mapping[str, float]) -> None:
        """Add the next case's fact vector."""
        columns = self._columns
        self._keys.extend([columns.setdefault(key, len(columns)) for key in vector])
        self._weights.extend(vector.values())
        self._sizes.append(len(vector))

    def build(
        self,
        idf_power: float,
        length_norm: float = 0.0,
        rows: npt.NDArray[np.int64] | None = None,
    ) -> ConceptIndex:
        """The index of the cases added; the builder is empty afterwards.

        Args:
            idf_power: See :class:`ConceptIndex`.
            length_norm: See :class:`ConceptIndex`.
            rows: Which case added is at each position of the index (a permutation of the
                order added); None when they are in the order added.
        """
        keys = sorted(self._columns)
        # Columns in key order, as an index built from all the vectors at once has them.
        order = np.empty(len(keys), dtype=np.int32)
        order[[self._columns[key] for key in keys]] = np.arange(len(keys), dtype=np.int32)
        columns = order[np.frombuffer(self._keys, dtype=np.int32)]
        weights = np.frombuffer(self._weights, dtype=np.float32)
        sizes = np.frombuffer(self._sizes, dtype=np.int64)
        self._columns, self._keys, self._weights, self._sizes = (
            {},
            array("i"),
            array("f"),
            array("q"),
        )
        indptr = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        by_case = sp.csr_array((weights, columns, indptr), shape=(len(sizes), len(keys)))
        matrix = by_case.tocsc()
        del by_case, columns, weights
        if rows is None:
            matrix.sort_indices()
        else:
            reorder_rows(matrix, rows)
        return ConceptIndex(keys, matrix, idf_power, length_norm)
