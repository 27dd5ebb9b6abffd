"""Format the engine's JSON values for people: money, shares, days and missing values.

Every function takes the JSON value (a number, or None when the figure is
missing) and returns display text. Rounding happens here, for display only.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rasr.engine.registry import METRICS

MISSING = "—"

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "¥", "KRW": "₩"}

# Suffixes for abbreviated money, largest first: 1,234,567 is shown as 1.2M.
_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))

CONVERSATION_LABELS = {
    "how_good_can_you_get": "How Good Can You Get?",
    "tune_the_deals": "Tune the Deals",
    "tune_the_engine": "Tune the Engine",
}
# Labels for the narrow conversation column of the team table, at most 11 characters.
CONVERSATION_SHORT_LABELS = {
    "how_good_can_you_get": "How good",
    "tune_the_deals": "Tune deals",
    "tune_the_engine": "Tune engine",
}


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _with_currency(text: str, currency: str, negative: bool) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    sign = "-" if negative else ""
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{currency.upper()} {text}"


def money_short(value: Any, currency: str = "USD") -> str:
    """Abbreviate an amount in currency units: $950, $9.5k, $540k, $1.2M."""
    if not is_number(value):
        return MISSING
    amount = abs(float(value))
    for scale, suffix in _SCALES:
        # 999,600 rounds to 1.0M rather than 1000k.
        if amount >= scale * 0.9995:
            scaled = amount / scale
            # One decimal below 10 of a unit (9.5k, 1.2M), none above (540k, 12M).
            text = f"{scaled:.1f}" if scaled < 9.95 else f"{scaled:.0f}"
            return _with_currency(f"{text}{suffix}", currency, value < 0)
    return _with_currency(f"{amount:.0f}", currency, value < 0 and round(amount) != 0)


def money_full(value: Any, currency: str = "USD") -> str:
    """Show an amount in whole currency units with thousands separators: $1,234,567."""
    if not is_number(value):
        return MISSING
    amount = abs(float(value))
    return _with_currency(f"{amount:,.0f}", currency, value < 0 and round(amount) != 0)


def percent(value: Any, *, signed: bool = False) -> str:
    """Show a share (0.48) as a whole percentage (48%)."""
    if not is_number(value):
        return MISSING
    return f"{value:+.0%}" if signed else f"{value:.0%}"


def count(value: Any) -> str:
    """Show a count, or a fractional need such as 4.5, with at most one decimal."""
    if not is_number(value):
        return MISSING
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def days(value: Any) -> str:
    """Show a number of days without a unit: 45, or 45.5 for the median of an even count."""
    return count(value)


def whole_days(value: Any) -> str:
    """Show a number of days rounded to a whole day, for narrow tables."""
    if not is_number(value):
        return MISSING
    return f"{round(value):,}"


def date_text(value: Any) -> str:
    if value is None or value == "":
        return MISSING
    return str(value)


def text(value: Any) -> str:
    """Show a free-text value, a span dict by its label, or MISSING for None."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, dict):
        return str(value.get("label") or value.get("name") or MISSING)
    return str(value)


def message_text(value: Any) -> str:
    """Show a warning or notice given as text or as a dict with a "message"."""
    if isinstance(value, dict):
        return str(value.get("message") or json.dumps(value, ensure_ascii=False, default=str))
    return str(value)


def metric_unit(metric: str | None) -> str | None:
    """Return the unit of a goal metric: from the metric registry, or from a stage metric's prefix."""
    if not metric:
        return None
    if metric in METRICS:
        return METRICS[metric].unit
    if metric.startswith("stage_win_rate:"):
        return "rate"
    if metric.startswith("stage_days:"):
        return "days"
    return None


def metric_value(metric: str | None, value: Any, currency: str = "USD") -> str:
    """Show the value of a named metric in its unit; a metric of unknown unit shows as a plain number."""
    if not is_number(value):
        return MISSING
    unit = metric_unit(metric)
    if unit == "rate":
        return percent(value)
    if unit == "money":
        return money_short(value, currency)
    if unit == "money/day":
        return f"{money_short(value, currency)}/day"
    if unit == "days":
        return f"{days(value)} days"
    if unit == "count/day":
        return f"{value:.2f}/day"
    return count(value)


def conversation_label(key: str | None) -> str:
    return CONVERSATION_LABELS.get(key or "", "No conversation")


def short_reason(reason: str | None) -> str:
    """Return the head of a routing reason: "ramping: started ..." becomes "ramping"."""
    if not reason:
        return ""
    head = reason.split(":", 1)[0].split(" (", 1)[0].strip()
    return head
