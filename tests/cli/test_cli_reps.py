"""`rasr reps`: the reps table in each format, and the missing-workspace error."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run_cli


def test_reps_json_sorted_by_team(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "reps", "--format", "json")

    assert result.exit_code == 0, result.output
    reps = json.loads(result.stdout)
    # Carl Lin has no team, so sorts first; then East and West, by name.
    assert [rep["rep_id"] for rep in reps] == ["cl", "ja", "jb", "ds", "zl"]
    assert reps[3] == {"rep_id": "ds", "name": "Darcel Schlecht", "team": "West", "start_date": "2015-01-01"}
    assert reps[0]["start_date"] is None


def test_reps_csv(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "reps", "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["rep_id", "name", "team", "start_date"]
    assert len(rows) == 5
    assert rows[0]["team"] == ""


def test_reps_table(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "reps")

    assert result.exit_code == 0, result.output
    assert "Darcel Schlecht" in result.stdout
    assert "2015-01-01" in result.stdout
    assert "5 reps" in result.stdout


def test_reps_empty_workspace(empty_workspace_path: str) -> None:
    table = run_cli("--db", empty_workspace_path, "reps")
    listing = run_cli("--db", empty_workspace_path, "reps", "--format", "json")

    assert table.exit_code == 0
    assert table.stdout == ""
    assert "has no reps" in table.stderr
    assert json.loads(listing.stdout) == []


def test_reps_missing_workspace(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"

    result = run_cli("--db", str(path), "reps")

    assert_one_line_error(result, 1, f"the workspace {path} does not exist; load data with "
                                     "`rasr import generic DIR` or `rasr import maven DIR`")
    assert not path.exists()


def test_reps_invalid_format(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "reps", "--format", "xml")

    assert_one_line_error(result, 2, "invalid value 'xml' for --format: expected table, json or csv")


def test_unsupported_workspace_url() -> None:
    result = run_cli("--db", "mysql://localhost/rasr", "reps")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: unsupported workspace URL scheme 'mysql'")
    assert result.stderr.count("\n") == 1


def test_unopenable_workspace(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.db"
    path.write_text("this is not a SQLite file\n" * 100)

    result = run_cli("--db", str(path), "reps")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
