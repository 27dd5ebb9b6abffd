"""`rasr team`: every rep's conversation with its results, process and key metrics."""

from __future__ import annotations

import csv
import sys
from typing import Annotated, Any

import typer

from rasr.cli import formatting as fmt
from rasr.cli.analysis import run_analysis
from rasr.cli.render_team import team_csv, team_table
from rasr.cli.state import check_format, parse_as_of, print_stderr, state_of, stdout_console, write_json

TEAM_FORMATS = ("table", "json", "csv")

AS_OF_HELP = ("Date the analysis describes, YYYY-MM-DD. Default: today, or the latest recorded event "
              "when that is earlier.")


def warning_lines(warnings: Any) -> list[str]:
    return [f"warning: {fmt.message_text(warning)}" for warning in warnings or []]


def team_command(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE", help=AS_OF_HELP)] = None,
    team: Annotated[str | None, typer.Option(
        "--team", metavar="NAME",
        help="Show only this team and the teams below it; benchmarks still come from each rep's whole team.",
    )] = None,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT", help="Output format: table, json or csv.",
    )] = "table",
) -> None:
    """Show each rep's suggested conversation, results, process drivers and key metrics."""
    chosen = check_format(output_format, TEAM_FORMATS)
    as_of_date = parse_as_of(as_of)
    state = state_of(ctx)

    result = run_analysis(state, as_of=as_of_date, team=team)
    data = result.as_dict()
    # Notices and warnings go to stderr in every format, so stdout holds only the table, JSON or CSV.
    print_stderr(result.notices)
    print_stderr(warning_lines(data.get("warnings")))

    if chosen == "json":
        write_json(data)
    elif chosen == "csv":
        header, rows = team_csv(data)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    else:
        console = stdout_console()
        console.print(team_table(data, state.settings().reporting_currency, team, console.width))
