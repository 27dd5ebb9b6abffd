"""Fiscal calendar and the date spans every metric is measured over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from rasr.engine.settings import Settings

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """An inclusive range of calendar dates with a label that shows them."""

    start: dt.date
    end: dt.date
    name: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    # Cached because goal warnings and every brief show the same few spans' labels.
    @cached_property
    def label(self) -> str:
        dates = f"{self.start.isoformat()}..{self.end.isoformat()}"
        return f"{self.name} ({dates})" if self.name else dates

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def clip_end(self, end: dt.date) -> "Span":
        return Span(self.start, min(self.end, end), self.name)

    def to_dict(self) -> dict:
        return {"name": self.name, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "days": self.days, "label": self.label}


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def month_span(day: dt.date) -> Span:
    start = day.replace(day=1)
    year, month = _add_months(start.year, start.month, 1)
    end = dt.date(year, month, 1) - DAY
    return Span(start, end, start.strftime("%b %Y"))


def fiscal_year_span(day: dt.date, settings: Settings) -> Span:
    """Return the fiscal year containing day, named by its end year unless fiscal_year_named_by is 'start'."""
    first_month = settings.fiscal_year_start_month
    start_year = day.year if day.month >= first_month else day.year - 1
    start = dt.date(start_year, first_month, 1)
    end_year, end_month = _add_months(start_year, first_month, 12)
    end = dt.date(end_year, end_month, 1) - DAY
    named = end.year if settings.fiscal_year_named_by == "end" else start.year
    return Span(start, end, f"FY{named}")


def fiscal_quarter_span(day: dt.date, settings: Settings) -> Span:
    year = fiscal_year_span(day, settings)
    months_in = (day.year - year.start.year) * 12 + day.month - year.start.month
    quarter = months_in // 3
    start_year, start_month = _add_months(year.start.year, year.start.month, quarter * 3)
    end_year, end_month = _add_months(start_year, start_month, 3)
    start = dt.date(start_year, start_month, 1)
    return Span(start, dt.date(end_year, end_month, 1) - DAY, f"Q{quarter + 1} {year.name}")


def fiscal_month_index(day: dt.date, settings: Settings) -> int:
    """0-based month of the fiscal year, used to index seasonality weights."""
    return (day.month - settings.fiscal_year_start_month) % 12


def lookback_span(as_of: dt.date, settings: Settings, periods_back: int = 0) -> Span:
    """Return the trailing lookback ending on as_of, or the one ending periods_back lookbacks earlier."""
    end = as_of - dt.timedelta(days=settings.lookback_days * periods_back)
    start = end - dt.timedelta(days=settings.lookback_days - 1)
    name = "lookback" if periods_back == 0 else "previous lookback"
    return Span(start, end, name)


def horizon_span(as_of: dt.date, settings: Settings) -> Span:
    """Return the process horizon: the horizon_days after as_of."""
    return Span(as_of + DAY, as_of + dt.timedelta(days=settings.horizon_days), f"next {settings.horizon_days} days")


def trailing_horizon_span(as_of: dt.date, settings: Settings) -> Span:
    start = as_of - dt.timedelta(days=settings.horizon_days - 1)
    return Span(start, as_of, f"last {settings.horizon_days} days")


def results_span(as_of: dt.date, settings: Settings) -> tuple[Span, str | None]:
    """Return the span the quota and aspiration questions use, and a note when it is not YTD.

    YTD runs from the fiscal year start to as_of; while fewer than
    min_ytd_days have passed, the trailing horizon is used instead.
    """
    year = fiscal_year_span(as_of, settings)
    ytd = Span(year.start, as_of, f"{year.name} to date")
    if ytd.days < settings.min_ytd_days:
        note = (f"only {ytd.days} days into {year.name} (fewer than min_ytd_days {settings.min_ytd_days}): "
                f"results use the last {settings.horizon_days} days instead of year to date")
        return trailing_horizon_span(as_of, settings), note
    return ytd, None


def requirement_spans(as_of: dt.date, settings: Settings) -> dict[str, Span]:
    """Return the current month, fiscal quarter and fiscal year containing as_of."""
    return {
        "month": month_span(as_of),
        "quarter": fiscal_quarter_span(as_of, settings),
        "year": fiscal_year_span(as_of, settings),
    }


def parse_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD, raising ValueError with the expected form."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"invalid date {text!r}: expected an existing day as YYYY-MM-DD, e.g. 2017-06-30") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"invalid date {text!r}: expected a day from {EARLIEST_DATE} to {LATEST_DATE}")
    return day


# Analysis dates stay inside this range, so lookbacks and fiscal years never leave the calendar.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
