"""A generated org gives the same team JSON imported into DuckDB, read as Parquet by DuckDB, and read by Spark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compare import rounded
from typer.testing import CliRunner

from rasr.cli.main import app

# A small org, because each Spark analysis costs seconds even on little data.
REPS = 10
YEARS = "0.5"
SEED = "7"


def invoke(arguments: list[str]) -> str:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, f"rasr {' '.join(arguments)} failed:\n{result.output}"
    return result.stdout


def team_json(options: list[str]) -> dict:
    return json.loads(invoke([*options, "team", "--format", "json"]))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Generate one org twice, as CSV and as Parquet, and return both folders."""
    base = tmp_path_factory.mktemp("generated")
    for output_format in ("csv", "parquet"):
        invoke(["generate", str(base / output_format), "--reps", str(REPS), "--years", YEARS, "--seed", SEED,
                "--format", output_format])
    return base / "csv", base / "parquet"


def test_parquet_equals_imported_csv(generated: tuple[Path, Path], tmp_path: Path) -> None:
    csv_folder, parquet_folder = generated
    url = f"duckdb:///{tmp_path / 'org.duckdb'}"
    invoke(["--db", url, "import", "generic", str(csv_folder)])

    imported = team_json(["--db", url])
    from_files = team_json(["--data", str(parquet_folder)])

    assert len(imported["reps"]) == REPS
    assert from_files == imported


@pytest.mark.spark
def test_spark_equals_duckdb(generated: tuple[Path, Path], spark_session: object) -> None:
    _csv_folder, parquet_folder = generated
    on_duckdb = team_json(["--engine", "duckdb", "--data", str(parquet_folder)])
    on_spark = team_json(["--engine", "spark", "--data", str(parquet_folder)])

    assert rounded(on_spark["reps"]) == rounded(on_duckdb["reps"])
    assert rounded(on_spark) == rounded(on_duckdb)
