"""Exact medians and nearest-rank percentiles, in SQL on any backend and in NumPy.

The median is the mean of the two middle values when the count is even.
The 90th percentile is the value at rank ceil(0.9 × n), the nearest-rank
percentile. SQLite has no aggregate for either, so the SQL form ranks the
values with window functions, which every backend runs.

The per-deal values are whole numbers (days and cents), so `sort_values`
packs each group code and value into one integer (32-bit where they fit,
else 64-bit) and sorts that array once. `regroup` moves sorted values to
coarser groups, such as reps to teams, and `summarise` reads the figures
at fixed positions. SQLite, PostgreSQL and DuckDB workspaces use them. At
a million deals on DuckDB, timed one after the other, the 64-bit form took
0.7 s against 1.5 s with DuckDB's median and quantile aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import ibis
import ibis.expr.types as ir
import numpy as np


def grouped_quantiles(values: ir.Table, keys: Sequence[str], value: str = "value") -> ir.Table:
    """Per group of keys: n, mean, exact median and nearest-rank 90th percentile of value.

    NULL values are left out.
    """
    present = values.filter(values[value].notnull())
    keys = list(keys)
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


class GroupedQuantiles(NamedTuple):
    """Figures per group, in ascending group code: the code, n, mean, median and 90th percentile."""

    group: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    p90: np.ndarray


# Bits of a packed key that hold the group code and the value. Keeping one bit below int64's 63 keeps keys positive.
_KEY_BITS = 62


@dataclass
class SortedValues:
    """Values packed with their group codes into one integer each and sorted: by group, then by value.

    A key has the group code above value_bits and the value less lowest
    (or, where distinct is set, the value's index in distinct) below. Keys
    are uint32 where they fit, which sorts faster than int64.
    """

    keys: np.ndarray
    value_bits: int
    lowest: int
    distinct: np.ndarray | None

    def groups(self) -> np.ndarray:
        return self.keys >> self.value_bits


def _key_type(group_bits: int, value_bits: int) -> type:
    return np.uint32 if group_bits + value_bits <= 32 else np.int64


def sort_values(group: np.ndarray, value: np.ndarray, *, reuse_group: bool = False) -> SortedValues:
    """Pack each (group, value) pair into one integer and sort them.

    group contains non-negative integer codes and value whole numbers, of
    equal length. Where the value range does not fit beside the group codes,
    values are replaced by their rank among the distinct values first, which
    keeps the order.

    With reuse_group the keys may be built in group's own memory, which the
    caller then no longer reads: at 10M deals each array has about 30M
    values, and every new one costs time to allocate.
    """
    group = np.asarray(group)
    value = np.asarray(value)
    if value.dtype.kind not in "iu":
        value = value.astype(np.int64)
    if len(value) == 0:
        return SortedValues(np.empty(0, dtype=np.int64), 0, 0, None)
    group_bits = int(group.max()).bit_length()
    lowest, highest = int(value.min()), int(value.max())
    value_bits = (highest - lowest).bit_length()
    distinct = None
    if group_bits + value_bits > _KEY_BITS:
        distinct, ranks = np.unique(value, return_inverse=True)
        value_bits = (len(distinct) - 1).bit_length()
        if group_bits + value_bits > _KEY_BITS:
            raise ValueError(f"too many groups ({int(group.max()) + 1}) for {len(distinct)} distinct values: "
                             f"the packed keys would need more than {_KEY_BITS} bits")
        value, lowest = ranks, 0
    key_type = _key_type(group_bits, value_bits)
    keys = group if reuse_group and group.dtype == key_type else group.astype(key_type)
    # The value bits lie below the group bits, so adding value - lowest packs the pair. Integer arrays
    # wrap around, so adding value and then subtracting lowest gives the same keys without a temporary array.
    keys <<= value_bits
    np.add(keys, value, out=keys, casting="unsafe")
    if lowest:
        # lowest wrapped into the keys' type, which may be too narrow for it.
        keys -= np.array(lowest, dtype=np.int64).astype(key_type)
    keys.sort()
    return SortedValues(keys, value_bits, lowest, distinct)


def regroup(values: SortedValues, codes: np.ndarray) -> SortedValues:
    """Move every value to the group codes[its group] and sort again. A negative code leaves the value out.

    Values stay in order within each old group, so the keys arrive as sorted
    runs, which a merge sort orders faster than unsorted keys.
    """
    codes = np.asarray(codes)
    top = int(codes.max()) if len(codes) else 0
    key_type = _key_type(top.bit_length(), values.value_bits)
    groups = codes[values.groups()]
    low = values.keys & values.keys.dtype.type((1 << values.value_bits) - 1)
    if len(codes) and codes.min() < 0:
        in_scope = groups >= 0
        groups, low = groups[in_scope], low[in_scope]
        del in_scope
    keys = groups.astype(key_type)
    del groups
    keys <<= values.value_bits
    np.bitwise_or(keys, low, out=keys, casting="unsafe")
    del low
    keys.sort(kind="stable")
    return SortedValues(keys, values.value_bits, values.lowest, values.distinct)


def summarise(values: SortedValues) -> GroupedQuantiles:
    """Return per group of sorted values: n, mean, exact median and nearest-rank 90th percentile."""
    keys = values.keys
    if len(keys) == 0:
        empty = np.empty(0)
        return GroupedQuantiles(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), empty, empty, empty)
    codes = keys >> values.value_bits
    starts = np.flatnonzero(codes[1:] != codes[:-1])
    starts += 1
    starts = np.concatenate(([0], starts))
    codes = codes[starts].astype(np.int64)
    counts = np.diff(np.append(starts, len(keys)))
    low = keys & keys.dtype.type((1 << values.value_bits) - 1)
    if low.dtype == np.uint32 and values.value_bits < 32:
        # Below 2^31, so the same bits read as int32, which can also be negative.
        low = low.view(np.int32)
    if values.distinct is not None:
        ordered = values.distinct[low]
        lowest, highest = int(values.distinct[0]), int(values.distinct[-1])
    else:
        lowest = values.lowest
        highest = lowest + int(low.max())
        # The values stay in low's type where they fit in it, and are widened otherwise.
        if low.dtype != np.int64 and not np.iinfo(low.dtype).min <= lowest <= highest <= np.iinfo(low.dtype).max:
            low = low.astype(np.int64)
        low += low.dtype.type(lowest)
        ordered = low
    # Sums of whole numbers are exact in int64 (and then in float64 below 2^53), whatever their order.
    big = max(abs(lowest), abs(highest)) * len(ordered) >= 2**62
    sums = np.add.reduceat(ordered, starts, dtype=np.float64 if big else np.int64)
    lower = ordered[starts + (counts - 1) // 2]
    upper = ordered[starts + counts // 2]
    # ceil(0.9 n) in integers, as a 1-based rank.
    p90 = ordered[starts + (counts * 9 + 9) // 10 - 1]
    return GroupedQuantiles(
        codes, counts, sums / counts, (lower.astype(np.float64) + upper) / 2, p90.astype(np.float64),
    )


def grouped_quantiles_numpy(group: np.ndarray, value: np.ndarray, *, reuse_group: bool = False) -> GroupedQuantiles:
    """Return per distinct group code: n, mean, exact median and nearest-rank 90th percentile of value.

    group contains non-negative integer codes and value whole numbers, of
    equal length (see `sort_values`, which reuse_group is passed to).
    """
    return summarise(sort_values(group, value, reuse_group=reuse_group))


def median(values: Sequence[float]) -> float | None:
    """Return the exact median of a Python sequence (the mean of the two middle values when even)."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2
