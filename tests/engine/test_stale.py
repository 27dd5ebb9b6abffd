"""Stale and slipped open deals, and the exact median cycle time."""

from __future__ import annotations

import pytest
from engine_helpers import rep_row, run
from scenario import Scenario

from rasr.store import Workspace

AS_OF = "2024-06-30"


def proposal_deals() -> Scenario:
    """Build rep_a with 5 deals closed 10, 20, 30, 40 and 50 days after entering Proposal, and 3 open there.

    rep_b, in the same team: 1 closed deal 5 days after Proposal, and 1 open one.
    """
    s = Scenario()
    s.rep("rep_a", start="2020-01-01").rep("rep_b", start="2020-01-01")
    # Qualify on 1 January, Proposal on 6 January, closed 10..50 days later. The won
    # deals' cycles from Qualify are 15, 25, 35 and 45 days.
    for status, close in (("won", "2024-01-16"), ("won", "2024-01-26"), ("won", "2024-02-05"),
                          ("won", "2024-02-15"), ("lost", "2024-02-25")):
        closing_stage = "Won" if status == "won" else "Lost"
        s.opp("rep_a", status, 1_000, created="2024-01-01", close=close,
              history=[("Qualify", "2024-01-01"), ("Proposal", "2024-01-06"), (closing_stage, close)])

    # In Proposal for 47, 50 and 51 days on 30 June.
    s.opp("rep_a", "open", 1_000, created="2024-05-01", close="2024-06-15", stage="Proposal", opp_id="age_47",
          history=[("Qualify", "2024-05-01"), ("Proposal", "2024-05-14")])
    s.opp("rep_a", "open", 2_000, created="2024-05-01", close="2024-09-30", stage="Proposal", opp_id="age_50",
          history=[("Qualify", "2024-05-01"), ("Proposal", "2024-05-11")])
    s.opp("rep_a", "open", 4_000, created="2024-05-01", close="2024-09-30", stage="Proposal", opp_id="age_51",
          history=[("Qualify", "2024-05-01"), ("Proposal", "2024-05-10")])
    # age_50's expected close moved later on 10 June.
    s.close_date_change("age_50", "2024-05-20", "2024-08-31")
    s.close_date_change("age_50", "2024-06-10", "2024-09-30")

    s.opp("rep_b", "won", 1_000, created="2024-01-01", close="2024-01-11",
          history=[("Qualify", "2024-01-01"), ("Proposal", "2024-01-06"), ("Won", "2024-01-11")])
    s.opp("rep_b", "open", 1_000, created="2024-05-01", close="2024-09-30", stage="Proposal", opp_id="b_age_30",
          history=[("Qualify", "2024-05-01"), ("Proposal", "2024-05-31")])
    return s


@pytest.mark.spark
def test_stale_and_slipped(backend: Workspace) -> None:
    result = run(backend, proposal_deals(), AS_OF, briefs_for={"rep_a", "rep_b"})
    metrics = rep_row(result, "rep_a")["metrics"]
    deals = {deal["opp_id"]: deal for deal in result.brief("rep_a")["deals_to_review"]}

    # Threshold: nearest-rank p90 of 10, 20, 30, 40, 50 is rank ceil(4.5) = 5, 50 days
    # (linear interpolation would give 46 and flag age_47 too).
    assert deals["age_51"]["stale_after_days"] == pytest.approx(50)
    assert {opp_id: deal["stale"] for opp_id, deal in deals.items()} == {
        "age_47": False, "age_50": False, "age_51": True,
    }
    # The stale deal is left out of the active pipeline.
    assert metrics["open_count"] == 3
    assert metrics["open_count_active"] == 2
    assert metrics["open_amount"] == 7_000
    assert metrics["open_amount_active"] == 3_000
    assert metrics["stale_count"] == 1

    # age_47's expected close, 15 June, is before as_of, and age_50's close moved later.
    assert {opp_id: deal["slipped"] for opp_id, deal in deals.items()} == {
        "age_47": True, "age_50": True, "age_51": False,
    }
    assert metrics["slipped_count"] == 2

    # Won cycles 15, 25, 35, 45: the median is (25 + 35) / 2.
    assert metrics["cycle_days_median"] == pytest.approx(30)

    # rep_b has 1 closed deal, fewer than min_deals (3), so the team's threshold holds:
    # 5, 10, 20, 30, 40, 50 at rank ceil(5.4) = 6 is 50 days. Its own, 5 days, would flag b_age_30.
    team_deal = result.brief("rep_b")["deals_to_review"][0]
    assert team_deal["stale_after_days"] == pytest.approx(50)
    assert team_deal["stale"] is False
