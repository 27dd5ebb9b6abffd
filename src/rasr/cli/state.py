"""State shared by every command: the global options, the open workspace, settings and output streams."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import typer
from rich.console import Console

from rasr.cli.errors import EXIT_FAILURE, EXIT_USAGE, CliError
from rasr.engine.periods import parse_date
from rasr.engine.settings import Settings
from rasr.store.connection import Workspace, open_workspace, parse_db_url
from rasr.store.settings import load_settings

log = logging.getLogger(__name__)

LOAD_DATA_HINT = "load data with `rasr import generic DIR` or `rasr import maven DIR`"


@dataclass
class CliState:
    """The global options of one run and the workspace opened for it."""

    db: str
    config_file: Path | None = None
    _workspace: Workspace | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)

    def workspace_exists(self) -> bool:
        """Return False only for a SQLite or DuckDB file that is not there yet."""
        target = parse_db_url(self.db)
        if target.dialect == "postgres" or target.path is None:
            return True
        return Path(target.path).expanduser().exists()

    def workspace(self, *, create: bool = False) -> Workspace:
        """Open the workspace; without create, a missing SQLite or DuckDB file is an error, not a new file."""
        if self._workspace is None:
            if not create and not self.workspace_exists():
                raise CliError(f"the workspace {self.db} does not exist; {LOAD_DATA_HINT}", EXIT_FAILURE)
            log.info("opening workspace %s", self.db)
            self._workspace = open_workspace(self.db)
        return self._workspace

    def settings(self, workspace: Workspace | None = None) -> Settings:
        """Return the effective settings: defaults, then the workspace, then the --config file."""
        if self._settings is None:
            workspace = workspace or self.workspace()
            try:
                self._settings = load_settings(workspace, self.config_file)
            except OSError as error:
                # load_settings reports a missing file itself; this is a directory or a file it may not read.
                raise CliError(f"cannot read config file {self.config_file}: {error.strerror or error}",
                               EXIT_USAGE) from error
        return self._settings

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None


def state_of(ctx: typer.Context) -> CliState:
    """Return the CliState that the global options stored on the root context."""
    state = ctx.find_root().obj
    if not isinstance(state, CliState):
        raise RuntimeError("the rasr command's global options were not parsed")
    return state


def stdout_console() -> Console:
    # Created per call, so it writes to whatever sys.stdout is at that moment (a test runner swaps it).
    return Console(highlight=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def print_stderr(lines: Iterable[str]) -> None:
    """Write plain lines to stderr, without markup, so text in brackets stays as it is."""
    for line in lines:
        sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


def write_json(value: Any) -> None:
    """Write value to stdout as JSON, and nothing else; NaN or infinity raises ValueError."""
    sys.stdout.write(json.dumps(value, indent=2, allow_nan=False, ensure_ascii=False, default=_json_default))
    sys.stdout.write("\n")
    sys.stdout.flush()


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    # The JSON contract has money as numbers in currency units.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def parse_as_of(text: str | None) -> dt.date | None:
    """Parse --as-of, or return None when it was not given."""
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise CliError(f"invalid date '{text}' for --as-of: expected YYYY-MM-DD", EXIT_USAGE) from None


def check_format(value: str, allowed: tuple[str, ...], option: str = "--format") -> str:
    """Return the lower-cased value if it is one of allowed, else raise a usage error naming them."""
    chosen = value.strip().lower()
    if chosen not in allowed:
        expected = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
        raise CliError(f"invalid value '{value}' for {option}: expected {expected}", EXIT_USAGE)
    return chosen
