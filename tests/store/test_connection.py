"""Opening workspaces: URL forms, schema creation and transactions, on every backend."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import psycopg
import pytest

from rasr.store import Workspace, WorkspaceError, open_workspace
from rasr.store.connection import DatabaseURL, parse_db_url
from rasr.store.load import table_count, upsert
from rasr.store.schema import SCHEMA_VERSION, TABLES, ensure_schema


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def new_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return the URL of a database that no workspace has opened yet."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'new.duckdb'}"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new.db'}"
    return request.getfixturevalue("postgres_url")


# The base error class of each backend's DB-API driver.
DRIVER_ERRORS = (sqlite3.Error, duckdb.Error, psycopg.Error)


def schema_versions(workspace: Workspace) -> list[tuple]:
    return workspace.execute("SELECT value FROM settings WHERE key = ?", ("_schema_version",))


# --- parse_db_url ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A bare path is SQLite unless it ends in .duckdb.
        ("rasr.db", DatabaseURL("sqlite", "rasr.db")),
        ("data/work.sqlite3", DatabaseURL("sqlite", "data/work.sqlite3")),
        ("/srv/rasr/work.duckdb", DatabaseURL("duckdb", "/srv/rasr/work.duckdb")),
        ("  rasr.db  ", DatabaseURL("sqlite", "rasr.db")),
        # Three slashes and a relative path, four slashes and an absolute path, as SQLAlchemy writes them.
        ("sqlite:///rel.db", DatabaseURL("sqlite", "rel.db")),
        ("sqlite:////abs/work.db", DatabaseURL("sqlite", "/abs/work.db")),
        ("duckdb:///rel.duckdb", DatabaseURL("duckdb", "rel.duckdb")),
        ("duckdb:////abs/work.duckdb", DatabaseURL("duckdb", "/abs/work.duckdb")),
        # Percent-escapes in the path are decoded.
        ("sqlite:///my%20work.db", DatabaseURL("sqlite", "my work.db")),
        # The query of a DuckDB URL contains DuckDB settings.
        ("duckdb:///rel.duckdb?memory_limit=1GB&threads=2",
         DatabaseURL("duckdb", "rel.duckdb", options=(("memory_limit", "1GB"), ("threads", "2")))),
        # No path at all means an in-memory database.
        ("sqlite://", DatabaseURL("sqlite", None)),
        ("duckdb://", DatabaseURL("duckdb", None)),
        # Both PostgreSQL schemes are kept whole for the driver, in any letter case.
        ("postgresql://rasr@db.example:5433/sales", DatabaseURL("postgres", url="postgresql://rasr@db.example:5433/sales")),
        ("postgres://rasr@db.example/sales", DatabaseURL("postgres", url="postgres://rasr@db.example/sales")),
        ("PostgreSQL://rasr@db.example/sales", DatabaseURL("postgres", url="PostgreSQL://rasr@db.example/sales")),
    ],
)
def test_parse_db_url_forms(text: str, expected: DatabaseURL) -> None:
    assert parse_db_url(text) == expected


@pytest.mark.parametrize("text", ["mysql://rasr@db.example/sales", "file:///tmp/rasr.db"])
def test_parse_db_url_bad_scheme(text: str) -> None:
    with pytest.raises(WorkspaceError) as raised:
        parse_db_url(text)

    message = str(raised.value)
    scheme = text.partition("://")[0]
    assert f"'{scheme}'" in message
    # The message lists every accepted form, so the user can pick one.
    assert "file path" in message
    assert "sqlite:///" in message
    assert "duckdb:///" in message
    assert "postgresql://" in message


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_db_url_empty(text: str) -> None:
    with pytest.raises(WorkspaceError, match="empty"):
        parse_db_url(text)


def test_parse_db_url_sqlite_takes_no_options() -> None:
    with pytest.raises(WorkspaceError, match="takes no options"):
        parse_db_url("sqlite:///rel.db?memory_limit=1GB")


# --- open_workspace ----------------------------------------------------------------------


def test_open_duckdb_with_settings(tmp_path) -> None:
    workspace = open_workspace(f"duckdb:///{tmp_path}/work.duckdb?memory_limit=500MB&threads=1")

    limit, threads = workspace.raw.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads')").fetchone()
    assert threads == 1
    # DuckDB reports the limit in binary units: 500 MB is 476.8 MiB.
    assert limit == "476.8 MiB"


def test_open_duckdb_unknown_setting(tmp_path) -> None:
    url = f"duckdb:///{tmp_path}/work.duckdb?memory_limt=1GB"

    with pytest.raises(WorkspaceError) as raised:
        open_workspace(url)

    # The message names the URL and the setting DuckDB did not recognise.
    assert url in str(raised.value)
    assert "memory_limt" in str(raised.value)


def test_open_bad_scheme_raises() -> None:
    with pytest.raises(WorkspaceError, match="unsupported workspace URL scheme 'mysql'"):
        open_workspace("mysql://rasr@127.0.0.1/sales")


def test_open_missing_postgres_database(postgres_server) -> None:
    url = postgres_server.url("rasr_no_such_database")

    with pytest.raises(WorkspaceError) as raised:
        open_workspace(url)

    # The error names the URL and keeps the server's reason.
    assert url in str(raised.value)
    assert "does not exist" in str(raised.value)


def test_open_relative_sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    workspace = open_workspace("sqlite:///nested/dir/work.db")
    workspace.close()

    # The path is relative to the working directory, and missing parent directories are created.
    assert (tmp_path / "nested" / "dir" / "work.db").is_file()


def test_open_absolute_duckdb_url(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "work.duckdb"

    workspace = open_workspace(f"duckdb:///{path}")
    workspace.close()

    assert path.is_file()


def test_open_uses_rasr_db_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env.duckdb"
    monkeypatch.setenv("RASR_DB", str(path))

    workspace = open_workspace()
    workspace.close()

    # The .duckdb suffix picks DuckDB, and the file is created where RASR_DB points.
    assert workspace.dialect == "duckdb"
    assert path.is_file()


def test_open_defaults_to_rasr_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RASR_DB", raising=False)

    workspace = open_workspace()
    workspace.close()

    assert workspace.dialect == "sqlite"
    assert (tmp_path / "rasr.db").is_file()


# --- Schema ------------------------------------------------------------------------------


def test_schema_created_on_first_use(new_database_url: str) -> None:
    workspace = open_workspace(new_database_url)
    try:
        tables = workspace.table_names()
        versions = schema_versions(workspace)
    finally:
        workspace.close()

    assert set(TABLES) <= tables
    assert versions == [(SCHEMA_VERSION,)]


def test_create_false_makes_no_tables(new_database_url: str) -> None:
    workspace = open_workspace(new_database_url, create=False)
    try:
        tables = workspace.table_names()
    finally:
        workspace.close()

    assert not set(TABLES) & tables


def test_ensure_schema_idempotent(backend: Workspace) -> None:
    upsert(backend, "teams", ["team"], [("East",)])

    ensure_schema(backend)
    ensure_schema(backend)

    # A second and third run change nothing: the data and the single version row stay.
    assert table_count(backend, "teams") == 1
    assert schema_versions(backend) == [(SCHEMA_VERSION,)]


def test_reopen_keeps_data(backend: Workspace) -> None:
    upsert(backend, "teams", ["team"], [("East",)])
    backend.close()

    reopened = open_workspace(backend.label)
    try:
        teams = reopened.execute("SELECT team FROM teams")
        versions = schema_versions(reopened)
    finally:
        reopened.close()

    assert teams == [("East",)]
    assert versions == [(SCHEMA_VERSION,)]


def test_ensure_schema_adds_missing_table(backend: Workspace) -> None:
    backend.execute('DROP TABLE "rates"')
    upsert(backend, "teams", ["team"], [("East",)])

    ensure_schema(backend)

    # Only the dropped table is created again, and the other tables keep their rows.
    assert "rates" in backend.table_names()
    assert table_count(backend, "teams") == 1
    assert schema_versions(backend) == [(SCHEMA_VERSION,)]


# --- Statements --------------------------------------------------------------------------


def test_execute_question_mark_params(backend: Workspace) -> None:
    # ? is rewritten to %s for PostgreSQL, and a literal % must survive that rewrite.
    rows = backend.execute("SELECT ? || '%'", ("50",))

    assert rows == [("50%",)]


# --- Transactions ------------------------------------------------------------------------


class Abort(Exception):
    """Raised inside a transaction block to make it roll back."""


def test_transaction_commits(backend: Workspace) -> None:
    with backend.transaction():
        backend.execute("INSERT INTO teams (team) VALUES (?)", ("East",))
        upsert(backend, "reps", ["rep_id", "name"], [("r1", "Ana")])

    assert table_count(backend, "teams") == 1
    assert table_count(backend, "reps") == 1


def test_transaction_rolls_back(backend: Workspace) -> None:
    upsert(backend, "teams", ["team"], [("East",)])
    teams_before = table_count(backend, "teams")
    reps_before = table_count(backend, "reps")

    with pytest.raises(Abort):
        with backend.transaction():
            backend.execute("INSERT INTO teams (team) VALUES (?)", ("West",))
            backend.execute("DELETE FROM teams WHERE team = ?", ("East",))
            # upsert opens its own transaction, which joins the outer one.
            upsert(backend, "reps", ["rep_id", "name"], [("r1", "Ana"), ("r2", "Ben")])
            raise Abort

    # Every statement in the block is undone: the insert, the delete and the upsert.
    assert table_count(backend, "teams") == teams_before
    assert backend.execute("SELECT team FROM teams") == [("East",)]
    assert table_count(backend, "reps") == reps_before


def test_transaction_rolls_back_failed_statement(backend: Workspace) -> None:
    with pytest.raises(DRIVER_ERRORS):
        with backend.transaction():
            backend.execute("INSERT INTO teams (team) VALUES (?)", ("East",))
            # The same key again violates the primary key, so the driver raises.
            backend.execute("INSERT INTO teams (team) VALUES (?)", ("East",))

    # The first insert, which succeeded, is undone too.
    assert table_count(backend, "teams") == 0


def test_workspace_usable_after_rollback(backend: Workspace) -> None:
    with pytest.raises(Abort):
        with backend.transaction():
            backend.execute("INSERT INTO teams (team) VALUES (?)", ("West",))
            raise Abort

    with backend.transaction():
        backend.execute("INSERT INTO teams (team) VALUES (?)", ("East",))

    assert backend.execute("SELECT team FROM teams") == [("East",)]
