"""The workspace schema: the canonical tables, created on first use.

Money columns hold integer minor units (cents). Timestamps are kept as
imported in a ``*_raw`` text column; the ``*_at`` column stores the same moment
as a local time in the business time zone, and ``*_on`` its calendar date,
which is what every duration uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasr.store.connection import Workspace

SCHEMA_VERSION = "1"

_TYPES = {
    "sqlite": {"text": "TEXT", "int": "BIGINT", "float": "REAL", "date": "DATE", "ts": "TIMESTAMP", "bool": "BOOLEAN",
               "bytes": "BLOB"},
    "duckdb": {"text": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "date": "DATE", "ts": "TIMESTAMP", "bool": "BOOLEAN",
               "bytes": "BLOB"},
    "postgres": {"text": "TEXT", "int": "BIGINT", "float": "DOUBLE PRECISION", "date": "DATE", "ts": "TIMESTAMP",
                 "bool": "BOOLEAN", "bytes": "BYTEA"},
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, kind) with kind a key of _TYPES
    key: tuple[str, ...]
    required: tuple[str, ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("teams", (("team", "text"), ("parent_team", "text"), ("manager", "text")), ("team",), ("team",)),
        Table(
            "reps",
            (("rep_id", "text"), ("name", "text"), ("email", "text"), ("team", "text"),
             ("start_date", "date"), ("end_date", "date")),
            ("rep_id",), ("rep_id", "name"),
        ),
        Table(
            "opportunities",
            (("opp_id", "text"), ("rep_id", "text"), ("status", "text"), ("amount", "int"),
             ("created_on", "date"), ("close_on", "date"), ("stage", "text"), ("account", "text"),
             ("name", "text"), ("product", "text"), ("currency", "text"), ("original_amount", "int"),
             ("next_step", "text"), ("source", "text"), ("modified_at", "ts"), ("unpriced", "bool")),
            ("opp_id",), ("opp_id", "rep_id", "status"),
        ),
        # Boolean resource columns of opportunities (e.g. used_sales_engineer), one row per value.
        Table("opportunity_flags", (("opp_id", "text"), ("flag", "text"), ("value", "bool")), ("opp_id", "flag")),
        Table(
            "stage_changes",
            (("opp_id", "text"), ("stage", "text"), ("entered_at", "ts"), ("entered_on", "date"),
             ("entered_raw", "text")),
            ("opp_id", "stage", "entered_at"), ("opp_id", "stage", "entered_at"),
        ),
        # from_rep_id, when the source records it, is the owner before the change.
        Table(
            "owner_changes",
            (("opp_id", "text"), ("changed_at", "ts"), ("changed_on", "date"), ("rep_id", "text"),
             ("changed_raw", "text"), ("from_rep_id", "text")),
            ("opp_id", "changed_at"), ("opp_id", "changed_at", "rep_id"),
        ),
        Table(
            "close_date_changes",
            (("opp_id", "text"), ("changed_at", "ts"), ("changed_on", "date"), ("close_on", "date"),
             ("changed_raw", "text")),
            ("opp_id", "changed_at"), ("opp_id", "changed_at", "close_on"),
        ),
        Table(
            "stages",
            (("stage", "text"), ("position", "int"), ("is_qualified", "bool"), ("kind", "text"),
             ("exit_criteria", "text")),
            ("stage",), ("stage", "position"),
        ),
        Table("quotas", (("rep_id", "text"), ("starts_on", "date"), ("ends_on", "date"), ("amount", "int")),
              ("rep_id", "starts_on", "ends_on"), ("rep_id", "starts_on", "ends_on", "amount")),
        Table("aspirations", (("rep_id", "text"), ("starts_on", "date"), ("ends_on", "date"), ("amount", "int")),
              ("rep_id", "starts_on", "ends_on"), ("rep_id", "starts_on", "ends_on", "amount")),
        # opp_id is '' for an activity not tied to an opportunity, so the key has no NULL.
        Table("activities", (("rep_id", "text"), ("occurred_on", "date"), ("kind", "text"), ("count", "int"),
                             ("opp_id", "text")),
              ("rep_id", "occurred_on", "kind", "opp_id"), ("rep_id", "occurred_on", "kind")),
        # valid_from is 0001-01-01 for a rate without a start date, so the key has no NULL.
        Table("rates", (("currency", "text"), ("rate", "float"), ("valid_from", "date")),
              ("currency", "valid_from"), ("currency", "rate")),
        Table(
            "coaching_sessions",
            (("session_id", "text"), ("rep_id", "text"), ("held_on", "date"), ("leader", "text"),
             ("conversation", "text"), ("focus", "text"), ("goal_metric", "text"), ("baseline", "float"),
             ("target", "float"), ("due_on", "date"), ("next_play", "text"), ("plan", "text"), ("notes", "text")),
            ("session_id",), ("session_id", "rep_id", "held_on"),
        ),
        Table("settings", (("key", "text"), ("value", "text")), ("key",), ("key", "value")),
        Table(
            "imports",
            (("import_id", "text"), ("started_at", "ts"), ("format", "text"), ("source", "text"),
             ("checksum", "text"), ("user_name", "text"), ("rows_read", "int"), ("inserted", "int"),
             ("updated", "int"), ("rejected", "int"), ("report", "text")),
            ("import_id",), ("import_id",),
        ),
        # The files of each applied import, byte for byte, with their SHA-256.
        Table(
            "import_files",
            (("import_id", "text"), ("name", "text"), ("checksum", "text"), ("size", "int"), ("encoding", "text"),
             ("content", "bytes")),
            ("import_id", "name"), ("import_id", "name", "checksum"),
        ),
    )
}

CANONICAL_TABLES = (
    "teams", "reps", "opportunities", "stage_changes", "owner_changes", "close_date_changes",
    "stages", "quotas", "aspirations", "activities", "rates",
)


# Tables that DuckDB creates without a primary key: those that grow with the number of deals. DuckDB
# keeps a primary key in an ART index, and keeping it up to date took longer than reading and checking
# the rows. Inserting 4.9M stage changes took 9 s with the key and under 3 s without it, and the commit
# took 12 s against 1 s. These are single runs of benchmarks/make_org.py's 1M-opportunity org on a
# 2-core machine shared with other work. The only writers of these tables, store.load.upsert and the
# staged import, delete the stored rows of each key they write and write each key once, so keys stay
# unique without the index.
UNKEYED_ON_DUCKDB = frozenset({
    "opportunities", "opportunity_flags", "stage_changes", "owner_changes", "close_date_changes", "activities",
})


def create_statement(table: Table, dialect: str, name: str | None = None) -> str:
    types = _TYPES[dialect]
    cols = ", ".join(f'"{col}" {types[kind]}' for col, kind in table.columns)
    if dialect == "duckdb" and table.name in UNKEYED_ON_DUCKDB:
        return f'CREATE TABLE IF NOT EXISTS "{name or table.name}" ({cols})'
    key = ", ".join(f'"{col}"' for col in table.key)
    return f'CREATE TABLE IF NOT EXISTS "{name or table.name}" ({cols}, PRIMARY KEY ({key}))'


def ensure_schema(workspace: Workspace) -> None:
    """Create any missing table and add any missing column; existing data is left alone."""
    existing = workspace.table_names()
    missing = [table for name, table in TABLES.items() if name not in existing]
    added = []
    for name in existing & set(TABLES):
        have = set(workspace.table(name).columns)
        added.extend((TABLES[name], col, kind) for col, kind in TABLES[name].columns if col not in have)
    if not missing and not added:
        return
    with workspace.transaction():
        for table, col, kind in added:
            workspace.execute(f'ALTER TABLE "{table.name}" ADD COLUMN "{col}" {_TYPES[workspace.dialect][kind]}')
        for table in missing:
            workspace.execute(create_statement(table, workspace.dialect))
        if "settings" not in existing:
            workspace.execute("INSERT INTO settings (key, value) VALUES (?, ?)", ("_schema_version", SCHEMA_VERSION))
