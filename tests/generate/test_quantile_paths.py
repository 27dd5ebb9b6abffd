"""Quantiles computed in NumPy from the fetched values must equal the ranked SQL query that Spark runs."""

from __future__ import annotations

import datetime as dt

import pytest
from generated_org import ImportedOrg

from rasr.engine import figures
from rasr.engine.dataset import build_views, drop_views
from rasr.engine.periods import lookback_span
from rasr.engine.settings import Settings
from rasr.generate import DEFAULT_END
from rasr.store import open_workspace
from rasr.store.load import data_version
from rasr.store.schema import CANONICAL_TABLES


@pytest.mark.parametrize("days_before_end", [0, 200])
def test_numpy_quantiles_equal_sql_ranks(imported: ImportedOrg, monkeypatch, days_before_end):
    """On the generated org, on the end date (prepared deals) and earlier (from history), every group and metric."""
    as_of = DEFAULT_END - dt.timedelta(days=days_before_end)
    settings = Settings()

    workspace = open_workspace(imported.workspace_url)
    try:
        tables = {name: workspace.table(name) for name in CANONICAL_TABLES}
        lookback = lookback_span(as_of, settings)
        previous = lookback_span(as_of, settings, periods_back=1)
        reps = tables["reps"].select("rep_id", "team").to_pyarrow().to_pylist()
        rep_teams = {rep["rep_id"]: rep["team"] for rep in reps}
        views = build_views(workspace.backend, tables, as_of, lookback, data_version=data_version(workspace))
        try:
            in_numpy = figures.quantiles(views, previous, workspace.backend, rep_teams,
                                         stage_changes=tables["stage_changes"])
            monkeypatch.setattr(figures, "NUMPY_QUANTILES", frozenset())
            ranked = figures.quantiles(views, previous, workspace.backend, rep_teams,
                                       stage_changes=tables["stage_changes"])
        finally:
            drop_views(workspace.backend, views)
    finally:
        workspace.close()

    assert in_numpy.keys() == ranked.keys()
    for key, found in in_numpy.items():
        expected = ranked[key]
        assert (found.n, found.median, found.p90) == (expected.n, expected.median, expected.p90), key
        assert found.mean == pytest.approx(expected.mean, rel=1e-12), key

    # Every scope and both per-stage metrics took part.
    scopes = {scope for scope, _group, _metric in in_numpy}
    metrics = {metric.split(":")[0] for _scope, _group, metric in in_numpy}
    assert scopes == {"rep", "team", "all"}
    assert metrics == set(figures.QUANTILE_METRICS)
    assert len(in_numpy) > 1000
