"""Write an import's report and its rejected rows to files, for the user to fix and import again."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from rasr.importers.report import ImportReport

REASON_COLUMN = "rejected_reason"
COLUMN_COLUMN = "rejected_column"


def rejected_file_name(source_name: str) -> str:
    return f"{Path(source_name).stem}.rejected.csv"


def write_outputs(report: ImportReport, directory: Path) -> Path:
    """Write report.json and, per source file with rejected rows, <stem>.rejected.csv into directory.

    A rejected-rows file has the source header and each rejected row's cells
    as read, then the columns rejected_column and rejected_reason (every
    reason of the row, joined by "; "), so it can be corrected and imported.
    Returns the directory.
    """
    directory.mkdir(parents=True, exist_ok=True)
    report.output_dir = str(directory)
    by_file: dict[str, dict[int, list]] = {}
    for rejection in report.rejected:
        by_file.setdefault(rejection.file, {}).setdefault(rejection.row, []).append(rejection)
    for name, rows in by_file.items():
        source = report.sources.get(name)
        if source is None:
            continue
        records = {record.row: record for record in source.records}
        with (directory / rejected_file_name(name)).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([*source.labels, COLUMN_COLUMN, REASON_COLUMN])
            for row_number in sorted(rows):
                record = records.get(row_number)
                cells = list(record.raw) if record is not None else []
                cells += [""] * (len(source.labels) - len(cells))
                rejections = rows[row_number]
                writer.writerow([
                    *cells[:len(source.labels)],
                    "; ".join(rejection.column for rejection in rejections if rejection.column),
                    "; ".join(rejection.reason for rejection in rejections),
                ])
    (directory / "report.json").write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    return directory


def default_output_dir(workspace_path: str | None, now: dt.datetime, label: str) -> Path:
    """Return <workspace file>.imports/<UTC time>-<label> beside a file workspace, else ./rasr-imports/..."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    base = Path(f"{workspace_path}.imports") if workspace_path else Path("rasr-imports")
    return base / f"{stamp}-{label}"
