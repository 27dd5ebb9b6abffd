"""Time the whole `rasr team` command (start, analysis, JSON output) and its peak memory.

Each run is a new process under /usr/bin/time -v, so the time includes
Python start-up and imports, and the peak is that process's maximum
resident set size. Output goes to /dev/null.

    .venv/bin/python benchmarks/bench_team.py duckdb:////tmp/rasr-bench/w1m.duckdb
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from common import VENV_BIN, save, summary, timed_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", help="workspace URL, e.g. duckdb:////tmp/rasr-bench/w1m.duckdb")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--format", default="json", help="output format of rasr team (default json)")
    parser.add_argument("--name", default=None, help="result name (default: team-<workspace file name>)")
    args = parser.parse_args()

    command = [str(VENV_BIN / "rasr"), "--db", args.workspace, "team", "--as-of", args.as_of.isoformat(),
               "--format", args.format]
    runs = [timed_command(command) for _ in range(args.repeat)]
    name = args.name or f"team-{Path(args.workspace.rsplit('/', 1)[-1]).stem}"
    save(name, {
        "workspace": args.workspace, "rasr_command": " ".join(["rasr", *command[1:]]),
        "wall": summary([run["seconds"] for run in runs]),
        "peak_rss_mib": max(run["peak_rss_mib"] for run in runs),
        "peak_rss_mib_runs": [run["peak_rss_mib"] for run in runs],
        "output_bytes": len(runs[-1]["stdout"]),
    })


if __name__ == "__main__":
    main()
