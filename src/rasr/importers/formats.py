"""Date formats, number locales and time zones of one source file, declared or inferred.

Every importer reads dates, timestamps and amounts through a `Formats`, so a
value is read the same way whatever the CRM. A declared format wins. Otherwise
the date format is inferred once per file, and all date columns of a file
share it.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Iterable

from rasr.importers import parsing as p
from rasr.importers.parsing import InvalidValue, Timestamp
from rasr.importers.report import ImportFailed

# Day, month and year in some order, with any of / . - between them, then an optional time of day
# (24-hour or with AM/PM) and an optional zone (Z or an offset).
_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:(?:[T ]|,\s*)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?",
)

ORDERS = ("ymd", "dmy", "mdy")


@dataclass(frozen=True)
class DateFormat:
    """The order of year, month and day in a file's dates; the separator and digits may vary."""

    order: str  # one of ORDERS

    @property
    def name(self) -> str:
        return {"ymd": "YYYY-MM-DD", "dmy": "DD/MM/YYYY", "mdy": "MM/DD/YYYY"}[self.order]

    def split(self, text: str) -> tuple[dt.date, re.Match]:
        """Return the calendar date of text and its match; raise InvalidValue when it is not a date in this order."""
        match = _NUMERIC_DATE.fullmatch(text.strip())
        if not match:
            raise InvalidValue(f"is not a date in {self.name}")
        parts = dict(zip(self.order, (match["a"], match["b"], match["c"])))
        if len(parts["y"]) != 4:
            raise InvalidValue(f"is not a date in {self.name} (the year must have four digits)")
        try:
            return dt.date(int(parts["y"]), int(parts["m"]), int(parts["d"])), match
        except ValueError:
            raise InvalidValue(
                f"is not a valid date in {self.name}: month {int(parts['m'])}, day {int(parts['d'])} does not exist"
            ) from None

    def fits(self, text: str) -> bool:
        try:
            self.split(text)
        except InvalidValue:
            return False
        return True


ISO = DateFormat("ymd")
DAY_FIRST = DateFormat("dmy")
MONTH_FIRST = DateFormat("mdy")
_FORMAT_NAMES = {
    "iso": ISO, "yyyy-mm-dd": ISO, "ymd": ISO, "yyyy/mm/dd": ISO,
    "dd/mm/yyyy": DAY_FIRST, "dd.mm.yyyy": DAY_FIRST, "dd-mm-yyyy": DAY_FIRST, "d/m/yyyy": DAY_FIRST,
    "dmy": DAY_FIRST, "day-first": DAY_FIRST,
    "mm/dd/yyyy": MONTH_FIRST, "m/d/yyyy": MONTH_FIRST, "mm-dd-yyyy": MONTH_FIRST, "mdy": MONTH_FIRST,
    "month-first": MONTH_FIRST,
}
DATE_FORMAT_CHOICES = "YYYY-MM-DD, DD/MM/YYYY (also DD.MM.YYYY) or MM/DD/YYYY"


def parse_date_format(text: str) -> DateFormat:
    """Read a declared date format such as DD/MM/YYYY; raise ValueError naming the choices."""
    found = _FORMAT_NAMES.get(text.strip().lower())
    if found is None:
        raise ValueError(f"unknown date format '{text}'; use {DATE_FORMAT_CHOICES}")
    return found


@dataclass(frozen=True)
class NumberLocale:
    """A locale's thousands separators and decimal mark."""

    name: str
    groups: str  # characters accepted as thousands separators
    decimal: str


_DOT_DECIMAL = ",", "."
_COMMA_DECIMAL = ".", ","
_SPACE_COMMA = " \u00a0\u202f", ","
# Locales by language, and the few whose country writes numbers differently from its language.
_BY_LANGUAGE = {
    "en": _DOT_DECIMAL, "ja": _DOT_DECIMAL, "zh": _DOT_DECIMAL, "ko": _DOT_DECIMAL, "he": _DOT_DECIMAL,
    "th": _DOT_DECIMAL, "hi": _DOT_DECIMAL, "ms": _DOT_DECIMAL,
    "de": _COMMA_DECIMAL, "es": _COMMA_DECIMAL, "it": _COMMA_DECIMAL, "nl": _COMMA_DECIMAL,
    "pt": _COMMA_DECIMAL, "da": _COMMA_DECIMAL, "id": _COMMA_DECIMAL, "tr": _COMMA_DECIMAL,
    "el": _COMMA_DECIMAL, "ro": _COMMA_DECIMAL,
    "fr": _SPACE_COMMA, "sv": _SPACE_COMMA, "nb": _SPACE_COMMA, "no": _SPACE_COMMA, "fi": _SPACE_COMMA,
    "pl": _SPACE_COMMA, "cs": _SPACE_COMMA, "sk": _SPACE_COMMA, "ru": _SPACE_COMMA, "uk": _SPACE_COMMA,
    "hu": _SPACE_COMMA,
}
_BY_COUNTRY = {
    "de-ch": ("'\u2019", "."), "fr-ch": ("'\u2019", "."), "it-ch": ("'\u2019", "."),
    "es-mx": _DOT_DECIMAL, "pt-br": _COMMA_DECIMAL, "fr-ca": _SPACE_COMMA, "en-za": _SPACE_COMMA,
}

# Symbols and codes that may stand before or after an amount.
_CURRENCY_MARK = re.compile(r"^(?:[$€£¥₹]|[A-Z]{3}|[A-Z]{1,2}\$)\s*|\s*(?:[$€£¥₹]|[A-Z]{3})$")


def parse_number_locale(text: str) -> NumberLocale:
    """Read a locale such as en-US, de_DE or fr; raise ValueError for an unknown one."""
    key = text.strip().replace("_", "-").lower()
    separators = _BY_COUNTRY.get(key) or _BY_LANGUAGE.get(key.split("-")[0])
    if separators is None:
        raise ValueError(f"unknown number locale '{text}'; use a locale such as en-US, de-DE, fr-FR or de-CH")
    return NumberLocale(text.strip(), separators[0], separators[1])


# A value with one separator followed by exactly three digits reads as a whole number
# under one locale and as a fraction under another.
_AMBIGUOUS = re.compile(r"\d{1,3}[.,]\d{3}")


def read_decimal(text: str, locale: NumberLocale | None, *, money: bool) -> Decimal:
    """Read a number written under locale; raise InvalidValue naming the fix.

    Without a locale only digits with an optional dot for decimals are read,
    and a money value such as 1,234 or 1.234 is rejected as ambiguous.
    """
    value = text.strip()
    if locale is None:
        if money and _AMBIGUOUS.fullmatch(value):
            raise InvalidValue(
                "is ambiguous without a number locale: it reads as a thousand and more under en-US and "
                "as a fraction under de-DE (or the reverse); declare the locale, e.g. --number-locale en-US"
            )
        if "," in value:
            raise InvalidValue(
                "contains a comma; write the number with a dot for decimals and no thousands separator, "
                "or declare the number locale, e.g. --number-locale en-US or de-DE"
            )
        return p.parse_decimal(value)

    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1].strip()
    if value.startswith("-"):
        negative, value = not negative, value[1:].strip()
    value = _CURRENCY_MARK.sub("", value, count=1)
    value = _CURRENCY_MARK.sub("", value, count=1).strip()
    if value.startswith("-"):
        negative, value = not negative, value[1:].strip()
    groups = "".join(re.escape(char) for char in locale.groups)
    decimal = re.escape(locale.decimal)
    pattern = rf"(?:\d{{1,3}}(?:[{groups}]\d{{3}})+|\d+)(?:{decimal}\d+)?|{decimal}\d+"
    if not re.fullmatch(pattern, value):
        example = f"1{locale.groups[0]}234{locale.decimal}50"
        raise InvalidValue(f"is not a number under locale {locale.name} (written like {example})")
    plain = value
    for char in locale.groups:
        plain = plain.replace(char, "")
    plain = plain.replace(locale.decimal, ".")
    try:
        number = Decimal(plain)
    except InvalidOperation:
        raise InvalidValue(f"is not a number under locale {locale.name}") from None
    return -number if negative else number


@dataclass(frozen=True)
class Formats:
    """The date format, number locale and time zones that the values of one file are read with.

    source_timezone is the zone of timestamps written without an offset; it
    defaults to business_timezone, which every timestamp is converted to.
    """

    business_timezone: str = "UTC"
    date_format: DateFormat | None = None
    number_locale: NumberLocale | None = None
    source_timezone: str | None = None

    def with_date_format(self, date_format: DateFormat) -> "Formats":
        return replace(self, date_format=date_format)

    @property
    def dates(self) -> DateFormat:
        return self.date_format or ISO

    def date(self, text: str) -> dt.date:
        """Read a calendar date. A time of day is dropped unshifted, unless the value has a zone."""
        if self.dates is ISO and p._DATE.fullmatch(text):
            return p.parse_date(text)
        day, match = self.dates.split(text)
        if match["zone"]:
            return self.timestamp(text).date
        return day

    def timestamp(self, text: str) -> Timestamp:
        """Read a date or timestamp as a local time in the business time zone.

        A date alone is midnight of that date, never shifted. A timestamp with
        an offset, or without one in a source_timezone other than the business
        time zone, is converted.
        """
        day, match = self.dates.split(text)
        if match["hour"] is None:
            return Timestamp(dt.datetime(day.year, day.month, day.day), day, text)
        hour = int(match["hour"])
        if match["ampm"]:
            if not 1 <= hour <= 12:
                raise InvalidValue("is not a valid time: with AM or PM the hour is 1 to 12")
            hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
        fraction = (match["fraction"] or "").ljust(6, "0")
        try:
            moment = dt.datetime(day.year, day.month, day.day, hour, int(match["minute"]),
                                 int(match["second"] or 0), int(fraction or 0))
        except ValueError:
            raise InvalidValue("is not a valid timestamp (hour, minute or second out of range)") from None
        business = zoneinfo.ZoneInfo(self.business_timezone)
        zone = match["zone"]
        if zone:
            offset = _offset(zone)
            moment = moment.replace(tzinfo=offset).astimezone(business).replace(tzinfo=None)
        elif self.source_timezone and self.source_timezone != self.business_timezone:
            source = zoneinfo.ZoneInfo(self.source_timezone)
            moment = moment.replace(tzinfo=source).astimezone(business).replace(tzinfo=None)
        return Timestamp(moment, moment.date(), text)

    def decimal(self, text: str) -> Decimal:
        return read_decimal(text, self.number_locale, money=False)

    def money(self, text: str) -> int:
        """Read an amount as integer cents, exactly; see parse_money for the limits."""
        value = read_decimal(text, self.number_locale, money=True)
        return p.parse_money(format(value, "f"))

    def rate(self, text: str) -> Decimal:
        value = self.decimal(text)
        if value <= 0:
            raise InvalidValue("is not a positive exchange rate")
        return value


def _offset(zone: str) -> dt.tzinfo:
    if zone.upper() == "Z":
        return dt.timezone.utc
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise InvalidValue("has an offset out of range")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def infer_date_format(values: Iterable[str], file_name: str) -> DateFormat | None:
    """Return the date format that reads the most of values, or None when there are no dates.

    Raises ImportFailed when every date fits both day-first and month-first,
    because then no value in the file distinguishes them.
    """
    counts = {fmt: 0 for fmt in (ISO, DAY_FIRST, MONTH_FIRST)}
    total = 0
    example = None
    for value in values:
        total += 1
        for fmt in counts:
            if fmt.fits(value):
                counts[fmt] += 1
        if example is None and DAY_FIRST.fits(value) and MONTH_FIRST.fits(value):
            example = value
    if total == 0:
        return None
    best = max(counts.values())
    if best == 0:
        return None
    winners = [fmt for fmt, count in counts.items() if count == best]
    if ISO in winners:
        return ISO
    if len(winners) > 1:
        raise ImportFailed(
            f"the dates in {file_name} are ambiguous: every one of them (e.g. '{example}') reads both as "
            "day-first and as month-first; declare the format with --date-format DD/MM/YYYY or "
            "--date-format MM/DD/YYYY"
        )
    return winners[0]


def check_timezone(name: str, option: str) -> str:
    """Return name when it is an IANA time zone, else raise ValueError naming option."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{name}' for {option}; use an IANA name such as UTC or "
                         "America/New_York") from None
    return name
