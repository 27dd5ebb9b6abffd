"""Goals pro-rated from quota rows by calendar days, and attainment on partly covered spans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from engine_helpers import analyze_on, rep_row
from scenario import Scenario

from rasr.engine.goals import GoalRow, goal_for_span
from rasr.engine.periods import Span
from rasr.engine.settings import Settings
from rasr.store import Workspace


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def span(start: str, end: str) -> Span:
    return Span(d(start), d(end))


# Amounts in cents. 91,000.00 over 2024-01-01..2024-03-31, 91 days: 1,000.00 a day.
Q1_ROW = GoalRow(d("2024-01-01"), d("2024-03-31"), 9_100_000)
MARCH_APRIL = [GoalRow(d("2024-03-01"), d("2024-03-31"), 4_000_000),
               GoalRow(d("2024-04-01"), d("2024-04-30"), 4_000_000)]


# --- Pro-rating, without a database -------------------------------------------------------


def test_prorate_by_days() -> None:
    goal = goal_for_span([Q1_ROW], span("2024-02-01", "2024-02-29"), Settings())
    # 91,000 × 29 / 91 days of February 2024.
    assert goal.amount == Decimal(2_900_000)
    assert goal.coverage == 1.0


def test_prorate_from_start_date() -> None:
    goal = goal_for_span([Q1_ROW], span("2024-02-01", "2024-02-29"), Settings(), start_date=d("2024-02-15"))
    # Only 15..29 February, 15 days, fall after the rep's start date: 15 × 1,000.
    assert goal.amount == Decimal(1_500_000)


def test_prorate_to_end_date() -> None:
    goal = goal_for_span([Q1_ROW], span("2024-02-01", "2024-02-29"), Settings(), end_date=d("2024-02-10"))
    # 1..10 February: 10 × 1,000.
    assert goal.amount == Decimal(1_000_000)


def test_uncovered_days_missing() -> None:
    goal = goal_for_span(MARCH_APRIL, span("2024-01-01", "2024-04-30"), Settings())
    # March and April are covered, 31 + 30 = 61 of the 31 + 29 + 31 + 30 = 121 days.
    assert goal.amount == Decimal(8_000_000)
    assert goal.covered_days == 61
    assert goal.span.days == 121
    assert goal.uncovered == (span("2024-01-01", "2024-02-29"),)
    assert len(goal.warnings) == 1
    assert "2024-01-01..2024-02-29" in goal.warnings[0]
    assert "missing, not zero" in goal.warnings[0]


def test_no_row_goal_missing() -> None:
    goal = goal_for_span(MARCH_APRIL, span("2024-01-01", "2024-02-29"), Settings())
    assert goal.amount is None
    assert goal.coverage == 0.0


def test_zero_row_goal_zero() -> None:
    goal = goal_for_span([GoalRow(d("2024-01-01"), d("2024-12-31"), 0)], span("2024-03-01", "2024-03-31"), Settings())
    # A row of 0 is a goal of 0, which the quota question reports as "zero quota".
    assert goal.amount == Decimal(0)
    assert goal.coverage == 1.0


def test_horizon_assumes_latest_rate() -> None:
    goal = goal_for_span([Q1_ROW], span("2024-03-22", "2024-04-10"), Settings(), assume_uncovered=True)
    # 22..31 March are 10 covered days at 1,000, and 1..10 April take Q1's daily rate, 10 × 1,000.
    assert goal.amount == Decimal(2_000_000)
    assert goal.assumed_days == 10
    assert "assumed" in goal.warnings[0]


def test_seasonality_spreads_year() -> None:
    # January weighs 2, every other month 1: 130,000 / 13 = 10,000 a weight.
    settings = Settings(seasonality=(2,) + (1,) * 11)
    year = GoalRow(d("2024-01-01"), d("2024-12-31"), 13_000_000)
    january = goal_for_span([year], span("2024-01-01", "2024-01-31"), settings)
    february = goal_for_span([year], span("2024-02-01", "2024-02-29"), settings)
    # The weight shares are Decimal quotients such as 2 / 13, exact to 28 digits.
    assert january.amount == pytest.approx(Decimal(2_000_000))
    assert february.amount == pytest.approx(Decimal(1_000_000))


def test_overlap_both_ends_inclusive() -> None:
    goal = goal_for_span(MARCH_APRIL, span("2024-03-31", "2024-04-01"), Settings())
    # One day of each row: 40,000 / 31 + 40,000 / 30, in cents.
    assert goal.amount == pytest.approx(Decimal(4_000_000) / 31 + Decimal(4_000_000) / 30)


# --- Attainment the engine reports --------------------------------------------------------


def monthly_quota() -> Scenario:
    """Build quotas for March and April 2024 only, and wins in March 2023, March 2024 and April 2024."""
    s = Scenario().rep("rep_a", start="2020-01-01")
    s.quota("rep_a", "2024-03-01", "2024-03-31", 40_000)
    s.quota("rep_a", "2024-04-01", "2024-04-30", 40_000)
    s.opp("rep_a", "won", 50_000, created="2023-02-01", close="2023-03-15")
    s.opp("rep_a", "won", 20_000, created="2024-02-01", close="2024-03-10")
    s.opp("rep_a", "won", 5_000, created="2024-02-01", close="2024-04-01")
    return s


@pytest.mark.spark
def test_march_attainment(backend: Workspace) -> None:
    monthly_quota().save(backend)
    result = analyze_on(backend, "2024-03-31")
    month = result.brief("rep_a")["requirements"]["month"]
    quota = rep_row(result, "rep_a")["results"]["quota"]

    # March 2024: 20,000 / 40,000 = 50 %. The 50,000 of March 2023 is another year
    # (counting it would give 70,000 / 40,000 = 175 %).
    assert month["goal"] == 40_000
    assert month["bookings"] == 20_000
    # Year to date 2024-01-01..2024-03-31 is covered only in March, 31 of 91 days, so the
    # quota question compares the same 20,000 with the same 40,000.
    assert quota["attainment"] == pytest.approx(0.5)
    assert quota["coverage"] == pytest.approx(31 / 91)


def test_april_and_ytd(backend: Workspace) -> None:
    monthly_quota().save(backend)
    result = analyze_on(backend, "2024-04-30")
    month = result.brief("rep_a")["requirements"]["month"]
    quota = rep_row(result, "rep_a")["results"]["quota"]
    warnings = result.brief("rep_a")["warnings"]

    # April 2024: 5,000 / 40,000 = 12.5 %.
    assert month["goal"] == 40_000
    assert month["bookings"] == 5_000
    assert month["bookings"] / month["goal"] == pytest.approx(0.125)

    # Year to date 2024-01-01..2024-04-30: goal 40,000 + 40,000, bookings 20,000 + 5,000.
    assert quota["goal"] == 80_000
    assert quota["bookings"] == 25_000
    assert quota["attainment"] == pytest.approx(25_000 / 80_000)
    # Covered: March and April, 61 of 121 days.
    assert quota["coverage"] == pytest.approx(61 / 121)
    # January and February have no quota: reported as missing, not as a goal of 0.
    gap_warnings = [w for w in warnings if "2024-01-01..2024-02-29" in w]
    assert len(gap_warnings) == 1
    assert "missing, not zero" in gap_warnings[0]
