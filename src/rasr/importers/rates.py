"""Import exchange rates: currency, rate to the reporting currency, and an optional valid-from date.

A rate is the value of one unit of the currency in the reporting currency
(EUR 1.10 with reporting currency USD: 1 EUR = 1.10 USD). Stored
opportunities in a currency are converted again with the rates written, so
unpriced ones get their amount once a rate covers their date.
"""

from __future__ import annotations

from pathlib import Path

from rasr.engine.settings import Settings
from rasr.importers.batch import Batch, drop_duplicates
from rasr.importers.canonical import convert_file, warn_unknown_columns
from rasr.importers.columns import required_columns
from rasr.importers.crm import import_one_file
from rasr.importers.csvfile import CsvFile
from rasr.importers.options import ImportOptions, file_formats
from rasr.importers.report import ImportReport
from rasr.store.connection import Workspace

# Other header labels accepted for each column, compared in lower case.
SYNONYMS = {
    "currency": ("currency", "iso code", "isocode", "code", "currency code"),
    "rate": ("rate", "exchange rate", "conversion rate", "rate to reporting currency"),
    "valid_from": ("valid_from", "valid from", "start date", "startdate", "from", "date"),
}


def import_rates(workspace: Workspace, path: Path, settings: Settings,
                 options: ImportOptions | None = None) -> ImportReport:
    """Import a rates CSV file into workspace and re-price stored opportunities, in one transaction."""
    options = options or ImportOptions()

    def read(file: CsvFile, report: ImportReport) -> Batch:
        names = {}
        for column, labels in SYNONYMS.items():
            for label in labels:
                if label in file.header and column not in names.values():
                    names[label] = column
                    break
        renamed = file.renamed(names)
        renamed.require(required_columns("rates"), "a rates file")
        warn_unknown_columns(renamed, "rates", report)
        batch = Batch()
        formats = file_formats(renamed, ("valid_from",), settings, options)
        convert_file(renamed, "rates", formats, batch, report)
        drop_duplicates(batch, "rates", report)
        same = [row.where for row in batch.rows("rates") if row.values["currency"] == settings.reporting_currency
                and row.values["rate"] != 1]
        report.warn_ids("reporting_currency_rate",
                        f"rows give the reporting currency {settings.reporting_currency} a rate other than 1; "
                        "its amounts are never converted, so these rows have no effect", same)
        return batch

    return import_one_file(workspace, path, settings, options, "rates", read)
