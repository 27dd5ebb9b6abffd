"""Salesforce Data Export: Opportunity.csv with its history, owners, owner changes and activities."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from import_helpers import codes, count, deals_on, one, select, warning, write_quoted_csv

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, import_salesforce

OPPORTUNITY_HEADER = ["Id", "IsDeleted", "AccountId", "Name", "StageName", "StageSortOrder", "Amount", "CloseDate",
                      "IsClosed", "IsWon", "OwnerId", "CreatedDate", "LastModifiedDate", "SystemModstamp",
                      "NextStep", "LeadSource"]
REP_A, REP_B, REP_C = "005000000000001AAA", "005000000000002AAA", "005000000000003AAA"


def opportunity(opp_id: str, stage: str, amount: str, close: str, closed: str, won: str, owner: str = REP_A, *,
                deleted: str = "0", created: str = "2024-01-02 09:00:00", modified: str = "2024-03-01 10:00:00",
                sort_order: str = "") -> list[str]:
    return [opp_id, deleted, "001000000000001AAA", f"Deal {opp_id}", stage, sort_order, amount,
            f"{close} 00:00:00", closed, won, owner, created, modified, modified, "", "Web"]


def write_opportunities(folder: Path, rows: list[list[str]]) -> None:
    write_quoted_csv(folder / "Opportunity.csv", OPPORTUNITY_HEADER, rows)


def test_sample_export_counts(sqlite_workspace, shared_data: Path) -> None:
    sample = shared_data / "public" / "salesforce-dev-edition-sample"
    with (sample / "Opportunity.csv").open(encoding="utf-8") as handle:
        source = list(csv.DictReader(handle))
    won_amount = sum(Decimal(row["Amount"]) for row in source if row["IsWon"] == "1")

    report = import_salesforce(sqlite_workspace, sample, Settings())

    assert report.ok
    assert report.rejected_rows == 0
    assert count(sqlite_workspace, "opportunities") == 31
    assert one(sqlite_workspace, "SELECT COUNT(*) FROM opportunities WHERE status = 'won'") == 18
    assert Decimal(one(sqlite_workspace, "SELECT SUM(amount) FROM opportunities WHERE status = 'won'")) / 100 \
        == won_amount
    assert won_amount == Decimal("3645000")
    # Each opportunity has two history snapshots of one stage: one stage visit each.
    assert count(sqlite_workspace, "stage_changes") == 31
    assert one(sqlite_workspace, "SELECT kind FROM stages WHERE stage = 'Closed Won'") == "won"
    assert "no_owner_history" in codes(report)


def test_sample_export_on_every_backend(workspace, shared_data: Path) -> None:
    report = import_salesforce(workspace, shared_data / "public" / "salesforce-dev-edition-sample", Settings())
    assert report.ok
    assert one(workspace, "SELECT COUNT(*) FROM opportunities WHERE status = 'won'") == 18


def test_flags_decide_over_stage(sqlite_workspace, folder: Path) -> None:
    # d1 won by flags and stage; d2 won by flags in an open stage; d3 in Closed Won but not closed; d4 open.
    # Won = d1 + d2 = 8,000 + 6,000 = 14,000; open = d3 + d4 = 4,000 + 2,000 = 6,000.
    write_opportunities(folder, [
        opportunity("d1", "Closed Won", "8000", "2024-02-10", "1", "1", sort_order="9"),
        opportunity("d2", "Negotiation", "6000", "2024-02-12", "1", "1", sort_order="5"),
        opportunity("d3", "Closed Won", "4000", "2024-03-20", "0", "0", sort_order="9"),
        opportunity("d4", "Proposal", "2000", "2024-03-25", "0", "0", sort_order="4"),
    ])
    report = import_salesforce(sqlite_workspace, folder, Settings())

    deals = deals_on(sqlite_workspace, "2024-02-29")
    won = [opp_id for opp_id, deal in deals.items() if deal["state"] == "won"]
    open_ = [opp_id for opp_id, deal in deals.items() if deal["state"] == "open"]
    assert sorted(won) == ["d1", "d2"]
    assert sorted(open_) == ["d3", "d4"]
    assert sum(deals[opp_id]["amount"] for opp_id in won) == 1_400_000
    assert sum(deals[opp_id]["amount"] for opp_id in open_) == 600_000
    assert len(won) + len(open_) == len(deals) == 4
    mismatch = warning(report, "stage_status_mismatch")
    assert mismatch["count"] == 2
    assert "d2 (won, stage Negotiation)" in mismatch["message"]
    assert "d3 (open, stage Closed Won)" in mismatch["message"]


def test_deleted_rows_dropped_and_counted(sqlite_workspace, folder: Path) -> None:
    write_opportunities(folder, [
        opportunity("o1", "Prospecting", "100", "2024-05-01", "0", "0"),
        opportunity("o2", "Prospecting", "100", "2024-05-01", "0", "0", deleted="1"),
    ])
    report = import_salesforce(sqlite_workspace, folder, Settings())
    assert select(sqlite_workspace, "SELECT opp_id FROM opportunities") == [("o1",)]
    assert report.tables["opportunities"].deleted == 1


def test_repeated_id_keeps_latest_modified(sqlite_workspace, folder: Path) -> None:
    write_opportunities(folder, [
        opportunity("o1", "Negotiation", "900", "2024-05-01", "0", "0", modified="2024-03-05 10:00:00"),
        opportunity("o1", "Prospecting", "100", "2024-05-01", "0", "0", modified="2024-03-01 10:00:00"),
    ])
    report = import_salesforce(sqlite_workspace, folder, Settings())
    assert select(sqlite_workspace, "SELECT stage, amount FROM opportunities") == [("Negotiation", 90000)]
    assert report.tables["opportunities"].duplicates == 1


def test_history_collapses_snapshots(sqlite_workspace, folder: Path) -> None:
    write_opportunities(folder, [opportunity("o1", "Closed Won", "500", "2024-03-10", "1", "1")])
    write_quoted_csv(folder / "OpportunityHistory.csv",
                     ["Id", "OpportunityId", "CreatedDate", "StageName", "Amount", "CloseDate", "IsDeleted"], [
                         ["h1", "o1", "2024-01-02 09:00:00", "Prospecting", "400", "2024-02-28 00:00:00", "0"],
                         # Amount changed, same stage: a snapshot, not a new visit.
                         ["h2", "o1", "2024-01-10 09:00:00", "Prospecting", "500", "2024-02-28 00:00:00", "0"],
                         ["h3", "o1", "2024-02-01 09:00:00", "Negotiation", "500", "2024-03-15 00:00:00", "0"],
                         ["h4", "o1", "2024-03-10 16:00:00", "Closed Won", "500", "2024-03-10 00:00:00", "0"],
                         ["h5", "o1", "2024-02-05 09:00:00", "Proposal", "500", "2024-03-15 00:00:00", "1"],
                     ])
    import_salesforce(sqlite_workspace, folder, Settings())
    assert select(sqlite_workspace, "SELECT stage, entered_on FROM stage_changes ORDER BY entered_at") == [
        ("Prospecting", "2024-01-02"), ("Negotiation", "2024-02-01"), ("Closed Won", "2024-03-10"),
    ]
    assert select(sqlite_workspace, "SELECT changed_on, close_on FROM close_date_changes ORDER BY changed_at") == [
        ("2024-01-02", "2024-02-28"), ("2024-02-01", "2024-03-15"), ("2024-03-10", "2024-03-10"),
    ]


def test_timestamps_dated_in_business_zone(sqlite_workspace, folder: Path) -> None:
    # CreatedDate is UTC: 23:30 UTC on 1 March is 2 March in Berlin. CloseDate is a date and is not shifted.
    write_opportunities(folder, [
        opportunity("o1", "Prospecting", "100", "2024-05-01", "0", "0", created="2024-03-01 23:30:00"),
    ])
    import_salesforce(sqlite_workspace, folder, Settings(business_timezone="Europe/Berlin"))
    assert select(sqlite_workspace, "SELECT created_on, close_on FROM opportunities") == [("2024-03-02", "2024-05-01")]


def owner_history_export(folder: Path, *, with_history: bool) -> None:
    write_opportunities(folder, [
        # Moved from rep_a to rep_b on 15 February, won on 10 March.
        opportunity("moved_then_won", "Closed Won", "10000", "2024-03-10", "1", "1", owner=REP_B),
        # Won on 20 January, reassigned to rep_c on 1 April.
        opportunity("won_then_moved", "Closed Won", "4000", "2024-01-20", "1", "1", owner=REP_C,
                    created="2024-01-02 09:00:00"),
    ])
    write_quoted_csv(folder / "User.csv", ["Id", "FirstName", "LastName", "Email"], [
        [REP_A, "Ana", "Alves", "ana@example.com"], [REP_B, "Ben", "Brook", ""], [REP_C, "Cai", "Chen", ""],
    ])
    if with_history:
        # Salesforce writes each owner change twice: once with names, once with ids.
        write_quoted_csv(folder / "OpportunityFieldHistory.csv",
                         ["Id", "OpportunityId", "CreatedDate", "Field", "OldValue", "NewValue", "IsDeleted"], [
                             ["f1", "moved_then_won", "2024-02-15 10:00:00", "Owner", "Ana Alves", "Ben Brook", "0"],
                             ["f2", "moved_then_won", "2024-02-15 10:00:00", "Owner", REP_A, REP_B, "0"],
                             ["f3", "won_then_moved", "2024-04-01 10:00:00", "Owner", REP_A, REP_C, "0"],
                             ["f4", "won_then_moved", "2024-04-01 10:00:00", "Owner", "Ana Alves", "Cai Chen", "0"],
                             ["f5", "won_then_moved", "2024-03-01 10:00:00", "StageName", "A", "B", "0"],
                         ])


def test_owner_at_close_books_win(sqlite_workspace, folder: Path) -> None:
    owner_history_export(folder, with_history=True)
    report = import_salesforce(sqlite_workspace, folder, Settings())

    assert select(sqlite_workspace, "SELECT opp_id, rep_id, from_rep_id FROM owner_changes ORDER BY opp_id") == [
        ("moved_then_won", REP_B, REP_A), ("won_then_moved", REP_C, REP_A),
    ]
    deals = deals_on(sqlite_workspace, "2024-04-30")
    assert deals["moved_then_won"]["rep_id"] == REP_B
    assert deals["won_then_moved"]["rep_id"] == REP_A
    assert one(sqlite_workspace, "SELECT name FROM reps WHERE rep_id = ?", REP_A) == "Ana Alves"
    assert "no_owner_history" not in codes(report)


def test_without_owner_history_current_owner_books(sqlite_workspace, folder: Path) -> None:
    owner_history_export(folder, with_history=False)
    report = import_salesforce(sqlite_workspace, folder, Settings())

    deals = deals_on(sqlite_workspace, "2024-04-30")
    assert deals["won_then_moved"]["rep_id"] == REP_C
    assert "current owner" in warning(report, "no_owner_history")["message"]


def test_tasks_and_events_become_activities(sqlite_workspace, folder: Path) -> None:
    write_opportunities(folder, [opportunity("006000000000001AAA", "Prospecting", "100", "2024-05-01", "0", "0")])
    write_quoted_csv(folder / "Task.csv", ["Id", "OwnerId", "ActivityDate", "Type", "WhatId", "IsDeleted"], [
        ["t1", REP_A, "2024-02-01", "Call", "006000000000001AAA", "0"],
        ["t2", REP_A, "2024-02-01", "Call", "006000000000001AAA", "0"],
        ["t3", REP_A, "2024-02-01", "Email", "", "0"],
        ["t4", REP_A, "2024-02-01", "Call", "", "1"],
        ["t5", REP_A, "", "Call", "", "0"],
    ])
    write_quoted_csv(folder / "Event.csv", ["Id", "OwnerId", "StartDateTime", "Type", "WhatId", "IsDeleted"], [
        ["e1", REP_A, "2024-02-02 15:00:00", "Meeting", "006000000000001AAA", "0"],
    ])
    report = import_salesforce(sqlite_workspace, folder, Settings())
    assert select(sqlite_workspace, "SELECT occurred_on, kind, count, opp_id FROM activities ORDER BY kind") == [
        ("2024-02-01", "call", 2, "006000000000001AAA"),
        ("2024-02-01", "email", 1, ""),
        ("2024-02-02", "meeting", 1, "006000000000001AAA"),
    ]
    assert report.tables["activities"].deleted == 1
    assert report.tables["activities"].rejected == 1


def test_bad_values_rejected_with_column(sqlite_workspace, folder: Path) -> None:
    write_opportunities(folder, [
        opportunity("o1", "Closed Won", "12x", "2024-02-10", "1", "1"),
        opportunity("o2", "Closed Won", "100", "2024-02-30", "1", "1"),
    ])
    report = import_salesforce(sqlite_workspace, folder, Settings())
    reasons = [rejection.reason for rejection in report.rejected]
    assert any(reason.startswith("Amount '12x' in Opportunity.csv row 2") for reason in reasons)
    assert any(reason.startswith("CloseDate '2024-02-30 00:00:00' in Opportunity.csv row 3") for reason in reasons)
    assert count(sqlite_workspace, "opportunities") == 0


def test_missing_opportunity_file_fatal(sqlite_workspace, folder: Path) -> None:
    (folder / "Account.csv").write_text("Id,Name\n")
    with pytest.raises(ImportFailed, match="has no Opportunity.csv"):
        import_salesforce(sqlite_workspace, folder, Settings())


def multi_currency_export(folder: Path) -> None:
    rows = [opportunity("o1", "Closed Won", "1000", "2024-02-10", "1", "1"),
            opportunity("o2", "Closed Won", "1000", "2024-03-10", "1", "1")]
    header = OPPORTUNITY_HEADER + ["CurrencyIsoCode"]
    write_quoted_csv(folder / "Opportunity.csv", header, [rows[0] + ["EUR"], rows[1] + ["EUR"]])
    write_quoted_csv(folder / "CurrencyType.csv", ["Id", "IsoCode", "ConversionRate", "IsActive", "IsCorporate"], [
        ["c1", "USD", "1", "1", "1"], ["c2", "EUR", "0.8", "1", "0"],
    ])


def test_dated_rates_convert_amounts(sqlite_workspace, folder: Path) -> None:
    # ConversionRate is EUR per USD: 0.8 EUR = 1 USD, so 1 EUR = 1.25 USD; from 1 March 0.5, so 1 EUR = 2 USD.
    multi_currency_export(folder)
    write_quoted_csv(folder / "DatedConversionRate.csv", ["Id", "IsoCode", "StartDate", "NextStartDate",
                                                          "ConversionRate"], [
        ["d1", "EUR", "2024-01-01", "2024-03-01", "0.8"],
        ["d2", "EUR", "2024-03-01", "9999-12-31", "0.5"],
    ])
    import_salesforce(sqlite_workspace, folder, Settings())
    assert select(sqlite_workspace, "SELECT opp_id, amount, original_amount FROM opportunities ORDER BY opp_id") == [
        ("o1", 125000, 100000), ("o2", 200000, 100000),
    ]


def test_static_rates_used_without_dated(sqlite_workspace, folder: Path) -> None:
    multi_currency_export(folder)
    import_salesforce(sqlite_workspace, folder, Settings())
    assert select(sqlite_workspace, "SELECT currency, rate, valid_from FROM rates ORDER BY currency") == [
        ("EUR", 1.25, "0001-01-01"), ("USD", 1.0, "0001-01-01"),
    ]


def test_other_corporate_currency_skips_rates(sqlite_workspace, folder: Path) -> None:
    multi_currency_export(folder)
    report = import_salesforce(sqlite_workspace, folder, Settings(reporting_currency="EUR"))
    assert "corporate currency is USD" in warning(report, "rates_skipped")["message"]
    assert count(sqlite_workspace, "rates") == 0
