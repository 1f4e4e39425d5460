"""ICD-10-CM 2026 as casebook reads it: billable codes, leaves, aliases and Index names."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.kb import icd10cm
from casebook.kb.icd10cm import (
    IndexTerms,
    alias_words,
    billable_first,
    code_aliases,
    load_icd10cm,
    read_icd10cm_resource,
)
from casebook.model import Sex
from casebook.resources import load_rules, resource_path


def test_billable_codes_and_the_leaf_a_category_stands_for() -> None:
    cm = load_icd10cm()
    assert not cm.is_billable("R51") and cm.is_billable("R51.9")
    assert cm.unspecified_leaf("R51") == "R51.9"  # Headache, unspecified (since 2021)
    assert cm.unspecified_leaf("M54.5") == "M54.50"
    assert cm.unspecified_leaf("C84.6") == "C84.60"
    assert cm.unspecified_leaf("R51.9") is None  # already a leaf
    # Of "with" and "without" a complication, what the text does not tell is coded without.
    assert cm.unspecified_leaf("E05.0") == "E05.00"  # Graves' disease, no thyroid storm
    assert cm.unspecified_leaf("B19.2") == "B19.20"
    # Of a category's several "unspecified" children, the one its own title leaves unspecified;
    # of several "with" and "without", the one its own title names without.
    assert cm.unspecified_leaf("K25") == "K25.9"  # not K25.4, chronic or unspecified, bleeding
    assert cm.unspecified_leaf("I21") == "I21.9"  # not I21.3, STEMI of unspecified site
    assert cm.unspecified_leaf("N40") == "N40.0"  # benign prostatic hyperplasia, no LUTS
    assert cm.unspecified_leaf("B67") is None  # "Echinococcosis, unspecified, of liver": a site
    assert cm.unspecified_leaf("E11") == "E11.9"  # without complications, not E11.8 with some
    # Below a category, the child titled by its parent's title and "unspecified" alone.
    assert cm.unspecified_leaf("Q21.1") == "Q21.10"  # not Q21.16, a sinus venosus defect
    # A breast's unspecified site is split by sex, then by side: the patient's sex picks.
    assert cm.unspecified_leaf("C50.9") is None
    assert cm.told_leaf("C50.9", Sex.FEMALE) == "C50.919"
    assert cm.told_leaf("C50.1", Sex.MALE) == "C50.129"
    assert cm.told_leaf("C50.9", None) is None
    assert cm.told_leaf("T23.10", None) == "T23.109"  # a burn of the hand, side untold
    # A 7th-character code is kept as its stem, which counts as billable.
    assert cm.is_billable("S72.001")
    assert cm.parent("R51.9") == "R51" and cm.parent("R51") is None
    assert cm.is_descendant("G96.00", "G96.0") and not cm.is_descendant("G96.0", "G96.0")


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        ("headache", {"R51", "R51.9"}),
        ("pneumonia", {"J18", "J18.9"}),  # "Pneumonia, unspecified organism"
        ("hypertension", {"I10"}),  # an Alphabetic Index name (icd10cm_index.json)
        ("septic shock", {"R65.21"}),  # not R57.9, Shock, unspecified
        # Index: "Arthritis, septic — see Arthritis, pyogenic"; not M19.90, osteoarthritis.
        ("septic arthritis", {"M00.9"}),
        ("secondary osteoporosis", {"M81.8"}),  # not M81.0, Age-related osteoporosis
        ("continuous air leakage", {"J93.82"}),  # not N39.45, a continuous leakage of urine
        ("choroidal melanoma", {"C69.30"}),  # not C43.9, a melanoma of the skin
        ("PR depressions", {"R94.31"}),  # an ECG's, not F32.A, Depression
        ("gestational hypertension", {"O13.9"}),  # not I10, Essential hypertension
        ("intracranial hypertension", {"G93.2"}),  # Index: "Hypertension, intracranial"
        ("drug-induced liver injury", {"K71.9"}),  # not S36.119, an injury of the liver
        ("drug-induced hepatitis", {"K71.6"}),  # Index: "Hepatitis, toxic"; not K75.9
        ("basal ganglia hemorrhage", {"I61.0"}),  # not R58, a hemorrhage classified nowhere
        ("cerebellar hemorrhage", {"I61.4"}),
        ("Rosai-Dorfman disease", {"D76.3"}),  # sinus histiocytosis with massive adenopathy
        ("thyroid storm", {"E05.91"}),  # not X37.9, a cataclysmic storm
        ("pleuritic chest pain", {"R07.81"}),  # Pleurodynia, not R07.9, Chest pain, unspecified
        ("cytokine storm", {"D89.839"}),
        # Index: "Metastasis, metastatic — see Neoplasm, secondary, by site".
        ("liver metastases", {"C78.7"}),
        ("pulmonary metastasis", {"C78.00"}),
        ("lymph node metastases", {"C77.9"}),
        ("syncope", {"R55"}),  # "Syncope and collapse" names either
        ("vomiting", {"R11.1", "R11.10"}),  # never "Vomiting without nausea"
        ("nausea", {"R11.0"}),  # the category "Nausea and vomiting" only groups codes
        ("blisters", set()),  # "Blister, unspecified hip" names a site the words do not
        ("pain", {"R52"}),  # never the heading G89 "Pain, not elsewhere classified"
        ("acute pain", {"R52"}),  # nor G89.1, acute post-procedural or trauma pain
        ("convulsions", {"R56", "R56.9"}),  # a heading above the billable code stays
        # A manifestation code's inclusion terms name it only beside the disease it is of.
        ("nephritis", {"N05.9"}),
        ("nephropathy", {"N28.9"}),
        ("polyneuropathy", {"G62.9"}),  # not A69.22, a neurologic disorder in Lyme disease
        # An inclusion term naming an organism only names no disease of it.
        ("Pseudomonas aeruginosa", set()),  # not A41.52, Sepsis due to Pseudomonas
        ("Pseudomonas sepsis", {"A41.52"}),
        # Alphabetic Index names of common findings no title spells.
        ("epigastric tenderness", {"R10.816"}),  # Tenderness, abdominal, epigastric
        ("right lower quadrant tenderness", {"R10.813"}),
        # The iliac fossa is the lower quadrant of British reports.
        ("right iliac fossa pain", {"R10.31"}),
        ("left iliac fossa tenderness", {"R10.814"}),
        ("bronchiolitis obliterans", {"J44.81"}),  # not J21.9 Acute bronchiolitis
        ("bronchiolitis obliterans organizing pneumonia", {"J84.89"}),  # not J21.9 Bronchiolitis
        ("lower back pain", {"M54.50"}),  # not M54.9 Dorsalgia
        ("heart burn", {"R12"}),  # Heartburn
        ("hemangioma of liver", {"D18.03"}),  # Hemangioma, intra-abdominal
        # A kind with no code of its own is its category's "Other" code, the Index's NEC.
        # Index: "Klatskin's tumor", "Neoplasm, bile duct, extrahepatic"; not C22.1, within.
        ("perihilar cholangiocarcinoma", {"C24.0"}),
        ("distal cholangiocarcinoma", {"C24.0"}),
        ("hypertrophic cardiomyopathy", {"I42.2"}),  # not I42.9 Cardiomyopathy, unspecified
        ("chronic osteomyelitis", {"M86.60"}),  # Other chronic osteomyelitis, unspecified site
        # "Lymphadenitis NOS" is I88.9's; I88.1's "Lymphadenitis" is of its title's chronic kind.
        ("lymphadenitis", {"I88.9"}),
        ("chronic hepatitis C", {"B18.2"}),  # not B19.20 and K73.9, each of part of the words
        ("psoriatic arthritis", {"L40.50"}),  # Index: Arthritis, psoriatic; not M19.90
        ("hematochezia", {"K92.1"}),  # Index: "Hematochezia (see also Melena)"
        ("urinary retention", {"R33.9"}),  # Retention of urine, unspecified
        ("hyperbilirubinemia", {"E80.7"}),  # Disorder of bilirubin metabolism, unspecified
        ("endocarditis", {"I38"}),  # Index: Endocarditis (chronic) (nonbacterial) I38
        ("renal insufficiency", {"N28.9"}),  # Insufficiency, renal (acute); failure is N19
        ("Baker's cyst", {"M71.20"}),  # Cyst, Baker's M71.2-; the told knee picks the side
        ("popliteal cyst", {"M71.20"}),
        ("vitamin B12 deficiency", {"E53.8"}),  # Deficiency, vitamin B12
        ("pernicious anemia", {"D51.0"}),  # Anemia, pernicious
        ("urinary frequency", {"R35.0"}),  # Frequency, micturition
        ("urinary urgency", {"R39.15"}),  # Urgency, urinary
        ("abdominal distention", {"R14.0"}),  # Distension, distention, abdomen
        ("neuroendocrine carcinoma", {"C7A.1"}),  # Carcinoma, neuroendocrine, high grade
        ("lymphangioma", {"D18.1"}),  # "Lymphangioma, any site"
        ("Sjogren-Larsson syndrome", {"Q87.19"}),  # not M35.00, Sjögren syndrome
        ("bezoar", {"T18.9XX"}),  # Bezoar T18.9; stomach T18.2
        ("gastric bezoar", {"T18.2XX"}),
        ("angioedema", {"T78.3XX"}),  # Angioedema (allergic) (any site) T78.3
        ("allergic angioedema", {"T78.3", "T78.3XX"}),  # the billable one is shown
        ("hereditary angioedema", {"D84.1"}),  # Angioedema, hereditary
        ("hibernoma", {"D17.9"}),  # Hibernoma — see Lipoma
        ("acute alcoholic hepatitis", {"K70.10"}),  # Hepatitis, alcoholic (acute); not B17.9
        ("gouty arthritis", {"M10.9"}),  # Arthritis, gouty — see Gout; not M19.90
        ("complete molar pregnancy", {"O01.0"}),  # Mole, hydatidiform, complete; not Z33.1
        ("diaphoresis", {"R61"}),  # Diaphoresis (excessive)
        ("hypoalbuminemia", {"E88.09"}),
        ("akathisia", {"G25.71"}),  # Akathisia (drug-induced) (treatment-induced)
        ("Kawasaki disease", {"M30.3"}),  # Mucocutaneous lymph node syndrome [Kawasaki]
        ("herpes", {"B00.9"}),  # Herpes, herpesvirus, herpetic
        ("genital herpes", {"A60.00"}),
        ("leucopenia", {"D72.819"}),
        ("hemorrhagic stroke", {"I61.9"}),  # Stroke, hemorrhagic; not I63.9, an infarction
        ("shoulder dystocia", {"O66.0"}),  # Dystocia, shoulder; not O66.9
        ("eosinophilic gastroenteritis", {"K52.81"}),  # not K52.9, noninfective
        ("hypertensive cardiomyopathy", {"I11.9"}),  # Hypertension, heart; not I42.9
        ("Dandy-Walker malformation", {"Q03.1"}),
        ("Mallory-Weiss tear", {"K22.6"}),
        ("Churg-Strauss syndrome", {"M30.1"}),
        ("arrest", set()),  # not Z65.3's legal arrest (IndexTerms.not_names)
        ("storm", set()),  # not X37.9's weather: an electrical or VT storm
        # Q78.2's "Osteosclerosis NOS" is osteopetrosis; a report's is a scan's, acquired.
        ("osteosclerosis", set()),
        ("illness", set()),  # not R69's: 'day 6 of illness', 'history of present illness'
        ("murder", set()),  # not Y09's assault: what a patient did or feared ("a double murder")
        ("mental illness", {"F99"}),
        ("amebic colitis", {"A06.0"}),  # Colitis, amebic; not K52.9
        ("amebic dysentery", {"A06.0"}),  # Dysentery, amebic
        ("erosive rheumatoid arthritis", {"M06.9"}),  # not M15.4, Erosive (osteo)arthritis
        ("seropositive erosive rheumatoid arthritis", {"M05.9"}),
        # Z17.31's "HER2+" and Z17.32's "HER2-" lose their signs: the bare name names neither.
        ("HER2", set()),
        ("HER2-negative", {"Z17.32"}),
        ("tinea capitis", {"B35.0"}),  # the Index's; the title "Tinea barbae and tinea capitis"
        ("thyroid storm", {"E05.91"}),
        # A surgery's "deep hypothermic circulatory arrest" far more often than a patient's.
        ("circulatory arrest", set()),
        # The Index's default outweighs another branch's inclusion term.
        ("hepatitis B", {"B19.10"}),  # not B16.9, whose "Hepatitis B (acute) (viral) NOS"
        ("kidney cyst", {"N28.1"}),  # Cyst, kidney (acquired); not Q61.00, a congenital one
        # Crohn's disease by the bowel it inflames; not K52.9, noninfective colitis.
        ("Crohn's ileitis", {"K50.00"}),
        ("Crohn's colitis", {"K50.10"}),
        ("enteropathic arthritis", {"M07.60"}),  # Arthropathy, enteropathic; not M19.90
    ],
)
def test_the_codes_a_finding_names(words: str, codes: set[str]) -> None:
    assert set(load_icd10cm().named(alias_words(words))) == codes


FINDING_WORDS = [
    "fracture",
    "femur",
    "neck",
    "closed",
    "pain",
    "chest",
    "acute",
    "kidney",
    "failure",
    "chronic",
    "disease",
    "malignant",
    "neoplasm",
    "bladder",
    "fever",
    "zzz",
]


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(FINDING_WORDS), max_size=10, unique=True))
def test_the_aliases_within_some_words_are_every_subset_that_is_one(words: list[str]) -> None:
    cm = load_icd10cm()
    every = {
        " ".join(sorted(subset))
        for size in range(1, len(words) + 1)
        for subset in combinations(words, size)
        if cm.named(subset)
    }
    assert sorted(cm.named_subsets(words)) == sorted(every)


def test_the_remembered_searches_stay_bounded_and_answer_as_fresh_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(icd10cm, "_REMEMBERED", 2)
    cm = load_icd10cm()
    # The vocabulary is loaded once per process: other tests may have filled its memos.
    cm._subsets_of.clear()
    cm._leaves.clear()
    asked = [
        ["heart", "failure"],
        ["chronic", "kidney", "disease"],
        ["fever"],
        ["heart", "failure"],
    ]
    found = [sorted(cm.named_subsets(words)) for words in asked]
    assert found[0] == found[3] == ["failure heart"]
    assert [cm.unspecified_leaf(code) for code in ("R51", "M54.5", "C84.6", "R51")] == [
        "R51.9",
        "M54.50",
        "C84.60",
        "R51.9",
    ]
    assert len(cm._subsets_of) <= 2 and len(cm._leaves) <= 2


def test_aliases_drop_what_texts_never_write() -> None:
    aliases = code_aliases("Essential (primary) hypertension", [])
    assert "essential hypertension" in aliases  # the parenthesised modifier is non-essential
    assert "disorder kidney ureter" in code_aliases(
        "Disorder of kidney and ureter, unspecified", []
    )


def test_an_index_name_for_a_code_that_is_not_billable_is_refused(tmp_path: Path) -> None:
    terms = load_rules("icd10cm_index.json", IndexTerms).model_dump()
    terms["terms"] = {"R51": ["head pain"]}
    path = tmp_path / "index.json"
    path.write_text(json.dumps(terms), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        read_icd10cm_resource(resource_path("icd10cm.json.gz"), load_rules(path, IndexTerms))
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_every_index_name_points_at_a_billable_code() -> None:
    terms = load_rules("icd10cm_index.json", IndexTerms)
    cm = load_icd10cm()
    assert all(cm.is_billable(code) for code in terms.terms)


def test_the_packaged_aliases_are_in_the_form_mentions_are_read_in() -> None:
    # A file built with an older normalisation keeps keys no mention can meet ("pancreas"
    # where mentions now read "pancrea"): rebuild it with ``python -m casebook.kb.icd10cm``.
    vocabulary = load_icd10cm()
    stale = [key for key in vocabulary.aliases if " ".join(sorted(alias_words(key))) != key]
    assert stale == []


def test_words_naming_a_heading_and_a_code_elsewhere_name_the_code() -> None:
    billable = {"R52", "R56.9"}
    assert billable_first(["G89", "R52"], billable) == ("R52",)
    assert billable_first(["R56", "R56.9"], billable) == ("R56", "R56.9")
    assert billable_first(["G89"], billable) == ("G89",)  # a heading alone keeps its words


def test_a_type_named_by_the_letter_a_is_not_named_without_it() -> None:
    # "Hepatitis A" would read as "hepatitis" once its "A" goes with the article "a".
    vocabulary = load_icd10cm()
    assert vocabulary.named(alias_words("hepatitis")) == ("K75.9",)
    assert "E50.9" not in vocabulary.named(alias_words("vitamin deficiency"))


def test_two_findings_one_title_qualifies_alike_are_each_named_with_its_qualifiers() -> None:
    # Index: Encephalomyelitis, acute disseminated G04.00; Urethritis, gonococcal A54.01.
    vocabulary = load_icd10cm()
    named = vocabulary.named(alias_words("acute disseminated encephalomyelitis"))
    assert named == ("G04.0", "G04.00")
    assert vocabulary.named(alias_words("gonococcal urethritis")) == ("A54.01",)
    assert vocabulary.named(alias_words("acute laryngitis")) == ("J04.0",)  # its own code stays


def test_an_acronym_is_no_alias_of_its_own() -> None:
    # "PRES" read as words is "pre": every "pre-contrast" detail named I67.83 (PRES).
    vocabulary = load_icd10cm()
    assert vocabulary.named(alias_words("pre")) == ()
    assert "I67.83" in vocabulary.named(alias_words("posterior reversible encephalopathy syndrome"))
    assert "U07.1" in vocabulary.named(alias_words("COVID-19"))  # a name with digits stays


def test_a_transient_ischemic_attack_is_named_by_its_long_form() -> None:
    # "TIA" names G45.9 through the abbreviation's long form, "transient" being a grading word.
    vocabulary = load_icd10cm()
    assert vocabulary.named(alias_words("ischemic attack")) == ("G45.9",)


@pytest.mark.parametrize(
    ("code", "text", "untold"),
    [
        ("T14.8", "A large hematoma of the thigh was seen.", True),
        ("T14.8", "After a fall from a ladder, a large hematoma of the thigh was seen.", False),
        ("T14.8", "There was no history of trauma. A large hematoma was seen.", True),
        ("T14.8", "There was no radiation of pain, fever, hematuria, or history of trauma.", True),
        ("T14.8", "There was no fever, but he had a fall and a hematoma of the thigh.", False),
        ("S36.119", "She was admitted because of liver injury after antibiotics.", True),
        ("S36.119", "A grade IV liver injury followed the motorcycle crash.", False),
        ("I62.00", "A subdural hematoma of intracranial hypotension was seen.", False),
        # Trauma words are read whatever their case, beside letters outside ASCII too.
        ("T14.8", "A hematoma of the thigh followed a Motorcycle CRASH in São Paulo.", False),
        ("T14.8", "No TRAUMA was reported by the patient (Mr Müller).", True),
        # An operation's wound is no trauma: the flap failed from a postoperative hematoma.
        ("T14.8", "The wound healed after the flap failed due to hematoma.", True),
        ("T14.8", "He was brought in with a stab wound and a hematoma.", False),
        # Index: Syndrome, compartment (traumatic) T79.A0; nontraumatic M79.A-.
        ("T79.A0X", "Compartment syndrome of the leg followed prolonged immobilization.", True),
        ("T79.A0X", "Compartment syndrome of the leg followed a motorcycle accident.", False),
    ],
)
def test_an_injury_is_coded_only_where_the_text_tells_of_trauma(
    code: str, text: str, untold: bool
) -> None:
    assert load_icd10cm().untold_injury(code, text) is untold
