"""One rep's figures, decision and brief, computed in Python from the set-based query results."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from rasr.engine import coaching
from rasr.engine.decision import (
    HOW_GOOD, LABELS, TUNE_DEALS, TUNE_ENGINE, Answer, Driver, answer_goal, driver_at_least,
    driver_fast_enough, route,
)
from rasr.engine.figures import ALL, Quantile
from rasr.engine.goals import Goal, GoalRow, goal_for_span
from rasr.engine.periods import Span
from rasr.engine.rates import Pool, Rates, blend, required_opportunities, required_pipeline
from rasr.engine.settings import Settings
from rasr.engine.values import Figure, missing, money, ratio


@dataclass
class RepContext:
    """Everything the per-rep step reads, fetched once for all reps."""

    as_of: dt.date
    settings: Settings
    spans: dict[str, Span]
    results_note: str | None
    sums: dict[str, dict]
    quantiles: dict[tuple[str, str, str], Quantile]
    stage_counts: dict
    active: dict[str, dict]
    quota_rows: dict[str, list[GoalRow]]
    aspiration_rows: dict[str, list[GoalRow]]
    covered_quota: dict[str, dict]
    covered_aspiration: dict[str, dict]
    earliest: dt.date | None
    reps: list[dict]
    stage_rows: list[tuple]
    open_stages: list[str]
    activity_ratios: dict
    _members: dict[str, list[str]] | None = None
    _rep_pools: dict[str, Pool] = field(default_factory=dict)
    # Per group: its pooled sums, its unblended rates, its stage counts summed over members and its
    # columns of the stage table (see group_pool, group_rates, group_stages, group_stage_columns).
    _group_pools: dict[tuple[str, str], Pool] = field(default_factory=dict)
    _group_rates: dict[tuple[str, str], Rates] = field(default_factory=dict)
    _group_stages: dict[tuple[str, str], dict[str, tuple[int, int]]] = field(default_factory=dict)
    _group_stage_columns: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    _span_dicts: dict[str, dict] = field(default_factory=dict)
    # Per span name and kind of goal: the goal of a rep with no rows, which depends on the span alone.
    _rowless_goals: dict[tuple[str, str], Goal] = field(default_factory=dict)

    def rep_pool(self, rep_id: str) -> Pool:
        """Return the pooled sums of one rep, computed once per rep."""
        if rep_id not in self._rep_pools:
            self._rep_pools[rep_id] = Pool.from_sums(self.sums.get(rep_id, {}))
        return self._rep_pools[rep_id]

    def group_pool(self, group: tuple[str, str]) -> Pool:
        """Return the pooled sums of a group's members, computed once per group."""
        if group not in self._group_pools:
            self._group_pools[group] = self.pool(self.members(group))
        return self._group_pools[group]

    def group_rates(self, group: tuple[str, str]) -> Rates:
        """Return the group's own rates, not blended toward anything, computed once per group."""
        if group not in self._group_rates:
            pool = self.group_pool(group)
            self._group_rates[group] = blend(pool, pool, replace(self.settings, win_rate_prior_weight=0))
        return self._group_rates[group]

    def group_stages(self, group: tuple[str, str]) -> dict[str, tuple[int, int]]:
        """Return per stage the deals of a group's members that entered it and closed, and those won."""
        if group not in self._group_stages:
            totals: dict[str, tuple[int, int]] = {}
            for rep_id in self.members(group):
                for stage, counts in self.stage_counts.get(rep_id, {}).items():
                    closed, won = totals.get(stage, (0, 0))
                    totals[stage] = (closed + counts.entered_closed, won + counts.entered_won)
            self._group_stages[group] = totals
        return self._group_stages[group]

    def group_stage_columns(self, group: tuple[str, str]) -> list[dict[str, Any]]:
        """Return the group's columns of the stage table, one dict per open stage, computed once per group."""
        if group not in self._group_stage_columns:
            counts = self.group_stages(group)
            columns = []
            for stage in self.open_stages:
                team = self.quantile(group[0], group[1], f"stage_days:{stage}")
                team_closed, team_won = counts.get(stage, (0, 0))
                columns.append({
                    "team_days_mean": team.mean if team else None,
                    "team_days_median": team.median if team else None,
                    "team_deals": team.n if team else 0,
                    "team_stage_win_rate": ratio(team_won, team_closed),
                    "team_stage_closed": team_closed,
                })
            self._group_stage_columns[group] = columns
        return self._group_stage_columns[group]

    def goal(self, rows: list[GoalRow], name: str, rep: dict, what: str) -> Goal:
        """Return the goal of the named span from a rep's quota or aspiration rows.

        The horizon's goal assumes days that no row covers at the daily rate of the latest earlier row.
        """
        assume_uncovered = name == "horizon"
        if not rows:
            key = (name, what)
            if key not in self._rowless_goals:
                self._rowless_goals[key] = goal_for_span(rows, self.spans[name], self.settings,
                                                         assume_uncovered=assume_uncovered, what=what)
            return self._rowless_goals[key]
        return goal_for_span(rows, self.spans[name], self.settings, start_date=rep["start_date"],
                             end_date=rep["end_date"], assume_uncovered=assume_uncovered, what=what)

    def span_dict(self, name: str) -> dict:
        """Return a new copy of the named span's to_dict(), which is built once."""
        if name not in self._span_dicts:
            self._span_dicts[name] = self.spans[name].to_dict()
        return dict(self._span_dicts[name])

    def group_of(self, rep: dict) -> tuple[str, str]:
        return ("team", rep["team"]) if rep["team"] else ("all", ALL)

    def pool(self, rep_ids) -> Pool:
        return Pool.total(self.rep_pool(rep_id) for rep_id in rep_ids)

    def members(self, group: tuple[str, str]) -> list[str]:
        if self._members is None:
            by_team: dict[str, list[str]] = {}
            for r in self.reps:
                if r["team"]:
                    by_team.setdefault(r["team"], []).append(r["rep_id"])
            self._members = by_team
        if group[0] == "all":
            return [r["rep_id"] for r in self.reps]
        return self._members.get(group[1], [])

    def quantile(self, scope: str, group: str, metric: str) -> Quantile | None:
        return self.quantiles.get((scope, group, metric))


def _median(q: Quantile | None, min_n: int, what: str) -> Figure:
    if q is None or q.median is None:
        return missing(f"no {what}")
    if q.n < min_n:
        return missing(f"fewer than min_deals ({min_n}) {what}: {q.n}")
    return Figure(q.median)


def _results(ctx: RepContext, rep: dict, sums: dict, rows: list[GoalRow], covered: dict, what: str,
             no_goal_reason: str, requirement_spans: tuple[str, ...] = ("month", "quarter", "year"),
             ) -> tuple[Answer, dict[str, Any]]:
    """Answer a goal question on the results span, with the goals of requirement_spans and the horizon."""
    span = ctx.spans["results"]
    goal = ctx.goal(rows, "results", rep, what)
    if not sums.get("deals"):
        answer = Answer("unknown", Decimal(0), goal.amount, "no data on or before as_of")
    else:
        bookings = Decimal(int(sums.get("bookings:results") or 0))
        if goal.amount is not None and 0 < goal.covered_days < span.days:
            bookings = Decimal(int(covered.get("results") or 0))
        answer = answer_goal(bookings, goal.amount, no_goal_reason=no_goal_reason)
    answer.coverage = goal.coverage if goal.amount is not None else 0.0
    answer.notes.extend(goal.warnings)
    spans = {}
    for name in requirement_spans:
        g = ctx.goal(rows, name, rep, what)
        booked = Decimal(int(sums.get(f"bookings:{name}") or 0))
        if g.amount is not None and 0 < g.covered_days < ctx.spans[name].days:
            booked = Decimal(int(covered.get(name) or 0))
        spans[name] = {"goal": g, "bookings": booked}
    spans["horizon"] = {"goal": ctx.goal(rows, "horizon", rep, what), "bookings": Decimal(0)}
    return answer, spans


def evaluate_rep(ctx: RepContext, rep: dict) -> dict:
    """Figures, results, process, routing, goal and brief of one rep."""
    s = ctx.settings
    rep_id = rep["rep_id"]
    sums = ctx.sums.get(rep_id, {})
    group = ctx.group_of(rep)
    own_pool = ctx.rep_pool(rep_id)
    team_pool = ctx.group_pool(group)
    rates: Rates = blend(own_pool, team_pool, s)
    team_rates = ctx.group_rates(group)
    active = ctx.active.get(rep_id, {})
    open_count = int(sums.get("open_count") or 0)
    open_amount = float(sums.get("open_amount") or 0)
    if s.include_stale:
        have_count, have_amount = open_count, open_amount
    else:
        have_count = int(active.get("open_count_active") or 0)
        have_amount = float(active.get("open_amount_active") or 0)

    cycle_q = ctx.quantile("rep", rep_id, "cycle_won")
    cycle = _median(cycle_q, s.min_deals, "won deals with a cycle time")
    team_cycle = _median(ctx.quantile(group[0], group[1], "cycle_won"), s.min_deals,
                         "team won deals with a cycle time")
    previous_cycle = _median(ctx.quantile("rep", rep_id, "cycle_previous"), s.min_deals,
                             "won deals in the previous lookback")
    lost_cycle = ctx.quantile("rep", rep_id, "cycle_lost")
    won_size_q = ctx.quantile("rep", rep_id, "won_size")
    threshold = (Figure(team_cycle.value * (1 + s.cycle_tolerance) + s.cycle_slack_days)
                 if team_cycle.known else missing(team_cycle.reason))

    # New qualified opportunities per day, over the part of the lookback after data (and the rep) began.
    lookback = ctx.spans["lookback"]
    window_start = max(d for d in (lookback.start, ctx.earliest, rep["start_date"]) if d is not None)
    window_days = (ctx.as_of - window_start).days + 1
    new_per_day = Figure(int(sums.get("new_qualified") or 0) / window_days) if window_days > 0 else missing(
        "the rep started after as_of")
    new_amount_per_day = (float(sums.get("new_qualified_amount") or 0) / window_days) if window_days > 0 else None

    ramping = bool(rep["start_date"] and 0 <= (ctx.as_of - rep["start_date"]).days < s.ramp_days)
    use_rates = team_rates if ramping else rates

    quota, quota_spans = _results(ctx, rep, sums, ctx.quota_rows.get(rep_id, []), ctx.covered_quota.get(rep_id, {}),
                                  "quota", "no quota for the period")
    # Only the horizon's aspiration goal is read below, so no other span's goal is computed.
    aspiration, aspiration_spans = _results(
        ctx, rep, sums, ctx.aspiration_rows.get(rep_id, []), ctx.covered_aspiration.get(rep_id, {}),
        "aspiration", "no personal goal recorded", requirement_spans=())
    if aspiration.answer == "unknown" and aspiration.goal is None and aspiration.reason != "no data on or before as_of":
        aspiration.notes.append("no personal goal recorded: ask the rep for one and record it")

    # Outlook: an expected value over the horizon until the forecast exists.
    cycle_for_outlook = cycle.value if cycle.known else team_cycle.value
    outlook_inputs = coaching.OutlookInputs(
        open_amount_active=have_amount, new_amount_per_day=new_amount_per_day,
        win_rate=use_rates.pipeline_rate.value, cycle_days=cycle_for_outlook, horizon_days=s.horizon_days)
    expected = coaching.expected_bookings(outlook_inputs)
    horizon_goal = quota_spans["horizon"]["goal"]
    has_data = bool(sums.get("deals"))
    if not has_data:
        outlook = Answer("unknown", None, horizon_goal.amount, "no data on or before as_of")
    elif expected is None:
        outlook = Answer("unknown", None, horizon_goal.amount, use_rates.pipeline_rate.reason or "no win rate")
    elif horizon_goal.amount is None:
        outlook = Answer("unknown", Decimal(str(expected)), None, "no quota for the horizon")
    else:
        expected_cents = Decimal(str(expected))
        outlook = Answer("yes" if expected_cents >= horizon_goal.amount else "no", expected_cents,
                         horizon_goal.amount)
    outlook.notes.append("the outlook is an estimate: active open pipeline × win rate, plus new pipeline per day "
                         "× win rate over the horizon days left after a median cycle")
    outlook.notes.extend(horizon_goal.warnings)
    year_days = max(0, (ctx.spans["year"].end - ctx.as_of).days)
    year_expected = coaching.expected_bookings(coaching.OutlookInputs(
        have_amount, new_amount_per_day, use_rates.pipeline_rate.value, cycle_for_outlook, year_days))

    # Process need over the horizon: the quota goal, or the larger aspiration goal when behind on it.
    need_goal = horizon_goal.amount
    need_note = "need uses the horizon's quota goal"
    aspiration_horizon = aspiration_spans["horizon"]["goal"].amount
    need_uses_aspiration = (aspiration.answer == "no" and aspiration_horizon is not None
                            and (need_goal is None or aspiration_horizon > need_goal))
    if need_uses_aspiration:
        need_goal = aspiration_horizon
        need_note = "need uses the horizon's aspiration goal, larger than the quota goal, as the rep is behind on it"
    need_pipeline = required_pipeline(need_goal, use_rates.pipeline_rate)
    need_count = required_opportunities(need_pipeline, use_rates.size)
    drivers = [
        driver_at_least("start_enough", float(have_count), need_count, "opportunities"),
        driver_at_least("with_enough", have_amount, need_pipeline, "cents"),
        driver_fast_enough(cycle, threshold),
    ]
    if not has_data:
        # Without a single deal the needs rest on team rates alone, so no driver is judged.
        for driver in drivers:
            driver.passed, driver.reason = None, "no data on or before as_of"
    routing = route(ramping=ramping, start_date=rep["start_date"], quota=quota, aspiration=aspiration,
                    outlook=outlook, active_in_lookback=int(sums.get("active_in_lookback") or 0), drivers=drivers,
                    ramp_days=s.ramp_days)

    stages = _stage_rows(ctx, rep, group)
    won_size = own_pool.won_size()
    metrics = {
        "win_rate_count": rates.count.value,
        "win_rate_count_raw": rates.count_raw.value,
        "win_rate_value": rates.value.value,
        "win_rate_value_raw": rates.value_raw.value,
        "opportunity_size": money(rates.size.value),
        "opportunity_size_raw": money(rates.size_raw.value),
        "won_deal_size_mean": money(won_size.value),
        "won_deal_size_median": money(won_size_q.median if won_size_q else None),
        "cycle_days_median": cycle.value,
        "cycle_days_mean": cycle_q.mean if cycle_q else None,
        "cycle_days_median_previous": previous_cycle.value,
        "cycle_days_median_lost": lost_cycle.median if lost_cycle else None,
        "team_cycle_days_median": team_cycle.value,
        "open_count": open_count,
        "open_amount": money(open_amount),
        "open_count_active": int(active.get("open_count_active") or 0),
        "open_amount_active": money(active.get("open_amount_active") or 0),
        "stale_count": int(active.get("stale_count") or 0),
        "slipped_count": int(active.get("slipped_count") or 0),
        "won_count": own_pool.won,
        "lost_count": own_pool.lost,
        "closed_count": own_pool.closed,
        "won_amount": money(own_pool.won_amount),
        "new_qualified_per_day": new_per_day.value,
        "new_qualified_amount_per_day": money(new_amount_per_day),
        "sales_velocity_per_day": _velocity(have_count, rates, won_size, cycle),
        "regressions": int(sums.get("regressions_lb") or 0),
        "closed_missing_amount": own_pool.closed_missing_amount,
        "open_missing_amount": int(sums.get("open_missing_amount") or 0),
    }
    reasons = {
        "win_rate_count_raw": rates.count_raw.reason, "win_rate_value_raw": rates.value_raw.reason,
        "win_rate_value": rates.value.reason, "cycle_days_median": cycle.reason,
        "opportunity_size": rates.size.reason,
    }

    warnings = list(rates.notes) + quota.notes + aspiration.notes
    for key, what in (("closed_missing_amount", "closed deals in the lookback"),
                      ("open_missing_amount", "open qualified deals")):
        if metrics[key]:
            warnings.append(f"{metrics[key]} {what} have no amount: counted, but left out of value sums and means")
    if int(sums.get("bad_dates") or 0):
        warnings.append(f"{sums['bad_dates']} deals close before they were created or qualified: "
                        "counted in bookings and rates, left out of every duration")
    if int(sums.get("booked_elsewhere") or 0):
        warnings.append(f"{sums['booked_elsewhere']} wins closed before the rep's start date are not booked to them "
                        "(no owner history)")

    elephant = None
    if own_pool.won_amount and sums.get("won_amount_max") and sums["won_amount_max"] > 0.25 * own_pool.won_amount:
        elephant = (f"one won deal of ${money(sums['won_amount_max']):,.0f} is over 25% of the lookback's won $ "
                    f"(${money(own_pool.won_amount):,.0f}): beware elephant hunting")
        warnings.append(elephant)

    requirements = _requirements(ctx, quota_spans, use_rates, have_count, have_amount, won_size_q, elephant)
    # The requirement rows contain the quota goals of the year and the horizon, already converted by money().
    horizon_goal_shown = requirements["horizon"]["goal"]
    aspiration_horizon_shown = money(aspiration_horizon)
    need_goal_shown = aspiration_horizon_shown if need_uses_aspiration else horizon_goal_shown
    if need_goal is not None and need_goal != horizon_goal.amount and need_pipeline.known and need_count.known:
        requirements["horizon"]["notes"].append(
            f"these rows use the quota goal; {need_note} (${need_goal_shown:,.0f}), so process needs "
            f"${money(need_pipeline.value):,.0f} and {need_count.value:.0f} opportunities")
    process = {
        d.name: d.as_dict(money_unit=(d.name == "with_enough")) for d in drivers
    }
    what_if = []
    if routing.conversation == HOW_GOOD:
        horizon_goal_cents = float(horizon_goal.amount) if horizon_goal.amount is not None else None
        what_if = coaching.what_if(outlook_inputs, horizon_goal_cents)
    goal = _suggest_goal(ctx, routing, drivers, rates, team_rates, stages, what_if, metrics, rep_id)

    results = {"quota": quota.as_dict(), "aspiration": aspiration.as_dict(),
               "outlook": {"answer": outlook.answer, "forecast": money(outlook.bookings), "goal": horizon_goal_shown,
                           "attainment": outlook.attainment, "reason": outlook.reason, "estimate": True,
                           "year_forecast": money(year_expected),
                           "year_goal": requirements["year"]["goal"]}}
    team_row = {
        "rep_id": rep_id, "name": rep["name"], "team": rep["team"],
        "conversation": routing.conversation, "conversation_reason": routing.reason,
        "results": results, "process": process, "metrics": metrics, "missing_reasons": reasons,
        "goal_suggestion": goal,
    }
    evidence = _evidence(results, process, drivers, need_note, use_rates, ramping)
    brief = {
        "as_of": ctx.as_of,
        "rep": {"rep_id": rep_id, "name": rep["name"], "team": rep["team"], "start_date": rep["start_date"]},
        "conversation": routing.conversation,
        "conversation_label": LABELS[routing.conversation],
        "conversation_reason": routing.reason,
        "results": {**results, "span": ctx.span_dict("results"),
                    "notes": [n for n in [ctx.results_note] if n] + outlook.notes},
        "requirements": requirements,
        "speed": {
            "cycle_days_median": cycle.value, "cycle_days_mean": metrics["cycle_days_mean"],
            "team_cycle_days_median": team_cycle.value, "threshold_days": threshold.value,
            "previous_cycle_days_median": previous_cycle.value,
            "lost_cycle_days_median": metrics["cycle_days_median_lost"], "stages": stages,
        },
        "process": {**process, "need_note": need_note,
                    "need_goal": need_goal_shown, "quota_horizon_goal": horizon_goal_shown,
                    "aspiration_horizon_goal": aspiration_horizon_shown,
                    "ranked_gaps": [{"driver": name, "gap": gap} for name, gap in routing.ranked_gaps]},
        "evidence": evidence,
        "goal_suggestion": goal,
        "deals_to_review": [],
        "what_if": what_if,
        "warnings": warnings,
        "metrics": metrics,
        "resources": [],
    }
    return {
        "rep": rep, "team_row": team_row, "brief": brief, "pool": own_pool, "drivers": drivers,
        "quota": quota, "aspiration": aspiration, "outlook": outlook,
        "needs_open_deals": True,
    }


def attach_open_deals(result: dict, deals: list[dict]) -> None:
    """Add the rep's open deals to review to the brief, largest first, stale and slipped flagged."""
    # opp_id breaks ties, so every backend lists equal amounts in the same order.
    deals = sorted(deals, key=lambda d: (-(d.get("amount") or 0), d["opp_id"]))
    result["brief"]["deals_to_review"] = [
        {"opp_id": d["opp_id"], "name": d.get("name"), "account": d.get("account"), "stage": d.get("stage"),
         "amount": money(d.get("amount")), "age_days": d.get("stage_age_days"),
         "expected_close_on": d.get("expected_close_on"), "stale": bool(d.get("stale")),
         "stale_after_days": d.get("stale_after"), "slipped": bool(d.get("slipped")),
         "exit_criteria": d.get("exit_criteria"), "next_step": d.get("next_step")}
        for d in deals
    ]


def _velocity(have_count: int, rates: Rates, won_size: Figure, cycle: Figure) -> Decimal | None:
    size = won_size.value
    if rates.count.value is None or size is None or not cycle.value:
        return None
    return money(have_count * rates.count.value * size / cycle.value)


def _stage_rows(ctx: RepContext, rep: dict, group: tuple[str, str]) -> list[dict]:
    rows = []
    own_counts = ctx.stage_counts.get(rep["rep_id"], {})
    team_columns = ctx.group_stage_columns(group)
    for stage, team in zip(ctx.open_stages, team_columns):
        own = ctx.quantile("rep", rep["rep_id"], f"stage_days:{stage}")
        counts = own_counts.get(stage)
        rows.append({
            "stage": stage,
            "rep_days_mean": own.mean if own else None,
            "rep_days_median": own.median if own else None,
            "rep_deals": own.n if own else 0,
            "team_days_mean": team["team_days_mean"],
            "team_days_median": team["team_days_median"],
            "team_deals": team["team_deals"],
            "stage_win_rate": ratio(counts.entered_won, counts.entered_closed) if counts else None,
            "stage_closed": counts.entered_closed if counts else 0,
            "stage_conversion": ratio(counts.entered_advanced, counts.entered_closed) if counts else None,
            "team_stage_win_rate": team["team_stage_win_rate"],
            "team_stage_closed": team["team_stage_closed"],
        })
    return rows


def _requirements(ctx: RepContext, spans: dict, rates: Rates, have_count: int, have_amount: float,
                  won_size_q: Quantile | None, elephant: str | None) -> dict:
    out = {}
    have_pipeline = money(have_amount)
    for name in ("month", "quarter", "year", "horizon"):
        goal = spans[name]["goal"]
        booked = spans[name]["bookings"]
        full = required_pipeline(goal.amount, rates.pipeline_rate)
        pipeline_full = money(full.value)
        opportunities_full = required_opportunities(full, rates.size).value
        remaining_goal = None if goal.amount is None else max(goal.amount - booked, Decimal(0))
        if remaining_goal == goal.amount:
            # With nothing booked (always so on the horizon) or no goal, the remaining figures are the full ones.
            pipeline_remaining, opportunities_remaining = pipeline_full, opportunities_full
        else:
            remaining = required_pipeline(remaining_goal, rates.pipeline_rate)
            pipeline_remaining = money(remaining.value)
            opportunities_remaining = required_opportunities(remaining, rates.size).value
        notes = list(goal.warnings)
        if rates.pipeline_rate_kind == "count":
            notes.append("pipeline = goal / count win rate (too many closed deals lack an amount)")
        row = {
            "span": ctx.span_dict(name),
            "goal": money(goal.amount),
            "bookings": money(booked) if name != "horizon" else None,
            "pipeline_full": pipeline_full,
            "pipeline_remaining": pipeline_remaining,
            "opportunities_full": opportunities_full,
            "opportunities_remaining": opportunities_remaining,
            "have_pipeline": have_pipeline,
            "have_opportunities": have_count,
            "reason": full.reason,
            "notes": notes,
        }
        if elephant and won_size_q and won_size_q.median and rates.count.value:
            if goal.amount is not None and rates.count.value > 0:
                row["opportunities_full_by_median_won_size"] = math.ceil(
                    round(float(goal.amount) / (rates.count.value * won_size_q.median), 9))
        out[name] = row
    return out


def _evidence(results: dict, process: dict, drivers: list[Driver], need_note: str, rates: Rates,
              ramping: bool) -> list[str]:
    """Write the evidence lines from the results and process dicts of the team row, amounts as shown there."""
    lines = []
    for label, answer, bookings_key in (("Quota", results["quota"], "bookings"),
                                        ("Aspiration", results["aspiration"], "bookings"),
                                        ("Outlook", results["outlook"], "forecast")):
        if answer["answer"] == "unknown":
            lines.append(f"{label}: unknown ({answer['reason']})")
        else:
            att = f" ({answer['attainment']:.0%})" if answer["attainment"] is not None else ""
            lines.append(f"{label}: {answer['answer']}: ${answer[bookings_key]:,.0f} against ${answer['goal']:,.0f}{att}")
    lines.append(need_note)
    for d in drivers:
        if d.passed is None:
            lines.append(f"{d.name.replace('_', ' ')}: unknown ({d.reason})")
            continue
        if d.name == "with_enough":
            have, need = f"${process[d.name]['have']:,.0f}", f"${process[d.name]['need']:,.0f}"
        elif d.name == "fast_enough":
            have, need = f"median {d.have:.0f} days", f"threshold {d.need:.1f} days"
        else:
            have, need = f"{d.have:.0f} open", f"{d.need:.0f} needed"
        lines.append(f"{d.name.replace('_', ' ')}: {'pass' if d.passed else 'fail'}: {have} vs {need}")
    if rates.pipeline_rate.value is not None:
        lines.append(f"required pipeline uses the {rates.pipeline_rate_kind} win rate {rates.pipeline_rate.value:.1%}"
                     + (" of the team (ramping)" if ramping else " (blended toward the team)"))
    return lines


_TEN_PERCENT_MORE = Decimal("1.1")


def _suggest_goal(ctx: RepContext, routing, drivers: list[Driver], rates: Rates, team_rates: Rates,
                  stages: list[dict], what_if: list[dict], ctx_metrics: dict, rep_id: str) -> dict | None:
    """Suggest the coaching goal for the rep's conversation. what_if is the brief's list of what-if rows."""
    s = ctx.settings
    if routing.conversation == TUNE_ENGINE:
        name = routing.ranked_gaps[0][0]
        driver = next(d for d in drivers if d.name == name)
        activity = ctx.activity_ratios.get(rep_id)
        new_q = ctx.sums.get(rep_id, {}).get("new_qualified") or 0
        ratios = {kind: count / new_q for kind, count in activity.items()} if activity and new_q else None
        return coaching.engine_goal(name, driver.have, driver.need, rates.size.value, ctx.as_of, s, ratios)
    if routing.conversation == TUNE_DEALS:
        best = None
        for row in stages:
            enough = row["stage_closed"] >= s.min_deals and row["team_stage_closed"] >= s.min_deals
            if enough and row["stage_win_rate"] is not None and row["team_stage_win_rate"]:
                lag = (row["team_stage_win_rate"] - row["stage_win_rate"]) / row["team_stage_win_rate"]
                if best is None or lag > best[0]:
                    best = (lag, row["stage"], "rate", row["stage_win_rate"], row["team_stage_win_rate"])
            days_enough = row["rep_deals"] >= s.min_deals and row["team_deals"] >= s.min_deals
            if days_enough and row["rep_days_mean"] is not None and row["team_days_mean"]:
                lag = (row["rep_days_mean"] - row["team_days_mean"]) / row["team_days_mean"]
                if best is None or lag > best[0]:
                    best = (lag, row["stage"], "days", row["rep_days_mean"], row["team_days_mean"])
        if best is not None and best[0] > 0:
            return coaching.deals_goal(best[1], best[2], best[3], best[4], ctx.as_of, s,
                                       rates.count.value, team_rates.count_raw.value)
        return coaching.deals_goal(None, None, None, None, ctx.as_of, s, rates.count.value,
                                   team_rates.count_raw.value)
    if routing.conversation == HOW_GOOD:
        metrics = ctx_metrics
        rate, size = metrics["win_rate_count"], metrics["won_deal_size_mean"]
        cycle, new = metrics["cycle_days_median"], metrics["new_qualified_per_day"]
        levers = {
            "win rates +5 points": ("win_rate_count", rate, None if rate is None else min(1.0, rate + 0.05)),
            "deal size +10%": ("won_deal_size_mean", size, None if size is None else size * _TEN_PERCENT_MORE),
            "cycle -10%": ("cycle_days_median", cycle, None if cycle is None else cycle * 0.9),
            "opportunities +10%": ("new_qualified_per_day", new, None if new is None else new * 1.1),
        }
        return coaching.development_goal(what_if, ctx.as_of, s, levers)
    return None


def team_totals(ctx: RepContext, results: list[dict], team: str | None) -> dict:
    """Totals over the reps shown: pooled rates and attainment, needs and haves summed."""
    pool = Pool.total(r["pool"] for r in results)

    def pooled(key: str) -> dict:
        with_goal = [r[key] for r in results if r[key].goal is not None and r[key].goal > 0]
        bookings = sum((a.bookings or Decimal(0) for a in with_goal), Decimal(0))
        goal = sum((a.goal for a in with_goal), Decimal(0))
        if with_goal:
            answer = answer_goal(bookings, goal, no_goal_reason="")
        else:
            answer = Answer("unknown", None, None, f"no rep shown has a {key} goal")
        out = answer.as_dict()
        out["reps_with_goal"] = len(with_goal)
        out["reps_left_out"] = len(results) - len(with_goal)
        return out

    outlooks = [r["outlook"] for r in results if r["outlook"].bookings is not None and r["outlook"].goal is not None]
    forecast = sum((a.bookings for a in outlooks), Decimal(0))
    goal = sum((a.goal for a in outlooks), Decimal(0))
    if outlooks:
        outlook = {"answer": "yes" if forecast >= goal else "no", "forecast": money(forecast), "goal": money(goal)}
    else:
        outlook = {"answer": "unknown", "forecast": None, "goal": None}
    outlook.update(reps_with_goal=len(outlooks), reps_left_out=len(results) - len(outlooks))

    # Every driver of the reps shown, in the order of the reps.
    drivers = [d for r in results for d in r["drivers"]]

    def summed(name: str, money_unit: bool) -> dict:
        known = [d for d in drivers if d.name == name and d.have is not None and d.need is not None]
        have = sum(d.have for d in known)
        need = sum(d.need for d in known)
        conv = money if money_unit else (lambda v: v)
        return {"passed": (have >= need) if known else None, "have": conv(have) if known else None,
                "need": conv(need) if known else None, "reps_counted": len(known)}

    group = ("team", team) if team and any(r["rep"]["team"] == team for r in results) else ("all", ALL)
    cycle_q = ctx.quantile(group[0], group[1], "cycle_won")
    team_cycle = cycle_q.median if cycle_q and cycle_q.n >= ctx.settings.min_deals else None
    threshold = (None if team_cycle is None
                 else team_cycle * (1 + ctx.settings.cycle_tolerance) + ctx.settings.cycle_slack_days)
    # The pooled median is its own benchmark, so the totals row shows the threshold but judges nothing.
    fast = {"passed": None, "have": cycle_q.median if cycle_q else None, "need": threshold,
            "reps_passing": sum(1 for d in drivers if d.name == "fast_enough" and d.passed)}
    rep_metrics = [r["team_row"]["metrics"] for r in results]
    metric_sum = lambda key: sum((m[key] or 0) for m in rep_metrics)  # noqa: E731
    conversations = Counter(r["team_row"]["conversation"] for r in results)
    return {
        "rep_count": len(results),
        "conversations": {label: conversations[label] for label in (HOW_GOOD, TUNE_DEALS, TUNE_ENGINE)}
        | {"none": conversations[None]},
        "results": {"quota": pooled("quota"), "aspiration": pooled("aspiration"), "outlook": outlook},
        "process": {"start_enough": summed("start_enough", False), "with_enough": summed("with_enough", True),
                    "fast_enough": fast},
        "metrics": {
            "win_rate_count": pool.count_rate().value,
            "win_rate_count_raw": pool.count_rate().value,
            "win_rate_value": pool.value_rate().value,
            "win_rate_value_raw": pool.value_rate().value,
            "opportunity_size": money(pool.size().value),
            "won_deal_size_mean": money(pool.won_size().value),
            "cycle_days_median": cycle_q.median if cycle_q and cycle_q.n >= ctx.settings.min_deals else None,
            "open_count": metric_sum("open_count"),
            "open_amount": metric_sum("open_amount"),
            "open_count_active": metric_sum("open_count_active"),
            "open_amount_active": metric_sum("open_amount_active"),
            "won_count": pool.won,
            "lost_count": pool.lost,
        },
    }
