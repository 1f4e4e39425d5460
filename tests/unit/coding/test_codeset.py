"""The ICD-10-CM code set: mention codes, support by present findings, leaves, calibration."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casebook.coding.codeset import (
    Candidate,
    CodeSetSettings,
    MentionCode,
    Phenotypes,
    candidates,
    coded_findings,
    contradicted,
    link_mentions,
    linked_findings,
    logistic,
    resolve_leaves,
    restated,
    sentence_structures,
    told_before,
)
from casebook.kb.hpo import load_hpo
from casebook.kb.icd10cm import load_icd10cm
from casebook.model import (
    Assertion,
    Attribute,
    Case,
    CaseCode,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Patient,
    Sex,
    Source,
    SourceFormat,
    Span,
)
from casebook.train.codeset import association_lexicon, precision_threshold

CM = load_icd10cm()
SETTINGS = CodeSetSettings()


def finding(
    text: str,
    words: str,
    number: int = 1,
    assertion: Assertion = Assertion.PRESENT,
    site: str | None = None,
    details: tuple[str, ...] = (),
) -> Mention:
    start = text.index(words)
    attributes = []
    for name, value in [("site", site), *(("detail", d) for d in details)]:
        if value is not None:
            at = text.index(value)
            attributes.append(Attribute(name=name, start=at, end=at + len(value), text=value))
    return Mention(
        id=f"m{number}",
        start=start,
        end=start + len(words),
        text=words,
        type=EntityType.SIGN_SYMPTOM,
        assertion=assertion,
        attributes=attributes,
    )


def codes_of(mention: Mention, association: dict[str, dict[str, float]] | None = None) -> list[str]:
    (found,) = link_mentions([mention], CM, association or {}, 3)
    return [c.code for c in found]


def test_a_grading_word_does_not_stop_a_finding_from_naming_its_code() -> None:
    text = "She had a severe headache."
    assert codes_of(finding(text, "severe headache")) == ["R51", "R51.9"]


def test_a_finding_names_its_code_with_its_site() -> None:
    text = "He had pain in the abdominal wall."
    assert "R10.9" in codes_of(finding(text, "pain", site="abdominal"))


def test_a_finding_names_its_code_with_its_details() -> None:
    text = "A new ALK-positive anaplastic large cell lymphoma."
    lymphoma = finding(text, "large cell lymphoma", details=("ALK-positive", "anaplastic"))
    # C84.6: anaplastic large cell lymphoma, ALK-positive (its leaf is chosen later).
    assert codes_of(lymphoma)[0] == "C84.6"


@pytest.mark.parametrize(
    ("site", "code"),
    [
        # Index: Thrombosis, artery I74.9; femoral I74.3; pulmonary, see Embolism, pulmonary;
        # the unqualified Thrombosis (vein) I82.90 is a vein's.
        ("femoral artery", "I74.3"),
        ("ulnar artery", "I74.9"),
        ("pulmonary artery", "I26.99"),
        ("coronary artery", "I24.0"),
        # Index: Thrombosis, artery, hepatic I74.8: an artery an organ's adjective names.
        ("hepatic artery", "I74.8"),
        ("splenic artery", "I74.9"),
    ],
)
def test_an_arterys_thrombosis_is_no_veins(site: str, code: str) -> None:
    text = f"There was thrombosis of the {site}."
    assert codes_of(finding(text, "thrombosis", site=site))[0] == code


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        # Index: Carcinoma, bronchogenic, see Neoplasm, lung, malignant.
        ("Biopsy confirmed bronchogenic carcinoma.", "bronchogenic carcinoma", "C34.90"),
        # Index: Hernia, lumbar K45.8, whatever muscles it passes between.
        ("CT showed a lumbar hernia between the muscles.", "lumbar hernia", "K45.8"),
        # Index: Dissection, artery, carotid I77.71 (Aneurysm, dissecting, see Dissection).
        (
            "MRA showed a dissecting aneurysm of the internal carotid artery.",
            "dissecting aneurysm of the internal carotid artery",
            "I77.71",
        ),
        # Index: Stenosis, subglottic J38.6; Fracture, Le Fort I S02.411; Fever, Mediterranean
        # M04.1; Infection, ear (middle), see Otitis media H66.9-; Neuropathy, peripheral,
        # autonomic G90.9.
        ("Bronchoscopy showed subglottic stenosis.", "subglottic stenosis", "J38.6"),
        ("CT showed a Le Fort I fracture.", "Le Fort I fracture", "S02.411"),
        ("He had familial Mediterranean fever.", "Mediterranean fever", "M04.1"),
        ("He had an ear infection.", "ear infection", "H66.90"),
        ("She had autonomic neuropathy.", "autonomic neuropathy", "G90.9"),
        # Index: Failure, respiratory, with hypoxia J96.91, acute J96.01; Loss, hearing,
        # mixed conductive and sensorineural H90.8.
        ("He had hypoxemic respiratory failure.", "hypoxemic respiratory failure", "J96.91"),
        ("Acute hypoxic respiratory failure.", "Acute hypoxic respiratory failure", "J96.01"),
        ("She had a mixed hearing loss.", "mixed hearing loss", "H90.8"),
        # Index: Lymphoma, mucosa-associated lymphoid tissue [MALT] C88.4- (was C85.90).
        ("Biopsy showed a MALT lymphoma.", "MALT lymphoma", "C88.40"),
        # Index: Paralysis, facial G51.0 (of the nerve: a stroke's central one is no G51.0).
        ("He had a peripheral facial paralysis.", "peripheral facial paralysis", "G51.0"),
        # Index: Arthritis, rheumatoid, seropositive, see with rheumatoid factor M05.9;
        # seronegative, see without rheumatoid factor M06.0-.
        (
            "She had seropositive rheumatoid arthritis.",
            "seropositive rheumatoid arthritis",
            "M05.9",
        ),
        (
            "She had seronegative rheumatoid arthritis.",
            "seronegative rheumatoid arthritis",
            "M06.00",
        ),
        # British spelling, read in the titles' ("amoebic" → "amebic"): Abscess, liver, amebic.
        ("He had an amoebic liver abscess.", "amoebic liver abscess", "A06.4"),
        # Index: Choristoma — see Neoplasm, benign, by site.
        ("He had an osseous choristoma of the tongue.", "choristoma of the tongue", "D10.1"),
        # "Condylar" reads as the titles' "condyle": Fracture of lateral condyle of humerus, not
        # of its shaft (S42.30-, the Index's default for the humerus).
        (
            "X-rays showed a lateral condylar fracture of the humerus.",
            "lateral condylar fracture of the humerus",
            "S42.45",
        ),
        # Index: Fracture, humerus, lower end S42.40-: the condyles lie at its lower end.
        (
            "X-rays showed a condylar fracture of the humerus.",
            "condylar fracture of the humerus",
            "S42.409",
        ),
        # Index: Fracture, humerus, supracondylar S42.41-, no fracture of its shaft.
        (
            "X-rays showed a supracondylar fracture of the humerus.",
            "supracondylar fracture of the humerus",
            "S42.413",
        ),
        # Index: Detachment, retina, traction H33.4-, no serous detachment (H33.2-).
        (
            "Fundoscopy showed a tractional retinal detachment.",
            "tractional retinal detachment",
            "H33.40",
        ),
        # Neoplasm table: uterus C55, whose title's "part unspecified" the words need not say.
        ("Pathology showed a uterine malignant tumor.", "uterine malignant tumor", "C55"),
        # Neoplasm table: nasal cavity, benign D14.0, no benign neoplasm of the nose NOS (D36.7).
        ("Biopsy showed an adenoma of the nasal cavity.", "adenoma of the nasal cavity", "D14.0"),
        # Index: Lyme disease (erythema chronicum migrans) A69.20, no erysipeloid (A26.0).
        ("He had erythema migrans on his thigh.", "erythema migrans", "A69.20"),
        # Index: Hemangioma, specified site NEC D18.09 (bone is none of skin, brain, abdomen).
        ("MRI showed an intraosseous hemangioma.", "intraosseous hemangioma", "D18.09"),
        # Index: Spasm, coronary (artery) I20.1, no Spasm of artery (I73.9).
        ("Angiography showed coronary artery spasm.", "coronary artery spasm", "I20.1"),
        ("Angiography showed spasm of the distal LAD.", "spasm of the distal LAD", "I20.1"),
        # Index: Block, heart, second degree (type I, type II) I44.1; complete I44.2.
        ("The ECG showed a type II heart block.", "type II heart block", "I44.1"),
        ("The ECG showed a complete AV block.", "complete AV block", "I44.2"),
        # British spelling, read in the titles' ("ischaemic" → "ischemic"): Enteritis,
        # ischemic K55.9, no Noninfective gastroenteritis and colitis (K52.9).
        ("There was ischaemic enteritis.", "ischaemic enteritis", "K55.9"),
        ("He had coeliac disease.", "coeliac disease", "K90.0"),
        # Index: Fracture, humerus, proximal end, see upper end S42.20-; radius, distal end,
        # see lower end S52.50-: no fracture of the shaft (S42.30-).
        ("X-rays showed a proximal humerus fracture.", "proximal humerus fracture", "S42.209"),
        ("X-rays showed a distal radius fracture.", "distal radius fracture", "S52.509"),
        # Index: Failure, renal, end stage N18.6, no N19 Unspecified kidney failure.
        ("She had end-stage renal failure.", "end-stage renal failure", "N18.6"),
        # Index: Hemorrhage, retina (intraretinal, preretinal, subretinal) H35.6-, no R58.
        ("There was intraretinal hemorrhage.", "intraretinal hemorrhage", "H35.6"),
        # Index: Bleeding, vagina N93.9 (Latin "per vaginum"), no R58 of unspecified site.
        ("She had bleeding per vaginum.", "bleeding per vaginum", "N93.9"),
        # Neoplasm table: muscle, see connective tissue, secondary C79.89; no bone (C79.51).
        ("He had a skeletal muscle metastasis.", "skeletal muscle metastasis", "C79.89"),
        # Index: Syphilis, syphilitic A53.9, no B99.9 Unspecified infectious disease.
        ("He had a syphilitic infection.", "syphilitic infection", "A53.9"),
        ("She had syphilitic lesions on the palms.", "syphilitic lesions", "A53.9"),
        # Index: Infection, Trichomonas, see Trichomoniasis A59.9; Vaginitis, trichomonal A59.01.
        ("Trichomonas infection was diagnosed.", "Trichomonas infection", "A59.9"),
        ("She had Trichomonas vaginitis.", "Trichomonas vaginitis", "A59.01"),
    ],
)
def test_a_finding_the_index_names_takes_its_code(text: str, words: str, code: str) -> None:
    assert codes_of(finding(text, words))[0] == code


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        ("She was febrile (39°C).", "febrile", "R50.9"),
        ("He was tachycardic (102 bpm).", "tachycardic", "R00.0"),
        ("She was slightly tachypnoeic (22/min).", "tachypnoeic", "R06.82"),
    ],
)
def test_a_patient_told_by_a_findings_adjective_has_the_finding(
    text: str, words: str, code: str
) -> None:
    assert codes_of(finding(text, words)) == [code]


def test_an_eponym_written_without_its_possessive_names_its_code() -> None:
    text = "Ultrasonography showed advanced Hashimoto thyroiditis."
    # E06.3 Autoimmune thyroiditis, whose inclusion term is "Hashimoto's thyroiditis"; was E06.9.
    assert codes_of(finding(text, "Hashimoto thyroiditis")) == ["E06.3"]


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        # Index: Thrombosis, aorta I74.10; thoracic I74.11 (not I82.90, a vein's, nor Q25.49,
        # whose inclusion term "Aortic arch" is an anomaly of the arch).
        ("CT showed aortic thrombosis.", "aortic thrombosis", "I74.10"),
        ("Ischemia due to Aortic Arch Thrombosis.", "Aortic Arch Thrombosis", "I74.11"),
        ("Doppler showed renal vein thrombosis.", "renal vein thrombosis", "I82.3"),
    ],
)
def test_a_vessels_thrombosis_is_that_vessels(text: str, words: str, code: str) -> None:
    assert codes_of(finding(text, words)) == [code]


def test_a_metastatic_neuroendocrine_tumour_is_no_benign_one() -> None:
    text = "CT showed a metastatic neuroendocrine tumour of the liver."
    # Not D3A.8, "Other benign neuroendocrine tumors", the bare tumour's Index code.
    tumour = finding(text, "metastatic neuroendocrine tumour")
    assert "D3A.8" in codes_of(finding(text, "neuroendocrine tumour"))
    assert "D3A.8" not in codes_of(tumour)


def test_a_small_cell_carcinoma_of_the_liver_is_no_liver_cell_carcinoma() -> None:
    text = "Liver biopsy showed small-cell carcinoma of the liver."
    carcinoma = finding(text, "small-cell carcinoma", site="liver")
    assert "C22.0" not in codes_of(carcinoma)
    # A cell's kind the mention tells itself stays: renal cell carcinoma, C64.9.
    text = "The histology confirmed a renal clear cell carcinoma."
    assert "C64.9" in codes_of(finding(text, "renal clear cell carcinoma"))


def test_an_infection_named_is_no_unspecified_infectious_disease() -> None:
    text = "She developed a herpes zoster infection."
    assert codes_of(finding(text, "herpes zoster infection")) == ["B02", "B02.9"]  # no B99.9
    # Index: Infection, fungus NOS B49.
    text = "Cultures grew a fluconazole-resistant fungal infection."
    assert codes_of(finding(text, "fungal infection")) == ["B49"]


def test_a_cell_type_word_is_no_site_apart_from_the_word_it_qualifies() -> None:
    # The "adenoid" of an adenoid cystic carcinoma is its cells' look, not the adenoid.
    text = "Biopsy of the parotid gland showed adenoid cystic carcinoma."
    tumour = finding(text, "adenoid cystic carcinoma", details=("adenoid",))
    core = text.index("cystic carcinoma")
    tumour = tumour.model_copy(update={"core": Span(start=core, end=core + 16)})
    assert "C11.1" not in codes_of(tumour)  # Malignant neoplasm of adenoid


def test_a_term_of_any_site_names_the_finding_wherever_it_is() -> None:
    # "High grade neuroendocrine carcinoma, any site" is C7A.1, the pancreas no C25.9.
    text = "She had a neuroendocrine carcinoma of the pancreas."
    assert codes_of(finding(text, "neuroendocrine carcinoma", site="pancreas")) == ["C7A.1"]


def test_a_finding_whose_inclusion_term_names_its_body_part_keeps_the_code() -> None:
    text = "The ECG showed complete heart block."
    block = finding(text, "complete heart block", details=("complete",))
    # The mention model marks "heart block"; "complete" is its detail.
    at = text.index("heart block")
    block = block.model_copy(update={"core": Span(start=at, end=at + len("heart block"))})
    # I44.2 Atrioventricular block, complete: "Complete heart block NOS" names the heart.
    assert codes_of(block) == ["I44.2"]


def test_a_finding_named_with_its_own_body_part_is_of_no_other_part() -> None:
    text = "The left kidneys were ectopic and an accessory spleen was present."
    spleen = finding(text, "accessory spleen", site="left kidneys")
    assert "Q63.0" not in codes_of(spleen)  # Accessory kidney
    text = "A renal cyst was seen in the left kidney."
    assert "N28.1" in codes_of(finding(text, "renal cyst", site="left kidney"))


def test_a_lungs_collapse_is_no_syncope() -> None:
    # Index: Collapse R55; lung J98.19 (see also Atelectasis).
    text = "There was collapse of the right lung."
    assert codes_of(finding(text, "collapse", site="right lung"))[0] == "J98.19"


def test_a_pain_of_the_anus_is_coded_where_the_index_puts_it() -> None:
    # Index: Pain, anus K62.89; "anal" is the anus's adjective as "rectal" is the rectum's.
    text = "She had anal pain for two weeks."
    assert codes_of(finding(text, "pain", site="anal")) == ["K62.89"]


def test_the_titles_wording_is_tried_when_it_names_more() -> None:
    text = "A bladder carcinoma was found."
    assert codes_of(finding(text, "bladder carcinoma"))[:2] == ["C67", "C67.9"]


def test_a_growth_told_as_metastatic_is_no_benign_one() -> None:
    # "Carcinoid tumor NOS" is an inclusion term of D3A.00, Benign carcinoid tumor.
    text = "Lymph nodes showed metastatic carcinoid tumor."
    assert not any(
        c.startswith("D3A") for c in codes_of(finding(text, "metastatic carcinoid tumor"))
    )


def test_an_infection_is_named_by_the_words_before_it() -> None:
    # The mention model marks "infection" alone: "HIV" says what infects (B20, not B99.9).
    text = "His HIV infection was assumed to be transmitted through blood transfusion."
    infection = finding(text, "infection")
    case = case_of(text, [infection]).model_copy(
        update={"sentences": [Span(start=0, end=len(text))]}
    )
    assert [c.code for c in linked_findings(case, [infection], CM, {}, 3)["m1"]] == ["B20"]


def test_the_course_of_the_known_disease_is_no_disease_of_its_site() -> None:
    text = "CT showed disease progression in the liver."
    # The cancer's spread to the liver, no K76.9 Liver disease, unspecified.
    assert codes_of(finding(text, "disease progression", site="liver")) == []


def test_a_detail_within_the_mention_is_its_own_words_not_a_site() -> None:
    text = "He had SARS-CoV-2 infection."
    infection = finding(text, "SARS-CoV-2 infection", details=("SARS-CoV-2",))
    at = text.index("infection")
    infection = infection.model_copy(update={"core": Span(start=at, end=at + len("infection"))})
    # U07.1 COVID-19, which "SARS-CoV-2" names alone too; no B99.9 of the bare "infection".
    assert codes_of(infection, {"infection": {"B99.9": 0.75}}) == ["U07.1"]


def test_an_acute_course_told_on_a_chronic_finding_is_read_with_it() -> None:
    text = "He had acute on chronic hypercapnic respiratory failure."
    failure = finding(text, "chronic hypercapnic respiratory failure")
    case = case_of(text, [failure]).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    # J96.22 Acute and chronic respiratory failure with hypercapnia; no J96.12 (chronic).
    assert [c.code for c in linked_findings(case, [failure], CM, {}, 3)["m1"]] == ["J96.22"]


def test_an_infection_named_by_the_words_before_it_keeps_the_side_they_tell() -> None:
    text = "She had a left ear infection."
    infection = finding(text, "infection", site="left ear")
    case = case_of(text, [infection]).model_copy(
        update={"sentences": [Span(start=0, end=len(text))]}
    )
    # H66.92 Otitis media, unspecified, left ear; no H66.90 of an unspecified ear.
    assert [c.code for c in linked_findings(case, [infection], CM, {}, 3)["m1"]] == ["H66.92"]


@pytest.mark.parametrize(
    ("text", "words", "codes"),
    [
        # The mention model leaves the type letter out: "hepatitis" alone would be K75.9.
        ("He had chronic hepatitis B for years.", "chronic hepatitis", ["B18.1"]),
        ("She was treated for hepatitis C.", "hepatitis", ["B19.20"]),
        # A list of types names the tests of each, no hepatitis of the patient.
        ("Serology for hepatitis A, B, and C was normal.", "hepatitis", []),
    ],
)
def test_a_finding_is_read_with_the_type_letter_after_it(
    text: str, words: str, codes: list[str]
) -> None:
    mention = finding(text, words)
    case = case_of(text, [mention]).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert [c.code for c in linked_findings(case, [mention], CM, {}, 3)["m1"]] == codes


def test_a_syndrome_is_named_by_the_eponym_before_it() -> None:
    # The mention model reads the accent as a break and marks "syndrome" alone.
    text = "He was diagnosed with Guillain-Barré syndrome."
    syndrome = finding(text, "syndrome")
    case = case_of(text, [syndrome]).model_copy(
        update={"sentences": [Span(start=0, end=len(text))]}
    )
    assert [c.code for c in linked_findings(case, [syndrome], CM, {}, 3)["m1"]] == ["G61.0"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # The mention model marks "anaemia" alone; the Index: Anemia, pernicious D51.0.
        ("B12 deficiency secondary to pernicious anaemia was known.", ["D51.0"]),
        # What runs up to the finding across "of" qualifies a cause, not the anemia.
        ("To rule out any other cause of anemia, endoscopy was done.", ["D64.9"]),
    ],
)
def test_an_anemia_is_named_by_the_words_running_up_to_it(text: str, codes: list[str]) -> None:
    anemia = finding(text, "anaemia" if "anaemia" in text else "anemia")
    case = case_of(text, [anemia]).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert [c.code for c in linked_findings(case, [anemia], CM, {}, 3)["m1"]] == codes


def test_an_old_infarction_is_no_acute_one() -> None:
    # Index: Infarction, myocardial, old I25.2; the site lies between "old" and the finding.
    text = "The ECG showed an old inferior wall myocardial infarction."
    infarction = finding(text, "myocardial infarction", site="inferior wall")
    case = case_of(text, [infarction]).model_copy(
        update={"sentences": [Span(start=0, end=len(text))]}
    )
    assert [c.code for c in linked_findings(case, [infarction], CM, {}, 3)["m1"]] == ["I25.2"]


@pytest.mark.parametrize(
    ("text", "words", "codes"),
    [
        # Index: History, personal, myocardial infarction I25.2; not I21.9, an acute one.
        ("He had a history of myocardial infarction.", "myocardial infarction", ["I25.2"]),
        # No "old hepatitis" names a code: the past hepatitis keeps its type letter.
        ("He had a history of hepatitis C.", "hepatitis", ["B19.20"]),
    ],
)
def test_a_past_finding_is_read_as_old(text: str, words: str, codes: list[str]) -> None:
    mention = finding(text, words, assertion=Assertion.HISTORICAL)
    case = case_of(text, [mention]).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert [c.code for c in linked_findings(case, [mention], CM, {}, 3)["m1"]] == codes


def test_a_scar_told_right_after_its_operation_is_no_skin_scar() -> None:
    # The mention model marks the procedure and "scar" apart: the scar is the operation's mark.
    text = "A nodule lay under the cesarean section scar. A scar was on her cheek."
    section = finding(text, "cesarean section", 2).model_copy(
        update={"type": EntityType.THERAPEUTIC_PROCEDURE}
    )
    first = finding(text, "scar")
    at = text.rindex("scar")
    second = first.model_copy(update={"id": "m3", "start": at, "end": at + len("scar")})
    case = case_of(text, [section, first, second]).model_copy(
        update={"sentences": [Span(start=0, end=45), Span(start=46, end=len(text))]}
    )
    linked = linked_findings(case, [first, second], CM, {}, 3)
    assert linked["m1"] == [] and [c.code for c in linked["m3"]] == ["L90.5"]


def test_gi_is_gastrointestinal() -> None:
    text = "One month later, acute upper GI bleeding as melena occurred."
    assert codes_of(finding(text, "bleeding", site="upper GI")) == ["K92.2"]  # not R58


def test_malaria_named_by_its_parasite_is_that_parasites_malaria() -> None:
    text = "She was diagnosed with high-parasitemia falciparum malaria."
    assert codes_of(finding(text, "falciparum malaria")) == ["B50.9"]  # not B54


def test_words_after_without_are_denied() -> None:
    text = "He could stand and walk; walking without difficulty was regained."
    assert codes_of(finding(text, "walking without difficulty")) == []  # no R26.2
    text = "She had vomiting without nausea."
    assert codes_of(finding(text, "vomiting without nausea")) == ["R11.11"]


def test_a_side_the_text_gives_is_no_unspecified_side() -> None:
    # The Official Guidelines: the right side is dominant by default, the left nondominant.
    text = "A 56-year-old male was taken to our hospital due to a right hemiplegia."
    assert "G81.91" in codes_of(finding(text, "right hemiplegia"))
    assert "G81.90" not in codes_of(finding(text, "right hemiplegia"))


@pytest.mark.parametrize(
    ("words", "site", "code"),
    [
        # Index: Paresis — see Paralysis; Paralysis, upper limb G83.2-, told with its side.
        ("paresis of right upper extremity", "right upper extremity", "G83.21"),
        ("left lower limb paresis", "left lower limb", "G83.14"),
        # Both legs are no one limb: Paralysis, both lower limbs G82.2- (paraplegia).
        ("bilateral lower extremity paresis", "bilateral lower extremity", "G82.20"),
        ("paresis of both upper extremities", "both upper extremities", "G83.0"),
        # A plural limb told without a side is both: "extremities" is no one extremity.
        ("paresis of the lower limbs", "lower limbs", "G82.2"),
        # Index: Paralysis, vocal cord J38.00, no limb's.
        ("vocal cord paresis", "vocal cord", "J38.00"),
    ],
)
def test_a_limbs_paresis_is_its_paralysis(words: str, site: str, code: str) -> None:
    text = f"On examination there was {words}."
    assert codes_of(finding(text, "paresis", site=site)) == [code]


def test_a_chronic_kidney_failure_is_chronic_kidney_disease() -> None:
    text = "A 71-year-old woman with chronic kidney failure was transferred to our hospital."
    assert codes_of(finding(text, "chronic kidney failure")) == ["N18.9"]  # not N19


def test_a_finding_of_an_unspecified_organism_is_named_by_the_organism_it_is_due_to() -> None:
    text = "CD4 nadir 6 cells/μL associated to pneumonia due to Pneumocystis jirovecii."
    pneumonia = finding(text, "pneumonia")
    case = case_of(text, [pneumonia]).model_copy(
        update={"sentences": [Span(start=0, end=len(text))]}
    )
    assert [c.code for c in linked_findings(case, [pneumonia], CM, {}, 3)["m1"]] == ["B59"]


def test_a_name_titling_a_code_is_no_inclusion_term_of_another() -> None:
    # A52.3 Neurosyphilis holds "Syphilis (late)" without "of central nervous system NOS".
    text = "His medical records showed arterial hypertension, syphilis and anal warts."
    assert codes_of(finding(text, "syphilis")) == ["A53.9"]


def test_the_association_lexicon_only_names_what_the_vocabulary_does_not() -> None:
    text = "There was lymphopenia and dyspnea."
    learnt = {"lymphopenia": {"D72.810": 0.9}, "dyspnea": {"R53.1": 0.9}}
    assert codes_of(finding(text, "lymphopenia"), learnt) == ["D72.810"]
    # "dyspnea" names R06.0x itself: the code that merely came with it is not its code.
    assert "R53.1" not in codes_of(finding(text, "dyspnea"), learnt)


def case_of(text: str, mentions: list[Mention]) -> Case:
    return Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions)


def test_a_finding_mostly_coded_so_in_training_is_linked_to_that_code() -> None:
    # "odynophagia" comes in 4 documents, 3 of them coded R13.10 (which 2 others have too):
    # Dice 6 / 9 = 0.67, a link; "cough" merely comes with R05.9 in 3 of its 12 documents.
    docs = [("Odynophagia was present.", "Odynophagia", {"R13.10"})] * 3
    docs += [("Odynophagia was present.", "Odynophagia", set())]
    docs += [("Dysphagia was present.", "Dysphagia", {"R13.10"})] * 2
    docs += [("A cough was present.", "cough", {"R05.9"})] * 3
    docs += [("A cough was present.", "cough", set())] * 9
    labelled = [(case_of(text, [finding(text, words)]), set(gold)) for text, words, gold in docs]
    lexicon = association_lexicon(labelled, SETTINGS)
    assert lexicon["odynophagia"] == {"R13.10": 0.6667}
    assert "cough" not in lexicon


def linked_of(case: Case) -> dict[str, list[MentionCode]]:
    findings = [m for m in case.mentions if m.type in SETTINGS.mention_types]
    return dict(zip((m.id for m in findings), link_mentions(findings, CM, {}, 3), strict=True))


def supported(case: Case, ranked: dict[str, dict[str, float]]) -> set[str]:
    return {c.code for c in candidates(case, ranked, linked_of(case), CM, SETTINGS)}


def test_only_present_findings_support_a_code() -> None:
    text = "She had no fever. Her mother had asthma. Pneumonia was suspected. She had a cough."
    case = case_of(
        text,
        [
            finding(text, "fever", 1, Assertion.NEGATED),
            finding(text, "asthma", 2, Assertion.FAMILY),
            finding(text, "Pneumonia", 3, Assertion.UNCERTAIN),
            finding(text, "cough", 4),
        ],
    )
    ranked = {"R50.9": {"linear": 0.9}, "J45.909": {"linear": 0.8}, "J18.9": {"linear": 0.8}}
    assert supported(case, ranked) == {"R05", "R05.9"}


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Tests included the serologic markers for hepatitis C.", set()),
        ("She was seronegative for hepatitis C and HIV.", set()),
        ("Serology was negative for hepatitis B, hepatitis C and HIV.", set()),
        ("She was negative for hepatitis B but positive for hepatitis C.", {"B19.20"}),
        (
            "Serology for human immunodeficiency viruses (HIV) types 1 and 2, hepatitis B virus "
            "surface antigen (HBsAg), hepatitis C and herpes simplex virus (HSV) was negative.",
            set(),
        ),
        ("The serology for hepatitis C was positive.", {"B19.20"}),
        ("CSF PCR analyses for hepatitis C and enterovirus were negative.", set()),
        ("Blood samples were sent for hepatitis C.", set()),
        ("She was tested for hepatitis C, which was positive.", {"B19.20"}),
        ("She had hepatitis C.", {"B19.20"}),
        # Antibodies against an infection are what vaccination or a past infection leaves.
        ("Tests revealed antibodies against measles and hepatitis C.", set()),
    ],
)
def test_a_disease_a_test_looks_for_supports_no_code(text: str, codes: set[str]) -> None:
    case = case_of(text, [finding(text, "hepatitis C")])
    assert supported(case, {}) == codes


def test_a_lasting_condition_of_the_past_history_supports_its_code() -> None:
    text = "A history of hypertension and of bacterial endocarditis. She had a cough."
    case = case_of(
        text,
        [
            finding(text, "hypertension", 1, Assertion.HISTORICAL),
            finding(text, "bacterial endocarditis", 2, Assertion.HISTORICAL),
            finding(text, "cough", 3),
        ],
    )
    ranked = {"I10": {"linear": 0.9}, "I33.0": {"linear": 0.9}}
    found = {c.code: c for c in candidates(case, ranked, linked_of(case), CM, SETTINGS)}
    assert "I10" in found and found["I10"].features["historical"] == 1.0
    assert found["R05"].features["historical"] == 0.0
    assert "I33.0" not in found  # the endocarditis is over: no illness of today's


def test_without_the_chronic_rule_the_past_history_supports_nothing() -> None:
    text = "A history of hypertension."
    case = case_of(text, [finding(text, "hypertension", 1, Assertion.HISTORICAL)])
    settings = SETTINGS.model_copy(update={"chronic_history": False})
    assert not candidates(case, {"I10": {"linear": 0.9}}, linked_of(case), CM, settings)


def test_the_ranker_never_adds_a_finer_code_or_a_sibling() -> None:
    text = "She had vomiting and anorexia."
    case = case_of(text, [finding(text, "vomiting", 1), finding(text, "anorexia", 2)])
    ranked = {"R11.11": {"linear": 0.9}, "R63.4": {"linear": 0.9}, "R11.10": {"linear": 0.5}}
    found = supported(case, ranked)
    assert "R11.10" in found and "R63.0" in found
    assert "R11.11" not in found  # vomiting without nausea: finer than the words
    assert "R63.4" not in found  # abnormal weight loss: a sibling of anorexia


def test_a_category_becomes_the_leaf_the_text_supports_or_stays_marked() -> None:
    def candidate(code: str, score: float) -> Candidate:
        return Candidate(code=code, features={}, score=score)

    resolved = resolve_leaves(
        [candidate("R51", 0.8), candidate("G96.0", 0.7), candidate("G96.00", 0.6)], CM
    )
    assert [(c.code, category) for c, category in resolved] == [
        ("R51.9", False),  # Headache → Headache, unspecified
        ("G96.00", False),  # the category gives way to the leaf another candidate names
    ]
    (epilepsy,) = resolve_leaves([candidate("G40", 0.5)], CM)
    assert epilepsy[0].code == "G40" and epilepsy[1]  # no single leaf: kept, marked a category


def test_an_unspecified_leaf_gives_way_to_a_specified_sibling() -> None:
    # "Upper abdominal pain, unspecified" would deny the right upper quadrant the text gives.
    both = [
        Candidate(code="R10.10", features={}, score=0.8),
        Candidate(code="R10.11", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(both, CM)] == ["R10.11"]
    (alone,) = resolve_leaves(both[:1], CM)
    assert alone[0].code == "R10.10"
    # A tenderness of the left lower quadrant is no pain: the abdominal pain stays unspecified.
    pain = [
        Candidate(code="R10.9", features={}, score=0.8),
        Candidate(code="R10.814", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(pain, CM)] == ["R10.9", "R10.814"]


def test_a_leaf_of_unspecified_side_gives_way_to_its_sibling_of_the_side_told() -> None:
    # "Unspecified fracture of unspecified acetabulum" beside "… of left acetabulum".
    fractures = [
        Candidate(code="S32.409", features={}, score=0.8),
        Candidate(code="S32.402", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(fractures, CM)] == ["S32.402"]


def test_a_leaf_of_unspecified_side_gives_way_to_the_side_told_in_another_subcategory() -> None:
    # "Unspecified fracture of unspecified femur" (S72.90-) beside "… of right femur" (S72.91-).
    fractures = [
        Candidate(code="S72.90X", features={}, score=0.8),
        Candidate(code="S72.91X", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(fractures, CM)] == ["S72.91X"]
    # A subcategory titled as its leaf ("Other polyuria", R35.8 and R35.89) tells no side.
    polyuria = [
        Candidate(code="R35.89", features={}, score=0.8),
        Candidate(code="R35.8", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(polyuria, CM)] == ["R35.89"]


def test_an_unspecified_leaf_of_other_and_unspecified_kinds_gives_way_to_a_kind_told() -> None:
    # "Unspecified atrioventricular block" (I44.30, under I44.3 "Other and unspecified …")
    # beside "Atrioventricular block, first degree" (I44.0); no unspecified code hides another.
    blocks = [
        Candidate(code="I44.30", features={}, score=0.8),
        Candidate(code="I44.0", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(blocks, CM)] == ["I44.0"]
    # "Unspecified right bundle-branch block" beside "Bifascicular block": another block.
    bundle = [
        Candidate(code="I45.10", features={}, score=0.8),
        Candidate(code="I45.2", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(bundle, CM)] == ["I45.10", "I45.2"]
    skin = [
        Candidate(code="C44.00", features={}, score=0.8),
        Candidate(code="C44.90", features={}, score=0.7),
    ]
    assert [c.code for c, _ in resolve_leaves(skin, CM)] == ["C44.00", "C44.90"]


def test_a_code_learnt_for_the_bare_finding_takes_the_side_told() -> None:
    text = "She had diplopia and left ptosis."
    ptosis = finding(text, "left ptosis")
    assert codes_of(ptosis, {"left ptosis": {"H02.409": 0.5}}) == ["H02.402"]


def test_a_side_told_names_the_sibling_whose_title_has_both_sides_told() -> None:
    # "Pain in unspecified ankle and joints of unspecified foot" → "… left … left foot".
    text = "She had pain in the left ankle."
    assert codes_of(finding(text, "pain", site="left ankle")) == ["M25.572"]


def test_a_side_told_names_the_sibling_whose_title_tells_it_elsewhere() -> None:
    # "Fracture of condylar process of mandible, unspecified side" → "… of right mandible".
    text = "CT showed a right mandibular condylar fracture."
    assert codes_of(finding(text, "right mandibular condylar fracture")) == ["S02.611"]


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        # Index: Enlargement, lymph gland or node R59.9, localized R59.0, generalized R59.1
        # (Lymphadenopathy NOS); an Adenopathy's R59.9 says no extent and stays.
        ("CT showed mediastinal lymphadenopathy.", "mediastinal lymphadenopathy", "R59.0"),
        ("There were cervical adenopathies.", "cervical adenopathies", "R59.9"),
        (
            "He had generalized cervical lymphadenopathy.",
            "generalized cervical lymphadenopathy",
            "R59.1",
        ),
        ("He had lymphadenopathy.", "lymphadenopathy", "R59.1"),
    ],
)
def test_enlarged_lymph_nodes_of_a_region_told_are_localized(
    text: str, words: str, code: str
) -> None:
    assert codes_of(finding(text, words))[0] == code


@pytest.mark.parametrize(
    ("site", "code"),
    [
        # Neoplasm Table, lymph gland, secondary: cervical C77.0, mediastinal C77.1,
        # para-aortic C77.2, axillary C77.3; two regions keep the unspecified code.
        ("right cervical lymph node", "C77.0"),
        ("mediastinal lymph node", "C77.1"),
        ("para-aortic lymph node", "C77.2"),
        ("axillary lymph node", "C77.3"),
        ("armpit lymph node", "C77.3"),
        ("armpit and supraclavicular lymph node", "C77.9"),
        ("axillary and cervical lymph node", "C77.9"),
    ],
)
def test_a_lymph_node_metastasis_of_a_region_told_is_coded_at_the_region(
    site: str, code: str
) -> None:
    text = f"CT showed metastases in the {site}."
    assert codes_of(finding(text, "metastases", site=site)) == [code]


@pytest.mark.parametrize(
    "words",
    ["spontaneous splenic rupture", "atraumatic splenic rupture", "non-traumatic splenic rupture"],
)
def test_a_rupture_of_no_injury_is_coded_as_no_injury(words: str) -> None:
    # Rupture, spleen, nontraumatic D73.5, though the text tells of a fall (S36.03- otherwise).
    text = f"After a fall, CT showed a {words}."
    assert codes_of(finding(text, words), {"splenic rupture": {"S36.039": 0.9}}) == ["D73.5"]


@given(st.dictionaries(st.sampled_from(["linear", "link", "billable"]), st.floats(-5, 5)))
def test_the_score_is_a_probability(features: dict[str, float]) -> None:
    settings = SETTINGS.model_copy(update={"weights": {"linear": 3.0, "link": -2.0}, "bias": -1})
    assert 0.0 <= logistic(features, settings) <= 1.0


def test_the_shown_threshold_is_the_lowest_that_keeps_the_target_precision() -> None:
    scored = [(0.9, True), (0.8, True), (0.7, False), (0.6, True), (0.5, False), (0.4, False)]
    assert precision_threshold(scored, 0.75) == 0.6  # 3 right of 4
    assert precision_threshold(scored, 1.0) == 0.8
    assert precision_threshold([(0.3, False)], 0.6) == 1.0  # nothing reaches it


@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=30),
    st.floats(0.1, 1.0),
)
def test_what_the_threshold_keeps_meets_the_target(
    scored: list[tuple[float, bool]], target: float
) -> None:
    threshold = precision_threshold(scored, target)
    kept = [gold for score, gold in scored if score >= threshold]
    if threshold < 1.0:  # 1.0 is the answer when no threshold reaches the target
        assert sum(kept) / len(kept) >= target - 1e-9


def structure(text: str, words: str, number: int) -> Mention:
    start = text.index(words)
    return Mention(
        id=f"s{number}",
        start=start,
        end=start + len(words),
        text=words,
        type=EntityType.BIOLOGICAL_STRUCTURE,
    )


def test_a_finding_that_names_no_code_is_coded_with_the_structure_of_its_sentence() -> None:
    text = "The kidney was normal. An abscess was drained from the liver."
    abscess = finding(text, "abscess")
    case = case_of(text, [structure(text, "kidney", 1), abscess, structure(text, "liver", 2)])
    case = case.model_copy(update={"sentences": [Span(start=0, end=22), Span(start=23, end=61)]})
    nearby = sentence_structures(case, [abscess])
    assert nearby == {"m1": ["liver"]}
    (found,) = link_mentions([abscess], CM, {}, 3, nearby)
    assert [c.code for c in found] == ["K75.0"]


@pytest.mark.parametrize(
    "text",
    [
        "A primary adenocarcinoma with cardiac invasion was found.",
        "A primary adenocarcinoma invading the heart was found.",
    ],
)
def test_a_structure_a_growth_reached_is_no_site_of_it(text: str) -> None:
    tumour = finding(text, "primary adenocarcinoma")
    heart = "cardiac" if "cardiac" in text else "heart"
    case = case_of(text, [tumour, structure(text, heart, 2)])
    case = case.model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert sentence_structures(case, [tumour]) == {"m1": []}


def test_the_sites_listed_for_another_finding_are_no_site_of_a_primary_growth() -> None:
    text = "A neuroendocrine malignancy with lesions in the liver and spleen was found."
    tumour = finding(text, "neuroendocrine malignancy")
    lesions = finding(text, "lesions", 2)
    sites = [
        Attribute(name="site", start=text.index(w), end=text.index(w) + len(w), text=w)
        for w in ("liver", "spleen")
    ]
    lesions = lesions.model_copy(update={"attributes": sites})
    found = [tumour, lesions, structure(text, "liver", 3), structure(text, "spleen", 4)]
    case = case_of(text, found).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert sentence_structures(case, [tumour, lesions], listed_apart=True)["m1"] == []
    nearby = sentence_structures(case, [tumour, lesions])
    grown = sentence_structures(case, [tumour, lesions], listed_apart=True)
    (found, _) = link_mentions([tumour, lesions], CM, {}, 3, nearby, growth_nearby=grown)
    assert not any(c.code.startswith(("C22", "C26")) for c in found)


def test_a_hemangioma_told_with_its_site_is_no_hemangioma_of_unspecified_site() -> None:
    # D18.03 is titled "of intra-abdominal structures": a structure is no body part elsewhere.
    text = "Ultrasound showed hemangiomas of the liver."
    assert codes_of(finding(text, "hemangiomas", site="liver")) == ["D18.03"]


def test_a_site_a_growth_spread_to_is_no_site_of_its_code() -> None:
    text = "It was a mucin-producing adenocarcinoma, metastatic to skin."
    tumour = finding(text, "adenocarcinoma", site="skin")
    (kept,) = coded_findings(case_of(text, [tumour]), {tumour.type})
    assert kept.attributes == []
    (found,) = link_mentions([kept], CM, {}, 3)
    assert not any(c.code.startswith("C44") for c in found)


def test_where_a_pain_radiates_is_no_site_of_its_code() -> None:
    text = "She had epigastric pain radiating to the back."
    pain = finding(text, "epigastric pain", site="back")
    (kept,) = coded_findings(case_of(text, [pain]), {pain.type})
    assert "M54.9" not in codes_of(kept) and "R10.13" in codes_of(kept)


def test_a_pathologic_fracture_is_the_pathological_one_and_no_injury() -> None:
    # Index: Fracture, pathological, femur M84.45-; no S72.9- injury of the femur.
    text = "Imaging showed a pathologic fracture of the right femur."
    assert codes_of(finding(text, "pathologic fracture", site="right femur")) == ["M84.451"]


def test_a_urinary_infection_is_the_indexs_urinary_tract_infection() -> None:
    # Index: Infection, urinary (tract) N39.0: "tract" is a nonessential modifier.
    text = "It was a recurrence of urinary infection."
    assert codes_of(finding(text, "urinary infection")) == ["N39.0"]


def test_a_site_told_after_a_list_of_findings_is_the_site_of_each() -> None:
    # Index: Pain, joint, knee, right M25.561, not R52 Pain, unspecified.
    text = "He presented with pain and deformity of his right knee."
    pain = finding(text, "pain")
    deformity = finding(text, "deformity", number=2, site="right knee")
    linked = linked_findings(case_of(text, [pain, deformity]), [pain, deformity], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["M25.561"]


def test_a_finding_whose_own_words_name_its_site_takes_none_from_its_list() -> None:
    text = "CT showed a renal cyst, hydroureter, a stone in the left ureter."
    cyst = finding(text, "renal cyst")
    hydroureter = finding(text, "hydroureter", number=2, site="left ureter")
    # The mention model marks the stone as a body structure, a site of the hydroureter.
    at = text.index("stone")
    stone = Attribute(name="site", start=at, end=at + len("stone"), text="stone")
    hydroureter.attributes.insert(0, stone)
    linked = linked_findings(case_of(text, [cyst, hydroureter]), [cyst, hydroureter], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["N28.1"]


def test_a_finding_no_code_names_at_the_site_of_its_list_keeps_its_own_code() -> None:
    text = "There were edema and osteomyelitis of the phalanx."
    edema = finding(text, "edema")
    osteomyelitis = finding(text, "osteomyelitis", number=2, site="phalanx")
    linked = linked_findings(
        case_of(text, [edema, osteomyelitis]), [edema, osteomyelitis], CM, {}, 3
    )
    assert [c.code for c in linked["m1"]] == ["R60", "R60.9"]


def test_a_site_told_before_the_next_finding_is_that_findings_own() -> None:
    text = "He presented with pain and right knee swelling."
    pain = finding(text, "pain")
    swelling = finding(text, "swelling", number=2, site="right knee")
    linked = linked_findings(case_of(text, [pain, swelling]), [pain, swelling], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["R52"]


def test_a_detail_other_words_part_from_a_finding_makes_no_name_with_it() -> None:
    # "multiple" counts the areas: no G35.D Multiple sclerosis.
    text = "MRI showed multiple areas of sclerosis."
    assert codes_of(finding(text, "sclerosis", details=("multiple",))) == []
    told = "She had multiple sclerosis."
    assert codes_of(finding(told, "sclerosis", details=("multiple",))) == ["G35", "G35.D"]


def test_a_kind_of_cell_names_no_finding_its_first_word_names() -> None:
    # Ganglion cells are nerve cells: no M67.40 Ganglion, a cyst of a joint or tendon sheath.
    text = "Histology showed ganglion cells in the submucosa."
    assert codes_of(finding(text, "ganglion cells", site="submucosa")) == []


def test_a_central_facial_palsy_is_no_bells_palsy() -> None:
    # Bell's palsy (G51.0) is a palsy of the facial nerve; a central one is a brain lesion's
    # sign, coded as the Index's Weakness, facial R29.810.
    text = "Examination revealed a central type facial palsy on the left."
    palsy = finding(text, "central type facial palsy", details=("central type",))
    assert codes_of(palsy) == ["R29.810"]


def test_a_metastasis_is_of_the_site_it_reached() -> None:
    text = "It was a lymphoma of the lung that had metastasis to the skin."
    spread = finding(text, "metastasis", site="skin")
    (kept,) = coded_findings(case_of(text, [spread]), {spread.type})
    (found,) = link_mentions([kept], CM, {}, 3, {"m1": ["lung"]})
    assert [c.code for c in found] == ["C79.2"]  # not C78.00, of the lung


def test_where_a_growth_of_a_named_primary_spread_is_no_site_of_its_code() -> None:
    text = "There was metastatic rectal adenocarcinoma in the cortex of the left ovary."
    tumour = finding(text, "adenocarcinoma", site="rectal")
    ovary = text.index("left ovary")
    tumour = tumour.model_copy(
        update={
            "attributes": [
                *tumour.attributes,
                Attribute(name="site", start=ovary, end=ovary + 10, text="left ovary"),
            ]
        }
    )
    (kept,) = coded_findings(case_of(text, [tumour]), {tumour.type})
    assert [a.text for a in kept.attributes] == ["rectal"]
    (found,) = link_mentions([kept], CM, {}, 3)
    assert [c.code for c in found] == ["C20"]


def test_a_finding_that_names_a_code_is_not_given_the_site_of_a_structure_nearby() -> None:
    text = "There was pain; the chest was clear."
    pain = finding(text, "pain")
    (alone,) = link_mentions([pain], CM, {}, 3)
    (near,) = link_mentions([pain], CM, {}, 3, {"m1": ["chest"]})
    assert near == alone
    assert "R07.9" not in [c.code for c in near]


def test_a_finding_told_with_its_own_site_is_not_read_with_another_structure_nearby() -> None:
    text = "A CT of the abdomen revealed a distended bladder."
    distended = finding(text, "distended", site="bladder")
    (found,) = link_mentions([distended], CM, {}, 3, {"m1": ["abdomen", "bladder"]})
    assert "R14.0" not in [c.code for c in found]  # no Abdominal distension


def test_a_neoplasm_named_without_its_site_takes_the_site_of_its_sentence() -> None:
    text = "The pulmonary mass was a primary adenocarcinoma."
    tumour = finding(text, "primary adenocarcinoma")
    (found,) = link_mentions([tumour], CM, {}, 3, {"m1": ["pulmonary"]})
    assert [c.code for c in found] == ["C34.90"]


def test_a_growth_with_its_site_keeps_no_code_of_another_disorder_there() -> None:
    # "Disease" with the lung is J98.4, Other disorders of lung: no code of a metastasis.
    text = "The scan also showed diffuse bony and lung metastatic disease."
    sited = finding(text, "metastatic disease", site="lung")
    assert "J98.4" not in codes_of(sited)
    bare = finding(text, "metastatic disease")
    (found,) = link_mentions([bare], CM, {}, 3, {"m1": ["lung"]})
    assert "J98.4" not in [c.code for c in found]


def test_a_neoplasm_whose_site_no_code_names_is_never_of_unspecified_site() -> None:
    text = "Histopathology showed an adenocarcinoma of the CBD."
    tumour = finding(text, "adenocarcinoma", site="CBD")
    (found,) = link_mentions([tumour], CM, {}, 3)
    assert [c.code for c in found] == []


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        # The gland its adjective names: "thyroid" is the thyroid gland.
        ("papillary thyroid carcinoma", ["C73"]),
        ("malignant thyroid tumor", ["C73"]),
        # A site in the mention's own words that no code names is no unspecified site.
        ("hepatobiliary carcinoma", []),
        # The Table of Neoplasms' nose NOS, "nasal" being the nose's adjective.
        ("nasal carcinoma", ["C76.0"]),
        # A cell type is no site.
        ("squamous cell carcinoma", ["C80.1"]),
    ],
)
def test_a_neoplasm_whose_words_name_its_site_is_coded_at_that_site_or_not_at_all(
    words: str, codes: list[str]
) -> None:
    assert codes_of(finding(f"She had a {words}.", words)) == codes


def test_a_neoplasm_told_without_any_site_keeps_the_unspecified_site() -> None:
    text = "Biopsy revealed a poorly differentiated carcinoma."
    assert codes_of(finding(text, "poorly differentiated carcinoma")) == ["C80.1"]


def test_no_unspecified_site_is_a_candidate_beside_the_site_the_case_gives() -> None:
    text = "A poorly differentiated carcinoma. The lung cancer was resected."
    case = case_of(
        text, [finding(text, "poorly differentiated carcinoma", 1), finding(text, "lung cancer", 2)]
    )
    assert supported(case, {}) == {"C34.90"}


def test_an_injury_whose_bone_the_sentence_names_is_no_injury_of_unspecified_region() -> None:
    text = "He sustained fractures of the humerus."
    fracture = finding(text, "fractures")
    (found,) = link_mentions([fracture], CM, {}, 3, {"m1": ["humerus"]})
    assert [c.code for c in found][:1] == ["S42.3"]  # not T14.8, of unspecified body region
    assert codes_of(finding("He had a fracture.", "fracture")) == ["T14.8"]
    text = "A degloving injury. The injury of the left lower leg was grafted."
    case = case_of(
        text,
        [finding(text, "degloving injury", 1), finding(text, "injury of the left lower leg", 2)],
    )
    assert not any(code.startswith("T14") for code in supported(case, {}))


@pytest.mark.parametrize(
    ("text", "site", "code"),
    [
        ("He had severe neck pain.", "neck", "M54.2"),
        ("She had pain in the left eye.", "left eye", "H57.12"),
        ("She had right flank pain.", "right flank", "R10.A1"),
        ("He had dental pain.", "dental", "K08.89"),
        ("She had ear pain.", "ear", "H92.09"),
        ("He had oral pain.", "oral", "K13.79"),
        ("She had pelvic pain.", "pelvic", "R10.20"),
        ("She had breast pain.", "breast", "N64.4"),
        ("He had rectal pain.", "rectal", "K62.89"),
        ("He had groin pain.", "groin", "R10.30"),
    ],
)
def test_a_pain_is_named_by_its_site_as_the_index_names_it(text: str, site: str, code: str) -> None:
    # Index: Pain, neck M54.2; eye H57.1-; flank R10.A-; tooth K08.89; ear H92.0-; mouth
    # K13.79; pelvic R10.2-; breast N64.4; rectum K62.89; groin, see Pain, abdominal, lower.
    assert code in codes_of(finding(text, "pain", site=site))


def test_an_edema_of_the_optic_disc_is_papilledema_not_an_edema_of_the_skin() -> None:
    # Index: Edema, papilla, optic — see Papilledema (H47.1-).
    text = "Fundoscopy showed bilateral optic disc edema."
    assert codes_of(finding(text, "edema", site="optic disc")) == ["H47.10"]


def test_a_myocardial_infarction_of_a_named_wall_is_coded_at_that_wall() -> None:
    # Index: Infarct, myocardium, anterior (wall) I21.09; inferior (wall) I21.19.
    text = "He had an inferior myocardial infarction."
    assert codes_of(finding(text, "inferior myocardial infarction")) == ["I21.19"]


def test_a_vasogenic_edema_is_cerebral_edema() -> None:
    text = "MRI showed a mass with vasogenic edema."
    assert codes_of(finding(text, "vasogenic edema")) == ["G93.6"]


def test_pain_unspecified_gives_way_to_the_pain_whose_site_the_case_gives() -> None:
    text = "She had pain. The abdominal pain recurred."
    case = case_of(text, [finding(text, "pain", 1), finding(text, "abdominal pain", 2)])
    found = supported(case, {})
    assert "R10.9" in found and "R52" not in found
    alone = "She had pain."
    assert "R52" in supported(case_of(alone, [finding(alone, "pain")]), {})


def test_an_aneurysm_whose_artery_the_case_names_is_no_aneurysm_of_unspecified_site() -> None:
    text = "Angiography showed a coronary aneurysm and a splenic artery aneurysm."
    assert codes_of(finding(text, "aneurysm", site="coronary")) == ["I25.41"]
    assert codes_of(finding(text, "splenic artery aneurysm")) == ["I72.8"]


def test_a_nephropathy_whose_cause_is_named_is_no_kidney_disorder_unspecified() -> None:
    text = "He had diabetic nephropathy, IgA nephropathy and hypertensive nephropathy."
    # N28.9 is the Index's default for the bare word; a diabetic one is a diabetes code.
    assert codes_of(finding(text, "diabetic nephropathy")) == []
    assert codes_of(finding(text, "IgA nephropathy")) == ["N02.B9"]
    assert codes_of(finding(text, "hypertensive nephropathy")) == ["I12.9"]


def test_a_lentigo_maligna_melanoma_is_a_melanoma_and_an_anatomic_fat_pad_no_adiposity() -> None:
    text = "Biopsy showed lentigo maligna melanoma; MRI showed Hoffa's fat pad oedema."
    # No L81.4 (a benign lentigo), and the knee's fat pad is anatomy, not E65.
    assert codes_of(finding(text, "lentigo maligna melanoma")) == ["C43.9"]
    assert codes_of(finding(text, "Hoffa's fat pad")) == []
    text = "She had moon facies and a supraclavicular fat pad."
    assert codes_of(finding(text, "supraclavicular fat pad")) == ["E65"]


def test_a_scar_named_with_more_words_is_no_skin_scar() -> None:
    # L90.5 is Scar conditions of skin: a procedure's or a heart's scar is none.
    text = "A caesarean-section scar and a myocardial scar were seen; a scar was on her cheek."
    assert codes_of(finding(text, "caesarean-section scar")) == []
    assert codes_of(finding(text, "myocardial scar")) == []
    assert codes_of(finding(text, "scar")) == ["L90.5"]


def test_depression_names_the_mood_disorder_only_alone() -> None:
    text = "ECG showed ST segment depression. She had severe depression."
    # An abnormal ECG (an Alphabetic Index name), no mood disorder.
    assert codes_of(finding(text, "ST segment depression")) == ["R94.31"]
    assert codes_of(finding(text, "severe depression")) == ["F32.A"]
    text = "He had HIV infection; the tumour showed brisk mitotic activity."
    assert "D84.9" not in codes_of(
        finding(text, "HIV infection").model_copy(
            update={"expansion": "human immunodeficiency virus infection"}
        )
    )
    assert codes_of(finding(text, "brisk mitotic activity")) == []


def test_tuberculosis_of_a_named_site_is_no_respiratory_tuberculosis() -> None:
    text = "She had choroidal tuberculosis, skin tuberculosis and pulmonary tuberculosis."
    # A15.9 is Respiratory tuberculosis: the Index's default for the bare word only; its
    # "Tuberculosis, pulmonary" is A15.0 Tuberculosis of lung.
    assert codes_of(finding(text, "choroidal tuberculosis")) == ["A18.53"]
    assert codes_of(finding(text, "skin tuberculosis")) == ["A18.4"]
    assert codes_of(finding(text, "pulmonary tuberculosis")) == ["A15.0"]


def test_aortic_stenosis_is_the_valve_disease_and_subaortic_stenosis_congenital() -> None:
    text = "Aortic stenosis and a localized fibrous subvalvular aortic stenosis."
    assert codes_of(finding(text, "Aortic stenosis")) == ["I35.0"]
    assert codes_of(finding(text, "localized fibrous subvalvular aortic stenosis")) == ["Q24.4"]


PHENOTYPES = Phenotypes(load_hpo(), frozenset({"decreased", "low", "increased", "elevated"}))


def hpo_finding(text: str, words: str, concept: str, score: float = 1.0) -> Mention:
    return finding(text, words).model_copy(
        update={"codes": [Code(system=CodeSystem.HPO, code=concept, score=score)]}
    )


def test_a_measure_named_with_its_direction_takes_the_codes_its_phenotype_is_named_by() -> None:
    # HPO's Decreased intracranial pressure has the synonym "Intracranial hypotension", G96.81.
    text = "Imaging suggested a low CSF pressure."
    low = hpo_finding(text, "low CSF pressure", "HP:0012641")
    (found,) = link_mentions([low], CM, {}, 3, phenotypes=PHENOTYPES)
    assert [c.code for c in found][:1] == ["G96.81"]
    (without,) = link_mentions([low], CM, {}, 3)
    assert without == []


@pytest.mark.parametrize(
    ("text", "words", "concept", "score"),
    [
        # HPO's Autoimmunity lists "Systemic involvement of connective tissue", M35.9.
        ("A study of autoimmunity was done.", "autoimmunity", "HP:0002960", 1.0),
        # Linked, not spelt: the concept's synonyms say more than the words.
        ("Imaging suggested low CSF pressures.", "low CSF pressures", "HP:0012641", 0.9),
    ],
)
def test_other_findings_take_no_code_through_their_phenotype(
    text: str, words: str, concept: str, score: float
) -> None:
    mention = hpo_finding(text, words, concept, score)
    (found,) = link_mentions([mention], CM, {}, 3, phenotypes=PHENOTYPES)
    assert found == []


def test_a_gain_told_as_a_recovery_names_no_code_through_its_phenotype() -> None:
    # A rise to a value is a change, no level above normal: no Thrombocytosis (D75.839).
    text = "The platelet count increased to 87,000."
    rise = hpo_finding(text, "platelet count increased", "HP:0001894")
    case = Case(
        id="c",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        sentences=[Span(start=0, end=len(text))],
        mentions=[rise],
    )
    (found,) = linked_findings(case, [rise], CM, {}, 3, PHENOTYPES).values()
    assert found == []


def test_a_finding_naming_its_own_code_keeps_it_whatever_its_phenotype() -> None:
    text = "She had a severe headache."
    headache = hpo_finding(text, "severe headache", "HP:0012641")
    (found,) = link_mentions([headache], CM, {}, 3, phenotypes=PHENOTYPES)
    assert [c.code for c in found] == ["R51", "R51.9"]


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("left axis deviation", "S12.1"),  # no fracture of the axis vertebra
        ("fall in hemoglobin", "W19"),  # no fall of the patient
        ("hearing aids", "B20"),  # no HIV disease
        ("right ventricular diastolic collapse", "R55"),  # a chamber's collapse, no syncope
        ("luminal collapse", "R55"),
        ("low-density plaques", "R92.30"),  # no dense breasts
        ("non-bilious vomiting", "R11.14"),  # "non" denies the word it is joined to
        ("cardiopulmonary arrest", "Z65.3"),  # no arrest by the police
        ("VT storm", "X37"),  # no cataclysmic storm
        ("potential weakness against varus stress", "Z73.3"),  # a mechanical stress
        ("columella hanging", "T71"),  # a nose's shape, no asphyxiation
    ],
)
def test_a_short_word_inside_other_words_names_nothing_of_its_own(words: str, code: str) -> None:
    text = f"There was {words}."
    assert not any(c.startswith(code) for c in codes_of(finding(text, words)))


def test_a_methicillin_resistant_staphylococcus_aureus_is_mrsa() -> None:
    text = "Cultures grew methicillin-resistant Staphylococcus aureus."
    found = codes_of(finding(text, "methicillin-resistant Staphylococcus aureus"))
    assert found == ["B95.62"]  # not B95.61, the susceptible one


def test_a_collapse_of_the_patient_is_syncope_and_collapse() -> None:
    assert "R55" in codes_of(finding("She was seen after a collapse at home.", "collapse"))


def test_a_cardiopulmonary_arrest_is_a_cardiac_arrest() -> None:
    text = "He was admitted in cardiopulmonary arrest."
    assert codes_of(finding(text, "cardiopulmonary arrest")) == ["I46.9"]


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("spastic diplegia", "G80.1"),  # cerebral palsy, not Diplegia of upper limbs
        ("cervical carcinoma", "C53.9"),  # the cervix, not a neoplasm of unspecified site
        ("basal cell carcinoma", "C44.91"),  # a skin cancer wherever on the face
        ("adrenal adenoma", "D35.00"),
        # "non" is one word with what it denies: an NSTEMI is no STEMI.
        ("non-ST-segment elevation myocardial infarction", "I21.4"),
        ("non-ST elevation myocardial infarction", "I21.4"),
        ("ST-segment elevation myocardial infarction", "I21.3"),
        # A type named by the letter A is hepatitis A, not hepatitis.
        ("hepatitis A", "B15.9"),
        ("COVID-19 infection", "U07.1"),
        ("respiratory distress", "R06.03"),
        ("acute tubular injury", "N17.0"),
        ("T-wave inversion", "R94.31"),  # an ECG finding, no ventricular inversion
        # Index: Disease, peripheral, arterial I73.9; Leukemia, myeloid, chronic C92.1-;
        # Empyema, subdural G06.2 (no pleural J86.9); Fistula, coronary, arteriovenous I25.41.
        ("peripheral arterial disease", "I73.9"),
        ("chronic myeloid leukemia", "C92.10"),
        ("subdural empyema", "G06.2"),
        ("coronary artery fistula", "I25.41"),
        # Insufficiency, mitral I34.0, aortic I35.1 (Regurgitation: see Insufficiency);
        # Stenosis, mitral I05.0.
        ("mitral regurgitation", "I34.0"),
        ("aortic insufficiency", "I35.1"),
        ("mitral stenosis", "I05.0"),
        # Enlargement, spleen (see Splenomegaly) R16.1; lymph gland or node R59.9.
        ("enlarged spleen", "R16.1"),
        ("lymph node enlargement", "R59.9"),
        # Anemia, hemolytic, acquired D59.9: a case report's hemolysis is an acquired one;
        # Fistula, arteriovenous, brain I67.1 (a dural one lies within the skull), spinal none
        # (I77.0); Hypohidrosis L74.4; Bleeding, postcoital N93.0.
        ("hemolytic anemia", "D59.9"),
        ("dural arteriovenous fistula", "I67.1"),
        ("spinal dural arteriovenous fistula", "I77.0"),
        ("reduced sweating", "L74.4"),
        ("postcoital bleeding", "N93.0"),
        # Mass, abdominal R19.00; neck R22.1; chest (wall) R22.2; breast N63.0.
        ("abdominal mass", "R19.00"),
        ("neck mass", "R22.1"),
        ("chest wall mass", "R22.2"),
        ("breast mass", "N63.0"),
        # Steatosis, liver K76.0; Cyst, hydatid (Echinococcosis) B67.90, liver B67.8;
        # Pneumonia, Pneumocystis B59; Elevated, transaminase R74.01; Gallstone K80.20.
        ("hepatic steatosis", "K76.0"),
        ("hydatid cyst", "B67.90"),
        ("Pneumocystis pneumonia", "B59"),
        ("elevated transaminases", "R74.01"),
        ("gallstones", "K80.20"),
        # Damage, brain, anoxic G93.1 (no S06.9 injury); Poisoning, carbon monoxide T58.91-;
        # Injury, electrical (Effects, electric current) T75.4.
        ("anoxic brain injury", "G93.1"),
        ("carbon monoxide poisoning", "T58.91X"),
        ("electrical injury", "T75.4XX"),
    ],
)
def test_the_index_names_the_code_a_clinician_means(words: str, code: str) -> None:
    assert codes_of(finding(f"She had a {words}.", words)) == [code]


def test_a_phrase_widened_after_the_marked_words_is_coded_whole() -> None:
    # The model marked "hepatitis"; the phrase was widened over the "A" that names its type.
    text = "He had hepatitis A."
    mention = finding(text, "hepatitis A")
    marked = Span(start=mention.start, end=mention.start + len("hepatitis"))
    assert codes_of(mention.model_copy(update={"core": marked})) == ["B15.9"]


def test_chills_with_a_fever_are_the_fevers() -> None:
    chills = CaseCode(system=CodeSystem.ICD10CM, code="R68.83", display="Chills (without fever)")
    fever = CaseCode(system=CodeSystem.ICD10CM, code="R50.9", display="Fever, unspecified")
    assert contradicted([chills, fever]) == {"R68.83"}
    assert contradicted([chills]) == set()


def test_a_finding_named_again_with_fewer_words_shows_no_code_of_its_own() -> None:
    text = "He had lower back pain. The back pain was worse at night. He had hypertension and "
    text += "pulmonary hypertension."
    low, back = finding(text, "lower back pain"), finding(text, "back pain", number=2)
    essential = finding(text, "hypertension", number=3)
    pulmonary = finding(text, "pulmonary hypertension", number=4)

    def code(code: str, display: str, mention: Mention) -> CaseCode:
        return CaseCode(
            system=CodeSystem.ICD10CM, code=code, display=display, mentions=[mention.id]
        )

    codes = [
        code("M54.50", "Low back pain, unspecified", low),
        code("M54.9", "Dorsalgia, unspecified", back),
        code("I10", "Essential (primary) hypertension", essential),
        code("I27.20", "Pulmonary hypertension, unspecified", pulmonary),
    ]
    # Another disease of the same last word, whose title leaves nothing untold, stays.
    assert restated(codes, [low, back, essential, pulmonary]) == {"M54.9"}
    text = "There was pulmonary edema. The brain showed congestion and edema."
    lung, edema = finding(text, "pulmonary edema", number=5), finding(text, "edema", number=6)
    # A finding beside one told of a body part may be another part's: the brain's edema.
    sited = [
        code("J81.0", "Acute pulmonary edema", lung),
        code("R60.9", "Edema, unspecified", edema),
    ]
    assert restated(sited, [lung, edema]) == set()


def test_a_code_the_site_names_alone_is_no_code_of_the_finding() -> None:
    # "Accessory muscle" is a congenital malformation (Q79.8); using them is a sign of distress.
    text = "She was in respiratory distress using accessory muscles."
    distress = finding(text, "respiratory distress", site="accessory muscles")
    assert "Q79.8" not in codes_of(distress)


def test_a_sites_words_never_replace_part_of_the_name_the_finding_gives() -> None:
    # "ventricular tachycardia" leaves "sinus" out; a tachycardia of the ventricle is one.
    text = "ECG showed sinus tachycardia with left ventricular strain."
    sinus = finding(text, "sinus tachycardia", site="left ventricular")
    assert "I47.20" not in codes_of(sinus) and "R00.0" in codes_of(sinus)
    bare = finding("He had tachycardia of ventricular origin.", "tachycardia", site="ventricular")
    assert "I47.20" in codes_of(bare)


def test_a_pseudotumor_of_another_organ_is_no_pseudotumor_cerebri() -> None:
    text = "The metachronous pseudotumor of the liver was resected."
    assert "G93.2" not in codes_of(finding(text, "metachronous pseudotumor", site="liver"))
    assert "G93.2" in codes_of(finding("She had pseudotumor cerebri.", "pseudotumor cerebri"))


def test_a_code_whose_title_puts_the_finding_in_another_body_part_is_not_its_code() -> None:
    # "Exostosis" is an inclusion term of M27.8, Other specified diseases of jaws.
    text = "X-ray showed exostosis arising from the superior pubic rami."
    pubic = finding(text, "exostosis", site="superior pubic rami")
    assert "M27.8" not in codes_of(pubic)
    jaw = finding("There was an exostosis of the jaw.", "exostosis", site="jaw")
    assert "M27.8" in codes_of(jaw)


def test_a_femoral_neck_is_the_neck_of_the_femur() -> None:
    # "femoral" is read as "femur", as the titles word it; a neck alone is the cervical one.
    text = "She had a right femoral neck fracture."
    # The femur's side, untold by the mention, is coded unspecified; told, it is its own.
    assert codes_of(finding(text, "femoral neck fracture"))[0] == "S72.009"
    assert codes_of(finding(text, "right femoral neck fracture"))[0] == "S72.001"


def test_a_code_the_finding_names_itself_stays_though_its_detail_names_it_too() -> None:
    text = "A swab confirmed SARS-CoV-2 RNA, in keeping with COVID-19 infection."
    covid = finding(text, "COVID-19 infection", details=("SARS-CoV-2 RNA",))
    assert codes_of(covid) == ["U07.1"]


@pytest.mark.parametrize(
    ("words", "sex", "code"),
    [
        ("mammary carcinoma", Sex.FEMALE, "C50.919"),
        ("left breast carcinoma", Sex.FEMALE, "C50.912"),
        ("mammary carcinoma", Sex.MALE, "C50.929"),
        ("mammary carcinoma", None, "C50"),
    ],
)
def test_a_breast_cancer_is_coded_by_the_patients_sex_and_the_side_told(
    words: str, sex: Sex | None, code: str
) -> None:
    # C50.9 splits its unspecified site by sex, then by side: no coder assigns the category.
    text = f"Biopsy showed {words}."
    (found,) = link_mentions([finding(text, words)], CM, {}, 3, patient=Patient(sex=sex))
    assert found[0].code == code


@pytest.mark.parametrize(
    ("words", "age", "code"),
    [
        ("stuttering", 35, "F98.5"),  # Adult onset fluency disorder
        ("stuttering", 6, "F80.81"),  # Childhood onset fluency disorder, the Index's default
        ("stuttering", None, "F80.81"),
        ("Still's disease", 40, "M06.1"),  # Adult-onset Still's disease
        # P91.6- is the newborn's; an adult's hypoxic ischemic encephalopathy is anoxic damage.
        ("hypoxic ischemic encephalopathy", 50, "G93.1"),
    ],
)
def test_an_adults_disorder_of_childhood_onset_is_coded_as_of_adult_onset(
    words: str, age: float | None, code: str
) -> None:
    text = f"The patient had {words}."
    (found,) = link_mentions([finding(text, words)], CM, {}, 3, patient=Patient(age_years=age))
    assert found[0].code == code


@pytest.mark.parametrize(
    ("assertion", "codes"), [(Assertion.PRESENT, ["K68.3"]), (Assertion.UNCERTAIN, ["T14.8"])]
)
def test_a_finding_named_again_carries_the_codes_it_was_told_with(
    assertion: Assertion, codes: list[str]
) -> None:
    text = "CT showed a retroperitoneal hematoma. The size of the hematoma increased."
    first = finding(text, "hematoma", 1, assertion, site="retroperitoneal")
    start = text.rindex("hematoma")
    again = Mention(id="m2", start=start, end=start + 8, text="hematoma", type=first.type)
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=[first, again])
    linked = {"m1": [MentionCode("K68.3", 1.0)], "m2": [MentionCode("T14.8", 0.9)]}
    assert [c.code for c in told_before(case, [first, again], linked)["m2"]] == codes


@pytest.mark.parametrize(
    ("bare", "fuller", "codes"),
    [
        # Index: Detachment, retina, traction H33.4-; the bare words' default is H33.2-.
        ("retinal detachment", "tractional retinal detachment", ["H33.40"]),
        # A fuller name of another category is another disease: a rheumatic fever (I00) of
        # the past leaves today's fever R50.9.
        ("fever", "rheumatic fever", ["R50.9"]),
    ],
)
def test_bare_words_of_a_finding_the_case_tells_more_fully_carry_its_codes(
    bare: str, fuller: str, codes: list[str]
) -> None:
    text = f"She had {bare}; it was a {fuller}."
    named = [finding(text, bare, 1), finding(text, fuller, 2)]
    linked = linked_findings(case_of(text, named), named, CM, {}, 3)
    assert [c.code for c in linked["m1"]] == codes


def test_a_specialty_consulted_is_no_finding_of_the_patients() -> None:
    text = "Consultations included neurology, infectious disease, and hematology."
    disease = finding(text, "infectious disease")
    case = case_of(text, [disease]).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert coded_findings(case, {disease.type}) == []


def test_a_name_the_phrase_was_widened_over_before_the_core_names_the_code() -> None:
    text = "He suffered from Type 1 Diabetes."
    start = text.index("Type")
    core = text.index("Diabetes")
    diabetes = Mention(
        id="m1",
        start=start,
        end=core + 8,
        text=text[start : core + 8],
        type=EntityType.DISEASE_DISORDER,
        core=Span(start=core, end=core + 8),
    )
    (found,) = link_mentions([diabetes], CM, {}, 3)
    assert [c.code for c in found] == ["E10.9"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Her case was evaluated in a cancer board.", "cancer board"),
        (
            "It was changed on infectious disease recommendations.",
            "infectious disease recommendations",
        ),
        ("An infectious disease consultation was obtained.", "infectious disease consultation"),
        ("Infectious disease was involved, and tests were sent.", "Infectious disease"),
        ("She was referred to the Regional Cancer Center.", "Cancer"),
        ("Toxicity was graded by the National Cancer Institute criteria.", "Cancer"),
        ("Funding came from the National Institute of Neurologic Disease and Stroke.", "Stroke"),
    ],
)
def test_an_organisation_or_a_service_named_after_a_disease_is_no_finding(
    text: str, words: str
) -> None:
    named = finding(text, words)
    assert coded_findings(case_of(text, [named]), {named.type}) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("She had severe dysmenorrhea (pain score: 8/10).", "pain"),
        ("His Coma Scale was 15.", "Coma"),
        # The score within the mention's words.
        ("The full-mouth bleeding score was 15%.", "bleeding score"),
    ],
)
def test_what_a_score_measures_is_no_finding(text: str, words: str) -> None:
    named = finding(text, words)
    assert coded_findings(case_of(text, [named]), {named.type}) == []


def test_a_hematoma_is_an_injury_only_where_the_text_tells_of_trauma() -> None:
    # The Index's "Hematoma" is T14.8, an injury; a cerebellar hematoma of a cavernoma is none.
    linked = {"m1": [MentionCode("T14.8", 0.9)]}
    bleed = "A cranial CT scan showed a hematoma in the left cerebellar hemisphere."
    case = case_of(bleed, [finding(bleed, "hematoma")])
    assert not candidates(case, {"T14.8": {"linear": 0.5}}, linked, CM, SETTINGS)
    fall = "After a fall from a ladder, a hematoma was seen on the thigh."
    case = case_of(fall, [finding(fall, "hematoma")])
    assert [c.code for c in candidates(case, {"T14.8": {"linear": 0.5}}, linked, CM, SETTINGS)] == [
        "T14.8"
    ]


def test_a_finding_told_with_its_site_takes_no_learnt_code_of_unspecified_site() -> None:
    text = "A perinephric hematoma was seen."
    hematoma = finding(text, "perinephric hematoma", details=("perinephric",))
    at = text.index("hematoma")
    hematoma = hematoma.model_copy(update={"core": Span(start=at, end=at + len("hematoma"))})
    assert codes_of(hematoma, {"hematoma": {"T14.8": 0.9}}) == []


def test_edema_of_unspecified_site_gives_way_to_the_corneal_edema_told() -> None:
    text = "Slit-lamp examination showed corneal edema. Edema persisted for weeks."
    case = case_of(text, [finding(text, "corneal edema"), finding(text, "Edema", 2)])
    assert supported(case, {}) == {"H18.20"}


def test_an_organ_donors_fact_is_no_finding_of_the_patients() -> None:
    text = "She received a kidney from a deceased donor (DBD)."
    dbd = finding(text, "DBD").model_copy(update={"expansion": "donation after brain death"})
    assert coded_findings(case_of(text, [dbd]), {dbd.type}) == []


def test_a_structure_denied_after_a_finding_is_no_site_of_its_code() -> None:
    text = "Biopsy showed epithelioid granulomas, without Langhans giant cells."
    granuloma = finding(text, "granulomas", site="giant cells")
    (kept,) = coded_findings(case_of(text, [granuloma]), {granuloma.type})
    assert kept.attributes == [] and "M27.1" not in codes_of(kept)


def test_a_structure_told_unremarkable_after_a_finding_is_no_site_of_its_code() -> None:
    text = "It was a residual tubular adenoma with unremarkable margins and lymph nodes."
    adenoma = finding(text, "tubular adenoma", site="lymph nodes")
    (kept,) = coded_findings(case_of(text, [adenoma]), {adenoma.type})
    assert kept.attributes == [] and "D36.0" not in codes_of(kept)


def test_a_site_denied_after_a_spread_growth_is_none_of_its_sites() -> None:
    text = "A lymph node metastasis without peritoneal dissemination."
    growth = finding(text, "metastasis", site="peritoneal")
    (kept,) = coded_findings(case_of(text, [growth]), {growth.type})
    assert kept.attributes == []


def test_a_denial_before_a_finding_leaves_it_its_site() -> None:
    text = "No neck lymphadenopathy was found."
    nodes = finding(text, "lymphadenopathy", Assertion.NEGATED, site="neck")
    (kept,) = coded_findings(case_of(text, [nodes]), {nodes.type})
    assert [a.text for a in kept.attributes] == ["neck"]


@pytest.mark.parametrize(
    ("text", "site", "code"),
    [
        ("There was rectal bleeding.", "rectal", ["K62.5"]),
        ("He had nasal bleeding.", "nasal", ["R04.0"]),
        ("She had edema of the right ankle.", "right ankle", ["R60.0"]),
        ("There was bleeding from the surgical drain.", "surgical drain", []),
        # An organ's edema no code names is no localized edema.
        ("CT showed peripancreatic edema.", "peripancreatic", []),
    ],
)
def test_an_edema_or_bleeding_of_a_told_site_is_not_coded_as_of_unspecified_site(
    text: str, site: str, code: list[str]
) -> None:
    # Index: Hemorrhage, rectum K62.5; nose R04.0; Edema, legs R60.0.
    words = "edema" if "edema" in text else "bleeding"
    lexicon = {"bleeding": {"R58": 0.9}, "edema": {"R60.9": 0.9}}
    assert codes_of(finding(text, words, site=site), lexicon) == code


def test_a_hemorrhage_of_the_eye_is_no_retinal_hemorrhage() -> None:
    text = "Hemorrhage of the right eye was seen."
    assert codes_of(finding(text, "Hemorrhage", site="right eye")) == []


def test_a_thrombosis_of_a_named_deep_vein_is_coded_at_that_vein() -> None:
    # Index: Thrombosis, vein (acute), deep, popliteal I82.43-; femoral I82.41-.
    text = "Doppler showed a popliteal deep vein thrombosis and thrombosis of the femoral vein."
    assert codes_of(finding(text, "popliteal deep vein thrombosis"))[-1] == "I82.439"
    assert codes_of(finding(text, "thrombosis", site="femoral vein"))[-1] == "I82.419"


def test_a_traumatic_optic_neuropathy_is_an_injury_of_the_optic_nerve() -> None:
    # Index: Injury, nerve, optic S04.01-; no G62.9 Polyneuropathy.
    text = "After the fall, visual loss was due to traumatic optic neuropathy."
    assert codes_of(finding(text, "traumatic optic neuropathy")) == ["S04.019"]


def test_a_neuropathy_of_a_named_nerve_is_no_polyneuropathy() -> None:
    # G62.9 Polyneuropathy, unspecified, holds "Neuropathy NOS": not a neuropathy of the optic
    # nerve (H46-H47), while "peripheral neuropathy" names G62.9 itself.
    text = "She had optic neuropathy and peripheral neuropathy."
    assert "G62.9" not in codes_of(finding(text, "optic neuropathy"))
    assert codes_of(finding(text, "peripheral neuropathy")) == ["G62.9"]
    feet = "Neuropathy of both feet was found."
    assert codes_of(finding(feet, "Neuropathy", site="both feet")) == ["G62.9"]
    limb = "EMG showed a lower-limb sensory neuropathy."
    assert codes_of(finding(limb, "lower-limb sensory neuropathy")) == ["G62.9"]


def test_tuberculosis_of_a_named_site_outranks_the_bare_words_respiratory_one() -> None:
    # Index: Tuberculosis, meninges A17.0: the bare word's A15.9 gives way to it.
    case = case_of(
        "She had tuberculosis: tuberculous meningitis.",
        [
            finding("She had tuberculosis: tuberculous meningitis.", "tuberculosis", 1),
            finding("She had tuberculosis: tuberculous meningitis.", "tuberculous meningitis", 2),
        ],
    )
    found = supported(case, {})
    assert "A17.0" in found and "A15.9" not in found


def test_shocks_in_the_plural_are_a_devices_and_no_circulatory_shock() -> None:
    text = "He received multiple shocks from his AICD and later went into shock."
    assert codes_of(finding(text, "multiple shocks")) == []
    assert "R57.9" in codes_of(finding(text, "shock"))


def test_propionibacterium_acnes_is_no_acne() -> None:
    text = "Blood cultures grew Cutibacterium acnes; she had acne."
    assert codes_of(finding(text, "acnes")) == []
    assert "L70.9" in codes_of(finding(text, "acne"))


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Transfusion was needed for a fall in the hemoglobin level.", False),
        ("She had a fall in 1999 and broke her wrist.", True),
    ],
)
def test_a_fall_in_a_measure_is_no_fall_of_the_patients(text: str, kept: bool) -> None:
    fall = finding(text, "fall")
    after = text.index("hemoglobin") if "hemoglobin" in text else text.index("1999")
    measure = Mention(
        id="m2",
        start=after,
        end=after + 4,
        text=text[after : after + 4],
        type=EntityType.DIAGNOSTIC_PROCEDURE if "hemoglobin" in text else EntityType.DATE,
    )
    found = coded_findings(case_of(text, [fall, measure]), {fall.type})
    assert (found == [fall]) is kept


def test_a_side_named_beside_fewer_words_gives_no_second_vaguer_code() -> None:
    # "Unspecified fracture of right femur" names the side, "Fracture of neck of femur" more.
    text = "She had a right femoral neck fracture."
    assert codes_of(finding(text, "right femoral neck fracture")) == ["S72.001"]


def test_an_organs_part_is_not_the_part_its_noun_names_alone() -> None:
    # The femoral neck is the femur's: no S19.9 Unspecified injury of neck.
    text = "He had an injury of the femoral neck."
    assert codes_of(finding(text, "injury", site="femoral neck")) == []


@pytest.mark.parametrize(
    "text",
    ["He was an inactive carrier of hepatitis B.", "She was a hepatitis B virus carrier."],
)
def test_a_carrier_of_hepatitis_b_is_coded_as_its_carrier(text: str) -> None:
    # ICD-10-CM 2026: B18.1 includes "Carrier of viral hepatitis B" (Z22.5- is gone).
    hepatitis = finding(text, "hepatitis")
    linked = linked_findings(case_of(text, [hepatitis]), [hepatitis], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["B18.1"]


def test_a_bare_cancer_takes_its_site_from_the_words_before_it() -> None:
    # The mention model marks "Cancer" alone in a title's "Cervical Cancer".
    text = "Focal Reirradiation in Cervical Cancer"
    cancer = finding(text, "Cancer")
    linked = linked_findings(case_of(text, [cancer]), [cancer], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["C53.9"]


def test_the_splenic_flexure_is_the_colons_and_no_part_of_the_spleen() -> None:
    text = "A colon cancer was found in the splenic flexure."
    codes = codes_of(finding(text, "colon cancer", site="splenic flexure"))
    assert "C18.5" in codes and "C26.1" not in codes


def test_an_old_cerebral_infarction_is_a_history_of_one_and_no_acute_infarction() -> None:
    # History, personal, cerebral infarction without residual deficits Z86.73; I63 is acute.
    text = "MRI revealed an old cerebral infarction in the right frontal lobe."
    infarction = finding(text, "cerebral infarction")
    linked = linked_findings(case_of(text, [infarction]), [infarction], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["Z86.73"]


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        (
            "Patients who presented brain metastasis will have a poor prognosis.",
            "brain metastasis",
            False,
        ),
        (
            "About 40% to 45% of oropharyngeal carcinomas are HPV-positive.",
            "oropharyngeal carcinomas",
            False,
        ),
        ("In 30% of patients with sarcoidosis, uveitis develops.", "uveitis", False),
        ("About 50% of the tumor was necrotic.", "tumor", True),
    ],
)
def test_a_finding_of_patients_in_general_or_of_a_share_of_them_is_no_finding(
    text: str, words: str, kept: bool
) -> None:
    named = finding(text, words)
    assert bool(coded_findings(case_of(text, [named]), {named.type})) is kept


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "She was heterozygous for the ataxia-telangiectasia mutated (ATM) gene.",
            "ataxia-telangiectasia mutated",
        ),
        ("A colorectal cancer gene panel was negative.", "colorectal cancer"),
    ],
)
def test_a_gene_a_finding_names_is_no_finding(text: str, words: str) -> None:
    named = finding(text, words)
    assert coded_findings(case_of(text, [named]), {named.type}) == []


@pytest.mark.parametrize(
    ("words", "code"),
    [("stroke-like episodes", None), ("seizure-like activity", None), ("shock-like pain", "R52")],
)
def test_what_a_finding_is_likened_to_is_no_finding(words: str, code: str | None) -> None:
    codes = codes_of(finding(f"She had {words}.", words))
    assert codes == ([code] if code else [])


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("The arch was repaired under moderate hypothermia.", "moderate hypothermia", False),
        ("Deep hypothermic circulatory arrest was used.", "hypothermic", False),
        ("He was found in the snow with severe hypothermia.", "severe hypothermia", True),
        ("Bypass (CPB) was begun with mild hypothermia (34 °C).", "mild hypothermia", False),
        ("Mild hypothermia therapy was started at once.", "Mild hypothermia", False),
        ("His accidental hypothermia was rewarmed on CPB.", "hypothermia", True),
        ("The fundus was seen after pharmacological mydriasis.", "mydriasis", False),
        ("She had self-induced vomiting.", "self-induced vomiting", True),
        ("Cardiac arrest was achieved using antegrade cardioplegia.", "Cardiac arrest", False),
        ("He suffered a cardiac arrest.", "cardiac arrest", True),
    ],
)
def test_a_state_a_treatment_brings_about_is_no_finding(text: str, words: str, kept: bool) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        ("He had secondary hypertension.", "hypertension", "I15.9"),
        ("She had essential thrombocythemia.", "thrombocythemia", "D47.3"),
        ("He had hereditary angioedema.", "angioedema", "D84.1"),
        ("She had thrombocythemia.", "thrombocythemia", "D75.839"),
        # Index: Block, heart, first degree I44.0; third degree I44.2.
        ("The ECG showed a new first-degree heart block.", "heart block", "I44.0"),
        ("The ECG showed third degree heart block.", "heart block", "I44.2"),
        ("X-rays showed a proximal humerus fracture.", "humerus fracture", "S42.209"),
        ("He had poorly controlled type 1 diabetes mellitus.", "diabetes mellitus", "E10.9"),
        ("He had diabetes mellitus type 1 since childhood.", "diabetes mellitus", "E10.9"),
        # Index: Disorder, depressive, major F32.9.
        ("She had major depressive disorder.", "depressive disorder", "F32.9"),
        ("It was an extranodal marginal zone B-cell lymphoma.", "B-cell lymphoma", "C88.40"),
    ],
)
def test_a_kind_told_right_before_a_finding_names_its_code(
    text: str, words: str, code: str
) -> None:
    mention = finding(text, words)
    (found,) = linked_findings(case_of(text, [mention]), [mention], CM, {}, 3).values()
    assert code in [c.code for c in found]


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("Diseases such as multiple myeloma and lymphoma were considered.", "lymphoma", False),
        ("Defects such as Fanconi syndrome or cystinosis were excluded.", "cystinosis", False),
        ("Complications such as liver abscess have also been reported.", "liver abscess", False),
        # A list's closing "etc." ends no sentence.
        (
            "Causes such as sepsis or defects (factor V Leiden, etc.) were ruled out.",
            "sepsis",
            False,
        ),
        ("She had symptoms such as fever and cough.", "cough", True),
        ("Symptoms such as headache were reported by the patient.", "headache", True),
    ],
)
def test_examples_of_a_class_then_set_aside_are_no_findings(
    text: str, words: str, kept: bool
) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Labor began at 34 weeks of amenorrhea.", False),
        ("She came with 8 weeks amenorrhoea and bleeding.", False),
        ("She had amenorrhea of 6 weeks.", False),
        ("She had amenorrhea for 6 months.", True),
    ],
)
def test_an_amenorrhea_counted_in_weeks_is_a_pregnancys_age(text: str, kept: bool) -> None:
    words = "amenorrhoea" if "amenorrhoea" in text else "amenorrhea"
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


@pytest.mark.parametrize(
    ("site", "code"),
    [
        # Thrombosis, sinus, intracranial venous, nonpyogenic I67.6; the plural told too.
        ("superior sagittal sinus", "I67.6"),
        ("superior sagittal and right transverse sinuses", "I67.6"),
    ],
)
def test_a_cerebral_venous_sinus_thrombosis_is_no_limb_veins(site: str, code: str) -> None:
    text = f"There was thrombosis of the {site}."
    assert codes_of(finding(text, "thrombosis", site=site))[0] == code


@pytest.mark.parametrize(
    ("text", "words", "site", "code"),
    [
        # Fracture, pathological, due to osteoporosis M80.0-; insufficiency, see pathological.
        ("An osteoporotic vertebral compression fracture after a fall.",
         "osteoporotic vertebral compression fracture", None, "M80.08"),
        ("A fragility fracture of the right femur after a fall.", "fragility fracture",
         "right femur", "M80.051"),
        # The category's title says "femur", its inclusion term "of hip"; the side is told.
        ("A fragility fracture of the right hip after a fall.", "fragility fracture",
         "right hip", "M80.051"),
        ("A sacral insufficiency fracture after a fall.", "insufficiency fracture", None,
         "M84.4"),
        # Fracture, spontaneous (see Fracture, pathological).
        ("After a fall, a spontaneous fracture of the left femur.", "spontaneous fracture",
         "left femur", "M84.452"),
    ],
)  # fmt: skip
def test_a_fracture_of_no_injury_is_coded_as_no_injury(
    text: str, words: str, site: str | None, code: str
) -> None:
    codes = codes_of(finding(text, words, site=site))
    assert codes[0] == code
    assert not any(c.startswith(("S", "T")) for c in codes)


@pytest.mark.parametrize(
    ("words", "code"),
    [
        # Clonus R25.8 (no R56.9 convulsions); Frey's syndrome (gustatory sweating) L74.52,
        # no R61 generalized; Kikuchi's histiocytic necrotizing lymphadenitis I88.8; a biloma
        # of the biliary tract K83.8; a subcutaneous emphysema not told traumatic (T79.7) is
        # interstitial, J98.2, never J43.9 of the lung.
        ("clonus", "R25.8"),
        ("gustatory sweating", "L74.52"),
        ("Kikuchi-Fujimoto disease", "I88.8"),
        ("biloma", "K83.8"),
        ("subcutaneous emphysema", "J98.2"),
        # Nephritis, tubulo-interstitial N12 (the title's hyphen, the reports' one word);
        # Disease, lung, interstitial J84.9 (no J98.4: the title says "pulmonary");
        # Glomerulonephritis, acute N00.9; Arteritis, temporal M31.6; Hemorrhage, subretinal
        # (see retina) H35.6-; Cataract, nuclear H25.1-; Transplant(ed) (status), kidney
        # Z94.0 (no T86.11 rejection).
        ("tubulointerstitial nephritis", "N12"),
        ("interstitial lung disease", "J84.9"),
        ("acute glomerulonephritis", "N00.9"),
        ("temporal arteritis", "M31.6"),
        ("subretinal hemorrhage", "H35.60"),
        ("nuclear cataract", "H25.10"),
        ("kidney transplant", "Z94.0"),
        # Emphysema, surgical T81.82; Dysplasia, fibromuscular, artery I77.3; Infection,
        # urinary N39.0 (no B99.9).
        ("soft tissue emphysema", "J98.2"),
        ("surgical emphysema", "T81.82X"),
        ("fibromuscular dysplasia", "I77.3"),
        ("urine infection", "N39.0"),
        # Takayasu's disease M31.4 (the title's bracketed eponym); Aneurysm, dissecting, aorta
        # (see Dissection, aorta) I71.0-.
        ("Takayasu's arteritis", "M31.4"),
        ("dissecting aortic aneurysm", "I71.00"),
        # Cryptorchidism Q53.9, bilateral Q53.2-; Hematuria, gross R31.0 (macroscopic, frank).
        ("cryptorchidism", "Q53.9"),
        ("bilateral cryptorchidism", "Q53.20"),
        ("macroscopic hematuria", "R31.0"),
        # Loss, vision (visual) H54.7: the title's "visual", the reports' "vision".
        ("vision loss", "H54.7"),
        ("loss of vision", "H54.7"),
        # Encephalitis, herpes, herpesviral B00.4 (the organism's combination code, no G04.90
        # beside B00.9); Aneurysm, heart, ventricle I25.3 (no I72.9 of unspecified site);
        # Paresis (see Paralysis), facial G51.0 (no G83.9 paralytic syndrome); a central one is
        # a Weakness, facial R29.810.
        ("HSV encephalitis", "B00.4"),
        ("herpes simplex encephalitis", "B00.4"),
        ("left ventricular aneurysm", "I25.3"),
        ("inferior wall aneurysm", "I25.3"),
        ("facial paresis", "G51.0"),
        ("facial paralysis", "G51.0"),
        ("central facial paresis", "R29.810"),
        # The organism named beside the disease takes the Index's combination code:
        # Pneumonia, streptococcal J15.4; Colitis, cytomegaloviral B25.8; Esophagitis,
        # candidal B37.81; Chorioretinitis, toxoplasma B58.01; Herpes zoster, ophthalmicus
        # B02.30; Keratitis, herpetic B00.52 (no J18.9, K52.9, K20.9, H30.9, B02.9, H16.9).
        ("streptococcal pneumonia", "J15.4"),
        ("CMV colitis", "B25.8"),
        ("candida esophagitis", "B37.81"),
        ("toxoplasma retinochoroiditis", "B58.01"),
        ("herpes zoster ophthalmicus", "B02.30"),
        ("HSV keratitis", "B00.52"),
    ],
)
def test_the_index_names_these_findings(words: str, code: str) -> None:
    assert codes_of(finding(f"She had {words}.", words)) == [code]


def test_a_fractured_incisor_is_a_fractured_tooth() -> None:
    text = "After the fall, a crown fracture of the upper central incisor was seen."
    fracture = finding(text, "crown fracture", site="upper central incisor")
    assert codes_of(fracture)[0] == "S02.5"


def test_an_epidermoid_cyst_is_no_cyst_of_the_mouth() -> None:
    # K09.8's inclusion term; the report's epidermoid cyst is as often of the spine or testis.
    assert codes_of(finding("Histology confirmed an epidermoid cyst.", "epidermoid cyst")) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("A code stroke was activated on arrival.", "stroke"),
        ("He came in as a trauma activation.", "trauma activation"),
        ("A stroke alert was called.", "stroke"),
    ],
)
def test_a_hospital_alert_is_no_finding(text: str, words: str) -> None:
    named = finding(text, words)
    assert coded_findings(case_of(text, [named]), {named.type}) == []


def test_the_evidence_of_a_code_is_the_findings_whole_name() -> None:
    # The mention model marks "capitis" and, apart, the site "tinea": B35.0 is named by both.
    text = "The child had tinea capitis."
    case = case_of(text, [finding(text, "capitis", site="tinea")])
    (found,) = [c for c in candidates(case, {}, linked_of(case), CM, SETTINGS) if c.code == "B35.0"]
    assert [text[e.start : e.end] for e in found.evidence] == ["tinea capitis"]


def test_a_sweating_told_at_its_site_is_no_generalized_hyperhidrosis() -> None:
    text = "There was sweating of the palms."
    assert codes_of(finding(text, "sweating", site="palms")) == []


def test_a_fractures_callus_is_no_skin_callosity() -> None:
    text = "Radiographs showed bridging hard callus at the fracture site."
    assert codes_of(finding(text, "bridging hard callus")) == []
    assert codes_of(finding("She had a callus on the sole.", "callus")) == ["L84"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Neurologic lesions that mimic glaucoma.", "mimic glaucoma"),
        ("A liver hemangioma mimicking acute appendicitis.", "acute appendicitis"),
        ("The lesion resembled a lipoma.", "lipoma"),
        ("Some skin lesions were similar to neurofibromatosis type 1.", "neurofibromatosis type 1"),
        ("Ovarian cystadenofibroma: a masquerader of malignancy.", "malignancy"),
        ("At onset he was misdiagnosed with cellulitis.", "cellulitis"),
        ("The diagnosis was corrected from thyroid adenoma to carcinoma.", "thyroid adenoma"),
    ],
)
def test_what_a_finding_is_likened_to_is_no_finding_of_the_patients(text: str, words: str) -> None:
    named = finding(text, words)
    assert coded_findings(case_of(text, [named]), {named.type}) == []


@pytest.mark.parametrize(
    ("words", "site", "code"),
    [
        # Adenoma, cystadenoma: see Neoplasm, benign, by site.
        ("pituitary adenoma", None, "D35.2"),
        ("villous adenoma", "rectum", "D12.8"),
        ("mucinous cystadenoma", "ovary", "D27"),
        ("adenoma", None, "D36.9"),
    ],
)
def test_an_adenoma_is_a_benign_neoplasm_of_its_site(
    words: str, site: str | None, code: str
) -> None:
    text = f"There was a {words} of the {site or 'patient'}."
    assert codes_of(finding(text, words, site=site))[0] == code


@pytest.mark.parametrize(
    ("text", "words", "coded"),
    [
        ("Pain sensation was decreased in both legs.", "Pain sensation", False),
        ("There was symmetrical pain sensation.", "symmetrical pain sensation", False),
        ("She had pain and a burning sensation in her feet.", "pain", True),
    ],
)
def test_a_sense_an_examination_tests_is_no_pain(text: str, words: str, coded: bool) -> None:
    assert bool(codes_of(finding(text, words))) == coded


@pytest.mark.parametrize(
    ("text", "words", "structure", "code"),
    [
        # Carcinoma, metastatic (see Neoplasm, secondary, by site); Neoplasm, lymph gland,
        # secondary, axillary C77.3; a node beside a growth not told spread gives it no site.
        ("Lung lesions were consistent with metastatic cancer.", "metastatic cancer", "Lung",
         "C78.00"),
        ("A cervical lymph node showed squamous cell carcinoma.", "squamous cell carcinoma",
         "cervical lymph node", None),
        ("An axillary lymph node held metastatic adenocarcinoma.", "metastatic adenocarcinoma",
         "axillary lymph node", "C77.3"),
        ("The lung mass was a primary adenocarcinoma.", "primary adenocarcinoma", "lung mass",
         "C34.90"),
    ],
)  # fmt: skip
def test_a_malignant_growth_spread_to_a_structure_is_a_secondary_growth_there(
    text: str, words: str, structure: str, code: str | None
) -> None:
    (found,) = link_mentions([finding(text, words)], CM, {}, 3, {"m1": [structure]})
    assert [c.code for c in found] == ([code] if code else [])


@pytest.mark.parametrize(
    ("words", "code"),
    [
        # Neoplasm, nasopharynx C11.9, hypopharynx C13.9; Cellulitis, orbit H05.01-: the
        # reports' adjective, the titles' noun (no C80.1 of unspecified site, no L03.90).
        ("nasopharyngeal carcinoma", "C11.9"),
        ("hypopharyngeal carcinoma", "C13.9"),
        ("orbital cellulitis", "H05.019"),
    ],
)
def test_a_sites_adjective_names_the_code_its_noun_does(words: str, code: str) -> None:
    assert code in codes_of(finding(f"She had {words}.", words))


def test_a_finding_told_on_both_sides_takes_no_one_side_from_another_site() -> None:
    text = "PET showed metastasis on the bilateral lungs and right supraclavicular nodes."
    metastasis = finding(text, "metastasis", site="bilateral lungs")
    at = text.index("right supraclavicular")
    other = Attribute(name="site", start=at, end=at + 21, text="right supraclavicular")
    both = metastasis.model_copy(update={"attributes": [*metastasis.attributes, other]})
    assert codes_of(both) == ["C78.00"]


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("The most common benign lesion of the spleen is a hemangioma.", "hemangioma", False),
        ("He got cefazolin, a drug approved for the treatment of cellulitis.", "cellulitis", False),
        ("She had a hemangioma of the spleen.", "hemangioma", True),
    ],
)
def test_a_finding_named_in_general_or_as_a_drugs_indication_is_no_finding_of_the_patients(
    text: str, words: str, kept: bool
) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


@pytest.mark.parametrize(
    ("text", "words", "concept", "kept"),
    [
        ("His heart rate increased to 82 beats/min.", "heart rate increased", "HP:0001649", False),
        ("She had fever 36.2 °C.", "fever", "HP:0001945", False),
        ("She had fever 38.9 °C.", "fever", "HP:0001945", True),
    ],
)
def test_a_rise_that_its_value_within_normal_gainsays_is_no_finding_of_the_patients(
    text: str, words: str, concept: str, kept: bool
) -> None:
    named = finding(text, words).model_copy(
        update={"codes": [Code(system=CodeSystem.HPO, code=concept, score=1.0)]}
    )
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


def test_a_growth_named_by_the_adjective_of_its_organ_takes_the_organs_code() -> None:
    # The Neoplasm Table's "urachus" (C67.7), said as its adjective: no site left unspecified.
    text = "She had brain metastasis from urachal carcinoma."
    assert codes_of(finding(text, "urachal carcinoma")) == ["C67.7"]


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("A painkiller was needed to help him fall asleep.", "fall", False),
        ("He had difficulty falling asleep.", "difficulty falling asleep", False),
        ("He had a fall at home.", "fall", True),
    ],
)
def test_falling_asleep_is_no_fall(text: str, words: str, kept: bool) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("Blood cultures grew Klebsiella pneumonia.", "Klebsiella pneumonia", False),
        ("The urine grew K. pneumonia sensitive to gentamicin.", "pneumonia", False),
        ("He was treated for Klebsiella pneumonia.", "Klebsiella pneumonia", True),
        ("Blood cultures were negative; he had lobar pneumonia.", "lobar pneumonia", True),
    ],
)
def test_an_organism_a_test_found_with_its_species_written_as_the_disease_is_no_finding(
    text: str, words: str, kept: bool
) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


def test_klebsiella_pneumonia_takes_the_index_code_of_its_organism() -> None:
    # Index: Pneumonia, Klebsiella (pneumoniae) J15.0.
    text = "He was treated for Klebsiella pneumonia."
    assert "J15.0" in codes_of(finding(text, "Klebsiella pneumonia"))


@pytest.mark.parametrize(
    ("words", "code"),
    [
        # Index: Leukemia, chronic lymphocytic C91.1-; Lymphoma, small lymphocytic C83.0-.
        ("chronic lymphocytic leukemia", "C91.10"),
        ("CLL", "C91.10"),
        ("small lymphocytic lymphoma", "C83.00"),
    ],
)
def test_a_lymphoid_neoplasm_takes_its_index_code(words: str, code: str) -> None:
    text = f"She had {words}."
    assert code in codes_of(finding(text, words))


@pytest.mark.parametrize(
    ("text", "after", "kept"),
    [
        ("He had an irritable cough.", "cough", False),
        ("She had an irritable bowel.", "bowel", False),
        ("He was irritable and had a cough.", "cough", True),
    ],
)
def test_irritable_before_what_it_qualifies_is_no_irritability(
    text: str, after: str, kept: bool
) -> None:
    # Index: Irritable, irritability R45.4; bowel K58.9, bladder N32.89: other conditions.
    adjective = finding(text, "irritable").model_copy(update={"expansion": "irritability"})
    other = finding(text, after, 2)
    if after == "bowel":
        other = other.model_copy(update={"type": EntityType.BIOLOGICAL_STRUCTURE})
    found = coded_findings(case_of(text, [adjective, other]), {adjective.type})
    assert (adjective in found) is kept


@pytest.mark.parametrize(
    ("text", "sites", "code"),
    [
        ("He had back pain in the kidney region.", ("back", "kidney region"), "M54.9"),
        ("There was percussion pain in the right kidney region.", ("kidney region",), "R52"),
        ("He had pain in the epigastric region.", ("epigastric region",), "R10.13"),
    ],
)
def test_an_organs_region_where_a_pain_is_felt_is_no_disease_of_the_organ(
    text: str, sites: tuple[str, ...], code: str
) -> None:
    pain = finding(text, "pain")
    located = [
        Attribute(name="site", start=text.index(s), end=text.index(s) + len(s), text=s)
        for s in sites
    ]
    # Index: Pain, kidney N23 (renal colic): a pain of the kidney, not of the body over it.
    assert codes_of(pain.model_copy(update={"attributes": located})) == [code]


@pytest.mark.parametrize(
    ("mass", "codes"),
    [
        ("A mass", ["C16.2"]),
        # Several lesions may be where a growth spread: the site stays untold.
        ("Multiple lesions", ["C80.1"]),
    ],
)
def test_a_growth_named_without_its_site_is_of_the_one_mass_told_just_before(
    mass: str, codes: list[str]
) -> None:
    text = f"{mass} was found in the gastric body. Biopsy showed an adenocarcinoma."
    first = Span(start=0, end=text.index(" Biopsy"))
    found = finding(text, mass.split()[-1].lower() if mass == "A mass" else "lesions", 2)
    tumour = finding(text, "adenocarcinoma")
    body = structure(text, "gastric body", 3)
    case = case_of(text, [tumour, found, body]).model_copy(
        update={"sentences": [first, Span(start=first.end + 1, end=len(text))]}
    )
    nearby = sentence_structures(case, [tumour, found])
    grown = sentence_structures(case, [tumour, found], listed_apart=True)
    (coded, _) = link_mentions([tumour, found], CM, {}, 3, nearby, growth_nearby=grown)
    assert [c.code for c in coded] == codes


def test_the_structure_a_finding_is_told_of_is_its_site() -> None:
    text = "Thrombosis of the hepatic artery with extension was found."
    thrombosis = finding(text, "Thrombosis")
    extension = finding(text, "extension", 2, site="hepatic artery")
    artery = structure(text, "hepatic artery", 3)
    case = case_of(text, [thrombosis, artery, extension])
    (told, _) = coded_findings(case, {EntityType.SIGN_SYMPTOM})
    # The mention model tied the artery to "extension": the thrombosis is still of it.
    assert [a.text for a in told.attributes if a.name == "site"] == ["hepatic artery"]


@pytest.mark.parametrize(
    ("site", "code"),
    [
        # Tabular, C83.3-: 1 lymph nodes of head, face and neck; 9 extranodal and solid organ
        # sites (C83.390 primary of the central nervous system, C83.398 other); 7 spleen.
        ("cervical lymph nodes", "C83.31"),
        ("stomach", "C83.398"),
        ("brain", "C83.390"),
        ("spleen", "C83.37"),
    ],
)
def test_a_lymphoma_told_at_its_site_is_no_lymphoma_of_unspecified_site(
    site: str, code: str
) -> None:
    text = f"Biopsy showed diffuse large B-cell lymphoma of the {site}."
    lymphoma = finding(text, "diffuse large B-cell lymphoma", site=site)
    assert code in codes_of(lymphoma)
    assert "C83.30" not in codes_of(lymphoma)


def test_a_lobe_told_by_its_short_form_tells_its_side() -> None:
    text = "PET showed malignancies at LUL of lung, and right iliac lymph nodes."
    growth = finding(text, "malignancies", site="LUL")
    lung = Attribute(name="site", start=text.index("lung"), end=text.index("lung") + 4, text="lung")
    nodes = "right iliac lymph nodes"
    at = text.index(nodes)
    far = Attribute(name="site", start=at, end=at + len(nodes), text=nodes)
    growth = growth.model_copy(update={"attributes": [*growth.attributes, lung, far]})
    # The left lobe and the right nodes tell no one side: no C34.91 of the right lung.
    assert "C34.91" not in codes_of(growth)


def test_two_findings_side_by_side_naming_one_disorder_are_coded_as_it() -> None:
    text = "Stage IVB mycosis fungoides was treated."
    mycosis, fungoides = finding(text, "mycosis"), finding(text, "fungoides", 2)
    case = case_of(text, [mycosis, fungoides])
    linked = linked_findings(case, [mycosis, fungoides], CM, {}, 3)
    # Index: Mycosis, fungoides C84.0-, no B49 Unspecified mycosis.
    assert [c.code for c in linked["m1"]][-1] == "C84.00"
    assert linked["m2"] == []


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("He was found to be hepatitis B positive and HIV negative.", "hepatitis B", False),
        ("She was HIV-positive, with a low CD4 count.", "HIV", False),
        ("He had chronic hepatitis B.", "chronic hepatitis B", True),
        ("She had ANCA positive vasculitis.", "vasculitis", True),
    ],
)
def test_a_test_found_positive_for_a_disease_is_no_disease(
    text: str, words: str, kept: bool
) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


@pytest.mark.parametrize(
    ("words", "code"),
    [
        # Index: Aneurysm, aorta, abdominal I71.40, ruptured I71.30; ascending I71.21;
        # brain I67.1 (the titles' "without rupture" and "nonruptured" are their defaults).
        ("abdominal aortic aneurysm", "I71.40"),
        ("ascending aortic aneurysm", "I71.21"),
        ("cerebral aneurysm", "I67.1"),
        ("ruptured abdominal aneurysm", "I71.30"),
        # Index: Arrhythmia, sinus I49.8; Edema, lung, acute J81.0; Thrombosis, portal I81.
        ("sinus arrhythmia", "I49.8"),
        ("re-expansion pulmonary edema", "J81.0"),
        ("portomesenteric venous thrombosis", "I81"),
        # Neoplasm Table: junction, gastroesophageal C16.0; anus, canal C21.1.
        ("esophagogastric junction adenocarcinoma", "C16.0"),
        ("EGJ cancer", "C16.0"),
        ("anal canal melanoma", "C21.1"),
        # Index: Necrosis, skin or subcutaneous tissue NEC I96; Scar (of the skin) L90.5.
        ("skin necrosis", "I96"),
        ("laparotomy scar", "L90.5"),
        # Index: Obesity, morbid E66.01; Epilepsy, localization-related (focal) (partial),
        # symptomatic G40.109; acute lung injury, the mild acute respiratory distress syndrome.
        ("morbid obesity", "E66.01"),
        ("focal epilepsy", "G40.109"),
        ("acute lung injury", "J80"),
    ],
)
def test_an_index_name_names_its_default_code(words: str, code: str) -> None:
    codes = codes_of(finding(f"She had {words}.", words))
    assert [c for c in codes if CM.is_billable(c)] == [code]


def test_an_aneurysm_told_ruptured_in_its_sentence_is_no_unruptured_one() -> None:
    text = "A hemothorax was due to rupture of a saccular aneurysm of the aortic arch."
    aneurysm = finding(text, "saccular aneurysm", site="aortic arch")
    linked = linked_findings(case_of(text, [aneurysm]), [aneurysm], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["I71.12"]


@pytest.mark.parametrize(
    ("text", "words", "assertion", "codes"),
    [
        (
            "She had a history of ischemic heart disease.",
            "ischemic heart disease",
            Assertion.HISTORICAL,
            {"I25.9"},
        ),
        ("He is an ex-smoker.", "ex-smoker", Assertion.PRESENT, {"Z87.891"}),
        ("She denied cocaine abuse.", "denied cocaine abuse", Assertion.PRESENT, set()),
    ],
)
def test_a_history_mention_no_finding_lies_within_names_its_finding_by_all_its_words(
    text: str, words: str, assertion: Assertion, codes: set[str]
) -> None:
    told = finding(text, words, assertion=assertion).model_copy(update={"type": EntityType.HISTORY})
    case = case_of(text, [told])
    linked = linked_findings(case, coded_findings(case, SETTINGS.mention_types), CM, {}, 3)
    assert {c.code for c in candidates(case, {}, linked, CM, SETTINGS)} == codes


@pytest.mark.parametrize(
    ("text", "words", "codes"),
    [
        ("Echo showed depression of left ventricular systolic function.", "depression", []),
        ("She had depression.", "depression", ["F32.A"]),
    ],
)
def test_a_depression_of_something_is_no_depression_of_the_mind(
    text: str, words: str, codes: list[str]
) -> None:
    told = finding(text, words)
    linked = linked_findings(case_of(text, [told]), [told], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == codes


def test_an_item_of_a_list_told_ruled_out_is_no_finding() -> None:
    text = "Causes of fever were ruled out, including malaria, mastocytosis and vasculitis."
    named = finding(text, "vasculitis")
    assert coded_findings(case_of(text, [named]), {named.type}) == []


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        # Index: Septicemia — see Sepsis; Sepsis, candidal B37.7, no A41.9 of no organism.
        ("Candida tropicalis septicaemia developed.", "Candida tropicalis septicaemia", "B37.7"),
        # Index: Shock, septic R65.21, no R57.9 Shock, unspecified.
        ("He went into septicemic shock.", "septicemic shock", "R65.21"),
    ],
)
def test_a_septicaemia_is_read_as_the_indexs_sepsis(text: str, words: str, code: str) -> None:
    assert codes_of(finding(text, words))[0] == code


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Brain CT showed ventricular dilatation.", []),
        ("Echocardiography showed ventricular dilatation.", ["I51.7"]),
    ],
)
def test_a_ventricles_dilatation_is_the_hearts_only_where_the_sentence_is_not_of_the_brain(
    text: str, codes: list[str]
) -> None:
    mention = finding(text, "ventricular dilatation")
    case = case_of(text, [mention]).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert [c.code for c in linked_findings(case, [mention], CM, {}, 3)["m1"]] == codes


def test_an_aneurysm_told_at_a_site_no_code_names_is_of_no_unspecified_site() -> None:
    # I72.9 Aneurysm of unspecified site would say the text does not tell where.
    text = "MR venography revealed an aneurysm of the common facial vein."
    assert codes_of(finding(text, "aneurysm", site="common facial vein")) == []
    text = "A splenic artery aneurysm was found."
    assert codes_of(finding(text, "aneurysm", site="splenic artery")) == ["I72.8"]


@pytest.mark.parametrize(
    ("text", "words", "codes"),
    [
        # The mention model leaves out the word closing the name: "thalassemia" alone is D56.9.
        ("The patient had thalassemia minor.", "thalassemia", ["D56.3"]),
        ("The thalassemia improved.", "thalassemia", ["D56", "D56.9"]),
    ],
)
def test_a_finding_is_read_with_the_word_closing_its_name_after_it(
    text: str, words: str, codes: list[str]
) -> None:
    mention = finding(text, words)
    case = case_of(text, [mention]).model_copy(update={"sentences": [Span(start=0, end=len(text))]})
    assert [c.code for c in linked_findings(case, [mention], CM, {}, 3)["m1"]] == codes


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        (
            "After vincristine she had vincristine-induced peripheral neuropathy.",
            "vincristine-induced peripheral neuropathy",
            "G62.0",
        ),
        ("She had chemotherapy-induced neuropathy.", "neuropathy", "G62.0"),
        # The words name a code in full: Heparin induced thrombocytopenia, D75.82.
        (
            "After heparin she had heparin-induced thrombocytopenia.",
            "heparin-induced thrombocytopenia",
            "D75.82",
        ),
        # Stress is no drug: Takotsubo syndrome.
        ("She had stress-induced cardiomyopathy.", "stress-induced cardiomyopathy", "I51.81"),
    ],
)
def test_a_finding_a_drug_induced_is_coded_drug_induced(text: str, words: str, code: str) -> None:
    mentions = [finding(text, words)]
    if "After" in text:
        drug = text.split()[1]
        start = text.index(drug)
        mentions.append(
            Mention(
                id="m2",
                start=start,
                end=start + len(drug),
                text=drug,
                type=EntityType.MEDICATION,
                assertion=Assertion.PRESENT,
            )
        )
    linked = linked_findings(case_of(text, mentions), mentions[:1], CM, {}, 3)
    assert [c.code for c in linked["m1"]][0] == code


@pytest.mark.parametrize(
    ("words", "site", "code"),
    [
        # Index: Aneurysm, brain I67.1 (a communicating artery is of the circle of Willis).
        ("aneurysm", "posterior communicating artery", "I67.1"),
        ("aneurysm", "anterior communicating artery", "I67.1"),
        # Index: Lymphoma, marginal zone (extranodal) C88.4-; nodal, splenic C83.0-.
        ("marginal zone lymphoma", None, "C88.40"),
        ("splenic marginal zone lymphoma", None, "C83.0"),
        # Tabular D68.62 Excludes1: lupus anticoagulant (LAC) finding without diagnosis (R76.0).
        ("positive lupus anticoagulant", None, "R76.0"),
        # Index: Fracture, radius, neck S52.13-; humerus, surgical neck S42.21- (displaced, the
        # default), no S12.9 Fracture of neck.
        ("radial neck fracture", None, "S52.133"),
        ("surgical neck fracture", None, "S42.213"),
        # Index: Palsy, nerve, sixth (abducent) H49.2-; Paresis, see Paralysis.
        ("sixth paresis", None, "H49.20"),
        ("abducens nerve palsy", None, "H49.20"),
        # Index: Infection, respiratory, lower J22: a chest infection is one.
        ("chest infection", None, "J22"),
        ("marginal zone lymphoma", "spleen", "C83.07"),
    ],
)
def test_an_index_name_names_its_code(words: str, site: str | None, code: str) -> None:
    text = f"Imaging showed a {words}" + (f" of the {site}." if site else ".")
    assert codes_of(finding(text, words, site=site))[0] == code


def test_an_aneurysm_is_read_at_the_artery_of_its_sentence() -> None:
    # Aneurysm of unspecified site, I72.9, would say what the sentence's artery contradicts.
    text = "Angiography of the anterior communicating artery (ACoA) showed an aneurysm."
    aneurysm = finding(text, "aneurysm")
    start = text.index("anterior communicating artery")
    artery = Mention(
        id="m2",
        start=start,
        end=start + len("anterior communicating artery"),
        text="anterior communicating artery",
        type=EntityType.BIOLOGICAL_STRUCTURE,
        assertion=Assertion.PRESENT,
    )
    case = case_of(text, [aneurysm, artery]).model_copy(
        update={"sentences": [Span(start=0, end=len(text))]}
    )
    linked = linked_findings(case, [aneurysm], CM, {}, 3)
    assert [c.code for c in linked["m1"]] == ["I67.1"]


@pytest.mark.parametrize("words", ["perilesional edema", "peritumoral oedema", "perifocal edema"])
def test_an_edema_around_a_lesion_is_no_generalized_edema(words: str) -> None:
    # R60.9 Edema, unspecified is the Index's generalized edema; this one is the lesion's.
    text = f"MRI showed a parietal mass with {words}."
    assert codes_of(finding(text, words)) == []


def test_a_growth_staged_is_not_read_at_the_body_part_imaged_for_it() -> None:
    text = "Brain imaging performed for cancer staging showed normal findings."
    cancer = finding(text, "cancer")
    brain = Mention(
        id="m2",
        start=0,
        end=len("Brain"),
        text="Brain",
        type=EntityType.BIOLOGICAL_STRUCTURE,
        assertion=Assertion.PRESENT,
    )
    case = case_of(text, [cancer, brain]).model_copy(
        update={"sentences": [Span(start=0, end=len(text))]}
    )
    linked = linked_findings(case, [cancer], CM, {}, 3)
    assert "C71.9" not in [c.code for c in linked["m1"]]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("She had colorectal cancer screening last year.", "colorectal cancer"),
        ("An infectious disease work-up was started.", "infectious disease"),
    ],
)
def test_what_a_search_looks_for_is_no_finding(text: str, words: str) -> None:
    named = finding(text, words)
    assert coded_findings(case_of(text, [named]), {named.type}) == []


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("He was admitted after a single ICD shock.", "ICD shock", False),
        ("A 200 J DC shock was given.", "shock", False),
        ("Shock was delivered by the defibrillator.", "Shock", False),
        ("She described electric shock sensations.", "electric shock", False),
        ("He developed septic shock.", "septic shock", True),
    ],
)
def test_a_shock_a_device_gives_is_no_circulatory_shock(text: str, words: str, kept: bool) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept


@pytest.mark.parametrize(
    ("text", "words", "kept"),
    [
        ("The sarcoma was treated with an AML regimen.", "AML", False),
        ("She received a lymphoma-type regimen.", "lymphoma", False),
        ("She followed the Dietary Approaches to Stop Hypertension diet.", "Hypertension", False),
        ("A regimen was started for his lymphoma.", "lymphoma", True),
    ],
)
def test_what_a_regimen_or_a_diet_is_named_for_is_no_finding(
    text: str, words: str, kept: bool
) -> None:
    named = finding(text, words)
    assert (coded_findings(case_of(text, [named]), {named.type}) == [named]) is kept
