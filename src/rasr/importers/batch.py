"""Parsed rows waiting to be written, per canonical table, with where each came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rasr.importers.report import ImportReport
from rasr.store.schema import TABLES


@dataclass
class SourceRow:
    """One canonical row and the file row it was read from."""

    file: str
    row: int
    values: dict[str, Any]
    # Resource flags of an opportunity row by column name; None for an empty cell.
    flags: dict[str, bool | None] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.file} row {self.row}"

    def key(self, table: str) -> tuple:
        return tuple(self.values.get(column) for column in TABLES[table].key)


@dataclass
class Batch:
    """Everything one import writes: rows by table, and resource flags of opportunities."""

    tables: dict[str, list[SourceRow]] = field(default_factory=dict)
    # (opp_id, flag, value); a None value deletes a stored flag that the file now leaves empty.
    flags: list[tuple[str, str, bool | None]] = field(default_factory=list)
    # False where a closed deal keeps an ordinary stage (Pipedrive), so an open stage on a won deal is normal.
    closing_stages: bool = True

    def rows(self, table: str) -> list[SourceRow]:
        return self.tables.get(table, [])

    def add(self, table: str, row: SourceRow) -> None:
        self.tables.setdefault(table, []).append(row)


def is_later(new: dt.datetime | None, old: dt.datetime | None) -> bool:
    """Tell whether a row with modified_at new, read after one with old, replaces it: by modified_at when both have one."""
    if new is not None and old is not None:
        return new >= old
    return True


def _is_later(candidate: SourceRow, earlier: SourceRow) -> bool:
    return is_later(candidate.values.get("modified_at"), earlier.values.get("modified_at"))


def drop_duplicates(batch: Batch, table: str, report: ImportReport) -> None:
    """Keep one row per key: the later row, or for opportunities the later modified_at.

    The rows dropped are counted in the table's counts and in one warning.
    """
    winners: dict[tuple, SourceRow] = {}
    repeated: list[str] = []
    for row in batch.rows(table):
        key = row.key(table)
        earlier = winners.get(key)
        if earlier is not None:
            repeated.append(f"{row.where} ({'/'.join(str(part) for part in key)})")
            if not _is_later(row, earlier):
                continue
            del winners[key]  # keep the order of the row that wins
        winners[key] = row
    if not repeated:
        return
    batch.tables[table] = list(winners.values())
    warn_duplicates(table, repeated, report)


def warn_duplicates(table: str, repeated: list[str], report: ImportReport) -> None:
    """Count the rows dropped for repeating a key, and warn naming them ("<file> row <n> (<key>)")."""
    report.table(table).duplicates += len(repeated)
    key_names = ", ".join(TABLES[table].key)
    if table == "opportunities":
        rule = "the later modified_at (or, without one, the later row) was kept"
    else:
        rule = "the later row was kept"
    report.warn_ids(
        "duplicate_key",
        f"rows of {table} repeat the key ({key_names}) of an earlier row; {rule}",
        repeated,
    )
