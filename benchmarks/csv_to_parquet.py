"""Convert a folder of canonical CSV files to canonical Parquet files, for `rasr --data` benchmarks.

Types are DuckDB's inference from the CSV files, except stage_changes'
entered_at, which becomes a timestamp as in the workspace schema.

    .venv/bin/python benchmarks/csv_to_parquet.py /tmp/rasr-bench/org-1m /tmp/rasr-bench/org-1m-parquet
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder of canonical CSV files")
    parser.add_argument("target", type=Path, help="folder to write the Parquet files to")
    args = parser.parse_args()
    args.target.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    for path in sorted(args.source.glob("*.csv")):
        select = f"SELECT * FROM read_csv('{path}')"
        if path.stem == "stage_changes":
            select = f"SELECT * REPLACE (entered_at::TIMESTAMP AS entered_at) FROM read_csv('{path}')"
        connection.execute(f"COPY ({select}) TO '{args.target / (path.stem + '.parquet')}' (FORMAT parquet)")
    connection.close()


if __name__ == "__main__":
    main()
