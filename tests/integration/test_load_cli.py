"""``casebook load`` and ``casebook cases --stale`` as users run them, on ``extract`` output."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casebook import service
from casebook.cli import app
from casebook.model import Case
from casebook.pipeline_fingerprint import pipeline_fingerprint

runner = CliRunner()

REPORTS = {
    "cough": "A 54-year-old man presented with fever and a productive cough for 3 days.\n"
    "He received ceftriaxone 1 g i.v. daily and recovered.\n",
    "rash": "A 7-year-old girl had a rash on both legs. She recovered fully.\n",
    "seizure": "A 31-year-old woman had a first generalised seizure after sleep deprivation.\n",
}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``casebook extract`` wrote for three reports: one Case JSON each."""
    root = tmp_path_factory.mktemp("extract")
    source, out = root / "in", root / "out"
    source.mkdir()
    for name, text in REPORTS.items():
        (source / f"{name}.txt").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(source), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


def _lines(extracted: Path, *names: str) -> list[str]:
    return [
        Case.model_validate_json((extracted / f"{n}.json").read_text()).model_dump_json()
        for n in names
    ]


def _older(line: str) -> str:
    """The line as another pipeline (older models or rules) would have made it."""
    data = json.loads(line)
    data["pipeline"] = "0" * 16
    return json.dumps(data)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_load_stores_extract_output_that_search_then_finds(
    extracted: Path, tmp_path: Path, workers: str
) -> None:
    store = tmp_path / "cases.duckdb"
    loaded = runner.invoke(
        app, ["load", str(extracted), "--store", str(store), "--workers", workers]
    )
    assert loaded.exit_code == 0, loaded.output
    assert "3 added, 0 unchanged, 0 replaced (0 analysed again), 0 failed" in loaded.stderr
    for name in REPORTS:
        stored = service.get_case(store, name)
        assert stored == Case.model_validate_json((extracted / f"{name}.json").read_text())
    found = runner.invoke(
        app, ["search", "fever and a productive cough", "--store", str(store), "--json"]
    )
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["similar"][0]["id"] == "cough"

    listed = runner.invoke(app, ["cases", "--json", "--store", str(store)])
    assert [case["id"] for case in json.loads(listed.stdout)] == sorted(REPORTS)

    again = runner.invoke(app, ["load", str(extracted), "--store", str(store)])
    assert "0 added, 3 unchanged" in again.stderr and again.exit_code == 0
    # The same cases analysed from their documents are the stored ones: nothing to do.
    added = runner.invoke(app, ["add", str(extracted.parent / "in"), "--store", str(store)])
    assert "0 added, 3 unchanged" in added.stderr, added.output


def test_a_case_another_pipeline_made_is_refused_unless_reanalysed(
    extracted: Path, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.jsonl"
    cough, rash = _lines(extracted, "cough", "rash")
    cases.write_text(cough + "\n" + _older(rash) + "\n", encoding="utf-8")
    store = tmp_path / "cases.duckdb"
    refused = runner.invoke(app, ["load", str(cases), "--store", str(store)])
    assert refused.exit_code == 1
    assert "1 added" in refused.stderr and "1 failed" in refused.stderr
    assert f"CB-E025 {cases}:2: case 'rash' was made by pipeline {'0' * 16}" in refused.stderr
    assert service.stale_cases(store).ids == [] and service.count_cases(store) == 1

    reanalysed = runner.invoke(app, ["load", str(cases), "--store", str(store), "--reanalyse"])
    assert reanalysed.exit_code == 0, reanalysed.output
    assert "1 added, 1 unchanged, 0 replaced (1 analysed again), 0 failed" in reanalysed.stderr
    rash_case = service.get_case(store, "rash")
    assert rash_case.pipeline == pipeline_fingerprint()
    assert rash_case == Case.model_validate_json((extracted / "rash.json").read_text())


def test_bad_records_are_reported_with_their_place_and_the_rest_stored(
    extracted: Path, tmp_path: Path
) -> None:
    cough, rash, seizure = _lines(extracted, "cough", "rash", "seizure")
    cases = tmp_path / "cases.jsonl"
    not_a_case = json.dumps({"id": "broken", "text": "no source"})
    cases.write_text(
        "\n".join([cough, rash[: len(rash) // 2], seizure, not_a_case]) + "\n", encoding="utf-8"
    )
    store = tmp_path / "cases.duckdb"
    result = runner.invoke(app, ["load", str(cases), "--store", str(store)])
    assert result.exit_code == 2  # the number of failures
    assert f"CB-E008 {cases}:2" in result.stderr
    assert f"CB-E010 {cases}:4: case 'broken' is not a valid case at source" in result.stderr
    assert service.list_cases(store) and [s.id for s in service.list_cases(store)] == [
        "cough",
        "seizure",
    ]


def test_gzipped_json_lines_load(extracted: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl.gz"
    cases.write_bytes(gzip.compress("\n".join(_lines(extracted, *REPORTS)).encode()))
    store = tmp_path / "cases.duckdb"
    result = runner.invoke(app, ["load", str(cases), "--store", str(store), "--no-index"])
    assert result.exit_code == 0, result.output
    assert sorted(service.get_case(store, n).id for n in REPORTS) == sorted(REPORTS)


def test_cases_stale_counts_and_lists_what_another_pipeline_made(
    extracted: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cases.duckdb"
    current = [Case.model_validate_json(line) for line in _lines(extracted, "cough")]
    older = [Case.model_validate_json(_older(line)) for line in _lines(extracted, "rash")]
    unrecorded = [
        Case.model_validate_json(line).model_copy(update={"pipeline": None})
        for line in _lines(extracted, "seizure")
    ]
    service.store_cases([*current, *older, *unrecorded], store)

    counted = runner.invoke(app, ["cases", "--stale", "--store", str(store)])
    assert counted.exit_code == 0 and counted.stdout.strip() == "2"
    listed = runner.invoke(app, ["cases", "--stale", "--json", "--store", str(store)])
    assert json.loads(listed.stdout) == {
        "pipeline": pipeline_fingerprint(),
        "stored": 3,
        "stale": 2,
        "ids": ["rash", "seizure"],
    }


def test_a_case_whose_id_is_stored_with_another_text_is_refused_unless_replaced(
    extracted: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cases.duckdb"
    assert runner.invoke(app, ["load", str(extracted), "--store", str(store)]).exit_code == 0
    other = Case.model_validate_json(_lines(extracted, "rash")[0])
    cases = tmp_path / "cases.jsonl"
    cases.write_text(other.model_copy(update={"id": "cough"}).model_dump_json() + "\n")
    refused = runner.invoke(app, ["load", str(cases), "--store", str(store)])
    assert refused.exit_code == 1
    assert f"CB-E021 {cases}:1: a case 'cough' with another text" in refused.stderr
    assert service.get_case(store, "cough").text == REPORTS["cough"]

    replaced = runner.invoke(app, ["load", str(cases), "--store", str(store), "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "0 added, 0 unchanged, 1 replaced" in replaced.stderr
    assert service.get_case(store, "cough").text == REPORTS["rash"]


def test_the_case_parquet_of_spark_extract_loads_and_its_bad_rows_are_refused(
    extracted: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    from casebook.export.parquet import CASES_FOLDER, CaseParquetWriter, CaseRow

    def row(case: Case, fingerprint: str | None = None) -> CaseRow:
        # What ``spark extract --format parquet`` writes for a case (``_analyse_one``).
        record = service.case_record(case, service.content_hash(case))
        return CaseRow(
            id=case.id,
            fingerprint=fingerprint or record.content_hash,
            case_json=record.case_json,
            index_key=record.index_key or "",
            index_entry=record.index_entry or "",
        )

    cough, rash, seizure = (Case.model_validate_json(line) for line in _lines(extracted, *REPORTS))
    older = Case.model_validate_json(_older(seizure.model_dump_json()))
    out = tmp_path / "spark-out"
    with CaseParquetWriter(out / CASES_FOLDER / "part-1-00000.parquet") as writer:
        writer.add(row(cough))
        writer.add(row(rash, fingerprint="f" * 64))  # not what its case was made from
    with CaseParquetWriter(out / CASES_FOLDER / "part-1-00001.parquet") as writer:
        writer.add(row(older))
    (out / "failures.csv").write_text("id,path,code,message\n", encoding="utf-8")

    store = tmp_path / "cases.duckdb"
    loaded = runner.invoke(app, ["load", str(out), "--store", str(store)])
    assert loaded.exit_code == 2, loaded.output
    assert "1 added, 0 unchanged, 0 replaced (0 analysed again), 2 failed" in loaded.stderr
    first = out / CASES_FOLDER / "part-1-00000.parquet"
    second = out / CASES_FOLDER / "part-1-00001.parquet"
    assert f"CB-E010 {first}:row 2: case 'rash' is stored with the fingerprint" in loaded.stderr
    assert f"CB-E025 {second}:row 1: case 'seizure' was made by pipeline" in loaded.stderr
    assert service.get_case(store, "cough") == cough
    found = runner.invoke(app, ["search", "productive cough", "--store", str(store), "--json"])
    assert json.loads(found.stdout)["similar"][0]["id"] == "cough"

    folder = out / CASES_FOLDER  # the Parquet folder itself loads too
    again = runner.invoke(app, ["load", str(folder), "--store", str(store), "--reanalyse"])
    assert "1 added, 1 unchanged, 0 replaced (1 analysed again), 1 failed" in again.stderr
    assert service.get_case(store, "seizure") == seizure


def _stored_json(store: Path) -> dict[str, str]:
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        return dict(con.execute("SELECT id, case_json FROM cases").fetchall())


def test_the_case_parquet_json_is_kept_as_written_and_reads_back_equal(
    extracted: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow")
    from casebook.export.parquet import CASES_FOLDER, CaseParquetWriter, CaseRow

    # The case Parquet's JSON as casebook writes it, and as another writer might format it.
    formats = {
        "dumped": lambda case: case.model_dump_json(),
        "indented": lambda case: case.model_dump_json(indent=2),
        "sorted": lambda case: json.dumps(json.loads(case.model_dump_json()), sort_keys=True),
    }
    cases: dict[str, tuple[Case, str]] = {}
    out = tmp_path / "spark-out" / CASES_FOLDER
    with CaseParquetWriter(out / "part-1-00000.parquet") as writer:
        for name, write in formats.items():
            for line in _lines(extracted, *REPORTS):
                case = Case.model_validate_json(line)
                case = case.model_copy(update={"id": f"{name}-{case.id}"})
                record = service.case_record(case, service.content_hash(case))
                written = write(case)
                writer.add(
                    CaseRow(
                        case.id,
                        record.content_hash,
                        written,
                        record.index_key or "",
                        record.index_entry or "",
                    )
                )
                cases[case.id] = (case, written)

    store = tmp_path / "cases.duckdb"
    loaded = runner.invoke(app, ["load", str(out), "--store", str(store), "--workers", "2"])
    assert loaded.exit_code == 0, loaded.output
    stored = _stored_json(store)
    assert stored.keys() == cases.keys()
    for case_id, (case, written) in cases.items():
        assert stored[case_id] == written  # kept as the row held it, not written again
        assert Case.model_validate_json(stored[case_id]) == case
        assert service.get_case(store, case_id) == case
    # Casebook's own rows are what the store wrote before it kept them: the case's dump.
    for case_id, (case, _) in cases.items():
        if case_id.startswith("dumped-"):
            assert stored[case_id] == case.model_dump_json()


def test_case_json_files_are_stored_as_the_case_model_writes_them(
    extracted: Path, tmp_path: Path
) -> None:
    store = tmp_path / "cases.duckdb"
    loaded = runner.invoke(app, ["load", str(extracted), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    stored = _stored_json(store)
    for name in REPORTS:
        written = (extracted / f"{name}.json").read_text(encoding="utf-8")
        case = Case.model_validate_json(written)
        assert written != case.model_dump_json()  # extract indents its files
        assert stored[name] == case.model_dump_json()


def test_a_load_batch_is_whole_row_groups_of_a_duckdb_store() -> None:
    from casebook.service.loading import LOAD_BATCH
    from casebook.store.duckdb import ROW_GROUP_SIZE

    assert LOAD_BATCH % ROW_GROUP_SIZE == 0
