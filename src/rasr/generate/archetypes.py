"""Rep archetypes: how each kind of rep sells, and the conversation the RASR decision should pick for them.

Each archetype gives ranges that every rep of it draws from. Attainment is
bookings over the final 365 days against quota. The deal creation rate is
sized from it, so a top performer books well over quota and a declining rep
well under it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasr.engine.decision import HOW_GOOD, TUNE_DEALS, TUNE_ENGINE

# The intended result of a new hire: no conversation, with a reason starting "ramping".
RAMPING = "ramping"


@dataclass(frozen=True)
class Archetype:
    """The selling parameters of one kind of rep. Every range is (low, high), drawn uniformly per rep."""

    name: str
    intended: str | None  # a conversation, RAMPING, or None when no single outcome is intended
    share: float  # share of the reps in each team
    attainment: tuple[float, float]
    qualify_rate: tuple[float, float]  # share of new opportunities that become qualified
    win_rate: tuple[float, float]  # share of qualified opportunities won
    won_cycle_days: tuple[float, float]  # mean days from qualification to a win
    lost_cycle_days: tuple[float, float]  # mean days from qualification to a loss
    yearly_growth: tuple[float, float]  # deal creation rate multiplier per year (below 1: declining)
    recent_boost: float  # deal creation rate multiplier over the last RECENT_DAYS days
    regression_share: float  # share of qualified deals that move back a stage once
    activities_per_qualified: dict[str, float]  # calls, emails and meetings per new qualified opportunity


RECENT_DAYS = 120

TOP = Archetype(
    name="top_performer", intended=HOW_GOOD, share=0.15,
    attainment=(1.6, 1.9), qualify_rate=(0.6, 0.7), win_rate=(0.3, 0.36),
    won_cycle_days=(25, 35), lost_cycle_days=(30, 40), yearly_growth=(1.1, 1.25), recent_boost=1.0,
    regression_share=0.05, activities_per_qualified={"call": 14, "email": 24, "meeting": 3},
)
STEADY = Archetype(
    name="steady", intended=None, share=0.4,
    attainment=(0.85, 1.15), qualify_rate=(0.55, 0.65), win_rate=(0.22, 0.28),
    won_cycle_days=(40, 55), lost_cycle_days=(45, 60), yearly_growth=(0.95, 1.1), recent_boost=1.0,
    regression_share=0.08, activities_per_qualified={"call": 20, "email": 32, "meeting": 4},
)
# Strong process, weak closing: enough pipeline for the goal at their low win rate, because
# they prospect hard and keep losing deals open for months, but too many of those deals are lost.
DEALS = Archetype(
    name="low_win_rate", intended=TUNE_DEALS, share=0.15,
    attainment=(0.4, 0.58), qualify_rate=(0.6, 0.7), win_rate=(0.11, 0.15),
    won_cycle_days=(40, 50), lost_cycle_days=(330, 390), yearly_growth=(1.05, 1.2), recent_boost=3.5,
    regression_share=0.15, activities_per_qualified={"call": 16, "email": 26, "meeting": 3},
)
# Thin pipeline, slow cycle and a deal creation rate that falls year on year.
ENGINE = Archetype(
    name="declining", intended=TUNE_ENGINE, share=0.2,
    attainment=(0.45, 0.65), qualify_rate=(0.45, 0.55), win_rate=(0.2, 0.26),
    won_cycle_days=(95, 120), lost_cycle_days=(90, 120), yearly_growth=(0.55, 0.7), recent_boost=1.0,
    regression_share=0.1, activities_per_qualified={"call": 38, "email": 55, "meeting": 5},
)
# Started within the ramp period before the end date.
NEW_HIRE = Archetype(
    name="new_hire", intended=RAMPING, share=0.1,
    attainment=(0.8, 1.0), qualify_rate=(0.5, 0.6), win_rate=(0.18, 0.24),
    won_cycle_days=(40, 55), lost_cycle_days=(45, 60), yearly_growth=(1.0, 1.0), recent_boost=1.0,
    regression_share=0.08, activities_per_qualified={"call": 30, "email": 45, "meeting": 4},
)

ARCHETYPES: tuple[Archetype, ...] = (TOP, STEADY, DEALS, ENGINE, NEW_HIRE)
BY_NAME = {archetype.name: archetype for archetype in ARCHETYPES}

# Reps who left before the final fiscal year: their open deals went to teammates.
DEPARTED = "departed"
DEPARTED_SHARE = 0.05
