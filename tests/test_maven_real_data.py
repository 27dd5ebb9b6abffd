"""The whole job on real data: the Maven CRM data set with its made-up quotas, as of 2017-06-30.

The expected figures are computed here straight from the CSV files with
plain Python, independently of the engine, following the definitions:
bookings = close_value of Won deals closed in the fiscal year to date;
goal = the annual quota pro-rated by days (181 of 365); raw count win rate
= won / (won + lost) over deals closed in the 365-day lookback; cycle =
close_date - engage_date of won deals in the lookback (exact median); open
qualified = deals engaged on or before as_of and not closed by then.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from rasr.engine.analysis import analyze
from rasr.engine.quantiles import median
from rasr.engine.settings import Settings
from rasr.importers import import_generic, import_maven
from rasr.store import open_workspace

AS_OF = dt.date(2017, 6, 30)
LOOKBACK_START = dt.date(2016, 7, 1)
YEAR_START = dt.date(2017, 1, 1)


def _expected(maven: Path, extras: Path) -> dict[str, dict]:
    quotas = {row["rep_id"]: Decimal(row["amount"]) for row in csv.DictReader(open(extras / "quotas.csv"))}
    agents = [row["sales_agent"] for row in csv.DictReader(open(maven / "sales_teams.csv"))]
    expected = {a: {"bookings": Decimal(0), "won": 0, "lost": 0, "cycles": [], "open": 0, "deals": 0} for a in agents}
    for row in csv.DictReader(open(maven / "sales_pipeline.csv")):
        agent = expected[row["sales_agent"]]
        engaged = dt.date.fromisoformat(row["engage_date"]) if row["engage_date"] else None
        closed = dt.date.fromisoformat(row["close_date"]) if row["close_date"] else None
        if engaged is None or engaged > AS_OF:
            continue
        agent["deals"] += 1
        if closed is None or closed > AS_OF:
            agent["open"] += 1
            continue
        if row["deal_stage"] == "Won" and closed >= YEAR_START:
            agent["bookings"] += Decimal(row["close_value"])
        if closed >= LOOKBACK_START:
            if row["deal_stage"] == "Won":
                agent["won"] += 1
                agent["cycles"].append((closed - engaged).days)
            else:
                agent["lost"] += 1
    for name, agent in expected.items():
        agent["goal"] = quotas[name] * 181 / 365
        agent["answer"] = ("yes" if agent["bookings"] >= agent["goal"] else "no") if agent["deals"] else "unknown"
        closed = agent["won"] + agent["lost"]
        agent["win_rate"] = agent["won"] / closed if closed else None
        agent["cycle"] = median(agent["cycles"]) if len(agent["cycles"]) >= 3 else None
    return expected


@pytest.fixture(scope="module")
def maven_result(tmp_path_factory, request):
    shared = request.getfixturevalue("shared_data")
    workspace = open_workspace(f"duckdb:///{tmp_path_factory.mktemp('maven')}/maven.duckdb")
    settings = Settings()
    import_maven(workspace, shared / "public" / "maven-crm-sales-opportunities", settings)
    import_generic(workspace, shared / "maven-extras", settings)
    result = analyze(workspace, settings=settings, as_of=AS_OF)
    expected = _expected(shared / "public" / "maven-crm-sales-opportunities", shared / "maven-extras")
    yield result.as_dict(), expected
    workspace.close()


def test_every_agent_listed(maven_result):
    team, expected = maven_result
    assert sorted(r["rep_id"] for r in team["reps"]) == sorted(expected)


def test_bookings_and_goal_ytd(maven_result):
    team, expected = maven_result
    for rep in team["reps"]:
        quota = rep["results"]["quota"]
        want = expected[rep["rep_id"]]
        assert Decimal(str(quota["bookings"])) == want["bookings"], rep["rep_id"]
        assert quota["goal"] == pytest.approx(float(want["goal"]), abs=0.005), rep["rep_id"]


def test_quota_answer(maven_result):
    team, expected = maven_result
    for rep in team["reps"]:
        assert rep["results"]["quota"]["answer"] == expected[rep["rep_id"]]["answer"], rep["rep_id"]


def test_raw_count_win_rate(maven_result):
    team, expected = maven_result
    for rep in team["reps"]:
        assert rep["metrics"]["win_rate_count_raw"] == pytest.approx(expected[rep["rep_id"]]["win_rate"]), rep["rep_id"]


def test_median_won_cycle(maven_result):
    team, expected = maven_result
    for rep in team["reps"]:
        assert rep["metrics"]["cycle_days_median"] == expected[rep["rep_id"]]["cycle"], rep["rep_id"]


def test_open_qualified_count(maven_result):
    team, expected = maven_result
    for rep in team["reps"]:
        assert rep["metrics"]["open_count"] == expected[rep["rep_id"]]["open"], rep["rep_id"]


def test_conversation_for_every_agent_with_deals(maven_result):
    team, expected = maven_result
    for rep in team["reps"]:
        if expected[rep["rep_id"]]["deals"]:
            assert rep["conversation"] is not None, (rep["rep_id"], rep["conversation_reason"])


def test_five_agents_without_deals_get_none(maven_result):
    team, expected = maven_result
    idle = [r for r in team["reps"] if not expected[r["rep_id"]]["deals"]]
    # sales_teams.csv lists five agents who own no deal at all.
    assert len(idle) == 5
    for rep in idle:
        assert rep["conversation"] is None
        assert rep["conversation_reason"] == "no data on or before as_of"


def test_json_has_no_nan(maven_result):
    team, _ = maven_result
    json.dumps(team, allow_nan=False)
