"""`rasr metrics`: the definition of every per-rep metric of the team JSON, from the engine's registry."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from rasr.cli.state import check_format, stdout_console, write_json
from rasr.engine.registry import METRICS

METRICS_FORMATS = ("table", "json")


def metrics_table() -> Table:
    table = Table(title="Per-rep metrics of the team JSON", title_justify="left")
    table.add_column("Metric", no_wrap=True)
    table.add_column("Unit", no_wrap=True)
    table.add_column("Definition", ratio=2)
    table.add_column("Misleads when", ratio=1)
    for metric in METRICS.values():
        table.add_row(Text(metric.name), Text(metric.unit), Text(metric.definition), Text(metric.misleads_when))
    return table


def metrics_command(
    output_format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT", help="Output format: table or json.",
    )] = "table",
) -> None:
    """List every per-rep metric: name, unit, definition and when it misleads."""
    chosen = check_format(output_format, METRICS_FORMATS)
    if chosen == "json":
        write_json([asdict(metric) for metric in METRICS.values()])
        return
    stdout_console().print(metrics_table())
