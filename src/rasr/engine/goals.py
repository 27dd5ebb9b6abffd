"""Goals of any span, pro-rated from quota (or aspiration) rows by calendar days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import starmap
from typing import Sequence

from rasr.engine.periods import DAY, Span, fiscal_year_span
from rasr.engine.settings import Settings


@dataclass(frozen=True)
class GoalRow:
    """One quota or aspiration row; amount in cents."""

    starts_on: dt.date
    ends_on: dt.date
    amount: int

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Goal:
    """The goal of one span: amount in cents (None when no row covers it) and its coverage."""

    span: Span
    amount: Decimal | None
    covered_days: int
    covered: tuple[Span, ...] = ()
    uncovered: tuple[Span, ...] = ()
    assumed_days: int = 0
    warnings: tuple[str, ...] = field(default=())

    @property
    def coverage(self) -> float:
        return self.covered_days / self.span.days if self.span.days else 0.0


def _overlap(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> tuple[dt.date, dt.date] | None:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return (start, end) if start <= end else None


def _spread_by_season(row: GoalRow, settings: Settings) -> list[GoalRow]:
    """Split a row covering one whole fiscal year into months weighted by seasonality."""
    weights = settings.seasonality
    if not weights:
        return [row]
    year = fiscal_year_span(row.starts_on, settings)
    if (row.starts_on, row.ends_on) != (year.start, year.end):
        return [row]
    total = Decimal(str(sum(weights)))
    parts = []
    start = year.start
    for weight in weights:
        month_end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - DAY
        parts.append((start, month_end, Decimal(str(weight)) / total))
        start = month_end + DAY
    # Fractional amounts are kept exact by carrying them as Decimal shares of the row.
    return [_WeightedRow(s, e, row.amount, share) for s, e, share in parts]


@dataclass(frozen=True)
class _WeightedRow(GoalRow):
    share: Decimal = Decimal(1)

    @property
    def value(self) -> Decimal:
        return Decimal(self.amount) * self.share


def _row_value(row: GoalRow) -> Decimal:
    return row.value if isinstance(row, _WeightedRow) else Decimal(row.amount)


def _merge(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    if len(ranges) < 2:
        return ranges
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def goal_for_span(
    rows: Sequence[GoalRow],
    span: Span,
    settings: Settings,
    *,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    assume_uncovered: bool = False,
    what: str = "quota",
) -> Goal:
    """Pro-rate rows onto span: Σ amount × overlap_days / row_days, both ends inclusive.

    Only days within the rep's [start_date, end_date] count toward the goal.
    Days no row covers make the goal partial (coverage below 1, with a
    warning); with assume_uncovered, used for the process horizon, those
    days take the daily rate of the latest earlier row and are marked as
    assumed.
    """
    employed_start = max(span.start, start_date) if start_date else span.start
    employed_end = min(span.end, end_date) if end_date else span.end
    if settings.seasonality:
        expanded = [part for row in rows for part in _spread_by_season(row, settings)]
    else:
        expanded = rows

    total = Decimal(0)
    covered_ranges = []
    for row in expanded:
        # Most rows lie wholly before or after the span, so skip them before computing any overlap.
        if row.ends_on < span.start or row.starts_on > span.end:
            continue
        hit = _overlap(row.starts_on, row.ends_on, span.start, span.end)
        if hit is None:
            continue
        covered_ranges.append(hit)
        employed = _overlap(hit[0], hit[1], employed_start, employed_end)
        if employed is None:
            continue
        days = (employed[1] - employed[0]).days + 1
        total += _row_value(row) * days / row.days

    covered = _merge(covered_ranges)
    covered_days = 0
    uncovered = []
    cursor = span.start
    for start, end in covered:
        covered_days += (end - start).days + 1
        if start > cursor:
            uncovered.append((cursor, start - DAY))
        cursor = end + DAY
    if cursor <= span.end:
        uncovered.append((cursor, span.end))

    assumed_days = 0
    warnings = []
    if uncovered and assume_uncovered and rows:
        for gap_start, gap_end in uncovered:
            earlier = [r for r in rows if r.ends_on < gap_start]
            if not earlier:
                continue
            latest = max(earlier, key=lambda r: r.ends_on)
            employed = _overlap(gap_start, gap_end, employed_start, employed_end)
            if employed is None:
                continue
            days = (employed[1] - employed[0]).days + 1
            total += Decimal(latest.amount) * days / latest.days
            assumed_days += (gap_end - gap_start).days + 1
        if assumed_days:
            warnings.append(
                f"{assumed_days} of {span.days} days of {span.label} have no {what} row: "
                "assumed at the daily rate of the latest earlier row"
            )

    effective_days = covered_days + assumed_days
    if effective_days == 0:
        return Goal(span, None, 0, (), tuple(starmap(Span, uncovered)), 0,
                    (f"no {what} row covers {span.label}: the goal is missing, not zero",))
    if uncovered and not assumed_days:
        gaps = ", ".join(Span(s, e).label for s, e in uncovered)
        warnings.append(
            f"{what} covers {covered_days} of {span.days} days of {span.label}; no {what} for {gaps} "
            "(missing, not zero): attainment compares only bookings on covered days"
        )
    return Goal(
        span=span,
        amount=total,
        covered_days=covered_days,
        covered=tuple(starmap(Span, covered)),
        uncovered=tuple(starmap(Span, uncovered)),
        assumed_days=assumed_days,
        warnings=tuple(warnings),
    )
