"""ProcedureCoder: ICD-10-PCS codes for procedures, one sentence at a time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.coding.icd10pcs import ProcedureCoder, _Lines, _Route
from casebook.components import COMPONENTS, DEFAULT_COMPONENTS
from casebook.errors import CasebookError, ErrorCode
from casebook.model import (
    Assertion,
    Attribute,
    Case,
    Code,
    CodeSystem,
    EntityType,
    Mention,
    Patient,
    Source,
    SourceFormat,
)
from casebook.nlp.assertion import ContextAssertion
from casebook.nlp.pipeline import Pipeline
from casebook.nlp.sections import SectionDetector
from casebook.nlp.sentences import SentenceSplitter
from casebook.resources import resource_path

PROCEDURE = EntityType.THERAPEUTIC_PROCEDURE
DIAGNOSTIC = EntityType.DIAGNOSTIC_PROCEDURE


@pytest.fixture(scope="module")
def coder() -> ProcedureCoder:
    return ProcedureCoder()


@pytest.fixture(scope="module")
def pipeline(coder: ProcedureCoder) -> Pipeline:
    # Mentions come from the test: the NER model is not needed here.
    return Pipeline(
        [SectionDetector(), SentenceSplitter(), ContextAssertion(), coder],
        provided=frozenset({"id", "text", "source", "title", "mentions"}),
    )


def mention(
    text: str,
    words: str,
    kind: EntityType = PROCEDURE,
    site: str | None = None,
    number: int = 1,
    after: int = 0,
) -> Mention:
    """A mention of ``words`` (first occurrence from ``after``) in ``text``, maybe with a site."""
    start = text.index(words, after)
    attributes = []
    if site is not None:
        at = text.index(site)
        attributes.append(Attribute(name="site", start=at, end=at + len(site), text=site))
    return Mention(
        id=f"m{number}",
        start=start,
        end=start + len(words),
        text=words,
        type=kind,
        attributes=attributes,
    )


def analyse(pipeline: Pipeline, text: str, mentions: list[Mention]) -> Case:
    case = Case(id="c", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions)
    return pipeline.run(case)


def pcs(codes: Sequence[Code]) -> list[str]:
    return [c.code for c in codes if c.system is CodeSystem.ICD10PCS]


def test_epidural_blood_patch(pipeline: Pipeline) -> None:
    text = "An epidural blood patch was performed at L5/S1."
    case = analyse(pipeline, text, [mention(text, "epidural blood patch")])
    (code, *_) = case.mentions[0].codes
    assert code.code == "3E0S3GC"
    assert code.determined_chars == 7
    assert code.display == "Introduction of substance in or on, Epidural Space"
    assert pcs(case.codes) == ["3E0S3GC"]
    assert case.codes[0].mentions == ["m1"]


def test_a_pleural_blood_patch_goes_into_the_pleural_cavity_not_the_spinal_canal(
    pipeline: Pipeline,
) -> None:
    text = "A pleural blood patch was performed for the air leak."
    case = analyse(pipeline, text, [mention(text, "pleural blood patch")])
    assert [c.code[:4] for c in case.mentions[0].codes] == ["3E0L"]


def test_a_body_part_in_parentheses_is_no_procedure_name(pipeline: Pipeline) -> None:
    # "Connectomic Analysis (Brain) Mapping": "brain" qualifies the term; BNP is a blood test.
    text = "Brain natriuretic peptide was 110 pg/mL."
    case = analyse(pipeline, text, [mention(text, "Brain natriuretic peptide")])
    assert pcs(case.mentions[0].codes) == []


def test_a_gastric_aspirate_is_drained_through_a_tube_not_excised_by_needle(
    pipeline: Pipeline,
) -> None:
    text = "Early morning gastric aspirate was sent for acid-fast bacilli."
    case = analyse(pipeline, text, [mention(text, "aspirate", site="gastric")])
    assert pcs(case.mentions[0].codes)[0] == "0D967Z"


def test_the_lungs_gas_exchange_is_no_change_of_a_device(pipeline: Pipeline) -> None:
    text = "During one-lung ventilation pulmonary gas exchange was well-maintained."
    case = analyse(pipeline, text, [mention(text, "pulmonary gas exchange")])
    assert pcs(case.mentions[0].codes) == []


def test_a_perfusion_pressure_is_a_measurement_not_an_introduction(pipeline: Pipeline) -> None:
    text = "Skin perfusion pressure was 20 mmHg."
    case = analyse(pipeline, text, [mention(text, "Skin perfusion pressure")])
    assert pcs(case.mentions[0].codes) == []


def test_an_organism_isolated_is_no_isolation_of_the_patient(pipeline: Pipeline) -> None:
    text = "This is the first report of SARS-CoV-2 isolation from an appendix specimen."
    case = analyse(pipeline, text, [mention(text, "isolation")])
    assert pcs(case.mentions[0].codes) == []


def test_a_coagulation_profile_is_no_destruction(pipeline: Pipeline) -> None:
    text = "Coagulation profile and liver function tests were within normal ranges."
    tests = [
        mention(text, "Coagulation profile", DIAGNOSTIC),
        mention(text, "liver function tests", DIAGNOSTIC, number=2),
    ]
    assert pcs(analyse(pipeline, text, tests).codes) == []  # was 0F50, Destruction of liver
    text = "Argon plasma coagulation of the gastric antrum was performed."
    case = analyse(
        pipeline, text, [mention(text, "Argon plasma coagulation", site="gastric antrum")]
    )
    assert [c.code[:3] for c in case.mentions[0].codes] == ["0D5"]


def test_a_landmark_in_a_site_is_not_what_was_operated_on(pipeline: Pipeline) -> None:
    text = "Two lymph nodes above the right internal jugular vein were excised."
    site = "lymph nodes above the right internal jugular vein"
    case = analyse(pipeline, text, [mention(text, "excised", site=site)])
    assert not any(code.startswith("05B") for code in pcs(case.mentions[0].codes))


def test_an_anastomosis_is_a_bypass_not_a_drainage(pipeline: Pipeline) -> None:
    # The Index sends "Gastrojejunostomy" to both Bypass, Stomach and Drainage, Stomach.
    text = "A gastrojejunostomy was performed."
    case = analyse(pipeline, text, [mention(text, "gastrojejunostomy")])
    assert pcs(case.mentions[0].codes)[0].startswith("0D16")


@pytest.mark.parametrize(
    ("text", "words", "code"),
    [
        # The Index sends "Sigmoidectomy" to a whole body system; its word names the part.
        ("He underwent laparoscopic sigmoidectomy.", "sigmoidectomy", "0DTN"),
        ("A right hemicolectomy was performed.", "right hemicolectomy", "0DTF"),
        ("She had a hysterectomy for fibroids.", "hysterectomy", "0UT9"),
        ("He underwent splenectomy.", "splenectomy", "07TP"),
        ("A left mastectomy was performed.", "left mastectomy", "0HTU"),
    ],
)
def test_an_organs_removal_named_by_one_word_is_of_that_organ(
    pipeline: Pipeline, text: str, words: str, code: str
) -> None:
    assert pcs(analyse(pipeline, text, [mention(text, words)]).mentions[0].codes)[0].startswith(
        code
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("She underwent distal pancreatectomy.", "0FBG"),
        ("He underwent subtotal gastrectomy.", "0DB6"),
        ("He underwent pancreatectomy.", "0FTG"),
    ],
)
def test_an_operation_on_part_of_an_organ_is_an_excision_not_a_resection(
    pipeline: Pipeline, text: str, code: str
) -> None:
    case = analyse(pipeline, text, [mention(text, text.split()[-1].rstrip("."))])
    assert pcs(case.mentions[0].codes)[0] == code


def test_a_partial_resection_is_the_excision_of_that_body_part(pipeline: Pipeline) -> None:
    text = "A partial resection of the liver was performed."
    case = analyse(pipeline, text, [mention(text, "resection", site="liver")])
    assert pcs(case.mentions[0].codes)[0].startswith("0FB0")


def test_an_abbreviation_means_its_long_form_only(pipeline: Pipeline) -> None:
    # "PEG" is a percutaneous endoscopic gastrostomy only where it stands for one.
    text = "Polyethylene glycol (PEG) was added. PEG lowered PTH."
    peg = mention(text, "PEG", after=text.index("PEG lowered")).model_copy(
        update={"expansion": "polyethylene glycol"}
    )
    assert pcs(analyse(pipeline, text, [peg]).mentions[0].codes) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("A median sternotomy was made.", "median sternotomy"),  # the way in, no procedure
        ("Measurements were taken.", "Measurements"),
        # GZ3ZZZZ manages a mental disorder's drugs; a case report manages any.
        ("The pain was not relieved with medication management.", "medication management"),
    ],
)
def test_an_approach_or_a_lone_measurement_codes_nothing(
    pipeline: Pipeline, text: str, words: str
) -> None:
    assert pcs(analyse(pipeline, text, [mention(text, words)]).mentions[0].codes) == []


def test_a_terms_own_subterm_comes_before_what_it_refers_to(coder: ProcedureCoder) -> None:
    # "Catheterization, heart" is a Measurement (4A02); its "see also Insertion of device
    # in" would make it an Insertion into the heart (02HA).
    assert coder.code("heart catheterization")[0].code == "4A02"


def test_a_choice_the_index_leaves_open_is_coded_no_further_than_it_goes(
    coder: ProcedureCoder,
) -> None:
    # "Nerve conduction study": see Measurement, Central Nervous (4A00, an EEG's) and
    # Measurement, Peripheral Nervous (4A01).
    assert [c.code for c in coder.code("nerve conduction study")][:1] == ["4A0"]


def test_a_named_test_is_a_measurement_not_a_monitoring(coder: ProcedureCoder) -> None:
    # "Stress test": 4A02XM4 (Measurement) and 4A12XM4 (Monitoring), one index line.
    assert coder.code("exercise stress test")[0].code == "4A02XM4"


def test_an_image_of_two_named_sites_keeps_a_sites_code(coder: ProcedureCoder) -> None:
    assert coder.code("X-ray", "right hand and forearm")[0].code.startswith("BP0")


def test_a_cannulation_names_no_operation(pipeline: Pipeline) -> None:
    # The Index sends a cannulation to Bypass, Dilation, Drainage and Irrigation alike.
    text = "It was abandoned due to failed cannulation of the ophthalmic artery."
    found = mention(text, "cannulation", site="ophthalmic artery")
    assert pcs(analyse(pipeline, text, [found]).mentions[0].codes) == []


@pytest.mark.parametrize(
    ("text", "age", "coded"),
    [
        ("A cesarean section was performed at term.", 31.0, True),
        # A child's caesarean section is the one she was born by: her mother's.
        ("A cesarean section was performed at term.", 3.0, False),
        ("She was born via cesarean section at 34 weeks.", 41.0, False),
    ],
)
def test_an_obstetric_procedure_is_the_patients_only_where_she_bore_the_child(
    pipeline: Pipeline, text: str, age: float, coded: bool
) -> None:
    case = Case(
        id="c",
        text=text,
        source=Source(format=SourceFormat.TEXT),
        mentions=[mention(text, "cesarean section")],
        patient=Patient(age_years=age),
    )
    assert bool(pcs(pipeline.run(case).codes)) is coded


def test_a_hyphenated_cardiopulmonary_resuscitation_is_no_pulmonary_one(pipeline: Pipeline) -> None:
    text = "Cardio-pulmonary resuscitation was started."
    case = analyse(pipeline, text, [mention(text, "Cardio-pulmonary resuscitation")])
    assert [c.code[:4] for c in case.mentions[0].codes] == ["5A02"]


def test_a_case_code_rests_on_a_present_procedure_mention(pipeline: Pipeline) -> None:
    text = "A blood patch was performed at the L5/S1 level."
    # Words alone code nothing: the case's codes rest on mentions (issue 16).
    assert pcs(analyse(pipeline, text, []).codes) == []
    case = analyse(pipeline, text, [mention(text, "blood patch", PROCEDURE)])
    assert pcs(case.codes) == ["3E0R3GC"]
    assert case.codes[0].mentions == ["m1"]
    assert [text[e.start : e.end] for e in case.codes[0].evidence] == ["blood patch"]


def test_a_suggested_procedure_is_no_case_code(pipeline: Pipeline) -> None:
    text = "A blood patch should be performed."
    case = analyse(pipeline, text, [mention(text, "blood patch", PROCEDURE)])
    assert pcs(case.codes) == []
    assert case.mentions[0].codes[0].code == "3E0R3GC"


def test_bone_marrow_biopsy_of_the_iliac_crest(pipeline: Pipeline) -> None:
    text = "She had a bone marrow trephine biopsy. The biopsy was taken from the right iliac crest."
    first = mention(text, "bone marrow trephine biopsy", DIAGNOSTIC)
    second = mention(text, "biopsy", DIAGNOSTIC, "right iliac crest", number=2, after=first.end)
    case = analyse(pipeline, text, [first, second])
    # "The biopsy" refers back: both mentions share their words and get the full code.
    assert [m.codes[0].code for m in case.mentions] == ["07DR3ZX", "07DR3ZX"]
    assert pcs(case.codes) == ["07DR3ZX"]
    assert case.codes[0].mentions == ["m1", "m2"]


def test_a_procedure_that_was_avoided_lends_its_words_to_no_later_one(
    pipeline: Pipeline,
) -> None:
    text = (
        "Thoracic epidural anaesthesia was avoided because of the risk of hypotension. "
        "Anaesthesia was maintained with sevoflurane."
    )
    avoided = mention(text, "Thoracic epidural anaesthesia")
    later = mention(text, "Anaesthesia", number=2, after=avoided.end)
    case = analyse(pipeline, text, [avoided, later])
    assert case.mentions[0].assertion is Assertion.NEGATED
    assert pcs(case.mentions[1].codes) == []
    assert pcs(case.codes) == []


def test_coordinated_procedures_share_their_words(pipeline: Pipeline) -> None:
    text = (
        "A bone marrow aspirate and trephine biopsy were taken. "
        "The biopsy came from the right iliac crest."
    )
    aspirate = mention(text, "bone marrow aspirate", DIAGNOSTIC)
    trephine = mention(text, "trephine biopsy", DIAGNOSTIC, number=2)
    later = mention(text, "biopsy", DIAGNOSTIC, "right iliac crest", number=3, after=trephine.end)
    case = analyse(pipeline, text, [aspirate, trephine, later])
    assert [m.codes[0].code for m in case.mentions][1:] == ["07DR3ZX", "07DR3ZX"]


def test_a_scan_told_of_another_site_is_another_scan(pipeline: Pipeline) -> None:
    text = "A CT scan of the head was normal. A CT scan of the abdomen showed a mass."
    head = mention(text, "CT scan", DIAGNOSTIC, site="head")
    abdomen = mention(text, "CT scan", DIAGNOSTIC, site="abdomen", number=2, after=head.end)
    case = analyse(pipeline, text, [head, abdomen])
    assert [pcs(m.codes) for m in case.mentions] == [["BW28"], ["BW20"]]


def test_a_site_no_code_names_tells_no_other_scan(pipeline: Pipeline) -> None:
    text = (
        "An MRI scan of the brain was done. A follow-up MRI scan of the suprasellar mass was clear."
    )
    brain = mention(text, "MRI scan", DIAGNOSTIC, site="brain")
    later = mention(text, "MRI scan", DIAGNOSTIC, site="suprasellar", number=2, after=brain.end)
    case = analyse(pipeline, text, [brain, later])
    assert [pcs(m.codes) for m in case.mentions] == [["B030"], ["B030"]]


def test_coordinated_procedures_of_two_sites_keep_their_own(pipeline: Pipeline) -> None:
    text = "A chest X-ray and magnetic resonance imaging of the brain were normal."
    ray = mention(text, "X-ray", DIAGNOSTIC, site="chest")
    brain = mention(text, "magnetic resonance imaging", DIAGNOSTIC, site="brain", number=2)
    case = analyse(pipeline, text, [ray, brain])
    assert pcs(case.mentions[1].codes) == ["B030"]


def test_the_code_stops_where_the_text_stops(coder: ProcedureCoder) -> None:
    # Nothing says how the marrow was reached: approach, device and qualifier stay open.
    (best, *_) = coder.code("bone marrow extraction", "iliac")
    assert (best.code, len(best.code)) == ("07DR", 4)
    # The needle says percutaneous; "biopsy" says diagnostic.
    assert coder.code("bone marrow needle biopsy", "iliac")[0].code == "07DR3ZX"


def test_ct_of_the_head_is_imaging(pipeline: Pipeline) -> None:
    text = "A computed tomography (CT) scan of the head was normal."
    case = analyse(pipeline, text, [mention(text, "CT", DIAGNOSTIC, site="head")])
    code = case.mentions[0].codes[0]
    assert code.code == "BW28"
    assert code.code.startswith("B") and code.determined_chars == 4


def test_a_body_part_without_its_level_gives_a_prefix(coder: ProcedureCoder) -> None:
    (best, *_) = coder.code("MRI", "spine")
    assert best.code == "BR3"  # imaging, axial skeleton, MRI: the level is not said


def test_an_acronym_read_as_another_word_is_no_alias(coder: ProcedureCoder) -> None:
    # "TIPS" (a portosystemic shunt) reads as "tip": a nasal tip's projection is no bypass.
    assert coder.code("nasal tip projection") == []
    assert coder.code("transjugular intrahepatic portosystemic shunt")[0].code == "0618"


def test_an_acronym_of_the_words_before_it_is_no_alias_of_the_term(coder: ProcedureCoder) -> None:
    # "sEEG radiofrequency ablation (RFA)": an RFA of the thyroid is no ablation of the brain.
    assert [best.code for best in coder.code("RFA", "thyroid nodule")] == []


def test_an_acronym_mostly_meant_otherwise_names_its_procedure_only_spelt_out(
    coder: ProcedureCoder,
) -> None:
    # "An excisional biopsy showed ACC": an adenoid cystic carcinoma, no chest compression.
    assert coder.code("ACC") == []
    assert coder.code("HCT") == []
    assert coder.code("automated chest compression")[0].code == "5A1221J"
    assert coder.code("EGD")[0].code.startswith("0DJ08")


def test_negated_procedures_are_not_case_codes(pipeline: Pipeline) -> None:
    text = "No lumbar puncture was performed."
    case = analyse(pipeline, text, [mention(text, "lumbar puncture")])
    assert case.mentions[0].assertion is Assertion.NEGATED
    assert pcs(case.mentions[0].codes) == ["009U3Z"]  # coded, though negated
    assert pcs(case.codes) == []


def test_words_that_name_no_procedure(coder: ProcedureCoder) -> None:
    assert coder.code("prophylaxis") == []
    assert coder.code("computed tomography") == []  # no body part: only the section is known
    # A physical examination is no ICD-10-PCS Inspection; the external examinations coders
    # code (rectal, funduscopic) are listed by name.
    assert coder.code("cardiac examination") == []
    assert coder.code("rectal examination") != []


def test_a_hyphenated_drug_name_is_no_procedure(coder: ProcedureCoder) -> None:
    # A compound is its head's name: "peg-asparaginase" is a drug, not a gastrostomy (PEG).
    assert coder.code("peg-asparaginase") == []
    assert coder.code("PEG-asparaginase") == []
    # Compounds whose head the index knows keep their codes.
    assert coder.code("PEG-tube")[0].code == "0DH63UZ"
    assert coder.code("re-intubation")[0].code == "0BH1"
    assert coder.code("blood-patch")[0].code == "3E0R3GC"


def test_a_nasogastric_intubation_is_no_airway(coder: ProcedureCoder) -> None:
    # Index: Intubation, Airway → 0BH1; Feeding Device → 0DH (Gastrointestinal System).
    assert [c.code for c in coder.accept(coder.code("nasogastric intubation"))] == ["0DH"]
    assert [c.code for c in coder.accept(coder.code("endotracheal intubation"))] == ["0BH1"]


def test_a_medication_typed_as_a_procedure_gets_no_procedure_code(pipeline: Pipeline) -> None:
    text = "She was treated with PEG asparaginase and vincristine. A PEG tube was placed."
    drug = mention(text, "PEG asparaginase", DIAGNOSTIC)
    other = mention(text, "vincristine", DIAGNOSTIC, number=2)
    tube = mention(text, "PEG tube", PROCEDURE, number=3)
    case = analyse(pipeline, text, [drug, other, tube])
    assert [pcs(m.codes) for m in case.mentions] == [[], [], ["0DH63UZ"]]
    assert pcs(case.codes) == ["0DH63UZ"]
    assert case.codes[0].mentions == ["m3"]


def test_component_runs_after_icd10() -> None:
    names = list(DEFAULT_COMPONENTS)
    assert names.index("icd10pcs") > names.index("icd10")
    assert COMPONENTS["icd10pcs"] is ProcedureCoder


def test_lexicon_naming_an_unknown_index_term(tmp_path: Path) -> None:
    lexicon = json.loads(resource_path("icd10pcs.json").read_text(encoding="utf-8"))
    lexicon["procedures"].append({"terms": ["frobnication"], "index": "Frobnication"})
    bad = tmp_path / "icd10pcs.json"
    bad.write_text(json.dumps(lexicon), encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        ProcedureCoder(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_lines_reached_by_reference_match_on_the_words_below_the_route(
    coder: ProcedureCoder,
) -> None:
    # "Biopsy" refers to "Excision with qualifier Diagnostic" (and to "Drainage",
    # "Extraction"): each of its lines is one of theirs, and must match on the words of its
    # subterms below "Biopsy".
    route = _Route("Biopsy", (), frozenset())
    lines = coder._entries(route)
    assert len(lines) > 1000
    for entry, qualifier, words in lines:
        assert entry.term != "Biopsy" and qualifier == "Diagnostic"
        assert words == coder._content(" ".join(entry.path))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_filed_lines_are_those_whose_words_a_query_holds(
    coder: ProcedureCoder, data: st.DataObject
) -> None:
    # Reading only the lines filed under the query's words must find every line whose
    # subterm words the query holds, in index order, as checking every line does.
    term = data.draw(st.sampled_from(["Biopsy", "Excision", "Drainage", "Inspection"]))
    lines = coder._entries(_Route(term, (), frozenset()))
    vocabulary = sorted({word for _, _, words in lines for word in words})
    words = data.draw(st.sets(st.sampled_from([*vocabulary, "unknown"]), max_size=12))
    expected = [line for line in lines if line[2] <= words]
    assert _Lines.file(lines).within(words) == expected


def test_an_abbreviation_is_read_by_its_long_form_not_by_its_letters(pipeline: Pipeline) -> None:
    # "C/D" of a cup/disc ratio is no D and C (dilation and curettage, an endometrial
    # extraction); a short form of two letters or more still counts ("CT").
    text = "The optic discs seemed normal with a cup/disc (C/D) ratio of 0.4. A head CT was done."
    ratio = mention(text, "C/D", DIAGNOSTIC).model_copy(update={"expansion": "cup/disc"})
    ct = mention(text, "CT", DIAGNOSTIC, number=2).model_copy(
        update={"expansion": "computed tomography"}
    )
    case = analyse(pipeline, text, [ratio, ct])
    assert pcs(case.mentions[0].codes) == []
    assert pcs(case.mentions[1].codes)[0].startswith("BW28")  # CT of the head


def test_a_lung_volume_reduction_excises_lung_tissue(pipeline: Pipeline) -> None:
    text = "He underwent lung volume reduction."
    case = analyse(pipeline, text, [mention(text, "lung volume reduction")])
    assert pcs(case.mentions[0].codes)[0].startswith("0BB")


def test_a_hernia_repair_is_of_the_hernias_region_not_of_the_organ_its_contents_reach(
    pipeline: Pipeline,
) -> None:
    text = "At the hernia repair, herniated fat was freed from the scrotum."
    case = analyse(pipeline, text, [mention(text, "hernia repair", site="scrotum")])
    codes = pcs(case.mentions[0].codes)
    assert "0VQ5" not in codes  # was Repair, Scrotum
    assert {code[:3] for code in codes} <= {"0WQ", "0YQ"}  # the Index's Herniorrhaphy


def test_the_head_of_another_body_part_is_no_head_region(coder: ProcedureCoder) -> None:
    assert [c.code for c in coder.code("biopsy", "pancreatic head")][0].startswith("0FBG")
    assert "0WB0" not in [c.code for c in coder.code("excision", "rib heads")]  # was first
    assert [c.code for c in coder.code("excision", "left femoral head")] == ["0QB7"]  # Upper Femur
    assert [c.code for c in coder.code("CT", "head")] == ["BW28"]


def test_a_procedure_after_a_clause_closed_by_a_comma_is_not_coordinated_with_it(
    pipeline: Pipeline,
) -> None:
    text = "After the osteotomy, gentle traction reduced the luxation at the head."
    mentions = [
        mention(text, "osteotomy", site="head"),
        mention(text, "gentle traction", number=2),
    ]
    case = analyse(pipeline, text, mentions)
    assert pcs(case.mentions[1].codes) == []  # was 2W60X, Traction of the head


def test_a_participle_before_a_measurement_names_no_procedure(pipeline: Pipeline) -> None:
    text = "The estimated resected liver volume was 30%."
    case = analyse(pipeline, text, [mention(text, "liver volume", DIAGNOSTIC)])
    assert pcs(case.mentions[0].codes) == []  # was 0FT0, Resection of the liver


def test_a_grafts_source_tissue_is_its_material_no_body_part(pipeline: Pipeline) -> None:
    text = "Equine pericardium grafts were used to repair the dural defect."
    case = analyse(pipeline, text, [mention(text, "Equine pericardium grafts")])
    assert pcs(case.mentions[0].codes) == []  # was 02RN, Replacement of the pericardium


def test_a_portion_of_an_organ_resected_is_an_excision(pipeline: Pipeline) -> None:
    text = "The cardiac portion of the stomach was resected."
    case = analyse(
        pipeline, text, [mention(text, "resected", site="cardiac portion of the stomach")]
    )
    assert pcs(case.mentions[0].codes)[0].startswith("0DB6")  # was 0DT6, Resection


def test_a_site_gone_through_is_not_what_was_operated_on(pipeline: Pipeline) -> None:
    text = "Catheterisation was performed via the right radial artery."
    case = analyse(pipeline, text, [mention(text, "Catheterisation", site="right radial artery")])
    assert not [c for c in pcs(case.mentions[0].codes) if c.startswith("039")]  # was 039B


def test_a_gall_bladder_in_two_words_is_the_gallbladder(coder: ProcedureCoder) -> None:
    assert [c.code for c in coder.code("resected", "gall bladder")] == ["0FT4"]  # was 0TTB


def test_a_catheterization_is_no_dilation(coder: ProcedureCoder) -> None:
    assert not [c for c in coder.code("Catheterization", "aortic root") if c.code[2] == "7"]


def test_a_joints_stress_test_is_no_cardiac_stress_test(coder: ProcedureCoder) -> None:
    assert coder.code("valgus stress test") == []  # was 4A02XM4
    assert [c.code for c in coder.code("exercise stress test")][0] == "4A02XM4"


def test_tonsils_in_a_text_of_cerebellar_tonsils_are_no_palatine_tonsils(
    pipeline: Pipeline,
) -> None:
    text = "The cerebellar tonsils had herniated. We retracted the tonsils and resected them."
    case = analyse(pipeline, text, [mention(text, "resected", site="tonsils")])
    assert pcs(case.mentions[0].codes) == []  # was 0CTP, Resection of the (palatine) tonsils


def test_a_testicular_biopsy_of_a_side_is_of_that_testis(coder: ProcedureCoder) -> None:
    assert coder.code("biopsies", "bilateral testicular")[0].code == "0VBC"  # was 0VB5, Scrotum


def test_a_reference_sends_only_what_its_subterm_names(coder: ProcedureCoder) -> None:
    # "Intubation, Drainage device — see Drainage": an airway tube drains nothing.
    assert [c.code for c in coder.code("Intubation", "trachea")] == ["0BH1"]  # was 0B91 first
    # "Suture, Ligation — see Occlusion": a stapled suture occludes nothing.
    assert coder.code("mechanical suture", "jejunum") == []  # was 0DLA, Occlusion


def test_a_scan_of_a_sentence_naming_another_body_part_takes_no_earlier_site(
    pipeline: Pipeline,
) -> None:
    text = (
        "Brain computed tomography was normal. Computed tomography and ultrasound scans "
        "showed no enlargement of the parathyroid gland."
    )
    brain = mention(text, "computed tomography", DIAGNOSTIC, site="Brain")
    second = mention(text, "Computed tomography", DIAGNOSTIC, number=2)
    ultrasound = mention(text, "ultrasound", DIAGNOSTIC, number=3)
    gland = mention(text, "parathyroid gland", EntityType.BIOLOGICAL_STRUCTURE, number=4)
    case = analyse(pipeline, text, [brain, second, ultrasound, gland])
    assert pcs(case.mentions[2].codes) == []  # was B040ZZZ, Ultrasonography of the brain


def test_a_definite_scan_of_another_site_is_another_scan(pipeline: Pipeline) -> None:
    text = (
        "The ultrasound of the right breast showed a mass. "
        "The ultrasound of left breast was normal."
    )
    right = mention(text, "ultrasound", DIAGNOSTIC, site="right breast")
    left = mention(text, "ultrasound", DIAGNOSTIC, site="left breast", number=2, after=right.end)
    case = analyse(pipeline, text, [right, left])
    assert pcs(case.mentions[1].codes)[0] == "BH41ZZZ"  # was BH40ZZZ, the right breast


def test_a_holter_electrocardiogram_is_ambulatory_monitoring(coder: ProcedureCoder) -> None:
    assert [c.code for c in coder.code("Holter electrocardiogram")] == ["4A12X45"]  # was 4A02


def test_a_gastrostomy_tube_is_a_feeding_device_inserted(coder: ProcedureCoder) -> None:
    # The Index's "PEG (percutaneous endoscopic gastrostomy)" is 0DH63UZ: no stomach bypass.
    assert [c.code for c in coder.code("gastrostomy tube")] == ["0DH6"]  # was 0D16, Bypass
    assert coder.code("percutaneous jejunostomy tube")[0].code == "0DHA3UZ"  # was 0D1A3J4


def test_a_nephrostomy_tube_drains_with_a_device(coder: ProcedureCoder) -> None:
    # "No device" (Z), the character a procedure told of no device gets, is false for a tube.
    assert coder.code("percutaneous nephrostomy", "left")[0].code == "0T9130Z"


def test_a_definite_procedure_naming_another_thing_is_another_procedure(
    pipeline: Pipeline,
) -> None:
    text = "A cuffed endotracheal tube was placed. The gastrostomy tube was in place."
    airway = mention(text, "endotracheal tube")
    feeding = mention(text, "gastrostomy tube", number=2)
    case = analyse(pipeline, text, [airway, feeding])
    assert "0DH6" not in pcs(case.mentions[0].codes)  # was 0DH6, the gastrostomy's


def test_a_device_removed_is_a_removal_of_device_not_an_excision(coder: ProcedureCoder) -> None:
    assert [c.code for c in coder.code("removal", "two sternal wires")] == ["0PP0"]  # was 0PB0
    assert coder.code("removed", "right lobe of the thyroid gland")[0].code == "0GBH"


def test_a_ct_angiography_is_a_ct_of_the_artery(coder: ProcedureCoder) -> None:
    # "Angiography — see Computerized Tomography (CT Scan), Artery", and the others: "CT" says.
    assert coder.code("CT angiography", "left vertebral artery")[0].code == "B32G"  # was B30F
    # It images the arteries, no region: not "Computerized Tomography, Head and Neck".
    assert coder.code("CT angiography", "head and neck") == []  # was BW29
    assert coder.code("CT angiogram", "abdominal aorta")[0].code == "B420"


def test_a_segment_resected_is_an_excision(coder: ProcedureCoder) -> None:
    assert [c.code for c in coder.code("resection", "lateral segment of the liver")] == ["0FB0"]


def test_a_non_stress_test_is_no_cardiac_stress_test(coder: ProcedureCoder) -> None:
    assert coder.code("Non-Stress-Test") == []  # was 4A02XM4, the heart's stress test


def test_an_abbreviation_in_brackets_is_its_long_forms_procedure(pipeline: Pipeline) -> None:
    text = (
        "Initial chest computed tomography (CT) showed air in the mediastinum. "
        "CT of the neck was done."
    )
    long = mention(text, "computed tomography", DIAGNOSTIC, site="chest")
    short = mention(text, "CT", DIAGNOSTIC, number=2).model_copy(
        update={"expansion": "computed tomography"}
    )
    pleura = mention(text, "mediastinum", EntityType.BIOLOGICAL_STRUCTURE, number=3)
    at = text.index("CT of")
    neck = Mention(
        id="m4",
        start=at,
        end=at + 2,
        text="CT",
        type=DIAGNOSTIC,
        expansion="computed tomography",
        attributes=mention(text, "CT", DIAGNOSTIC, site="neck").attributes,
    )
    case = analyse(pipeline, text, [long, short, pleura, neck])
    assert "BW2F" not in pcs(case.mentions[1].codes)  # was BW2F, the later neck CT's


def test_a_site_left_unharmed_is_not_what_was_operated_on(pipeline: Pipeline) -> None:
    text = "The lesion was excised preserving the ulnar nerve and artery."
    excised = mention(text, "excised", site="ulnar nerve")
    case = analyse(pipeline, text, [excised])
    assert pcs(case.mentions[0].codes) == []  # was 01B4, Excision of the ulnar nerve


def test_a_procedure_named_by_another_organ_is_not_of_the_organ_its_name_sends_to(
    coder: ProcedureCoder,
) -> None:
    # "Cystectomy — see Resection, Bladder": an ovarian cystectomy takes a cyst of the ovary.
    assert coder.code("ovarian cystectomy") == []  # was 0TTB, Resection of the bladder
    assert coder.code("radical cystectomy")[0].code == "0TTB"


def test_an_organ_named_before_a_procedure_is_the_organ_it_was_done_on(pipeline: Pipeline) -> None:
    text = "Subsequently, a right ovarian cystectomy was performed."
    case = analyse(pipeline, text, [mention(text, "cystectomy")])
    assert pcs(case.mentions[0].codes) == []  # was 0TTB, Resection of the bladder


def test_an_anastomosis_after_a_resection_is_part_of_it(pipeline: Pipeline) -> None:
    # Guideline B3.1b: the anastomosis that restores continuity is a step of the resection.
    text = (
        "The gangrenous jejunum was resected, and an end-to-end anastomosis of the jejunum was "
        "performed."
    )
    resected = mention(text, "resected", site="jejunum")
    anastomosis = mention(text, "anastomosis", number=2)
    at = text.index("jejunum was")
    anastomosis.attributes.append(Attribute(name="site", start=at, end=at + 7, text="jejunum"))
    case = analyse(pipeline, text, [resected, anastomosis])
    assert pcs(case.mentions[1].codes) == []  # was 0D1A, Bypass of the jejunum
    assert [c.code for c in case.codes] == ["0DTA"]


def test_a_virtual_endoscopy_is_no_endoscopy(coder: ProcedureCoder) -> None:
    assert coder.code("virtual bronchoscopy") == []  # was 0BJ08ZZ, a bronchoscope passed
    assert coder.code("bronchoscopy")[0].code == "0BJ08ZZ"


def test_the_regions_listed_after_a_scans_site_are_its_sites_too(pipeline: Pipeline) -> None:
    text = "A CT of the chest, abdomen, and pelvis showed no metastasis."
    ct = mention(text, "CT", DIAGNOSTIC, site="chest")
    at = text.index("abdomen")
    ct.attributes.append(Attribute(name="site", start=at, end=at + 7, text="abdomen"))
    case = analyse(pipeline, text, [ct])
    assert pcs(case.mentions[0].codes)[0] == "BW25"  # was BW24, the chest and abdomen's


def test_a_device_told_as_what_was_removed_is_no_body_part_excised(pipeline: Pipeline) -> None:
    text = "The catheter was removed from the right internal jugular vein."
    removed = mention(text, "removed", site="right internal jugular vein")
    case = analyse(pipeline, text, [removed])
    # A Removal of the device, which the Index files under "Vein, Upper" (05PY), no Excision.
    assert pcs(case.mentions[0].codes) == []  # was 05BM, Excision of the jugular vein


def test_an_organ_word_within_a_longer_body_part_name_names_no_organ(
    coder: ProcedureCoder,
) -> None:
    # "Splenic flexure — use Transverse Colon": its "splenic" is no Spleen.
    assert coder.code("exploration", "splenic flexure") == []  # was 07JP, of the spleen
    assert [c.code for c in coder.code("resection", "splenic flexure")] == ["0DTL"]


def test_a_vessel_or_fluid_that_drains_into_a_place_is_no_drainage(pipeline: Pipeline) -> None:
    text = "The collateral vein drained into the inferior vena cava."
    flow = mention(text, "drained", site="inferior vena cava")
    assert pcs(analyse(pipeline, text, [flow]).mentions[0].codes) == []  # was 0690
    text = "The left pleural cavity was drained into a bag."
    done = mention(text, "drained", site="left pleural cavity")
    assert pcs(analyse(pipeline, text, [done]).mentions[0].codes) != []


def test_a_compound_of_regions_before_a_scan_names_them_all(pipeline: Pipeline) -> None:
    text = "Abdomen-pelvic CT scan showed no lymphadenopathy."
    ct = mention(text, "CT", DIAGNOSTIC, site="pelvic")
    assert pcs(analyse(pipeline, text, [ct]).mentions[0].codes)[0] == "BW21"  # was BR2C, pelvis
    text = "An ultrasound-guided biopsy of the liver was performed."
    biopsy = mention(text, "biopsy", DIAGNOSTIC, site="liver")
    assert pcs(analyse(pipeline, text, [biopsy]).mentions[0].codes)[0].startswith("0FB0")


def test_an_anastomosis_told_as_the_place_of_a_finding_is_no_procedure(pipeline: Pipeline) -> None:
    text = "CT revealed fluid collections related to the pancreatic anastomosis."
    place = mention(text, "anastomosis", site="pancreatic")
    assert pcs(analyse(pipeline, text, [place]).mentions[0].codes) == []  # was 0F1G, a Bypass
    text = "A side-to-side anastomosis of the pancreatic duct and the jejunum was performed."
    done = mention(text, "anastomosis", site="pancreatic duct")
    assert pcs(analyse(pipeline, text, [done]).mentions[0].codes) != []


def test_a_resection_of_an_organs_lesion_is_an_excision(pipeline: Pipeline) -> None:
    # Guideline B3.8: a resection takes all of a body part; a lesion's takes part of it.
    text = "He underwent resection of the liver and lung lesions."
    resection = mention(text, "resection", site="liver")
    assert pcs(analyse(pipeline, text, [resection]).mentions[0].codes)[0] == "0FB0"  # was 0FT0
    text = "The tumors were resected with the left ovary."
    resected = mention(text, "resected", site="left ovary")
    assert pcs(analyse(pipeline, text, [resected]).mentions[0].codes)[0] == "0UT1"


def test_blood_drained_to_an_extracorporeal_circuit_is_no_drainage(pipeline: Pipeline) -> None:
    text = (
        "Veno-venous ECMO was initiated. Blood was drained from the left femoral vein and "
        "returned to the right internal jugular vein."
    )
    ecmo = mention(text, "ECMO")
    ecmo = ecmo.model_copy(update={"expansion": "extracorporeal membrane oxygenation"})
    drained = mention(text, "drained", site="left femoral vein", number=2)
    case = analyse(pipeline, text, [ecmo, drained])
    assert [c.code for c in case.codes] == ["5A15"]  # was 069N, Drainage of the femoral vein


def test_a_procedure_naming_a_place_or_a_candidate_is_no_procedure(pipeline: Pipeline) -> None:
    text = "She was transferred to a liver transplant center, where she was deemed no candidate."
    center = mention(text, "liver transplant")
    assert pcs(analyse(pipeline, text, [center]).mentions[0].codes) == []  # was 0FY00Z


def test_a_closure_is_no_occlusion(pipeline: Pipeline) -> None:
    text = "Transection and closure of the abdominal esophagus and gastric stump were performed."
    closure = mention(text, "closure", site="abdominal esophagus")
    assert pcs(analyse(pipeline, text, [closure]).mentions[0].codes) == []  # was 0DL3


def test_an_opening_told_closed_or_reversed_is_no_procedure_done(pipeline: Pipeline) -> None:
    text = "He underwent closure of the loop ileostomy three months later."
    ileostomy = mention(text, "ileostomy")
    assert pcs(analyse(pipeline, text, [ileostomy]).mentions[0].codes) == []  # was 0D1B, Bypass
    text = "The cord was sutured and the hysterotomy was closed."
    hysterotomy = mention(text, "hysterotomy")
    assert pcs(analyse(pipeline, text, [hysterotomy]).mentions[0].codes) == []  # was 0U99


def test_an_indefinite_procedure_of_its_own_site_is_another_procedure(pipeline: Pipeline) -> None:
    text = (
        "The liver was transplanted using a piggy-back caval anastomosis. Later, the jejunum "
        "was resected, and an end-to-end anastomosis of the jejunum was performed."
    )
    caval = mention(text, "anastomosis")
    jejunal = mention(text, "anastomosis", number=2, after=text.index("end-to"))
    at = text.rindex("jejunum")
    jejunal.attributes.append(Attribute(name="site", start=at, end=at + 7, text="jejunum"))
    case = analyse(pipeline, text, [caval, jejunal])
    assert pcs(case.mentions[0].codes) == []  # was 0D1A, the jejunum's anastomosis lent its site


def test_a_total_removal_is_whole_whatever_part_another_took(pipeline: Pipeline) -> None:
    text = "Total gastrectomy and resection of parts of the abdominal wall were performed."
    gastrectomy = mention(text, "gastrectomy")
    resection = mention(text, "resection", site="parts", number=2)
    case = analyse(pipeline, text, [gastrectomy, resection])
    assert pcs(case.mentions[0].codes)[0] == "0DT6"  # was 0DB6, an Excision of the stomach


def test_a_vein_that_drains_a_region_is_no_drainage(pipeline: Pipeline) -> None:
    text = "The cortical vein drained the left frontal region."
    flow = mention(text, "drained", site="left frontal region")
    assert pcs(analyse(pipeline, text, [flow]).mentions[0].codes) == []  # was 099T, the sinus


def test_the_imaging_that_guides_a_procedure_is_no_scan_of_its_own(pipeline: Pipeline) -> None:
    text = (
        "Neck ultrasound showed a nodule. A drain was inserted under ultrasound guidance into "
        "the fluid collection above the bladder."
    )
    scan = mention(text, "ultrasound", DIAGNOSTIC, site="Neck")
    guide = mention(text, "ultrasound", DIAGNOSTIC, number=2, after=text.index("under"))
    case = analyse(pipeline, text, [scan, guide])
    assert pcs(case.mentions[1].codes) == []  # was BW4FZZZ, the neck scan's
    assert [c.code for c in case.codes] == ["BW4FZZZ"]


def test_an_aspirate_of_fluid_is_a_drainage_no_excision(coder: ProcedureCoder) -> None:
    # "Aspiration, fine needle — Fluid or gas: see Drainage; Tissue biopsy: see Excision".
    assert coder.code("aspirate", "pus from the right clavicle")[0].code == "0P993Z"  # was 0PB93ZX
    assert coder.code("needle aspiration biopsy", "liver lesion")[0].code == "0FB03ZX"


def test_a_whole_organ_removed_is_a_resection(pipeline: Pipeline) -> None:
    # Guideline B3.8: all of a body part cut out is a Resection, whatever verb tells it.
    text = "The uterus was removed."
    removed = mention(text, "removed", site="uterus")
    assert pcs(analyse(pipeline, text, [removed]).mentions[0].codes)[0] == "0UT9"  # was 0UB9
    text = "He had his gallbladder removed."
    removed = mention(text, "removed", site="gallbladder")
    assert pcs(analyse(pipeline, text, [removed]).mentions[0].codes)[0] == "0FT4"  # was 0FB4
    text = "Part of the stomach was removed."
    removed = mention(text, "removed", site="stomach")
    assert pcs(analyse(pipeline, text, [removed]).mentions[0].codes)[0] == "0DB6"
    text = "Tissues of the eye were removed."
    removed = mention(text, "removed", site="eye")
    assert pcs(analyse(pipeline, text, [removed]).mentions[0].codes)[0].startswith("08B")


def test_solid_matter_removed_is_an_extirpation(pipeline: Pipeline) -> None:
    # "Removal — solid matter: see Extirpation": the body part keeps its tissue.
    text = "The thrombus in the right atrium was removed."
    removed = mention(text, "removed", site="right atrium")
    assert pcs(analyse(pipeline, text, [removed]).mentions[0].codes)[0] == "02C6"  # was 02B6
    text = "Removal of the stones from the common bile duct was performed."
    removal = mention(text, "Removal", site="common bile duct")
    assert pcs(analyse(pipeline, text, [removal]).mentions[0].codes)[0] == "0FC9"  # was 0FB9
