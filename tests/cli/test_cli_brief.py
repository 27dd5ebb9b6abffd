"""`rasr brief REP` on the fake engine: finding the rep, text, JSON and HTML output, and the errors."""

from __future__ import annotations

import json

from cli_fakes import REPS, FakeEngine, brief_dict
from cli_helpers import assert_one_line_error, run_cli

from rasr.store import open_workspace
from rasr.store.load import upsert

DARCEL = REPS[0]


def test_brief_by_name_ignores_case(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "darcel  SCHLECHT", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == brief_dict(DARCEL)
    assert fake_engine.calls[0]["briefs_for"] == {"ds"}
    assert "as_of defaults to 2017-06-30" in result.stderr


def test_brief_by_id(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "ZL", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rep"]["name"] == "Zane Levy"


def test_brief_unknown_rep_suggests(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "Darcel Schlect")

    assert_one_line_error(result, 1, "unknown rep 'Darcel Schlect'; did you mean 'Darcel Schlecht'?")
    assert fake_engine.calls == []


def test_brief_unknown_rep_without_match(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "Nobody Atall")

    assert_one_line_error(result, 1, "unknown rep 'Nobody Atall'; `rasr reps` lists the rep ids and names")


def test_brief_ambiguous_name(workspace_path: str, fake_engine: FakeEngine) -> None:
    workspace = open_workspace(workspace_path)
    upsert(workspace, "reps", ["rep_id", "name", "team"], [("ds2", "Darcel Schlecht", "East")])
    workspace.close()

    result = run_cli("--db", workspace_path, "brief", "Darcel Schlecht")

    assert_one_line_error(result, 1, "the name 'Darcel Schlecht' matches 2 reps (ds2, ds); give the rep id instead")


def test_brief_owner_without_reps_row(workspace_path: str, fake_engine: FakeEngine) -> None:
    workspace = open_workspace(workspace_path)
    upsert(workspace, "opportunities", ["opp_id", "rep_id", "status"], [("o9", "ghost", "open")])
    workspace.close()
    fake_engine.result.briefs["ghost"] = brief_dict(("ghost", "ghost", None, None, None, "no quota"))

    result = run_cli("--db", workspace_path, "brief", "ghost", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rep"]["rep_id"] == "ghost"


def test_brief_rep_missing_from_analysis(workspace_path: str, fake_engine: FakeEngine) -> None:
    del fake_engine.result.briefs["zl"]

    result = run_cli("--db", workspace_path, "brief", "Zane Levy", "--as-of", "2017-06-30")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "error: rep 'zl' has no brief as of 2017-06-30; the analysis left them out"
    assert "Traceback" not in result.output


def test_brief_empty_workspace(empty_workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", empty_workspace_path, "brief", "anyone")

    assert_one_line_error(result, 1, f"the workspace {empty_workspace_path} has no opportunities; load data with "
                                     "`rasr import generic DIR` or `rasr import maven DIR`")


def test_brief_invalid_date(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "ds", "--as-of", "30/06/2017")

    assert_one_line_error(result, 2, "invalid date '30/06/2017' for --as-of: expected YYYY-MM-DD")


def test_brief_text_in_rasr_order(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "ds")

    assert result.exit_code == 0, result.output
    text = result.stdout
    headings = ["1. Results (context)", "2. Requirements", "3. Speed", "4. Process", "5. Conversation: Tune the Engine",
                "6. Suggested coaching goal (activities)", "7. Deals to review", "8. Data warnings"]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert "1:1 brief: Darcel Schlecht (ds, West), as of 2017-06-30" in text
    assert "Next Play: Create 22 new qualified opportunities before 30 July" in text
    assert "+26%" in text
    assert "stale, slipped" in text
    # The verifier cell wraps inside its column.
    assert "Exit criteria: signed" in text
    assert "Next step: call CFO" in text
    assert "$422,330" in text
    assert "What if" not in text


def test_brief_text_how_good_shows_what_if(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "Zane Levy")

    assert result.exit_code == 0, result.output
    assert "7. What if: the outlook with one input changed" in result.stdout
    assert "win rates +5 points" in result.stdout
    assert "Development plan" in result.stdout
    assert "Deals to review" not in result.stdout


def test_brief_text_without_conversation(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "cl")

    assert result.exit_code == 0, result.output
    assert "Conversation: No conversation" in result.stdout
    assert "Why: no data on or before as_of" in result.stdout


def test_brief_text_survives_all_nulls(workspace_path: str, fake_engine: FakeEngine) -> None:
    fake_engine.result.briefs["ds"] = {"as_of": None, "rep": {"rep_id": "ds"}, "conversation": None,
                                       "results": None, "requirements": None, "speed": None, "process": None,
                                       "goal_suggestion": None, "deals_to_review": None, "what_if": None}

    result = run_cli("--db", workspace_path, "brief", "ds")

    assert result.exit_code == 0, result.output
    assert "No requirements could be computed." in result.stdout
    assert "No goal could be suggested" in result.stdout


def test_brief_html_is_self_contained(workspace_path: str, fake_engine: FakeEngine) -> None:
    result = run_cli("--db", workspace_path, "brief", "ds", "--format", "html")

    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert "http" not in page
    assert "//" not in page
    assert "<link" not in page
    assert "<script" not in page
    assert "src=" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; renewal (Acme &amp; Sons)" in page
    assert "<h2>1. Results (context)</h2>" in page
    assert "as_of defaults to" in result.stderr
