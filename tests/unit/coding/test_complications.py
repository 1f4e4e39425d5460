"""ComplicationCoder: findings caused by procedures get ICD-10-CM complication codes."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.coding.complications import ComplicationCoder, ComplicationRules
from casebook.components import DEFAULT_COMPONENTS
from casebook.errors import CasebookError, ErrorCode
from casebook.kb.base import normalize_tokens
from casebook.model import (
    Assertion,
    Case,
    CaseCode,
    CodeSystem,
    EntityType,
    Mention,
    Relation,
    Source,
    SourceFormat,
)
from casebook.nlp.abbreviations import AbbreviationDetector
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.resources import load_rules, resource_path

FINDING = EntityType.SIGN_SYMPTOM
PROCEDURE = EntityType.THERAPEUTIC_PROCEDURE


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    # Mentions and relations come from the test: no NER, no relation extraction.
    return Pipeline(
        [
            SectionDetector(),
            SentenceSplitter(),
            AbbreviationDetector(),
            ContextAssertion(),
            ComplicationCoder(),
        ],
        provided=frozenset({"id", "text", "source", "title", "mentions"}),
    )


def mention(text: str, words: str, kind: EntityType, number: int, after: int = 0) -> Mention:
    start = text.index(words, after)
    return Mention(id=f"m{number}", start=start, end=start + len(words), text=words, type=kind)


def analyse(
    pipeline: Pipeline,
    text: str,
    mentions: list[Mention],
    relations: list[Relation] | None = None,
) -> Case:
    case = Case(
        id="c",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        mentions=mentions,
        relations=relations or [],
    )
    return pipeline.run(case)


def icd(case: Case) -> list[CaseCode]:
    return [c for c in case.codes if c.system is CodeSystem.ICD10CM]


def test_csf_leak_after_lumbar_puncture(pipeline: Pipeline) -> None:
    text = "She developed a CSF leak after lumbar puncture."
    case = analyse(pipeline, text, [mention(text, "CSF leak", FINDING, 1)])
    assert [c.code for c in case.mentions[0].codes] == ["G97.0"]
    (code,) = icd(case)
    assert (code.code, code.display) == ("G97.0", "Cerebrospinal fluid leak from spinal puncture")
    assert [text[e.start : e.end] for e in code.evidence] == ["CSF leak", "lumbar puncture"]
    assert code.mentions == ["m1"]


def test_a_complication_rests_on_its_finding_mention(pipeline: Pipeline) -> None:
    text = "We report a case of CSF leak post bone marrow biopsy."
    # Words alone code nothing: the case's codes rest on mentions (issue 16).
    assert icd(analyse(pipeline, text, [])) == []
    (code,) = icd(analyse(pipeline, text, [mention(text, "CSF leak", FINDING, 1)]))
    assert code.code == "G97.0"
    assert code.mentions == ["m1"]


def test_headache_following_spinal_anaesthesia(pipeline: Pipeline) -> None:
    text = "Following spinal anaesthesia she had a severe headache."
    case = analyse(pipeline, text, [mention(text, "severe headache", FINDING, 1)])
    assert [c.code for c in icd(case)] == ["G97.1"]


def test_a_finding_that_eased_after_a_procedure_is_no_complication_of_it(
    pipeline: Pipeline,
) -> None:
    text = "The headache improved after lumbar puncture."
    case = analyse(pipeline, text, [mention(text, "headache", FINDING, 1)])
    assert "G97.1" not in [c.code for c in icd(case)]


def test_relation_gives_the_cause(pipeline: Pipeline) -> None:
    text = "A laminectomy was done in May. In June she had a CSF leak."
    leak = mention(text, "CSF leak", FINDING, 1)
    surgery = mention(text, "laminectomy", PROCEDURE, 2)
    case = analyse(
        pipeline, text, [leak, surgery], [Relation(type="caused_by", source="m1", target="m2")]
    )
    (code,) = icd(case)
    assert code.code == "G96.09"  # postoperative spinal CSF leak, not a puncture
    assert code.mentions == ["m1", "m2"]


def test_no_cause_no_complication_code(pipeline: Pipeline) -> None:
    text = "She had a CSF leak. A lumbar puncture was done."
    assert icd(analyse(pipeline, text, [mention(text, "CSF leak", FINDING, 1)])) == []


@pytest.mark.parametrize(
    "text",
    [
        "There was no CSF leak after the lumbar puncture.",
        "Her mother had a CSF leak after lumbar puncture.",
        "We watched for a possible CSF leak after lumbar puncture.",
    ],
    ids=["negated", "family", "uncertain"],
)
def test_case_codes_are_assertion_aware(pipeline: Pipeline, text: str) -> None:
    case = analyse(pipeline, text, [mention(text, "CSF leak", FINDING, 1)])
    assert case.mentions[0].assertion is not Assertion.PRESENT
    assert [c.code for c in case.mentions[0].codes] == ["G97.0"]  # coded, though not present
    assert icd(case) == []


def test_abbreviated_finding_is_read_through_its_expansion(pipeline: Pipeline) -> None:
    text = (
        "Post-dural puncture headache (PDPH) is frequent. "
        "She developed PDPH after the lumbar puncture."
    )
    case = analyse(pipeline, text, [mention(text, "PDPH", FINDING, 1, after=text.index("She"))])
    assert (case.mentions[0].expansion or "").lower() == "post-dural puncture headache"
    assert [c.code for c in case.mentions[0].codes] == ["G97.1"]


def test_complication_codes_join_the_ranked_icd10cm_codes(pipeline: Pipeline) -> None:
    text = "She developed a CSF leak after lumbar puncture."
    case = Case(
        id="c",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        mentions=[mention(text, "CSF leak", FINDING, 1)],
        codes=[
            CaseCode(system=CodeSystem.HPO, code="HP:0000001", score=1.0),
            CaseCode(system=CodeSystem.ICD10CM, code="R51.9", score=0.9),
            CaseCode(system=CodeSystem.ICD10CM, code="G97.0", score=0.1),
            CaseCode(system=CodeSystem.ICD10CM, code="G96.00", score=0.05),
        ],
    )
    coded = pipeline.run(case)
    assert [(c.system.value, c.code) for c in coded.codes] == [
        ("hpo", "HP:0000001"),
        ("icd10cm", "R51.9"),
        ("icd10cm", "G97.0"),
        ("icd10cm", "G96.00"),
    ]
    assert coded.codes[2].score == 0.8  # strengthened by the cue, not duplicated


def test_rule_codes_are_icd10cm_2026_with_their_titles() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # type: ignore[import-untyped]

    rules = load_rules("complications.json", ComplicationRules)
    for rule in rules.rules:
        assert cm.is_valid_item(rule.code) and cm.is_leaf(rule.code), rule.code
        assert cm.get_description(rule.code) == rule.display


def test_rule_naming_an_unknown_procedure_kind(tmp_path: Path) -> None:
    rules = json.loads(resource_path("complications.json").read_text(encoding="utf-8"))
    rules["rules"][0]["procedures"] = ["teleportation"]
    bad = tmp_path / "complications.json"
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        ComplicationCoder(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_component_runs_after_the_coders() -> None:
    names = list(DEFAULT_COMPONENTS)
    assert names.index("complications") > names.index("icd10")


_CODER = ComplicationCoder()
_PHRASE_WORDS = sorted(
    {word for rule in _CODER.rules.rules for phrase in rule.findings for word in phrase.split()}
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from([*_PHRASE_WORDS, "the", "severe", "-"]), max_size=6).map(
        " ".join
    ),
    expansion=st.sampled_from([None, "post-dural puncture headache", "cerebrospinal fluid leak"]),
)
def test_a_finding_gets_the_rules_whose_phrases_its_words_contain(
    text: str, expansion: str | None
) -> None:
    # Looking up the runs of the finding's words must agree with testing every rule phrase.
    finding = Mention(
        id="f", start=0, end=max(1, len(text)), text=text or "x", type=FINDING, expansion=expansion
    )
    spans = [f" {' '.join(normalize_tokens(t))} " for t in (finding.expansion, finding.text) if t]
    expected = [
        rule
        for rule in _CODER.rules.rules
        if any(f" {' '.join(normalize_tokens(p))} " in w for p in rule.findings for w in spans)
    ]
    assert _CODER._rules_for(finding) == expected
