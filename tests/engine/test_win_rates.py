"""Win rates by count and by value: closed qualified deals only, open deals never in the denominator."""

from __future__ import annotations

import pytest
from engine_helpers import rep_row, run
from scenario import Scenario

from rasr.engine.rates import Pool, blend
from rasr.engine.settings import Settings
from rasr.store import Workspace

AS_OF = "2024-06-30"


def test_open_deals_not_in_rates(backend: Workspace) -> None:
    s = Scenario().rep("rep_a", start="2020-01-01")
    for amount in (5_000, 7_000, 8_000):
        s.opp("rep_a", "won", amount, created="2024-01-10", close="2024-03-01")
    for amount in (10_000, 20_000):
        s.opp("rep_a", "lost", amount, created="2024-01-10", close="2024-03-01")
    for amount in (20_000, 30_000):
        s.opp("rep_a", "open", amount, created="2024-01-10", close="2024-09-01")

    metrics = rep_row(run(backend, s, AS_OF), "rep_a")["metrics"]

    # By count: 3 won / (3 won + 2 lost) = 0.6, not 3 / 7 with the open deals.
    assert metrics["win_rate_count_raw"] == pytest.approx(0.6)
    # By value: won 5k + 7k + 8k = 20k of closed 20k + 10k + 20k = 50k, so 0.4,
    # not 20k / 100k with the 50k open.
    assert metrics["win_rate_value_raw"] == pytest.approx(0.4)


@pytest.mark.spark
def test_rates_count_only_valid_deals(backend: Workspace) -> None:
    s = Scenario()
    # A lost deal of $0 is a closed deal without an amount.
    s.rep("zero_amount", team="A", start="2020-01-01")
    for amount in (5_000, 7_000, 8_000):
        s.opp("zero_amount", "won", amount, created="2024-01-10", close="2024-03-01")
    for amount in (10_000, 20_000, 0):
        s.opp("zero_amount", "lost", amount, created="2024-01-10", close="2024-03-01")

    s.rep("lookback", team="B", start="2020-01-01")
    s.opp("lookback", "won", 1_000, created="2024-01-10", close="2024-03-01")
    s.opp("lookback", "lost", 1_000, created="2024-01-10", close="2024-03-01")
    # The 365-day lookback ending 2024-06-30 starts on 2023-07-02, so these two stay out.
    s.opp("lookback", "lost", 1_000, created="2023-05-01", close="2023-07-01")
    s.opp("lookback", "lost", 1_000, created="2022-05-01", close="2022-07-01")
    # Still in Prospect, an unqualified stage, on as_of: open but not qualified.
    s.opp("lookback", "open", 9_000, created="2024-01-10", close="2024-09-01", stage="Prospect")

    result = run(backend, s, AS_OF)
    zero_amount = rep_row(result, "zero_amount")["metrics"]
    lookback = rep_row(result, "lookback")["metrics"]

    # The $0 deal counts in the count rate, 3 / 6 = 0.5, and stays out of the
    # value rate, 20k / 50k = 0.4.
    assert zero_amount["win_rate_count_raw"] == pytest.approx(0.5)
    assert zero_amount["win_rate_value_raw"] == pytest.approx(0.4)
    # Opportunity size is the mean over the 5 closed deals with an amount: 50k / 5.
    assert zero_amount["opportunity_size"] == pytest.approx(10_000)

    # 1 won / 2 closed in the lookback.
    assert lookback["win_rate_count_raw"] == pytest.approx(0.5)
    assert lookback["closed_count"] == 2
    # Open pipeline contains qualified deals only.
    assert lookback["open_count"] == 0


# --- Blending formula, without a database -------------------------------------------------

# Amounts in cents. Rep: 1 won of 4 closed, won 100 of closed 400, all with an amount.
REP_POOL = Pool(won=1, lost=3, won_amount=100, closed_amount=400, closed_with_amount=4, won_with_amount=1)
# Team: 6 won of 10 closed (V_c = 0.6), won 600 of 2,000 (V_v = 0.3), mean size S = 2,000 / 10 = 200.
TEAM_POOL = Pool(won=6, lost=4, won_amount=600, closed_amount=2_000, closed_with_amount=10, won_with_amount=6)


def test_blend_count_k5() -> None:
    rates = blend(REP_POOL, TEAM_POOL, Settings(win_rate_prior_weight=5))
    # (won + k·V_c) / (closed + k) = (1 + 5 × 0.6) / (4 + 5) = 4 / 9.
    assert rates.count.value == pytest.approx(4 / 9)


def test_blend_value_k5() -> None:
    rates = blend(REP_POOL, TEAM_POOL, Settings(win_rate_prior_weight=5))
    # (won$ + k·S·V_v) / (closed$ + k·S) = (100 + 5 × 200 × 0.3) / (400 + 5 × 200) = 400 / 1,400.
    assert rates.value.value == pytest.approx(400 / 1_400)


def test_blend_size_k5() -> None:
    rates = blend(REP_POOL, TEAM_POOL, Settings(win_rate_prior_weight=5))
    # (closed$ + k·S) / (closed_with_amount + k) = (400 + 5 × 200) / (4 + 5) = 1,400 / 9.
    assert rates.size.value == pytest.approx(1_400 / 9)


def test_blend_keeps_raw_beside() -> None:
    rates = blend(REP_POOL, TEAM_POOL, Settings(win_rate_prior_weight=5))
    assert rates.count_raw.value == pytest.approx(0.25)
    assert rates.value_raw.value == pytest.approx(0.25)
    assert rates.size_raw.value == pytest.approx(100)


def test_blend_k0_is_raw() -> None:
    rates = blend(REP_POOL, TEAM_POOL, Settings(win_rate_prior_weight=0))
    # k = 0 turns blending off: 1 / 4, 100 / 400 and 400 / 4.
    assert rates.count.value == pytest.approx(0.25)
    assert rates.value.value == pytest.approx(0.25)
    assert rates.size.value == pytest.approx(100)


def test_blend_no_own_deals_is_team() -> None:
    rates = blend(Pool(), TEAM_POOL, Settings(win_rate_prior_weight=5))
    # With no closed deal of its own, the rep's blended figures are the team's.
    assert rates.count.value == pytest.approx(0.6)
    assert rates.value.value == pytest.approx(0.3)
    assert rates.size.value == pytest.approx(200)
    assert rates.count_raw.value is None
