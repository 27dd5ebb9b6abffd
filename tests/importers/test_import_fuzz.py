"""Malformed and random CSV files for every importer: a report or ImportFailed, never a traceback or partial write.

The examples are drawn with a fixed seed (derandomize) and bounded counts,
so the run is repeatable and takes seconds.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, ImportOptions, import_generic, import_maven, import_salesforce
from rasr.importers.hubspot import import_hubspot
from rasr.importers.mapped import import_mapped_csv
from rasr.importers.pipedrive import import_pipedrive
from rasr.importers.rates import import_rates
from rasr.importers.salesforce_report import import_salesforce_report
from rasr.store import open_workspace
from rasr.store.schema import TABLES

EXAMPLES = 30
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Cells chosen to hit the parsers' edges: dates in every order, impossible dates, grouped and
# localised numbers, flags, quotes, separators, a byte-order mark and characters outside ASCII.
CELLS = st.sampled_from([
    "", " ", "0", "1", "-1", "true", "no", "Won", "Lost", "Open", "Closed Won", "Deleted", "1,234", "1.234",
    "1.234,56", "$1,000.50", "1e9", "99999999999999999", "NaN", "2024-02-29", "2023-02-29", "13/25/2024",
    "30/07/2024", "03/04/2024", "2024-03-31T23:30:00+02:00", "2024-03-31 25:00", "12/31/2024 11:59 PM", "EUR",
    "usd", "X", '"', "a,b", "a;b", "line\nbreak", "\ufeffId", "Müller", "€", "\x00", "   padded   ",
]) | st.text(max_size=12)

HEADERS = {
    "generic": ["opp_id", "rep_id", "status", "amount", "currency", "created_on", "close_on", "stage", "modified_at",
                "used_sales_engineer"],
    "salesforce": ["Id", "IsDeleted", "OwnerId", "StageName", "StageSortOrder", "Amount", "CloseDate", "IsClosed",
                   "IsWon", "CreatedDate", "LastModifiedDate", "CurrencyIsoCode"],
    "report": ["Opportunity Owner", "Opportunity Name", "Stage", "Amount", "Amount Currency", "Close Date",
               "Created Date", "Won", "Closed", "Opportunity ID"],
    "hubspot": ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date",
                "Deal owner", 'Date entered "Closed Won (Sales Pipeline)"', 'Date exited "Closed Won (Sales Pipeline)"'],
    "pipedrive": ["Deal - ID", "Deal - Owner", "Deal - Value", "Deal - Status", "Deal - Stage", "Deal - Pipeline",
                  "Deal - Deal created", "Deal - Won time", "Deal - Lost time", "Deal - Expected close date"],
    "csv": ["Deal", "Rep", "State", "Value", "Created"],
    "rates": ["currency", "rate", "valid_from"],
    "maven": ["opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date",
              "close_value"],
}
MAPPING = """
[columns]
opp_id = "Deal"
rep_id = "Rep"
status = "State"
amount = "Value"
created_on = "Created"
"""


def csv_bytes(header_pool: list[str]) -> st.SearchStrategy[bytes]:
    """Draw a CSV file: a header drawn from the format's labels (or random), rows of edge-case cells."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        if draw(st.integers(0, 9)) == 0:
            return draw(st.binary(max_size=200))
        if draw(st.integers(0, 4)) == 0:
            header = draw(st.lists(st.sampled_from(header_pool) | st.text(max_size=6), max_size=12))
        else:
            # Mostly the format's own columns, so that rows reach the cell parsers.
            header = list(draw(st.permutations(header_pool)))
            del header[:draw(st.integers(0, 1))]
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        rows = draw(st.lists(st.lists(CELLS, min_size=max(0, len(header) - 1), max_size=len(header) + 1),
                            min_size=1, max_size=6))
        lines = [delimiter.join(_quote(cell, delimiter) for cell in row) for row in [header, *rows]]
        text = "\r\n".join(lines) + draw(st.sampled_from(["", "\r\n", "\r\n\r\n\"Total\"\r\n"]))
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "windows-1252"]))
        return text.encode(encoding, errors="replace")

    return build()


def _quote(cell: str, delimiter: str) -> str:
    if any(char in cell for char in (delimiter, '"', "\n")) or cell.startswith(" "):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _snapshot(workspace) -> dict[str, list]:
    return {name: sorted(map(repr, workspace.execute(f'SELECT * FROM "{name}"'))) for name in TABLES}


Run = Callable[[object, Path], object]
_counter = itertools.count()


def _folder_run(file_name: str, importer: Callable) -> Run:
    def run(workspace, data_dir: Path):
        folder = data_dir / f"export{next(_counter)}"
        folder.mkdir()
        (data_dir / "data.csv").replace(folder / file_name)
        return importer(workspace, folder, Settings())

    return run


def _file_run(importer: Callable) -> Run:
    return lambda workspace, data_dir: importer(workspace, data_dir / "data.csv", Settings(), ImportOptions())


def _mapped_run(workspace, data_dir: Path):
    mapping = data_dir / "map.toml"
    mapping.write_text(MAPPING)
    return import_mapped_csv(workspace, data_dir / "data.csv", mapping, Settings())


def _maven_run(workspace, data_dir: Path):
    folder = data_dir / f"maven{next(_counter)}"
    folder.mkdir()
    (data_dir / "data.csv").replace(folder / "sales_pipeline.csv")
    (folder / "sales_teams.csv").write_text("sales_agent,manager,regional_office\nAnn,Lee,West\n")
    (folder / "products.csv").write_text("product,series,sales_price\nGTX Pro,GTX,4821\n")
    return import_maven(workspace, folder, Settings())


RUNS: dict[str, Run] = {
    "maven": _maven_run,
    "generic": _folder_run("opportunities.csv", import_generic),
    "salesforce": _folder_run("Opportunity.csv", import_salesforce),
    "report": _file_run(import_salesforce_report),
    "hubspot": _file_run(import_hubspot),
    "pipedrive": _file_run(import_pipedrive),
    "csv": _mapped_run,
    "rates": _file_run(import_rates),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_random_files_never_crash(name: str) -> None:
    with tempfile.TemporaryDirectory() as base:
        data_dir = Path(base)
        workspace = open_workspace(f"sqlite:///{data_dir / 'workspace.db'}")
        try:
            _check_importer(workspace, data_dir, name)
        finally:
            workspace.close()


def _check_importer(workspace, data_dir: Path, name: str) -> None:
    @FUZZ
    @given(data=csv_bytes(HEADERS[name]))
    def check(data: bytes) -> None:
        (data_dir / "data.csv").write_bytes(data)
        before = _snapshot(workspace)
        try:
            report = RUNS[name](workspace, data_dir)
        except ImportFailed as error:
            assert error.report is None or not error.report.applied
            assert _snapshot(workspace) == before
            return
        assert report.ok
        total = sum(counts.rows_read for counts in report.tables.values())
        assert report.rejected_rows <= total

    check()
