"""`rasr reps`: the reps in the workspace, and finding one rep by id or name."""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict, dataclass
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from rasr.cli.errors import EXIT_FAILURE, CliError, did_you_mean
from rasr.cli.formatting import MISSING
from rasr.cli.state import LOAD_DATA_HINT, check_format, print_stderr, state_of, stdout_console, write_json
from rasr.store.connection import Workspace

REPS_FORMATS = ("table", "json", "csv")


@dataclass(frozen=True)
class RepRow:
    rep_id: str
    name: str | None
    team: str | None
    start_date: str | None  # YYYY-MM-DD


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def list_reps(workspace: Workspace) -> list[RepRow]:
    """Read every rep in one query, sorted by team, then name, then id."""
    rows = [
        RepRow(str(rep_id), name, team, _iso(start_date))
        for rep_id, name, team, start_date in workspace.execute("SELECT rep_id, name, team, start_date FROM reps")
    ]
    # Sorted here, because the backends order NULL teams differently.
    return sorted(rows, key=lambda rep: ((rep.team or "").casefold(), (rep.name or "").casefold(), rep.rep_id))


def find_rep(reps: list[RepRow], wanted: str) -> RepRow:
    """Return the rep whose id, or else whose name, equals wanted, ignoring case and extra spaces."""
    key = " ".join(wanted.split()).casefold()
    by_id = [rep for rep in reps if rep.rep_id.casefold() == key]
    if by_id:
        return by_id[0]
    by_name = [rep for rep in reps if rep.name and " ".join(rep.name.split()).casefold() == key]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        ids = ", ".join(rep.rep_id for rep in by_name)
        raise CliError(f"the name '{wanted}' matches {len(by_name)} reps ({ids}); give the rep id instead")
    candidates = [rep.rep_id for rep in reps] + [rep.name for rep in reps if rep.name]
    hint = did_you_mean(wanted, candidates) or "; `rasr reps` lists the rep ids and names"
    raise CliError(f"unknown rep '{wanted}'{hint}", EXIT_FAILURE)


def render_reps_table(reps: list[RepRow]) -> Table:
    table = Table(title=f"{len(reps)} reps", title_justify="left")
    table.add_column("Rep id", no_wrap=True)
    table.add_column("Name")
    table.add_column("Team")
    table.add_column("Start date", no_wrap=True)
    for rep in reps:
        table.add_row(*(Text(value or MISSING) for value in (rep.rep_id, rep.name, rep.team, rep.start_date)))
    return table


def reps_command(
    ctx: typer.Context,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT", help="Output format: table, json or csv.",
    )] = "table",
) -> None:
    """List the reps: id, name, team and start date."""
    chosen = check_format(output_format, REPS_FORMATS)
    state = state_of(ctx)
    reps = list_reps(state.workspace())

    if chosen == "json":
        write_json([asdict(rep) for rep in reps])
        return
    if chosen == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["rep_id", "name", "team", "start_date"])
        for rep in reps:
            writer.writerow([rep.rep_id, rep.name or "", rep.team or "", rep.start_date or ""])
        return
    if not reps:
        print_stderr([f"the workspace {state.db} has no reps; {LOAD_DATA_HINT}"])
        return
    stdout_console().print(render_reps_table(reps))
