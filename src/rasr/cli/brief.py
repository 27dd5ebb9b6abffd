"""`rasr brief REP`: one rep's 1:1 plan as text, JSON or a self-contained HTML page."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from rasr.cli.analysis import run_analysis
from rasr.cli.brief_sections import brief_layout
from rasr.cli.errors import EXIT_FAILURE, CliError
from rasr.cli.render_brief import brief_text
from rasr.cli.render_html import brief_html
from rasr.cli.reps import RepRow, find_rep, list_reps
from rasr.cli.state import LOAD_DATA_HINT, check_format, parse_as_of, print_stderr, state_of, stdout_console, write_json
from rasr.cli.team import AS_OF_HELP
from rasr.store.connection import Workspace

BRIEF_FORMATS = ("text", "json", "html")


def rep_candidates(workspace: Workspace) -> list[RepRow]:
    """Return the reps table's rows plus the owners of opportunities that have no reps row.

    The engine analyses such an owner under its id, so a brief can be asked for it.
    """
    reps = list_reps(workspace)
    known = {rep.rep_id for rep in reps}
    owners = sorted({str(row[0]) for row in workspace.execute("SELECT DISTINCT rep_id FROM opportunities")
                     if row[0] is not None} - known)
    return reps + [RepRow(rep_id, None, None, None) for rep_id in owners]


def brief_command(
    ctx: typer.Context,
    rep: Annotated[str, typer.Argument(metavar="REP", help="Rep id or name; case does not matter.")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="DATE", help=AS_OF_HELP)] = None,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT",
        help="Output format: text, json, or html (one self-contained page on stdout).",
    )] = "text",
) -> None:
    """Show one rep's 1:1 plan: results, requirements, speed, process, conversation and goal."""
    chosen = check_format(output_format, BRIEF_FORMATS)
    as_of_date = parse_as_of(as_of)
    state = state_of(ctx)

    candidates = rep_candidates(state.workspace())
    if not candidates:
        # No reps and no opportunity owners: the workspace contains no opportunities.
        raise CliError(f"the workspace {state.db} has no opportunities; {LOAD_DATA_HINT}", EXIT_FAILURE)
    found = find_rep(candidates, rep)
    result = run_analysis(state, as_of=as_of_date, briefs_for={found.rep_id})
    print_stderr(result.notices)
    try:
        brief = result.brief(found.rep_id)
    except KeyError:
        raise CliError(f"rep '{found.rep_id}' has no brief as of {as_of or 'the default date'}; "
                       "the analysis left them out", EXIT_FAILURE) from None

    if chosen == "json":
        write_json(brief)
        return
    layout = brief_layout(brief, state.settings().reporting_currency)
    if chosen == "html":
        sys.stdout.write(brief_html(layout))
        sys.stdout.flush()
        return
    stdout_console().print(brief_text(layout))
