"""A plain pandas implementation of the core per-rep metrics over canonical CSV files.

This is the baseline the engine is measured against: what an analyst would
write in a notebook, vectorised, without tricks. It reads opportunities,
stage_changes, stages, reps and quotas, and computes on one day (as_of)
with a trailing lookback, per rep:

- won, lost and closed counts of qualified deals closed in the lookback,
  won amount, win rate by count and by value, opportunity size (mean
  closed amount), mean and median won deal size;
- median and mean cycle days (qualification to close of won deals; the
  median is missing with fewer than min_deals), median lost cycle, and the
  team's median cycle;
- open qualified count and amount, and the active ones: open deals not
  stale, stale meaning older in their stage than the nearest-rank 90th
  percentile of days from the last entry into that stage to close over the
  rep's closed deals (the team's with fewer than min_deals);
- bookings, goal (quota pro-rated by days) and attainment year to date;
- per stage: mean and median days in the stage over deals whose visit
  ended in the lookback, and the stage-to-win rate.

Owner changes, close-date history, currencies and fiscal years other than
the calendar year are not handled: the benchmark data has none of them.

    .venv/bin/python benchmarks/pandas_baseline.py /tmp/rasr-bench/org-1m --as-of 2025-12-31
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

CLOSED = ("won", "lost")


def load(folder: Path) -> dict[str, pd.DataFrame]:
    """Read the canonical CSV files the metrics need, with dates as datetime64 and ids as integer codes.

    pandas 3 reads text as Arrow strings, and every merge, sort and group-by
    on them hashes the strings again, so the ids of deals, reps, teams and
    stages are factorised once here (in the load time, not the compute time).
    The names are kept in "names" to label the results.
    """
    def read(name: str, dates: list[str]) -> pd.DataFrame:
        frame = pd.read_csv(folder / f"{name}.csv", engine="pyarrow")
        for column in dates:
            frame[column] = pd.to_datetime(frame[column])
        return frame

    tables = {
        "opportunities": read("opportunities", ["created_on", "close_on"]),
        "stage_changes": read("stage_changes", ["entered_at"]),
        "stages": read("stages", []),
        "reps": read("reps", ["start_date"]),
        "quotas": read("quotas", ["starts_on", "ends_on"]),
    }
    names = {}
    for key, columns in (
        ("opp_id", [("opportunities", "opp_id"), ("stage_changes", "opp_id")]),
        ("rep_id", [("reps", "rep_id"), ("opportunities", "rep_id"), ("quotas", "rep_id")]),
        ("stage", [("stages", "stage"), ("stage_changes", "stage")]),
        ("team", [("reps", "team")]),
    ):
        values = pd.concat([tables[table][column] for table, column in columns], ignore_index=True)
        codes, names[key] = pd.factorize(values)
        offset = 0
        for table, column in columns:
            size = len(tables[table])
            tables[table][column] = codes[offset: offset + size]
            offset += size
    tables["names"] = names
    return tables


def stage_visits(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> pd.DataFrame:
    """Collapse the stage changes up to as_of into visits, with the days until the next visit."""
    stages = tables["stages"].copy()
    stages["is_qualified"] = stages["is_qualified"].astype(str).str.lower().isin(["true", "1", "yes"])
    changes = tables["stage_changes"]
    changes = changes[changes["entered_at"] <= as_of]
    changes = changes.merge(stages[["stage", "position", "is_qualified", "kind"]], on="stage", how="left")
    changes = changes.sort_values(["opp_id", "entered_at", "position"], ignore_index=True)
    # A row that repeats the stage of the previous row of its deal is a snapshot, not a new visit.
    same_deal = changes["opp_id"].eq(changes["opp_id"].shift())
    repeat = same_deal & changes["stage"].eq(changes["stage"].shift())
    visits = changes[~repeat].reset_index(drop=True)
    next_same_deal = visits["opp_id"].eq(visits["opp_id"].shift(-1))
    visits["next_on"] = visits["entered_at"].shift(-1).where(next_same_deal)
    visits["days"] = (visits["next_on"] - visits["entered_at"]).dt.days
    visits["is_last"] = ~next_same_deal
    return visits


def deal_states(tables: dict[str, pd.DataFrame], visits: pd.DataFrame, as_of: pd.Timestamp,
                lookback_start: pd.Timestamp) -> pd.DataFrame:
    """Build one row per deal that exists on as_of: state, qualification, cycle days and current stage age."""
    opps = tables["opportunities"]
    summary = visits.groupby("opp_id", sort=False)["entered_at"].min().rename("first_on").to_frame()
    summary["first_qualified_on"] = visits[visits["is_qualified"]].groupby("opp_id", sort=False)["entered_at"].min()
    last = visits.loc[visits["is_last"], ["opp_id", "stage", "entered_at", "kind"]].rename(
        columns={"stage": "last_stage", "entered_at": "last_entered_on", "kind": "last_kind"})

    deals = opps.merge(summary, left_on="opp_id", right_index=True, how="left").merge(last, on="opp_id", how="left")
    status = deals["status"].str.lower()
    closed_now = status.isin(CLOSED) & deals["close_on"].notna() & (deals["close_on"] <= as_of)
    closed_in_history = deals["last_kind"].isin(CLOSED)
    deals["state"] = np.where(closed_now, status, np.where(closed_in_history, deals["last_kind"], "open"))
    deals["closed_on"] = deals["close_on"].where(closed_now, deals["last_entered_on"].where(closed_in_history))
    # A deal exists from the earliest of its creation, its first stage change and, when closed, its close.
    closed_close_on = deals["close_on"].where(status.isin(CLOSED))
    deals["created_eff"] = pd.concat([deals["created_on"], deals["first_on"], closed_close_on], axis=1).min(axis=1)
    deals = deals[deals["created_eff"].notna() & (deals["created_eff"] <= as_of)].copy()

    # With stage history a deal is qualified from its first qualified stage; a win at the latest on its close.
    qualified_on = deals["first_qualified_on"].where(deals["first_on"].notna(), deals["created_eff"])
    won = deals["state"] == "won"
    qualified_on = qualified_on.where(~won, pd.concat([qualified_on, deals["closed_on"]], axis=1).min(axis=1))
    deals["qualified_on"] = qualified_on
    deals["is_qualified"] = qualified_on.notna() & (qualified_on <= as_of)
    deals["amount"] = deals["amount"].where(deals["amount"] > 0)
    bad_dates = (deals["close_on"] < deals["created_on"]) | (deals["closed_on"] < deals["first_qualified_on"])
    deals["bad_dates"] = bad_dates
    deals["cycle_days"] = (deals["closed_on"] - deals["qualified_on"]).dt.days.where(~bad_dates)
    deals["closed_in_lookback"] = deals["state"].isin(CLOSED) & (deals["closed_on"] >= lookback_start) & (
        deals["closed_on"] <= as_of)
    deals["stage_now"] = deals["last_stage"]
    deals["stage_age_days"] = (as_of - deals["last_entered_on"]).dt.days.where(deals["state"] == "open")
    return deals


def nearest_rank_p90(values: pd.Series) -> float:
    """Return the nearest-rank 90th percentile: the value at 1-based rank ceil(0.9 n)."""
    ordered = np.sort(values.to_numpy())
    return float(ordered[(9 * len(ordered) + 9) // 10 - 1])


def compute(tables: dict[str, pd.DataFrame], as_of: dt.date, *, lookback_days: int = 365,
            min_deals: int = 3) -> dict[str, pd.DataFrame]:
    """Compute the per-rep metrics ("reps") and per rep and stage figures ("stages") on as_of."""
    a = pd.Timestamp(as_of)
    lookback_start = a - pd.Timedelta(days=lookback_days - 1)
    visits = stage_visits(tables, a)
    deals = deal_states(tables, visits, a, lookback_start)
    reps = tables["reps"][["rep_id", "team"]]
    deals = deals.merge(reps, on="rep_id", how="left")

    closed = deals[deals["is_qualified"] & deals["closed_in_lookback"]]
    won = closed[closed["state"] == "won"]
    lost = closed[closed["state"] == "lost"]
    per_rep = pd.DataFrame({
        "won_count": won.groupby("rep_id").size(),
        "lost_count": lost.groupby("rep_id").size(),
        "won_amount": won.groupby("rep_id")["amount"].sum(),
        "closed_amount": closed.groupby("rep_id")["amount"].sum(),
        "closed_with_amount": closed.groupby("rep_id")["amount"].count(),
        "won_deal_size_mean": won.groupby("rep_id")["amount"].mean(),
        "won_deal_size_median": won.groupby("rep_id")["amount"].median(),
        "cycle_won_n": won.groupby("rep_id")["cycle_days"].count(),
        "cycle_days_mean": won.groupby("rep_id")["cycle_days"].mean(),
        "cycle_days_median": won.groupby("rep_id")["cycle_days"].median(),
        "cycle_days_median_lost": lost.groupby("rep_id")["cycle_days"].median(),
    })
    per_rep = per_rep.reindex(reps["rep_id"])
    for column in ("won_count", "lost_count", "won_amount", "closed_amount", "closed_with_amount", "cycle_won_n"):
        per_rep[column] = per_rep[column].fillna(0)
    per_rep["closed_count"] = per_rep["won_count"] + per_rep["lost_count"]
    per_rep["win_rate_count_raw"] = per_rep["won_count"] / per_rep["closed_count"].replace(0, np.nan)
    per_rep["win_rate_value_raw"] = per_rep["won_amount"] / per_rep["closed_amount"].replace(0, np.nan)
    per_rep["opportunity_size_raw"] = per_rep["closed_amount"] / per_rep["closed_with_amount"].replace(0, np.nan)
    per_rep["cycle_days_median"] = per_rep["cycle_days_median"].where(per_rep["cycle_won_n"] >= min_deals)
    team_cycle = won.groupby("team")["cycle_days"].median()
    per_rep["team_cycle_days_median"] = reps.set_index("rep_id")["team"].map(team_cycle)

    # Stale thresholds: days from the last entry into an open stage to close, over closed qualified deals.
    closed_visits = visits.merge(closed[["opp_id", "rep_id", "team", "closed_on", "bad_dates"]], on="opp_id")
    closed_visits = closed_visits[(closed_visits["kind"] == "open") & ~closed_visits["bad_dates"]]
    last_entry = closed_visits.groupby(["rep_id", "team", "opp_id", "stage"], as_index=False).agg(
        last_on=("entered_at", "max"), closed_on=("closed_on", "max"))
    last_entry["to_close"] = (last_entry["closed_on"] - last_entry["last_on"]).dt.days
    rep_p90 = last_entry.groupby(["rep_id", "stage"])["to_close"].agg(["size", nearest_rank_p90])
    team_p90 = last_entry.groupby(["team", "stage"])["to_close"].agg(nearest_rank_p90).rename("team_p90")

    open_q = deals[deals["is_qualified"] & (deals["state"] == "open")]
    open_q = open_q.merge(rep_p90, left_on=["rep_id", "stage_now"], right_index=True, how="left")
    open_q = open_q.merge(team_p90, left_on=["team", "stage_now"], right_index=True, how="left")
    threshold = open_q["nearest_rank_p90"].where(open_q["size"] >= min_deals, open_q["team_p90"])
    stale = (open_q["stage_age_days"] > threshold).fillna(False)
    active = open_q[~stale]
    per_rep["open_count"] = open_q.groupby("rep_id").size()
    per_rep["open_amount"] = open_q.groupby("rep_id")["amount"].sum()
    per_rep["open_count_active"] = active.groupby("rep_id").size()
    per_rep["open_amount_active"] = active.groupby("rep_id")["amount"].sum()
    for column in ("open_count", "open_amount", "open_count_active", "open_amount_active"):
        per_rep[column] = per_rep[column].fillna(0)

    # Year to date: bookings of won deals and the quota pro-rated by days of overlap.
    # A win before the owner's start date is not theirs, and the quota counts only days from that date.
    year_start = pd.Timestamp(dt.date(as_of.year, 1, 1))
    start_date = deals["rep_id"].map(tables["reps"].set_index("rep_id")["start_date"])
    booked = deals[(deals["state"] == "won") & (deals["closed_on"] >= year_start) & (deals["closed_on"] <= a)
                   & ~(deals["closed_on"] < start_date)]
    per_rep["bookings_ytd"] = booked.groupby("rep_id")["amount"].sum()
    per_rep["bookings_ytd"] = per_rep["bookings_ytd"].fillna(0)
    quotas = tables["quotas"].merge(tables["reps"][["rep_id", "start_date"]], on="rep_id", how="left")
    overlap_start = quotas[["starts_on", "start_date"]].max(axis=1).clip(lower=year_start)
    overlap_end = quotas["ends_on"].clip(upper=a)
    overlap_days = ((overlap_end - overlap_start).dt.days + 1).clip(lower=0)
    row_days = (quotas["ends_on"] - quotas["starts_on"]).dt.days + 1
    goal = (quotas["amount"] * overlap_days / row_days).groupby(quotas["rep_id"]).sum()
    per_rep["goal_ytd"] = goal
    per_rep["attainment_ytd"] = per_rep["bookings_ytd"] / per_rep["goal_ytd"].replace(0, np.nan)

    # Time in stage: per deal, the days of its visits of an open stage that ended in the lookback.
    ended = visits[visits["next_on"].notna() & (visits["next_on"] >= lookback_start) & (visits["kind"] == "open")]
    ended = ended.merge(deals.loc[~deals["bad_dates"], ["opp_id", "rep_id"]], on="opp_id")
    per_deal = ended.groupby(["rep_id", "opp_id", "stage"], as_index=False)["days"].sum()
    per_stage = per_deal.groupby(["rep_id", "stage"])["days"].agg(days_mean="mean", days_median="median",
                                                                  days_deals="size")
    # Stage-to-win: closed qualified deals in the lookback that entered the stage, and the share won.
    entered = closed_visits[["rep_id", "opp_id", "stage"]].drop_duplicates()
    entered = entered.merge(closed[["opp_id", "state"]], on="opp_id")
    entered["won"] = entered["state"] == "won"
    stage_win = entered.groupby(["rep_id", "stage"])["won"].agg(stage_closed="size", stage_won="sum")
    stage_win["stage_win_rate"] = stage_win["stage_won"] / stage_win["stage_closed"]
    per_stage = per_stage.join(stage_win, how="outer")

    names = tables["names"]
    per_rep.index = names["rep_id"][per_rep.index]
    per_stage.index = pd.MultiIndex.from_arrays([
        names["rep_id"][per_stage.index.get_level_values("rep_id")],
        names["stage"][per_stage.index.get_level_values("stage")],
    ], names=["rep_id", "stage"])
    return {"reps": per_rep, "stages": per_stage}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of canonical CSV files")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--repeat", type=int, default=3, help="runs of load and compute (default 3)")
    parser.add_argument("--name", default=None, help="result name (default: pandas-<folder name>)")
    args = parser.parse_args()

    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import save, summary

    load_times, compute_times = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        tables = load(args.folder)
        load_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = compute(tables, args.as_of)
        compute_times.append(time.perf_counter() - started)
        del tables
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    totals = [load + compute for load, compute in zip(load_times, compute_times)]
    save(args.name or f"pandas-{args.folder.name}", {
        "pandas": pd.__version__, "as_of": args.as_of, "reps": len(result["reps"]),
        "load": summary(load_times), "compute": summary(compute_times), "total": summary(totals),
        "peak_rss_mib": round(peak_mib),
    })


if __name__ == "__main__":
    main()
