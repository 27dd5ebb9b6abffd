"""`rasr config`: showing, getting and setting settings, TOML overrides and their errors."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run_cli

from rasr.store import open_workspace


def settings_by_key(stdout: str) -> dict[str, dict]:
    return {row["key"]: row for row in json.loads(stdout)}


def write_toml(directory: Path, text: str) -> Path:
    path = directory / "override.toml"
    path.write_text(text)
    return path


def test_config_shows_defaults(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "config")

    assert result.exit_code == 0, result.output
    assert "lookback_days" in result.stdout
    assert "365" in result.stdout
    assert "default" in result.stdout
    assert "an integer from 30 to 3650" in result.stdout


def test_config_json_has_every_column(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "config", "--format", "json")

    assert result.exit_code == 0, result.output
    row = settings_by_key(result.stdout)["horizon_days"]
    assert row["value"] == 90
    assert row["source"] == "default"
    assert row["read_only"] is False
    assert row["help"].startswith("Days after as_of")


def test_config_set_then_get(workspace_path: str) -> None:
    stored = run_cli("--db", workspace_path, "config", "set", "lookback_days", "180")
    read = run_cli("--db", workspace_path, "config", "get", "lookback_days")
    shown = run_cli("--db", workspace_path, "config", "--format", "json")

    assert stored.exit_code == 0, stored.output
    assert stored.stdout == f"lookback_days = 180 (stored in workspace {workspace_path})\n"
    assert read.exit_code == 0, read.output
    assert read.stdout == "180\n"
    assert settings_by_key(shown.stdout)["lookback_days"]["source"] == "workspace"


def test_config_get_prints_unset_and_lists(workspace_path: str) -> None:
    weights = "1,1,1.5,1,1,1.5,1,1,1.5,1,1,2"
    run_cli("--db", workspace_path, "config", "set", "seasonality", weights)

    assert run_cli("--db", workspace_path, "config", "get", "include_stale").stdout == "false\n"
    assert run_cli("--db", workspace_path, "config", "get", "seasonality").stdout == (
        "1.0,1.0,1.5,1.0,1.0,1.5,1.0,1.0,1.5,1.0,1.0,2.0\n")


def test_config_set_invalid_value(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "config", "set", "lookback_days", "10")

    assert_one_line_error(result, 2, "invalid value '10' for lookback_days: expected an integer from 30 to 3650")
    assert run_cli("--db", workspace_path, "config", "get", "lookback_days").stdout == "365\n"


def test_config_set_checks_other_settings(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "config", "set", "horizon_days", "400")

    assert_one_line_error(result, 2, "lookback_days (365) must be at least horizon_days (400)")


def test_config_unknown_key_suggests(workspace_path: str) -> None:
    for command in (("get", "lookbak_days"), ("set", "lookbak_days", "100")):
        result = run_cli("--db", workspace_path, "config", *command)

        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: unknown setting 'lookbak_days'; did you mean 'lookback_days'")
        assert result.stderr.count("\n") == 1


def test_config_unknown_key_without_match_lists_keys(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "config", "get", "zzz")

    assert result.exit_code == 2
    assert "known settings: business_timezone, cycle_slack_days" in result.stderr


def test_toml_override_shows_its_source(workspace_path: str, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "lookback_days = 200\n[rasr]\nhorizon_days = 60\n")

    shown = run_cli("--db", workspace_path, "--config", str(config), "config", "--format", "json")
    read = run_cli("--db", workspace_path, "--config", str(config), "config", "get", "lookback_days")

    assert shown.exit_code == 0, shown.output
    rows = settings_by_key(shown.stdout)
    assert rows["lookback_days"]["value"] == 200
    assert rows["lookback_days"]["source"] == str(config)
    assert rows["horizon_days"]["source"] == str(config)
    assert rows["goal_days"]["source"] == "default"
    assert read.stdout == "200\n"


def test_toml_override_source_in_table(workspace_path: str, tmp_path: Path, monkeypatch) -> None:
    write_toml(tmp_path, "goal_days = 14\n")
    # A relative path keeps the source cell short enough not to wrap.
    monkeypatch.chdir(tmp_path)

    result = run_cli("--db", workspace_path, "--config", "override.toml", "config")

    assert result.exit_code == 0, result.output
    goal_line = next(line for line in result.stdout.splitlines() if "goal_days" in line)
    assert "14" in goal_line
    assert "override.toml" in goal_line


def test_set_notes_a_toml_override(workspace_path: str, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "goal_days = 14\n")

    result = run_cli("--db", workspace_path, "--config", str(config), "config", "set", "goal_days", "21")

    assert result.exit_code == 0, result.output
    assert "overrides the stored value" in result.stderr


def test_toml_invalid_value(workspace_path: str, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "lookback_days = 5\n")

    result = run_cli("--db", workspace_path, "--config", str(config), "config")

    assert_one_line_error(result, 2, "invalid value 5 for lookback_days: expected an integer from 30 to 3650")


def test_toml_unknown_key(workspace_path: str, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "lookback = 100\n")

    result = run_cli("--db", workspace_path, "--config", str(config), "config")

    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: unknown setting 'lookback' in config file {config}")
    assert "Traceback" not in result.output


def test_toml_unreadable(workspace_path: str, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "lookback_days = [\n")
    missing = tmp_path / "missing.toml"

    broken = run_cli("--db", workspace_path, "--config", str(config), "config")
    absent = run_cli("--db", workspace_path, "--config", str(missing), "config", "get", "goal_days")

    assert broken.exit_code == 2
    assert broken.stderr.startswith(f"error: config file {config} is not valid TOML")
    assert_one_line_error(absent, 2, f"config file {missing} not found")


def test_read_only_after_import(workspace_path: str) -> None:
    workspace = open_workspace(workspace_path)
    workspace.execute("INSERT INTO imports (import_id, format, source, rows_read) VALUES ('i1', 'generic', 'x', 1)")
    workspace.close()

    shown = run_cli("--db", workspace_path, "config", "--format", "json")
    changed = run_cli("--db", workspace_path, "config", "set", "reporting_currency", "EUR")

    assert settings_by_key(shown.stdout)["reporting_currency"]["read_only"] is True
    assert changed.exit_code == 2
    assert changed.stderr.startswith("error: reporting_currency is fixed at the first import")


def test_config_on_missing_workspace_shows_defaults(tmp_path: Path) -> None:
    path = tmp_path / "new.db"

    result = run_cli("--db", str(path), "config", "get", "lookback_days")

    assert result.exit_code == 0, result.output
    assert result.stdout == "365\n"
    assert "does not exist yet" in result.stderr
    assert not path.exists()


def test_config_invalid_format(workspace_path: str) -> None:
    result = run_cli("--db", workspace_path, "config", "--format", "yaml")

    assert_one_line_error(result, 2, "invalid value 'yaml' for --format: expected table or json")


def test_db_from_environment(workspace_path: str, monkeypatch) -> None:
    monkeypatch.setenv("RASR_DB", workspace_path)
    run_cli("config", "set", "goal_days", "45")

    assert run_cli("--db", workspace_path, "config", "get", "goal_days").stdout == "45\n"


def test_invalid_set_creates_no_workspace(tmp_path: Path) -> None:
    path = tmp_path / "new.db"

    result = run_cli("--db", str(path), "config", "set", "goal_days", "0")

    assert_one_line_error(result, 2, "invalid value '0' for goal_days: expected an integer from 1 to 365")
    assert not path.exists()


def test_config_unset_restores_default(workspace_path: str) -> None:
    run_cli("--db", workspace_path, "config", "set", "horizon_days", "60")

    result = run_cli("--db", workspace_path, "config", "unset", "horizon_days")

    assert result.exit_code == 0, result.output
    assert "horizon_days = 90" in result.stdout
    shown = settings_by_key(run_cli("--db", workspace_path, "config", "--format", "json").stdout)
    assert shown["horizon_days"]["value"] == 90
    assert shown["horizon_days"]["source"] == "default"
