"""Convert opportunity amounts in another currency to the reporting currency."""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal

from rasr.importers.batch import Batch
from rasr.importers.parsing import convert_cents, to_date, to_decimal
from rasr.importers.report import ImportReport
from rasr.store.connection import Workspace


class RateTable:
    """Exchange rates to the reporting currency, by currency and valid_from date."""

    def __init__(self) -> None:
        self._rates: dict[str, dict[dt.date, Decimal]] = {}

    def add(self, currency: str, valid_from: dt.date, rate: Decimal) -> None:
        self._rates.setdefault(currency, {})[valid_from] = rate

    def rate_on(self, currency: str, day: dt.date | None) -> Decimal | None:
        """Return the rate with the latest valid_from on or before day (the latest of all without a day)."""
        by_date = self._rates.get(currency)
        if not by_date:
            return None
        starts = sorted(by_date)
        if day is None:
            return by_date[starts[-1]]
        index = bisect.bisect_right(starts, day)
        return by_date[starts[index - 1]] if index else None


def load_rates(workspace: Workspace, batch: Batch) -> RateTable:
    """Return the stored rates with this import's rates replacing those of the same key."""
    table = RateTable()
    for currency, rate, valid_from in workspace.execute("SELECT currency, rate, valid_from FROM rates"):
        if rate is not None:
            table.add(currency, to_date(valid_from), to_decimal(rate))
    for row in batch.rows("rates"):
        table.add(row.values["currency"], row.values["valid_from"], row.values["rate"])
    return table


def price_opportunities(batch: Batch, rates: RateTable, reporting_currency: str, report: ImportReport) -> None:
    """Set amount in the reporting currency, keeping a foreign amount in original_amount.

    The rate is the one valid on close_on for a closed deal and on created_on
    for an open one. An open deal without created_on takes the latest rate,
    because its amount is a current value. Without a rate the amount is None
    and the row is marked unpriced.
    """
    unpriced: list[str] = []
    converted = 0
    for row in batch.rows("opportunities"):
        values = row.values
        currency = values.get("currency") or reporting_currency
        values["currency"] = currency
        values["unpriced"] = False
        if currency == reporting_currency:
            values["original_amount"] = None
            continue
        original = values.get("amount")
        values["original_amount"] = original
        if original is None:
            continue
        day = values.get("close_on") if values["status"] in ("won", "lost") else values.get("created_on")
        rate = rates.rate_on(currency, day)
        if rate is None:
            values["amount"] = None
            values["unpriced"] = True
            unpriced.append(f"{values['opp_id']} ({currency} {day.isoformat() if day else 'undated'})")
            continue
        values["amount"] = convert_cents(original, rate)
        converted += 1
    if converted:
        report.warn(
            "converted_amount",
            f"{converted} opportunity amounts were converted to {reporting_currency} at the rate valid on "
            "close_on (closed) or created_on (open); the original is kept in original_amount",
            converted,
        )
    # TODO: importing rates later does not yet re-price opportunities stored as unpriced.
    report.warn_ids(
        "unpriced",
        f"opportunities have no rate to {reporting_currency} for their currency and date, so they are kept "
        "without an amount (unpriced); import rates.csv with a rate valid on that date",
        unpriced,
    )
