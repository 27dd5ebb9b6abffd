"""Import any CSV file with a mapping file that names the source column of each canonical column.

A mapping is TOML:

    table = "opportunities"          # the canonical table the file fills (default)

    [source]                         # optional; --encoding and the other options override it
    encoding = "windows-1252"
    delimiter = ";"
    date_format = "DD/MM/YYYY"
    number_locale = "de-DE"
    currency = "EUR"                 # the currency of amounts without a currency column
    timezone = "Europe/Berlin"       # the zone of timestamps written without an offset

    [columns]                        # canonical column = source header
    opp_id = "Deal ID"
    rep_id = "Owner"
    status = "State"                 # or closed/won flag columns, or stage kinds from [[stages]]
    is_closed = "Closed?"
    is_won = "Won?"
    amount = "Value"

    [flags]                          # resource flag = source column of true/false values
    used_sales_engineer = "SE involved"

    [status]                         # source status value = open, won or lost
    "Gewonnen" = "won"

    [[stages]]                       # as in a stage mapping file
    name = "Verhandlung"
    position = 4
    kind = "open"

The status of an opportunity comes from the status column, else from the
closed and won flags, else from the kind of its stage.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rasr.engine.settings import Settings
from rasr.importers.apply import apply_batch
from rasr.importers.batch import Batch, drop_duplicates
from rasr.importers.canonical import convert_file, flag_columns
from rasr.importers.columns import COLUMNS, date_columns, required_columns
from rasr.importers.crm import decide_status
from rasr.importers.csvfile import CsvFile, Record, checksum, parse_delimiter
from rasr.importers.formats import check_timezone, parse_date_format, parse_number_locale
from rasr.importers.options import ImportOptions, file_formats, open_source
from rasr.importers.parsing import InvalidValue, parse_bool
from rasr.importers.report import ImportFailed, ImportReport, Rejection
from rasr.importers.stagemap import StageBook, StageSpec, _spec
from rasr.store.connection import Workspace
from rasr.store.schema import CANONICAL_TABLES

STATUS_FLAGS = ("is_closed", "is_won")


@dataclass
class Mapping:
    """A parsed mapping file."""

    table: str = "opportunities"
    columns: dict[str, str] = field(default_factory=dict)  # canonical column -> source header
    status_values: dict[str, str] = field(default_factory=dict)  # lower-cased source value -> status
    stages: list[StageSpec] = field(default_factory=list)
    currency: str | None = None
    read: dict[str, Any] = field(default_factory=dict)  # ImportOptions fields from [source]


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file; raise ImportFailed naming the key and the fix."""
    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ImportFailed(f"cannot read mapping {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ImportFailed(f"mapping {path} is not valid TOML: {error}") from None
    table = data.get("table", "opportunities")
    if table not in CANONICAL_TABLES:
        raise ImportFailed(f"table '{table}' in mapping {path} is not a canonical table; use one of "
                           f"{', '.join(CANONICAL_TABLES)}")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ImportFailed(f"mapping {path} has no [columns] table; name the source column of each canonical "
                           "column, e.g. opp_id = \"Deal ID\" (rasr import csv FILE --suggest-mapping writes one)")
    known = set(COLUMNS[table]) | (set(STATUS_FLAGS) if table == "opportunities" else set())
    for name, source in columns.items():
        if name not in known:
            raise ImportFailed(f"column '{name}' in mapping {path} is not a column of {table}; use one of "
                               f"{', '.join(sorted(known))}, or list resource flags under [flags]")
        if not isinstance(source, str) or not source.strip():
            raise ImportFailed(f"column '{name}' in mapping {path} must name a source column as text")
    flags = data.get("flags") or {}
    if flags and table != "opportunities":
        raise ImportFailed(f"mapping {path} lists [flags], which only the opportunities table has")
    for name, source in flags.items():
        if name in COLUMNS["opportunities"] or not isinstance(source, str) or not source.strip():
            raise ImportFailed(f"flag '{name}' in mapping {path} must be a new column name given a source column "
                               "as text")
    mapping = Mapping(table=table, columns={name: source.strip() for name, source in columns.items()})
    mapping.columns.update({name: source.strip() for name, source in flags.items()})
    for value, status in (data.get("status") or {}).items():
        if str(status).lower() not in ("open", "won", "lost"):
            raise ImportFailed(f"status '{value}' = '{status}' in mapping {path} is not open, won or lost")
        mapping.status_values[value.strip().lower()] = str(status).lower()
    mapping.stages = [_spec(entry, f"entry {number} of [[stages]] in mapping {path}")
                      for number, entry in enumerate(data.get("stages") or [], start=1)]
    source = data.get("source") or {}
    try:
        if source.get("encoding"):
            mapping.read["encoding"] = str(source["encoding"])
        if source.get("delimiter"):
            mapping.read["delimiter"] = parse_delimiter(str(source["delimiter"]))
        if source.get("date_format"):
            mapping.read["date_format"] = parse_date_format(str(source["date_format"]))
        if source.get("number_locale"):
            mapping.read["number_locale"] = parse_number_locale(str(source["number_locale"]))
        if source.get("timezone"):
            mapping.read["source_timezone"] = check_timezone(str(source["timezone"]), "timezone")
    except ValueError as error:
        raise ImportFailed(f"[source] in mapping {path}: {error}") from None
    if source.get("currency"):
        mapping.currency = str(source["currency"]).strip().upper()
    return mapping


def import_mapped_csv(workspace: Workspace, path: Path, mapping_path: Path, settings: Settings,
                      options: ImportOptions | None = None) -> ImportReport:
    """Import one CSV file through a mapping file, in one transaction.

    Options given on the command line override the mapping's [source].
    Raises ImportFailed, leaving the workspace unchanged, for an invalid
    mapping, a mapped column missing from the file, or ambiguous dates.
    """
    path = Path(path)
    given = options or ImportOptions()
    report = ImportReport("csv", str(path.resolve()))
    try:
        mapping = load_mapping(mapping_path)
        merged = {**mapping.read, **{key: value for key, value in vars(given).items()
                                     if value is not None and key in mapping.read}}
        options = replace(given, **merged)
        if not path.is_file():
            raise ImportFailed(f"{path} is not a file; give the path of the CSV file to import")
        file = open_source(path, options, report)
        batch = _convert(file, mapping, settings, options, report)
    except ImportFailed as error:
        report.error = str(error)
        error.report = report
        raise
    digest = checksum([file], _MappedFingerprint(options, Path(mapping_path)))
    return apply_batch(workspace, batch, settings, report, digest, options)


@dataclass(frozen=True)
class _MappedFingerprint:
    options: ImportOptions
    mapping_path: Path

    def fingerprint(self) -> str:
        return self.options.fingerprint() + Path(self.mapping_path).read_bytes().decode("utf-8", "replace")


def _convert(file: CsvFile, mapping: Mapping, settings: Settings, options: ImportOptions,
             report: ImportReport) -> Batch:
    missing = [f"{source} (for {name})" for name, source in mapping.columns.items()
               if source.lower() not in file.header]
    if missing:
        raise ImportFailed(f"{file.name} has no column {', '.join(missing)} named in the mapping; correct the "
                           f"mapping (the file has: {', '.join(file.labels)})")
    renamed = file.renamed({source.lower(): name for name, source in mapping.columns.items()})
    table = mapping.table
    stages = StageBook(mapping.stages)
    batch = Batch()
    if table == "opportunities":
        renamed = _with_status(renamed, mapping, stages, report)
        if mapping.currency and "currency" not in renamed.header:
            renamed = _with_constant(renamed, "currency", mapping.currency)
    unmapped = [name for name in required_columns(table) if name not in renamed.header]
    if unmapped:
        raise ImportFailed(f"the mapping names no source column for {', '.join(unmapped)}, which the {table} "
                           "table requires; add it under [columns]")
    flags = flag_columns(renamed, report) if table == "opportunities" else []
    formats = file_formats(renamed, date_columns(table), settings, options)
    convert_file(renamed, table, formats, batch, report, flags)
    drop_duplicates(batch, table, report)
    for row in batch.rows("opportunities"):
        batch.flags.extend((row.values["opp_id"], flag, value) for flag, value in row.flags.items())
        if row.values.get("stage"):
            stages.observe(row.values["stage"])
    if mapping.stages:
        stages.add_rows(batch, str(file.name))
    return batch


def _with_constant(file: CsvFile, column: str, value: str) -> CsvFile:
    records = tuple(Record(r.row, {**r.cells, column: value}, r.extra, r.missing_cells, r.raw) for r in file.records)
    return CsvFile(file.path, file.header + (column,), records, file.data, file.labels + (column,), file.encoding,
                   file.delimiter, file.footer)


def _with_status(file: CsvFile, mapping: Mapping, stages: StageBook, report: ImportReport) -> CsvFile:
    """Return file with a status cell per record: mapped status values, else the flags, else the stage's kind.

    A record whose flag cell is not a boolean is left without a status, so it is rejected with that cell named.
    """
    has_status = "status" in file.header
    has_flags = any(flag in file.header for flag in STATUS_FLAGS)
    if not has_status and not has_flags and not mapping.stages and "stage" not in file.header:
        raise ImportFailed("the mapping gives no way to tell open, won and lost deals apart; map a status column, "
                           "is_closed and is_won flag columns, or a stage column with [[stages]] kinds")
    records = []
    for record in file.records:
        cells = dict(record.cells)
        status = cells.get("status")
        if status is not None:
            cells["status"] = mapping.status_values.get(status.lower(), status)
        elif not has_status:
            try:
                closed = parse_bool(cells["is_closed"]) if cells.get("is_closed") else None
                won = parse_bool(cells["is_won"]) if cells.get("is_won") else None
            except InvalidValue:
                report.table("opportunities").rows_read += 1
                records.append(Record(record.row, cells, record.extra, record.missing_cells, record.raw))
                report.reject_row("opportunities", [Rejection(
                    file.name, record.row, "is_closed/is_won",
                    f"{cells.get('is_closed') or ''}/{cells.get('is_won') or ''}",
                    f"is_closed or is_won in {file.name} row {record.row} is not a boolean "
                    "(use true/false, 1/0 or yes/no)")])
                continue
            stage = cells.get("stage")
            if closed is not None or won is not None or stage:
                cells["status"] = decide_status(closed, won, stages.kind(stage) if stage else None)
        for flag in STATUS_FLAGS:
            cells.pop(flag, None)
        records.append(Record(record.row, cells, record.extra, record.missing_cells, record.raw))
    rejected = {rejection.row for rejection in report.rejected if rejection.file == file.name}
    kept = tuple(record for record in records if record.row not in rejected)
    header = tuple(name for name in file.header if name not in STATUS_FLAGS)
    labels = tuple(label for name, label in zip(file.header, file.labels) if name not in STATUS_FLAGS)
    if "status" not in header:
        header += ("status",)
        labels += ("status",)
    return CsvFile(file.path, header, kept, file.data, labels, file.encoding, file.delimiter, file.footer)
