"""Training the mention extractor end to end on a tiny brat folder, and its gold conversion."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from casebook.errors import CasebookError
from casebook.eval.summary import cases_from, evaluate_summary
from casebook.ingest.brat import parse_ann, read_brat
from casebook.ingest.brat_model import BratAnnotations, BratEntity
from casebook.model import Case, EntityType, Source, SourceFormat, Span
from casebook.nlp.lexicon_features import UNIT
from casebook.nlp.mentions import FLAT_HEAD, PHRASE_HEAD, MentionExtractor
from casebook.nlp.tokenizer import clinical_tokenizer
from casebook.train.corpus import HeldOut
from casebook.train.lexicon_terms import vocabulary_terms
from casebook.train.manifest import ManifestBuilder
from casebook.train.ner import (
    NerSettings,
    SelfTrainingSettings,
    batches,
    brat_to_doc,
    build_pipeline,
    load_examples,
    pseudo_label,
    self_training_texts,
    train,
    train_and_save,
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
    manifest = ManifestBuilder(tmp_path).build("ner")
    card = write_model_card(tmp_path / "model", TINY, len(examples), 1.0, [], manifest)
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


def test_pseudo_labels_are_the_teachers_mentions_laid_out_as_gold(tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    shutil.copytree(FIXTURES / "eval" / "brat", folder)
    teacher = train(TINY, load_examples(build_pipeline(TINY), folder, TINY) * 4)
    text = "A 61-year-old man had a history of severe asthma and mild dyspnea."
    [example] = pseudo_label(teacher, [text])

    predicted = teacher(text)
    assert example.reference.text == text
    assert [(e.start, e.end, e.label_) for e in example.reference.ents] == [
        (e.start, e.end, e.label_) for e in predicted.ents
    ]
    assert [(s.start, s.end, s.label_) for s in example.reference.spans[PHRASE_HEAD]] == [
        (s.start, s.end, s.label_) for s in predicted.spans[PHRASE_HEAD]
    ]
    assert example.reference.ents, "the teacher found nothing to pass on"


def test_a_student_learns_what_only_the_pseudo_labelled_texts_teach(tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    shutil.copytree(FIXTURES / "eval" / "brat", folder)
    settings = TINY.model_copy(
        update={"self_training": SelfTrainingSettings(corpora=["x"], per_gold=1.0)}
    )
    nlp = build_pipeline(settings)
    gold = load_examples(nlp, folder, settings) * 4
    taught = nlp.make_doc("The man reported qorvexia.")
    taught.ents = [spacy.tokens.Span(taught, 3, 4, label="Sign_symptom")]
    pseudo = [Example(nlp.make_doc(taught.text), taught)] * 8

    student = train(settings, gold, pseudo=pseudo)
    without = train(settings, gold)

    def found(model: spacy.language.Language) -> list[tuple[str, str]]:
        return [(e.text, e.label_) for e in model("The man reported qorvexia.").ents]

    assert ("qorvexia", "Sign_symptom") in found(student)
    assert ("qorvexia", "Sign_symptom") not in found(without)


def _corpus(data: Path, texts: list[str]) -> None:
    (data / "pmc-patients").mkdir(parents=True)
    lines = [json.dumps({"patient_uid": str(i), "text": t}) for i, t in enumerate(texts)]
    (data / "pmc-patients" / "corpus.jsonl").write_text("\n".join(lines) + "\n")


def test_self_training_draws_unlabelled_texts_that_share_no_text_with_the_gold(
    tmp_path: Path,
) -> None:
    brat = tmp_path / "maccrobat2020"
    shutil.copytree(FIXTURES / "eval" / "brat", brat)
    gold_text = "The patient, a 54-year-old woman, denied chest pain but reported mild dyspnea."
    (brat / "case3.txt").write_text(gold_text, encoding="utf-8")
    others = [f"Patient {i} had a cough for {i} days.\\nShe recovered." for i in range(10)]
    _corpus(tmp_path, [*others, f"Reported again: {gold_text}"])
    settings = SelfTrainingSettings(corpora=["pmc-patients/corpus.jsonl"], texts=4)

    held_out = HeldOut(tmp_path)
    drawn = [t.text for t in self_training_texts(tmp_path, settings, held_out)]

    assert len(drawn) == 4
    assert all("\\n" not in text and "\n" in text for text in drawn)
    assert drawn == [t.text for t in self_training_texts(tmp_path, settings, held_out)]
    every = self_training_texts(tmp_path, settings.model_copy(update={"texts": 50}), held_out)
    assert len(every) == 10 and not any(gold_text in t.text for t in every)


def test_training_with_folds_in_two_processes_writes_the_model_and_every_folds_scores(
    tmp_path: Path,
) -> None:
    shutil.copytree(FIXTURES / "eval" / "brat", tmp_path / "maccrobat2020")
    _corpus(tmp_path, ["A 40-year-old woman reported mild chest pain and dyspnea."] * 3)
    settings = TINY.model_copy(
        update={
            "epochs": 5,
            "self_training": SelfTrainingSettings(corpora=["pmc-patients/corpus.jsonl"]),
        }
    )

    held = tmp_path / "held-out"
    card = train_and_save(
        tmp_path, tmp_path / "model", settings, folds=2, workers=2, predictions=held
    )

    # Every document's case, by the fold model that never saw it, for the summary benchmark.
    assert sorted(p.name for p in held.iterdir()) == ["case1.json", "case2.json"]
    report = evaluate_summary(tmp_path / "maccrobat2020", cases_from(held), trained=())
    assert report.docs == 2 and not report.in_sample
    text = card.read_text(encoding="utf-8")
    assert "| 0 | 1 |" in text and "| 1 | 1 |" in text
    assert "Self-training: the model trained on the gold documents labelled 2000" in text
    assert "## Intended use" in text and "not diagnosis" in text
    assert "| type | strict F1 | folds |" in text and "| Age |" in text
    assert "## Known failure modes" in text
    MentionExtractor(tmp_path / "model")
