"""Worked examples of March 2026 wage statements, every amount computed by hand in the comments
from the 2026 data: minimum wage 10,320 KRW, monthly standard hours 209, premiums +50 % (night,
overtime, holiday up to 8 h) and +100 % (holiday beyond 8 h) at workplaces of 5 or more; worker
shares pension 4.75 % of pay truncated to 1,000 KRW, health 3.595 %, long-term care 13.14 % of
the health share, employment 0.9 %, each truncated below 10 KRW.

March 2026 starts on a Sunday; the hourly contracts start Monday 2 March (the monthly ones on
the 1st, so that the month is paid whole), so the Monday-to-Sunday
weeks ending in March are 2-8, 9-15, 16-22 and 23-29 (30 and 31 March belong to a week ending in
April, whose weekly holiday is April's).
"""

from __future__ import annotations

from datetime import date

import pytest

from blockcity.services.labor import ContractDraft, FormKind, NoRulesForYear
from blockcity.services.wages import (
    EmployerEntered,
    InvalidStatementInput,
    PayPeriod,
    WageStatement,
    compute_statement,
)
from tests.services.labor.drafts import complete, per_weekday
from tests.services.wages.shifts import Shift, insurance, on, shift

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
NO_TAX = EmployerEntered(income_tax=0, local_income_tax=0)


def contract(form: FormKind = FormKind.REGULAR, **changes: object) -> ContractDraft:
    return ContractDraft.parse(complete(form, **({"allowances": []} | changes)))


def march(
    draft: ContractDraft,
    shifts: list[Shift],
    age: int,
    *,
    taxes: EmployerEntered = NO_TAX,
    age_at_hire: int | None = None,
) -> WageStatement:
    return compute_statement(
        draft,
        shifts,
        PayPeriod.month(2026, 3, draft),
        insurance(draft, age, age_at_hire),
        taxes,
        2026,
    )


def amounts(statement: WageStatement) -> dict[str, int]:
    return {i.code: i.amount for i in statement.pay_items} | {
        d.code: d.amount for d in statement.deductions
    }


def test_four_day_part_timer_under_15_hours_gets_no_weekly_holiday_pay() -> None:
    draft = contract(
        FormKind.SHORT_TIME,
        headcount=3,
        schedule=per_weekday(["mon", "tue", "wed", "thu"], "10:00", "13:30", 0),
    )
    statement = march(draft, on([MON, TUE, WED, THU], "10:00", "13:30"), age=22)
    # 18 days (Mon-Thu from 2 March, plus Mon 30 and Tue 31) x 3.5 h = 63 h.
    # base 63 x 10,320 = 650,160; 4 x 3.5 = 14 h a week < 15: no weekly holiday pay.
    # Pension: 14 h a week is short-time, but 14 x 4.345 = 60.83 h a month >= 60 and the
    # contract is open-ended, so it applies: 650,000 x 4.75 % = 30,875 -> 30,870.
    # Health and long-term care: short-time, excluded. Employment: open-ended (3 months or
    # more), covered: 650,160 x 0.9 % = 5,851.44 -> 5,850.
    assert amounts(statement) == {
        "base": 650_160,
        "weekly_holiday": 0,
        "national_pension": 30_870,
        "health": 0,
        "long_term_care": 0,
        "employment": 5_850,
        "income_tax": 0,
        "local_income_tax": 0,
    }
    assert statement.total_pay == 650_160
    assert statement.total_deductions == 36_720  # 30,870 + 5,850
    assert statement.net_pay == 613_440  # 650,160 - 36,720
    assert statement.item("base").minutes == 63 * 60  # type: ignore[union-attr]


def test_five_day_part_timer_over_15_hours_is_paid_weekly_holiday_for_full_weeks() -> None:
    draft = contract(FormKind.SHORT_TIME, headcount=3)  # Mon-Fri 10:00-14:30, 30 min break
    shifts = [
        s for s in on([MON, TUE, WED, THU, FRI], "10:00", "14:30", 30) if s.day != date(2026, 3, 18)
    ]
    statement = march(draft, shifts, age=25)
    # 22 weekdays from 2 March less the absence on Wed 18 March = 21 days x 4 h = 84 h.
    # base 84 x 10,320 = 866,880.
    # Weekly holiday: 20 h / 40 x 8 = 4 h a week, for the fully attended weeks ending 8, 15
    # and 29 March (the week of the 18th had an absence): 3 x 4 x 10,320 = 123,840.
    # total 866,880 + 123,840 = 990,720.
    # Pension 990,000 x 4.75 % = 47,025 -> 47,020; health 990,720 x 3.595 % = 35,616.38
    # -> 35,610; care 35,610 x 13.14 % = 4,679.15 -> 4,670; employment 990,720 x 0.9 %
    # = 8,916.48 -> 8,910. Deductions 96,210; net 894,510.
    assert amounts(statement) == {
        "base": 866_880,
        "weekly_holiday": 123_840,
        "national_pension": 47_020,
        "health": 35_610,
        "long_term_care": 4_670,
        "employment": 8_910,
        "income_tax": 0,
        "local_income_tax": 0,
    }
    assert statement.total_pay == 990_720
    assert statement.net_pay == 894_510
    assert statement.item("weekly_holiday").minutes == 12 * 60  # type: ignore[union-attr]


def _full_timer_month() -> list[Shift]:
    # Mon-Fri 09:00-18:00 with an hour's break; Thursday 12 March runs to 23:00 (13 h of
    # work: 5 h overtime, 22:00-23:00 at night); Sunday 15 March, the weekly holiday, 10:00-20:00
    # with an hour's break (9 h of holiday work: 8 h, then 1 h beyond 8).
    shifts = [
        s for s in on([MON, TUE, WED, THU, FRI], "09:00", "18:00", 60) if s.day != date(2026, 3, 12)
    ]
    return [
        *shifts,
        shift(date(2026, 3, 12), "09:00", "23:00", 60),
        shift(date(2026, 3, 15), "10:00", "20:00", 60),
    ]


FULL_TIMER_TAXES = EmployerEntered(income_tax=45_000, local_income_tax=4_500)


def test_full_timer_at_a_workplace_of_five_or_more_is_paid_every_premium() -> None:
    draft = contract(
        headcount=12,
        wage={"kind": "monthly", "amount": 2_300_000},
        period={"start": "2026-03-01", "end": None},
        allowances=[{"name": "식대", "amount": 200_000}],
    )
    statement = march(draft, _full_timer_month(), age=30, taxes=FULL_TIMER_TAXES)
    # Ordinary hourly wage 2,300,000 / 209 = 11,004.78...
    # overtime 5 h x 150 % = 7.5 x 2,300,000 / 209 = 17,250,000 / 209 = 82,535.89 -> 82,536
    # holiday 8 h x 150 % + 1 h x 200 % = 14 x 2,300,000 / 209 = 154,066.99 -> 154,067
    # night 1 h x 50 % = 1,150,000 / 209 = 5,502.39 -> 5,503
    # total 2,300,000 + 82,536 + 154,067 + 5,503 + 200,000 = 2,742,106
    # Pension 2,742,000 x 4.75 % = 130,245 -> 130,240; health 2,742,106 x 3.595 % = 98,578.71
    # -> 98,570; care 98,570 x 13.14 % = 12,952.10 -> 12,950; employment 2,742,106 x 0.9 %
    # = 24,678.95 -> 24,670; taxes as entered 45,000 + 4,500.
    # Deductions 315,930; net 2,742,106 - 315,930 = 2,426,176.
    assert amounts(statement) == {
        "base": 2_300_000,
        "overtime": 82_536,
        "holiday": 154_067,
        "night": 5_503,
        "allowance": 200_000,
        "national_pension": 130_240,
        "health": 98_570,
        "long_term_care": 12_950,
        "employment": 24_670,
        "income_tax": 45_000,
        "local_income_tax": 4_500,
    }
    assert statement.total_pay == 2_742_106
    assert statement.total_deductions == 315_930
    assert statement.net_pay == 2_426_176
    hours = {i.code: i.minutes for i in statement.pay_items if i.minutes is not None}
    assert hours == {"overtime": 300, "holiday": 540, "night": 60}
    assert statement.premiums_apply


def test_the_same_month_at_a_four_person_shop_pays_the_extra_hours_without_premiums() -> None:
    draft = contract(
        headcount=4,
        wage={"kind": "monthly", "amount": 2_300_000},
        period={"start": "2026-03-01", "end": None},
        allowances=[{"name": "식대", "amount": 200_000}],
    )
    statement = march(
        draft,
        _full_timer_month(),
        age=30,
        taxes=EmployerEntered(income_tax=40_000, local_income_tax=4_000),
    )
    # Under 5 employees no premium applies (LSA Decree Art. 7), but the hours beyond the
    # monthly wage's are still paid at 100 %:
    # 5 h beyond 8 a day: 5 x 2,300,000 / 209 = 55,023.92 -> 55,024
    # 9 h on the weekly holiday: 9 x 2,300,000 / 209 = 99,043.06 -> 99,044; no night premium.
    # total 2,300,000 + 55,024 + 99,044 + 200,000 = 2,654,068
    # Pension 2,654,000 x 4.75 % = 126,065 -> 126,060; health 2,654,068 x 3.595 % = 95,413.74
    # -> 95,410; care 95,410 x 13.14 % = 12,536.87 -> 12,530; employment 2,654,068 x 0.9 %
    # = 23,886.61 -> 23,880; taxes 40,000 + 4,000. Deductions 301,880; net 2,352,188.
    assert amounts(statement) == {
        "base": 2_300_000,
        "overtime": 55_024,
        "holiday": 99_044,
        "allowance": 200_000,
        "national_pension": 126_060,
        "health": 95_410,
        "long_term_care": 12_530,
        "employment": 23_880,
        "income_tax": 40_000,
        "local_income_tax": 4_000,
    }
    assert statement.net_pay == 2_352_188
    assert not statement.premiums_apply
    assert statement.item("night") is None


def test_a_66_year_old_new_hire_pays_no_pension_and_no_employment_insurance() -> None:
    draft = contract(headcount=8, wage={"kind": "hourly", "amount": 10_500})
    # 22 weekdays x 8 h = 176 h: base 176 x 10,500 = 1,848,000.
    # Weekly holiday 40 / 40 x 8 = 8 h for each of the 4 full weeks: 32 x 10,500 = 336,000.
    # total 2,184,000.
    # Pension: 66 is past the workplace-member age (under 60): none. Employment: hired at 66,
    # 65 or older, so no unemployment part and no worker share. Health 2,184,000 x 3.595 %
    # = 78,514.80 -> 78,510; care 78,510 x 13.14 % = 10,316.21 -> 10,310.
    # Taxes 20,000 + 2,000. Deductions 110,820; net 2,073,180.
    taxes = EmployerEntered(income_tax=20_000, local_income_tax=2_000)
    statement = march(
        draft, on([MON, TUE, WED, THU, FRI], "09:00", "18:00", 60), age=66, taxes=taxes
    )
    assert amounts(statement) == {
        "base": 1_848_000,
        "weekly_holiday": 336_000,
        "national_pension": 0,
        "health": 78_510,
        "long_term_care": 10_310,
        "employment": 0,
        "income_tax": 20_000,
        "local_income_tax": 2_000,
    }
    assert statement.net_pay == 2_073_180
    assert "60" in statement.deduction("national_pension").method_en  # type: ignore[union-attr]
    assert "65" in statement.deduction("employment").method_en  # type: ignore[union-attr]


def test_a_worker_under_60_hours_a_month_has_no_insurance_and_is_paid_for_extra_hours() -> None:
    draft = contract(
        FormKind.SHORT_TIME,
        headcount=6,
        period={"start": "2026-03-02", "end": "2026-03-27"},
        schedule=per_weekday(["tue", "thu"], "18:00", "21:00", 0),
    )
    shifts = [
        s
        for s in on([TUE, THU], "18:00", "21:00")
        if s.day <= date(2026, 3, 27) and s.day != date(2026, 3, 26)
    ]
    shifts.append(shift(date(2026, 3, 26), "18:00", "22:30", 30))
    statement = march(draft, shifts, age=20)
    # 6 h a week (26.07 h a month) from 2 to 27 March. Eight evenings, 3 h each within the
    # contract: base 24 x 10,320 = 247,680. On Thursday 26 March 4 h of work (4.5 h less a
    # 30 min break): 1 h beyond the contract's 3, paid +50 % at a workplace of 6 (Fixed-term
    # Act Art. 6(3)): 1 x 10,320 x 150 % = 15,480; and 22:00-22:30 is night: 0.5 x 10,320 x
    # 50 % = 2,580. 6 h a week: no weekly holiday pay. total 265,740.
    # Insurance: short-time (< 60 h a month) for under a month: pension, health and employment
    # all excluded. Net 265,740.
    assert amounts(statement) == {
        "base": 247_680,
        "weekly_holiday": 0,
        "excess": 15_480,
        "night": 2_580,
        "national_pension": 0,
        "health": 0,
        "long_term_care": 0,
        "employment": 0,
        "income_tax": 0,
        "local_income_tax": 0,
    }
    assert statement.net_pay == 265_740


def test_missing_income_tax_is_refused_and_zero_is_accepted() -> None:
    with pytest.raises(InvalidStatementInput) as refused:
        EmployerEntered.parse({"local_income_tax": 0})
    assert "income_tax" in refused.value.message_en
    assert EmployerEntered.parse({"income_tax": 0, "local_income_tax": 0}).income_tax == 0


def test_a_year_without_rules_is_a_clear_error() -> None:
    draft = contract()
    period = PayPeriod(start=date(2031, 3, 1), end=date(2031, 3, 31), pay_date=date(2031, 4, 10))
    with pytest.raises(NoRulesForYear):
        compute_statement(draft, [], period, insurance(draft, 30), NO_TAX, 2031)
