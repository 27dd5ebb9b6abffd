"""Time `rasr import generic` of a canonical CSV folder into a new workspace, in rows per second.

The rows counted are the data rows of every CSV file in the folder, read
and validated by the import. Peak memory is the maximum resident set size
of the import process (from /usr/bin/time -v).

    .venv/bin/python benchmarks/bench_import.py /tmp/rasr-bench/org-1m duckdb:////tmp/rasr-bench/w1m.duckdb
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import VENV_BIN, save, timed_command


def csv_rows(folder: Path) -> dict[str, int]:
    """Data rows (lines minus the header) of each CSV file in folder."""
    rows = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open("rb") as file:
            rows[path.stem] = sum(1 for _ in file) - 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of canonical CSV files")
    parser.add_argument("workspace", help="workspace URL to create; it must not exist yet")
    parser.add_argument("--name", default=None, help="result name (default: import-<folder name>)")
    args = parser.parse_args()

    rows = csv_rows(args.folder)
    run = timed_command([str(VENV_BIN / "rasr"), "--db", args.workspace, "import", "generic", str(args.folder)])
    total = sum(rows.values())
    save(args.name or f"import-{args.folder.name}", {
        "workspace": args.workspace, "rows": rows, "total_rows": total,
        "seconds": round(run["seconds"], 2), "rows_per_second": round(total / run["seconds"]),
        "peak_rss_mib": run["peak_rss_mib"], "report_tail": run["stdout"][-1500:],
    })


if __name__ == "__main__":
    main()
