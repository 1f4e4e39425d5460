"""The knowledge base, candidate generation and linking policy on a hand-written HPO slice."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.errors import CasebookError, ErrorCode
from casebook.kb import (
    Candidate,
    CandidateGenerator,
    Concept,
    KnowledgeBase,
    LinkingPolicy,
    normalize_alias,
    prune_ancestors,
)
from casebook.kb.acronym_senses import RESOURCE as ACRONYM_SENSES
from casebook.kb.acronym_senses import AcronymSenses
from casebook.kb.hpo import PHENOTYPIC_ABNORMALITY, load_hpo, read_hpo_resource
from casebook.model import CodeSystem
from casebook.resources import load_rules

SLICE = [
    Concept("HP:0000118", "Phenotypic abnormality"),
    Concept("HP:0000707", "Abnormality of the nervous system", (), ("HP:0000118",)),
    Concept("HP:0012638", "Abnormal nervous system physiology", (), ("HP:0000707",)),
    Concept("HP:0001250", "Seizure", ("Epileptic seizure", "Seizures"), ("HP:0012638",)),
    Concept("HP:0002197", "Generalized-onset seizure", ("Generalized seizures",), ("HP:0001250",)),
    Concept("HP:0000252", "Microcephaly", ("Small head",), ("HP:0000707",)),
    Concept("HP:0000598", "Abnormality of the ear", (), ("HP:0000118",)),
    Concept("HP:0000365", "Hearing impairment", ("Hearing loss", "Deafness"), ("HP:0000598",)),
    Concept("HP:0000407", "Sensorineural hearing impairment", (), ("HP:0000365",)),
    Concept("HP:0001903", "Anemia", ("Anaemia",), ("HP:0000118",)),
    Concept("HP:0001631", "Atrial septal defect", ("ASD",), ("HP:0000118",)),
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(SLICE, CodeSystem.HPO, version="test")


def test_normalisation() -> None:
    assert normalize_alias("Seizures") == normalize_alias("seizure") == "seizure"
    assert normalize_alias("hearing-loss") == normalize_alias("Hearing  loss") == "hearing loss"
    assert normalize_alias("Haemorrhage") == normalize_alias("hemorrhage")
    assert normalize_alias("anaemia") == normalize_alias("anemia")
    assert normalize_alias("Oedema") == "edema"
    assert normalize_alias("tumours") == "tumor"
    assert normalize_alias("Generalised seizures") == "generalized seizure"
    assert normalize_alias("Abnormalities of the ear") == "abnormality of ear"
    assert normalize_alias("ptosis") == "ptosis"  # not a plural
    # Plurals in "-as" match their singular: "acoustic neuromas" is "Acoustic neuroma".
    assert normalize_alias("acoustic neuromas") == normalize_alias("Acoustic neuroma")
    assert normalize_alias("hernias") == normalize_alias("hernia")
    # Plurals in "-es" of singulars that end in no "-e" match them too.
    for plural, singular in [
        ("skin rashes", "skin rash"),
        ("cafe-au-lait patches", "cafe-au-lait patch"),
        ("abdominal masses", "abdominal mass"),
        ("brisk reflexes", "brisk reflex"),
        ("paranasal sinuses", "paranasal sinus"),
    ]:
        assert normalize_alias(plural) == normalize_alias(singular)
    assert normalize_alias("headaches") == normalize_alias("headache") == "headache"
    assert normalize_alias("causes") == "cause"


def test_maps_and_ancestors(kb: KnowledgeBase) -> None:
    assert len(kb) == len(SLICE)
    assert kb.lookup("seizures") == {"HP:0001250"}
    assert kb.lookup("Hearing-loss") == {"HP:0000365"}
    assert kb.concept("HP:0000407").parents == ("HP:0000365",)
    assert kb.ancestors("HP:0002197") == {
        "HP:0001250",
        "HP:0012638",
        "HP:0000707",
        "HP:0000118",
    }
    assert kb.descendants("HP:0000365") == {"HP:0000407"}
    assert kb.children("HP:0000707") == ("HP:0012638", "HP:0000252")
    with pytest.raises(ValueError, match="twice"):
        KnowledgeBase([SLICE[0], SLICE[0]], CodeSystem.HPO)


def test_candidates_scores(kb: KnowledgeBase) -> None:
    generator = CandidateGenerator(kb)
    assert generator.candidates("seizures") == [
        Candidate(1.0, "HP:0001250", "Seizure"),
        Candidate(0.6667, "HP:0002197", "Generalized seizures"),
    ]
    # {sensorineural, hearing, loss} vs {sensorineural, hearing, impairment}: 2*2/6
    assert generator.candidates("sensorineural hearing loss", limit=2) == [
        Candidate(0.8, "HP:0000365", "Hearing loss"),
        Candidate(0.6667, "HP:0000407", "Sensorineural hearing impairment"),
    ]
    assert generator.candidates("fracture") == []


def test_a_minimum_score_only_drops_weaker_candidates(kb: KnowledgeBase) -> None:
    generator = CandidateGenerator(kb)
    assert generator.candidates("sensorineural hearing loss", min_score=0.8) == [
        Candidate(0.8, "HP:0000365", "Hearing loss")
    ]
    assert generator.candidates("seizures", min_score=0.7) == [
        Candidate(1.0, "HP:0001250", "Seizure")
    ]
    # 2·1/(2 + 1) rounds to 0.6667: the rounded score is what must reach the minimum.
    assert generator.candidates("anemia fracture", min_score=0.6667) == [
        Candidate(0.6667, "HP:0001903", "Anaemia")
    ]


SPAN_WORDS = st.lists(
    st.sampled_from(
        [
            "hearing",
            "loss",
            "seizure",
            "generalized",
            "small",
            "head",
            "septal",
            "atrial",
            "defect",
            "anemia",
            "sensorineural",
            "impairment",
            "fracture",
            "epileptic",
            "of",
        ]
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(words=SPAN_WORDS, min_score=st.sampled_from([0.0, 0.3, 0.5, 0.6667, 0.8, 0.9, 1.0]))
def test_a_minimum_score_equals_cutting_the_full_ranking(
    kb: KnowledgeBase, words: list[str], min_score: float
) -> None:
    # The pruned search (prefix filtering) must find every candidate the full one does.
    generator = CandidateGenerator(kb, max_posting=2)
    text = " ".join(words)
    full = generator.candidates(text, limit=len(SLICE))
    assert (
        generator.candidates(text, limit=3, min_score=min_score)
        == [c for c in full if c.score >= min_score][:3]
    )


@settings(max_examples=300, deadline=None)
@given(
    aliases=st.lists(SPAN_WORDS.map(" ".join), min_size=1, max_size=12),
    words=SPAN_WORDS,
    min_score=st.sampled_from([0.0, 0.3, 0.5, 0.6667, 0.8, 0.9, 1.0]),
)
def test_candidates_are_the_best_dice_over_every_alias(
    aliases: list[str], words: list[str], min_score: float
) -> None:
    # Prefix and length filtering skip aliases unread; scoring every alias must agree.
    kb = KnowledgeBase(
        [Concept(f"C:{number}", alias) for number, alias in enumerate(aliases)], CodeSystem.HPO
    )
    query = set(words)
    expected = []
    for number, alias in enumerate(aliases):
        alias_words = set(alias.split())
        score = round(2 * len(query & alias_words) / (len(query) + len(alias_words)), 4)
        if score > 0 and score >= min_score:
            expected.append(Candidate(score, f"C:{number}", alias))
    expected.sort(key=lambda c: (-c.score, c.concept_id))
    generator = CandidateGenerator(kb, min_alias_chars=1)
    found = generator.candidates(" ".join(words), limit=4, min_score=min_score)
    assert found == expected[:4]


def test_a_concept_named_twice_in_one_posting_keeps_its_first_alias_on_a_tie() -> None:
    # A one-word span scores the aliases of its word's posting as they are, without a copy.
    kb = KnowledgeBase(
        [
            Concept("C:1", "Pits of ear", ("Ear pits", "Pit")),
            Concept("C:2", "Ear tag", ("Preauricular pits",)),
        ],
        CodeSystem.HPO,
    )
    generator = CandidateGenerator(kb, min_alias_chars=1)
    assert generator.candidates("pits", limit=2, min_score=0.5) == [
        Candidate(1.0, "C:1", "Pit"),
        Candidate(0.6667, "C:2", "Preauricular pits"),
    ]
    assert generator.candidates("ear", limit=2, min_score=0.5) == [
        Candidate(0.6667, "C:1", "Ear pits"),
        Candidate(0.6667, "C:2", "Ear tag"),
    ]


def test_common_words_count_in_the_score_without_proposing_aliases(kb: KnowledgeBase) -> None:
    # "seizure" is in four aliases, more than max_posting: it proposes none of them alone.
    generator = CandidateGenerator(kb, max_posting=2)
    assert generator.candidates("epileptic seizures") == [
        Candidate(1.0, "HP:0001250", "Epileptic seizure")
    ]
    assert generator.candidates("generalized seizure") == [
        Candidate(1.0, "HP:0002197", "Generalized seizures")
    ]
    # Only common words: the alias spelled by exactly those words, if there is one.
    assert generator.candidates("Seizures") == [Candidate(1.0, "HP:0001250", "Seizure")]
    assert generator.candidates("focal seizure") == []


def test_find_longest_match_and_case(kb: KnowledgeBase) -> None:
    generator = CandidateGenerator(kb)
    text = "Generalised seizures, anaemia and an ASD; no asd. Hearing. Loss"
    found = [(text[m.start : m.end], m.concept_ids) for m in generator.find(text)]
    assert found == [
        ("Generalised seizures", ("HP:0002197",)),
        ("anaemia", ("HP:0001903",)),
        ("ASD", ("HP:0001631",)),
    ]


def test_an_ambiguous_acronym_matches_only_where_its_long_form_is_written(
    kb: KnowledgeBase,
) -> None:
    # Case reports define "ASD" as something else often enough: undefined, it names nothing.
    generator = CandidateGenerator(kb, ambiguous_acronyms={"ASD": ("atrial septal defect",)})
    assert generator.find("She had an ASD.") == []
    assert not generator.spells("ASD", "ASD")
    assert generator.nested("She had an ASD repair.", 11, 21) == []
    text = "An atrial septal-defect (ASD) was closed; the ASD had grown."
    assert [text[m.start : m.end] for m in generator.find(text)] == [
        "atrial septal-defect",
        "ASD",
        "ASD",
    ]


def test_the_packaged_acronym_inventory_reads_case_reports() -> None:
    # HPO's "LFT" is a lipoma of the filum terminale; case reports define it as liver
    # function tests, and "RA" as the right atrium more often than rheumatoid arthritis.
    senses = load_rules(ACRONYM_SENSES, AcronymSenses)
    ambiguous = senses.ambiguous()
    assert "lipoma of filum terminale" in ambiguous["LFT"]
    assert ambiguous["RA"] == ("rheumatoid arthritis",)
    assert "ASD" not in ambiguous and "COPD" not in ambiguous
    generator = CandidateGenerator(load_hpo())
    assert [m.concept_ids for m in generator.find("Her LFT and RA were normal.")] == []


def test_an_acronym_case_reports_rarely_define_names_nothing_undefined() -> None:
    # Its senses in case reports are unknown: "the cause of the HCM" may be a hypercalcaemia.
    assert (
        "hypertrophic cardiomyopathy"
        in load_rules(ACRONYM_SENSES, AcronymSenses).ambiguous()["HCM"]
    )
    generator = CandidateGenerator(load_hpo())
    assert generator.find("Calcitriol was the cause of the HCM.") == []
    text = "She had hypertrophic cardiomyopathy (HCM); the HCM progressed."
    assert [text[m.start : m.end] for m in generator.find(text)][-1] == "HCM"


def test_policy_and_pruning(kb: KnowledgeBase) -> None:
    assert prune_ancestors(kb, ["HP:0001250", "HP:0002197", "HP:0000252"]) == {
        "HP:0002197",
        "HP:0000252",
    }
    tied = [
        Candidate(0.9, "HP:0001250", "Seizure"),
        Candidate(0.9, "HP:0002197", "Generalized seizures"),
        Candidate(0.5, "HP:0000252", "Microcephaly"),
    ]
    policy = LinkingPolicy(threshold=0.8, max_accepted=5, prune_ancestors=True)
    assert policy.accept(kb, tied) == [Candidate(0.9, "HP:0002197", "Generalized seizures")]
    keep_all = LinkingPolicy(threshold=0.8, max_accepted=5, prune_ancestors=False)
    assert [c.concept_id for c in keep_all.accept(kb, tied)] == ["HP:0001250", "HP:0002197"]
    # A weaker descendant does not displace an exact match of its ancestor.
    exact = [Candidate(1.0, "HP:0001250", "Seizure"), tied[1]]
    assert [c.concept_id for c in policy.accept(kb, exact)] == ["HP:0001250", "HP:0002197"]
    assert LinkingPolicy(threshold=0.8).accept(kb, exact) == [exact[0]]


def test_packaged_resource_holds_the_phenotypic_abnormality_subtree() -> None:
    load_hpo.cache_clear()
    kb = load_hpo()
    assert kb.version.startswith("hp/releases/")
    below = kb.descendants(PHENOTYPIC_ABNORMALITY)
    assert len(below) > 15000
    assert set(kb.concepts) == below | {PHENOTYPIC_ABNORMALITY}
    assert "HP:0001250" in below
    assert "HP:0000005" not in kb  # Mode of inheritance: outside the subtree
    assert kb.lookup("seizures") == {"HP:0001250"}


def test_bad_resource_is_cb_e012(tmp_path: Path) -> None:
    bad = tmp_path / "hpo.json"
    bad.write_text('{"format": 1, "concepts": [["HP:1"]]}', encoding="utf-8")
    with pytest.raises(CasebookError) as caught:
        read_hpo_resource(bad)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    with pytest.raises(CasebookError) as caught:
        read_hpo_resource(tmp_path / "missing.json.gz")
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_nested_matches_lie_within_a_span_and_follow_finds_rules(kb: KnowledgeBase) -> None:
    generator = CandidateGenerator(kb, whole_compounds=True)
    text = "Generalised seizures, hearing-loss"
    nested = [text[m.start : m.end] for m in generator.nested(text, 0, len(text))]
    # "seizures" lies within; nothing crosses the comma, nor starts inside "hearing-loss".
    assert "seizures" in nested
    assert "Generalised seizures" in nested  # short of the whole span given
    assert all("," not in n and n != "loss" for n in nested)
    assert generator.nested(text, 0, len("Generalised seizures")) == [
        m for m in generator.nested(text, 0, len(text)) if m.key == "seizure"
    ]


def test_added_synonyms_are_looked_up_and_fingerprinted_apart() -> None:
    kb = KnowledgeBase(SLICE, CodeSystem.HPO, version="test", fingerprint="hpo")
    wider = kb.with_synonyms({"HP:0001903": ["Low haemoglobin", "Anaemia"]})
    assert wider.lookup("low haemoglobin") == {"HP:0001903"}
    assert wider.concept("HP:0001903").synonyms == ("Anaemia", "Low haemoglobin")
    assert kb.lookup("low haemoglobin") == frozenset()
    assert wider.fingerprint not in ("", kb.fingerprint)
    with pytest.raises(KeyError):
        kb.with_synonyms({"HP:9999999": ["nothing"]})
