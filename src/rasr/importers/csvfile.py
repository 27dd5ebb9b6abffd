"""Read a CSV file into a header and numbered records, and checksum the files read.

The encoding (UTF-8 with or without byte-order mark, or Windows-1252) and the
delimiter (comma, semicolon or tab) are detected unless declared.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
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
    raw: tuple[str, ...] = ()  # the cells as read, for the file of rejected rows


@dataclass(frozen=True)
class CsvFile:
    path: Path
    header: tuple[str, ...]  # column names, stripped and lower-cased
    records: tuple[Record, ...]
    data: bytes
    labels: tuple[str, ...] = ()  # column names as written in the file, stripped
    encoding: str = "utf-8"
    delimiter: str = ","
    footer: tuple[str, ...] = ()  # non-blank lines after the first blank line, when footers were cut

    def renamed(self, names: dict[str, str]) -> "CsvFile":
        """Return a copy whose lower-cased column names are replaced by names (others kept)."""
        header = tuple(names.get(name, name) for name in self.header)
        records = tuple(
            Record(record.row, {names.get(key, key): value for key, value in record.cells.items()},
                   record.extra, record.missing_cells, record.raw)
            for record in self.records
        )
        return CsvFile(self.path, header, records, self.data, self.labels, self.encoding, self.delimiter, self.footer)

    def label(self, column: str) -> str:
        """Return the header label of a lower-cased column name as the file spells it."""
        return self.labels[self.header.index(column)] if column in self.header and self.labels else column

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


ENCODINGS = ("utf-8", "windows-1252")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Return the text of data and the encoding used: the declared one, else UTF-8, else Windows-1252.

    A byte-order mark is removed, so it never becomes part of the first header.
    """
    candidates = (encoding,) if encoding else ENCODINGS
    for candidate in candidates:
        try:
            text = data.decode("utf-8-sig" if candidate.lower().replace("_", "-") in ("utf-8", "utf8") else candidate)
        except UnicodeDecodeError as error:
            if encoding:
                raise ImportFailed(
                    f"{name} is not {encoding} text (byte 0x{data[error.start]:02x} at offset {error.start}); "
                    "declare its encoding with --encoding utf-8 or --encoding windows-1252, or save it as CSV UTF-8"
                ) from None
            continue
        except LookupError:
            raise ImportFailed(f"unknown encoding '{encoding}'; use utf-8 or windows-1252") from None
        return text.lstrip("\ufeff"), candidate
    raise ImportFailed(
        f"{name} is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8 and import again"
    )


def detect_delimiter(text: str, name: str) -> str:
    """Return the delimiter of the header line: the most frequent of comma, semicolon and tab outside quotes."""
    line = text.split("\n", 1)[0]
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {delimiter: outside.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    if counts[best] == 0:
        return ","
    tied = [delimiter for delimiter, count in counts.items() if count == counts[best]]
    if len(tied) > 1:
        names = " and ".join(DELIMITERS[delimiter] for delimiter in tied)
        raise ImportFailed(
            f"the header of {name} has as many {names} characters; declare the delimiter with "
            "--delimiter ',', ';' or 'tab'"
        )
    return best


def parse_delimiter(text: str) -> str:
    """Read a declared delimiter: a character, or the word comma, semicolon or tab."""
    words = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t"}
    value = words.get(text.strip().lower(), text)
    if value not in DELIMITERS:
        raise ValueError(f"unsupported delimiter '{text}'; use ',', ';' or 'tab'")
    return value


def read_csv(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
             cut_footer: bool = False) -> CsvFile:
    """Read a CSV file (CRLF or LF line ends) into its header and records.

    Raises ImportFailed when the file cannot be read or decoded, has no header
    row or repeats a column name. Blank lines keep their number but yield no
    record. With cut_footer, the records end at the first blank line, and the
    lines after it (a report's totals and notices) are kept in footer.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFailed(f"cannot read {path}: {error.strerror or error}; check that the file exists and is readable") from None
    text, used_encoding = decode(data, path.name, encoding)
    used_delimiter = delimiter or detect_delimiter(text, path.name)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=used_delimiter))
    except csv.Error as error:
        raise ImportFailed(f"{path.name} is not valid CSV: {error}; check its quoting") from None

    labels, header = read_header(rows[0] if rows else [], path.name)

    records = []
    footer: list[str] = []
    for index, cells in enumerate(rows[1:], start=2):
        stripped = [cell.strip() for cell in cells]
        if not any(stripped):
            if cut_footer and records:
                footer = [used_delimiter.join(row) for row in rows[index:] if any(cell.strip() for cell in row)]
                break
            continue
        values = {name: (stripped[i] if i < len(stripped) and stripped[i] else None)
                  for i, name in enumerate(header) if name}
        extra = tuple(cell for cell in stripped[len(header):] if cell)
        records.append(Record(index, values, extra, max(0, len(header) - len(stripped)), tuple(cells)))
    log.debug("read %s: %s columns, %s records, %s, delimiter %r", path, len(header), len(records),
              used_encoding, used_delimiter)
    return CsvFile(path, header, tuple(records), data, labels, used_encoding, used_delimiter, tuple(footer))


def read_header(cells: list[str], name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the labels (stripped) and column names (also lower-cased) of a header row.

    Raises ImportFailed when the row is empty or names a column twice.
    """
    if not any(cell.strip() for cell in cells):
        raise ImportFailed(f"{name} has no header row; the first line must name the columns")
    labels = tuple(cell.strip() for cell in cells)
    header = tuple(label.lower() for label in labels)
    repeated = sorted({column for column in header if header.count(column) > 1 and column})
    if repeated:
        raise ImportFailed(f"{name} names column {', '.join(repeated)} more than once; rename or remove the copy")
    return labels, header


def file_checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checksum(files: list[CsvFile], options: object = None) -> str:
    """Return the SHA-256 over the names and bytes of the files, in name order, and the read options.

    options is anything with a fingerprint() method (ImportOptions), because
    the same bytes read under another date format or locale are another import.
    """
    digest = hashlib.sha256()
    if options is not None:
        digest.update(options.fingerprint().encode("utf-8"))  # type: ignore[attr-defined]
        digest.update(b"\0")
    for file in sorted(files, key=lambda item: item.name):
        digest.update(file.name.encode("utf-8"))
        digest.update(b"\0")
        digest.update(file.data)
    return digest.hexdigest()
