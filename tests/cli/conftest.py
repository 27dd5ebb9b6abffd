"""Fixtures for the command-line tests: SQLite workspaces on disk and a fake engine."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Iterator

import pytest
from cli_fakes import REPS, FakeEngine

from rasr.store import open_workspace
from rasr.store.load import upsert


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's RASR_DB and terminal width out of the tests."""
    monkeypatch.delenv("RASR_DB", raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def workspace_path(tmp_path: Path) -> str:
    """Create a SQLite workspace file with the fake engine's reps and one opportunity; return its path."""
    path = tmp_path / "workspace.db"
    workspace = open_workspace(str(path))
    try:
        upsert(workspace, "reps", ["rep_id", "name", "team", "start_date"],
               [(rep_id, name, team, dt.date.fromisoformat(start) if start else None)
                for rep_id, name, team, start, _conversation, _reason in REPS])
        upsert(workspace, "opportunities", ["opp_id", "rep_id", "status", "amount", "created_on"],
               [("o1", "ds", "open", 540000, dt.date(2017, 5, 2))])
    finally:
        workspace.close()
    return str(path)


@pytest.fixture
def empty_workspace_path(tmp_path: Path) -> str:
    """Create a SQLite workspace file with the schema and no rows; return its path."""
    path = tmp_path / "empty.db"
    open_workspace(str(path)).close()
    return str(path)


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEngine]:
    """Replace rasr.engine.analysis, as the CLI imports it, with a fake returning fixed dicts."""
    engine = FakeEngine()
    monkeypatch.setitem(sys.modules, "rasr.engine.analysis", engine.module())
    yield engine
