"""Set-based validation of large files gives the same rows and rejections as the row-by-row parser."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest
from import_helpers import select

import rasr.importers.bulk as bulk
from rasr.engine.settings import Settings
from rasr.importers import ImportOptions, import_generic
from rasr.importers.formats import DAY_FIRST, parse_number_locale
from rasr.store import open_workspace
from rasr.store.schema import TABLES

FILES = {
    "teams.csv": """
        team,parent_team,manager
        West,,ann@example.com
        East,East,
        """,
    "reps.csv": """
        rep_id,name,email,team,start_date,end_date
        r1,Rita,rita@example.com,West,2023-02-01,
        r2,Sam,,West,2023-05-01,2023-04-01
        r3,,,West,,
        """,
    "opportunities.csv": """
        opp_id,rep_id,status,amount,currency,created_on,close_on,stage,modified_at,used_sales_engineer
        o1,r1,Won,1234.50,USD,2024-01-05,2024-02-10,Closed,2024-02-10 09:15,yes
        o2,r1,open,,EUR,2024-01-20,2024-06-30,Demo,2024-01-20T10:00:00+02:00,
        o3,r1,won,100,USD,2024-01-20,,Demo,,no
        o4,r1,lost,1,234,USD,2024-01-20,2024-03-01,Demo,,no
        o5,r1,lost,12.345,USD,2024-01-20,2024-03-01,Demo,,maybe
        o6,r1,open,0,usd,2024-2-3,2024-02-30,Demo,2024-13-01 10:00,1
        o7,r2,pending,-5,US,20240101,2024-03-01,Demo,2024-03-01 25:00,0
        o8,r2,open,99999999999999,,2024-01-01,,Demo,2024-03-01 23:59:59,TRUE
        o9,r2,open,.5,,2024-01-01 00:00:00,,Demo,2024-03-01,false
        """,
    "stage_changes.csv": """
        opp_id,stage,entered_at
        o1,Demo,2024-01-10
        o1,Closed,2024-02-10 14:05:30
        o2,Demo,2024-01-20T23:30:00Z
        o2,,2024-01-21
        """,
    "quotas.csv": """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-06-30,1000
        r2,2024-07-01,2024-06-30,1000
        """,
    "activities.csv": """
        rep_id,occurred_on,kind,count,opp_id
        r1,2024-01-10,Call,3,o1
        r1,2024-01-11,Email,,
        r1,2024-01-12,Email,-1,
        r1,2024-01-13,Email,2.5,
        """,
    "rates.csv": """
        currency,rate,valid_from
        EUR,1.10,
        GBP,1.2500000001,2024-01-01
        CHF,0,
        """,
}


def _snapshot(workspace) -> dict[str, list]:
    names = [name for name in TABLES if name not in ("imports", "import_files", "settings")]
    return {name: sorted(map(repr, select(workspace, f'SELECT * FROM "{name}"'))) for name in names}


def _import(tmp_path: Path, name: str, folder: Path, bulk_rows: int, monkeypatch, settings: Settings,
            options: ImportOptions | None = None):
    monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
    workspace = open_workspace(f"sqlite:///{tmp_path / name}")
    try:
        report = import_generic(workspace, folder, settings, options)
        return _snapshot(workspace), sorted((r.file, r.row, r.column, r.reason) for r in report.rejected), report
    finally:
        workspace.close()


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.mark.parametrize("zone", [None, "America/New_York"])
def test_bulk_matches_row_parser(tmp_path: Path, monkeypatch, zone: str | None) -> None:
    folder = tmp_path / "in"
    _write(folder, FILES)
    settings = Settings(business_timezone="Europe/Berlin")
    options = ImportOptions(source_timezone=zone)
    rows_rows, rows_rejected, rows_report = _import(tmp_path, "rows.db", folder, 10**9, monkeypatch, settings, options)
    bulk_rows, bulk_rejected, bulk_report = _import(tmp_path, "bulk.db", folder, 1, monkeypatch, settings, options)

    assert bulk_rejected == rows_rejected
    assert bulk_rows == rows_rows
    assert bulk_report.rejected_rows == rows_report.rejected_rows > 0
    assert rows_rows["opportunities"]


def test_bulk_matches_under_locale_and_day_first(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "in"
    _write(folder, {"opportunities.csv": """
        opp_id;rep_id;status;amount;created_on;close_on
        a;r1;won;1.355,90;03/04/2024;10/04/2024
        b;r1;won;1,12;15/04/2024;02/05/2024
        c;r1;open;€ 512,77;04/05/2024;31/05/2024
        d;r1;lost;1.000.000;04/05/2024;30/02/2024
        e;r1;lost;1.000,123;04/05/2024;13/13/2024
        f;r1;open;12,5.0;04/05/2024 10:00;
        """})
    options = ImportOptions(number_locale=parse_number_locale("de-DE"), date_format=DAY_FIRST)
    rows = _import(tmp_path, "rows.db", folder, 10**9, monkeypatch, Settings(), options)
    fast = _import(tmp_path, "bulk.db", folder, 1, monkeypatch, Settings(), options)
    assert fast[1] == rows[1]
    assert fast[0] == rows[0]
    # d: no 30 February; e: three decimals and no month 13; f: misplaced separator.
    assert len(rows[1]) == 4


def test_large_file_validated_set_based(tmp_path: Path, monkeypatch, caplog) -> None:
    # 12,000 rows, every 1,000th with an impossible date: 12 rejected, the rest imported.
    generator = random.Random(7)
    lines = ["opp_id,rep_id,status,amount,created_on,close_on"]
    for number in range(12_000):
        close = "2024-02-30" if number % 1_000 == 0 else f"2024-03-{generator.randint(1, 31):02d}"
        lines.append(f"o{number},r{number % 40},won,{generator.randint(1, 10**6)}.{generator.randint(0, 99):02d},"
                     f"2024-01-{generator.randint(1, 31):02d},{close}")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "opportunities.csv").write_text("\n".join(lines) + "\n")
    workspace = open_workspace(f"duckdb:///{tmp_path / 'big.duckdb'}")
    try:
        with caplog.at_level("INFO", logger="rasr.importers"):
            report = import_generic(workspace, folder, Settings())
        assert report.rejected_rows == 12
        assert int(workspace.execute("SELECT COUNT(*) FROM opportunities")[0][0]) == 11_988
        assert any("set-based" in record.getMessage() for record in caplog.records)
    finally:
        workspace.close()
