"""Phenotypes recognised in all the text: exact aliases and the trained span scorer's variants."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.ingest.text import read_text
from casebook.kb.base import normalize_tokens
from casebook.model import Assertion, Case, CodeSystem, EntityType, Mention, Source, SourceFormat
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.hpo_spans import (
    WordEquivalents,
    adjective_forms,
    packaged_scorer,
    phrase_spans,
    scored_spans,
)
from casebook.nlp.phenotypes import PhenotypeCoder
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.nlp.vocabulary import VocabularyMentions

CEREBELLAR_HYPOPLASIA = "HP:0001321"
SENSORINEURAL_HEARING_LOSS = "HP:0000407"
HEARING_LOSS = "HP:0000365"
RENAL_HYPOPLASIA = "HP:0000089"
ACOUSTIC_NEUROMA = "HP:0009588"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    # No mention model: every mention here is one the recognition over the text made.
    return Pipeline(
        [
            SectionDetector(),
            SentenceSplitter(),
            VocabularyMentions(),
            ContextAssertion(),
            PhenotypeCoder(),
        ],
        provided=frozenset({"id", "text", "source", "title", "mentions"}),
    )


def analyse(pipeline: Pipeline, tmp_path: Path, text: str) -> Case:
    path = tmp_path / "case.txt"
    path.write_text(text, encoding="utf-8")
    return pipeline(read_text(path))


def mention_codes(case: Case) -> dict[str, tuple[str, set[str]]]:
    return {
        m.text: (m.assertion.value, {c.code for c in m.codes if c.system is CodeSystem.HPO})
        for m in case.mentions
    }


def case_codes(case: Case) -> set[str]:
    return {c.code for c in case.codes if c.system is CodeSystem.HPO}


def test_a_phenotype_no_alias_spells_is_recognised_and_coded(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO writes "Cerebellar hypoplasia"; the text writes the noun.
    case = analyse(pipeline, tmp_path, "MRI showed cerebellum hypoplasia.")
    assert mention_codes(case) == {"cerebellum hypoplasia": ("present", {CEREBELLAR_HYPOPLASIA})}
    assert case_codes(case) == {CEREBELLAR_HYPOPLASIA}


def test_a_negated_phenotype_is_coded_on_its_mention_only(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    case = analyse(pipeline, tmp_path, "There was no cerebellum hypoplasia.")
    assert mention_codes(case) == {
        "cerebellum hypoplasia": (Assertion.NEGATED.value, {CEREBELLAR_HYPOPLASIA})
    }
    assert case_codes(case) == set()


def test_an_anatomical_phrase_is_no_phenotype(pipeline: Pipeline, tmp_path: Path) -> None:
    # "corpus callosum" is a piece of many aliases ("Agenesis of the corpus callosum").
    assert analyse(pipeline, tmp_path, "The corpus callosum was examined.").mentions == []


def test_a_function_word_stands_for_no_organ(pipeline: Pipeline, tmp_path: Path) -> None:
    # "Smooth lingual surface" is Smooth tongue; a swelling "smooth in surface" is no tongue.
    text = "The swelling was pale pink and smooth in surface texture."
    assert case_codes(analyse(pipeline, tmp_path, text)) == set()


def test_eye_drops_are_a_medicine_not_a_drooping_eyelid(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO lists "Eye drop" as a synonym of Ptosis.
    text = "Ofloxacin eye drops were prescribed four times daily."
    assert case_codes(analyse(pipeline, tmp_path, text)) == set()


def test_a_disoriented_patient_has_no_sleep_arousal_disorder(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO lists "Disoriented" as a synonym of Confusional arousal, a disorder of waking.
    text = "On arrival he was disoriented."
    assert "HP:0025237" not in case_codes(analyse(pipeline, tmp_path, text))


def test_a_bone_a_scan_names_is_no_fractured_bone(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO lists "bone tarsal bone" as a synonym of Fractured tarsal bone.
    text = "A bone scan showed increased uptake over the skull, femur and tarsal bones."
    assert case_codes(analyse(pipeline, tmp_path, text)) == set()


def test_a_phenotype_joined_to_non_is_denied(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "Imaging suggested a non-ST-segment elevation myocardial infarction."
    assert "HP:0012251" not in case_codes(analyse(pipeline, tmp_path, text))  # ST elevation


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("She had seizure-like episodes over a month.", "HP:0001250"),
        ("He presented with a stroke-like onset.", "HP:0001297"),
    ],
)
def test_a_phrase_joined_to_like_is_not_what_it_resembles(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    assert concept not in case_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("The drug kept its anti-tumor effect.", "HP:0002664"),  # Neoplasm
        ("It was stopped by anti-tachycardia pacing.", "HP:0001649"),  # Tachycardia
        ("She had an episode of pre-syncope.", "HP:0001279"),  # Syncope
    ],
)
def test_a_phenotype_joined_to_anti_or_pre_is_not_named(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    codes = {
        c for _, found in mention_codes(analyse(pipeline, tmp_path, text)).values() for c in found
    }
    assert concept not in codes


def test_a_phrase_lacking_a_telling_word_of_its_alias_names_no_phenotype(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # 'Narrow carpal joint spaces' says where; the text does not.
    text = "X-rays of the knees showed joint space narrowing."
    codes = {
        c for _, found in mention_codes(analyse(pipeline, tmp_path, text)).values() for c in found
    }
    assert "HP:0004264" not in codes
    # A lab word an alias holds ('Decreased serum ceruloplasmin') tells nothing more.
    text = "She had low ceruloplasmin."
    assert "HP:0010837" in case_codes(analyse(pipeline, tmp_path, text))


def test_a_reordered_span_ending_inside_its_prepositions_phrase_is_none(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # "typical" qualifies the lesions, not the absence: no Typical absence seizure.
    text = "It was diagnosed in the absence of typical skin lesions."
    codes = {
        c for _, found in mention_codes(analyse(pipeline, tmp_path, text)).values() for c in found
    }
    assert "HP:0011147" not in codes
    # Said whole, the reordered phrase keeps its reading (Gallbladder perforation).
    text = "Surgery found a perforation of the gallbladder."
    assert "HP:0030154" in case_codes(analyse(pipeline, tmp_path, text))
    # A word going on with the phrase that HPO names with the span's last word keeps it.
    text = "MRI showed atrophy of the cerebral hemisphere."
    assert "HP:0002059" in case_codes(analyse(pipeline, tmp_path, text))  # Cerebral atrophy


def test_a_phenotype_joined_to_pseudo_is_denied(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "She had pseudo-hyponatremia, a pseudo aneurysm and intestinal pseudo-obstruction."
    codes = case_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0002902" not in codes and "HP:0002617" not in codes  # Hyponatremia, aneurysm
    assert "HP:0004389" in codes  # Intestinal pseudo-obstruction
    # What "non" denies is the word it is joined to, not the finding it qualifies.
    text = "He had non-sustained ventricular tachycardia."
    assert "HP:0004756" in case_codes(analyse(pipeline, tmp_path, text))


def test_candidate_spans_neither_start_nor_end_with_a_function_word() -> None:
    text = "no fever and cough"
    spans = phrase_spans(text, 3)
    assert [text[s:e] for s, e, _ in spans] == ["fever", "fever and cough", "cough"]
    # Each span's words are those its text normalises to.
    assert all(words == normalize_tokens(text[s:e]) for s, e, words in spans)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*"aeisTHE -/.,;()\n0_", "tumours", "The", "an", "oedema", "ies"]),
        max_size=30,
    ).map("".join)
)
def test_an_ascii_span_reads_the_words_its_text_normalises_to(text: str) -> None:
    # scored_spans hands an ASCII span's words to the candidate search without reading its
    # text again: they must be the same words.
    spans = phrase_spans(text, 6)
    assert all(words == normalize_tokens(text[s:e]) for s, e, words in spans)


def test_scored_spans_never_cross_sentence_punctuation() -> None:
    _, _, generator = PhenotypeCoder().rules, None, PhenotypeCoder().generator
    text = "It was the cerebellum. Hypoplasia was seen elsewhere."
    spans = scored_spans(text, generator, packaged_scorer(), 0.0)
    assert all("." not in text[s.start : s.end] for s in spans)


def test_a_phenotype_nested_in_another_is_recognised_but_not_coded_twice(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    case = analyse(pipeline, tmp_path, "He had sensorineural hearing loss.")
    # Its mention names both; the patient's code is the more specific one.
    assert mention_codes(case) == {
        "sensorineural hearing loss": ("present", {SENSORINEURAL_HEARING_LOSS, HEARING_LOSS})
    }
    assert case_codes(case) == {SENSORINEURAL_HEARING_LOSS}


def test_a_coordinated_phenotype_keeps_its_own_words(pipeline: Pipeline, tmp_path: Path) -> None:
    # The alias matcher reads "renal [hypoplasia or] malformations"; renal hypoplasia is named too.
    case = analyse(pipeline, tmp_path, "He had renal hypoplasia or malformations.")
    assert RENAL_HYPOPLASIA in case_codes(case)


def test_a_nested_single_word_is_not_recognised_on_its_own(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # A tumour's kind ("Neuroma") is not named apart from the tumour a longer alias names.
    case = analyse(pipeline, tmp_path, "She had acoustic neuromas.")
    assert mention_codes(case) == {"acoustic neuromas": ("present", {ACOUSTIC_NEUROMA})}


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # "Ear anomalies" is a synonym of Abnormality of the ear and of its outer-ear child.
        ("She had ear anomalies.", "HP:0000598"),
        # "Short forearm" names HP:0005773 and is a synonym of Forearm undergrowth.
        ("She had a short forearm.", "HP:0005773"),
    ],
    ids=["the-broader-concept", "the-concept-it-names"],
)
def test_an_alias_of_several_concepts_is_read_in_one_sense(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    assert [codes for _, codes in mention_codes(analyse(pipeline, tmp_path, text)).values()] == [
        {concept}
    ]


@pytest.mark.parametrize(
    ("text", "given", "kind", "found"),
    [
        # The mention model typed the diagnosis as a description: its phenotype is a finding.
        (
            "The lesions were a double AB type thymoma.",
            "double AB type thymoma",
            EntityType.DETAILED_DESCRIPTION,
            ["thymoma"],
        ),
        # A disorder's subtype told after its name is still the disorder's words.
        (
            "She was diagnosed with neurofibromatosis type 2.",
            "neurofibromatosis type 2",
            EntityType.DIAGNOSTIC_PROCEDURE,
            ["neurofibromatosis"],
        ),
        # A test named by what it looks for holds no finding.
        (
            "The serum tumor marker CA 19-9 was raised.",
            "serum tumor marker CA 19-9",
            EntityType.DIAGNOSTIC_PROCEDURE,
            [],
        ),
        # A finding typed as the structure it is of: the phenotype ends it or holds its head.
        (
            "Ultrasound revealed an ectopic right pelvic kidney.",
            "right pelvic kidney",
            EntityType.BIOLOGICAL_STRUCTURE,
            ["pelvic kidney"],
        ),
        (
            "She had proximal weakness of extremities.",
            "proximal weakness of extremities",
            EntityType.BIOLOGICAL_STRUCTURE,
            ["weakness"],
        ),
        # A structure named by a finding is no finding: its head is the structure's.
        ("A fat lesion lay in the hernia sac.", "hernia sac", EntityType.BIOLOGICAL_STRUCTURE, []),
        # Words of a structure the span scorer found near a phenotype's name, spelling none.
        (
            "Foci were seen in the right sternal end of clavicle.",
            "right sternal end of clavicle",
            EntityType.BIOLOGICAL_STRUCTURE,
            [],
        ),
        (
            "A screw added stability in the subtalar joint.",
            "subtalar joint",
            EntityType.BIOLOGICAL_STRUCTURE,
            [],
        ),
        (
            "The graft was placed along the length of the septal defect.",
            "along the length of the septal defect",
            EntityType.BIOLOGICAL_STRUCTURE,
            [],
        ),
    ],
)
def test_a_phenotype_ending_a_mistyped_finding_is_a_finding(
    text: str, given: str, kind: EntityType, found: list[str]
) -> None:
    start = text.index(given)
    named = Mention(id="m1", start=start, end=start + len(given), text=given, type=kind)
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=[named])
    added = [m.text for m in VocabularyMentions()(case).mentions if m.id != "m1"]
    assert [w.lower() for w in added] == found


def test_a_finding_mention_of_a_broader_concept_carries_the_narrower_one() -> None:
    # The mention model left "type 2" out of the diagnosis; the words name the narrower concept.
    text = "Medical history included type 2 diabetes mellitus."
    start = text.index("diabetes mellitus")
    mention = Mention(
        id="m1",
        start=start,
        end=start + len("diabetes mellitus"),
        text="diabetes mellitus",
        type=EntityType.DISEASE_DISORDER,
    )
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=[mention])
    found = VocabularyMentions()(case).mentions
    assert [(m.text, [c.code for c in m.codes]) for m in found] == [
        ("diabetes mellitus", ["HP:0005978"])  # Type II diabetes mellitus
    ]


def test_a_word_stands_for_its_equivalent_in_hpo_names(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO writes "Pulmonary mass"; its names pair "lung" and "pulmonary" for many concepts.
    case = analyse(pipeline, tmp_path, "CT showed a lung mass.")
    assert mention_codes(case) == {"lung mass": ("present", {"HP:0033821"})}


def test_a_noun_in_ment_stands_for_what_its_participle_does(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO's names pair "underdeveloped" with "hypoplastic" and "hypoplasia", not
    # "underdevelopment" with anything; the noun reads as its participle does.
    case = analyse(pipeline, tmp_path, "MRI showed underdevelopment of the cerebellum.")
    assert "HP:0001321" in {c for _, codes in mention_codes(case).values() for c in codes}


def test_a_modifier_stands_for_the_word_hpo_folds_its_kind_into(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO names a few concepts each "Depressed …" or "Exaggerated …" beside "Decreased …" or
    # "Increased …", too few to pair the words as other words pair; modifiers pair at fewer.
    case = analyse(
        pipeline,
        tmp_path,
        "Echocardiography showed a depressed ejection fraction. "
        "He had exaggerated deep tendon reflexes.",
    )
    codes = {c for _, codes in mention_codes(case).values() for c in codes}
    assert {"HP:0012664", "HP:0001347"} <= codes


def test_a_word_joined_by_a_hyphen_goes_on_with_a_span_read_with_an_equivalent(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # "high" of "high-grade" qualifies the grade; read as "elevation" it was PTa elevation.
    case = analyse(pipeline, tmp_path, "He was advised BCG for pTa high-grade carcinoma.")
    codes = {c for _, codes in mention_codes(case).values() for c in codes}
    assert "HP:0031597" not in codes


def test_a_noun_the_word_forms_fold_one_spelling_into_is_no_modifier(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # "dilatation" is folded into "dilation" alone; its looser pairs would read the heart's
    # "ventricular enlargement" as the brain's Ventricular dilation (Ventriculomegaly).
    case = analyse(pipeline, tmp_path, "Echocardiography showed left ventricular enlargement.")
    codes = {c for _, codes in mention_codes(case).values() for c in codes}
    assert "HP:0002119" not in codes


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # "enlargement" alone is no Overgrowth, a name its equivalent spells alone.
        ("The cyst showed gradual enlargement.", "HP:0001548"),
        # A "disorder" is no generic "abnormality": Sleep abnormality is a grouping class.
        ("She had a sleep disorder.", "HP:0002360"),
    ],
)
def test_an_equivalent_needs_a_word_said_beside_it_and_of_its_kind(text: str, concept: str) -> None:
    found = VocabularyMentions().recognised(text)
    assert concept not in {c for m in found for c in m.concept_ids}


def test_an_equivalent_reads_no_other_concept_where_the_words_spell_one_but_generic_words() -> None:
    # "low" folds into "decreased", which pairs with "deficiency": the words said spell
    # Decreased thyroid-stimulating hormone level (but "level"), no TSH deficiency.
    found = VocabularyMentions().recognised("She had low thyroid stimulating hormone.")
    assert "HP:0008245" not in {c for m in found for c in m.concept_ids}


def test_a_word_other_than_the_direction_may_still_be_read_as_its_equivalent() -> None:
    # "Hb" reads as "hemoglobin": 'Decreased Hb concentration' spells the words, yet the
    # direction is said as HPO's Anemia says it.
    found = VocabularyMentions().recognised("Hb decreased to 7.4 g/dL.")
    assert {c for m in found for c in m.concept_ids} == {"HP:0001903"}


def test_what_a_copula_tells_of_a_prepositions_object_is_told_of_the_word_before() -> None:
    # The control of the blood pressure became poor: no Hypotension.
    found = VocabularyMentions().recognised("Control of his blood pressure became poor.")
    assert "HP:0002615" not in {c for m in found for c in m.concept_ids}


def test_word_equivalents_are_pairs_of_one_concepts_names_not_contrasts() -> None:
    aliases = {
        ("renal", "cyst"): {"A"},
        ("kidney", "cyst"): {"A"},
        ("renal", "stone"): {"B"},
        ("kidney", "stone"): {"B"},
        ("upper", "limb", "pain"): {"C"},
        ("lower", "limb", "pain"): {"D"},
        ("upper", "limb", "swelling"): {"E"},
        ("lower", "limb", "swelling"): {"E"},
    }
    pairs = WordEquivalents.of(aliases)
    assert pairs.table(2, 0.9) == {"kidney": ("renal",), "renal": ("kidney",)}
    # Learnt without A's names, the pair rests on B's alone.
    assert not pairs.holds(("kidney", "renal"), 2, 0.9, leave_out={"A"})
    assert pairs.table(1, 0.5) == {
        "kidney": ("renal",),
        "lower": ("upper",),
        "renal": ("kidney",),
        "upper": ("lower",),
    }
    assert pairs.table(1, 0.9) == {"kidney": ("renal",), "renal": ("kidney",)}


def test_word_equivalents_pair_an_object_of_of_with_a_modifier_in_its_place() -> None:
    aliases = {
        ("abnormality", "of", "heart"): {"A"},
        ("cardiac", "abnormality"): {"A"},
        ("heart", "defect"): {"B"},
        ("cardiac", "defect"): {"B"},
        # "angina" ends its name, heading it: no modifier in the place of "heart".
        ("pain", "of", "heart"): {"C"},
        ("pain", "angina"): {"C"},
    }
    pairs = WordEquivalents.of(aliases)
    assert pairs.table(2, 0.9) == {"cardiac": ("heart",), "heart": ("cardiac",)}


def test_necrosis_of_the_spleen_is_splenic_necrosis() -> None:
    # HPO says "Splenic necrosis" only; its names say "spleen" after "of" where others of one
    # concept say "splenic".
    found = VocabularyMentions().recognised("CT showed necrosis of the spleen.")
    assert [(m.start, m.end, m.concept_ids) for m in found] == [(10, 32, ("HP:6000232",))]


def test_dilatation_of_two_coordinated_ventricles_is_each_ones() -> None:
    # HPO spells "Dilation of lateral ventricles"; "dilatation" is its other spelling.
    found = VocabularyMentions().recognised(
        "CT revealed dilatation of the third and lateral ventricles."
    )
    assert {c for m in found for c in m.concept_ids} == {"HP:0007082", "HP:0006956"}


def test_a_noun_stands_for_its_adjective_in_hpo_names() -> None:
    # HPO writes "Axonal degeneration" only; its names qualify "degeneration" and "spheroid"
    # by both "axon" and "axonal".
    found = VocabularyMentions().recognised("Nerve biopsy showed degeneration of axons.")
    assert [(m.start, m.end, m.concept_ids) for m in found] == [(20, 41, ("HP:0040078",))]


def test_adjective_forms_are_one_stems_words_that_hpo_names_use_alike() -> None:
    aliases = {
        ("abnormality", "of", "cornea"): {"A"},
        ("corneal", "abnormality"): {"A"},
        ("axon", "degeneration"): {"B"},
        ("axonal", "degeneration"): {"C"},
        ("axon", "spheroid"): {"D"},
        ("axonal", "spheroid"): {"E"},
        ("colon", "abnormality"): {"F"},
        ("colic", "abnormality"): {"G"},
        ("colon", "pain"): {"H"},
        ("colic", "pain"): {"I"},
    }
    # "abnormality" is generic: two names sharing no other word tell no pair.
    assert adjective_forms(aliases, {"abnormality"}) == {
        "axon": ("axonal",),
        "axonal": ("axon",),
        "cornea": ("corneal",),
        "corneal": ("cornea",),
    }


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # "small intestinal" qualifies the adenoma: no Intestinal hypoplasia.
        ("It arose in a small intestinal tubulovillous adenoma.", "HP:0005245"),
        # "abnormal chest" qualifies the X-ray: no Abnormal thorax morphology.
        ("He had an abnormal chest X-ray.", "HP:0000765"),
    ],
)
def test_a_span_read_with_an_equivalent_must_end_its_phrase(text: str, concept: str) -> None:
    found = VocabularyMentions().recognised(text)
    assert concept not in {c for m in found for c in m.concept_ids}


def test_a_span_read_by_an_alias_in_another_sense_names_no_concept() -> None:
    found = VocabularyMentions().recognised("Progressive deformity of spine in a boy")
    assert "HP:0008443" not in {c for m in found for c in m.concept_ids}  # Charcot spine
