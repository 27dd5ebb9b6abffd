"""Point in time: each deal as it stood on as_of, as far as its recorded history shows."""

from __future__ import annotations

import pytest
from engine_helpers import analyze_on, rep_row
from scenario import Scenario

from rasr.store import Workspace

AS_OF = "2024-03-31"


def deals_around_as_of() -> Scenario:
    s = Scenario()
    s.rep("rep_a", team="A", start="2020-01-01")
    # Won on 1 May, after as_of: open on 31 March, in Proposal since 1 February.
    s.opp("rep_a", "won", 30_000, created="2024-01-10", close="2024-05-01", opp_id="later_win",
          history=[("Qualify", "2024-01-10"), ("Proposal", "2024-02-01"), ("Won", "2024-05-01")])
    # Created after as_of: it does not exist yet.
    s.opp("rep_a", "open", 50_000, created="2024-04-15", close="2024-08-01", opp_id="future")
    # Created on 15 April as imported, but its first stage change is on 1 March:
    # it exists from the earlier date.
    s.opp("rep_a", "open", 7_000, created="2024-04-15", close="2024-08-01", opp_id="early_history",
          history=[("Qualify", "2024-03-01")])
    # Lost on 10 April, without stage history: open on 31 March.
    s.opp("rep_a", "lost", 2_000, created="2024-02-01", close="2024-04-10", opp_id="later_loss")

    # Won on 1 February, reopened on 20 February and still open.
    s.rep("rep_r", team="R", start="2020-01-01")
    s.opp("rep_r", "open", 10_000, created="2024-01-01", close="2024-06-30", opp_id="reopened",
          stage="Negotiation",
          history=[("Qualify", "2024-01-01"), ("Won", "2024-02-01"), ("Negotiation", "2024-02-20")])
    # Won on 1 February, reopened on 20 February and won again on 15 March.
    s.rep("rep_t", team="W", start="2020-01-01")
    s.opp("rep_t", "won", 20_000, created="2024-01-01", close="2024-03-15", opp_id="won_twice",
          history=[("Qualify", "2024-01-01"), ("Won", "2024-02-01"), ("Negotiation", "2024-02-20"),
                   ("Won", "2024-03-15")])
    return s


def test_closed_after_as_of_open(backend: Workspace) -> None:
    deals_around_as_of().save(backend)
    result = analyze_on(backend, AS_OF, briefs_for={"rep_a"})
    metrics = rep_row(result, "rep_a")["metrics"]
    stages = {deal["opp_id"]: deal["stage"] for deal in result.brief("rep_a")["deals_to_review"]}

    # Nothing of rep_a's is closed on 31 March.
    assert metrics["won_count"] == 0
    assert metrics["lost_count"] == 0
    # Open: later_win, early_history and later_loss, 30,000 + 7,000 + 2,000. "future" does not exist yet.
    assert metrics["open_count"] == 3
    assert metrics["open_amount"] == 39_000
    assert set(stages) == {"later_win", "early_history", "later_loss"}
    # later_win is in the stage it had on as_of, not in Won.
    assert stages["later_win"] == "Proposal"
    assert stages["early_history"] == "Qualify"


def test_closed_on_close_date(backend: Workspace) -> None:
    deals_around_as_of().save(backend)
    metrics = rep_row(analyze_on(backend, "2024-05-01"), "rep_a")["metrics"]
    # On 1 May later_win is won, on its close date.
    assert metrics["won_count"] == 1
    assert metrics["won_amount"] == 30_000


@pytest.mark.spark
def test_reopened_win(backend: Workspace) -> None:
    deals_around_as_of().save(backend)
    between = analyze_on(backend, "2024-02-10", briefs_for={"rep_r", "rep_t"})
    after = analyze_on(backend, AS_OF, briefs_for={"rep_r", "rep_t"})

    # On 10 February, between the win of 1 February and the reopening of 20 February, both deals are won.
    assert rep_row(between, "rep_r")["metrics"]["won_count"] == 1
    assert between.brief("rep_r")["requirements"]["month"]["bookings"] == 10_000
    assert rep_row(between, "rep_t")["metrics"]["won_count"] == 1
    assert between.brief("rep_t")["requirements"]["month"]["bookings"] == 20_000
    # The win is dated on the entry into Won: qualified 1 January, won 1 February, 31 days.
    assert between.brief("rep_r")["speed"]["cycle_days_mean"] == pytest.approx(31)

    # On 31 March the reopened deal is open again, and its February win no longer exists.
    assert rep_row(after, "rep_r")["metrics"]["won_count"] == 0
    assert rep_row(after, "rep_r")["metrics"]["open_count"] == 1
    assert after.brief("rep_r")["requirements"]["year"]["bookings"] == 0

    # The deal won twice is one win, dated by the close that holds: 15 March.
    assert rep_row(after, "rep_t")["metrics"]["won_count"] == 1
    assert after.brief("rep_t")["requirements"]["year"]["bookings"] == 20_000
    assert after.brief("rep_t")["requirements"]["month"]["bookings"] == 20_000

