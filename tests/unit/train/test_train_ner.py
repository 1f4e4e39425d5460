"""Training the mention extractor end to end on a tiny brat folder, and its gold conversion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from casebook.errors import CasebookError
from casebook.ingest.brat import parse_ann, read_brat
from casebook.ingest.brat_model import BratAnnotations, BratEntity
from casebook.model import Case, EntityType, Source, SourceFormat, Span
from casebook.nlp.lexicon_features import UNIT
from casebook.nlp.mentions import FLAT_HEAD, PHRASE_HEAD, MentionExtractor
from casebook.nlp.tokenizer import clinical_tokenizer
from casebook.train.lexicon_terms import vocabulary_terms
from casebook.train.ner import (
    NerSettings,
    batches,
    brat_to_doc,
    build_pipeline,
    load_examples,
    train,
    write_model_card,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

TINY = NerSettings(
    version="test",
    ner_labels=[EntityType.AGE, EntityType.SEX, EntityType.SIGN_SYMPTOM, EntityType.SEVERITY],
    phrase_labels=[EntityType.HISTORY],
    width=32,
    depth=1,
    embed_rows=500,
    epochs=40,
    dropout=0.0,
    learn_rate=0.01,
)


def _nlp() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.tokenizer = clinical_tokenizer(nlp)
    return nlp


def test_overlapping_gold_entities_keep_the_longer_and_phrases_go_to_their_own_group() -> None:
    text = "She had a history of severe asthma."
    ann = (
        "T1\tHistory 10 34\thistory of severe asthma\n"
        "T2\tSeverity 21 27\tsevere\n"
        "T3\tSign_symptom 21 34\tsevere asthma\n"
        "T4\tSign_symptom 28 34\tasthma\n"
    )
    gold = brat_to_doc(_nlp(), text, parse_ann(ann, text, "t.ann"), TINY)
    assert [(e.text, e.label_) for e in gold.ents] == [("severe asthma", "Sign_symptom")]
    phrases = gold.spans[PHRASE_HEAD]
    assert [(e.text, e.label_) for e in phrases] == [("history of severe asthma", "History")]


def test_gold_spans_are_trimmed_of_whitespace_tokens() -> None:
    text = "Pain\n\nand fever."
    entity = BratEntity(id="T1", type="Sign_symptom", fragments=[Span(start=0, end=6)], text="")
    gold = brat_to_doc(_nlp(), text, BratAnnotations(entities=[entity]), TINY)
    assert [e.text for e in gold.ents] == ["Pain"]


def test_clinical_tokenizer_splits_units_and_ratios() -> None:
    words = [t.text for t in _nlp().make_doc("EF=0.20 and 16 mg/dL. CT/MRI")]
    assert words == ["EF", "=", "0.20", "and", "16", "mg", "/", "dL", ".", "CT", "/", "MRI"]


def test_batches_follow_the_size_schedule() -> None:
    assert list(batches(list(range(7)), iter([2, 3, 5]))) == [[0, 1], [2, 3, 4], [5, 6]]


def test_a_trained_model_saves_loads_and_finds_mentions(tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    shutil.copytree(FIXTURES / "eval" / "brat", folder)
    examples = load_examples(build_pipeline(TINY), folder, TINY)
    assert len(examples) == 2
    model = train(TINY, examples * 4)
    model.to_disk(tmp_path / "model")
    card = write_model_card(tmp_path / "model", TINY, len(examples), 1.0, [])
    assert "Sign_symptom" in card.read_text(encoding="utf-8")

    document, _ = read_brat(folder / "case1.txt")
    case = Case(id="x", text=document.text, source=Source(format=SourceFormat.TEXT))
    found = MentionExtractor(tmp_path / "model")(case)
    Case.model_validate(found.model_dump())
    assert {(m.text, m.type) for m in found.mentions} >= {("54-year-old", EntityType.AGE)}


def test_a_missing_model_folder_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(CasebookError, match="CB-E012"):
        MentionExtractor(tmp_path / "nowhere")


def test_gold_tags_mark_every_token_outside_the_spans_as_outside() -> None:
    text = "She had a history of severe asthma."
    ann = "T1\tHistory 10 34\thistory of severe asthma\nT2\tSign_symptom 28 34\tasthma\n"
    nlp = build_pipeline(TINY)
    gold = brat_to_doc(nlp, text, parse_ann(ann, text, "t.ann"), TINY)
    example = Example(nlp.make_doc(text), gold)
    flat = nlp.get_pipe(FLAT_HEAD).gold_tags(example)
    phrases = nlp.get_pipe(PHRASE_HEAD).gold_tags(example)
    assert flat == ["O", "O", "O", "O", "O", "O", "U-Sign_symptom", "O"]
    assert phrases == ["O", "O", "O", "B-History", "I-History", "I-History", "L-History", "O"]


def test_a_model_reading_vocabulary_matches_saves_loads_and_tags_them(tmp_path: Path) -> None:
    settings = TINY.model_copy(update={"lexicon": ["pcs_procedure"], "epochs": 2})
    folder = tmp_path / "brat"
    shutil.copytree(FIXTURES / "eval" / "brat", folder)
    model = train(settings, load_examples(build_pipeline(settings), folder, settings))
    model.to_disk(tmp_path / "model")

    extractor = MentionExtractor(tmp_path / "model")
    doc = extractor.nlp("A cystectomy was done.")
    assert doc._.lexicon_tags[:, 0].tolist() == [0, UNIT, 0, 0, 0]


def test_vocabulary_terms_are_lower_cased_words_and_unknown_sources_are_refused() -> None:
    terms = vocabulary_terms(("hpo",))
    assert ["headache"] in terms["hpo"]
    with pytest.raises(ValueError, match="unknown lexicon sources"):
        vocabulary_terms(("snomed",))
