"""Each archetype of the generated org gets its intended conversation from the real import and analysis."""

from __future__ import annotations

from collections import Counter

import pytest

from rasr.generate.archetypes import ARCHETYPES, RAMPING

from generated_org import ImportedOrg

INTENDED = {archetype.name: archetype.intended for archetype in ARCHETYPES if archetype.intended}
MIN_HIT_RATE = 0.9


def outcome(row: dict) -> str:
    """Return the rep's conversation, or RAMPING when the rep gets none because they are ramping."""
    if row["conversation"] is None and row["conversation_reason"].startswith("ramping"):
        return RAMPING
    return row["conversation"] or "none"


@pytest.mark.parametrize("archetype", sorted(INTENDED))
def test_archetype_gets_intended_conversation(imported: ImportedOrg, archetype: str) -> None:
    outcomes = Counter()
    for rep in imported.analysis.reps:
        if imported.archetypes[rep["rep_id"]] == archetype:
            outcomes[outcome(imported.analysis.rep_results[rep["rep_id"]]["team_row"])] += 1
    total = sum(outcomes.values())
    assert total >= 5, f"too few {archetype} reps to judge: {total}"
    hit_rate = outcomes[INTENDED[archetype]] / total
    assert hit_rate >= MIN_HIT_RATE, f"{archetype}: {dict(outcomes)}, intended {INTENDED[archetype]}"


def test_ramping_reason_starts_with_ramping(imported: ImportedOrg) -> None:
    for rep in imported.analysis.reps:
        if imported.archetypes[rep["rep_id"]] == "new_hire":
            reason = imported.analysis.rep_results[rep["rep_id"]]["team_row"]["conversation_reason"]
            assert reason.startswith("ramping"), reason


def test_every_rep_is_analysed(imported: ImportedOrg) -> None:
    assert {rep["rep_id"] for rep in imported.analysis.reps} == set(imported.archetypes)
