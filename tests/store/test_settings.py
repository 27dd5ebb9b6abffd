"""Workspace settings: storing, validating, TOML overrides and the settings locked at the first import."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasr.engine.settings import SettingError
from rasr.store import Workspace
from rasr.store.settings import has_imported, load_settings, setting_set, settings_table

TWELVE_WEIGHTS = (1.0, 1.0, 1.5, 1.0, 1.0, 1.5, 1.0, 1.0, 1.5, 1.0, 1.0, 2.0)


def record_import(workspace: Workspace) -> None:
    """Insert one row into imports, as the first import would."""
    workspace.execute(
        "INSERT INTO imports (import_id, format, source, rows_read) VALUES (?, ?, ?, ?)",
        ("import-1", "maven", "sales_pipeline.csv", 10),
    )


def write_toml(directory: Path, text: str) -> Path:
    path = directory / "rasr.toml"
    path.write_text(text)
    return path


# --- Stored settings ---------------------------------------------------------------------


def test_new_workspace_has_defaults(backend: Workspace) -> None:
    settings = load_settings(backend)

    assert settings.lookback_days == 365
    assert settings.reporting_currency == "USD"
    assert settings.sources["lookback_days"] == "default"


def test_set_get_round_trip(backend: Workspace) -> None:
    returned = setting_set(backend, key="horizon_days", value="60")

    settings = load_settings(backend)

    assert returned == 60
    assert settings.horizon_days == 60
    assert settings.sources["horizon_days"] == "workspace"
    # Other settings keep their defaults.
    assert settings.sources["lookback_days"] == "default"


def test_set_twice_keeps_last(backend: Workspace) -> None:
    setting_set(backend, key="horizon_days", value="60")
    setting_set(backend, key="horizon_days", value="120")

    rows = backend.execute("SELECT value FROM settings WHERE key = ?", ("horizon_days",))

    # One row per key: the second set replaces the first.
    assert rows == [("120",)]
    assert load_settings(backend).horizon_days == 120


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("cycle_tolerance", "0.5", 0.5),
        ("include_stale", "yes", True),
        ("fiscal_year_named_by", "start", "start"),
        ("seasonality", ",".join(str(weight) for weight in TWELVE_WEIGHTS), TWELVE_WEIGHTS),
        ("seasonality", "unset", None),
        # Currency codes are stored upper case.
        ("reporting_currency", "eur", "EUR"),
        ("business_timezone", "Europe/Berlin", "Europe/Berlin"),
    ],
)
def test_set_value_types(backend: Workspace, key: str, text: str, expected: object) -> None:
    setting_set(backend, key=key, value=text)

    assert getattr(load_settings(backend), key) == expected


@pytest.mark.parametrize(
    ("key", "text", "allowed"),
    [
        ("horizon_days", "5", "an integer from 7 to 730"),
        ("horizon_days", "ninety", "an integer from 7 to 730"),
        ("cycle_tolerance", "-0.1", "a number from 0 to 10"),
        ("include_stale", "maybe", "true or false"),
        ("seasonality", "1,2,3", "twelve finite non-negative numbers"),
        ("reporting_currency", "EURO", "a three-letter ISO 4217 code"),
        ("business_timezone", "Mars/Olympus_Mons", "an IANA time zone name"),
    ],
)
def test_set_invalid_value(backend: Workspace, key: str, text: str, allowed: str) -> None:
    with pytest.raises(SettingError) as raised:
        setting_set(backend, key=key, value=text)

    assert f"invalid value {text!r} for {key}" in str(raised.value)
    assert allowed in str(raised.value)
    # Nothing is stored for a rejected value.
    assert load_settings(backend).sources[key] == "default"


def test_set_unknown_key(backend: Workspace) -> None:
    with pytest.raises(SettingError) as raised:
        setting_set(backend, key="lookback", value="400")

    assert "unknown setting 'lookback'" in str(raised.value)
    # The message lists the known keys.
    assert "lookback_days" in str(raised.value)


def test_lookback_below_horizon(backend: Workspace) -> None:
    # 60 is inside lookback_days' own range (30 to 3650) but below the default horizon of 90.
    with pytest.raises(SettingError, match=r"lookback_days \(60\) must be at least horizon_days \(90\)"):
        setting_set(backend, key="lookback_days", value="60")

    assert load_settings(backend).lookback_days == 365


def test_horizon_above_lookback(backend: Workspace) -> None:
    setting_set(backend, key="lookback_days", value="100")

    with pytest.raises(SettingError, match=r"lookback_days \(100\) must be at least horizon_days \(200\)"):
        setting_set(backend, key="horizon_days", value="200")

    assert load_settings(backend).horizon_days == 90


# --- TOML overrides ----------------------------------------------------------------------


def test_toml_overrides_workspace(backend: Workspace, tmp_path: Path) -> None:
    setting_set(backend, key="horizon_days", value="60")
    setting_set(backend, key="goal_days", value="14")
    config = write_toml(tmp_path, "horizon_days = 30\ninclude_stale = true\n")

    settings = load_settings(backend, config_file=config)

    # The file wins over the workspace, which wins over the default.
    assert settings.horizon_days == 30
    assert settings.sources["horizon_days"] == str(config)
    assert settings.include_stale is True
    assert settings.sources["include_stale"] == str(config)
    assert settings.goal_days == 14
    assert settings.sources["goal_days"] == "workspace"
    assert settings.sources["lookback_days"] == "default"


def test_toml_does_not_store(backend: Workspace, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "horizon_days = 30\n")

    load_settings(backend, config_file=config)

    # The override lasts one run, so without the file the stored value is still the default.
    assert load_settings(backend).horizon_days == 90


def test_toml_rasr_table(backend: Workspace, tmp_path: Path) -> None:
    config = write_toml(tmp_path, '[rasr]\nhorizon_days = 45\nseasonality = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n')

    settings = load_settings(backend, config_file=config)

    assert settings.horizon_days == 45
    assert settings.seasonality == (1.0,) * 12


def test_toml_unknown_key(backend: Workspace, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "horizon_days = 30\nhorizon = 30\n")

    with pytest.raises(SettingError) as raised:
        load_settings(backend, config_file=config)

    assert "unknown setting 'horizon'" in str(raised.value)
    assert str(config) in str(raised.value)


def test_toml_invalid_value(backend: Workspace, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "horizon_days = 1000\n")

    with pytest.raises(SettingError, match="invalid value 1000 for horizon_days: expected an integer from 7 to 730"):
        load_settings(backend, config_file=config)


def test_toml_lookback_below_horizon(backend: Workspace, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "lookback_days = 60\n")

    with pytest.raises(SettingError, match=r"lookback_days \(60\) must be at least horizon_days \(90\)"):
        load_settings(backend, config_file=config)


def test_toml_invalid_syntax(backend: Workspace, tmp_path: Path) -> None:
    config = write_toml(tmp_path, "horizon_days = \n")

    with pytest.raises(SettingError, match="is not valid TOML"):
        load_settings(backend, config_file=config)


def test_toml_missing_file(backend: Workspace, tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="not found"):
        load_settings(backend, config_file=tmp_path / "absent.toml")


# --- Settings locked at the first import --------------------------------------------------


def test_locked_settings_change_before_import(backend: Workspace) -> None:
    setting_set(backend, key="reporting_currency", value="EUR")
    setting_set(backend, key="business_timezone", value="Europe/Berlin")

    settings = load_settings(backend)

    assert settings.reporting_currency == "EUR"
    assert settings.business_timezone == "Europe/Berlin"


def test_has_imported(backend: Workspace) -> None:
    before = has_imported(backend)
    record_import(backend)

    assert before is False
    assert has_imported(backend) is True


@pytest.mark.parametrize(("key", "text"), [("reporting_currency", "EUR"), ("business_timezone", "Europe/Berlin")])
def test_locked_after_import(backend: Workspace, key: str, text: str) -> None:
    record_import(backend)

    with pytest.raises(SettingError) as raised:
        setting_set(backend, key=key, value=text)

    assert f"{key} is fixed at the first import" in str(raised.value)
    # The message explains how to use another value.
    assert "start a new workspace" in str(raised.value)
    assert load_settings(backend).sources[key] == "default"


@pytest.mark.parametrize(("key", "text"), [("reporting_currency", "usd"), ("business_timezone", "UTC")])
def test_locked_same_value_accepted(backend: Workspace, key: str, text: str) -> None:
    record_import(backend)

    # Setting a locked key to the value it already has changes nothing, so it is allowed.
    setting_set(backend, key=key, value=text)

    assert load_settings(backend).sources[key] == "workspace"


def test_unlocked_setting_after_import(backend: Workspace) -> None:
    record_import(backend)

    setting_set(backend, key="horizon_days", value="60")

    assert load_settings(backend).horizon_days == 60


@pytest.mark.parametrize(("key", "toml_value"), [("reporting_currency", '"EUR"'), ("business_timezone", '"Asia/Tokyo"')])
def test_toml_cannot_change_locked(backend: Workspace, tmp_path: Path, key: str, toml_value: str) -> None:
    record_import(backend)
    config = write_toml(tmp_path, f"{key} = {toml_value}\n")

    with pytest.raises(SettingError) as raised:
        load_settings(backend, config_file=config)

    assert f"{key} in config file {config}" in str(raised.value)
    assert "fixed at the first import" in str(raised.value)


def test_toml_locked_before_import(backend: Workspace, tmp_path: Path) -> None:
    config = write_toml(tmp_path, 'reporting_currency = "EUR"\n')

    settings = load_settings(backend, config_file=config)

    # With no import yet, the file may still choose the currency.
    assert settings.reporting_currency == "EUR"


def test_settings_table_read_only(backend: Workspace) -> None:
    record_import(backend)

    rows = {row["key"]: row for row in settings_table(load_settings(backend), locked=has_imported(backend))}

    assert rows["reporting_currency"]["read_only"] is True
    assert rows["business_timezone"]["read_only"] is True
    assert rows["horizon_days"]["read_only"] is False
