"""Import Pipedrive's deals export (Deals > ... > Export filter results > CSV).

Headers come with or without the "Deal - " prefix. Status is Open, Won or
Lost, and a won or lost deal keeps the ordinary stage it was in, so the
status alone decides. The export has no stage history. Timestamps are
"YYYY-MM-DD HH:MM:SS" in the exporting user's time zone (--timezone).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasr.engine.settings import Settings
from rasr.importers.batch import Batch, SourceRow
from rasr.importers.crm import (
    add_owner_reps, check_required, finish_opportunities, import_one_file, warn_without_owner_history,
    without_prefix,
)
from rasr.importers.csvfile import CsvFile
from rasr.importers.fields import RowReader
from rasr.importers.options import ImportOptions, file_formats
from rasr.importers.progress import track
from rasr.importers.report import ImportReport
from rasr.importers.stagemap import StageBook, load_stage_map
from rasr.store.connection import Workspace

REQUIRED = {
    "id": ("ID",),
    "owner": ("Owner", "Owner name"),
    "status": ("Status",),
}
DATE_COLUMNS = ("Deal created", "Won time", "Lost time", "Expected close date", "Update time", "Close time")
STATUSES = {"open": "open", "won": "won", "lost": "lost"}


def _deal_values(reader: RowReader, columns: dict[str, str], status_text: str | None,
                 stages: StageBook) -> dict[str, Any]:
    """Return one deal's opportunity values, with "_stage" = (stage, pipeline) until the pipelines are known."""
    file = reader.file
    status = STATUSES.get((status_text or "").lower())
    if status_text and status is None:
        reader.problem(file.label(columns["status"]), status_text, "is not a Pipedrive status; use Open, Won or Lost")
    pipeline = reader.text("Pipeline")
    stage = reader.text("Stage")
    created = reader.timestamp("Deal created")
    won_at, lost_at = reader.timestamp("Won time"), reader.timestamp("Lost time")
    expected = reader.date("Expected close date")
    close_on = {"won": won_at.date if won_at else None, "lost": lost_at.date if lost_at else None}.get(
        status or "", expected)
    if status in ("won", "lost") and close_on is None:
        closed_at = reader.timestamp("Close time")
        close_on = closed_at.date if closed_at else None
    if status in ("won", "lost") and close_on is None:
        reader.problem(f"{status.title()} time", None, f"a {status} deal requires it")
    modified = reader.timestamp("Update time")
    if stage:
        stages.observe(stage, pipeline, kind="open")
    values: dict[str, Any] = {
        "opp_id": reader.text(columns["id"], required=True),
        "rep_id": reader.text(columns["owner"], required=True),
        "status": status, "name": reader.text("Title"),
        "amount": reader.money("Value"),
        "currency": reader.currency("Currency of Value") or reader.currency("Currency"),
        "created_on": created.date if created else None,
        "close_on": close_on,
        "account": reader.text("Organization") or reader.text("Organization name"),
        "source": reader.text("Source") or reader.text("Source channel"),
        "modified_at": modified.local if modified else None,
        "_stage": (stage, pipeline),
    }
    if values["amount"] == 0:
        values["amount"] = None
    return values


def import_pipedrive(workspace: Workspace, path: Path, settings: Settings,
                     options: ImportOptions | None = None) -> ImportReport:
    """Import a Pipedrive deals export into workspace, in one transaction (see import_one_file)."""
    options = options or ImportOptions()

    def read(file: CsvFile, report: ImportReport) -> Batch:
        return _read_deals(without_prefix(file, "deal - "), settings, options, report)

    return import_one_file(workspace, path, settings, options, "pipedrive", read)


def _read_deals(file: CsvFile, settings: Settings, options: ImportOptions, report: ImportReport) -> Batch:
    columns = check_required(file, REQUIRED, "a Pipedrive deals export")
    formats = file_formats(file, DATE_COLUMNS, settings, options)
    stages = StageBook(load_stage_map(options.stages))
    batch = Batch(closing_stages=False)
    counts = report.table("opportunities")
    for record in track(file.records, f"reading {file.name}"):
        counts.rows_read += 1
        reader = RowReader(file, record, formats)
        status_text = reader.text(columns["status"], required=True)
        if status_text and status_text.lower() == "deleted":
            counts.deleted += 1
            continue
        values = _deal_values(reader, columns, status_text, stages)
        if reader.reject(report, "opportunities"):
            continue
        batch.add("opportunities", SourceRow(file.name, record.row, values))

    for row in batch.rows("opportunities"):
        stage, pipeline = row.values.pop("_stage")
        row.values["stage"] = stages.stored_name(stage, pipeline) if stage else None
    finish_opportunities(batch, report)
    stages.add_rows(batch, file.name)
    add_owner_reps(batch, {}, report, source=file.name, names_known=True)
    if batch.rows("opportunities"):
        report.warn(
            "no_stage_history",
            "a Pipedrive deals export has no stage history, so stage durations, stage-to-win rates and stale "
            "deals are unknown for these deals; the stage order is the order of first appearance unless a "
            "stage mapping (--stages) gives positions",
            len(batch.rows("opportunities")),
        )
    warn_without_owner_history(batch, report, "a Pipedrive deals export has no owner history")
    return batch
