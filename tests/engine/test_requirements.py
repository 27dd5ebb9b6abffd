"""Required pipeline and required opportunities: full and remaining, and which win rate divides."""

from __future__ import annotations

from decimal import Decimal

import pytest
from engine_helpers import rep_row, run
from scenario import Scenario

from rasr.engine.rates import required_opportunities, required_pipeline
from rasr.engine.values import Figure
from rasr.store import Workspace

AS_OF = "2024-06-30"

# --- Formulas, without a database (amounts in cents) --------------------------------------


def test_pipeline_example() -> None:
    # Goal 1,000,000 at a win rate of 0.5 needs 2,000,000 of pipeline.
    pipeline = required_pipeline(Decimal(100_000_000), Figure(0.5))
    assert pipeline.value == pytest.approx(200_000_000)


def test_opportunities_example() -> None:
    # 2,000,000 of pipeline in deals of 200,000 is 10 opportunities.
    count = required_opportunities(Figure(200_000_000.0), Figure(20_000_000.0))
    assert count.value == 10


def test_opportunities_round_up() -> None:
    # 2,100,000 / 200,000 = 10.5, so 11 deals.
    assert required_opportunities(Figure(210_000_000.0), Figure(20_000_000.0)).value == 11


def test_zero_rate_not_reachable() -> None:
    pipeline = required_pipeline(Decimal(100_000_000), Figure(0.0))
    assert pipeline.value is None
    assert pipeline.reason.startswith("not reachable")


def test_no_goal_no_pipeline() -> None:
    pipeline = required_pipeline(None, Figure(0.5))
    assert pipeline.value is None
    assert pipeline.reason == "no goal"


def test_goal_met_needs_nothing() -> None:
    # The remaining form: max(goal − bookings, 0) = 0 needs no pipeline.
    assert required_pipeline(Decimal(0), Figure(0.5)).value == 0


# --- Requirements the engine reports ------------------------------------------------------


def requirement_reps() -> Scenario:
    s = Scenario()
    # 2 won and 2 lost of 200,000 in March 2024: win rates 0.5 by count and value, size 200,000.
    s.rep("rep_a", team="A", start="2020-01-01")
    for status in ("won", "won", "lost", "lost"):
        s.opp("rep_a", status, 200_000, created="2024-01-10", close="2024-03-01")
    s.quota("rep_a", "2024-01-01", "2024-12-31", 1_000_000)

    # 2 of 5 closed deals lack an amount: 40 %, over max_missing_amount_share (20 %).
    s.rep("many_missing", team="B", start="2020-01-01")
    for status, amount in (("won", 10_000), ("won", 10_000), ("won", None), ("lost", 10_000), ("lost", None)):
        s.opp("many_missing", status, amount, created="2024-01-10", close="2024-03-01")
    s.quota("many_missing", "2024-01-01", "2024-12-31", 60_000)

    # 1 of 5 closed deals lacks an amount: 20 %, not over the share.
    s.rep("one_missing", team="C", start="2020-01-01")
    for status, amount in (("won", 10_000), ("won", 10_000), ("won", 10_000), ("lost", 10_000), ("lost", None)):
        s.opp("one_missing", status, amount, created="2024-01-10", close="2024-03-01")
    s.quota("one_missing", "2024-01-01", "2024-12-31", 60_000)
    return s


def test_requirements_by_win_rate(backend: Workspace) -> None:
    result = run(backend, requirement_reps(), AS_OF)
    brief = result.brief("rep_a")
    year = brief["requirements"]["year"]
    many_missing_year = result.brief("many_missing")["requirements"]["year"]
    one_missing_year = result.brief("one_missing")["requirements"]["year"]

    # Full: 1,000,000 / 0.5 = 2,000,000 of pipeline, in 2,000,000 / 200,000 = 10 deals.
    assert year["goal"] == 1_000_000
    assert year["pipeline_full"] == pytest.approx(2_000_000)
    assert year["opportunities_full"] == 10
    # Remaining: (1,000,000 − 400,000 booked) / 0.5 = 1,200,000, in 6 deals.
    assert year["bookings"] == 400_000
    assert year["pipeline_remaining"] == pytest.approx(1_200_000)
    assert year["opportunities_remaining"] == 6
    # Each win is half of the lookback's won $ (over 25 %): flagged, with the count from the
    # median won size, 1,000,000 / (0.5 × 200,000) = 10.
    assert any("elephant" in warning for warning in brief["warnings"])
    assert year["opportunities_full_by_median_won_size"] == 10

    # Over the share, the value rate is missing and the pipeline is goal / count rate = 60,000 / (3 / 5).
    assert rep_row(result, "many_missing")["metrics"]["win_rate_value"] is None
    assert many_missing_year["pipeline_full"] == pytest.approx(100_000)
    assert any("count win rate" in note for note in many_missing_year["notes"])
    # At the share: goal / value rate = 60,000 / (30,000 / 40,000).
    assert one_missing_year["pipeline_full"] == pytest.approx(80_000)
    assert one_missing_year["notes"] == []
