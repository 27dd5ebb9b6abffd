"""Pipedrive deals export: status decides, a won deal keeps an ordinary stage, no stage history."""

from __future__ import annotations

from pathlib import Path

from import_helpers import codes, count, select, write_quoted_csv

from rasr.engine.settings import Settings
from rasr.importers.pipedrive import import_pipedrive

COLUMNS = ["ID", "Title", "Owner", "Value", "Currency of Value", "Pipeline", "Stage", "Status", "Deal created",
           "Won time", "Lost time", "Expected close date", "Organization"]
ROWS = [
    ["1", "Acme", "Rita Ng", "1500", "USD", "Sales", "Negotiation", "Won", "2024-01-02 09:00:00",
     "2024-03-01 16:30:00", "", "2024-03-31", "Acme Ltd"],
    ["2", "Beta", "Rita Ng", "700.5", "USD", "Sales", "Qualified", "Lost", "2024-01-05 10:00:00", "",
     "2024-02-10 11:00:00", "", "Beta"],
    ["3", "Gamma", "Sam Ode", "900", "EUR", "Partners", "Qualified", "Open", "2024-02-01 08:00:00", "", "",
     "2024-05-31", ""],
    ["4", "Gone", "Sam Ode", "100", "USD", "Sales", "Qualified", "Deleted", "2024-02-01 08:00:00", "", "", "", ""],
]


def test_deals_imported_with_prefix(sqlite_workspace, tmp_path: Path) -> None:
    path = write_quoted_csv(tmp_path / "deals.csv", [f"Deal - {name}" for name in COLUMNS], ROWS)
    report = import_pipedrive(sqlite_workspace, path, Settings())

    assert report.ok
    assert select(sqlite_workspace, "SELECT opp_id, rep_id, status, original_amount, amount, created_on, close_on, "
                                    "stage FROM opportunities ORDER BY opp_id") == [
        ("1", "Rita Ng", "won", None, 150000, "2024-01-02", "2024-03-01", "Negotiation (Sales)"),
        ("2", "Rita Ng", "lost", None, 70050, "2024-01-05", "2024-02-10", "Qualified (Sales)"),
        # No EUR rate: kept, unpriced.
        ("3", "Sam Ode", "open", 90000, None, "2024-02-01", "2024-05-31", "Qualified (Partners)"),
    ]
    assert report.tables["opportunities"].deleted == 1
    # A won deal in an ordinary stage is normal for Pipedrive, so it is not a mismatch.
    assert "stage_status_mismatch" not in codes(report)
    assert "no_stage_history" in codes(report)
    assert count(sqlite_workspace, "stage_changes") == 0


def test_deals_imported_without_prefix(sqlite_workspace, tmp_path: Path) -> None:
    columns = [("Currency" if name == "Currency of Value" else name) for name in COLUMNS]
    path = write_quoted_csv(tmp_path / "deals.csv", columns, ROWS[:1])
    import_pipedrive(sqlite_workspace, path, Settings())
    assert select(sqlite_workspace, "SELECT opp_id, status, stage FROM opportunities") == [("1", "won", "Negotiation")]


def test_won_without_won_time_rejected(sqlite_workspace, tmp_path: Path) -> None:
    row = list(ROWS[0])
    row[COLUMNS.index("Won time")] = ""
    path = write_quoted_csv(tmp_path / "deals.csv", COLUMNS, [row])
    report = import_pipedrive(sqlite_workspace, path, Settings())
    assert report.rejected[0].reason.startswith("Won time is empty in deals.csv row 2")


def test_timezone_option_dates_won_time(sqlite_workspace, tmp_path: Path) -> None:
    # Won at 20:00 in Los Angeles on 1 March (UTC-8) is 04:00 UTC on 2 March.
    from rasr.importers import ImportOptions

    row = list(ROWS[0])
    row[COLUMNS.index("Won time")] = "2024-03-01 20:00:00"
    path = write_quoted_csv(tmp_path / "deals.csv", COLUMNS, [row])
    import_pipedrive(sqlite_workspace, path, Settings(), ImportOptions(source_timezone="America/Los_Angeles"))
    assert select(sqlite_workspace, "SELECT close_on FROM opportunities") == [("2024-03-02",)]


def test_unknown_status_rejected(sqlite_workspace, tmp_path: Path) -> None:
    row = list(ROWS[0])
    row[COLUMNS.index("Status")] = "Pending"
    path = write_quoted_csv(tmp_path / "deals.csv", COLUMNS, [row])
    report = import_pipedrive(sqlite_workspace, path, Settings())
    assert "Status 'Pending' in deals.csv row 2 is not a Pipedrive status" in report.rejected[0].reason
