"""Docstrings and comments say why, never how long: measured timings live in BENCHMARKS.md."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import casebook

SOURCE = Path(casebook.__file__).parent

TIMING = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?\s?(?:ms|µs|s|sec|seconds?|minutes?|GFLOPS|docs/s)\b"
    r"|\b(?:twice|\d+(?:\.\d+)?\s?[×x]|\w+\stimes)\s(?:as\s)?(?:faster|slower|quicker)",
    re.IGNORECASE,
)


def _prose(path: Path) -> list[tuple[int, str]]:
    """The comments and string literals standing alone as statements (docstrings) of a file."""
    found: list[tuple[int, str]] = []
    previous = tokenize.NEWLINE
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type == tokenize.COMMENT or (
                token.type == tokenize.STRING
                and previous in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT)
            ):
                found.append((token.start[0], token.string))
            if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING):
                previous = token.type
    return found


def test_no_docstring_or_comment_states_a_timing() -> None:
    timed = [
        f"{path.relative_to(SOURCE.parent)}:{line}: {match.group()!r}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, text in _prose(path)
        for match in TIMING.finditer(text)
    ]
    assert not timed, "timings belong in BENCHMARKS.md:\n" + "\n".join(timed)


def test_the_check_finds_a_timing_in_a_docstring_and_a_comment() -> None:
    source = '"""Runs 2.5 ms per document."""\nx = 1  # three times faster than y, 3x faster\n'
    path_text = io.BytesIO(source.encode())
    tokens = [t for t in tokenize.tokenize(path_text.readline) if t.type == tokenize.STRING]
    assert TIMING.search(tokens[0].string) and TIMING.search("3x faster")
