"""The BILUO decoder: every decoded path is well formed, and it is the best such path."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from casebook.nlp.biluo import _viterbi, consistent_labels, decode, tag_names

LABELS = ["Sign_symptom", "Age"]
TAGS = tag_names(LABELS)


def _log_probs(rows: list[dict[str, float]]) -> np.ndarray:
    table = np.full((len(rows), len(TAGS)), np.log(1e-3), dtype=np.float32)
    for index, row in enumerate(rows):
        for tag, prob in row.items():
            table[index, TAGS.index(tag)] = np.log(prob)
    return table


def _score_tables(max_tokens: int) -> st.SearchStrategy[np.ndarray]:
    """Token × tag log-probability tables of 1 to ``max_tokens`` tokens."""
    return arrays(
        np.float32,
        st.tuples(st.integers(1, max_tokens), st.just(len(TAGS))),
        elements=st.floats(-6, 0, width=32),
    )


def _path_spans(path: tuple[str, ...]) -> list[tuple[int, int, int]] | None:
    """The spans of a tag path, or None when the path breaks the BILUO grammar."""
    spans: list[tuple[int, int, int]] = []
    open_at, open_label = -1, ""
    for index, tag in enumerate(path):
        prefix, _, label = tag.partition("-")
        continues = prefix in ("I", "L")
        if continues != bool(open_label) or (continues and label != open_label):
            return None
        if prefix == "B":
            open_at, open_label = index, label
        elif prefix == "L":
            spans.append((open_at, index + 1, LABELS.index(label)))
            open_label = ""
        elif prefix == "U":
            spans.append((index, index + 1, LABELS.index(label)))
    return None if open_label else spans


def test_tags_are_o_then_biluo_per_label() -> None:
    assert TAGS[:5] == ["O", "B-Sign_symptom", "I-Sign_symptom", "L-Sign_symptom", "U-Sign_symptom"]


def test_a_confident_well_formed_path_is_kept() -> None:
    rows = [{"O": 0.9}, {"B-Sign_symptom": 0.8}, {"L-Sign_symptom": 0.8}, {"U-Age": 0.9}]
    assert decode(_log_probs(rows), len(LABELS)) == [(1, 3, 0), (3, 4, 1)]


def test_a_begin_without_a_last_is_repaired_into_a_well_formed_span() -> None:
    rows = [
        {"B-Sign_symptom": 0.9},
        {"I-Sign_symptom": 0.5, "L-Sign_symptom": 0.4, "O": 0.1},
        {"O": 0.9},
    ]
    assert decode(_log_probs(rows), len(LABELS)) == [(0, 2, 0)]


@settings(max_examples=60, deadline=None)
@given(_score_tables(max_tokens=4))
def test_decoding_finds_the_best_well_formed_path_keeping_argmax_outside(
    log_probs: np.ndarray,
) -> None:
    outside = log_probs.argmax(axis=1) == 0
    best_score, best_spans = -np.inf, None
    for path in itertools.product(TAGS, repeat=log_probs.shape[0]):
        spans = _path_spans(path)
        if spans is None or any(o and tag != "O" for o, tag in zip(outside, path, strict=True)):
            continue
        score = sum(float(log_probs[i, TAGS.index(tag)]) for i, tag in enumerate(path))
        if score > best_score + 1e-6:
            best_score, best_spans = score, spans
    decoded = decode(log_probs, len(LABELS))
    decoded_path = ["O"] * log_probs.shape[0]
    for start, end, label in decoded:
        name = LABELS[label]
        if end - start == 1:
            decoded_path[start] = f"U-{name}"
        else:
            decoded_path[start] = f"B-{name}"
            decoded_path[start + 1 : end - 1] = [f"I-{name}"] * (end - start - 2)
            decoded_path[end - 1] = f"L-{name}"
    assert _path_spans(tuple(decoded_path)) == decoded
    decoded_score = sum(float(log_probs[i, TAGS.index(t)]) for i, t in enumerate(decoded_path))
    assert decoded_score >= best_score - 1e-4
    assert best_spans is not None


def _decode_run_by_run(log_probs: np.ndarray) -> list[tuple[int, int, int]]:
    """The decoder's rule spelt out token by token: each run of non-O argmax tags is kept
    when it parses and repaired by Viterbi when it does not."""
    tags = log_probs.argmax(axis=1)
    index = 0
    while index < len(tags):
        if tags[index] == 0:
            index += 1
            continue
        end = index
        while end < len(tags) and tags[end] != 0:
            end += 1
        if _path_spans(tuple(TAGS[t] for t in tags[index:end])) is None:
            tags[index:end] = _viterbi(log_probs[index:end], len(LABELS))
        index = end
    spans = _path_spans(tuple(TAGS[t] for t in tags))
    assert spans is not None
    return spans


@settings(max_examples=200, deadline=None)
@given(_score_tables(max_tokens=60))
def test_a_long_text_decodes_as_its_runs_decode_one_by_one(log_probs: np.ndarray) -> None:
    assert decode(log_probs, len(LABELS)) == _decode_run_by_run(log_probs.copy())


def test_repeated_words_take_the_type_their_summed_scores_favour() -> None:
    # "leak ... leak ... leak": tagged Sign_symptom twice with confidence, Age once barely.
    rows = [
        {"U-Sign_symptom": 0.9, "U-Age": 0.05},
        {"O": 0.9},
        {"U-Sign_symptom": 0.8, "U-Age": 0.1},
        {"O": 0.9},
        {"U-Age": 0.5, "U-Sign_symptom": 0.4},
        {"O": 0.9},
        {"U-Age": 0.9},
    ]
    words = ["leak", "then", "leak", "and", "leak", "at", "29"]
    scores = _log_probs(rows)
    spans = decode(scores, len(LABELS))
    assert [label for _, _, label in spans] == [0, 0, 1, 1]
    assert consistent_labels(spans, words, scores) == [(0, 1, 0), (2, 3, 0), (4, 5, 0), (6, 7, 1)]


def test_a_span_said_once_keeps_its_label() -> None:
    rows = [{"B-Age": 0.9}, {"L-Age": 0.9}, {"O": 0.9}, {"U-Sign_symptom": 0.9}]
    scores = _log_probs(rows)
    spans = decode(scores, len(LABELS))
    assert consistent_labels(spans, ["29", "years", "with", "fever"], scores) == spans
