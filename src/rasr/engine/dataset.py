"""Point-in-time views of the workspace: every deal and stage visit as it stood on as_of.

Everything here is an Ibis expression over the canonical tables, so it runs
unchanged on DuckDB, SQLite, PostgreSQL and PySpark. `build_views`
materialises the two views (see `materialise`), and the metric queries then
share them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from rasr.engine.periods import Span

log = logging.getLogger(__name__)

CLOSED = ("won", "lost")
_view_ids = itertools.count()


def earliest(*values: ir.Value) -> ir.Value:
    """Return the earliest non-null value, NULL only when all are NULL.

    Written out as CASE because SQLite's scalar MIN() returns NULL when any
    argument is NULL, while PostgreSQL's LEAST skips NULLs.
    """
    result = values[0]
    for value in values[1:]:
        result = ibis.cases(
            (result.isnull(), value),
            (value.isnull(), result),
            (value < result, value),
            else_=result,
        )
    return result


def days_between(later: ir.Value, earlier: ir.Value) -> ir.IntegerValue:
    return later.delta(earlier, unit="day")


def _stage_attributes(stages: ir.Table) -> ir.Table:
    return stages.select(
        s_stage=stages.stage,
        s_position=stages.position,
        s_qualified=stages.is_qualified.fill_null(True),
        s_kind=stages.kind.lower().fill_null("open"),
        s_exit_criteria=stages.exit_criteria,
    )


def stage_history(tables: dict[str, ir.Table]) -> ir.Table:
    """Return every recorded stage change with its stage's position, qualification and kind.

    A stage missing from the stages table counts as a qualified open stage
    without a position.
    """
    changes = tables["stage_changes"]
    attrs = _stage_attributes(tables["stages"])
    joined = changes.left_join(attrs, changes.stage == attrs.s_stage)
    return joined.select(
        opp_id=changes.opp_id,
        stage=changes.stage,
        entered_at=changes.entered_at,
        entered_on=changes.entered_on,
        position=attrs.s_position,
        is_qualified=attrs.s_qualified.fill_null(True),
        kind=attrs.s_kind.fill_null("open"),
    )


def collapse_visits(history: ir.Table) -> ir.Table:
    """Collapse the whole stage history into visits: consecutive rows of one stage are one visit.

    A Salesforce-style snapshot row repeats the stage on any tracked change,
    so only a change of stage starts a new visit. The result does not depend
    on as_of, because the visits up to any day are a prefix of these, which
    lets a workspace keep it between analyses. next_all_on is the start of
    the next visit in the whole history; stage_repeats marks the visits of
    a stage that the deal visits more than once. opp_key numbers the opportunities
    with a stage history, so that the later joins and groupings of millions
    of visits compare integers instead of text ids.
    """
    order = ibis.window(group_by=history.opp_id, order_by=[history.entered_at, history.position, history.stage])
    marked = history.mutate(previous_stage=history.stage.lag().over(order))
    starts = marked.filter(marked.previous_stage.isnull() | (marked.previous_stage != marked.stage))
    order = ibis.window(group_by=starts.opp_id, order_by=[starts.entered_at, starts.position, starts.stage])
    visits = starts.mutate(
        next_all_on=starts.entered_on.lead().over(order),
        previous_position=starts.position.lag().over(order),
        visit_no=ibis.row_number().over(order),
    )
    visits = visits.mutate(
        is_regression=(visits.position < visits.previous_position).fill_null(False),
    ).drop("previous_stage")
    # Moves back so far, this visit included: the last visit up to any as_of carries the deal's count.
    so_far = ibis.window(group_by=visits.opp_id, order_by=visits.visit_no, preceding=None, following=0)
    return visits.mutate(
        regressions_so_far=visits.is_regression.cast("int32").sum().over(so_far),
        stage_repeats=visits.visit_no.count().over(ibis.window(group_by=[visits.opp_id, visits.stage])) > 1,
        opp_key=ibis.dense_rank().over(ibis.window(order_by=visits.opp_id)),
    )


def stage_visits(collapsed: ir.Table, as_of: dt.date) -> ir.Table:
    """Select the visits recorded up to as_of from `collapse_visits`.

    Each visit ends when the next one starts. The visit still open on as_of
    has no end (next_on is NULL), so it is the deal's last visit then.
    """
    a = ibis.date(as_of)
    known = collapsed.filter(collapsed.entered_on <= a)
    next_on = ibis.cases((known.next_all_on <= a, known.next_all_on), else_=ibis.null("date"))
    visits = known.mutate(next_on=next_on)
    return visits.mutate(
        is_last=visits.next_on.isnull(),
        days=days_between(visits.next_on, visits.entered_on),
    ).drop("next_all_on")


def latest_owners(deals: ir.Table, owner_changes: ir.Table) -> ir.Table:
    """Find the owner of each deal on its reference date (close for closed deals, as_of for open ones)."""
    changes = owner_changes.select(
        oc_opp_id=owner_changes.opp_id,
        oc_changed_at=owner_changes.changed_at,
        oc_changed_on=owner_changes.changed_on,
        oc_rep_id=owner_changes.rep_id,
        oc_from_rep_id=owner_changes.from_rep_id,
    )
    refs = deals.select(r_opp_id=deals.opp_id, r_ref_on=deals.ref_on)
    before = refs.join(changes, [refs.r_opp_id == changes.oc_opp_id, changes.oc_changed_on <= refs.r_ref_on])
    order = ibis.window(group_by=before.r_opp_id, order_by=ibis.desc(before.oc_changed_at))
    latest = before.mutate(rank=ibis.row_number().over(order))
    latest = latest.filter(latest.rank == 0).select(
        lo_opp_id=latest.r_opp_id, lo_rep_id=latest.oc_rep_id
    )
    order_first = ibis.window(group_by=changes.oc_opp_id, order_by=changes.oc_changed_at)
    first = changes.mutate(rank=ibis.row_number().over(order_first))
    first = first.filter(first.rank == 0).select(
        fo_opp_id=first.oc_opp_id, fo_from_rep_id=first.oc_from_rep_id, fo_has_history=ibis.literal(True)
    )
    return latest.outer_join(first, latest.lo_opp_id == first.fo_opp_id).select(
        ow_opp_id=ibis.coalesce(latest.lo_opp_id, first.fo_opp_id),
        ow_rep_id=latest.lo_rep_id,
        ow_from_rep_id=first.fo_from_rep_id,
        ow_has_history=first.fo_has_history.fill_null(False),
    )


def history_summary(collapsed: ir.Table) -> ir.Table:
    """Per opportunity, its key, first stage change and first entry into a qualified stage (any date).

    collapsed is `collapse_visits(...)`: a visit starts with the first row
    of its stage, so the earliest visits give the earliest rows.
    """
    return collapsed.group_by(h_opp_id=collapsed.opp_id).aggregate(
        h_opp_key=collapsed.opp_key.min(),
        h_first_on=collapsed.entered_on.min(),
        h_first_qualified_on=collapsed.entered_on.min(where=collapsed.is_qualified),
    )


def deal_states(tables: dict[str, ir.Table], whole: ir.Table, visits: ir.Table, as_of: dt.date) -> ir.Table:
    """Build one row per opportunity that exists on as_of, with its state and dates on that day.

    whole is `history_summary(...)` and visits `stage_visits(...)` on as_of.
    """
    opps = tables["opportunities"]
    a = ibis.date(as_of)

    last = visits.filter(visits.is_last).select(
        l_opp_key=visits.opp_key,
        l_stage=visits.stage,
        l_entered_on=visits.entered_on,
        l_kind=visits.kind,
        # Visits up to as_of are a prefix, so the last one's 0-based number counts the changes,
        # and its running count of moves back is the deal's.
        l_changes=visits.visit_no,
        l_regressions=visits.regressions_so_far,
    )
    attrs = _stage_attributes(tables["stages"])

    base = (
        opps.left_join(whole, opps.opp_id == whole.h_opp_id)
        .left_join(last, whole.h_opp_key == last.l_opp_key)
        .left_join(attrs, opps.stage == attrs.s_stage)
    )
    status = opps.status.lower()
    closed_now = status.isin(CLOSED) & opps.close_on.notnull() & (opps.close_on <= a)
    closed_in_history = base.l_kind.isin(CLOSED)
    state = ibis.cases((closed_now, status), (closed_in_history, base.l_kind), else_="open")
    closed_on = ibis.cases(
        (closed_now, opps.close_on), (closed_in_history, base.l_entered_on), else_=ibis.null("date")
    )
    created_eff = earliest(
        opps.created_on,
        base.h_first_on,
        ibis.cases((status.isin(CLOSED), opps.close_on), else_=ibis.null("date")),
    )
    has_history = base.h_first_on.notnull()
    current_stage_unqualified = (base.s_qualified == False).fill_null(False)  # noqa: E712 (SQL comparison)
    undated_qualified_on = ibis.cases((current_stage_unqualified, ibis.null("date")), else_=created_eff)
    qualified_on = ibis.cases((has_history, base.h_first_qualified_on), else_=undated_qualified_on)
    qualified_on = ibis.cases((state == "won", earliest(qualified_on, closed_on)), else_=qualified_on)
    # Without history the current stage stands for the stage on as_of, unless
    # it is a closing stage of a deal that was still open then.
    current_stage_open = base.s_kind.fill_null("open") == "open"
    stage = ibis.cases(
        (base.l_stage.notnull(), base.l_stage),
        (has_history | ~current_stage_open, ibis.null("string")),
        else_=opps.stage,
    )
    stage_entered_on = ibis.cases((base.l_stage.notnull(), base.l_entered_on), else_=created_eff)
    bad_dates = (opps.close_on < opps.created_on).fill_null(False) | (
        closed_on < base.h_first_qualified_on
    ).fill_null(False)
    amount = ibis.cases(
        ((opps.amount > 0) & ~opps.unpriced.fill_null(False), opps.amount), else_=ibis.null("int64")
    )

    deals = base.select(
        opp_id=opps.opp_id,
        opp_key=base.h_opp_key,
        current_rep_id=opps.rep_id,
        status=status,
        state=state,
        closed_on=closed_on,
        created_on=opps.created_on,
        created_eff=created_eff,
        qualified_on=qualified_on,
        stage=stage,
        stage_entered_on=stage_entered_on,
        amount=amount,
        expected_close_on=opps.close_on,
        bad_dates=bad_dates,
        stage_changes=base.l_changes.fill_null(0),
        regressions=base.l_regressions.fill_null(0),
        ref_on=ibis.cases((state.isin(CLOSED), closed_on), else_=a),
    )
    return deals.filter(deals.created_eff.notnull() & (deals.created_eff <= a))


def close_pushes(close_changes: ir.Table, as_of: dt.date) -> ir.Table:
    """Per opportunity, how often its expected close date moved later up to as_of."""
    known = close_changes.filter(close_changes.changed_on <= ibis.date(as_of))
    order = ibis.window(group_by=known.opp_id, order_by=known.changed_at)
    moves = known.mutate(previous=known.close_on.lag().over(order))
    # int32, not int64: PostgreSQL casts boolean to integer but not to bigint.
    return moves.group_by(p_opp_id=moves.opp_id).aggregate(
        p_pushes=(moves.close_on > moves.previous).fill_null(False).cast("int32").sum()
    )


def deal_facts(tables: dict[str, ir.Table], states: ir.Table, owners: ir.Table, pushes: ir.Table) -> ir.Table:
    """Add to `deal_states` each deal's owner and team, whether its win is booked elsewhere, and its cycle.

    owners is `latest_owners(states, ...)` and pushes `close_pushes(...)`.
    The columns added depend on as_of only through states, owners and
    pushes; `deal_flags` adds those that compare dates with as_of.
    """
    reps = tables["reps"].select(rp_rep_id="rep_id", rp_team="team", rp_start_date="start_date")
    joined = (
        states.left_join(owners, states.opp_id == owners.ow_opp_id)
        .left_join(pushes, states.opp_id == pushes.p_opp_id)
    )
    rep_id = ibis.coalesce(joined.ow_rep_id, joined.ow_from_rep_id, joined.current_rep_id)
    joined = joined.mutate(
        rep_id=rep_id,
        owner_history=joined.ow_has_history.fill_null(False),
        close_pushes=joined.p_pushes.fill_null(0),
    )
    joined = joined.left_join(reps, joined.rep_id == reps.rp_rep_id)
    # Without owner history a win before the current owner's start date is not theirs.
    booked_elsewhere = (
        (joined.state == "won") & ~joined.owner_history & (joined.closed_on < joined.rp_start_date)
    ).fill_null(False)
    return joined.mutate(
        team=joined.rp_team,
        booked_elsewhere=booked_elsewhere,
        is_open=joined.state == "open",
        cycle_days=ibis.cases(
            (joined.bad_dates, ibis.null("int64")), else_=days_between(joined.closed_on, joined.qualified_on)
        ),
    ).drop("ref_on", "ow_opp_id", "ow_rep_id", "ow_from_rep_id", "ow_has_history", "p_opp_id", "p_pushes",
           "rp_rep_id", "rp_team", "rp_start_date")


def _closed_in_lookback(state: ir.StringValue, closed_on: ir.DateValue, as_of: dt.date,
                        lookback: Span) -> ir.BooleanValue:
    return state.isin(CLOSED) & (closed_on >= ibis.date(lookback.start)) & (closed_on <= ibis.date(as_of))


def deal_flags(facts: ir.Table, as_of: dt.date, lookback: Span) -> ir.Table:
    """Add to `deal_facts` the columns that compare its dates with as_of: qualified, slipped, age in stage."""
    a = ibis.date(as_of)
    return facts.mutate(
        slipped=(facts.state == "open") & (
            (facts.expected_close_on < a).fill_null(False) | (facts.close_pushes > 0)
        ),
        is_qualified=facts.qualified_on.notnull() & (facts.qualified_on <= a),
        closed_in_lookback=_closed_in_lookback(facts.state, facts.closed_on, as_of, lookback),
        stage_age_days=ibis.cases(
            (facts.state == "open", days_between(a, facts.stage_entered_on)), else_=ibis.null("int64")
        ),
    )


def owned_visits(visits: ir.Table, facts: ir.Table) -> ir.Table:
    """Stage visits of the deals in facts (`deal_facts`), each with its deal's owner, team, state and dates."""
    owners = facts.select(
        d_opp_key=facts.opp_key, d_rep_id=facts.rep_id, d_team=facts.team, d_state=facts.state,
        d_closed_on=facts.closed_on, d_bad_dates=facts.bad_dates, d_qualified_on=facts.qualified_on,
    )
    joined = visits.join(owners, visits.opp_key == owners.d_opp_key)
    return joined.select(
        opp_key=visits.opp_key,
        stage=visits.stage,
        position=visits.position,
        kind=visits.kind,
        entered_on=visits.entered_on,
        next_on=visits.next_on,
        days=visits.days,
        stage_repeats=visits.stage_repeats,
        rep_id=owners.d_rep_id,
        team=owners.d_team,
        state=owners.d_state,
        closed_on=owners.d_closed_on,
        bad_dates=owners.d_bad_dates,
        qualified_on=owners.d_qualified_on,
    )


def lookback_visits(owned: ir.Table, as_of: dt.date, lookback: Span) -> ir.Table:
    """Keep the `owned_visits` that a metric reads, with the deal's qualified and closed-in-lookback flags.

    Those are every visit of a qualified deal that closed in the lookback,
    and any visit that ended in the lookback.
    """
    flagged = owned.mutate(
        is_qualified=owned.qualified_on.notnull() & (owned.qualified_on <= ibis.date(as_of)),
        closed_in_lookback=_closed_in_lookback(owned.state, owned.closed_on, as_of, lookback),
    )
    ended = _ended_in(flagged, lookback).fill_null(False)
    return flagged.filter((flagged.is_qualified & flagged.closed_in_lookback) | ended)


def _ended_in(visits: ir.Table, lookback: Span) -> ir.BooleanValue:
    return (visits.next_on >= ibis.date(lookback.start)) & (visits.next_on <= ibis.date(lookback.end))


def ended_visits(visits: ir.Table, lookback: Span) -> ir.Table:
    """Keep the visits (`owned_visits` or `lookback_visits`) that ended in the lookback, of any deal.

    The plain range test lets DuckDB skip the blocks of visits outside it.
    """
    return visits.filter(_ended_in(visits, lookback))


def deal_stages(visits: ir.Table, store=lambda stem, expr: expr) -> ir.Table:
    """Per deal and open stage it entered: first and last entry, and whether it later reached a higher stage.

    visits are `owned_visits` (or `lookback_visits`) of the deals wanted;
    every visit of each such deal must be there. advanced is True when, on
    or after the day the deal first entered the stage, it entered a stage
    of a higher position (lost stages aside). store(stem, expr) may store
    the two parts before they are joined.
    """
    deal_columns = ["rep_id", "team", "opp_key", "state", "closed_on", "bad_dates", "qualified_on"]
    opened = visits.filter(visits.kind == "open")
    firsts = store("firsts", opened.group_by([*deal_columns, "stage"]).aggregate(
        first_on=opened.entered_on.min(), last_on=opened.entered_on.max(), position=opened.position.max(),
    ))
    # The highest position a deal reached on or after each day it entered a stage.
    # Written as a running max over days instead of an inequality join, which SQLite runs in quadratic time.
    reached = visits.group_by(r_opp_key=visits.opp_key, r_on=visits.entered_on).aggregate(
        r_position=visits.position.max(where=visits.kind != "lost")
    )
    later = ibis.window(group_by=reached.r_opp_key, order_by=ibis.desc(reached.r_on), preceding=None, following=0)
    reached = store("reached", reached.mutate(r_max_after=reached.r_position.max().over(later)))
    joined = firsts.left_join(reached, [firsts.opp_key == reached.r_opp_key, firsts.first_on == reached.r_on])
    return joined.select(
        *deal_columns, "stage", "first_on", "last_on",
        won=joined.state == "won",
        advanced=(joined.r_max_after > joined.position).fill_null(False),
    )


def lookback_stages(stages: ir.Table, as_of: dt.date, lookback: Span) -> ir.Table:
    """Keep the `deal_stages` rows of qualified deals that closed in the lookback."""
    return stages.filter(
        stages.qualified_on.notnull() & (stages.qualified_on <= ibis.date(as_of))
        & _closed_in_lookback(stages.state, stages.closed_on, as_of, lookback)
    )


@dataclass
class Views:
    """The point-in-time deals, visits and deal stages of one analysis, and the tables stored to build them.

    ended is the part of visits that ended in the lookback (`ended_visits`),
    kept apart so that a query reads only those. stages is the
    `deal_stages` of the qualified deals closed in the lookback.

    suffix is unique to the analysis; `scratch` names further temporary
    tables with it.
    """

    deals: ir.Table
    visits: ir.Table
    ended: ir.Table
    stages: ir.Table
    names: tuple[str, ...]
    suffix: int

    def scratch(self, stem: str) -> str:
        return f"_rasr_{stem}_{self.suffix}"


def stores_steps(backend) -> bool:
    """Return whether intermediate results read by later queries are stored rather than computed again.

    SQLite needs them stored: its parser overflows on long chains, and it
    evaluates a subquery again for every use. Spark plans and runs an
    inline chain again for every query that reads it. DuckDB computes a
    short chain again faster than it stores one (measured on a million
    deals), and PostgreSQL is treated the same way.
    """
    return backend.name in {"sqlite", "pyspark"}


def materialise(backend, name: str, expr: ir.Table) -> ir.Table:
    """Store expr under name for the rest of the connection: a temporary table, or a cached view on Spark.

    Ibis' PySpark backend raises on temporary tables (Ibis 12), so there the
    result is a temporary view that `CACHE TABLE` computes at once and keeps
    in memory.
    """
    if backend.name != "pyspark":
        table = backend.create_table(name, expr, temp=True, overwrite=True)
        gather_statistics(backend, name)
        return table
    backend.create_view(name, expr, overwrite=True)
    backend.raw_sql(f"CACHE TABLE `{name}`")
    return backend.table(name)


def gather_statistics(backend, name: str) -> None:
    """Have PostgreSQL sample a table that rasr just created, so that its planner has the row counts.

    Autovacuum never samples temporary tables and reaches new ones only
    later. Until then the planner took a filtered table for one row and
    joined it row by row, which made an analysis of 100,000 deals take
    4.7 s instead of 1.2 s. The other backends need no such step.
    """
    if backend.name != "postgres":
        return
    backend.raw_sql(f'ANALYZE "{name}"').close()


def fetch_arrow(expr: ir.Table) -> pa.Table:
    """Execute expr and return its rows as a PyArrow table with the expression's column types.

    On DuckDB the result is read straight from DuckDB and cast to those
    types, because Ibis' own conversion takes longer than the query for
    millions of rows.
    """
    backend = expr.get_backend()
    if backend.name != "duckdb" or expr.op().find(ops.InMemoryTable):
        return expr.to_pyarrow()
    # Every field is nullable, so the cast accepts a NULL in a column that the workspace declares NOT NULL.
    schema = pa.schema([pa.field(name, dtype.to_pyarrow()) for name, dtype in expr.schema().items()])
    return backend.con.sql(backend.compile(expr)).to_arrow_table().cast(schema)


def fetch_rows(expr: ir.Table) -> list[dict]:
    """Execute expr and return its rows as dicts of Python values: None for NULL, dates as dates."""
    return fetch_arrow(expr).to_pylist()


def fetch_value(expr: ir.Scalar) -> Any:
    """Execute a scalar expression and return its Python value (None for NULL)."""
    return fetch_arrow(expr.as_table()).column(0)[0].as_py()


def release(backend, name: str) -> None:
    """Drop a table that `materialise` stored."""
    if backend.name != "pyspark":
        backend.drop_table(name, force=True)
        return
    backend.raw_sql(f"UNCACHE TABLE IF EXISTS `{name}`")
    backend.drop_view(name, force=True)


PREPARED_VISITS = "_rasr_prepared_visits"
PREPARED_SUMMARY = "_rasr_prepared_summary"
PREPARED_DEALS = "_rasr_prepared_deals"
PREPARED_OWNED = "_rasr_prepared_owned_visits"
PREPARED_STAGES = "_rasr_prepared_deal_stages"
PREPARED_STAMP = "_rasr_prepared_stamp"
PREPARED_TABLES = (PREPARED_VISITS, PREPARED_SUMMARY, PREPARED_DEALS, PREPARED_OWNED, PREPARED_STAGES,
                   PREPARED_STAMP)
# Changes whenever the prepared tables' columns change, so that a workspace
# prepared by an older rasr is prepared again.
PREPARED_LAYOUT = "4"


def settled_on(tables: dict[str, ir.Table]) -> dt.date | None:
    """Return the last day on which a recorded change alters a deal's facts.

    That is the latest creation, close of a closed deal, stage change, owner
    change or close-date change. From that day on, only the comparisons
    with as_of that `deal_flags`, `lookback_visits` and `lookback_stages`
    make still change.
    """
    opps = tables["opportunities"]
    closed = opps.filter(opps.status.lower().isin(CLOSED))
    days = [
        opps.created_on.max(),
        closed.close_on.max(),
        tables["stage_changes"].entered_on.max(),
        tables["owner_changes"].changed_on.max(),
        tables["close_date_changes"].changed_on.max(),
    ]
    values = [_as_date(fetch_value(day)) for day in days]
    known = [value for value in values if value is not None]
    return max(known) if known else None


def _as_date(value) -> dt.date | None:
    if value is None or value != value:  # None, NaT or NaN
        return None
    if isinstance(value, dt.datetime) or hasattr(value, "to_pydatetime"):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass
class Prepared:
    """The tables an analysis reads that do not depend on as_of, kept in the workspace between analyses.

    visits is `collapse_visits(...)` and summary `history_summary(...)`.
    deals, owned and stages are `deal_facts`, `owned_visits` and the
    `deal_stages` of qualified closed deals, all on the settled day (see
    `settled_on`). They serve every as_of on or after that day. They are
    None when the workspace does not keep them.
    """

    visits: ir.Table
    summary: ir.Table
    settled: dt.date | None = None
    deals: ir.Table | None = None
    owned: ir.Table | None = None
    stages: ir.Table | None = None

    def serves(self, as_of: dt.date) -> bool:
        return self.deals is not None and self.settled is not None and as_of >= self.settled


def _facts_on(backend, tables: dict[str, ir.Table], prepared: Prepared, day: dt.date,
              stored) -> tuple[ir.Table, ir.Table]:
    """Return the stage visits up to day and the `deal_facts` of the deals that exist then."""
    all_visits = stage_visits(prepared.visits, day)
    if stores_steps(backend):
        all_visits = stored("all_visits", all_visits)
    states = deal_states(tables, prepared.summary, all_visits, day)
    if stores_steps(backend):
        states = stored("states", states)
        owned = states
    else:
        # Only deals with owner changes need an owner lookup, so their states are computed separately.
        # The states of all deals are then computed once, inside the facts.
        opps = tables["opportunities"]
        changed = opps.filter(opps.opp_id.isin(tables["owner_changes"].opp_id))
        owned = deal_states({**tables, "opportunities": changed}, prepared.summary, all_visits, day)
    owners = stored("owners", latest_owners(owned, tables["owner_changes"]))
    pushes = stored("pushes", close_pushes(tables["close_date_changes"], day))
    return all_visits, deal_facts(tables, states, owners, pushes)


def _prepared(backend, tables: dict[str, ir.Table], data_version: str | None, stored) -> Prepared:
    """Return the prepared tables, kept in the workspace while data_version is current.

    They depend only on the imported tables, not on as_of, so one build
    serves every analysis until an import changes a table they read (which
    changes data_version). Without a version, or on Spark, the collapsed
    visits are built for this analysis only and no deals are prepared.
    """
    if data_version is None or backend.name == "pyspark":
        collapsed = stored("collapsed", collapse_visits(stage_history(tables)))
        return Prepared(collapsed, stored("summary", history_summary(collapsed)))
    stamp_value = f"{data_version}/{PREPARED_LAYOUT}"
    if set(PREPARED_TABLES) <= set(backend.list_tables()):
        stamp = fetch_rows(backend.table(PREPARED_STAMP))
        if len(stamp) == 1 and stamp[0]["version"] == stamp_value:
            settled = _as_date(stamp[0]["settled_on"])
            return Prepared(backend.table(PREPARED_VISITS), backend.table(PREPARED_SUMMARY), settled,
                            backend.table(PREPARED_DEALS), backend.table(PREPARED_OWNED),
                            backend.table(PREPARED_STAGES))
    started = time.perf_counter()

    def prepare(name: str, expr: ir.Table) -> ir.Table:
        table = backend.create_table(name, expr, overwrite=True)
        gather_statistics(backend, name)
        return table

    visits = prepare(PREPARED_VISITS, collapse_visits(stage_history(tables)))
    summary = prepare(PREPARED_SUMMARY, history_summary(visits))
    prepared = Prepared(visits, summary, settled_on(tables))
    # Without a settled day (no dated record at all) the deals are empty tables all the same.
    day = prepared.settled or dt.date.min
    all_visits, facts = _facts_on(backend, tables, prepared, day, stored)
    prepared.deals = prepare(PREPARED_DEALS, facts)
    prepared.owned = prepare(PREPARED_OWNED, owned_visits(all_visits, prepared.deals))
    owned = prepared.owned
    closed = owned.filter(owned.state.isin(CLOSED) & owned.qualified_on.notnull())
    prepared.stages = prepare(PREPARED_STAGES, deal_stages(closed, stored))
    stamp = ibis.memtable({"version": [stamp_value], "settled_on": [prepared.settled]},
                          schema={"version": "string", "settled_on": "date"})
    backend.create_table(PREPARED_STAMP, stamp, overwrite=True)
    log.info("prepared deals and stage visits for data version %s in %.2fs", data_version,
             time.perf_counter() - started)
    return prepared


def release_quietly(backend, name: str) -> None:
    """Drop a stored table if it exists; a leftover temporary table vanishes with the connection anyway."""
    try:
        release(backend, name)
    except Exception:  # noqa: BLE001 - the backends raise different errors for a missing table
        log.debug("could not drop temporary table %s", name)


def build_views(backend, tables: dict[str, ir.Table], as_of: dt.date, lookback: Span,
                data_version: str | None = None) -> Views:
    """Build the deals and visits on as_of that every metric query shares.

    data_version names the state of the imported data; with it, the
    as_of-free preparation is kept in the workspace and reused (see
    `_prepared`). On or after the settled day the views are the prepared
    deals and visits with as_of's flags; before it, they are built from the
    stage history up to as_of.
    """
    suffix = next(_view_ids)
    names = []

    def stored(stem: str, expr: ir.Table) -> ir.Table:
        # Each step is stored on its own: SQLite's parser rejects the whole
        # chain as one statement (parser stack overflow).
        name = f"_rasr_{stem}_{suffix}"
        names.append(name)
        return materialise(backend, name, expr)

    def shared(stem: str, expr: ir.Table) -> ir.Table:
        return stored(stem, expr) if stores_steps(backend) else expr

    prepared = _prepared(backend, tables, data_version, stored)
    if prepared.serves(as_of):
        deals = shared("deals", deal_flags(prepared.deals, as_of, lookback))
        visits = lookback_visits(prepared.owned, as_of, lookback)
        stages = shared("stages", lookback_stages(prepared.stages, as_of, lookback))
        return Views(deals=deals, visits=visits, ended=ended_visits(prepared.owned, lookback), stages=stages,
                     names=tuple(names), suffix=suffix)
    all_visits, facts = _facts_on(backend, tables, prepared, as_of, stored)
    deals = stored("deals", deal_flags(facts, as_of, lookback))
    visits = stored("visits", lookback_visits(owned_visits(all_visits, deals), as_of, lookback))
    closed = visits.filter(visits.is_qualified & visits.closed_in_lookback)
    # SQLite joins two window subqueries row by row (minutes at 20k deals) but indexes stored tables
    # automatically, so there both parts of deal_stages are stored first.
    stages = deal_stages(closed, stored if stores_steps(backend) else (lambda stem, expr: expr))
    return Views(deals=deals, visits=visits, ended=ended_visits(visits, lookback), stages=shared("stages", stages),
                 names=tuple(names), suffix=suffix)


def drop_views(backend, views: Views) -> None:
    for name in reversed(views.names):
        try:
            release(backend, name)
        except Exception:  # noqa: BLE001 - a leftover temporary table vanishes with the connection
            log.debug("could not drop temporary table %s", name)
