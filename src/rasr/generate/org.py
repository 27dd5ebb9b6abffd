"""The organisation of a generated data set: calendar, teams, reps with their archetype, quotas, goals and rates."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from rasr.generate import names
from rasr.generate.archetypes import ARCHETYPES, DEPARTED, DEPARTED_SHARE, NEW_HIRE, STEADY, Archetype

TEAM_SIZE = 10
# Quotas grow by this factor from one fiscal year to the next.
QUOTA_GROWTH = 1.08
# Quota rows run this many days past the end date, so the 90-day process horizon is covered.
QUOTA_DAYS_AFTER_END = 120
SECOND_CURRENCY = "EUR"
# Share of the deals of EMEA teams priced in SECOND_CURRENCY.
SECOND_CURRENCY_SHARE = 0.35


@dataclass(frozen=True)
class Calendar:
    """The generated days: day 0 is `start` and the last day is `end`. Amounts of time are in days."""

    start: dt.date
    end: dt.date
    fiscal_year_start_month: int

    @classmethod
    def for_years(cls, end: dt.date, years: float, fiscal_year_start_month: int) -> "Calendar":
        return cls(end - dt.timedelta(days=round(years * 365.25) - 1), end, fiscal_year_start_month)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    @property
    def epoch_day(self) -> int:
        """Day number of `start` counted from 1970-01-01, as Arrow dates are."""
        return (self.start - dt.date(1970, 1, 1)).days

    def fiscal_year(self, date: dt.date) -> tuple[dt.date, dt.date]:
        """Return the first and last day of the fiscal year containing date."""
        month = self.fiscal_year_start_month
        year = date.year if date.month >= month else date.year - 1
        return dt.date(year, month, 1), _add_months(dt.date(year, month, 1), 12) - dt.timedelta(days=1)

    def periods(self, first: dt.date, last: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
        """Return the fiscal periods of `months` months (12: years, 3: quarters) that overlap first..last."""
        start = self.fiscal_year(first)[0]
        result = []
        while start <= last:
            following = _add_months(start, months)
            if following > first:
                result.append((start, following - dt.timedelta(days=1)))
            start = following
        return result


def _add_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + date.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Reps:
    """One entry per rep, sorted by team, with selling parameters drawn from the archetype ranges."""

    rep_id: list[str]
    name: list[str]
    email: list[str]
    team: np.ndarray  # index into Org.team_names
    archetype: list[str]
    start_day: np.ndarray  # may be negative: hired before the data starts
    end_day: np.ndarray  # the last day employed; Calendar.days - 1 or later while still employed
    attainment: np.ndarray
    qualify_rate: np.ndarray
    win_rate: np.ndarray
    won_cycle: np.ndarray
    lost_cycle: np.ndarray
    yearly_growth: np.ndarray
    recent_boost: np.ndarray
    regression_share: np.ndarray
    size_median: np.ndarray  # median deal size in the reporting currency
    annual_quota: np.ndarray  # the quota of the fiscal year containing the end date
    activity_ratios: np.ndarray  # (reps, 3): calls, emails, meetings per new qualified opportunity

    def __len__(self) -> int:
        return len(self.rep_id)


ACTIVITY_KINDS = ("call", "email", "meeting")


@dataclass
class Org:
    calendar: Calendar
    team_names: list[str]
    team_rows: list[tuple[str, str | None, str]]  # team, parent_team, manager; parents included
    team_second_currency: np.ndarray  # per team: share of deals in SECOND_CURRENCY
    team_quota: np.ndarray  # per team: annual quota of the fiscal year containing the end date
    reps: Reps
    quota_rows: list[tuple[str, dt.date, dt.date, int]]
    aspiration_rows: list[tuple[str, dt.date, dt.date, int]]
    rate_rows: list[tuple[str, float, dt.date]]

    def team_ranges(self) -> list[tuple[int, int]]:
        """Return [first, last + 1) rep positions of each team, in team order."""
        bounds = np.flatnonzero(np.diff(self.reps.team)) + 1
        edges = [0, *bounds.tolist(), len(self.reps)]
        return list(zip(edges[:-1], edges[1:]))


def archetype_counts(rep_count: int) -> dict[str, int]:
    """Split rep_count over the archetypes by their shares (largest remainder), a few departed reps first."""
    departed = round(rep_count * DEPARTED_SHARE) if rep_count >= 20 else 0
    active = rep_count - departed
    exact = [archetype.share * active for archetype in ARCHETYPES]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: active - sum(counts)]:
        counts[i] += 1
    result = {archetype.name: count for archetype, count in zip(ARCHETYPES, counts)}
    result[DEPARTED] = departed
    return result


def _people(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    """Return count distinct (name, email) pairs, adding a middle initial once the first-last pairs run out."""
    plain = len(names.FIRST_NAMES) * len(names.LAST_NAMES)
    if count <= plain:
        keys = rng.choice(plain, size=count, replace=False)
    else:
        keys = np.concatenate([rng.permutation(plain), plain + rng.choice(plain * 25, count - plain, replace=False)])
    people = []
    for key in keys.tolist():
        first = names.FIRST_NAMES[key % len(names.FIRST_NAMES)]
        last = names.LAST_NAMES[(key // len(names.FIRST_NAMES)) % len(names.LAST_NAMES)]
        initial = key // plain
        if initial:
            letter = chr(ord("A") + initial - 1)
            people.append((f"{first} {letter}. {last}", f"{first}.{letter}.{last}@example.com".lower()))
        else:
            people.append((f"{first} {last}", f"{first}.{last}@example.com".lower()))
    return people


def _teams(rng: np.random.Generator, team_count: int) -> tuple[list[str], list[tuple[str, str | None, str]], np.ndarray]:
    """Name the teams after cities, under regions (and areas of 8 teams in large orgs) under one root."""
    per_region = [0] * len(names.REGIONS)
    placed = []
    for index in range(team_count):
        region = names.REGION_CYCLE[index % len(names.REGION_CYCLE)]
        placed.append((region, per_region[region]))
        per_region[region] += 1
    managers = iter(_people(rng, 1 + len(names.REGIONS) * 2 + team_count + sum(n // 8 + 1 for n in per_region)))
    rows: list[tuple[str, str | None, str]] = [(names.ROOT_TEAM, None, next(managers)[1])]
    for region, count in enumerate(per_region):
        if count:
            rows.append((names.REGIONS[region][0], names.ROOT_TEAM, next(managers)[1]))
        if count > 8:
            for area in range((count + 7) // 8):
                rows.append((f"{names.REGIONS[region][0]} Area {area + 1}", names.REGIONS[region][0], next(managers)[1]))
    team_names = []
    second_currency = np.zeros(team_count)
    for index, (region, position) in enumerate(placed):
        region_name, cities = names.REGIONS[region]
        city = cities[position % len(cities)]
        name = city if position < len(cities) else f"{city} {position // len(cities) + 1}"
        parent = region_name if per_region[region] <= 8 else f"{region_name} Area {position // 8 + 1}"
        rows.append((name, parent, next(managers)[1]))
        team_names.append(name)
        if region_name == "EMEA":
            second_currency[index] = SECOND_CURRENCY_SHARE
    return team_names, rows, second_currency


def _draw(rng: np.random.Generator, archetypes: list[Archetype], field: str) -> np.ndarray:
    low = np.array([getattr(a, field)[0] for a in archetypes])
    high = np.array([getattr(a, field)[1] for a in archetypes])
    return rng.uniform(low, high)


def build_org(rng: np.random.Generator, calendar: Calendar, rep_count: int) -> Org:
    """Lay out teams and reps, draw each rep's selling parameters, and write quotas, goals and rates."""
    team_count = math.ceil(rep_count / TEAM_SIZE)
    team_names, team_rows, second_currency = _teams(rng, team_count)
    team_quota = np.round(rng.uniform(0.9e6, 1.3e6, team_count), -4)
    team_size_median = rng.uniform(28_000, 36_000, team_count)

    # Archetypes in blocks, dealt round-robin into teams, so every team gets the same mix.
    labels = [name for name, count in archetype_counts(rep_count).items() for _ in range(count)]
    team = np.arange(rep_count) % team_count
    order = np.lexsort((rng.random(rep_count), team))
    team = team[order]
    labels = [labels[i] for i in order]
    archetypes = [STEADY if label == DEPARTED else next(a for a in ARCHETYPES if a.name == label) for label in labels]

    last_day = calendar.days - 1
    start_day = np.empty(rep_count, dtype=np.int64)
    end_day = np.full(rep_count, last_day + 10_000, dtype=np.int64)
    final_year_start = calendar.day_of(calendar.fiscal_year(calendar.end)[0])
    can_hire = last_day - 455 > 0
    for i, label in enumerate(labels):
        if label == NEW_HIRE.name:
            start_day[i] = last_day - rng.integers(10, 81)
        elif label == STEADY.name and can_hire and rng.random() < 0.25:
            start_day[i] = rng.integers(0, last_day - 455)
        else:
            start_day[i] = -rng.integers(100, 2500)
        if label == DEPARTED:
            latest = final_year_start - 30
            end_day[i] = rng.integers(120, latest) if latest > 120 else last_day - rng.integers(200, 400)

    people = _people(rng, rep_count)
    ids = rng.permutation(rep_count) + 1
    reps = Reps(
        rep_id=[f"R{number:05d}" for number in ids.tolist()],
        name=[person[0] for person in people],
        email=[person[1] for person in people],
        team=team,
        archetype=labels,
        start_day=start_day,
        end_day=end_day,
        attainment=_draw(rng, archetypes, "attainment"),
        qualify_rate=_draw(rng, archetypes, "qualify_rate"),
        win_rate=_draw(rng, archetypes, "win_rate"),
        won_cycle=_draw(rng, archetypes, "won_cycle_days"),
        lost_cycle=_draw(rng, archetypes, "lost_cycle_days"),
        yearly_growth=_draw(rng, archetypes, "yearly_growth"),
        recent_boost=np.array([a.recent_boost for a in archetypes]),
        regression_share=np.array([a.regression_share for a in archetypes]),
        size_median=team_size_median[team] * rng.uniform(0.9, 1.1, rep_count),
        annual_quota=team_quota[team],
        activity_ratios=np.array([[a.activities_per_qualified[k] for k in ACTIVITY_KINDS] for a in archetypes])
        * rng.uniform(0.85, 1.15, (rep_count, 1)),
    )
    quota_rows, aspiration_rows = _goal_rows(rng, calendar, reps)
    return Org(calendar, team_names, team_rows, second_currency, team_quota, reps, quota_rows, aspiration_rows,
               _rate_rows(rng, calendar))


def _goal_rows(rng: np.random.Generator, calendar: Calendar, reps: Reps) -> tuple[list, list]:
    """Draw annual quotas for about 60 % of reps and quarterly ones for the rest, and personal goals for about 40 %.

    A rep's rows never overlap. A row that starts at the hire date or ends at
    the leaving date is pro-rated by days.
    """
    final_year = calendar.fiscal_year(calendar.end)[0]
    last = calendar.end + dt.timedelta(days=QUOTA_DAYS_AFTER_END)
    quotas, aspirations = [], []
    for i in range(len(reps)):
        first = max(calendar.start, calendar.date_of(reps.start_day[i]))
        until = min(last, calendar.date_of(reps.end_day[i]))
        months = 12 if rng.random() < 0.6 else 3
        rows = []
        for start, end in calendar.periods(first, until, months):
            years_from_final = calendar.fiscal_year(start)[0].year - final_year.year
            full = reps.annual_quota[i] * QUOTA_GROWTH ** years_from_final * months / 12
            row_start, row_end = max(start, first), min(end, until)
            share = ((row_end - row_start).days + 1) / ((end - start).days + 1)
            rows.append((reps.rep_id[i], row_start, row_end, int(round(full * share, -2))))
        quotas.extend(rows)
        if reps.archetype[i] in (NEW_HIRE.name, DEPARTED) or rng.random() >= 0.4:
            continue
        # Top performers set goals they beat; the others set goals above what they book.
        stretch = rng.uniform(1.05, 1.15) if reps.attainment[i] > 1.4 else rng.uniform(1.1, 1.3)
        for start, end in calendar.periods(max(first, final_year - dt.timedelta(days=1)), calendar.end, 12):
            years_from_final = calendar.fiscal_year(start)[0].year - final_year.year
            amount = reps.annual_quota[i] * QUOTA_GROWTH ** years_from_final * stretch
            aspirations.append((reps.rep_id[i], start, end, int(round(amount, -3))))
    return quotas, aspirations


def _rate_rows(rng: np.random.Generator, calendar: Calendar) -> list[tuple[str, float, dt.date]]:
    """Monthly SECOND_CURRENCY rates to the reporting currency, a random walk from the month before the data."""
    rows = []
    month = _add_months(calendar.start.replace(day=1), -1)
    rate = 1.08
    while month <= calendar.end:
        rows.append((SECOND_CURRENCY, round(rate, 4), month))
        rate = float(np.clip(rate + rng.normal(0, 0.012), 0.95, 1.25))
        month = _add_months(month, 1)
    return rows
