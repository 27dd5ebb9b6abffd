"""Write canonical rows into the workspace, set-based, updating rows by key."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Sequence

from rasr.store.connection import Workspace
from rasr.store.schema import TABLES, Table, create_statement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpsertCount:
    inserted: int
    updated: int


def _to_sqlite(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Keep fractional seconds ("2017-03-01 09:30:00.250000"), as DuckDB and
        # PostgreSQL do, so two moments within one second stay distinct keys.
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _stage_rows(workspace: Workspace, table: Table, staging: str, columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    workspace.execute(f'DROP TABLE IF EXISTS "{staging}"')
    create = create_statement(table, workspace.dialect, staging).replace("CREATE TABLE", "CREATE TEMP TABLE", 1)
    workspace.execute(create)
    names = ", ".join(f'"{c}"' for c in columns)
    if workspace.dialect == "duckdb" and len(rows) > 1000:
        import pyarrow as pa

        types = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
                 "ts": pa.timestamp("us"), "bool": pa.bool_(), "bytes": pa.binary()}
        kinds = dict(table.columns)
        arrays = {c: pa.array([row[i] for row in rows], type=types[kinds[c]]) for i, c in enumerate(columns)}
        arrow = pa.table(arrays)
        workspace.raw.register("_rasr_incoming", arrow)
        try:
            workspace.execute(f'INSERT INTO "{staging}" ({names}) SELECT {names} FROM _rasr_incoming')
        finally:
            workspace.raw.unregister("_rasr_incoming")
        return
    if workspace.dialect == "postgres" and len(rows) > 1000:
        # COPY sends the rows as one stream, where INSERT ... VALUES takes a round trip per batch.
        cursor = workspace.raw.cursor()
        try:
            with cursor.copy(f'COPY "{staging}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    marks = ", ".join("?" for _ in columns)
    if workspace.dialect == "sqlite":
        rows = [tuple(_to_sqlite(v) for v in row) for row in rows]
    workspace.executemany(f'INSERT INTO "{staging}" ({names}) VALUES ({marks})', rows)


def upsert(workspace: Workspace, table_name: str, columns: Sequence[str],
           rows: Sequence[Sequence[Any]]) -> UpsertCount:
    """Insert rows, replacing any stored row with the same key.

    Rows must be unique by key; the caller settles duplicates first. Columns
    left out are stored as NULL for the rows written.
    """
    table = TABLES[table_name]
    unknown = [c for c in columns if c not in table.column_names]
    if unknown:
        raise ValueError(f"unknown columns {unknown} for table {table_name}")
    missing_key = [k for k in table.key if k not in columns]
    if missing_key:
        raise ValueError(f"rows for {table_name} lack key columns {missing_key}")
    if not rows:
        return UpsertCount(0, 0)

    started = time.perf_counter()
    staging = f"_incoming_{table_name}"
    with workspace.transaction():
        _stage_rows(workspace, table, staging, columns, rows)
        match = " AND ".join(f's."{k}" = t."{k}"' for k in table.key)
        updated = workspace.execute(f'SELECT COUNT(*) FROM "{staging}" s JOIN "{table_name}" t ON {match}')[0][0]
        workspace.execute(
            f'DELETE FROM "{table_name}" WHERE EXISTS (SELECT 1 FROM "{staging}" s WHERE '
            + " AND ".join(f's."{k}" = "{table_name}"."{k}"' for k in table.key)
            + ")"
        )
        names = ", ".join(f'"{c}"' for c in columns)
        workspace.execute(f'INSERT INTO "{table_name}" ({names}) SELECT {names} FROM "{staging}"')
        if table_name in VERSIONED_TABLES:
            bump_data_version(workspace)
        workspace.execute(f'DROP TABLE IF EXISTS "{staging}"')
    count = UpsertCount(inserted=len(rows) - int(updated), updated=int(updated))
    log.info("upserted %s rows into %s (%s new, %s updated) in %.2fs",
             len(rows), table_name, count.inserted, count.updated, time.perf_counter() - started)
    return count


# Tables whose changes invalidate what the engine prepared from them (deals and stage visits).
VERSIONED_TABLES = frozenset({
    "opportunities", "stage_changes", "stages", "owner_changes", "close_date_changes", "reps", "rates",
})
DATA_VERSION_KEY = "_data_version"


def bump_data_version(workspace: Workspace) -> None:
    """Record that data the engine prepares from changed, so the next analysis prepares it again."""
    with workspace.transaction():
        workspace.execute("DELETE FROM settings WHERE key = ?", (DATA_VERSION_KEY,))
        workspace.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (DATA_VERSION_KEY, uuid.uuid4().hex))


def data_version(workspace: Workspace) -> str | None:
    rows = workspace.execute("SELECT value FROM settings WHERE key = ?", (DATA_VERSION_KEY,))
    return rows[0][0] if rows else None


def fetch_rows(workspace: Workspace, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
    return workspace.execute(statement, params)


def table_count(workspace: Workspace, table_name: str) -> int:
    return int(workspace.execute(f'SELECT COUNT(*) FROM "{table_name}"')[0][0])
