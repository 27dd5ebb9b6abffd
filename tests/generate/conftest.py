"""Fixtures: a generated org written once, imported once into DuckDB and analysed once per test run."""

from __future__ import annotations

import datetime as dt

import pytest
from generated_org import ORG_REPS, ORG_SEED, GeneratedOrg, ImportedOrg

from rasr.engine.analysis import analyze
from rasr.engine.settings import Settings
from rasr.generate import DEFAULT_END, generate_org
from rasr.importers import import_generic
from rasr.store import open_workspace


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedOrg:
    directory = tmp_path_factory.mktemp("generated") / "org"
    return GeneratedOrg(generate_org(directory, reps=ORG_REPS, seed=ORG_SEED), directory)


@pytest.fixture(scope="session")
def imported(generated: GeneratedOrg, tmp_path_factory: pytest.TempPathFactory) -> ImportedOrg:
    """Import the generated CSV files with the generic importer and analyse on the end date."""
    url = f"duckdb:///{tmp_path_factory.mktemp('workspace') / 'generated.duckdb'}"
    workspace = open_workspace(url)
    try:
        settings = Settings()
        report = import_generic(workspace, generated.directory, settings)
        analysis = analyze(workspace, settings=settings, as_of=DEFAULT_END, today=dt.date(2026, 6, 30))
    finally:
        workspace.close()
    archetypes = {row["rep_id"]: row["archetype"] for row in generated.rows("reps")}
    return ImportedOrg(report, analysis, archetypes, url)
