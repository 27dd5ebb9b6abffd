"""Time the engine's team analysis (`rasr.engine.analysis.analyze`) inside one process.

The first run after an import also prepares the deals and stage visits
that the workspace keeps between analyses, so it is reported apart
("first") from the repeated runs. --prepare drops what the workspace
prepared before, so that the first run prepares it again, and times only
that run; its peak memory is then the preparation's. Peak memory is this process's maximum resident set size
(getrusage), so run the script on its own. With --pandas FOLDER the pandas
baseline's compute is timed in a child process right after, for the ratio
in the same run.

    .venv/bin/python benchmarks/bench_engine.py duckdb:////tmp/rasr-bench/w1m.duckdb --pandas /tmp/rasr-bench/org-1m
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

from common import RESULTS, save, summary, timed_command

from rasr.engine.analysis import analyze
from rasr.engine.dataset import PREPARED_TABLES
from rasr.store import open_workspace
from rasr.store.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", help="workspace URL, e.g. duckdb:////tmp/rasr-bench/w1m.duckdb")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the first (default 3)")
    parser.add_argument("--pandas", type=Path, default=None, help="CSV folder to time the pandas baseline on")
    parser.add_argument("--name", default=None, help="result name (default: engine-<workspace file name>)")
    parser.add_argument("--prepare", action="store_true",
                        help="drop the prepared tables first and time only the run that prepares them again")
    args = parser.parse_args()
    if args.prepare and args.pandas is not None:
        parser.error("--prepare times one run only, so it takes no --pandas")

    workspace = open_workspace(args.workspace)
    settings = load_settings(workspace)
    if args.prepare:
        args.repeat = 0
        for table in PREPARED_TABLES:
            workspace.backend.drop_table(table, force=True)
    started = time.perf_counter()
    result = analyze(workspace, settings=settings, as_of=args.as_of)
    first = time.perf_counter() - started
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = analyze(workspace, settings=settings, as_of=args.as_of)
        runs.append(time.perf_counter() - started)
    conversations = result.as_dict()["totals"]["conversations"]
    workspace.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    name = args.name or f"engine-{Path(args.workspace.rsplit('/', 1)[-1]).stem}"
    record = {"workspace": args.workspace, "as_of": args.as_of, "reps": len(result.reps),
              "conversations": conversations, "first_s": round(first, 3), "analyze": summary(runs) if runs else None,
              "peak_rss_mib": round(peak_mib)}
    if args.pandas is not None:
        pandas_name = f"{name}-pandas"
        # Under /usr/bin/time, because a child forked from this process inherits its peak RSS in getrusage.
        child = timed_command([sys.executable, str(Path(__file__).with_name("pandas_baseline.py")), str(args.pandas),
                               "--as-of", args.as_of.isoformat(), "--repeat", str(args.repeat), "--name", pandas_name])
        pandas = json.loads((RESULTS / f"{pandas_name}.json").read_text())
        record["pandas_compute"] = pandas["compute"]
        record["pandas_peak_rss_mib"] = child["peak_rss_mib"]
        record["speedup_best"] = round(pandas["compute"]["best_s"] / record["analyze"]["best_s"], 2)
        record["speedup_median"] = round(pandas["compute"]["median_s"] / record["analyze"]["median_s"], 2)
    save(name, record)


if __name__ == "__main__":
    main()
