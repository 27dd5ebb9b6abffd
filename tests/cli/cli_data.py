"""Write a small generic-import folder: one team of three reps with a year of deals up to 2017-06-30.

Rita Ng wins 10 of 14 closed deals and has 5 open; Sam Ode wins 3 of 9 and
has 2 open; Nina Park started on 2017-05-15, so she is ramping on 2017-06-30.
Every rep has an annual FY2017 quota.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

AS_OF = "2017-06-30"


def _deals(rep_id: str, won: int, lost: int, open_count: int, amount: int) -> list[str]:
    rows = []
    start = dt.date(2016, 8, 1)
    for index in range(won + lost):
        close = start + dt.timedelta(days=index * 23)
        created = close - dt.timedelta(days=40)
        status = "won" if index < won else "lost"
        rows.append(f"{rep_id}-{index},{rep_id},{status},{amount + index * 100},{created},{close},"
                    f"{'Won' if status == 'won' else 'Lost'},Account {index},Deal {index},")
    for index in range(open_count):
        created = dt.date(2017, 4, 1) + dt.timedelta(days=index * 9)
        rows.append(f"{rep_id}-open-{index},{rep_id},open,{amount * 2},{created},2017-08-31,Proposal,"
                    f"Account {index},Open deal {index},Send the proposal")
    return rows


def write_generic_folder(folder: Path) -> Path:
    """Write the CSV files into folder (created if needed) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "teams.csv").write_text("team,parent_team,manager\nWest,,lee@example.com\n")
    (folder / "reps.csv").write_text(
        "rep_id,name,team,start_date\n"
        "r1,Rita Ng,West,2015-01-01\n"
        "r2,Sam Ode,West,2015-01-01\n"
        "r3,Nina Park,West,2017-05-15\n"
    )
    (folder / "stages.csv").write_text(
        "stage,position,is_qualified,kind,exit_criteria\n"
        "Prospect,1,false,open,\n"
        "Proposal,2,true,open,buyer agreed the proposal date\n"
        "Won,3,true,won,\n"
        "Lost,3,true,lost,\n"
    )
    header = "opp_id,rep_id,status,amount,created_on,close_on,stage,account,name,next_step"
    rows = _deals("r1", 10, 4, 5, 10000) + _deals("r2", 3, 6, 2, 8000) + _deals("r3", 0, 0, 1, 5000)
    (folder / "opportunities.csv").write_text("\n".join([header, *rows]) + "\n")
    (folder / "quotas.csv").write_text(
        "rep_id,starts_on,ends_on,amount\n"
        "r1,2017-01-01,2017-12-31,100000\n"
        "r2,2017-01-01,2017-12-31,200000\n"
        "r3,2017-01-01,2017-12-31,100000\n"
    )
    return folder
