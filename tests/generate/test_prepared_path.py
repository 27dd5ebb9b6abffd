"""Analyses on or after the last recorded change read prepared deals; they must match the analysis built from history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from generated_org import ORG_REPS, ImportedOrg

from rasr.engine import analysis
from rasr.engine.dataset import PREPARED_DEALS, PREPARED_STAMP
from rasr.engine.settings import Settings
from rasr.generate import DEFAULT_END
from rasr.store import open_workspace


def _everything(workspace, as_of: dt.date) -> str:
    """The team JSON and every rep's brief with its open deals, as one comparable text."""
    settings = Settings()
    result = analysis.analyze(workspace, settings=settings, as_of=as_of)
    result = analysis.analyze(workspace, settings=settings, as_of=as_of, briefs_for=set(result.rep_results))
    briefs = {rep_id: result.brief(rep_id) for rep_id in sorted(result.rep_results)}
    return json.dumps({"team": result.as_dict(), "briefs": briefs}, sort_keys=True, default=str)


@pytest.mark.parametrize("days_after_end", [0, 45])
def test_prepared_deals_give_the_same_analysis_as_history(imported: ImportedOrg, monkeypatch, days_after_end):
    as_of = DEFAULT_END + dt.timedelta(days=days_after_end)
    workspace = open_workspace(imported.workspace_url)
    try:
        prepared = _everything(workspace, as_of)
        stamp = workspace.backend.table(PREPARED_STAMP).execute()
        # The generated org's last change falls on its end date, so the prepared deals served this analysis.
        assert stamp["settled_on"].iloc[0].date() == DEFAULT_END
        assert PREPARED_DEALS in workspace.backend.list_tables()

        # Without a data version nothing is kept, so the views are built from the stage history up to as_of.
        monkeypatch.setattr(analysis, "data_version", lambda workspace: None)
        from_history = _everything(workspace, as_of)
    finally:
        workspace.close()
    assert prepared == from_history
    # The comparison covers a real analysis: every rep, with stale and slipped deals to review.
    briefs = json.loads(prepared)["briefs"]
    deals = [deal for brief in briefs.values() for deal in brief["deals_to_review"]]
    assert len(briefs) == ORG_REPS
    assert any(deal["stale"] for deal in deals) and any(deal["slipped"] for deal in deals)
