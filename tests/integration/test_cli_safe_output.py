"""What the command prints about bad input is printed as itself, never as markup or a terminal
escape, and carries casebook's words unless ``--debug`` asks for the library's (issue 19)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from casebook.cli import app
from casebook.model import Case

runner = CliRunner()

TERMINAL_ATTACK = "\x1b]0;pwned\x07\x1b[2J"
"""An .ann line's start that would retitle the terminal and clear the screen if echoed raw."""


def test_a_path_holding_rich_markup_is_printed_as_itself(tmp_path: Path) -> None:
    folder = tmp_path / "a[" / "i]reports[bold]"
    folder.mkdir(parents=True)
    assert "[/i]" in str(folder)
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(folder / "empty.txt")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"CB-E002 {folder / 'empty.txt'}: the document holds no text" in result.stderr


def test_terminal_escapes_in_an_ann_line_are_shown_escaped(tmp_path: Path) -> None:
    (tmp_path / "case.txt").write_text("A 54-year-old woman had fever.\n", encoding="utf-8")
    (tmp_path / "case.ann").write_text(
        f"{TERMINAL_ATTACK}[/i]T1\tAge 2 13\t54-year-old\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["analyze", str(tmp_path / "case.txt")])
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "unknown annotation id '\\x1b]0;pwned\\x07\\x1b[2J[/i]T1'" in result.stderr


def test_library_text_is_shown_only_with_debug(tmp_path: Path) -> None:
    path = tmp_path / "article.nxml"
    path.write_text(
        '<?xml version="1.0" encoding="x-no-such-encoding"?><article><body><p>Fever.</p>'
        "</body></article>",
        encoding="utf-8",
    )
    plain = runner.invoke(app, ["analyze", str(path)])
    assert plain.exit_code == 1
    assert "CB-E005" in plain.stderr and "LookupError" not in plain.stderr
    debug = runner.invoke(app, ["--debug", "analyze", str(path)])
    assert debug.exit_code == 1
    assert "detail LookupError: unknown encoding: x-no-such-encoding" in debug.stderr


def test_reader_warnings_reach_stderr_and_the_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"A 7-year-old girl had a \x93mild\x94 rash.")
    result = runner.invoke(app, ["analyze", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert f"warning {path}: not UTF-8; read as Windows-1252" in result.stderr
    assert Case.model_validate_json(result.stdout).text == "A 7-year-old girl had a “mild” rash."


def test_a_sqlite_file_as_the_store_is_a_coded_error(tmp_path: Path) -> None:
    store = tmp_path / "cases.sqlite"
    connection = sqlite3.connect(store)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = store.read_bytes()
    result = runner.invoke(app, ["cases", "--count", "--store", str(store)])
    assert result.exit_code == 1
    assert "CB-E015" in result.stderr and "a SQLite database, not a case store" in result.stderr
    assert store.read_bytes() == before


def test_eval_scores_the_readable_documents_and_exits_1_for_the_skipped(tmp_path: Path) -> None:
    brat = Path(__file__).parents[1] / "fixtures" / "eval" / "brat"
    for name in ("case1.txt", "case1.ann", "case2.txt", "case2.ann"):
        (tmp_path / name).write_bytes((brat / name).read_bytes())
    (tmp_path / "case3.txt").write_text("A woman.\n", encoding="utf-8")
    (tmp_path / "case3.ann").write_text("T1\tSex 2 oops\twoman\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", "relations", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert '"docs": 2' in result.stdout and '"id": "case3"' in result.stdout
    assert f"skipped CB-E011 {tmp_path / 'case3.ann'}: line 1" in result.stderr
    assert "1 skipped; the scores cover the rest" in result.stderr
