"""Import a Salesforce opportunity report exported as CSV ("Export > Details Only > .csv").

The headers are the report's column labels. Owners are names, dates and
numbers follow the exporting user's locale (en-US by default: M/D/YYYY and
amounts like 1,234.50), and the file ends with a blank line followed by
notices and totals, which are not data.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from rasr.engine.settings import Settings
from rasr.importers.batch import Batch, SourceRow
from rasr.importers.crm import (
    add_owner_reps, check_required, decide_status, finish_opportunities, first_column, import_one_file,
    warn_without_owner_history,
)
from rasr.importers.csvfile import CsvFile
from rasr.importers.fields import RowReader
from rasr.importers.formats import parse_number_locale
from rasr.importers.options import ImportOptions, file_formats
from rasr.importers.progress import track
from rasr.importers.report import ImportReport
from rasr.importers.stagemap import StageBook, load_stage_map
from rasr.store.connection import Workspace

# The locale of a report exported by a user with the default (English, United States) locale.
DEFAULT_LOCALE = "en-US"
REQUIRED = {
    "owner": ("Opportunity Owner", "Owner", "Owner Name"),
    "name": ("Opportunity Name",),
    "stage": ("Stage",),
}
DATE_COLUMNS = ("Close Date", "Created Date", "Last Modified Date", "Last Stage Change Date")
_TOTALS = re.compile(r"(grand\s+)?totals?\b|subtotal", re.IGNORECASE)


def import_salesforce_report(workspace: Workspace, path: Path, settings: Settings,
                             options: ImportOptions | None = None) -> ImportReport:
    """Import a Salesforce report CSV into workspace, in one transaction (see import_one_file)."""
    options = options or ImportOptions()

    def read(file: CsvFile, report: ImportReport) -> Batch:
        return _read_report(file, settings, options, report)

    return import_one_file(workspace, path, settings, options, "salesforce-report", read, cut_footer=True)


def derived_id(*parts: str | None) -> str:
    """Return a stable opportunity id from the cells that name a deal, for reports without Opportunity ID."""
    digest = hashlib.sha256("\x1f".join(part or "" for part in parts).encode("utf-8")).hexdigest()
    return f"sfr-{digest[:16]}"


def _read_report(file: CsvFile, settings: Settings, options: ImportOptions, report: ImportReport) -> Batch:
    columns = check_required(file, REQUIRED, "a Salesforce opportunity report")
    formats = file_formats(file, DATE_COLUMNS, settings, options,
                           number_locale=parse_number_locale(DEFAULT_LOCALE))
    if file.footer:
        report.warn("footer_skipped", f"{len(file.footer)} lines after the blank line at the end of {file.name} "
                                      "(notices and totals) are not data and were skipped", len(file.footer))
    id_column = first_column(file, "Opportunity ID", "Opportunity ID (18)")
    stages = StageBook(load_stage_map(options.stages))
    batch = Batch()
    counts = report.table("opportunities")
    derived: list[str] = []
    totals_rows = 0
    for record in track(file.records, f"reading {file.name}"):
        cells = record.cells
        if not cells.get(columns["name"]) and any(cell and _TOTALS.match(cell) for cell in cells.values()):
            totals_rows += 1
            continue
        counts.rows_read += 1
        reader = RowReader(file, record, formats)
        values = _deal_values(reader, columns, stages)
        if id_column is not None:
            values["opp_id"] = reader.text(id_column, required=True)
        else:
            created = values["created_on"]
            values["opp_id"] = derived_id(values["rep_id"], values["account"], values["name"],
                                          created.isoformat() if created else None)
            derived.append(values["opp_id"])
        if reader.reject(report, "opportunities"):
            continue
        batch.add("opportunities", SourceRow(file.name, record.row, values))
    if totals_rows:
        report.warn("totals_skipped", f"{totals_rows} total or subtotal rows in {file.name} are not data and "
                                      "were skipped", totals_rows)
    if derived:
        report.warn(
            "derived_opp_id",
            f"{file.name} has no Opportunity ID column, so each deal's id is derived from its owner, account, name "
            "and created date; a deal renamed in Salesforce will import as a new one. Add the Opportunity ID "
            "column to the report",
            len(derived),
        )
    finish_opportunities(batch, report)
    stages.add_rows(batch, file.name)
    add_owner_reps(batch, {}, report, source=file.name, names_known=True)
    warn_without_owner_history(batch, report, "a report has no owner history; import a Salesforce Data Export "
                                              "with OpportunityFieldHistory.csv for it")
    return batch


def _deal_values(reader: RowReader, columns: dict[str, str], stages: StageBook) -> dict[str, Any]:
    """Return one report row's opportunity values, without opp_id."""
    stage = reader.text(columns["stage"])
    values: dict[str, Any] = {
        "rep_id": reader.text(columns["owner"], required=True),
        "name": reader.text(columns["name"], required=True),
        "stage": stage,
        "account": reader.text("Account Name"),
        "amount": reader.money("Amount"),
        "currency": reader.currency("Amount Currency") or reader.currency("Opportunity Currency"),
        "created_on": reader.date("Created Date"),
        "close_on": reader.date("Close Date"),
        "next_step": reader.text("Next Step"),
        "source": reader.text("Lead Source"),
    }
    modified = reader.timestamp("Last Modified Date")
    values["modified_at"] = modified.local if modified else None
    if stage:
        stages.observe(stage)
    closed, won = reader.flag("Closed"), reader.flag("Won")
    values["status"] = decide_status(closed, won, stages.kind(stage) if stage else None)
    if values["status"] != "open" and values["close_on"] is None:
        reader.problem(reader.file.label("close date") if reader.has("Close Date") else "Close Date", None,
                       f"a {values['status']} opportunity requires it")
    if values["amount"] == 0:
        values["amount"] = None
    return values
