"""Date formats, number locales, encodings and delimiters: declared or inferred, one rule for every format."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rasr.importers.csvfile import decode, detect_delimiter
from rasr.importers.formats import (
    DAY_FIRST, ISO, MONTH_FIRST, Formats, infer_date_format, parse_date_format, parse_number_locale, read_decimal,
)
from rasr.importers.parsing import InvalidValue
from rasr.importers.report import ImportFailed

EN_US = parse_number_locale("en-US")
DE_DE = parse_number_locale("de-DE")


def test_infer_day_first_from_one_day_over_12() -> None:
    assert infer_date_format(["03/04/2024", "15/04/2024", "04/05/2024"], "deals.csv") is DAY_FIRST


def test_infer_month_first() -> None:
    assert infer_date_format(["3/4/2024", "4/15/2024"], "deals.csv") is MONTH_FIRST


def test_infer_iso() -> None:
    assert infer_date_format(["2024-04-03", "2024-04-15 10:00"], "deals.csv") is ISO


def test_infer_ambiguous_file_fatal() -> None:
    with pytest.raises(ImportFailed, match="ambiguous.*--date-format DD/MM/YYYY"):
        infer_date_format(["03/04/2024", "05/06/2024"], "deals.csv")


def test_infer_no_dates() -> None:
    assert infer_date_format([], "deals.csv") is None


@pytest.mark.parametrize("text", ["13/25/2024", "30/07/2024"])
def test_impossible_month_first_date_rejected(text: str) -> None:
    # Neither is rolled over into another month: 13/25 has no month 13 and 30/07 no month 30.
    with pytest.raises(InvalidValue, match="does not exist"):
        Formats(date_format=MONTH_FIRST).date(text)


def test_day_first_date_read() -> None:
    assert Formats(date_format=DAY_FIRST).date("15.04.2024") == dt.date(2024, 4, 15)


def test_date_with_midnight_not_shifted() -> None:
    # A date field exported as midnight stays on its date whatever the zones.
    formats = Formats(business_timezone="Pacific/Auckland", source_timezone="America/New_York")
    assert formats.date("2024-03-31 00:00:00") == dt.date(2024, 3, 31)


def test_timestamp_with_zone_dated_in_business_zone() -> None:
    # 23:30 UTC on 31 March 2024 is 01:30 on 1 April in Berlin (UTC+2 from that morning).
    formats = Formats(business_timezone="Europe/Berlin")
    assert formats.date("2024-03-31T23:30:00Z") == dt.date(2024, 4, 1)
    assert formats.timestamp("2024-03-31T23:30:00Z").local == dt.datetime(2024, 4, 1, 1, 30)


def test_source_zone_timestamp_converted() -> None:
    # 20:00 in New York on 10 January (UTC-5) is 01:00 UTC on 11 January.
    formats = Formats(business_timezone="UTC", source_timezone="America/New_York")
    stamp = formats.timestamp("2024-01-10 20:00")
    assert stamp.local == dt.datetime(2024, 1, 11, 1, 0)
    assert stamp.date == dt.date(2024, 1, 11)
    assert stamp.raw == "2024-01-10 20:00"


def test_am_pm_timestamp() -> None:
    stamp = Formats(date_format=MONTH_FIRST).timestamp("1/5/2024 3:04 PM")
    assert stamp.local == dt.datetime(2024, 1, 5, 15, 4)


def test_declared_format_names() -> None:
    assert parse_date_format("DD.MM.YYYY") is DAY_FIRST
    assert parse_date_format("mm/dd/yyyy") is MONTH_FIRST
    with pytest.raises(ValueError, match="unknown date format"):
        parse_date_format("YYYYDDMM")


@pytest.mark.parametrize(("text", "cents"), [
    ("1.355,90", 135590), ("1,12", 112), ("512,77", 51277), ("1.000.000", 100000000), ("€ 1.000,50", 100050),
    ("1.000,50 EUR", 100050),
])
def test_decimal_comma_under_de_de(text: str, cents: int) -> None:
    assert Formats(number_locale=DE_DE).money(text) == cents


def test_de_de_total() -> None:
    # 1,355.90 + 1.12 + 512.77 + 1,000,000.00 = 1,001,869.79
    formats = Formats(number_locale=DE_DE)
    assert sum(formats.money(text) for text in ("1.355,90", "1,12", "512,77", "1.000.000")) == 100186979


@pytest.mark.parametrize(("text", "cents"), [("$1,000.50", 100050), ("1,234", 123400), ("USD 12,000.00", 1200000),
                                             ("1234.5", 123450)])
def test_grouped_amounts_under_en_us(text: str, cents: int) -> None:
    assert Formats(number_locale=EN_US).money(text) == cents


@pytest.mark.parametrize("text", ["1,234", "1.234"])
def test_ambiguous_amount_without_locale_rejected(text: str) -> None:
    with pytest.raises(InvalidValue, match="ambiguous.*--number-locale"):
        Formats().money(text)


@pytest.mark.parametrize("text", ["1,23,4", "1.234,5", "12,34.5"])
def test_misgrouped_amount_under_en_us_rejected(text: str) -> None:
    with pytest.raises(InvalidValue, match="under locale en-US"):
        Formats(number_locale=EN_US).money(text)


def test_space_grouped_fr_fr() -> None:
    assert read_decimal("1\u202f234,5", parse_number_locale("fr-FR"), money=True) == Decimal("1234.5")


def test_unknown_locale_rejected() -> None:
    with pytest.raises(ValueError, match="unknown number locale"):
        parse_number_locale("xx-YY")


def test_decode_utf8_bom_removed() -> None:
    assert decode(b"\xef\xbb\xbfopp_id\n", "a.csv") == ("opp_id\n", "utf-8")


def test_decode_windows_1252() -> None:
    assert decode("Müller €".encode("windows-1252"), "a.csv") == ("Müller €", "windows-1252")


def test_declared_encoding_mismatch_fatal() -> None:
    with pytest.raises(ImportFailed, match="not utf-8 text.*--encoding windows-1252"):
        decode("Müller".encode("windows-1252"), "a.csv", "utf-8")


@pytest.mark.parametrize(("header", "delimiter"), [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"),
                                                   ('"x;y",b,c', ","), ("single", ",")])
def test_delimiter_detected(header: str, delimiter: str) -> None:
    assert detect_delimiter(header + "\n1,2,3\n", "a.csv") == delimiter


def test_delimiter_tie_fatal() -> None:
    with pytest.raises(ImportFailed, match="--delimiter"):
        detect_delimiter("a,b;c\n", "a.csv")
