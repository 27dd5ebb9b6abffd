"""Exact medians and nearest-rank 90th percentiles, in SQL on every backend and in Python."""

from __future__ import annotations

import random

import ibis
import pandas as pd
import pytest
from engine_helpers import on_engine

from rasr.engine.quantiles import NATIVE, grouped_quantiles, median
from rasr.store import Workspace


def test_median_even_count() -> None:
    # The mean of the two middle values, 2 and 3.
    assert median([4, 1, 3, 2]) == 2.5


def test_median_odd_count() -> None:
    assert median([5, 1, 3]) == 3


def test_median_skips_missing() -> None:
    assert median([1, None, 3]) == 2


def test_median_of_nothing() -> None:
    assert median([]) is None


@pytest.mark.spark
def test_grouped_quantiles_sql(backend: Workspace) -> None:
    groups = {
        "even": [40, 10, 30, 20],
        "odd": [5, 1, 3],
        "ten": list(range(1, 11)),
        "twelve": list(range(1, 13)),
        "five": [50, 10, 40, 20, 30],
        "with_null": [1, None, 3],
    }
    frame = pd.DataFrame(
        [{"grp": name, "value": None if v is None else float(v)} for name, values in groups.items() for v in values]
    )
    engine = on_engine(backend).backend
    # The form the engine uses on this backend: DuckDB's aggregates, ranks elsewhere.
    query = grouped_quantiles(ibis.memtable(frame), ["grp"], native=engine.name in NATIVE)
    rows = engine.execute(query).to_dict("records")
    found = {row["grp"]: row for row in rows}

    # Even count: (20 + 30) / 2, not 20 or 30.
    assert found["even"]["median"] == pytest.approx(25)
    assert found["odd"]["median"] == pytest.approx(3)
    assert found["ten"]["median"] == pytest.approx(5.5)
    # Nearest rank: the value at rank ceil(0.9 × n). n = 4 gives rank 4.
    assert found["even"]["p90"] == pytest.approx(40)
    # n = 10: rank 9, the value 9 (linear interpolation would give 9.1).
    assert found["ten"]["p90"] == pytest.approx(9)
    # n = 12: rank ceil(10.8) = 11, the value 11 (linear interpolation would give 10.9).
    assert found["twelve"]["p90"] == pytest.approx(11)
    # n = 5: rank ceil(4.5) = 5 (floor(0.9 × (n - 1)) would give rank 4, the value 40).
    assert found["five"]["p90"] == pytest.approx(50)
    # n = 3: rank ceil(2.7) = 3.
    assert found["odd"]["p90"] == pytest.approx(5)
    # NULL is left out before ranking: n = 2, median (1 + 3) / 2.
    assert found["with_null"]["n"] == 2
    assert found["with_null"]["median"] == pytest.approx(2)
    assert found["even"]["mean"] == pytest.approx(25)


def test_native_and_ranked_quantiles_agree() -> None:
    """DuckDB's aggregates and the ranked form give the same figures on every group size from 1 to 60."""
    rng = random.Random(7)
    frame = pd.DataFrame([
        {"grp": f"g{size}", "value": float(rng.randint(0, 400)) if rng.random() > 0.1 else None}
        for size in range(1, 61) for _ in range(size)
    ])
    con = ibis.duckdb.connect()
    table = ibis.memtable(frame)
    native = con.execute(grouped_quantiles(table, ["grp"], native=True)).set_index("grp").sort_index()
    ranked = con.execute(grouped_quantiles(table, ["grp"], native=False)).set_index("grp").sort_index()
    assert len(native) >= 55
    pd.testing.assert_frame_equal(native[["n", "median", "p90"]], ranked[["n", "median", "p90"]], check_dtype=False)
    pd.testing.assert_series_equal(native["mean"], ranked["mean"], check_dtype=False, rtol=1e-12)
