"""Set-based queries that turn the point-in-time views into per-rep and per-team figures.

Each function runs a fixed number of queries whatever the number of reps:
sums per rep (which pool exactly into teams), and quantiles per rep, per
team and for the whole workspace in one ranked query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Collection, Mapping, NamedTuple

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from rasr.engine.dataset import (
    Views, days_between, fetch_arrow, fetch_rows, fetch_value, materialise, release_quietly, stores_steps,
)
from rasr.engine.periods import Span
from rasr.engine.quantiles import grouped_quantiles, regroup, sort_values, summarise

ALL = "*"  # the group of every rep in the workspace


class Quantile(NamedTuple):
    """The count, mean, median and 90th percentile of one metric's per-deal values in one group."""

    n: int
    mean: float | None
    median: float | None
    p90: float | None


@dataclass
class StageFigures:
    """Counts per stage for one rep: durations, stage-to-win and conversion."""

    entered_closed: int = 0
    entered_won: int = 0
    entered_advanced: int = 0


@dataclass
class RepSums:
    """Additive figures of one rep; amounts in cents."""

    values: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, StageFigures] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key) or 0


def _sum_if(condition: ir.BooleanValue, value: ir.Value | int = 1) -> ir.Value:
    if isinstance(value, int):
        # int32, not int64: PostgreSQL casts boolean to integer but not to bigint.
        return condition.cast("int32").sum()
    return ibis.cases((condition, value), else_=ibis.null(value.type())).sum()


def rep_sums(views: Views, as_of: dt.date, lookback: Span, previous: Span, spans: dict[str, Span]) -> dict[str, dict]:
    """Sum the additive figures of each rep over the point-in-time deals, in one query."""
    d = views.deals
    a = ibis.date(as_of)
    q = d.is_qualified
    closed_lb = q & d.closed_in_lookback
    won_lb = closed_lb & (d.state == "won")
    lost_lb = closed_lb & (d.state == "lost")
    has_amount = d.amount.notnull()
    booked = (d.state == "won") & ~d.booked_elsewhere
    open_q = q & d.is_open
    previous_won = q & (d.state == "won") & (d.closed_on >= ibis.date(previous.start)) & (
        d.closed_on <= ibis.date(previous.end))
    new_q = d.qualified_on.notnull() & (d.qualified_on >= ibis.date(lookback.start)) & (d.qualified_on <= a)

    metrics: dict[str, ir.Value] = {
        "won": _sum_if(won_lb),
        "lost": _sum_if(lost_lb),
        "closed": _sum_if(closed_lb),
        "closed_with_amount": _sum_if(closed_lb & has_amount),
        "closed_amount": _sum_if(closed_lb & has_amount, d.amount),
        "won_amount": _sum_if(won_lb & has_amount, d.amount),
        "won_with_amount": _sum_if(won_lb & has_amount),
        "won_amount_max": ibis.cases((won_lb & has_amount, d.amount), else_=ibis.null("int64")).max(),
        "closed_missing_amount": _sum_if(closed_lb & ~has_amount),
        "cycle_won_sum": _sum_if(won_lb & d.cycle_days.notnull(), d.cycle_days),
        "cycle_won_n": _sum_if(won_lb & d.cycle_days.notnull()),
        "previous_won": _sum_if(previous_won),
        "open_count": _sum_if(open_q),
        "open_amount": _sum_if(open_q & has_amount, d.amount),
        "open_missing_amount": _sum_if(open_q & ~has_amount),
        "new_qualified": _sum_if(new_q),
        "new_qualified_amount": _sum_if(new_q & has_amount, d.amount),
        "active_in_lookback": _sum_if(q & (d.is_open | (d.closed_on >= ibis.date(lookback.start)))),
        "bad_dates": _sum_if(d.bad_dates),
        "booked_elsewhere": _sum_if(d.booked_elsewhere),
        "regressions_lb": _sum_if(closed_lb, d.regressions),
        "deals": d.opp_id.count(),
    }
    for name, span in spans.items():
        in_span = booked & (d.closed_on >= ibis.date(span.start)) & (d.closed_on <= ibis.date(min(span.end, as_of)))
        metrics[f"bookings:{name}"] = _sum_if(in_span & has_amount, d.amount)
        metrics[f"bookings_missing:{name}"] = _sum_if(in_span & ~has_amount)
    rows = fetch_rows(d.group_by("rep_id").aggregate(**metrics))
    return {row["rep_id"]: _clean(row) for row in rows}


def covered_bookings(views: Views, goals: ir.Table, as_of: dt.date, spans: dict[str, Span]) -> dict[str, dict]:
    """Bookings per rep and span on days that a goal row covers (quota or aspiration rows)."""
    d = views.deals
    wins = d.filter((d.state == "won") & ~d.booked_elsewhere & d.amount.notnull())
    wins = wins.select(w_rep_id=wins.rep_id, w_closed_on=wins.closed_on, w_amount=wins.amount)
    joined = wins.join(goals, [wins.w_rep_id == goals.rep_id, wins.w_closed_on >= goals.starts_on,
                               wins.w_closed_on <= goals.ends_on])
    metrics = {}
    for name, span in spans.items():
        in_span = (joined.w_closed_on >= ibis.date(span.start)) & (joined.w_closed_on <= ibis.date(min(span.end, as_of)))
        metrics[name] = _sum_if(in_span, joined.w_amount)
    rows = fetch_rows(joined.group_by(rep_id=joined.w_rep_id).aggregate(**metrics))
    return {row["rep_id"]: _clean(row) for row in rows}


def stage_counts(views: Views) -> dict[str, dict[str, StageFigures]]:
    """Per rep and stage: deals that entered the stage and closed in the lookback, won, and advanced."""
    st = views.stages
    rows = fetch_rows(st.group_by(["rep_id", "stage"]).aggregate(
        entered_closed=st.opp_key.count(),
        entered_won=st.won.cast("int32").sum(),
        entered_advanced=st.advanced.cast("int32").sum(),
    ))
    result: dict[str, dict[str, StageFigures]] = defaultdict(dict)
    for row in rows:
        result[row["rep_id"]][row["stage"]] = StageFigures(
            int(row["entered_closed"]), int(row["entered_won"] or 0), int(row["entered_advanced"] or 0)
        )
    return result


# The metrics whose median or percentile is taken. _long_values names each by its index here.
QUANTILE_METRICS = ("cycle_won", "won_size", "cycle_lost", "cycle_previous", "stage_days", "to_close")
_METRIC_CODES = {name: code for code, name in enumerate(QUANTILE_METRICS)}

# Backends whose per-deal values are fetched and their quantiles computed in NumPy (see
# rasr.engine.quantiles). Spark ranks them in the cluster, where the data is.
# NOTE: a PostgreSQL server on another machine sends every per-deal value of the lookback over
# the network, about 3M rows at a million deals. Only a server on the same machine was measured.
NUMPY_QUANTILES = frozenset({"duckdb", "sqlite", "postgres"})


def _long_values(views: Views, previous: Span, value_type: str,
                 stage_codes: Mapping[str, int] | None = None,
                 metrics: Collection[str] = QUANTILE_METRICS) -> ir.Table:
    """Collect every per-deal value that a median or percentile is taken of.

    Rows are (rep_id, team, metric, stage, value): metric is the code of
    its name in QUANTILE_METRICS, stage is set only for the per-stage
    metrics stage_days and to_close, and value (days or cents) is cast to
    value_type. NULL values are left out.

    With stage_codes (every stage name that can occur, to its code), metric
    and stage are one integer column instead, measure: the metric's code
    times (len(stage_codes) + 1) plus the stage's code, where code
    len(stage_codes) stands for no stage. So no text is sent.

    metrics names the metrics collected (default: all).
    """
    d = views.deals
    closed_lb = d.is_qualified & d.closed_in_lookback
    parts = []
    if stage_codes is not None:
        per_metric = len(stage_codes) + 1

    def add(table: ir.Table, metric: str, value: ir.Value, stage: ir.StringValue | None = None) -> None:
        if metric not in metrics:
            return
        code = _METRIC_CODES[metric]
        if stage_codes is None:
            labels = {"metric": ibis.literal(code, "int8"),
                      "stage": ibis.null("string") if stage is None else stage}
        elif stage is None:
            labels = {"measure": ibis.literal(code * per_metric + len(stage_codes), "int32")}
        else:
            # Every stage is in stage_codes, so the fallback -1 never shows (the caller checks).
            # Without any stage there are no rows either.
            branches = [(stage == name, code * per_metric + number) for name, number in stage_codes.items()]
            measure = ibis.cases(*branches, else_=-1) if branches else ibis.literal(-1)
            labels = {"measure": measure.cast("int32")}
        parts.append(table.select(rep_id=table.rep_id, team=table.team, **labels, value=value.cast(value_type)))

    won = d.filter(closed_lb & (d.state == "won"))
    add(won, "cycle_won", won.cycle_days)
    add(won, "won_size", won.amount)
    lost = d.filter(closed_lb & (d.state == "lost"))
    add(lost, "cycle_lost", lost.cycle_days)
    prev = d.filter(d.is_qualified & (d.state == "won") & (d.closed_on >= ibis.date(previous.start))
                    & (d.closed_on <= ibis.date(previous.end)))
    add(prev, "cycle_previous", prev.cycle_days)

    # Time in stage: per deal, the days of its visits of a stage that ended in the lookback.
    # Only the stages a deal visited more than once need their visits summed.
    ended = views.ended.filter(~views.ended.bad_dates & (views.ended.kind == "open"))
    once = ended.filter(~ended.stage_repeats)
    add(once, "stage_days", once.days, once.stage)
    again = ended.filter(ended.stage_repeats)
    # DuckDB sums integers into a 128-bit type, which Ibis types as int64 and so casts to int64 no further:
    # the int32 cast keeps the union's values plain 64-bit integers.
    per_deal = again.group_by(["rep_id", "team", "opp_key", "stage"]).aggregate(
        days=again.days.sum().cast("int32"))
    add(per_deal, "stage_days", per_deal.days, per_deal.stage)

    # Stale thresholds: days from the last entry into a stage to close, closed deals in the lookback.
    st = views.stages.filter(~views.stages.bad_dates)
    add(st, "to_close", days_between(st.closed_on, st.last_on), st.stage)
    values = ibis.union(*parts)
    return values.filter(values.value.notnull())


def _metric_key(code: int, stage: str | None) -> str:
    """Return the key of a metric in the result of `quantiles`: its name, then ":<stage>" for a per-stage metric."""
    name = QUANTILE_METRICS[code]
    return name if stage is None else f"{name}:{stage}"


def quantiles(views: Views, previous: Span, backend, rep_teams: Mapping[str, str | None],
              whole_workspace: Collection[str] | None = None, *,
              stage_changes: ir.Table) -> dict[tuple[str, str, str], Quantile]:
    """Compute quantiles keyed by (scope, group, metric), where scope is "rep", "team" or "all".

    A per-stage metric is keyed "stage_days:<stage>" or "to_close:<stage>".
    The per-deal values are grouped three times, once per scope.
    rep_teams gives the team of every rep that owns a deal (None for none):
    a deal's team is its owner's. whole_workspace names the metrics
    computed for the "all" group (None: every metric); reps without a team
    read every metric there. stage_changes is the workspace's table of
    stage changes, whose stage names code the per-stage values.
    """
    if backend.name in NUMPY_QUANTILES:
        return _quantiles_numpy(views, previous, backend, rep_teams, whole_workspace, stage_changes)
    name = views.scratch("values")
    values = _long_values(views, previous, "float64")
    if stores_steps(backend):
        values = materialise(backend, name, values)
    try:
        keys = ["grp", "metric", "stage"]
        scopes = [
            ("rep", values.mutate(grp=values.rep_id)),
            ("team", values.filter(values.team.notnull()).mutate(grp=values.team)),
            ("all", (values if whole_workspace is None
                     else values.filter(values.metric.isin([_METRIC_CODES[m] for m in whole_workspace])))
             .mutate(grp=ibis.literal(ALL))),
        ]
        table = ibis.union(*(
            grouped_quantiles(scoped, keys).mutate(scope=ibis.literal(scope))
            for scope, scoped in scopes
        ))
        rows = fetch_rows(table)
    finally:
        release_quietly(backend, name)
    result = {}
    for row in rows:
        result[(row["scope"], row["grp"], _metric_key(row["metric"], row["stage"]))] = Quantile(
            int(row["n"]), _float(row["mean"]), _float(row["median"]), _float(row["p90"])
        )
    return result


def _quantiles_numpy(views: Views, previous: Span, backend, rep_teams: Mapping[str, str | None],
                    whole_workspace: Collection[str] | None,
                    stage_changes: ir.Table) -> dict[tuple[str, str, str], Quantile]:
    """Compute `quantiles` from the fetched per-deal values, with no query per group.

    Each value comes with one integer code of its rep, metric and stage,
    computed in the workspace with a small table of rep codes, so no text
    is sent or encoded here (30M values at 10M deals). The values are sorted
    once by that code and value; the team and whole-workspace figures
    re-sort those sorted runs by team and by metric. Days and cents are
    fetched and sorted apart, so that the keys of days fit in 32 bits.
    """
    rep_names = list(rep_teams)
    team_names = sorted({team for team in rep_teams.values() if team is not None})
    team_codes = {team: code for code, team in enumerate(team_names)}
    rep_team = np.array([team_codes.get(rep_teams[rep], -1) for rep in rep_names], dtype=np.int64)
    codes = pa.table({"q_rep_id": pa.array(rep_names, pa.string()),
                      "q_rep": pa.array(range(len(rep_names)), pa.int32())})
    # Every visit's stage comes from the stage history, so its names cover every per-stage value.
    stage_names = sorted(row["stage"] for row in fetch_rows(stage_changes.select("stage").distinct())
                         if row["stage"] is not None)
    stage_codes = {stage: code for code, stage in enumerate(stage_names)}
    per_metric = len(stage_names) + 1
    measures = len(QUANTILE_METRICS) * per_metric
    name = views.scratch("rep_codes")
    fetched = []
    try:
        code_table = materialise(backend, name, ibis.memtable(codes))
        for metrics, value_type in (([m for m in QUANTILE_METRICS if m != "won_size"], "int32"),
                                    (["won_size"], "int64")):
            values = _long_values(views, previous, value_type, stage_codes, metrics)
            joined = values.left_join(code_table, values.rep_id == code_table.q_rep_id)
            # A rep missing from rep_teams or a stage missing from stage_codes gives -1.
            group = ibis.cases(
                (joined.q_rep.isnull() | (joined.measure < 0), -1),
                else_=joined.q_rep * measures + joined.measure,
            ).cast("int32" if len(rep_names) * measures < 2**31 else "int64")
            table = fetch_arrow(joined.select(group=group, value=joined.value))
            fetched.append((table["group"].to_numpy(), table["value"].to_numpy()))
            del table
    finally:
        release_quietly(backend, name)
    for group, _ in fetched:
        if len(group) and group.min() < 0:
            raise ValueError("a per-deal value's rep is missing from rep_teams, or its stage from stage_changes: "
                             "pass every rep of the analysis and the workspace's stage_changes table")
    metric_keys = [_metric_key(code, stage) for code in range(len(QUANTILE_METRICS)) for stage in [*stage_names, None]]
    # Group codes per scope, indexed by a rep's group code rep * measures + measure (-1: not in the scope).
    team_of = np.repeat(rep_team, measures)
    measure_of = np.tile(np.arange(measures, dtype=np.int64), len(rep_names))
    to_team = np.where(team_of >= 0, team_of * measures + measure_of, -1)
    to_all = measure_of
    if whole_workspace is not None:
        in_whole_workspace = np.isin(measure_of // per_metric, [_METRIC_CODES[m] for m in whole_workspace])
        to_all = np.where(in_whole_workspace, measure_of, -1)
    del team_of

    result = {}
    while fetched:
        group, value = fetched.pop(0)
        by_rep = sort_values(group, value, reuse_group=True)
        del group, value
        for scope, names, figures in (("rep", rep_names, summarise(by_rep)),
                                      ("team", team_names, summarise(regroup(by_rep, to_team))),
                                      ("all", [ALL], summarise(regroup(by_rep, to_all)))):
            owners, measure_codes = np.divmod(figures.group, measures)
            keys = zip(repeat(scope), map(names.__getitem__, owners.tolist()),
                       map(metric_keys.__getitem__, measure_codes.tolist()))
            quantile = map(Quantile, figures.n.tolist(), figures.mean.tolist(), figures.median.tolist(),
                           figures.p90.tolist())
            result.update(zip(keys, quantile))
    return result


def active_open(views: Views, thresholds: ir.Table | None) -> dict[str, dict]:
    """Per rep: open qualified deals that are not stale, by count and amount, and the stale ones."""
    d = views.deals
    open_q = d.filter(d.is_qualified & d.is_open)
    if thresholds is not None:
        joined = open_q.left_join(thresholds, [open_q.rep_id == thresholds.t_rep_id, open_q.stage == thresholds.t_stage])
        stale = (joined.stage_age_days > joined.t_days).fill_null(False)
    else:
        joined = open_q
        stale = ibis.literal(False)
    flagged = joined.mutate(stale=stale)
    rows = fetch_rows(flagged.group_by("rep_id").aggregate(
        open_count_active=_sum_if(~flagged.stale),
        open_amount_active=_sum_if(~flagged.stale & flagged.amount.notnull(), flagged.amount),
        stale_count=_sum_if(flagged.stale),
        slipped_count=_sum_if(flagged.slipped),
    ))
    return {row["rep_id"]: _clean(row) for row in rows}


def open_deals(views: Views, rep_ids: list[str], thresholds: ir.Table | None,
               stages: ir.Table, opportunities: ir.Table) -> dict[str, list[dict]]:
    """Fetch the open qualified deals of the given reps on as_of, with stale and slipped flags, by rep."""
    d = views.deals
    mine = d.filter(d.is_qualified & d.is_open & d.rep_id.isin(rep_ids))
    if thresholds is not None:
        mine = mine.left_join(thresholds, [mine.rep_id == thresholds.t_rep_id, mine.stage == thresholds.t_stage])
        mine = mine.mutate(stale=(mine.stage_age_days > mine.t_days).fill_null(False), stale_after=mine.t_days)
    else:
        mine = mine.mutate(stale=ibis.literal(False), stale_after=ibis.null("float64"))
    exits = stages.select(x_stage=stages.stage, exit_criteria=stages.exit_criteria)
    mine = mine.left_join(exits, mine.stage == exits.x_stage)
    texts = opportunities.select(t_opp_id=opportunities.opp_id, name=opportunities.name,
                                 account=opportunities.account, next_step=opportunities.next_step)
    mine = mine.join(texts, mine.opp_id == texts.t_opp_id)
    rows = fetch_rows(mine.select(
        "rep_id", "opp_id", "name", "account", "stage", "amount", "stage_age_days", "expected_close_on", "stale",
        "stale_after", "slipped", "close_pushes", "exit_criteria", "next_step",
    ))
    result: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        result[row["rep_id"]].append(_clean(row))
    return result


def earliest_event(views: Views) -> dt.date | None:
    value = fetch_value(views.deals.created_eff.min())
    return _date(value)


def _float(value: Any) -> float | None:
    try:
        if value is None:
            return None
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        if value != value:  # NaT
            return None
    except TypeError:
        pass
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _clean(row: dict) -> dict:
    """Turn pandas' NaN, NaT and numpy scalars into None and Python values."""
    clean = {}
    for key, value in row.items():
        if value is None:
            clean[key] = None
            continue
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            try:
                value = value.item()
            except (ValueError, AttributeError):
                pass
        if isinstance(value, float) and value != value:
            clean[key] = None
        elif type(value).__name__ in {"NaTType", "NAType"}:
            clean[key] = None
        elif type(value).__name__ == "Timestamp":
            clean[key] = value.date() if key.endswith("_on") else value.to_pydatetime()
        else:
            clean[key] = value
    return clean
