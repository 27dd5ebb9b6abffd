"""Write the team JSON and every rep's brief, on one or more days, to one file for comparing two versions of rasr.

Two checkouts that give byte-identical files compute the same analysis.
Run it with each version's src on PYTHONPATH against the same workspace,
then compare the files with cmp:

    PYTHONPATH=OTHER_CHECKOUT/src .venv/bin/python benchmarks/dump_analysis.py \\
        duckdb:////tmp/rasr-bench/w1m.duckdb /tmp/other.json 2025-12-31 2025-06-30
    .venv/bin/python benchmarks/dump_analysis.py duckdb:////tmp/rasr-bench/w1m.duckdb /tmp/this.json \\
        2025-12-31 2025-06-30
    cmp /tmp/other.json /tmp/this.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from rasr.engine.analysis import analyze
from rasr.store import open_workspace
from rasr.store.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", help="workspace URL, e.g. duckdb:////tmp/rasr-bench/w1m.duckdb")
    parser.add_argument("output", type=Path, help="file to write")
    parser.add_argument("days", nargs="+", type=dt.date.fromisoformat, help="as_of days, YYYY-MM-DD")
    args = parser.parse_args()

    workspace = open_workspace(args.workspace)
    settings = load_settings(workspace)
    everything = {}
    for day in args.days:
        result = analyze(workspace, settings=settings, as_of=day)
        # A second analysis lists every rep's open deals in the briefs.
        result = analyze(workspace, settings=settings, as_of=day, briefs_for=set(result.rep_results))
        everything[day.isoformat()] = {
            "team": result.as_dict(),
            "briefs": {rep_id: result.brief(rep_id) for rep_id in sorted(result.rep_results)},
        }
    args.output.write_text(json.dumps(everything, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
