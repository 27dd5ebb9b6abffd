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

import ibis
import ibis.expr.types as ir

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
    the next visit in the whole history. opp_key numbers the opportunities
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


def deals_as_of(tables: dict[str, ir.Table], states: ir.Table, owners: ir.Table, pushes: ir.Table,
                as_of: dt.date, lookback: Span) -> ir.Table:
    """Add to `deal_states` each deal's owner and team, slipped flag and lookback fields.

    owners is `latest_owners(states, ...)` and pushes `close_pushes(...)`.
    """
    a = ibis.date(as_of)
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
    slipped = (joined.state == "open") & (
        (joined.expected_close_on < a).fill_null(False) | (joined.close_pushes > 0)
    )
    lb_start = ibis.date(lookback.start)
    closed = joined.state.isin(CLOSED)
    return joined.mutate(
        team=joined.rp_team,
        booked_elsewhere=booked_elsewhere,
        slipped=slipped,
        is_qualified=joined.qualified_on.notnull() & (joined.qualified_on <= a),
        is_open=joined.state == "open",
        closed_in_lookback=closed & (joined.closed_on >= lb_start) & (joined.closed_on <= a),
        cycle_days=ibis.cases(
            (joined.bad_dates, ibis.null("int64")), else_=days_between(joined.closed_on, joined.qualified_on)
        ),
        stage_age_days=ibis.cases(
            (joined.state == "open", days_between(a, joined.stage_entered_on)), else_=ibis.null("int64")
        ),
    ).drop("ow_opp_id", "ow_rep_id", "ow_from_rep_id", "ow_has_history", "p_opp_id", "p_pushes",
           "rp_rep_id", "rp_team", "rp_start_date")


def visits_as_of(visits: ir.Table, deals: ir.Table, lookback: Span) -> ir.Table:
    """Stage visits up to as_of of the deals that exist then, with the deal's owner and flags.

    Only the visits that a metric reads are kept: every visit of a
    qualified deal that closed in the lookback, and any visit that ended in
    the lookback.
    """
    owners = deals.select(
        d_opp_key=deals.opp_key, d_rep_id=deals.rep_id, d_team=deals.team, d_state=deals.state,
        d_closed_on=deals.closed_on, d_bad_dates=deals.bad_dates, d_is_qualified=deals.is_qualified,
        d_closed_in_lookback=deals.closed_in_lookback,
    )
    joined = visits.join(owners, visits.opp_key == owners.d_opp_key)
    ended_in_lookback = (visits.next_on >= ibis.date(lookback.start)) & (visits.next_on <= ibis.date(lookback.end))
    joined = joined.filter((owners.d_is_qualified & owners.d_closed_in_lookback) | ended_in_lookback.fill_null(False))
    return joined.select(
        opp_key=visits.opp_key,
        stage=visits.stage,
        position=visits.position,
        kind=visits.kind,
        entered_on=visits.entered_on,
        next_on=visits.next_on,
        days=visits.days,
        rep_id=owners.d_rep_id,
        team=owners.d_team,
        state=owners.d_state,
        closed_on=owners.d_closed_on,
        bad_dates=owners.d_bad_dates,
        is_qualified=owners.d_is_qualified,
        closed_in_lookback=owners.d_closed_in_lookback,
    )


@dataclass
class Views:
    """The materialised point-in-time tables of one analysis."""

    deals: ir.Table
    visits: ir.Table
    names: tuple[str, ...]


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
        return backend.create_table(name, expr, temp=True, overwrite=True)
    backend.create_view(name, expr, overwrite=True)
    backend.raw_sql(f"CACHE TABLE `{name}`")
    return backend.table(name)


def release(backend, name: str) -> None:
    """Drop a table that `materialise` stored."""
    if backend.name != "pyspark":
        backend.drop_table(name, force=True)
        return
    backend.raw_sql(f"UNCACHE TABLE IF EXISTS `{name}`")
    backend.drop_view(name, force=True)


PREPARED_VISITS = "_rasr_prepared_visits"
PREPARED_SUMMARY = "_rasr_prepared_summary"
PREPARED_STAMP = "_rasr_prepared_stamp"
# Changes whenever the prepared tables' columns change, so that a workspace
# prepared by an older rasr is prepared again.
PREPARED_LAYOUT = "3"


def _prepared(backend, tables: dict[str, ir.Table], data_version: str | None,
              stored) -> tuple[ir.Table, ir.Table]:
    """Return the collapsed visits and history summary, kept in the workspace while data_version is current.

    Both depend only on the stage changes and the stages table, not on
    as_of, so one build serves every analysis until an import changes
    either table (which changes data_version). Without a version, or on
    Spark, they are built for this analysis only.
    """
    if data_version is None or backend.name == "pyspark":
        collapsed = stored("collapsed", collapse_visits(stage_history(tables)))
        return collapsed, stored("summary", history_summary(collapsed))
    stamp_value = f"{data_version}/{PREPARED_LAYOUT}"
    existing = set(backend.list_tables())
    if {PREPARED_VISITS, PREPARED_SUMMARY, PREPARED_STAMP} <= existing:
        stamp = backend.table(PREPARED_STAMP).execute()
        if len(stamp) == 1 and stamp["version"].iloc[0] == stamp_value:
            return backend.table(PREPARED_VISITS), backend.table(PREPARED_SUMMARY)
    started = time.perf_counter()
    visits = backend.create_table(PREPARED_VISITS, collapse_visits(stage_history(tables)), overwrite=True)
    summary = backend.create_table(PREPARED_SUMMARY, history_summary(visits), overwrite=True)
    backend.create_table(PREPARED_STAMP, ibis.memtable({"version": [stamp_value]}), overwrite=True)
    log.info("prepared stage visits for data version %s in %.2fs", data_version, time.perf_counter() - started)
    return visits, summary


def release_quietly(backend, name: str) -> None:
    """Drop a stored table if it exists; a leftover temporary table vanishes with the connection anyway."""
    try:
        release(backend, name)
    except Exception:  # noqa: BLE001 - the backends raise different errors for a missing table
        log.debug("could not drop temporary table %s", name)


def build_views(backend, tables: dict[str, ir.Table], as_of: dt.date, lookback: Span,
                data_version: str | None = None) -> Views:
    """Materialise deals and visits on as_of as temporary tables shared by every metric query.

    data_version names the state of the stage data; with it, the as_of-free
    preparation is kept in the workspace and reused (see `_prepared`).
    """
    suffix = next(_view_ids)
    names = []

    def stored(stem: str, expr: ir.Table) -> ir.Table:
        # Each step is stored on its own: SQLite's parser rejects the whole
        # chain as one statement (parser stack overflow).
        name = f"_rasr_{stem}_{suffix}"
        names.append(name)
        return materialise(backend, name, expr)

    collapsed, summary = _prepared(backend, tables, data_version, stored)
    all_visits = stage_visits(collapsed, as_of)
    if stores_steps(backend):
        all_visits = stored("all_visits", all_visits)
    states = deal_states(tables, summary, all_visits, as_of)
    if stores_steps(backend):
        states = stored("states", states)
        owned = states
    else:
        # Only deals with owner changes need an owner lookup, so their states are computed separately.
        # The states of all deals are then computed once, inside the deals table.
        opps = tables["opportunities"]
        changed = opps.filter(opps.opp_id.isin(tables["owner_changes"].opp_id))
        owned = deal_states({**tables, "opportunities": changed}, summary, all_visits, as_of)
    owners = stored("owners", latest_owners(owned, tables["owner_changes"]))
    pushes = stored("pushes", close_pushes(tables["close_date_changes"], as_of))
    deals = stored("deals", deals_as_of(tables, states, owners, pushes, as_of, lookback))
    visits = stored("visits", visits_as_of(all_visits, deals, lookback))
    return Views(deals=deals, visits=visits, names=tuple(names))


def drop_views(backend, views: Views) -> None:
    for name in reversed(views.names):
        try:
            release(backend, name)
        except Exception:  # noqa: BLE001 - a leftover temporary table vanishes with the connection
            log.debug("could not drop temporary table %s", name)
