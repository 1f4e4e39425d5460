"""The similar-case index: BM25 over the text and concept search, fused, with filters.

``CaseIndex`` composes the two searchers (Pyserini's hybrid searcher does the same: it holds
no scoring of its own). A stored case is indexed by its title (``title_repeats`` times) and text
for BM25, and by its facts (``casebook.search.concepts``) for concept search; a query case is
searched by its text and its facts, and the two rankings are fused by the method of
``search.json``: the learned linear model of ``search_fusion.json`` over what the index holds of
each candidate (``casebook.search.learned``; fitted on PMC-Patients ``tune`` queries, it beat
the CombSUM below there), CombSUM of min-max normalised scores with the patient boost, which
beat reciprocal rank fusion of the same two rankings (see BENCHMARKS.md), or reciprocal rank
fusion (``casebook.search.fusion``). For the learned fusion the index also holds a BM25 index of
the stored cases' titles alone, which the query's diagnoses search (``title_query``).

Filters (age range, sex, a code with its descendants, a treatment, an outcome) restrict both
rankings before fusion, so ``k`` hits come back whenever ``k`` cases pass.

The index saves to and loads from a folder, so that a store's index is built once and reused
until the store changes. Besides the two searchers it keeps, per case, what explanations and
tallies need (the text, the stated facts, the treatments with their outcomes) as one JSON line,
read back by offset, so that showing ten hits never parses ten whole cases.

What the index takes from each case (its BM25 tokens, fact vector, record and facets) does not
depend on the other cases: ``CaseIndexer`` computes it as an ``IndexEntry`` where the case is
analysed, the case store keeps it beside the case, and :meth:`CaseIndex.from_entries` builds
the index from the entries alone, never reading a case again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import weakref
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.heads import load_head_words
from casebook.kb.hpo import load_hpo
from casebook.kb.icd10cm import load_icd10cm
from casebook.kb.icd10pcs import load_icd10pcs
from casebook.kb.nonclinical import default_non_clinical
from casebook.model import Case, Outcome, Span
from casebook.search.base import Hit, top_positions
from casebook.search.bm25 import BM25Builder, BM25Searcher, Tokenizer
from casebook.search.concepts import (
    ConceptIndex,
    ConceptIndexBuilder,
    Fact,
    FactExtractor,
    FactVector,
    fact_vector,
)
from casebook.search.filters import SearchFilters
from casebook.search.fusion import patient_boost, reciprocal_rank_fusion, weighted_sum_fusion
from casebook.search.learned import (
    CandidateScores,
    as_vector,
    candidate_features,
    feature_names,
    linear_scores,
    patient_features,
    ranking,
)
from casebook.search.outcomes import OutcomeReader, TreatmentOutcome, load_outcome_rules
from casebook.search.saved import REMOVED_FILE, removed_ids
from casebook.search.settings import (
    FusionModel,
    SearchSettings,
    load_fusion_model,
    load_search_settings,
)
from casebook.search.treatments import (
    load_treatment_rules,
    load_treatment_synonyms,
    packaged_treatment_names,
    treatment_words,
)

INDEX_FORMAT = 4
"""The version of what an entry derives from a case; a saved index or a stored entry of
another version is rebuilt. 2: treatments are therapeutic procedures and
medications only, under one name per concept, each with its concept's name and code; a
case code is a concept key when the case shows it. 3: no treatment names a person, an
occupation, an organisation, a place, a drug of abuse or a laboratory analyte alone. 4: the
record holds the words that search the titles when the case is the query (``title_query``)."""

SAVED_LAYOUT = 3
"""The version of the files a saved index is made of; a saved index of another is rebuilt
from the stored entries. 2: the BM25 matrix as casebook's own arrays (``bm25.npz``). 3: the
BM25 index of the titles alone (``titles/``)."""

TITLES_FOLDER = "titles"
"""Where a saved index keeps the BM25 index of the stored cases' titles."""


@dataclass(frozen=True, slots=True)
class Facets:
    """What filters and result listings need of a stored case.

    Attributes:
        title: The case's title.
        age_years: The patient's age.
        sex: The patient's sex.
        treatments: Normalised words of the treatments the patient had.
        outcomes: The outcomes the case reports.
    """

    title: str | None = None
    age_years: float | None = None
    sex: str | None = None
    treatments: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The facets as a JSON object (what ``dataclasses.asdict`` gives, without its deep
        copy, which a corpus's index pays once per case)."""
        return {
            "title": self.title,
            "age_years": self.age_years,
            "sex": self.sex,
            "treatments": list(self.treatments),
            "outcomes": list(self.outcomes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facets:
        """Facets as :meth:`to_json` wrote them."""
        return cls(
            title=data["title"],
            age_years=data["age_years"],
            sex=data["sex"],
            treatments=tuple(data["treatments"]),
            outcomes=tuple(data["outcomes"]),
        )


@dataclass(frozen=True, slots=True)
class QueryCase:
    """What a search needs of a case.

    Attributes:
        id: The case's id (a stored case with this id is never its own hit).
        text: Its text, the BM25 query.
        facts: Its facts, stated and inherited, the concept query.
        age_years: The patient's age, when the case says it.
        sex: The patient's sex, when the case says it.
        title_query: The words that search the stored cases' titles (:func:`title_query`).
    """

    id: str
    text: str
    facts: tuple[Fact, ...]
    age_years: float | None = None
    sex: str | None = None
    title_query: str = ""


@dataclass(frozen=True, slots=True)
class StoredCase:
    """What the index keeps of a stored case to explain it, tally its treatments and search
    by it."""

    id: str
    text: str
    facts: list[Fact]
    treatments: list[TreatmentOutcome]
    facets: Facets
    title_query: str


def title_query(case: Case, settings: SearchSettings) -> str:
    """The words that search the stored cases' titles when ``case`` is the query: those of its
    mentions of the ``text.title_query_types`` (its diagnoses) that it states as the patient's
    (``concepts.present``), an abbreviation by its long form, in text order."""
    types = frozenset(settings.text.title_query_types)
    present = frozenset(settings.concepts.present)
    return " . ".join(
        mention.expansion or mention.text
        for mention in case.mentions
        if mention.type in types and mention.assertion in present
    )


def _record(
    text: str, stated: Sequence[Fact], treatments: Sequence[TreatmentOutcome], title_words: str
) -> str:
    return json.dumps(
        {
            "text": text,
            "title_query": title_words,
            "facts": [fact.to_json() for fact in stated],
            "treatments": [
                [t.key, t.text, t.span.start, t.span.end, t.outcome.value, t.name, t.code]
                for t in treatments
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


class _Records:
    """One JSON line per indexed case, read by offset from a file: a temporary one while the
    index is only in memory, the saved ``records.jsonl`` once loaded. Reads use ``pread``,
    which leaves the file position alone, so that threads serving searches may share it."""

    def __init__(
        self,
        file: BinaryIO,
        offsets: npt.NDArray[np.int64],
        rows: npt.NDArray[np.int64] | None = None,
    ) -> None:
        self._file = file
        self._offsets = offsets
        self._rows = rows
        """Which line of the file is at each position; None when line i is at position i."""
        # Closed with the records, however many threads or indexes shared them.
        weakref.finalize(self, file.close)

    @classmethod
    def open(cls, path: Path) -> _Records:
        """The records of a saved index."""
        return cls(path.open("rb"), np.load(path.with_suffix(".offsets.npy")))

    def _read(self, line: int) -> bytes:
        start, end = int(self._offsets[line]), int(self._offsets[line + 1])
        return os.pread(self._file.fileno(), end - start, start)

    def get(self, position: int) -> dict[str, Any]:
        line = position if self._rows is None else int(self._rows[position])
        data: dict[str, Any] = json.loads(self._read(line))
        return data

    def save(self, path: Path) -> None:
        """Write the records in position order, and their offsets beside them."""
        self._file.flush()
        with path.open("wb") as out:
            if self._rows is None:
                size = int(self._offsets[-1])
                done = 0
                while done < size:
                    piece = os.pread(self._file.fileno(), min(1 << 24, size - done), done)
                    out.write(piece)
                    done += len(piece)
                offsets = self._offsets
            else:
                lengths = np.diff(self._offsets)[self._rows]
                offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
                np.cumsum(lengths, out=offsets[1:])
                for line in self._rows.tolist():
                    out.write(self._read(line))
        np.save(path.with_suffix(".offsets.npy"), offsets)


class _RecordsWriter:
    """Writes the records of an index being built to a temporary file, one line at a time."""

    def __init__(self) -> None:
        # Owned by the records for the index's life; the system deletes it when it closes.
        self._file: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115
        self._offsets = array("q", [0])

    def add(self, record: str) -> None:
        line = record.encode("utf-8") + b"\n"
        self._file.write(line)
        self._offsets.append(self._offsets[-1] + len(line))

    def done(self, rows: npt.NDArray[np.int64] | None = None) -> _Records:
        """The records written, line ``rows[i]`` at position ``i`` (line ``i`` when None)."""
        self._file.flush()
        return _Records(self._file, np.frombuffer(self._offsets, dtype=np.int64).copy(), rows)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the index takes from one case; it depends on that case and the settings alone.

    Attributes:
        id: The case id.
        tokens: The BM25 tokens of its title and text.
        vector: Its fact vector, stated facts and their ancestors.
        record: The JSON line ``stored`` reads back (text, stated facts, treatments).
        facets: What filters and listings need.
    """

    id: str
    tokens: list[str]
    vector: FactVector
    record: str
    facets: Facets

    def to_json(self) -> str:
        """The entry as JSON (without its id), as the case store keeps it."""
        return json.dumps(
            {
                "tokens": " ".join(self.tokens),
                "vector": self.vector,
                "record": self.record,
                "facets": self.facets.to_json(),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(
        cls, case_id: str, text: str, vocabulary: dict[str, str] | None = None
    ) -> IndexEntry:
        """An entry written by :meth:`to_json`.

        Args:
            case_id: The case id.
            text: The JSON.
            vocabulary: Tokens seen so far, each kept once: a corpus holds millions of
                tokens but only tens of thousands of distinct ones. For entries that are
                kept; None for one indexed at once and dropped.
        """
        data = json.loads(text)
        tokens: list[str] = data["tokens"].split()
        return cls(
            case_id,
            tokens if vocabulary is None else [vocabulary.setdefault(t, t) for t in tokens],
            data["vector"],
            data["record"],
            Facets.from_json(data["facets"]),
        )


def entry_key(settings: SearchSettings) -> str:
    """What an entry was built by: the index layout, the settings and the treatment and outcome
    rules; another key, another entry."""
    return f"{INDEX_FORMAT}:{settings_digest(settings)}:{rules_digest()}"


def concept_groups(settings: SearchSettings) -> tuple[str, ...]:
    """The groups of concept keys: the mention groups of ``search.json``, then its code
    systems, each once, in the file's order."""
    mentions = [rule.group for rule in settings.concepts.mention_types.values()]
    systems = [system.value for system in settings.concepts.code_systems]
    return tuple(dict.fromkeys([*mentions, *systems]))


class CaseIndexer:
    """Computes the index entry of a case.

    Args:
        settings: The search settings; the packaged ones when None.
    """

    def __init__(self, settings: SearchSettings | None = None) -> None:
        self.settings = settings or load_search_settings()
        self.key = entry_key(self.settings)
        self._extractor = FactExtractor(self.settings.concepts)
        self._reader = OutcomeReader()
        self._tokenize = Tokenizer()

    def entry(self, case: Case) -> IndexEntry:
        """The case's entry."""
        stated = self._extractor.stated(case)
        statements = self._reader.statements(case)
        treatments = self._reader.treatments(case, statements)
        return IndexEntry(
            id=case.id,
            tokens=self._tokenize(CaseIndex.indexed_text(case, self.settings)),
            vector=self._extractor.vector(stated),
            record=_record(case.text, stated, treatments, title_query(case, self.settings)),
            facets=Facets(
                title=case.title,
                age_years=case.patient.age_years,
                sex=case.patient.sex.value if case.patient.sex else None,
                treatments=tuple(sorted({t.key for t in treatments})),
                outcomes=tuple(sorted({s.outcome.value for s in statements})),
            ),
        )


def code_key(code: str) -> tuple[str, str]:
    """The code system and code of a filter value (``G96.0``, ``HP:0001945``, ``hpo:…``).

    Returns:
        ``(system, code)``; a bare code is HPO when it starts with ``HP:``, else ICD-10-CM.
    """
    system, _, rest = code.partition(":")
    if rest and system.lower() in {"icd10cm", "icd10pcs", "hpo"}:
        return system.lower(), rest.strip()
    if code.upper().startswith("HP:"):
        return "hpo", code.upper()
    return "icd10cm", code.strip().upper()


def check_codes(filters: SearchFilters) -> None:
    """Fail on a filter code that no vocabulary holds, rather than silently find nothing.

    Raises:
        CasebookError: ``CB-E022`` naming the first unknown code.
    """
    for code in filters.codes:
        system, value = code_key(code)
        if not _known_code(system, value):
            names = {"icd10cm": "ICD-10-CM 2026", "hpo": "HPO", "icd10pcs": "ICD-10-PCS"}
            raise CasebookError(
                ErrorCode.UNKNOWN_CODE, f"--code {code}: no such {names[system]} code"
            )


def _known_code(system: str, value: str) -> bool:
    if system == "hpo":
        return value in load_hpo()
    if system == "icd10cm":
        return value in load_icd10cm()
    pcs = load_icd10pcs()
    if not value or len(value) > 7:
        return False
    if pcs.in_tables(value):
        return all(value[i] in pcs.next_characters(value[:i]) for i in range(1, len(value)))
    return any(c.startswith(value) or value.startswith(c) for c in pcs.concepts)


class CaseIndex:
    """Stored cases, indexed for similar-case search.

    Build one with :meth:`build` or :meth:`load`.
    """

    def __init__(
        self,
        ids: Sequence[str],
        facets: Sequence[Facets],
        text: BM25Searcher,
        titles: BM25Searcher,
        concepts: ConceptIndex,
        settings: SearchSettings,
        records: _Records,
        removed: frozenset[str] = frozenset(),
        model: FusionModel | None = None,
    ) -> None:
        self.ids: tuple[str, ...] = tuple(ids)
        self._records = records
        self.removed = removed & set(self.ids)
        """Cases removed from the store since the index was built (``casebook.search.saved``):
        never returned, shown or looked up."""
        self.positions = {
            case_id: i for i, case_id in enumerate(self.ids) if case_id not in self.removed
        }
        """Row of each case the index holds."""
        self._removed_rows = [i for i, case_id in enumerate(self.ids) if case_id in self.removed]
        self.facets = list(facets)
        self.text = text
        self.titles = titles
        """BM25 over the stored cases' titles alone, searched by a query's diagnoses."""
        self.concepts = concepts
        self.settings = settings
        self.extractor = FactExtractor(settings.concepts)
        self._ages = np.array(
            [f.age_years if f.age_years is not None else np.nan for f in facets], dtype=np.float64
        )
        self._sexes = np.array([f.sex or "" for f in facets], dtype=object)
        self.groups = concept_groups(settings)
        """The concept groups whose parts of the concept score are features of the learned
        fusion."""
        self.features = feature_names(self.groups)
        """The learned fusion's features, in column order."""
        self._weights: npt.NDArray[np.float64] | None = None
        if settings.fusion.method == "learned":
            self.use_model(model or load_fusion_model())

    def use_model(self, model: FusionModel) -> None:
        """Rank by this learned fusion model from now on.

        Raises:
            ValueError: When its weights are not those of this index's features.
        """
        self._weights = as_vector(model.weights, self.features)

    @staticmethod
    def indexed_text(case: Case, settings: SearchSettings) -> str:
        """What BM25 indexes of a stored case: its title, repeated, then its text."""
        title = (case.title or "").strip()
        return (title + "\n") * settings.text.title_repeats + case.text if title else case.text

    @classmethod
    def build(
        cls,
        cases: Iterable[Case],
        settings: SearchSettings | None = None,
        on_advance: Callable[[], None] | None = None,
    ) -> CaseIndex:
        """Index cases.

        Args:
            cases: Analysed cases with unique ids; read one at a time.
            settings: The search settings; the packaged ones when None.
            on_advance: Called after each case.

        Raises:
            ValueError: When two cases share an id.
        """
        indexer = CaseIndexer(settings)

        def entries() -> Iterable[IndexEntry]:
            for case in cases:
                yield indexer.entry(case)
                if on_advance:
                    on_advance()

        return cls.from_entries(entries(), indexer.settings)

    @classmethod
    def from_entries(cls, entries: Iterable[IndexEntry], settings: SearchSettings) -> CaseIndex:
        """Index cases from their entries, which ``CaseIndexer`` computed with ``settings``.

        The entries may come in any order: the index holds the cases sorted by id, so that
        the same cases make the same index (and break ties alike) whichever store read them.

        Raises:
            ValueError: When two entries share an id.
        """
        added: list[str] = []
        text = BM25Builder(settings.text.k1, settings.text.b, settings.text.query_idf_power)
        titles = BM25Builder(settings.text.k1, settings.text.title_b, settings.text.query_idf_power)
        tokenize = Tokenizer()
        concepts = ConceptIndexBuilder()
        facets: list[Facets] = []
        records = _RecordsWriter()
        # One entry at a time into the builders: none is kept, so that memory grows with the
        # index's arrays, not with the entries.
        for entry in entries:
            added.append(entry.id)
            text.add(entry.tokens)
            titles.add(tokenize((entry.facets.title or "").strip()))
            concepts.add(entry.vector)
            records.add(entry.record)
            facets.append(entry.facets)
        order = sorted(range(len(added)), key=added.__getitem__)
        ids = [added[row] for row in order]
        del added
        rows = None if order == list(range(len(order))) else np.array(order, dtype=np.int64)
        return cls(
            ids,
            [facets[row] for row in order],
            text.build(ids, rows),
            titles.build(ids, rows),
            concepts.build(settings.concepts.idf_power, settings.concepts.length_norm, rows),
            settings,
            records.done(rows),
        )

    def query(self, case: Case) -> QueryCase:
        """An analysed case as a query."""
        return QueryCase(
            case.id,
            case.text,
            tuple(self.extractor.facts(case)),
            case.patient.age_years,
            case.patient.sex.value if case.patient.sex else None,
            title_query(case, self.settings),
        )

    def stored(self, case_id: str) -> StoredCase:
        """What the index keeps of a stored case.

        Raises:
            KeyError: When no indexed case has that id.
        """
        position = self.positions[case_id]
        record = self._records.get(position)
        stated = [Fact.from_json(f) for f in record["facts"]]
        treatments = [
            TreatmentOutcome(
                key, words, Span(start=start, end=end), Outcome(outcome), None, name, code
            )
            for key, words, start, end, outcome, name, code in record["treatments"]
        ]
        return StoredCase(
            case_id,
            record["text"],
            self.extractor.expand(stated),
            treatments,
            self.facets[position],
            record["title_query"],
        )

    def stored_query(self, case_id: str) -> QueryCase:
        """A stored case as a query.

        Raises:
            KeyError: When no indexed case has that id.
        """
        stored = self.stored(case_id)
        facets = stored.facets
        return QueryCase(
            case_id,
            stored.text,
            tuple(stored.facts),
            facets.age_years,
            facets.sex,
            stored.title_query,
        )

    def __len__(self) -> int:
        """How many rows the index has: its cases, and those removed since it was built."""
        return len(self.ids)

    def allowed(self, filters: SearchFilters | None) -> npt.NDArray[np.bool_] | None:
        """Which indexed cases pass the filters; None when there are none."""
        if not filters:
            return None
        mask = np.ones(len(self), dtype=bool)
        with np.errstate(invalid="ignore"):
            if filters.age_min is not None:
                mask &= self._ages >= filters.age_min
            if filters.age_max is not None:
                mask &= self._ages <= filters.age_max
        if filters.sex is not None:
            mask &= self._sexes == filters.sex.value
        for code in filters.codes:
            mask &= self._with_code(code)
        if filters.procedure is not None:
            # The words as typed, or the concept they name ("IVIG" finds "intravenous
            # immunoglobulin"), within a treatment's key ("blood patch" finds "lumbar blood
            # patch").
            procedure = filters.procedure
            typed = {treatment_words(procedure), packaged_treatment_names().key(procedure)}
            words = [f" {w} " for w in typed if w]
            mask &= np.array(
                [any(w in f" {t} " for t in f.treatments for w in words) for f in self.facets]
            )
        if filters.outcome is not None:
            wanted = filters.outcome.value
            mask &= np.array([wanted in f.outcomes for f in self.facets])
        return mask

    def emptied_by(self, filters: SearchFilters) -> str | None:
        """Which filter leaves no case to return, in words; None when some case passes.

        Each filter is tried alone, in the order the command line lists them; when every one
        alone lets a case through, it is their combination that excludes everything.
        """
        allowed = self.allowed(filters)
        if allowed is None or allowed.any():
            return None
        if not len(self):
            return "the case store holds no case"
        named: list[tuple[str, SearchFilters]] = []
        if filters.age_min is not None or filters.age_max is not None:
            ages = f"{filters.age_min if filters.age_min is not None else 0:g}–" + (
                f"{filters.age_max:g}" if filters.age_max is not None else ""
            )
            named.append(
                (f"age {ages}", SearchFilters(age_min=filters.age_min, age_max=filters.age_max))
            )
        if filters.sex is not None:
            named.append((f"sex {filters.sex.value}", SearchFilters(sex=filters.sex)))
        named += [(f"code {c}", SearchFilters(codes=(c,))) for c in filters.codes]
        if filters.procedure is not None:
            named.append(
                (f"procedure {filters.procedure!r}", SearchFilters(procedure=filters.procedure))
            )
        if filters.outcome is not None:
            named.append(
                (f"outcome {filters.outcome.value}", SearchFilters(outcome=filters.outcome))
            )
        for name, alone in named:
            mask = self.allowed(alone)
            if mask is not None and not mask.any():
                return f"no stored case has {name}"
        return "each filter alone lets cases through, but no stored case passes them all"

    def _with_code(self, code: str) -> npt.NDArray[np.bool_]:
        """Cases holding the code or one of its descendants as a present fact."""
        system, value = code_key(code)
        if system == "hpo":
            hpo = load_hpo()
            wanted = {value} | (hpo.descendants(value) if value in hpo else frozenset())
            keys = [f"+hpo:{c}" for c in wanted]
        else:
            prefix = f"+{system}:{value}"
            keys = [k for k in self.concepts.keys if k.startswith(prefix)]
        mask = np.zeros(len(self), dtype=bool)
        for key in keys:
            mask[self.concepts.cases_with(key)] = True
        return mask

    def search(
        self,
        query: QueryCase,
        k: int,
        filters: SearchFilters | None = None,
        exclude: Iterable[str] = (),
    ) -> list[Hit]:
        """The ``k`` stored cases most like the query case, best first.

        Args:
            query: The query case (``query`` or ``stored_query`` make one).
            k: How many hits at most.
            filters: Which cases may be returned.
            exclude: Ids never returned (the query's own, when it is stored).

        Returns:
            Hits with their fused scores, ranks from 1.
        """
        fusion = self.settings.fusion
        allowed = self._allowed(filters, exclude)
        if self._weights is not None:
            return self._learned(query, k, allowed, self._weights)
        rankings: list[list[str]] = []
        runs: list[dict[str, float]] = []
        weights: list[float] = []
        for name, weight in fusion.weights.items():
            if weight <= 0:
                continue
            if name == "text":
                scores = self.text.scores(query.text)
            else:
                scores = self.concepts.scores(fact_vector(query.facts))
            top = top_positions(scores, fusion.depth, allowed)
            rankings.append([self.ids[i] for i in top])
            runs.append({self.ids[i]: float(scores[i]) for i in top})
            weights.append(weight)
        if fusion.method == "rrf":
            fused = reciprocal_rank_fusion(rankings, fusion.k, weights)
        else:
            fused = weighted_sum_fusion(runs, weights)
        fused = self._by_patient(query, fused)
        return [
            Hit(id=case_id, score=score, rank=rank)
            for rank, (case_id, score) in enumerate(fused[: max(k, 0)], start=1)
        ]

    def _allowed(
        self, filters: SearchFilters | None, exclude: Iterable[str]
    ) -> npt.NDArray[np.bool_] | None:
        """Which cases may be returned: those passing the filters, less the excluded and
        removed ones; None when all may."""
        allowed = self.allowed(filters)
        excluded = [self.positions[i] for i in exclude if i in self.positions]
        excluded += self._removed_rows
        if excluded:
            allowed = np.ones(len(self), dtype=bool) if allowed is None else allowed.copy()
            allowed[excluded] = False
        return allowed

    def candidates(
        self,
        query: QueryCase,
        filters: SearchFilters | None = None,
        exclude: Iterable[str] = (),
    ) -> tuple[npt.NDArray[np.int64], CandidateScores]:
        """The query's candidates for the learned fusion and what the index knows of them.

        The candidates are the ``fusion.depth`` best cases of each searcher (among those the
        filters allow), in position order.

        Returns:
            The candidates' positions, and their scores and patient features.
        """
        return self._candidates(query, self._allowed(filters, exclude))

    def _candidates(
        self, query: QueryCase, allowed: npt.NDArray[np.bool_] | None
    ) -> tuple[npt.NDArray[np.int64], CandidateScores]:
        depth = self.settings.fusion.depth
        text = self.text.scores(query.text)
        vector = fact_vector(query.facts)
        concepts = self.concepts.scores(vector)
        text_top = np.asarray(top_positions(text, depth, allowed), dtype=np.int64)
        concepts_top = np.asarray(top_positions(concepts, depth, allowed), dtype=np.int64)
        rows = np.union1d(text_top, concepts_top).astype(np.int64)
        titles = self.titles.scores(query.title_query) if query.title_query else None
        patient = self.settings.patient
        return rows, CandidateScores(
            text=text[rows].astype(np.float64),
            text_best=text[text_top].astype(np.float64),
            concepts=concepts[rows].astype(np.float64),
            concepts_best=concepts[concepts_top].astype(np.float64),
            groups=self.concepts.group_scores(vector, self.groups, rows).T,
            title=np.zeros(len(rows)) if titles is None else titles[rows].astype(np.float64),
            title_covered=self.titles.coverage(query.text)[rows],
            patient=patient_features(
                query.age_years,
                query.sex,
                self._ages[rows],
                self._sexes[rows],
                patient.age_groups,
                patient.adult_from,
            ),
        )

    def _learned(
        self,
        query: QueryCase,
        k: int,
        allowed: npt.NDArray[np.bool_] | None,
        weights: npt.NDArray[np.float64],
    ) -> list[Hit]:
        """The ``k`` best candidates by the learned fusion (``casebook.search.learned``)."""
        rows, scores = self._candidates(query, allowed)
        fused = linear_scores(candidate_features(scores), weights)
        # Ties by id, as the other fusions break them: positions are in id order.
        best = ranking(fused, rows)[: max(k, 0)]
        return [
            Hit(id=self.ids[int(rows[i])], score=float(fused[i]), rank=rank)
            for rank, i in enumerate(best, start=1)
        ]

    def _by_patient(
        self, query: QueryCase, fused: list[tuple[str, float]]
    ) -> list[tuple[str, float]]:
        """The fused ranking with each case's score raised for the same age group and sex as
        the query's patient (``casebook.search.fusion.patient_boost``), best first."""
        patient = self.settings.patient
        if query.age_years is None and query.sex is None:
            return fused
        boosted = []
        for case_id, score in fused:
            facets = self.facets[self.positions[case_id]]
            factor = patient_boost(
                query.age_years,
                query.sex,
                facets.age_years,
                facets.sex,
                patient.age_groups,
                patient.age_weight,
                patient.sex_weight,
            )
            boosted.append((case_id, score * factor))
        return sorted(boosted, key=lambda item: (-item[1], item[0]))

    def save(self, folder: Path, fingerprint: str) -> None:
        """Write the index into ``folder`` with the fingerprint of what it was built from."""
        folder.mkdir(parents=True, exist_ok=True)
        self.text.save(folder)
        self.titles.save(folder / TITLES_FOLDER)
        self.concepts.save(folder)
        self._records.save(folder / "records.jsonl")
        (folder / "facets.json").write_text(
            json.dumps({"ids": list(self.ids), "facets": [f.to_json() for f in self.facets]}),
            encoding="utf-8",
        )
        if self.removed:
            (folder / REMOVED_FILE).write_text(json.dumps(sorted(self.removed)), "utf-8")
        # Written last: a folder without it (an interrupted save) is never loaded.
        (folder / "meta.json").write_text(
            json.dumps(
                {
                    "format": INDEX_FORMAT,
                    "layout": SAVED_LAYOUT,
                    "fingerprint": fingerprint,
                    "settings": settings_digest(self.settings),
                    "rules": rules_digest(),
                    "cases": len(self.positions),
                }
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, folder: Path, fingerprint: str, settings: SearchSettings) -> CaseIndex | None:
        """Read an index written by :meth:`save`.

        Returns:
            The index, less the cases marked removed since it was saved; or None when the
            folder holds none, or one built from another fingerprint, settings or layout
            version.
        """
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            removed = removed_ids(folder)
        except (OSError, ValueError):
            return None
        current = {
            "format": INDEX_FORMAT,
            "layout": SAVED_LAYOUT,
            "fingerprint": fingerprint,
            "settings": settings_digest(settings),
            "rules": rules_digest(),
        }
        if not isinstance(meta, dict) or {k: meta.get(k) for k in current} != current:
            return None
        stored = json.loads((folder / "facets.json").read_text(encoding="utf-8"))
        facets = [Facets.from_json(f) for f in stored["facets"]]
        return cls(
            stored["ids"],
            facets,
            BM25Searcher.load(folder),
            BM25Searcher.load(folder / TITLES_FOLDER),
            ConceptIndex.load(folder),
            settings,
            _Records.open(folder / "records.jsonl"),
            removed,
        )


def settings_digest(settings: SearchSettings) -> str:
    """A hash of the settings an index was built with; other settings need another index."""
    return hashlib.sha256(settings.model_dump_json().encode("utf-8")).hexdigest()[:16]


@cache
def rules_digest() -> str:
    """A hash of the packaged rules that decide an entry's treatments and outcomes
    (``outcomes.json``, ``treatments.json``, ``treatment_synonyms.json``, ``non_clinical.json``)
    and of the vocabulary release whose analytes are no treatments: edited rules need new
    entries."""
    digest = hashlib.sha256()
    rules: tuple[BaseModel, ...] = (
        load_outcome_rules(),
        load_treatment_rules(),
        load_treatment_synonyms(),
        default_non_clinical().rules,
    )
    for rule in rules:
        digest.update(rule.model_dump_json().encode("utf-8"))
    digest.update(load_head_words().version.encode("utf-8"))
    return digest.hexdigest()[:16]


class CaseTextSearcher:
    """A ``Searcher`` over a ``CaseIndex`` for callers that pass query texts.

    A query whose analysed case has the id of a stored case is searched as the service searches
    a stored case: never its own hit.

    Args:
        index: The case index.
        analyze: Turns a query text into an analysed case.
    """

    def __init__(self, index: CaseIndex, analyze: Callable[[str], Case]) -> None:
        self.index = index
        self.analyze = analyze

    def search(self, query: str, k: int) -> list[Hit]:
        """The ``k`` indexed cases most like the case ``query`` tells."""
        case = self.analyze(query)
        return self.index.search(self.index.query(case), k, exclude=[case.id])
