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
from rasr.importers.options import ImportOptions, file_formats, open_source
from rasr.importers.report import ImportFailed, ImportReport
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
    """
    directory = Path(directory)
    options = options or ImportOptions()
    report = ImportReport("generic", str(directory.resolve()))
    try:
        paths = find_files(directory, report)
        files: dict[str, CsvFile] = {}
        for table, path in paths.items():
            files[table] = open_source(path, options, report)
            files[table].require(required_columns(table), f"the {table} table")
        report.files = sorted(file.name for file in files.values())
        batch = _convert(files, settings, options, report)
    except ImportFailed as error:
        report.error = str(error)
        error.report = report
        raise
    log.info("read %s files from %s", len(files), directory)
    return apply_batch(workspace, batch, settings, report, checksum(list(files.values()), options), options)


def _convert(files: dict[str, CsvFile], settings: Settings, options: ImportOptions, report: ImportReport) -> Batch:
    batch = Batch()
    for table, file in files.items():
        flags: list[str] = []
        if table == "opportunities":
            flags = flag_columns(file, report)
        else:
            warn_unknown_columns(file, table, report)
        formats = file_formats(file, date_columns(table), settings, options)
        convert_file(file, table, formats, batch, report, flags)
        drop_duplicates(batch, table, report)
    for row in batch.rows("opportunities"):
        batch.flags.extend((row.values["opp_id"], flag, value) for flag, value in row.flags.items())
    return batch
