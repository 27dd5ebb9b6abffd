"""The benchmarks' pandas baseline and DuckDB query compute the same figures as the engine on a small org."""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from rasr.engine.analysis import analyze
from rasr.engine.settings import Settings
from rasr.importers import import_generic
from rasr.store import open_workspace

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import duckdb_reference  # noqa: E402
import make_org  # noqa: E402
import pandas_baseline  # noqa: E402

AS_OF = dt.date(2025, 12, 31)

# Engine metric of each rep's team row -> baseline column.
REP_METRICS = {
    "won_count": "won_count",
    "lost_count": "lost_count",
    "closed_count": "closed_count",
    "won_amount": "won_amount",
    "win_rate_count_raw": "win_rate_count_raw",
    "win_rate_value_raw": "win_rate_value_raw",
    "opportunity_size_raw": "opportunity_size_raw",
    "won_deal_size_mean": "won_deal_size_mean",
    "won_deal_size_median": "won_deal_size_median",
    "cycle_days_median": "cycle_days_median",
    "cycle_days_mean": "cycle_days_mean",
    "cycle_days_median_lost": "cycle_days_median_lost",
    "team_cycle_days_median": "team_cycle_days_median",
    "open_count": "open_count",
    "open_amount": "open_amount",
    "open_count_active": "open_count_active",
    "open_amount_active": "open_amount_active",
}
# Engine figure of each stage row of a brief -> baseline column.
STAGE_METRICS = {
    "rep_days_mean": "days_mean",
    "rep_days_median": "days_median",
    "stage_win_rate": "stage_win_rate",
    "stage_closed": "stage_closed",
}


def _number(value) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _same(engine_value, baseline_value) -> bool:
    """Equal within a cent's rounding, both missing counting as equal (missing and zero are not)."""
    left, right = _number(engine_value), _number(baseline_value)
    if left is None or right is None:
        return left is None and right is None
    return math.isclose(left, right, rel_tol=1e-9, abs_tol=0.006)


@pytest.fixture(scope="module")
def small_org(tmp_path_factory) -> tuple[dict, dict, pd.DataFrame]:
    """The engine's analysis, the pandas baseline's and the DuckDB query's results on one 24-rep org."""
    folder = tmp_path_factory.mktemp("org")
    make_org.make_org(folder, opportunities=6_000, reps=24, seed=7)
    workspace = open_workspace(f"duckdb:///{tmp_path_factory.mktemp('ws') / 'org.duckdb'}")
    import_generic(workspace, folder, Settings())
    analysis = analyze(workspace, settings=Settings(), as_of=AS_OF)
    engine = {
        "reps": {row["rep_id"]: row for row in analysis.as_dict()["reps"]},
        "stages": {rep_id: analysis.brief(rep_id)["speed"]["stages"] for rep_id in analysis.rep_results},
    }
    baseline = pandas_baseline.compute(pandas_baseline.load(folder), AS_OF)
    workspace.close()
    connection = duckdb.connect()
    duckdb_reference.load(connection, folder)
    query = duckdb_reference.compute(connection, AS_OF).set_index("rep_id")
    connection.close()
    return engine, baseline, query


def test_baseline_covers_every_rep(small_org):
    engine, baseline, _query = small_org
    assert sorted(engine["reps"]) == sorted(baseline["reps"].index)


@pytest.mark.parametrize("metric", sorted(REP_METRICS))
def test_rep_metric_matches_engine(small_org, metric):
    engine, baseline, _query = small_org
    column = REP_METRICS[metric]
    differing = {
        rep_id: (row["metrics"][metric], baseline["reps"].at[rep_id, column])
        for rep_id, row in engine["reps"].items()
        if not _same(row["metrics"][metric], baseline["reps"].at[rep_id, column])
    }
    assert differing == {}


def test_year_to_date_results_match_engine(small_org):
    engine, baseline, _query = small_org
    for rep_id, row in engine["reps"].items():
        quota = row["results"]["quota"]
        assert _same(quota["bookings"], baseline["reps"].at[rep_id, "bookings_ytd"]), rep_id
        assert _same(quota["goal"], baseline["reps"].at[rep_id, "goal_ytd"]), rep_id
        assert _same(quota["attainment"], baseline["reps"].at[rep_id, "attainment_ytd"]), rep_id


@pytest.mark.parametrize("figure", sorted(STAGE_METRICS))
def test_stage_figure_matches_engine(small_org, figure):
    engine, baseline, _query = small_org
    column = STAGE_METRICS[figure]
    stages = baseline["stages"]
    differing = {}
    for rep_id, rows in engine["stages"].items():
        for row in rows:
            key = (rep_id, row["stage"])
            expected = stages.at[key, column] if key in stages.index else None
            if figure == "stage_closed" and expected is None:
                expected = 0
            if not _same(row[figure], expected):
                differing[key] = (row[figure], expected)
    assert differing == {}


@pytest.mark.parametrize("metric", sorted(REP_METRICS) + ["bookings_ytd", "goal_ytd", "attainment_ytd"])
def test_duckdb_query_matches_baseline(small_org, metric):
    _engine, baseline, query = small_org
    column = REP_METRICS.get(metric, metric)
    differing = {
        rep_id: (query.at[rep_id, column], baseline["reps"].at[rep_id, column])
        for rep_id in baseline["reps"].index
        if not _same(query.at[rep_id, column], baseline["reps"].at[rep_id, column])
    }
    assert differing == {}
