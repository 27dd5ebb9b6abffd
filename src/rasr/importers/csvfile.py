"""Read a CSV file into a header and numbered records, and checksum the files read."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from rasr.importers.report import ImportFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """One data row: its number as a spreadsheet shows it (header = 1) and its cells by column."""

    row: int
    cells: dict[str, str | None]  # stripped text; None for an empty cell
    extra: tuple[str, ...] = ()  # non-empty cells past the last header column
    missing_cells: int = 0  # header columns the row has no cell for


@dataclass(frozen=True)
class CsvFile:
    path: Path
    header: tuple[str, ...]  # column names, stripped and lower-cased
    records: tuple[Record, ...]
    data: bytes

    @property
    def name(self) -> str:
        return self.path.name

    def require(self, columns: tuple[str, ...], needed_by: str) -> None:
        """Raise ImportFailed naming the file and every required column missing from the header."""
        missing = [column for column in columns if column not in self.header]
        if missing:
            raise ImportFailed(
                f"{self.name} has no column {', '.join(missing)}, which {needed_by} requires; "
                f"add {'it' if len(missing) == 1 else 'them'} to the header row "
                f"(found: {', '.join(self.header) or 'no columns'})"
            )


def read_csv(path: Path) -> CsvFile:
    """Read a UTF-8 CSV (with or without byte-order mark, CRLF or LF line ends).

    Raises ImportFailed when the file cannot be read, is not UTF-8, has no
    header row or repeats a column name. Blank lines keep their number but
    yield no record.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFailed(f"cannot read {path}: {error.strerror or error}; check that the file exists and is readable") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            f"{path.name} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as CSV UTF-8 and import again"
        ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ImportFailed(f"{path.name} is not valid CSV: {error}; check its quoting") from None

    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ImportFailed(f"{path.name} has no header row; the first line must name the columns")
    header = tuple(cell.strip().lower() for cell in rows[0])
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    if repeated:
        raise ImportFailed(f"{path.name} names column {', '.join(repeated)} more than once; rename or remove the copy")

    records = []
    for index, cells in enumerate(rows[1:], start=2):
        stripped = [cell.strip() for cell in cells]
        if not any(stripped):
            continue
        values = {name: (stripped[i] if i < len(stripped) and stripped[i] else None)
                  for i, name in enumerate(header) if name}
        extra = tuple(cell for cell in stripped[len(header):] if cell)
        records.append(Record(index, values, extra, max(0, len(header) - len(stripped))))
    log.debug("read %s: %s columns, %s records", path, len(header), len(records))
    return CsvFile(path, header, tuple(records), data)


def checksum(files: list[CsvFile]) -> str:
    """Return the SHA-256 over the names and bytes of the files, in name order."""
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda item: item.name):
        digest.update(file.name.encode("utf-8"))
        digest.update(b"\0")
        digest.update(file.data)
    return digest.hexdigest()
