"""Turn the generated org and each chunk of deals into Arrow tables in the canonical layout."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rasr.generate import names
from rasr.generate.activities import KINDS, Activities
from rasr.generate.deals import EXIT_CRITERIA, STAGES, Deals
from rasr.generate.org import SECOND_CURRENCY, Org

TIMESTAMP = pa.timestamp("s")
RESOURCE_FLAG = "used_sales_engineer"
# A deal in SECOND_CURRENCY is priced at about this many reporting-currency units per unit.
SECOND_CURRENCY_PRICE = 1.08
# Times of day run from 08:00 to 18:00: the fraction of a day maps onto those ten hours.
WORKDAY_START_SECONDS = 8 * 3600
WORKDAY_SECONDS = 10 * 3600

SCHEMAS = {
    "teams": pa.schema([("team", pa.string()), ("parent_team", pa.string()), ("manager", pa.string())]),
    "reps": pa.schema([("rep_id", pa.string()), ("name", pa.string()), ("email", pa.string()),
                       ("team", pa.string()), ("start_date", pa.date32()), ("end_date", pa.date32()),
                       ("archetype", pa.string())]),
    "opportunities": pa.schema([
        ("opp_id", pa.string()), ("rep_id", pa.string()), ("status", pa.string()), ("amount", pa.int64()),
        ("created_on", pa.date32()), ("close_on", pa.date32()), ("stage", pa.string()), ("account", pa.string()),
        ("name", pa.string()), ("product", pa.string()), ("currency", pa.string()), ("next_step", pa.string()),
        ("source", pa.string()), ("modified_at", TIMESTAMP), (RESOURCE_FLAG, pa.bool_()),
    ]),
    "stage_changes": pa.schema([("opp_id", pa.string()), ("stage", pa.string()), ("entered_at", TIMESTAMP)]),
    "owner_changes": pa.schema([("opp_id", pa.string()), ("changed_at", TIMESTAMP), ("rep_id", pa.string())]),
    "close_date_changes": pa.schema([("opp_id", pa.string()), ("changed_at", TIMESTAMP),
                                     ("close_on", pa.date32())]),
    "stages": pa.schema([("stage", pa.string()), ("position", pa.int64()), ("is_qualified", pa.bool_()),
                         ("kind", pa.string()), ("exit_criteria", pa.string())]),
    "quotas": pa.schema([("rep_id", pa.string()), ("starts_on", pa.date32()), ("ends_on", pa.date32()),
                         ("amount", pa.int64())]),
    "activities": pa.schema([("rep_id", pa.string()), ("occurred_on", pa.date32()), ("kind", pa.string()),
                             ("count", pa.int64()), ("opp_id", pa.string())]),
    "rates": pa.schema([("currency", pa.string()), ("rate", pa.float64()), ("valid_from", pa.date32())]),
}
SCHEMAS["aspirations"] = SCHEMAS["quotas"]

# Tables written once from the org; the others are written chunk by chunk.
ORG_TABLES = ("teams", "reps", "stages", "quotas", "aspirations", "rates")
CHUNK_TABLES = ("opportunities", "stage_changes", "owner_changes", "close_date_changes", "activities")


def org_tables(org: Org) -> dict[str, pa.Table]:
    r = org.reps
    cal = org.calendar
    rows = {
        "teams": list(zip(*org.team_rows)),
        "reps": [r.rep_id, r.name, r.email, [org.team_names[t] for t in r.team.tolist()],
                 [cal.date_of(day) for day in r.start_day.tolist()],
                 [cal.date_of(day) if day < cal.days else None for day in r.end_day.tolist()], r.archetype],
        "stages": [list(STAGES), [1, 2, 3, 4, 5, 6, 6], [False, True, True, True, True, True, False],
                   ["open"] * 5 + ["won", "lost"], list(EXIT_CRITERIA)],
        "quotas": list(zip(*org.quota_rows)) or [[]] * 4,
        "aspirations": list(zip(*org.aspiration_rows)) or [[]] * 4,
        "rates": list(zip(*org.rate_rows)),
    }
    return {name: pa.Table.from_arrays([pa.array(list(column), type=field.type)
                                        for column, field in zip(columns, SCHEMAS[name])], schema=SCHEMAS[name])
            for name, columns in rows.items()}


class Encoder:
    """Convert day-number times to Arrow dates and timestamps, and numbers to prefixed ids."""

    def __init__(self, org: Org) -> None:
        self.epoch_day = org.calendar.epoch_day
        self.rep_ids = pa.array(org.reps.rep_id)

    def dates(self, times: np.ndarray) -> pa.Array:
        mask = np.isnan(times) if times.dtype.kind == "f" else None
        days = np.floor(np.nan_to_num(times)).astype(np.int32) + self.epoch_day
        return pa.array(days, type=pa.date32(), mask=mask)

    def timestamps(self, times: np.ndarray, groups: np.ndarray | None = None) -> pa.Array:
        """Convert times to timestamps; with groups (sorted by group, then time), each group's are distinct.

        Adding each row's rank within its group keeps the order and separates
        rows that fall in one second, which would otherwise share a key.
        """
        day = np.floor(times)
        seconds = ((day + self.epoch_day) * 86400 + WORKDAY_START_SECONDS
                   + np.floor((times - day) * WORKDAY_SECONDS)).astype(np.int64)
        if groups is not None and len(groups):
            starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
            sizes = np.diff(np.r_[starts, len(groups)])
            seconds += np.arange(len(groups)) - np.repeat(starts, sizes)
        return pa.array(seconds, type=TIMESTAMP)

    def reps(self, index: np.ndarray) -> pa.Array:
        return self.rep_ids.take(pa.array(index))


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _pick(words: tuple[str, ...], index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(words).take(pa.array(index, mask=mask))


def _accounts(rng: np.random.Generator, rep: np.ndarray) -> pa.Array:
    """Name each deal's account: every rep sells to about 30 accounts of their own, and deals repeat on them."""
    key = rep * 30 + rng.integers(0, 30, len(rep))
    words, kinds = len(names.ACCOUNT_WORDS), len(names.ACCOUNT_KINDS)
    base = pc.binary_join_element_wise(
        _pick(names.ACCOUNT_WORDS, key % words), _pick(names.ACCOUNT_KINDS, (key // words) % kinds), " ")
    series = key // (words * kinds)
    numbered = pc.binary_join_element_wise(base, pc.cast(pa.array(series + 1), pa.string()), " ")
    return pc.if_else(pa.array(series > 0), numbered, base)


def chunk_tables(rng: np.random.Generator, org: Org, deals: Deals, activities: Activities, first_number: int,
                 encode: Encoder) -> dict[str, pa.Table]:
    """Build the chunk's rows of every deal table; deal numbers start at first_number."""
    n = len(deals)
    opp_ids = ids("O", np.arange(first_number, first_number + n), 8)
    team = org.reps.team[deals.first_rep]
    second = rng.random(n) < org.team_second_currency[team]
    amount = np.where(second, np.round(deals.amount / SECOND_CURRENCY_PRICE / 100.0) * 100.0, deals.amount)
    missing_amount = np.isnan(amount)
    is_open = deals.status == 0
    next_step_index = deals.stage * 3 + rng.integers(0, 3, n)
    no_next_step = ~is_open | (rng.random(n) < 0.12)
    steps = tuple(step for stage_steps in names.NEXT_STEPS for step in stage_steps)
    account = _accounts(rng, deals.first_rep)
    product = _pick(tuple(p[0] for p in names.PRODUCTS), deals.product)
    close = np.where(is_open, deals.expected_close, deals.closed_at)

    opportunities = pa.Table.from_arrays([
        opp_ids,
        encode.reps(deals.rep),
        _pick(("open", "won", "lost"), deals.status),
        pa.array(np.nan_to_num(amount).astype(np.int64), mask=missing_amount),
        encode.dates(deals.created),
        encode.dates(close),
        _pick(STAGES, deals.stage),
        account,
        pc.binary_join_element_wise(account, product, " - "),
        product,
        pc.if_else(pa.array(second), SECOND_CURRENCY, "USD"),
        _pick(steps, np.minimum(next_step_index, len(steps) - 1), mask=no_next_step),
        _pick(names.SOURCES, deals.source),
        encode.timestamps(deals.last_event),
        pa.array(deals.sales_engineer),
    ], schema=SCHEMAS["opportunities"])

    stage_changes = pa.Table.from_arrays([
        opp_ids.take(pa.array(deals.event_deal)), _pick(STAGES, deals.event_stage),
        encode.timestamps(deals.event_time, deals.event_deal),
    ], schema=SCHEMAS["stage_changes"])

    moved = np.flatnonzero(~np.isnan(deals.owner_changed_at))
    owner_deal = np.r_[moved, moved]
    owner_changes = pa.Table.from_arrays([
        opp_ids.take(pa.array(owner_deal)),
        encode.timestamps(np.r_[deals.created[moved], deals.owner_changed_at[moved]]),
        encode.reps(np.r_[deals.first_rep[moved], deals.rep[moved]]),
    ], schema=SCHEMAS["owner_changes"])

    close_date_changes = pa.Table.from_arrays([
        opp_ids.take(pa.array(deals.push_deal)), encode.timestamps(deals.push_time), encode.dates(deals.push_close),
    ], schema=SCHEMAS["close_date_changes"])

    activity_opp = opp_ids.take(pa.array(activities.deal, mask=activities.deal < 0))
    activity_table = pa.Table.from_arrays([
        encode.reps(activities.rep), encode.dates(activities.day.astype(np.float64)), _pick(KINDS, activities.kind),
        pa.array(activities.count.astype(np.int64)), activity_opp,
    ], schema=SCHEMAS["activities"])

    return {"opportunities": opportunities, "stage_changes": stage_changes, "owner_changes": owner_changes,
            "close_date_changes": close_date_changes, "activities": activity_table}

