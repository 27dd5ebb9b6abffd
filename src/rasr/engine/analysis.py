"""Analyse a workspace on one day: every rep's conversation, the numbers behind it, and the team totals."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from rasr.engine import figures
from rasr.engine.dataset import build_views, drop_views, fetch_rows, fetch_value, materialise, release
from rasr.engine.goals import GoalRow, goal_for_span
from rasr.engine.periods import (
    Span, horizon_span, lookback_span, requirement_spans, results_span,
)
from rasr.engine.rates import Pool
from rasr.engine.rep import RepContext, attach_open_deals, evaluate_rep, team_totals
from rasr.engine.settings import Settings
from rasr.engine.values import to_json
from rasr.store.connection import Workspace
from rasr.store.load import data_version
from rasr.store.schema import CANONICAL_TABLES

log = logging.getLogger(__name__)


class AnalysisError(ValueError):
    """The analysis cannot run on this input (unknown team, bad date)."""


class EmptyWorkspaceError(AnalysisError):
    """The workspace contains no opportunities."""


def latest_event(workspace: Workspace) -> dt.date | None:
    """Return the date of the latest recorded event.

    Events are a created_on, a stage, owner or close-date change, a closed
    deal's close_on, and an activity. `dataset.settled_on` takes the same
    events but activities, so this day is never before it, and an analysis
    on the default as_of reads the prepared deals.
    """
    opps = workspace.table("opportunities")
    changes = workspace.table("stage_changes")
    owners = workspace.table("owner_changes")
    pushes = workspace.table("close_date_changes")
    activities = workspace.table("activities")
    closed = opps.filter(opps.status.lower().isin(["won", "lost"]))
    # The cast makes every part nullable: a union needs equal schemas, and a
    # workspace may declare some of these columns NOT NULL.
    days = ibis.union(
        opps.select(day=opps.created_on.cast("date")),
        closed.select(day=closed.close_on.cast("date")),
        changes.select(day=changes.entered_on.cast("date")),
        owners.select(day=owners.changed_on.cast("date")),
        pushes.select(day=pushes.changed_on.cast("date")),
        activities.select(day=activities.occurred_on.cast("date")),
    )
    return figures._date(fetch_value(days.day.max()))


def resolve_as_of(workspace: Workspace, as_of: dt.date | None, today: dt.date | None = None) -> tuple[dt.date, list[str]]:
    """as_of as given, else today, or the latest recorded event when that is earlier, with a notice."""
    if as_of is not None:
        return as_of, []
    today = today or dt.datetime.now(dt.timezone.utc).date()
    latest = latest_event(workspace)
    if latest is not None and latest < today:
        return latest, [f"as_of defaults to {latest}, the latest recorded event (today is {today})"]
    return today, [f"as_of defaults to today, {today}"]


@dataclass
class TeamAnalysis:
    """The result of `analyze`: one entry per rep shown, plus totals."""

    as_of: dt.date
    settings: Settings
    spans: dict[str, Span]
    reps: list[dict]
    rep_results: dict[str, dict]
    totals: dict
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _briefs: dict[str, dict] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        with _full_collections_deferred():
            return self._as_dict()

    def _as_dict(self) -> dict:
        return to_json({
            "as_of": self.as_of,
            "period": {name: span.to_dict() for name, span in self.spans.items()},
            "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.settings.as_dict().items()},
            "reps": [self.rep_results[r["rep_id"]]["team_row"] for r in self.reps],
            "totals": self.totals,
            "warnings": self.warnings,
        })

    def brief(self, rep_id: str) -> dict:
        if rep_id not in self.rep_results:
            raise KeyError(rep_id)
        return to_json(self.rep_results[rep_id]["brief"])


def _team_members(team_rows: list[tuple], reps: list[dict], team: str) -> set[str]:
    """Rep ids in team or any team below it."""
    children = defaultdict(set)
    for name, parent, _manager in team_rows:
        if parent:
            children[parent].add(name)
    wanted, frontier = {team}, [team]
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in wanted:
                wanted.add(child)
                frontier.append(child)
    return {r["rep_id"] for r in reps if r["team"] in wanted}


def _goal_rows(workspace: Workspace, table: str) -> dict[str, list[GoalRow]]:
    goals = workspace.table(table)
    rows = defaultdict(list)
    for row in fetch_rows(goals.select("rep_id", "starts_on", "ends_on", "amount")):
        rows[row["rep_id"]].append(
            GoalRow(figures._date(row["starts_on"]), figures._date(row["ends_on"]), int(row["amount"] or 0)))
    return rows


def _thresholds(quantiles: dict, reps: list[dict], stages: list[str], settings: Settings) -> list[dict]:
    """Stale thresholds per rep and stage: the rep's p90 to close, or the team's with too few deals."""
    rows = []
    for rep in reps:
        group = ("team", rep["team"]) if rep["team"] else ("all", figures.ALL)
        for stage in stages:
            own = quantiles.get(("rep", rep["rep_id"], f"to_close:{stage}"))
            if own is not None and own.n >= settings.min_deals and own.p90 is not None:
                days = own.p90
            else:
                team = quantiles.get((group[0], group[1], f"to_close:{stage}"))
                days = team.p90 if team is not None else None
            if days is not None:
                rows.append({"t_rep_id": rep["rep_id"], "t_stage": stage, "t_days": float(days)})
    return rows


_gc_lock = threading.Lock()
_gc_deferrers = 0
_gc_thresholds = gc.get_threshold()
# Collections of the middle generation before a full one, while deferred: more than any analysis makes.
_DEFERRED_FULL_THRESHOLD = 1_000_000


@contextlib.contextmanager
def _full_collections_deferred() -> Iterator[None]:
    """Defer the cyclic garbage collector's full collections while the block runs, in any number of threads.

    An analysis creates hundreds of thousands of objects that live until it
    ends (a dict entry per rep, metric and stage). Each full collection
    scans every object of the process, and with the default thresholds
    several ran during each analysis: about a fifth of its time at a
    million deals. The young generations are still collected, and full
    collections resume with the earlier thresholds when the last deferring
    block ends.
    """
    global _gc_deferrers, _gc_thresholds
    with _gc_lock:
        if _gc_deferrers == 0:
            _gc_thresholds = gc.get_threshold()
            gc.set_threshold(*_gc_thresholds[:2], _DEFERRED_FULL_THRESHOLD)
        _gc_deferrers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_deferrers -= 1
            if _gc_deferrers == 0:
                gc.set_threshold(*_gc_thresholds)


def analyze(workspace: Workspace, *, settings: Settings, as_of: dt.date | None = None,
            team: str | None = None, today: dt.date | None = None,
            briefs_for: set[str] | None = None) -> TeamAnalysis:
    """Analyse every rep on as_of, set-based: a fixed number of queries whatever the number of reps.

    briefs_for names the reps whose briefs list their open deals (one more query).
    """
    # PySpark frees a Java object only once Python frees its proxy, and proxies in reference cycles wait for the
    # collector. With the collector switched off during analyses, Spark's JVM ran out of memory (in the test suite
    # and at a million deals). Spark keeps the usual thresholds, because its time goes to the cluster anyway.
    deferred = contextlib.nullcontext() if workspace.backend.name == "pyspark" else _full_collections_deferred()
    with deferred:
        return _analyze(workspace, settings=settings, as_of=as_of, team=team, today=today, briefs_for=briefs_for)


def _analyze(workspace: Workspace, *, settings: Settings, as_of: dt.date | None, team: str | None,
             today: dt.date | None, briefs_for: set[str] | None) -> TeamAnalysis:
    started = time.perf_counter()
    tables = {name: workspace.table(name) for name in CANONICAL_TABLES}
    if fetch_value(tables["opportunities"].count()) == 0:
        raise EmptyWorkspaceError(f"the workspace {workspace.label} has no opportunities")
    as_of, notices = resolve_as_of(workspace, as_of, today)

    results, results_note = results_span(as_of, settings)
    spans = {"results": results, **requirement_spans(as_of, settings),
             "horizon": horizon_span(as_of, settings), "lookback": lookback_span(as_of, settings)}
    previous = lookback_span(as_of, settings, periods_back=1)
    booking_spans = {name: spans[name] for name in ("results", "month", "quarter", "year", "lookback")}

    reps = tables["reps"].order_by(["name", "rep_id"])
    rep_rows = [
        {**r, "start_date": figures._date(r["start_date"]), "end_date": figures._date(r["end_date"])}
        for r in fetch_rows(reps.select("rep_id", "name", "team", "start_date", "end_date"))
    ]
    team_rows = [(r["team"], r["parent_team"], r["manager"])
                 for r in fetch_rows(tables["teams"].select("team", "parent_team", "manager"))]
    stages = tables["stages"].order_by(["position", "stage"])
    stage_rows = [(r["stage"], r["position"], r["kind"], r["exit_criteria"])
                  for r in fetch_rows(stages.select("stage", "position", "kind", "exit_criteria"))]
    open_stages = [s[0] for s in stage_rows if (s[2] or "open").lower() == "open"]

    version = data_version(workspace) if getattr(workspace, "dialect", None) in {"sqlite", "duckdb", "postgres"} else None
    views = build_views(workspace.backend, tables, as_of, spans["lookback"], data_version=version)
    threshold_table = None
    try:
        sums = figures.rep_sums(views, as_of, spans["lookback"], previous, booking_spans)
        known_ids = {r["rep_id"] for r in rep_rows}
        for rep_id in sorted(set(sums) - known_ids):
            rep_rows.append({"rep_id": rep_id, "name": rep_id, "team": None, "start_date": None, "end_date": None})
        # The whole workspace's figures stand in for the team of a rep without one; the totals read its cycle.
        whole_workspace = None if any(not r["team"] for r in rep_rows) else {"cycle_won"}
        rep_teams = {r["rep_id"]: r["team"] for r in rep_rows}
        quantiles = figures.quantiles(views, previous, workspace.backend, rep_teams, whole_workspace,
                                      stage_changes=tables["stage_changes"])
        stage_counts = figures.stage_counts(views)
        threshold_rows = _thresholds(quantiles, rep_rows, open_stages, settings)
        if threshold_rows:
            threshold_table = materialise(
                workspace.backend, views.scratch("thresholds"),
                ibis.memtable(pa.Table.from_pylist(threshold_rows)))
        active = figures.active_open(views, threshold_table)
        quota_rows = _goal_rows(workspace, "quotas")
        aspiration_rows = _goal_rows(workspace, "aspirations")
        covered_quota = figures.covered_bookings(views, tables["quotas"], as_of, booking_spans)
        covered_aspiration = figures.covered_bookings(views, tables["aspirations"], as_of, booking_spans)
        earliest = figures.earliest_event(views)
        activity = _activity_ratios(tables["activities"], spans["lookback"])

        context = RepContext(
            as_of=as_of, settings=settings, spans=spans, results_note=results_note, sums=sums,
            quantiles=quantiles, stage_counts=stage_counts, active=active, quota_rows=quota_rows,
            aspiration_rows=aspiration_rows, covered_quota=covered_quota, covered_aspiration=covered_aspiration,
            earliest=earliest, reps=rep_rows, stage_rows=stage_rows, open_stages=open_stages,
            activity_ratios=activity,
        )
        rep_results = {rep["rep_id"]: evaluate_rep(context, rep) for rep in rep_rows}

        shown = rep_rows
        if team is not None:
            known_teams = sorted({t[0] for t in team_rows} | {r["team"] for r in rep_rows if r["team"]})
            if team not in known_teams:
                by_folded = {name.casefold(): name for name in known_teams}
                if team.casefold() not in by_folded:
                    raise AnalysisError(f"unknown team {team!r}; known teams: {', '.join(known_teams)}")
                team = by_folded[team.casefold()]
            members = _team_members(team_rows, rep_rows, team)
            shown = [r for r in rep_rows if r["rep_id"] in members]
        # Open deals to review, in one query, only for the reps whose brief is asked for.
        if briefs_for:
            wanted = sorted(set(briefs_for) & set(rep_results))
            deals = figures.open_deals(views, wanted, threshold_table, tables["stages"], tables["opportunities"])
            for rep_id in wanted:
                attach_open_deals(rep_results[rep_id], deals.get(rep_id, []))
        totals = team_totals(context, [rep_results[r["rep_id"]] for r in shown], team)
    finally:
        drop_views(workspace.backend, views)
        if threshold_table is not None:
            try:
                release(workspace.backend, threshold_table.get_name())
            except Exception:  # noqa: BLE001 - a temporary table vanishes with the connection anyway
                pass

    warnings = []
    if results_note:
        warnings.append(results_note)
    log.info("analysed %s reps on %s in %.2fs", len(rep_rows), as_of, time.perf_counter() - started)
    return TeamAnalysis(as_of, settings, spans, shown, rep_results, totals, notices, warnings)


def _activity_ratios(activities: ir.Table, lookback: Span) -> dict[str, dict[str, int]]:
    """Activities per rep and kind over the lookback (empty when none are imported)."""
    in_lookback = activities.filter(
        (activities.occurred_on >= ibis.date(lookback.start)) & (activities.occurred_on <= ibis.date(lookback.end))
    )
    totals = in_lookback.group_by(["rep_id", "kind"]).aggregate(total=in_lookback["count"].sum())
    result: dict[str, dict[str, int]] = defaultdict(dict)
    for row in fetch_rows(totals):
        result[row["rep_id"]][row["kind"]] = int(row["total"] or 0)
    return result
