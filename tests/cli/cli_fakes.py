"""A stand-in for rasr.engine.analysis that returns fixed team and brief dicts, for CLI rendering tests.

The dicts follow the engine's JSON contract; the figures are made up and
need not agree with each other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


class AnalysisError(ValueError):
    """Fake of the engine's AnalysisError."""


class EmptyWorkspaceError(AnalysisError):
    """Fake of the engine's EmptyWorkspaceError."""


AS_OF = "2017-06-30"

# rep_id, name, team, start_date, conversation, reason
REPS = (
    ("ds", "Darcel Schlecht", "West", "2015-01-01", "tune_the_engine",
     "behind on results, with process gaps: start enough (44% short)"),
    ("zl", "Zane Levy", "West", "2016-03-01", "how_good_can_you_get",
     "on track on every results question with an answer"),
    ("ja", "James Ascencio", "East", "2016-01-04", "tune_the_deals",
     "behind on results, but start, with and fast enough all pass"),
    ("jb", "Jonathan Berthelot-Featherstonehaugh of the Northern Territories", "East", "2017-05-01", None,
     "ramping: started 2017-05-01 (within ramp_days 90 of as_of)"),
    ("cl", "Carl Lin", None, None, None, "no data on or before as_of"),
)


def _question(answer: str, bookings: float | None, goal: float | None) -> dict[str, Any]:
    attainment = None if bookings is None or not goal else bookings / goal
    return {"answer": answer, "bookings": bookings, "goal": goal, "attainment": attainment,
            "coverage": 1.0 if goal else None, "reason": None if answer != "unknown" else "no quota for the period"}


def _driver(passed: bool | None, have: float | None, need: float | None) -> dict[str, Any]:
    return {"passed": passed, "have": have, "need": need, "reason": None if passed is not None else "too few deals",
            "gap": None if passed is not False or not need else (need - have) / need}


def _metrics(index: int) -> dict[str, Any]:
    return {
        "win_rate_count": 0.62 + index / 100, "win_rate_count_raw": 0.6 + index / 100,
        "win_rate_value": 0.58, "win_rate_value_raw": 0.55, "opportunity_size": 3125.5 * (index + 1),
        "won_deal_size_mean": 3300.0, "cycle_days_median": 54.5, "open_count": 85 + index,
        "open_amount": 301175.25, "open_count_active": 80, "open_amount_active": 280000.0,
    }


def team_row(index: int, rep: tuple) -> dict[str, Any]:
    rep_id, name, team, _start, conversation, reason = rep
    behind = conversation in ("tune_the_engine", "tune_the_deals")
    return {
        "rep_id": rep_id, "name": name, "team": team,
        "conversation": conversation, "conversation_reason": reason,
        "results": {
            "quota": _question("no" if behind else "yes", 422330.5, 648767.0),
            "aspiration": _question("unknown", 422330.5, None),
            "outlook": {"answer": "no" if behind else "yes", "forecast": 1234567.0, "goal": 1500000.0},
        },
        "process": {
            "start_enough": _driver(conversation != "tune_the_engine", 85, 151),
            "with_enough": _driver(True, 1234567.0, 540000.0),
            "fast_enough": _driver(None if conversation is None else True, 54.5, 78.2),
        },
        "metrics": _metrics(index),
        "goal_suggestion": {"focus": "activities", "metric": "open_count_active"},
    }


def team_dict() -> dict[str, Any]:
    rows = [team_row(index, rep) for index, rep in enumerate(REPS)]
    totals = copy.deepcopy(rows[0])
    for key in ("rep_id", "name", "conversation", "conversation_reason"):
        totals.pop(key)
    totals["team"] = None
    totals["process"]["start_enough"] = _driver(False, 1404, 2027)
    totals["process"]["with_enough"] = _driver(False, 3512345.0, 4612345.0)
    return {"as_of": AS_OF, "period": {"label": "FY2017 to date (2017-01-01..2017-06-30)"},
            "reps": rows, "totals": totals, "warnings": ["no aspiration row covers FY2017 to date"]}


def brief_dict(rep: tuple) -> dict[str, Any]:
    rep_id, name, team, start_date, conversation, reason = rep
    row = team_row(0, rep)
    span = {"label": "Jun 2017 (2017-06-01..2017-06-30)"}
    requirement = {"span": span, "goal": 25000.0, "bookings": 122000.0, "pipeline_full": 39000.0,
                   "pipeline_remaining": 0.0, "opportunities_full": 13, "opportunities_remaining": 0,
                   "have_pipeline": 301175.0, "have_opportunities": 85, "notes": []}
    return {
        "as_of": AS_OF,
        "rep": {"rep_id": rep_id, "name": name, "team": team, "start_date": start_date},
        "conversation": conversation,
        "conversation_label": {"tune_the_engine": "Tune the Engine", "tune_the_deals": "Tune the Deals",
                               "how_good_can_you_get": "How Good Can You Get?"}.get(conversation),
        "conversation_reason": reason,
        "results": {**row["results"], "span": {"label": "FY2017 to date (2017-01-01..2017-06-30)"},
                    "notes": ["quota rows cover the whole period"]},
        "requirements": {
            "month": requirement,
            "quarter": {**requirement, "span": {"label": "Q2 FY2017 (2017-04-01..2017-06-30)"}},
            "year": {**requirement, "span": {"label": "FY2017 (2017-01-01..2017-12-31)"},
                     "notes": ["one won deal is over 25% of won $: elephant"]},
            "horizon": {**requirement, "span": {"label": "next 90 days (2017-07-01..2017-09-28)"}},
        },
        "speed": {
            "cycle_days_median": 54, "cycle_days_mean": 54.8, "team_cycle_days_median": 57,
            "threshold_days": 78.2, "previous_cycle_days_median": None, "lost_cycle_days_median": 51,
            "stages": [{"stage": "Engaging", "rep_days_mean": 53.0, "rep_days_median": 53, "rep_deals": 213,
                        "team_days_mean": 53.0, "team_days_median": 54.5, "stage_win_rate": 0.66,
                        "team_stage_win_rate": 0.66}],
        },
        "process": {**row["process"], "ranked_gaps": [{"driver": "start_enough", "gap": 0.44}]},
        "evidence": ["Quota: no: $422,330 against $648,767 (65%)", "start enough: fail: 85 open vs 151 needed"],
        "goal_suggestion": {
            "focus": "activities", "metric": "open_count_active", "span": "as_of", "baseline": 85, "target": 107,
            "change_pct": 0.26, "due_on": "2017-07-30",
            "text": "+22 qualified opportunities, ≈ $68,341, by 30 July 2017: +26%",
            "next_play": "Create 22 new qualified opportunities before 30 July",
        },
        "deals_to_review": [
            {"opp_id": "o1", "name": "<script>alert(1)</script> renewal", "account": "Acme & Sons",
             "stage": "Engaging", "amount": 54000.0, "age_days": 115, "expected_close_on": "2017-05-01",
             "stale": True, "slipped": True, "exit_criteria": "signed mutual plan", "next_step": "call CFO"},
            {"opp_id": "o2", "name": None, "account": None, "stage": "Engaging", "amount": None,
             "age_days": None, "expected_close_on": None, "stale": False, "slipped": False,
             "exit_criteria": None, "next_step": None},
        ],
        "what_if": [
            {"scenario": "as is", "forecast": 140000.0, "change": 0.0, "reaches_goal": True},
            {"scenario": "win rates +5 points", "forecast": 150030.0, "change": 0.07, "reaches_goal": True},
        ],
        "warnings": ["no personal goal recorded: ask the rep for one and record it"],
        "metrics": row["metrics"],
    }


@dataclass
class FakeResult:
    """Fake of the engine's TeamAnalysis: notices, reps, as_dict() and brief()."""

    notices: list[str] = field(default_factory=lambda: [f"as_of defaults to {AS_OF}, the latest recorded event"])
    reps: list[dict[str, Any]] = field(
        default_factory=lambda: [{"rep_id": rep[0], "name": rep[1], "team": rep[2]} for rep in REPS])
    team: dict[str, Any] = field(default_factory=team_dict)
    briefs: dict[str, dict[str, Any]] = field(default_factory=lambda: {rep[0]: brief_dict(rep) for rep in REPS})

    def as_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.team)

    def brief(self, rep_id: str) -> dict[str, Any]:
        if rep_id not in self.briefs:
            raise KeyError(rep_id)
        return copy.deepcopy(self.briefs[rep_id])


@dataclass
class FakeEngine:
    """What analyze returns or raises, and the keyword arguments of each call."""

    result: FakeResult = field(default_factory=FakeResult)
    error: Exception | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def module(self) -> ModuleType:
        module = ModuleType("rasr.engine.analysis")
        module.AnalysisError = AnalysisError
        module.EmptyWorkspaceError = EmptyWorkspaceError
        module.analyze = self.analyze
        return module

    def analyze(self, workspace: Any, **options: Any) -> FakeResult:
        self.calls.append(options)
        if self.error is not None:
            raise self.error
        return self.result
