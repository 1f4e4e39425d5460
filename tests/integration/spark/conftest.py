"""What the Spark tests share: the environment a Spark job runs in, the case reports they
read (written for these tests, one binary file among them), and ``extract``'s output for them.

They skip without pyspark or Java, and run every job in a process of its own, as users do.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import casebook
from casebook import service

pytestmark = pytest.mark.spark

SOURCE = Path(casebook.__file__).parents[1]
FIXTURES = Path(__file__).parents[2] / "fixtures" / "ingest"

QUIET_CONF = {
    "spark.ui.enabled": "false",
    "spark.driver.memory": "512m",
    "spark.executor.memory": "512m",
}
"""Settings that keep a test job small and off every network interface but the loopback."""

NOTE = (
    "Case presentation\n"
    "A 71-year-old woman had sudden chest pain and dyspnoea. An ECG showed ST elevation in "
    "leads II, III and aVF. She underwent primary PCI of the right coronary artery and "
    "recovered fully.\n"
)


def jats(pmcid: str, title: str, text: str) -> bytes:
    """A small JATS case report."""
    return (
        '<?xml version="1.0"?>\n<article article-type="case-report"><front><article-meta>'
        f'<article-id pub-id-type="pmc">{pmcid}</article-id><title-group><article-title>'
        f"{title}</article-title></title-group></article-meta></front><body>"
        f"<sec><title>Case presentation</title><p>{text}</p></sec></body></article>"
    ).encode()


@pytest.fixture(scope="session")
def spark_env() -> dict[str, str]:
    """The environment for a Spark job; skips the test without pyspark or Java."""
    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        pytest.skip("Spark needs Java 17 (apt-get install openjdk-17-jre-headless)")
    return {
        **os.environ,
        "PYSPARK_PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")])),
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


@pytest.fixture(scope="session")
def case_reports(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The inputs: a folder of every format casebook reads, a PMC package, and a binary file."""
    root = tmp_path_factory.mktemp("reports")
    folder = root / "reports"
    folder.mkdir()
    for name in ("report.txt", "case-report.nxml", "case.bioc.json", "patients.jsonl"):
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "brat").mkdir()
    for name in ("case.txt", "case.ann"):
        shutil.copy(FIXTURES / name, folder / "brat" / name)
    (folder / "stemi.txt").write_text(NOTE, encoding="utf-8")
    with tarfile.open(folder / "oa_comm_xml.PMC077xxxxxx.tar.gz", "w:gz") as package:
        for pmcid, title, text in (
            ("7700101", "Lyme carditis", "A 23-year-old man had syncope and complete heart block."),
            ("7700102", "Pica", "A 4-year-old boy ate soil and had iron deficiency anaemia."),
        ):
            data = jats(pmcid, title, text)
            info = tarfile.TarInfo(f"PMC077xxxxxx/PMC{pmcid}.xml")
            info.size = len(data)
            package.addfile(info, io.BytesIO(data))
    scan = root / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    return [str(folder), str(scan)]


@pytest.fixture(scope="session")
def extracted(case_reports: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``casebook extract`` writes for the inputs."""
    out = tmp_path_factory.mktemp("extract")
    result = service.extract(case_reports, out, workers=1)
    assert [error.code.value for error in result.failed] == ["CB-E003"]
    assert len(result.written) == 11
    return out


@pytest.fixture(scope="session")
def extracted_fhir(case_reports: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``casebook extract --format fhir`` writes for the inputs."""
    out = tmp_path_factory.mktemp("extract-fhir")
    result = service.extract(case_reports, out, workers=1, output_format=service.ExportFormat.FHIR)
    assert len(result.written) == 11
    return out


def run_casebook(
    arguments: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``casebook ARGUMENTS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "casebook", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def conf_options(conf: dict[str, str]) -> list[str]:
    return [option for key, value in conf.items() for option in ("--conf", f"{key}={value}")]


def case_files(folder: Path) -> dict[str, bytes]:
    """The case files of an output folder, by name."""
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.json"))}
