"""The generated files: every canonical table, the history features the engine must handle, and a clean import."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import pairwise

from rasr.generate import DEFAULT_END
from rasr.importers.columns import required_columns
from rasr.store.schema import CANONICAL_TABLES

from generated_org import GeneratedOrg, ImportedOrg

END = DEFAULT_END.isoformat()


def histories(generated: GeneratedOrg) -> dict[str, list[tuple[str, str]]]:
    """Return each deal's (entered_at, stage) rows in time order."""
    by_deal = defaultdict(list)
    for row in generated.rows("stage_changes"):
        by_deal[row["opp_id"]].append((row["entered_at"], row["stage"]))
    return {deal: sorted(rows) for deal, rows in by_deal.items()}


def positions(generated: GeneratedOrg) -> dict[str, int]:
    return {row["stage"]: int(row["position"]) for row in generated.rows("stages")}


def test_every_canonical_table_written(generated: GeneratedOrg) -> None:
    for table in CANONICAL_TABLES:
        path = generated.directory / f"{table}.csv"
        assert path.is_file(), table
        header = path.read_text(encoding="utf-8").splitlines()[0].replace('"', "").split(",")
        assert set(required_columns(table)) <= set(header), table
        assert generated.result.rows[table] > 0, table


def test_import_rejects_nothing(imported: ImportedOrg) -> None:
    report = imported.report.to_dict()
    assert report["ok"]
    assert all(counts["rejected"] == 0 for counts in report["tables"].values()), report["tables"]
    codes = {warning["code"] for warning in report["warnings"]}
    assert "unpriced" not in codes
    # The archetype column of reps.csv is for tests, and the importer warns that it ignores it.
    assert "column_ignored" in codes


def test_nothing_dated_after_end(generated: GeneratedOrg) -> None:
    assert max(row["created_on"] for row in generated.rows("opportunities")) <= END
    assert max(row["entered_at"][:10] for row in generated.rows("stage_changes")) <= END
    assert max(row["occurred_on"] for row in generated.rows("activities")) <= END
    closed = [row["close_on"] for row in generated.rows("opportunities") if row["status"] != "open"]
    assert max(closed) <= END


def test_stage_histories_move_back_skip_and_repeat(generated: GeneratedOrg) -> None:
    position = positions(generated)
    open_stages = {"Prospect", "Qualify", "Solution", "Proposal", "Negotiation"}
    backward = skipped = snapshots = 0
    for rows in histories(generated).values():
        for (_, before), (_, after) in pairwise(rows):
            if before == after:
                snapshots += 1
            elif before in open_stages and after in open_stages and position[after] < position[before]:
                backward += 1
            elif position[after] - position[before] > 1:
                skipped += 1
    assert backward > 100
    assert skipped > 100
    assert snapshots > 1000


def test_some_wins_reopened(generated: GeneratedOrg) -> None:
    reopened = [deal for deal, rows in histories(generated).items()
                if any(before == "Closed Won" and after != "Closed Won" for (_, before), (_, after) in pairwise(rows))]
    assert 5 <= len(reopened) < 0.01 * generated.result.rows["opportunities"]


def test_won_deals_close_on_last_win_entry(generated: GeneratedOrg) -> None:
    last_win = {}
    for deal, rows in histories(generated).items():
        wins = [entered for entered, stage in rows if stage == "Closed Won"]
        if wins:
            last_win[deal] = wins[-1][:10]
    for row in generated.rows("opportunities"):
        if row["status"] == "won":
            assert last_win[row["opp_id"]] == row["close_on"], row["opp_id"]


def test_close_dates_pushed(generated: GeneratedOrg) -> None:
    by_deal = defaultdict(list)
    for row in generated.rows("close_date_changes"):
        by_deal[row["opp_id"]].append((row["changed_at"], row["close_on"]))
    pushed = [deal for deal, rows in by_deal.items() if any(b[1] > a[1] for a, b in pairwise(sorted(rows)))]
    assert len(pushed) > 0.1 * generated.result.rows["opportunities"]


def test_lost_deals_have_amounts(generated: GeneratedOrg) -> None:
    lost = [row for row in generated.rows("opportunities") if row["status"] == "lost"]
    assert sum(1 for row in lost if row["amount"]) > 0.7 * len(lost)


def test_open_deals_have_next_steps(generated: GeneratedOrg) -> None:
    open_deals = [row for row in generated.rows("opportunities") if row["status"] == "open"]
    assert sum(1 for row in open_deals if row["next_step"]) > 0.8 * len(open_deals)


def test_resource_flag_imported(generated: GeneratedOrg, imported: ImportedOrg) -> None:
    assert {row["used_sales_engineer"] for row in generated.rows("opportunities")} == {"true", "false"}
    flags = imported.report.to_dict()["tables"]["opportunity_flags"]
    assert flags["inserted"] == generated.result.rows["opportunities"]


def test_second_currency_small_share_with_rates(generated: GeneratedOrg) -> None:
    deals = generated.rows("opportunities")
    foreign = [row for row in deals if row["currency"] != "USD"]
    assert {row["currency"] for row in foreign} == {"EUR"}
    assert 0.01 < len(foreign) / len(deals) < 0.2
    rates = generated.rows("rates")
    assert min(row["valid_from"] for row in rates) <= min(row["created_on"] for row in deals)


def test_owner_changes_start_with_first_owner(generated: GeneratedOrg) -> None:
    rep_ids = {row["rep_id"] for row in generated.rows("reps")}
    created = {row["opp_id"]: row["created_on"] for row in generated.rows("opportunities")}
    current = {row["opp_id"]: row["rep_id"] for row in generated.rows("opportunities")}
    by_deal = defaultdict(list)
    for row in generated.rows("owner_changes"):
        assert row["rep_id"] in rep_ids
        by_deal[row["opp_id"]].append((row["changed_at"], row["rep_id"]))
    assert len(by_deal) > 100
    for deal, rows in by_deal.items():
        rows.sort()
        assert rows[0][0][:10] == created[deal]
        assert rows[-1][1] == current[deal]
        assert rows[-1][1] != rows[0][1]


def test_quotas_annual_and_quarterly_never_overlap(generated: GeneratedOrg) -> None:
    by_rep = defaultdict(list)
    for row in generated.rows("quotas"):
        by_rep[row["rep_id"]].append((row["starts_on"], row["ends_on"]))
    lengths = set()
    for rows in by_rep.values():
        rows.sort()
        for (_, ends), (starts, _) in pairwise(rows):
            assert ends < starts
        lengths.update((dt.date.fromisoformat(e) - dt.date.fromisoformat(s)).days for s, e in rows)
    assert any(days >= 364 for days in lengths)
    assert any(89 <= days <= 91 for days in lengths)
    assert len(by_rep) == generated.result.rows["reps"]


def test_personal_goals_for_some_reps(generated: GeneratedOrg) -> None:
    with_goal = {row["rep_id"] for row in generated.rows("aspirations")}
    assert 0.15 < len(with_goal) / generated.result.rows["reps"] < 0.6


def test_teams_form_a_tree_with_managers(generated: GeneratedOrg) -> None:
    teams = {row["team"]: row for row in generated.rows("teams")}
    rep_emails = {row["email"] for row in generated.rows("reps")}
    for row in generated.rows("reps"):
        assert row["team"] in teams
    roots = [name for name, row in teams.items() if not row["parent_team"]]
    assert len(roots) == 1
    for row in teams.values():
        assert row["manager"] and row["manager"] not in rep_emails
        assert not row["parent_team"] or row["parent_team"] in teams


def test_activity_conversion_differs_by_archetype(generated: GeneratedOrg) -> None:
    archetype = {row["rep_id"]: row["archetype"] for row in generated.rows("reps")}
    qualified_deals = {row["opp_id"] for row in generated.rows("stage_changes")
                       if row["stage"] not in ("Prospect", "Closed Lost")}
    owner = {row["opp_id"]: row["rep_id"] for row in generated.rows("opportunities")}
    deals_by = defaultdict(int)
    for deal in qualified_deals:
        deals_by[archetype[owner[deal]]] += 1
    calls_by = defaultdict(int)
    for row in generated.rows("activities"):
        if row["kind"] == "call":
            calls_by[archetype[row["rep_id"]]] += int(row["count"])
    assert {row["kind"] for row in generated.rows("activities")} == {"call", "email", "meeting", "demo"}
    top = calls_by["top_performer"] / deals_by["top_performer"]
    declining = calls_by["declining"] / deals_by["declining"]
    assert declining > 1.8 * top
