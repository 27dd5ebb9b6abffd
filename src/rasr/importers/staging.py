"""Staging tables of an import into a DuckDB workspace: the typed rows of each table before they are written.

Each canonical table read by the import gets a temporary table with the
workspace table's columns and a few more. _index is the row's place in its
file, which orders warnings as the row-by-row import does. _row is the file
row, as a spreadsheet numbers it. _valid is false for a row of a large file
that failed a check, until it is taken out. Staged opportunities also have
one column per resource flag. Rows read row by row arrive from a Batch, and
the rows of a large file straight from DuckDB (see largefile.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator, Sequence

import duckdb
import pyarrow as pa

from rasr.importers.batch import SourceRow
from rasr.store.connection import Workspace
from rasr.store.schema import TABLES

log = logging.getLogger(__name__)

ARROW_TYPES = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
               "ts": pa.timestamp("us"), "bool": pa.bool_(), "bytes": pa.binary()}
DUCKDB_TYPES = {"text": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "date": "DATE", "ts": "TIMESTAMP",
                "bool": "BOOLEAN", "bytes": "BLOB"}


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class StagedTable:
    """One canonical table's staging table, and the file its rows come from."""

    table: str
    name: str  # the temporary table
    file_name: str
    flags: list[str] = field(default_factory=list)  # resource flag names, in the order of the flag columns
    # True once rows were added out of file order, so writes sort by _index.
    unordered: bool = False

    @property
    def flag_columns(self) -> list[str]:
        return [f"_flag_{position}" for position in range(len(self.flags))]

    def where(self, row: int) -> str:
        return f"{self.file_name} row {row}"


class Staging:
    """The staging tables of one import, created on the workspace's DuckDB connection and dropped by close()."""

    def __init__(self, workspace: Workspace) -> None:
        if workspace.dialect != "duckdb":
            raise ValueError(f"staging tables need a DuckDB workspace, not {workspace.dialect}")
        self.workspace = workspace
        self.tables: dict[str, StagedTable] = {}

    def __contains__(self, table: str) -> bool:
        return table in self.tables

    def __getitem__(self, table: str) -> StagedTable:
        return self.tables[table]

    def __iter__(self) -> Iterator[StagedTable]:
        return iter(self.tables.values())

    def create(self, table: str, file_name: str, flags: Sequence[str] = ()) -> StagedTable:
        """Create the empty staging table of table, replacing one left from an earlier import."""
        staged = StagedTable(table, f"_staged_{table}", file_name, list(flags))
        columns = [f"{quote_name(name)} {DUCKDB_TYPES[kind]}" for name, kind in TABLES[table].columns]
        columns += ['"_index" BIGINT', '"_row" BIGINT', '"_valid" BOOLEAN']
        columns += [f'"{column}" BOOLEAN' for column in staged.flag_columns]
        self.workspace.execute(f'DROP TABLE IF EXISTS "{staged.name}"')
        self.workspace.execute(f'CREATE TEMP TABLE "{staged.name}" ({", ".join(columns)})')
        self.tables[table] = staged
        return staged

    def add_rows(self, table: str, rows: Sequence[SourceRow], indexes: Sequence[int] | None = None) -> None:
        """Append parsed rows to table's staging table; indexes are their places in the file (default: 0, 1, ...)."""
        if not rows:
            return
        staged = self.tables[table]
        arrays: dict[str, Any] = {}
        for name, kind in TABLES[table].columns:
            arrays[name] = pa.array([_arrow_value(row.values.get(name)) for row in rows], ARROW_TYPES[kind])
        arrays["_index"] = pa.array(list(indexes) if indexes is not None else range(len(rows)), pa.int64())
        arrays["_row"] = pa.array([row.row for row in rows], pa.int64())
        for flag, column in zip(staged.flags, staged.flag_columns):
            arrays[column] = pa.array([row.flags.get(flag) for row in rows], pa.bool_())
        names = ", ".join(quote_name(name) for name in arrays)
        raw = self.workspace.raw
        raw.register("_rasr_staged_rows", pa.table(arrays))
        try:
            self.workspace.execute(f'INSERT INTO "{staged.name}" ({names}) SELECT {names} FROM _rasr_staged_rows')
        finally:
            raw.unregister("_rasr_staged_rows")

    def count(self, table: str) -> int:
        if table not in self.tables:
            return 0
        return int(self.workspace.execute(f'SELECT COUNT(*) FROM "{self.tables[table].name}"')[0][0])

    def close(self) -> None:
        """Drop every staging table; a failure is logged, so it never hides the import's own error."""
        for staged in self.tables.values():
            try:
                self.workspace.execute(f'DROP TABLE IF EXISTS "{staged.name}"')
            except duckdb.Error as error:
                log.warning("cannot drop staging table %s: %s", staged.name, error)
        self.tables.clear()


def _arrow_value(value: Any) -> Any:
    # Rates are parsed as Decimal for exact conversion but stored in a float column.
    if isinstance(value, Decimal):
        return float(value)
    return value
