"""Read canonical Parquet files as a read-only workspace, on DuckDB or on Spark.

The folder contains one Parquet file per table, named after the table
(`opportunities.parquet`, `stage_changes.parquet`, ...). A name may also be
a folder of part files, as Spark and Hive write them. Columns follow the
canonical tables, with money in currency units as in the CSV files. Each
file is mapped onto the workspace schema with Ibis expressions, so that the
engine reads the same tables as from an imported workspace:

- money columns become integer cents, rounded half away from zero;
- `entered_on` and `changed_on` are the dates of `entered_at` and
  `changed_at` when the file does not carry them;
- a missing optional column is NULL, and an activity's count defaults to 1;
- a missing file is an empty table (no quotas, no activities, ...).

No row is validated or de-duplicated here: the files must already be
clean canonical data, such as `rasr generate --format parquet` writes.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any, Sequence

import ibis
import ibis.expr.types as ir

from rasr.store.connection import WorkspaceError
from rasr.store.schema import CANONICAL_TABLES, TABLES, Table

log = logging.getLogger(__name__)

ENGINES = ("duckdb", "spark")

# Columns that hold money: currency units in the files, cents in the workspace schema.
MONEY_COLUMNS = {
    "opportunities": ("amount", "original_amount"),
    "quotas": ("amount",),
    "aspirations": ("amount",),
}

# Date columns that are derived from a timestamp column of the same table when absent.
DATE_OF = {
    "stage_changes": {"entered_on": "entered_at"},
    "owner_changes": {"changed_on": "changed_at"},
    "close_date_changes": {"changed_on": "changed_at"},
}

# The canonical tables, and the two that settings are read from (empty unless a file is given).
READ_TABLES = (*CANONICAL_TABLES, "settings", "imports")

_IBIS_TYPES = {"text": "string", "int": "int64", "float": "float64", "date": "date", "ts": "timestamp",
               "bool": "boolean"}


class ParquetWorkspace:
    """Canonical Parquet files opened read-only on an Ibis backend (DuckDB or PySpark).

    It offers the reading part of `Workspace`: `table`, `table_names` and
    `execute` for SELECT statements with `?` placeholders.
    """

    def __init__(self, backend: Any, dialect: str, label: str, files: dict[str, str]) -> None:
        self.backend = backend
        self.dialect = dialect
        self.label = label
        # The path each table was read from. A table without a file is read as empty.
        self.files = files

    def table(self, name: str) -> ir.Table:
        return self.backend.table(name)

    def table_names(self) -> set[str]:
        return set(READ_TABLES)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run a read-only SQL statement written with ? placeholders and return its rows."""
        if self.dialect == "spark":
            frame = self.backend.raw_sql(statement, args=list(params) or None)
            return [tuple(row) for row in frame.collect()]
        return [tuple(row) for row in self.backend.con.execute(statement, list(params)).fetchall()]

    def executemany(self, statement: str, rows: Any) -> None:
        raise WorkspaceError(f"the Parquet files in {self.label} are read-only; import them into a workspace to change them")

    def transaction(self) -> Any:
        raise WorkspaceError(f"the Parquet files in {self.label} are read-only; import them into a workspace to change them")

    def close(self) -> None:
        # A Spark session may be shared with the caller, so only DuckDB's in-memory database is closed.
        if self.dialect == "duckdb":
            with contextlib.suppress(Exception):
                self.backend.disconnect()


def _is_local(location: str) -> bool:
    return "://" not in location or location.startswith("file://")


def _local_path(location: str) -> Path:
    return Path(location.removeprefix("file://")).expanduser()


def _empty(table: Table) -> ir.Table:
    import pyarrow as pa

    types = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
             "ts": pa.timestamp("us"), "bool": pa.bool_()}
    return ibis.memtable(pa.table({name: pa.array([], type=types[kind]) for name, kind in table.columns}))


def normalise(table: Table, raw: ir.Table) -> ir.Table:
    """Map a table read from a canonical file onto the workspace schema of table."""
    present = set(raw.columns)
    derived = DATE_OF.get(table.name, {})
    money = MONEY_COLUMNS.get(table.name, ())
    columns: dict[str, ir.Value] = {}
    for name, kind in table.columns:
        target = _IBIS_TYPES[kind]
        if name in present:
            value = raw[name]
            if name in money:
                value = (value.cast("float64") * 100).round().cast("int64")
            else:
                value = value.cast(target)
        elif name in derived and derived[name] in present:
            value = raw[derived[name]].cast("timestamp").cast("date")
        else:
            value = ibis.null(target)
        columns[name] = value
    if table.name == "activities":
        columns["count"] = columns["count"].fill_null(1)
        columns["opp_id"] = columns["opp_id"].fill_null("")
    return raw.select(**columns)


def _find_file(data: str, name: str) -> str | None:
    location = f"{data.rstrip('/')}/{name}.parquet"
    if _is_local(data):
        path = _local_path(location)
        return str(path) if path.exists() else None
    # NOTE: a remote folder (hdfs://, s3a://) is not listed beforehand. Every
    # table is read, so a table whose file is missing makes the read fail.
    return location


def _read(backend: Any, dialect: str, location: str, name: str) -> ir.Table:
    if dialect == "duckdb" and _is_local(location) and _local_path(location).is_dir():
        location = f"{_local_path(location)}/**/*.parquet"
    return backend.read_parquet(location, table_name=f"_rasr_file_{name}")


def open_parquet_workspace(data: str | Path, engine: str = "duckdb", *, spark: Any | None = None) -> ParquetWorkspace:
    """Open the canonical Parquet files in data on engine, "duckdb" or "spark".

    spark is an existing SparkSession to use; without it the Spark engine
    starts or reuses one. Raises WorkspaceError for a missing folder, a
    folder without opportunities.parquet or an unreadable file.
    """
    data = str(data)
    if engine not in ENGINES:
        raise WorkspaceError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
    if _is_local(data) and not _local_path(data).is_dir():
        raise WorkspaceError(f"{data} is not a folder; give the folder that contains the canonical Parquet files")
    files = {name: _find_file(data, name) for name in READ_TABLES}
    if files["opportunities"] is None:
        raise WorkspaceError(
            f"{data} contains no opportunities.parquet; name each Parquet file after its table "
            "(opportunities.parquet, reps.parquet, stage_changes.parquet, ...)"
        )

    if engine == "spark":
        from rasr.store.spark import spark_backend

        backend = spark_backend(spark)
    else:
        backend = ibis.duckdb.connect()
        # Timestamps with a time zone are dated in UTC, as on Spark.
        with contextlib.suppress(Exception):
            backend.raw_sql("SET TimeZone = 'UTC'")

    found = {}
    for name in READ_TABLES:
        table = TABLES[name]
        location = files[name]
        try:
            raw = _read(backend, engine, location, name) if location is not None else _empty(table)
            backend.create_view(name, normalise(table, raw), overwrite=True)
        except Exception as error:  # each engine raises its own error types for unreadable files
            raise WorkspaceError(f"cannot read {location or name} with {engine}: {error}") from error
        if location is not None:
            found[name] = location
    log.info("opened %s Parquet tables in %s on %s", len(found), data, engine)
    return ParquetWorkspace(backend, engine, data, found)
