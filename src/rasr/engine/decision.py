"""The RASR decision: three results questions, then process, route each rep to one conversation."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rasr.engine.values import Figure, money

HOW_GOOD = "how_good_can_you_get"
TUNE_DEALS = "tune_the_deals"
TUNE_ENGINE = "tune_the_engine"

LABELS = {
    HOW_GOOD: "How Good Can You Get?",
    TUNE_DEALS: "Tune the Deals",
    TUNE_ENGINE: "Tune the Engine",
    None: "No conversation",
}


@dataclass
class Answer:
    """One results question: yes, no or unknown, with its numbers (amounts in cents)."""

    answer: str
    bookings: Decimal | None = None
    goal: Decimal | None = None
    reason: str | None = None
    coverage: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def attainment(self) -> float | None:
        if self.bookings is None or self.goal is None or self.goal == 0:
            return None
        return float(self.bookings / self.goal)

    def as_dict(self) -> dict:
        return {
            "answer": self.answer,
            "bookings": money(self.bookings),
            "goal": money(self.goal),
            "attainment": self.attainment,
            "coverage": self.coverage,
            "reason": self.reason,
        }


def answer_goal(bookings: Decimal | None, goal: Decimal | None, *, no_goal_reason: str) -> Answer:
    """Compare bookings with a goal: unknown without a goal or with a goal of 0."""
    if goal is None:
        return Answer("unknown", bookings, None, no_goal_reason)
    if goal == 0:
        return Answer("unknown", bookings, goal, "zero quota")
    if bookings is None:
        return Answer("unknown", None, goal, "bookings unknown")
    return Answer("yes" if bookings >= goal else "no", bookings, goal)


@dataclass
class Driver:
    """One process driver: have against need, passed or not, or unknown with a reason."""

    name: str
    have: float | None
    need: float | None
    passed: bool | None
    reason: str | None = None
    unit: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap: (need − have) / need for count and amount, (median − threshold) / threshold for cycle."""
        if self.passed is not False or self.have is None or self.need in (None, 0):
            return None
        if self.name == "fast_enough":
            return (self.have - self.need) / self.need
        return (self.need - self.have) / self.need

    def as_dict(self, money_unit: bool = False) -> dict:
        have, need = (money(self.have), money(self.need)) if money_unit else (self.have, self.need)
        return {"passed": self.passed, "have": have, "need": need, "reason": self.reason, "gap": self.gap}


def driver_at_least(name: str, have: float | None, need: Figure, unit: str) -> Driver:
    if need.value is None:
        return Driver(name, have, None, None, need.reason, unit)
    if have is None:
        return Driver(name, None, need.value, None, "nothing open to count", unit)
    return Driver(name, have, need.value, have >= need.value, None, unit)


def driver_fast_enough(median_days: Figure, threshold: Figure) -> Driver:
    if median_days.value is None:
        return Driver("fast_enough", None, threshold.value, None, median_days.reason, "days")
    if threshold.value is None:
        return Driver("fast_enough", median_days.value, None, None, threshold.reason, "days")
    return Driver("fast_enough", median_days.value, threshold.value, median_days.value <= threshold.value,
                  None, "days")


def _behind(quota: Answer, aspiration: Answer, outlook: Answer) -> str:
    """Name the results questions answered no, e.g. 'behind on personal goal (71%)'."""
    parts = []
    for label, answer in (("quota", quota), ("personal goal", aspiration), ("outlook", outlook)):
        if answer.answer == "no":
            share = f" ({answer.attainment:.0%})" if answer.attainment is not None else ""
            parts.append(f"{label}{share}")
    return "behind on " + " and ".join(parts) if parts else "behind on results"


@dataclass
class Routing:
    conversation: str | None
    reason: str
    ranked_gaps: list[tuple[str, float]] = field(default_factory=list)


def route(*, ramping: bool, start_date, quota: Answer, aspiration: Answer, outlook: Answer,
          active_in_lookback: int, drivers: list[Driver], ramp_days: int) -> Routing:
    """Route a rep, in order: ramping, quota unknown, no activity, top performer, then process."""
    if ramping:
        return Routing(None, f"ramping: started {start_date} (within ramp_days {ramp_days} of as_of)")
    if quota.answer == "unknown":
        return Routing(None, quota.reason or "quota unknown")
    if active_in_lookback == 0:
        return Routing(None, "no activity in lookback: no qualified opportunity open or closed in it")
    known = [a for a in (quota, aspiration, outlook) if a.answer != "unknown"]
    if quota.answer == "yes" and all(a.answer == "yes" for a in known):
        return Routing(HOW_GOOD, "on track on every results question with an answer")
    behind = _behind(quota, aspiration, outlook)
    failing = [d for d in drivers if d.passed is False]
    if failing:
        ranked = sorted(((d.name, d.gap or 0.0) for d in failing), key=lambda item: -item[1])
        names = ", ".join(f"{name.replace('_', ' ')} ({gap:.0%} short)" for name, gap in ranked)
        return Routing(TUNE_ENGINE, f"{behind}, with process gaps: {names}", ranked)
    if all(d.passed is True for d in drivers):
        return Routing(TUNE_DEALS, f"{behind}, but start, with and fast enough all pass")
    unknown = ", ".join(f"{d.name.replace('_', ' ')}: {d.reason}" for d in drivers if d.passed is None)
    return Routing(None, f"not enough history ({unknown})")
