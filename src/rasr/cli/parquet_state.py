"""The global state of a run that reads canonical Parquet files (`--data DIR`) instead of a workspace."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rasr.cli.errors import EXIT_FAILURE, CliError
from rasr.cli.state import CliState
from rasr.store.connection import WorkspaceError
from rasr.store.parquet import ParquetWorkspace, open_parquet_workspace

log = logging.getLogger(__name__)


@dataclass
class ParquetCliState(CliState):
    """CliState whose workspace is the read-only Parquet folder in `db`, opened on `engine` (duckdb or spark).

    Settings come from the defaults and the --config file, plus a
    settings.parquet in the folder when there is one.
    """

    engine: str = "duckdb"

    def workspace_exists(self) -> bool:
        return True

    def workspace(self, *, create: bool = False) -> ParquetWorkspace:  # type: ignore[override]
        if self._workspace is None:
            log.info("opening the Parquet files in %s on %s", self.db, self.engine)
            try:
                self._workspace = open_parquet_workspace(self.db, self.engine)  # type: ignore[assignment]
            except WorkspaceError as error:
                raise CliError(str(error), EXIT_FAILURE) from error
        return self._workspace  # type: ignore[return-value]
