"""Convert opportunity amounts in another currency to the reporting currency."""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from decimal import Decimal

from rasr.importers.batch import Batch
from rasr.importers.parsing import convert_cents, to_date, to_decimal
from rasr.importers.report import ImportReport
from rasr.store.connection import Workspace

log = logging.getLogger(__name__)


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


def _rate_day(status: str, close_on: dt.date | None, created_on: dt.date | None) -> dt.date | None:
    return close_on if status in ("won", "lost") else created_on


def price_opportunities(batch: Batch, rates: RateTable, reporting_currency: str, report: ImportReport) -> None:
    """Set amount in the reporting currency, keeping a foreign amount in original_amount (see price_values)."""
    unpriced: list[str] = []
    converted = 0
    for row in batch.rows("opportunities"):
        outcome = price_values(row.values, rates, reporting_currency)
        if outcome is CONVERTED:
            converted += 1
        elif outcome is not None:
            unpriced.append(outcome)
    warn_prices(report, reporting_currency, converted, unpriced)


# The return value of price_values for a converted amount.
CONVERTED = "converted"


def price_values(values: dict, rates: RateTable, reporting_currency: str) -> str | None:
    """Set the amount of one opportunity's values in the reporting currency.

    The rate is the one valid on close_on for a closed deal and on created_on
    for an open one. An open deal without created_on takes the latest rate,
    because its amount is a current value. Without a rate the amount is None
    and the row is marked unpriced. Returns CONVERTED, the id and date of an
    unpriced row for the warning, or None when nothing was converted.
    """
    currency = values.get("currency") or reporting_currency
    values["currency"] = currency
    values["unpriced"] = False
    if currency == reporting_currency:
        values["original_amount"] = None
        return None
    original = values.get("amount")
    values["original_amount"] = original
    if original is None:
        return None
    day = _rate_day(values["status"], values.get("close_on"), values.get("created_on"))
    rate = rates.rate_on(currency, day)
    if rate is None:
        values["amount"] = None
        values["unpriced"] = True
        return f"{values['opp_id']} ({currency} {day.isoformat() if day else 'undated'})"
    values["amount"] = convert_cents(original, rate)
    return CONVERTED


def warn_prices(report: ImportReport, reporting_currency: str, converted: int, unpriced: list[str]) -> None:
    """Warn about the amounts converted and the opportunities left unpriced by price_values."""
    if converted:
        report.warn(
            "converted_amount",
            f"{converted} opportunity amounts were converted to {reporting_currency} at the rate valid on "
            "close_on (closed) or created_on (open); the original is kept in original_amount",
            converted,
        )
    report.warn_ids(
        "unpriced",
        f"opportunities have no rate to {reporting_currency} for their currency and date, so they are kept "
        "without an amount (unpriced); import rates.csv with a rate valid on that date",
        unpriced,
    )


def reprice_stored(workspace: Workspace, batch: Batch, rates: RateTable, reporting_currency: str,
                   report: ImportReport, *, imported_from: str | None = None) -> None:
    """Convert again the stored foreign-currency opportunities that this import does not write.

    Run after new rates are written: an unpriced row gets its amount once a
    rate is valid on its date, and a priced one follows a changed rate. The
    opportunities imported are those of batch, and those of the table
    imported_from when the import staged them there.
    """
    imported = {row.values["opp_id"] for row in batch.rows("opportunities")}
    skip = f' AND opp_id NOT IN (SELECT opp_id FROM "{imported_from}")' if imported_from else ""
    stored = workspace.execute(
        "SELECT opp_id, status, close_on, created_on, currency, original_amount, amount, unpriced FROM opportunities "
        "WHERE currency IS NOT NULL AND currency <> ? AND original_amount IS NOT NULL" + skip,
        (reporting_currency,),
    )
    changes = []
    still_unpriced = []
    for opp_id, status, close_on, created_on, currency, original, amount, unpriced in stored:
        if opp_id in imported:
            continue
        day = _rate_day(status, to_date(close_on), to_date(created_on))
        rate = rates.rate_on(currency, day)
        new_amount = None if rate is None else convert_cents(int(original), rate)
        if rate is None:
            still_unpriced.append(opp_id)
        if new_amount != amount or bool(unpriced) != (rate is None):
            changes.append((new_amount, rate is None, opp_id))
    if changes:
        workspace.executemany("UPDATE opportunities SET amount = ?, unpriced = ? WHERE opp_id = ?",
                              [(amount, int(flag) if workspace.dialect == "sqlite" else flag, opp_id)
                               for amount, flag, opp_id in changes])
        priced = [opp_id for amount, flag, opp_id in changes if not flag]
        report.table("opportunities").repriced += len(changes)
        report.warn_ids(
            "repriced",
            f"stored opportunities were converted again to {reporting_currency} with the imported rates",
            priced,
        )
        log.info("re-priced %s stored opportunities", len(changes))
    report.warn_ids(
        "still_unpriced",
        f"stored opportunities still have no rate to {reporting_currency} for their currency and date",
        still_unpriced,
    )
