"""One hand-written DuckDB query of the pandas baseline's per-rep metrics, the second reference.

The query reads the canonical CSV files into tables, then computes the
same figures as benchmarks/pandas_baseline.py in one statement (stage
durations and stage-to-win rates excepted, which the pandas baseline also
reports per stage). It is timed twice: from the CSV files (load and
query) and over the loaded tables (query only).

    .venv/bin/python benchmarks/duckdb_reference.py /tmp/rasr-bench/org-1m --as-of 2025-12-31
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import duckdb

LOAD = """
CREATE OR REPLACE TABLE opportunities AS SELECT * FROM read_csv('{folder}/opportunities.csv');
CREATE OR REPLACE TABLE stage_changes AS SELECT * FROM read_csv('{folder}/stage_changes.csv');
CREATE OR REPLACE TABLE stages AS SELECT * FROM read_csv('{folder}/stages.csv');
CREATE OR REPLACE TABLE reps AS SELECT * FROM read_csv('{folder}/reps.csv');
CREATE OR REPLACE TABLE quotas AS SELECT * FROM read_csv('{folder}/quotas.csv');
"""

METRICS = """
WITH params AS (
    SELECT DATE '{as_of}' AS as_of, DATE '{as_of}' - INTERVAL ({lookback} - 1) DAY AS lb_start,
           date_trunc('year', DATE '{as_of}')::DATE AS year_start
),
changes AS (
    SELECT c.opp_id, c.stage, c.entered_at::DATE AS entered_on, s.position, s.is_qualified, s.kind,
           lag(c.stage) OVER (PARTITION BY c.opp_id ORDER BY c.entered_at, s.position) AS previous_stage
    FROM stage_changes c LEFT JOIN stages s USING (stage), params
    WHERE c.entered_at::DATE <= params.as_of
),
visits AS (
    SELECT *, lead(entered_on) OVER (PARTITION BY opp_id ORDER BY entered_on, position) AS next_on
    FROM changes WHERE previous_stage IS NULL OR previous_stage <> stage
),
summary AS (
    SELECT opp_id, min(entered_on) AS first_on, min(entered_on) FILTER (WHERE is_qualified) AS first_qualified_on,
           any_value(stage) FILTER (WHERE next_on IS NULL) AS last_stage,
           any_value(entered_on) FILTER (WHERE next_on IS NULL) AS last_entered_on,
           any_value(kind) FILTER (WHERE next_on IS NULL) AS last_kind
    FROM visits GROUP BY opp_id
),
states AS (
    SELECT o.opp_id, o.rep_id, r.team, r.start_date, o.created_on, o.close_on, s.first_on, s.first_qualified_on,
           s.last_stage, s.last_entered_on, CASE WHEN o.amount > 0 THEN o.amount END AS amount,
           CASE WHEN lower(o.status) IN ('won', 'lost') AND o.close_on <= p.as_of THEN lower(o.status)
                WHEN s.last_kind IN ('won', 'lost') THEN s.last_kind ELSE 'open' END AS state,
           CASE WHEN lower(o.status) IN ('won', 'lost') AND o.close_on <= p.as_of THEN o.close_on
                WHEN s.last_kind IN ('won', 'lost') THEN s.last_entered_on END AS closed_on,
           least(o.created_on, s.first_on,
                 CASE WHEN lower(o.status) IN ('won', 'lost') THEN o.close_on END) AS created_eff
    FROM opportunities o LEFT JOIN summary s USING (opp_id) LEFT JOIN reps r USING (rep_id), params p
),
deals AS (
    SELECT q.*, qualified_on IS NOT NULL AND qualified_on <= as_of AS is_qualified,
           state IN ('won', 'lost') AND closed_on BETWEEN lb_start AND as_of AS closed_in_lookback,
           CASE WHEN NOT bad_dates THEN date_diff('day', qualified_on, closed_on) END AS cycle_days,
           CASE WHEN state = 'open' THEN date_diff('day', last_entered_on, as_of) END AS stage_age_days
    FROM (
        SELECT *,
               CASE WHEN state = 'won' THEN least(base_qualified_on, closed_on) ELSE base_qualified_on END
                   AS qualified_on,
               coalesce(close_on < created_on, FALSE) OR coalesce(closed_on < first_qualified_on, FALSE) AS bad_dates
        FROM (SELECT *, CASE WHEN first_on IS NOT NULL THEN first_qualified_on ELSE created_eff END
                            AS base_qualified_on FROM states)
    ) q, params
    WHERE created_eff <= as_of
),
closed AS (SELECT * FROM deals WHERE is_qualified AND closed_in_lookback),
to_close AS (
    SELECT c.rep_id, c.team, v.stage, date_diff('day', max(v.entered_on), max(c.closed_on)) AS days
    FROM closed c JOIN visits v USING (opp_id)
    WHERE v.kind = 'open' AND NOT c.bad_dates
    GROUP BY c.rep_id, c.team, c.opp_id, v.stage
),
rep_p90 AS (
    SELECT rep_id, stage, count(*) AS n, quantile_disc(days, 0.9) AS p90 FROM to_close GROUP BY rep_id, stage
),
team_p90 AS (SELECT team, stage, quantile_disc(days, 0.9) AS p90 FROM to_close GROUP BY team, stage),
open_deals AS (
    SELECT d.rep_id, d.amount,
           coalesce(d.stage_age_days > CASE WHEN rp.n >= {min_deals} THEN rp.p90 ELSE tp.p90 END, FALSE) AS stale
    FROM deals d
    LEFT JOIN rep_p90 rp ON rp.rep_id = d.rep_id AND rp.stage = d.last_stage
    LEFT JOIN team_p90 tp ON tp.team = d.team AND tp.stage = d.last_stage
    WHERE d.is_qualified AND d.state = 'open'
),
open_sums AS (
    SELECT rep_id, count(*) AS open_count, coalesce(sum(amount), 0) AS open_amount,
           count(*) FILTER (WHERE NOT stale) AS open_count_active,
           coalesce(sum(amount) FILTER (WHERE NOT stale), 0) AS open_amount_active
    FROM open_deals GROUP BY rep_id
),
closed_sums AS (
    SELECT rep_id,
           count(*) FILTER (WHERE state = 'won') AS won_count,
           count(*) FILTER (WHERE state = 'lost') AS lost_count,
           coalesce(sum(amount) FILTER (WHERE state = 'won'), 0) AS won_amount,
           sum(amount) AS closed_amount, count(amount) AS closed_with_amount,
           avg(amount) FILTER (WHERE state = 'won') AS won_deal_size_mean,
           median(amount) FILTER (WHERE state = 'won') AS won_deal_size_median,
           count(cycle_days) FILTER (WHERE state = 'won') AS cycle_won_n,
           avg(cycle_days) FILTER (WHERE state = 'won') AS cycle_days_mean,
           median(cycle_days) FILTER (WHERE state = 'won') AS cycle_days_median_all,
           median(cycle_days) FILTER (WHERE state = 'lost') AS cycle_days_median_lost
    FROM closed GROUP BY rep_id
),
team_cycle AS (SELECT team, median(cycle_days) AS team_cycle_days_median FROM closed WHERE state = 'won' GROUP BY team),
bookings AS (
    SELECT rep_id, sum(amount) AS bookings_ytd FROM deals, params
    WHERE state = 'won' AND closed_on BETWEEN year_start AND as_of AND NOT coalesce(closed_on < start_date, FALSE)
    GROUP BY rep_id
),
goals AS (
    SELECT q.rep_id,
           sum(q.amount * greatest(date_diff('day', greatest(q.starts_on, r.start_date, p.year_start),
                                                  least(q.ends_on, p.as_of)) + 1, 0)
               / (date_diff('day', q.starts_on, q.ends_on) + 1)) AS goal_ytd
    FROM quotas q LEFT JOIN reps r USING (rep_id), params p GROUP BY q.rep_id
)
SELECT r.rep_id, r.team,
       coalesce(c.won_count, 0) AS won_count, coalesce(c.lost_count, 0) AS lost_count,
       coalesce(c.won_count + c.lost_count, 0) AS closed_count, coalesce(c.won_amount, 0) AS won_amount,
       c.won_count / nullif(c.won_count + c.lost_count, 0) AS win_rate_count_raw,
       c.won_amount / nullif(c.closed_amount, 0) AS win_rate_value_raw,
       c.closed_amount / nullif(c.closed_with_amount, 0) AS opportunity_size_raw,
       c.won_deal_size_mean, c.won_deal_size_median, c.cycle_days_mean,
       CASE WHEN c.cycle_won_n >= {min_deals} THEN c.cycle_days_median_all END AS cycle_days_median,
       c.cycle_days_median_lost, t.team_cycle_days_median,
       coalesce(o.open_count, 0) AS open_count, coalesce(o.open_amount, 0) AS open_amount,
       coalesce(o.open_count_active, 0) AS open_count_active,
       coalesce(o.open_amount_active, 0) AS open_amount_active,
       coalesce(b.bookings_ytd, 0) AS bookings_ytd, g.goal_ytd,
       coalesce(b.bookings_ytd, 0) / nullif(g.goal_ytd, 0) AS attainment_ytd
FROM reps r
LEFT JOIN closed_sums c USING (rep_id)
LEFT JOIN team_cycle t USING (team)
LEFT JOIN open_sums o USING (rep_id)
LEFT JOIN bookings b USING (rep_id)
LEFT JOIN goals g USING (rep_id)
ORDER BY r.rep_id
"""


def load(connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
    connection.execute(LOAD.format(folder=folder))


def compute(connection: duckdb.DuckDBPyConnection, as_of: dt.date, *, lookback_days: int = 365,
            min_deals: int = 3):
    """Run the metrics query over the loaded tables; return the per-rep result as a pandas DataFrame."""
    sql = METRICS.format(as_of=as_of.isoformat(), lookback=lookback_days, min_deals=min_deals)
    return connection.execute(sql).df()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of canonical CSV files")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--repeat", type=int, default=3, help="runs of load and query (default 3)")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import save, summary

    load_times, compute_times = [], []
    for _ in range(args.repeat):
        connection = duckdb.connect()
        started = time.perf_counter()
        load(connection, args.folder)
        load_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = compute(connection, args.as_of)
        compute_times.append(time.perf_counter() - started)
        connection.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    totals = [load + compute for load, compute in zip(load_times, compute_times)]
    save(f"duckdb-sql-{args.folder.name}", {
        "duckdb": duckdb.__version__, "as_of": args.as_of, "reps": len(result),
        "load": summary(load_times), "compute": summary(compute_times), "total": summary(totals),
        "peak_rss_mib": round(peak_mib),
    })


if __name__ == "__main__":
    main()
