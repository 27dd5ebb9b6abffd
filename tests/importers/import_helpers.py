"""Read rows back from a workspace in one form for SQLite and DuckDB."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasr.store.connection import Workspace


def _plain(value: Any) -> Any:
    # SQLite returns dates and timestamps as text and booleans as 0/1; DuckDB returns Python types.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def select(workspace: Workspace, statement: str, *params: Any) -> list[tuple]:
    """Run a query and return its rows with dates as ISO text and booleans as 0/1."""
    return [tuple(_plain(value) for value in row) for row in workspace.execute(statement, params)]


def one(workspace: Workspace, statement: str, *params: Any) -> Any:
    """Return the single value of a one-row, one-column query."""
    result = select(workspace, statement, *params)
    assert len(result) == 1, f"expected one row from {statement!r}, got {result}"
    return result[0][0]


def count(workspace: Workspace, table: str) -> int:
    return int(workspace.execute(f'SELECT COUNT(*) FROM "{table}"')[0][0])


def warning(report: Any, code: str) -> dict:
    """Return the report's warning with code, failing the test when there is none."""
    found = [item for item in report.to_dict()["warnings"] if item["code"] == code]
    assert found, f"no warning {code!r} in {[item['code'] for item in report.to_dict()['warnings']]}"
    return found[0]


def codes(report: Any) -> list[str]:
    return [item["code"] for item in report.to_dict()["warnings"]]


def write_quoted_csv(path: Any, header: list[str], rows: list[list[Any]], *, encoding: str = "utf-8",
                     delimiter: str = ",") -> Any:
    """Write a CSV file with every field double-quoted, as Salesforce and HubSpot export them."""
    import csv

    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])
    return path


def deals_on(workspace: Workspace, as_of: str) -> dict[str, dict]:
    """Return the engine's point-in-time deals on as_of (YYYY-MM-DD) by opp_id."""
    from rasr.engine.dataset import build_views, drop_views
    from rasr.engine.periods import lookback_span
    from rasr.engine.settings import Settings
    from rasr.store.schema import CANONICAL_TABLES

    day = dt.date.fromisoformat(as_of)
    tables = {name: workspace.table(name) for name in CANONICAL_TABLES}
    views = build_views(workspace.backend, tables, day, lookback_span(day, Settings()))
    try:
        deals = views.deals.execute().to_dict("records")
    finally:
        drop_views(workspace.backend, views)
    return {deal["opp_id"]: deal for deal in deals}
