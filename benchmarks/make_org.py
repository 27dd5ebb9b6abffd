"""Write a synthetic sales organisation of a given size as canonical CSV files, for the benchmarks only.

This is the benchmarks' own data, not the product's generator: it is built
for speed (numpy, one chunk of opportunities at a time) and for a known
shape, not for realistic reps. Every opportunity follows one of a few stage
paths, some with a skipped stage, a repeated snapshot row or a move back to
an earlier stage, so the stage history has about 4.8 rows per opportunity.
Deals whose path would end after the end date are open on it. Reps carry
an annual quota per calendar year.

    .venv/bin/python benchmarks/make_org.py OUT_DIR --opportunities 1000000 --reps 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

END = dt.date(2025, 12, 31)
YEARS = 3
CHUNK = 250_000
TEAM_SIZE = 10

# (stage, position, is_qualified, kind, exit_criteria)
STAGES = [
    ("Prospecting", 1, False, "open", "Buyer agrees to a discovery call"),
    ("Qualification", 2, True, "open", "Budget, authority, need and timing confirmed"),
    ("Proposal", 3, True, "open", "Buyer reviewed the proposal with the decision maker"),
    ("Negotiation", 4, True, "open", "Verbal commitment and signing date agreed"),
    ("Closed Won", 5, True, "won", None),
    ("Closed Lost", 6, True, "lost", None),
]
P, Q, R, N, W, L = range(6)

# Stage paths with their weights: won paths end in W, lost ones in L.
WON_PATHS = [
    ([P, Q, R, N, W], 0.45),
    ([P, Q, R, N, N, W], 0.20),   # snapshot row repeating the stage
    ([P, Q, R, Q, R, N, W], 0.15),  # moved back to an earlier stage
    ([Q, R, N, W], 0.10),         # entered the pipeline already qualified
    ([P, Q, N, W], 0.10),         # skipped Proposal
]
LOST_PATHS = [
    ([P, L], 0.05),
    ([P, Q, L], 0.10),
    ([P, Q, R, L], 0.25),
    ([P, Q, R, N, L], 0.30),
    ([P, Q, R, N, R, N, L], 0.15),
    ([P, Q, R, R, N, L], 0.15),
]


def _paths_table(paths: list[tuple[list[int], float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pad the paths into one matrix, returning (stages, lengths, weights)."""
    width = max(len(path) for path, _ in paths)
    matrix = np.full((len(paths), width), -1, dtype=np.int8)
    for i, (path, _) in enumerate(paths):
        matrix[i, : len(path)] = path
    lengths = np.array([len(path) for path, _ in paths])
    weights = np.array([weight for _, weight in paths])
    return matrix, lengths, weights / weights.sum()


def _dates(days: np.ndarray) -> pa.Array:
    """Return day numbers since 1970-01-01 as a date32 array, which the CSV writer writes as YYYY-MM-DD."""
    return pa.array(days.astype(np.int32), type=pa.date32())


def write_reps(out: Path, reps: int, rng: np.random.Generator, start_day: int) -> np.ndarray:
    """Write teams.csv, reps.csv and quotas.csv; return each rep's win probability."""
    teams = (reps + TEAM_SIZE - 1) // TEAM_SIZE
    regions = max(1, teams // 10)
    team_names = [f"Team {t + 1:04d}" for t in range(teams)]
    region_names = [f"Region {r + 1:03d}" for r in range(regions)]
    team_table = pa.table({
        "team": region_names + team_names,
        "parent_team": [None] * regions + [region_names[t % regions] for t in range(teams)],
        "manager": [f"Manager of {name}" for name in region_names + team_names],
    })
    pa_csv.write_csv(team_table, out / "teams.csv")

    ids = [f"R{r + 1:06d}" for r in range(reps)]
    # Most reps started before the data begins; one in twenty started within the last year.
    start = np.where(rng.random(reps) < 0.05, rng.integers(_day(END) - 365, _day(END) - 30, reps),
                     start_day - rng.integers(30, 2000, reps))
    rep_table = pa.table({
        "rep_id": ids,
        "name": [f"Rep {r + 1:06d}" for r in range(reps)],
        "email": [f"rep{r + 1}@example.com" for r in range(reps)],
        "team": [team_names[r // TEAM_SIZE] for r in range(reps)],
        "start_date": _dates(start),
    })
    pa_csv.write_csv(rep_table, out / "reps.csv")

    # One quota row per rep and calendar year, sized so about half the reps meet it.
    years = range(END.year - YEARS + 1, END.year + 1)
    quota_rep = np.repeat(np.arange(reps), len(years))
    starts = np.tile([_day(dt.date(y, 1, 1)) for y in years], reps)
    ends = np.tile([_day(dt.date(y, 12, 31)) for y in years], reps)
    amounts = np.round(rng.lognormal(np.log(1_800_000), 0.35, len(quota_rep)), -3).astype(np.int64)
    quota_table = pa.table({
        "rep_id": pa.array(ids).take(pa.array(quota_rep)),
        "starts_on": _dates(starts),
        "ends_on": _dates(ends),
        "amount": amounts,
    })
    pa_csv.write_csv(quota_table, out / "quotas.csv")
    return np.clip(rng.beta(6, 12, reps), 0.05, 0.9)


def _day(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days


def write_opportunities(out: Path, opportunities: int, win_probability: np.ndarray,
                        rng: np.random.Generator, start_day: int) -> dict[str, int]:
    """Write opportunities.csv and stage_changes.csv chunk by chunk; return the row counts."""
    won_paths, won_lengths, won_weights = _paths_table(WON_PATHS)
    lost_paths, lost_lengths, lost_weights = _paths_table(LOST_PATHS)
    end_day = _day(END)
    stage_names = pa.array([s[0] for s in STAGES])
    status_names = pa.array(["open", "won", "lost"])
    writers = {}
    rows = {"opportunities": 0, "stage_changes": 0}
    try:
        for first in range(0, opportunities, CHUNK):
            n = min(CHUNK, opportunities - first)
            rep = rng.integers(0, len(win_probability), n)
            won = rng.random(n) < win_probability[rep]
            path_won = rng.choice(len(won_paths), n, p=won_weights)
            path_lost = rng.choice(len(lost_paths), n, p=lost_weights)
            paths = np.where(won[:, None], won_paths[path_won], _pad(lost_paths[path_lost], won_paths.shape[1]))
            lengths = np.where(won, won_lengths[path_won], lost_lengths[path_lost])

            # Days between stage changes; the first change is on the creation day.
            gaps = 1 + rng.gamma(1.5, 9.0, paths.shape).round().astype(np.int32)
            gaps[:, 0] = 0
            created = rng.integers(start_day, end_day + 1, n)
            entered = created[:, None] + np.cumsum(gaps, axis=1)
            valid = np.arange(paths.shape[1])[None, :] < lengths[:, None]
            close = entered[np.arange(n), lengths - 1]
            # A deal whose path ends after the end date is still open on it; its close_on is the expected close.
            closed = close <= end_day
            valid &= entered <= end_day
            status = np.where(closed, np.where(won, 1, 2), 0)
            last_index = valid.sum(axis=1) - 1
            current_stage = paths[np.arange(n), last_index]

            amount = np.round(rng.lognormal(np.log(40_000), 0.8, n), -2)
            amount_text = pa.array(amount.astype(np.int64)).cast(pa.string())
            # Two in a hundred opportunities have no amount.
            amount_text = pc.if_else(pa.array(rng.random(n) < 0.02), pa.scalar(None, pa.string()),
                                             amount_text)
            ids = pa.array(np.char.add("O", (np.arange(first, first + n) + 1).astype("U9")))
            opp_table = pa.table({
                "opp_id": ids,
                "rep_id": pa.array(np.char.add("R", np.char.zfill((rep + 1).astype("U6"), 6))),
                "status": status_names.take(pa.array(status)),
                "amount": amount_text,
                "created_on": _dates(created),
                "close_on": _dates(close),
                "stage": stage_names.take(pa.array(current_stage.astype(np.int64))),
            })
            opp_index, step = np.nonzero(valid)
            change_table = pa.table({
                "opp_id": ids.take(pa.array(opp_index)),
                "stage": stage_names.take(pa.array(paths[opp_index, step].astype(np.int64))),
                "entered_at": _dates(entered[opp_index, step]),
            })
            for name, table in (("opportunities", opp_table), ("stage_changes", change_table)):
                if name not in writers:
                    writers[name] = pa_csv.CSVWriter(out / f"{name}.csv", table.schema)
                writers[name].write_table(table)
                rows[name] += table.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return rows


def _pad(matrix: np.ndarray, width: int) -> np.ndarray:
    if matrix.shape[1] >= width:
        return matrix
    return np.pad(matrix, ((0, 0), (0, width - matrix.shape[1])), constant_values=-1)


def make_org(out: Path, *, opportunities: int, reps: int, seed: int = 1) -> dict[str, int]:
    """Write the canonical CSV files of one organisation to out; return rows written per table."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    start_day = _day(END) - 365 * YEARS
    stage_table = pa.table({
        "stage": [s[0] for s in STAGES],
        "position": [s[1] for s in STAGES],
        "is_qualified": ["true" if s[2] else "false" for s in STAGES],
        "kind": [s[3] for s in STAGES],
        "exit_criteria": [s[4] for s in STAGES],
    })
    pa_csv.write_csv(stage_table, out / "stages.csv")
    win_probability = write_reps(out, reps, rng, start_day)
    rows = write_opportunities(out, opportunities, win_probability, rng, start_day)
    rows.update(stages=len(STAGES), reps=reps, quotas=reps * YEARS)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the CSV files to")
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = make_org(args.out, opportunities=args.opportunities, reps=args.reps, seed=args.seed)
    print(f"wrote {rows} to {args.out} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
