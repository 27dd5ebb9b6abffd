"""Write a workspace's canonical tables as canonical Parquet files, for the tests that read them back.

The files hold what a generator or a data pipeline would write: money in
currency units as DECIMAL(18, 2), and no `entered_on`, `changed_on` or
`*_raw` columns, which the Parquet reader derives or leaves NULL.
"""

from __future__ import annotations

from pathlib import Path

from rasr.store.connection import Workspace
from rasr.store.parquet import DATE_OF, MONEY_COLUMNS
from rasr.store.schema import CANONICAL_TABLES, TABLES


def write_canonical_parquet(workspace: Workspace, folder: Path) -> Path:
    """Write one <table>.parquet per canonical table of a DuckDB workspace into folder and return folder."""
    assert workspace.dialect == "duckdb", "the Parquet export uses DuckDB's COPY"
    folder.mkdir(parents=True, exist_ok=True)
    for name in CANONICAL_TABLES:
        columns = []
        for column, _kind in TABLES[name].columns:
            if column in MONEY_COLUMNS.get(name, ()):
                columns.append(f'CAST("{column}" * 0.01 AS DECIMAL(18, 2)) AS "{column}"')
            elif column in DATE_OF.get(name, {}) or column.endswith("_raw"):
                continue
            else:
                columns.append(f'"{column}"')
        target = folder / f"{name}.parquet"
        workspace.execute(f"COPY (SELECT {', '.join(columns)} FROM \"{name}\") TO '{target}' (FORMAT parquet)")
    return folder
