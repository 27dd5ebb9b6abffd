"""Every per-rep metric of the team JSON, declared once with its definition.

The CLI's `rasr metrics` and the tests read this table; a metric added to
the engine without an entry here fails the test suite.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str  # "rate" (0..1), "money", "count", "days", "money/day", "count/day"
    definition: str
    misleads_when: str = ""


_LOOKBACK = "qualified opportunities closed in the lookback (lookback_days ending on as_of)"

METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("win_rate_count", "rate",
           f"won / (won + lost) over {_LOOKBACK}, blended toward the team with win_rate_prior_weight pseudo deals",
           "the team itself has few closed deals"),
    Metric("win_rate_count_raw", "rate", f"won / (won + lost) over {_LOOKBACK}; open deals never count",
           "a rep has only a handful of closed deals"),
    Metric("win_rate_value", "rate",
           f"won $ / closed $ over {_LOOKBACK} with an amount, blended toward the team; "
           "missing when over max_missing_amount_share of closed deals lack an amount"),
    Metric("win_rate_value_raw", "rate", f"won $ / closed $ over {_LOOKBACK} with an amount",
           "one large deal dominates the closed $"),
    Metric("opportunity_size", "money",
           f"mean amount of {_LOOKBACK}, blended toward the team's mean closed size"),
    Metric("opportunity_size_raw", "money", f"mean amount of {_LOOKBACK}"),
    Metric("won_deal_size_mean", "money", "mean amount of won qualified opportunities closed in the lookback"),
    Metric("won_deal_size_median", "money", "exact median amount of won qualified opportunities closed in the lookback"),
    Metric("cycle_days_median", "days",
           "exact median of days from qualified_on to close of won opportunities closed in the lookback; "
           "missing with fewer than min_deals won deals",
           "deals whose close precedes creation or qualification are left out"),
    Metric("cycle_days_mean", "days", "mean of the same won cycle times"),
    Metric("cycle_days_median_previous", "days", "median won cycle over the lookback before the current one"),
    Metric("cycle_days_median_lost", "days", "median days from qualified_on to close of lost opportunities"),
    Metric("team_cycle_days_median", "days", "median won cycle pooled over every deal of the rep's team"),
    Metric("open_count", "count", "open qualified opportunities on as_of"),
    Metric("open_amount", "money", "amount of open qualified opportunities on as_of (missing amounts left out)"),
    Metric("open_count_active", "count", "open qualified opportunities on as_of that are not stale"),
    Metric("open_amount_active", "money", "amount of the open qualified opportunities that are not stale"),
    Metric("stale_count", "count",
           "open qualified opportunities older in their stage than the nearest-rank 90th percentile of days from "
           "entering that stage to close (the rep's, or the team's with fewer than min_deals)"),
    Metric("slipped_count", "count",
           "open qualified opportunities whose expected close is before as_of or whose close date was pushed later"),
    Metric("won_count", "count", "won qualified opportunities closed in the lookback"),
    Metric("lost_count", "count", "lost qualified opportunities closed in the lookback"),
    Metric("closed_count", "count", "won plus lost qualified opportunities closed in the lookback"),
    Metric("won_amount", "money", "amount won in the lookback"),
    Metric("new_qualified_per_day", "count/day",
           "opportunities qualified in the lookback per day of the lookback after data (and the rep) began"),
    Metric("new_qualified_amount_per_day", "money/day", "amount of those opportunities per day"),
    Metric("sales_velocity_per_day", "money/day",
           "active open count × count win rate × mean won size / median cycle days"),
    Metric("closed_missing_amount", "count",
           "qualified opportunities closed in the lookback without an amount (missing, not zero)"),
    Metric("open_missing_amount", "count", "open qualified opportunities on as_of without an amount"),
    Metric("regressions", "count",
           "moves to an earlier stage position among opportunities closed in the lookback"),
)}


def describe_metric(name: str) -> str:
    """Return a short description of a goal metric, including stage_win_rate:<stage> and stage_days:<stage>."""
    kind, _, stage = name.partition(":")
    if kind == "stage_win_rate" and stage:
        return f"share of deals that entered {stage} and closed in the lookback that were won"
    if kind == "stage_days" and stage:
        return f"mean days in {stage} over deals whose visit ended in the lookback"
    metric = METRICS.get(name)
    return metric.definition if metric else name


def metric_span(name: str) -> str:
    """Return how a goal metric is measured at the next 1:1: on that day, or over the lookback before it."""
    point_in_time = {"open_count", "open_amount", "open_count_active", "open_amount_active", "stale_count",
                     "slipped_count", "open_missing_amount"}
    return "as_of" if name in point_in_time else "lookback"
