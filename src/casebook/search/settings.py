"""The schema of ``resources/search.json``: how similar-case search weighs what it finds.

Every number that decides a ranking lives in that one validated file, so that a change of
weights is a data change with its benchmark, not a code change.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from casebook.model import Assertion, CodeSystem, EntityType, RecordModel
from casebook.resources import load_rules

RESOURCE = "search.json"
FUSION_MODEL = "search_fusion.json"


class TextSettings(RecordModel):
    """BM25 over the case text (with the stored case's title in front)."""

    k1: float = Field(gt=0, description="BM25 term-frequency saturation.")
    b: float = Field(ge=0, le=1, description="BM25 length normalisation.")
    query_idf_power: float = Field(
        ge=0,
        description="Each query word is weighted idf^p (Salton and Buckley 1988); 0 is plain "
        "BM25, where a word counts once per occurrence.",
    )
    title_repeats: int = Field(
        ge=0, description="How many times a stored case's title is indexed before its text."
    )
    title_query_types: list[EntityType] = Field(
        default_factory=list,
        description="Mention types whose words, where the query case states them as the "
        "patient's (``concepts.present``), search the stored cases' titles alone by BM25: the "
        "learned fusion's ``title`` feature (a report's title names what it is about). None in "
        "a settings file written before the feature: its titles are then not searched alone.",
    )
    title_b: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="BM25 length normalisation of the titles-alone index (``k1`` and "
        "``query_idf_power`` are the text's).",
    )


class MentionRule(RecordModel):
    """How mentions of one type become concept keys."""

    group: str = Field(
        min_length=1, description="Key prefix; types sharing a group match each other."
    )
    weight: float = Field(ge=0, description="Weight of a concept of this type.")


class ConceptSettings(RecordModel):
    """The concept searcher: which facts count, and how much."""

    mention_types: dict[EntityType, MentionRule] = Field(
        description="Mention types whose normalised words are concept keys."
    )
    code_systems: dict[CodeSystem, float] = Field(
        description="Code systems whose codes are concept keys, with their weights."
    )
    present: list[Assertion] = Field(description="Assertions that count as the patient has it.")
    negated: list[Assertion] = Field(
        description="Assertions that count as the patient does not have it; a negated key "
        "never matches a present one. Assertions in neither list are ignored."
    )
    ancestor_discount: float = Field(
        ge=0, le=1, description="An n-th ancestor of a code is indexed at discount^n."
    )
    max_ancestor_depth: int = Field(ge=0, description="Ancestors farther up are not indexed.")
    idf_power: float = Field(ge=0, description="A key counts idf^p: rare concepts weigh more.")
    length_norm: float = Field(
        ge=0, description="A case's score is divided by its vector's norm to this power."
    )
    min_key_chars: int = Field(ge=1, description="Shorter normalised mention words are ignored.")

    @model_validator(mode="after")
    def _polarities_apart(self) -> Self:
        both = set(self.present) & set(self.negated)
        if both:
            raise ValueError(f"assertions both present and negated: {sorted(both)}")
        return self


class FusionSettings(RecordModel):
    """How the text and concept rankings become one."""

    method: Literal["rrf", "weighted_sum", "learned"] = Field(
        description="Reciprocal rank fusion, CombSUM of min-max normalised scores, or the "
        "learned linear model of ``search_fusion.json`` over the candidates of both searchers "
        "(``casebook.search.learned``)."
    )
    k: float = Field(ge=0, description="The RRF rank constant.")
    weights: dict[Literal["text", "concepts"], float] = Field(
        description="Weight of each searcher in the fusion."
    )
    depth: int = Field(ge=1, description="How many hits of each searcher are fused.")


class FittedOn(RecordModel):
    """What a learned fusion model was fitted on, and how to fit it again."""

    dataset: str = Field(min_length=1, description="The judged queries' dataset.")
    split: Literal["tune"] = Field(description="The half of its queries fitted on.")
    queries: int = Field(ge=1, description="Queries fitted on.")
    candidates: int = Field(ge=1, description="Judged candidates, all queries together.")
    command: str = Field(min_length=1, description="The command that fitted the weights.")
    objective: str = Field(min_length=1, description="What the fit maximised.")
    fitted: float = Field(description="The objective on the queries fitted on, percent.")
    start: float = Field(description="The objective of the starting weights, percent.")
    previous: float | None = Field(
        default=None,
        description="The objective of the weights the file held before, on the same queries, "
        "percent; a fit that does not beat them keeps them.",
    )


class FusionModel(RecordModel):
    """``search_fusion.json``: the weights of the learned fusion (``casebook.search.learned``).

    Its weights are read when a search runs, from what the index holds in memory: refitting
    them needs no new index.
    """

    version: str = Field(min_length=1)
    reference: str = Field(min_length=1, description="The method's paper.")
    weights: dict[str, float] = Field(
        description="Feature name → non-negative weight; the features are those "
        "``casebook.search.learned.feature_names`` lists for the concept groups of "
        "``search.json``."
    )
    floors: dict[str, float] = Field(
        description="Features whose weight the fit keeps at least this high, so that what a "
        "user relies on (the same kind of patient ranks higher) holds whatever the data."
    )
    fitted_on: FittedOn

    @model_validator(mode="after")
    def _non_negative(self) -> Self:
        negative = sorted(name for name, weight in self.weights.items() if weight < 0)
        if negative:
            raise ValueError(f"negative weights: {negative}")
        if not any(weight > 0 for weight in self.weights.values()):
            raise ValueError("no positive weight")
        unknown = sorted(set(self.floors) - set(self.weights))
        if unknown:
            raise ValueError(f"floors of features without a weight: {unknown}")
        return self


class PatientSettings(RecordModel):
    """How much the patient's age group and sex count in a similar case's score."""

    age_groups: list[float] = Field(
        description="Upper bounds, in years, of the age groups: a neonate, an infant, a child, "
        "an adolescent, an adult, an older adult (beyond the last bound)."
    )
    age_weight: float = Field(
        ge=0,
        description="Share of the fused score added for the same age group (half of it for a "
        "neighbouring group).",
    )
    sex_weight: float = Field(ge=0, description="Share of the fused score added for the same sex.")
    adult_from: float = Field(
        default=18.0,
        gt=0,
        description="The age, in years, from which a patient is an adult (the learned "
        "fusion's ``stage`` feature: both patients adults, or both children).",
    )
    stage_weight: float = Field(
        default=0.05,
        ge=0,
        description="The ``stage`` feature's weight where a fit of the learned fusion starts "
        "(coordinate ascent from 0 can stop before the feature helps).",
    )

    @model_validator(mode="after")
    def _bounds_ascend(self) -> Self:
        if self.age_groups != sorted(self.age_groups):
            raise ValueError("age group bounds must ascend")
        return self


class ExplainSettings(RecordModel):
    """How much an explanation shows."""

    matched: int = Field(ge=0, description="Shared facts shown per hit.")
    differs: int = Field(ge=0, description="Differing facts shown per hit.")
    title_word_share: float = Field(
        default=0.05,
        gt=0.0,
        le=1.0,
        description="A title word shared with the query is shown only when fewer than this "
        "share of the stored titles hold it: 'case', 'report' or 'review' tell nothing.",
    )


class SearchSettings(RecordModel):
    """The whole of ``search.json``."""

    version: str = Field(min_length=1)
    text: TextSettings
    concepts: ConceptSettings
    fusion: FusionSettings
    patient: PatientSettings
    explain: ExplainSettings


@cache
def _packaged() -> SearchSettings:
    return load_rules(RESOURCE, SearchSettings)


@cache
def _packaged_fusion() -> FusionModel:
    return load_rules(FUSION_MODEL, FusionModel)


def load_fusion_model(source: str | Path | None = None) -> FusionModel:
    """The learned fusion's weights: the packaged ones, or a user's file.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or breaks the schema.
    """
    return _packaged_fusion() if source is None else load_rules(source, FusionModel)


def load_search_settings(source: str | Path | None = None) -> SearchSettings:
    """The search settings: the packaged ones, or a user's file.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing or breaks the schema.
    """
    return _packaged() if source is None else load_rules(source, SearchSettings)
