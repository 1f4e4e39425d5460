"""Fuzzing every reader and the pipeline: any input gives valid output or a coded error.

Each test draws inputs shaped like its format (and broken in the ways real files are: wrong
encodings, stray bytes, truncation, absurd offsets, unknown fields, deep nesting) and runs the
target on each in a sandbox process (``conftest.Sandbox``) with a time limit and a memory cap.
The rule, for every input: the reader returns documents that round-trip through JSON with
their offsets inside their text (and annotations inside it), or raises casebook's own coded
``CasebookError``; never another exception, a hang or a blow-up. The pipeline, on any text,
returns a valid ``Case`` or a coded error.

The suite runs a small, fixed budget (``derandomize``: the same inputs each run). ``make fuzz``
sets ``CASEBOOK_FUZZ_EXAMPLES`` (inputs per reader) and ``CASEBOOK_FUZZ_PIPELINE_EXAMPLES``,
and draws new inputs each run; hypothesis keeps the inputs that failed in ``.hypothesis/`` and
tries them first next time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

FUZZING = "CASEBOOK_FUZZ_EXAMPLES" in os.environ
READER_EXAMPLES = int(os.environ.get("CASEBOOK_FUZZ_EXAMPLES", "40"))
PIPELINE_EXAMPLES = int(os.environ.get("CASEBOOK_FUZZ_PIPELINE_EXAMPLES", "8"))
READER_TIMEOUT_S = float(os.environ.get("CASEBOOK_FUZZ_TIMEOUT_S", "10"))
"""Seconds one input may take a reader; generous for a busy machine, the inputs are small."""
PIPELINE_TIMEOUT_S = 60.0


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,  # the sandbox's clock decides
        derandomize=not FUZZING,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


READERS = _settings(READER_EXAMPLES)
PIPELINE = _settings(PIPELINE_EXAMPLES)

# ---------------------------------------------------------------------------------------------
# Text: clinical words and symbols mixed with any characters, lone surrogates included.

_WORDS = (
    "A 45-year-old woman man patient presented with fever headache cough rash no denied "
    "without absence of negative for possible probable suspected ruled out mother father "
    "history of after following lumbar puncture bone marrow biopsy CSF cerebrospinal fluid "
    "(CSF) treated with epidural blood patch ibuprofen 400 mg i.v. b.i.d. was were resolved "
    "improved died two days later on day 5 postoperative day 2 10 years ago January 3, 2010 "
    "Case presentation: Discussion Introduction Past medical history: Conclusion "
    "L5/S1 2.5 mg/kg 38.5 °C 120/80 mmHg Dr. et al. e.g. fig. 1 Table 2 % × ± µg β-blocker "
    "Smith reported MRI CT revealed showed secondary to due to caused by complicated by"
)
WORDS = _WORDS.split()
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "\t", ", ", ". ", ": ", "; ", " (", ") ", "\r\n", "\r"]
ANY_CHAR = st.one_of(
    st.characters(),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.characters(max_codepoint=0x9F),  # ASCII and C0/C1 controls
)


@st.composite
def clinical_text(draw: st.DrawFn, max_words: int = 120) -> str:
    """Case-report words with separators, a few of them any characters."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=max_words))
    separators = draw(
        st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words))
    )
    odd = st.tuples(st.integers(0, len(words) - 1), st.text(ANY_CHAR, min_size=1, max_size=6))
    for where, text in draw(st.lists(odd, max_size=3)):
        words[where] = text
    return "".join(word + separator for word, separator in zip(words, separators, strict=True))


TEXT = st.one_of(clinical_text(), st.text(ANY_CHAR, max_size=300))
SHORT_TEXT = st.one_of(clinical_text(max_words=20), st.text(ANY_CHAR, max_size=30))
"""Text inside markup: structure, not length, is what those readers are fuzzed for."""

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace")


ENCODED_TEXT = st.builds(_encode, TEXT, st.sampled_from(["utf-8"] * len(ENCODINGS) + ENCODINGS))


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """Bytes of ``base`` with a few random edits: bytes changed, inserted, cut or repeated."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["change", "insert", "cut", "repeat", "truncate"]))
        if edit == "change" and where < len(data):
            data[where] = draw(st.integers(0, 255))
        elif edit == "insert":
            data[where:where] = draw(
                st.one_of(
                    st.binary(max_size=8),
                    st.sampled_from([b"\x00", b"\x93", b"\xef\xbb\xbf", b"\xff\xfe", b"\x1b[2J"]),
                )
            )
        elif edit == "cut":
            del data[where : where + draw(st.integers(1, 16))]
        elif edit == "repeat":
            data[where:where] = data[where : where + draw(st.integers(1, 64))] * draw(
                st.integers(1, 50)
            )
        elif edit == "truncate":
            del data[where:]
    return bytes(data)


def bytes_like(base: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Well-formed inputs, more often than broken ones and any bytes at all."""
    return st.one_of(base, base, base, mutated(base), st.binary(max_size=200))


# ---------------------------------------------------------------------------------------------
# XML: elements of the format's vocabulary, nested at random, some attributes, any text.

OFTEN = st.sampled_from([True] * 15 + [False])
"""Mostly true: the part of an input that is as the format says, against its broken variant."""

OFFSETS = st.one_of(
    st.integers(0, 400).map(str),
    st.sampled_from(
        ["-1", "50000001", "3000000000", "1000000000000", "1e30", "", " 7 ", "x", "0x10", "NaN"]
    ),
)


JSON_OFFSETS = st.one_of(
    st.integers(0, 400),
    st.sampled_from([-1, 50_000_001, 3_000_000_000, 10**12, 1e30, 2.5, "7"]),
)


def _xml_text(text: str) -> str:
    # Characters XML 1.0 cannot hold are dropped: the strategies for broken XML make those.
    return escape("".join(c for c in text if c in "\t\n\r" or " " <= c <= "\ud7ff" or c > "\ue000"))


@st.composite
def xml_tree(
    draw: st.DrawFn,
    tags: list[str],
    attributes: dict[str, list[str]],
    depth: int = 3,
) -> str:
    """One element of ``tags``, with some of ``attributes`` and a mix of text and children."""
    tag = draw(st.sampled_from(tags))
    chosen = draw(st.lists(st.sampled_from(sorted(attributes)), max_size=2, unique=True))
    attrs = "".join(
        f" {name}={quoteattr(draw(st.sampled_from(attributes[name])))}" for name in chosen
    )
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 3 if depth else 0))):
        if draw(st.booleans()):
            parts.append(_xml_text(draw(SHORT_TEXT)))
        else:
            parts.append(draw(xml_tree(tags, attributes, depth - 1)))
    return f"<{tag}{attrs}>{''.join(parts)}</{tag}>"


XML_PROLOGUES = st.sampled_from(
    [
        *[""] * 8,
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<?xml version="1.0" encoding="x-no-such-encoding"?>\n',
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n',
        '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2//EN" '
        '"JATS-journalpublishing1.dtd">\n',
        '<!DOCTYPE a [<!ENTITY e "entity">]>\n',
        '<!DOCTYPE a SYSTEM "file:///etc/passwd">\n',
        "<!-- a comment -->\n",
    ]
)


@st.composite
def deeply_nested(draw: st.DrawFn, outer: str, tag: str, inner: str) -> bytes:
    """``outer`` wrapped round thousands of nested ``tag`` elements holding ``inner``."""
    depth = draw(st.integers(100, 20_000))
    opening, closing = outer.split("{}")
    return f"{opening}{f'<{tag}>' * depth}{inner}{f'</{tag}>' * depth}{closing}".encode()


_JATS_TAGS = (
    "article front article-meta journal-meta article-id title-group article-title abstract "
    "body sec title p table-wrap table thead tbody tr td th fig caption label list list-item "
    "kwd-group kwd xref italic bold sup sub back ref-list ref boxed-text def-list def term "
    "article-categories subj-group subject trans-abstract disp-quote break"
)
JATS_TAGS = _JATS_TAGS.split()
JATS_ATTRIBUTES = {
    "sec-type": ["intro", "cases", "case-report", "discussion", "conclusions", "methods", ""],
    "pub-id-type": ["pmc", "pmid", "doi", "publisher-id", ""],
    "article-type": ["case-report", "research-article", ""],
    "abstract-type": ["summary", "teaser"],
    "list-type": ["bullet", "order"],
    "id": ["s1", "T1", "F1"],
    "xml:lang": ["en", "de"],
}


@st.composite
def jats_articles(draw: st.DrawFn) -> bytes:
    """An article with the usual skeleton (front matter, body, sections, paragraphs) holding
    random trees of JATS elements, or now and then only random trees."""

    def trees(at_most: int) -> str:
        return "".join(
            draw(st.lists(xml_tree(JATS_TAGS, JATS_ATTRIBUTES), min_size=1, max_size=at_most))
        )

    def paragraph() -> str:
        return f"<p>{_xml_text(draw(SHORT_TEXT))}{trees(1) if draw(st.booleans()) else ''}</p>"

    ids = "".join(
        f'<article-id pub-id-type="{kind}">{_xml_text(draw(st.text(ANY_CHAR, max_size=10)))}'
        "</article-id>"
        for kind in draw(st.lists(st.sampled_from(["pmc", "pmid", "doi", "other"]), max_size=2))
    )
    title = (
        f"<title-group><article-title>{_xml_text(draw(SHORT_TEXT))}</article-title></title-group>"
    )
    abstract = f"<abstract>{paragraph()}</abstract>"
    front = f"<front><article-meta>{ids}{title}{abstract}</article-meta></front>"
    sections = [
        f'<sec sec-type="{draw(st.sampled_from(JATS_ATTRIBUTES["sec-type"]))}">'
        f"<title>{_xml_text(draw(SHORT_TEXT))}</title>{paragraph()}{trees(2)}</sec>"
        for _ in range(draw(st.integers(0, 3)))
    ]
    body = f"<body>{paragraph()}{''.join(sections)}</body>"
    inside = draw(st.sampled_from([front + body, body, front, trees(4)]))
    kind = draw(st.sampled_from(["", ' article-type="case-report"']))
    text = draw(XML_PROLOGUES) + f"<article{kind}>{inside}</article>"
    return _encode(text, draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252"])))


JATS = st.one_of(
    *[bytes_like(jats_articles())] * 8,
    deeply_nested("<article><body>{}</body></article>", "sec", "<p>A fever.</p>"),
    deeply_nested("<article><body><p>{}</p></body></article>", "italic", "fever"),
)

_BIOC_TAGS = "collection source date key document id passage infon offset text annotation"
BIOC_TAGS = _BIOC_TAGS.split()


@st.composite
def passage_texts(draw: st.DrawFn) -> list[tuple[object, str]]:
    """A document's passages as (offset, text): mostly in order with small gaps, as in PMC's
    files, now and then at an offset of any kind."""
    passages: list[tuple[object, str]] = []
    end = 0
    for text in draw(st.lists(SHORT_TEXT, max_size=4)):
        if draw(OFTEN):
            offset: object = end + draw(st.integers(0, 3))
            end = int(str(offset)) + len(text)
        else:
            offset = draw(st.one_of(OFFSETS, JSON_OFFSETS))
        passages.append((offset, text))
    return passages


@st.composite
def bioc_passage(draw: st.DrawFn, offset: object, text: str) -> str:
    infons = "".join(
        f"<infon key={quoteattr(key)}>{escape(value)}</infon>"
        for key, value in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["type", "section_type", "section", "x"]),
                    st.sampled_from(["title", "abstract", "paragraph", "TITLE", "CASE", "REF", ""]),
                ),
                max_size=3,
            )
        )
    )
    offset_element = f"<offset>{escape(str(offset))}</offset>" if draw(OFTEN) else ""
    text_element = f"<text>{_xml_text(text)}</text>" if draw(OFTEN) else ""
    extra = draw(
        st.sampled_from(["", "<annotation id='1'><text>x</text></annotation>", "<sentence/>"])
    )
    return f"<passage>{infons}{offset_element}{text_element}{extra}</passage>"


@st.composite
def bioc_xml_collections(draw: st.DrawFn) -> bytes:
    documents = "".join(
        "<document>"
        + (f"<id>{_xml_text(draw(st.text(ANY_CHAR, max_size=12)))}</id>" if draw(OFTEN) else "")
        + "".join(draw(bioc_passage(offset, text)) for offset, text in draw(passage_texts()))
        + "</document>"
        for _ in range(draw(st.integers(0, 3)))
    )
    noise = draw(st.one_of(st.just(""), xml_tree(BIOC_TAGS, {"key": ["type"], "id": ["1"]}, 2)))
    text = draw(XML_PROLOGUES) + f"<collection><source>PMC</source>{documents}{noise}</collection>"
    return _encode(text, draw(st.sampled_from(["utf-8", "utf-8", "utf-16"])))


BIOC_XML = st.one_of(
    *[bytes_like(bioc_xml_collections())] * 8,
    deeply_nested("<collection><document><id>1</id>{}</document></collection>", "passage", ""),
)

# ---------------------------------------------------------------------------------------------
# JSON: the format's objects with their fields now and then replaced by any JSON value.

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**15), 10**15),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(ANY_CHAR, max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def either(value: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """The field's usual kind of value, or now and then any JSON value."""
    return st.one_of(*[value] * 7, JSON_VALUES)


@st.composite
def optional_fields(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[object]]) -> object:
    """An object with most of ``fields``, or now and then something else entirely."""
    present = {name: draw(either(strategy)) for name, strategy in fields.items() if draw(OFTEN)}
    if not draw(OFTEN):
        present.update(draw(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=1)))
    return present if draw(OFTEN) else draw(JSON_VALUES)


@st.composite
def bioc_json_passages(draw: st.DrawFn) -> list[object]:
    infons = st.dictionaries(
        st.sampled_from(["type", "section_type"]), st.sampled_from(["title", "abstract", "x"])
    )
    return [
        draw(
            optional_fields(
                {
                    "offset": st.just(offset),
                    "text": st.just(text),
                    "infons": infons,
                    "annotations": st.lists(JSON_VALUES, max_size=2),
                }
            )
        )
        for offset, text in draw(passage_texts())
    ]


BIOC_JSON_DOCUMENT = optional_fields(
    {
        "id": st.text(ANY_CHAR, max_size=12),
        "infons": st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
        "passages": bioc_json_passages(),
    }
)
BIOC_JSON_COLLECTION = optional_fields(
    {"source": st.text(max_size=8), "documents": st.lists(BIOC_JSON_DOCUMENT, max_size=3)}
)


def _json_bytes(value: object) -> bytes:
    return json.dumps(value).encode("utf-8", errors="surrogatepass")


BIOC_JSON = bytes_like(st.builds(_json_bytes, BIOC_JSON_COLLECTION))

AGES = st.lists(
    st.tuples(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**12)),
        st.sampled_from(["year", "month", "week", "day", "hour", "decade", ""]),
    ),
    max_size=3,
)
PMC_PATIENT = optional_fields(
    {
        "patient_uid": st.text(ANY_CHAR, max_size=12),
        "pmid": st.integers(0, 10**9),
        "title": SHORT_TEXT,
        "text": SHORT_TEXT,
        "age": AGES,
        "sex": st.sampled_from(["M", "F", "m", "female", "", "X"]),
    }
)


@st.composite
def pmc_patients_lines(draw: st.DrawFn) -> bytes:
    lines = draw(
        st.lists(
            st.one_of(
                st.builds(_json_bytes, PMC_PATIENT),
                st.builds(_json_bytes, PMC_PATIENT),
                ENCODED_TEXT,
            ),
            max_size=5,
        )
    )
    return draw(st.sampled_from([b"\n", b"\r\n"])).join(lines)


PMC_PATIENTS = bytes_like(pmc_patients_lines())

# ---------------------------------------------------------------------------------------------
# brat: a text and annotation lines that point into it, often rightly, sometimes not.


@st.composite
def brat_pairs(draw: st.DrawFn) -> tuple[bytes, bytes]:
    text = draw(SHORT_TEXT)
    size = len(text)
    lines: list[str] = []
    ids: list[str] = []
    for number in range(1, draw(st.integers(0, 8)) + 1):
        kind = draw(st.sampled_from("TTTTEARN*#M?"))
        if kind == "T":
            start = draw(st.integers(0, size))
            end = draw(st.one_of(st.integers(start, size), st.integers(-2, size + 5)))
            stored = text[start:end] if 0 <= start <= end else "x"
            stored = draw(
                st.sampled_from([stored, stored + "\t ", stored.upper(), stored.replace("\n", " ")])
            )
            span = f"{start} {end}"
            if draw(st.integers(0, 6)) == 0:
                span += f";{draw(st.integers(-1, size + 1))} {draw(st.integers(-1, size + 1))}"
            ann_type = draw(st.sampled_from(["Sign_symptom", "Disease_disorder", "", "Age"]))
            lines.append(f"T{number}\t{ann_type} {span}\t{stored}")
        elif kind == "E":
            lines.append(f"E{number}\tSign_symptom:T{draw(st.integers(0, 9))} Cause:T1")
        elif kind in "AM":
            lines.append(f"{kind}{number}\tPolarity T{draw(st.integers(0, 9))} NEG")
        elif kind == "R":
            lines.append(f"R{number}\tBEFORE Arg1:T1 Arg2:E{draw(st.integers(0, 9))}")
        elif kind == "*":
            lines.append("*\tOverlap T1 T2")
        elif kind == "#":
            lines.append(f"#{number}\tAnnotatorNotes T1\t{draw(st.text(ANY_CHAR, max_size=10))}")
        elif kind == "N":
            lines.append(f"N{number}\tReference T1 Wikipedia:1\tfever")
        else:
            lines.append(draw(st.text(ANY_CHAR, max_size=30)))
        ids.append(f"{kind}{number}")
    ann = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252"]))
    return _encode(text, encoding), _encode(ann, "utf-8")


BRAT = st.one_of(
    brat_pairs(),
    st.tuples(mutated(ENCODED_TEXT), mutated(st.builds(lambda p: p[1], brat_pairs()))),
)

# ---------------------------------------------------------------------------------------------
# E3C: a UIMA CAS XMI file, its text in the Sofa and annotations pointing into it.

XMI_NAMESPACES = (
    'xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" '
    'xmlns:custom="http:///webanno/custom.ecore"'
)


@st.composite
def e3c_files(draw: st.DrawFn) -> bytes:
    text = draw(SHORT_TEXT)
    size = len(text)
    elements = [f'<cas:Sofa xmi:id="1" sofaString={quoteattr(_xml_text(text))}/>']
    for number in range(draw(st.integers(0, 6))):
        tag = draw(st.sampled_from(["EVENT", "TIMEX3", "EVENTTLINKLink", "TIMEX3TimexLinkLink"]))
        begin = draw(st.one_of(st.integers(0, size).map(str), OFFSETS))
        end = draw(st.one_of(st.integers(0, size).map(str), OFFSETS))
        extra = draw(
            st.sampled_from(
                [
                    "",
                    ' TLINK="10 11"',
                    ' timexLink="12"',
                    ' role="BEFORE" target="3"',
                    ' polarity="NEG"',
                ]
            )
        )
        bounds = f' begin="{begin}" end="{end}"' if draw(st.integers(0, 6)) else ""
        elements.append(f'<custom:{tag} xmi:id="{number + 10}"{bounds}{extra}/>')
    return (
        draw(XML_PROLOGUES) + f"<xmi:XMI {XMI_NAMESPACES}>{''.join(elements)}</xmi:XMI>"
    ).encode()


E3C = bytes_like(e3c_files())

# ---------------------------------------------------------------------------------------------
# Format detection: any of the above under any name, standard input included.

NAMES = ["-", "fuzz.txt", "fuzz.xml", "fuzz.nxml", "fuzz.json", "fuzz.jsonl", "fuzz", "fuzz.TXT"]
DETECT = st.tuples(
    st.sampled_from(NAMES),
    st.one_of(bytes_like(ENCODED_TEXT), JATS, BIOC_XML, BIOC_JSON, PMC_PATIENTS),
)


# ---------------------------------------------------------------------------------------------


class _Sandbox(Protocol):
    def run(self, payload: object) -> Any: ...


Run = Callable[[str, float], _Sandbox]


class Finding(AssertionError):
    """An input on which a target did something other than return valid output or raise a
    coded error."""


_FINDINGS: dict[str, type[Finding]] = {}


def _finding(name: str) -> type[Finding]:
    # One class per kind of failure, so that hypothesis reports each kind apart instead of
    # only the first it met.
    if name not in _FINDINGS:
        _FINDINGS[name] = type(f"{name}Finding", (Finding,), {})
    return _FINDINGS[name]


def _assert_valid_or_coded(sandbox: Run, target: str, payload: object, timeout_s: float) -> None:
    outcome = sandbox(target, timeout_s).run(payload)
    event(f"{outcome.kind} {outcome.detail}" if outcome.kind == "coded" else outcome.kind)
    if outcome.kind not in {"valid", "coded"}:
        name, _, detail = outcome.detail.partition("\n")
        raise _finding(name)(f"{target} on {payload!r:.600}:\n{detail}")


@pytest.mark.parametrize(
    ("target", "inputs"),
    [
        ("text", bytes_like(ENCODED_TEXT)),
        ("jats", JATS),
        ("bioc_xml", BIOC_XML),
        ("bioc_json", BIOC_JSON),
        ("pmc_patients", PMC_PATIENTS),
        ("brat", BRAT),
        ("e3c", E3C),
        ("detect", DETECT),
    ],
)
@READERS
@given(data=st.data())
def test_a_reader_gives_valid_documents_or_a_coded_error(
    sandbox: Run, target: str, inputs: st.SearchStrategy[object], data: st.DataObject
) -> None:
    payload = data.draw(inputs, label="input")
    _assert_valid_or_coded(sandbox, target, payload, READER_TIMEOUT_S)


@PIPELINE
@given(text=st.one_of(clinical_text(max_words=300), st.text(ANY_CHAR, min_size=1, max_size=400)))
def test_the_pipeline_gives_a_valid_case_or_a_coded_error_on_any_text(
    sandbox: Run, text: str
) -> None:
    _assert_valid_or_coded(sandbox, "pipeline", text, PIPELINE_TIMEOUT_S)
