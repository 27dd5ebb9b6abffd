"""Maven "CRM + Sales Opportunities" import, on small made-up files and on the real data set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from import_helpers import codes, count, one, select, warning

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, import_maven
from rasr.store.connection import open_workspace

@pytest.fixture
def maven_folder(write, folder: Path) -> Path:
    """A five-deal data set in the Maven layout, with its quirks."""
    write("sales_teams.csv", """
        sales_agent,manager,regional_office
        Ann Agent,Mia Manager,Central
        Bob Agent,Mia Manager,Central
        Cid Agent,Max Manager,West
        """)
    write("products.csv", """
        product,series,sales_price
        GTX Pro,GTX,4821
        MG Special,MG,55
        """)
    write("sales_pipeline.csv", """
        opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
        W1,Ann Agent,GTXPro,Acme,Won,2017-01-02,2017-02-03,4514
        W0,Ann Agent,MG Special,Acme,Won,2017-01-02,2017-02-03,0
        L1,Bob Agent,GTXPro,Beta,Lost,2017-01-05,2017-03-01,0
        E1,Bob Agent,MG Special,,Engaging,2017-04-01,,
        P1,Dee Agent,GTX Pro,,Prospecting,,,
        """)
    write("accounts.csv", "account,sector\nAcme,retail\n")
    return folder


def test_small_layout_counts(workspace, maven_folder) -> None:
    report = import_maven(workspace, maven_folder, Settings())
    assert report.ok
    assert count(workspace, "opportunities") == 5
    # Ann, Bob and Cid from sales_teams.csv, plus Dee who has a deal but no team.
    assert count(workspace, "reps") == 4


def test_small_layout_statuses(workspace, maven_folder) -> None:
    import_maven(workspace, maven_folder, Settings())
    assert select(workspace, "SELECT opp_id, status, stage, created_on, close_on FROM opportunities ORDER BY opp_id") == [
        ("E1", "open", "Engaging", "2017-04-01", None),
        ("L1", "lost", "Lost", "2017-01-05", "2017-03-01"),
        ("P1", "open", "Prospecting", None, None),
        ("W0", "won", "Won", "2017-01-02", "2017-02-03"),
        ("W1", "won", "Won", "2017-01-02", "2017-02-03"),
    ]


def test_small_layout_amounts(workspace, maven_folder) -> None:
    report = import_maven(workspace, maven_folder, Settings())
    amounts = dict(select(workspace, "SELECT opp_id, amount FROM opportunities"))
    # W1 won for its close_value 4514 dollars; W0 won for 0, which is missing.
    assert amounts["W1"] == 451400
    assert amounts["W0"] is None
    # L1 (lost, "GTXPro") and P1 (open, "GTX Pro") take the GTX Pro list price 4821; E1 the MG Special 55.
    assert amounts["L1"] == 482100
    assert amounts["P1"] == 482100
    assert amounts["E1"] == 5500
    assert warning(report, "missing_amount")["rows"] == ["W0"]
    assert warning(report, "list_price_amount")["count"] == 3


def test_small_layout_product_spelling_matched(workspace, maven_folder) -> None:
    import_maven(workspace, maven_folder, Settings())
    assert one(workspace, "SELECT product FROM opportunities WHERE opp_id = 'L1'") == "GTX Pro"


def test_small_layout_teams(workspace, maven_folder) -> None:
    import_maven(workspace, maven_folder, Settings())
    assert select(workspace, "SELECT team, parent_team, manager FROM teams ORDER BY team") == [
        ("Central", None, None),
        ("Max Manager", "West", "Max Manager"),
        ("Mia Manager", "Central", "Mia Manager"),
        ("West", None, None),
    ]
    assert select(workspace, "SELECT rep_id, name, team FROM reps ORDER BY rep_id") == [
        ("Ann Agent", "Ann Agent", "Mia Manager"),
        ("Bob Agent", "Bob Agent", "Mia Manager"),
        ("Cid Agent", "Cid Agent", "Max Manager"),
        ("Dee Agent", "Dee Agent", None),
    ]


def test_small_layout_rep_without_team_warned(workspace, maven_folder) -> None:
    report = import_maven(workspace, maven_folder, Settings())
    assert warning(report, "rep_without_team")["rows"] == ["Dee Agent"]


def test_small_layout_stage_history(workspace, maven_folder) -> None:
    import_maven(workspace, maven_folder, Settings())
    # Engaging on engage_date for W1, W0, L1 and E1; Won or Lost on close_date for W1, W0 and L1; none for P1.
    assert select(workspace, "SELECT opp_id, stage, entered_on FROM stage_changes ORDER BY opp_id, entered_on") == [
        ("E1", "Engaging", "2017-04-01"),
        ("L1", "Engaging", "2017-01-05"),
        ("L1", "Lost", "2017-03-01"),
        ("W0", "Engaging", "2017-01-02"),
        ("W0", "Won", "2017-02-03"),
        ("W1", "Engaging", "2017-01-02"),
        ("W1", "Won", "2017-02-03"),
    ]


def test_small_layout_stages(workspace, maven_folder) -> None:
    import_maven(workspace, maven_folder, Settings())
    assert select(workspace, "SELECT stage, position, is_qualified, kind FROM stages ORDER BY position, stage") == [
        ("Prospecting", 1, 0, "open"),
        ("Engaging", 2, 1, "open"),
        ("Lost", 3, 1, "lost"),
        ("Won", 3, 1, "won"),
    ]


def test_small_layout_undated_prospecting_counted(workspace, maven_folder) -> None:
    report = import_maven(workspace, maven_folder, Settings())
    assert warning(report, "undated_open")["rows"] == ["P1"]


def test_unknown_deal_stage_rejected(workspace, maven_folder, write) -> None:
    write("sales_pipeline.csv", """
        opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
        X1,Ann Agent,GTXPro,Acme,Negotiating,2017-01-02,,
        """)
    report = import_maven(workspace, maven_folder, Settings())
    assert report.to_dict()["rejected"][0]["reason"] == (
        "deal_stage 'Negotiating' in sales_pipeline.csv row 2 is not a deal stage of this layout; "
        "use one of Prospecting, Engaging, Won, Lost"
    )


def test_won_without_close_date_rejected(workspace, maven_folder, write) -> None:
    write("sales_pipeline.csv", """
        opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
        X1,Ann Agent,GTXPro,Acme,Won,2017-01-02,,100
        """)
    report = import_maven(workspace, maven_folder, Settings())
    assert report.to_dict()["rejected"][0]["column"] == "close_on"
    assert count(workspace, "opportunities") == 0


def test_missing_file_fatal(workspace, maven_folder) -> None:
    (maven_folder / "products.csv").unlink()
    with pytest.raises(ImportFailed, match="has no products.csv"):
        import_maven(workspace, maven_folder, Settings())
    assert count(workspace, "opportunities") == 0


def test_missing_column_fatal(workspace, maven_folder, write) -> None:
    write("sales_teams.csv", """
        sales_agent,manager
        Ann Agent,Mia Manager
        """)
    with pytest.raises(ImportFailed, match="sales_teams.csv has no column regional_office"):
        import_maven(workspace, maven_folder, Settings())
    assert count(workspace, "reps") == 0


@pytest.fixture(scope="module", params=["sqlite", "duckdb"])
def real_import(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_data: Path):
    """The real data set imported once per backend: (workspace, report)."""
    source = shared_data / "public" / "maven-crm-sales-opportunities"
    if not source.is_dir():
        message = f"the Maven data set is not at {source}; put shared/data beside the repository"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"{message} (CI=true, so this is an error rather than a skip)")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp(f"maven-{request.param}")
    workspace = open_workspace(f"{request.param}:///{folder}/w.{request.param}")
    report = import_maven(workspace, source, Settings())
    yield workspace, report
    workspace.close()


@pytest.mark.shared_data
def test_real_data_opportunity_count(real_import) -> None:
    workspace, report = real_import
    assert report.ok
    assert count(workspace, "opportunities") == 8800


@pytest.mark.shared_data
def test_real_data_reps(real_import) -> None:
    workspace, _ = real_import
    assert count(workspace, "reps") == 35
    # Five agents of sales_teams.csv have no deals.
    assert one(workspace, "SELECT COUNT(*) FROM reps WHERE rep_id NOT IN (SELECT rep_id FROM opportunities)") == 5


@pytest.mark.shared_data
def test_real_data_statuses(real_import) -> None:
    workspace, _ = real_import
    by_status = dict(select(workspace, "SELECT status, COUNT(*) FROM opportunities GROUP BY status"))
    assert by_status == {"won": 4238, "lost": 2473, "open": 2089}


@pytest.mark.shared_data
def test_real_data_undated_open(real_import) -> None:
    workspace, report = real_import
    # The 500 Prospecting rows have neither engage_date nor close_date.
    assert warning(report, "undated_open")["count"] == 500
    assert one(workspace, "SELECT COUNT(*) FROM opportunities WHERE status = 'open' AND created_on IS NULL") == 500


@pytest.mark.shared_data
def test_real_data_gtxpro_list_price(real_import) -> None:
    workspace, _ = real_import
    # The pipeline spells "GTXPro"; products.csv lists "GTX Pro" at 4821 dollars.
    prices = select(workspace, "SELECT DISTINCT amount FROM opportunities WHERE product = 'GTX Pro' AND status = 'lost'")
    assert prices == [(482100,)]


@pytest.mark.shared_data
def test_real_data_no_rejections(real_import) -> None:
    _, report = real_import
    assert report.to_dict()["rejected"] == []
    assert "rep_without_team" not in codes(report)
