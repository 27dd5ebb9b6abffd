"""Simulate the life of every opportunity of a group of reps, vectorised with numpy.

Each opportunity gets its whole planned life (creation, qualification, the
stages it visits, a close, perhaps a move back or a reopened win) as event
times in days since the calendar's first day. Events after the end date are
cut off, so the state on the end date follows from the events before it.
Times are floats: the whole part is the day, the fraction the time of day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rasr.generate import names
from rasr.generate.archetypes import RECENT_DAYS
from rasr.generate.org import Org

STAGES = ("Prospect", "Qualify", "Solution", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
PROSPECT, QUALIFY, SOLUTION, PROPOSAL, NEGOTIATION, WON, LOST = range(len(STAGES))
EXIT_CRITERIA = (
    "Buyer agrees to a discovery meeting",
    "Buyer confirms budget, decision maker, need and timeline",
    "Buyer confirms the solution meets their requirements",
    "Economic buyer has reviewed the proposal and named a decision date",
    "Buyer has agreed the terms and started signature",
    None,
    None,
)

WEEKEND_FACTOR = 0.08  # deals created on a Saturday or Sunday, against a weekday
RAMP_DAYS = 90  # a new rep's deal creation rises to full over this many days
DIRECT_QUALIFIED_SHARE = 0.08  # qualified deals created straight into Qualify, skipping Prospect
SIZE_SIGMA = 0.5  # log-normal spread of deal sizes around the rep's median
PLANNED_CYCLE_DAYS = 45  # the expected close a rep first enters is about this far after qualification
SE_WIN_UPLIFT = 1.3  # a deal with a sales engineer wins this much more often
REOPENED_SHARE = 0.015  # won deals that are reopened and won again
OWNER_CHANGE_SHARE = 0.02  # deals moved to a teammate while open
MAX_PUSHES = 3

_PRODUCT_SHARES = np.array([share for _, share, _ in names.PRODUCTS])
_PRODUCT_SIZES = np.array([size for _, _, size in names.PRODUCTS])
# Mean of product size × log-normal factor, so a rep's mean deal is size_median × this.
MEAN_SIZE_FACTOR = float(_PRODUCT_SHARES @ _PRODUCT_SIZES * np.exp(SIZE_SIGMA**2 / 2))


@dataclass
class Deals:
    """The opportunities of one chunk: per-deal arrays, and their stage events sorted by deal and time."""

    rep: np.ndarray  # owner on the end date, an index into org.reps
    first_rep: np.ndarray  # owner at creation
    owner_changed_at: np.ndarray  # time of the move to `rep`; NaN when never moved
    created: np.ndarray
    qualified: np.ndarray  # bool: the deal ever reached a qualified stage
    qualified_at: np.ndarray
    status: np.ndarray  # 0 open, 1 won, 2 lost on the end date
    stage: np.ndarray  # stage code on the end date
    closed_at: np.ndarray  # time of the close that holds on the end date; NaN while open
    expected_close: np.ndarray  # expected close time of open deals on the end date
    amount: np.ndarray  # in the reporting currency; NaN when missing
    product: np.ndarray
    sales_engineer: np.ndarray
    source: np.ndarray
    last_event: np.ndarray  # time of the latest recorded change, for modified_at
    event_deal: np.ndarray  # stage events: deal index, stage code and time
    event_stage: np.ndarray
    event_time: np.ndarray
    push_deal: np.ndarray  # close-date history: deal index, time of the change, new expected close
    push_time: np.ndarray
    push_close: np.ndarray

    def __len__(self) -> int:
        return len(self.created)


def daily_rates(org: Org, reps: np.ndarray) -> np.ndarray:
    """Return the expected new deals per day of each rep in reps (rows) on each day (columns)."""
    r = org.reps
    days = org.calendar.days
    t = np.arange(days)
    weekday = (org.calendar.start.weekday() + t) % 7
    day_factor = np.where(weekday >= 5, WEEKEND_FACTOR, 1.0)
    start = r.start_day[reps][:, None]
    employed = (t >= start) & (t <= r.end_day[reps][:, None])
    ramp = np.clip((t - start + 1) / RAMP_DAYS, 0.0, 1.0)
    growth = r.yearly_growth[reps][:, None] ** ((t - (days - 1)) / 365.0)
    boost = np.where(t >= days - RECENT_DAYS, r.recent_boost[reps][:, None], 1.0)
    ramped = day_factor * employed * growth * boost

    # Size the rate so that wins from deals created in the 365 days before
    # a typical cycle ago book `attainment` × annual quota once ramped.
    lag = np.rint(10 + r.won_cycle[reps]).astype(np.int64)
    window = (t >= days - 365 - lag[:, None]) & (t < days - lag[:, None])
    employed_days = (employed & window).sum(axis=1)
    mean_day_factor = (5 + 2 * WEEKEND_FACTOR) / 7
    mean_shape = np.where(employed_days > 0, (ramped * window).sum(axis=1) / np.maximum(employed_days, 1),
                          mean_day_factor)
    mean_shape = np.where(mean_shape > 0, mean_shape, mean_day_factor)
    yearly_bookings = r.attainment[reps] * r.annual_quota[reps]
    per_deal = r.qualify_rate[reps] * r.win_rate[reps] * r.size_median[reps] * MEAN_SIZE_FACTOR
    base = yearly_bookings / (365.0 * per_deal * mean_shape)
    return base[:, None] * ramped * ramp


def _creation_times(rng: np.random.Generator, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw each rep's deal count and creation times from its daily rates; return (local rep, time)."""
    totals = rates.sum(axis=1)
    counts = rng.poisson(totals)
    local = np.repeat(np.arange(len(counts)), counts)
    cumulative = np.cumsum(rates, axis=1)
    cumulative /= np.where(totals > 0, totals, 1.0)[:, None]
    # One search over all reps at once: rep i's cumulative curve is shifted to [i, i + 1].
    flat = (cumulative + np.arange(len(counts))[:, None]).ravel()
    draws = local + rng.random(len(local))
    index = np.minimum(np.searchsorted(flat, draws, side="right"), flat.size - 1)
    day = index - local * rates.shape[1]
    return local, day + rng.random(len(local))


def simulate(org: Org, first: int, last: int, rng: np.random.Generator) -> Deals:
    """Simulate the deals of reps first..last - 1 (whole teams), cut off at the end date."""
    r = org.reps
    days = float(org.calendar.days)
    chunk_reps = np.arange(first, last)
    local, created = _creation_times(rng, daily_rates(org, chunk_reps))
    rep = chunk_reps[local]
    n = len(rep)

    qualified = rng.random(n) < r.qualify_rate[rep]
    direct = qualified & (rng.random(n) < DIRECT_QUALIFIED_SHARE)
    prospect_days = np.where(direct, 0.0, np.maximum(rng.gamma(2.0, 4.5, n), 0.02))
    unqualified_days = np.maximum(rng.gamma(2.0, 12.5, n), 0.05)
    qualified_at = created + prospect_days

    product = rng.choice(len(_PRODUCT_SHARES), n, p=_PRODUCT_SHARES)
    size = r.size_median[rep] * _PRODUCT_SIZES[product] * np.exp(rng.normal(0.0, SIZE_SIGMA, n))
    engineer_share = np.where(size > 1.5 * r.size_median[rep], 0.5, 0.2)
    sales_engineer = rng.random(n) < engineer_share
    # Normalised so the expected win rate stays the rep's, with or without the uplift.
    win_chance = r.win_rate[rep] * np.where(sales_engineer, SE_WIN_UPLIFT, 1.0) / (
        1 + (SE_WIN_UPLIFT - 1) * engineer_share)
    won = qualified & (rng.random(n) < win_chance)
    cycle_mean = np.where(won, r.won_cycle[rep], r.lost_cycle[rep])
    cycle = rng.gamma(3.0, cycle_mean / 3.0)

    # The open stages a qualified deal visits: Qualify up to its highest stage, Solution sometimes skipped.
    top = np.where(won, np.where(rng.random(n) < 0.15, PROPOSAL, NEGOTIATION),
                   rng.choice([QUALIFY, SOLUTION, PROPOSAL, NEGOTIATION], n, p=[0.3, 0.3, 0.28, 0.12]))
    codes = np.arange(QUALIFY, NEGOTIATION + 1)
    visited = qualified[:, None] & (codes <= top[:, None])
    visited[:, SOLUTION - QUALIFY] &= ~((top >= PROPOSAL) & (rng.random(n) < 0.1))
    weights = rng.gamma(2.0, 1.0, (n, len(codes))) * visited
    weights /= np.maximum(weights.sum(axis=1), 1e-12)[:, None]
    durations = np.where(visited, np.maximum(weights * cycle[:, None], 0.01), 0.0)
    entries = qualified_at[:, None] + np.cumsum(durations, axis=1) - durations
    closed_at = np.where(qualified, qualified_at + durations.sum(axis=1), created + unqualified_days)

    # Columns 0-4: Prospect to Negotiation, with when each visit starts and how long it lasts.
    entry5 = np.column_stack([created, entries])
    duration5 = np.column_stack([np.where(qualified, prospect_days, unqualified_days), durations])
    visited5 = np.column_stack([~direct, visited])

    # A move back: from the highest stage to the visited stage before it, then forward again.
    last_col = top - PROSPECT
    lower = np.where(visited5 & (np.arange(5) < last_col[:, None]) & (np.arange(5) >= 1), np.arange(5), -1).max(axis=1)
    regressed = qualified & (top >= SOLUTION) & (lower >= 1) & (rng.random(n) < r.regression_share[rep])
    rows = np.arange(n)
    top_entry = entry5[rows, last_col]
    top_duration = duration5[rows, last_col]

    # Snapshot rows: the same stage written again during a visit (a tracked field changed).
    snapshots = []
    for _ in range(2):
        column = rng.integers(0, 5, n)
        chance = np.where(qualified, 0.5, 0.3)
        keep = visited5[rows, column] & (rng.random(n) < chance)
        time = entry5[rows, column] + rng.uniform(0.05, 0.3, n) * duration5[rows, column]
        snapshots.append((column + PROSPECT, time, keep))

    reopened = won & (rng.random(n) < REOPENED_SHARE)
    reopened_at = closed_at + rng.uniform(2.0, 15.0, n)
    final_close = np.where(reopened, reopened_at + np.maximum(rng.gamma(2.0, 10.0, n), 0.5), closed_at)

    candidates = [
        (np.full(n, PROSPECT), created, ~direct),
        *[(np.full(n, code), entries[:, code - QUALIFY], visited[:, code - QUALIFY]) for code in codes],
        (lower + PROSPECT, top_entry + 0.35 * top_duration, regressed),
        (top, top_entry + 0.7 * top_duration, regressed),
        *snapshots,
        (np.where(won, WON, LOST), closed_at, np.ones(n, dtype=bool)),
        (np.full(n, NEGOTIATION), reopened_at, reopened),
        (np.full(n, WON), final_close, reopened),
    ]
    stage_matrix = np.column_stack([c[0] for c in candidates])
    time_matrix = np.column_stack([c[1] for c in candidates])
    keep = np.column_stack([c[2] for c in candidates]) & (time_matrix < days)
    event_deal = np.broadcast_to(rows[:, None], keep.shape)[keep]
    event_time = time_matrix[keep]
    event_stage = stage_matrix[keep]
    order = np.lexsort((event_time, event_deal))
    event_deal, event_time, event_stage = event_deal[order], event_time[order], event_stage[order]

    push_deal, push_time, push_close, expected = _close_date_history(
        rng, qualified, qualified_at, created, final_close, days)
    # Each change of the expected close also writes a history row repeating the stage of that moment.
    key = event_deal * (days + 1000.0) + event_time
    at = np.searchsorted(key, push_deal * (days + 1000.0) + push_time, side="right") - 1
    event_deal = np.r_[event_deal, push_deal]
    event_time = np.r_[event_time, push_time]
    event_stage = np.r_[event_stage, event_stage[at]]
    order = np.lexsort((event_time, event_deal))
    event_deal, event_time, event_stage = event_deal[order], event_time[order], event_stage[order]

    # The state on the end date is the stage of each deal's last event before it.
    last = np.flatnonzero(np.r_[event_deal[1:] != event_deal[:-1], True])
    stage = event_stage[last]
    status = np.select([stage == WON, stage == LOST], [1, 2], 0)
    closed_on_end = np.where(status > 0, event_time[last], np.nan)


    amount = np.round(size / 100.0) * 100.0
    missing = np.where(qualified, rng.random(n) < 0.005, rng.random(n) < 0.25)
    amount[missing] = np.nan

    owner, changed_at = _owner_changes(rng, org, rep, created, np.minimum(final_close, days))
    last_push = np.full(n, -np.inf)
    np.maximum.at(last_push, push_deal, push_time)
    return Deals(
        rep=owner, first_rep=rep, owner_changed_at=changed_at, created=created, qualified=qualified,
        qualified_at=qualified_at, status=status, stage=stage, closed_at=closed_on_end, expected_close=expected,
        amount=amount, product=product, sales_engineer=sales_engineer,
        source=rng.choice(len(names.SOURCES), n, p=names.SOURCE_SHARES),
        last_event=np.maximum(event_time[last], np.fmax(last_push, np.nan_to_num(changed_at, nan=-np.inf))),
        event_deal=event_deal, event_stage=event_stage, event_time=event_time,
        push_deal=push_deal, push_time=push_time, push_close=push_close,
    )


def _close_date_history(rng: np.random.Generator, qualified: np.ndarray, qualified_at: np.ndarray,
                        created: np.ndarray, final_close: np.ndarray, days: float):
    """Expected close dates: a first guess at qualification, pushed later while the deal runs past it.

    Returns the history rows (deal, time, new expected close) of deals pushed
    at least once, first guess included, and each deal's expected close on the end date.
    """
    n = len(created)
    expected = qualified_at + PLANNED_CYCLE_DAYS * rng.uniform(0.6, 1.1, n)
    times, closes, valid = [qualified_at], [expected], [qualified & (qualified_at < days)]
    previous_valid = qualified.copy()
    for _ in range(MAX_PUSHES):
        when = expected - rng.uniform(0.0, 4.0, n)
        moved = expected + rng.uniform(14.0, 40.0, n)
        ok = previous_valid & (expected < final_close - 2) & (when > qualified_at) & (when < final_close)
        times.append(when)
        closes.append(moved)
        valid.append(ok & (when < days))
        expected = np.where(ok, moved, expected)
        previous_valid = ok
    time_matrix = np.column_stack(times)
    close_matrix = np.column_stack(closes)
    valid_matrix = np.column_stack(valid)
    pushed = valid_matrix[:, 1]
    valid_matrix &= pushed[:, None]
    # The expected close on the end date: the latest value written before it.
    seen = np.column_stack(valid) & (time_matrix < days)
    latest = np.where(seen, np.arange(seen.shape[1]), -1).max(axis=1)
    current = close_matrix[np.arange(n), np.maximum(latest, 0)]
    current = np.where(latest >= 0, current, created + 60.0)
    deal = np.broadcast_to(np.arange(n)[:, None], valid_matrix.shape)[valid_matrix]
    return deal, time_matrix[valid_matrix], close_matrix[valid_matrix], current


def _owner_changes(rng: np.random.Generator, org: Org, rep: np.ndarray, created: np.ndarray,
                   open_until: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move deals to teammates: every deal still open when its rep left, and a few others while open.

    Returns the owner on the end date and the time of the move (NaN when none).
    """
    r = org.reps
    n = len(rep)
    leaving = r.end_day[rep] + 0.5
    departed_open = (leaving < open_until) & (leaving > created)
    random_move = (~departed_open) & (r.end_day[rep] >= org.calendar.days) & (open_until - created > 2) & (
        rng.random(n) < OWNER_CHANGE_SHARE)
    when = np.where(departed_open, leaving, created + rng.uniform(0.2, 0.9, n) * (open_until - created))
    moving = np.flatnonzero(departed_open | random_move)

    ranges = org.team_ranges()
    team_first = np.array([a for a, _ in ranges])
    team_size = np.array([b - a for a, b in ranges])
    team = r.team[rep[moving]]
    target = np.full(len(moving), -1)
    for _ in range(6):
        open_slots = target < 0
        if not open_slots.any():
            break
        pick = team_first[team] + (rng.random(len(moving)) * team_size[team]).astype(np.int64)
        t = when[moving]
        fits = (pick != rep[moving]) & (r.start_day[pick] <= t) & (r.end_day[pick] >= t)
        target = np.where(open_slots & fits, pick, target)
    owner = rep.copy()
    changed_at = np.full(n, np.nan)
    done = moving[target >= 0]
    owner[done] = target[target >= 0]
    changed_at[done] = when[done]
    return owner, changed_at
