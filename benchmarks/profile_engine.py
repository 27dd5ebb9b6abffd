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
    analysis: ("resolve_as_of", "_goal_rows", "_activity_ratios", "evaluate_rep", "team_totals"),
    dataset: ("materialise",),
    figures: ("rep_sums", "quantiles", "stage_counts", "active_open", "covered_bookings", "earliest_event"),
}


def time_steps() -> dict[str, list[tuple[float, float]]]:
    """Wrap the engine's steps so each call's wall and CPU time are recorded under its name.

    CPU time is the whole process's (DuckDB's threads included), which
    varies less than wall time when other work shares the machine.

    materialise is recorded under the name of the table it stores, so each
    point-in-time view of build_views gets its own line.
    """
    steps: dict[str, list[tuple[float, float]]] = {}

    def wrap(module, name):
        original = getattr(module, name)

        def timed(*args, **kwargs):
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                label = name
                if name == "materialise":
                    label = f"materialise {args[1].removeprefix('_rasr_').rsplit('_', 1)[0]}"
                steps.setdefault(label, []).append((time.perf_counter() - started, time.process_time() - cpu))

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
    started, cpu = time.perf_counter(), time.process_time()
    analyze(workspace, settings=settings, as_of=args.as_of)
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"analyze without the profiler: {total:.2f}s wall, {total_cpu:.2f}s CPU; per step (calls):")
    print("     wall      CPU")
    summed = {label: (sum(w for w, _ in calls), sum(c for _, c in calls), len(calls)) for label, calls in steps.items()}
    for label, (wall, cpu_s, calls) in sorted(summed.items(), key=lambda item: -item[1][0]):
        print(f"  {wall:7.2f}  {cpu_s:7.2f}  {label} ({calls})")
    rest_wall = total - sum(wall for wall, _, _ in summed.values())
    rest_cpu = total_cpu - sum(cpu_s for _, cpu_s, _ in summed.values())
    print(f"  {rest_wall:7.2f}  {rest_cpu:7.2f}  everything else (small queries, building the queries)")

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
