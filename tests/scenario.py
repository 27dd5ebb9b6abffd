"""Build small named scenarios straight into a workspace for engine tests.

Amounts are given in whole currency units and stored in cents; dates as
YYYY-MM-DD strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from rasr.store.connection import Workspace
from rasr.store.load import upsert


def day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text) if " " in text or "T" in text else dt.datetime.fromisoformat(text + " 00:00")


def cents(amount: float | int | None) -> int | None:
    return None if amount is None else int(round(amount * 100))


DEFAULT_STAGES = (
    # stage, position, is_qualified, kind
    ("Prospect", 1, False, "open"),
    ("Qualify", 2, True, "open"),
    ("Proposal", 3, True, "open"),
    ("Negotiation", 4, True, "open"),
    ("Won", 5, True, "won"),
    ("Lost", 5, True, "lost"),
)


@dataclass
class Scenario:
    """Rows of one scenario; `save` writes them to a workspace."""

    reps: list[tuple] = field(default_factory=list)
    teams: list[tuple] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    stage_changes: list[tuple] = field(default_factory=list)
    owner_changes: list[tuple] = field(default_factory=list)
    close_date_changes: list[tuple] = field(default_factory=list)
    quotas: list[tuple] = field(default_factory=list)
    aspirations: list[tuple] = field(default_factory=list)
    stages: tuple = DEFAULT_STAGES
    _next_id: int = 0

    def rep(self, rep_id: str, team: str | None = "T", start: str | None = None, end: str | None = None) -> "Scenario":
        self.reps.append((rep_id, rep_id.title(), team, day(start), day(end)))
        if team and all(t[0] != team for t in self.teams):
            self.teams.append((team, None, f"manager of {team}"))
        return self

    def opp(self, rep_id: str, status: str, amount: float | None, *, created: str | None,
            close: str | None = None, stage: str | None = None, opp_id: str | None = None,
            history: list[tuple[str, str]] | None = None, next_step: str | None = None) -> str:
        """Add an opportunity; history is [(stage, entered_at)] in any order."""
        if opp_id is None:
            self._next_id += 1
            opp_id = f"o{self._next_id}"
        if stage is None:
            stage = {"won": "Won", "lost": "Lost"}.get(status, "Qualify")
        self.opportunities.append({
            "opp_id": opp_id, "rep_id": rep_id, "status": status, "amount": cents(amount),
            "created_on": day(created), "close_on": day(close), "stage": stage, "next_step": next_step,
        })
        for stage_name, entered in history or []:
            when = moment(entered)
            self.stage_changes.append((opp_id, stage_name, when, when.date(), entered))
        return opp_id

    def quota(self, rep_id: str, starts: str, ends: str, amount: float) -> "Scenario":
        self.quotas.append((rep_id, day(starts), day(ends), cents(amount)))
        return self

    def aspiration(self, rep_id: str, starts: str, ends: str, amount: float) -> "Scenario":
        self.aspirations.append((rep_id, day(starts), day(ends), cents(amount)))
        return self

    def owner_change(self, opp_id: str, changed: str, rep_id: str, from_rep_id: str | None = None) -> "Scenario":
        when = moment(changed)
        self.owner_changes.append((opp_id, when, when.date(), rep_id, changed, from_rep_id))
        return self

    def close_date_change(self, opp_id: str, changed: str, close_on: str) -> "Scenario":
        when = moment(changed)
        self.close_date_changes.append((opp_id, when, when.date(), day(close_on), changed))
        return self

    def save(self, workspace: Workspace) -> Workspace:
        upsert(workspace, "stages", ["stage", "position", "is_qualified", "kind"], list(self.stages))
        upsert(workspace, "teams", ["team", "parent_team", "manager"], self.teams)
        upsert(workspace, "reps", ["rep_id", "name", "team", "start_date", "end_date"], self.reps)
        if self.opportunities:
            columns = list(self.opportunities[0])
            upsert(workspace, "opportunities", columns, [tuple(o[c] for c in columns) for o in self.opportunities])
        upsert(workspace, "stage_changes", ["opp_id", "stage", "entered_at", "entered_on", "entered_raw"],
               self.stage_changes)
        upsert(workspace, "owner_changes",
               ["opp_id", "changed_at", "changed_on", "rep_id", "changed_raw", "from_rep_id"], self.owner_changes)
        upsert(workspace, "close_date_changes", ["opp_id", "changed_at", "changed_on", "close_on", "changed_raw"],
               self.close_date_changes)
        upsert(workspace, "quotas", ["rep_id", "starts_on", "ends_on", "amount"], self.quotas)
        upsert(workspace, "aspirations", ["rep_id", "starts_on", "ends_on", "amount"], self.aspirations)
        return workspace
