"""`rasr --engine spark --data DIR` gives the same team JSON and briefs as DuckDB over the same Parquet files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from canonical_parquet import write_canonical_parquet
from compare import rounded
from scenario import Scenario
from typer.testing import CliRunner

from rasr.cli.main import app
from rasr.engine.analysis import analyze
from rasr.engine.settings import Settings
from rasr.store import open_workspace
from rasr.store.parquet import open_parquet_workspace

AS_OF = "2024-06-30"


def mixed_org() -> Scenario:
    """Two teams: stage regressions, an owner change, a pushed close date, goals, a deal without amount, a new hire."""
    s = Scenario().rep("ann", team="East", start="2020-01-01").rep("bob", team="East", start="2020-01-01")
    s.rep("cy", team="West", start="2024-05-01")
    for i in range(6):
        s.opp("ann", "won", 10_000 + 1_000 * i, created=f"2024-0{i + 1}-02", close=f"2024-0{i + 1}-20",
              history=[("Prospect", f"2024-0{i + 1}-02"), ("Qualify", f"2024-0{i + 1}-05"),
                       ("Proposal", f"2024-0{i + 1}-10"), ("Won", f"2024-0{i + 1}-20")])
    for i in range(4):
        s.opp("bob", "lost", 8_000, created=f"2024-0{i + 1}-03", close=f"2024-0{i + 2}-01",
              history=[("Qualify", f"2024-0{i + 1}-03"), ("Proposal", f"2024-0{i + 1}-15"),
                       ("Qualify", f"2024-0{i + 1}-20"), ("Lost", f"2024-0{i + 2}-01")])
    s.opp("bob", "won", None, created="2024-02-01", close="2024-04-01")
    stale = s.opp("bob", "open", 50_000, created="2023-11-01", close="2024-05-01",
                  history=[("Qualify", "2023-11-01"), ("Negotiation", "2023-12-01")], next_step="call the CFO")
    s.close_date_change(stale, "2024-03-01", "2024-05-01")
    moved = s.opp("cy", "won", 30_000, created="2024-03-01", close="2024-06-01",
                  history=[("Qualify", "2024-03-01"), ("Won", "2024-06-01")])
    s.owner_change(moved, "2024-05-02", "cy", from_rep_id="ann")
    s.opp("cy", "open", 12_000, created="2024-06-01", close="2024-08-01", stage="Proposal")
    s.quota("ann", "2024-01-01", "2024-12-31", 100_000).quota("bob", "2024-01-01", "2024-12-31", 80_000)
    s.aspiration("ann", "2024-01-01", "2024-12-31", 150_000)
    return s


def team_json(arguments: list[str]) -> dict:
    result = CliRunner().invoke(app, arguments + ["team", "--as-of", AS_OF, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def parquet_folder(tmp_path: Path) -> Path:
    workspace = open_workspace(f"duckdb:///{tmp_path / 'org.duckdb'}")
    try:
        mixed_org().save(workspace)
        return write_canonical_parquet(workspace, tmp_path / "org")
    finally:
        workspace.close()


@pytest.mark.spark
def test_cli_team_json_equal(parquet_folder: Path, spark_session: object) -> None:
    on_duckdb = team_json(["--engine", "duckdb", "--data", str(parquet_folder)])
    on_spark = team_json(["--engine", "spark", "--data", str(parquet_folder)])

    assert [row["rep_id"] for row in on_duckdb["reps"]] == ["ann", "bob", "cy"]
    assert rounded(on_spark["reps"]) == rounded(on_duckdb["reps"])
    assert rounded(on_spark["totals"]) == rounded(on_duckdb["totals"])
    assert rounded(on_spark) == rounded(on_duckdb)


@pytest.mark.spark
def test_briefs_equal_imported_workspace(parquet_folder: Path, tmp_path: Path, spark_session: object) -> None:
    """Spark over the files gives what DuckDB gives over the workspace they were written from."""
    workspace = open_workspace(f"duckdb:///{tmp_path / 'org.duckdb'}")
    files = open_parquet_workspace(parquet_folder, "spark", spark=spark_session)
    reps = {"ann", "bob", "cy"}
    day = dt.date.fromisoformat(AS_OF)
    try:
        expected = analyze(workspace, settings=Settings(), as_of=day, briefs_for=reps)
        found = analyze(files, settings=Settings(), as_of=day, briefs_for=reps)
    finally:
        workspace.close()

    assert rounded(found.as_dict()) == rounded(expected.as_dict())
    for rep_id in sorted(reps):
        assert rounded(found.brief(rep_id)) == rounded(expected.brief(rep_id)), rep_id
    # Bob's open deal is past its expected close date, so his brief lists a slipped deal.
    assert any(deal["slipped"] for deal in expected.brief("bob")["deals_to_review"])
