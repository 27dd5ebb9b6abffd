"""Large files imported into a DuckDB workspace through staging tables give the row-by-row import's results."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
from import_helpers import count, select
from test_import_bulk import FILES

import rasr.importers.bulk as bulk
import rasr.importers.largefile as largefile
from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, ImportOptions, import_generic
from rasr.importers.csvfile import checksum, read_csv
from rasr.importers.formats import parse_number_locale
from rasr.importers.largefile import LargeCsvFile, scan_files
from rasr.importers.outputs import write_outputs
from rasr.store import open_workspace
from rasr.store.load import data_version
from rasr.store import schema
from rasr.store.schema import TABLES

# Re-imported over FILES. o1 changes amount and loses its flag. o2 appears twice, and the row with
# the later modified_at wins although it comes first. r1 is repeated, and the later row wins. A row
# of empty cells and cells with spaces around them are read as the row parser reads them.
SECOND = {
    "opportunities.csv": """
        opp_id,rep_id,status,amount,currency,created_on,close_on,stage,modified_at,used_sales_engineer
        o1,r1,won,2000,USD,2024-01-05,2024-02-10,Closed,2024-02-11 09:15,
        o2,r1,open,300,EUR,2024-01-20,,Demo,2024-03-01 10:00,yes
        ,,,,,,,,,
        o2,r1,open,200,EUR,2024-01-20,,Demo,2024-02-01 10:00,no
          o10 , r9 ,  open , 50 ,,, ,Demo,,
        o11,r1,lost,70,GBP,2023-12-01,2023-12-20,Lost,,true
        """,
    "reps.csv": """
        rep_id,name,email,team,start_date,end_date
        r1,Rita,rita@example.com,West,2023-02-01,
        r1,Rita Ng,rita@example.com,West,2023-02-01,
        """,
    "stage_changes.csv": """
        opp_id,stage,entered_at
        o1,Demo,2024-01-10
        o1,Demo,2024-01-10
        o10,Demo,2024-02-01 08:00
        o10,Demo,2024-02-01T08:00:00+01:00
        """,
    "stages.csv": """
        stage,position,kind
        Demo,1,open
        Closed,2,won
        """,
}


# FILES with the amount 1,234 quoted, so that no row has more cells than the header and DuckDB reads
# every file.
QUOTED = {**FILES, "opportunities.csv": FILES["opportunities.csv"].replace("o4,r1,lost,1,234,", 'o4,r1,lost,"1,234",')}


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def _snapshot(workspace) -> dict[str, list]:
    names = [name for name in TABLES if name not in ("imports", "import_files", "settings")]
    return {name: sorted(select(workspace, f'SELECT * FROM "{name}"'), key=repr) for name in names}


def _comparable(report) -> dict:
    """Return the report without what differs between two runs: ids, paths and timings."""
    data = report.to_dict()
    for key in ("import_id", "source", "output_dir", "skipped_as"):
        data.pop(key)
    return data


def _outputs(report, directory: Path) -> dict[str, str]:
    write_outputs(report, directory)
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.rejected.csv"))}


def _run_both(tmp_path: Path, monkeypatch, imports: list[dict[str, str]], settings: Settings | None = None,
              options: ImportOptions | None = None) -> tuple[list, list]:
    """Import each folder in turn into a SQLite workspace row by row and into a DuckDB one through staging.

    Every file counts as large for DuckDB, so all of them take the staged path.
    Returns the (snapshot, report, outputs) of the last import on each.
    """
    results = []
    for name, url, bulk_rows in (("rows", "sqlite:///{}/rows.db", 10**9), ("staged", "duckdb:///{}/staged.duckdb", 1)):
        monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
        workspace = open_workspace(url.format(tmp_path))
        try:
            for number, files in enumerate(imports):
                folder = _write(tmp_path / f"{name}-{number}", files)
                report = import_generic(workspace, folder, settings or Settings(), options)
            results.append((_snapshot(workspace), report, _outputs(report, tmp_path / f"{name}-out")))
        finally:
            workspace.close()
    return results[0], results[1]


@pytest.mark.parametrize("files", [QUOTED, FILES], ids=["duckdb-reads-all", "row-with-extra-cell"])
def test_staged_matches_row_by_row(tmp_path: Path, monkeypatch, files: dict[str, str]) -> None:
    rows, staged = _run_both(tmp_path, monkeypatch, [files], Settings(business_timezone="Europe/Berlin"))

    large = isinstance(staged[1].sources["opportunities.csv"], LargeCsvFile)
    assert large is (files is QUOTED)
    assert isinstance(staged[1].sources["stage_changes.csv"], LargeCsvFile)
    assert staged[1].rejected_rows == rows[1].rejected_rows > 0
    assert _comparable(staged[1]) == _comparable(rows[1])
    assert staged[0] == rows[0]
    assert staged[2] == rows[2]
    assert "opportunities.rejected.csv" in staged[2]


def test_staged_reimport_matches_row_by_row(tmp_path: Path, monkeypatch) -> None:
    rows, staged = _run_both(tmp_path, monkeypatch, [QUOTED, SECOND])

    assert _comparable(staged[1]) == _comparable(rows[1])
    assert staged[0] == rows[0]
    # o1 updated, its flag cleared; o2 from the row with the later modified_at; o10 stripped.
    opportunities = {row[0]: row for row in staged[0]["opportunities"]}
    assert opportunities["o1"][3] == 200000
    # EUR 300.00 at the rate 1.10 stored by the first import.
    assert opportunities["o2"][3] == 33000
    assert opportunities["o2"][11] == 30000
    assert opportunities["o10"][1:3] == ("r9", "open")
    assert ("o1", "used_sales_engineer", 1) not in staged[0]["opportunity_flags"]
    assert ("o2", "used_sales_engineer", 1) in staged[0]["opportunity_flags"]
    assert staged[1].tables["opportunities"].duplicates == 1
    assert staged[1].tables["opportunities"].updated == 2


def test_staged_under_locale_and_day_first(tmp_path: Path, monkeypatch) -> None:
    files = {"opportunities.csv": """
        opp_id;rep_id;status;amount;created_on;close_on
        a;r1;won;1.355,90;03/04/2024;10/04/2024
        b;r1;won;1,12;15/04/2024;02/05/2024
        c;r1;lost;1.000.000;04/05/2024;30/02/2024
        d;r1;open;12,5.0;04/05/2024 10:00;
        """}
    options = ImportOptions(number_locale=parse_number_locale("de-DE"))
    rows, staged = _run_both(tmp_path, monkeypatch, [files], options=options)

    assert _comparable(staged[1]) == _comparable(rows[1])
    assert staged[0] == rows[0]
    # The date format is inferred as day-first: c has no 30 February and d a misplaced separator.
    assert staged[1].rejected_rows == 2


@pytest.mark.parametrize("text, rejected", [
    # A row with a missing cell: DuckDB rejects the file's structure, so it is read row by row.
    # o3 is won without close_on.
    ("opp_id,rep_id,status\no1,r1,open\no2,r1\no3,r1,won\n", 2),
    # A blank line, which the row-by-row reader numbers and DuckDB skips.
    ("opp_id,rep_id,status\no1,r1,open\n\no2,r1,wonn\n", 1),
    # Not UTF-8.
    ("opp_id,rep_id,status\no1,r1,open\no2,Jos\xe9,wonn\n", 1),
])
def test_staged_falls_back_to_row_parser(tmp_path: Path, monkeypatch, text: str, rejected: int) -> None:
    files_folder = tmp_path / "text"
    files_folder.mkdir()
    (files_folder / "opportunities.csv").write_bytes(text.encode("windows-1252"))
    results = []
    for name, url, bulk_rows in (("rows", "sqlite:///{}/rows.db", 10**9), ("staged", "duckdb:///{}/staged.duckdb", 1)):
        monkeypatch.setattr(bulk, "BULK_ROWS", bulk_rows)
        workspace = open_workspace(url.format(tmp_path))
        try:
            report = import_generic(workspace, files_folder, Settings())
            results.append((_snapshot(workspace), _comparable(report)))
        finally:
            workspace.close()

    assert results[1][1] == results[0][1]
    assert results[1][0] == results[0][0]
    assert results[1][1]["rejected_rows"] == rejected


def test_staged_keeps_large_files_byte_for_byte(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    folder = _write(tmp_path / "in", QUOTED)
    workspace = open_workspace(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        report = import_generic(workspace, folder, Settings())
        stored = workspace.execute("SELECT name, checksum, size, encoding, content FROM import_files ORDER BY name")

        assert isinstance(report.sources["stage_changes.csv"], LargeCsvFile)
        expected = []
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            expected.append((path.name, hashlib.sha256(data).hexdigest(), len(data), "utf-8", data))
        assert stored == expected
    finally:
        workspace.close()


def test_staged_folder_with_glob_characters(tmp_path: Path, monkeypatch) -> None:
    # DuckDB would read "data[1]" as a pattern, so these files are read row by row.
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    workspace = open_workspace(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        report = import_generic(workspace, _write(tmp_path / "data[1]", QUOTED), Settings())
        stored = workspace.execute("SELECT name, size FROM import_files ORDER BY name")

        assert report.applied
        assert not any(isinstance(file, LargeCsvFile) for file in report.sources.values())
        assert stored == [(path.name, path.stat().st_size) for path in sorted((tmp_path / "data[1]").iterdir())]
    finally:
        workspace.close()


def test_staged_failure_leaves_workspace_unchanged(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    workspace = open_workspace(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        import_generic(workspace, _write(tmp_path / "first", QUOTED), Settings())
        before = _snapshot(workspace)
        version = data_version(workspace)
        failing = dict(SECOND)
        failing["quotas.csv"] = """
            rep_id,starts_on,ends_on,amount
            r1,2024-03-01,2024-09-30,1000
            """
        with pytest.raises(ImportFailed, match="overlap"):
            import_generic(workspace, _write(tmp_path / "second", failing), Settings())

        assert _snapshot(workspace) == before
        assert data_version(workspace) == version
        assert count(workspace, "imports") == 1
        temporary = workspace.execute("SELECT COUNT(*) FROM duckdb_tables() WHERE temporary")[0][0]
        assert temporary == 0
    finally:
        workspace.close()


def test_staged_import_changes_data_version(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    workspace = open_workspace(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        import_generic(workspace, _write(tmp_path / "first", QUOTED), Settings())
        first = data_version(workspace)
        import_generic(workspace, _write(tmp_path / "second", SECOND), Settings())
        second = data_version(workspace)
        skipped = import_generic(workspace, tmp_path / "second", Settings())

        assert first is not None
        assert second != first
        assert skipped.skipped_as is not None
        assert data_version(workspace) == second
    finally:
        workspace.close()


def test_staged_reimport_into_keyed_workspace(tmp_path: Path, monkeypatch) -> None:
    # Workspaces created before these tables lost their primary key keep it, and the staged
    # import deletes and inserts the same keys in one transaction.
    monkeypatch.setattr(schema, "UNKEYED_ON_DUCKDB", frozenset())
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)
    workspace = open_workspace(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        keys = workspace.execute(
            "SELECT COUNT(*) FROM duckdb_constraints() WHERE table_name = 'stage_changes' "
            "AND constraint_type = 'PRIMARY KEY'")[0][0]
        import_generic(workspace, _write(tmp_path / "first", QUOTED), Settings())
        report = import_generic(workspace, _write(tmp_path / "second", SECOND), Settings())

        assert keys == 1
        assert report.applied
        assert report.tables["stage_changes"].updated == 1
        assert report.tables["opportunities"].updated == 2
    finally:
        workspace.close()


def test_scan_checksum_matches_files_read(tmp_path: Path) -> None:
    folder = _write(tmp_path / "in", FILES)
    paths = sorted(folder.glob("*.csv"))
    options = ImportOptions(strict=True)

    scans, digest = scan_files(paths, options)

    assert digest == checksum([read_csv(path) for path in paths], options)
    assert all(scans[path].size == path.stat().st_size for path in paths)


@pytest.mark.parametrize("chunk_bytes", [5, 6, 7, 16, 1 << 20])
def test_scan_finds_blank_lines(tmp_path: Path, monkeypatch, chunk_bytes: int) -> None:
    # Only a blank line before the last row changes how rows are numbered.
    texts = {
        "empty-line.csv": ("a,b\n1,2\n\n3,4\n", True),
        "spaces-line.csv": ("a,b\n1,2\n \t\r\n3,4\n", True),
        "trailing.csv": ("a,b\n1,2\n3,4\n\n \n", False),
        "crlf.csv": ("a,b\r\n1,2\r\n3,4\r\n", False),
    }
    for name, (text, _) in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    monkeypatch.setattr(largefile, "CHUNK_BYTES", chunk_bytes)

    scans, _ = scan_files([tmp_path / name for name in texts], ImportOptions())

    for name, (text, blank) in texts.items():
        assert scans[tmp_path / name].blank_line is blank, name
        assert scans[tmp_path / name].lines == text.count("\n"), name


def test_large_file_rejections_on_every_backend(workspace, folder: Path) -> None:
    # 12,002 rows: row 2 + 1,000 k (k = 1..12) contains one bad value, and the last row repeats o0.
    # DuckDB reads the file in SQL, SQLite and PostgreSQL through the row-by-row converter.
    lines = ["opp_id,rep_id,status,amount,created_on,close_on,modified_at"]
    bad = {
        1: ("status", "pending"), 2: ("amount", "-5"), 3: ("amount", "\"1,234\""), 4: ("close_on", "2024-02-30"),
        5: ("created_on", "20240101"), 6: ("modified_at", "2024-03-01 25:00"), 7: ("amount", "12.345"),
        8: ("status", ""), 9: ("close_on", ""), 10: ("rep_id", ""), 11: ("amount", "1e5"), 12: ("amount", "abc"),
    }
    for number in range(12_001):
        cells = {"opp_id": f"o{number}", "rep_id": f"r{number % 7}", "status": "won", "amount": "10.50",
                 "created_on": "2024-01-02", "close_on": "2024-03-04", "modified_at": "2024-03-04 10:00"}
        if number and number % 1_000 == 0:
            column, value = bad[number // 1_000]
            cells[column] = value
        lines.append(",".join(cells[name] for name in lines[0].split(",")))
    lines.append("o0,r1,lost,99,2024-01-02,2024-03-05,2024-03-05 10:00")
    (folder / "opportunities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = import_generic(workspace, folder, Settings())

    rejected = sorted((rejection.row, rejection.column) for rejection in report.rejected)
    expected_columns = {1: "status", 2: "amount", 3: "amount", 4: "close_on", 5: "created_on", 6: "modified_at",
                        7: "amount", 8: "status", 9: "close_on", 10: "rep_id", 11: "amount", 12: "amount"}
    assert rejected == sorted((2 + 1_000 * k, column) for k, column in expected_columns.items())
    assert report.rejected_rows == 12
    assert report.tables["opportunities"].duplicates == 1
    assert count(workspace, "opportunities") == 12_001 - 12
    assert select(workspace, "SELECT status, amount FROM opportunities WHERE opp_id = 'o0'") == [("lost", 9900)]


def test_staged_bad_counts_are_rejected_rows(tmp_path: Path, monkeypatch) -> None:
    # A count that is not a number, a non-ASCII digit and one beyond 64 bits: each row is rejected
    # (or, for the Arabic-Indic digit, read as the row parser reads it), and the import goes on.
    files = {"activities.csv": """
        rep_id,kind,occurred_on,count
        r1,call,2024-01-02,3
        r1,call,2024-01-03,x
        r1,email,2024-01-04,٣
        r1,email,2024-01-05,99999999999999999999
        r1,meeting,2024-01-06,9223372036854775807
        """}
    rows, staged = _run_both(tmp_path, monkeypatch, [files])

    assert _comparable(staged[1]) == _comparable(rows[1])
    assert staged[0] == rows[0]
    rejected = {(rejection.row, rejection.value) for rejection in staged[1].rejected}
    assert rejected == {(3, "x"), (5, "99999999999999999999")}
    assert "out of range" in next(r.reason for r in staged[1].rejected if r.row == 5)
    assert count_rows(staged[0], "activities") == 3


def test_staged_swiss_locale(tmp_path: Path, monkeypatch) -> None:
    # de-CH groups thousands with an apostrophe, which must not end the SQL string.
    files = {"opportunities.csv": """
        opp_id,rep_id,status,amount,created_on,close_on
        a,r1,won,10'900.50,2024-01-02,2024-02-03
        b,r1,won,1’250,2024-01-02,2024-02-03
        c,r1,lost,12'34,2024-01-02,2024-02-03
        """}
    options = ImportOptions(number_locale=parse_number_locale("de-CH"))
    rows, staged = _run_both(tmp_path, monkeypatch, [files], options=options)

    assert _comparable(staged[1]) == _comparable(rows[1])
    assert staged[0] == rows[0]
    amounts = {row[0]: row[3] for row in staged[0]["opportunities"]}
    assert amounts == {"a": 1090050, "b": 125000}
    assert staged[1].rejected_rows == 1


def test_staged_stage_changes_alone_warn_unknown_stage(tmp_path: Path, monkeypatch) -> None:
    # Stage changes imported without opportunities still name stages that must be known.
    first = {"opportunities.csv": FILES["opportunities.csv"], "stages.csv": SECOND["stages.csv"]}
    second = {"stage_changes.csv": """
        opp_id,stage,entered_at
        o1,Demo,2024-01-10
        o1,Unknown Stage,2024-01-12
        """}
    rows, staged = _run_both(tmp_path, monkeypatch, [first, second])

    codes = [warning.code for warning in staged[1].warnings]
    assert "unknown_stage" in codes
    assert _comparable(staged[1]) == _comparable(rows[1])


def count_rows(snapshot: dict[str, list], table: str) -> int:
    return len(snapshot[table])
