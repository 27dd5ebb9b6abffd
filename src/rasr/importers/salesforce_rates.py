"""Exchange rates from a multi-currency Salesforce org's Data Export.

CurrencyType.csv has one rate per active currency and marks the corporate
currency (IsCorporate); DatedConversionRate.csv has rates by StartDate, which
Salesforce uses for opportunities when advanced currency management is on.
A Salesforce ConversionRate is the number of units of the currency per unit of
the corporate currency, so the rate to the reporting currency is its inverse.
That holds only when the reporting currency is the corporate currency;
otherwise the rates are skipped with a warning.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rasr.importers.batch import Batch, SourceRow
from rasr.importers.csvfile import CsvFile
from rasr.importers.fields import RowReader
from rasr.importers.formats import Formats
from rasr.importers.parsing import NO_DATE
from rasr.importers.report import ImportReport

STATIC = "currencytype.csv"
DATED = "datedconversionrate.csv"
# Twelve decimal places keep the inverse exact to far below a cent and survive the float column unchanged.
RATE_PLACES = Decimal("1e-12")


def corporate_currency(files: dict[str, CsvFile]) -> str | None:
    file = files.get(STATIC)
    if file is None:
        return None
    for record in file.records:
        if (record.cells.get("iscorporate") or "").lower() in ("1", "true") and record.cells.get("isocode"):
            return record.cells["isocode"].upper()
    return None


def read_salesforce_rates(files: dict[str, CsvFile], formats: dict[str, Formats], reporting_currency: str,
                          batch: Batch, report: ImportReport) -> None:
    """Add rates rows from DatedConversionRate.csv, else CurrencyType.csv, as rates to the reporting currency."""
    file = files.get(DATED) or files.get(STATIC)
    if file is None:
        return
    corporate = corporate_currency(files)
    if corporate is not None and corporate != reporting_currency:
        report.warn(
            "rates_skipped",
            f"the Salesforce corporate currency is {corporate} but the reporting currency is {reporting_currency}, "
            f"so the rates in {file.name} were not imported; import rates to {reporting_currency} with "
            "`rasr import rates`",
            len(file.records),
        )
        return
    dated = file is files.get(DATED)
    counts = report.table("rates")
    for record in file.records:
        counts.rows_read += 1
        reader = RowReader(file, record, formats[file.name.lower()])
        if (record.cells.get("isactive") or "1").lower() in ("0", "false"):
            continue
        currency = reader.currency("IsoCode")
        text = reader.text("ConversionRate", required=True)
        valid_from = reader.date("StartDate", required=True) if dated else NO_DATE
        if currency is None and not reader.problems:
            reader.problem("IsoCode", None, "it is required: fill it in or remove the row")
        rate = None
        if text is not None:
            try:
                conversion = Decimal(text)
                rate = (Decimal(1) / conversion).quantize(RATE_PLACES) if conversion > 0 else None
            except (InvalidOperation, ArithmeticError):
                rate = None
            if rate is None or rate <= 0:
                reader.problem("ConversionRate", text, "is not a positive number")
        if reader.reject(report, "rates"):
            continue
        batch.add("rates", SourceRow(file.name, record.row, {
            "currency": currency, "rate": rate, "valid_from": valid_from,
        }))
    if corporate is None:
        report.warn(
            "corporate_currency_assumed",
            f"{file.name} was read as rates against {reporting_currency}, the reporting currency, because no "
            "CurrencyType.csv marks the corporate currency; export CurrencyType too to confirm it",
            1,
        )
