"""Time `rasr --engine spark --data DIR team` in Spark local mode, the whole command, once or more.

Each run starts its own JVM, so the time includes Spark's start-up. The
peak memory is what /usr/bin/time -v reports for the rasr process, the
Python client: the JVM that PySpark starts is not waited for by rasr, so
its memory is not counted. The decisions are counted so the result can be
compared with the DuckDB run.

    .venv/bin/python benchmarks/bench_spark.py /tmp/rasr-bench/org-1m-parquet
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
from pathlib import Path

from common import VENV_BIN, save, summary, timed_command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="folder of canonical Parquet files")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--repeat", type=int, default=1, help="runs (default 1)")
    parser.add_argument("--name", default=None, help="result name (default: spark-<folder name>)")
    args = parser.parse_args()

    command = [str(VENV_BIN / "rasr"), "--engine", "spark", "--data", str(args.data), "team",
               "--as-of", args.as_of.isoformat(), "--format", "json"]
    runs = [timed_command(command, env={"SPARK_LOCAL_IP": "127.0.0.1"}) for _ in range(args.repeat)]
    team = json.loads(runs[-1]["stdout"])
    decisions = collections.Counter(rep["conversation"] or "none" for rep in team["reps"])
    save(args.name or f"spark-{args.data.name}", {
        "data": str(args.data), "rasr_command": " ".join(["SPARK_LOCAL_IP=127.0.0.1 rasr", *command[1:]]),
        "wall": summary([run["seconds"] for run in runs]),
        "peak_rss_mib_client": max(run["peak_rss_mib"] for run in runs),
        "decisions": dict(decisions),
    })


if __name__ == "__main__":
    main()
