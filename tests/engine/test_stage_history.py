"""Stage history: visits, time in stage, regressions, snapshot rows and skipped stages."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest
from engine_helpers import point_in_time, rep_row, run, stage_row
from scenario import Scenario

from rasr.store import Workspace

AS_OF = "2024-03-31"

# Qualify 1..11 Jan (10 days), Proposal 11..16 (5), back to Qualify 16..21 (5), Proposal 21..31 (10), Won 31 Jan.
LOOP = [("Qualify", "2024-01-01"), ("Proposal", "2024-01-11"), ("Qualify", "2024-01-16"),
        ("Proposal", "2024-01-21"), ("Won", "2024-01-31")]
# Qualify 1..11 Feb (10 days), Negotiation 11..21 (10), Won 21 Feb: Proposal skipped.
SKIP = [("Qualify", "2024-02-01"), ("Negotiation", "2024-02-11"), ("Won", "2024-02-21")]
# A Salesforce OpportunityHistory export: a row on every tracked change, so
# stages repeat. Qualify 1..11 Jan (10 days), Proposal 11..31 (20), Won 31 Jan.
SNAPSHOTS = [("Qualify", "2024-01-01 10:00"), ("Qualify", "2024-01-05"), ("Proposal", "2024-01-11"),
             ("Proposal", "2024-01-20"), ("Won", "2024-01-31")]


def histories() -> Scenario:
    """Build rep_a with the loop deal, rep_b with the loop, skip and one open deal, and rep_c with the snapshot deal."""
    s = Scenario()
    s.rep("rep_a", team="A", start="2020-01-01")
    s.opp("rep_a", "won", 1_000, created="2024-01-01", close="2024-01-31", history=LOOP, opp_id="loop_a")
    s.rep("rep_b", team="B", start="2020-01-01")
    s.opp("rep_b", "won", 1_000, created="2024-01-01", close="2024-01-31", history=LOOP, opp_id="loop_b")
    s.opp("rep_b", "won", 1_000, created="2024-02-01", close="2024-02-21", history=SKIP, opp_id="skip_b")
    # In Qualify since 1 March: 30 days old on as_of, and not averaged while it is ongoing.
    s.opp("rep_b", "open", 1_000, created="2024-03-01", close="2024-06-30", history=[("Qualify", "2024-03-01")],
          opp_id="open_b")
    s.rep("rep_c", team="C", start="2020-01-01")
    s.opp("rep_c", "won", 1_000, created="2024-01-01", close="2024-01-31", history=SNAPSHOTS, opp_id="snap_c")
    return s


def days_by_stage(visits: list[dict], opp_id: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for visit in visits:
        # The last visit has no end, so its days are missing (NaN in the pandas frame).
        if visit["opp_id"] == opp_id and pd.notna(visit["days"]):
            found[visit["stage"]].append(int(visit["days"]))
    return dict(found)


def test_visits_per_deal(backend: Workspace) -> None:
    histories().save(backend)
    deals, visits = point_in_time(backend, AS_OF)
    loop = days_by_stage(visits, "loop_a")
    snapshots = days_by_stage(visits, "snap_c")

    # The loop deal: two visits each of Qualify (10 + 5) and Proposal (5 + 10).
    assert loop == {"Qualify": [10, 5], "Proposal": [5, 10]}
    # Its durations add up to its last entry minus its first, 1..31 Jan, which is also its cycle.
    assert sum(sum(days) for days in loop.values()) == 30
    assert deals["loop_a"]["cycle_days"] == 30
    # Proposal back to Qualify is one regression.
    assert deals["loop_a"]["regressions"] == 1
    # The skip deal moved forward only.
    assert deals["skip_b"]["regressions"] == 0

    # Snapshot rows that repeat a stage are one visit: Qualify 10 days, Proposal 20.
    assert snapshots == {"Qualify": [10], "Proposal": [20]}
    # Two stage changes: Qualify to Proposal and Proposal to Won.
    assert deals["snap_c"]["stage_changes"] == 2


def test_time_in_stage_means(backend: Workspace) -> None:
    result = run(backend, histories(), AS_OF, briefs_for={"rep_b"})
    rep_a = result.brief("rep_a")
    rep_b = result.brief("rep_b")
    rep_c = result.brief("rep_c")

    # Repeated visits add up per deal: Qualify 10 + 5, Proposal 5 + 10.
    assert stage_row(rep_a, "Qualify")["rep_days_mean"] == pytest.approx(15)
    assert stage_row(rep_a, "Proposal")["rep_days_mean"] == pytest.approx(15)
    assert rep_row(result, "rep_a")["metrics"]["regressions"] == 1
    # The cycle (qualified 1 Jan, won 31 Jan) equals the sum of the stage durations.
    assert rep_a["speed"]["cycle_days_mean"] == pytest.approx(30)

    # Means over the deals that visited the stage: Qualify (15 + 10) / 2.
    assert stage_row(rep_b, "Qualify")["rep_days_mean"] == pytest.approx(12.5)
    assert stage_row(rep_b, "Qualify")["rep_deals"] == 2
    # The skip deal never visited Proposal: it counts for nothing, not for 0 days (which would give 7.5).
    assert stage_row(rep_b, "Proposal")["rep_days_mean"] == pytest.approx(15)
    assert stage_row(rep_b, "Proposal")["rep_deals"] == 1
    assert stage_row(rep_b, "Negotiation")["rep_days_mean"] == pytest.approx(10)
    # The open deal's current Qualify visit shows as its age: 1 to 31 March.
    assert [deal["age_days"] for deal in rep_b["deals_to_review"]] == [30]

    # Snapshot rows: Qualify 1..11 Jan, Proposal 11..31 Jan.
    assert stage_row(rep_c, "Qualify")["rep_days_mean"] == pytest.approx(10)
    assert stage_row(rep_c, "Proposal")["rep_days_mean"] == pytest.approx(20)
