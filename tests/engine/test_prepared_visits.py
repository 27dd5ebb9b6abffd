"""The prepared stage visits kept between analyses must follow every change of the stage data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine_helpers import analyze_on, on_engine, rep_row, run
from scenario import Scenario

from rasr.engine.analysis import analyze
from rasr.engine.dataset import PREPARED_STAMP
from rasr.engine.settings import Settings
from rasr.store.load import upsert


def test_new_stage_change_rebuilds_visits(backend):
    scenario = Scenario().rep("a")
    scenario.opp("a", "open", 1000, created="2024-01-01", opp_id="d1",
                 history=[("Qualify", "2024-01-01")])
    first = run(backend, scenario, "2024-03-01")
    # The deal sits in Qualify (qualified) on 2024-03-01: one open qualified deal.
    assert rep_row(first, "a")["metrics"]["open_count"] == 1

    # A later import moves it to Won on 2024-02-01 and closes it.
    upsert(backend, "opportunities", ["opp_id", "rep_id", "status", "amount", "created_on", "close_on", "stage"],
           [("d1", "a", "won", 100000, dt.date(2024, 1, 1), dt.date(2024, 2, 1), "Won")])
    upsert(backend, "stage_changes", ["opp_id", "stage", "entered_at", "entered_on", "entered_raw"],
           [("d1", "Won", dt.datetime(2024, 2, 1), dt.date(2024, 2, 1), "2024-02-01")])
    second = analyze_on(backend, "2024-03-01")
    metrics = rep_row(second, "a")["metrics"]
    assert metrics["open_count"] == 0
    assert metrics["won_count"] == 1
    # 31 days from qualifying on 1 Jan to winning on 1 Feb, from the rebuilt visits.
    brief = second.brief("a")
    assert brief["speed"]["stages"][1]["stage"] == "Qualify"
    assert brief["speed"]["stages"][1]["rep_days_mean"] == 31


def test_same_data_reuses_prepared_tables(backend):
    scenario = Scenario().rep("a")
    scenario.opp("a", "won", 1000, created="2024-01-01", close="2024-01-21",
                 history=[("Qualify", "2024-01-01"), ("Won", "2024-01-21")])
    run(backend, scenario, "2024-03-01")
    tables = set(backend.backend.list_tables())
    analyze_on(backend, "2024-04-01")
    # The prepared tables stay; the per-analysis temporary ones are gone.
    assert {"_rasr_prepared_visits", "_rasr_prepared_summary"} <= tables
    assert not [name for name in backend.backend.list_tables() if name.startswith("_rasr_deals_")]


def test_owner_change_and_new_amount_rebuild_prepared_deals(backend):
    scenario = Scenario().rep("a").rep("b")
    scenario.opp("a", "open", 1000, created="2024-01-01", opp_id="d1", history=[("Qualify", "2024-01-01")])
    first = run(backend, scenario, "2024-03-01")
    assert rep_row(first, "a")["metrics"]["open_count"] == 1
    assert rep_row(first, "b")["metrics"]["open_count"] == 0

    # A later import hands the deal to b and doubles its amount; the stage history is unchanged.
    upsert(backend, "owner_changes", ["opp_id", "changed_at", "changed_on", "rep_id", "from_rep_id"],
           [("d1", dt.datetime(2024, 2, 1), dt.date(2024, 2, 1), "b", "a")])
    upsert(backend, "opportunities", ["opp_id", "rep_id", "status", "amount", "created_on", "stage"],
           [("d1", "b", "open", 200000, dt.date(2024, 1, 1), "Qualify")])
    second = analyze_on(backend, "2024-03-01")
    assert rep_row(second, "a")["metrics"]["open_count"] == 0
    assert rep_row(second, "b")["metrics"]["open_count"] == 1
    assert Decimal(str(rep_row(second, "b")["metrics"]["open_amount"])) == Decimal("2000")


def test_day_before_the_last_change_reads_the_history(backend):
    scenario = Scenario().rep("a")
    scenario.opp("a", "won", 1000, created="2024-01-01", close="2024-02-01", opp_id="d1",
                 history=[("Qualify", "2024-01-01"), ("Won", "2024-02-01")])
    # The prepared deals hold the deal as won; on 2024-01-15 it was still open in Qualify.
    assert rep_row(run(backend, scenario, "2024-03-01"), "a")["metrics"]["won_count"] == 1
    earlier = rep_row(analyze_on(backend, "2024-01-15"), "a")["metrics"]
    assert earlier["won_count"] == 0
    assert earlier["open_count"] == 1


def test_default_day_counts_close_date_changes(backend):
    scenario = Scenario().rep("a")
    scenario.opp("a", "open", 1000, created="2024-01-01", close="2024-03-01", opp_id="d1",
                 history=[("Qualify", "2024-01-01")])
    scenario.save(backend)
    # The close date moved later on 2024-02-10, after every other record.
    upsert(backend, "close_date_changes", ["opp_id", "changed_at", "changed_on", "close_on"],
           [("d1", dt.datetime(2024, 2, 10), dt.date(2024, 2, 10), dt.date(2024, 4, 1))])
    result = analyze(on_engine(backend), settings=Settings(), today=dt.date(2025, 1, 1))
    assert result.as_of == dt.date(2024, 2, 10)
    # That day is the prepared deals' settled day, so the analysis read them.
    stamp = backend.backend.table(PREPARED_STAMP).execute()
    assert str(stamp["settled_on"].iloc[0])[:10] == "2024-02-10"
