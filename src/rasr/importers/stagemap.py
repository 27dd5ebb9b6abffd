"""Stages of a CRM export: their order and kind, from the export, a stage mapping file, or their names.

A stage mapping is a TOML file with one [[stages]] table per stage:

    [[stages]]
    name = "Closed Won"
    pipeline = "Sales Pipeline"   # optional; HubSpot and Pipedrive have several pipelines
    position = 7
    kind = "won"                  # open, won or lost
    qualified = true
    exit_criteria = "Signed order form"

A stage the mapping does not name keeps the position the export gives it
(its order in the export, or Salesforce's sort order) and the kind its name
suggests: won when the name contains "won", lost when it contains "lost".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasr.importers.batch import Batch, SourceRow
from rasr.importers.report import ImportFailed

KINDS = ("open", "won", "lost")


@dataclass
class StageSpec:
    """The attributes a stage mapping or the export gives one stage; None where it gives none."""

    name: str
    pipeline: str | None = None
    position: int | None = None
    kind: str | None = None
    qualified: bool | None = None
    exit_criteria: str | None = None


def kind_from_name(name: str) -> str:
    words = set(re.findall(r"[a-z]+", name.lower()))
    if "won" in words:
        return "won"
    if "lost" in words:
        return "lost"
    return "open"


def load_stage_map(path: Path | None) -> list[StageSpec]:
    """Read a stage mapping file; raise ImportFailed naming the entry and the fix."""
    if path is None:
        return []
    try:
        with Path(path).open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise ImportFailed(f"cannot read stage mapping {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ImportFailed(f"stage mapping {path} is not valid TOML: {error}") from None
    entries = data.get("stages", [])
    if not isinstance(entries, list):
        raise ImportFailed(f"stage mapping {path} must list stages as [[stages]] tables with a name each")
    specs = []
    for number, entry in enumerate(entries, start=1):
        specs.append(_spec(entry, f"entry {number} of stage mapping {path}"))
    return specs


def _spec(entry: Any, where: str) -> StageSpec:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise ImportFailed(f"{where} has no name; give each [[stages]] table name = \"<stage>\"")
    unknown = set(entry) - {"name", "pipeline", "position", "kind", "qualified", "exit_criteria"}
    if unknown:
        raise ImportFailed(f"{where} has unknown keys {', '.join(sorted(unknown))}; use name, pipeline, position, "
                           "kind, qualified and exit_criteria")
    kind = entry.get("kind")
    if kind is not None and str(kind).lower() not in KINDS:
        raise ImportFailed(f"{where}: kind '{kind}' is not open, won or lost")
    position = entry.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)):
        raise ImportFailed(f"{where}: position '{position}' is not a whole number")
    qualified = entry.get("qualified")
    if qualified is not None and not isinstance(qualified, bool):
        raise ImportFailed(f"{where}: qualified '{qualified}' is not true or false")
    return StageSpec(entry["name"].strip(), entry.get("pipeline"), position,
                     str(kind).lower() if kind is not None else None, qualified, entry.get("exit_criteria"))


@dataclass
class StageBook:
    """The stages one import defines, keyed by (pipeline, stage label).

    With more than one pipeline a stage is stored as "<stage> (<pipeline>)",
    the way HubSpot names it, so equal labels in two pipelines stay apart.
    """

    mapping: list[StageSpec] = field(default_factory=list)
    _seen: dict[tuple[str | None, str], StageSpec] = field(default_factory=dict)

    def observe(self, name: str, pipeline: str | None = None, *, position: int | None = None,
                kind: str | None = None, qualified: bool | None = None) -> None:
        """Record a stage seen in the export with the attributes it gives; the lowest position and first kind win."""
        key = (pipeline, name)
        spec = self._seen.get(key)
        if spec is None:
            self._seen[key] = StageSpec(name, pipeline, position, kind, qualified)
            return
        if spec.position is None or (position is not None and position < spec.position):
            spec.position = position if position is not None else spec.position
        spec.kind = spec.kind or kind
        spec.qualified = spec.qualified if spec.qualified is not None else qualified

    def _mapped(self, name: str, pipeline: str | None) -> StageSpec | None:
        for spec in self.mapping:
            if spec.name.casefold() == name.casefold() and (spec.pipeline is None or pipeline is None
                                                           or spec.pipeline.casefold() == pipeline.casefold()):
                return spec
        return None

    @property
    def pipelines(self) -> set[str | None]:
        return {pipeline for pipeline, _ in self._seen}

    def stored_name(self, name: str, pipeline: str | None = None) -> str:
        if pipeline and len(self.pipelines - {None}) > 1:
            return f"{name} ({pipeline})"
        return name

    def kind(self, name: str, pipeline: str | None = None) -> str:
        mapped = self._mapped(name, pipeline)
        if mapped is not None and mapped.kind:
            return mapped.kind
        seen = self._seen.get((pipeline, name))
        if seen is not None and seen.kind:
            return seen.kind
        return kind_from_name(name)

    def add_rows(self, batch: Batch, source: str) -> None:
        """Add one stages row per stage seen, positioned per pipeline in the export's order."""
        by_pipeline: dict[str | None, list[StageSpec]] = {}
        for spec in self._seen.values():
            by_pipeline.setdefault(spec.pipeline, []).append(spec)
        for pipeline, specs in by_pipeline.items():
            order = sorted(range(len(specs)), key=lambda i: (specs[i].position is None,
                                                             specs[i].position or 0, i))
            next_position = 1
            for index in order:
                spec = specs[index]
                mapped = self._mapped(spec.name, pipeline) or StageSpec(spec.name)
                position = mapped.position or spec.position or next_position
                next_position = max(next_position, position) + 1
                qualified = mapped.qualified if mapped.qualified is not None else spec.qualified
                batch.add("stages", SourceRow(source, 0, {
                    "stage": self.stored_name(spec.name, pipeline),
                    "position": position,
                    "is_qualified": True if qualified is None else qualified,
                    "kind": self.kind(spec.name, pipeline),
                    "exit_criteria": mapped.exit_criteria,
                }))
