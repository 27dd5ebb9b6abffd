"""Safety of every import: rejected rows written out, --strict, files kept with checksums, re-imports skipped."""

from __future__ import annotations

import csv
import hashlib
import logging
import textwrap
from pathlib import Path

import pytest
from import_helpers import count, select

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, ImportOptions, import_generic
from rasr.importers import progress
from rasr.importers.outputs import write_outputs
from rasr.importers.pipedrive import import_pipedrive


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


DEALS = """
    ID,Title,Owner,Value,Status,Deal created,Won time,Expected close date
    1,Acme,Rita,100,Won,2024-01-02 09:00:00,2024-02-01 10:00:00,
    2,Beta,Rita,12x,Open,2024-01-03 09:00:00,,2024-05-01
    3,Gamma,,300,Open,2024-01-04 09:00:00,,2024-13-01
    """


def test_rejected_rows_written_beside_report(sqlite_workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", DEALS)
    report = import_pipedrive(sqlite_workspace, path, Settings())
    directory = write_outputs(report, tmp_path / "out")

    with (directory / "deals.rejected.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-2:] == ["rejected_column", "rejected_reason"]
    assert rows[0][:4] == ["ID", "Title", "Owner", "Value"]
    assert [row[0] for row in rows[1:]] == ["2", "3"]
    assert rows[1][-2] == "Value"
    assert rows[1][-1].startswith("Value '12x' in deals.csv row 3 is not a number")
    # Row 4 has two problems, both named.
    assert sorted(rows[2][-2].split("; ")) == ["Expected close date", "Owner"]
    assert (directory / "report.json").is_file()
    assert count(sqlite_workspace, "opportunities") == 1


def test_strict_fails_whole_import(sqlite_workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", DEALS)
    with pytest.raises(ImportFailed, match="2 rows were rejected and --strict") as failure:
        import_pipedrive(sqlite_workspace, path, Settings(), ImportOptions(strict=True))
    assert failure.value.report.rejected_rows == 2
    assert count(sqlite_workspace, "opportunities") == 0
    assert count(sqlite_workspace, "imports") == 0


def test_raw_file_kept_with_checksum(workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", DEALS)
    report = import_pipedrive(workspace, path, Settings())
    stored = workspace.execute("SELECT name, checksum, size, content FROM import_files WHERE import_id = ?",
                               (report.import_id,))
    data = path.read_bytes()
    assert len(stored) == 1
    name, checksum, size, content = stored[0]
    assert name == "deals.csv"
    assert checksum == hashlib.sha256(data).hexdigest()
    assert size == len(data)
    assert bytes(content) == data


def test_same_file_again_changes_nothing(workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", DEALS)
    first = import_pipedrive(workspace, path, Settings())
    before = select(workspace, "SELECT * FROM opportunities ORDER BY opp_id")

    again = import_pipedrive(workspace, path, Settings())

    assert again.ok
    assert again.skipped_as == first.import_id
    assert not again.applied
    assert select(workspace, "SELECT * FROM opportunities ORDER BY opp_id") == before
    assert count(workspace, "imports") == 1
    assert count(workspace, "import_files") == 1


def test_same_file_other_options_imported(sqlite_workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", DEALS)
    import_pipedrive(sqlite_workspace, path, Settings())
    again = import_pipedrive(sqlite_workspace, path, Settings(), ImportOptions(source_timezone="Asia/Tokyo"))
    assert again.applied
    assert count(sqlite_workspace, "imports") == 2


def test_changed_file_imported(sqlite_workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", DEALS)
    import_pipedrive(sqlite_workspace, path, Settings())
    write(path, DEALS.replace("Acme", "Acme Ltd"))
    again = import_pipedrive(sqlite_workspace, path, Settings())
    assert again.applied
    assert select(sqlite_workspace, "SELECT name FROM opportunities WHERE opp_id = '1'") == [("Acme Ltd",)]


def test_progress_logged_off_terminal(sqlite_workspace, folder: Path, caplog, monkeypatch) -> None:
    monkeypatch.setattr(progress, "LOG_EVERY", 2)
    lines = ["rep_id,name"] + [f"r{number},Rep {number}" for number in range(5)]
    (folder / "reps.csv").write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.INFO, logger="rasr.importers.progress"):
        import_generic(sqlite_workspace, folder, Settings())
    messages = [record.getMessage() for record in caplog.records if record.name == "rasr.importers.progress"]
    assert "reading reps.csv: 2 of 5 rows" in messages
    assert "reading reps.csv: 4 of 5 rows" in messages
    assert "reading reps.csv: 5 of 5 rows done" in messages
