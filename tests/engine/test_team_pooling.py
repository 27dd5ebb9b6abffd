"""Team totals pool numerators and denominators instead of adding or averaging the reps' ratios."""

from __future__ import annotations

import pytest
from engine_helpers import rep_row, run
from scenario import Scenario

from rasr.store import Workspace

AS_OF = "2024-06-30"


def two_reps() -> Scenario:
    """Build rep_a (1 won, 0 lost, 10k booked on a 10k goal) and rep_b (1 won, 8 lost, 5k booked on a 50k goal)."""
    s = Scenario().rep("rep_a", start="2020-01-01").rep("rep_b", start="2020-01-01")
    s.opp("rep_a", "won", 10_000, created="2024-01-10", close="2024-03-01")
    s.opp("rep_b", "won", 5_000, created="2024-01-10", close="2024-03-01")
    for _ in range(8):
        s.opp("rep_b", "lost", 1_000, created="2024-01-10", close="2024-03-01")
    # Both quota rows cover exactly the results span, year to date 2024-01-01..2024-06-30,
    # so the goals are the whole amounts.
    s.quota("rep_a", "2024-01-01", "2024-06-30", 10_000)
    s.quota("rep_b", "2024-01-01", "2024-06-30", 50_000)
    return s


@pytest.mark.spark
def test_team_pools_rates_and_goals(backend: Workspace) -> None:
    s = two_reps()
    # Open deals give each rep a "have" and change no rate and no attainment.
    s.opp("rep_a", "open", 4_000, created="2024-05-01", close="2024-08-01")
    s.opp("rep_b", "open", 6_000, created="2024-05-01", close="2024-08-01")
    s.opp("rep_b", "open", 7_000, created="2024-05-01", close="2024-08-01")
    data = run(backend, s, AS_OF).as_dict()
    totals = data["totals"]
    quota = totals["results"]["quota"]
    process = totals["process"]
    rep_process = [row["process"] for row in data["reps"]]
    rep_a = next(row["metrics"] for row in data["reps"] if row["rep_id"] == "rep_a")

    # Pooled: (1 + 1) won / (1 + 9) closed = 0.2, not the mean of 1/1 and 1/9, 0.556.
    assert totals["metrics"]["win_rate_count_raw"] == pytest.approx(0.2)
    # Won 15k of closed 10k + 5k + 8 × 1k = 23k.
    assert totals["metrics"]["win_rate_value_raw"] == pytest.approx(15 / 23)
    # Each rep's rates blend toward the pooled team's with k = 5 pseudo deals:
    # rep_a by count (1 + 5 × 0.2) / (1 + 5) = 1/3, and by value, with the team's mean
    # closed size S = 23k / 10 = 2.3k, (10k + 5 × 2.3k × 15/23) / (10k + 5 × 2.3k) = 17.5k / 21.5k.
    assert rep_a["win_rate_count"] == pytest.approx(1 / 3)
    assert rep_a["win_rate_value"] == pytest.approx(17_500 / 21_500)

    # Pooled: (10k + 5k) / (10k + 50k) = 25 %, not the mean of 100 % and 10 %, 55 %.
    assert quota["bookings"] == pytest.approx(15_000)
    assert quota["goal"] == pytest.approx(60_000)
    assert quota["attainment"] == pytest.approx(0.25)
    assert quota["answer"] == "no"

    # The team's have and need are the sums of its reps' (both reps have both known).
    assert process["with_enough"]["have"] == pytest.approx(4_000 + 6_000 + 7_000)
    assert process["with_enough"]["need"] == pytest.approx(sum(r["with_enough"]["need"] for r in rep_process))
    assert process["start_enough"]["have"] == pytest.approx(3)
    assert process["start_enough"]["need"] == pytest.approx(sum(r["start_enough"]["need"] for r in rep_process))


def test_attainment_leaves_out_no_goal(backend: Workspace) -> None:
    s = two_reps().rep("rep_c", start="2020-01-01")
    s.opp("rep_c", "won", 7_000, created="2024-01-10", close="2024-03-01")
    result = run(backend, s, AS_OF)
    quota = result.as_dict()["totals"]["results"]["quota"]

    # rep_c has no quota: left out of bookings and goal, and counted as left out.
    assert quota["attainment"] == pytest.approx(0.25)
    assert quota["reps_with_goal"] == 2
    assert quota["reps_left_out"] == 1
    # rep_c's own row still shows the bookings, with the quota question unknown.
    assert rep_row(result, "rep_c")["results"]["quota"]["bookings"] == pytest.approx(7_000)
