"""Run the engine on a scenario and pick out one rep's numbers, for the engine tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from canonical_parquet import write_canonical_parquet
from scenario import Scenario

from rasr.engine.analysis import TeamAnalysis, analyze
from rasr.engine.dataset import build_views, drop_views
from rasr.engine.periods import lookback_span
from rasr.engine.settings import Settings
from rasr.store import Workspace
from rasr.store.parquet import ParquetWorkspace, open_parquet_workspace
from rasr.store.schema import CANONICAL_TABLES

_exports = itertools.count()


def on_engine(workspace: Workspace) -> Workspace | ParquetWorkspace:
    """Return the workspace the engine should read: itself, or on the spark run its tables as Parquet on Spark.

    Each call writes the workspace's current rows to a new folder, so a test
    may change the workspace between two analyses.
    """
    session = getattr(workspace, "spark_session", None)
    if session is None:
        return workspace
    folder = write_canonical_parquet(workspace, workspace.parquet_root / f"export_{next(_exports)}")
    return open_parquet_workspace(folder, "spark", spark=session)


def run(workspace: Workspace, scenario: Scenario, as_of: str, *, settings: Settings | None = None,
        briefs_for: set[str] | None = None) -> TeamAnalysis:
    """Save the scenario into the workspace and analyse it on as_of (YYYY-MM-DD)."""
    scenario.save(workspace)
    return analyze_on(workspace, as_of, settings=settings, briefs_for=briefs_for)


def analyze_on(workspace: Workspace, as_of: str, *, settings: Settings | None = None,
               briefs_for: set[str] | None = None) -> TeamAnalysis:
    """Analyse an already saved workspace on as_of (YYYY-MM-DD)."""
    return analyze(on_engine(workspace), settings=settings or Settings(), as_of=dt.date.fromisoformat(as_of),
                   briefs_for=briefs_for)


def rep_row(result: TeamAnalysis, rep_id: str) -> dict[str, Any]:
    """Return the rep's row of the team JSON."""
    rows = [row for row in result.as_dict()["reps"] if row["rep_id"] == rep_id]
    assert len(rows) == 1, f"expected one team JSON row for {rep_id}, found {len(rows)}"
    return rows[0]


def stage_row(brief: dict[str, Any], stage: str) -> dict[str, Any]:
    """Return the brief's time-in-stage row of one stage."""
    return next(row for row in brief["speed"]["stages"] if row["stage"] == stage)


def point_in_time(workspace: Workspace, as_of: str,
                  settings: Settings | None = None) -> tuple[dict[str, dict], list[dict]]:
    """Return the deals on as_of by opp_id, and the stage visits, from the engine's point-in-time views."""
    day = dt.date.fromisoformat(as_of)
    workspace = on_engine(workspace)
    tables = {name: workspace.table(name) for name in CANONICAL_TABLES}
    views = build_views(workspace.backend, tables, day, lookback_span(day, settings or Settings()))
    try:
        deals = views.deals.execute().to_dict("records")
        ids = views.deals.select("opp_id", k_opp_key="opp_key")
        visits = views.visits.join(ids, views.visits.opp_key == ids.k_opp_key).drop("k_opp_key")
        visits = visits.order_by(["opp_id", "entered_on"]).execute().to_dict("records")
    finally:
        drop_views(workspace.backend, views)
    return {deal["opp_id"]: deal for deal in deals}, visits
