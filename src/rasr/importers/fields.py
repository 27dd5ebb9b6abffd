"""Read the cells of one CRM export row by header label, collecting a Problem per bad value."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from rasr.importers.csvfile import CsvFile, Record
from rasr.importers.formats import Formats
from rasr.importers.parsing import InvalidValue, Timestamp, parse_bool, parse_currency
from rasr.importers.report import ImportReport, Rejection
from rasr.importers.rules import Problem, describe

REQUIRED = "it is required: fill it in or remove the row"


class RowReader:
    """The cells of one record, parsed under the file's formats.

    Each getter returns None for an empty or absent cell, and for a bad value,
    which it records as a Problem naming the column as the file labels it.
    """

    def __init__(self, file: CsvFile, record: Record, formats: Formats) -> None:
        self.file = file
        self.record = record
        self.formats = formats
        self.problems: list[Problem] = []

    @property
    def where(self) -> str:
        return f"{self.file.name} row {self.record.row}"

    def has(self, label: str) -> bool:
        return label.lower() in self.file.header

    def text(self, label: str, *, required: bool = False) -> str | None:
        value = self.record.cells.get(label.lower())
        if value is None and required:
            self.problems.append(Problem(self.file.label(label.lower()) if self.has(label) else label, None, REQUIRED))
        return value

    def _parse(self, label: str, parse: Callable[[str], Any], required: bool) -> Any:
        text = self.text(label, required=required)
        if text is None:
            return None
        try:
            return parse(text)
        except InvalidValue as error:
            self.problems.append(Problem(self.file.label(label.lower()), text, str(error)))
            return None

    def date(self, label: str, *, required: bool = False) -> dt.date | None:
        return self._parse(label, self.formats.date, required)

    def timestamp(self, label: str, *, required: bool = False) -> Timestamp | None:
        return self._parse(label, self.formats.timestamp, required)

    def money(self, label: str, *, required: bool = False) -> int | None:
        return self._parse(label, self.formats.money, required)

    def flag(self, label: str, *, required: bool = False) -> bool | None:
        return self._parse(label, parse_bool, required)

    def currency(self, label: str) -> str | None:
        return self._parse(label, parse_currency, False)

    def problem(self, label: str, value: Any, reason: str) -> None:
        self.problems.append(Problem(label, value, reason))

    def reject(self, report: ImportReport, table: str) -> bool:
        """Record the row as rejected when it has problems, and return whether it was."""
        if not self.problems:
            return False
        reject_record(report, table, self.file, self.record, self.problems)
        return True


def reject_record(report: ImportReport, table: str, file: CsvFile, record: Record, problems: list[Problem]) -> None:
    where = f"{file.name} row {record.row}"
    report.reject_row(table, [
        Rejection(file.name, record.row, problem.column, "" if problem.value is None else str(problem.value),
                  describe(problem, where))
        for problem in problems
    ])
