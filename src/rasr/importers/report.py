"""The import report: counts, rejected rows and warnings of one import."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rasr.importers.csvfile import CsvFile

# Lists of ids in a warning message and in its ``rows`` field are cut to these lengths.
MESSAGE_IDS = 10
LISTED_ROWS = 50


class ImportFailed(Exception):
    """An import that was not applied; the workspace is unchanged.

    ``report`` contains what was read before the failure, with ``ok`` false.
    """

    def __init__(self, message: str, report: "ImportReport | None" = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class Rejection:
    """One input row left out of the import because of one bad value."""

    file: str
    row: int  # as numbered in a spreadsheet: the header is row 1
    column: str
    value: str
    reason: str


@dataclass
class ImportWarning:
    """A data problem that did not stop rows from being imported."""

    code: str
    message: str
    count: int
    rows: list[str] | None = None  # ids or row references, at most LISTED_ROWS


@dataclass
class TableCounts:
    """Rows of one canonical table: read from the files, left out, and written."""

    rows_read: int = 0
    rejected: int = 0
    duplicates: int = 0
    deleted: int = 0  # rows the export marks deleted, dropped
    inserted: int = 0
    updated: int = 0
    repriced: int = 0  # stored rows converted again with newly imported rates


def name_ids(ids: list[str], limit: int = MESSAGE_IDS, total: int | None = None) -> str:
    """Join ids for a message, naming at most limit of them and counting the rest.

    total is the number of ids when ids contains only the first of them.
    """
    total = len(ids) if total is None else total
    text = ", ".join(ids[:limit])
    if total > limit:
        text += f" and {total - limit} more"
    return text


@dataclass
class ImportReport:
    """Counts, rejected rows and warnings of one import."""

    format: str
    source: str
    files: list[str] = field(default_factory=list)
    tables: dict[str, TableCounts] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    import_id: str | None = None
    applied: bool = False
    error: str | None = None
    # The id of an earlier import of the same files with the same options, when this one was skipped.
    skipped_as: str | None = None
    # The folder holding report.json and the files of rejected rows, once written.
    output_dir: str | None = None
    # The files read, by name, so rejected rows can be written out with their original cells.
    sources: dict[str, "CsvFile"] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """True once the import has been committed, or skipped because the same files were imported before."""
        return self.applied or self.skipped_as is not None

    def add_source(self, file: "CsvFile") -> None:
        self.sources[file.name] = file
        if file.name not in self.files:
            self.files.append(file.name)

    def table(self, name: str) -> TableCounts:
        return self.tables.setdefault(name, TableCounts())

    @property
    def rows_read(self) -> int:
        return sum(counts.rows_read for counts in self.tables.values())

    @property
    def inserted(self) -> int:
        return sum(counts.inserted for counts in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.tables.values())

    @property
    def rejected_rows(self) -> int:
        return sum(counts.rejected for counts in self.tables.values())

    def reject_row(self, table: str, rejections: list[Rejection]) -> None:
        """Record a row left out of table, with one rejection per bad value in it."""
        self.rejected.extend(rejections)
        self.table(table).rejected += 1

    def warn(self, code: str, message: str, count: int, rows: list[str] | None = None) -> None:
        listed = list(rows[:LISTED_ROWS]) if rows else None
        self.warnings.append(ImportWarning(code, message, count, listed))

    def warn_ids(self, code: str, problem: str, ids: list[str]) -> None:
        """Add a warning naming the first ids affected by problem and counting all of them."""
        if ids:
            self.warn(code, f"{len(ids)} {problem}: {name_ids(ids)}", len(ids), ids)

    def warn_first_ids(self, code: str, problem: str, first_ids: list[str], total: int) -> None:
        """Add the warning of warn_ids from the first LISTED_ROWS ids affected and the count of all of them."""
        if total:
            self.warn(code, f"{total} {problem}: {name_ids(first_ids, total=total)}", total, first_ids)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-compatible values."""
        warnings = []
        for warning in self.warnings:
            item = {"code": warning.code, "message": warning.message, "count": warning.count}
            if warning.rows is not None:
                item["rows"] = list(warning.rows)
            warnings.append(item)
        return {
            "ok": self.ok,
            "import_id": self.import_id,
            "skipped_as": self.skipped_as,
            "output_dir": self.output_dir,
            "format": self.format,
            "source": self.source,
            "files": list(self.files),
            "rows_read": self.rows_read,
            "inserted": self.inserted,
            "updated": self.updated,
            "rejected_rows": self.rejected_rows,
            "rejected": [asdict(rejection) for rejection in self.rejected],
            "warnings": warnings,
            "tables": {name: asdict(counts) for name, counts in sorted(self.tables.items())},
            "error": self.error,
        }

    def lines(self, max_rejected: int = 20) -> list[str]:
        """Return a plain-text summary, one line per item, for a terminal."""
        if self.skipped_as:
            state = f"skipped, the same files were imported before as {self.skipped_as}; nothing changed"
        else:
            state = "applied" if self.ok else "NOT applied, the workspace is unchanged"
        out = [
            f"{self.format} import of {self.source}: {state}",
            f"files: {', '.join(self.files) if self.files else 'none'}",
            f"rows read {self.rows_read}, inserted {self.inserted}, updated {self.updated}, "
            f"rejected {self.rejected_rows}",
        ]
        if self.error:
            out.append(f"error: {self.error}")
        for name, counts in sorted(self.tables.items()):
            out.append(
                f"  {name}: read {counts.rows_read}, inserted {counts.inserted}, updated {counts.updated}, "
                f"rejected {counts.rejected}, duplicates {counts.duplicates}, deleted {counts.deleted}"
            )
        if self.rejected:
            out.append(f"rejected values ({len(self.rejected)}):")
            out.extend(f"  {rejection.reason}" for rejection in self.rejected[:max_rejected])
            if len(self.rejected) > max_rejected:
                out.append(f"  ... and {len(self.rejected) - max_rejected} more")
        if self.warnings:
            out.append(f"warnings ({len(self.warnings)}):")
            out.extend(f"  [{warning.code}] {warning.message}" for warning in self.warnings)
        return out
