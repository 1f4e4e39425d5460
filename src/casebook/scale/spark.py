"""``casebook spark extract``: ``extract`` as an Apache Spark job, for corpora past one machine.

The driver (this process) reads the inputs as ``extract`` does, passes over every document
whose output is current, and stages the rest in a Parquet file inside the output folder. It
cuts the staged documents, in order, into partitions of about equal text (``balance``), and
Spark runs one task per partition in a Python worker: the task reads its stretch of the
staging file itself, so documents never pass through Spark's JVM. A worker loads the pipeline
once (``service.default_pipeline`` is cached per process, and Spark reuses its Python workers
from task to task), writes each case itself exactly as ``extract`` does (``ID.json``,
``ID.fhir.json``) or its partition's rows of the case Parquet (``casebook.export.parquet``),
and sends back one small status per document. A document that fails is a status with its
error, never a failed task; the driver writes the failures to ``failures.csv`` and tidies the
output.

On a cluster, the output folder must be one path that the driver and every worker see (a
shared file system), and casebook must be installed at the same interpreter path on every
machine (``PYSPARK_PYTHON``, which defaults to this process's interpreter).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import shutil
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from casebook import service
from casebook.config import MENTION_MODEL_VARIABLE, mention_model
from casebook.errors import CasebookError, ErrorCode
from casebook.ingest.detect import iter_documents
from casebook.model import Document
from casebook.scale.balance import split_in_order, weight

if TYPE_CHECKING:
    from pyspark import SparkContext

    from casebook.export.parquet import CaseParquetWriter


class SparkFormat(StrEnum):
    """What ``spark extract`` writes: the files ``extract`` writes, or the case Parquet."""

    JSON = "json"
    FHIR = "fhir"
    PARQUET = "parquet"


FAILURES_FILE = "failures.csv"
"""The failures of the last run, in the output folder: ``id,path,code,message`` (no file
when nothing failed). Its name is never a case's file name, which ends in ``.json``."""

PARTITIONS_PER_CORE = 4
"""Partitions per core the cluster offers, so that a core that finishes early takes another."""

PARTITION_CHARS = 2_000_000
"""The most text a partition holds by default: a partition is what a lost worker costs and,
in Parquet, one file."""

STAGED_BATCH = 256
"""Documents the driver writes to the staging file at a time."""

DEFAULT_CONF: dict[str, str] = {
    # Keep each Python worker, and so its loaded pipeline, for every task it runs.
    "spark.python.worker.reuse": "true",
    "spark.log.level": "WARN",
}
"""Spark settings ``spark extract`` starts with; ``--conf`` overrides any of them."""

LAUNCH_CONF: dict[str, str] = {
    # The JVMs only hand out tasks and gather statuses, never documents: their code is better
    # compiled quickly (C1) than optimised at length (C2), which takes CPU from the analysis.
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
    "spark.executor.extraJavaOptions": "-XX:TieredStopAtLevel=1",
}
"""Settings added when ``spark extract`` starts Spark itself; under ``spark-submit`` the JVM
is already running, and the options it was given stand. ``--conf`` overrides any of them."""


class Status(NamedTuple):
    """What a worker sends back per document: its place in the staging file, its id, and the
    error's path, code and message when it failed (None when its output was written)."""

    ordinal: int
    id: str
    path: str | None
    code: str | None
    message: str | None


def fingerprint(document: Document) -> str:
    """What a written case is current for: ``service.content_hash``, the hash of the text,
    its format and the pipeline fingerprint (``Case.pipeline`` of the case written), which
    ``casebook add`` and ``casebook load`` store too."""
    return service.content_hash(document)


def _is_current(
    document: Document, digest: str, out_dir: Path, fmt: SparkFormat, written: Mapping[str, str]
) -> bool:
    """Whether the output already holds this document's case, made from the same input."""
    if fmt is SparkFormat.PARQUET:
        return written.get(document.id) == digest
    # The check ``extract`` makes, so both commands skip the same documents.
    return service.already_extracted(document, out_dir, service.ExportFormat(fmt.value))


@dataclass(frozen=True)
class Failure:
    """A document, or an input, that produced no case: its id when it was read, and why."""

    id: str | None
    error: CasebookError


@dataclass
class SparkExtractResult:
    """What a ``spark extract`` run did.

    Attributes:
        written: Ids of the cases written.
        skipped: Ids whose output was already current.
        failed: Inputs and documents that produced no case.
        replaced: Ids of documents left out because a later input document has the same id
            (the later one is the one written, as the last write wins in ``extract``).
        partitions: How many partitions the analysis ran in (0 when nothing needed it).
    """

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    partitions: int = 0


@dataclass(frozen=True)
class WorkerJob:
    """What every task needs to know, sent to the workers with the analysis function."""

    out_dir: str
    output_format: SparkFormat
    run: str
    staged: str
    """The staging file (``_stage``), in the output folder that every worker sees."""


@dataclass(frozen=True)
class Partition:
    """One partition: its number, and its documents' ordinals in the staging file, in order."""

    number: int
    ordinals: array[int]


@dataclass
class _Staged:
    """The documents left to analyse, in the staging file, and what was decided reading them."""

    ids: list[str] = field(default_factory=list)
    """The id of each staged document, by ordinal."""
    weights: array[int] = field(default_factory=lambda: array("q"))
    """The weight (text length and overhead) of each staged document, by ordinal."""
    latest: dict[str, int | None] = field(default_factory=dict)
    """For each id read, the ordinal of its last document, or None when it is current."""
    failed: list[Failure] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def todo(self) -> list[int]:
        """The ordinals to analyse, in input order."""
        return sorted(o for o in self.latest.values() if o is not None)


def _under_submit() -> bool:
    """Whether ``spark-submit`` started this process, and with it Spark's JVM."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _require_spark() -> None:
    """Fail before reading any input when Spark cannot run here."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise CasebookError(
            ErrorCode.SPARK_ERROR,
            f"{exc.name} is not installed: pip install 'casebook[spark]'",
        ) from None
    # Under spark-submit the JVM is already running; otherwise PySpark starts one.
    if _under_submit():
        return
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").is_file()) and not shutil.which("java"):
        raise CasebookError(
            ErrorCode.SPARK_ERROR,
            "Spark needs Java 17 and none was found: set JAVA_HOME, or "
            "apt-get install openjdk-17-jre-headless",
        )


def _context(master: str | None, conf: Mapping[str, str]) -> SparkContext:
    from pyspark import SparkConf, SparkContext

    # The Python workers run this interpreter, where casebook is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {
        **DEFAULT_CONF,
        **({} if _under_submit() else LAUNCH_CONF),
        "spark.app.name": "casebook spark extract",
        # The workers analyse with the driver's mention model, on a cluster too.
        f"spark.executorEnv.{MENTION_MODEL_VARIABLE}": mention_model(),
        "spark.ui.showConsoleProgress": "true" if sys.stderr.isatty() else "false",
        **conf,
    }
    if master:
        settings["spark.master"] = master
    try:
        return SparkContext.getOrCreate(SparkConf().setAll(list(settings.items())))
    except Exception as exc:  # PySpark's errors for a JVM that did not start or a bad master
        raise CasebookError(
            ErrorCode.SPARK_ERROR, f"Spark did not start: {_first_line(exc)}"
        ) from exc


def _first_line(exc: BaseException) -> str:
    """The first line of an error, the Java exception's when Spark's JVM raised it (py4j's own
    first line only names the Java method called), without its stack trace."""
    text = str(exc)
    java = getattr(exc, "java_exception", None)
    if java is not None:
        with contextlib.suppress(Exception):  # the JVM may be gone by now
            text = str(java)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:500]


def _stage(
    items: Iterable[Document | CasebookError],
    out_dir: Path,
    fmt: SparkFormat,
    target: Path,
    written: Mapping[str, str],
    on_first: Callable[[], object],
) -> _Staged:
    """Write the documents whose output is not current to a Parquet file for the workers to
    read, in rows of ``ordinal`` (the row's number in the file), ``fingerprint`` and
    ``document`` (the ``Document`` as JSON).

    A document whose id a later document repeats is left out (listed in ``replaced``), and
    the later one decides whether the id is current, so that the output ends as ``extract``'s
    last write leaves it. ``on_first`` is called when the first document is staged.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            pa.field("ordinal", pa.int64(), nullable=False),
            pa.field("fingerprint", pa.string(), nullable=False),
            pa.field("document", pa.string(), nullable=False),
        ]
    )
    staged = _Staged()
    pending: list[dict[str, int | str]] = []
    with pq.ParquetWriter(target, schema) as writer:

        def flush() -> None:
            if pending:
                writer.write_table(pa.Table.from_pylist(pending, schema=schema))
                pending.clear()

        for item in items:
            if isinstance(item, CasebookError):
                staged.failed.append(Failure(None, item))
                continue
            if item.id in staged.latest:
                staged.replaced.append(item.id)
            digest = fingerprint(item)
            if _is_current(item, digest, out_dir, fmt, written):
                staged.latest[item.id] = None
                continue
            ordinal = len(staged.ids)
            if not ordinal:
                on_first()
            staged.latest[item.id] = ordinal
            staged.ids.append(item.id)
            staged.weights.append(weight(len(item.text)))
            pending.append(
                {"ordinal": ordinal, "fingerprint": digest, "document": item.model_dump_json()}
            )
            if len(pending) >= STAGED_BATCH:
                flush()
        flush()
    return staged


def default_partitions(cores: int, total_weight: int, documents: int) -> int:
    """How many partitions ``documents`` of ``total_weight`` go into on ``cores`` cores."""
    wanted = max(cores * PARTITIONS_PER_CORE, math.ceil(total_weight / PARTITION_CHARS))
    return max(1, min(wanted, documents))


def _cut(staged: _Staged, count: int) -> list[Partition]:
    """The documents to analyse cut, in order, into at most ``count`` partitions of about
    equal text."""
    todo = staged.todo()
    parts = [Partition(0, array("q"))]
    for ordinal, number in zip(
        todo, split_in_order([staged.weights[o] for o in todo], count), strict=True
    ):
        if number == len(parts):
            parts.append(Partition(number, array("q")))
        parts[number].ordinals.append(ordinal)
    return parts


class _SparkStarter:
    """Starts Spark once, when asked, in a thread of its own: the JVM starts while the driver
    goes on reading and staging documents."""

    def __init__(self, master: str | None, conf: Mapping[str, str]) -> None:
        self._master = master
        self._conf = conf
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casebook-spark")
        self._started: Future[SparkContext] | None = None

    def start(self) -> Future[SparkContext]:
        """Start Spark, unless it is starting or started already."""
        if self._started is None:
            self._started = self._pool.submit(_context, self._master, self._conf)
        return self._started

    def context(self) -> SparkContext:
        """The running Spark context, once it has started.

        Raises:
            CasebookError: ``CB-E024`` when Spark did not start.
        """
        return self.start().result()

    def stop(self) -> None:
        """Stop Spark if it was started (waiting for it to have started first)."""
        if self._started is not None:
            with contextlib.suppress(CasebookError):  # it did not start: nothing to stop
                self._started.result().stop()
        self._pool.shutdown()


def _analyse_on_spark(
    staged: _Staged,
    job: WorkerJob,
    context: SparkContext,
    *,
    partitions: int | None,
    on_start: Callable[[int, int], None] | None,
) -> tuple[int, list[Status]]:
    """Analyse the staged documents on Spark; the partition count and a status per document."""
    todo = staged.todo()
    try:
        count = partitions or default_partitions(
            context.defaultParallelism,
            sum(staged.weights[o] for o in todo),
            len(todo),
        )
        parts = _cut(staged, count)
        if on_start:
            on_start(len(todo), len(parts))
        # One Spark partition per partition, the first started first.
        statuses = (
            context.parallelize(parts, len(parts))
            .mapPartitions(partial(analyse_partition, job))
            .collect()
        )
    except CasebookError:
        raise
    except Exception as exc:  # the job itself failed: the cluster, not a document
        raise CasebookError(
            ErrorCode.SPARK_ERROR, f"the Spark job failed: {_first_line(exc)}"
        ) from exc
    return len(parts), statuses


def _staged_documents(staged: str, ordinals: Sequence[int]) -> Iterator[tuple[int, str, str]]:
    """The ordinal, fingerprint and document JSON of each of ``ordinals`` (ascending) in the
    staging file, reading only the row groups that hold them."""
    import pyarrow.parquet as pq

    wanted = set(ordinals)
    # An ordinal is its row's number in the file (``_stage``).
    first, last = ordinals[0], ordinals[-1]
    with pq.ParquetFile(staged) as file:
        groups: list[int] = []
        start = 0
        for group in range(file.metadata.num_row_groups):
            rows = file.metadata.row_group(group).num_rows
            if start <= last and start + rows > first:
                groups.append(group)
            start += rows
        for batch in file.iter_batches(batch_size=STAGED_BATCH, row_groups=groups):
            for row in batch.to_pylist():
                if row["ordinal"] in wanted:
                    yield row["ordinal"], row["fingerprint"], row["document"]


def analyse_partition(job: WorkerJob, parts: Iterable[Partition]) -> Iterator[Status]:
    """Analyse one partition's documents in a Python worker and write their output.

    Runs as a Spark task: ``parts`` holds the task's partition, whose documents it reads from
    the staging file a row group at a time; one status is yielded per document, so a worker
    never holds more than one document's case. A document's error is its status; only a
    failure to read the staging file or to finish the partition's Parquet file fails the task
    (which Spark then runs again).
    """
    from casebook.export.parquet import CASES_FOLDER, CaseParquetWriter

    out_dir = Path(job.out_dir)
    for part in parts:
        writer: CaseParquetWriter | None = None
        if job.output_format is SparkFormat.PARQUET:
            target = out_dir / CASES_FOLDER / f"part-{job.run}-{part.number:05d}.parquet"
            writer = CaseParquetWriter(target)
        try:
            for ordinal, digest, document in _staged_documents(job.staged, part.ordinals):
                yield _analyse_one(ordinal, digest, document, out_dir, job, writer)
        except BaseException:
            if writer is not None:
                writer.discard()
            raise
        if writer is not None:
            writer.close()


def _analyse_one(
    ordinal: int,
    digest: str,
    document_json: str,
    out_dir: Path,
    job: WorkerJob,
    writer: CaseParquetWriter | None,
) -> Status:
    """Analyse and write one staged document; its status, never an exception."""
    from casebook.export.parquet import CaseRow

    document = Document.model_validate_json(document_json)
    try:
        case = service.analyze_document(document)
        if writer is not None:
            record = service.case_record(case, digest)
            writer.add(
                CaseRow(
                    id=case.id,
                    fingerprint=digest,
                    case_json=record.case_json,
                    index_key=record.index_key or "",
                    index_entry=record.index_entry or "",
                )
            )
        else:
            service.write_case(case, out_dir, service.ExportFormat(job.output_format.value))
    except CasebookError as error:
        return _status(ordinal, document.id, error)
    except Exception as exc:  # a case that cannot be indexed or written must not stop the rest
        failure = CasebookError(
            ErrorCode.PROCESSING_FAILED,
            f"writing the case failed: {type(exc).__name__}: {exc}",
            document.source.path or document.id,
        )
        return _status(ordinal, document.id, failure)
    return Status(ordinal, document.id, document.source.path, None, None)


def _status(ordinal: int, case_id: str, error: CasebookError) -> Status:
    return Status(ordinal, case_id, error.path, error.code.value, error.message)


def write_failures(out_dir: Path, failures: Sequence[Failure]) -> None:
    """Write ``failures.csv`` (``id,path,code,message``), or remove an old one if none failed."""
    target = out_dir / FAILURES_FILE
    if not failures:
        target.unlink(missing_ok=True)
        return
    buffer = io.StringIO()
    table = csv.writer(buffer, lineterminator="\n")
    table.writerow(["id", "path", "code", "message"])
    for failure in failures:
        error = failure.error
        table.writerow([failure.id or "", error.path or "", error.code.value, error.message])
    temporary = out_dir / f".tmp-{FAILURES_FILE}"
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(temporary, target)


def _run_id() -> str:
    """The run's UTC start time, which sorts as the runs do."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def spark_extract(
    inputs: Sequence[str],
    out_dir: Path,
    *,
    output_format: SparkFormat = SparkFormat.JSON,
    master: str | None = None,
    partitions: int | None = None,
    conf: Mapping[str, str] | None = None,
    stdin: BinaryIO | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> SparkExtractResult:
    """Analyse every document the inputs name on Spark, writing one case per document.

    ``json`` and ``fhir`` write the files ``extract`` writes (the same names, the same bytes);
    ``parquet`` writes the case Parquet (``OUT/cases.parquet/``). Documents whose output is
    current are passed over. Failures go to ``OUT/failures.csv``.

    Args:
        inputs: Files, folders, glob patterns, PMC packages, or ``-`` for standard input.
        out_dir: The output folder; created when missing.
        output_format: What to write.
        master: Spark's master URL (``local[2]``, ``spark://host:7077``); None leaves it to
            ``spark-submit``, or ``local[*]``.
        partitions: How many partitions; None for ``default_partitions``.
        conf: Spark settings, over ``DEFAULT_CONF``.
        stdin: The stream ``-`` reads from.
        on_start: Called with the number of documents to analyse and of partitions, once
            Spark has started (never when nothing needs analysing).

    Raises:
        CasebookError: ``CB-E024`` when Spark cannot start or its job fails.
    """
    from casebook.export.parquet import (
        CASES_FOLDER,
        drop_superseded,
        read_fingerprints,
        remove_temporary_files,
    )

    _require_spark()
    out_dir.mkdir(parents=True, exist_ok=True)
    # failures.csv describes the last run that finished; this one has not yet.
    (out_dir / FAILURES_FILE).unlink(missing_ok=True)
    cases_dir = out_dir / CASES_FOLDER
    written = read_fingerprints(cases_dir) if output_format is SparkFormat.PARQUET else {}
    run = _run_id()
    work = out_dir / f".casebook-spark-{run}"
    work.mkdir()
    spark = _SparkStarter(master, conf or {})
    try:
        staged_file = (work / "documents.parquet").resolve()
        documents = iter_documents(inputs, stdin=stdin)
        # Spark starts with the first document to analyse, never when there is none.
        staged = _stage(documents, out_dir, output_format, staged_file, written, spark.start)
        result = SparkExtractResult(failed=staged.failed, replaced=staged.replaced)
        result.skipped = [case_id for case_id, o in staged.latest.items() if o is None]
        if staged.todo():
            job = WorkerJob(str(out_dir.resolve()), output_format, run, str(staged_file))
            result.partitions, statuses = _analyse_on_spark(
                staged, job, spark.context(), partitions=partitions, on_start=on_start
            )
            _record(result, staged, statuses)
        if output_format is SparkFormat.PARQUET:
            drop_superseded(cases_dir)
            remove_temporary_files(cases_dir)
        write_failures(out_dir, result.failed)
    finally:
        spark.stop()
        shutil.rmtree(work, ignore_errors=True)
    return result


def _record(result: SparkExtractResult, staged: _Staged, statuses: Iterable[Status]) -> None:
    """Sort the workers' statuses into written and failed, in input order."""
    by_ordinal = {status.ordinal: status for status in statuses}
    for ordinal in staged.todo():
        status = by_ordinal.get(ordinal)
        if status is None:
            # Spark finished without this document's status: report it, never drop it.
            error = CasebookError(
                ErrorCode.PROCESSING_FAILED, "no result came back from the Spark job"
            )
            result.failed.append(Failure(staged.ids[ordinal], error))
        elif status.code is None:
            result.written.append(status.id)
        else:
            error = CasebookError(ErrorCode(status.code), status.message or "", status.path)
            result.failed.append(Failure(status.id, error))
