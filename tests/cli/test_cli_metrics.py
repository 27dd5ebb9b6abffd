"""`rasr metrics`: the metric registry as a table and as JSON."""

from __future__ import annotations

import json

from cli_helpers import assert_one_line_error, run_cli

from rasr.engine.registry import METRICS


def test_metrics_json_lists_registry() -> None:
    result = run_cli("metrics", "--format", "json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == list(METRICS)
    assert rows[0]["unit"] == METRICS[rows[0]["name"]].unit


def test_metrics_table() -> None:
    result = run_cli("metrics")

    assert result.exit_code == 0, result.output
    assert "win_rate_count" in result.stdout
    assert "Misleads when" in result.stdout


def test_metrics_invalid_format() -> None:
    result = run_cli("metrics", "--format", "csv")

    assert_one_line_error(result, 2, "invalid value 'csv' for --format: expected table or json")
