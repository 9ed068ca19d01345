"""The labour law checked while a contract is drafted: pure functions from a draft and a year's
rules to findings in plain Korean and English. Errors block sending; warnings explain what the
employer must do or owes; infos give the worker's entitlements in figures.

Hours are kept in whole minutes and exact fractions, money in integer won; an amount the
employer owes is rounded up to the next won so that rounding never shorts the worker.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, computed_field

from blockcity.errors import InvalidInput
from blockcity.services.labor.model import (
    MINUTES_PER_DAY,
    ContractDraft,
    FormKind,
    RequiredItem,
    Severity,
    Wage,
    WageKind,
    Weekday,
    WorkDay,
)
from blockcity.services.labor.rules import Applies, LaborRules

Figure = int | float | str


class Finding(BaseModel):
    """One thing the check found, with the figures behind it."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message_ko: str
    message_en: str
    figures: dict[str, Figure]


class ContractCheck(BaseModel):
    """Every finding for one draft; it may be sent only when no finding is an error."""

    model_config = ConfigDict(frozen=True)

    form: FormKind
    year: int
    findings: tuple[Finding, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ready_to_send(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    def codes(self, severity: Severity | None = None) -> list[str]:
        return [f.code for f in self.findings if severity is None or f.severity is severity]


class RulesYearMismatch(InvalidInput):
    code = "labor-rules-year-mismatch"
    title_ko = "계약 연도와 기준 연도가 다릅니다"
    title_en = "The rules are for another year"


# --- computations --------------------------------------------------------------------------


def weekly_contract_minutes(days: Mapping[Weekday, WorkDay]) -> int:
    """Contractual working minutes a week: each day's span minus its break (LSA Art. 50)."""
    return sum(day.worked_minutes for day in days.values())


def weekly_holiday_hours(weekly_minutes: int, rules: LaborRules) -> Fraction:
    """Paid weekly-holiday hours: weekly hours / 40 x 8, at most 8, and none below 15 hours a
    week (LSA Art. 18(3), Art. 55; FACTS.md §1.5)."""
    holiday = rules.weekly_holiday
    weekly_hours = Fraction(weekly_minutes, 60)
    if weekly_hours < holiday.threshold_hours:
        return Fraction(0)
    paid = weekly_hours / holiday.full_time_weekly_hours * holiday.paid_hours_at_full_time
    return min(paid, Fraction(holiday.max_hours))


def monthly_standard_hours(weekly_minutes: int, rules: LaborRules) -> int:
    """Monthly hours for the minimum-wage test: (weekly hours + paid weekly-holiday hours)
    x 365 / 7 / 12, rounded to the nearest hour; (40 + 8) x 4.345 = 208.6 -> 209 (FACTS.md
    §1.4, the basis of the published monthly minimum wage)."""
    month = rules.month_conversion
    paid_weekly = Fraction(weekly_minutes, 60) + weekly_holiday_hours(weekly_minutes, rules)
    exact = paid_weekly * month.days_per_year / (month.days_per_week * month.months_per_year)
    return math.floor(exact + Fraction(1, 2))


def required_break_minutes(worked_minutes: int, rules: LaborRules) -> int:
    """The shortest lawful break for a day of ``worked_minutes`` (LSA Art. 54)."""
    return max(
        (
            rule.break_minutes
            for rule in rules.breaks.rules
            if worked_minutes >= rule.min_worked_minutes
        ),
        default=0,
    )


def night_minutes(day: WorkDay, rules: LaborRules) -> int:
    """Minutes of the day's span inside the night window (22:00-06:00, LSA Art. 56(3)). The
    contract does not place the break, so this is the most night work the day can hold."""
    start = day.start.hour * 60 + day.start.minute
    end = start + day.span_minutes
    night_start = rules.premiums.night_start.hour * 60 + rules.premiums.night_start.minute
    night_end = rules.premiums.night_end.hour * 60 + rules.premiums.night_end.minute
    night_length = (night_end - night_start) % MINUTES_PER_DAY
    # A span starts before midnight and lasts at most a day, so the windows that begin the
    # evening before, the same evening and the next evening cover every overlap.
    total = 0
    for offset in (-MINUTES_PER_DAY, 0, MINUTES_PER_DAY):
        window_start = night_start + offset
        overlap = min(end, window_start + night_length) - max(start, window_start)
        total += max(overlap, 0)
    return total


def overtime_minutes(days: Mapping[Weekday, WorkDay], rules: LaborRules) -> int:
    """Minutes beyond 8 a day, plus the minutes beyond 40 a week not already counted
    (LSA Arts. 50, 53, 56(1)); what the 50 % overtime premium is paid on."""
    daily_limit = rules.hours.statutory_daily * 60
    beyond_days = sum(max(day.worked_minutes - daily_limit, 0) for day in days.values())
    within_days = weekly_contract_minutes(days) - beyond_days
    return beyond_days + max(within_days - rules.hours.statutory_weekly * 60, 0)


def _owed(amount: Fraction) -> int:
    return math.ceil(amount)


def _hours(value: Fraction | int) -> float:
    """Hours as a JSON number, exact to the minute for display."""
    return round(float(value), 2)


def _h_ko(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}시간" + (f" {rest}분" if rest else "")


def _h_en(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


def _num(value: Fraction | int) -> str:
    """A count of hours in words: 4, 3.6, 8.33."""
    return f"{_hours(value):g}"


def _won(amount: int) -> str:
    return f"{amount:,}"


# --- the check -----------------------------------------------------------------------------


def check_contract(draft: ContractDraft, rules: LaborRules) -> ContractCheck:
    """Check ``draft`` against the law of ``rules.year``; the rules must be those of the year
    the contract starts in."""
    if draft.period is not None and draft.period.start.year != rules.year:
        raise RulesYearMismatch(
            f"The contract starts in {draft.period.start.year} but the rules given are for "
            f"{rules.year}; check it with the rules of {draft.period.start.year}.",
            f"계약은 {draft.period.start.year}년에 시작하는데 {rules.year}년 기준이 "
            f"주어졌습니다. {draft.period.start.year}년 기준으로 확인하세요.",
        )
    days = draft.schedule.days() if draft.schedule is not None else {}
    weekly = weekly_contract_minutes(days)
    full_rules = draft.headcount >= rules.workplace.full_rules_from_headcount
    findings = [*_missing_items(draft, rules, weekly if days else None, full_rules)]
    if days:
        findings += _breaks(days, rules)
        if draft.form is FormKind.UNDER_18:
            findings += _minor_hours(days, rules)
        else:
            findings += _adult_hours(draft, days, rules, full_rules)
        findings += _weekly_holiday(draft, days, rules)
        findings += _night(draft, days, rules, full_rules)
    findings += _premiums(rules, full_rules)
    if draft.wage is not None:
        findings += _minimum_wage(draft.wage, days, rules)
    if draft.form is FormKind.SHORT_TIME and full_rules:
        findings += _part_time_excess(draft, rules)
    findings += _later_years(draft, rules)
    return ContractCheck(form=draft.form, year=rules.year, findings=tuple(findings))


_ITEM_LABELS: dict[RequiredItem, tuple[str, str]] = {
    RequiredItem.PERIOD_START: ("근로개시일", "start date"),
    RequiredItem.PERIOD_END: ("근로계약 종료일", "end date of the contract"),
    RequiredItem.WORKPLACE: ("근무장소", "place of work"),
    RequiredItem.DUTIES: ("업무의 내용", "duties"),
    RequiredItem.WORKING_HOURS: ("소정근로시간", "contractual working hours"),
    RequiredItem.WORKING_DAYS_AND_HOURS_PER_DAY: (
        "근로일 및 근로일별 근로시간",
        "working days and the hours of each day",
    ),
    RequiredItem.BREAK_TIMES: ("휴게시간", "break times"),
    RequiredItem.WEEKLY_HOLIDAY: ("주휴일", "weekly paid holiday"),
    RequiredItem.ANNUAL_LEAVE: ("연차유급휴가", "annual paid leave"),
    RequiredItem.WAGE: ("임금(시급·일급·월급)", "wage (hourly, daily or monthly)"),
    RequiredItem.WAGE_COMPONENTS: ("상여금과 기타 수당", "bonus and other allowances"),
    RequiredItem.PAY_DAY: ("임금지급일", "pay day"),
    RequiredItem.PAY_METHOD: ("지급방법", "payment method"),
    RequiredItem.SOCIAL_INSURANCE: ("사회보험 적용여부", "social insurance"),
    RequiredItem.GUARDIAN_CONSENT: ("친권자(후견인) 동의서", "parent's or guardian's consent"),
    RequiredItem.FAMILY_RELATION_CERTIFICATE: (
        "가족관계증명서",
        "family relation certificate",
    ),
    RequiredItem.PROGRAMME_NAME: ("참여 사업명", "programme name"),
}


def _present(item: RequiredItem, draft: ContractDraft) -> bool:
    days = draft.schedule.days() if draft.schedule is not None else {}
    return {
        RequiredItem.PERIOD_START: draft.period is not None,
        RequiredItem.PERIOD_END: draft.period is not None and draft.period.end is not None,
        RequiredItem.WORKPLACE: draft.workplace is not None,
        RequiredItem.DUTIES: draft.duties is not None,
        RequiredItem.WORKING_HOURS: bool(days),
        RequiredItem.WORKING_DAYS_AND_HOURS_PER_DAY: bool(days),
        RequiredItem.BREAK_TIMES: bool(days)
        and all(day.break_minutes is not None for day in days.values()),
        RequiredItem.WEEKLY_HOLIDAY: draft.weekly_holiday is not None,
        RequiredItem.ANNUAL_LEAVE: draft.annual_leave is not None,
        RequiredItem.WAGE: draft.wage is not None,
        RequiredItem.WAGE_COMPONENTS: draft.bonus is not None and draft.allowances is not None,
        RequiredItem.PAY_DAY: draft.pay_day is not None,
        RequiredItem.PAY_METHOD: draft.pay_method is not None,
        RequiredItem.SOCIAL_INSURANCE: draft.social_insurance is not None,
        RequiredItem.GUARDIAN_CONSENT: draft.guardian_consent,
        RequiredItem.FAMILY_RELATION_CERTIFICATE: draft.family_relation_certificate,
        RequiredItem.PROGRAMME_NAME: draft.programme is not None,
    }[item]


def _missing_items(
    draft: ContractDraft, rules: LaborRules, weekly: int | None, full_rules: bool
) -> Iterator[Finding]:
    # Without a schedule the weekly hours are unknown, so the holiday items stay required.
    eligible = weekly is None or weekly >= rules.weekly_holiday.threshold_hours * 60
    applies = {
        Applies.ALWAYS: True,
        Applies.WEEKLY_HOLIDAY_ELIGIBLE: eligible,
        Applies.ANNUAL_LEAVE_ELIGIBLE: eligible and full_rules,
    }
    form = rules.forms[draft.form]
    for required in form.items:
        if not applies[required.applies] or _present(required.item, draft):
            continue
        label_ko, label_en = _ITEM_LABELS[required.item]
        blocks_ko = "적어야 보낼 수 있습니다" if required.severity is Severity.ERROR else "적으세요"
        blocks_en = (
            "it must be stated before the contract can be sent"
            if required.severity is Severity.ERROR
            else "state it"
        )
        yield Finding(
            code=f"missing.{required.item.value}",
            severity=required.severity,
            message_ko=f"{form.title_ko}에 '{label_ko}' 항목이 없습니다. "
            f"{required.basis_ko}에 따라 {blocks_ko}.",
            message_en=f"The {label_en} is missing from the form '{form.title_en}'; {blocks_en} "
            f"({required.basis}).",
            figures={"item": required.item.value, "basis": required.basis},
        )


def _breaks(days: Mapping[Weekday, WorkDay], rules: LaborRules) -> Iterator[Finding]:
    for weekday, day in days.items():
        if day.break_minutes is None:
            continue
        needed = required_break_minutes(day.worked_minutes, rules)
        if day.break_minutes < needed:
            yield Finding(
                code="break.too-short",
                severity=Severity.ERROR,
                message_ko=f"{weekday.label_ko}에 {_h_ko(day.worked_minutes)} 일하면 휴게시간이 "
                f"{needed}분 이상 필요한데 {day.break_minutes}분만 정했습니다. 휴게시간을 "
                f"{needed}분 이상으로 늘리세요 (근로기준법 제54조).",
                message_en=f"{_h_en(day.worked_minutes)} of work on {weekday.label_en} needs a "
                f"break of at least {needed} min, but only {day.break_minutes} min is set. "
                f"Make the break {needed} min or longer (LSA Art. 54).",
                figures={
                    "weekday": weekday.value,
                    "worked_minutes": day.worked_minutes,
                    "break_minutes": day.break_minutes,
                    "required_break_minutes": needed,
                },
            )


def _minor_hours(days: Mapping[Weekday, WorkDay], rules: LaborRules) -> Iterator[Finding]:
    minors = rules.minors
    for weekday, day in days.items():
        if day.worked_minutes > minors.daily * 60:
            yield Finding(
                code="minor.daily-limit-exceeded",
                severity=Severity.ERROR,
                message_ko=f"18세 미만은 하루 {minors.daily}시간까지 일할 수 있는데 "
                f"{weekday.label_ko} 근로시간이 {_h_ko(day.worked_minutes)}입니다. "
                f"{minors.daily}시간 이하로 줄이세요 (근로기준법 제69조).",
                message_en=f"A worker under 18 may work {minors.daily} h a day, but "
                f"{weekday.label_en} has {_h_en(day.worked_minutes)}. Reduce it to "
                f"{minors.daily} h or less (LSA Art. 69).",
                figures={
                    "weekday": weekday.value,
                    "worked_minutes": day.worked_minutes,
                    "limit_hours": minors.daily,
                },
            )
    weekly = weekly_contract_minutes(days)
    if weekly > minors.weekly * 60:
        yield Finding(
            code="minor.weekly-limit-exceeded",
            severity=Severity.ERROR,
            message_ko=f"18세 미만은 주 {minors.weekly}시간까지 일할 수 있는데 주 "
            f"{_h_ko(weekly)}으로 정했습니다. 주 {minors.weekly}시간 이하로 줄이세요 "
            "(근로기준법 제69조).",
            message_en=f"A worker under 18 may work {minors.weekly} h a week, but the schedule "
            f"has {_h_en(weekly)}. Reduce it to {minors.weekly} h or less (LSA Art. 69).",
            figures={"weekly_minutes": weekly, "limit_hours": minors.weekly},
        )
    yield Finding(
        code="minor.extension",
        severity=Severity.INFO,
        message_ko=f"18세 미만 근로자와 합의하면 하루 {minors.extra_daily_by_agreement}시간, "
        f"주 {minors.extra_weekly_by_agreement}시간까지만 더 일하게 할 수 있습니다 "
        "(근로기준법 제69조).",
        message_en=f"By agreement a worker under 18 may work at most "
        f"{minors.extra_daily_by_agreement} h a day and {minors.extra_weekly_by_agreement} h "
        "a week more (LSA Art. 69).",
        figures={
            "extra_daily_hours": minors.extra_daily_by_agreement,
            "extra_weekly_hours": minors.extra_weekly_by_agreement,
        },
    )


def _adult_hours(
    draft: ContractDraft, days: Mapping[Weekday, WorkDay], rules: LaborRules, full_rules: bool
) -> Iterator[Finding]:
    hours = rules.hours
    weekly = weekly_contract_minutes(days)
    overtime = overtime_minutes(days, rules)
    limit = hours.statutory_weekly + hours.overtime_weekly_max
    headcount = rules.workplace.full_rules_from_headcount
    if not full_rules:
        if overtime:
            yield Finding(
                code="hours.small-workplace",
                severity=Severity.INFO,
                message_ko=f"상시 근로자 {headcount}명 미만 사업장에는 법정근로시간(하루 "
                f"{hours.statutory_daily}시간, 주 {hours.statutory_weekly}시간)과 연장근로 한도"
                f"(주 {limit}시간), 가산임금이 적용되지 않으므로 주 {_h_ko(weekly)}도 법 위반이 "
                "아닙니다. 휴게시간과 주휴일은 똑같이 지켜야 합니다 (근로기준법 시행령 제7조).",
                message_en=f"At a workplace of fewer than {headcount} employees the statutory "
                f"hours ({hours.statutory_daily} h a day, {hours.statutory_weekly} h a week), the "
                f"{limit} h weekly limit and the premiums do not apply, so {_h_en(weekly)} a week "
                "is lawful; breaks and the weekly paid holiday still apply (LSA Decree Art. 7).",
                figures={"weekly_minutes": weekly, "headcount": draft.headcount},
            )
        return
    if weekly > limit * 60:
        yield Finding(
            code="hours.weekly-limit-exceeded",
            severity=Severity.ERROR,
            message_ko=f"주 {_h_ko(weekly)} 근무는 주 {limit}시간 한도(법정 "
            f"{hours.statutory_weekly}시간 + 연장 {hours.overtime_weekly_max}시간)를 "
            f"{_h_ko(weekly - limit * 60)} 넘습니다. 주 {limit}시간 이하로 줄이세요 "
            "(근로기준법 제50조, 제53조).",
            message_en=f"{_h_en(weekly)} a week is {_h_en(weekly - limit * 60)} over the {limit} h "
            f"limit ({hours.statutory_weekly} h + {hours.overtime_weekly_max} h overtime). "
            f"Reduce it to {limit} h or less (LSA Arts. 50 and 53).",
            figures={"weekly_minutes": weekly, "limit_hours": limit},
        )
    elif overtime:
        premium = rules.premiums.overtime_percent
        figures: dict[str, Figure] = {"overtime_minutes": overtime, "premium_percent": premium}
        owed_ko = owed_en = ""
        if draft.wage is not None and draft.wage.kind is WageKind.HOURLY:
            owed = _owed(Fraction(overtime, 60) * draft.wage.amount * premium / 100)
            figures["weekly_premium_won"] = owed
            owed_ko = f" 시간급 기준 가산임금은 주 {_won(owed)}원입니다."
            owed_en = f" On the hourly wage the premium is {_won(owed)} KRW a week."
        yield Finding(
            code="hours.overtime",
            severity=Severity.WARNING,
            message_ko=f"하루 {hours.statutory_daily}시간, 주 {hours.statutory_weekly}시간을 넘는 "
            f"주 {_h_ko(overtime)}은 연장근로입니다. 근로자의 동의가 필요하고 통상임금의 "
            f"{premium}% 이상을 더 줘야 합니다 (근로기준법 제53조, 제56조 제1항).{owed_ko}",
            message_en=f"{_h_en(overtime)} a week beyond {hours.statutory_daily} h a day or "
            f"{hours.statutory_weekly} h a week is overtime: it needs the worker's agreement and "
            f"pays at least {premium} % more than the ordinary wage (LSA Arts. 53 and 56(1))."
            f"{owed_en}",
            figures=figures,
        )


def _weekly_holiday(
    draft: ContractDraft, days: Mapping[Weekday, WorkDay], rules: LaborRules
) -> Iterator[Finding]:
    holiday = rules.weekly_holiday
    weekly = weekly_contract_minutes(days)
    paid = weekly_holiday_hours(weekly, rules)
    if not paid:
        yield Finding(
            code="weekly-holiday.not-owed",
            severity=Severity.INFO,
            message_ko=f"주 {_h_ko(weekly)}은 {holiday.threshold_hours}시간 미만이라 유급 주휴일과 "
            "연차유급휴가가 생기지 않습니다 (근로기준법 제18조 제3항).",
            message_en=f"{_h_en(weekly)} a week is under {holiday.threshold_hours} h, so no paid "
            "weekly holiday and no annual leave arise (LSA Art. 18(3)).",
            figures={"weekly_minutes": weekly, "threshold_hours": holiday.threshold_hours},
        )
        return
    if draft.weekly_holiday is not None and draft.weekly_holiday in days:
        day = draft.weekly_holiday
        yield Finding(
            code="weekly-holiday.on-workday",
            severity=Severity.ERROR,
            message_ko=f"주휴일로 정한 {day.label_ko}이 근무일입니다. 근무하지 않는 요일을 "
            "주휴일로 정하세요 (근로기준법 제55조).",
            message_en=f"The weekly paid holiday, {day.label_en}, is a working day. Choose a day "
            "without work (LSA Art. 55).",
            figures={"weekday": day.value},
        )
    elif draft.weekly_holiday is None and len(days) == len(Weekday):
        yield Finding(
            code="weekly-holiday.no-day-off",
            severity=Severity.ERROR,
            message_ko="7일 모두 근무일이라 주휴일이 없습니다. 한 주에 하루 이상 쉬는 날을 "
            "두세요 (근로기준법 제55조).",
            message_en="All seven days are working days, leaving no weekly paid holiday. Give "
            "at least one day off a week (LSA Art. 55).",
            figures={"workdays": len(days)},
        )
    figures: dict[str, Figure] = {"weekly_minutes": weekly, "holiday_hours": _hours(paid)}
    formula_ko = (
        f"주 {_num(Fraction(weekly, 60))}시간 ÷ {holiday.full_time_weekly_hours} × "
        f"{holiday.paid_hours_at_full_time} = {_num(paid)}시간"
    )
    if paid == holiday.max_hours:
        formula_ko = f"최대 {holiday.max_hours}시간"
    amount_ko = amount_en = ""
    if draft.wage is not None and draft.wage.kind is WageKind.HOURLY:
        owed = _owed(paid * draft.wage.amount)
        figures["weekly_holiday_pay_won"] = owed
        amount_ko = (
            f" 주휴수당은 {_num(paid)}시간 × {_won(draft.wage.amount)}원 = 주 {_won(owed)}원입니다."
        )
        amount_en = (
            f" The allowance is {_num(paid)} h x {_won(draft.wage.amount)} KRW = "
            f"{_won(owed)} KRW a week."
        )
    elif draft.wage is not None and draft.wage.kind is WageKind.MONTHLY:
        amount_ko = " 월급의 월 소정근로시간 계산에 이 시간이 들어갑니다."
        amount_en = " The monthly wage covers these hours through the monthly hours."
    yield Finding(
        code="weekly-holiday.paid",
        severity=Severity.INFO,
        message_ko=f"주 {holiday.threshold_hours}시간 이상 일하므로 결근 없이 일한 주에는 유급 "
        f"주휴시간이 생깁니다: {formula_ko} (근로기준법 제55조).{amount_ko}",
        message_en=f"From {holiday.threshold_hours} h a week, each fully attended week earns "
        f"{_num(paid)} paid weekly-holiday hours (weekly hours / "
        f"{holiday.full_time_weekly_hours} x {holiday.paid_hours_at_full_time}, at most "
        f"{holiday.max_hours}; LSA Art. 55).{amount_en}",
        figures=figures,
    )


def _night(
    draft: ContractDraft, days: Mapping[Weekday, WorkDay], rules: LaborRules, full_rules: bool
) -> Iterator[Finding]:
    night = sum(night_minutes(day, rules) for day in days.values())
    if not night or not full_rules:
        return
    premium = rules.premiums.night_percent
    window = f"{rules.premiums.night_start:%H:%M}-{rules.premiums.night_end:%H:%M}"
    figures: dict[str, Figure] = {"night_minutes": night, "premium_percent": premium}
    owed_ko = owed_en = ""
    if draft.wage is not None and draft.wage.kind is WageKind.HOURLY:
        owed = _owed(Fraction(night, 60) * draft.wage.amount * premium / 100)
        figures["weekly_premium_won"] = owed
        owed_ko = f" 시간급 기준 최대 주 {_won(owed)}원입니다."
        owed_en = f" On the hourly wage that is up to {_won(owed)} KRW a week."
    yield Finding(
        code="premiums.night",
        severity=Severity.INFO,
        message_ko=f"근무시간 중 주 최대 {_h_ko(night)}이 야간({window})입니다. 야간근로에는 "
        f"통상임금의 {premium}% 이상을 더 줘야 하며 연장·휴일 가산과 더해집니다 "
        f"(근로기준법 제56조 제3항).{owed_ko}",
        message_en=f"Up to {_h_en(night)} a week falls in the night ({window}); night work pays "
        f"at least {premium} % more, added to any overtime or holiday premium "
        f"(LSA Art. 56(3)).{owed_en}",
        figures=figures,
    )


def _premiums(rules: LaborRules, full_rules: bool) -> Iterator[Finding]:
    premiums = rules.premiums
    headcount = rules.workplace.full_rules_from_headcount
    if not full_rules:
        yield Finding(
            code="premiums.not-required",
            severity=Severity.INFO,
            message_ko=f"상시 근로자 {headcount}명 미만 사업장이라 연장·야간·휴일근로 가산임금과 "
            "연차유급휴가 규정이 적용되지 않습니다 (근로기준법 시행령 제7조). 최저임금, 휴게, "
            "주휴는 적용됩니다.",
            message_en=f"With fewer than {headcount} employees the overtime, night and holiday "
            "premiums and annual leave do not apply (LSA Decree Art. 7); the minimum wage, "
            "breaks and the weekly paid holiday do.",
            figures={"headcount_threshold": headcount},
        )
        return
    threshold = premiums.holiday_threshold_hours
    yield Finding(
        code="premiums.owed",
        severity=Severity.INFO,
        message_ko=f"상시 근로자 {headcount}명 이상 사업장이므로 연장근로에 "
        f"{premiums.overtime_percent}%, 야간근로({premiums.night_start:%H:%M}-"
        f"{premiums.night_end:%H:%M})에 {premiums.night_percent}%, 휴일근로에 {threshold}시간까지 "
        f"{premiums.holiday_percent_up_to_threshold}%·{threshold}시간 초과분 "
        f"{premiums.holiday_percent_over_threshold}%를 통상임금에 더해 줘야 합니다. 가산은 "
        "곱하지 않고 더합니다 (근로기준법 제56조).",
        message_en=f"With {headcount} or more employees, overtime pays "
        f"{premiums.overtime_percent} % extra, night work ({premiums.night_start:%H:%M}-"
        f"{premiums.night_end:%H:%M}) {premiums.night_percent} %, holiday work "
        f"{premiums.holiday_percent_up_to_threshold} % up to {threshold} h and "
        f"{premiums.holiday_percent_over_threshold} % beyond; premiums add, they do not "
        "multiply (LSA Art. 56).",
        figures={
            "overtime_percent": premiums.overtime_percent,
            "night_percent": premiums.night_percent,
            "holiday_percent_up_to_threshold": premiums.holiday_percent_up_to_threshold,
            "holiday_percent_over_threshold": premiums.holiday_percent_over_threshold,
        },
    )


def _minimum_wage(
    wage: Wage, days: Mapping[Weekday, WorkDay], rules: LaborRules
) -> Iterator[Finding]:
    minimum = rules.minimum_wage.hourly
    year = rules.year
    figures: dict[str, Figure] = {"wage_won": wage.amount, "minimum_hourly_won": minimum}
    if wage.kind is WageKind.HOURLY:
        required = minimum
        what_ko, what_en = (
            f"시간급 {_won(wage.amount)}원",
            f"The hourly wage of {_won(wage.amount)} KRW",
        )
        basis_ko, basis_en = f"{year}년 최저임금", f"the {year} minimum wage"
    elif not days:
        yield Finding(
            code="minimum-wage.unchecked",
            severity=Severity.WARNING,
            message_ko="근로시간이 없어 일급·월급이 최저임금 이상인지 확인할 수 없습니다. "
            "근로시간을 적으세요.",
            message_en="Without working hours a daily or monthly wage cannot be compared with "
            "the minimum wage; add the schedule.",
            figures=figures,
        )
        return
    elif wage.kind is WageKind.DAILY:
        # The longest day is where a fixed daily wage falls furthest per hour.
        longest = max(day.worked_minutes for day in days.values())
        required = _owed(Fraction(minimum * longest, 60))
        figures["daily_minutes"] = longest
        what_ko, what_en = (
            f"일급 {_won(wage.amount)}원",
            f"The daily wage of {_won(wage.amount)} KRW",
        )
        basis_ko = (
            f"하루 {_h_ko(longest)} 기준 {year}년 최저임금"
            f"({_won(minimum)}원 × {_num(Fraction(longest, 60))}시간)"
        )
        basis_en = f"the {year} minimum for a {_h_en(longest)} day"
    else:
        weekly = weekly_contract_minutes(days)
        holiday = weekly_holiday_hours(weekly, rules)
        month = monthly_standard_hours(weekly, rules)
        required = minimum * month
        figures["monthly_hours"] = month
        figures["hourly_equivalent_won"] = wage.amount // month
        month_conv = rules.month_conversion
        formula = (
            f"({_num(Fraction(weekly, 60))} + {_num(holiday)}) × {month_conv.days_per_year} ÷ "
            f"{month_conv.days_per_week} ÷ {month_conv.months_per_year} ≈ {month}"
        )
        what_ko, what_en = (
            f"월급 {_won(wage.amount)}원",
            f"The monthly wage of {_won(wage.amount)} KRW",
        )
        basis_ko = (
            f"월 {month}시간(주휴 포함, {formula}) 기준 {year}년 최저임금"
            f"({_won(minimum)}원 × {month}시간)"
        )
        basis_en = (
            f"the {year} minimum for {month} h a month (paid weekly holiday included, {formula})"
        )
    figures["required_won"] = required
    if wage.amount < required:
        shortfall = required - wage.amount
        figures["shortfall_won"] = shortfall
        yield Finding(
            code="minimum-wage.below",
            severity=Severity.ERROR,
            message_ko=f"{what_ko}은 {basis_ko} {_won(required)}원보다 {_won(shortfall)}원 "
            f"적습니다. {_won(required)}원 이상으로 정하세요 (최저임금법 제6조).",
            message_en=f"{what_en} is {_won(shortfall)} KRW below {basis_en}, {_won(required)} "
            f"KRW. Set it to at least {_won(required)} KRW (Minimum Wage Act Art. 6).",
            figures=figures,
        )
    else:
        yield Finding(
            code="minimum-wage.met",
            severity=Severity.INFO,
            message_ko=f"{what_ko}은 {basis_ko} {_won(required)}원 이상입니다.",
            message_en=f"{what_en} meets {basis_en}, {_won(required)} KRW.",
            figures=figures,
        )


def _part_time_excess(draft: ContractDraft, rules: LaborRules) -> Iterator[Finding]:
    needed = rules.premiums.part_time_excess_percent
    rate = draft.excess_hours_premium_percent
    if rate is None:
        yield Finding(
            code="part-time.excess-premium-unstated",
            severity=Severity.WARNING,
            message_ko=f"약정한 시간을 넘는 근로의 가산임금률이 비어 있습니다. 주 40시간 안이라도 "
            f"{needed}% 이상이어야 합니다 (기간제법 제6조 제3항).",
            message_en=f"The premium for hours beyond the agreed hours is blank; it must be at "
            f"least {needed} %, even within 40 h a week (Fixed-term Act Art. 6(3)).",
            figures={"required_percent": needed},
        )
    elif rate < needed:
        yield Finding(
            code="part-time.excess-premium-too-low",
            severity=Severity.ERROR,
            message_ko=f"약정한 시간을 넘는 근로의 가산임금률 {rate}%는 법정 {needed}%보다 "
            f"낮습니다. {needed}% 이상으로 정하세요 (기간제법 제6조 제3항).",
            message_en=f"The {rate} % premium for hours beyond the agreed hours is below the "
            f"{needed} % the law requires; set it to {needed} % or more (Fixed-term Act "
            "Art. 6(3)).",
            figures={"premium_percent": rate, "required_percent": needed},
        )


def _later_years(draft: ContractDraft, rules: LaborRules) -> Iterator[Finding]:
    if draft.period is None or draft.period.end is None:
        return
    if draft.period.end.year > rules.year:
        end_year = draft.period.end.year
        yield Finding(
            code="minimum-wage.later-year",
            severity=Severity.WARNING,
            message_ko=f"계약기간이 {end_year}년까지 이어집니다. 매년 1월 1일부터 그해 최저임금이 "
            "적용되므로 새해 최저임금 이상인지 다시 확인하세요.",
            message_en=f"The contract runs into {end_year}. Each year's minimum wage applies from "
            "1 January, so check the wage against the new year's minimum.",
            figures={"end_year": end_year},
        )
