"""Convert the records of one canonical CSV file into typed rows, rejecting bad ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from rasr.importers.batch import Batch, SourceRow
from rasr.importers.columns import COLUMNS, COMPUTED, bind_parsers, store_cell
from rasr.importers.csvfile import CsvFile, Record
from rasr.importers.formats import Formats
from rasr.importers.parsing import InvalidValue, is_boolean_like, parse_bool
from rasr.importers.progress import track
from rasr.importers.report import ImportReport, Rejection
from rasr.importers.rules import Problem, check_row, describe


def flag_columns(file: CsvFile, report: ImportReport,
                 holds_booleans: Callable[[str], bool] | None = None) -> list[str]:
    """Return the extra columns of opportunities.csv that hold only booleans (resource flags).

    Other extra columns are ignored with a warning. holds_booleans(name)
    returns whether a column has a filled cell and only boolean-like ones. By
    default it reads file.records.
    """
    flags = []
    ignored = []
    for name in _extra_columns(file, "opportunities", report):
        if (holds_booleans or _holds_booleans(file))(name):
            flags.append(name)
        else:
            ignored.append(name)
    if ignored:
        report.warn(
            "column_ignored",
            f"column {', '.join(ignored)} in {file.name} ignored: not a column of opportunities, and not a "
            "resource flag because it is empty or contains values other than true/false, 1/0, yes/no",
            len(ignored),
        )
    return flags


def _holds_booleans(file: CsvFile) -> Callable[[str], bool]:
    def check(name: str) -> bool:
        filled = [cell for cell in (record.cells.get(name) for record in file.records) if cell is not None]
        return bool(filled) and all(is_boolean_like(cell) for cell in filled)

    return check


def _extra_columns(file: CsvFile, table: str, report: ImportReport) -> list[str]:
    """Return the header names that are not columns of table, warning about computed ones."""
    extra = [name for name in file.header if name and name not in COLUMNS[table]]
    computed = [name for name in extra if name in COMPUTED]
    if computed:
        report.warn(
            "column_computed",
            f"column {', '.join(computed)} in {file.name} ignored: the import computes it",
            len(computed),
        )
    return [name for name in extra if name not in COMPUTED]


def warn_unknown_columns(file: CsvFile, table: str, report: ImportReport) -> None:
    unknown = _extra_columns(file, table, report)
    if unknown:
        report.warn(
            "column_ignored",
            f"column {', '.join(unknown)} in {file.name} ignored: not a column of {table} "
            f"(known: {', '.join(COLUMNS[table])})",
            len(unknown),
        )


@dataclass
class FileConversion:
    """What converting one canonical file needs: its columns, their parsers and the defaults of absent ones."""

    file: CsvFile
    table: str
    formats: Formats
    flags: Sequence[str] = ()
    columns: dict = field(init=False)
    parsers: dict = field(init=False)
    present: list[str] = field(init=False)
    defaults: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.columns = COLUMNS[self.table]
        self.parsers = bind_parsers(self.table, self.formats)
        self.present = [name for name in self.columns if name in self.file.header]
        self.defaults = {name: column.default for name, column in self.columns.items()
                         if name not in self.file.header and column.default is not None}
        if self.table == "stages" and "is_qualified" not in self.file.header:
            self.defaults["is_qualified"] = True

    def convert(self, record: Record, report: ImportReport) -> SourceRow | None:
        """Return the record's typed row, or None after recording its rejection."""
        file, columns = self.file, self.columns
        where = f"{file.name} row {record.row}"
        values: dict[str, Any] = dict(self.defaults)
        problems: list[Problem] = []
        for name in self.present:
            column = columns[name]
            text = record.cells.get(name)
            if text is None:
                if column.required:
                    problems.append(Problem(name, None, "it is required: fill it in or remove the row"))
                else:
                    values[name] = column.default
                continue
            try:
                store_cell(values, column, self.parsers[name](text))
            except InvalidValue as error:
                problems.append(Problem(name, text, str(error)))
        row_flags = _read_flags(record, self.flags, problems)
        if not problems:
            problems = check_row(self.table, values)
        rejections = [Rejection(file.name, record.row, problem.column, _text(problem.value), describe(problem, where))
                      for problem in problems]
        if record.missing_cells:
            # A short row shifts every later value, so its other problems would mislead.
            rejections = [Rejection(
                file.name, record.row, "", "",
                f"{where} has {len(file.header) - record.missing_cells} cells but the header has "
                f"{len(file.header)} columns; add the missing cells (empty ones too) or close an open quote",
            )]
        if record.extra:
            rejections.append(Rejection(
                file.name, record.row, "", record.extra[0],
                f"{where} has more cells than the header has columns ('{record.extra[0]}'); "
                "name the column in the header or remove the cell",
            ))
        if rejections:
            report.reject_row(self.table, rejections)
            return None
        return SourceRow(file.name, record.row, values, row_flags)


def convert_file(file: CsvFile, table: str, formats: Formats, batch: Batch, report: ImportReport,
                 flags: Sequence[str] = ()) -> None:
    """Parse every record of file into batch.tables[table]; a row with a bad value is rejected.

    A file of BULK_ROWS records or more is validated set-based in DuckDB, with
    the same results (see bulk.py).
    """
    from rasr.importers.bulk import BULK_ROWS, convert_bulk

    conversion = FileConversion(file, table, formats, flags)
    report.table(table).rows_read += len(file.records)
    if len(file.records) >= BULK_ROWS:
        rows = convert_bulk(conversion, report)
    else:
        rows = [conversion.convert(record, report) for record in track(file.records, f"reading {file.name}")]
    for row in rows:
        if row is not None:
            batch.add(table, row)


def _read_flags(record: Record, flags: Sequence[str], problems: list[Problem]) -> dict[str, bool | None]:
    row_flags: dict[str, bool | None] = {}
    for name in flags:
        text = record.cells.get(name)
        if text is None:
            row_flags[name] = None
            continue
        try:
            row_flags[name] = parse_bool(text)
        except InvalidValue as error:
            problems.append(Problem(name, text, str(error)))
    return row_flags


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
