"""The ``casebook`` command: a thin layer of Typer commands over ``casebook.service``."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from casebook import __version__, service
from casebook.config import (
    MENTION_MODEL_VARIABLE,
    choose_mention_model,
    get_settings,
    mention_model,
)
from casebook.errors import ERROR_HELP, CasebookError
from casebook.eval.splits import Split
from casebook.model import (
    Case,
    CaseWithPrecedent,
    Outcome,
    Sex,
    case_json_schema,
    readable_age,
)
from casebook.render import (
    care_table,
    case_summary,
    markup_safe,
    precedent_summary,
    terminal_safe,
    timeline_view,
)
from casebook.scale.spark import SparkFormat
from casebook.store_location import StoreLocation

app = typer.Typer(
    name="casebook",
    help="Read clinical case reports into structured, coded, evidence-linked cases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Score casebook on a benchmark dataset.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
train_app = typer.Typer(help="Reproduce the models casebook ships.", no_args_is_help=True)
app.add_typer(train_app, name="train")
spark_app = typer.Typer(
    help="Run casebook on Apache Spark (needs the spark extra and Java 17).", no_args_is_help=True
)
app.add_typer(spark_app, name="spark")
store_app = typer.Typer(help="Look after the case store.", no_args_is_help=True)
app.add_typer(store_app, name="store")

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")

AllCodesFlag = Annotated[
    bool,
    typer.Option(
        "--all-codes",
        help="List every code of the ranking with its score, not only those above the "
        "threshold calibrated for precision (the JSON always holds them all, with 'shown').",
    ),
]


class _Options:
    """The global options of the running command."""

    debug = False


def _say(label: str, text: str) -> None:
    """One line on stderr: a coloured label, then ``text`` printed as itself (``markup_safe``)."""
    line = f"{label} {markup_safe(text)}" if label else markup_safe(text)
    err_console.print(line, highlight=False, soft_wrap=True, emoji=False)


def print_error(error: CasebookError, label: str = "[red]error[/red]") -> None:
    """An error on stderr; with ``--debug``, what the library said too (``detail``)."""
    _say(label, str(error))
    if error.detail and _Options.debug:
        _say("  [dim]detail[/dim]", error.detail)


class _ConsoleLog(logging.Handler):
    """casebook's log records on stderr, through the same console as its errors."""

    def emit(self, record: logging.LogRecord) -> None:
        colour = "yellow" if record.levelno >= logging.WARNING else "dim"
        _say(f"[{colour}]{record.levelname.lower()}[/{colour}]", record.getMessage())
        if record.exc_info and _Options.debug:
            err_console.print(
                Text(terminal_safe(logging.Formatter().formatException(record.exc_info)))
            )


_LOG_HANDLER = _ConsoleLog()


def _log_to_console(debug: bool) -> None:
    """Show casebook's warnings (readers say what they tolerated), and with ``--debug`` its
    DEBUG records (what libraries said when something failed)."""
    _Options.debug = debug
    log = logging.getLogger("casebook")
    log.setLevel(logging.DEBUG if debug else logging.WARNING)
    if _LOG_HANDLER not in log.handlers:
        log.addHandler(_LOG_HANDLER)


MaxCharsOption = Annotated[
    int | None,
    typer.Option(
        "--max-chars",
        min=1,
        help="Longest document text read and analysed, in characters; a longer one is refused "
        "with CB-E017 (default: CASEBOOK_MAX_CHARS, 1,000,000).",
    ),
]


def _max_chars(given: int | None) -> int:
    return given if given is not None else get_settings().max_chars


MentionModelOption = Annotated[
    str | None,
    typer.Option(
        "--mention-model",
        help="The mention model: 'default' (CC BY-NC-SA 4.0 weights, non-commercial use) or "
        "'permissive' (trained on CC BY 4.0 text only, a little less accurate; NOTICE, "
        "BENCHMARKS.md). Cases the other model made count as stale "
        f"(default: {MENTION_MODEL_VARIABLE}, else 'default').",
    ),
]


def _choose_mention_model(given: str | None) -> None:
    """Make ``--mention-model`` the model of this command and of the processes it starts; an
    unknown name, given or in ``CASEBOOK_MENTION_MODEL``, exits 1 with CB-E026 before any
    work."""
    _guarded(
        lambda: (
            choose_mention_model(given, "--mention-model") if given is not None else mention_model()
        )
    )


IndexFlag = Annotated[
    bool,
    typer.Option(
        "--index/--no-index",
        help="Bring the search index up to date before exiting (else the next search does).",
    ),
]


def _fail(error: CasebookError) -> typer.Exit:
    print_error(error)
    return typer.Exit(code=1)


def _guarded(action: Callable[[], T]) -> T:
    """Run ``action``; a ``CasebookError`` becomes one line on stderr and exit status 1."""
    try:
        return action()
    except CasebookError as error:
        raise _fail(error) from None


def _version(value: bool) -> None:
    if value:
        console.print(f"casebook {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Also show what libraries said when something failed, and DEBUG log records "
            "(they may quote the documents).",
        ),
    ] = False,
) -> None:
    """casebook: clinical case reports in, structured cases and precedent out.

    Commands that read several documents go on past a bad one: each failure is reported on
    stderr with its code and where it is (file, line or id), the rest are processed, and the
    exit status is 1 when any document failed, 0 otherwise.
    """
    _log_to_console(debug)


@app.command()
def analyze(
    path: Annotated[str, typer.Argument(help="A case report file, or - for standard input.")],
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="text (a readable summary), json, or fhir (an R4 Bundle)."
        ),
    ] = "text",
    timeline: Annotated[
        bool, typer.Option("--timeline", help="Draw the case's timeline instead of the summary.")
    ] = False,
    similar: Annotated[
        int,
        typer.Option(
            "--similar",
            min=0,
            help="Also find this many similar cases in the case store, with explanations "
            "and a tally of their treatments and outcomes.",
        ),
    ] = 0,
    store: Annotated[
        str | None,
        typer.Option("--store", help="The case store --similar searches (CASEBOOK_STORE)."),
    ] = None,
    all_codes: AllCodesFlag = False,
    max_chars: MaxCharsOption = None,
    mention_model: MentionModelOption = None,
) -> None:
    """Analyse one case report and print what casebook reads out of it.

    A file holding several documents (JSON Lines, BioC) prints each; with ``--format json`` or
    ``fhir`` one document prints as one JSON object and several as JSON Lines.
    """
    _choose_mention_model(mention_model)
    if output_format not in {"text", "json", "fhir"}:
        raise typer.BadParameter("must be text, json or fhir", param_hint="--format")
    stdin = sys.stdin.buffer if path == "-" else None
    results = list(service.analyze_inputs([path], stdin=stdin, max_chars=_max_chars(max_chars)))
    cases = [r for r in results if isinstance(r, Case)]
    errors = [r for r in results if isinstance(r, CasebookError)]
    store_path = _store(store)
    for case in cases:
        shown: Case = case
        precedent = (
            _guarded(partial(service.search, store_path, case=case, k=similar)) if similar else None
        )
        if precedent is not None:
            shown = CaseWithPrecedent(
                **case.model_dump(), similar=precedent.similar, tally=precedent.tally
            )
        indent = 2 if len(results) == 1 else None
        if output_format == "json":
            sys.stdout.write(shown.model_dump_json(indent=indent) + "\n")
        elif output_format == "fhir":
            exported = service.export_case(case, service.ExportFormat.FHIR, indent)
            sys.stdout.write(exported + "\n")
        else:
            console.print(timeline_view(case) if timeline else case_summary(case, all_codes))
            if precedent is not None:
                console.print(
                    precedent_summary(precedent.similar, precedent.tally, precedent.empty_reason)
                )
    for error in errors:
        print_error(error)
    if errors:
        raise typer.Exit(code=1)


@app.command()
def extract(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, glob patterns, or -.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the output files.")],
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).", min=1)
    ] = None,
    output_format: Annotated[
        service.ExportFormat,
        typer.Option(
            "--format", "-f", help="json (ID.json, a Case) or fhir (ID.fhir.json, an R4 Bundle)."
        ),
    ] = service.ExportFormat.JSON,
    max_chars: MaxCharsOption = None,
    mention_model: MentionModelOption = None,
) -> None:
    """Write one Case JSON or FHIR Bundle per document; documents already done are skipped."""
    _choose_mention_model(mention_model)
    stdin = sys.stdin.buffer if "-" in paths else None
    progress = Progress(
        TextColumn("[bold]extract[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
    )
    with progress:
        task = progress.add_task("extract", total=None)
        result = service.extract(
            paths,
            out,
            workers=workers or get_settings().workers,
            output_format=output_format,
            stdin=stdin,
            max_chars=_max_chars(max_chars),
            on_total=lambda total: progress.update(task, total=total),
            on_advance=lambda: progress.advance(task),
        )
    _say(
        "",
        f"{len(result.written)} written, {len(result.skipped)} already done, "
        f"{len(result.failed)} failed → {out}",
    )
    if result.failed:
        for error in result.failed:
            print_error(error, "[red]failed[/red]")
        raise typer.Exit(code=1)


MOST_FAILURES_STATUS = 100
"""The highest exit status that counts failed documents: 100 means 100 or more."""

JOB_FAILED_STATUS = 101
"""The exit status of a ``spark extract`` whose job did not run or did not finish."""


def _spark_conf(pairs: list[str]) -> dict[str, str]:
    conf: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise typer.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--conf")
        conf[key.strip()] = value
    return conf


@spark_app.command("extract")
def spark_extract(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files, folders, glob patterns, PMC .tar.gz packages, or -."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder for the output; on a cluster, one every worker sees."
        ),
    ],
    master: Annotated[
        str | None,
        typer.Option(
            help="Spark master URL: local[2], spark://host:7077 (default: spark-submit's, "
            "else local[*])."
        ),
    ] = None,
    output_format: Annotated[
        SparkFormat,
        typer.Option(
            "--format",
            "-f",
            help="json (ID.json, as extract), fhir (ID.fhir.json, as extract) or parquet "
            "(cases.parquet/, one row per case).",
        ),
    ] = SparkFormat.JSON,
    partitions: Annotated[
        int | None,
        typer.Option(
            help="Partitions of about equal text (default: 4 per core, more for a large corpus).",
            min=1,
        ),
    ] = None,
    conf: Annotated[
        list[str] | None,
        typer.Option("--conf", help="A Spark setting KEY=VALUE; repeatable."),
    ] = None,
    mention_model: MentionModelOption = None,
) -> None:
    """Analyse documents on Apache Spark; documents whose output is current are skipped.

    A document that fails is listed in OUT/failures.csv and the run goes on. Exit status: 0
    when every document was written or current, else the number that failed (100 for 100 or
    more); 101 when the Spark job did not run or did not finish.
    """
    _choose_mention_model(mention_model)
    from casebook.scale.spark import spark_extract as run_on_spark

    stdin = sys.stdin.buffer if "-" in paths else None
    settings = _spark_conf(conf or [])

    def started(documents: int, parts: int) -> None:
        err_console.print(f"analysing {documents} documents in {parts} partitions")

    try:
        result = run_on_spark(
            paths,
            out,
            output_format=output_format,
            master=master,
            partitions=partitions,
            conf=settings,
            stdin=stdin,
            on_start=started,
        )
    except CasebookError as error:
        err_console.print(f"[red]error[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=JOB_FAILED_STATUS) from None
    if result.replaced:
        err_console.print(
            f"{len(result.replaced)} documents left out: a later document has the same id "
            f"(e.g. {result.replaced[0]})",
            highlight=False,
        )
    err_console.print(
        f"{len(result.written)} written, {len(result.skipped)} already done, "
        f"{len(result.failed)} failed → {out}"
    )
    for failure in result.failed:
        err_console.print(f"[red]failed[/red] {failure.error}", highlight=False, soft_wrap=True)
    if result.failed:
        raise typer.Exit(code=min(len(result.failed), MOST_FAILURES_STATUS))


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="The case store: a DuckDB file (a path, or duckdb:///path) or a PostgreSQL "
        "database (postgresql://user@host/db) (default: CASEBOOK_STORE, then a file in the "
        "user data folder).",
    ),
]


def _store(given: str | None) -> StoreLocation:
    """The store ``--store`` names, else the setting's; a URL of another kind exits 1."""
    return _guarded(lambda: service.resolve_store(given))


@app.command()
def add(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, glob patterns, or -.")],
    store: StoreOption = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).", min=1)
    ] = None,
    index: IndexFlag = True,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace a stored case whose id a document shares but whose text differs "
            "(else that document is not stored and fails with CB-E021).",
        ),
    ] = False,
    max_chars: MaxCharsOption = None,
    mention_model: MentionModelOption = None,
) -> None:
    """Analyse documents into the case store; those already stored unchanged are skipped.

    A document whose id is stored with another text is another document: it is not stored
    (CB-E021) unless --replace is given.
    """
    _choose_mention_model(mention_model)
    stdin = sys.stdin.buffer if "-" in paths else None
    store_path = _store(store)
    progress = Progress(
        TextColumn("[bold]add[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
    )
    try:
        with progress:
            task = progress.add_task("add", total=None)
            result = _guarded(
                lambda: service.add(
                    paths,
                    store_path,
                    workers=workers or get_settings().workers,
                    index=index,
                    replace=replace,
                    stdin=stdin,
                    max_chars=_max_chars(max_chars),
                    on_total=lambda total: progress.update(task, total=total),
                    on_advance=lambda: progress.advance(task),
                )
            )
    except KeyboardInterrupt:
        # Finished cases are committed within a second, whole, so an interrupt loses only
        # those in flight; say so instead of printing a traceback.
        _say(
            "interrupted:",
            f"the cases finished so far are stored in {store_path}; "
            "run the same command again to add the rest",
        )
        raise typer.Exit(code=130) from None
    _say(
        "",
        f"{len(result.added)} added, {len(result.unchanged)} unchanged, "
        f"{len(result.replaced)} replaced, {len(result.failed)} failed → {store_path}",
    )
    if result.failed:
        for error in result.failed:
            print_error(error, "[red]failed[/red]")
        raise typer.Exit(code=1)


@app.command()
def load(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="CASES...",
            help="Case JSON files (what extract writes), Case JSON Lines (.jsonl, .ndjson, "
            "also .gz), the case Parquet of `spark extract --format parquet`, folders of "
            "them, glob patterns, or - for JSON Lines on standard input.",
        ),
    ],
    store: StoreOption = None,
    reanalyse: Annotated[
        bool,
        typer.Option(
            "--reanalyse",
            help="Analyse again, from its text, each case another pipeline made (other "
            "models, rules or casebook version), instead of refusing it (CB-E025).",
        ),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace a stored case whose id a loaded case shares but whose text differs "
            "(else that case is not stored and fails with CB-E021).",
        ),
    ] = False,
    index: IndexFlag = True,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes validating the cases (default: all cores).", min=1),
    ] = None,
    mention_model: MentionModelOption = None,
) -> None:
    """Store cases analysed elsewhere without analysing them again.

    Each case is checked against the case model and must have been made by this casebook's
    pipeline (see `casebook cases --stale`). A bad record is reported with its file and line,
    and the rest are stored; the exit status is the number of failures (100 means 100 or more).
    """
    _choose_mention_model(mention_model)
    stdin = sys.stdin.buffer if "-" in paths else None
    store_path = _store(store)
    progress = Progress(TextColumn("[bold]load[/bold]"), MofNCompleteColumn(), console=err_console)
    try:
        with progress:
            task = progress.add_task("load", total=None)
            result = _guarded(
                lambda: service.load(
                    paths,
                    store_path,
                    reanalyse=reanalyse,
                    replace=replace,
                    index=index,
                    workers=workers or get_settings().workers,
                    stdin=stdin,
                    on_advance=lambda: progress.advance(task),
                )
            )
    except KeyboardInterrupt:
        _say(
            "interrupted:",
            f"the cases loaded so far are stored in {store_path}; "
            "run the same command again to load the rest",
        )
        raise typer.Exit(code=130) from None
    _say(
        "",
        f"{len(result.added)} added, {len(result.unchanged)} unchanged, "
        f"{len(result.replaced)} replaced ({len(result.reanalysed)} analysed again), "
        f"{len(result.failed)} failed → {store_path}",
    )
    for error in result.failed:
        print_error(error, "[red]failed[/red]")
    if result.failed:
        raise typer.Exit(code=min(len(result.failed), MOST_FAILURES_STATUS))


@app.command()
def cases(
    store: StoreOption = None,
    count: Annotated[bool, typer.Option("--count", help="Print only how many there are.")] = False,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale",
            help="Print how many stored cases another pipeline made (other models, rules or "
            "casebook version); `add` analyses them again from their documents.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: the cases, or with --stale their ids.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option(help="Show at most this many (default: all).", min=0)
    ] = None,
    mention_model: MentionModelOption = None,
) -> None:
    """List the cases in the case store."""
    _choose_mention_model(mention_model)
    store_path = _store(store)
    if stale:
        found = _guarded(lambda: service.stale_cases(store_path))
        if as_json:
            report = {
                "pipeline": found.pipeline,
                "stored": found.stored,
                "stale": len(found.ids),
                "ids": found.ids,
            }
            sys.stdout.write(json.dumps(report, indent=2) + "\n")
            return
        sys.stdout.write(f"{len(found.ids)}\n")
        _say(
            "",
            f"{len(found.ids)} of {found.stored} stored cases were made by another pipeline "
            f"than this casebook's ({found.pipeline})",
        )
        return
    if count:
        sys.stdout.write(f"{_guarded(lambda: service.count_cases(store_path))}\n")
        return
    summaries = _guarded(lambda: service.list_cases(store_path, limit=limit))
    if as_json:
        listing = [
            {
                "id": summary.id,
                "title": summary.title,
                "age_years": summary.age_years,
                "sex": summary.sex,
                "mentions": summary.mentions,
                "added_at": summary.added_at.isoformat(),
            }
            for summary in summaries
        ]
        sys.stdout.write(json.dumps(listing, indent=2) + "\n")
        return
    table = Table("id", "title", "age", "sex", "mentions", "added (UTC)")
    for summary in summaries:
        age = readable_age(summary.age_years) if summary.age_years is not None else ""
        table.add_row(
            Text(terminal_safe(summary.id)),
            Text(terminal_safe(summary.title or "")),
            age,
            summary.sex or "",
            str(summary.mentions),
            summary.added_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    console.print(table)


@app.command()
def show(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case's id.")],
    store: StoreOption = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="text (a readable summary), json, or fhir (an R4 Bundle)."
        ),
    ] = "text",
    all_codes: AllCodesFlag = False,
) -> None:
    """Print one stored case."""
    if output_format not in {"text", "json", "fhir"}:
        raise typer.BadParameter("must be text, json or fhir", param_hint="--format")
    case = _guarded(lambda: service.get_case(_store(store), case_id))
    if output_format == "json":
        sys.stdout.write(case.model_dump_json(indent=2) + "\n")
    elif output_format == "fhir":
        sys.stdout.write(service.export_case(case, service.ExportFormat.FHIR, 2) + "\n")
    else:
        console.print(case_summary(case, all_codes))


@app.command()
def remove(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="The case's id.")],
    store: StoreOption = None,
) -> None:
    """Delete one case from the case store."""
    store_path = _store(store)
    _guarded(lambda: service.remove_case(store_path, case_id))
    _say("removed", f"{case_id} from {store_path}")


@store_app.command("migrate")
def store_migrate(store: StoreOption = None) -> None:
    """Apply the schema migrations a PostgreSQL case store lacks (creating it in an empty
    database); safe to run again, and while other processes use the store."""
    location = _store(store)
    applied = _guarded(lambda: service.migrate_store(location))
    for migration in applied:
        _say("applied", f"schema migration {migration.version}: {migration.description}")
    if not applied:
        _say("current", f"the case store at {location} needs no migration")


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: CASEBOOK_API_HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port to listen on (default: CASEBOOK_API_PORT).", min=0, max=65535),
    ] = None,
    store: StoreOption = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Analysis processes (default: CASEBOOK_API_WORKERS).", min=1),
    ] = None,
    mention_model: MentionModelOption = None,
) -> None:
    """Serve the REST API (/v1, OpenAPI at /docs) and the web page (/) until Ctrl-C."""
    _choose_mention_model(mention_model)
    from casebook.api import serve as run_server

    chosen = {
        "api_host": host,
        "api_port": port,
        "store": _store(store) if store is not None else None,
        "api_workers": workers,
    }
    settings = get_settings().model_copy(
        update={name: value for name, value in chosen.items() if value is not None}
    )
    _say(
        "casebook at",
        f"http://{settings.api_host}:{settings.api_port}/ "
        f"(API docs at /docs, store {settings.store})",
    )
    run_server(settings)


@app.command()
def search(
    query: Annotated[
        str | None, typer.Argument(help="Free text describing the case (or use --case / --id).")
    ] = None,
    case_file: Annotated[
        str | None, typer.Option("--case", help="A case report file to find precedent for.")
    ] = None,
    case_id: Annotated[
        str | None, typer.Option("--id", help="The id of a stored case to find precedent for.")
    ] = None,
    store: StoreOption = None,
    k: Annotated[int, typer.Option("-k", min=1, help="How many similar cases.")] = 10,
    age_min: Annotated[float | None, typer.Option(min=0, help="Youngest patient age.")] = None,
    age_max: Annotated[float | None, typer.Option(min=0, help="Oldest patient age.")] = None,
    sex: Annotated[Sex | None, typer.Option(help="The patient's sex.")] = None,
    code: Annotated[
        list[str] | None,
        typer.Option(
            help="A code the case must hold, with its descendants: G96.0 (ICD-10-CM), "
            "HP:0002315 (HPO) or icd10pcs:CODE. Repeat for several."
        ),
    ] = None,
    has_procedure: Annotated[
        str | None,
        typer.Option(help="Words of a treatment the patient had, e.g. 'blood patch'."),
    ] = None,
    has_outcome: Annotated[
        Outcome | None, typer.Option(help="An outcome the case reports.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the hits and the tally as JSON.")
    ] = False,
    mention_model: MentionModelOption = None,
) -> None:
    """Find the stored cases most like a case, say why, and tally what was done for them."""
    _choose_mention_model(mention_model)
    if sum(q is not None for q in (query, case_file, case_id)) != 1:
        raise typer.BadParameter("give exactly one of QUERY, --case and --id")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise typer.BadParameter("--age-min is above --age-max")
    if has_outcome is Outcome.UNKNOWN:
        raise typer.BadParameter(
            "'unknown' is not an outcome a case reports", param_hint="--has-outcome"
        )
    filters = service.SearchFilters(
        age_min=age_min,
        age_max=age_max,
        sex=sex,
        codes=tuple(code or ()),
        procedure=has_procedure,
        outcome=has_outcome,
    )
    store_path = _store(store)
    precedent = _guarded(
        lambda: service.search(
            store_path,
            text=query,
            path=case_file,
            case_id=case_id,
            k=k,
            filters=filters,
            max_chars=get_settings().max_chars,
        )
    )
    if as_json:
        payload: dict[str, Any] = {
            "similar": [hit.model_dump(mode="json") for hit in precedent.similar],
            "tally": [row.model_dump(mode="json") for row in precedent.tally],
        }
        if precedent.empty_reason:
            payload["empty_reason"] = precedent.empty_reason
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        console.print(precedent_summary(precedent.similar, precedent.tally, precedent.empty_reason))


@app.command()
def schema() -> None:
    """Print the JSON Schema of a Case."""
    sys.stdout.write(json.dumps(case_json_schema(), indent=2) + "\n")


@app.command()
def errors() -> None:
    """List casebook's error codes and what each means."""
    table = Table("code", "meaning")
    for code, meaning in ERROR_HELP.items():
        table.add_row(code.value, meaning)
    console.print(table)


IN_SAMPLE_WARNING = (
    "[yellow]warning[/yellow] in-sample: a model this evaluation ran was trained on some of the "
    "scored documents (its manifest.json lists them), so this is not a held-out score. Held-out "
    "scores are the cross-validation in the mention model's card and --split check with models "
    "trained without those documents."
)


def _print_report(report: BaseModel, as_json: bool) -> None:
    """Print an evaluation report; exit 1 after it when it skipped documents.

    Each skipped document is named on stderr with its error; the text table counts them.
    """
    data: dict[str, Any] = report.model_dump(by_alias=True)
    if data.get("in_sample"):
        err_console.print(IN_SAMPLE_WARNING, highlight=False, soft_wrap=True)
    skipped: list[dict[str, str]] = data.get("skipped", [])
    for entry in skipped:
        _say("[yellow]skipped[/yellow]", entry["message"])
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        table = Table("metric", "value")
        for key, value in _flatten({**data, "skipped": len(skipped)}):
            table.add_row(key, Text(terminal_safe(str(value))))
        console.print(table)
    if skipped:
        _say("", f"{len(skipped)} skipped; the scores cover the rest")
        raise typer.Exit(code=1)


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _flatten(value, f"{name}.")
        else:
            rows.append((name, value))
    return rows


JsonFlag = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
CorpusArgument = Annotated[Path, typer.Argument(help="PMC-Patients corpus.jsonl.")]
QrelsArgument = Annotated[Path, typer.Argument(help="TREC qrels: query 0 patient grade.")]
CasesOption = Annotated[
    Path | None,
    typer.Option(
        help="Folder of the corpus's analysed cases (casebook extract --out); "
        "patients missing there are analysed now, which is slow."
    ),
]
SplitOption = Annotated[
    str,
    typer.Option(
        "--split",
        help="Score the tune half (develop on it), the check half (report it) or all "
        "(casebook.eval.splits: a fixed, seeded half of the documents, rows or queries).",
    ),
]


def _split(value: str) -> Split:
    try:
        return Split(value)
    except ValueError:
        raise typer.BadParameter("must be tune, check or all", param_hint="--split") from None


@app.command()
def care(
    path: Annotated[str, typer.Argument(help="A case report file, or - for standard input.")],
    as_json: JsonFlag = False,
    max_chars: MaxCharsOption = None,
    mention_model: MentionModelOption = None,
) -> None:
    """Check a case report against the 13 CARE guideline items and say what is missing.

    Exits 0 however many items are missing (it is a report), 1 when the input cannot be read.
    """
    _choose_mention_model(mention_model)
    stdin = sys.stdin.buffer if path == "-" else None
    results = list(service.care_check([path], stdin=stdin, max_chars=_max_chars(max_chars)))
    for result in results:
        if isinstance(result, CasebookError):
            print_error(result)
        elif as_json:
            indent = 2 if len(results) == 1 else None
            sys.stdout.write(result.model_dump_json(indent=indent) + "\n")
        else:
            console.print(care_table(result))
    if any(isinstance(r, CasebookError) for r in results):
        raise typer.Exit(code=1)


@eval_app.command("ner")
def eval_ner(
    folder: Annotated[Path, typer.Argument(help="A brat folder such as maccrobat2020.")],
    as_json: JsonFlag = False,
    split: SplitOption = "all",
    mention_model: MentionModelOption = None,
) -> None:
    """Entity extraction and assertion against brat gold standoff."""
    _choose_mention_model(mention_model)
    from casebook.eval.ner import evaluate_ner

    chosen = _split(split)
    _print_report(_guarded(lambda: evaluate_ner(folder, split=chosen)), as_json)


@eval_app.command("assertion")
def eval_assertion(
    tsv: Annotated[Path, typer.Argument(help="The NegEx/ConText annotation TSV.")],
    as_json: JsonFlag = False,
    split: SplitOption = "all",
) -> None:
    """Negation, historical and family assertion on the NegEx/ConText kit."""
    from casebook.eval.assertion import evaluate_assertion

    chosen = _split(split)
    _print_report(_guarded(lambda: evaluate_assertion(tsv, split=chosen)), as_json)


@eval_app.command("retrieval")
def eval_retrieval(
    corpus: CorpusArgument,
    qrels: QrelsArgument,
    cases: CasesOption = None,
    split: SplitOption = "all",
    settings: Annotated[
        Path | None,
        typer.Option(help="Search settings JSON to score instead of the packaged search.json."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Patient-to-patient retrieval on PMC-Patients: casebook's search and plain BM25."""
    from casebook.eval.retrieval import compare_retrieval
    from casebook.search.settings import load_search_settings

    chosen = _split(split)
    _print_report(
        _guarded(
            lambda: compare_retrieval(
                corpus,
                qrels,
                cases,
                split=chosen,
                settings=load_search_settings(settings),
            )
        ),
        as_json,
    )


@eval_app.command("icd10")
def eval_icd10(
    folder: Annotated[Path, typer.Argument(help="A CodiEsp split folder (text/, codesD.tsv).")],
    as_json: JsonFlag = False,
    split: SplitOption = "all",
) -> None:
    """ICD-10-CM diagnosis coding on CodiEsp (MAP as in CodiEsp-D)."""
    from casebook.eval.coding import evaluate_icd10

    chosen = _split(split)
    _print_report(_guarded(lambda: evaluate_icd10(folder, split=chosen)), as_json)


@eval_app.command("icd10pcs")
def eval_icd10pcs(
    folder: Annotated[Path, typer.Argument(help="A CodiEsp split folder (text/, codesP.tsv).")],
    as_json: JsonFlag = False,
    split: SplitOption = "all",
) -> None:
    """ICD-10-PCS procedure coding on CodiEsp-P (whole codes and first four characters)."""
    from casebook.eval.procedures import evaluate_icd10pcs

    chosen = _split(split)
    _print_report(_guarded(lambda: evaluate_icd10pcs(folder, split=chosen)), as_json)


@eval_app.command("hpo")
def eval_hpo(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A folder with jax/ and jax_gold.json, a GSC+ file (gscplus_*.tsv), or a "
            "folder of GSC+ files."
        ),
    ],
    as_json: JsonFlag = False,
    split: SplitOption = "all",
) -> None:
    """Document-level HPO concept recognition on JAX case reports or GSC+ abstracts, with
    exact name and synonym matching scored beside it."""
    from casebook.eval.hpo import evaluate_hpo

    chosen = _split(split)
    _print_report(_guarded(lambda: evaluate_hpo(folder, split=chosen)), as_json)


@eval_app.command("relations")
def eval_relations(
    folder: Annotated[Path, typer.Argument(help="A brat folder such as maccrobat2020.")],
    as_json: JsonFlag = False,
    split: SplitOption = "all",
) -> None:
    """Relations (caused_by, result_of, site_of, dosage_of) on gold mentions of brat gold."""
    from casebook.eval.relations import evaluate_relations

    chosen = _split(split)
    _print_report(_guarded(lambda: evaluate_relations(folder, split=chosen)), as_json)


@eval_app.command("summary")
def eval_summary(
    folder: Annotated[Path, typer.Argument(help="A brat folder such as maccrobat2020.")],
    as_json: JsonFlag = False,
    split: SplitOption = "all",
    cases: Annotated[
        Path | None,
        typer.Option(
            help="A folder of the documents' analysed cases (ID.json), such as casebook train "
            "ner --predictions writes with held-out mentions; their summaries are built again."
        ),
    ] = None,
) -> None:
    """Whether clinical summary items lie on gold entities of the type their heading says."""
    from casebook.eval.summary import cases_from, evaluate_summary

    chosen = _split(split)
    if cases is None:
        _print_report(_guarded(lambda: evaluate_summary(folder, split=chosen)), as_json)
    else:
        folder_of_cases = cases
        _print_report(
            _guarded(
                lambda: evaluate_summary(
                    folder, cases_from(folder_of_cases), split=chosen, trained=()
                )
            ),
            as_json,
        )


@eval_app.command("timeline")
def eval_timeline(
    folder: Annotated[
        Path, typer.Argument(help="MACCROBAT2020 (brat) or E3C (UIMA CAS XMI) folder.")
    ],
    as_json: JsonFlag = False,
    predicted: Annotated[
        bool,
        typer.Option(
            "--predicted/--gold", help="Order predicted mentions too (runs the whole pipeline)."
        ),
    ] = False,
    split: SplitOption = "all",
) -> None:
    """Pairwise event order against gold temporal relations, with narrative baselines."""
    from casebook.eval.timeline import evaluate_timeline

    chosen = _split(split)
    _print_report(
        _guarded(lambda: evaluate_timeline(folder, predicted=predicted, split=chosen)), as_json
    )


@train_app.command("ner")
def train_ner(
    data: Annotated[
        Path | None, typer.Option(help="Datasets folder (default: CASEBOOK_DATA).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path(
        "src/casebook/resources/models/ner"
    ),
    settings_file: Annotated[
        Path | None,
        typer.Option("--settings", help="Training settings JSON (default: the packaged ones)."),
    ] = None,
    folds: Annotated[
        int, typer.Option(help="Cross-validation folds to score (0: none).", min=0)
    ] = 0,
    workers: Annotated[
        int, typer.Option(help="Processes training the folds and the final model.", min=1)
    ] = 1,
    predictions: Annotated[
        Path | None,
        typer.Option(
            help="Write every document's case, analysed by the fold model that never saw it, "
            "into this folder (held-out mentions for eval summary --cases)."
        ),
    ] = None,
) -> None:
    """Train the mention extractor on MACCROBAT2020 and write it with its model card."""
    from casebook.resources import load_rules
    from casebook.train.ner import NerSettings, train_and_save

    given_settings = f" --settings {settings_file}" if settings_file else ""
    reproduce = (
        f"casebook train ner --data ../shared/datasets{given_settings} --out {out} "
        f"--folds {folds} --workers {workers}"
    )

    def run() -> Path:
        settings = load_rules(settings_file or "ner_settings.json", NerSettings)
        return train_and_save(
            data or get_settings().data,
            out,
            settings,
            folds,
            err_console.print,
            workers,
            predictions,
            reproduce,
        )

    card = _guarded(run)
    console.print(card.read_text(encoding="utf-8"))


@train_app.command("fusion")
def train_fusion_command(
    corpus: CorpusArgument,
    qrels: QrelsArgument,
    cases: CasesOption = None,
    out: Annotated[Path, typer.Option(help="Weights file to write.")] = Path(
        "src/casebook/resources/search_fusion.json"
    ),
) -> None:
    """Fit the learned search fusion's weights on the PMC-Patients tune queries."""
    from casebook.search.settings import load_fusion_model
    from casebook.train.fusion import fit_fusion

    command = f"casebook train fusion CORPUS QRELS --cases CASES --out {out}"

    def run() -> str:
        # The floors are kept from the file refitted (the packaged one when it is new), and
        # its weights where the fit does not beat them.
        before = load_fusion_model(out if out.is_file() else None)
        return fit_fusion(
            corpus, qrels, cases, out, command, before.floors, previous=before.weights
        ).model_dump_json(indent=2)

    console.print_json(_guarded(run))


@train_app.command("hpo")
def train_hpo_command(
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path(
        "src/casebook/resources/models/hpo"
    ),
    ontology: Annotated[
        Path | None,
        typer.Option(help="An HPO file in the packaged layout (default: the packaged release)."),
    ] = None,
) -> None:
    """Train the HPO span scorer from the HPO release alone (no document text)."""
    from casebook.train.hpo import train_hpo

    _guarded(lambda: train_hpo(out, ontology))
    console.print((out / "MODEL_CARD.md").read_text(encoding="utf-8"))


@train_app.command("icd10")
def train_icd10_command(
    data: Annotated[
        Path | None, typer.Option(help="Datasets folder (default: CASEBOOK_DATA).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = Path(
        "src/casebook/resources/models/icd10"
    ),
) -> None:
    """Train the ICD-10-CM coder on CodiEsp train, calibrate it on dev tune, report dev check."""
    from casebook.train.icd10 import train_icd10

    _guarded(lambda: train_icd10(data or get_settings().data, out))
    console.print((out / "MODEL_CARD.md").read_text(encoding="utf-8"))
