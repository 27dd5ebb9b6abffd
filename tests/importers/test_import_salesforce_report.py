"""Salesforce report exported as CSV: labelled headers, en-US numbers and dates, footer lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_helpers import codes, count, deals_on, select, warning, write_quoted_csv

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, ImportOptions
from rasr.importers.formats import parse_number_locale
from rasr.importers.salesforce_report import import_salesforce_report

HEADER = ["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Amount Currency", "Amount", "Close Date",
          "Created Date", "Won", "Closed", "Opportunity ID"]
FOOTER = [
    "",
    '"Total"',
    '"Confidential Information - Do Not Distribute"',
    '"Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."',
]


def write_report(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    write_quoted_csv(path, header, rows)
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write("\r\n".join(FOOTER) + "\r\n")
    return path


def test_report_imported(sqlite_workspace, tmp_path: Path) -> None:
    path = write_report(tmp_path / "report.csv", [
        ["Rita Ng", "Acme", "Acme renewal", "Closed Won", "USD", "1,234,000.50", "3/15/2024", "1/2/2024", "1", "1",
         "0061x000001"],
        ["Rita Ng", "Beta", "Beta expansion", "Negotiation/Review", "USD", "12,500.00", "6/30/2024", "2/20/2024",
         "false", "false", "0061x000002"],
        ["Sam Ode", "Gamma", "Gamma pilot", "Closed Lost", "USD", "800.00", "4/1/2024", "2/1/2024", "0", "1",
         "0061x000003"],
    ])
    report = import_salesforce_report(sqlite_workspace, path, Settings())

    assert report.ok
    assert select(sqlite_workspace, "SELECT opp_id, rep_id, status, amount, created_on, close_on, account "
                                    "FROM opportunities ORDER BY opp_id") == [
        ("0061x000001", "Rita Ng", "won", 123400050, "2024-01-02", "2024-03-15", "Acme"),
        ("0061x000002", "Rita Ng", "open", 1250000, "2024-02-20", "2024-06-30", "Beta"),
        ("0061x000003", "Sam Ode", "lost", 80000, "2024-02-01", "2024-04-01", "Gamma"),
    ]
    assert select(sqlite_workspace, "SELECT rep_id, name FROM reps ORDER BY rep_id") == [
        ("Rita Ng", "Rita Ng"), ("Sam Ode", "Sam Ode"),
    ]
    assert warning(report, "footer_skipped")["count"] == 3
    assert report.rejected_rows == 0


def test_report_flags_decide(sqlite_workspace, tmp_path: Path) -> None:
    # The same four deals as in a Data Export: flags decide, and d2 and d3 are warned about.
    path = write_report(tmp_path / "report.csv", [
        ["Rep A", "A", "d1", "Closed Won", "USD", "8,000.00", "2/10/2024", "1/2/2024", "1", "1", "d1"],
        ["Rep A", "A", "d2", "Negotiation", "USD", "6,000.00", "2/12/2024", "1/2/2024", "1", "1", "d2"],
        ["Rep A", "A", "d3", "Closed Won", "USD", "4,000.00", "3/20/2024", "1/2/2024", "0", "0", "d3"],
        ["Rep A", "A", "d4", "Proposal", "USD", "2,000.00", "3/25/2024", "1/2/2024", "0", "0", "d4"],
    ])
    report = import_salesforce_report(sqlite_workspace, path, Settings())
    deals = deals_on(sqlite_workspace, "2024-02-29")
    assert {opp_id for opp_id, deal in deals.items() if deal["state"] == "won"} == {"d1", "d2"}
    assert sum(deal["amount"] for deal in deals.values() if deal["state"] == "won") == 1_400_000
    assert sum(deal["amount"] for deal in deals.values() if deal["state"] == "open") == 600_000
    assert warning(report, "stage_status_mismatch")["count"] == 2


def test_report_without_id_derives_stable_ids(sqlite_workspace, tmp_path: Path) -> None:
    header = HEADER[:-1]
    path = write_report(tmp_path / "report.csv", [
        ["Rita Ng", "Acme", "Acme renewal", "Prospecting", "USD", "100.00", "3/15/2024", "1/2/2024", "0", "0"],
    ], header)
    import_salesforce_report(sqlite_workspace, path, Settings())
    first = select(sqlite_workspace, "SELECT opp_id FROM opportunities")
    report = import_salesforce_report(sqlite_workspace, path, Settings(), ImportOptions(force=True))
    assert select(sqlite_workspace, "SELECT opp_id FROM opportunities") == first
    assert first[0][0].startswith("sfr-")
    assert "derived_opp_id" in codes(report)


def test_report_de_locale_declared(sqlite_workspace, tmp_path: Path) -> None:
    path = tmp_path / "bericht.csv"
    write_quoted_csv(path, HEADER, [
        ["Rita Ng", "Acme", "Acme", "Closed Won", "EUR", "1.234,50", "15.03.2024", "02.01.2024", "1", "1", "o1"],
    ], delimiter=";")
    options = ImportOptions(number_locale=parse_number_locale("de-DE"))
    import_salesforce_report(sqlite_workspace, path, Settings(), options)
    assert select(sqlite_workspace, "SELECT original_amount, currency, close_on FROM opportunities") == [
        (123450, "EUR", "2024-03-15"),
    ]


def test_report_missing_owner_column_fatal(sqlite_workspace, tmp_path: Path) -> None:
    path = write_report(tmp_path / "report.csv", [["Acme"]], ["Account Name"])
    with pytest.raises(ImportFailed, match="has no column Opportunity Owner or Owner or Owner Name"):
        import_salesforce_report(sqlite_workspace, path, Settings())
    assert count(sqlite_workspace, "opportunities") == 0
