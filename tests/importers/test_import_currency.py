"""Opportunity amounts in another currency are converted with the rate valid on their date."""

from __future__ import annotations

from import_helpers import select, warning

from rasr.engine.settings import Settings
from rasr.importers import import_generic

QUERY = "SELECT opp_id, amount, original_amount, currency, unpriced FROM opportunities ORDER BY opp_id"


def test_amount_converted_with_rate_on_close(workspace, folder, write) -> None:
    write("rates.csv", """
        currency,rate,valid_from
        EUR,1.10,2024-01-01
        EUR,1.20,2024-03-01
        """)
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,currency,created_on,close_on
        o1,r1,won,1000,EUR,2024-01-15,2024-02-20
        o2,r1,open,1000,eur,2024-03-05,2024-01-31
        o3,r1,won,1000,USD,2024-01-15,2024-02-20
        o4,r1,won,1000,,2024-01-15,2024-02-20
        """)
    report = import_generic(workspace, folder, Settings())
    # o1 closed 20 Feb: rate 1.10 (valid from 1 Jan), 1000 EUR = 1100 USD = 110000 cents.
    # o2 is open: its created_on 5 Mar takes 1.20, so 1200 USD.
    # o3 is in USD and o4 has no currency: both stay 1000 USD, without an original amount.
    assert select(workspace, QUERY) == [
        ("o1", 110000, 100000, "EUR", 0),
        ("o2", 120000, 100000, "EUR", 0),
        ("o3", 100000, None, "USD", 0),
        ("o4", 100000, None, "USD", 0),
    ]
    assert warning(report, "converted_amount")["count"] == 2


def test_no_rate_leaves_unpriced(workspace, folder, write) -> None:
    write("rates.csv", """
        currency,rate,valid_from
        EUR,1.10,2024-03-01
        """)
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,currency,close_on
        o1,r1,won,1000,EUR,2024-02-20
        o2,r1,won,1000,GBP,2024-02-20
        """)
    report = import_generic(workspace, folder, Settings())
    # o1 closed before the first EUR rate; there is no GBP rate at all.
    assert select(workspace, QUERY) == [
        ("o1", None, 100000, "EUR", 1),
        ("o2", None, 100000, "GBP", 1),
    ]
    unpriced = warning(report, "unpriced")
    assert unpriced["count"] == 2
    assert unpriced["rows"] == ["o1 (EUR 2024-02-20)", "o2 (GBP 2024-02-20)"]


def test_stored_rate_used(workspace, folder, write) -> None:
    write("rates.csv", """
        currency,rate
        EUR,1.5
        """)
    import_generic(workspace, folder, Settings())
    (folder / "rates.csv").unlink()
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,currency,close_on
        o1,r1,lost,10.01,EUR,2024-02-20
        """)
    import_generic(workspace, folder, Settings())
    # 10.01 EUR at 1.5 = 15.015 USD, rounded half up to 15.02 = 1502 cents.
    assert select(workspace, "SELECT amount, original_amount FROM opportunities") == [(1502, 1001)]


def test_other_reporting_currency(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,currency,close_on
        o1,r1,won,80,eur,2024-02-20
        """)
    import_generic(workspace, folder, Settings(reporting_currency="EUR"))
    assert select(workspace, QUERY) == [("o1", 8000, None, "EUR", 0)]
