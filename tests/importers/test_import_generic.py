"""Generic import: one canonical CSV file per table, read into the workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from import_helpers import codes, count, one, select, warning

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, import_generic


def test_teams_imported(workspace, folder, write) -> None:
    write("teams.csv", """
        team,parent_team,manager
        West,,
        West A,West,ann@example.com
        """)
    report = import_generic(workspace, folder, Settings())
    assert report.ok
    assert select(workspace, "SELECT team, parent_team, manager FROM teams ORDER BY team") == [
        ("West", None, None),
        ("West A", "West", "ann@example.com"),
    ]


def test_reps_imported(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name,email,team,start_date,end_date
        r1,Rita Ng,rita@example.com,West A,2023-02-01,
        """)
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT * FROM reps") == [
        ("r1", "Rita Ng", "rita@example.com", "West A", "2023-02-01", None),
    ]


def test_opportunities_imported(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,created_on,close_on,stage,account,name,product,next_step,source,modified_at
        o1,r1,Won,1234.50,2024-01-05,2024-02-10,Closed,Acme,Acme renewal,Pro,,inbound,2024-02-10 09:15
        o2,r1,open,,2024-01-20,2024-06-30,Demo,Beta,,,Send proposal,,
        """)
    import_generic(workspace, folder, Settings())
    won = select(workspace, "SELECT status, amount, created_on, close_on, stage, account, name, product, "
                            "currency, original_amount, source, modified_at, unpriced FROM opportunities "
                            "WHERE opp_id = 'o1'")
    # "Won" is stored lower-case; 1234.50 dollars = 123450 cents; no currency column = reporting currency USD.
    assert won == [("won", 123450, "2024-01-05", "2024-02-10", "Closed", "Acme", "Acme renewal", "Pro",
                    "USD", None, "inbound", "2024-02-10 09:15:00", 0)]
    assert one(workspace, "SELECT next_step FROM opportunities WHERE opp_id = 'o2'") == "Send proposal"


def test_empty_amount_is_missing_not_zero(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,created_on
        o2,r1,open,,2024-01-20
        """)
    import_generic(workspace, folder, Settings())
    assert one(workspace, "SELECT amount FROM opportunities") is None


def test_stage_changes_imported(workspace, folder, write) -> None:
    write("stage_changes.csv", """
        opp_id,stage,entered_at
        o1,Demo,2024-01-10
        o1,Proposal,2024-01-20 14:05:30
        """)
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT stage, entered_at, entered_on, entered_raw FROM stage_changes "
                             "ORDER BY entered_at") == [
        ("Demo", "2024-01-10 00:00:00", "2024-01-10", "2024-01-10"),
        ("Proposal", "2024-01-20 14:05:30", "2024-01-20", "2024-01-20 14:05:30"),
    ]


def test_owner_changes_imported(workspace, folder, write) -> None:
    write("owner_changes.csv", """
        opp_id,changed_at,rep_id
        o1,2024-02-01T08:00:00Z,r2
        """)
    import_generic(workspace, folder, Settings())
    # Business time zone UTC: 08:00Z stays 08:00.
    assert select(workspace, "SELECT opp_id, changed_at, changed_on, rep_id, changed_raw FROM owner_changes") == [
        ("o1", "2024-02-01 08:00:00", "2024-02-01", "r2", "2024-02-01T08:00:00Z"),
    ]


def test_close_date_changes_imported(workspace, folder, write) -> None:
    write("close_date_changes.csv", """
        opp_id,changed_at,close_on
        o1,2024-02-01,2024-03-31
        """)
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT opp_id, changed_at, changed_on, close_on, changed_raw FROM close_date_changes") == [
        ("o1", "2024-02-01 00:00:00", "2024-02-01", "2024-03-31", "2024-02-01"),
    ]


def test_stages_imported(workspace, folder, write) -> None:
    write("stages.csv", """
        stage,position,is_qualified,kind,exit_criteria
        Lead,1,no,,
        Demo,2,yes,open,Buyer agreed a demo date
        Closed Won,3,true,Won,
        """)
    import_generic(workspace, folder, Settings())
    # An empty kind is 'open'; "Won" is stored lower-case.
    assert select(workspace, "SELECT stage, position, is_qualified, kind, exit_criteria FROM stages "
                             "ORDER BY position") == [
        ("Lead", 1, 0, "open", None),
        ("Demo", 2, 1, "open", "Buyer agreed a demo date"),
        ("Closed Won", 3, 1, "won", None),
    ]


def test_stages_without_is_qualified_all_qualified(workspace, folder, write) -> None:
    write("stages.csv", """
        stage,position
        Lead,1
        Demo,2
        """)
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT is_qualified, kind FROM stages") == [(1, "open"), (1, "open")]


def test_quotas_and_aspirations_imported(workspace, folder, write) -> None:
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-12-31,250000
        """)
    write("aspirations.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-12-31,300000.00
        """)
    import_generic(workspace, folder, Settings())
    # 250,000 and 300,000 dollars in cents.
    assert one(workspace, "SELECT amount FROM quotas") == 25_000_000
    assert one(workspace, "SELECT amount FROM aspirations") == 30_000_000


def test_activities_imported(workspace, folder, write) -> None:
    write("activities.csv", """
        rep_id,occurred_on,kind,count,opp_id
        r1,2024-03-04,Call,3,o1
        r1,2024-03-04,email,,
        """)
    import_generic(workspace, folder, Settings())
    # "Call" is stored lower-case; an empty count is 1; an empty opp_id is '' because it is part of the key.
    assert select(workspace, "SELECT kind, count, opp_id FROM activities ORDER BY kind") == [
        ("call", 3, "o1"),
        ("email", 1, ""),
    ]


def test_rates_imported(workspace, folder, write) -> None:
    write("rates.csv", """
        currency,rate,valid_from
        eur,1.08,2024-01-01
        GBP,1.27,
        """)
    import_generic(workspace, folder, Settings())
    # An empty valid_from is 0001-01-01, so the rate applies to every date.
    assert select(workspace, "SELECT currency, rate, valid_from FROM rates ORDER BY currency") == [
        ("EUR", 1.08, "2024-01-01"),
        ("GBP", 1.27, "0001-01-01"),
    ]


def test_reimport_updates_not_duplicates(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,created_on
        o1,r1,open,100,2024-01-05
        o2,r1,open,200,2024-01-06
        """)
    first = import_generic(workspace, folder, Settings())
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,created_on
        o2,r1,open,250,2024-01-06
        o3,r1,open,300,2024-01-07
        """)
    second = import_generic(workspace, folder, Settings())
    assert first.to_dict()["tables"]["opportunities"]["inserted"] == 2
    # o2 is stored already (updated), o3 is new (inserted).
    assert second.to_dict()["tables"]["opportunities"]["inserted"] == 1
    assert second.to_dict()["tables"]["opportunities"]["updated"] == 1
    assert count(workspace, "opportunities") == 3
    assert one(workspace, "SELECT amount FROM opportunities WHERE opp_id = 'o2'") == 25000


def test_reimport_of_activities_replaces_count(workspace, folder, write) -> None:
    write("activities.csv", """
        rep_id,occurred_on,kind,count
        r1,2024-03-04,call,3
        """)
    import_generic(workspace, folder, Settings())
    write("activities.csv", """
        rep_id,occurred_on,kind,count
        r1,2024-03-04,call,5
        """)
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT count FROM activities") == [(5,)]


def test_bad_date_rejected_with_location(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,close_on
        o1,r1,won,2024-02-10
        o2,r1,won,2024-13-02
        """)
    report = import_generic(workspace, folder, Settings())
    rejected = report.to_dict()["rejected"]
    assert report.ok
    assert rejected == [{
        "file": "opportunities.csv", "row": 3, "column": "close_on", "value": "2024-13-02",
        "reason": "close_on '2024-13-02' in opportunities.csv row 3 is not a date in YYYY-MM-DD (no such day)",
    }]
    assert select(workspace, "SELECT opp_id FROM opportunities") == [("o1",)]


def test_row_numbers_count_quoted_newlines_once(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,next_step
        o1,r1,open,"call back
        on Monday"
        o2,r1,maybe,
        """)
    report = import_generic(workspace, folder, Settings())
    # The quoted cell spans two lines but is one spreadsheet row, so o2 is row 3.
    assert report.to_dict()["rejected"][0]["row"] == 3


def test_closed_without_close_on_rejected(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,close_on
        o1,r1,lost,
        """)
    report = import_generic(workspace, folder, Settings())
    assert report.to_dict()["rejected"][0]["reason"] == (
        "close_on is empty in opportunities.csv row 2; a lost opportunity requires it: give the date the deal closed"
    )
    assert count(workspace, "opportunities") == 0


def test_unknown_status_rejected(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status
        o1,r1,pending
        """)
    report = import_generic(workspace, folder, Settings())
    assert report.to_dict()["rejected"][0]["reason"] == (
        "status 'pending' in opportunities.csv row 2 is not a status; use open, won or lost"
    )


def test_required_value_missing_rejected(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,
        """)
    report = import_generic(workspace, folder, Settings())
    assert report.to_dict()["rejected"][0]["reason"] == (
        "name is empty in reps.csv row 2; it is required: fill it in or remove the row"
    )


def test_extra_cells_rejected(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,Rita,surplus
        """)
    report = import_generic(workspace, folder, Settings())
    assert "more cells than the header" in report.to_dict()["rejected"][0]["reason"]


def test_missing_required_column_fatal_and_unchanged(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,Rita
        """)
    import_generic(workspace, folder, Settings())
    write("reps.csv", """
        rep_id,name
        r2,Sam
        """)
    write("opportunities.csv", """
        opp_id,rep_id,amount
        o1,r2,100
        """)
    with pytest.raises(ImportFailed) as failure:
        import_generic(workspace, folder, Settings())
    message = str(failure.value)
    assert "opportunities.csv" in message
    assert "status" in message
    assert "add it to the header row" in message
    assert failure.value.report is not None
    assert not failure.value.report.ok
    # Still only r1 and the first import's record: reps.csv of the failed import was not applied.
    assert count(workspace, "reps") == 1
    assert count(workspace, "imports") == 1


def test_no_canonical_files_fatal(workspace, folder, write) -> None:
    write("deals.csv", "id\n1\n")
    with pytest.raises(ImportFailed, match="none of the expected files teams.csv"):
        import_generic(workspace, folder, Settings())


def test_missing_folder_fatal(workspace, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="is not a folder"):
        import_generic(workspace, tmp_path / "absent", Settings())


def test_windows_1252_file_read(workspace, folder) -> None:
    (folder / "reps.csv").write_bytes("rep_id,name\nr1,Ren\xe9 \u20ac\n".encode("windows-1252"))
    report = import_generic(workspace, folder, Settings())
    assert report.ok
    assert one(workspace, "SELECT name FROM reps") == "Ren\xe9 \u20ac"
    assert "windows-1252" in warning(report, "encoding")["message"]


def test_undecodable_file_fatal(workspace, folder) -> None:
    # 0x81 is undefined in Windows-1252 and invalid as UTF-8.
    (folder / "reps.csv").write_bytes(b"rep_id,name\nr1,Ren\x81\n")
    with pytest.raises(ImportFailed, match="neither UTF-8 nor Windows-1252.*save it as CSV UTF-8"):
        import_generic(workspace, folder, Settings())


def test_bom_not_part_of_header(workspace, folder) -> None:
    (folder / "reps.csv").write_bytes(b"\xef\xbb\xbfrep_id,name\r\nr1,Rita\r\n")
    report = import_generic(workspace, folder, Settings())
    assert report.ok
    assert select(workspace, "SELECT rep_id, name FROM reps") == [("r1", "Rita")]


def test_crlf_line_ends(workspace, folder) -> None:
    (folder / "quotas.csv").write_bytes(b"rep_id,starts_on,ends_on,amount\r\nr1,2024-01-01,2024-03-31,1000\r\n")
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT ends_on, amount FROM quotas") == [("2024-03-31", 100000)]


def test_header_case_and_spaces_ignored(workspace, folder, write) -> None:
    write("reps.csv", """
        Rep_ID , Name
        r1,Rita
        """)
    import_generic(workspace, folder, Settings())
    assert count(workspace, "reps") == 1


def test_zero_amount_missing_and_warned(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,close_on
        o1,r1,won,0,2024-02-01
        o2,r1,won,,2024-02-01
        o3,r1,won,10,2024-02-01
        """)
    report = import_generic(workspace, folder, Settings())
    missing = warning(report, "missing_amount")
    assert one(workspace, "SELECT amount FROM opportunities WHERE opp_id = 'o1'") is None
    # o1 (0) and o2 (empty) are missing; o3 has 10 dollars.
    assert missing["count"] == 2
    assert missing["rows"] == ["o1", "o2"]


def test_timestamp_offset_converted_on_import(workspace, folder, write) -> None:
    write("stage_changes.csv", """
        opp_id,stage,entered_at
        o1,Demo,2024-03-31T23:30:00+00:00
        o2,Demo,2024-03-31
        """)
    import_generic(workspace, folder, Settings(business_timezone="Europe/Berlin"))
    # 23:30 UTC is 01:30 on 1 April in Berlin (CEST, UTC+2); the date-only value is not shifted.
    assert select(workspace, "SELECT opp_id, entered_at, entered_on FROM stage_changes ORDER BY opp_id") == [
        ("o1", "2024-04-01 01:30:00", "2024-04-01"),
        ("o2", "2024-03-31 00:00:00", "2024-03-31"),
    ]


def test_duplicate_keys_later_row_wins(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,Rita
        r1,Rita Ng
        """)
    report = import_generic(workspace, folder, Settings())
    assert one(workspace, "SELECT name FROM reps") == "Rita Ng"
    assert warning(report, "duplicate_key")["count"] == 1


def test_duplicate_opportunity_later_modified_at_wins(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,modified_at
        o1,r1,open,500,2024-05-02 10:00
        o1,r1,open,100,2024-05-01 10:00
        """)
    import_generic(workspace, folder, Settings())
    # The first row was modified later, so its 500 dollars win over the later row.
    assert one(workspace, "SELECT amount FROM opportunities") == 50000


def test_close_before_created_kept_and_warned(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,created_on,close_on
        o1,r1,won,2024-03-01,2024-02-01
        """)
    report = import_generic(workspace, folder, Settings())
    assert count(workspace, "opportunities") == 1
    assert warning(report, "close_before_created")["rows"] == ["o1"]


def test_unknown_stage_warned(workspace, folder, write) -> None:
    write("stages.csv", """
        stage,position
        Demo,1
        """)
    write("opportunities.csv", """
        opp_id,rep_id,status,stage
        o1,r1,open,Demo
        o2,r1,open,Pitch
        """)
    report = import_generic(workspace, folder, Settings())
    unknown = warning(report, "unknown_stage")
    assert unknown["rows"] == ["o2"]
    assert "Pitch" in unknown["message"]


def test_stage_known_from_stored_stages(workspace, folder, write) -> None:
    write("stages.csv", """
        stage,position
        Demo,1
        """)
    import_generic(workspace, folder, Settings())
    (folder / "stages.csv").unlink()
    write("opportunities.csv", """
        opp_id,rep_id,status,stage
        o1,r1,open,Demo
        """)
    report = import_generic(workspace, folder, Settings())
    assert "unknown_stage" not in codes(report)


def test_boolean_columns_become_flags(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,used_sales_engineer,region
        o1,r1,open,Yes,North
        o2,r1,open,0,South
        o3,r1,open,,North
        """)
    report = import_generic(workspace, folder, Settings())
    # used_sales_engineer holds only yes/0 and one empty cell, so it is a flag; region is not.
    assert select(workspace, "SELECT opp_id, flag, value FROM opportunity_flags ORDER BY opp_id") == [
        ("o1", "used_sales_engineer", 1),
        ("o2", "used_sales_engineer", 0),
    ]
    assert "region" in warning(report, "column_ignored")["message"]


def test_flag_emptied_on_reimport_removed(workspace, folder, write) -> None:
    write("opportunities.csv", """
        opp_id,rep_id,status,used_sales_engineer
        o1,r1,open,yes
        o2,r1,open,no
        """)
    import_generic(workspace, folder, Settings())
    write("opportunities.csv", """
        opp_id,rep_id,status,used_sales_engineer
        o1,r1,open,
        o2,r1,open,yes
        """)
    import_generic(workspace, folder, Settings())
    assert select(workspace, "SELECT opp_id, value FROM opportunity_flags") == [("o2", 1)]


def test_unknown_column_in_other_table_warned(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name,phone
        r1,Rita,555
        """)
    report = import_generic(workspace, folder, Settings())
    assert "column phone in reps.csv ignored" in warning(report, "column_ignored")["message"]


def test_import_recorded_in_imports(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,Rita
        r2,
        """)
    report = import_generic(workspace, folder, Settings())
    record = select(workspace, "SELECT import_id, format, source, rows_read, inserted, updated, rejected, "
                               "checksum, report FROM imports")
    assert len(record) == 1
    import_id, fmt, source, rows_read, inserted, updated, rejected, checksum, stored = record[0]
    assert import_id == report.import_id
    assert fmt == "generic"
    assert source == str(folder.resolve())
    # Two data rows read, r1 inserted, r2 rejected for its empty name.
    assert (rows_read, inserted, updated, rejected) == (2, 1, 0, 1)
    assert len(checksum) == 64
    assert json.loads(stored)["rejected"][0]["column"] == "name"


def test_report_to_dict_is_json(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,Rita
        """)
    report = import_generic(workspace, folder, Settings())
    data = json.loads(json.dumps(report.to_dict()))
    assert data["format"] == "generic"
    assert data["files"] == ["reps.csv"]
    assert data["rows_read"] == 1
    assert data["inserted"] == 1
    assert data["tables"]["reps"]["inserted"] == 1


def test_report_lines_summarise(workspace, folder, write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,Rita
        """)
    lines = import_generic(workspace, folder, Settings()).lines()
    assert lines[0].endswith(": applied")
    assert "rows read 1, inserted 1, updated 0, rejected 0" in lines


def test_short_row_rejected_whole(workspace, folder, write) -> None:
    # Row 2 has three of the seven cells: one rejection naming the cell count,
    # not a misleading "close_on is empty"; row 3 is valid and lands.
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,created_on,close_on,stage
        X1,r1,won
        X2,r1,won,100,2024-01-01,2024-02-01,Won
        """)
    report = import_generic(workspace, folder, Settings())
    rejected = report.to_dict()["rejected"]
    assert len(rejected) == 1
    assert "has 3 cells but the header has 7 columns" in rejected[0]["reason"]
    assert count(workspace, "opportunities") == 1
