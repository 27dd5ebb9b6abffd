"""Seeds, formats, fiscal years, chunking and the `rasr generate` command on small orgs."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from rasr.cli.main import app
from rasr.generate import generate_org
from rasr.store.schema import CANONICAL_TABLES

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def assert_one_line_error(result: Result, exit_code: int, message: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.stderr == f"error: {message}\n"


def file_bytes(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_same_seed_same_files(tmp_path: Path) -> None:
    generate_org(tmp_path / "a", reps=12, years=1, seed=7)
    generate_org(tmp_path / "b", reps=12, years=1, seed=7)
    generate_org(tmp_path / "c", reps=12, years=1, seed=8)
    assert file_bytes(tmp_path / "a") == file_bytes(tmp_path / "b")
    assert file_bytes(tmp_path / "a")["opportunities.csv"] != file_bytes(tmp_path / "c")["opportunities.csv"]


def test_parquet_has_the_csv_rows(tmp_path: Path) -> None:
    csv_result = generate_org(tmp_path / "csv", reps=12, years=1, seed=3)
    parquet_result = generate_org(tmp_path / "parquet", reps=12, years=1, seed=3, output_format="parquet")
    assert parquet_result.rows == csv_result.rows
    for table in CANONICAL_TABLES:
        assert pq.read_table(tmp_path / "parquet" / f"{table}.parquet").num_rows == csv_result.rows[table]


def test_february_fiscal_year_quotas(tmp_path: Path) -> None:
    result = generate_org(tmp_path, reps=20, years=2, seed=4, fiscal_year_start_month=2)
    starts = {dt.date(*map(int, line.split(",")[1].split("-")))
              for line in (tmp_path / "quotas.csv").read_text().splitlines()[1:]}
    full_period_starts = {day for day in starts if day.day == 1}
    assert full_period_starts and {day.month for day in full_period_starts} <= {2, 5, 8, 11}
    assert "fiscal_year_start_month = 2" in result.settings_file.read_text()


def test_chunks_keep_deal_ids_unique(tmp_path: Path) -> None:
    result = generate_org(tmp_path, reps=30, years=1, seed=5, chunk_reps=10)
    assert result.chunks == 3
    ids = [line.split(",")[0] for line in (tmp_path / "opportunities.csv").read_text().splitlines()[1:]]
    assert len(ids) == len(set(ids)) == result.rows["opportunities"]


def test_end_date_is_last_day(tmp_path: Path) -> None:
    generate_org(tmp_path, reps=10, years=0.5, end=dt.date(2024, 6, 30), seed=6)
    created = [line.split(",")[4] for line in (tmp_path / "opportunities.csv").read_text().splitlines()[1:]]
    assert max(created) <= "2024-06-30"
    assert min(created) >= "2024-01-01"


@pytest.mark.parametrize(("reps", "message"), [(0, "invalid rep count 0: expected 1 to 20,000"),
                                               (20_001, "invalid rep count 20001: expected 1 to 20,000")])
def test_rep_count_out_of_range(tmp_path: Path, reps: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_org(tmp_path, reps=reps)


def test_command_writes_files(tmp_path: Path) -> None:
    result = run_cli("generate", str(tmp_path / "org"), "--reps", "10", "--years", "1", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.stdout
    assert f"rasr import generic {tmp_path / 'org'}" in result.stdout
    assert (tmp_path / "org" / "opportunities.csv").is_file()


def test_command_rejects_bad_format(tmp_path: Path) -> None:
    result = run_cli("generate", str(tmp_path), "--reps", "10", "--format", "xlsx")
    assert_one_line_error(result, 2, "invalid value 'xlsx' for --format: expected csv or parquet")


def test_command_rejects_bad_end(tmp_path: Path) -> None:
    result = run_cli("generate", str(tmp_path), "--reps", "10", "--end", "2025-02-30")
    assert_one_line_error(result, 2, "invalid date '2025-02-30' for --end: expected YYYY-MM-DD")


def test_demo_rep_in_demo_org(tmp_path: Path) -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    rep = re.search(r"^DEMO_REP := (.+)$", makefile, re.MULTILINE).group(1)
    seed = re.search(r"rasr generate .* --seed (\d+)", makefile).group(1)
    generate_org(tmp_path, reps=40, years=3, seed=int(seed))
    with (tmp_path / "reps.csv").open(newline="", encoding="utf-8") as handle:
        names = {row["name"] for row in csv.DictReader(handle)}
    assert rep in names
