"""The metric registry must describe every metric the team JSON carries."""

import datetime as dt

from rasr.engine.analysis import analyze
from rasr.engine.registry import METRICS
from rasr.engine.settings import Settings
from rasr.store import open_workspace
from scenario import Scenario


def test_registry_covers_team_metrics(tmp_path):
    workspace = open_workspace(f"sqlite:///{tmp_path}/w.db")
    scenario = Scenario().rep("a")
    scenario.opp("a", "won", 100, created="2024-01-01", close="2024-02-01")
    scenario.save(workspace)
    result = analyze(workspace, settings=Settings(), as_of=dt.date(2024, 3, 1)).as_dict()
    assert set(result["reps"][0]["metrics"]) == set(METRICS)
