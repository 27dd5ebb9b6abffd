"""The whole command line through the real engine: import a folder, then `team` and `brief` on it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cli_data import AS_OF, write_generic_folder
from cli_helpers import assert_one_line_error, run_cli

CONVERSATIONS = {"how_good_can_you_get", "tune_the_deals", "tune_the_engine", None}


@pytest.fixture
def imported_db(tmp_path: Path) -> str:
    """Import the generic folder of cli_data into a new SQLite workspace; return its path."""
    db = str(tmp_path / "e2e.db")
    result = run_cli("--db", db, "import", "generic", str(write_generic_folder(tmp_path / "export")))
    assert result.exit_code == 0, result.output
    return db


def test_team_json_follows_contract(imported_db: str) -> None:
    result = run_cli("--db", imported_db, "team", "--as-of", AS_OF, "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == AS_OF
    assert [row["name"] for row in data["reps"]] == ["Nina Park", "Rita Ng", "Sam Ode"]
    for row in [*data["reps"], data["totals"]]:
        assert set(row["results"]) >= {"quota", "aspiration", "outlook"}
        assert set(row["process"]) >= {"start_enough", "with_enough", "fast_enough"}
        assert "win_rate_count" in row["metrics"]
    for row in data["reps"]:
        assert row["conversation"] in CONVERSATIONS
    # Nina Park started on 2017-05-15, within ramp_days (90) of as_of.
    assert data["reps"][0]["conversation"] is None
    assert data["reps"][0]["conversation_reason"].startswith("ramping")


def test_team_default_as_of_notice_on_stderr(imported_db: str) -> None:
    result = run_cli("--db", imported_db, "team", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2017-05-27"
    assert "as_of defaults to 2017-05-27, the latest recorded event" in result.stderr


def test_team_table_and_csv(imported_db: str) -> None:
    table = run_cli("--db", imported_db, "team", "--as-of", AS_OF)
    flat = run_cli("--db", imported_db, "team", "--as-of", AS_OF, "--format", "csv")

    assert table.exit_code == 0, table.output
    assert "Rita Ng" in table.stdout
    assert "none: ramping" in table.stdout
    assert "Total, 3 reps" in table.stdout
    rows = list(csv.DictReader(io.StringIO(flat.stdout)))
    assert [row["row"] for row in rows] == ["rep", "rep", "rep", "totals"]
    assert rows[1]["name"] == "Rita Ng"


def test_team_unknown_team(imported_db: str) -> None:
    result = run_cli("--db", imported_db, "team", "--as-of", AS_OF, "--team", "Wset")

    assert_one_line_error(result, 1, "unknown team 'Wset'; known teams: West")


def test_brief_every_format(imported_db: str) -> None:
    text = run_cli("--db", imported_db, "brief", "rita ng", "--as-of", AS_OF)
    data = run_cli("--db", imported_db, "brief", "r1", "--as-of", AS_OF, "--format", "json")
    page = run_cli("--db", imported_db, "brief", "Rita Ng", "--as-of", AS_OF, "--format", "html")

    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("1:1 brief: Rita Ng (r1, West), as of 2017-06-30")
    for heading in ("Results (context)", "Requirements", "Speed", "Process", "Conversation:",
                    "Suggested coaching goal", "Next Play:"):
        assert heading in text.stdout
    brief = json.loads(data.stdout)
    assert brief["rep"]["rep_id"] == "r1"
    assert set(brief["requirements"]) >= {"month", "quarter", "year"}
    if brief["conversation"] == "tune_the_deals":
        # Open deals are listed, so the engine was asked for this rep's deals.
        assert brief["deals_to_review"]
        assert "Deals to review" in text.stdout
    assert page.exit_code == 0, page.output
    assert "http" not in page.stdout
    assert "//" not in page.stdout
    assert "Rita Ng" in page.stdout


def test_brief_unknown_rep(imported_db: str) -> None:
    result = run_cli("--db", imported_db, "brief", "Rita Nq")

    assert_one_line_error(result, 1, "unknown rep 'Rita Nq'; did you mean 'Rita Ng'?")


def test_empty_workspace_message(empty_workspace_path: str) -> None:
    team = run_cli("--db", empty_workspace_path, "team")
    brief = run_cli("--db", empty_workspace_path, "brief", "Rita Ng")

    message = (f"the workspace {empty_workspace_path} has no opportunities; load data with "
               "`rasr import generic DIR` or `rasr import maven DIR`")
    assert_one_line_error(team, 1, message)
    assert_one_line_error(brief, 1, message)


@pytest.mark.shared_data
def test_maven_demo(shared_data: Path, tmp_path: Path) -> None:
    """The Makefile's demo: the public Maven data set with its extras, as of 2017-06-30."""
    db = str(tmp_path / "demo.db")
    maven = run_cli("--db", db, "import", "maven", str(shared_data / "public" / "maven-crm-sales-opportunities"))
    extras = run_cli("--db", db, "import", "generic", str(shared_data / "maven-extras"))
    team = run_cli("--db", db, "team", "--as-of", "2017-06-30", "--format", "json")
    brief = run_cli("--db", db, "brief", "Darcel Schlecht", "--as-of", "2017-06-30")

    assert maven.exit_code == 0, maven.output
    assert extras.exit_code == 0, extras.output
    assert len(json.loads(team.stdout)["reps"]) == 35
    assert brief.exit_code == 0, brief.output
    assert brief.stdout.startswith("1:1 brief: Darcel Schlecht")
