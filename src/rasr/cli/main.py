"""The `rasr` command: global options, the commands, and one-line error reporting.

Exit codes: 0 on success, 1 when the command could not do its work (workspace
not found or empty, unknown rep, failed import, unexpected error), 2 for an
invalid argument, option, setting or config file.
"""

from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from rasr.cli import brief, config, generate, imports, metrics, reps, team
from rasr.cli.errors import (
    EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, INTERRUPTED, INTERRUPTED_IMPORT, CliError, is_interrupt,
    is_out_of_memory, out_of_memory_message,
)
from rasr.cli.state import CliState, check_format, print_stderr
from rasr.engine.settings import SettingError
from rasr.store.connection import DEFAULT_DB, WorkspaceError, parse_db_url

log = logging.getLogger("rasr.cli")

# Marks the log handler that configure_logging installs, so a second run in one process replaces it.
_HANDLER_NAME = "rasr-cli-stderr"


class RasrGroup(TyperGroup):
    """A command group that reports known errors as one line on stderr instead of a traceback."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            # Exits and usage errors (a missing argument, an unknown option) are typer's to report.
            raise
        except KeyboardInterrupt:
            fail(_interrupted(ctx), EXIT_INTERRUPTED)
        except CliError as error:
            fail(error.message, error.exit_code)
        except SettingError as error:
            fail(str(error), EXIT_USAGE)
        except WorkspaceError as error:
            if is_out_of_memory(error):
                # DuckDB needs some memory to open a workspace at all.
                fail(out_of_memory_message(_duckdb_url(ctx), False), EXIT_FAILURE)
            fail(str(error), EXIT_FAILURE)
        except Exception as error:  # noqa: BLE001 - the last resort: one line, the traceback only at -vv
            if is_interrupt(error):
                # DuckDB turns Ctrl-C during a query into its own error type.
                fail(_interrupted(ctx), EXIT_INTERRUPTED)
            if is_out_of_memory(error):
                log.debug("out of memory", exc_info=True)
                fail(out_of_memory_message(_duckdb_url(ctx), ctx.invoked_subcommand == "import"), EXIT_FAILURE)
            if isinstance(error, OSError) and error.errno == errno.EPIPE:
                # The reader of stdout went away (`rasr team --format csv | head`), and typer exits quietly.
                raise
            log.debug("unexpected error", exc_info=True)
            fail(str(error) or type(error).__name__, EXIT_FAILURE)


def _duckdb_url(ctx: typer.Context) -> str | None:
    """Return the --db value when it names a DuckDB workspace, else None (Parquet data, SQLite, PostgreSQL)."""
    state = ctx.obj
    # A subclass of CliState reads Parquet files with --data, which have no workspace URL.
    if type(state) is not CliState:
        return None
    try:
        return state.db if parse_db_url(state.db).dialect == "duckdb" else None
    except WorkspaceError:
        return None


def _interrupted(ctx: typer.Context) -> str:
    """Return the message for Ctrl-C during the command that ctx runs."""
    return INTERRUPTED_IMPORT if ctx.invoked_subcommand == "import" else INTERRUPTED


def fail(message: str, exit_code: int) -> None:
    """Print `error: message` as one line on stderr and end the command with exit_code."""
    print_stderr([f"error: {message}"])
    raise typer.Exit(exit_code)


app = typer.Typer(
    name="rasr",
    cls=RasrGroup,
    help="Which 1:1 conversation to have with each sales rep, and the numbers behind it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def configure_logging(verbosity: int) -> None:
    """Send the rasr loggers to stderr: warnings by default, INFO with -v, DEBUG with -vv."""
    if verbosity <= 0:
        level = logging.WARNING
    elif verbosity == 1:
        level = logging.INFO
    else:
        level = logging.DEBUG
    logger = logging.getLogger("rasr")
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[str, typer.Option(
        "--db", envvar="RASR_DB", metavar="URL",
        help="Workspace: a file path, sqlite:///PATH, duckdb:///PATH or postgresql://USER@HOST/DB.",
    )] = DEFAULT_DB,
    config_file: Annotated[Path | None, typer.Option(
        "--config", metavar="FILE", dir_okay=False,
        help="TOML file whose settings override the workspace's for this run.",
    )] = None,
    verbose: Annotated[int, typer.Option(
        "-v", "--verbose", count=True, show_default=False,
        help="Log progress to stderr; give it twice for debug detail.",
    )] = 0,
    data: Annotated[str | None, typer.Option(
        "--data", metavar="DIR",
        help="Read-only folder of canonical Parquet files (opportunities.parquet, reps.parquet, ...) "
             "to analyse instead of the --db workspace; a local path, or on Spark any path Spark reads.",
    )] = None,
    engine: Annotated[str | None, typer.Option(
        "--engine", metavar="ENGINE",
        help="What analyses the --data files: duckdb (default) or spark (needs pip install 'rasr\\[spark]').",
    )] = None,
) -> None:
    """Store the global options for the command that follows."""
    configure_logging(verbose)
    state = _state(db, config_file, data, engine)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _state(db: str, config_file: Path | None, data: str | None, engine: str | None) -> CliState:
    if data is None:
        if engine is not None:
            fail(f"--engine {engine} needs --data DIR, the folder of Parquet files to analyse", EXIT_USAGE)
        return CliState(db=db, config_file=config_file)
    from rasr.cli.parquet_state import ParquetCliState
    from rasr.store.parquet import ENGINES

    chosen = check_format(engine or "duckdb", ENGINES, option="--engine")
    return ParquetCliState(db=data, config_file=config_file, engine=chosen)


app.add_typer(imports.app, name="import")
app.command("imports")(imports.imports_command)
app.command("team")(team.team_command)
app.command("brief")(brief.brief_command)
app.command("reps")(reps.reps_command)
app.command("metrics")(metrics.metrics_command)
app.add_typer(config.app, name="config")
app.command("generate")(generate.generate_command)


def run() -> None:
    """Entry point of the `rasr` script."""
    app(prog_name="rasr")
