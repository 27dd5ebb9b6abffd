"""Options of one import, shared by every format, and reading a source file under them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rasr.engine.settings import Settings
from rasr.importers.csvfile import CsvFile, read_csv
from rasr.importers.formats import DateFormat, Formats, NumberLocale, infer_date_format
from rasr.importers.report import ImportReport


@dataclass(frozen=True)
class ImportOptions:
    """The read options of one import's files, and whether to apply it strictly or again.

    A None encoding, delimiter or date_format is detected per file. A None
    number_locale reads only plain numbers (1234.50), unless the format has
    its own default (a Salesforce report is en-US). source_timezone is the
    zone of timestamps written without an offset (default: the business time
    zone, or the format's own default).
    """

    encoding: str | None = None
    delimiter: str | None = None
    date_format: DateFormat | None = None
    number_locale: NumberLocale | None = None
    source_timezone: str | None = None
    strict: bool = False
    force: bool = False
    stages: Path | None = None  # a TOML stage mapping, for the CRM formats

    def fingerprint(self) -> str:
        """Return the options that change what is read, as text for the import's checksum."""
        return json.dumps({
            "encoding": self.encoding, "delimiter": self.delimiter,
            "date_format": self.date_format.order if self.date_format else None,
            "number_locale": self.number_locale.name if self.number_locale else None,
            "source_timezone": self.source_timezone,
            "stages": _file_digest(self.stages),
        }, sort_keys=True)


def _file_digest(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return str(path)


def open_source(path: Path, options: ImportOptions, report: ImportReport, *, cut_footer: bool = False) -> CsvFile:
    """Read one source file under options and register it with the report, noting a non-UTF-8 encoding."""
    file = read_csv(Path(path), encoding=options.encoding, delimiter=options.delimiter, cut_footer=cut_footer)
    report.add_source(file)
    if file.encoding != "utf-8":
        report.warn("encoding", f"{file.name} is not UTF-8 and was read as {file.encoding}", 1)
    return file


def file_formats(file: CsvFile, date_columns: Iterable[str], settings: Settings, options: ImportOptions, *,
                 number_locale: NumberLocale | None = None, source_timezone: str | None = None) -> Formats:
    """Return the formats of file: the declared ones, else its date format inferred from date_columns.

    number_locale and source_timezone are the format's defaults, used when the
    options declare none. Raises ImportFailed when the dates are ambiguous.
    """
    date_format = options.date_format
    if date_format is None:
        present = [column.lower() for column in date_columns if column.lower() in file.header]
        values = (record.cells[column] for record in file.records for column in present if record.cells.get(column))
        date_format = infer_date_format(values, file.name)
    return Formats(
        business_timezone=settings.business_timezone,
        date_format=date_format,
        number_locale=options.number_locale or number_locale,
        source_timezone=options.source_timezone or source_timezone,
    )
