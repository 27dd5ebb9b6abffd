"""Generate a synthetic sales organisation in the canonical layout, one file per table.

The same arguments and seed give the same files. Deals are simulated and
written a few teams at a time, so memory stays flat whatever the size.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rasr.generate.activities import weekly_activities
from rasr.generate.deals import simulate
from rasr.generate.org import Calendar, Org, build_org
from rasr.generate.tables import CHUNK_TABLES, SCHEMAS, Encoder, chunk_tables, org_tables
from rasr.generate.writer import FORMATS, TableWriters

log = logging.getLogger(__name__)

DEFAULT_END = dt.date(2025, 12, 31)
DEFAULT_YEARS = 3.0
DEFAULT_SEED = 1
# Reps simulated together; whole teams are kept in one chunk, so owner changes stay inside it.
CHUNK_REPS = 250
SETTINGS_FILE = "settings.toml"
MAX_REPS = 20_000

__all__ = ["DEFAULT_END", "DEFAULT_SEED", "DEFAULT_YEARS", "FORMATS", "GenerateResult", "generate_org"]


@dataclass
class GenerateResult:
    directory: Path
    rows: dict[str, int]
    seconds: float
    chunks: int
    settings_file: Path
    org: Org = field(repr=False)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def generate_org(directory: Path, *, reps: int, years: float = DEFAULT_YEARS, end: dt.date = DEFAULT_END,
                 seed: int = DEFAULT_SEED, output_format: str = "csv", fiscal_year_start_month: int = 1,
                 chunk_reps: int = CHUNK_REPS) -> GenerateResult:
    """Write a synthetic org of `reps` reps with `years` years of history ending on `end` into directory.

    Raises ValueError for a rep count, year count, month or format out of range.
    """
    if not 1 <= reps <= MAX_REPS:
        raise ValueError(f"invalid rep count {reps}: expected 1 to {MAX_REPS:,}")
    if not 0.25 <= years <= 20:
        raise ValueError(f"invalid number of years {years}: expected 0.25 to 20")
    if not 1 <= fiscal_year_start_month <= 12:
        raise ValueError(f"invalid fiscal year start month {fiscal_year_start_month}: expected 1 to 12")
    if output_format not in FORMATS:
        raise ValueError(f"invalid format {output_format!r}: expected one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)

    calendar = Calendar.for_years(end, years, fiscal_year_start_month)
    org = build_org(np.random.default_rng([seed, 0]), calendar, reps)
    writers = TableWriters(directory, SCHEMAS, output_format)
    try:
        for name, table in org_tables(org).items():
            writers.write(name, table)
        encoder = Encoder(org)
        next_number = 1
        chunks = _chunks(org, chunk_reps)
        for index, (first, last) in enumerate(chunks):
            rng = np.random.default_rng([seed, 1, index])
            deals = simulate(org, first, last, rng)
            activities = weekly_activities(rng, org, first, last, deals)
            for name, table in chunk_tables(rng, org, deals, activities, next_number, encoder).items():
                writers.write(name, table)
            next_number += len(deals)
            log.info("chunk %s of %s: reps %s to %s, %s deals", index + 1, len(chunks), first, last - 1, len(deals))
    finally:
        writers.close()

    settings_file = directory / SETTINGS_FILE
    settings_file.write_text(
        "# Settings this generated org assumes; pass with `rasr --config FILE` or set with `rasr config set`.\n"
        f"fiscal_year_start_month = {fiscal_year_start_month}\n"
    )
    seconds = time.perf_counter() - started
    log.info("wrote %s rows to %s in %.1fs", sum(writers.rows.values()), directory, seconds)
    return GenerateResult(directory, dict(writers.rows), seconds, len(chunks), settings_file, org)


def _chunks(org: Org, chunk_reps: int) -> list[tuple[int, int]]:
    """Group whole teams into runs of about chunk_reps reps."""
    chunks: list[tuple[int, int]] = []
    for first, last in org.team_ranges():
        if chunks and last - chunks[-1][0] <= chunk_reps:
            chunks[-1] = (chunks[-1][0], last)
        else:
            chunks.append((first, last))
    return chunks


assert set(CHUNK_TABLES) <= set(SCHEMAS)
