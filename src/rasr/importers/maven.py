"""Import Maven Analytics' "CRM + Sales Opportunities" data set.

The layout has sales_pipeline.csv (one row per opportunity), sales_teams.csv
(agent, manager, regional office) and products.csv (list prices);
accounts.csv and data_dictionary.csv are not read. Agents become reps whose
rep_id and name are the agent's name. Each manager leads a team named after
them, under a parent team per regional office.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from rasr.engine.settings import Settings
from rasr.importers.apply import apply_batch
from rasr.importers.batch import Batch, SourceRow, drop_duplicates
from rasr.importers.csvfile import CsvFile, Record, checksum, read_csv
from rasr.importers.parsing import InvalidValue, parse_date, parse_money
from rasr.importers.report import ImportFailed, ImportReport, Rejection
from rasr.importers.rules import Problem, check_opportunity, describe
from rasr.store.connection import Workspace

log = logging.getLogger(__name__)

PIPELINE = "sales_pipeline.csv"
TEAMS = "sales_teams.csv"
PRODUCTS = "products.csv"
REQUIRED_COLUMNS = {
    PIPELINE: ("opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
               "close_value"),
    TEAMS: ("sales_agent", "manager", "regional_office"),
    PRODUCTS: ("product", "sales_price"),
}
# The data set's currency: its prices and close values are US dollars.
CURRENCY = "USD"
# (stage, position, is_qualified, kind), in pipeline order.
STAGES = (
    ("Prospecting", 1, False, "open"),
    ("Engaging", 2, True, "open"),
    ("Won", 3, True, "won"),
    ("Lost", 3, True, "lost"),
)
STAGE_BY_NAME = {stage.lower(): (stage, kind) for stage, _, _, kind in STAGES}
LAYOUT = "(Maven stage list)"


def product_key(name: str) -> str:
    """Return a product name without spaces and case, because the pipeline spells "GTXPro" for "GTX Pro"."""
    return "".join(name.split()).lower()


def import_maven(workspace: Workspace, directory: Path, settings: Settings) -> ImportReport:
    """Import the Maven CRM data set in directory into workspace, in one transaction.

    Raises ImportFailed, leaving the workspace unchanged, when a file or a
    required column is missing or a file cannot be read.
    """
    directory = Path(directory)
    report = ImportReport("maven", str(directory.resolve()))
    try:
        files = _read_files(directory)
        for file in files.values():
            report.add_source(file)
        report.files = sorted(files)
        batch = Batch()
        prices = _read_products(files[PRODUCTS], report)
        _read_teams(files[TEAMS], batch, report)
        _read_pipeline(files[PIPELINE], prices, batch, report)
        for table in ("reps", "opportunities"):
            drop_duplicates(batch, table, report)
        _add_stage_history(batch)
        _add_reps_without_team(batch, report)
        for stage, position, qualified, kind in STAGES:
            values = {"stage": stage, "position": position, "is_qualified": qualified, "kind": kind}
            batch.add("stages", SourceRow(LAYOUT, 0, values))
    except ImportFailed as error:
        report.error = str(error)
        error.report = report
        raise
    return apply_batch(workspace, batch, settings, report, checksum(list(files.values())))


def _read_files(directory: Path) -> dict[str, CsvFile]:
    if not directory.is_dir():
        raise ImportFailed(f"{directory} is not a folder; give the folder that contains {PIPELINE}, {TEAMS} and {PRODUCTS}")
    missing = [name for name in REQUIRED_COLUMNS if not (directory / name).is_file()]
    if missing:
        raise ImportFailed(
            f"{directory} has no {', '.join(missing)}; the Maven CRM layout needs {PIPELINE}, {TEAMS} and {PRODUCTS}"
        )
    files = {}
    for name, columns in REQUIRED_COLUMNS.items():
        files[name] = read_csv(directory / name)
        files[name].require(columns, "the Maven CRM layout")
    return files


def _reject(report: ImportReport, table: str, file: CsvFile, record: Record, problems: list[Problem]) -> None:
    where = f"{file.name} row {record.row}"
    report.reject_row(table, [
        Rejection(file.name, record.row, problem.column, "" if problem.value is None else str(problem.value),
                  describe(problem, where))
        for problem in problems
    ])


def _read_products(file: CsvFile, report: ImportReport) -> dict[str, tuple[str, int]]:
    """Return (product name, list price in cents) by product_key."""
    prices: dict[str, tuple[str, int]] = {}
    for record in file.records:
        report.table("products").rows_read += 1
        name, text = record.cells.get("product"), record.cells.get("sales_price")
        problems = []
        if name is None:
            problems.append(Problem("product", None, "it is required: fill it in or remove the row"))
        price = None
        if text is not None:
            try:
                price = parse_money(text)
            except InvalidValue as error:
                problems.append(Problem("sales_price", text, str(error)))
        if problems:
            _reject(report, "products", file, record, problems)
            continue
        prices[product_key(name)] = (name, price)
    return prices


def _read_teams(file: CsvFile, batch: Batch, report: ImportReport) -> None:
    office_of_manager: dict[str, str] = {}
    offices: list[str] = []
    two_offices: list[str] = []
    for record in file.records:
        report.table("reps").rows_read += 1
        cells = record.cells
        missing = [Problem(column, None, "it is required: fill it in or remove the row")
                   for column in REQUIRED_COLUMNS[TEAMS] if cells.get(column) is None]
        if missing:
            _reject(report, "reps", file, record, missing)
            continue
        agent, manager, office = cells["sales_agent"], cells["manager"], cells["regional_office"]
        if office not in offices:
            offices.append(office)
        if manager not in office_of_manager:
            office_of_manager[manager] = office
        elif office_of_manager[manager] != office:
            two_offices.append(f"{manager} ({file.name} row {record.row})")
        batch.add("reps", SourceRow(file.name, record.row, {"rep_id": agent, "name": agent, "team": manager}))
    for office in offices:
        batch.add("teams", SourceRow(file.name, 0, {"team": office, "parent_team": None, "manager": None}))
    for manager, office in office_of_manager.items():
        batch.add("teams", SourceRow(file.name, 0, {"team": manager, "parent_team": office, "manager": manager}))
    report.warn_ids(
        "manager_in_two_offices",
        "managers appear under more than one regional office; their team is placed under the first",
        two_offices,
    )


def _read_pipeline(file: CsvFile, prices: dict[str, tuple[str, int]], batch: Batch, report: ImportReport) -> None:
    list_priced: list[str] = []
    unknown_products: list[str] = []
    for record in file.records:
        report.table("opportunities").rows_read += 1
        problems: list[Problem] = []
        values = _opportunity(record.cells, problems)
        if not problems:
            problems = check_opportunity(values)
        if problems:
            _reject(report, "opportunities", file, record, problems)
            continue
        product = record.cells.get("product")
        listed = prices.get(product_key(product)) if product else None
        if listed is not None:
            values["product"] = listed[0]
        if values["amount"] is None and values["status"] != "won":
            # The data set records no value for lost and open deals, so their list price is used instead.
            if listed is not None and listed[1]:
                values["amount"] = listed[1]
                list_priced.append(values["opp_id"])
            elif product:
                unknown_products.append(f"{values['opp_id']} ({product})")
        batch.add("opportunities", SourceRow(file.name, record.row, values))
    report.warn_ids(
        "list_price_amount",
        f"lost or open opportunities have no close_value, so their amount is the list price in {PRODUCTS}",
        list_priced,
    )
    report.warn_ids(
        "unknown_product",
        f"lost or open opportunities name a product that is not in {PRODUCTS}, so they have no amount; "
        f"add the product and its sales_price to {PRODUCTS}",
        unknown_products,
    )


def _opportunity(cells: dict[str, str | None], problems: list[Problem]) -> dict[str, Any]:
    """Map one pipeline record to opportunity values, adding a Problem per bad cell."""
    for column in ("opportunity_id", "sales_agent", "deal_stage"):
        if cells.get(column) is None:
            problems.append(Problem(column, None, "it is required: fill it in or remove the row"))
    stage_text = cells.get("deal_stage")
    stage, status = None, None
    if stage_text is not None:
        stage, kind = STAGE_BY_NAME.get(stage_text.lower(), (None, None))
        if stage is None:
            names = ", ".join(name for name, _, _, _ in STAGES)
            problems.append(Problem("deal_stage", stage_text, f"is not a deal stage of this layout; use one of {names}"))
        status = kind
    values: dict[str, Any] = {
        "opp_id": cells.get("opportunity_id"), "rep_id": cells.get("sales_agent"), "status": status,
        "stage": stage, "account": cells.get("account"), "product": cells.get("product"), "currency": CURRENCY,
    }
    for column, target, parse in (("engage_date", "created_on", parse_date), ("close_date", "close_on", parse_date),
                                  ("close_value", "amount", parse_money)):
        text = cells.get(column)
        values[target] = None
        if text is None:
            continue
        try:
            values[target] = parse(text)
        except InvalidValue as error:
            problems.append(Problem(column, text, str(error)))
    return values


def _add_stage_history(batch: Batch) -> None:
    """Add stage changes: Engaging on engage_date, and Won or Lost on close_date."""
    for row in batch.rows("opportunities"):
        values = row.values
        entries: list[tuple[str, dt.date]] = []
        if values["created_on"] is not None:
            entries.append(("Engaging", values["created_on"]))
        if values["status"] in ("won", "lost"):
            entries.append((values["stage"], values["close_on"]))
        for stage, day in entries:
            batch.add("stage_changes", SourceRow(row.file, row.row, {
                "opp_id": values["opp_id"], "stage": stage, "entered_at": dt.datetime(day.year, day.month, day.day),
                "entered_on": day, "entered_raw": day.isoformat(),
            }))


def _add_reps_without_team(batch: Batch, report: ImportReport) -> None:
    known = {row.values["rep_id"] for row in batch.rows("reps")}
    missing: dict[str, SourceRow] = {}
    for row in batch.rows("opportunities"):
        rep_id = row.values["rep_id"]
        if rep_id not in known and rep_id not in missing:
            missing[rep_id] = row
    for rep_id, row in missing.items():
        batch.add("reps", SourceRow(row.file, row.row, {"rep_id": rep_id, "name": rep_id, "team": None}))
    report.warn_ids(
        "rep_without_team",
        f"sales agents have deals in {PIPELINE} but are not in {TEAMS}; they were added as reps without a team",
        sorted(missing),
    )
