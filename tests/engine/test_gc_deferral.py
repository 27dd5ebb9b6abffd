"""Full garbage collections wait during an analysis and resume after it, also when analyses overlap."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from engine_helpers import run
from scenario import Scenario

from rasr.engine import analysis, figures
from rasr.store import Workspace

DEFERRED = analysis._DEFERRED_FULL_THRESHOLD


@pytest.fixture(autouse=True)
def usual_thresholds() -> Iterator[tuple[int, int, int]]:
    """Start every test with the collector's usual thresholds, and leave them as this process had them."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def one_rep() -> Scenario:
    s = Scenario()
    s.rep("rep_a", start="2020-01-01")
    s.opp("rep_a", "won", 1_000, created="2024-01-01", close="2024-02-01",
          history=[("Qualify", "2024-01-01"), ("Won", "2024-02-01")])
    return s


@pytest.mark.spark
def test_analysis_defers_full_collections(backend: Workspace, monkeypatch) -> None:
    """Every workspace but Spark defers them: PySpark needs the collector to free Java objects."""
    seen = []
    original = figures.rep_sums

    def recording(*args, **kwargs):
        seen.append(gc.get_threshold())
        return original(*args, **kwargs)

    monkeypatch.setattr(figures, "rep_sums", recording)
    result = run(backend, one_rep(), "2024-06-30")
    on_spark = getattr(backend, "spark_session", None) is not None
    assert seen == [(700, 10, 10) if on_spark else (700, 10, DEFERRED)]
    assert gc.get_threshold() == (700, 10, 10)
    assert [row["rep_id"] for row in result.as_dict()["reps"]] == ["rep_a"]


def test_deferral_ends_after_an_error() -> None:
    with pytest.raises(RuntimeError), analysis._full_collections_deferred():
        assert gc.get_threshold() == (700, 10, DEFERRED)
        raise RuntimeError("analysis failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_deferrals_end_with_the_last() -> None:
    first_inside, second_done, observed = threading.Event(), threading.Event(), []

    def first() -> None:
        with analysis._full_collections_deferred():
            first_inside.set()
            second_done.wait(10)
            # The second block ended while this one runs, so full collections still wait.
            observed.append(gc.get_threshold())

    thread = threading.Thread(target=first)
    thread.start()
    assert first_inside.wait(10)
    with analysis._full_collections_deferred():
        assert gc.get_threshold() == (700, 10, DEFERRED)
    second_done.set()
    thread.join(10)
    assert observed == [(700, 10, DEFERRED)]
    assert gc.get_threshold() == (700, 10, 10)


def test_deferral_keeps_the_callers_thresholds() -> None:
    gc.set_threshold(2000, 20, 5)
    with analysis._full_collections_deferred():
        assert gc.get_threshold() == (2000, 20, DEFERRED)
    assert gc.get_threshold() == (2000, 20, 5)
