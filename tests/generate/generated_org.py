"""The generated org shared by the generator tests, and its import and analysis."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rasr.engine.analysis import TeamAnalysis
from rasr.generate import GenerateResult
from rasr.importers.report import ImportReport

# 80 reps in 8 teams: enough reps of each archetype for a hit rate, small enough to import in about 30 s.
ORG_REPS = 80
ORG_SEED = 2


@dataclass
class GeneratedOrg:
    result: GenerateResult
    directory: Path

    def rows(self, table: str) -> list[dict[str, str]]:
        with (self.directory / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


@dataclass
class ImportedOrg:
    report: ImportReport
    analysis: TeamAnalysis
    archetypes: dict[str, str]  # rep_id -> archetype
    workspace_url: str  # the imported workspace, closed; tests open it again to analyse it otherwise
