"""An import is applied whole or not at all."""

from __future__ import annotations

import pytest
from import_helpers import count, select

import rasr.importers.apply as apply_module
import rasr.importers.staged_apply as staged_apply
from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, import_generic
from rasr.store.load import upsert

TABLES = ("reps", "opportunities", "stage_changes", "quotas", "opportunity_flags", "imports", "settings")


def _snapshot(workspace) -> dict[str, list[tuple]]:
    return {table: sorted(select(workspace, f'SELECT * FROM "{table}"'), key=repr) for table in TABLES}


def _write_first_import(write) -> None:
    write("reps.csv", """
        rep_id,name
        r1,Rita
        """)
    write("opportunities.csv", """
        opp_id,rep_id,status,amount,used_sales_engineer
        o1,r1,open,100,yes
        """)
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-06-30,1000
        """)


def test_failure_while_writing_leaves_workspace_unchanged(workspace, folder, write, monkeypatch) -> None:
    _write_first_import(write)
    import_generic(workspace, folder, Settings())
    before = _snapshot(workspace)
    write("reps.csv", """
        rep_id,name
        r1,Rita Ng
        r2,Sam
        """)
    write("stage_changes.csv", """
        opp_id,stage,entered_at
        o1,Demo,2024-01-10
        """)

    def failing_upsert(workspace, table, columns, rows):
        # reps and opportunities are written first; stage_changes then fails.
        if table == "stage_changes":
            raise RuntimeError("disk full")
        return upsert(workspace, table, columns, rows)

    write_staged = staged_apply._write_table

    def failing_write_staged(workspace, staged, report):
        # A DuckDB workspace writes through its staging tables, not through upsert.
        if staged.table == "stage_changes":
            raise RuntimeError("disk full")
        return write_staged(workspace, staged, report)

    monkeypatch.setattr(apply_module, "upsert", failing_upsert)
    monkeypatch.setattr(staged_apply, "_write_table", failing_write_staged)
    with pytest.raises(ImportFailed, match="disk full") as failure:
        import_generic(workspace, folder, Settings())
    assert not failure.value.report.ok
    assert _snapshot(workspace) == before


def test_fatal_overlap_leaves_workspace_unchanged(workspace, folder, write) -> None:
    _write_first_import(write)
    import_generic(workspace, folder, Settings())
    before = _snapshot(workspace)
    write("reps.csv", """
        rep_id,name
        r2,Sam
        """)
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-06-01,2024-12-31,1000
        """)
    with pytest.raises(ImportFailed, match="overlap"):
        import_generic(workspace, folder, Settings())
    assert _snapshot(workspace) == before


def test_locked_settings_stored_at_first_import(workspace, folder, write) -> None:
    _write_first_import(write)
    import_generic(workspace, folder, Settings(business_timezone="Europe/Berlin"))
    stored = dict(select(workspace, "SELECT key, value FROM settings"))
    assert stored["business_timezone"] == "Europe/Berlin"
    assert stored["reporting_currency"] == "USD"


def test_changed_locked_setting_fatal(workspace, folder, write) -> None:
    _write_first_import(write)
    import_generic(workspace, folder, Settings(business_timezone="Europe/Berlin"))
    with pytest.raises(ImportFailed, match="business_timezone is 'UTC' for this import"):
        import_generic(workspace, folder, Settings())
    assert count(workspace, "imports") == 1
