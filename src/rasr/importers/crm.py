"""Steps shared by the CRM importers: the status rule, owners as reps, and the closing checks."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from rasr.engine.settings import Settings
from rasr.importers.apply import apply_batch
from rasr.importers.batch import Batch, SourceRow, drop_duplicates
from rasr.importers.csvfile import CsvFile, checksum
from rasr.importers.options import ImportOptions, open_source
from rasr.importers.report import ImportFailed, ImportReport
from rasr.store.connection import Workspace


def decide_status(closed: bool | None, won: bool | None, stage_kind: str | None) -> str:
    """Return open, won or lost: from the closed and won flags, and from the stage kind only without them.

    With only a won flag, true means won, and false leaves a lost stage lost
    and anything else open.
    """
    if closed is not None:
        if not closed:
            return "open"
        if won is None:
            return stage_kind if stage_kind in ("won", "lost") else "lost"
        return "won" if won else "lost"
    if won is not None:
        if won:
            return "won"
        return "lost" if stage_kind == "lost" else "open"
    return stage_kind or "open"


def add_owner_reps(batch: Batch, names: dict[str, str], report: ImportReport, *, source: str,
                   names_known: bool, emails: dict[str, str] | None = None) -> None:
    """Add a reps row for every owner of an opportunity, owner change or activity not already in batch.

    Only owners become reps, so users who own no deal (admins, integrations) stay out of the team.

    names maps rep_id to a display name. Without names_known the name is the
    id, and the report warns that the names are missing.
    """
    known = {row.values["rep_id"] for row in batch.rows("reps")}
    owners: list[str] = []
    for table in ("opportunities", "owner_changes", "activities"):
        for row in batch.rows(table):
            for column in ("rep_id", "from_rep_id"):
                rep_id = row.values.get(column)
                if rep_id and rep_id not in known and rep_id not in owners:
                    owners.append(rep_id)
    for rep_id in owners:
        values = {"rep_id": rep_id, "name": names.get(rep_id, rep_id)}
        if emails and emails.get(rep_id):
            values["email"] = emails[rep_id]
        batch.add("reps", SourceRow(source, 0, values))
    if owners and not names_known:
        report.warn_ids(
            "owner_names_unknown",
            f"owners are named by their id because {source} has no names for them",
            owners,
        )


def warn_without_owner_history(batch: Batch, report: ImportReport, fix: str) -> None:
    if batch.rows("opportunities") and not batch.rows("owner_changes"):
        report.warn(
            "no_owner_history",
            "no owner history was imported, so every win books to the opportunity's current owner, "
            f"also when the deal changed hands after it closed; {fix}",
            len(batch.rows("opportunities")),
        )


def finish_opportunities(batch: Batch, report: ImportReport) -> None:
    """Keep one row per opp_id (the later modified_at, else the later row) and one per other key."""
    for table in ("opportunities", "stage_changes", "owner_changes", "close_date_changes", "activities", "reps"):
        drop_duplicates(batch, table, report)


def import_one_file(workspace: Workspace, path: Path, settings: Settings, options: ImportOptions | None,
                    format_name: str, read: Callable[[CsvFile, ImportReport], Batch], *,
                    cut_footer: bool = False) -> ImportReport:
    """Read one export file with read(file, report) and apply the batch it returns, in one transaction.

    Raises ImportFailed, leaving the workspace unchanged, when the file cannot
    be read, lacks a required column or is ambiguous.
    """
    path = Path(path)
    options = options or ImportOptions()
    report = ImportReport(format_name, str(path.resolve()))
    try:
        if not path.is_file():
            raise ImportFailed(f"{path} is not a file; give the path of the exported CSV file")
        file = open_source(path, options, report, cut_footer=cut_footer)
        batch = read(file, report)
    except ImportFailed as error:
        report.error = str(error)
        error.report = report
        raise
    return apply_batch(workspace, batch, settings, report, checksum([file], options), options)


def without_prefix(file: CsvFile, prefix: str) -> CsvFile:
    """Return file with prefix (lower-case, e.g. "deal - ") removed from the column names that start with it."""
    names = {name: name[len(prefix):] for name in file.header if name.startswith(prefix)}
    return file.renamed(names) if names else file


def first_column(file: CsvFile, *labels: str) -> str | None:
    """Return the first of labels that the file has as a column (lower-cased), or None."""
    for label in labels:
        if label.lower() in file.header:
            return label.lower()
    return None


def check_required(file: CsvFile, required: dict[str, tuple[str, ...]], needed_by: str) -> dict[str, str]:
    """Return, for each key, the first of its labels present in the file; raise ImportFailed naming the missing ones."""
    found: dict[str, str] = {}
    missing = []
    for key, labels in required.items():
        column = first_column(file, *labels)
        if column is None:
            missing.append(" or ".join(labels))
        else:
            found[key] = column
    if missing:
        raise ImportFailed(
            f"{file.name} has no column {', '.join(missing)}, which {needed_by} requires; export it with "
            f"{'that column' if len(missing) == 1 else 'those columns'} (found: {', '.join(file.labels)})"
        )
    return found
