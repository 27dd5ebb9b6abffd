"""Settings stored in the workspace, with a TOML file overriding them for one run."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from rasr.engine.settings import SPEC_BY_KEY, SPECS, SettingError, Settings, parse_setting
from rasr.store.connection import Workspace


def _stored_values(workspace: Workspace) -> dict[str, str]:
    rows = workspace.execute("SELECT key, value FROM settings")
    return {key: value for key, value in rows if not key.startswith("_")}


def has_imported(workspace: Workspace) -> bool:
    return int(workspace.execute("SELECT COUNT(*) FROM imports")[0][0]) > 0


def _encode(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, tuple):
        return ",".join(repr(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def setting_set(workspace: Workspace, *, key: str, value: str) -> Any:
    """Validate and store one setting; return the parsed value."""
    parsed = parse_setting(key, value)
    spec = SPEC_BY_KEY[key]
    current = load_settings(workspace)
    if spec.locked_after_import and has_imported(workspace) and getattr(current, key) != parsed:
        raise SettingError(
            f"{key} is fixed at the first import (it is {getattr(current, key)!r}); "
            "start a new workspace to use another value"
        )
    # Validate against the other settings (lookback_days >= horizon_days) before storing.
    Settings.from_values({**current.as_dict(), key: parsed})
    with workspace.transaction():
        workspace.execute("DELETE FROM settings WHERE key = ?", (key,))
        workspace.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, _encode(parsed)))
    return parsed


def setting_unset(workspace: Workspace, *, key: str) -> Any:
    """Remove a stored setting so its default applies again; return the default."""
    spec = SPEC_BY_KEY.get(key)
    if spec is None:
        parse_setting(key, "")  # raises the unknown-key error with the known keys
    current = load_settings(workspace)
    if spec.locked_after_import and has_imported(workspace) and getattr(current, key) != spec.default:
        raise SettingError(f"{key} is fixed at the first import (it is {getattr(current, key)!r}); "
                           "start a new workspace to use another value")
    Settings.from_values({**current.as_dict(), key: spec.default})
    with workspace.transaction():
        workspace.execute("DELETE FROM settings WHERE key = ?", (key,))
    return spec.default


def read_toml_overrides(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SettingError(f"config file {path} not found") from None
    except UnicodeDecodeError as error:
        raise SettingError(
            f"config file {path} is not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8"
        ) from None
    except IsADirectoryError:
        raise SettingError(f"config file {path} is a directory; give the path of a TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingError(f"config file {path} is not valid TOML: {error}") from None
    # Accept the keys at top level or under a [rasr] table.
    if isinstance(data.get("rasr"), dict):
        data = {**{k: v for k, v in data.items() if k != "rasr"}, **data["rasr"]}
    for key in data:
        if key not in SPEC_BY_KEY:
            known = ", ".join(sorted(SPEC_BY_KEY))
            raise SettingError(f"unknown setting '{key}' in config file {path}; known settings: {known}")
    return data


def load_settings(workspace: Workspace, config_file: str | Path | None = None) -> Settings:
    """Return the effective settings: defaults, then the workspace, then the config file."""
    values: dict[str, Any] = {spec.key: spec.default for spec in SPECS}
    sources = {spec.key: "default" for spec in SPECS}
    for key, text in _stored_values(workspace).items():
        if key in SPEC_BY_KEY:
            values[key] = parse_setting(key, text)
            sources[key] = "workspace"
    if config_file is not None:
        locked = has_imported(workspace)
        for key, value in read_toml_overrides(config_file).items():
            parsed = parse_setting(key, value)
            if SPEC_BY_KEY[key].locked_after_import and locked and parsed != values[key]:
                raise SettingError(
                    f"{key} in config file {config_file} cannot change the workspace's {values[key]!r}: "
                    "it is fixed at the first import"
                )
            values[key] = parsed
            sources[key] = str(config_file)
    return Settings.from_values(values, sources)


def settings_table(settings: Settings, locked: bool) -> list[dict[str, Any]]:
    """Rows for `rasr config`: key, value, source, help and whether it is read-only."""
    rows = []
    for spec in SPECS:
        value = getattr(settings, spec.key)
        rows.append({
            "key": spec.key,
            "value": list(value) if isinstance(value, tuple) else value,
            "source": settings.sources.get(spec.key, "default"),
            "read_only": bool(spec.locked_after_import and locked),
            "allowed": spec.allowed,
            "help": spec.help,
        })
    return rows


def settings_json(settings: Settings) -> str:
    return json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.as_dict().items()})
