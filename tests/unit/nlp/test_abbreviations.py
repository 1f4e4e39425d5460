"""AbbreviationDetector: one sentence per behaviour, then resolution and the lexicon."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.model import Case, EntityType, Mention, Source, SourceFormat, Span
from casebook.nlp.abbreviations import (
    AbbreviationDetector,
    AbbreviationLexicon,
    FindingAdjectives,
    find_best_long_form,
)
from casebook.nlp.phenotypes import packaged_matcher
from casebook.resources import load_rules, resource_path

TEST = EntityType.DIAGNOSTIC_PROCEDURE
SIGN = EntityType.SIGN_SYMPTOM
DISEASE = EntityType.DISEASE_DISORDER


@pytest.fixture(scope="module")
def detector() -> AbbreviationDetector:
    return AbbreviationDetector()


def make_case(
    text: str,
    targets: list[str | tuple[str, str]] | None = None,
    sentences: list[str] | None = None,
) -> Case:
    """A case with one Span per sentence (default: the whole text) and one mention per target.

    A target is its words, or its words and the text it is first found after.
    """
    spans = []
    for sentence in sentences or [text]:
        start = text.index(sentence)
        spans.append(Span(start=start, end=start + len(sentence)))
    mentions = []
    for number, target in enumerate(targets or []):
        words, after = target if isinstance(target, tuple) else (target, "")
        start = text.index(words, text.index(after) + len(after))
        mentions.append(
            Mention(id=f"m{number}", start=start, end=start + len(words), text=words, type=TEST)
        )
    return Case(
        id="case",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sentences=spans,
        mentions=mentions,
    )


def definitions(detector: AbbreviationDetector, text: str) -> list[tuple[str, str]]:
    case = detector(make_case(text))
    return [(a.short_text, a.long_text) for a in case.abbreviations]


def expansions(case: Case) -> dict[str, str | None]:
    return {m.text: m.expansion for m in case.mentions}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A computed tomography (CT) of the head was normal.", ("CT", "computed tomography")),
        (
            "Analysis of the cerebrospinal fluid (CSF) showed pleocytosis.",
            ("CSF", "cerebrospinal fluid"),
        ),
        (
            "Brain magnetic resonance imaging (MRI) revealed a lesion.",
            ("MRI", "magnetic resonance imaging"),
        ),
        ("Her blood urea nitrogen (BUN) was 40 mg/dL.", ("BUN", "blood urea nitrogen")),
        # Letters from inside a word: only the first must start one.
        ("An electrocardiogram (ECG) showed sinus tachycardia.", ("ECG", "electrocardiogram")),
        # A plural whose "s" the long form lacks is matched without it.
        ("Serial computed tomography (CTs) were obtained.", ("CTs", "computed tomography")),
        ("Serum interleukin-6 (IL-6) was elevated.", ("IL-6", "interleukin-6")),
        (
            "She had type 2 diabetes mellitus (T2DM) for ten years.",
            ("T2DM", "type 2 diabetes mellitus"),
        ),
        # Words whose initials spell the short form, though fewer characters would do.
        ("Sick sinus syndrome (SSS) was contemplated.", ("SSS", "Sick sinus syndrome")),
        ("He took a proton pump inhibitor (PPI) daily.", ("PPI", "proton pump inhibitor")),
        # Never from an article: "The" is no T of TTE.
        (
            "The transthoracic echocardiography (TTE) was normal.",
            ("TTE", "transthoracic echocardiography"),
        ),
        # Short form first, long form in the bracket.
        ("The CSF (cerebrospinal fluid) was clear.", ("CSF", "cerebrospinal fluid")),
        # The bracket's content stops at "; ".
        ("A computed tomography (CT; Siemens) was done.", ("CT", "computed tomography")),
    ],
)
def test_definition(detector: AbbreviationDetector, text: str, expected: tuple[str, str]) -> None:
    assert definitions(detector, text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Patients (n = 12) improved after treatment.",
        "The lesion grew in size (Fig. 2) over a month.",
        "Fever resolved faster with treatment (p < 0.05) in the cohort.",
        "She received oral prednisone (10 mg) daily.",
        "Laboratory results are listed (Table 1) below.",
        "The kidney (right) was enlarged.",
        "An axial image (A) shows the mass.",
        "The bleeding was stopped with Floseal (FloSeal Hemostatic Matrix).",
    ],
)
def test_bracket_that_is_not_an_abbreviation(detector: AbbreviationDetector, text: str) -> None:
    assert definitions(detector, text) == []


def test_offsets_point_at_the_words(detector: AbbreviationDetector) -> None:
    text = "An electrocardiogram (ECG) was normal."
    (abbreviation,) = detector(make_case(text)).abbreviations
    assert abbreviation.short == Span(start=22, end=25)
    assert abbreviation.long == Span(start=3, end=20)


def test_definition_recorded_once_at_first_occurrence(detector: AbbreviationDetector) -> None:
    first = "A computed tomography (CT) was done."
    second = "A cranial tomography (CT) followed."
    text = f"{first} {second}"
    case = detector(make_case(text, sentences=[first, second]))
    assert [(a.short_text, a.long_text, a.short.start) for a in case.abbreviations] == [
        ("CT", "computed tomography", text.index("CT"))
    ]


def test_definition_does_not_cross_sentences(detector: AbbreviationDetector) -> None:
    first = "She had cerebrospinal fluid leakage."
    second = "Fluid (CSF) was sampled."
    text = f"{first} {second}"
    assert detector(make_case(text, sentences=[first, second])).abbreviations == []


def test_later_mentions_resolved(detector: AbbreviationDetector) -> None:
    first = "Analysis of the cerebrospinal fluid (CSF) was normal."
    second = "A CSF leak was suspected and repeat CSF showed no cells."
    text = f"{first} {second}"
    case = make_case(
        text,
        targets=["cerebrospinal fluid", "CSF leak", ("CSF", "repeat ")],
        sentences=[first, second],
    )
    assert expansions(detector(case)) == {
        # The long-form definition needs no expansion.
        "cerebrospinal fluid": None,
        "CSF leak": "cerebrospinal fluid leak",
        "CSF": "cerebrospinal fluid",
    }


def test_a_long_form_already_saying_the_next_word_is_not_doubled(
    detector: AbbreviationDetector,
) -> None:
    first = "The defect was closed with a pectoralis major myocutaneous flap (PMMC)."
    second = "The PMMC flap was bulky."
    text = f"{first} {second}"
    case = make_case(text, targets=["PMMC flap"], sentences=[first, second])
    assert expansions(detector(case)) == {"PMMC flap": "pectoralis major myocutaneous flap"}


def test_mention_at_the_definition_is_expanded(detector: AbbreviationDetector) -> None:
    text = "Her blood urea nitrogen (BUN) was raised."
    result = detector(make_case(text, targets=["BUN"]))
    assert expansions(result) == {"BUN": "blood urea nitrogen"}


def test_mention_holding_the_whole_definition_is_not_expanded(
    detector: AbbreviationDetector,
) -> None:
    text = "Her blood urea nitrogen (BUN) was raised."
    result = detector(make_case(text, targets=["blood urea nitrogen (BUN)"]))
    assert expansions(result) == {"blood urea nitrogen (BUN)": None}


def test_lexicon_fallback(detector: AbbreviationDetector) -> None:
    text = "An ECG and a CT scan were normal. ECT was delivered."
    result = detector(make_case(text, targets=["ECG", "CT scan", "ECT"]))
    assert result.abbreviations == []
    assert expansions(result) == {
        "ECG": "electrocardiogram",
        "CT scan": "computed tomography scan",
        "ECT": "electroconvulsive therapy",
    }


def test_a_short_form_written_after_its_long_form_is_not_doubled(
    detector: AbbreviationDetector,
) -> None:
    text = "Carcinoembryonic antigen CEA and an ECG were normal."
    result = detector(make_case(text, targets=["Carcinoembryonic antigen CEA"]))
    assert expansions(result) == {"Carcinoembryonic antigen CEA": "Carcinoembryonic antigen"}


def test_imaging_abbreviations_of_case_reports_are_expanded(
    detector: AbbreviationDetector,
) -> None:
    text = "An abdominal USG, a chest HRCT and a CECT abdomen were done."
    result = detector(make_case(text, targets=["USG", "HRCT", "CECT"]))
    assert expansions(result) == {
        "USG": "ultrasonography",
        "HRCT": "high-resolution computed tomography",
        "CECT": "contrast-enhanced computed tomography",
    }


def test_text_definition_overrides_lexicon(detector: AbbreviationDetector) -> None:
    text = "The EXTEM clotting time (CT) was prolonged and the CT fell after plasma."
    result = detector(make_case(text, targets=[("CT", "the ")]))
    assert expansions(result) == {"CT": "clotting time"}


def test_a_disease_abbreviation_expands_only_a_findings_mention(
    detector: AbbreviationDetector,
) -> None:
    text = "Four units of RCC were transfused. Her RCC had spread to the lung."
    case = make_case(text, targets=["RCC", ("RCC", "Her ")])
    drug, disease = case.mentions
    case = case.model_copy(
        update={
            "mentions": [
                drug.model_copy(update={"type": EntityType.MEDICATION}),
                disease.model_copy(update={"type": EntityType.DISEASE_DISORDER}),
            ]
        }
    )
    assert [m.expansion for m in detector(case).mentions] == [None, "renal cell carcinoma"]


def test_ambiguous_abbreviation_left_alone(detector: AbbreviationDetector) -> None:
    text = "A PE was excluded and stage IV disease was found."
    result = detector(make_case(text, targets=["PE", "stage IV disease"]))
    assert expansions(result) == {"PE": None, "stage IV disease": None}


def test_short_form_inside_a_longer_word_is_not_expanded(detector: AbbreviationDetector) -> None:
    text = "The CTA and the HIV-1 load were reviewed."
    result = detector(make_case(text, targets=["CTA", "HIV-1 load"]))
    assert expansions(result) == {"CTA": "computed tomography angiography", "HIV-1 load": None}


def test_find_best_long_form_needs_first_letter_at_word_start() -> None:
    assert find_best_long_form("ECG", "an electrocardiogram") == 3
    assert find_best_long_form("CG", "an electrocardiogram") is None


def test_packaged_lexicon_is_valid() -> None:
    lexicon = load_rules(resource_path("abbreviations.json"), AbbreviationLexicon)
    shorts = {entry.short for entry in lexicon.entries}
    assert {"CT", "MRI", "ECG", "EKG", "CSF", "i.v.", "HbA1c", "eGFR", "RCC", "ALCL"} <= shorts
    assert not {"PE", "IV", "MS", "RA", "DM"} & shorts


def test_invalid_lexicon_is_a_resource_error(tmp_path: Path) -> None:
    path = tmp_path / "abbreviations.json"
    path.write_text(
        json.dumps({"version": "1", "entries": [{"short": "CT", "long": "x", "note": "?"}]}),
        encoding="utf-8",
    )
    with pytest.raises(CasebookError) as caught:
        AbbreviationDetector(path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    assert caught.value.code.value == "CB-E012"


def test_duplicate_lexicon_entry_is_a_resource_error(tmp_path: Path) -> None:
    path = tmp_path / "abbreviations.json"
    entries = [{"short": "CT", "long": "computed tomography"}] * 2
    path.write_text(json.dumps({"version": "1", "entries": entries}), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        AbbreviationDetector(path)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


_WORD = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.,;:()"
    ),
    min_size=1,
    max_size=12,
)
_SHORT = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789-/ "),
    min_size=1,
    max_size=12,
)


@st.composite
def _definition_texts(draw: st.DrawFn) -> str:
    """f"{long} ({short})" among random words; the short form is often the long form's initials."""
    before = draw(st.lists(_WORD, max_size=6))
    long = draw(st.lists(_WORD, min_size=1, max_size=6))
    initials = "".join(word[0] for word in long).upper()
    short = draw(st.one_of(_SHORT, st.just(initials), st.just(f"{initials}s")))
    after = draw(st.lists(_WORD, max_size=4))
    return " ".join([*before, f"{' '.join(long)} ({short})", *after])


@settings(max_examples=200, deadline=None)
@given(text=_definition_texts())
def test_offsets_always_match_texts(detector: AbbreviationDetector, text: str) -> None:
    result = detector(make_case(text))
    for abbreviation in result.abbreviations:
        assert text[abbreviation.short.start : abbreviation.short.end] == abbreviation.short_text
        assert text[abbreviation.long.start : abbreviation.long.end] == abbreviation.long_text
        assert abbreviation.short_text and abbreviation.long_text
    # The model's own validator agrees (model_copy does not run it).
    Case.model_validate(result.model_dump())


def _findings(text: str, *words: str, kind: EntityType = SIGN) -> Case:
    mentions = [
        Mention(
            id=f"m{number}",
            start=text.index(word),
            end=text.index(word) + len(word),
            text=word,
            type=kind,
        )
        for number, word in enumerate(words)
    ]
    return make_case(text).model_copy(update={"mentions": mentions})


def test_a_finding_told_by_its_adjective_alone_reads_as_the_finding(
    detector: AbbreviationDetector,
) -> None:
    text = "On admission she was jaundiced, febrile and tachycardic."
    case = detector(_findings(text, "jaundiced", "febrile", "tachycardic"))
    assert expansions(case) == {
        "jaundiced": "jaundice",
        "febrile": "fever",
        "tachycardic": "tachycardia",
    }


def test_an_adjective_inside_a_longer_mention_or_of_another_type_is_left_as_written(
    detector: AbbreviationDetector,
) -> None:
    text = "The septic arthritis was drained."
    assert expansions(detector(_findings(text, "septic arthritis", kind=DISEASE))) == {
        "septic arthritis": None
    }
    assert expansions(detector(_findings(text, "septic", kind=TEST))) == {"septic": None}


def test_a_history_told_by_adjectives_gets_the_diseases_it_names(
    detector: AbbreviationDetector,
) -> None:
    text = "A 52-year-old diabetic, obese, hypertensive man."
    case = detector(_findings(text, "diabetic", "obese", "hypertensive", kind=EntityType.HISTORY))
    diseases = {m.text: m.expansion for m in case.mentions if m.type is EntityType.DISEASE_DISORDER}
    assert diseases == {
        "diabetic": "diabetes mellitus",
        "obese": "obesity",
        "hypertensive": "hypertension",
    }


def test_an_adjective_of_a_passing_state_is_read_only_in_the_history(
    detector: AbbreviationDetector,
) -> None:
    text = "On arrival she was hypertensive."
    assert expansions(detector(_findings(text, "hypertensive"))) == {"hypertensive": None}


def test_every_packaged_adjective_names_an_hpo_term() -> None:
    _, _, matcher = packaged_matcher()
    adjectives = load_rules(resource_path("finding_adjectives.json"), FindingAdjectives)
    for entry in adjectives.entries:
        (best,) = matcher.candidates(entry.finding, limit=1)
        assert best.score == 1.0, entry
