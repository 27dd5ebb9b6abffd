"""Render an import report (the dict of ImportReport.to_dict) with Rich."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

# The text report lists this many rejected rows; `--format json` lists them all.
SHOWN_REJECTIONS = 50


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value or 0)


def counts_table(tables: dict[str, dict[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Rows per table", title_justify="left")
    table.add_column("Table")
    columns = ("rows_read", "inserted", "updated", "rejected", "duplicates", "deleted", "repriced")
    for column in columns:
        table.add_column(column.replace("_", " ").capitalize(), justify="right")
    for name, counts in tables.items():
        table.add_row(Text(name), *(Text(_number(counts.get(column))) for column in columns))
    return table


def rejections_table(rejected: list[dict[str, Any]]) -> Table:
    shown = rejected[:SHOWN_REJECTIONS]
    title = f"Rejected rows: {len(rejected):,}"
    if len(rejected) > len(shown):
        title += f", the first {len(shown)} shown (`--format json` lists all)"
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", title_style="bold red")
    for column in ("File", "Row", "Column", "Value", "Reason"):
        table.add_column(column, justify="right" if column == "Row" else "left", overflow="fold")
    for rejection in shown:
        table.add_row(*(Text(str(rejection.get(key, ""))) for key in ("file", "row", "column", "value", "reason")))
    return table


def import_report(report: dict[str, Any]) -> Group:
    """Return the report as Rich renderables: outcome, totals, rows per table, rejected rows, warnings."""
    applied = bool(report.get("ok"))
    outcome = "applied" if applied else "NOT applied, the workspace is unchanged"
    if report.get("skipped_as"):
        outcome = (f"skipped, the same files were imported before as {report['skipped_as']}; nothing changed "
                   "(--force imports them again)")
    parts: list[RenderableType] = [
        Text.assemble(
            (f"{report.get('format', '')} import of {report.get('source', '')}: ", "bold"),
            (outcome, "bold green" if applied else "bold red"),
        ),
        Text(f"files: {', '.join(report.get('files') or []) or 'none'}"),
        Text(f"rows read {_number(report.get('rows_read'))}, inserted {_number(report.get('inserted'))}, "
             f"updated {_number(report.get('updated'))}, rejected {len(report.get('rejected') or []):,}"),
    ]
    if report.get("error"):
        parts.append(Text(f"error: {report['error']}", style="red"))
    tables = report.get("tables") or {}
    if tables:
        parts.append(counts_table(tables))
    rejected = report.get("rejected") or []
    if rejected:
        parts.append(rejections_table(rejected))
    if report.get("output_dir"):
        parts.append(Text(f"report and rejected rows written to {report['output_dir']}"))
    warnings = report.get("warnings") or []
    if warnings:
        lines = Text(f"Warnings: {len(warnings)}", style="bold yellow")
        for warning in warnings:
            lines.append(f"\n  [{warning.get('code', 'warning')}] {warning.get('message', '')}", style="")
        parts.append(lines)
    return Group(*parts)


def imports_table(items: list[dict[str, Any]]) -> Table:
    """Return past imports, newest first, as a table for `rasr imports`."""
    table = Table(box=box.SIMPLE_HEAD, title="Imports", title_justify="left")
    for column in ("When (UTC)", "Format", "Source", "Files", "Read", "Inserted", "Updated", "Rejected", "By", "Id"):
        justify = "right" if column in ("Read", "Inserted", "Updated", "Rejected") else "left"
        table.add_column(column, justify=justify, overflow="fold")
    for item in items:
        files = ", ".join(file["name"] for file in item["files"])
        table.add_row(*(Text(str(value)) for value in (
            item["started_at"], item["format"], item["source"], files, _number(item["rows_read"]),
            _number(item["inserted"]), _number(item["updated"]), _number(item["rejected"]), item["user"] or "",
            item["import_id"][:8],
        )))
    return table
