"""money(): cents to a Decimal in currency units, rounded half-even as the float's repr reads."""

from __future__ import annotations

import math
import random
import struct
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from rasr.engine.values import money


def round_as_repr(cents: float) -> Decimal:
    """Round the way money() is defined for floats: the Decimal of the repr, in units, to the cent."""
    return (Decimal(repr(cents)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@pytest.mark.parametrize("cents, shown", [
    (12.5, "0.12"), (13.5, "0.14"), (-12.5, "-0.12"), (0.5, "0.00"), (1.5, "0.02"),
    (1234.4999999999998, "12.34"), (1234.5000000000002, "12.35"), (99.99, "1.00"),
])
def test_money_rounds_half_even(cents: float, shown: str) -> None:
    assert repr(money(cents)) == repr(Decimal(shown))


@pytest.mark.parametrize("cents", [-0.0, -0.2, -0.5, -1e-9])
def test_money_keeps_negative_zero(cents: float) -> None:
    assert repr(money(cents)) == "Decimal('-0.00')"


@pytest.mark.parametrize("cents", [
    2.0**52 - 0.5, -(2.0**52 - 0.5), 2.0**52, 2.0**53 + 2, 1e16, 2.0**60, 1.2345678901234567e20,
])
def test_money_large_floats_match_repr(cents: float) -> None:
    assert repr(money(cents)) == repr(round_as_repr(cents))


def test_money_random_floats_match_repr() -> None:
    rng = random.Random(20251205)
    values = []
    for _ in range(20_000):
        values.append(rng.uniform(-1e9, 1e9))
        values.append(rng.randint(-10**12, 10**12) + rng.choice([0.5, -0.5, 0.25, 0.49999999, 0.50000001]))
        values.append(rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 24))
        # Any bit pattern: subnormals, huge values and the odd NaN (skipped below).
        values.append(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0])
    for cents in values:
        if not math.isfinite(cents) or abs(cents) >= 1e26:
            continue
        assert repr(money(cents)) == repr(round_as_repr(cents)), cents


@pytest.mark.parametrize("cents", [math.inf, -math.inf, math.nan, None])
def test_money_non_finite_is_none(cents: float | None) -> None:
    assert money(cents) is None


def test_money_int_and_decimal() -> None:
    assert repr(money(123_456)) == "Decimal('1234.56')"
    assert repr(money(-5)) == "Decimal('-0.05')"
    assert repr(money(Decimal("12.5"))) == "Decimal('0.12')"
    assert repr(money(Decimal("1234.5678"))) == "Decimal('12.35')"
    assert repr(money(Decimal("-0"))) == "Decimal('-0.00')"
