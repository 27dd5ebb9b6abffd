"""Write an import staged in DuckDB temporary tables into the workspace, in one transaction.

The same checks, warnings and writes as apply_batch, in SQL over the staging
tables, so the rows of a large file never become Python objects. Only
opportunities in another currency than the reporting one are priced in
Python, so rates stay exact decimals.
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa

from rasr.engine.settings import Settings
from rasr.importers.apply import WRITE_ORDER, apply_import
from rasr.importers.batch import Batch, SourceRow
from rasr.importers.csvfile import file_checksum
from rasr.importers.currency import CONVERTED, load_rates, price_values, reprice_stored, warn_prices
from rasr.importers.largefile import LargeCsvFile
from rasr.importers.options import ImportOptions
from rasr.importers.overlap import check_overlaps
from rasr.importers.report import LISTED_ROWS, ImportReport, name_ids
from rasr.importers.staging import Staging, StagedTable
from rasr.store.connection import Workspace
from rasr.store.load import VERSIONED_TABLES, bump_data_version, upsert
from rasr.store.schema import TABLES

log = logging.getLogger(__name__)


def apply_staged(workspace: Workspace, staging: Staging, batch: Batch, settings: Settings, report: ImportReport,
                 checksum: str, options: ImportOptions) -> ImportReport:
    """Check the staged rows against the stored data and write them, all or nothing.

    Raises ImportFailed, with the workspace unchanged, in the cases listed by
    apply_batch. batch contains the rates read, which price the staged
    opportunities; every table, rates included, is written from staging.
    """

    def write() -> None:
        for table in ("quotas", "aspirations"):
            check_overlaps(workspace, table, _goal_rows(workspace, staging, table))
        warn_staged_opportunities(workspace, staging, report)
        rates = load_rates(workspace, batch)
        _price(workspace, staging, rates, settings.reporting_currency, report)
        for table in WRITE_ORDER:
            if table in staging:
                _write_table(workspace, staging[table], report)
        if "opportunities" in staging:
            _write_flags(workspace, staging["opportunities"], report)
        if batch.rows("rates"):
            imported = staging["opportunities"].name if "opportunities" in staging else None
            reprice_stored(workspace, batch, rates, settings.reporting_currency, report, imported_from=imported)

    return apply_import(workspace, settings, report, checksum, options, write,
                        lambda: _keep_files(workspace, report))


def _goal_rows(workspace: Workspace, staging: Staging, table: str) -> list[SourceRow]:
    if table not in staging:
        return []
    staged = staging[table]
    rows = workspace.execute(f'SELECT rep_id, starts_on, ends_on, _row FROM "{staged.name}" ORDER BY _index')
    return [SourceRow(staged.file_name, row, {"rep_id": rep_id, "starts_on": starts_on, "ends_on": ends_on})
            for rep_id, starts_on, ends_on, row in rows]


def _first_ids(workspace: Workspace, label: str, relation: str, condition: str) -> tuple[list[str], int]:
    """Return the labels of the first LISTED_ROWS rows of relation that meet condition, in file order, and their count."""
    rows = workspace.execute(
        f"SELECT {label}, COUNT(*) OVER () FROM {relation} WHERE {condition} ORDER BY _index LIMIT {LISTED_ROWS}"
    )
    return [row[0] for row in rows], (int(rows[0][1]) if rows else 0)


def warn_staged_opportunities(workspace: Workspace, staging: Staging, report: ImportReport) -> None:
    """Warn as rules.warn_opportunities does, about the staged opportunities that break a data rule."""
    changes = f'"{staging["stage_changes"].name}"' if "stage_changes" in staging else None
    if "opportunities" not in staging:
        # Stage changes imported on their own can still name unknown stages.
        if changes:
            _warn_stages(workspace, staging, None, changes, report)
        return
    opportunities = f'"{staging["opportunities"].name}"'
    reps = "SELECT rep_id FROM reps"
    if "reps" in staging:
        reps += f' UNION ALL SELECT rep_id FROM "{staging["reps"].name}"'

    def warn(code: str, problem: str, label: str, condition: str) -> None:
        ids, total = _first_ids(workspace, label, opportunities + " o", condition)
        report.warn_first_ids(code, problem, ids, total)

    warn("close_before_created",
         "opportunities close before they were created (kept, counted in bookings and win rates, left out of "
         "durations); check close_on and created_on",
         "opp_id", "close_on < created_on")
    warn("missing_amount",
         "opportunities have no amount (empty or 0) and are left out of value sums and means",
         "opp_id", "amount IS NULL AND original_amount IS NULL")
    dated = f" AND NOT EXISTS (SELECT 1 FROM {changes} c WHERE c.opp_id = o.opp_id)" if changes else ""
    warn("undated_open",
         "open opportunities have no date (no created_on, close_on or stage change) and are in no "
         "point-in-time figure",
         "opp_id", "status = 'open' AND created_on IS NULL AND close_on IS NULL" + dated)
    warn("unknown_rep",
         "opportunities belong to a rep_id that is neither stored nor in this import; add the reps to reps.csv",
         "opp_id || ' (' || rep_id || ')'", f"rep_id NOT IN ({reps})")
    _warn_stages(workspace, staging, opportunities, changes, report)


def _stage_kinds(workspace: Workspace, staging: Staging) -> dict[str, str]:
    kinds = {stage: kind or "open" for stage, kind in workspace.execute("SELECT stage, kind FROM stages")}
    if "stages" in staging:
        kinds.update({stage: kind or "open" for stage, kind
                      in workspace.execute(f'SELECT stage, kind FROM "{staging["stages"].name}" ORDER BY _index')})
    return kinds


def _warn_stages(workspace: Workspace, staging: Staging, opportunities: str | None, changes: str | None,
                 report: ImportReport) -> None:
    """Warn about staged rows naming unknown stages, and opportunities whose status differs from their stage."""
    kinds = _stage_kinds(workspace, staging)
    if not kinds:
        staged = 0
        if opportunities:
            staged += int(workspace.execute(f"SELECT COUNT(*) FROM {opportunities} WHERE stage IS NOT NULL")[0][0])
        if changes:
            staged += int(workspace.execute(f"SELECT COUNT(*) FROM {changes} WHERE stage IS NOT NULL")[0][0])
        if staged:
            report.warn(
                "no_stages",
                f"{staged} opportunity or stage change rows name a stage, but no stages are defined; "
                "import stages.csv with each stage's position",
                staged,
            )
        return
    workspace.raw.register("_rasr_stage_kinds", pa.table({
        "stage": pa.array(list(kinds), pa.string()), "kind": pa.array(list(kinds.values()), pa.string()),
    }))
    try:
        unknown = "stage IS NOT NULL AND stage NOT IN (SELECT stage FROM _rasr_stage_kinds)"
        opp_ids: list[str] = []
        opp_total = 0
        names: set[str] = set()
        if opportunities:
            opp_ids, opp_total = _first_ids(workspace, "opp_id", opportunities, unknown)
            names.update(name for (name,) in workspace.execute(
                f"SELECT DISTINCT stage FROM {opportunities} WHERE {unknown}"))
        change_ids: list[str] = []
        change_total = 0
        if changes:
            change_ids, change_total = _first_ids(workspace, "opp_id || ' (stage change)'", changes, unknown)
            names.update(name for (name,) in workspace.execute(f"SELECT DISTINCT stage FROM {changes} WHERE {unknown}"))
        if names:
            report.warn_first_ids(
                "unknown_stage",
                f"rows name a stage that is not in the stages table ({name_ids(sorted(names))}); "
                "add the stages to stages.csv",
                (opp_ids + change_ids)[:LISTED_ROWS], opp_total + change_total,
            )
        if not opportunities:
            return
        ids, total = _first_ids(
            workspace, "o.opp_id || ' (' || o.status || ', stage ' || o.stage || ')'",
            f"{opportunities} o JOIN _rasr_stage_kinds k ON k.stage = o.stage", "k.kind <> o.status",
        )
        report.warn_first_ids(
            "stage_status_mismatch",
            "opportunities have a status that differs from the kind of their stage (the status decides); "
            "check status and stage",
            ids, total,
        )
    finally:
        workspace.raw.unregister("_rasr_stage_kinds")


def _price(workspace: Workspace, staging: Staging, rates: Any, reporting_currency: str, report: ImportReport) -> None:
    """Price the staged opportunities as price_opportunities does; only foreign-currency rows reach Python."""
    if "opportunities" not in staging:
        return
    table = f'"{staging["opportunities"].name}"'
    workspace.execute(
        f"UPDATE {table} SET currency = coalesce(currency, ?), unpriced = FALSE, original_amount = NULL",
        (reporting_currency,),
    )
    foreign = workspace.execute(
        f"SELECT _index, opp_id, status, close_on, created_on, currency, amount FROM {table} "
        "WHERE currency <> ? ORDER BY _index",
        (reporting_currency,),
    )
    converted = 0
    unpriced: list[str] = []
    indexes, amounts, originals, flags = [], [], [], []
    for index, opp_id, status, close_on, created_on, currency, amount in foreign:
        values = {"opp_id": opp_id, "status": status, "close_on": close_on, "created_on": created_on,
                  "currency": currency, "amount": amount}
        outcome = price_values(values, rates, reporting_currency)
        if outcome is CONVERTED:
            converted += 1
        elif outcome is not None:
            unpriced.append(outcome)
        indexes.append(index)
        amounts.append(values["amount"])
        originals.append(values["original_amount"])
        flags.append(values["unpriced"])
    if indexes:
        workspace.raw.register("_rasr_prices", pa.table({
            "_index": pa.array(indexes, pa.int64()), "amount": pa.array(amounts, pa.int64()),
            "original_amount": pa.array(originals, pa.int64()), "unpriced": pa.array(flags, pa.bool_()),
        }))
        try:
            workspace.execute(
                f"UPDATE {table} SET amount = p.amount, original_amount = p.original_amount, unpriced = p.unpriced "
                f"FROM _rasr_prices p WHERE {table}._index = p._index"
            )
        finally:
            workspace.raw.unregister("_rasr_prices")
    warn_prices(report, reporting_currency, converted, unpriced)


def _write_table(workspace: Workspace, staged: StagedTable, report: ImportReport) -> None:
    """Replace the stored rows with a staged key and insert the staged rows, counting new and updated ones."""
    table = TABLES[staged.table]
    rows = int(workspace.execute(f'SELECT COUNT(*) FROM "{staged.name}"')[0][0])
    if not rows:
        return
    names = ", ".join(f'"{name}"' for name in table.column_names)
    match = " AND ".join(f's."{name}" = t."{name}"' for name in table.key)
    updated = int(workspace.execute(f'SELECT COUNT(*) FROM "{staged.name}" s JOIN "{table.name}" t ON {match}')[0][0])
    if updated:
        workspace.execute(f'DELETE FROM "{table.name}" t WHERE EXISTS (SELECT 1 FROM "{staged.name}" s WHERE {match})')
    order = " ORDER BY _index" if staged.unordered else ""
    workspace.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{staged.name}"{order}')
    if table.name in VERSIONED_TABLES:
        bump_data_version(workspace)
    counts = report.table(table.name)
    counts.inserted += rows - updated
    counts.updated += updated
    log.info("wrote %s rows into %s (%s new, %s updated)", rows, table.name, rows - updated, updated)


def _write_flags(workspace: Workspace, staged: StagedTable, report: ImportReport) -> None:
    """Write each resource flag of the staged opportunities; an empty cell deletes the stored flag."""
    inserted = updated = 0
    for flag, column in zip(staged.flags, staged.flag_columns):
        present = f'SELECT opp_id FROM "{staged.name}" WHERE "{column}" IS NOT NULL'
        written = int(workspace.execute(f"SELECT COUNT(*) FROM ({present})")[0][0])
        replaced = int(workspace.execute(
            f"SELECT COUNT(*) FROM opportunity_flags WHERE flag = ? AND opp_id IN ({present})", (flag,))[0][0])
        workspace.execute(
            f'DELETE FROM opportunity_flags WHERE flag = ? AND opp_id IN (SELECT opp_id FROM "{staged.name}")', (flag,))
        workspace.execute(
            f'INSERT INTO opportunity_flags (opp_id, flag, value) SELECT opp_id, ?, "{column}" FROM "{staged.name}" '
            f'WHERE "{column}" IS NOT NULL',
            (flag,),
        )
        inserted += written - replaced
        updated += replaced
    if inserted or updated:
        counts = report.table("opportunity_flags")
        counts.inserted += inserted
        counts.updated += updated


def _keep_files(workspace: Workspace, report: ImportReport) -> None:
    """Store each file read, byte for byte with its SHA-256, under the import's id; DuckDB reads large ones."""
    rows = []
    for file in report.sources.values():
        if isinstance(file, LargeCsvFile):
            # NOTE: the SHA-256 is the one of the bytes validated, so a file changed since then is stored
            # with a checksum that no longer matches its content.
            path = str(file.path).replace("'", "''")
            workspace.execute(
                "INSERT INTO import_files (import_id, name, checksum, size, encoding, content) "
                f"SELECT ?, ?, ?, size, ?, content FROM read_blob('{path}')",
                (report.import_id, file.name, file.sha256, file.encoding),
            )
        else:
            rows.append((report.import_id, file.name, file_checksum(file.data), len(file.data), file.encoding,
                         file.data))
    if rows:
        upsert(workspace, "import_files", list(TABLES["import_files"].column_names), rows)
