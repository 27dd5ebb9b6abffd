"""The engine tests run once per backend: DuckDB, SQLite and PostgreSQL workspaces, and Spark over Parquet.

A Spark analysis of a small scenario takes seconds where DuckDB takes tens
of milliseconds, so only the tests marked `spark` also run on Spark. With
RASR_SPARK_TESTS=all set, every engine test runs there too.

Spark reads files, not a workspace, so its run saves the scenario into a
DuckDB workspace as the other runs do. The helpers in engine_helpers then
write that workspace as canonical Parquet files and analyse the files on
the test run's one SparkSession (see `on_engine`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from rasr.store import Workspace, open_workspace

SQL_BACKENDS = [
    pytest.param("duckdb", id="duckdb"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]
SPARK = pytest.param("spark", id="spark")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    on_spark = metafunc.definition.get_closest_marker("spark") is not None
    if os.environ.get("RASR_SPARK_TESTS", "").strip().lower() == "all":
        on_spark = True
    metafunc.parametrize("backend", SQL_BACKENDS + ([SPARK] if on_spark else []), indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspace]:
    """Open an empty workspace per backend; on spark, a DuckDB workspace whose analyses run on Spark."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'workspace.duckdb'}"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workspace.db'}"
    elif request.param == "spark":
        url = f"duckdb:///{tmp_path / 'staging.duckdb'}"
    else:
        # Requested here, not as an argument, so the other runs start no server.
        url = request.getfixturevalue("postgres_url")
    workspace = open_workspace(url)
    if request.param == "spark":
        # Read by engine_helpers.on_engine: analyses of this workspace run on Spark.
        workspace.spark_session = request.getfixturevalue("spark_session")
        workspace.parquet_root = tmp_path / "parquet"
    yield workspace
    workspace.close()
