"""Vocabulary matches as input features of the mention model.

Each token gets, for each vocabulary, its BILUO position in the longest term of that vocabulary
that covers it (``O`` when none). The model's embedding layer embeds these tags beside the
token's own features, so training decides how far to trust each vocabulary: lexicon features
for neural NER in the manner of Chiu and Nichols (2016, TACL 4: 357-370), who feed the BIOES
position of the token in the longest lexicon match into the network.

Two parts are registered with spaCy when this module is imported:

* the pipeline component ``casebook_lexicon_features``, which holds the terms (saved with the
  model as ``terms.json``) and writes the tags to ``doc._.lexicon_tags``;
* the architecture ``casebook.LexiconHashEmbed.v1``, spaCy's ``MultiHashEmbed`` with one small
  embedding table per vocabulary column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.ml.staticvectors import StaticVectors
from spacy.pipeline import Pipe
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d, Ragged

from casebook.cache import digest, load_or_build

FACTORY = "casebook_lexicon_features"
EMBED_ARCHITECTURE = "casebook.LexiconHashEmbed.v1"
EXTENSION = "lexicon_tags"
TERMS_FILE = "terms.json"
OUTSIDE, BEGIN, INSIDE, LAST, UNIT = range(5)
"""Tag values; ``O`` is 0 so that an unmatched token has the same id in every column."""

if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)

Trie = dict[Hashable, Any]
"""Nested dicts keyed by lower-cased words (or their hashes); the key ``END`` marks a complete
term."""
END = ""


def build_trie(terms: Iterable[Sequence[Hashable]]) -> Trie:
    """A word trie of ``terms`` (each a sequence of lower-cased words, or of their hashes)."""
    root: Trie = {}
    for words in terms:
        node = root
        for word in words:
            node = node.setdefault(word, {})
        node[END] = True
    return root


def tag_words(words: Sequence[Hashable], trie: Trie) -> list[int]:
    """BILUO tags of ``words`` for the longest trie matches, taken greedily from the left."""
    size = len(words)
    tags = [OUTSIDE] * size
    # The word after the last match: the next match starts there or later. Most words begin
    # no term, and only those that do are walked from.
    free = 0
    for position in [index for index, word in enumerate(words) if word in trie]:
        if position < free:
            continue
        node: Trie | None = trie[words[position]]
        longest = 0
        step = position
        while node is not None:
            step += 1
            if END in node:
                longest = step - position
            if step == size:
                break
            node = node.get(words[step])
        if longest == 0:
            continue
        if longest == 1:
            tags[position] = UNIT
        else:
            tags[position] = BEGIN
            tags[position + 1 : position + longest - 1] = [INSIDE] * (longest - 2)
            tags[position + longest - 1] = LAST
        free = position + longest
    return tags


def _hashed_tries(
    terms: Mapping[str, Sequence[Sequence[str]]], sources: Sequence[str]
) -> list[Trie]:
    """A trie per source, keyed by the words' hashes, which a Doc gives for all its tokens in
    one array."""
    return [
        build_trie([[get_string_id(word) for word in words] for words in terms[source]])
        for source in sources
    ]


def _serialized(terms: Mapping[str, Sequence[Sequence[str]]]) -> bytes:
    return json.dumps(terms, ensure_ascii=False).encode("utf-8")


class LexiconFeatures(Pipe):
    """Writes each token's per-vocabulary BILUO tags to ``doc._.lexicon_tags``.

    The tags are a ``tokens × vocabularies`` array of ``uint64`` in the order of ``sources``.

    Args:
        vocab: The pipeline's vocabulary.
        name: The component's name in the pipeline.
        sources: The vocabulary names, in column order.
    """

    def __init__(self, vocab: Vocab, name: str, sources: list[str]) -> None:
        self.vocab = vocab
        self.name = name
        self.sources = list(sources)
        self._data = _serialized({source: [] for source in self.sources})
        self._tries: list[Trie] = [{} for _ in self.sources]

    @property
    def terms(self) -> dict[str, list[list[str]]]:
        """The terms: lower-cased words per term, for every source."""
        terms: dict[str, list[list[str]]] = json.loads(self._data.decode("utf-8"))
        return terms

    def set_terms(self, terms: Mapping[str, Sequence[Sequence[str]]]) -> None:
        """Replace the terms: lower-cased words per term, for every source.

        Raises:
            ValueError: When ``terms`` lacks one of the sources or names another.
        """
        checked = self._checked(terms)
        self._data = _serialized(checked)
        self._tries = _hashed_tries(checked, self.sources)

    def _checked(self, terms: object) -> dict[str, list[list[str]]]:
        """The terms of every source, in source order.

        Raises:
            ValueError: When ``terms`` is no mapping of exactly the sources.
        """
        if not isinstance(terms, Mapping) or set(terms) != set(self.sources):
            found = sorted(terms) if isinstance(terms, Mapping) else type(terms).__name__
            raise ValueError(f"terms for {found}, expected {sorted(self.sources)}")
        return {source: [list(words) for words in terms[source]] for source in self.sources}

    def __call__(self, doc: Doc) -> Doc:
        words = doc.to_array(LOWER).tolist()
        columns = [tag_words(words, trie) for trie in self._tries]
        tags: NDArray[np.uint64] = np.zeros((len(words), len(columns)), dtype=np.uint64)
        for index, column in enumerate(columns):
            tags[:, index] = column
        doc._.set(EXTENSION, tags)
        return doc

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The terms as JSON bytes."""
        return self._data

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> LexiconFeatures:
        """Load terms written by ``to_bytes``.

        Only the tries built from them are kept, and cached (``casebook.cache``) under the
        bytes' digest; the terms are read from the bytes again when asked for.

        Raises:
            ValueError: When the terms lack one of the sources or name another.
        """

        def build() -> list[Trie]:
            return _hashed_tries(self._checked(json.loads(data.decode("utf-8"))), self.sources)

        self._tries = load_or_build(
            "lexicon-tries", digest(data, json.dumps(self.sources)), list, build
        )
        self._data = data
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the terms to ``path/terms.json``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / TERMS_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> LexiconFeatures:
        """Read the terms from ``path/terms.json``."""
        return self.from_bytes((Path(path) / TERMS_FILE).read_bytes())


@Language.factory(FACTORY, default_config={"sources": []})
def make_lexicon_features(nlp: Language, name: str, sources: list[str]) -> LexiconFeatures:
    """spaCy's factory for ``LexiconFeatures``."""
    return LexiconFeatures(nlp.vocab, name, sources)


def _features(attrs: list[str], columns: int) -> Model[list[Doc], list[Ints2d]]:
    """Token attribute ids (as spaCy's ``FeatureExtractor``), then the lexicon tag columns."""

    def forward(
        model: Model[list[Doc], list[Ints2d]], docs: list[Doc], is_train: bool
    ) -> tuple[list[Ints2d], Callable[[list[Ints2d]], list[Doc]]]:
        arrays: list[Ints2d] = []
        names: list[int | str] = list(attrs)
        for doc in docs:
            tags = doc._.get(EXTENSION)
            if tags is None or tags.shape != (len(doc), columns):
                raise ValueError(
                    f"doc has no lexicon tags for {columns} vocabularies: run the "
                    f"{FACTORY} component before the tok2vec"
                )
            ids = doc.to_array(names).reshape(len(doc), len(names)).astype(np.uint64)
            arrays.append(model.ops.asarray2i(cast(Ints2d, np.hstack([ids, tags])), dtype="uint64"))
        return arrays, lambda d_features: []

    return Model("casebook_features", forward)


def lexicon_hash_embed(
    width: int,
    attrs: list[str],
    rows: list[int],
    include_static_vectors: bool,
    lexicon_columns: int,
    lexicon_width: int,
) -> Model[list[Doc], list[Floats2d]]:
    """spaCy's ``MultiHashEmbed`` plus a ``lexicon_width`` table per lexicon column.

    Args:
        width: The output width and the width of each attribute's table.
        attrs: Token attributes to embed, as for ``MultiHashEmbed``.
        rows: Rows of each attribute's table.
        include_static_vectors: Whether to add the vocabulary's static vectors.
        lexicon_columns: How many vocabularies ``doc._.lexicon_tags`` holds.
        lexicon_width: The width of each vocabulary's (five-row) tag table.
    """
    if len(rows) != len(attrs):
        raise ValueError(f"mismatched lengths: {len(rows)} rows for {len(attrs)} attributes")
    # The same seeds as MultiHashEmbed's tables, then fresh ones for the lexicon columns.
    tables: list[Model[Ints2d, Floats2d]] = [
        HashEmbed(width, rows[index], column=index, seed=8 + index, dropout=0.0)
        for index in range(len(attrs))
    ]
    tables += [
        HashEmbed(lexicon_width, 16, column=len(attrs) + index, seed=100 + index, dropout=0.0)
        for index in range(lexicon_columns)
    ]
    concat_size = width * (len(attrs) + include_static_vectors) + lexicon_width * lexicon_columns
    max_out: Model[Ragged, Ragged] = with_array(
        Maxout(width, concat_size, nP=3, dropout=0.0, normalize=True)
    )
    features: Model[list[Doc], Ragged] = chain(
        _features(attrs, lexicon_columns),
        cast(Model[list[Ints2d], Ragged], list2ragged()),
        with_array(concatenate(*tables)),
    )
    if include_static_vectors:
        features = concatenate(features, StaticVectors(width, dropout=0.0))
    model: Model[list[Doc], list[Floats2d]] = chain(features, max_out, ragged2list())
    return model


registry.architectures.register(EMBED_ARCHITECTURE, func=lexicon_hash_embed)
