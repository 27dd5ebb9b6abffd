"""Attribution: a win books to its owner at close, an open deal belongs to its owner on as_of."""

from __future__ import annotations

import pytest
from engine_helpers import rep_row, run
from scenario import Scenario

from rasr.store import Workspace

AS_OF = "2024-03-31"


def reassigned_deals() -> Scenario:
    s = Scenario()
    for rep_id in ("rep_a", "rep_b", "rep_c"):
        s.rep(rep_id, start="2020-01-01")
    # Moved from rep_a to rep_b on 15 February, won on 10 March: rep_b's win.
    s.opp("rep_b", "won", 10_000, created="2024-01-05", close="2024-03-10", opp_id="moved_then_won")
    s.owner_change("moved_then_won", "2024-02-15", "rep_b", from_rep_id="rep_a")
    # Won on 20 January, reassigned to rep_c on 1 April: still rep_a's win.
    s.opp("rep_c", "won", 4_000, created="2024-01-02", close="2024-01-20", opp_id="won_then_moved")
    s.owner_change("won_then_moved", "2024-04-01", "rep_c", from_rep_id="rep_a")
    # Open, moved from rep_a to rep_b on 1 May: rep_a's on 31 March.
    s.opp("rep_b", "open", 6_000, created="2024-01-05", close="2024-06-30", opp_id="open_moved_later")
    s.owner_change("open_moved_later", "2024-05-01", "rep_b", from_rep_id="rep_a")

    # Without owner history: a win of 1 February, before its current owner started on 1 March.
    s.rep("rep_d", start="2024-03-01")
    s.opp("rep_d", "won", 8_000, created="2024-01-05", close="2024-02-01", opp_id="won_before_start")
    return s


@pytest.mark.spark
def test_owner_at_close_books(backend: Workspace) -> None:
    result = run(backend, reassigned_deals(), AS_OF)
    rep_a = rep_row(result, "rep_a")
    rep_b = rep_row(result, "rep_b")
    rep_c = rep_row(result, "rep_c")
    rep_d = rep_row(result, "rep_d")

    assert rep_a["results"]["quota"]["bookings"] == 4_000
    assert rep_b["results"]["quota"]["bookings"] == 10_000
    assert rep_c["results"]["quota"]["bookings"] == 0
    assert rep_a["metrics"]["won_count"] == 1
    assert rep_b["metrics"]["won_count"] == 1
    assert rep_c["metrics"]["won_count"] == 0
    # The open deal is rep_a's on as_of, before its move on 1 May.
    assert rep_a["metrics"]["open_count"] == 1
    assert rep_b["metrics"]["open_count"] == 0

    # Without owner history, the win before rep_d's start is not booked to rep_d, and the brief warns about it.
    assert rep_d["results"]["quota"]["bookings"] == 0
    assert any("not booked" in warning for warning in result.brief("rep_d")["warnings"])
