"""Exact medians and nearest-rank 90th percentiles, in SQL on every backend, in NumPy and in Python."""

from __future__ import annotations

import random

import ibis
import numpy as np
import pandas as pd
import pytest
from engine_helpers import on_engine

from rasr.engine.quantiles import grouped_quantiles, grouped_quantiles_numpy, median, regroup, sort_values, summarise
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


GROUPS = {
    "even": [40, 10, 30, 20],
    "odd": [5, 1, 3],
    "ten": list(range(1, 11)),
    "twelve": list(range(1, 13)),
    "five": [50, 10, 40, 20, 30],
    "with_null": [1, None, 3],
}


def _check_definitions(found: dict[str, dict]) -> None:
    """The figures of GROUPS under the product's definitions of median and 90th percentile."""
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


@pytest.mark.spark
def test_grouped_quantiles_sql(backend: Workspace) -> None:
    frame = pd.DataFrame(
        [{"grp": name, "value": None if v is None else float(v)} for name, values in GROUPS.items() for v in values]
    )
    engine = on_engine(backend).backend
    rows = engine.execute(grouped_quantiles(ibis.memtable(frame), ["grp"])).to_dict("records")
    _check_definitions({row["grp"]: row for row in rows})


def _numpy_quantiles(groups: dict[str, list]) -> dict[str, dict]:
    """grouped_quantiles_numpy over named groups of values, NULLs left out as the engine's query does."""
    names = sorted(groups)
    pairs = [(code, v) for code, name in enumerate(names) for v in groups[name] if v is not None]
    found = grouped_quantiles_numpy(np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))
    return {names[code]: {"n": n, "mean": mean, "median": mid, "p90": p90}
            for code, n, mean, mid, p90 in zip(*(column.tolist() for column in found))}


def test_numpy_quantiles_definitions() -> None:
    _check_definitions(_numpy_quantiles(GROUPS))


def test_numpy_quantiles_of_nothing() -> None:
    found = grouped_quantiles_numpy(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert len(found.group) == len(found.n) == len(found.median) == 0


@pytest.mark.parametrize("spread", [400, 10**14, 2**62])
def test_numpy_and_sql_ranks_agree(spread: int) -> None:
    """NumPy and the ranked SQL give the same figures on every group size from 1 to 60.

    A spread of 2^62 does not fit beside the group codes in one packed
    integer, so the values are ranked among the distinct values first.
    """
    rng = random.Random(7)
    groups = {f"g{size:02d}": [rng.randint(-spread // 2, spread // 2) for _ in range(size)] for size in range(1, 61)}
    # Equal values inside a group and negative numbers are kept apart correctly.
    groups["ties"] = [3, 3, 3, -1, -1, 7]
    frame = pd.DataFrame([{"grp": name, "value": v} for name, values in groups.items() for v in values])
    con = ibis.duckdb.connect()
    ranked = con.execute(grouped_quantiles(ibis.memtable(frame), ["grp"])).set_index("grp")
    in_numpy = _numpy_quantiles(groups)
    assert sorted(in_numpy) == sorted(ranked.index)
    for name, figures in in_numpy.items():
        row = ranked.loc[name]
        assert figures["n"] == row["n"]
        assert figures["median"] == pytest.approx(row["median"], rel=1e-15)
        assert figures["p90"] == pytest.approx(row["p90"], rel=1e-15)
        assert figures["mean"] == pytest.approx(row["mean"], rel=1e-12)
        assert figures["median"] == pytest.approx(median(groups[name]), rel=1e-15)
    assert in_numpy["ties"] == {"n": 6, "mean": 14 / 6, "median": 3.0, "p90": 7.0}


@pytest.mark.parametrize("spread", [400, 10**14, 2**62])
def test_regroup_equals_a_direct_sort(spread: int) -> None:
    """Re-sorting sorted values into coarser groups gives the figures of sorting them by those groups directly.

    Groups 0 to 59 merge three by three into 20, and every group whose
    code is a multiple of 7 is left out. A spread of 400 packs into 32-bit
    keys and 10^14 into 64-bit ones; 2^62 takes the ranking fallback, whose
    ranks of 5,000 values fit in 32 bits again.
    """
    rng = np.random.default_rng(11)
    group = rng.integers(0, 60, 5000)
    value = rng.integers(-spread // 2, spread // 2, 5000, dtype=np.int64)
    merged = np.arange(60) // 3
    merged[np.arange(60) % 7 == 0] = -1

    by_group = sort_values(group, value)
    assert by_group.keys.dtype == (np.int64 if spread == 10**14 else np.uint32)
    assert (by_group.distinct is not None) == (spread == 2**62)
    regrouped = summarise(regroup(by_group, merged))
    in_a_group = merged[group] >= 0
    direct = grouped_quantiles_numpy(merged[group][in_a_group], value[in_a_group])
    assert regrouped.group.tolist() == direct.group.tolist() == sorted(set(merged[merged >= 0].tolist()))
    for found, expected in zip(regrouped, direct):
        assert found.tolist() == expected.tolist()
    # The first group's figures, from Python's own sort.
    first = sorted(value[merged[group] == regrouped.group[0]].tolist())
    assert regrouped.median[0] == median(first)
    assert regrouped.p90[0] == first[-(-len(first) * 9 // 10) - 1]


def test_regroup_drops_every_value() -> None:
    by_group = sort_values(np.array([0, 1, 1]), np.array([5, 6, 7]))
    found = summarise(regroup(by_group, np.array([-1, -1])))
    assert len(found.group) == len(found.n) == 0


@pytest.mark.parametrize("offset", [10**12, -(10**12), 2**31 - 50])
def test_sort_values_far_from_zero(offset: int) -> None:
    """Values far beyond 32 bits but close together pack into 32-bit keys and come back exact."""
    rng = np.random.default_rng(5)
    group = rng.integers(0, 40, 2000)
    value = offset + rng.integers(0, 100, 2000)
    by_group = sort_values(group, value)
    assert by_group.keys.dtype == np.uint32
    found = summarise(by_group)
    for code, n, mean, mid, p90 in zip(*(column.tolist() for column in found)):
        mine = sorted(value[group == code].tolist())
        assert n == len(mine)
        assert mean == pytest.approx(sum(mine) / n, rel=1e-15)
        assert mid == median(mine)
        assert p90 == mine[-(-n * 9 // 10) - 1]
