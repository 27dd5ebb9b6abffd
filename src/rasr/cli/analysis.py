"""Run the engine's analysis for a command, turning its errors into one-line CLI errors."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from types import ModuleType
from typing import Any

from rasr.cli.errors import EXIT_FAILURE, CliError
from rasr.cli.state import LOAD_DATA_HINT, CliState

log = logging.getLogger(__name__)

ENGINE_MODULE = "rasr.engine.analysis"


def load_engine() -> ModuleType:
    """Import the analysis engine when a command needs it, so other commands start fast."""
    try:
        return importlib.import_module(ENGINE_MODULE)
    except ImportError as error:
        log.debug("importing %s failed", ENGINE_MODULE, exc_info=True)
        raise CliError(f"the analysis engine could not be loaded ({error}); reinstall rasr") from error


def run_analysis(state: CliState, *, as_of: dt.date | None, team: str | None = None,
                 briefs_for: set[str] | None = None) -> Any:
    """Analyse the workspace on as_of and return the engine's result, with its notices unprinted.

    briefs_for names the reps whose brief will be shown, so the engine lists their open deals.
    """
    engine = load_engine()
    workspace = state.workspace()
    settings = state.settings(workspace)
    log.info("analysing %s as of %s%s", state.db, as_of or "the default date", f" for team {team}" if team else "")
    try:
        if briefs_for:
            return engine.analyze(workspace, settings=settings, as_of=as_of, team=team, briefs_for=briefs_for)
        return engine.analyze(workspace, settings=settings, as_of=as_of, team=team)
    except engine.EmptyWorkspaceError as error:
        log.debug("empty workspace: %s", error)
        raise CliError(f"the workspace {state.db} has no opportunities; {LOAD_DATA_HINT}", EXIT_FAILURE) from error
    except engine.AnalysisError as error:
        raise CliError(str(error), EXIT_FAILURE) from error
