"""Calls, e-mails and meetings per rep and week, and one demo per deal that reached the Solution stage.

A rep's weekly activity count is their expected new qualified deals that
week times their own activities per qualified deal, with Poisson noise, so
the conversion of activity into pipeline differs by archetype.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rasr.generate.deals import SOLUTION, Deals, daily_rates
from rasr.generate.org import ACTIVITY_KINDS, Org


@dataclass
class Activities:
    rep: np.ndarray  # index into org.reps
    day: np.ndarray  # day number of the activity, the Monday of its week for weekly counts
    kind: np.ndarray  # index into KINDS
    count: np.ndarray
    deal: np.ndarray  # deal index within the chunk, -1 when not tied to a deal

    def __len__(self) -> int:
        return len(self.rep)


KINDS = (*ACTIVITY_KINDS, "demo")
DEMO = KINDS.index("demo")


def weekly_activities(rng: np.random.Generator, org: Org, first: int, last: int, deals: Deals) -> Activities:
    """Return the chunk's weekly activity counts and its demos, dated on or before the end date."""
    reps = np.arange(first, last)
    qualified_per_day = daily_rates(org, reps) * org.reps.qualify_rate[reps][:, None]
    days = org.calendar.days
    # Day numbers where a week (Monday to Sunday) starts; the first week may be partial.
    offset = org.calendar.start.weekday()
    week_starts = np.unique(np.r_[0, np.arange((7 - offset) % 7, days, 7)])
    per_week = np.add.reduceat(qualified_per_day, week_starts, axis=1)  # (reps, weeks)
    ratios = org.reps.activity_ratios[reps]  # (reps, kinds)
    counts = rng.poisson(per_week[:, :, None] * ratios[:, None, :])  # (reps, weeks, kinds)
    rep_index, week_index, kind_index = np.nonzero(counts)

    # Demos: one per deal that entered Solution, by the deal's owner on that day.
    demo = deals.event_stage == SOLUTION
    first_demo = demo & np.r_[True, (deals.event_deal[1:] != deals.event_deal[:-1]) | ~demo[:-1]]
    demo_deal = deals.event_deal[first_demo]
    demo_time = deals.event_time[first_demo]
    demo_deal, unique = np.unique(demo_deal, return_index=True)
    demo_time = demo_time[unique]
    moved = ~np.isnan(deals.owner_changed_at[demo_deal]) & (deals.owner_changed_at[demo_deal] <= demo_time)
    demo_rep = np.where(moved, deals.rep[demo_deal], deals.first_rep[demo_deal])

    return Activities(
        rep=np.r_[reps[rep_index], demo_rep],
        # A rep hired mid-week has that week's counts dated on the hire date, not the Monday before.
        day=np.r_[np.maximum(week_starts[week_index], org.reps.start_day[reps[rep_index]]),
                  np.floor(demo_time).astype(np.int64)],
        kind=np.r_[kind_index, np.full(len(demo_deal), DEMO)],
        count=np.r_[counts[rep_index, week_index, kind_index], np.ones(len(demo_deal), dtype=np.int64)],
        deal=np.r_[np.full(len(rep_index), -1), demo_deal],
    )
