"""Quota and aspiration rows of one rep must not overlap, in the file or against stored rows."""

from __future__ import annotations

import pytest
from import_helpers import count, select

from rasr.engine.settings import Settings
from rasr.importers import ImportFailed, import_generic


def test_overlap_within_file_fatal(workspace, folder, write) -> None:
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-06-30,1000
        r2,2024-01-01,2024-12-31,1000
        r1,2024-06-30,2024-12-31,1000
        """)
    with pytest.raises(ImportFailed) as failure:
        import_generic(workspace, folder, Settings())
    message = str(failure.value)
    # Rows 2 and 4 share 30 June (both ends are inclusive).
    assert "quotas.csv row 2 r1 2024-01-01..2024-06-30" in message
    assert "quotas.csv row 4 r1 2024-06-30..2024-12-31" in message
    assert count(workspace, "quotas") == 0


def test_adjacent_rows_do_not_overlap(workspace, folder, write) -> None:
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-07-01,2024-12-31,1000
        r1,2024-01-01,2024-06-30,1000
        """)
    report = import_generic(workspace, folder, Settings())
    assert report.ok
    assert count(workspace, "quotas") == 2


def test_row_inside_another_overlaps(workspace, folder, write) -> None:
    write("aspirations.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-12-31,1000
        r1,2024-02-01,2024-02-28,1000
        r1,2024-03-01,2024-03-31,1000
        """)
    with pytest.raises(ImportFailed, match="aspirations rows overlap for rep r1"):
        import_generic(workspace, folder, Settings())


def test_overlap_with_stored_row_fatal(workspace, folder, write) -> None:
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-06-30,1000
        """)
    import_generic(workspace, folder, Settings())
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-04-01,2024-09-30,1000
        """)
    with pytest.raises(ImportFailed) as failure:
        import_generic(workspace, folder, Settings())
    message = str(failure.value)
    assert "quotas.csv row 2 r1 2024-04-01..2024-09-30" in message
    assert "stored row r1 2024-01-01..2024-06-30" in message
    assert select(workspace, "SELECT starts_on, ends_on FROM quotas") == [("2024-01-01", "2024-06-30")]
    assert count(workspace, "imports") == 1


def test_same_key_updates_stored_row(workspace, folder, write) -> None:
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-06-30,1000
        """)
    import_generic(workspace, folder, Settings())
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-06-30,1500
        """)
    report = import_generic(workspace, folder, Settings())
    assert report.to_dict()["tables"]["quotas"]["updated"] == 1
    # 1500 dollars in cents.
    assert select(workspace, "SELECT amount FROM quotas") == [(150000,)]


def test_other_reps_rows_do_not_conflict(workspace, folder, write) -> None:
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-01-01,2024-12-31,1000
        """)
    import_generic(workspace, folder, Settings())
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r2,2024-01-01,2024-12-31,1000
        """)
    assert import_generic(workspace, folder, Settings()).ok


def test_quota_ending_before_start_rejected(workspace, folder, write) -> None:
    write("quotas.csv", """
        rep_id,starts_on,ends_on,amount
        r1,2024-06-01,2024-05-31,1000
        """)
    report = import_generic(workspace, folder, Settings())
    assert report.to_dict()["rejected"][0]["reason"] == (
        "ends_on '2024-05-31' in quotas.csv row 2 is before starts_on 2024-06-01; correct one of the two dates"
    )
