"""Fiscal years, quarters and year to date with a fiscal year that starts in February."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_helpers import analyze_on
from scenario import Scenario

from rasr.engine.periods import Span, fiscal_quarter_span, fiscal_year_span, results_span
from rasr.engine.settings import Settings
from rasr.store import Workspace

FEBRUARY = Settings(fiscal_year_start_month=2)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- Spans, without a database ------------------------------------------------------------


def test_year_before_start_month() -> None:
    span = fiscal_year_span(d("2024-01-31"), FEBRUARY)
    # 31 January 2024 is the last day of the year that began on 1 February 2023.
    assert (span.start, span.end) == (d("2023-02-01"), d("2024-01-31"))
    assert span.name == "FY2024"


def test_year_from_start_month() -> None:
    span = fiscal_year_span(d("2024-02-01"), FEBRUARY)
    # Named by the calendar year in which it ends.
    assert (span.start, span.end) == (d("2024-02-01"), d("2025-01-31"))
    assert span.name == "FY2025"


def test_year_named_by_start() -> None:
    settings = Settings(fiscal_year_start_month=2, fiscal_year_named_by="start")
    assert fiscal_year_span(d("2024-02-01"), settings).name == "FY2024"


def test_label_shows_dates() -> None:
    assert fiscal_year_span(d("2024-02-01"), FEBRUARY).label == "FY2025 (2024-02-01..2025-01-31)"


@pytest.mark.parametrize(("day", "start", "end", "name"), [
    # Q1 is February to April. 2024 is a leap year, which changes no boundary.
    ("2024-02-01", "2024-02-01", "2024-04-30", "Q1 FY2025"),
    ("2024-04-30", "2024-02-01", "2024-04-30", "Q1 FY2025"),
    ("2024-05-01", "2024-05-01", "2024-07-31", "Q2 FY2025"),
    ("2024-10-31", "2024-08-01", "2024-10-31", "Q3 FY2025"),
    # Q4 runs across the calendar year end, November to January.
    ("2025-01-31", "2024-11-01", "2025-01-31", "Q4 FY2025"),
    ("2024-01-31", "2023-11-01", "2024-01-31", "Q4 FY2024"),
])
def test_quarter_spans(day: str, start: str, end: str, name: str) -> None:
    span = fiscal_quarter_span(d(day), FEBRUARY)
    assert (span.start, span.end) == (d(start), d(end))
    assert span.name == name


def test_ytd_below_min_days() -> None:
    span, note = results_span(d("2024-03-15"), FEBRUARY)
    # 1 Feb to 15 Mar 2024 is 29 + 15 = 44 days, below min_ytd_days 45, so the
    # results use the trailing 90 days: 2023-12-17..2024-03-15.
    assert span == Span(d("2023-12-17"), d("2024-03-15"), "last 90 days")
    assert note is not None
    assert "min_ytd_days" in note


def test_ytd_at_min_days() -> None:
    span, note = results_span(d("2024-03-16"), FEBRUARY)
    # 45 days into the year: year to date.
    assert (span.start, span.end) == (d("2024-02-01"), d("2024-03-16"))
    assert note is None


# --- Bookings the engine reports ----------------------------------------------------------


def fiscal_wins() -> Scenario:
    """Build wins on the edges of the February fiscal year's quarters."""
    s = Scenario().rep("rep_a", start="2020-01-01")
    for amount, close in ((100, "2024-01-31"), (200, "2024-02-01"), (400, "2024-04-30"),
                          (800, "2024-05-01"), (1_600, "2025-01-31")):
        s.opp("rep_a", "won", amount, created="2023-12-01", close=close)
    return s


def test_bookings_by_fiscal_period(backend: Workspace) -> None:
    fiscal_wins().save(backend)

    def requirements(as_of: str) -> dict:
        result = analyze_on(backend, as_of, settings=FEBRUARY, briefs_for={"rep_a"})
        return result.brief("rep_a")["requirements"]

    mid_q1 = requirements("2024-03-15")
    end_q1 = requirements("2024-04-30")
    end_q2 = requirements("2024-07-31")
    end_year = requirements("2025-01-31")

    # Quarter to date on 15 March: only the 200 of 1 February.
    assert mid_q1["quarter"]["bookings"] == 200
    # Q1 (Feb to Apr 2024): 200 + 400.
    assert end_q1["quarter"]["bookings"] == 600
    # FY2025 to date contains nothing more, because the 100 of 31 January 2024 is in FY2024.
    assert end_q1["year"]["span"]["name"] == "FY2025"
    assert end_q1["year"]["bookings"] == 600
    # Q2 (May to Jul 2024): the 800 of 1 May.
    assert end_q2["quarter"]["bookings"] == 800
    # Q4 (Nov 2024 to Jan 2025): the 1,600 of 31 January 2025.
    assert end_year["quarter"]["bookings"] == 1_600
    # The year: 200 + 400 + 800 + 1,600.
    assert end_year["year"]["bookings"] == 3_000

