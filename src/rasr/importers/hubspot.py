"""Import HubSpot's deals export (CRM > Deals > Export, all properties, CSV).

Headers are HubSpot's property labels. Per stage and pipeline, the columns
`Date entered "<stage> (<pipeline>)"` and `Date exited "<stage> (<pipeline>)"`
contain only the latest entry into and exit from that stage. The stage
history is rebuilt from those latest entries, so a revisited stage loses its
earlier visit, and the report counts the deals whose history is partial.
Timestamps are "YYYY-MM-DD HH:MM" in the HubSpot account's time zone
(--timezone, default the business time zone).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from rasr.engine.settings import Settings
from rasr.importers.batch import Batch, SourceRow
from rasr.importers.crm import (
    add_owner_reps, check_required, decide_status, finish_opportunities, import_one_file,
    warn_without_owner_history,
)
from rasr.importers.csvfile import CsvFile
from rasr.importers.fields import RowReader
from rasr.importers.options import ImportOptions, file_formats
from rasr.importers.parsing import Timestamp
from rasr.importers.progress import track
from rasr.importers.report import ImportReport
from rasr.importers.stagemap import StageBook, load_stage_map
from rasr.store.connection import Workspace

REQUIRED = {
    "id": ("Record ID", "Deal ID"),
    "stage": ("Deal Stage",),
    "owner": ("Deal owner", "Deal Owner", "HubSpot Owner"),
}
# Date entered "Closed Won (Sales Pipeline)", with straight or curly quotes.
_STAGE_COLUMN = re.compile(r'date (entered|exited) ["\u201c](.+) \((.+)\)["\u201d]', re.IGNORECASE)
DATE_COLUMNS = ("Close Date", "Create Date", "Last Modified Date")
# An entry within this time of the deal's creation counts as its first stage, not a later one.
CREATION_SLACK = dt.timedelta(minutes=1)


def import_hubspot(workspace: Workspace, path: Path, settings: Settings,
                   options: ImportOptions | None = None) -> ImportReport:
    """Import a HubSpot deals export into workspace, in one transaction (see import_one_file)."""
    options = options or ImportOptions()

    def read(file: CsvFile, report: ImportReport) -> Batch:
        return _read_deals(file, settings, options, report)

    return import_one_file(workspace, path, settings, options, "hubspot", read)


def stage_columns(file: CsvFile) -> dict[tuple[str, str], dict[str, str]]:
    """Return, by (pipeline, stage) in header order, the lower-cased names of its entered and exited columns."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for column, label in zip(file.header, file.labels):
        match = _STAGE_COLUMN.fullmatch(label)
        if match:
            found.setdefault((match[3], match[2]), {})[match[1].lower()] = column
    return found


def _read_deals(file: CsvFile, settings: Settings, options: ImportOptions, report: ImportReport) -> Batch:
    columns = check_required(file, REQUIRED, "a HubSpot deals export")
    by_stage = stage_columns(file)
    date_columns = list(DATE_COLUMNS) + [name for names in by_stage.values() for name in names.values()]
    formats = file_formats(file, date_columns, settings, options)
    stages = StageBook(load_stage_map(options.stages))
    for position, (pipeline, stage) in enumerate(by_stage, start=1):
        stages.observe(stage, pipeline, position=position)

    batch = Batch()
    partial: list[str] = []
    for record in track(file.records, f"reading {file.name}"):
        report.table("opportunities").rows_read += 1
        reader = RowReader(file, record, formats)
        values, created = _deal_values(reader, columns, stages)
        visits = _visits(reader, by_stage, values["_stage"][1])
        if reader.reject(report, "opportunities"):
            continue
        batch.add("opportunities", SourceRow(file.name, record.row, values))
        if _is_partial(visits, created):
            partial.append(values["opp_id"])
        for visit_stage, entered, _ in visits:
            batch.add("stage_changes", SourceRow(file.name, record.row, {
                "opp_id": values["opp_id"], "stage": visit_stage, "entered_at": entered.local,
                "entered_on": entered.date, "entered_raw": entered.raw, "_pipeline": values["_stage"][1],
            }))

    # Stage names are final only once every pipeline is known.
    for row in batch.rows("opportunities"):
        stage, pipeline = row.values.pop("_stage")
        row.values["stage"] = stages.stored_name(stage, pipeline) if stage else None
    for row in batch.rows("stage_changes"):
        row.values["stage"] = stages.stored_name(row.values["stage"], row.values.pop("_pipeline"))
    report.warn_ids(
        "partial_history",
        "deals have a partial stage history: HubSpot exports only the latest entry into and exit from each stage, "
        "so an earlier visit of a revisited stage is lost (their stage durations and stage-to-win rates are "
        "approximate)",
        partial,
    )
    if not by_stage and batch.rows("opportunities"):
        report.warn("no_stage_history", "the export has no Date entered / Date exited columns, so the deals have "
                                        "no stage history; export all properties to include them", 1)
    finish_opportunities(batch, report)
    stages.add_rows(batch, file.name)
    add_owner_reps(batch, {}, report, source=file.name, names_known=True)
    warn_without_owner_history(batch, report, "a HubSpot deals export has no owner history")
    return batch


def _deal_values(reader: RowReader, columns: dict[str, str],
                 stages: StageBook) -> tuple[dict[str, Any], Timestamp | None]:
    """Return one deal's opportunity values (with "_stage" = (stage, pipeline)) and its creation timestamp."""
    stage = reader.text(columns["stage"], required=True)
    pipeline = reader.text("Pipeline")
    created = reader.timestamp("Create Date")
    closing = reader.timestamp("Close Date")
    modified = reader.timestamp("Last Modified Date")
    if stage:
        stages.observe(stage, pipeline)
    kind = stages.kind(stage, pipeline) if stage else None
    closed = reader.flag("Is Closed") if reader.has("Is Closed") else reader.flag("Is Deal Closed?")
    won = reader.flag("Is Closed Won")
    values: dict[str, Any] = {
        "opp_id": reader.text(columns["id"], required=True),
        "rep_id": reader.text(columns["owner"], required=True),
        "name": reader.text("Deal Name"),
        "status": decide_status(closed, won, kind),
        "amount": reader.money("Amount"),
        "currency": reader.currency("Currency") or reader.currency("Deal currency code"),
        "created_on": created.date if created else None,
        "close_on": closing.date if closing else None,
        "account": reader.text("Associated Company") or reader.text("Company name"),
        "next_step": reader.text("Next step"),
        "source": reader.text("Original Source Type") or reader.text("Original Source"),
        "modified_at": modified.local if modified else None,
        "_stage": (stage, pipeline),
    }
    if values["status"] != "open" and values["close_on"] is None:
        reader.problem("Close Date", None, f"a {values['status']} deal requires it")
    if values["amount"] == 0:
        values["amount"] = None
    return values, created


def _visits(reader: RowReader, by_stage: dict[tuple[str, str], dict[str, str]],
            pipeline: str | None) -> list[tuple[str, Timestamp, Timestamp | None]]:
    """Return the deal's (stage, latest entry, latest exit) in order of entry, for its own pipeline's stages."""
    visits = []
    for (stage_pipeline, stage), names in by_stage.items():
        if pipeline is not None and stage_pipeline != pipeline:
            continue
        entered = reader.timestamp(names["entered"]) if "entered" in names else None
        exited = reader.timestamp(names["exited"]) if "exited" in names else None
        if entered is not None:
            visits.append((stage, entered, exited))
    visits.sort(key=lambda visit: visit[1].local)
    return visits


def _is_partial(visits: list[tuple[str, Timestamp, Timestamp | None]], created: Timestamp | None) -> bool:
    """Tell whether the latest entries and exits show a lost visit.

    A visit is lost when a stage was left before its latest entry (it was
    entered again), when a stage's exit is not the next stage's entry, or
    when the first entry comes after the deal's creation.
    """
    if not visits:
        return False
    if created is not None and visits[0][1].local - created.local > CREATION_SLACK:
        return True
    for index, (_, entered, exited) in enumerate(visits):
        if exited is None:
            if index < len(visits) - 1:
                return True
            continue
        if exited.local < entered.local:
            return True
        if index < len(visits) - 1 and abs(visits[index + 1][1].local - exited.local) > CREATION_SLACK:
            return True
    return False
