"""upsert: inserting rows, updating them by key and the counts it returns, on every backend."""

from __future__ import annotations

import datetime as dt
import sqlite3

import duckdb
import psycopg
import pytest

from rasr.store import Workspace
from rasr.store.load import UpsertCount, table_count, upsert

# The base error class of each backend's DB-API driver.
DRIVER_ERRORS = (sqlite3.Error, duckdb.Error, psycopg.Error)

REP_COLUMNS = ["rep_id", "name", "email", "start_date"]


def normalize(value: object) -> object:
    # SQLite returns dates and timestamps as the text that upsert stored, the other
    # backends return date and datetime objects, and str() of those is the same text.
    if isinstance(value, (dt.date, dt.datetime)):
        return str(value)
    return value


def select_rows(workspace: Workspace, statement: str) -> list[tuple]:
    return [tuple(normalize(value) for value in row) for row in workspace.execute(statement)]


# --- Single-column key -------------------------------------------------------------------


def test_upsert_inserts_new_rows(backend: Workspace) -> None:
    rows = [
        ("r1", "Ana Lima", "ana@example.com", dt.date(2016, 1, 4)),
        ("r2", "Ben Ode", None, dt.date(2016, 3, 1)),
    ]

    count = upsert(backend, "reps", REP_COLUMNS, rows)

    assert count == UpsertCount(inserted=2, updated=0)
    assert table_count(backend, "reps") == 2
    assert select_rows(backend, "SELECT rep_id, name, email, start_date FROM reps ORDER BY rep_id") == [
        ("r1", "Ana Lima", "ana@example.com", "2016-01-04"),
        ("r2", "Ben Ode", None, "2016-03-01"),
    ]


def test_upsert_updates_by_key(backend: Workspace) -> None:
    upsert(backend, "reps", REP_COLUMNS, [
        ("r1", "Ana Lima", "ana@example.com", dt.date(2016, 1, 4)),
        ("r2", "Ben Ode", None, dt.date(2016, 3, 1)),
    ])

    # r2 exists and is replaced, r3 is new, r1 is not in this batch.
    count = upsert(backend, "reps", REP_COLUMNS, [
        ("r2", "Ben Ode", "ben@example.com", dt.date(2016, 3, 1)),
        ("r3", "Cy Park", None, dt.date(2017, 2, 1)),
    ])

    assert count == UpsertCount(inserted=1, updated=1)
    assert table_count(backend, "reps") == 3
    assert select_rows(backend, "SELECT rep_id, email FROM reps ORDER BY rep_id") == [
        ("r1", "ana@example.com"),
        ("r2", "ben@example.com"),
        ("r3", None),
    ]


def test_upsert_same_rows_twice(backend: Workspace) -> None:
    rows = [("r1", "Ana Lima", None, None), ("r2", "Ben Ode", None, None)]
    upsert(backend, "reps", REP_COLUMNS, rows)

    count = upsert(backend, "reps", REP_COLUMNS, rows)

    # Importing the same file again updates every row and adds none.
    assert count == UpsertCount(inserted=0, updated=2)
    assert table_count(backend, "reps") == 2


def test_upsert_omitted_columns_become_null(backend: Workspace) -> None:
    upsert(backend, "reps", REP_COLUMNS, [("r1", "Ana Lima", "ana@example.com", dt.date(2016, 1, 4))])

    upsert(backend, "reps", ["rep_id", "name"], [("r1", "Ana Lima-Souza")])

    # The whole row is replaced, so the columns left out of the second batch are NULL.
    assert select_rows(backend, "SELECT name, email, start_date FROM reps") == [("Ana Lima-Souza", None, None)]


def test_upsert_empty_batch(backend: Workspace) -> None:
    count = upsert(backend, "reps", REP_COLUMNS, [])

    assert count == UpsertCount(inserted=0, updated=0)
    assert table_count(backend, "reps") == 0


def test_upsert_drops_staging_table(backend: Workspace) -> None:
    upsert(backend, "reps", ["rep_id", "name"], [("r1", "Ana Lima")])

    assert "_incoming_reps" not in backend.table_names()


# --- Composite keys ----------------------------------------------------------------------


def test_upsert_composite_key(backend: Workspace) -> None:
    columns = ["rep_id", "occurred_on", "kind", "count", "opp_id"]
    day = dt.date(2017, 5, 2)
    upsert(backend, "activities", columns, [
        ("r1", day, "call", 3, ""),
        ("r1", day, "email", 5, ""),
        ("r1", day, "call", 1, "o7"),
    ])

    # Only the first row matches a stored key in all four columns: the others differ
    # from stored rows in one key column each (rep_id, occurred_on, kind, opp_id).
    count = upsert(backend, "activities", columns, [
        ("r1", day, "call", 4, ""),
        ("r2", day, "call", 2, ""),
        ("r1", dt.date(2017, 5, 3), "call", 6, ""),
        ("r1", day, "meeting", 1, ""),
        ("r1", day, "call", 9, "o8"),
    ])

    assert count == UpsertCount(inserted=4, updated=1)
    assert table_count(backend, "activities") == 7
    assert select_rows(
        backend,
        "SELECT count FROM activities WHERE rep_id = 'r1' AND occurred_on = '2017-05-02' "
        "AND kind = 'call' AND opp_id = ''",
    ) == [(4,)]


def test_upsert_timestamp_key(backend: Workspace) -> None:
    columns = ["opp_id", "stage", "entered_at", "entered_on", "entered_raw"]
    first = dt.datetime(2017, 3, 1, 9, 30)
    second = dt.datetime(2017, 3, 1, 9, 31)
    upsert(backend, "stage_changes", columns, [("o1", "Engaging", first, first.date(), "2017-03-01T09:30")])

    # The same stage one minute later is another row, the same moment an update.
    count = upsert(backend, "stage_changes", columns, [
        ("o1", "Engaging", first, first.date(), "2017-03-01 09:30"),
        ("o1", "Engaging", second, second.date(), "2017-03-01 09:31"),
    ])

    assert count == UpsertCount(inserted=1, updated=1)
    assert select_rows(backend, "SELECT entered_at, entered_raw FROM stage_changes ORDER BY entered_at") == [
        ("2017-03-01 09:30:00", "2017-03-01 09:30"),
        ("2017-03-01 09:31:00", "2017-03-01 09:31"),
    ]


def test_upsert_subsecond_timestamps(backend: Workspace) -> None:
    columns = ["opp_id", "stage", "entered_at"]
    whole = dt.datetime(2017, 3, 1, 9, 30)
    fraction = dt.datetime(2017, 3, 1, 9, 30, 0, 750000)

    # Two moments within one second are two keys on every backend, SQLite included.
    count = upsert(backend, "stage_changes", columns, [("o1", "Engaging", whole), ("o1", "Engaging", fraction)])

    assert count == UpsertCount(inserted=2, updated=0)
    assert select_rows(backend, "SELECT entered_at FROM stage_changes ORDER BY entered_at") == [
        ("2017-03-01 09:30:00",),
        ("2017-03-01 09:30:00.750000",),
    ]


# --- Large batches -----------------------------------------------------------------------


def test_upsert_large_batch(backend: Workspace) -> None:
    # DuckDB loads batches above 1000 rows through Arrow, the other backends row by row.
    columns = ["opp_id", "rep_id", "status", "amount", "created_on", "modified_at", "unpriced"]
    created = dt.date(2017, 1, 1)
    modified = dt.datetime(2017, 1, 2, 8, 0)
    rows = [(f"o{i:04d}", f"r{i % 7}", "Won", i * 100, created, modified, i % 2 == 0) for i in range(1500)]

    first = upsert(backend, "opportunities", columns, rows)
    second = upsert(backend, "opportunities", columns, rows[:1200] + [("o9999", "r1", "Open", 5, created, modified, False)])

    assert first == UpsertCount(inserted=1500, updated=0)
    assert second == UpsertCount(inserted=1, updated=1200)
    assert table_count(backend, "opportunities") == 1501
    assert select_rows(backend, "SELECT SUM(amount) FROM opportunities")[0][0] == sum(range(1500)) * 100 + 5
    assert select_rows(backend, "SELECT created_on, modified_at FROM opportunities WHERE opp_id = 'o1499'") == [
        ("2017-01-01", "2017-01-02 08:00:00"),
    ]


def test_upsert_bool_column(backend: Workspace) -> None:
    upsert(backend, "opportunity_flags", ["opp_id", "flag", "value"], [
        ("o1", "used_sales_engineer", True),
        ("o1", "used_partner", False),
    ])

    rows = backend.execute("SELECT flag, value FROM opportunity_flags ORDER BY flag")

    # SQLite stores booleans as 1 and 0, which compare equal to True and False.
    assert [(flag, bool(value)) for flag, value in rows] == [
        ("used_partner", False),
        ("used_sales_engineer", True),
    ]


# --- Invalid requests --------------------------------------------------------------------


def test_upsert_unknown_column(backend: Workspace) -> None:
    with pytest.raises(ValueError, match=r"unknown columns \['nickname'\] for table reps"):
        upsert(backend, "reps", ["rep_id", "nickname"], [("r1", "Al")])


def test_upsert_missing_key_column(backend: Workspace) -> None:
    with pytest.raises(ValueError, match=r"lack key columns \['kind', 'opp_id'\]"):
        upsert(backend, "activities", ["rep_id", "occurred_on", "count"], [("r1", dt.date(2017, 5, 2), 1)])


def test_upsert_unknown_table(backend: Workspace) -> None:
    with pytest.raises(KeyError):
        upsert(backend, "deals", ["opp_id"], [("o1",)])


def test_upsert_failure_keeps_stored_rows(backend: Workspace) -> None:
    upsert(backend, "reps", ["rep_id", "name"], [("r1", "Ana Lima")])

    # Two rows with one key violate the staging table's primary key, so nothing is written.
    with pytest.raises(DRIVER_ERRORS):
        upsert(backend, "reps", ["rep_id", "name"], [("r1", "Ana"), ("r1", "Ana L."), ("r2", "Ben Ode")])

    assert backend.execute("SELECT rep_id, name FROM reps") == [("r1", "Ana Lima")]
