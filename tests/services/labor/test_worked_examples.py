"""Worked examples of the 2026 contract check, each amount computed by hand in a comment."""

from __future__ import annotations

import pytest

from blockcity.services.labor import (
    ContractCheck,
    Finding,
    FormKind,
    LaborRules,
    RulesYearMismatch,
    Severity,
    check_contract,
)
from tests.services.labor.drafts import draft, full_week, per_weekday


def _finding(check: ContractCheck, code: str) -> Finding:
    matches = [f for f in check.findings if f.code == code]
    assert len(matches) == 1, check.codes()
    return matches[0]


def test_part_timer_12_hours_a_week_is_lawful_and_earns_no_weekly_holiday(
    rules: LaborRules,
) -> None:
    # 4 days x 3 h = 12 h a week < 15 h: no weekly holiday (LSA Art. 18(3)), so the weekly
    # holiday and annual leave items are not required; 3 h a day needs no break (< 4 h).
    check = check_contract(
        draft(
            FormKind.SHORT_TIME,
            schedule=per_weekday(["mon", "tue", "wed", "thu"], "10:00", "13:00", 0),
            weekly_holiday=None,
            annual_leave=None,
        ),
        rules,
    )
    assert check.ready_to_send, check.codes(Severity.ERROR)
    assert _finding(check, "weekly-holiday.not-owed").figures["weekly_minutes"] == 720
    assert _finding(check, "minimum-wage.met").figures["required_won"] == 10_320


def test_part_timer_20_hours_a_week_earns_4_weekly_holiday_hours(rules: LaborRules) -> None:
    # 5 days x (10:00-14:30 - 30 min) = 5 x 4 h = 20 h; 20 / 40 x 8 = 4 h;
    # 4 h x 10,320 = 41,280 KRW a week.
    check = check_contract(draft(FormKind.SHORT_TIME), rules)
    paid = _finding(check, "weekly-holiday.paid")
    assert paid.figures["holiday_hours"] == 4
    assert paid.figures["weekly_holiday_pay_won"] == 41_280
    assert "4시간 × 10,320원 = 주 41,280원" in paid.message_ko
    assert check.ready_to_send


def test_hourly_wage_below_2026_minimum_is_refused_with_the_shortfall(
    rules: LaborRules,
) -> None:
    # 10,320 - 9,000 = 1,320 KRW short per hour.
    check = check_contract(
        draft(FormKind.SHORT_TIME, wage={"kind": "hourly", "amount": 9_000}), rules
    )
    below = _finding(check, "minimum-wage.below")
    assert below.severity is Severity.ERROR
    assert below.figures["shortfall_won"] == 1_320
    assert "시간급 9,000원은 2026년 최저임금 10,320원보다 1,320원 적습니다" in below.message_ko
    assert not check.ready_to_send


def test_monthly_wage_of_exactly_209_hours_at_the_2026_minimum_is_lawful(
    rules: LaborRules,
) -> None:
    # 5 x (09:00-18:00 - 1 h) = 40 h + 8 h weekly holiday = 48 h; 48 x 365 / 7 / 12 = 208.57
    # -> 209 h; 209 x 10,320 = 2,156,880 KRW.
    check = check_contract(draft(wage={"kind": "monthly", "amount": 2_156_880}), rules)
    met = _finding(check, "minimum-wage.met")
    assert met.figures["monthly_hours"] == 209
    assert met.figures["required_won"] == 2_156_880
    assert "(40 + 8) × 365 ÷ 7 ÷ 12 ≈ 209" in met.message_ko
    assert check.ready_to_send


def test_monthly_wage_one_won_under_the_2026_minimum_is_refused(rules: LaborRules) -> None:
    # 2,156,880 - 2,156,879 = 1 KRW short.
    check = check_contract(draft(wage={"kind": "monthly", "amount": 2_156_879}), rules)
    below = _finding(check, "minimum-wage.below")
    assert below.figures["shortfall_won"] == 1
    assert not check.ready_to_send


def test_daily_wage_is_compared_on_the_longest_day(rules: LaborRules) -> None:
    # 09:00-18:00 - 1 h = 8 h; 8 x 10,320 = 82,560 KRW; 82,560 - 82,000 = 560 KRW short.
    check = check_contract(draft(wage={"kind": "daily", "amount": 82_000}), rules)
    assert _finding(check, "minimum-wage.below").figures["shortfall_won"] == 560


def test_nine_hour_day_with_a_30_minute_break_needs_an_hour(rules: LaborRules) -> None:
    # 09:00-18:00 is 9 h; minus 30 min = 8 h 30 min of work >= 8 h: at least 60 min (Art. 54).
    check = check_contract(draft(schedule=full_week("09:00", "18:00", 30)), rules)
    breaks = [f for f in check.findings if f.code == "break.too-short"]
    assert len(breaks) == 5
    assert breaks[0].figures == {
        "weekday": "mon",
        "worked_minutes": 510,
        "break_minutes": 30,
        "required_break_minutes": 60,
    }
    assert "휴게시간이 60분 이상 필요한데 30분만" in breaks[0].message_ko
    assert not check.ready_to_send


def test_sixty_hours_a_week_at_a_workplace_of_five_or_more_is_refused(
    rules: LaborRules,
) -> None:
    # 6 days x (08:00-19:00 - 1 h) = 6 x 10 h = 60 h > 40 + 12 = 52 h, 8 h over.
    schedule = per_weekday(["mon", "tue", "wed", "thu", "fri", "sat"], "08:00", "19:00", 60)
    check = check_contract(draft(schedule=schedule, headcount=5), rules)
    over = _finding(check, "hours.weekly-limit-exceeded")
    assert over.figures == {"weekly_minutes": 3_600, "limit_hours": 52}
    assert "8시간 넘습니다" in over.message_ko
    assert not check.ready_to_send


def test_sixty_hours_a_week_at_a_four_person_shop_is_outside_the_hours_rules(
    rules: LaborRules,
) -> None:
    # FACTS.md §1.6: Arts. 50, 53 and 56 do not apply below 5 employees (Decree Art. 7).
    schedule = per_weekday(["mon", "tue", "wed", "thu", "fri", "sat"], "08:00", "19:00", 60)
    hourly = {"kind": "hourly", "amount": 10_320}
    check = check_contract(
        draft(schedule=schedule, headcount=4, annual_leave=None, wage=hourly), rules
    )
    assert check.ready_to_send, check.codes(Severity.ERROR)
    assert _finding(check, "hours.small-workplace").severity is Severity.INFO
    assert "premiums.not-required" in check.codes(Severity.INFO)


def test_monthly_wage_counts_every_scheduled_hour_at_a_small_shop(rules: LaborRules) -> None:
    # 60 h + 8 h weekly holiday = 68 h; 68 x 365 / 7 / 12 = 295.48 -> 295 h;
    # 295 x 10,320 = 3,044,400 KRW; 3,044,400 - 2,300,000 = 744,400 KRW short.
    schedule = per_weekday(["mon", "tue", "wed", "thu", "fri", "sat"], "08:00", "19:00", 60)
    check = check_contract(draft(schedule=schedule, headcount=4, annual_leave=None), rules)
    below = _finding(check, "minimum-wage.below")
    assert below.figures["monthly_hours"] == 295
    assert below.figures["shortfall_won"] == 744_400


def test_overtime_within_52_hours_warns_and_prices_the_premium(rules: LaborRules) -> None:
    # 5 x (08:00-18:00 - 1 h) = 5 x 9 h = 45 h: 1 h a day over 8 -> 5 h overtime;
    # 5 h x 10,320 x 50 % = 25,800 KRW a week.
    check = check_contract(
        draft(schedule=full_week("08:00", "18:00", 60), wage={"kind": "hourly", "amount": 10_320}),
        rules,
    )
    overtime = _finding(check, "hours.overtime")
    assert overtime.severity is Severity.WARNING
    assert overtime.figures["overtime_minutes"] == 300
    assert overtime.figures["weekly_premium_won"] == 25_800
    assert check.ready_to_send


def test_night_shift_prices_the_night_premium_at_five_or_more(rules: LaborRules) -> None:
    # 3 x 22:00-04:00 with 30 min break: 6 h span in the night window each, 18 h a week;
    # 18 h x 10,320 x 50 % = 92,880 KRW a week at most.
    schedule = per_weekday(["mon", "tue", "wed"], "22:00", "04:00", 30)
    check = check_contract(
        draft(
            FormKind.SHORT_TIME,
            schedule=schedule,
        ),
        rules,
    )
    night = _finding(check, "premiums.night")
    assert night.figures["night_minutes"] == 1_080
    assert night.figures["weekly_premium_won"] == 92_880


def test_under_18_eight_hour_days_are_refused(rules: LaborRules) -> None:
    # 09:00-18:00 - 1 h = 8 h > 7 h a day on each of 5 days; 5 x 8 = 40 h > 35 h a week.
    check = check_contract(draft(FormKind.UNDER_18, schedule=full_week()), rules)
    assert check.codes(Severity.ERROR) == ["minor.daily-limit-exceeded"] * 5 + [
        "minor.weekly-limit-exceeded"
    ]


def test_under_18_seven_hour_days_are_lawful(rules: LaborRules) -> None:
    # 09:00-17:00 - 1 h = 7 h a day, 35 h a week: exactly the limit of LSA Art. 69.
    check = check_contract(draft(FormKind.UNDER_18), rules)
    assert check.ready_to_send, check.codes(Severity.ERROR)
    assert "minor.extension" in check.codes(Severity.INFO)


def test_under_18_without_guardian_consent_cannot_be_sent(rules: LaborRules) -> None:
    check = check_contract(draft(FormKind.UNDER_18, guardian_consent=None), rules)
    assert check.codes(Severity.ERROR) == ["missing.guardian_consent"]
    assert "친권자(후견인) 동의서" in check.errors[0].message_ko


def test_weekly_holiday_on_a_working_day_is_refused(rules: LaborRules) -> None:
    check = check_contract(draft(weekly_holiday="fri"), rules)
    assert check.codes(Severity.ERROR) == ["weekly-holiday.on-workday"]


def test_seven_working_days_leave_no_weekly_holiday(rules: LaborRules) -> None:
    every_day = per_weekday(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "09:00", "13:00", 30)
    check = check_contract(draft(schedule=every_day, weekly_holiday=None), rules)
    assert "weekly-holiday.no-day-off" in check.codes(Severity.ERROR)


def test_part_timer_premium_below_50_percent_is_refused_at_five_or_more(
    rules: LaborRules,
) -> None:
    check = check_contract(draft(FormKind.SHORT_TIME, excess_hours_premium_percent=20), rules)
    assert check.codes(Severity.ERROR) == ["part-time.excess-premium-too-low"]
    unstated = check_contract(draft(FormKind.SHORT_TIME, excess_hours_premium_percent=None), rules)
    assert unstated.codes(Severity.WARNING) == ["part-time.excess-premium-unstated"]
    small = check_contract(
        draft(FormKind.SHORT_TIME, excess_hours_premium_percent=20, headcount=3), rules
    )
    assert small.ready_to_send


def test_premiums_are_explained_at_five_or_more_only(rules: LaborRules) -> None:
    assert "premiums.owed" in check_contract(draft(headcount=5), rules).codes(Severity.INFO)
    small = check_contract(draft(headcount=4, annual_leave=None), rules)
    assert "premiums.owed" not in small.codes()
    assert "premiums.not-required" in small.codes(Severity.INFO)


def test_contract_running_into_next_year_warns_about_the_new_minimum(
    rules: LaborRules,
) -> None:
    check = check_contract(
        draft(FormKind.FIXED_TERM, period={"start": "2026-07-01", "end": "2027-06-30"}), rules
    )
    assert check.codes(Severity.WARNING) == ["minimum-wage.later-year"]


def test_rules_of_another_year_are_refused(rules: LaborRules) -> None:
    with pytest.raises(RulesYearMismatch):
        check_contract(draft(period={"start": "2025-12-01", "end": None}), rules)


def test_2025_contract_checks_against_the_2025_minimum() -> None:
    # 10,030 - 10,000 = 30 KRW short in 2025; in 2024 (9,860) the same wage is lawful.
    hourly = {"kind": "hourly", "amount": 10_000}
    in_2025 = draft(FormKind.SHORT_TIME, wage=hourly, period={"start": "2025-05-01"})
    check = check_contract(in_2025, LaborRules.for_year(2025))
    assert [f.figures["shortfall_won"] for f in check.errors] == [30]
    in_2024 = draft(FormKind.SHORT_TIME, wage=hourly, period={"start": "2024-05-01"})
    assert check_contract(in_2024, LaborRules.for_year(2024)).ready_to_send


def test_ready_to_send_is_part_of_the_serialized_check(rules: LaborRules) -> None:
    dumped = check_contract(draft(), rules).model_dump(mode="json")
    assert dumped["ready_to_send"] is True
    assert dumped["year"] == 2026
