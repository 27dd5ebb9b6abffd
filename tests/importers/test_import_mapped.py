"""Any CSV through a mapping file, and the mapping that --suggest-mapping writes."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest
from import_helpers import count, deals_on, select

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, ImportOptions
from rasr.importers.formats import DAY_FIRST
from rasr.importers.mapped import import_mapped_csv
from rasr.importers.suggest import suggest_mapping


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
    return path


GERMAN_MAPPING = """
    [source]
    delimiter = ";"
    number_locale = "de-DE"
    date_format = "DD.MM.YYYY"
    currency = "EUR"

    [columns]
    opp_id = "Nummer"
    rep_id = "Verkäufer"
    status = "Status"
    amount = "Betrag"
    close_on = "Abschluss"

    [flags]
    used_sales_engineer = "Techniker"

    [status]
    "Gewonnen" = "won"
    "Offen" = "open"
    "Verloren" = "lost"
"""


def test_decimal_comma_file(sqlite_workspace, tmp_path: Path) -> None:
    # 1.355,90 + 1,12 + 512,77 + 1.000.000 = 1,001,869.79 EUR.
    data = write(tmp_path / "deals.csv", """
        Nummer;Verkäufer;Status;Betrag;Abschluss;Techniker
        1;Jörg;Gewonnen;1.355,90;03.04.2024;ja
        2;Jörg;Gewonnen;1,12;04.04.2024;nein
        3;Jörg;Offen;512,77;30.06.2024;
        4;Jörg;Verloren;1.000.000;05.04.2024;yes
        """, encoding="windows-1252")
    mapping = write(tmp_path / "map.toml", GERMAN_MAPPING)
    report = import_mapped_csv(sqlite_workspace, data, mapping, Settings(reporting_currency="EUR"))

    assert select(sqlite_workspace, "SELECT opp_id, rep_id, status, amount, currency, close_on FROM opportunities "
                                    "ORDER BY opp_id") == [
        ("1", "Jörg", "won", 135590, "EUR", "2024-04-03"),
        ("2", "Jörg", "won", 112, "EUR", "2024-04-04"),
        ("3", "Jörg", "open", 51277, "EUR", "2024-06-30"),
        ("4", "Jörg", "lost", 100000000, "EUR", "2024-04-05"),
    ]
    assert select(sqlite_workspace, "SELECT SUM(amount) FROM opportunities") == [(100186979,)]
    # "ja"/"nein" are not booleans: that row's flag is rejected, and the flag column is then ignored.
    assert count(sqlite_workspace, "opportunity_flags") == 0
    assert report.ok


def test_en_us_dollar_amount(sqlite_workspace, tmp_path: Path) -> None:
    data = write(tmp_path / "deals.csv", """
        id,owner,state,value
        1,ann,open,"$1,000.50"
        """)
    mapping = write(tmp_path / "map.toml", """
        [source]
        number_locale = "en-US"
        [columns]
        opp_id = "id"
        rep_id = "owner"
        status = "state"
        amount = "value"
        """)
    report = import_mapped_csv(sqlite_workspace, data, mapping, Settings())
    assert report.rejected == []
    assert select(sqlite_workspace, "SELECT amount FROM opportunities") == [(100050,)]


def test_day_first_dates_give_cycles(sqlite_workspace, tmp_path: Path) -> None:
    # Day-first: created 3 April, 15 April, 4 May and closed 10 April, 2 May, 12 May 2024.
    # April bookings 1,000; May 2,000 + 3,000 = 5,000; cycles 7, 17 and 8 days.
    data = write(tmp_path / "deals.csv", """
        deal,rep,won,closed,amount,created,closed_on
        a,r1,yes,yes,1000,03/04/2024,10/04/2024
        b,r1,yes,yes,2000,15/04/2024,02/05/2024
        c,r1,yes,yes,3000,04/05/2024,12/05/2024
        """)
    mapping = write(tmp_path / "map.toml", """
        [columns]
        opp_id = "deal"
        rep_id = "rep"
        is_won = "won"
        is_closed = "closed"
        amount = "amount"
        created_on = "created"
        close_on = "closed_on"
        """)
    import_mapped_csv(sqlite_workspace, data, mapping, Settings())

    deals = deals_on(sqlite_workspace, "2024-05-31")
    april = sum(deal["amount"] for deal in deals.values() if deal["closed_on"].month == 4)
    may = sum(deal["amount"] for deal in deals.values() if deal["closed_on"].month == 5)
    assert april == 100_000
    assert may == 500_000
    assert {opp_id: deal["cycle_days"] for opp_id, deal in deals.items()} == {"a": 7, "b": 17, "c": 8}


def test_ambiguous_dates_fatal(sqlite_workspace, tmp_path: Path) -> None:
    data = write(tmp_path / "deals.csv", """
        deal,rep,status,created
        a,r1,open,03/04/2024
        b,r1,open,05/06/2024
        """)
    mapping = write(tmp_path / "map.toml", """
        [columns]
        opp_id = "deal"
        rep_id = "rep"
        status = "status"
        created_on = "created"
        """)
    with pytest.raises(ImportFailed, match="ambiguous.*--date-format"):
        import_mapped_csv(sqlite_workspace, data, mapping, Settings())
    report = import_mapped_csv(sqlite_workspace, data, mapping, Settings(),
                               ImportOptions(date_format=DAY_FIRST))
    assert report.ok
    assert select(sqlite_workspace, "SELECT created_on FROM opportunities ORDER BY opp_id") == [
        ("2024-04-03",), ("2024-06-05",),
    ]


def test_mapping_names_missing_column_fatal(sqlite_workspace, tmp_path: Path) -> None:
    data = write(tmp_path / "deals.csv", "deal,rep,status\na,r1,open\n")
    mapping = write(tmp_path / "map.toml", '[columns]\nopp_id = "Deal ID"\nrep_id = "rep"\nstatus = "status"\n')
    with pytest.raises(ImportFailed, match="no column Deal ID \\(for opp_id\\) named in the mapping"):
        import_mapped_csv(sqlite_workspace, data, mapping, Settings())


def test_mapping_unknown_column_fatal(sqlite_workspace, tmp_path: Path) -> None:
    data = write(tmp_path / "deals.csv", "deal\na\n")
    mapping = write(tmp_path / "map.toml", '[columns]\ndeal_value = "deal"\n')
    with pytest.raises(ImportFailed, match="'deal_value' in mapping .* is not a column of opportunities"):
        import_mapped_csv(sqlite_workspace, data, mapping, Settings())


def test_stage_kinds_give_status(sqlite_workspace, tmp_path: Path) -> None:
    data = write(tmp_path / "deals.csv", """
        deal,rep,phase,closed
        a,r1,Signed,2024-03-01
        b,r1,Talking,
        """)
    mapping = write(tmp_path / "map.toml", """
        [columns]
        opp_id = "deal"
        rep_id = "rep"
        stage = "phase"
        close_on = "closed"
        [[stages]]
        name = "Talking"
        position = 1
        [[stages]]
        name = "Signed"
        position = 2
        kind = "won"
        """)
    import_mapped_csv(sqlite_workspace, data, mapping, Settings())
    assert select(sqlite_workspace, "SELECT opp_id, status FROM opportunities ORDER BY opp_id") == [
        ("a", "won"), ("b", "open"),
    ]
    assert select(sqlite_workspace, "SELECT stage, position, kind FROM stages ORDER BY position") == [
        ("Talking", 1, "open"), ("Signed", 2, "won"),
    ]


def test_suggested_mapping_imports(sqlite_workspace, tmp_path: Path) -> None:
    data = write(tmp_path / "deals.csv", """
        Deal - ID;Deal - Title;Deal - Owner;Deal - Value;Deal - Status;Deal - Expected close date
        7;Acme;Rita;1.200,50;won;31.03.2024
        8;Beta;Rita;300;open;15.04.2024
        """)
    text = suggest_mapping(data)
    parsed = tomllib.loads(text)
    assert parsed["columns"] == {"opp_id": "Deal - ID", "rep_id": "Deal - Owner", "status": "Deal - Status",
                                 "amount": "Deal - Value", "close_on": "Deal - Expected close date",
                                 "name": "Deal - Title"}
    assert parsed["source"]["delimiter"] == ";"
    assert parsed["source"]["number_locale"] == "de-DE"
    assert parsed["source"]["date_format"] == "DD/MM/YYYY"
    assert parsed["status"] == {"open": "open", "won": "won"}

    mapping = write(tmp_path / "map.toml", text)
    report = import_mapped_csv(sqlite_workspace, data, mapping, Settings())
    assert report.rejected == []
    assert select(sqlite_workspace, "SELECT opp_id, amount, close_on FROM opportunities ORDER BY opp_id") == [
        ("7", 120050, "2024-03-31"), ("8", 30000, "2024-04-15"),
    ]
