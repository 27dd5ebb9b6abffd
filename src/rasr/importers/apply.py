"""Write a parsed import into the workspace in one transaction, with its record in `imports`."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import uuid
from decimal import Decimal
from typing import Callable

import duckdb

from rasr.engine.settings import SPECS, Settings
from rasr.importers.batch import Batch
from rasr.importers.csvfile import file_checksum
from rasr.importers.currency import load_rates, price_opportunities, reprice_stored
from rasr.importers.options import ImportOptions
from rasr.importers.overlap import check_overlaps
from rasr.importers.report import ImportFailed, ImportReport
from rasr.importers.rules import warn_opportunities
from rasr.store.connection import Workspace
from rasr.store.load import upsert
from rasr.store.schema import TABLES
from rasr.store.settings import has_imported, load_settings, setting_set

log = logging.getLogger(__name__)


def is_interrupted_query(error: Exception) -> bool:
    """Tell whether a database error is Ctrl-C stopping a DuckDB query.

    DuckDB raises InterruptException, and at some points of an import
    another error whose message starts "Query interrupted".
    """
    return isinstance(error, duckdb.InterruptException) or str(error).startswith("Query interrupted")

WRITE_ORDER = (
    "teams", "reps", "stages", "rates", "opportunities", "stage_changes", "owner_changes",
    "close_date_changes", "quotas", "aspirations", "activities",
)
LOCKED_SETTINGS = tuple(spec.key for spec in SPECS if spec.locked_after_import)


def apply_batch(workspace: Workspace, batch: Batch, settings: Settings, report: ImportReport,
                checksum: str, options: ImportOptions | None = None) -> ImportReport:
    """Check the rows against the stored data and write them, all or nothing.

    Raises ImportFailed, with the workspace unchanged, on a quota or aspiration
    overlap, on settings that differ from those fixed at the first import,
    on any rejected row under options.strict, or when the database rejects a
    write. The same files imported before with the same options are skipped,
    unless options.force is set.
    """

    def write() -> None:
        for table in ("quotas", "aspirations"):
            check_overlaps(workspace, table, batch.rows(table))
        warn_opportunities(batch, _stage_kinds(workspace, batch), _rep_ids(workspace, batch), report)
        rates = load_rates(workspace, batch)
        price_opportunities(batch, rates, settings.reporting_currency, report)
        for table in WRITE_ORDER:
            _write_table(workspace, table, batch, report)
        _write_flags(workspace, batch, report)
        if batch.rows("rates"):
            reprice_stored(workspace, batch, rates, settings.reporting_currency, report)

    return apply_import(workspace, settings, report, checksum, options or ImportOptions(), write,
                        lambda: keep_files(workspace, report))


def apply_import(workspace: Workspace, settings: Settings, report: ImportReport, checksum: str,
                 options: ImportOptions, write: Callable[[], None], keep: Callable[[], None]) -> ImportReport:
    """Run an import's checks and writes in one transaction, with what every import shares around them.

    Around write, which checks and writes the rows, come: --strict, the
    settings fixed at the first import, skipping files imported before, the
    record in `imports`, and keep, which stores the files read. Any error
    rolls the whole transaction back and is raised as ImportFailed.
    """
    started_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    report.import_id = uuid.uuid4().hex
    try:
        if options.strict and report.rejected_rows:
            raise ImportFailed(
                f"{report.rejected_rows} rows were rejected and --strict turns any rejected row into a failed "
                "import; fix the rows listed in the report (and its rejected-rows file) and import again"
            )
        with workspace.transaction():
            first_import = not has_imported(workspace)
            if not first_import:
                check_locked_settings(workspace, settings)
            earlier = None if options.force else earlier_import(workspace, report.format, checksum)
            if earlier is not None:
                report.skipped_as = earlier
                report.import_id = None
                log.info("import of %s skipped: the same files were imported as %s", report.source, earlier)
                return report
            write()
            if first_import:
                for key in LOCKED_SETTINGS:
                    setting_set(workspace, key=key, value=str(getattr(settings, key)))
            report.applied = True
            record_import(workspace, report, started_at, checksum)
            keep()
    except ImportFailed as error:
        report.applied = False
        report.error = str(error)
        error.report = report
        raise
    except Exception as error:  # the database drivers raise their own error types
        if is_interrupted_query(error):
            # Ctrl-C during a DuckDB query: the transaction is rolled back, and the command line reports the interrupt.
            raise KeyboardInterrupt from error
        report.applied = False
        report.error = f"writing to workspace {workspace.label} failed: {error}"
        log.error("import %s rolled back: %s", report.import_id, error)
        raise ImportFailed(f"{report.error}; nothing was written, fix the cause and import again", report) from error
    log.info("import %s of %s applied: %s rows read, %s inserted, %s updated, %s rejected",
             report.import_id, report.source, report.rows_read, report.inserted, report.updated,
             report.rejected_rows)
    return report


def earlier_import(workspace: Workspace, format_name: str, checksum: str) -> str | None:
    rows = workspace.execute(
        "SELECT import_id FROM imports WHERE format = ? AND checksum = ? ORDER BY started_at DESC",
        (format_name, checksum),
    )
    return rows[0][0] if rows else None


def keep_files(workspace: Workspace, report: ImportReport) -> None:
    """Store each file read, byte for byte with its SHA-256, under the import's id."""
    rows = [
        (report.import_id, file.name, file_checksum(file.data), len(file.data), file.encoding, file.data)
        for file in report.sources.values()
    ]
    if rows:
        upsert(workspace, "import_files", list(TABLES["import_files"].column_names), rows)


def check_locked_settings(workspace: Workspace, settings: Settings) -> None:
    stored = load_settings(workspace)
    for key in LOCKED_SETTINGS:
        if getattr(stored, key) != getattr(settings, key):
            raise ImportFailed(
                f"{key} is {getattr(settings, key)!r} for this import, but the workspace fixed it at "
                f"{getattr(stored, key)!r} at its first import; import with {key} = {getattr(stored, key)!r} "
                "or into a new workspace"
            )


def _stage_kinds(workspace: Workspace, batch: Batch) -> dict[str, str]:
    kinds = {stage: kind or "open" for stage, kind in workspace.execute("SELECT stage, kind FROM stages")}
    kinds.update({row.values["stage"]: row.values.get("kind") or "open" for row in batch.rows("stages")})
    return kinds


def _rep_ids(workspace: Workspace, batch: Batch) -> set[str]:
    rep_ids = {rep_id for (rep_id,) in workspace.execute("SELECT rep_id FROM reps")}
    rep_ids.update(row.values["rep_id"] for row in batch.rows("reps"))
    return rep_ids


def _write_table(workspace: Workspace, table: str, batch: Batch, report: ImportReport) -> None:
    rows = batch.rows(table)
    if not rows:
        return
    kinds = dict(TABLES[table].columns)
    columns = [name for name in TABLES[table].column_names if any(name in row.values for row in rows)]
    values = [[_stored(row.values.get(name), kinds[name]) for name in columns] for row in rows]
    count = upsert(workspace, table, columns, values)
    counts = report.table(table)
    counts.inserted += count.inserted
    counts.updated += count.updated


def _stored(value: object, kind: str) -> object:
    # Rates are parsed as Decimal for exact conversion but stored in a float column.
    if kind == "float" and isinstance(value, Decimal):
        return float(value)
    return value


def _write_flags(workspace: Workspace, batch: Batch, report: ImportReport) -> None:
    present = [flag for flag in batch.flags if flag[2] is not None]
    cleared = [(opp_id, flag) for opp_id, flag, value in batch.flags if value is None]
    if cleared:
        workspace.executemany("DELETE FROM opportunity_flags WHERE opp_id = ? AND flag = ?", cleared)
    if present:
        count = upsert(workspace, "opportunity_flags", ["opp_id", "flag", "value"], present)
        counts = report.table("opportunity_flags")
        counts.inserted += count.inserted
        counts.updated += count.updated


def record_import(workspace: Workspace, report: ImportReport, started_at: dt.datetime, checksum: str) -> None:
    row = (
        report.import_id, started_at, report.format, report.source, checksum, _user_name(),
        report.rows_read, report.inserted, report.updated, report.rejected_rows, json.dumps(report.to_dict()),
    )
    upsert(workspace, "imports", list(TABLES["imports"].column_names), [row])


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment and no password database entry
        return "unknown"
