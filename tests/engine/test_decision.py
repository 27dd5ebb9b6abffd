"""The RASR decision: every branch of the routing, alone and through the whole engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from engine_helpers import run
from scenario import Scenario

from rasr.engine.decision import (
    HOW_GOOD, TUNE_DEALS, TUNE_ENGINE, Answer, Driver, answer_goal, route,
)
from rasr.store import Workspace

# --- Routing, without a database ----------------------------------------------------------

YES = Answer("yes", Decimal(200), Decimal(100))
NO = Answer("no", Decimal(50), Decimal(100))
UNKNOWN = Answer("unknown", reason="no personal goal recorded")
PASSING = [Driver("start_enough", 10, 8, True), Driver("with_enough", 900, 800, True),
           Driver("fast_enough", 30, 40, True)]


def routed(*, ramping: bool = False, quota: Answer = NO, aspiration: Answer = UNKNOWN, outlook: Answer = YES,
           active: int = 5, drivers: list[Driver] = PASSING):
    return route(ramping=ramping, start_date=dt.date(2024, 5, 1), quota=quota, aspiration=aspiration,
                 outlook=outlook, active_in_lookback=active, drivers=drivers, ramp_days=90)


def test_route_ramping_first() -> None:
    # Ramping comes before every other check, even an unknown quota.
    routing = routed(ramping=True, quota=Answer("unknown", reason="zero quota"), active=0)
    assert routing.conversation is None
    assert routing.reason.startswith("ramping")


@pytest.mark.parametrize("reason", ["no quota for the period", "zero quota", "no data on or before as_of"])
def test_route_quota_unknown(reason: str) -> None:
    routing = routed(quota=Answer("unknown", reason=reason), active=0)
    assert routing.conversation is None
    assert routing.reason == reason


def test_route_no_activity() -> None:
    routing = routed(quota=YES, active=0)
    assert routing.conversation is None
    assert routing.reason.startswith("no activity in lookback")


def test_route_how_good() -> None:
    # Quota yes and every known answer yes. An unknown aspiration or outlook does not block it.
    assert routed(quota=YES, aspiration=UNKNOWN, outlook=YES).conversation == HOW_GOOD
    assert routed(quota=YES, aspiration=YES, outlook=Answer("unknown", reason="no win rate")).conversation == HOW_GOOD


def test_route_aspiration_no_not_top() -> None:
    assert routed(quota=YES, aspiration=NO, outlook=YES).conversation == TUNE_DEALS


def test_route_outlook_no_not_top() -> None:
    assert routed(quota=YES, outlook=NO).conversation == TUNE_DEALS


def test_route_tune_deals() -> None:
    routing = routed(quota=NO)
    assert routing.conversation == TUNE_DEALS
    assert routing.ranked_gaps == []


def test_route_engine_ranks_gaps() -> None:
    drivers = [
        # (need − have) / need = (10 − 6) / 10.
        Driver("start_enough", 6, 10, False),
        # (1,000 − 800) / 1,000.
        Driver("with_enough", 800, 1_000, False),
        # (median − threshold) / threshold = (30 − 20) / 20.
        Driver("fast_enough", 30, 20, False),
    ]
    routing = routed(drivers=drivers)
    assert routing.conversation == TUNE_ENGINE
    assert [name for name, _ in routing.ranked_gaps] == ["fast_enough", "start_enough", "with_enough"]
    assert [gap for _, gap in routing.ranked_gaps] == pytest.approx([0.5, 0.4, 0.2])


def test_route_failing_beats_unknown() -> None:
    drivers = [Driver("start_enough", 6, 10, False), Driver("with_enough", 900, 800, True),
               Driver("fast_enough", None, 40, None, "no won deals with a cycle time")]
    routing = routed(drivers=drivers)
    assert routing.conversation == TUNE_ENGINE
    assert [name for name, _ in routing.ranked_gaps] == ["start_enough"]


def test_route_not_enough_history() -> None:
    drivers = [Driver("start_enough", 10, 8, True), Driver("with_enough", 900, 800, True),
               Driver("fast_enough", None, 40, None, "fewer than min_deals (3) won deals with a cycle time: 2")]
    routing = routed(drivers=drivers)
    assert routing.conversation is None
    assert routing.reason.startswith("not enough history")


def test_answer_goal_met_at_equal() -> None:
    assert answer_goal(Decimal(100), Decimal(100), no_goal_reason="no quota").answer == "yes"


# --- Routing through the engine -----------------------------------------------------------

AS_OF = "2024-06-30"
# With the fiscal year from January: year to date is 182 of 366 days, the horizon 90 days.
# An annual quota of 73,200 makes the YTD goal 36,400 and the horizon goal 18,000.
ANNUAL = 73_200


def closed(s: Scenario, rep_id: str, won: int, lost: int, *, created: str = "2024-01-01") -> None:
    """Add deals of 10,000 closed on 1 March, which from 1 January is a 60-day cycle."""
    for _ in range(won):
        s.opp(rep_id, "won", 10_000, created=created, close="2024-03-01")
    for _ in range(lost):
        s.opp(rep_id, "lost", 10_000, created=created, close="2024-03-01")


def opened(s: Scenario, rep_id: str, count: int, amount: float) -> None:
    for _ in range(count):
        s.opp(rep_id, "open", amount, created="2024-05-01", close="2024-09-30")


def routing_reps() -> Scenario:
    """Build one rep per routing branch, each alone in its team except slow_engine and its fast teammate."""
    s = Scenario()
    s.rep("ramping", team="ramping", start="2024-05-01")
    closed(s, "ramping", 1, 0, created="2024-05-02")

    s.rep("no_quota", team="no_quota", start="2020-01-01")
    closed(s, "no_quota", 3, 3)

    s.rep("zero_quota", team="zero_quota", start="2020-01-01")
    closed(s, "zero_quota", 3, 3)
    s.quota("zero_quota", "2024-01-01", "2024-12-31", 0)

    s.rep("no_data", team="no_data", start="2020-01-01")
    s.quota("no_data", "2024-01-01", "2024-12-31", ANNUAL)

    # Its one deal closed on 15 January 2023, before the lookback (2023-07-02..2024-06-30).
    s.rep("inactive", team="inactive", start="2020-01-01")
    s.opp("inactive", "won", 10_000, created="2022-12-01", close="2023-01-15")
    s.quota("inactive", "2024-01-01", "2024-12-31", ANNUAL)

    # Booked 30,000 against a YTD goal of 18,200 (annual 36,600), and 100,000 open at a win rate of 1.
    s.rep("top", team="top", start="2020-01-01")
    closed(s, "top", 3, 0)
    opened(s, "top", 1, 100_000)
    s.quota("top", "2024-01-01", "2024-12-31", 36_600)

    # Booked 30,000 < 36,400. Value win rate 0.5 and size 10,000, so the horizon goal of
    # 18,000 needs 36,000 of pipeline in 4 deals: 4 open deals of 10,000 pass both.
    s.rep("deals", team="deals", start="2020-01-01")
    closed(s, "deals", 3, 3)
    opened(s, "deals", 4, 10_000)
    s.quota("deals", "2024-01-01", "2024-12-31", ANNUAL)

    # As "deals", with one open deal of 27,000, and slow: 120-day cycles against a
    # teammate's 30-day ones.
    s.rep("slow_engine", team="engine", start="2020-01-01")
    closed(s, "slow_engine", 3, 3, created="2023-11-02")
    opened(s, "slow_engine", 1, 27_000)
    s.quota("slow_engine", "2024-01-01", "2024-12-31", ANNUAL)
    s.rep("fast_mate", team="engine", start="2020-01-01")
    closed(s, "fast_mate", 3, 3, created="2024-01-31")

    # As "deals" with 2 won and 2 lost: fewer than min_deals (3) won deals for a cycle time.
    s.rep("history", team="history", start="2020-01-01")
    closed(s, "history", 2, 2)
    opened(s, "history", 4, 10_000)
    s.quota("history", "2024-01-01", "2024-12-31", ANNUAL)

    # Quota yes (30,000 >= 18,200) but aspiration no (30,000 < 72,800, annual 146,400).
    s.rep("aspiring", team="aspiring", start="2020-01-01")
    closed(s, "aspiring", 3, 3)
    opened(s, "aspiring", 5, 10_000)
    s.quota("aspiring", "2024-01-01", "2024-12-31", 36_600)
    s.aspiration("aspiring", "2024-01-01", "2024-12-31", 146_400)
    return s


@pytest.mark.spark
def test_engine_routes_every_branch(backend: Workspace) -> None:
    result = run(backend, routing_reps(), AS_OF)
    rows = {row["rep_id"]: row for row in result.as_dict()["reps"]}
    conversations = {rep_id: row["conversation"] for rep_id, row in rows.items()}
    reasons = {rep_id: row["conversation_reason"] for rep_id, row in rows.items()}

    assert conversations == {
        "ramping": None, "no_quota": None, "zero_quota": None, "no_data": None, "inactive": None,
        "top": HOW_GOOD, "deals": TUNE_DEALS, "slow_engine": TUNE_ENGINE, "fast_mate": None,
        "history": None, "aspiring": TUNE_ENGINE,
    }
    assert reasons["ramping"].startswith("ramping")
    assert reasons["no_quota"] == "no quota for the period"
    assert reasons["zero_quota"] == "zero quota"
    assert reasons["no_data"] == "no data on or before as_of"
    assert reasons["inactive"].startswith("no activity in lookback")
    assert reasons["history"].startswith("not enough history")


def test_engine_gaps_and_need(backend: Workspace) -> None:
    result = run(backend, routing_reps(), AS_OF)
    slow = result.brief("slow_engine")
    gaps = {item["driver"]: item["gap"] for item in slow["process"]["ranked_gaps"]}
    aspiring = result.brief("aspiring")["process"]

    # Count: 1 open of 4 needed, (4 − 1) / 4.
    assert gaps["start_enough"] == pytest.approx(0.75)
    # Amount: 27,000 of 36,000 needed, (36,000 − 27,000) / 36,000.
    assert gaps["with_enough"] == pytest.approx(0.25)
    # Cycle: the team median of 30, 30, 30, 120, 120, 120 days is 75, so the threshold is
    # 75 × 1.25 + 7 = 100.75 and the gap (120 − 100.75) / 100.75.
    assert slow["speed"]["threshold_days"] == pytest.approx(100.75)
    assert gaps["fast_enough"] == pytest.approx(19.25 / 100.75)
    assert list(gaps) == ["start_enough", "with_enough", "fast_enough"]
    # The suggested goal closes the largest gap, the count, with activities.
    assert slow["goal_suggestion"]["focus"] == "activities"
    assert slow["goal_suggestion"]["metric"] == "open_count_active"

    # Horizon goals: quota 36,600 × 90 / 366 = 9,000, aspiration 146,400 × 90 / 366 = 36,000.
    assert aspiring["quota_horizon_goal"] == pytest.approx(9_000)
    assert aspiring["aspiration_horizon_goal"] == pytest.approx(36_000)
    # Behind on the aspiration, so the need uses its larger goal: 36,000 / 0.5 = 72,000 of
    # pipeline in ceil(72,000 / 10,000) = 8 deals, against 5 open deals of 10,000.
    assert aspiring["need_goal"] == pytest.approx(36_000)
    assert aspiring["with_enough"]["need"] == pytest.approx(72_000)
    assert aspiring["start_enough"]["need"] == 8
