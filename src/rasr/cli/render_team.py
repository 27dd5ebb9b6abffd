"""Render the team JSON: a Rich table that fits 120 columns, and flat CSV rows."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from rich import box
from rich.table import Table
from rich.text import Text

from rasr.cli import formatting as fmt

ANSWER_STYLES = {"yes": "green", "no": "red"}
PASS_MARKS = {True: ("✓", "green"), False: ("✗", "red"), None: ("?", "yellow")}
CONVERSATION_STYLES = {"how_good_can_you_get": "green", "tune_the_deals": "yellow", "tune_the_engine": "red"}



def _get(data: Any, *keys: str) -> Any:
    """Follow keys into nested dicts; return None where any level is missing or not a dict."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _ratio(numerator: Any, denominator: Any) -> float | None:
    if not fmt.is_number(numerator) or not fmt.is_number(denominator) or denominator == 0:
        return None
    return numerator / denominator


def answer_cell(question: dict | None, share: Any) -> Text:
    """Return "yes 112%", "no 64%" or "?" for one results question."""
    answer = _get(question, "answer")
    if answer not in ("yes", "no"):
        return Text("?", style="yellow")
    cell = Text(answer, style=ANSWER_STYLES[answer])
    if fmt.is_number(share):
        cell.append(f" {fmt.percent(share)}")
    return cell


def driver_cell(driver: dict | None, show: Any, suffix: str = "") -> Text:
    """Return a pass mark and have/need, e.g. "✗ $540k/$1.2M", formatting both with show."""
    mark, style = PASS_MARKS.get(_get(driver, "passed"), PASS_MARKS[None])
    have = show(_get(driver, "have"))
    need = show(_get(driver, "need"))
    cell = Text(mark, style=style)
    cell.append(f" {have}/{need}{suffix}")
    return cell


def conversation_cell(row: dict) -> Text:
    key = row.get("conversation")
    if key in fmt.CONVERSATION_SHORT_LABELS:
        return Text(fmt.CONVERSATION_SHORT_LABELS[key], style=CONVERSATION_STYLES[key])
    reason = fmt.short_reason(row.get("conversation_reason"))
    return Text(f"none: {reason}" if reason else "none", style="dim")


@dataclass(frozen=True)
class FigureColumn:
    """A column after Rep and Conversation: its header, legend, cell, and the narrowest console it is shown on."""

    header: str
    legend: str
    cell: Callable[[dict, str], Text]
    min_console_width: int = 0
    justify: str = "left"


def _results(row: dict) -> dict:
    return row.get("results") or {}


def _outlook_cell(row: dict, currency: str) -> Text:
    outlook = _results(row).get("outlook")
    return answer_cell(outlook, _ratio(_get(outlook, "forecast"), _get(outlook, "goal")))


FIGURE_COLUMNS = (
    FigureColumn("Quota", "Quota: answer and bookings as % of goal over the results period",
                 lambda row, currency: answer_cell(_results(row).get("quota"),
                                                   _get(row, "results", "quota", "attainment"))),
    FigureColumn("Aspir.", "Aspir.: the same against the rep's aspiration",
                 lambda row, currency: answer_cell(_results(row).get("aspiration"),
                                                   _get(row, "results", "aspiration", "attainment")),
                 min_console_width=96),
    FigureColumn("Outlook", "Outlook: answer and forecast as % of the goal over the process horizon", _outlook_cell),
    FigureColumn("Start", "Start: active open qualified deals have/need",
                 lambda row, currency: driver_cell(_get(row, "process", "start_enough"), fmt.count)),
    FigureColumn("With", "With: active pipeline have/need",
                 lambda row, currency: driver_cell(_get(row, "process", "with_enough"),
                                                   lambda value: fmt.money_short(value, currency))),
    FigureColumn("Fast", "Fast: median cycle days/threshold",
                 lambda row, currency: driver_cell(_get(row, "process", "fast_enough"), fmt.whole_days, "d")),
    FigureColumn("Win", "Win: count win rate",
                 lambda row, currency: Text(fmt.percent(_get(row, "metrics", "win_rate_count"))),
                 min_console_width=112, justify="right"),
    FigureColumn("Size", "Size: mean closed deal",
                 lambda row, currency: Text(fmt.money_short(_get(row, "metrics", "opportunity_size"), currency)),
                 min_console_width=112, justify="right"),
)


def period_label(data: dict) -> str | None:
    """Return the results period's label from the team JSON's "period" entry, in either shape."""
    period = data.get("period")
    if not isinstance(period, dict):
        return None
    if isinstance(period.get("label"), str):
        return period["label"]
    return _get(period, "results", "label")


def conversation_summary(reps: list[dict]) -> str:
    """Count the reps per conversation: "2 Tune the Engine, 1 How Good Can You Get?, 1 none"."""
    counts = Counter(row.get("conversation") for row in reps)
    ordered = [*fmt.CONVERSATION_LABELS, None]
    parts = [
        f"{counts[key]} {fmt.CONVERSATION_LABELS[key] if key else 'no conversation'}"
        for key in ordered if counts.get(key)
    ]
    return ", ".join(parts)


def team_table(data: dict, currency: str = "USD", team: str | None = None, width: int = 120) -> Table:
    """Build the team table: a row per rep and a totals row, fitting a console of width columns.

    Below 112 columns the table leaves out Win and Size, below 96 also Aspir.;
    the JSON and CSV formats always carry every figure.
    """
    reps = data.get("reps") or []
    columns = [column for column in FIGURE_COLUMNS if width >= column.min_console_width]
    heading = f"{team or 'All reps'} as of {data.get('as_of') or fmt.MISSING}"
    label = period_label(data)
    if label:
        heading += f"; results over {label}"
    legend = ". ".join(column.legend for column in columns) + "."
    if len(columns) < len(FIGURE_COLUMNS):
        left_out = ", ".join(column.header for column in FIGURE_COLUMNS if column not in columns)
        legend += f" Left out at this width: {left_out} (--format csv has every figure)."
    summary = conversation_summary(reps)
    table = Table(
        title=heading, title_justify="left", caption=f"{summary}.\n{legend}" if summary else legend,
        caption_justify="left",
        box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False,
    )
    # Every column may wrap, at a space where it can, so a narrow console folds cells instead of cutting
    # them. NOTE: with a min_width on these columns, Rich 15.0 cropped the last column at 80 columns.
    table.add_column("Rep", overflow="fold")
    table.add_column("Conversation", overflow="fold")
    for column in columns:
        table.add_column(column.header, justify=column.justify, overflow="fold")

    for index, row in enumerate(reps):
        name = Text(str(row.get("name") or row.get("rep_id") or fmt.MISSING))
        cells = [column.cell(row, currency) for column in columns]
        table.add_row(name, conversation_cell(row), *cells, end_section=index == len(reps) - 1)

    totals = data.get("totals")
    if isinstance(totals, dict):
        cells = [column.cell(totals, currency) for column in columns]
        table.add_row(Text(f"Total, {len(reps)} reps", style="bold"), Text(""), *cells)
    return table


# --- CSV ------------------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts into dotted keys; lists become JSON text in one cell."""
    flat: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        flat[prefix] = json.dumps(value, ensure_ascii=False, allow_nan=False)
    else:
        flat[prefix] = value
    return flat


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def team_csv(data: dict) -> tuple[list[str], list[list[str]]]:
    """Return the header and one flat row per rep plus a totals row, tagged in the "row" column."""
    records = [{"row": "rep", "as_of": data.get("as_of"), **flatten(rep)} for rep in data.get("reps") or []]
    if isinstance(data.get("totals"), dict):
        records.append({"row": "totals", "as_of": data.get("as_of"), **flatten(data["totals"])})
    # Columns in first-seen order: a key that only some rows have still gets a column.
    columns: dict[str, None] = {}
    for record in records:
        for key in record:
            columns.setdefault(key, None)
    header = list(columns)
    return header, [[csv_cell(record.get(key)) for key in header] for record in records]
