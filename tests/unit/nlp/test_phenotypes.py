"""PhenotypeCoder: HPO case codes for the patient's present findings only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.eval.hpo import exact_matches
from casebook.ingest.text import read_text
from casebook.model import (
    Assertion,
    Case,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Source,
    SourceFormat,
    Span,
)
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.patient import PatientDemographics
from casebook.nlp.phenotypes import PhenotypeCoder
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.nlp.vocabulary import VocabularyMentions
from casebook.resources import resource_path

SEIZURE = "HP:0001250"
MICROCEPHALY = "HP:0000252"


@pytest.fixture(scope="module")
def coder() -> PhenotypeCoder:
    return PhenotypeCoder()


@pytest.fixture(scope="module")
def pipeline(coder: PhenotypeCoder) -> Pipeline:
    # Mentions come from the test (or none) and from the vocabulary's HPO aliases: the NER
    # model is not needed here.
    return Pipeline(
        [SectionDetector(), SentenceSplitter(), VocabularyMentions(), ContextAssertion(), coder],
        provided=frozenset({"id", "text", "source", "title", "mentions"}),
    )


def analyse(pipeline: Pipeline, tmp_path: Path, text: str) -> Case:
    path = tmp_path / "case.txt"
    path.write_text(text, encoding="utf-8")
    return pipeline(read_text(path))


def hpo_codes(case: Case) -> set[str]:
    return {c.code for c in case.codes if c.system is CodeSystem.HPO}


def test_present_findings(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "She had seizures and microcephaly."
    case = analyse(pipeline, tmp_path, text)
    assert hpo_codes(case) == {SEIZURE, MICROCEPHALY}
    seizure = next(c for c in case.codes if c.code == SEIZURE)
    assert seizure.display == "Seizure"
    assert [text[e.start : e.end] for e in seizure.evidence] == ["seizures"]
    assert 0.0 < seizure.score <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "She had no seizures.",
        "Her brother had seizures.",
        "Discussion\nSeizures are a common feature of the syndrome.",
        "It was mild. Seizures and microcephaly are common features of the syndrome.[]",
    ],
    ids=["negated", "family", "discussion-only", "cited-general-statement"],
)
def test_not_the_patients_present_finding(pipeline: Pipeline, tmp_path: Path, text: str) -> None:
    assert SEIZURE not in hpo_codes(analyse(pipeline, tmp_path, text))


def test_mentions_are_linked(coder: PhenotypeCoder, tmp_path: Path) -> None:
    text = "She had seizures. There was no microcephaly."
    path = tmp_path / "case.txt"
    path.write_text(text, encoding="utf-8")
    case = SentenceSplitter()(SectionDetector()(Case.from_document(read_text(path))))
    mentions = [
        Mention(id="m1", start=8, end=16, text="seizures", type=EntityType.SIGN_SYMPTOM),
        Mention(
            id="m2",
            start=31,
            end=43,
            text="microcephaly",
            type=EntityType.SIGN_SYMPTOM,
            assertion=Assertion.NEGATED,
        ),
        Mention(id="m3", start=0, end=3, text="She", type=EntityType.SEX),
    ]
    coded = coder(case.model_copy(update={"mentions": mentions}))
    by_id = {m.id: m for m in coded.mentions}
    assert [(c.code, c.score) for c in by_id["m1"].codes] == [(SEIZURE, 1.0)]
    assert [c.code for c in by_id["m2"].codes] == [MICROCEPHALY]  # coded, though negated
    assert by_id["m3"].codes == []
    assert hpo_codes(coded) == {SEIZURE}
    assert coded.codes[0].mentions == ["m1"]


def test_link_single_span(coder: PhenotypeCoder) -> None:
    assert [c.concept_id for c in coder.link("Generalised seizures")] == ["HP:0002197"]
    assert coder.link("the car") == []


def test_a_heart_ventricle_is_no_brain_ventricle(coder: PhenotypeCoder) -> None:
    # "Dilated heart right ventricle" is too narrow for the text; "Dilated ventricles"
    # (Ventriculomegaly, the brain's) is another sense, not a broader reading.
    assert "HP:0002119" not in {c.concept_id for c in coder.link("dilated right ventricle")}
    assert [c.concept_id for c in coder.link("dilated ventricles")] == ["HP:0002119"]


def test_invalid_rules_file(tmp_path: Path) -> None:
    rules = json.loads(resource_path("phenotypes.json").read_text(encoding="utf-8"))
    rules["unknown_knob"] = 1
    bad = tmp_path / "phenotypes.json"
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        PhenotypeCoder(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    rules.pop("unknown_knob")
    rules["grouping_names"] = ["(unclosed"]
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        PhenotypeCoder(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    rules["grouping_names"] = []
    rules["added_synonyms"] = {"HP:9999999": ["no such concept"]}
    bad.write_text(json.dumps(rules), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        PhenotypeCoder(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_grouping_classes_are_not_case_codes(pipeline: Pipeline, tmp_path: Path) -> None:
    # "Abnormal heart morphology" only groups the heart's defects: curators name the defect.
    text = "Echocardiography showed abnormal heart morphology with a ventricular septal defect."
    codes = hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0001629" in codes  # Ventricular septal defect
    assert "HP:0001627" not in codes


def test_a_grouping_class_told_alone_is_a_case_code(pipeline: Pipeline, tmp_path: Path) -> None:
    # Nothing narrower is said: the grouping class is all the text tells, and it is true.
    text = "He was born with congenital heart defects."
    assert "HP:0001627" in hpo_codes(analyse(pipeline, tmp_path, text))


def test_an_ambiguous_mention_is_not_linked(coder: PhenotypeCoder) -> None:
    # "Breathing difficulty" is a synonym of both Dyspnea and Respiratory distress.
    assert coder.link("breathing difficulty") == []
    assert [c.concept_id for c in coder.link("dyspnea")] == ["HP:0002094"]


def test_accented_words_match(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "She had multiple café-au-lait macules."
    assert hpo_codes(analyse(pipeline, tmp_path, text)) == {"HP:0000957"}


def test_low_and_raised_match_decreased_and_increased(pipeline: Pipeline, tmp_path: Path) -> None:
    assert hpo_codes(analyse(pipeline, tmp_path, "She had low muscle tone.")) == {
        "HP:0001252"  # Hypotonia, whose synonym reads "Decreased muscle tone"
    }
    assert hpo_codes(analyse(pipeline, tmp_path, "He had raised intracranial pressure.")) == {
        "HP:0002516"  # Increased intracranial pressure
    }


def test_coordinated_adjectives_share_their_noun(pipeline: Pipeline, tmp_path: Path) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, "He had a short and wide neck."))
    assert codes == {"HP:0000470", "HP:0000475"}  # Short neck, Broad neck
    codes = hpo_codes(analyse(pipeline, tmp_path, "She had low set and posteriorly rotated ears."))
    assert codes == {"HP:0000369", "HP:0000358"}  # Low-set ears, Posteriorly rotated ears


def test_coordinated_words_naming_nothing_alone_share_the_words_around_them(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, "He had short 4th and 5th metacarpals."))
    assert codes == {"HP:0010044", "HP:0010047"}  # Short 4th and Short 5th metacarpal


def test_words_of_two_noun_phrases_name_no_phenotype_together(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, "He went back home and the pain worsened."))
    assert "HP:0003418" not in codes  # Back pain


def test_coordinated_modifiers_keep_the_words_written_together(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "He had posterior subcapsular or cortical cataracts."
    codes = hpo_codes(analyse(pipeline, tmp_path, text))
    # Posterior subcapsular cataract and Cortical cataract, no Posterior cortical cataract.
    assert {"HP:0007787", "HP:0100019"} <= codes and "HP:0010924" not in codes


def test_an_action_the_patient_cannot_do_is_not_its_state(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "She reported an inability to open mouth and was unable to fully open mouth."
    assert "HP:0000194" not in hpo_codes(analyse(pipeline, tmp_path, text))  # Open mouth


def test_an_exercise_a_therapy_lists_is_no_finding(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "Chest physiotherapy such as coughing and deep breathing was done."
    assert "HP:0012735" not in hpo_codes(analyse(pipeline, tmp_path, text))  # Cough
    assert "HP:0012735" in hpo_codes(analyse(pipeline, tmp_path, "She was coughing."))


def test_surgical_emphysema_is_air_under_the_skin(pipeline: Pipeline, tmp_path: Path) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, "X-ray showed surgical emphysema of the neck."))
    assert "HP:6001021" in codes  # Subcutaneous emphysema
    assert "HP:0002097" not in codes  # Emphysema, the lungs'


def test_immune_thrombocytopenic_purpura_is_the_disease_not_a_skin_finding(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, "He had immune thrombocytopenic purpura."))
    assert "HP:0001973" in codes  # Autoimmune thrombocytopenia
    assert "HP:0000979" not in codes  # Purpura


def test_an_adults_words_naming_no_delay_are_no_developmental_delay(
    coder: PhenotypeCoder, tmp_path: Path
) -> None:
    with_age = Pipeline(
        [
            SectionDetector(),
            SentenceSplitter(),
            PatientDemographics(),
            VocabularyMentions(),
            ContextAssertion(),
            coder,
        ],
        provided=frozenset({"id", "text", "source", "title", "mentions"}),
    )
    adult = hpo_codes(analyse(with_age, tmp_path, "A 60-year-old man had speech difficulties."))
    child = hpo_codes(analyse(with_age, tmp_path, "A 3-year-old boy had speech difficulties."))
    delayed_speech = "HP:0000750"
    assert delayed_speech not in adult and delayed_speech in child


def test_a_marked_phrase_denied_by_a_joined_non_is_not_its_phenotype(
    coder: PhenotypeCoder,
) -> None:
    text = "It was a diffuse large B cell Non-Hodgkin's lymphoma."
    words = "diffuse large B cell Non-Hodgkin's lymphoma"
    start, marked = text.index(words), text.index("Hodgkin's")
    mention = Mention(
        id="m1",
        start=start,
        end=start + len(words),
        text=words,
        type=EntityType.DISEASE_DISORDER,
        core=Span(start=marked, end=start + len(words)),
    )
    case = coder(
        Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=[mention])
    )
    assert "HP:0012189" not in {c.code for c in case.mentions[0].codes}  # Hodgkin lymphoma


def test_a_part_and_what_a_verb_tells_of_it_name_the_phenotype(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "The liver was markedly enlarged. Her thumbs were short and broad."
    codes = hpo_codes(analyse(pipeline, tmp_path, text))
    assert {"HP:0002240", "HP:0009778", "HP:0011304"} <= codes  # Hepatomegaly, Short, Broad thumb
    # Read alike beside letters outside ASCII.
    text = "In São Paulo her liver was enlarged."
    assert "HP:0002240" in hpo_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("The right condylar head was small.", "HP:0000252"),  # Microcephaly
        ("The papillary muscle was hypertrophic.", "HP:0003712"),  # Skeletal muscle hypertrophy
        ("The gag reflex was absent.", "HP:0001284"),  # Areflexia
    ],
)
def test_a_verb_told_of_a_kind_of_thing_no_alias_names_is_not_its_phenotype(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))
    # A kind the concept's narrower aliases name keeps it, and so does a position.
    told = "His tendon reflexes were increased. The peripheral pulses were weak."
    codes = hpo_codes(analyse(pipeline, tmp_path, told))
    assert {"HP:0001347", "HP:0032553"} <= codes  # Hyperreflexia, Weak pulse


def test_a_verb_told_of_a_placed_thing_or_a_kind_a_broader_alias_names_is_its_phenotype(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # "patellar" is a kind of reflex only Hyperreflexia's narrower aliases name; a pulse, skin
    # and a tonsil are placed by the word before them.
    told = (
        "The patellar reflexes were brisk. The radial pulses were weak. "
        "The scrotal skin was thickened. The palatine tonsil was enlarged."
    )
    codes = hpo_codes(analyse(pipeline, tmp_path, told))
    # Brisk reflexes, Weak pulse, Thickened skin, Enlarged tonsils
    assert {"HP:0001348", "HP:0032553", "HP:0001072", "HP:0030812"} <= codes


def test_a_prepositions_object_is_not_what_a_verb_tells_of(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "At endoscopy the field of vision was blurred and no bleeding was seen."
    assert "HP:0000622" not in hpo_codes(analyse(pipeline, tmp_path, text))  # Blurred vision


def test_no_match_inside_a_hyphenated_compound(pipeline: Pipeline, tmp_path: Path) -> None:
    # "clonic seizures" inside "tonic-clonic seizures" is not a Clonic seizure (HP:0020221).
    codes = hpo_codes(analyse(pipeline, tmp_path, "She had tonic-clonic seizures."))
    assert codes == {SEIZURE}


def test_a_name_never_claims_what_the_words_do_not_say(pipeline: Pipeline, tmp_path: Path) -> None:
    # "CSF leak" is a synonym of Spontaneous cerebrospinal fluid leak; this leak followed a
    # biopsy, and nothing says it was spontaneous.
    text = "A cerebrospinal fluid leak followed the biopsy."
    assert "HP:0032934" not in hpo_codes(analyse(pipeline, tmp_path, text))
    spontaneous = "She had a spontaneous cerebrospinal fluid leak."
    assert "HP:0032934" in hpo_codes(analyse(pipeline, tmp_path, spontaneous))


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        ("frequent urinary tract infections", "HP:0000010"),  # Recurrent …
        ("a grand mal seizure", "HP:0002069"),  # Bilateral tonic-clonic seizure
        ("generalized tonic-clonic seizures", "HP:0002069"),
        ("absence seizures", "HP:0002121"),  # Generalized non-motor (absence) seizure
        ("end-stage renal disease", "HP:0003774"),  # Stage 5 chronic kidney disease
        ("complex partial seizure", "HP:0002384"),  # Focal impaired awareness seizure
        ("fibroadenoma", "HP:0010619"),  # Fibroadenoma of the breast, an added synonym
        # HPO's synonym narrows Microcephaly by a word of its own, which says "secondary".
        ("postnatal microcephaly", "HP:0005484"),  # Secondary microcephaly
    ],
)
def test_words_saying_a_qualifier_claim_it(coder: PhenotypeCoder, words: str, concept: str) -> None:
    assert [c.concept_id for c in coder.link(words)] == [concept]


def test_a_synonym_dropping_a_qualifier_still_does_not_claim_it(coder: PhenotypeCoder) -> None:
    # HPO lists "Urinary tract infections" for the recurrent ones; one infection is not that.
    assert coder.link("urinary tract infection") == []
    # "Adrenocortical" narrows no broader concept's name: it is no word for "primary".
    assert coder.link("adrenocortical insufficiency") == []


@pytest.mark.parametrize(
    ("text", "procedure", "phenotype"),
    [
        ("Therapeutic hypothermia was started.", "Therapeutic hypothermia", False),
        ("She had hypothermia.", None, True),
    ],
)
def test_a_word_naming_a_procedure_within_one_is_no_phenotype(
    text: str, procedure: str | None, phenotype: bool
) -> None:
    mentions = []
    if procedure is not None:
        start = text.index(procedure)
        mentions.append(
            Mention(
                id="m1",
                start=start,
                end=start + len(procedure),
                text=procedure,
                type=EntityType.THERAPEUTIC_PROCEDURE,
            )
        )
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions)
    found = VocabularyMentions()(case)
    hypothermia = [m for m in found.mentions if any(c.code == "HP:0002045" for c in m.codes)]
    assert bool(hypothermia) is phenotype


def test_aspiration_alone_is_the_procedure_not_the_phenotype() -> None:
    # In case reports "aspiration" is mostly a needle's ("aspiration of fluid within the cystic
    # mass", "bone marrow aspiration"); a longer alias still names the phenotype.
    text = "At surgery, after aspiration of fluid within the cystic mass, a resection was done."
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT))
    assert not any(m.codes for m in VocabularyMentions()(case).mentions)
    text = "She had pulmonary aspiration."
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT))
    found = VocabularyMentions()(case).mentions
    assert [c.code for m in found for c in m.codes] == ["HP:0002835"]


@pytest.mark.parametrize(
    ("text", "words", "concept"),
    [
        # The pressure of the cerebrospinal fluid is how intracranial pressure is measured.
        # A word grading the direction is part of the finding.
        (
            "MRI was suggestive of extremely low CSF pressure.",
            "extremely low CSF pressure",
            "HP:0012641",
        ),
        (
            "Lumbar puncture showed a raised opening pressure.",
            "raised opening pressure",
            "HP:0002516",
        ),
    ],
)
def test_csf_pressure_is_intracranial_pressure(text: str, words: str, concept: str) -> None:
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT))
    found = VocabularyMentions()(case)
    assert [(m.text, [c.code for c in m.codes]) for m in found.mentions] == [(words, [concept])]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("Ultrasound revealed enlargement of the spleen.", "HP:0001744"),  # Splenomegaly
        ("The spleen was enlarged.", "HP:0001744"),
        ("There was splenic enlargement.", "HP:0001744"),
        ("CT showed enlargement of the liver.", "HP:0002240"),  # Hepatomegaly
    ],
)
def test_an_organs_enlargement_is_its_megaly(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    # HPO names a large spleen and an enlarged liver, not their enlargement.
    assert concept in hpo_codes(analyse(pipeline, tmp_path, text))


def test_a_phrase_the_scorer_accepts_is_no_phenotype_within_another_things_name() -> None:
    # The exact alias "immunodeficiency" is a virus's name here; the scorer must not bring it back.
    text = "Causes such as human immunodeficiency virus were considered."
    found = VocabularyMentions().recognised(text)
    assert not [m for m in found if "HP:0002721" in m.concept_ids]


def test_a_result_word_within_a_phenotype_is_no_finding_of_its_own() -> None:
    # The mention model reads "raised" as the result of the test "intracranial pressure"; the
    # finding is the whole phrase, and the result keeps no phenotype.
    text = "He had raised intracranial pressure."
    mentions = [
        Mention(id="m1", start=7, end=13, text="raised", type=EntityType.LAB_VALUE),
        Mention(
            id="m2",
            start=14,
            end=35,
            text="intracranial pressure",
            type=EntityType.DIAGNOSTIC_PROCEDURE,
        ),
    ]
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions)
    found = VocabularyMentions()(case)
    coded = [(m.text, m.type, [c.code for c in m.codes]) for m in found.mentions if m.codes]
    assert coded == [("raised intracranial pressure", EntityType.SIGN_SYMPTOM, ["HP:0002516"])]


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        ("eye abnormalities", "HP:0000478"),  # Abnormality of the eye, not its morphology
        ("brain anomalies", "HP:0012443"),  # Abnormal brain morphology
        ("vascular malformations", "HP:0025015"),  # Abnormal vascular morphology
    ],
)
def test_a_body_parts_abnormality_told_part_first_is_its_concept(
    coder: PhenotypeCoder, words: str, concept: str
) -> None:
    assert [c.concept_id for c in coder.link(words)] == [concept]


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        ("unstable gait", "HP:0002317"),  # Unsteady gait
        ("stereotypies", "HP:0000733"),  # Motor stereotypy
        ("stereotypic movements", "HP:0000733"),
    ],
)
def test_a_gait_or_stereotypy_told_in_other_words_is_its_concept(
    coder: PhenotypeCoder, words: str, concept: str
) -> None:
    assert [c.concept_id for c in coder.link(words)] == [concept]


def test_casebooks_added_synonyms_are_not_the_anchors() -> None:
    assert "HP:0012641" not in exact_matches("She had a low CSF pressure.")
    assert "HP:0012641" in exact_matches("She had intracranial hypotension.")


def test_a_past_finding_of_the_patients_is_in_the_phenotype(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # A phenotype is a trait of the patient's: seizures in infancy belong to the profile.
    text = "He had a history of seizures in infancy."
    assert SEIZURE in hpo_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize("words", ["pulmonary hypertension", "pulmonary arterial hypertension"])
def test_pulmonary_hypertension_is_no_systemic_hypertension(
    pipeline: Pipeline, tmp_path: Path, words: str
) -> None:
    # "Arterial hypertension", nested in the second, is a synonym of Hypertension.
    codes = hpo_codes(analyse(pipeline, tmp_path, f"Echocardiography showed {words}."))
    assert codes == {"HP:0002092"}  # Pulmonary arterial hypertension, not HP:0000822


def test_coordinated_findings_each_keep_their_concept(pipeline: Pipeline, tmp_path: Path) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, "The child had small hands and feet."))
    assert "HP:0200055" in codes  # Small hands, nested beside Short foot


def test_a_mention_shorter_than_an_alias_may_be_is_not_linked(coder: PhenotypeCoder) -> None:
    # An undefined "CP" may be cerebral palsy or the initials of a person in a forensic report.
    assert coder.link("CP") == []
    assert [c.concept_id for c in coder.link("cerebral palsy")] == ["HP:0100021"]


@pytest.mark.parametrize(
    ("words", "concepts"),
    [
        ("fluid collection", []),  # no "Perinephric fluid collection": the text names no kidney
        ("renal dysfunction", []),  # nor "Renal tubular dysfunction"
        ("Behavioral psychiatric", ["HP:0000708"]),  # "abnormalities" is a generic word
        ("unilateral iris coloboma", ["HP:0000612"]),  # a broader concept may be linked
    ],
)
def test_a_mention_is_never_linked_to_a_narrower_concept(
    coder: PhenotypeCoder, words: str, concepts: list[str]
) -> None:
    assert [c.concept_id for c in coder.link(words)] == concepts


@pytest.mark.parametrize(
    ("text", "concept", "not_coded"),
    [
        # An ECG's ST depression is no depression of the mind.
        ("The ECG showed infero-lateral ST depression.", "HP:0012250", "HP:0000716"),
        ("The ECG showed diffuse ST-elevation.", "HP:0012251", None),
        ("The EKG showed ST elevations and PR depressions.", "HP:0031594", "HP:0000716"),
    ],
)
def test_an_st_segment_change_is_named_as_one(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str, not_coded: str | None
) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, text))
    assert concept in codes and not_coded not in codes


def test_the_dullness_of_a_percussion_is_no_lethargy(pipeline: Pipeline, tmp_path: Path) -> None:
    assert "HP:0001254" not in hpo_codes(
        analyse(pipeline, tmp_path, "There was shifting dullness.")
    )


def test_an_lft_is_a_liver_function_test(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO lists "LFT" for Filum terminale lipoma.
    found = analyse(pipeline, tmp_path, "PT was 17.9 seconds, LFT(AST 223 U/L, ALT 74 U/L).")
    assert "HP:6000184" not in hpo_codes(found)


@pytest.mark.parametrize(
    "text",
    [
        "She had a hypersensitivity reaction to penicillin.",
        "The skin was highly sensitive to touch.",
        "A highly sensitive assay was used.",
    ],
)
def test_a_sensitivity_of_the_body_or_an_assay_is_no_emotional_one(
    pipeline: Pipeline, tmp_path: Path, text: str
) -> None:
    assert "HP:0041092" not in hpo_codes(analyse(pipeline, tmp_path, text))


def test_oncology_is_a_medical_field_no_neoplasm(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO lists "Oncology" for Neoplasm.
    found = analyse(pipeline, tmp_path, "Hematology/oncology was consulted for her anemia.")
    assert "HP:0002664" not in {c.code for m in found.mentions for c in m.codes}


def test_an_unresponsive_patient_shows_no_confusional_arousal(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "The patient was found to be unresponsive and pulseless."
    assert "HP:0025237" not in hpo_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # A short acronym only as HPO spells it: "OMe" of a formula is no otitis media.
        ("The 3, 5-(OMe)2 compound was used.", "HP:0031353"),
        # An electrolyte imbalance is no imbalance of gait; a dried blood spot no purpura.
        ("His electrolyte imbalance worsened.", "HP:0002172"),
        ("A dried blood spot assay was done.", "HP:0000979"),
        # A tooth's hopeless prognosis is no mood of the patient's.
        ("Tooth 11 had a hopeless prognosis.", "HP:5200271"),
        # A spinal fluid's dissociation, spelled either way, is no dissociative state.
        ("The CSF showed albuminocytological dissociation.", "HP:0032940"),
        # A thing's measured size is no finding; an artery's initials are no eating disorder.
        ("He had an 8-cm long penis.", "HP:0000040"),
        ("The left PICA was occluded.", "HP:0011856"),
        # Small nodules of the lung are no small lung.
        ("CT showed two small lung nodules.", "HP:0002089"),
    ],
)
def test_words_of_another_sense_name_no_phenotype(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))


def one_coded_finding(
    text: str,
    words: str,
    concept: str,
    core: Span | None = None,
    expansion: str | None = None,
) -> Case:
    """A case of one finding mention over ``words`` that came with the HPO ``concept``."""
    start = text.index(words)
    mention = Mention(
        id="m1",
        start=start,
        end=start + len(words),
        text=words,
        type=EntityType.SIGN_SYMPTOM,
        core=core,
        expansion=expansion,
        codes=[Code(system=CodeSystem.HPO, code=concept, display=concept)],
    )
    return Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=[mention])


def widened(text: str, words: str, core: str, concept: str) -> Case:
    """A case of one finding mention the vocabulary coded ``concept`` on its ``core`` words,
    which the phrase widener then took out to ``words``."""
    marked = text.index(core)
    return one_coded_finding(text, words, concept, core=Span(start=marked, end=marked + len(core)))


def test_a_mention_widened_after_it_got_its_concept_gets_the_narrower_one(
    coder: PhenotypeCoder,
) -> None:
    case = widened(
        "He had three tonic-clonic seizures.", "tonic-clonic seizures", "seizures", SEIZURE
    )
    coded = coder(case)
    assert [c.code for c in coded.mentions[0].codes] == [SEIZURE, "HP:0002069"]
    assert hpo_codes(coded) == {"HP:0002069"}  # Bilateral tonic-clonic seizure


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        ("left hemiparesis", "HP:0001269"),  # Hemiparesis: HPO names no side
        ("right hydronephrosis", "HP:0000126"),
        ("left ventricular hypertrophy", "HP:0001712"),  # the side is part of the name
    ],
)
def test_a_side_is_read_past_when_the_concept_names_none(
    coder: PhenotypeCoder, words: str, concept: str
) -> None:
    assert [(c.concept_id, c.score) for c in coder.link(words)] == [(concept, 1.0)]


def test_non_denies_the_word_it_is_joined_to(coder: PhenotypeCoder) -> None:
    assert coder.link("non-projectile vomiting") == []
    assert [c.concept_id for c in coder.link("non-Hodgkin lymphoma")] == ["HP:0012539"]
    assert [c.concept_id for c in coder.link("projectile vomiting")] == ["HP:0002587"]


def test_para_or_peri_joined_to_an_organ_puts_the_finding_beside_it(
    coder: PhenotypeCoder,
) -> None:
    assert coder.link("para-ovarian cyst") == []
    found = VocabularyMentions().recognised("Ultrasound showed a para-uterine mass.")
    assert not [m for m in found if "HP:0034881" in m.concept_ids]  # Uterine mass


def test_sub_or_near_joined_to_a_degree_tells_it_short_of_that_degree(
    coder: PhenotypeCoder,
) -> None:
    assert coder.link("sub-nephrotic range proteinuria") == []
    found = VocabularyMentions().recognised("He had sub-nephrotic range proteinuria.")
    assert not [m for m in found if "HP:0012593" in m.concept_ids]  # Nephrotic range proteinuria


def test_a_word_said_without_the_letter_a_names_no_member_called_by_it(
    coder: PhenotypeCoder,
) -> None:
    assert coder.link("vitamin deficiency") == []
    assert [c.concept_id for c in coder.link("vitamin A deficiency")] == ["HP:0004905"]
    found = VocabularyMentions().recognised("Slightly low levels of vitamins were found.")
    assert not [m for m in found if "HP:0004905" in m.concept_ids]  # vitamin A


def test_the_disease_a_gene_causes_is_no_finding_of_the_patients(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "Sequencing found a variant in the gene causing glutaric aciduria."
    assert "HP:0003150" not in hpo_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize(
    ("text", "concept", "named"),
    [
        ("After treatment, both CRP and ESR decreased.", "HP:0025022", False),
        ("The platelet count decreased to 20,000/uL.", "HP:0001873", True),
    ],
)
def test_a_level_told_falling_by_a_verb_after_it_is_low_only_at_a_value(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str, named: bool
) -> None:
    assert (concept in hpo_codes(analyse(pipeline, tmp_path, text))) is named


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("The most common benign lesion of the spleen is a hemangioma.", "HP:0001028"),
        ("Dalbavancin is approved for the treatment of cellulitis.", "HP:0100658"),
        ("The team was prepared for the treatment of ventricular arrhythmias.", "HP:0004308"),
        ("Hyponatremia is a common complication of thiazides.", "HP:0002902"),
    ],
)
def test_a_finding_named_as_what_is_so_in_general_is_not_the_patients(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))


def test_how_often_the_patients_finding_comes_is_no_general_statement(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    assert "HP:0002315" in hpo_codes(analyse(pipeline, tmp_path, "Her headaches are rare now."))


@pytest.mark.parametrize(
    ("text", "concept", "named"),
    [
        ("His heart rate increased to 82 beats/min.", "HP:0001649", False),
        ("She had a fever of 36.2 °C.", "HP:0001945", False),
        ("She had tachycardia and tachypnea (respiratory rate 28/min).", "HP:0001649", True),
        ("He had a fever up to 38,5°C.", "HP:0001945", True),
    ],
)
def test_a_rise_beyond_normal_is_not_told_by_values_within_normal(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str, named: bool
) -> None:
    assert (concept in hpo_codes(analyse(pipeline, tmp_path, text))) is named


@pytest.mark.parametrize(("age", "named"), [(52, False), (3, True), (None, True)])
def test_a_blood_pressure_normal_for_an_adult_gainsays_its_rise_in_an_adult_only(
    pipeline: Pipeline, coder: PhenotypeCoder, tmp_path: Path, age: int | None, named: bool
) -> None:
    case = analyse(pipeline, tmp_path, "His blood pressure increased to 110/70 mmHg.")
    aged = case.model_copy(update={"patient": case.patient.model_copy(update={"age_years": age})})
    assert ("HP:0032263" in hpo_codes(coder(aged))) is named


def test_a_widened_mention_keeps_what_fits_it_best(coder: PhenotypeCoder) -> None:
    # "Left hemiplegia" fits "left-sided hemiplegia" less well than the Hemiplegia it came with.
    text = "She had left-sided hemiplegia."
    case = widened(text, "left-sided hemiplegia", "hemiplegia", "HP:0002301")
    assert hpo_codes(coder(case)) == {"HP:0002301"}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "Autoimmune markers including antinuclear antibodies, rheumatoid factor and ANCA "
            "were negative.",
            False,
        ),
        ("A rheumatologic panel, including antinuclear antibodies, was checked.", False),
        ("The screen was positive for antinuclear antibodies (normal < 1:40).", True),
        ("Antinuclear antibodies were positive at 1:320.", True),
    ],
)
def test_a_test_named_like_a_phenotype_is_one_only_when_told_positive(
    pipeline: Pipeline, tmp_path: Path, text: str, named: bool
) -> None:
    # HPO lists "Antinuclear antibodies" for Antinuclear antibody positivity.
    assert ("HP:0003493" in hpo_codes(analyse(pipeline, tmp_path, text))) is named


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("MPO-ANCA was <10 EU and PR3-ANCA was negative.", False),
        ("MPO-ANCA was positive at 120 EU.", True),
    ],
)
def test_an_anca_is_a_test_named_like_a_phenotype(
    pipeline: Pipeline, tmp_path: Path, text: str, named: bool
) -> None:
    # HPO lists "MPO-ANCA" for Anti-myeloperoxidase antibody positivity.
    assert ("HP:0033559" in hpo_codes(analyse(pipeline, tmp_path, text))) is named


def test_a_supra_ventricular_tachycardia_is_supraventricular(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    codes = hpo_codes(analyse(pipeline, tmp_path, "He had supra ventricular tachycardia."))
    assert "HP:0004755" in codes and "HP:0004756" not in codes


def test_a_device_named_by_a_body_parts_shape_is_no_phenotype(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO lists "Short leg" for Short lower limbs.
    found = analyse(pipeline, tmp_path, "A short leg cast was applied until bone union.")
    assert "HP:0006385" not in hpo_codes(found)
    assert "HP:0006385" in hpo_codes(analyse(pipeline, tmp_path, "He had a short leg."))


def test_a_chromosomes_arm_is_no_phenotype(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO lists "Short arms" for Upper limb undergrowth.
    text = "FISH found the short arm of chromosome Y on the long arm of the X chromosome."
    assert "HP:0009824" not in hpo_codes(analyse(pipeline, tmp_path, text))
    text = "Array CGH found a deletion on the short arm (11p15) of chromosome 11."
    assert "HP:0009824" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0009824" in hpo_codes(analyse(pipeline, tmp_path, "He had a short arm."))


@pytest.mark.parametrize(
    ("text", "concept", "plain"),
    [
        # A place's nodes, a body part's muscles and a class of syndromes are no findings.
        (
            "CT showed enlarged aortopulmonary window nodes.",
            "HP:0011604",
            "He had an aortopulmonary window.",
        ),
        ("She had weakness of small hand muscles.", "HP:0200055", "She had a small hand."),
        ("Periodic fever syndromes are diverse.", "HP:0032323", "He had periodic fever."),
        # A gene's or its protein's name, told with its symbol, is none of the patient's findings.
        (
            "Testing for the fragile X mental retardation 1 (FMR1) premutation showed 29 repeats.",
            "HP:0001249",
            "He had mental retardation.",
        ),
        ("Tumour cells stained for Wilms' tumor (WT1).", "HP:0002667", "She had a Wilms' tumor."),
        # A service named after what it treats is none of the patient's findings.
        ("She was seen by the pain management team.", "HP:0012531", "She had pain."),
        # A virus named after the disease it causes is none of the patient's findings.
        ("PCR showed the Abelson leukemia virus breakpoint.", "HP:0001909", "He had leukemia."),
        # Antibodies of one class told against one microbe are no total immunoglobulin level.
        (
            "Serology showed low levels of IgM antibodies against the virus.",
            "HP:0002850",
            "She had low IgM.",
        ),
        # Rigor mortis is the stiffening of a body after death, no shaking chill.
        ("Rigor mortis was present in all joints.", "HP:0025145", "He had rigors."),
        # A hepatitis virus's letter names the virus or its serology, no inflamed liver.
        ("A hepatitis B positive man was admitted.", "HP:0012115", "He had hepatitis."),
        ("She had hepatitis B (HBV) infection.", "HP:0012115", "He had hepatitis."),
    ],
)
def test_a_phenotype_naming_nodes_muscles_syndromes_or_genes_is_none(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str, plain: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert concept in hpo_codes(analyse(pipeline, tmp_path, plain))


def test_creatinine_kinase_is_an_enzyme_not_creatinine(pipeline: Pipeline, tmp_path: Path) -> None:
    # "Creatinine kinase" misspells creatine kinase; HPO's Elevated circulating creatinine
    # concentration is the kidneys' marker.
    text = "Labs showed markedly elevated creatinine kinase (CK) of 28,000 U/L."
    assert "HP:0003259" not in hpo_codes(analyse(pipeline, tmp_path, text))
    plain = "Labs showed markedly elevated creatinine of 3.2 mg/dL."
    assert "HP:0003259" in hpo_codes(analyse(pipeline, tmp_path, plain))


@pytest.mark.parametrize(
    ("text", "concept", "plain"),
    [
        # HPO's Edema is fluid under the skin or in a body cavity.
        ("MRI showed vasogenic edema.", "HP:0000969", "She had marked edema."),
        ("Endoscopy showed mucosal edema.", "HP:0000969", "She had marked edema."),
        ("MRI showed vertebral body edema.", "HP:0000969", "She had marked edema."),
        (
            "MRI showed a frontal mass with surrounding edema.",
            "HP:0000969",
            "She had marked edema.",
        ),
        # HPO's Depression is a mood; one in a region of the body is a dent.
        (
            "There was a depression in the region of the palatine raphe.",
            "HP:0000716",
            "She had depression.",
        ),
        (
            "Osmolality was measured by freezing point depression.",
            "HP:0000716",
            "She had depression.",
        ),
        # HPO's Hypertension is the systemic arteries'.
        (
            "She was diagnosed with intracerebral hypertension.",
            "HP:0000822",
            "She had hypertension.",
        ),
        # A thrombocytopenic purpura names a disease; HPO's Purpura is seen on the skin.
        ("She had thrombotic thrombocytopenic purpura.", "HP:0000979", "She had purpura."),
        # HPO's Dissociation and Dysphoria are a mental state and a mood.
        ("The CSF showed albuminocytologic dissociation.", "HP:0032940", "She had dissociation."),
        ("She was diagnosed with gender dysphoria.", "HP:0033838", "She had dysphoria."),
        # HPO's Crackles are heard over the lungs; crepitations felt are gas in the tissues.
        (
            "The thigh was red with palpable crepitations.",
            "HP:0030830",
            "Auscultation revealed crepitations.",
        ),
        # HPO's Amenorrhea is a disorder; nursing pauses menstruation normally.
        ("She had lactational amenorrhea.", "HP:0000141", "She had amenorrhea."),
        # HPO's Shock is a circulatory failure.
        ("He had recurrent ICD shocks.", "HP:0031273", "He was in shock."),
        (
            "Stones were treated by extracorporeal shock wave lithotripsy.",
            "HP:0031273",
            "He was in shock.",
        ),
        # A trait of the mind told of a tissue is none.
        (
            "Nerve biopsy showed inflammatory aggression of the nerve filaments.",
            "HP:0000718",
            "He showed aggression at school.",
        ),
        # A word several organs share is decided by the organ its sentence names.
        (
            "The tumor was lobulated with white patches on the mucosal surface.",
            "HP:0002290",  # Poliosis, whose layperson synonym is "White patch"
            "He had a white patch of hair above the forehead.",
        ),
        (
            "Echocardiogram revealed dilated ventricles with an ejection fraction of 25%.",
            "HP:0002119",
            "CT of the head showed dilated ventricles.",
        ),
        # A left or right ventricle is the heart's; a brain's lobe keeps the brain's sense.
        (
            "The left ventricle was enlarged.",
            "HP:0002119",
            "MRI showed compression of the left temporal lobe with dilated ventricles.",
        ),
        (
            "On examination the abdomen showed muscle rigidity and tenderness.",
            "HP:0002063",
            "He had muscle rigidity and tremor of both arms.",
        ),
        # A wall of the heart's ventricle moving too little is no movement disorder.
        (
            "Echocardiography showed hypokinesia of the anterior wall.",
            "HP:0002375",
            "He had hypokinesia and rigidity of the right arm.",
        ),
        ("He complained of dribbling of urine.", "HP:0002307", "He had drooling of saliva."),
        # Alone, a case report's dribbling is its urine's (HPO lists it for Drooling).
        (
            "He endorsed dysuria, dribbling, and urinary retention.",
            "HP:0002307",
            "He had drooling of saliva.",
        ),
        # HPO's Asthenia is a weakness of the whole body; one of a limb or a side is a muscle's.
        (
            "She had weakness of the right upper limb.",
            "HP:0025406",
            "She had fatigue and weakness.",
        ),
        # The phrase after a finding may give its sense too.
        (
            "A single shock from an automated external defibrillator restored sinus rhythm.",
            "HP:0031273",
            "He was in shock and was intubated.",
        ),
        ("MRI showed edema of the bone marrow.", "HP:0000969", "He had edema, and MRI was done."),
        # A tissue's edema seen on histology or imaging is none of HPO's.
        ("Biopsy showed edema of the mucosa.", "HP:0000969", "She had marked edema."),
        ("MRI showed white matter edema.", "HP:0000969", "She had marked edema."),
        ("MRI showed edema within the fat pad.", "HP:0000969", "She had marked edema."),
        # HPO's Emphysema is the lungs'; air in another tissue is none of it.
        ("CT showed orbital emphysema.", "HP:0002097", "CT showed emphysema of both lungs."),
        # HPO's Overgrowth is the whole body's; a tissue's or microbes' is none of it.
        ("Dental examination showed enamel overgrowth.", "HP:0001548", "He had overgrowth."),
        # A subset's count is not the count of all lymphocytes.
        (
            "His CD4 lymphocyte count increased to 450.",
            "HP:0100827",
            "His lymphocyte count increased to 6000.",
        ),
        # HPO's Depression is a mood; one in a region of the body is a dent.
        (
            "There was a depression in the region of the palatine raphe.",
            "HP:0000716",
            "She had depression.",
        ),
        (
            "Osmolality was measured by freezing point depression.",
            "HP:0000716",
            "She had depression.",
        ),
        # HPO's Hypertension is the systemic arteries'.
        ("He had portopulmonary hypertension.", "HP:0000822", "He had hypertension."),
        # A heart rhythm's dissociation, a device's shock and the optic nerve's pallor are none.
        ("The ECG showed atrio-ventricular dissociation.", "HP:0032940", "She had dissociation."),
        ("The device delivered a high-energy shock.", "HP:0031273", "He was in shock."),
        ("He received two shocks from the device.", "HP:0031273", "He was in shock."),
        ("Multiple shocks from his AICD were futile.", "HP:0031273", "He was in shock."),
        ("Fundoscopy showed superior pole pallor.", "HP:0000980", "He had marked pallor."),
        ("Histology showed gastric heterotopia.", "HP:0002282", "MRI showed nodular heterotopia."),
        ("Examination showed spider nevi on the chest.", "HP:0003764", "She had multiple nevi."),
        ("Biopsy revealed epidermal depression.", "HP:0000716", "He had major depression."),
        # HPO's Broad neck is the person's; an aneurysm's neck is the opening of its sac.
        ("Angiography showed a wide-neck aneurysm.", "HP:0000475", "He had a wide neck."),
        # HPO's Refractory drug response is the patient's; a germ's resistance is the germ's.
        (
            "The isolate showed multiple drug resistance.",
            "HP:0020174",
            "His seizures showed drug resistance.",
        ),
        ("CT showed a depression fracture of the skull.", "HP:0000716", "He had major depression."),
        (
            "EEG showed polyspikes followed by brief depressions of the electrical activity.",
            "HP:0000716",
            "He had major depression.",
        ),
    ],
)
def test_a_finding_in_another_sense_is_not_hpos(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str, plain: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert concept in hpo_codes(analyse(pipeline, tmp_path, plain))


def test_a_short_form_the_text_defines_names_what_its_long_form_does(
    coder: PhenotypeCoder,
) -> None:
    # HPO lists "VMA" for Vitreomacular adhesion; the text defines it otherwise.
    text = "Urinary vanillyl mandelic acid (VMA) was done."
    case = one_coded_finding(text, "VMA", "HP:0031150", expansion="vanillyl mandelic acid")
    coded = coder(case)
    assert not [c for c in coded.mentions[0].codes if c.system is CodeSystem.HPO]
    assert hpo_codes(coded) == set()


def test_a_person_named_after_a_phenotype_is_none_of_the_patients(coder: PhenotypeCoder) -> None:
    # The phrase widener makes "pain" of "The pain specialist" the specialist.
    text = "The pain specialist prescribed gabapentin."
    coded = coder(one_coded_finding(text, "pain specialist", "HP:0012531"))
    assert hpo_codes(coded) == set()
    # Nor does the mention name a phenotype, of anyone's.
    assert not [c for c in coded.mentions[0].codes if c.system is CodeSystem.HPO]


def test_a_trait_of_the_mind_qualifying_another_finding_is_none(coder: PhenotypeCoder) -> None:
    # "irritable myopathy" is a Myopathy; its "irritable" is no Irritability of the patient's.
    text = "Muscle biopsy showed an irritable myopathy."
    myopathy = one_coded_finding(text, "irritable myopathy", "HP:0003198").mentions[0]
    irritable = one_coded_finding(text, "irritable", "HP:0000737").mentions[0]
    mentions = [
        irritable.model_copy(update={"id": "m2"}),
        myopathy.model_copy(update={"type": EntityType.DISEASE_DISORDER}),
    ]
    coded = coder(
        Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions)
    )
    assert hpo_codes(coded) == {"HP:0003198"}


def test_a_single_fall_is_an_event_not_hpos_falls(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO's Falls is a tendency to fall; one fall is an event, and a fall of a measure a decrease.
    for text in ["He broke his wrist in a fall from a ladder.", "The pressure had a fall."]:
        assert "HP:0002527" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0002527" in hpo_codes(analyse(pipeline, tmp_path, "She had recurrent falls."))


def test_a_bacteriums_species_is_no_acne(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "The blood culture grew Propionibacterium acnes."
    assert "HP:0001061" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0001061" in hpo_codes(analyse(pipeline, tmp_path, "She had severe acne."))


def test_an_adjective_of_a_phenotype_told_of_the_patient_names_it(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # "hypotonic" is Hypotonia's adjective; before a noun it qualifies a thing, not the patient.
    text = "The infant was markedly hypotonic and microcephalic."
    assert hpo_codes(analyse(pipeline, tmp_path, text)) == {"HP:0001252", MICROCEPHALY}
    text = "He was given hypotonic saline for a microcephalic infant."
    assert hpo_codes(analyse(pipeline, tmp_path, text)) == set()
    assert "HP:0001252" not in exact_matches("The infant was hypotonic.")


def test_an_irritable_bowel_or_a_retinas_edema_is_no_mood_or_edema_of_the_patients(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "She had irritable bowel syndrome and intraretinal edema. He was irritable."
    assert hpo_codes(analyse(pipeline, tmp_path, text)) == {"HP:0000737"}
    text = "She had irritable bowel syndrome and intraretinal edema."
    assert hpo_codes(analyse(pipeline, tmp_path, text)) == set()


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        ("enlargement of the kidney", "HP:0000105"),  # Enlarged kidney
        ("thickening of the skin", "HP:0001072"),  # Thickened skin
        ("dilatation of the fourth ventricle", "HP:0002198"),  # Dilated fourth ventricle
    ],
)
def test_a_body_parts_change_told_as_a_noun_before_it_is_its_concept(
    coder: PhenotypeCoder, words: str, concept: str
) -> None:
    assert [c.concept_id for c in coder.link(words)] == [concept]


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        # HPO's own 'Gastric malposition' and 'Malposition of the stomach' pair the words.
        ("perforation of the stomach", "HP:6000383"),  # Gastric perforation
        ("oedema of the face", "HP:0000282"),  # Facial edema
        ("colonic adenocarcinoma", "HP:0040276"),  # Adenocarcinoma of the colon
    ],
)
def test_a_site_told_by_its_adjective_or_by_its_noun_after_of_is_one_concept(
    coder: PhenotypeCoder, words: str, concept: str
) -> None:
    assert [c.concept_id for c in coder.link(words)] == [concept]


def test_an_adjective_of_two_body_parts_derives_no_name(coder: PhenotypeCoder) -> None:
    # 'Cervical' is the neck's in 'Short neck' (HP:0000470) and the uterine cervix's elsewhere.
    assert coder.link("shortening of the cervix") == []


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        # HPO's own 'Hypoplastic eyelid' and 'Hypoplasia of the eyelid' pair the words.
        ("hypoplasia of the optic nerve", "HP:0000609"),  # Optic nerve hypoplasia
        ("deviation of the nasal septum", "HP:0004411"),  # Deviated nasal septum
        ("lost consciousness", "HP:0007185"),  # Loss of consciousness
    ],
)
def test_a_change_told_by_its_adjective_or_by_its_noun_before_of_is_one_concept(
    coder: PhenotypeCoder, words: str, concept: str
) -> None:
    assert [c.concept_id for c in coder.link(words)] == [concept]


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        # HPO's own 'Stiff joints' and 'Joint stiffness' pair the words.
        ("weak muscles", "HP:0001324"),  # Muscle weakness
        ("tight chest", "HP:0031352"),  # Chest tightness
        ("lax eyelids", "HP:0031880"),  # Eyelid laxity
    ],
)
def test_a_quality_told_by_its_adjective_before_the_thing_is_its_noun_after_it(
    coder: PhenotypeCoder, words: str, concept: str
) -> None:
    assert [c.concept_id for c in coder.link(words)] == [concept]


def test_a_qualifier_before_a_quality_adjective_is_no_thing_it_qualifies(
    coder: PhenotypeCoder,
) -> None:
    # 'Progressive spasticity' (HP:0002191): a "progressive spastic" gait or paraparesis is spastic.
    assert coder.link("progressive spastic") == []


def test_an_idiom_the_adjective_begins_derives_no_quality_noun(coder: PhenotypeCoder) -> None:
    # 'Weak chin' is Retrognathia (HP:0000278); a 'chin weakness' is no receding chin.
    assert coder.link("chin weakness") == []


def test_the_end_of_a_range_short_of_absence_is_the_child_beside_the_absence(
    coder: PhenotypeCoder,
) -> None:
    # HPO's 'Weak or absent deep tendon reflexes' of Reduced tendon reflexes, whose children
    # are Areflexia ('Absent deep tendon reflexes') and Hyporeflexia.
    assert [c.concept_id for c in coder.link("weak deep tendon reflexes")] == ["HP:0001265"]


def test_a_range_derives_no_name_from_a_concept_named_as_two_findings(
    coder: PhenotypeCoder,
) -> None:
    # 'Absent/small spleen' of Aplasia/Hypoplasia of the spleen: a small spleen may be
    # a shrunken one.
    assert coder.link("small spleen") == []


def test_a_marked_adjective_before_a_noun_is_no_phenotype(coder: PhenotypeCoder) -> None:
    # The mention model marked "pruritic" of "mildly pruritic facial papules": the papules'.
    text = "She had long-standing mildly pruritic facial papules."
    case = widened(text, "mildly pruritic", "pruritic", "HP:0000989")
    assert hpo_codes(coder(case)) == set()
    case = widened("The rash was mildly pruritic.", "mildly pruritic", "pruritic", "HP:0000989")
    assert hpo_codes(coder(case)) == {"HP:0000989"}


def test_a_disease_named_by_a_signs_word_is_not_the_sign(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # ICD-10-CM names 'rheumatic fever' (I00) and 'hay fever' (J30.1) outside its signs' chapter.
    text = "Her history included rheumatic fever and hay fever."
    assert "HP:0001945" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0001945" in hpo_codes(analyse(pipeline, tmp_path, "She had a high fever."))


def test_a_sign_told_with_its_course_is_the_sign_though_a_disease_title_says_it(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # ICD-10-CM's G40 is 'Epilepsy and recurrent seizures'; the words are still Seizure.
    text = "He had recurrent seizures."
    assert "HP:0001250" in hpo_codes(analyse(pipeline, tmp_path, text))


def test_a_disease_the_index_names_by_a_proper_name_and_a_signs_word_is_not_the_sign(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # 'West Nile fever' is an inclusion term of A92.3 West Nile virus infection, no title's
    # words; the Index's 'postoperative pain' (G89.18) names no place or person: still Pain.
    text = "He had been treated for West Nile fever two years earlier."
    assert "HP:0001945" not in hpo_codes(analyse(pipeline, tmp_path, text))
    text = "She had postoperative pain two years earlier."
    assert "HP:0012531" in hpo_codes(analyse(pipeline, tmp_path, text))


def test_what_someone_fears_or_is_concerned_about_is_no_finding(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "Before chemotherapy she was concerned about alopecia."
    assert "HP:0001596" not in hpo_codes(analyse(pipeline, tmp_path, text))
    text = "She was concerned about her alopecia."
    assert "HP:0001596" in hpo_codes(analyse(pipeline, tmp_path, text))


def test_an_acronym_ending_a_hyphenated_name_is_no_phenotype(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO's RAD is Right axis deviation; BIO-RAD is a maker of laboratory kits.
    text = "Elution kits (BIO-RAD) were used."
    assert "HP:0033567" not in hpo_codes(analyse(pipeline, tmp_path, text))
    # Case reports hardly define RAD: it names its concept where its long form is written.
    text = "The ECG showed right axis deviation; the RAD persisted."
    assert "HP:0033567" in hpo_codes(analyse(pipeline, tmp_path, text))


def test_a_possessive_eponym_links_as_the_name_without_its_s(coder: PhenotypeCoder) -> None:
    # "non-Hodgkin's lymphoma" had tied between Hodgkin's lymphoma and Non-Hodgkin lymphoma.
    assert [c.concept_id for c in coder.link("non-Hodgkin's lymphoma")] == ["HP:0012539"]
    assert [c.concept_id for c in coder.link("Crohn's disease")] == ["HP:0100280"]


def test_a_growths_behaviour_is_not_the_persons(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO's Aggressive behavior is a person's conduct; a tumour's behaviour is its course.
    text = "A thyroid carcinosarcoma with aggressive behavior: a case report."
    assert "HP:0000718" not in hpo_codes(analyse(pipeline, tmp_path, text))
    text = "A 5-year-old boy with aggressive behavior was seen."
    assert "HP:0000718" in hpo_codes(analyse(pipeline, tmp_path, text))
    text = "It was a stromal tumor, with low risk aggressive behavior."
    assert "HP:0000718" not in hpo_codes(analyse(pipeline, tmp_path, text))


def test_what_a_treatment_is_given_to_bring_about_is_no_finding(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "She was started on megestrol to promote weight gain."
    assert "HP:0004324" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0004324" in hpo_codes(analyse(pipeline, tmp_path, "She had a weight gain."))


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("We raised the blood pressure with norepinephrine.", "HP:0032263"),
        ("Balloon dilation: we dilated the ureter to 6 mm.", "HP:0000072"),
    ],
)
def test_an_act_on_a_thing_is_no_finding(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))
    said = "He had raised blood pressure." if concept == "HP:0032263" else "The ureter was dilated."
    assert concept in hpo_codes(analyse(pipeline, tmp_path, said))
    assert "HP:0002505" in hpo_codes(analyse(pipeline, tmp_path, "He lost the ability to walk."))


@pytest.mark.parametrize(
    ("text", "graded", "concept"),
    [
        (
            "The anterior chamber was deep and quiet.",
            "Slit lamp showed an abnormally deep anterior chamber.",
            "HP:0007765",
        ),
        (
            "Slit lamp showed deep and quiet anterior chambers.",
            "Slit lamp showed an abnormally deep anterior chamber.",
            "HP:0007765",
        ),
        (
            "Acceptable overjet and overbite were achieved.",
            "She had a large overjet.",
            "HP:0011095",
        ),
        ("There was an overbite of 20%.", "Overbite and overjet were increased.", "HP:0011094"),
    ],
)
def test_an_examinations_normal_or_measured_state_is_no_finding(
    pipeline: Pipeline, tmp_path: Path, text: str, graded: str, concept: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert concept in hpo_codes(analyse(pipeline, tmp_path, graded))


@pytest.mark.parametrize(
    "text", ["She had multiple skin lesions on the trunk.", "The cutaneous lesions resolved."]
)
def test_a_skin_lesion_is_a_localized_one(pipeline: Pipeline, tmp_path: Path, text: str) -> None:
    assert "HP:0011355" in hpo_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("He reported a day of blurry vision and eye pain.", "HP:0000622"),
        ("She had no headache or blurring of vision.", "HP:0000622"),
        ("She presented with dyspnea and lower extremity edema.", "HP:0010741"),
        ("Examination showed bilateral lower limb oedema.", "HP:0010741"),
        ("She presented with sudden onset breathlessness.", "HP:0002094"),
        ("She had abdominal pain and urinary frequency.", "HP:0100515"),
        ("He developed vomiting and right arm weakness.", "HP:0003484"),
        ("He presented with dyspnea on exertion and palpitations.", "HP:0002875"),
        ("The boy presented with convulsions and impaired consciousness.", "HP:0001250"),
        ("The proband presented with decreased vision.", "HP:0000505"),
        ("Examination showed fever and neck rigidity.", "HP:0031179"),
        ("Ultrasound showed an extensive DVT of the left leg.", "HP:0002625"),
    ],
)
def test_plain_names_hpo_lists_no_synonym_for(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    case = analyse(pipeline, tmp_path, text)
    assert concept in {c.code for m in case.mentions for c in m.codes}


@pytest.mark.parametrize(
    "text",
    [
        "CT showed multiple enlarged lymph nodes in the neck.",
        "She had retroperitoneal lymph node enlargement.",
    ],
)
def test_an_enlarged_lymph_node_is_lymphadenopathy(
    pipeline: Pipeline, tmp_path: Path, text: str
) -> None:
    assert "HP:0002716" in hpo_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize(
    "text", ["Examination revealed pale skin and cold feet.", "She had pale and dry skin."]
)
def test_pale_skin_is_pallor(pipeline: Pipeline, tmp_path: Path, text: str) -> None:
    assert "HP:0000980" in hpo_codes(analyse(pipeline, tmp_path, text))


def test_a_finding_naming_an_organisation_is_no_finding(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "She was treated per the Japan Pediatric Leukaemia/Lymphoma Study Group protocol."
    assert "HP:0001909" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0001909" in hpo_codes(analyse(pipeline, tmp_path, "She had leukaemia."))


def test_a_ventricles_occipital_horn_is_no_bony_one(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "MRI showed dilation of the occipital horn of the right lateral ventricle."
    assert "HP:0034975" not in hpo_codes(analyse(pipeline, tmp_path, text))


def test_a_rashs_malar_prominence_is_its_site(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "There were pink nodules on the nose and malar prominences."
    assert "HP:0010620" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0010620" in hpo_codes(analyse(pipeline, tmp_path, "He had malar hyperplasia."))


def test_a_staphylococcus_pvl_is_no_leukomalacia(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "The MRSA isolate carried SCCmec type IV and was positive for PVL."
    assert "HP:0006970" not in hpo_codes(analyse(pipeline, tmp_path, text))
    said = "MRI showed periventricular leukomalacia (PVL)."
    assert "HP:0006970" in hpo_codes(analyse(pipeline, tmp_path, said))


@pytest.mark.parametrize(
    "text",
    [
        "She developed fever and depression of the sensorium.",
        "Perimetry showed generalized depression in sensitivity.",
        "ECG showed ST elevation in aVR and depression in the lateral leads.",
    ],
)
def test_a_functions_or_a_bones_depression_is_no_mood(
    pipeline: Pipeline, tmp_path: Path, text: str
) -> None:
    assert "HP:0000716" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0000716" in hpo_codes(analyse(pipeline, tmp_path, "She had depression."))


def test_a_findings_stockings_are_a_device(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "After surgery she was given DVT above knee stockings."
    assert "HP:0002625" not in hpo_codes(analyse(pipeline, tmp_path, text))


def test_a_findings_risk_is_no_finding(pipeline: Pipeline, tmp_path: Path) -> None:
    text = "He had atrial fibrillation (CHADSVASC stroke risk score: 3)."
    assert "HP:0001297" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0001297" in hpo_codes(analyse(pipeline, tmp_path, "He had a stroke."))


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("On arrival he had thoracic bony crepitation after the fall.", "HP:0030830"),
        ("There was subcutaneous crepitation over the neck.", "HP:0030830"),
        ("Histology showed chronic inflammation of the sinus tract.", "HP:0000246"),
    ],
)
def test_a_crepitation_or_a_sinus_outside_lungs_and_sinuses_is_another_thing(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str
) -> None:
    assert concept not in hpo_codes(analyse(pipeline, tmp_path, text))


def test_an_amount_told_too_small_or_as_it_should_be_is_no_increase(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = "Chewing was difficult, resulting in inadequate weight gain throughout her growth."
    assert "HP:0004324" not in hpo_codes(analyse(pipeline, tmp_path, text))
    assert "HP:0004324" in hpo_codes(analyse(pipeline, tmp_path, "She had a 10 kg weight gain."))


@pytest.mark.parametrize(
    ("text", "gained"),
    [
        ("After treatment, he showed weight gain and his appetite improved.", False),
        ("At follow-up she was doing well, with weight gain.", False),
        ("The mania improved but sudden weight gain of 3 kg occurred.", True),
        ("She reported weight gain of 10 kg as well as hirsutism.", True),
    ],
)
def test_a_gain_told_with_the_patients_recovery_is_no_finding(
    pipeline: Pipeline, tmp_path: Path, text: str, gained: bool
) -> None:
    assert ("HP:0004324" in hpo_codes(analyse(pipeline, tmp_path, text))) is gained


@pytest.mark.parametrize(
    ("text", "concept", "risen"),
    [
        ("After transfusion his hemoglobin increased to 10.7 g/dL.", "HP:0001900", False),
        ("Her platelet count increased from 9,000/uL to 60,000/uL.", "HP:0001894", False),
        ("Steroids increased hemoglobin to normal levels.", "HP:0001900", False),
        ("His hemoglobin was markedly increased.", "HP:0001900", True),
        ("She had thrombocytosis.", "HP:0001894", True),
    ],
)
def test_a_blood_count_risen_to_a_value_is_a_recovery_not_its_excess(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str, risen: bool
) -> None:
    assert (concept in hpo_codes(analyse(pipeline, tmp_path, text))) is risen


@pytest.mark.parametrize(
    ("text", "felt"),
    [
        ("He was withdrawing to pain.", False),
        ("The sensation of touch, temperature, and pain in the lip were intact.", False),
        ("Pain and temperature sensation were decreased below T10.", False),
        ("He had pain with a temperature of 38.5 C.", True),
        ("There was limited hip flexion secondary to pain.", True),
        ("The pain responded to analgesics.", True),
    ],
)
def test_a_sense_tested_or_a_stimulus_is_no_pain_of_the_patients(
    pipeline: Pipeline, tmp_path: Path, text: str, felt: bool
) -> None:
    assert ("HP:0012531" in hpo_codes(analyse(pipeline, tmp_path, text))) is felt


@pytest.mark.parametrize(
    ("text", "concept", "had"),
    [
        ("Thrombectomy was performed under cardiac arrest.", "HP:0001695", False),
        ("He was placed in a medically induced coma.", "HP:0001259", False),
        ("Bypass was established with mild hypothermia (34 C).", "HP:0002045", False),
        ("Cardiac arrest was obtained using St. Thomas solution.", "HP:0001695", False),
        ("He had a cardiac arrest at home.", "HP:0001695", True),
        ("She was found in a coma.", "HP:0001259", True),
    ],
)
def test_a_state_a_procedure_induces_is_no_finding(
    pipeline: Pipeline, tmp_path: Path, text: str, concept: str, had: bool
) -> None:
    assert (concept in hpo_codes(analyse(pipeline, tmp_path, text))) is had


def test_a_finding_like_another_is_not_it(pipeline: Pipeline, tmp_path: Path) -> None:
    # Movements like rigors, written without the hyphen of "rigor-like", are no rigors.
    assert "HP:0025145" not in hpo_codes(
        analyse(pipeline, tmp_path, "He had rigor like movements.")
    )
    assert "HP:0025145" in hpo_codes(analyse(pipeline, tmp_path, "He had rigors."))


def test_xanthomas_are_xanthomatosis_not_the_eyelids_xanthelasma(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO lists "Xanthoma" under Xanthelasma and its plural "Xanthomata" under Xanthomatosis,
    # the parent, whose added "Xanthomas" the shared alias is read as.
    codes = hpo_codes(analyse(pipeline, tmp_path, "She had xanthomas on both elbows."))
    assert "HP:0000991" in codes
    assert "HP:0001114" not in codes


def test_a_finding_hpo_names_congenital_is_not_coded_where_an_injury_caused_it(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # Aplasia cutis congenita of scalp has "scalp defect" as a synonym; this one a bear left.
    text = "After the bear attack he had a large scalp defect that was covered with a flap."
    assert "HP:0007385" not in hpo_codes(analyse(pipeline, tmp_path, text))
    newborn = "The newborn had a scalp defect at the vertex."
    assert "HP:0007385" in hpo_codes(analyse(pipeline, tmp_path, newborn))


def test_edema_told_of_an_inner_organ_is_not_edema_of_the_tissues(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # HPO's Edema is fluid in the tissues under the skin, no lung's or bowel wall's.
    text = "At autopsy the lungs were heavy and showed edema."
    assert "HP:0000969" not in hpo_codes(analyse(pipeline, tmp_path, text))
    lips = "Pulmonary edema worsened, as did the edema of her lips."
    assert "HP:0000969" in hpo_codes(analyse(pipeline, tmp_path, lips))
    brain = "Autopsy showed cerebral edema and congested lungs."
    assert "HP:0002181" in hpo_codes(analyse(pipeline, tmp_path, brain))  # Cerebral edema


def test_a_case_reports_title_names_the_patients_finding(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    # The title names what the case is about, as its presentation does: no need to repeat it.
    text = "Flagellate erythema after bleomycin\n\nA 15-year-old boy was treated with bleomycin."
    assert "HP:0010783" in hpo_codes(analyse(pipeline, tmp_path, text))  # Erythema


def test_a_low_energy_fall_is_no_diminished_energy(pipeline: Pipeline, tmp_path: Path) -> None:
    # 'Low energy' told of a fall is the force of the injury, not the patient's drive.
    text = "She sustained a low energy fall."
    assert "HP:0000745" not in hpo_codes(analyse(pipeline, tmp_path, text))


@pytest.mark.parametrize(
    ("text", "coded"),
    [
        ("He developed hyperpigmentation over the back and chest.", True),
        ("Oral examination showed hyperpigmentation of the hard palate.", False),
    ],
)
def test_a_hyperpigmentation_is_the_skins_unless_told_of_another_tissue(
    pipeline: Pipeline, tmp_path: Path, text: str, coded: bool
) -> None:
    # As HPO's 'Hypopigmentation' names the skin's, so does its opposite; a palate's is none.
    assert ("HP:0000953" in hpo_codes(analyse(pipeline, tmp_path, text))) is coded


def test_a_spinal_deformity_is_no_charcot_spine(pipeline: Pipeline, tmp_path: Path) -> None:
    # HPO lists 'Spinal deformities' for Neuropathic spinal arthropathy; reports mean a
    # scoliosis or a kyphosis.
    text = "A 36-year-old man with a severe spinal deformity was seen."
    assert "HP:0008443" not in hpo_codes(analyse(pipeline, tmp_path, text))
