"""Write tables to OUT_DIR as CSV or Parquet files, one per table, appending chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

FORMATS = ("csv", "parquet")


class TableWriters:
    """One open file writer per table; `write` appends a chunk, `close` finishes every file."""

    def __init__(self, directory: Path, schemas: dict[str, pa.Schema], output_format: str) -> None:
        if output_format not in FORMATS:
            raise ValueError(f"invalid format {output_format!r}: expected one of {', '.join(FORMATS)}")
        self.directory = directory
        self.schemas = schemas
        self.format = output_format
        self.rows = {name: 0 for name in schemas}
        self._writers: dict[str, pa_csv.CSVWriter | pq.ParquetWriter] = {}

    def path(self, table: str) -> Path:
        return self.directory / f"{table}.{self.format}"

    def write(self, table: str, data: pa.Table) -> None:
        writer = self._writers.get(table)
        if writer is None:
            if self.format == "csv":
                options = pa_csv.WriteOptions(quoting_style="needed")
                writer = pa_csv.CSVWriter(self.path(table), self.schemas[table], write_options=options)
            else:
                writer = pq.ParquetWriter(self.path(table), self.schemas[table])
            self._writers[table] = writer
        writer.write_table(data)
        self.rows[table] += data.num_rows

    def close(self) -> None:
        # A table that received no rows still gets a file with its header, so every table is present.
        for table, schema in self.schemas.items():
            if table not in self._writers:
                self.write(table, schema.empty_table())
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
