"""`rasr import generic|maven DIR`: load a folder of CSV exports into the workspace."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Callable

import typer

from rasr.cli.errors import EXIT_FAILURE
from rasr.cli.render_import import import_report
from rasr.cli.state import CliState, check_format, print_stderr, state_of, stdout_console, write_json

log = logging.getLogger(__name__)

IMPORT_FORMATS = ("text", "json")

app = typer.Typer(help="Load a folder of CSV exports into the workspace.", no_args_is_help=True)

DirectoryArgument = Annotated[Path, typer.Argument(metavar="DIR", help="Folder that contains the CSV files.")]
FormatOption = Annotated[str, typer.Option(
    "--format", metavar="FORMAT", help="Report format: text, or json (the report alone on stdout).",
)]


def run_import(state: CliState, importer_name: str, directory: Path, output_format: str) -> None:
    """Run one importer, print its report, and exit 1 when the import was not applied."""
    chosen = check_format(output_format, IMPORT_FORMATS)
    # Imported here, so commands that do not import data start without loading the importers.
    import rasr.importers as importers

    importer: Callable[..., Any] = getattr(importers, importer_name)
    workspace = state.workspace(create=True)
    settings = state.settings(workspace)
    log.info("running %s on %s into %s", importer_name, directory, state.db)

    failure: str | None = None
    try:
        report = importer(workspace, directory, settings).to_dict()
    except importers.ImportFailed as error:
        failure = str(error)
        report = error.report.to_dict() if error.report is not None else {"ok": False, "error": failure}

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
) -> None:
    """Import canonical CSV files, each named after its table (reps.csv, opportunities.csv, quotas.csv, ...)."""
    run_import(state_of(ctx), "import_generic", directory, output_format)


@app.command("maven")
def import_maven_command(
    ctx: typer.Context, directory: DirectoryArgument, output_format: FormatOption = "text",
) -> None:
    """Import the Maven Analytics CRM sales opportunities data set (sales_pipeline.csv, sales_teams.csv, ...)."""
    run_import(state_of(ctx), "import_maven", directory, output_format)
