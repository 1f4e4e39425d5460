"""Lexicon mentions: one sentence per rule, and the model's mentions always win."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.caseless import folded_pattern
from casebook.model import Case, EntityType, Mention, Source, SourceFormat
from casebook.nlp.lexicon import LexiconMentions


def _case(text: str, mentions: list[Mention] | None = None) -> Case:
    return Case(id="t", text=text, source=Source(format=SourceFormat.TEXT), mentions=mentions or [])


@pytest.fixture(scope="module")
def lexicon() -> LexiconMentions:
    return LexiconMentions()


@pytest.mark.parametrize(
    ("sentence", "words", "kind"),
    [
        ("The patient made a full recovery.", "full recovery", EntityType.OUTCOME),
        ("The patient made a remarkable recovery.", "remarkable recovery", EntityType.OUTCOME),
        ("She reported improvement in symptoms.", "improvement", EntityType.OUTCOME),
        ("He died two days later.", "died", EntityType.OUTCOME),
        (
            "The postoperative course was uneventful.",
            "postoperative course was uneventful",
            EntityType.OUTCOME,
        ),
        (
            "She was discharged in good condition on day 9.",
            "discharged in good condition",
            EntityType.OUTCOME,
        ),
        (
            "She has remained asymptomatic for two years.",
            "has remained asymptomatic",
            EntityType.OUTCOME,
        ),
        ("She ultimately succumbed to her illness.", "succumbed", EntityType.OUTCOME),
        # A patient who stays well, or is relieved from a finding, is how the case ended;
        # the health before the illness and a finding not relieved are not.
        ("He is well without evidence of recurrence.", "is well", EntityType.OUTCOME),
        ("She has remained well since.", "has remained well", EntityType.OUTCOME),
        ("She was well until 8 weeks before admission.", "was well", None),
        ("The drug was well tolerated.", "was well", None),
        ("The patient was relieved from hypoglycemic attacks.", "relieved", EntityType.OUTCOME),
        ("She was not relieved of her symptoms.", "relieved", None),
        ("Ileus followed, which was fatal for our patient.", "fatal", EntityType.OUTCOME),
        # A wound that healed is how it turned out; a healed scar is an old one.
        ("The wound healed uneventfully.", "healed", EntityType.OUTCOME),
        ("Three weeks later, the lesion had healed.", "healed", EntityType.OUTCOME),
        ("She had a healed cholecystectomy scar.", "healed", None),
        ("There was a well-healed scar.", "healed", None),
        (
            "The clinical course was subsequently uneventful.",
            "clinical course was subsequently uneventful",
            EntityType.OUTCOME,
        ),
        # A postoperative period, a patient doing well after treatment, discharged
        # asymptomatic or free of the disease are how the case ended; health before the
        # illness ("did well for 12 years, until", "disease free for 3 years until") is not.
        (
            "Postoperative period was uneventful.",
            "Postoperative period was uneventful",
            EntityType.OUTCOME,
        ),
        ("The patient did well postoperatively.", "did well", EntityType.OUTCOME),
        ("She did well for 12 years, until she presented again.", "did well", None),
        (
            "She was discharged home asymptomatic.",
            "discharged home asymptomatic",
            EntityType.OUTCOME,
        ),
        ("He is disease-free after five years.", "is disease-free", EntityType.OUTCOME),
        ("He remained disease free for 3 years until he relapsed.", "remained disease free", None),
        (
            "He was commenced on immune checkpoint inhibitors.",
            "immune checkpoint inhibitors",
            EntityType.MEDICATION,
        ),
        (
            "An epidural blood patch was performed.",
            "blood patch",
            EntityType.THERAPEUTIC_PROCEDURE,
        ),
        (
            "She completed her chemotherapy regimen.",
            "chemotherapy regimen",
            EntityType.THERAPEUTIC_PROCEDURE,
        ),
        (
            "Fluid was sent for asialotransferrin assay.",
            "asialotransferrin assay",
            EntityType.DIAGNOSTIC_PROCEDURE,
        ),
        ("Blood cultures were negative.", "Blood cultures", EntityType.DIAGNOSTIC_PROCEDURE),
        (
            "The bleeding and clotting time were normal.",
            "bleeding and clotting time",
            EntityType.DIAGNOSTIC_PROCEDURE,
        ),
        (
            "High-flow nasal oxygen was given.",
            "High-flow nasal oxygen",
            EntityType.THERAPEUTIC_PROCEDURE,
        ),
        ("Her home oxygen saturation was 91%.", "home oxygen", None),
        ("ECT was delivered three times a week.", "ECT", EntityType.THERAPEUTIC_PROCEDURE),
        (
            "A double-J ureteral stent was placed.",
            "double-J ureteral stent",
            EntityType.THERAPEUTIC_PROCEDURE,
        ),
        (
            "Patient was also placed on hypothermia protocol.",
            "hypothermia protocol",
            EntityType.THERAPEUTIC_PROCEDURE,
        ),
        ("Three bullets were recovered postmortem.", "recovered", None),
        ("A bullet was recovered from the pelvic bone.", "recovered", None),
        ("He was recovered to an alert state.", "recovered", EntityType.OUTCOME),
        (
            "Intravenous immunoglobulin was given.",
            "Intravenous immunoglobulin",
            EntityType.MEDICATION,
        ),
        ("He was prescribed statins and aspirin.", "statins", EntityType.MEDICATION),
        ("She was prescribed antihypertensives.", "antihypertensives", EntityType.MEDICATION),
        ("Nystatin was given.", "Nystatin", None),
        # The receptor and the class word name the drug together, not "beta" alone.
        ("He was given a beta 2 agonist.", "beta 2 agonist", EntityType.MEDICATION),
        (
            "She used a long-acting beta2-agonist.",
            "long-acting beta2-agonist",
            EntityType.MEDICATION,
        ),
    ],
)
def test_a_lexicon_phrase_becomes_a_mention(
    lexicon: LexiconMentions, sentence: str, words: str, kind: EntityType | None
) -> None:
    found = lexicon(_case(sentence)).mentions
    assert [(m.text, m.type) for m in found] == ([(words, kind)] if kind else [])


def test_a_determiner_is_not_an_assay_name(lexicon: LexiconMentions) -> None:
    assert lexicon(_case("The assay was repeated.")).mentions == []


def test_a_mention_crossing_the_match_wins(lexicon: LexiconMentions) -> None:
    text = "A blood patch test was performed."
    model = Mention(
        id="m1", start=8, end=18, text="patch test", type=EntityType.DIAGNOSTIC_PROCEDURE
    )
    found = lexicon(_case(text, [model])).mentions
    assert found == [model]


def test_fragments_inside_the_match_give_way_to_it(lexicon: LexiconMentions) -> None:
    text = "A blood patch was performed."
    blood = Mention(id="m1", start=2, end=7, text="blood", type=EntityType.BIOLOGICAL_STRUCTURE)
    patch = Mention(id="m2", start=8, end=13, text="patch", type=EntityType.SIGN_SYMPTOM)
    found = lexicon(_case(text, [blood, patch])).mentions
    assert [(m.text, m.type) for m in found] == [("blood patch", EntityType.THERAPEUTIC_PROCEDURE)]


def test_a_model_mention_of_the_same_words_is_kept(lexicon: LexiconMentions) -> None:
    text = "He died."
    model = Mention(id="m1", start=3, end=7, text="died", type=EntityType.SIGN_SYMPTOM)
    assert lexicon(_case(text, [model])).mentions == [model]


def test_new_mentions_get_fresh_ids_in_text_order(lexicon: LexiconMentions) -> None:
    text = "She died after chemotherapy; fever was noted."
    fever = Mention(id="m1", start=29, end=34, text="fever", type=EntityType.SIGN_SYMPTOM)
    found = lexicon(_case(text, [fever])).mentions
    assert [m.text for m in found] == ["died", "chemotherapy", "fever"]
    assert len({m.id for m in found}) == 3


@pytest.mark.parametrize(
    ("sentence", "start", "end", "model_type", "words", "kind"),
    [
        (
            "Clear discharge came from the wound.",
            6,
            15,
            EntityType.CLINICAL_EVENT,
            "discharge",
            EntityType.SIGN_SYMPTOM,
        ),
        (
            "A dural tear was seen.",
            2,
            12,
            EntityType.BIOLOGICAL_STRUCTURE,
            "dural tear",
            EntityType.SIGN_SYMPTOM,
        ),
        (
            "She made a full recovery.",
            11,
            24,
            EntityType.THERAPEUTIC_PROCEDURE,
            "full recovery",
            EntityType.OUTCOME,
        ),
        (
            "He finally succumbed to the disease.",
            11,
            20,
            EntityType.CLINICAL_EVENT,
            "succumbed",
            EntityType.OUTCOME,
        ),
        (
            "She described radiation of the chest pain to the jaw.",
            14,
            23,
            EntityType.THERAPEUTIC_PROCEDURE,
            "radiation",
            EntityType.DETAILED_DESCRIPTION,
        ),
        (
            "The portal vein drained into inferior vena cava.",
            16,
            23,
            EntityType.THERAPEUTIC_PROCEDURE,
            "drained",
            EntityType.DETAILED_DESCRIPTION,
        ),
        (
            "IVIg (0.4 g/kg/day) was started.",
            0,
            4,
            EntityType.SIGN_SYMPTOM,
            "IVIg",
            EntityType.MEDICATION,
        ),
        (
            "He was started on a statin.",
            20,
            26,
            EntityType.DIAGNOSTIC_PROCEDURE,
            "statin",
            EntityType.MEDICATION,
        ),
        (
            "She was given NSAIDs.",
            14,
            20,
            EntityType.DISEASE_DISORDER,
            "NSAIDs",
            EntityType.MEDICATION,
        ),
    ],
)
def test_a_model_mention_read_in_the_wrong_sense_is_retyped(
    lexicon: LexiconMentions,
    sentence: str,
    start: int,
    end: int,
    model_type: EntityType,
    words: str,
    kind: EntityType,
) -> None:
    model = Mention(id="m1", start=start, end=end, text=sentence[start:end], type=model_type)
    found = lexicon(_case(sentence, [model])).mentions
    assert [(m.text, m.type) for m in found] == [(words, kind)]


def test_a_hospital_discharge_stays_a_clinical_event(lexicon: LexiconMentions) -> None:
    text = "On discharge she went home."
    model = Mention(id="m1", start=3, end=12, text="discharge", type=EntityType.CLINICAL_EVENT)
    assert lexicon(_case(text, [model])).mentions == [model]


def test_a_defect_named_by_a_determiner_is_not_a_phrase(lexicon: LexiconMentions) -> None:
    assert lexicon(_case("The defect was closed.")).mentions == []


@pytest.mark.parametrize(
    "text",
    [
        "A CSF Leak at 38\u00b0C was seen.",  # a non-ASCII mark: the folded scan
        "A CSF Leak at \u0663 cm was seen.",  # a non-ASCII digit: the case-insensitive scan
    ],
)
def test_a_phrase_in_any_case_keeps_its_words_and_offsets(
    lexicon: LexiconMentions, text: str
) -> None:
    (found,) = lexicon(_case(text)).mentions
    assert (found.text, found.start, found.end) == ("CSF Leak", 2, 10)


LEXICON_FRAGMENTS = [
    "full recovery",
    "Full Recovery",
    "died",
    "was recovered",
    "recovered fully",
    "clear discharge",
    "discharge from the wound",
    "dural tear",
    "CSF leak",
    "blood patch",
    "epidural",
    "improvement",
    "no recurrence",
    "-",
    " ",
    ". ",
    "\u00b0",
    "\u017f",
]
"""Lexicon phrases, their pieces, and characters the folded scan stands in for."""


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(LEXICON_FRAGMENTS), max_size=20))
def test_one_scan_finds_what_each_pattern_scanning_the_text_finds(
    lexicon: LexiconMentions, pieces: list[str]
) -> None:
    text = "".join(pieces)
    scanning = LexiconMentions()
    scanning.__dict__["_folded_starts"] = None  # every pattern scans the whole text
    found = [(m.start, m.end, m.type) for m in lexicon(_case(text)).mentions]
    assert found == [(m.start, m.end, m.type) for m in scanning(_case(text)).mentions]


def test_every_packaged_pattern_runs_over_folded_text(lexicon: LexiconMentions) -> None:
    # One pattern that folding refuses makes every entry scan the whole text for itself.
    refused = [p for e in lexicon.lexicon.entries for p in e.patterns if folded_pattern(p) is None]
    assert refused == []
