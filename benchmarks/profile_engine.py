"""Profile one team analysis with cProfile and print where the time goes, by engine function.

The workspace is analysed once first (unprofiled) so the stage visits it
keeps between analyses exist, as they do in daily use. The full profile
is written to RESULTS/profile-<workspace>.prof for snakeviz or pstats.

    .venv/bin/python benchmarks/profile_engine.py duckdb:////tmp/rasr-bench/w1m.duckdb
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import time
from pathlib import Path

from common import RESULTS

from rasr.engine import analysis, dataset, figures
from rasr.engine.analysis import analyze
from rasr.store import open_workspace
from rasr.store.settings import load_settings


STEP_FUNCTIONS = {
    analysis: ("resolve_as_of", "_goal_rows", "_activity_ratios"),
    dataset: ("materialise",),
    figures: ("rep_sums", "quantiles", "stage_counts", "active_open", "covered_bookings", "earliest_event"),
}


def time_steps() -> dict[str, list[float]]:
    """Wrap the engine's query steps so each call's wall time is recorded under its name.

    materialise is recorded under the name of the table it stores, so each
    point-in-time view of build_views gets its own line.
    """
    steps: dict[str, list[float]] = {}

    def wrap(module, name):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                label = name
                if name == "materialise":
                    label = f"materialise {args[1].removeprefix('_rasr_').rsplit('_', 1)[0]}"
                steps.setdefault(label, []).append(time.perf_counter() - started)

        setattr(module, name, timed)

    for module, names in STEP_FUNCTIONS.items():
        for name in names:
            wrap(module, name)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", help="workspace URL, e.g. duckdb:////tmp/rasr-bench/w1m.duckdb")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--lines", type=int, default=40, help="rows of the profile to print (default 40)")
    args = parser.parse_args()

    workspace = open_workspace(args.workspace)
    settings = load_settings(workspace)
    analyze(workspace, settings=settings, as_of=args.as_of)
    steps = time_steps()
    started = time.perf_counter()
    analyze(workspace, settings=settings, as_of=args.as_of)
    total = time.perf_counter() - started
    print(f"analyze without the profiler: {total:.2f}s, of which (seconds per step, calls):")
    for label, seconds in sorted(steps.items(), key=lambda item: -sum(item[1])):
        print(f"  {sum(seconds):7.2f}  {label} ({len(seconds)})")
    print(f"  {total - sum(map(sum, steps.values())):7.2f}  everything else (Python per rep, small queries)")

    profiler = cProfile.Profile()
    profiler.enable()
    analyze(workspace, settings=settings, as_of=args.as_of)
    profiler.disable()
    workspace.close()

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"profile-{Path(args.workspace.rsplit('/', 1)[-1]).stem}.prof"
    profiler.dump_stats(path)
    output = io.StringIO()
    stats = pstats.Stats(profiler, stream=output).sort_stats("cumulative")
    stats.print_stats(r"rasr/engine", args.lines)
    print(output.getvalue())
    print(f"full profile: {path}")


if __name__ == "__main__":
    main()
