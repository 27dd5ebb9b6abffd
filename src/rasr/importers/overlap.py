"""Reject quota and aspiration rows that make one rep's date ranges overlap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rasr.importers.batch import SourceRow
from rasr.importers.parsing import to_date
from rasr.importers.report import ImportFailed
from rasr.store.connection import Workspace


@dataclass(frozen=True)
class Span:
    """One goal row of a rep: inclusive dates and where it comes from."""

    rep_id: str
    starts_on: date
    ends_on: date
    where: str  # "quotas.csv row 3" or "stored row"

    def describe(self) -> str:
        return f"{self.where} {self.rep_id} {self.starts_on.isoformat()}..{self.ends_on.isoformat()}"


def _overlaps(first: Span, second: Span) -> bool:
    return first.starts_on <= second.ends_on and second.starts_on <= first.ends_on


def _fail(table: str, first: Span, second: Span) -> ImportFailed:
    return ImportFailed(
        f"{table} rows overlap for rep {first.rep_id}: {first.describe()} and {second.describe()} "
        "(both ends inclusive); change the dates so that one rep's rows cover separate days, "
        "or give the stored row's exact rep_id, starts_on and ends_on to replace it"
    )


def check_overlaps(workspace: Workspace, table: str, rows: list[SourceRow]) -> None:
    """Raise ImportFailed when two rows of one rep overlap, in the file or against stored rows.

    A stored row with the same key (rep_id, starts_on, ends_on) as an imported
    row is replaced by it, so it is not an overlap.
    """
    if not rows:
        return
    incoming = [
        Span(row.values["rep_id"], row.values["starts_on"], row.values["ends_on"], row.where) for row in rows
    ]
    by_rep: dict[str, list[Span]] = {}
    for span in incoming:
        by_rep.setdefault(span.rep_id, []).append(span)
    for spans in by_rep.values():
        spans.sort(key=lambda span: (span.starts_on, span.ends_on))
        # Sorted by start, a span overlaps an earlier one exactly when it starts
        # on or before the latest end so far.
        reaching = spans[0]
        for span in spans[1:]:
            if span.starts_on <= reaching.ends_on:
                raise _fail(table, reaching, span)
            if span.ends_on > reaching.ends_on:
                reaching = span

    replaced = {(span.rep_id, span.starts_on, span.ends_on) for span in incoming}
    stored = workspace.execute(f'SELECT rep_id, starts_on, ends_on FROM "{table}"')
    for rep_id, starts_on, ends_on in stored:
        if rep_id not in by_rep:
            continue
        old = Span(rep_id, to_date(starts_on), to_date(ends_on), "stored row")
        if (old.rep_id, old.starts_on, old.ends_on) in replaced:
            continue
        for span in by_rep[rep_id]:
            if _overlaps(span, old):
                raise _fail(table, span, old)
