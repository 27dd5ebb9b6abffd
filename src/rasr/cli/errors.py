"""Errors that the command line reports as one line on stderr, and their exit codes."""

from __future__ import annotations

import difflib
import re
import urllib.parse
from typing import Iterable

# The command could not do its work: something not found, an empty workspace, a failed import.
EXIT_FAILURE = 1
# An argument, option or setting is invalid. Click uses 2 for its usage errors too.
EXIT_USAGE = 2
# The user pressed Ctrl-C: 128 + SIGINT, as shells report it.
EXIT_INTERRUPTED = 130
INTERRUPTED = "interrupted"
# Only an import changes the imported data, so only its interruption needs saying that nothing was written.
INTERRUPTED_IMPORT = "interrupted; an import that did not finish wrote nothing"


def is_interrupt(error: BaseException) -> bool:
    """Tell whether error, or an error it was raised from, is Ctrl-C reaching Python or a DuckDB query."""
    while error is not None:
        if isinstance(error, KeyboardInterrupt) or type(error).__name__ == "InterruptException" or str(
                error).startswith("Query interrupted"):
            return True
        error = error.__cause__ or error.__context__
    return False


def is_out_of_memory(error: BaseException) -> bool:
    """Tell whether error, or an error it was raised from, is DuckDB running out of memory."""
    while error is not None:
        if type(error).__name__ == "OutOfMemoryException" or str(error).startswith("Out of Memory Error"):
            return True
        error = error.__cause__ or error.__context__
    return False


def out_of_memory_message(db: str | None, importing: bool) -> str:
    """Return the message that DuckDB ran out of memory, with how to change its limit in the workspace URL db.

    db is None when the data is not a DuckDB workspace (Parquet files read
    with --data), whose URL takes no memory_limit.
    """
    import_note = "; the import wrote nothing" if importing else ""
    if db is None:
        return f"the analysis ran out of memory: close other programs or use a machine with more memory{import_note}"
    base, _, query = (db if "://" in db else f"duckdb:///{db}").partition("?")
    options = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    limit = options.get("memory_limit")
    if limit:
        size = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT])(i?)B\s*", limit, flags=re.IGNORECASE)
        larger = "8GB"
        if size:
            doubled = float(size.group(1)) * 2
            unit_bytes = (1024 if size.group(3) else 1000) ** ("KMGT".index(size.group(2).upper()) + 1)
            # Doubling a tiny limit would suggest another tiny one, so the example is at least 1 GB.
            larger = f"{doubled:g}{size.group(2).upper()}{size.group(3)}B" if doubled * unit_bytes >= 10**9 else "1GB"
        example = urllib.parse.urlencode({**options, "memory_limit": larger})
        return (f"the workspace database ran out of memory within its memory_limit of {limit}: raise it in "
                f"the workspace URL, for example --db '{base}?{example}'{import_note}")
    example = urllib.parse.urlencode({**options, "memory_limit": "4GB"})
    return ("the workspace database ran out of memory: close other programs, or set a memory_limit below "
            f"this machine's free memory in the workspace URL, for example --db '{base}?{example}', "
            f"so that DuckDB writes intermediate results to disk beyond it{import_note}")


class CliError(Exception):
    """An error shown as one line on stderr, ending the command with exit_code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def close_matches(value: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to limit candidates that look like value, ignoring case, in their own spelling."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        if candidate:
            by_folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(value.casefold(), list(by_folded), n=limit, cutoff=0.6)
    return [by_folded[match] for match in matches]


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """Return "; did you mean 'X'?" (or 'X' or 'Y') for the close matches of value, or ""."""
    matches = close_matches(value, candidates)
    if not matches:
        return ""
    quoted = [f"'{match}'" for match in matches]
    if len(quoted) == 1:
        return f"; did you mean {quoted[0]}?"
    return f"; did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"
