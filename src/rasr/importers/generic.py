"""Import a folder of canonical CSV files, one per table, named after the table."""

from __future__ import annotations

import logging
from pathlib import Path

from rasr.engine.settings import Settings
from rasr.importers.apply import apply_batch
from rasr.importers.batch import Batch, drop_duplicates
from rasr.importers.canonical import convert_file, flag_columns, warn_unknown_columns
from rasr.importers.columns import date_columns, required_columns
from rasr.importers.csvfile import CsvFile, checksum
from rasr.importers.largefile import LargeCsvFile, is_large, open_large, scan_files, stage_large_file
from rasr.importers.options import ImportOptions, file_formats, open_source
from rasr.importers.report import ImportFailed, ImportReport
from rasr.importers.staged_apply import apply_staged
from rasr.importers.staging import Staging
from rasr.store.connection import Workspace
from rasr.store.schema import CANONICAL_TABLES

log = logging.getLogger(__name__)


def find_files(directory: Path, report: ImportReport) -> dict[str, Path]:
    """Return the canonical CSV files in directory by table, matching names case-insensitively.

    Raises ImportFailed when directory is not a folder or contains none of them.
    """
    if not directory.is_dir():
        raise ImportFailed(f"{directory} is not a folder; give the folder that contains the CSV files")
    expected = {f"{table}.csv": table for table in CANONICAL_TABLES}
    found: dict[str, Path] = {}
    ignored = []
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() != ".csv":
            continue
        table = expected.get(path.name.lower())
        if table is None:
            ignored.append(path.name)
        elif table in found:
            raise ImportFailed(f"{directory} contains both {found[table].name} and {path.name}; keep one of them")
        else:
            found[table] = path
    if not found:
        raise ImportFailed(
            f"{directory} contains none of the expected files {', '.join(expected)}; "
            "name each CSV file after its table"
        )
    if ignored:
        report.warn(
            "file_ignored",
            f"file {', '.join(ignored)} ignored: not named after a table ({', '.join(expected)})",
            len(ignored),
        )
    return found


def import_generic(workspace: Workspace, directory: Path, settings: Settings,
                   options: ImportOptions | None = None) -> ImportReport:
    """Import the canonical CSV files in directory into workspace, in one transaction.

    Raises ImportFailed, leaving the workspace unchanged, for a missing folder
    or file, an unreadable file, a missing required column or an overlap of
    quota or aspiration rows. Rows with bad values are left out and reported.
    A DuckDB workspace reads large files with DuckDB and checks and writes the
    rows in SQL (largefile.py, staged_apply.py), with the same results.
    """
    directory = Path(directory)
    options = options or ImportOptions()
    report = ImportReport("generic", str(directory.resolve()))
    if workspace.dialect == "duckdb":
        return _import_staged(workspace, directory, settings, options, report)
    try:
        paths = find_files(directory, report)
        files: dict[str, CsvFile] = {}
        for table, path in paths.items():
            files[table] = open_source(path, options, report)
            files[table].require(required_columns(table), f"the {table} table")
        report.files = sorted(file.name for file in files.values())
        batch = Batch()
        for table, file in files.items():
            _convert_table(file, table, batch, settings, options, report)
        for row in batch.rows("opportunities"):
            batch.flags.extend((row.values["opp_id"], flag, value) for flag, value in row.flags.items())
    except ImportFailed as error:
        report.error = str(error)
        error.report = report
        raise
    log.info("read %s files from %s", len(files), directory)
    return apply_batch(workspace, batch, settings, report, checksum(list(files.values()), options), options)


def _import_staged(workspace: Workspace, directory: Path, settings: Settings, options: ImportOptions,
                   report: ImportReport) -> ImportReport:
    """Import into a DuckDB workspace through staging tables, DuckDB reading the large files itself."""
    staging = Staging(workspace)
    try:
        try:
            paths = find_files(directory, report)
            scans, digest = scan_files(list(paths.values()), options)
            files: dict[str, CsvFile] = {}
            for table, path in paths.items():
                if is_large(scans[path], table, settings, options):
                    files[table] = open_large(scans[path], options, report)
                else:
                    files[table] = open_source(path, options, report)
                files[table].require(required_columns(table), f"the {table} table")
            report.files = sorted(file.name for file in files.values())
            batch = Batch()
            for table, file in files.items():
                if isinstance(file, LargeCsvFile):
                    if stage_large_file(workspace, staging, file, table, settings, options, report):
                        continue
                    file = open_source(paths[table], options, report)
                    file.require(required_columns(table), f"the {table} table")
                flags = _convert_table(file, table, batch, settings, options, report)
                staging.create(table, file.name, flags)
                staging.add_rows(table, batch.rows(table))
        except ImportFailed as error:
            report.error = str(error)
            error.report = report
            raise
        log.info("read %s files from %s", len(files), directory)
        return apply_staged(workspace, staging, batch, settings, report, digest, options)
    finally:
        staging.close()


def _convert_table(file: CsvFile, table: str, batch: Batch, settings: Settings, options: ImportOptions,
                   report: ImportReport) -> list[str]:
    """Parse the rows of one file into batch, keeping one row per key; return its resource flag columns."""
    flags: list[str] = []
    if table == "opportunities":
        flags = flag_columns(file, report)
    else:
        warn_unknown_columns(file, table, report)
    formats = file_formats(file, date_columns(table), settings, options)
    convert_file(file, table, formats, batch, report, flags)
    drop_duplicates(batch, table, report)
    return flags
