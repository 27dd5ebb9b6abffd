"""Missing is not zero: undefined ratios carry a reason, and the JSON contains no NaN or Infinity."""

from __future__ import annotations

import json

import pytest
from engine_helpers import rep_row, run
from scenario import Scenario

from rasr.store import Workspace

AS_OF = "2024-06-30"


def edge_reps() -> Scenario:
    """Build three reps, each alone in a team so that blending cannot lend them a rate.

    no_closed has only open deals, zero_rate lost every deal, zero_quota has
    a quota row of 0.
    """
    s = Scenario()
    s.rep("no_closed", team="T1", start="2020-01-01")
    s.opp("no_closed", "open", 10_000, created="2024-02-01", close="2024-09-01")
    s.quota("no_closed", "2024-01-01", "2024-12-31", 100_000)

    s.rep("zero_rate", team="T2", start="2020-01-01")
    for _ in range(3):
        s.opp("zero_rate", "lost", 10_000, created="2024-01-10", close="2024-03-01")
    s.opp("zero_rate", "open", 10_000, created="2024-02-01", close="2024-09-01")
    s.quota("zero_rate", "2024-01-01", "2024-12-31", 100_000)

    s.rep("zero_quota", team="T3", start="2020-01-01")
    s.opp("zero_quota", "won", 10_000, created="2024-01-10", close="2024-03-01")
    s.opp("zero_quota", "lost", 10_000, created="2024-01-10", close="2024-03-01")
    s.quota("zero_quota", "2024-01-01", "2024-12-31", 0)
    return s


def test_zero_and_undefined_rates(backend: Workspace) -> None:
    result = run(backend, edge_reps(), AS_OF, briefs_for={"zero_rate"})
    no_closed = rep_row(result, "no_closed")
    zero_rate = rep_row(result, "zero_rate")["metrics"]
    brief = result.brief("zero_rate")
    year = brief["requirements"]["year"]

    # 0 won / 0 closed has no value: missing with a reason, not 0.
    assert no_closed["metrics"]["win_rate_count_raw"] is None
    assert no_closed["missing_reasons"]["win_rate_count_raw"] == "no qualified deal closed in the lookback"
    assert no_closed["metrics"]["win_rate_value_raw"] is None
    assert no_closed["missing_reasons"]["win_rate_value_raw"] == "no closed deal with an amount in the lookback"
    # 0 won / 3 closed is a known rate of 0.
    assert zero_rate["win_rate_count_raw"] == 0
    assert zero_rate["win_rate_value_raw"] == 0

    # goal / 0 is not infinity. The pipeline is missing, with the reason.
    assert year["pipeline_full"] is None
    assert year["reason"].startswith("not reachable")
    assert year["opportunities_full"] is None
    assert brief["process"]["with_enough"]["passed"] is None
    assert brief["process"]["with_enough"]["reason"].startswith("not reachable")
    # No won deal in a span books 0, which is known, not missing.
    assert brief["requirements"]["month"]["bookings"] == 0
    assert year["bookings"] == 0


def test_zero_quota_unknown(backend: Workspace) -> None:
    rep_ids = {"no_closed", "zero_rate", "zero_quota"}
    result = run(backend, edge_reps(), AS_OF, briefs_for=rep_ids)
    data = result.as_dict()
    row = next(r for r in data["reps"] if r["rep_id"] == "zero_quota")
    quota = row["results"]["quota"]
    team_quota = data["totals"]["results"]["quota"]

    assert quota["answer"] == "unknown"
    assert quota["reason"] == "zero quota"
    # bookings / 0 has no value.
    assert quota["attainment"] is None
    assert row["conversation"] is None
    assert row["conversation_reason"] == "zero quota"
    # The team's attainment counts only no_closed and zero_rate, whose goals are above 0.
    assert team_quota["reps_with_goal"] == 2
    assert team_quota["reps_left_out"] == 1

    # allow_nan=False raises ValueError on NaN or Infinity anywhere in the output.
    json.dumps(data, allow_nan=False)
    for rep_id in sorted(rep_ids):
        json.dumps(result.brief(rep_id), allow_nan=False)
