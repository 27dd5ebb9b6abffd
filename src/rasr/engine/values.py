"""A figure that may be missing with a reason, and conversion of money for output."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any


@dataclass(frozen=True)
class Figure:
    """A number, or None with the reason it cannot be computed."""

    value: float | None
    reason: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None


def missing(reason: str) -> Figure:
    return Figure(None, reason)


# Below 2**52 floats lie at most half a cent apart, so every half cent in that range is a float.
_EXACT_FLOAT_CENTS = 2.0**52

_CENT = Decimal("0.01")


def money(cents: float | int | Decimal | None) -> Decimal | None:
    """Cents to a Decimal amount in currency units, rounded half-even to the cent for display.

    A float is rounded as its shortest repr reads, so 12.5 cents shows as 0.12 and -0.2 cents as -0.00.
    """
    if cents is None:
        return None
    if isinstance(cents, int):
        # Exact: whole cents need no rounding, only the decimal point moved.
        return Decimal(cents).scaleb(-2)
    if isinstance(cents, float):
        if not math.isfinite(cents):
            return None
        if -_EXACT_FLOAT_CENTS < cents < _EXACT_FLOAT_CENTS:
            # Rounding the float itself picks the same whole cent as rounding its repr, with no text conversion.
            # A half cent strictly between the two would be a float nearer the repr, which then would not
            # read back as this float.
            rounded = Decimal(round(cents)).scaleb(-2)
            # round() returns an int, which drops the sign of a zero result that the repr's Decimal keeps.
            return rounded.copy_negate() if not rounded and math.copysign(1.0, cents) < 0 else rounded
        cents = Decimal(str(cents))
    return (cents / 100).quantize(_CENT, rounding=ROUND_HALF_EVEN)


def ratio(numerator: float | int | Decimal | None, denominator: float | int | Decimal | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def to_json(value: Any) -> Any:
    """Make a value JSON-safe: Decimal to number, NaN and infinity to None, dates to ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Figure):
        return to_json(value.value)
    return value
