"""`rasr team` on the fake engine: table, JSON and CSV output, the 120-column fit and the errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from cli_fakes import REPS, AnalysisError, EmptyWorkspaceError, FakeEngine, team_dict
from cli_helpers import assert_one_line_error, run_cli
from rich.console import Console

from rasr.cli.render_team import team_table
from rasr.store import open_workspace
from rasr.store.load import upsert

CONSOLE_WIDTH = 120


def render(data: dict, width: int) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(team_table(data, "USD", None, width))
    return console.export_text().splitlines()


def test_team_json_stdout_is_only_json(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "team", "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == team_dict()
    assert "as_of defaults to 2017-06-30, the latest recorded event" in result.stderr
    assert "warning: no aspiration row covers FY2017 to date" in result.stderr


def test_team_passes_options_to_engine(workspace_path: str, fake_engine: FakeEngine) -> None:
    run_cli("--db", workspace_path, "team", "--as-of", "2017-03-31", "--team", "West", "--format", "json")

    assert len(fake_engine.calls) == 1
    assert fake_engine.calls[0]["as_of"] == dt.date(2017, 3, 31)
    assert fake_engine.calls[0]["team"] == "West"
    assert fake_engine.calls[0]["settings"].lookback_days == 365


def test_team_csv_flat_rows(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "team", "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(REPS) + 1
    assert [row["row"] for row in rows] == ["rep"] * len(REPS) + ["totals"]
    first = rows[0]
    assert first["as_of"] == "2017-06-30"
    assert first["rep_id"] == "ds"
    assert first["results.quota.answer"] == "no"
    assert first["process.start_enough.passed"] == "false"
    assert first["metrics.open_amount"] == "301175.25"
    # A missing value is an empty cell, never "None".
    assert rows[0]["results.aspiration.goal"] == ""
    assert rows[-1]["rep_id"] == ""


def test_team_table_output(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "team")

    assert result.exit_code == 0, result.output
    assert "Darcel Schlecht" in result.stdout
    assert "Tune engine" in result.stdout
    assert "$1.2M/$540k" in result.stdout
    assert "Total, 5 reps" in result.stdout
    assert "as_of defaults to" in result.stderr


def test_team_table_fits_120_columns() -> None:
    lines = render(team_dict(), CONSOLE_WIDTH)

    assert max(len(line) for line in lines) <= CONSOLE_WIDTH
    for row in team_dict()["reps"]:
        first_word = row["name"].split()[0]
        line = next(line for line in lines if line.startswith(first_word))
        expected = {"tune_the_engine": "Tune engine", "tune_the_deals": "Tune deals",
                    "how_good_can_you_get": "How good", None: "none:"}[row["conversation"]]
        assert expected in line, line


def test_team_table_keeps_every_figure_at_120() -> None:
    lines = render(team_dict(), CONSOLE_WIDTH)
    header = next(line for line in lines if line.startswith("Rep"))
    totals = next(line for line in lines if line.startswith("Total"))

    for column in ("Conversation", "Quota", "Aspir.", "Outlook", "Start", "With", "Fast", "Win", "Size"):
        assert column in header
    # The widest cells appear whole on the totals row.
    assert "✗ 1,404/2,027" in totals
    assert "✗ $3.5M/$4.6M" in totals
    assert "$3.1k" in totals


@pytest.mark.parametrize("width", [100, 80])
def test_team_table_narrow_console(width: int) -> None:
    lines = render(team_dict(), width)

    assert max(len(line) for line in lines) <= width
    assert "Left out at this width" in "\n".join(lines)


def test_team_invalid_date(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "team", "--as-of", "2017-13-01")

    assert_one_line_error(result, 2, "invalid date '2017-13-01' for --as-of: expected YYYY-MM-DD")
    assert fake_engine.calls == []


def test_team_invalid_format(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "team", "--format", "html")

    assert_one_line_error(result, 2, "invalid value 'html' for --format: expected table, json or csv")


def test_team_empty_workspace_from_engine(workspace_path: str, fake_engine: FakeEngine) -> None:
    fake_engine.error = EmptyWorkspaceError("no opportunities")

    result = run_cli("--db", workspace_path, "team")

    assert_one_line_error(result, 1, f"the workspace {workspace_path} has no opportunities; load data with "
                                     "`rasr import generic DIR` or `rasr import maven DIR`")


def test_team_analysis_error(workspace_path: str, fake_engine: FakeEngine) -> None:
    fake_engine.error = AnalysisError("unknown team 'Wset'; known teams: East, West")

    result = run_cli("--db", workspace_path, "team", "--team", "Wset")

    assert_one_line_error(result, 1, "unknown team 'Wset'; known teams: East, West")


def test_team_unexpected_error_is_one_line(workspace_path: str, fake_engine: FakeEngine) -> None:
    fake_engine.error = RuntimeError("disk on fire")

    result = run_cli("--db", workspace_path, "team")

    assert_one_line_error(result, 1, "disk on fire")


def test_team_unexpected_error_traceback_at_debug(workspace_path: str, fake_engine: FakeEngine) -> None:
    fake_engine.error = RuntimeError("disk on fire")

    result = run_cli("--db", workspace_path, "-vv", "team")

    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.endswith("error: disk on fire\n")


def test_team_verbose_logs_info(workspace_path: str, fake_engine: FakeEngine) -> None:
    quiet = run_cli("--db", workspace_path, "team", "--format", "json")
    verbose = run_cli("--db", workspace_path, "-v", "team", "--format", "json")

    assert "INFO" not in quiet.stderr
    assert "INFO rasr.cli" in verbose.stderr
    assert json.loads(verbose.stdout) == team_dict()


def test_team_json_rejects_nan(workspace_path: str, fake_engine: FakeEngine) -> None:
    fake_engine.result.team["totals"]["metrics"]["win_rate_count"] = float("nan")

    result = run_cli("--db", workspace_path, "team", "--format", "json")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Out of range float values are not JSON compliant" in result.stderr


@pytest.mark.parametrize("interrupt", ["keyboard", "duckdb"])
def test_team_interrupted_exits_130(workspace_path: str, fake_engine: FakeEngine, interrupt: str) -> None:
    import duckdb

    # Ctrl-C reaches Python as KeyboardInterrupt, or as DuckDB's own error during a query.
    if interrupt == "keyboard":
        fake_engine.error = KeyboardInterrupt()
    else:
        fake_engine.error = duckdb.InterruptException("INTERRUPT Error")

    result = run_cli("--db", workspace_path, "team")

    # An analysis changes no imported data, so the message does not speak of an import.
    assert_one_line_error(result, 130, "interrupted")


def duckdb_workspace(tmp_path: Path) -> Path:
    """Create a DuckDB workspace with the fake engine's reps and return its file."""
    path = tmp_path / "workspace.duckdb"
    workspace = open_workspace(f"duckdb:///{path}")
    try:
        upsert(workspace, "reps", ["rep_id", "name", "team"], [(rep[0], rep[1], rep[2]) for rep in REPS])
    finally:
        workspace.close()
    return path


@pytest.mark.parametrize(("url", "advice"), [
    ("duckdb:///{path}?memory_limit=1GB&threads=2",
     " within its memory_limit of 1GB: raise it in the workspace URL, for example "
     "--db 'duckdb:///{path}?memory_limit=2GB&threads=2'"),
    ("duckdb:///{path}?memory_limit=100KB",
     " within its memory_limit of 100KB: raise it in the workspace URL, for example "
     "--db 'duckdb:///{path}?memory_limit=1GB'"),
    ("{path}",
     ": close other programs, or set a memory_limit below this machine's free memory in the workspace URL, "
     "for example --db 'duckdb:///{path}?memory_limit=4GB', so that DuckDB writes intermediate results to "
     "disk beyond it"),
])
def test_team_out_of_memory_names_the_limit(tmp_path: Path, fake_engine: FakeEngine, url: str, advice: str) -> None:
    import duckdb

    path = duckdb_workspace(tmp_path)
    fake_engine.error = duckdb.OutOfMemoryException(
        "Out of Memory Error: could not allocate block of size 256.0 KiB (1.0 GiB/1.0 GiB used)")

    result = run_cli("--db", url.format(path=path), "team")

    assert_one_line_error(result, 1, "the workspace database ran out of memory" + advice.format(path=path))


def test_team_out_of_memory_opening_the_workspace(tmp_path: Path) -> None:
    """A real DuckDB error: with 100 KB, DuckDB cannot even open the workspace."""
    path = duckdb_workspace(tmp_path)

    result = run_cli("--db", f"duckdb:///{path}?memory_limit=100KB", "team")

    assert_one_line_error(result, 1, "the workspace database ran out of memory within its memory_limit of 100KB: "
                                     f"raise it in the workspace URL, for example --db 'duckdb:///{path}?memory_limit=1GB'")
