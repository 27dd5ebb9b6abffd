"""Exact medians and nearest-rank percentiles that run on every backend.

DuckDB has exact aggregates for both: `median` (the mean of the two middle
values when the count is even) and `quantile_disc`, which picks the value
at rank ceil(p × n), the nearest-rank percentile. At a million deals they
are faster than window ranks, so DuckDB uses them. SQLite has neither. On SQLite,
PostgreSQL and Spark both are computed from window ranks with the same
definitions.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import ibis.expr.types as ir

# Backends whose native aggregates `grouped_quantiles` uses.
NATIVE = frozenset({"duckdb"})


@ibis.udf.agg.builtin
def quantile_disc(arg: float, q: float) -> float:
    """DuckDB's discrete quantile: the value at rank ceil(q × n) of the sorted non-NULL values."""


def grouped_quantiles(values: ir.Table, keys: Sequence[str], value: str = "value", *,
                      native: bool = False) -> ir.Table:
    """Per group of keys: n, mean, exact median and nearest-rank 90th percentile of value.

    NULL values are left out. native selects DuckDB's aggregates (see
    NATIVE); both forms give the same figures.
    """
    present = values.filter(values[value].notnull())
    keys = list(keys)
    if native:
        column = present[value]
        return present.group_by(keys).aggregate(
            n=column.count(), mean=column.mean(), median=column.median(), p90=quantile_disc(column, 0.9),
        )
    order = ibis.window(group_by=keys, order_by=present[value])
    ranked = present.mutate(
        _rank=ibis.row_number().over(order),
        _n=present[value].count().over(ibis.window(group_by=keys)),
    )
    # row_number is 0-based: the middle rows are (n-1)//2 and n//2 (the same row when n is odd).
    lower = (ranked._n - 1) // 2
    upper = ranked._n // 2
    # ceil(0.9 n) in integers, as a 0-based rank.
    p90_rank = (ranked._n * 9 + 9) // 10 - 1
    return ranked.group_by(keys).aggregate(
        n=ranked._n.max(),
        mean=ranked[value].mean(),
        median=ranked[value].mean(where=(ranked._rank == lower) | (ranked._rank == upper)),
        p90=ranked[value].max(where=ranked._rank == p90_rank),
    )


def median(values: Sequence[float]) -> float | None:
    """Return the exact median of a Python sequence (the mean of the two middle values when even)."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
