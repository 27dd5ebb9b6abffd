"""Exchange rates: conversion at import, unpriced deals kept and flagged, re-priced when rates arrive."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal
from pathlib import Path

from import_helpers import codes, select, warning

from rasr.engine.analysis import analyze
from rasr.engine.settings import Settings
from rasr.importers import import_generic
from rasr.importers.rates import import_rates


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def three_currency_wins(folder: Path) -> None:
    write(folder / "reps.csv", """
        rep_id,name
        r1,Rita
        """)
    write(folder / "opportunities.csv", """
        opp_id,rep_id,status,amount,currency,created_on,close_on
        usd,r1,won,1000,USD,2024-01-05,2024-02-01
        eur,r1,won,1000,EUR,2024-01-05,2024-02-02
        gbp,r1,won,500,GBP,2024-01-05,2024-02-03
        """)


def test_unpriced_win_counted_not_summed(workspace, folder: Path, tmp_path: Path) -> None:
    # Won 1,000 USD + 1,000 EUR at 1.10 = 2,100 USD; GBP has no rate. Mean deal = 2,100 / 2 = 1,050; three wins.
    three_currency_wins(folder)
    write(folder / "rates.csv", """
        currency,rate
        USD,1.00
        EUR,1.10
        """)
    report = import_generic(workspace, folder, Settings())

    assert "gbp (GBP 2024-02-03)" in warning(report, "unpriced")["message"]
    assert select(workspace, "SELECT opp_id, amount, original_amount, unpriced FROM opportunities ORDER BY opp_id") == [
        ("eur", 110000, 100000, 0), ("gbp", None, 50000, 1), ("usd", 100000, None, 0),
    ]
    result = analyze(workspace, settings=Settings(), as_of=dt.date(2024, 3, 31))
    metrics = next(row for row in result.as_dict()["reps"] if row["rep_id"] == "r1")["metrics"]
    assert metrics["won_count"] == 3
    assert Decimal(str(metrics["won_amount"])) == Decimal("2100")
    assert Decimal(str(metrics["won_deal_size_mean"])) == Decimal("1050")


def test_rates_imported_later_reprice(workspace, folder: Path, tmp_path: Path) -> None:
    three_currency_wins(folder)
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT COUNT(*) FROM opportunities WHERE unpriced") == [(2,)]

    rates = write(tmp_path / "rates.csv", """
        Currency,Rate,Valid From
        EUR,1.10,2024-01-01
        GBP,1.25,2024-02-03
        """)
    report = import_rates(workspace, rates, Settings())

    assert report.ok
    assert report.tables["opportunities"].repriced == 2
    assert "repriced" in codes(report)
    assert select(workspace, "SELECT opp_id, amount, unpriced FROM opportunities ORDER BY opp_id") == [
        ("eur", 110000, 0), ("gbp", 62500, 0), ("usd", 100000, 0),
    ]


def test_rate_valid_on_close_date(sqlite_workspace, folder: Path, tmp_path: Path) -> None:
    # Closed deals take the rate valid on close_on, open ones the rate valid on created_on.
    write(folder / "opportunities.csv", """
        opp_id,rep_id,status,amount,currency,created_on,close_on
        closed,r1,won,100,EUR,2024-01-05,2024-03-10
        open,r1,open,100,EUR,2024-01-05,2024-06-30
        early,r1,won,100,EUR,2023-06-01,2023-12-31
        """)
    write(folder / "rates.csv", """
        currency,rate,valid_from
        EUR,1.10,2024-01-01
        EUR,1.20,2024-03-01
        """)
    report = import_generic(sqlite_workspace, folder, Settings())
    assert select(sqlite_workspace, "SELECT opp_id, amount, unpriced FROM opportunities ORDER BY opp_id") == [
        ("closed", 12000, 0), ("early", None, 1), ("open", 11000, 0),
    ]
    assert warning(report, "unpriced")["count"] == 1


def test_rates_file_bad_rate_rejected(sqlite_workspace, tmp_path: Path) -> None:
    rates = write(tmp_path / "rates.csv", """
        currency,rate
        EUR,-1
        GBP,abc
        CHF,1.05
        """)
    report = import_rates(sqlite_workspace, rates, Settings())
    assert report.rejected_rows == 2
    assert select(sqlite_workspace, "SELECT currency, rate FROM rates") == [("CHF", 1.05)]
