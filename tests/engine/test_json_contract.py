"""The team JSON contract of `rasr team --format json`: the keys scripts and the web pages read."""

from __future__ import annotations

import json

import pytest
from engine_helpers import run
from scenario import Scenario
from typer.testing import CliRunner

from rasr.cli.main import app
from rasr.store import Workspace

AS_OF = "2024-06-30"

ANSWER_KEYS = {"answer", "bookings", "goal", "attainment"}
DRIVER_KEYS = {"passed", "have", "need"}
METRIC_KEYS = {
    "win_rate_count", "win_rate_count_raw", "win_rate_value", "win_rate_value_raw", "opportunity_size",
    "won_deal_size_mean", "cycle_days_median", "open_count", "open_amount", "open_count_active",
    "open_amount_active",
}
REP_KEYS = {"rep_id", "name", "team", "conversation", "conversation_reason", "results", "process", "metrics",
            "goal_suggestion"}


def contract_reps() -> Scenario:
    """Build rep_a, behind with too few open deals (Tune the Engine), and rep_b without a quota."""
    s = Scenario().rep("rep_a", start="2020-01-01").rep("rep_b", start="2020-01-01")
    for status in ("won", "won", "won", "lost", "lost", "lost"):
        s.opp("rep_a", status, 10_000, created="2024-01-01", close="2024-03-01")
        s.opp("rep_b", status, 10_000, created="2024-01-01", close="2024-03-01")
    s.opp("rep_a", "open", 5_000, created="2024-05-01", close="2024-09-30")
    s.quota("rep_a", "2024-01-01", "2024-12-31", 200_000)
    return s


def check_shape(data: dict) -> None:
    """Assert the contract's keys, allowing extra ones."""
    assert set(data) >= {"as_of", "reps", "totals"}
    assert data["as_of"] == AS_OF
    for row in data["reps"]:
        assert set(row) >= REP_KEYS, row["rep_id"]
        assert set(row["results"]["quota"]) >= ANSWER_KEYS
        assert set(row["results"]["aspiration"]) >= ANSWER_KEYS
        assert set(row["results"]["outlook"]) >= {"answer", "forecast", "goal"}
        for driver in ("start_enough", "with_enough", "fast_enough"):
            assert set(row["process"][driver]) >= DRIVER_KEYS, driver
        assert set(row["metrics"]) >= METRIC_KEYS
    totals = data["totals"]
    assert set(totals) >= {"results", "process", "metrics"}
    assert set(totals["results"]["quota"]) >= ANSWER_KEYS
    assert set(totals["results"]["aspiration"]) >= ANSWER_KEYS
    assert set(totals["results"]["outlook"]) >= {"answer", "forecast", "goal"}
    for driver in ("start_enough", "with_enough", "fast_enough"):
        assert set(totals["process"][driver]) >= DRIVER_KEYS, driver
    assert set(totals["metrics"]) >= METRIC_KEYS


def test_as_dict_contract(backend: Workspace) -> None:
    data = run(backend, contract_reps(), AS_OF).as_dict()
    rows = {row["rep_id"]: row for row in data["reps"]}

    check_shape(data)
    assert rows["rep_a"]["conversation"] == "tune_the_engine"
    assert rows["rep_b"]["conversation"] is None
    # A goal names a metric of the team JSON, so the next brief can recompute it.
    assert rows["rep_a"]["goal_suggestion"]["metric"] in rows["rep_a"]["metrics"]
    # No conversation, no suggested goal.
    assert rows["rep_b"]["goal_suggestion"] is None


def test_cli_team_json(backend: Workspace) -> None:
    contract_reps().save(backend)
    result = CliRunner().invoke(app, ["--db", backend.label, "team", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 0, result.output

    # stdout holds only the JSON: no notice or warning mixed in.
    data = json.loads(result.stdout)
    check_shape(data)
    assert [row["rep_id"] for row in data["reps"]] == ["rep_a", "rep_b"]
    assert data["reps"][0]["metrics"]["win_rate_count_raw"] == pytest.approx(0.5)
