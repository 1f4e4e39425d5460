"""The ICD-10-PCS knowledge base: the index parsed from a hand-written slice, and the wheel's."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from casebook.errors import CasebookError, ErrorCode
from casebook.kb.icd10pcs import (
    Icd10PcsKnowledgeBase,
    IndexEntry,
    fill_prefixes,
    load_icd10pcs,
    parse_index,
    parse_reference,
    read_icd10pcs,
)
from casebook.model import CodeSystem

INDEX = [
    ("Biopsy", "see Drainage with qualifier Diagnostic\nsee Extraction with qualifier Diagnostic"),
    ("Extraction", "Bone Marrow\n\tIliac **07DR**\n\tSternum **07DQ**"),
    ("Extraction", "(continued)\nBone Marrow (continued)\n\tVertebral **07DS**"),
    ("Patch, blood, spinal ", "**3E0R3GC**"),
    ("Puncture, lumbar ", "see Drainage, Spinal Canal **009U**"),
    ("Iliac crest ", "use Pelvic Bone, Right\nuse Pelvic Bone, Left"),
    ("Computerized Tomography (CT Scan)", "Head **BW28**\nSpine\n\tCervical **BR20**"),
]
"""Index rows written like the wheel's ``pcs_index`` (tabs indent subterms)."""

TREE = [
    ("07DR3ZX", "Iliac", "Percutaneous", "No Device", "Diagnostic"),
    ("07DR3ZZ", "Iliac", "Percutaneous", "No Device", "No Qualifier"),
    ("07DR0ZX", "Iliac", "Open", "No Device", "Diagnostic"),
    ("07DQ3ZX", "Sternum", "Percutaneous", "No Device", "Diagnostic"),
]


def make_database(path: Path) -> Path:
    """A SQLite file with the wheel's table layout and a few rows of each table."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE pcs_index (term TEXT NOT NULL, content TEXT NOT NULL)")
        db.executemany("INSERT INTO pcs_index VALUES (?, ?)", INDEX)
        db.execute("CREATE TABLE pcs_approach (section TEXT, code TEXT, value TEXT)")
        db.executemany(
            "INSERT INTO pcs_approach VALUES (?, ?, ?)",
            [("0", "0", "Open"), ("0", "3", "Percutaneous")],
        )
        db.execute(
            "CREATE TABLE pcs_tree (section TEXT, body_system TEXT, root_op TEXT, "
            "body_part TEXT, approach TEXT, device TEXT, qualifier TEXT, code TEXT, "
            "sec_def TEXT, bs_def TEXT, ro_def TEXT, bp_def TEXT, ap_def TEXT, dv_def TEXT, "
            "qu_def TEXT)"
        )
        db.executemany(
            "INSERT INTO pcs_tree VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    *code,
                    code,
                    "Medical and Surgical",
                    "Lymphatic and Hemic Systems",
                    "Extraction: Pulling out",
                    part,
                    approach,
                    device,
                    qualifier,
                )
                for code, part, approach, device, qualifier in TREE
            ],
        )
        db.execute(
            "CREATE TABLE pcs_codes (code TEXT, billable INT, short_name TEXT, long_name TEXT)"
        )
        db.execute(
            "INSERT INTO pcs_codes VALUES ('07DR3ZX', 1, '', "
            "'Extraction of Iliac Bone Marrow, Percutaneous Approach, Diagnostic')"
        )
        db.commit()
    return path


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Icd10PcsKnowledgeBase:
    return read_icd10pcs(make_database(tmp_path_factory.mktemp("pcs") / "icd10pcs.db"))


def test_index_lines_become_entries_and_keys() -> None:
    entries, uses = parse_index(INDEX)
    assert IndexEntry("Extraction", ("Bone Marrow", "Iliac"), "07DR") in entries
    # a continuation row restores "Bone Marrow" without repeating it as an entry
    assert IndexEntry("Extraction", ("Bone Marrow", "Vertebral"), "07DS") in entries
    assert [e for e in entries if e.term == "Extraction" and e.path == ("Bone Marrow",)] == [
        IndexEntry("Extraction", ("Bone Marrow",), "")
    ]
    assert IndexEntry("Patch, blood, spinal", (), "3E0R3GC") in entries
    assert IndexEntry("Puncture, lumbar", (), "009U", "Drainage, Spinal Canal") in entries
    assert uses == {"Iliac crest": ["Pelvic Bone, Right", "Pelvic Bone, Left"]}


def test_a_header_gets_the_prefix_common_to_its_codes() -> None:
    entries = fill_prefixes(parse_index(INDEX)[0])
    marrow = next(e for e in entries if e.term == "Extraction" and e.path == ("Bone Marrow",))
    assert (marrow.code, marrow.inferred) == ("07D", True)
    spine = next(e for e in entries if e.path == ("Spine",))
    assert spine.code == "BR20"  # one code below: its prefix is the code itself


def test_references_split_into_term_subterms_and_qualifier() -> None:
    terms = ["Drainage", "Excision", "Introduction of substance in or on"]
    reference = parse_reference("Excision with qualifier Diagnostic", terms)
    assert (reference.term, reference.path, reference.qualifier) == ("Excision", (), "Diagnostic")
    reference = parse_reference("Drainage, Spinal Canal", terms)
    assert (reference.term, reference.path) == ("Drainage", ("Spinal Canal",))
    reference = parse_reference("Introduction of substance in or on, Muscle", terms)
    assert (reference.term, reference.path) == ("Introduction of substance in or on", ("Muscle",))


def test_knowledge_base_from_a_slice(kb: Icd10PcsKnowledgeBase) -> None:
    assert kb.system is CodeSystem.ICD10PCS
    assert kb.concept("3E0R3GC").name == "Patch, blood, spinal"
    assert kb.concept("07DR").name == "Extraction, Bone Marrow, Iliac"
    assert kb.concept("07DR").parents == ("07D",)
    assert kb.lookup("patch blood spinal") == {"3E0R3GC"}
    assert kb.uses["Iliac crest"] == ("Pelvic Bone, Right", "Pelvic Bone, Left")
    assert kb.approaches[("0", "percutaneous")] == "3"


def test_tables_answer_titles_and_next_characters(kb: Icd10PcsKnowledgeBase) -> None:
    assert (
        kb.title("07DR3ZX") == "Extraction of Iliac Bone Marrow, Percutaneous Approach, Diagnostic"
    )
    assert (
        kb.title("07DR") == "Medical and Surgical, Lymphatic and Hemic Systems, Extraction, Iliac"
    )
    assert kb.title("BW28") == "Computerized Tomography (CT Scan), Head"  # not in the tables
    assert kb.next_characters("07DR") == {"0", "3"}
    assert kb.next_characters("07DR3") == {"Z"}
    assert kb.next_characters("07DR3Z") == {"X", "Z"}
    assert kb.qualifier("07DR", "Diagnostic") == "X"
    assert kb.qualifier("07DR", "Therapeutic") is None
    assert kb.in_tables("07DR") and not kb.in_tables("BW28")


def test_tables_answer_from_a_second_thread(kb: Icd10PcsKnowledgeBase) -> None:
    # The API serves requests from worker threads; each keeps its own connection to the file.
    assert kb.next_characters("07D") == {"Q", "R"}
    with ThreadPoolExecutor(max_workers=1) as pool:
        answers = pool.submit(
            lambda: (kb.next_characters("07DQ"), kb.qualifier("07DQ", "Diagnostic"))
        )
        assert answers.result() == ({"3"}, "X")


def test_missing_or_foreign_database_is_cb_e012(tmp_path: Path) -> None:
    with pytest.raises(CasebookError) as caught:
        read_icd10pcs(tmp_path / "absent.db")
    assert caught.value.code is ErrorCode.INVALID_RESOURCE
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE t (x INT)")
    with pytest.raises(CasebookError) as caught:
        read_icd10pcs(other)
    assert caught.value.code is ErrorCode.INVALID_RESOURCE


def test_the_wheels_index() -> None:
    kb = load_icd10pcs()
    assert len(kb) > 10_000
    assert kb.concept("3E0R3GC").name.startswith("Introduction of substance in or on")
    assert "Patch, blood, spinal" in kb.concept("3E0R3GC").synonyms
    iliac = [e for e in kb.index["Extraction"] if e.path == ("Bone Marrow", "Iliac")]
    assert [e.code for e in iliac] == ["07DR"]
    assert (
        kb.title("07DR3ZX") == "Extraction of Iliac Bone Marrow, Percutaneous Approach, Diagnostic"
    )
