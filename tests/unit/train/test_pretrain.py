"""Pretraining the tok2vec on unlabelled text, and training the heads on top of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy
import pytest
from pydantic import ValidationError
from thinc.api import fix_random_seed

from casebook.blas import use_openblas
from casebook.model import EntityType
from casebook.train.corpus import CorpusText, HeldOut, iter_corpus_texts
from casebook.train.ner import NerSettings, build_pipeline, load_examples, train
from casebook.train.pretrain import MASK, TOK2VEC, PretrainSettings, mask_docs, pretrain_tok2vec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

SETTINGS = NerSettings(
    version="test",
    ner_labels=[EntityType.AGE, EntityType.SIGN_SYMPTOM],
    width=32,
    depth=1,
    embed_rows=500,
    epochs=1,
    lexicon=["pcs_procedure"],
)
TEXTS = [
    "A 54-year-old man presented with fever and a cough.",
    "The cystectomy was done under general anaesthesia.",
    "She reported a severe headache and nausea for two days.",
    "Blood cultures grew Staphylococcus aureus.",
]
PRETRAIN = PretrainSettings(
    corpora=["notes/*.txt"],
    passes=120,
    batch_words=20,
    hidden_size=32,
    learn_rate=0.01,
)


def _params(weights: bytes) -> list[numpy.ndarray]:
    nlp = build_pipeline(SETTINGS)
    tok2vec = nlp.get_pipe(TOK2VEC).model  # type: ignore[attr-defined]
    tok2vec.from_bytes(weights)
    return [
        numpy.array(layer.get_param(name))
        for layer in tok2vec.walk()
        for name in layer.param_names
        if layer.has_param(name)
    ]


def test_pretraining_changes_the_tok2vec_and_its_loss_falls() -> None:
    nlp = use_openblas(build_pipeline(SETTINGS))
    progress: list[dict[str, float]] = []
    weights = pretrain_tok2vec(nlp, TEXTS, PRETRAIN, on_progress=progress.append)
    assert len(progress) >= 4
    tokens = sum(len(nlp.make_doc(text)) for text in TEXTS)
    assert progress[-1]["words"] == PRETRAIN.passes * tokens
    assert progress[-1]["loss"] < 0.8 * progress[0]["loss"]

    fresh = build_pipeline(SETTINGS)
    tok2vec = fresh.get_pipe(TOK2VEC).model  # type: ignore[attr-defined]
    fix_random_seed(PRETRAIN.seed)
    sample = fresh.get_pipe("lexicon_features")(fresh.make_doc("Give it a doc to infer shapes"))
    tok2vec.initialize(X=[sample])
    initial = _params(tok2vec.to_bytes())
    still = pretrain_tok2vec(
        use_openblas(build_pipeline(SETTINGS)),
        TEXTS,
        PRETRAIN.model_copy(update={"passes": 20, "learn_rate": 1e-12}),
    )
    assert all(
        numpy.allclose(a, b, atol=1e-5) for a, b in zip(initial, _params(still), strict=True)
    )
    moved = [float(numpy.abs(a - b).max()) for a, b in zip(initial, _params(weights), strict=True)]
    assert max(moved) > 0.01


def test_training_starts_from_the_pretrained_weights(tmp_path: Path) -> None:
    weights = pretrain_tok2vec(
        use_openblas(build_pipeline(SETTINGS)),
        TEXTS,
        PRETRAIN.model_copy(update={"passes": 2}),
    )
    folder = tmp_path / "brat"
    shutil.copytree(FIXTURES / "eval" / "brat", folder)
    still = SETTINGS.model_copy(update={"learn_rate": 1e-12})
    examples = load_examples(build_pipeline(still), folder, still)
    model = train(still, examples, tok2vec_weights=weights)
    trained = model.get_pipe(TOK2VEC).model.to_bytes()  # type: ignore[attr-defined]
    for a, b in zip(_params(weights), _params(trained), strict=True):
        assert numpy.allclose(a, b, atol=1e-5)


def test_masking_spares_spaces_and_marks_about_the_asked_share() -> None:
    nlp = build_pipeline(SETTINGS)
    docs = [nlp.make_doc("fever and cough\n\n" * 200)]
    masked, out = mask_docs(docs, numpy.random.default_rng(0), 0.3)
    tokens = list(docs[0])
    assert not any(masked[t.i] for t in tokens if t.is_space)
    share = masked.sum() / sum(not t.is_space for t in tokens)
    assert 0.25 < share < 0.35
    new = list(out[0])
    assert [t.text for t in new if not masked[t.i]] == [t.text for t in tokens if not masked[t.i]]
    assert sum(t.text == MASK for t in new) > 0.7 * masked.sum()
    assert out[0].text.count("\n") == docs[0].text.count("\n")


def test_texts_sharing_a_run_of_words_with_the_evaluation_texts_are_left_out(
    tmp_path: Path,
) -> None:
    (tmp_path / "maccrobat2020").mkdir()
    (tmp_path / "maccrobat2020" / "gold.txt").write_text(
        "A 42-year-old woman presented with a right breast lump, lower back pain and fever."
    )
    corpus = tmp_path / "corpus.txt"
    same = CorpusText(
        corpus,
        "same",
        "Then a 42-year-old woman presented with a right breast lump, lower back pain and a rash.",
    )
    other = CorpusText(
        corpus, "other", "A 42-year-old woman presented with a cough and fever after a long flight."
    )
    assert HeldOut(tmp_path).unseen([same, other]) == [other]


def test_pretraining_reads_escaped_paragraph_breaks_as_line_breaks(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text(json.dumps({"text": "Fever.\\nCough."}) + "\n")
    [text] = iter_corpus_texts(tmp_path, ["*.jsonl"], line_breaks=True)
    assert text.text == "Fever.\nCough."


def test_settings_without_pretraining_still_load_and_bad_ones_are_refused() -> None:
    assert SETTINGS.pretrain is None
    with pytest.raises(ValidationError):
        PretrainSettings(corpora=[])
    with pytest.raises(ValidationError):
        PretrainSettings(corpora=["x"], mask_prob=1.0)
