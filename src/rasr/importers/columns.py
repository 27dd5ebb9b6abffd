"""The columns of each canonical CSV file and how each cell is parsed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rasr.importers import parsing as p
from rasr.importers.formats import Formats

# Parser names in Column.parse, read through the file's Formats (date format, number locale, time zones).
TIMESTAMP = "timestamp"
DATE = "date"
MONEY = "money"
RATE = "rate"


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any] | str
    required: bool = False
    default: Any = None  # stored for an empty cell of an optional column
    # For a timestamp: the columns that receive its date and its original text.
    parts: tuple[str, str] | None = None


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.name: column for column in columns}


COLUMNS: dict[str, dict[str, Column]] = {
    "teams": _columns(
        Column("team", p.parse_text, True),
        Column("parent_team", p.parse_text),
        Column("manager", p.parse_text),
    ),
    "reps": _columns(
        Column("rep_id", p.parse_text, True),
        Column("name", p.parse_text, True),
        Column("email", p.parse_text),
        Column("team", p.parse_text),
        Column("start_date", DATE),
        Column("end_date", DATE),
    ),
    "opportunities": _columns(
        Column("opp_id", p.parse_text, True),
        Column("rep_id", p.parse_text, True),
        Column("status", p.parse_status, True),
        Column("amount", MONEY),
        Column("created_on", DATE),
        Column("close_on", DATE),
        Column("stage", p.parse_text),
        Column("account", p.parse_text),
        Column("name", p.parse_text),
        Column("product", p.parse_text),
        Column("currency", p.parse_currency),
        Column("next_step", p.parse_text),
        Column("source", p.parse_text),
        Column("modified_at", TIMESTAMP),
    ),
    "stage_changes": _columns(
        Column("opp_id", p.parse_text, True),
        Column("stage", p.parse_text, True),
        Column("entered_at", TIMESTAMP, True, parts=("entered_on", "entered_raw")),
    ),
    "owner_changes": _columns(
        Column("opp_id", p.parse_text, True),
        Column("changed_at", TIMESTAMP, True, parts=("changed_on", "changed_raw")),
        Column("rep_id", p.parse_text, True),
    ),
    "close_date_changes": _columns(
        Column("opp_id", p.parse_text, True),
        Column("changed_at", TIMESTAMP, True, parts=("changed_on", "changed_raw")),
        Column("close_on", DATE, True),
    ),
    "stages": _columns(
        Column("stage", p.parse_text, True),
        Column("position", p.parse_int, True),
        # An absent is_qualified column makes every stage qualified; an empty cell is rejected.
        Column("is_qualified", p.parse_bool),
        Column("kind", p.parse_stage_kind, default="open"),
        Column("exit_criteria", p.parse_text),
    ),
    "quotas": _columns(
        Column("rep_id", p.parse_text, True),
        Column("starts_on", DATE, True),
        Column("ends_on", DATE, True),
        Column("amount", MONEY, True),
    ),
    "activities": _columns(
        Column("rep_id", p.parse_text, True),
        Column("occurred_on", DATE, True),
        Column("kind", p.parse_lower, True),
        Column("count", p.parse_count, default=1),
        # '' for an activity not tied to an opportunity, because opp_id is part of the key.
        Column("opp_id", p.parse_text, default=""),
    ),
    "rates": _columns(
        Column("currency", p.parse_currency, True),
        Column("rate", RATE, True),
        Column("valid_from", DATE, default=p.NO_DATE),
    ),
}
COLUMNS["aspirations"] = dict(COLUMNS["quotas"])

# Columns that the import computes; a file that carries them is not read for them.
COMPUTED = frozenset({"entered_on", "entered_raw", "changed_on", "changed_raw", "original_amount", "unpriced"})


def required_columns(table: str) -> tuple[str, ...]:
    return tuple(name for name, column in COLUMNS[table].items() if column.required)


def date_columns(table: str) -> list[str]:
    return [name for name, column in COLUMNS[table].items() if column.parse in (DATE, TIMESTAMP)]


def bind_parsers(table: str, formats: Formats) -> dict[str, Callable[[str], Any]]:
    """Return each column's parser, reading dates, timestamps and numbers under formats."""
    named = {TIMESTAMP: formats.timestamp, DATE: formats.date, MONEY: formats.money, RATE: formats.rate}
    return {name: named.get(column.parse, column.parse) for name, column in COLUMNS[table].items()}


def store_cell(values: dict[str, Any], column: Column, parsed: Any) -> None:
    """Put a parsed cell into values, spreading a timestamp over its stored columns."""
    if isinstance(parsed, p.Timestamp):
        values[column.name] = parsed.local
        if column.parts:
            on_column, raw_column = column.parts
            values[on_column] = parsed.date
            values[raw_column] = parsed.raw
        return
    values[column.name] = parsed
