"""Pipeline contracts are checked when the pipeline is built, not when it first fails; an
analysis stops at its deadline."""

from __future__ import annotations

import time

import pytest

from casebook.components import COMPONENTS, DEFAULT_COMPONENTS, pipeline_from_names
from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, Document, Source, SourceFormat
from casebook.nlp.pipeline import Pipeline, check_deadline


class _NeedsMentions:
    name = "needs-mentions"
    requires = frozenset({"mentions"})
    assigns = frozenset({"mentions.assertion"})

    def __call__(self, case: Case) -> Case:
        return case


class _MakesTitle:
    name = "title-maker"
    requires = frozenset({"text"})
    assigns = frozenset({"mentions"})

    def __call__(self, case: Case) -> Case:
        case.title = case.text.split(".")[0]
        return case


def _document(text: str) -> Document:
    return Document(id="d1", text=text, source=Source(format=SourceFormat.TEXT))


def test_a_component_whose_requirement_nobody_assigns_fails_at_build_time() -> None:
    with pytest.raises(CasebookError) as raised:
        Pipeline([_NeedsMentions()])
    assert raised.value.code is ErrorCode.PIPELINE_CONTRACT
    assert "needs-mentions" in str(raised.value) and "mentions" in str(raised.value)


def test_order_matters_for_contracts() -> None:
    Pipeline([_MakesTitle(), _NeedsMentions()])
    with pytest.raises(CasebookError):
        Pipeline([_NeedsMentions(), _MakesTitle()])


def test_what_the_input_provides_satisfies_requirements() -> None:
    Pipeline([_NeedsMentions()], provided=frozenset({"text", "mentions"}))


def test_duplicate_component_names_are_refused() -> None:
    with pytest.raises(CasebookError, match="appears twice"):
        Pipeline([_MakesTitle(), _MakesTitle()])


def test_unknown_component_name_lists_the_known_ones() -> None:
    with pytest.raises(CasebookError, match="known: "):
        pipeline_from_names(["no-such-component"])


def test_components_run_in_order_on_the_document() -> None:
    case = Pipeline([_MakesTitle()])(_document("Headache after biopsy. Then more."))
    assert case.title == "Headache after biopsy"


def test_default_pipeline_is_valid_and_every_listed_component_declares_its_contract() -> None:
    pipeline = pipeline_from_names()
    assert pipeline.names == DEFAULT_COMPONENTS
    for factory in COMPONENTS.values():
        component = factory()
        assert component.name and isinstance(component.requires, frozenset)
        assert isinstance(component.assigns, frozenset) and component.assigns


class _PassesTheDeadline:
    """A component that works until the deadline it runs under has passed."""

    name = "passes-the-deadline"
    requires = frozenset({"text"})
    assigns = frozenset({"title"})

    def __call__(self, case: Case) -> Case:
        time.sleep(0.05)
        return case


def test_an_analysis_past_its_deadline_stops_before_the_next_component() -> None:
    ran: list[str] = []

    class _Records:
        name = "records"
        requires = frozenset({"title"})
        assigns = frozenset({"mentions"})

        def __call__(self, case: Case) -> Case:
            ran.append(case.id)
            return case

    pipeline = Pipeline([_PassesTheDeadline(), _Records()])
    with pytest.raises(CasebookError) as raised:
        pipeline(_document("Fever."), deadline=time.monotonic() + 0.01)
    assert raised.value.code is ErrorCode.TIMED_OUT
    assert ran == []
    pipeline(_document("Fever."))  # no deadline, no limit
    assert ran == ["d1"]
    check_deadline()  # the deadline belonged to that analysis alone
