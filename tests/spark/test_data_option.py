"""The --data and --engine options: Parquet folders read with DuckDB, and the errors for bad values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from canonical_parquet import write_canonical_parquet
from scenario import Scenario
from typer.testing import CliRunner

from rasr.cli.main import app
from rasr.engine.analysis import analyze
from rasr.engine.settings import Settings
from rasr.store import WorkspaceError, open_workspace
from rasr.store.parquet import open_parquet_workspace

AS_OF = "2024-06-30"


def small_org() -> Scenario:
    s = Scenario().rep("ann", start="2020-01-01")
    s.opp("ann", "won", 1_234.56, created="2024-01-10", close="2024-03-01",
          history=[("Qualify", "2024-01-10 09:30"), ("Won", "2024-03-01 17:00")])
    s.opp("ann", "lost", 2_000, created="2024-01-10", close="2024-04-01")
    s.quota("ann", "2024-01-01", "2024-12-31", 10_000)
    return s


@pytest.fixture
def folders(tmp_path: Path) -> tuple[str, Path]:
    """Return the URL of a DuckDB workspace with small_org and the Parquet folder written from it."""
    url = f"duckdb:///{tmp_path / 'org.duckdb'}"
    workspace = open_workspace(url)
    try:
        small_org().save(workspace)
        return url, write_canonical_parquet(workspace, tmp_path / "org")
    finally:
        workspace.close()


def test_duckdb_files_equal_workspace(folders: tuple[str, Path]) -> None:
    url, folder = folders
    runner = CliRunner()
    arguments = ["team", "--as-of", AS_OF, "--format", "json"]
    from_workspace = runner.invoke(app, ["--db", url, *arguments])
    from_files = runner.invoke(app, ["--data", str(folder), *arguments])

    assert from_workspace.exit_code == 0, from_workspace.output
    assert from_files.exit_code == 0, from_files.output
    assert json.loads(from_files.stdout) == json.loads(from_workspace.stdout)


def test_reader_converts_money_and_dates(folders: tuple[str, Path]) -> None:
    _url, folder = folders
    files = open_parquet_workspace(folder, "duckdb")
    try:
        amounts = sorted(files.execute("SELECT amount FROM opportunities"))
        entered = sorted(files.execute("SELECT entered_on FROM stage_changes"))
        quota = files.execute("SELECT amount FROM quotas")
    finally:
        files.close()

    # $1,234.56 is stored as 123,456 cents, as an import stores it.
    assert amounts == [(123_456,), (200_000,)]
    # entered_on is the date of entered_at, which the files leave out.
    assert entered == [(dt.date(2024, 1, 10),), (dt.date(2024, 3, 1),)]
    assert quota == [(1_000_000,)]


def test_files_are_read_only(folders: tuple[str, Path]) -> None:
    _url, folder = folders
    files = open_parquet_workspace(folder, "duckdb")
    try:
        with pytest.raises(WorkspaceError, match="read-only"):
            files.transaction()
        result = analyze(files, settings=Settings(), as_of=dt.date.fromisoformat(AS_OF))
    finally:
        files.close()
    assert [row["rep_id"] for row in result.as_dict()["reps"]] == ["ann"]


def test_engine_without_data_rejected() -> None:
    result = CliRunner().invoke(app, ["--engine", "spark", "team"])
    assert result.exit_code == 2
    assert "--engine spark needs --data DIR" in result.stderr


def test_unknown_engine_rejected(folders: tuple[str, Path]) -> None:
    _url, folder = folders
    result = CliRunner().invoke(app, ["--engine", "pandas", "--data", str(folder), "team"])
    assert result.exit_code == 2
    assert "invalid value 'pandas' for --engine: expected duckdb or spark" in result.stderr


def test_missing_folder_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data", str(tmp_path / "nowhere"), "team"])
    assert result.exit_code == 1
    assert "is not a folder" in result.stderr


def test_folder_without_opportunities_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data", str(tmp_path), "team"])
    assert result.exit_code == 1
    assert "contains no opportunities.parquet" in result.stderr
