"""Inputs at the edge: analysis dates, team names and settings."""

import pytest

from rasr.engine.periods import parse_date
from rasr.engine.settings import SettingError, parse_setting


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01"])
def test_as_of_outside_calendar_rejected(text):
    with pytest.raises(ValueError, match="expected a day from 1900-01-01 to 2999-12-31"):
        parse_date(text)


def test_as_of_impossible_day_rejected():
    with pytest.raises(ValueError, match="expected an existing day"):
        parse_date("2017-02-30")


@pytest.mark.parametrize("value", ["inf,1,1,1,1,1,1,1,1,1,1,1", "0,0,0,0,0,0,0,0,0,0,0,0"])
def test_seasonality_needs_finite_positive_sum(value):
    with pytest.raises(SettingError, match="finite non-negative numbers with a positive sum"):
        parse_setting("seasonality", value)


def test_float_setting_rejects_infinity():
    with pytest.raises(SettingError, match="cycle_tolerance"):
        parse_setting("cycle_tolerance", "inf")


def test_reason_names_the_question_behind():
    from decimal import Decimal

    from rasr.engine.decision import Answer, Driver, route

    # Quota met (284%), personal goal missed at 71%: the reason names the personal goal.
    quota = Answer("yes", Decimal(284), Decimal(100))
    aspiration = Answer("no", Decimal(71), Decimal(100))
    outlook = Answer("yes", Decimal(2), Decimal(1))
    drivers = [Driver("start_enough", 5, 10, False), Driver("with_enough", 10, 5, True),
               Driver("fast_enough", 30, 40, True)]
    routing = route(ramping=False, start_date=None, quota=quota, aspiration=aspiration, outlook=outlook,
                    active_in_lookback=3, drivers=drivers, ramp_days=90)
    assert routing.reason.startswith("behind on personal goal (71%), with process gaps")
