"""Cell parsers: money in cents, dates, timestamps in the business time zone, booleans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rasr.importers.parsing import (
    InvalidValue,
    convert_cents,
    parse_bool,
    parse_currency,
    parse_date,
    parse_money,
    parse_status,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.50", 123450),  # 1234.50 dollars = 123450 cents
        ("1234.5", 123450),
        ("1234", 123400),
        ("0", 0),
        ("0.01", 1),
        ("1234.500", 123450),  # a trailing zero is still whole cents
        (".5", 50),
    ],
)
def test_money_parsed_to_cents(text: str, cents: int) -> None:
    assert parse_money(text) == cents


@pytest.mark.parametrize("text", ["-20.10", "1000000000000.01"])
def test_money_out_of_range_rejected(text: str) -> None:
    # Negative amounts and amounts over 10^12 are row errors, not stored values.
    with pytest.raises(InvalidValue):
        parse_money(text)


def test_money_is_exact_for_float_traps() -> None:
    # As a float, 0.29 * 100 is 28.999999999999996; Decimal keeps 29 cents.
    assert parse_money("0.29") == 29


@pytest.mark.parametrize("text", ["1,234", "1.234,50", "12.345", "1e3", "$12", "abc", "12 000"])
def test_money_rejects_ambiguous_or_invalid(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_money(text)


def test_money_comma_reason_names_fix() -> None:
    with pytest.raises(InvalidValue, match="no thousands separator"):
        parse_money("1,234")


def test_date_iso_parsed() -> None:
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)


@pytest.mark.parametrize("text", ["2024-13-02", "2023-02-29", "02/03/2024", "2024-3-1", "20240301"])
def test_date_invalid_rejected(text: str) -> None:
    with pytest.raises(InvalidValue, match="YYYY-MM-DD"):
        parse_date(text)


def test_timestamp_offset_converted_to_business_zone() -> None:
    # 23:30 UTC on 31 March 2024 is 01:30 on 1 April in Berlin: summer time (CEST, UTC+2) began that morning.
    stamp = parse_timestamp("2024-03-31T23:30:00+00:00", "Europe/Berlin")
    assert stamp.local == dt.datetime(2024, 4, 1, 1, 30)
    assert stamp.date == dt.date(2024, 4, 1)
    assert stamp.raw == "2024-03-31T23:30:00+00:00"


def test_timestamp_zulu_converted() -> None:
    # 12:00Z on 15 January is 13:00 CET (UTC+1).
    assert parse_timestamp("2024-01-15T12:00Z", "Europe/Berlin").local == dt.datetime(2024, 1, 15, 13, 0)


def test_timestamp_compact_offset_converted() -> None:
    # 08:00 at UTC-05:00 is 13:00 UTC.
    assert parse_timestamp("2024-01-15 08:00:00-0500", "UTC").local == dt.datetime(2024, 1, 15, 13, 0)


def test_date_only_timestamp_not_shifted() -> None:
    stamp = parse_timestamp("2024-03-31", "Pacific/Auckland")
    assert stamp.local == dt.datetime(2024, 3, 31, 0, 0)
    assert stamp.date == dt.date(2024, 3, 31)


def test_naive_timestamp_taken_as_local() -> None:
    stamp = parse_timestamp("2024-03-31 23:30", "Europe/Berlin")
    assert stamp.local == dt.datetime(2024, 3, 31, 23, 30)
    assert stamp.date == dt.date(2024, 3, 31)


@pytest.mark.parametrize("text", ["2024-03-31T25:00", "2024-03-31 10", "31.03.2024 10:00", "2024-03-31T10:00+2"])
def test_timestamp_invalid_rejected(text: str) -> None:
    with pytest.raises(InvalidValue):
        parse_timestamp(text, "UTC")


@pytest.mark.parametrize(("text", "value"), [("TRUE", True), ("yes", True), ("1", True),
                                             ("False", False), ("NO", False), ("0", False)])
def test_bool_words(text: str, value: bool) -> None:
    assert parse_bool(text) is value


def test_bool_rejects_other_words() -> None:
    with pytest.raises(InvalidValue, match="true/false"):
        parse_bool("maybe")


def test_status_case_insensitive() -> None:
    assert parse_status("Won") == "won"


def test_status_unknown_rejected() -> None:
    with pytest.raises(InvalidValue, match="open, won or lost"):
        parse_status("pending")


def test_currency_upper_cased() -> None:
    assert parse_currency("eur") == "EUR"


def test_convert_cents_rounds_half_up() -> None:
    # 100.05 EUR at 1.1 = 110.055 USD, which rounds half up to 110.06.
    assert convert_cents(10005, Decimal("1.1")) == 11006
