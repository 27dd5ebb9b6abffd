"""Open a workspace database by URL, on SQLite, DuckDB or PostgreSQL."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import parse_qsl, unquote, urlparse

import ibis

log = logging.getLogger(__name__)

DEFAULT_DB = "rasr.db"


class WorkspaceError(RuntimeError):
    """The workspace cannot be opened or used."""


@dataclass(frozen=True)
class DatabaseURL:
    dialect: str  # "sqlite", "duckdb" or "postgres"
    path: str | None = None  # file path for SQLite and DuckDB; None means in memory
    url: str | None = None  # the full URL for PostgreSQL
    options: tuple[tuple[str, str], ...] = ()  # DuckDB settings from the URL's query, such as memory_limit


def parse_db_url(text: str) -> DatabaseURL:
    """Read a --db value: a file path, sqlite:///, duckdb:/// or postgresql:// URL."""
    text = text.strip()
    if not text:
        raise WorkspaceError("the workspace URL is empty; give --db PATH or a sqlite:///, duckdb:/// or postgresql:// URL")
    scheme, sep, rest = text.partition("://")
    if not sep:
        # A bare path: DuckDB by its extension, SQLite otherwise.
        if text.endswith(".duckdb"):
            return DatabaseURL("duckdb", text)
        return DatabaseURL("sqlite", text)
    scheme = scheme.lower()
    if scheme in {"postgresql", "postgres"}:
        return DatabaseURL("postgres", url=text)
    if scheme in {"sqlite", "duckdb"}:
        # sqlite:///relative.db and sqlite:////abs/path.db, as SQLAlchemy writes them;
        # sqlite:// alone is an in-memory database.
        path = rest[1:] if rest.startswith("/") else rest
        path, _, query = path.partition("?")
        options = tuple(parse_qsl(query, keep_blank_values=True))
        if options and scheme == "sqlite":
            raise WorkspaceError(f"invalid workspace URL {text!r}: sqlite:/// takes no options; remove the part from '?'")
        return DatabaseURL(scheme, unquote(path) or None, options=options)
    raise WorkspaceError(
        f"unsupported workspace URL scheme '{scheme}' in {text!r}; "
        "use a file path, sqlite:///PATH, duckdb:///PATH or postgresql://USER@HOST/DB"
    )


class Workspace:
    """One open workspace: an Ibis backend for queries and its DB-API connection for writes."""

    def __init__(self, backend: Any, dialect: str, label: str) -> None:
        self.backend = backend
        self.dialect = dialect
        self.label = label
        self.raw = backend.con
        self._in_transaction = False

    @property
    def paramstyle(self) -> str:
        return "%s" if self.dialect == "postgres" else "?"

    def sql(self, statement: str) -> str:
        """Rewrite a statement written with ? placeholders for this backend."""
        if self.dialect == "postgres":
            return statement.replace("%", "%%").replace("?", "%s")
        return statement

    def _cursor(self) -> Any:
        # A DuckDB cursor is a separate connection with its own transaction,
        # so DuckDB statements run on the connection itself.
        return self.raw if self.dialect == "duckdb" else self.raw.cursor()

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = self._cursor()
        try:
            cursor.execute(self.sql(statement), tuple(params))
            if cursor.description is None:
                return []
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            if cursor is not self.raw:
                with contextlib.suppress(Exception):
                    cursor.close()

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = [tuple(row) for row in rows]
        if not rows:
            return
        cursor = self._cursor()
        try:
            cursor.executemany(self.sql(statement), rows)
        finally:
            if cursor is not self.raw:
                with contextlib.suppress(Exception):
                    cursor.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Workspace"]:
        """Run the block in one transaction: all of it is applied, or none."""
        if self._in_transaction:
            yield self
            return
        self.execute("BEGIN")
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self._in_transaction = False
            self.execute("ROLLBACK")
            raise
        self._in_transaction = False
        self.execute("COMMIT")

    def table(self, name: str) -> ibis.Table:
        return self.backend.table(name)

    def table_names(self) -> set[str]:
        return set(self.backend.list_tables())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.backend.disconnect()


def open_workspace(url: str | None = None, *, create: bool = True) -> Workspace:
    """Open (and on first use create) the workspace at url, RASR_DB or ./rasr.db."""
    from rasr.store.schema import ensure_schema

    text = url or os.environ.get("RASR_DB") or DEFAULT_DB
    target = parse_db_url(text)
    try:
        if target.dialect == "sqlite":
            if target.path:
                Path(target.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            backend = ibis.sqlite.connect(target.path or ":memory:")
            # Transactions are opened explicitly by Workspace.transaction.
            backend.con.isolation_level = None
            backend.con.execute("PRAGMA foreign_keys = OFF")
        elif target.dialect == "duckdb":
            if target.path:
                Path(target.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # Options such as ?memory_limit=1GB&threads=2 are DuckDB settings.
            backend = ibis.duckdb.connect(target.path or ":memory:", **dict(target.options))
        else:
            parsed = urlparse(target.url)
            options = {
                "host": parsed.hostname or None,
                "port": parsed.port or 5432,
                "user": unquote(parsed.username) if parsed.username else None,
                "password": unquote(parsed.password) if parsed.password else None,
                "database": (parsed.path or "/").lstrip("/") or None,
            }
            # Query options such as sslmode=require or host=/socket/dir go to the driver.
            for key, value in parse_qsl(parsed.query):
                options["database" if key == "dbname" else key] = value
            backend = ibis.postgres.connect(**options)
    except WorkspaceError:
        raise
    except Exception as error:  # the driver's own error types differ per backend
        raise WorkspaceError(f"cannot open workspace {text!r}: {error}") from error
    workspace = Workspace(backend, target.dialect, text)
    if create:
        ensure_schema(workspace)
    log.debug("opened workspace %s (%s)", text, target.dialect)
    return workspace
