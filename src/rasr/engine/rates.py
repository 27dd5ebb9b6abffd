"""Win rates, sizes and the blending of each rep's rates toward the team's."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from operator import add, attrgetter
from typing import Iterable

from rasr.engine.settings import Settings
from rasr.engine.values import Figure, missing


@dataclass(frozen=True)
class Pool:
    """Closed qualified deals in the lookback, pooled over one rep or many; amounts in cents."""

    won: int = 0
    lost: int = 0
    won_amount: int = 0
    closed_amount: int = 0
    closed_with_amount: int = 0
    won_with_amount: int = 0
    closed_missing_amount: int = 0

    @property
    def closed(self) -> int:
        return self.won + self.lost

    def __add__(self, other: "Pool") -> "Pool":
        return Pool(*map(add, _pool_values(self), _pool_values(other)))

    @classmethod
    def total(cls, pools: Iterable["Pool"]) -> "Pool":
        """Add up pools field by field, giving an empty Pool when there are none."""
        return cls(*map(sum, zip(*map(_pool_values, pools))))

    @classmethod
    def from_sums(cls, sums: dict) -> "Pool":
        return cls(*(int(sums.get(f) or 0) for f in cls.__dataclass_fields__))

    def count_rate(self) -> Figure:
        if self.closed == 0:
            return missing("no qualified deal closed in the lookback")
        return Figure(self.won / self.closed)

    def value_rate(self) -> Figure:
        if self.closed_amount == 0:
            return missing("no closed deal with an amount in the lookback")
        return Figure(self.won_amount / self.closed_amount)

    def size(self) -> Figure:
        """Mean amount of closed qualified deals, in cents."""
        if self.closed_with_amount == 0:
            return missing("no closed deal with an amount in the lookback")
        return Figure(self.closed_amount / self.closed_with_amount)

    def won_size(self) -> Figure:
        if self.won_with_amount == 0:
            return missing("no won deal with an amount in the lookback")
        return Figure(self.won_amount / self.won_with_amount)

    def missing_amount_share(self) -> float:
        return self.closed_missing_amount / self.closed if self.closed else 0.0


# The fields of a Pool as a tuple, in declaration order.
_pool_values = attrgetter(*Pool.__dataclass_fields__)


@dataclass(frozen=True)
class Rates:
    """One rep's rates: raw, blended toward the team with k pseudo deals, and what required pipeline uses."""

    count_raw: Figure
    value_raw: Figure
    size_raw: Figure
    count: Figure
    value: Figure
    size: Figure
    pipeline_rate: Figure  # the rate that divides a goal into required pipeline
    pipeline_rate_kind: str  # "value" or "count"
    notes: tuple[str, ...] = ()


def blend(rep: Pool, team: Pool, settings: Settings) -> Rates:
    """Blend a rep's count rate, value rate and size toward the team's raw figures.

    count = (won + k·V_c) / (closed + k); value = (won$ + k·S·V_v) / (closed$ + k·S);
    size = (closed$ + k·S) / (closed_with_amount + k), with V_c, V_v and S the team's
    raw count rate, value rate and mean closed size. k = 0 turns blending off.
    """
    k = float(settings.win_rate_prior_weight)
    team_count, team_value, team_size = team.count_rate(), team.value_rate(), team.size()
    count_raw, value_raw, size_raw = rep.count_rate(), rep.value_rate(), rep.size()
    notes: list[str] = []

    if k == 0 or team_count.value is None:
        count = count_raw
    else:
        count = Figure((rep.won + k * team_count.value) / (rep.closed + k))

    if k == 0 or team_value.value is None or team_size.value is None:
        value = value_raw
    else:
        prior = k * team_size.value
        value = Figure((rep.won_amount + prior * team_value.value) / (rep.closed_amount + prior))

    if k == 0 or team_size.value is None:
        size = size_raw
    else:
        size = Figure((rep.closed_amount + k * team_size.value) / (rep.closed_with_amount + k))

    share = rep.missing_amount_share()
    if share > settings.max_missing_amount_share:
        notes.append(
            f"{rep.closed_missing_amount} of {rep.closed} closed deals ({share:.0%}) lack an amount, over "
            f"max_missing_amount_share {settings.max_missing_amount_share:.0%}: required pipeline uses the "
            "count win rate instead of the value win rate"
        )
        value = missing("too many closed deals lack an amount")
        pipeline_rate, kind = count, "count"
    else:
        pipeline_rate, kind = value, "value"
    return Rates(count_raw, value_raw, size_raw, count, value, size, pipeline_rate, kind, tuple(notes))


def required_pipeline(goal_cents: Decimal | None, rate: Figure) -> Figure:
    """Pipeline needed to book goal at rate: goal / rate, in cents."""
    if goal_cents is None:
        return missing("no goal")
    if rate.value is None:
        return missing(rate.reason or "no win rate")
    if goal_cents <= 0:
        return Figure(0.0)
    if rate.value <= 0:
        return missing("not reachable: the win rate is 0")
    return Figure(float(goal_cents) / rate.value)


def required_opportunities(pipeline: Figure, size_cents: Figure) -> Figure:
    """ceil(required pipeline / opportunity size)."""
    if pipeline.value is None:
        return missing(pipeline.reason or "no required pipeline")
    if size_cents.value is None or size_cents.value <= 0:
        return missing(size_cents.reason or "no opportunity size")
    # Round away float noise before the ceiling, so 10.000000001 stays 10.
    return Figure(float(math.ceil(round(pipeline.value / size_cents.value, 9))))
