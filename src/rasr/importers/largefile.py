"""Read a large canonical CSV file straight into a staging table of a DuckDB workspace.

DuckDB reads the file with every cell as text, one SQL query parses and
checks every cell (bulk.typed_sql), and the valid rows go into the staging
table without becoming Python objects. Only the rows that fail a check are
read again by the row parser, which records the same rejections as for a
small file, or keeps a row whose value only it reads (such as a timestamp
with an offset). Keys repeated within the file are found with one GROUP BY.

A file takes this path only when DuckDB numbers its rows as the row-by-row
reader does: UTF-8, no blank line before the last row and a header on one
line. Otherwise, and when DuckDB rejects the file's structure (a row with
more or fewer cells than the header, a stray quote), it is read row by row.

NOTE: the rows that fail the SQL checks are held in Python, so a file in which
most rows do (every timestamp with an offset, say) needs as much memory as the
row-by-row import.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pyarrow as pa

from rasr.engine.settings import Settings
from rasr.importers import bulk
from rasr.importers.batch import is_later, warn_duplicates
from rasr.importers.canonical import FileConversion, flag_columns, warn_unknown_columns
from rasr.importers.columns import COLUMNS, date_columns
from rasr.importers.csvfile import CsvFile, Record, detect_delimiter, read_header
from rasr.importers.formats import ISO, DateFormat, Formats, infer_date_format
from rasr.importers.options import ImportOptions
from rasr.importers.parsing import FALSE_WORDS, TRUE_WORDS
from rasr.importers.report import ImportFailed, ImportReport
from rasr.importers.staging import Staging, StagedTable, quote_name
from rasr.store.connection import Workspace
from rasr.store.schema import TABLES

log = logging.getLogger(__name__)

CHUNK_BYTES = 16 * 1024 * 1024
# The first bytes of a file, enough for any header row, and the overlap searched for a blank line
# that spans two chunks.
HEAD_BYTES = 64 * 1024
# A line that is empty or contains only spaces and tabs. csv.reader numbers it, but DuckDB skips it.
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")
# The characters that str.strip() removes, so SQL strips cells as the row-by-row reader does.
WHITESPACE = (" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# The same characters as a regular expression class in RE2 syntax, where \pZ is the Unicode separators.
_SPACE_CLASS = r"[\t-\r\x1c-\x1f\x{85}\pZ]"
# A date, or a date and time, that the YYYY-MM-DD format reads whatever else a file contains.
_ISO_SHAPE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"


@dataclass(frozen=True)
class FileScan:
    """The result of one pass over a file's bytes: its size, SHA-256, line count and first bytes."""

    path: Path
    size: int
    sha256: str
    lines: int  # line feeds, so data rows plus one for a file whose last line ends with one
    blank_line: bool  # a blank line before the last non-blank byte
    head: bytes


@dataclass(frozen=True)
class LargeCsvFile(CsvFile):
    """A CSV file whose rows are read by DuckDB: records contains only the rejected ones, and data is empty."""

    sha256: str = ""
    size: int = 0


def scan_files(paths: list[Path], options: ImportOptions) -> tuple[dict[Path, FileScan], str]:
    """Read each file once: its FileScan, and the import's checksum over all of them.

    The checksum equals csvfile.checksum of the same files read into memory.
    Raises ImportFailed when a file cannot be read.
    """
    digest = hashlib.sha256()
    digest.update(options.fingerprint().encode("utf-8"))
    digest.update(b"\0")
    scans = {}
    # hashlib releases the GIL on large buffers, so a second thread computes the file's own SHA-256.
    with ThreadPoolExecutor(max_workers=1) as hasher:
        for path in sorted(paths, key=lambda item: item.name):
            digest.update(path.name.encode("utf-8"))
            digest.update(b"\0")
            scans[path] = _scan(path, digest, hasher)
    return scans, digest.hexdigest()


def _scan(path: Path, total: Any, hasher: ThreadPoolExecutor) -> FileScan:
    file_digest = hashlib.sha256()
    size = lines = 0
    first_blank = last_content = -1
    head = b""
    tail = b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                hashed = hasher.submit(file_digest.update, chunk)
                total.update(chunk)
                if not head:
                    head = chunk[:HEAD_BYTES]
                lines += chunk.count(b"\n")
                if first_blank < 0:
                    # The tail of the previous chunk finds a blank line split between two chunks.
                    match = _BLANK_LINE.search(tail + chunk[:HEAD_BYTES]) if tail else None
                    if match:
                        first_blank = size - len(tail) + match.start()
                    elif match := _BLANK_LINE.search(chunk):
                        first_blank = size + match.start()
                content = _content_length(chunk)
                if content:
                    last_content = size + content
                tail = chunk[-HEAD_BYTES:]
                size += len(chunk)
                hashed.result()
    except OSError as error:
        raise ImportFailed(
            f"cannot read {path}: {error.strerror or error}; check that the file exists and is readable"
        ) from None
    return FileScan(path, size, file_digest.hexdigest(), lines, 0 <= first_blank < last_content, head)


def _content_length(chunk: bytes) -> int:
    """Return the length of chunk without its trailing whitespace, copying only its end when it can."""
    end = chunk[-HEAD_BYTES:].rstrip()
    if end:
        return len(chunk) - min(len(chunk), HEAD_BYTES) + len(end)
    return len(chunk.rstrip())


def is_large(scan: FileScan, table: str, settings: Settings, options: ImportOptions) -> bool:
    """Tell whether DuckDB reads the file: large enough, and read by DuckDB as the row-by-row reader reads it."""
    if scan.lines <= bulk.BULK_ROWS or scan.blank_line or table == "rates":
        # A rates file stays in Python, where its rates are exact decimals for pricing.
        return False
    if options.encoding and options.encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        return False
    # NOTE: timestamps in a source time zone other than the business one are converted row by row.
    if options.source_timezone and options.source_timezone != settings.business_timezone:
        return False
    if b"\n" not in scan.head:
        return False
    # DuckDB's file readers expand these characters as a glob pattern.
    if any(char in str(scan.path) for char in "*?["):
        return False
    try:
        first_line = scan.head.split(b"\n", 1)[0].decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    # An odd number of quotes means a quoted header cell continues on the next line.
    return first_line.count('"') % 2 == 0


def open_large(scan: FileScan, options: ImportOptions, report: ImportReport) -> LargeCsvFile:
    """Read the header of a large file and register the file with the report; its rows stay on disk.

    Raises ImportFailed as read_csv does for a missing or repeated header.
    """
    text = scan.head.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    delimiter = options.delimiter or detect_delimiter(text, scan.path.name)
    cells = next(csv.reader([text], delimiter=delimiter), [])
    labels, header = read_header(cells, scan.path.name)
    file = LargeCsvFile(scan.path, header, (), b"", labels, "utf-8", delimiter, sha256=scan.sha256, size=scan.size)
    report.add_source(file)
    return file


def stage_large_file(workspace: Workspace, staging: Staging, file: LargeCsvFile, table: str, settings: Settings,
                     options: ImportOptions, report: ImportReport) -> bool:
    """Read, check and stage every row of file; return False, changing nothing, when DuckDB cannot read it.

    Rejected rows are recorded in report as the row-by-row path records them,
    and kept in the report's copy of the file for its rejected-rows file.
    """
    started = time.perf_counter()
    raw = f"_raw_{table}"
    if not _read_raw(workspace, file, raw):
        return False
    try:
        flags: list[str] = []
        if table == "opportunities":
            flags = flag_columns(file, report, lambda name: _holds_booleans(workspace, file, raw, name))
        else:
            warn_unknown_columns(file, table, report)
        staged = staging.create(table, file.name, flags)
        date_format = options.date_format or ISO
        # Without a declared format the file is first read as ISO 8601, the usual case. A row that fails
        # a check may have a date in another format, so only then is the format inferred, and the file
        # read again when it is not ISO 8601.
        conversion = FileConversion(file, table, _formats(settings, options, date_format), flags)
        invalid = _insert_typed(workspace, staged, conversion, raw)
        if invalid and options.date_format is None:
            inferred = _infer_date_format(workspace, file, table, raw)
            if inferred not in (None, ISO):
                workspace.execute(f'DELETE FROM "{staged.name}"')
                conversion = FileConversion(file, table, _formats(settings, options, inferred), flags)
                invalid = _insert_typed(workspace, staged, conversion, raw)
        read = staging.count(table)
        report.table(table).rows_read += read
        rejected = _reread_invalid(workspace, staging, staged, conversion, raw, report) if invalid else []
        report.sources[file.name] = LargeCsvFile(
            file.path, file.header, tuple(rejected), b"", file.labels, file.encoding, file.delimiter,
            sha256=file.sha256, size=file.size,
        )
        _drop_duplicates(workspace, staged, report)
    finally:
        workspace.execute(f'DROP TABLE IF EXISTS "{raw}"')
    log.info("read %s rows of %s set-based in %.2fs, %s rejected", read, file.name,
             time.perf_counter() - started, report.table(table).rejected)
    return True


def _read_raw(workspace: Workspace, file: LargeCsvFile, raw: str) -> bool:
    columns = ", ".join(f"'r{position}': 'VARCHAR'" for position in range(len(file.header)))
    path = str(file.path).replace("'", "''")
    delimiter = file.delimiter.replace("'", "''")
    workspace.execute(f'DROP TABLE IF EXISTS "{raw}"')
    try:
        workspace.execute(
            f'CREATE TEMP TABLE "{raw}" AS SELECT * FROM read_csv(\'{path}\', header = false, skip = 1, '
            f"columns = {{{columns}}}, all_varchar = true, auto_detect = false, delim = '{delimiter}', "
            "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, encoding = 'utf-8')"
        )
    except duckdb.Error as error:
        workspace.execute(f'DROP TABLE IF EXISTS "{raw}"')
        log.info("%s is read row by row, because DuckDB cannot read it: %s", file.name,
                 str(error).split("\n", 1)[0])
        return False
    return True


def _stripped(position: int) -> str:
    """Return the SQL of raw cell r<position> stripped as str.strip() does, NULL when empty."""
    # Stripping with a list of characters is slow, so only cells that start or end with whitespace are stripped.
    cell = f"r{position}"
    edge = f"^{_SPACE_CLASS}|{_SPACE_CLASS}$"
    return f"CASE WHEN regexp_matches({cell}, '{edge}') THEN nullif(trim({cell}, '{WHITESPACE}'), '') ELSE {cell} END"


def _holds_booleans(workspace: Workspace, file: CsvFile, raw: str, name: str) -> bool:
    words = ", ".join(f"'{word}'" for word in sorted(TRUE_WORDS | FALSE_WORDS))
    filled, other = workspace.execute(
        f"SELECT COUNT(cell), COUNT(*) FILTER (WHERE lower(cell) NOT IN ({words})) "
        f'FROM (SELECT {_stripped(file.header.index(name))} AS cell FROM "{raw}")'
    )[0]
    return int(filled) > 0 and int(other) == 0


def _formats(settings: Settings, options: ImportOptions, date_format: DateFormat | None) -> Formats:
    return Formats(business_timezone=settings.business_timezone, date_format=date_format,
                   number_locale=options.number_locale, source_timezone=options.source_timezone)


def _infer_date_format(workspace: Workspace, file: CsvFile, table: str, raw: str) -> DateFormat | None:
    """Return the date format that options.file_formats infers for the file, in SQL when every date is ISO 8601."""
    present = [_stripped(file.header.index(name)) for name in date_columns(table) if name in file.header]
    if not present:
        return None
    cells = f'(SELECT {", ".join(f"{cell} AS d{number}" for number, cell in enumerate(present))} FROM "{raw}")'
    not_iso = " + ".join(
        f"COUNT(*) FILTER (WHERE d{number} IS NOT NULL AND NOT (regexp_full_match(d{number}, '{_ISO_SHAPE}') "
        f"AND TRY_CAST(left(d{number}, 10) AS DATE) IS NOT NULL))"
        for number in range(len(present))
    )
    if int(workspace.execute(f"SELECT {not_iso} FROM {cells}")[0][0]) == 0:
        return ISO
    return infer_date_format(_date_values(workspace, raw, present), file.name)


def _date_values(workspace: Workspace, raw: str, present: list[str]) -> Iterator[str]:
    """Yield the filled date cells row by row, as file_formats reads them."""
    cursor = workspace.raw.execute(f'SELECT {", ".join(present)} FROM "{raw}" ORDER BY rowid')
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            yield from (value for value in row if value is not None)


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _insert_typed(workspace: Workspace, staged: StagedTable, conversion: FileConversion, raw: str) -> int:
    """Insert every non-blank row of raw, parsed, into the staging table; return the number failing a check.

    Every row goes in with its _valid flag, so the checks run once.
    """
    file = conversion.file
    names = list(conversion.present) + list(conversion.flags)
    stripped = ", ".join(f"{_stripped(position)} AS h{position}" for position in range(len(file.header)))
    cells = ", ".join(f"h{file.header.index(name)} AS c{number}" for number, name in enumerate(names))
    blank = " AND ".join(f"h{position} IS NULL" for position in range(len(file.header)))
    source = (f'(SELECT _index, _shape_ok, {cells} FROM (SELECT rowid AS _index, TRUE AS _shape_ok, {stripped} '
              f'FROM "{raw}") WHERE NOT ({blank}))')
    typed_query, parsed = bulk.typed_sql(conversion, source)
    targets, values = _staged_columns(conversion, names, parsed)
    targets += ["_index", "_row", "_valid", *staged.flag_columns]
    values += ["_index", "_index + 2", "_valid", *(parsed.get(flag, "NULL") for flag in conversion.flags)]
    workspace.execute(
        f'INSERT INTO "{staged.name}" ({", ".join(quote_name(name) for name in targets)}) '
        f"SELECT {', '.join(values)} FROM ({typed_query})"
    )
    return int(workspace.execute(f'SELECT COUNT(*) FROM "{staged.name}" WHERE NOT _valid')[0][0])


def _reread_invalid(workspace: Workspace, staging: Staging, staged: StagedTable, conversion: FileConversion,
                    raw: str, report: ImportReport) -> list[Record]:
    """Re-read the staged rows that failed a check row by row, keeping those the row parser reads.

    Returns the records rejected.
    """
    file = conversion.file
    cursor = workspace.raw.execute(
        f'SELECT r.rowid, r.* FROM "{raw}" r JOIN "{staged.name}" s ON s._index = r.rowid WHERE NOT s._valid '
        "ORDER BY r.rowid"
    )
    rejected: list[Record] = []
    kept_rows, kept_indexes = [], []
    while batch := cursor.fetchmany(10_000):
        for index, *row in batch:
            record = _record(file, index, row)
            converted = conversion.convert(record, report)
            if converted is None:
                rejected.append(record)
            else:
                kept_rows.append(converted)
                kept_indexes.append(index)
    workspace.execute(f'DELETE FROM "{staged.name}" WHERE NOT _valid')
    if kept_rows:
        staging.add_rows(staged.table, kept_rows, kept_indexes)
        staged.unordered = True
    return rejected


def _staged_columns(conversion: FileConversion, names: list[str], parsed: dict[str, str]) -> tuple[list[str], list[str]]:
    """Return the staging table's columns and, for each, its SQL over the typed rows, as the row parser fills them."""
    columns = COLUMNS[conversion.table]
    parts = {part: (name, index) for name, column in columns.items() if column.parts and name in parsed
             for index, part in enumerate(column.parts)}
    targets, values = [], []
    for name, _ in TABLES[conversion.table].columns:
        if name in parsed:
            value = parsed[name]
            if columns[name].default is not None:
                value = f"coalesce({value}, {_literal(columns[name].default)})"
            if conversion.table == "opportunities" and name == "amount":
                # An amount of 0 is missing, as check_opportunity makes it.
                value = f"nullif({value}, 0)"
        elif name in parts:
            source, index = parts[name]
            value = f"CAST({parsed[source]} AS DATE)" if index == 0 else f"c{names.index(source)}"
        elif name in conversion.defaults:
            value = _literal(conversion.defaults[name])
        else:
            continue
        targets.append(name)
        values.append(value)
    return targets, values


def _record(file: CsvFile, index: int, cells: list[str | None]) -> Record:
    raw = tuple(cell or "" for cell in cells)
    values = {name: (raw[position].strip() or None) for position, name in enumerate(file.header) if name}
    return Record(index + 2, values, (), 0, raw)


def _drop_duplicates(workspace: Workspace, staged: StagedTable, report: ImportReport) -> None:
    """Keep one row per key as drop_duplicates does: the later row, or for opportunities the later modified_at."""
    key = [quote_name(name) for name in TABLES[staged.table].key]
    modified = "s.modified_at" if staged.table == "opportunities" else "NULL"
    # Grouping by a hash of the key is faster than by the key. Rows whose different keys share a hash
    # are fetched too, but the loop below compares whole keys.
    hashed = f"hash({', '.join(key)})"
    rows = workspace.execute(
        f'SELECT {", ".join(f"s.{name}" for name in key)}, s._index, s._row, {modified} FROM "{staged.name}" s '
        f'WHERE {hashed} IN (SELECT {hashed} FROM "{staged.name}" GROUP BY ALL HAVING COUNT(*) > 1) '
        "ORDER BY s._index"
    )
    if not rows:
        return

    winners: dict[tuple, tuple[int, Any]] = {}
    repeated: list[str] = []
    losers: list[int] = []
    for *parts, index, row, modified_at in rows:
        key_value = tuple(parts)
        earlier = winners.get(key_value)
        if earlier is not None:
            repeated.append(f"{staged.where(row)} ({'/'.join(str(part) for part in key_value)})")
            if not is_later(modified_at, earlier[1]):
                losers.append(index)
                continue
            losers.append(earlier[0])
        winners[key_value] = (index, modified_at)

    workspace.raw.register("_rasr_losers", pa.table({"_index": pa.array(losers, pa.int64())}))
    try:
        workspace.execute(f'DELETE FROM "{staged.name}" WHERE _index IN (SELECT _index FROM _rasr_losers)')
    finally:
        workspace.raw.unregister("_rasr_losers")
    warn_duplicates(staged.table, repeated, report)
