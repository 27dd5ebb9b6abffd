"""Parse one CSV cell into a stored value: money, date, timestamp, boolean, status.

Each parser takes the stripped, non-empty cell text and raises InvalidValue
with the end of a sentence that states what was expected, for example
"is not a date in YYYY-MM-DD".
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# date(1, 1, 1) means "no start date" in key columns such as rates.valid_from.
NO_DATE = dt.date(1, 1, 1)

STATUSES = ("open", "won", "lost")
STAGE_KINDS = ("open", "won", "lost")
TRUE_WORDS = frozenset({"true", "1", "yes"})
FALSE_WORDS = frozenset({"false", "0", "no"})

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CURRENCY = re.compile(r"[A-Za-z]{3}")


class InvalidValue(ValueError):
    """A cell that cannot be read as its column's type. The message states what was expected."""


@dataclass(frozen=True)
class Timestamp:
    """A moment as imported: local time in the business time zone, its date, and the original text."""

    local: dt.datetime
    date: dt.date
    raw: str


def parse_text(text: str) -> str:
    return text


def parse_lower(text: str) -> str:
    return text.lower()


def parse_date(text: str) -> dt.date:
    if not _DATE.fullmatch(text):
        raise InvalidValue("is not a date in YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidValue("is not a date in YYYY-MM-DD (no such day)") from None


def parse_timestamp(text: str, business_timezone: str) -> Timestamp:
    """Read a date or ISO 8601 timestamp as a local time in business_timezone.

    A date alone is midnight of that date and is never shifted. A timestamp
    with Z or an offset is converted to business_timezone. A timestamp without
    one is taken as already local to business_timezone.
    """
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        raise InvalidValue("is not a date or timestamp in YYYY-MM-DD[ HH:MM[:SS]][+HH:MM or Z]")
    day = parse_date(match["date"])
    if match["time"] is None:
        return Timestamp(dt.datetime(day.year, day.month, day.day), day, text)
    zone = match["zone"]
    iso = f"{match['date']}T{match['time']}"
    if zone:
        zone = "+00:00" if zone.upper() == "Z" else zone
        if len(zone) == 3:
            zone += ":00"
        elif ":" not in zone:
            zone = f"{zone[:3]}:{zone[3:]}"
        iso += zone
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        raise InvalidValue("is not a valid timestamp (hour, minute, second or offset out of range)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zoneinfo.ZoneInfo(business_timezone)).replace(tzinfo=None)
    return Timestamp(moment, moment.date(), text)


def parse_decimal(text: str) -> Decimal:
    if "," in text:
        raise InvalidValue("contains a comma; write the number with a dot for decimals and no thousands separator")
    if not _DECIMAL.fullmatch(text):
        raise InvalidValue("is not a number (write digits with an optional dot for decimals, e.g. 1234.50)")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidValue("is not a number (write digits with an optional dot for decimals, e.g. 1234.50)") from None


# Sums of many such amounts in cents stay far inside a 64-bit integer.
MAX_AMOUNT = Decimal(10) ** 12


def parse_money(text: str) -> int:
    """Read an amount in units (e.g. dollars) as integer cents, exactly."""
    value = parse_decimal(text)
    if value < 0:
        raise InvalidValue("is negative; an amount is 0 or more")
    if value > MAX_AMOUNT:
        raise InvalidValue(f"is larger than the maximum amount {MAX_AMOUNT:,}; check the value and its unit")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise InvalidValue("has more than two decimal places; round the amount to cents")
    return int(cents)


def parse_rate(text: str) -> Decimal:
    value = parse_decimal(text)
    if value <= 0:
        raise InvalidValue("is not a positive exchange rate")
    return value


# The range of a 64-bit integer column, as every workspace engine stores whole numbers.
MAX_INT = 2**63 - 1


def parse_int(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise InvalidValue("is not a whole number")
    value = int(text)
    if not -MAX_INT <= value <= MAX_INT:
        raise InvalidValue(f"is out of range; whole numbers must lie between -{MAX_INT} and {MAX_INT}")
    return value


def parse_count(text: str) -> int:
    value = parse_int(text)
    if value < 0:
        raise InvalidValue("is negative; a count is 0 or more")
    return value


def parse_bool(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidValue("is not a boolean (use true/false, 1/0 or yes/no)")


def is_boolean_like(text: str) -> bool:
    return text.lower() in TRUE_WORDS or text.lower() in FALSE_WORDS


def parse_status(text: str) -> str:
    status = text.lower()
    if status not in STATUSES:
        raise InvalidValue("is not a status; use open, won or lost")
    return status


def parse_stage_kind(text: str) -> str:
    kind = text.lower()
    if kind not in STAGE_KINDS:
        raise InvalidValue("is not a stage kind; use open, won or lost")
    return kind


def parse_currency(text: str) -> str:
    if not _CURRENCY.fullmatch(text):
        raise InvalidValue("is not a three-letter ISO 4217 currency code such as USD")
    return text.upper()


def convert_cents(cents: int, rate: Decimal) -> int:
    """Convert an amount in cents at rate, rounding half up to a whole cent."""
    return int((Decimal(cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_date(value: object) -> dt.date | None:
    """Return a date read back from the workspace (SQLite returns text, DuckDB a date)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def to_decimal(value: object) -> Decimal:
    """Return a stored float rate as the decimal it was written from (its shortest repr)."""
    return Decimal(repr(float(value)))
