"""The ICD-10-CM ranker: fusion, dictionary matching, training, persistence and the component."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.coding import dictionary
from casebook.coding.component import Icd10Coder
from casebook.coding.dictionary import (
    TermIndex,
    codiesp_form,
    display,
    icd10cm_entries,
    is_valid,
    term_words,
)
from casebook.coding.icd10cm import (
    Icd10Model,
    Icd10Settings,
    RankedCode,
    add_evidence,
    dictionary_evidence,
    fuse,
    fuse_columns,
)
from casebook.model import (
    Assertion,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    Document,
    EntityType,
    Mention,
    Source,
    SourceFormat,
)
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.train.icd10 import fit

EXCLUDED = frozenset({Assertion.NEGATED, Assertion.FAMILY})
_PREPARE = Pipeline([SectionDetector(), SentenceSplitter()])


def make_case(text: str, case_id: str = "c1") -> Case:
    """A case holding ``text``, with sections and sentences."""
    return _PREPARE.run(Case(id=case_id, text=text, source=Source(format=SourceFormat.TEXT)))


@pytest.fixture(scope="module")
def icd_index() -> TermIndex:
    """The full ICD-10-CM 2026 term index (a few seconds to build)."""
    return TermIndex.build(icd10cm_entries())


def test_fuse_by_hand() -> None:
    weights = {"linear": 1.0, "knn": 0.0, "dictionary": 2.0}
    # (1 * 0.6 + 0 * 0.9 + 2 * 0.3) / 3 = 1.2 / 3
    assert fuse({"linear": 0.6, "knn": 0.9, "dictionary": 0.3}, weights) == pytest.approx(0.4)
    # a missing signal counts 0: (1 * 0.9) / (1 + 1)
    assert fuse({"linear": 0.9}, {"linear": 1.0, "dictionary": 1.0}) == pytest.approx(0.45)
    assert fuse({"linear": 0.9}, {"linear": 0.0}) == 0.0
    with pytest.raises(ValueError):
        fuse({"linear": 0.5}, {"linear": -1.0})
    with pytest.raises(ValueError):
        fuse({"linear": 1.5}, {"linear": 1.0})


def test_fuse_columns_is_fuse_per_candidate() -> None:
    weights = {"linear": 1.0, "knn": 0.0, "dictionary": 2.0}
    linear = [0.6, 0.0, 0.9, 0.25]
    dictionary = [0.3, 0.7, 0.0, 1.0]
    fused = fuse_columns(
        {"linear": np.array(linear), "dictionary": np.array(dictionary)}, weights, 4
    )
    for number in range(4):
        scores = {"linear": linear[number], "dictionary": dictionary[number]}
        assert fused[number] == fuse(scores, weights)
    assert fuse_columns({}, {"linear": 1.0}, 2).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        fuse_columns({"linear": np.array([0.5, 1.5])}, {"linear": 1.0}, 2)


def test_term_words_and_code_forms() -> None:
    assert term_words("Type 2 diabetes mellitus without complications") == (
        "2",
        "diabete",
        "mellitus",
        "type",
    )
    assert term_words("Essential (primary) hypertension") == ("essential", "hypertension")
    assert codiesp_form("s39.94xa") == "S39.94X"
    assert codiesp_form("N28.89") == "N28.89"
    assert is_valid("N28.89") and is_valid("S39.94X") and is_valid("B20")
    assert not is_valid("T81.4XX")  # expanded to T81.40-T81.49 since CodiEsp was coded
    assert display("S39.94X") == "Unspecified injury of external genitals"


def test_dictionary_matches_diabetes(icd_index: TermIndex) -> None:
    case = make_case("She has type 2 diabetes mellitus.")
    found = dictionary_evidence(case, icd_index, ContextAssertion(), EXCLUDED)
    assert "E11.9" in found
    (span,) = found["E11.9"]
    assert case.text[span.start : span.end] == "type 2 diabetes mellitus"


def test_matching_all_sentences_at_once_is_matching_each() -> None:
    index = TermIndex.build(
        [
            ("J18.9", "Pneumonia, unspecified organism"),
            ("J18.9", "Pneumonia"),
            ("R50.9", "Fever, unspecified"),
            ("E11.9", "Type 2 diabetes mellitus without complications"),
            ("I10", "Essential (primary) hypertension"),
        ]
    )
    text = (
        "Fever and pneumonia. She has diabetes mellitus, type 2. "
        "No hypertension here. Pneumonia again, with fever."
    )
    spans = [(0, 20), (21, 55), (56, 77), (78, len(text)), (0, len(text))]
    each = [m for start, end in spans for m in index.match(text, start, end)]
    assert index.match_spans(text, spans) == each
    assert [(m.code, text[m.start : m.end]) for m in index.match(text, 21, 55)] == [
        ("E11.9", "diabetes mellitus, type 2")
    ]
    assert len([m for m in each if m.code == "J18.9"]) == 3
    assert index.match_spans(text, []) == []
    pieces = ["Pneumonia", "type 2 diabetes mellitus", "", "essential hypertension"]
    assert index.match_texts(pieces) == [index.match(p, 0, len(p)) for p in pieces]


def test_spans_matched_a_few_at_a_time_are_matched_as_all_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = TermIndex.build([("J18.9", "Pneumonia"), ("R50.9", "Fever, unspecified")])
    text = "Fever and pneumonia. No fever. Pneumonia again, with fever."
    spans = [(0, 20), (21, 30), (31, len(text))]
    together = index.match_spans(text, spans)
    monkeypatch.setattr(dictionary, "_MOST_PRESENT_ENTRIES", 2 * len(index.words))
    assert index.match_spans(text, spans) == together
    assert len(together) == 5


def test_dictionary_drops_negated_and_family(icd_index: TermIndex) -> None:
    assertion = ContextAssertion()
    present = make_case("The chest radiograph showed pneumonia.")
    assert "J18.9" in dictionary_evidence(present, icd_index, assertion, EXCLUDED)
    negated = make_case("There was no pneumonia.")
    assert "J18.9" not in dictionary_evidence(negated, icd_index, assertion, EXCLUDED)
    assert "J18.9" in dictionary_evidence(negated, icd_index, assertion, frozenset())
    family = make_case("Her mother had pneumonia.")
    assert "J18.9" not in dictionary_evidence(family, icd_index, assertion, EXCLUDED)


TINY = [
    ("d1", "The patient had fever and a cough with sputum. Pneumonia was diagnosed.", {"J18.9"}),
    ("d2", "Productive cough and fever; the radiograph showed pneumonia.", {"J18.9", "R50.9"}),
    ("d3", "High blood pressure for years, treated with enalapril.", {"I10"}),
    ("d4", "Known hypertension, blood pressure 170/100 on admission.", {"I10"}),
    ("d5", "Right renal colic with a ureteral stone on the scan.", {"N20.1"}),
    ("d6", "Flank pain radiating to the groin; a ureteral stone was seen.", {"N20.1"}),
]
"""A tiny corpus, written for these tests."""


@pytest.fixture(scope="module")
def tiny_model() -> Icd10Model:
    pytest.importorskip("sklearn")
    labelled = [(make_case(text, doc), codes) for doc, text, codes in TINY]
    index = TermIndex.build(
        [("J18.9", "Pneumonia, unspecified organism"), ("J18.9", "Pneumonia"), ("R50.9", "Fever")]
    )
    settings = Icd10Settings(
        min_df=1, knn_k=3, weights={"linear": 1.0, "knn": 0.5, "dictionary": 1.0}
    )
    return fit(labelled, settings, index=index, leaf=[True] * len(index.codes))


def test_training_and_prediction(tiny_model: Icd10Model) -> None:
    ranked = tiny_model.rank(make_case("A ureteral stone caused severe flank pain.", "new"))
    assert ranked[0].code == "N20.1"
    assert all(0.0 < r.score <= 1.0 for r in ranked)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    hypertension = tiny_model.rank(make_case("Blood pressure was high: hypertension.", "new2"))
    assert hypertension[0].code == "I10"


def test_a_code_shares_the_evidence_of_its_category() -> None:
    # One training text per code: a staghorn calculus (N20.0) is worded nothing like renal colic
    # from a ureteral stone (N20.1), but both are N20, Calculus of kidney and ureter.
    pytest.importorskip("sklearn")
    corpus = [
        *TINY[:4],
        ("d5", "Right renal colic with a ureteral stone on the scan.", {"N20.1"}),
        ("d6", "A staghorn calculus filled the left kidney.", {"N20.0"}),
    ]
    labelled = [(make_case(text, doc), codes) for doc, text, codes in corpus]
    index = TermIndex.build([("R50.9", "Fever")])

    def linear(category_weight: float) -> dict[str, float]:
        settings = Icd10Settings(min_df=1, category_weight=category_weight)
        model = fit(labelled, settings, index=index, leaf=[True])
        case = make_case("Renal colic from a ureteral stone.", "new")
        scores = model.linear_scores(model.similarities(model.tfidf.transform(case.text)))
        return dict(zip(model.labels, scores.tolist(), strict=True))

    alone, pooled = linear(0.0), linear(0.3)
    assert pooled["N20.0"] > alone["N20.0"] + 0.05
    assert pooled["I10"] == pytest.approx(alone["I10"], abs=0.01)


def with_phenotype(text: str, case_id: str, words: str, hpo: str) -> Case:
    """``make_case`` with one finding mention of ``words`` carrying the HPO id ``hpo``."""
    start = text.index(words)
    mention = Mention(
        id="m1",
        start=start,
        end=start + len(words),
        text=words,
        type=EntityType.SIGN_SYMPTOM,
        codes=[Code(system=CodeSystem.HPO, code=hpo, score=1.0)],
    )
    return make_case(text, case_id).model_copy(update={"mentions": [mention]})


def test_texts_worded_apart_that_name_one_phenotype_are_alike_to_the_ranker() -> None:
    # No word of "She felt her heart racing" is in the one text coded R00.0; the phenotype
    # its mention carries, Palpitations, is.
    pytest.importorskip("sklearn")
    labelled = [
        (with_phenotype("Palpitations at rest.", "p", "Palpitations", "HP:0001962"), {"R00.0"}),
        (with_phenotype("Known hypertension.", "h", "hypertension", "HP:0000822"), {"I10"}),
        (with_phenotype("Fever since Monday.", "f", "Fever", "HP:0001945"), {"R50.9"}),
    ]
    index = TermIndex.build([("R50.9", "Fever")])
    case = with_phenotype("She felt her heart racing.", "new", "heart racing", "HP:0001962")

    def linear(concept_weight: float) -> dict[str, float]:
        settings = Icd10Settings(min_df=1, category_weight=0.0, concept_weight=concept_weight)
        model = fit(labelled, settings, index=index, leaf=[True])
        similarity = model.similarities(model.tfidf.transform(case.text))
        scores = model.linear_scores(model.kernel_row(case, similarity))
        return dict(zip(model.labels, scores.tolist(), strict=True))

    assert linear(0.0)["R00.0"] < 0.05
    assert linear(0.5)["R00.0"] > 0.2
    assert linear(0.5)["I10"] < 0.05


def test_a_code_a_finding_names_rises_above_codes_the_words_alone_suggest() -> None:
    ranked = [RankedCode("I10", 0.6, {"linear": 0.6}), RankedCode("N20.1", 0.5, {"linear": 0.5})]
    fused = add_evidence(ranked, {"N20.1": 0.8, "R10.9": 0.4}, 0.5, "codeset")
    # N20.1: 0.5 + 0.5 * 0.8 = 0.9; I10 keeps 0.6; R10.9, which the ranker left out: 0.2.
    assert [(r.code, round(r.score, 6)) for r in fused] == [
        ("N20.1", 0.9),
        ("I10", 0.6),
        ("R10.9", 0.2),
    ]
    assert fused[0].signals == {"linear": 0.5, "codeset": 0.8}
    assert ranked[1].score == 0.5  # the ranker's own list is left as it was
    assert [r.code for r in add_evidence(ranked, {"N20.1": 0.8}, 0.0, "codeset")] == [
        "I10",
        "N20.1",
    ]


def test_document_ranking_holds_every_code_of_the_case(tiny_model: Icd10Model) -> None:
    case = make_case("A ureteral stone caused severe flank pain.", "new")
    case = case.model_copy(
        update={"codes": [CaseCode(system=CodeSystem.ICD10CM, code="K35.80", score=0.9)]}
    )
    ranking = {r.code: r for r in tiny_model.document_ranking(case)}
    # Supported, though no word of the text suggests it: 0.5 (codeset_weight) x 0.9.
    assert ranking["K35.80"].score == pytest.approx(0.45)
    assert ranking["K35.80"].signals == {"codeset": 0.9}
    assert {r.code for r in tiny_model.rank(case)} <= set(ranking)


def test_a_denied_finding_ranks_its_code_for_the_document_but_gives_the_case_none(
    tiny_model: Icd10Model, denied_hematuria: Callable[[str, str], Case]
) -> None:
    # CodiEsp's coders code "he did not report hematuria" R31.9: the document ranking reads
    # the codes of negated findings at named_weight; the case's code set never holds them.
    case = denied_hematuria("He did not report hematuria.", "denied")
    ranking = {r.code: r for r in tiny_model.document_ranking(case)}
    assert ranking["R31.9"].signals == {"named": 1.0}
    assert ranking["R31.9"].score == pytest.approx(0.3)
    assert case.shown_codes() == []


def test_dictionary_reaches_unseen_words(tiny_model: Icd10Model) -> None:
    ranked = tiny_model.rank(make_case("Chest film: pneumonia of the left lobe.", "new"))
    top = ranked[0]
    assert top.code == "J18.9"
    assert "dictionary" in top.signals


def test_save_and_load_round_trip(tiny_model: Icd10Model, tmp_path: Path) -> None:
    tiny_model.save(tmp_path)
    loaded = Icd10Model.load(tmp_path)
    case = make_case("Fever, cough and pneumonia; a ureteral stone as well.", "new")
    before = [(r.code, r.score, r.signals) for r in tiny_model.rank(case)]
    after = [(r.code, r.score, r.signals) for r in loaded.rank(case)]
    assert before == after


def test_load_missing_model(tmp_path: Path) -> None:
    from casebook.errors import CasebookError, ErrorCode

    with pytest.raises(CasebookError) as caught:
        Icd10Model.load(tmp_path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def _finding(text: str, words: str, mention_id: str, assertion: Assertion) -> Mention:
    start = text.index(words)
    return Mention(
        id=mention_id,
        start=start,
        end=start + len(words),
        text=words,
        type=EntityType.DISEASE_DISORDER,
        assertion=assertion,
    )


def test_component_codes_what_present_findings_support(tiny_model: Icd10Model) -> None:
    text = "He had fever and pneumonia. No ureteral stone was found."
    case = make_case(text, "c9").model_copy(
        update={
            "mentions": [
                _finding(text, "pneumonia", "m1", Assertion.PRESENT),
                _finding(text, "ureteral stone", "m2", Assertion.NEGATED),
            ]
        }
    )
    coded = Icd10Coder(tiny_model)(case)
    Case.model_validate(coded.model_dump())  # offsets and references hold
    codes = {c.code: c for c in coded.codes}
    assert all(c.system is CodeSystem.ICD10CM and c.mentions == ["m1"] for c in coded.codes)
    assert "J18.9" in codes and codes["J18.9"].display == "Pneumonia, unspecified organism"
    assert [text[s.start : s.end] for s in codes["J18.9"].evidence] == ["pneumonia"]
    # The denied stone keeps its code on its mention, never in the case's set.
    assert not any(code.startswith("N20") for code in codes)
    stone = coded.mention("m2")
    assert any(c.code.startswith("N20") for c in stone.codes)


def test_shipped_model_codes_a_sentence() -> None:
    from casebook.service import analyze_document

    case = analyze_document(
        Document(
            id="s1",
            text="A 60-year-old man has type 2 diabetes mellitus and hypertension.",
            source=Source(format=SourceFormat.TEXT),
        )
    )
    shown = [c.code for c in case.shown_codes() if c.system is CodeSystem.ICD10CM]
    assert "E11.9" in shown and "I10" in shown


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Right lower quadrant pain, not R52 Pain, unspecified.
        ("A 67-year-old man was admitted with pain in the right iliac fossa.", "R10.31"),
        ("A 40-year-old woman had pain in the epigastrium.", "R10.13"),  # Epigastric pain
    ],
)
def test_a_pain_is_coded_by_the_site_its_sentence_gives(text: str, code: str) -> None:
    from casebook.service import analyze_document

    case = analyze_document(Document(id="s2", text=text, source=Source(format=SourceFormat.TEXT)))
    shown = [c.code for c in case.shown_codes() if c.system is CodeSystem.ICD10CM]
    assert shown == [code]


def _reference_ranking(model: Icd10Model, case: Case) -> list[tuple[str, float]]:
    """Every candidate's fused score, best first, ties in code order, cut to ``max_codes``."""
    similarity = model.similarities(model.tfidf.transform(case.text))
    signals = {
        "linear": {
            code: float(score)
            for code, score in zip(
                model.labels, model.linear_scores(model.kernel_row(case, similarity)), strict=True
            )
            if score > 0
        },
        "knn": model.knn_scores(similarity),
        "dictionary": model.dictionary_scores(case),
    }
    candidates = {code for found in signals.values() for code in found}
    weights = model.settings.weights
    fused = {c: fuse({n: s[c] for n, s in signals.items() if c in s}, weights) for c in candidates}
    ranked = sorted((c for c in candidates if fused[c] > 0), key=lambda c: (-fused[c], c))
    return [(code, fused[code]) for code in ranked[: model.settings.max_codes]]


@pytest.fixture(scope="module")
def short_list_model() -> Icd10Model:
    """The tiny corpus, a dictionary term for a code no training text carries, and room for
    only three codes."""
    pytest.importorskip("sklearn")
    labelled = [(make_case(text, doc), codes) for doc, text, codes in TINY]
    index = TermIndex.build([("J18.9", "Pneumonia"), ("K35.80", "Appendicitis")])
    settings = Icd10Settings(
        min_df=1,
        knn_k=3,
        weights={"linear": 1.0, "knn": 0.5, "dictionary": 1.0},
        max_codes=3,
    )
    return fit(labelled, settings, index=index, leaf=[True] * len(index.codes))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "fever",
                "cough",
                "pneumonia",
                "appendicitis",
                "ureteral stone",
                "flank pain",
                "blood pressure",
                "hypertension",
                "no pneumonia",
                "enalapril",
                "the scan",
            ]
        ),
        min_size=1,
        max_size=6,
    )
)
def test_ranking_is_every_candidates_fused_score_in_order(
    short_list_model: Icd10Model, phrases: list[str]
) -> None:
    case = make_case(". ".join(phrases) + ".", "new")
    ranked = short_list_model.rank(case)
    assert [(r.code, pytest.approx(r.score)) for r in ranked] == _reference_ranking(
        short_list_model, case
    )


def test_a_finding_of_the_literature_gives_the_case_no_code(tiny_model: Icd10Model) -> None:
    text = (
        "He had pneumonia. The drug works in patients with myelodysplastic syndromes. "
        "The mass was similar to previous studies and showed a lymphadenopathy."
    )
    case = make_case(text, "c10").model_copy(
        update={
            "mentions": [
                _finding(text, "pneumonia", "m1", Assertion.PRESENT),
                _finding(text, "myelodysplastic syndromes", "m2", Assertion.PRESENT),
                _finding(text, "lymphadenopathy", "m3", Assertion.PRESENT),
            ]
        }
    )
    coded = Icd10Coder(tiny_model)(case)
    supported = {m for c in coded.codes for m in c.mentions}
    # The patient's prior imaging studies are no published ones: that sentence is his.
    assert supported == {"m1", "m3"}
    assert any(c.code.startswith("D46") for c in coded.mention("m2").codes)
