"""Import a Salesforce Data Export: the folder of object CSV files that Setup > Data Export writes.

Read: Opportunity.csv (required); OpportunityHistory.csv for stage and
close-date history; User.csv for owner names; OpportunityFieldHistory.csv for
owner changes; Task.csv and Event.csv as activities; Account.csv for account
names; OpportunityStage.csv for each stage's order and closed/won flags;
DatedConversionRate.csv or CurrencyType.csv for exchange rates.
Timestamps in a Data Export are UTC; dates (CloseDate, ActivityDate) are
calendar dates written as midnight.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from rasr.engine.settings import Settings
from rasr.importers.apply import apply_batch
from rasr.importers.batch import Batch, SourceRow
from rasr.importers.crm import add_owner_reps, decide_status, finish_opportunities, warn_without_owner_history
from rasr.importers.csvfile import CsvFile, checksum
from rasr.importers.fields import RowReader
from rasr.importers.options import ImportOptions, file_formats, open_source
from rasr.importers.progress import track
from rasr.importers.report import ImportFailed, ImportReport
from rasr.importers.salesforce_rates import DATED, STATIC, read_salesforce_rates
from rasr.importers.stagemap import StageBook, load_stage_map
from rasr.store.connection import Workspace

log = logging.getLogger(__name__)

OPPORTUNITY = "opportunity.csv"
OPTIONAL = ("opportunityhistory.csv", "user.csv", "opportunityfieldhistory.csv", "task.csv", "event.csv",
            "account.csv", "opportunitystage.csv", STATIC, DATED)
# The zone of every timestamp in a Data Export.
EXPORT_TIMEZONE = "UTC"
# Opportunity ids start with 006 and user ids with 005; both have 15 or 18 characters.
_USER_ID = re.compile(r"005[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?")
_OPPORTUNITY_ID = re.compile(r"006[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?")


def import_salesforce(workspace: Workspace, directory: Path, settings: Settings,
                      options: ImportOptions | None = None) -> ImportReport:
    """Import the Salesforce Data Export in directory into workspace, in one transaction.

    Raises ImportFailed, leaving the workspace unchanged, when the folder or
    Opportunity.csv is missing, a file cannot be read, a required column is
    missing or its dates are ambiguous.
    """
    directory = Path(directory)
    options = options or ImportOptions()
    report = ImportReport("salesforce", str(directory.resolve()))
    try:
        files = _read_files(directory, options, report)
        batch = SalesforceReader(files, settings, options, report).read()
    except ImportFailed as error:
        report.error = str(error)
        error.report = report
        raise
    return apply_batch(workspace, batch, settings, report, checksum(list(files.values()), options), options)


def _read_files(directory: Path, options: ImportOptions, report: ImportReport) -> dict[str, CsvFile]:
    if not directory.is_dir():
        raise ImportFailed(f"{directory} is not a folder; give the folder of the unzipped Salesforce Data Export")
    by_name = {path.name.lower(): path for path in directory.iterdir() if path.is_file()}
    if OPPORTUNITY not in by_name:
        raise ImportFailed(
            f"{directory} has no Opportunity.csv; export the Opportunity object with Setup > Data Export "
            "and give the unzipped folder"
        )
    files = {}
    for name in (OPPORTUNITY, *OPTIONAL):
        if name in by_name:
            files[name] = open_source(by_name[name], options, report)
    files[OPPORTUNITY].require(("id", "ownerid"), "a Salesforce opportunity export")
    report.files.sort()
    return files


def _deleted(reader: RowReader) -> bool:
    return bool(reader.flag("IsDeleted"))


class SalesforceReader:
    """Map the object files of one Data Export onto a Batch of canonical rows."""

    def __init__(self, files: dict[str, CsvFile], settings: Settings, options: ImportOptions,
                 report: ImportReport) -> None:
        self.files = files
        self.settings = settings
        self.options = options
        self.report = report
        self.batch = Batch()
        self.stages = StageBook(load_stage_map(options.stages))
        self.opp_ids: set[str] = set()
        # Tasks and events counted by (rep_id, occurred_on, kind, opp_id), with the first row of each.
        self.activity_totals: dict[tuple[str, Any, str, str], list] = {}

    def formats(self, file: CsvFile, date_columns: tuple[str, ...]):
        return file_formats(file, date_columns, self.settings, self.options, source_timezone=EXPORT_TIMEZONE)

    def read(self) -> Batch:
        self._read_stages()
        self._read_opportunities()
        if "opportunityhistory.csv" in self.files:
            self._read_history(self.files["opportunityhistory.csv"])
        if "opportunityfieldhistory.csv" in self.files:
            self._read_owner_history(self.files["opportunityfieldhistory.csv"])
        for name in ("task.csv", "event.csv"):
            if name in self.files:
                self._read_activities(self.files[name])
        for (rep_id, day, kind, opp_id), (row, count) in self.activity_totals.items():
            row.values.update({"rep_id": rep_id, "occurred_on": day, "kind": kind, "count": count, "opp_id": opp_id})
            self.batch.add("activities", row)
        rate_formats = {name: self.formats(self.files[name], ("StartDate",)) for name in (STATIC, DATED)
                        if name in self.files}
        read_salesforce_rates(self.files, rate_formats, self.settings.reporting_currency, self.batch, self.report)
        finish_opportunities(self.batch, self.report)
        self.stages.add_rows(self.batch, "Opportunity.csv")
        names = self._user_names()
        add_owner_reps(self.batch, names, self.report, source="User.csv" if names else "the export (no User.csv)",
                       names_known=bool(names), emails=self._user_emails())
        warn_without_owner_history(
            self.batch, self.report,
            "track the Owner field of Opportunity and export OpportunityFieldHistory.csv to book each win to "
            "its owner at close",
        )
        return self.batch

    def _read_stages(self) -> None:
        file = self.files.get("opportunitystage.csv")
        if file is None:
            return
        formats = self.formats(file, ())
        for record in file.records:
            reader = RowReader(file, record, formats)
            name = reader.text("MasterLabel") or reader.text("ApiName")
            if not name:
                continue
            closed, won = reader.flag("IsClosed"), reader.flag("IsWon")
            kind = None if closed is None else decide_status(closed, won, None)
            position = reader.text("SortOrder")
            self.stages.observe(name, position=int(position) if position and position.isdigit() else None,
                                kind=kind)

    def _read_opportunities(self) -> None:
        file = self.files[OPPORTUNITY]
        formats = self.formats(file, ("CloseDate", "CreatedDate", "LastModifiedDate", "SystemModstamp"))
        accounts = self._account_names()
        counts = self.report.table("opportunities")
        conflicting: list[str] = []
        for record in track(file.records, f"reading {file.name}"):
            counts.rows_read += 1
            reader = RowReader(file, record, formats)
            if _deleted(reader):
                counts.deleted += 1
                continue
            opp_id = reader.text("Id", required=True)
            rep_id = reader.text("OwnerId", required=True)
            stage = reader.text("StageName")
            sort_order = reader.text("StageSortOrder")
            closed, won = reader.flag("IsClosed"), reader.flag("IsWon")
            created = reader.timestamp("CreatedDate")
            modified = reader.timestamp("LastModifiedDate") or reader.timestamp("SystemModstamp")
            values: dict[str, Any] = {
                "opp_id": opp_id, "rep_id": rep_id, "stage": stage,
                "amount": reader.money("Amount"),
                "created_on": created.date if created else None,
                "close_on": reader.date("CloseDate"),
                "name": reader.text("Name"),
                "account": accounts.get(reader.text("AccountId") or "", reader.text("AccountId")),
                "next_step": reader.text("NextStep"),
                "source": reader.text("LeadSource"),
                "currency": reader.currency("CurrencyIsoCode"),
                "modified_at": modified.local if modified else None,
            }
            if stage:
                self.stages.observe(stage, position=int(sort_order) if sort_order and sort_order.isdigit() else None)
            if closed is None and won is None and not stage:
                reader.problem("StageName", None, "is required when IsClosed and IsWon are absent: "
                                                  "export them or the stage")
            if closed is False and won:
                conflicting.append(f"{opp_id} ({file.name} row {record.row})")
            values["status"] = decide_status(closed, won, self.stages.kind(stage) if stage else None)
            if values["status"] != "open" and values["close_on"] is None:
                reader.problem("CloseDate", None, f"a {values['status']} opportunity requires it")
            if values["amount"] == 0:
                values["amount"] = None
            if reader.reject(self.report, "opportunities"):
                continue
            self.opp_ids.add(opp_id)
            self.batch.add("opportunities", SourceRow(file.name, record.row, values))
        self.report.warn_ids(
            "won_not_closed",
            "opportunities have IsWon = 1 but IsClosed = 0; they are open, as IsClosed says; check both flags",
            conflicting,
        )

    def _account_names(self) -> dict[str, str]:
        file = self.files.get("account.csv")
        if file is None or "id" not in file.header or "name" not in file.header:
            return {}
        return {record.cells["id"]: record.cells["name"] for record in file.records
                if record.cells.get("id") and record.cells.get("name")}

    def _user_names(self) -> dict[str, str]:
        file = self.files.get("user.csv")
        if file is None or "id" not in file.header:
            return {}
        names = {}
        for record in file.records:
            cells = record.cells
            name = cells.get("name") or " ".join(part for part in (cells.get("firstname"), cells.get("lastname"))
                                                 if part)
            if cells.get("id") and name:
                names[cells["id"]] = name
        return names

    def _user_emails(self) -> dict[str, str]:
        file = self.files.get("user.csv")
        if file is None or "id" not in file.header:
            return {}
        return {record.cells["id"]: record.cells["email"] for record in file.records
                if record.cells.get("id") and record.cells.get("email")}

    def _read_history(self, file: CsvFile) -> None:
        """Add stage visits and expected close dates from the history snapshots.

        A row is written on any change of stage, amount, probability or close
        date, so only a row whose stage differs from the one before starts a
        stage visit, and only a changed CloseDate is a close-date change. Rows
        with one timestamp keep their file order; the last one wins.
        """
        file.require(("opportunityid", "createddate", "stagename"), "Salesforce opportunity history")
        formats = self.formats(file, ("CreatedDate", "CloseDate"))
        counts = self.report.table("stage_changes")
        by_opportunity: dict[str, list[tuple[Any, int, str, Any, int]]] = {}
        orphans = []
        for record in track(file.records, f"reading {file.name}"):
            counts.rows_read += 1
            reader = RowReader(file, record, formats)
            if _deleted(reader):
                counts.deleted += 1
                continue
            opp_id = reader.text("OpportunityId", required=True)
            moment = reader.timestamp("CreatedDate", required=True)
            stage = reader.text("StageName", required=True)
            close_on = reader.date("CloseDate")
            if reader.reject(self.report, "stage_changes"):
                continue
            if opp_id not in self.opp_ids:
                orphans.append(f"{opp_id} ({file.name} row {record.row})")
                continue
            by_opportunity.setdefault(opp_id, []).append((moment, record.row, stage, close_on, record.row))
        for opp_id, rows in by_opportunity.items():
            rows.sort(key=lambda row: (row[0].local, row[1]))
            previous_stage = None
            close_dates: dict[Any, SourceRow] = {}
            for moment, row_number, stage, close_on, _ in rows:
                if stage != previous_stage:
                    self.batch.add("stage_changes", SourceRow(file.name, row_number, {
                        "opp_id": opp_id, "stage": stage, "entered_at": moment.local,
                        "entered_on": moment.date, "entered_raw": moment.raw,
                    }))
                    self.stages.observe(stage)
                previous_stage = stage
                if close_on is not None:
                    # A later row with the same timestamp replaces the earlier one.
                    close_dates[moment.local] = SourceRow(file.name, row_number, {
                        "opp_id": opp_id, "changed_at": moment.local, "changed_on": moment.date,
                        "changed_raw": moment.raw, "close_on": close_on,
                    })
            previous_close = None
            for row in close_dates.values():
                if row.values["close_on"] != previous_close:
                    self.batch.add("close_date_changes", row)
                previous_close = row.values["close_on"]
        self.report.warn_ids(
            "history_without_opportunity",
            "history rows belong to no imported opportunity (deleted, rejected or not exported) and were skipped",
            orphans,
        )

    def _read_owner_history(self, file: CsvFile) -> None:
        """Add owner changes from the field history rows of the Owner field.

        Salesforce writes two rows per owner change, one with user ids and one
        with names. The ids are used, and names only where no id row exists.
        """
        file.require(("opportunityid", "createddate", "field", "newvalue"), "Salesforce opportunity field history")
        formats = self.formats(file, ("CreatedDate",))
        counts = self.report.table("owner_changes")
        ids_by_name = {name.casefold(): rep_id for rep_id, name in self._user_names().items()}
        by_change: dict[tuple[str, Any], dict[str, Any]] = {}
        for record in track(file.records, f"reading {file.name}"):
            field = (record.cells.get("field") or "").lower()
            if field not in ("owner", "ownerid", "owner.id"):
                continue
            counts.rows_read += 1
            reader = RowReader(file, record, formats)
            if _deleted(reader):
                counts.deleted += 1
                continue
            opp_id = reader.text("OpportunityId", required=True)
            moment = reader.timestamp("CreatedDate", required=True)
            new, old = reader.text("NewValue", required=True), reader.text("OldValue")
            if reader.reject(self.report, "owner_changes"):
                continue
            if opp_id not in self.opp_ids:
                continue
            is_id = bool(_USER_ID.fullmatch(new))
            key = (opp_id, moment.local)
            current = by_change.get(key)
            if current is not None and current["is_id"] and not is_id:
                continue
            rep_id = new if is_id else ids_by_name.get(new.casefold(), new)
            from_rep_id = old if (old is None or _USER_ID.fullmatch(old)) else ids_by_name.get(old.casefold(), old)
            by_change[key] = {"is_id": is_id, "row": SourceRow(file.name, record.row, {
                "opp_id": opp_id, "changed_at": moment.local, "changed_on": moment.date,
                "changed_raw": moment.raw, "rep_id": rep_id, "from_rep_id": from_rep_id,
            })}
        for change in by_change.values():
            self.batch.add("owner_changes", change["row"])

    def _read_activities(self, file: CsvFile) -> None:
        """Add one activities row per owner, day, kind and opportunity, counting the tasks or events."""
        file.require(("ownerid",), "Salesforce activities")
        is_event = file.name.lower() == "event.csv"
        formats = self.formats(file, ("ActivityDate", "ActivityDateTime", "StartDateTime"))
        counts = self.report.table("activities")
        totals = self.activity_totals
        for record in track(file.records, f"reading {file.name}"):
            counts.rows_read += 1
            reader = RowReader(file, record, formats)
            if _deleted(reader):
                counts.deleted += 1
                continue
            rep_id = reader.text("OwnerId", required=True)
            day = reader.date("ActivityDate")
            if day is None:
                start = reader.timestamp("StartDateTime") or reader.timestamp("ActivityDateTime")
                day = start.date if start else None
            if day is None and not reader.problems:
                reader.problem("ActivityDate", None, "it is required: an activity without a date counts nowhere")
            kind = (reader.text("Type") or reader.text("TaskSubtype") or reader.text("EventSubtype")
                    or ("meeting" if is_event else "task")).lower()
            what = reader.text("WhatId") or ""
            opp_id = what if _OPPORTUNITY_ID.fullmatch(what) else ""
            if reader.reject(self.report, "activities"):
                continue
            key = (rep_id, day, kind, opp_id)
            if key in totals:
                totals[key][1] += 1
            else:
                totals[key] = [SourceRow(file.name, record.row, {}), 1]
