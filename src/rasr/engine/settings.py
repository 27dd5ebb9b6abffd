"""The workspace settings: each declared once, with its default, range and help."""

from __future__ import annotations

import math
import zoneinfo
from dataclasses import dataclass, field, fields
from typing import Any, Callable


class SettingError(ValueError):
    """A setting's key is unknown or its value is outside the allowed range."""


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: Any
    help: str
    parse: Callable[[str], Any]
    check: Callable[[Any], bool]
    allowed: str
    # Fixed at the first import: later commands can read but not change it.
    locked_after_import: bool = False


def _parse_int(text: str) -> int:
    return int(str(text).strip())


def _parse_float(text: str) -> float:
    value = float(str(text).strip())
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _parse_bool(text: str) -> bool:
    value = str(text).strip().lower()
    if value in {"true", "1", "yes", "on"}:
        return True
    if value in {"false", "0", "no", "off"}:
        return False
    raise ValueError(text)


def _parse_choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = str(text).strip()
        if value not in choices:
            raise ValueError(text)
        return value

    return parse


def _parse_weights(text: str | list) -> tuple[float, ...] | None:
    if isinstance(text, (list, tuple)):
        items = list(text)
    else:
        stripped = str(text).strip().strip("[]")
        if stripped == "" or stripped.lower() in {"none", "unset"}:
            return None
        items = stripped.split(",")
    weights = tuple(float(item) for item in items)
    return weights


def _check_weights(value: tuple[float, ...] | None) -> bool:
    if value is None:
        return True
    return (len(value) == 12 and all(math.isfinite(w) and w >= 0 for w in value)
            and 0 < sum(value) < float("inf"))


def _parse_timezone(text: str) -> str:
    value = str(text).strip()
    zoneinfo.ZoneInfo(value)
    return value


def _parse_currency(text: str) -> str:
    value = str(text).strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise ValueError(text)
    return value


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("lookback_days", 365, "Days of history behind rates, sizes and cycle times, ending on as_of.",
                _parse_int, lambda v: 30 <= v <= 3650, "an integer from 30 to 3650"),
    SettingSpec("horizon_days", 90, "Days after as_of over which process and outlook are judged.",
                _parse_int, lambda v: 7 <= v <= 730, "an integer from 7 to 730"),
    SettingSpec("min_ytd_days", 45, "Below this many days into the fiscal year, results use the trailing horizon.",
                _parse_int, lambda v: 0 <= v <= 366, "an integer from 0 to 366"),
    SettingSpec("ramp_days", 90, "Reps who started within this many days before as_of are ramping.",
                _parse_int, lambda v: 0 <= v <= 730, "an integer from 0 to 730"),
    SettingSpec("min_deals", 3, "Fewest deals behind a cycle time, a stage figure or a stale threshold.",
                _parse_int, lambda v: 1 <= v <= 1000, "an integer from 1 to 1000"),
    SettingSpec("win_rate_prior_weight", 5, "Pseudo deals behaving like the team blended into each rep's rates and size (0 turns blending off).",
                _parse_float, lambda v: 0 <= v <= 1000, "a number from 0 to 1000"),
    SettingSpec("cycle_tolerance", 0.25, "Share above the team's median cycle that still counts as fast enough.",
                _parse_float, lambda v: 0 <= v <= 10, "a number from 0 to 10"),
    SettingSpec("cycle_slack_days", 7, "Days added to the cycle threshold on top of the tolerance.",
                _parse_int, lambda v: 0 <= v <= 365, "an integer from 0 to 365"),
    SettingSpec("max_missing_amount_share", 0.2, "Share of closed deals without an amount above which the value win rate is not used.",
                _parse_float, lambda v: 0 <= v <= 1, "a number from 0 to 1"),
    SettingSpec("include_stale", False, "Count stale deals in 'have', the outlook and the forecast.",
                _parse_bool, lambda v: isinstance(v, bool), "true or false"),
    SettingSpec("goal_days", 30, "Days until a coaching goal is due; its target is the gap pro-rated to them.",
                _parse_int, lambda v: 1 <= v <= 365, "an integer from 1 to 365"),
    SettingSpec("fiscal_year_start_month", 1, "Calendar month (1-12) in which the fiscal year starts.",
                _parse_int, lambda v: 1 <= v <= 12, "an integer from 1 to 12"),
    SettingSpec("fiscal_year_named_by", "end", "Whether a fiscal year is named by the calendar year it ends or starts in.",
                _parse_choice("end", "start"), lambda v: v in {"end", "start"}, "'end' or 'start'"),
    SettingSpec("seasonality", None, "Twelve weights by fiscal month that spread an annual quota (unset: by calendar days).",
                _parse_weights, _check_weights, "twelve finite non-negative numbers with a positive sum, separated by commas, or 'unset'"),
    SettingSpec("forecast_runs", 2000, "Monte Carlo runs per rep in the outlook forecast.",
                _parse_int, lambda v: 100 <= v <= 100000, "an integer from 100 to 100000"),
    SettingSpec("forecast_seed", 0, "Random seed of the outlook forecast, so reruns agree.",
                _parse_int, lambda v: 0 <= v <= 2**32 - 1, "an integer from 0 to 4294967295"),
    SettingSpec("reporting_currency", "USD", "Currency of every amount shown; fixed at the first import.",
                _parse_currency, lambda v: len(v) == 3, "a three-letter ISO 4217 code",
                locked_after_import=True),
    SettingSpec("business_timezone", "UTC", "Time zone in which timestamps are dated; fixed at the first import.",
                _parse_timezone, lambda v: bool(v), "an IANA time zone name such as Europe/Berlin",
                locked_after_import=True),
)

SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def parse_setting(key: str, value: Any) -> Any:
    """Parse and validate one setting, raising SettingError with the allowed range."""
    spec = SPEC_BY_KEY.get(key)
    if spec is None:
        known = ", ".join(sorted(SPEC_BY_KEY))
        raise SettingError(f"unknown setting '{key}'; known settings: {known}")
    try:
        if isinstance(value, str) or spec.parse is _parse_weights:
            parsed = spec.parse(value)
        elif isinstance(value, bool) and spec.parse is not _parse_bool:
            raise ValueError(value)
        else:
            parsed = spec.parse(str(value).lower() if isinstance(value, bool) else value)
    except (ValueError, TypeError, zoneinfo.ZoneInfoNotFoundError):
        raise SettingError(f"invalid value {value!r} for {key}: expected {spec.allowed}") from None
    if not spec.check(parsed):
        raise SettingError(f"invalid value {value!r} for {key}: expected {spec.allowed}")
    return parsed


@dataclass(frozen=True)
class Settings:
    lookback_days: int = 365
    horizon_days: int = 90
    min_ytd_days: int = 45
    ramp_days: int = 90
    min_deals: int = 3
    win_rate_prior_weight: float = 5
    cycle_tolerance: float = 0.25
    cycle_slack_days: int = 7
    max_missing_amount_share: float = 0.2
    include_stale: bool = False
    goal_days: int = 30
    fiscal_year_start_month: int = 1
    fiscal_year_named_by: str = "end"
    seasonality: tuple[float, ...] | None = None
    forecast_runs: int = 2000
    forecast_seed: int = 0
    reporting_currency: str = "USD"
    business_timezone: str = "UTC"
    # Where each value came from: "default", "workspace" or a TOML file path.
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.lookback_days < self.horizon_days:
            raise SettingError(
                f"lookback_days ({self.lookback_days}) must be at least horizon_days ({self.horizon_days})"
            )

    @classmethod
    def from_values(cls, values: dict[str, Any], sources: dict[str, str] | None = None) -> "Settings":
        parsed = {key: parse_setting(key, value) for key, value in values.items()}
        return cls(**parsed, sources=dict(sources or {}))

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sources"}


assert set(SPEC_BY_KEY) == set(Settings().as_dict()), "every setting needs a spec and a field"
assert all(Settings().as_dict()[s.key] == s.default for s in SPECS), "defaults must agree"
