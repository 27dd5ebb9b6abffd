"""`rasr import generic|maven DIR`: the printed report, the JSON report and failed imports."""

from __future__ import annotations

import json
from pathlib import Path

from cli_data import write_generic_folder
from cli_helpers import assert_one_line_error, run_cli


def test_import_generic_prints_report(tmp_path: Path) -> None:
    folder = write_generic_folder(tmp_path / "export")
    db = str(tmp_path / "new.db")

    result = run_cli("--db", db, "import", "generic", str(folder))

    assert result.exit_code == 0, result.output
    assert f"generic import of {folder.resolve()}: applied" in result.stdout
    assert "files: opportunities.csv, quotas.csv, reps.csv, stages.csv, teams.csv" in result.stdout
    assert "Rows per table" in result.stdout
    opportunities = next(line for line in result.stdout.splitlines() if line.strip().startswith("opportunities"))
    assert opportunities.split()[1:3] == ["31", "31"]
    assert result.stderr == ""


def test_import_generic_json(tmp_path: Path) -> None:
    folder = write_generic_folder(tmp_path / "export")

    result = run_cli("--db", str(tmp_path / "new.db"), "import", "generic", str(folder), "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["tables"]["reps"]["inserted"] == 3
    assert report["rejected"] == []


def test_import_again_skipped(tmp_path: Path) -> None:
    folder = write_generic_folder(tmp_path / "export")
    db = str(tmp_path / "new.db")
    first = json.loads(run_cli("--db", db, "import", "generic", str(folder), "--format", "json").stdout)

    result = run_cli("--db", db, "import", "generic", str(folder), "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["skipped_as"] == first["import_id"]
    assert report["inserted"] == 0
    assert report["updated"] == 0


def test_import_again_forced_updates(tmp_path: Path) -> None:
    folder = write_generic_folder(tmp_path / "export")
    db = str(tmp_path / "new.db")
    run_cli("--db", db, "import", "generic", str(folder))

    result = run_cli("--db", db, "import", "generic", str(folder), "--force", "--format", "json")

    report = json.loads(result.stdout)
    assert report["inserted"] == 0
    assert report["updated"] == report["rows_read"]


def test_import_lists_rejected_rows(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "reps.csv").write_text("rep_id,name,start_date\nr1,Rita Ng,2017-13-01\nr2,Sam Ode,2016-02-01\n")

    text = run_cli("--db", str(tmp_path / "a.db"), "import", "generic", str(folder))
    report = json.loads(run_cli("--db", str(tmp_path / "b.db"), "import", "generic", str(folder),
                                "--format", "json").stdout)

    assert text.exit_code == 0, text.output
    assert "Rejected rows: 1" in text.stdout
    rejected_line = next(line for line in text.stdout.splitlines() if "reps.csv" in line and "2017-13-01" in line)
    assert rejected_line.split()[:4] == ["reps.csv", "2", "start_date", "2017-13-01"]
    assert report["rejected"][0]["row"] == 2
    assert report["rejected"][0]["column"] == "start_date"


def test_import_failure_exits_1(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"

    result = run_cli("--db", str(tmp_path / "new.db"), "import", "generic", str(missing))

    assert result.exit_code == 1
    assert "NOT applied" in result.stdout
    assert result.stderr.startswith(f"error: import failed: {missing} is not a folder")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_import_failure_json_is_only_json(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "reps.csv").write_text("rep_id,team\nr1,West\n")

    result = run_cli("--db", str(tmp_path / "new.db"), "import", "generic", str(folder), "--format", "json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert "name" in report["error"]
    assert result.stderr == f"error: import failed: {report['error']}\n"


def test_import_maven_missing_files(tmp_path: Path) -> None:
    folder = tmp_path / "maven"
    folder.mkdir()

    result = run_cli("--db", str(tmp_path / "new.db"), "import", "maven", str(folder))

    assert result.exit_code == 1
    assert result.stderr.startswith("error: import failed: ")
    assert "Traceback" not in result.output


def test_import_invalid_format(tmp_path: Path) -> None:
    result = run_cli("--db", str(tmp_path / "new.db"), "import", "generic", str(tmp_path), "--format", "csv")

    assert_one_line_error(result, 2, "invalid value 'csv' for --format: expected text or json")


def test_import_interrupted_in_duckdb_exits_130(tmp_path: Path, monkeypatch) -> None:
    # Ctrl-C during a DuckDB query arrives as DuckDB's InterruptException, here while writing a table.
    import duckdb

    import rasr.importers.bulk as bulk
    import rasr.importers.staged_apply as staged_apply

    folder = write_generic_folder(tmp_path / "export")
    db = f"duckdb:///{tmp_path / 'work.duckdb'}"
    monkeypatch.setattr(bulk, "BULK_ROWS", 1)

    def interrupted(*args, **kwargs):
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(staged_apply, "_write_table", interrupted)

    result = run_cli("--db", db, "import", "generic", str(folder))

    assert_one_line_error(result, 130, "interrupted; an import that did not finish wrote nothing")
    assert "NOT applied" not in result.stdout
    monkeypatch.undo()
    # Nothing was written: no rows and no recorded import, and a new import applies.
    from rasr.store import open_workspace

    workspace = open_workspace(db)
    try:
        assert workspace.execute("SELECT COUNT(*) FROM opportunities")[0][0] == 0
        assert workspace.execute("SELECT COUNT(*) FROM imports")[0][0] == 0
    finally:
        workspace.close()
    assert run_cli("--db", db, "import", "generic", str(folder)).exit_code == 0


def test_keyboard_interrupt_exits_130(tmp_path: Path, monkeypatch) -> None:
    import rasr.importers as importers

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(importers, "import_generic", interrupted)
    folder = write_generic_folder(tmp_path / "export")

    result = run_cli("--db", str(tmp_path / "work.db"), "import", "generic", str(folder))

    assert_one_line_error(result, 130, "interrupted; an import that did not finish wrote nothing")
