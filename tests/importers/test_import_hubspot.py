"""HubSpot deals export: stage history rebuilt from the latest entry and exit of each stage."""

from __future__ import annotations

from pathlib import Path

from import_helpers import codes, select, warning, write_quoted_csv

from rasr.engine.settings import Settings
from rasr.importers import ImportOptions
from rasr.importers.hubspot import import_hubspot

PIPELINE = "Sales Pipeline"
STAGES = ["Appointment Scheduled", "Qualified To Buy", "Contract Sent", "Closed Won", "Closed Lost"]
BASE = ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date", "Deal owner",
        "Currency"]
HEADER = BASE + [f'Date {side} "{stage} ({PIPELINE})"' for stage in STAGES for side in ("entered", "exited")]


def deal(record_id: str, stage: str, amount: str, close: str, created: str, visits: dict[str, tuple[str, str]],
         owner: str = "Rita Ng") -> list[str]:
    row = [record_id, f"Deal {record_id}", stage, PIPELINE, amount, close, created, owner, "USD"]
    for name in STAGES:
        entered, exited = visits.get(name, ("", ""))
        row += [entered, exited]
    return row


def test_history_rebuilt(sqlite_workspace, tmp_path: Path) -> None:
    path = write_quoted_csv(tmp_path / "deals.csv", HEADER, [
        deal("101", "Closed Won", "5000", "2024-03-10 15:00", "2024-01-02 09:00", {
            "Appointment Scheduled": ("2024-01-02 09:00", "2024-01-15 10:00"),
            "Qualified To Buy": ("2024-01-15 10:00", "2024-02-20 11:00"),
            "Contract Sent": ("2024-02-20 11:00", "2024-03-10 15:00"),
            "Closed Won": ("2024-03-10 15:00", ""),
        }),
        deal("102", "Contract Sent", "", "2024-06-30 00:00", "2024-02-01 08:00", {
            "Appointment Scheduled": ("2024-02-01 08:00", "2024-02-05 08:00"),
            "Contract Sent": ("2024-02-05 08:00", ""),
        }),
    ])
    report = import_hubspot(sqlite_workspace, path, Settings())

    assert report.ok
    assert select(sqlite_workspace, "SELECT opp_id, status, amount, created_on, close_on, stage FROM opportunities "
                                    "ORDER BY opp_id") == [
        ("101", "won", 500000, "2024-01-02", "2024-03-10", "Closed Won"),
        ("102", "open", None, "2024-02-01", "2024-06-30", "Contract Sent"),
    ]
    assert select(sqlite_workspace, "SELECT stage, entered_on FROM stage_changes WHERE opp_id = '101' "
                                    "ORDER BY entered_at") == [
        ("Appointment Scheduled", "2024-01-02"), ("Qualified To Buy", "2024-01-15"),
        ("Contract Sent", "2024-02-20"), ("Closed Won", "2024-03-10"),
    ]
    assert select(sqlite_workspace, "SELECT stage, position, kind FROM stages ORDER BY position") == [
        ("Appointment Scheduled", 1, "open"), ("Qualified To Buy", 2, "open"), ("Contract Sent", 3, "open"),
        ("Closed Won", 4, "won"), ("Closed Lost", 5, "lost"),
    ]
    assert "partial_history" not in codes(report)


def test_revisited_stage_counted_partial(sqlite_workspace, tmp_path: Path) -> None:
    # Appointment -> Qualified -> Appointment -> Contract Sent: only the latest entry of Appointment is kept.
    path = write_quoted_csv(tmp_path / "deals.csv", HEADER, [
        deal("201", "Contract Sent", "100", "2024-06-30 00:00", "2024-01-02 09:00", {
            "Appointment Scheduled": ("2024-02-01 09:00", "2024-02-10 09:00"),
            "Qualified To Buy": ("2024-01-10 09:00", "2024-02-01 09:00"),
            "Contract Sent": ("2024-02-10 09:00", ""),
        }),
        # Left a stage and came back: its exit is before its latest entry.
        deal("202", "Qualified To Buy", "100", "2024-06-30 00:00", "2024-01-02 09:00", {
            "Appointment Scheduled": ("2024-01-02 09:00", "2024-01-05 09:00"),
            "Qualified To Buy": ("2024-01-20 09:00", "2024-01-10 09:00"),
            "Contract Sent": ("2024-01-10 09:00", "2024-01-20 09:00"),
        }),
        deal("203", "Qualified To Buy", "100", "2024-06-30 00:00", "2024-01-02 09:00", {
            "Appointment Scheduled": ("2024-01-02 09:00", "2024-01-05 09:00"),
            "Qualified To Buy": ("2024-01-05 09:00", ""),
        }),
    ])
    report = import_hubspot(sqlite_workspace, path, Settings())
    partial = warning(report, "partial_history")
    assert partial["count"] == 2
    assert partial["rows"] == ["201", "202"]
    assert select(sqlite_workspace, "SELECT stage FROM stage_changes WHERE opp_id = '201' ORDER BY entered_at") == [
        ("Qualified To Buy",), ("Appointment Scheduled",), ("Contract Sent",),
    ]


def test_account_timezone_converted(sqlite_workspace, tmp_path: Path) -> None:
    # 2024-03-10 20:00 in New York (UTC-4 from that morning) is 00:00 UTC on 11 March.
    path = write_quoted_csv(tmp_path / "deals.csv", HEADER, [
        deal("301", "Closed Won", "100", "2024-03-10 20:00", "2024-01-02 09:00", {
            "Closed Won": ("2024-03-10 20:00", ""),
        }),
    ])
    import_hubspot(sqlite_workspace, path, Settings(), ImportOptions(source_timezone="America/New_York"))
    assert select(sqlite_workspace, "SELECT close_on FROM opportunities") == [("2024-03-11",)]
    assert select(sqlite_workspace, "SELECT entered_at, entered_on, entered_raw FROM stage_changes") == [
        ("2024-03-11 00:00:00", "2024-03-11", "2024-03-10 20:00"),
    ]


def test_two_pipelines_with_stage_mapping(sqlite_workspace, tmp_path: Path) -> None:
    header = BASE + ['Date entered "Signed (Renewals)"', 'Date entered "Churned (Renewals)"',
                     'Date entered "Closed Won (Sales Pipeline)"']
    mapping = tmp_path / "stages.toml"
    mapping.write_text('[[stages]]\nname = "Signed"\npipeline = "Renewals"\nkind = "won"\nposition = 2\n'
                       '[[stages]]\nname = "Churned"\npipeline = "Renewals"\nkind = "lost"\nposition = 2\n')
    path = write_quoted_csv(tmp_path / "deals.csv", header, [
        ["401", "Renew A", "Signed", "Renewals", "300", "2024-04-01 10:00", "2024-03-01 10:00", "Sam Ode", "USD",
         "2024-04-01 10:00", "", ""],
        ["402", "New B", "Closed Won", PIPELINE, "500", "2024-04-02 10:00", "2024-03-01 10:00", "Sam Ode", "USD",
         "", "", "2024-04-02 10:00"],
    ])
    report = import_hubspot(sqlite_workspace, path, Settings(), ImportOptions(stages=mapping))
    assert select(sqlite_workspace, "SELECT opp_id, status, stage FROM opportunities ORDER BY opp_id") == [
        ("401", "won", "Signed (Renewals)"), ("402", "won", "Closed Won (Sales Pipeline)"),
    ]
    assert select(sqlite_workspace, "SELECT stage, kind FROM stages ORDER BY stage") == [
        ("Churned (Renewals)", "lost"), ("Closed Won (Sales Pipeline)", "won"), ("Signed (Renewals)", "won"),
    ]
    assert "stage_status_mismatch" not in codes(report)
