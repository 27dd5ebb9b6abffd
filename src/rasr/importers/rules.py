"""Data rules checked on imported rows: a row that breaks one is rejected or warned about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasr.importers.batch import Batch
from rasr.importers.report import ImportReport, name_ids


@dataclass(frozen=True)
class Problem:
    """A value that keeps its row out of the import."""

    column: str
    value: Any
    reason: str  # the end of a sentence about the value, naming the fix


def describe(problem: Problem, where: str) -> str:
    """Return one sentence naming the column, value, file row and fix."""
    if problem.value is None or problem.value == "":
        return f"{problem.column} is empty in {where}; {problem.reason}"
    return f"{problem.column} '{problem.value}' in {where} {problem.reason}"


def check_row(table: str, values: dict[str, Any]) -> list[Problem]:
    """Check the rules that involve more than one cell of a parsed row.

    Also sets an opportunity amount of 0 to None, because 0 means missing.
    """
    if table == "opportunities":
        return check_opportunity(values)
    if table == "reps":
        return _check_order(values, "start_date", "end_date")
    if table in ("quotas", "aspirations"):
        return _check_order(values, "starts_on", "ends_on")
    if table == "teams" and values.get("parent_team") == values.get("team"):
        return [Problem("parent_team", values["parent_team"], "is the team itself; leave it empty or name another team")]
    return []


def check_opportunity(values: dict[str, Any]) -> list[Problem]:
    if values.get("amount") == 0:
        values["amount"] = None
    status = values.get("status")
    if status in ("won", "lost") and values.get("close_on") is None:
        return [Problem("close_on", None, f"a {status} opportunity requires it: give the date the deal closed")]
    return []


def _check_order(values: dict[str, Any], first: str, last: str) -> list[Problem]:
    start, end = values.get(first), values.get(last)
    if start is not None and end is not None and end < start:
        return [Problem(last, end.isoformat(), f"is before {first} {start.isoformat()}; correct one of the two dates")]
    return []


def warn_opportunities(batch: Batch, stage_kinds: dict[str, str], rep_ids: set[str],
                       report: ImportReport) -> None:
    """Warn about imported opportunities that are kept but break a data rule.

    stage_kinds maps every known stage (stored or imported) to its kind, and
    rep_ids contains every known rep (stored or imported).
    """
    opportunities = [row.values for row in batch.rows("opportunities")]
    dated_by_history = {row.values["opp_id"] for row in batch.rows("stage_changes")}

    report.warn_ids(
        "close_before_created",
        "opportunities close before they were created (kept, counted in bookings and win rates, left out of "
        "durations); check close_on and created_on",
        [v["opp_id"] for v in opportunities
         if v.get("close_on") and v.get("created_on") and v["close_on"] < v["created_on"]],
    )
    report.warn_ids(
        "missing_amount",
        "opportunities have no amount (empty or 0) and are left out of value sums and means",
        [v["opp_id"] for v in opportunities if v.get("amount") is None and v.get("original_amount") is None],
    )
    report.warn_ids(
        "undated_open",
        "open opportunities have no date (no created_on, close_on or stage change) and are in no "
        "point-in-time figure",
        [v["opp_id"] for v in opportunities
         if v["status"] == "open" and v.get("created_on") is None and v.get("close_on") is None
         and v["opp_id"] not in dated_by_history],
    )
    report.warn_ids(
        "unknown_rep",
        "opportunities belong to a rep_id that is neither stored nor in this import; add the reps to reps.csv",
        [f"{v['opp_id']} ({v['rep_id']})" for v in opportunities if v["rep_id"] not in rep_ids],
    )
    _warn_stages(batch, stage_kinds, report)


def _warn_stages(batch: Batch, stage_kinds: dict[str, str], report: ImportReport) -> None:
    opportunities = [row.values for row in batch.rows("opportunities")]
    changes = [row.values for row in batch.rows("stage_changes")]
    staged = [v for v in opportunities + changes if v.get("stage")]
    if not stage_kinds:
        if staged:
            report.warn(
                "no_stages",
                f"{len(staged)} opportunity or stage change rows name a stage, but no stages are defined; "
                "import stages.csv with each stage's position",
                len(staged),
            )
        return
    unknown_opps = [v["opp_id"] for v in opportunities if v.get("stage") and v["stage"] not in stage_kinds]
    unknown_changes = [v["opp_id"] for v in changes if v["stage"] not in stage_kinds]
    names = sorted({v["stage"] for v in staged if v["stage"] not in stage_kinds})
    if names:
        report.warn_ids(
            "unknown_stage",
            f"rows name a stage that is not in the stages table ({name_ids(names)}); add the stages to stages.csv",
            unknown_opps + [f"{opp_id} (stage change)" for opp_id in unknown_changes],
        )
    report.warn_ids(
        "stage_status_mismatch",
        "opportunities have a status that differs from the kind of their stage (the status decides); "
        "check status and stage",
        [f"{v['opp_id']} ({v['status']}, stage {v['stage']})" for v in opportunities
         if v.get("stage") in stage_kinds and stage_kinds[v["stage"]] != v["status"]
         and (batch.closing_stages or stage_kinds[v["stage"]] != "open")],
    )
