"""The arithmetic under the check: weekly holiday hours, monthly hours, breaks, night and
overtime minutes."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from blockcity.services.labor import (
    LaborRules,
    monthly_standard_hours,
    night_minutes,
    overtime_minutes,
    required_break_minutes,
    weekly_holiday_hours,
)
from blockcity.services.labor.model import WeekdaySchedule, WorkDay

RULES = LaborRules.for_year(2026)
WEEK_MINUTES = 7 * 24 * 60


@given(st.integers(min_value=0, max_value=WEEK_MINUTES))
def test_weekly_holiday_hours_never_exceed_8_and_are_0_below_15_hours(minutes: int) -> None:
    hours = weekly_holiday_hours(minutes, RULES)
    assert 0 <= hours <= 8
    if minutes < 15 * 60:
        assert hours == 0
    else:
        assert hours == min(Fraction(minutes, 60) / 40 * 8, 8)


@given(st.integers(min_value=0, max_value=WEEK_MINUTES), st.integers(min_value=0, max_value=600))
def test_more_weekly_hours_never_lower_the_monthly_hours(minutes: int, more: int) -> None:
    assert monthly_standard_hours(minutes, RULES) <= monthly_standard_hours(minutes + more, RULES)


def test_weekly_holiday_hours_worked_examples() -> None:
    # 15 h: 15 / 40 x 8 = 3 h; 18 h: 3.6 h; 40 h: 8 h; 60 h: 12 h capped at 8 h; 14 h 59: 0.
    assert weekly_holiday_hours(15 * 60, RULES) == 3
    assert weekly_holiday_hours(18 * 60, RULES) == Fraction(18, 5)
    assert weekly_holiday_hours(40 * 60, RULES) == 8
    assert weekly_holiday_hours(60 * 60, RULES) == 8
    assert weekly_holiday_hours(15 * 60 - 1, RULES) == 0


def test_monthly_standard_hours_worked_examples() -> None:
    # (40 + 8) x 365 / 84 = 208.57 -> 209; (20 + 4) x 365 / 84 = 104.29 -> 104;
    # (30 + 6) x 365 / 84 = 156.43 -> 156; (12 + 0) x 365 / 84 = 52.14 -> 52.
    assert monthly_standard_hours(40 * 60, RULES) == 209
    assert monthly_standard_hours(20 * 60, RULES) == 104
    assert monthly_standard_hours(30 * 60, RULES) == 156
    assert monthly_standard_hours(12 * 60, RULES) == 52


def test_required_break_follows_article_54() -> None:
    assert required_break_minutes(239, RULES) == 0
    assert required_break_minutes(240, RULES) == 30
    assert required_break_minutes(479, RULES) == 30
    assert required_break_minutes(480, RULES) == 60
    assert required_break_minutes(720, RULES) == 60


def _day(start: str, end: str, break_minutes: int = 0) -> WorkDay:
    return WorkDay.model_validate({"start": start, "end": end, "break_minutes": break_minutes})


def test_night_minutes_count_the_span_inside_22_to_06() -> None:
    assert night_minutes(_day("22:00", "06:00", 60), RULES) == 480
    assert night_minutes(_day("23:00", "07:00"), RULES) == 420  # 23:00-06:00
    assert night_minutes(_day("18:00", "22:00"), RULES) == 0
    assert night_minutes(_day("05:00", "04:00"), RULES) == 420  # 05:00-06:00 + 22:00-04:00
    assert night_minutes(_day("00:00", "09:00"), RULES) == 360


@given(
    st.integers(min_value=0, max_value=24 * 60 - 1),
    st.integers(min_value=1, max_value=24 * 60),
)
def test_night_minutes_never_exceed_the_window_or_the_span(start: int, span: int) -> None:
    end = (start + span) % (24 * 60)
    day = _day(f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}")
    assert 0 <= night_minutes(day, RULES) <= min(day.span_minutes, 8 * 60 + 8 * 60)
    brute = sum(
        1 for m in range(start, start + day.span_minutes) if (m % 1440) >= 1320 or (m % 1440) < 360
    )
    assert night_minutes(day, RULES) == brute


def test_overtime_counts_days_over_8_then_weeks_over_40() -> None:
    # 6 x 8 h = 48 h: no day over 8, 8 h over 40 a week.
    six_days = WeekdaySchedule.model_validate(
        {
            "workdays": {
                d: {"start": "09:00", "end": "18:00", "break_minutes": 60}
                for d in ("mon", "tue", "wed", "thu", "fri", "sat")
            }
        }
    )
    assert overtime_minutes(six_days.days(), RULES) == 8 * 60
    # 4 x 11 h = 44 h: 3 h a day over 8 = 12 h; the 32 h left are under 40.
    four_days = WeekdaySchedule.model_validate(
        {
            "workdays": {
                d: {"start": "08:00", "end": "20:00", "break_minutes": 60}
                for d in ("mon", "tue", "wed", "thu")
            }
        }
    )
    assert overtime_minutes(four_days.days(), RULES) == 12 * 60
