"""The suggested coaching goal, the expected-value outlook and the what-if scenarios."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from rasr.engine.registry import metric_span
from rasr.engine.settings import Settings
from rasr.engine.values import money


@dataclass(frozen=True)
class OutlookInputs:
    """Inputs of the expected-value outlook, amounts in cents."""

    open_amount_active: float
    new_amount_per_day: float | None
    win_rate: float | None
    cycle_days: float | None
    horizon_days: int


def expected_bookings(inputs: OutlookInputs) -> float | None:
    """Expected bookings over the horizon, in cents.

    active open qualified amount × win rate + new qualified $ per day × win rate
    × max(0, horizon_days − median cycle). An estimate until a forecast exists.
    """
    return _estimate_bookings(inputs.open_amount_active, inputs.new_amount_per_day, inputs.win_rate,
                              inputs.cycle_days, inputs.horizon_days)


def _estimate_bookings(open_amount_active: float, new_amount_per_day: float | None, win_rate: float | None,
                       cycle_days: float | None, horizon_days: int) -> float | None:
    if win_rate is None:
        return None
    from_open = open_amount_active * win_rate
    if new_amount_per_day is None or cycle_days is None:
        return from_open
    days_left = max(0.0, horizon_days - cycle_days)
    return from_open + new_amount_per_day * win_rate * days_left


def what_if(inputs: OutlookInputs, goal: float | None) -> list[dict]:
    """Recompute the outlook with one input changed, each alone and all combined."""
    base = expected_bookings(inputs)

    def scenario(name: str, win_rate: float | None, new_amount_per_day: float | None,
                 cycle_days: float | None) -> dict:
        value = _estimate_bookings(inputs.open_amount_active, new_amount_per_day, win_rate, cycle_days,
                                   inputs.horizon_days)
        change = None if value is None or not base else (value - base) / base
        reaches = None if value is None or goal is None else value >= goal
        return {"scenario": name, "forecast": money(value), "change": change, "reaches_goal": reaches}

    rate = inputs.win_rate
    raised_rate = None if rate is None else min(1.0, rate + 0.05)
    new = inputs.new_amount_per_day
    more_new = None if new is None else new * 1.1
    cycle = inputs.cycle_days
    shorter_cycle = None if cycle is None else cycle * 0.9
    rows = [
        scenario("as is", rate, new, cycle),
        scenario("win rates +5 points", raised_rate, new, cycle),
        scenario("deal size +10%", rate, more_new, cycle),
        scenario("cycle -10%", rate, new, shorter_cycle),
        scenario("opportunities +10%", rate, more_new, cycle),
        scenario("all combined", raised_rate, None if more_new is None else more_new * 1.1, shorter_cycle),
    ]
    return rows


def _pct(baseline: float, target: float) -> float | None:
    """Return the rise of target over baseline as a share, or None when the baseline is 0."""
    if baseline == 0:
        return None
    return (target - baseline) / abs(baseline)


def _due(as_of: dt.date, settings: Settings) -> dt.date:
    return as_of + dt.timedelta(days=settings.goal_days)


def engine_goal(driver: str, have: float, need: float, size_cents: float | None, as_of: dt.date,
                settings: Settings, activity_ratio: dict[str, float] | None = None) -> dict:
    """Tune the Engine: close the largest driver gap, pro-rated to goal_days."""
    share = settings.goal_days / settings.horizon_days
    due = _due(as_of, settings)
    if driver == "start_enough":
        add = math.ceil(max(0.0, need - have) * share)
        target = have + add
        approx = None if size_cents is None else money(add * size_cents)
        pct = _pct(have, target)
        text = f"+{add} qualified opportunities"
        if approx is not None:
            text += f", ≈ ${approx:,.0f}"
        text += f", by {due:%d %B %Y}"
        text += f": +{pct:.0%}" if pct is not None else " (from none open)"
        plays = [f"Create {add} new qualified opportunities before {due:%d %B}"]
        if activity_ratio:
            weeks = max(1.0, settings.goal_days / 7)
            per_week = ", ".join(
                f"{math.ceil(add * ratio / weeks)} {kind}s" for kind, ratio in sorted(activity_ratio.items())
            )
            plays.append(f"at your own conversion that means about {per_week} a week")
        return _goal("activities", "open_count_active", have, target, pct, due, text, "; ".join(plays))
    if driver == "with_enough":
        add = max(0.0, need - have) * share
        target = have + add
        pct = _pct(have, target)
        text = f"+${money(add):,.0f} of active qualified pipeline by {due:%d %B %Y}"
        text += f": +{pct:.0%}" if pct is not None else " (from none open)"
        play = "Add larger qualified opportunities or widen the ones open, and retire stale deals"
        return _goal("activities", "open_amount_active", money(have), money(target), pct, due, text, play)
    cut = max(0.0, have - need) * share
    target = have - cut
    pct = _pct(have, target)
    text = f"cut the median cycle from {have:.1f} to {target:.1f} days by {due:%d %B %Y}"
    text += f": {pct:.0%}" if pct is not None else ""
    play = "For each open deal, agree the next buyer commitment and its date before the next 1:1"
    return _goal("activities", "cycle_days_median", have, target, pct, due, text, play)


def deals_goal(stage: str | None, kind: str | None, rep_value: float | None, team_value: float | None,
               as_of: dt.date, settings: Settings, count_rate: float | None, team_count_rate: float | None) -> dict:
    """Tune the Deals: move the stage that lags the team most toward the team, pro-rated to goal_days."""
    share = settings.goal_days / settings.horizon_days
    due = _due(as_of, settings)
    if stage is None or rep_value is None or team_value is None:
        if count_rate is None or team_count_rate is None or team_count_rate <= count_rate:
            text = "review every open deal's verifier (the buyer commitment that moves it on) before the next 1:1"
            return _goal("skills", None, None, None, None, due, text, text)
        target = count_rate + (team_count_rate - count_rate) * share
        pct = _pct(count_rate, target)
        text = f"raise the win rate from {count_rate:.0%} to {target:.0%} by {due:%d %B %Y}"
        return _goal("skills", "win_rate_count", count_rate, target, pct, due, text,
                     "Agree a verifier for each deal before proposing")
    target = rep_value + (team_value - rep_value) * share
    pct = _pct(rep_value, target)
    if kind == "rate":
        text = f"raise the win rate from {stage} from {rep_value:.0%} to {target:.0%} by {due:%d %B %Y}"
        metric = f"stage_win_rate:{stage}"
        play = f"For each deal in {stage}, name the buyer commitment that verifies it can leave the stage"
    else:
        text = f"cut the days in {stage} from {rep_value:.1f} to {target:.1f} by {due:%d %B %Y}"
        metric = f"stage_days:{stage}"
        play = f"Set a dated next step with the buyer for every deal in {stage}"
    if pct is not None:
        text += f": {pct:+.0%}"
    return _goal("skills", metric, rep_value, target, pct, due, text, play)


def development_goal(rows: list[dict], as_of: dt.date, settings: Settings,
                     levers: dict[str, tuple[str, float | None, float | None]]) -> dict:
    """Suggest, for How Good Can You Get?, the single lever with the largest gain in outlook, as a development goal.

    levers maps a scenario name to (goal_metric, current value, value under the scenario).
    """
    due = _due(as_of, settings)
    singles = [r for r in rows if r["scenario"] in levers and r["change"] is not None
               and levers[r["scenario"]][1] is not None]
    if not singles:
        text = "agree a development plan: the next career step and what it takes"
        return _goal("development", None, None, None, None, due, text, text)
    best = max(singles, key=lambda r: r["change"])
    metric, baseline, target = levers[best["scenario"]]
    text = (f"what if: {best['scenario']} lifts the outlook by {best['change']:.0%} "
            f"to ${best['forecast']:,.0f}; pick it as the stretch goal for {due:%d %B %Y}")
    play = "Write the development plan: the lever to practise, the help needed, and the next career step"
    return _goal("development", metric, baseline, target, _pct(baseline, target), due, text, play)


def _goal(focus, metric, baseline, target, pct, due, text, next_play) -> dict:
    return {"focus": focus, "metric": metric, "span": None if metric is None else metric_span(metric),
            "baseline": baseline, "target": target, "change_pct": pct, "due_on": due,
            "text": text, "next_play": next_play}
