"""PMC OA packages: every JATS article of a .tar.gz, read as a stream, bad members reported."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.detect import iter_documents
from casebook.ingest.pmc_oa import is_package, read_pmc_package
from casebook.model import Document, SourceFormat


def jats(pmcid: str, text: str) -> bytes:
    """A minimal JATS case report with a PMCID and one paragraph."""
    return (
        '<?xml version="1.0"?>\n<article article-type="case-report"><front><article-meta>'
        f'<article-id pub-id-type="pmc">{pmcid}</article-id>'
        "<title-group><article-title>A case</article-title></title-group>"
        f"</article-meta></front><body><sec><title>Case presentation</title><p>{text}</p>"
        "</sec></body></article>"
    ).encode()


def write_package(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_every_article_of_a_package_is_read_in_order_and_other_members_are_passed_over(
    tmp_path: Path,
) -> None:
    package = write_package(
        tmp_path / "oa_comm_xml.PMC001.tar.gz",
        {
            "PMC001/PMC7700001.nxml": jats("7700001", "A 60-year-old man had a cough."),
            "PMC001/figure1.jpg": b"\xff\xd8\xff\xe0 not an article",
            "PMC001/._PMC7700002.nxml": b"\x00\x05\x16\x07 macOS metadata",
            "PMC002/PMC7700002.xml": jats("7700002", "A 7-year-old girl had a rash."),
        },
    )
    items = list(read_pmc_package(package))
    assert all(isinstance(item, Document) for item in items)
    documents = [item for item in items if isinstance(item, Document)]
    assert [d.id for d in documents] == ["PMC7700001", "PMC7700002"]
    assert "a cough" in documents[0].text and "a rash" in documents[1].text
    assert documents[0].source.format is SourceFormat.JATS
    assert documents[0].source.path == f"{package}/PMC001/PMC7700001.nxml"


def test_a_broken_article_is_reported_and_the_next_one_is_read(tmp_path: Path) -> None:
    package = write_package(
        tmp_path / "pkg.tar.gz",
        {
            "a/broken.nxml": b"<article><front>",
            "b/PMC7700003.nxml": jats("7700003", "A woman had a fever."),
        },
    )
    first, second = read_pmc_package(package)
    assert isinstance(first, CasebookError) and first.code is ErrorCode.MALFORMED_XML
    assert first.path == f"{package}/a/broken.nxml"
    assert isinstance(second, Document) and second.id == "PMC7700003"


def test_a_file_that_is_not_a_gzipped_tar_is_one_coded_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.tar.gz"
    fake.write_bytes(b"plain text pretending to be a package")
    (error,) = read_pmc_package(fake)
    assert isinstance(error, CasebookError) and error.code is ErrorCode.MALFORMED_ARCHIVE
    assert error.path == str(fake)


def test_a_truncated_package_yields_the_articles_before_the_break_then_its_error(
    tmp_path: Path,
) -> None:
    whole = write_package(
        tmp_path / "whole.tar.gz",
        {
            "PMC7700004.nxml": jats("7700004", "A man had a headache."),
            # Incompressible bytes, so that the cut falls inside this member.
            "noise.bin": bytes(range(256)) * 4096,
        },
    )
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    items = list(read_pmc_package(cut))
    assert isinstance(items[0], Document) and items[0].id == "PMC7700004"
    assert isinstance(items[-1], CasebookError)
    assert items[-1].code is ErrorCode.MALFORMED_ARCHIVE


def test_packages_are_found_in_folders_and_read_without_unpacking(tmp_path: Path) -> None:
    folder = tmp_path / "bulk"
    folder.mkdir()
    write_package(folder / "one.tar.gz", {"x/PMC7700005.nxml": jats("7700005", "A cough.")})
    write_package(folder / "two.tgz", {"y/PMC7700006.nxml": jats("7700006", "A rash.")})
    before = sorted(tmp_path.rglob("*"))
    ids = [item.id for item in iter_documents([str(folder)]) if isinstance(item, Document)]
    assert ids == ["PMC7700005", "PMC7700006"]
    assert sorted(tmp_path.rglob("*")) == before


def test_package_names() -> None:
    assert is_package(Path("oa_comm_xml.PMC000xxxxxx.baseline.2024-06-18.tar.gz"))
    assert is_package(Path("PMC176545.TGZ"))
    assert not is_package(Path("article.nxml")) and not is_package(Path("notes.gz"))
