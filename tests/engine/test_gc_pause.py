"""The cyclic garbage collector pauses during an analysis and resumes after it, also when analyses overlap."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from engine_helpers import run
from scenario import Scenario

from rasr.engine import analysis, figures
from rasr.store import open_workspace


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    """Start every test with the collector on, and leave it as this process had it."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def one_rep() -> Scenario:
    s = Scenario()
    s.rep("rep_a", start="2020-01-01")
    s.opp("rep_a", "won", 1_000, created="2024-01-01", close="2024-02-01",
          history=[("Qualify", "2024-01-01"), ("Won", "2024-02-01")])
    return s


def test_an_analysis_runs_with_the_collector_paused(tmp_path, monkeypatch) -> None:
    seen = []
    original = figures.rep_sums

    def recording(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(figures, "rep_sums", recording)
    workspace = open_workspace(f"duckdb:///{tmp_path / 'workspace.duckdb'}")
    try:
        result = run(workspace, one_rep(), "2024-06-30")
    finally:
        workspace.close()
    assert seen == [False]
    assert gc.isenabled()
    assert [row["rep_id"] for row in result.as_dict()["reps"]] == ["rep_a"]


def test_the_collector_resumes_after_an_error() -> None:
    with pytest.raises(RuntimeError), analysis._cyclic_gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("analysis failed")
    assert gc.isenabled()


def test_overlapping_pauses_resume_when_the_last_one_ends() -> None:
    first_inside, second_done, observed = threading.Event(), threading.Event(), []

    def first() -> None:
        with analysis._cyclic_gc_paused():
            first_inside.set()
            second_done.wait(10)
            # The second block ended while this one runs: the collector stays paused.
            observed.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    assert first_inside.wait(10)
    with analysis._cyclic_gc_paused():
        assert not gc.isenabled()
    second_done.set()
    thread.join(10)
    assert observed == [False]
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    with analysis._cyclic_gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
