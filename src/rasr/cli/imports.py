"""`rasr import FORMAT PATH`: load CRM exports into the workspace; `rasr imports`: list past imports."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator

import typer

from rasr.cli.errors import EXIT_FAILURE, EXIT_USAGE, CliError
from rasr.cli.render_import import import_report, imports_table
from rasr.cli.state import CliState, check_format, print_stderr, state_of, stdout_console, write_json
from rasr.store.connection import parse_db_url

log = logging.getLogger(__name__)

IMPORT_FORMATS = ("text", "json")

app = typer.Typer(help="Load CRM exports (CSV files) into the workspace.", no_args_is_help=True)

DirectoryArgument = Annotated[Path, typer.Argument(metavar="DIR", help="Folder that contains the CSV files.")]
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="The exported CSV file.")]
FormatOption = Annotated[str, typer.Option(
    "--format", metavar="FORMAT", help="Report format: text, or json (the report alone on stdout).",
)]
EncodingOption = Annotated[str | None, typer.Option(
    "--encoding", metavar="NAME", help="Encoding of the files: utf-8 or windows-1252 (default: detected).",
)]
DelimiterOption = Annotated[str | None, typer.Option(
    "--delimiter", metavar="CHAR", help="Delimiter: ',', ';' or tab (default: detected from the header).",
)]
DateFormatOption = Annotated[str | None, typer.Option(
    "--date-format", metavar="FORMAT",
    help="Order of dates: YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY (default: inferred per file).",
)]
LocaleOption = Annotated[str | None, typer.Option(
    "--number-locale", metavar="LOCALE",
    help="Locale of numbers, e.g. en-US (1,234.50) or de-DE (1.234,50); default: plain numbers only.",
)]
TimezoneOption = Annotated[str | None, typer.Option(
    "--timezone", metavar="ZONE",
    help="Time zone of timestamps written without an offset, e.g. America/New_York "
         "(default: the business time zone; UTC for a Salesforce Data Export).",
)]
StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Fail the whole import, writing nothing, if any row is rejected.",
)]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Import again files that were already imported with the same options.",
)]
ReportDirOption = Annotated[Path | None, typer.Option(
    "--report-dir", metavar="DIR", file_okay=False,
    help="Where to write report.json and the *.rejected.csv files (default: when rows were rejected or the "
         "import failed, a new folder under <workspace file>.imports/ or, for a server workspace, ./rasr-imports/).",
)]
StagesOption = Annotated[Path | None, typer.Option(
    "--stages", metavar="FILE", dir_okay=False,
    help="TOML stage mapping: each stage's position, kind (open, won, lost) and qualification.",
)]


def build_options(*, encoding: str | None, delimiter: str | None, date_format: str | None,
                  number_locale: str | None, timezone: str | None, strict: bool, force: bool,
                  stages: Path | None = None) -> Any:
    """Return ImportOptions from the command-line options, or raise a usage error naming the bad one."""
    from rasr.importers.csvfile import parse_delimiter
    from rasr.importers.formats import check_timezone, parse_date_format, parse_number_locale
    from rasr.importers.options import ImportOptions

    try:
        return ImportOptions(
            encoding=encoding,
            delimiter=parse_delimiter(delimiter) if delimiter else None,
            date_format=parse_date_format(date_format) if date_format else None,
            number_locale=parse_number_locale(number_locale) if number_locale else None,
            source_timezone=check_timezone(timezone, "--timezone") if timezone else None,
            strict=strict, force=force, stages=stages,
        )
    except ValueError as error:
        raise CliError(str(error), EXIT_USAGE) from None


def _workspace_file(db: str) -> str | None:
    target = parse_db_url(db)
    return target.path if target.dialect in ("sqlite", "duckdb") else None


@contextlib.contextmanager
def _progress_on_terminal() -> Iterator[None]:
    """Show a Rich progress bar on stderr while importing, when stderr is a terminal."""
    from rasr.importers.progress import set_progress_factory

    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True, console=Console(stderr=True)) as bar:

        @contextlib.contextmanager
        def task(label: str, total: int) -> Iterator[Callable[[int], None]]:
            task_id = bar.add_task(label, total=total)
            yield lambda rows: bar.advance(task_id, rows)
            bar.remove_task(task_id)

        set_progress_factory(task)
        try:
            yield
        finally:
            set_progress_factory(None)


def run_import(state: CliState, output_format: str, report_dir: Path | None,
               call: Callable[[Any, Any], Any]) -> None:
    """Run one import with call(workspace, settings), write its files, print its report, exit 1 when not applied."""
    chosen = check_format(output_format, IMPORT_FORMATS)
    # Imported here, so commands that do not import data start without loading the importers.
    from rasr.importers import ImportFailed
    from rasr.importers.outputs import default_output_dir, write_outputs

    workspace = state.workspace(create=True)
    settings = state.settings(workspace)
    started = dt.datetime.now(dt.timezone.utc)

    failure: str | None = None
    report_object = None
    with _progress_on_terminal():
        try:
            report_object = call(workspace, settings)
        except ImportFailed as error:
            failure = str(error)
            report_object = error.report
    # A clean import writes no files unless --report-dir is given, because its report is stored in the workspace.
    if report_object is not None and (report_object.rejected or failure or report_dir is not None):
        label = (report_object.import_id or ("skipped" if report_object.skipped_as else "failed"))[:8]
        directory = report_dir or default_output_dir(_workspace_file(state.db), started, label)
        try:
            write_outputs(report_object, directory)
        except OSError as error:
            print_stderr([f"warning: cannot write the report files to {directory}: {error.strerror or error}"])
    report = report_object.to_dict() if report_object is not None else {"ok": False, "error": failure}

    if chosen == "json":
        write_json(report)
    else:
        stdout_console().print(import_report(report))
    if failure is not None or not report.get("ok"):
        print_stderr([f"error: import failed: {failure or report.get('error') or 'the import was not applied'}"])
        raise typer.Exit(EXIT_FAILURE)


@app.command("generic")
def import_generic_command(
    ctx: typer.Context, directory: DirectoryArgument, output_format: FormatOption = "text",
    encoding: EncodingOption = None, delimiter: DelimiterOption = None, date_format: DateFormatOption = None,
    number_locale: LocaleOption = None, timezone: TimezoneOption = None, strict: StrictOption = False,
    force: ForceOption = False, report_dir: ReportDirOption = None,
) -> None:
    """Import canonical CSV files, each named after its table (reps.csv, opportunities.csv, quotas.csv, ...)."""
    from rasr.importers import import_generic

    options = build_options(encoding=encoding, delimiter=delimiter, date_format=date_format,
                            number_locale=number_locale, timezone=timezone, strict=strict, force=force)
    run_import(state_of(ctx), output_format, report_dir,
               lambda workspace, settings: import_generic(workspace, directory, settings, options))


@app.command("maven")
def import_maven_command(
    ctx: typer.Context, directory: DirectoryArgument, output_format: FormatOption = "text",
    report_dir: ReportDirOption = None,
) -> None:
    """Import the Maven Analytics CRM sales opportunities data set (sales_pipeline.csv, sales_teams.csv, ...)."""
    from rasr.importers import import_maven

    run_import(state_of(ctx), output_format, report_dir,
               lambda workspace, settings: import_maven(workspace, directory, settings))


def _crm_command(name: str, importer_path: str, argument: Any, doc: str) -> None:
    """Register `rasr import <name> PATH` with the options every CRM format shares."""

    def command(
        ctx: typer.Context, path: argument, output_format: FormatOption = "text",
        encoding: EncodingOption = None, delimiter: DelimiterOption = None, date_format: DateFormatOption = None,
        number_locale: LocaleOption = None, timezone: TimezoneOption = None, stages: StagesOption = None,
        strict: StrictOption = False, force: ForceOption = False, report_dir: ReportDirOption = None,
    ) -> None:
        import importlib

        module_name, function_name = importer_path.rsplit(".", 1)
        importer = getattr(importlib.import_module(module_name), function_name)
        options = build_options(encoding=encoding, delimiter=delimiter, date_format=date_format,
                                number_locale=number_locale, timezone=timezone, strict=strict, force=force,
                                stages=stages)
        run_import(state_of(ctx), output_format, report_dir,
                   lambda workspace, settings: importer(workspace, path, settings, options))

    command.__doc__ = doc
    # The annotations are strings (postponed evaluation), and typer resolves them in this module's globals,
    # where the argument's type is not a name, so it is set as an object here.
    command.__annotations__["path"] = argument
    app.command(name)(command)


_crm_command(
    "salesforce", "rasr.importers.salesforce.import_salesforce", DirectoryArgument,
    "Import a Salesforce Data Export folder (Opportunity.csv, OpportunityHistory.csv, User.csv, ...).",
)
_crm_command(
    "salesforce-report", "rasr.importers.salesforce_report.import_salesforce_report", FileArgument,
    "Import a Salesforce opportunity report exported as CSV (details only); numbers default to en-US.",
)
_crm_command(
    "hubspot", "rasr.importers.hubspot.import_hubspot", FileArgument,
    "Import a HubSpot deals export; stage history is rebuilt from its Date entered/exited columns.",
)
_crm_command(
    "pipedrive", "rasr.importers.pipedrive.import_pipedrive", FileArgument,
    "Import a Pipedrive deals export (headers with or without the 'Deal - ' prefix).",
)


@app.command("rates")
def import_rates_command(
    ctx: typer.Context, path: FileArgument, output_format: FormatOption = "text",
    encoding: EncodingOption = None, delimiter: DelimiterOption = None, date_format: DateFormatOption = None,
    number_locale: LocaleOption = None, strict: StrictOption = False, force: ForceOption = False,
    report_dir: ReportDirOption = None,
) -> None:
    """Import exchange rates (currency, rate to the reporting currency, valid_from) and re-price stored deals."""
    from rasr.importers.rates import import_rates

    options = build_options(encoding=encoding, delimiter=delimiter, date_format=date_format,
                            number_locale=number_locale, timezone=None, strict=strict, force=force)
    run_import(state_of(ctx), output_format, report_dir,
               lambda workspace, settings: import_rates(workspace, path, settings, options))


@app.command("csv")
def import_csv_command(
    ctx: typer.Context, path: FileArgument,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", metavar="MAP.toml", dir_okay=False,
        help="Mapping file: the source column of each canonical column, formats and stage kinds.",
    )] = None,
    suggest: Annotated[bool, typer.Option(
        "--suggest-mapping",
        help="Write a starting mapping from the file's header, to the --mapping path (which must not exist) "
             "or to stdout, and import nothing.",
    )] = False,
    output_format: FormatOption = "text",
    encoding: EncodingOption = None, delimiter: DelimiterOption = None, date_format: DateFormatOption = None,
    number_locale: LocaleOption = None, timezone: TimezoneOption = None, strict: StrictOption = False,
    force: ForceOption = False, report_dir: ReportDirOption = None,
) -> None:
    """Import any CSV file through a mapping file (--mapping), or suggest one (--suggest-mapping)."""
    from rasr.importers import ImportFailed
    from rasr.importers.mapped import import_mapped_csv
    from rasr.importers.suggest import suggest_mapping

    if suggest:
        try:
            text = suggest_mapping(path)
        except ImportFailed as error:
            raise CliError(str(error), EXIT_FAILURE) from None
        if mapping is None:
            sys.stdout.write(text)
            return
        if mapping.exists():
            raise CliError(f"{mapping} already exists; give a new path to --mapping or remove the file", EXIT_USAGE)
        mapping.write_text(text, encoding="utf-8")
        print_stderr([f"wrote a suggested mapping to {mapping}; check it, then run "
                      f"rasr import csv {path} --mapping {mapping}"])
        return
    if mapping is None:
        raise CliError("give --mapping MAP.toml, or --suggest-mapping to write a starting one", EXIT_USAGE)
    options = build_options(encoding=encoding, delimiter=delimiter, date_format=date_format,
                            number_locale=number_locale, timezone=timezone, strict=strict, force=force)
    run_import(state_of(ctx), output_format, report_dir,
               lambda workspace, settings: import_mapped_csv(workspace, path, mapping, settings, options))


def imports_command(
    ctx: typer.Context,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT", help="Output format: text, or json.",
    )] = "text",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many imports, newest first.")] = 50,
) -> None:
    """List past imports: when, format, source, files, row counts and who ran them."""
    chosen = check_format(output_format, IMPORT_FORMATS)
    state = state_of(ctx)
    workspace = state.workspace()
    rows = workspace.execute(
        "SELECT import_id, started_at, format, source, checksum, user_name, rows_read, inserted, updated, rejected, "
        "report FROM imports ORDER BY started_at DESC"
    )[:limit]
    files = {}
    for import_id, name, checksum, size in workspace.execute(
            "SELECT import_id, name, checksum, size FROM import_files ORDER BY name"):
        files.setdefault(import_id, []).append({"name": name, "sha256": checksum, "bytes": int(size or 0)})
    items = []
    for import_id, started_at, format_name, source, checksum, user, read, inserted, updated, rejected, text in rows:
        report = json.loads(text) if text else {}
        items.append({
            "import_id": import_id, "started_at": str(started_at)[:19], "format": format_name, "source": source,
            "checksum": checksum, "user": user, "rows_read": read, "inserted": inserted, "updated": updated,
            "rejected": rejected, "warnings": len(report.get("warnings") or []),
            "files": files.get(import_id, []),
        })
    if chosen == "json":
        write_json(items)
        return
    if not items:
        stdout_console().print(f"no imports in {state.db}")
        return
    stdout_console().print(imports_table(items))
