"""How the mention extractor cuts the model's spans to the words a reader sees, and a long
text into pieces the model reads one at a time."""

from __future__ import annotations

import spacy
from hypothesis import given
from hypothesis import strategies as st

from casebook.blas import use_openblas
from casebook.model import Case, Document, EntityType, Source, SourceFormat
from casebook.nlp.mentions import (
    DEFAULT_MODEL,
    PHRASE_HEAD,
    READ_LEXEME_ATTRIBUTES,
    MentionExtractor,
    _as_told_elsewhere,
    _balanced,
    _balanced_spans,
    _trimmed,
    _with_joined_prefix,
    load_model,
    pieces,
    sentence_cased_title,
)
from casebook.resources import resource_path


def test_a_mention_never_runs_past_a_line_break() -> None:
    text = "She had a blood patch.\nOn day two she was well."
    end = text.index("On") + 2
    assert _trimmed(text, 10, end) == (10, 21)
    assert text[10:21] == "blood patch"


def test_a_span_never_runs_past_a_sentence_end() -> None:
    text = "He was vasopressor dependent. Treatment was started with vitamin C."
    start = text.index("dependent")
    end = text.index(" was started")
    assert text[slice(*_trimmed(text, start, end))] == "dependent"
    text = "A St. Jude valve was placed."
    assert text[slice(*_trimmed(text, 2, 16))] == "St. Jude valve"


def _shown(text: str, words: str) -> str:
    start = text.index(words)
    begin, end = _balanced(text, start, start + len(words), 0, len(text))
    return text[begin:end]


def test_a_mention_begun_inside_a_parenthesis_takes_the_parenthesis_and_the_word_before() -> None:
    text = "A diagnosis of drug (levofloxacin)-induced acute anxiety was made."
    assert _shown(text, "levofloxacin)-induced acute anxiety") == (
        "drug (levofloxacin)-induced acute anxiety"
    )


def test_a_mention_ended_inside_a_parenthesis_takes_it_whole_or_stops_before_it() -> None:
    assert _shown("A mass (3 cm) was seen.", "mass (3 cm") == "mass (3 cm)"
    assert _shown("The drug (levofloxacin was stopped.", "drug (levofloxacin") == "drug"


def test_a_mention_holding_no_bracket_is_kept_as_it_is_beside_brackets() -> None:
    assert _shown("A mass (3 cm) was seen.", "mass") == "mass"
    assert _shown("A mass (3 cm) was seen.", "was seen") == "was seen"


def test_a_bracket_whose_mate_is_not_near_is_cut_off() -> None:
    assert _shown("(a) b) and c", "b) and c") == "and c"


def test_a_balanced_mention_grows_into_no_other() -> None:
    text = "A diagnosis of drug (levofloxacin)-induced anxiety."
    drug = (text.index("drug"), text.index("drug") + 4, EntityType.MEDICATION)
    anxiety = text.index("levofloxacin")
    spans = _balanced_spans(text, [drug, (anxiety, len(text) - 1, EntityType.DISEASE_DISORDER)])
    assert [text[s:e] for s, e, _ in spans] == ["drug", "(levofloxacin)-induced anxiety"]


@given(st.text(alphabet="ab ()-\n", max_size=30), st.integers(0, 30), st.integers(0, 30))
def test_a_balanced_span_stays_in_the_text_and_holds_no_unmatched_bracket(
    text: str, first: int, second: int
) -> None:
    start, end = sorted((min(first, len(text)), min(second, len(text))))
    begin, stop = _balanced(text, start, end, 0, len(text))
    assert 0 <= begin <= stop <= len(text)
    depth = 0
    for char in text[begin:stop]:
        depth += {"(": 1, ")": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0 or begin == stop


def test_a_non_written_apart_belongs_to_the_mention_it_denies() -> None:
    text = "She had non bilious vomiting."
    start = text.index("bilious")
    ((begin, end, _),) = _with_joined_prefix(
        text, [(start, len(text) - 1, EntityType.SIGN_SYMPTOM)]
    )
    assert text[begin:end] == "non bilious vomiting"


def test_a_mention_begun_at_a_dash_takes_the_word_the_dash_joins() -> None:
    text = "Treatment against ischemia–reperfusion disorder followed."
    start = text.index("–")
    end = text.index(" followed")
    ((begin, stop, _),) = _with_joined_prefix(text, [(start, end, EntityType.DISEASE_DISORDER)])
    assert text[begin:stop] == "ischemia–reperfusion disorder"
    ischemia = (text.index("ischemia"), start, EntityType.SIGN_SYMPTOM)
    spans = _with_joined_prefix(text, [ischemia, (start, end, EntityType.DISEASE_DISORDER)])
    assert [text[b:e] for b, e, _ in spans] == ["ischemia", "reperfusion disorder"]
    glaucoma = "She had angle-closure glaucoma."
    start = glaucoma.index("-closure")
    ((begin, stop, _),) = _with_joined_prefix(
        glaucoma, [(start, len(glaucoma) - 1, EntityType.DISEASE_DISORDER)]
    )
    assert glaucoma[begin:stop] == "angle-closure glaucoma"


def test_a_trailing_article_or_conjunction_is_dropped_but_a_type_letter_stays() -> None:
    text = "Because of hypercapnia the baby was intubated; vitamin A was low."
    end = text.index(" baby")
    assert text[slice(*_trimmed(text, text.index("hypercapnia"), end))] == "hypercapnia"
    start = text.index("vitamin")
    assert text[slice(*_trimmed(text, start, start + len("vitamin A")))] == "vitamin A"


def test_surrounding_spaces_and_trailing_commas_are_dropped() -> None:
    text = "Fever,  headache, and rash."
    assert _trimmed(text, 6, 17) == (8, 16)


def test_computing_fewer_word_attributes_changes_no_mention() -> None:
    text = (
        "A 29-year-old woman had a bone marrow biopsy of the right posterior iliac crest "
        "(L5/S1) on 3 March 2019. Two days later, she reported an orthostatic headache; "
        "beta-2 transferrin was positive and an MRI showed no abscess. An epidural blood "
        "patch at 20 mL gave full recovery. $100, https://example.org and 1,000 mg/dL."
    )
    trimmed = load_model()
    assert set(trimmed.vocab.lex_attr_getters) == READ_LEXEME_ATTRIBUTES  # type: ignore[attr-defined]
    full = use_openblas(spacy.load(resource_path(DEFAULT_MODEL)))
    spans = [
        [(s.start_char, s.end_char, s.label_) for s in [*doc.ents, *doc.spans.get(PHRASE_HEAD, [])]]
        for doc in (trimmed(text), full(text))
    ]
    assert spans[0] and spans[0] == spans[1]


@given(
    st.lists(
        st.text(alphabet=st.sampled_from("ab .\n"), min_size=1, max_size=40), min_size=1, max_size=8
    ),
    st.integers(2, 30),
)
def test_a_long_text_is_cut_into_consecutive_pieces_no_longer_than_the_limit(
    parts: list[str], most: int
) -> None:
    text = "".join(parts)
    cuts = pieces(text, most)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(end == start for (_, end), (start, _) in zip(cuts, cuts[1:], strict=False))
    assert all(end - start <= most for start, end in cuts)


def test_a_long_text_is_cut_after_its_last_paragraph_break_that_fits() -> None:
    text = "First paragraph.\n\nSecond one. Still second.\n\nThird."
    (first, second, third) = pieces(text, 30)
    assert text[slice(*first)] == "First paragraph.\n\n"
    assert text[slice(*second)] == "Second one. Still second.\n\n"
    assert text[slice(*third)] == "Third."


def test_a_text_past_the_models_length_limit_is_tagged_in_pieces_at_whole_text_offsets() -> None:
    paragraph = "A 54-year-old man had a severe headache after a lumbar puncture.\n\n"
    extractor = MentionExtractor()
    one = extractor(Case.from_document(_document(paragraph)))
    # spaCy refuses a text over max_length (E088); the extractor never gives it one.
    extractor.nlp.max_length = 10 * len(paragraph)
    many = extractor(Case.from_document(_document(paragraph * 40)))
    assert len(many.mentions) == 40 * len(one.mentions)
    expected = {
        (m.start + copy * len(paragraph), m.end + copy * len(paragraph), m.type)
        for copy in range(40)
        for m in one.mentions
    }
    assert {(m.start, m.end, m.type) for m in many.mentions} == expected


SMALL_WORDS = frozenset({"of", "in", "as", "a", "the", "and"})


def test_a_title_case_title_is_tagged_in_sentence_case_and_nothing_else_is() -> None:
    title = "Crohn's Disease Presenting as Drug-Induced ST-Elevation in IgA Nephropathy"
    text = f"{title}\n\nA Man Was Seen."
    cased = sentence_cased_title(text, SMALL_WORDS)
    assert cased == (
        "Crohn's disease presenting as drug-induced ST-elevation in IgA nephropathy"
        "\n\nA Man Was Seen."
    )
    for unchanged in (
        "A 6-year-old Boy Was Seen.\n\nMore.",  # a sentence, not a title
        "Tinea Capitis in a Boy\nA boy was seen.",  # no blank line after it
        "Tinea capitis: what the Trichoscope shows\n\nA boy.",  # not Title Case
    ):
        assert sentence_cased_title(unchanged, SMALL_WORDS) == unchanged


def test_a_title_case_titles_diagnosis_is_a_disease_mention_as_written() -> None:
    text = "Eagle's Syndrome Presenting as Unilateral Neck Pain\n\nA woman had neck pain."
    found = MentionExtractor()(Case.from_document(_document(text)))
    typed = {(m.text, m.type) for m in found.mentions}
    assert ("Eagle's Syndrome", EntityType.DISEASE_DISORDER) in typed


def _document(text: str) -> Document:
    return Document(id="long", text=text, source=Source(format=SourceFormat.TEXT))


def test_a_name_cut_short_at_one_place_is_the_name_told_elsewhere() -> None:
    text = "Admitted for grand mal seizures. Later she had two grand mal seizures."
    first = text.index("grand mal seizures")
    second = text.index("mal seizures", first + 10)
    spans = [
        (first, first + len("grand mal seizures"), EntityType.DISEASE_DISORDER),
        (second, second + len("mal seizures"), EntityType.DISEASE_DISORDER),
    ]
    widened = _as_told_elsewhere(text, spans)
    assert [text[start:end] for start, end, _ in widened] == ["grand mal seizures"] * 2


def test_a_span_is_not_widened_over_an_article() -> None:
    text = "The kidney cyst grew. We drained the kidney cyst."
    second = text.rindex("kidney cyst")
    spans = [
        (0, len("The kidney cyst"), EntityType.SIGN_SYMPTOM),
        (second, second + len("kidney cyst"), EntityType.SIGN_SYMPTOM),
    ]
    assert _as_told_elsewhere(text, spans) == spans
